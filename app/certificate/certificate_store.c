/* certificate_store.c - certificates in PostgreSQL */
#include "lms/certificate/certificate_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"

/* A certificate row as JSON; c is the row. */
#define CERT_JSON                                                                          \
	"json_build_object('id', c.id, 'serial', c.serial, 'enrollment_id', c.enrollment_id," \
	" 'user_id', c.user_id, 'section_id', c.section_id, 'course_id', c.course_id,"        \
	" 'institution_id', c.institution_id, 'learner_name', c.learner_name,"               \
	" 'course_code', c.course_code, 'course_title_ko', c.course_title_ko,"               \
	" 'course_title_en', c.course_title_en, 'program_code', c.program_code,"             \
	" 'program_name_ko', c.program_name_ko, 'program_name_en', c.program_name_en,"       \
	" 'institution_name_ko', c.institution_name_ko,"                                     \
	" 'institution_name_en', c.institution_name_en,"                                     \
	" 'starts_on', to_char(c.starts_on, 'YYYY-MM-DD'),"                                  \
	" 'ends_on', to_char(c.ends_on, 'YYYY-MM-DD'),"                                      \
	" 'sessions_held', c.sessions_held, 'sessions_attended', c.sessions_attended,"       \
	" 'hours', to_char(c.hours, 'FM99990.0'),"                                           \
	" 'attendance_pct', CASE WHEN c.sessions_held > 0 THEN to_char(round(100.0 *"        \
	"  c.sessions_attended / c.sessions_held, 1), 'FM990.0') END,"                       \
	" 'signatory_name_ko', c.signatory_name_ko, 'signatory_title_ko', c.signatory_title_ko," \
	" 'signatory_name_en', c.signatory_name_en, 'signatory_title_en', c.signatory_title_en," \
	" 'seal_sha256', c.seal_sha256, 'pdf_sha256', c.pdf_sha256,"                         \
	" 'issued_at', c.issued_at,"                                                         \
	" 'issued_on', to_char(c.issued_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD'),"        \
	" 'status', CASE WHEN c.revoked_at IS NULL THEN 'valid' ELSE 'revoked' END,"         \
	" 'revoked_at', c.revoked_at,"                                                       \
	" 'revoked_on', to_char(c.revoked_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD'),"      \
	" 'revoked_reason', c.revoked_reason)"

int certificate_store_by_serial(struct db_conn *db, const char *serial, json_t **out)
{
	return db_jsonf(db, out, "SELECT " CERT_JSON " FROM certificates c WHERE c.serial = $1",
			"s", serial);
}

int certificate_store_pdf_set(struct db_conn *db, long long id, const char *sha256)
{
	PGresult *res = NULL;
	int rc, n;

	if ((rc = db_execf(db, &res,
			   "UPDATE certificates SET pdf_sha256 = $2 WHERE id = $1"
			   " AND pdf_sha256 IS NULL",
			   "ls", id, sha256)) < 0)
		return rc;
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	return n > 0 ? 1 : 0;
}

/* What a list shows of a certificate: the row less the blob names. */
#define CERT_ITEM                                                                          \
	"(" CERT_JSON "::jsonb - 'pdf_sha256' - 'seal_sha256')"

int certificate_store_mine(struct db_conn *db, long long user_id, long long cursor, int limit,
			   json_t **items)
{
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(x.j ORDER BY x.id DESC), '[]') FROM ("
			" SELECT c.id, " CERT_ITEM " - 'revoked_reason' AS j FROM certificates c"
			" WHERE c.user_id = $1 AND ($2 = 0 OR c.id < $2)"
			" ORDER BY c.id DESC LIMIT $3) x",
			"lli", user_id, cursor, limit);
}

int certificate_store_section_institution(struct db_conn *db, long long section_id,
					  long long *institution_id)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_one_row(db, &res,
			     "SELECT c.institution_id FROM sections s"
			     " JOIN courses c ON c.id = s.course_id WHERE s.id = $1",
			     "l", section_id)) < 0)
		return rc;
	*institution_id = db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}

int certificate_store_section(struct db_conn *db, long long section_id, long long cursor,
			      int limit, json_t **items)
{
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(x.j ORDER BY x.id), '[]') FROM ("
			" SELECT c.id, " CERT_JSON " AS j FROM certificates c"
			" WHERE c.section_id = $1 AND c.id > $2"
			" ORDER BY c.id LIMIT CASE WHEN $3 > 0 THEN $3 END) x",
			"lli", section_id, cursor, limit);
}

int certificate_store_lookup_count(struct db_conn *db, const char *addr, int limit,
				   int window_s, int *retry_after_s)
{
	PGresult *res = NULL;
	int rc;

	*retry_after_s = 0;
	/* One address's lookups in turn, so that a burst counts whole. */
	if ((rc = db_execf(db, NULL,
			   "SELECT pg_advisory_xact_lock(hashtextextended('certificate lookup '"
			   " || $1, 0))",
			   "s", addr)) < 0 ||
	    (rc = db_execf(db, NULL,
			   "DELETE FROM certificate_lookups WHERE remote_addr = $1::inet"
			   " AND at <= now() - make_interval(secs => $2::int)",
			   "si", addr, window_s)) < 0 ||
	    (rc = db_execf(db, &res,
			   "SELECT ceil(extract(epoch FROM (SELECT at FROM certificate_lookups"
			   " WHERE remote_addr = $1::inet ORDER BY at DESC OFFSET $3::int - 1 LIMIT 1)"
			   " + make_interval(secs => $2::int) - clock_timestamp()))::int",
			   "sii", addr, window_s, limit)) < 0)
		return rc;
	if (!PQgetisnull(res, 0, 0) && atoi(PQgetvalue(res, 0, 0)) > 0) {
		*retry_after_s = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
		return 0;
	}
	PQclear(res);
	return db_execf(db, NULL, "INSERT INTO certificate_lookups (remote_addr) VALUES ($1::inet)",
			"s", addr);
}

int certificate_store_kpi_trained(struct db_conn *db, long long institution_id, int year,
				  json_t **items)
{
	/* The same completions as the KPI report counts: a worker (stage now)
	 * completed a section of a regional_center course of the centre, in
	 * the year of the section's term. */
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(json_build_object('institution_id', c.institution_id,"
			" 'year', split_part(s.term, '-', 1)::int, 'enrollment_id', e.id,"
			" 'learner_name', coalesce(cert.learner_name, u.display_name),"
			" 'course_code', c.code, 'course_title_ko', c.title_ko,"
			" 'course_title_en', c.title_en, 'term', s.term,"
			" 'certificate_serial', cert.serial,"
			" 'verify_path', CASE WHEN cert.serial IS NOT NULL"
			"  THEN '/#/verify/' || cert.serial END)"
			" ORDER BY c.institution_id, s.term, e.id), '[]')"
			" FROM enrollments e JOIN sections s ON s.id = e.section_id"
			" JOIN courses c ON c.id = s.course_id JOIN programs p ON p.id = c.program_id"
			" JOIN institutions i ON i.id = c.institution_id"
			" JOIN users u ON u.id = e.user_id"
			" LEFT JOIN certificates cert ON cert.enrollment_id = e.id"
			"  AND cert.revoked_at IS NULL"
			" WHERE e.status = 'completed' AND p.code = 'regional_center'"
			" AND u.ladder_stage = 'worker' AND i.is_regional_center"
			" AND ($1::bigint = 0 OR c.institution_id = $1::bigint)"
			" AND ($2::int = 0 OR split_part(s.term, '-', 1)::int = $2::int)",
			"li", institution_id, year);
}

int certificate_store_seal_set(struct db_conn *db, long long institution_id, const char *sha256,
			       long long by)
{
	return db_execf(db, NULL,
			"INSERT INTO certificate_issuers (institution_id, seal_sha256, updated_by)"
			" VALUES ($1, $2, $3) ON CONFLICT (institution_id) DO UPDATE"
			" SET seal_sha256 = EXCLUDED.seal_sha256, updated_by = EXCLUDED.updated_by,"
			" updated_at = now()",
			"lsl", institution_id, sha256, by);
}

int certificate_store_issuer(struct db_conn *db, long long institution_id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT json_build_object('institution_id', i.id,"
			" 'signatory_name_ko', ci.signatory_name_ko,"
			" 'signatory_title_ko', coalesce(ci.signatory_title_ko, i.name_ko),"
			" 'signatory_name_en', ci.signatory_name_en,"
			" 'signatory_title_en', coalesce(ci.signatory_title_en, i.name_en),"
			" 'seal', ci.seal_sha256 IS NOT NULL, 'updated_at', ci.updated_at)"
			" FROM institutions i LEFT JOIN certificate_issuers ci"
			" ON ci.institution_id = i.id WHERE i.id = $1",
			"l", institution_id);
}

int certificate_store_issuer_set(struct db_conn *db, long long institution_id,
				 const json_t *body, long long by, json_t **out)
{
	char *text = json_dumps(body, JSON_COMPACT);
	int rc;

	if (!text)
		return LMS_ENOMEM;
	/* A field absent keeps its value; a field given as null clears it. */
	rc = db_execf(db, NULL,
		      "INSERT INTO certificate_issuers AS t (institution_id, signatory_name_ko,"
		      " signatory_title_ko, signatory_name_en, signatory_title_en, updated_by)"
		      " SELECT $1, b->>'signatory_name_ko', b->>'signatory_title_ko',"
		      " b->>'signatory_name_en', b->>'signatory_title_en', $3"
		      " FROM (SELECT $2::jsonb AS b) x"
		      " ON CONFLICT (institution_id) DO UPDATE SET"
		      " signatory_name_ko = CASE WHEN $2::jsonb ? 'signatory_name_ko'"
		      "  THEN EXCLUDED.signatory_name_ko ELSE t.signatory_name_ko END,"
		      " signatory_title_ko = CASE WHEN $2::jsonb ? 'signatory_title_ko'"
		      "  THEN EXCLUDED.signatory_title_ko ELSE t.signatory_title_ko END,"
		      " signatory_name_en = CASE WHEN $2::jsonb ? 'signatory_name_en'"
		      "  THEN EXCLUDED.signatory_name_en ELSE t.signatory_name_en END,"
		      " signatory_title_en = CASE WHEN $2::jsonb ? 'signatory_title_en'"
		      "  THEN EXCLUDED.signatory_title_en ELSE t.signatory_title_en END,"
		      " updated_by = EXCLUDED.updated_by, updated_at = now()",
		      "lsl", institution_id, text, by);
	free(text);
	if (rc < 0)
		return rc;
	return certificate_store_issuer(db, institution_id, out);
}
