/* guard_test.c - integration: who may call which protected endpoint, as a table */
/*
 * Extend this table whenever an endpoint is added: a new protected route
 * gets a row in endpoints[] with the status every actor must get. The loop
 * checks every (actor, endpoint) pair, the problem code of each refusal and,
 * for changes, that a refused request changed nothing.
 */
#include "harness.h"

#include "lms/api/routes.h"
#include "lms/auth/guard.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB_NAME "it_guard"
#define PASSWORD "demo-pass-2026"
#define TARGET_EMAIL "guard-target@example.com"
#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- actors (rows of the matrix) ---- */

enum actor {
	VISITOR,        /* no credentials */
	LEARNER,
	INSTRUCTOR,     /* instructor at A */
	ADMIN_A,        /* institution_admin of A (GIST) */
	ADMIN_B,        /* institution_admin of B (Chonnam, jnu) */
	PLATFORM,       /* platform_admin */
	TOKEN_AUDIT,    /* API token of A with audit:read */
	TOKEN_REPORTS,  /* API token of A with reports:read only */
	TOKEN_METRICS,  /* API token of A with metrics:read (a platform admin made it) */
	NACTORS
};

static const struct {
	const char *name;  /* column label */
	const char *email; /* session actors */
} actor_info[NACTORS] = {
	[VISITOR] = {"visitor", NULL},
	[LEARNER] = {"learner", "learner@example.com"},
	[INSTRUCTOR] = {"instructor", "instructor@example.com"},
	[ADMIN_A] = {"admin_A", "gist-admin@example.com"},
	[ADMIN_B] = {"admin_B", "chonnam-admin@example.com"},
	[PLATFORM] = {"platform", "admin@example.com"},
	[TOKEN_AUDIT] = {"tok_audit", NULL},
	[TOKEN_REPORTS] = {"tok_reports", NULL},
	[TOKEN_METRICS] = {"tok_metrics", NULL},
};

/* ---- endpoints (columns of the matrix) ---- */

/* What must exist before a row runs, so rows do not depend on each other. */
enum prep {
	PREP_NONE,
	PREP_OWN_SESSION, /* a session actor signs in afresh and uses that session */
	PREP_TOKEN_A,     /* gist-admin makes a fresh token of A: {TOKEN} */
	PREP_TOKEN_B,     /* chonnam-admin makes a fresh token of B: {TOKEN} */
	PREP_ROLE_ABSENT, /* the platform admin revokes the body's role first and after */
	PREP_ROLE_HELD,   /* the platform admin grants the body's role first, revokes after */
	PREP_PROFILE_ABSENT, /* {TARGET} has no instructor profile or role, before and after */
	PREP_SHARE_ABSENT,   /* {INSTRUCTOR} is not shared with {C}, before and after */
	PREP_SHARE_HELD,     /* {INSTRUCTOR} is shared with {C} before, not after */
	PREP_KPI_OUTPUT_B,   /* a fresh KPI output of B (a regional centre): {KPI} */
};

/*
 * Templates may name {A} and {B} (institution ids), {TARGET} (a user that
 * is none of the actors, whose roles are granted and revoked), {TOKEN} (the
 * token a PREP_TOKEN_* made), {ROW} (unique per request), {LESSON} and
 * {ATTACHMENT} (course content of A, see content_setup), {COURSE},
 * {SECTION} and {MODULE} (the lesson's), {ENROLLMENT} (the learner's in
 * {SECTION}, whose enrolment window has closed and which has started),
 * {INSTRUCTOR} (the instructor actor: home A, shared with B), {C} (a third
 * institution), {FACILITY} (a room of A) and {SESSION} (a held session of
 * {SECTION}, see session_setup).
 *
 * effect_sql, when set, is a count that must be effect_allowed after a 2xx
 * and effect_refused after a refusal.
 */
struct endpoint {
	const char *method;
	const char *path;
	const char *body;
	enum prep prep;
	int expect[NACTORS];
	const char *effect_sql;
	int effect_allowed, effect_refused;
};

#define ROLE_BODY(role, inst) \
	"{\"user_id\": {TARGET}, \"role\": \"" role "\"" inst "}"
#define ROLE_COUNT(role, inst_cond)                                                    \
	"SELECT count(*) FROM user_roles WHERE user_id = {TARGET} AND role = '" role "'" \
	" AND " inst_cond

#define COURSE_BODY(inst)                                                              \
	"{\"institution_id\": " inst ", \"program\": \"online\", \"code\": \"guard-{ROW}\","   \
	" \"title_ko\": \"권한 {ROW}\", \"title_en\": \"Guard {ROW}\", \"delivery\": \"online\"}"
#define COURSE_COUNT "SELECT count(*) FROM courses WHERE code = 'guard-{ROW}'"

/* expect[] is in actor order: visitor learner instructor admin_A admin_B platform
 * tok_audit tok_reports tok_metrics */
static const struct endpoint endpoints[] = {
	{"GET", "/api/v1/me", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/auth/logout", NULL, PREP_OWN_SESSION,
	 {401, 204, 204, 204, 204, 204, 403, 403, 403}, NULL, 0, 0},
	/* 400: the guard lets a session through and the too-short new password
	 * is refused before anything is looked at or changed (a real change
	 * would end the actor's other sessions, the fixture's among them). */
	{"POST", "/api/v1/me/password",
	 "{\"current_password\": \"not-checked-2026\", \"new_password\": \"short\"}", PREP_NONE,
	 {401, 400, 400, 400, 400, 400, 403, 403, 403}, NULL, 0, 0},
	/* Mail: every actor's address is verified already (409); settings are
	 * one's own; failed mail and resets of others are platform-wide. */
	{"POST", "/api/v1/me/email/verification", NULL, PREP_NONE,
	 {401, 409, 409, 409, 409, 409, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/me/notifications", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"PUT", "/api/v1/me/notifications", "{\"notifications\": {\"session.cancelled\": true}}",
	 PREP_NONE, {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/users/{TARGET}/password-reset", NULL, PREP_NONE,
	 {401, 403, 403, 403, 403, 202, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/mail/failed", NULL, PREP_NONE,
	 {401, 403, 403, 403, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/mail/987654321/retry", NULL, PREP_NONE,
	 {401, 403, 403, 403, 403, 404, 403, 403, 403}, NULL, 0, 0},

	/* Accounts: one's own profile, for sessions only (changes refused by
	 * their bodies, after the guard let them through). */
	{"GET", "/api/v1/me/profile", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"PATCH", "/api/v1/me", "{\"ladder_stage\": \"wizard\"}", PREP_NONE,
	 {401, 400, 400, 400, 400, 400, 403, 403, 403}, NULL, 0, 0},
	{"DELETE", "/api/v1/me", "{\"password\": 5}", PREP_NONE,
	 {401, 400, 400, 400, 400, 400, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/me/export", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/me/instructor-invitations", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"PATCH", "/api/v1/instructor-invitations/987654321", "{\"status\": \"declined\"}",
	 PREP_NONE, {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	/* Institutions are the operating committee's; domains and claims each
	 * institution's admins'; the directory any admin's, scoped. */
	{"POST", "/api/v1/institutions",
	 "{\"code\": \"guard_{ROW}\", \"kind\": \"company\", \"name_ko\": \"권한 {ROW}\","
	 " \"name_en\": \"Guard {ROW}\"}",
	 PREP_NONE, {401, 403, 403, 403, 403, 201, 403, 403, 403},
	 "SELECT count(*) FROM institutions WHERE code = 'guard_{ROW}'", 1, 0},
	{"GET", "/api/v1/institutions/{A}/domains", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/institutions/{A}/domains", "{\"domain\": \"g{ROW}.guard.example\"}",
	 PREP_NONE, {401, 403, 403, 201, 403, 201, 403, 403, 403},
	 "SELECT count(*) FROM institution_domains WHERE domain = 'g{ROW}.guard.example'", 1, 0},
	{"DELETE", "/api/v1/institutions/{A}/domains/none.guard.example", NULL, PREP_NONE,
	 {401, 403, 403, 404, 403, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/institutions/{A}/affiliation-claims", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"PATCH", "/api/v1/affiliation-claims/987654321", "{\"status\": \"approved\"}", PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/users", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/users?institution_id={A}", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"PUT", "/api/v1/instructors/{INSTRUCTOR}/home", "{\"institution_id\": 987654321}",
	 PREP_NONE, {401, 403, 403, 403, 403, 400, 403, 403, 403}, NULL, 0, 0},

	{"POST", "/api/v1/tokens",
	 "{\"institution_id\": {A}, \"name\": \"guard-{ROW}\", \"scopes\": [\"reports:read\"]}",
	 PREP_NONE, {401, 403, 403, 201, 403, 201, 403, 403, 403},
	 "SELECT count(*) FROM api_tokens WHERE name = 'guard-{ROW}'", 1, 0},
	{"POST", "/api/v1/tokens",
	 "{\"institution_id\": {B}, \"name\": \"guard-{ROW}\", \"scopes\": [\"audit:read\"]}",
	 PREP_NONE, {401, 403, 403, 403, 201, 201, 403, 403, 403},
	 "SELECT count(*) FROM api_tokens WHERE name = 'guard-{ROW}'", 1, 0},
	{"GET", "/api/v1/tokens", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/tokens?institution_id={A}", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/tokens?institution_id={B}", NULL, PREP_NONE,
	 {401, 403, 403, 403, 200, 200, 403, 403, 403}, NULL, 0, 0},
	/* Another institution's token is, to its admins, no token at all. */
	{"DELETE", "/api/v1/tokens/{TOKEN}", NULL, PREP_TOKEN_A,
	 {401, 403, 403, 204, 404, 204, 403, 403, 403},
	 "SELECT count(*) FROM api_tokens WHERE id = {TOKEN} AND revoked_at IS NULL", 0, 1},
	{"DELETE", "/api/v1/tokens/{TOKEN}", NULL, PREP_TOKEN_B,
	 {401, 403, 403, 404, 204, 204, 403, 403, 403},
	 "SELECT count(*) FROM api_tokens WHERE id = {TOKEN} AND revoked_at IS NULL", 0, 1},
	{"DELETE", "/api/v1/tokens/987654321", NULL, PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},

	{"POST", "/api/v1/roles", ROLE_BODY("instructor", ", \"institution_id\": {A}"),
	 PREP_ROLE_ABSENT, {401, 403, 403, 201, 403, 201, 403, 403, 403},
	 ROLE_COUNT("instructor", "institution_id = {A}"), 1, 0},
	{"DELETE", "/api/v1/roles", ROLE_BODY("instructor", ", \"institution_id\": {A}"),
	 PREP_ROLE_HELD, {401, 403, 403, 204, 403, 204, 403, 403, 403},
	 ROLE_COUNT("instructor", "institution_id = {A}"), 0, 1},
	{"POST", "/api/v1/roles", ROLE_BODY("institution_admin", ", \"institution_id\": {B}"),
	 PREP_ROLE_ABSENT, {401, 403, 403, 403, 201, 201, 403, 403, 403},
	 ROLE_COUNT("institution_admin", "institution_id = {B}"), 1, 0},
	{"DELETE", "/api/v1/roles", ROLE_BODY("institution_admin", ", \"institution_id\": {B}"),
	 PREP_ROLE_HELD, {401, 403, 403, 403, 204, 204, 403, 403, 403},
	 ROLE_COUNT("institution_admin", "institution_id = {B}"), 0, 1},
	/* platform_admin: only platform admins grant or revoke it. */
	{"POST", "/api/v1/roles", ROLE_BODY("platform_admin", ""), PREP_ROLE_ABSENT,
	 {401, 403, 403, 403, 403, 201, 403, 403, 403},
	 ROLE_COUNT("platform_admin", "institution_id IS NULL"), 1, 0},
	{"DELETE", "/api/v1/roles", ROLE_BODY("platform_admin", ""), PREP_ROLE_HELD,
	 {401, 403, 403, 403, 403, 204, 403, 403, 403},
	 ROLE_COUNT("platform_admin", "institution_id IS NULL"), 0, 1},

	{"GET", "/api/v1/audit?institution_id={A}", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 200, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/audit?institution_id={B}", NULL, PREP_NONE,
	 {401, 403, 403, 403, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/audit", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 200, 403, 403}, NULL, 0, 0},

	{"GET", "/metrics", NULL, PREP_NONE,
	 {401, 403, 403, 403, 403, 200, 403, 403, 200}, NULL, 0, 0},

	/* Course content: {LESSON} and its file {ATTACHMENT} belong to a
	 * published course of A whose section the instructor teaches and the
	 * learner is enrolled in. An upload is judged before its file is
	 * looked at: those who may upload get 415 for this JSON body. */
	{"GET", "/api/v1/lessons/{LESSON}", NULL, PREP_NONE,
	 {401, 200, 200, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/lessons/987654321", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/lessons/{LESSON}/attachments?filename=guard.txt", "{ }", PREP_NONE,
	 {401, 403, 415, 415, 403, 415, 403, 403, 403},
	 "SELECT count(*) FROM attachments WHERE filename = 'guard.txt'", 0, 0},
	{"POST", "/api/v1/lessons/{LESSON}/complete", NULL, PREP_NONE,
	 {401, 200, 403, 403, 403, 403, 403, 403, 403},
	 "SELECT count(*) FROM lesson_progress WHERE lesson_id = {LESSON} AND user_id <>"
	 " (SELECT id FROM users WHERE email = 'learner@example.com')", 0, 0},
	{"GET", "/api/v1/attachments/{ATTACHMENT}", NULL, PREP_NONE,
	 {401, 200, 200, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},

	/* The catalogue list with drafts: for those who manage A's catalogue. */
	{"GET", "/api/v1/courses?institution_id={A}&include_unpublished=true", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/courses?institution_id={A}&include_unpublished=false", NULL, PREP_NONE,
	 {200, 200, 200, 200, 200, 200, 200, 200, 200}, NULL, 0, 0},

	/* Catalogue changes: {COURSE} (with {SECTION} and {MODULE}) is the
	 * course of the content above. Another institution's admins are told
	 * its course does not exist. */
	{"POST", "/api/v1/courses", COURSE_BODY("{A}"), PREP_NONE,
	 {401, 403, 403, 201, 403, 201, 403, 403, 403}, COURSE_COUNT, 1, 0},
	{"POST", "/api/v1/courses", COURSE_BODY("{B}"), PREP_NONE,
	 {401, 403, 403, 403, 201, 201, 403, 403, 403}, COURSE_COUNT, 1, 0},
	{"PATCH", "/api/v1/courses/{COURSE}", "{\"title_en\": \"Guard course {ROW}\"}", PREP_NONE,
	 {401, 403, 403, 200, 404, 200, 403, 403, 403},
	 "SELECT count(*) FROM courses WHERE id = {COURSE} AND title_en = 'Guard course {ROW}'",
	 1, 0},
	{"PATCH", "/api/v1/courses/987654321", "{\"title_en\": \"Guard\"}", PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/courses/{COURSE}/sections",
	 "{\"term\": \"2027-1\", \"starts_on\": \"2027-03-02\", \"ends_on\": \"2027-06-20\","
	 " \"capacity\": {ROW}, \"enrollment_opens_at\": \"2027-02-01T09:00:00+09:00\","
	 " \"enrollment_closes_at\": \"2027-02-20T18:00:00+09:00\"}",
	 PREP_NONE, {401, 403, 403, 201, 404, 201, 403, 403, 403},
	 "SELECT count(*) FROM sections WHERE course_id = {COURSE} AND capacity = {ROW}", 1, 0},
	{"PATCH", "/api/v1/sections/{SECTION}", "{\"capacity\": {ROW}}", PREP_NONE,
	 {401, 403, 403, 200, 404, 200, 403, 403, 403},
	 "SELECT count(*) FROM sections WHERE id = {SECTION} AND capacity = {ROW}", 1, 0},
	/* A course's content is written by its institution's admins and the
	 * instructors of its sections (the instructor teaches {SECTION});
	 * to anyone else signed in it is not there. */
	{"POST", "/api/v1/courses/{COURSE}/modules",
	 "{\"position\": 9, \"title_ko\": \"권한\", \"title_en\": \"Guard {ROW}\"}", PREP_NONE,
	 {401, 404, 201, 201, 404, 201, 403, 403, 403},
	 "SELECT count(*) FROM course_modules WHERE title_en = 'Guard {ROW}'", 1, 0},
	{"PATCH", "/api/v1/modules/{MODULE}", "{\"title_en\": \"Week 1 {ROW}\"}", PREP_NONE,
	 {401, 404, 200, 200, 404, 200, 403, 403, 403},
	 "SELECT count(*) FROM course_modules WHERE id = {MODULE} AND title_en = 'Week 1 {ROW}'",
	 1, 0},
	{"POST", "/api/v1/modules/{MODULE}/lessons",
	 "{\"position\": 9, \"title_ko\": \"권한\", \"title_en\": \"Guard {ROW}\","
	 " \"kind\": \"text\"}",
	 PREP_NONE, {401, 404, 201, 201, 404, 201, 403, 403, 403},
	 "SELECT count(*) FROM lessons WHERE title_en = 'Guard {ROW}'", 1, 0},
	{"PATCH", "/api/v1/lessons/{LESSON}", "{\"title_en\": \"Lesson {ROW}\"}", PREP_NONE,
	 {401, 404, 200, 200, 404, 200, 403, 403, 403},
	 "SELECT count(*) FROM lessons WHERE id = {LESSON} AND title_en = 'Lesson {ROW}'", 1, 0},

	/* Enrolment: {ENROLLMENT} is the learner's in {SECTION}, which has
	 * started and whose window has closed, so the permitted calls meet the
	 * rules after the guard (409) and change nothing. Someone else's
	 * enrolment is not there for those unrelated to it (404). */
	{"POST", "/api/v1/sections/{SECTION}/enrollments", NULL, PREP_NONE,
	 {401, 409, 409, 409, 409, 409, 403, 403, 403},
	 "SELECT count(*) FROM enrollments WHERE section_id = {SECTION}", 1, 1},
	{"GET", "/api/v1/enrollments/{ENROLLMENT}", NULL, PREP_NONE,
	 {401, 200, 200, 200, 404, 200, 403, 403, 403}, NULL, 0, 0},
	{"DELETE", "/api/v1/enrollments/{ENROLLMENT}", NULL, PREP_NONE,
	 {401, 409, 404, 404, 404, 404, 403, 403, 403},
	 "SELECT count(*) FROM enrollments WHERE id = {ENROLLMENT} AND status = 'enrolled'", 1, 1},
	{"PATCH", "/api/v1/enrollments/{ENROLLMENT}", "{\"status\": \"rejected\"}", PREP_NONE,
	 {401, 403, 403, 409, 404, 409, 403, 403, 403},
	 "SELECT count(*) FROM enrollments WHERE id = {ENROLLMENT} AND status = 'enrolled'", 1, 1},

	/* Reading enrolments: one's own, and {SECTION}'s roster (of A, taught
	 * by the instructor; the learner is on it). */
	{"GET", "/api/v1/me/enrollments", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	/* Certificates: one's own; a section's for its institution's admins;
	 * who signs an institution's, and its seal (a JSON body is no PNG:
	 * 415 for those who may upload one). */
	{"GET", "/api/v1/me/certificates", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/sections/{SECTION}/certificates", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/sections/{SECTION}/certificates.zip", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/institutions/{A}/certificate-issuer", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"PATCH", "/api/v1/institutions/{A}/certificate-issuer",
	 "{\"signatory_name_en\": \"Guard {ROW}\"}", PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403},
	 "SELECT count(*) FROM certificate_issuers WHERE signatory_name_en = 'Guard {ROW}'", 1, 0},
	{"PUT", "/api/v1/institutions/{A}/certificate-seal", "{ }", PREP_NONE,
	 {401, 403, 403, 415, 403, 415, 403, 403, 403}, NULL, 0, 0},
	{"DELETE", "/api/v1/institutions/{A}/certificate-seal", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/sections/{SECTION}/roster", NULL, PREP_NONE,
	 {401, 403, 200, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/sections/987654321/roster", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	/* An institution's enrolments: its admins (their own by default), the
	 * platform admin (all by default); sessions only. */
	{"GET", "/api/v1/enrollments", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/enrollments?institution_id={A}&status=enrolled", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/enrollments?institution_id={B}", NULL, PREP_NONE,
	 {401, 403, 403, 403, 200, 200, 403, 403, 403}, NULL, 0, 0},

	/* Instructors and facilities: A's admins manage A's; B, a partner the
	 * instructor is shared with, manages none of them. */
	{"POST", "/api/v1/instructors", "{\"user_id\": {TARGET}, \"institution_id\": {A}}",
	 PREP_PROFILE_ABSENT, {401, 403, 403, 201, 403, 201, 403, 403, 403},
	 "SELECT count(*) FROM instructors WHERE user_id = {TARGET}", 1, 0},
	{"PATCH", "/api/v1/instructors/{INSTRUCTOR}", "{\"bio_en\": \"Guard {ROW}\"}", PREP_NONE,
	 {401, 403, 200, 200, 403, 200, 403, 403, 403},
	 "SELECT count(*) FROM instructors WHERE bio_en = 'Guard {ROW}'", 1, 0},
	{"PATCH", "/api/v1/instructors/987654321", "{\"bio_en\": \"Guard\"}", PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/instructors/{INSTRUCTOR}/shares", "{\"institution_id\": {C}}",
	 PREP_SHARE_ABSENT, {401, 403, 403, 201, 403, 201, 403, 403, 403},
	 "SELECT count(*) FROM instructor_shares WHERE instructor_id = {INSTRUCTOR}"
	 " AND institution_id = {C}", 1, 0},
	{"DELETE", "/api/v1/instructors/{INSTRUCTOR}/shares/{C}", NULL, PREP_SHARE_HELD,
	 {401, 403, 403, 204, 403, 204, 403, 403, 403},
	 "SELECT count(*) FROM instructor_shares WHERE instructor_id = {INSTRUCTOR}"
	 " AND institution_id = {C}", 0, 1},
	{"POST", "/api/v1/facilities",
	 "{\"institution_id\": {A}, \"name_ko\": \"권한 {ROW}\", \"name_en\": \"Guard {ROW}\","
	 " \"kind\": \"lab\", \"capacity\": 10}",
	 PREP_NONE, {401, 403, 403, 201, 403, 201, 403, 403, 403},
	 "SELECT count(*) FROM facilities WHERE name_ko = '권한 {ROW}'", 1, 0},
	{"PATCH", "/api/v1/facilities/{FACILITY}", "{\"name_en\": \"Guard room {ROW}\"}", PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403},
	 "SELECT count(*) FROM facilities WHERE name_en = 'Guard room {ROW}'", 1, 0},
	{"PATCH", "/api/v1/facilities/987654321", "{\"capacity\": 2}", PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/facilities?usable_by={B}", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},

	/* Sessions: {SESSION} of {SECTION} (the instructor teaches it, the
	 * learner is enrolled) has been held. Scheduling the instructor into
	 * its hour again is, for those who may schedule, a conflict. */
	{"POST", "/api/v1/sections/{SECTION}/sessions",
	 "{\"starts_at\": \"2026-03-03T06:30:00+09:00\", \"ends_at\": \"2026-03-03T07:30:00+09:00\","
	 " \"instructor_id\": {INSTRUCTOR}, \"online_url\": \"https://meet.example.com/g{ROW}\"}",
	 PREP_NONE, {401, 403, 409, 409, 403, 409, 403, 403, 403},
	 "SELECT count(*) FROM class_sessions WHERE section_id = {SECTION}", 1, 1},
	/* A recurring class over {SESSION}'s hour: the same people may, and
	 * the clash refuses the whole series. */
	{"POST", "/api/v1/sections/{SECTION}/session-series",
	 "{\"weekdays\": [\"tue\"], \"start_time\": \"06:30\", \"end_time\": \"07:30\","
	 " \"starts_on\": \"2026-03-03\", \"ends_on\": \"2026-03-10\","
	 " \"instructor_id\": {INSTRUCTOR}, \"online_url\": \"https://meet.example.com/s{ROW}\"}",
	 PREP_NONE, {401, 403, 409, 409, 403, 409, 403, 403, 403},
	 "SELECT count(*) FROM class_session_series WHERE section_id = {SECTION}", 0, 0},
	{"GET", "/api/v1/session-series/987654321", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/sessions/{SESSION}", NULL, PREP_NONE,
	 {401, 200, 200, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/sessions/987654321", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	/* A section's sessions: whoever may read one of them. */
	{"GET", "/api/v1/sections/{SECTION}/sessions", NULL, PREP_NONE,
	 {401, 200, 200, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/sections/987654321/sessions", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"PATCH", "/api/v1/sessions/{SESSION}", "{\"status\": \"scheduled\"}", PREP_NONE,
	 {401, 403, 200, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"PATCH", "/api/v1/sessions/987654321", "{\"status\": \"cancelled\"}", PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"PUT", "/api/v1/sessions/{SESSION}/attendance",
	 "[{\"enrollment_id\": {ENROLLMENT}, \"present\": true}]", PREP_NONE,
	 {401, 403, 200, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	/* Reading it is reading a roster: not for its learners. */
	{"GET", "/api/v1/sessions/{SESSION}/attendance", NULL, PREP_NONE,
	 {401, 403, 200, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/sessions/987654321/attendance", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/me/sections", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},

	/* Schedules: the instructor's own, its home's (A) and its partner's (B)
	 * admins. The .ics routes are public so that a feed key alone gets in;
	 * without one they judge the caller here like the JSON schedule. */
	{"GET", "/api/v1/instructors/{INSTRUCTOR}/schedule", NULL, PREP_NONE,
	 {401, 403, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/instructors/987654321/schedule", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/instructors/{INSTRUCTOR}/schedule.ics", NULL, PREP_NONE,
	 {401, 403, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/me/calendar.ics", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/me/schedule", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	/* An institution's schedule: its admins and platform admins, never a
	 * token; an admin of another institution is refused whether or not
	 * the id names one. */
	{"GET", "/api/v1/institutions/{A}/schedule", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/institutions/987654321/schedule", NULL, PREP_NONE,
	 {401, 403, 403, 403, 403, 404, 403, 403, 403}, NULL, 0, 0},
	/* Calendar feeds are each user's own; a teaching schedule's only for
	 * instructors. */
	{"POST", "/api/v1/me/calendar-feeds", "{\"kind\": \"learner\"}", PREP_NONE,
	 {401, 201, 201, 201, 201, 201, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/me/calendar-feeds", "{\"kind\": \"instructor\"}", PREP_NONE,
	 {401, 403, 201, 403, 403, 403, 403, 403, 403},
	 "SELECT count(*) FROM calendar_feeds WHERE kind = 'instructor' AND user_id <> {INSTRUCTOR}",
	 0, 0},
	{"GET", "/api/v1/me/calendar-feeds", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"DELETE", "/api/v1/me/calendar-feeds/987654321", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},

	/* The enrolment report: one's own institution (the platform admin:
	 * all, or the one named); another's is 403. */
	{"GET", "/api/v1/reports/enrollments", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 403, 200, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/enrollments?institution_id={A}&format=csv", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 200, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/enrollments?institution_id={B}", NULL, PREP_NONE,
	 {401, 403, 403, 403, 200, 200, 403, 403, 403}, NULL, 0, 0},

	/* Reports: the summary and the KPIs of one's own institution (B,
	 * Chonnam, is a regional centre; A, GIST, is not), and the outputs a
	 * centre records: its admins only, never a token. */
	/* Enrolment by an institution's admin (docs/bulk-enrolment.md): the
	 * admins of the section's institution, judged by the body after the
	 * guard; a bulk file is refused by type before anything is read. */
	{"POST", "/api/v1/sections/{SECTION}/enrollments/on-behalf", "{ }", PREP_NONE,
	 {401, 403, 403, 400, 404, 400, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/sections/{SECTION}/enrollments/bulk", "{ }", PREP_NONE,
	 {401, 403, 403, 415, 404, 415, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/me/invitations", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},

	/* Learning activities (docs/activities.md): {LESSON} is a reading, not
	 * a quiz, an assignment or a video, so whoever may ask at all is told
	 * 404; only its course's authors write activities and completion rules
	 * (admins only the rules), only learners take, submit and watch, and
	 * another institution's admin learns nothing. */
	{"PUT", "/api/v1/lessons/{LESSON}/quiz", "{ }", PREP_NONE,
	 {401, 403, 404, 404, 403, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/lessons/{LESSON}/quiz", NULL, PREP_NONE,
	 {401, 404, 404, 404, 403, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/lessons/{LESSON}/quiz/attempts", NULL, PREP_NONE,
	 {401, 404, 403, 403, 403, 403, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/lessons/{LESSON}/quiz/attempts", NULL, PREP_NONE,
	 {401, 404, 404, 404, 403, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/quiz-attempts/987654321", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/quiz-attempts/987654321/submit", "{ }", PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"PUT", "/api/v1/lessons/{LESSON}/assignment", "{ }", PREP_NONE,
	 {401, 403, 404, 404, 403, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/lessons/{LESSON}/assignment", NULL, PREP_NONE,
	 {401, 404, 404, 404, 403, 404, 403, 403, 403}, NULL, 0, 0},
	{"PUT", "/api/v1/lessons/{LESSON}/submission", "{ }", PREP_NONE,
	 {401, 404, 403, 403, 403, 403, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/lessons/{LESSON}/submission/file?filename=guard.pdf", "{ }", PREP_NONE,
	 {401, 404, 403, 403, 403, 403, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/lessons/{LESSON}/submissions", NULL, PREP_NONE,
	 {401, 404, 404, 404, 403, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/assignment-submissions/987654321", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/assignment-submissions/987654321/file", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"PUT", "/api/v1/assignment-submissions/987654321/grade", "{ }", PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"PUT", "/api/v1/lessons/{LESSON}/video-progress", "{ }", PREP_NONE,
	 {401, 404, 403, 403, 403, 403, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/lessons/{LESSON}/video-progress", NULL, PREP_NONE,
	 {401, 404, 404, 404, 403, 404, 403, 403, 403}, NULL, 0, 0},
	{"PUT", "/api/v1/courses/{COURSE}/completion-rules", "{\"min_grade_pct\": \"x\"}", PREP_NONE,
	 {401, 403, 403, 400, 403, 400, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/enrollments/{ENROLLMENT}/checklist", NULL, PREP_NONE,
	 {401, 200, 200, 200, 404, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/sections/{SECTION}/gradebook", NULL, PREP_NONE,
	 {401, 403, 200, 200, 403, 200, 403, 403, 403}, NULL, 0, 0},

	/* Selection (docs/selection.md): an intake or application that does not
	 * exist is 404 to whoever may ask at all; files are refused by type
	 * before anything is looked up. */
	{"POST", "/api/v1/intakes",
	 "{\"section_id\": 987654321, \"title_ko\": \"가\", \"title_en\": \"A\","
	 " \"opens_at\": \"2026-01-01T00:00:00Z\", \"closes_at\": \"2030-01-01T00:00:00Z\","
	 " \"stages\": [{\"kind\": \"interview\", \"name_ko\": \"면접\", \"name_en\": \"Interview\","
	 " \"rule\": \"pass_fail\"}]}",
	 PREP_NONE, {401, 403, 403, 400, 400, 400, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/intakes/987654321/interviews", "{ }", PREP_NONE,
	 {401, 403, 403, 400, 400, 400, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/intakes/987654321/interviews", NULL, PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/intakes/987654321/interviews/987654321/applicants", "{ }", PREP_NONE,
	 {401, 403, 403, 400, 400, 400, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/intakes/987654321/applications", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/intakes/987654321/applications", "{ }", PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/intakes/987654321/stages/987654321/close", NULL, PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/intakes/987654321/offers", NULL, PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/intakes/987654321/decisions", "{ }", PREP_NONE,
	 {401, 415, 415, 415, 415, 415, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/intakes/987654321/reviewers", NULL, PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/intakes/987654321/reviewers", "{\"user_id\": 1}", PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"DELETE", "/api/v1/intakes/987654321/reviewers/987654321", NULL, PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/me/applications", NULL, PREP_NONE,
	 {401, 200, 200, 200, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/applications/987654321", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"DELETE", "/api/v1/applications/987654321", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/applications/987654321/results",
	 "{\"stage_id\": 1, \"decision\": \"pass\"}", PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/applications/987654321/reject", "{\"reason\": \"guard\"}", PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/applications/987654321/documents?filename=guard.pdf", "{ }", PREP_NONE,
	 {401, 415, 415, 415, 415, 415, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/applications/987654321/documents/987654321", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/applications/987654321/accept", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/applications/987654321/decline", NULL, PREP_NONE,
	 {401, 404, 404, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/program-exclusions", "{\"programs\": [\"online\", \"online\"]}",
	 PREP_NONE, {401, 403, 403, 403, 403, 400, 403, 403, 403}, NULL, 0, 0},
	{"DELETE", "/api/v1/program-exclusions/online/nothing", NULL, PREP_NONE,
	 {401, 403, 403, 403, 403, 404, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/selection-funnel", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 403, 200, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/selection-funnel?institution_id={B}", NULL, PREP_NONE,
	 {401, 403, 403, 403, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/summary", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 403, 200, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/summary?institution_id={B}", NULL, PREP_NONE,
	 {401, 403, 403, 403, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/kpi", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 403, 200, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/kpi?institution_id={B}", NULL, PREP_NONE,
	 {401, 403, 403, 403, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/kpi/trained", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 403, 200, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/kpi/outputs", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 200, 403, 200, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/kpi/outputs?institution_id={B}", NULL, PREP_NONE,
	 {401, 403, 403, 403, 200, 200, 403, 403, 403}, NULL, 0, 0},
	{"POST", "/api/v1/reports/kpi/outputs",
	 "{\"institution_id\": {B}, \"year\": 2025, \"kind\": \"paper\", \"title\": \"Guard {ROW}\","
	 " \"doi\": \"10.1234/guard-{ROW}\"}",
	 PREP_NONE, {401, 403, 403, 403, 201, 201, 403, 403, 403},
	 "SELECT count(*) FROM kpi_outputs WHERE title = 'Guard {ROW}'", 1, 0},
	/* Those who may record for A are told it is no centre. */
	{"POST", "/api/v1/reports/kpi/outputs",
	 "{\"institution_id\": {A}, \"year\": 2025, \"kind\": \"graduate\","
	 " \"title\": \"Guard {ROW}\", \"count\": 1}",
	 PREP_NONE, {401, 403, 403, 400, 403, 400, 403, 403, 403},
	 "SELECT count(*) FROM kpi_outputs WHERE title = 'Guard {ROW}'", 0, 0},
	{"DELETE", "/api/v1/reports/kpi/outputs/{KPI}", NULL, PREP_KPI_OUTPUT_B,
	 {401, 403, 403, 404, 204, 204, 403, 403, 403},
	 "SELECT count(*) FROM kpi_outputs WHERE id = {KPI}", 0, 1},
	{"DELETE", "/api/v1/reports/kpi/outputs/987654321", NULL, PREP_NONE,
	 {401, 403, 403, 404, 404, 404, 403, 403, 403}, NULL, 0, 0},
	/* The OneRoster export of one's own institution; the platform admin
	 * names it (400 otherwise). */
	{"GET", "/api/v1/reports/oneroster", NULL, PREP_NONE,
	 {401, 403, 403, 200, 200, 400, 403, 200, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/oneroster?institution_id={A}", NULL, PREP_NONE,
	 {401, 403, 403, 200, 403, 200, 403, 200, 403}, NULL, 0, 0},
	{"GET", "/api/v1/reports/oneroster?institution_id={B}", NULL, PREP_NONE,
	 {401, 403, 403, 403, 200, 200, 403, 403, 403}, NULL, 0, 0},
};

/* ---- fixture ---- */

struct fixture {
	struct lms_server server;
	char conninfo[1024];
	long long inst_a, inst_b, target_id;
	long long lesson, attachment; /* course content of A */
	long long enrollment;         /* the learner's in {SECTION} */
	long long course, section, module; /* the lesson's */
	long long inst_c, facility;   /* a third institution, a room of A */
	long long session;            /* a held session of {SECTION} */
	struct harness_actor actors[NACTORS];
};

static struct fixture fx;

/* The "code" of a problem+json body into buf ("" when there is none). */
static const char *problem_code(const struct http_result *r, char *buf, size_t len)
{
	json_t *body = json_loads(r->body, 0, NULL);

	snprintf(buf, len, "%s",
		 json_is_string(json_object_get(body, "code"))
			 ? json_string_value(json_object_get(body, "code"))
			 : "");
	json_decref(body);
	return buf;
}

/* An integer member of r's JSON body, 0 when there is none. */
static long long body_ll(const struct http_result *r, const char *name)
{
	json_t *body = json_loads(r->body, 0, NULL);
	long long v = json_integer_value(json_object_get(body, name));

	json_decref(body);
	return v;
}

/*
 * creator makes a token of inst with scopes (a JSON list's inside); fills
 * out->token and returns its id, or -1.
 */
static long long make_token(const struct harness_actor *creator, long long inst,
			    const char *scopes, struct harness_actor *out)
{
	static int n;
	char body[256];
	struct http_result r = {0};
	long long id = -1;
	json_t *j;

	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"name\": \"guard fixture %d\", \"scopes\": [%s]}",
		 inst, ++n, scopes);
	if (harness_as(&fx.server, creator, "POST", "/api/v1/tokens", body, &r) == 0 &&
	    r.status == 201 && (j = json_loads(r.body, 0, NULL))) {
		id = json_integer_value(json_object_get(j, "id"));
		if (out) {
			memset(out, 0, sizeof(*out));
			snprintf(out->token, sizeof(out->token), "%s",
				 json_string_value(json_object_get(j, "token")));
		}
		json_decref(j);
	} else {
		fprintf(stderr, "guard_test: POST /api/v1/tokens %s: %ld %s\n", body, r.status,
			r.body ? r.body : "");
	}
	http_result_release(&r);
	return id;
}

/*
 * Course content of A: a published course with a section the instructor
 * teaches and the learner is enrolled in, a lesson, and a file the
 * instructor uploads. Fills fx.lesson and fx.attachment; returns 0 or -1.
 */
static int content_setup(void)
{
	char sql[1024], path[128], cookie[300], csrf[128];
	const char *headers[] = {cookie, csrf, "Content-Type: text/plain", NULL};
	struct http_result r = {0};
	long long course, section, module;
	int rc = -1;

	snprintf(sql, sizeof(sql),
		 "WITH p AS (INSERT INTO programs (code, name_ko, name_en, allowed_stages)"
		 " VALUES ('online', '온라인 교육', 'Online education', '{worker}')"
		 " ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id)"
		 " INSERT INTO courses (institution_id, program_id, code, title_ko, title_en,"
		 " delivery, published) SELECT %lld, p.id, 'GUARD-CONTENT', '권한 강좌',"
		 " 'Guard course', 'online', true FROM p RETURNING id",
		 fx.inst_a);
	if ((course = harness_sql_ll(fx.conninfo, sql)) <= 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
		 " enrollment_opens_at, enrollment_closes_at, status) VALUES (%lld, '2026-1',"
		 " '2026-03-02', '2026-06-30', 10, '2026-01-01', '2026-03-01', 'open') RETURNING id",
		 course);
	if ((section = harness_sql_ll(fx.conninfo, sql)) <= 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO section_instructors (section_id, user_id) VALUES (%lld, %lld);"
		 " INSERT INTO enrollments (user_id, section_id, status) VALUES (%lld, %lld,"
		 " 'enrolled')",
		 section, fx.actors[INSTRUCTOR].user_id, fx.actors[LEARNER].user_id, section);
	if (harness_sql(fx.conninfo, sql) != 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO course_modules (course_id, position, title_ko, title_en)"
		 " VALUES (%lld, 1, '1주차', 'Week 1') RETURNING id",
		 course);
	if ((module = harness_sql_ll(fx.conninfo, sql)) <= 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO lessons (module_id, position, title_ko, title_en, kind, body_md)"
		 " VALUES (%lld, 1, '강의', 'Lesson', 'text', '# 강의') RETURNING id",
		 module);
	if ((fx.lesson = harness_sql_ll(fx.conninfo, sql)) <= 0)
		return -1;

	snprintf(path, sizeof(path), "/api/v1/lessons/%lld/attachments?filename=guard-fixture.txt",
		 fx.lesson);
	snprintf(cookie, sizeof(cookie), "Cookie: %s", fx.actors[INSTRUCTOR].cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", fx.actors[INSTRUCTOR].csrf);
	if (harness_request_once(&fx.server, "POST", path, headers, "guard fixture", &r) == 0 &&
	    r.status == 201 && (fx.attachment = body_ll(&r, "id")) > 0)
		rc = 0;
	else
		fprintf(stderr, "guard_test: POST %s: %ld %s\n", path, r.status,
			r.body ? r.body : "");
	http_result_release(&r);
	return rc;
}

/* The course, section and module of the content's lesson, which the
 * catalogue rows change. Returns 0 or -1. */
static int catalog_setup(void)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT module_id FROM lessons WHERE id = %lld", fx.lesson);
	fx.module = harness_sql_ll(fx.conninfo, sql);
	snprintf(sql, sizeof(sql), "SELECT course_id FROM course_modules WHERE id = %lld",
		 fx.module);
	fx.course = harness_sql_ll(fx.conninfo, sql);
	snprintf(sql, sizeof(sql), "SELECT min(id) FROM sections WHERE course_id = %lld",
		 fx.course);
	fx.section = harness_sql_ll(fx.conninfo, sql);
	snprintf(sql, sizeof(sql),
		 "SELECT id FROM enrollments WHERE section_id = %lld AND user_id = %lld",
		 fx.section, fx.actors[LEARNER].user_id);
	fx.enrollment = harness_sql_ll(fx.conninfo, sql);
	return fx.module > 0 && fx.course > 0 && fx.section > 0 && fx.enrollment > 0 ? 0 : -1;
}

/* A session of {SECTION}, held on its second day, taught by the
 * instructor. Fills fx.session; returns 0 or -1. */
static int session_setup(void)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
		 " online_url) VALUES (%lld, '2026-03-03T06:00:00+09:00',"
		 " '2026-03-03T07:00:00+09:00', %lld, 'https://meet.example.com/guard') RETURNING id",
		 fx.section, fx.actors[INSTRUCTOR].user_id);
	fx.session = harness_sql_ll(fx.conninfo, sql);
	return fx.session > 0 ? 0 : -1;
}

static int group_setup(void **state)
{
	struct http_result r = {0};
	int rc = -1;

	if (harness_db_create(DB_NAME, fx.conninfo, sizeof(fx.conninfo)) != 0 ||
	    harness_migrate(fx.conninfo) != 0 || harness_seed_demo(fx.conninfo) != 0)
		return -1;
	fx.inst_a = harness_sql_ll(fx.conninfo, "SELECT id FROM institutions WHERE code = 'gist'");
	fx.inst_b = harness_sql_ll(fx.conninfo, "SELECT id FROM institutions WHERE code = 'jnu'");
	fx.inst_c = harness_sql_ll(fx.conninfo, "SELECT id FROM institutions WHERE code = 'chosun'");
	fx.facility = harness_sql_ll(fx.conninfo, "SELECT min(f.id) FROM facilities f"
						  " JOIN institutions i ON i.id = f.institution_id"
						  " WHERE i.code = 'gist'");
	if (fx.inst_a <= 0 || fx.inst_b <= 0 || fx.inst_c <= 0 || fx.facility <= 0) {
		fprintf(stderr, "guard_test: the demo data has no gist or jnu institution\n");
		return -1;
	}
	if (harness_server_start(&fx.server, fx.conninfo, NULL) != 0)
		return -1;

	for (int a = 0; a < NACTORS; a++) {
		if (!actor_info[a].email)
			continue;
		if (harness_login(&fx.server, actor_info[a].email, PASSWORD, &fx.actors[a]) != 0) {
			fprintf(stderr, "guard_test: cannot sign in as %s\n", actor_info[a].email);
			goto out;
		}
	}
	if (make_token(&fx.actors[ADMIN_A], fx.inst_a, "\"audit:read\"",
		       &fx.actors[TOKEN_AUDIT]) < 0 ||
	    make_token(&fx.actors[ADMIN_A], fx.inst_a, "\"reports:read\"",
		       &fx.actors[TOKEN_REPORTS]) < 0 ||
	    make_token(&fx.actors[PLATFORM], fx.inst_a, "\"metrics:read\"",
		       &fx.actors[TOKEN_METRICS]) < 0)
		goto out;

	/* Roles are granted to and revoked from a user who is no actor: were it
	 * the learner, a row granting platform_admin would change who the
	 * learner actor is. */
	if (harness_as(&fx.server, NULL, "POST", "/api/v1/auth/register",
		       "{\"email\": \"" TARGET_EMAIL "\", \"password\": \"guard-target-pass-2026\","
		       " \"display_name\": \"권한 대상\", \"ladder_stage\": \"worker\", " HARNESS_CONSENT "}",
		       &r) != 0 ||
	    r.status != 201 || (fx.target_id = body_ll(&r, "id")) <= 0) {
		fprintf(stderr, "guard_test: register " TARGET_EMAIL ": %ld %s\n", r.status,
			r.body ? r.body : "");
		goto out;
	}
	/* A's own staff (a verified affiliation): A makes them an instructor
	 * without an invitation. */
	if (harness_affiliate(fx.conninfo, fx.target_id, fx.inst_a) != 0)
		goto out;
	if (content_setup() != 0 || catalog_setup() != 0 || session_setup() != 0)
		goto out;
	rc = 0;
out:
	http_result_release(&r);
	if (rc != 0) {
		/* No teardown after a failed setup: clean up here. */
		harness_server_stop(&fx.server);
		return -1;
	}
	*state = &fx;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	/* Non-zero means the server crashed or a sanitizer reported. */
	assert_int_equal(harness_server_stop(&fx.server), 0);
	return 0;
}

/* ---- the matrix ---- */

struct vars {
	long long token;
	long long kpi;
	int row;
};

/* Expands a template's {NAME}s into out; fails the test on an unknown one. */
static void expand(const char *tmpl, const struct vars *v, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	while (*tmpl) {
		long long value = 0;
		int n;

		if (*tmpl != '{' || tmpl[1] == '"' || tmpl[1] == ' ' || tmpl[1] == '\0') {
			n = snprintf(out + used, len - used, "%c", *tmpl++);
		} else {
			size_t name_len = strcspn(tmpl + 1, "}");
			const char *name = tmpl + 1;

			if (name_len == 1 && *name == 'A')
				value = fx.inst_a;
			else if (name_len == 1 && *name == 'B')
				value = fx.inst_b;
			else if (name_len == 6 && !strncmp(name, "TARGET", 6))
				value = fx.target_id;
			else if (name_len == 5 && !strncmp(name, "TOKEN", 5))
				value = v->token;
			else if (name_len == 3 && !strncmp(name, "ROW", 3))
				value = v->row;
			else if (name_len == 6 && !strncmp(name, "LESSON", 6))
				value = fx.lesson;
			else if (name_len == 10 && !strncmp(name, "ATTACHMENT", 10))
				value = fx.attachment;
			else if (name_len == 6 && !strncmp(name, "COURSE", 6))
				value = fx.course;
			else if (name_len == 7 && !strncmp(name, "SECTION", 7))
				value = fx.section;
			else if (name_len == 6 && !strncmp(name, "MODULE", 6))
				value = fx.module;
			else if (name_len == 10 && !strncmp(name, "ENROLLMENT", 10))
				value = fx.enrollment;
			else if (name_len == 10 && !strncmp(name, "INSTRUCTOR", 10))
				value = fx.actors[INSTRUCTOR].user_id;
			else if (name_len == 1 && *name == 'C')
				value = fx.inst_c;
			else if (name_len == 8 && !strncmp(name, "FACILITY", 8))
				value = fx.facility;
			else if (name_len == 7 && !strncmp(name, "SESSION", 7))
				value = fx.session;
			else if (name_len == 3 && !strncmp(name, "KPI", 3))
				value = v->kpi;
			else
				fail_msg("unknown placeholder in template: %s", tmpl);
			n = snprintf(out + used, len - used, "%lld", value);
			tmpl += name_len + 2;
		}
		if (n < 0 || (size_t)n >= len - used)
			fail_msg("template too long: %s", tmpl);
		used += (size_t)n;
	}
}

/* The platform admin changes a role as prep or clean-up; status must be
 * one of ok1, ok2. */
static bool role_prep(const char *method, const char *body, long ok1, long ok2)
{
	long st = harness_status_as(&fx.server, &fx.actors[PLATFORM], method, "/api/v1/roles",
				    body);

	if (st == ok1 || st == ok2)
		return true;
	print_error("prep: platform %s /api/v1/roles %s: got %ld\n", method, body, st);
	return false;
}

/* Instructor profiles and shares set straight in the database, before a
 * row (after: false) and after it. Returns false when that failed. */
static bool faculty_prep(enum prep prep, bool after)
{
	char sql[512];

	if (prep == PREP_PROFILE_ABSENT)
		snprintf(sql, sizeof(sql),
			 "DELETE FROM instructors WHERE user_id = %lld; DELETE FROM user_roles"
			 " WHERE user_id = %lld AND role = 'instructor'",
			 fx.target_id, fx.target_id);
	else if (prep == PREP_SHARE_HELD && !after)
		snprintf(sql, sizeof(sql),
			 "INSERT INTO instructor_shares (instructor_id, institution_id)"
			 " VALUES (%lld, %lld) ON CONFLICT DO NOTHING",
			 fx.actors[INSTRUCTOR].user_id, fx.inst_c);
	else if (prep == PREP_SHARE_HELD || prep == PREP_SHARE_ABSENT)
		snprintf(sql, sizeof(sql),
			 "DELETE FROM instructor_shares WHERE instructor_id = %lld"
			 " AND institution_id = %lld",
			 fx.actors[INSTRUCTOR].user_id, fx.inst_c);
	else
		return true;
	if (harness_sql(fx.conninfo, sql) == 0)
		return true;
	print_error("prep: %s failed\n", sql);
	return false;
}

/* The 404 of an activity's path on {LESSON}, a reading: those who may see
 * the lesson are told it is of another kind. */
static const char *lesson_kind_code(const struct endpoint *ep)
{
	static const struct {
		const char *path, *code;
	} kinds[] = {
		{"/api/v1/lessons/{LESSON}/quiz", "not_a_quiz"},
		{"/api/v1/lessons/{LESSON}/assignment", "not_an_assignment"},
		{"/api/v1/lessons/{LESSON}/submission", "not_an_assignment"},
		{"/api/v1/lessons/{LESSON}/video-progress", "not_a_video"},
	};

	for (size_t i = 0; i < NELEMS(kinds); i++)
		if (!strncmp(ep->path, kinds[i].path, strlen(kinds[i].path)))
			return kinds[i].code;
	return NULL;
}

static const char *expected_code(const struct endpoint *ep, long status)
{
	switch (status) {
	case 401: return "unauthenticated";
	case 403: return "forbidden";
	case 400: return "validation_failed";
	case 404: return lesson_kind_code(ep) ? lesson_kind_code(ep) : "not_found";
	}
	return NULL;
}

/* Prints one mismatch of the matrix: who, what, and what went wrong. */
#define MISMATCH(fmt, ...)                                                          \
	print_error("MISMATCH %-11s %-6s %-40s " fmt "\n", actor_info[a].name, ep->method, \
		    path, __VA_ARGS__)

/* Runs the request of endpoint ep as actor a, with its prep and clean-up,
 * into *got. Returns false after printing what is not as the table says. */
static bool run_case(const struct endpoint *ep, int a, int row, long *got)
{
	char path[512], body[512], sql[512], code[64], hdr[256];
	struct harness_actor fresh, *who = a == VISITOR ? NULL : &fx.actors[a];
	struct vars v = {.row = row};
	struct http_result r = {0};
	long want = ep->expect[a];
	bool ok = true;

	if (want == 0)
		fail_msg("%s %s: no expected status for %s", ep->method, ep->path,
			 actor_info[a].name);

	/* Prep. */
	if (ep->prep == PREP_OWN_SESSION && actor_info[a].email) {
		if (harness_login(&fx.server, actor_info[a].email, PASSWORD, &fresh) != 0)
			fail_msg("cannot sign in as %s", actor_info[a].email);
		who = &fresh;
	} else if (ep->prep == PREP_TOKEN_A || ep->prep == PREP_TOKEN_B) {
		bool b = ep->prep == PREP_TOKEN_B;

		v.token = make_token(&fx.actors[b ? ADMIN_B : ADMIN_A], b ? fx.inst_b : fx.inst_a,
				     "\"reports:read\"", NULL);
		if (v.token <= 0)
			fail_msg("cannot make a token to revoke");
	} else if (ep->prep == PREP_KPI_OUTPUT_B) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO kpi_outputs (institution_id, year, kind, title, count)"
			 " VALUES (%lld, 2025, 'graduate', 'guard %d', 1) RETURNING id",
			 fx.inst_b, row);
		if ((v.kpi = harness_sql_ll(fx.conninfo, sql)) <= 0)
			fail_msg("cannot record a KPI output to delete");
	}
	expand(ep->path, &v, path, sizeof(path));
	if (ep->body)
		expand(ep->body, &v, body, sizeof(body));
	if (ep->prep == PREP_ROLE_ABSENT && !role_prep("DELETE", body, 204, 404))
		fail_msg("prep failed");
	if (ep->prep == PREP_ROLE_HELD && !role_prep("POST", body, 201, 200))
		fail_msg("prep failed");
	if (!faculty_prep(ep->prep, false))
		fail_msg("prep failed");

	/* The request, its status, problem code and challenge. */
	if (harness_as(&fx.server, who, ep->method, path, ep->body ? body : NULL, &r) != 0)
		r.status = -1;
	*got = r.status;
	if (r.status != want) {
		MISMATCH("expected %ld, got %ld: %.200s", want, r.status, r.body ? r.body : "");
		ok = false;
	} else if (expected_code(ep, want) &&
		   strcmp(problem_code(&r, code, sizeof(code)), expected_code(ep, want)) != 0) {
		MISMATCH("status %ld has code \"%s\", expected \"%s\"", want, code,
			 expected_code(ep, want));
		ok = false;
	} else if (want == 401 && !http_result_header(&r, "WWW-Authenticate", hdr, sizeof(hdr))) {
		MISMATCH("%s", "401 without WWW-Authenticate");
		ok = false;
	}
	http_result_release(&r);

	/* A refused change changed nothing; an allowed one did. */
	if (ep->effect_sql) {
		bool allowed = *got >= 200 && *got < 300;
		long long count, expect = allowed ? ep->effect_allowed : ep->effect_refused;

		expand(ep->effect_sql, &v, sql, sizeof(sql));
		if ((count = harness_sql_ll(fx.conninfo, sql)) != expect) {
			MISMATCH("after %ld: %s is %lld, expected %lld", *got, sql, count, expect);
			ok = false;
		}
	}
	/* A signed-out session is over. */
	if (who == &fresh && *got == 204 &&
	    harness_status_as(&fx.server, &fresh, "GET", "/api/v1/me", NULL) != 401) {
		MISMATCH("%s", "the session still works after logout");
		ok = false;
	}

	/* Clean-up. */
	if ((ep->prep == PREP_ROLE_ABSENT || ep->prep == PREP_ROLE_HELD) &&
	    !role_prep("DELETE", body, 204, 404))
		ok = false;
	if (!faculty_prep(ep->prep, true))
		ok = false;
	return ok;
}

static void guard_matrix(void **state)
{
	static long got[NELEMS(endpoints)][NACTORS];
	int mismatches = 0, row = 0;

	(void)state;
	for (size_t e = 0; e < NELEMS(endpoints); e++)
		for (int a = 0; a < NACTORS; a++)
			mismatches += !run_case(&endpoints[e], a, ++row, &got[e][a]);
	if (!mismatches)
		return;

	/* The whole picture, then the verdict. */
	print_error("\nstatus matrix as run (* = not as expected):\n%-56s", "");
	for (int a = 0; a < NACTORS; a++)
		print_error("%12s", actor_info[a].name);
	print_error("\n");
	for (size_t e = 0; e < NELEMS(endpoints); e++) {
		char label[256];

		snprintf(label, sizeof(label), "%s %s %s", endpoints[e].method, endpoints[e].path,
			 endpoints[e].body ? endpoints[e].body : "");
		print_error("%-56.56s", label);
		for (int a = 0; a < NACTORS; a++)
			print_error("%11ld%c", got[e][a],
				    got[e][a] == endpoints[e].expect[a] ? ' ' : '*');
		print_error("\n");
	}
	fail_msg("%d of %d authorization cases are not as the table says", mismatches, row);
}

/* The table covers every protected route of the real route table, every
 * method of it: a route added without a row fails here. */
static void table_covers_every_route(void **state)
{
	static const char *const method_names[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	static struct http_req req;
	int missing = 0;

	(void)state;
	for (size_t i = 0; i < api_routes()->count; i++) {
		const struct route *rt = &api_routes()->routes[i];

		if (rt->action == GUARD_PUBLIC)
			continue;
		for (size_t m = 0; m < NELEMS(method_names); m++) {
			unsigned bit = http_method_bit(method_names[m]);
			bool found = false;

			if (!(rt->methods & bit))
				continue;
			for (size_t e = 0; e < NELEMS(endpoints) && !found; e++) {
				char path[256];

				snprintf(path, sizeof(path), "%s", endpoints[e].path);
				path[strcspn(path, "?")] = '\0';
				found = http_method_bit(endpoints[e].method) == bit &&
					routes_pattern_match(rt->pattern, path, &req);
			}
			if (!found) {
				print_error("no row of the matrix calls %s %s\n", method_names[m],
					    rt->pattern);
				missing++;
			}
		}
	}
	if (missing)
		fail_msg("%d protected routes are not in the matrix: extend endpoints[]", missing);
}

/* ---- CSRF ---- */

/* A request with only the session cookie (and a JSON body type), and
 * optionally an X-CSRF-Token of the caller's choosing. */
static long cookie_only(const struct harness_actor *a, const char *method, const char *path,
			const char *body, const char *csrf, char *code, size_t codelen)
{
	char cookie[300], csrf_hdr[128];
	const char *headers[4] = {NULL};
	struct http_result r = {0};
	long status = -1;
	int n = 0;

	snprintf(cookie, sizeof(cookie), "Cookie: %s", a->cookie);
	headers[n++] = cookie;
	if (body)
		headers[n++] = "Content-Type: application/json";
	if (csrf) {
		snprintf(csrf_hdr, sizeof(csrf_hdr), "X-CSRF-Token: %s", csrf);
		headers[n++] = csrf_hdr;
	}
	if (harness_request_once(&fx.server, method, path, headers, body, &r) == 0)
		status = r.status;
	if (code)
		problem_code(&r, code, codelen);
	http_result_release(&r);
	return status;
}

static void test_csrf_required_for_session_changes(void **state)
{
	const struct harness_actor *platform = &fx.actors[PLATFORM];
	char path[128], body[256], sql[256], code[64];
	struct harness_actor session;
	long long token;

	(void)state;
	/* Making a token: no header, a wrong one (another session's), an
	 * empty-looking one, then the right one. */
	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"name\": \"csrf-probe\","
		 " \"scopes\": [\"reports:read\"]}",
		 fx.inst_a);
	assert_int_equal(cookie_only(platform, "POST", "/api/v1/tokens", body, NULL, code,
				     sizeof(code)),
			 403);
	assert_string_equal(code, "csrf_failed");
	assert_int_equal(cookie_only(platform, "POST", "/api/v1/tokens", body,
				     fx.actors[ADMIN_A].csrf, code, sizeof(code)),
			 403);
	assert_string_equal(code, "csrf_failed");
	assert_int_equal(cookie_only(platform, "POST", "/api/v1/tokens", body, "x", code,
				     sizeof(code)),
			 403);
	assert_string_equal(code, "csrf_failed");
	assert_int_equal(harness_sql_ll(fx.conninfo,
				  "SELECT count(*) FROM api_tokens WHERE name = 'csrf-probe'"),
			 0);
	assert_int_equal(cookie_only(platform, "POST", "/api/v1/tokens", body, platform->csrf,
				     NULL, 0),
			 201);
	assert_int_equal(harness_sql_ll(fx.conninfo,
				  "SELECT count(*) FROM api_tokens WHERE name = 'csrf-probe'"),
			 1);

	/* Revoking a token. */
	token = make_token(&fx.actors[ADMIN_A], fx.inst_a, "\"reports:read\"", NULL);
	assert_true(token > 0);
	snprintf(path, sizeof(path), "/api/v1/tokens/%lld", token);
	assert_int_equal(cookie_only(&fx.actors[ADMIN_A], "DELETE", path, NULL, NULL, code,
				     sizeof(code)),
			 403);
	assert_string_equal(code, "csrf_failed");
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM api_tokens WHERE id = %lld AND revoked_at IS NULL", token);
	assert_int_equal(harness_sql_ll(fx.conninfo, sql), 1);

	/* Granting and revoking a role. */
	snprintf(body, sizeof(body),
		 "{\"user_id\": %lld, \"role\": \"instructor\", \"institution_id\": %lld}",
		 fx.target_id, fx.inst_a);
	assert_int_equal(cookie_only(&fx.actors[ADMIN_A], "POST", "/api/v1/roles", body, NULL,
				     code, sizeof(code)),
			 403);
	assert_string_equal(code, "csrf_failed");
	assert_int_equal(cookie_only(platform, "DELETE", "/api/v1/roles", body, NULL, code,
				     sizeof(code)),
			 403);
	assert_string_equal(code, "csrf_failed");
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM user_roles WHERE user_id = %lld AND role = 'instructor'",
		 fx.target_id);
	assert_int_equal(harness_sql_ll(fx.conninfo, sql), 0);

	/* A learner too: the check comes before any role is looked at. */
	assert_int_equal(cookie_only(&fx.actors[LEARNER], "POST", "/api/v1/auth/logout", NULL,
				     NULL, code, sizeof(code)),
			 403);
	assert_string_equal(code, "csrf_failed");

	assert_int_equal(cookie_only(&fx.actors[LEARNER], "POST", "/api/v1/me/password",
				     "{\"current_password\": \"demo-pass-2026\","
				     " \"new_password\": \"csrf-would-change-2026\"}",
				     NULL, code, sizeof(code)),
			 403);
	assert_string_equal(code, "csrf_failed");

	/* Signing out without the token does not sign out. */
	assert_int_equal(harness_login(&fx.server, "learner@example.com", PASSWORD, &session), 0);
	assert_int_equal(cookie_only(&session, "POST", "/api/v1/auth/logout", NULL, NULL, code,
				     sizeof(code)),
			 403);
	assert_string_equal(code, "csrf_failed");
	assert_int_equal(cookie_only(&session, "GET", "/api/v1/me", NULL, NULL, NULL, 0), 200);
	assert_int_equal(cookie_only(&session, "POST", "/api/v1/auth/logout", NULL, session.csrf,
				     NULL, 0),
			 204);
	assert_int_equal(cookie_only(&session, "GET", "/api/v1/me", NULL, NULL, NULL, 0), 401);
	/* A CSRF token does not outlive its session. */
	assert_int_equal(cookie_only(&session, "POST", "/api/v1/auth/logout", NULL, session.csrf,
				     code, sizeof(code)),
			 401);

	/* Reads need no CSRF token. */
	assert_int_equal(cookie_only(&fx.actors[LEARNER], "GET", "/api/v1/me", NULL, NULL, NULL, 0),
			 200);
	assert_int_equal(cookie_only(platform, "GET", "/metrics", NULL, NULL, NULL, 0), 200);
	assert_int_equal(cookie_only(&fx.actors[ADMIN_A], "GET", "/api/v1/tokens", NULL, NULL,
				     NULL, 0),
			 200);
	snprintf(path, sizeof(path), "/api/v1/audit?institution_id=%lld", fx.inst_a);
	assert_int_equal(cookie_only(&fx.actors[ADMIN_A], "GET", path, NULL, NULL, NULL, 0), 200);
}

static void test_bearer_needs_no_csrf(void **state)
{
	char path[128], body[256], sql[256], cookie[300], bearer[160], code[64];
	struct http_result r = {0};

	(void)state;
	/* A token's read goes through with no X-CSRF-Token. */
	snprintf(path, sizeof(path), "/api/v1/audit?institution_id=%lld", fx.inst_a);
	assert_int_equal(harness_status_as(&fx.server, &fx.actors[TOKEN_AUDIT], "GET", path, NULL),
			 200);

	/* A token's change is judged by its scopes, never refused for CSRF. */
	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"name\": \"bearer-probe\","
		 " \"scopes\": [\"audit:read\"]}",
		 fx.inst_a);
	assert_int_equal(harness_as(&fx.server, &fx.actors[TOKEN_AUDIT], "POST", "/api/v1/tokens",
				    body, &r),
			 0);
	assert_int_equal(r.status, 403);
	assert_string_equal(problem_code(&r, code, sizeof(code)), "forbidden");
	http_result_release(&r);

	/* A Bearer token and a platform admin's cookie together: the token is
	 * who asks; the cookie lends it nothing, and no CSRF check applies. */
	snprintf(cookie, sizeof(cookie), "Cookie: %s", fx.actors[PLATFORM].cookie);
	snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s",
		 fx.actors[TOKEN_METRICS].token);
	snprintf(body, sizeof(body),
		 "{\"user_id\": %lld, \"role\": \"platform_admin\"}", fx.target_id);
	{
		const char *headers[] = {cookie, bearer, "Content-Type: application/json", NULL};

		assert_int_equal(harness_request_once(&fx.server, "POST", "/api/v1/roles", headers,
						      body, &r),
				 0);
		assert_int_equal(r.status, 403);
		assert_string_equal(problem_code(&r, code, sizeof(code)), "forbidden");
		http_result_release(&r);
		assert_int_equal(harness_request_once(&fx.server, "GET", "/api/v1/me", headers,
						      NULL, &r),
				 0);
		assert_int_equal(r.status, 403);
		http_result_release(&r);
		assert_int_equal(harness_request_once(&fx.server, "GET", "/metrics", headers, NULL,
						      &r),
				 0);
		assert_int_equal(r.status, 200);
		http_result_release(&r);
	}
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM user_roles WHERE user_id = %lld AND role = 'platform_admin'",
		 fx.target_id);
	assert_int_equal(harness_sql_ll(fx.conninfo, sql), 0);
}

/* ---- bad credentials ---- */

static void expect_401(const char *const *headers, const char *method, const char *path,
		       const char *body, const char *challenge_part, int *failures)
{
	struct http_result r = {0};
	char hdr[256], code[64];

	if (harness_request_once(&fx.server, method, path, headers, body, &r) != 0)
		r.status = -1;
	if (r.status != 401) {
		print_error("%s %s with %s: expected 401, got %ld\n", method, path,
			    headers[0] ? headers[0] : "(nothing)", r.status);
		++*failures;
	} else if (!http_result_header(&r, "WWW-Authenticate", hdr, sizeof(hdr)) ||
		   strncmp(hdr, "Bearer", 6) != 0 || !strstr(hdr, challenge_part)) {
		print_error("%s %s with %s: WWW-Authenticate is \"%s\", expected Bearer ... %s\n",
			    method, path, headers[0] ? headers[0] : "(nothing)",
			    http_result_header(&r, "WWW-Authenticate", hdr, sizeof(hdr)) ? hdr : "",
			    challenge_part);
		++*failures;
	} else if (strcmp(problem_code(&r, code, sizeof(code)), "unauthenticated") != 0) {
		print_error("%s %s: 401 with code \"%s\"\n", method, path, code);
		++*failures;
	}
	http_result_release(&r);
}

static void test_bad_bearer_is_401(void **state)
{
	struct harness_actor revoked, expired, valid;
	long long revoked_id, expired_id;
	char audit_a[96], post_body[160], sql[256], del[64];
	char h_unknown[160], h_noprefix[160], h_long[160], h_revoked[160], h_expired[160];
	char h_cookie[300];
	int failures = 0;

	(void)state;
	/* Tokens that once were good. */
	revoked_id = make_token(&fx.actors[ADMIN_A], fx.inst_a, "\"audit:read\"", &revoked);
	expired_id = make_token(&fx.actors[ADMIN_A], fx.inst_a, "\"audit:read\"", &expired);
	assert_true(make_token(&fx.actors[ADMIN_A], fx.inst_a, "\"audit:read\"", &valid) > 0);
	assert_true(revoked_id > 0 && expired_id > 0);
	snprintf(del, sizeof(del), "/api/v1/tokens/%lld", revoked_id);
	assert_int_equal(harness_status_as(&fx.server, &fx.actors[ADMIN_A], "DELETE", del, NULL),
			 204);
	snprintf(sql, sizeof(sql),
		 "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = %lld",
		 expired_id);
	assert_int_equal(harness_sql(fx.conninfo, sql), 0);
	snprintf(audit_a, sizeof(audit_a), "/api/v1/audit?institution_id=%lld", fx.inst_a);
	/* Before: they worked. */
	assert_int_equal(harness_status_as(&fx.server, &valid, "GET", audit_a, NULL), 200);

	snprintf(h_unknown, sizeof(h_unknown),
		 "Authorization: Bearer lms_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	snprintf(h_noprefix, sizeof(h_noprefix), "Authorization: Bearer %s", valid.token + 4);
	snprintf(h_long, sizeof(h_long), "Authorization: Bearer %sx", valid.token);
	snprintf(h_revoked, sizeof(h_revoked), "Authorization: Bearer %s", revoked.token);
	snprintf(h_expired, sizeof(h_expired), "Authorization: Bearer %s", expired.token);
	snprintf(h_cookie, sizeof(h_cookie), "Cookie: %s", fx.actors[PLATFORM].cookie);
	snprintf(post_body, sizeof(post_body),
		 "{\"institution_id\": %lld, \"name\": \"bad-bearer\","
		 " \"scopes\": [\"audit:read\"]}",
		 fx.inst_a);

	const struct {
		const char *header, *challenge;
	} creds[] = {
		{"Authorization: Bearer garbage", "error=\"invalid_token\""},
		{"Authorization: Bearer ", "error=\"invalid_token\""},
		{h_unknown, "error=\"invalid_token\""},
		{h_noprefix, "error=\"invalid_token\""},
		{h_long, "error=\"invalid_token\""},
		{h_revoked, "error=\"invalid_token\""},
		{h_expired, "error=\"invalid_token\""},
		{"Authorization: Basic dXNlcjpwYXNz", "realm="},
		{"Authorization: lms_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "realm="},
	};
	const struct {
		const char *method, *path, *body;
	} targets[] = {
		{"GET", "/api/v1/me", NULL},
		{"GET", audit_a, NULL},
		{"GET", "/metrics", NULL},
		{"GET", "/api/v1/tokens", NULL},
		{"POST", "/api/v1/tokens", post_body},
		{"DELETE", "/api/v1/tokens/1", NULL},
		{"POST", "/api/v1/auth/logout", NULL},
	};

	for (size_t c = 0; c < NELEMS(creds); c++) {
		for (size_t t = 0; t < NELEMS(targets); t++) {
			const char *alone[] = {creds[c].header, "Content-Type: application/json",
					       NULL};
			/* A platform admin's cookie beside a bad token: no fallback. */
			const char *with_cookie[] = {creds[c].header, h_cookie,
						     "Content-Type: application/json", NULL};

			expect_401(alone, targets[t].method, targets[t].path, targets[t].body,
				   creds[c].challenge, &failures);
			expect_401(with_cookie, targets[t].method, targets[t].path, targets[t].body,
				   creds[c].challenge, &failures);
		}
	}
	/* No credentials at all: the plain challenge. */
	for (size_t t = 0; t < NELEMS(targets); t++) {
		const char *none[] = {"Content-Type: application/json", NULL};

		expect_401(none, targets[t].method, targets[t].path, targets[t].body,
			   "realm=\"lms\"", &failures);
	}
	if (failures)
		fail_msg("%d bad-credential requests were not refused as 401 with a challenge",
			 failures);
	assert_int_equal(harness_sql_ll(fx.conninfo,
				  "SELECT count(*) FROM api_tokens WHERE name = 'bad-bearer'"),
			 0);

	/* The scheme is case-insensitive (RFC 9110), and a good token still works. */
	{
		char h[160];
		const char *headers[] = {h, NULL};
		struct http_result r = {0};

		snprintf(h, sizeof(h), "Authorization: bearer %s", valid.token);
		assert_int_equal(
			harness_request_once(&fx.server, "GET", audit_a, headers, NULL, &r), 0);
		assert_int_equal(r.status, 200);
		http_result_release(&r);
	}
	/* Public routes do not look at credentials at all. */
	{
		const char *headers[] = {"Authorization: Bearer garbage", NULL};
		struct http_result r = {0};

		assert_int_equal(harness_request_once(&fx.server, "GET", "/healthz", headers, NULL,
						      &r),
				 0);
		assert_int_equal(r.status, 200);
		http_result_release(&r);
	}
}

/* ---- token creation limits ---- */

static void test_token_scopes_never_exceed_creator(void **state)
{
	char body[256], code[64];
	struct http_result r = {0};

	(void)state;
	/* An institution admin cannot hand out platform-wide metrics. */
	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"name\": \"too-much\","
		 " \"scopes\": [\"reports:read\", \"metrics:read\"]}",
		 fx.inst_a);
	assert_int_equal(harness_as(&fx.server, &fx.actors[ADMIN_A], "POST", "/api/v1/tokens", body,
				    &r),
			 0);
	assert_int_equal(r.status, 403);
	assert_string_equal(problem_code(&r, code, sizeof(code)), "forbidden");
	http_result_release(&r);
	assert_int_equal(harness_sql_ll(fx.conninfo,
				  "SELECT count(*) FROM api_tokens WHERE name = 'too-much'"),
			 0);

	/* Nor make one for another institution, whatever the scopes. */
	snprintf(body, sizeof(body),
		 "{\"institution_id\": %lld, \"name\": \"too-much\", \"scopes\": [\"audit:read\"]}",
		 fx.inst_b);
	assert_int_equal(harness_status_as(&fx.server, &fx.actors[ADMIN_A], "POST",
					   "/api/v1/tokens", body),
			 403);

	/* Without institution_id an institution admin means their own; a
	 * platform admin must say which. */
	assert_int_equal(harness_as(&fx.server, &fx.actors[ADMIN_B], "POST", "/api/v1/tokens",
				    "{\"name\": \"own\", \"scopes\": [\"audit:read\"]}", &r),
			 0);
	assert_int_equal(r.status, 201);
	assert_int_equal(body_ll(&r, "institution_id"), fx.inst_b);
	http_result_release(&r);
	assert_int_equal(harness_as(&fx.server, &fx.actors[PLATFORM], "POST", "/api/v1/tokens",
				    "{\"name\": \"whose\", \"scopes\": [\"audit:read\"]}", &r),
			 0);
	assert_int_equal(r.status, 400);
	assert_string_equal(problem_code(&r, code, sizeof(code)), "validation_failed");
	http_result_release(&r);
}

/* GUARD_ANY_INSTITUTION is -1 inside the server: no request may name it
 * (or 0, "platform-wide") as the institution it acts on. */
static void test_institution_sentinels_are_refused(void **state)
{
	static const char *const bad_ids[] = {"-1", "0"};
	const enum actor callers[] = {ADMIN_A, PLATFORM, TOKEN_AUDIT};
	char body[256], path[128], sql[256];
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < NELEMS(bad_ids); i++) {
		for (size_t c = 0; c < NELEMS(callers); c++) {
			const struct harness_actor *a = &fx.actors[callers[c]];
			long want_post = callers[c] == TOKEN_AUDIT ? 403 : 400, st;

			snprintf(body, sizeof(body),
				 "{\"user_id\": %lld, \"role\": \"institution_admin\","
				 " \"institution_id\": %s}",
				 fx.target_id, bad_ids[i]);
			st = harness_status_as(&fx.server, a, "POST", "/api/v1/roles", body);
			if (st != want_post) {
				print_error("%s POST /api/v1/roles %s: expected %ld, got %ld\n",
					    actor_info[callers[c]].name, body, want_post, st);
				failures++;
			}
			snprintf(body, sizeof(body),
				 "{\"institution_id\": %s, \"name\": \"sentinel\","
				 " \"scopes\": [\"audit:read\"]}",
				 bad_ids[i]);
			st = harness_status_as(&fx.server, a, "POST", "/api/v1/tokens", body);
			if (st != want_post) {
				print_error("%s POST /api/v1/tokens %s: expected %ld, got %ld\n",
					    actor_info[callers[c]].name, body, want_post, st);
				failures++;
			}
			snprintf(path, sizeof(path), "/api/v1/audit?institution_id=%s", bad_ids[i]);
			if ((st = harness_status_as(&fx.server, a, "GET", path, NULL)) != 400) {
				print_error("%s GET %s: expected 400, got %ld\n",
					    actor_info[callers[c]].name, path, st);
				failures++;
			}
			snprintf(path, sizeof(path), "/api/v1/tokens?institution_id=%s",
				 bad_ids[i]);
			st = harness_status_as(&fx.server, a, "GET", path, NULL);
			if (st != want_post) {
				print_error("%s GET %s: expected %ld, got %ld\n",
					    actor_info[callers[c]].name, path, want_post, st);
				failures++;
			}
		}
	}
	if (failures)
		fail_msg("%d requests naming institution -1 or 0 were not refused", failures);
	snprintf(sql, sizeof(sql),
		 "SELECT (SELECT count(*) FROM user_roles"
		 " WHERE user_id = %lld AND role <> 'learner')"
		 " + (SELECT count(*) FROM api_tokens WHERE name = 'sentinel'"
		 " AND institution_id <> %lld)",
		 fx.target_id, fx.inst_a);
	assert_int_equal(harness_sql_ll(fx.conninfo, sql), 0);
}

/* Granting a role someone holds is 200, not a second row. */
static void test_regrant_is_200(void **state)
{
	char body[256], sql[256];

	(void)state;
	snprintf(body, sizeof(body),
		 "{\"user_id\": %lld, \"role\": \"instructor\", \"institution_id\": %lld}",
		 fx.target_id, fx.inst_a);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM user_roles WHERE user_id = %lld AND role = 'instructor'",
		 fx.target_id);
	assert_int_equal(harness_status_as(&fx.server, &fx.actors[ADMIN_A], "POST", "/api/v1/roles",
					   body),
			 201);
	assert_int_equal(harness_status_as(&fx.server, &fx.actors[ADMIN_A], "POST", "/api/v1/roles",
					   body),
			 200);
	assert_int_equal(harness_sql_ll(fx.conninfo, sql), 1);
	assert_int_equal(harness_status_as(&fx.server, &fx.actors[ADMIN_A], "DELETE",
					   "/api/v1/roles", body),
			 204);
	assert_int_equal(harness_status_as(&fx.server, &fx.actors[ADMIN_A], "DELETE",
					   "/api/v1/roles", body),
			 404);
	assert_int_equal(harness_sql_ll(fx.conninfo, sql), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_covers_every_route),
		cmocka_unit_test(guard_matrix),
		cmocka_unit_test(test_csrf_required_for_session_changes),
		cmocka_unit_test(test_bearer_needs_no_csrf),
		cmocka_unit_test(test_bad_bearer_is_401),
		cmocka_unit_test(test_token_scopes_never_exceed_creator),
		cmocka_unit_test(test_institution_sentinels_are_refused),
		cmocka_unit_test(test_regrant_is_200),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
