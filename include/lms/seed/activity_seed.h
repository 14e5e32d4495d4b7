/* activity_seed.h - demo learning activities: a quiz, an assignment with
 * submissions and a video lesson in a GIST course and an AI Academy course */
#ifndef LMS_SEED_ACTIVITY_SEED_H
#define LMS_SEED_ACTIVITY_SEED_H

#include <stdbool.h>
#include <stddef.h>

struct db_conn;

/*
 * Loads dir/activities.json into the demo catalogue (after it is loaded):
 * its learner accounts (password SEED_DEMO_PASSWORD at iterations), and for
 * each course it names, a module of a video, a quiz and an assignment (a
 * course that has the module already keeps it). With work, also enrols the
 * learners in the course's section and records their submissions: sample
 * work, which tests that count the demo data's enrolments do without.
 * Returns 0 or an lms_err with a message in err.
 */
int activity_seed_demo_load(struct db_conn *db, const char *dir, int iterations, bool work,
			    char *err, size_t errlen);

#endif
