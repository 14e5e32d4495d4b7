/* throttle_store.h - sign-in throttling kept in PostgreSQL, so it holds
 * across every server instance */
#ifndef LMS_AUTH_THROTTLE_STORE_H
#define LMS_AUTH_THROTTLE_STORE_H

struct db_conn;

/* Failures allowed within the window, per account and per address. */
#define THROTTLE_ACCOUNT_FAILURES 5
#define THROTTLE_ADDRESS_FAILURES 20
#define THROTTLE_WINDOW_S (15 * 60)

struct throttle_attempt {
	long long id;          /* the recorded attempt; 0 when throttled */
	int retry_after_s;     /* > 0: throttled, try again after this */
	int account_failures;  /* failures counted before this attempt */
	int address_failures;
};

/*
 * Decides whether email (lower-cased) may try to sign in from addr now, and
 * if so records the attempt, counted as a failure until
 * throttle_store_succeeded(). Decision and record happen under a lock on
 * the email and the address, so concurrent attempts count exactly.
 * Account failures count since the account's last success. Returns 0 (see
 * a->retry_after_s) or an lms_err.
 */
int throttle_store_begin(struct db_conn *db, const char *email, const char *addr,
			 struct throttle_attempt *a);

/* Marks the attempt a success. */
int throttle_store_succeeded(struct db_conn *db, long long attempt_id);

/* Removes an attempt that never ran (the server was too busy to check the
 * password), so it counts against nobody. */
int throttle_store_forget(struct db_conn *db, long long attempt_id);

#endif
