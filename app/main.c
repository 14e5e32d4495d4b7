/* main.c - the lms command: serve, migrate, config */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lms/core/config.h"
#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/db/embedded.h"
#include "lms/db/migrate.h"
#include "lms/db/pool.h"
#include "lms/http/server.h"
#include "lms/http/tls.h"

#define DEFAULT_CONFIG "config/lms.conf"

static const char usage[] =
	"usage: lms [--config FILE] COMMAND\n"
	"\n"
	"Gwangju AI Talent Platform server.\n"
	"\n"
	"commands:\n"
	"  serve      run the HTTPS server (default https://localhost:8443/)\n"
	"  migrate    apply pending database migrations, then exit\n"
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
	"PostgreSQL cluster under data_dir/pgdata.\n";

/* The database this run talks to (the configured one, or the embedded
 * cluster started for it), a connection for start-up work, and the
 * migrations this build carries. */
struct database {
	struct db_embedded *embedded;
	const char *conninfo;
	struct db_conn conn;
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

/* Fills db; release it with database_close() in every case. */
static int database_open(const struct lms_config *cfg, struct database *db)
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
	if ((rc = db_conn_open(&db->conn, db->conninfo)) < 0) {
		fprintf(stderr, "lms: cannot connect to the database: %s\n", db->conn.errmsg);
		return rc;
	}
	return 0;
}

static void database_close(struct database *db)
{
	db_conn_close(&db->conn);
	db_embedded_stop(db->embedded);
	db->embedded = NULL;
	migrate_set_release(&db->migrations);
}

static int cmd_migrate(const struct lms_config *cfg)
{
	struct database db = {0};
	char err[1024];
	int rc, applied = 0;

	if ((rc = database_open(cfg, &db)) < 0)
		goto out;
	if ((rc = migrate_apply(&db.conn, &db.migrations, &applied, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: migrate: %s\n", err);
		goto out;
	}
	printf("%d migration%s applied; schema is current (%zu in all)\n", applied,
	       applied == 1 ? "" : "s", db.migrations.n);
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

static int cmd_serve(const struct lms_config *cfg)
{
	struct database db = {0};
	struct http_app app = {0};
	struct http_server *server = NULL;
	char err[1024];
	sigset_t stop;
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
	if ((rc = database_open(cfg, &db)) < 0)
		goto out;
	if ((rc = migrate_check(&db.conn, &db.migrations, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: refusing to start: %s\n", err);
		goto out;
	}
	db_conn_close(&db.conn);
	if (!(app.pool = db_pool_new(db.conninfo, cfg->db_pool_size, cfg->db_pool_wait_ms))) {
		rc = LMS_ENOMEM;
		goto out;
	}
	if ((rc = http_server_start(&app, &server, err, sizeof(err))) < 0) {
		fprintf(stderr, "lms: %s\n", err);
		goto out;
	}
	log_info("serving https://%s:%d/ (pid %d)",
		 strcmp(cfg->listen_address, "127.0.0.1") ? cfg->listen_address : "localhost",
		 http_server_port(server), (int)getpid());
	sigwait(&stop, &sig);
	log_info("%s received: finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = 0;
out:
	http_server_stop(server);
	db_pool_free(app.pool);
	database_close(&db);
	if (rc == 0)
		log_info("stopped");
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *config_path = NULL, *command = NULL;
	struct lms_config cfg;
	char err[1024];
	int i, status;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("lms %s\n", LMS_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--config")) {
			if (++i == argc) {
				fprintf(stderr, "lms: --config needs a file name\n");
				return 2;
			}
			config_path = argv[i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			config_path = argv[i] + 9;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "lms: unknown option %s (see lms --help)\n", argv[i]);
			return 2;
		} else if (!command) {
			command = argv[i];
		} else {
			fprintf(stderr, "lms: unexpected argument %s (see lms --help)\n", argv[i]);
			return 2;
		}
	}
	if (!command || !strcmp(command, "help")) {
		fputs(usage, command ? stdout : stderr);
		return command ? 0 : 2;
	}
	if (strcmp(command, "serve") && strcmp(command, "migrate") && strcmp(command, "config")) {
		fprintf(stderr, "lms: unknown command %s (see lms --help)\n", command);
		return 2;
	}
	if (!config_path && access(DEFAULT_CONFIG, R_OK) == 0)
		config_path = DEFAULT_CONFIG;
	if (config_load(&cfg, config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		config_release(&cfg);
		return 1;
	}
	log_level_set(cfg.log_level);
	if (!strcmp(command, "config")) {
		config_print(&cfg);
		status = 0;
	} else if (!strcmp(command, "migrate")) {
		status = cmd_migrate(&cfg);
	} else {
		status = cmd_serve(&cfg);
	}
	config_release(&cfg);
	return status;
}
