/* pinterest.h: the Pinterest API v5 adapter.
 *
 * Everything above this sees typed results and classified errors, never
 * HTTP. One pw_api holds one libcurl handle, so that calls through it
 * reuse one connection per host; it is not shared between threads.
 * Access tokens, refresh tokens and the app's client secret are passed in
 * by the caller, never logged, never put in an error message, and the
 * buffers that carried them are wiped. */
#ifndef PINWARDEN_PINTEREST_H
#define PINWARDEN_PINTEREST_H

#include <glib.h>
#include <stdbool.h>

#include "pinwarden/error.h"
#include "pinwarden/settings.h"

/* Where Pinterest is. From [pinterest] in the config file, then the
 * environment ($PINWARDEN_API_BASE, $PINWARDEN_AUTHORIZE_URL). */
typedef struct pw_api_config {
	char *api_base;          /* no trailing slash */
	char *authorize_url;
	char *ca_file;           /* extra CA bundle for a private CA, or NULL */
	long connect_timeout_ms;
	long timeout_ms;         /* the whole request */
	int max_pages;           /* a list that needs more pages is an error */
} pw_api_config;

#define PW_API_BASE_DEFAULT "https://api.pinterest.com/v5"
#define PW_API_BASE_SANDBOX "https://api-sandbox.pinterest.com/v5"
#define PW_AUTHORIZE_URL_DEFAULT "https://www.pinterest.com/oauth/"

pw_code pw_api_config_load(const pw_settings *settings, pw_api_config *cfg, pw_error *err);
void pw_api_config_clear(pw_api_config *cfg);

/* How a failed call should be treated by the layers above. */
typedef enum pw_api_class {
	PW_API_OK = 0,
	PW_API_TRANSIENT, /* no answer, time-out, 5xx, 429 rate limit: try again later */
	PW_API_AUTH,      /* 401: refresh the token and try once more */
	PW_API_PERMANENT, /* 400, 403, 404, other 4xx, a 429 about spam, TLS failure */
	PW_API_LOCAL,     /* refused before sending: the message names the rule */
} pw_api_class;

typedef struct pw_api_error {
	pw_api_class klass;
	long http_status;      /* 0 when there was no answer */
	long code;             /* Pinterest's error code, 0 when none */
	char message[512];     /* Pinterest's message, or what went wrong here */
	char request_id[128];  /* the x-pinterest-rid header, "" when none */
	bool rate_limited;     /* a 429 that is about the rate */
	bool maybe_done;       /* a write whose outcome is unknown: it may have happened */
	long retry_after_s;    /* from Retry-After, 0 when absent */
} pw_api_error;

const char *pw_api_class_name(pw_api_class klass);

typedef struct pw_api pw_api;

pw_code pw_api_new(const pw_api_config *cfg, pw_api **out, pw_error *err);
void pw_api_free(pw_api *api);

/* How many connections this handle has opened: one per host is the aim. */
guint pw_api_connections(const pw_api *api);

/* The app registered with Pinterest. */
typedef struct pw_app {
	const char *client_id;
	const char *client_secret;   /* secret */
	const char *redirect_uri;
	bool continuous_refresh;     /* apps created before 2025-09-25 */
} pw_app;

typedef struct pw_tokens {
	char *access_token;          /* secret */
	char *refresh_token;         /* secret; NULL when the answer has none */
	char *token_type;
	char *scope;
	char *response_type;
	gint64 expires_in;           /* seconds */
	gint64 refresh_token_expires_in;
	gint64 refresh_token_expires_at; /* Unix seconds, 0 when absent */
} pw_tokens;

/* Wipes the secrets and frees everything. */
void pw_tokens_clear(pw_tokens *tokens);

/* Overwrites a secret's bytes (then the caller frees it). */
void pw_secret_wipe(char *secret);

/* Every call returns PW_OK, PW_E_API with *aerr classified and a
 * one-line summary in *err, or PW_E_INVALID when refused locally. The
 * result struct is overwritten: pass an empty one (a token struct still
 * holding secrets would leak them unwiped). */

pw_code pw_api_exchange_code(pw_api *api, const pw_app *app, const char *code, pw_tokens *out,
                             pw_api_error *aerr, pw_error *err);
/* Every refresh returns a new refresh token: store it before anything else. */
pw_code pw_api_refresh(pw_api *api, const pw_app *app, const char *refresh_token, pw_tokens *out,
                       pw_api_error *aerr, pw_error *err);

/* The access token for a call. On a 401, refresh (when set) is called
 * once for a new access token (which it has stored), and the call is
 * made once more with it. It returns a g_malloc'd token, wiped and freed
 * here, or NULL with *err set. */
typedef struct pw_api_auth {
	const char *access_token;
	char *(*refresh)(void *ud, pw_error *err);
	void *ud;
} pw_api_auth;

typedef struct pw_user_account {
	char *username;
	char *id;
	char *account_type;   /* PINNER or BUSINESS */
	char *business_name;
	char *profile_image;
	char *website_url;
	gint64 board_count, pin_count, follower_count;
} pw_user_account;
void pw_user_account_clear(pw_user_account *u);

typedef struct pw_api_board {
	char *id;
	char *name;
	char *description;
	char *privacy;        /* PUBLIC, PROTECTED, SECRET */
	char *owner_username;
	gint64 pin_count;
} pw_api_board;
void pw_api_board_free(pw_api_board *b);

typedef struct pw_api_section {
	char *id;
	char *name;
} pw_api_section;
void pw_api_section_free(pw_api_section *s);

typedef struct pw_api_pin {
	char *id;
	char *created_at;
	char *board_id;
	char *board_section_id;
	char *board_owner;
	char *title;
	char *description;
	char *link;
	char *alt_text;
	char *dominant_color;
	char *media_type;
	char *image_url;      /* the largest image Pinterest lists, if any */
} pw_api_pin;
void pw_api_pin_clear(pw_api_pin *p);
void pw_api_pin_free(pw_api_pin *p);

/* What to publish. Exactly one of image_url and image_path: a local JPEG
 * or PNG file is sent as image_base64. */
typedef struct pw_pin_create {
	const char *board_id;
	const char *board_section_id;
	const char *title;
	const char *description;
	const char *link;
	const char *alt_text;
	const char *dominant_color;
	const char *image_url;
	const char *image_path;
} pw_pin_create;

/* Pinterest's limits, counted in characters: checked before sending. */
#define PW_PIN_TITLE_MAX 100
#define PW_PIN_DESCRIPTION_MAX 800
#define PW_PIN_ALT_TEXT_MAX 500
#define PW_PIN_LINK_MAX 2048
#define PW_PIN_IMAGE_MAX_BYTES (20 * 1024 * 1024)

/* "image/jpeg" or "image/png" by the file's first bytes, else NULL. */
const char *pw_image_content_type(const char *data, size_t len);

/* The rules Pinterest applies to a PinCreate, checked here first; the
 * error names the field. */
pw_code pw_pin_create_check(const pw_pin_create *pin, pw_error *err);

pw_code pw_api_user_account(pw_api *api, const pw_api_auth *auth, pw_user_account *out,
                            pw_api_error *aerr, pw_error *err);
/* All boards, every page followed. Array of pw_api_board. */
pw_code pw_api_list_boards(pw_api *api, const pw_api_auth *auth, GPtrArray **out,
                           pw_api_error *aerr, pw_error *err);
/* Array of pw_api_section. */
pw_code pw_api_list_sections(pw_api *api, const pw_api_auth *auth, const char *board_id, GPtrArray **out,
                             pw_api_error *aerr, pw_error *err);
pw_code pw_api_create_pin(pw_api *api, const pw_api_auth *auth, const pw_pin_create *pin, pw_api_pin *out,
                          pw_api_error *aerr, pw_error *err);
pw_code pw_api_get_pin(pw_api *api, const pw_api_auth *auth, const char *pin_id, pw_api_pin *out,
                       pw_api_error *aerr, pw_error *err);
/* The newest pins of a board, at most max_items (0: every page).
 * Array of pw_api_pin. */
pw_code pw_api_list_board_pins(pw_api *api, const pw_api_auth *auth, const char *board_id, guint max_items,
                               GPtrArray **out, pw_api_error *aerr, pw_error *err);

/* The authorization page URL for a connection request. */
char *pw_api_authorize_url(const pw_api_config *cfg, const pw_app *app, const char *scopes, const char *state);

#endif
