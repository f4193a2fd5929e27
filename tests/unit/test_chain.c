/* The activity log: append-only, and every kind of tampering with the
 * file itself (triggers dropped first) is found by verify. */
#include "config.h"

#include "helpers.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pinwarden/activity.h"
#include "pinwarden/clients.h"

typedef test_ws fixture;

/* A workspace with 1 creation event + 6 client events. */
static int setup(void **state)
{
	fixture *f;
	test_ws_setup(state);
	f = *state;
	for (int i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof name, "Client %d", i);
		test_add_client(f->store, name);
	}
	return 0;
}

static pw_code verify(fixture *f, pw_log_check *check)
{
	pw_error err = { 0 };
	return pw_log_verify(f->store, check, &err);
}

/* Tampering goes around pinwarden, straight to the file. */
static void tamper(fixture *f, const char *sql)
{
	sqlite3 *raw = test_raw(f->dir);
	test_exec(raw, "DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;");
	test_exec(raw, sql);
	sqlite3_close(raw);
}

static void a_clean_chain_verifies(void **state)
{
	fixture *f = *state;
	pw_log_check check;
	assert_int_equal(verify(f, &check), PW_OK);
	assert_int_equal(check.count, 7);
	assert_int_equal(check.bad_id, 0);
	assert_int_equal(strlen(check.head), PW_HASH_HEX_LEN);
}

static void the_log_refuses_update_and_delete(void **state)
{
	fixture *f = *state;
	sqlite3 *raw = test_raw(f->dir);
	char *msg = NULL;

	assert_int_not_equal(sqlite3_exec(raw, "UPDATE events SET message = 'x' WHERE id = 2", NULL, NULL, &msg), SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	sqlite3_free(msg);
	assert_int_not_equal(sqlite3_exec(raw, "DELETE FROM events WHERE id = 2", NULL, NULL, &msg), SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	sqlite3_free(msg);
	sqlite3_close(raw);
}

static void an_altered_event_is_found(void **state)
{
	fixture *f = *state;
	pw_log_check check;
	tamper(f, "UPDATE events SET message = 'nothing happened' WHERE id = 4");
	assert_int_equal(verify(f, &check), PW_E_TAMPERED);
	assert_int_equal(check.bad_id, 4);
	assert_non_null(strstr(check.problem, "altered"));
	assert_int_equal(check.count, 3);
}

static void an_altered_operator_is_found(void **state)
{
	fixture *f = *state;
	pw_log_check check;
	tamper(f, "UPDATE events SET operator = 'someone-else' WHERE id = 6");
	assert_int_equal(verify(f, &check), PW_E_TAMPERED);
	assert_int_equal(check.bad_id, 6);
}

static void a_removed_event_is_found(void **state)
{
	fixture *f = *state;
	pw_log_check check;
	tamper(f, "DELETE FROM events WHERE id = 3");
	assert_int_equal(verify(f, &check), PW_E_TAMPERED);
	assert_int_equal(check.bad_id, 4);
	assert_non_null(strstr(check.problem, "missing"));
}

static void a_removed_and_renumbered_event_is_found(void **state)
{
	fixture *f = *state;
	pw_log_check check;
	/* Close the gap so the ids look consecutive again. */
	tamper(f, "DELETE FROM events WHERE id = 3; UPDATE events SET id = id - 1 WHERE id > 3");
	assert_int_equal(verify(f, &check), PW_E_TAMPERED);
	assert_int_equal(check.bad_id, 3);
}

static void reordered_events_are_found(void **state)
{
	fixture *f = *state;
	pw_log_check check;
	/* Swap events 4 and 5 whole, ids kept in place. */
	tamper(f, "UPDATE events SET id = -4 WHERE id = 4;"
	          "UPDATE events SET id = 4 WHERE id = 5;"
	          "UPDATE events SET id = 5 WHERE id = -4;");
	assert_int_equal(verify(f, &check), PW_E_TAMPERED);
	assert_int_equal(check.bad_id, 4);
}

static void cutting_off_the_newest_events_is_found(void **state)
{
	fixture *f = *state;
	pw_log_check check;
	tamper(f, "DELETE FROM events WHERE id > 5");
	assert_int_equal(verify(f, &check), PW_E_TAMPERED);
	assert_non_null(strstr(check.problem, "newest events were removed"));
}

static void a_recomputed_tail_still_fails_on_the_head(void **state)
{
	fixture *f = *state;
	pw_log_check check;
	sqlite3 *raw;
	sqlite3_stmt *st;
	pw_event_row row;
	char hash[PW_HASH_HEX_LEN + 1];
	char *sql;

	/* A careful forger alters event 7 and recomputes its hash, but
	 * does not know about the head kept in meta. */
	tamper(f, "UPDATE events SET message = 'forged' WHERE id = 7");
	raw = test_raw(f->dir);
	assert_int_equal(sqlite3_prepare_v2(raw, "SELECT id, at, operator, kind, client_id, account_id, job_id,"
	                                         " message, details, prev_hash FROM events WHERE id = 7",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	memset(&row, 0, sizeof row);
	row.id = 7;
	row.at = (const char *)sqlite3_column_text(st, 1);
	row.operator = (const char *)sqlite3_column_text(st, 2);
	row.kind = (const char *)sqlite3_column_text(st, 3);
	row.client_id = sqlite3_column_int64(st, 4);
	row.account_id = sqlite3_column_int64(st, 5);
	row.job_id = sqlite3_column_int64(st, 6);
	row.message = (const char *)sqlite3_column_text(st, 7);
	row.details = (const char *)sqlite3_column_text(st, 8);
	pw_log_event_hash((const char *)sqlite3_column_text(st, 9), &row, hash);
	sqlite3_finalize(st);
	sql = g_strdup_printf("UPDATE events SET hash = '%s' WHERE id = 7", hash);
	test_exec(raw, sql);
	g_free(sql);
	sqlite3_close(raw);

	assert_int_equal(verify(f, &check), PW_E_TAMPERED);
	assert_non_null(strstr(check.problem, "head"));
}

static void the_hash_format_is_stable(void **state)
{
	char genesis[PW_HASH_HEX_LEN + 1], hash[PW_HASH_HEX_LEN + 1];
	pw_event_row row = {
		.id = 1, .at = "2026-01-02T03:04:05.006Z", .operator = "ana", .kind = "client.add",
		.client_id = 7, .message = "client '\xc3\x9cn\xc3\xaf' onboarded", .details = "{\"a\":1}",
	};
	(void)state;
	/* Computed independently (Python's hashlib) from doc/activity-log.md:
	 * a change here breaks every existing workspace's chain. */
	pw_log_genesis("00112233445566778899aabbccddeeff", genesis);
	assert_string_equal(genesis, "b19ec8e4f625f9a1d6e9ec32433a79ddf142b3c6422aec0baf69560135f870e5");
	pw_log_event_hash(genesis, &row, hash);
	assert_string_equal(hash, "187de7f0c65057081e92b5ac768e9f7a2ace23f566de86002ffc96c94b264ae3");
}

static void appending_needs_a_transaction(void **state)
{
	fixture *f = *state;
	pw_event ev = { .kind = "test.loose", .message = "outside" };
	pw_error err = { 0 };
	assert_int_equal(pw_log_append(f->store, &ev, NULL, &err), PW_E_INTERNAL);
}

static void a_rolled_back_change_leaves_no_event(void **state)
{
	fixture *f = *state;
	pw_event ev = { .kind = "test.rolled_back", .message = "never" };
	pw_error err = { 0 };
	pw_log_check check;

	assert_int_equal(pw_store_begin(f->store, &err), PW_OK);
	assert_int_equal(pw_log_append(f->store, &ev, NULL, &err), PW_OK);
	pw_store_rollback(f->store);
	assert_int_equal(verify(f, &check), PW_OK);
	assert_int_equal(check.count, 7);
}

static void concurrent_writers_keep_one_chain(void **state)
{
	fixture *f = *state;
	pw_log_check check;
	pid_t kids[2];

	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			pw_operator op = { .name = "writer", .source = "test" };
			pw_store_options opt = { .mode = PW_OPEN_WRITE, .busy_timeout_ms = 10000, .operator = &op };
			pw_store *s;
			pw_error err = { 0 };
			if (pw_store_open(f->dir, &opt, &s, &err) != PW_OK)
				_exit(1);
			for (int i = 0; i < 25; i++) {
				char name[32];
				pw_client_spec spec = { .name = name, .contact = "c" };
				snprintf(name, sizeof name, "Writer %d client %d", k, i);
				if (pw_client_add(s, &spec, NULL, &err) != PW_OK)
					_exit(2);
			}
			pw_store_close(s);
			_exit(0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int status = 0;
		assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(verify(f, &check), PW_OK);
	assert_int_equal(check.count, 7 + 50);
}

typedef struct collected {
	GPtrArray *kinds;
} collected;

static pw_code collect(const pw_event_row *row, void *ud, pw_error *err)
{
	(void)err;
	g_ptr_array_add(((collected *)ud)->kinds, g_strdup_printf("%lld:%s", (long long)row->id, row->client_name));
	return PW_OK;
}

static void filters_select_what_they_say(void **state)
{
	fixture *f = *state;
	collected c = { g_ptr_array_new_with_free_func(g_free) };
	pw_log_filter filter = { .last = 2 };
	pw_error err = { 0 };

	assert_int_equal(pw_log_each(f->store, &filter, collect, &c, &err), PW_OK);
	assert_int_equal(c.kinds->len, 2);
	assert_string_equal(g_ptr_array_index(c.kinds, 0), "6:Client 4");
	assert_string_equal(g_ptr_array_index(c.kinds, 1), "7:Client 5");

	g_ptr_array_set_size(c.kinds, 0);
	filter = (pw_log_filter){ .client_id = 3 };
	assert_int_equal(pw_log_each(f->store, &filter, collect, &c, &err), PW_OK);
	assert_int_equal(c.kinds->len, 1);
	assert_string_equal(g_ptr_array_index(c.kinds, 0), "4:Client 2");

	g_ptr_array_set_size(c.kinds, 0);
	filter = (pw_log_filter){ .after_id = 5 };
	assert_int_equal(pw_log_each(f->store, &filter, collect, &c, &err), PW_OK);
	assert_int_equal(c.kinds->len, 2);

	{
		pw_event ev = { .kind = "job.test", .client_id = 2, .account_id = 9, .job_id = 42, .message = "about a job" };
		assert_int_equal(pw_store_begin(f->store, &err), PW_OK);
		assert_int_equal(pw_log_append(f->store, &ev, NULL, &err), PW_OK);
		assert_int_equal(pw_store_commit(f->store, &err), PW_OK);
	}
	g_ptr_array_set_size(c.kinds, 0);
	filter = (pw_log_filter){ .job_id = 42 };
	assert_int_equal(pw_log_each(f->store, &filter, collect, &c, &err), PW_OK);
	assert_int_equal(c.kinds->len, 1);
	assert_string_equal(g_ptr_array_index(c.kinds, 0), "8:Client 1");
	g_ptr_array_set_size(c.kinds, 0);
	filter = (pw_log_filter){ .account_id = 9 };
	assert_int_equal(pw_log_each(f->store, &filter, collect, &c, &err), PW_OK);
	assert_int_equal(c.kinds->len, 1);

	g_ptr_array_set_size(c.kinds, 0);
	filter = (pw_log_filter){ .since = "2999-01-01T00:00:00.000Z" };
	assert_int_equal(pw_log_each(f->store, &filter, collect, &c, &err), PW_OK);
	assert_int_equal(c.kinds->len, 0);
	g_ptr_array_unref(c.kinds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_clean_chain_verifies, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(the_log_refuses_update_and_delete, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(an_altered_event_is_found, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(an_altered_operator_is_found, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(a_removed_event_is_found, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(a_removed_and_renumbered_event_is_found, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(reordered_events_are_found, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(cutting_off_the_newest_events_is_found, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(a_recomputed_tail_still_fails_on_the_head, setup, test_ws_teardown),
		cmocka_unit_test(the_hash_format_is_stable),
		cmocka_unit_test_setup_teardown(appending_needs_a_transaction, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(a_rolled_back_change_leaves_no_event, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(concurrent_writers_keep_one_chain, setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(filters_select_what_they_say, setup, test_ws_teardown),
	};
	return cmocka_run_group_tests_name("activity log", tests, NULL, NULL);
}
