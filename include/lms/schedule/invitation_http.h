/* invitation_http.h - handlers: invitations to teach for an institution,
 * and moving an instructor's home (docs/accounts.md) */
#ifndef LMS_SCHEDULE_INVITATION_HTTP_H
#define LMS_SCHEDULE_INVITATION_HTTP_H

#include <stdbool.h>

#include <jansson.h>

struct db_conn;
struct http_req;

/*
 * For POST /api/v1/instructors: when user_id has no verified affiliation
 * with institution_id, invites them instead of making them an instructor
 * (202 with the invitation) and returns true; replies 404 (no such user)
 * or 409 (an instructor already, or invited already) and returns true too.
 * Returns false, having replied nothing, when the caller may go on and
 * make the profile at once.
 */
bool invitation_instead_or_reply(struct http_req *req, struct db_conn *db, long long user_id,
				 long long institution_id);

/* GET /api/v1/me/instructor-invitations: the caller's invitations. */
void invitation_mine(struct http_req *req);

/* PATCH /api/v1/instructor-invitations/{id} {status: accepted|declined}:
 * the invitee only -> 200 invitation (accepted: the profile and the role
 * exist from now); 404 for anyone else; 409 when no longer pending or the
 * person became another institution's instructor meanwhile. */
void invitation_answer(struct http_req *req);

/* PUT /api/v1/instructors/{id}/home {institution_id}: platform admins move
 * an instructor's home institution -> 200 profile. */
void invitation_home_move(struct http_req *req);

#endif
