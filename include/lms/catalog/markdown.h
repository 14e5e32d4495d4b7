/* markdown.h - lesson text: GitHub-flavoured Markdown rendered to HTML that is safe to show */
#ifndef LMS_CATALOG_MARKDOWN_H
#define LMS_CATALOG_MARKDOWN_H

#include <stddef.h>

/*
 * Renders len bytes of GitHub-flavoured Markdown as HTML (cmark-gfm with
 * its table, strikethrough and autolink extensions, safe mode): raw HTML
 * is left out, and links and images to javascript:, vbscript:, file: or
 * data: (other than data:image/png, gif, jpeg, webp) lose their target.
 * Invalid UTF-8 is replaced. Returns a new string (free() it), or NULL
 * on failure.
 */
char *markdown_html_render(const char *text, size_t len);

#endif
