#include "config.h"

#include "helpers.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pinwarden/clients.h"

char *test_tempdir(void)
{
	GError *gerr = NULL;
	char *dir = g_dir_make_tmp("pinwarden-test-XXXXXX", &gerr);
	assert_non_null(dir);
	return dir;
}

void test_rmtree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (!d) {
		g_unlink(path);
		return;
	}
	while ((name = g_dir_read_name(d))) {
		char *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			test_rmtree(child);
		else
			g_unlink(child);
		g_free(child);
	}
	g_dir_close(d);
	g_rmdir(path);
}

pw_store *test_open(const char *dir)
{
	pw_operator op = { .name = "tester", .source = "test" };
	pw_store_options opt = { .mode = PW_OPEN_CREATE, .busy_timeout_ms = 2000, .operator = &op };
	pw_error err = { 0 };
	pw_store *store = NULL;
	pw_code rc = pw_store_open(dir, &opt, &store, &err);

	if (rc != PW_OK)
		fail_msg("opening %s: %s", dir, err.message);
	return store;
}

sqlite3 *test_raw(const char *dir)
{
	char *path = g_build_filename(dir, PW_DB_FILE, NULL);
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	g_free(path);
	assert_int_equal(rc, SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	return db;
}

void test_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

char *test_file_digest(const char *path)
{
	char *data = NULL;
	gsize len = 0;
	char *digest;
	if (!g_file_get_contents(path, &data, &len, NULL))
		return g_strdup("missing");
	digest = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	g_free(data);
	return digest;
}

void test_add_client(pw_store *store, const char *name)
{
	pw_client_spec spec = { .name = name, .contact = "contact" };
	pw_error err = { 0 };
	if (pw_client_add(store, &spec, NULL, &err) != PW_OK)
		fail_msg("adding %s: %s", name, err.message);
}

sqlite3_int64 test_count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	sqlite3_int64 n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int test_ws_setup(void **state)
{
	test_ws *f = g_new0(test_ws, 1);
	f->dir = test_tempdir();
	f->store = test_open(f->dir);
	*state = f;
	return 0;
}

int test_ws_teardown(void **state)
{
	test_ws *f = *state;
	pw_store_close(f->store);
	test_rmtree(f->dir);
	g_free(f->dir);
	g_free(f);
	return 0;
}
