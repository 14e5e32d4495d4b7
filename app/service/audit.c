/* audit.c - the audit trail for requests: a row in the caller's
 * transaction, and the end of an audited change (commit and reply, or
 * roll back and answer) */
#include "lms/service/audit.h"

#include <stdio.h>

#include "lms/core/netaddr.h"
#include "lms/db/sql.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/server.h"

int audit_record(struct http_req *req, const struct audit_event *ev)
{
	char msg[256], addr[NETADDR_TEXT_MAX];
	int rc;

	if (!req->db && (rc = http_req_db_acquire(req, msg, sizeof(msg))) < 0)
		return rc;
	return audit_store_insert(req->db, ev->actor_user_id ? ev->actor_user_id : req->who.user_id,
				  req->who.token_id, http_req_client_addr(req, addr, sizeof(addr)),
				  req->request_id, ev);
}

int audit_tell_database(struct http_req *req, struct db_conn *db)
{
	char addr[NETADDR_TEXT_MAX];

	return audit_store_tell(db, req->who.user_id, http_req_client_addr(req, addr, sizeof(addr)),
				req->request_id);
}

json_t *audit_fields_named(const json_t *body)
{
	json_t *names = json_array(), *v;
	const char *key;

	json_object_foreach((json_t *)body, key, v)
		json_array_append_new(names, json_string(key));
	return json_pack("{s:o}", "fields", names);
}

void audit_commit_reply(struct http_req *req, struct db_conn *db,
			const struct audit_event *ev, int status, const json_t *body,
			const char *headers, const char *location)
{
	char all[512];
	int rc;

	if ((rc = audit_record(req, ev)) < 0 || (rc = db_commit(db)) < 0) {
		audit_change_failed(req, db, rc, "change");
		return;
	}
	snprintf(all, sizeof(all), "%s%s%s%s", headers ? headers : "",
		 location ? "Location: " : "", location ? location : "", location ? "\r\n" : "");
	http_reply_json_headers(req, status, body, all[0] ? all : NULL);
}

void audit_change_failed(struct http_req *req, struct db_conn *db, int rc, const char *what)
{
	http_reply_db_error(req, rc, what);
	if (db)
		db_rollback(db);
}
