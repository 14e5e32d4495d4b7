/* err.h - error codes shared by every module */
#ifndef LMS_CORE_ERR_H
#define LMS_CORE_ERR_H

/* Functions return 0 on success or one of these (negative) codes. */
enum lms_err {
	LMS_OK = 0,
	LMS_ENOMEM = -1,      /* allocation failed */
	LMS_EINVAL = -2,      /* invalid argument or input */
	LMS_ENOTFOUND = -3,   /* no such thing */
	LMS_ECONFLICT = -4,   /* conflicts with current state (unique, exclusion) */
	LMS_EFORBIDDEN = -5,  /* not allowed */
	LMS_EUNAVAILABLE = -6, /* database unreachable or pool exhausted */
	LMS_EDB = -7,         /* database error not covered above */
	LMS_EIO = -8,         /* file or system call failed */
	LMS_ERETRY = -9,      /* serialization failure or deadlock: retry */
	LMS_ETOOBIG = -10,    /* input over a configured limit */
};

/* Returns a static, lower-case description of err (never NULL). */
const char *lms_strerror(int err);

#endif
