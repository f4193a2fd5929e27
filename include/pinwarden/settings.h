/* settings.h: where the workspace is and what the config file says.
 *
 * The config file is a GKeyFile at $XDG_CONFIG_HOME/pinwarden/config. A
 * missing file means defaults; a malformed one is an error that names the
 * file and the line, never silently ignored. */
#ifndef PINWARDEN_SETTINGS_H
#define PINWARDEN_SETTINGS_H

#include <glib.h>

#include "pinwarden/error.h"

typedef struct pw_settings {
	char *config_path;      /* the file read, or that would be read */
	gboolean config_found;
	char *workspace;        /* resolved workspace folder */
	const char *workspace_source; /* "--workspace", "PINWARDEN_WORKSPACE", "config", "default" */
	int busy_timeout_ms;    /* [store] busy_timeout_ms */
	GKeyFile *keyfile;      /* the whole file, for modules with keys of their own */
} pw_settings;

#define PW_DEFAULT_BUSY_TIMEOUT_MS 5000

/* Loads the config file and resolves the workspace folder, in this order:
 * workspace_arg (from --workspace), $PINWARDEN_WORKSPACE, [workspace] path
 * in the config file, $XDG_DATA_HOME/pinwarden. */
pw_code pw_settings_load(pw_settings *s, const char *workspace_arg, pw_error *err);
void pw_settings_clear(pw_settings *s);

/* A key of the config file, checked: absent keys leave *out as it is;
 * a malformed or out-of-range value is an error naming file, group and
 * key. Strings are returned g_malloc'd (NULL when absent). */
pw_code pw_settings_int(const pw_settings *s, const char *group, const char *key, int lo, int hi, int *out,
                        pw_error *err);
pw_code pw_settings_bool(const pw_settings *s, const char *group, const char *key, gboolean *out, pw_error *err);
pw_code pw_settings_string(const pw_settings *s, const char *group, const char *key, char **out, pw_error *err);

#endif
