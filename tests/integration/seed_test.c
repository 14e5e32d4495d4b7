/* seed_test.c - lms seed: the demo catalogue, loaded twice, and the
 * benchmark catalogue, on a fresh scratch database */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static char conninfo[1024], env_db[1100], env_mig[PATH_MAX + 32], out[16384];
static const char *const env[] = {env_db, env_mig, "LMS_PASSWORD_HASH_ITERATIONS=1000", NULL};

/* Row counts of every table the demo data fills, as one string. */
#define COUNTS_SQL                                                                       \
	"SELECT concat_ws(' ', (SELECT count(*) FROM institutions),"                     \
	" (SELECT count(*) FROM programs), (SELECT count(*) FROM courses),"              \
	" (SELECT count(*) FROM course_prerequisites), (SELECT count(*) FROM sections),"  \
	" (SELECT count(*) FROM section_instructors),"                                   \
	" (SELECT count(*) FROM course_modules), (SELECT count(*) FROM lessons),"         \
	" (SELECT count(*) FROM facilities), (SELECT count(*) FROM facility_loans),"      \
	" (SELECT count(*) FROM users), (SELECT count(*) FROM user_roles))"

/* Runs lms with argv against the scratch database; returns its exit
 * status and prints how long it took. */
static int lms(const char *const *argv)
{
	double t0 = harness_now();
	int rc = harness_lms_run(argv, env, out, sizeof(out));

	fprintf(stderr, "lms seed %s%s%s: exit %d in %.2f s\n", argv[1] ? argv[1] : "",
		argv[1] && argv[2] ? " " : "", argv[1] && argv[2] ? argv[2] : "", rc,
		harness_now() - t0);
	return rc;
}

/* The number a query on the scratch database gives; -1 when it fails. */
static long long count(const char *sql)
{
	return harness_sql_ll(conninfo, sql);
}

static int setup(void **state)
{
	if (harness_db_create("seed", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0)
		return -1;
	snprintf(env_db, sizeof(env_db), "LMS_DATABASE_URL=%s", conninfo);
	snprintf(env_mig, sizeof(env_mig), "LMS_MIGRATIONS_DIR=%s/migrations",
		 harness_source_dir());
	return 0;
}

static void demo_twice_changes_nothing(void **state)
{
	const char *argv[] = {"seed", "--demo", NULL};
	char first[256], second[256];

	assert_int_equal(lms(argv), 0);
	assert_contains(out, "demo data loaded");
	assert_int_equal(harness_sql_value(conninfo, COUNTS_SQL, first, sizeof(first)), 0);
	assert_int_equal(lms(argv), 0);
	assert_int_equal(harness_sql_value(conninfo, COUNTS_SQL, second, sizeof(second)), 0);
	assert_string_equal(first, second);
	/* and the content of a programme is not rewritten */
	assert_int_equal(count("SELECT count(*) FROM programs WHERE xmin::text::bigint <>"
			       " (SELECT min(xmin::text::bigint) FROM programs)"),
			 0);
}

static void institutions_once_each(void **state)
{
	assert_int_equal(count("SELECT count(*) FROM institutions"), 22);
	assert_int_equal(count("SELECT count(*) FROM institutions WHERE is_partner"), 8);
	assert_int_equal(count("SELECT count(*) FROM institutions WHERE is_regional_center"), 15);
	assert_int_equal(count("SELECT count(*) FROM institutions WHERE code = 'jnu' AND"
			       " is_partner AND is_regional_center"),
			 1);
	assert_int_equal(count("SELECT count(*) FROM institutions WHERE code IN ('gist', 'jnu')"),
			 2);
}

static void programmes_and_their_rules(void **state)
{
	static const struct {
		const char *code, *stages, *affiliation, *approval, *attendance;
	} want[] = {
		{"ai_academy", "general job_seeker worker", "f", "f", "80"},
		{"ai_do_dream", "general job_seeker worker", "f", "f", "80"},
		{"corporate_university", "public_servant worker", "t", "f", "-"},
		{"science_academy", "elementary high middle", "f", "f", "-"},
		{"university_track", "graduate undergraduate", "f", "f", "-"},
		{"graduate_school", "graduate", "f", "f", "-"},
		{"online",
		 "elementary general graduate high job_seeker middle preschool public_servant "
		 "undergraduate worker",
		 "f", "f", "-"},
		{"startup_support", "general graduate job_seeker worker", "f", "t", "-"},
		{"regional_center", "worker", "t", "f", "-"},
	};
	char sql[512], got[512], expect[512];

	assert_int_equal(count("SELECT count(*) FROM programs"), 9);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT concat_ws('|', (SELECT string_agg(s, ' ' ORDER BY s)"
			 " FROM unnest(allowed_stages) s), affiliation_required, approval_required,"
			 " coalesce(min_attendance_pct::text, '-'),"
			 " name_ko <> '' AND name_en <> '' AND summary_ko <> '' AND summary_en <> '')"
			 " FROM programs WHERE code = '%s'",
			 want[i].code);
		snprintf(expect, sizeof(expect), "%s|%s|%s|%s|t", want[i].stages, want[i].affiliation,
			 want[i].approval, want[i].attendance);
		if (harness_sql_value(conninfo, sql, got, sizeof(got)) != 0)
			fail_msg("programme %s is missing", want[i].code);
		assert_string_equal(got, expect);
	}
	assert_int_equal(count("SELECT count(*) FROM programs WHERE name_ko = '인공지능사관학교'"), 1);
}

static void a_few_hundred_courses_in_two_languages(void **state)
{
	long long n = count("SELECT count(*) FROM courses");

	assert_true(n >= 250 && n <= 350);
	assert_int_equal(count("SELECT count(*) FROM courses WHERE title_ko !~ '[가-힣]'"
			       " OR title_en = '' OR title_en ~ '[가-힣]' OR summary_ko !~ '[가-힣]'"
			       " OR summary_en = '' OR cardinality(tags) = 0"),
			 0);
	/* every programme offers courses */
	assert_int_equal(count("SELECT count(DISTINCT program_id) FROM courses"), 9);
	/* words the search must find, two-syllable ones included */
	assert_true(count("SELECT count(*) FROM courses WHERE title_ko LIKE '%인공지능%'") > 0);
	assert_true(count("SELECT count(*) FROM courses WHERE title_ko LIKE '%코딩%'") > 0);
	assert_true(count("SELECT count(*) FROM courses WHERE title_ko LIKE '%로봇%'") > 0);
	assert_true(count("SELECT count(*) FROM courses WHERE title_ko LIKE '%교육%'") > 0);
	assert_true(count("SELECT count(*) FROM courses WHERE title_ko LIKE '%데이터%'") > 0);
	/* regional centres teach their region's industries */
	assert_true(count("SELECT count(*) FROM courses c JOIN institutions i ON"
			  " i.id = c.institution_id WHERE i.code = 'unist'"
			  " AND c.title_ko LIKE '%조선%'") > 0);
	assert_true(count("SELECT count(*) FROM courses c JOIN institutions i ON"
			  " i.id = c.institution_id WHERE i.code = 'deu'"
			  " AND c.title_ko LIKE '%항만%'") > 0);
	assert_int_equal(count("SELECT count(DISTINCT c.institution_id) FROM courses c JOIN"
			       " programs p ON p.id = c.program_id WHERE p.code = 'regional_center'"),
			 15);
	/* variety, rungs of the ladder, a few unpublished */
	assert_int_equal(count("SELECT count(DISTINCT delivery) FROM courses"), 3);
	assert_int_equal(count("SELECT count(DISTINCT level) FROM courses"), 3);
	assert_true(count("SELECT count(*) FROM course_prerequisites") > 10);
	assert_int_equal(count("SELECT count(*) FROM course_prerequisites r JOIN courses a ON"
			       " a.id = r.course_id JOIN courses b ON b.id = r.prerequisite_id"
			       " WHERE a.institution_id <> b.institution_id"),
			 0);
	n = count("SELECT count(*) FROM courses WHERE NOT published");
	assert_true(n > 0 && n < 20);
}

/* The names of the next two terms after today in Korea, worked out here
 * independently of the seed: 1 starts on 2 March, 2 on 1 September. */
static void next_terms(char a[16], char b[16])
{
	time_t t = time(NULL) + 9 * 3600;
	struct tm tm;
	int y, m, d;

	gmtime_r(&t, &tm);
	y = tm.tm_year + 1900;
	m = tm.tm_mon + 1;
	d = tm.tm_mday;
	if (m < 3 || (m == 3 && d < 2)) {
		snprintf(a, 16, "%d-1", y);
		snprintf(b, 16, "%d-2", y);
	} else if (m < 9) {
		snprintf(a, 16, "%d-2", y);
		snprintf(b, 16, "%d-1", y + 1);
	} else {
		snprintf(a, 16, "%d-1", y + 1);
		snprintf(b, 16, "%d-2", y + 1);
	}
}

static void sections_in_the_next_two_terms(void **state)
{
	char a[16], b[16], sql[512];

	next_terms(a, b);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sections WHERE term NOT IN ('%s', '%s')",
		 a, b);
	assert_int_equal(count(sql), 0);
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT term) FROM sections WHERE term IN"
				   " ('%s', '%s')", a, b);
	assert_int_equal(count(sql), 2);
	assert_int_equal(count("SELECT count(*) FROM courses c WHERE NOT EXISTS"
			       " (SELECT 1 FROM sections s WHERE s.course_id = c.id)"),
			 0);
	assert_int_equal(count("SELECT count(*) FROM sections WHERE capacity NOT BETWEEN 15 AND 40"
			       " OR starts_on <= current_date OR ends_on <= starts_on"),
			 0);
	/* mostly open, a few of every other status */
	assert_true(count("SELECT count(*) FROM sections WHERE status = 'open'") >
		    count("SELECT count(*) FROM sections") * 3 / 4);
	assert_true(count("SELECT count(*) FROM sections WHERE status = 'draft'") > 0);
	assert_true(count("SELECT count(*) FROM sections WHERE status = 'closed'") > 0);
	assert_true(count("SELECT count(*) FROM sections WHERE status = 'cancelled'") > 0);
	assert_int_equal(count("SELECT count(*) FROM sections s JOIN courses c ON"
			       " c.id = s.course_id WHERE NOT c.published AND s.status <> 'draft'"),
			 0);
	/* windows open now, not yet open, and closed */
	assert_true(count("SELECT count(*) FROM sections WHERE now() BETWEEN"
			  " enrollment_opens_at AND enrollment_closes_at") > 0);
	assert_true(count("SELECT count(*) FROM sections WHERE enrollment_opens_at > now()") > 0);
	assert_true(count("SELECT count(*) FROM sections WHERE enrollment_closes_at < now()") > 0);
	/* a section to try enrolment with at once */
	assert_true(count("SELECT count(*) FROM sections s JOIN courses c ON c.id = s.course_id"
			  " WHERE s.capacity = 30 AND s.status = 'open' AND c.published AND"
			  " s.enrollment_opens_at < now() - interval '300 days' AND"
			  " s.enrollment_closes_at >= s.ends_on") > 0);
}

static void instructors_and_their_sections(void **state)
{
	/* the demo instructor teaches at GIST and, shared, at Chonnam */
	assert_true(count("SELECT count(*) FROM section_instructors si JOIN users u ON"
			  " u.id = si.user_id JOIN sections s ON s.id = si.section_id JOIN courses c"
			  " ON c.id = s.course_id JOIN institutions i ON i.id = c.institution_id"
			  " WHERE u.email = 'instructor@example.com' AND i.code = 'gist'") >= 3);
	assert_true(count("SELECT count(*) FROM section_instructors si JOIN users u ON"
			  " u.id = si.user_id JOIN sections s ON s.id = si.section_id JOIN courses c"
			  " ON c.id = s.course_id JOIN institutions i ON i.id = c.institution_id"
			  " WHERE u.email = 'instructor@example.com' AND i.code = 'jnu'") >= 1);
	/* more instructors, each an instructor of an institution, with the demo
	 * password at the configured cost */
	assert_true(count("SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id"
			  " WHERE u.email LIKE 'instructor_%@example.com' AND r.role = 'instructor'"
			  " AND u.password_hash LIKE 'pbkdf2_sha256$1000$%'") >= 5);
	/* everyone assigned to a section holds the instructor role */
	assert_int_equal(count("SELECT count(*) FROM section_instructors si WHERE NOT EXISTS"
			       " (SELECT 1 FROM user_roles r WHERE r.user_id = si.user_id"
			       " AND r.role = 'instructor')"),
			 0);
}

static void content_and_facilities(void **state)
{
	/* every GIST and AI Academy course has 3-4 modules of 2-3 lessons */
	assert_int_equal(count("SELECT count(*) FROM courses c JOIN institutions i ON"
			       " i.id = c.institution_id JOIN programs p ON p.id = c.program_id"
			       " WHERE (i.code = 'gist' OR p.code = 'ai_academy') AND"
			       " (SELECT count(*) FROM course_modules m WHERE m.course_id = c.id)"
			       " NOT BETWEEN 3 AND 4"),
			 0);
	assert_int_equal(count("SELECT count(*) FROM course_modules m WHERE"
			       " (SELECT count(*) FROM lessons l WHERE l.module_id = m.id)"
			       " NOT BETWEEN 2 AND 3"),
			 0);
	assert_true(count("SELECT count(*) FROM lessons WHERE kind = 'text' AND body_md LIKE"
			  " '%# %' AND body_md LIKE '%```python%' AND body_md ~ '[가-힣]'") > 0);
	assert_true(count("SELECT count(*) FROM lessons WHERE kind = 'video'"
			  " AND url LIKE 'https://%'") > 0);
	assert_true(count("SELECT count(*) FROM lessons WHERE kind = 'link'"
			  " AND url LIKE 'https://%'") > 0);
	assert_true(count("SELECT count(DISTINCT institution_id) FROM facilities") >= 5);
	assert_true(count("SELECT count(*) FROM facility_loans l JOIN facilities f ON"
			  " f.id = l.facility_id WHERE l.institution_id <> f.institution_id") > 0);
}

static void bench_creates_and_skips(void **state)
{
	const char *argv[] = {"seed", "--bench", "500", NULL};

	assert_int_equal(lms(argv), 0);
	assert_contains(out, "500 of BENCH-000001..BENCH-000500 created");
	assert_int_equal(count("SELECT count(*) FROM courses WHERE code LIKE 'BENCH-%'"), 500);
	assert_int_equal(count("SELECT count(*) FROM courses WHERE code LIKE 'BENCH-%'"
			       " AND published AND title_ko ~ '[가-힣]' AND title_en <> ''"),
			 500);
	assert_int_equal(count("SELECT count(*) FROM courses c JOIN sections s ON"
			       " s.course_id = c.id WHERE c.code LIKE 'BENCH-%' AND s.status = 'open'"
			       " AND now() BETWEEN s.enrollment_opens_at AND s.enrollment_closes_at"),
			 500);
	assert_true(count("SELECT count(DISTINCT institution_id) FROM courses"
			  " WHERE code LIKE 'BENCH-%'") > 10);
	assert_int_equal(count("SELECT count(DISTINCT program_id) FROM courses"
			       " WHERE code LIKE 'BENCH-%'"),
			 9);
	/* the same N again makes nothing */
	assert_int_equal(lms(argv), 0);
	assert_contains(out, "0 of BENCH-000001..BENCH-000500 created");
	assert_int_equal(count("SELECT count(*) FROM courses WHERE code LIKE 'BENCH-%'"), 500);
	assert_int_equal(count("SELECT count(*) FROM sections s JOIN courses c ON"
			       " c.id = s.course_id WHERE c.code LIKE 'BENCH-%'"),
			 500);
}

/* On an empty database it loads institutions and programmes first. */
static void bench_alone_on_a_fresh_database(void **state)
{
	const char *argv[] = {"seed", "--bench", "30", NULL};
	char fresh[1024], env_fresh[1100];
	const char *fresh_env[] = {env_fresh, env_mig, NULL};

	assert_int_equal(harness_db_create("seed_bench", fresh, sizeof(fresh)), 0);
	assert_int_equal(harness_migrate(fresh), 0);
	snprintf(env_fresh, sizeof(env_fresh), "LMS_DATABASE_URL=%s", fresh);
	assert_int_equal(harness_lms_run(argv, fresh_env, out, sizeof(out)), 0);
	assert_contains(out, "30 of BENCH-000001..BENCH-000030 created");
	assert_int_equal(harness_sql_ll(fresh, "SELECT count(*) FROM programs"), 9);
	assert_int_equal(harness_sql_ll(fresh, "SELECT count(*) FROM institutions"), 22);
	assert_int_equal(harness_sql_ll(fresh, "SELECT count(*) FROM sections"), 30);
	assert_int_equal(harness_sql_ll(fresh, "SELECT count(*) FROM users"), 0);
}

static void bad_arguments_exit_2(void **state)
{
	static const char *const cases[][5] = {
		{"seed", NULL},
		{"seed", "--bench", "0", NULL},
		{"seed", "--bench", "x", NULL},
		{"seed", "--bench", NULL},
		{"seed", "--bench", "-5", NULL},
		{"seed", "--bench", "12abc", NULL},
		{"seed", "--bench", "1000001", NULL},
		{"seed", "--demo", "--demo", NULL},
		{"seed", "--bench", "5", "--bench", NULL},
		{"seed", "--frobnicate", NULL},
	};
	char before[256], after[256];

	assert_int_equal(harness_sql_value(conninfo, COUNTS_SQL, before, sizeof(before)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(harness_lms_run(cases[i], env, out, sizeof(out)), 2);
		assert_contains(out, "usage: lms seed");
	}
	assert_int_equal(harness_sql_value(conninfo, COUNTS_SQL, after, sizeof(after)), 0);
	assert_string_equal(before, after);
}

/* A copy of the seed data in a new directory (dir, PATH_MAX) whose file
 * name has key set to value (new reference, stolen) in its element path
 * (an array's index, then an object's key), e.g. tracks[0].topics. */
static void data_with(char *dir, const char *name, const char *array, size_t i,
		      const char *key, json_t *value)
{
	char cmd[3 * PATH_MAX], path[PATH_MAX + 64];
	json_t *root, *where;

	snprintf(dir, PATH_MAX, "/tmp/lms-seed-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp %s/app/seed/data/*.json %s", harness_source_dir(), dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(root = json_load_file(path, 0, NULL));
	where = array ? json_object_get(root, array) : root;
	assert_int_equal(json_object_set_new(json_array_get(where, i), key, value), 0);
	assert_int_equal(json_dump_file(root, path, JSON_INDENT(2)), 0);
	json_decref(root);
}

/* Data that cannot be used stops the seed with the file and the reason,
 * and the catalogue is left as it was. */
static void bad_data_is_named_and_changes_nothing(void **state)
{
	const char *argv[] = {"seed", "--demo", NULL};
	char before[256], after[256], dir[PATH_MAX], env_dir[PATH_MAX + 32], cmd[PATH_MAX + 16];
	const char *bad_env[] = {env_db, env_mig, env_dir, "LMS_PASSWORD_HASH_ITERATIONS=1000",
				 NULL};
	static const struct {
		const char *file, *array, *key, *value, *says;
	} cases[] = {
		{"catalog.json", "tracks", "topics", "[\"no_such_set\"]",
		 "seed data catalog.json: tracks[0]: topics names a set that does not exist"},
		{"catalog.json", "tracks", "n", "200", "seed data catalog.json: tracks[0]: first and n"},
		{"catalog.json", "staff", "every", "0", "seed data catalog.json: staff[0]: name must"},
		{"catalog.json", "tracks", "deliveries", "\"x\"",
		 "seed data catalog.json: tracks[0]: deliveries must be letters"},
		{"programs.json", NULL, "colour", "\"blue\"", "seed data programs.json: [0]:"},
		{"accounts.json", NULL, "role", "\"emperor\"", "seed data accounts.json: [0]:"},
	};

	assert_int_equal(harness_sql_value(conninfo, COUNTS_SQL, before, sizeof(before)), 0);
	snprintf(env_dir, sizeof(env_dir), "LMS_SEED_DIR=/nonexistent/seed");
	assert_int_not_equal(harness_lms_run(argv, bad_env, out, sizeof(out)), 0);
	assert_contains(out, "seed data /nonexistent/seed/institutions.json: line ");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		data_with(dir, cases[i].file, cases[i].array, 0, cases[i].key,
			  json_loads(cases[i].value, JSON_DECODE_ANY, NULL));
		snprintf(env_dir, sizeof(env_dir), "LMS_SEED_DIR=%s", dir);
		assert_int_not_equal(harness_lms_run(argv, bad_env, out, sizeof(out)), 0);
		assert_contains(out, cases[i].says);
		snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(harness_sql_value(conninfo, COUNTS_SQL, after, sizeof(after)), 0);
	assert_string_equal(before, after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(demo_twice_changes_nothing),
		cmocka_unit_test(institutions_once_each),
		cmocka_unit_test(programmes_and_their_rules),
		cmocka_unit_test(a_few_hundred_courses_in_two_languages),
		cmocka_unit_test(sections_in_the_next_two_terms),
		cmocka_unit_test(instructors_and_their_sections),
		cmocka_unit_test(content_and_facilities),
		cmocka_unit_test(bench_creates_and_skips),
		cmocka_unit_test(bench_alone_on_a_fresh_database),
		cmocka_unit_test(bad_arguments_exit_2),
		cmocka_unit_test(bad_data_is_named_and_changes_nothing),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
