/* selection_seed.h - the demo selection intakes: an AI Academy intake half
 * way through its stages and a startup-support call with offers out */
#ifndef LMS_SEED_SELECTION_SEED_H
#define LMS_SEED_SELECTION_SEED_H

#include <stddef.h>

struct db_conn;

/*
 * Loads dir/selection.json: for each intake, a new open section of the
 * first published course of its programme and institution, the intake and
 * its stages, the applicants (accounts made at iterations when missing,
 * password SEED_DEMO_PASSWORD), their stage results, offers and
 * acceptances, all through the same database functions the API uses. An
 * intake whose English title exists is left as it is (idempotent). Returns
 * 0, or a negative lms_err with a message in err.
 */
int selection_seed_demo_load(struct db_conn *db, const char *dir, int iterations, char *err,
			     size_t errlen);

#endif
