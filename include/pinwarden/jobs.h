/* jobs.h: the publishing queue as stored: one job is one Pin for exactly
 * one board of one account of one client. */
#ifndef PINWARDEN_JOBS_H
#define PINWARDEN_JOBS_H

#include <glib.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "pinwarden/error.h"
#include "pinwarden/store.h"

typedef struct pw_job {
	sqlite3_int64 id;
	sqlite3_int64 client_id, account_id, board_id;
	char *client_name;
	char *account_username;
	char *board_name;
	char *board_pinterest_id;
	char *board_section_id;
	char *title, *description, *link, *alt_text, *image_url, *image_path;
	char *image_sha256;       /* of a local image's bytes when queued */
	char *attempt_started_at; /* when the latest attempt began */
	char *scheduled_at;
	char *state;
	sqlite3_int64 attempts;
	char *next_attempt_at;
	char *pin_id;
	char *last_error;
	char *requested_by;
	char *created_at, *updated_at;
} pw_job;

typedef struct pw_job_filter {
	sqlite3_int64 client_id;  /* 0: all clients */
	const char *state;        /* one state or several, comma-separated; NULL: every state */
	int limit;                /* 0: no limit */
} pw_job_filter;

/* The states of a job still waiting to be published, as an SQL list. */
#define PW_JOB_WAITING_SQL "('queued', 'sending', 'retrying', 'paused')"

/* The states a job can be in, NULL-terminated, in lifecycle order. */
extern const char *const pw_job_states[];
bool pw_job_state_valid(const char *state);

/* Jobs by schedule time, newest last. Array of pw_job. */
pw_code pw_job_list(pw_store *store, const pw_job_filter *filter, GPtrArray **out, pw_error *err);
pw_code pw_job_get(pw_store *store, sqlite3_int64 id, pw_job **out, pw_error *err);

/* Jobs of a client still waiting to be published (queued, sending,
 * retrying, paused). */
pw_code pw_job_count_waiting(pw_store *store, sqlite3_int64 client_id, sqlite3_int64 *count, pw_error *err);

/* Inside the caller's write transaction: the account's paused jobs go
 * back in the queue, with one event naming them (none when there are
 * none). `why` completes "queued again after ...". */
pw_code pw_job_resume_paused(pw_store *store, sqlite3_int64 client_id, sqlite3_int64 account_id,
                             const char *account_name, const char *why, pw_error *err);

void pw_job_free(pw_job *job);

#endif
