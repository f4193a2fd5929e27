/* oncall.h: what the person on call does to a job: retry, cancel,
 * reschedule, or settle one whose outcome is unknown. Each checks that
 * the job's state allows it (the refusal says why), changes the job and
 * records the operator's event in one transaction. */
#ifndef PINWARDEN_ONCALL_H
#define PINWARDEN_ONCALL_H

#include "pinwarden/store.h"

/* A failed or cancelled job goes back in the queue, due now. An unknown
 * one must be resolved first: it may already be on Pinterest. */
pw_code pw_job_retry(pw_store *store, sqlite3_int64 id, pw_error *err);

/* A job not yet published (queued, retrying, paused, unknown) is
 * cancelled; one being sent right now is not. */
pw_code pw_job_cancel(pw_store *store, sqlite3_int64 id, pw_error *err);

/* A waiting job (queued, retrying, paused) gets a new time. */
pw_code pw_job_reschedule(pw_store *store, sqlite3_int64 id, const char *when_text, pw_error *err);

/* An unknown job is settled by a person who looked on Pinterest: with a
 * Pin id it is published; without, it is failed (and can be retried). */
pw_code pw_job_resolve(pw_store *store, sqlite3_int64 id, const char *pin_id, pw_error *err);

#endif
