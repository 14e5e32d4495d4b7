/* mail_http.c - handlers: failed mail for platform admins, mail in /metrics */
#include "lms/mail/mail_http.h"

#include <stdio.h>
#include <stdlib.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/mail/worker.h"
#include "lms/service/audit.h"

/* Kinds whose link is scrubbed once the message ends: sending one again
 * would carry no link. */
#define SECRET_KINDS "('auth.password_reset', 'auth.email_verify')"

/* A message; "retryable": a retry would be taken (failed, and no link
 * scrubbed), for pages to offer one only then. */
#define MESSAGE_JSON                                                                     \
	"json_build_object('id', o.id, 'kind', o.kind, 'user_id', o.user_id, 'to_address',"  \
	" o.to_address, 'locale', o.locale, 'state', o.state, 'attempts', o.attempts,"      \
	" 'created_at', o.created_at, 'next_attempt_at', o.next_attempt_at, 'last_error',"  \
	" o.last_error, 'retryable', o.state = 'failed' AND o.kind NOT IN " SECRET_KINDS ")"

void mail_failed_list(struct http_req *req)
{
	json_t *body = NULL;
	struct db_conn *db;
	int rc;

	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = db_json(db, &body,
			  "SELECT json_build_object('messages', coalesce(json_agg(" MESSAGE_JSON
			  " ORDER BY o.id DESC), '[]')) FROM (SELECT * FROM outbox"
			  " WHERE state = 'failed' ORDER BY id DESC LIMIT 200) o",
			  0, NULL)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	http_reply_json(req, 200, body);
	json_decref(body);
}

void mail_retry(struct http_req *req)
{
	json_t *body = NULL;
	struct db_conn *db;
	long long id;
	PGresult *res = NULL;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !(db = http_req_db_or_reply(req)))
		return;
	if ((rc = db_begin(db)) < 0)
		goto fail;
	rc = db_jsonf(db, &body,
		      "WITH o AS (UPDATE outbox SET state = 'pending', attempts = 0,"
		      " next_attempt_at = now(), last_error = NULL"
		      " WHERE id = $1 AND state = 'failed' AND kind NOT IN " SECRET_KINDS
		      " RETURNING *), n AS (SELECT pg_notify('lms_outbox', '') FROM o)"
		      " SELECT " MESSAGE_JSON " FROM o, (SELECT count(*) FROM n) x",
		      "l", id);
	if (rc == LMS_ENOTFOUND) {
		db_rollback(db);
		if ((rc = db_one_row(db, &res, "SELECT state, kind IN " SECRET_KINDS
					       " FROM outbox WHERE id = $1",
				     "l", id)) == LMS_ENOTFOUND) {
			http_reply_problem(req, 404, "not_found", NULL, "no message has this id");
			return;
		}
		if (rc < 0)
			goto fail;
		http_reply_problem(req, 409, "not_retryable", NULL,
				   db_bool(res, 0, 1)
					   ? "this message carried a link that no longer exists: "
					     "the user asks for a new one"
					   : "only a failed message can be tried again");
		PQclear(res);
		return;
	}
	if (rc < 0)
		goto fail;
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "mail.retry",
						 .target_type = "outbox",
						 .target_id = id},
			   200, body, NULL, NULL);
	json_decref(body);
	return;
fail:
	db_rollback(db);
	http_reply_error(req, rc);
}

char *mail_metrics_text(struct http_req *req)
{
	struct mail_counters n;
	char errmsg[128], *text = NULL;
	PGresult *res = NULL;
	long long pending = 0, failed = 0;
	double oldest = 0;
	bool known = false;

	mail_counters_get(&n);
	if (http_req_db_acquire(req, errmsg, sizeof(errmsg)) == 0 &&
	    db_exec(req->db, &res,
		    "SELECT count(*) FILTER (WHERE state = 'pending'),"
		    " count(*) FILTER (WHERE state = 'failed'),"
		    " coalesce(extract(epoch FROM now() - min(created_at)"
		    "  FILTER (WHERE state = 'pending')), 0)::float8"
		    " FROM outbox WHERE state <> 'sent'",
		    0, NULL) == 0) {
		pending = db_ll(res, 0, 0);
		failed = db_ll(res, 0, 1);
		oldest = strtod(PQgetvalue(res, 0, 2), NULL);
		known = true;
	}
	PQclear(res);
	if (asprintf(&text,
		     "# HELP lms_mail_sent_total Messages this process delivered.\n"
		     "# TYPE lms_mail_sent_total counter\n"
		     "lms_mail_sent_total %llu\n"
		     "# HELP lms_mail_retried_total Deliveries this process will try again.\n"
		     "# TYPE lms_mail_retried_total counter\n"
		     "lms_mail_retried_total %llu\n"
		     "# HELP lms_mail_failed_total Messages this process gave up on.\n"
		     "# TYPE lms_mail_failed_total counter\n"
		     "lms_mail_failed_total %llu\n",
		     n.sent, n.retried, n.failed) < 0)
		return NULL;
	if (known) {
		char *more = NULL;

		if (asprintf(&more,
			     "%s# HELP lms_mail_pending Messages in the outbox not yet delivered.\n"
			     "# TYPE lms_mail_pending gauge\n"
			     "lms_mail_pending %lld\n"
			     "# HELP lms_mail_failed Messages in the outbox given up on.\n"
			     "# TYPE lms_mail_failed gauge\n"
			     "lms_mail_failed %lld\n"
			     "# HELP lms_mail_oldest_pending_seconds Age of the oldest pending "
			     "message.\n"
			     "# TYPE lms_mail_oldest_pending_seconds gauge\n"
			     "lms_mail_oldest_pending_seconds %.3f\n",
			     text, pending, failed, oldest) >= 0) {
			free(text);
			text = more;
		}
	}
	return text;
}

static int notifications_json(struct db_conn *db, long long user_id, json_t **out)
{
	return db_jsonf(db, out,
			"SELECT json_build_object('notifications', json_agg(json_build_object("
			"'kind', k.kind, 'optional', k.optional, 'enabled',"
			" coalesce(s.enabled, true)) ORDER BY k.position))"
			" FROM notification_kinds k LEFT JOIN notification_settings s"
			" ON s.kind = k.kind AND s.user_id = $1",
			"l", user_id);
}

void mail_notifications_get(struct http_req *req)
{
	json_t *body = NULL;
	struct db_conn *db;
	int rc;

	if (!(db = http_req_db_or_reply(req)))
		return;
	if ((rc = notifications_json(db, req->who.user_id, &body)) < 0) {
		http_reply_error(req, rc);
		return;
	}
	http_reply_json(req, 200, body);
	json_decref(body);
}

static const struct schema_field notifications_fields[] = {
	{"notifications", SCHEMA_OBJECT, .required = true},
};
static const struct schema notifications_schema = SCHEMA_OF(notifications_fields);

/* The kinds, as {kind: optional}; new reference or NULL. */
static int kinds_get(struct db_conn *db, json_t **out)
{
	return db_json(db, out, "SELECT json_object_agg(kind, optional) FROM notification_kinds", 0,
		       NULL);
}

void mail_notifications_put(struct http_req *req)
{
	json_t *kinds = NULL, *errors = NULL, *body = NULL, *detail = NULL, *v;
	const json_t *want;
	struct db_conn *db;
	const char *kind;
	char *text = NULL, field[128];
	int rc;

	if (!schema_body_or_reply(req, &notifications_schema, SCHEMA_CREATE) ||
	    !(db = http_req_db_or_reply(req)))
		return;
	want = json_object_get(req->json, "notifications");
	if ((rc = kinds_get(db, &kinds)) < 0)
		goto fail;
	json_object_foreach((json_t *)want, kind, v) {
		const json_t *optional = json_object_get(kinds, kind);

		snprintf(field, sizeof(field), "notifications.%.100s", kind);
		if (!optional)
			http_json_error_add(&errors, field, "is not a kind of notice");
		else if (!json_is_boolean(v))
			http_json_error_add(&errors, field, "must be true or false");
		else if (json_is_false(v) && json_is_false(optional))
			http_json_error_add(&errors, field,
					    "cannot be turned off: it tells of a change to your "
					    "enrolment");
	}
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the notification settings have invalid fields");
		goto out;
	}
	if (!(text = json_dumps(want, JSON_COMPACT))) {
		rc = LMS_ENOMEM;
		goto fail;
	}
	if ((rc = db_begin(db)) < 0 ||
	    (rc = db_execf(db, NULL,
			   "INSERT INTO notification_settings (user_id, kind, enabled)"
			   " SELECT $1, key, value::boolean FROM jsonb_each_text($2::jsonb)"
			   " ON CONFLICT (user_id, kind) DO UPDATE SET enabled = EXCLUDED.enabled,"
			   " updated_at = now()",
			   "ls", req->who.user_id, text)) < 0 ||
	    (rc = notifications_json(db, req->who.user_id, &body)) < 0)
		goto fail;
	detail = json_pack("{s:O}", "notifications", want);
	audit_commit_reply(req, db,
			   &(struct audit_event){.action = "user.notifications_change",
						 .target_type = "user",
						 .target_id = req->who.user_id,
						 .detail = detail},
			   200, body, NULL, NULL);
	goto out;
fail:
	db_rollback(db);
	http_reply_error(req, rc);
out:
	free(text);
	json_decref(kinds);
	json_decref(body);
	json_decref(detail);
}
