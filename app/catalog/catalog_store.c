/* catalog_store.c - reading the catalogue: institutions, programmes, courses */
#include "lms/catalog/catalog_store.h"

#include "lms/core/err.h"
#include "lms/db/sql.h"

/* A course "c" of programme "p" and institution "i" in a catalogue list,
 * as json_build_object pairs, names in the language of parameter $26. */
#define COURSE_ITEM_FIELDS                                                               \
	"'id', c.id, 'code', c.code, 'program', p.code,"                                   \
	" 'program_name', CASE WHEN $26 = 'en' THEN p.name_en ELSE p.name_ko END,"        \
	" 'institution_id', c.institution_id,"                                             \
	" 'institution_name', CASE WHEN $26 = 'en' THEN i.name_en ELSE i.name_ko END,"    \
	" 'title', CASE WHEN $26 = 'en' THEN c.title_en ELSE c.title_ko END,"             \
	" 'title_ko', c.title_ko, 'title_en', c.title_en,"                                 \
	" 'summary', CASE WHEN $26 = 'en' THEN c.summary_en ELSE c.summary_ko END,"       \
	" 'summary_ko', c.summary_ko, 'summary_en', c.summary_en,"                         \
	" 'delivery', c.delivery, 'level', c.level, 'tags', c.tags,"                       \
	" 'open_sections', (SELECT count(*) FROM sections s WHERE s.course_id = c.id"      \
	" AND s.status = 'open' AND now() >= s.enrollment_opens_at"                        \
	" AND now() < s.enrollment_closes_at)"

/* The rank key of course c (see catalog_store.h) for the patterns $6. */
#define COURSE_RANK_KEY                                                                  \
	"CASE WHEN $6::text IS NULL"                                                       \
	" OR lower(c.title_ko || ' ' || c.title_en) LIKE ALL (lower($6::text)::text[])"   \
	" THEN c.id ELSE c.id + " CATALOG_STR(CATALOG_RANK_OTHER) " END"

int catalog_store_courses(struct db_conn *db, const struct catalog_filter *f, json_t **page)
{
	/* Each filter is "($n IS NULL OR ...)": the statement is planned with
	 * its parameters' values, so the unused ones fold away and the search
	 * words of three characters or more ($7..$22) and the two-character
	 * ones ($23) reach the trigram and bigram indexes as plain conditions,
	 * for the planner to use those that narrow the rows most; every word
	 * ($6) is then checked on the rows they found.
	 * Managers' answers add "published"; the public one keeps its bytes.
	 * "total" counts the rows that match from the cursor on, before the
	 * LIMIT: every matching course on a first page. */
	return db_jsonf(
		db, page,
		"SELECT json_build_object('items', coalesce(json_agg(x ORDER BY k), '[]'),"
		" 'last', max(k), 'total', coalesce(max(n), 0)) FROM ("
		" SELECT CASE WHEN $27::boolean"
		" THEN json_build_object(" COURSE_ITEM_FIELDS ", 'published', c.published)"
		" ELSE json_build_object(" COURSE_ITEM_FIELDS ") END AS x, " COURSE_RANK_KEY " AS k,"
		" count(*) OVER () AS n"
		" FROM courses c JOIN programs p ON p.id = c.program_id"
		" JOIN institutions i ON i.id = c.institution_id"
		" WHERE (c.published OR $27::boolean)"
		" AND " COURSE_RANK_KEY " > $24::bigint"
		" AND ($1::text IS NULL OR p.code = $1)"
		" AND ($2::bigint = 0 OR c.institution_id = $2::bigint)"
		" AND ($3::text IS NULL OR c.delivery = $3)"
		" AND ($4::ladder_stage IS NULL OR $4::ladder_stage = ANY (p.allowed_stages))"
		" AND (NOT $5::boolean OR EXISTS (SELECT 1 FROM sections s WHERE s.course_id = c.id"
		" AND s.status = 'open' AND now() >= s.enrollment_opens_at"
		" AND now() < s.enrollment_closes_at))"
		" AND ($7::text IS NULL OR c.search_text LIKE lower($7))"
		" AND ($8::text IS NULL OR c.search_text LIKE lower($8))"
		" AND ($9::text IS NULL OR c.search_text LIKE lower($9))"
		" AND ($10::text IS NULL OR c.search_text LIKE lower($10))"
		" AND ($11::text IS NULL OR c.search_text LIKE lower($11))"
		" AND ($12::text IS NULL OR c.search_text LIKE lower($12))"
		" AND ($13::text IS NULL OR c.search_text LIKE lower($13))"
		" AND ($14::text IS NULL OR c.search_text LIKE lower($14))"
		" AND ($15::text IS NULL OR c.search_text LIKE lower($15))"
		" AND ($16::text IS NULL OR c.search_text LIKE lower($16))"
		" AND ($17::text IS NULL OR c.search_text LIKE lower($17))"
		" AND ($18::text IS NULL OR c.search_text LIKE lower($18))"
		" AND ($19::text IS NULL OR c.search_text LIKE lower($19))"
		" AND ($20::text IS NULL OR c.search_text LIKE lower($20))"
		" AND ($21::text IS NULL OR c.search_text LIKE lower($21))"
		" AND ($22::text IS NULL OR c.search_text LIKE lower($22))"
		" AND ($23::text IS NULL OR c.search_bigrams @> lower($23::text)::text[])"
		" AND ($6::text IS NULL OR c.search_text LIKE ALL (lower($6::text)::text[]))"
		" ORDER BY k LIMIT $25) t",
		"slssbs" "ssssssssssssssss" "slisb", f->program, f->institution_id, f->delivery,
		f->stage, f->open, f->patterns, f->words[0], f->words[1], f->words[2], f->words[3],
		f->words[4], f->words[5], f->words[6], f->words[7], f->words[8], f->words[9],
		f->words[10], f->words[11], f->words[12], f->words[13], f->words[14], f->words[15],
		f->bigrams, f->after_id, f->limit, f->lang, f->include_unpublished);
}

int catalog_store_course_owner(struct db_conn *db, long long id, long long *institution_id,
			       bool *published)
{
	PGresult *res = NULL;
	int rc;

	rc = db_one_row(db, &res, "SELECT institution_id, published FROM courses WHERE id = $1",
			"l", id);
	*institution_id = db_ll(res, 0, 0);
	*published = db_bool(res, 0, 1);
	PQclear(res);
	return rc;
}

int catalog_store_course(struct db_conn *db, long long id, const char *lang, bool manager,
			 json_t **course)
{
	return db_jsonf(
		db, course,
		"SELECT json_build_object('id', c.id, 'code', c.code, 'program', p.code,"
		" 'institution_id', c.institution_id,"
		" 'title', CASE WHEN $2 = 'en' THEN c.title_en ELSE c.title_ko END,"
		" 'title_ko', c.title_ko, 'title_en', c.title_en,"
		" 'summary', CASE WHEN $2 = 'en' THEN c.summary_en ELSE c.summary_ko END,"
		" 'summary_ko', c.summary_ko, 'summary_en', c.summary_en,"
		" 'description', c.description, 'delivery', c.delivery, 'level', c.level,"
		" 'tags', c.tags, 'published', c.published,"
		" 'created_at', c.created_at, 'updated_at', c.updated_at,"
		" 'program_detail', json_build_object('code', p.code,"
		"  'name', CASE WHEN $2 = 'en' THEN p.name_en ELSE p.name_ko END,"
		"  'allowed_stages', p.allowed_stages, 'affiliation_required', p.affiliation_required,"
		"  'approval_required', p.approval_required, 'min_attendance_pct', p.min_attendance_pct),"
		" 'institution', json_build_object('id', i.id, 'code', i.code,"
		"  'name', CASE WHEN $2 = 'en' THEN i.name_en ELSE i.name_ko END),"
		" 'prerequisite_course_ids', (SELECT coalesce(json_agg(cp.prerequisite_id"
		"  ORDER BY cp.prerequisite_id), '[]') FROM course_prerequisites cp"
		"  WHERE cp.course_id = c.id),"
		" 'prerequisites', (SELECT coalesce(json_agg(json_build_object('id', pc.id,"
		"  'title', CASE WHEN $2 = 'en' THEN pc.title_en ELSE pc.title_ko END)"
		"  ORDER BY pc.id), '[]') FROM course_prerequisites cp"
		"  JOIN courses pc ON pc.id = cp.prerequisite_id WHERE cp.course_id = c.id),"
		" 'sections', (SELECT coalesce(json_agg(json_build_object(" CATALOG_SECTION_FIELDS ","
		"  'instructors', (SELECT coalesce(json_agg(json_build_object('id', u.id,"
		"   'display_name', u.display_name) ORDER BY u.id), '[]')"
		"   FROM section_instructors si JOIN users u ON u.id = si.user_id"
		"   WHERE si.section_id = s.id))"
		"  ORDER BY s.starts_on, s.id), '[]')"
		"  FROM sections s" CATALOG_SECTION_COUNTS
		"  WHERE s.course_id = c.id AND (s.status <> 'draft' OR $3::boolean)))"
		" FROM courses c JOIN programs p ON p.id = c.program_id"
		" JOIN institutions i ON i.id = c.institution_id WHERE c.id = $1",
		"lsb", id, lang, manager);
}

int catalog_store_institutions(struct db_conn *db, long long after_id, int limit,
			       const char *lang, json_t **items)
{
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(json_build_object('id', i.id, 'code', i.code,"
			" 'kind', i.kind, 'name', CASE WHEN $3 = 'en' THEN i.name_en ELSE i.name_ko END,"
			" 'name_ko', i.name_ko, 'name_en', i.name_en, 'region', i.region,"
			" 'is_partner', i.is_partner, 'is_regional_center', i.is_regional_center)"
			" ORDER BY i.id), '[]') FROM (SELECT * FROM institutions WHERE id > $1::bigint"
			" ORDER BY id LIMIT $2) i",
			"lis", after_id, limit, lang);
}

int catalog_store_programs(struct db_conn *db, long long after_id, int limit, const char *lang,
			   json_t **items)
{
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(json_build_object('id', p.id, 'code', p.code,"
			" 'name', CASE WHEN $3 = 'en' THEN p.name_en ELSE p.name_ko END,"
			" 'name_ko', p.name_ko, 'name_en', p.name_en,"
			" 'summary', CASE WHEN $3 = 'en' THEN p.summary_en ELSE p.summary_ko END,"
			" 'allowed_stages', p.allowed_stages,"
			" 'affiliation_required', p.affiliation_required,"
			" 'approval_required', p.approval_required,"
			" 'min_attendance_pct', p.min_attendance_pct) ORDER BY p.id), '[]')"
			" FROM (SELECT * FROM programs WHERE id > $1::bigint ORDER BY id LIMIT $2) p",
			"lis", after_id, limit, lang);
}
