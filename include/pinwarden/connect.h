/* connect.h: a client connects their Pinterest account by approving
 * access themselves. pinwarden opens a connection request (a single-use
 * state of 256 bits from the OS random source, an expiry, the operator
 * who asked), gives the operator the authorization URL and a message for
 * the client, and completes the request with the code that comes back. */
#ifndef PINWARDEN_CONNECT_H
#define PINWARDEN_CONNECT_H

#include <stdbool.h>

#include "pinwarden/context.h"
#include "pinwarden/redirect.h"

#define PW_CONNECT_TTL_DEFAULT (15 * 60)

typedef struct pw_connect_request {
	gint64 id;
	gint64 account_id;
	char *client_name;
	char *expected_username;
	char *state;        /* only ever in memory and in the URL */
	char *url;          /* the authorization page, for the client */
	char *expires_at;   /* stored format */
	char *redirect_uri;
} pw_connect_request;

void pw_connect_request_clear(pw_connect_request *r);

/* Opens a request for the client's account `username` (expected for it
 * already, or added now). An earlier open request for the same account
 * is closed as replaced. */
pw_code pw_connect_open(pw_ctx *ctx, const char *client_name, const char *username, int ttl_seconds,
                        pw_connect_request *out, pw_error *err);

/* The message the operator sends the client with the URL. */
char *pw_connect_message(const pw_connect_request *r);

typedef struct pw_connect_result {
	gint64 account_id;
	char *client_name;
	char *expected_username;
	char *approved_username;  /* the Pinterest user who approved */
	bool mismatch;
} pw_connect_result;

void pw_connect_result_clear(pw_connect_result *r);

/* Completes a request with what came back. Refuses an unknown, used or
 * expired state (each refusal is an event), records a declined approval,
 * exchanges the code, keeps the tokens in the keyring, and records who
 * asked and which Pinterest user approved. */
pw_code pw_connect_complete(pw_ctx *ctx, const pw_redirect *redirect, pw_connect_result *out, pw_error *err);

/* Closes open requests past their expiry (as expired, with events);
 * returns how many. */
pw_code pw_connect_expire(pw_ctx *ctx, int *closed, pw_error *err);

#endif
