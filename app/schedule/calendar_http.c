/* calendar_http.c - handlers: schedules as JSON and iCalendar, calendar feeds */
#include "lms/schedule/calendar_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lms/auth/guard.h"
#include "lms/core/config.h"
#include "lms/core/datetime.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/schedule/calendar.h"
#include "lms/schedule/calendar_store.h"
#include "lms/service/audit.h"

#define USEC_PER_S 1000000LL
#define DAY_US (86400LL * USEC_PER_S)
#define PAST_DAYS 7
#define AHEAD_DAYS 90
#define SPAN_MAX_DAYS 366

/* Calendar apps poll; each fetch must see the latest changes, and no
 * shared cache may keep a personal calendar. */
#define ICS_HEADERS "Cache-Control: private, no-cache\r\n"

#define INSTANT_MESSAGE                                                                  \
	"must be an RFC 3339 time with an offset, like 2027-03-02T09:00:00+09:00, or a date " \
	"YYYY-MM-DD"

/* A schedule's window, in microseconds since the epoch: [from, to). */
struct period {
	long long from, to;
};

/* Seconds of an instant given in microseconds, rounded down. */
static long long seconds_of(long long usec)
{
	return usec / USEC_PER_S - (usec % USEC_PER_S < 0);
}

/*
 * Reads the query parameter name as an instant: RFC 3339 with an offset,
 * or a date meaning midnight in Korea. Returns 1 and sets *usec, 0 when it
 * is absent, -1 when it is neither.
 */
static int instant_param(struct http_req *req, const char *name, long long *usec)
{
	char buf[64];
	int n = http_req_query(req, name, buf, sizeof(buf));

	if (n == -1)
		return 0;
	return n >= 0 && datetime_instant_parse(buf, usec) ? 1 : -1;
}

/* Reads ?from= and ?to= into *p (see calendar_http.h). Replies 400 naming
 * each bad one and returns false when they are not a window. */
static bool period_or_reply(struct http_req *req, struct period *p)
{
	long long now = (long long)time(NULL) * USEC_PER_S;
	json_t *errors = NULL;
	int has_from = instant_param(req, "from", &p->from);
	int has_to = instant_param(req, "to", &p->to);

	if (has_from < 0)
		http_json_error_add(&errors, "from", INSTANT_MESSAGE);
	if (has_to < 0)
		http_json_error_add(&errors, "to", INSTANT_MESSAGE);
	if (!errors) {
		if (!has_from && !has_to) {
			p->from = now - PAST_DAYS * DAY_US;
			p->to = now + AHEAD_DAYS * DAY_US;
		} else if (!has_to) {
			p->to = p->from + (PAST_DAYS + AHEAD_DAYS) * DAY_US;
		} else if (!has_from) {
			p->from = p->to - (PAST_DAYS + AHEAD_DAYS) * DAY_US;
		}
		if (p->to <= p->from)
			http_json_error_add(&errors, "to", "must be later than from");
		else if (p->to - p->from > SPAN_MAX_DAYS * DAY_US)
			http_json_error_add(&errors, "to", "must be at most 366 days after from");
	}
	if (!errors)
		return true;
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the schedule's window is not valid");
	return false;
}

/*
 * Reads ?key= into key (CALENDAR_FEED_LEN + 1 bytes). Returns false when
 * there is none; true when there is one, with key "" when it cannot be a
 * feed secret (it then names no feed, like an unknown one).
 */
static bool key_param(struct http_req *req, char *key)
{
	char buf[CALENDAR_FEED_LEN + 2];
	int n = http_req_query(req, "key", buf, sizeof(buf));

	key[0] = '\0';
	if (n == -1)
		return false;
	if (n == (int)CALENDAR_FEED_LEN &&
	    strncmp(buf, CALENDAR_FEED_PREFIX, strlen(CALENDAR_FEED_PREFIX)) == 0)
		memcpy(key, buf, CALENDAR_FEED_LEN + 1);
	return true;
}

/*
 * The owner of the live feed of kind whose secret is key, noting its use.
 * Replies 404 for a key that names none (unknown, revoked, malformed: all
 * alike, so a key reveals nothing) and returns 0.
 */
static long long feed_owner_or_reply(struct http_req *req, const char *kind, const char *key)
{
	long long owner = 0;
	int rc = key[0] ? calendar_store_feed_use(req->db, kind, key, &owner) : LMS_ENOTFOUND;

	if (rc < 0) {
		http_reply_error(req, rc);
		return 0;
	}
	return owner;
}

/* Replies as the guard says and returns false unless the caller may read
 * the schedule of the instructor ins. */
static bool schedule_allowed_or_reply(struct http_req *req, const struct calendar_instructor *ins)
{
	struct guard_target t = {
		.institution_id = ins->home_institution_id,
		.own = ins->own,
		.partner = ins->partner,
	};

	return guard_require_target_or_reply(req, GUARD_SCHEDULE_READ, &t);
}

/*
 * The instructor {id} of a schedule request, judged for the identified
 * caller, or taken as allowed when by_key (the caller holds that
 * instructor's feed key). Replies 404 (no such instructor), 403 or an
 * error and returns false when the request must stop.
 */
static bool instructor_or_reply(struct http_req *req, long long id, bool by_key,
				struct calendar_instructor *ins)
{
	int rc = calendar_store_instructor(req->db, id, by_key ? id : req->who.user_id, ins);

	if (rc < 0) {
		http_reply_error(req, rc);
		return false;
	}
	return by_key || schedule_allowed_or_reply(req, ins);
}

/* Replies 200 {<owner>: id, from, to, items} for the sessions in items
 * (borrowed) of window p. */
static void schedule_reply(struct http_req *req, const char *owner, long long id,
			   const struct period *p, json_t *items)
{
	char from[26], to[26];
	json_t *body;

	calendar_rfc3339_format(seconds_of(p->from), from);
	calendar_rfc3339_format(seconds_of(p->to), to);
	if (!(body = json_pack("{s:I, s:s, s:s, s:O}", owner, (json_int_t)id, "from", from, "to",
			       to, "items", items))) {
		http_reply_error(req, LMS_ENOMEM);
		return;
	}
	http_reply_json(req, 200, body);
	json_decref(body);
}

void calendar_schedule(struct http_req *req)
{
	struct calendar_instructor ins;
	struct period p;
	json_t *items = NULL;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !period_or_reply(req, &p) ||
	    !http_req_db_or_reply(req) || !instructor_or_reply(req, id, false, &ins))
		goto out;
	if ((rc = calendar_store_instructor_sessions(req->db, id, p.from, p.to, http_req_lang(req),
						     &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	schedule_reply(req, "instructor_id", id, &p, items);
out:
	json_decref(items);
}

void calendar_schedule_institution(struct http_req *req)
{
	struct period p;
	json_t *items = NULL;
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !period_or_reply(req, &p) ||
	    !guard_require_or_reply(req, GUARD_INSTITUTION_SCHEDULE_READ, id) ||
	    !http_req_db_or_reply(req))
		goto out;
	if ((rc = calendar_store_institution_sessions(req->db, id, p.from, p.to,
						      http_req_lang(req), &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	schedule_reply(req, "institution_id", id, &p, items);
out:
	json_decref(items);
}

void calendar_schedule_mine(struct http_req *req)
{
	struct period p;
	json_t *items = NULL;
	int rc;

	if (!period_or_reply(req, &p) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = calendar_store_learner_sessions(req->db, req->who.user_id, p.from, p.to,
						  http_req_lang(req), &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	schedule_reply(req, "user_id", req->who.user_id, &p, items);
out:
	json_decref(items);
}

/* A string member of obj, "" when it has none. */
static const char *str_of(const json_t *obj, const char *name)
{
	const char *s = json_string_value(json_object_get(obj, name));

	return s ? s : "";
}

/* Seconds since the epoch of a timestamp member the store wrote. */
static long long time_of(const json_t *obj, const char *name)
{
	long long usec = 0;

	datetime_timestamp_parse(str_of(obj, name), &usec);
	return seconds_of(usec);
}

/* Writes one session the store listed as a VEVENT. */
static int event_write(struct calendar *cal, const json_t *s, const char *host, long long stamp,
		       const char *lang)
{
	const json_t *facility = json_object_get(s, "facility");
	const char *url = json_string_value(json_object_get(s, "online_url"));
	char *location = NULL, *description = NULL;
	int rc;

	if (json_is_object(facility) && str_of(facility, "location")[0])
		rc = asprintf(&location, "%s, %s", str_of(facility, "name"),
			      str_of(facility, "location"));
	else
		rc = asprintf(&location, "%s", json_is_object(facility) ? str_of(facility, "name")
									  : url ? url : "");
	if (rc < 0)
		location = NULL;
	if (asprintf(&description, "%s\n%s: %s", str_of(json_object_get(s, "institution"), "name"),
		     strcmp(lang, "en") == 0 ? "Term" : "학기", str_of(s, "term")) < 0)
		description = NULL;
	if (!location || !description) {
		rc = LMS_ENOMEM;
		goto out;
	}
	rc = calendar_event_write(
		cal,
		&(struct calendar_event){
			.id = json_integer_value(json_object_get(s, "id")),
			.starts_at = time_of(s, "starts_at"),
			.ends_at = time_of(s, "ends_at"),
			.updated_at = time_of(s, "updated_at"),
			.sequence = (int)json_integer_value(json_object_get(s, "sequence")),
			.cancelled = strcmp(str_of(s, "status"), "cancelled") == 0,
			.summary = str_of(s, "course_title"),
			.location = location,
			.url = url,
			.description = description,
		},
		host, stamp);
out:
	free(location);
	free(description);
	return rc;
}

/* Replies 200 with the sessions in items as a calendar called name. */
static void ics_reply(struct http_req *req, const char *name, const json_t *items)
{
	const char *lang = http_req_lang(req);
	long long stamp = (long long)time(NULL);
	struct calendar cal;
	const json_t *s;
	size_t i;
	int rc;

	if ((rc = calendar_init(&cal)) < 0 || (rc = calendar_begin(&cal, name)) < 0)
		goto fail;
	json_array_foreach(items, i, s) {
		if ((rc = event_write(&cal, s, req->app->cfg->public_host, stamp, lang)) < 0)
			goto fail;
	}
	if ((rc = calendar_end(&cal)) < 0)
		goto fail;
	http_reply_bytes(req, 200, CALENDAR_CONTENT_TYPE, cal.data, cal.len, ICS_HEADERS);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	calendar_release(&cal);
}

void calendar_schedule_ics(struct http_req *req)
{
	struct calendar_instructor ins;
	char key[CALENDAR_FEED_LEN + 1], name[640];
	struct period p;
	json_t *items = NULL;
	long long id, owner;
	bool by_key;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !period_or_reply(req, &p) ||
	    !http_req_db_or_reply(req))
		goto out;
	/* The route is public so that a calendar app can come with a key
	 * alone; without one, the caller is identified and judged here. */
	if ((by_key = key_param(req, key))) {
		if (!(owner = feed_owner_or_reply(req, "instructor", key)))
			goto out;
		if (owner != id) {
			http_reply_error(req, LMS_ENOTFOUND);
			goto out;
		}
	} else if (!guard_require_or_reply(req, GUARD_SIGNED_IN, 0)) {
		goto out;
	}
	if (!instructor_or_reply(req, id, by_key, &ins))
		goto out;
	if ((rc = calendar_store_instructor_sessions(req->db, id, p.from, p.to, http_req_lang(req),
						     &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	snprintf(name, sizeof(name),
		 strcmp(http_req_lang(req), "en") == 0 ? "%s: teaching schedule" : "%s 강의 일정",
		 ins.display_name);
	ics_reply(req, name, items);
out:
	json_decref(items);
}

void calendar_mine_ics(struct http_req *req)
{
	char key[CALENDAR_FEED_LEN + 1];
	struct period p;
	json_t *items = NULL;
	long long owner;
	int rc;

	if (!period_or_reply(req, &p) || !http_req_db_or_reply(req))
		goto out;
	if (key_param(req, key)) {
		if (!(owner = feed_owner_or_reply(req, "learner", key)))
			goto out;
	} else if (guard_require_or_reply(req, GUARD_SIGNED_IN, 0)) {
		owner = req->who.user_id;
	} else {
		goto out;
	}
	if ((rc = calendar_store_learner_sessions(req->db, owner, p.from, p.to, http_req_lang(req),
						  &items)) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	ics_reply(req, strcmp(http_req_lang(req), "en") == 0 ? "My classes" : "내 수업 일정",
		  items);
out:
	json_decref(items);
}

/* Records a change to the caller's feed id of kind in the audit log (a
 * feed is personal: of no institution). */
static int feed_audit(struct http_req *req, const char *action, long long id, const char *kind)
{
	json_t *detail = json_pack("{s:s}", "kind", kind);
	int rc = detail ? audit_record(req, &(struct audit_event){.action = action,
								   .target_type = "calendar_feed",
								   .target_id = id,
								   .detail = detail})
			: LMS_ENOMEM;

	json_decref(detail);
	return rc;
}

static const struct schema_field feed_fields[] = {
	{"kind", SCHEMA_STRING, .required = true, .max_bytes = 16},
};
static const struct schema feed_schema = SCHEMA_OF(feed_fields);

void calendar_feeds_create(struct http_req *req)
{
	char secret[CALENDAR_FEED_LEN + 1], url[1024];
	const struct lms_config *cfg = req->app->cfg;
	struct calendar_instructor ins;
	json_t *row = NULL;
	const char *kind;
	int rc;

	if (!schema_body_or_reply(req, &feed_schema, SCHEMA_CREATE))
		goto out;
	kind = json_string_value(json_object_get(req->json, "kind"));
	if (strcmp(kind, "instructor") != 0 && strcmp(kind, "learner") != 0) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "kind", "message",
					     "must be instructor or learner"),
				   "the feed request has invalid fields");
		goto out;
	}
	if (!http_req_db_or_reply(req))
		goto out;
	/* Only an instructor has a teaching schedule to publish. */
	if (strcmp(kind, "instructor") == 0 &&
	    (rc = calendar_store_instructor(req->db, req->who.user_id, req->who.user_id,
					    &ins)) < 0) {
		if (rc == LMS_ENOTFOUND)
			http_reply_problem(req, 403, "forbidden", NULL,
					   "only instructors have a teaching schedule to publish");
		else
			http_reply_error(req, rc);
		goto out;
	}
	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = calendar_store_feed_create(req->db, req->who.user_id, kind, secret, &row)) < 0 ||
	    (rc = feed_audit(req, "calendar_feed.create",
			     json_integer_value(json_object_get(row, "id")), kind)) < 0 ||
	    (rc = db_commit(req->db)) < 0) {
		db_rollback(req->db);
		if (rc == LMS_ECONFLICT)
			http_reply_problem(req, 409, "too_many_feeds", NULL,
					   "you have %d calendar feeds: revoke one first",
					   CALENDAR_FEEDS_MAX);
		else
			http_reply_error(req, rc);
		goto out;
	}
	if (strcmp(kind, "instructor") == 0)
		snprintf(url, sizeof(url),
			 "https://%s:%d/api/v1/instructors/%lld/schedule.ics?key=%s", cfg->public_host,
			 cfg->https_port, req->who.user_id, secret);
	else
		snprintf(url, sizeof(url), "https://%s:%d/api/v1/me/calendar.ics?key=%s",
			 cfg->public_host, cfg->https_port, secret);
	json_object_set_new(row, "url", json_string(url));
	http_reply_json(req, 201, row);
out:
	json_decref(row);
}

void calendar_feeds_list(struct http_req *req)
{
	json_t *items = NULL;
	long long cursor;
	int limit, rc;

	if (!http_req_page_or_reply(req, &limit, &cursor) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = calendar_store_feeds_list(req->db, req->who.user_id, cursor, limit, &items)) <
	    0) {
		http_reply_error(req, rc);
		goto out;
	}
	http_reply_page(req, items, limit);
out:
	json_decref(items);
}

void calendar_feeds_revoke(struct http_req *req)
{
	char kind[16];
	long long id;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !http_req_db_or_reply(req))
		return;
	/* Someone else's feed is, to this caller, no feed at all. */
	if ((rc = db_begin(req->db)) < 0 ||
	    (rc = calendar_store_feed_revoke(req->db, id, req->who.user_id, kind)) < 0 ||
	    (rc = feed_audit(req, "calendar_feed.revoke", id, kind)) < 0 ||
	    (rc = db_commit(req->db)) < 0) {
		db_rollback(req->db);
		http_reply_error(req, rc);
		return;
	}
	http_reply_start(req, 204, NULL, 0, NULL);
}
