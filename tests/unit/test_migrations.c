/* Upgrading in place: a workspace written by an older schema opens with
 * the current code, keeps its data and its chain, and ends with exactly
 * the schema a new workspace gets. */
#include "config.h"

#include "helpers.h"

#include <string.h>
#include <sys/stat.h>

#include "pinwarden/activity.h"
#include "pinwarden/clients.h"
#include "pinwarden/jobs.h"

static char *fixture_path(const char *name)
{
	const char *src = g_getenv("TESTS_SRCDIR");
	return g_build_filename(src ? src : "tests", "fixtures", name, NULL);
}

/* A workspace folder whose database is built from a frozen SQL dump. */
static char *workspace_from_dump(const char *dump)
{
	char *dir = test_tempdir();
	char *path = g_build_filename(dir, PW_DB_FILE, NULL);
	char *sql_file = fixture_path(dump);
	char *sql = NULL;
	sqlite3 *db;

	if (!g_file_get_contents(sql_file, &sql, NULL, NULL))
		fail_msg("cannot read %s", sql_file);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	test_exec(db, sql);
	sqlite3_close(db);
	assert_int_equal(chmod(path, 0600), 0);
	g_free(sql);
	g_free(sql_file);
	g_free(path);
	return dir;
}

static void a_version_1_workspace_opens_with_its_data(void **state)
{
	char *dir = workspace_from_dump("workspace-v1.sql");
	pw_store *store = test_open(dir);
	pw_error err = { 0 };
	pw_client *c = NULL;
	pw_log_check check;
	GPtrArray *jobs = NULL;
	pw_job_filter f = { 0 };

	assert_false(pw_store_created(store));
	assert_int_equal(test_count(pw_store_db(store), "PRAGMA user_version"), PW_SCHEMA_VERSION);
	assert_int_equal(pw_client_find(store, "Maison \xc3\x89lise", &c, &err), PW_OK);
	assert_int_equal(c->image_domains->len, 2);
	assert_string_equal(g_ptr_array_index(c->link_domains, 0), "maison.test");
	assert_int_equal(c->boards->len, 2);
	assert_string_equal(c->notes, "two boards");
	pw_client_free(c);
	assert_int_equal(pw_client_find(store, "Bob's \"Quoted\" Co; DROP TABLE clients;--", &c, &err), PW_OK);
	pw_client_free(c);
	assert_int_equal(pw_job_list(store, &f, &jobs, &err), PW_OK);
	assert_int_equal(jobs->len, 2);
	g_ptr_array_unref(jobs);

	/* The chain written by the older version still verifies, including
	 * any upgrade event appended to it now. */
	assert_int_equal(pw_log_verify(store, &check, &err), PW_OK);
	assert_true(check.count >= 6);
	/* And it takes new events. */
	test_add_client(store, "After the upgrade");
	assert_int_equal(pw_log_verify(store, &check, &err), PW_OK);
	pw_store_close(store);
	test_rmtree(dir);
	g_free(dir);
	(void)state;
}

static char *schema_of(pw_store *store)
{
	GString *s = g_string_new(NULL);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(pw_store_db(store),
	                                    "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		g_string_append_printf(s, "%s %s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		                       sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return g_string_free(s, FALSE);
}

static void an_upgraded_schema_equals_a_new_one(void **state)
{
	char *old_dir = workspace_from_dump("workspace-v1.sql");
	char *new_dir = test_tempdir();
	pw_store *upgraded = test_open(old_dir);
	pw_store *fresh = test_open(new_dir);
	char *a = schema_of(upgraded), *b = schema_of(fresh);

	assert_string_equal(a, b);
	g_free(a);
	g_free(b);
	pw_store_close(upgraded);
	pw_store_close(fresh);
	test_rmtree(old_dir);
	test_rmtree(new_dir);
	g_free(old_dir);
	g_free(new_dir);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_version_1_workspace_opens_with_its_data),
		cmocka_unit_test(an_upgraded_schema_equals_a_new_one),
	};
	return cmocka_run_group_tests_name("migrations", tests, NULL, NULL);
}
