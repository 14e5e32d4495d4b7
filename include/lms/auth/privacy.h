/* privacy.h - the privacy notice people consent to at sign-up (PIPA): its
 * version and items; the text is static/privacy/notice.<lang>.txt */
#ifndef LMS_AUTH_PRIVACY_H
#define LMS_AUTH_PRIVACY_H

#include <stdbool.h>

#include <jansson.h>

/* The version of the notice in static/privacy/; a sign-up must name it, so
 * that what was agreed to is known. Change it with the text. */
#define PRIVACY_NOTICE_VERSION "2026-12-01"

/* The item every account must agree to (collection and use of the data the
 * service cannot run without). */
#define PRIVACY_REQUIRED_ITEM "service"

/* Whether item is one of the optional items of the notice. */
bool privacy_optional_item(const char *item);

/* {"version", "items": [{"code", "required"}], "text": {"ko", "en"}} (new):
 * the notice as the front end shows it (texts as static paths). */
json_t *privacy_notice_json(void);

/* The optional items as a comma-separated list (static). */
const char *privacy_optional_list(void);

#endif
