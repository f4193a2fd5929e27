#include "config.h"

#include "pinwarden/connect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "pinwarden/accounts.h"
#include "pinwarden/activity.h"
#include "pinwarden/app.h"
#include "pinwarden/clients.h"
#include "pinwarden/domains.h"
#include "pinwarden/jobs.h"
#include "pinwarden/timeutil.h"
#include "pinwarden/tokens.h"

#define STATE_BYTES 32

void pw_connect_request_clear(pw_connect_request *r)
{
	if (!r)
		return;
	g_free(r->client_name);
	g_free(r->expected_username);
	pw_secret_wipe(r->state);
	g_free(r->state);
	g_free(r->url);
	g_free(r->expires_at);
	g_free(r->redirect_uri);
	memset(r, 0, sizeof *r);
}

void pw_connect_result_clear(pw_connect_result *r)
{
	if (!r)
		return;
	g_free(r->client_name);
	g_free(r->expected_username);
	g_free(r->approved_username);
	memset(r, 0, sizeof *r);
}

/* 256 bits from the kernel's generator, in hex. */
static pw_code new_state(char **out, pw_error *err)
{
	guint8 bytes[STATE_BYTES];
	GString *hex = g_string_sized_new(2 * STATE_BYTES);
	size_t got = 0;

	while (got < sizeof bytes) {
		ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_string_free(hex, TRUE);
			return pw_fail(err, PW_E_IO, "the system's random source failed: %s", g_strerror(errno));
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof bytes; i++)
		g_string_append_printf(hex, "%02x", bytes[i]);
	memset(bytes, 0, sizeof bytes);
	*out = g_string_free(hex, FALSE);
	return PW_OK;
}

static char *state_hash(const char *state)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, state, -1);
}

static pw_code log_event(pw_store *store, const char *kind, gint64 client_id, gint64 account_id, const char *msg,
                         cJSON *details, pw_error *err)
{
	pw_event ev = { .kind = kind, .client_id = client_id, .account_id = account_id, .message = msg,
	                .details = details };
	pw_code rc = pw_log_append(store, &ev, NULL, err);
	cJSON_Delete(details);
	return rc;
}

/* ---- housekeeping ------------------------------------------------------ */

pw_code pw_connect_expire(pw_ctx *ctx, int *closed, pw_error *err)
{
	char now[PW_TIME_LEN];
	sqlite3_stmt *st;
	GArray *ids;
	pw_code rc;
	int src;

	*closed = 0;
	pw_time_now(now);
	rc = pw_store_begin(ctx->store, err);
	if (rc != PW_OK)
		return rc;
	rc = pw_store_prepare(ctx->store,
	                      "UPDATE connect_requests SET closed_at = ?1, outcome = 'expired'"
	                      " WHERE closed_at IS NULL AND expires_at < ?1 RETURNING account_id",
	                      &st, err);
	if (rc != PW_OK) {
		pw_store_rollback(ctx->store);
		return rc;
	}
	pw_bind_text(st, 1, now);
	ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(st, 0);
		g_array_append_val(ids, id);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		rc = pw_store_fail(ctx->store, src, "closing expired connection requests", err);
	for (guint i = 0; rc == PW_OK && i < ids->len; i++)
		rc = log_event(ctx->store, "account.connect_expired", 0, g_array_index(ids, gint64, i),
		               "a connection request expired unused", NULL, err);
	if (rc == PW_OK) {
		rc = pw_store_commit(ctx->store, err);
		*closed = (int)ids->len;
	} else {
		pw_store_rollback(ctx->store);
	}
	g_array_free(ids, TRUE);
	return rc;
}

/* ---- opening ------------------------------------------------------------ */

/* The account row for (client, username), added as expected if new. */
static pw_code account_for(pw_store *store, const pw_client *client, const char *username, sqlite3_int64 *id,
                           pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, "SELECT id FROM accounts WHERE client_id = ?1 AND expected_username = ?2",
	                              &st, err);
	int src;

	*id = 0;
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, client->id);
	pw_bind_text(st, 2, username);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return pw_store_fail(store, src, "finding the account", err);
	if (*id)
		return PW_OK;
	return pw_account_expect(store, client->id, client->name, username, id, err);
}

pw_code pw_connect_open(pw_ctx *ctx, const char *client_name, const char *typed_username, int ttl_seconds,
                        pw_connect_request *out, pw_error *err)
{
	pw_app_settings app = { 0 };
	pw_client *client = NULL;
	char *username = NULL, *hash = NULL;
	char now[PW_TIME_LEN], expires[PW_TIME_LEN];
	sqlite3_stmt *st;
	int expired;
	pw_code rc;

	memset(out, 0, sizeof *out);
	if (ttl_seconds <= 0)
		ttl_seconds = PW_CONNECT_TTL_DEFAULT;
	if ((rc = pw_username_normalize(typed_username, &username, err)) != PW_OK ||
	    (rc = pw_app_get(ctx->store, &app, err)) != PW_OK ||
	    (rc = pw_connect_expire(ctx, &expired, err)) != PW_OK ||
	    (rc = new_state(&out->state, err)) != PW_OK)
		goto out;
	hash = state_hash(out->state);

	rc = pw_store_begin(ctx->store, err);
	if (rc != PW_OK)
		goto out;
	if ((rc = pw_client_find(ctx->store, client_name, &client, err)) != PW_OK)
		goto fail;
	if (client->archived) {
		rc = pw_fail(err, PW_E_CONFLICT, "client '%s' is archived; nothing can be connected for it", client->name);
		goto fail;
	}
	{
		sqlite3_int64 account_id = 0;
		if ((rc = account_for(ctx->store, client, username, &account_id, err)) != PW_OK)
			goto fail;
		out->account_id = account_id;
	}

	rc = pw_store_prepare(ctx->store,
	                      "UPDATE connect_requests SET closed_at = ?2, outcome = 'replaced'"
	                      " WHERE account_id = ?1 AND closed_at IS NULL",
	                      &st, err);
	pw_time_now(now);
	if (rc == PW_OK) {
		sqlite3_bind_int64(st, 1, out->account_id);
		pw_bind_text(st, 2, now);
		rc = pw_store_step_done(ctx->store, st, "closing the earlier request", err);
	}
	if (rc != PW_OK)
		goto fail;

	pw_time_from_now(ttl_seconds, expires);
	rc = pw_store_prepare(ctx->store,
	                      "INSERT INTO connect_requests (state_hash, account_id, created_at, expires_at, created_by)"
	                      " VALUES (?1, ?2, ?3, ?4, ?5)",
	                      &st, err);
	if (rc == PW_OK) {
		pw_bind_text(st, 1, hash);
		sqlite3_bind_int64(st, 2, out->account_id);
		pw_bind_text(st, 3, now);
		pw_bind_text(st, 4, expires);
		pw_bind_text(st, 5, pw_store_operator(ctx->store)->name);
		rc = pw_store_step_done(ctx->store, st, "recording the connection request", err);
	}
	if (rc != PW_OK)
		goto fail;
	out->id = sqlite3_last_insert_rowid(pw_store_db(ctx->store));
	{
		cJSON *d = cJSON_CreateObject();
		char *msg = g_strdup_printf("connection requested for account '%s' of client '%s'", username, client->name);
		cJSON_AddStringToObject(d, "expected_username", username);
		cJSON_AddStringToObject(d, "expires_at", expires);
		cJSON_AddStringToObject(d, "redirect_uri", app.redirect_uri);
		cJSON_AddNumberToObject(d, "request_id", (double)out->id);
		rc = log_event(ctx->store, "account.connect_request", client->id, out->account_id, msg, d, err);
		g_free(msg);
	}
	if (rc != PW_OK)
		goto fail;
	rc = pw_store_commit(ctx->store, err);
	if (rc != PW_OK)
		goto out;

	{
		pw_app a = { .client_id = app.client_id, .redirect_uri = app.redirect_uri };
		out->url = pw_api_authorize_url(ctx->api_config, &a, app.scopes, out->state);
	}
	out->client_name = g_strdup(client->name);
	out->expected_username = g_strdup(username);
	out->expires_at = g_strdup(expires);
	out->redirect_uri = g_strdup(app.redirect_uri);
	goto out;
fail:
	pw_store_rollback(ctx->store);
out:
	if (rc != PW_OK)
		pw_connect_request_clear(out);
	pw_client_free(client);
	pw_app_settings_clear(&app);
	g_free(username);
	g_free(hash);
	return rc;
}

char *pw_connect_message(const pw_connect_request *r)
{
	char *until = pw_time_to_local(r->expires_at);
	char *text = g_strdup_printf(
		"Hello,\n\n"
		"To let us publish Pins for %s, please open the link below while logged in to Pinterest as '%s', "
		"and approve access there:\n\n%s\n\n"
		"You approve on Pinterest's own page: nobody asks for your password, and we never see it. "
		"You can remove this access at any time in your Pinterest settings, and everything we do with it "
		"is recorded in a log you can ask us for.\n"
		"After you approve, your browser may show a page that cannot be reached: that is expected. Please "
		"copy the whole address from the address bar and send it back to us.\n"
		"The link works once and expires at %s.\n",
		r->client_name, r->expected_username, r->url, until);
	g_free(until);
	return text;
}

/* ---- completing ---------------------------------------------------------- */

typedef struct pending {
	gint64 id, account_id, client_id;
	char *expected, *client_name, *created_by, *expires_at, *closed_at, *outcome;
} pending;

static void pending_clear(pending *p)
{
	g_free(p->expected);
	g_free(p->client_name);
	g_free(p->created_by);
	g_free(p->expires_at);
	g_free(p->closed_at);
	g_free(p->outcome);
	memset(p, 0, sizeof *p);
}

static pw_code find_request(pw_store *store, const char *hash, pending *p, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store,
	                              "SELECT r.id, r.account_id, a.client_id, a.expected_username, c.name, r.created_by,"
	                              " r.expires_at, r.closed_at, r.outcome FROM connect_requests r"
	                              " JOIN accounts a ON a.id = r.account_id JOIN clients c ON c.id = a.client_id"
	                              " WHERE r.state_hash = ?1",
	                              &st, err);
	int src;

	memset(p, 0, sizeof *p);
	if (rc != PW_OK)
		return rc;
	pw_bind_text(st, 1, hash);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		p->id = sqlite3_column_int64(st, 0);
		p->account_id = sqlite3_column_int64(st, 1);
		p->client_id = sqlite3_column_int64(st, 2);
		p->expected = pw_col_dup(st, 3);
		p->client_name = pw_col_dup(st, 4);
		p->created_by = pw_col_dup(st, 5);
		p->expires_at = pw_col_dup(st, 6);
		p->closed_at = pw_col_dup(st, 7);
		p->outcome = pw_col_dup(st, 8);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return pw_store_fail(store, src, "finding the connection request", err);
	return PW_OK;
}

static pw_code close_request(pw_store *store, gint64 id, const char *outcome, pw_error *err)
{
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	pw_code rc = pw_store_prepare(store,
	                              "UPDATE connect_requests SET closed_at = coalesce(closed_at, ?2), outcome = ?3"
	                              " WHERE id = ?1",
	                              &st, err);
	if (rc != PW_OK)
		return rc;
	pw_time_now(now);
	sqlite3_bind_int64(st, 1, id);
	pw_bind_text(st, 2, now);
	pw_bind_text(st, 3, outcome);
	return pw_store_step_done(store, st, "closing the connection request", err);
}

/* A refusal is itself worth a line in the log: a state nobody issued is
 * what a forged link looks like. The caller's error is kept. */
static void record_refusal(pw_store *store, const pending *p, const char *outcome, const char *kind,
                           const char *reason)
{
	pw_error ignored = { 0 };
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "reason", reason);
	if (p->id)
		cJSON_AddNumberToObject(d, "request_id", (double)p->id);
	if (pw_store_begin(store, &ignored) != PW_OK) {
		cJSON_Delete(d);
		return;
	}
	if ((outcome && p->id && close_request(store, p->id, outcome, &ignored) != PW_OK) ||
	    log_event(store, kind, p->client_id, p->account_id, reason, d, &ignored) != PW_OK ||
	    pw_store_commit(store, &ignored) != PW_OK)
		pw_store_rollback(store);
}

static pw_code record_connected(pw_ctx *ctx, const pending *p, const pw_user_account *who, const pw_tokens *t,
                                const char *access_exp, const char *refresh_exp, bool mismatch, pw_error *err)
{
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	const char *state = mismatch ? "mismatch" : "connected";
	char *reason = NULL;
	pw_code rc;

	if (mismatch)
		reason = g_strdup_printf("Pinterest user '%s' approved, but the client named '%s'; nothing can be "
		                         "published until an operator resolves it",
		                         who->username, p->expected);
	else if (!who->username)
		reason = g_strdup("the approving user could not be read yet: run 'pinwarden account verify'");
	else
		reason = g_strdup("connected; not yet verified");
	pw_time_now(now);
	rc = pw_store_begin(ctx->store, err);
	if (rc != PW_OK)
		goto out;
	rc = pw_store_prepare(ctx->store,
	                      "UPDATE accounts SET username = ?2, pinterest_user_id = ?3, account_type = ?4, state = ?5,"
	                      " state_reason = ?6, scopes = ?7, access_expires_at = ?8, refresh_expires_at = nullif(?9, ''),"
	                      " connected_by = ?10, connected_at = ?11, verified_at = NULL WHERE id = ?1",
	                      &st, err);
	if (rc == PW_OK) {
		sqlite3_bind_int64(st, 1, p->account_id);
		pw_bind_text(st, 2, who->username);
		pw_bind_text(st, 3, who->id);
		pw_bind_text(st, 4, who->account_type);
		pw_bind_text(st, 5, state);
		pw_bind_text(st, 6, reason);
		pw_bind_text(st, 7, t->scope);
		pw_bind_text(st, 8, access_exp);
		pw_bind_text(st, 9, refresh_exp);
		pw_bind_text(st, 10, p->created_by);
		pw_bind_text(st, 11, now);
		rc = pw_store_step_done(ctx->store, st, "recording the connection", err);
	}
	if (rc == PW_OK)
		rc = close_request(ctx->store, p->id, state, err);
	/* Jobs paused while the account needed reconnecting go back in
	 * the queue; after a mismatch they stay paused. */
	if (rc == PW_OK && !mismatch)
		rc = pw_job_resume_paused(ctx->store, p->client_id, p->account_id, p->expected, "reconnecting", err);
	if (rc == PW_OK) {
		cJSON *d = cJSON_CreateObject();
		char *msg;
		cJSON_AddStringToObject(d, "requested_by", p->created_by);
		cJSON_AddStringToObject(d, "expected_username", p->expected);
		if (who->username)
			cJSON_AddStringToObject(d, "approved_by", who->username);
		if (who->id)
			cJSON_AddStringToObject(d, "pinterest_user_id", who->id);
		if (t->scope)
			cJSON_AddStringToObject(d, "scopes", t->scope);
		cJSON_AddNumberToObject(d, "request_id", (double)p->id);
		if (mismatch)
			msg = g_strdup_printf("MISMATCH: Pinterest user '%s' approved the request for '%s' of client '%s'",
			                      who->username, p->expected, p->client_name);
		else
			msg = g_strdup_printf("account '%s' of client '%s' connected, approved by Pinterest user '%s', "
			                      "requested by %s",
			                      p->expected, p->client_name, who->username ? who->username : "(unknown yet)",
			                      p->created_by);
		rc = log_event(ctx->store, mismatch ? "account.mismatch" : "account.connected", p->client_id,
		               p->account_id, msg, d, err);
		g_free(msg);
	}
	if (rc == PW_OK)
		rc = pw_store_commit(ctx->store, err);
	else
		pw_store_rollback(ctx->store);
out:
	g_free(reason);
	return rc;
}

pw_code pw_connect_complete(pw_ctx *ctx, const pw_redirect *r, pw_connect_result *out, pw_error *err)
{
	pending p = { 0 };
	pw_app_settings app_settings = { 0 };
	pw_tokens tokens = { 0 };
	pw_user_account who = { 0 };
	pw_api_error a = { 0 };
	char *secret = NULL, *hash = NULL;
	char now[PW_TIME_LEN], access_exp[PW_TIME_LEN], refresh_exp[PW_TIME_LEN];
	pw_code rc;

	memset(out, 0, sizeof *out);
	if (!r->state || !*r->state)
		return pw_fail(err, PW_E_INVALID, "the approval carries no state, so it cannot be matched to a request");
	hash = state_hash(r->state);
	rc = find_request(ctx->store, hash, &p, err);
	g_free(hash);
	if (rc != PW_OK)
		return rc;

	pw_time_now(now);
	if (!p.id) {
		rc = pw_fail(err, PW_E_INVALID,
		             "refused: this approval matches no connection request of this workspace (a wrong or forged "
		             "link). Open a new request with 'pinwarden account connect'");
		record_refusal(ctx->store, &p, NULL, "account.connect_refused", "an approval arrived with an unknown state");
		goto out;
	}
	if (p.closed_at) {
		rc = pw_fail(err, PW_E_CONFLICT,
		             "refused: this connection request was already used or closed (%s); open a new one with "
		             "'pinwarden account connect'",
		             p.outcome ? p.outcome : "closed");
		record_refusal(ctx->store, &p, NULL, "account.connect_refused", "an approval arrived for a closed request");
		goto out;
	}
	if (strcmp(p.expires_at, now) < 0) {
		char *when = pw_time_to_local(p.expires_at);
		rc = pw_fail(err, PW_E_CONFLICT, "refused: this connection request expired at %s; open a new one with "
		                                 "'pinwarden account connect'", when);
		g_free(when);
		record_refusal(ctx->store, &p, "expired", "account.connect_refused", "an approval arrived after its request expired");
		goto out;
	}
	if (r->error) {
		char *reason = g_strdup_printf("the client declined on Pinterest (%s%s%s)", r->error,
		                               r->error_description ? ": " : "",
		                               r->error_description ? r->error_description : "");
		rc = pw_fail(err, PW_E_CONFLICT, "%s; nothing was connected", reason);
		record_refusal(ctx->store, &p, "denied", "account.connect_denied", reason);
		g_free(reason);
		goto out;
	}
	if (!r->code || !*r->code) {
		rc = pw_fail(err, PW_E_INVALID, "the approval carries no code");
		goto out;
	}

	/* Used from here on, whatever happens next: a code works once. */
	rc = pw_store_begin(ctx->store, err);
	if (rc == PW_OK)
		rc = close_request(ctx->store, p.id, "exchanging", err);
	if (rc == PW_OK)
		rc = pw_store_commit(ctx->store, err);
	else
		pw_store_rollback(ctx->store);
	if (rc != PW_OK)
		goto out;

	rc = pw_app_load(ctx, &app_settings, &secret, err);
	if (rc == PW_OK) {
		pw_app app = { .client_id = app_settings.client_id, .client_secret = secret,
		               .redirect_uri = app_settings.redirect_uri,
		               .continuous_refresh = app_settings.continuous_refresh };
		rc = pw_api_exchange_code(ctx->api, &app, r->code, &tokens, &a, err);
	}
	if (rc == PW_OK)
		rc = pw_tokens_keep(ctx, p.account_id, &tokens, access_exp, refresh_exp, err);
	if (rc != PW_OK) {
		pw_error_prefix(err, "connecting failed, and the client must approve again");
		record_refusal(ctx->store, &p, "failed", "account.connect_failed", err->message);
		goto out;
	}

	/* Who approved: a read that fails now leaves the account connected
	 * for 'account verify' to finish, rather than losing the approval. */
	{
		pw_api_auth auth = { .access_token = tokens.access_token };
		pw_error ignored = { 0 };
		if (pw_api_user_account(ctx->api, &auth, &who, &a, &ignored) != PW_OK)
			memset(&who, 0, sizeof who);
	}
	out->mismatch = who.username && g_ascii_strcasecmp(who.username, p.expected) != 0;
	rc = record_connected(ctx, &p, &who, &tokens, access_exp, refresh_exp, out->mismatch, err);
	if (rc != PW_OK)
		goto out;
	out->account_id = p.account_id;
	out->client_name = g_strdup(p.client_name);
	out->expected_username = g_strdup(p.expected);
	out->approved_username = g_strdup(who.username);
out:
	pw_tokens_clear(&tokens);
	pw_user_account_clear(&who);
	pw_secret_free(secret);
	pw_app_settings_clear(&app_settings);
	pending_clear(&p);
	return rc;
}
