/* verify.h: checking a connected account before anything is published
 * with it: the approved Pinterest user is the one the client named, its
 * boards are known, the boards in scope exist, and a read succeeds. Only
 * when every check passes is the account "verified". */
#ifndef PINWARDEN_VERIFY_H
#define PINWARDEN_VERIFY_H

#include <stdbool.h>

#include "pinwarden/checks.h"
#include "pinwarden/context.h"

typedef struct pw_verify_report {
	GPtrArray *checks;  /* pw_check */
	bool verified;
	char *state;        /* the account's state afterwards */
} pw_verify_report;

void pw_verify_report_clear(pw_verify_report *r);

/* Runs every check that can run, records each result in one event, and
 * sets the account's state: verified, mismatch (a different Pinterest
 * user approved: unusable until an operator resolves it), or connected
 * with the failing check as its reason. Returns PW_OK whenever the
 * checks ran, whatever they found; read report->verified. */
pw_code pw_verify_account(pw_ctx *ctx, gint64 account_id, pw_verify_report *report, pw_error *err);

/* Called with each check as soon as it has run, so that a front end can
 * show the checklist as it arrives. */
typedef void (*pw_verify_progress_fn)(const pw_check *check, void *ud);

/* pw_verify_account, calling progress (may be NULL) after each check. */
pw_code pw_verify_account_with(pw_ctx *ctx, gint64 account_id, pw_verify_progress_fn progress, void *ud,
                               pw_verify_report *report, pw_error *err);

#endif
