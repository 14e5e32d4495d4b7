/* offer_job.h - the server's job that expires selection offers past their
 * deadline and offers the freed seats to the next in line */
#ifndef LMS_SELECTION_OFFER_JOB_H
#define LMS_SELECTION_OFFER_JOB_H

struct db_pool;
struct offer_job;

/*
 * Starts a thread that every interval_ms takes a connection of pool
 * (borrowed: it must outlive the job) and runs offers_expire() until no
 * offer is due. Any number of servers may run it on one database: each
 * offer expires once. Returns NULL when the thread cannot start.
 */
struct offer_job *offer_job_start(struct db_pool *pool, int interval_ms);

/* Stops the thread (waiting for a run in progress) and frees j; accepts NULL. */
void offer_job_stop(struct offer_job *j);

#endif
