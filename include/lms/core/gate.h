/* gate.h - bounded concurrency for expensive work: a cap on runners and on waiters */
#ifndef LMS_CORE_GATE_H
#define LMS_CORE_GATE_H

struct gate;

/* Creates a gate that lets at most max_running (>= 1) callers run at once
 * and at most max_waiting (>= 0) wait for a turn. Returns a new gate the
 * caller frees with gate_free(), or NULL on bad arguments or out of memory. */
struct gate *gate_new(int max_running, int max_waiting);

/* Frees g; nobody may be inside or waiting. Accepts NULL. */
void gate_free(struct gate *g);

/*
 * Asks to run. Returns 0 when the caller may run; it must call gate_leave()
 * when done. Returns LMS_EUNAVAILABLE at once when max_running callers run
 * and max_waiting already wait (or wait_ms <= 0), or after waiting wait_ms
 * milliseconds without a turn. A slot freed while callers wait goes to one
 * of them, not to a caller arriving later.
 */
int gate_enter(struct gate *g, int wait_ms);

/* Ends a turn granted by gate_enter(); wakes one waiter, if any. */
void gate_leave(struct gate *g);

/* Stores how many callers run (or were handed a turn) and how many still
 * wait, for metrics and tests; either pointer may be NULL. */
void gate_stats(const struct gate *g, int *running, int *waiting);

#endif
