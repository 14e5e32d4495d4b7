/* kpi_http.c - handlers: the regional centres' KPI report and the outputs
 * they record */
#include "lms/reports/kpi_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/auth/guard.h"
#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/http/csv.h"
#include "lms/http/request.h"
#include "lms/http/response.h"
#include "lms/http/schema.h"
#include "lms/reports/kpi_store.h"
#include "lms/service/audit.h"
#include "lms/service/pull.h"

#define YEAR_MIN 2000
#define YEAR_MAX 2100
#define AMOUNT_MAX 1000000000000000LL /* 1,000 trillion won: no typing slip gets past */
#define DOI_MAX 200

static const char *const kinds[] = {"paper", "patent", "tech_transfer", "graduate", NULL};

/* The evidence each kind must carry, and no other kind may. */
static const struct {
	const char *kind, *field, *plural;
} evidence[] = {
	{"paper", "doi", "papers"},
	{"patent", "patent_number", "patents"},
	{"tech_transfer", "amount_krw", "technology transfers"},
	{"graduate", "count", "graduate conferrals"},
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const report_params[] = {"year", "institution_id", "format", "bom", "lang",
					    NULL};
static const char *const list_params[] = {"year", "institution_id", "limit", "cursor", NULL};

/* The columns of the KPI report in CSV: the members of each item. */
static const char *const kpi_columns[] = {
	"year", "institution_id", "code", "name", "region", "in_service_employees_trained",
	"degree_graduates", "papers", "patents", "tech_transfer_income_krw",
};

/*
 * A DOI as registries write it: "10.", a registrant code of 4 to 9 digits
 * (with any ".digits" subdivisions), "/", and a suffix of printable ASCII
 * without spaces; no "https://doi.org/" or "doi:" before it.
 */
static bool doi_ok(const char *s)
{
	static const char digits[] = "0123456789";
	const char *p;
	size_t n;

	if (strlen(s) > DOI_MAX || strncmp(s, "10.", 3) != 0)
		return false;
	p = s + 3;
	n = strspn(p, digits);
	if (n < 4 || n > 9)
		return false;
	for (p += n; *p == '.'; p += 1 + n)
		if (!(n = strspn(p + 1, digits)))
			return false;
	if (*p++ != '/' || !*p)
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

/* A patent or application number: letters, digits, spaces, ",", ".", "/"
 * and "-", beginning with a letter or digit, holding a digit. */
static bool patent_ok(const char *s)
{
#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	size_t n = strlen(s);

	return n >= 1 && n <= 40 && strchr(ALNUM, s[0]) && strspn(s, ALNUM " ,./-") == n &&
	       strpbrk(s, "0123456789");
#undef ALNUM
}

static bool doi_check(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	(void)f;
	return doi_ok(json_string_value(v)) ||
	       schema_refuse(msg, len, "must be a DOI like 10.1000/xyz123: 10., a registrant code "
				       "of 4 to 9 digits, /, a suffix without spaces (no "
				       "https://doi.org/)");
}

static bool patent_check(const struct schema_field *f, const json_t *v, char *msg, size_t len)
{
	(void)f;
	return patent_ok(json_string_value(v)) ||
	       schema_refuse(msg, len, "must be 1 to 40 letters, digits, spaces, ',', '.', '/' "
				       "or '-', starting with a letter or digit and holding a "
				       "digit, like 10-2345678");
}

static const struct schema_field output_fields[] = {
	{"institution_id", SCHEMA_ID, .nullable = true,
	 .message = "must be the id of an institution"},
	{"year", SCHEMA_INT, .required = true, .min = YEAR_MIN, .max = YEAR_MAX},
	{"kind", SCHEMA_STRING, .required = true, .max_bytes = 20, .values = kinds},
	{"title", SCHEMA_STRING, .required = true, .min = 1, .max = 300},
	{"doi", SCHEMA_STRING, .nullable = true, .max_bytes = DOI_MAX, .check = doi_check},
	{"patent_number", SCHEMA_STRING, .nullable = true, .max_bytes = 40,
	 .check = patent_check},
	{"amount_krw", SCHEMA_INT, .nullable = true, .min = 0, .max = AMOUNT_MAX},
	{"count", SCHEMA_INT, .nullable = true, .min = 1, .max = 10000},
};
static const struct schema output_schema = SCHEMA_OF(output_fields);

/* The string field of body, or NULL when it is absent or null. */
static const char *str_of(const json_t *body, const char *field)
{
	return json_string_value(json_object_get(body, field));
}

/*
 * Checks the body of a new output and fills *o from it (but its
 * institution and recorder). Replies 400 naming each bad field and returns
 * false.
 */
static bool output_or_reply(struct http_req *req, struct kpi_output *o)
{
	const json_t *body = req->json, *v;
	json_t *errors = NULL;
	const char *kind = NULL;
	char msg[96];

	if (!json_is_object(body)) {
		http_reply_problem(req, 400, "invalid_request", NULL,
				   "the request body must be a JSON object");
		return false;
	}
	schema_check(body, &output_schema, SCHEMA_CREATE, &errors);
	/* Which evidence belongs is a question only for a known kind. */
	for (size_t i = 0; json_is_string(json_object_get(body, "kind")) && kinds[i]; i++)
		if (!strcmp(str_of(body, "kind"), kinds[i]))
			kind = kinds[i];
	for (size_t i = 0; kind && i < NELEMS(evidence); i++) {
		bool given;

		v = json_object_get(body, evidence[i].field);
		given = v && !json_is_null(v);
		if (!strcmp(kind, evidence[i].kind) && !given) {
			snprintf(msg, sizeof(msg), "is required for %s", evidence[i].plural);
			http_json_error_add(&errors, evidence[i].field, msg);
		} else if (strcmp(kind, evidence[i].kind) && given) {
			snprintf(msg, sizeof(msg), "is only for %s", evidence[i].plural);
			http_json_error_add(&errors, evidence[i].field, msg);
		}
	}
	if (errors) {
		http_reply_problem(req, 400, "validation_failed", errors,
				   "the output has invalid fields");
		return false;
	}
	*o = (struct kpi_output){
		.year = (int)json_integer_value(json_object_get(body, "year")),
		.kind = kind,
		.title = str_of(body, "title"),
		.doi = str_of(body, "doi"),
		.patent_number = str_of(body, "patent_number"),
		.amount_krw = json_integer_value(json_object_get(body, "amount_krw")),
		.count = (int)json_integer_value(json_object_get(body, "count")),
	};
	return true;
}

/* Reads ?year= into *year (0 when absent). Replies 400 naming it and
 * returns false when it is no year the outputs can have. */
static bool year_or_reply(struct http_req *req, int *year)
{
	char buf[8], *end = buf;
	long v = 0;
	int n = http_req_query(req, "year", buf, sizeof(buf));

	*year = 0;
	if (n == -1)
		return true;
	if (n > 0 && buf[0] >= '0' && buf[0] <= '9')
		v = strtol(buf, &end, 10);
	if (n > 0 && !*end && v >= YEAR_MIN && v <= YEAR_MAX) {
		*year = (int)v;
		return true;
	}
	http_reply_problem(req, 400, "validation_failed",
			   json_pack("[{s:s, s:s}]", "field", "year", "message",
				     "must be a year from 2000 to 2100"),
			   "the report's filters are not valid");
	return false;
}

/* The report's rows as CSV into w: a header, then a row per centre and
 * year. */
static int kpi_csv(struct csv_writer *w, const json_t *items, bool bom)
{
	const json_t *item;
	size_t i;

	if (csv_writer_init(w, bom) < 0)
		return w->err;
	for (size_t c = 0; c < NELEMS(kpi_columns); c++)
		csv_cell_write_str(w, kpi_columns[c]);
	csv_row_end(w);
	json_array_foreach(items, i, item) {
		for (size_t c = 0; c < NELEMS(kpi_columns); c++)
			csv_cell_write_json(w, json_object_get(item, kpi_columns[c]));
		csv_row_end(w);
	}
	return w->err;
}

void kpi_report(struct http_req *req)
{
	struct csv_writer w = {0};
	struct db_conn *db;
	json_t *report = NULL, *items;
	long long inst;
	bool csv, bom;
	int year, rc;

	if (!pull_params_or_reply(req, report_params) || !year_or_reply(req, &year) ||
	    !csv_wanted_or_reply(req, "json", &csv, &bom) ||
	    !guard_scope_or_reply(req, GUARD_REPORTS_READ, &inst) ||
	    !(db = http_req_read_db_or_reply(req)))
		goto out;
	if ((rc = kpi_store_report(db, inst, year, http_req_lang(req), &report)) < 0 ||
	    (csv && (rc = kpi_csv(&w, json_object_get(report, "items"), bom)) < 0)) {
		http_reply_error(req, rc);
		goto out;
	}
	items = json_object_get(report, "items");
	pull_reply(req, "report.kpi", inst,
		   json_pack("{s:s, s:O, s:O, s:I}", "format", csv ? "csv" : "json", "year",
			     json_object_get(report, "year"), "institution_id",
			     json_object_get(report, "institution_id"), "rows",
			     (json_int_t)json_array_size(items)),
		   report, csv ? &w : NULL, "kpi.csv");
out:
	csv_writer_release(&w);
	json_decref(report);
}

void kpi_outputs_create(struct http_req *req)
{
	struct kpi_output o;
	json_t *row = NULL, *detail = NULL, *v;
	long long inst;
	int rc;

	if (!output_or_reply(req, &o))
		goto out;
	v = json_object_get(req->json, "institution_id");
	if (!(inst = guard_institution_or_reply(req, json_is_integer(v) ? json_integer_value(v)
									 : 0)) ||
	    !guard_require_or_reply(req, GUARD_KPI_RECORD, inst) || !http_req_db_or_reply(req))
		goto out;
	o.institution_id = inst;
	o.recorded_by = req->who.user_id;
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	if ((rc = kpi_store_output_create(req->db, &o, &row)) < 0)
		db_rollback(req->db);
	if (rc == LMS_ENOTFOUND) {
		http_reply_problem(req, 400, "validation_failed",
				   json_pack("[{s:s, s:s}]", "field", "institution_id", "message",
					     "is not a regional centre"),
				   "only the regional centres record KPI outputs");
		goto out;
	}
	if (rc == LMS_ECONFLICT) {
		http_reply_problem(req, 409, "kpi_output_exists",
				   json_pack("[{s:s, s:s}]", "field", o.doi ? "doi" : "patent_number",
					     "message", "this centre has recorded it already"),
				   "the centre has recorded this %s already", o.kind);
		goto out;
	}
	if (rc < 0)
		goto fail;
	if (!(detail = json_pack("{s:s, s:i}", "kind", o.kind, "year", o.year))) {
		db_rollback(req->db);
		rc = LMS_ENOMEM;
		goto fail;
	}
	audit_commit_reply(req, req->db,
			   &(struct audit_event){
				   .action = "kpi_output.create",
				   .target_type = "kpi_output",
				   .target_id = json_integer_value(json_object_get(row, "id")),
				   .institution_id = inst,
				   .detail = detail},
			   201, row, NULL, NULL);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(detail);
	json_decref(row);
}

void kpi_outputs_list(struct http_req *req)
{
	json_t *items = NULL, *page = NULL;
	long long inst, cursor;
	int year, limit, rc;

	if (!pull_params_or_reply(req, list_params) || !year_or_reply(req, &year) ||
	    !http_req_page_or_reply(req, &limit, &cursor) ||
	    !guard_scope_or_reply(req, GUARD_REPORTS_READ, &inst))
		goto out;
	if ((rc = kpi_store_output_list(req->db, inst, year, cursor, limit, &items)) < 0 ||
	    (rc = (page = http_page_body(items, limit)) ? 0 : LMS_ENOMEM) < 0) {
		http_reply_error(req, rc);
		goto out;
	}
	pull_reply(req, "report.kpi_outputs", inst,
		   json_pack("{s:s, s:o, s:o, s:I}", "format", "json", "year",
			     year ? json_integer(year) : json_null(), "institution_id",
			     inst ? json_integer(inst) : json_null(), "rows",
			     (json_int_t)json_array_size(items)),
		   page, NULL, NULL);
out:
	json_decref(page);
	json_decref(items);
}

void kpi_outputs_delete(struct http_req *req)
{
	json_t *row = NULL, *detail = NULL;
	long long id, inst;
	int rc;

	if (!http_req_param_id_or_reply(req, 0, &id) || !http_req_db_or_reply(req))
		goto out;
	if ((rc = kpi_store_output_get(req->db, id, &row)) < 0)
		goto fail;
	/* Another institution's output is, to this caller, no output at all. */
	inst = json_integer_value(json_object_get(row, "institution_id"));
	if (!guard_require_or_404(req, GUARD_KPI_RECORD, inst))
		goto out;
	rc = LMS_ENOMEM;
	if (!(detail = json_pack("{s:O, s:O, s:O}", "kind", json_object_get(row, "kind"), "year",
				 json_object_get(row, "year"), "title",
				 json_object_get(row, "title"))))
		goto fail;
	if ((rc = db_begin(req->db)) < 0)
		goto fail;
	if ((rc = kpi_store_output_delete(req->db, id)) < 0 ||
	    (rc = audit_record(req, &(struct audit_event){.action = "kpi_output.delete",
							  .target_type = "kpi_output",
							  .target_id = id,
							  .institution_id = inst,
							  .detail = detail})) < 0 ||
	    (rc = db_commit(req->db)) < 0) {
		db_rollback(req->db);
		goto fail;
	}
	http_reply_start(req, 204, NULL, 0, NULL);
	goto out;
fail:
	http_reply_error(req, rc);
out:
	json_decref(detail);
	json_decref(row);
}
