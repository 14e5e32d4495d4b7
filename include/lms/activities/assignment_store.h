/* assignment_store.h - assignments in the database: settings, submissions,
 * grades */
#ifndef LMS_ACTIVITIES_ASSIGNMENT_STORE_H
#define LMS_ACTIVITIES_ASSIGNMENT_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "lms/db/blobstore.h"

struct db_conn;

/* A submission and what the permission rules need to know of it for one
 * caller. */
struct submission_facts {
	long long lesson_id;
	long long course_id;
	long long institution_id;
	long long learner_id;
	bool published;
	bool teaches_learner;  /* the caller instructs a section the learner is in */
	long long size;        /* of its file; 0 without one */
	char sha256[BLOB_HASH_LEN + 1];
	char content_type[64];
	char filename[1024];
};

/* An assignment's limits for a submission. */
struct assignment_rules {
	char accepts[8];       /* file, text, both */
	long long max_file_bytes;
};

int assignment_store_submission_facts(struct db_conn *db, long long id, long long user_id,
				      struct submission_facts *f);

/* The rules of assignment lesson_id; LMS_ENOTFOUND when it has none. */
int assignment_store_rules(struct db_conn *db, long long lesson_id, struct assignment_rules *r);

/* Sets lesson_id's assignment from body (the fields of the assignments
 * table), inside the caller's transaction; its JSON into *out (new). */
int assignment_store_put(struct db_conn *db, long long lesson_id, const json_t *body,
			 json_t **out);

/* Lesson id's assignment with user_id's submission (null when none). */
int assignment_store_view(struct db_conn *db, long long id, long long user_id, json_t **out);

/* Inside the caller's transaction: records user_id's submission (body and
 * or file, NULL to keep what was sent before). SQLSTATE LMSA1 past due,
 * LMSA2 graded, LMSA3 no assignment set. Its id into *id. */
int assignment_store_submit(struct db_conn *db, long long lesson_id, long long user_id,
			    const char *body, const char *filename, const char *content_type,
			    long long size, const char *sha256, long long *id);

/* Submission id as JSON into *out (new). */
int assignment_store_submission_json(struct db_conn *db, long long id, json_t **out);

/* The submissions at lesson_id of learners in user_id's sections (all when
 * all), with status when not NULL, oldest first, into *out (new). */
int assignment_store_queue(struct db_conn *db, long long lesson_id, long long user_id, bool all,
			   const char *status, json_t **out);

/* Inside the caller's transaction: grades (score >= 0) or returns (score <
 * 0) submission id with feedback as grader; then tells its learner through
 * the outbox. SQLSTATE LMSA4 when score is above the assignment's maximum. */
int assignment_store_grade(struct db_conn *db, long long id, long long grader, long long score,
			   const char *feedback);

#endif
