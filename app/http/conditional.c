/* conditional.c - conditional GET and HEAD: If-None-Match (RFC 9110 13.1.2) */
#include "lms/http/conditional.h"

#include <string.h>

#include "lms/http/request.h"
#include "lms/http/response.h"

/* The opaque tag of an entity-tag at p (W/ skipped): *tag points at its
 * opening quote, the result is its length with both quotes, 0 when p holds
 * no entity-tag. */
static size_t opaque_tag(const char *p, const char **tag)
{
	const char *close;

	if (!strncmp(p, "W/", 2))
		p += 2;
	if (*p != '"' || !(close = strchr(p + 1, '"')))
		return 0;
	*tag = p;
	return (size_t)(close - p) + 1;
}

bool http_etag_list_matches(const char *list, const char *etag)
{
	const char *want, *have;
	size_t want_len = opaque_tag(etag, &want), have_len;

	if (!list || !want_len)
		return false;
	/* Each turn consumes one element or stops: bounded by strlen(list). */
	for (const char *p = list;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return false;
		if (*p == '*')
			return true;
		if (!(have_len = opaque_tag(p, &have)))
			return false;
		if (have_len == want_len && !memcmp(have, want, want_len))
			return true;
		p = have + have_len;
		if (*(p += strspn(p, " \t")) != ',' && *p != '\0')
			return false;
	}
}

bool http_reply_not_modified(struct http_req *req, const char *etag, const char *headers)
{
	if (!http_etag_list_matches(http_req_header(req, "If-None-Match"), etag))
		return false;
	http_reply_start(req, 304, NULL, 0, headers);
	return true;
}
