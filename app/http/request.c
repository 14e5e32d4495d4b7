/* request.c - one HTTP request: path, parameters, bounded body, JSON input */
#include "lms/http/request.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lms/core/err.h"
#include "lms/db/pool.h"
#include "lms/http/response.h"
#include "lms/http/server.h"

const char *http_req_header(const struct http_req *req, const char *name)
{
	return mg_get_header(req->conn, name);
}

/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) with no
 * C0 control characters or DEL. */
static bool text_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned int cp;
		size_t len;

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += len;
	}
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *http_path_decode(const char *raw)
{
	size_t n = strlen(raw), j = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (raw[i] == '%') {
			int hi = i + 1 < n ? hexval((unsigned char)raw[i + 1]) : -1;
			int lo = i + 2 < n ? hexval((unsigned char)raw[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				goto bad;
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[j++] = raw[i];
		}
	}
	out[j] = '\0';
	if (!text_valid((const unsigned char *)out, j))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

int http_req_query(const struct http_req *req, const char *name, char *buf, size_t len)
{
	int n;

	if (!req->query)
		return -1;
	n = mg_get_var(req->query, strlen(req->query), name, buf, len);
	if (n == -1)
		return -1;
	if (n < 0 || !text_valid((const unsigned char *)buf, (size_t)n))
		return -2;
	return n;
}

bool http_req_param_id_or_reply(struct http_req *req, int i, long long *out)
{
	const char *s = i < req->nparams ? req->params[i] : NULL;
	char *end;
	long long v;

	errno = 0;
	if (s && *s >= '1' && *s <= '9') {
		v = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0') {
			*out = v;
			return true;
		}
	}
	http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
	return false;
}

/* The q-value of one Accept-Language entry ("en-US;q=0.8" -> 0.8). */
static double lang_q(const char *entry, size_t len)
{
	const char *q = memmem(entry, len, ";q=", 3);

	return q ? strtod(q + 3, NULL) : 1.0;
}

const char *http_req_lang(const struct http_req *req)
{
	const char *al = http_req_header(req, "Accept-Language");
	double best_q = 0;
	const char *best = "ko";
	char lang[8];

	if (http_req_query(req, "lang", lang, sizeof(lang)) > 0 &&
	    (!strcmp(lang, "ko") || !strcmp(lang, "en")))
		return !strcmp(lang, "en") ? "en" : "ko";
	for (const char *p = al; p && *p;) {
		size_t len = strcspn(p, ",");
		const char *tag = p;
		double q;

		while (*tag == ' ' && tag < p + len)
			tag++;
		q = lang_q(p, len);
		/* A primary subtag of exactly ko or en: "ko", "ko-KR", "en-US". */
		if ((!strncasecmp(tag, "ko", 2) || !strncasecmp(tag, "en", 2)) &&
		    strchr("-;, ", tag[2] ? tag[2] : ' ') && q > best_q) {
			best_q = q;
			best = !strncasecmp(tag, "en", 2) ? "en" : "ko";
		}
		p += len + (p[len] == ',');
	}
	return best;
}

bool http_req_query_id_or_reply(struct http_req *req, const char *name, long long *out)
{
	char buf[32], *end = buf;
	long long v = 0;
	int n;

	*out = 0;
	if ((n = http_req_query(req, name, buf, sizeof(buf))) == -1)
		return true;
	errno = 0;
	if (n > 0 && buf[0] >= '1' && buf[0] <= '9')
		v = strtoll(buf, &end, 10);
	if (n <= 0 || v <= 0 || errno || *end) {
		json_t *errors = NULL;

		http_json_error_add(&errors, name, "must be a positive integer id");
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the query parameter %s is not valid", name);
		return false;
	}
	*out = v;
	return true;
}

struct db_conn *http_req_db_or_reply(struct http_req *req)
{
	char msg[256];

	if (req->db)
		return req->db;
	if (db_pool_acquire(req->app->pool, &req->db, msg, sizeof(msg)) < 0) {
		http_reply_problem(req, 503, "unavailable", NULL, "%s", msg);
		return NULL;
	}
	return req->db;
}

static const char *type_name(char type)
{
	switch (type) {
	case 's': return "a string";
	case 'i': return "an integer";
	case 'b': return "a boolean";
	case 'a': return "an array";
	case 'o': return "an object";
	}
	return "a value";
}

static bool type_matches(const json_t *v, char type)
{
	switch (type) {
	case 's': return json_is_string(v);
	case 'i': return json_is_integer(v);
	case 'b': return json_is_boolean(v);
	case 'a': return json_is_array(v);
	case 'o': return json_is_object(v);
	}
	return false;
}

void http_json_error_add(json_t **errors, const char *field, const char *message)
{
	if (!*errors)
		*errors = json_array();
	if (*errors)
		json_array_append_new(*errors,
				      json_pack("{s:s, s:s}", "field", field, "message", message));
}

bool http_json_check(const json_t *obj, const struct json_field *fields, size_t nfields,
		     json_t **errors)
{
	const char *key;
	json_t *value;
	char msg[128];

	*errors = NULL;
	json_object_foreach((json_t *)obj, key, value) {
		bool known = false;
		for (size_t i = 0; i < nfields && !known; i++)
			known = strcmp(fields[i].name, key) == 0;
		if (!known)
			http_json_error_add(errors, key, "unknown field");
	}
	for (size_t i = 0; i < nfields; i++) {
		const struct json_field *f = &fields[i];
		size_t max = f->max_len ? f->max_len : 1000;

		value = json_object_get(obj, f->name);
		if (!value) {
			if (f->required)
				http_json_error_add(errors, f->name, "is required");
		} else if (json_is_null(value)) {
			if (!f->nullable)
				http_json_error_add(errors, f->name, "must not be null");
		} else if (!type_matches(value, f->type)) {
			snprintf(msg, sizeof(msg), "must be %s", type_name(f->type));
			http_json_error_add(errors, f->name, msg);
		} else if (f->type == 's' && json_string_length(value) > max) {
			snprintf(msg, sizeof(msg), "must be at most %zu bytes", max);
			http_json_error_add(errors, f->name, msg);
		} else if (f->type == 's' &&
			   strlen(json_string_value(value)) != json_string_length(value)) {
			/* C strings would silently end at the NUL. */
			http_json_error_add(errors, f->name, "must not contain NUL characters");
		}
	}
	return *errors == NULL;
}

bool http_json_fields_or_reply(struct http_req *req, const struct json_field *fields,
			       size_t nfields)
{
	json_t *errors = NULL;

	if (!json_is_object(req->json)) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the request body must be a JSON object");
		return false;
	}
	if (!http_json_check(req->json, fields, nfields, &errors)) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the request body has invalid fields");
		return false;
	}
	return true;
}

/* Cursors are "p<id>" in base64url: opaque to clients, so the paging key
 * can change without breaking them. */
json_t *http_page_cursor(long long last_id, size_t count, int limit)
{
	unsigned char raw[32];
	char out[64];
	int n;

	if (count < (size_t)limit || last_id <= 0)
		return json_null();
	n = snprintf((char *)raw, sizeof(raw), "p%lld", last_id);
	n = EVP_EncodeBlock((unsigned char *)out, raw, n);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (char *c = out; *c; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	return json_string(out);
}

static bool cursor_decode(const char *text, long long *id)
{
	char in[64], raw[64], *end;
	size_t n = strlen(text);
	int len;

	if (n == 0 || n > 40 || strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					  "0123456789-_") != n)
		return false;
	for (size_t i = 0; i < n; i++)
		in[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
	while (n % 4)
		in[n++] = '=';
	in[n] = '\0';
	if ((len = EVP_DecodeBlock((unsigned char *)raw, (unsigned char *)in, (int)n)) < 2)
		return false;
	raw[len] = '\0';
	if (raw[0] != 'p' || raw[1] < '1' || raw[1] > '9')
		return false;
	errno = 0;
	*id = strtoll(raw + 1, &end, 10);
	return errno == 0 && *end == '\0';
}

bool http_req_page_or_reply(struct http_req *req, int *limit, long long *cursor_id)
{
	char buf[64], *end;
	json_t *errors = NULL;
	long v;
	int n;

	*limit = 20;
	*cursor_id = 0;
	if ((n = http_req_query(req, "limit", buf, sizeof(buf))) != -1) {
		errno = 0;
		v = n > 0 ? strtol(buf, &end, 10) : 0;
		if (n <= 0 || errno || *end || v < 1 || v > 100)
			http_json_error_add(&errors, "limit", "must be an integer from 1 to 100");
		else
			*limit = (int)v;
	}
	if ((n = http_req_query(req, "cursor", buf, sizeof(buf))) != -1 &&
	    (n <= 0 || !cursor_decode(buf, cursor_id)))
		http_json_error_add(&errors, "cursor", "is not a cursor this list returned");
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the list parameters are not valid");
		return false;
	}
	return true;
}
