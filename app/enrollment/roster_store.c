/* roster_store.c - reading enrolments: a learner's own, a section's roster, an
 * institution's */
#include "lms/enrollment/roster_store.h"

#include <string.h>

#include "lms/catalog/catalog_store.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/enrollment/enrollment_store.h"
#include "lms/schedule/session_store.h"

/* The course "c" an enrolment belongs to, titles in the language of the
 * SQL parameter lang. */
#define COURSE_JSON(lang)                                                                \
	"json_build_object('id', c.id, 'code', c.code,"                                    \
	" 'title', CASE WHEN " lang " = 'en' THEN c.title_en ELSE c.title_ko END,"         \
	" 'title_ko', c.title_ko, 'title_en', c.title_en, 'institution_id', c.institution_id)"

/* The section "s" an enrolment belongs to, in brief. */
#define SECTION_BRIEF_JSON                                                               \
	"json_build_object('id', s.id, 'term', s.term, 'starts_on', s.starts_on,"          \
	" 'ends_on', s.ends_on, 'status', s.status)"

/* The learner "u" of an enrolment, as jsonb to add to ENROLLMENT_JSON: the
 * personal data whose every reading is audited. */
#define LEARNER_JSONB                                                                    \
	"jsonb_build_object('display_name', u.display_name, 'email', u.email,"             \
	" 'ladder_stage', u.ladder_stage,"                                                 \
	" 'affiliation_institution_id', u.affiliation_institution_id)"

/* The attendance of enrolment "e" (r: CLASS_SESSION_ATTENDANCE_COUNTS) beside
 * its progress, as jsonb to add to ENROLLMENT_JSON: sessions held so far,
 * those attended, the rate (null before any is held), and what the
 * programme "p" asks of course "c" (null: nothing, also when the course's
 * completion rules do not require attendance) and whether the rate meets
 * it, as completion decides it (class_session_store_rate_meets). */
#define ATTENDANCE_JSONB                                                                 \
	"jsonb_build_object('attendance', jsonb_build_object('held', r.held,"              \
	" 'attended', r.attended, 'rate_pct',"                                             \
	" CASE WHEN r.held > 0 THEN round(100.0 * r.attended / r.held, 1) END,"             \
	" 'required_pct', CASE WHEN course_requires_attendance(c.id)"                       \
	"  THEN p.min_attendance_pct END,"                                                 \
	" 'meets', p.min_attendance_pct IS NULL OR r.held = 0"                              \
	" OR NOT course_requires_attendance(c.id)"                                          \
	" OR r.attended * 100 >= p.min_attendance_pct * r.held))"

int roster_store_section(struct db_conn *db, long long section_id, long long caller,
			 struct roster_section *s)
{
	json_t *row = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = db_jsonf(db, &row,
		      "SELECT json_build_object('institution_id', c.institution_id,"
		      " 'published', c.published, 'teaches', EXISTS (SELECT 1"
		      " FROM section_instructors si WHERE si.section_id = s.id AND si.user_id = $2))"
		      " FROM sections s JOIN courses c ON c.id = s.course_id"
		      " WHERE s.id = $1 AND s.status <> 'draft'",
		      "ll", section_id, caller);
	if (rc < 0)
		return rc;
	s->institution_id = json_integer_value(json_object_get(row, "institution_id"));
	s->published = json_is_true(json_object_get(row, "published"));
	s->teaches = json_is_true(json_object_get(row, "teaches"));
	json_decref(row);
	return 0;
}

int roster_store_read(struct db_conn *db, long long section_id, const char *status,
		      const char *lang, json_t **out)
{
	json_t *items;
	int rc;

	/* One row more than shown tells whether there were more. */
	rc = db_jsonf(
		db, out,
		"SELECT json_build_object("
		" 'section', (SELECT json_build_object(" CATALOG_SECTION_FIELDS ","
		"  'course', " COURSE_JSON("$4") ")"
		"  FROM sections s JOIN courses c ON c.id = s.course_id" CATALOG_SECTION_COUNTS
		"  WHERE s.id = $1),"
		" 'items', (SELECT coalesce(json_agg(r.j ORDER BY r.rank, r.seq, r.id), '[]')"
		"  FROM ("
		"  SELECT e.id, e.waitlist_seq AS seq,"
		"  array_position(ARRAY['enrolled', 'waitlisted', 'pending', 'completed',"
		"   'incomplete', 'cancelled', 'rejected'], e.status) AS rank,"
		"  (" ENROLLMENT_JSON ")::jsonb || " LEARNER_JSONB " || " ATTENDANCE_JSONB " AS j"
		"  FROM enrollments e JOIN sections s ON s.id = e.section_id"
		"  JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = s.course_id"
		"  JOIN programs p ON p.id = c.program_id" CLASS_SESSION_ATTENDANCE_COUNTS
		"  WHERE e.section_id = $1 AND ($2::text IS NULL OR e.status = $2::text)"
		"  ORDER BY rank, seq, e.id LIMIT $3) r))",
		"lsis", section_id, status, ROSTER_MAX_ROWS + 1, lang);
	if (rc < 0)
		return rc;
	items = json_object_get(*out, "items");
	if (json_object_set_new(*out, "truncated",
				json_boolean(json_array_size(items) > ROSTER_MAX_ROWS)) < 0 ||
	    (json_array_size(items) > ROSTER_MAX_ROWS &&
	     json_array_remove(items, ROSTER_MAX_ROWS) < 0)) {
		json_decref(*out);
		*out = NULL;
		return LMS_ENOMEM;
	}
	return 0;
}

int roster_store_learner(struct db_conn *db, long long user_id, const char *status,
			 long long before_id, int limit, const char *lang, json_t **items)
{
	return db_jsonf(
		db, items,
		"SELECT coalesce(json_agg(x.j ORDER BY x.id DESC), '[]') FROM ("
		" SELECT e.id, (" ENROLLMENT_JSON ")::jsonb || jsonb_build_object("
		"  'course', " COURSE_JSON("$5") ", 'section', " SECTION_BRIEF_JSON ") AS j"
		" FROM enrollments e JOIN sections s ON s.id = e.section_id"
		" JOIN courses c ON c.id = s.course_id"
		" WHERE e.user_id = $1 AND ($2::text IS NULL OR e.status = $2::text)"
		" AND ($3::bigint = 0 OR e.id < $3::bigint)"
		" ORDER BY e.id DESC LIMIT $4) x",
		"lslis", user_id, status, before_id, limit, lang);
}

int roster_store_institution(struct db_conn *db, const struct roster_filter *f, json_t **items)
{
	/* The institution is a condition of the query itself: another
	 * institution's course or section named in a filter gives no rows. */
	return db_jsonf(
		db, items,
		"SELECT coalesce(json_agg(x.j ORDER BY x.id), '[]') FROM ("
		" SELECT e.id, (" ENROLLMENT_JSON ")::jsonb || " LEARNER_JSONB
		"  || jsonb_build_object('course', " COURSE_JSON("$7") ","
		"  'section', " SECTION_BRIEF_JSON ") AS j"
		" FROM enrollments e JOIN sections s ON s.id = e.section_id"
		" JOIN courses c ON c.id = s.course_id JOIN users u ON u.id = e.user_id"
		" WHERE ($1::bigint = 0 OR c.institution_id = $1::bigint)"
		" AND ($2::text IS NULL OR e.status = $2::text)"
		" AND ($3::bigint = 0 OR s.course_id = $3::bigint)"
		" AND ($4::bigint = 0 OR e.section_id = $4::bigint)"
		" AND e.id > $5::bigint ORDER BY e.id LIMIT $6) x",
		"lslllis", f->institution_id, f->status, f->course_id, f->section_id, f->after_id,
		f->limit, f->lang);
}
