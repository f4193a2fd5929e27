/* helpers.h: what the unit tests share: temporary workspaces. */
#ifndef PINWARDEN_TEST_HELPERS_H
#define PINWARDEN_TEST_HELPERS_H

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <sqlite3.h>

#include "pinwarden/store.h"

/* A fresh folder under $TMPDIR; removed by test_rmtree. */
char *test_tempdir(void);
void test_rmtree(const char *path);

/* Opens (creating) the workspace at dir as operator "tester"; fails the
 * test if that fails. */
pw_store *test_open(const char *dir);

/* A second, raw SQLite connection to the workspace's database, for
 * tampering and for checks that go around the store. */
sqlite3 *test_raw(const char *dir);

/* Runs SQL on a raw connection; fails the test on error. */
void test_exec(sqlite3 *db, const char *sql);

/* The SHA-256 of a file's bytes, to prove that a failure changed nothing. */
char *test_file_digest(const char *path);

/* The first column of the first row of a query, or -1. */
sqlite3_int64 test_count(sqlite3 *db, const char *sql);

/* A fresh workspace for each test: setup and teardown for cmocka. */
typedef struct test_ws {
	char *dir;
	pw_store *store;
} test_ws;
int test_ws_setup(void **state);
int test_ws_teardown(void **state);

/* Adds a minimal client named `name`; fails the test on error. */
void test_add_client(pw_store *store, const char *name);

#endif
