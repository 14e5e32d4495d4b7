/* series_http.h - handlers: recurring classes, created as a whole */
#ifndef LMS_SCHEDULE_SERIES_HTTP_H
#define LMS_SCHEDULE_SERIES_HTTP_H

struct http_req;

/* At most this many occurrences in one series. */
#define SERIES_OCCURRENCES_MAX 200
/* A series spans at most this many days from its first date to its last. */
#define SERIES_SPAN_DAYS_MAX 366

/*
 * POST /api/v1/sections/{id}/session-series {weekdays: ["tue", "thu"],
 * start_time: "19:00", end_time: "22:00", starts_on, ends_on,
 * instructor_id, facility_id | online_url}: schedules a session on each of
 * those days (Asia/Seoul wall-clock times) within the section's dates, all
 * in one transaction, for the section's instructors and its institution's
 * admins. 201 with the series and its occurrences; 400 for a series longer
 * than a year, with more than SERIES_OCCURRENCES_MAX occurrences or none;
 * 409 instructor_conflict / facility_conflict listing every clashing
 * occurrence in "conflicts" (nothing is created then).
 */
void class_series_create(struct http_req *req);

/* GET /api/v1/session-series/{id}: the series and its occurrences as they
 * are now, for those who may read the section's sessions. */
void class_series_show(struct http_req *req);

#endif
