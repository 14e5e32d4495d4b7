/* fuzz.h - what the fuzz targets share: libFuzzer's entry point, checks, UTF-8 */
#ifndef LMS_FUZZ_H
#define LMS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libFuzzer calls this once per input: 0 lets it into the corpus, -1 keeps
 * it out (not a valid input for the target). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports the broken invariant what at file:line and aborts: libFuzzer
 * saves the input as a crash. */
_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* Aborts naming cond when it does not hold. */
#define FUZZ_CHECK(cond) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

/* A NUL-terminated copy of data[0..size) (new, free() it); never NULL. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/*
 * Part i (from 0) of s[0..size), a copy from fuzz_strndup, when NUL bytes
 * separate the parts: borrowed from s, "" past the last part. An input
 * thus carries several strings.
 */
const char *fuzz_part(const char *s, size_t size, int i);

/* How many parts s[0..size) has for fuzz_part: one more than its NULs. */
size_t fuzz_nparts(const char *s, size_t size);

/*
 * Whether s[0..n) is well-formed UTF-8 as Unicode's table 3-7 lists it (no
 * overlong forms, surrogates or code points past U+10FFFF). Written apart
 * from the server's own check so that each checks the other.
 */
bool fuzz_utf8_valid(const unsigned char *s, size_t n);

#endif
