/* static.h - files of static/ with MIME types, validators, no traversal */
#ifndef LMS_HTTP_STATIC_H
#define LMS_HTTP_STATIC_H

#include "lms/http/request.h"

/* Replies with the file at req->path under the static root ("/" is
 * index.html): 404 for anything outside it, hidden (a segment starting
 * with "."), not a regular file or unreadable; 304 when If-None-Match
 * matches. */
void static_serve(struct http_req *req);

#endif
