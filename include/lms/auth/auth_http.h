/* auth_http.h - handlers: register, sign in, sign out, the current user */
#ifndef LMS_AUTH_AUTH_HTTP_H
#define LMS_AUTH_AUTH_HTTP_H

#include <stdbool.h>

#include "lms/auth/password.h"

struct gate;
struct http_req;

/*
 * What sign-in shares across requests, made once at start (the caller owns
 * it and its members); handlers find it at req->app->state.
 */
struct auth_state {
	struct password_list *common_passwords; /* NULL: no list */
	struct gate *hash_gate;  /* caps password hashes running at once */
	/* A hash at the configured cost of a password nobody has: signing in
	 * as an unknown email costs as much as a wrong password. */
	char dummy_hash[PASSWORD_HASH_MAX];
};

/* POST /api/v1/auth/register: {email, password, display_name, ladder_stage,
 * affiliation_institution_id?, locale?} -> 201 user; 429 (Retry-After)
 * when the client's address has used register_per_address for the window,
 * decided before the password is hashed. */
void auth_register(struct http_req *req);

/* POST /api/v1/auth/login: {email, password} -> 200 {user, csrf_token} and
 * the session cookie; 401 alike for an unknown email and a wrong password;
 * 429 (Retry-After) when the account is locked. A failure from an address
 * that failed often is answered late, or 429 at once when that address has
 * too many attempts in flight; a correct password never is. */
void auth_login(struct http_req *req);

/* POST /api/v1/auth/logout: ends the session -> 204, cookie cleared. */
void auth_logout(struct http_req *req);

/* GET /api/v1/me: the user with roles and the session's csrf_token. */
void auth_me(struct http_req *req);

/* POST /api/v1/me/password: {current_password, new_password} -> 204; the
 * user's other sessions end. Wrong current passwords count as failed
 * sign-ins (a stolen session cannot guess its way to the password). */
void auth_password_change(struct http_req *req);

/*
 * Checks the signed-in user's password, given in the body's member field,
 * the way a sign-in is checked (throttled, counted as a failed sign-in
 * when wrong). Replies 400 naming field (or 429, 503) and returns false
 * unless it is correct. Leaves the request's connection outside any
 * transaction.
 */
bool auth_password_confirm_or_reply(struct http_req *req, const char *field);

/* The password hash gate's wait before 503 (ms). */
#define AUTH_HASH_WAIT_MS 2000

/* Takes a turn at the password hash gate, or replies 503 (Retry-After)
 * and returns false; leave with gate_leave() on the
 * struct auth_state's hash_gate. */
bool auth_hash_turn_or_reply(struct http_req *req);

#endif
