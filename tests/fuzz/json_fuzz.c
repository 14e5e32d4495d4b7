/* json_fuzz.c - fuzz target: JSON bodies through the depth scan, jansson and field checks */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "lms/http/request.h"
#include "lms/http/schema.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The stack of the server's worker threads, fixed when Debian built
 * CivetWeb (app/http/server.c): a body must parse and validate within it. */
#define WORKER_STACK_BYTES (100 * 1024)

/* Every type and option a route's field table uses. */
static const struct schema_field fields[] = {
	{"email", SCHEMA_STRING, .required = true, .max_bytes = 254},
	{"password", SCHEMA_STRING, .required = true, .max_bytes = 1024},
	{"display_name", SCHEMA_STRING, .required = false},
	{"locale", SCHEMA_STRING, .nullable = true, .max_bytes = 8},
	{"institution_id", SCHEMA_INT, .nullable = true},
	{"published", SCHEMA_BOOL, .required = false},
	{"tags", SCHEMA_ARRAY, .required = false},
	{"detail", SCHEMA_OBJECT, .nullable = true},
};

struct body {
	const char *text;
	size_t len;
};

/* Nesting of arrays and objects in v: 0 for a scalar, 1 for [] or {}. */
static int depth_of(json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;
	int deepest = 0;

	if (json_is_object(v)) {
		json_object_foreach(v, key, item) {
			int d = depth_of(item);
			deepest = d > deepest ? d : deepest;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			int d = depth_of(item);
			deepest = d > deepest ? d : deepest;
		}
	} else {
		return 0;
	}
	return deepest + 1;
}

/* What a worker does with a body the depth scan let through. */
static void parse_body(const struct body *b)
{
	json_error_t jerr;
	json_t *json = json_loadb(b->text, b->len, JSON_REJECT_DUPLICATES, &jerr), *errors = NULL;

	if (!json) {
		FUZZ_CHECK(json_error_code(&jerr) != json_error_stack_overflow);
		return;
	}
	FUZZ_CHECK(depth_of(json) <= HTTP_JSON_MAX_DEPTH);
	if (json_is_object(json)) {
		bool ok = schema_check(json, &(const struct schema)SCHEMA_OF(fields), SCHEMA_CREATE,
				       &errors);
		size_t i;
		json_t *e;

		FUZZ_CHECK(ok == (errors == NULL));
		FUZZ_CHECK(ok || json_array_size(errors) > 0);
		json_array_foreach(errors, i, e) {
			FUZZ_CHECK(json_is_string(json_object_get(e, "field")));
			FUZZ_CHECK(json_is_string(json_object_get(e, "message")));
		}
		json_decref(errors);
	}
	json_decref(json);
}

/*
 * One worker thread with the server's stack size parses every body the
 * scan lets through (a thread per input would cost a millisecond each
 * under ASan): the fuzzer's thread hands it a body and waits.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static const struct body *pending;

static void *worker(void *arg)
{
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!pending)
			pthread_cond_wait(&changed, &lock);
		parse_body(pending);
		pending = NULL;
		pthread_cond_signal(&changed);
	}
	return NULL;
}

static void worker_start(void)
{
	pthread_attr_t attr;
	pthread_t t;

	FUZZ_CHECK(pthread_attr_init(&attr) == 0);
	FUZZ_CHECK(pthread_attr_setstacksize(&attr, WORKER_STACK_BYTES) == 0);
	FUZZ_CHECK(pthread_create(&t, &attr, worker, NULL) == 0);
	pthread_attr_destroy(&attr);
}

static void parse_on_worker(const struct body *b)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, worker_start);
	pthread_mutex_lock(&lock);
	pending = b;
	pthread_cond_signal(&changed);
	while (pending)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct body b = {(const char *)data, size};
	json_t *json;

	if (http_json_depth_ok(b.text, b.len, HTTP_JSON_MAX_DEPTH)) {
		parse_on_worker(&b);
		return 0;
	}
	/* The scan refused it: as JSON (on this thread's large stack) it must
	 * really be too deep, or the scan turned away a valid body. */
	if ((json = json_loadb(b.text, b.len, JSON_REJECT_DUPLICATES, NULL))) {
		FUZZ_CHECK(depth_of(json) > HTTP_JSON_MAX_DEPTH);
		json_decref(json);
	}
	return 0;
}
