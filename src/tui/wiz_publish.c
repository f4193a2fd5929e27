/* wiz_publish.c: publishing a Pin from the console.
 *
 * The costly mistake is the right creative on the wrong client's account,
 * so the wizard starts with nothing chosen, every time: client, then one
 * of that client's verified accounts, then one of that account's boards
 * in scope, each chosen by the operator even when there is one choice.
 * Then the content, checked as it is typed against Pinterest's limits and
 * the client's approved domains; then a confirmation screen showing where
 * it goes, which asks for the account's username. What is queued is what
 * the wizard holds, never what the panes behind it show. Esc at any step
 * ends it with nothing queued. The checks and the queueing are
 * pw_publish's, as for `pinwarden publish`. */
#include "config.h"

#include <string.h>

#include "tui.h"

#include "pinwarden/clients.h"
#include "pinwarden/pinterest.h"
#include "pinwarden/publish.h"
#include "pinwarden/timeutil.h"

typedef enum { STEP_CLIENT, STEP_ACCOUNT, STEP_BOARD, STEP_CONTENT, STEP_CONFIRM } step;

enum { F_IMAGE, F_TITLE, F_DESCRIPTION, F_LINK, F_ALT, F_WHEN };

typedef struct publish_wiz {
	wizard base;
	step step;
	chooser *ch;
	form *content;
	pw_client *client;          /* the chosen client, with its domains */
	sqlite3_int64 account_id;
	char *username;
	sqlite3_int64 board_id;
	char *board_name;
	char *scheduled_at;         /* as pw_publish will queue it */
	GString *typed;             /* the username typed to confirm */
} publish_wiz;

static const char *step_names[] = { "1 client", "2 account", "3 board", "4 content", "5 confirm" };

/* ---- the lists ----------------------------------------------------------- */

static pw_code list_clients(pw_console *c, chooser *ch, pw_error *err)
{
	sqlite3_stmt *st = NULL;
	pw_code rc = pw_store_prepare(c->store,
	                              "SELECT c.id, c.name, (SELECT count(*) FROM accounts a WHERE a.client_id = c.id"
	                              " AND a.state = 'verified') FROM clients c WHERE c.archived = 0"
	                              " ORDER BY lower(c.name)",
	                              &st, err);
	int s;
	if (rc != PW_OK)
		return rc;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 n = sqlite3_column_int64(st, 2);
		char *detail = g_strdup_printf("%lld verified account%s", (long long)n, n == 1 ? "" : "s");
		chooser_add(ch, sqlite3_column_int64(st, 0), pw_col_text(st, 1), detail,
		            n ? NULL : "no verified account: connect one and verify it first");
		g_free(detail);
	}
	if (s != SQLITE_DONE)
		rc = pw_store_fail(c->store, s, "listing the clients", err);
	sqlite3_finalize(st);
	return rc;
}

static pw_code list_accounts(pw_console *c, chooser *ch, sqlite3_int64 client_id, pw_error *err)
{
	sqlite3_stmt *st = NULL;
	pw_code rc = pw_store_prepare(c->store,
	                              "SELECT id, coalesce(username, expected_username), state FROM accounts"
	                              " WHERE client_id = ? ORDER BY lower(coalesce(username, expected_username))",
	                              &st, err);
	int s;
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = pw_col_text(st, 2);
		char *refusal = strcmp(state, "verified") == 0
		                    ? NULL
		                    : g_strdup_printf("%s, not verified: nothing is published with it until it is", state);
		chooser_add(ch, sqlite3_column_int64(st, 0), pw_col_text(st, 1), state, refusal);
		g_free(refusal);
	}
	if (s != SQLITE_DONE)
		rc = pw_store_fail(c->store, s, "listing the accounts", err);
	sqlite3_finalize(st);
	return rc;
}

static pw_code list_boards(pw_console *c, chooser *ch, sqlite3_int64 account_id, const pw_client *client,
                           pw_error *err)
{
	sqlite3_stmt *st = NULL;
	pw_code rc = pw_store_prepare(c->store,
	                              "SELECT id, name, in_scope, coalesce(privacy, '') FROM boards WHERE account_id = ?"
	                              " ORDER BY lower(name)",
	                              &st, err);
	int s;
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, account_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		char *refusal = sqlite3_column_int(st, 2)
		                    ? NULL
		                    : g_strdup_printf("not in %s's scope: the client did not name this board", client->name);
		chooser_add(ch, sqlite3_column_int64(st, 0), pw_col_text(st, 1), pw_col_text(st, 3), refusal);
		g_free(refusal);
	}
	if (s != SQLITE_DONE)
		rc = pw_store_fail(c->store, s, "listing the boards", err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- the content ----------------------------------------------------------- */

static bool is_web_address(const char *s)
{
	return g_str_has_prefix(s, "https://") || g_str_has_prefix(s, "http://");
}

static char *check_content(pw_console *c, void *ud, int i, const char *v)
{
	publish_wiz *pw = ud;
	pw_error err = { 0 };
	char when[PW_TIME_LEN];
	(void)c;

	switch (i) {
	case F_IMAGE:
		if (!*v)
			return g_strdup("required: an https:// address, or a local JPEG or PNG file");
		if (is_web_address(v))
			return pw_publish_check_url(pw->client, true, v, &err) == PW_OK ? NULL : g_strdup(err.message);
		if (!g_file_test(v, G_FILE_TEST_IS_REGULAR))
			return g_strdup_printf("no file %s here, and not an https:// address", v);
		return NULL;
	case F_LINK:
		if (!*v)
			return NULL;
		return pw_publish_check_url(pw->client, false, v, &err) == PW_OK ? NULL : g_strdup(err.message);
	case F_WHEN:
		if (!*v)
			return NULL;
		return pw_time_parse(v, when, &err) == PW_OK ? NULL : g_strdup(err.message);
	default:
		return NULL;
	}
}

static form *content_form(publish_wiz *pw)
{
	form *f = form_new(check_content, pw);
	form_add(f, "Image", "an https:// address on an approved image domain, or a local JPEG or PNG file", 0);
	form_add(f, "Title", "optional", PW_PIN_TITLE_MAX);
	form_add(f, "Description", "optional", PW_PIN_DESCRIPTION_MAX);
	form_add(f, "Link", "optional: where the Pin leads, on an approved link domain", PW_PIN_LINK_MAX);
	form_add(f, "Alt text", "optional: the image described, for people who cannot see it", PW_PIN_ALT_TEXT_MAX);
	form_add(f, "When", "empty for now; or 2026-12-24 09:00, tomorrow 9:00, +2h", 0);
	return f;
}

static const char *opt(const char *s)
{
	return s && *s ? s : NULL;
}

/* The request exactly as the wizard holds it. */
static void fill_request(const publish_wiz *pw, pw_publish_request *req, bool dry_run)
{
	memset(req, 0, sizeof *req);
	req->client = pw->client->name;
	req->account = pw->username;
	req->board = pw->board_name;
	req->image = form_value(pw->content, F_IMAGE);
	req->title = opt(form_value(pw->content, F_TITLE));
	req->description = opt(form_value(pw->content, F_DESCRIPTION));
	req->link = opt(form_value(pw->content, F_LINK));
	req->alt_text = opt(form_value(pw->content, F_ALT));
	req->at = opt(form_value(pw->content, F_WHEN));
	req->dry_run = dry_run;
}

/* ---- moving through the steps ------------------------------------------------ */

static void next_chooser(publish_wiz *pw, const char *what)
{
	chooser_free(pw->ch);
	pw->ch = chooser_new(what);
}

static bool start_step(pw_console *c, publish_wiz *pw, step s)
{
	pw_error err = { 0 };
	pw_code rc = PW_OK;

	pw->step = s;
	switch (s) {
	case STEP_CLIENT:
		next_chooser(pw, "client");
		rc = list_clients(c, pw->ch, &err);
		break;
	case STEP_ACCOUNT:
		next_chooser(pw, "account");
		rc = list_accounts(c, pw->ch, pw->client->id, &err);
		break;
	case STEP_BOARD:
		next_chooser(pw, "board");
		rc = list_boards(c, pw->ch, pw->account_id, pw->client, &err);
		break;
	case STEP_CONTENT:
		chooser_free(pw->ch);
		pw->ch = NULL;
		pw->content = content_form(pw);
		break;
	case STEP_CONFIRM:
		g_string_truncate(pw->typed, 0);
		break;
	}
	if (rc != PW_OK) {
		console_message(c, true, "%s", err.message);
		return false;
	}
	return true;
}

static bool chosen(pw_console *c, publish_wiz *pw)
{
	const choice *it = chooser_selected(pw->ch);
	pw_error err = { 0 };

	switch (pw->step) {
	case STEP_CLIENT:
		if (pw_client_get(c->store, it->id, &pw->client, &err) != PW_OK) {
			console_message(c, true, "%s", err.message);
			return false;
		}
		return start_step(c, pw, STEP_ACCOUNT);
	case STEP_ACCOUNT:
		pw->account_id = it->id;
		pw->username = g_strdup(it->label);
		return start_step(c, pw, STEP_BOARD);
	case STEP_BOARD:
		pw->board_id = it->id;
		pw->board_name = g_strdup(it->label);
		return start_step(c, pw, STEP_CONTENT);
	default:
		return true;
	}
}

/* Everything pw_publish checks, before the confirmation screen. */
static bool content_done(pw_console *c, publish_wiz *pw)
{
	pw_publish_request req;
	pw_publish_result res = { 0 };
	pw_error err = { 0 };

	fill_request(pw, &req, true);
	if (pw_publish(c->store, &req, &res, &err) != PW_OK) {
		console_message(c, true, "Not queued: %s", err.message);
		return true;
	}
	g_free(pw->scheduled_at);
	pw->scheduled_at = g_strdup(res.scheduled_at);
	pw_publish_result_clear(&res);
	return start_step(c, pw, STEP_CONFIRM);
}

static bool confirm(pw_console *c, publish_wiz *pw)
{
	pw_publish_request req;
	pw_publish_result res = { 0 };
	pw_error err = { 0 };

	if (g_ascii_strcasecmp(pw->typed->str, pw->username) != 0) {
		console_message(c, true,
		                "That is not the account's username: type %s exactly to publish to it (Esc: nothing is "
		                "queued).",
		                pw->username);
		g_string_truncate(pw->typed, 0);
		return true;
	}
	fill_request(pw, &req, false);
	if (pw_publish(c->store, &req, &res, &err) != PW_OK) {
		console_message(c, true, "Not queued: %s", err.message);
		return true;
	}
	console_message(c, false, "Job %lld queued: %s \xe2\x86\x92 %s \xe2\x86\x92 %s.", (long long)res.job_id,
	                res.client_name, res.account_username, res.board_name);
	pw_publish_result_clear(&res);
	return false;
}

static bool publish_key(pw_console *c, wizard *w, int key)
{
	publish_wiz *pw = (publish_wiz *)w;

	if (key == 27) {
		console_message(c, false, "Publishing cancelled: nothing was queued.");
		return false;
	}
	switch (pw->step) {
	case STEP_CLIENT:
	case STEP_ACCOUNT:
	case STEP_BOARD:
		switch (chooser_key(c, pw->ch, key)) {
		case CHOOSE_DONE:
			return chosen(c, pw);
		case CHOOSE_CANCEL:
			return false;
		case CHOOSE_GOING:
			return true;
		}
		return true;
	case STEP_CONTENT:
		switch (form_key(c, pw->content, key)) {
		case FORM_SUBMIT:
			return content_done(c, pw);
		case FORM_CANCEL:
			return false;
		case FORM_GOING:
			return true;
		}
		return true;
	case STEP_CONFIRM:
		if (key == '\n')
			return confirm(c, pw);
		edit_key(pw->typed, key, 200);
		return true;
	}
	return true;
}

/* ---- drawing ---------------------------------------------------------------- */

/* What is chosen so far, one line, so that each step shows its target. */
static int draw_target(pw_console *c, publish_wiz *pw, int y)
{
	char *line = g_strdup_printf("  client: %s   account: %s   board: %s", pw->client ? pw->client->name : "-",
	                             pw->username ? pw->username : "-", pw->board_name ? pw->board_name : "-");
	draw_text(c, y, 0, COLS, line, c->style[PW_EL_HEADING]);
	g_free(line);
	return y + 2;
}

static void confirm_line(pw_console *c, attr_t a, int y, const char *label, const char *value)
{
	char *text = g_strdup_printf("   %-12s %s", label, value && *value ? value : "-");
	draw_text(c, y, 2, COLS - 4, text, a | A_BOLD);
	g_free(text);
}

static char *link_domain(const char *link)
{
	const char *p;
	if (!link || !*link)
		return g_strdup("(no link)");
	p = strstr(link, "://");
	p = p ? p + 3 : link;
	return g_strndup(p, strcspn(p, "/:?#"));
}

static void draw_confirm(pw_console *c, publish_wiz *pw, int y)
{
	char *local = pw_time_to_local(pw->scheduled_at);
	char *domain = link_domain(form_value(pw->content, F_LINK));
	const char *when_text = form_value(pw->content, F_WHEN);
	char *when = g_strdup_printf("%s%s", local, *when_text ? "" : "  (now)");
	char *prompt;
	/* The client's own colour, when it has one, so that one client's
	 * confirmation never looks like another's. */
	attr_t a = draw_client_attr(c, pw->client->colour);

	draw_text(c, y++, 2, COLS - 2, "Publish this Pin? Check where it goes.", c->style[PW_EL_HEADING]);
	y++;
	draw_text(c, y++, 2, COLS - 4, "", a);
	confirm_line(c, a, y++, "CLIENT", pw->client->name);
	confirm_line(c, a, y++, "ACCOUNT", pw->username);
	confirm_line(c, a, y++, "BOARD", pw->board_name);
	draw_text(c, y++, 2, COLS - 4, "", a);
	confirm_line(c, a, y++, "IMAGE", form_value(pw->content, F_IMAGE));
	confirm_line(c, a, y++, "LINK DOMAIN", domain);
	confirm_line(c, a, y++, "TITLE", form_value(pw->content, F_TITLE));
	confirm_line(c, a, y++, "WHEN", when);
	draw_text(c, y++, 2, COLS - 4, "", a);
	y++;
	prompt = g_strdup_printf("Type the account's username (%s) and Enter to queue it: ", pw->username);
	{
		int x = draw_text(c, y, 2, COLS - 2, prompt, c->style[PW_EL_NORMAL]);
		int used = draw_text(c, y, 2 + x, COLS - 2 - x, pw->typed->str, c->style[PW_EL_PROMPT]);
		c->cursor_y = y;
		c->cursor_x = 2 + x + used;
	}
	g_free(prompt);
	g_free(when);
	g_free(domain);
	g_free(local);
}

static void publish_draw(pw_console *c, wizard *w)
{
	publish_wiz *pw = (publish_wiz *)w;
	int y = wizard_frame(c, "Publish a Pin", step_names[pw->step]);

	y = draw_target(c, pw, y);
	switch (pw->step) {
	case STEP_CLIENT:
	case STEP_ACCOUNT:
	case STEP_BOARD: {
		char *ask = g_strdup_printf("Choose the %s:", pw->ch->what);
		draw_text(c, y, 2, COLS - 2, ask, c->style[PW_EL_NORMAL]);
		g_free(ask);
		chooser_draw(c, pw->ch, y + 1, LINES - 1 - (y + 1));
		break;
	}
	case STEP_CONTENT:
		form_draw(c, pw->content, y, LINES - 1 - y);
		break;
	case STEP_CONFIRM:
		draw_confirm(c, pw, y);
		break;
	}
}

static const char *publish_keys(pw_console *c, wizard *w)
{
	publish_wiz *pw = (publish_wiz *)w;
	(void)c;
	switch (pw->step) {
	case STEP_CONTENT:
		return "Tab/Down next field  Up previous  Enter on the last field: check  Esc cancel (nothing queued)";
	case STEP_CONFIRM:
		return "type the username  Enter queue  Esc cancel (nothing queued)";
	default:
		return "type to narrow  Up/Down choose  Enter next step  Esc cancel (nothing queued)";
	}
}

static void publish_free(wizard *w)
{
	publish_wiz *pw = (publish_wiz *)w;
	chooser_free(pw->ch);
	form_free(pw->content);
	pw_client_free(pw->client);
	g_free(pw->username);
	g_free(pw->board_name);
	g_free(pw->scheduled_at);
	g_string_free(pw->typed, TRUE);
	g_free(pw);
}

void publish_start(pw_console *c)
{
	publish_wiz *pw = g_new0(publish_wiz, 1);

	pw->base.key = publish_key;
	pw->base.draw = publish_draw;
	pw->base.keys = publish_keys;
	pw->base.free = publish_free;
	pw->typed = g_string_new("");
	/* Nothing from the panes: a new wizard knows nothing. */
	if (!start_step(c, pw, STEP_CLIENT)) {
		publish_free(&pw->base);
		return;
	}
	c->wizard = &pw->base;
}
