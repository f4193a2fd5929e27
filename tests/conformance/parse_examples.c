/* parse_examples: runs pinwarden's parsers over example response bodies.
 *
 *     parse_examples FILE...
 *
 * Each FILE is named <parser>-<n>.json (as tests/conformance/examples.py
 * writes them), where <parser> is tokens, user_account, board_page,
 * section_page, pin_page or pin. Prints TAP: one line per file, "ok" when
 * the parser accepts the body, "not ok ... # the parser's message"
 * otherwise, with what was read as diagnostics. Everything is freed, so
 * that the sanitizer build catches a leak in a parser. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "pinwarden/pinterest.h"
#include "pinwarden/pinterest_parse.h"

static const char *or_null(const char *s)
{
	return s ? s : "(null)";
}

/* The parser's name: the file's base name up to its first '-'. */
static char *parser_of(const char *path)
{
	char *base = g_path_get_basename(path);
	char *dash = strchr(base, '-');
	if (dash)
		*dash = '\0';
	return base;
}

static pw_code run_page(const char *kind, const char *body, size_t len, pw_error *err, GString *diag)
{
	GPtrArray *items;
	char *bookmark = NULL;
	pw_code rc;

	if (strcmp(kind, "board_page") == 0) {
		items = g_ptr_array_new_with_free_func((GDestroyNotify)pw_api_board_free);
		rc = pw_parse_board_page(body, len, items, &bookmark, err);
		for (guint i = 0; rc == PW_OK && i < items->len; i++) {
			const pw_api_board *b = g_ptr_array_index(items, i);
			g_string_append_printf(diag, "# board id=%s name=%s privacy=%s owner=%s pins=%" G_GINT64_FORMAT "\n",
			                       or_null(b->id), or_null(b->name), or_null(b->privacy),
			                       or_null(b->owner_username), b->pin_count);
		}
	} else if (strcmp(kind, "section_page") == 0) {
		items = g_ptr_array_new_with_free_func((GDestroyNotify)pw_api_section_free);
		rc = pw_parse_section_page(body, len, items, &bookmark, err);
		for (guint i = 0; rc == PW_OK && i < items->len; i++) {
			const pw_api_section *s = g_ptr_array_index(items, i);
			g_string_append_printf(diag, "# section id=%s name=%s\n", or_null(s->id), or_null(s->name));
		}
	} else {
		items = g_ptr_array_new_with_free_func((GDestroyNotify)pw_api_pin_free);
		rc = pw_parse_pin_page(body, len, items, &bookmark, err);
		for (guint i = 0; rc == PW_OK && i < items->len; i++) {
			const pw_api_pin *p = g_ptr_array_index(items, i);
			g_string_append_printf(diag, "# pin id=%s media_type=%s image=%s\n", or_null(p->id),
			                       or_null(p->media_type), or_null(p->image_url));
		}
	}
	if (rc == PW_OK)
		g_string_append_printf(diag, "# %u item(s), bookmark=%s\n", items->len, or_null(bookmark));
	g_free(bookmark);
	g_ptr_array_unref(items);
	return rc;
}

static pw_code run_one(const char *kind, const char *body, size_t len, pw_error *err, GString *diag)
{
	pw_code rc;

	if (strcmp(kind, "tokens") == 0) {
		pw_tokens t;
		rc = pw_parse_tokens(body, len, &t, err);
		if (rc == PW_OK)
			g_string_append_printf(diag, "# token_type=%s expires_in=%" G_GINT64_FORMAT " refresh_token=%s\n",
			                       or_null(t.token_type), t.expires_in, t.refresh_token ? "present" : "absent");
		pw_tokens_clear(&t);
	} else if (strcmp(kind, "user_account") == 0) {
		pw_user_account u;
		rc = pw_parse_user_account(body, len, &u, err);
		if (rc == PW_OK)
			g_string_append_printf(diag, "# username=%s id=%s account_type=%s\n", or_null(u.username),
			                       or_null(u.id), or_null(u.account_type));
		pw_user_account_clear(&u);
	} else if (strcmp(kind, "pin") == 0) {
		pw_api_pin p;
		rc = pw_parse_pin(body, len, &p, err);
		if (rc == PW_OK)
			g_string_append_printf(diag, "# pin id=%s media_type=%s image=%s\n", or_null(p.id),
			                       or_null(p.media_type), or_null(p.image_url));
		pw_api_pin_clear(&p);
	} else if (strcmp(kind, "board_page") == 0 || strcmp(kind, "section_page") == 0 ||
	           strcmp(kind, "pin_page") == 0) {
		rc = run_page(kind, body, len, err, diag);
	} else {
		rc = pw_fail(err, PW_E_INVALID, "no parser named '%s' (the file name must start with tokens-, "
		             "user_account-, board_page-, section_page-, pin_page- or pin-)", kind);
	}
	return rc;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	printf("1..%d\n", argc - 1);
	for (int i = 1; i < argc; i++) {
		pw_error err = { 0 };
		GError *gerr = NULL;
		GString *diag = g_string_new(NULL);
		char *kind = parser_of(argv[i]);
		char *body = NULL;
		gsize len = 0;
		pw_code rc;

		if (!g_file_get_contents(argv[i], &body, &len, &gerr)) {
			rc = pw_fail(&err, PW_E_IO, "cannot read it: %s", gerr->message);
			g_error_free(gerr);
		} else {
			rc = run_one(kind, body, len, &err, diag);
		}
		if (rc == PW_OK) {
			printf("ok %d - %s (%s)\n%s", i, argv[i], kind, diag->str);
		} else {
			failed++;
			printf("not ok %d - %s (%s) # %s\n", i, argv[i], kind, err.message);
		}
		g_free(body);
		g_free(kind);
		g_string_free(diag, TRUE);
	}
	return failed ? 1 : 0;
}
