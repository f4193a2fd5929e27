/* keyring_probe: runs pw_keyring_probe once, for the tests of the
 * keyring's failures (tests/cli/keyring.sh, tests/unit/test_secrets.c),
 * each of which needs a process of its own: GLib keeps the session bus
 * connection for the life of the process.
 *
 *   keyring_probe [TIMEOUT_MS]
 *     prints "ok", or the failure's name (no_bus, no_service, locked,
 *     no_collection, timeout, other) on standard output and the message
 *     on standard error, and exits 1.
 *   keyring_probe --silent-service
 *     takes the Secret Service's name on the session bus and never
 *     answers a call: a keyring that is stuck. Prints "ready" once it has
 *     the name; runs until killed or the bus goes away. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <gio/gio.h>

#include "pinwarden/secrets.h"

static const char *failure_name(pw_secret_failure f)
{
	switch (f) {
	case PW_SECRET_OK: return "ok";
	case PW_SECRET_NO_BUS: return "no_bus";
	case PW_SECRET_NO_SERVICE: return "no_service";
	case PW_SECRET_LOCKED: return "locked";
	case PW_SECRET_NO_COLLECTION: return "no_collection";
	case PW_SECRET_TIMEOUT: return "timeout";
	case PW_SECRET_OTHER: return "other";
	}
	return "unknown";
}

static GDBusMessage *drop_calls(GDBusConnection *bus, GDBusMessage *msg, gboolean incoming, gpointer data)
{
	(void)bus;
	(void)data;
	if (incoming && g_dbus_message_get_message_type(msg) == G_DBUS_MESSAGE_TYPE_METHOD_CALL) {
		g_object_unref(msg);
		return NULL;
	}
	return msg;
}

static int silent_service(void)
{
	GError *e = NULL;
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &e);
	GVariant *reply;
	GMainLoop *loop;
	guint32 result = 0;

	if (!bus) {
		fprintf(stderr, "keyring_probe: %s\n", e->message);
		return 1;
	}
	g_dbus_connection_add_filter(bus, drop_calls, NULL, NULL);
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
	                                    "RequestName", g_variant_new("(su)", "org.freedesktop.secrets", 4u),
	                                    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &e);
	if (!reply) {
		fprintf(stderr, "keyring_probe: %s\n", e->message);
		return 1;
	}
	g_variant_get(reply, "(u)", &result);
	g_variant_unref(reply);
	if (result != 1) { /* DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */
		fprintf(stderr, "keyring_probe: org.freedesktop.secrets is taken already\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	loop = g_main_loop_new(NULL, FALSE);
	g_main_loop_run(loop); /* GLib ends the process when the bus goes away */
	return 0;
}

int main(int argc, char **argv)
{
	pw_keyring k;
	pw_error err = { 0 };
	int timeout_ms = 10000;

	if (argc > 1 && g_strcmp0(argv[1], "--silent-service") == 0)
		return silent_service();
	if (argc > 1)
		timeout_ms = atoi(argv[1]);
	pw_keyring_init(&k, "feedfacefeedfacefeedfacefeedface", timeout_ms);
	if (pw_keyring_probe(&k, &err) != PW_OK) {
		printf("%s\n", failure_name(k.last_failure));
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	printf("ok\n");
	return 0;
}
