/* session_store_test.c - unit tests of what sessions hold without a database:
 * roles read back from their text form, CSRF tokens */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lms/auth/principal.h"
#include "lms/auth/secret.h"
#include "lms/auth/session_store.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define B64URL_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static void roles_parse_cases(void **state)
{
	struct principal p;

	(void)state;
	memset(&p, 0, sizeof(p));
	session_roles_parse(&p, "learner:0,institution_admin:5,platform_admin:0");
	assert_int_equal(p.nroles, 3);
	assert_int_equal(p.roles[0].role, ROLE_LEARNER);
	assert_int_equal(p.roles[0].institution_id, 0);
	assert_int_equal(p.roles[1].role, ROLE_INSTITUTION_ADMIN);
	assert_int_equal(p.roles[1].institution_id, 5);
	assert_int_equal(p.roles[2].role, ROLE_PLATFORM_ADMIN);
	assert_int_equal(p.roles[2].institution_id, 0);
	p.kind = PRINCIPAL_USER;
	assert_true(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, 5));
	assert_false(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, 6));

	/* Empty and NULL: no roles, and earlier roles are forgotten. */
	session_roles_parse(&p, "");
	assert_int_equal(p.nroles, 0);
	p.nroles = 3;
	session_roles_parse(&p, NULL);
	assert_int_equal(p.nroles, 0);

	/* Garbage gives no roles. */
	static const char *const garbage[] = {
		"xyz", "learner", "learner:", ":5", "LEARNER:0", "learner;0", ",learner:0",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1", "12:34", " learner:0",
		"platform admin:0",
	};
	for (size_t i = 0; i < NELEMS(garbage); i++) {
		p.nroles = 9;
		session_roles_parse(&p, garbage[i]);
		if (p.nroles != 0)
			fail_msg("session_roles_parse(\"%s\") gave %d roles", garbage[i], p.nroles);
	}

	/* An unknown role name is skipped; parsing goes on. */
	session_roles_parse(&p, "learner:0,bogus:3,instructor:7");
	assert_int_equal(p.nroles, 2);
	assert_int_equal(p.roles[1].role, ROLE_INSTRUCTOR);
	assert_int_equal(p.roles[1].institution_id, 7);

	/* Garbage after good entries stops there, keeping what came before. */
	session_roles_parse(&p, "instructor:4,institution_admin:x,platform_admin:0");
	assert_int_equal(p.nroles, 1);
	assert_int_equal(p.roles[0].role, ROLE_INSTRUCTOR);
	assert_int_equal(p.roles[0].institution_id, 4);
	session_roles_parse(&p, "instructor:4;platform_admin:0");
	assert_int_equal(p.nroles, 1);
}

static void roles_parse_at_most_max(void **state)
{
	char text[4096];
	size_t used = 0;
	struct principal p;

	(void)state;
	memset(&p, 0, sizeof(p));
	/* PRINCIPAL_MAX_ROLES + 8 entries: the rest is dropped, never written
	 * past the array. */
	for (int i = 1; i <= PRINCIPAL_MAX_ROLES + 8; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%sinstructor:%d",
					 i > 1 ? "," : "", i);
	assert_true(used < sizeof(text));
	session_roles_parse(&p, text);
	assert_int_equal(p.nroles, PRINCIPAL_MAX_ROLES);
	for (int i = 0; i < PRINCIPAL_MAX_ROLES; i++) {
		assert_int_equal(p.roles[i].role, ROLE_INSTRUCTOR);
		assert_int_equal(p.roles[i].institution_id, i + 1);
	}

	/* Exactly PRINCIPAL_MAX_ROLES fit. */
	used = 0;
	for (int i = 1; i <= PRINCIPAL_MAX_ROLES; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%sinstitution_admin:%d",
					 i > 1 ? "," : "", i);
	session_roles_parse(&p, text);
	assert_int_equal(p.nroles, PRINCIPAL_MAX_ROLES);
	assert_int_equal(p.roles[PRINCIPAL_MAX_ROLES - 1].institution_id, PRINCIPAL_MAX_ROLES);
}

static void csrf_token(void **state)
{
	char t1[SECRET_B64_LEN + 1], t2[SECRET_B64_LEN + 1];
	char c1[SECRET_B64_LEN + 1], c1b[SECRET_B64_LEN + 1], c2[SECRET_B64_LEN + 1];

	(void)state;
	assert_int_equal(secret_token_new("", t1, sizeof(t1)), 0);
	assert_int_equal(secret_token_new("", t2, sizeof(t2)), 0);
	session_csrf_token(t1, c1);
	session_csrf_token(t1, c1b);
	session_csrf_token(t2, c2);
	assert_string_equal(c1, c1b);
	assert_string_not_equal(c1, c2);
	assert_int_equal(strlen(c1), SECRET_B64_LEN);
	assert_int_equal(strspn(c1, B64URL_ALPHABET), strlen(c1));
	/* Not the session token itself, nor its digest's start. */
	assert_string_not_equal(c1, t1);
	assert_true(secret_equal(c1, c1b));
	assert_false(secret_equal(c1, c2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_parse_cases),
		cmocka_unit_test(roles_parse_at_most_max),
		cmocka_unit_test(csrf_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
