/* migrate.h - ordered SQL migrations recorded with checksums */
#ifndef LMS_DB_MIGRATE_H
#define LMS_DB_MIGRATE_H

#include <stddef.h>

#include "lms/db/sql.h"

struct migration {
	int version;        /* NNNN of NNNN_name.sql */
	char *file;         /* file name, e.g. "0001_init.sql" */
	char *sql;          /* contents */
	char checksum[65];  /* SHA-256 of the contents, lower-case hex */
};

struct migration_set {
	struct migration *items; /* ascending version */
	size_t n;
};

/*
 * Reads every NNNN_name.sql in dir (name: four digits, "_", [a-z0-9_]+).
 * Other files are an error, as are two files with one version. Returns 0 or
 * a negative lms_err with a message in err. Release set in every case.
 */
int migrate_load(const char *dir, struct migration_set *set, char *err, size_t errlen);

void migrate_set_release(struct migration_set *set);

/*
 * Applies the migrations of set that the database has not recorded yet, in
 * order, all in one transaction together with their schema_migrations rows:
 * all of them or none. Concurrent runs are serialised by a transaction-scoped
 * advisory lock (safe behind a transaction-pooling PgBouncer); a run that
 * finds it taken logs "waiting for another migration" and gives up with
 * LMS_EUNAVAILABLE after lock_timeout_s seconds (at least 1).
 * Refuses (LMS_ECONFLICT) when an applied migration's file changed or the
 * database holds a migration this build does not know. *applied counts the
 * migrations applied now. Returns 0 or a negative lms_err with a message.
 */
int migrate_apply(struct db_conn *c, const struct migration_set *set, int lock_timeout_s,
		  int *applied, char *err, size_t errlen);

/*
 * Checks that the database has applied exactly set: 0 when current;
 * LMS_ECONFLICT when a file changed after it was applied or the database
 * holds a migration this build does not know; LMS_EINVAL when a migration
 * is pending ("schema is behind"); LMS_EUNAVAILABLE / LMS_EDB on database
 * failure. The message names the file. With ahead not NULL, migrations
 * newer than all of set are accepted (a later release migrated first, as
 * in a rolling upgrade): 0, and *ahead tells whether there were any.
 */
int migrate_check(struct db_conn *c, const struct migration_set *set, bool *ahead, char *err,
		  size_t errlen);

#endif
