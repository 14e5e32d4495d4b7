/* main.c - the lms command: serve, migrate, seed, admin, housekeeping, config */
#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "lms/api/routes.h"
#include "lms/auth/account.h"
#include "lms/auth/auth_http.h"
#include "lms/auth/password.h"
#include "lms/core/config.h"
#include "lms/core/err.h"
#include "lms/core/gate.h"
#include "lms/core/log.h"
#include "lms/db/embedded.h"
#include "lms/db/listen.h"
#include "lms/selection/offer_job.h"
#include "lms/db/blob_import.h"
#include "lms/db/migrate.h"
#include "lms/db/pool.h"
#include "lms/http/cache.h"
#include "lms/http/server.h"
#include "lms/http/tls.h"
#include "lms/mail/worker.h"
#include "lms/seed/catalog_seed.h"
#include "lms/seed/activity_seed.h"
#include "lms/seed/certificate_seed.h"
#include "lms/seed/seed.h"
#include "lms/auth/throttle_store.h"
#include "lms/service/housekeeping.h"

#define DEFAULT_CONFIG "config/lms.conf"

static const char usage[] =
	"usage: lms [--config FILE] COMMAND [ARGS]\n"
	"\n"
	"Gwangju AI Talent Platform server.\n"
	"\n"
	"commands:\n"
	"  serve      run the HTTPS server (default https://localhost:8443/)\n"
	"  migrate    apply pending database migrations, then exit\n"
	"  seed [--demo [--activities]] [--certificates] [--bench N]\n"
	"             --demo: load the demo institutions, accounts and catalogue\n"
	"             (programmes, courses, sections, lessons, facilities);\n"
	"             --activities: with it, demo learners enrolled in the\n"
	"             courses with a quiz and an assignment, and their work;\n"
	"             --certificates: after --demo, finished sections whose\n"
	"             learners completed them, with certificates (one revoked);\n"
	"             --bench N: add N synthetic courses BENCH-000001.. (N up to\n"
	"             1000000), each with an open section; both idempotent\n"
	"  admin create --email EMAIL [--name NAME]\n"
	"             create a platform admin; the password comes from\n"
	"             LMS_ADMIN_PASSWORD or is asked for (never from arguments)\n"
	"  housekeeping\n"
	"             delete the rows past their retention now (as serve does\n"
	"             every housekeeping_interval_s), print the counts, then exit\n"
	"  config     print the effective configuration, then exit\n"
	"  help       show this text\n"
	"\n"
	"options:\n"
	"  --config FILE   configuration file (default " DEFAULT_CONFIG " when it exists)\n"
	"  --help          show this text\n"
	"  --version       print the version\n"
	"\n"
	"Every configuration key can be overridden by an LMS_<KEY> environment\n"
	"variable, e.g. LMS_HTTPS_PORT=9443. Without database_url, lms runs its own\n"
	"PostgreSQL cluster under data_dir/pgdata. migrate, seed and admin connect as\n"
	"the schema owner; serve connects as the application role lms_app.\n";

/* The database this run talks to (the configured one, or the embedded
 * cluster started for it), a connection for start-up work, and the
 * migrations this build carries. */
struct database {
	struct db_embedded *embedded;
	const char *conninfo;     /* the schema owner's */
	char *app_conninfo;       /* the application role's (serve), owned */
	struct db_conn conn;      /* as the owner, or as the application role */
	struct migration_set migrations;
};

static int embedded_start(const struct lms_config *cfg, struct database *db)
{
	char pgdata[PATH_MAX], err[1024];
	struct db_embedded_opts opts = {0};
	int rc;

	if (mkdir(cfg->data_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "lms: %s: cannot create data directory: %s\n", cfg->data_dir,
			strerror(errno));
		return LMS_EIO;
	}
	snprintf(pgdata, sizeof(pgdata), "%s/pgdata", cfg->data_dir);
	opts.pgdata = pgdata;
	opts.pg_bindir = cfg->pg_bindir;
	opts.dbname = "lms";
	if ((rc = db_embedded_start(&opts, &db->embedded, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: embedded database: %s\n", err);
		return rc;
	}
	db->conninfo = db_embedded_conninfo(db->embedded);
	return 0;
}

/* What to do when serve cannot connect as lms_app, by where its connection
 * string came from: only the embedded cluster trusts lms_app without a
 * password, so elsewhere the fix is the application role's own settings. */
static const char *app_connect_hint(const struct lms_config *cfg)
{
	if (cfg->app_database_url[0])
		return "lms: (check app_database_url: it must name the role lms_app, which a DBA "
		       "creates or \"lms migrate\" does when the owner may create roles)\n";
	if (cfg->database_url[0])
		return "lms: (app_database_url is empty, so serve used database_url as user lms_app "
		       "without a password: set LMS_APP_DATABASE_URL to lms_app's own connection "
		       "string, or give lms_app an entry in ~/.pgpass)\n";
	return "lms: (run \"lms migrate\" first: it creates the role lms_app)\n";
}

/* Fills db, connected as the schema owner or (as_app) as the application
 * role; release it with database_close() in every case. */
static int database_open(const struct lms_config *cfg, struct database *db, bool as_app)
{
	char err[1024];
	int rc;

	memset(db, 0, sizeof(*db));
	if ((rc = migrate_load(cfg->migrations_dir, &db->migrations, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: %s\n", err);
		return rc;
	}
	if (cfg->database_url[0])
		db->conninfo = cfg->database_url;
	else if ((rc = embedded_start(cfg, db)) < 0)
		return rc;
	if (!as_app) {
		if ((rc = db_conn_open(&db->conn, db->conninfo)) < 0) {
			fprintf(stderr, "lms: cannot connect to the database: %s\n",
				db->conn.errmsg);
			return rc;
		}
		return 0;
	}
	db->app_conninfo = cfg->app_database_url[0] ? strdup(cfg->app_database_url)
						    : db_conninfo_with_user(db->conninfo, "lms_app");
	if (!db->app_conninfo) {
		fprintf(stderr, "lms: database_url is not a valid connection string\n");
		return LMS_EINVAL;
	}
	if ((rc = db_conn_open(&db->conn, db->app_conninfo)) < 0) {
		fprintf(stderr, "lms: cannot connect as the application role: %s\n%s",
			db->conn.errmsg, app_connect_hint(cfg));
		return rc;
	}
	return 0;
}

static void database_close(struct database *db)
{
	free(db->app_conninfo);
	db->app_conninfo = NULL;
	db_conn_close(&db->conn);
	db_embedded_stop(db->embedded);
	db->embedded = NULL;
	migrate_set_release(&db->migrations);
}

/* Migration 0002 creates the role lms_app when it does not exist yet; an
 * owner without CREATEROLE would fail there, half-way through, with
 * "permission denied to create role". Say what to do before starting. */
static int app_role_ready(struct db_conn *c)
{
	PGresult *res = NULL;
	int rc = db_execf(c, &res,
			  "SELECT current_user FROM pg_roles WHERE rolname = current_user"
			  " AND NOT (rolcreaterole OR rolsuper)"
			  " AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
			  "s", "lms_app");

	if (rc < 0)
		fprintf(stderr, "lms: migrate: cannot check the database roles: %s\n", c->errmsg);
	else if (PQntuples(res) == 1) {
		fprintf(stderr,
			"lms: migrate: the role lms_app does not exist and %s may not create it: "
			"have a DBA create it (CREATE ROLE lms_app LOGIN PASSWORD '...') or grant "
			"%s CREATEROLE\n",
			PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 0));
		rc = LMS_EFORBIDDEN;
	}
	PQclear(res);
	return rc;
}

/* Attachments were once kept under data_dir/content: whatever is still
 * there moves into the database, after the migrations that made room. */
static int files_import(const struct lms_config *cfg, struct db_conn *conn)
{
	struct blob_import_count n;
	char dir[PATH_MAX];
	int rc;

	snprintf(dir, sizeof(dir), "%s/content", cfg->data_dir);
	if ((rc = blob_import_tree(conn, dir, &n)) < 0)
		fprintf(stderr, "lms: migrate: files under %s: %s\n", dir, lms_strerror(rc));
	printf("%d file%s moved into the database from %s (%d there already, %d left on "
	       "disk)\n",
	       n.moved, n.moved == 1 ? "" : "s", dir, n.present, n.failed);
	return rc < 0 ? rc : n.failed ? LMS_EIO : 0;
}

static int cmd_migrate(const struct lms_config *cfg)
{
	struct database db = {0};
	char err[1024];
	int rc, applied = 0;

	if ((rc = database_open(cfg, &db, false)) < 0 || (rc = app_role_ready(&db.conn)) < 0)
		goto out;
	if ((rc = migrate_apply(&db.conn, &db.migrations, cfg->migrate_lock_timeout_s, &applied,
				err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: migrate: %s\n", err);
		goto out;
	}
	printf("%d migration%s applied; schema is current (%zu in all)\n", applied,
	       applied == 1 ? "" : "s", db.migrations.n);
	rc = files_import(cfg, &db.conn);
out:
	database_close(&db);
	return rc < 0 ? 1 : 0;
}

static int tls_files(const struct lms_config *cfg, struct http_app *app)
{
	char dir[PATH_MAX], err[1024];

	if (cfg->tls_cert[0] || cfg->tls_key[0]) {
		if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
			fprintf(stderr, "lms: tls_cert and tls_key must be set together\n");
			return LMS_EINVAL;
		}
		snprintf(app->tls_cert, sizeof(app->tls_cert), "%s", cfg->tls_cert);
		snprintf(app->tls_key, sizeof(app->tls_key), "%s", cfg->tls_key);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/tls", cfg->data_dir);
	if (tls_dev_cert_ensure(dir, app->tls_cert, sizeof(app->tls_cert), app->tls_key,
				sizeof(app->tls_key), err, sizeof(err)) < 0) {
		fprintf(stderr, "lms: development certificate: %s\n", err);
		return LMS_EIO;
	}
	return 0;
}

static void cache_follow(void *cache, bool receiving)
{
	http_cache_trust(cache, receiving);
}

/* Least privilege: the server must not be able to change the schema or
 * rewrite the audit log, so it refuses a superuser or the tables' owner. */
static int role_check(struct db_conn *c)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = db_exec(c, &res,
			  "SELECT current_user, r.rolsuper, pg_has_role(current_user, t.relowner,"
			  " 'MEMBER') FROM pg_roles r, pg_class t WHERE r.rolname = current_user"
			  " AND t.oid = 'public.users'::regclass",
			  0, NULL)) < 0) {
		fprintf(stderr, "lms: cannot check the database role: %s\n", c->errmsg);
		return rc;
	}
	if (db_bool(res, 0, 1) || db_bool(res, 0, 2)) {
		fprintf(stderr,
			"lms: refusing to serve as %s, a %s: connect as the application role "
			"lms_app (see app_database_url)\n",
			PQgetvalue(res, 0, 0),
			db_bool(res, 0, 1) ? "superuser" : "owner of the schema");
		rc = LMS_EFORBIDDEN;
	}
	PQclear(res);
	return rc;
}

/* What sign-in needs before the first request: the common-password list,
 * the cap on concurrent hashes, and the hash an unknown email is checked
 * against. */
static int auth_prepare(const struct lms_config *cfg, struct auth_state *auth)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int running = cfg->password_hash_concurrency;
	char err[1024];
	int rc;

	if (cfg->common_passwords_file[0] &&
	    (rc = password_list_load(cfg->common_passwords_file, &auth->common_passwords, err,
				     sizeof(err))) < 0) {
		fprintf(stderr, "lms: common_passwords_file: %s\n", err);
		return rc;
	}
	if (!cfg->common_passwords_file[0])
		log_warn("common_passwords_file is empty: common passwords are not refused");
	if (running == 0)
		running = cpus > 0 ? (int)cpus : 2;
	if (!(auth->hash_gate = gate_new(running, 4 * running)))
		return LMS_ENOMEM;
	return password_hash("lms unknown account", 19, cfg->password_hash_iterations,
			     auth->dummy_hash, sizeof(auth->dummy_hash));
}

/* Waits up to ms for one of the signals in set; false when none came. */
static bool signal_wait(const sigset_t *set, int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	for (;;) {
		int sig = sigtimedwait(set, NULL, &ts);

		if (sig > 0)
			return true;
		/* An interruption restarts the wait; the rare extra delay is
		 * bounded by the grace period once more. */
		if (errno != EINTR)
			return false;
	}
}

static int cmd_serve(const struct lms_config *cfg)
{
	struct database db = {0};
	struct http_app app = {0};
	struct auth_state auth = {0};
	struct http_server *server = NULL;
	struct db_listener *listener = NULL;
	struct mail_worker *mail = NULL;
	struct offer_job *offer_job = NULL;
	struct housekeeping *housekeeping = NULL;
	char err[1024];
	sigset_t stop;
	bool ahead = false;
	int rc, sig = 0;

	/* Workers inherit the mask, so only sigwait below sees these. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	app.cfg = cfg;
	app.migrations = &db.migrations;
	if ((rc = tls_files(cfg, &app)) < 0)
		goto out;
	if (!realpath(cfg->static_dir, app.static_root)) {
		fprintf(stderr, "lms: static_dir %s: %s\n", cfg->static_dir, strerror(errno));
		rc = LMS_EIO;
		goto out;
	}
	if ((rc = auth_prepare(cfg, &auth)) < 0)
		goto out;
	if ((rc = database_open(cfg, &db, true)) < 0)
		goto out;
	if ((rc = migrate_check(&db.conn, &db.migrations, &ahead, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: refusing to start: %s\n", err);
		goto out;
	}
	if (ahead)
		log_warn("the database has migrations newer than this build: an upgrade is under "
			 "way; serving on the schema it keeps working with");
	if ((rc = role_check(&db.conn)) < 0)
		goto out;
	db_conn_close(&db.conn);
	/* Reports wait for nothing (0 ms): a busy report pool answers 503. */
	if (!(app.pool = db_pool_new(db.app_conninfo, cfg->db_pool_size, cfg->db_pool_wait_ms)) ||
	    !(app.report_pool = db_pool_new(db.app_conninfo, cfg->report_pool_size, 0))) {
		rc = LMS_ENOMEM;
		goto out;
	}
	/* Requests run a few statements again and again: each connection
	 * parses and plans them once. Reports run a statement once. */
	db_pool_set_prepare(app.pool, cfg->db_prepared_statements);
	/* Reports may read elsewhere (a replica): one connection for each
	 * report that may stream, and as many for summaries and KPIs. */
	if (cfg->report_database_url[0] &&
	    !(app.read_pool = db_pool_new(cfg->report_database_url, 2 * cfg->report_pool_size,
					  cfg->db_pool_wait_ms))) {
		rc = LMS_ENOMEM;
		goto out;
	}
	/* Catalogue lists are kept until a change is heard of, or 30 s pass
	 * (enrolment windows open and close with time alone); while the change
	 * feed is not heard, only cache_fallback_ttl_ms. */
	if (!(app.cache = http_cache_new(16u << 20, 512u << 10, 30000,
					 cfg->cache_fallback_ttl_ms)) ||
	    !(listener = db_listener_start(&(struct db_listener_opts){
		      .conninfo = cfg->listen_database_url[0] ? cfg->listen_database_url
							      : db.app_conninfo,
		      .notify_conninfo = db.app_conninfo,
		      .channel = "lms_catalog",
		      .heartbeat_ms = cfg->listen_heartbeat_ms,
		      .fn = cache_follow,
		      .arg = app.cache}))) {
		rc = LMS_ENOMEM;
		goto out;
	}
	app.listener = listener;
	/* Mail goes out from its own thread and connection: a slow mail
	 * server never holds a request or a pooled connection. */
	if (!(mail = mail_worker_start(cfg, db.app_conninfo, err, sizeof(err)))) {
		fprintf(stderr, "lms: mail: %s\n", err);
		rc = LMS_EINVAL;
		goto out;
	}
	api_register(&app, &auth);
	if ((rc = http_server_start(&app, &server, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: %s\n", err);
		goto out;
	}
	/* Selection offers past their deadline expire and free their seats. */
	if (!(offer_job = offer_job_start(app.pool, cfg->offer_job_interval_ms))) {
		rc = LMS_ENOMEM;
		goto out;
	}
	/* Rows nothing reads any more go, at start and then every interval. */
	if (!(housekeeping = housekeeping_start(app.pool, cfg, THROTTLE_WINDOW_S))) {
		rc = LMS_ENOMEM;
		goto out;
	}
	log_info("serving https://%s:%d/ (pid %d)",
		 strcmp(cfg->listen_address, "127.0.0.1") ? cfg->listen_address : "localhost",
		 http_server_port(server), (int)getpid());
	sigwait(&stop, &sig);
	rc = 0;
	if (cfg->shutdown_grace_ms > 0) {
		log_info("%s received: draining for %d ms (a second signal stops at once)",
			 sig == SIGINT ? "SIGINT" : "SIGTERM", cfg->shutdown_grace_ms);
		http_server_drain(server);
		signal_wait(&stop, cfg->shutdown_grace_ms);
	}
	log_info("stopping: finishing requests in flight");
out:
	http_server_stop(server);
	mail_worker_stop(mail);
	offer_job_stop(offer_job);
	housekeeping_stop(housekeeping);
	db_listener_stop(listener);
	http_cache_free(app.cache);
	db_pool_free(app.pool);
	db_pool_free(app.report_pool);
	db_pool_free(app.read_pool);
	gate_free(auth.hash_gate);
	password_list_free(auth.common_passwords);
	database_close(&db);
	if (rc == 0)
		log_info("stopped");
	return rc < 0 ? 1 : 0;
}

static int cmd_seed(const struct lms_config *cfg, int argc, char **argv)
{
	struct database db = {0};
	struct seed_counts n;
	char err[1024], term[16], *end = NULL;
	long bench = 0, created;
	bool demo = false, activities = false, certificates = false;
	long long issued;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--demo") && !demo) {
			demo = true;
		} else if (!strcmp(argv[i], "--activities") && !activities) {
			activities = true;
		} else if (!strcmp(argv[i], "--certificates") && !certificates) {
			certificates = true;
		} else if (!strcmp(argv[i], "--bench") && !bench && i + 1 < argc &&
			   argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9') {
			errno = 0;
			bench = strtol(argv[++i], &end, 10);
			if (errno || *end || bench < 1 || bench > CATALOG_SEED_BENCH_MAX)
				argc = -1;
		} else {
			argc = -1;
		}
	}
	if (argc < 0 || (!demo && !bench && !certificates) || (activities && !demo)) {
		fprintf(stderr, "usage: lms seed [--demo [--activities]] [--certificates] [--bench N]\n"
				"(at least one; N is 1 to %ld)\n",
			CATALOG_SEED_BENCH_MAX);
		return 2;
	}
	if ((rc = database_open(cfg, &db, false)) < 0)
		goto out;
	if ((rc = migrate_check(&db.conn, &db.migrations, NULL, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: seed: %s\n", err);
		goto out;
	}
	if (demo) {
		if ((rc = seed_demo(&db.conn, cfg->seed_dir, cfg->password_hash_iterations, &n,
				    err, sizeof(err))) < 0) {
			fprintf(stderr, "lms: seed: %s\n", err);
			goto out;
		}
		if (activities &&
		    (rc = activity_seed_demo_load(&db.conn, cfg->seed_dir,
						  cfg->password_hash_iterations, true, err,
						  sizeof(err))) < 0) {
			fprintf(stderr, "lms: seed: %s\n", err);
			goto out;
		}
		printf("demo data loaded: %lld institutions, %lld programmes, %lld courses,"
		       " %lld sections, %lld lessons, %lld facilities, %lld accounts"
		       " (demo password %s)\n",
		       n.institutions, n.programs, n.courses, n.sections, n.lessons, n.facilities,
		       n.users, SEED_DEMO_PASSWORD);
	}
	if (certificates) {
		if ((rc = certificate_seed_demo_load(&db.conn, &issued, err, sizeof(err))) < 0) {
			fprintf(stderr, "lms: seed: %s\n", err);
			goto out;
		}
		printf("demo certificates loaded: %lld certificates (graduate1..4@example.com and"
		       " learner@example.com, demo password %s)\n",
		       issued, SEED_DEMO_PASSWORD);
	}
	if (bench) {
		if ((rc = seed_bench(&db.conn, cfg->seed_dir, bench, &created, term,
				     sizeof(term), err, sizeof(err))) < 0) {
			fprintf(stderr, "lms: seed: %s\n", err);
			goto out;
		}
		printf("benchmark catalogue: %ld of BENCH-000001..BENCH-%06ld created, each"
		       " published with one open section in %s; %ld already there\n",
		       created, bench, term, bench - created);
	}
out:
	database_close(&db);
	return rc < 0 ? 1 : 0;
}

/* One housekeeping run now, as the application role (as serve's job). */
static int cmd_housekeeping(const struct lms_config *cfg)
{
	struct housekeeping_counts counts = {0};
	struct database db = {0};
	char err[1024];
	int rc;

	if ((rc = database_open(cfg, &db, true)) < 0)
		goto out;
	if ((rc = migrate_check(&db.conn, &db.migrations, NULL, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: housekeeping: %s\n", err);
		goto out;
	}
	rc = housekeeping_run(&db.conn, cfg, THROTTLE_WINDOW_S, HOUSEKEEPING_BATCH, &counts);
	for (int t = 0; t < HOUSEKEEPING_TABLES; t++)
		printf("%s %lld\n", counts.table[t], counts.deleted[t]);
	if (rc < 0)
		fprintf(stderr, "lms: housekeeping: %s\n", db.conn.errmsg);
out:
	database_close(&db);
	return rc < 0 ? 1 : 0;
}

/* Reads a line from fd into buf without its newline; echo off on a tty. */
static bool read_secret(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t n;

	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (!fgets(buf, (int)len, stdin))
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return n > 0;
}

static int cmd_admin(const struct lms_config *cfg, int argc, char **argv)
{
	const char *email = NULL, *name = "플랫폼 관리자", *env, *problem;
	struct seed_role role = {ROLE_PLATFORM_ADMIN, NULL};
	struct password_list *common = NULL;
	struct database db = {0};
	char password[256], again[256], err[1024];
	bool created;
	int rc = LMS_EINVAL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--email") && i + 1 < argc)
			email = argv[++i];
		else if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else
			argc = 0;
	}
	if (argc < 1 || strcmp(argv[0], "create") != 0 || !email) {
		fprintf(stderr, "usage: lms admin create --email EMAIL [--name NAME]\n"
				"(the password comes from LMS_ADMIN_PASSWORD or is asked for)\n");
		return 2;
	}
	if ((problem = account_email_problem(email))) {
		fprintf(stderr, "lms: admin: the email %s\n", problem);
		return 1;
	}
	if ((problem = account_display_name_problem(name))) {
		fprintf(stderr, "lms: admin: the name %s\n", problem);
		return 1;
	}
	if ((env = getenv("LMS_ADMIN_PASSWORD")) && *env) {
		snprintf(password, sizeof(password), "%s", env);
	} else {
		if (!read_secret("password: ", password, sizeof(password)) ||
		    (isatty(STDIN_FILENO) && (!read_secret("again: ", again, sizeof(again)) ||
					      strcmp(password, again) != 0))) {
			fprintf(stderr, "lms: admin: no password given, or the two differ\n");
			return 1;
		}
	}
	if (cfg->common_passwords_file[0] &&
	    (rc = password_list_load(cfg->common_passwords_file, &common, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: common_passwords_file: %s\n", err);
		goto out;
	}
	if ((problem = password_policy_check(common, password, strlen(password), email))) {
		fprintf(stderr, "lms: admin: the password %s\n", problem);
		rc = LMS_EINVAL;
		goto out;
	}
	if ((rc = database_open(cfg, &db, false)) < 0)
		goto out;
	if ((rc = migrate_check(&db.conn, &db.migrations, NULL, err, sizeof(err))) < 0 ||
	    (rc = seed_account(&db.conn, email, name, "general", password,
			       cfg->password_hash_iterations, &role, 1, "lms admin create",
			       &created, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: admin: %s\n", err);
		goto out;
	}
	printf(created ? "created platform admin %s\n"
		       : "%s already has an account: made it a platform admin (password unchanged)\n",
	       email);
out:
	OPENSSL_cleanse(password, sizeof(password));
	password_list_free(common);
	database_close(&db);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *config_path = NULL, *command = NULL;
	char **cmd_argv = calloc((size_t)argc + 1, sizeof(char *));
	struct lms_config cfg;
	char err[1024];
	int i, status, cmd_argc = 0;

	if (!cmd_argv)
		return 1;
	/* Options before the command are lms's own; after it, the command's. */
	for (i = 1; i < argc; i++) {
		if (command) {
			cmd_argv[cmd_argc++] = argv[i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			status = 0;
			goto out;
		} else if (!strcmp(argv[i], "--version")) {
			printf("lms %s\n", LMS_VERSION);
			status = 0;
			goto out;
		} else if (!strcmp(argv[i], "--config")) {
			if (++i == argc) {
				fprintf(stderr, "lms: --config needs a file name\n");
				status = 2;
				goto out;
			}
			config_path = argv[i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			config_path = argv[i] + 9;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "lms: unknown option %s (see lms --help)\n", argv[i]);
			status = 2;
			goto out;
		} else {
			command = argv[i];
		}
	}
	if (!command || !strcmp(command, "help")) {
		fputs(usage, command ? stdout : stderr);
		status = command ? 0 : 2;
		goto out;
	}
	if (strcmp(command, "serve") && strcmp(command, "migrate") && strcmp(command, "config") &&
	    strcmp(command, "seed") && strcmp(command, "admin") && strcmp(command, "housekeeping")) {
		fprintf(stderr, "lms: unknown command %s (see lms --help)\n", command);
		status = 2;
		goto out;
	}
	if (cmd_argc && strcmp(command, "seed") && strcmp(command, "admin")) {
		fprintf(stderr, "lms: unexpected argument %s (see lms --help)\n", cmd_argv[0]);
		status = 2;
		goto out;
	}
	if (!config_path && access(DEFAULT_CONFIG, R_OK) == 0)
		config_path = DEFAULT_CONFIG;
	if (config_load(&cfg, config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		config_release(&cfg);
		status = 1;
		goto out;
	}
	log_level_set(cfg.log_level);
	if (!strcmp(command, "config")) {
		config_print(&cfg);
		status = 0;
	} else if (!strcmp(command, "migrate")) {
		status = cmd_migrate(&cfg);
	} else if (!strcmp(command, "seed")) {
		status = cmd_seed(&cfg, cmd_argc, cmd_argv);
	} else if (!strcmp(command, "admin")) {
		status = cmd_admin(&cfg, cmd_argc, cmd_argv);
	} else if (!strcmp(command, "housekeeping")) {
		status = cmd_housekeeping(&cfg);
	} else {
		status = cmd_serve(&cfg);
	}
	config_release(&cfg);
out:
	free(cmd_argv);
	return status;
}
