/* markdown.c - lesson text: GitHub-flavoured Markdown rendered to HTML that is safe to show */
#include "lms/catalog/markdown.h"

#include <pthread.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

/* The extensions lessons may use: syllabi are tables. The tag filter is
 * not among them because raw HTML never reaches the output at all. */
static const char *const markdown_extensions[] = { "table", "strikethrough", "autolink" };

static pthread_once_t markdown_once = PTHREAD_ONCE_INIT;

/* cmark-gfm's registration sets a plain static flag: call it once, under
 * pthread_once, rather than from every worker thread at the same time. */
static void markdown_register(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

char *markdown_html_render(const char *text, size_t len)
{
	/* Raw HTML is left out (cmark-gfm's default unless CMARK_OPT_UNSAFE);
	 * CMARK_OPT_SAFE is still named so the intent stays visible. */
	const int options = CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;
	cmark_parser *parser = NULL;
	cmark_node *doc = NULL;
	char *html = NULL;

	pthread_once(&markdown_once, markdown_register);
	parser = cmark_parser_new(options);
	if (!parser)
		goto out;
	for (size_t i = 0; i < sizeof(markdown_extensions) / sizeof(markdown_extensions[0]); i++) {
		cmark_syntax_extension *ext = cmark_find_syntax_extension(markdown_extensions[i]);

		if (!ext || !cmark_parser_attach_syntax_extension(parser, ext))
			goto out;
	}
	cmark_parser_feed(parser, text, len);
	doc = cmark_parser_finish(parser);
	if (!doc)
		goto out;
	html = cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser));
out:
	if (doc)
		cmark_node_free(doc);
	if (parser)
		cmark_parser_free(parser);
	return html;
}
