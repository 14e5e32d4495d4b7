/* path_fuzz.c - fuzz target: request paths: percent-decoding, absolute targets, Host */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lms/http/request.h"

static int hex_digit(char c)
{
	const char *digits = "0123456789abcdef", *at;

	if (c >= 'A' && c <= 'F')
		c = (char)(c - 'A' + 'a');
	at = c ? strchr(digits, c) : NULL;
	return at ? (int)(at - digits) : -1;
}

/* What http_path_decode must answer, worked out the plain way: every %
 * starts two hex digits, and the result is UTF-8 without controls. */
static char *expected_path(const char *raw)
{
	size_t n = strlen(raw), j = 0;
	char *out = malloc(n + 1);

	for (size_t i = 0; out && i < n; i++) {
		if (raw[i] != '%') {
			out[j++] = raw[i];
			continue;
		}
		if (hex_digit(raw[i + 1]) < 0 || hex_digit(raw[i + 2]) < 0) {
			free(out);
			return NULL;
		}
		out[j++] = (char)(hex_digit(raw[i + 1]) * 16 + hex_digit(raw[i + 2]));
		i += 2;
	}
	for (size_t i = 0; out && i < j; i++) {
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7F) {
			free(out);
			return NULL;
		}
	}
	if (out && !fuzz_utf8_valid((const unsigned char *)out, j)) {
		free(out);
		return NULL;
	}
	if (out)
		out[j] = '\0';
	return out;
}

/* A valid Host holds only the bytes of a name, an address and a port:
 * nothing that could end a header, a path or a JSON string. */
static void check_host(const char *host)
{
	FUZZ_CHECK(*host);
	for (const char *p = host; *p; p++)
		FUZZ_CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				  "-._~!$&'()*+,;=%[]:", *p));
}

/* The host of an absolute target is copied from it, fits, and is valid. */
static void check_target(const char *raw, size_t hostlen)
{
	char *host = malloc(hostlen);
	const char *path, *authority = strstr(raw, "://");

	FUZZ_CHECK(host != NULL);
	if ((path = http_target_absolute(raw, host, hostlen))) {
		FUZZ_CHECK(authority && path > authority && path < raw + strlen(raw));
		FUZZ_CHECK(*path == '/');
		FUZZ_CHECK(strlen(host) < hostlen);
		FUZZ_CHECK(strncmp(authority + 3, host, strlen(host)) == 0);
		FUZZ_CHECK(http_host_valid(host));
		check_host(host);
	}
	free(host);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = fuzz_strndup(data, size);
	char *path = http_path_decode(raw), *want = expected_path(raw);

	FUZZ_CHECK((path == NULL) == (want == NULL));
	if (path) {
		size_t n = strlen(path);

		FUZZ_CHECK(strcmp(path, want) == 0);
		FUZZ_CHECK(n <= strlen(raw));
		FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)path, n));
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)path[i] >= 0x20 && path[i] != 0x7F);
	}
	if (http_host_valid(raw))
		check_host(raw);
	check_target(raw, 256);
	check_target(raw, 8);
	free(want);
	free(path);
	free(raw);
	return 0;
}
