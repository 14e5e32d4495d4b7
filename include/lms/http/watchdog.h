/* watchdog.h - deadlines for reads a slow client could stretch without end */
#ifndef LMS_HTTP_WATCHDOG_H
#define LMS_HTTP_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

/*
 * CivetWeb's mg_read blocks until it has every byte it was asked for, and
 * its timeout restarts whenever a byte arrives: a client that sends one
 * byte every few seconds holds the read forever. The watchdog is a thread
 * that shuts down the reading side of a socket whose read has passed its
 * deadline, so the blocked read returns; the answer can still be written.
 */

/* Starts the watchdog thread. Returns 0, or a negative lms_err. */
int watchdog_start(void);

/* Stops the thread and frees its records; every read must be disarmed. */
void watchdog_stop(void);

/* Monotonic clock in nanoseconds. */
int64_t watchdog_now_ns(void);

/*
 * Watches the calling thread's read of socket fd until watchdog_disarm:
 * once deadline_ns (watchdog_now_ns time) passes, the socket's reading
 * side is shut down. fd < 0 watches nothing. Returns 0, or LMS_ENOMEM.
 */
int watchdog_arm(int fd, int64_t deadline_ns);

/* Moves the calling thread's deadline (armed reads only). */
void watchdog_extend(int64_t deadline_ns);

/* Ends the calling thread's watch. Returns true when the deadline passed
 * and the socket's reading side was shut down. */
bool watchdog_disarm(void);

#endif
