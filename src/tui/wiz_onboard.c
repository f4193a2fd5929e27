/* wiz_onboard.c: onboarding a client from the console.
 *
 * One form with the minimum the design asks for (name, the contact who
 * authorizes publishing, the Pinterest accounts expected, the boards in
 * scope, the approved domains) and nothing that could hold a credential:
 * the client approves access later from their own Pinterest login. Each
 * field is checked as it is typed with the functions pw_client_add runs
 * (names, free text, usernames, domain rules), and the two the workspace
 * answers with the services' own checks: whether the name is taken, also
 * in another letter case, and whether an account already belongs to
 * another client. Enter on the
 * last field builds the same pw_client_spec as `pinwarden client add` and
 * calls pw_client_check then pw_client_add, which write the events. Esc
 * ends it with nothing written. */
#include "config.h"

#include <string.h>

#include "tui.h"

#include "pinwarden/accounts.h"
#include "pinwarden/clients.h"
#include "pinwarden/domains.h"
#include "pinwarden/text.h"

enum { F_NAME, F_CONTACT, F_ACCOUNTS, F_BOARDS, F_DOMAINS, F_LINK_ONLY, F_IMAGE_ONLY, F_NOTES };

typedef struct onboard_wiz {
	wizard base;
	form *form;
} onboard_wiz;

/* ---- what was typed, as lists -------------------------------------------- */

/* The non-empty pieces of `v` between any of `separators`, with the
 * spaces around each removed. */
static GPtrArray *split_list(const char *v, const char *separators)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	gchar **parts = g_strsplit_set(v, separators, -1);
	for (gchar **p = parts; *p; p++) {
		g_strstrip(*p);
		if (**p)
			g_ptr_array_add(out, g_strdup(*p));
	}
	g_strfreev(parts);
	return out;
}

/* Usernames and domains hold no space, so either separates them; board
 * names may, so only commas do. */
#define WORD_SEPARATORS ", \t"
#define BOARD_SEPARATORS ","

static GPtrArray *field_list(const form *f, int i)
{
	return split_list(form_value(f, i), i == F_BOARDS ? BOARD_SEPARATORS : WORD_SEPARATORS);
}

/* ---- checks as typed ----------------------------------------------------- */

static char *check_name(pw_console *c, const char *v)
{
	pw_error err = { 0 };
	pw_code rc;

	if (!*v)
		return g_strdup("required: the client's name, as the agency calls it");
	if (pw_text_check_name("client name", v, PW_CLIENT_NAME_MAX, &err) != PW_OK)
		return g_strdup(err.message);
	rc = pw_client_check_name_free(c->store, v, 0, &err);
	return rc == PW_OK ? NULL : g_strdup(err.message);
}

static char *check_accounts(pw_console *c, const char *v)
{
	GPtrArray *list = split_list(v, WORD_SEPARATORS);
	char *problem = NULL;

	for (guint i = 0; !problem && i < list->len; i++) {
		pw_error err = { 0 };
		char *norm = NULL;
		if (pw_username_normalize(g_ptr_array_index(list, i), &norm, &err) != PW_OK)
			problem = g_strdup(err.message);
		else if (pw_account_check_free(c->store, norm, 0, &err) != PW_OK)
			problem = g_strdup(err.message);
		g_free(norm);
	}
	g_ptr_array_unref(list);
	return problem;
}

static char *check_boards(const char *v)
{
	GPtrArray *list = split_list(v, BOARD_SEPARATORS);
	char *problem = NULL;

	for (guint i = 0; !problem && i < list->len; i++) {
		pw_error err = { 0 };
		if (pw_text_check_name("board name", g_ptr_array_index(list, i), PW_BOARD_NAME_MAX, &err) != PW_OK)
			problem = g_strdup(err.message);
	}
	g_ptr_array_unref(list);
	return problem;
}

static char *check_domains(const char *v)
{
	GPtrArray *list = split_list(v, WORD_SEPARATORS);
	char *problem = NULL;

	for (guint k = 0; !problem && k < list->len; k++) {
		pw_error err = { 0 };
		char *norm = NULL;
		/* The service's message names the rule and what is wrong with it. */
		if (pw_domain_normalize(g_ptr_array_index(list, k), &norm, &err) != PW_OK)
			problem = g_strdup(err.message);
		g_free(norm);
	}
	g_ptr_array_unref(list);
	return problem;
}

static bool blank(const char *v)
{
	while (*v && g_ascii_isspace(*v))
		v++;
	return !*v;
}

static char *check_field(pw_console *c, void *ud, int i, const char *v)
{
	pw_error err = { 0 };
	(void)ud;

	switch (i) {
	case F_NAME:
		return check_name(c, v);
	case F_CONTACT:
		/* The command line requires --contact too: without it nobody
		 * can later say who allowed publishing. */
		if (blank(v))
			return g_strdup("required: who at the client authorizes publishing on their accounts");
		return pw_text_check_free("contact", v, PW_CONTACT_MAX, &err) == PW_OK ? NULL : g_strdup(err.message);
	case F_ACCOUNTS:
		return check_accounts(c, v);
	case F_BOARDS:
		return check_boards(v);
	case F_DOMAINS:
	case F_LINK_ONLY:
	case F_IMAGE_ONLY:
		return check_domains(v);
	case F_NOTES:
		return pw_text_check_free("notes", v, PW_NOTES_MAX, &err) == PW_OK ? NULL : g_strdup(err.message);
	default:
		return NULL;
	}
}

/* ---- onboarding ------------------------------------------------------------ */

/* Puts the clients pane's selection on the new client, so that what the
 * operator does next (connect its accounts, look at it) starts there. The
 * pane reads a page starting at the client's key: the pane's order is
 * lower(name) then id (sources.c). */
static void select_client(pw_console *c, sqlite3_int64 id)
{
	pane *p = &c->panes[PANE_CLIENTS];
	sqlite3_stmt *st = NULL;
	pw_error err = { 0 };
	row *key;

	if (pw_store_prepare(c->store, "SELECT lower(name) FROM clients WHERE id = ?1", &st, &err) != PW_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return;
	}
	key = g_new0(row, 1);
	key->sort = g_strdup(pw_col_text(st, 0));
	key->id = id;
	key->state_cell = -1;
	sqlite3_finalize(st);
	g_ptr_array_set_size(p->rows, 0);
	g_ptr_array_add(p->rows, key);
	p->sel = 0;
	/* A filter that hides the new client leaves the selection where the
	 * page puts it; the message names the client either way. */
	if (pane_reload(c, p, &err) != PW_OK)
		pane_reset(c, p, &err);
	c->focus = PANE_CLIENTS;
}

static char *plural(guint n, const char *one, const char *many)
{
	return g_strdup_printf("%u %s", n, n == 1 ? one : many);
}

static bool submit(pw_console *c, onboard_wiz *ow)
{
	form *f = ow->form;
	GPtrArray *both = field_list(f, F_DOMAINS), *link = field_list(f, F_LINK_ONLY);
	GPtrArray *image = field_list(f, F_IMAGE_ONLY), *boards = field_list(f, F_BOARDS);
	GPtrArray *accounts = field_list(f, F_ACCOUNTS);
	const char *notes = form_value(f, F_NOTES);
	pw_client_spec spec;
	pw_client *added = NULL;
	pw_error err = { 0 };
	sqlite3_int64 id = 0;
	bool going = true;

	/* As `client add` does: --domain goes to both lists. */
	for (guint i = 0; i < both->len; i++) {
		g_ptr_array_add(link, g_strdup(g_ptr_array_index(both, i)));
		g_ptr_array_add(image, g_strdup(g_ptr_array_index(both, i)));
	}
	spec = (pw_client_spec){ .name = form_value(f, F_NAME), .contact = form_value(f, F_CONTACT),
		                 .notes = *notes ? notes : NULL, .link_domains = link, .image_domains = image,
		                 .boards = boards, .accounts = accounts };
	if (pw_client_check(&spec, &err) != PW_OK || pw_client_add(c->store, &spec, &id, &err) != PW_OK) {
		/* Someone may have taken the name or an account meanwhile: the
		 * fields say where, and the message what. */
		form_check_all(c, f);
		console_message(c, true, "Not onboarded: %s", err.message);
	} else if (pw_client_get(c->store, id, &added, &err) != PW_OK) {
		console_message(c, true, "Client %s onboarded, but reading it back failed: %s", spec.name, err.message);
		going = false;
	} else {
		char *n_accounts = plural(added->accounts->len, "account expected", "accounts expected");
		char *n_boards = plural(added->boards->len, "board in scope", "boards in scope");
		char *n_link = plural(added->link_domains->len, "link domain", "link domains");
		char *n_image = plural(added->image_domains->len, "image domain", "image domains");
		char *next = added->link_domains->len == 0 && added->image_domains->len == 0
		                 ? g_strdup_printf("No domain is approved yet: nothing can be published for it until one "
		                                   "is (pinwarden client edit '%s' --domain HOST).",
		                                   added->name)
		                 : g_strdup("Next: connect its accounts (C on the accounts pane).");
		console_message(c, false, "Client %s onboarded: %s, %s, %s and %s approved. %s", added->name, n_accounts,
		                n_boards, n_link, n_image, next);
		g_free(next);
		g_free(n_accounts);
		g_free(n_boards);
		g_free(n_link);
		g_free(n_image);
		select_client(c, id);
		going = false;
	}
	pw_client_free(added);
	g_ptr_array_unref(both);
	g_ptr_array_unref(link);
	g_ptr_array_unref(image);
	g_ptr_array_unref(boards);
	g_ptr_array_unref(accounts);
	return going;
}

static bool onboard_key(pw_console *c, wizard *w, int key)
{
	onboard_wiz *ow = (onboard_wiz *)w;

	switch (form_key(c, ow->form, key)) {
	case FORM_SUBMIT:
		return submit(c, ow);
	case FORM_CANCEL:
		console_message(c, false, "Onboarding cancelled: no client was added.");
		return false;
	case FORM_GOING:
		return true;
	}
	return true;
}

static void onboard_draw(pw_console *c, wizard *w)
{
	onboard_wiz *ow = (onboard_wiz *)w;
	int y = wizard_frame(c, "Onboard a client", NULL);

	/* The fields come first when the screen is short. */
	if (LINES - 1 - y >= 2 * (int)ow->form->fields->len + 2) {
		draw_text(c, y, 2, COLS - 2,
		          "Only what publishing needs. The client approves access later, from their own Pinterest login.",
		          c->style[PW_EL_NORMAL]);
		y += 2;
	}
	form_draw(c, ow->form, y, LINES - 1 - y);
}

static const char *onboard_keys(pw_console *c, wizard *w)
{
	(void)c;
	(void)w;
	return "Tab/Down next field  Up previous  Enter on the last field: onboard  Esc cancel (nothing is added)";
}

static void onboard_free(wizard *w)
{
	onboard_wiz *ow = (onboard_wiz *)w;
	form_free(ow->form);
	g_free(ow);
}

void onboard_start(pw_console *c)
{
	onboard_wiz *ow = g_new0(onboard_wiz, 1);
	form *f;

	ow->base.key = onboard_key;
	ow->base.draw = onboard_draw;
	ow->base.keys = onboard_keys;
	ow->base.free = onboard_free;
	ow->form = f = form_new(check_field, NULL);
	form_add(f, "Name", "required; unlike every other client's name, even ignoring letter case", PW_CLIENT_NAME_MAX);
	form_add(f, "Authorized contact", "required: who at the client authorizes publishing (name, e-mail or phone)",
	         PW_CONTACT_MAX);
	form_add(f, "Expected accounts", "Pinterest usernames, as in the profile address; commas or spaces between",
	         0);
	form_add(f, "Boards in scope", "board names, separated by commas (a name may contain spaces)", 0);
	form_add(f, "Link+image domains",
	         "for links and images: exact host, or *.example.com for its subdomains; commas or spaces between", 0);
	form_add(f, "Link-only domains", "approved for links only: exact host, or *.example.com for its subdomains", 0);
	form_add(f, "Image-only domains", "approved for images only: exact host, or *.example.com for its subdomains",
	         0);
	form_add(f, "Notes", "optional", PW_NOTES_MAX);
	c->wizard = &ow->base;
}
