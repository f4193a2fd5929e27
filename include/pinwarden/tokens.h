/* tokens.h: an account's tokens over their lifetime: handing the access
 * token to API calls, refreshing on a 401 or ahead of expiry, and what
 * happens when a refresh fails for good.
 *
 * A refresh is serialized across processes (a lock file in the
 * workspace), so that the worker and an operator's command never spend
 * the same refresh token twice; and the new refresh token goes to the
 * keyring before anything else happens, since the old one stopped
 * working the moment Pinterest answered. */
#ifndef PINWARDEN_TOKENS_H
#define PINWARDEN_TOKENS_H

#include <stdbool.h>

#include "pinwarden/context.h"

/* An account's access token, ready to pass to the API calls: on a 401
 * the call refreshes once through it. */
typedef struct pw_account_auth {
	pw_api_auth auth;       /* what the API calls take */
	pw_ctx *ctx;
	gint64 account_id;
	char *access_token;     /* secret */
	pw_error refresh_error; /* why the last refresh failed */
} pw_account_auth;

/* Loads the access token from the keyring; PW_E_MISSING when the account
 * has none (never connected, or disconnected). */
pw_code pw_account_auth_open(pw_ctx *ctx, gint64 account_id, pw_account_auth *out, pw_error *err);
void pw_account_auth_close(pw_account_auth *a);

typedef enum pw_refresh_outcome {
	PW_REFRESHED,         /* new tokens stored */
	PW_REFRESHED_ELSEWHERE, /* another process had just refreshed; its token is used */
	PW_REFRESH_TRANSIENT, /* Pinterest did not answer usefully; try later, nothing changed */
	PW_REFRESH_REFUSED,   /* the refresh token is dead: the account needs reconnecting */
} pw_refresh_outcome;

/* Refreshes the account's tokens. `rejected` is the access token a call
 * was just refused with (or NULL): if the keyring already holds another,
 * another process refreshed meanwhile and nothing is sent. A refusal
 * moves the account to needs_reconnect and pauses its waiting jobs. */
pw_code pw_tokens_refresh(pw_ctx *ctx, gint64 account_id, const char *rejected, pw_refresh_outcome *outcome,
                          pw_error *err);

/* Keeps freshly obtained tokens: the refresh token to the keyring
 * first, then the access token; returns their expiry times in the stored
 * time format ("" when Pinterest gave none) for the account row, which
 * the caller updates with its event. */
pw_code pw_tokens_keep(pw_ctx *ctx, gint64 account_id, const pw_tokens *tokens, char access_expires[32],
                       char refresh_expires[32], pw_error *err);

/* When tokens count as due for refreshing. */
typedef struct pw_refresh_margins {
	int access_hours;     /* access token expiring within this */
	int refresh_days;     /* refresh token expiring within this */
} pw_refresh_margins;

#define PW_REFRESH_ACCESS_HOURS 24
#define PW_REFRESH_REFRESH_DAYS 14

typedef struct pw_refresh_due_item {
	gint64 account_id;
	char *username;
	char *client_name;
	pw_refresh_outcome outcome;
	char *message;
} pw_refresh_due_item;

/* Refreshes every connected account whose tokens are due. Array of
 * pw_refresh_due_item (free with pw_refresh_due_item_free). */
pw_code pw_tokens_refresh_due(pw_ctx *ctx, const pw_refresh_margins *margins, GPtrArray **out, pw_error *err);
void pw_refresh_due_item_free(pw_refresh_due_item *item);

/* Whole days until a stored time; negative when past; false when unset. */
bool pw_tokens_days_left(const char *stored_time, int *days);

#endif
