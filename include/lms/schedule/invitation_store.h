/* invitation_store.h - invitations to teach for an institution, and moves
 * of an instructor's home, in PostgreSQL */
#ifndef LMS_SCHEDULE_INVITATION_STORE_H
#define LMS_SCHEDULE_INVITATION_STORE_H

#include <stdbool.h>

#include <jansson.h>

struct db_conn;

/* Whether user_id exists (live) and has the verified affiliation
 * institution_id (*affiliated), and already has an instructor profile
 * (*instructor). LMS_ENOTFOUND: no such user. */
int invitation_store_person(struct db_conn *db, long long user_id, long long institution_id,
			    bool *affiliated, bool *instructor);

/* Invites user_id to teach for institution_id with the profile (expertise,
 * bios) of body, by inviter; tells the person through the outbox. *out
 * (new) the invitation. LMS_ECONFLICT: one is pending already. */
int invitation_store_create(struct db_conn *db, long long user_id, long long institution_id,
			    long long inviter, const json_t *body, json_t **out);

/* A page of user_id's invitations, newest first (new). */
int invitation_store_mine(struct db_conn *db, long long user_id, json_t **out);

/* Answers user_id's pending invitation id: *institution_id and *profile
 * (new, the body to make the profile from) when accepted. LMS_ENOTFOUND:
 * no such invitation of this user; LMS_ECONFLICT: not pending. */
int invitation_store_answer(struct db_conn *db, long long id, long long user_id, bool accept,
			    long long *institution_id, json_t **profile);

/* One invitation (new). */
int invitation_store_get(struct db_conn *db, long long id, json_t **out);

/* Moves instructor id's home to institution_id: the instructor role moves
 * with it, a share with the new home ends, the person is told. *from gets
 * the old home. LMS_ENOTFOUND: no such instructor. */
int invitation_store_home_move(struct db_conn *db, long long id, long long institution_id,
			       long long actor, long long *from);

#endif
