/* report_store.c - the enrolment report's query, read row by row */
#include "lms/reports/report_store.h"

#include "lms/db/sql.h"

/* An instant in Korean time to the second, "2027-03-03T09:00:00+09:00": a
 * fixed offset, as Korea has kept since 1988. */
#define KST(x)                                                                           \
	"to_char((" x ") AT TIME ZONE INTERVAL '+09:00', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"')"

/* An instant given in microseconds since the epoch, exactly. */
#define USEC(p) "(timestamptz 'epoch' + " p "::bigint * interval '1 microsecond')"

/* The filters on a course "c" of programme "p" ($1 institution, $2
 * programme, $3 course). $1 is the tenant boundary: the guard decided it,
 * never the client alone. */
#define COURSE_SCOPE(c, p)                                                              \
	"($1::bigint IS NULL OR " c ".institution_id = $1::bigint)"                      \
	" AND ($2::text IS NULL OR " p ".code = $2::text)"                                \
	" AND ($3::bigint IS NULL OR " c ".id = $3::bigint)"

/*
 * The report's rows, in the README's column order. Lessons done are counted
 * once per learner and course, only for the courses in scope, and joined by
 * hash: a subquery per row would cost a million index probes. The waitlist
 * position is the rank in the section's whole waitlist, whatever the
 * filters, as every other answer shows it.
 */
#define REPORT_SELECT                                                                    \
	"SELECT e.id AS enrollment_id, e.status,"                                           \
	" " KST("e.created_at") " AS created_at, " KST("e.updated_at") " AS updated_at,"     \
	" wl.position AS waitlist_position,"                                                \
	" u.id AS user_id, u.display_name, u.email, u.ladder_stage::text AS ladder_stage,"  \
	" aff.code AS affiliation_institution_code,"                                        \
	" i.code AS institution_code, i.name_ko AS institution_name_ko,"                    \
	" p.code AS program_code, c.id AS course_id, c.code AS course_code,"                \
	" c.title_ko AS course_title_ko, c.title_en AS course_title_en,"                    \
	" s.id AS section_id, s.term, s.starts_on, s.ends_on,"                              \
	" coalesce(done.n, 0) AS lessons_completed, coalesce(total.n, 0) AS lessons_total," \
	" cert.serial AS certificate_serial"                                                \
	" FROM enrollments e JOIN sections s ON s.id = e.section_id"                        \
	" JOIN courses c ON c.id = s.course_id JOIN programs p ON p.id = c.program_id"      \
	" JOIN institutions i ON i.id = c.institution_id JOIN users u ON u.id = e.user_id"   \
	" LEFT JOIN institutions aff ON aff.id = u.affiliation_institution_id"              \
	" LEFT JOIN (SELECT w.id, row_number() OVER (PARTITION BY w.section_id"             \
	"  ORDER BY w.waitlist_seq) AS position FROM enrollments w"                         \
	"  WHERE w.status = 'waitlisted') wl ON wl.id = e.id"                                \
	" LEFT JOIN (SELECT m.course_id, count(*) AS n FROM lessons l"                      \
	"  JOIN course_modules m ON m.id = l.module_id GROUP BY m.course_id) total"         \
	"  ON total.course_id = c.id"                                                       \
	" LEFT JOIN (SELECT lp.user_id, m.course_id, count(*) AS n FROM lesson_progress lp"  \
	"  JOIN lessons l ON l.id = lp.lesson_id JOIN course_modules m ON m.id = l.module_id" \
	"  WHERE m.course_id IN (SELECT sc.id FROM courses sc JOIN programs sp"              \
	"   ON sp.id = sc.program_id WHERE " COURSE_SCOPE("sc", "sp") ")"                     \
	"  GROUP BY lp.user_id, m.course_id) done"                                          \
	"  ON done.user_id = e.user_id AND done.course_id = c.id"                           \
	" LEFT JOIN certificates cert ON cert.enrollment_id = e.id"                         \
	"  AND cert.revoked_at IS NULL"                                                     \
	" WHERE " COURSE_SCOPE("c", "p")                                                    \
	" AND ($4::bigint IS NULL OR s.id = $4::bigint)"                                    \
	" AND ($5::text IS NULL OR e.status = $5::text)"                                    \
	" AND ($6::text IS NULL OR u.ladder_stage = $6::text)"                              \
	" AND ($7::bigint IS NULL OR e.created_at >= " USEC("$7") ")"                       \
	" AND ($8::bigint IS NULL OR e.created_at < " USEC("$8") ")"                        \
	" ORDER BY e.id"

int report_store_enrollments(struct db_stream *s, struct db_conn *db,
			     const struct report_filter *f, enum report_shape shape)
{
	/* PostgreSQL writes each JSON line: the keys are the column names, so
	 * both formats always have the same columns. */
	const char *sql = shape == REPORT_JSON_LINES
				  ? "SELECT row_to_json(r)::text FROM (" REPORT_SELECT ") r"
				  : REPORT_SELECT;

	/* A filter left out is NULL. */
	return db_stream_beginf(s, db, sql, "?ls?l?lss?l?l", f->institution_id > 0,
				f->institution_id, f->program, f->course_id > 0, f->course_id,
				f->section_id > 0, f->section_id, f->status, f->stage, f->has_from,
				f->from_us, f->has_to, f->to_us);
}
