/* audit_http.c - handler: reading an institution's audit trail */
#include "lms/auth/audit_http.h"

#include "lms/auth/guard.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/service/audit.h"

void audit_read(struct http_req *req)
{
	long long named, inst, cursor;
	json_t *items = NULL, *detail = NULL;
	struct db_conn *db;
	int limit, rc;

	if (!http_req_query_id_or_reply(req, "institution_id", &named) ||
	    !http_req_page_or_reply(req, &limit, &cursor))
		goto out;
	/* Without a name: the whole trail for a platform admin, else the
	 * caller's own institution. */
	if (!named && principal_has_role(&req->who, ROLE_PLATFORM_ADMIN, 0))
		inst = 0;
	else if (!(inst = guard_institution_or_reply(req, named)))
		goto out;
	if (!guard_require_or_reply(req, GUARD_AUDIT_READ, inst) ||
	    !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = audit_store_list(db, inst, cursor, limit, &items)) < 0)
		goto fail;
	detail = json_pack("{s:o, s:I}", "institution_id", inst ? json_integer(inst) : json_null(),
			   "rows", (json_int_t)json_array_size(items));
	if ((rc = audit_record(req, &(struct audit_event){.action = "audit.read",
							  .institution_id = inst,
							  .detail = detail})) < 0)
		goto fail;
	http_reply_page(req, items, limit);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(detail);
	json_decref(items);
}
