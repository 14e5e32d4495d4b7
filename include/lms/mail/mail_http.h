/* mail_http.h - handlers: failed mail for platform admins, mail in /metrics */
#ifndef LMS_MAIL_MAIL_HTTP_H
#define LMS_MAIL_MAIL_HTTP_H

struct http_req;

/* GET /api/v1/mail/failed: the newest 200 failed messages, without their
 * params -> 200 {"messages": [...]}. */
void mail_failed_list(struct http_req *req);

/* POST /api/v1/mail/{id}/retry: a failed message is pending again, with
 * its attempts counted from 0 -> 200 the message; 404 none; 409 when it is
 * not failed, or carried a link whose secret is gone (ask for a new one). */
void mail_retry(struct http_req *req);

/* GET /api/v1/me/notifications: every kind of notice, whether it is
 * optional and whether the caller gets it -> 200 {"notifications": [{kind,
 * optional, enabled}]}. */
void mail_notifications_get(struct http_req *req);

/* PUT /api/v1/me/notifications: {"notifications": {"<kind>": bool, ...}}
 * -> 200 as GET. An unknown kind, a value not true or false, or turning off
 * a kind that is not optional: 400 naming "notifications.<kind>". */
void mail_notifications_put(struct http_req *req);

/* Mail's part of /metrics: this process's counters and the outbox's
 * pending gauge and oldest pending age. New string, or NULL. */
char *mail_metrics_text(struct http_req *req);

#endif
