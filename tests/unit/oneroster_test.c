/* oneroster_test.c - unit tests for the OneRoster 1.2 CSV files: headers,
 * manifest, rows, quoting and the split of display names */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/reports/oneroster.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define ORG 7

/* The headers of the OneRoster 1.2 CSV binding, written out here again so
 * that a change to the module's table cannot pass unnoticed. Each comes
 * from 1EdTech OneRoster: CSV Binding 1.2.1, section 3 "CSV Format", the
 * table of the file named, its rows read top to bottom. */
static const char *const want_headers[ONEROSTER_NFILES] = {
	/* section 3, orgs.csv */
	[ONEROSTER_ORGS] = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
	/* section 3, academicSessions.csv */
	[ONEROSTER_ACADEMIC_SESSIONS] = "sourcedId,status,dateLastModified,title,type,startDate,"
					"endDate,parentSourcedId,schoolYear",
	/* section 3, courses.csv */
	[ONEROSTER_COURSES] = "sourcedId,status,dateLastModified,schoolYearSourcedId,title,"
			      "courseCode,grades,orgSourcedId,subjects,subjectCodes",
	/* section 3, classes.csv */
	[ONEROSTER_CLASSES] = "sourcedId,status,dateLastModified,title,grades,courseSourcedId,"
			      "classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,"
			      "subjectCodes,periods",
	/* section 3, users.csv: 23 columns, resourceSourcedIds the 18th */
	[ONEROSTER_USERS] = "sourcedId,status,dateLastModified,enabledUser,username,userIds,"
			    "givenName,familyName,middleName,identifier,email,sms,phone,"
			    "agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,"
			    "preferredGivenName,preferredMiddleName,preferredFamilyName,"
			    "primaryOrgSourcedId,pronouns",
	/* section 3, roles.csv */
	[ONEROSTER_ROLES] = "sourcedId,status,dateLastModified,userSourcedId,roleType,role,"
			    "beginDate,endDate,orgSourcedId,userProfileSourcedId",
	/* section 3, enrollments.csv, and our extension column (metadata.*) */
	[ONEROSTER_ENROLLMENTS] = "sourcedId,status,dateLastModified,classSourcedId,"
				  "schoolSourcedId,userSourcedId,role,primary,beginDate,endDate,"
				  "metadata.certificateSerial",
};

static const char *const want_names[ONEROSTER_NFILES] = {
	"orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv",
	"users.csv", "roles.csv", "enrollments.csv",
};

/* The fields of one CSV record of RFC 4180 (quotes undone), at most max. */
static int fields_of(const char *line, size_t len, char fields[][256], int max)
{
	int n = 0;
	size_t i = 0;

	for (;;) {
		size_t o = 0;
		bool quoted = i < len && line[i] == '"';

		if (n == max)
			return -1;
		if (quoted)
			i++;
		while (i < len) {
			if (quoted && line[i] == '"' && i + 1 < len && line[i + 1] == '"') {
				i++;
			} else if (quoted && line[i] == '"') {
				i++;
				break;
			} else if (!quoted && line[i] == ',') {
				break;
			}
			if (o < 255)
				fields[n][o++] = line[i];
			i++;
		}
		fields[n++][o] = '\0';
		if (i >= len)
			return n;
		assert_int_equal(line[i], ',');
		i++;
	}
}

/* The data rows of file f of x (header aside) as text, each ending in
 * CRLF. */
static const char *rows_of(const struct oneroster_export *x, enum oneroster_file f, size_t *len)
{
	const struct csv_writer *w = &x->files[f];
	size_t h = strlen(want_headers[f]) + 2;

	assert_true(w->len >= h);
	*len = w->len - h;
	return w->data + h;
}

/* Fails unless file f of x holds, after its header, exactly want. */
static void assert_rows(const struct oneroster_export *x, enum oneroster_file f, const char *want)
{
	size_t len;
	const char *got = rows_of(x, f, &len);

	if (len != strlen(want) || memcmp(got, want, len) != 0)
		fail_msg("%s: expected\n[%s]\ngot\n[%.*s]", want_names[f], want, (int)len, got);
}

/* Every record of file f has as many fields as its header. */
static void assert_columns(const struct oneroster_export *x, enum oneroster_file f)
{
	static char fields[64][256];
	const struct csv_writer *w = &x->files[f];
	int columns = fields_of(want_headers[f], strlen(want_headers[f]), fields, 64);

	for (size_t at = 0; at < w->len;) {
		const char *line = w->data + at, *end = line;
		bool quoted = false;

		/* A record ends at a CRLF outside quotes. */
		while (end < w->data + w->len && (quoted || end[0] != '\r' || end[1] != '\n')) {
			if (*end == '"')
				quoted = !quoted;
			end++;
		}
		assert_true(end < w->data + w->len);
		if (fields_of(line, (size_t)(end - line), fields, 64) != columns)
			fail_msg("%s: a record without %d fields: %.*s", want_names[f], columns,
				 (int)(end - line), line);
		at = (size_t)(end - w->data) + 2;
	}
}

static void export_init(struct oneroster_export *x, const char *lang)
{
	assert_int_equal(oneroster_export_init(x, ORG, lang), 0);
}

static void add(struct oneroster_export *x, enum oneroster_file f, struct oneroster_row r)
{
	assert_int_equal(oneroster_row_add(x, f, &r), 0);
}

/* ---- files ---- */

static void files_are_named_and_headed_as_the_binding_says(void **state)
{
	struct oneroster_export x;

	export_init(&x, "ko");
	for (int f = 0; f < ONEROSTER_NFILES; f++) {
		char want[1024];

		assert_string_equal(oneroster_file_name(f), want_names[f]);
		assert_string_equal(oneroster_file_header(f), want_headers[f]);
		/* No byte order mark, CRLF, nothing else yet. */
		snprintf(want, sizeof(want), "%s\r\n", want_headers[f]);
		assert_int_equal(x.files[f].len, strlen(want));
		assert_memory_equal(x.files[f].data, want, strlen(want));
		assert_int_equal(x.rows[f], 0);
	}
	assert_string_equal(oneroster_file_name(ONEROSTER_NFILES), "");
	oneroster_export_release(&x);
}

static void manifest_names_every_file_bulk_or_absent(void **state)
{
	struct csv_writer w;
	const char *want = "propertyName,value\r\n"
			   "manifest.version,1.0\r\n"
			   "oneroster.version,1.2\r\n"
			   "file.academicSessions,bulk\r\n"
			   "file.categories,absent\r\n"
			   "file.classes,bulk\r\n"
			   "file.classResources,absent\r\n"
			   "file.courses,bulk\r\n"
			   "file.courseResources,absent\r\n"
			   "file.demographics,absent\r\n"
			   "file.enrollments,bulk\r\n"
			   "file.lineItemLearningObjectiveIds,absent\r\n"
			   "file.lineItems,absent\r\n"
			   "file.lineItemScoreScales,absent\r\n"
			   "file.orgs,bulk\r\n"
			   "file.resources,absent\r\n"
			   "file.resultLearningObjectiveIds,absent\r\n"
			   "file.results,absent\r\n"
			   "file.resultScoreScales,absent\r\n"
			   "file.roles,bulk\r\n"
			   "file.scoreScales,absent\r\n"
			   "file.userProfiles,absent\r\n"
			   "file.userResources,absent\r\n"
			   "file.users,bulk\r\n"
			   "source.systemName,Gwangju AI Talent Platform\r\n"
			   "source.systemCode,lms\r\n";

	assert_int_equal(csv_writer_init(&w, false), 0);
	assert_int_equal(oneroster_manifest_write(&w), 0);
	if (w.len != strlen(want) || memcmp(w.data, want, w.len) != 0)
		fail_msg("expected\n%s\ngot\n%.*s", want, (int)w.len, w.data);
	csv_writer_release(&w);
}

/* ---- rows ---- */

static void org_is_a_school_identified_by_its_code(void **state)
{
	struct oneroster_export x;

	export_init(&x, "ko");
	add(&x, ONEROSTER_ORGS, (struct oneroster_row){.id = ORG, .code = "gist",
							.title = "광주과학기술원"});
	assert_rows(&x, ONEROSTER_ORGS, "org-7,,,광주과학기술원,school,gist,\r\n");
	assert_int_equal(x.rows[ONEROSTER_ORGS], 1);
	assert_columns(&x, ONEROSTER_ORGS);
	oneroster_export_release(&x);
}

static void terms_are_titled_typed_and_dated(void **state)
{
	static const char *const terms[] = {"2027-1", "2027-2", "2027-summer", "2026-winter",
					    "2027-c3", "2027-c12"};
	struct oneroster_export ko, en;

	export_init(&ko, "ko");
	export_init(&en, "en");
	for (size_t i = 0; i < NELEMS(terms); i++) {
		struct oneroster_row r = {.code = terms[i], .starts_on = "2027-03-02",
					  .ends_on = "2027-06-30"};

		add(&ko, ONEROSTER_ACADEMIC_SESSIONS, r);
		add(&en, ONEROSTER_ACADEMIC_SESSIONS, r);
	}
	/* The school year is the term's: the Korean academic year. */
	assert_rows(&ko, ONEROSTER_ACADEMIC_SESSIONS,
		    "term-2027-1,,,2027년 1학기,semester,2027-03-02,2027-06-30,,2027\r\n"
		    "term-2027-2,,,2027년 2학기,semester,2027-03-02,2027-06-30,,2027\r\n"
		    "term-2027-summer,,,2027년 여름학기,term,2027-03-02,2027-06-30,,2027\r\n"
		    "term-2026-winter,,,2026년 겨울학기,term,2027-03-02,2027-06-30,,2026\r\n"
		    /* Cohorts (기수) of the Academy and the regional centres. */
		    "term-2027-c3,,,2027년 3기,term,2027-03-02,2027-06-30,,2027\r\n"
		    "term-2027-c12,,,2027년 12기,term,2027-03-02,2027-06-30,,2027\r\n");
	assert_rows(&en, ONEROSTER_ACADEMIC_SESSIONS,
		    "term-2027-1,,,2027 semester 1,semester,2027-03-02,2027-06-30,,2027\r\n"
		    "term-2027-2,,,2027 semester 2,semester,2027-03-02,2027-06-30,,2027\r\n"
		    "term-2027-summer,,,2027 summer term,term,2027-03-02,2027-06-30,,2027\r\n"
		    "term-2026-winter,,,2026 winter term,term,2027-03-02,2027-06-30,,2026\r\n"
		    "term-2027-c3,,,2027 Cohort 3,term,2027-03-02,2027-06-30,,2027\r\n"
		    "term-2027-c12,,,2027 Cohort 12,term,2027-03-02,2027-06-30,,2027\r\n");
	assert_int_equal(ko.rows[ONEROSTER_ACADEMIC_SESSIONS], 6);
	assert_columns(&ko, ONEROSTER_ACADEMIC_SESSIONS);
	oneroster_export_release(&ko);
	oneroster_export_release(&en);
}

static void courses_and_classes_refer_to_the_org_course_and_term(void **state)
{
	struct oneroster_export x;

	export_init(&x, "ko");
	add(&x, ONEROSTER_COURSES,
	    (struct oneroster_row){.id = 31, .code = "AI-101", .title = "인공지능 기초"});
	add(&x, ONEROSTER_CLASSES,
	    (struct oneroster_row){.id = 502, .course_id = 31, .code = "AI-101",
				   .title = "인공지능 기초", .term = "2027-1"});
	assert_rows(&x, ONEROSTER_COURSES, "course-31,,,,인공지능 기초,AI-101,,org-7,,\r\n");
	assert_rows(&x, ONEROSTER_CLASSES,
		    "class-502,,,인공지능 기초 (2027년 1학기),,course-31,AI-101-502,scheduled,,"
		    "org-7,term-2027-1,,,\r\n");
	assert_columns(&x, ONEROSTER_COURSES);
	assert_columns(&x, ONEROSTER_CLASSES);
	oneroster_export_release(&x);
}

static void cells_are_quoted_and_formulas_neutralised(void **state)
{
	struct oneroster_export x;

	export_init(&x, "en");
	add(&x, ONEROSTER_COURSES,
	    (struct oneroster_row){.id = 1, .code = "Q1", .title = "Data, \"big\"\nand small"});
	add(&x, ONEROSTER_COURSES, (struct oneroster_row){.id = 2, .code = "F1", .title = "=1+2"});
	add(&x, ONEROSTER_CLASSES, (struct oneroster_row){.id = 3, .course_id = 1, .code = "Q1",
							   .title = "A, B", .term = "2027-2"});
	assert_rows(&x, ONEROSTER_COURSES,
		    "course-1,,,,\"Data, \"\"big\"\"\nand small\",Q1,,org-7,,\r\n"
		    "course-2,,,,'=1+2,F1,,org-7,,\r\n");
	assert_rows(&x, ONEROSTER_CLASSES,
		    "class-3,,,\"A, B (2027 semester 2)\",,course-1,Q1-3,scheduled,,org-7,"
		    "term-2027-2,,,\r\n");
	assert_columns(&x, ONEROSTER_COURSES);
	assert_columns(&x, ONEROSTER_CLASSES);
	oneroster_export_release(&x);
}

static void users_get_split_names_and_their_roles(void **state)
{
	struct oneroster_export x;

	export_init(&x, "ko");
	add(&x, ONEROSTER_USERS, (struct oneroster_row){.id = 11, .title = "김민수",
							 .email = "minsu@example.com",
							 .student = true});
	add(&x, ONEROSTER_USERS, (struct oneroster_row){.id = 12, .title = "Jane Q. Doe",
							 .email = "jane@example.com",
							 .teacher = true});
	add(&x, ONEROSTER_USERS, (struct oneroster_row){.id = 13, .title = "남궁 민",
							 .email = "ng@example.com",
							 .teacher = true, .student = true});
	assert_rows(&x, ONEROSTER_USERS,
		    "user-11,,,true,minsu@example.com,,민수,김,,,minsu@example.com,,,,,,,,,,,,\r\n"
		    "user-12,,,true,jane@example.com,,Jane Q.,Doe,,,jane@example.com,,,,,,,,,,,,\r\n"
		    "user-13,,,true,ng@example.com,,민,남궁,,,ng@example.com,,,,,,,,,,,,\r\n");
	/* One primary role each at the institution: teaching comes first. */
	assert_rows(&x, ONEROSTER_ROLES,
		    "role-7-11-student,,,user-11,primary,student,,,org-7,\r\n"
		    "role-7-12-teacher,,,user-12,primary,teacher,,,org-7,\r\n"
		    "role-7-13-teacher,,,user-13,primary,teacher,,,org-7,\r\n"
		    "role-7-13-student,,,user-13,secondary,student,,,org-7,\r\n");
	assert_int_equal(x.rows[ONEROSTER_USERS], 3);
	assert_int_equal(x.rows[ONEROSTER_ROLES], 4);
	assert_columns(&x, ONEROSTER_USERS);
	assert_columns(&x, ONEROSTER_ROLES);
	oneroster_export_release(&x);
}

static void enrollments_of_students_and_teachers(void **state)
{
	struct oneroster_export x;

	export_init(&x, "ko");
	add(&x, ONEROSTER_ENROLLMENTS, (struct oneroster_row){.id = 900, .section_id = 502,
							       .user_id = 11,
							       .certificate_serial = "GJAI-2026-7F4J-WG08-H6PM"});
	add(&x, ONEROSTER_ENROLLMENTS, (struct oneroster_row){.section_id = 502, .user_id = 12,
							       .teacher = true, .primary = true});
	add(&x, ONEROSTER_ENROLLMENTS, (struct oneroster_row){.section_id = 503, .user_id = 12,
							       .teacher = true});
	assert_rows(&x, ONEROSTER_ENROLLMENTS,
		    "enr-900,,,class-502,org-7,user-11,student,,,,GJAI-2026-7F4J-WG08-H6PM\r\n"
		    "tch-502-12,,,class-502,org-7,user-12,teacher,true,,,\r\n"
		    "tch-503-12,,,class-503,org-7,user-12,teacher,false,,,\r\n");
	assert_int_equal(x.rows[ONEROSTER_ENROLLMENTS], 3);
	assert_columns(&x, ONEROSTER_ENROLLMENTS);
	oneroster_export_release(&x);
}

static void roles_have_no_source_of_their_own(void **state)
{
	struct oneroster_export x;
	struct oneroster_row r = {.id = 1};

	export_init(&x, "ko");
	assert_int_equal(oneroster_row_add(&x, ONEROSTER_ROLES, &r), LMS_EINVAL);
	assert_int_equal(oneroster_row_add(&x, ONEROSTER_NFILES, &r), LMS_EINVAL);
	assert_int_equal(x.rows[ONEROSTER_ROLES], 0);
	oneroster_export_release(&x);
}

/* ---- names ---- */

static void assert_split(const char *name, const char *given, const char *family)
{
	struct oneroster_name n;

	oneroster_name_split(name, &n);
	if (n.given_len != strlen(given) || strncmp(n.given, given, n.given_len) != 0 ||
	    n.family_len != strlen(family) || strncmp(n.family, family, n.family_len) != 0)
		fail_msg("\"%s\": expected given \"%s\" family \"%s\", got \"%.*s\" \"%.*s\"",
			 name ? name : "(null)", given, family, (int)n.given_len, n.given,
			 (int)n.family_len, n.family);
}

static void names_split_korean_and_western_order(void **state)
{
	/* Hangul alone: one syllable of family name, two for the double
	 * family names. */
	assert_split("김민수", "민수", "김");
	assert_split("박지성", "지성", "박");
	assert_split("이훈", "훈", "이");
	assert_split("남궁민수", "민수", "남궁");
	assert_split("제갈공명", "공명", "제갈");
	assert_split("황보관", "관", "황보");
	/* Two syllables are a family name and a given name, even these. */
	assert_split("선우", "우", "선");
	/* With a space: Hangul first is Korean order, the rest Western. */
	assert_split("홍 길동", "길동", "홍");
	assert_split("남궁  민 수", "민 수", "남궁");
	assert_split("Jane Doe", "Jane", "Doe");
	assert_split("Jane Q. Doe", "Jane Q.", "Doe");
	assert_split("  Kim   Lee  ", "Kim", "Lee");
	assert_split("Kim, \"Q\"", "Kim,", "\"Q\"");
}

static void names_that_cannot_split_are_both(void **state)
{
	assert_split("Admin", "Admin", "Admin");
	assert_split("김", "김", "김");
	assert_split("김민수abc", "김민수abc", "김민수abc");
	assert_split("가나다라마바", "가나다라마바", "가나다라마바");
	assert_split("=cmd|' /C calc'!A0", "=cmd|' /C", "calc'!A0");
	assert_split(" 김민수 ", "민수", "김");
	assert_split("", "", "");
	assert_split("   ", "", "");
	assert_split(NULL, "", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(files_are_named_and_headed_as_the_binding_says),
		cmocka_unit_test(manifest_names_every_file_bulk_or_absent),
		cmocka_unit_test(org_is_a_school_identified_by_its_code),
		cmocka_unit_test(terms_are_titled_typed_and_dated),
		cmocka_unit_test(courses_and_classes_refer_to_the_org_course_and_term),
		cmocka_unit_test(cells_are_quoted_and_formulas_neutralised),
		cmocka_unit_test(users_get_split_names_and_their_roles),
		cmocka_unit_test(enrollments_of_students_and_teachers),
		cmocka_unit_test(roles_have_no_source_of_their_own),
		cmocka_unit_test(names_split_korean_and_western_order),
		cmocka_unit_test(names_that_cannot_split_are_both),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
