/* guard_test.c - unit tests of the guard: who may do what, for which institution */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/auth/principal.h"

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
	GUARD_KPI_RECORD, GUARD_INSTITUTIONS_MANAGE, GUARD_AFFILIATION_MANAGE, GUARD_USERS_READ,
};
static const char *const action_names[] = {
	"PUBLIC", "SIGNED_IN", "METRICS_READ", "TOKENS_MANAGE",
	"ROLES_MANAGE", "ADMINS_MANAGE", "AUDIT_READ", "REPORTS_READ",
	"KPI_RECORD", "INSTITUTIONS_MANAGE", "AFFILIATION_MANAGE", "USERS_READ",
};

static const long long institutions[] = {INST_A, INST_B, GUARD_ANY_INSTITUTION, 0};
static const char *const institution_names[] = {"A", "B", "ANY", "0 (platform-wide)"};

/*
 * The rule book as data: one row per principal, one group per action (in
 * the order of actions[]), one letter per institution (A, B, ANY, 0):
 * A = GUARD_ALLOW, U = GUARD_UNAUTHENTICATED, F = GUARD_FORBIDDEN.
 *
 *                 PUBLIC SIGNED METRIC TOKENS ROLES  ADMINS AUDIT  REPORTS KPI
 *                 INSTITUTIONS AFFILIATION USERS
 */
static const struct {
	enum who who;
	const char *expect;
} decide_table[] = {
	{W_VISITOR,         "AAAA UUUU UUUU UUUU UUUU UUUU UUUU UUUU UUUU UUUU UUUU UUUU"},
	{W_NO_ROLES,        "AAAA AAAA FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF"},
	{W_LEARNER,         "AAAA AAAA FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF"},
	{W_INSTRUCTOR_A,    "AAAA AAAA FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF FFFF"},
	{W_ADMIN_A,         "AAAA AAAA FFFF AFAF AFAF FFFF AFAF AFAF AFAF FFFF AFAF AFAF"},
	{W_ADMIN_B,         "AAAA AAAA FFFF FAAF FAAF FFFF FAAF FAAF FAAF FFFF FAAF FAAF"},
	{W_ADMIN_AB,        "AAAA AAAA FFFF AAAF AAAF FFFF AAAF AAAF AAAF FFFF AAAF AAAF"},
	{W_PLATFORM,        "AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA AAAA"},
	{W_TOKEN_A_REPORTS, "AAAA FFFF FFFF FFFF FFFF FFFF FFFF AFAF FFFF FFFF FFFF FFFF"},
	{W_TOKEN_A_AUDIT,   "AAAA FFFF FFFF FFFF FFFF FFFF AFAF FFFF FFFF FFFF FFFF FFFF"},
	{W_TOKEN_A_ALL,     "AAAA FFFF AAAA FFFF FFFF FFFF AFAF AFAF FFFF FFFF FFFF FFFF"},
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

/* Writing a course's content: its institution's admins and whoever teaches
 * one of its sections; a learner of the course, an instructor elsewhere, a
 * token never. The route-level check (any institution) lets the signed-in
 * through, to be decided again on the course. */
static void guard_content_author_relations(void **state)
{
	static const struct {
		enum who who;
		bool teaches, enrolled;
		enum guard_decision want, want_any;
	} cases[] = {
		{W_VISITOR, false, false, GUARD_UNAUTHENTICATED, GUARD_UNAUTHENTICATED},
		{W_LEARNER, false, true, GUARD_FORBIDDEN, GUARD_ALLOW},
		{W_INSTRUCTOR_A, true, false, GUARD_ALLOW, GUARD_ALLOW},
		{W_INSTRUCTOR_A, false, false, GUARD_FORBIDDEN, GUARD_ALLOW},
		{W_ADMIN_A, false, false, GUARD_ALLOW, GUARD_ALLOW},
		{W_ADMIN_B, false, false, GUARD_FORBIDDEN, GUARD_ALLOW},
		{W_PLATFORM, false, false, GUARD_ALLOW, GUARD_ALLOW},
		{W_TOKEN_A_ALL, true, false, GUARD_FORBIDDEN, GUARD_FORBIDDEN},
	};

	(void)state;
	for (size_t i = 0; i < NELEMS(cases); i++) {
		struct guard_target t = {.institution_id = INST_A,
					 .teaches = cases[i].teaches,
					 .enrolled = cases[i].enrolled};
		struct principal p;

		build(cases[i].who, &p);
		if (guard_decide_target(&p, GUARD_CONTENT_AUTHOR, &t) != cases[i].want)
			fail_msg("GUARD_CONTENT_AUTHOR for %s (teaches %d): expected %c",
				 who_names[cases[i].who], cases[i].teaches,
				 decision_letter(cases[i].want));
		t.institution_id = GUARD_ANY_INSTITUTION;
		if (guard_decide_target(&p, GUARD_CONTENT_AUTHOR, &t) != cases[i].want_any)
			fail_msg("GUARD_CONTENT_AUTHOR for %s at any institution: expected %c",
				 who_names[cases[i].who], decision_letter(cases[i].want_any));
	}
}

/* An institution's schedule: its admins and platform admins; an admin of
 * another institution, an instructor, a learner, a token never. At route
 * level (any institution) any admin passes, to be judged on the id. */
static void guard_institution_schedule(void **state)
{
	static const struct {
		enum who who;
		char a, b, any;
	} cases[] = {
		{W_VISITOR, 'U', 'U', 'U'},     {W_LEARNER, 'F', 'F', 'F'},
		{W_INSTRUCTOR_A, 'F', 'F', 'F'}, {W_ADMIN_A, 'A', 'F', 'A'},
		{W_ADMIN_B, 'F', 'A', 'A'},     {W_ADMIN_AB, 'A', 'A', 'A'},
		{W_PLATFORM, 'A', 'A', 'A'},    {W_TOKEN_A_ALL, 'F', 'F', 'F'},
		{W_TOKEN_A_REPORTS, 'F', 'F', 'F'},
	};
	struct principal p;

	(void)state;
	for (size_t i = 0; i < NELEMS(cases); i++) {
		char got[4];

		build(cases[i].who, &p);
		got[0] = decision_letter(guard_decide(&p, GUARD_INSTITUTION_SCHEDULE_READ, INST_A));
		got[1] = decision_letter(guard_decide(&p, GUARD_INSTITUTION_SCHEDULE_READ, INST_B));
		got[2] = decision_letter(
			guard_decide(&p, GUARD_INSTITUTION_SCHEDULE_READ, GUARD_ANY_INSTITUTION));
		got[3] = '\0';
		if (got[0] != cases[i].a || got[1] != cases[i].b || got[2] != cases[i].any)
			fail_msg("GUARD_INSTITUTION_SCHEDULE_READ for %s: expected %c%c%c, got %s",
				 who_names[cases[i].who], cases[i].a, cases[i].b, cases[i].any, got);
	}
	assert_int_equal(guard_action_scope(GUARD_INSTITUTION_SCHEDULE_READ), 0);
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
		{GUARD_INSTITUTIONS_MANAGE, 0},
		{GUARD_AFFILIATION_MANAGE, 0},
		{GUARD_USERS_READ, 0},
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guard_decide_matrix),
		cmocka_unit_test(guard_content_author_relations),
		cmocka_unit_test(guard_institution_schedule),
		cmocka_unit_test(guard_decide_ignores_leftovers_of_nobody),
		cmocka_unit_test(guard_default_institution_cases),
		cmocka_unit_test(guard_scopes_and_actions),
		cmocka_unit_test(guard_scope_grant_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
