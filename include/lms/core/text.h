/* text.h - UTF-8 validation and counting, base64url and hex: one place for each */
#ifndef LMS_CORE_TEXT_H
#define LMS_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether the n bytes at s are strict UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF, no sequence cut short. NUL bytes are
 * characters like any other here; callers that hand s on as a C string
 * check for them themselves.
 */
bool text_utf8_valid(const char *s, size_t n);

/* text_utf8_valid, and no C0 control character or DEL either: text that
 * is safe to log, show and put in a header. */
bool text_utf8_printable(const char *s, size_t n);

/*
 * The number of characters (code points) of the UTF-8 text s: the NUL-
 * terminated string, or its first n bytes. Every byte that is not a
 * continuation byte (10xxxxxx) starts one, so invalid text counts its
 * stray bytes as characters rather than being cut.
 */
size_t text_utf8_chars(const char *s);
size_t text_utf8_chars_n(const char *s, size_t n);

/*
 * Bytes of the character that starts at the NUL-terminated s: its lead
 * byte and the continuation bytes after it (at most three), so that even a
 * malformed sequence is never split. 1 at the NUL.
 */
size_t text_utf8_char_len(const char *s);

/* Characters of n bytes in base64url without padding. */
#define TEXT_B64URL_LEN(n) (((n) * 8 + 5) / 6)

/* Room text_b64url_encode needs for n bytes: the text and its NUL. */
#define TEXT_B64URL_BUF(n) (TEXT_B64URL_LEN(n) + 1)

/*
 * Writes the n bytes at in as base64url (RFC 4648 section 5) without
 * padding into out, which has room for TEXT_B64URL_BUF(n) bytes, and a NUL.
 * Returns the length written, TEXT_B64URL_LEN(n).
 */
size_t text_b64url_encode(const void *in, size_t n, char *out);

/*
 * Decodes the n characters at in, unpadded base64url, into out (room for
 * outlen bytes). Only the canonical spelling is taken: the alphabet and
 * nothing else (no padding, no whitespace), and no bit set that the last
 * character carries beyond the data. Returns the number of bytes, or -1.
 */
long text_b64url_decode(const char *in, size_t n, void *out, size_t outlen);

/* Writes the n bytes at in as lower-case hex into out (2 * n + 1 bytes,
 * NUL-terminated). */
void text_hex_encode(const void *in, size_t n, char *out);

/* The value of the hex digit c (either case), or -1 when it is not one. */
int text_hex_digit(int c);

#endif
