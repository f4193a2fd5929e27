/* secrets.h: tokens and the app's client secret in the desktop keyring
 * (the Secret Service, through libsecret), and nowhere else.
 *
 * One schema, "org.pinwarden.Secret", with the attributes workspace (the
 * workspace id), account (the account's id, "0" for the app) and kind
 * (access, refresh, app_secret, probe); a secret never goes in an
 * attribute or a label. Every call is bounded in time: a keyring that
 * does not answer fails with PW_SECRET_TIMEOUT instead of hanging. */
#ifndef PINWARDEN_SECRETS_H
#define PINWARDEN_SECRETS_H

#include <glib.h>
#include <libsecret/secret.h>

#include "pinwarden/error.h"

typedef enum pw_secret_kind {
	PW_SECRET_ACCESS,
	PW_SECRET_REFRESH,
	PW_SECRET_APP,     /* the Pinterest app's client secret; account 0 */
	PW_SECRET_PROBE,   /* written, read back and deleted by 'doctor' */
} pw_secret_kind;

/* Why the keyring failed, each with its own fix in the message. */
typedef enum pw_secret_failure {
	PW_SECRET_OK = 0,
	PW_SECRET_NO_BUS,        /* no D-Bus session bus (typical over SSH) */
	PW_SECRET_NO_SERVICE,    /* a bus, but no Secret Service on it */
	PW_SECRET_LOCKED,        /* the collection is locked and cannot be unlocked here */
	PW_SECRET_NO_COLLECTION, /* no default collection to store in */
	PW_SECRET_TIMEOUT,       /* no answer in time */
	PW_SECRET_OTHER,
} pw_secret_failure;

typedef struct pw_keyring {
	char workspace_id[33];
	int timeout_ms;          /* per call; [keyring] timeout_ms, default 10000 */
	pw_secret_failure last_failure;
} pw_keyring;

void pw_keyring_init(pw_keyring *k, const char *workspace_id, int timeout_ms);

const char *pw_secret_kind_name(pw_secret_kind kind);

/* Stores (replacing) the secret. The caller still owns and wipes it. */
pw_code pw_secret_store(pw_keyring *k, gint64 account_id, pw_secret_kind kind, const char *secret,
                        const char *label, pw_error *err);

/* Looks the secret up: *out is NULL when there is none (not an error);
 * free it with pw_secret_free, which wipes it. */
pw_code pw_secret_lookup(pw_keyring *k, gint64 account_id, pw_secret_kind kind, char **out, pw_error *err);

/* Deletes the secret; deleting one that is not there is not an error. */
pw_code pw_secret_delete(pw_keyring *k, gint64 account_id, pw_secret_kind kind, pw_error *err);

void pw_secret_free(char *secret);

/* The schema of pinwarden's items, for tools that look at them. */
const SecretSchema *pw_secret_schema(void);

/* Stores, reads back and deletes a probe item ('pinwarden doctor'). */
pw_code pw_keyring_probe(pw_keyring *k, pw_error *err);

#endif
