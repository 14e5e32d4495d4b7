/* principal.c - roles and scopes of whoever is asking */
#include "lms/auth/principal.h"

#include <string.h>

static const char *const role_names[] = {
	[ROLE_LEARNER] = "learner",
	[ROLE_INSTRUCTOR] = "instructor",
	[ROLE_INSTITUTION_ADMIN] = "institution_admin",
	[ROLE_PLATFORM_ADMIN] = "platform_admin",
};

static const struct {
	enum scope bit;
	const char *name;
} scopes[] = {
	{SCOPE_REPORTS_READ, "reports:read"},
	{SCOPE_AUDIT_READ, "audit:read"},
	{SCOPE_METRICS_READ, "metrics:read"},
};

bool principal_has_role(const struct principal *p, enum role role, long long institution_id)
{
	if (p->kind != PRINCIPAL_USER)
		return false;
	for (int i = 0; i < p->nroles; i++)
		if (p->roles[i].role == role &&
		    (institution_id == 0 || p->roles[i].institution_id == institution_id))
			return true;
	return false;
}

const char *role_name(enum role role)
{
	return (unsigned)role < sizeof(role_names) / sizeof(role_names[0]) ? role_names[role] : "?";
}

bool role_parse(const char *name, enum role *out)
{
	for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (strcmp(role_names[i], name) == 0) {
			*out = (enum role)i;
			return true;
		}
	}
	return false;
}

const char *scope_name(enum scope scope)
{
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (scopes[i].bit == scope)
			return scopes[i].name;
	return "?";
}

unsigned scope_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (strcmp(scopes[i].name, name) == 0)
			return scopes[i].bit;
	return 0;
}
