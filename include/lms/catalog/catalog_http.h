/* catalog_http.h - handlers: the public catalogue */
#ifndef LMS_CATALOG_CATALOG_HTTP_H
#define LMS_CATALOG_CATALOG_HTTP_H

struct http_req;

/* GET /api/v1/courses?program=&institution_id=&delivery=&stage=&open=&q=
 * &lang=&limit=&cursor=: published courses, paged by id, with an ETag.
 * With include_unpublished=true (and institution_id): the institution's
 * unpublished courses too, each with "published", for those who manage
 * its catalogue; never kept in or served from the response cache. */
void catalog_courses(struct http_req *req);

/* GET /api/v1/courses/{id}: the course with its sections; an unpublished
 * course exists only for those who may manage it. */
void catalog_course(struct http_req *req);

/* GET /api/v1/institutions, GET /api/v1/programs: reference data. */
void catalog_institutions(struct http_req *req);
void catalog_programs(struct http_req *req);

#endif
