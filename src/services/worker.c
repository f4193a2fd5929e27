#include "config.h"

#include "pinwarden/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "pinwarden/accounts.h"
#include "pinwarden/activity.h"
#include "pinwarden/crash.h"
#include "pinwarden/jobs.h"
#include "pinwarden/timeutil.h"
#include "pinwarden/tokens.h"

#define DUE_BATCH 50
#define RECONCILE_PINS 250
#define SETTLE_EVERY_US (10 * G_USEC_PER_SEC)
/* An unknown job that cannot be settled yet is looked at again after 10 s,
 * then twice as long each time, up to 30 minutes: a worker left running
 * with many of them must not spend its accounts' requests on them. */
#define LOOK_FIRST_S 10
#define LOOK_MAX_S 1800

void pw_worker_defaults(pw_worker_options *o)
{
	memset(o, 0, sizeof *o);
	o->max_attempts = 6;
	o->backoff_s = 30;
	o->max_backoff_s = 3600;
	o->rate_limit_backoff_s = 300;
	o->rate_per_minute = 10;
	o->burst = 3;
	o->concurrency = 4;
	o->reconcile_after_s = 90;
	o->refresh_every_s = 600;
	o->log = stderr;
}

/* The log: one line per event of note, each "TIME pinwarden worker: ...".
 * Lines are gathered and written with one write(2): the log is often a
 * pipe or an unbuffered stderr, where every piece would be a system call. */
static void add_line_v(GString *lines, const char *fmt, va_list ap)
{
	char now[PW_TIME_LEN];
	pw_time_now(now);
	g_string_append(lines, now);
	g_string_append(lines, " pinwarden worker: ");
	g_string_append_vprintf(lines, fmt, ap);
	g_string_append_c(lines, '\n');
}

static void add_line(GString *lines, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void add_line(GString *lines, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_line_v(lines, fmt, ap);
	va_end(ap);
}

static void put_lines(const pw_worker_options *o, GString *lines)
{
	if (o->log && lines->len) {
		fwrite(lines->str, 1, lines->len, o->log);
		fflush(o->log);
	}
	g_string_truncate(lines, 0);
}

static void say(const pw_worker_options *o, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void say(const pw_worker_options *o, const char *fmt, ...)
{
	GString *line;
	va_list ap;
	if (!o->log)
		return;
	line = g_string_sized_new(160);
	va_start(ap, fmt);
	add_line_v(line, fmt, ap);
	va_end(ap);
	put_lines(o, line);
	g_string_free(line, TRUE);
}

/* ---- the lock --------------------------------------------------------- */

static int take_worker_lock(pw_store *store, pw_error *err)
{
	char *path = g_build_filename(pw_store_workspace(store), "worker.lock", NULL);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	char pid[160];

	if (fd < 0) {
		pw_fail(err, PW_E_IO, "cannot open %s: %s", path, g_strerror(errno));
		g_free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t n = read(fd, pid, sizeof pid - 1);
		pid[n > 0 ? n : 0] = '\0';
		g_strchomp(pid);
		{
			/* The holder wrote "PID OPERATOR". */
			char *op = strchr(pid, ' ');
			if (op)
				*op++ = '\0';
			pw_fail(err, PW_E_BUSY,
			        "another worker is running on this workspace (process %s, started by %s; lock %s); one is enough",
			        pid[0] ? pid : "unknown", op && *op ? op : "someone", path);
		}
		close(fd);
		g_free(path);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		/* Who holds it, for the message above and the console's status line. */
		char *holder = g_strdup_printf("%ld %s\n", (long)getpid(), pw_store_operator(store)->name);
		if (write(fd, holder, strlen(holder)) != (ssize_t)strlen(holder))
			(void)0; /* only a courtesy */
		g_free(holder);
	}
	g_free(path);
	return fd;
}

bool pw_worker_probe(const char *workspace, long *pid, char **operator_name)
{
	char *path = g_build_filename(workspace, "worker.lock", NULL);
	char *locks = NULL, *holder = NULL;
	struct stat st;
	bool held = false;

	*pid = 0;
	if (operator_name)
		*operator_name = NULL;
	/* Asking flock() would take the lock for a moment and could turn a
	 * worker away; the kernel's list of locks says who holds it. */
	if (stat(path, &st) == 0 && g_file_get_contents("/proc/locks", &locks, NULL, NULL)) {
		char ino[64];
		snprintf(ino, sizeof ino, ":%llu ", (unsigned long long)st.st_ino);
		for (char *line = locks; line && *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (strstr(line, "FLOCK") && strstr(line, ino)) {
				long p = 0;
				const char *w = strstr(line, "WRITE");
				if (w && sscanf(w, "WRITE %ld", &p) == 1 && !strstr(line, "->")) {
					held = true;
					*pid = p;
				}
			}
			line = nl ? nl + 1 : NULL;
		}
	}
	if (held && g_file_get_contents(path, &holder, NULL, NULL)) {
		char *sp = strchr(g_strstrip(holder), ' ');
		if (sp && operator_name)
			*operator_name = g_strdup(sp + 1);
	}
	g_free(holder);
	g_free(locks);
	g_free(path);
	return held;
}

/* ---- pacing: a token bucket per account --------------------------------- */

typedef struct bucket {
	double tokens;
	gint64 at;    /* monotonic µs of the last refill */
} bucket;

/* Takes a token for the account, or says how many µs until one. */
static gint64 take_token(GHashTable *buckets, gint64 account_id, const pw_worker_options *o)
{
	gint64 now = g_get_monotonic_time();
	bucket *b = g_hash_table_lookup(buckets, &account_id);
	double per_us = o->rate_per_minute / 60e6;

	if (o->rate_per_minute <= 0)
		return 0;
	if (!b) {
		gint64 *key = g_new(gint64, 1);
		*key = account_id;
		b = g_new0(bucket, 1);
		b->tokens = o->burst > 0 ? o->burst : 1;
		b->at = now;
		g_hash_table_insert(buckets, key, b);
	}
	b->tokens = MIN((double)(o->burst > 0 ? o->burst : 1), b->tokens + (double)(now - b->at) * per_us);
	b->at = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 0;
	}
	return (gint64)ceil((1.0 - b->tokens) / per_us);
}

/* ---- state changes, each with its event --------------------------------- */

typedef struct job_change {
	bool in_batch;                /* inside the caller's transaction */
	const char *state;
	const char *next_attempt_at;  /* NULL: cleared */
	const char *pin_id;
	const char *last_error;
	bool new_attempt;             /* attempts + 1, attempt_started_at = now */
} job_change;

static pw_code change_job(pw_store *store, const pw_job *j, const job_change *c, const char *kind, const char *msg,
                          cJSON *details, pw_error *err)
{
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	pw_code rc = c->in_batch ? PW_OK : pw_store_begin(store, err);

	pw_time_now(now);
	if (rc == PW_OK)
		rc = pw_store_prepare_cached(store,
		                      "UPDATE jobs SET state = ?2, next_attempt_at = ?3, pin_id = coalesce(?4, pin_id),"
		                      " last_error = ?5, attempts = attempts + ?6,"
		                      " attempt_started_at = CASE WHEN ?6 THEN ?7 ELSE attempt_started_at END,"
		                      " updated_at = ?7 WHERE id = ?1",
		                      &st, err);
	if (rc == PW_OK) {
		sqlite3_bind_int64(st, 1, j->id);
		pw_bind_text(st, 2, c->state);
		pw_bind_text(st, 3, c->next_attempt_at);
		pw_bind_text(st, 4, c->pin_id);
		pw_bind_text(st, 5, c->last_error);
		sqlite3_bind_int(st, 6, c->new_attempt ? 1 : 0);
		pw_bind_text(st, 7, now);
		int src = sqlite3_step(st);
		pw_store_release(st);
		rc = src == SQLITE_DONE ? PW_OK : pw_store_fail(store, src, "recording the job's state", err);
	}
	if (rc == PW_OK) {
		pw_event ev = { .kind = kind, .client_id = j->client_id, .account_id = j->account_id, .job_id = j->id,
		                .message = msg, .details = details };
		rc = pw_log_append(store, &ev, NULL, err);
	}
	if (c->in_batch)
		return rc;
	if (rc == PW_OK)
		rc = pw_store_commit(store, err);
	else
		pw_store_rollback(store);
	return rc;
}

static cJSON *api_details(const pw_api_error *a, int attempt)
{
	cJSON *d = cJSON_CreateObject();
	if (attempt)
		cJSON_AddNumberToObject(d, "attempt", attempt);
	cJSON_AddStringToObject(d, "class", pw_api_class_name(a->klass));
	cJSON_AddNumberToObject(d, "http_status", (double)a->http_status);
	cJSON_AddNumberToObject(d, "pinterest_code", (double)a->code);
	cJSON_AddStringToObject(d, "message", a->message);
	cJSON_AddStringToObject(d, "request_id", a->request_id);
	return d;
}

/* Exponential, capped, with ±20% jitter so that many jobs failing
 * together do not come back together. */
static gint64 backoff_seconds(const pw_worker_options *o, int attempt, const pw_api_error *a)
{
	double s = o->backoff_s * pow(2.0, attempt > 1 ? attempt - 1 : 0);
	if (s > o->max_backoff_s)
		s = o->max_backoff_s;
	s *= 0.8 + 0.4 * g_random_double();
	if (a->rate_limited)
		s = MAX(s, (double)MAX(o->rate_limit_backoff_s, a->retry_after_s));
	return (gint64)MAX(1.0, s);
}

/* ---- one attempt ------------------------------------------------------- */

static pw_code local_image_unchanged(const pw_job *j, pw_error *err)
{
	char *data = NULL, *sum;
	gsize len = 0;
	bool same;

	if (!j->image_path || !j->image_sha256)
		return PW_OK;
	if (!g_file_get_contents(j->image_path, &data, &len, NULL))
		return pw_fail(err, PW_E_INVALID, "the image file %s is gone", j->image_path);
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	same = strcmp(sum, j->image_sha256) == 0;
	g_free(sum);
	g_free(data);
	return same ? PW_OK
	            : pw_fail(err, PW_E_INVALID, "the image file %s changed after the job was queued; queue it again",
	                      j->image_path);
}

/* Access tokens read from the keyring, kept for at most TOKEN_KEEP_US so
 * that a busy worker does not ask the keyring for every job: a keyring
 * round trip costs more than sending the Pin. Each copy is wiped when it
 * is dropped: on expiry, when Pinterest refuses it (401), and at the end. */
#define TOKEN_KEEP_US (30 * G_USEC_PER_SEC)

typedef struct kept_token {
	char *secret;
	gint64 at;
} kept_token;

typedef struct token_cache {
	GHashTable *tokens;     /* account id (gint64 *) -> kept_token * */
} token_cache;

static void kept_token_free(gpointer p)
{
	kept_token *k = p;
	pw_secret_wipe(k->secret);
	g_free(k->secret);
	g_free(k);
}

static void token_cache_clear(token_cache *tc)
{
	if (tc->tokens)
		g_hash_table_destroy(tc->tokens);
	tc->tokens = NULL;
}

static void token_cache_forget(token_cache *tc, gint64 account_id)
{
	if (tc->tokens)
		g_hash_table_remove(tc->tokens, &account_id);
}

/* A kept token still fresh, or NULL (a stale one is dropped). */
static const char *token_cache_get(token_cache *tc, gint64 account_id)
{
	kept_token *k;
	if (!tc->tokens)
		tc->tokens = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, kept_token_free);
	k = g_hash_table_lookup(tc->tokens, &account_id);
	if (k && g_get_monotonic_time() - k->at > TOKEN_KEEP_US) {
		g_hash_table_remove(tc->tokens, &account_id);
		k = NULL;
	}
	return k ? k->secret : NULL;
}

static void token_cache_put(token_cache *tc, gint64 account_id, const char *secret)
{
	gint64 *key = g_new(gint64, 1);
	kept_token *k = g_new0(kept_token, 1);
	*key = account_id;
	k->secret = g_strdup(secret);
	k->at = g_get_monotonic_time();
	g_hash_table_replace(tc->tokens, key, k);
}

/* One attempt in flight: prepared and recorded by the main thread, sent
 * by a pool thread with its own libcurl handle, finished (recorded) by
 * the main thread again. Only the main thread touches the database and
 * the keyring. */
typedef struct task {
	pw_job *job;
	char *access_token;     /* secret */
	bool refreshed;         /* a 401 has already been answered with a refresh */
	pw_code rc;
	pw_api_pin pin;
	pw_api_error api;
	pw_error err;
} task;

static const char *finish_attempt(pw_ctx *ctx, const pw_worker_options *o, task *t, pw_worker_stats *stats);
static void reconcile_job(pw_ctx *ctx, const pw_worker_options *o, sqlite3_int64 id, GHashTable *looks,
                          pw_worker_stats *stats);

static void task_free(task *t)
{
	pw_job_free(t->job);
	pw_secret_wipe(t->access_token);
	g_free(t->access_token);
	pw_api_pin_clear(&t->pin);
	g_free(t);
}

typedef struct pool {
	GThreadPool *threads;
	GAsyncQueue *done;      /* finished tasks */
	const pw_api_config *api_config;
	int in_flight;
	GHashTable *job_ids;    /* of the jobs in flight (sqlite3_int64 *) */
	GHashTable *looks;      /* when each unknown job is looked at again */
	token_cache tokens;     /* access tokens kept a short while */
} pool;

static GPrivate thread_api = G_PRIVATE_INIT((GDestroyNotify)pw_api_free);

static void send_task(gpointer data, gpointer user)
{
	task *t = data;
	pool *p = user;
	pw_api *api = g_private_get(&thread_api);
	pw_api_auth auth = { .access_token = t->access_token };
	pw_job *j = t->job;

	if (!api) {
		if (pw_api_new(p->api_config, &api, &t->err) != PW_OK) {
			t->rc = t->err.code;
			t->api.klass = PW_API_LOCAL;
			g_async_queue_push(p->done, t);
			return;
		}
		g_private_set(&thread_api, api);
	}
	{
		pw_pin_create pc = { .board_id = j->board_pinterest_id, .board_section_id = j->board_section_id,
		                     .title = j->title[0] ? j->title : NULL,
		                     .description = j->description[0] ? j->description : NULL, .link = j->link,
		                     .alt_text = j->alt_text, .image_url = j->image_url, .image_path = j->image_path };
		pw_api_pin_clear(&t->pin);
		t->rc = pw_api_create_pin(api, &auth, &pc, &t->pin, &t->api, &t->err);
	}
	g_async_queue_push(p->done, t);
}

/* What sending needs, for a job whose attempt is recorded. NULL when the
 * job was settled here instead. */
static task *prepare_attempt(pw_ctx *ctx, const pw_worker_options *o, pw_job *j, token_cache *tc,
                             pw_worker_stats *stats)
{
	pw_error step = { 0 };
	task *t = g_new0(task, 1);
	const char *cached;
	pw_code rc;

	t->job = j;
	rc = local_image_unchanged(j, &step);
	/* A changed image is for good; a keyring that does not answer is
	 * passing; an account without tokens waits to be connected. */
	t->api.klass = PW_API_LOCAL;
	if (rc == PW_OK) {
		cached = token_cache_get(tc, j->account_id);
		if (cached) {
			t->access_token = g_strdup(cached);
		} else {
			pw_account_auth auth = { 0 };
			rc = pw_account_auth_open(ctx, j->account_id, &auth, &step);
			t->api.klass = rc == PW_E_MISSING ? PW_API_AUTH : PW_API_TRANSIENT;
			t->refreshed = rc == PW_E_MISSING;
			if (rc == PW_OK) {
				t->access_token = g_strdup(auth.access_token);
				token_cache_put(tc, j->account_id, auth.access_token);
			}
			pw_account_auth_close(&auth);
		}
	}
	if (rc != PW_OK) {
		t->rc = rc;
		g_strlcpy(t->api.message, step.message, sizeof t->api.message);
		t->err = step;
		(void)finish_attempt(ctx, o, t, stats);
		return NULL;
	}
	return t;
}

/* The outcome of an attempt, decided and written (in_batch: inside the
 * caller's transaction). *outcome gets the job's new state and *msg what
 * to say; stats are the caller's, once the write is committed. */
static pw_code record_outcome(pw_ctx *ctx, const pw_worker_options *o, task *t, bool in_batch, const char **outcome,
                              char **msg, pw_error *err)
{
	pw_job *j = t->job;
	pw_api_error *a = &t->api;
	int n = (int)j->attempts + 1;
	pw_code rc;

	*msg = NULL;
	if (t->rc == PW_OK) {
		job_change c = { .in_batch = in_batch, .state = "published", .pin_id = t->pin.id };
		cJSON *d = api_details(a, n);
		cJSON_AddStringToObject(d, "pin_id", t->pin.id);
		*msg = g_strdup_printf("job %lld published as Pin %s on %s \xe2\x86\x92 %s", (long long)j->id, t->pin.id,
		                       j->account_username, j->board_name);
		*outcome = "published";
		rc = change_job(ctx->store, j, &c, "job.published", *msg, d, err);
		cJSON_Delete(d);
	} else {
		const char *state, *kind;
		char next[PW_TIME_LEN] = "";
		job_change c = { .in_batch = in_batch, .last_error = t->err.message };
		cJSON *d = api_details(a, n);
		pw_account *acc = NULL;
		pw_error ignored = { 0 };

		pw_account_get(ctx->store, j->account_id, &acc, &ignored);
		if ((acc && strcmp(acc->state, "needs_reconnect") == 0) || (a->klass == PW_API_AUTH && t->refreshed)) {
			/* The token is dead even after a refresh: wait for the client. */
			state = "paused";
			kind = "job.paused";
		} else if (a->maybe_done) {
			state = "unknown";
			kind = "job.unknown";
		} else if (a->klass == PW_API_TRANSIENT && n < o->max_attempts) {
			state = "retrying";
			kind = "job.attempt_failed";
			pw_time_from_now(backoff_seconds(o, n, a), next);
			c.next_attempt_at = next;
		} else {
			state = "failed";
			kind = "job.failed";
		}
		c.state = state;
		*outcome = state;
		*msg = g_strdup_printf("job %lld %s after attempt %d: %s", (long long)j->id, state, n, t->err.message);
		if (next[0])
			cJSON_AddStringToObject(d, "next_attempt_at", next);
		rc = change_job(ctx->store, j, &c, kind, *msg, d, err);
		cJSON_Delete(d);
		pw_account_free(acc);
	}
	return rc;
}

static void count_outcome(pw_worker_stats *stats, const char *outcome)
{
	if (strcmp(outcome, "published") == 0)
		stats->published++;
	else if (strcmp(outcome, "paused") == 0)
		stats->paused++;
	else if (strcmp(outcome, "unknown") == 0)
		stats->unknown++;
	else if (strcmp(outcome, "retrying") == 0)
		stats->retried++;
	else
		stats->failed++;
}

/* Records what Pinterest answered, in a transaction of its own; the job's
 * new state, or NULL when it could not be recorded. */
static const char *finish_attempt(pw_ctx *ctx, const pw_worker_options *o, task *t, pw_worker_stats *stats)
{
	pw_error err = { 0 };
	const char *outcome = NULL;
	char *msg = NULL;

	pw_crash_point("after-send");
	if (record_outcome(ctx, o, t, false, &outcome, &msg, &err) != PW_OK) {
		say(o, "job %lld: the outcome could not be recorded (%s); it will be reconciled", (long long)t->job->id,
		    err.message);
		outcome = NULL;
	} else {
		count_outcome(stats, outcome);
		say(o, "%s", msg);
	}
	g_free(msg);
	task_free(t);
	return outcome;
}

/* A 401 is answered once with a refresh (serialized with every other
 * process) and the same attempt is sent again; true when re-sent. */
static bool refresh_and_resend(pw_ctx *ctx, pool *p, task *t)
{
	pw_refresh_outcome outcome;
	pw_error err = { 0 };
	char *fresh = NULL;

	if (t->rc != PW_E_API || t->api.klass != PW_API_AUTH || t->refreshed)
		return false;
	t->refreshed = true;
	/* The kept copy is the refused one. */
	token_cache_forget(&p->tokens, t->job->account_id);
	if (pw_tokens_refresh(ctx, t->job->account_id, t->access_token, &outcome, &err) != PW_OK ||
	    pw_secret_lookup(ctx->keyring, t->job->account_id, PW_SECRET_ACCESS, &fresh, &err) != PW_OK || !fresh) {
		if (err.message[0])
			t->err = err;
		pw_secret_free(fresh);
		return false;
	}
	pw_secret_wipe(t->access_token);
	g_free(t->access_token);
	t->access_token = g_strdup(fresh);
	pw_secret_free(fresh);
	p->in_flight++;
	g_thread_pool_push(p->threads, t, NULL);
	return true;
}

/* ---- settling what a crash or a lost answer left open --------------------- */

/* Has long enough passed since the attempt began that a Pin not on the
 * board will not appear any more? */
static bool past_grace(const pw_worker_options *o, GDateTime *began)
{
	GDateTime *now = g_date_time_new_now_utc();
	bool past = g_date_time_difference(now, began) >= (GTimeSpan)o->reconcile_after_s * G_TIME_SPAN_SECOND;
	g_date_time_unref(now);
	return past;
}

/* Pinterest's created_at may come without a zone: it is UTC. */
static GDateTime *parse_utc(const char *text)
{
	GTimeZone *utc = g_time_zone_new_utc();
	GDateTime *dt = text ? g_date_time_new_from_iso8601(text, utc) : NULL;
	g_time_zone_unref(utc);
	return dt;
}

static bool same_content(const pw_job *j, const pw_api_pin *p)
{
	return g_strcmp0(j->link, p->link) == 0 && g_strcmp0(j->title[0] ? j->title : NULL, p->title) == 0 &&
	       g_strcmp0(j->board_pinterest_id, p->board_id ? p->board_id : j->board_pinterest_id) == 0;
}

/* Looks for the job's Pin among the board's newest: created after the
 * attempt began, with the job's title and link. Found: published. Not
 * found, and the list reaches back past the attempt: back in the queue.
 * Otherwise it stays unknown, for a person. Returns in how many seconds
 * to look again (0: settled): once its grace has passed, or after
 * back_off_s when the board could not tell. */
static int reconcile(pw_ctx *ctx, const pw_worker_options *o, pw_job *j, int back_off_s, pw_worker_stats *stats)
{
	pw_account_auth auth = { 0 };
	pw_api_error a = { 0 };
	pw_error step = { 0 }, err = { 0 };
	GPtrArray *pins = NULL;
	GDateTime *began = parse_utc(j->attempt_started_at);
	const pw_api_pin *match = NULL;
	bool reaches_back = false;
	char *msg = NULL;
	int again = 0;

	if (!began || pw_account_auth_open(ctx, j->account_id, &auth, &step) != PW_OK ||
	    pw_api_list_board_pins(ctx->api, &auth.auth, j->board_pinterest_id, RECONCILE_PINS, &pins, &a, &step) !=
	            PW_OK) {
		say(o, "job %lld stays unknown: its board could not be read (%s); looked at again in %d s",
		    (long long)j->id, step.message[0] ? step.message : "no attempt time", back_off_s);
		again = back_off_s;
		goto out;
	}
	/* A minute of slack for clocks that disagree. */
	{
		GDateTime *since = g_date_time_add_minutes(began, -1);
		for (guint i = 0; i < pins->len; i++) {
			const pw_api_pin *p = g_ptr_array_index(pins, i);
			GDateTime *created = parse_utc(p->created_at);
			bool after = created && g_date_time_compare(created, since) >= 0;
			if (created && !after)
				reaches_back = true;
			if (after && !match && same_content(j, p))
				match = p;
			if (created)
				g_date_time_unref(created);
		}
		g_date_time_unref(since);
	}
	if (pins->len < RECONCILE_PINS)
		reaches_back = true;

	if (match) {
		job_change c = { .state = "published", .pin_id = match->id };
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "pin_id", match->id);
		cJSON_AddStringToObject(d, "found_by", "the board's recent Pins");
		msg = g_strdup_printf("job %lld reconciled: it was published as Pin %s", (long long)j->id, match->id);
		if (change_job(ctx->store, j, &c, "job.reconciled", msg, d, &err) == PW_OK)
			stats->reconciled++;
		else
			again = back_off_s;
		cJSON_Delete(d);
	} else if (reaches_back && !past_grace(o, began)) {
		/* Not there yet, but Pinterest may still be acting on the
		 * request: deciding now could publish it twice. */
		GDateTime *now = g_date_time_new_now_utc();
		GTimeSpan left = (GTimeSpan)o->reconcile_after_s * G_TIME_SPAN_SECOND - g_date_time_difference(now, began);
		g_date_time_unref(now);
		again = (int)CLAMP(left / G_TIME_SPAN_SECOND + 1, 1, o->reconcile_after_s + 1);
		say(o, "job %lld stays unknown for now: not on the board yet; checked again once %d s have passed since "
		       "the attempt",
		    (long long)j->id, o->reconcile_after_s);
	} else if (reaches_back) {
		/* Not there: the attempt counts like any failed one, so that a
		 * server that keeps failing is not hammered. */
		char next[PW_TIME_LEN];
		bool give_up = j->attempts >= o->max_attempts;
		pw_api_error none = { 0 };
		job_change c = { .state = give_up ? "failed" : "retrying",
		                 .last_error = "not found on the board after an interrupted attempt" };
		cJSON *d = cJSON_CreateObject();
		if (!give_up) {
			pw_time_from_now(backoff_seconds(o, (int)j->attempts, &none), next);
			c.next_attempt_at = next;
			cJSON_AddStringToObject(d, "next_attempt_at", next);
		}
		cJSON_AddStringToObject(d, "found_by", "the board's recent Pins");
		msg = g_strdup_printf("job %lld reconciled: not on the board, %s", (long long)j->id,
		                      give_up ? "and out of attempts: failed" : "to be tried again");
		if (change_job(ctx->store, j, &c, "job.reconciled", msg, d, &err) == PW_OK)
			stats->reconciled++;
		else
			again = back_off_s;
		cJSON_Delete(d);
	} else {
		say(o, "job %lld stays unknown: the board has more new Pins than reconciling reads; look on Pinterest and "
		       "run 'pinwarden job resolve' (looked at again in %d s)",
		    (long long)j->id, back_off_s);
		again = back_off_s;
	}
	if (msg)
		say(o, "%s", msg);
out:
	g_free(msg);
	if (began)
		g_date_time_unref(began);
	if (pins)
		g_ptr_array_unref(pins);
	pw_account_auth_close(&auth);
	return again;
}

/* When each unknown job is looked at again: job id -> look. */
typedef struct look {
	gint64 at;   /* monotonic µs */
	int tries;   /* looks that could not settle it */
} look;

static GHashTable *looks_new(void)
{
	return g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
}

/* Reconciles the job now and says when to look again. */
static void reconcile_and_note(pw_ctx *ctx, const pw_worker_options *o, pw_job *j, GHashTable *looks,
                               pw_worker_stats *stats)
{
	look *l = g_hash_table_lookup(looks, &j->id);
	int back_off = LOOK_FIRST_S;
	int again;

	for (int i = 0; l && i < l->tries && back_off < LOOK_MAX_S; i++)
		back_off *= 2;
	again = reconcile(ctx, o, j, MIN(back_off, LOOK_MAX_S), stats);
	if (again <= 0) {
		g_hash_table_remove(looks, &j->id);
		return;
	}
	if (!l) {
		sqlite3_int64 *key = g_new(sqlite3_int64, 1);
		*key = j->id;
		l = g_new0(look, 1);
		g_hash_table_insert(looks, key, l);
	}
	l->tries++;
	l->at = g_get_monotonic_time() + (gint64)again * G_USEC_PER_SEC;
}

static gboolean look_gone(gpointer key, gpointer value, gpointer listed)
{
	(void)value;
	return !g_hash_table_contains(listed, key);
}

/* Jobs left in 'sending' (by a crash, or an outcome that could not be
 * recorded; never one in flight here) become 'unknown'; then every
 * unknown job whose time has come (see `looks`) is reconciled. */
static void settle(pw_ctx *ctx, const pw_worker_options *o, GHashTable *in_flight, GHashTable *looks,
                   pw_worker_stats *stats)
{
	pw_job_filter f = { .state = "sending,unknown" };
	GPtrArray *jobs = NULL;
	GHashTable *listed;
	gint64 now = g_get_monotonic_time();
	pw_error err = { 0 };

	if (pw_job_list(ctx->store, &f, &jobs, &err) != PW_OK) {
		say(o, "cannot read the jobs to settle: %s", err.message);
		return;
	}
	listed = g_hash_table_new(g_int64_hash, g_int64_equal);
	for (guint i = 0; i < jobs->len; i++) {
		pw_job *j = g_ptr_array_index(jobs, i);
		const look *l;
		g_hash_table_add(listed, &j->id);
		if (in_flight && g_hash_table_contains(in_flight, &j->id))
			continue;
		if (strcmp(j->state, "sending") == 0) {
			job_change c = { .state = "unknown",
			                 .last_error = "the worker stopped during an attempt; its outcome is being checked" };
			char *msg = g_strdup_printf("job %lld was mid-attempt when the worker stopped: outcome unknown",
			                            (long long)j->id);
			if (change_job(ctx->store, j, &c, "job.unknown", msg, NULL, &err) != PW_OK)
				say(o, "job %lld: %s", (long long)j->id, err.message);
			g_free(msg);
		}
		l = g_hash_table_lookup(looks, &j->id);
		if (l && now < l->at)
			continue;
		reconcile_and_note(ctx, o, j, looks, stats);
	}
	/* Settled by a person, or by this worker: forgotten. */
	g_hash_table_foreach_remove(looks, look_gone, listed);
	g_hash_table_destroy(listed);
	g_ptr_array_unref(jobs);
}

static void reconcile_job(pw_ctx *ctx, const pw_worker_options *o, sqlite3_int64 id, GHashTable *looks,
                          pw_worker_stats *stats)
{
	pw_job *j = NULL;
	pw_error err = { 0 };
	if (pw_job_get(ctx->store, id, &j, &err) == PW_OK && strcmp(j->state, "unknown") == 0)
		reconcile_and_note(ctx, o, j, looks, stats);
	pw_job_free(j);
}

/* ---- the loop ------------------------------------------------------------- */

static bool stopping(const pw_worker_options *o)
{
	return o->stop && *o->stop;
}

/* A step of the loop writes once: the answers that have arrived and the
 * attempts of the jobs due now go into one transaction, committed (one
 * flush to disk) before any of those jobs is sent, so that a crash from
 * there on leaves them 'sending', which is never sent blindly. Answers
 * and attempts of many jobs then share the pages they touch (each
 * account's part of the indexes): the writes, not the requests, bound a
 * busy worker. What a step says and counts waits for its commit. */
typedef struct step {
	GPtrArray *answers;      /* task *: arrived, to be recorded */
	GPtrArray *go;           /* pw_job *: attempt recorded in this step, to be sent */
	GString *lines;          /* said once committed */
	pw_worker_stats counts;  /* counted once committed */
	GArray *unknown;         /* ids of jobs whose answer was lost */
} step;

static void add_stats(pw_worker_stats *to, const pw_worker_stats *from)
{
	to->published += from->published;
	to->retried += from->retried;
	to->failed += from->failed;
	to->unknown += from->unknown;
	to->paused += from->paused;
	to->reconciled += from->reconciled;
}

/* Is the job's account verified? The job of an account that is not is
 * paused, with the reason, in the step's transaction. Read for every job
 * sent, so only the state. */
static pw_code account_can_publish(pw_ctx *ctx, pw_job *j, step *s, bool *ok, pw_error *err)
{
	sqlite3_stmt *st = NULL;
	char *state = NULL, *username = NULL;
	pw_code rc;

	*ok = false;
	rc = pw_store_prepare_cached(ctx->store, "SELECT state, expected_username FROM accounts WHERE id = ?1", &st,
	                             err);
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, j->account_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		state = pw_col_dup(st, 0);
		username = pw_col_dup(st, 1);
	}
	pw_store_release(st);
	if (!state)
		return PW_OK;
	*ok = strcmp(state, "verified") == 0;
	if (!*ok) {
		job_change c = { .in_batch = true, .state = "paused" };
		char *reason = g_strdup_printf("account '%s' is %s; it must be verified to publish", username, state);
		char *msg = g_strdup_printf("job %lld paused: %s", (long long)j->id, reason);
		c.last_error = reason;
		rc = change_job(ctx->store, j, &c, "job.paused", msg, NULL, err);
		if (rc == PW_OK) {
			s->counts.paused++;
			add_line(s->lines, "%s", msg);
		}
		g_free(reason);
		g_free(msg);
	}
	g_free(state);
	g_free(username);
	return rc;
}

typedef struct due_job {
	sqlite3_int64 id, account_id;
} due_job;

/* The jobs due now, oldest first, at most `limit`: ids only, so that a job
 * is read in full only when it is about to be sent. */
static pw_code due_jobs(pw_ctx *ctx, int limit, GArray **out, pw_error *err)
{
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	pw_code rc = pw_store_prepare_cached(ctx->store,
	                                     "SELECT id, account_id FROM jobs WHERE state IN ('queued', 'retrying')"
	                                     " AND coalesce(next_attempt_at, scheduled_at) <= ?1"
	                                     " ORDER BY coalesce(next_attempt_at, scheduled_at), id LIMIT ?2",
	                                     &st, err);
	int src;

	*out = NULL;
	if (rc != PW_OK)
		return rc;
	pw_time_now(now);
	pw_bind_text(st, 1, now);
	sqlite3_bind_int(st, 2, limit);
	*out = g_array_new(FALSE, FALSE, sizeof(due_job));
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		due_job d = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1) };
		g_array_append_val(*out, d);
	}
	pw_store_release(st);
	if (src != SQLITE_DONE) {
		g_array_free(*out, TRUE);
		*out = NULL;
		return pw_store_fail(ctx->store, src, "finding the due jobs", err);
	}
	return PW_OK;
}

/* Inside the step's transaction: up to `room` due jobs whose pace allows
 * them, each read in full, its account checked, and its attempt recorded
 * (into s->go). *wait_us is shortened to when a paced job may go. */
static pw_code take_due(pw_ctx *ctx, const pw_worker_options *o, GHashTable *buckets, int room, step *s,
                        gint64 *wait_us, bool *waiting_for_pace, pw_error *err)
{
	GArray *due = NULL;
	pw_code rc = due_jobs(ctx, DUE_BATCH, &due, err);

	for (guint i = 0; rc == PW_OK && i < due->len && (int)s->go->len < room && !stopping(o); i++) {
		const due_job *d = &g_array_index(due, due_job, i);
		pw_error jerr = { 0 };
		pw_job *j = NULL;
		bool ok = false;
		gint64 pace = take_token(buckets, d->account_id, o);

		if (pace > 0) {
			*waiting_for_pace = true;
			*wait_us = *wait_us ? MIN(*wait_us, pace) : pace;
			continue;
		}
		if (pw_job_get(ctx->store, d->id, &j, &jerr) != PW_OK)
			continue;
		rc = account_can_publish(ctx, j, s, &ok, err);
		if (rc == PW_OK && ok) {
			int n = (int)j->attempts + 1;
			job_change c = { .in_batch = true, .state = "sending", .new_attempt = true };
			cJSON *dt = cJSON_CreateObject();
			char *msg = g_strdup_printf("job %lld: attempt %d to %s \xe2\x86\x92 %s", (long long)j->id, n,
			                            j->account_username, j->board_name);
			cJSON_AddNumberToObject(dt, "attempt", n);
			rc = change_job(ctx->store, j, &c, "job.attempt", msg, dt, err);
			cJSON_Delete(dt);
			g_free(msg);
			if (rc == PW_OK) {
				g_ptr_array_add(s->go, j);
				j = NULL;
			}
		}
		pw_job_free(j);
	}
	if (due)
		g_array_free(due, TRUE);
	return rc;
}

/* Is any job due? Asked before a step that has no answer to record, so
 * that an idle worker does not take the write lock for nothing. */
static bool any_due(pw_ctx *ctx)
{
	GArray *due = NULL;
	pw_error ignored = { 0 };
	bool any = due_jobs(ctx, 1, &due, &ignored) == PW_OK && due->len > 0;
	if (due)
		g_array_free(due, TRUE);
	return any;
}

/* Takes the answers that have arrived into s->answers, waiting up to
 * wait_us for one when there are none. A 401 is answered here with a
 * refresh and the same attempt sent again. */
static void take_answers(pw_ctx *ctx, pool *p, gint64 wait_us, step *s)
{
	task *t = wait_us > 0 && !s->answers->len ? g_async_queue_timeout_pop(p->done, (guint64)wait_us)
	                                          : g_async_queue_try_pop(p->done);
	for (; t; t = g_async_queue_try_pop(p->done)) {
		p->in_flight--;
		if (!refresh_and_resend(ctx, p, t))
			g_ptr_array_add(s->answers, t);
	}
}

static void forget_in_flight(pool *p, const task *t)
{
	sqlite3_int64 id = t->job->id;
	g_hash_table_remove(p->job_ids, &id);
}

/* One step: records the answers in s->answers and, when `room` allows,
 * the attempts of the jobs due now, then sends those. Returns how many
 * attempts it recorded. */
static guint run_step(pw_ctx *ctx, const pw_worker_options *o, pool *p, GHashTable *buckets, int room, step *s,
                      gint64 *wait_us, bool *waiting_for_pace, pw_worker_stats *stats)
{
	pw_error err = { 0 };
	pw_code rc;
	guint sent = 0;

	if (!s->answers->len && (room <= 0 || !any_due(ctx)))
		return 0;
	if (s->answers->len)
		pw_crash_point("after-send");
	rc = pw_store_begin(ctx->store, &err);
	for (guint i = 0; i < s->answers->len && rc == PW_OK; i++) {
		task *t = g_ptr_array_index(s->answers, i);
		const char *outcome = NULL;
		char *msg = NULL;
		rc = record_outcome(ctx, o, t, true, &outcome, &msg, &err);
		if (rc == PW_OK) {
			count_outcome(&s->counts, outcome);
			add_line(s->lines, "%s", msg);
			if (strcmp(outcome, "unknown") == 0)
				g_array_append_val(s->unknown, t->job->id);
		}
		g_free(msg);
	}
	if (rc == PW_OK && room > 0)
		rc = take_due(ctx, o, buckets, MIN(room, DUE_BATCH), s, wait_us, waiting_for_pace, &err);
	if (rc == PW_OK)
		rc = pw_store_commit(ctx->store, &err);
	else
		pw_store_rollback(ctx->store);

	if (rc != PW_OK) {
		/* Nothing of the step was written: each answer is recorded on
		 * its own, and no attempt is sent. */
		g_string_truncate(s->lines, 0);
		memset(&s->counts, 0, sizeof s->counts);
		g_array_set_size(s->unknown, 0);
		for (guint i = 0; i < s->answers->len; i++) {
			task *t = g_ptr_array_index(s->answers, i);
			sqlite3_int64 id = t->job->id;
			forget_in_flight(p, t);
			if (g_strcmp0(finish_attempt(ctx, o, t, stats), "unknown") == 0)
				g_array_append_val(s->unknown, id);
		}
		if (s->go->len)
			say(o, "%u jobs: could not record the attempts, so none was sent: %s", s->go->len, err.message);
		for (guint i = 0; i < s->go->len; i++)
			pw_job_free(g_ptr_array_index(s->go, i));
	} else {
		add_stats(stats, &s->counts);
		memset(&s->counts, 0, sizeof s->counts);
		put_lines(o, s->lines);
		for (guint i = 0; i < s->answers->len; i++) {
			task *t = g_ptr_array_index(s->answers, i);
			forget_in_flight(p, t);
			task_free(t);
		}
		if (s->go->len)
			pw_crash_point("after-attempt-recorded");
		for (guint i = 0; i < s->go->len; i++) {
			task *t = prepare_attempt(ctx, o, g_ptr_array_index(s->go, i), &p->tokens, stats);
			if (t) {
				sqlite3_int64 *key = g_new(sqlite3_int64, 1);
				*key = t->job->id;
				g_hash_table_add(p->job_ids, key);
				p->in_flight++;
				g_thread_pool_push(p->threads, t, NULL);
			}
		}
		sent = s->go->len;
	}
	g_ptr_array_set_size(s->answers, 0);
	g_ptr_array_set_size(s->go, 0);
	/* An answer that was lost is settled straight away. */
	for (guint i = 0; i < s->unknown->len; i++)
		reconcile_job(ctx, o, g_array_index(s->unknown, sqlite3_int64, i), p->looks, stats);
	g_array_set_size(s->unknown, 0);
	return sent;
}

pw_code pw_worker_run(pw_ctx *ctx, const pw_worker_options *o, pw_worker_stats *stats, pw_error *err)
{
	GHashTable *buckets = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	int concurrency = o->concurrency > 0 ? o->concurrency : 1;
	/* Sixteen times the senders: they never wait while a step is being
	 * written, and each step records many answers and attempts at once.
	 * A crash leaves at most this many jobs 'sending', each settled by
	 * reconciliation. */
	int max_in_flight = 16 * concurrency;
	gint64 next_refresh = 0, next_settle;
	pool p = { .api_config = ctx->api_config };
	step s = { 0 };
	int lock;

	memset(stats, 0, sizeof *stats);
	lock = take_worker_lock(ctx->store, err);
	if (lock < 0) {
		g_hash_table_destroy(buckets);
		return err->code;
	}
	p.done = g_async_queue_new();
	p.threads = g_thread_pool_new(send_task, &p, concurrency, FALSE, NULL);
	p.job_ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	s.answers = g_ptr_array_new();
	s.go = g_ptr_array_new();
	s.lines = g_string_sized_new(4096);
	s.unknown = g_array_new(FALSE, FALSE, sizeof(sqlite3_int64));
	say(o, "started on %s (process %ld, %d at a time)%s", pw_store_workspace(ctx->store), (long)getpid(), concurrency,
	    o->once ? ", once" : "");
	p.looks = looks_new();
	settle(ctx, o, NULL, p.looks, stats);
	next_settle = g_get_monotonic_time() + SETTLE_EVERY_US;

	while (!stopping(o)) {
		gint64 wait_us = o->once ? 0 : G_USEC_PER_SEC;
		bool waiting_for_pace = false;
		guint dispatched;

		if (g_get_monotonic_time() >= next_refresh) {
			GPtrArray *items = NULL;
			pw_error rerr = { 0 };
			if (pw_tokens_refresh_due(ctx, NULL, &items, &rerr) == PW_OK) {
				for (guint i = 0; i < items->len; i++) {
					pw_refresh_due_item *it = g_ptr_array_index(items, i);
					say(o, "tokens of %s (%s): %s", it->username, it->client_name, it->message);
				}
				g_ptr_array_unref(items);
			} else {
				say(o, "refreshing tokens: %s", rerr.message);
			}
			next_refresh = g_get_monotonic_time() + (gint64)o->refresh_every_s * G_USEC_PER_SEC;
		}

		take_answers(ctx, &p, 0, &s);
		/* Jobs still unknown are looked at again now and then: their
		 * grace passes, or a person's look settles them. Answers taken
		 * but not yet recorded are still in p.job_ids. */
		if (g_get_monotonic_time() >= next_settle) {
			settle(ctx, o, p.job_ids, p.looks, stats);
			next_settle = g_get_monotonic_time() + SETTLE_EVERY_US;
		}
		dispatched = run_step(ctx, o, &p, buckets, max_in_flight - p.in_flight, &s, &wait_us, &waiting_for_pace,
		                      stats);
		if (o->once && !dispatched && !waiting_for_pace && p.in_flight == 0)
			break;
		if (p.in_flight > 0) {
			take_answers(ctx, &p, 200000, &s);
		} else if (!dispatched) {
			/* Sleep in short steps so that a stop is noticed quickly. */
			gint64 until = g_get_monotonic_time() + MAX(wait_us, 10000);
			while (!stopping(o) && g_get_monotonic_time() < until)
				g_usleep((gulong)MIN(until - g_get_monotonic_time(), 100000));
		}
	}
	/* Stopping: nothing new goes out, what is in flight is recorded. */
	while (p.in_flight > 0 || s.answers->len) {
		gint64 unused_wait = 0;
		bool unused_pace = false;
		take_answers(ctx, &p, G_USEC_PER_SEC, &s);
		run_step(ctx, o, &p, buckets, 0, &s, &unused_wait, &unused_pace, stats);
	}
	g_thread_pool_free(p.threads, FALSE, TRUE);
	token_cache_clear(&p.tokens);
	g_async_queue_unref(p.done);
	g_hash_table_destroy(p.job_ids);
	g_hash_table_destroy(p.looks);
	g_ptr_array_free(s.answers, TRUE);
	g_ptr_array_free(s.go, TRUE);
	g_string_free(s.lines, TRUE);
	g_array_free(s.unknown, TRUE);
	say(o, "stopped: %d published, %d retrying, %d failed, %d unknown, %d paused, %d reconciled", stats->published,
	    stats->retried, stats->failed, stats->unknown, stats->paused, stats->reconciled);
	g_hash_table_destroy(buckets);
	flock(lock, LOCK_UN);
	close(lock);
	return PW_OK;
}
