#include "config.h"

#include "pinwarden/activity.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "pinwarden/timeutil.h"

/* The chain.
 *
 * hash(n) = SHA-256( prev_hash(n) || canonical(n) ), in lowercase hex, where
 * prev_hash(n) is hash(n-1), and for the first event SHA-256 of
 * "pinwarden-genesis:" followed by the workspace id. canonical(n) is
 * "pinwarden-event-v1\n" followed by each of id, at, operator, kind,
 * client_id, account_id, job_id, message and details written as
 * "<byte length>:<bytes>\n", an absent id as "-\n". Lengths make the
 * encoding unambiguous whatever the fields contain. Ids are consecutive
 * from 1, so a removed event shows as a gap even where the chain is
 * recomputed after it. meta.log_head holds the newest id and hash, so
 * that cutting events off the end is noticed too. */

static void put_field(GChecksum *sum, const char *s)
{
	char len[24];
	snprintf(len, sizeof len, "%zu:", strlen(s));
	g_checksum_update(sum, (const guchar *)len, -1);
	g_checksum_update(sum, (const guchar *)s, (gssize)strlen(s));
	g_checksum_update(sum, (const guchar *)"\n", 1);
}

static void put_id(GChecksum *sum, sqlite3_int64 id)
{
	char buf[24];
	if (id == 0) {
		g_checksum_update(sum, (const guchar *)"-\n", 2);
		return;
	}
	snprintf(buf, sizeof buf, "%lld", (long long)id);
	put_field(sum, buf);
}

void pw_log_event_hash(const char *prev_hash, const pw_event_row *row, char out[PW_HASH_HEX_LEN + 1])
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	char id[24];

	g_checksum_update(sum, (const guchar *)prev_hash, (gssize)strlen(prev_hash));
	g_checksum_update(sum, (const guchar *)"pinwarden-event-v1\n", -1);
	snprintf(id, sizeof id, "%lld", (long long)row->id);
	put_field(sum, id);
	put_field(sum, row->at);
	put_field(sum, row->operator);
	put_field(sum, row->kind);
	put_id(sum, row->client_id);
	put_id(sum, row->account_id);
	put_id(sum, row->job_id);
	put_field(sum, row->message);
	put_field(sum, row->details);
	g_strlcpy(out, g_checksum_get_string(sum), PW_HASH_HEX_LEN + 1);
	g_checksum_free(sum);
}

void pw_log_genesis(const char *workspace_id, char out[PW_HASH_HEX_LEN + 1])
{
	char *text = g_strconcat("pinwarden-genesis:", workspace_id, NULL);
	char *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
	g_strlcpy(out, hex, PW_HASH_HEX_LEN + 1);
	g_free(hex);
	g_free(text);
}

/* The newest event's id and hash, or (0, genesis) for an empty log. */
static pw_code chain_tail(pw_store *store, sqlite3_int64 *id, char hash[PW_HASH_HEX_LEN + 1], pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare_cached(store, "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1", &st, err);
	int src;

	if (rc != PW_OK)
		return rc;
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		g_strlcpy(hash, pw_col_text(st, 1), PW_HASH_HEX_LEN + 1);
	} else if (src == SQLITE_DONE) {
		*id = 0;
		pw_log_genesis(pw_store_workspace_id(store), hash);
	}
	pw_store_release(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return pw_store_fail(store, src, "reading the end of the activity log", err);
	return PW_OK;
}

static char *details_text(const pw_store *store, const cJSON *details)
{
	const pw_operator *op = pw_store_operator(store);
	cJSON *copy = details ? cJSON_Duplicate(details, 1) : cJSON_CreateObject();
	char *text;

	if (!cJSON_IsObject(copy)) {
		cJSON *wrap = cJSON_CreateObject();
		cJSON_AddItemToObject(wrap, "value", copy);
		copy = wrap;
	}
	if (op->ssh_client[0] && !cJSON_HasObjectItem(copy, "ssh_client"))
		cJSON_AddStringToObject(copy, "ssh_client", op->ssh_client);
	text = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	return text;
}

pw_code pw_log_append(pw_store *store, const pw_event *ev, sqlite3_int64 *id_out, pw_error *err)
{
	sqlite3 *db = pw_store_db(store);
	char prev[PW_HASH_HEX_LEN + 1], hash[PW_HASH_HEX_LEN + 1], at[PW_TIME_LEN];
	sqlite3_int64 last_id = 0;
	pw_event_row row;
	sqlite3_stmt *st;
	char *details;
	pw_code rc;
	int src;

	if (sqlite3_get_autocommit(db))
		return pw_fail(err, PW_E_INTERNAL, "an event was appended outside a transaction (%s)", ev->kind);
	rc = chain_tail(store, &last_id, prev, err);
	if (rc != PW_OK)
		return rc;

	pw_time_now(at);
	details = details_text(store, ev->details);
	memset(&row, 0, sizeof row);
	row.id = last_id + 1;
	row.at = at;
	row.operator = pw_store_operator(store)->name;
	row.kind = ev->kind;
	row.client_id = ev->client_id;
	row.account_id = ev->account_id;
	row.job_id = ev->job_id;
	row.message = ev->message ? ev->message : "";
	row.details = details;
	pw_log_event_hash(prev, &row, hash);

	rc = pw_store_prepare_cached(store,
	                      "INSERT INTO events (id, at, operator, kind, client_id, account_id, job_id,"
	                      " message, details, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	                      &st, err);
	if (rc != PW_OK) {
		cJSON_free(details);
		return rc;
	}
	sqlite3_bind_int64(st, 1, row.id);
	pw_bind_text(st, 2, row.at);
	pw_bind_text(st, 3, row.operator);
	pw_bind_text(st, 4, row.kind);
	pw_bind_id(st, 5, row.client_id);
	pw_bind_id(st, 6, row.account_id);
	pw_bind_id(st, 7, row.job_id);
	pw_bind_text(st, 8, row.message);
	pw_bind_text(st, 9, row.details);
	pw_bind_text(st, 10, prev);
	pw_bind_text(st, 11, hash);
	src = sqlite3_step(st);
	pw_store_release(st);
	cJSON_free(details);
	if (src != SQLITE_DONE)
		return pw_store_fail(store, src, "appending to the activity log", err);

	rc = pw_store_prepare_cached(store,
	                      "INSERT INTO meta (key, value) VALUES ('log_head', ?1)"
	                      " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	                      &st, err);
	if (rc != PW_OK)
		return rc;
	{
		char head[PW_HASH_HEX_LEN + 32];
		snprintf(head, sizeof head, "%lld:%s", (long long)row.id, hash);
		pw_bind_text(st, 1, head);
	}
	src = sqlite3_step(st);
	pw_store_release(st);
	if (src != SQLITE_DONE)
		return pw_store_fail(store, src, "recording the head of the activity log", err);
	if (id_out)
		*id_out = row.id;
	return PW_OK;
}

pw_code pw_log_record(pw_store *store, const pw_event *ev, pw_error *err)
{
	pw_code rc = pw_store_begin(store, err);
	if (rc == PW_OK)
		rc = pw_log_append(store, ev, NULL, err);
	if (rc == PW_OK)
		return pw_store_commit(store, err);
	pw_store_rollback(store);
	return rc;
}

/* ---- reading --------------------------------------------------------- */

#define EVENT_COLUMNS \
	"e.id, e.at, e.operator, e.kind, e.client_id, e.account_id, e.job_id, " \
	"coalesce(c.name, ''), e.message, e.details, e.prev_hash, e.hash"

static void read_row(sqlite3_stmt *st, pw_event_row *row)
{
	row->id = sqlite3_column_int64(st, 0);
	row->at = pw_col_text(st, 1);
	row->operator = pw_col_text(st, 2);
	row->kind = pw_col_text(st, 3);
	row->client_id = sqlite3_column_int64(st, 4);
	row->account_id = sqlite3_column_int64(st, 5);
	row->job_id = sqlite3_column_int64(st, 6);
	row->client_name = pw_col_text(st, 7);
	row->message = pw_col_text(st, 8);
	row->details = pw_col_text(st, 9);
	row->prev_hash = pw_col_text(st, 10);
	row->hash = pw_col_text(st, 11);
}

pw_code pw_log_each(pw_store *store, const pw_log_filter *filter, pw_event_fn fn, void *ud, pw_error *err)
{
	static const pw_log_filter none = { 0 };
	GString *sql = g_string_new(NULL);
	sqlite3_stmt *st;
	pw_code rc;
	int src;

	if (!filter)
		filter = &none;
	/* Only the conditions given, so that the planner can use the
	 * matching index; the newest `last` are found in descending order,
	 * then put back in order. */
	g_string_append(sql, "SELECT " EVENT_COLUMNS " FROM events e LEFT JOIN clients c ON c.id = e.client_id"
	                     " WHERE e.id > ?1");
	if (filter->client_id)
		g_string_append(sql, " AND e.client_id = ?2");
	if (filter->account_id)
		g_string_append(sql, " AND e.account_id = ?3");
	if (filter->job_id)
		g_string_append(sql, " AND e.job_id = ?4");
	if (filter->since)
		g_string_append(sql, " AND e.at >= ?5");
	if (filter->last > 0) {
		g_string_prepend(sql, "SELECT * FROM (");
		g_string_append(sql, " ORDER BY e.id DESC LIMIT ?6) ORDER BY 1");
	} else {
		g_string_append(sql, " ORDER BY e.id");
	}
	rc = pw_store_prepare(store, sql->str, &st, err);
	g_string_free(sql, TRUE);
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, filter->after_id);
	if (filter->client_id)
		sqlite3_bind_int64(st, 2, filter->client_id);
	if (filter->account_id)
		sqlite3_bind_int64(st, 3, filter->account_id);
	if (filter->job_id)
		sqlite3_bind_int64(st, 4, filter->job_id);
	if (filter->since)
		pw_bind_text(st, 5, filter->since);
	if (filter->last > 0)
		sqlite3_bind_int(st, 6, filter->last);

	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		pw_event_row row;
		read_row(st, &row);
		rc = fn(&row, ud, err);
		if (rc != PW_OK)
			break;
	}
	sqlite3_finalize(st);
	if (rc != PW_OK)
		return rc;
	if (src != SQLITE_DONE)
		return pw_store_fail(store, src, "reading the activity log", err);
	return PW_OK;
}

/* ---- verifying ------------------------------------------------------- */

typedef struct verify_state {
	pw_log_check *check;
	char expect_prev[PW_HASH_HEX_LEN + 1];
	sqlite3_int64 expect_id;
} verify_state;

static pw_code verify_row(const pw_event_row *row, void *ud, pw_error *err)
{
	verify_state *vs = ud;
	pw_log_check *c = vs->check;
	char hash[PW_HASH_HEX_LEN + 1];

	(void)err;
	if (row->id != vs->expect_id) {
		c->bad_id = row->id;
		if (row->id > vs->expect_id)
			snprintf(c->problem, sizeof c->problem,
			         "event %lld is missing: the log jumps from event %lld to %lld (removed)",
			         (long long)vs->expect_id, (long long)vs->expect_id - 1, (long long)row->id);
		else
			snprintf(c->problem, sizeof c->problem, "event ids are out of order at %lld", (long long)row->id);
		return PW_E_TAMPERED;
	}
	if (strcmp(row->prev_hash, vs->expect_prev) != 0) {
		c->bad_id = row->id;
		snprintf(c->problem, sizeof c->problem,
		         "event %lld does not follow the event before it (its previous-hash does not match): "
		         "events before it were removed, replaced or reordered",
		         (long long)row->id);
		return PW_E_TAMPERED;
	}
	pw_log_event_hash(row->prev_hash, row, hash);
	if (strcmp(hash, row->hash) != 0) {
		c->bad_id = row->id;
		snprintf(c->problem, sizeof c->problem,
		         "event %lld was altered: its content no longer matches its hash", (long long)row->id);
		return PW_E_TAMPERED;
	}
	memcpy(vs->expect_prev, row->hash, sizeof vs->expect_prev);
	vs->expect_id++;
	c->count++;
	return PW_OK;
}

static pw_code check_head(pw_store *store, verify_state *vs, pw_error *err)
{
	pw_log_check *c = vs->check;
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, "SELECT value FROM meta WHERE key = 'log_head'", &st, err);
	char *head = NULL;
	int src;

	if (rc != PW_OK)
		return rc;
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		head = pw_col_dup(st, 0);
	sqlite3_finalize(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return pw_store_fail(store, src, "reading the head of the activity log", err);

	if (c->count == 0 && !head) {
		rc = PW_OK;
	} else {
		char expect[PW_HASH_HEX_LEN + 32];
		snprintf(expect, sizeof expect, "%lld:%s", (long long)c->count, vs->expect_prev);
		if (head && strcmp(head, expect) == 0) {
			rc = PW_OK;
		} else {
			long long head_id = head ? g_ascii_strtoll(head, NULL, 10) : 0;
			c->bad_id = c->count + 1;
			if (head_id > c->count)
				snprintf(c->problem, sizeof c->problem,
				         "the log ends at event %lld but its recorded head is event %lld: "
				         "the newest events were removed",
				         (long long)c->count, head_id);
			else
				snprintf(c->problem, sizeof c->problem,
				         "the log's recorded head (%s) does not match its newest event %lld",
				         head ? head : "missing", (long long)c->count);
			rc = PW_E_TAMPERED;
		}
	}
	g_free(head);
	return rc;
}

pw_code pw_log_verify(pw_store *store, pw_log_check *check, pw_error *err)
{
	verify_state vs;
	pw_code rc;

	memset(check, 0, sizeof *check);
	memset(&vs, 0, sizeof vs);
	vs.check = check;
	vs.expect_id = 1;
	pw_log_genesis(pw_store_workspace_id(store), vs.expect_prev);

	/* One read transaction, so that events appended meanwhile by another
	 * process neither appear half-way nor move the head under us. */
	if (sqlite3_exec(pw_store_db(store), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return pw_store_fail(store, sqlite3_errcode(pw_store_db(store)), "reading the activity log", err);
	rc = pw_log_each(store, NULL, verify_row, &vs, err);
	if (rc == PW_OK)
		rc = check_head(store, &vs, err);
	sqlite3_exec(pw_store_db(store), "COMMIT", NULL, NULL, NULL);
	g_strlcpy(check->head, vs.expect_prev, sizeof check->head);
	if (rc == PW_E_TAMPERED)
		return pw_fail(err, PW_E_TAMPERED, "the activity log was tampered with at event %lld: %s",
		               (long long)check->bad_id, check->problem);
	return rc;
}
