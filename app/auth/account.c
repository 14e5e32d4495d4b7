/* account.c - rules for account fields: email, display name, stage, locale */
#include "lms/auth/account.h"

#include <ctype.h>
#include <string.h>

#include "lms/core/text.h"

static const char *const stages[] = {
	"preschool", "elementary", "middle", "high", "undergraduate", "graduate",
	"worker", "job_seeker", "public_servant", "general",
};

/* Deliberately modest: a real check of an address is a message sent to it.
 * This refuses what cannot be one, and characters that would make trouble in
 * logs, CSV and mail headers. */
const char *account_email_problem(const char *email)
{
	size_t n = strlen(email);
	const char *at = strrchr(email, '@'), *domain;

	if (n < 3 || n > 254)
		return "must be 3 to 254 bytes";
	for (const unsigned char *c = (const unsigned char *)email; *c; c++)
		if (*c <= 0x20 || *c == 0x7f || *c == '"' || *c == ',' || *c == ';' ||
		    *c == '<' || *c == '>' || *c == '\\')
			return "must not contain spaces, quotes, commas, angle brackets or "
			       "control characters";
	if (!at || at == email || strchr(email, '@') != at)
		return "must have one @ with a name before it";
	if ((size_t)(at - email) > 64)
		return "must have at most 64 bytes before the @";
	domain = at + 1;
	if (!strchr(domain, '.') || domain[0] == '.' || domain[0] == '-' ||
	    domain[strlen(domain) - 1] == '.' || strstr(domain, ".."))
		return "must end in a domain name such as example.com";
	return NULL;
}

const char *account_display_name_problem(const char *name)
{
	if (!text_utf8_printable(name, strlen(name)))
		return "must not contain control characters";
	if (name[strspn(name, " ")] == '\0')
		return "must not be empty";
	if (text_utf8_chars(name) > 100)
		return "must be at most 100 characters";
	return NULL;
}

bool account_stage_valid(const char *stage)
{
	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (strcmp(stages[i], stage) == 0)
			return true;
	return false;
}

bool account_locale_valid(const char *locale)
{
	return strcmp(locale, "ko") == 0 || strcmp(locale, "en") == 0;
}

void account_email_fold(const char *email, char *out, size_t len)
{
	size_t i;

	for (i = 0; email[i] && i + 1 < len; i++)
		out[i] = (char)tolower((unsigned char)email[i]);
	out[i] = '\0';
}
