/* session_store.h - class sessions in PostgreSQL: scheduling that cannot
 * double-book, attendance and attendance rates, the sections an instructor
 * teaches */
#ifndef LMS_SCHEDULE_SESSION_STORE_H
#define LMS_SCHEDULE_SESSION_STORE_H

#include <jansson.h>
#include <stdbool.h>

struct db_conn;

/* The exclusion constraints of class_sessions (migration 0005): which one
 * a refused insert or update violated says what is double-booked. */
#define CLASS_SESSION_INSTRUCTOR_FREE "class_sessions_instructor_free"
#define CLASS_SESSION_FACILITY_FREE "class_sessions_facility_free"

/* Longest online_url accepted, in bytes. */
#define CLASS_SESSION_URL_MAX 2000

/*
 * SQL: the timestamptz expression col as RFC 3339 in Korean time,
 * "2027-03-03T09:00:00+09:00" (fractions of a second only when there are
 * some). Korea has kept +09:00 all year since 1988, so the offset is fixed.
 */
#define CLASS_SESSION_KST(col)                                                            \
	"((to_json((" col ") AT TIME ZONE 'Asia/Seoul') #>> '{}') || '+09:00')"

/*
 * SQL to join after a FROM naming enrolment "e": its attendance so far, as
 * r.held and r.attended, the sessions of its section that are scheduled
 * and have begun, and those it was marked present at. The one count that
 * rates, rosters and completion all read.
 */
#define CLASS_SESSION_ATTENDANCE_COUNTS                                                   \
	" CROSS JOIN LATERAL (SELECT count(*) AS held,"                                    \
	" count(*) FILTER (WHERE m.present) AS attended FROM class_sessions h"               \
	" LEFT JOIN attendance m ON m.session_id = h.id AND m.enrollment_id = e.id"          \
	" WHERE h.section_id = e.section_id AND h.status = 'scheduled'"                    \
	" AND h.starts_at <= now()) r"

/* Where and when a session meets, and who teaches it. */
struct class_session_slot {
	long long starts_us, ends_us; /* microseconds since 1970-01-01T00:00:00Z */
	long long instructor_id;
	long long facility_id;        /* 0: online */
	const char *online_url;       /* borrowed; NULL: in a facility */
};

/* What rules and permissions need to know of a section, for one caller. */
struct class_session_section {
	long long id, course_id, institution_id;
	char status[16];              /* draft | open | closed | cancelled */
	char starts_on[11], ends_on[11]; /* YYYY-MM-DD */
	/* The section's dates as instants: 00:00 of starts_on to 24:00 of
	 * ends_on in Asia/Seoul, in microseconds since the epoch. */
	long long first_us, last_us;
	bool published;               /* its course is published */
	bool teaches;                 /* the caller is one of its instructors */
	bool enrolled;                /* the caller is enrolled in it (also completed
				       * or incomplete) */
	bool instructs;               /* the caller is the instructor of one of its
				       * sessions (cancelled ones too) */
};

/* One session, for one caller. */
struct class_session_info {
	long long id;
	struct class_session_section section;
	struct class_session_slot slot; /* online_url points into online_url below */
	char online_url[CLASS_SESSION_URL_MAX + 1];
	char status[16];              /* scheduled | cancelled */
	bool started;                 /* it has begun (now or earlier) */
	bool instructs;               /* the caller is its instructor */
};

/*
 * The facts of section_id for the user caller into *s. Returns 0,
 * LMS_ENOTFOUND when there is no such section, or a db_exec error.
 */
int class_session_store_section(struct db_conn *db, long long section_id, long long caller,
				struct class_session_section *s);

/*
 * Session id for the user caller into *info; with lock, its row is locked
 * until the caller's transaction ends (call inside one). Returns 0,
 * LMS_ENOTFOUND, or a db_exec error.
 */
int class_session_store_info(struct db_conn *db, long long id, long long caller, bool lock,
			     struct class_session_info *info);

/*
 * Whether instructor_id has an instructor profile and facility_id (when
 * not 0; else *facility_ok is true) is a facility. Returns 0 or an lms_err.
 */
int class_session_store_refs(struct db_conn *db, long long instructor_id,
			     long long facility_id, bool *instructor_ok, bool *facility_ok);

/*
 * Schedules slot s for section_id; *id is the new session. The database
 * decides double-booking: LMS_ECONFLICT with db->constraint naming
 * CLASS_SESSION_INSTRUCTOR_FREE or CLASS_SESSION_FACILITY_FREE (the
 * transaction is then aborted). Otherwise 0 or a db_exec error.
 */
int class_session_store_create(struct db_conn *db, long long section_id,
			       const struct class_session_slot *s, long long *id);

/*
 * Inside the caller's transaction: gives session id slot s, or cancels it
 * when cancel is true (slot ignored); either way its sequence rises and
 * updated_at is now. Conflicts as class_session_store_create.
 */
int class_session_store_update(struct db_conn *db, long long id,
			       const struct class_session_slot *s, bool cancel);

/*
 * The scheduled session, other than except_id, that s collides with under
 * constraint (one of the two names above) into *session (new): {id,
 * section_id, course_id, course_title, institution_id, institution,
 * starts_at, ends_at}, names in lang ("ko" | "en"). LMS_ENOTFOUND when
 * there is none (any more).
 */
int class_session_store_conflict(struct db_conn *db, const char *constraint,
				 const struct class_session_slot *s, long long except_id,
				 const char *lang, json_t **session);

/*
 * Session id into *session (new): {id, section_id, course_id,
 * course_title, institution_id, institution, starts_at, ends_at (Korean
 * time), instructor {id, display_name}, facility {id, name} | null,
 * online_url | null, status, sequence, series_id (the recurring class it was
 * made for, or null), created_at, updated_at}, names in
 * lang. LMS_ENOTFOUND.
 */
int class_session_store_get(struct db_conn *db, long long id, const char *lang,
			    json_t **session);

/*
 * Of the attendance items [{enrollment_id, present}] (borrowed, already
 * well-formed), the 0-based positions whose enrolment is not enrolled,
 * completed or incomplete in section_id, into *bad (new array, empty when
 * all are). Returns 0 or a db_exec error.
 */
int class_session_store_attendance_check(struct db_conn *db, long long section_id,
					 const json_t *items, json_t **bad);

/*
 * Inside the caller's transaction: records items (checked, no enrolment
 * twice) for session_id as taken by recorded_by, replacing earlier marks.
 */
int class_session_store_attendance_set(struct db_conn *db, long long session_id,
				       const json_t *items, long long recorded_by);

/*
 * The attendance of session_id into *out (new): {session_id, items:
 * [{enrollment_id, user_id, display_name, present, recorded_at,
 * attendance {attended, held, rate_pct}}]} in enrolment order, each with
 * the enrolment's rate as class_session_store_attendance_rate counts it.
 */
int class_session_store_attendance_list(struct db_conn *db, long long session_id,
					json_t **out);

/* An enrolment's attendance so far, and what its programme asks. */
struct class_session_rate {
	long long held;       /* sessions of its section held so far: scheduled (not
			       * cancelled) and begun */
	long long attended;   /* of those, the ones it was marked present at */
	int threshold_pct;    /* the programme's min_attendance_pct; 0: none */
};

/*
 * The attendance of enrollment_id into *r. Returns 0, LMS_ENOTFOUND, or a
 * db_exec error.
 */
int class_session_store_attendance_rate(struct db_conn *db, long long enrollment_id,
					struct class_session_rate *r);

/*
 * Whether rate r meets its programme's threshold. With no threshold, or no
 * session held yet (nothing to count: courses that record no sessions are
 * not held to a rule they cannot meet), it does.
 */
bool class_session_store_rate_meets(const struct class_session_rate *r);

/*
 * The sections user_id teaches (a section instructor, or the instructor of
 * one of its scheduled sessions), by id after after_id, at most limit, into
 * *items (new): the section's fields and seat counts, course {id, code,
 * title, title_ko, title_en, institution_id, institution} and next_session
 * (the one under way or the next scheduled: {id, starts_at, ends_at,
 * facility, online_url}, or null); names in lang.
 */
int class_session_store_taught(struct db_conn *db, long long user_id, long long after_id,
			       int limit, const char *lang, json_t **items);

#endif
