#include "config.h"

#include "pinwarden/secrets.h"

#include <string.h>

#include <gio/gio.h>
#include <libsecret/secret.h>

#define DEFAULT_TIMEOUT_MS 10000

/* How long to keep waiting for a cancelled call to report before giving
 * up on it. GDBus reports a cancelled method call at once, but libsecret
 * answers a cancelled prompt by asking the service to dismiss it and then
 * waits for the service's "Completed" signal, which a stuck service never
 * sends. */
#define GRACE_MS 500

#define DOC "doc/keyring.md"

static const SecretSchema schema = {
	.name = "org.pinwarden.Secret",
	.flags = SECRET_SCHEMA_NONE,
	.attributes = {
		{ "workspace", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
};

const SecretSchema *pw_secret_schema(void)
{
	return &schema;
}

const char *pw_secret_kind_name(pw_secret_kind kind)
{
	switch (kind) {
	case PW_SECRET_ACCESS: return "access";
	case PW_SECRET_REFRESH: return "refresh";
	case PW_SECRET_APP: return "app_secret";
	case PW_SECRET_PROBE: return "probe";
	}
	return NULL;
}

void pw_keyring_init(pw_keyring *k, const char *workspace_id, int timeout_ms)
{
	memset(k, 0, sizeof *k);
	g_strlcpy(k->workspace_id, workspace_id ? workspace_id : "", sizeof k->workspace_id);
	k->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
	k->last_failure = PW_SECRET_OK;
}

void pw_secret_free(char *secret)
{
	/* Clears the bytes before freeing them, whether they are libsecret's
	 * non-pageable memory or ordinary heap memory. */
	secret_password_free(secret);
}

/* ---- one call in bounded time ---------------------------------------- */

/* Every keyring call runs on this context, pushed as the thread-default
 * for the call, never on the program's own: we iterate it only while we
 * wait, so nothing else of the program runs in between, and nothing of
 * ours runs in a main loop the program may have. There is one for the
 * whole process rather than one per call because libsecret keeps its
 * connection to the service between calls and delivers that object's
 * signals to the context it was made on, and because a call we gave up
 * on (see GRACE_MS) can then still report, and be freed, during a later
 * call. Keyring calls come from one thread. */
static GMainContext *keyring_context(void)
{
	static GMainContext *ctx;
	if (!ctx)
		ctx = g_main_context_new();
	return ctx;
}

typedef struct call {
	GMainContext *ctx;
	GCancellable *cancel;  /* cancelled by the timer at the deadline */
	GSource *timer;
	GSource *grace;        /* started by the timer; ends the waiting */
	int timeout_ms;
	gboolean connected;    /* to the bus; a timeout before is the bus's */
	gboolean timed_out;
	gboolean gave_up;
} call;

/* One asynchronous step. It lives on the heap because a step we stop
 * waiting for still reports later, into this struct. */
typedef struct step {
	gboolean done;
	gboolean abandoned;
	GAsyncResult *result;
} step;

static void step_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	step *s = data;
	(void)source;
	if (s->abandoned) {
		g_free(s);
		return;
	}
	s->result = g_object_ref(res);
	s->done = TRUE;
}

static void step_free(step *s)
{
	if (s) {
		g_clear_object(&s->result);
		g_free(s);
	}
}

static gboolean on_grace_over(gpointer data)
{
	call *c = data;
	c->gave_up = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean on_deadline(gpointer data)
{
	call *c = data;
	c->timed_out = TRUE;
	g_cancellable_cancel(c->cancel);
	c->grace = g_timeout_source_new(GRACE_MS);
	g_source_set_callback(c->grace, on_grace_over, c, NULL);
	g_source_attach(c->grace, c->ctx);
	return G_SOURCE_REMOVE;
}

static void call_begin(call *c, const pw_keyring *k)
{
	memset(c, 0, sizeof *c);
	c->ctx = keyring_context();
	c->timeout_ms = k->timeout_ms > 0 ? k->timeout_ms : DEFAULT_TIMEOUT_MS;
	g_main_context_push_thread_default(c->ctx);
	c->cancel = g_cancellable_new();
	c->timer = g_timeout_source_new(c->timeout_ms);
	g_source_set_callback(c->timer, on_deadline, c, NULL);
	g_source_attach(c->timer, c->ctx);
}

static void call_end(call *c)
{
	g_source_destroy(c->timer);
	g_source_unref(c->timer);
	if (c->grace) {
		g_source_destroy(c->grace);
		g_source_unref(c->grace);
	}
	g_object_unref(c->cancel);
	g_main_context_pop_thread_default(c->ctx);
}

/* Iterates the context until the step reports; after the deadline
 * cancelled it, waits GRACE_MS more at most, then abandons it and
 * returns FALSE. */
static gboolean step_wait(call *c, step *s)
{
	while (!s->done) {
		if (c->gave_up) {
			s->abandoned = TRUE;
			return FALSE;
		}
		g_main_context_iteration(c->ctx, TRUE);
	}
	return TRUE;
}

/* ---- failures -------------------------------------------------------- */

static gboolean is_spawn_error(const GError *e)
{
	if (e->domain != G_DBUS_ERROR)
		return FALSE;
	switch (e->code) {
	case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
	case G_DBUS_ERROR_SPAWN_FORK_FAILED:
	case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
	case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
	case G_DBUS_ERROR_SPAWN_FAILED:
	case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
	case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
	case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
	case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
	case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
	case G_DBUS_ERROR_SPAWN_FILE_INVALID:
	case G_DBUS_ERROR_SPAWN_NO_MEMORY:
		return TRUE;
	default:
		return FALSE;
	}
}

/* Sorts an error into the failures the user can do something about. Any
 * error while connecting to the bus means there is no usable bus: GLib
 * says "Cannot autolaunch D-Bus without X11 $DISPLAY", "Could not connect:
 * ...", or that dbus-launch could not be run. After that, every call goes
 * to org.freedesktop.secrets, so "no such name" is about the service. */
static pw_secret_failure classify(const call *c, const GError *e, gboolean connecting)
{
	const char *m = e->message;

	if (c->timed_out && g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return PW_SECRET_TIMEOUT;
	if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
	    g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
	    g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
	    g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY))
		return PW_SECRET_TIMEOUT;
	if (connecting)
		return PW_SECRET_NO_BUS;
	if (g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	    g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) || is_spawn_error(e) ||
	    strstr(m, "was not provided by any .service files"))
		return PW_SECRET_NO_SERVICE;
	if (g_error_matches(e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) || strstr(m, "locked collection"))
		return PW_SECRET_LOCKED;
	/* Without a default collection, libsecret asks the service to create
	 * one; when the service cannot show the prompt for its password,
	 * libsecret goes on with the login collection's path, which does not
	 * exist (gnome-keyring 42 answers UnknownMethod, "Object does not
	 * exist at path /org/freedesktop/secrets/collection/login"). */
	if (g_error_matches(e, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) || strstr(m, "No such secret collection") ||
	    ((g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
	      g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)) &&
	     strstr(m, "/collection/")))
		return PW_SECRET_NO_COLLECTION;
	if (strstr(m, "prompt"))
		return PW_SECRET_LOCKED;
	return PW_SECRET_OTHER;
}

/* What the failure means and what to do about it; `doing` says what we
 * were doing, `detail` what the library said. */
static pw_code keyring_fail(pw_keyring *k, const call *c, pw_secret_failure f, const char *doing,
                            const char *detail, pw_error *err)
{
	const char *bus = g_getenv("DBUS_SESSION_BUS_ADDRESS");
	char *bus_said = !bus ? g_strdup("not set") : !*bus ? g_strdup("empty") : g_strdup_printf("'%s'", bus);
	/* How to stop a keyring daemon so that it can be started unlocked:
	 * a running one cannot be unlocked from the command line, and
	 * --replace does not displace the one systemd runs. */
	const char *restart =
		"stop the keyring daemon (where systemd runs it: 'systemctl --user stop gnome-keyring-daemon.socket "
		"gnome-keyring-daemon.service') and start it again with the password on its standard input: "
		"'gnome-keyring-daemon --replace --unlock --components=secrets'";

	k->last_failure = f;
	switch (f) {
	case PW_SECRET_NO_BUS:
		pw_fail(err, PW_E_IO,
		        "cannot %s: there is no D-Bus session bus to reach the keyring through (%s; "
		        "DBUS_SESSION_BUS_ADDRESS is %s). That is usual in an SSH login, where no desktop session "
		        "started one. Run pinwarden inside a bus of its own with 'dbus-run-session -- pinwarden ...', "
		        "or give your user a lasting one with 'loginctl enable-linger' and log in again "
		        "('systemctl --user status dbus.socket' then shows it); " DOC " explains both, and how to "
		        "start the keyring in it",
		        doing, detail, bus_said);
		break;
	case PW_SECRET_NO_SERVICE:
		pw_fail(err, PW_E_IO,
		        "cannot %s: there is no Secret Service on the D-Bus session bus (%s), so there is no keyring "
		        "to keep tokens in. Install gnome-keyring (Debian: apt-get install gnome-keyring) and start it "
		        "in this session with the keyring password on its standard input: "
		        "'gnome-keyring-daemon --unlock --components=secrets'; " DOC " shows how to start it at login",
		        doing, detail);
		break;
	case PW_SECRET_LOCKED:
		pw_fail(err, PW_E_IO,
		        "cannot %s: the keyring's default collection is locked, and it cannot be unlocked here because "
		        "there is no desktop to ask for its password (%s). Unlock it by logging in on the desktop, or "
		        "from this shell: %s; " DOC " shows how to unlock it at login",
		        doing, detail, restart);
		break;
	case PW_SECRET_NO_COLLECTION:
		pw_fail(err, PW_E_IO,
		        "cannot %s: the keyring has no default collection to keep secrets in, and cannot create one "
		        "here because there is no desktop to ask for its password (%s). Create it from this shell: %s "
		        "(a new password there creates the 'login' collection and makes it the default); " DOC
		        " shows how to unlock it at login",
		        doing, detail, restart);
		break;
	case PW_SECRET_TIMEOUT:
		if (!c->connected)
			pw_fail(err, PW_E_IO,
			        "cannot %s: the D-Bus session bus did not answer within %d ms (DBUS_SESSION_BUS_ADDRESS "
			        "is %s). Check that it names a bus that is running ('dbus-send --session "
			        "--dest=org.freedesktop.DBus --print-reply / org.freedesktop.DBus.ListNames' answers at "
			        "once), or raise [keyring] timeout_ms in the configuration; " DOC,
			        doing, c->timeout_ms, bus_said);
		else
			pw_fail(err, PW_E_IO,
			        "cannot %s: the keyring did not answer within %d ms. Check that the Secret Service is not "
			        "stuck waiting for an unlock prompt that nobody can see ('secret-tool lookup kind probe' "
			        "then hangs too), or raise [keyring] timeout_ms in the configuration; " DOC,
			        doing, c->timeout_ms);
		break;
	case PW_SECRET_OK:
	case PW_SECRET_OTHER:
		k->last_failure = PW_SECRET_OTHER;
		pw_fail(err, PW_E_IO,
		        "cannot %s: the keyring failed (%s). 'secret-tool lookup kind probe' shows whether the Secret "
		        "Service answers at all; " DOC,
		        doing, detail);
		break;
	}
	g_free(bus_said);
	return PW_E_IO;
}

static pw_code fail_error(pw_keyring *k, const call *c, const GError *e, gboolean connecting, const char *doing,
                          pw_error *err)
{
	return keyring_fail(k, c, classify(c, e, connecting), doing, e->message, err);
}

/* ---- the steps ------------------------------------------------------- */

/* Connects to the session bus first, on its own, so that a missing bus is
 * told apart from everything after it, and so that the connection (which
 * GLib then keeps for libsecret) is made under our deadline: an address
 * whose other end never answers would otherwise hang the handshake. */
static pw_code connect_bus(pw_keyring *k, call *c, const char *doing, pw_error *err)
{
	step *s = g_new0(step, 1);
	GDBusConnection *bus;
	GError *e = NULL;
	pw_code rc;

	g_bus_get(G_BUS_TYPE_SESSION, c->cancel, step_ready, s);
	if (!step_wait(c, s))
		return keyring_fail(k, c, PW_SECRET_TIMEOUT, doing, NULL, err);
	bus = g_bus_get_finish(s->result, &e);
	step_free(s);
	if (!bus) {
		rc = fail_error(k, c, e, TRUE, doing, err);
		g_error_free(e);
		return rc;
	}
	g_object_unref(bus);
	c->connected = TRUE;
	return PW_OK;
}

/* Whether an item that matches is there but locked. libsecret's lookup
 * and clear try to unlock such an item, and when the service cannot ask
 * for the password they report "nothing there" rather than an error; this
 * tells the two apart. */
static pw_code check_not_locked(pw_keyring *k, call *c, GHashTable *attrs, const char *doing, pw_error *err)
{
	step *s = g_new0(step, 1);
	GError *e = NULL;
	GList *items;
	gboolean locked = FALSE;
	pw_code rc;

	secret_service_search(NULL, &schema, attrs, SECRET_SEARCH_ALL, c->cancel, step_ready, s);
	if (!step_wait(c, s))
		return keyring_fail(k, c, PW_SECRET_TIMEOUT, doing, NULL, err);
	items = secret_service_search_finish(NULL, s->result, &e);
	step_free(s);
	if (e) {
		rc = fail_error(k, c, e, FALSE, doing, err);
		g_error_free(e);
		return rc;
	}
	for (GList *l = items; l; l = l->next)
		if (secret_item_get_locked(l->data))
			locked = TRUE;
	g_list_free_full(items, g_object_unref);
	if (locked)
		return keyring_fail(k, c, PW_SECRET_LOCKED, doing, "the item is in a locked collection", err);
	return PW_OK;
}

/* ---- the operations -------------------------------------------------- */

static const char *kind_label(pw_secret_kind kind)
{
	switch (kind) {
	case PW_SECRET_ACCESS: return "access token";
	case PW_SECRET_REFRESH: return "refresh token";
	case PW_SECRET_APP: return "Pinterest app client secret";
	case PW_SECRET_PROBE: return "keyring probe (safe to delete)";
	}
	return "secret";
}

/* "the refresh token of account 12", for messages. */
static char *what(pw_secret_kind kind, gint64 account_id)
{
	switch (kind) {
	case PW_SECRET_ACCESS:
	case PW_SECRET_REFRESH:
		return g_strdup_printf("the %s of account %" G_GINT64_FORMAT, kind_label(kind), account_id);
	case PW_SECRET_APP:
		return g_strdup("the Pinterest app's client secret");
	case PW_SECRET_PROBE:
		return g_strdup("the keyring probe item");
	}
	return g_strdup("a secret");
}

/* Checks the arguments and builds the attributes; NULL on a bad one. */
static GHashTable *attributes(pw_keyring *k, gint64 account_id, pw_secret_kind kind, pw_error *err)
{
	char account[24];

	k->last_failure = PW_SECRET_OK;
	if (!pw_secret_kind_name(kind)) {
		pw_fail(err, PW_E_INVALID, "unknown kind of secret %d", (int)kind);
		return NULL;
	}
	if (!k->workspace_id[0]) {
		pw_fail(err, PW_E_INVALID, "the keyring needs the workspace's id to tell its secrets apart, and it has none");
		return NULL;
	}
	if (account_id < 0) {
		pw_fail(err, PW_E_INVALID, "account id %" G_GINT64_FORMAT " cannot be in the keyring", account_id);
		return NULL;
	}
	g_snprintf(account, sizeof account, "%" G_GINT64_FORMAT, account_id);
	return secret_attributes_build(&schema, "workspace", k->workspace_id, "account", account, "kind",
	                               pw_secret_kind_name(kind), NULL);
}

/* The item's label is what people see in Seahorse or 'secret-tool search':
 * the caller's description (or one for the kind), then the account and the
 * workspace, so that the items of two accounts or workspaces can be told
 * apart. Never the secret. */
static char *full_label(const pw_keyring *k, gint64 account_id, pw_secret_kind kind, const char *label)
{
	GString *s = g_string_new(NULL);

	if (label && *label)
		g_string_append(s, label);
	else
		g_string_append_printf(s, "pinwarden: %s", kind_label(kind));
	if (kind == PW_SECRET_ACCESS || kind == PW_SECRET_REFRESH)
		g_string_append_printf(s, " for account %" G_GINT64_FORMAT, account_id);
	g_string_append_printf(s, " (workspace %.8s\xe2\x80\xa6)", k->workspace_id);
	return g_string_free(s, FALSE);
}

pw_code pw_secret_store(pw_keyring *k, gint64 account_id, pw_secret_kind kind, const char *secret,
                        const char *label, pw_error *err)
{
	GHashTable *attrs = attributes(k, account_id, kind, err);
	char *thing, *doing, *text;
	step *s;
	call c;
	GError *e = NULL;
	pw_code rc;

	if (!attrs)
		return err ? err->code : PW_E_INVALID;
	thing = what(kind, account_id);
	doing = g_strdup_printf("store %s in the keyring", thing);
	text = full_label(k, account_id, kind, label);
	if (!secret || !*secret || !g_utf8_validate(secret, -1, NULL)) {
		rc = pw_fail(err, PW_E_INVALID, "cannot %s: it is empty or not text", doing);
		goto out;
	}
	/* A guard against a caller labelling an item with its secret; short
	 * strings turn up in ordinary label text by chance. */
	if (strlen(secret) >= 8 && strstr(text, secret)) {
		rc = pw_fail(err, PW_E_INVALID, "cannot %s: its label would show the secret itself", doing);
		goto out;
	}

	call_begin(&c, k);
	rc = connect_bus(k, &c, doing, err);
	if (rc == PW_OK) {
		s = g_new0(step, 1);
		secret_password_storev(&schema, attrs, SECRET_COLLECTION_DEFAULT, text, secret, c.cancel, step_ready, s);
		if (!step_wait(&c, s)) {
			rc = keyring_fail(k, &c, PW_SECRET_TIMEOUT, doing, NULL, err);
		} else {
			if (!secret_password_store_finish(s->result, &e))
				rc = fail_error(k, &c, e, FALSE, doing, err);
			g_clear_error(&e);
			step_free(s);
		}
	}
	call_end(&c);
out:
	g_free(text);
	g_free(doing);
	g_free(thing);
	g_hash_table_unref(attrs);
	return rc;
}

pw_code pw_secret_lookup(pw_keyring *k, gint64 account_id, pw_secret_kind kind, char **out, pw_error *err)
{
	GHashTable *attrs = attributes(k, account_id, kind, err);
	char *thing, *doing, *found = NULL;
	step *s;
	call c;
	GError *e = NULL;
	pw_code rc;

	*out = NULL;
	if (!attrs)
		return err ? err->code : PW_E_INVALID;
	thing = what(kind, account_id);
	doing = g_strdup_printf("read %s from the keyring", thing);

	call_begin(&c, k);
	rc = connect_bus(k, &c, doing, err);
	if (rc == PW_OK) {
		s = g_new0(step, 1);
		secret_password_lookupv(&schema, attrs, c.cancel, step_ready, s);
		if (!step_wait(&c, s)) {
			rc = keyring_fail(k, &c, PW_SECRET_TIMEOUT, doing, NULL, err);
		} else {
			/* A copy in memory that is not swapped out; pw_secret_free wipes it. */
			found = secret_password_lookup_nonpageable_finish(s->result, &e);
			if (e)
				rc = fail_error(k, &c, e, FALSE, doing, err);
			else if (!found)
				rc = check_not_locked(k, &c, attrs, doing, err);
			g_clear_error(&e);
			step_free(s);
		}
	}
	call_end(&c);
	if (rc == PW_OK)
		*out = found;
	else
		pw_secret_free(found);
	g_free(doing);
	g_free(thing);
	g_hash_table_unref(attrs);
	return rc;
}

pw_code pw_secret_delete(pw_keyring *k, gint64 account_id, pw_secret_kind kind, pw_error *err)
{
	GHashTable *attrs = attributes(k, account_id, kind, err);
	char *thing, *doing;
	step *s;
	call c;
	GError *e = NULL;
	pw_code rc;

	if (!attrs)
		return err ? err->code : PW_E_INVALID;
	thing = what(kind, account_id);
	doing = g_strdup_printf("delete %s from the keyring", thing);

	call_begin(&c, k);
	rc = connect_bus(k, &c, doing, err);
	if (rc == PW_OK) {
		s = g_new0(step, 1);
		secret_password_clearv(&schema, attrs, c.cancel, step_ready, s);
		if (!step_wait(&c, s)) {
			rc = keyring_fail(k, &c, PW_SECRET_TIMEOUT, doing, NULL, err);
		} else {
			/* FALSE without an error: nothing was deleted, either because
			 * nothing is there (fine) or because it is locked (not fine). */
			if (!secret_password_clear_finish(s->result, &e)) {
				if (e)
					rc = fail_error(k, &c, e, FALSE, doing, err);
				else
					rc = check_not_locked(k, &c, attrs, doing, err);
			}
			g_clear_error(&e);
			step_free(s);
		}
	}
	call_end(&c);
	g_free(doing);
	g_free(thing);
	g_hash_table_unref(attrs);
	return rc;
}

/* ---- the probe ------------------------------------------------------- */

static pw_code probe_fail(pw_keyring *k, const char *problem, pw_error *err)
{
	k->last_failure = PW_SECRET_OTHER;
	return pw_fail(err, PW_E_IO,
	               "the keyring probe failed: %s, so the Secret Service does not keep secrets faithfully. "
	               "Try another Secret Service, or report this; " DOC " shows how to list pinwarden's items",
	               problem);
}

pw_code pw_keyring_probe(pw_keyring *k, pw_error *err)
{
	char value[48];
	char *got = NULL;
	pw_code rc;

	/* Random, so that an old probe item or another process's cannot pass
	 * for this one. */
	g_snprintf(value, sizeof value, "pinwarden-probe-%08" G_GINT32_MODIFIER "x%08" G_GINT32_MODIFIER "x",
	           g_random_int(), g_random_int());
	rc = pw_secret_store(k, 0, PW_SECRET_PROBE, value, NULL, err);
	if (rc != PW_OK)
		return rc;

	rc = pw_secret_lookup(k, 0, PW_SECRET_PROBE, &got, err);
	if (rc == PW_OK && !got)
		rc = probe_fail(k, "the probe item was stored but could not be read back", err);
	else if (rc == PW_OK && strcmp(got, value) != 0)
		rc = probe_fail(k, "the probe item read back differs from the one stored", err);
	pw_secret_free(got);
	if (rc != PW_OK) {
		/* Clean up if we can, but report the first problem. */
		pw_secret_failure first = k->last_failure;
		pw_secret_delete(k, 0, PW_SECRET_PROBE, NULL);
		k->last_failure = first;
		return rc;
	}

	rc = pw_secret_delete(k, 0, PW_SECRET_PROBE, err);
	if (rc != PW_OK)
		return rc;
	rc = pw_secret_lookup(k, 0, PW_SECRET_PROBE, &got, err);
	if (rc == PW_OK && got)
		rc = probe_fail(k, "the probe item is still there after it was deleted", err);
	pw_secret_free(got);
	return rc;
}
