/* certificate.c - certificate serials and the canonical form of a statement */
#include "lms/certificate/certificate.h"

#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int value_of(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

char certificate_check_char(const char *body)
{
	size_t n = strlen(body);
	int factor = 2, total = 0;

	for (size_t i = n; i-- > 0;) {
		int v = value_of(body[i]), addend;

		if (v < 0)
			return 0;
		addend = factor * v;
		factor = 3 - factor;
		total += addend / 32 + addend % 32;
	}
	return alphabet[(32 - total % 32) % 32];
}

bool certificate_serial_parse(const char *text, char out[CERTIFICATE_SERIAL_BUF])
{
	/* Where the dashes stand in GJAI-2027-XXXX-XXXX-XXXC. */
	static const int dashes[] = {4, 9, 14, 19};
	char body[CERTIFICATE_SERIAL_LEN], check;
	size_t n = strlen(text), b = 0;

	if (n != CERTIFICATE_SERIAL_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x80 || c < 0x20)
			return false;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		if (i >= 5) {
			if (c == 'O')
				c = '0';
			else if (c == 'I' || c == 'L')
				c = '1';
		}
		out[i] = (char)c;
	}
	out[n] = '\0';
	if (strncmp(out, "GJAI-", 5) != 0)
		return false;
	for (size_t d = 0; d < sizeof(dashes) / sizeof(dashes[0]); d++)
		if (out[dashes[d]] != '-')
			return false;
	for (size_t i = 5; i < n; i++) {
		if (out[i] == '-')
			continue;
		/* The year is digits; the rest is the alphabet. */
		if (i < 9 ? !(out[i] >= '0' && out[i] <= '9') : value_of(out[i]) < 0)
			return false;
		body[b++] = out[i];
	}
	if (out[4] != '-' || b != 16)
		return false;
	check = body[b - 1];
	body[b - 1] = '\0';
	return certificate_check_char(body) == check;
}

char *certificate_canonical(const json_t *statement)
{
	return json_dumps(statement, JSON_COMPACT | JSON_SORT_KEYS);
}
