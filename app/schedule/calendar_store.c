/* calendar_store.c - schedules in the database: an instructor's and a learner's
 * sessions, and the calendar feeds that publish them */
#include "lms/schedule/calendar_store.h"

#include <stdio.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

/* A timestamp in Korean time, "2027-03-03T09:00:00+09:00". A fixed offset
 * (not the zone's history, which had summer time in 1987-88), as the
 * calendar's VTIMEZONE says. */
#define KST(x)                                                                           \
	"to_char((" x ") AT TIME ZONE INTERVAL '+09:00',"                                 \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"')"

/* An instant given in microseconds since the epoch: exact, where a float
 * of seconds would round. */
#define USEC(p) "(timestamptz 'epoch' + " p "::bigint * interval '1 microsecond')"

/* The sessions "cs" the caller's WHERE picks, by start, as a JSON array of
 * items with their course, institution, instructor and room; names in the
 * language of the parameter lang. */
#define SESSIONS_SELECT(lang)                                                            \
	"SELECT coalesce(json_agg(json_build_object('id', cs.id, 'section_id', cs.section_id," \
	" 'course_id', c.id,"                                                            \
	" 'course_title', CASE WHEN " lang " = 'en' THEN c.title_en ELSE c.title_ko END," \
	" 'term', s.term,"                                                               \
	" 'institution', json_build_object('id', i.id,"                                  \
	"  'name', CASE WHEN " lang " = 'en' THEN i.name_en ELSE i.name_ko END),"        \
	" 'instructor_id', cs.instructor_id,"                                            \
	" 'instructor', json_build_object('id', u.id, 'display_name', u.display_name),"  \
	" 'starts_at', " KST("cs.starts_at") ", 'ends_at', " KST("cs.ends_at") ","       \
	" 'facility', CASE WHEN f.id IS NULL THEN NULL ELSE json_build_object('id', f.id," \
	"  'name', CASE WHEN " lang " = 'en' THEN f.name_en ELSE f.name_ko END,"         \
	"  'location', f.location) END,"                                                 \
	" 'online_url', cs.online_url, 'status', cs.status, 'sequence', cs.sequence,"   \
	" 'updated_at', " KST("cs.updated_at") ","                                       \
	" 'interview', cs.interview_stage_id IS NOT NULL)"                              \
	" ORDER BY cs.starts_at, cs.id), '[]')"                                          \
	" FROM class_sessions cs JOIN sections s ON s.id = cs.section_id"                \
	" JOIN courses c ON c.id = s.course_id JOIN institutions i ON i.id = c.institution_id" \
	" JOIN users u ON u.id = cs.instructor_id"                                       \
	" LEFT JOIN facilities f ON f.id = cs.facility_id"

/* Those of them that overlap [$2, $3) (microseconds since the epoch), names
 * in language $4. The caller adds who they belong to ($1). */
#define WINDOW_SELECT                                                                    \
	SESSIONS_SELECT("$4") " WHERE cs.starts_at < " USEC("$3") " AND cs.ends_at > " USEC("$2")

/* The JSON of a feed row: never its secret or digest. */
#define FEED_JSON                                                                        \
	"json_build_object('id', f.id, 'kind', f.kind, 'created_at', f.created_at,"       \
	" 'last_used_at', f.last_used_at, 'revoked_at', f.revoked_at)"

int calendar_store_instructor(struct db_conn *db, long long instructor_id, long long caller_id,
			      struct calendar_instructor *out)
{
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_one_row(db, &res,
			"SELECT t.home_institution_id, t.user_id = $2::bigint,"
			" EXISTS (SELECT 1 FROM instructor_shares sh JOIN user_roles r"
			"  ON r.institution_id = sh.institution_id AND r.role = 'institution_admin'"
			"  WHERE sh.instructor_id = t.user_id AND r.user_id = $2::bigint),"
			" u.display_name"
			" FROM instructors t JOIN users u ON u.id = t.user_id WHERE t.user_id = $1",
			"ll", instructor_id, caller_id);
	if (rc < 0)
		return rc;
	out->home_institution_id = db_ll(res, 0, 0);
	out->own = db_bool(res, 0, 1);
	out->partner = db_bool(res, 0, 2);
	snprintf(out->display_name, sizeof(out->display_name), "%s", PQgetvalue(res, 0, 3));
	PQclear(res);
	return 0;
}

/* Runs sql (WINDOW_SELECT and who: $1 = id) into *items. */
static int sessions(struct db_conn *db, const char *sql, long long id, long long from_us,
		    long long to_us, const char *lang, json_t **items)
{
	return db_jsonf(db, items, sql, "llls", id, from_us, to_us, lang);
}

int calendar_store_instructor_sessions(struct db_conn *db, long long instructor_id,
				       long long from_us, long long to_us, const char *lang,
				       json_t **items)
{
	return sessions(db, WINDOW_SELECT " AND cs.instructor_id = $1", instructor_id, from_us,
			to_us, lang, items);
}

int calendar_store_institution_sessions(struct db_conn *db, long long institution_id,
					long long from_us, long long to_us, const char *lang,
					json_t **items)
{
	/* No row at all (not an empty list) when there is no such institution. */
	return sessions(db,
			"SELECT (" WINDOW_SELECT " AND c.institution_id = $1)"
			" WHERE EXISTS (SELECT 1 FROM institutions WHERE id = $1)",
			institution_id, from_us, to_us, lang, items);
}

int calendar_store_learner_sessions(struct db_conn *db, long long user_id, long long from_us,
				    long long to_us, const char *lang, json_t **items)
{
	/* Finished enrolments keep their calendar: the past stays true. */
	return sessions(db,
			WINDOW_SELECT " AND EXISTS (SELECT 1 FROM enrollments e"
			" WHERE e.section_id = cs.section_id AND e.user_id = $1"
			" AND e.status IN ('enrolled', 'completed', 'incomplete'))",
			user_id, from_us, to_us, lang, items);
}

int calendar_store_section_sessions(struct db_conn *db, long long section_id, const char *lang,
				    json_t **items)
{
	return db_jsonf(db, items, SESSIONS_SELECT("$2") " WHERE cs.section_id = $1", "ls",
			section_id, lang);
}

int calendar_store_feed_use(struct db_conn *db, const char *kind, const char *secret,
			    long long *user_id)
{
	char hash[SECRET_HEX_LEN + 1];
	PGresult *res = NULL;
	int rc;

	secret_sha256_hex(secret, strlen(secret), hash);
	rc = db_one_row(db, &res,
			"UPDATE calendar_feeds SET last_used_at = now()"
			" WHERE token_hash = decode($1, 'hex') AND kind = $2 AND revoked_at IS NULL"
			" RETURNING user_id",
			"ss", hash, kind);
	if (rc < 0)
		return rc;
	*user_id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int calendar_store_feed_create(struct db_conn *db, long long user_id, const char *kind,
			       char secret[CALENDAR_FEED_LEN + 1], json_t **row)
{
	char hash[SECRET_HEX_LEN + 1];
	int rc;

	*row = NULL;
	if ((rc = secret_token_new(CALENDAR_FEED_PREFIX, secret, CALENDAR_FEED_LEN + 1)) < 0)
		return rc;
	secret_sha256_hex(secret, strlen(secret), hash);
	/* A cap, not an invariant: two creations at once may pass it by one. */
	rc = db_jsonf(db, row,
		      "INSERT INTO calendar_feeds AS f (user_id, kind, token_hash)"
		      " SELECT $1::bigint, $2::text, decode($3, 'hex')"
		      " WHERE (SELECT count(*) FROM calendar_feeds WHERE user_id = $1::bigint"
		      "  AND revoked_at IS NULL) < $4::int"
		      " RETURNING json_build_object('id', f.id, 'kind', f.kind,"
		      "  'created_at', f.created_at)",
		      "lssi", user_id, kind, hash, CALENDAR_FEEDS_MAX);
	return rc == LMS_ENOTFOUND ? LMS_ECONFLICT : rc;
}

int calendar_store_feeds_list(struct db_conn *db, long long user_id, long long before_id,
			      int limit, json_t **items)
{
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(" FEED_JSON " ORDER BY f.id DESC), '[]')"
			" FROM (SELECT * FROM calendar_feeds WHERE user_id = $1"
			" AND ($2::bigint = 0 OR id < $2::bigint) ORDER BY id DESC LIMIT $3) f",
			"lli", user_id, before_id, limit);
}

int calendar_store_feed_revoke(struct db_conn *db, long long id, long long user_id,
			       char kind[16])
{
	PGresult *res = NULL;
	int rc;

	kind[0] = '\0';
	rc = db_one_row(db, &res,
			"UPDATE calendar_feeds SET revoked_at = coalesce(revoked_at, now())"
			" WHERE id = $1 AND user_id = $2 RETURNING kind",
			"ll", id, user_id);
	if (rc < 0)
		return rc;
	snprintf(kind, 16, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}
