/* offboard.h: disconnecting cleanly. Nothing may stay queued against an
 * account (cancel it, or stop), its tokens leave the keyring, it is marked
 * disconnected; for a whole client the activity log is exported, the
 * client archived, and the steps the client takes on their side are
 * given. Every step is an event, and each is safe to repeat, so that a
 * run stopped half-way is completed by running it again. */
#ifndef PINWARDEN_OFFBOARD_H
#define PINWARDEN_OFFBOARD_H

#include <stdbool.h>

#include "pinwarden/checks.h"
#include "pinwarden/context.h"

typedef struct pw_offboard_report {
	GPtrArray *steps;          /* pw_check, in the order done */
	GPtrArray *waiting_jobs;   /* pw_job still waiting, when that stopped it */
	char *export_path;         /* where the client's log went */
	sqlite3_int64 remaining;   /* jobs still waiting at the end: 0 when clean */
} pw_offboard_report;

void pw_offboard_report_clear(pw_offboard_report *r);

/* Disconnects one account. With cancel_queued false, jobs still waiting
 * stop it (PW_E_CONFLICT, report->waiting_jobs lists them). */
pw_code pw_account_disconnect(pw_ctx *ctx, gint64 account_id, bool cancel_queued, pw_offboard_report *report,
                              pw_error *err);

/* Offboards a client: every account as above, then the export (to
 * export_path, or to a file in the workspace's exports folder when NULL),
 * then the archive. */
pw_code pw_client_offboard(pw_ctx *ctx, const char *client_name, bool cancel_queued, const char *export_path,
                           pw_offboard_report *report, pw_error *err);

/* What the client does on their side: no API takes a user's approval
 * back, so they remove the app's access themselves. */
const char *pw_offboard_client_steps(void);

#endif
