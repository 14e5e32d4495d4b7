/* series_http.c - handlers: recurring classes, created as a whole */
#include "lms/schedule/series_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/core/datetime.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/schedule/series_store.h"
#include "lms/schedule/session_http.h"
#include "lms/schedule/session_store.h"
#include "lms/service/audit.h"

/* ISO order: index + 1 is the ISO day of the week. */
static const char *const weekday_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* Korea keeps +09:00 all year (see CLASS_SESSION_KST). */
#define SEOUL_OFFSET_S (9 * 3600LL)

/* Reads "HH:MM" (00:00 to 23:59) into minutes after midnight. */
static bool time_parse(const char *s, int *minutes)
{
	if (!s || strlen(s) != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');

	if (h > 23 || m > 59)
		return false;
	*minutes = h * 60 + m;
	return true;
}

static schema_check_fn time_check, weekdays_check;

static bool time_check(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	int minutes;

	return time_parse(json_string_value(v), &minutes) ||
	       schema_refuse(msg, len, "must be a time HH:MM, 00:00 to 23:59 (Asia/Seoul)");
}

/* The ISO day (1 to 7) named name, 0 for none. */
static int weekday_of(const char *name)
{
	for (int i = 0; name && i < 7; i++)
		if (!strcmp(name, weekday_names[i]))
			return i + 1;
	return 0;
}

static bool weekdays_check(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	unsigned seen = 0;
	size_t i;
	json_t *d;

	if (json_array_size(v) < 1 || json_array_size(v) > 7)
		return schema_refuse(msg, len, "must name 1 to 7 days of the week");
	json_array_foreach(v, i, d) {
		int day = weekday_of(json_string_value(d));

		if (!day)
			return schema_refuse(msg, len,
					     "each day must be one of mon, tue, wed, thu, fri, sat, "
					     "sun");
		if (seen & (1u << day))
			return schema_refuse(msg, len, "names a day twice");
		seen |= 1u << day;
	}
	return true;
}

static const struct schema_field series_fields[] = {
	{"weekdays", SCHEMA_ARRAY, .required = true, .check = weekdays_check},
	{"start_time", SCHEMA_STRING, .required = true, .max_bytes = 8, .check = time_check},
	{"end_time", SCHEMA_STRING, .required = true, .max_bytes = 8, .check = time_check},
	{"starts_on", SCHEMA_DATE, .required = true},
	{"ends_on", SCHEMA_DATE, .required = true},
	{"instructor_id", SCHEMA_ID, .required = true,
	 .message = "must be the id of an instructor"},
	{"facility_id", SCHEMA_ID, .nullable = true, .message = "must be the id of a facility"},
	{"online_url", SCHEMA_HTTPS_URL, .nullable = true, .max = CLASS_SESSION_URL_MAX},
};
static const struct schema series_schema = SCHEMA_OF(series_fields);

/* A series worked out from a checked body: its plan and the text the plan
 * points into. */
struct series_work {
	struct series_plan plan;
	char weekdays[32];       /* "{2,4}" */
	char *starts_us;         /* "{...}", malloc'd */
	size_t n;                /* occurrences */
};

static void work_release(struct series_work *w)
{
	free(w->starts_us);
	w->starts_us = NULL;
}

/* ISO day of the week (1 Monday .. 7 Sunday) of days since 1970-01-01, a
 * Thursday. */
static int iso_weekday(long long days)
{
	return (int)(((days % 7) + 7 + 3) % 7) + 1;
}

/*
 * Works the body (checked by series_schema) out into w: the days it names
 * between its dates, and the instants of each occurrence. Adds an error for
 * each relation that fails: times and dates in order, at most a year, at
 * least one and at most SERIES_OCCURRENCES_MAX occurrences, one place.
 * Returns 0 or LMS_ENOMEM.
 */
static int work_out(const json_t *body, long long section_id, struct series_work *w,
		    json_t **errors)
{
	const char *start = json_string_value(json_object_get(body, "start_time")),
		   *end = json_string_value(json_object_get(body, "end_time")),
		   *from = json_string_value(json_object_get(body, "starts_on")),
		   *to = json_string_value(json_object_get(body, "ends_on"));
	json_t *facility = json_object_get(body, "facility_id"),
	       *url = json_object_get(body, "online_url"), *d;
	long long first, last;
	int start_min, end_min, days[8] = {0}, nd = 0;
	size_t i, len = 2, at = 0;
	char *p;

	memset(w, 0, sizeof(*w));
	w->plan.section_id = section_id;
	w->plan.start_time = start;
	w->plan.end_time = end;
	w->plan.starts_on = from;
	w->plan.ends_on = to;
	w->plan.place.instructor_id = json_integer_value(json_object_get(body, "instructor_id"));
	w->plan.place.facility_id = json_integer_value(facility);
	w->plan.place.online_url = json_string_value(url);
	if (json_is_integer(facility) == json_is_string(url))
		http_json_error_add(errors, "facility_id",
				    "give either a facility_id or an online_url");
	time_parse(start, &start_min);
	time_parse(end, &end_min);
	if (end_min <= start_min)
		http_json_error_add(errors, "end_time",
				    "must be after start_time (a class ends on the day it starts)");
	datetime_date_parse(from, &first);
	datetime_date_parse(to, &last);
	if (last < first)
		http_json_error_add(errors, "ends_on", "must not be before starts_on");
	else if (last - first > SERIES_SPAN_DAYS_MAX)
		http_json_error_add(errors, "ends_on",
				    "a series spans at most a year: schedule the next one later");
	if (*errors)
		return 0;

	/* The days in ISO order, as PostgreSQL reads an array. */
	json_array_foreach(json_object_get(body, "weekdays"), i, d)
		days[weekday_of(json_string_value(d))] = 1;
	p = w->weekdays;
	*p++ = '{';
	for (int k = 1; k <= 7; k++)
		if (days[k])
			p += sprintf(p, "%s%d", nd++ ? "," : "", k);
	strcpy(p, "}");

	for (long long day = first; day <= last; day++)
		if (days[iso_weekday(day)])
			w->n++;
	if (w->n == 0) {
		http_json_error_add(errors, "weekdays",
				    "none of these days falls between starts_on and ends_on");
		return 0;
	}
	if (w->n > SERIES_OCCURRENCES_MAX) {
		char msg[96];

		snprintf(msg, sizeof(msg), "make %zu classes: a series has at most %d", w->n,
			 SERIES_OCCURRENCES_MAX);
		http_json_error_add(errors, "weekdays", msg);
		return 0;
	}
	len += w->n * 21;
	if (!(w->starts_us = malloc(len)))
		return LMS_ENOMEM;
	w->starts_us[at++] = '{';
	for (long long day = first; day <= last; day++) {
		if (!days[iso_weekday(day)])
			continue;
		at += (size_t)snprintf(w->starts_us + at, len - at, "%s%lld", at > 1 ? "," : "",
				       (day * 86400 + start_min * 60LL - SEOUL_OFFSET_S) * 1000000);
	}
	snprintf(w->starts_us + at, len - at, "}");
	w->plan.weekdays = w->weekdays;
	w->plan.starts_us = w->starts_us;
	w->plan.duration_us = (end_min - start_min) * 60LL * 1000000;
	return 0;
}

/*
 * Answers a series the exclusion constraints refused: rolls back, then
 * lists every occurrence that clashes (outside the failed transaction).
 * The code and conflicting_session are the first clash's, as for one
 * session; "conflicts" holds them all.
 */
static void reply_conflicts(struct http_req *req, struct db_conn *db, const struct series_plan *plan)
{
	json_t *conflicts = NULL, *problem = NULL, *first, *kinds;
	bool facility;
	int rc;

	db_rollback(db);
	if ((rc = series_store_conflicts(db, plan, http_req_lang(req), &conflicts)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	first = json_array_get(conflicts, 0);
	kinds = json_object_get(first, "conflicts");
	facility = kinds && !strcmp(json_string_value(json_array_get(kinds, 0)), "facility");
	problem = http_problem_new(409, facility ? "facility_conflict" : "instructor_conflict",
				   "%zu of the series' classes clash with scheduled sessions: "
				   "nothing was scheduled",
				   json_array_size(conflicts));
	if (!problem ||
	    json_object_set(problem, "conflicting_session",
			    first ? json_object_get(first, "conflicting_session") : json_null()) <
		    0 ||
	    json_object_set(problem, "conflicts", conflicts) < 0)
		http_reply_error(req, LMS_ENOMEM);
	else
		http_reply_problem_json(req, 409, problem, NULL);
	json_decref(problem);
	json_decref(conflicts);
}

void class_series_create(struct http_req *req)
{
	struct series_work w = {0};
	struct class_session_section sec;
	struct guard_target t;
	json_t *errors = NULL, *series = NULL, *detail = NULL;
	char location[64];
	long long section_id, id;
	struct db_conn *db;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &section_id) ||
	    !schema_body_or_reply(req, &series_schema, SCHEMA_CREATE))
		goto out;
	if ((rc = work_out(req->json, section_id, &w, &errors)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	if (errors) {
		schema_reply_invalid(req, errors);
		goto out;
	}
	if (!(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = class_session_store_section(db, section_id, req->who.user_id, &sec)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	t = (struct guard_target){.institution_id = sec.institution_id,
				  .teaches = sec.teaches,
				  .hidden = !sec.published};
	if (!guard_require_target_or_reply(req, GUARD_SESSION_MANAGE, &t))
		goto out;
	if (!strcmp(sec.status, "cancelled")) {
		http_reply_problem(req, 409, "section_cancelled", NULL,
				   "this section was cancelled: it has no sessions to schedule");
		goto out;
	}
	/* ISO dates compare as text. */
	if (strcmp(w.plan.starts_on, sec.starts_on) < 0 || strcmp(w.plan.ends_on, sec.ends_on) > 0) {
		char msg[160];

		snprintf(msg, sizeof(msg), "must be within the section's dates, %s to %s",
			 sec.starts_on, sec.ends_on);
		http_json_error_add(&errors,
				    strcmp(w.plan.starts_on, sec.starts_on) < 0 ? "starts_on"
									   : "ends_on",
				    msg);
		schema_reply_invalid(req, errors);
		goto out;
	}
	if ((rc = db_begin(db)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	if (!class_session_refs_or_reply(req, db, sec.institution_id, &w.plan.place, true, true)) {
		db_rollback(db);
		goto out;
	}
	rc = series_store_create(db, &w.plan, req->who.user_id, &id);
	if (rc == LMS_ECONFLICT) {
		reply_conflicts(req, db, &w.plan);
		goto out;
	}
	if (rc < 0 || (rc = series_store_get(db, id, &series)) < 0) {
		audit_change_failed(req, db, rc, "session change");
		goto out;
	}
	detail = json_pack("{s:I, s:I, s:I}", "section_id", (json_int_t)section_id,
			   "instructor_id", (json_int_t)w.plan.place.instructor_id, "occurrences",
			   (json_int_t)w.n);
	snprintf(location, sizeof(location), "/api/v1/session-series/%lld", id);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "session_series.create",
						 .target_type = "session_series",
						 .target_id = id,
						 .institution_id = sec.institution_id,
						 .detail = detail},
			   201, series, NULL, location);
out:
	work_release(&w);
	json_decref(detail);
	json_decref(series);
}

void class_series_show(struct http_req *req)
{
	struct class_session_section sec;
	struct guard_target t;
	json_t *series = NULL;
	long long id, section_id;
	struct db_conn *db;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = series_store_section(db, id, &section_id)) < 0 ||
	    (rc = class_session_store_section(db, section_id, req->who.user_id, &sec)) < 0)
		goto fail;
	/* As the section's list of sessions: who may read one reads them. */
	t = (struct guard_target){.institution_id = sec.institution_id,
				  .teaches = sec.teaches || sec.instructs,
				  .enrolled = sec.enrolled,
				  .hidden = !sec.published || !strcmp(sec.status, "draft")};
	if (!guard_require_target_or_reply(req, GUARD_CONTENT_READ, &t))
		goto out;
	if ((rc = series_store_get(db, id, &series)) < 0)
		goto fail;
	http_reply_json(req, 200, series);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(series);
}
