/* teaching_test.c - integration: instructors write their courses, recurring
 * classes are scheduled as a whole, the roster shows attendance */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ical_check.h"

#define DEMO_PASSWORD "demo-pass-2026"
#define USER_PASSWORD "teaching-user-pass-2026"
#define WORKER(name) "\"display_name\": \"" name "\", \"ladder_stage\": \"worker\""

static struct lms_server server;
static char conninfo[1024];

/*
 * teacher: home GIST, an instructor of section_a (course_a, GIST) and of
 * section_p (course_p, GIST). colleague: home GIST, teaches course_b only.
 * jnu_teacher: home Chonnam, teaches course_j (Chonnam). learner: enrolled
 * in section_a.
 */
static struct harness_actor teacher, colleague, jnu_teacher, learner, gist_admin, jnu_admin;
static long long gist, jnu;
static long long course_a, course_b, course_j, course_d, section_a, section_b, section_j,
	section_d, section_p, section_y, room;

#define sql_ll(...) harness_sql_llf(conninfo, __VA_ARGS__)

static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (harness_sql(conninfo, buf) != 0)
		fail_msg("SQL failed: %s", buf);
}

static long long course_of(long long institution, const char *code, const char *program,
			   bool draft)
{
	return harness_course_create(conninfo, &(struct harness_course){.institution = institution,
									.code = code,
									.program = program,
									.delivery = "offline",
									.draft = draft});
}

static long long section_of(long long course, const char *starts_on, const char *ends_on)
{
	return harness_section_create(conninfo, &(struct harness_section){.course = course,
									  .term = "2027-1",
									  .starts_on = starts_on,
									  .ends_on = ends_on,
									  .opens_at = "2026-08-01",
									  .closes_at = "2026-08-31"});
}

static void teaches(long long section, const struct harness_actor *who)
{
	sql("INSERT INTO section_instructors (section_id, user_id) VALUES (%lld, %lld)", section,
	    who->user_id);
}

static int setup(void **state)
{
	if (harness_db_create("teaching", conninfo, sizeof(conninfo)) != 0 ||
	    harness_migrate(conninfo) != 0 || harness_seed_demo(conninfo) != 0 ||
	    harness_server_start(&server, conninfo, NULL) != 0)
		return -1;
	gist = sql_ll("SELECT id FROM institutions WHERE code = 'gist'");
	jnu = sql_ll("SELECT id FROM institutions WHERE code = 'jnu'");

	harness_register_ok(&server, "teach-teacher@example.com", USER_PASSWORD, WORKER("담당 교수"),
			    &teacher);
	harness_register_ok(&server, "teach-colleague@example.com", USER_PASSWORD,
			    WORKER("다른 강좌 교수"), &colleague);
	harness_register_ok(&server, "teach-jnu@example.com", USER_PASSWORD, WORKER("전남대 교수"),
			    &jnu_teacher);
	harness_register_ok(&server, "teach-learner@example.com", USER_PASSWORD, WORKER("수강생"),
			    &learner);
	harness_login_ok(&server, "gist-admin@example.com", DEMO_PASSWORD, &gist_admin);
	harness_login_ok(&server, "chonnam-admin@example.com", DEMO_PASSWORD, &jnu_admin);
	sql("INSERT INTO instructors (user_id, home_institution_id) VALUES (%lld, %lld),"
	    " (%lld, %lld), (%lld, %lld)",
	    teacher.user_id, gist, colleague.user_id, gist, jnu_teacher.user_id, jnu);

	course_a = course_of(gist, "TEACH-A", NULL, false);
	course_b = course_of(gist, "TEACH-B", NULL, false);
	course_j = course_of(jnu, "TEACH-J", NULL, false);
	course_d = course_of(gist, "TEACH-D", NULL, true);
	section_a = section_of(course_a, "2027-03-01", "2027-06-30");
	section_b = section_of(course_b, "2027-03-01", "2027-06-30");
	section_j = section_of(course_j, "2027-03-01", "2027-06-30");
	section_d = section_of(course_d, "2027-03-01", "2027-06-30");
	section_y = section_of(course_a, "2027-01-01", "2028-12-31");
	teaches(section_a, &teacher);
	teaches(section_y, &teacher);
	teaches(section_d, &teacher);
	teaches(section_b, &colleague);
	teaches(section_j, &jnu_teacher);
	harness_enrollment_create(conninfo, &(struct harness_enrollment){.section = section_a,
									  .user = learner.user_id});
	room = sql_ll("INSERT INTO facilities (institution_id, name_ko, name_en, kind, capacity)"
		      " VALUES (%lld, '반복 강의실', 'Series room', 'classroom', 30) RETURNING id",
		      gist);
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(harness_server_stop(&server), 0);
	return 0;
}

/* ---- instructors author their courses ---- */

#define SYLLABUS_MD                                                                      \
	"## 강의 계획\\n\\n| 주차 | 주제 |\\n|---|:-:|\\n| 1 | ~~파이썬~~ 데이터 |\\n"          \
	"| 2 | <script>alert(1)</script> [x](javascript:alert(1)) |\\n\\nwww.gist.ac.kr\\n"

static void instructors_write_their_course(void **state)
{
	char path[160], body[512];
	json_t *j;
	long long module, lesson;
	const char *html;

	(void)state;
	/* The instructor of one of its sections writes a module and a lesson. */
	snprintf(path, sizeof(path), "/api/v1/courses/%lld/modules", course_a);
	j = harness_json_as(&server, &teacher, "POST", path,
			    "{\"position\": 1, \"title_ko\": \"1주차\", \"title_en\": \"Week 1\"}", 201);
	module = harness_json_ll(j, "id");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/modules/%lld", module);
	json_decref(harness_json_as(&server, &teacher, "PATCH", path,
				    "{\"title_en\": \"Week one\"}", 200));
	snprintf(path, sizeof(path), "/api/v1/modules/%lld/lessons", module);
	snprintf(body, sizeof(body),
		 "{\"position\": 1, \"title_ko\": \"계획서\", \"title_en\": \"Syllabus\","
		 " \"kind\": \"text\", \"body_md\": \"%s\"}",
		 SYLLABUS_MD);
	j = harness_json_as(&server, &teacher, "POST", path, body, 201);
	lesson = harness_json_ll(j, "id");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/lessons/%lld", lesson);
	json_decref(harness_json_as(&server, &teacher, "PATCH", path,
				    "{\"title_en\": \"Syllabus, week by week\"}", 200));

	/* It renders as a table, safely, to the course's learner. */
	j = harness_get_json(&server, &learner, path);
	html = json_string_value(json_object_get(j, "body_html"));
	assert_non_null(html);
	assert_contains(html, "<table>");
	assert_contains(html, "<th align=\"center\">주제</th>");
	assert_contains(html, "<del>파이썬</del> 데이터");
	assert_contains(html, "<a href=\"http://www.gist.ac.kr\">");
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "javascript:"));
	assert_string_equal(json_string_value(json_object_get(j, "title_en")),
			    "Syllabus, week by week");
	json_decref(j);

	/* Each change is on record with its author. */
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE actor_user_id = %lld"
				" AND action IN ('module.create', 'module.update', 'lesson.create',"
				" 'lesson.update') AND institution_id = %lld",
				teacher.user_id, gist),
			 4);
	/* Its institution's admin still may. */
	snprintf(path, sizeof(path), "/api/v1/modules/%lld", module);
	json_decref(harness_json_as(&server, &gist_admin, "PATCH", path,
				    "{\"title_ko\": \"첫째 주\"}", 200));
}

static void others_may_not_write_it(void **state)
{
	const struct harness_actor *outsiders[] = {&colleague, &jnu_teacher, &learner, &jnu_admin};
	char mpath[96], lpath[96], lcreate[96], ccreate[96];
	long long module, lesson;

	(void)state;
	module = sql_ll("INSERT INTO course_modules (course_id, position, title_ko, title_en)"
			" VALUES (%lld, 5, '외부', 'Outside') RETURNING id",
			course_a);
	lesson = sql_ll("INSERT INTO lessons (module_id, position, title_ko, title_en, kind, body_md)"
			" VALUES (%lld, 1, '외부', 'Outside', 'text', 'x') RETURNING id",
			module);
	snprintf(ccreate, sizeof(ccreate), "/api/v1/courses/%lld/modules", course_a);
	snprintf(mpath, sizeof(mpath), "/api/v1/modules/%lld", module);
	snprintf(lcreate, sizeof(lcreate), "/api/v1/modules/%lld/lessons", module);
	snprintf(lpath, sizeof(lpath), "/api/v1/lessons/%lld", lesson);
	/* An instructor of another course of the same institution, of another
	 * institution, a learner of the course, another institution's admin:
	 * to them the course's content is not there to write. */
	for (size_t i = 0; i < sizeof(outsiders) / sizeof(outsiders[0]); i++) {
		harness_problem_as(&server, outsiders[i], "POST", ccreate,
				   "{\"position\": 2, \"title_ko\": \"침입\", \"title_en\": \"In\"}",
				   404, "not_found", NULL);
		harness_problem_as(&server, outsiders[i], "PATCH", mpath,
				   "{\"title_en\": \"Taken\"}", 404, "not_found", NULL);
		harness_problem_as(&server, outsiders[i], "POST", lcreate,
				   "{\"position\": 2, \"title_ko\": \"침입\", \"title_en\": \"In\","
				   " \"kind\": \"text\"}",
				   404, "not_found", NULL);
		harness_problem_as(&server, outsiders[i], "PATCH", lpath,
				   "{\"body_md\": \"taken\"}", 404, "not_found", NULL);
	}
	harness_problem_as(&server, NULL, "PATCH", lpath, "{\"body_md\": \"taken\"}", 401,
			   "unauthenticated", NULL);
	assert_int_equal(sql_ll("SELECT count(*) FROM course_modules WHERE course_id = %lld"
				" AND title_en IN ('In', 'Taken')",
				course_a),
			 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM lessons WHERE module_id = %lld"
				" AND (body_md = 'taken' OR title_en = 'In')",
				module),
			 0);
	/* The teacher may not write a course it does not teach, nor change
	 * the course itself (its code, its sections): that stays the admins'. */
	snprintf(ccreate, sizeof(ccreate), "/api/v1/courses/%lld/modules", course_b);
	harness_problem_as(&server, &teacher, "POST", ccreate,
			   "{\"position\": 2, \"title_ko\": \"남의 강좌\", \"title_en\": \"Other\"}",
			   404, "not_found", NULL);
	snprintf(ccreate, sizeof(ccreate), "/api/v1/courses/%lld", course_a);
	harness_problem_as(&server, &teacher, "PATCH", ccreate, "{\"title_en\": \"Mine now\"}",
			   403, "forbidden", NULL);
	/* Bad bodies are 400 for the teacher as for an admin. */
	harness_problem_as(&server, &teacher, "PATCH", lpath, "{\"body_md\": 5}", 400,
			   "validation_failed", "body_md");
}

static void draft_course_syllabus_for_its_teachers(void **state)
{
	char path[96];
	json_t *j;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/courses/%lld/modules", course_d);
	j = harness_json_as(&server, &teacher, "POST", path,
			    "{\"position\": 1, \"title_ko\": \"준비 중\", \"title_en\": \"Draft\"}",
			    201);
	json_decref(j);
	j = harness_get_json(&server, &teacher, path);
	assert_int_equal(json_array_size(json_object_get(j, "modules")), 1);
	json_decref(j);
	harness_problem_as(&server, &colleague, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, NULL, "GET", path, NULL, 404, "not_found", NULL);
	harness_problem_as(&server, &learner, "GET", path, NULL, 404, "not_found", NULL);
}

/* ---- recurring classes ---- */

/* A series body for section: Tuesdays and Thursdays 19:00-22:00 in Seoul
 * from..to, in the room (or online when room is 0). */
static void series_body(char *out, size_t len, const char *days, const char *from,
			const char *to, long long instructor, long long facility)
{
	char place[96];

	if (facility)
		snprintf(place, sizeof(place), "\"facility_id\": %lld", facility);
	else
		snprintf(place, sizeof(place), "\"online_url\": \"https://meet.example.kr/series\"");
	snprintf(out, len,
		 "{\"weekdays\": [%s], \"start_time\": \"19:00\", \"end_time\": \"22:00\","
		 " \"starts_on\": \"%s\", \"ends_on\": \"%s\", \"instructor_id\": %lld, %s}",
		 days, from, to, instructor, place);
}

static long long session_at(long long section, long long instructor, long long facility,
			    const char *starts, const char *ends)
{
	char place[96];

	if (facility)
		snprintf(place, sizeof(place), "%lld, NULL", facility);
	else
		snprintf(place, sizeof(place), "NULL, 'https://meet.example.kr/other'");
	return sql_ll("INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
		      " facility_id, online_url) VALUES (%lld, '%s', '%s', %lld, %s) RETURNING id",
		      section, starts, ends, instructor, place);
}

static void conflict_expect(const json_t *c, const char *starts_at, const char *kinds,
			    long long session)
{
	const json_t *k = json_object_get(c, "conflicts");
	char got[64] = "";
	size_t i;
	const json_t *v;

	assert_string_equal(
		json_string_value(json_object_get(json_object_get(c, "occurrence"), "starts_at")),
		starts_at);
	json_array_foreach(k, i, v) {
		strcat(got, i ? "," : "");
		strcat(got, json_string_value(v));
	}
	assert_string_equal(got, kinds);
	assert_int_equal(harness_json_ll(json_object_get(c, "conflicting_session"), "id"), session);
}

static void series_clash_lists_every_occurrence(void **state)
{
	char path[96], body[512];
	struct http_result r = {0};
	long long by_teacher, in_room, both, cancelled, adjacent;
	json_t *j, *list;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/session-series", section_a);
	/* Tue 9 March 20:00-21:00: the teacher elsewhere (course_b). Thu 18
	 * March 18:00-19:30: the room, another teacher. Thu 1 April 21:30-23:00:
	 * both. Not clashes: a cancelled session, one that starts as a class
	 * ends (ranges are half-open), another teacher elsewhere. */
	by_teacher = session_at(section_b, teacher.user_id, 0, "2027-03-09T20:00:00+09:00",
				"2027-03-09T21:00:00+09:00");
	in_room = session_at(section_b, colleague.user_id, room, "2027-03-18T18:00:00+09:00",
			     "2027-03-18T19:30:00+09:00");
	both = session_at(section_b, teacher.user_id, room, "2027-04-01T21:30:00+09:00",
			  "2027-04-01T23:00:00+09:00");
	cancelled = session_at(section_b, teacher.user_id, room, "2027-03-11T19:00:00+09:00",
			       "2027-03-11T22:00:00+09:00");
	sql("UPDATE class_sessions SET status = 'cancelled' WHERE id = %lld", cancelled);
	adjacent = session_at(section_b, teacher.user_id, room, "2027-03-16T22:00:00+09:00",
			      "2027-03-16T23:00:00+09:00");
	session_at(section_b, colleague.user_id, 0, "2027-03-23T19:00:00+09:00",
		   "2027-03-23T22:00:00+09:00");

	series_body(body, sizeof(body), "\"tue\", \"thu\"", "2027-03-02", "2027-04-30",
		    teacher.user_id, room);
	assert_int_equal(harness_as(&server, &teacher, "POST", path, body, &r), 0);
	if (r.status != 409)
		fail_msg("expected 409, got %ld: %s", r.status, r.body);
	j = harness_json_body(&r);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "instructor_conflict");
	list = json_object_get(j, "conflicts");
	if (json_array_size(list) != 3)
		fail_msg("expected 3 conflicts in %s", r.body);
	conflict_expect(json_array_get(list, 0), "2027-03-09T19:00:00+09:00", "instructor",
			by_teacher);
	conflict_expect(json_array_get(list, 1), "2027-03-18T19:00:00+09:00", "facility", in_room);
	conflict_expect(json_array_get(list, 2), "2027-04-01T19:00:00+09:00",
			"instructor,facility", both);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_array_get(list, 0), "occurrence"), "ends_at")),
			    "2027-03-09T22:00:00+09:00");
	assert_int_equal(harness_json_ll(json_object_get(j, "conflicting_session"), "id"),
			 by_teacher);
	json_decref(j);
	http_result_release(&r);
	/* Nothing of the series was made. */
	assert_int_equal(sql_ll("SELECT count(*) FROM class_session_series"), 0);
	assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions WHERE section_id = %lld",
				section_a),
			 0);
	(void)adjacent;
	sql("UPDATE class_sessions SET status = 'cancelled' WHERE id IN (%lld, %lld, %lld)",
	    by_teacher, in_room, both);
}

static void series_created_moved_and_in_the_calendar(void **state)
{
	char path[160], body[512], uid[64];
	long long series, first, moved, dropped;
	json_t *j, *occ;
	struct ical c = {0};
	icalcomponent *ev;
	int found_moved = 0;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/session-series", section_a);
	series_body(body, sizeof(body), "\"thu\", \"tue\"", "2027-03-02", "2027-04-30",
		    teacher.user_id, room);
	j = harness_json_as(&server, &teacher, "POST", path, body, 201);
	series = harness_json_ll(j, "id");
	occ = json_object_get(j, "occurrences");
	/* March: Tuesdays 2, 9, 16, 23, 30, Thursdays 4, 11, 18, 25; April:
	 * Thursdays 1, 8, 15, 22, 29, Tuesdays 6, 13, 20, 27. */
	assert_int_equal(json_array_size(occ), 18);
	assert_string_equal(json_string_value(json_object_get(json_array_get(occ, 0), "starts_at")),
			    "2027-03-02T19:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(json_array_get(occ, 0), "ends_at")),
			    "2027-03-02T22:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(json_array_get(occ, 17), "starts_at")),
			    "2027-04-29T19:00:00+09:00");
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "weekdays"), 0)),
			    "tue");
	assert_string_equal(json_string_value(json_object_get(j, "time_zone")), "Asia/Seoul");
	first = harness_json_ll(json_array_get(occ, 0), "id");
	moved = harness_json_ll(json_array_get(occ, 3), "id");   /* Thu 11 March */
	dropped = harness_json_ll(json_array_get(occ, 4), "id"); /* Tue 16 March */
	json_decref(j);
	/* In the database: 10:00 UTC each, all of the series, one audit row. */
	assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions WHERE series_id = %lld"
				" AND section_id = %lld AND status = 'scheduled'"
				" AND (starts_at AT TIME ZONE 'UTC')::time = '10:00'"
				" AND ends_at - starts_at = interval '3 hours'",
				series, section_a),
			 18);
	assert_int_equal(sql_ll("SELECT count(*) FROM audit_log WHERE action ="
				" 'session_series.create' AND target_id = %lld AND actor_user_id ="
				" %lld AND (detail->>'occurrences')::int = 18",
				series, teacher.user_id),
			 1);

	/* One occurrence moves alone, another is cancelled alone. */
	snprintf(path, sizeof(path), "/api/v1/sessions/%lld", moved);
	j = harness_json_as(&server, &teacher, "PATCH", path,
			    "{\"starts_at\": \"2027-03-12T10:00:00+09:00\","
			    " \"ends_at\": \"2027-03-12T13:00:00+09:00\"}",
			    200);
	assert_int_equal(harness_json_ll(j, "series_id"), series);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/sessions/%lld", dropped);
	json_decref(harness_json_as(&server, &teacher, "PATCH", path,
				    "{\"status\": \"cancelled\"}", 200));
	assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions WHERE series_id = %lld"
				" AND sequence = 0 AND status = 'scheduled'"
				" AND (starts_at AT TIME ZONE 'UTC')::time = '10:00'",
				series),
			 16);
	snprintf(path, sizeof(path), "/api/v1/session-series/%lld", series);
	j = harness_get_json(&server, &learner, path);
	occ = json_object_get(j, "occurrences");
	assert_int_equal(json_array_size(occ), 18);
	assert_int_equal(harness_json_ll(json_array_get(occ, 0), "id"), first);
	assert_string_equal(json_string_value(json_object_get(json_array_get(occ, 3), "starts_at")),
			    "2027-03-12T10:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(json_array_get(occ, 4), "status")),
			    "cancelled");
	json_decref(j);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);

	/* The calendar: one event per occurrence, each its own UID, the moved
	 * one at its new time with a higher SEQUENCE; libical reads it. */
	snprintf(path, sizeof(path),
		 "/api/v1/instructors/%lld/schedule.ics?from=2027-03-01&to=2027-05-01",
		 teacher.user_id);
	{
		struct http_result r = {0};

		harness_get_as(&server, &teacher, path, &r);
		if (r.status != 200)
			fail_msg("GET %s: %ld %s", path, r.status, r.body);
		if (!ical_check(r.body, r.len, &c))
			fail_msg("%s in:\n%s", c.error, r.body);
		http_result_release(&r);
	}
	{
		int ours = 0;

		for (int n = 0; (ev = ical_event(&c, n)); n++) {
			long long id;

			snprintf(uid, sizeof(uid), "%s", icalcomponent_get_uid(ev));
			if (sscanf(uid, "session-%lld@", &id) != 1)
				fail_msg("UID %s", uid);
			if (id < first || id > first + 17)
				continue;
			ours++;
			if (id == moved) {
				found_moved = 1;
				ICAL_ASSERT(&c, ev, {"DTSTART;TZID=Asia/Seoul", "20270312T100000"},
					    {"DTEND;TZID=Asia/Seoul", "20270312T130000"},
					    {"SEQUENCE", "1"}, {"RRULE", NULL},
					    {"RECURRENCE-ID", NULL});
			} else if (id == dropped) {
				ICAL_ASSERT(&c, ev, {"STATUS", "CANCELLED"}, {"SEQUENCE", "1"},
					    {"DTSTART;TZID=Asia/Seoul", "20270316T190000"});
			} else if (id == first) {
				ICAL_ASSERT(&c, ev, {"DTSTART;TZID=Asia/Seoul", "20270302T190000"},
					    {"DTEND;TZID=Asia/Seoul", "20270302T220000"},
					    {"SEQUENCE", "0"}, {"STATUS", "CONFIRMED"}, {"RRULE", NULL});
			}
		}
		/* Every occurrence once, the cancelled one as cancelled (so
		 * that a subscribed calendar drops it). */
		assert_int_equal(ours, 18);
	}
	assert_true(found_moved);
	ical_release(&c);
}

static void series_bounds_and_permissions(void **state)
{
	char path[96], body[512], ypath[96];

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/session-series", section_a);
	snprintf(ypath, sizeof(ypath), "/api/v1/sections/%lld/session-series", section_y);
	/* Longer than a year. */
	series_body(body, sizeof(body), "\"mon\"", "2027-01-04", "2028-01-10", teacher.user_id, 0);
	harness_problem_as(&server, &teacher, "POST", ypath, body, 400, "validation_failed",
			   "ends_on");
	/* More occurrences than a series may have: every day of 2027. */
	series_body(body, sizeof(body),
		    "\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"", "2027-01-01",
		    "2027-12-31", teacher.user_id, 0);
	harness_problem_as(&server, &teacher, "POST", ypath, body, 400, "validation_failed",
			   "weekdays");
	/* No such day between the dates. */
	series_body(body, sizeof(body), "\"sun\"", "2027-05-04", "2027-05-07", teacher.user_id, 0);
	harness_problem_as(&server, &teacher, "POST", path, body, 400, "validation_failed",
			   "weekdays");
	/* Not a day, a day twice, dates backwards, outside the section. */
	series_body(body, sizeof(body), "\"tuesday\"", "2027-05-04", "2027-05-07", teacher.user_id,
		    0);
	harness_problem_as(&server, &teacher, "POST", path, body, 400, "validation_failed",
			   "weekdays");
	series_body(body, sizeof(body), "\"tue\", \"tue\"", "2027-05-04", "2027-05-07",
		    teacher.user_id, 0);
	harness_problem_as(&server, &teacher, "POST", path, body, 400, "validation_failed",
			   "weekdays");
	series_body(body, sizeof(body), "\"tue\"", "2027-05-07", "2027-05-04", teacher.user_id, 0);
	harness_problem_as(&server, &teacher, "POST", path, body, 400, "validation_failed",
			   "ends_on");
	series_body(body, sizeof(body), "\"tue\"", "2027-06-01", "2027-07-31", teacher.user_id, 0);
	harness_problem_as(&server, &teacher, "POST", path, body, 400, "validation_failed",
			   "ends_on");
	harness_problem_as(&server, &teacher, "POST", path,
			   "{\"weekdays\": [\"tue\"], \"start_time\": \"22:00\", \"end_time\":"
			   " \"19:00\", \"starts_on\": \"2027-05-04\", \"ends_on\": \"2027-05-07\","
			   " \"instructor_id\": 1, \"online_url\": \"https://meet.example.kr/x\"}",
			   400, "validation_failed", "end_time");
	harness_problem_as(&server, &teacher, "POST", path,
			   "{\"weekdays\": [\"tue\"], \"start_time\": \"7pm\", \"end_time\":"
			   " \"24:00\", \"starts_on\": \"2027-05-04\", \"ends_on\": \"2027-05-07\","
			   " \"instructor_id\": 1, \"online_url\": \"https://meet.example.kr/x\"}",
			   400, "validation_failed", "start_time");
	harness_problem_as(&server, &teacher, "POST", path,
			   "{\"weekdays\": [\"tue\"], \"start_time\": \"19:00\", \"end_time\":"
			   " \"22:00\", \"starts_on\": \"2027-05-04\", \"ends_on\": \"2027-05-07\","
			   " \"instructor_id\": 1, \"online_url\": \"https://meet.example.kr/x\","
			   " \"rrule\": \"FREQ=WEEKLY\"}",
			   400, "validation_failed", "rrule");
	/* Who may not: an instructor of another section of the institution,
	 * another institution's instructor and admin, a learner, a visitor. */
	series_body(body, sizeof(body), "\"wed\"", "2027-05-05", "2027-05-20", teacher.user_id, 0);
	harness_problem_as(&server, &colleague, "POST", path, body, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_teacher, "POST", path, body, 403, "forbidden", NULL);
	harness_problem_as(&server, &jnu_admin, "POST", path, body, 403, "forbidden", NULL);
	harness_problem_as(&server, &learner, "POST", path, body, 403, "forbidden", NULL);
	harness_problem_as(&server, NULL, "POST", path, body, 401, "unauthenticated", NULL);
	/* Another institution's instructor, not shared: as for one session. */
	series_body(body, sizeof(body), "\"wed\"", "2027-05-05", "2027-05-20",
		    jnu_teacher.user_id, 0);
	harness_problem_as(&server, &gist_admin, "POST", path, body, 403, "instructor_not_shared",
			   NULL);
	assert_int_equal(sql_ll("SELECT count(*) FROM class_session_series WHERE section_id IN"
				" (%lld, %lld) AND starts_on >= '2027-05-01'",
				section_a, section_y),
			 0);
	/* The admin may, online: three Wednesdays. */
	series_body(body, sizeof(body), "\"wed\"", "2027-05-05", "2027-05-20", teacher.user_id, 0);
	json_decref(harness_json_as(&server, &gist_admin, "POST", path, body, 201));
	assert_int_equal(sql_ll("SELECT count(*) FROM class_sessions cs JOIN class_session_series r"
				" ON r.id = cs.series_id WHERE r.starts_on = '2027-05-05'"
				" AND cs.online_url IS NOT NULL"),
			 3);
}

/* ---- attendance on the roster ---- */

static const json_t *roster_item(const json_t *roster, long long user)
{
	const json_t *item;
	size_t i;

	json_array_foreach(json_object_get(roster, "items"), i, item)
		if (harness_json_ll(item, "user_id") == user)
			return item;
	fail_msg("no roster row of user %lld", user);
	return NULL;
}

static void attendance_expect(const json_t *item, long long held, long long attended,
			      double rate, bool meets)
{
	const json_t *a = json_object_get(item, "attendance");

	assert_non_null(a);
	assert_int_equal(harness_json_ll(a, "held"), held);
	assert_int_equal(harness_json_ll(a, "attended"), attended);
	if (fabs(json_number_value(json_object_get(a, "rate_pct")) - rate) > 1e-9)
		fail_msg("rate_pct %g, expected %g", json_number_value(json_object_get(a, "rate_pct")),
			 rate);
	assert_int_equal(harness_json_ll(a, "required_pct"), 80);
	assert_int_equal(json_is_true(json_object_get(a, "meets")), meets);
}

static void roster_shows_attendance(void **state)
{
	struct harness_actor l[3];
	long long course, held[3], e[3], future;
	char path[128], body[512];
	struct http_result r = {0};
	json_t *j;

	(void)state;
	assert_int_equal(harness_learners_create(conninfo, "teach-roster", "worker", 3, l), 0);
	sql("UPDATE programs SET min_attendance_pct = 80 WHERE code = 'ai_academy'");
	course = course_of(gist, "TEACH-P", "ai_academy", false);
	section_p = harness_section_create(conninfo, &(struct harness_section){
							     .course = course,
							     .term = "2026-2",
							     .starts_on = "2026-09-01",
							     .ends_on = "2027-02-28",
							     .opens_at = "2026-08-01",
							     .closes_at = "2026-08-31"});
	teaches(section_p, &teacher);
	for (int i = 0; i < 3; i++)
		e[i] = harness_enrollment_create(conninfo, &(struct harness_enrollment){
								   .section = section_p,
								   .user = l[i].user_id});
	/* Three held sessions, a cancelled one and one to come. */
	for (int i = 0; i < 3; i++)
		held[i] = sql_ll("INSERT INTO class_sessions (section_id, starts_at, ends_at,"
				 " instructor_id, online_url) VALUES (%lld, date_trunc('hour', now())"
				 " - interval '%d days', date_trunc('hour', now()) - interval '%d days'"
				 " + interval '2 hours', %lld, 'https://meet.example.kr/p') RETURNING id",
				 section_p, 30 - 7 * i, 30 - 7 * i, teacher.user_id);
	sql("INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id, online_url,"
	    " status) VALUES (%lld, now() - interval '40 days', now() - interval '40 days'"
	    " + interval '1 hour', %lld, 'https://meet.example.kr/p', 'cancelled')",
	    section_p, teacher.user_id);
	future = sql_ll("INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
			" online_url) VALUES (%lld, now() + interval '5 days', now() + interval"
			" '5 days 2 hours', %lld, 'https://meet.example.kr/p') RETURNING id",
			section_p, teacher.user_id);
	(void)future;
	/* The first learner came to all three, the second to one, the third
	 * was marked absent once and never marked otherwise. */
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/api/v1/sessions/%lld/attendance", held[i]);
		if (i == 0)
			snprintf(body, sizeof(body),
				 "[{\"enrollment_id\": %lld, \"present\": true},"
				 " {\"enrollment_id\": %lld, \"present\": true},"
				 " {\"enrollment_id\": %lld, \"present\": false}]",
				 e[0], e[1], e[2]);
		else
			snprintf(body, sizeof(body),
				 "[{\"enrollment_id\": %lld, \"present\": true},"
				 " {\"enrollment_id\": %lld, \"present\": false}]",
				 e[0], e[1]);
		json_decref(harness_json_as(&server, &teacher, "PUT", path, body, 200));
	}

	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster", section_p);
	j = harness_get_json(&server, &teacher, path);
	attendance_expect(roster_item(j, l[0].user_id), 3, 3, 100.0, true);
	attendance_expect(roster_item(j, l[1].user_id), 3, 1, 33.3, false);
	attendance_expect(roster_item(j, l[2].user_id), 3, 0, 0.0, false);
	/* Progress is still there beside it. */
	assert_non_null(json_object_get(roster_item(j, l[0].user_id), "progress"));
	json_decref(j);

	/* The CSV carries the same three numbers. */
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster?format=csv", section_p);
	harness_get_as(&server, &gist_admin, path, &r);
	if (r.status != 200)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	assert_contains(r.body, ",lessons_completed,lessons_total,sessions_held,"
					"sessions_attended,attendance_rate_pct\r\n");
	{
		char want[128];

		snprintf(want, sizeof(want), "%lld,%lld,", e[1], l[1].user_id);
		assert_contains(r.body, want);
		/* The second learner's row ends in its counts. */
		const char *row = strstr(r.body, want);
		const char *eol = strstr(row, "\r\n");
		assert_non_null(eol);
		assert_true(eol - row > 10);
		assert_memory_equal(eol - strlen(",3,1,33.3"), ",3,1,33.3", strlen(",3,1,33.3"));
	}
	http_result_release(&r);

	/* Another institution's admin and an instructor of another section
	 * do not read it. */
	snprintf(path, sizeof(path), "/api/v1/sections/%lld/roster", section_p);
	harness_problem_as(&server, &jnu_admin, "GET", path, NULL, 403, "forbidden", NULL);
	harness_problem_as(&server, &colleague, "GET", path, NULL, 403, "forbidden", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(instructors_write_their_course),
		cmocka_unit_test(others_may_not_write_it),
		cmocka_unit_test(draft_course_syllabus_for_its_teachers),
		cmocka_unit_test(series_clash_lists_every_occurrence),
		cmocka_unit_test(series_created_moved_and_in_the_calendar),
		cmocka_unit_test(series_bounds_and_permissions),
		cmocka_unit_test(roster_shows_attendance),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
