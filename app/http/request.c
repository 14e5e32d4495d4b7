/* request.c - one HTTP request: path, parameters, bounded body, JSON input */
#include "lms/http/request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static void add_error(json_t **errors, const char *field, const char *message)
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
			add_error(errors, key, "unknown field");
	}
	for (size_t i = 0; i < nfields; i++) {
		const struct json_field *f = &fields[i];
		size_t max = f->max_len ? f->max_len : 1000;

		value = json_object_get(obj, f->name);
		if (!value) {
			if (f->required)
				add_error(errors, f->name, "is required");
		} else if (json_is_null(value)) {
			if (!f->nullable)
				add_error(errors, f->name, "must not be null");
		} else if (!type_matches(value, f->type)) {
			snprintf(msg, sizeof(msg), "must be %s", type_name(f->type));
			add_error(errors, f->name, msg);
		} else if (f->type == 's' && json_string_length(value) > max) {
			snprintf(msg, sizeof(msg), "must be at most %zu bytes", max);
			add_error(errors, f->name, msg);
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
