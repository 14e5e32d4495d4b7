/* guard.h - who is asking, and may they: every permission rule in one place */
#ifndef LMS_AUTH_GUARD_H
#define LMS_AUTH_GUARD_H

#include <stdbool.h>

#include "lms/auth/principal.h"

struct http_req;

/* What a request wants to do. Routes name one; handlers that act on a
 * target ask again with the target's institution. */
enum guard_action {
	GUARD_PUBLIC,          /* anyone; no credentials are looked at */
	GUARD_SIGNED_IN,       /* any signed-in user (a session, not a token) */
	GUARD_METRICS_READ,    /* Prometheus metrics: platform-wide */
	GUARD_TOKENS_MANAGE,   /* create, list, revoke an institution's API tokens */
	GUARD_ROLES_MANAGE,    /* grant or revoke instructor / institution_admin */
	GUARD_ADMINS_MANAGE,   /* grant or revoke platform_admin */
	GUARD_AUDIT_READ,      /* an institution's audit trail */
	GUARD_REPORTS_READ,    /* an institution's enrolment reports */
	GUARD_CATALOG_MANAGE,  /* create and change an institution's courses, sections,
				* modules and lessons */
	GUARD_KPI_RECORD,      /* record and delete a regional centre's KPI outputs
				* (papers, patents, income, graduates): its admins */
	GUARD_INSTITUTIONS_MANAGE, /* create institutions, move an instructor's
				    * home: the platform admins */
	GUARD_AFFILIATION_MANAGE, /* an institution's e-mail domains and the
				   * affiliation claims to it: its admins */
	GUARD_USERS_READ,      /* the user directory: an institution's admins (the
				* users related to it), platform admins (all) */
	/* Decided by the caller's relation to the target (struct guard_target): */
	GUARD_CONTENT_READ,    /* lesson bodies and files: learners enrolled in the
				* course, its instructors, its institution's admins */
	GUARD_CONTENT_UPLOAD,  /* attach files: the course's instructors and admins */
	GUARD_CONTENT_AUTHOR,  /* create and edit a course's modules and lessons: the
				* instructors of its sections and its institution's
				* admins */
	GUARD_PROGRESS_WRITE,  /* mark a lesson done: learners enrolled in the course */
	GUARD_ENROLLMENT_READ, /* an enrolment and its history: its learner, the
				* section's instructors, the institution's admins */
	GUARD_ENROLLMENT_CANCEL, /* cancel an enrolment: its learner only */
	GUARD_ENROLLMENT_GRADE, /* mark completed / incomplete: the section's
				 * instructors and the institution's admins */
	GUARD_ENROLLMENT_MANAGE, /* approve, reject, move: the institution's admins */
	GUARD_ROSTER_READ,     /* a section's roster: its instructors and the
				* institution's admins */
	GUARD_FACULTY_MANAGE,  /* an institution's instructors (profiles, sharing)
				* and facilities (rooms, loans): its admins */
	GUARD_SESSION_MANAGE,  /* schedule, move, cancel a section's sessions: the
				* section's instructors, the institution's admins */
	GUARD_ATTENDANCE_WRITE, /* take attendance: the session's instructor, the
				 * institution's admins */
	GUARD_PROFILE_EDIT,    /* an instructor's bio and expertise: the instructor,
				* the home institution's admins */
	GUARD_CERTIFICATE_READ, /* a certificate's PDF: its learner, the issuing
				 * institution's admins */
	GUARD_SCHEDULE_READ,   /* an instructor's schedule: the instructor, admins of
				* the home institution and of partners it is shared
				* with */
	GUARD_PLATFORM_MANAGE, /* platform-wide operations (failed mail, a password
				* reset for any account): platform admins */
	GUARD_INSTITUTION_SCHEDULE_READ, /* every class and interview of an
					  * institution's sections: its admins */
};

/* What a rule needs to know of a target besides its institution: facts the
 * handler's store looked up for the caller. */
struct guard_target {
	long long institution_id;
	bool enrolled;   /* the caller holds an enrolment (enrolled, completed or
			  * incomplete) in a section of the target's course */
	bool teaches;    /* the caller instructs a section of the target's course */
	bool own;        /* the target is the caller's own (an enrolment's learner,
			  * an instructor's own schedule) */
	bool partner;    /* the caller administers an institution the target
			  * instructor is shared with */
	bool hidden;     /* the target's course is unpublished: it exists only for
			  * those who manage or teach it (others are told 404) */
};

/* Institution argument of a route-level check, before the target is known:
 * "for at least one institution". */
#define GUARD_ANY_INSTITUTION (-1LL)

enum guard_decision {
	GUARD_ALLOW,
	GUARD_UNAUTHENTICATED, /* 401: nobody is signed in */
	GUARD_FORBIDDEN,       /* 403: signed in, not allowed */
};

/*
 * The rule book: may p do action on data of institution_id (an id,
 * GUARD_ANY_INSTITUTION, or 0 for platform-wide data)? Pure: no I/O.
 */
enum guard_decision guard_decide(const struct principal *p, enum guard_action action,
				 long long institution_id);

/* guard_decide with the target's facts; relation-based actions read them.
 * With institution GUARD_ANY_INSTITUTION (route level, target unknown) a
 * relation-based action is allowed to any signed-in user, to be decided
 * again once the target is known. */
enum guard_decision guard_decide_target(const struct principal *p, enum guard_action action,
					const struct guard_target *t);

/* The scope an API token needs for action, 0 when tokens may never do it. */
unsigned guard_action_scope(enum guard_action action);

/* The action a token scope grants (for checking that a token's creator may
 * do what the token will). */
enum guard_action guard_scope_action(enum scope scope);

/*
 * Runs before every handler: identifies the caller of a non-public route
 * (Bearer token, else session cookie), checks the CSRF token of a
 * cookie-authenticated change, and the route's action for any institution.
 * Replies 401 / 403 / 503 and returns false when the request must stop.
 */
bool guard_route_or_reply(struct http_req *req);

/*
 * For a handler acting on data of institution_id: replies 403 (or 401) and
 * returns false unless the caller may do action there.
 */
bool guard_require_or_reply(struct http_req *req, enum guard_action action,
			    long long institution_id);

/* guard_require_or_reply for a relation-based action on target t; 404
 * instead of 403 when t is hidden from the caller. */
bool guard_require_target_or_reply(struct http_req *req, enum guard_action action,
				   const struct guard_target *t);

/* Like guard_require_or_reply, but answers 404: for a target the caller may
 * not even know exists. */
bool guard_require_or_404(struct http_req *req, enum guard_action action,
			  long long institution_id);

/* guard_require_target_or_reply, but answers 404 instead of 403: for a
 * target the caller may not even know exists. */
bool guard_require_target_or_404(struct http_req *req, enum guard_action action,
				 const struct guard_target *t);

/*
 * For things that exist only for those allowed to see them (an unpublished
 * course): identifies the caller if needed and replies 404 to anyone,
 * visitor or not, who may not do action at institution_id.
 */
bool guard_visible_or_404(struct http_req *req, enum guard_action action,
			  long long institution_id);

/*
 * Whether the caller may do action at institution_id, identifying it first
 * if needed; no reply unless identification itself failed (then *replied is
 * set and the request must stop).
 */
bool guard_allows(struct http_req *req, enum guard_action action, long long institution_id,
		  bool *replied);

/*
 * The institution a caller means when a request names none: a token's own,
 * or the single institution a user administers. 0 when it is ambiguous or
 * there is none (a platform admin means all).
 */
long long guard_default_institution(const struct principal *p);

/*
 * named when it is not 0, else guard_default_institution(); replies 400
 * naming institution_id and returns 0 when that is ambiguous or empty.
 */
long long guard_institution_or_reply(struct http_req *req, long long named);

/*
 * The institution a report or roster request reads into *institution_id:
 * ?institution_id= when it is given; else every institution (0) for a
 * platform admin and the caller's own for anyone else (an API token's
 * institution, the one institution an admin administers). Checks action
 * there. Replies 400 naming institution_id (not an id, or ambiguous), 401,
 * 403 or 503 and returns false otherwise. Acquires the request's database
 * connection.
 */
bool guard_scope_or_reply(struct http_req *req, enum guard_action action,
			  long long *institution_id);

#endif
