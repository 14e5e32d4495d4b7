/* guard.c - who is asking, and may they: every permission rule in one place */
#include "lms/auth/guard.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lms/auth/session_store.h"
#include "lms/auth/token_store.h"
#include "lms/core/config.h"
#include "lms/core/err.h"
#include "lms/http/response.h"
#include "lms/http/routes.h"
#include "lms/http/server.h"
#include "lms/service/audit.h"

#define CHALLENGE "WWW-Authenticate: Bearer realm=\"lms\"\r\n"
#define CHALLENGE_INVALID "WWW-Authenticate: Bearer realm=\"lms\", error=\"invalid_token\"\r\n"

unsigned guard_action_scope(enum guard_action action)
{
	switch (action) {
	case GUARD_REPORTS_READ: return SCOPE_REPORTS_READ;
	case GUARD_AUDIT_READ: return SCOPE_AUDIT_READ;
	case GUARD_METRICS_READ: return SCOPE_METRICS_READ;
	default: return 0;
	}
}

enum guard_action guard_scope_action(enum scope scope)
{
	switch (scope) {
	case SCOPE_REPORTS_READ: return GUARD_REPORTS_READ;
	case SCOPE_AUDIT_READ: return GUARD_AUDIT_READ;
	case SCOPE_METRICS_READ: return GUARD_METRICS_READ;
	}
	return GUARD_ADMINS_MANAGE;
}

enum guard_decision guard_decide(const struct principal *p, enum guard_action action,
				 long long institution_id)
{
	struct guard_target t = {.institution_id = institution_id};

	return guard_decide_target(p, action, &t);
}

enum guard_decision guard_decide_target(const struct principal *p, enum guard_action action,
					const struct guard_target *t)
{
	long long institution_id = t->institution_id;
	bool platform, admin;

	if (action == GUARD_PUBLIC)
		return GUARD_ALLOW;
	if (p->kind == PRINCIPAL_NONE)
		return GUARD_UNAUTHENTICATED;

	/* A token does what its scopes name, for its own institution, and
	 * nothing else: no session actions, no other institution's data. */
	if (p->kind == PRINCIPAL_TOKEN) {
		unsigned need = guard_action_scope(action);

		if (!need || !(p->scopes & need))
			return GUARD_FORBIDDEN;
		if (action == GUARD_METRICS_READ)
			return GUARD_ALLOW;
		return institution_id == GUARD_ANY_INSTITUTION ||
				       institution_id == p->token_institution_id
			       ? GUARD_ALLOW
			       : GUARD_FORBIDDEN;
	}

	platform = principal_has_role(p, ROLE_PLATFORM_ADMIN, 0);
	admin = institution_id != 0 &&
		principal_has_role(p, ROLE_INSTITUTION_ADMIN,
				   institution_id == GUARD_ANY_INSTITUTION ? 0 : institution_id);
	switch (action) {
	case GUARD_SIGNED_IN:
		return GUARD_ALLOW;
	case GUARD_METRICS_READ:
	case GUARD_ADMINS_MANAGE:
	case GUARD_INSTITUTIONS_MANAGE:
	case GUARD_PLATFORM_MANAGE:
		return platform ? GUARD_ALLOW : GUARD_FORBIDDEN;
	case GUARD_TOKENS_MANAGE:
	case GUARD_ROLES_MANAGE:
	case GUARD_AUDIT_READ:
	case GUARD_REPORTS_READ:
	case GUARD_CATALOG_MANAGE:
	case GUARD_KPI_RECORD:
	case GUARD_ENROLLMENT_MANAGE:
	case GUARD_FACULTY_MANAGE:
	case GUARD_AFFILIATION_MANAGE:
	case GUARD_USERS_READ:
	case GUARD_INSTITUTION_SCHEDULE_READ:
		/* An institution's admins act on its data only; data of no
		 * institution (0) is the operating committee's. */
		return platform || admin ? GUARD_ALLOW : GUARD_FORBIDDEN;
	case GUARD_CONTENT_READ:
	case GUARD_CONTENT_UPLOAD:
	case GUARD_CONTENT_AUTHOR:
	case GUARD_PROGRESS_WRITE:
		/* Before the target is known, anyone signed in may ask. */
		if (institution_id == GUARD_ANY_INSTITUTION)
			return GUARD_ALLOW;
		/* An unpublished course is closed to its learners too. */
		if (action == GUARD_PROGRESS_WRITE)
			return t->enrolled && !t->hidden ? GUARD_ALLOW : GUARD_FORBIDDEN;
		if (platform || admin || t->teaches)
			return GUARD_ALLOW;
		return action == GUARD_CONTENT_READ && t->enrolled && !t->hidden
			       ? GUARD_ALLOW
			       : GUARD_FORBIDDEN;
	case GUARD_ENROLLMENT_READ:
	case GUARD_ENROLLMENT_CANCEL:
	case GUARD_ENROLLMENT_GRADE:
	case GUARD_ROSTER_READ:
	case GUARD_SESSION_MANAGE:
	case GUARD_ATTENDANCE_WRITE:
	case GUARD_SCHEDULE_READ:
	case GUARD_PROFILE_EDIT:
	case GUARD_CERTIFICATE_READ:
		if (institution_id == GUARD_ANY_INSTITUTION)
			return GUARD_ALLOW;
		if (action == GUARD_CERTIFICATE_READ)
			return platform || admin || t->own ? GUARD_ALLOW : GUARD_FORBIDDEN;
		if (action == GUARD_PROFILE_EDIT)
			return platform || admin || t->own ? GUARD_ALLOW : GUARD_FORBIDDEN;
		/* Partners plan around a shared instructor's schedule. */
		if (action == GUARD_SCHEDULE_READ)
			return platform || admin || t->own || t->partner ? GUARD_ALLOW
									 : GUARD_FORBIDDEN;
		/* A learner's own enrolment is theirs alone to cancel; the
		 * people who run the section see and grade it. */
		if (action == GUARD_ENROLLMENT_CANCEL)
			return t->own ? GUARD_ALLOW : GUARD_FORBIDDEN;
		if (platform || admin || t->teaches)
			return GUARD_ALLOW;
		return action == GUARD_ENROLLMENT_READ && t->own ? GUARD_ALLOW : GUARD_FORBIDDEN;
	case GUARD_PUBLIC:
		break;
	}
	return GUARD_FORBIDDEN;
}

long long guard_default_institution(const struct principal *p)
{
	long long found = 0;

	if (p->kind == PRINCIPAL_TOKEN)
		return p->token_institution_id;
	for (int i = 0; i < p->nroles; i++) {
		if (p->roles[i].role != ROLE_INSTITUTION_ADMIN)
			continue;
		if (found && found != p->roles[i].institution_id)
			return 0;
		found = p->roles[i].institution_id;
	}
	return found;
}

long long guard_institution_or_reply(struct http_req *req, long long named)
{
	long long inst = named ? named : guard_default_institution(&req->who);

	if (inst > 0)
		return inst;
	http_reply_problem(req, 400, "validation_failed",
			   json_pack("[{s:s, s:s}]", "field", "institution_id", "message",
				     "is required: you administer several institutions, or none"),
			   "say which institution");
	return 0;
}

static bool is_change(const struct http_req *req)
{
	return strcmp(req->method, "GET") && strcmp(req->method, "HEAD") &&
	       strcmp(req->method, "OPTIONS");
}

/* Looks at the credentials once per request: a Bearer token first (scripts),
 * else the session cookie (browsers). A bad token is refused here; a stale
 * cookie leaves the caller a visitor. */
static bool identify_or_reply(struct http_req *req)
{
	const char *auth = http_req_header(req, "Authorization");
	char token[SECRET_B64_LEN + 16];
	struct db_conn *db;
	int rc;

	if (req->who.identified)
		return true;
	req->who.identified = true;

	if (auth) {
		const char *t = auth + 7;

		if (strncasecmp(auth, "Bearer ", 7) != 0) {
			http_reply_problem_headers(req, 401, "unauthenticated", NULL, CHALLENGE,
						   "only Bearer API tokens are accepted");
			return false;
		}
		while (*t == ' ')
			t++;
		if (strlen(t) != strlen(TOKEN_PREFIX) + SECRET_B64_LEN ||
		    strncmp(t, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0) {
			rc = LMS_ENOTFOUND;
		} else {
			if (!(db = http_req_db_or_reply(req)))
				return false;
			rc = token_store_lookup(db, t, &req->who);
		}
		if (rc == LMS_ENOTFOUND) {
			memset(&req->who, 0, sizeof(req->who));
			req->who.identified = true;
			http_reply_problem_headers(req, 401, "unauthenticated", NULL,
						   CHALLENGE_INVALID,
						   "the API token is not valid: unknown, expired or "
						   "revoked");
			return false;
		}
		if (rc < 0) {
			http_reply_problem(req, 503, "unavailable", NULL, "%s", lms_strerror(rc));
			return false;
		}
		/* Every use of an institution's token leaves a trail, or the
		 * request does not go ahead. */
		if (audit_record(req, &(struct audit_event){
					      .action = "token.use",
					      .target_type = "api_token",
					      .target_id = req->who.token_id,
					      .institution_id = req->who.token_institution_id}) < 0) {
			http_reply_problem(req, 503, "unavailable", NULL,
					   "the audit log cannot be written");
			return false;
		}
		return true;
	}

	if (http_req_cookie(req, SESSION_COOKIE, token, sizeof(token)) != SECRET_B64_LEN)
		return true;
	if (!(db = http_req_db_or_reply(req)))
		return false;
	rc = session_store_lookup(db, token, req->app->cfg->session_idle_timeout_s, &req->who);
	if (rc == LMS_ENOTFOUND) {
		memset(&req->who, 0, sizeof(req->who));
		req->who.identified = true;
		req->session_ended = true;
		return true;
	}
	if (rc < 0) {
		http_reply_problem(req, 503, "unavailable", NULL, "%s", lms_strerror(rc));
		return false;
	}
	return true;
}

static bool refuse(struct http_req *req, enum guard_decision d, bool as_404)
{
	if (d == GUARD_UNAUTHENTICATED) {
		if (req->session_ended) {
			char headers[256];

			snprintf(headers, sizeof(headers), "%s%s", CHALLENGE,
				 SESSION_COOKIE_CLEAR);
			http_reply_problem_headers(req, 401, "unauthenticated", NULL, headers,
						   "the session has ended: sign in again");
		} else {
			http_reply_problem_headers(req, 401, "unauthenticated", NULL, CHALLENGE,
						   "sign in first");
		}
	} else if (as_404) {
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
	} else if (req->who.kind == PRINCIPAL_TOKEN) {
		http_reply_problem(req, 403, "forbidden", NULL,
				   "this API token's scopes or institution do not allow this");
	} else {
		http_reply_problem(req, 403, "forbidden", NULL,
				   "your roles do not allow this");
	}
	return false;
}

bool guard_route_or_reply(struct http_req *req)
{
	enum guard_action action = (enum guard_action)req->route->action;
	enum guard_decision d;

	if (action == GUARD_PUBLIC)
		return true;
	if (!identify_or_reply(req))
		return false;
	/* A browser sends the cookie with any request a page makes, even one
	 * another site's page makes: a change must prove it came from ours. */
	if (req->who.kind == PRINCIPAL_USER && is_change(req) &&
	    !secret_equal(http_req_header(req, "X-CSRF-Token"), req->who.csrf_token)) {
		http_reply_problem(req, 403, "csrf_failed", NULL,
				   "the X-CSRF-Token header is missing or does not match the "
				   "session");
		return false;
	}
	d = guard_decide(&req->who, action, GUARD_ANY_INSTITUTION);
	return d == GUARD_ALLOW || refuse(req, d, false);
}

static bool require(struct http_req *req, enum guard_action action, long long institution_id,
		    bool as_404)
{
	enum guard_decision d;

	if (!identify_or_reply(req))
		return false;
	d = guard_decide(&req->who, action, institution_id);
	return d == GUARD_ALLOW || refuse(req, d, as_404 && d == GUARD_FORBIDDEN);
}

bool guard_require_or_reply(struct http_req *req, enum guard_action action,
			    long long institution_id)
{
	return require(req, action, institution_id, false);
}

bool guard_require_target_or_reply(struct http_req *req, enum guard_action action,
				   const struct guard_target *t)
{
	enum guard_decision d;

	if (!identify_or_reply(req))
		return false;
	d = guard_decide_target(&req->who, action, t);
	/* Whoever may not read a hidden target may not know it exists. */
	return d == GUARD_ALLOW ||
	       refuse(req, d,
		      t->hidden && d == GUARD_FORBIDDEN &&
			      guard_decide_target(&req->who, GUARD_CONTENT_READ, t) != GUARD_ALLOW);
}

bool guard_require_target_or_404(struct http_req *req, enum guard_action action,
				 const struct guard_target *t)
{
	enum guard_decision d;

	if (!identify_or_reply(req))
		return false;
	d = guard_decide_target(&req->who, action, t);
	return d == GUARD_ALLOW || refuse(req, d, d == GUARD_FORBIDDEN);
}

bool guard_require_or_404(struct http_req *req, enum guard_action action,
			  long long institution_id)
{
	return require(req, action, institution_id, true);
}

bool guard_allows(struct http_req *req, enum guard_action action, long long institution_id,
		  bool *replied)
{
	*replied = false;
	if (!identify_or_reply(req)) {
		*replied = true;
		return false;
	}
	return guard_decide(&req->who, action, institution_id) == GUARD_ALLOW;
}

bool guard_visible_or_404(struct http_req *req, enum guard_action action,
			  long long institution_id)
{
	bool replied;

	if (guard_allows(req, action, institution_id, &replied))
		return true;
	if (!replied)
		http_reply_problem(req, 404, "not_found", NULL, "no resource at this path");
	return false;
}

bool guard_scope_or_reply(struct http_req *req, enum guard_action action,
			  long long *institution_id)
{
	long long named, inst;

	if (!http_req_query_id_or_reply(req, "institution_id", &named))
		return false;
	/* Without a name: the whole partnership for the operating committee,
	 * else the caller's own institution. The guard decides; the query is
	 * bound to its answer. */
	if (!named && principal_has_role(&req->who, ROLE_PLATFORM_ADMIN, 0))
		inst = 0;
	else if (!(inst = guard_institution_or_reply(req, named)))
		return false;
	if (!guard_require_or_reply(req, action, inst) || !http_req_db_or_reply(req))
		return false;
	*institution_id = inst;
	return true;
}
