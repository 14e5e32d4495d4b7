/* principal_test.c - unit tests of principals: roles held, role and scope names */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lms/auth/principal.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define INST_A 11LL
#define INST_B 22LL

/* A signed-in user holding the n roles, as session_store fills one. */
static void user_of(struct principal *p, int n, const struct principal_role *roles)
{
	memset(p, 0, sizeof(*p));
	p->identified = true;
	p->kind = PRINCIPAL_USER;
	p->user_id = 100;
	p->session_id = 200;
	p->nroles = n;
	memcpy(p->roles, roles, (size_t)n * sizeof(*roles));
}

/* An API token of institution A with scopes, as token_store fills one. */
static void token_of(struct principal *p, unsigned scopes)
{
	memset(p, 0, sizeof(*p));
	p->identified = true;
	p->kind = PRINCIPAL_TOKEN;
	p->token_id = 7;
	p->token_institution_id = INST_A;
	p->scopes = scopes;
}

static void principal_has_role_cases(void **state)
{
	struct principal p;

	(void)state;
	user_of(&p, 2,
		(const struct principal_role[]){{ROLE_LEARNER, 0}, {ROLE_INSTITUTION_ADMIN, INST_A}});
	assert_true(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, INST_A));
	assert_true(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, 0));
	assert_false(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, INST_B));
	assert_true(principal_has_role(&p, ROLE_LEARNER, 0));
	assert_false(principal_has_role(&p, ROLE_PLATFORM_ADMIN, 0));
	assert_false(principal_has_role(&p, ROLE_INSTRUCTOR, 0));

	/* Roles count for users only. */
	token_of(&p, SCOPE_REPORTS_READ | SCOPE_AUDIT_READ | SCOPE_METRICS_READ);
	/* A token never acts on roles, whatever the struct holds. */
	p.nroles = 2;
	p.roles[0] = (struct principal_role){ROLE_PLATFORM_ADMIN, 0};
	p.roles[1] = (struct principal_role){ROLE_INSTITUTION_ADMIN, INST_A};
	assert_false(principal_has_role(&p, ROLE_PLATFORM_ADMIN, 0));
	assert_false(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, INST_A));
	user_of(&p, 1, (const struct principal_role[]){{ROLE_PLATFORM_ADMIN, 0}});
	p.kind = PRINCIPAL_NONE;
	assert_false(principal_has_role(&p, ROLE_PLATFORM_ADMIN, 0));
}

static void role_names_round_trip(void **state)
{
	static const struct {
		enum role role;
		const char *name;
	} roles[] = {
		{ROLE_LEARNER, "learner"},
		{ROLE_INSTRUCTOR, "instructor"},
		{ROLE_INSTITUTION_ADMIN, "institution_admin"},
		{ROLE_PLATFORM_ADMIN, "platform_admin"},
	};
	static const char *const bad[] = {
		"", "Learner", "LEARNER", "learner ", " learner", "admin", "platform-admin",
		"institution_admin:5", "instructors", "?",
	};

	(void)state;
	for (size_t i = 0; i < NELEMS(roles); i++) {
		enum role out = (enum role)99;

		assert_string_equal(role_name(roles[i].role), roles[i].name);
		assert_true(role_parse(roles[i].name, &out));
		assert_int_equal(out, roles[i].role);
		assert_true(role_parse(role_name(roles[i].role), &out));
		assert_int_equal(out, roles[i].role);
	}
	for (size_t i = 0; i < NELEMS(bad); i++) {
		enum role out = ROLE_INSTRUCTOR;

		if (role_parse(bad[i], &out))
			fail_msg("role_parse(\"%s\") accepted it", bad[i]);
		assert_int_equal(out, ROLE_INSTRUCTOR); /* untouched */
	}
	assert_string_equal(role_name((enum role)99), "?");
	assert_string_equal(role_name((enum role)-1), "?");
}

static void scope_names_round_trip(void **state)
{
	static const struct {
		enum scope scope;
		const char *name;
	} scopes[] = {
		{SCOPE_REPORTS_READ, "reports:read"},
		{SCOPE_AUDIT_READ, "audit:read"},
		{SCOPE_METRICS_READ, "metrics:read"},
	};
	static const char *const bad[] = {
		"", "reports", "REPORTS:READ", "reports:write", "reports:read ", "audit:*",
		"metrics:read,audit:read", "?",
	};

	(void)state;
	for (size_t i = 0; i < NELEMS(scopes); i++) {
		assert_string_equal(scope_name(scopes[i].scope), scopes[i].name);
		assert_int_equal(scope_parse(scopes[i].name), scopes[i].scope);
		assert_int_equal(scope_parse(scope_name(scopes[i].scope)), scopes[i].scope);
	}
	for (size_t i = 0; i < NELEMS(bad); i++)
		if (scope_parse(bad[i]) != 0)
			fail_msg("scope_parse(\"%s\") = %u, expected 0", bad[i],
				 scope_parse(bad[i]));
	assert_string_equal(scope_name((enum scope)0), "?");
	assert_string_equal(scope_name((enum scope)(SCOPE_REPORTS_READ | SCOPE_AUDIT_READ)), "?");
	/* Distinct bits. */
	assert_int_equal(SCOPE_REPORTS_READ & SCOPE_AUDIT_READ, 0);
	assert_int_equal(SCOPE_AUDIT_READ & SCOPE_METRICS_READ, 0);
	assert_int_equal(SCOPE_REPORTS_READ & SCOPE_METRICS_READ, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(principal_has_role_cases),
		cmocka_unit_test(role_names_round_trip),
		cmocka_unit_test(scope_names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
