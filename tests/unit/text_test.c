/* text_test.c - unit tests for UTF-8 validation and counting, base64url and hex */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "lms/core/text.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static bool valid(const char *s)
{
	return text_utf8_valid(s, strlen(s));
}

static void utf8_accepts_every_well_formed_length(void **state)
{
	(void)state;
	assert_true(valid(""));
	assert_true(valid("abc"));
	assert_true(valid("\xc2\x80"));         /* U+0080, the first two-byte */
	assert_true(valid("광주 AI 인재"));
	assert_true(valid("\xe0\xa0\x80"));     /* U+0800, the first three-byte */
	assert_true(valid("\xed\x9f\xbf"));     /* U+D7FF, just below the surrogates */
	assert_true(valid("\xee\x80\x80"));     /* U+E000, just above them */
	assert_true(valid("😀"));
	assert_true(valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last */
	/* A NUL is a character to the validator: callers check for it. */
	assert_true(text_utf8_valid("a\0b", 3));
}

static void utf8_refuses_what_is_malformed(void **state)
{
	static const char *const bad[] = {
		"\x80",             /* a continuation byte alone */
		"\xc0\xaf",         /* overlong '/' */
		"\xc1\xbf",         /* overlong */
		"\xe0\x80\xaf",     /* overlong three-byte */
		"\xf0\x80\x80\xaf", /* overlong four-byte */
		"\xed\xa0\x80",     /* U+D800, a surrogate */
		"\xed\xbf\xbf",     /* U+DFFF */
		"\xf4\x90\x80\x80", /* U+110000 */
		"\xf5\x80\x80\x80", /* no such lead byte */
		"\xff",
		"\xea\xb0",         /* a syllable cut short */
		"ab\xe2\x82",       /* cut short at the end */
		"\xe2\x28\xa1",     /* a continuation that is not one */
	};

	(void)state;
	for (size_t i = 0; i < NELEMS(bad); i++)
		if (valid(bad[i]))
			fail_msg("case %zu passed as UTF-8", i);
	/* The length given bounds the scan: a sequence cut by it is not valid. */
	assert_false(text_utf8_valid("가", 2));
}

static void printable_refuses_controls(void **state)
{
	(void)state;
	assert_true(text_utf8_printable("한글 text", strlen("한글 text")));
	assert_false(text_utf8_printable("a\nb", 3));
	assert_false(text_utf8_printable("a\tb", 3));
	assert_false(text_utf8_printable("a\x7f", 2));
	assert_false(text_utf8_printable("a\0b", 3));
	assert_false(text_utf8_printable("\xc0\xaf", 2));
	/* C1 controls are characters of their own here, as before. */
	assert_true(text_utf8_printable("\xc2\x85", 2));
}

static void chars_count_code_points(void **state)
{
	char s[700];

	(void)state;
	assert_int_equal(text_utf8_chars(""), 0);
	assert_int_equal(text_utf8_chars("abc"), 3);
	assert_int_equal(text_utf8_chars("인공지능"), 4);
	assert_int_equal(text_utf8_chars("AI 두드림"), 6);
	assert_int_equal(text_utf8_chars("😀"), 1);
	/* 200 Korean syllables are 600 bytes and 200 characters. */
	s[0] = '\0';
	for (int i = 0; i < 200; i++)
		strcat(s, "가");
	assert_int_equal(strlen(s), 600);
	assert_int_equal(text_utf8_chars(s), 200);
	assert_int_equal(text_utf8_chars_n(s, 9), 3);
	/* A cut character counts once, by its lead byte. */
	assert_int_equal(text_utf8_chars_n(s, 4), 2);
	assert_int_equal(text_utf8_chars_n("a\0b", 3), 3);
}

static void char_len_never_splits(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_char_len("a"), 1);
	assert_int_equal(text_utf8_char_len("가나"), 3);
	assert_int_equal(text_utf8_char_len("😀"), 4);
	assert_int_equal(text_utf8_char_len(""), 1);
	/* Stray continuation bytes go with the byte before them, at most four. */
	assert_int_equal(text_utf8_char_len("\xea\x80\x80\x80\x80"), 4);
	assert_int_equal(text_utf8_char_len("\xea"), 1);
}

static void b64url_known(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{"", 0, ""},
		{"f", 1, "Zg"},
		{"fo", 2, "Zm8"},
		{"foo", 3, "Zm9v"},
		{"foob", 4, "Zm9vYg"},
		{"fooba", 5, "Zm9vYmE"},
		{"foobar", 6, "Zm9vYmFy"},
		/* The two characters that differ from standard base64. */
		{"\xfb\xff", 2, "-_8"},
		{"\xfb\xef\xbe\xff\xff\xff", 6, "----____"},
		{"\0\0\0", 3, "AAAA"},
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < NELEMS(cases); i++) {
		memset(out, '#', sizeof(out));
		size_t n = text_b64url_encode(cases[i].in, cases[i].len, out);
		assert_string_equal(out, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
	}
}

static void b64url_round_trips(void **state)
{
	unsigned char in[64], back[64];
	char text[TEXT_B64URL_BUF(sizeof(in))];

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (size_t n = 0; n <= sizeof(in); n++) {
		size_t len = text_b64url_encode(in, n, text);

		assert_int_equal(len, TEXT_B64URL_LEN(n));
		assert_int_equal(strlen(text), len);
		memset(back, 0, sizeof(back));
		assert_int_equal(text_b64url_decode(text, len, back, sizeof(back)), (long)n);
		assert_memory_equal(back, in, n);
	}
}

static void b64url_refuses_what_is_not_canonical(void **state)
{
	unsigned char out[16];

	(void)state;
	assert_int_equal(text_b64url_decode("Zm9v", 4, out, sizeof(out)), 3);
	assert_int_equal(text_b64url_decode("", 0, out, sizeof(out)), 0);
	/* Padding, the standard alphabet, spaces, a lone last character. */
	assert_int_equal(text_b64url_decode("Zg==", 4, out, sizeof(out)), -1);
	assert_int_equal(text_b64url_decode("+/8", 3, out, sizeof(out)), -1);
	assert_int_equal(text_b64url_decode("Zm9 ", 4, out, sizeof(out)), -1);
	assert_int_equal(text_b64url_decode("Zm9vY", 5, out, sizeof(out)), -1);
	/* "Zh" spells 'f' too, with a bit set past the data. */
	assert_int_equal(text_b64url_decode("Zg", 2, out, sizeof(out)), 1);
	assert_int_equal(text_b64url_decode("Zh", 2, out, sizeof(out)), -1);
	assert_int_equal(text_b64url_decode("Zm9", 3, out, sizeof(out)), -1);
	/* More than the room given. */
	assert_int_equal(text_b64url_decode("Zm9vYmFy", 8, out, 5), -1);
	assert_int_equal(text_b64url_decode("Zm9vYmFy", 8, out, 6), 6);
}

static void hex_both_ways(void **state)
{
	static const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
	char out[2 * sizeof(bytes) + 1];

	(void)state;
	memset(out, '#', sizeof(out));
	text_hex_encode(bytes, sizeof(bytes), out);
	assert_string_equal(out, "00017f80abff");
	text_hex_encode(bytes, 0, out);
	assert_string_equal(out, "");
	assert_int_equal(text_hex_digit('0'), 0);
	assert_int_equal(text_hex_digit('9'), 9);
	assert_int_equal(text_hex_digit('a'), 10);
	assert_int_equal(text_hex_digit('F'), 15);
	assert_int_equal(text_hex_digit('g'), -1);
	assert_int_equal(text_hex_digit('/'), -1);
	assert_int_equal(text_hex_digit(':'), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_accepts_every_well_formed_length),
		cmocka_unit_test(utf8_refuses_what_is_malformed),
		cmocka_unit_test(printable_refuses_controls),
		cmocka_unit_test(chars_count_code_points),
		cmocka_unit_test(char_len_never_splits),
		cmocka_unit_test(b64url_known),
		cmocka_unit_test(b64url_round_trips),
		cmocka_unit_test(b64url_refuses_what_is_not_canonical),
		cmocka_unit_test(hex_both_ways),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
