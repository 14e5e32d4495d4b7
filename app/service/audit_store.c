/* audit_store.c - the audit trail in PostgreSQL: appending a row, reading rows */
#include "lms/service/audit_store.h"

#include <stdlib.h>

#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/sql.h"

int audit_store_insert(struct db_conn *db, long long actor_user_id, long long actor_token_id,
		       const char *remote_addr, const char *request_id,
		       const struct audit_event *ev)
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

int audit_store_tell(struct db_conn *db, long long actor_user_id, const char *remote_addr,
		     const char *request_id)
{
	/* Transaction-local: the pooled connection forgets them at the end. */
	return db_execf(db, NULL,
			"SELECT set_config('lms.actor_user_id', coalesce($1, ''), true),"
			" set_config('lms.remote_addr', coalesce($2, ''), true),"
			" set_config('lms.request_id', coalesce($3, ''), true)",
			"?lss", actor_user_id != 0, actor_user_id, remote_addr, request_id);
}

int audit_store_list(struct db_conn *db, const struct audit_filter *f, json_t **items)
{
	/* Times as microseconds from the epoch, so that no instant is
	 * rounded on its way to PostgreSQL. */
	return db_jsonf(db, items,
			"SELECT coalesce(json_agg(json_build_object('id', a.id, 'at', a.at,"
			" 'action', a.action, 'actor_user_id', a.actor_user_id, 'actor_token_id',"
			" a.actor_token_id, 'target_type', a.target_type, 'target_id', a.target_id,"
			" 'institution_id', a.institution_id, 'remote_addr', host(a.remote_addr),"
			" 'request_id', a.request_id, 'detail', a.detail) ORDER BY a.id DESC), '[]')"
			" FROM (SELECT * FROM audit_log"
			" WHERE ($1::bigint = 0 OR institution_id = $1::bigint)"
			" AND ($2::bigint = 0 OR id < $2::bigint)"
			" AND ($4::text IS NULL OR action = $4::text)"
			" AND ($5::bigint IS NULL OR actor_user_id = $5::bigint)"
			" AND ($6::text IS NULL OR target_type = $6::text)"
			" AND ($7::bigint IS NULL OR target_id = $7::bigint)"
			" AND ($8::bigint IS NULL OR"
			" at >= 'epoch'::timestamptz + $8::bigint * interval '1 microsecond')"
			" AND ($9::bigint IS NULL OR"
			" at < 'epoch'::timestamptz + $9::bigint * interval '1 microsecond')"
			" ORDER BY id DESC LIMIT $3) a",
			"llis?ls?l?l?l", f->institution_id, f->before_id, f->limit, f->action,
			f->actor_user_id != 0, f->actor_user_id, f->target_type, f->target_id != 0,
			f->target_id, f->has_from, f->from_us, f->has_to, f->to_us);
}
