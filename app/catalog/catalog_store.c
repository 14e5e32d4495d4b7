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

/* The conditions of the filters f on a course "c" of programme "p", but
 * the keyset cursor. Each is "($n IS NULL OR ...)": the statement is
 * planned with its parameters' values, so the unused ones fold away and
 * the search words of three characters or more ($7..$22) and the
 * two-character ones ($23) reach the trigram and bigram indexes as plain
 * conditions, for the planner to use those that narrow the rows most; every
 * word ($6) is then checked on the rows they found. The stage ($4) is
 * compared as text: a cast to the domain ladder_stage is never folded, and
 * an unfolded "NULL IS NULL" had the planner expect one programme of nine
 * and scan the search indexes once per programme. "open" is COURSE_OPEN or
 * COURSE_ANY: which one is chosen in C, for the EXISTS of an open section
 * to stand alone among the conditions, where the planner makes it a semi
 * join (inside an OR it is checked apart, by hashing every open section
 * of the platform before the first row). */
#define COURSE_MATCH(open)                                                               \
	" (c.published OR $27::boolean)"                                                   \
	" AND ($1::text IS NULL OR p.code = $1)"                                           \
	" AND ($2::bigint = 0 OR c.institution_id = $2::bigint)"                           \
	" AND ($3::text IS NULL OR c.delivery = $3)"                                       \
	" AND ($4::text IS NULL OR $4::text = ANY (p.allowed_stages::text[]))"           \
	" AND" open                                                                        \
	" AND ($7::text IS NULL OR c.search_text LIKE lower($7))"                          \
	" AND ($8::text IS NULL OR c.search_text LIKE lower($8))"                          \
	" AND ($9::text IS NULL OR c.search_text LIKE lower($9))"                          \
	" AND ($10::text IS NULL OR c.search_text LIKE lower($10))"                        \
	" AND ($11::text IS NULL OR c.search_text LIKE lower($11))"                        \
	" AND ($12::text IS NULL OR c.search_text LIKE lower($12))"                        \
	" AND ($13::text IS NULL OR c.search_text LIKE lower($13))"                        \
	" AND ($14::text IS NULL OR c.search_text LIKE lower($14))"                        \
	" AND ($15::text IS NULL OR c.search_text LIKE lower($15))"                        \
	" AND ($16::text IS NULL OR c.search_text LIKE lower($16))"                        \
	" AND ($17::text IS NULL OR c.search_text LIKE lower($17))"                        \
	" AND ($18::text IS NULL OR c.search_text LIKE lower($18))"                        \
	" AND ($19::text IS NULL OR c.search_text LIKE lower($19))"                        \
	" AND ($20::text IS NULL OR c.search_text LIKE lower($20))"                        \
	" AND ($21::text IS NULL OR c.search_text LIKE lower($21))"                        \
	" AND ($22::text IS NULL OR c.search_text LIKE lower($22))"                        \
	" AND ($23::text IS NULL"                                                          \
	" OR c.search_bigram_keys @> bigram_keys(lower($23::text)))"                       \
	" AND ($6::text IS NULL OR c.search_text LIKE ALL (lower($6::text)::text[]))"

/* Courses with a section open for enrolment now ($5 true), or any ($5 false). */
#define COURSE_OPEN                                                                      \
	" $5::boolean AND EXISTS (SELECT 1 FROM sections s WHERE s.course_id = c.id"        \
	" AND s.status = 'open' AND now() >= s.enrollment_opens_at"                        \
	" AND now() < s.enrollment_closes_at)"
#define COURSE_ANY " NOT $5::boolean"

/* The page of catalog_store_courses, with COURSE_OPEN or COURSE_ANY. */
#define COURSES_PAGE(open)                                                               \
	"SELECT json_build_object('items', coalesce(json_agg(x ORDER BY k), '[]'),"        \
	" 'last', max(k), 'total', CASE WHEN $24::bigint = 0 THEN (SELECT count(*)"        \
	" FROM courses c JOIN programs p ON p.id = c.program_id WHERE" COURSE_MATCH(open)  \
	") ELSE 0 END) FROM ("                                                             \
	" SELECT CASE WHEN $27::boolean"                                                   \
	" THEN json_build_object(" COURSE_ITEM_FIELDS ", 'published', c.published)"       \
	" ELSE json_build_object(" COURSE_ITEM_FIELDS ") END AS x, m.k"                   \
	" FROM (SELECT c.id, " COURSE_RANK_KEY " AS k"                                     \
	"  FROM courses c JOIN programs p ON p.id = c.program_id"                          \
	"  WHERE" COURSE_MATCH(open) " AND ($24::bigint = 0 OR " COURSE_RANK_KEY " > $24::bigint)" \
	"  ORDER BY k LIMIT $25) m"                                                        \
	" JOIN courses c ON c.id = m.id JOIN programs p ON p.id = c.program_id"            \
	" JOIN institutions i ON i.id = c.institution_id) t"
/* The page of a search, with COURSE_OPEN or COURSE_ANY: every match must
 * be ranked for its top LIMIT anyway (titles first), so the matching ids
 * and rank keys are found once, narrow, and both the page and the total
 * are taken from them (one scan of the search indexes and the rows they
 * point at instead of two). */
#define SEARCH_PAGE(open)                                                                \
	"WITH m AS MATERIALIZED (SELECT c.id, " COURSE_RANK_KEY " AS k"                    \
	"  FROM courses c JOIN programs p ON p.id = c.program_id"                          \
	"  WHERE" COURSE_MATCH(open) " AND ($24::bigint = 0 OR " COURSE_RANK_KEY " > $24::bigint))" \
	" SELECT json_build_object('items', coalesce(json_agg(x ORDER BY k), '[]'),"       \
	" 'last', max(k), 'total', CASE WHEN $24::bigint = 0 THEN (SELECT count(*) FROM m)" \
	" ELSE 0 END) FROM ("                                                              \
	" SELECT CASE WHEN $27::boolean"                                                   \
	" THEN json_build_object(" COURSE_ITEM_FIELDS ", 'published', c.published)"       \
	" ELSE json_build_object(" COURSE_ITEM_FIELDS ") END AS x, t.k"                   \
	" FROM (SELECT id, k FROM m ORDER BY k LIMIT $25) t"                               \
	" JOIN courses c ON c.id = t.id JOIN programs p ON p.id = c.program_id"            \
	" JOIN institutions i ON i.id = c.institution_id) t"
/* A COURSES_PAGE holds COURSE_MATCH twice: one literal over the 4095 bytes
 * ISO C promises; GCC and Clang take far longer ones. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
/* Runs sql, a COURSES_PAGE, with the parameters of f. */
static int courses_page(struct db_conn *db, const char *sql, const struct catalog_filter *f,
			json_t **page)
{
	return db_jsonf(db, page, sql, "slssbs" "ssssssssssssssss" "slisb", f->program,
			f->institution_id, f->delivery, f->stage, f->open, f->patterns,
			f->words[0], f->words[1], f->words[2], f->words[3], f->words[4],
			f->words[5], f->words[6], f->words[7], f->words[8], f->words[9],
			f->words[10], f->words[11], f->words[12], f->words[13], f->words[14],
			f->words[15], f->bigrams, f->after_id, f->limit, f->lang,
			f->include_unpublished);
}

int catalog_store_courses(struct db_conn *db, const struct catalog_filter *f, json_t **page)
{
	/* The page and the total are apart, so that neither costs what the
	 * other needs: the page finds the ids of its LIMIT in rank key order,
	 * narrow (without a search, by courses_listed alone, whose columns the
	 * filters read, however far it must walk), then reads those rows; it
	 * carries no count along; the total counts the matching courses, narrow (an index-only
	 * scan of courses_listed when nothing but columns it holds filters),
	 * and on a first page only: it is every matching course there, and no
	 * later page shows it (its 0 is never read). On a first page the
	 * cursor's condition folds away too: every rank key is above 0.
	 * Managers' answers add "published"; the public one keeps its bytes.
	 * A search is the exception: every match is ranked for the page
	 * anyway, so SEARCH_PAGE keeps the ranked ids once for both. So is a
	 * filtered first page: its total visits every match anyway, and the
	 * walk in id order for its LIMIT, planned on the guess that the
	 * filters are independent, went through the whole catalogue when few
	 * courses meet them together (a programme and a delivery that rarely
	 * meet). Finding the matches once, through the index that leads with
	 * the filters (courses_program_delivery, courses_program,
	 * courses_institution), gives both. */
	bool filtered = f->program || f->delivery || f->institution_id || f->stage || f->open;

	if (f->patterns || (filtered && f->after_id == 0))
		return courses_page(db,
				    f->open ? SEARCH_PAGE(COURSE_OPEN) : SEARCH_PAGE(COURSE_ANY), f,
				    page);
	return courses_page(db, f->open ? COURSES_PAGE(COURSE_OPEN) : COURSES_PAGE(COURSE_ANY), f,
			    page);
}
#pragma GCC diagnostic pop

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
