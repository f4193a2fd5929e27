/* activity.h: the activity log: append-only and hash-chained.
 *
 * Every event carries the SHA-256 of the previous event's hash followed by
 * its own canonical content (see activity.c), so altering, removing or
 * reordering an event breaks the chain at that point. Triggers refuse
 * UPDATE and DELETE; the chain catches whoever drops the triggers. */
#ifndef PINWARDEN_ACTIVITY_H
#define PINWARDEN_ACTIVITY_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "pinwarden/error.h"
#include "pinwarden/store.h"

#define PW_HASH_HEX_LEN 64

typedef struct pw_event {
	const char *kind;          /* "client.add", "log.export", ... */
	sqlite3_int64 client_id;   /* 0 when none */
	sqlite3_int64 account_id;
	sqlite3_int64 job_id;
	const char *message;       /* one line a person reads */
	const cJSON *details;      /* an object, or NULL; not consumed */
} pw_event;

/* Appends ev inside the caller's write transaction (pw_store_begin), so
 * that the event and the change it describes commit together. Time and
 * operator come from the clock and the store; over SSH the client address
 * is added to the details as "ssh_client". */
pw_code pw_log_append(pw_store *store, const pw_event *ev, sqlite3_int64 *id_out, pw_error *err);

/* Records an event that stands alone, in a transaction of its own. */
pw_code pw_log_record(pw_store *store, const pw_event *ev, pw_error *err);

typedef struct pw_event_row {
	sqlite3_int64 id;
	const char *at;
	const char *operator;
	const char *kind;
	sqlite3_int64 client_id, account_id, job_id;
	const char *client_name;   /* "" when none */
	const char *message;
	const char *details;       /* JSON object text */
	const char *prev_hash;
	const char *hash;
} pw_event_row;

typedef struct pw_log_filter {
	sqlite3_int64 client_id;   /* 0: all */
	sqlite3_int64 account_id;  /* 0: all */
	sqlite3_int64 job_id;      /* 0: all */
	const char *since;         /* stored-format time, or NULL */
	sqlite3_int64 after_id;    /* only events with a larger id */
	int last;                  /* > 0: only the newest `last` of the matches */
} pw_log_filter;

/* Calls fn for each matching event, oldest first, one row in memory at a
 * time. A non-PW_OK return from fn stops the walk and is returned. */
typedef pw_code (*pw_event_fn)(const pw_event_row *row, void *ud, pw_error *err);
pw_code pw_log_each(pw_store *store, const pw_log_filter *filter, pw_event_fn fn,
                    void *ud, pw_error *err);

typedef struct pw_log_check {
	sqlite3_int64 count;       /* events checked */
	sqlite3_int64 bad_id;      /* the first event found wrong, 0 when intact */
	char problem[512];         /* what is wrong with it */
	char head[PW_HASH_HEX_LEN + 1]; /* the newest event's hash */
} pw_log_check;

/* Walks the whole chain. Returns PW_OK when intact, PW_E_TAMPERED with
 * check->bad_id and check->problem when not, another code when the
 * database cannot be read. */
pw_code pw_log_verify(pw_store *store, pw_log_check *check, pw_error *err);

/* The hash an event must carry (exposed for tests and for the docs'
 * independent verifier). `out` receives 64 hex digits. */
void pw_log_event_hash(const char *prev_hash, const pw_event_row *row,
                       char out[PW_HASH_HEX_LEN + 1]);

/* The prev_hash of a workspace's first event. */
void pw_log_genesis(const char *workspace_id, char out[PW_HASH_HEX_LEN + 1]);

#endif
