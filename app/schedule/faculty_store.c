/* faculty_store.c - instructor profiles, their shares, facilities and loans */
#include "lms/schedule/faculty_store.h"

#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"

/*
 * Runs lock (which locks a row of $1 until the transaction ends) and then
 * ask (one boolean row of $1, $2) as a statement of its own: under READ
 * COMMITTED the second statement sees whatever a change that held the lock
 * committed, so the answer cannot be stale by the time the caller writes.
 */
static int locked_ask(struct db_conn *db, const char *lock, const char *ask, long long a,
		      long long b, bool *ok)
{
	PGresult *res = NULL;
	int rc;

	*ok = false;
	if ((rc = db_execf(db, &res, lock, "l", a)) < 0)
		return rc;
	if (PQntuples(res) == 0)
		goto out;
	PQclear(res);
	res = NULL;
	if ((rc = db_execf(db, &res, ask, "ll", a, b)) < 0)
		return rc;
	*ok = db_bool(res, 0, 0);
out:
	PQclear(res);
	return 0;
}

int faculty_store_can_teach(struct db_conn *db, long long instructor_id,
			    long long institution_id, bool *ok)
{
	/* Revoking a share locks the profile FOR UPDATE first: it waits for
	 * this lock, or this waits for the revocation and then sees it. */
	return locked_ask(db, "SELECT 1 FROM instructors WHERE user_id = $1 FOR KEY SHARE",
			  "SELECT EXISTS (SELECT 1 FROM instructors WHERE user_id = $1"
			  " AND home_institution_id = $2)"
			  " OR EXISTS (SELECT 1 FROM instructor_shares WHERE instructor_id = $1"
			  " AND institution_id = $2)",
			  instructor_id, institution_id, ok);
}

int faculty_store_facility_usable(struct db_conn *db, long long facility_id,
				  long long institution_id, bool *ok)
{
	/* Changing the loans locks the facility FOR UPDATE first, likewise. */
	return locked_ask(db, "SELECT 1 FROM facilities WHERE id = $1 FOR KEY SHARE",
			  "SELECT EXISTS (SELECT 1 FROM facilities WHERE id = $1"
			  " AND institution_id = $2)"
			  " OR EXISTS (SELECT 1 FROM facility_loans WHERE facility_id = $1"
			  " AND institution_id = $2)",
			  facility_id, institution_id, ok);
}

/* ---- instructors ---- */

/* Text in the language L (a parameter such as "$2"), or in the other one
 * when that is empty: a profile written in one language still reads. */
#define IN_LANG(L, ko, en)                                                               \
	"CASE WHEN " L " = 'en' THEN coalesce(nullif(" en ", ''), " ko ")"               \
	" ELSE coalesce(nullif(" ko ", ''), " en ") END"

#define INSTITUTION_REF(L, alias, key)                                                   \
	"json_build_object('" key "', " alias ".id, 'name', " IN_LANG(L, alias ".name_ko", \
								      alias ".name_en") ")"

/* Profile n of user u at home h, as the directory shows it. */
#define INSTRUCTOR_JSON(L)                                                               \
	"json_build_object('id', n.user_id, 'display_name', u.display_name,"               \
	" 'home_institution', json_build_object('id', h.id, 'code', h.code, 'name', "      \
	IN_LANG(L, "h.name_ko", "h.name_en") "),"                                          \
	" 'expertise', n.expertise, 'bio', " IN_LANG(L, "n.bio_ko", "n.bio_en") ","        \
	" 'bio_ko', n.bio_ko, 'bio_en', n.bio_en,"                                         \
	" 'shared_with', (SELECT coalesce(json_agg(" INSTITUTION_REF(L, "p", "institution_id") \
	"  ORDER BY p.id), '[]') FROM instructor_shares s"                                 \
	"  JOIN institutions p ON p.id = s.institution_id WHERE s.instructor_id = n.user_id),"  \
	" 'created_at', n.created_at, 'updated_at', n.updated_at)"
#define INSTRUCTOR_FROM                                                                  \
	" n JOIN users u ON u.id = n.user_id JOIN institutions h ON h.id = n.home_institution_id"

/* The body's expertise tags, each once, in the order given. */
#define EXPERTISE_OF_BODY                                                                \
	"ARRAY(SELECT e FROM jsonb_array_elements_text(b->'expertise') WITH ORDINALITY"  \
	" AS t(e, n) GROUP BY e ORDER BY min(n))"

int faculty_store_instructor_list(struct db_conn *db, const struct faculty_filter *f,
				  json_t **items)
{
	/* strpos, not LIKE: the name part is matched as it is, % and _ too. */
	return db_jsonf(
		db, items,
		"SELECT coalesce(json_agg(" INSTRUCTOR_JSON("$7") " ORDER BY n.user_id), '[]')"
		" FROM (SELECT * FROM instructors i WHERE i.user_id > $1::bigint"
		"  AND ($2::text IS NULL OR i.expertise @> ARRAY[$2::text])"
		"  AND ($3::bigint = 0 OR i.home_institution_id = $3::bigint"
		"   OR ($4::boolean AND EXISTS (SELECT 1 FROM instructor_shares s"
		"   WHERE s.instructor_id = i.user_id AND s.institution_id = $3::bigint)))"
		"  AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM users x WHERE x.id = i.user_id"
		"   AND strpos(lower(x.display_name), lower($5::text)) > 0))"
		"  ORDER BY i.user_id LIMIT $6::int)" INSTRUCTOR_FROM,
		"lslbsis", f->after_id, f->expertise, f->institution_id, f->shared, f->q, f->limit,
		f->lang);
}

int faculty_store_instructor_get(struct db_conn *db, long long id, const char *lang,
				 json_t **out)
{
	return db_jsonf(db, out,
			"SELECT " INSTRUCTOR_JSON("$2") " FROM instructors" INSTRUCTOR_FROM
			" WHERE n.user_id = $1",
			"ls", id, lang);
}

/* The first column of the one row sql (with $1 = id) gives, into *out;
 * LMS_ENOTFOUND without a row. */
static int row_id(struct db_conn *db, const char *sql, long long id, long long *out)
{
	PGresult *res = NULL;
	int rc;

	rc = db_one_row(db, &res, sql, "l", id);
	*out = db_ll(res, 0, 0);
	PQclear(res);
	return rc;
}

int faculty_store_instructor_home(struct db_conn *db, long long id, bool lock, long long *home)
{
	return row_id(db,
		      lock ? "SELECT home_institution_id FROM instructors WHERE user_id = $1"
			     " FOR UPDATE"
			   : "SELECT home_institution_id FROM instructors WHERE user_id = $1",
		      id, home);
}

/* Runs sql with $1 = id and $2 = body (a jsonb parameter); *rows gets the
 * number of rows it returned when not NULL. */
static int body_exec(struct db_conn *db, const char *sql, long long id, const json_t *body,
		     int *rows)
{
	char *text = json_dumps(body, JSON_COMPACT);
	PGresult *res = NULL;
	int rc;

	if (!text)
		return LMS_ENOMEM;
	rc = db_execf(db, rows ? &res : NULL, sql, "ls", id, text);
	if (rc == 0 && rows)
		*rows = PQntuples(res);
	PQclear(res);
	free(text);
	return rc;
}

int faculty_store_instructor_create(struct db_conn *db, long long user_id,
				    long long institution_id, const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	int rc;

	if (!text)
		return LMS_ENOMEM;
	rc = db_one_row(db, NULL,
			"INSERT INTO instructors (user_id, home_institution_id, expertise, bio_ko,"
			" bio_en) SELECT $1, $2, " EXPERTISE_OF_BODY ","
			" coalesce(b->>'bio_ko', ''), coalesce(b->>'bio_en', '')"
			" FROM (SELECT $3::jsonb AS b) body"
			" ON CONFLICT (user_id) DO NOTHING RETURNING user_id",
			"lls", user_id, institution_id, text);
	free(text);
	/* No row: the profile exists. The institution was checked: a missing
	 * reference is the user. */
	if (rc == LMS_ENOTFOUND)
		return LMS_ECONFLICT;
	if (rc == LMS_EDB && db_sqlstate_is(db, "23503"))
		return LMS_ENOTFOUND;
	return rc;
}

int faculty_store_instructor_update(struct db_conn *db, long long id, const json_t *body)
{
	int rows = 0, rc;

	rc = body_exec(db,
		       "UPDATE instructors SET"
		       " expertise = CASE WHEN b ? 'expertise' THEN " EXPERTISE_OF_BODY
		       "  ELSE expertise END,"
		       " bio_ko = coalesce(b->>'bio_ko', bio_ko),"
		       " bio_en = coalesce(b->>'bio_en', bio_en), updated_at = now()"
		       " FROM (SELECT $2::jsonb AS b) body WHERE user_id = $1 RETURNING user_id",
		       id, body, &rows);
	if (rc < 0)
		return rc;
	return rows == 1 ? 0 : LMS_ENOTFOUND;
}

int faculty_store_share_add(struct db_conn *db, long long id, long long institution_id,
			    long long by, bool *created)
{
	PGresult *res = NULL;
	int rc;

	*created = false;
	if ((rc = db_execf(db, &res,
			   "INSERT INTO instructor_shares (instructor_id, institution_id, shared_by)"
			   " VALUES ($1, $2, nullif($3::bigint, 0)) ON CONFLICT DO NOTHING"
			   " RETURNING instructor_id",
			   "lll", id, institution_id, by)) < 0)
		return rc;
	*created = PQntuples(res) == 1;
	PQclear(res);
	return 0;
}

int faculty_store_share_remove(struct db_conn *db, long long id, long long institution_id)
{
	return db_one_row(db, NULL,
			  "DELETE FROM instructor_shares WHERE instructor_id = $1"
			  " AND institution_id = $2 RETURNING instructor_id",
			  "ll", id, institution_id);
}

/* ---- facilities ---- */

#define FACILITY_JSON(L)                                                                 \
	"json_build_object('id', f.id, 'institution_id', f.institution_id,"                \
	" 'institution', " INSTITUTION_REF(L, "o", "id") ","                               \
	" 'name', " IN_LANG(L, "f.name_ko", "f.name_en") ","                               \
	" 'name_ko', f.name_ko, 'name_en', f.name_en, 'kind', f.kind,"                     \
	" 'capacity', f.capacity, 'location', f.location,"                                 \
	" 'lent_to', (SELECT coalesce(json_agg(" INSTITUTION_REF(L, "p", "institution_id")   \
	"  ORDER BY p.id), '[]') FROM facility_loans l"                                    \
	"  JOIN institutions p ON p.id = l.institution_id WHERE l.facility_id = f.id),"     \
	" 'created_at', f.created_at)"
#define FACILITY_FROM " f JOIN institutions o ON o.id = f.institution_id"

int faculty_store_facility_create(struct db_conn *db, long long institution_id,
				  const json_t *body, long long *id)
{
	PGresult *res = NULL;
	char *text = json_dumps(body, JSON_COMPACT);
	int rc;

	*id = 0;
	if (!text)
		return LMS_ENOMEM;
	rc = db_execf(db, &res,
		      "INSERT INTO facilities (institution_id, name_ko, name_en, kind, capacity,"
		      " location) SELECT $1, b->>'name_ko', b->>'name_en', b->>'kind',"
		      " (b->>'capacity')::int, coalesce(b->>'location', '')"
		      " FROM (SELECT $2::jsonb AS b) body RETURNING id",
		      "ls", institution_id, text);
	if (rc == 0)
		*id = db_ll(res, 0, 0);
	PQclear(res);
	free(text);
	return rc;
}

int faculty_store_facility_update(struct db_conn *db, long long id, const json_t *body)
{
	int rows = 0, rc;

	rc = body_exec(db,
		       "UPDATE facilities SET name_ko = coalesce(b->>'name_ko', name_ko),"
		       " name_en = coalesce(b->>'name_en', name_en),"
		       " kind = coalesce(b->>'kind', kind),"
		       " capacity = coalesce((b->>'capacity')::int, capacity),"
		       " location = coalesce(b->>'location', location)"
		       " FROM (SELECT $2::jsonb AS b) body WHERE id = $1 RETURNING id",
		       id, body, &rows);
	if (rc < 0)
		return rc;
	return rows == 1 ? 0 : LMS_ENOTFOUND;
}

int faculty_store_facility_owner(struct db_conn *db, long long id, bool lock,
				 long long *institution_id)
{
	return row_id(db,
		      lock ? "SELECT institution_id FROM facilities WHERE id = $1 FOR UPDATE"
			   : "SELECT institution_id FROM facilities WHERE id = $1",
		      id, institution_id);
}

int faculty_store_loans_set(struct db_conn *db, long long id, const json_t *ids)
{
	int rc;

	/* Two statements: within one, an insert cannot see the rows a delete
	 * of the same statement removes. */
	if ((rc = body_exec(db,
			    "DELETE FROM facility_loans WHERE facility_id = $1"
			    " AND institution_id NOT IN (SELECT value::bigint"
			    "  FROM jsonb_array_elements_text($2::jsonb))",
			    id, ids, NULL)) < 0)
		return rc;
	return body_exec(db,
			 "INSERT INTO facility_loans (facility_id, institution_id)"
			 " SELECT DISTINCT $1::bigint, value::bigint"
			 " FROM jsonb_array_elements_text($2::jsonb) ON CONFLICT DO NOTHING",
			 id, ids, NULL);
}

int faculty_store_loans_check(struct db_conn *db, long long owner, const json_t *ids,
			      char **why)
{
	PGresult *res = NULL;
	char *list = json_dumps(ids, JSON_COMPACT);
	int rc;

	*why = NULL;
	if (!list)
		return LMS_ENOMEM;
	rc = db_execf(db, &res,
		      "WITH ids AS (SELECT DISTINCT value::bigint AS id"
		      "  FROM jsonb_array_elements_text($2::jsonb))"
		      " SELECT CASE WHEN EXISTS (SELECT 1 FROM ids WHERE id = $1::bigint)"
		      "  THEN 'must not include the facility''s own institution'"
		      "  ELSE 'no institution has the id ' || (SELECT string_agg(id::text, ', '"
		      "  ORDER BY id) FROM ids WHERE id NOT IN (SELECT id FROM institutions)) END",
		      "ls", owner, list);
	if (rc == 0 && !PQgetisnull(res, 0, 0) && !(*why = strdup(PQgetvalue(res, 0, 0))))
		rc = LMS_ENOMEM;
	PQclear(res);
	free(list);
	return rc;
}

int faculty_store_facility_get(struct db_conn *db, long long id, const char *lang,
			       json_t **out)
{
	return db_jsonf(db, out,
			"SELECT " FACILITY_JSON("$2") " FROM facilities" FACILITY_FROM
			" WHERE f.id = $1",
			"ls", id, lang);
}

int faculty_store_facility_list(struct db_conn *db, long long owner, long long usable_by,
				long long after_id, int limit, const char *lang, json_t **items)
{
	return db_jsonf(
		db, items,
		"SELECT coalesce(json_agg(" FACILITY_JSON("$5") " ORDER BY f.id), '[]')"
		" FROM (SELECT * FROM facilities x WHERE x.id > $1::bigint"
		"  AND ($2::bigint = 0 OR x.institution_id = $2::bigint)"
		"  AND ($3::bigint = 0 OR x.institution_id = $3::bigint"
		"   OR EXISTS (SELECT 1 FROM facility_loans l WHERE l.facility_id = x.id"
		"   AND l.institution_id = $3::bigint))"
		"  ORDER BY x.id LIMIT $4::int)" FACILITY_FROM,
		"lllis", after_id, owner, usable_by, limit, lang);
}
