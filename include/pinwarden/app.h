/* app.h: the Pinterest app the agency registered: its client id and
 * redirect URI in the workspace, its client secret in the keyring only. */
#ifndef PINWARDEN_APP_H
#define PINWARDEN_APP_H

#include <stdbool.h>

#include "pinwarden/context.h"

#define PW_APP_DEFAULT_SCOPES "boards:read,boards:write,pins:read,pins:write,user_accounts:read"

typedef struct pw_app_settings {
	char *client_id;
	char *redirect_uri;
	char *scopes;             /* comma-separated */
	bool continuous_refresh;  /* apps created before 2025-09-25 */
} pw_app_settings;

void pw_app_settings_clear(pw_app_settings *s);

/* Checks the settings as typed, touching nothing. */
pw_code pw_app_check(const pw_app_settings *in, pw_error *err);

/* Checks and records the app; the secret goes to the keyring first, so a
 * keyring that fails leaves the workspace as it was. */
pw_code pw_app_set(pw_ctx *ctx, const pw_app_settings *in, const char *client_secret, pw_error *err);

/* The recorded app: PW_E_MISSING, saying to run 'pinwarden app set',
 * when there is none. */
pw_code pw_app_get(pw_store *store, pw_app_settings *out, pw_error *err);

/* The app with its secret (pw_secret_free it), ready for a token call. */
pw_code pw_app_load(pw_ctx *ctx, pw_app_settings *settings, char **client_secret, pw_error *err);

/* Does the redirect URI let pinwarden listen for the code itself (an
 * http URL on this machine)? Sets the port when it does. */
bool pw_app_redirect_is_loopback(const char *redirect_uri, int *port, char **path);

#endif
