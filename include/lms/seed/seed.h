/* seed.h - demo data: institutions, accounts, the catalogue; the benchmark catalogue */
#ifndef LMS_SEED_SEED_H
#define LMS_SEED_SEED_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "lms/auth/principal.h"

struct db_conn;

/* The password of every demo account (the SPEC's "Running it"). */
#define SEED_DEMO_PASSWORD "demo-pass-2026"

/* Rows in the tables the demo data fills, after a load. */
struct seed_counts {
	long long institutions, programs, courses, sections, lessons, facilities, users;
};

/*
 * Loads the demo data from the files of dir (the configuration's seed_dir):
 * the Gwangju agreement's eight partners and the national programme's
 * fifteen regional centres (institutions.json), the demo accounts with
 * their roles (accounts.json), and the demo catalogue
 * (catalog_seed_demo_load). Idempotent: existing rows are updated or left
 * as they are (an existing account keeps its password). Hashes at
 * iterations. Fills counts. Returns 0, or a negative lms_err with a message
 * in err.
 */
int seed_demo(struct db_conn *db, const char *dir, int iterations, struct seed_counts *counts,
	      char *err, size_t errlen);

/*
 * Loads the institutions and programmes of dir (as seed_demo does), then
 * the n benchmark courses of catalog_seed_bench_load; *created and term as
 * there. Returns 0, or a negative lms_err with a message in err.
 */
int seed_bench(struct db_conn *db, const char *dir, long n, long *created, char *term,
	       size_t termlen, char *err, size_t errlen);

/*
 * Reads the JSON file dir/name into *out (new reference). Returns 0, or
 * LMS_EINVAL with "seed data <path>: line <n>: <why>" in err when it cannot
 * be read or parsed (duplicate keys rejected).
 */
int seed_data_load(const char *dir, const char *name, json_t **out, char *err,
		   size_t errlen);

/* A role to give an account at creation: institution by its code. */
struct seed_role {
	enum role role;
	const char *institution_code;  /* NULL for learner and platform_admin */
};

/*
 * Creates the account email (display name, stage) with password hashed at
 * iterations and the learner role plus roles, in one transaction, and
 * records it in the audit log as done by via. When the email exists,
 * *created is false, nothing is hashed and only missing roles are added.
 * Returns 0 or an lms_err with a message in err.
 */
int seed_account(struct db_conn *db, const char *email, const char *display_name,
		 const char *stage, const char *password, int iterations,
		 const struct seed_role *roles, size_t nroles, const char *via, bool *created,
		 char *err, size_t errlen);

/* Writes "what: <the database's message, or rc's text>" into err; returns rc. */
int seed_error(struct db_conn *db, int rc, char *err, size_t errlen, const char *what);

#endif
