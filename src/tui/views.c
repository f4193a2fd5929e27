/* views.c: text views over the panes: a row in full (a job with every
 * attempt and Pinterest's answers, an account with its connection
 * history, a client with its domains and boards, an event with its
 * details), and the help screen, made from the key table. */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tui.h"

#include "pinwarden/accounts.h"
#include "pinwarden/activity.h"
#include "pinwarden/clients.h"
#include "pinwarden/jobs.h"
#include "pinwarden/timeutil.h"
#include "pinwarden/tokens.h"

view *view_new(const char *fmt, ...)
{
	view *v = g_new0(view, 1);
	va_list ap;
	va_start(ap, fmt);
	v->title = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	v->lines = g_array_new(FALSE, FALSE, sizeof(view_line));
	return v;
}

void view_add(view *v, pw_theme_element el, const char *fmt, ...)
{
	va_list ap;
	char *text;
	gchar **parts;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* One view line per text line, so that multi-line notes scroll. */
	parts = g_strsplit(text, "\n", -1);
	for (int i = 0; parts[i]; i++) {
		view_line l = { g_strdup(parts[i]), el };
		g_array_append_val(v->lines, l);
	}
	g_strfreev(parts);
	g_free(text);
}

void view_free(view *v)
{
	if (!v)
		return;
	for (guint i = 0; i < v->lines->len; i++)
		g_free(g_array_index(v->lines, view_line, i).text);
	g_array_free(v->lines, TRUE);
	g_free(v->title);
	g_free(v);
}

static void field(view *v, const char *name, const char *value)
{
	if (value && *value)
		view_add(v, PW_EL_NORMAL, "  %-16s %s", name, value);
}

static void time_field(view *v, const char *name, const char *stored)
{
	char *local;
	if (!stored || !*stored)
		return;
	local = pw_time_to_local(stored);
	field(v, name, local);
	g_free(local);
}

static void list_field(view *v, const char *name, GPtrArray *items)
{
	GString *s = g_string_new("");
	for (guint i = 0; items && i < items->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(items, i));
	field(v, name, s->len ? s->str : "(none)");
	g_string_free(s, TRUE);
}

/* An event's details object as "key: value" lines, one level deep, with
 * nested values as compact JSON: Pinterest's answers are in here. */
static void add_details(view *v, const char *json)
{
	cJSON *d = cJSON_Parse(json ? json : "{}");
	const cJSON *it;
	if (!cJSON_IsObject(d) || !d->child) {
		cJSON_Delete(d);
		return;
	}
	cJSON_ArrayForEach(it, d) {
		char *val;
		if (cJSON_IsString(it))
			val = g_strdup(it->valuestring);
		else {
			char *p = cJSON_PrintUnformatted(it);
			val = g_strdup(p ? p : "");
			cJSON_free(p);
		}
		view_add(v, PW_EL_DIM, "        %s: %s", it->string ? it->string : "", val);
		g_free(val);
	}
	cJSON_Delete(d);
}

typedef struct history_ctx {
	view *v;
	int shown;
} history_ctx;

static pw_code add_event(const pw_event_row *ev, void *ud, pw_error *err)
{
	history_ctx *h = ud;
	char *at = pw_time_to_local(ev->at);
	(void)err;
	view_add(h->v, PW_EL_NORMAL, "  %s  %-10s %s", at, ev->operator, ev->kind);
	view_add(h->v, PW_EL_NORMAL, "        %s", ev->message);
	add_details(h->v, ev->details);
	g_free(at);
	h->shown++;
	return PW_OK;
}

static pw_code add_history(pw_console *c, view *v, const char *heading, const pw_log_filter *f, pw_error *err)
{
	history_ctx h = { v, 0 };
	pw_code rc;
	view_add(v, PW_EL_NORMAL, "%s", "");
	view_add(v, PW_EL_HEADING, "%s", heading);
	rc = pw_log_each(c->store, f, add_event, &h, err);
	if (rc == PW_OK && h.shown == 0)
		view_add(v, PW_EL_DIM, "  %s", "(none)");
	return rc;
}

static view *job_view(pw_console *c, sqlite3_int64 id, pw_error *err)
{
	pw_job *j = NULL;
	view *v;
	pw_log_filter f = { .job_id = id };

	if (pw_job_get(c->store, id, &j, err) != PW_OK)
		return NULL;
	v = view_new("Job %lld: %s", (long long)id, j->state);
	view_add(v, PW_EL_HEADING, "%s", "Where");
	field(v, "client", j->client_name);
	field(v, "account", j->account_username);
	field(v, "board", j->board_name);
	field(v, "section", j->board_section_id);
	view_add(v, PW_EL_HEADING, "%s", "What");
	field(v, "title", j->title);
	field(v, "description", j->description);
	field(v, "link", j->link);
	field(v, "image URL", j->image_url);
	field(v, "image file", j->image_path);
	field(v, "alt text", j->alt_text);
	view_add(v, PW_EL_HEADING, "%s", "State");
	view_add(v, strcmp(j->state, "failed") == 0    ? PW_EL_STATE_FAILED
	            : strcmp(j->state, "unknown") == 0 ? PW_EL_STATE_UNKNOWN
	                                               : PW_EL_NORMAL,
	         "  %-16s %s", "state", j->state);
	{
		char n[32];
		snprintf(n, sizeof n, "%lld", (long long)j->attempts);
		field(v, "attempts", n);
	}
	time_field(v, "scheduled", j->scheduled_at);
	time_field(v, "next attempt", j->next_attempt_at);
	field(v, "Pin id", j->pin_id);
	field(v, "last error", j->last_error);
	field(v, "requested by", j->requested_by);
	time_field(v, "queued at", j->created_at);
	pw_job_free(j);
	if (add_history(c, v, "Attempts, answers and actions", &f, err) != PW_OK) {
		view_free(v);
		return NULL;
	}
	return v;
}

static view *account_view(pw_console *c, sqlite3_int64 id, pw_error *err)
{
	pw_account *a = NULL;
	view *v;
	pw_log_filter f = { .account_id = id };
	int days;

	if (pw_account_get(c->store, id, &a, err) != PW_OK)
		return NULL;
	v = view_new("Account %s of %s", a->username ? a->username : a->expected_username, a->client_name);
	view_add(v, PW_EL_HEADING, "%s", "Account");
	field(v, "expected", a->expected_username);
	field(v, "connected as", a->username);
	field(v, "state", a->state);
	field(v, "why", a->state_reason);
	field(v, "type", a->account_type);
	field(v, "scopes", a->scopes);
	field(v, "connected by", a->connected_by);
	time_field(v, "connected at", a->connected_at);
	time_field(v, "verified at", a->verified_at);
	view_add(v, PW_EL_HEADING, "%s", "Tokens (kept in the keyring, never shown)");
	time_field(v, "access until", a->access_expires_at);
	time_field(v, "refresh until", a->refresh_expires_at);
	if (a->refresh_expires_at && pw_tokens_days_left(a->refresh_expires_at, &days)) {
		char d[64];
		snprintf(d, sizeof d, days < 0 ? "expired: the client must approve again" : "%d days", days);
		field(v, "days left", d);
	}
	{
		char n[64];
		snprintf(n, sizeof n, "%lld in scope; %lld jobs waiting", (long long)a->boards_in_scope,
		         (long long)a->jobs_waiting);
		field(v, "boards, jobs", n);
	}
	pw_account_free(a);
	if (add_history(c, v, "Connection history and events", &f, err) != PW_OK) {
		view_free(v);
		return NULL;
	}
	return v;
}

static view *client_view(pw_console *c, sqlite3_int64 id, pw_error *err)
{
	pw_client *cl = NULL;
	GPtrArray *accounts = NULL;
	view *v;

	if (pw_client_get(c->store, id, &cl, err) != PW_OK)
		return NULL;
	if (pw_account_list(c->store, id, &accounts, err) != PW_OK) {
		pw_client_free(cl);
		return NULL;
	}
	v = view_new("Client %s%s", cl->name, cl->archived ? " (archived)" : "");
	view_add(v, PW_EL_HEADING, "%s", "Client");
	field(v, "contact", cl->contact);
	field(v, "notes", cl->notes);
	field(v, "onboarded by", cl->created_by);
	time_field(v, "onboarded at", cl->created_at);
	time_field(v, "archived at", cl->archived_at);
	view_add(v, PW_EL_HEADING, "%s", "Approved domains");
	list_field(v, "links", cl->link_domains);
	list_field(v, "images", cl->image_domains);
	view_add(v, PW_EL_HEADING, "%s", "Boards in scope");
	list_field(v, "boards", cl->boards);
	view_add(v, PW_EL_HEADING, "%s", "Accounts");
	for (guint i = 0; i < accounts->len; i++) {
		const pw_account *a = g_ptr_array_index(accounts, i);
		view_add(v, PW_EL_NORMAL, "  %-24s %-16s %lld boards in scope", a->username ? a->username : a->expected_username,
		         a->state, (long long)a->boards_in_scope);
	}
	if (accounts->len == 0)
		view_add(v, PW_EL_DIM, "  %s", "(none)");
	g_ptr_array_free(accounts, TRUE);
	pw_client_free(cl);
	return v;
}

static view *board_view(pw_console *c, sqlite3_int64 id, pw_error *err)
{
	sqlite3_stmt *st = NULL;
	view *v = NULL;
	int s;

	if (pw_store_prepare(c->store,
	                     "SELECT b.name, b.pinterest_id, coalesce(b.privacy, ''), b.in_scope, coalesce(b.synced_at, ''),"
	                     " coalesce(a.username, a.expected_username), c.name,"
	                     " (SELECT count(*) FROM jobs j WHERE j.board_id = b.id AND j.state IN " PW_JOB_WAITING_SQL "),"
	                     " (SELECT count(*) FROM jobs j WHERE j.board_id = b.id AND j.state = 'published')"
	                     " FROM boards b JOIN accounts a ON a.id = b.account_id JOIN clients c ON c.id = a.client_id"
	                     " WHERE b.id = ?",
	                     &st, err) != PW_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		char n[64];
		v = view_new("Board %s", pw_col_text(st, 0));
		view_add(v, PW_EL_HEADING, "%s", "Board");
		field(v, "client", pw_col_text(st, 6));
		field(v, "account", pw_col_text(st, 5));
		field(v, "Pinterest id", pw_col_text(st, 1));
		field(v, "privacy", pw_col_text(st, 2));
		field(v, "scope", sqlite3_column_int(st, 3) ? "in scope: Pins can be published here"
		                                            : "out of scope: nothing is published here");
		time_field(v, "read at", pw_col_text(st, 4));
		snprintf(n, sizeof n, "%lld waiting, %lld published", (long long)sqlite3_column_int64(st, 7),
		         (long long)sqlite3_column_int64(st, 8));
		field(v, "jobs", n);
	} else if (s == SQLITE_DONE) {
		pw_fail(err, PW_E_NOT_FOUND, "board %lld is no longer in the workspace", (long long)id);
	} else {
		pw_store_fail(c->store, s, "reading the board", err);
	}
	sqlite3_finalize(st);
	return v;
}

typedef struct one_event {
	view *v;
} one_event;

static pw_code fill_event(const pw_event_row *ev, void *ud, pw_error *err)
{
	one_event *o = ud;
	char *at = pw_time_to_local(ev->at);
	(void)err;
	o->v = view_new("Event %lld: %s", (long long)ev->id, ev->kind);
	view_add(o->v, PW_EL_HEADING, "%s", "Event");
	field(o->v, "at", at);
	field(o->v, "operator", ev->operator);
	field(o->v, "kind", ev->kind);
	field(o->v, "client", ev->client_name);
	field(o->v, "message", ev->message);
	view_add(o->v, PW_EL_HEADING, "%s", "Details");
	add_details(o->v, ev->details);
	view_add(o->v, PW_EL_HEADING, "%s", "Chain");
	field(o->v, "previous hash", ev->prev_hash);
	field(o->v, "hash", ev->hash);
	g_free(at);
	return PW_E_EXISTS; /* one is enough: stop the walk */
}

static view *event_view(pw_console *c, sqlite3_int64 id, pw_error *err)
{
	one_event o = { NULL };
	pw_log_filter f = { .after_id = id - 1 };
	pw_code rc = pw_log_each(c->store, &f, fill_event, &o, err);
	if (rc != PW_OK && rc != PW_E_EXISTS)
		return NULL;
	pw_error_clear(err);
	return o.v;
}

view *view_details(pw_console *c, pw_error *err)
{
	const pane *p = &c->panes[c->focus];
	const row *r = pane_selected(p);

	if (!r)
		return NULL;
	switch (p->id) {
	case PANE_CLIENTS:
		return client_view(c, r->id, err);
	case PANE_ACCOUNTS:
		return account_view(c, r->id, err);
	case PANE_BOARDS:
		return board_view(c, r->id, err);
	case PANE_QUEUE:
		return job_view(c, r->id, err);
	case PANE_LOG:
		return event_view(c, r->id, err);
	case PANE_COUNT:
		break;
	}
	return NULL;
}

view *view_help(pw_console *c)
{
	view *v = view_new("%s", "Help: pinwarden console");

	view_add(v, PW_EL_HEADING, "%s", "Keys");
	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++) {
		char *keys = pw_keymap_keys_text(c->keys, (pw_action)a);
		view_add(v, PW_EL_NORMAL, "  %-22s %-14s %s", *keys ? keys : "(no key)", pw_action_name((pw_action)a),
		         pw_action_help((pw_action)a));
		g_free(keys);
	}
	view_add(v, PW_EL_DIM, "  %s", "Keys are rebound in the config file's [keys] group: ACTION = KEY KEY ...");
	view_add(v, PW_EL_NORMAL, "%s", "");
	view_add(v, PW_EL_HEADING, "%s", "Panes");
	view_add(v, PW_EL_NORMAL, "  %s", "1 Clients   2 Accounts of the selected client   3 Boards of the selected account");
	view_add(v, PW_EL_NORMAL, "  %s", "4 Queue     5 Log (the activity log, live: it follows the newest event)");
	view_add(v, PW_EL_NORMAL, "%s", "");
	view_add(v, PW_EL_HEADING, "%s", "Marks");
	view_add(v, PW_EL_STATE_FAILED, "  %s", "! FAILED   a job Pinterest refused: see its details, then retry or cancel");
	view_add(v, PW_EL_STATE_UNKNOWN, "  %s", "! UNKNOWN  a job whose outcome is not known: resolve it");
	view_add(v, PW_EL_STATE_PAUSED, "  %s", "  paused   waiting for the account to be connected again");
	view_add(v, PW_EL_STATE_GOOD, "  %s", "  published, verified, in scope");
	view_add(v, PW_EL_NORMAL, "%s", "");
	view_add(v, PW_EL_HEADING, "%s", "Filters ('/')");
	view_add(v, PW_EL_NORMAL, "  %s", "clients, accounts, boards: words in the name");
	view_add(v, PW_EL_NORMAL, "  %s", "queue: state:STATE client:NAME and words in the title, board or account");
	view_add(v, PW_EL_NORMAL, "  %s", "log:   client:NAME kind:KIND (kind:job. for every job event) operator:NAME and words");
	view_add(v, PW_EL_NORMAL, "  %s", "In a name, '_' stands for a space. An empty filter clears it; so does Esc.");
	view_add(v, PW_EL_NORMAL, "%s", "");
	view_add(v, PW_EL_HEADING, "%s", "Theme");
	view_add(v, PW_EL_NORMAL, "  %s%s%s", c->theme.name, c->theme.path[0] ? ": " : " (built in)", c->theme.path);
	return v;
}
