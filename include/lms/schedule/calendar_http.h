/* calendar_http.h - handlers: schedules as JSON and iCalendar, calendar feeds */
#ifndef LMS_SCHEDULE_CALENDAR_HTTP_H
#define LMS_SCHEDULE_CALENDAR_HTTP_H

#include "lms/http/request.h"

/*
 * The window of a schedule: ?from= and ?to=, each RFC 3339 with an offset
 * or a date YYYY-MM-DD (midnight in Korea). Without both, from a week ago
 * to 90 days ahead; with one, the other is 97 days away. At most 366 days.
 */

/* GET /api/v1/instructors/{id}/schedule: the instructor's sessions in the
 * window as JSON, for the instructor, the admins of the home institution
 * and of partners it is shared with. */
void calendar_schedule(struct http_req *req);

/* GET /api/v1/institutions/{id}/schedule: every session (classes and
 * interviews) of the institution's sections in the window as JSON, whoever
 * teaches them (shared instructors too), items as calendar_schedule has
 * them; for the institution's admins and platform admins (403 for others,
 * 404 for an institution that does not exist). */
void calendar_schedule_institution(struct http_req *req);

/* GET /api/v1/me/schedule: the sessions of the sections the caller is
 * enrolled in (also completed, incomplete) in the window as JSON, items as
 * calendar_schedule has them: the JSON twin of calendar_mine_ics. */
void calendar_schedule_mine(struct http_req *req);

/* GET /api/v1/instructors/{id}/schedule.ics: the same as text/calendar,
 * for the same people by session, or for anyone holding ?key=, the secret
 * of the instructor's live feed (any other key: 404). */
void calendar_schedule_ics(struct http_req *req);

/* GET /api/v1/me/calendar.ics: the sessions of the sections the caller (or
 * the owner of the learner feed ?key=) is enrolled in, as text/calendar. */
void calendar_mine_ics(struct http_req *req);

/* POST /api/v1/me/calendar-feeds {kind}: a new feed; its URL, with the
 * secret, is shown this once. */
void calendar_feeds_create(struct http_req *req);

/* GET /api/v1/me/calendar-feeds: the caller's feeds, paged, no secrets. */
void calendar_feeds_list(struct http_req *req);

/* DELETE /api/v1/me/calendar-feeds/{id}: revokes one of the caller's. */
void calendar_feeds_revoke(struct http_req *req);

#endif
