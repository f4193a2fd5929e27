/* oncall.c: what the person on call does from the console: retry,
 * cancel, reschedule or resolve the queue's selected job, and go to the
 * next job that needs someone.
 *
 * Each action opens a small wizard over the panes that shows the job,
 * says exactly what will happen, and asks y/n; reschedule asks for the
 * time first (checked as it is typed), resolve for the Pin id. The change
 * is made by the same service functions as `pinwarden job retry`,
 * `cancel`, `reschedule` and `resolve` (oncall.h), which check the state
 * again inside their transaction and write the event with the operator:
 * the worker may have moved the job while the question was on screen,
 * and the service has the last word. The wizard keeps its own copy of the
 * job, so nothing the panes do behind it changes what it acts on. */
#include "config.h"

#include <string.h>

#include "tui.h"

#include "pinwarden/jobs.h"
#include "pinwarden/oncall.h"
#include "pinwarden/text.h"
#include "pinwarden/timeutil.h"

/* The states each action accepts, as src/services/oncall.c has them, so
 * that an action the state forbids is refused before the question is
 * asked, with the same reason the service would give. */
typedef struct action_rule {
	pw_action action;
	const char *title;           /* the wizard's title */
	const char *name;            /* "Retry", for "Retry works on the queue pane" */
	const char *verb;            /* "retry", for "there is no job to retry" */
	const char *done;            /* "retried", as the service says it */
	const char *states[5];       /* NULL-terminated */
	const char *why_not;
} action_rule;

static const action_rule rules[] = {
	{ PW_ACT_RETRY, "Retry a job", "Retry", "retry", "retried", { "failed", "cancelled", NULL },
	  "only a failed or cancelled job can; an unknown one may already be on Pinterest, so resolve it first" },
	{ PW_ACT_CANCEL_JOB, "Cancel a job", "Cancel", "cancel", "cancelled", { "queued", "retrying", "paused", "unknown", NULL },
	  "a job being sent right now cannot be taken back, and a published, failed or cancelled one is already settled" },
	{ PW_ACT_RESCHEDULE, "Reschedule a job", "Reschedule", "reschedule", "rescheduled",
	  { "queued", "retrying", "paused", NULL }, "only a job still waiting can" },
	{ PW_ACT_RESOLVE, "Resolve an unknown job", "Resolve", "resolve", "resolved", { "unknown", NULL },
	  "only a job whose outcome is unknown needs resolving" },
};

static const action_rule *rule_for(pw_action a)
{
	for (guint i = 0; i < G_N_ELEMENTS(rules); i++)
		if (rules[i].action == a)
			return &rules[i];
	return NULL;
}

static bool rule_allows(const action_rule *r, const char *state)
{
	for (int i = 0; r->states[i]; i++)
		if (strcmp(r->states[i], state) == 0)
			return true;
	return false;
}

/* ---- the wizard ------------------------------------------------------------ */

typedef enum { STEP_WHEN, STEP_PIN, STEP_CONFIRM } step;

static const char *const step_names[] = { "new time", "Pin id", "confirm" };

typedef struct oncall_wiz {
	wizard base;
	const action_rule *rule;
	pw_job *job;                 /* as it was when the wizard opened */
	step step;
	GString *typed;              /* the new time, or the Pin id */
	char *problem;               /* what is wrong with the typed time (g_free), NULL when it parses */
	char when[PW_TIME_LEN];      /* the typed time as parsed, when it parses */
} oncall_wiz;

#define PIN_ID_MAX 64

/* The time as typed, checked as it is typed: the parser's own message,
 * which names the forms it accepts. Whether the time is still to come is
 * the service's to say. */
static void check_when(oncall_wiz *ow)
{
	pw_error err = { 0 };

	g_free(ow->problem);
	ow->problem = NULL;
	ow->when[0] = '\0';
	if (!ow->typed->len)
		return;
	if (pw_time_parse(ow->typed->str, ow->when, &err) != PW_OK) {
		ow->problem = g_strdup(err.message);
		ow->when[0] = '\0';
	}
}

static void nothing_changed(pw_console *c, const oncall_wiz *ow)
{
	console_message(c, false, "Nothing changed: job %lld was not %s.", (long long)ow->job->id, ow->rule->done);
}

/* What the action did, from the job as the service left it. */
static void say_done(pw_console *c, const oncall_wiz *ow)
{
	sqlite3_int64 id = ow->job->id;
	pw_job *now = NULL;
	pw_error err = { 0 };
	char *local;

	switch (ow->rule->action) {
	case PW_ACT_RETRY:
		console_message(c, false, "Job %lld is back in the queue, due now: the worker sends it again.", (long long)id);
		break;
	case PW_ACT_CANCEL_JOB:
		console_message(c, false, "Job %lld cancelled: it will not be published; it stays in the log.", (long long)id);
		break;
	case PW_ACT_RESCHEDULE:
		if (pw_job_get(c->store, id, &now, &err) != PW_OK) {
			console_message(c, false, "Job %lld rescheduled.", (long long)id);
			break;
		}
		local = pw_time_to_local(now->scheduled_at);
		console_message(c, false, "Job %lld rescheduled: it will be sent at %s%s.", (long long)id, local,
		                strcmp(now->state, "paused") == 0
		                    ? " (it stays paused until its account is reconnected)"
		                    : "");
		g_free(local);
		pw_job_free(now);
		break;
	default:
		if (ow->typed->len)
			console_message(c, false, "Job %lld resolved: published as Pin %s.", (long long)id, ow->typed->str);
		else
			console_message(c, false, "Job %lld resolved as not published: it is failed now, and can be retried.",
			                (long long)id);
		break;
	}
}

/* Runs the service; returns whether the wizard stays open. */
static bool act(pw_console *c, oncall_wiz *ow)
{
	pw_error err = { 0 };
	sqlite3_int64 id = ow->job->id;
	pw_code rc;

	switch (ow->rule->action) {
	case PW_ACT_RETRY:
		rc = pw_job_retry(c->store, id, &err);
		break;
	case PW_ACT_CANCEL_JOB:
		rc = pw_job_cancel(c->store, id, &err);
		break;
	case PW_ACT_RESCHEDULE:
		rc = pw_job_reschedule(c->store, id, ow->typed->str, &err);
		break;
	default:
		rc = pw_job_resolve(c->store, id, ow->typed->len ? ow->typed->str : NULL, &err);
		break;
	}
	if (rc == PW_OK) {
		say_done(c, ow);
		return false;
	}
	if (ow->rule->action == PW_ACT_RESCHEDULE && rc == PW_E_INVALID) {
		/* The time (one in the past): another can be given. */
		console_message(c, true, "Not rescheduled: %s", err.message);
		ow->step = STEP_WHEN;
		return true;
	}
	console_message(c, true, "Nothing changed: %s", err.message);
	return false;
}

static bool is_text_key(int key)
{
	return !(key & PW_KEY_FN) && key >= ' ' && key != 127;
}

static bool oncall_key(pw_console *c, wizard *w, int key)
{
	oncall_wiz *ow = (oncall_wiz *)w;

	if (key == 27) {
		nothing_changed(c, ow);
		return false;
	}
	switch (ow->step) {
	case STEP_WHEN:
		if (key == '\n') {
			if (!ow->typed->len)
				console_message(c, true, "Type the new time first (Esc: nothing changes).");
			else if (ow->problem)
				console_message(c, true, "%s", ow->problem);
			else
				ow->step = STEP_CONFIRM;
			return true;
		}
		if (edit_key(ow->typed, key, 200))
			check_when(ow);
		return true;
	case STEP_PIN:
		if (key == '\n') {
			ow->step = STEP_CONFIRM;
			return true;
		}
		if (is_text_key(key) && !(key >= '0' && key <= '9')) {
			console_message(c, true,
			                "A Pin id is digits only, as in the Pin's address (pinterest.com/pin/ID); leave it "
			                "empty if the Pin is not there.");
			return true;
		}
		edit_key(ow->typed, key, PIN_ID_MAX);
		return true;
	case STEP_CONFIRM:
		if (key == 'y' || key == 'Y' || key == '\n')
			return act(c, ow);
		if (key == 'n' || key == 'N') {
			nothing_changed(c, ow);
			return false;
		}
		console_message(c, false, "y (or Enter) does it; n or Esc leaves job %lld as it is.", (long long)ow->job->id);
		return true;
	}
	return true;
}

/* ---- drawing ------------------------------------------------------------------ */

static int job_line(pw_console *c, int y, const char *label, const char *value)
{
	char *text = g_strdup_printf("   %-12s %s", label, value && *value ? value : "-");
	draw_text(c, y, 2, COLS - 4, text, c->style[PW_EL_CONFIRM] | A_BOLD);
	g_free(text);
	return y + 1;
}

/* The job in a box; `roomy` adds a blank line above and below. */
static int draw_job(pw_console *c, const pw_job *j, int y, bool roomy)
{
	char *id = g_strdup_printf("%lld", (long long)j->id);
	char *where = g_strdup_printf("%s \xe2\x86\x92 %s \xe2\x86\x92 %s", j->client_name, j->account_username,
	                              j->board_name);
	char *attempts = g_strdup_printf("%lld", (long long)j->attempts);
	char *when = pw_time_to_local(j->scheduled_at);

	if (roomy)
		draw_text(c, y++, 2, COLS - 4, "", c->style[PW_EL_CONFIRM]);
	y = job_line(c, y, "JOB", id);
	y = job_line(c, y, "WHERE", where);
	y = job_line(c, y, "TITLE", j->title);
	y = job_line(c, y, "STATE", j->state);
	y = job_line(c, y, "ATTEMPTS", attempts);
	y = job_line(c, y, "SCHEDULED", when);
	y = job_line(c, y, "LAST ERROR", j->last_error);
	if (j->pin_id)
		y = job_line(c, y, "PIN", j->pin_id);
	if (roomy)
		draw_text(c, y++, 2, COLS - 4, "", c->style[PW_EL_CONFIRM]);
	g_free(id);
	g_free(where);
	g_free(attempts);
	g_free(when);
	return y;
}

/* Text in lines of at most `w` columns, broken at spaces; returns the
 * next free line. */
static int draw_wrapped(pw_console *c, int y, int x, int w, int bottom, const char *text, attr_t a)
{
	gchar **words = g_strsplit(text, " ", -1);
	GString *line = g_string_new("");

	for (int i = 0; words[i] && y < bottom; i++) {
		if (line->len && pw_text_width(line->str) + 1 + pw_text_width(words[i]) > (size_t)w) {
			draw_text(c, y++, x, w, line->str, a);
			g_string_truncate(line, 0);
		}
		if (line->len)
			g_string_append_c(line, ' ');
		g_string_append(line, words[i]);
	}
	if (line->len && y < bottom)
		draw_text(c, y++, x, w, line->str, a);
	g_string_free(line, TRUE);
	g_strfreev(words);
	return y;
}

/* Exactly what the action will do to this job (g_free). */
static char *what_happens(const oncall_wiz *ow)
{
	long long id = (long long)ow->job->id;
	bool paused = strcmp(ow->job->state, "paused") == 0;

	switch (ow->rule->action) {
	case PW_ACT_RETRY:
		return g_strdup_printf("Job %lld goes back in the queue, due now; the worker sends it again.", id);
	case PW_ACT_CANCEL_JOB:
		return g_strdup_printf("Job %lld is cancelled: it will not be published; it stays in the log.", id);
	case PW_ACT_RESCHEDULE: {
		char *local = ow->when[0] ? pw_time_to_local(ow->when) : g_strdup("the time you give");
		char *s = g_strdup_printf("Job %lld will be sent at %s%s.", id, local,
		                          paused ? " (it stays paused until its account is reconnected)" : "");
		g_free(local);
		return s;
	}
	default:
		if (ow->step == STEP_PIN)
			return g_strdup("You looked on Pinterest: give the Pin's id if it is there (the job becomes "
			                "published), or leave it empty if it is not (the job becomes failed and can be "
			                "retried).");
		if (ow->typed->len)
			return g_strdup_printf("Job %lld becomes published, as Pin %s.", id, ow->typed->str);
		return g_strdup_printf("Job %lld becomes failed: it was not published; it can then be retried.", id);
	}
}

/* A line to type in, with the cursor at its end. */
static void draw_input(pw_console *c, int y, const char *label, const char *value)
{
	int x = draw_text(c, y, 2, COLS - 2, label, c->style[PW_EL_HEADING]);
	int used = draw_text(c, y, 2 + x, COLS - 2 - x, value, c->style[PW_EL_PROMPT]);
	c->cursor_y = y;
	c->cursor_x = MIN(2 + x + used, COLS - 1);
}

static void oncall_draw(pw_console *c, wizard *w)
{
	oncall_wiz *ow = (oncall_wiz *)w;
	int y = wizard_frame(c, ow->rule->title, step_names[ow->step]);
	int bottom = LINES - 1;
	/* On a short screen the blank lines go first: the job, what will
	 * happen and the question must all fit (the job box is 7-8 lines,
	 * what happens 1-3, the question 2). */
	bool roomy = bottom - y >= 19;
	char *happens = what_happens(ow);

	y = draw_job(c, ow->job, y, roomy);
	if (roomy)
		y++;
	y = draw_wrapped(c, y, 2, COLS - 4, bottom - 2, happens, c->style[PW_EL_HEADING]);
	g_free(happens);
	if (roomy)
		y++;
	if (y + 2 > bottom)
		y = bottom - 2;
	switch (ow->step) {
	case STEP_WHEN:
		draw_input(c, y, "New time: ", ow->typed->str);
		if (ow->problem)
			draw_text(c, y + 1, 12, COLS - 12, ow->problem, c->style[PW_EL_ERROR]);
		else if (ow->when[0]) {
			char *local = pw_time_to_local(ow->when);
			char *s = g_strdup_printf("%s (local time)", local);
			draw_text(c, y + 1, 12, COLS - 12, s, c->style[PW_EL_DIM]);
			g_free(s);
			g_free(local);
		} else {
			draw_text(c, y + 1, 12, COLS - 12, "2026-12-24 09:00, tomorrow 9:00, +2h, or ISO 8601 with a zone",
			          c->style[PW_EL_DIM]);
		}
		break;
	case STEP_PIN:
		draw_input(c, y, "Pin id: ", ow->typed->str);
		draw_text(c, y + 1, 10, COLS - 10,
		          "digits, as in pinterest.com/pin/ID; empty: it is not on Pinterest", c->style[PW_EL_DIM]);
		break;
	case STEP_CONFIRM: {
		char *q = g_strdup_printf("%s job %lld? (y/n) ", ow->rule->name, (long long)ow->job->id);
		draw_input(c, y, q, "");
		g_free(q);
		break;
	}
	}
}

static const char *oncall_keys(pw_console *c, wizard *w)
{
	oncall_wiz *ow = (oncall_wiz *)w;
	(void)c;
	switch (ow->step) {
	case STEP_WHEN:
		return "type the time  Enter next  Esc cancel (nothing changes)";
	case STEP_PIN:
		return "type the Pin id, or nothing  Enter next  Esc cancel (nothing changes)";
	default:
		return "y or Enter: do it  n or Esc: nothing changes";
	}
}

static void oncall_free(wizard *w)
{
	oncall_wiz *ow = (oncall_wiz *)w;
	pw_job_free(ow->job);
	g_string_free(ow->typed, TRUE);
	g_free(ow->problem);
	g_free(ow);
}

void oncall_start(pw_console *c, pw_action a)
{
	const action_rule *rule = rule_for(a);
	const row *r;
	pw_job *job = NULL;
	pw_error err = { 0 };
	oncall_wiz *ow;

	if (!rule)
		return;
	if (c->focus != PANE_QUEUE) {
		char *key = pw_keymap_first_key(c->keys, PW_ACT_PANE_QUEUE);
		console_message(c, false, "%s works on the queue pane (%s): choose the job there first.", rule->name,
		                key ? key : "4");
		g_free(key);
		return;
	}
	r = pane_selected(&c->panes[PANE_QUEUE]);
	if (!r) {
		console_message(c, false, "The queue is empty here: there is no job to %s.", rule->verb);
		return;
	}
	if (pw_job_get(c->store, r->id, &job, &err) != PW_OK) {
		console_message(c, true, "%s", err.message);
		return;
	}
	if (!rule_allows(rule, job->state)) {
		char *resolve = a == PW_ACT_RETRY && strcmp(job->state, "unknown") == 0
		                    ? pw_keymap_first_key(c->keys, PW_ACT_RESOLVE)
		                    : NULL;
		console_message(c, true, "Job %lld is %s, so it cannot be %s: %s%s%s%s.", (long long)job->id, job->state,
		                rule->done, rule->why_not, resolve ? " (" : "", resolve ? resolve : "", resolve ? ")" : "");
		g_free(resolve);
		pw_job_free(job);
		return;
	}
	ow = g_new0(oncall_wiz, 1);
	ow->base.key = oncall_key;
	ow->base.draw = oncall_draw;
	ow->base.keys = oncall_keys;
	ow->base.free = oncall_free;
	ow->rule = rule;
	ow->job = job;
	ow->typed = g_string_new("");
	ow->step = a == PW_ACT_RESCHEDULE ? STEP_WHEN : a == PW_ACT_RESOLVE ? STEP_PIN : STEP_CONFIRM;
	c->wizard = &ow->base;
}

/* ---- the next problem ------------------------------------------------------------ */

/* The first failed or unknown job after (sort, id) in the queue's order
 * (scheduled_at, id), of one client or all. Each state's first row after
 * the key is read from its index (jobs_state_time; with a client,
 * jobs_client_state_time), and the earlier of the two is taken: a few
 * index steps, whatever the size of the queue. *out is NULL when there is
 * none. */
static pw_code first_problem_after(pw_console *c, sqlite3_int64 client, const char *sort, sqlite3_int64 id,
                                   row **out, pw_error *err)
{
	static const char one_state[] =
		"SELECT * FROM (SELECT scheduled_at, id, state FROM jobs WHERE state = '%s'%s"
		" AND scheduled_at >= :sort AND (scheduled_at, id) > (:sort, :id) ORDER BY scheduled_at, id LIMIT 1)";
	const char *by_client = client ? " AND client_id = :client" : "";
	char *failed = g_strdup_printf(one_state, "failed", by_client);
	char *unknown = g_strdup_printf(one_state, "unknown", by_client);
	char *sql = g_strdup_printf("%s UNION ALL %s ORDER BY 1, 2 LIMIT 1", failed, unknown);
	sqlite3_stmt *st = NULL;
	pw_code rc = pw_store_prepare(c->store, sql, &st, err);
	int s;

	g_free(failed);
	g_free(unknown);
	g_free(sql);
	*out = NULL;
	if (rc != PW_OK)
		return rc;
	pw_bind_text(st, sqlite3_bind_parameter_index(st, ":sort"), sort);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
	if (client)
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":client"), client);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		row *r = g_new0(row, 1);
		r->sort = g_strdup(pw_col_text(st, 0));
		r->id = sqlite3_column_int64(st, 1);
		r->cell[0] = g_strdup(pw_col_text(st, 2)); /* its state */
		r->state_cell = -1;
		*out = r;
	} else if (s != SQLITE_DONE) {
		rc = pw_store_fail(c->store, s, "looking for the next failed or unknown job", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static bool group_shows(const state_group *g, const char *state)
{
	char *quoted = g_strdup_printf("'%s'", state);
	bool shown = !g->sql || strstr(g->sql, quoted);
	g_free(quoted);
	return shown;
}

/* Keeps the words of the pane's filter that are neither state: nor (with
 * drop_words) free words; returns whether anything was dropped. */
static pw_code narrow_filter(pw_console *c, pane *p, bool drop_words, bool *dropped, pw_error *err)
{
	gchar **words;
	GString *kept = g_string_new("");
	pw_code rc;

	*dropped = false;
	if (!p->filter.typed) {
		g_string_free(kept, TRUE);
		return PW_OK;
	}
	words = g_strsplit_set(p->filter.typed, " \t", -1);
	for (int i = 0; words[i]; i++) {
		const char *w = words[i];
		bool state = g_str_has_prefix(w, "state:"), word = !strchr(w, ':');
		if (!*w)
			continue;
		if (state || (drop_words && word)) {
			*dropped = true;
			continue;
		}
		if (kept->len)
			g_string_append_c(kept, ' ');
		g_string_append(kept, w);
	}
	g_strfreev(words);
	rc = *dropped ? pane_set_filter(c, p, kept->str, err) : PW_OK;
	g_string_free(kept, TRUE);
	return rc;
}

pw_code oncall_next_problem(pw_console *c, pw_error *err)
{
	pane *p = &c->panes[PANE_QUEUE];
	const state_group *g = &tui_state_groups[p->state_group];
	const row *sel = pane_selected(p);
	sqlite3_int64 client = p->filter.client_id ? p->filter.client_id : (p->all_clients ? 0 : c->client_id);
	GString *notes = g_string_new("");
	row *next = NULL;
	const row *now;
	bool wrapped = false, dropped = false;
	pw_code rc;

	if (!p->all_clients && !p->filter.client_id && !c->client_id) {
		char *key = pw_keymap_first_key(c->keys, PW_ACT_CLIENT_SCOPE);
		console_message(c, false, "The queue shows the selected client's jobs and no client is selected; %s shows "
		                "every client's.", key ? key : "client-scope");
		g_free(key);
		g_string_free(notes, TRUE);
		return PW_OK;
	}
	rc = first_problem_after(c, client, sel ? sel->sort : "", sel ? sel->id : 0, &next, err);
	if (rc == PW_OK && !next && sel) {
		wrapped = true;
		rc = first_problem_after(c, client, "", 0, &next, err);
	}
	if (rc != PW_OK || !next) {
		if (rc == PW_OK)
			console_message(c, false, "no failed or unknown jobs%s", client ? " for this client" : "");
		g_string_free(notes, TRUE);
		return rc;
	}
	c->focus = PANE_QUEUE;
	/* The pane must show failed and unknown jobs to select one. */
	if (!p->filter.state && (!group_shows(g, "failed") || !group_shows(g, "unknown"))) {
		p->state_group = 1;
		g_string_append_printf(notes, "; the queue shows %s", tui_state_groups[1].name);
	}
	if (p->filter.state) {
		rc = narrow_filter(c, p, false, &dropped, err);
		p->state_group = 1;
		g_string_append_printf(notes, "; the state filter is cleared, the queue shows %s", tui_state_groups[1].name);
	}
	if (rc == PW_OK)
		rc = pane_goto(c, p, next, err);
	now = pane_selected(p);
	if (rc == PW_OK && (!now || now->id != next->id) && p->filter.text) {
		/* The filter's words hide it. */
		rc = narrow_filter(c, p, true, &dropped, err);
		if (rc == PW_OK)
			rc = pane_goto(c, p, next, err);
		g_string_append(notes, "; the filter's words hid it and are cleared");
	}
	if (rc == PW_OK) {
		bool unknown = strcmp(next->cell[0], "unknown") == 0;
		char *k1 = pw_keymap_first_key(c->keys, unknown ? PW_ACT_RESOLVE : PW_ACT_RETRY);
		char *k2 = pw_keymap_first_key(c->keys, PW_ACT_CANCEL_JOB);
		if (unknown)
			console_message(c, false, "Job %lld: UNKNOWN, it may be on Pinterest: look, then %s resolves it%s%s",
			                (long long)next->id, k1 ? k1 : "resolve", wrapped ? "; back at the first" : "",
			                notes->str);
		else
			console_message(c, false, "Job %lld: FAILED; %s retries it, %s cancels it%s%s", (long long)next->id,
			                k1 ? k1 : "retry", k2 ? k2 : "cancel-job", wrapped ? "; back at the first" : "",
			                notes->str);
		g_free(k1);
		g_free(k2);
	}
	row_free(next);
	g_string_free(notes, TRUE);
	return rc;
}
