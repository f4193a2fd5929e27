/* wiz_connect.c: connecting the accounts pane's selected account from
 * the console, as 'pinwarden account connect' and 'account complete' do
 * it, through the same services.
 *
 * The client approves on Pinterest's own page; the operator only sends
 * them the link. So the screen is about that link: the message for the
 * client with the authorization URL in full (wrapped, never cut, since a
 * cut URL is a broken one), the URL also copied to the terminal's
 * clipboard, and how long it stays valid, counted down. The approval
 * comes back to the loopback listener when the app's redirect URI is on
 * this machine (the console's loop polls it, so keys keep working while
 * it waits), or as the address the client's browser ended on, pasted
 * with p. Then the connection is completed and verified, and the checks
 * appear one by one as they run. Esc while waiting leaves the request
 * open: 'pinwarden account complete --paste' can still finish it. */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "tui.h"

#include "pinwarden/accounts.h"
#include "pinwarden/app.h"
#include "pinwarden/connect.h"
#include "pinwarden/timeutil.h"
#include "pinwarden/pinterest.h"
#include "pinwarden/redirect.h"
#include "pinwarden/text.h"
#include "pinwarden/verify.h"

/* How long a request that reached the listener may take to be served:
 * the console waits for nothing else meanwhile. */
#define SERVE_US (2 * G_USEC_PER_SEC)
/* The longest address that can be pasted. */
#define PASTE_MAX 8192

typedef enum { STEP_AGAIN, STEP_WAIT, STEP_PASTE, STEP_DONE } step;

typedef struct connect_wiz {
	wizard base;
	step step;
	sqlite3_int64 account_id;
	char *client_name;
	char *username;             /* the expected username */
	char *title_step;           /* "shop_pins of Shop" */
	pw_app_settings app;
	pw_connect_request req;
	char *message;              /* for the client, with the URL */
	char *until;                /* the expiry, local "HH:MM" */
	gint64 deadline;            /* the expiry, monotonic µs */
	pw_listener *listener;      /* NULL: the approval is pasted */
	int port;
	char *path;                 /* the redirect URI's path */
	char *no_listen;            /* why there is no listener */
	bool copied;                /* the URL went to the clipboard */
	GString *paste;
	int scroll;                 /* the message's first line on screen */
	view *result;               /* the final screen's lines */
	bool ok;                    /* ... whether it ends well */
	char *outcome;              /* ... and in one sentence, for the panes */
} connect_wiz;

/* ---- text ------------------------------------------------------------------ */

/* A stored time as local "HH:MM". */
static char *local_hhmm(const char *stored)
{
	GTimeZone *utc = g_time_zone_new_utc();
	GDateTime *t = g_date_time_new_from_iso8601(stored, utc);
	char *out = NULL;

	if (t) {
		GDateTime *local = g_date_time_to_local(t);
		out = g_date_time_format(local, "%H:%M");
		g_date_time_unref(local);
		g_date_time_unref(t);
	}
	g_time_zone_unref(utc);
	return out ? out : g_strdup(stored);
}


/* ---- the final screen ---------------------------------------------------------- */

static void result_line(connect_wiz *cw, pw_theme_element el, const char *text)
{
	view_add(cw->result, el, "%s", text);
}

/* What the account is now, as 'account complete' ends. */
static void state_line(pw_console *c, connect_wiz *cw, sqlite3_int64 account_id)
{
	pw_account *a = NULL;
	pw_error err = { 0 };
	char *line;

	if (pw_account_get(c->store, account_id, &a, &err) != PW_OK) {
		result_line(cw, PW_EL_ERROR, err.message);
		return;
	}
	line = g_strdup_printf("account '%s' of client '%s' is now %s%s%s", a->expected_username, a->client_name,
	                       a->state, a->state_reason ? ": " : "", a->state_reason ? a->state_reason : "");
	result_line(cw, strcmp(a->state, "verified") == 0 ? PW_EL_HEADING : PW_EL_NORMAL, line);
	g_free(line);
	pw_account_free(a);
}

typedef struct progress {
	pw_console *c;
	connect_wiz *cw;
} progress;

/* Each check on the screen as soon as it has run: verifying takes a few
 * calls to Pinterest, and the operator sees where it is. */
static void on_check(const pw_check *check, void *ud)
{
	progress *p = ud;
	char *line = g_strdup_printf("  %-5s %s: %s", check->ok ? "ok" : "FAIL", check->name, check->detail);
	result_line(p->cw, check->ok ? PW_EL_NORMAL : PW_EL_ERROR, line);
	g_free(line);
	draw_screen(p->c);
}

static void stop_listening(connect_wiz *cw)
{
	pw_listener_close(cw->listener);
	cw->listener = NULL;
}

static void begin_result(pw_console *c, connect_wiz *cw)
{
	stop_listening(cw);
	cw->step = STEP_DONE;
	cw->result = view_new("result");
	c->message[0] = '\0';
}

/* After the connection: what 'account complete' does, the same steps. */
static void finish_connection(pw_console *c, connect_wiz *cw, const pw_connect_result *res)
{
	pw_verify_report report = { 0 };
	pw_error err = { 0 };
	progress p = { c, cw };
	char *line;

	if (res->mismatch) {
		line = g_strdup_printf("MISMATCH: Pinterest user '%s' approved, but the client named '%s'.",
		                       res->approved_username, res->expected_username);
		result_line(cw, PW_EL_ERROR, line);
		g_free(line);
		result_line(cw, PW_EL_NORMAL,
		            "The account is marked 'mismatch' and nothing can be published with it. Check with the client, "
		            "then connect again with the right Pinterest login (or change the expected username).");
		state_line(c, cw, res->account_id);
		cw->outcome = g_strdup_printf("MISMATCH: Pinterest user '%s' approved the request for %s; nothing can be "
		                              "published with it.",
		                              res->approved_username, res->expected_username);
		return;
	}
	line = g_strdup_printf("connected: account '%s' of client '%s', approved by Pinterest user '%s'",
	                       res->expected_username, res->client_name,
	                       res->approved_username ? res->approved_username : "(not read yet)");
	result_line(cw, PW_EL_NORMAL, line);
	g_free(line);
	result_line(cw, PW_EL_NORMAL, "verifying:");
	draw_screen(c);
	if (pw_verify_account_with(c->ctx, res->account_id, on_check, &p, &report, &err) != PW_OK) {
		line = g_strdup_printf("The checks could not run: %s", err.message);
		result_line(cw, PW_EL_ERROR, line);
		g_free(line);
		cw->outcome = g_strdup_printf("%s is connected, but the checks could not run: %s", res->expected_username,
		                              err.message);
	} else if (report.verified) {
		cw->ok = true;
		line = g_strdup_printf("VERIFIED: Pins can be published with %s for %s.", res->expected_username,
		                       res->client_name);
		result_line(cw, PW_EL_HEADING, "");
		result_line(cw, PW_EL_HEADING, line);
		g_free(line);
		cw->outcome = g_strdup_printf("%s is connected and verified.", res->expected_username);
	} else {
		const pw_check *failed = pw_checks_first_failure(report.checks);
		line = g_strdup_printf("NOT VERIFIED: %s: %s", failed ? failed->name : "a check failed",
		                       failed ? failed->detail : "see above");
		result_line(cw, PW_EL_ERROR, "");
		result_line(cw, PW_EL_ERROR, line);
		g_free(line);
		cw->outcome = g_strdup_printf("%s is connected but not verified: %s: %s", res->expected_username,
		                              failed ? failed->name : "a check failed", failed ? failed->detail : "");
	}
	state_line(c, cw, res->account_id);
	pw_verify_report_clear(&report);
}

/* Completes the request with what came back; false only when the
 * wizard has ended. */
static bool complete(pw_console *c, connect_wiz *cw, const pw_redirect *redirect)
{
	pw_connect_result res = { 0 };
	pw_error err = { 0 };
	bool ours = redirect->state && cw->req.state && strcmp(redirect->state, cw->req.state) == 0;

	if (pw_connect_complete(c->ctx, redirect, &res, &err) != PW_OK) {
		if (!ours && g_get_monotonic_time() < cw->deadline) {
			/* Not this request's approval: this one is still open. */
			console_message(c, true, "%s (the request for %s is still waiting)", err.message, cw->username);
			return true;
		}
		begin_result(c, cw);
		result_line(cw, PW_EL_ERROR, "NOT CONNECTED:");
		result_line(cw, PW_EL_ERROR, err.message);
		state_line(c, cw, cw->account_id);
		cw->outcome = g_strdup_printf("%s was not connected: %s", cw->username, err.message);
		return true;
	}
	begin_result(c, cw);
	finish_connection(c, cw, &res);
	pw_connect_result_clear(&res);
	return true;
}

/* ---- waiting ----------------------------------------------------------------------- */

/* OSC 52 puts the URL on the clipboard of the operator's own terminal,
 * through SSH and tmux too (where allowed). Written once curses has sent
 * the screen, so that it never lands in the middle of a sequence. */
static void copy_to_clipboard(pw_console *c, connect_wiz *cw)
{
	char *b64;

	if (c->opt->script)
		return;
	cw->copied = true;
	draw_screen(c);
	b64 = g_base64_encode((const guchar *)cw->req.url, strlen(cw->req.url));
	fprintf(stdout, "\033]52;c;%s\a", b64);
	fflush(stdout);
	g_free(b64);
}

/* The listener's error says what to do on the command line; here the
 * answer is the paste field. */
static char *without_cli_advice(const char *message)
{
	const char *cut = strstr(message, "; use --no-wait");
	return cut ? g_strndup(message, (gsize)(cut - message)) : g_strdup(message);
}

static bool open_request(pw_console *c, connect_wiz *cw)
{
	pw_error err = { 0 };

	/* Listen before the link exists, so that no approval can come back
	 * to a port nobody holds. */
	if (pw_app_redirect_is_loopback(cw->app.redirect_uri, &cw->port, &cw->path)) {
		if (pw_listener_open(cw->port, &cw->listener, &err) != PW_OK) {
			cw->no_listen = without_cli_advice(err.message);
			memset(&err, 0, sizeof err);
		}
	} else {
		cw->no_listen = g_strdup_printf("the app's redirect URI %s is not on this machine", cw->app.redirect_uri);
	}
	if (pw_connect_open(c->ctx, cw->client_name, cw->username, PW_CONNECT_TTL_DEFAULT, &cw->req, &err) != PW_OK) {
		stop_listening(cw);
		console_message(c, true, "Not connected: %s", err.message);
		return false;
	}
	cw->message = pw_connect_message(&cw->req);
	cw->until = local_hhmm(cw->req.expires_at);
	cw->deadline = pw_time_monotonic_at(cw->req.expires_at);
	cw->step = STEP_WAIT;
	copy_to_clipboard(c, cw);
	return true;
}

static void stopped_message(pw_console *c, connect_wiz *cw)
{
	console_message(c, false,
	                "Stopped waiting. The link for %s stays valid until %s: when the client has approved, "
	                "'pinwarden account complete --paste ADDRESS' finishes it from a shell.",
	                cw->username, cw->until);
}

static bool paste_done(pw_console *c, connect_wiz *cw)
{
	pw_redirect redirect = { 0 };
	pw_error err = { 0 };
	char *typed = g_strstrip(g_strdup(cw->paste->str));
	bool going;

	if (!*typed) {
		g_free(typed);
		console_message(c, true, "Paste the whole address the client's browser ended on, then Enter.");
		return true;
	}
	if (pw_redirect_parse_url(typed, &redirect, &err) != PW_OK) {
		pw_secret_wipe(typed);
		g_free(typed);
		console_message(c, true, "%s", err.message);
		return true;
	}
	pw_secret_wipe(typed);
	g_free(typed);
	going = complete(c, cw, &redirect);
	pw_redirect_clear(&redirect);
	if (cw->step == STEP_DONE) {
		pw_secret_wipe(cw->paste->str);
		g_string_truncate(cw->paste, 0);
	}
	return going;
}

static bool connect_tick(pw_console *c, wizard *w)
{
	connect_wiz *cw = (connect_wiz *)w;

	if (cw->step != STEP_WAIT && cw->step != STEP_PASTE)
		return true;
	if (cw->listener) {
		struct pollfd p = { .fd = pw_listener_fd(cw->listener), .events = POLLIN };
		if (poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
			pw_redirect redirect = { 0 };
			pw_error err = { 0 };
			pw_code rc = pw_listener_wait(cw->listener, cw->path, g_get_monotonic_time() + SERVE_US, NULL,
			                              &redirect, &err);
			if (rc == PW_OK) {
				bool going = complete(c, cw, &redirect);
				pw_redirect_clear(&redirect);
				return going;
			}
			/* PW_E_CONFLICT: what came was not the approval; wait on. */
			if (rc != PW_E_CONFLICT) {
				stop_listening(cw);
				g_free(cw->no_listen);
				cw->no_listen = g_strdup(err.message);
				console_message(c, true, "%s: paste the address instead (p)", err.message);
			}
		}
	}
	if (g_get_monotonic_time() >= cw->deadline) {
		console_message(c, true,
		                "The connection request for %s expired at %s without an approval: press C on the account "
		                "to open a new one, and send the client the new link.",
		                cw->username, cw->until);
		return false;
	}
	return true;
}

static int connect_fd(wizard *w)
{
	connect_wiz *cw = (connect_wiz *)w;
	if (cw->step != STEP_WAIT && cw->step != STEP_PASTE)
		return -1;
	return cw->listener ? pw_listener_fd(cw->listener) : -1;
}

/* Each second of the countdown, and the expiry itself. */
static gint64 connect_wake_at(wizard *w)
{
	connect_wiz *cw = (connect_wiz *)w;
	gint64 now = g_get_monotonic_time(), left;

	if (cw->step != STEP_WAIT && cw->step != STEP_PASTE)
		return 0;
	left = cw->deadline - now;
	if (left <= 0)
		return now;
	return now + (left % G_USEC_PER_SEC ? left % G_USEC_PER_SEC : G_USEC_PER_SEC);
}

/* ---- keys ------------------------------------------------------------------------- */

static void scroll_message(connect_wiz *cw, int key)
{
	if (key == (PW_KEY_FN | KEY_DOWN) || key == 'j')
		cw->scroll++;
	else if (key == (PW_KEY_FN | KEY_UP) || key == 'k')
		cw->scroll--;
	else if (key == (PW_KEY_FN | KEY_NPAGE) || key == ' ')
		cw->scroll += 10;
	else if (key == (PW_KEY_FN | KEY_PPAGE))
		cw->scroll -= 10;
	/* draw keeps it within the message */
	cw->scroll = MAX(cw->scroll, 0);
}

static bool connect_key(pw_console *c, wizard *w, int key)
{
	connect_wiz *cw = (connect_wiz *)w;

	switch (cw->step) {
	case STEP_AGAIN:
		if (key == 'y' || key == 'Y')
			return open_request(c, cw);
		if (key == 'n' || key == 'N' || key == 27) {
			console_message(c, false, "Nothing changed: %s stays verified.", cw->username);
			return false;
		}
		console_message(c, false, "Press y to connect %s again (new tokens replace its tokens), or n to leave it.",
		                cw->username);
		return true;
	case STEP_WAIT:
		if (key == 'p') {
			cw->step = STEP_PASTE;
			g_string_truncate(cw->paste, 0);
			return true;
		}
		if (key == 27) {
			stopped_message(c, cw);
			return false;
		}
		scroll_message(cw, key);
		return true;
	case STEP_PASTE:
		if (key == 27) {
			cw->step = STEP_WAIT;
			pw_secret_wipe(cw->paste->str);
			g_string_truncate(cw->paste, 0);
			return true;
		}
		if (key == '\n')
			return paste_done(c, cw);
		edit_key(cw->paste, key, PASTE_MAX);
		return true;
	case STEP_DONE:
		console_message(c, !cw->ok, "%s", cw->outcome ? cw->outcome : "");
		return false;
	}
	return true;
}

/* ---- drawing ------------------------------------------------------------------------ */

static int draw_wrapped(pw_console *c, int y, int x, int bottom, const char *text, attr_t a)
{
	GPtrArray *lines = draw_wrap(text, COLS - x - 1, 0);
	for (guint i = 0; i < lines->len && y < bottom; i++)
		draw_text(c, y++, x, COLS - x, g_ptr_array_index(lines, i), a);
	g_ptr_array_free(lines, TRUE);
	return y;
}

static char *countdown(connect_wiz *cw)
{
	gint64 left = MAX(cw->deadline - g_get_monotonic_time(), 0);
	/* Rounded up: "0:00" only when it has expired. */
	gint64 s = (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
	if (s >= 3600)
		return g_strdup_printf("expires in %lld:%02lld:%02lld (at %s)", (long long)(s / 3600),
		                       (long long)(s / 60 % 60), (long long)(s % 60), cw->until);
	return g_strdup_printf("expires in %lld:%02lld (at %s)", (long long)(s / 60), (long long)(s % 60), cw->until);
}

static void draw_waiting(pw_console *c, connect_wiz *cw, int y)
{
	int bottom = LINES - 1;
	char *text, *heading;
	GPtrArray *msg;
	int rows;

	/* The URL first and whole: the one thing that must reach the client. */
	heading = g_strdup_printf("Authorization URL%s", cw->copied ? " (copied to the clipboard)" : "");
	draw_text(c, y++, 2, COLS - 2, heading, c->style[PW_EL_HEADING]);
	g_free(heading);
	y = draw_wrapped(c, y, 4, bottom, cw->req.url, c->style[PW_EL_NORMAL] | A_BOLD);
	y++;
	text = countdown(cw);
	draw_text(c, y++, 2, COLS - 2, text, c->style[PW_EL_PROMPT]);
	g_free(text);
	if (cw->step == STEP_PASTE) {
		/* Under the URL, before anything that may not fit. */
		int x = 4, w = COLS - x - 1, used;
		const char *shown = cw->paste->str;
		draw_text(c, y++, 2, COLS - 2, "Paste the address the client's browser ended on, then Enter:",
		          c->style[PW_EL_HEADING]);
		/* The end of a long address stays in view. */
		while (*shown && (int)pw_text_width(shown) > w - 1)
			shown = g_utf8_find_next_char(shown, NULL);
		used = draw_text(c, y, x, w, shown, c->style[PW_EL_PROMPT]);
		c->cursor_y = y++;
		c->cursor_x = x + used;
	}
	if (cw->listener)
		text = g_strdup_printf("Waiting for the approval on 127.0.0.1:%d (over SSH, forward that port with ssh -L "
		                       "%d:127.0.0.1:%d). Or press p to paste the address the client's browser ended on.",
		                       cw->port, cw->port, cw->port);
	else
		text = g_strdup_printf("pinwarden is not listening for the approval: %s. When the client has approved, "
		                       "press p and paste the address their browser ended on.",
		                       cw->no_listen ? cw->no_listen : "no listener");
	y = draw_wrapped(c, y, 2, bottom, text, c->style[PW_EL_NORMAL]);
	g_free(text);

	y++;
	if (y + 1 >= bottom)
		return;
	msg = draw_wrap(cw->message, COLS - 5, 0);
	rows = bottom - (y + 1);
	cw->scroll = CLAMP(cw->scroll, 0, MAX((int)msg->len - rows, 0));
	heading = (int)msg->len > rows
	                  ? g_strdup_printf("Send this to the client (lines %d-%d of %u; Up/Down scroll):", cw->scroll + 1,
	                                    cw->scroll + rows, msg->len)
	                  : g_strdup("Send this to the client (the link also works on its own):");
	draw_text(c, y++, 2, COLS - 2, heading, c->style[PW_EL_HEADING]);
	g_free(heading);
	for (int i = 0; i < rows && cw->scroll + i < (int)msg->len; i++)
		draw_text(c, y++, 4, COLS - 4, g_ptr_array_index(msg, (guint)(cw->scroll + i)), c->style[PW_EL_NORMAL]);
	g_ptr_array_free(msg, TRUE);
}

/* The final screen; when it is too long, its end (the outcome) stays. */
static void draw_result(pw_console *c, connect_wiz *cw, int y)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	GArray *els = g_array_new(FALSE, FALSE, sizeof(pw_theme_element));
	int rows = LINES - 1 - y;
	guint first;

	for (guint i = 0; i < cw->result->lines->len; i++) {
		const view_line *l = &g_array_index(cw->result->lines, view_line, i);
		GPtrArray *wrapped = draw_wrap(l->text, COLS - 3, 0);
		for (guint j = 0; j < wrapped->len; j++) {
			g_ptr_array_add(lines, g_strdup(g_ptr_array_index(wrapped, j)));
			g_array_append_val(els, l->el);
		}
		g_ptr_array_free(wrapped, TRUE);
	}
	first = lines->len > (guint)MAX(rows, 0) ? lines->len - (guint)MAX(rows, 0) : 0;
	for (guint i = first; i < lines->len; i++)
		draw_text(c, y++, 2, COLS - 2, g_ptr_array_index(lines, i), c->style[g_array_index(els, pw_theme_element, i)]);
	g_ptr_array_free(lines, TRUE);
	g_array_free(els, TRUE);
}

static void connect_draw(pw_console *c, wizard *w)
{
	connect_wiz *cw = (connect_wiz *)w;
	int y = wizard_frame(c, "Connect an account", cw->title_step);

	switch (cw->step) {
	case STEP_AGAIN: {
		char *ask = g_strdup_printf("%s is verified; connect it again? (y/n)", cw->username);
		int used = draw_text(c, y, 2, COLS - 2, ask, c->style[PW_EL_HEADING]);
		g_free(ask);
		draw_wrapped(c, y + 2, 2, LINES - 1,
		             "A reconnection replaces its tokens with the ones the client approves next, and the account "
		             "is verified again.",
		             c->style[PW_EL_NORMAL]);
		c->cursor_y = y;
		c->cursor_x = MIN(2 + used + 1, COLS - 1);
		break;
	}
	case STEP_WAIT:
	case STEP_PASTE:
		draw_waiting(c, cw, y);
		break;
	case STEP_DONE:
		draw_result(c, cw, y);
		break;
	}
}

static const char *connect_keys(pw_console *c, wizard *w)
{
	connect_wiz *cw = (connect_wiz *)w;
	(void)c;
	switch (cw->step) {
	case STEP_AGAIN:
		return "y connect again (its tokens are replaced)  n or Esc leave it as it is";
	case STEP_WAIT:
		return "p paste the address  Up/Down scroll the message  Esc stop waiting (the link stays valid)";
	case STEP_PASTE:
		return "paste the address  Enter finish with it  Esc back to waiting";
	case STEP_DONE:
		return "any key closes";
	}
	return "";
}

static void connect_free(wizard *w)
{
	connect_wiz *cw = (connect_wiz *)w;
	stop_listening(cw);
	g_free(cw->client_name);
	g_free(cw->username);
	g_free(cw->title_step);
	pw_app_settings_clear(&cw->app);
	pw_connect_request_clear(&cw->req);
	g_free(cw->message);
	g_free(cw->until);
	g_free(cw->path);
	g_free(cw->no_listen);
	pw_secret_wipe(cw->paste->str);
	g_string_free(cw->paste, TRUE);
	view_free(cw->result);
	g_free(cw->outcome);
	g_free(cw);
}

void connect_start(pw_console *c)
{
	const row *r = pane_selected(&c->panes[PANE_ACCOUNTS]);
	pw_account *a = NULL;
	pw_error err = { 0 };
	connect_wiz *cw;

	if (c->focus != PANE_ACCOUNTS) {
		char *pane_key = pw_keymap_first_key(c->keys, PW_ACT_PANE_ACCOUNTS);
		char *key = pw_keymap_first_key(c->keys, PW_ACT_CONNECT);
		console_message(c, true, "Connecting works on the accounts pane (%s): select the account there, then %s.",
		                pane_key ? pane_key : "2", key ? key : "connect");
		g_free(pane_key);
		g_free(key);
		return;
	}
	if (!r) {
		console_message(c, true,
		                "No account is selected: choose a client with an account, or add one with 'pinwarden "
		                "client edit NAME --expect-account USERNAME'.");
		return;
	}
	if (pw_account_get(c->store, r->id, &a, &err) != PW_OK) {
		console_message(c, true, "%s", err.message);
		return;
	}
	cw = g_new0(connect_wiz, 1);
	cw->base.key = connect_key;
	cw->base.draw = connect_draw;
	cw->base.keys = connect_keys;
	cw->base.fd = connect_fd;
	cw->base.wake_at = connect_wake_at;
	cw->base.tick = connect_tick;
	cw->base.free = connect_free;
	cw->paste = g_string_new("");
	/* The wizard's own copy: the panes behind it may move. */
	cw->account_id = a->id;
	cw->client_name = g_strdup(a->client_name);
	cw->username = g_strdup(a->expected_username);
	cw->title_step = g_strdup_printf("%s of %s", a->expected_username, a->client_name);
	cw->step = strcmp(a->state, "verified") == 0 ? STEP_AGAIN : STEP_WAIT;
	pw_account_free(a);

	if (pw_app_get(c->store, &cw->app, &err) != PW_OK) {
		console_message(c, true, "Cannot connect %s: %s", cw->username, err.message);
		connect_free(&cw->base);
		return;
	}
	c->wizard = &cw->base;
	if (cw->step == STEP_AGAIN)
		return;
	if (!open_request(c, cw)) {
		c->wizard = NULL;
		connect_free(&cw->base);
	}
}
