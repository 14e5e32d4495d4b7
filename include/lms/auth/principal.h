/* principal.h - roles and scopes of whoever is asking: names and checks */
#ifndef LMS_AUTH_PRINCIPAL_H
#define LMS_AUTH_PRINCIPAL_H

#include <stdbool.h>

#include "lms/auth/secret.h"
#include "lms/core/principal.h"

/* The value type (struct principal, enum role, enum scope) is core's. */
_Static_assert(PRINCIPAL_CSRF_LEN == SECRET_B64_LEN, "a CSRF token is one secret");

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
