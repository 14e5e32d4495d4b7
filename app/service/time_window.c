/* time_window.c - the time window of a pull (a report, the audit trail): ?from= and ?to= */
#include "lms/service/time_window.h"

#include "lms/core/datetime.h"
#include "lms/http/request.h"
#include "lms/http/response.h"

#define INSTANT_MESSAGE                                                                  \
	"must be an RFC 3339 time with an offset, like 2027-03-02T09:00:00+09:00, or a date " \
	"YYYY-MM-DD"

bool time_window_or_reply(struct http_req *req, struct time_window *w)
{
	static const char *const names[] = {"from", "to"};
	bool *set[] = {&w->has_from, &w->has_to};
	long long *us[] = {&w->from_us, &w->to_us};
	json_t *errors = NULL;
	char buf[64];

	*w = (struct time_window){0};
	for (int i = 0; i < 2; i++) {
		int n = http_req_query(req, names[i], buf, sizeof(buf));

		*set[i] = n >= 0 && datetime_instant_parse(buf, us[i]);
		if (n != -1 && !*set[i])
			http_json_error_add(&errors, names[i], INSTANT_MESSAGE);
	}
	if (!errors && w->has_from && w->has_to && w->to_us <= w->from_us)
		http_json_error_add(&errors, "to", "must be later than from");
	if (!errors)
		return true;
	http_reply_problem(req, 400, "validation_failed", errors,
			   "the time window is not valid");
	return false;
}
