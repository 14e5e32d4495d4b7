/* template.h - mail templates: <kind>.<locale>.txt, filled in from a row's params */
#ifndef LMS_MAIL_TEMPLATE_H
#define LMS_MAIL_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* One file of app/mail/templates, compiled in (mail_templates.c, made at
 * build time); the table ends with a NULL name. */
struct mail_template_file {
	const char *name; /* "enrollment.promoted.ko.txt" */
	const char *text; /* its bytes, NUL-terminated */
};
extern const struct mail_template_file mail_template_files[];

/* A message's words, made from a template: each string owned. */
struct mail_text {
	char *subject; /* one line, UTF-8 */
	char *text;    /* the plain-text body */
	char *html;    /* the same body as an HTML document */
};

/* The template text for kind in locale (borrowed), or NULL. */
const char *mail_template_find(const char *kind, const char *locale);

/*
 * Fills out from the template of kind in locale: {{name}} takes the string
 * or number params holds for name, {{base_url}} takes base_url. Returns 0;
 * LMS_ENOTFOUND when there is no such template; LMS_EINVAL when the
 * template is malformed or names a value params lacks (why in err). out
 * must be released with mail_text_release() in every case.
 */
int mail_render(const char *kind, const char *locale, const json_t *params, const char *base_url,
		struct mail_text *out, char *err, size_t errlen);

/* Frees the strings of t; safe on a zeroed struct. */
void mail_text_release(struct mail_text *t);

/* text as HTML paragraphs: escaped, empty lines part paragraphs, other
 * line ends are <br>, http(s) addresses are links. New string, or NULL. */
char *mail_html_from_text(const char *text);

#endif
