/* fuzz.c - what the fuzz targets share: libFuzzer's entry point, checks, UTF-8 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

const char *fuzz_part(const char *s, size_t size, int i)
{
	size_t at = 0;

	for (; i > 0 && at <= size; i--)
		at += strlen(s + at) + 1;
	return at <= size ? s + at : "";
}

size_t fuzz_nparts(const char *s, size_t size)
{
	size_t n = 1;

	for (size_t i = 0; i < size; i++)
		n += s[i] == '\0';
	return n;
}

bool fuzz_utf8_valid(const unsigned char *s, size_t n)
{
	/* Table 3-7: the lead byte decides the range of the second byte; the
	 * others are 80..BF. */
	static const struct {
		unsigned char lo, hi, second_lo, second_hi, len;
	} forms[] = {
		{0x00, 0x7F, 0, 0, 1},       {0xC2, 0xDF, 0x80, 0xBF, 2},
		{0xE0, 0xE0, 0xA0, 0xBF, 3}, {0xE1, 0xEC, 0x80, 0xBF, 3},
		{0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3},
		{0xF0, 0xF0, 0x90, 0xBF, 4}, {0xF1, 0xF3, 0x80, 0xBF, 4},
		{0xF4, 0xF4, 0x80, 0x8F, 4},
	};
	size_t i = 0;

	while (i < n) {
		size_t f = 0, nforms = sizeof(forms) / sizeof(forms[0]);

		while (f < nforms && (s[i] < forms[f].lo || s[i] > forms[f].hi))
			f++;
		if (f == nforms || n - i < forms[f].len)
			return false;
		for (size_t k = 1; k < forms[f].len; k++) {
			unsigned char lo = k == 1 ? forms[f].second_lo : 0x80;
			unsigned char hi = k == 1 ? forms[f].second_hi : 0xBF;

			if (s[i + k] < lo || s[i + k] > hi)
				return false;
		}
		i += forms[f].len;
	}
	return true;
}
