/* console.h: the full-screen console, what `pinwarden` opens. */
#ifndef PINWARDEN_CONSOLE_H
#define PINWARDEN_CONSOLE_H

#include "pinwarden/context.h"
#include "pinwarden/error.h"
#include "pinwarden/settings.h"
#include "pinwarden/store.h"

typedef struct pw_console_options {
	const char *theme;       /* --theme, NULL for the config file's or the default */
	/* A file of keys and commands to run without a terminal, for tests
	 * ($PINWARDEN_SCRIPT); NULL for an interactive console. */
	const char *script;
} pw_console_options;

/* Runs the console on an open workspace (ctx: the store, and the keyring
 * and Pinterest for the workflows that need them) until the operator
 * quits, or a signal (SIGINT, SIGTERM, SIGHUP) ends it; the terminal is
 * restored on every path. Returns PW_OK, or an error that stopped it (the
 * terminal is already restored, so the caller can print it). */
pw_code pw_console_run(pw_ctx *ctx, const pw_settings *settings, const pw_console_options *opt, pw_error *err);

#endif
