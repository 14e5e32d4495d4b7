/* audit_http.c - handler: reading an institution's audit trail */
#include "lms/auth/audit_http.h"

#include "lms/auth/guard.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/service/audit.h"
#include "lms/service/pull.h"
#include "lms/service/time_window.h"

/* Room for an action or target type: the trail's own are short words. */
#define AUDIT_WORD_MAX 64

static const char *const audit_params[] = {
	"institution_id", "limit",     "cursor", "action", "actor_user_id",
	"target_type",    "target_id", "from",   "to",     NULL};

/* Reads the text parameter name into buf (*out = buf), or leaves *out NULL
 * when it is absent. Replies 400 when it is empty or too long. */
static bool word_or_reply(struct http_req *req, const char *name, char *buf, const char **out)
{
	int n = http_req_query(req, name, buf, AUDIT_WORD_MAX);

	*out = n > 0 ? buf : NULL;
	if (n == -1 || n > 0)
		return true;
	http_reply_problem(req, 400, "validation_failed",
			   json_pack("[{s:s, s:s}]", "field", name, "message",
				     "must be 1 to 63 characters of text"),
			   "the audit filter is not valid");
	return false;
}

/* Reads the filters of ?action=&actor_user_id=&target_type=&target_id=
 * &from=&to= into f; the words are kept in action and type. */
static bool filter_or_reply(struct http_req *req, struct audit_filter *f, char *action,
			    char *type)
{
	struct time_window w;

	if (!word_or_reply(req, "action", action, &f->action) ||
	    !word_or_reply(req, "target_type", type, &f->target_type) ||
	    !http_req_query_id_or_reply(req, "actor_user_id", &f->actor_user_id) ||
	    !http_req_query_id_or_reply(req, "target_id", &f->target_id) ||
	    !time_window_or_reply(req, &w))
		return false;
	f->has_from = w.has_from;
	f->from_us = w.from_us;
	f->has_to = w.has_to;
	f->to_us = w.to_us;
	return true;
}

void audit_read(struct http_req *req)
{
	char action[AUDIT_WORD_MAX], type[AUDIT_WORD_MAX];
	struct audit_filter f = {0};
	json_t *items = NULL, *detail = NULL;
	struct db_conn *db;
	long long named;
	int rc;

	/* An unknown parameter is refused: a misspelt filter would otherwise
	 * answer with the whole trail. */
	if (!pull_params_or_reply(req, audit_params) ||
	    !http_req_query_id_or_reply(req, "institution_id", &named) ||
	    !http_req_page_or_reply(req, &f.limit, &f.before_id) ||
	    !filter_or_reply(req, &f, action, type))
		goto out;
	/* Without a name: the whole trail for a platform admin, else the
	 * caller's own institution. */
	if (!named && principal_has_role(&req->who, ROLE_PLATFORM_ADMIN, 0))
		f.institution_id = 0;
	else if (!(f.institution_id = guard_institution_or_reply(req, named)))
		goto out;
	if (!guard_require_or_reply(req, GUARD_AUDIT_READ, f.institution_id) ||
	    !(db = http_req_db_or_reply(req)))
		goto out;
	if ((rc = audit_store_list(db, &f, &items)) < 0)
		goto fail;
	detail = json_pack("{s:o, s:I}", "institution_id",
			   f.institution_id ? json_integer(f.institution_id) : json_null(), "rows",
			   (json_int_t)json_array_size(items));
	if ((rc = audit_record(req, &(struct audit_event){.action = "audit.read",
							  .institution_id = f.institution_id,
							  .detail = detail})) < 0)
		goto fail;
	http_reply_page(req, items, f.limit);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(detail);
	json_decref(items);
}
