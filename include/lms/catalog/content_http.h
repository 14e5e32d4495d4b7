/* content_http.h - handlers: course content (syllabus, lessons, files, progress) */
#ifndef LMS_CATALOG_CONTENT_HTTP_H
#define LMS_CATALOG_CONTENT_HTTP_H

struct http_req;

/* GET /api/v1/courses/{id}/modules?lang=: the syllabus, titles only; an
 * unpublished course exists only for those who may manage it. */
void content_syllabus(struct http_req *req);

/* GET /api/v1/lessons/{id}?lang=: the lesson with its Markdown rendered to
 * body_html and its attachments; body_md too for those who may edit it. */
void content_lesson(struct http_req *req);

/* POST /api/v1/lessons/{id}/attachments?filename=: the raw body is the
 * file, Content-Type its type -> 201 with the attachment. */
void content_attachment_upload(struct http_req *req);

/* GET /api/v1/attachments/{id}: the file, whole or one byte range. */
void content_attachment_download(struct http_req *req);

/* POST /api/v1/lessons/{id}/complete: the caller finished the lesson ->
 * 200 {lesson_id, completed_at, course_progress}; idempotent. */
void content_lesson_complete(struct http_req *req);

#endif
