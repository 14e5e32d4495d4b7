/* quiz_http.c - handlers: quizzes (authoring, attempts, submission).
 * The browser never grades and never sees an answer key before its
 * attempt is submitted; the deadline is the database's clock. */
#include "lms/activities/quiz_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/activities/quiz_store.h"
#include "lms/auth/guard.h"
#include "lms/catalog/content_store.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/http/server.h"
#include "lms/service/audit.h"

#define QUESTIONS_MAX 200
#define ANSWERS_MAX 500
#define ANSWER_TEXT_MAX_BYTES 2000

static const char *const feedbacks[] = {"none", "score", "answers", NULL};
static const char *const question_kinds[] = {"single", "multiple", "short", "numeric", NULL};

static const struct schema_field quiz_fields[] = {
	{"attempts_max", SCHEMA_INT, .nullable = true, .min = 1, .max = 100},
	{"time_limit_s", SCHEMA_INT, .nullable = true, .min = 60, .max = 86400},
	{"pass_pct", SCHEMA_INT, .required = true, .min = 0, .max = 100},
	{"shuffle_questions", SCHEMA_BOOL, .required = false},
	{"shuffle_choices", SCHEMA_BOOL, .required = false},
	{"feedback", SCHEMA_STRING, .required = true, .max_bytes = 16, .values = feedbacks},
	{"questions", SCHEMA_ARRAY, .required = true},
};
static const struct schema quiz_schema = SCHEMA_OF(quiz_fields);

/* A question as its author sends it; value and tolerance (numbers that may
 * have fractions) are checked apart. */
static const struct schema_field question_fields[] = {
	{"id", SCHEMA_INT, .min = 1, .max = 9007199254740991LL},
	{"kind", SCHEMA_STRING, .required = true, .max_bytes = 16, .values = question_kinds},
	{"prompt", SCHEMA_STRING, .required = true, .min = 1, .max = 5000},
	{"points", SCHEMA_INT, .min = 1, .max = 1000},
	{"choices", SCHEMA_ARRAY, .required = false},
	{"correct", SCHEMA_ARRAY, .required = false},
	{"accepted", SCHEMA_ARRAY, .required = false},
	{"explanation", SCHEMA_STRING, .max = 5000},
};
static const struct schema question_schema = SCHEMA_OF(question_fields);

static const struct schema_field submit_fields[] = {
	{"answers", SCHEMA_OBJECT, .required = true},
};
static const struct schema submit_schema = SCHEMA_OF(submit_fields);

/* ---- who may ---- */

static struct guard_target lesson_target(const struct content_facts *f, bool active_only)
{
	return (struct guard_target){
		.institution_id = f->institution_id,
		.enrolled = active_only ? f->enrolled_active : f->enrolled,
		.teaches = f->teaches,
		.hidden = !f->published,
	};
}

/* Path parameter 0 as a quiz lesson, its course's facts for the caller,
 * and action checked against them; 404 for a lesson that is not a quiz.
 * Replies and returns false when the request must stop. */
static bool quiz_lesson_or_reply(struct http_req *req, enum guard_action action, long long *id,
				 struct content_facts *f)
{
	struct guard_target t;
	struct db_conn *db;
	char kind[16];
	int rc;

	if (!http_req_param_id_or_reply(req, 0, id) || !(db = http_req_db_or_reply(req)))
		return false;
	if ((rc = content_store_lesson_facts(db, *id, req->who.user_id, f)) < 0 ||
	    (rc = quiz_store_lesson_kind(db, *id, kind, sizeof(kind))) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	t = lesson_target(f, action == GUARD_PROGRESS_WRITE);
	if (!guard_require_target_or_reply(req, action, &t))
		return false;
	if (strcmp(kind, "quiz") != 0) {
		http_reply_problem(req, 404, "not_a_quiz", NULL, "lesson %lld is not a quiz", *id);
		return false;
	}
	return true;
}

/* Whether the caller authors the quiz of course facts f. */
static bool authors(const struct http_req *req, const struct content_facts *f)
{
	struct guard_target t = lesson_target(f, false);

	return guard_decide_target(&req->who, GUARD_CONTENT_UPLOAD, &t) == GUARD_ALLOW;
}

/* The target of attempt facts f for the guard: its learner's own, taught
 * by the instructors of the learner's section. */
static struct guard_target attempt_target(const struct http_req *req,
					  const struct quiz_attempt_facts *f)
{
	return (struct guard_target){
		.institution_id = f->institution_id,
		.own = f->learner_id == req->who.user_id,
		.teaches = f->teaches_learner,
		.enrolled = f->enrolled_active,
		.hidden = !f->published,
	};
}

/* A refused quiz change or attempt, rolled back and answered. */
static void reply_quiz_error(struct http_req *req, int rc, const char *what)
{
	struct db_conn *db = req->db;

	if (rc == LMS_EDB && db_sqlstate_is(db, "LMSQ1")) {
		db_rollback(db);
		http_reply_problem(req, 409, "attempts_exhausted", NULL,
				   "every attempt this quiz allows has been used");
	} else if (rc == LMS_EDB && db_sqlstate_is(db, "LMSQ4")) {
		db_rollback(db);
		http_reply_problem(req, 409, "quiz_empty", NULL, "this quiz has no questions yet");
	} else {
		audit_change_failed(req, db, rc, what);
	}
}

/* ---- authoring ---- */

/* Adds errors of one question's check (named for the question alone) to
 * *errors, named questions[i].field. */
static void errors_prefix(json_t **errors, const json_t *found, size_t i)
{
	const json_t *e;
	char field[96];
	size_t k;

	json_array_foreach(found, k, e) {
		snprintf(field, sizeof(field), "questions[%zu].%s", i,
			 json_string_value(json_object_get(e, "field")));
		http_json_error_add(errors, field,
				    json_string_value(json_object_get(e, "message")));
	}
}

static void question_error(json_t **errors, size_t i, const char *field, const char *msg)
{
	char name[96];

	snprintf(name, sizeof(name), "questions[%zu].%s", i, field);
	http_json_error_add(errors, name, msg);
}

/* Whether arr holds only strings of 1 to max characters (at most 4 bytes
 * each). */
static bool texts_ok(const json_t *arr, size_t max)
{
	const json_t *v;
	size_t k;

	json_array_foreach(arr, k, v) {
		size_t n = json_string_length(v);

		if (!json_is_string(v) || n == 0 || n > max * 4 || strlen(json_string_value(v)) != n)
			return false;
	}
	return true;
}

/* Question i as sent (q) checked and turned into its stored form (new,
 * into *out): kind, prompt, points, choices, correct, explanation. */
static void question_convert(const json_t *q, size_t i, json_t **errors, json_t **out)
{
	json_t *rest, *found = NULL, *value, *tolerance, *choices, *correct, *accepted;
	const char *kind;

	*out = NULL;
	if (!json_is_object(q)) {
		question_error(errors, i, "kind", "the question must be an object");
		return;
	}
	rest = json_deep_copy(q);
	json_object_del(rest, "value");
	json_object_del(rest, "tolerance");
	if (!schema_check(rest, &question_schema, SCHEMA_CREATE, &found)) {
		errors_prefix(errors, found, i);
		json_decref(found);
		json_decref(rest);
		return;
	}
	json_decref(rest);
	kind = json_string_value(json_object_get(q, "kind"));
	value = json_object_get(q, "value");
	tolerance = json_object_get(q, "tolerance");
	choices = json_object_get(q, "choices");
	correct = json_object_get(q, "correct");
	accepted = json_object_get(q, "accepted");
	if (!strcmp(kind, "single") || !strcmp(kind, "multiple")) {
		if (!choices || json_array_size(choices) < 2 || json_array_size(choices) > 20 ||
		    !texts_ok(choices, 1000))
			question_error(errors, i, "choices", "must be 2 to 20 texts of 1 to 1000 "
							     "characters");
		else if (!correct || !json_array_size(correct))
			question_error(errors, i, "correct",
				       "must list the indexes (from 0) of the right choices");
		else if (accepted || value || tolerance)
			question_error(errors, i, "kind",
				       "a choice question takes choices and correct only");
		else
			*out = json_pack("{s:s, s:O, s:O, s:O}", "kind", kind, "choices", choices,
					 "correct", correct, "prompt", json_object_get(q, "prompt"));
	} else if (!strcmp(kind, "short")) {
		if (!accepted || !json_array_size(accepted) || json_array_size(accepted) > 20 ||
		    !texts_ok(accepted, 500))
			question_error(errors, i, "accepted",
				       "must be 1 to 20 accepted answers of 1 to 500 characters");
		else if (choices || correct || value || tolerance)
			question_error(errors, i, "kind", "a short answer takes accepted only");
		else
			*out = json_pack("{s:s, s:[], s:O, s:O}", "kind", kind, "choices", "correct",
					 accepted, "prompt", json_object_get(q, "prompt"));
	} else {
		if (!json_is_number(value))
			question_error(errors, i, "value", "must be the right number");
		else if (tolerance && (!json_is_number(tolerance) || json_number_value(tolerance) < 0))
			question_error(errors, i, "tolerance", "must be a number of 0 or more");
		else if (choices || correct || accepted)
			question_error(errors, i, "kind",
				       "a numeric question takes value and tolerance only");
		else
			*out = json_pack("{s:s, s:[], s:{s:O, s:o}, s:O}", "kind", kind, "choices",
					 "correct", "value", value, "tolerance",
					 tolerance ? json_incref(tolerance) : json_integer(0),
					 "prompt", json_object_get(q, "prompt"));
	}
	if (*out) {
		json_int_t points = json_integer_value(json_object_get(q, "points"));
		json_t *explanation = json_object_get(q, "explanation");

		json_object_set_new(*out, "points", json_integer(points ? points : 1));
		if (json_object_get(q, "id"))
			json_object_set(*out, "id", json_object_get(q, "id"));
		json_object_set_new(*out, "explanation",
				    explanation ? json_incref(explanation) : json_string(""));
	}
}

void quiz_put(struct http_req *req)
{
	json_t *errors = NULL, *stored = NULL, *settings = NULL, *bad = NULL, *quiz = NULL, *q,
	       *one, *detail = NULL, *refusals = NULL;
	const json_t *questions;
	struct content_facts f;
	long long id;
	size_t i;
	int rc;

	if (!quiz_lesson_or_reply(req, GUARD_CONTENT_UPLOAD, &id, &f) ||
	    !schema_body_check_or_reply(req, &quiz_schema, SCHEMA_CREATE, &errors))
		goto out;
	questions = json_object_get(req->json, "questions");
	if (!schema_errors_name(errors, "questions") &&
	    (json_array_size(questions) < 1 || json_array_size(questions) > QUESTIONS_MAX))
		http_json_error_add(&errors, "questions", "must hold 1 to 200 questions");
	stored = json_array();
	if (!schema_errors_name(errors, "questions"))
		json_array_foreach(questions, i, q) {
			question_convert(q, i, &errors, &one);
			if (one)
				json_array_append_new(stored, one);
		}
	/* The database's own check of each answer key against its choices. */
	if (!errors) {
		if ((rc = quiz_store_keys_invalid(req->db, stored, &bad)) < 0)
			goto fail;
		json_array_foreach(bad, i, q) {
			char field[64];

			snprintf(field, sizeof(field), "questions[%lld].correct",
				 (long long)json_integer_value(q));
			http_json_error_add(&errors, field,
					    "must name existing choices by index (from 0), each "
					    "once, exactly one for a single choice");
		}
	}
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the quiz has invalid fields");
		errors = NULL;
		goto out;
	}
	settings = json_deep_copy(req->json);
	json_object_del(settings, "questions");
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	if ((rc = quiz_store_replace(req->db, id, settings, stored, &refusals)) < 0) {
		if (rc == LMS_EINVAL && refusals) {
			db_rollback(req->db);
			http_reply_problem(req, 400, "validation_failed", refusals,
					   "the quiz has invalid fields");
			refusals = NULL;
			goto out;
		}
		if ((rc == LMS_ECONFLICT && refusals) ||
		    (rc == LMS_EDB && db_sqlstate_is(req->db, "LMSQ6"))) {
			db_rollback(req->db);
			http_reply_problem(req, 409, "quiz_change_alters_grades", refusals,
					   "learners have attempted this quiz: its wording, time "
					   "limit, attempts, feedback and new questions may change, "
					   "but not what grades their attempts");
			refusals = NULL;
			goto out;
		}
		reply_quiz_error(req, rc, "quiz change");
		goto out;
	}
	if ((rc = quiz_store_authoring(req->db, id, &quiz)) < 0) {
		reply_quiz_error(req, rc, "quiz change");
		goto out;
	}
	{
		json_int_t kept = 0;

		json_array_foreach(stored, i, q)
			kept += json_object_get(q, "id") != NULL;
		detail = json_pack("{s:I, s:I, s:O}", "questions",
				   (json_int_t)json_array_size(stored), "kept", kept, "pass_pct",
				   json_object_get(settings, "pass_pct"));
	}
	audit_commit_reply(req, req->db,
			   &(struct audit_event){.action = "quiz.update",
						 .target_type = "lesson",
						 .target_id = id,
						 .institution_id = f.institution_id,
						 .detail = detail},
			   200, quiz, NULL, NULL);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(errors);
	json_decref(stored);
	json_decref(settings);
	json_decref(bad);
	json_decref(quiz);
	json_decref(detail);
	json_decref(refusals);
}

void quiz_get(struct http_req *req)
{
	struct content_facts f;
	json_t *quiz = NULL;
	long long id;
	int rc;

	if (!quiz_lesson_or_reply(req, GUARD_CONTENT_READ, &id, &f))
		return;
	if (authors(req, &f))
		rc = quiz_store_authoring(req->db, id, &quiz);
	else
		rc = quiz_store_learner_view(req->db, id, req->who.user_id, &quiz);
	if (rc < 0)
		http_reply_error(req, rc);
	else
		http_reply_json(req, 200, quiz);
	json_decref(quiz);
}

/* ---- attempts ---- */

void quiz_attempt_start(struct http_req *req)
{
	struct content_facts f;
	json_t *attempt = NULL;
	long long id, attempt_id;
	bool resumed;
	int rc;

	if (req->json && (!json_is_object(req->json) || json_object_size(req->json) != 0)) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "starting an attempt takes no body");
		return;
	}
	if (!quiz_lesson_or_reply(req, GUARD_PROGRESS_WRITE, &id, &f))
		return;
	if ((rc = db_begin(req->db)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	if ((rc = quiz_store_attempt_start(req->db, id, req->who.user_id, &attempt_id,
					   &resumed)) < 0 ||
	    (rc = quiz_store_attempt_json(req->db, attempt_id, false, false, &attempt)) < 0) {
		reply_quiz_error(req, rc, "quiz attempt");
		return;
	}
	if (resumed) {
		/* Nothing changed unless an expired attempt was closed: commit
		 * that too. */
		if ((rc = db_commit(req->db)) < 0)
			reply_quiz_error(req, rc, "quiz attempt");
		else
			http_reply_json(req, 200, attempt);
	} else {
		char location[96];

		snprintf(location, sizeof(location), "/api/v1/quiz-attempts/%lld", attempt_id);
		audit_commit_reply(req, req->db,
				   &(struct audit_event){.action = "quiz_attempt.start",
							 .target_type = "quiz_attempt",
							 .target_id = attempt_id,
							 .institution_id = f.institution_id},
				   201, attempt, NULL, location);
	}
	json_decref(attempt);
}

void quiz_attempts_list(struct http_req *req)
{
	struct content_facts f;
	struct guard_target t;
	json_t *list = NULL;
	long long id;
	bool all;
	int rc;

	if (!quiz_lesson_or_reply(req, GUARD_CONTENT_READ, &id, &f))
		return;
	t = lesson_target(&f, false);
	if (!guard_require_target_or_reply(req, GUARD_ENROLLMENT_GRADE, &t))
		return;
	all = guard_decide(&req->who, GUARD_CATALOG_MANAGE, f.institution_id) == GUARD_ALLOW;
	if ((rc = quiz_store_attempts_list(req->db, id, req->who.user_id, all, &list)) < 0)
		http_reply_error(req, rc);
	else
		http_reply_json(req, 200, list);
	json_decref(list);
}

/* Attempt path parameter 0 and its facts, for a caller who may read it;
 * someone else's attempt is not found. */
static bool attempt_or_reply(struct http_req *req, long long *id, struct quiz_attempt_facts *f)
{
	struct guard_target t;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, id) || !http_req_db_or_reply(req))
		return false;
	if ((rc = quiz_store_attempt_facts(req->db, *id, req->who.user_id, f)) < 0) {
		http_reply_error(req, rc);
		return false;
	}
	t = attempt_target(req, f);
	if (guard_decide_target(&req->who, GUARD_ENROLLMENT_READ, &t) != GUARD_ALLOW) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
		return false;
	}
	return true;
}

/* Attempt id as the caller may see it: its learner per the quiz's
 * feedback setting, the people who run the section all of it. */
static int attempt_view(struct http_req *req, long long id, const struct quiz_attempt_facts *f,
			json_t **out)
{
	bool staff = f->learner_id != req->who.user_id;

	return quiz_store_attempt_json(req->db, id, staff || strcmp(f->feedback, "none") != 0,
				       staff || strcmp(f->feedback, "answers") == 0, out);
}

void quiz_attempt_show(struct http_req *req)
{
	struct quiz_attempt_facts f;
	json_t *attempt = NULL;
	long long id;
	int rc;

	if (!attempt_or_reply(req, &id, &f))
		return;
	if ((rc = attempt_view(req, id, &f, &attempt)) < 0)
		http_reply_error(req, rc);
	else
		http_reply_json(req, 200, attempt);
	json_decref(attempt);
}

/* Whether answers (an object) has the shape of answers: question ids to a
 * number, a text or a list of choice indexes. */
static void answers_check(const json_t *answers, json_t **errors)
{
	const char *key;
	json_t *v, *x;
	size_t k;

	if (json_object_size(answers) > ANSWERS_MAX) {
		http_json_error_add(errors, "answers", "must answer at most 500 questions");
		return;
	}
	json_object_foreach((json_t *)answers, key, v) {
		bool ok = key[0] && strlen(key) <= 18 && strspn(key, "0123456789") == strlen(key);

		if (ok && json_is_string(v))
			ok = json_string_length(v) <= ANSWER_TEXT_MAX_BYTES &&
			     strlen(json_string_value(v)) == json_string_length(v);
		else if (ok && json_is_array(v)) {
			ok = json_array_size(v) <= 20;
			json_array_foreach(v, k, x)
				ok = ok && json_is_integer(x);
		} else if (ok)
			ok = json_is_number(v) || json_is_null(v);
		if (!ok) {
			http_json_error_add(errors, "answers",
					    "must map question ids to a number, a text of at most "
					    "2000 bytes or a list of at most 20 choice indexes");
			return;
		}
	}
}

void quiz_attempt_submit(struct http_req *req)
{
	struct quiz_attempt_facts f;
	struct guard_target t;
	json_t *errors = NULL, *attempt = NULL, *detail = NULL;
	char outcome[16], *answers = NULL;
	long long id;
	int rc;

	if (!attempt_or_reply(req, &id, &f))
		goto out;
	/* Only the learner submits, while enrolled. */
	t = attempt_target(req, &f);
	if (!t.own) {
		http_reply_problem(req, 403, "forbidden", NULL, "only its learner submits an attempt");
		goto out;
	}
	if (!guard_require_target_or_reply(req, GUARD_PROGRESS_WRITE, &t) ||
	    !schema_body_check_or_reply(req, &submit_schema, SCHEMA_CREATE, &errors))
		goto out;
	if (!errors)
		answers_check(json_object_get(req->json, "answers"), &errors);
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the answers have invalid fields");
		errors = NULL;
		goto out;
	}
	if (!(answers = json_dumps(json_object_get(req->json, "answers"), JSON_COMPACT))) {
		rc = LMS_ENOMEM;
		goto fail;
	}
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	if ((rc = quiz_store_attempt_submit(req->db, id, answers, outcome, sizeof(outcome))) < 0 ||
	    (rc = attempt_view(req, id, &f, &attempt)) < 0) {
		reply_quiz_error(req, rc, "quiz submission");
		goto out;
	}
	if (!strcmp(outcome, "again")) {
		/* Submitted before: the same answer, nothing counted twice. */
		db_rollback(req->db);
		http_reply_json(req, 200, attempt);
	} else if (!strcmp(outcome, "expired")) {
		db_rollback(req->db);
		http_reply_problem(req, 409, "time_limit_passed", NULL,
				   "the time of this attempt ran out before it was submitted");
	} else if (!strcmp(outcome, "late")) {
		/* The attempt is closed (unanswered): that is kept, and the
		 * answers sent too late are refused. */
		detail = json_pack("{s:s}", "outcome", "expired");
		if ((rc = audit_record(req, &(struct audit_event){
						    .action = "quiz_attempt.submit",
						    .target_type = "quiz_attempt",
						    .target_id = id,
						    .institution_id = f.institution_id,
						    .detail = detail})) < 0 ||
		    (rc = db_commit(req->db)) < 0) {
			audit_change_failed(req, req->db, rc, "quiz submission");
			goto out;
		}
		http_reply_problem(req, 409, "time_limit_passed", NULL,
				   "the time of this attempt ran out before it was submitted");
	} else {
		/* The grade as it was given, whatever the learner is shown. */
		json_t *graded = NULL;

		if ((rc = quiz_store_attempt_json(req->db, id, true, false, &graded)) < 0) {
			reply_quiz_error(req, rc, "quiz submission");
			goto out;
		}
		detail = json_pack("{s:s, s:O, s:O, s:O}", "outcome", "graded", "score",
				   json_object_get(graded, "score"), "max_score",
				   json_object_get(graded, "max_score"), "passed",
				   json_object_get(graded, "passed"));
		json_decref(graded);
		audit_commit_reply(req, req->db,
				   &(struct audit_event){.action = "quiz_attempt.submit",
							 .target_type = "quiz_attempt",
							 .target_id = id,
							 .institution_id = f.institution_id,
							 .detail = detail},
				   200, attempt, NULL, NULL);
	}
	goto out;
fail:
	http_reply_error(req, rc);
out:
	free(answers);
	json_decref(errors);
	json_decref(attempt);
	json_decref(detail);
}
