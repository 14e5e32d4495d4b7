/* throttle_store.h - sign-in and registration throttling kept in PostgreSQL,
 * so it holds across every server instance */
#ifndef LMS_AUTH_THROTTLE_STORE_H
#define LMS_AUTH_THROTTLE_STORE_H

struct db_conn;

/* Failures within the window that lock an account (until the oldest
 * leaves the window), and that make an address suspicious: from then on
 * each further failure from it is answered late. */
#define THROTTLE_ACCOUNT_FAILURES 5
#define THROTTLE_ADDRESS_FAILURES 20
#define THROTTLE_WINDOW_S (15 * 60)

/* The delay of a failure from a suspicious address: the base, doubled for
 * every failure past THROTTLE_ADDRESS_FAILURES, up to the maximum. */
#define THROTTLE_DELAY_BASE_MS 250
#define THROTTLE_DELAY_MAX_MS 4000

/* Attempts a suspicious address may have in flight at once (being checked
 * or waiting out a delay); a failure past them is answered 429 at once. */
#define THROTTLE_ADDRESS_IN_FLIGHT 4

/* An attempt still unanswered after this long (its server stopped) is no
 * longer in flight. */
#define THROTTLE_IN_FLIGHT_MAX_S 30

struct throttle_attempt {
	long long id;          /* the recorded attempt; 0 when the account is locked */
	int retry_after_s;     /* > 0: the account is locked, try again after this */
	int account_failures;  /* the account's failures counted before this attempt */
};

/* What a failed attempt costs its address. */
struct throttle_penalty {
	int address_failures;  /* the address's failures in the window, this one included */
	int delay_ms;          /* answer this much later (0: at once) */
	int retry_after_s;     /* > 0: too many in flight: answer 429 now, not late */
};

/*
 * Decides whether email (lower-cased) may try a password now: not when its
 * account has THROTTLE_ACCOUNT_FAILURES failures in the window since its
 * last success (a->retry_after_s says until when). Otherwise records the
 * attempt from addr, in flight and counted as a failure until
 * throttle_store_succeeded(), so parallel guesses cannot slip past the
 * limit. The address plays no part here: a correct password is never
 * refused for what others did from the same address. One transaction
 * under a lock on the email. Returns 0 or an lms_err.
 */
int throttle_store_begin(struct db_conn *db, const char *email, const char *addr,
			 struct throttle_attempt *a);

/* Marks the attempt a success, answered. */
int throttle_store_succeeded(struct db_conn *db, long long attempt_id);

/*
 * Records that the attempt attempt_id from addr failed and fills *p with
 * its penalty: none while the address has fewer than
 * THROTTLE_ADDRESS_FAILURES other failures in the window; otherwise a delay
 * that grows with them, during which the attempt stays in flight, or, when
 * THROTTLE_ADDRESS_IN_FLIGHT other attempts of the address are in flight
 * already, 429 at once. Must run inside the caller's transaction; it
 * takes a lock on the address, so concurrent failures count exactly.
 * Returns 0 or an lms_err.
 */
int throttle_store_failed(struct db_conn *db, const char *addr, long long attempt_id,
			  struct throttle_penalty *p);

/* Removes an attempt that never ran (the server was too busy to check the
 * password), so it counts against nobody. */
int throttle_store_forget(struct db_conn *db, long long attempt_id);

/*
 * Counts a registration from addr, unless addr has attempted limit of them
 * in the last window_s seconds: then sets *retry_after_s (> 0) to when the
 * oldest of those leaves the window and records nothing. On success
 * *attempt_id is the record, for throttle_store_register_forget(). One
 * transaction under a lock on the address. Returns 0 or an lms_err.
 */
int throttle_store_register(struct db_conn *db, const char *addr, int limit, int window_s,
			    long long *attempt_id, int *retry_after_s);

/* Removes a registration attempt that never reached the hash. */
int throttle_store_register_forget(struct db_conn *db, long long attempt_id);

#endif
