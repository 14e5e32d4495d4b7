/* session_http.h - handlers: scheduling class sessions, attendance, the
 * sections an instructor teaches */
#ifndef LMS_SCHEDULE_SESSION_HTTP_H
#define LMS_SCHEDULE_SESSION_HTTP_H

#include <stdbool.h>

struct class_session_slot;
struct db_conn;
struct http_req;

/*
 * Whether the institution inst may put slot s's instructor (when
 * instructor) and facility (when facility and there is one) into a
 * session: 400 for one that does not exist, 403 instructor_not_shared or
 * facility_not_available for one that is not its own, shared or lent.
 * Replies and returns false otherwise. Inside the caller's transaction:
 * the sharing and lending rows stay locked until it ends.
 */
bool class_session_refs_or_reply(struct http_req *req, struct db_conn *db, long long inst,
				 const struct class_session_slot *s, bool instructor, bool facility);

/*
 * POST /api/v1/sections/{id}/sessions {starts_at, ends_at, instructor_id,
 * facility_id | online_url}: schedules a session within the section's
 * dates, for its instructors and its institution's admins. 201 with the
 * session; 403 instructor_not_shared / facility_not_available; 409
 * instructor_conflict / facility_conflict naming the session it collides
 * with.
 */
void class_session_create(struct http_req *req);

/*
 * PATCH /api/v1/sessions/{id}: moves a session (any of the fields of
 * create) or cancels it ({"status": "cancelled"}, final); the same rules
 * and conflicts; each change raises its sequence.
 */
void class_session_update(struct http_req *req);

/* GET /api/v1/sessions/{id}: the session, for the section's instructors,
 * the session's instructor, admins and the learners enrolled in it. */
void class_session_show(struct http_req *req);

/*
 * GET /api/v1/sections/{id}/sessions: all the section's sessions by start,
 * cancelled ones included, as {section_id, items} with items as the
 * instructor schedule has them; for those who may read its sessions (see
 * class_session_show). A draft section, like an unpublished course, is 404
 * to all but its instructors and admins.
 */
void class_session_list(struct http_req *req);

/*
 * PUT /api/v1/sessions/{id}/attendance [{enrollment_id, present}]: the
 * session's instructor (or an admin) marks who was there; answers the
 * session's attendance list with each enrolment's attendance rate.
 */
void class_session_attendance_put(struct http_req *req);

/* GET /api/v1/sessions/{id}/attendance: the answer of the PUT, read only,
 * at any time (all null before anything is marked, cancelled sessions
 * too); for the session's instructor, the section's instructors and the
 * admins. Each reading is audited. */
void class_session_attendance_show(struct http_req *req);

/* GET /api/v1/me/sections[?limit=&cursor=&lang=]: the sections the caller
 * teaches with seat counts and the next session, paged. */
void class_session_sections_mine(struct http_req *req);

#endif
