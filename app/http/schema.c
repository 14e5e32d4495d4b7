/* schema.c - request bodies as data: one schema per endpoint, one checker
 * that names every bad field */
#include "lms/http/schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lms/core/datetime.h"
#include "lms/core/text.h"
#include "lms/http/request.h"
#include "lms/http/response.h"

/* Strings without a bound of their own: enough for any name or code. */
#define DEFAULT_MAX_BYTES 1000

static bool in_use(const struct schema_field *f, enum schema_mode mode)
{
	return f->use == SCHEMA_BOTH || (f->use == SCHEMA_CREATE_ONLY) == (mode == SCHEMA_CREATE);
}

static const struct schema_field *field_named(const struct schema *s, enum schema_mode mode,
					      const char *name)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (in_use(&s->fields[i], mode) && !strcmp(s->fields[i].name, name))
			return &s->fields[i];
	return NULL;
}

static const char *type_name(enum schema_type type)
{
	switch (type) {
	case SCHEMA_STRING:
	case SCHEMA_DATE:
	case SCHEMA_TIMESTAMP:
	case SCHEMA_HTTPS_URL: return "a string";
	case SCHEMA_INT:
	case SCHEMA_ID: return "an integer";
	case SCHEMA_BOOL: return "a boolean";
	case SCHEMA_ARRAY:
	case SCHEMA_IDS: return "an array";
	case SCHEMA_OBJECT: return "an object";
	}
	return "a value";
}

static bool type_matches(const json_t *v, enum schema_type type)
{
	switch (type) {
	case SCHEMA_STRING:
	case SCHEMA_DATE:
	case SCHEMA_TIMESTAMP:
	case SCHEMA_HTTPS_URL: return json_is_string(v);
	case SCHEMA_INT:
	case SCHEMA_ID: return json_is_integer(v);
	case SCHEMA_BOOL: return json_is_boolean(v);
	case SCHEMA_ARRAY:
	case SCHEMA_IDS: return json_is_array(v);
	case SCHEMA_OBJECT: return json_is_object(v);
	}
	return false;
}

static size_t max_bytes(const struct schema_field *f)
{
	if (f->max_bytes)
		return f->max_bytes;
	switch (f->type) {
	case SCHEMA_DATE: return 32;
	case SCHEMA_TIMESTAMP: return 64;
	case SCHEMA_HTTPS_URL: return (size_t)f->max;
	default: return f->max > 0 ? 4 * (size_t)f->max : DEFAULT_MAX_BYTES;
	}
}

/*
 * The first look at one field: present when required, null only when
 * nullable, of its type, a string within its bytes and without NUL.
 * Returns what is wrong (in msg, or a constant), or NULL when the value,
 * if there is one, may be read further.
 */
static const char *shape_problem(const struct schema_field *f, const json_t *v,
				 enum schema_mode mode, char *msg, size_t len)
{
	if (!v)
		return f->required && mode == SCHEMA_CREATE ? "is required" : NULL;
	if (json_is_null(v))
		return f->nullable ? NULL : "must not be null";
	if (!type_matches(v, f->type)) {
		snprintf(msg, len, "must be %s", type_name(f->type));
		return msg;
	}
	if (json_is_string(v) && json_string_length(v) > max_bytes(f)) {
		snprintf(msg, len, "must be at most %zu bytes", max_bytes(f));
		return msg;
	}
	/* C strings would silently end at the NUL. */
	if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v))
		return "must not contain NUL characters";
	return NULL;
}

static bool blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

static bool bounded(const struct schema_field *f)
{
	return (f->min != 0 || f->max != 0) && !f->check;
}

static bool text_ok(const struct schema_field *f, const char *s, char *msg, size_t len)
{
	long long n = (long long)text_utf8_chars(s);

	if ((n < f->min || n > f->max) && f->min > 0)
		return schema_refuse(msg, len, "must be %lld to %lld characters", f->min, f->max);
	if (n < f->min || n > f->max)
		return schema_refuse(msg, len, "must be at most %lld characters", f->max);
	return f->min <= 0 || !blank(s) || schema_refuse(msg, len, "must not be blank");
}

/* "must be one of a, b, c" into msg when s is none of values. */
static bool one_of_ok(const char *const *values, const char *s, char *msg, size_t len)
{
	size_t used;

	for (const char *const *v = values; *v; v++)
		if (!strcmp(s, *v))
			return true;
	used = (size_t)snprintf(msg, len, "must be one of ");
	for (const char *const *v = values; *v && used < len; v++)
		used += (size_t)snprintf(msg + used, len - used, "%s%s", v == values ? "" : ", ",
					 *v);
	return false;
}

static bool int_ok(const struct schema_field *f, long long n, char *msg, size_t len)
{
	return (n >= f->min && n <= f->max) ||
	       schema_refuse(msg, len, "must be an integer from %lld to %lld", f->min, f->max);
}

static bool ids_ok(const struct schema_field *f, const json_t *ids, char *msg, size_t len)
{
	size_t i;
	json_t *v;

	if (f->max > 0 && (long long)json_array_size(ids) > f->max)
		return schema_refuse(msg, len, "must have at most %lld ids", f->max);
	json_array_foreach(ids, i, v)
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return schema_refuse(msg, len, "each must be a positive integer id");
	return true;
}

static bool url_ok(const char *s, long long max)
{
	size_t n = strlen(s);

	if ((long long)n > max || strncmp(s, "https://", 8) != 0 || !s[8] || s[8] == '/')
		return false;
	/* A link is shown and followed as it is: no spaces or control
	 * characters that would end it early or hide part of it. */
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= 0x20 || *c == 0x7f)
			return false;
	return true;
}


static bool date_ok(const char *s)
{
	long long ignored;

	return datetime_date_parse(s, &ignored);
}

static bool timestamp_ok(const char *s)
{
	long long ignored;

	return datetime_timestamp_parse(s, &ignored);
}

/* The bounds and values of f that the kit knows. */
static bool kit_value_ok(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	switch (f->type) {
	case SCHEMA_STRING:
		if (f->values && !one_of_ok(f->values, json_string_value(v), msg, len))
			return false;
		return !bounded(f) || text_ok(f, json_string_value(v), msg, len);
	case SCHEMA_INT:
		return !bounded(f) || int_ok(f, json_integer_value(v), msg, len);
	case SCHEMA_ID:
		return json_integer_value(v) > 0 ||
		       schema_refuse(msg, len, "must be a positive integer id");
	case SCHEMA_IDS:
		return ids_ok(f, v, msg, len);
	case SCHEMA_DATE:
		return date_ok(json_string_value(v)) ||
		       schema_refuse(msg, len, "must be a date YYYY-MM-DD that exists");
	case SCHEMA_TIMESTAMP:
		return timestamp_ok(json_string_value(v)) ||
		       schema_refuse(msg, len, "must be an RFC 3339 time with an offset, like "
					       "2027-02-01T09:00:00+09:00");
	case SCHEMA_HTTPS_URL:
		return url_ok(json_string_value(v), f->max) ||
		       schema_refuse(msg, len,
				     "must be an https:// link without spaces, at most %lld bytes",
				     f->max);
	default:
		return true;
	}
}

bool schema_value_ok(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	if (!kit_value_ok(f, v, msg, len))
		return f->message ? schema_refuse(msg, len, "%s", f->message) : false;
	return !f->check || f->check(f, v, msg, len);
}

/* Appends the errors of later (stolen, may be NULL) to *errors. */
static void errors_append(json_t **errors, json_t *later)
{
	if (!later)
		return;
	if (!*errors) {
		*errors = later;
		return;
	}
	json_array_extend(*errors, later);
	json_decref(later);
}

bool schema_check(const json_t *obj, const struct schema *s, enum schema_mode mode,
		  json_t **errors)
{
	size_t before = json_array_size(*errors);
	json_t *values = NULL, *v;
	const char *key, *problem;
	char msg[256];

	json_object_foreach((json_t *)obj, key, v)
		if (!field_named(s, mode, key))
			http_json_error_add(errors, key, "unknown field");
	/* Values only of fields whose shape is right (one error a field),
	 * listed after every error of shape. */
	for (size_t i = 0; i < s->nfields; i++) {
		const struct schema_field *f = &s->fields[i];

		if (!in_use(f, mode))
			continue;
		v = json_object_get(obj, f->name);
		if ((problem = shape_problem(f, v, mode, msg, sizeof(msg))))
			http_json_error_add(errors, f->name, problem);
		else if (v && !json_is_null(v) && !schema_value_ok(f, v, msg, sizeof(msg)))
			http_json_error_add(&values, f->name, msg);
	}
	errors_append(errors, values);
	return json_array_size(*errors) == before;
}

bool schema_body_check_or_reply(struct http_req *req, const struct schema *s,
				enum schema_mode mode, json_t **errors)
{
	if (!json_is_object(req->json)) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the request body must be a JSON object");
		return false;
	}
	if (mode == SCHEMA_CHANGE && json_object_size(req->json) == 0) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the body names no field to change");
		return false;
	}
	schema_check(req->json, s, mode, errors);
	return true;
}

bool schema_body_or_reply(struct http_req *req, const struct schema *s, enum schema_mode mode)
{
	json_t *errors = NULL;

	if (!schema_body_check_or_reply(req, s, mode, &errors))
		return false;
	if (!errors)
		return true;
	schema_reply_invalid(req, errors);
	return false;
}

bool schema_errors_name(const json_t *errors, const char *field)
{
	const json_t *e;
	size_t i;

	json_array_foreach(errors, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "field")), field))
			return true;
	return false;
}

bool schema_refuse(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return false;
}

void schema_reply_invalid(struct http_req *req, json_t *errors)
{
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the request body has invalid fields");
}
