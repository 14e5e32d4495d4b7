/* sql.h - the one SQL wrapper: $n parameters, checked results, SQLSTATE */
#ifndef LMS_DB_SQL_H
#define LMS_DB_SQL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

/* One database connection and the outcome of its last statement. */
struct db_conn {
	PGconn *pg;
	char sqlstate[6];         /* SQLSTATE of the last failure, "" after success */
	char errmsg[256];         /* primary message of the last failure */
	char constraint[64];      /* constraint the last failure violated, or "" */
};

/*
 * Connects c to conninfo (a libpq connection string or URI) with a bounded
 * connect timeout. Returns 0 or LMS_EUNAVAILABLE with the reason in
 * c->errmsg. c must be released with db_conn_close() in every case.
 */
int db_conn_open(struct db_conn *c, const char *conninfo);

/* Closes the connection of c; accepts a zeroed struct. */
void db_conn_close(struct db_conn *c);

/*
 * Runs sql with nparams text parameters ($1..$n; NULL entries are SQL NULL).
 * On success returns 0 and, when res is not NULL, stores the result in *res
 * (new: the caller PQclear()s it); otherwise the result is cleared here.
 * On failure returns LMS_ECONFLICT (unique or exclusion violation),
 * LMS_ERETRY (serialization failure or deadlock), LMS_EUNAVAILABLE (the
 * connection failed) or LMS_EDB, with SQLSTATE and message in c; *res is
 * NULL. A statement outside a transaction whose connection turns out to be
 * broken (the server restarted) is retried once on a fresh connection.
 */
int db_exec(struct db_conn *c, PGresult **res, const char *sql, int nparams,
	    const char *const *params);

/* db_exec with the parameters written inline: db_execp(c, &res, sql, a, b). */
#define db_execp(c, res, sql, ...)                                                       \
	db_exec((c), (res), (sql),                                                       \
		(int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),     \
		(const char *[]){__VA_ARGS__})

/* Runs a script of several statements (simple protocol, no parameters),
 * as migrations need. Same returns as db_exec. */
int db_exec_script(struct db_conn *c, const char *sql);

/* BEGIN / COMMIT / ROLLBACK; same returns as db_exec. */
int db_begin(struct db_conn *c);
int db_commit(struct db_conn *c);
int db_rollback(struct db_conn *c);

/*
 * Runs sql, whose result is one text column holding JSON (PostgreSQL builds
 * it: json_build_object, json_agg), and parses the first row into *out (new
 * reference). Returns 0, LMS_ENOTFOUND when there is no row or the value is
 * NULL, LMS_EDB when it is not JSON, or a db_exec error.
 */
int db_json(struct db_conn *c, json_t **out, const char *sql, int nparams,
	    const char *const *params);

/* db_json with inline parameters, like db_execp. */
#define db_jsonp(c, out, sql, ...)                                                       \
	db_json((c), (out), (sql),                                                       \
		(int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),     \
		(const char *[]){__VA_ARGS__})

/*
 * A query whose rows are read one at a time as the server sends them
 * (libpq single-row mode), so that a result of any size is never held in
 * memory: for streamed reports.
 */
struct db_stream {
	struct db_conn *c;
	PGresult *res;  /* the current row, or the final result; owned */
	bool ahead;     /* res was read by db_stream_begin and not handed out yet */
	bool running;   /* the query has results not read yet */
};

/*
 * Sends sql with nparams text parameters (as db_exec) on c and reads up to
 * its first row, so that a query that fails at once fails here, before the
 * caller has answered anything. Returns 0, with the column names available
 * (db_stream_column_name) and the first row held for db_stream_next, or a
 * db_exec error (SQLSTATE and message in c). Until db_stream_end, nothing
 * else may run on c. s needs db_stream_end in every case.
 */
int db_stream_begin(struct db_stream *s, struct db_conn *c, const char *sql, int nparams,
		    const char *const *params);

/*
 * Moves to the next row. Returns 1 with a row to read (db_stream_value),
 * 0 after the last one, or a db_exec error when the query failed on the
 * way (SQLSTATE and message in s->c); the stream is over after 0 or an
 * error.
 */
int db_stream_next(struct db_stream *s);

/* The number of columns of the result, and the name of column col
 * (borrowed, valid until db_stream_end). */
int db_stream_columns(const struct db_stream *s);
const char *db_stream_column_name(const struct db_stream *s, int col);

/* Column col of the current row as text of *len bytes (borrowed, valid
 * until the next db_stream_next), or NULL with *len 0 for SQL NULL. */
const char *db_stream_value(const struct db_stream *s, int col, size_t *len);

/*
 * Ends the stream: a query not read to its end (the client went away) is
 * cancelled on the server and what it still sends is read and dropped, so
 * the connection is ready for the next statement. Accepts a zeroed or
 * ended stream.
 */
void db_stream_end(struct db_stream *s);

/* The first column of the first row of res as a long long; 0 when absent. */
long long db_ll(const PGresult *res, int row, int col);

/*
 * conninfo (keywords or a URI) with its user replaced by user and without
 * its password, as a new keyword=value string (free() it), or NULL when
 * conninfo does not parse.
 */
char *db_conninfo_with_user(const char *conninfo, const char *user);

/* True when the last failure had the given SQLSTATE. */
bool db_sqlstate_is(const struct db_conn *c, const char *sqlstate);

#endif
