/* accounts.h: the Pinterest accounts of clients.
 *
 * An account starts as "expected" when a client is onboarded (the username
 * the client said they would approve with). Connection and verification
 * move it on; until then it can receive nothing. */
#ifndef PINWARDEN_ACCOUNTS_H
#define PINWARDEN_ACCOUNTS_H

#include <glib.h>
#include <sqlite3.h>

#include "pinwarden/error.h"
#include "pinwarden/store.h"

typedef struct pw_account {
	sqlite3_int64 id;
	sqlite3_int64 client_id;
	char *client_name;
	char *expected_username;
	char *username;           /* as connected; NULL before */
	char *pinterest_user_id;
	char *account_type;
	char *state;              /* expected, connected, verified, mismatch, needs_reconnect, disconnected */
	char *state_reason;
	char *scopes;
	char *access_expires_at;
	char *refresh_expires_at;
	char *connected_by;
	char *connected_at;
	char *verified_at;
	char *created_at;
	sqlite3_int64 boards_in_scope; /* known boards marked in scope */
	sqlite3_int64 jobs_waiting;    /* queued, retrying, paused, sending */
} pw_account;

/* Records inside the caller's transaction that `username` (normalized) is
 * expected for the client, with its event. Refused when another client
 * already expects or holds that account. *id_out (may be NULL) gets the
 * new account's id. */
pw_code pw_account_expect(pw_store *store, sqlite3_int64 client_id, const char *client_name,
                          const char *username, sqlite3_int64 *id_out, pw_error *err);

/* Refuses (PW_E_EXISTS, naming the client) a username that a client
 * other than client_id (0: any) already expects or holds, or that
 * client_id expects already; for front ends that check as typed too. */
pw_code pw_account_check_free(pw_store *store, const char *username, sqlite3_int64 client_id, pw_error *err);

/* Accounts of one client (client_id > 0) or of all, by client then name. */
pw_code pw_account_list(pw_store *store, sqlite3_int64 client_id, GPtrArray **out, pw_error *err);

/* One account by username (expected or connected, ignoring case),
 * narrowed to a client when client_id > 0. Several matches fail with
 * PW_E_AMBIGUOUS naming their clients; none with PW_E_NOT_FOUND naming
 * close matches. */
pw_code pw_account_find(pw_store *store, const char *username, sqlite3_int64 client_id,
                        pw_account **out, pw_error *err);

/* One account by id. */
pw_code pw_account_get(pw_store *store, sqlite3_int64 id, pw_account **out, pw_error *err);

void pw_account_free(pw_account *account);

#endif
