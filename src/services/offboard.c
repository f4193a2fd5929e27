#include "config.h"

#include "pinwarden/offboard.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <glib/gstdio.h>

#include "pinwarden/accounts.h"
#include "pinwarden/activity.h"
#include "pinwarden/clients.h"
#include "pinwarden/export.h"
#include "pinwarden/jobs.h"
#include "pinwarden/timeutil.h"

void pw_offboard_report_clear(pw_offboard_report *r)
{
	if (!r)
		return;
	if (r->steps)
		g_ptr_array_unref(r->steps);
	if (r->waiting_jobs)
		g_ptr_array_unref(r->waiting_jobs);
	g_free(r->export_path);
	memset(r, 0, sizeof *r);
}

static void report_init(pw_offboard_report *r)
{
	if (!r->steps)
		r->steps = pw_checks_new();
}

const char *pw_offboard_client_steps(void)
{
	return "To finish on the client's side (no API can take their approval back), the client:\n"
	       "  1. logs in to Pinterest with the account that approved access;\n"
	       "  2. opens Settings, then the section that lists apps with access to the account;\n"
	       "  3. removes the agency's app there.\n"
	       "Until they do, the approval stays on Pinterest's side, but pinwarden holds no token to use it.\n";
}

static pw_code log_event(pw_store *store, const char *kind, gint64 client_id, gint64 account_id, gint64 job_id,
                         const char *msg, cJSON *details, pw_error *err)
{
	pw_event ev = { .kind = kind, .client_id = client_id, .account_id = account_id, .job_id = job_id,
	                .message = msg, .details = details };
	pw_code rc = pw_log_append(store, &ev, NULL, err);
	cJSON_Delete(details);
	return rc;
}

/* The jobs of an account still waiting to be published. */
static pw_code waiting_jobs(pw_store *store, gint64 account_id, GPtrArray **out, pw_error *err)
{
	GPtrArray *all = NULL, *mine;
	pw_job_filter f = { 0 };
	pw_code rc = pw_job_list(store, &f, &all, err);

	*out = NULL;
	if (rc != PW_OK)
		return rc;
	mine = g_ptr_array_new_with_free_func((GDestroyNotify)pw_job_free);
	for (guint i = 0; i < all->len; i++) {
		pw_job *j = g_ptr_array_index(all, i);
		if (j->account_id == account_id &&
		    (!strcmp(j->state, "queued") || !strcmp(j->state, "sending") || !strcmp(j->state, "retrying") ||
		     !strcmp(j->state, "paused")))
			g_ptr_array_add(mine, g_ptr_array_steal_index(all, i--));
	}
	g_ptr_array_unref(all);
	*out = mine;
	return PW_OK;
}

static pw_code cancel_jobs(pw_ctx *ctx, GPtrArray *jobs, pw_offboard_report *r, pw_error *err)
{
	char now[PW_TIME_LEN];
	pw_code rc = pw_store_begin(ctx->store, err);

	if (rc != PW_OK)
		return rc;
	pw_time_now(now);
	for (guint i = 0; rc == PW_OK && i < jobs->len; i++) {
		pw_job *j = g_ptr_array_index(jobs, i);
		sqlite3_stmt *st;
		rc = pw_store_prepare(ctx->store,
		                      "UPDATE jobs SET state = 'cancelled', updated_at = ?2 WHERE id = ?1"
		                      " AND state IN " PW_JOB_WAITING_SQL " AND state <> 'sending'",
		                      &st, err);
		if (rc == PW_OK) {
			int src;
			sqlite3_bind_int64(st, 1, j->id);
			pw_bind_text(st, 2, now);
			src = sqlite3_step(st);
			sqlite3_finalize(st);
			if (src != SQLITE_DONE)
				rc = pw_store_fail(ctx->store, src, "cancelling a job", err);
		}
		if (rc == PW_OK) {
			cJSON *d = cJSON_CreateObject();
			char *msg = g_strdup_printf("job %lld cancelled for offboarding (was %s)", (long long)j->id, j->state);
			cJSON_AddStringToObject(d, "was", j->state);
			cJSON_AddStringToObject(d, "reason", "offboarding");
			rc = log_event(ctx->store, "job.cancel", j->client_id, j->account_id, j->id, msg, d, err);
			g_free(msg);
		}
	}
	if (rc != PW_OK) {
		pw_store_rollback(ctx->store);
		return rc;
	}
	rc = pw_store_commit(ctx->store, err);
	if (rc == PW_OK)
		pw_checks_add(r->steps, "queued jobs cancelled", true, "%u job%s cancelled, each logged", jobs->len,
		              jobs->len == 1 ? "" : "s");
	return rc;
}

static pw_code mark_disconnected(pw_ctx *ctx, const pw_account *a, pw_error *err)
{
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	char *reason = g_strdup_printf("disconnected by %s", pw_store_operator(ctx->store)->name);
	pw_code rc = pw_store_begin(ctx->store, err);

	pw_time_now(now);
	if (rc == PW_OK)
		rc = pw_store_prepare(ctx->store,
		                      "UPDATE accounts SET state = 'disconnected', state_reason = ?2, verified_at = NULL,"
		                      " access_expires_at = NULL, refresh_expires_at = NULL WHERE id = ?1",
		                      &st, err);
	if (rc == PW_OK) {
		int src;
		sqlite3_bind_int64(st, 1, a->id);
		pw_bind_text(st, 2, reason);
		src = sqlite3_step(st);
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			rc = pw_store_fail(ctx->store, src, "marking the account disconnected", err);
	}
	if (rc == PW_OK)
		rc = pw_store_prepare(ctx->store,
		                      "UPDATE connect_requests SET closed_at = ?2, outcome = 'replaced'"
		                      " WHERE account_id = ?1 AND closed_at IS NULL",
		                      &st, err);
	if (rc == PW_OK) {
		int src;
		sqlite3_bind_int64(st, 1, a->id);
		pw_bind_text(st, 2, now);
		src = sqlite3_step(st);
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			rc = pw_store_fail(ctx->store, src, "closing open connection requests", err);
	}
	if (rc == PW_OK) {
		char *msg = g_strdup_printf("account '%s' of client '%s' disconnected", a->expected_username, a->client_name);
		rc = log_event(ctx->store, "account.disconnected", a->client_id, a->id, 0, msg, NULL, err);
		g_free(msg);
	}
	if (rc == PW_OK)
		rc = pw_store_commit(ctx->store, err);
	else
		pw_store_rollback(ctx->store);
	g_free(reason);
	return rc;
}

static pw_code delete_tokens(pw_ctx *ctx, const pw_account *a, pw_offboard_report *r, pw_error *err)
{
	pw_code rc = pw_secret_delete(ctx->keyring, a->id, PW_SECRET_ACCESS, err);
	if (rc == PW_OK)
		rc = pw_secret_delete(ctx->keyring, a->id, PW_SECRET_REFRESH, err);
	if (rc != PW_OK) {
		pw_checks_add(r->steps, "tokens removed from the keyring", false, "%s", err->message);
		return rc;
	}
	{
		char *msg = g_strdup_printf("tokens of account '%s' removed from the keyring", a->expected_username);
		pw_event ev = { .kind = "account.tokens_deleted", .client_id = a->client_id, .account_id = a->id,
		                .message = msg };
		rc = pw_log_record(ctx->store, &ev, err);
		g_free(msg);
	}
	if (rc == PW_OK)
		pw_checks_add(r->steps, "tokens removed from the keyring", true, "account '%s'", a->expected_username);
	return rc;
}

pw_code pw_account_disconnect(pw_ctx *ctx, gint64 account_id, bool cancel_queued, pw_offboard_report *r,
                              pw_error *err)
{
	pw_account *a = NULL;
	GPtrArray *jobs = NULL;
	pw_code rc;

	report_init(r);
	rc = pw_account_get(ctx->store, account_id, &a, err);
	if (rc == PW_OK)
		rc = waiting_jobs(ctx->store, account_id, &jobs, err);
	if (rc != PW_OK)
		goto out;
	for (guint i = 0; i < jobs->len; i++)
		if (strcmp(((pw_job *)g_ptr_array_index(jobs, i))->state, "sending") == 0) {
			rc = pw_fail(err, PW_E_CONFLICT,
			             "job %lld of account '%s' is being published right now; let the worker finish it, "
			             "then run this again",
			             (long long)((pw_job *)g_ptr_array_index(jobs, i))->id, a->expected_username);
			goto out;
		}
	if (jobs->len && !cancel_queued) {
		rc = pw_fail(err, PW_E_CONFLICT,
		             "account '%s' still has %u job%s waiting to be published; cancel them with --cancel-queued "
		             "(each is logged), or publish them first",
		             a->expected_username, jobs->len, jobs->len == 1 ? "" : "s");
		pw_checks_add(r->steps, "no job waiting", false, "%u waiting on account '%s'", jobs->len,
		              a->expected_username);
		if (r->waiting_jobs)
			g_ptr_array_unref(r->waiting_jobs);
		r->waiting_jobs = g_steal_pointer(&jobs);
		goto out;
	}
	if (jobs->len && (rc = cancel_jobs(ctx, jobs, r, err)) != PW_OK)
		goto out;
	if ((rc = delete_tokens(ctx, a, r, err)) != PW_OK)
		goto out;
	if (strcmp(a->state, "disconnected") != 0) {
		rc = mark_disconnected(ctx, a, err);
		if (rc != PW_OK)
			goto out;
	}
	pw_checks_add(r->steps, "account disconnected", true, "'%s'", a->expected_username);
out:
	if (jobs)
		g_ptr_array_unref(jobs);
	pw_account_free(a);
	return rc;
}

/* A file name from a client name: letters and digits kept, the rest '-'. */
static char *default_export_path(pw_store *store, const char *client_name, pw_error *err)
{
	char *dir = g_build_filename(pw_store_workspace(store), "exports", NULL);
	GString *name = g_string_new(NULL);
	GDateTime *now = g_date_time_new_now_utc();
	char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
	char *path = NULL;

	for (const char *p = client_name; *p; p = g_utf8_find_next_char(p, NULL)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_isalnum(c))
			g_string_append_unichar(name, c);
		else if (name->len && name->str[name->len - 1] != '-')
			g_string_append_c(name, '-');
	}
	if (g_mkdir_with_parents(dir, 0700) != 0)
		pw_fail(err, PW_E_IO, "cannot create %s: %s", dir, g_strerror(errno));
	else
		path = g_strdup_printf("%s/%s-activity-%s.jsonl", dir, name->len ? name->str : "client", stamp);
	g_date_time_unref(now);
	g_free(stamp);
	g_string_free(name, TRUE);
	g_free(dir);
	return path;
}

pw_code pw_client_offboard(pw_ctx *ctx, const char *client_name, bool cancel_queued, const char *export_path,
                           pw_offboard_report *r, pw_error *err)
{
	pw_client *c = NULL;
	GPtrArray *accounts = NULL;
	pw_export_summary sum;
	pw_code rc;

	report_init(r);
	rc = pw_client_find(ctx->store, client_name, &c, err);
	if (rc == PW_OK)
		rc = pw_account_list(ctx->store, c->id, &accounts, err);
	if (rc != PW_OK)
		goto out;

	/* First make sure nothing is left waiting anywhere, before any
	 * account is touched: a refusal changes nothing. */
	if (!cancel_queued) {
		for (guint i = 0; i < accounts->len; i++) {
			GPtrArray *jobs = NULL;
			rc = waiting_jobs(ctx->store, ((pw_account *)g_ptr_array_index(accounts, i))->id, &jobs, err);
			if (rc != PW_OK)
				goto out;
			if (!r->waiting_jobs)
				r->waiting_jobs = g_ptr_array_new_with_free_func((GDestroyNotify)pw_job_free);
			while (jobs->len)
				g_ptr_array_add(r->waiting_jobs, g_ptr_array_steal_index(jobs, 0));
			g_ptr_array_unref(jobs);
		}
		if (r->waiting_jobs && r->waiting_jobs->len) {
			pw_checks_add(r->steps, "no job waiting", false, "%u waiting", r->waiting_jobs->len);
			rc = pw_fail(err, PW_E_CONFLICT,
			             "client '%s' still has %u job%s waiting to be published; cancel them with --cancel-queued "
			             "(each is logged), or publish them first. Nothing was changed",
			             c->name, r->waiting_jobs->len, r->waiting_jobs->len == 1 ? "" : "s");
			goto out;
		}
	}
	{
		cJSON *d = cJSON_CreateObject();
		char *msg = g_strdup_printf("offboarding of client '%s' started", c->name);
		pw_event ev = { .kind = "client.offboard_start", .client_id = c->id, .message = msg, .details = d };
		cJSON_AddBoolToObject(d, "cancel_queued", cancel_queued);
		rc = pw_log_record(ctx->store, &ev, err);
		cJSON_Delete(d);
		g_free(msg);
		if (rc != PW_OK)
			goto out;
	}
	for (guint i = 0; i < accounts->len; i++) {
		rc = pw_account_disconnect(ctx, ((pw_account *)g_ptr_array_index(accounts, i))->id, cancel_queued, r, err);
		if (rc != PW_OK)
			goto out;
	}

	r->export_path = export_path ? g_strdup(export_path) : default_export_path(ctx->store, c->name, err);
	if (!r->export_path) {
		rc = err->code;
		goto out;
	}
	{
		pw_log_filter f = { .client_id = c->id };
		rc = pw_export_file(ctx->store, &f, PW_EXPORT_JSONL, r->export_path, c->name, &sum, err);
		if (rc != PW_OK) {
			pw_checks_add(r->steps, "activity log exported", false, "%s", err->message);
			goto out;
		}
		pw_checks_add(r->steps, "activity log exported", true, "%lld events to %s", (long long)sum.count,
		              r->export_path);
	}

	if (!c->archived) {
		rc = pw_client_archive(ctx->store, c->name, err);
		if (rc != PW_OK)
			goto out;
	}
	pw_checks_add(r->steps, "client archived", true, "'%s'", c->name);

	rc = pw_job_count_waiting(ctx->store, c->id, &r->remaining, err);
	if (rc != PW_OK)
		goto out;
	pw_checks_add(r->steps, "no queued jobs remain", r->remaining == 0, "%lld waiting", (long long)r->remaining);
	{
		cJSON *d = cJSON_CreateObject();
		char *msg = g_strdup_printf("client '%s' offboarded: no queued jobs remain, tokens removed, log exported",
		                            c->name);
		cJSON_AddItemToObject(d, "steps", pw_checks_json(r->steps));
		pw_event ev = { .kind = "client.offboarded", .client_id = c->id, .message = msg, .details = d };
		cJSON_AddStringToObject(d, "export", r->export_path);
		rc = pw_log_record(ctx->store, &ev, err);
		cJSON_Delete(d);
		g_free(msg);
	}
out:
	if (accounts)
		g_ptr_array_unref(accounts);
	pw_client_free(c);
	return rc;
}
