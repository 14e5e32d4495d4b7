/* principal.h - who is asking, as a value: nobody, a signed-in user, or an API token */
#ifndef LMS_CORE_PRINCIPAL_H
#define LMS_CORE_PRINCIPAL_H

#include <stdbool.h>

/*
 * The value type only, with no code: every layer that carries the caller
 * (the web kit's struct http_req, the audit trail, the handlers) needs its
 * fields, while identifying the caller and the rules on roles and scopes
 * are auth's (lms/auth/principal.h, lms/auth/guard.h). It lives in core so
 * that the web kit can hold it without pointing up at auth.
 */

enum principal_kind {
	PRINCIPAL_NONE,   /* a visitor, or credentials that named nobody */
	PRINCIPAL_USER,   /* a browser session */
	PRINCIPAL_TOKEN,  /* an institution's API token */
};

enum role {
	ROLE_LEARNER,
	ROLE_INSTRUCTOR,
	ROLE_INSTITUTION_ADMIN,
	ROLE_PLATFORM_ADMIN,
};

/* What an API token may do; the bits of principal.scopes. */
enum scope {
	SCOPE_REPORTS_READ = 1 << 0,  /* "reports:read" */
	SCOPE_AUDIT_READ = 1 << 1,    /* "audit:read" */
	SCOPE_METRICS_READ = 1 << 2,  /* "metrics:read" */
};

#define PRINCIPAL_MAX_ROLES 32
/* Characters of a session's CSRF token: a 256-bit secret in base64url
 * (SECRET_B64_LEN, checked where both are seen). */
#define PRINCIPAL_CSRF_LEN 43

struct principal_role {
	enum role role;
	long long institution_id;  /* 0 for learner and platform_admin */
};

struct principal {
	enum principal_kind kind;
	bool identified;                 /* credentials were looked at */
	long long user_id;               /* USER */
	long long session_id;            /* USER */
	char csrf_token[PRINCIPAL_CSRF_LEN + 1]; /* USER: the X-CSRF-Token it must send */
	long long token_id;              /* TOKEN */
	long long token_institution_id;  /* TOKEN */
	unsigned scopes;                 /* TOKEN: enum scope bits */
	int nroles;                      /* USER */
	struct principal_role roles[PRINCIPAL_MAX_ROLES];
};

#endif
