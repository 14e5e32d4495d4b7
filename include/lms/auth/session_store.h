/* session_store.h - browser sessions in PostgreSQL, stored as token digests */
#ifndef LMS_AUTH_SESSION_STORE_H
#define LMS_AUTH_SESSION_STORE_H

#include "lms/auth/principal.h"
#include "lms/auth/secret.h"

struct db_conn;

/* __Host-: the browser keeps it only when Secure, Path=/ and without
 * Domain, so no sibling host can set or read it. */
#define SESSION_COOKIE "__Host-lms_session"
#define SESSION_COOKIE_ATTRS "Path=/; Secure; HttpOnly; SameSite=Lax"
#define SESSION_COOKIE_CLEAR \
	"Set-Cookie: " SESSION_COOKIE "=; Max-Age=0; " SESSION_COOKIE_ATTRS "\r\n"

/*
 * Starts a session for user_id that lasts at most lifetime_s: writes its
 * new random token (the cookie value) into token; only its SHA-256 is
 * stored. Also drops the user's expired sessions. Returns 0 or an lms_err.
 */
int session_store_create(struct db_conn *db, long long user_id, int lifetime_s,
			 const char *remote_addr, const char *user_agent,
			 char token[SECRET_B64_LEN + 1]);

/*
 * Finds the live session of token (not past its lifetime, used within
 * idle_s) and marks it used. Fills p as a PRINCIPAL_USER with its roles and
 * CSRF token. Returns 0, LMS_ENOTFOUND, or another lms_err.
 */
int session_store_lookup(struct db_conn *db, const char *token, int idle_s, struct principal *p);

/* The CSRF token that goes with a session token (an HMAC of it, so it is
 * never stored and cannot be derived from the database). */
void session_csrf_token(const char *token, char out[SECRET_B64_LEN + 1]);

/* Ends a session. Returns 0 or an lms_err. */
int session_store_delete(struct db_conn *db, long long session_id);

/* Parses "role:institution_id,..." into p->roles. */
void session_roles_parse(struct principal *p, const char *text);

#endif
