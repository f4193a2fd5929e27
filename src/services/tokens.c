#include "config.h"

#include "pinwarden/tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "pinwarden/activity.h"
#include "pinwarden/crash.h"
#include "pinwarden/app.h"
#include "pinwarden/jobs.h"
#include "pinwarden/timeutil.h"

#define LOCK_WAIT_MS 30000

/* ---- the lock ---------------------------------------------------------- */

static int take_lock(pw_ctx *ctx, pw_error *err)
{
	char *path = g_build_filename(pw_store_workspace(ctx->store), "refresh.lock", NULL);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	gint64 until = g_get_monotonic_time() + (gint64)LOCK_WAIT_MS * 1000;

	if (fd < 0) {
		pw_fail(err, PW_E_IO, "cannot open %s: %s", path, g_strerror(errno));
		g_free(path);
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK || g_get_monotonic_time() > until) {
			pw_fail(err, PW_E_BUSY, "another pinwarden process has been refreshing tokens for %d s (%s); try again",
			        LOCK_WAIT_MS / 1000, path);
			close(fd);
			g_free(path);
			return -1;
		}
		g_usleep(50 * 1000);
	}
	g_free(path);
	return fd;
}

static void drop_lock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/* ---- keeping tokens --------------------------------------------------- */

pw_code pw_tokens_keep(pw_ctx *ctx, gint64 account_id, const pw_tokens *t, char access_expires[32],
                       char refresh_expires[32], pw_error *err)
{
	pw_code rc;

	access_expires[0] = refresh_expires[0] = '\0';
	if (t->refresh_token) {
		rc = pw_secret_store(ctx->keyring, account_id, PW_SECRET_REFRESH, t->refresh_token,
		                     "pinwarden: Pinterest refresh token", err);
		if (rc != PW_OK)
			return pw_error_prefix(err, "the new refresh token could not be kept in the keyring");
	}
	pw_crash_point("after-refresh-stored");
	rc = pw_secret_store(ctx->keyring, account_id, PW_SECRET_ACCESS, t->access_token,
	                     "pinwarden: Pinterest access token", err);
	if (rc != PW_OK)
		return pw_error_prefix(err, "the new access token could not be kept in the keyring");
	pw_crash_point("after-tokens-stored");
	pw_time_from_now(t->expires_in, access_expires);
	if (t->refresh_token_expires_at > 0) {
		GDateTime *dt = g_date_time_new_from_unix_utc(t->refresh_token_expires_at);
		pw_time_format(dt, refresh_expires);
		g_date_time_unref(dt);
	} else if (t->refresh_token_expires_in > 0) {
		pw_time_from_now(t->refresh_token_expires_in, refresh_expires);
	}
	return PW_OK;
}

/* ---- the account row -------------------------------------------------- */

static pw_code record_refresh(pw_ctx *ctx, gint64 account_id, const char *access_exp, const char *refresh_exp,
                              pw_error *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 client_id = 0;
	pw_code rc = pw_store_begin(ctx->store, err);
	int src;

	if (rc != PW_OK)
		return rc;
	rc = pw_store_prepare(ctx->store,
	                      "UPDATE accounts SET access_expires_at = ?2,"
	                      " refresh_expires_at = coalesce(nullif(?3, ''), refresh_expires_at)"
	                      " WHERE id = ?1 RETURNING client_id",
	                      &st, err);
	if (rc == PW_OK) {
		sqlite3_bind_int64(st, 1, account_id);
		pw_bind_text(st, 2, access_exp);
		pw_bind_text(st, 3, refresh_exp);
		src = sqlite3_step(st);
		if (src == SQLITE_ROW)
			client_id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (src != SQLITE_ROW)
			rc = pw_store_fail(ctx->store, src == SQLITE_DONE ? SQLITE_NOTFOUND : src, "recording the new tokens", err);
	}
	if (rc == PW_OK) {
		cJSON *d = cJSON_CreateObject();
		pw_event ev = { .kind = "account.token_refreshed", .client_id = client_id, .account_id = account_id,
		                .message = "access token refreshed; the new refresh token is in the keyring", .details = d };
		cJSON_AddStringToObject(d, "access_expires_at", access_exp);
		if (refresh_exp[0])
			cJSON_AddStringToObject(d, "refresh_expires_at", refresh_exp);
		rc = pw_log_append(ctx->store, &ev, NULL, err);
		cJSON_Delete(d);
	}
	if (rc != PW_OK) {
		pw_store_rollback(ctx->store);
		return rc;
	}
	return pw_store_commit(ctx->store, err);
}

/* The refresh token is dead: nothing for this account can be published
 * until the client approves again. Its waiting jobs pause (they are not
 * failed: reconnecting resumes them). */
static pw_code needs_reconnect(pw_ctx *ctx, gint64 account_id, const pw_api_error *a, pw_error *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 client_id = 0;
	int paused = 0, src;
	char *reason = g_strdup_printf("Pinterest refused the refresh token (%ld%s%s)", a->http_status,
	                               a->message[0] ? ": " : "", a->message);
	pw_code rc = pw_store_begin(ctx->store, err);

	if (rc != PW_OK)
		goto out;
	rc = pw_store_prepare(ctx->store,
	                      "UPDATE accounts SET state = 'needs_reconnect', state_reason = ?2 WHERE id = ?1"
	                      " RETURNING client_id",
	                      &st, err);
	if (rc == PW_OK) {
		sqlite3_bind_int64(st, 1, account_id);
		pw_bind_text(st, 2, reason);
		src = sqlite3_step(st);
		if (src == SQLITE_ROW)
			client_id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (src != SQLITE_ROW)
			rc = pw_store_fail(ctx->store, src, "marking the account", err);
	}
	if (rc == PW_OK)
		rc = pw_store_prepare(ctx->store,
		                      "UPDATE jobs SET state = 'paused', updated_at = ?2 WHERE account_id = ?1"
		                      " AND state IN ('queued', 'retrying')",
		                      &st, err);
	if (rc == PW_OK) {
		char now[PW_TIME_LEN];
		pw_time_now(now);
		sqlite3_bind_int64(st, 1, account_id);
		pw_bind_text(st, 2, now);
		src = sqlite3_step(st);
		paused = sqlite3_changes(pw_store_db(ctx->store));
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			rc = pw_store_fail(ctx->store, src, "pausing the account's jobs", err);
	}
	if (rc == PW_OK) {
		cJSON *d = cJSON_CreateObject();
		char *msg = g_strdup_printf("account needs reconnecting: %s; %d job(s) paused", reason, paused);
		pw_event ev = { .kind = "account.needs_reconnect", .client_id = client_id, .account_id = account_id,
		                .message = msg, .details = d };
		cJSON_AddNumberToObject(d, "http_status", (double)a->http_status);
		cJSON_AddNumberToObject(d, "pinterest_code", (double)a->code);
		cJSON_AddStringToObject(d, "request_id", a->request_id);
		cJSON_AddNumberToObject(d, "paused_jobs", paused);
		rc = pw_log_append(ctx->store, &ev, NULL, err);
		cJSON_Delete(d);
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

/* ---- refreshing -------------------------------------------------------- */

pw_code pw_tokens_refresh(pw_ctx *ctx, gint64 account_id, const char *rejected, pw_refresh_outcome *outcome,
                          pw_error *err)
{
	pw_app_settings app_settings = { 0 };
	char *secret = NULL, *refresh = NULL, *current = NULL;
	pw_tokens fresh = { 0 };
	pw_api_error a = { 0 };
	char access_exp[PW_TIME_LEN], refresh_exp[PW_TIME_LEN];
	pw_code rc;
	int lock;

	*outcome = PW_REFRESH_TRANSIENT;
	lock = take_lock(ctx, err);
	if (lock < 0)
		return err->code;

	if (rejected) {
		rc = pw_secret_lookup(ctx->keyring, account_id, PW_SECRET_ACCESS, &current, err);
		if (rc != PW_OK)
			goto out;
		if (current && strcmp(current, rejected) != 0) {
			*outcome = PW_REFRESHED_ELSEWHERE;
			goto out;
		}
	}
	rc = pw_app_load(ctx, &app_settings, &secret, err);
	if (rc != PW_OK)
		goto out;
	rc = pw_secret_lookup(ctx->keyring, account_id, PW_SECRET_REFRESH, &refresh, err);
	if (rc != PW_OK)
		goto out;
	if (!refresh) {
		rc = pw_fail(err, PW_E_MISSING, "the account's refresh token is not in the keyring: connect it again");
		goto out;
	}
	{
		pw_app app = { .client_id = app_settings.client_id, .client_secret = secret,
		               .redirect_uri = app_settings.redirect_uri,
		               .continuous_refresh = app_settings.continuous_refresh };
		rc = pw_api_refresh(ctx->api, &app, refresh, &fresh, &a, err);
	}
	if (rc == PW_OK) {
		rc = pw_tokens_keep(ctx, account_id, &fresh, access_exp, refresh_exp, err);
		if (rc == PW_OK)
			rc = record_refresh(ctx, account_id, access_exp, refresh_exp, err);
		if (rc == PW_OK)
			*outcome = PW_REFRESHED;
	} else if (rc == PW_E_API && a.http_status == 400) {
		/* invalid_grant: the refresh token itself is dead. A 401 here
		 * is about the app's own credentials, not the account. */
		pw_error saved = *err;
		*outcome = PW_REFRESH_REFUSED;
		rc = needs_reconnect(ctx, account_id, &a, err);
		if (rc == PW_OK) {
			*err = saved;
			pw_error_prefix(err, "the account needs reconnecting: its refresh token was refused");
			rc = PW_E_API;
		}
	} else if (rc == PW_E_API && a.http_status == 401) {
		pw_error_prefix(err, "Pinterest refused the app's client id or secret; check them with 'pinwarden app set'");
	}
out:
	drop_lock(lock);
	pw_tokens_clear(&fresh);
	pw_secret_free(secret);
	pw_secret_free(refresh);
	pw_secret_free(current);
	pw_app_settings_clear(&app_settings);
	return rc;
}

/* ---- the auth source --------------------------------------------------- */

static char *refresh_for_call(void *ud, pw_error *err)
{
	pw_account_auth *a = ud;
	pw_refresh_outcome outcome;
	char *fresh = NULL;

	if (pw_tokens_refresh(a->ctx, a->account_id, a->access_token, &outcome, err) != PW_OK) {
		a->refresh_error = *err;
		return NULL;
	}
	if (pw_secret_lookup(a->ctx->keyring, a->account_id, PW_SECRET_ACCESS, &fresh, err) != PW_OK || !fresh) {
		if (!fresh)
			pw_fail(err, PW_E_MISSING, "the refreshed access token is not in the keyring");
		a->refresh_error = *err;
		return NULL;
	}
	pw_secret_wipe(a->access_token);
	g_free(a->access_token);
	a->access_token = g_strdup(fresh);
	a->auth.access_token = a->access_token;
	{
		char *copy = g_strdup(fresh);
		pw_secret_free(fresh);
		return copy;
	}
}

pw_code pw_account_auth_open(pw_ctx *ctx, gint64 account_id, pw_account_auth *out, pw_error *err)
{
	char *token = NULL;
	pw_code rc = pw_secret_lookup(ctx->keyring, account_id, PW_SECRET_ACCESS, &token, err);

	memset(out, 0, sizeof *out);
	if (rc != PW_OK)
		return rc;
	if (!token)
		return pw_fail(err, PW_E_MISSING, "the account has no access token in the keyring: connect it first "
		                                  "('pinwarden account connect')");
	out->ctx = ctx;
	out->account_id = account_id;
	out->access_token = g_strdup(token);
	pw_secret_free(token);
	out->auth.access_token = out->access_token;
	out->auth.refresh = refresh_for_call;
	out->auth.ud = out;
	return PW_OK;
}

void pw_account_auth_close(pw_account_auth *a)
{
	pw_secret_wipe(a->access_token);
	g_free(a->access_token);
	memset(a, 0, sizeof *a);
}

/* ---- ahead of expiry ----------------------------------------------------- */

void pw_refresh_due_item_free(pw_refresh_due_item *item)
{
	if (!item)
		return;
	g_free(item->username);
	g_free(item->client_name);
	g_free(item->message);
	g_free(item);
}

pw_code pw_tokens_refresh_due(pw_ctx *ctx, const pw_refresh_margins *m, GPtrArray **out, pw_error *err)
{
	pw_refresh_margins defaults = { PW_REFRESH_ACCESS_HOURS, PW_REFRESH_REFRESH_DAYS };
	char access_limit[PW_TIME_LEN], refresh_limit[PW_TIME_LEN];
	GPtrArray *due = g_ptr_array_new_with_free_func((GDestroyNotify)pw_refresh_due_item_free);
	sqlite3_stmt *st;
	pw_code rc;
	int src;

	*out = NULL;
	if (!m)
		m = &defaults;
	pw_time_from_now((gint64)m->access_hours * 3600, access_limit);
	pw_time_from_now((gint64)m->refresh_days * 86400, refresh_limit);
	rc = pw_store_prepare(ctx->store,
	                      "SELECT a.id, coalesce(a.username, a.expected_username), c.name FROM accounts a"
	                      " JOIN clients c ON c.id = a.client_id WHERE a.state IN ('connected', 'verified')"
	                      " AND (a.access_expires_at IS NULL OR a.access_expires_at <= ?1"
	                      "      OR a.refresh_expires_at <= ?2) ORDER BY a.id",
	                      &st, err);
	if (rc != PW_OK) {
		g_ptr_array_unref(due);
		return rc;
	}
	pw_bind_text(st, 1, access_limit);
	pw_bind_text(st, 2, refresh_limit);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		pw_refresh_due_item *item = g_new0(pw_refresh_due_item, 1);
		item->account_id = sqlite3_column_int64(st, 0);
		item->username = pw_col_dup(st, 1);
		item->client_name = pw_col_dup(st, 2);
		g_ptr_array_add(due, item);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		g_ptr_array_unref(due);
		return pw_store_fail(ctx->store, src, "finding the tokens due", err);
	}
	/* One failure does not stop the others: each gets its outcome. */
	for (guint i = 0; i < due->len; i++) {
		pw_refresh_due_item *item = g_ptr_array_index(due, i);
		pw_error one = { 0 };
		if (pw_tokens_refresh(ctx, item->account_id, NULL, &item->outcome, &one) == PW_OK)
			item->message = g_strdup("refreshed");
		else
			item->message = g_strdup(one.message);
	}
	*out = due;
	return PW_OK;
}

bool pw_tokens_days_left(const char *stored, int *days)
{
	GTimeZone *utc;
	GDateTime *then, *now;

	if (!stored || !*stored)
		return false;
	utc = g_time_zone_new_utc();
	then = g_date_time_new_from_iso8601(stored, utc);
	g_time_zone_unref(utc);
	if (!then)
		return false;
	now = g_date_time_new_now_utc();
	*days = (int)(g_date_time_difference(then, now) / G_TIME_SPAN_DAY);
	if (g_date_time_compare(then, now) < 0 && *days == 0)
		*days = -1;
	g_date_time_unref(then);
	g_date_time_unref(now);
	return true;
}
