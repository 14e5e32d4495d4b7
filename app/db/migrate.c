/* migrate.c - ordered SQL migrations recorded with checksums */
#include "lms/db/migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/core/log.h"
#include "lms/core/text.h"

/* Any constant works; it only has to be the same for every lms process. */
#define MIGRATE_LOCK_KEY "7310226001"

static const char create_table_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version integer PRIMARY KEY,"
	" file text NOT NULL,"
	" checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";

static bool name_valid(const char *name, int *version)
{
	size_t n = strlen(name);
	const char *p;

	if (n < 10 || strcmp(name + n - 4, ".sql") != 0)
		return false;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	if (name[4] != '_')
		return false;
	for (p = name + 5; p < name + n - 4; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
			return false;
	*version = atoi(name);
	return true;
}

static int read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;
	int rc = LMS_EIO;

	if (!f)
		return LMS_EIO;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if (!(buf = malloc((size_t)len + 1))) {
		rc = LMS_ENOMEM;
		goto out;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto out;
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

static void sha256_hex(const char *data, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_Digest(data, strlen(data), md, &len, EVP_sha256(), NULL);
	text_hex_encode(md, len < 32 ? len : 32, hex);
}

static int by_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;
	return (x->version > y->version) - (x->version < y->version);
}

int migrate_load(const char *dir, struct migration_set *set, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	memset(set, 0, sizeof(*set));
	if (!d) {
		snprintf(err, errlen, "%s: cannot open migrations directory: %s", dir, strerror(errno));
		return LMS_EIO;
	}
	while ((e = readdir(d))) {
		struct migration *grown, *m;
		char path[4096];
		int version;

		if (e->d_name[0] == '.')
			continue;
		if (!name_valid(e->d_name, &version)) {
			snprintf(err, errlen, "%s/%s: not a migration name (NNNN_name.sql)", dir,
				 e->d_name);
			rc = LMS_EINVAL;
			break;
		}
		if (!(grown = realloc(set->items, (set->n + 1) * sizeof(*grown)))) {
			rc = LMS_ENOMEM;
			break;
		}
		set->items = grown;
		m = &set->items[set->n];
		memset(m, 0, sizeof(*m));
		m->version = version;
		set->n++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!(m->file = strdup(e->d_name)) || (rc = read_file(path, &m->sql)) < 0) {
			snprintf(err, errlen, "%s: cannot read", path);
			rc = rc < 0 ? rc : LMS_ENOMEM;
			break;
		}
		sha256_hex(m->sql, m->checksum);
	}
	closedir(d);
	if (rc < 0)
		return rc;
	qsort(set->items, set->n, sizeof(*set->items), by_version);
	for (size_t i = 1; i < set->n; i++) {
		if (set->items[i].version == set->items[i - 1].version) {
			snprintf(err, errlen, "%s and %s: two migrations with version %04d",
				 set->items[i - 1].file, set->items[i].file, set->items[i].version);
			return LMS_EINVAL;
		}
	}
	return 0;
}

void migrate_set_release(struct migration_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->items[i].file);
		free(set->items[i].sql);
	}
	free(set->items);
	memset(set, 0, sizeof(*set));
}

static const struct migration *find(const struct migration_set *set, int version)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->items[i].version == version)
			return &set->items[i];
	return NULL;
}

static bool find_version(const PGresult *res, int version)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (atoi(PQgetvalue(res, i, 0)) == version)
			return true;
	return false;
}

static int db_fail(struct db_conn *c, int rc, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, c->errmsg);
	return rc;
}

/* Compares the recorded migrations with set. applied (set->n entries, may be
 * NULL) receives which migrations of set are recorded; *pending whether
 * some is not, the first of which is named in err when nothing worse is
 * found. */
static int compare(struct db_conn *c, const struct migration_set *set, bool *applied,
		   bool *pending, bool *ahead, char *err, size_t errlen)
{
	int rc, n, newest = set->n ? set->items[set->n - 1].version : 0;
	PGresult *res = NULL;

	*pending = false;
	if (ahead)
		*ahead = false;
	if (applied)
		memset(applied, 0, set->n * sizeof(*applied));
	rc = db_exec(c, &res, "SELECT version, file, checksum FROM schema_migrations ORDER BY version",
		     0, NULL);
	if (rc < 0) {
		if (db_sqlstate_is(c, "42P01")) { /* undefined_table: nothing applied */
			*pending = set->n > 0;
			if (*pending)
				snprintf(err, errlen, "schema is behind: %s not applied; run lms migrate",
					 set->items[0].file);
			return 0;
		}
		return db_fail(c, rc, "reading schema_migrations", err, errlen);
	}
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		int version = atoi(PQgetvalue(res, i, 0));
		const struct migration *m = find(set, version);

		/* Newer than all this build knows: a later release migrated first,
		 * as a rolling upgrade does (its migrations keep the old code
		 * working). An unknown version among ours is another lineage. */
		if (!m && ahead && version > newest) {
			*ahead = true;
			continue;
		}
		if (!m) {
			snprintf(err, errlen,
				 "database has migration %s that this build does not know",
				 PQgetvalue(res, i, 1));
			rc = LMS_ECONFLICT;
			goto out;
		}
		if (strcmp(m->checksum, PQgetvalue(res, i, 2)) != 0) {
			snprintf(err, errlen, "migration %s was changed after it was applied", m->file);
			rc = LMS_ECONFLICT;
			goto out;
		}
		if (applied)
			applied[m - set->items] = true;
	}
	/* Every row matched a distinct migration of set, so fewer rows than
	 * files means some are pending. */
	if ((size_t)n < set->n) {
		for (size_t i = 0; i < set->n; i++) {
			if (!find_version(res, set->items[i].version)) {
				snprintf(err, errlen, "schema is behind: %s not applied; run lms migrate",
					 set->items[i].file);
				break;
			}
		}
		*pending = true;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int migrate_check(struct db_conn *c, const struct migration_set *set, bool *ahead, char *err,
		  size_t errlen)
{
	bool pending;
	int rc = compare(c, set, NULL, &pending, ahead, err, errlen);

	if (rc < 0)
		return rc;
	return pending ? LMS_EINVAL : 0;
}

static int apply_one(struct db_conn *c, const struct migration *m, char *err, size_t errlen)
{
	int rc;

	if ((rc = db_exec_script(c, m->sql)) < 0) {
		snprintf(err, errlen, "%s: %s%s%s", m->file, c->errmsg, c->sqlstate[0] ? " SQLSTATE " : "",
			 c->sqlstate);
		return rc;
	}
	rc = db_execf(c, NULL,
		      "INSERT INTO schema_migrations (version, file, checksum) VALUES ($1, $2, $3)",
		      "iss", m->version, m->file, m->checksum);
	if (rc < 0)
		return db_fail(c, rc, m->file, err, errlen);
	log_info("applied migration %s", m->file);
	return 0;
}

/* Takes the migration lock for the transaction open on c, waiting at most
 * timeout_s for a run that holds it. A transaction-scoped lock is released
 * by COMMIT or ROLLBACK on the very server connection that took it, which
 * is what a transaction-pooling PgBouncer guarantees, and a session lock
 * is not. */
static int lock_take(struct db_conn *c, int timeout_s, char *err, size_t errlen)
{
	PGresult *res = NULL;
	bool got;
	int rc;

	if ((rc = db_exec(c, &res, "SELECT pg_try_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", 0,
			  NULL)) < 0)
		return db_fail(c, rc, "taking the migration lock", err, errlen);
	got = PQntuples(res) == 1 && db_bool(res, 0, 0);
	PQclear(res);
	if (got)
		return 0;
	log_info("waiting for another migration (at most %d s)", timeout_s);
	/* lock_timeout bounds the wait; set back to none at once, so that the
	 * migrations' own locks wait as long as they need. */
	if ((rc = db_execf(c, NULL, "SELECT set_config('lock_timeout', ($1::int * 1000)::text,"
			   " true)", "i", timeout_s)) < 0)
		return db_fail(c, rc, "setting lock_timeout", err, errlen);
	rc = db_exec(c, NULL, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", 0, NULL);
	if (rc < 0 && db_sqlstate_is(c, "55P03")) {
		snprintf(err, errlen,
			 "another migration still holds the migration lock after %d s: giving up "
			 "(is an lms migrate stuck? see pg_locks)",
			 timeout_s);
		return LMS_EUNAVAILABLE;
	}
	if (rc < 0 || (rc = db_exec(c, NULL, "SELECT set_config('lock_timeout', '0', true)", 0,
				    NULL)) < 0)
		return db_fail(c, rc, "taking the migration lock", err, errlen);
	return 0;
}

/* Applies what is pending inside the transaction open on c. */
static int apply_pending(struct db_conn *c, const struct migration_set *set, bool *done,
			 int *applied, char *err, size_t errlen)
{
	bool pending;
	int rc;

	if ((rc = db_exec(c, NULL, create_table_sql, 0, NULL)) < 0)
		return db_fail(c, rc, "creating schema_migrations", err, errlen);
	/* Under the lock nobody else applies anything, so what compare() read
	 * stays true while the pending migrations are applied. */
	if ((rc = compare(c, set, done, &pending, NULL, err, errlen)) < 0 || !pending)
		return rc;
	for (size_t i = 0; i < set->n; i++) {
		if (done[i])
			continue;
		if ((rc = apply_one(c, &set->items[i], err, errlen)) < 0)
			return rc;
		(*applied)++;
	}
	return 0;
}

int migrate_apply(struct db_conn *c, const struct migration_set *set, int lock_timeout_s,
		  int *applied, char *err, size_t errlen)
{
	bool *done = calloc(set->n ? set->n : 1, sizeof(*done));
	int rc;

	*applied = 0;
	if (!done)
		return LMS_ENOMEM;
	if ((rc = db_begin(c)) < 0) {
		db_fail(c, rc, "starting the migration", err, errlen);
		goto out;
	}
	if ((rc = lock_take(c, lock_timeout_s, err, errlen)) < 0 ||
	    (rc = apply_pending(c, set, done, applied, err, errlen)) < 0)
		goto out;
	if ((rc = db_commit(c)) < 0)
		db_fail(c, rc, "committing the migrations", err, errlen);
out:
	if (rc < 0) {
		db_rollback(c);
		*applied = 0;
	}
	free(done);
	return rc;
}
