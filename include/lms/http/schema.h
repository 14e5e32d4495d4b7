/* schema.h - request bodies as data: one schema per endpoint, one checker
 * that names every bad field */
#ifndef LMS_HTTP_SCHEMA_H
#define LMS_HTTP_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct http_req;
struct schema_field;

/* The JSON type of a field, and for some what they hold. */
enum schema_type {
	SCHEMA_STRING,
	SCHEMA_INT,
	SCHEMA_BOOL,
	SCHEMA_ARRAY,
	SCHEMA_OBJECT,
	SCHEMA_ID,        /* an integer id: 1 or more */
	SCHEMA_IDS,       /* an array of at most max integer ids */
	SCHEMA_DATE,      /* a string: a date YYYY-MM-DD that exists (datetime.h) */
	SCHEMA_TIMESTAMP, /* a string: an RFC 3339 time with an offset (datetime.h) */
	SCHEMA_HTTPS_URL, /* a string: an https:// link of at most max bytes, no
			   * spaces or control characters */
};

/* Which bodies a field belongs to: a create's, a change's or both. */
enum schema_use {
	SCHEMA_BOTH,
	SCHEMA_CREATE_ONLY,
	SCHEMA_CHANGE_ONLY,
};

/*
 * A further check of a value of field f that has the right type and
 * passed the bounds: false with why not (lower case, "must be ...") in msg
 * (len bytes) when it is not acceptable. A function type, so that checks
 * are declared by it: "schema_check_fn my_check;".
 */
typedef bool schema_check_fn(const struct schema_field *f, const json_t *v, char *msg,
			     size_t len);

/*
 * One field of a body. Bounds apply when min or max is not 0 and the field
 * has no check of its own (which then reads them itself): to a string's
 * characters (a string with min > 0 must not be blank either), an
 * integer's value, an array of ids' length (max). A string holds at most
 * max_bytes bytes, checked before anything else is read of it (0: four
 * bytes a character of max, or 1000 without a character bound; a date 32,
 * a timestamp 64, a link max).
 */
struct schema_field {
	const char *name;
	enum schema_type type;
	bool required;             /* in a create; a change may leave anything out */
	bool nullable;             /* JSON null is accepted (and means "none") */
	enum schema_use use;
	long long min, max;
	size_t max_bytes;
	const char *const *values; /* strings: the values allowed, NULL-terminated */
	schema_check_fn *check;    /* NULL, or a check of its own after the bounds */
	const char *message;       /* NULL, or what a value outside the bounds is told
				    * ("must be the id of a user") */
};

/* The fields of one endpoint's body. */
struct schema {
	const struct schema_field *fields;
	size_t nfields;
};

#define SCHEMA_OF(f) {(f), sizeof(f) / sizeof((f)[0])}

/* What a body is for: creating (every required field) or changing (any
 * of them, at least one). */
enum schema_mode {
	SCHEMA_CREATE,
	SCHEMA_CHANGE,
};

/*
 * Checks the JSON object obj against s for mode and appends
 * {"field", "message"} to *errors (an array, created when NULL) for every
 * bad field: first each unknown field, missing required field, null that
 * may not be, wrong type, string too long in bytes or holding a NUL; then,
 * for each field that passed those, its bounds, values and own check, in
 * the order of s. Returns true when it added nothing.
 */
bool schema_check(const json_t *obj, const struct schema *s, enum schema_mode mode,
		  json_t **errors);

/*
 * Whether v, of f's type, is within f's bounds and values and passes its
 * check; writes why not into msg (len bytes) when it is not (for values
 * that come from elsewhere than a body, such as a query string).
 */
bool schema_value_ok(const struct schema_field *f, const json_t *v, char *msg, size_t len);

/*
 * Checks req->json against s for mode. Replies 400 invalid_request when
 * the body is not a JSON object (or, for a change, names no field) and
 * 400 validation_failed naming every bad field, and returns false then.
 */
bool schema_body_or_reply(struct http_req *req, const struct schema *s, enum schema_mode mode);

/*
 * The same for a handler with checks of its own that need more than one
 * field or the request: replies (and returns false) only when the body is
 * not a JSON object or names nothing to change; otherwise appends every bad
 * field to *errors (an array, created when needed) and returns true, for
 * the handler to add its own and reply once with them all.
 */
bool schema_body_check_or_reply(struct http_req *req, const struct schema *s,
				enum schema_mode mode, json_t **errors);

/* Whether errors (may be NULL) already names field: its own checks are
 * then skipped, so that each field is named once. */
bool schema_errors_name(const json_t *errors, const char *field);

/* Writes why a value is refused (printf-style) into msg (len bytes) and
 * returns false: the end of a check that refuses. */
bool schema_refuse(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Replies 400 validation_failed with errors (steals the reference): the
 * answer to a request whose fields fail a check of the handler's own. */
void schema_reply_invalid(struct http_req *req, json_t *errors);

#endif
