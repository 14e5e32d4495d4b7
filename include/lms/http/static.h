/* static.h - files of static/ with MIME types, validators, no traversal */
#ifndef LMS_HTTP_STATIC_H
#define LMS_HTTP_STATIC_H

#include "lms/http/request.h"

/* Replies with the file at req->path under the static root ("/" is
 * index.html): 404 for anything outside it, hidden (a segment starting
 * with "."), not a regular file or unreadable; 304 when If-None-Match
 * matches. Text files come from memory, gzip or brotli when the client
 * accepts them; a ?v= equal to the file's hash is cached for a year; see
 * static.c. */
void static_serve(struct http_req *req);

/* Drops the files kept in memory (each is read again when next asked for);
 * those a reply still sends go when it ends. */
void static_release(void);

#endif
