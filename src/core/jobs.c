#include "config.h"

#include "pinwarden/jobs.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "pinwarden/activity.h"
#include "pinwarden/timeutil.h"

const char *const pw_job_states[] = {
	"queued", "sending", "retrying", "paused", "published", "failed", "unknown", "cancelled", NULL,
};

bool pw_job_state_valid(const char *state)
{
	for (const char *const *s = pw_job_states; *s; s++)
		if (strcmp(*s, state) == 0)
			return true;
	return false;
}

void pw_job_free(pw_job *j)
{
	if (!j)
		return;
	g_free(j->client_name);
	g_free(j->account_username);
	g_free(j->board_name);
	g_free(j->board_pinterest_id);
	g_free(j->title);
	g_free(j->description);
	g_free(j->link);
	g_free(j->alt_text);
	g_free(j->image_url);
	g_free(j->image_path);
	g_free(j->board_section_id);
	g_free(j->image_sha256);
	g_free(j->attempt_started_at);
	g_free(j->scheduled_at);
	g_free(j->state);
	g_free(j->next_attempt_at);
	g_free(j->pin_id);
	g_free(j->last_error);
	g_free(j->requested_by);
	g_free(j->created_at);
	g_free(j->updated_at);
	g_free(j);
}

#define JOB_QUERY \
	"SELECT j.id, j.client_id, j.account_id, j.board_id, c.name," \
	" coalesce(a.username, a.expected_username), b.name, b.pinterest_id," \
	" j.title, j.description, j.link, j.alt_text, j.image_url, j.image_path, j.scheduled_at, j.state," \
	" j.attempts, j.next_attempt_at, j.pin_id, j.last_error, j.requested_by, j.created_at, j.updated_at," \
	" j.board_section_id, j.image_sha256, j.attempt_started_at" \
	" FROM jobs j JOIN clients c ON c.id = j.client_id JOIN accounts a ON a.id = j.account_id" \
	" JOIN boards b ON b.id = j.board_id"

static pw_job *read_job(sqlite3_stmt *st)
{
	pw_job *j = g_new0(pw_job, 1);
	j->id = sqlite3_column_int64(st, 0);
	j->client_id = sqlite3_column_int64(st, 1);
	j->account_id = sqlite3_column_int64(st, 2);
	j->board_id = sqlite3_column_int64(st, 3);
	j->client_name = pw_col_dup(st, 4);
	j->account_username = pw_col_dup(st, 5);
	j->board_name = pw_col_dup(st, 6);
	j->board_pinterest_id = pw_col_dup(st, 7);
	j->title = pw_col_dup(st, 8);
	j->description = pw_col_dup(st, 9);
	j->link = pw_col_dup(st, 10);
	j->alt_text = pw_col_dup(st, 11);
	j->image_url = pw_col_dup(st, 12);
	j->image_path = pw_col_dup(st, 13);
	j->scheduled_at = pw_col_dup(st, 14);
	j->state = pw_col_dup(st, 15);
	j->attempts = sqlite3_column_int64(st, 16);
	j->next_attempt_at = pw_col_dup(st, 17);
	j->pin_id = pw_col_dup(st, 18);
	j->last_error = pw_col_dup(st, 19);
	j->requested_by = pw_col_dup(st, 20);
	j->created_at = pw_col_dup(st, 21);
	j->updated_at = pw_col_dup(st, 22);
	j->board_section_id = pw_col_dup(st, 23);
	j->image_sha256 = pw_col_dup(st, 24);
	j->attempt_started_at = pw_col_dup(st, 25);
	return j;
}

pw_code pw_job_list(pw_store *store, const pw_job_filter *f, GPtrArray **out, pw_error *err)
{
	sqlite3_stmt *st;
	GPtrArray *list;
	GString *sql = g_string_new(JOB_QUERY " WHERE (?1 IS NULL OR j.client_id = ?1)");
	gchar **states = f && f->state ? g_strsplit(f->state, ",", -1) : NULL;
	pw_code rc;
	int src;

	*out = NULL;
	/* States as an IN list, so that the state index finds them instead
	 * of a scan of the whole queue (the worker asks every few seconds). */
	if (states) {
		g_string_append(sql, " AND j.state IN (");
		for (int i = 0; states[i]; i++)
			g_string_append_printf(sql, "%s?%d", i ? ", " : "", i + 3);
		g_string_append_c(sql, ')');
	}
	g_string_append(sql, " ORDER BY j.scheduled_at, j.id LIMIT ?2");
	rc = pw_store_prepare(store, sql->str, &st, err);
	g_string_free(sql, TRUE);
	if (rc != PW_OK) {
		g_strfreev(states);
		return rc;
	}
	pw_bind_id(st, 1, f ? f->client_id : 0);
	sqlite3_bind_int(st, 2, f && f->limit > 0 ? f->limit : -1);
	for (int i = 0; states && states[i]; i++)
		pw_bind_text(st, i + 3, g_strstrip(states[i]));
	g_strfreev(states);
	list = g_ptr_array_new_with_free_func((GDestroyNotify)pw_job_free);
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, read_job(st));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		g_ptr_array_unref(list);
		return pw_store_fail(store, src, "listing the jobs", err);
	}
	*out = list;
	return PW_OK;
}

pw_code pw_job_get(pw_store *store, sqlite3_int64 id, pw_job **out, pw_error *err)
{
	sqlite3_stmt *st;
	/* Read for every job the worker sends: the statement is kept. */
	pw_code rc = pw_store_prepare_cached(store, JOB_QUERY " WHERE j.id = ?1", &st, err);
	int src;

	*out = NULL;
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		*out = read_job(st);
	pw_store_release(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return pw_store_fail(store, src, "reading the job", err);
	if (!*out)
		return pw_fail(err, PW_E_NOT_FOUND, "there is no job %lld; 'pinwarden job list' shows them", (long long)id);
	return PW_OK;
}

pw_code pw_job_count_waiting(pw_store *store, sqlite3_int64 client_id, sqlite3_int64 *count, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store,
	                              "SELECT count(*) FROM jobs WHERE client_id = ?1"
	                              " AND state IN " PW_JOB_WAITING_SQL,
	                              &st, err);
	int src;

	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, client_id);
	src = sqlite3_step(st);
	*count = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (src != SQLITE_ROW)
		return pw_store_fail(store, src, "counting the client's jobs", err);
	return PW_OK;
}

pw_code pw_job_resume_paused(pw_store *store, sqlite3_int64 client_id, sqlite3_int64 account_id,
                             const char *account_name, const char *why, pw_error *err)
{
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	cJSON *ids = cJSON_CreateArray();
	pw_code rc = pw_store_prepare(store,
	                              "UPDATE jobs SET state = 'queued', updated_at = ?2 WHERE account_id = ?1"
	                              " AND state = 'paused' RETURNING id",
	                              &st, err);
	int src = SQLITE_DONE;

	if (rc == PW_OK) {
		pw_time_now(now);
		sqlite3_bind_int64(st, 1, account_id);
		pw_bind_text(st, 2, now);
		while ((src = sqlite3_step(st)) == SQLITE_ROW)
			cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)sqlite3_column_int64(st, 0)));
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			rc = pw_store_fail(store, src, "resuming the account's paused jobs", err);
	}
	if (rc == PW_OK && cJSON_GetArraySize(ids) > 0) {
		cJSON *d = cJSON_CreateObject();
		char *msg = g_strdup_printf("%d paused job(s) of account '%s' queued again after %s", cJSON_GetArraySize(ids),
		                            account_name, why);
		pw_event ev = { .kind = "account.jobs_resumed", .client_id = client_id, .account_id = account_id,
		                .message = msg, .details = d };
		cJSON_AddItemToObject(d, "jobs", ids);
		ids = NULL;
		rc = pw_log_append(store, &ev, NULL, err);
		cJSON_Delete(d);
		g_free(msg);
	}
	cJSON_Delete(ids);
	return rc;
}
