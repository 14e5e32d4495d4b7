/* summary_store.c - the enrolment summary: counts by programme, course,
 * status and ladder stage */
#include "lms/reports/summary_store.h"

#include "lms/db/sql.h"

/* An instant in Korean time, "2027-03-03T09:00:00+09:00" (a fixed offset:
 * Korea has kept +09:00 since 1988); NULL stays NULL. */
#define KST(x)                                                                           \
	"to_char((" x ") AT TIME ZONE INTERVAL '+09:00', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"')"

/* The instant of a parameter holding microseconds since the epoch (exact:
 * an interval counts whole microseconds). */
#define INSTANT(p) "timestamptz 'epoch' + " p "::bigint * interval '1 microsecond'"

/* Midnight of today in Korea: the first instant of the day a dashboard's
 * "new today" counts. */
#define TODAY                                                                            \
	"(date_trunc('day', now() AT TIME ZONE INTERVAL '+09:00')"                       \
	" AT TIME ZONE INTERVAL '+09:00')"

/* How many enrolments of a group have each status, summed from the
 * counts per section, status and stage (n of rows b). */
#define STATUS_SUM(status) "coalesce(sum(b.n) FILTER (WHERE b.status = '" status "'), 0)::bigint"
#define STATUS_AGGREGATES                                                                \
	" " STATUS_SUM("enrolled") " AS enrolled, " STATUS_SUM("waitlisted") " AS waitlisted," \
	" " STATUS_SUM("pending") " AS pending, " STATUS_SUM("completed") " AS completed,"     \
	" " STATUS_SUM("incomplete") " AS incomplete, " STATUS_SUM("cancelled") " AS cancelled," \
	" " STATUS_SUM("rejected") " AS rejected, sum(b.n)::bigint AS total"

/* The members of the seven status counts of group g (0 when g is none). */
#define STATUSES_JSON(g)                                                                 \
	"'enrolled', coalesce(" g ".enrolled, 0), 'waitlisted', coalesce(" g ".waitlisted, 0)," \
	" 'pending', coalesce(" g ".pending, 0), 'completed', coalesce(" g ".completed, 0),"   \
	" 'incomplete', coalesce(" g ".incomplete, 0),"                                     \
	" 'cancelled', coalesce(" g ".cancelled, 0), 'rejected', coalesce(" g ".rejected, 0)"

/* Completed of those that ended either way; null before any did. */
#define RATE(g)                                                                          \
	"round(" g ".completed::numeric / nullif(" g ".completed + " g ".incomplete, 0), 4)"

#define COUNTS_JSON(g)                                                                   \
	STATUSES_JSON(g) ", 'total', coalesce(" g ".total, 0), 'completion_rate', " RATE(g)

/* Which grouping set a row of g is: GROUPING(program, course, stage) has
 * a bit set for each column the row is not grouped by. */
#define SET_PROGRAM "3"
#define SET_COURSE "5"
#define SET_STAGE "6"
#define SET_ALL "7"

/* The statement is one literal a little over the 4095 bytes ISO C
 * promises; GCC and Clang take far longer ones. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
int summary_store_read(struct db_conn *db, long long institution_id, const struct time_window *w,
		       const struct summary_filter *f, const char *lang, json_t **out)
{
	const struct summary_filter none = {0};

	if (!f)
		f = &none;
	return db_jsonf(
		db, out,
		"WITH w AS (SELECT " INSTANT("$2") " AS lo, " INSTANT("$3") " AS hi),"
		/* The enrolments are counted once, by section, status and stage
		 * (a few thousand rows for a million enrolments); programmes and
		 * courses are joined to those counts, not to every enrolment. */
		" b AS (SELECT e.section_id, e.status, u.ladder_stage::text AS stage,"
		"  count(*) AS n, count(*) FILTER (WHERE e.created_at >= " TODAY ") AS today"
		"  FROM enrollments e JOIN users u ON u.id = e.user_id CROSS JOIN w"
		"  WHERE e.section_id IN (SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id"
		"   JOIN programs p ON p.id = c.program_id WHERE $1::bigint IN (0, c.institution_id)"
		"   AND p.code = coalesce($6, p.code) AND c.id = coalesce($7::bigint, c.id))"
		"  AND (w.lo IS NULL OR e.created_at >= w.lo)"
		"  AND (w.hi IS NULL OR e.created_at < w.hi)"
		"  AND ($8::text IS NULL OR e.status::text = $8)"
		"  AND ($9::text IS NULL OR u.ladder_stage::text = $9)"
		"  GROUP BY 1, 2, 3),"
		" g AS (SELECT GROUPING(c.program_id, c.id, b.stage) AS set,"
		"  c.program_id, c.id AS course_id, b.stage," STATUS_AGGREGATES ","
		"  sum(b.today)::bigint AS created_today"
		"  FROM b JOIN sections s ON s.id = b.section_id JOIN courses c ON c.id = s.course_id"
		"  GROUP BY GROUPING SETS ((c.program_id), (c.id), (b.stage), ()))"
		" SELECT json_build_object("
		" 'institution_id', nullif($1::bigint, 0),"
		" 'from', " KST("w.lo") ", 'to', " KST("w.hi") ","
		" 'total', coalesce(t.total, 0),"
		" 'created_today', coalesce(t.created_today, 0),"
		" 'by_status', json_build_object(" STATUSES_JSON("t") "),"
		" 'completion_rate', " RATE("t") ","
		" 'waitlist_length', coalesce(t.waitlisted, 0),"
		" 'by_program', (SELECT coalesce(json_agg(json_build_object('program', p.code,"
		"   'name', CASE WHEN $5 = 'en' THEN p.name_en ELSE p.name_ko END,"
		"   'name_ko', p.name_ko, 'name_en', p.name_en, " COUNTS_JSON("g") ")"
		"   ORDER BY p.id), '[]')"
		"  FROM g JOIN programs p ON p.id = g.program_id WHERE g.set = " SET_PROGRAM "),"
		" 'by_course', (SELECT coalesce(json_agg(x.j ORDER BY x.total DESC, x.id), '[]')"
		"  FROM (SELECT c.id, g.total, json_build_object('course_id', c.id, 'code', c.code,"
		"   'title', CASE WHEN $5 = 'en' THEN c.title_en ELSE c.title_ko END,"
		"   'title_ko', c.title_ko, 'title_en', c.title_en,"
		"   'institution_id', c.institution_id, 'program', p.code, " COUNTS_JSON("g") ") AS j"
		"   FROM g JOIN courses c ON c.id = g.course_id JOIN programs p ON p.id = c.program_id"
		"   WHERE g.set = " SET_COURSE " ORDER BY g.total DESC, c.id LIMIT $4) x),"
		" 'by_stage', (SELECT coalesce(json_agg(json_build_object('stage', g.stage,"
		"   'total', g.total) ORDER BY array_position(ARRAY['preschool', 'elementary',"
		"   'middle', 'high', 'undergraduate', 'graduate', 'worker', 'job_seeker',"
		"   'public_servant', 'general'], g.stage)), '[]')"
		"  FROM g WHERE g.set = " SET_STAGE "))"
		" FROM w LEFT JOIN g t ON t.set = " SET_ALL,
		"l?l?liss?lss", institution_id, w->has_from, w->from_us, w->has_to, w->to_us,
		SUMMARY_TOP_COURSES, lang, f->program, f->course_id > 0, f->course_id, f->status,
		f->stage);
}
#pragma GCC diagnostic pop
