#include "config.h"

#include "pinwarden/oncall.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "pinwarden/activity.h"
#include "pinwarden/jobs.h"
#include "pinwarden/timeutil.h"

static bool state_in(const char *state, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(state, *allowed) == 0)
			return true;
	return false;
}

/* Loads the job inside a write transaction and checks its state. */
static pw_code begin_with(pw_store *store, sqlite3_int64 id, const char *const *allowed, const char *action,
                          const char *why_not, pw_job **job, pw_error *err)
{
	pw_code rc = pw_store_begin(store, err);

	*job = NULL;
	if (rc != PW_OK)
		return rc;
	rc = pw_job_get(store, id, job, err);
	if (rc == PW_OK && !state_in((*job)->state, allowed))
		rc = pw_fail(err, PW_E_CONFLICT, "job %lld is %s, so it cannot be %s%s%s", (long long)id, (*job)->state, action,
		             why_not ? ": " : "", why_not ? why_not : "");
	if (rc != PW_OK) {
		pw_store_rollback(store);
		pw_job_free(*job);
		*job = NULL;
	}
	return rc;
}

/* Runs the change (?1 the job, ?2 now, ?3 `text`), logs, commits. */
static pw_code finish(pw_store *store, pw_job *j, const char *sql, const char *text, const char *kind,
                      const char *msg, cJSON *details, pw_error *err)
{
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	pw_code rc = pw_store_prepare(store, sql, &st, err);

	pw_time_now(now);
	if (rc == PW_OK) {
		sqlite3_bind_int64(st, 1, j->id);
		pw_bind_text(st, 2, now);
		if (text)
			pw_bind_text(st, 3, text);
		rc = pw_store_step_done(store, st, "changing the job", err);
	}
	if (rc == PW_OK) {
		pw_event ev = { .kind = kind, .client_id = j->client_id, .account_id = j->account_id, .job_id = j->id,
		                .message = msg, .details = details };
		cJSON_AddStringToObject(details, "was", j->state);
		rc = pw_log_append(store, &ev, NULL, err);
	}
	cJSON_Delete(details);
	if (rc == PW_OK)
		rc = pw_store_commit(store, err);
	else
		pw_store_rollback(store);
	pw_job_free(j);
	return rc;
}

pw_code pw_job_retry(pw_store *store, sqlite3_int64 id, pw_error *err)
{
	static const char *const allowed[] = { "failed", "cancelled", NULL };
	pw_job *j;
	char *msg;
	pw_code rc = begin_with(store, id, allowed, "retried",
	                        "only a failed or cancelled job can; an unknown one may already be on Pinterest, so "
	                        "resolve it first ('pinwarden job resolve')",
	                        &j, err);
	if (rc != PW_OK)
		return rc;
	msg = g_strdup_printf("job %lld queued again by an operator (was %s)", (long long)id, j->state);
	rc = finish(store, j,
	            "UPDATE jobs SET state = 'queued', next_attempt_at = ?2, scheduled_at = max(scheduled_at, ?2),"
	            " updated_at = ?2 WHERE id = ?1",
	            NULL, "job.retry", msg, cJSON_CreateObject(), err);
	g_free(msg);
	return rc;
}

pw_code pw_job_cancel(pw_store *store, sqlite3_int64 id, pw_error *err)
{
	static const char *const allowed[] = { "queued", "retrying", "paused", "unknown", NULL };
	pw_job *j;
	char *msg;
	pw_code rc = begin_with(store, id, allowed, "cancelled",
	                        "a job being sent right now cannot be taken back, and a published, failed or cancelled "
	                        "one is already settled",
	                        &j, err);
	if (rc != PW_OK)
		return rc;
	msg = g_strdup_printf("job %lld cancelled by an operator (was %s)", (long long)id, j->state);
	rc = finish(store, j, "UPDATE jobs SET state = 'cancelled', next_attempt_at = NULL, updated_at = ?2 WHERE id = ?1",
	            NULL, "job.cancel", msg, cJSON_CreateObject(), err);
	g_free(msg);
	return rc;
}

pw_code pw_job_reschedule(pw_store *store, sqlite3_int64 id, const char *when_text, pw_error *err)
{
	static const char *const allowed[] = { "queued", "retrying", "paused", NULL };
	char when[PW_TIME_LEN], now[PW_TIME_LEN];
	pw_job *j;
	cJSON *d;
	char *msg, *shown;
	pw_code rc = pw_time_parse(when_text, when, err);

	if (rc != PW_OK)
		return rc;
	pw_time_now(now);
	if (strcmp(when, now) < 0)
		return pw_fail(err, PW_E_INVALID, "that time is in the past; give a time to come");
	rc = begin_with(store, id, allowed, "rescheduled", "only a job still waiting can", &j, err);
	if (rc != PW_OK)
		return rc;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "from", j->scheduled_at);
	cJSON_AddStringToObject(d, "to", when);
	shown = pw_time_to_local(when);
	msg = g_strdup_printf("job %lld rescheduled to %s by an operator", (long long)id, shown);
	/* A paused job stays paused: its account must be reconnected first. */
	rc = finish(store, j,
	            "UPDATE jobs SET scheduled_at = ?3, next_attempt_at = ?3,"
	            " state = CASE state WHEN 'paused' THEN 'paused' ELSE 'queued' END, updated_at = ?2 WHERE id = ?1",
	            when, "job.reschedule", msg, d, err);
	g_free(msg);
	g_free(shown);
	return rc;
}

pw_code pw_job_resolve(pw_store *store, sqlite3_int64 id, const char *pin_id, pw_error *err)
{
	static const char *const allowed[] = { "unknown", NULL };
	pw_job *j;
	cJSON *d;
	char *msg;
	pw_code rc;

	if (pin_id) {
		bool digits = *pin_id != '\0';
		for (const char *p = pin_id; *p; p++)
			digits = digits && g_ascii_isdigit(*p);
		if (!digits)
			return pw_fail(err, PW_E_INVALID, "'%s' is not a Pin id: Pin ids are digits, as in the Pin's address",
			               pin_id);
	}
	rc = begin_with(store, id, allowed, "resolved", "only a job whose outcome is unknown needs resolving", &j, err);
	if (rc != PW_OK)
		return rc;
	d = cJSON_CreateObject();
	if (pin_id) {
		cJSON_AddStringToObject(d, "pin_id", pin_id);
		msg = g_strdup_printf("job %lld resolved by an operator: published as Pin %s", (long long)id, pin_id);
		rc = finish(store, j,
		            "UPDATE jobs SET state = 'published', pin_id = ?3, next_attempt_at = NULL, last_error = NULL,"
		            " updated_at = ?2 WHERE id = ?1",
		            pin_id, "job.resolve", msg, d, err);
	} else {
		msg = g_strdup_printf("job %lld resolved by an operator: not published", (long long)id);
		rc = finish(store, j,
		            "UPDATE jobs SET state = 'failed', next_attempt_at = NULL,"
		            " last_error = 'an operator found it was not published', updated_at = ?2 WHERE id = ?1",
		            NULL, "job.resolve", msg, d, err);
	}
	g_free(msg);
	return rc;
}
