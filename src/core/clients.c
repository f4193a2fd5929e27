#include "config.h"

#include "pinwarden/clients.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pinwarden/accounts.h"
#include "pinwarden/activity.h"
#include "pinwarden/colours.h"
#include "pinwarden/domains.h"
#include "pinwarden/jobs.h"
#include "pinwarden/text.h"
#include "pinwarden/timeutil.h"

void pw_client_free(pw_client *c)
{
	if (!c)
		return;
	g_free(c->name);
	g_free(c->contact);
	g_free(c->notes);
	g_free(c->colour);
	g_free(c->archived_at);
	g_free(c->created_at);
	g_free(c->created_by);
	if (c->link_domains)
		g_ptr_array_unref(c->link_domains);
	if (c->image_domains)
		g_ptr_array_unref(c->image_domains);
	if (c->boards)
		g_ptr_array_unref(c->boards);
	if (c->accounts)
		g_ptr_array_unref(c->accounts);
	g_free(c);
}

/* ---- checking what was typed --------------------------------------- */

static int compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool contains(GPtrArray *list, const char *s)
{
	for (guint i = 0; i < list->len; i++)
		if (strcmp(g_ptr_array_index(list, i), s) == 0)
			return true;
	return false;
}

typedef pw_code (*normalize_fn)(const char *in, char **out, pw_error *err);

static pw_code normalize_board(const char *in, char **out, pw_error *err)
{
	pw_code rc = pw_text_check_name("board name", in, PW_BOARD_NAME_MAX, err);
	*out = rc == PW_OK ? g_strdup(in) : NULL;
	return rc;
}

/* The stored forms of a typed list, without repeats, sorted. */
static pw_code normalize_list(GPtrArray *in, normalize_fn fn, GPtrArray **out, pw_error *err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; in && i < in->len; i++) {
		char *norm;
		pw_code rc = fn(g_ptr_array_index(in, i), &norm, err);
		if (rc != PW_OK) {
			g_ptr_array_unref(list);
			*out = NULL;
			return rc;
		}
		if (contains(list, norm))
			g_free(norm);
		else
			g_ptr_array_add(list, norm);
	}
	g_ptr_array_sort(list, compare_strings);
	*out = list;
	return PW_OK;
}

static cJSON *json_strings(GPtrArray *list)
{
	cJSON *arr = cJSON_CreateArray();
	for (guint i = 0; list && i < list->len; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(g_ptr_array_index(list, i)));
	return arr;
}

/* ---- reading --------------------------------------------------------- */

static pw_code load_strings(pw_store *store, const char *sql, sqlite3_int64 id, GPtrArray **out, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, sql, &st, err);
	GPtrArray *list;
	int src;

	if (rc != PW_OK)
		return rc;
	list = g_ptr_array_new_with_free_func(g_free);
	sqlite3_bind_int64(st, 1, id);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, pw_col_dup(st, 0));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		g_ptr_array_unref(list);
		return pw_store_fail(store, src, "reading a client", err);
	}
	*out = list;
	return PW_OK;
}

#define CLIENT_COLUMNS "id, name, contact, notes, archived, archived_at, created_at, created_by, colour"

static pw_client *read_client(sqlite3_stmt *st)
{
	pw_client *c = g_new0(pw_client, 1);
	c->id = sqlite3_column_int64(st, 0);
	c->name = pw_col_dup(st, 1);
	c->contact = pw_col_dup(st, 2);
	c->notes = pw_col_dup(st, 3);
	c->archived = sqlite3_column_int(st, 4) != 0;
	c->archived_at = pw_col_dup(st, 5);
	c->created_at = pw_col_dup(st, 6);
	c->created_by = pw_col_dup(st, 7);
	c->colour = pw_col_dup(st, 8);
	return c;
}

static pw_code load_lists(pw_store *store, pw_client *c, pw_error *err)
{
	pw_code rc = load_strings(store,
	                          "SELECT domain FROM client_domains WHERE client_id = ?1 AND purpose = 'link' ORDER BY domain",
	                          c->id, &c->link_domains, err);
	if (rc == PW_OK)
		rc = load_strings(store,
		                  "SELECT domain FROM client_domains WHERE client_id = ?1 AND purpose = 'image' ORDER BY domain",
		                  c->id, &c->image_domains, err);
	if (rc == PW_OK)
		rc = load_strings(store, "SELECT name FROM client_boards WHERE client_id = ?1 ORDER BY name",
		                  c->id, &c->boards, err);
	if (rc == PW_OK)
		rc = load_strings(store,
		                  "SELECT expected_username FROM accounts WHERE client_id = ?1 ORDER BY expected_username",
		                  c->id, &c->accounts, err);
	return rc;
}

pw_code pw_client_get(pw_store *store, sqlite3_int64 id, pw_client **out, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, "SELECT " CLIENT_COLUMNS " FROM clients WHERE id = ?1", &st, err);
	pw_client *c = NULL;
	int src;

	*out = NULL;
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		c = read_client(st);
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return pw_store_fail(store, src, "reading a client", err);
	if (!c)
		return pw_fail(err, PW_E_NOT_FOUND, "there is no client with id %lld", (long long)id);
	rc = load_lists(store, c, err);
	if (rc != PW_OK) {
		pw_client_free(c);
		return rc;
	}
	*out = c;
	return PW_OK;
}

static pw_code all_names(pw_store *store, GPtrArray **out, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, "SELECT name FROM clients ORDER BY name", &st, err);
	GPtrArray *names;
	int src;

	if (rc != PW_OK)
		return rc;
	names = g_ptr_array_new_with_free_func(g_free);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(names, pw_col_dup(st, 0));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		g_ptr_array_unref(names);
		return pw_store_fail(store, src, "reading the client names", err);
	}
	*out = names;
	return PW_OK;
}

pw_code pw_client_find(pw_store *store, const char *name, pw_client **out, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, "SELECT id FROM clients WHERE name = ?1", &st, err);
	sqlite3_int64 id = 0;
	int src;

	*out = NULL;
	if (rc != PW_OK)
		return rc;
	pw_bind_text(st, 1, name);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return pw_store_fail(store, src, "finding the client", err);
	if (id == 0) {
		GPtrArray *names = NULL;
		char *close;
		rc = all_names(store, &names, err);
		if (rc != PW_OK)
			return rc;
		close = pw_text_close_matches(name, names, 5);
		g_ptr_array_unref(names);
		if (close)
			pw_fail(err, PW_E_NOT_FOUND, "there is no client named '%s'; did you mean %s? Names must match exactly",
			        name, close);
		else
			pw_fail(err, PW_E_NOT_FOUND, "there is no client named '%s'; 'pinwarden client list' shows them",
			        name);
		g_free(close);
		return PW_E_NOT_FOUND;
	}
	return pw_client_get(store, id, out, err);
}

pw_code pw_client_list(pw_store *store, bool include_archived, GPtrArray **out, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store,
	                              "SELECT " CLIENT_COLUMNS " FROM clients WHERE ?1 OR archived = 0 ORDER BY name",
	                              &st, err);
	GPtrArray *list;
	int src;

	*out = NULL;
	if (rc != PW_OK)
		return rc;
	list = g_ptr_array_new_with_free_func((GDestroyNotify)pw_client_free);
	sqlite3_bind_int(st, 1, include_archived);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, read_client(st));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		g_ptr_array_unref(list);
		return pw_store_fail(store, src, "listing the clients", err);
	}
	for (guint i = 0; i < list->len; i++) {
		rc = load_lists(store, g_ptr_array_index(list, i), err);
		if (rc != PW_OK) {
			g_ptr_array_unref(list);
			return rc;
		}
	}
	*out = list;
	return PW_OK;
}

/* ---- writing --------------------------------------------------------- */

/* Refuses a name that equals another client's ignoring case: two clients
 * told apart only by capitals invite exactly the wrong-client mistake. */
pw_code pw_client_check_name_free(pw_store *store, const char *name, sqlite3_int64 except_id, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, "SELECT id, name FROM clients", &st, err);
	char *want;
	int src;

	if (rc != PW_OK)
		return rc;
	want = g_utf8_casefold(name, -1);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		char *have = g_utf8_casefold(pw_col_text(st, 1), -1);
		bool same = strcmp(have, want) == 0 && sqlite3_column_int64(st, 0) != except_id;
		g_free(have);
		if (same) {
			if (strcmp(pw_col_text(st, 1), name) == 0)
				rc = pw_fail(err, PW_E_EXISTS, "a client named '%s' already exists; choose another name", name);
			else
				rc = pw_fail(err, PW_E_EXISTS,
				             "a client named '%s' already exists, and names that differ only in letter case "
				             "are refused; choose a clearly different name",
				             pw_col_text(st, 1));
			break;
		}
	}
	g_free(want);
	sqlite3_finalize(st);
	if (rc == PW_OK && src != SQLITE_DONE)
		return pw_store_fail(store, src, "checking the client name", err);
	return rc;
}

static pw_code exec_bound(pw_store *store, const char *sql, sqlite3_int64 id, const char *a, const char *b,
                          const char *doing, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, sql, &st, err);
	int src;

	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (a)
		pw_bind_text(st, 2, a);
	if (b)
		pw_bind_text(st, 3, b);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? PW_OK : pw_store_fail(store, src, doing, err);
}

static pw_code add_domains(pw_store *store, sqlite3_int64 id, const char *purpose, GPtrArray *domains, pw_error *err)
{
	for (guint i = 0; domains && i < domains->len; i++) {
		pw_code rc = exec_bound(store,
		                        "INSERT OR IGNORE INTO client_domains (client_id, purpose, domain) VALUES (?1, ?2, ?3)",
		                        id, purpose, g_ptr_array_index(domains, i), "recording an approved domain", err);
		if (rc != PW_OK)
			return rc;
	}
	return PW_OK;
}

static pw_code add_boards(pw_store *store, sqlite3_int64 id, GPtrArray *boards, pw_error *err)
{
	for (guint i = 0; boards && i < boards->len; i++) {
		pw_code rc = exec_bound(store, "INSERT OR IGNORE INTO client_boards (client_id, name) VALUES (?1, ?2)",
		                        id, g_ptr_array_index(boards, i), NULL, "recording a board in scope", err);
		if (rc != PW_OK)
			return rc;
	}
	return PW_OK;
}

static pw_code add_accounts(pw_store *store, sqlite3_int64 id, const char *client_name, GPtrArray *accounts,
                            pw_error *err)
{
	for (guint i = 0; accounts && i < accounts->len; i++) {
		pw_code rc = pw_account_expect(store, id, client_name, g_ptr_array_index(accounts, i), NULL, err);
		if (rc != PW_OK)
			return rc;
	}
	return PW_OK;
}

typedef struct typed_lists {
	GPtrArray *link, *image, *remove, *boards, *remove_boards, *accounts;
} typed_lists;

static void typed_lists_clear(typed_lists *t)
{
	GPtrArray **all[] = { &t->link, &t->image, &t->remove, &t->boards, &t->remove_boards, &t->accounts };
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
		if (*all[i]) {
			g_ptr_array_unref(*all[i]);
			*all[i] = NULL;
		}
}

static pw_code normalize_all(typed_lists *t, GPtrArray *link, GPtrArray *image, GPtrArray *remove,
                             GPtrArray *boards, GPtrArray *remove_boards, GPtrArray *accounts, pw_error *err)
{
	pw_code rc;
	memset(t, 0, sizeof *t);
	if ((rc = normalize_list(link, pw_domain_normalize, &t->link, err)) != PW_OK ||
	    (rc = normalize_list(image, pw_domain_normalize, &t->image, err)) != PW_OK ||
	    (rc = normalize_list(remove, pw_domain_normalize, &t->remove, err)) != PW_OK ||
	    (rc = normalize_list(boards, normalize_board, &t->boards, err)) != PW_OK ||
	    (rc = normalize_list(remove_boards, normalize_board, &t->remove_boards, err)) != PW_OK ||
	    (rc = normalize_list(accounts, pw_username_normalize, &t->accounts, err)) != PW_OK)
		typed_lists_clear(t);
	return rc;
}

static pw_code check_texts(const char *name, const char *contact, const char *notes, pw_error *err)
{
	pw_code rc = PW_OK;
	if (name)
		rc = pw_text_check_name("client name", name, PW_CLIENT_NAME_MAX, err);
	if (rc == PW_OK && contact)
		rc = pw_text_check_free("contact", contact, PW_CONTACT_MAX, err);
	if (rc == PW_OK && notes)
		rc = pw_text_check_free("notes", notes, PW_NOTES_MAX, err);
	return rc;
}

/* A colour name as themes write it, lower-cased into *out (NULL for none
 * or "none" when `none_ok`). */
static pw_code check_colour(const char *colour, bool none_ok, char **out, pw_error *err)
{
	short n;
	*out = NULL;
	if (!colour || !*colour || (none_ok && g_ascii_strcasecmp(colour, "none") == 0))
		return PW_OK;
	if (!g_utf8_validate(colour, -1, NULL) || !pw_colour_parse(colour, &n) || n == PW_COLOUR_DEFAULT)
		return pw_fail(err, PW_E_INVALID, "'%s' is not a colour for a client: %s%s", colour,
		               PW_COLOURS_HELP + strlen("use default, "), none_ok ? " (none takes it away)" : "");
	*out = g_ascii_strdown(colour, -1);
	return PW_OK;
}

pw_code pw_client_check(const pw_client_spec *spec, pw_error *err)
{
	typed_lists t;
	char *colour = NULL;
	pw_code rc = check_texts(spec->name, spec->contact ? spec->contact : "", spec->notes, err);
	if (rc == PW_OK)
		rc = check_colour(spec->colour, false, &colour, err);
	g_free(colour);
	if (rc == PW_OK)
		rc = normalize_all(&t, spec->link_domains, spec->image_domains, NULL, spec->boards, NULL,
		                   spec->accounts, err);
	if (rc == PW_OK)
		typed_lists_clear(&t);
	return rc;
}

pw_code pw_client_add(pw_store *store, const pw_client_spec *spec, sqlite3_int64 *id_out, pw_error *err)
{
	typed_lists t;
	sqlite3_stmt *st;
	sqlite3_int64 id = 0;
	char now[PW_TIME_LEN];
	char *colour = NULL;
	pw_code rc;
	int src;

	rc = check_texts(spec->name, spec->contact ? spec->contact : "", spec->notes, err);
	if (rc == PW_OK)
		rc = check_colour(spec->colour, false, &colour, err);
	if (rc != PW_OK)
		return rc;
	rc = normalize_all(&t, spec->link_domains, spec->image_domains, NULL, spec->boards, NULL, spec->accounts, err);
	if (rc != PW_OK) {
		g_free(colour);
		return rc;
	}
	rc = pw_store_begin(store, err);
	if (rc != PW_OK)
		goto done;
	rc = pw_client_check_name_free(store, spec->name, 0, err);
	if (rc != PW_OK)
		goto fail;

	pw_time_now(now);
	rc = pw_store_prepare(store,
	                      "INSERT INTO clients (name, contact, notes, created_at, created_by, colour)"
	                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                      &st, err);
	if (rc != PW_OK)
		goto fail;
	pw_bind_text(st, 1, spec->name);
	pw_bind_text(st, 2, spec->contact ? spec->contact : "");
	pw_bind_text(st, 3, spec->notes ? spec->notes : "");
	pw_bind_text(st, 4, now);
	pw_bind_text(st, 5, pw_store_operator(store)->name);
	pw_bind_text(st, 6, colour);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = pw_store_fail(store, src, "adding the client", err);
		goto fail;
	}
	id = sqlite3_last_insert_rowid(pw_store_db(store));

	if ((rc = add_domains(store, id, "link", t.link, err)) != PW_OK ||
	    (rc = add_domains(store, id, "image", t.image, err)) != PW_OK ||
	    (rc = add_boards(store, id, t.boards, err)) != PW_OK)
		goto fail;

	{
		cJSON *d = cJSON_CreateObject();
		char *msg = g_strdup_printf("client '%s' onboarded", spec->name);
		pw_event ev = { .kind = "client.add", .client_id = id, .message = msg, .details = d };
		cJSON_AddStringToObject(d, "name", spec->name);
		cJSON_AddStringToObject(d, "contact", spec->contact ? spec->contact : "");
		cJSON_AddItemToObject(d, "link_domains", json_strings(t.link));
		cJSON_AddItemToObject(d, "image_domains", json_strings(t.image));
		cJSON_AddItemToObject(d, "boards", json_strings(t.boards));
		cJSON_AddItemToObject(d, "expected_accounts", json_strings(t.accounts));
		if (colour)
			cJSON_AddStringToObject(d, "colour", colour);
		rc = pw_log_append(store, &ev, NULL, err);
		cJSON_Delete(d);
		g_free(msg);
		if (rc != PW_OK)
			goto fail;
	}
	/* After the client's own event, so the log reads in order. */
	rc = add_accounts(store, id, spec->name, t.accounts, err);
	if (rc != PW_OK)
		goto fail;
	rc = pw_store_commit(store, err);
	if (rc == PW_OK && id_out)
		*id_out = id;
	goto done;
fail:
	pw_store_rollback(store);
done:
	typed_lists_clear(&t);
	g_free(colour);
	return rc;
}

static void note_change(cJSON *changes, const char *field, const char *from, const char *to)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "from", from);
	cJSON_AddStringToObject(c, "to", to);
	cJSON_AddItemToObject(changes, field, c);
}

static pw_code set_field(pw_store *store, sqlite3_int64 id, const char *column, const char *value, pw_error *err)
{
	/* column comes from this file only, never from input. */
	char *sql = g_strdup_printf("UPDATE clients SET %s = ?2 WHERE id = ?1", column);
	pw_code rc = exec_bound(store, sql, id, value, NULL, "changing the client", err);
	g_free(sql);
	return rc;
}

static pw_code remove_listed(pw_store *store, sqlite3_int64 id, const char *sql, GPtrArray *have_a, GPtrArray *have_b,
                             GPtrArray *items, const char *what, pw_error *err)
{
	for (guint i = 0; items && i < items->len; i++) {
		const char *item = g_ptr_array_index(items, i);
		pw_code rc;
		if (!contains(have_a, item) && !(have_b && contains(have_b, item)))
			return pw_fail(err, PW_E_NOT_FOUND, "'%s' is not among the client's %s; 'pinwarden client show' lists them",
			               item, what);
		rc = exec_bound(store, sql, id, item, NULL, "removing from the client", err);
		if (rc != PW_OK)
			return rc;
	}
	return PW_OK;
}

pw_code pw_client_update(pw_store *store, const char *name, const pw_client_edit *e, pw_error *err)
{
	typed_lists t;
	pw_client *c = NULL;
	cJSON *changes = NULL;
	char *colour = NULL;
	pw_code rc;

	rc = check_texts(e->name, e->contact, e->notes, err);
	if (rc == PW_OK)
		rc = check_colour(e->colour, true, &colour, err);
	if (rc != PW_OK)
		return rc;
	rc = normalize_all(&t, e->add_link_domains, e->add_image_domains, e->remove_domains, e->add_boards,
	                   e->remove_boards, e->add_accounts, err);
	if (rc != PW_OK) {
		g_free(colour);
		return rc;
	}
	rc = pw_store_begin(store, err);
	if (rc != PW_OK)
		goto done;
	rc = pw_client_find(store, name, &c, err);
	if (rc != PW_OK)
		goto fail;
	if (c->archived) {
		rc = pw_fail(err, PW_E_CONFLICT, "client '%s' is archived; an archived client cannot be changed", name);
		goto fail;
	}

	changes = cJSON_CreateObject();
	if (e->name && strcmp(e->name, c->name) != 0) {
		if ((rc = pw_client_check_name_free(store, e->name, c->id, err)) != PW_OK ||
		    (rc = set_field(store, c->id, "name", e->name, err)) != PW_OK)
			goto fail;
		note_change(changes, "name", c->name, e->name);
	}
	if (e->contact && strcmp(e->contact, c->contact) != 0) {
		if ((rc = set_field(store, c->id, "contact", e->contact, err)) != PW_OK)
			goto fail;
		note_change(changes, "contact", c->contact, e->contact);
	}
	if (e->notes && strcmp(e->notes, c->notes) != 0) {
		if ((rc = set_field(store, c->id, "notes", e->notes, err)) != PW_OK)
			goto fail;
		cJSON_AddBoolToObject(changes, "notes", 1);
	}
	if (e->colour && g_strcmp0(colour, c->colour) != 0) {
		if ((rc = set_field(store, c->id, "colour", colour, err)) != PW_OK)
			goto fail;
		note_change(changes, "colour", c->colour ? c->colour : "none", colour ? colour : "none");
	}
	if ((rc = remove_listed(store, c->id, "DELETE FROM client_domains WHERE client_id = ?1 AND domain = ?2",
	                        c->link_domains, c->image_domains, t.remove, "approved domains", err)) != PW_OK ||
	    (rc = remove_listed(store, c->id, "DELETE FROM client_boards WHERE client_id = ?1 AND name = ?2",
	                        c->boards, NULL, t.remove_boards, "boards in scope", err)) != PW_OK ||
	    (rc = add_domains(store, c->id, "link", t.link, err)) != PW_OK ||
	    (rc = add_domains(store, c->id, "image", t.image, err)) != PW_OK ||
	    (rc = add_boards(store, c->id, t.boards, err)) != PW_OK)
		goto fail;
	{
		static const char *const keys[] = { "removed_domains", "added_link_domains", "added_image_domains",
		                                    "removed_boards", "added_boards" };
		GPtrArray *lists[] = { t.remove, t.link, t.image, t.remove_boards, t.boards };
		for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
			if (lists[i]->len)
				cJSON_AddItemToObject(changes, keys[i], json_strings(lists[i]));
	}
	if (cJSON_GetArraySize(changes) == 0 && t.accounts->len == 0) {
		rc = pw_fail(err, PW_E_INVALID, "nothing to change for client '%s': everything given is already so", name);
		goto fail;
	}
	if (cJSON_GetArraySize(changes) > 0) {
		const char *shown = e->name ? e->name : c->name;
		char *msg = g_strdup_printf("client '%s' changed", shown);
		pw_event ev = { .kind = "client.edit", .client_id = c->id, .message = msg, .details = changes };
		rc = pw_log_append(store, &ev, NULL, err);
		g_free(msg);
		if (rc != PW_OK)
			goto fail;
	}
	rc = add_accounts(store, c->id, e->name ? e->name : c->name, t.accounts, err);
	if (rc != PW_OK)
		goto fail;
	rc = pw_store_commit(store, err);
	goto done;
fail:
	pw_store_rollback(store);
done:
	cJSON_Delete(changes);
	g_free(colour);
	pw_client_free(c);
	typed_lists_clear(&t);
	return rc;
}

pw_code pw_client_archive(pw_store *store, const char *name, pw_error *err)
{
	pw_client *c = NULL;
	sqlite3_int64 waiting = 0;
	char now[PW_TIME_LEN];
	pw_code rc = pw_store_begin(store, err);

	if (rc != PW_OK)
		return rc;
	rc = pw_client_find(store, name, &c, err);
	if (rc != PW_OK)
		goto fail;
	if (c->archived) {
		rc = pw_fail(err, PW_E_CONFLICT, "client '%s' is already archived (since %s)", name, c->archived_at);
		goto fail;
	}
	rc = pw_job_count_waiting(store, c->id, &waiting, err);
	if (rc != PW_OK)
		goto fail;
	if (waiting > 0) {
		rc = pw_fail(err, PW_E_CONFLICT,
		             "client '%s' still has %lld job(s) waiting to be published; cancel them first "
		             "('pinwarden job list --client NAME' shows them)",
		             name, (long long)waiting);
		goto fail;
	}
	pw_time_now(now);
	rc = exec_bound(store, "UPDATE clients SET archived = 1, archived_at = ?2 WHERE id = ?1", c->id, now, NULL,
	                "archiving the client", err);
	if (rc != PW_OK)
		goto fail;
	{
		char *msg = g_strdup_printf("client '%s' archived", c->name);
		pw_event ev = { .kind = "client.archive", .client_id = c->id, .message = msg };
		rc = pw_log_append(store, &ev, NULL, err);
		g_free(msg);
		if (rc != PW_OK)
			goto fail;
	}
	rc = pw_store_commit(store, err);
	pw_client_free(c);
	return rc;
fail:
	pw_store_rollback(store);
	pw_client_free(c);
	return rc;
}
