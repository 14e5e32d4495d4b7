/* quiz_store.h - quizzes in the database: definitions, attempts, grading */
#ifndef LMS_ACTIVITIES_QUIZ_STORE_H
#define LMS_ACTIVITIES_QUIZ_STORE_H

#include <jansson.h>
#include <stdbool.h>

struct db_conn;

/* An attempt and what the permission rules need to know of it for one
 * caller. */
struct quiz_attempt_facts {
	long long lesson_id;
	long long course_id;
	long long institution_id;
	long long learner_id;     /* whose attempt it is */
	bool published;
	bool enrolled_active;     /* the caller is enrolled (still running) in the course */
	bool teaches_learner;     /* the caller instructs a section the learner is in */
	char feedback[16];        /* the quiz's setting: none, score, answers */
};

/* The kind of lesson id ("text", "quiz", ...) into kind (16 bytes).
 * Returns 0, LMS_ENOTFOUND or a db_exec error. */
int quiz_store_lesson_kind(struct db_conn *db, long long id, char *kind, size_t len);

/* The facts of attempt id for user_id. Returns 0, LMS_ENOTFOUND or a
 * db_exec error. */
int quiz_store_attempt_facts(struct db_conn *db, long long id, long long user_id,
			     struct quiz_attempt_facts *f);

/*
 * Inside the caller's transaction: sets lesson_id's quiz to settings (an
 * object of the quizzes columns) and questions (an array of stored
 * questions: kind, prompt, points, choices, correct, explanation, and id
 * when it keeps an existing question; those left out are deleted).
 * LMS_EINVAL (with *refusals, new: [{field, message}]) when an id is not a
 * question of this quiz; LMS_ECONFLICT (the same) when the change would
 * alter the grading of attempts made already (a key, points, a deleted
 * question, the pass mark).
 */
int quiz_store_replace(struct db_conn *db, long long lesson_id, const json_t *settings,
		       const json_t *questions, json_t **refusals);

/* The indexes (0-based) of the stored questions whose answer key does not
 * fit their kind, as a JSON array (new) into *bad. */
int quiz_store_keys_invalid(struct db_conn *db, const json_t *questions, json_t **bad);

/* Lesson id's quiz for those who author it, answer keys included, into
 * *out (new). LMS_ENOTFOUND when it has none. */
int quiz_store_authoring(struct db_conn *db, long long id, json_t **out);

/* Lesson id's quiz as learner user_id sees it: settings, number of
 * questions, total points, their attempts (scores only when the quiz's
 * feedback shows them) and how many are left. */
int quiz_store_learner_view(struct db_conn *db, long long id, long long user_id, json_t **out);

/* Attempt id as JSON (quiz_attempt_json) into *out (new). */
int quiz_store_attempt_json(struct db_conn *db, long long id, bool show_score, bool reveal,
			    json_t **out);

/* Inside the caller's transaction: starts user_id's attempt at quiz
 * lesson_id or finds the open one (*resumed). SQLSTATE LMSQ1 when no
 * attempt is left, LMSQ4 when the quiz has no questions. */
int quiz_store_attempt_start(struct db_conn *db, long long lesson_id, long long user_id,
			     long long *attempt_id, bool *resumed);

/* Inside the caller's transaction: submits attempt id with answers (an
 * object, JSON text); what happened into outcome (16 bytes): graded,
 * again, late or expired. */
int quiz_store_attempt_submit(struct db_conn *db, long long id, const char *answers,
			      char *outcome, size_t len);

/* The attempts at quiz lesson_id of learners in sections user_id teaches
 * (every learner when all), newest first, into *out (new). */
int quiz_store_attempts_list(struct db_conn *db, long long lesson_id, long long user_id, bool all,
			     json_t **out);

#endif
