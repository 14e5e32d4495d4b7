/* catalog_seed.h - the demo catalogue and the synthetic benchmark catalogue */
#ifndef LMS_SEED_CATALOG_SEED_H
#define LMS_SEED_CATALOG_SEED_H

#include <stddef.h>

struct db_conn;

/* Most benchmark courses one run may create. */
#define CATALOG_SEED_BENCH_MAX 1000000L

/*
 * Loads the programmes of dir/programs.json with their names, summaries and
 * eligibility rules, updating a programme whose rules differ. Needs nothing
 * else. Returns 0 or a negative lms_err with a message in err.
 */
int catalog_seed_programs_load(struct db_conn *db, const char *dir, char *err, size_t errlen);

/*
 * Loads the demo catalogue, made from the data files of dir (programs.json,
 * catalog.json: the topics, the tracks that offer them and the staff who
 * teach; content.json, profiles.json, facilities.json, kpi_outputs.json):
 * programmes, a few hundred courses with their prerequisites, sections in
 * the next two terms (from today in Korea) with their instructors, modules and lessons of the GIST and AI Academy courses,
 * facilities and the partners they are lent to, a profile for every
 * instructor account (home institution, expertise, bio) and the partners
 * each is shared with (the demo instructor: home GIST, shared with
 * Chonnam). Creates the extra instructor accounts it assigns (password
 * SEED_DEMO_PASSWORD hashed at iterations).
 * Needs the institutions and the demo instructor account. Idempotent: rows
 * are found by their natural keys (programme code, institution and course
 * code, course and term, course and position, ...) and never duplicated;
 * existing courses, sections and content are left as they are.
 * Returns 0 or a negative lms_err with a message in err.
 */
int catalog_seed_demo_load(struct db_conn *db, const char *dir, int iterations, char *err,
			   size_t errlen);

/*
 * Creates the published courses BENCH-000001 .. BENCH-<n> (n in
 * 1..CATALOG_SEED_BENCH_MAX) spread over the programmes and institutions,
 * each with one open section in the next term, in a few set-based
 * statements; codes that exist are skipped. Needs the institutions and
 * programmes. Sets *created to the courses made and writes the term's name
 * into term (termlen >= 16). Returns 0 or a negative lms_err with a message
 * in err.
 */
int catalog_seed_bench_load(struct db_conn *db, long n, long *created, char *term,
			    size_t termlen, char *err, size_t errlen);

#endif
