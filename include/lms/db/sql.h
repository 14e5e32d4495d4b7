/* sql.h - the one SQL wrapper: $n parameters, checked results, SQLSTATE */
#ifndef LMS_DB_SQL_H
#define LMS_DB_SQL_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

/* A statement prepared on a connection: its text (a copy) and a digest of
 * it; named lms_<index in the connection's list>. sql NULL: a name given
 * up (the statement turned stale), never used again on this connection. */
#define DB_PREPARED_MAX 64
struct db_prepared {
	unsigned long hash;
	char *sql;
};

/* One database connection and the outcome of its last statement. */
struct db_conn {
	PGconn *pg;
	char sqlstate[6];         /* SQLSTATE of the last failure, "" after success */
	char errmsg[256];         /* primary message of the last failure */
	char constraint[64];      /* constraint the last failure violated, or "" */
	/* With prepare, a statement is parsed and planned once per connection
	 * (named prepared statements, up to DB_PREPARED_MAX of them), not on
	 * every run; off for a pooler that does not keep a client on one
	 * server connection between transactions. A statement with optional
	 * filters ("$1 IS NULL OR ...", "$1 = 0 OR ...") is never prepared:
	 * it is planned with its values on every run. */
	bool prepare;
	int nprepared;
	struct db_prepared prepared[DB_PREPARED_MAX];
};

/*
 * Connects c to conninfo (a libpq connection string or URI) with a bounded
 * connect timeout, with c->prepare off and no statement prepared. Returns 0
 * or LMS_EUNAVAILABLE with the reason in c->errmsg. c must be released with
 * db_conn_close() in every case.
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

/*
 * db_exec for bytes that are not text (bytea): parameter i is lengths[i]
 * raw bytes when formats[i] is 1, text (as db_exec) when it is 0; with
 * raw_result every column of *res is raw bytes too (PQgetlength, and an
 * integer column in network byte order), so a bytea travels without the
 * hex form that doubles it. Same returns and ownership as db_exec.
 */
int db_exec_raw(struct db_conn *c, PGresult **res, const char *sql, int nparams,
		const char *const *params, const int *lengths, const int *formats,
		bool raw_result);

/* db_exec with the parameters written inline: db_execp(c, &res, sql, a, b). */
#define db_execp(c, res, sql, ...)                                                       \
	db_exec((c), (res), (sql),                                                       \
		(int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),     \
		(const char *[]){__VA_ARGS__})

/*
 * Typed parameters. types holds one letter per parameter, in order ($1 is
 * the first), and the arguments follow in the same order:
 *   l  long long
 *   i  int
 *   s  const char *, NULL for SQL NULL (borrowed: read during the call)
 *   b  bool, sent as "true" or "false"
 *   ?  before a letter: an int (a condition) comes first, then the value;
 *      the parameter is SQL NULL when the condition is 0 ("?l", id > 0, id)
 * Numbers are written out inside struct db_params, on the caller's stack:
 * nothing is allocated.
 */
#define DB_PARAMS_MAX 32
struct db_params {
	int n;                                  /* parameters */
	const char *values[DB_PARAMS_MAX];      /* $1..$n: borrowed or into text */
	char text[DB_PARAMS_MAX][24];           /* the numbers written out */
};

/*
 * Fills p from the arguments that types describes, for db_exec(c, res, sql,
 * p.n, p.values): the values point into p (numbers) or are the strings
 * given (borrowed), so p and those strings must outlive the statement.
 * Returns 0, or LMS_EINVAL for an unknown letter or more than
 * DB_PARAMS_MAX parameters (the arguments after the fault are not read).
 */
int db_params_format(struct db_params *p, const char *types, ...);
int db_params_vformat(struct db_params *p, const char *types, va_list ap);

/*
 * The macros below take types as a string literal and check at compile
 * time that it has a letter per argument (each "?" counts for its
 * condition); they all run db_typed.
 */
#define DB_NARGS(...)                                                                    \
	DB_NARGS_(__VA_ARGS__, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,   \
		  18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define DB_NARGS_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15,      \
		  a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29,  \
		  a30, a31, a32, n, ...)                                                 \
	n
#define DB_TYPES_FIT(types, ...)                                                         \
	(void)sizeof(struct {                                                            \
		_Static_assert(sizeof("" types) - 1 == DB_NARGS(__VA_ARGS__),            \
			       "one parameter type letter per argument");                \
		char c;                                                                  \
	})

/*
 * db_exec with typed parameters:
 *   db_execf(db, &res, "SELECT name FROM t WHERE id = $1 AND kind = $2", "ls", id, kind)
 * Same returns and ownership as db_exec; LMS_EDB (message in c) when types
 * is malformed.
 */
#define db_execf(c, res, sql, types, ...)                                                \
	(DB_TYPES_FIT(types, __VA_ARGS__),                                               \
	 db_typed(DB_TYPED_EXEC, (c), db_typed_res(res), (sql), (types), __VA_ARGS__))

/*
 * Runs sql, which answers at most one row, with typed parameters (as
 * db_execf). Returns 0 with that row in *res (new: the caller PQclear()s
 * it), LMS_ENOTFOUND when the answer is not exactly one row, or a db_exec
 * error; *res is NULL on failure. res may be NULL when only the existence
 * of the row matters.
 */
#define db_one_row(c, res, sql, types, ...)                                              \
	(DB_TYPES_FIT(types, __VA_ARGS__),                                               \
	 db_typed(DB_TYPED_ONE_ROW, (c), db_typed_res(res), (sql), (types), __VA_ARGS__))

/* db_json with typed parameters (as db_execf); *out is a new reference. */
#define db_jsonf(c, out, sql, types, ...)                                                \
	(DB_TYPES_FIT(types, __VA_ARGS__),                                               \
	 db_typed(DB_TYPED_JSON, (c), db_typed_json(out), (sql), (types), __VA_ARGS__))

/* What db_typed does with its statement and parameters: db_exec,
 * db_one_row, db_json or db_stream_begin. */
enum db_typed_kind { DB_TYPED_EXEC, DB_TYPED_ONE_ROW, DB_TYPED_JSON, DB_TYPED_STREAM };

/*
 * Formats the arguments after types (as db_params_format) and runs sql as
 * kind says, out being that function's PGresult **, json_t ** or struct
 * db_stream *. Called through the macros, which check types and out.
 */
int db_typed(enum db_typed_kind kind, struct db_conn *c, void *out, const char *sql,
	     const char *types, ...);
static inline void *db_typed_res(PGresult **res) { return res; }
static inline void *db_typed_json(json_t **out) { return out; }

/* Runs a script of several statements (simple protocol, no parameters),
 * as migrations need. Same returns as db_exec. */
int db_exec_script(struct db_conn *c, const char *sql);

/* BEGIN / COMMIT / ROLLBACK; same returns as db_exec. A rollback that
 * succeeds keeps the SQLSTATE and message of the failure before it. */
int db_begin(struct db_conn *c);
int db_commit(struct db_conn *c);
int db_rollback(struct db_conn *c);

/*
 * BEGIN and then sql, or sql and then COMMIT, in one round trip (libpq's
 * pipeline mode) instead of two; the second runs only if the first
 * succeeded. Same returns and ownership of *res (sql's result) as db_exec;
 * after a failure the caller rolls back as after any failed statement.
 * Unlike db_exec, a connection found broken is not retried.
 */
int db_begin_exec(struct db_conn *c, PGresult **res, const char *sql, int nparams,
		  const char *const *params);
int db_exec_commit(struct db_conn *c, PGresult **res, const char *sql, int nparams,
		   const char *const *params);

/*
 * Runs sql, whose result is one text column holding JSON (PostgreSQL builds
 * it: json_build_object, json_agg), and parses the first row into *out (new
 * reference). Returns 0, LMS_ENOTFOUND when there is no row or the value is
 * NULL, LMS_EDB when it is not JSON, or a db_exec error.
 */
int db_json(struct db_conn *c, json_t **out, const char *sql, int nparams,
	    const char *const *params);

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

/* db_stream_begin with typed parameters (as db_execf). */
#define db_stream_beginf(s, c, sql, types, ...)                                          \
	(DB_TYPES_FIT(types, __VA_ARGS__),                                               \
	 db_typed(DB_TYPED_STREAM, (c), db_typed_stream(s), (sql), (types), __VA_ARGS__))
static inline void *db_typed_stream(struct db_stream *s) { return s; }

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

/* Bytes handed to the server per piece of a COPY. */
#define DB_COPY_PIECE 65536

/*
 * Runs sql, a COPY ... FROM STDIN, feeding it what fill(ctx, buf, cap)
 * writes into buf (at most cap bytes; returns the number written, 0 at the
 * end, or a negative lms_err that ends the copy as failed): data of any
 * size goes in one piece at a time. Returns 0, fill's error, or a db_exec
 * error (SQLSTATE and message in c).
 */
int db_copy_in(struct db_conn *c, const char *sql,
	       long (*fill)(void *ctx, char *buf, size_t cap), void *ctx);

/* Column col of row row of res as a long long; 0 when absent or NULL. */
long long db_ll(const PGresult *res, int row, int col);

/* Column col of row row of res, a boolean: true when it is true; false
 * when it is false, NULL or absent. */
bool db_bool(const PGresult *res, int row, int col);

/*
 * conninfo (keywords or a URI) with its user replaced by user and without
 * its password, as a new keyword=value string (free() it), or NULL when
 * conninfo does not parse.
 */
char *db_conninfo_with_user(const char *conninfo, const char *user);

/* What the database behind a connection is to writes. */
enum db_role {
	DB_ROLE_UNKNOWN,   /* not asked, or could not be */
	DB_ROLE_PRIMARY,   /* takes writes */
	DB_ROLE_REPLICA,   /* a standby in recovery (pg_is_in_recovery()) */
	DB_ROLE_READ_ONLY, /* not in recovery, but default_transaction_read_only */
};

/* Asks c's database what it is; 0 with *out set, or a db_exec error
 * (*out DB_ROLE_UNKNOWN). */
int db_role_read(struct db_conn *c, enum db_role *out);

/* "primary", "replica", "read_only" or "unknown" (static). */
const char *db_role_name(enum db_role role);

/* True when the last failure had the given SQLSTATE. */
bool db_sqlstate_is(const struct db_conn *c, const char *sqlstate);

#endif
