/* markdown.c - lesson text: CommonMark rendered to HTML that is safe to show */
#include "lms/catalog/markdown.h"

#include <cmark.h>

char *markdown_html_render(const char *text, size_t len)
{
	/* CMARK_OPT_SAFE is cmark's default since 0.29; naming it keeps the
	 * intent visible should that default ever change. */
	return cmark_markdown_to_html(text, len, CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8);
}
