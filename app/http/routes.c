/* routes.c - route matching on a table the application hands over */
#include "lms/http/routes.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned bit;
} methods[] = {
	{"GET", HTTP_GET}, {"HEAD", HTTP_HEAD}, {"POST", HTTP_POST}, {"PUT", HTTP_PUT},
	{"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE}, {"OPTIONS", HTTP_OPTIONS},
};

unsigned http_method_bit(const char *method)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, method) == 0)
			return methods[i].bit;
	return 0;
}

void http_methods_format(unsigned mask, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (!(mask & methods[i].bit))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", methods[i].name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* Matches path against pattern segment by segment; {x} takes one non-empty
 * segment, copied into req->path_params. */
bool routes_pattern_match(const char *pattern, const char *path, struct http_req *req)
{
	size_t used = 0;

	req->nparams = 0;
	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return false;
		pattern++;
		path++;
		size_t plen = strcspn(pattern, "/"), slen = strcspn(path, "/");
		if (pattern[0] == '{') {
			if (slen == 0 || req->nparams == HTTP_MAX_PARAMS ||
			    used + slen + 1 > sizeof(req->path_params))
				return false;
			memcpy(req->path_params + used, path, slen);
			req->path_params[used + slen] = '\0';
			req->params[req->nparams++] = req->path_params + used;
			used += slen + 1;
		} else if (plen != slen || memcmp(pattern, path, plen) != 0) {
			return false;
		}
		pattern += plen;
		path += slen;
	}
	return *pattern == '\0' && *path == '\0';
}

/* Whether path begins as pattern does up to its first parameter: most
 * patterns of a table differ from the path there, and this tells so in a
 * few byte comparisons. */
static bool literal_prefix_matches(const char *pattern, const char *path)
{
	for (; *pattern && *pattern != '{'; pattern++, path++)
		if (*pattern != *path)
			return false;
	return true;
}

const struct route *routes_match(const struct route_table *t, struct http_req *req,
				 unsigned method, unsigned *allow)
{
	*allow = 0;
	for (size_t i = 0; i < t->count; i++) {
		const struct route *r = &t->routes[i];
		unsigned m = r->methods | ((r->methods & HTTP_GET) ? HTTP_HEAD : 0);

		if (!literal_prefix_matches(r->pattern, req->path) ||
		    !routes_pattern_match(r->pattern, req->path, req))
			continue;
		/* The first match wins and its parameters are the last ones
		 * written; the rest of the table matters only for a 405's
		 * Allow. */
		*allow |= m;
		if (m & method)
			return r;
	}
	return NULL;
}

size_t routes_index(const struct route_table *t, const struct route *r)
{
	return (size_t)(r - t->routes);
}
