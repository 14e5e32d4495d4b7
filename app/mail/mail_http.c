/* mail_http.c - handlers: failed mail for platform admins, mail in /metrics */
#include "lms/mail/mail_http.h"

#include <stdio.h>
#include <stdlib.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/mail/worker.h"
#include "lms/service/audit.h"

#define MESSAGE_JSON                                                                     \
	"json_build_object('id', o.id, 'kind', o.kind, 'user_id', o.user_id, 'to_address',"  \
	" o.to_address, 'locale', o.locale, 'state', o.state, 'attempts', o.attempts,"      \
	" 'created_at', o.created_at, 'next_attempt_at', o.next_attempt_at, 'last_error',"  \
	" o.last_error)"

/* Kinds whose link is scrubbed once the message ends: sending one again
 * would carry no link. */
#define SECRET_KINDS "('auth.password_reset', 'auth.email_verify')"

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
