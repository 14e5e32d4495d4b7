/* admin_http.h - handlers: institution admins publish courses, sections, modules, lessons */
#ifndef LMS_CATALOG_ADMIN_HTTP_H
#define LMS_CATALOG_ADMIN_HTTP_H

struct http_req;

/*
 * Each change is one transaction with an audit row; a bad value is 400
 * naming its field, a target of another institution 404.
 */

/* POST /api/v1/courses: {program, institution_id?, code, title_ko, title_en,
 * summary_ko?, summary_en?, description?, delivery, level?, tags?,
 * prerequisite_course_ids?, published?} -> 201 course with Location;
 * 409 course_code_taken. */
void catalog_admin_course_create(struct http_req *req);

/* PATCH /api/v1/courses/{id}: any of the fields but institution_id -> 200. */
void catalog_admin_course_update(struct http_req *req);

/* POST /api/v1/courses/{id}/sections: {term, starts_on, ends_on, capacity,
 * enrollment_opens_at, enrollment_closes_at, status?, instructor_ids?}
 * -> 201 section with seats_left, enrolled_count, waitlist_length. */
void catalog_admin_section_create(struct http_req *req);

/* PATCH /api/v1/sections/{id}: any of the fields -> 200; 409
 * capacity_below_enrolled, illegal_transition (cancelled is final). */
void catalog_admin_section_update(struct http_req *req);

/* POST /api/v1/courses/{id}/modules: {position, title_ko, title_en} -> 201. */
void catalog_admin_module_create(struct http_req *req);

/* PATCH /api/v1/modules/{id}: any of the fields -> 200. */
void catalog_admin_module_update(struct http_req *req);

/* POST /api/v1/modules/{id}/lessons: {position, title_ko, title_en, kind,
 * body_md?, url?, duration_min?} -> 201 with Location. */
void catalog_admin_lesson_create(struct http_req *req);

/* PATCH /api/v1/lessons/{id}: any of the fields -> 200. */
void catalog_admin_lesson_update(struct http_req *req);

#endif
