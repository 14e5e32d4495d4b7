/* seed.c - demo data: institutions, accounts, the catalogue; the benchmark catalogue */
#include "lms/seed/seed.h"

#include <stdio.h>
#include <string.h>

#include "lms/auth/password.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/seed/activity_seed.h"
#include "lms/seed/catalog_seed.h"
#include "lms/seed/selection_seed.h"
#include "lms/service/audit_store.h"

int seed_error(struct db_conn *db, int rc, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, db->errmsg[0] ? db->errmsg : lms_strerror(rc));
	return rc;
}

int seed_account(struct db_conn *db, const char *email, const char *display_name,
		 const char *stage, const char *password, int iterations,
		 const struct seed_role *roles, size_t nroles, const char *via, bool *created,
		 char *err, size_t errlen)
{
	char hash[PASSWORD_HASH_MAX];
	PGresult *res = NULL;
	json_t *detail = NULL;
	long long user_id;
	bool exists;
	int rc;

	*created = false;
	/* An existing account keeps its password, so hashing one would only
	 * cost time: at the production cost, a pause per demo account on
	 * every start of the development server. */
	if ((rc = db_execf(db, &res, "SELECT 1 FROM users WHERE lower(email) = lower($1)", "s",
			   email)) < 0)
		return seed_error(db, rc, err, errlen, email);
	exists = PQntuples(res) > 0;
	PQclear(res);
	res = NULL;
	if (!exists &&
	    (rc = password_hash(password, strlen(password), iterations, hash, sizeof(hash))) < 0)
		return seed_error(db, rc, err, errlen, "password hash");
	if ((rc = db_begin(db)) < 0)
		return seed_error(db, rc, err, errlen, "begin");
	if (exists)
		rc = db_execf(db, &res, "SELECT id, false FROM users WHERE lower(email) = lower($1)",
			      "s", email);
	else
		rc = db_execf(db, &res,
			      "WITH u AS (INSERT INTO users (email, password_hash, display_name,"
			      " ladder_stage, email_verified_at) VALUES ($1, $2, $3, $4, now())"
			      " ON CONFLICT DO NOTHING"
			      " RETURNING id)"
			      " SELECT id, true FROM u UNION ALL"
			      " SELECT id, false FROM users WHERE lower(email) = lower($1)",
			      "ssss", email, hash, display_name, stage);
	if (rc < 0 || PQntuples(res) < 1) {
		rc = seed_error(db, rc < 0 ? rc : LMS_EDB, err, errlen, email);
		goto out;
	}
	user_id = db_ll(res, 0, 0);
	*created = db_bool(res, 0, 1);
	if ((rc = db_execf(db, NULL,
			   "INSERT INTO user_roles (user_id, role) VALUES ($1, 'learner')"
			   " ON CONFLICT DO NOTHING",
			   "l", user_id)) < 0) {
		rc = seed_error(db, rc, err, errlen, email);
		goto out;
	}
	for (size_t i = 0; i < nroles; i++) {
		PQclear(res);
		res = NULL;
		rc = db_execf(db, &res,
			      "INSERT INTO user_roles (user_id, role, institution_id)"
			      " SELECT $1, $2, (SELECT id FROM institutions WHERE code = $3)"
			      " ON CONFLICT DO NOTHING RETURNING institution_id",
			      "lss", user_id, role_name(roles[i].role), roles[i].institution_code);
		if (rc < 0) {
			rc = seed_error(db, rc, err, errlen, email);
			goto out;
		}
		if (PQntuples(res) == 0 || roles[i].role == ROLE_LEARNER)
			continue;
		detail = json_pack("{s:s, s:s}", "role", role_name(roles[i].role), "via", via);
		rc = audit_store_insert(db, 0, 0, NULL, NULL,
					&(struct audit_event){.action = "role.grant",
							      .target_type = "user",
							      .target_id = user_id,
							      .institution_id = db_ll(res, 0, 0),
							      .detail = detail});
		json_decref(detail);
		if (rc < 0) {
			rc = seed_error(db, rc, err, errlen, "audit");
			goto out;
		}
	}
	if ((rc = db_commit(db)) < 0)
		rc = seed_error(db, rc, err, errlen, "commit");
out:
	PQclear(res);
	if (rc < 0)
		db_rollback(db);
	return rc;
}

int seed_data_load(const char *dir, const char *name, json_t **out, char *err,
		   size_t errlen)
{
	char path[4096];
	json_error_t e = {0};

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(*out = json_load_file(path, JSON_REJECT_DUPLICATES, &e))) {
		snprintf(err, errlen, "seed data %s: line %d: %s", path, e.line, e.text);
		return LMS_EINVAL;
	}
	return 0;
}

/* The institutions of dir/institutions.json, added or brought up to date. */
static int institutions_load(struct db_conn *db, const char *dir, char *err, size_t errlen)
{
	const char *code, *kind, *name_ko, *name_en, *region;
	json_t *rows = NULL, *v;
	json_error_t e = {0};
	int partner, center, rc;
	size_t i;

	if ((rc = seed_data_load(dir, "institutions.json", &rows, err, errlen)) < 0)
		return rc;
	json_array_foreach(rows, i, v) {
		if (json_unpack_ex(v, &e, JSON_STRICT, "{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "code",
				   &code, "kind", &kind, "name_ko", &name_ko, "name_en", &name_en,
				   "region", &region, "partner", &partner, "center", &center) != 0) {
			snprintf(err, errlen, "seed data institutions.json: [%zu]: %s", i, e.text);
			rc = LMS_EINVAL;
			break;
		}
		rc = db_execf(db, NULL,
			      "INSERT INTO institutions (code, kind, name_ko, name_en, region,"
			      " is_partner, is_regional_center) VALUES ($1, $2, $3, $4, $5, $6, $7)"
			      " ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind,"
			      " name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en,"
			      " region = EXCLUDED.region, is_partner = EXCLUDED.is_partner,"
			      " is_regional_center = EXCLUDED.is_regional_center",
			      "sssssbb", code, kind, name_ko, name_en, region, partner != 0,
			      center != 0);
		if (rc < 0) {
			rc = seed_error(db, rc, err, errlen, code);
			break;
		}
	}
	json_decref(rows);
	return rc;
}

/* The demo accounts of dir/accounts.json, each with its one role. */
static int accounts_load(struct db_conn *db, const char *dir, int iterations, char *err,
			 size_t errlen)
{
	const char *email, *name, *stage, *role;
	struct seed_role r;
	json_t *rows = NULL, *v, *inst;
	json_error_t e = {0};
	bool created;
	size_t i;
	int rc;

	if ((rc = seed_data_load(dir, "accounts.json", &rows, err, errlen)) < 0)
		return rc;
	json_array_foreach(rows, i, v) {
		if (json_unpack_ex(v, &e, JSON_STRICT, "{s:s, s:s, s:s, s:s, s:o}", "email", &email,
				   "name", &name, "stage", &stage, "role", &role, "institution",
				   &inst) != 0 ||
		    !role_parse(role, &r.role) || !(json_is_string(inst) || json_is_null(inst))) {
			snprintf(err, errlen, "seed data accounts.json: [%zu]: %s", i,
				 e.text[0] ? e.text : "role or institution is not valid");
			rc = LMS_EINVAL;
			break;
		}
		r.institution_code = json_string_value(inst);
		if ((rc = seed_account(db, email, name, stage, SEED_DEMO_PASSWORD, iterations, &r, 1,
				       "lms seed --demo", &created, err, errlen)) < 0)
			break;
	}
	json_decref(rows);
	return rc;
}

int seed_demo(struct db_conn *db, const char *dir, int iterations, struct seed_counts *counts,
	      char *err, size_t errlen)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = institutions_load(db, dir, err, errlen)) < 0 ||
	    (rc = accounts_load(db, dir, iterations, err, errlen)) < 0 ||
	    (rc = catalog_seed_demo_load(db, dir, iterations, err, errlen)) < 0 ||
	    (rc = activity_seed_demo_load(db, dir, iterations, false, err, errlen)) < 0 ||
	    (rc = selection_seed_demo_load(db, dir, iterations, err, errlen)) < 0)
		return rc;
	if ((rc = db_exec(db, &res,
			  "SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM programs),"
			  " (SELECT count(*) FROM courses), (SELECT count(*) FROM sections),"
			  " (SELECT count(*) FROM lessons), (SELECT count(*) FROM facilities),"
			  " (SELECT count(*) FROM users)",
			  0, NULL)) < 0)
		return seed_error(db, rc, err, errlen, "counts");
	*counts = (struct seed_counts){db_ll(res, 0, 0), db_ll(res, 0, 1), db_ll(res, 0, 2),
				       db_ll(res, 0, 3), db_ll(res, 0, 4), db_ll(res, 0, 5),
				       db_ll(res, 0, 6)};
	PQclear(res);
	return 0;
}

int seed_bench(struct db_conn *db, const char *dir, long n, long *created, char *term,
	       size_t termlen, char *err, size_t errlen)
{
	int rc;

	*created = 0;
	if ((rc = institutions_load(db, dir, err, errlen)) < 0 ||
	    (rc = catalog_seed_programs_load(db, dir, err, errlen)) < 0)
		return rc;
	return catalog_seed_bench_load(db, n, created, term, termlen, err, errlen);
}
