/* text.c - UTF-8 validation and counting, base64url and hex: one place for each */
#include "lms/core/text.h"

#include <string.h>

#include <openssl/evp.h>

static bool continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Length of the sequence lead byte c starts and its payload bits, 0 when
 * c cannot start one (a continuation byte, 0xc0, 0xc1, 0xf5 and above). */
static size_t lead(unsigned char c, unsigned int *cp)
{
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		*cp = c & 0x1f;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		*cp = c & 0x0f;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		*cp = c & 0x07;
		return 4;
	}
	return 0;
}

/* The length of the valid sequence at s[0..n), 0 when there is none. */
static size_t sequence(const unsigned char *s, size_t n)
{
	unsigned int cp;
	size_t len = lead(s[0], &cp);

	if (len == 0 || len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if (!continuation(s[k]))
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	/* Overlong three- and four-byte forms, surrogates, beyond U+10FFFF
	 * (two-byte overlongs are the leads 0xc0 and 0xc1, refused above). */
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static bool utf8_scan(const char *text, size_t n, bool printable)
{
	const unsigned char *s = (const unsigned char *)text;

	for (size_t i = 0, len; i < n; i += len) {
		if (printable && (s[i] < 0x20 || s[i] == 0x7f))
			return false;
		if (!(len = sequence(s + i, n - i)))
			return false;
	}
	return true;
}

bool text_utf8_valid(const char *s, size_t n)
{
	return utf8_scan(s, n, false);
}

bool text_utf8_printable(const char *s, size_t n)
{
	return utf8_scan(s, n, true);
}

size_t text_utf8_chars_n(const char *s, size_t n)
{
	size_t chars = 0;

	for (size_t i = 0; i < n; i++)
		chars += !continuation((unsigned char)s[i]);
	return chars;
}

size_t text_utf8_chars(const char *s)
{
	size_t chars = 0;

	for (; *s; s++)
		chars += !continuation((unsigned char)*s);
	return chars;
}

size_t text_utf8_char_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 1;

	if (!*u)
		return 1;
	while (n < 4 && continuation(u[n]))
		n++;
	return n;
}

/*
 * The encoding is OpenSSL's; only the alphabet differs. base64url survives
 * URLs, cookies, JSON and shells unescaped, and the padding carries no
 * information once the length is known. OpenSSL writes whole padded groups
 * and a NUL: the last, partial group goes through a buffer of its own, so
 * out needs room for the unpadded text only.
 */
size_t text_b64url_encode(const void *in, size_t n, char *out)
{
	const unsigned char *b = in;
	size_t full = n / 3 * 3, len;
	unsigned char tail[5];

	len = (size_t)EVP_EncodeBlock((unsigned char *)out, b, (int)full);
	if (n > full) {
		EVP_EncodeBlock(tail, b + full, (int)(n - full));
		memcpy(out + len, tail, TEXT_B64URL_LEN(n - full));
		len += TEXT_B64URL_LEN(n - full);
	}
	out[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return len;
}

/* c in standard base64's alphabet, or 0 when c is not base64url. */
static char b64_from_url(char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return c;
	return c == '-' ? '+' : c == '_' ? '/' : 0;
}

/*
 * Decodes one group of k (2..4) characters into 3 bytes with OpenSSL's
 * decoder, which reads the '=' that fill the group as zero bits: so the
 * bytes past the k - 1 of data are zero exactly when the spelling is
 * canonical. Returns k - 1, or -1.
 */
static int b64url_group(const char *in, size_t k, unsigned char dec[3])
{
	unsigned char grp[4] = {'=', '=', '=', '='};

	for (size_t j = 0; j < k; j++)
		if (!(grp[j] = (unsigned char)b64_from_url(in[j])))
			return -1;
	if (EVP_DecodeBlock(dec, grp, 4) != 3)
		return -1;
	for (size_t j = k - 1; j < 3; j++)
		if (dec[j])
			return -1;
	return (int)k - 1;
}

long text_b64url_decode(const char *in, size_t n, void *out, size_t outlen)
{
	unsigned char *o = out;
	size_t len = 0;

	if (n % 4 == 1 || n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > outlen)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		size_t k = n - i < 4 ? n - i : 4;
		unsigned char dec[3];
		int got = b64url_group(in + i, k, dec);

		if (got < 0)
			return -1;
		memcpy(o + len, dec, (size_t)got);
		len += (size_t)got;
	}
	return (long)len;
}

void text_hex_encode(const void *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int text_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
