/* selection_store.h - intakes, stages, applications and offers in PostgreSQL */
#ifndef LMS_SELECTION_SELECTION_STORE_H
#define LMS_SELECTION_SELECTION_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct db_conn;

/* Who owns an intake, an application or a section, for the guard. */
struct selection_owner {
	long long id;             /* the intake's or the application's */
	long long intake_id;
	long long institution_id;
	long long user_id;        /* an application's applicant; 0 for an intake */
	bool published;           /* the intake's course is published */
	bool blind;               /* the intake's reviewers do not see names */
	bool reviewer;            /* the caller acts as a reviewer (set by the caller) */
};

/* The section id's institution into o (its id in o->id). Returns 0 or
 * LMS_ENOTFOUND, or a db error. */
int selection_store_section_owner(struct db_conn *db, long long section_id,
				  struct selection_owner *o);

/* Intake id's owner. Returns 0, LMS_ENOTFOUND or a db error. */
int selection_store_intake_owner(struct db_conn *db, long long id, struct selection_owner *o);

/* Application id's owner; with lock, the row is locked FOR UPDATE. */
int selection_store_application_owner(struct db_conn *db, long long id, bool lock,
				      struct selection_owner *o);

/*
 * Creates the intake of body (section_id, titles, window, offer_hours,
 * stages, already checked) for institution_id by actor. *id is its id.
 * Returns 0, LMS_ECONFLICT when the section has an intake, or a db error
 * (a stage's course that does not exist: 23503).
 */
int selection_store_intake_create(struct db_conn *db, const json_t *body, long long institution_id,
				  long long actor, long long *id);

/* The intake as JSON (new): its section, seats and stages. */
int selection_store_intake_get(struct db_conn *db, long long id, json_t **out);

/* The intakes of published courses, newest first, as a JSON array (new);
 * institution_id 0: all. */
int selection_store_intake_list(struct db_conn *db, long long institution_id, json_t **out);

/* Whether the stage belongs to the intake. */
int selection_store_stage_of(struct db_conn *db, long long intake_id, long long stage_id);

/* intake_apply(): the code and, for "ok", the application's id. */
struct selection_apply_result {
	char code[32];
	long long application_id;
	json_t *detail;           /* new, or NULL */
};
int selection_store_apply(struct db_conn *db, long long user_id, long long intake_id,
			  const char *statement, struct selection_apply_result *r);

/* An application as JSON (new): status, stage, results and history. With
 * names false, the applicant's name and e-mail are left out. */
int selection_store_application_get(struct db_conn *db, long long id, json_t **out);

/* The caller's applications as a JSON array (new). */
int selection_store_applications_mine(struct db_conn *db, long long user_id, json_t **out);

/* An intake's applications (status NULL: all) as a JSON array (new). */
int selection_store_applications_of(struct db_conn *db, long long intake_id, const char *status,
				    json_t **out);

/* application_decide(): code, then the application's status and stage. */
struct selection_decision {
	char code[32];
	char status[16];
	int stage;
};
int selection_store_decide(struct db_conn *db, long long application_id, long long stage_id,
			   const char *score, const char *decision, long long actor,
			   const char *reason, struct selection_decision *d);

/* intake_stage_close(): code and how many passed and failed. */
int selection_store_stage_close(struct db_conn *db, long long stage_id, long long actor,
				char *code, size_t len, long long *passed, long long *failed);

/* Moves application id to status (rejected, withdrawn, declined) with
 * reason by actor; the database refuses an illegal one (LMS01). A
 * rejection tells the applicant; a declined offer's seat is offered on. */
int selection_store_transition(struct db_conn *db, long long id, const char *status,
			       long long actor, const char *reason);

/* intake_offer(): offers the free seats; *made is how many. */
int selection_store_offer(struct db_conn *db, long long intake_id, long long actor,
			  long long *made);

/*
 * The applicant's acceptance of offer id: "ok" (enrolled), or
 * "offer_expired" (the deadline passed: the offer is expired here and its
 * seat offered on) into code. Returns 0 or a db error.
 */
int selection_store_accept(struct db_conn *db, long long id, long long actor, char *code,
			   size_t len);

/* intake_decision_row(): one row of a decision file. */
struct selection_row_result {
	char code[32];
	long long application_id;  /* 0: none found */
	char from_status[16], to_status[16];
	int from_stage, to_stage;  /* 0: none */
};
int selection_store_decision_row(struct db_conn *db, long long intake_id,
				 long long application_id, const char *email, int position,
				 const char *score, const char *decision, long long actor,
				 const char *reason, struct selection_row_result *r);

/* 0 when user reviews the intake, LMS_ENOTFOUND when not, or a db error. */
int selection_store_reviewer_is(struct db_conn *db, long long intake_id, long long user_id);

/* The intake's reviewers as a JSON array (new). */
int selection_store_reviewers(struct db_conn *db, long long intake_id, json_t **out);

/* Adds user as a reviewer of the intake; LMS_ENOTFOUND when the user is no
 * instructor or admin of its institution. Adding twice is no error. */
int selection_store_reviewer_add(struct db_conn *db, long long intake_id, long long user_id,
				 long long actor);

/* Removes user from the intake's reviewers; LMS_ENOTFOUND when not one. */
int selection_store_reviewer_remove(struct db_conn *db, long long intake_id, long long user_id);

/* Stores len bytes of data as a document of the application (in the
 * caller's transaction, the application locked); LMS_ETOOBIG when it holds
 * ten already. *id is the document's id. */
int selection_store_document_add(struct db_conn *db, long long application_id, const void *data,
				 size_t len, const char *content_type, const char *filename,
				 long long *id);

/* Document id of the application: its type into content_type and its bytes
 * into *data (new: free() it), *len bytes. LMS_ENOTFOUND when the
 * application has no such document. */
int selection_store_document_get(struct db_conn *db, long long application_id, long long id,
				 char *content_type, size_t typelen, char **data, size_t *len);

/* offers_expire(): expires up to limit due offers; *expired is how many. */
int selection_store_expire(struct db_conn *db, int limit, long long *expired);

/* An interview slot: times as RFC 3339 text, facility 0 for none. */
struct selection_slot {
	long long intake_id, stage_id, interviewer_id, facility_id;
	const char *starts_at, *ends_at, *online_url;
};

/* interview_slot_create(): code into code, the new session into *id.
 * LMS_ECONFLICT when the exclusion constraints refuse it (db->constraint
 * names which; the transaction is aborted). */
int selection_store_interview_create(struct db_conn *db, const struct selection_slot *slot,
				     char *code, size_t len, long long *id);

/* The scheduled session holding slot's interviewer (or room, by_facility)
 * at its time, as JSON (new); LMS_ENOTFOUND when none. */
int selection_store_interview_clash(struct db_conn *db, const struct selection_slot *slot,
				    bool by_facility, json_t **out);

/* interview_assign(): its code into code. */
int selection_store_interview_assign(struct db_conn *db, long long intake_id,
				     long long session_id, long long application_id,
				     long long actor, char *code, size_t len);

/* The intake's interview slots with their applicants, a JSON array (new). */
int selection_store_interviews(struct db_conn *db, long long intake_id, json_t **out);

#endif
