/* worker.h: the publishing worker. It publishes due jobs one request at
 * a time, paces itself per account with a token bucket, retries what is
 * transient with exponential back-off and jitter, refreshes tokens, and
 * never publishes a job twice: the attempt is recorded (durably) before
 * the request goes out, and a job found mid-attempt, or whose answer was
 * lost, is 'unknown' until the board's recent Pins settle it. */
#ifndef PINWARDEN_WORKER_H
#define PINWARDEN_WORKER_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "pinwarden/context.h"

typedef struct pw_worker_options {
	bool once;                  /* publish what is due, then return */
	int max_attempts;           /* then 'failed' (default 6) */
	int backoff_s;              /* first retry after about this (default 30) */
	int max_backoff_s;          /* (default 3600) */
	int rate_limit_backoff_s;   /* after a 429 at least this (default 300) */
	double rate_per_minute;     /* per account (default 10); 0: no pacing */
	int burst;                  /* requests an idle account may send at once (default 3) */
	int concurrency;            /* requests in flight at once, over all accounts (default 4) */
	int refresh_every_s;        /* how often tokens due are refreshed (default 600) */
	int reconcile_after_s;      /* an unknown job missing from its board is retried only this
	                             * long after its attempt began: longer than a request can take
	                             * (default 90; the CLI uses the request time-out + 30 s) */
	volatile sig_atomic_t *stop; /* set by a signal: stop after the request in flight */
	FILE *log;                  /* one line per attempt (stderr) */
} pw_worker_options;

void pw_worker_defaults(pw_worker_options *o);

typedef struct pw_worker_stats {
	int published, retried, failed, unknown, paused, reconciled;
} pw_worker_stats;

/* Takes the workspace's worker lock (PW_E_BUSY naming the process that
 * holds it), settles jobs left mid-attempt, then works until *stop, or
 * until nothing is due with `once`. */
pw_code pw_worker_run(pw_ctx *ctx, const pw_worker_options *opt, pw_worker_stats *stats, pw_error *err);

/* Whether a worker holds the workspace's lock now, with its process id
 * and, when it recorded one, its operator (g_free). Does not disturb the
 * lock. */
bool pw_worker_probe(const char *workspace, long *pid, char **operator_name);

#endif
