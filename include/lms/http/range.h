/* range.h - the Range header of a download: one byte range of a file */
#ifndef LMS_HTTP_RANGE_H
#define LMS_HTTP_RANGE_H

/* What a Range header asks of a file. */
enum http_range_kind {
	HTTP_RANGE_NONE,          /* no usable Range: the whole file */
	HTTP_RANGE_ONE,           /* one satisfiable range */
	HTTP_RANGE_UNSATISFIABLE, /* one range that lies outside the file */
};

/*
 * Parses the Range header value h (NULL when absent) for a file of size
 * bytes: "bytes=a-b", "bytes=a-" or "bytes=-n" (the last n bytes). Several
 * ranges, other units and malformed values are HTTP_RANGE_NONE, answered
 * with the whole file (RFC 9110 14.2 lets a server ignore Range).
 * Returns the kind; for HTTP_RANGE_ONE, *first and *last get the range
 * clipped to the file, 0 <= *first <= *last < size (untouched otherwise).
 */
enum http_range_kind http_range_parse(const char *h, long long size, long long *first,
				      long long *last);

#endif
