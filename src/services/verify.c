#include "config.h"

#include "pinwarden/verify.h"

#include <stdarg.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pinwarden/accounts.h"
#include "pinwarden/activity.h"
#include "pinwarden/jobs.h"
#include "pinwarden/timeutil.h"
#include "pinwarden/tokens.h"

void pw_verify_report_clear(pw_verify_report *r)
{
	if (!r)
		return;
	if (r->checks)
		g_ptr_array_unref(r->checks);
	g_free(r->state);
	memset(r, 0, sizeof *r);
}

/* Records the boards Pinterest listed, marks those whose names are in
 * the client's scope, and takes the others out of scope. */
static pw_code sync_boards(pw_store *store, gint64 account_id, gint64 client_id, GPtrArray *boards, pw_error *err)
{
	sqlite3_stmt *st = NULL;
	char now[PW_TIME_LEN];
	pw_code rc = pw_store_begin(store, err);
	int src = SQLITE_DONE;

	if (rc != PW_OK)
		return rc;
	pw_time_now(now);
	rc = pw_store_prepare(store,
	                      "INSERT INTO boards (account_id, pinterest_id, name, privacy, in_scope, synced_at)"
	                      " VALUES (?1, ?2, ?3, ?4,"
	                      "  EXISTS (SELECT 1 FROM client_boards cb WHERE cb.client_id = ?5 AND cb.name = ?3), ?6)"
	                      " ON CONFLICT (account_id, pinterest_id) DO UPDATE SET name = excluded.name,"
	                      "  privacy = excluded.privacy, in_scope = excluded.in_scope, synced_at = excluded.synced_at",
	                      &st, err);
	for (guint i = 0; rc == PW_OK && i < boards->len; i++) {
		pw_api_board *b = g_ptr_array_index(boards, i);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, account_id);
		pw_bind_text(st, 2, b->id);
		pw_bind_text(st, 3, b->name);
		pw_bind_text(st, 4, b->privacy);
		sqlite3_bind_int64(st, 5, client_id);
		pw_bind_text(st, 6, now);
		src = sqlite3_step(st);
		if (src != SQLITE_DONE)
			rc = pw_store_fail(store, src, "recording the boards", err);
	}
	sqlite3_finalize(st);
	if (rc == PW_OK)
		rc = pw_store_prepare(store, "UPDATE boards SET in_scope = 0 WHERE account_id = ?1 AND synced_at IS NOT ?2", &st,
		                      err);
	if (rc == PW_OK) {
		sqlite3_bind_int64(st, 1, account_id);
		pw_bind_text(st, 2, now);
		src = sqlite3_step(st);
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			rc = pw_store_fail(store, src, "recording the boards", err);
	}
	if (rc == PW_OK)
		return pw_store_commit(store, err);
	pw_store_rollback(store);
	return rc;
}

/* The client's boards in scope that Pinterest did not list, or listed
 * more than once under the same name. */
static pw_code scope_problems(pw_store *store, gint64 account_id, gint64 client_id, GString *missing,
                              GString *doubled, int *in_scope, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store,
	                              "SELECT cb.name, (SELECT count(*) FROM boards b WHERE b.account_id = ?1"
	                              "  AND b.name = cb.name AND b.in_scope) FROM client_boards cb"
	                              " WHERE cb.client_id = ?2 ORDER BY cb.name",
	                              &st, err);
	int src;

	*in_scope = 0;
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, client_id);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 n = sqlite3_column_int64(st, 1);
		GString *into = n == 0 ? missing : n > 1 ? doubled : NULL;
		(*in_scope)++;
		if (into)
			g_string_append_printf(into, "%s'%s'", into->len ? ", " : "", pw_col_text(st, 0));
	}
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? PW_OK : pw_store_fail(store, src, "checking the boards in scope", err);
}

static pw_code first_scope_board(pw_store *store, gint64 account_id, char **id, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store,
	                              "SELECT pinterest_id FROM boards WHERE account_id = ?1 AND in_scope ORDER BY name LIMIT 1",
	                              &st, err);
	int src;
	*id = NULL;
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, account_id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		*id = pw_col_dup(st, 0);
	sqlite3_finalize(st);
	return src == SQLITE_ROW || src == SQLITE_DONE ? PW_OK : pw_store_fail(store, src, "finding a board", err);
}

static pw_code record_result(pw_store *store, const pw_account *acc, const pw_user_account *who, bool mismatch,
                             pw_verify_report *r, pw_error *err)
{
	const pw_check *failed = pw_checks_first_failure(r->checks);
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	cJSON *d = cJSON_CreateObject();
	char *msg, *reason = NULL;
	pw_code rc;

	cJSON_AddItemToObject(d, "checks", pw_checks_json(r->checks));
	r->verified = failed == NULL;
	/* A dead refresh token already moved the account on; keep that. */
	if (strcmp(acc->state, "needs_reconnect") == 0 && !r->verified)
		r->state = g_strdup("needs_reconnect");
	else if (mismatch)
		r->state = g_strdup("mismatch");
	else
		r->state = g_strdup(r->verified ? "verified" : "connected");
	if (failed)
		reason = g_strdup_printf("%s: %s", failed->name, failed->detail);

	pw_time_now(now);
	rc = pw_store_begin(store, err);
	if (rc == PW_OK)
		rc = pw_store_prepare(store,
		                      "UPDATE accounts SET state = ?2, state_reason = ?3,"
		                      " verified_at = CASE WHEN ?2 = 'verified' THEN ?4 ELSE NULL END,"
		                      " username = coalesce(?5, username), pinterest_user_id = coalesce(?6, pinterest_user_id),"
		                      " account_type = coalesce(?7, account_type) WHERE id = ?1",
		                      &st, err);
	if (rc == PW_OK) {
		int src;
		sqlite3_bind_int64(st, 1, acc->id);
		pw_bind_text(st, 2, r->state);
		pw_bind_text(st, 3, reason);
		pw_bind_text(st, 4, now);
		pw_bind_text(st, 5, who->username);
		pw_bind_text(st, 6, who->id);
		pw_bind_text(st, 7, who->account_type);
		src = sqlite3_step(st);
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			rc = pw_store_fail(store, src, "recording the verification", err);
	}
	/* Jobs paused while the account could not publish go back in the
	 * queue once it is verified again. */
	if (rc == PW_OK && r->verified)
		rc = pw_job_resume_paused(store, acc->client_id, acc->id, acc->expected_username, "verifying the account",
		                          err);
	if (rc == PW_OK) {
		pw_event ev = { .kind = "account.verify", .client_id = acc->client_id, .account_id = acc->id, .details = d };
		cJSON_AddStringToObject(d, "state", r->state);
		msg = r->verified ? g_strdup_printf("account '%s' verified", acc->expected_username)
		                  : g_strdup_printf("account '%s' not verified: %s", acc->expected_username, reason);
		ev.message = msg;
		rc = pw_log_append(store, &ev, NULL, err);
		g_free(msg);
	}
	if (rc == PW_OK)
		rc = pw_store_commit(store, err);
	else
		pw_store_rollback(store);
	cJSON_Delete(d);
	g_free(reason);
	return rc;
}

/* Adds a check to the report and tells the caller about it at once. */
static void add_check(pw_verify_report *r, pw_verify_progress_fn progress, void *ud, const char *name, bool ok,
                      const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static void add_check(pw_verify_report *r, pw_verify_progress_fn progress, void *ud, const char *name, bool ok,
                      const char *fmt, ...)
{
	va_list ap;
	char *detail;
	pw_check *check;

	va_start(ap, fmt);
	detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	check = pw_checks_add(r->checks, name, ok, "%s", detail);
	g_free(detail);
	if (progress)
		progress(check, ud);
}

pw_code pw_verify_account(pw_ctx *ctx, gint64 account_id, pw_verify_report *r, pw_error *err)
{
	return pw_verify_account_with(ctx, account_id, NULL, NULL, r, err);
}

pw_code pw_verify_account_with(pw_ctx *ctx, gint64 account_id, pw_verify_progress_fn progress, void *ud,
                               pw_verify_report *r, pw_error *err)
{
	pw_account *acc = NULL;
	pw_account_auth auth = { 0 };
	pw_user_account who = { 0 };
	pw_api_error a = { 0 };
	pw_error step = { 0 };
	GPtrArray *boards = NULL;
	bool mismatch = false;
	pw_code rc;

	memset(r, 0, sizeof *r);
	r->checks = pw_checks_new();
	rc = pw_account_get(ctx->store, account_id, &acc, err);
	if (rc != PW_OK)
		return rc;
	if (strcmp(acc->state, "expected") == 0 || strcmp(acc->state, "disconnected") == 0) {
		rc = pw_fail(err, PW_E_CONFLICT, "account '%s' is %s, not connected: connect it first with "
		                                 "'pinwarden account connect'",
		             acc->expected_username, acc->state);
		pw_account_free(acc);
		return rc;
	}

	if (pw_account_auth_open(ctx, account_id, &auth, &step) != PW_OK) {
		add_check(r, progress, ud, "tokens in the keyring", false, "%s", step.message);
		goto record;
	}
	add_check(r, progress, ud, "tokens in the keyring", true, "present");

	if (pw_api_user_account(ctx->api, &auth.auth, &who, &a, &step) != PW_OK) {
		/* Not a mismatch: we just do not know who it is. */
		add_check(r, progress, ud, "the account can be read", false, "%s", step.message);
		goto record;
	}
	if (g_ascii_strcasecmp(who.username, acc->expected_username) != 0) {
		add_check(r, progress, ud, "approved by the expected user", false,
		          "Pinterest user '%s' approved, but the client named '%s': resolve it with the client, then "
		          "connect again",
		          who.username, acc->expected_username);
		mismatch = true;
		goto record;
	}
	add_check(r, progress, ud, "approved by the expected user", true, "'%s'", who.username);

	if (pw_api_list_boards(ctx->api, &auth.auth, &boards, &a, &step) != PW_OK) {
		add_check(r, progress, ud, "boards synced", false, "%s", step.message);
		goto record;
	}
	rc = sync_boards(ctx->store, account_id, acc->client_id, boards, err);
	if (rc != PW_OK)
		goto out;
	add_check(r, progress, ud, "boards synced", true, "%u board%s", boards->len, boards->len == 1 ? "" : "s");

	{
		GString *missing = g_string_new(NULL), *doubled = g_string_new(NULL);
		int in_scope = 0;
		rc = scope_problems(ctx->store, account_id, acc->client_id, missing, doubled, &in_scope, err);
		if (rc == PW_OK) {
			if (in_scope == 0)
				add_check(r, progress, ud, "boards in scope exist", false,
				          "no board is in the client's scope: add one with 'pinwarden client edit NAME --board BOARD'");
			else if (missing->len)
				add_check(r, progress, ud, "boards in scope exist", false,
				          "not on the account: %s (names must match exactly; see 'pinwarden client show')",
				          missing->str);
			else if (doubled->len)
				add_check(r, progress, ud, "boards in scope exist", false,
				          "more than one board has the name %s: rename one on Pinterest so that the target "
				          "is unmistakable",
				          doubled->str);
			else
				add_check(r, progress, ud, "boards in scope exist", true, "%d in scope", in_scope);
		}
		g_string_free(missing, TRUE);
		g_string_free(doubled, TRUE);
		if (rc != PW_OK)
			goto out;
	}

	{
		char *board = NULL;
		GPtrArray *pins = NULL;
		rc = first_scope_board(ctx->store, account_id, &board, err);
		if (rc != PW_OK)
			goto out;
		if (!board)
			add_check(r, progress, ud, "a read succeeds", false, "no board in scope to read from");
		else if (pw_api_list_board_pins(ctx->api, &auth.auth, board, 1, &pins, &a, &step) != PW_OK)
			add_check(r, progress, ud, "a read succeeds", false, "%s", step.message);
		else
			add_check(r, progress, ud, "a read succeeds", true, "read the newest Pin of a board in scope");
		if (pins)
			g_ptr_array_unref(pins);
		g_free(board);
	}

record:
	/* A refresh during the checks may have changed the account. */
	{
		pw_account *now = NULL;
		if (pw_account_get(ctx->store, account_id, &now, err) == PW_OK) {
			pw_account_free(acc);
			acc = now;
		}
	}
	rc = record_result(ctx->store, acc, &who, mismatch, r, err);
out:
	if (boards)
		g_ptr_array_unref(boards);
	pw_user_account_clear(&who);
	pw_account_auth_close(&auth);
	pw_account_free(acc);
	return rc;
}
