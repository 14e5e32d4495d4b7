/* kpi_store.c - the regional centres' indicators, and the outputs
 * (papers, patents, technology-transfer income, graduates) they record */
#include "lms/reports/kpi_store.h"

#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

/* The JSON of an output row o. */
#define OUTPUT_JSON                                                                      \
	"json_build_object('id', o.id, 'institution_id', o.institution_id, 'year', o.year,"  \
	" 'kind', o.kind, 'title', o.title, 'doi', o.doi, 'patent_number', o.patent_number," \
	" 'amount_krw', o.amount_krw, 'count', o.count, 'recorded_by', o.recorded_by,"      \
	" 'created_at', o.created_at)"

/* The indicators of a row r of the report. */
#define INDICATORS_JSON(r)                                                               \
	"'in_service_employees_trained', " r ".trained, 'degree_graduates', " r ".graduates," \
	" 'papers', " r ".papers, 'patents', " r ".patents,"                                \
	" 'tech_transfer_income_krw', " r ".income"

int kpi_store_report(struct db_conn *db, long long institution_id, int year, const char *lang,
		     json_t **out)
{
	return db_jsonf(
		db, out,
		"WITH centre AS (SELECT id, code, name_ko, name_en, region FROM institutions"
		"  WHERE is_regional_center AND ($1::bigint = 0 OR id = $1::bigint)),"
		/* The year of a section is its term's (2027-winter runs into 2028
		 * but belongs to 2027), so each training counts in one year. */
		" trained AS (SELECT c.institution_id AS id, split_part(s.term, '-', 1)::int AS year,"
		"  count(DISTINCT e.user_id) AS n"
		"  FROM enrollments e JOIN sections s ON s.id = e.section_id"
		"  JOIN courses c ON c.id = s.course_id JOIN programs p ON p.id = c.program_id"
		"  JOIN users u ON u.id = e.user_id"
		"  WHERE e.status = 'completed' AND p.code = 'regional_center'"
		"  AND u.ladder_stage = 'worker' AND c.institution_id IN (SELECT id FROM centre)"
		"  AND ($2::int = 0 OR split_part(s.term, '-', 1)::int = $2::int)"
		"  GROUP BY 1, 2),"
		" made AS (SELECT institution_id AS id, year,"
		"  count(*) FILTER (WHERE kind = 'paper') AS papers,"
		"  count(*) FILTER (WHERE kind = 'patent') AS patents,"
		"  coalesce(sum(count) FILTER (WHERE kind = 'graduate'), 0) AS graduates,"
		"  coalesce(sum(amount_krw) FILTER (WHERE kind = 'tech_transfer'), 0) AS income"
		"  FROM kpi_outputs WHERE institution_id IN (SELECT id FROM centre)"
		"  AND ($2::int = 0 OR year = $2::int) GROUP BY 1, 2),"
		" years AS (SELECT $2::int AS year WHERE $2::int <> 0"
		"  UNION SELECT extract(year FROM now() AT TIME ZONE 'Asia/Seoul')::int"
		"  WHERE $2::int = 0"
		"  UNION SELECT year FROM trained UNION SELECT year FROM made),"
		" r AS (SELECT y.year, ce.id, ce.code, ce.name_ko, ce.name_en, ce.region,"
		"  coalesce(t.n, 0) AS trained, coalesce(m.graduates, 0) AS graduates,"
		"  coalesce(m.papers, 0) AS papers, coalesce(m.patents, 0) AS patents,"
		"  coalesce(m.income, 0) AS income"
		"  FROM years y CROSS JOIN centre ce"
		"  LEFT JOIN trained t ON t.id = ce.id AND t.year = y.year"
		"  LEFT JOIN made m ON m.id = ce.id AND m.year = y.year)"
		" SELECT json_build_object('year', nullif($2::int, 0),"
		" 'institution_id', nullif($1::bigint, 0),"
		" 'items', (SELECT coalesce(json_agg(json_build_object('year', r.year,"
		"   'institution_id', r.id, 'code', r.code,"
		"   'name', CASE WHEN $3 = 'en' THEN r.name_en ELSE r.name_ko END,"
		"   'name_ko', r.name_ko, 'name_en', r.name_en, 'region', r.region,"
		/* The evidence of the employees trained: their certificates. */
		"   'trained_evidence', '/api/v1/reports/kpi/trained?institution_id=' || r.id"
		"   || '&year=' || r.year, "
		INDICATORS_JSON("r") ") ORDER BY r.year, r.id), '[]') FROM r),"
		" 'totals', (SELECT coalesce(json_agg(json_build_object('year', x.year,"
		"   'centres', x.centres, " INDICATORS_JSON("x") ") ORDER BY x.year), '[]')"
		"  FROM (SELECT year, count(*) AS centres, sum(trained) AS trained,"
		"   sum(graduates) AS graduates, sum(papers) AS papers, sum(patents) AS patents,"
		"   sum(income) AS income FROM r GROUP BY year) x))",
		"lis", institution_id, year, lang);
}

int kpi_store_output_create(struct db_conn *db, const struct kpi_output *o, json_t **row)
{
	bool transfer = strcmp(o->kind, "tech_transfer") == 0;
	bool graduate = strcmp(o->kind, "graduate") == 0;

	/* The amount and the count belong to one kind each: NULL for others. */
	return db_jsonf(db, row,
			"INSERT INTO kpi_outputs AS o (institution_id, year, kind, title, doi,"
			" patent_number, amount_krw, count, recorded_by)"
			" SELECT i.id, $2::int, $3, $4, $5, $6, $7::bigint, $8::int, $9::bigint"
			" FROM institutions i WHERE i.id = $1::bigint AND i.is_regional_center"
			" RETURNING " OUTPUT_JSON,
			"lissss?l?il", o->institution_id, o->year, o->kind, o->title, o->doi,
			o->patent_number, transfer, o->amount_krw, graduate, o->count,
			o->recorded_by);
}

int kpi_store_output_list(struct db_conn *db, long long institution_id, int year,
			  long long before_id, int limit, json_t **items)
{
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(" OUTPUT_JSON " ORDER BY o.id DESC), '[]')"
			" FROM (SELECT * FROM kpi_outputs"
			" WHERE ($1::bigint = 0 OR institution_id = $1::bigint)"
			" AND ($2::int = 0 OR year = $2::int)"
			" AND ($3::bigint = 0 OR id < $3::bigint) ORDER BY id DESC LIMIT $4) o",
			"lili", institution_id, year, before_id, limit);
}

int kpi_store_output_get(struct db_conn *db, long long id, json_t **row)
{
	return db_jsonf(db, row, "SELECT " OUTPUT_JSON " FROM kpi_outputs o WHERE o.id = $1", "l",
			id);
}

int kpi_store_output_delete(struct db_conn *db, long long id)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_execf(db, &res, "DELETE FROM kpi_outputs WHERE id = $1", "l", id)) < 0)
		return rc;
	rc = strcmp(PQcmdTuples(res), "1") == 0 ? 0 : LMS_ENOTFOUND;
	PQclear(res);
	return rc;
}
