/* auth_test.c - unit tests of pure auth logic: guard rules, roles, accounts, secrets */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lms/auth/account.h"
#include "lms/auth/guard.h"
#include "lms/auth/principal.h"
#include "lms/auth/secret.h"
#include "lms/auth/session_store.h"
#include "lms/core/err.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define INST_A 11LL
#define INST_B 22LL

/* ---- guard_decide ---- */

/* Who is asking, built by hand the way session_store / token_store fill a
 * principal. */
enum who {
	W_VISITOR,
	W_NO_ROLES,       /* a user with no role rows at all */
	W_LEARNER,
	W_INSTRUCTOR_A,
	W_ADMIN_A,
	W_ADMIN_B,
	W_ADMIN_AB,       /* institution admin of both A and B */
	W_PLATFORM,
	W_TOKEN_A_REPORTS,
	W_TOKEN_A_AUDIT,
	W_TOKEN_A_ALL,    /* every scope, and (wrongly) a platform_admin role row */
	NWHO
};

static const char *const who_names[NWHO] = {
	[W_VISITOR] = "visitor",
	[W_NO_ROLES] = "user without roles",
	[W_LEARNER] = "learner",
	[W_INSTRUCTOR_A] = "instructor@A",
	[W_ADMIN_A] = "institution_admin@A",
	[W_ADMIN_B] = "institution_admin@B",
	[W_ADMIN_AB] = "institution_admin@A+B",
	[W_PLATFORM] = "platform_admin",
	[W_TOKEN_A_REPORTS] = "token@A reports:read",
	[W_TOKEN_A_AUDIT] = "token@A audit:read",
	[W_TOKEN_A_ALL] = "token@A all scopes",
};

static void add_role(struct principal *p, enum role role, long long inst)
{
	p->roles[p->nroles].role = role;
	p->roles[p->nroles].institution_id = inst;
	p->nroles++;
}

static void make_token(struct principal *p, unsigned scopes)
{
	p->kind = PRINCIPAL_TOKEN;
	p->token_id = 7;
	p->token_institution_id = INST_A;
	p->scopes = scopes;
}

static void build(enum who w, struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->identified = true;
	p->kind = PRINCIPAL_USER;
	p->user_id = 100 + (long long)w;
	p->session_id = 200 + (long long)w;
	switch (w) {
	case W_VISITOR:
		p->kind = PRINCIPAL_NONE;
		p->user_id = p->session_id = 0;
		break;
	case W_NO_ROLES:
		break;
	case W_LEARNER:
		add_role(p, ROLE_LEARNER, 0);
		break;
	case W_INSTRUCTOR_A:
		add_role(p, ROLE_LEARNER, 0);
		add_role(p, ROLE_INSTRUCTOR, INST_A);
		break;
	case W_ADMIN_A:
		add_role(p, ROLE_LEARNER, 0);
		add_role(p, ROLE_INSTITUTION_ADMIN, INST_A);
		break;
	case W_ADMIN_B:
		add_role(p, ROLE_INSTITUTION_ADMIN, INST_B);
		break;
	case W_ADMIN_AB:
		add_role(p, ROLE_INSTITUTION_ADMIN, INST_A);
		add_role(p, ROLE_INSTRUCTOR, INST_B);
		add_role(p, ROLE_INSTITUTION_ADMIN, INST_B);
		break;
	case W_PLATFORM:
		add_role(p, ROLE_PLATFORM_ADMIN, 0);
		break;
	case W_TOKEN_A_REPORTS:
		make_token(p, SCOPE_REPORTS_READ);
		break;
	case W_TOKEN_A_AUDIT:
		make_token(p, SCOPE_AUDIT_READ);
		break;
	case W_TOKEN_A_ALL:
		make_token(p, SCOPE_REPORTS_READ | SCOPE_AUDIT_READ | SCOPE_METRICS_READ);
		/* A token never acts on roles, whatever the struct holds. */
		add_role(p, ROLE_PLATFORM_ADMIN, 0);
		add_role(p, ROLE_INSTITUTION_ADMIN, INST_A);
		break;
	case NWHO:
		break;
	}
	if (p->kind != PRINCIPAL_TOKEN)
		p->token_id = p->token_institution_id = 0;
	if (p->kind == PRINCIPAL_TOKEN)
		p->user_id = p->session_id = 0;
}

static const enum guard_action actions[] = {
	GUARD_PUBLIC, GUARD_SIGNED_IN, GUARD_METRICS_READ, GUARD_TOKENS_MANAGE,
	GUARD_ROLES_MANAGE, GUARD_ADMINS_MANAGE, GUARD_AUDIT_READ, GUARD_REPORTS_READ,
	GUARD_KPI_RECORD,
};
static const char *const action_names[] = {
	"PUBLIC", "SIGNED_IN", "METRICS_READ", "TOKENS_MANAGE",
	"ROLES_MANAGE", "ADMINS_MANAGE", "AUDIT_READ", "REPORTS_READ",
	"KPI_RECORD",
};

static const long long institutions[] = {INST_A, INST_B, GUARD_ANY_INSTITUTION, 0};
static const char *const institution_names[] = {"A", "B", "ANY", "0 (platform-wide)"};

/*
 * The rule book as data: one row per principal, one group per action (in
 * the order of actions[]), one letter per institution (A, B, ANY, 0):
 * A = GUARD_ALLOW, U = GUARD_UNAUTHENTICATED, F = GUARD_FORBIDDEN.
 *
 *                 PUBLIC SIGNED METRIC TOKENS ROLES  ADMINS AUDIT  REPORTS KPI
 */
static const struct {
	enum who who;
	const char *expect;
} decide_table[] = {
	{W_VISITOR,         "AAAA UUUU UUUU UUUU UUUU UUUU UUUU UUUU UUUU"},
	{W_NO_ROLES,        "AAAA AAAA FFFF FFFF FFFF FFFF FFFF FFFF FFFF"},
	{W_LEARNER,         "AAAA AAAA FFFF FFFF FFFF FFFF FFFF FFFF FFFF"},
	{W_INSTRUCTOR_A,    "AAAA AAAA FFFF FFFF FFFF FFFF FFFF FFFF FFFF"},
	{W_ADMIN_A,         "AAAA AAAA FFFF AFAF AFAF FFFF AFAF AFAF AFAF"},
	{W_ADMIN_B,         "AAAA AAAA FFFF FAAF FAAF FFFF FAAF FAAF FAAF"},
	{W_ADMIN_AB,        "AAAA AAAA FFFF AAAF AAAF FFFF AAAF AAAF AAAF"},
	{W_PLATFORM,        "AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA"},
	{W_TOKEN_A_REPORTS, "AAAA FFFF FFFF FFFF FFFF FFFF FFFF AFAF FFFF"},
	{W_TOKEN_A_AUDIT,   "AAAA FFFF FFFF FFFF FFFF FFFF AFAF FFFF FFFF"},
	{W_TOKEN_A_ALL,     "AAAA FFFF AAAA FFFF FFFF FFFF AFAF AFAF FFFF"},
};

static char decision_letter(enum guard_decision d)
{
	switch (d) {
	case GUARD_ALLOW: return 'A';
	case GUARD_UNAUTHENTICATED: return 'U';
	case GUARD_FORBIDDEN: return 'F';
	}
	return '?';
}

static void guard_decide_matrix(void **state)
{
	bool seen[NWHO] = {false};
	int mismatches = 0, checked = 0;

	(void)state;
	assert_int_equal(NELEMS(actions), NELEMS(action_names));
	for (size_t r = 0; r < NELEMS(decide_table); r++) {
		const char *e = decide_table[r].expect;
		struct principal p;

		assert_false(seen[decide_table[r].who]);
		seen[decide_table[r].who] = true;
		/* 4 letters and a space per action, no space after the last. */
		assert_int_equal(strlen(e), NELEMS(actions) * 5 - 1);
		build(decide_table[r].who, &p);
		for (size_t a = 0; a < NELEMS(actions); a++) {
			for (size_t i = 0; i < NELEMS(institutions); i++) {
				char want = e[a * 5 + i];
				char got = decision_letter(
					guard_decide(&p, actions[a], institutions[i]));

				checked++;
				if (got != want) {
					print_error("guard_decide(%s, GUARD_%s, %s): "
						    "expected %c, got %c\n",
						    who_names[decide_table[r].who],
						    action_names[a], institution_names[i], want,
						    got);
					mismatches++;
				}
			}
		}
	}
	for (int w = 0; w < NWHO; w++)
		if (!seen[w])
			fail_msg("decide_table has no row for %s", who_names[w]);
	if (mismatches)
		fail_msg("%d of %d guard decisions differ from the table", mismatches, checked);
}

/* A visitor who happens to carry stale fields is still nobody. */
static void guard_decide_ignores_leftovers_of_nobody(void **state)
{
	struct principal p;

	(void)state;
	build(W_PLATFORM, &p);
	p.kind = PRINCIPAL_NONE;
	p.scopes = SCOPE_METRICS_READ | SCOPE_AUDIT_READ;
	for (size_t a = 1; a < NELEMS(actions); a++)
		assert_int_equal(guard_decide(&p, actions[a], INST_A), GUARD_UNAUTHENTICATED);
	assert_int_equal(guard_decide(&p, GUARD_PUBLIC, 0), GUARD_ALLOW);
}

static void guard_default_institution_cases(void **state)
{
	static const struct {
		enum who who;
		long long expect;
	} cases[] = {
		{W_VISITOR, 0},       {W_NO_ROLES, 0},     {W_LEARNER, 0},
		{W_INSTRUCTOR_A, 0},  {W_ADMIN_A, INST_A}, {W_ADMIN_B, INST_B},
		{W_ADMIN_AB, 0},      {W_PLATFORM, 0},     {W_TOKEN_A_REPORTS, INST_A},
		{W_TOKEN_A_AUDIT, INST_A}, {W_TOKEN_A_ALL, INST_A},
	};
	struct principal p;

	(void)state;
	for (size_t i = 0; i < NELEMS(cases); i++) {
		build(cases[i].who, &p);
		if (guard_default_institution(&p) != cases[i].expect)
			fail_msg("guard_default_institution(%s): expected %lld, got %lld",
				 who_names[cases[i].who], cases[i].expect,
				 guard_default_institution(&p));
	}

	/* The same institution listed twice is still one. */
	build(W_ADMIN_A, &p);
	add_role(&p, ROLE_INSTITUTION_ADMIN, INST_A);
	assert_int_equal(guard_default_institution(&p), INST_A);
	/* An instructor role elsewhere does not make it ambiguous. */
	add_role(&p, ROLE_INSTRUCTOR, INST_B);
	assert_int_equal(guard_default_institution(&p), INST_A);
}

static void guard_scopes_and_actions(void **state)
{
	static const struct {
		enum guard_action action;
		unsigned scope;
	} cases[] = {
		{GUARD_PUBLIC, 0},
		{GUARD_SIGNED_IN, 0},
		{GUARD_METRICS_READ, SCOPE_METRICS_READ},
		{GUARD_TOKENS_MANAGE, 0},
		{GUARD_ROLES_MANAGE, 0},
		{GUARD_ADMINS_MANAGE, 0},
		{GUARD_AUDIT_READ, SCOPE_AUDIT_READ},
		{GUARD_REPORTS_READ, SCOPE_REPORTS_READ},
		{GUARD_KPI_RECORD, 0},
	};
	static const enum scope all[] = {SCOPE_REPORTS_READ, SCOPE_AUDIT_READ, SCOPE_METRICS_READ};

	(void)state;
	for (size_t i = 0; i < NELEMS(cases); i++)
		if (guard_action_scope(cases[i].action) != cases[i].scope)
			fail_msg("guard_action_scope(%s): expected %u, got %u", action_names[i],
				 cases[i].scope, guard_action_scope(cases[i].action));
	assert_int_equal(guard_scope_action(SCOPE_REPORTS_READ), GUARD_REPORTS_READ);
	assert_int_equal(guard_scope_action(SCOPE_AUDIT_READ), GUARD_AUDIT_READ);
	assert_int_equal(guard_scope_action(SCOPE_METRICS_READ), GUARD_METRICS_READ);
	/* Round trip both ways. */
	for (size_t i = 0; i < NELEMS(all); i++)
		assert_int_equal(guard_action_scope(guard_scope_action(all[i])), all[i]);
	/* Something that is no single scope maps to the strictest action, one
	 * only a platform admin may grant. */
	assert_int_equal(guard_scope_action((enum scope)0), GUARD_ADMINS_MANAGE);
	assert_int_equal(guard_scope_action((enum scope)(1 << 7)), GUARD_ADMINS_MANAGE);
	assert_int_equal(guard_scope_action((enum scope)(SCOPE_REPORTS_READ | SCOPE_AUDIT_READ)),
			 GUARD_ADMINS_MANAGE);
}

/* What a token's creator may grant: an institution admin reports and audit
 * of their own institution, never metrics; a platform admin everything. */
static void guard_scope_grant_rules(void **state)
{
	static const enum scope all[] = {SCOPE_REPORTS_READ, SCOPE_AUDIT_READ, SCOPE_METRICS_READ};
	struct principal admin_a, platform;

	(void)state;
	build(W_ADMIN_A, &admin_a);
	build(W_PLATFORM, &platform);
	assert_int_equal(guard_decide(&admin_a, guard_scope_action(SCOPE_REPORTS_READ), INST_A),
			 GUARD_ALLOW);
	assert_int_equal(guard_decide(&admin_a, guard_scope_action(SCOPE_AUDIT_READ), INST_A),
			 GUARD_ALLOW);
	assert_int_equal(guard_decide(&admin_a, guard_scope_action(SCOPE_METRICS_READ), INST_A),
			 GUARD_FORBIDDEN);
	assert_int_equal(guard_decide(&admin_a, guard_scope_action(SCOPE_REPORTS_READ), INST_B),
			 GUARD_FORBIDDEN);
	for (size_t i = 0; i < NELEMS(all); i++)
		assert_int_equal(guard_decide(&platform, guard_scope_action(all[i]), INST_B),
				 GUARD_ALLOW);
}

/* ---- principal ---- */

static void principal_has_role_cases(void **state)
{
	struct principal p;

	(void)state;
	build(W_ADMIN_A, &p);
	assert_true(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, INST_A));
	assert_true(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, 0));
	assert_false(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, INST_B));
	assert_true(principal_has_role(&p, ROLE_LEARNER, 0));
	assert_false(principal_has_role(&p, ROLE_PLATFORM_ADMIN, 0));
	assert_false(principal_has_role(&p, ROLE_INSTRUCTOR, 0));

	/* Roles count for users only. */
	build(W_TOKEN_A_ALL, &p);
	assert_false(principal_has_role(&p, ROLE_PLATFORM_ADMIN, 0));
	assert_false(principal_has_role(&p, ROLE_INSTITUTION_ADMIN, INST_A));
	build(W_PLATFORM, &p);
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

/* ---- account field rules ---- */

static void email_rules(void **state)
{
	char local64[65], local65[66], buf[100], long254[300], long255[300];
	static const char *const good[] = {
		"a@b.co",
		"learner@example.com",
		"First.Last+tag@sub.example.co.kr",
		"김학습@example.com",
		"x_y-z@my-host.example",
	};
	static const struct {
		const char *email, *problem; /* a part of the expected message */
	} bad[] = {
		{"", "3 to 254"},
		{"a@", "3 to 254"},
		{"has space@example.com", "spaces"},
		{"tab\there@example.com", "control"},
		{"nl\n@example.com", "control"},
		{"del\x7f@example.com", "control"},
		{"\"quoted\"@example.com", "quotes"},
		{"a,b@example.com", "commas"},
		{"a;b@example.com", "spaces"},
		{"<a@example.com>", "angle"},
		{"a\\b@example.com", "spaces"},
		{"a@b@example.com", "one @"},
		{"noat.example.com", "one @"},
		{"@example.com", "one @"},
		{"user@localhost", "domain"},
		{"user@.example.com", "domain"},
		{"user@-example.com", "domain"},
		{"user@example.com.", "domain"},
		{"user@example..com", "domain"},
		{"user@", "domain"},
	};

	(void)state;
	for (size_t i = 0; i < NELEMS(good); i++) {
		const char *p = account_email_problem(good[i]);
		if (p)
			fail_msg("account_email_problem(\"%s\") refused it: %s", good[i], p);
	}
	for (size_t i = 0; i < NELEMS(bad); i++) {
		const char *p = account_email_problem(bad[i].email);
		if (!p)
			fail_msg("account_email_problem(\"%s\") accepted it", bad[i].email);
		if (!strstr(p, bad[i].problem))
			fail_msg("account_email_problem(\"%s\") = \"%s\", expected it to "
				 "mention %s",
				 bad[i].email, p, bad[i].problem);
	}

	/* 64 bytes before the @ are fine, 65 are not. */
	memset(local64, 'a', 64);
	local64[64] = '\0';
	memset(local65, 'a', 65);
	local65[65] = '\0';
	snprintf(buf, sizeof(buf), "%s@example.com", local64);
	assert_null(account_email_problem(buf));
	snprintf(buf, sizeof(buf), "%s@example.com", local65);
	assert_non_null(account_email_problem(buf));
	assert_non_null(strstr(account_email_problem(buf), "64 bytes"));
	/* 22 Korean syllables are 66 bytes: the limit is bytes. */
	assert_non_null(account_email_problem("가나다라마바사아자차카타파하"
					      "가나다라마바사아@example.com"));

	/* 254 bytes in all are fine, 255 are not. */
	memset(long254, 0, sizeof(long254));
	memset(long254, 'a', 64);
	long254[64] = '@';
	memset(long254 + 65, 'b', 254 - 65 - 4);
	memcpy(long254 + 250, ".com", 5);
	assert_int_equal(strlen(long254), 254);
	assert_null(account_email_problem(long254));
	memset(long255, 0, sizeof(long255));
	memset(long255, 'a', 64);
	long255[64] = '@';
	memset(long255 + 65, 'b', 255 - 65 - 4);
	memcpy(long255 + 251, ".com", 5);
	assert_int_equal(strlen(long255), 255);
	assert_non_null(account_email_problem(long255));
	assert_non_null(strstr(account_email_problem(long255), "3 to 254"));
}

static void display_name_rules(void **state)
{
	char ko[101 * 3 + 1], ascii[102];

	(void)state;
	assert_null(account_display_name_problem("김학습"));
	assert_null(account_display_name_problem("A"));
	assert_null(account_display_name_problem(" padded name "));
	assert_string_equal(account_display_name_problem(""), "must not be empty");
	assert_string_equal(account_display_name_problem("   "), "must not be empty");
	assert_non_null(strstr(account_display_name_problem("a\tb"), "control"));
	assert_non_null(strstr(account_display_name_problem("a\nb"), "control"));
	assert_non_null(strstr(account_display_name_problem("\x1b[31mred"), "control"));
	assert_non_null(strstr(account_display_name_problem("del\x7f"), "control"));

	/* 100 characters, not bytes: 100 Korean syllables (300 bytes) pass,
	 * 101 do not. */
	for (int i = 0; i < 101; i++)
		memcpy(ko + 3 * i, "가", 3);
	ko[300] = '\0';
	assert_null(account_display_name_problem(ko));
	memcpy(ko + 300, "가", 3);
	ko[303] = '\0';
	assert_non_null(strstr(account_display_name_problem(ko), "100"));

	memset(ascii, 'x', 101);
	ascii[100] = '\0';
	assert_null(account_display_name_problem(ascii));
	ascii[100] = 'x';
	ascii[101] = '\0';
	assert_non_null(account_display_name_problem(ascii));
}

static void stage_and_locale(void **state)
{
	static const char *const stages[] = {
		"preschool", "elementary", "middle", "high", "undergraduate", "graduate",
		"worker", "job_seeker", "public_servant", "general",
	};
	static const char *const not_stages[] = {
		"", "Worker", "worker ", "job-seeker", "student", "preschool,worker", "generals",
	};
	static const char *const not_locales[] = {"", "KO", "En", "ja", "en-US", "ko_KR", "kor"};

	(void)state;
	for (size_t i = 0; i < NELEMS(stages); i++)
		if (!account_stage_valid(stages[i]))
			fail_msg("account_stage_valid(\"%s\") refused it", stages[i]);
	for (size_t i = 0; i < NELEMS(not_stages); i++)
		if (account_stage_valid(not_stages[i]))
			fail_msg("account_stage_valid(\"%s\") accepted it", not_stages[i]);
	assert_true(account_locale_valid("ko"));
	assert_true(account_locale_valid("en"));
	for (size_t i = 0; i < NELEMS(not_locales); i++)
		if (account_locale_valid(not_locales[i]))
			fail_msg("account_locale_valid(\"%s\") accepted it", not_locales[i]);
}

static void email_fold(void **state)
{
	char out[64];

	(void)state;
	account_email_fold("Learner@Example.COM", out, sizeof(out));
	assert_string_equal(out, "learner@example.com");
	account_email_fold("김학습@EXAMPLE.com", out, sizeof(out));
	assert_string_equal(out, "김학습@example.com");
	account_email_fold("", out, sizeof(out));
	assert_string_equal(out, "");
	/* Bounded by len, always terminated. */
	account_email_fold("ABCDEFGH", out, 6);
	assert_string_equal(out, "abcde");
	account_email_fold("ABC", out, 1);
	assert_string_equal(out, "");
}

/* ---- secrets ---- */

static bool b64url_alphabet(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	       strlen(s);
}

static void token_new(void **state)
{
	char a[64], b[64], small[4 + SECRET_B64_LEN];

	(void)state;
	assert_int_equal(secret_token_new("lms_", a, sizeof(a)), 0);
	assert_int_equal(secret_token_new("lms_", b, sizeof(b)), 0);
	assert_int_equal(strlen(a), 4 + SECRET_B64_LEN);
	assert_int_equal(strncmp(a, "lms_", 4), 0);
	assert_true(b64url_alphabet(a + 4));
	assert_string_not_equal(a, b);

	assert_int_equal(secret_token_new("", a, SECRET_B64_LEN + 1), 0);
	assert_int_equal(strlen(a), SECRET_B64_LEN);
	assert_true(b64url_alphabet(a));

	/* One byte short of room for the terminator. */
	assert_int_equal(secret_token_new("lms_", small, sizeof(small)), LMS_EINVAL);
	assert_int_equal(secret_token_new("", a, SECRET_B64_LEN), LMS_EINVAL);
}

/* FIPS 180-2 examples. */
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void sha256_known_answers(void **state)
{
	char hex[SECRET_HEX_LEN + 1];

	(void)state;
	secret_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, SHA256_ABC);
	secret_sha256_hex("", 0, hex);
	assert_string_equal(hex, SHA256_EMPTY);
	/* Length counts, not the terminator. */
	secret_sha256_hex("abcdef", 3, hex);
	assert_string_equal(hex, SHA256_ABC);
}

static void hmac_known_answer(void **state)
{
	char a[SECRET_B64_LEN + 1], b[SECRET_B64_LEN + 1];

	(void)state;
	/* RFC 4231 test case 2, in base64url. */
	secret_hmac_b64url("Jefe", "what do ya want for nothing?", a);
	assert_string_equal(a, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
	secret_hmac_b64url("Jefe", "what do ya want for nothing?", b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), SECRET_B64_LEN);

	secret_hmac_b64url("key", "message", a);
	assert_int_equal(strlen(a), 43);
	assert_true(b64url_alphabet(a));
	secret_hmac_b64url("key2", "message", b);
	assert_string_not_equal(a, b);
	secret_hmac_b64url("key", "message2", b);
	assert_string_not_equal(a, b);
}

static void equal_cases(void **state)
{
	(void)state;
	assert_true(secret_equal("abc", "abc"));
	assert_true(secret_equal("", ""));
	assert_false(secret_equal("abc", "abd"));
	assert_false(secret_equal("abc", "xbc"));
	assert_false(secret_equal("abc", "abcd"));
	assert_false(secret_equal("abcd", "abc"));
	assert_false(secret_equal("", "a"));
	assert_false(secret_equal(NULL, "abc"));
	assert_false(secret_equal("abc", NULL));
	assert_false(secret_equal(NULL, NULL));
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
	assert_true(b64url_alphabet(c1));
	/* Not the session token itself, nor its digest's start. */
	assert_string_not_equal(c1, t1);
	assert_true(secret_equal(c1, c1b));
	assert_false(secret_equal(c1, c2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guard_decide_matrix),
		cmocka_unit_test(guard_decide_ignores_leftovers_of_nobody),
		cmocka_unit_test(guard_default_institution_cases),
		cmocka_unit_test(guard_scopes_and_actions),
		cmocka_unit_test(guard_scope_grant_rules),
		cmocka_unit_test(principal_has_role_cases),
		cmocka_unit_test(role_names_round_trip),
		cmocka_unit_test(scope_names_round_trip),
		cmocka_unit_test(roles_parse_cases),
		cmocka_unit_test(roles_parse_at_most_max),
		cmocka_unit_test(email_rules),
		cmocka_unit_test(display_name_rules),
		cmocka_unit_test(stage_and_locale),
		cmocka_unit_test(email_fold),
		cmocka_unit_test(token_new),
		cmocka_unit_test(sha256_known_answers),
		cmocka_unit_test(hmac_known_answer),
		cmocka_unit_test(equal_cases),
		cmocka_unit_test(csrf_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
