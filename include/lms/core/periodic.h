/* periodic.h - a thread that runs a function at start and then at an
 * interval, until it is stopped: the server's background jobs */
#ifndef LMS_CORE_PERIODIC_H
#define LMS_CORE_PERIODIC_H

struct periodic;

/*
 * Starts a thread that calls run(arg) at once, then interval_ms after each
 * call ends, until periodic_stop(). arg is borrowed: it must outlive the
 * thread. Returns NULL when the thread cannot start.
 */
struct periodic *periodic_start(void (*run)(void *arg), void *arg, int interval_ms);

/* Stops the thread (waiting for a call in progress) and frees p; accepts NULL. */
void periodic_stop(struct periodic *p);

#endif
