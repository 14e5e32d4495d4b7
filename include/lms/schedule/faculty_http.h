/* faculty_http.h - handlers: instructor profiles, the directory, sharing, facilities */
#ifndef LMS_SCHEDULE_FACULTY_HTTP_H
#define LMS_SCHEDULE_FACULTY_HTTP_H

struct http_req;

/* POST /api/v1/instructors: an institution's admin makes a user its
 * instructor (profile and instructor role). */
void faculty_instructor_create(struct http_req *req);

/* PATCH /api/v1/instructors/{id}: expertise and bio, by the home
 * institution's admins or the instructor. */
void faculty_instructor_update(struct http_req *req);

/* GET /api/v1/instructors: the public directory. */
void faculty_instructor_list(struct http_req *req);

/* GET /api/v1/instructors/{id}: one profile of the directory. */
void faculty_instructor_show(struct http_req *req);

/* POST /api/v1/instructors/{id}/shares: the home institution's admins lend
 * an instructor to a partner. */
void faculty_share_create(struct http_req *req);

/* DELETE /api/v1/instructors/{id}/shares/{institution_id}: and end it. */
void faculty_share_delete(struct http_req *req);

/* POST /api/v1/facilities: an institution's admin adds a room. */
void faculty_facility_create(struct http_req *req);

/* PATCH /api/v1/facilities/{id}: changes it and whom it is lent to. */
void faculty_facility_update(struct http_req *req);

/* GET /api/v1/facilities: an institution's rooms, or those it may use. */
void faculty_facility_list(struct http_req *req);

#endif
