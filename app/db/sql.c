/* sql.c - the one SQL wrapper: $n parameters, checked results, SQLSTATE */
#include "lms/db/sql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/core/log.h"

static void set_error(struct db_conn *c, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;

	snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", state ? state : "");
	snprintf(c->constraint, sizeof(c->constraint), "%s", constraint ? constraint : "");
	if (!msg)
		msg = c->pg ? PQerrorMessage(c->pg) : "no connection";
	snprintf(c->errmsg, sizeof(c->errmsg), "%s", msg);
	/* libpq messages end in a newline; the log adds its own. */
	c->errmsg[strcspn(c->errmsg, "\n")] = '\0';
}

static int map_error(const struct db_conn *c)
{
	const char *s = c->sqlstate;

	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK)
		return LMS_EUNAVAILABLE;
	if (!strcmp(s, "23505") || !strcmp(s, "23P01"))
		return LMS_ECONFLICT;
	if (!strcmp(s, "40001") || !strcmp(s, "40P01"))
		return LMS_ERETRY;
	/* class 08: connection exception; 57P0x: server shutting down; 53300:
	 * too many connections */
	if (!strncmp(s, "08", 2) || !strncmp(s, "57P0", 4) || !strcmp(s, "53300"))
		return LMS_EUNAVAILABLE;
	return LMS_EDB;
}

int db_conn_open(struct db_conn *c, const char *conninfo)
{
	/* Later keywords override earlier ones, so the configured conninfo
	 * (expanded from "dbname") wins over these defaults. */
	static const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *values[] = {"5", "lms", conninfo, NULL};

	c->sqlstate[0] = c->errmsg[0] = c->constraint[0] = '\0';
	c->prepare = false;
	c->nprepared = 0;
	c->pg = PQconnectdbParams(keys, values, 1);
	if (!c->pg) {
		snprintf(c->errmsg, sizeof(c->errmsg), "out of memory");
		return LMS_EUNAVAILABLE;
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		set_error(c, NULL);
		return LMS_EUNAVAILABLE;
	}
	return 0;
}

/* The server forgot the connection's prepared statements (a new session):
 * so does c. */
static void forget_prepared(struct db_conn *c)
{
	for (int i = 0; i < c->nprepared; i++)
		free(c->prepared[i].sql);
	c->nprepared = 0;
}

void db_conn_close(struct db_conn *c)
{
	if (c->pg) {
		PQfinish(c->pg);
		forget_prepared(c);
	}
	c->pg = NULL;
}

/* A connection that died between requests (server restart) fails its next
 * statement. Outside a transaction (idle before it) nothing was lost: this
 * reconnects, so that the statement can run again, once. */
static bool reconnected(struct db_conn *c, bool idle)
{
	if (!idle || PQstatus(c->pg) != CONNECTION_BAD)
		return false;
	PQreset(c->pg);
	forget_prepared(c);
	if (PQstatus(c->pg) == CONNECTION_OK) {
		log_info("database connection re-established");
		return true;
	}
	set_error(c, NULL);
	return false;
}

/* Parameters sent as raw bytes and results asked for as raw bytes (bytea
 * without its hex text form); NULL: all text. */
struct raw_io {
	const int *lengths;
	const int *formats;
	int result_format;
};

/* FNV-1a: the statement cache's digest of a statement's text. */
static unsigned long text_hash(const char *s)
{
	unsigned long h = 2166136261UL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619UL;
	return h;
}

static void prepared_name(char name[16], int i) { snprintf(name, 16, "lms_%d", i); }

/* Optional filters, in the two forms the statements write them
 * ("$2::text IS NULL OR p.code = $2", "$1::bigint = 0 OR c.institution_id
 * = $1"), leave a plan only when it is made with the values; a prepared
 * statement may settle on one plan for all values (PostgreSQL's generic
 * plan), which keeps every filter and its cost. Such statements are
 * planned on every run. */
static bool has_optional_filter(const char *sql)
{
	return strstr(sql, "IS NULL OR") || strstr(sql, "= 0 OR");
}

/* The index of sql among c's prepared statements, preparing it when there
 * is room; -1: run it unnamed (the list full, optional filters, or no copy
 * of its text); -2: the prepare failed, with the reason in c. */
static int prepared_index(struct db_conn *c, const char *sql, int nparams)
{
	unsigned long h = text_hash(sql);
	struct db_prepared *p;
	char name[16];
	PGresult *r;

	for (int i = 0; i < c->nprepared; i++)
		if (c->prepared[i].sql && c->prepared[i].hash == h && !strcmp(c->prepared[i].sql, sql))
			return i;
	if (c->nprepared == DB_PREPARED_MAX || has_optional_filter(sql))
		return -1;
	prepared_name(name, c->nprepared);
	r = PQprepare(c->pg, name, sql, nparams, NULL);
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_error(c, r);
		PQclear(r);
		return -2;
	}
	PQclear(r);
	/* The name is taken on the server whatever happens here. */
	p = &c->prepared[c->nprepared++];
	p->hash = h;
	p->sql = strdup(sql);
	return p->sql ? c->nprepared - 1 : -1;
}

/* A prepared statement that a schema change made stale ("cached plan must
 * not change result type") or that the server no longer has: its name is
 * given up, and the next run prepares the text afresh. */
static bool prepared_stale(struct db_conn *c, int i)
{
	if (i < 0 || (strcmp(c->sqlstate, "0A000") && strcmp(c->sqlstate, "26000")))
		return false;
	free(c->prepared[i].sql);
	c->prepared[i].sql = NULL;
	return true;
}

static int run(struct db_conn *c, PGresult **res, const char *sql, int nparams,
	       const char *const *params, bool script, const struct raw_io *raw)
{
	bool idle = c->pg && PQtransactionStatus(c->pg) == PQTRANS_IDLE;
	PGresult *r;
	ExecStatusType st;
	char name[16];

	if (res)
		*res = NULL;
	if (!c->pg) {
		snprintf(c->errmsg, sizeof(c->errmsg), "no connection");
		return LMS_EUNAVAILABLE;
	}
	for (int attempt = 0;; attempt++) {
		int i = !script && c->prepare ? prepared_index(c, sql, nparams) : -1;

		if (i == -2) {
			r = NULL;
		} else if (i >= 0) {
			prepared_name(name, i);
			r = PQexecPrepared(c->pg, name, nparams, params, raw ? raw->lengths : NULL,
					   raw ? raw->formats : NULL, raw ? raw->result_format : 0);
		} else {
			r = script ? PQexec(c->pg, sql)
				   : PQexecParams(c->pg, sql, nparams, NULL, params,
						  raw ? raw->lengths : NULL,
						  raw ? raw->formats : NULL,
						  raw ? raw->result_format : 0);
		}
		st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			c->sqlstate[0] = c->errmsg[0] = c->constraint[0] = '\0';
			if (res)
				*res = r;
			else
				PQclear(r);
			return 0;
		}
		if (i != -2)
			set_error(c, r);
		PQclear(r);
		/* Outside a transaction a failed statement changed nothing: a
		 * stale one runs again, prepared afresh; a broken connection
		 * is opened again. */
		if (attempt == 0 && (prepared_stale(c, i) ? idle : reconnected(c, idle)))
			continue;
		return map_error(c);
	}
}

int db_exec(struct db_conn *c, PGresult **res, const char *sql, int nparams,
	    const char *const *params)
{
	return run(c, res, sql, nparams, params, false, NULL);
}

int db_exec_raw(struct db_conn *c, PGresult **res, const char *sql, int nparams,
		const char *const *params, const int *lengths, const int *formats,
		bool raw_result)
{
	const struct raw_io raw = {lengths, formats, raw_result ? 1 : 0};

	return run(c, res, sql, nparams, params, false, &raw);
}

int db_exec_script(struct db_conn *c, const char *sql)
{
	return run(c, NULL, sql, 0, NULL, true, NULL);
}

/*
 * Runs the statements in one round trip (libpq's pipeline mode): each runs
 * only if the ones before it succeeded, as one transaction would. *res (if
 * not NULL) gets the result of statement keep. Returns 0, or the first
 * failure as db_exec does. Statements are prepared (when c prepares)
 * before the batch: the first time, that is a round trip of its own.
 */
static int pipeline(struct db_conn *c, PGresult **res, int keep, int n, const char *const *sql,
		    const int *nparams, const char *const *const *params)
{
	int rc = 0, sent = 0, idx[4];
	char name[16];
	PGresult *r;

	if (res)
		*res = NULL;
	if (n > (int)(sizeof(idx) / sizeof(idx[0])))
		return LMS_EINVAL;
	if (!c->pg) {
		snprintf(c->errmsg, sizeof(c->errmsg), "no connection");
		return LMS_EUNAVAILABLE;
	}
	for (int k = 0; k < n; k++)
		if ((idx[k] = c->prepare ? prepared_index(c, sql[k], nparams[k]) : -1) == -2)
			return map_error(c);
	if (PQenterPipelineMode(c->pg) != 1) {
		set_error(c, NULL);
		return map_error(c);
	}
	for (; sent < n; sent++) {
		prepared_name(name, idx[sent]);
		if ((idx[sent] >= 0 ? PQsendQueryPrepared(c->pg, name, nparams[sent], params[sent],
							  NULL, NULL, 0)
				    : PQsendQueryParams(c->pg, sql[sent], nparams[sent], NULL,
							params[sent], NULL, NULL, 0)) != 1)
			break;
	}
	/* Without the sync the server answers nothing, and the connection
	 * holds a half-sent batch: it is given up (the pool opens another). */
	if (sent < n || PQpipelineSync(c->pg) != 1) {
		set_error(c, NULL);
		db_conn_close(c);
		return LMS_EUNAVAILABLE;
	}
	for (int k = 0; k < sent; k++) {
		ExecStatusType st;

		r = PQgetResult(c->pg);
		st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && rc == 0) {
			set_error(c, r);
			rc = map_error(c);
			prepared_stale(c, idx[k]);
		}
		if (k == keep && res && rc == 0)
			*res = r;
		else
			PQclear(r);
		/* Each statement's results end with a NULL. */
		while (r && (r = PQgetResult(c->pg)))
			PQclear(r);
	}
	/* The sync's own result, and any left by a broken batch, go before
	 * the connection leaves pipeline mode (bounded: a dead connection
	 * answers NULL at once). */
	for (int k = 0; k < 2 * n + 2 && PQexitPipelineMode(c->pg) != 1; k++)
		PQclear(PQgetResult(c->pg));
	if (PQpipelineStatus(c->pg) != PQ_PIPELINE_OFF) {
		if (rc == 0) {
			set_error(c, NULL);
			rc = LMS_EUNAVAILABLE;
		}
		db_conn_close(c);
	}
	if (rc < 0 && res) {
		PQclear(*res);
		*res = NULL;
	}
	if (rc == 0)
		c->sqlstate[0] = c->errmsg[0] = c->constraint[0] = '\0';
	return rc;
}

int db_begin_exec(struct db_conn *c, PGresult **res, const char *sql, int nparams,
		  const char *const *params)
{
	const char *const sqls[] = {"BEGIN", sql};
	const int ns[] = {0, nparams};
	const char *const *const ps[] = {NULL, params};

	return pipeline(c, res, 1, 2, sqls, ns, ps);
}

int db_exec_commit(struct db_conn *c, PGresult **res, const char *sql, int nparams,
		   const char *const *params)
{
	const char *const sqls[] = {sql, "COMMIT"};
	const int ns[] = {nparams, 0};
	const char *const *const ps[] = {params, NULL};

	return pipeline(c, res, 0, 2, sqls, ns, ps);
}

int db_begin(struct db_conn *c) { return run(c, NULL, "BEGIN", 0, NULL, false, NULL); }
int db_commit(struct db_conn *c) { return run(c, NULL, "COMMIT", 0, NULL, false, NULL); }
int db_rollback(struct db_conn *c)
{
	char state[sizeof(c->sqlstate)], msg[sizeof(c->errmsg)], constraint[sizeof(c->constraint)];
	int rc;

	/* Why the transaction failed outlives the rollback: whoever answers
	 * for the failure reads it afterwards. */
	memcpy(state, c->sqlstate, sizeof(state));
	memcpy(msg, c->errmsg, sizeof(msg));
	memcpy(constraint, c->constraint, sizeof(constraint));
	if ((rc = run(c, NULL, "ROLLBACK", 0, NULL, false, NULL)) == 0 && state[0]) {
		memcpy(c->sqlstate, state, sizeof(state));
		memcpy(c->errmsg, msg, sizeof(msg));
		memcpy(c->constraint, constraint, sizeof(constraint));
	}
	return rc;
}

bool db_sqlstate_is(const struct db_conn *c, const char *sqlstate)
{
	return strcmp(c->sqlstate, sqlstate) == 0;
}

int db_json(struct db_conn *c, json_t **out, const char *sql, int nparams,
	    const char *const *params)
{
	PGresult *res = NULL;
	json_error_t jerr;
	int rc;

	*out = NULL;
	if ((rc = db_exec(c, &res, sql, nparams, params)) < 0)
		return rc;
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
		rc = LMS_ENOTFOUND;
	} else if (!(*out = json_loadb(PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0), 0,
				       &jerr))) {
		snprintf(c->errmsg, sizeof(c->errmsg), "result is not JSON: %s", jerr.text);
		rc = LMS_EDB;
	}
	PQclear(res);
	return rc;
}

/* Writes n in decimal at the end of buf (24 bytes: any long long fits)
 * and returns where it starts: cheaper than snprintf on every id. */
static const char *number_text(char buf[24], long long n)
{
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	char *p = buf + 23;

	*p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (n < 0)
		*--p = '-';
	return p;
}

int db_params_vformat(struct db_params *p, const char *types, va_list ap)
{
	p->n = 0;
	for (const char *t = types; *t; t++) {
		bool present = true;
		const char *v;

		if (p->n == DB_PARAMS_MAX)
			return LMS_EINVAL;
		if (*t == '?') {
			present = va_arg(ap, int) != 0;
			t++;
		}
		switch (*t) {
		case 'l': v = number_text(p->text[p->n], va_arg(ap, long long)); break;
		case 'i': v = number_text(p->text[p->n], va_arg(ap, int)); break;
		case 's': v = va_arg(ap, const char *); break;
		case 'b': v = va_arg(ap, int) ? "true" : "false"; break;
		default: return LMS_EINVAL;
		}
		p->values[p->n++] = present ? v : NULL;
	}
	return 0;
}

int db_params_format(struct db_params *p, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_params_vformat(p, types, ap);
	va_end(ap);
	return rc;
}

/* Runs sql with n parameters as db_exec, and answers as db_one_row. */
static int one_row(struct db_conn *c, PGresult **res, const char *sql, int n,
		   const char *const *params)
{
	PGresult *r = NULL;
	int rc;

	if ((rc = db_exec(c, &r, sql, n, params)) < 0)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return LMS_ENOTFOUND;
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return 0;
}

int db_typed(enum db_typed_kind kind, struct db_conn *c, void *out, const char *sql,
	     const char *types, ...)
{
	struct db_params p;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_params_vformat(&p, types, ap);
	va_end(ap);
	/* A malformed types string is a fault of the code, not of the
	 * database: it is reported as a database error, so that it is logged
	 * and answered as one; out is left as the function run fails. */
	if (rc < 0) {
		c->sqlstate[0] = c->constraint[0] = '\0';
		snprintf(c->errmsg, sizeof(c->errmsg), "bad parameter types \"%s\"", types);
		if (kind == DB_TYPED_STREAM) {
			memset(out, 0, sizeof(struct db_stream));
			((struct db_stream *)out)->c = c;
		} else if (kind == DB_TYPED_JSON) {
			*(json_t **)out = NULL;
		} else if (out) {
			*(PGresult **)out = NULL;
		}
		return LMS_EDB;
	}
	switch (kind) {
	case DB_TYPED_EXEC: return db_exec(c, out, sql, p.n, p.values);
	case DB_TYPED_ONE_ROW: return one_row(c, out, sql, p.n, p.values);
	case DB_TYPED_JSON: return db_json(c, out, sql, p.n, p.values);
	default: return db_stream_begin(out, c, sql, p.n, p.values);
	}
}

/* Reads and drops the results the query still has (after its last row, an
 * error, or a cancel). */
static void stream_drain(struct db_stream *s)
{
	PGresult *r;

	while ((r = PQgetResult(s->c->pg)))
		PQclear(r);
	s->running = false;
}

int db_stream_begin(struct db_stream *s, struct db_conn *c, const char *sql, int nparams,
		    const char *const *params)
{
	bool idle = c->pg && PQtransactionStatus(c->pg) == PQTRANS_IDLE;
	ExecStatusType st;

	memset(s, 0, sizeof(*s));
	s->c = c;
	if (!c->pg) {
		snprintf(c->errmsg, sizeof(c->errmsg), "no connection");
		return LMS_EUNAVAILABLE;
	}
	for (int attempt = 0;; attempt++) {
		if (PQsendQueryParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0) == 1) {
			s->running = true;
			if (PQsetSingleRowMode(c->pg) != 1) {
				snprintf(c->errmsg, sizeof(c->errmsg), "single-row mode refused");
				stream_drain(s);
				return LMS_EDB;
			}
			s->res = PQgetResult(c->pg);
			st = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
			if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
				c->sqlstate[0] = c->errmsg[0] = c->constraint[0] = '\0';
				s->ahead = true;
				return 0;
			}
		}
		set_error(c, s->res);
		PQclear(s->res);
		s->res = NULL;
		if (s->running)
			stream_drain(s);
		if (attempt == 0 && reconnected(c, idle))
			continue;
		return map_error(c);
	}
}

int db_stream_next(struct db_stream *s)
{
	ExecStatusType st;

	if (s->ahead) {
		s->ahead = false;
	} else {
		if (!s->running)
			return 0;
		PQclear(s->res);
		s->res = PQgetResult(s->c->pg);
	}
	st = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
	if (st == PGRES_SINGLE_TUPLE)
		return 1;
	/* The final result has no row; it stays for the column names. */
	if (st == PGRES_TUPLES_OK) {
		stream_drain(s);
		return 0;
	}
	set_error(s->c, s->res);
	PQclear(s->res);
	s->res = NULL;
	if (s->running)
		stream_drain(s);
	return map_error(s->c);
}

int db_stream_columns(const struct db_stream *s)
{
	return s->res ? PQnfields(s->res) : 0;
}

const char *db_stream_column_name(const struct db_stream *s, int col)
{
	return s->res ? PQfname(s->res, col) : NULL;
}

const char *db_stream_value(const struct db_stream *s, int col, size_t *len)
{
	if (!s->res || PQntuples(s->res) < 1 || PQgetisnull(s->res, 0, col)) {
		*len = 0;
		return NULL;
	}
	*len = (size_t)PQgetlength(s->res, 0, col);
	return PQgetvalue(s->res, 0, col);
}

void db_stream_end(struct db_stream *s)
{
	if (s->running && s->c->pg) {
		/* Rows nobody will read: stop the server producing them, then
		 * take what is already on its way (a few rows and the
		 * cancellation's error). */
		PGcancel *cancel = PQgetCancel(s->c->pg);
		char err[256];

		if (!cancel || !PQcancel(cancel, err, sizeof(err)))
			log_warn("database: cannot cancel a query cut short: %s",
				 cancel ? err : "out of memory");
		PQfreeCancel(cancel);
		stream_drain(s);
	}
	PQclear(s->res);
	s->res = NULL;
	s->ahead = s->running = false;
}

long long db_ll(const PGresult *res, int row, int col)
{
	if (!res || row >= PQntuples(res) || col >= PQnfields(res) || PQgetisnull(res, row, col))
		return 0;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

bool db_bool(const PGresult *res, int row, int col)
{
	if (!res || row >= PQntuples(res) || col >= PQnfields(res))
		return false;
	return strcmp(PQgetvalue(res, row, col), "t") == 0;
}

int db_role_read(struct db_conn *c, enum db_role *out)
{
	PGresult *res = NULL;
	int rc;

	*out = DB_ROLE_UNKNOWN;
	if ((rc = db_exec(c, &res,
			  "SELECT pg_is_in_recovery(),"
			  " current_setting('default_transaction_read_only')::bool",
			  0, NULL)) < 0)
		return rc;
	*out = db_bool(res, 0, 0)   ? DB_ROLE_REPLICA
	       : db_bool(res, 0, 1) ? DB_ROLE_READ_ONLY
				    : DB_ROLE_PRIMARY;
	PQclear(res);
	return 0;
}

const char *db_role_name(enum db_role role)
{
	switch (role) {
	case DB_ROLE_PRIMARY: return "primary";
	case DB_ROLE_REPLICA: return "replica";
	case DB_ROLE_READ_ONLY: return "read_only";
	case DB_ROLE_UNKNOWN: break;
	}
	return "unknown";
}

/* Appends key='value' with ' and \ escaped, as libpq's conninfo syntax
 * wants. */
static bool conninfo_append(char **buf, size_t *len, size_t *cap, const char *key,
			    const char *value)
{
	size_t need = strlen(key) + 2 * strlen(value) + 5;

	if (*len + need >= *cap) {
		size_t ncap = (*cap + need) * 2;
		char *grown = realloc(*buf, ncap);
		if (!grown)
			return false;
		*buf = grown;
		*cap = ncap;
	}
	*len += (size_t)sprintf(*buf + *len, "%s%s='", *len ? " " : "", key);
	for (const char *v = value; *v; v++) {
		if (*v == '\'' || *v == '\\')
			(*buf)[(*len)++] = '\\';
		(*buf)[(*len)++] = *v;
	}
	(*buf)[(*len)++] = '\'';
	(*buf)[*len] = '\0';
	return true;
}

char *db_conninfo_with_user(const char *conninfo, const char *user)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	bool ok = opts != NULL;

	for (PQconninfoOption *o = opts; ok && o->keyword; o++) {
		/* The owner's password is not the other role's. */
		if (!strcmp(o->keyword, "user") || !strcmp(o->keyword, "password"))
			continue;
		if (o->val && *o->val)
			ok = conninfo_append(&buf, &len, &cap, o->keyword, o->val);
	}
	if (ok)
		ok = conninfo_append(&buf, &len, &cap, "user", user);
	PQconninfoFree(opts);
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

int db_copy_in(struct db_conn *c, const char *sql,
	       long (*fill)(void *ctx, char *buf, size_t cap), void *ctx)
{
	PGresult *r;
	char *buf = NULL;
	long n = 0;
	int rc = 0;

	if (!c->pg) {
		snprintf(c->errmsg, sizeof(c->errmsg), "no connection");
		return LMS_EUNAVAILABLE;
	}
	r = PQexec(c->pg, sql);
	if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
		set_error(c, r);
		PQclear(r);
		return map_error(c);
	}
	PQclear(r);
	if (!(buf = malloc(DB_COPY_PIECE)))
		rc = LMS_ENOMEM;
	while (!rc && (n = fill(ctx, buf, DB_COPY_PIECE)) > 0)
		if (PQputCopyData(c->pg, buf, (int)n) != 1)
			rc = LMS_EUNAVAILABLE;
	if (!rc && n < 0)
		rc = (int)n;
	free(buf);
	/* A copy the caller could not feed is ended as failed: nothing of it
	 * stays. */
	if (PQputCopyEnd(c->pg, rc ? "the copy's source failed" : NULL) != 1 && !rc)
		rc = LMS_EUNAVAILABLE;
	while ((r = PQgetResult(c->pg))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc) {
			set_error(c, r);
			rc = map_error(c);
		}
		PQclear(r);
	}
	if (!rc)
		c->sqlstate[0] = c->errmsg[0] = c->constraint[0] = '\0';
	return rc;
}
