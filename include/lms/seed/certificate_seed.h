/* certificate_seed.h - demo completions with certificates of completion */
#ifndef LMS_SEED_CERTIFICATE_SEED_H
#define LMS_SEED_CERTIFICATE_SEED_H

#include <stddef.h>

#include "lms/db/sql.h"

/*
 * After the demo data (seed_demo): a finished section of an AI Academy
 * course and one of a regional centre's course (Chonnam National
 * University), with sessions held and attendance taken, whose learners
 * (learner@example.com and graduate1..4@example.com, the demo password)
 * completed them, so that certificates are issued as completion issues
 * them; one certificate is revoked. Idempotent: once loaded, nothing
 * changes. *issued gets the number of certificates there are then.
 * Returns 0, or a negative lms_err with a message in err.
 */
int certificate_seed_demo_load(struct db_conn *db, long long *issued, char *err,
			       size_t errlen);

#endif
