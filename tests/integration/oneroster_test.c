/* oneroster_test.c - the OneRoster 1.2 export against a running server: the
 * archive's files row by row, who may pull it, tenant isolation, the audit
 * trail */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "harness.h"
#include "lms/http/csv.h"
#include "lms/reports/oneroster.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define ADMIN_PASSWORD "oneroster-admin-pass-2026"
#define PATH "/api/v1/reports/oneroster"
#define NFILES 8

static struct lms_server server;
static char conninfo[1024];

/* X: an institution of the test's own, whose export is known row by row;
 * Y: one with nothing to export; gist and jnu: the demo's. */
static long long inst_x, inst_y, gist, jnu;
static struct harness_actor x_admin, x_token, x_audit_token, gist_admin, jnu_admin, platform,
	learner, instructor;

/* People (user ids), courses, sections and enrolments of the fixture. */
static long long kim, jane, formula, quoted, waiting, dropped, pending, teacher1, teacher2,
	jnu_learner, gone;
static long long course_p, course_p2, course_u2;
static long long s_open, s_closed, s_u2, s_j;
static long long e_kim_open, e_jane, e_formula, e_kim_closed, e_quoted, e_t2_closed, e_kim_j;

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

/* ---- the archive ---- */

struct archive {
	size_t n;
	char *names[16];
	char *texts[16]; /* NUL-terminated */
};

static void archive_release(struct archive *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->names[i]);
		free(a->texts[i]);
	}
	memset(a, 0, sizeof(*a));
}

/* Opens the ZIP body of r with libzip and reads every file. */
static void archive_read(const struct http_result *r, struct archive *a)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_int64_t n;

	memset(a, 0, sizeof(*a));
	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(r->body, r->len, 0, &ze)))
		fail_msg("zip source: %s", zip_error_strerror(&ze));
	if (!(za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze))) {
		zip_source_free(src);
		fail_msg("not a ZIP archive: %s", zip_error_strerror(&ze));
	}
	n = zip_get_num_entries(za, 0);
	assert_true(n > 0 && n <= 16);
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;
		zip_file_t *zf;
		char *text;

		assert_int_equal(zip_stat_index(za, (zip_uint64_t)i, 0, &st), 0);
		assert_non_null(text = calloc(1, st.size + 1));
		assert_non_null(zf = zip_fopen_index(za, (zip_uint64_t)i, 0));
		assert_int_equal(zip_fread(zf, text, st.size), (zip_int64_t)st.size);
		zip_fclose(zf);
		a->names[a->n] = strdup(st.name);
		a->texts[a->n++] = text;
	}
	zip_discard(za);
}

/* The text of file name in a; fails when there is none. */
static const char *archive_file(const struct archive *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->names[i], name) == 0)
			return a->texts[i];
	fail_msg("no %s in the archive", name);
	return NULL;
}

/* Pulls the export at path as a, which must succeed, into *arc. */
static void pull(const struct harness_actor *a, const char *path, struct archive *arc)
{
	struct http_result r = {0};
	char buf[256];

	harness_get_as(&server, a, path, &r);
	if (r.status != 200)
		fail_msg("GET %s: expected 200, got %ld: %s", path, r.status, r.body);
	assert_string_equal(http_result_header(&r, "Content-Type", buf, sizeof(buf)),
			    "application/zip");
	archive_read(&r, arc);
	http_result_release(&r);
}

/* GET path as a must be refused with status and code; field, when set,
 * must be named in the errors. */
static void assert_refused(const struct harness_actor *a, const char *path, long status,
			   const char *code, const char *field)
{
	struct http_result r = {0};
	json_t *j;

	harness_get_as(&server, a, path, &r);
	if (r.status != status)
		fail_msg("GET %s: expected %ld, got %ld: %s", path, status, r.status, r.body);
	j = harness_json_body(&r);
	assert_string_equal(json_string_value(json_object_get(j, "code")), code);
	if (field)
		assert_string_equal(json_string_value(json_object_get(
					    json_array_get(json_object_get(j, "errors"), 0), "field")),
				    field);
	json_decref(j);
	http_result_release(&r);
}

/* Fails unless text is exactly want (built printf-style). */
static void assert_textf(const char *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void assert_textf(const char *text, const char *fmt, ...)
{
	char want[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (strcmp(text, want) != 0)
		fail_msg("expected\n[%s]\ngot\n[%s]", want, text);
}

/* ---- fixture ---- */

static long long user_of(const char *email, const char *name)
{
	return sql_ll("INSERT INTO users (email, password_hash, display_name, ladder_stage)"
		      " VALUES ('%s', 'x', $n$%s$n$, 'worker') RETURNING id",
		      email, name);
}

static long long course_of(long long inst, const char *code, const char *title_ko,
			   const char *title_en, bool published)
{
	return harness_course_create(conninfo, &(struct harness_course){.institution = inst,
									.code = code,
									.title_ko = title_ko,
									.title_en = title_en,
									.draft = !published});
}

static long long section_of(long long course, const char *term, const char *starts,
			    const char *ends, const char *status)
{
	return harness_section_create(conninfo, &(struct harness_section){.course = course,
									  .term = term,
									  .starts_on = starts,
									  .ends_on = ends,
									  .capacity = 10,
									  .status = status});
}

static long long enroll(long long section, long long user, const char *status)
{
	return harness_enrollment_create(conninfo, &(struct harness_enrollment){
							   .section = section, .user = user, .status = status});
}

static void teach(long long section, long long user)
{
	sql_ll("INSERT INTO section_instructors (section_id, user_id) VALUES (%lld, %lld)"
	       " RETURNING 1",
	       section, user);
}

static int setup(void **state)
{
	long long course_u, course_j, s_draft, s_cancelled;

	if (harness_db_create("oneroster", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");
	inst_x = sql_ll("INSERT INTO institutions (code, kind, name_ko, name_en) VALUES"
			" ('or_univ', 'university', '원로스터대학교', 'OneRoster University')"
			" RETURNING id");
	inst_y = sql_ll("INSERT INTO institutions (code, kind, name_ko, name_en) VALUES"
			" ('or_empty', 'company', '빈 회사', 'Empty Company') RETURNING id");

	if (harness_status_as(&server, NULL, "POST", "/api/v1/auth/register",
			      "{\"email\": \"or-admin@example.com\", \"password\": \"" ADMIN_PASSWORD
			      "\", \"display_name\": \"관리자\", \"ladder_stage\": \"worker\", " HARNESS_CONSENT "}") != 201)
		return -1;
	sql_ll("INSERT INTO user_roles (user_id, role, institution_id) SELECT id,"
	       " 'institution_admin', %lld FROM users WHERE email = 'or-admin@example.com'"
	       " RETURNING 1",
	       inst_x);
	harness_login_ok(&server, "or-admin@example.com", ADMIN_PASSWORD, &x_admin);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	harness_login_ok(&server, "admin@example.com", DEMO_PASSWORD, &platform);
	harness_login_ok(&server, "learner@example.com", DEMO_PASSWORD, &learner);
	harness_login_ok(&server, "instructor@example.com", DEMO_PASSWORD, &instructor);
	if (harness_token_create(&server, &x_admin, inst_x, "oneroster", "\"reports:read\"",
				 &x_token) < 0 ||
	    harness_token_create(&server, &x_admin, inst_x, "oneroster audit", "\"audit:read\"",
				 &x_audit_token) < 0)
		return -1;

	kim = user_of("or-kim@example.com", "김민수");
	jane = user_of("or-jane@example.com", "Jane Q. Doe");
	formula = user_of("or-formula@example.com", "=cmd|' /C calc'!A0");
	quoted = user_of("or-quoted@example.com", "Kim, \"Q\"");
	waiting = user_of("or-waiting@example.com", "대기자");
	dropped = user_of("or-dropped@example.com", "취소자");
	pending = user_of("or-pending@example.com", "신청자");
	teacher1 = user_of("or-teacher1@example.com", "이강사");
	teacher2 = user_of("or-teacher2@example.com", "Teacher Two");
	jnu_learner = user_of("or-jnu@example.com", "전남인");
	gone = user_of("or-gone@example.com", "사라진");

	/* X's catalogue: a published course with classes of every status, a
	 * published one without classes, unpublished ones with and without. */
	course_p = course_of(inst_x, "ORP", "인공지능 기초", "AI Basics", true);
	course_p2 = course_of(inst_x, "ORP2", "AI, \"기초\"", "AI, \"Basics\"", true);
	course_u = course_of(inst_x, "ORU", "숨은 강좌", "Hidden", false);
	course_u2 = course_of(inst_x, "ORU2", "비공개 강좌", "Private Course", false);
	(void)course_u;
	s_open = section_of(course_p, "2027-1", "2027-03-02", "2027-06-30", "open");
	s_closed = section_of(course_p, "2026-winter", "2026-12-21", "2027-02-19", "closed");
	s_draft = section_of(course_p, "2027-2", "2027-09-01", "2027-12-20", "draft");
	s_cancelled = section_of(course_p, "2027-summer", "2027-07-01", "2027-08-20", "cancelled");
	s_u2 = section_of(course_u2, "2027-1", "2027-03-09", "2027-07-10", "open");
	course_j = course_of(jnu, "ORJ", "전남 강좌", "JNU Course", true);
	s_j = section_of(course_j, "2027-1", "2027-03-02", "2027-06-30", "open");

	e_kim_open = enroll(s_open, kim, "enrolled");
	e_jane = enroll(s_open, jane, "completed");
	e_formula = enroll(s_open, formula, "enrolled");
	enroll(s_open, waiting, "waitlisted");
	enroll(s_open, dropped, "cancelled");
	enroll(s_open, pending, "pending");
	e_kim_closed = enroll(s_closed, kim, "incomplete");
	e_quoted = enroll(s_closed, quoted, "enrolled");
	e_t2_closed = enroll(s_closed, teacher2, "enrolled");
	enroll(s_draft, gone, "pending");
	enroll(s_cancelled, gone, "cancelled");
	enroll(s_j, jnu_learner, "enrolled");
	e_kim_j = enroll(s_j, kim, "enrolled");
	teach(s_open, teacher1);
	teach(s_open, teacher2);
	teach(s_closed, teacher1);
	teach(s_draft, teacher1);
	teach(s_j, teacher2);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* ---- the files ---- */

static void archive_holds_the_manifest_and_seven_files(void **state)
{
	static const char *const names[NFILES] = {
		"manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv",
		"classes.csv", "users.csv", "roles.csv", "enrollments.csv",
	};
	struct http_result r = {0};
	struct csv_writer manifest;
	struct archive a;
	char buf[256];

	harness_get_as(&server, &x_admin, PATH, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(http_result_header(&r, "Content-Disposition", buf, sizeof(buf)),
			    "attachment; filename=\"oneroster-or_univ.zip\"");
	assert_string_equal(http_result_header(&r, "Cache-Control", buf, sizeof(buf)), "no-store");
	snprintf(buf, sizeof(buf), "%zu", r.len);
	assert_string_equal(http_result_header(&r, "Content-Length", (char[32]){0}, 32), buf);
	archive_read(&r, &a);
	http_result_release(&r);

	assert_int_equal(a.n, NFILES);
	for (size_t i = 0; i < NFILES; i++) {
		assert_string_equal(a.names[i], names[i]);
		/* UTF-8 without a byte order mark, lines ending in CRLF. */
		assert_true(strncmp(a.texts[i], "\xEF\xBB\xBF", 3) != 0);
		assert_non_null(strstr(a.texts[i], "\r\n"));
		assert_int_equal(strcmp(a.texts[i] + strlen(a.texts[i]) - 2, "\r\n"), 0);
	}
	/* The manifest the module writes (its lines are checked in the unit
	 * test), as it went over the wire. */
	assert_int_equal(csv_writer_init(&manifest, false), 0);
	assert_int_equal(oneroster_manifest_write(&manifest), 0);
	assert_int_equal(strlen(archive_file(&a, "manifest.csv")), manifest.len);
	assert_memory_equal(archive_file(&a, "manifest.csv"), manifest.data, manifest.len);
	assert_non_null(strstr(archive_file(&a, "manifest.csv"), "\r\noneroster.version,1.2\r\n"));
	csv_writer_release(&manifest);
	archive_release(&a);
}

/* The first line of every file, as a OneRoster 1.2 reader takes it: the
 * binding's columns, in its order, spelt as it spells them. Written out
 * here rather than taken from the module, each from 1EdTech OneRoster: CSV
 * Binding 1.2.1, section 3 "CSV Format", the table of the file named. */
static void every_header_is_the_bindings_to_the_letter(void **state)
{
	static const char *const want[][2] = {
		/* section 3, manifest.csv */
		{"manifest.csv", "propertyName,value"},
		/* section 3, orgs.csv */
		{"orgs.csv", "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"},
		/* section 3, academicSessions.csv */
		{"academicSessions.csv", "sourcedId,status,dateLastModified,title,type,startDate,"
					 "endDate,parentSourcedId,schoolYear"},
		/* section 3, courses.csv */
		{"courses.csv", "sourcedId,status,dateLastModified,schoolYearSourcedId,title,"
				"courseCode,grades,orgSourcedId,subjects,subjectCodes"},
		/* section 3, classes.csv */
		{"classes.csv", "sourcedId,status,dateLastModified,title,grades,courseSourcedId,"
				"classCode,classType,location,schoolSourcedId,termSourcedIds,"
				"subjects,subjectCodes,periods"},
		/* section 3, users.csv (resourceSourcedIds: the column a 1.2 reader
		 * refused the archive for lacking) */
		{"users.csv", "sourcedId,status,dateLastModified,enabledUser,username,userIds,"
			      "givenName,familyName,middleName,identifier,email,sms,phone,"
			      "agentSourcedIds,grades,password,userMasterIdentifier,"
			      "resourceSourcedIds,preferredGivenName,preferredMiddleName,"
			      "preferredFamilyName,primaryOrgSourcedId,pronouns"},
		/* section 3, roles.csv */
		{"roles.csv", "sourcedId,status,dateLastModified,userSourcedId,roleType,role,"
			      "beginDate,endDate,orgSourcedId,userProfileSourcedId"},
		/* section 3, enrollments.csv, and our extension column */
		{"enrollments.csv", "sourcedId,status,dateLastModified,classSourcedId,"
				    "schoolSourcedId,userSourcedId,role,primary,beginDate,endDate,"
				    "metadata.certificateSerial"},
	};
	struct archive a;

	(void)state;
	pull(&x_admin, PATH, &a);
	assert_int_equal(a.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *text = archive_file(&a, want[i][0]);
		size_t n = strlen(want[i][1]);

		if (strncmp(text, want[i][1], n) != 0 || strncmp(text + n, "\r\n", 2) != 0)
			fail_msg("%s begins %.*s", want[i][0], (int)strcspn(text, "\r\n"), text);
	}
	archive_release(&a);
}

static void files_hold_the_institutions_classes_row_by_row(void **state)
{
	struct archive a;

	pull(&x_admin, PATH, &a);
	assert_textf(archive_file(&a, "orgs.csv"),
		     "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n"
		     "org-%lld,,,원로스터대학교,school,or_univ,\r\n",
		     inst_x);
	/* Terms of the open and closed classes only, from their first day to
	 * their last. */
	assert_textf(archive_file(&a, "academicSessions.csv"),
		     "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
		     "parentSourcedId,schoolYear\r\n"
		     "term-2026-winter,,,2026년 겨울학기,term,2026-12-21,2027-02-19,,2026\r\n"
		     "term-2027-1,,,2027년 1학기,semester,2027-03-02,2027-07-10,,2027\r\n");
	/* Published courses, and unpublished ones that run a class. */
	assert_textf(archive_file(&a, "courses.csv"),
		     "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,"
		     "grades,orgSourcedId,subjects,subjectCodes\r\n"
		     "course-%lld,,,,인공지능 기초,ORP,,org-%lld,,\r\n"
		     "course-%lld,,,,\"AI, \"\"기초\"\"\",ORP2,,org-%lld,,\r\n"
		     "course-%lld,,,,비공개 강좌,ORU2,,org-%lld,,\r\n",
		     course_p, inst_x, course_p2, inst_x, course_u2, inst_x);
	assert_textf(archive_file(&a, "classes.csv"),
		     "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
		     "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,"
		     "periods\r\n"
		     "class-%lld,,,인공지능 기초 (2027년 1학기),,course-%lld,ORP-%lld,scheduled,,"
		     "org-%lld,term-2027-1,,,\r\n"
		     "class-%lld,,,인공지능 기초 (2026년 겨울학기),,course-%lld,ORP-%lld,scheduled,,"
		     "org-%lld,term-2026-winter,,,\r\n"
		     "class-%lld,,,비공개 강좌 (2027년 1학기),,course-%lld,ORU2-%lld,scheduled,,"
		     "org-%lld,term-2027-1,,,\r\n",
		     s_open, course_p, s_open, inst_x, s_closed, course_p, s_closed, inst_x, s_u2,
		     course_u2, s_u2, inst_x);
	archive_release(&a);
}

static void users_roles_and_enrollments_of_those_classes(void **state)
{
	struct archive a;

	pull(&x_admin, PATH, &a);
	/* Learners enrolled, completed or incomplete, and the instructors;
	 * not the waitlisted, cancelled or pending, nor anyone only in a
	 * draft or cancelled class or another institution's. Korean names
	 * come back as they went in, family name first; a formula is
	 * neutralised, quotes doubled. */
	assert_textf(archive_file(&a, "users.csv"),
		     "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
		     "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
		     "password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,"
		     "preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\r\n"
		     "user-%lld,,,true,or-kim@example.com,,민수,김,,,or-kim@example.com,,,,,,,,,,,,\r\n"
		     "user-%lld,,,true,or-jane@example.com,,Jane Q.,Doe,,,or-jane@example.com,"
		     ",,,,,,,,,,,\r\n"
		     "user-%lld,,,true,or-formula@example.com,,'=cmd|' /C,calc'!A0,,,"
		     "or-formula@example.com,,,,,,,,,,,,\r\n"
		     "user-%lld,,,true,or-quoted@example.com,,\"Kim,\",\"\"\"Q\"\"\",,,"
		     "or-quoted@example.com,,,,,,,,,,,,\r\n"
		     "user-%lld,,,true,or-teacher1@example.com,,강사,이,,,or-teacher1@example.com,"
		     ",,,,,,,,,,,\r\n"
		     "user-%lld,,,true,or-teacher2@example.com,,Teacher,Two,,,"
		     "or-teacher2@example.com,,,,,,,,,,,,\r\n",
		     kim, jane, formula, quoted, teacher1, teacher2);
	assert_textf(archive_file(&a, "roles.csv"),
		     "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,"
		     "endDate,orgSourcedId,userProfileSourcedId\r\n"
		     "role-%lld-%lld-student,,,user-%lld,primary,student,,,org-%lld,\r\n"
		     "role-%lld-%lld-student,,,user-%lld,primary,student,,,org-%lld,\r\n"
		     "role-%lld-%lld-student,,,user-%lld,primary,student,,,org-%lld,\r\n"
		     "role-%lld-%lld-student,,,user-%lld,primary,student,,,org-%lld,\r\n"
		     "role-%lld-%lld-teacher,,,user-%lld,primary,teacher,,,org-%lld,\r\n"
		     "role-%lld-%lld-teacher,,,user-%lld,primary,teacher,,,org-%lld,\r\n"
		     "role-%lld-%lld-student,,,user-%lld,secondary,student,,,org-%lld,\r\n",
		     inst_x, kim, kim, inst_x, inst_x, jane, jane, inst_x, inst_x, formula, formula,
		     inst_x, inst_x, quoted, quoted, inst_x, inst_x, teacher1, teacher1, inst_x,
		     inst_x, teacher2, teacher2, inst_x, inst_x, teacher2, teacher2, inst_x);
	/* By class, instructors first: a class's only instructor is its
	 * primary one. */
	assert_textf(archive_file(&a, "enrollments.csv"),
		     "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
		     "userSourcedId,role,primary,beginDate,endDate,metadata.certificateSerial\r\n"
		     "tch-%lld-%lld,,,class-%lld,org-%lld,user-%lld,teacher,false,,,\r\n"
		     "tch-%lld-%lld,,,class-%lld,org-%lld,user-%lld,teacher,false,,,\r\n"
		     "enr-%lld,,,class-%lld,org-%lld,user-%lld,student,,,,\r\n"
		     "enr-%lld,,,class-%lld,org-%lld,user-%lld,student,,,,\r\n"
		     "enr-%lld,,,class-%lld,org-%lld,user-%lld,student,,,,\r\n"
		     "tch-%lld-%lld,,,class-%lld,org-%lld,user-%lld,teacher,true,,,\r\n"
		     "enr-%lld,,,class-%lld,org-%lld,user-%lld,student,,,,\r\n"
		     "enr-%lld,,,class-%lld,org-%lld,user-%lld,student,,,,\r\n"
		     "enr-%lld,,,class-%lld,org-%lld,user-%lld,student,,,,\r\n",
		     s_open, teacher1, s_open, inst_x, teacher1, s_open, teacher2, s_open, inst_x,
		     teacher2, e_kim_open, s_open, inst_x, kim, e_jane, s_open, inst_x, jane,
		     e_formula, s_open, inst_x, formula, s_closed, teacher1, s_closed, inst_x,
		     teacher1, e_kim_closed, s_closed, inst_x, kim, e_quoted, s_closed, inst_x,
		     quoted, e_t2_closed, s_closed, inst_x, teacher2);
	archive_release(&a);
}

static void titles_follow_the_language_asked_for(void **state)
{
	struct archive a;

	pull(&x_token, PATH "?lang=en", &a);
	assert_non_null(strstr(archive_file(&a, "orgs.csv"), ",OneRoster University,school,"));
	assert_non_null(strstr(archive_file(&a, "academicSessions.csv"),
			       "term-2027-1,,,2027 semester 1,semester,"));
	assert_non_null(strstr(archive_file(&a, "courses.csv"), ",,,,AI Basics,ORP,"));
	assert_non_null(strstr(archive_file(&a, "classes.csv"), ",AI Basics (2027 semester 1),"));
	/* Names are no translation. */
	assert_non_null(strstr(archive_file(&a, "users.csv"), ",민수,김,"));
	archive_release(&a);
}

static void an_institution_without_classes_gets_headers(void **state)
{
	struct archive a;
	char path[128];

	snprintf(path, sizeof(path), PATH "?institution_id=%lld", inst_y);
	pull(&platform, path, &a);
	assert_textf(archive_file(&a, "orgs.csv"),
		     "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n"
		     "org-%lld,,,빈 회사,school,or_empty,\r\n",
		     inst_y);
	assert_string_equal(archive_file(&a, "classes.csv"),
			    "sourcedId,status,dateLastModified,title,grades,courseSourcedId,"
			    "classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,"
			    "subjectCodes,periods\r\n");
	assert_string_equal(archive_file(&a, "enrollments.csv"),
			    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
			    "userSourcedId,role,primary,beginDate,endDate,metadata.certificateSerial\r\n");
	archive_release(&a);
}

/* Lines of text (each ending in CRLF). */
static long long lines_of(const char *text)
{
	long long n = 0;

	for (const char *p = text; (p = strstr(p, "\r\n")); p += 2)
		n++;
	return n;
}

static void a_large_institution_is_read_in_batches(void **state)
{
	long long inst, course, section, first;
	struct archive a;
	char path[128], want[160];

	/* More rows than one fetch and more text than one spill of each file. */
	inst = sql_ll("INSERT INTO institutions (code, kind, name_ko, name_en) VALUES"
		      " ('or_large', 'university', '큰 대학', 'Large University') RETURNING id");
	course = course_of(inst, "BIG", "대형 강좌", "Big Course", true);
	section = section_of(course, "2027-1", "2027-03-02", "2027-06-30", "open");
	sql_ll("UPDATE sections SET capacity = 10000 WHERE id = %lld RETURNING 1", section);
	first = sql_ll("WITH u AS (INSERT INTO users (email, password_hash, display_name,"
		       " ladder_stage) SELECT 'or-many-' || i || '@example.com', 'x',"
		       " '학생' || i, 'worker' FROM generate_series(1, 4500) i RETURNING id)"
		       " SELECT min(id) FROM u");
	sql_ll("WITH e AS (INSERT INTO enrollments (user_id, section_id, status) SELECT id, %lld,"
	       " 'enrolled' FROM users WHERE email LIKE 'or-many-%%' RETURNING 1)"
	       " SELECT count(*) FROM e",
	       section);

	snprintf(path, sizeof(path), PATH "?institution_id=%lld", inst);
	pull(&platform, path, &a);
	assert_int_equal(lines_of(archive_file(&a, "users.csv")), 4501);
	assert_int_equal(lines_of(archive_file(&a, "roles.csv")), 4501);
	assert_int_equal(lines_of(archive_file(&a, "enrollments.csv")), 4501);
	/* In order, none lost or doubled at a batch's edge. */
	snprintf(want, sizeof(want), "\r\nuser-%lld,,,true,or-many-1@example.com,,학생1,학생1,",
		 first);
	assert_non_null(strstr(archive_file(&a, "users.csv"), want));
	snprintf(want, sizeof(want), "\r\nuser-%lld,,,true,or-many-4500@example.com,",
		 first + 4499);
	assert_non_null(strstr(archive_file(&a, "users.csv"), want));
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.oneroster'"
				" AND target_id = %lld AND (detail->'rows'->>'enrollments.csv')::int"
				" = 4500",
				inst),
			 1);
	archive_release(&a);
}

/* ---- who may pull it ---- */

static void who_may_pull_which_institution(void **state)
{
	struct archive a;
	char x[128], g[128];

	snprintf(x, sizeof(x), PATH "?institution_id=%lld", inst_x);
	snprintf(g, sizeof(g), PATH "?institution_id=%lld", gist);
	assert_refused(NULL, PATH, 401, "unauthenticated", NULL);
	assert_refused(&learner, x, 403, "forbidden", NULL);
	assert_refused(&instructor, x, 403, "forbidden", NULL);
	/* Another institution's admins and tokens: refused, whatever they
	 * name. */
	assert_refused(&jnu_admin, x, 403, "forbidden", NULL);
	assert_refused(&gist_admin, x, 403, "forbidden", NULL);
	assert_refused(&x_admin, g, 403, "forbidden", NULL);
	assert_refused(&x_token, g, 403, "forbidden", NULL);
	/* A token needs reports:read. */
	assert_refused(&x_audit_token, PATH, 403, "forbidden", NULL);
	/* The platform admin names one, which must exist. */
	assert_refused(&platform, PATH, 400, "validation_failed", "institution_id");
	assert_refused(&platform, PATH "?institution_id=987654321", 404, "not_found", NULL);
	assert_refused(&x_admin, PATH "?institution_id=abc", 400, "validation_failed",
		       "institution_id");
	assert_refused(&x_admin, PATH "?institution_id=-3", 400, "validation_failed",
		       "institution_id");

	/* Its own admins and tokens, named or not, and the platform admin. */
	pull(&x_admin, x, &a);
	archive_release(&a);
	pull(&x_token, PATH, &a);
	assert_non_null(strstr(archive_file(&a, "orgs.csv"), "or_univ"));
	archive_release(&a);
	pull(&platform, x, &a);
	assert_non_null(strstr(archive_file(&a, "enrollments.csv"), "enr-"));
	archive_release(&a);
	/* Nothing refused was recorded as read. */
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.oneroster'"
				" AND actor_user_id IN (%lld, %lld, %lld, %lld)",
				jnu_admin.user_id, gist_admin.user_id, learner.user_id,
				instructor.user_id),
			 0);
}

static void another_institution_sees_none_of_xs_data(void **state)
{
	struct archive a;
	char want[64];

	pull(&jnu_admin, PATH, &a);
	snprintf(want, sizeof(want), "org-%lld,", jnu);
	assert_non_null(strstr(archive_file(&a, "orgs.csv"), want));
	/* Its own class, with both its learners: kim too, who also learns
	 * at X, but none of kim's enrolments at X. */
	snprintf(want, sizeof(want), "class-%lld,", s_j);
	assert_non_null(strstr(archive_file(&a, "classes.csv"), want));
	assert_non_null(strstr(archive_file(&a, "users.csv"), "or-jnu@example.com"));
	assert_non_null(strstr(archive_file(&a, "users.csv"), "or-kim@example.com"));
	snprintf(want, sizeof(want), "enr-%lld,", e_kim_j);
	assert_non_null(strstr(archive_file(&a, "enrollments.csv"), want));
	for (size_t i = 0; i < a.n; i++) {
		const char *t = a.texts[i];

		assert_null(strstr(t, "or_univ"));
		assert_null(strstr(t, "원로스터"));
		assert_null(strstr(t, "or-jane@example.com"));
		assert_null(strstr(t, "or-formula@example.com"));
		snprintf(want, sizeof(want), "org-%lld,", inst_x);
		assert_null(strstr(t, want));
		snprintf(want, sizeof(want), "class-%lld,", s_open);
		assert_null(strstr(t, want));
		snprintf(want, sizeof(want), "enr-%lld,", e_kim_open);
		assert_null(strstr(t, want));
		snprintf(want, sizeof(want), "course-%lld,", course_p);
		assert_null(strstr(t, want));
	}
	archive_release(&a);
}

/* ---- the audit trail ---- */

static void every_pull_is_audited_with_its_rows(void **state)
{
	long long before = sql_ll("SELECT count(*) FROM audit_log WHERE action ="
				  " 'report.oneroster' AND actor_user_id = %lld",
				  x_admin.user_id);
	struct archive a;

	pull(&x_admin, PATH, &a);
	archive_release(&a);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.oneroster'"
				" AND actor_user_id = %lld AND target_type = 'institution'"
				" AND target_id = %lld AND institution_id = %lld"
				" AND detail->>'format' = 'oneroster-1.2'"
				" AND detail->>'lang' = 'ko'"
				" AND detail->'rows' = '{\"orgs.csv\": 1, \"academicSessions.csv\": 2,"
				" \"courses.csv\": 3, \"classes.csv\": 3, \"users.csv\": 6,"
				" \"roles.csv\": 7, \"enrollments.csv\": 9}'::jsonb",
				x_admin.user_id, inst_x, inst_x),
			 before + 1);
	/* A token's pull names the token. */
	pull(&x_token, PATH, &a);
	archive_release(&a);
	assert_true(sql_ll("SELECT count(*) FROM audit_log WHERE action = 'report.oneroster'"
			   " AND actor_token_id IS NOT NULL AND institution_id = %lld",
			   inst_x) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(archive_holds_the_manifest_and_seven_files),
		cmocka_unit_test(every_header_is_the_bindings_to_the_letter),
		cmocka_unit_test(files_hold_the_institutions_classes_row_by_row),
		cmocka_unit_test(users_roles_and_enrollments_of_those_classes),
		cmocka_unit_test(titles_follow_the_language_asked_for),
		cmocka_unit_test(an_institution_without_classes_gets_headers),
		cmocka_unit_test(a_large_institution_is_read_in_batches),
		cmocka_unit_test(who_may_pull_which_institution),
		cmocka_unit_test(another_institution_sees_none_of_xs_data),
		cmocka_unit_test(every_pull_is_audited_with_its_rows),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
