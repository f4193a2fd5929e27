/* The workspace store: creation, permissions, and every way a database
 * can be bad, each refused with a clear message and left as it was. */
#include "config.h"

#include "helpers.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pinwarden/activity.h"
#include "pinwarden/clients.h"

static pw_code try_open(const char *dir, pw_open_mode mode, pw_error *err)
{
	pw_operator op = { .name = "tester", .source = "test" };
	pw_store_options opt = { .mode = mode, .busy_timeout_ms = 200, .operator = &op };
	pw_store *store = NULL;
	pw_code rc = pw_store_open(dir, &opt, &store, err);
	pw_store_close(store);
	return rc;
}

static char *db_path(const char *dir)
{
	return g_build_filename(dir, PW_DB_FILE, NULL);
}

static void creates_a_private_workspace(void **state)
{
	char *tmp = test_tempdir();
	char *dir = g_build_filename(tmp, "nested", "ws", NULL);
	char *path = db_path(dir);
	pw_store *store = test_open(dir);
	struct stat st;
	char text[64];

	assert_true(pw_store_created(store));
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(strlen(pw_store_workspace_id(store)), 32);

	/* WAL, foreign keys, the current schema, one creation event. */
	{
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_prepare_v2(pw_store_db(store), "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		g_strlcpy(text, (const char *)sqlite3_column_text(s, 0), sizeof text);
		sqlite3_finalize(s);
		assert_string_equal(text, "wal");
	}
	assert_int_equal(test_count(pw_store_db(store), "PRAGMA foreign_keys"), 1);
	assert_int_equal(test_count(pw_store_db(store), "PRAGMA user_version"), PW_SCHEMA_VERSION);
	assert_int_equal(test_count(pw_store_db(store), "SELECT count(*) FROM events WHERE kind = 'workspace.create'"), 1);
	pw_store_close(store);

	/* Opening again creates nothing new. */
	store = test_open(dir);
	assert_false(pw_store_created(store));
	assert_int_equal(test_count(pw_store_db(store), "SELECT count(*) FROM events"), 1);
	pw_store_close(store);

	test_rmtree(tmp);
	g_free(path);
	g_free(dir);
	g_free(tmp);
	(void)state;
}

static void workspace_ids_differ(void **state)
{
	char *a = test_tempdir(), *b = test_tempdir();
	pw_store *sa = test_open(a), *sb = test_open(b);
	char *id;

	assert_string_not_equal(pw_store_workspace_id(sa), pw_store_workspace_id(sb));
	id = g_strdup(pw_store_workspace_id(sa));
	pw_store_close(sa);
	sa = test_open(a);
	assert_string_equal(id, pw_store_workspace_id(sa));
	pw_store_close(sa);
	pw_store_close(sb);
	test_rmtree(a);
	test_rmtree(b);
	g_free(a);
	g_free(b);
	g_free(id);
	(void)state;
}

static void missing_workspace_is_not_created_by_readers(void **state)
{
	char *tmp = test_tempdir();
	char *dir = g_build_filename(tmp, "nothing-here", NULL);
	pw_error err = { 0 };

	assert_int_equal(try_open(dir, PW_OPEN_READ, &err), PW_E_MISSING);
	assert_int_equal(try_open(dir, PW_OPEN_WRITE, &err), PW_E_MISSING);
	assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
	test_rmtree(tmp);
	g_free(dir);
	g_free(tmp);
	(void)state;
}

static void refuses_a_workspace_others_can_write(void **state)
{
	char *dir = test_tempdir();
	char *path = db_path(dir);
	pw_error err = { 0 };

	pw_store_close(test_open(dir));
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(try_open(dir, PW_OPEN_READ, &err), PW_E_PERMISSION);
	assert_non_null(strstr(err.message, "chmod 700"));
	assert_int_equal(chmod(dir, 0700), 0);

	assert_int_equal(chmod(path, 0606), 0);
	assert_int_equal(try_open(dir, PW_OPEN_WRITE, &err), PW_E_PERMISSION);
	assert_non_null(strstr(err.message, "chmod 600"));
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(try_open(dir, PW_OPEN_WRITE, &err), PW_OK);

	test_rmtree(dir);
	g_free(path);
	g_free(dir);
	(void)state;
}

static void refuses_a_symlinked_database(void **state)
{
	char *dir = test_tempdir();
	char *path = db_path(dir);
	char *elsewhere = g_build_filename(dir, "elsewhere.db", NULL);
	pw_error err = { 0 };

	pw_store_close(test_open(dir));
	assert_int_equal(g_rename(path, elsewhere), 0);
	assert_int_equal(symlink(elsewhere, path), 0);
	assert_int_equal(try_open(dir, PW_OPEN_READ, &err), PW_E_PERMISSION);
	assert_non_null(strstr(err.message, "not a regular file"));
	test_rmtree(dir);
	g_free(elsewhere);
	g_free(path);
	g_free(dir);
	(void)state;
}

/* The checks, as plain returns so that they can run in a child process. */
static const char *read_only_checks(const char *dir)
{
	pw_operator op = { .name = "tester", .source = "test" };
	pw_store_options opt = { .mode = PW_OPEN_READ, .busy_timeout_ms = 200, .operator = &op };
	pw_client_spec spec = { .name = "New", .contact = "c" };
	pw_store *store = NULL;
	pw_error err = { 0 };
	GPtrArray *list = NULL;
	const char *problem = NULL;

	if (try_open(dir, PW_OPEN_WRITE, &err) != PW_E_READONLY || !strstr(err.message, "read-only"))
		return "opening for writing was not refused as read-only";
	if (pw_store_open(dir, &opt, &store, &err) != PW_OK)
		return "opening for reading failed";
	if (!pw_store_is_readonly(store))
		problem = "the store does not know it is read-only";
	else if (pw_client_list(store, true, &list, &err) != PW_OK || list->len != 1)
		problem = "the client could not be listed";
	else if (pw_client_add(store, &spec, NULL, &err) != PW_E_READONLY)
		problem = "a write was not refused";
	if (list)
		g_ptr_array_unref(list);
	pw_store_close(store);
	return problem;
}

static void read_only_workspace_reads_but_refuses_writes(void **state)
{
	char *dir = test_tempdir();
	char *path = db_path(dir);
	pw_store *store = test_open(dir);
	const char *problem;

	test_add_client(store, "Existing");
	pw_store_close(store);
	if (geteuid() == 0) {
		/* root writes anywhere: run the checks as 'nobody', owning a
		 * workspace it may not write. */
		int status = 0;
		pid_t kid;
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(chmod(dir, 0500), 0);
		kid = fork();
		assert_true(kid >= 0);
		if (kid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
			problem = read_only_checks(dir);
			if (problem)
				fprintf(stderr, "# %s\n", problem);
			_exit(problem ? 1 : 0);
		}
		assert_int_equal(waitpid(kid, &status, 0), kid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	} else {
		assert_int_equal(chmod(dir, 0500), 0);
		problem = read_only_checks(dir);
		if (problem)
			fail_msg("%s", problem);
	}
	chmod(dir, 0700);
	test_rmtree(dir);
	g_free(path);
	g_free(dir);
	(void)state;
}

static void refuses_a_database_from_a_newer_version(void **state)
{
	char *dir = test_tempdir();
	char *path = db_path(dir);
	sqlite3 *raw;
	char *before, *after;
	pw_error err = { 0 };
	char sql[64];

	pw_store_close(test_open(dir));
	raw = test_raw(dir);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", PW_SCHEMA_VERSION + 1);
	test_exec(raw, sql);
	test_exec(raw, "PRAGMA journal_mode = DELETE");
	sqlite3_close(raw);

	before = test_file_digest(path);
	assert_int_equal(try_open(dir, PW_OPEN_WRITE, &err), PW_E_TOO_NEW);
	assert_non_null(strstr(err.message, "newer pinwarden"));
	after = test_file_digest(path);
	assert_string_equal(before, after);
	test_rmtree(dir);
	g_free(before);
	g_free(after);
	g_free(path);
	g_free(dir);
	(void)state;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void refuses_garbage_and_leaves_it_alone(void **state)
{
	char *dir = test_tempdir();
	char *path = db_path(dir);
	char junk[8192];
	char *before, *after;
	pw_error err = { 0 };

	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7 + 3);
	assert_int_equal(chmod(dir, 0700), 0);
	write_file(path, junk, sizeof junk);
	before = test_file_digest(path);
	assert_int_equal(try_open(dir, PW_OPEN_WRITE, &err), PW_E_CORRUPT);
	assert_non_null(strstr(err.message, "backup"));
	after = test_file_digest(path);
	assert_string_equal(before, after);
	test_rmtree(dir);
	g_free(before);
	g_free(after);
	g_free(path);
	g_free(dir);
	(void)state;
}

static void refuses_a_truncated_database(void **state)
{
	char *dir = test_tempdir();
	char *path = db_path(dir);
	pw_store *store = test_open(dir);
	pw_error err = { 0 };
	struct stat st;

	for (int i = 0; i < 40; i++) {
		char name[32];
		snprintf(name, sizeof name, "Client %d", i);
		test_add_client(store, name);
	}
	pw_store_close(store);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 3 * 4096);
	/* The last pages cut off: the header still declares them. */
	assert_int_equal(truncate(path, st.st_size - 2 * 4096), 0);
	assert_int_equal(try_open(dir, PW_OPEN_READ, &err), PW_E_CORRUPT);
	assert_non_null(strstr(err.message, "truncated"));

	/* Cut in half: the schema itself is damaged. */
	assert_int_equal(truncate(path, st.st_size / 2), 0);
	assert_int_equal(try_open(dir, PW_OPEN_READ, &err), PW_E_CORRUPT);
	assert_non_null(strstr(err.message, "backup"));

	/* Cut to nothing at all. */
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(try_open(dir, PW_OPEN_WRITE, &err), PW_E_CORRUPT);
	assert_non_null(strstr(err.message, "empty"));
	test_rmtree(dir);
	g_free(path);
	g_free(dir);
	(void)state;
}

static void refuses_someone_elses_sqlite_database(void **state)
{
	char *dir = test_tempdir();
	char *path = db_path(dir);
	sqlite3 *db;
	pw_error err = { 0 };

	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	test_exec(db, "CREATE TABLE recipes (name TEXT)");
	sqlite3_close(db);
	chmod(path, 0600);
	assert_int_equal(try_open(dir, PW_OPEN_WRITE, &err), PW_E_CORRUPT);
	assert_non_null(strstr(err.message, "not a pinwarden workspace"));
	test_rmtree(dir);
	g_free(path);
	g_free(dir);
	(void)state;
}

static void a_locked_database_fails_cleanly(void **state)
{
	char *dir = test_tempdir();
	pw_operator op = { .name = "tester", .source = "test" };
	pw_store_options opt = { .mode = PW_OPEN_WRITE, .busy_timeout_ms = 100, .operator = &op };
	pw_client_spec spec = { .name = "Blocked", .contact = "c" };
	pw_store *store;
	pw_error err = { 0 };
	sqlite3 *holder;

	pw_store_close(test_open(dir));
	assert_int_equal(pw_store_open(dir, &opt, &store, &err), PW_OK);
	holder = test_raw(dir);
	test_exec(holder, "BEGIN IMMEDIATE");
	assert_int_equal(pw_client_add(store, &spec, NULL, &err), PW_E_BUSY);
	assert_non_null(strstr(err.message, "locked by another process"));
	test_exec(holder, "ROLLBACK");
	assert_int_equal(test_count(holder, "SELECT count(*) FROM clients"), 0);
	assert_int_equal(test_count(holder, "SELECT count(*) FROM events"), 1);
	sqlite3_close(holder);
	/* Once free, the same call goes through. */
	assert_int_equal(pw_client_add(store, &spec, NULL, &err), PW_OK);
	pw_store_close(store);
	test_rmtree(dir);
	g_free(dir);
	(void)state;
}

static void a_full_disk_changes_nothing(void **state)
{
	char *dir = test_tempdir();
	pw_store *store = test_open(dir);
	pw_error err = { 0 };
	pw_log_check check;
	GString *notes = g_string_new(NULL);
	pw_client_spec spec = { .name = "Big", .contact = "c" };
	char sql[64];

	test_add_client(store, "Small");
	/* SQLite's own limit on the file's pages stands in for the disk: the
	 * write fails exactly as it does on a full file system. */
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld",
	         (long long)test_count(pw_store_db(store), "PRAGMA page_count"));
	test_exec(pw_store_db(store), sql);
	for (int i = 0; i < 40; i++)
		g_string_append(notes, "long notes that need pages of their own ");
	spec.notes = notes->str;
	for (int i = 0; i < 30; i++) {
		char name[32];
		pw_code rc;
		snprintf(name, sizeof name, "Big %d", i);
		spec.name = name;
		rc = pw_client_add(store, &spec, NULL, &err);
		if (rc != PW_OK)
			break;
	}
	assert_int_equal(err.code, PW_E_FULL);
	assert_non_null(strstr(err.message, "nothing was changed"));
	test_exec(pw_store_db(store), "PRAGMA max_page_count = 1073741823");
	/* Everything before the failure is there and the chain is whole. */
	assert_int_equal(pw_log_verify(store, &check, &err), PW_OK);
	assert_int_equal(test_count(pw_store_db(store), "SELECT count(*) FROM events WHERE kind = 'client.add'"),
	                 test_count(pw_store_db(store), "SELECT count(*) FROM clients"));
	pw_store_close(store);
	g_string_free(notes, TRUE);
	test_rmtree(dir);
	g_free(dir);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(creates_a_private_workspace),
		cmocka_unit_test(workspace_ids_differ),
		cmocka_unit_test(missing_workspace_is_not_created_by_readers),
		cmocka_unit_test(refuses_a_workspace_others_can_write),
		cmocka_unit_test(refuses_a_symlinked_database),
		cmocka_unit_test(read_only_workspace_reads_but_refuses_writes),
		cmocka_unit_test(refuses_a_database_from_a_newer_version),
		cmocka_unit_test(refuses_garbage_and_leaves_it_alone),
		cmocka_unit_test(refuses_a_truncated_database),
		cmocka_unit_test(refuses_someone_elses_sqlite_database),
		cmocka_unit_test(a_locked_database_fails_cleanly),
		cmocka_unit_test(a_full_disk_changes_nothing),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
