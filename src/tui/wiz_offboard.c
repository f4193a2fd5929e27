/* wiz_offboard.c: offboarding the clients pane's selected client.
 *
 * Offboarding cannot be taken back (tokens gone, jobs cancelled), so the
 * wizard shows what it will touch before anything happens: the client's
 * accounts and every job still waiting. Waiting jobs are cancelled only
 * when the operator says so; "no" ends it with nothing changed. Then
 * where the log export goes, then a confirmation that asks for the
 * client's name typed exactly. The work is pw_client_offboard's, as for
 * `pinwarden client offboard`, and its report is shown step by step,
 * ending with whether any job is still queued.
 *
 * An archived client can be offboarded again: the service finds archived
 * clients and every step is safe to repeat, so a second run finishes what
 * a stopped run, or a plain `client archive`, left behind (tokens still
 * in the keyring, no export). The first screen says the client is
 * archived already. */
#include "config.h"

#include <string.h>

#include "tui.h"

#include "pinwarden/accounts.h"
#include "pinwarden/clients.h"
#include "pinwarden/jobs.h"
#include "pinwarden/offboard.h"
#include "pinwarden/text.h"
#include "pinwarden/timeutil.h"

typedef enum { STEP_PLAN, STEP_EXPORT, STEP_CONFIRM, STEP_RESULT } step;

static const char *step_names[] = { "1 what will happen", "2 log export", "3 confirm", "4 result" };

/* The states pw_client_offboard counts as still waiting. */
#define WAITING_STATES "queued,sending,retrying,paused"

typedef struct offboard_wiz {
	wizard base;
	step step;
	pw_client *client;          /* what the wizard acts on, whatever the panes do */
	GPtrArray *accounts;        /* pw_account */
	GPtrArray *jobs;            /* pw_job still waiting, as shown */
	bool cancel_queued;
	form *export;
	char *export_hint;          /* the form holds this pointer */
	char *export_path;          /* absolute, or NULL for the exports folder */
	GString *typed;             /* the name typed to confirm */
	/* the result */
	pw_code rc;
	pw_error err;
	pw_offboard_report report;
	sqlite3_int64 remaining;
} offboard_wiz;

/* ---- what will happen ------------------------------------------------------ */

static pw_code load_plan(pw_console *c, offboard_wiz *ow, pw_error *err)
{
	pw_job_filter f = { .client_id = ow->client->id, .state = WAITING_STATES };
	GPtrArray *accounts = NULL, *jobs = NULL;
	pw_code rc = pw_account_list(c->store, ow->client->id, &accounts, err);

	if (rc == PW_OK)
		rc = pw_job_list(c->store, &f, &jobs, err);
	if (rc != PW_OK) {
		if (accounts)
			g_ptr_array_unref(accounts);
		return rc;
	}
	if (ow->accounts)
		g_ptr_array_unref(ow->accounts);
	if (ow->jobs)
		g_ptr_array_unref(ow->jobs);
	ow->accounts = accounts;
	ow->jobs = jobs;
	return PW_OK;
}

/* Whether the jobs waiting now are the ones the operator agreed to. */
static bool same_jobs(GPtrArray *a, GPtrArray *b)
{
	if (a->len != b->len)
		return false;
	for (guint i = 0; i < a->len; i++)
		if (((pw_job *)g_ptr_array_index(a, i))->id != ((pw_job *)g_ptr_array_index(b, i))->id)
			return false;
	return true;
}

static const char *jobs_word(guint n)
{
	return n == 1 ? "job" : "jobs";
}

/* ---- the export path --------------------------------------------------------- */

static char *check_export(pw_console *c, void *ud, int i, const char *v)
{
	char *dir;
	char *problem = NULL;
	(void)c;
	(void)ud;
	(void)i;

	if (!*v)
		return NULL;
	if (g_file_test(v, G_FILE_TEST_IS_DIR))
		return g_strdup_printf("%s is a folder: add a file name to it, or leave this empty for the exports folder",
		                       v);
	dir = g_path_get_dirname(v);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		problem = g_strdup_printf("there is no folder %s: create it first, or leave this empty for the exports "
		                          "folder",
		                          dir);
	g_free(dir);
	return problem;
}

/* ---- moving through the steps -------------------------------------------------- */

static void cancelled(pw_console *c)
{
	console_message(c, false, "Offboarding cancelled: nothing was changed.");
}

static bool plan_key(pw_console *c, offboard_wiz *ow, int key)
{
	guint n = ow->jobs->len;

	if (n == 0) {
		if (key == '\n') {
			ow->cancel_queued = false;
			ow->step = STEP_EXPORT;
		}
		return true;
	}
	if (key == 'y' || key == 'Y') {
		ow->cancel_queued = true;
		ow->step = STEP_EXPORT;
		return true;
	}
	if (key == 'n' || key == 'N') {
		console_message(c, false, "Not offboarded: %u %s %s still queued for %s; cancel %s or wait until %s %s "
		                "published.",
		                n, jobs_word(n), n == 1 ? "is" : "are", ow->client->name, n == 1 ? "it" : "them",
		                n == 1 ? "it" : "they", n == 1 ? "is" : "are");
		return false;
	}
	console_message(c, true, "Answer y to cancel the %u waiting %s and go on, or n to stop here (nothing changes).",
	                n, jobs_word(n));
	return true;
}

static bool export_done(pw_console *c, offboard_wiz *ow)
{
	const char *v = form_value(ow->export, 0);
	(void)c;

	g_free(ow->export_path);
	/* Absolute, so that the confirmation and the report say exactly where. */
	ow->export_path = *v ? g_canonicalize_filename(v, NULL) : NULL;
	g_string_truncate(ow->typed, 0);
	ow->step = STEP_CONFIRM;
	return true;
}

static void run(pw_console *c, offboard_wiz *ow)
{
	pw_error err = { 0 };

	ow->rc = pw_client_offboard(c->ctx, ow->client->name, ow->cancel_queued, ow->export_path, &ow->report, &ow->err);
	if (ow->rc == PW_OK)
		ow->remaining = ow->report.remaining;
	else if (pw_job_count_waiting(c->store, ow->client->id, &ow->remaining, &err) != PW_OK)
		ow->remaining = -1;
	ow->step = STEP_RESULT;
}

static bool confirm(pw_console *c, offboard_wiz *ow)
{
	GPtrArray *shown;
	pw_error err = { 0 };

	if (strcmp(ow->typed->str, ow->client->name) != 0) {
		console_message(c, true,
		                "That is not the client's name: type %s exactly to offboard it (Esc: nothing is changed).",
		                ow->client->name);
		g_string_truncate(ow->typed, 0);
		return true;
	}
	/* What is cancelled must be what was shown: a job queued since then
	 * sends the operator back to look. */
	shown = g_ptr_array_ref(ow->jobs);
	if (load_plan(c, ow, &err) != PW_OK) {
		g_ptr_array_unref(shown);
		console_message(c, true, "Not offboarded: %s", err.message);
		return true;
	}
	if (!same_jobs(shown, ow->jobs)) {
		g_ptr_array_unref(shown);
		ow->step = STEP_PLAN;
		console_message(c, true, "The waiting jobs changed since step 1: look at them again. Nothing was changed.");
		return true;
	}
	g_ptr_array_unref(shown);
	run(c, ow);
	return true;
}

static void closing_message(pw_console *c, offboard_wiz *ow)
{
	if (ow->rc == PW_OK && ow->remaining == 0)
		console_message(c, false, "Client %s offboarded: no queued jobs remain; its log is in %s.", ow->client->name,
		                ow->report.export_path);
	else if (ow->rc == PW_OK)
		console_message(c, true, "Client %s offboarded, but %lld %s still queued: see the queue pane (4).",
		                ow->client->name, (long long)ow->remaining, jobs_word((guint)ow->remaining));
	else
		console_message(c, true,
		                "Offboarding of %s stopped before its end: once what the result said is fixed, O on it "
		                "again finishes it.",
		                ow->client->name);
}

static bool offboard_key(pw_console *c, wizard *w, int key)
{
	offboard_wiz *ow = (offboard_wiz *)w;

	if (ow->step == STEP_RESULT) {
		closing_message(c, ow);
		return false;
	}
	if (key == 27) {
		cancelled(c);
		return false;
	}
	switch (ow->step) {
	case STEP_PLAN:
		return plan_key(c, ow, key);
	case STEP_EXPORT:
		switch (form_key(c, ow->export, key)) {
		case FORM_SUBMIT:
			return export_done(c, ow);
		case FORM_CANCEL:
			cancelled(c);
			return false;
		case FORM_GOING:
			return true;
		}
		return true;
	case STEP_CONFIRM:
		if (key == '\n')
			return confirm(c, ow);
		edit_key(ow->typed, key, 400);
		return true;
	case STEP_RESULT:
		break;
	}
	return true;
}

/* ---- drawing ------------------------------------------------------------------- */

/* A line at *y when it fits above `bottom`; returns whether it did. */
static bool put(pw_console *c, int *y, int bottom, int x, attr_t a, const char *text)
{
	if (*y >= bottom)
		return false;
	draw_text(c, *y, x, COLS - x, text, a);
	(*y)++;
	return true;
}

/* Text at *y in lines of at most the screen's width, broken between
 * words; lines after the first start `indent` further right. Service
 * messages say what to do, so they are shown whole, not cut. */
static void put_wrapped(pw_console *c, int *y, int bottom, int x, int indent, attr_t a, const char *text)
{
	gchar **words = g_strsplit(text, " ", -1);
	GString *line = g_string_new(NULL);
	int first_w = COLS - x - 1, w = first_w;
	bool first = true;

	for (gchar **wd = words; *wd; wd++) {
		if (line->len && (int)(pw_text_width(line->str) + 1 + pw_text_width(*wd)) > w) {
			put(c, y, bottom, first ? x : x + indent, a, line->str);
			g_string_truncate(line, 0);
			first = false;
			w = first_w - indent;
		}
		if (line->len)
			g_string_append_c(line, ' ');
		g_string_append(line, *wd);
	}
	if (line->len || first)
		put(c, y, bottom, first ? x : x + indent, a, line->str);
	g_string_free(line, TRUE);
	g_strfreev(words);
}

static void draw_job(pw_console *c, int *y, int bottom, const pw_job *j)
{
	char *when = pw_time_to_local(j->scheduled_at);
	char *line = g_strdup_printf("job %lld  %s  %-8s  %s \xe2\x86\x92 %s  %s", (long long)j->id, when, j->state,
	                             j->account_username, j->board_name, j->title && *j->title ? j->title : "(no title)");
	put(c, y, bottom, 4, c->style[PW_EL_NORMAL], line);
	g_free(line);
	g_free(when);
}

/* Jobs from `jobs`, as many as fit, then how many did not. */
static void draw_jobs(pw_console *c, int *y, int bottom, GPtrArray *jobs)
{
	for (guint i = 0; i < jobs->len; i++) {
		if (*y == bottom - 1 && i + 1 < jobs->len) {
			char *more = g_strdup_printf("... and %u more (the queue pane (4) lists them all)", jobs->len - i);
			put(c, y, bottom, 4, c->style[PW_EL_DIM], more);
			g_free(more);
			return;
		}
		draw_job(c, y, bottom, g_ptr_array_index(jobs, i));
	}
}

static void draw_plan(pw_console *c, offboard_wiz *ow, int y)
{
	int bottom = LINES - 4, n = (int)ow->jobs->len;
	char *line;

	line = g_strdup_printf("Offboarding %s disconnects its accounts (their tokens leave the keyring), exports its "
	                       "activity log and archives it.",
	                       ow->client->name);
	put(c, &y, bottom, 2, c->style[PW_EL_NORMAL], line);
	g_free(line);
	if (ow->client->archived) {
		char *since = pw_time_to_local(ow->client->archived_at);
		line = g_strdup_printf("%s is archived already (since %s): running this again is safe, and finishes what an "
		                       "earlier run or 'client archive' left undone.",
		                       ow->client->name, since);
		put(c, &y, bottom, 2, c->style[PW_EL_HEADING], line);
		g_free(line);
		g_free(since);
	}
	y++;
	line = g_strdup_printf("Accounts (%u)", ow->accounts->len);
	put(c, &y, bottom, 2, c->style[PW_EL_HEADING], line);
	g_free(line);
	if (ow->accounts->len == 0)
		put(c, &y, bottom, 4, c->style[PW_EL_DIM], "none");
	for (guint i = 0; i < ow->accounts->len; i++) {
		const pw_account *a = g_ptr_array_index(ow->accounts, i);
		line = g_strdup_printf("%-30s %s", a->username ? a->username : a->expected_username, a->state);
		put(c, &y, bottom, 4, c->style[PW_EL_NORMAL], line);
		g_free(line);
	}
	y++;
	if (n == 0) {
		put(c, &y, bottom, 2, c->style[PW_EL_HEADING], "No job is waiting to be published.");
	} else {
		line = g_strdup_printf("Jobs still waiting to be published (%d)", n);
		put(c, &y, bottom, 2, c->style[PW_EL_HEADING], line);
		g_free(line);
		draw_jobs(c, &y, bottom, ow->jobs);
	}
	for (guint i = 0; i < ow->jobs->len; i++) {
		const pw_job *j = g_ptr_array_index(ow->jobs, i);
		if (strcmp(j->state, "sending") == 0) {
			line = g_strdup_printf("Job %lld is being published right now: the offboarding will stop at its account "
			                       "until the worker has finished it.",
			                       (long long)j->id);
			draw_text(c, LINES - 4, 2, COLS - 2, line, c->style[PW_EL_ERROR]);
			g_free(line);
			break;
		}
	}
	if (n > 0)
		line = g_strdup_printf("Cancel %s %d %s? (y/n) ", n == 1 ? "this" : "these", n, jobs_word((guint)n));
	else
		line = g_strdup("Enter: go on to where the log is exported ");
	c->cursor_x = 2 + draw_text(c, LINES - 3, 2, COLS - 2, line, c->style[PW_EL_PROMPT]);
	c->cursor_y = LINES - 3;
	g_free(line);
}

static void draw_export(pw_console *c, offboard_wiz *ow, int y)
{
	draw_text(c, y, 2, COLS - 2,
	          "Where the client's activity log is exported (JSON Lines, one event a line, hash-chained):",
	          c->style[PW_EL_NORMAL]);
	y += 2;
	form_draw(c, ow->export, y, LINES - 1 - y);
}

static void confirm_line(pw_console *c, int y, const char *label, const char *value)
{
	char *text = g_strdup_printf("   %-10s %s", label, value);
	draw_text(c, y, 2, COLS - 4, text, c->style[PW_EL_CONFIRM] | A_BOLD);
	g_free(text);
}

static char *account_names(GPtrArray *accounts)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < accounts->len; i++) {
		const pw_account *a = g_ptr_array_index(accounts, i);
		g_string_append_printf(s, "%s%s", i ? ", " : "", a->username ? a->username : a->expected_username);
	}
	return g_string_free(s, FALSE);
}

static void draw_confirm(pw_console *c, offboard_wiz *ow, int y)
{
	guint n = ow->jobs->len;
	char *names = account_names(ow->accounts);
	char *tokens, *jobs, *export, *archive, *prompt;

	tokens = ow->accounts->len ? g_strdup_printf("removed from the keyring, accounts disconnected: %s", names)
	                           : g_strdup("none: the client has no account");
	jobs = n ? g_strdup_printf("%u waiting %s cancelled, each logged", n, jobs_word(n))
	         : g_strdup("none waiting, none cancelled");
	export = ow->export_path
	             ? g_strdup_printf("activity log exported to %s%s", ow->export_path,
	                               g_file_test(ow->export_path, G_FILE_TEST_EXISTS) ? " (replacing that file)" : "")
	             : g_strdup_printf("activity log exported to a new file in %s/exports", pw_store_workspace(c->store));
	archive = ow->client->archived ? g_strdup("archived already: stays archived") : g_strdup("client archived");

	draw_text(c, y++, 2, COLS - 2, "Offboard this client? This is what will be done:", c->style[PW_EL_HEADING]);
	y++;
	draw_text(c, y++, 2, COLS - 4, "", c->style[PW_EL_CONFIRM]);
	confirm_line(c, y++, "CLIENT", ow->client->name);
	confirm_line(c, y++, "TOKENS", tokens);
	confirm_line(c, y++, "JOBS", jobs);
	confirm_line(c, y++, "LOG", export);
	confirm_line(c, y++, "ARCHIVE", archive);
	draw_text(c, y++, 2, COLS - 4, "", c->style[PW_EL_CONFIRM]);
	y++;
	prompt = g_strdup_printf("Type the client's name (%s) and Enter to offboard it: ", ow->client->name);
	{
		int x = draw_text(c, y, 2, COLS - 2, prompt, c->style[PW_EL_NORMAL]);
		int used = draw_text(c, y, 2 + x, COLS - 2 - x, ow->typed->str, c->style[PW_EL_PROMPT]);
		c->cursor_y = y;
		c->cursor_x = 2 + x + used;
	}
	g_free(prompt);
	g_free(names);
	g_free(tokens);
	g_free(jobs);
	g_free(export);
	g_free(archive);
}

/* The last word of the result, three lines high across the screen, so
 * that nobody leaves thinking jobs are gone when they are not. */
static void draw_banner(pw_console *c, offboard_wiz *ow)
{
	bool clean = ow->remaining == 0;
	attr_t a = clean ? (c->style[PW_EL_CONFIRM] | A_BOLD) : (c->style[PW_EL_ERROR] | A_BOLD | A_REVERSE);
	char *text;
	int y = LINES - 4;

	if (clean)
		text = g_strdup("No queued jobs remain.");
	else if (ow->remaining < 0)
		text = g_strdup_printf("Whether jobs are still queued is unknown: %s", ow->err.message);
	else
		text = g_strdup_printf("%lld %s still queued: %s", (long long)ow->remaining, jobs_word((guint)ow->remaining),
		                       ow->rc == PW_OK ? "they were queued while the offboarding ran; cancel them in the queue "
		                                         "pane (4), then offboard again"
		                                       : ow->err.message);
	draw_text(c, y, 0, COLS, "", a);
	{
		int w = (int)strlen(text) + 4, x = MAX((COLS - w) / 2, 0);
		char *padded = g_strdup_printf("  %s  ", text);
		draw_text(c, y + 1, 0, COLS, "", a);
		draw_text(c, y + 1, x, COLS - x, padded, a);
		g_free(padded);
	}
	draw_text(c, y + 2, 0, COLS, "", a);
	g_free(text);
}

static void draw_result(pw_console *c, offboard_wiz *ow, int y)
{
	int bottom = LINES - 5;
	GPtrArray *steps = ow->report.steps;
	char *line;

	if (ow->rc == PW_OK) {
		line = g_strdup_printf("Client %s offboarded.", ow->client->name);
		put(c, &y, bottom, 2, c->style[PW_EL_HEADING], line);
	} else {
		line = g_strdup_printf("Offboarding of %s stopped: %s", ow->client->name, ow->err.message);
		put_wrapped(c, &y, bottom, 2, 0, c->style[PW_EL_ERROR], line);
		g_free(line);
		y++;
		line = g_strdup_printf("Done so far (press O on %s again to finish: every step is safe to repeat):",
		                       ow->client->name);
		put(c, &y, bottom, 2, c->style[PW_EL_NORMAL], line);
	}
	g_free(line);
	y++;
	for (guint i = 0; steps && i < steps->len; i++) {
		const pw_check *k = g_ptr_array_index(steps, i);
		line = g_strdup_printf("%-5s %s: %s", k->ok ? "ok" : "FAIL", k->name, k->detail);
		put_wrapped(c, &y, bottom, 2, 6, c->style[k->ok ? PW_EL_NORMAL : PW_EL_ERROR], line);
		g_free(line);
	}
	if (!steps || steps->len == 0)
		put(c, &y, bottom, 2, c->style[PW_EL_DIM], "nothing was done");
	if (ow->report.waiting_jobs && ow->report.waiting_jobs->len) {
		put(c, &y, bottom, 2, c->style[PW_EL_HEADING], "Still waiting:");
		draw_jobs(c, &y, bottom, ow->report.waiting_jobs);
	}
	y++;
	line = g_strdup_printf("Export: %s", ow->report.export_path ? ow->report.export_path : "not written");
	put(c, &y, bottom, 2, c->style[PW_EL_NORMAL], line);
	g_free(line);
	if (ow->rc == PW_OK) {
		gchar **lines = g_strsplit(pw_offboard_client_steps(), "\n", -1);
		y++;
		for (gchar **l = lines; *l; l++)
			if (**l)
				put(c, &y, bottom, 2, c->style[PW_EL_NORMAL], *l);
		g_strfreev(lines);
	}
	draw_banner(c, ow);
}

static void offboard_draw(pw_console *c, wizard *w)
{
	offboard_wiz *ow = (offboard_wiz *)w;
	char *title = g_strdup_printf("Offboard %s", ow->client->name);
	int y = wizard_frame(c, title, step_names[ow->step]);

	g_free(title);
	switch (ow->step) {
	case STEP_PLAN:
		draw_plan(c, ow, y);
		break;
	case STEP_EXPORT:
		draw_export(c, ow, y);
		break;
	case STEP_CONFIRM:
		draw_confirm(c, ow, y);
		break;
	case STEP_RESULT:
		draw_result(c, ow, y);
		break;
	}
}

static const char *offboard_keys(pw_console *c, wizard *w)
{
	offboard_wiz *ow = (offboard_wiz *)w;
	(void)c;
	switch (ow->step) {
	case STEP_PLAN:
		return ow->jobs->len ? "y cancel them and go on  n stop here  Esc cancel (nothing is changed)"
		                     : "Enter go on  Esc cancel (nothing is changed)";
	case STEP_EXPORT:
		return "type a file path, or nothing for the exports folder  Enter next  Esc cancel (nothing is changed)";
	case STEP_CONFIRM:
		return "type the client's name  Enter offboard  Esc cancel (nothing is changed)";
	case STEP_RESULT:
		return "any key closes this";
	}
	return "";
}

static void offboard_free(wizard *w)
{
	offboard_wiz *ow = (offboard_wiz *)w;
	pw_client_free(ow->client);
	if (ow->accounts)
		g_ptr_array_unref(ow->accounts);
	if (ow->jobs)
		g_ptr_array_unref(ow->jobs);
	form_free(ow->export);
	g_free(ow->export_hint);
	g_free(ow->export_path);
	g_string_free(ow->typed, TRUE);
	pw_offboard_report_clear(&ow->report);
	g_free(ow);
}

void offboard_start(pw_console *c)
{
	const row *r = pane_selected(&c->panes[PANE_CLIENTS]);
	offboard_wiz *ow;
	pw_error err = { 0 };

	if (c->focus != PANE_CLIENTS) {
		console_message(c, true, "Offboarding works on the clients pane (1): select the client there, then O.");
		return;
	}
	if (!r) {
		console_message(c, true, "No client is selected: select one in the clients pane (1), then O.");
		return;
	}
	ow = g_new0(offboard_wiz, 1);
	ow->base.key = offboard_key;
	ow->base.draw = offboard_draw;
	ow->base.keys = offboard_keys;
	ow->base.free = offboard_free;
	ow->typed = g_string_new("");
	if (pw_client_get(c->store, r->id, &ow->client, &err) != PW_OK || load_plan(c, ow, &err) != PW_OK) {
		console_message(c, true, "%s", err.message);
		offboard_free(&ow->base);
		return;
	}
	ow->export = form_new(check_export, NULL);
	ow->export_hint = g_strdup_printf("empty: a new file in %s/exports, named after the client and the time",
	                                  pw_store_workspace(c->store));
	form_add(ow->export, "Export to", ow->export_hint, 0);
	ow->step = STEP_PLAN;
	c->wizard = &ow->base;
}
