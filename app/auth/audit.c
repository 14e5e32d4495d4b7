/* audit.c - the audit trail: who read or changed what, when, from where */
#include "lms/auth/audit.h"

#include <stdlib.h>

#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/core/netaddr.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/server.h"

int audit_insert(struct db_conn *db, long long actor_user_id, long long actor_token_id,
		 const char *remote_addr, const char *request_id, const struct audit_event *ev)
{
	char *detail = NULL;
	int rc;

	if (ev->detail && !(detail = json_dumps(ev->detail, JSON_COMPACT)))
		return LMS_ENOMEM;
	/* An id of 0 is none: SQL NULL. */
	rc = db_execf(db, NULL,
		      "INSERT INTO audit_log (actor_user_id, actor_token_id, action, target_type,"
		      " target_id, institution_id, remote_addr, request_id, detail)"
		      " VALUES ($1, $2, $3, $4, $5, $6, $7::inet, $8, coalesce($9::jsonb, '{}'))",
		      "?l?lss?l?lsss", actor_user_id != 0, actor_user_id, actor_token_id != 0,
		      actor_token_id, ev->action, ev->target_type, ev->target_id != 0,
		      ev->target_id, ev->institution_id != 0, ev->institution_id, remote_addr,
		      request_id, detail);
	if (rc < 0)
		log_error("audit: cannot record %s: %s", ev->action, db->errmsg);
	free(detail);
	return rc;
}

int audit_record(struct http_req *req, const struct audit_event *ev)
{
	struct db_conn *db = req->db;
	char msg[256], addr[NETADDR_TEXT_MAX];
	int rc;

	if (!db && (rc = http_req_db_acquire(req, msg, sizeof(msg))) < 0)
		return rc;
	db = req->db;
	return audit_insert(db, ev->actor_user_id ? ev->actor_user_id : req->who.user_id,
			    req->who.token_id, http_req_client_addr(req, addr, sizeof(addr)),
			    req->request_id, ev);
}

json_t *audit_fields_named(const json_t *body)
{
	json_t *names = json_array(), *v;
	const char *key;

	json_object_foreach((json_t *)body, key, v)
		json_array_append_new(names, json_string(key));
	return json_pack("{s:o}", "fields", names);
}

void audit_commit_and_reply(struct http_req *req, struct db_conn *db,
			    const struct audit_event *ev, int status, const json_t *body,
			    const char *extra_headers)
{
	int rc;

	if ((rc = audit_record(req, ev)) < 0 || (rc = db_commit(db)) < 0) {
		db_rollback(db);
		http_reply_error(req, rc);
		return;
	}
	http_reply_json_headers(req, status, body, extra_headers);
}

int audit_list(struct db_conn *db, long long institution_id, long long before_id, int limit,
	       json_t **items)
{
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(json_build_object('id', a.id, 'at', a.at,"
			" 'action', a.action, 'actor_user_id', a.actor_user_id, 'actor_token_id',"
			" a.actor_token_id, 'target_type', a.target_type, 'target_id', a.target_id,"
			" 'institution_id', a.institution_id, 'remote_addr', host(a.remote_addr),"
			" 'request_id', a.request_id, 'detail', a.detail) ORDER BY a.id DESC), '[]')"
			" FROM (SELECT * FROM audit_log"
			" WHERE ($1::bigint = 0 OR institution_id = $1::bigint)"
			" AND ($2::bigint = 0 OR id < $2::bigint) ORDER BY id DESC LIMIT $3) a",
			"lli", institution_id, before_id, limit);
}
