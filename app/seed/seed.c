/* seed.c - demo data: institutions, accounts, the catalogue; the benchmark catalogue */
#include "lms/seed/seed.h"

#include <stdio.h>
#include <string.h>

#include "lms/auth/password.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/seed/catalog_seed.h"
#include "lms/service/audit.h"

static const struct {
	const char *code, *kind, *name_ko, *name_en, *region;
	bool partner, center;
} institutions[] = {
	/* The 2020 Gwangju AI talent-ladder agreement. */
	{"gwangju_city", "city", "광주광역시", "Gwangju Metropolitan City", "광주", true, false},
	{"gwangju_edu", "education_office", "광주광역시교육청",
	 "Gwangju Metropolitan Office of Education", "광주", true, false},
	{"gwangju_science", "science_museum", "국립광주과학관", "Gwangju National Science Museum",
	 "광주", true, false},
	{"gist", "university", "광주과학기술원 GIST",
	 "Gwangju Institute of Science and Technology (GIST)", "광주", true, false},
	{"gnue", "university", "광주교육대학교", "Gwangju National University of Education",
	 "광주", true, false},
	{"jnu", "university", "전남대학교", "Chonnam National University", "광주", true, true},
	{"chosun", "university", "조선대학교", "Chosun University", "광주", true, false},
	{"honam", "university", "호남대학교", "Honam University", "광주", true, false},
	/* Regional Intelligence Innovation Talent centres, one per region
	 * (Chonnam, above, is Gwangju's). */
	{"kumoh", "university", "금오공과대학교", "Kumoh National Institute of Technology", "경북",
	 false, true},
	{"deu", "university", "동의대학교", "Dong-eui University", "부산", false, true},
	{"scnu", "university", "순천대학교", "Sunchon National University", "전남", false, true},
	{"cbnu", "university", "충북대학교", "Chungbuk National University", "충북", false, true},
	{"tukorea", "university", "한국공학대학교", "Tech University of Korea", "경기", false,
	 true},
	{"ssu", "university", "숭실대학교", "Soongsil University", "서울", false, true},
	{"pcu", "university", "배재대학교", "Pai Chai University", "대전", false, true},
	{"knu", "university", "경북대학교", "Kyungpook National University", "대구", false, true},
	{"unist", "university", "울산과학기술원 UNIST",
	 "Ulsan National Institute of Science and Technology (UNIST)", "울산", false, true},
	{"inha", "university", "인하대학교", "Inha University", "인천", false, true},
	{"kangwon", "university", "강원대학교", "Kangwon National University", "강원", false, true},
	{"hoseo", "university", "호서대학교", "Hoseo University", "충남", false, true},
	{"kyungnam", "university", "경남대학교", "Kyungnam University", "경남", false, true},
	{"jbnu", "university", "전북대학교", "Jeonbuk National University", "전북", false, true},
};

static const struct {
	const char *email, *name, *stage;
	struct seed_role role;
} accounts[] = {
	{"admin@example.com", "운영위원회 관리자", "general", {ROLE_PLATFORM_ADMIN, NULL}},
	{"gist-admin@example.com", "GIST 교육 담당자", "worker",
	 {ROLE_INSTITUTION_ADMIN, "gist"}},
	{"chonnam-admin@example.com", "전남대 교육 담당자", "worker",
	 {ROLE_INSTITUTION_ADMIN, "jnu"}},
	{"instructor@example.com", "이지능 교수", "worker", {ROLE_INSTRUCTOR, "gist"}},
	{"learner@example.com", "김학습", "worker", {ROLE_LEARNER, NULL}},
};

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
			      " ladder_stage) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
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

static int institutions_load(struct db_conn *db, char *err, size_t errlen)
{
	int rc;

	for (size_t i = 0; i < sizeof(institutions) / sizeof(institutions[0]); i++) {
		rc = db_execf(db, NULL,
			      "INSERT INTO institutions (code, kind, name_ko, name_en, region,"
			      " is_partner, is_regional_center) VALUES ($1, $2, $3, $4, $5, $6, $7)"
			      " ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind,"
			      " name_ko = EXCLUDED.name_ko, name_en = EXCLUDED.name_en,"
			      " region = EXCLUDED.region, is_partner = EXCLUDED.is_partner,"
			      " is_regional_center = EXCLUDED.is_regional_center",
			      "sssssbb", institutions[i].code, institutions[i].kind,
			      institutions[i].name_ko, institutions[i].name_en,
			      institutions[i].region, institutions[i].partner,
			      institutions[i].center);
		if (rc < 0)
			return seed_error(db, rc, err, errlen, institutions[i].code);
	}
	return 0;
}

int seed_demo(struct db_conn *db, int iterations, struct seed_counts *counts, char *err,
	      size_t errlen)
{
	PGresult *res = NULL;
	bool created;
	int rc;

	if ((rc = institutions_load(db, err, errlen)) < 0)
		return rc;
	for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		if ((rc = seed_account(db, accounts[i].email, accounts[i].name, accounts[i].stage,
				       SEED_DEMO_PASSWORD, iterations, &accounts[i].role, 1,
				       "lms seed --demo", &created, err, errlen)) < 0)
			return rc;
	}
	if ((rc = catalog_seed_demo_load(db, iterations, err, errlen)) < 0)
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

int seed_bench(struct db_conn *db, long n, long *created, char *term, size_t termlen,
	       char *err, size_t errlen)
{
	int rc;

	*created = 0;
	if ((rc = institutions_load(db, err, errlen)) < 0 ||
	    (rc = catalog_seed_programs_load(db, err, errlen)) < 0)
		return rc;
	return catalog_seed_bench_load(db, n, created, term, termlen, err, errlen);
}
