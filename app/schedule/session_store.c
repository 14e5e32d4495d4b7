/* session_store.c - class sessions in PostgreSQL: scheduling that cannot
 * double-book, attendance and attendance rates, the sections an instructor
 * teaches */
#include "lms/schedule/session_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/catalog/catalog_store.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"

/* SQL: the instant of parameter p, microseconds since the epoch. Split into
 * whole seconds and the rest so that each product is exact (a bigint times
 * an interval goes through a double). */
#define TS(p)                                                                             \
	"('epoch'::timestamptz + (" p "::bigint / 1000000) * interval '1 second'"         \
	" + (" p "::bigint % 1000000) * interval '1 microsecond')"

/* SQL: an instant as microseconds since the epoch. */
#define US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

/* SQL: a name in the language of parameter lang. */
#define NAME_IN(lang, ko, en) "CASE WHEN " lang " = 'en' THEN " en " ELSE " ko " END"

/* The facts of section "s" of course "c" for the caller $2, in the columns
 * section_read() reads from. */
#define SECTION_COLUMNS                                                                   \
	"s.id, s.course_id, c.institution_id, s.status, s.starts_on::text, s.ends_on::text,"  \
	" " US("s.starts_on::timestamp AT TIME ZONE 'Asia/Seoul'") ","                      \
	" " US("(s.ends_on + 1)::timestamp AT TIME ZONE 'Asia/Seoul'") ","                  \
	" c.published,"                                                                   \
	" EXISTS (SELECT 1 FROM section_instructors si WHERE si.section_id = s.id"          \
	" AND si.user_id = $2),"                                                          \
	" EXISTS (SELECT 1 FROM enrollments e WHERE e.section_id = s.id AND e.user_id = $2"  \
	" AND e.status IN ('enrolled', 'completed', 'incomplete')),"                      \
	" EXISTS (SELECT 1 FROM class_sessions t WHERE t.section_id = s.id"                \
	" AND t.instructor_id = $2)"
#define SECTION_NCOLUMNS 12

/* What every answer naming a session "cs" shows first (its section "s",
 * course "c", institution "i"). */
#define SESSION_HEAD(lang)                                                                \
	"'id', cs.id, 'section_id', cs.section_id, 'course_id', c.id,"                     \
	" 'course_title', " NAME_IN(lang, "c.title_ko", "c.title_en") ","                  \
	" 'institution_id', i.id, 'institution', " NAME_IN(lang, "i.name_ko", "i.name_en") "," \
	" 'starts_at', " CLASS_SESSION_KST("cs.starts_at") ","                             \
	" 'ends_at', " CLASS_SESSION_KST("cs.ends_at")
#define SESSION_JOINS                                                                     \
	" JOIN sections s ON s.id = cs.section_id JOIN courses c ON c.id = s.course_id"      \
	" JOIN institutions i ON i.id = c.institution_id"

/* The facility "f" of a session, or null when it meets online. */
#define FACILITY_JSON(lang)                                                               \
	"CASE WHEN f.id IS NULL THEN NULL ELSE json_build_object('id', f.id,"               \
	" 'name', " NAME_IN(lang, "f.name_ko", "f.name_en") ") END"

/* The attendance of enrolment "e" so far, as r.held and r.attended: the
 * sessions of its section that are scheduled and have begun, and those it
 * was marked present at. */
#define ATTENDANCE_COUNTS                                                                 \
	" CROSS JOIN LATERAL (SELECT count(*) AS held,"                                    \
	" count(*) FILTER (WHERE m.present) AS attended FROM class_sessions h"               \
	" LEFT JOIN attendance m ON m.session_id = h.id AND m.enrollment_id = e.id"          \
	" WHERE h.section_id = e.section_id AND h.status = 'scheduled'"                    \
	" AND h.starts_at <= now()) r"

static void section_read(const PGresult *res, struct class_session_section *s)
{
	s->id = db_ll(res, 0, 0);
	s->course_id = db_ll(res, 0, 1);
	s->institution_id = db_ll(res, 0, 2);
	snprintf(s->status, sizeof(s->status), "%s", PQgetvalue(res, 0, 3));
	snprintf(s->starts_on, sizeof(s->starts_on), "%s", PQgetvalue(res, 0, 4));
	snprintf(s->ends_on, sizeof(s->ends_on), "%s", PQgetvalue(res, 0, 5));
	s->first_us = db_ll(res, 0, 6);
	s->last_us = db_ll(res, 0, 7);
	s->published = PQgetvalue(res, 0, 8)[0] == 't';
	s->teaches = PQgetvalue(res, 0, 9)[0] == 't';
	s->enrolled = PQgetvalue(res, 0, 10)[0] == 't';
	s->instructs = PQgetvalue(res, 0, 11)[0] == 't';
}

int class_session_store_section(struct db_conn *db, long long section_id, long long caller,
				struct class_session_section *s)
{
	char sid[24], uid[24];
	PGresult *res = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(sid, sizeof(sid), "%lld", section_id);
	snprintf(uid, sizeof(uid), "%lld", caller);
	if ((rc = db_execp(db, &res,
			   "SELECT " SECTION_COLUMNS " FROM sections s JOIN courses c ON c.id = s.course_id"
			   " WHERE s.id = $1",
			   sid, uid)) < 0)
		return rc;
	if (PQntuples(res) == 1)
		section_read(res, s);
	else
		rc = LMS_ENOTFOUND;
	PQclear(res);
	return rc;
}

#define INFO_SQL                                                                          \
	"SELECT " SECTION_COLUMNS ", cs.instructor_id, coalesce(cs.facility_id, 0),"        \
	" coalesce(cs.online_url, ''), cs.online_url IS NULL, cs.status,"                   \
	" " US("cs.starts_at") ", " US("cs.ends_at") ", cs.starts_at <= now(),"             \
	" cs.instructor_id = $2"                                                          \
	" FROM class_sessions cs JOIN sections s ON s.id = cs.section_id"                    \
	" JOIN courses c ON c.id = s.course_id WHERE cs.id = $1"

int class_session_store_info(struct db_conn *db, long long id, long long caller, bool lock,
			     struct class_session_info *info)
{
	char sid[24], uid[24];
	PGresult *res = NULL;
	int rc, k = SECTION_NCOLUMNS;

	memset(info, 0, sizeof(*info));
	snprintf(sid, sizeof(sid), "%lld", id);
	snprintf(uid, sizeof(uid), "%lld", caller);
	if ((rc = db_execp(db, &res, lock ? INFO_SQL " FOR UPDATE OF cs" : INFO_SQL, sid, uid)) < 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return LMS_ENOTFOUND;
	}
	info->id = id;
	section_read(res, &info->section);
	info->slot.instructor_id = db_ll(res, 0, k);
	info->slot.facility_id = db_ll(res, 0, k + 1);
	snprintf(info->online_url, sizeof(info->online_url), "%s", PQgetvalue(res, 0, k + 2));
	info->slot.online_url = PQgetvalue(res, 0, k + 3)[0] == 't' ? NULL : info->online_url;
	snprintf(info->status, sizeof(info->status), "%s", PQgetvalue(res, 0, k + 4));
	info->slot.starts_us = db_ll(res, 0, k + 5);
	info->slot.ends_us = db_ll(res, 0, k + 6);
	info->started = PQgetvalue(res, 0, k + 7)[0] == 't';
	info->instructs = PQgetvalue(res, 0, k + 8)[0] == 't';
	PQclear(res);
	return 0;
}

int class_session_store_refs(struct db_conn *db, long long instructor_id,
			     long long facility_id, bool *instructor_ok, bool *facility_ok)
{
	char ins[24], fac[24];
	PGresult *res = NULL;
	int rc;

	*instructor_ok = *facility_ok = false;
	snprintf(ins, sizeof(ins), "%lld", instructor_id);
	snprintf(fac, sizeof(fac), "%lld", facility_id);
	if ((rc = db_execp(db, &res,
			   "SELECT EXISTS (SELECT 1 FROM instructors WHERE user_id = $1),"
			   " $2::bigint = 0 OR EXISTS (SELECT 1 FROM facilities WHERE id = $2)",
			   ins, fac)) < 0)
		return rc;
	*instructor_ok = PQgetvalue(res, 0, 0)[0] == 't';
	*facility_ok = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	return 0;
}

/* The text parameters of slot s: start, end, instructor, facility (NULL
 * when online). */
struct slot_params {
	char starts[24], ends[24], instructor[24], facility[24];
};

static const char *slot_params_fill(struct slot_params *p, const struct class_session_slot *s)
{
	snprintf(p->starts, sizeof(p->starts), "%lld", s->starts_us);
	snprintf(p->ends, sizeof(p->ends), "%lld", s->ends_us);
	snprintf(p->instructor, sizeof(p->instructor), "%lld", s->instructor_id);
	snprintf(p->facility, sizeof(p->facility), "%lld", s->facility_id);
	return s->facility_id ? p->facility : NULL;
}

int class_session_store_create(struct db_conn *db, long long section_id,
			       const struct class_session_slot *s, long long *id)
{
	struct slot_params p;
	const char *facility = slot_params_fill(&p, s);
	PGresult *res = NULL;
	char sid[24];
	int rc;

	*id = 0;
	snprintf(sid, sizeof(sid), "%lld", section_id);
	/* No look-before-insert: the exclusion constraints decide, so two
	 * requests racing for one instructor or room cannot both win. */
	if ((rc = db_execp(db, &res,
			   "INSERT INTO class_sessions (section_id, starts_at, ends_at, instructor_id,"
			   " facility_id, online_url) VALUES ($1, " TS("$2") ", " TS("$3") ", $4, $5,"
			   " $6) RETURNING id",
			   sid, p.starts, p.ends, p.instructor, facility, s->online_url)) < 0)
		return rc;
	*id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int class_session_store_update(struct db_conn *db, long long id,
			       const struct class_session_slot *s, bool cancel)
{
	struct slot_params p;
	const char *facility = slot_params_fill(&p, s);
	char sid[24];

	snprintf(sid, sizeof(sid), "%lld", id);
	if (cancel)
		return db_execp(db, NULL,
				"UPDATE class_sessions SET status = 'cancelled',"
				" sequence = sequence + 1, updated_at = now() WHERE id = $1",
				sid);
	return db_execp(db, NULL,
			"UPDATE class_sessions SET starts_at = " TS("$2") ", ends_at = " TS("$3") ","
			" instructor_id = $4, facility_id = $5, online_url = $6,"
			" sequence = sequence + 1, updated_at = now() WHERE id = $1",
			sid, p.starts, p.ends, p.instructor, facility, s->online_url);
}

int class_session_store_conflict(struct db_conn *db, const char *constraint,
				 const struct class_session_slot *s, long long except_id,
				 const char *lang, json_t **session)
{
	bool by_facility = strcmp(constraint, CLASS_SESSION_FACILITY_FREE) == 0;
	struct slot_params p;
	char except[24];

	slot_params_fill(&p, s);
	snprintf(except, sizeof(except), "%lld", except_id);
	return db_jsonp(db, session,
			"SELECT json_build_object(" SESSION_HEAD("$6") ") FROM class_sessions cs"
			SESSION_JOINS
			" WHERE cs.status = 'scheduled' AND cs.id <> $5::bigint"
			" AND (cs.instructor_id = $1::bigint OR cs.facility_id = $2::bigint)"
			" AND tstzrange(cs.starts_at, cs.ends_at, '[)')"
			" && tstzrange(" TS("$3") ", " TS("$4") ", '[)')"
			" ORDER BY cs.starts_at LIMIT 1",
			by_facility ? NULL : p.instructor, by_facility ? p.facility : NULL, p.starts,
			p.ends, except, lang);
}

int class_session_store_get(struct db_conn *db, long long id, const char *lang,
			    json_t **session)
{
	char sid[24];

	snprintf(sid, sizeof(sid), "%lld", id);
	return db_jsonp(db, session,
			"SELECT json_build_object(" SESSION_HEAD("$2") ","
			" 'instructor', json_build_object('id', u.id, 'display_name', u.display_name),"
			" 'facility', " FACILITY_JSON("$2") ", 'online_url', cs.online_url,"
			" 'status', cs.status, 'sequence', cs.sequence,"
			" 'created_at', cs.created_at, 'updated_at', cs.updated_at)"
			" FROM class_sessions cs" SESSION_JOINS
			" JOIN users u ON u.id = cs.instructor_id"
			" LEFT JOIN facilities f ON f.id = cs.facility_id WHERE cs.id = $1",
			sid, lang);
}

/*
 * Runs sql with $1 the attendance items as jsonb text and $2 (and $3 when
 * nparams is 3) the ids a and b; with out, as db_json into *out.
 */
static int items_run(struct db_conn *db, const char *sql, int nparams, const json_t *items,
		     long long a, long long b, json_t **out)
{
	char sa[24], sb[24], *text = json_dumps(items, JSON_COMPACT);
	const char *params[3] = {text, sa, sb};
	int rc;

	if (!text)
		return LMS_ENOMEM;
	snprintf(sa, sizeof(sa), "%lld", a);
	snprintf(sb, sizeof(sb), "%lld", b);
	rc = out ? db_json(db, out, sql, nparams, params) : db_exec(db, NULL, sql, nparams, params);
	free(text);
	return rc;
}

int class_session_store_attendance_check(struct db_conn *db, long long section_id,
					 const json_t *items, json_t **bad)
{
	*bad = NULL;
	return items_run(db,
			 "SELECT coalesce(json_agg(x.ord - 1 ORDER BY x.ord), '[]')"
			 " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY x(v, ord)"
			 " WHERE NOT EXISTS (SELECT 1 FROM enrollments e"
			 " WHERE e.id = (x.v->>'enrollment_id')::bigint AND e.section_id = $2"
			 " AND e.status IN ('enrolled', 'completed', 'incomplete'))",
			 2, items, section_id, 0, bad);
}

int class_session_store_attendance_set(struct db_conn *db, long long session_id,
				       const json_t *items, long long recorded_by)
{
	return items_run(db,
			 "INSERT INTO attendance (session_id, enrollment_id, present, recorded_by)"
			 " SELECT $2, (v->>'enrollment_id')::bigint, (v->>'present')::boolean, $3"
			 " FROM jsonb_array_elements($1::jsonb) v"
			 " ON CONFLICT (session_id, enrollment_id) DO UPDATE SET"
			 " present = EXCLUDED.present, recorded_by = EXCLUDED.recorded_by,"
			 " recorded_at = now()",
			 3, items, session_id, recorded_by, NULL);
}

int class_session_store_attendance_list(struct db_conn *db, long long session_id,
					json_t **out)
{
	char sid[24];

	snprintf(sid, sizeof(sid), "%lld", session_id);
	/* Everyone who may be marked, marked or not yet (present null), and
	 * anyone marked who has left since. */
	return db_jsonp(
		db, out,
		"SELECT json_build_object('session_id', $1::bigint, 'items',"
		" coalesce(json_agg(json_build_object('enrollment_id', e.id, 'user_id', e.user_id,"
		" 'display_name', u.display_name, 'status', e.status, 'present', a.present,"
		" 'recorded_at', a.recorded_at, 'attendance', json_build_object("
		" 'attended', r.attended, 'held', r.held, 'rate_pct',"
		" CASE WHEN r.held > 0 THEN round(100.0 * r.attended / r.held, 1) END))"
		" ORDER BY e.id), '[]'))"
		" FROM enrollments e JOIN users u ON u.id = e.user_id"
		" LEFT JOIN attendance a ON a.session_id = $1 AND a.enrollment_id = e.id"
		ATTENDANCE_COUNTS
		" WHERE e.section_id = (SELECT section_id FROM class_sessions WHERE id = $1)"
		" AND (e.status IN ('enrolled', 'completed', 'incomplete')"
		" OR a.enrollment_id IS NOT NULL)",
		sid);
}

int class_session_store_attendance_rate(struct db_conn *db, long long enrollment_id,
					struct class_session_rate *r)
{
	PGresult *res = NULL;
	char eid[24];
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(eid, sizeof(eid), "%lld", enrollment_id);
	if ((rc = db_execp(db, &res,
			   "SELECT r.held, r.attended, coalesce(p.min_attendance_pct, 0)"
			   " FROM enrollments e JOIN sections s ON s.id = e.section_id"
			   " JOIN courses c ON c.id = s.course_id"
			   " JOIN programs p ON p.id = c.program_id" ATTENDANCE_COUNTS
			   " WHERE e.id = $1",
			   eid)) < 0)
		return rc;
	if (PQntuples(res) == 1) {
		r->held = db_ll(res, 0, 0);
		r->attended = db_ll(res, 0, 1);
		r->threshold_pct = (int)db_ll(res, 0, 2);
	} else {
		rc = LMS_ENOTFOUND;
	}
	PQclear(res);
	return rc;
}

bool class_session_store_rate_meets(const struct class_session_rate *r)
{
	return r->threshold_pct <= 0 || r->held == 0 ||
	       r->attended * 100 >= (long long)r->threshold_pct * r->held;
}

int class_session_store_taught(struct db_conn *db, long long user_id, long long after_id,
			       int limit, const char *lang, json_t **items)
{
	char uid[24], after[24], lim[16];

	snprintf(uid, sizeof(uid), "%lld", user_id);
	snprintf(after, sizeof(after), "%lld", after_id);
	snprintf(lim, sizeof(lim), "%d", limit);
	return db_jsonp(
		db, items,
		"SELECT coalesce(json_agg(x.j ORDER BY x.id), '[]') FROM ("
		" SELECT s.id, json_build_object(" CATALOG_SECTION_FIELDS ","
		"  'course', json_build_object('id', c.id, 'code', c.code,"
		"   'title', " NAME_IN("$4", "c.title_ko", "c.title_en") ","
		"   'title_ko', c.title_ko, 'title_en', c.title_en,"
		"   'institution_id', c.institution_id,"
		"   'institution', " NAME_IN("$4", "i.name_ko", "i.name_en") "),"
		"  'next_session', (SELECT json_build_object('id', cs.id,"
		"   'starts_at', " CLASS_SESSION_KST("cs.starts_at") ","
		"   'ends_at', " CLASS_SESSION_KST("cs.ends_at") ","
		"   'instructor_id', cs.instructor_id,"
		"   'facility', " FACILITY_JSON("$4") ", 'online_url', cs.online_url)"
		"   FROM class_sessions cs LEFT JOIN facilities f ON f.id = cs.facility_id"
		"   WHERE cs.section_id = s.id AND cs.status = 'scheduled' AND cs.ends_at > now()"
		"   ORDER BY cs.starts_at LIMIT 1)) AS j"
		" FROM sections s JOIN courses c ON c.id = s.course_id"
		" JOIN institutions i ON i.id = c.institution_id" CATALOG_SECTION_COUNTS
		" WHERE s.id > $2::bigint"
		" AND (EXISTS (SELECT 1 FROM section_instructors si WHERE si.section_id = s.id"
		"  AND si.user_id = $1)"
		"  OR EXISTS (SELECT 1 FROM class_sessions t WHERE t.section_id = s.id"
		"  AND t.instructor_id = $1 AND t.status = 'scheduled'))"
		" ORDER BY s.id LIMIT $3) x",
		uid, after, lim, lang);
}
