/* routes_test.c - unit tests for the route table matcher */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lms/api/routes.h"

static const struct route *lookup(const char *path, unsigned method, unsigned *allow,
				  struct http_req *req)
{
	memset(req, 0, sizeof(*req));
	req->path = (char *)path;
	return routes_match(api_routes(), req, method, allow);
}

static void exact_paths_match(void **state)
{
	struct http_req req;
	unsigned allow;
	const struct route *r = lookup("/healthz", HTTP_GET, &allow, &req);

	assert_non_null(r);
	assert_string_equal(r->pattern, "/healthz");
	assert_true(allow & HTTP_GET);
	assert_true(allow & HTTP_HEAD);
	/* GET routes answer HEAD too */
	assert_ptr_equal(lookup("/healthz", HTTP_HEAD, &allow, &req), r);
}

static void wrong_method_reports_allow(void **state)
{
	struct http_req req;
	unsigned allow;

	assert_null(lookup("/healthz", HTTP_POST, &allow, &req));
	assert_int_equal(allow, HTTP_GET | HTTP_HEAD);
}

static void unknown_paths_allow_nothing(void **state)
{
	struct http_req req;
	unsigned allow;

	assert_null(lookup("/healthz/extra", HTTP_GET, &allow, &req));
	assert_int_equal(allow, 0);
	assert_null(lookup("/healthzz", HTTP_GET, &allow, &req));
	assert_null(lookup("/", HTTP_GET, &allow, &req));
	assert_null(lookup("", HTTP_GET, &allow, &req));
	assert_int_equal(allow, 0);
}

static void every_pattern_is_well_formed(void **state)
{
	for (size_t i = 0; i < api_routes()->count; i++) {
		const struct route *r = &api_routes()->routes[i];
		assert_int_equal(r->pattern[0], '/');
		assert_non_null(r->handler);
		assert_true(r->methods != 0);
		assert_int_equal(routes_index(api_routes(), r), i);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(api_routes()->routes[j].pattern, r->pattern))
				assert_int_equal(api_routes()->routes[j].methods & r->methods, 0);
	}
}

static void parameters_take_one_segment(void **state)
{
	struct http_req req = {0};

	assert_true(routes_pattern_match("/api/v1/courses/{id}", "/api/v1/courses/42", &req));
	assert_int_equal(req.nparams, 1);
	assert_string_equal(req.params[0], "42");
	assert_true(routes_pattern_match("/a/{x}/b/{y}", "/a/1/b/two", &req));
	assert_int_equal(req.nparams, 2);
	assert_string_equal(req.params[0], "1");
	assert_string_equal(req.params[1], "two");
	assert_false(routes_pattern_match("/api/v1/courses/{id}", "/api/v1/courses/", &req));
	assert_false(routes_pattern_match("/api/v1/courses/{id}", "/api/v1/courses/4/x", &req));
	assert_false(routes_pattern_match("/api/v1/courses/{id}", "/api/v1/courses", &req));
	assert_false(routes_pattern_match("/api/v1/courses", "/api/v1/courses/", &req));
	assert_false(routes_pattern_match("/a/{x}", "/a//", &req));
}

static void method_names(void **state)
{
	char buf[64];

	assert_int_equal(http_method_bit("PATCH"), HTTP_PATCH);
	assert_int_equal(http_method_bit("get"), 0);
	assert_int_equal(http_method_bit("BREW"), 0);
	http_methods_format(HTTP_GET | HTTP_HEAD | HTTP_DELETE, buf, sizeof(buf));
	assert_string_equal(buf, "GET, HEAD, DELETE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_paths_match),
		cmocka_unit_test(wrong_method_reports_allow),
		cmocka_unit_test(unknown_paths_allow_nothing),
		cmocka_unit_test(every_pattern_is_well_formed),
		cmocka_unit_test(parameters_take_one_segment),
		cmocka_unit_test(method_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
