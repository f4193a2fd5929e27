/* sources.c: the SQL behind each pane. Every read is one page next to a
 * row already on screen (keyset paging on an index), so a pane costs the
 * same in a queue of ten jobs or of two hundred thousand. */
#include "config.h"

#include <string.h>

#include "tui.h"

#include "pinwarden/jobs.h"
#include "pinwarden/timeutil.h"
#include "pinwarden/tokens.h"

const state_group tui_state_groups[] = {
	{ "open", "('queued', 'sending', 'retrying', 'paused', 'failed', 'unknown')" },
	{ "needs attention", "('failed', 'unknown', 'paused')" },
	{ "failed", "('failed')" },
	{ "unknown", "('unknown')" },
	{ "paused", "('paused')" },
	{ "retrying", "('retrying')" },
	{ "queued", "('queued', 'sending')" },
	{ "published", "('published')" },
	{ "cancelled", "('cancelled')" },
	{ "all states", NULL },
};
const int tui_state_group_count = (int)G_N_ELEMENTS(tui_state_groups);

void row_free(gpointer p)
{
	row *r = p;
	if (!r)
		return;
	g_free(r->sort);
	for (int i = 0; i < ROW_CELLS; i++)
		g_free(r->cell[i]);
	g_free(r);
}

typedef struct binds {
	sqlite3_int64 client_id, account_id;
	const char *text, *kind, *kind_prefix, *operator_name, *state;
} binds;

typedef void (*fill_fn)(pw_console *c, sqlite3_stmt *st, row *r);

/* Page and count queries are few shapes (pane, direction, filters; the
 * values are bound), so they stay prepared (pw_store_prepare_cached)
 * rather than being parsed again for every page.
 *
 * What a pane reads: `columns` yields the sort text, the id, then what
 * fill() turns into cells; `from` ends in a WHERE clause's first term, to
 * which where() adds the pane's filters (returning false when the pane
 * must show nothing, such as accounts with no client selected). Keyset
 * conditions and order are added here, so that each pane states only
 * what it reads. */
typedef struct table {
	const char *columns;
	const char *from;
	const char *sort_expr;     /* NULL: the id alone orders the rows */
	const char *id_expr;
	bool (*where)(pw_console *c, const pane *p, const char *one_state, GString *where, binds *b);
	fill_fn fill;
} table;

static void bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0 && v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void bind_named_int(sqlite3_stmt *st, const char *name, sqlite3_int64 v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0 && v)
		sqlite3_bind_int64(st, i, v);
}

static void bind_filters(sqlite3_stmt *st, const binds *b)
{
	bind_named_int(st, ":client", b->client_id);
	bind_named_int(st, ":account", b->account_id);
	bind_named_text(st, ":text", b->text);
	bind_named_text(st, ":kind", b->kind);
	bind_named_text(st, ":kindprefix", b->kind_prefix);
	bind_named_text(st, ":operator", b->operator_name);
	bind_named_text(st, ":state", b->state);
}

static pw_code table_fetch(pw_console *c, const table *t, const pane *p, const char *one_state, const row *from,
                           bool forward, bool inclusive, int n, GPtrArray *out, pw_error *err)
{
	const char *dir = forward ? "ASC" : "DESC";
	const char *op = forward ? (inclusive ? ">=" : ">") : (inclusive ? "<=" : "<");
	GString *sql = g_string_new(t->columns);
	binds b = { 0 };
	sqlite3_stmt *st = NULL;
	pw_code rc;
	int s;

	g_string_append(sql, t->from);
	if (!t->where(c, p, one_state, sql, &b)) {
		g_string_free(sql, TRUE);
		return PW_OK;
	}
	if (from && t->sort_expr)
		g_string_append_printf(sql, " AND (%s, %s) %s (:ksort, :kid)", t->sort_expr, t->id_expr, op);
	else if (from)
		g_string_append_printf(sql, " AND %s %s :kid", t->id_expr, op);
	if (t->sort_expr)
		g_string_append_printf(sql, " ORDER BY %s %s, %s %s", t->sort_expr, dir, t->id_expr, dir);
	else
		g_string_append_printf(sql, " ORDER BY %s %s", t->id_expr, dir);
	g_string_append(sql, " LIMIT :n");

	rc = pw_store_prepare_cached(c->store, sql->str, &st, err);
	g_string_free(sql, TRUE);
	if (rc != PW_OK)
		return rc;
	if (from) {
		bind_named_text(st, ":ksort", from->sort ? from->sort : "");
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":kid"), from->id);
	}
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":n"), n);
	bind_filters(st, &b);

	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		row *r = g_new0(row, 1);
		r->sort = g_strdup(pw_col_text(st, 0));
		r->id = sqlite3_column_int64(st, 1);
		r->state_cell = -1;
		t->fill(c, st, r);
		g_ptr_array_add(out, r);
	}
	if (s != SQLITE_DONE)
		rc = pw_store_fail(c->store, s, "reading a page for the console", err);
	pw_store_release(st);
	return rc;
}

static sqlite3_int64 table_count(pw_console *c, const table *t, const pane *p)
{
	/* Counting stops past TUI_COUNT_CAP, so that a pane's title costs the
	 * same in a queue of hundreds of thousands as in a small one. */
	GString *sql = g_string_new("SELECT count(*) FROM (SELECT 1");
	sqlite3_stmt *st = NULL;
	sqlite3_int64 n = -1;
	binds b = { 0 };

	g_string_append(sql, t->from);
	if (!t->where(c, p, NULL, sql, &b)) {
		g_string_free(sql, TRUE);
		return 0;
	}
	g_string_append_printf(sql, " LIMIT %d)", TUI_COUNT_CAP + 1);
	if (pw_store_prepare_cached(c->store, sql->str, &st, NULL) == PW_OK) {
		bind_filters(st, &b);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		pw_store_release(st);
	}
	g_string_free(sql, TRUE);
	return n;
}

/* A name filter: words in `expr`, lower-cased. */
static void name_filter(const pane *p, const char *expr, GString *where, binds *b)
{
	if (p->filter.text) {
		g_string_append_printf(where, " AND instr(lower(%s), :text) > 0", expr);
		b->text = p->filter.text;
	}
}

/* What a short time looks like in a narrow column: local "12-24 09:00". */
static char *short_time(const char *stored)
{
	char *local = pw_time_to_local(stored);
	char *out;
	/* "2026-12-24 09:00:00" -> "12-24 09:00" */
	if (strlen(local) >= 16 && local[4] == '-')
		out = g_strndup(local + 5, 11);
	else
		out = g_strdup(local);
	g_free(local);
	return out;
}

static pw_theme_element job_state_el(const char *state, bool *alarm, bool *dim)
{
	*alarm = false;
	*dim = false;
	if (strcmp(state, "published") == 0)
		return PW_EL_STATE_GOOD;
	if (strcmp(state, "failed") == 0) {
		*alarm = true;
		return PW_EL_STATE_FAILED;
	}
	if (strcmp(state, "unknown") == 0) {
		*alarm = true;
		return PW_EL_STATE_UNKNOWN;
	}
	if (strcmp(state, "paused") == 0)
		return PW_EL_STATE_PAUSED;
	if (strcmp(state, "cancelled") == 0) {
		*dim = true;
		return PW_EL_STATE_GONE;
	}
	return PW_EL_STATE_WAITING;
}

static pw_theme_element account_state_el(const char *state)
{
	if (strcmp(state, "verified") == 0)
		return PW_EL_STATE_GOOD;
	if (strcmp(state, "mismatch") == 0)
		return PW_EL_STATE_FAILED;
	if (strcmp(state, "needs_reconnect") == 0)
		return PW_EL_STATE_PAUSED;
	if (strcmp(state, "disconnected") == 0)
		return PW_EL_STATE_GONE;
	return PW_EL_STATE_WAITING;
}

/* ---- clients ---- */

static bool clients_where(pw_console *c, const pane *p, const char *one_state, GString *where, binds *b)
{
	(void)c;
	(void)one_state;
	name_filter(p, "c.name", where, b);
	return true;
}

static void clients_fill(pw_console *c, sqlite3_stmt *st, row *r)
{
	sqlite3_int64 verified = sqlite3_column_int64(st, 4), accounts = sqlite3_column_int64(st, 5);
	sqlite3_int64 alarms = sqlite3_column_int64(st, 6);
	(void)c;
	r->cell[0] = g_strdup(pw_col_text(st, 2));
	r->dim = sqlite3_column_int(st, 3) != 0;
	if (r->dim)
		r->cell[1] = g_strdup("archived");
	else
		r->cell[1] = g_strdup_printf("%lld/%lld", (long long)verified, (long long)accounts);
	if (alarms > 0) {
		r->cell[2] = g_strdup_printf("%lld!", (long long)alarms);
		r->state_cell = 2;
		r->state_el = PW_EL_STATE_FAILED;
		r->alarm = true;
	} else {
		r->cell[2] = g_strdup("");
	}
}

static const table clients_table = {
	.columns = "SELECT lower(c.name), c.id, c.name, c.archived,"
	           " (SELECT count(*) FROM accounts a WHERE a.client_id = c.id AND a.state = 'verified'),"
	           " (SELECT count(*) FROM accounts a WHERE a.client_id = c.id),"
	           " (SELECT count(*) FROM jobs j WHERE j.client_id = c.id AND j.state IN ('failed', 'unknown'))",
	.from = " FROM clients c WHERE 1",
	.sort_expr = "lower(c.name)",
	.id_expr = "c.id",
	.where = clients_where,
	.fill = clients_fill,
};

static void clients_columns(int width, int w[ROW_CELLS])
{
	w[0] = -1;
	w[1] = width >= 30 ? 8 : 0;
	w[2] = 4;
}

/* ---- accounts of the selected client ---- */

static bool accounts_where(pw_console *c, const pane *p, const char *one_state, GString *where, binds *b)
{
	(void)one_state;
	b->client_id = c->client_id;
	name_filter(p, "coalesce(a.username, a.expected_username)", where, b);
	return c->client_id != 0;
}

static void accounts_fill(pw_console *c, sqlite3_stmt *st, row *r)
{
	const char *state = pw_col_text(st, 3);
	int days;
	(void)c;
	r->cell[0] = g_strdup(pw_col_text(st, 2));
	/* Short enough for a narrow pane; the details view says it in full. */
	r->cell[1] = g_strdup(strcmp(state, "needs_reconnect") == 0 ? "reconnect" : state);
	r->state_cell = 1;
	r->state_el = account_state_el(state);
	r->alarm = strcmp(state, "mismatch") == 0 || strcmp(state, "needs_reconnect") == 0;
	r->dim = strcmp(state, "disconnected") == 0;
	/* Token health: days left on the refresh token, after which the
	 * client must approve again. */
	if (sqlite3_column_type(st, 4) == SQLITE_NULL || !pw_tokens_days_left(pw_col_text(st, 4), &days))
		r->cell[2] = g_strdup("");
	else if (days < 0)
		r->cell[2] = g_strdup("expired");
	else
		r->cell[2] = g_strdup_printf("%dd", days);
	if (sqlite3_column_int64(st, 5) > 0)
		r->cell[3] = g_strdup_printf("%lld job%s", (long long)sqlite3_column_int64(st, 5),
		                             sqlite3_column_int64(st, 5) == 1 ? "" : "s");
	else
		r->cell[3] = g_strdup("");
}

static const table accounts_table = {
	.columns = "SELECT lower(coalesce(a.username, a.expected_username)), a.id,"
	           " coalesce(a.username, a.expected_username), a.state, a.refresh_expires_at,"
	           " (SELECT count(*) FROM jobs j WHERE j.account_id = a.id AND j.state IN " PW_JOB_WAITING_SQL ")",
	.from = " FROM accounts a WHERE a.client_id = :client",
	.sort_expr = "lower(coalesce(a.username, a.expected_username))",
	.id_expr = "a.id",
	.where = accounts_where,
	.fill = accounts_fill,
};

static void accounts_columns(int width, int w[ROW_CELLS])
{
	w[0] = -1;
	w[1] = 12;
	w[2] = width >= 36 ? 7 : 0;
	w[3] = width >= 48 ? 8 : 0;
}

/* ---- boards of the selected account ---- */

static bool boards_where(pw_console *c, const pane *p, const char *one_state, GString *where, binds *b)
{
	(void)one_state;
	b->account_id = c->account_id;
	name_filter(p, "b.name", where, b);
	return c->account_id != 0;
}

static void boards_fill(pw_console *c, sqlite3_stmt *st, row *r)
{
	bool in_scope = sqlite3_column_int(st, 3) != 0;
	(void)c;
	r->cell[0] = g_strdup(pw_col_text(st, 2));
	r->cell[1] = g_strdup(in_scope ? "in scope" : "out");
	r->state_cell = 1;
	r->state_el = in_scope ? PW_EL_STATE_GOOD : PW_EL_STATE_GONE;
	r->dim = !in_scope;
	r->cell[2] = g_strdup(pw_col_text(st, 4));
}

static const table boards_table = {
	.columns = "SELECT lower(b.name), b.id, b.name, b.in_scope, coalesce(b.privacy, '')",
	.from = " FROM boards b WHERE b.account_id = :account",
	.sort_expr = "lower(b.name)",
	.id_expr = "b.id",
	.where = boards_where,
	.fill = boards_fill,
};

static void boards_columns(int width, int w[ROW_CELLS])
{
	w[0] = -1;
	w[1] = 8;
	w[2] = width >= 40 ? 9 : 0;
}

/* ---- the queue ---- */

/* The queue's filters; the board, account and client a job names are
 * looked up per row, by primary key, only for the rows on screen. */
static bool queue_where(pw_console *c, const pane *p, const char *one_state, GString *where, binds *b)
{
	sqlite3_int64 client = p->filter.client_id ? p->filter.client_id : (p->all_clients ? 0 : c->client_id);
	const state_group *g = &tui_state_groups[p->state_group];

	if (!p->all_clients && !p->filter.client_id && !c->client_id)
		return false; /* "the selected client" with none selected */
	if (client) {
		g_string_append(where, " AND j.client_id = :client");
		b->client_id = client;
	}
	if (one_state) {
		g_string_append(where, " AND j.state = :state");
		b->state = one_state;
	} else if (p->filter.state) {
		g_string_append(where, " AND j.state = :state");
		b->state = p->filter.state;
	} else if (g->sql) {
		g_string_append_printf(where, " AND j.state IN %s", g->sql);
	}
	if (p->filter.text) {
		g_string_append(where,
		                " AND (instr(lower(j.title), :text) > 0"
		                " OR instr(lower((SELECT name FROM boards WHERE id = j.board_id)), :text) > 0"
		                " OR instr(lower((SELECT coalesce(username, expected_username) FROM accounts"
		                " WHERE id = j.account_id)), :text) > 0)");
		b->text = p->filter.text;
	}
	return true;
}

static void queue_fill(pw_console *c, sqlite3_stmt *st, row *r)
{
	const char *state = pw_col_text(st, 6);
	bool alarm, dim;
	(void)c;
	r->cell[0] = short_time(pw_col_text(st, 2));
	r->cell[1] = g_strdup(pw_col_text(st, 3));
	r->cell[2] = g_strdup_printf("%s \xe2\x86\x92 %s", pw_col_text(st, 4), pw_col_text(st, 5));
	r->state_el = job_state_el(state, &alarm, &dim);
	r->alarm = alarm;
	r->dim = dim;
	/* Failed and unknown are in capitals, so they stand out without colour. */
	r->cell[3] = alarm ? g_ascii_strup(state, -1) : g_strdup(state);
	r->state_cell = 3;
	r->cell[4] = g_strdup_printf("%lld", (long long)sqlite3_column_int64(st, 7));
	r->cell[5] = g_strdup(pw_col_text(st, 8));
}

static const table queue_table = {
	.columns = "SELECT j.scheduled_at, j.id, j.scheduled_at,"
	           " (SELECT name FROM clients WHERE id = j.client_id),"
	           " (SELECT coalesce(username, expected_username) FROM accounts WHERE id = j.account_id),"
	           " (SELECT name FROM boards WHERE id = j.board_id),"
	           " j.state, j.attempts, j.title",
	.from = " FROM jobs j WHERE 1",
	.sort_expr = "j.scheduled_at",
	.id_expr = "j.id",
	.where = queue_where,
	.fill = queue_fill,
};

static int row_order(const row *a, const row *b)
{
	int d = strcmp(a->sort, b->sort);
	return d ? d : (a->id > b->id) - (a->id < b->id);
}

static int row_order_fwd(gconstpointer a, gconstpointer b)
{
	return row_order(*(row *const *)a, *(row *const *)b);
}

static int row_order_back(gconstpointer a, gconstpointer b)
{
	return row_order(*(row *const *)b, *(row *const *)a);
}

/* A group of states is read one state at a time, each page from the
 * index in order, and the pages merged: SQLite would otherwise sort every
 * job of the group past the key for each page. */
static void key_only_fill(pw_console *c, sqlite3_stmt *st, row *r)
{
	(void)c;
	(void)st;
	(void)r;
}

/* The queue's keys alone: an index-only read, for merging. */
static const table queue_keys_table = {
	.columns = "SELECT j.scheduled_at, j.id",
	.from = " FROM jobs j WHERE 1",
	.sort_expr = "j.scheduled_at",
	.id_expr = "j.id",
	.where = queue_where,
	.fill = key_only_fill,
};

/* A group of states is read one state at a time, each from the index in
 * order, keys only; the keys are merged, and only the rows that make the
 * page are read in full. SQLite would otherwise sort every job of the
 * group past the key for each page. */
static pw_code queue_fetch(pw_console *c, const pane *p, const row *from, bool forward, bool inclusive, int n,
                           GPtrArray *out, pw_error *err)
{
	const state_group *g = &tui_state_groups[p->state_group];
	GPtrArray *keys;
	GString *sql;
	gchar **states;
	sqlite3_stmt *st = NULL;
	pw_code rc = PW_OK;
	guint take;
	int s;

	if (p->filter.state || !g->sql || !strchr(g->sql, ','))
		return table_fetch(c, &queue_table, p, NULL, from, forward, inclusive, n, out, err);
	keys = g_ptr_array_new_with_free_func(row_free);
	states = g_strsplit_set(g->sql, "(), '", -1);
	for (int i = 0; states[i] && rc == PW_OK; i++)
		if (*states[i])
			rc = table_fetch(c, &queue_keys_table, p, states[i], from, forward, inclusive, n, keys, err);
	g_strfreev(states);
	if (rc != PW_OK || keys->len == 0) {
		g_ptr_array_free(keys, TRUE);
		return rc;
	}
	g_ptr_array_sort(keys, forward ? row_order_fwd : row_order_back);
	take = MIN(keys->len, (guint)n);

	/* The page's rows in full, put in the merged order. */
	sql = g_string_new(queue_table.columns);
	g_string_append(sql, " FROM jobs j WHERE j.id IN (");
	for (guint i = 0; i < take; i++)
		g_string_append_printf(sql, "%s%lld", i ? ", " : "", (long long)((row *)keys->pdata[i])->id);
	g_string_append_c(sql, ')');
	rc = pw_store_prepare(c->store, sql->str, &st, err);
	g_string_free(sql, TRUE);
	if (rc == PW_OK) {
		GHashTable *full = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, row_free);
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			row *r = g_new0(row, 1);
			r->sort = g_strdup(pw_col_text(st, 0));
			r->id = sqlite3_column_int64(st, 1);
			r->state_cell = -1;
			queue_fill(c, st, r);
			g_hash_table_insert(full, &r->id, r);
		}
		if (s != SQLITE_DONE)
			rc = pw_store_fail(c->store, s, "reading a page for the console", err);
		sqlite3_finalize(st);
		for (guint i = 0; rc == PW_OK && i < take; i++) {
			sqlite3_int64 id = ((row *)keys->pdata[i])->id;
			row *r = g_hash_table_lookup(full, &id);
			if (r) {
				g_hash_table_steal(full, &id);
				g_ptr_array_add(out, r);
			}
		}
		g_hash_table_destroy(full);
	}
	g_ptr_array_free(keys, TRUE);
	return rc;
}

static sqlite3_int64 queue_count(pw_console *c, const pane *p)
{
	return table_count(c, &queue_table, p);
}

/* The client is never dropped: a job is read as "whose, where". */
static void queue_columns(int width, int w[ROW_CELLS])
{
	w[0] = 11;
	w[1] = width >= 70 ? 14 : 10;
	w[2] = -1;
	w[3] = 9;
	w[4] = 2;
	w[5] = width >= 90 ? MIN(width / 5, 40) : 0;
}

/* ---- the activity log ---- */

static bool log_where(pw_console *c, const pane *p, const char *one_state, GString *where, binds *b)
{
	sqlite3_int64 client = p->filter.client_id ? p->filter.client_id : (p->all_clients ? 0 : c->client_id);

	(void)one_state;
	if (!p->all_clients && !p->filter.client_id && !c->client_id)
		return false;
	if (client) {
		g_string_append(where, " AND e.client_id = :client");
		b->client_id = client;
	}
	if (p->filter.kind) {
		g_string_append(where, " AND (e.kind = :kind OR substr(e.kind, 1, length(:kindprefix)) = :kindprefix)");
		b->kind = p->filter.kind;
		b->kind_prefix = g_str_has_suffix(p->filter.kind, ".") ? p->filter.kind : "\x01";
	}
	if (p->filter.operator_name) {
		g_string_append(where, " AND e.operator = :operator");
		b->operator_name = p->filter.operator_name;
	}
	if (p->filter.text) {
		g_string_append(where, " AND instr(lower(e.message), :text) > 0");
		b->text = p->filter.text;
	}
	return true;
}

static sqlite3_int64 count_rows_max_id(pw_console *c)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 m = -1;
	if (pw_store_prepare(c->store, "SELECT coalesce(max(id), 0) FROM events", &st, NULL) == PW_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			m = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return m;
}

/* Events someone must act on are marked like failed jobs; warnings that
 * the worker or the client will settle are coloured as paused. */
static pw_theme_element log_kind_el(const char *kind, bool *alarm)
{
	static const char *const failed[] = { "job.failed", "account.mismatch", "account.connect_refused",
		                              "account.connect_failed" };
	static const char *const warning[] = { "job.paused", "job.attempt_failed", "account.needs_reconnect",
		                               "account.connect_denied", "account.connect_expired" };
	static const char *const good[] = { "job.published", "job.reconciled", "account.connected" };

	*alarm = false;
	for (guint i = 0; i < G_N_ELEMENTS(failed); i++)
		if (strcmp(kind, failed[i]) == 0) {
			*alarm = true;
			return PW_EL_STATE_FAILED;
		}
	if (strcmp(kind, "job.unknown") == 0) {
		*alarm = true;
		return PW_EL_STATE_UNKNOWN;
	}
	for (guint i = 0; i < G_N_ELEMENTS(warning); i++)
		if (strcmp(kind, warning[i]) == 0)
			return PW_EL_STATE_PAUSED;
	for (guint i = 0; i < G_N_ELEMENTS(good); i++)
		if (strcmp(kind, good[i]) == 0)
			return PW_EL_STATE_GOOD;
	return PW_EL_LOG_KIND;
}

static void log_fill(pw_console *c, sqlite3_stmt *st, row *r)
{
	const char *kind = pw_col_text(st, 4);
	(void)c;
	r->cell[0] = short_time(pw_col_text(st, 2));
	r->cell[1] = g_strdup(pw_col_text(st, 3));
	r->cell[2] = g_strdup(kind);
	r->state_cell = 2;
	r->state_el = log_kind_el(kind, &r->alarm);
	r->cell[3] = g_strdup(pw_col_text(st, 5));
	r->cell[4] = g_strdup(pw_col_text(st, 6));
}

static const table log_table = {
	.columns = "SELECT '', e.id, e.at, e.operator, e.kind,"
	           " coalesce((SELECT name FROM clients WHERE id = e.client_id), ''), e.message",
	.from = " FROM events e WHERE 1",
	.sort_expr = NULL,
	.id_expr = "e.id",
	.where = log_where,
	.fill = log_fill,
};

static sqlite3_int64 log_count(pw_console *c, const pane *p)
{
	/* Text, kind and operator filters would read every event to count. */
	if (p->filter.text || p->filter.kind || p->filter.operator_name)
		return -1;
	/* Events are numbered without gaps: the newest id is the count. */
	if (p->all_clients && !p->filter.client_id)
		return count_rows_max_id(c);
	return table_count(c, &log_table, p);
}

static void log_columns(int width, int w[ROW_CELLS])
{
	w[0] = 11;
	w[1] = width >= 90 ? 10 : 0;
	w[2] = 16;
	w[3] = width >= 70 ? 12 : 0;
	w[4] = -1;
}

/* The panes whose rows come from one table read alone. */
static const table *const simple[PANE_COUNT] = {
	[PANE_CLIENTS] = &clients_table,
	[PANE_ACCOUNTS] = &accounts_table,
	[PANE_BOARDS] = &boards_table,
	[PANE_LOG] = &log_table,
};

static pw_code simple_fetch(pw_console *c, const pane *p, const row *from, bool forward, bool inclusive, int n,
                            GPtrArray *out, pw_error *err)
{
	return table_fetch(c, simple[p->id], p, NULL, from, forward, inclusive, n, out, err);
}

static sqlite3_int64 simple_count(pw_console *c, const pane *p)
{
	return table_count(c, simple[p->id], p);
}

static const source sources[PANE_COUNT] = {
	[PANE_CLIENTS] = { "Clients", "No clients yet.\nOnboard one with\n'pinwarden client add'.", simple_fetch,
	                   simple_count, clients_columns },
	[PANE_ACCOUNTS] = { "Accounts", "None for this client.", simple_fetch, simple_count, accounts_columns },
	[PANE_BOARDS] = { "Boards", "None known yet: verifying\nthe account reads them.", simple_fetch, simple_count,
	                  boards_columns },
	[PANE_QUEUE] = { "Queue", "No jobs here.", queue_fetch, queue_count, queue_columns },
	[PANE_LOG] = { "Log", "No events here.", simple_fetch, log_count, log_columns },
};

const source *source_for(pane_id id)
{
	return &sources[id];
}
