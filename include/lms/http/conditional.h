/* conditional.h - conditional GET and HEAD: If-None-Match (RFC 9110 13.1.2) */
#ifndef LMS_HTTP_CONDITIONAL_H
#define LMS_HTTP_CONDITIONAL_H

#include <stdbool.h>

struct http_req;

/*
 * Whether the If-None-Match value list (NULL when absent) names etag (a
 * quoted entity-tag, "..." or W/"..."): "*", or one of its comma-separated
 * entity-tags equal to etag by weak comparison (the W/ of either ignored).
 * A list that breaks the syntax from some point on matches by the tags
 * before that point only.
 */
bool http_etag_list_matches(const char *list, const char *etag);

/*
 * For a GET or HEAD of a representation with this etag: when the request's
 * If-None-Match names it, replies 304 without a body, with headers (the
 * ETag and the other fields the 200 would carry, "Name: value\r\n" each)
 * and returns true; otherwise returns false and replies nothing.
 */
bool http_reply_not_modified(struct http_req *req, const char *etag, const char *headers);

#endif
