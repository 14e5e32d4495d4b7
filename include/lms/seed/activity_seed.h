/* activity_seed.h - demo learning activities: a quiz, an assignment with
 * submissions and a video lesson in a GIST course and an AI Academy course */
#ifndef LMS_SEED_ACTIVITY_SEED_H
#define LMS_SEED_ACTIVITY_SEED_H

#include <stddef.h>

struct db_conn;

/*
 * Loads dir/activities.json into the demo catalogue (after it is loaded):
 * its learner accounts (password SEED_DEMO_PASSWORD at iterations), and for
 * each course it names, a module of a video, a quiz and an assignment with
 * the learners' submissions. A course that has the module already is left
 * as it is. Returns 0 or an lms_err with a message in err.
 */
int activity_seed_demo_load(struct db_conn *db, const char *dir, int iterations, char *err,
			    size_t errlen);

#endif
