/* range.c - the Range header of a download: one byte range of a file */
#include "lms/http/range.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A decimal number at *p, advancing *p; false when there is none. Too
 * large a number is LLONG_MAX, which lies past the end of any file. */
static bool range_number(const char **p, long long *out)
{
	char *end;

	if (**p < '0' || **p > '9')
		return false;
	*out = strtoll(*p, &end, 10);
	*p = end;
	return true;
}

enum http_range_kind http_range_parse(const char *h, long long size, long long *first,
				      long long *last)
{
	const char *p;
	long long a, b = LLONG_MAX;

	if (!h || strncasecmp(h, "bytes=", 6) != 0 || strchr(h, ','))
		return HTTP_RANGE_NONE;
	p = h + 6;
	if (*p == '-') {
		p++;
		if (!range_number(&p, &b) || p[strspn(p, " \t")] != '\0')
			return HTTP_RANGE_NONE;
		if (b == 0 || size <= 0)
			return HTTP_RANGE_UNSATISFIABLE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return HTTP_RANGE_ONE;
	}
	if (!range_number(&p, &a) || *p++ != '-')
		return HTTP_RANGE_NONE;
	if (*p >= '0' && *p <= '9' && (!range_number(&p, &b) || b < a))
		return HTTP_RANGE_NONE;
	if (p[strspn(p, " \t")] != '\0')
		return HTTP_RANGE_NONE;
	if (a >= size)
		return HTTP_RANGE_UNSATISFIABLE;
	*first = a;
	*last = b >= size ? size - 1 : b;
	return HTTP_RANGE_ONE;
}
