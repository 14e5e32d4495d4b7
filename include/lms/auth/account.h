/* account.h - rules for account fields: email, display name, stage, locale */
#ifndef LMS_AUTH_ACCOUNT_H
#define LMS_AUTH_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

/* NULL when email is acceptable, else what is wrong with it. */
const char *account_email_problem(const char *email);

/* NULL when name is an acceptable display name, else the problem. */
const char *account_display_name_problem(const char *name);

/* Whether stage is one of the ladder stages ("worker", "job_seeker", ...). */
bool account_stage_valid(const char *stage);

/* Whether locale is one the platform speaks ("ko", "en"). */
bool account_locale_valid(const char *locale);

/* The ASCII-lower-cased copy of email into out (len bytes); the form
 * throttling keys on. */
void account_email_fold(const char *email, char *out, size_t len);

#endif
