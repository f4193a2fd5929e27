/* store.h: the workspace database.
 *
 * A workspace is one folder holding pinwarden.db (SQLite, WAL mode) and its
 * -wal/-shm files. Opening checks that no other user can write the folder
 * or the files, upgrades an older schema in place, and refuses a database
 * written by a newer pinwarden. All persistence goes through here. */
#ifndef PINWARDEN_STORE_H
#define PINWARDEN_STORE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "pinwarden/error.h"
#include "pinwarden/operator.h"

#define PW_DB_FILE "pinwarden.db"

/* The schema version this build writes; PRAGMA user_version holds it. */
#define PW_SCHEMA_VERSION 5

typedef struct pw_store pw_store;

typedef enum pw_open_mode {
	PW_OPEN_READ,   /* the workspace must exist; a read-only one is fine */
	PW_OPEN_WRITE,  /* the workspace must exist and be writable */
	PW_OPEN_CREATE, /* as WRITE, creating the workspace when missing */
} pw_open_mode;

typedef struct pw_store_options {
	pw_open_mode mode;
	int busy_timeout_ms;
	const pw_operator *operator; /* who acts; NULL detects it */
} pw_store_options;

pw_code pw_store_open(const char *workspace, const pw_store_options *opt,
                      pw_store **out, pw_error *err);
void pw_store_close(pw_store *store);

sqlite3 *pw_store_db(pw_store *store);
const char *pw_store_workspace(const pw_store *store);
const char *pw_store_db_path(const pw_store *store);
const char *pw_store_workspace_id(const pw_store *store);
const pw_operator *pw_store_operator(const pw_store *store);
bool pw_store_is_readonly(const pw_store *store);
/* True when this open created the workspace. */
bool pw_store_created(const pw_store *store);

/* Copies the live database to `path` with SQLite's online backup (other
 * processes keep working meanwhile), as a whole file or none (written
 * beside it, checked with quick_check, then renamed; mode 0600). Secrets
 * are not in it: they live in the keyring. *pages gets the copy's size. */
pw_code pw_store_backup(pw_store *store, const char *path, sqlite3_int64 *pages, pw_error *err);

/* A write transaction: BEGIN IMMEDIATE, so that the lock is taken before
 * anything is read and a busy database fails at once, not half-way. */
pw_code pw_store_begin(pw_store *store, pw_error *err);
pw_code pw_store_commit(pw_store *store, pw_error *err);
void pw_store_rollback(pw_store *store);

/* Turns an SQLite result into a pw_code with a message that says what to
 * do. `doing` completes "while ..." ("adding the client"). */
pw_code pw_store_fail(pw_store *store, int rc, const char *doing, pw_error *err);

/* sqlite3_prepare_v2 with errors reported through pw_store_fail. */
pw_code pw_store_prepare(pw_store *store, const char *sql, sqlite3_stmt **stmt, pw_error *err);

/* A prepared statement kept for the store's life, for statements run
 * again and again (appending to the log, the worker's changes): reset and
 * unbound when handed out. Give it back with pw_store_release, never
 * finalize it, and do not hold two uses of the same SQL at once. */
pw_code pw_store_prepare_cached(pw_store *store, const char *sql, sqlite3_stmt **stmt, pw_error *err);
void pw_store_release(sqlite3_stmt *stmt);

/* Steps a statement that returns no rows, finalizes it, and reports a
 * failure through pw_store_fail. */
pw_code pw_store_step_done(pw_store *store, sqlite3_stmt *stmt, const char *doing, pw_error *err);

/* Text of column i, or "" for NULL. */
const char *pw_col_text(sqlite3_stmt *stmt, int i);
/* A copy of column i (g_free), or NULL for NULL. */
char *pw_col_dup(sqlite3_stmt *stmt, int i);
/* Binds text, or NULL when s is NULL. */
int pw_bind_text(sqlite3_stmt *stmt, int i, const char *s);
/* Binds an id, or NULL when id is 0. */
int pw_bind_id(sqlite3_stmt *stmt, int i, sqlite3_int64 id);

#endif
