/* markdown_test.c - unit tests: lesson Markdown renders to HTML that cannot run */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lms/catalog/markdown.h"

/* Renders text; the caller frees the result. */
static char *render(const char *text)
{
	char *html = markdown_html_render(text, strlen(text));

	assert_non_null(html);
	return html;
}

#define assert_has(html, needle)                                                         \
	do {                                                                             \
		if (!strstr((html), (needle)))                                           \
			fail_msg("expected \"%s\" in:\n%s", (needle), (html));             \
	} while (0)

#define assert_lacks(html, needle)                                                       \
	do {                                                                             \
		if (strcasestr((html), (needle)))                                        \
			fail_msg("did not expect \"%s\" in:\n%s", (needle), (html));       \
	} while (0)

static void renders_headings_lists_and_code(void **state)
{
	char *html = render("# 인공지능 입문\n\n## Week 1\n\n- 데이터\n- models\n\n"
			    "1. first\n2. second\n\n"
			    "```python\nprint(\"<b>안녕</b>\")\n```\n\n"
			    "Inline `a < b` and **bold** 한국어 text.\n");

	assert_has(html, "<h1>인공지능 입문</h1>");
	assert_has(html, "<h2>Week 1</h2>");
	assert_has(html, "<ul>\n<li>데이터</li>\n<li>models</li>\n</ul>");
	assert_has(html, "<ol>\n<li>first</li>");
	/* Code is text: its markup is escaped, not interpreted. */
	assert_has(html, "<pre><code class=\"language-python\">print(&quot;&lt;b&gt;안녕&lt;/b&gt;&quot;)");
	assert_has(html, "<code>a &lt; b</code>");
	assert_has(html, "<strong>bold</strong> 한국어 text.");
	free(html);
}

static void leaves_out_raw_html(void **state)
{
	static const char *const inputs[] = {
		"<script>alert(1)</script>\n",
		"before <script>alert(1)</script> after\n",
		"<img src=x onerror=alert(1)>\n",
		"text <img src=x onerror=\"alert(1)\"> text\n",
		"<iframe src=\"https://evil.example\"></iframe>\n",
		"<div onclick=alert(1)>click</div>\n",
		"<a href=\"javascript:alert(1)\">x</a>\n",
		"<style>body{display:none}</style>\n",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char *html = render(inputs[i]);

		assert_lacks(html, "<script");
		assert_lacks(html, "<img");
		assert_lacks(html, "<iframe");
		assert_lacks(html, "<div");
		assert_lacks(html, "<style");
		assert_lacks(html, "onerror");
		assert_lacks(html, "onclick");
		assert_lacks(html, "javascript:");
		free(html);
	}
	/* Prose around it stays. */
	{
		char *html = render("before <script>alert(1)</script> after\n");

		assert_has(html, "before ");
		assert_has(html, " after");
		free(html);
	}
}

static void neutralises_dangerous_links(void **state)
{
	static const char *const inputs[] = {
		"[x](javascript:alert(1))\n",
		"[x](JavaScript:alert(1))\n",
		"[x](vbscript:msgbox(1))\n",
		"[x](file:///etc/passwd)\n",
		"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n",
		"![x](javascript:alert(1))\n",
		"[x]\n\n[x]: javascript:alert(1)\n",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char *html = render(inputs[i]);

		assert_lacks(html, "javascript:");
		assert_lacks(html, "vbscript:");
		assert_lacks(html, "file:");
		assert_lacks(html, "data:text");
		/* The link or image is still there, with an empty target. */
		if (!strstr(html, "href=\"\"") && !strstr(html, "src=\"\""))
			fail_msg("expected an emptied target in:\n%s", html);
		free(html);
	}
}

static void keeps_safe_links_and_autolinks(void **state)
{
	char *html = render("[GIST](https://www.gist.ac.kr/) and <https://example.com/a?b=1&c=2>"
			    " and <mailto:help@example.com>\n\n![chart](https://example.com/c.png "
			    "\"a \\\"title\\\"\")\n");

	assert_has(html, "<a href=\"https://www.gist.ac.kr/\">GIST</a>");
	assert_has(html, "<a href=\"https://example.com/a?b=1&amp;c=2\">");
	assert_has(html, "<a href=\"mailto:help@example.com\">");
	assert_has(html, "<img src=\"https://example.com/c.png\" alt=\"chart\" title=\"a &quot;title&quot;\" />");
	free(html);
}

static void survives_odd_input(void **state)
{
	char *html = markdown_html_render("", 0);

	assert_non_null(html);
	assert_string_equal(html, "");
	free(html);
	/* Invalid UTF-8 is replaced, not passed through. */
	html = render("bad \xff\xfe byte\n");
	assert_lacks(html, "\xff");
	assert_has(html, "\xef\xbf\xbd");
	free(html);
	/* An attribute cannot be broken out of. */
	html = render("[x](https://example.com/\"onmouseover=\"alert(1))\n");
	assert_lacks(html, "\"onmouseover");
	free(html);
}

static void renders_tables(void **state)
{
	char *html = render("| 주차 | 주제 | 과제 |\n|:--|:-:|--:|\n| 1 | 데이터 `<b>` | **퀴즈** |\n"
			    "| 2 | 모델 \\| 평가 | [자료](https://example.com/w2) |\n");

	assert_has(html, "<table>");
	assert_has(html, "<thead>\n<tr>\n<th align=\"left\">주차</th>");
	assert_has(html, "<th align=\"center\">주제</th>");
	assert_has(html, "<th align=\"right\">과제</th>");
	assert_has(html, "<tbody>\n<tr>\n<td align=\"left\">1</td>");
	/* Inline markup inside cells, an escaped pipe stays in its cell. */
	assert_has(html, "<td align=\"center\">데이터 <code>&lt;b&gt;</code></td>");
	assert_has(html, "<td align=\"right\"><strong>퀴즈</strong></td>");
	assert_has(html, "<td align=\"center\">모델 | 평가</td>");
	assert_has(html, "<a href=\"https://example.com/w2\">자료</a>");
	assert_has(html, "</tbody>\n</table>");
	free(html);
	/* Without the delimiter row it is a paragraph, not a table. */
	html = render("| a | b |\n| c | d |\n");
	assert_lacks(html, "<table");
	free(html);
}

static void tables_are_as_safe_as_prose(void **state)
{
	char *html = render("| a | b |\n|---|---|\n| <script>alert(1)</script> | "
			    "<img src=x onerror=alert(1)> |\n| [x](javascript:alert(1)) | "
			    "![y](vbscript:msgbox(1)) |\n");

	assert_has(html, "<table>");
	assert_lacks(html, "<script");
	assert_lacks(html, "<img src=x");
	assert_lacks(html, "onerror");
	assert_lacks(html, "javascript:");
	assert_lacks(html, "vbscript:");
	assert_has(html, "<a href=\"\">x</a>");
	free(html);
}

static void renders_strikethrough(void **state)
{
	char *html = render("~~취소된 수업~~ and ~one~ kept\n");

	assert_has(html, "<del>취소된 수업</del>");
	assert_has(html, "<del>one</del> kept");
	free(html);
}

static void autolinks_only_safe_schemes(void **state)
{
	char *html = render("See www.gist.ac.kr/ai and https://example.com/x?y=1&z=2 or "
			    "help@example.com.\n\njavascript:alert(1) vbscript:x file:///etc/passwd\n");

	assert_has(html, "<a href=\"http://www.gist.ac.kr/ai\">www.gist.ac.kr/ai</a>");
	assert_has(html, "<a href=\"https://example.com/x?y=1&amp;z=2\">");
	assert_has(html, "<a href=\"mailto:help@example.com\">help@example.com</a>");
	/* Other schemes stay text: never a link target. */
	assert_lacks(html, "href=\"javascript:");
	assert_lacks(html, "href=\"vbscript:");
	assert_lacks(html, "href=\"file:");
	assert_has(html, "javascript:alert(1) vbscript:x file:///etc/passwd");
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renders_headings_lists_and_code),
		cmocka_unit_test(leaves_out_raw_html),
		cmocka_unit_test(neutralises_dangerous_links),
		cmocka_unit_test(keeps_safe_links_and_autolinks),
		cmocka_unit_test(survives_odd_input),
		cmocka_unit_test(renders_tables),
		cmocka_unit_test(tables_are_as_safe_as_prose),
		cmocka_unit_test(renders_strikethrough),
		cmocka_unit_test(autolinks_only_safe_schemes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
