/* template.c - mail templates: <kind>.<locale>.txt, filled in from a row's params */
#include "lms/mail/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"

#define SUBJECT_PREFIX "Subject: "

const char *mail_template_find(const char *kind, const char *locale)
{
	char name[128];

	if (snprintf(name, sizeof(name), "%s.%s.txt", kind, locale) >= (int)sizeof(name))
		return NULL;
	for (const struct mail_template_file *f = mail_template_files; f->name; f++)
		if (!strcmp(f->name, name))
			return f->text;
	return NULL;
}

/* Writes the value of params named by the n bytes at name to out; false
 * (why in err) when params has no string or number of that name. */
static bool value_put(FILE *out, const char *name, size_t n, const json_t *params,
		      const char *base_url, char *err, size_t errlen)
{
	char key[64];
	const json_t *v;

	if (n == 0 || n >= sizeof(key)) {
		snprintf(err, errlen, "a placeholder has no name or a name too long");
		return false;
	}
	memcpy(key, name, n);
	key[n] = '\0';
	if (!strcmp(key, "base_url")) {
		fputs(base_url, out);
		return true;
	}
	v = json_object_get(params, key);
	if (json_is_string(v))
		fwrite(json_string_value(v), 1, json_string_length(v), out);
	else if (json_is_integer(v))
		fprintf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		fprintf(out, "%g", json_real_value(v));
	else {
		snprintf(err, errlen, "the message has no value for {{%s}}", key);
		return false;
	}
	return true;
}

/* The n bytes at s with every {{name}} filled in: a new string, or NULL
 * (why in err). */
static char *fill(const char *s, size_t n, const json_t *params, const char *base_url,
		  char *err, size_t errlen)
{
	const char *end = s + n, *open, *close;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	bool ok = true;

	if (!out) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (ok && s < end) {
		open = memmem(s, (size_t)(end - s), "{{", 2);
		if (!open) {
			fwrite(s, 1, (size_t)(end - s), out);
			break;
		}
		fwrite(s, 1, (size_t)(open - s), out);
		close = memmem(open + 2, (size_t)(end - open - 2), "}}", 2);
		if (!close) {
			snprintf(err, errlen, "a {{ is never closed");
			ok = false;
			break;
		}
		ok = value_put(out, open + 2, (size_t)(close - open - 2), params, base_url, err,
			       errlen);
		s = close + 2;
	}
	if (fclose(out) != 0 && ok) {
		snprintf(err, errlen, "out of memory");
		ok = false;
	}
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void html_escape(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(s[i], out);
		}
	}
}

/* The length of the address at s, or 0 when none starts there. It ends at
 * white space, a quote or an angle bracket, less trailing punctuation. */
static size_t link_len(const char *s)
{
	size_t n;

	if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7))
		return 0;
	n = strcspn(s, " \t\r\n\"'<>");
	while (n > 0 && strchr(".,;:!?)", s[n - 1]))
		n--;
	return n;
}

/* One line, escaped, its addresses as links. */
static void html_line(FILE *out, const char *s, size_t n)
{
	size_t i = 0, start = 0, l;

	while (i < n) {
		if ((i == 0 || s[i - 1] == ' ' || s[i - 1] == '(') && (l = link_len(s + i)) > 0 &&
		    i + l <= n) {
			html_escape(out, s + start, i - start);
			fputs("<a href=\"", out);
			html_escape(out, s + i, l);
			fputs("\">", out);
			html_escape(out, s + i, l);
			fputs("</a>", out);
			i += l;
			start = i;
		} else {
			i++;
		}
	}
	html_escape(out, s + start, n - start);
}

char *mail_html_from_text(const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	bool open = false;
	const char *s = text;

	if (!out)
		return NULL;
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
	      "<body style=\"font-family: sans-serif; line-height: 1.5\">\n",
	      out);
	while (*s) {
		size_t n = strcspn(s, "\n");
		size_t m = n && s[n - 1] == '\r' ? n - 1 : n;

		if (m == 0) {
			if (open)
				fputs("</p>\n", out);
			open = false;
		} else {
			fputs(open ? "<br>\n" : "<p>", out);
			open = true;
			html_line(out, s, m);
		}
		s += n;
		if (*s == '\n')
			s++;
	}
	if (open)
		fputs("</p>\n", out);
	fputs("</body></html>\n", out);
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int mail_render(const char *kind, const char *locale, const json_t *params, const char *base_url,
		struct mail_text *out, char *err, size_t errlen)
{
	const char *t = mail_template_find(kind, locale), *eol, *body;
	size_t plen = strlen(SUBJECT_PREFIX);

	memset(out, 0, sizeof(*out));
	if (!t) {
		snprintf(err, errlen, "no template %s.%s.txt", kind, locale);
		return LMS_ENOTFOUND;
	}
	eol = strchr(t, '\n');
	if (strncmp(t, SUBJECT_PREFIX, plen) || !eol || eol[1] != '\n') {
		snprintf(err, errlen,
			 "template %s.%s.txt: expected \"Subject: ...\", then an empty line", kind,
			 locale);
		return LMS_EINVAL;
	}
	body = eol + 2;
	if (!(out->subject = fill(t + plen, (size_t)(eol - t) - plen, params, base_url, err,
				  errlen)) ||
	    !(out->text = fill(body, strlen(body), params, base_url, err, errlen)))
		return LMS_EINVAL;
	/* A value cannot add a header line: the subject stays one line. */
	for (char *c = out->subject; *c; c++)
		if (*c == '\r' || *c == '\n' || *c == '\t')
			*c = ' ';
	if (!(out->html = mail_html_from_text(out->text))) {
		snprintf(err, errlen, "out of memory");
		return LMS_ENOMEM;
	}
	return 0;
}

void mail_text_release(struct mail_text *t)
{
	free(t->subject);
	free(t->text);
	free(t->html);
	memset(t, 0, sizeof(*t));
}
