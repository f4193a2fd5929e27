#include "config.h"

#include "pinwarden/accounts.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "pinwarden/activity.h"
#include "pinwarden/jobs.h"
#include "pinwarden/text.h"
#include "pinwarden/timeutil.h"

void pw_account_free(pw_account *a)
{
	if (!a)
		return;
	g_free(a->client_name);
	g_free(a->expected_username);
	g_free(a->username);
	g_free(a->pinterest_user_id);
	g_free(a->account_type);
	g_free(a->state);
	g_free(a->state_reason);
	g_free(a->scopes);
	g_free(a->access_expires_at);
	g_free(a->refresh_expires_at);
	g_free(a->connected_by);
	g_free(a->connected_at);
	g_free(a->verified_at);
	g_free(a->created_at);
	g_free(a);
}

pw_code pw_account_check_free(pw_store *store, const char *username, sqlite3_int64 client_id, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc;
	int src;

	/* One Pinterest account belongs to one client: a second claim on it is
	 * how Pins end up on the wrong client's account. */
	rc = pw_store_prepare(store,
	                      "SELECT c.name, a.client_id FROM accounts a JOIN clients c ON c.id = a.client_id"
	                      " WHERE (a.expected_username = ?1 OR a.username = ?1) AND a.state <> 'disconnected'",
	                      &st, err);
	if (rc != PW_OK)
		return rc;
	pw_bind_text(st, 1, username);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 1) == client_id)
			rc = pw_fail(err, PW_E_EXISTS, "the account '%s' is already expected for client '%s'",
			             username, pw_col_text(st, 0));
		else
			rc = pw_fail(err, PW_E_EXISTS,
			             "the Pinterest account '%s' already belongs to client '%s'; one account serves one "
			             "client. Offboard it there first if it has changed hands",
			             username, pw_col_text(st, 0));
	} else if (src != SQLITE_DONE) {
		rc = pw_store_fail(store, src, "checking the account", err);
	}
	sqlite3_finalize(st);
	return rc;
}

pw_code pw_account_expect(pw_store *store, sqlite3_int64 client_id, const char *client_name,
                          const char *username, sqlite3_int64 *id_out, pw_error *err)
{
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	sqlite3_int64 id;
	pw_code rc;
	int src;

	rc = pw_account_check_free(store, username, client_id, err);
	if (rc != PW_OK)
		return rc;

	pw_time_now(now);
	rc = pw_store_prepare(store,
	                      "INSERT INTO accounts (client_id, expected_username, state, created_at)"
	                      " VALUES (?1, ?2, 'expected', ?3)",
	                      &st, err);
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	pw_bind_text(st, 2, username);
	pw_bind_text(st, 3, now);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return pw_store_fail(store, src, "recording the expected account", err);
	id = sqlite3_last_insert_rowid(pw_store_db(store));
	if (id_out)
		*id_out = id;
	{
		cJSON *d = cJSON_CreateObject();
		char *msg = g_strdup_printf("account '%s' expected for client '%s'", username, client_name);
		pw_event ev = { .kind = "account.expect", .client_id = client_id, .account_id = id,
		                .message = msg, .details = d };
		cJSON_AddStringToObject(d, "expected_username", username);
		rc = pw_log_append(store, &ev, NULL, err);
		cJSON_Delete(d);
		g_free(msg);
	}
	return rc;
}

#define ACCOUNT_QUERY \
	"SELECT a.id, a.client_id, c.name, a.expected_username, a.username, a.pinterest_user_id," \
	" a.account_type, a.state, a.state_reason, a.scopes, a.access_expires_at, a.refresh_expires_at," \
	" a.connected_by, a.connected_at, a.verified_at, a.created_at," \
	" (SELECT count(*) FROM boards b WHERE b.account_id = a.id AND b.in_scope)," \
	" (SELECT count(*) FROM jobs j WHERE j.account_id = a.id" \
	"   AND j.state IN " PW_JOB_WAITING_SQL ")" \
	" FROM accounts a JOIN clients c ON c.id = a.client_id"

static pw_account *read_account(sqlite3_stmt *st)
{
	pw_account *a = g_new0(pw_account, 1);
	a->id = sqlite3_column_int64(st, 0);
	a->client_id = sqlite3_column_int64(st, 1);
	a->client_name = pw_col_dup(st, 2);
	a->expected_username = pw_col_dup(st, 3);
	a->username = pw_col_dup(st, 4);
	a->pinterest_user_id = pw_col_dup(st, 5);
	a->account_type = pw_col_dup(st, 6);
	a->state = pw_col_dup(st, 7);
	a->state_reason = pw_col_dup(st, 8);
	a->scopes = pw_col_dup(st, 9);
	a->access_expires_at = pw_col_dup(st, 10);
	a->refresh_expires_at = pw_col_dup(st, 11);
	a->connected_by = pw_col_dup(st, 12);
	a->connected_at = pw_col_dup(st, 13);
	a->verified_at = pw_col_dup(st, 14);
	a->created_at = pw_col_dup(st, 15);
	a->boards_in_scope = sqlite3_column_int64(st, 16);
	a->jobs_waiting = sqlite3_column_int64(st, 17);
	return a;
}

static pw_code collect(pw_store *store, sqlite3_stmt *st, GPtrArray **out, pw_error *err)
{
	GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)pw_account_free);
	int src;

	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, read_account(st));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		g_ptr_array_unref(list);
		*out = NULL;
		return pw_store_fail(store, src, "reading the accounts", err);
	}
	*out = list;
	return PW_OK;
}

pw_code pw_account_list(pw_store *store, sqlite3_int64 client_id, GPtrArray **out, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store,
	                              ACCOUNT_QUERY " WHERE ?1 IS NULL OR a.client_id = ?1"
	                                            " ORDER BY c.name, a.expected_username",
	                              &st, err);
	if (rc != PW_OK)
		return rc;
	pw_bind_id(st, 1, client_id);
	return collect(store, st, out, err);
}

pw_code pw_account_get(pw_store *store, sqlite3_int64 id, pw_account **out, pw_error *err)
{
	GPtrArray *found = NULL;
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, ACCOUNT_QUERY " WHERE a.id = ?1", &st, err);

	*out = NULL;
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = collect(store, st, &found, err);
	if (rc != PW_OK)
		return rc;
	if (found->len == 1)
		*out = g_ptr_array_steal_index(found, 0);
	g_ptr_array_unref(found);
	return *out ? PW_OK : pw_fail(err, PW_E_NOT_FOUND, "there is no account with id %lld", (long long)id);
}

pw_code pw_account_find(pw_store *store, const char *username, sqlite3_int64 client_id,
                        pw_account **out, pw_error *err)
{
	const char *name = username[0] == '@' ? username + 1 : username;
	GPtrArray *found = NULL;
	sqlite3_stmt *st;
	pw_code rc;

	*out = NULL;
	rc = pw_store_prepare(store,
	                      ACCOUNT_QUERY " WHERE (a.expected_username = ?1 OR a.username = ?1)"
	                                    " AND (?2 IS NULL OR a.client_id = ?2) ORDER BY c.name",
	                      &st, err);
	if (rc != PW_OK)
		return rc;
	pw_bind_text(st, 1, name);
	pw_bind_id(st, 2, client_id);
	rc = collect(store, st, &found, err);
	if (rc != PW_OK)
		return rc;

	if (found->len == 1) {
		*out = g_ptr_array_steal_index(found, 0);
	} else if (found->len > 1) {
		GString *clients = g_string_new(NULL);
		for (guint i = 0; i < found->len; i++) {
			pw_account *a = g_ptr_array_index(found, i);
			g_string_append_printf(clients, "%s'%s' (%s)", i ? ", " : "", a->client_name, a->state);
		}
		rc = pw_fail(err, PW_E_AMBIGUOUS,
		             "the account '%s' exists for several clients: %s; say which with --client", name,
		             clients->str);
		g_string_free(clients, TRUE);
	} else {
		GPtrArray *all = NULL, *names;
		char *close;
		rc = pw_account_list(store, client_id, &all, err);
		if (rc == PW_OK) {
			names = g_ptr_array_new();
			for (guint i = 0; i < all->len; i++)
				g_ptr_array_add(names, ((pw_account *)g_ptr_array_index(all, i))->expected_username);
			close = pw_text_close_matches(name, names, 5);
			if (close)
				rc = pw_fail(err, PW_E_NOT_FOUND, "there is no account '%s'%s; did you mean %s?", name,
				             client_id ? " for that client" : "", close);
			else
				rc = pw_fail(err, PW_E_NOT_FOUND, "there is no account '%s'%s; 'pinwarden account list' shows them",
				             name, client_id ? " for that client" : "");
			g_free(close);
			g_ptr_array_unref(names);
			g_ptr_array_unref(all);
		}
	}
	g_ptr_array_unref(found);
	return rc;
}
