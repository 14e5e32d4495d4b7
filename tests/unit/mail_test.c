/* mail_test.c - unit tests for mail templates, their HTML form and the MIME message */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <gmime/gmime.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/mail/message.h"
#include "lms/mail/template.h"

#define BASE "https://lms.example.kr"

/* Every kind has both languages, a subject line and an empty line after it,
 * and renders with the values its enqueuers give. */
static void every_template_has_both_languages(void **state)
{
	int n = 0;

	(void)state;
	for (const struct mail_template_file *f = mail_template_files; f->name; f++, n++) {
		char kind[128], other[160];
		size_t len = strlen(f->name);
		bool ko;

		assert_true(len > 7);
		ko = !strcmp(f->name + len - 7, ".ko.txt");
		assert_true(ko || !strcmp(f->name + len - 7, ".en.txt"));
		snprintf(kind, sizeof(kind), "%.*s", (int)(len - 7), f->name);
		snprintf(other, sizeof(other), "%s", ko ? "en" : "ko");
		assert_non_null(mail_template_find(kind, other));
		assert_true(!strncmp(f->text, "Subject: ", 9));
		assert_non_null(strstr(f->text, "\n\n"));
	}
	assert_true(n >= 4);
	assert_null(mail_template_find("no.such.kind", "ko"));
	assert_null(mail_template_find("auth.password_reset", "fr"));
}

static void render_fills_values_and_refuses_missing_ones(void **state)
{
	json_t *p = json_pack("{s:s, s:s, s:i}", "name", "김<민지>", "token", "abc_-1", "minutes", 30);
	struct mail_text t;
	char err[256] = "";

	(void)state;
	assert_int_equal(mail_render("auth.password_reset", "ko", p, BASE, &t, err, sizeof(err)), 0);
	assert_string_equal(t.subject, "[광주 AI 인재 플랫폼] 비밀번호 재설정 안내");
	assert_non_null(strstr(t.text, "김<민지> 님, 안녕하세요."));
	assert_non_null(strstr(t.text, BASE "/#/reset-password?token=abc_-1\n"));
	assert_non_null(strstr(t.text, "30분"));
	/* In HTML the value is escaped and the address is a link. */
	assert_non_null(strstr(t.html, "<p>김&lt;민지&gt; 님, 안녕하세요.</p>"));
	assert_non_null(strstr(t.html, "<a href=\"" BASE "/#/reset-password?token=abc_-1\">"));
	assert_null(strstr(t.html, "<민지>"));
	mail_text_release(&t);

	json_object_del(p, "token");
	assert_int_equal(mail_render("auth.password_reset", "en", p, BASE, &t, err, sizeof(err)),
			 LMS_EINVAL);
	assert_non_null(strstr(err, "{{token}}"));
	mail_text_release(&t);
	assert_int_equal(mail_render("nothing", "en", p, BASE, &t, err, sizeof(err)), LMS_ENOTFOUND);
	mail_text_release(&t);
	json_decref(p);
}

static void html_keeps_paragraphs_and_lines(void **state)
{
	char *h = mail_html_from_text("a & b\nsecond line\n\nhttps://x.kr/a?b=1&c=2.\n");

	(void)state;
	assert_non_null(h);
	assert_non_null(strstr(h, "<p>a &amp; b<br>\nsecond line</p>"));
	assert_non_null(strstr(h, "<p><a href=\"https://x.kr/a?b=1&amp;c=2\">"
				  "https://x.kr/a?b=1&amp;c=2</a>.</p>"));
	free(h);
}

/* The Subject of raw decoded as RFC 2047 says: each encoded word on its
 * own, the white space between two of them dropped (static buffer).
 * GMime 3.2's own decoder joins adjacent words before decoding them and
 * loses the text after a word that ends in base64 padding, so the words are
 * handed to it one by one. */
static const char *subject_decoded(const char *raw)
{
	static char out[1024];
	const char *s = strstr(raw, "Subject: ") + 9, *end = s;
	size_t used = 0;
	bool after_word = false;

	/* The header ends at a line end not followed by white space. */
	while (*end && !(end[0] == '\r' && end[1] == '\n' && end[2] != ' ' && end[2] != '\t'))
		end++;
	while (s < end) {
		size_t gap = strspn(s, " \t\r\n"), n;
		const char *w = s + gap;

		if (w >= end)
			break;
		n = strcspn(w, " \t\r\n");
		if (w + n > end)
			n = (size_t)(end - w);
		bool encoded = n > 4 && !strncmp(w, "=?", 2) && !strncmp(w + n - 2, "?=", 2);
		if (!(encoded && after_word) && gap)
			used += (size_t)snprintf(out + used, sizeof(out) - used, " ");
		if (encoded) {
			char word[256];
			char *d;

			snprintf(word, sizeof(word), "%.*s", (int)n, w);
			d = g_mime_utils_header_decode_text(NULL, word);
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%s", d);
			g_free(d);
		} else {
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%.*s", (int)n, w);
		}
		after_word = encoded;
		s = w + n;
	}
	return out;
}

/* The message a reader gets: headers decoded, both parts, UTF-8. */
static void message_reads_back(void **state)
{
	struct mail_text t = {.subject = "[광주 AI 인재 플랫폼] 이메일 주소를 확인해 주세요 — "
					 "아주 긴 제목이 여러 줄로 접혀도 그대로 읽혀야 합니다",
			      .text = "안녕하세요.\n\nhttps://lms.example.kr/#/x\n",
			      .html = "<p>안녕하세요.</p>"};
	char *raw = NULL, err[256] = "", addr[64];
	size_t len = 0;
	GMimeStream *s;
	GMimeParser *p;
	GMimeMessage *m;
	GMimeObject *body;
	GMimeObject *part;
	char *text;

	(void)state;
	assert_int_equal(mail_message_build("광주 AI 플랫폼 <no-reply@lms.example.kr>",
					    "learner@example.com", &t, "outbox.1.ab", &raw, &len,
					    err, sizeof(err)),
			 0);
	assert_non_null(strstr(raw, "\r\nSubject: =?"));
	assert_non_null(strstr(raw, "Message-Id: <outbox.1.ab@lms.example.kr>"));
	assert_true(!strncmp(raw, "Date: ", 6) || strstr(raw, "\r\nDate: "));
	assert_non_null(strstr(raw, "MIME-Version: 1.0"));
	for (size_t i = 0; i < len; i++)
		assert_true((unsigned char)raw[i] < 0x80); /* 7-bit on the wire */

	s = g_mime_stream_mem_new_with_buffer(raw, len);
	p = g_mime_parser_new_with_stream(s);
	m = g_mime_parser_construct_message(p, NULL);
	assert_non_null(m);
	assert_string_equal(subject_decoded(raw), t.subject);
	body = g_mime_message_get_mime_part(m);
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(body), "multipart",
						"alternative"));
	assert_int_equal(g_mime_multipart_get_count(GMIME_MULTIPART(body)), 2);
	part = g_mime_multipart_get_part(GMIME_MULTIPART(body), 0);
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	assert_string_equal(text, t.text);
	g_free(text);
	part = g_mime_multipart_get_part(GMIME_MULTIPART(body), 1);
	assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(part), "text",
						"html"));
	g_object_unref(m);
	g_object_unref(p);
	g_object_unref(s);
	free(raw);

	assert_int_equal(mail_address_of("Name <a@b.kr>", addr, sizeof(addr)), 0);
	assert_string_equal(addr, "a@b.kr");
	assert_int_equal(mail_address_of("not an address", addr, sizeof(addr)), LMS_EINVAL);
	assert_int_equal(mail_message_build("x <a@b.kr>", "evil@example.com\r\nBcc: x@y", &t, "1",
					    &raw, &len, err, sizeof(err)),
			 LMS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_template_has_both_languages),
		cmocka_unit_test(render_fills_values_and_refuses_missing_ones),
		cmocka_unit_test(html_keeps_paragraphs_and_lines),
		cmocka_unit_test(message_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
