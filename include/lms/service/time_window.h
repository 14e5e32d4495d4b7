/* time_window.h - the time window of a pull (a report, the audit trail): ?from= and ?to= */
#ifndef LMS_SERVICE_TIME_WINDOW_H
#define LMS_SERVICE_TIME_WINDOW_H

#include <stdbool.h>

struct http_req;

/* A time window [from, to); either end may be open. */
struct time_window {
	bool has_from, has_to;
	long long from_us, to_us; /* microseconds since 1970-01-01T00:00:00Z */
};

/*
 * Reads ?from= and ?to= into *w: RFC 3339 with an offset, or YYYY-MM-DD
 * meaning 00:00 of that day in Korea (+09:00). Replies 400 naming each bad
 * one (to when it is not later than from) and returns false.
 */
bool time_window_or_reply(struct http_req *req, struct time_window *w);

#endif
