/* redirect.h: how the authorization code comes back from the client's
 * browser: to a one-shot listener on this machine's loopback address at
 * the registered redirect URI's port, or as a pasted URL. */
#ifndef PINWARDEN_REDIRECT_H
#define PINWARDEN_REDIRECT_H

#include <signal.h>
#include <stddef.h>

#include <glib.h>

#include "pinwarden/error.h"

typedef struct pw_redirect {
	char *code;              /* secret until exchanged; wiped by clear */
	char *state;
	char *error;             /* e.g. access_denied, when the client refused */
	char *error_description;
} pw_redirect;

void pw_redirect_clear(pw_redirect *r);

/* The largest request head the listener reads. */
#define PW_REDIRECT_REQUEST_MAX 8192

/* Parses the head of an HTTP request as a browser sends it after the
 * redirect. PW_OK and the fields when it is a GET of `path` carrying a
 * state; PW_E_NOT_FOUND for another path (a browser asking for
 * /favicon.ico); PW_E_INVALID when it is not a well-formed request. A
 * pure function, fuzzed (tests/fuzz). */
pw_code pw_redirect_parse_request(const char *buf, size_t len, const char *path, pw_redirect *out, pw_error *err);

/* Parses the redirected URL an operator pastes. */
pw_code pw_redirect_parse_url(const char *url, pw_redirect *out, pw_error *err);

typedef struct pw_listener pw_listener;

/* Binds 127.0.0.1:port (never another address). */
pw_code pw_listener_open(int port, pw_listener **out, pw_error *err);

/* Serves requests until one brings the redirect for `path` (PW_OK), the
 * monotonic deadline passes (PW_E_CONFLICT, saying it timed out), or
 * *cancel becomes non-zero (PW_E_CONFLICT, saying so). Every
 * request gets a short plain page; one that is slow or malformed is
 * dropped without stopping the wait. */
pw_code pw_listener_wait(pw_listener *l, const char *path, gint64 deadline_us, volatile sig_atomic_t *cancel,
                         pw_redirect *out, pw_error *err);

/* The listening socket, for a caller that waits in its own poll loop
 * (the console) and calls pw_listener_wait when it is readable. */
int pw_listener_fd(const pw_listener *l);

void pw_listener_close(pw_listener *l);

#endif
