/* Onboarding and editing clients: what is stored, what is refused, and
 * that a refusal leaves nothing half-written. */
#include "config.h"

#include "helpers.h"

#include <string.h>

#include "pinwarden/accounts.h"
#include "pinwarden/activity.h"
#include "pinwarden/clients.h"

typedef test_ws fixture;

static GPtrArray *list_of(const char *first, ...)
{
	GPtrArray *a = g_ptr_array_new();
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		g_ptr_array_add(a, (gpointer)(guintptr)s);
	va_end(ap);
	return a;
}

static void onboarding_stores_the_normalized_inputs(void **state)
{
	fixture *f = *state;
	GPtrArray *link = list_of("Shop.Example.COM.", "b\xc3\xbc" "cher.example", NULL);
	GPtrArray *image = list_of("*.CDN.example.com", "192.0.2.7", NULL);
	GPtrArray *boards = list_of("Spring \xf0\x9f\x8c\xb8", "Spring \xf0\x9f\x8c\xb8", NULL);
	GPtrArray *accounts = list_of("@Shop_Official", NULL);
	pw_client_spec spec = { .name = "Shop", .contact = "Ann <ann@shop.example.com>", .link_domains = link,
	                        .image_domains = image, .boards = boards, .accounts = accounts };
	pw_error err = { 0 };
	pw_client *c = NULL;

	assert_int_equal(pw_client_add(f->store, &spec, NULL, &err), PW_OK);
	assert_int_equal(pw_client_find(f->store, "Shop", &c, &err), PW_OK);
	assert_int_equal(c->link_domains->len, 2);
	assert_string_equal(g_ptr_array_index(c->link_domains, 0), "shop.example.com");
	assert_string_equal(g_ptr_array_index(c->link_domains, 1), "xn--bcher-kva.example");
	assert_string_equal(g_ptr_array_index(c->image_domains, 0), "*.cdn.example.com");
	assert_string_equal(g_ptr_array_index(c->image_domains, 1), "192.0.2.7");
	assert_int_equal(c->boards->len, 1);
	assert_string_equal(g_ptr_array_index(c->accounts, 0), "Shop_Official");
	assert_string_equal(c->created_by, "tester");
	pw_client_free(c);
	/* One event for the client, one for its expected account. */
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM events WHERE kind = 'client.add' AND client_id = 1"), 1);
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM events WHERE kind = 'account.expect' AND account_id = 1"), 1);
	g_ptr_array_unref(link);
	g_ptr_array_unref(image);
	g_ptr_array_unref(boards);
	g_ptr_array_unref(accounts);
}

static void awkward_names_round_trip(void **state)
{
	fixture *f = *state;
	static const char *const names[] = {
		"Robert'); DROP TABLE clients;--",
		"\"Quoted\" & <angled>",
		"Caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x8d\xb0",
		"100% _wild_ %cards%",
		"back\\slash",
	};
	pw_error err = { 0 };

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		pw_client *c = NULL;
		test_add_client(f->store, names[i]);
		assert_int_equal(pw_client_find(f->store, names[i], &c, &err), PW_OK);
		assert_string_equal(c->name, names[i]);
		pw_client_free(c);
	}
	/* LIKE-style wildcards are not wildcards here. */
	{
		pw_client *c = NULL;
		assert_int_equal(pw_client_find(f->store, "100% _wild_ %", &c, &err), PW_E_NOT_FOUND);
	}
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM clients"), (sqlite3_int64)G_N_ELEMENTS(names));
}

static void names_differing_only_in_case_are_refused(void **state)
{
	fixture *f = *state;
	pw_client_spec spec = { .name = "\xc3\x89LISE", .contact = "c" };
	pw_error err = { 0 };

	test_add_client(f->store, "\xc3\xa9lise");
	assert_int_equal(pw_client_add(f->store, &spec, NULL, &err), PW_E_EXISTS);
	assert_non_null(strstr(err.message, "letter case"));
	spec.name = "\xc3\xa9lise";
	assert_int_equal(pw_client_add(f->store, &spec, NULL, &err), PW_E_EXISTS);
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM clients"), 1);
}

static void bad_names_are_refused_with_the_rule(void **state)
{
	fixture *f = *state;
	char long_name[200];
	static const struct { const char *name; const char *says; } cases[] = {
		{ "", "empty" },
		{ " Padded", "space" },
		{ "Tab\tin", "control character" },
		{ "bad \xff utf8", "UTF-8" },
	};
	pw_error err = { 0 };

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		pw_client_spec spec = { .name = cases[i].name, .contact = "c" };
		assert_int_equal(pw_client_add(f->store, &spec, NULL, &err), PW_E_INVALID);
		assert_non_null(strstr(err.message, cases[i].says));
	}
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	{
		pw_client_spec spec = { .name = long_name, .contact = "c" };
		assert_int_equal(pw_client_add(f->store, &spec, NULL, &err), PW_E_INVALID);
		assert_non_null(strstr(err.message, "limit is 120"));
	}
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM clients"), 0);
}

static void bad_domains_are_refused_and_nothing_is_written(void **state)
{
	fixture *f = *state;
	static const char *const bad[] = {
		"https://shop.example.com/", "shop.example.com:8080", "*.com", "sh op.example", "-bad-.example", "",
	};
	pw_error err = { 0 };
	sqlite3_int64 events = test_count(pw_store_db(f->store), "SELECT count(*) FROM events");

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		GPtrArray *link = list_of("good.example", bad[i], NULL);
		pw_client_spec spec = { .name = "Shop", .contact = "c", .link_domains = link };
		assert_int_equal(pw_client_add(f->store, &spec, NULL, &err), PW_E_INVALID);
		g_ptr_array_unref(link);
	}
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM clients"), 0);
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM events"), events);
}

static void an_account_serves_one_client(void **state)
{
	fixture *f = *state;
	GPtrArray *accounts = list_of("shared_name", NULL);
	GPtrArray *second = list_of("fresh_one", "SHARED_NAME", NULL);
	pw_client_spec a = { .name = "First", .contact = "c", .accounts = accounts };
	pw_client_spec b = { .name = "Second", .contact = "c", .accounts = second };
	pw_error err = { 0 };
	sqlite3_int64 events;

	assert_int_equal(pw_client_add(f->store, &a, NULL, &err), PW_OK);
	events = test_count(pw_store_db(f->store), "SELECT count(*) FROM events");
	assert_int_equal(pw_client_add(f->store, &b, NULL, &err), PW_E_EXISTS);
	assert_non_null(strstr(err.message, "already belongs to client 'First'"));
	/* The whole onboarding was rolled back, not just the second account. */
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM clients"), 1);
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM accounts"), 1);
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM events"), events);
	g_ptr_array_unref(accounts);
	g_ptr_array_unref(second);
}

static void unknown_names_suggest_close_ones(void **state)
{
	fixture *f = *state;
	pw_error err = { 0 };
	pw_client *c = NULL;

	test_add_client(f->store, "Northwind Traders");
	test_add_client(f->store, "Contoso");
	assert_int_equal(pw_client_find(f->store, "Northwind Trader", &c, &err), PW_E_NOT_FOUND);
	assert_non_null(strstr(err.message, "did you mean 'Northwind Traders'"));
	assert_null(strstr(err.message, "Contoso"));
	assert_int_equal(pw_client_find(f->store, "northwind traders", &c, &err), PW_E_NOT_FOUND);
	assert_non_null(strstr(err.message, "'Northwind Traders'"));
	assert_int_equal(pw_client_find(f->store, "Zebra", &c, &err), PW_E_NOT_FOUND);
	assert_non_null(strstr(err.message, "client list"));
}

static void editing_changes_only_what_is_asked(void **state)
{
	fixture *f = *state;
	GPtrArray *link = list_of("old.example", "keep.example", NULL);
	GPtrArray *boards = list_of("Board A", NULL);
	pw_client_spec spec = { .name = "Editable", .contact = "first", .link_domains = link, .boards = boards };
	GPtrArray *remove = list_of("old.example", NULL);
	GPtrArray *add = list_of("new.example", NULL);
	GPtrArray *add_boards = list_of("Board B", NULL);
	pw_client_edit e = { .name = "Edited", .remove_domains = remove, .add_link_domains = add,
	                     .add_boards = add_boards };
	pw_error err = { 0 };
	pw_client *c = NULL;

	assert_int_equal(pw_client_add(f->store, &spec, NULL, &err), PW_OK);
	assert_int_equal(pw_client_update(f->store, "Editable", &e, &err), PW_OK);
	assert_int_equal(pw_client_find(f->store, "Edited", &c, &err), PW_OK);
	assert_string_equal(c->contact, "first");
	assert_int_equal(c->link_domains->len, 2);
	assert_string_equal(g_ptr_array_index(c->link_domains, 0), "keep.example");
	assert_string_equal(g_ptr_array_index(c->link_domains, 1), "new.example");
	assert_int_equal(c->boards->len, 2);
	pw_client_free(c);
	assert_int_equal(test_count(pw_store_db(f->store), "SELECT count(*) FROM events WHERE kind = 'client.edit'"), 1);

	/* Removing what is not there changes nothing at all. */
	{
		GPtrArray *missing = list_of("never.example", NULL);
		pw_client_edit bad = { .contact = "second", .remove_domains = missing };
		assert_int_equal(pw_client_update(f->store, "Edited", &bad, &err), PW_E_NOT_FOUND);
		assert_int_equal(pw_client_find(f->store, "Edited", &c, &err), PW_OK);
		assert_string_equal(c->contact, "first");
		pw_client_free(c);
		g_ptr_array_unref(missing);
	}
	/* An edit that changes nothing says so. */
	{
		pw_client_edit same = { .contact = "first" };
		assert_int_equal(pw_client_update(f->store, "Edited", &same, &err), PW_E_INVALID);
	}
	g_ptr_array_unref(link);
	g_ptr_array_unref(boards);
	g_ptr_array_unref(remove);
	g_ptr_array_unref(add);
	g_ptr_array_unref(add_boards);
}

static void archiving_waits_for_the_queue(void **state)
{
	fixture *f = *state;
	GPtrArray *accounts = list_of("busy_account", NULL);
	pw_client_spec spec = { .name = "Busy", .contact = "c", .accounts = accounts };
	pw_client_edit e = { .contact = "new" };
	pw_error err = { 0 };
	GPtrArray *list = NULL;
	sqlite3 *raw;

	assert_int_equal(pw_client_add(f->store, &spec, NULL, &err), PW_OK);
	raw = test_raw(f->dir);
	test_exec(raw, "INSERT INTO boards (account_id, pinterest_id, name, in_scope) VALUES (1, '123', 'B', 1);"
	               "INSERT INTO jobs (client_id, account_id, board_id, title, image_url, scheduled_at, state,"
	               " requested_by, created_at, updated_at) VALUES (1, 1, 1, 't', 'https://x.example/i.jpg',"
	               " '2030-01-01T00:00:00.000Z', 'queued', 'tester', '2026-01-01T00:00:00.000Z',"
	               " '2026-01-01T00:00:00.000Z');");
	assert_int_equal(pw_client_archive(f->store, "Busy", &err), PW_E_CONFLICT);
	assert_non_null(strstr(err.message, "1 job(s) waiting"));

	test_exec(raw, "UPDATE jobs SET state = 'cancelled'");
	sqlite3_close(raw);
	assert_int_equal(pw_client_archive(f->store, "Busy", &err), PW_OK);
	assert_int_equal(pw_client_archive(f->store, "Busy", &err), PW_E_CONFLICT);
	assert_int_equal(pw_client_update(f->store, "Busy", &e, &err), PW_E_CONFLICT);

	assert_int_equal(pw_client_list(f->store, false, &list, &err), PW_OK);
	assert_int_equal(list->len, 0);
	g_ptr_array_unref(list);
	assert_int_equal(pw_client_list(f->store, true, &list, &err), PW_OK);
	assert_int_equal(list->len, 1);
	g_ptr_array_unref(list);
	g_ptr_array_unref(accounts);
}

static void accounts_are_found_and_ambiguity_is_named(void **state)
{
	fixture *f = *state;
	GPtrArray *one = list_of("solo_account", NULL);
	pw_client_spec spec = { .name = "Solo", .contact = "c", .accounts = one };
	pw_error err = { 0 };
	pw_account *a = NULL;
	sqlite3 *raw;

	assert_int_equal(pw_client_add(f->store, &spec, NULL, &err), PW_OK);
	test_add_client(f->store, "Other");
	assert_int_equal(pw_account_find(f->store, "@SOLO_account", 0, &a, &err), PW_OK);
	assert_string_equal(a->client_name, "Solo");
	assert_string_equal(a->state, "expected");
	pw_account_free(a);
	assert_int_equal(pw_account_find(f->store, "solo_acount", 0, &a, &err), PW_E_NOT_FOUND);
	assert_non_null(strstr(err.message, "'solo_account'"));

	/* An account offboarded from one client and expected by another. */
	raw = test_raw(f->dir);
	test_exec(raw, "UPDATE accounts SET state = 'disconnected'");
	test_exec(raw, "INSERT INTO accounts (client_id, expected_username, created_at)"
	               " VALUES (2, 'solo_account', '2026-01-01T00:00:00.000Z')");
	sqlite3_close(raw);
	assert_int_equal(pw_account_find(f->store, "solo_account", 0, &a, &err), PW_E_AMBIGUOUS);
	assert_non_null(strstr(err.message, "'Other'"));
	assert_non_null(strstr(err.message, "--client"));
	assert_int_equal(pw_account_find(f->store, "solo_account", 2, &a, &err), PW_OK);
	assert_string_equal(a->client_name, "Other");
	pw_account_free(a);
	g_ptr_array_unref(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(onboarding_stores_the_normalized_inputs, test_ws_setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(awkward_names_round_trip, test_ws_setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(names_differing_only_in_case_are_refused, test_ws_setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(bad_names_are_refused_with_the_rule, test_ws_setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(bad_domains_are_refused_and_nothing_is_written, test_ws_setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(an_account_serves_one_client, test_ws_setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(unknown_names_suggest_close_ones, test_ws_setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(editing_changes_only_what_is_asked, test_ws_setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(archiving_waits_for_the_queue, test_ws_setup, test_ws_teardown),
		cmocka_unit_test_setup_teardown(accounts_are_found_and_ambiguity_is_named, test_ws_setup, test_ws_teardown),
	};
	return cmocka_run_group_tests_name("clients", tests, NULL, NULL);
}
