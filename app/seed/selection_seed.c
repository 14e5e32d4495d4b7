/* selection_seed.c - the demo selection intakes: an AI Academy intake half
 * way through its stages and a startup-support call with offers out */
#include "lms/seed/selection_seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/seed/seed.h"
#include "lms/selection/selection_store.h"

/* The applicants' accounts, made before the intake's transaction (each
 * account is a transaction of its own). */
static int applicants_load(struct db_conn *db, const json_t *applicants, int iterations,
			   char *err, size_t errlen)
{
	const json_t *a;
	bool created;
	size_t i;
	int rc;

	json_array_foreach(applicants, i, a) {
		const char *name = json_string_value(json_object_get(a, "name"));

		if (name && (rc = seed_account(db, json_string_value(json_object_get(a, "email")),
					       name, "job_seeker", SEED_DEMO_PASSWORD, iterations,
					       NULL, 0, "lms seed --demo", &created, err, errlen)) < 0)
			return rc;
	}
	return 0;
}

/* The applicant's stage results in order, through application_decide(). */
static int results_load(struct db_conn *db, long long app, const json_t *stages,
			const json_t *results)
{
	const json_t *r;
	size_t k;
	char score[32];
	int rc;

	json_array_foreach(results, k, r) {
		const json_t *s = json_object_get(r, "score");

		snprintf(score, sizeof(score), "%lld", (long long)json_integer_value(s));
		if ((rc = db_execf(db, NULL,
				   "SELECT application_decide($1, $2, $3, $4, NULL, 'demo data')", "llss",
				   app, json_integer_value(json_object_get(json_array_get(stages, k), "id")),
				   s ? score : NULL,
				   json_string_value(json_object_get(r, "decision")))) < 0)
			return rc;
	}
	return 0;
}

/* One intake in the caller's transaction. */
static int intake_load(struct db_conn *db, const json_t *in, char *err, size_t errlen)
{
	const json_t *a;
	json_t *body = NULL, *intake = NULL;
	PGresult *res = NULL;
	long long section = 0, id = 0, inst = 0;
	size_t i;
	int rc;

	rc = db_one_row(db, &res,
			"INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
			" enrollment_opens_at, enrollment_closes_at, status)"
			" SELECT c.id, f.term, f.starts_on, f.ends_on, $3, now() - interval '20 days',"
			" greatest(f.enrollment_closes_at, now() + interval '50 days'), 'open'"
			" FROM courses c JOIN programs p ON p.id = c.program_id"
			" JOIN institutions i ON i.id = c.institution_id"
			/* in the course's first term, as the catalogue's sections */
			" JOIN LATERAL (SELECT term, starts_on, ends_on, enrollment_closes_at"
			"  FROM sections WHERE course_id = c.id ORDER BY starts_on, id LIMIT 1) f ON true"
			" WHERE p.code = $1 AND i.code = $2 AND c.published ORDER BY c.id LIMIT 1"
			" RETURNING id, (SELECT institution_id FROM courses WHERE id = course_id)",
			"ssi", json_string_value(json_object_get(in, "program")),
			json_string_value(json_object_get(in, "institution")),
			(int)json_integer_value(json_object_get(in, "capacity")));
	if (rc == LMS_ENOTFOUND) {
		snprintf(err, errlen, "seed data selection.json: no published %s course of %s",
			 json_string_value(json_object_get(in, "program")),
			 json_string_value(json_object_get(in, "institution")));
		return LMS_EINVAL;
	}
	if (rc < 0)
		return seed_error(db, rc, err, errlen, "selection section");
	section = db_ll(res, 0, 0);
	inst = db_ll(res, 0, 1);
	PQclear(res);
	res = NULL;
	/* Applications opened twenty days ago and close in ten. */
	body = json_pack("{s:I, s:O, s:O, s:s, s:s, s:O, s:O, s:O}", "section_id",
			 (json_int_t)section, "title_ko", json_object_get(in, "title_ko"),
			 "title_en", json_object_get(in, "title_en"), "opens_at",
			 "2000-01-01T00:00:00Z", "closes_at", "2000-01-02T00:00:00Z", "offer_hours",
			 json_object_get(in, "offer_hours"), "blind_review",
			 json_object_get(in, "blind_review"), "stages", json_object_get(in, "stages"));
	if (!body)
		return seed_error(db, LMS_ENOMEM, err, errlen, "selection intake");
	if ((rc = selection_store_intake_create(db, body, inst, 0, &id)) < 0 ||
	    (rc = db_execf(db, NULL,
			   "UPDATE intakes SET opens_at = now() - interval '20 days',"
			   " closes_at = now() + interval '10 days' WHERE id = $1",
			   "l", id)) < 0 ||
	    (rc = selection_store_intake_get(db, id, &intake)) < 0) {
		rc = seed_error(db, rc, err, errlen, "selection intake");
		goto out;
	}
	json_array_foreach(json_object_get(in, "applicants"), i, a) {
		struct selection_apply_result r;

		rc = db_one_row(db, &res, "SELECT id FROM users WHERE lower(email) = lower($1)", "s",
				json_string_value(json_object_get(a, "email")));
		if (rc < 0) {
			rc = seed_error(db, rc, err, errlen, "selection applicant");
			goto out;
		}
		rc = selection_store_apply(db, db_ll(res, 0, 0), id,
					   "광주에서 인공지능 일을 하고 싶습니다.", &r);
		PQclear(res);
		res = NULL;
		json_decref(r.detail);
		if (rc < 0 || strcmp(r.code, "ok") != 0 ||
		    (rc = results_load(db, r.application_id, json_object_get(intake, "stages"),
				       json_object_get(a, "results"))) < 0) {
			rc = seed_error(db, rc < 0 ? rc : LMS_EDB, err, errlen, "selection application");
			goto out;
		}
	}
	if (json_is_true(json_object_get(in, "offer")) &&
	    (rc = db_execf(db, NULL,
			   "SELECT selection_tell(NULL, 'offered'), intake_offer($1,"
			   " 'offered: ranked among the passed applicants')",
			   "l", id)) < 0) {
		rc = seed_error(db, rc, err, errlen, "selection offers");
		goto out;
	}
	json_array_foreach(json_object_get(in, "accept"), i, a) {
		if ((rc = db_execf(db, NULL,
				   "SELECT application_accept(a.id, a.user_id) FROM applications a"
				   " JOIN users u ON u.id = a.user_id WHERE a.intake_id = $1"
				   " AND lower(u.email) = lower($2) AND a.status = 'offered'",
				   "ls", id, json_string_value(a))) < 0) {
			rc = seed_error(db, rc, err, errlen, "selection acceptance");
			goto out;
		}
	}
	rc = 0;
out:
	PQclear(res);
	json_decref(body);
	json_decref(intake);
	return rc;
}

int selection_seed_demo_load(struct db_conn *db, const char *dir, int iterations, char *err,
			     size_t errlen)
{
	json_t *data = NULL;
	const json_t *in;
	size_t i;
	int rc;

	if ((rc = seed_data_load(dir, "selection.json", &data, err, errlen)) < 0)
		return rc;
	json_array_foreach(json_object_get(data, "intakes"), i, in) {
		rc = db_one_row(db, NULL, "SELECT 1 FROM intakes WHERE title_en = $1", "s",
				json_string_value(json_object_get(in, "title_en")));
		if (rc == 0)
			continue;
		if (rc != LMS_ENOTFOUND) {
			rc = seed_error(db, rc, err, errlen, "selection intakes");
			goto out;
		}
		if ((rc = applicants_load(db, json_object_get(in, "applicants"), iterations, err,
					  errlen)) < 0)
			goto out;
		if ((rc = db_begin(db)) < 0) {
			rc = seed_error(db, rc, err, errlen, "begin");
			goto out;
		}
		if ((rc = intake_load(db, in, err, errlen)) < 0) {
			db_rollback(db);
			goto out;
		}
		if ((rc = db_commit(db)) < 0) {
			rc = seed_error(db, rc, err, errlen, "commit");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(data);
	return rc;
}
