/* certificate_test.c - certificate serials, their check character and the
 * canonical form of a signed statement */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lms/certificate/certificate.h"

/* A serial with a right check character for body (year and the eleven
 * random characters, no dashes). */
static void make(const char *body, char out[CERTIFICATE_SERIAL_BUF])
{
	char check = certificate_check_char(body);

	assert_int_not_equal(check, 0);
	snprintf(out, CERTIFICATE_SERIAL_BUF, "GJAI-%.4s-%.4s-%.4s-%.3s%c", body, body + 4,
		 body + 8, body + 12, check);
}

static void check_character_catches_one_change_and_swaps(void **state)
{
	const char *alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char body[] = "20267F4JWG08H6P", serial[CERTIFICATE_SERIAL_BUF], out[CERTIFICATE_SERIAL_BUF];

	(void)state;
	make(body, serial);
	assert_true(certificate_serial_parse(serial, out));
	assert_string_equal(out, serial);
	/* Every other character at every place of the random part. */
	for (size_t i = 4; i < strlen(body); i++) {
		char keep = body[i];

		for (const char *c = alphabet; *c; c++) {
			char other[CERTIFICATE_SERIAL_BUF];

			if (*c == keep)
				continue;
			body[i] = *c;
			snprintf(other, sizeof(other), "%s", serial);
			/* the same place in the dashed form */
			other[5 + i + (i >= 4) + (i >= 8) + (i >= 12)] = *c;
			assert_false(certificate_serial_parse(other, out));
		}
		body[i] = keep;
	}
	/* Two neighbours swapped (when they differ). */
	for (size_t i = 10; i + 1 < CERTIFICATE_SERIAL_LEN; i++) {
		char other[CERTIFICATE_SERIAL_BUF];

		snprintf(other, sizeof(other), "%s", serial);
		if (other[i] == '-' || other[i + 1] == '-' || other[i] == other[i + 1])
			continue;
		other[i] = serial[i + 1];
		other[i + 1] = serial[i];
		assert_false(certificate_serial_parse(other, out));
	}
}

static void typed_serials_are_read_leniently(void **state)
{
	char serial[CERTIFICATE_SERIAL_BUF], typed[CERTIFICATE_SERIAL_BUF],
		out[CERTIFICATE_SERIAL_BUF];

	(void)state;
	make("2026010ABCDEFGH", serial);
	snprintf(typed, sizeof(typed), "%s", serial);
	for (char *p = typed; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	/* O for 0 and l for 1, after the prefix */
	typed[10] = 'O';
	typed[11] = 'l';
	assert_true(certificate_serial_parse(typed, out));
	assert_string_equal(out, serial);
}

static void malformed_serials_are_refused(void **state)
{
	char serial[CERTIFICATE_SERIAL_BUF], out[CERTIFICATE_SERIAL_BUF], bad[64];

	(void)state;
	make("2026ABCDEFGHJKM", serial);
	assert_true(certificate_serial_parse(serial, out));
	snprintf(bad, sizeof(bad), "%sX", serial);
	assert_false(certificate_serial_parse(bad, out));
	assert_false(certificate_serial_parse(serial + 1, out));
	assert_false(certificate_serial_parse("", out));
	assert_false(certificate_serial_parse("GJAI-2026-ABCD-EFGH-JKM\xc3", out));
	assert_false(certificate_serial_parse("GJAX-2026-ABCD-EFGH-JKMN", out));
	assert_false(certificate_serial_parse("GJAI-20Z6-ABCD-EFGH-JKMN", out));
	assert_false(certificate_serial_parse("GJAI-2026-ABCD-EFGH-JKMU", out));
	assert_false(certificate_serial_parse("GJAI-2026-ABCDEEFGH-JKMN", out));
	snprintf(bad, sizeof(bad), "%s", serial);
	bad[9] = 'A';
	assert_false(certificate_serial_parse(bad, out));
	assert_int_equal(certificate_check_char("2026U"), 0);
}

static void canonical_json_is_sorted_and_compact(void **state)
{
	json_t *st = json_pack("{s:s, s:s, s:n, s:i}", "serial", "GJAI-1", "learner_name", "김수료",
			       "revoked_on", "a", 1);
	char *text;

	(void)state;
	assert_non_null(st);
	text = certificate_canonical(st);
	assert_string_equal(text, "{\"a\":1,\"learner_name\":\"김수료\",\"revoked_on\":null,"
				  "\"serial\":\"GJAI-1\"}");
	free(text);
	json_decref(st);
}

static void a_seal_must_be_a_png(void **state)
{
	static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00";
	static const unsigned char truncated[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR";

	(void)state;
	assert_false(certificate_png_ok(gif, sizeof(gif) - 1, 100));
	assert_false(certificate_png_ok(truncated, sizeof(truncated) - 1, 100));
	assert_false(certificate_png_ok(gif, 0, 100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_character_catches_one_change_and_swaps),
		cmocka_unit_test(typed_serials_are_read_leniently),
		cmocka_unit_test(malformed_serials_are_refused),
		cmocka_unit_test(canonical_json_is_sorted_and_compact),
		cmocka_unit_test(a_seal_must_be_a_png),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
