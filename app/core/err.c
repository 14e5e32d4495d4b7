/* err.c - text for enum lms_err */
#include "lms/core/err.h"

const char *lms_strerror(int err)
{
	switch ((enum lms_err)err) {
	case LMS_OK: return "success";
	case LMS_ENOMEM: return "out of memory";
	case LMS_EINVAL: return "invalid argument";
	case LMS_ENOTFOUND: return "not found";
	case LMS_ECONFLICT: return "conflict with current state";
	case LMS_EFORBIDDEN: return "forbidden";
	case LMS_EUNAVAILABLE: return "database unavailable";
	case LMS_EDB: return "database error";
	case LMS_EIO: return "input/output error";
	case LMS_ERETRY: return "transaction must be retried";
	case LMS_ETOOBIG: return "too large";
	}
	return "unknown error";
}
