/* principal.h - who is asking: nobody, a signed-in user, or an API token */
#ifndef LMS_AUTH_PRINCIPAL_H
#define LMS_AUTH_PRINCIPAL_H

#include <stdbool.h>

#include "lms/auth/secret.h"

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

struct principal_role {
	enum role role;
	long long institution_id;  /* 0 for learner and platform_admin */
};

struct principal {
	enum principal_kind kind;
	bool identified;                 /* credentials were looked at */
	long long user_id;               /* USER */
	long long session_id;            /* USER */
	char csrf_token[SECRET_B64_LEN + 1]; /* USER: the X-CSRF-Token it must send */
	long long token_id;              /* TOKEN */
	long long token_institution_id;  /* TOKEN */
	unsigned scopes;                 /* TOKEN: enum scope bits */
	int nroles;                      /* USER */
	struct principal_role roles[PRINCIPAL_MAX_ROLES];
};

/* Whether p holds role for institution_id (0: for any institution). */
bool principal_has_role(const struct principal *p, enum role role, long long institution_id);

/* Names: "learner", "institution_admin", ...; "reports:read", ... */
const char *role_name(enum role role);
/* Parses a role name; returns false when unknown. */
bool role_parse(const char *name, enum role *out);
const char *scope_name(enum scope scope);
/* The enum scope bit of a scope name, 0 when unknown. */
unsigned scope_parse(const char *name);

#endif
