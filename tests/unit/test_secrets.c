/* The keyring adapter against a real gnome-keyring: 'make check' runs
 * this under tests/with-keyring, which gives it a private session bus and
 * an unlocked keyring of its own. Run by hand without it, every case
 * skips rather than touch your keyring. The failures that need a process
 * of their own (no bus, a bus that never answers) run tests/unit/keyring_probe. */
#include "config.h"

#include "helpers.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "pinwarden/secrets.h"

#define WS_A "aaaaaaaa11111111aaaaaaaa11111111"
#define WS_B "bbbbbbbb22222222bbbbbbbb22222222"
#define DEFAULT_COLLECTION "/org/freedesktop/secrets/collection/login"

static char *probe_path;


static void need_keyring(void)
{
	if (g_strcmp0(g_getenv("PINWARDEN_TEST_KEYRING"), "unlocked") != 0) {
		print_message("not under tests/with-keyring: skipped, so as not to touch your own keyring\n");
		skip();
	}
}

static void ok(pw_code rc, const pw_keyring *k, const pw_error *err)
{
	if (rc != PW_OK)
		fail_msg("failure %d: %s", (int)k->last_failure, err->message);
	assert_int_equal(k->last_failure, PW_SECRET_OK);
}

static gint64 elapsed_ms(gint64 since_us)
{
	return (g_get_monotonic_time() - since_us) / 1000;
}

/* Every pinwarden item of a workspace, read with libsecret directly. */
static GList *items_of(const char *workspace)
{
	GError *e = NULL;
	GHashTable *attrs = secret_attributes_build(pw_secret_schema(), "workspace", workspace, NULL);
	GList *items = secret_service_search_sync(NULL, pw_secret_schema(), attrs, SECRET_SEARCH_ALL, NULL, &e);
	g_hash_table_unref(attrs);
	if (e)
		fail_msg("searching the keyring: %s", e->message);
	return items;
}

static void delete_all(const char *workspace)
{
	GList *items = items_of(workspace);
	for (GList *l = items; l; l = l->next) {
		GError *e = NULL;
		if (!secret_item_delete_sync(l->data, NULL, &e))
			fail_msg("deleting an item: %s", e->message);
	}
	g_list_free_full(items, g_object_unref);
}

static void round_trip(void **state)
{
	pw_keyring k;
	pw_error err = { 0 };
	char *got = NULL;
	(void)state;
	need_keyring();
	pw_keyring_init(&k, WS_A, 5000);
	ok(pw_secret_store(&k, 12, PW_SECRET_ACCESS, "pina_access-12-xyzzy", NULL, &err), &k, &err);
	ok(pw_secret_lookup(&k, 12, PW_SECRET_ACCESS, &got, &err), &k, &err);
	assert_non_null(got);
	assert_string_equal(got, "pina_access-12-xyzzy");
	pw_secret_free(got);
	ok(pw_secret_delete(&k, 12, PW_SECRET_ACCESS, &err), &k, &err);
	ok(pw_secret_lookup(&k, 12, PW_SECRET_ACCESS, &got, &err), &k, &err);
	assert_null(got);
}

static void storing_again_replaces(void **state)
{
	pw_keyring k;
	pw_error err = { 0 };
	char *got = NULL;
	GList *items;
	(void)state;
	need_keyring();
	pw_keyring_init(&k, WS_A, 5000);
	ok(pw_secret_store(&k, 7, PW_SECRET_REFRESH, "pinr_first-refresh-token", NULL, &err), &k, &err);
	ok(pw_secret_store(&k, 7, PW_SECRET_REFRESH, "pinr_second-refresh-token", NULL, &err), &k, &err);
	ok(pw_secret_lookup(&k, 7, PW_SECRET_REFRESH, &got, &err), &k, &err);
	assert_string_equal(got, "pinr_second-refresh-token");
	pw_secret_free(got);
	items = items_of(WS_A);
	assert_int_equal(g_list_length(items), 1);
	g_list_free_full(items, g_object_unref);
	/* The other kind of the same account is another item. */
	ok(pw_secret_lookup(&k, 7, PW_SECRET_ACCESS, &got, &err), &k, &err);
	assert_null(got);
	ok(pw_secret_delete(&k, 7, PW_SECRET_REFRESH, &err), &k, &err);
	delete_all(WS_A);
}

static void workspaces_do_not_collide(void **state)
{
	pw_keyring a, b;
	pw_error err = { 0 };
	char *got = NULL;
	(void)state;
	need_keyring();
	pw_keyring_init(&a, WS_A, 5000);
	pw_keyring_init(&b, WS_B, 5000);
	ok(pw_secret_store(&a, 3, PW_SECRET_ACCESS, "pina_token-of-workspace-a", NULL, &err), &a, &err);
	ok(pw_secret_store(&b, 3, PW_SECRET_ACCESS, "pina_token-of-workspace-b", NULL, &err), &b, &err);
	ok(pw_secret_lookup(&a, 3, PW_SECRET_ACCESS, &got, &err), &a, &err);
	assert_string_equal(got, "pina_token-of-workspace-a");
	pw_secret_free(got);
	ok(pw_secret_delete(&a, 3, PW_SECRET_ACCESS, &err), &a, &err);
	ok(pw_secret_lookup(&b, 3, PW_SECRET_ACCESS, &got, &err), &b, &err);
	assert_string_equal(got, "pina_token-of-workspace-b");
	pw_secret_free(got);
	ok(pw_secret_delete(&b, 3, PW_SECRET_ACCESS, &err), &b, &err);
}

static void missing_items_are_not_errors(void **state)
{
	pw_keyring k;
	pw_error err = { 0 };
	static char untouched[] = "not touched";
	char *got = untouched;
	(void)state;
	need_keyring();
	pw_keyring_init(&k, WS_B, 5000);
	ok(pw_secret_lookup(&k, 404, PW_SECRET_ACCESS, &got, &err), &k, &err);
	assert_null(got);
	ok(pw_secret_delete(&k, 404, PW_SECRET_REFRESH, &err), &k, &err);
	ok(pw_secret_delete(&k, 404, PW_SECRET_REFRESH, &err), &k, &err);
}

static void the_probe_passes_and_leaves_nothing(void **state)
{
	pw_keyring k;
	pw_error err = { 0 };
	GList *items;
	(void)state;
	need_keyring();
	pw_keyring_init(&k, WS_A, 5000);
	ok(pw_keyring_probe(&k, &err), &k, &err);
	items = items_of(WS_A);
	assert_int_equal(g_list_length(items), 0);
	g_list_free_full(items, g_object_unref);
}

static void secrets_stay_out_of_labels_and_attributes(void **state)
{
	static const struct {
		gint64 account;
		pw_secret_kind kind;
		const char *secret, *label, *label_has;
	} cases[] = {
		{ 12, PW_SECRET_ACCESS, "pina_SECRET-access-4f1c", NULL, "pinwarden: access token for account 12 (workspace aaaaaaaa\xe2\x80\xa6)" },
		{ 12, PW_SECRET_REFRESH, "pinr_SECRET-refresh-9e2d", "pinwarden: Pinterest refresh token",
		  "pinwarden: Pinterest refresh token for account 12 (workspace aaaaaaaa\xe2\x80\xa6)" },
		{ 0, PW_SECRET_APP, "SECRET-app-client-77aa", "pinwarden: Pinterest app client secret",
		  "pinwarden: Pinterest app client secret (workspace aaaaaaaa\xe2\x80\xa6)" },
	};
	pw_keyring k;
	pw_error err = { 0 };
	GList *items;
	guint seen = 0;
	(void)state;
	need_keyring();
	pw_keyring_init(&k, WS_A, 5000);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		ok(pw_secret_store(&k, cases[i].account, cases[i].kind, cases[i].secret, cases[i].label, &err), &k, &err);
	/* A label that would show the secret is refused, and nothing stored. */
	assert_int_equal(pw_secret_store(&k, 13, PW_SECRET_ACCESS, "pina_SECRET-in-label", "oops pina_SECRET-in-label",
	                                 &err), PW_E_INVALID);

	items = items_of(WS_A);
	assert_int_equal(g_list_length(items), G_N_ELEMENTS(cases));
	for (GList *l = items; l; l = l->next) {
		SecretItem *item = l->data;
		char *label = secret_item_get_label(item);
		GHashTable *attrs = secret_item_get_attributes(item);
		GHashTableIter it;
		gpointer key, value;
		const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(item));

		/* In the default collection, not the session one. */
		if (!g_str_has_prefix(path, DEFAULT_COLLECTION "/"))
			fail_msg("item %s is not in the default collection", path);
		if (strstr(label, "SECRET"))
			fail_msg("label '%s' shows the secret", label);
		g_hash_table_iter_init(&it, attrs);
		while (g_hash_table_iter_next(&it, &key, &value)) {
			if (strstr(key, "SECRET") || strstr(value, "SECRET"))
				fail_msg("attribute %s=%s shows the secret", (char *)key, (char *)value);
		}
		assert_int_equal(g_hash_table_size(attrs), 4);
		assert_string_equal(g_hash_table_lookup(attrs, "xdg:schema"), "org.pinwarden.Secret");
		assert_string_equal(g_hash_table_lookup(attrs, "workspace"), WS_A);
		for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
			if (strcmp(g_hash_table_lookup(attrs, "kind"), pw_secret_kind_name(cases[i].kind)) == 0) {
				char account[24];
				g_snprintf(account, sizeof account, "%" G_GINT64_FORMAT, cases[i].account);
				assert_string_equal(g_hash_table_lookup(attrs, "account"), account);
				assert_string_equal(label, cases[i].label_has);
				seen++;
			}
		}
		g_hash_table_unref(attrs);
		g_free(label);
	}
	assert_int_equal(seen, G_N_ELEMENTS(cases));
	g_list_free_full(items, g_object_unref);
	delete_all(WS_A);
}

/* ---- a locked collection ---------------------------------------------- */

static GVariant *call_secrets(const char *path, const char *iface, const char *method, GVariant *args,
                              const GVariantType *reply_type)
{
	GError *e = NULL;
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &e);
	GVariant *reply;
	if (!bus)
		fail_msg("session bus: %s", e->message);
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets", path, iface, method, args, reply_type,
	                                    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &e);
	g_object_unref(bus);
	if (!reply)
		fail_msg("%s: %s", method, e->message);
	return reply;
}

static void lock_default(void)
{
	g_variant_unref(call_secrets("/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "Lock",
	                             g_variant_new_parsed("([objectpath '/org/freedesktop/secrets/aliases/default'],)"),
	                             NULL));
}

/* Unlocks without a prompt, through gnome-keyring's own interface, with
 * the password tests/with-keyring gave it. */
static void unlock_default(void)
{
	const char *password = g_getenv("PINWARDEN_TEST_KEYRING_PASSWORD");
	GVariant *opened, *secret;
	const char *session;

	assert_non_null(password);
	opened = call_secrets("/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "OpenSession",
	                      g_variant_new("(sv)", "plain", g_variant_new_string("")), G_VARIANT_TYPE("(vo)"));
	g_variant_get(opened, "(v&o)", NULL, &session);
	secret = g_variant_new("(o@ay@ays)", session, g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, "", 0, 1),
	                       g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, password, strlen(password), 1),
	                       "text/plain");
	g_variant_unref(call_secrets("/org/freedesktop/secrets", "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
	                             "UnlockWithMasterPassword",
	                             g_variant_new("(o@(oayays))", DEFAULT_COLLECTION, secret), NULL));
	g_variant_unref(call_secrets(session, "org.freedesktop.Secret.Session", "Close", NULL, NULL));
	g_variant_unref(opened);
}

static void a_locked_collection_is_not_taken_for_an_empty_one(void **state)
{
	pw_keyring k;
	pw_error err = { 0 };
	char *got = NULL;
	gint64 start;
	(void)state;
	need_keyring();
	pw_keyring_init(&k, WS_B, 5000);
	ok(pw_secret_store(&k, 5, PW_SECRET_ACCESS, "pina_locked-away", NULL, &err), &k, &err);
	lock_default();

	start = g_get_monotonic_time();
	/* libsecret itself reports "nothing there" for these two. */
	assert_int_equal(pw_secret_lookup(&k, 5, PW_SECRET_ACCESS, &got, &err), PW_E_IO);
	assert_null(got);
	assert_int_equal(k.last_failure, PW_SECRET_LOCKED);
	assert_non_null(strstr(err.message, "locked"));
	assert_non_null(strstr(err.message, "--unlock"));
	assert_int_equal(pw_secret_delete(&k, 5, PW_SECRET_ACCESS, &err), PW_E_IO);
	assert_int_equal(k.last_failure, PW_SECRET_LOCKED);
	assert_int_equal(pw_secret_store(&k, 5, PW_SECRET_ACCESS, "pina_locked-away-2", NULL, &err), PW_E_IO);
	assert_int_equal(k.last_failure, PW_SECRET_LOCKED);
	/* Nothing there is still nothing there, locked or not. */
	ok(pw_secret_lookup(&k, 6, PW_SECRET_ACCESS, &got, &err), &k, &err);
	assert_null(got);
	assert_true(elapsed_ms(start) < 3000);

	unlock_default();
	ok(pw_secret_lookup(&k, 5, PW_SECRET_ACCESS, &got, &err), &k, &err);
	assert_string_equal(got, "pina_locked-away");
	pw_secret_free(got);
	ok(pw_secret_delete(&k, 5, PW_SECRET_ACCESS, &err), &k, &err);
}

/* ---- time ------------------------------------------------------------ */

/* With next to no time, calls may fail with a timeout but never hang, and
 * the calls after them still work: a call given up on reports later into
 * memory of its own. */
static void tiny_timeouts_fail_fast_and_do_no_harm(void **state)
{
	pw_keyring k;
	pw_error err = { 0 };
	int timeouts = 0;
	(void)state;
	need_keyring();
	for (int i = 0; i < 5; i++) {
		gint64 start = g_get_monotonic_time();
		pw_code rc;
		pw_keyring_init(&k, WS_B, 1);
		rc = pw_keyring_probe(&k, &err);
		/* Four calls at most, each 1 ms plus the grace for a cancelled call. */
		if (elapsed_ms(start) > 4 * 600)
			fail_msg("a probe with timeout_ms = 1 took %" G_GINT64_FORMAT " ms", elapsed_ms(start));
		if (rc != PW_OK) {
			assert_int_equal(k.last_failure, PW_SECRET_TIMEOUT);
			assert_non_null(strstr(err.message, "within 1 ms"));
			timeouts++;
		}
	}
	print_message("%d of 5 probes with timeout_ms = 1 timed out\n", timeouts);
	pw_keyring_init(&k, WS_B, 5000);
	ok(pw_keyring_probe(&k, &err), &k, &err);
	delete_all(WS_B);
}

/* ---- failures that need a process of their own ----------------------- */

typedef struct probe_run {
	int status;        /* exit status, or -1 */
	char *out, *err;
	gint64 ms;
} probe_run;

/* Runs keyring_probe with the environment changed: each of `set` is
 * NAME=VALUE, or NAME alone to remove it. */
static probe_run run_probe(const char *timeout_ms, const char *const *set)
{
	char *timeout = g_strdup(timeout_ms);
	char *argv[] = { probe_path, timeout, NULL };
	char **env = g_get_environ();
	GError *e = NULL;
	probe_run r = { -1, NULL, NULL, 0 };
	int wait_status = 0;
	gint64 start;

	for (; set && *set; set++) {
		const char *eq = strchr(*set, '=');
		if (eq) {
			char *name = g_strndup(*set, (gsize)(eq - *set));
			env = g_environ_setenv(env, name, eq + 1, TRUE);
			g_free(name);
		} else {
			env = g_environ_unsetenv(env, *set);
		}
	}
	start = g_get_monotonic_time();
	if (!g_spawn_sync(NULL, argv, env, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err, &wait_status, &e))
		fail_msg("cannot run %s: %s", probe_path, e->message);
	r.ms = elapsed_ms(start);
	if (WIFEXITED(wait_status))
		r.status = WEXITSTATUS(wait_status);
	g_strchomp(r.out);
	g_strfreev(env);
	g_free(timeout);
	return r;
}

static void probe_run_clear(probe_run *r)
{
	g_free(r->out);
	g_free(r->err);
}

static void expect_failure(const probe_run *r, const char *failure)
{
	if (r->status != 1 || strcmp(r->out, failure) != 0)
		fail_msg("expected failure %s, got status %d, output '%s', errors: %s", failure, r->status, r->out, r->err);
	assert_non_null(strstr(r->err, "doc/keyring.md"));
}

static void no_session_bus(void **state)
{
	char *dir = test_tempdir();
	char *runtime = g_strconcat("XDG_RUNTIME_DIR=", dir, NULL);
	const char *const nonexistent[] = { "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus", "DISPLAY", NULL };
	/* Unset, as over SSH: GLib then looks for $XDG_RUNTIME_DIR/bus, and
	 * without a display cannot start a bus of its own. */
	const char *const unset[] = { "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", runtime, NULL };
	probe_run r;
	(void)state;

	r = run_probe("5000", nonexistent);
	expect_failure(&r, "no_bus");
	assert_non_null(strstr(r.err, "session bus"));
	assert_non_null(strstr(r.err, "dbus-run-session"));
	assert_non_null(strstr(r.err, "unix:path=/nonexistent/bus"));
	assert_true(r.ms < 3000);
	probe_run_clear(&r);

	r = run_probe("5000", unset);
	expect_failure(&r, "no_bus");
	assert_non_null(strstr(r.err, "DBUS_SESSION_BUS_ADDRESS is not set"));
	assert_true(r.ms < 3000);
	probe_run_clear(&r);

	test_rmtree(dir);
	g_free(runtime);
	g_free(dir);
}

/* A socket that takes the connection and never says a word: the D-Bus
 * handshake itself must be bounded. */
static void a_bus_that_never_answers_times_out(void **state)
{
	char *dir = test_tempdir();
	char *path = g_build_filename(dir, "silent", NULL);
	char *address = g_strconcat("DBUS_SESSION_BUS_ADDRESS=unix:path=", path, NULL);
	const char *const set[] = { address, NULL };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	probe_run r;
	(void)state;

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof sa.sun_path);
	g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 8), 0);

	r = run_probe("300", set);
	if (r.status != 1 || strcmp(r.out, "timeout") != 0)
		fail_msg("expected a timeout, got status %d, output '%s', errors: %s", r.status, r.out, r.err);
	assert_non_null(strstr(r.err, "did not answer within 300 ms"));
	/* The deadline, the grace for the cancelled call, and a process start
	 * in the sanitizer build. */
	if (r.ms < 300 || r.ms > 300 + 500 + 1500)
		fail_msg("the timeout took %" G_GINT64_FORMAT " ms", r.ms);
	probe_run_clear(&r);

	close(fd);
	test_rmtree(dir);
	g_free(address);
	g_free(path);
	g_free(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(storing_again_replaces),
		cmocka_unit_test(workspaces_do_not_collide),
		cmocka_unit_test(missing_items_are_not_errors),
		cmocka_unit_test(the_probe_passes_and_leaves_nothing),
		cmocka_unit_test(secrets_stay_out_of_labels_and_attributes),
		cmocka_unit_test(a_locked_collection_is_not_taken_for_an_empty_one),
		cmocka_unit_test(tiny_timeouts_fail_fast_and_do_no_harm),
		cmocka_unit_test(no_session_bus),
		cmocka_unit_test(a_bus_that_never_answers_times_out),
	};
	char *dir = g_path_get_dirname(argc > 0 ? argv[0] : ".");
	int failed;

	probe_path = g_build_filename(dir, "keyring_probe", NULL);
	g_free(dir);
	failed = cmocka_run_group_tests_name("secrets", tests, NULL, NULL);
	g_free(probe_path);
	return failed;
}
