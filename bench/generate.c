/* bench/generate: makes a workspace for the benchmarks (bench/run).
 *
 *   bench/generate DIR [--scale large|empty] [--seed N] [--now TIME]
 *   bench/generate --schema-version
 *
 * The workspace is created through the real store (pw_store_open with
 * PW_OPEN_CREATE), so that its schema, meta rows and first event are the
 * ones pinwarden writes; then it is filled with prepared INSERTs inside
 * big transactions:
 *
 *   large  200 clients, 1,000 verified accounts (5 a client, acct_NNNN),
 *          50,000 boards (50 an account, half in scope, with the clients'
 *          boards-in-scope rows to match), 200,000 jobs in every state
 *          (mostly published, created over two years), and 2,000,000
 *          events on a valid hash chain;
 *   empty  a fresh agency: 1 client, 1 account, 1 board, 100 jobs and the
 *          events they imply.
 *
 * Every event's hash comes from pw_log_event_hash, chained from the
 * events the store wrote itself, and meta 'log_head' is set as
 * src/core/activity.c sets it ("ID:HASH"), so 'pinwarden log verify'
 * finds the chain intact. No job is due: waiting jobs are scheduled at
 * least 30 days after --now, and tokens are not due for a refresh for
 * 28 days, so an idle worker has nothing to do. No tokens are stored:
 * the keyring is not touched.
 *
 * The content depends only on --seed and --now (default: the current
 * time, to the minute), not on the machine. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glib.h>
#include <sqlite3.h>

#include "pinwarden/activity.h"
#include "pinwarden/store.h"

#define MS_MIN (60 * (int64_t)1000)
#define MS_HOUR (60 * MS_MIN)
#define MS_DAY (24 * MS_HOUR)

/* ---- the random numbers: splitmix64, the same on every machine ------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static int64_t rnd_below(int64_t n)
{
	return n > 0 ? (int64_t)(rnd() % (uint64_t)n) : 0;
}

/* Uniform in [lo, hi]. */
static int64_t rnd_range(int64_t lo, int64_t hi)
{
	return hi > lo ? lo + rnd_below(hi - lo + 1) : lo;
}

static double rnd_unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* A value that depends only on its inputs, for details that must come out
 * the same when an event is written as when it was planned. */
static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t z = a * 0x9e3779b97f4a7c15ULL + b + 0x632be59bd9b4e019ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- times ------------------------------------------------------------------- */

/* The stored format, "YYYY-MM-DDTHH:MM:SS.mmmZ" (src/core/timeutil.c). */
static void fmt_time(int64_t ms, char out[64])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* As a person reads it in the job.queued message ("2026-12-04 22:25:42";
 * the benchmarks run with TZ=UTC). */
static void fmt_shown(int64_t ms, char out[64])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(out, 64, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec);
}

/* ---- what the workspace holds ------------------------------------------------ */

typedef struct scale {
	const char *name;
	int clients, accounts_per_client, boards_per_account, in_scope_per_account;
	int jobs;
	int64_t events;      /* the log's length; 0: only what the rest implies */
	int64_t span_ms;     /* how far back the history goes */
} scale;

static const scale scales[] = {
	{ "large", 200, 5, 50, 25, 200000, 2000000, 730 * MS_DAY },
	{ "empty", 1, 1, 1, 1, 100, 0, 7 * MS_DAY },
};

enum { S_QUEUED, S_SENDING, S_RETRYING, S_PAUSED, S_PUBLISHED, S_FAILED, S_UNKNOWN, S_CANCELLED, S_COUNT };
static const char *const state_names[S_COUNT] = { "queued",    "sending", "retrying", "paused",
	                                          "published", "failed",  "unknown",  "cancelled" };

typedef struct client_plan {
	int64_t created;
	char name[64];
	char contact[96];
	char domain[32];
	int op;
} client_plan;

typedef struct account_plan {
	int client;          /* index */
	int64_t created, requested, connected, verified;
	int op;
} account_plan;

typedef struct job_plan {
	int64_t created, scheduled, cancelled_at, next_attempt, first_attempt;
	int32_t account, board;  /* indexes */
	uint8_t state, fails, op, permanent;
} job_plan;

/* One event to write: sorted by time, then materialized in that order. */
enum {
	K_CLIENT_ADD,
	K_ACCOUNT_EXPECT,
	K_CONNECT_REQUEST,
	K_CONNECTED,
	K_VERIFY,
	K_TOKEN_REFRESHED,
	K_CLIENT_EDIT,
	K_LOG_EXPORT,
	K_BACKUP,
	K_JOB_QUEUED,
	K_JOB_ATTEMPT,
	K_JOB_ATTEMPT_FAILED,
	K_JOB_PUBLISHED,
	K_JOB_FAILED,
	K_JOB_UNKNOWN,
	K_JOB_PAUSED,
	K_JOB_CANCEL,
	K_COUNT
};
static const char *const kind_names[K_COUNT] = {
	"client.add",    "account.expect", "account.connect_request", "account.connected",   "account.verify",
	"account.token_refreshed", "client.edit", "log.export",       "workspace.backup",    "job.queued",
	"job.attempt",   "job.attempt_failed", "job.published",       "job.failed",          "job.unknown",
	"job.paused",    "job.cancel",
};

typedef struct stub {
	int64_t t;
	uint32_t seq;    /* ties in time keep the order they were planned in */
	int32_t ref;     /* the job, account or client index */
	uint8_t kind;
	uint8_t n;       /* the attempt number, or a variant */
} stub;

typedef struct plan {
	const scale *sc;
	int64_t now, t0;
	int n_accounts, n_boards;
	client_plan *clients;
	account_plan *accounts;
	job_plan *jobs;
	GArray *stubs;
	int64_t counts[K_COUNT];
	int64_t state_counts[S_COUNT];
} plan;

static const char *const operators[] = { "amelie", "bruno", "chen", "dana", "eli", "farah" };
#define N_OPS ((int)G_N_ELEMENTS(operators))
/* Whoever runs the worker: its events carry that name. */
static const char *const worker_op = "svc-pinwarden";

static const char *const brand_a[] = { "Northwind", "Maison",  "Bluebird", "Cedar",  "Atlas",  "Juniper", "Harbor",
	                               "Solstice",  "Meridian", "Willow",  "Copper", "Lumen",  "Orchard", "Fable",
	                               "Granite",   "Saffron", "Tidal",    "Verdant", "Ember",  "Pioneer" };
static const char *const brand_b[] = { "Outdoor", "Bakery", "Studio", "Home",    "Kitchen", "Atelier", "Goods",
	                               "Travel",  "Garden", "Cycles", "Apparel", "Ceramics" };
static const char *const topics[] = { "Recipes",  "Travel",   "Spring",    "Summer",  "Autumn",   "Winter",
	                              "Gift Ideas", "Interiors", "Outfits", "Weddings", "DIY",       "Garden",
	                              "Kids",     "Wellness", "Behind the Scenes", "Lookbook", "Sale", "New In" };
static const char *const words[] = { "linen",  "cozy",   "rustic", "bright",  "summer", "trail", "bread",
	                             "ceramic", "velvet", "coastal", "minimal", "bold",  "citrus", "oak",
	                             "woven",  "morning", "weekend", "classic", "fresh", "market" };

#define PICK(a, i) (a)[(i) % (int64_t)G_N_ELEMENTS(a)]

static void add_stub(plan *p, int64_t t, int kind, int32_t ref, int n)
{
	stub s = { .t = t, .seq = p->stubs->len, .ref = ref, .kind = (uint8_t)kind, .n = (uint8_t)n };
	g_array_append_val(p->stubs, s);
	p->counts[kind]++;
}

/* The number of accounts connected by time t (they connect in id order). */
static int accounts_connected_by(const plan *p, int64_t t)
{
	int lo = 0, hi = p->n_accounts;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (p->accounts[mid].connected <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t backoff_ms(uint64_t h, int attempt)
{
	double s = 30.0 * (double)(1 << (attempt > 1 ? attempt - 1 : 0));
	if (s > 3600)
		s = 3600;
	s *= 0.8 + 0.4 * (double)(h % 1000) / 1000.0;
	return (int64_t)(s * 1000);
}

/* The state of job j, by the proportions of a working agency: mostly
 * published; waiting states only among the recent jobs. */
static int pick_state(const plan *p, int j, int64_t created)
{
	double r = rnd_unit();

	if (p->sc->jobs == 100) {
		/* A fresh agency has queued most of its first 100 Pins; every
		 * state is there once or more, in a fixed shuffle. */
		int k = (j * 37 + 11) % 100;
		return k < 66 ? S_QUEUED : k < 91 ? S_PUBLISHED : k < 93 ? S_FAILED : k < 95 ? S_RETRYING
		       : k == 95 ? S_PAUSED : k == 96 ? S_UNKNOWN : k < 99 ? S_CANCELLED : S_SENDING;
	}
	if (j >= p->sc->jobs - 20)
		return S_SENDING; /* a worker in the middle of a batch */
	if (p->now - created < 60 * MS_DAY) {
		if (r < 0.40)
			return S_QUEUED;
		if (r < 0.42)
			return S_RETRYING;
		if (r < 0.44)
			return S_FAILED;
		if (r < 0.48)
			return S_CANCELLED;
		if (r < 0.495)
			return S_PAUSED;
		if (r < 0.50)
			return S_UNKNOWN;
		return S_PUBLISHED;
	}
	if (r < 0.023)
		return S_FAILED;
	if (r < 0.053)
		return S_CANCELLED;
	if (r < 0.060)
		return S_PAUSED;
	if (r < 0.062)
		return S_UNKNOWN;
	return S_PUBLISHED;
}

static void plan_jobs(plan *p)
{
	const scale *sc = p->sc;
	/* Jobs start once the first client is connected. */
	int64_t w0 = p->accounts[0].connected + MS_HOUR;
	int64_t w = p->now - 10 * MS_MIN - w0;

	for (int j = 0; j < sc->jobs; j++) {
		job_plan *jp = &p->jobs[j];
		int64_t created = w0 + (int64_t)(((double)j + rnd_unit()) * (double)w / sc->jobs);
		int k = accounts_connected_by(p, created - MS_HOUR);
		int64_t room, delay;
		int st;

		if (k < 1)
			k = 1;
		jp->account = (int32_t)rnd_below(k);
		jp->board = (int32_t)(jp->account * sc->boards_per_account + rnd_below(sc->in_scope_per_account));
		jp->op = (uint8_t)rnd_below(N_OPS);
		jp->created = created;
		st = pick_state(p, j, created);
		jp->state = (uint8_t)st;
		/* "Now" a third of the time, else from an hour to six weeks ahead. */
		delay = rnd_unit() < 0.35 ? rnd_range(0, 120 * 1000) : rnd_range(MS_HOUR, 42 * MS_DAY);
		room = p->now - 2 * MS_MIN - created;
		switch (st) {
		case S_QUEUED:
			/* Waiting: at least 30 days ahead, so that none falls due
			 * while the benchmarks reuse the workspace. */
			jp->scheduled = p->now + 30 * MS_DAY + rnd_range(0, 45 * MS_DAY);
			break;
		case S_CANCELLED:
			jp->scheduled = created + delay;
			jp->cancelled_at = created + rnd_range(MS_MIN, MAX(MS_MIN, MIN(delay, room)));
			if (jp->cancelled_at > p->now - MS_MIN)
				jp->cancelled_at = p->now - MS_MIN;
			break;
		case S_SENDING:
			jp->scheduled = created + rnd_range(0, MAX(0, MIN(room, 5 * MS_MIN)));
			jp->first_attempt = jp->scheduled + rnd_range(200, 2000);
			break;
		case S_RETRYING:
			/* Its last attempt failed recently; the next one is far off
			 * (see above). */
			jp->scheduled = rnd_range(MAX(created, p->now - 7 * MS_DAY), MAX(created, p->now - 10 * MS_MIN));
			jp->fails = (uint8_t)rnd_range(1, 3);
			jp->first_attempt = jp->scheduled + rnd_range(200, 2000);
			jp->next_attempt = p->now + 30 * MS_DAY + rnd_range(0, MS_DAY);
			break;
		default:
			jp->scheduled = created + MIN(delay, MAX(0, room - 2 * MS_HOUR));
			jp->first_attempt = jp->scheduled + rnd_range(200, 2000);
			break;
		}
		if (st == S_PUBLISHED) {
			/* Most go out at the first try; some after 5xx or rate limits. */
			double r = rnd_unit();
			jp->fails = r < 0.60 ? 0 : r < 0.80 ? 1 : r < 0.90 ? 2 : r < 0.96 ? 3 : 4;
		} else if (st == S_FAILED) {
			jp->permanent = rnd_unit() < 0.6;
			jp->fails = jp->permanent ? 0 : 5;
		}
		p->state_counts[st]++;
	}
}

/* The events each job implies, in time order within the job. */
static void plan_job_events(plan *p)
{
	for (int j = 0; j < p->sc->jobs; j++) {
		job_plan *jp = &p->jobs[j];
		int64_t t = jp->first_attempt, last = t;
		int attempt = 1;

		add_stub(p, jp->created, K_JOB_QUEUED, j, 0);
		switch (jp->state) {
		case S_QUEUED:
			break;
		case S_CANCELLED:
			add_stub(p, jp->cancelled_at, K_JOB_CANCEL, j, 0);
			break;
		case S_PAUSED:
			add_stub(p, jp->scheduled + rnd_range(200, 2000), K_JOB_PAUSED, j, 0);
			break;
		default:
			for (int f = 0; f < jp->fails; f++, attempt++) {
				last = t;
				add_stub(p, t, K_JOB_ATTEMPT, j, attempt);
				add_stub(p, t + rnd_range(150, 1500), K_JOB_ATTEMPT_FAILED, j, attempt);
				t += backoff_ms(mix((uint64_t)j, (uint64_t)attempt), attempt) + rnd_range(0, 1500);
				if (t > p->now - MS_MIN)
					t = p->now - MS_MIN + attempt * 10;
			}
			if (jp->state == S_RETRYING) {
				jp->first_attempt = last; /* from here on: the latest attempt's start */
				break;
			}
			add_stub(p, t, K_JOB_ATTEMPT, j, attempt);
			if (jp->state == S_PUBLISHED)
				add_stub(p, t + rnd_range(150, 1500), K_JOB_PUBLISHED, j, attempt);
			else if (jp->state == S_FAILED)
				add_stub(p, t + rnd_range(150, 1500), K_JOB_FAILED, j, attempt);
			else if (jp->state == S_UNKNOWN)
				add_stub(p, t + 60000 + rnd_range(0, 1500), K_JOB_UNKNOWN, j, attempt);
			jp->first_attempt = t; /* from here on: the latest attempt's start */
			break;
		}
	}
}

static void plan_people(plan *p)
{
	const scale *sc = p->sc;
	/* Clients are onboarded over the first months (all of them at once
	 * for a fresh agency), two days or more apart. */
	int64_t onboarding = sc->clients > 1 ? 400 * MS_DAY : 0;

	for (int c = 0; c < sc->clients; c++) {
		client_plan *cp = &p->clients[c];
		cp->created = p->t0 + (sc->clients > 1 ? (int64_t)c * onboarding / sc->clients : 0) + rnd_range(0, MS_DAY);
		cp->op = (int)rnd_below(N_OPS);
		snprintf(cp->name, sizeof cp->name, "%s %s %03d", PICK(brand_a, c * 7), PICK(brand_b, c), c + 1);
		snprintf(cp->domain, sizeof cp->domain, "c%03d.example", c + 1);
		snprintf(cp->contact, sizeof cp->contact, "%s <marketing@%s>", PICK(words, c * 3), cp->domain);
		add_stub(p, cp->created, K_CLIENT_ADD, c, 0);
		for (int i = 0; i < sc->accounts_per_client; i++) {
			int a = c * sc->accounts_per_client + i;
			account_plan *ap = &p->accounts[a];
			ap->client = c;
			ap->op = cp->op;
			ap->created = cp->created + 1 + i;
			ap->connected = cp->created + (int64_t)(i + 1) * MS_HOUR + rnd_range(0, 30 * MS_MIN);
			ap->requested = ap->connected - rnd_range(MS_MIN, 10 * MS_MIN);
			ap->verified = ap->connected + rnd_range(100, 900);
			add_stub(p, ap->created, K_ACCOUNT_EXPECT, a, 0);
			add_stub(p, ap->requested, K_CONNECT_REQUEST, a, 0);
			add_stub(p, ap->connected, K_CONNECTED, a, 0);
			add_stub(p, ap->verified, K_VERIFY, a, 0);
			/* The worker refreshes access tokens a day before they end. */
			for (int64_t t = ap->connected + 29 * MS_DAY; t < p->now - 11 * MS_MIN; t += 29 * MS_DAY)
				add_stub(p, t + rnd_range(0, 10 * MS_MIN), K_TOKEN_REFRESHED, a, 0);
		}
	}
}

/* Routine events that bring the log to its length: operators verifying
 * accounts again, tokens refreshed by hand, clients edited, exports and
 * backups, spread over the history. */
static void plan_filler(plan *p, int64_t have)
{
	int64_t want = p->sc->events - have;
	int64_t first = p->accounts[0].connected + MS_HOUR;

	for (int64_t i = 0; i < want; i++) {
		int64_t t = rnd_range(first, p->now - MS_MIN);
		int a = (int)rnd_below(accounts_connected_by(p, t));
		double r = rnd_unit();
		if (r < 0.45)
			add_stub(p, t, K_VERIFY, a, 1);
		else if (r < 0.80)
			add_stub(p, t, K_TOKEN_REFRESHED, a, 1);
		else if (r < 0.97)
			add_stub(p, t, K_CLIENT_EDIT, p->accounts[a].client, (int)rnd_below(4));
		else if (r < 0.99)
			add_stub(p, t, K_LOG_EXPORT, p->accounts[a].client, (int)rnd_below(2));
		else
			add_stub(p, t, K_BACKUP, 0, 0);
	}
}

static int stub_order(const void *a, const void *b)
{
	const stub *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- writing ------------------------------------------------------------------ */

typedef struct writer {
	pw_store *store;
	sqlite3 *db;
	sqlite3_stmt *ins_event;
	sqlite3_int64 last_id;
	char prev[PW_HASH_HEX_LEN + 1];
	int64_t written;
} writer;

static void die(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("bench/generate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void check_sql(writer *w, int rc, const char *doing)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		die("%s: %s", doing, sqlite3_errmsg(w->db));
}

static void exec(writer *w, const char *sql)
{
	check_sql(w, sqlite3_exec(w->db, sql, NULL, NULL, NULL), sql);
}

static sqlite3_stmt *prepare(writer *w, const char *sql)
{
	sqlite3_stmt *st = NULL;
	check_sql(w, sqlite3_prepare_v2(w->db, sql, -1, &st, NULL), sql);
	return st;
}

static void step(writer *w, sqlite3_stmt *st, const char *doing)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		die("%s: %s", doing, sqlite3_errmsg(w->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_time(sqlite3_stmt *st, int i, int64_t ms)
{
	char t[64];
	if (!ms) {
		sqlite3_bind_null(st, i);
		return;
	}
	fmt_time(ms, t);
	sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
}

static void bind_id(sqlite3_stmt *st, int i, sqlite3_int64 id)
{
	if (id)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* Appends one event as pw_log_append would: the next id, the hash of the
 * previous event's hash and this one's canonical content. */
static void append_event(writer *w, int64_t at_ms, const char *op, const char *kind, sqlite3_int64 client_id,
                         sqlite3_int64 account_id, sqlite3_int64 job_id, const char *message, const char *details)
{
	char at[64], hash[PW_HASH_HEX_LEN + 1];
	pw_event_row row = { 0 };

	fmt_time(at_ms, at);
	row.id = w->last_id + 1;
	row.at = at;
	row.operator = op;
	row.kind = kind;
	row.client_id = client_id;
	row.account_id = account_id;
	row.job_id = job_id;
	row.message = message;
	row.details = details;
	pw_log_event_hash(w->prev, &row, hash);

	sqlite3_bind_int64(w->ins_event, 1, row.id);
	sqlite3_bind_text(w->ins_event, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_event, 3, op, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_event, 4, kind, -1, SQLITE_STATIC);
	bind_id(w->ins_event, 5, client_id);
	bind_id(w->ins_event, 6, account_id);
	bind_id(w->ins_event, 7, job_id);
	sqlite3_bind_text(w->ins_event, 8, message, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_event, 9, details, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_event, 10, w->prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_event, 11, hash, -1, SQLITE_STATIC);
	step(w, w->ins_event, "appending an event");
	w->last_id = row.id;
	memcpy(w->prev, hash, sizeof w->prev);
	w->written++;
}

static void username(int a, char out[24])
{
	snprintf(out, 24, "acct_%04d", a + 1);
}

static void board_name(const plan *p, int b, char out[64])
{
	int a = b / p->sc->boards_per_account, i = b % p->sc->boards_per_account;
	snprintf(out, 64, "%s %02d", PICK(topics, a + i), i + 1);
}

static void board_pid(int b, char out[24])
{
	snprintf(out, 24, "5497558%08d", b + 1);
}

static void pin_id(int j, char out[24])
{
	snprintf(out, 24, "8137442264%09d", j + 1);
}

static void job_title(int j, char out[128])
{
	snprintf(out, 128, "%s %s %s no. %d", PICK(words, mix((uint64_t)j, 1)), PICK(words, mix((uint64_t)j, 2)),
	         PICK(topics, mix((uint64_t)j, 3)), j + 1);
}

static void write_people(writer *w, plan *p)
{
	const scale *sc = p->sc;
	sqlite3_stmt *ins_client = prepare(w, "INSERT INTO clients (id, name, contact, notes, created_at, created_by)"
	                                      " VALUES (?1, ?2, ?3, '', ?4, ?5)");
	sqlite3_stmt *ins_domain = prepare(w, "INSERT INTO client_domains (client_id, purpose, domain) VALUES (?1, ?2, ?3)");
	sqlite3_stmt *ins_cboard = prepare(w, "INSERT OR IGNORE INTO client_boards (client_id, name) VALUES (?1, ?2)");
	sqlite3_stmt *ins_account = prepare(
	        w, "INSERT INTO accounts (id, client_id, expected_username, username, pinterest_user_id, account_type,"
	           " state, scopes, access_expires_at, refresh_expires_at, connected_by, connected_at, verified_at,"
	           " created_at) VALUES (?1, ?2, ?3, ?3, ?4, 'BUSINESS', 'verified',"
	           " 'boards:read boards:write pins:read pins:write user_accounts:read', ?5, ?6, ?7, ?8, ?9, ?10)");
	sqlite3_stmt *ins_request = prepare(
	        w, "INSERT INTO connect_requests (id, state_hash, account_id, created_at, expires_at, created_by,"
	           " closed_at, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'connected')");
	sqlite3_stmt *ins_board = prepare(w, "INSERT INTO boards (id, account_id, pinterest_id, name, privacy, in_scope,"
	                                     " synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");

	for (int c = 0; c < sc->clients; c++) {
		const client_plan *cp = &p->clients[c];
		char image[40];
		sqlite3_bind_int64(ins_client, 1, c + 1);
		bind_text(ins_client, 2, cp->name);
		bind_text(ins_client, 3, cp->contact);
		bind_time(ins_client, 4, cp->created);
		bind_text(ins_client, 5, operators[cp->op]);
		step(w, ins_client, "adding a client");
		snprintf(image, sizeof image, "*.%s", cp->domain);
		for (int k = 0; k < 3; k++) {
			sqlite3_bind_int64(ins_domain, 1, c + 1);
			bind_text(ins_domain, 2, k == 0 ? "link" : "image");
			bind_text(ins_domain, 3, k == 2 ? image : cp->domain);
			step(w, ins_domain, "adding a domain");
		}
	}
	for (int a = 0; a < p->n_accounts; a++) {
		const account_plan *ap = &p->accounts[a];
		char user[24], uid[32], *state_hash, seed[32];
		username(a, user);
		snprintf(uid, sizeof uid, "27831361211%08d", a + 1);
		sqlite3_bind_int64(ins_account, 1, a + 1);
		sqlite3_bind_int64(ins_account, 2, ap->client + 1);
		bind_text(ins_account, 3, user);
		bind_text(ins_account, 4, uid);
		/* Not due for a refresh (24 h / 14 days ahead) for 28 days. */
		bind_time(ins_account, 5, p->now + 29 * MS_DAY);
		bind_time(ins_account, 6, p->now + 59 * MS_DAY);
		bind_text(ins_account, 7, operators[ap->op]);
		bind_time(ins_account, 8, ap->connected);
		bind_time(ins_account, 9, ap->verified);
		bind_time(ins_account, 10, ap->created);
		step(w, ins_account, "adding an account");

		snprintf(seed, sizeof seed, "bench-state-%d", a + 1);
		state_hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, seed, -1);
		sqlite3_bind_int64(ins_request, 1, a + 1);
		bind_text(ins_request, 2, state_hash);
		sqlite3_bind_int64(ins_request, 3, a + 1);
		bind_time(ins_request, 4, ap->requested);
		bind_time(ins_request, 5, ap->requested + 15 * MS_MIN);
		bind_text(ins_request, 6, operators[ap->op]);
		bind_time(ins_request, 7, ap->connected);
		step(w, ins_request, "adding a connection request");
		g_free(state_hash);

		for (int i = 0; i < sc->boards_per_account; i++) {
			int b = a * sc->boards_per_account + i;
			char name[64], pid[24];
			bool in_scope = i < sc->in_scope_per_account;
			board_name(p, b, name);
			board_pid(b, pid);
			sqlite3_bind_int64(ins_board, 1, b + 1);
			sqlite3_bind_int64(ins_board, 2, a + 1);
			bind_text(ins_board, 3, pid);
			bind_text(ins_board, 4, name);
			bind_text(ins_board, 5, i % 10 == 9 ? "SECRET" : "PUBLIC");
			sqlite3_bind_int(ins_board, 6, in_scope);
			bind_time(ins_board, 7, ap->verified);
			step(w, ins_board, "adding a board");
			if (in_scope) {
				sqlite3_bind_int64(ins_cboard, 1, ap->client + 1);
				bind_text(ins_cboard, 2, name);
				step(w, ins_cboard, "adding a board in scope");
			}
		}
	}
	sqlite3_finalize(ins_client);
	sqlite3_finalize(ins_domain);
	sqlite3_finalize(ins_cboard);
	sqlite3_finalize(ins_account);
	sqlite3_finalize(ins_request);
	sqlite3_finalize(ins_board);
}

/* The error a failed attempt met: 5xx, a rate limit, a time-out; or, for
 * a job that failed at once, a refusal. */
typedef struct api_error {
	const char *klass;
	int http, code;
	const char *message;
} api_error;

static const api_error transient_errors[] = {
	{ "transient", 503, 503, "Service Unavailable" },
	{ "transient", 429, 8, "This request exceeded a rate limit. This can happen if the client exceeds one of the "
	                       "published rate limits within a short time window." },
	{ "transient", 500, 500, "Internal Server Error" },
	{ "transient", 0, 0, "Timeout was reached" },
};
static const api_error permanent_errors[] = {
	{ "permanent", 400, 1, "Whoops! It looks like you entered an invalid URL. Try creating a Pin again with a valid URL." },
	{ "permanent", 404, 40, "Board not found." },
	{ "permanent", 400, 1, "Sorry, this image is too small." },
};

static void write_jobs(writer *w, plan *p)
{
	sqlite3_stmt *ins = prepare(
	        w, "INSERT INTO jobs (id, client_id, account_id, board_id, title, description, link, alt_text, image_url,"
	           " image_key, scheduled_at, state, attempts, attempt_started_at, next_attempt_at, pin_id, last_error,"
	           " requested_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12,"
	           " ?13, ?14, ?15, ?16, ?17, ?18, ?19)");

	for (int j = 0; j < p->sc->jobs; j++) {
		const job_plan *jp = &p->jobs[j];
		const client_plan *cp = &p->clients[p->accounts[jp->account].client];
		char title[128], desc[256], link[96], alt[160], image[96], pid[24];
		int attempts = 0;
		int64_t updated = jp->created, next = 0;
		const char *last_error = NULL;
		char errbuf[256];

		job_title(j, title);
		snprintf(desc, sizeof desc, "%s %s for %s: see what is %s this %s at %s. #%s #%s", PICK(words, j),
		         PICK(words, j / 3), PICK(topics, j / 7), PICK(words, j / 11), PICK(topics, j / 13), cp->name,
		         PICK(words, j / 17), PICK(topics, j / 19));
		snprintf(link, sizeof link, "https://%s/p/%06d", cp->domain, j + 1);
		snprintf(alt, sizeof alt, "A %s %s photo", PICK(words, j / 5), PICK(words, j / 23));
		snprintf(image, sizeof image, "https://cdn.%s/img/%06d.jpg", cp->domain, j + 1);
		pin_id(j, pid);

		switch (jp->state) {
		case S_QUEUED:
			next = jp->scheduled;
			break;
		case S_CANCELLED:
			updated = jp->cancelled_at;
			break;
		case S_PAUSED:
			updated = jp->scheduled + 1000;
			snprintf(errbuf, sizeof errbuf, "account 'acct_%04d' is needs_reconnect; it must be verified to publish",
			         jp->account + 1);
			last_error = errbuf;
			break;
		case S_SENDING:
			attempts = 1;
			updated = jp->first_attempt;
			break;
		case S_RETRYING:
			attempts = jp->fails;
			updated = jp->first_attempt + 1000;
			next = jp->next_attempt;
			last_error = transient_errors[mix((uint64_t)j, (uint64_t)attempts) % 4].message;
			break;
		case S_PUBLISHED:
			attempts = jp->fails + 1;
			updated = jp->first_attempt + 1000;
			break;
		case S_FAILED:
			attempts = jp->fails + 1;
			updated = jp->first_attempt + 1000;
			last_error = jp->permanent ? permanent_errors[mix((uint64_t)j, 9) % 3].message
			                           : transient_errors[mix((uint64_t)j, (uint64_t)attempts) % 4].message;
			break;
		case S_UNKNOWN:
			attempts = jp->fails + 1;
			updated = jp->first_attempt + 60000;
			last_error = "Failure when receiving data from the peer";
			break;
		}
		sqlite3_bind_int64(ins, 1, j + 1);
		sqlite3_bind_int64(ins, 2, p->accounts[jp->account].client + 1);
		sqlite3_bind_int64(ins, 3, jp->account + 1);
		sqlite3_bind_int64(ins, 4, jp->board + 1);
		bind_text(ins, 5, title);
		bind_text(ins, 6, desc);
		bind_text(ins, 7, link);
		bind_text(ins, 8, alt);
		bind_text(ins, 9, image);
		bind_time(ins, 10, jp->scheduled);
		bind_text(ins, 11, state_names[jp->state]);
		sqlite3_bind_int(ins, 12, attempts);
		bind_time(ins, 13, attempts ? jp->first_attempt : 0);
		bind_time(ins, 14, next);
		bind_text(ins, 15, jp->state == S_PUBLISHED ? pid : NULL);
		bind_text(ins, 16, last_error);
		bind_text(ins, 17, operators[jp->op]);
		bind_time(ins, 18, jp->created);
		bind_time(ins, 19, updated);
		step(w, ins, "adding a job");
	}
	sqlite3_finalize(ins);
}

static void api_details(GString *d, const api_error *e, int attempt, const char *extra)
{
	g_string_printf(d,
	                "{\"attempt\":%d,\"class\":\"%s\",\"http_status\":%d,\"pinterest_code\":%d,\"message\":\"%s\","
	                "\"request_id\":\"%s\"%s}",
	                attempt, e->klass, e->http, e->code, e->message, e->http ? "8f3c1a2b9d7e4f60" : "",
	                extra ? extra : "");
}

static void write_event(writer *w, plan *p, const stub *s, GString *msg, GString *d)
{
	const char *kind = kind_names[s->kind];
	char t1[64], t2[64], user[24], bname[64], pid[24];

	switch (s->kind) {
	case K_CLIENT_ADD: {
		const client_plan *cp = &p->clients[s->ref];
		g_string_printf(msg, "client '%s' onboarded", cp->name);
		g_string_printf(d, "{\"name\":\"%s\",\"contact\":\"%s\",\"link_domains\":[\"%s\"],\"image_domains\":"
		                   "[\"%s\",\"*.%s\"],\"boards\":[",
		                cp->name, cp->contact, cp->domain, cp->domain, cp->domain);
		for (int i = 0; i < MIN(p->sc->in_scope_per_account, 25); i++) {
			board_name(p, s->ref * p->sc->accounts_per_client * p->sc->boards_per_account + i, bname);
			g_string_append_printf(d, "%s\"%s\"", i ? "," : "", bname);
		}
		g_string_append(d, "],\"expected_accounts\":[");
		for (int i = 0; i < p->sc->accounts_per_client; i++) {
			username(s->ref * p->sc->accounts_per_client + i, user);
			g_string_append_printf(d, "%s\"%s\"", i ? "," : "", user);
		}
		g_string_append(d, "]}");
		append_event(w, s->t, operators[cp->op], kind, s->ref + 1, 0, 0, msg->str, d->str);
		return;
	}
	case K_ACCOUNT_EXPECT:
	case K_CONNECT_REQUEST:
	case K_CONNECTED:
	case K_VERIFY:
	case K_TOKEN_REFRESHED: {
		const account_plan *ap = &p->accounts[s->ref];
		const client_plan *cp = &p->clients[ap->client];
		const char *op = operators[s->n ? (int)(mix((uint64_t)s->seq, 5) % N_OPS) : ap->op];
		username(s->ref, user);
		if (s->kind == K_ACCOUNT_EXPECT) {
			g_string_printf(msg, "account '%s' expected for client '%s'", user, cp->name);
			g_string_printf(d, "{\"expected_username\":\"%s\"}", user);
		} else if (s->kind == K_CONNECT_REQUEST) {
			fmt_time(ap->requested + 15 * MS_MIN, t1);
			g_string_printf(msg, "connection requested for account '%s' of client '%s'", user, cp->name);
			g_string_printf(d, "{\"expected_username\":\"%s\",\"expires_at\":\"%s\",\"redirect_uri\":"
			                   "\"http://localhost:8085/\",\"request_id\":%d}",
			                user, t1, s->ref + 1);
		} else if (s->kind == K_CONNECTED) {
			g_string_printf(msg, "account '%s' of client '%s' connected, approved by Pinterest user '%s', "
			                     "requested by %s",
			                user, cp->name, user, op);
			g_string_printf(d, "{\"requested_by\":\"%s\",\"expected_username\":\"%s\",\"approved_by\":\"%s\","
			                   "\"pinterest_user_id\":\"27831361211%08d\",\"scopes\":\"boards:read boards:write "
			                   "pins:read pins:write user_accounts:read\",\"request_id\":%d}",
			                op, user, user, s->ref + 1, s->ref + 1);
		} else if (s->kind == K_VERIFY) {
			g_string_printf(msg, "account '%s' verified", user);
			g_string_printf(d, "{\"checks\":[{\"check\":\"tokens in the keyring\",\"ok\":true,\"detail\":"
			                   "\"present\"},{\"check\":\"approved by the expected user\",\"ok\":true,\"detail\":"
			                   "\"'%s'\"},{\"check\":\"boards synced\",\"ok\":true,\"detail\":\"%d boards\"},"
			                   "{\"check\":\"boards in scope exist\",\"ok\":true,\"detail\":\"%d in scope\"},"
			                   "{\"check\":\"a read succeeds\",\"ok\":true,\"detail\":\"read the newest Pin of a "
			                   "board in scope\"}],\"state\":\"verified\"}",
			                user, p->sc->boards_per_account, p->sc->in_scope_per_account);
		} else {
			op = s->n ? op : worker_op;
			fmt_time(s->t + 30 * MS_DAY, t1);
			fmt_time(s->t + 60 * MS_DAY, t2);
			g_string_printf(msg, "tokens of account '%s' refreshed", user);
			g_string_printf(d, "{\"access_expires_at\":\"%s\",\"refresh_expires_at\":\"%s\"}", t1, t2);
		}
		append_event(w, s->t, op, kind, ap->client + 1, s->ref + 1, 0, msg->str, d->str);
		return;
	}
	case K_CLIENT_EDIT: {
		const client_plan *cp = &p->clients[s->ref];
		static const char *const what[] = { "contact", "notes", "boards", "link_domains" };
		g_string_printf(msg, "client '%s' changed", cp->name);
		if (s->n == 2) {
			board_name(p, s->ref * p->sc->accounts_per_client * p->sc->boards_per_account, bname);
			g_string_printf(d, "{\"boards\":{\"added\":[\"%s\"],\"removed\":[]}}", bname);
		} else if (s->n == 3) {
			g_string_printf(d, "{\"link_domains\":{\"added\":[\"shop.%s\"],\"removed\":[]}}", cp->domain);
		} else {
			g_string_printf(d, "{\"%s\":{\"from\":\"%s\",\"to\":\"%s\"}}", what[s->n], s->n ? "" : cp->contact,
			                s->n ? "monthly report on Fridays" : cp->contact);
		}
		append_event(w, s->t, operators[mix((uint64_t)s->seq, 3) % N_OPS], kind, s->ref + 1, 0, 0, msg->str,
		             d->str);
		return;
	}
	case K_LOG_EXPORT: {
		int64_t n = (int64_t)w->last_id;
		g_string_printf(msg, "activity log exported (%" PRId64 " events, %s) to /srv/agency/exports/log-%" PRId64 ".%s",
		                n, s->n ? "csv" : "jsonl", n, s->n ? "csv" : "jsonl");
		g_string_printf(d, "{\"format\":\"%s\",\"events\":%" PRId64 ",\"path\":\"/srv/agency/exports/log-%" PRId64
		                   ".%s\"}",
		                s->n ? "csv" : "jsonl", n, n, s->n ? "csv" : "jsonl");
		append_event(w, s->t, operators[mix((uint64_t)s->seq, 4) % N_OPS], kind, s->ref + 1, 0, 0, msg->str,
		             d->str);
		return;
	}
	case K_BACKUP:
		g_string_printf(msg, "workspace backed up to /srv/agency/backups/pinwarden-%" PRId64 ".db", s->t / 1000);
		g_string_printf(d, "{\"path\":\"/srv/agency/backups/pinwarden-%" PRId64 ".db\",\"pages\":%" PRId64 "}",
		                s->t / 1000, (int64_t)(1000 + w->last_id / 3));
		append_event(w, s->t, operators[mix((uint64_t)s->seq, 6) % N_OPS], kind, 0, 0, 0, msg->str, d->str);
		return;
	default:
		break;
	}

	/* The jobs' events. */
	{
		int j = s->ref;
		const job_plan *jp = &p->jobs[j];
		const account_plan *ap = &p->accounts[jp->account];
		const client_plan *cp = &p->clients[ap->client];
		sqlite3_int64 cid = ap->client + 1, aid = jp->account + 1, jid = j + 1;
		const char *op = worker_op;
		const api_error *e = &transient_errors[mix((uint64_t)j, s->n) % 4];
		char title[128], extra[160];

		username(jp->account, user);
		board_name(p, jp->board, bname);
		switch (s->kind) {
		case K_JOB_QUEUED:
			op = operators[jp->op];
			job_title(j, title);
			fmt_shown(jp->scheduled, t1);
			fmt_time(jp->scheduled, t2);
			board_pid(jp->board, pid);
			g_string_printf(msg, "job %d queued: '%s' to %s \xe2\x86\x92 %s at %s", j + 1, title, user, bname, t1);
			g_string_printf(d, "{\"board\":\"%s\",\"board_id\":\"%s\",\"image\":\"https://cdn.%s/img/%06d.jpg\","
			                   "\"link\":\"https://%s/p/%06d\",\"scheduled_at\":\"%s\"}",
			                bname, pid, cp->domain, j + 1, cp->domain, j + 1, t2);
			break;
		case K_JOB_ATTEMPT:
			g_string_printf(msg, "job %d: attempt %d to %s \xe2\x86\x92 %s", j + 1, s->n, user, bname);
			g_string_printf(d, "{\"attempt\":%d}", s->n);
			break;
		case K_JOB_ATTEMPT_FAILED: {
			int64_t next = s->t + backoff_ms(mix((uint64_t)j, s->n), s->n);
			if (jp->state == S_RETRYING && s->n == jp->fails)
				next = jp->next_attempt;
			fmt_time(next, t1);
			snprintf(extra, sizeof extra, ",\"next_attempt_at\":\"%s\"", t1);
			g_string_printf(msg, "job %d retrying after attempt %d: %s", j + 1, s->n, e->message);
			api_details(d, e, s->n, extra);
			break;
		}
		case K_JOB_PUBLISHED: {
			static const api_error ok = { "ok", 0, 0, "" };
			pin_id(j, pid);
			snprintf(extra, sizeof extra, ",\"pin_id\":\"%s\"", pid);
			g_string_printf(msg, "job %d published as Pin %s on %s \xe2\x86\x92 %s", j + 1, pid, user, bname);
			api_details(d, &ok, s->n, extra);
			break;
		}
		case K_JOB_FAILED:
			if (jp->permanent)
				e = &permanent_errors[mix((uint64_t)j, 9) % 3];
			g_string_printf(msg, "job %d failed after attempt %d: %s", j + 1, s->n, e->message);
			api_details(d, e, s->n, NULL);
			break;
		case K_JOB_UNKNOWN: {
			static const api_error lost = { "transient", 0, 0, "Failure when receiving data from the peer" };
			g_string_printf(msg, "job %d unknown after attempt %d: %s", j + 1, s->n, lost.message);
			api_details(d, &lost, s->n, NULL);
			break;
		}
		case K_JOB_PAUSED:
			g_string_printf(msg, "job %d paused: account '%s' is needs_reconnect; it must be verified to publish",
			                j + 1, user);
			g_string_assign(d, "{}");
			break;
		case K_JOB_CANCEL:
			op = operators[mix((uint64_t)j, 8) % N_OPS];
			g_string_printf(msg, "job %d cancelled by an operator (was queued)", j + 1);
			g_string_assign(d, "{}");
			break;
		default:
			die("unknown event kind %d", s->kind);
		}
		append_event(w, s->t, op, kind, cid, aid, jid, msg->str, d->str);
	}
}

static double seconds_since(gint64 t0)
{
	return (double)(g_get_monotonic_time() - t0) / 1e6;
}

static void usage(void)
{
	fputs("usage: bench/generate DIR [--scale large|empty] [--seed N] [--now 'YYYY-MM-DD HH:MM:SS' (UTC)]\n"
	      "       bench/generate --schema-version\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *scale_name = "large", *now_arg = NULL;
	uint64_t seed = 20251204;
	const scale *sc = NULL;
	pw_store_options opt = { .mode = PW_OPEN_CREATE, .busy_timeout_ms = 5000 };
	pw_operator op = { .source = "PINWARDEN_OPERATOR" };
	pw_store *store = NULL;
	pw_error err = { 0 };
	writer w = { 0 };
	plan p = { 0 };
	gint64 t_start = g_get_monotonic_time(), t_phase;
	GString *msg = g_string_sized_new(256), *det = g_string_sized_new(1024);
	char path[4096];
	struct stat stbuf;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--schema-version") == 0) {
			printf("%d\n", PW_SCHEMA_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
			scale_name = argv[++i];
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			seed = g_ascii_strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
			now_arg = argv[++i];
		} else if (argv[i][0] == '-' || dir) {
			usage();
		} else {
			dir = argv[i];
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(scales); i++)
		if (strcmp(scales[i].name, scale_name) == 0)
			sc = &scales[i];
	if (!dir || !sc)
		usage();
	snprintf(path, sizeof path, "%s/%s", dir, PW_DB_FILE);
	if (stat(path, &stbuf) == 0)
		die("%s exists already: generate into a new folder", path);

	rng_state = seed;
	p.sc = sc;
	if (now_arg) {
		GTimeZone *utc = g_time_zone_new_utc();
		GDateTime *dt = g_date_time_new_from_iso8601(now_arg, utc);
		char *iso = dt ? NULL : g_strdup_printf("%sZ", now_arg);
		if (!dt) {
			g_strdelimit(iso, " ", 'T');
			dt = g_date_time_new_from_iso8601(iso, utc);
		}
		g_free(iso);
		g_time_zone_unref(utc);
		if (!dt)
			die("--now '%s': write 'YYYY-MM-DD HH:MM:SS' (UTC)", now_arg);
		p.now = g_date_time_to_unix(dt) * 1000;
		g_date_time_unref(dt);
	} else {
		p.now = (g_get_real_time() / 1000 / MS_MIN) * MS_MIN;
	}
	p.t0 = p.now - sc->span_ms;
	p.n_accounts = sc->clients * sc->accounts_per_client;
	p.n_boards = p.n_accounts * sc->boards_per_account;
	p.clients = g_new0(client_plan, sc->clients);
	p.accounts = g_new0(account_plan, p.n_accounts);
	p.jobs = g_new0(job_plan, sc->jobs);
	p.stubs = g_array_sized_new(FALSE, FALSE, sizeof(stub), sc->events ? (guint)sc->events : 1024);

	/* The plan: who, what and when, then the log in time order. */
	t_phase = g_get_monotonic_time();
	plan_people(&p);
	plan_jobs(&p);
	plan_job_events(&p);

	g_strlcpy(op.name, operators[0], sizeof op.name);
	opt.operator = &op;
	if (pw_store_open(dir, &opt, &store, &err) != PW_OK)
		die("%s", err.message);
	if (!pw_store_created(store))
		die("%s holds a workspace already", dir);
	w.store = store;
	w.db = pw_store_db(store);
	/* The events the store wrote itself (workspace.create). */
	{
		sqlite3_stmt *st = prepare(&w, "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1");
		if (sqlite3_step(st) == SQLITE_ROW) {
			w.last_id = sqlite3_column_int64(st, 0);
			g_strlcpy(w.prev, (const char *)sqlite3_column_text(st, 1), sizeof w.prev);
		} else {
			pw_log_genesis(pw_store_workspace_id(store), w.prev);
		}
		sqlite3_finalize(st);
	}
	if (sc->events)
		plan_filler(&p, w.last_id + (int64_t)p.stubs->len);
	qsort(p.stubs->data, p.stubs->len, sizeof(stub), stub_order);
	printf("planned %s: %d clients, %d accounts, %d boards, %d jobs, %" PRId64 " events (%.1f s)\n", sc->name,
	       sc->clients, p.n_accounts, p.n_boards, sc->jobs, (int64_t)w.last_id + (int64_t)p.stubs->len,
	       seconds_since(t_phase));
	fflush(stdout);

	/* Written in big transactions, without a journal: a generator that
	 * fails leaves a folder to delete, not a workspace to repair. */
	exec(&w, "PRAGMA journal_mode = OFF");
	exec(&w, "PRAGMA synchronous = OFF");
	exec(&w, "PRAGMA cache_size = -1048576");
	exec(&w, "PRAGMA temp_store = MEMORY");
	w.ins_event = prepare(&w, "INSERT INTO events (id, at, operator, kind, client_id, account_id, job_id, message,"
	                          " details, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");

	t_phase = g_get_monotonic_time();
	exec(&w, "BEGIN");
	write_people(&w, &p);
	write_jobs(&w, &p);
	exec(&w, "COMMIT");
	printf("wrote clients, accounts, boards and jobs (%.1f s)\n", seconds_since(t_phase));
	fflush(stdout);

	t_phase = g_get_monotonic_time();
	exec(&w, "BEGIN");
	for (guint i = 0; i < p.stubs->len; i++) {
		write_event(&w, &p, &g_array_index(p.stubs, stub, i), msg, det);
		if ((i + 1) % 250000 == 0) {
			exec(&w, "COMMIT");
			printf("  %u events (%.1f s)\n", i + 1, seconds_since(t_phase));
			fflush(stdout);
			exec(&w, "BEGIN");
		}
	}
	/* The head, as pw_log_append records it. */
	{
		sqlite3_stmt *st = prepare(&w, "INSERT INTO meta (key, value) VALUES ('log_head', ?1)"
		                               " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
		char *head = g_strdup_printf("%lld:%s", (long long)w.last_id, w.prev);
		bind_text(st, 1, head);
		step(&w, st, "recording the head of the activity log");
		sqlite3_finalize(st);
		g_free(head);
	}
	exec(&w, "COMMIT");
	sqlite3_finalize(w.ins_event);
	printf("wrote %" PRId64 " events (%.1f s)\n", w.written, seconds_since(t_phase));

	/* Back to what pinwarden runs with. */
	exec(&w, "PRAGMA journal_mode = WAL");
	pw_store_close(store);

	printf("jobs by state:");
	for (int s = 0; s < S_COUNT; s++)
		printf(" %s %" PRId64, state_names[s], p.state_counts[s]);
	printf("\nevents by kind: workspace.create %lld", (long long)(w.last_id - w.written));
	for (int k = 0; k < K_COUNT; k++)
		if (p.counts[k])
			printf(" %s %" PRId64, kind_names[k], p.counts[k]);
	printf("\ngenerated %s workspace in %s: %lld events, head %.12s... (seed %" PRIu64 ") in %.1f s\n", sc->name, dir,
	       (long long)w.last_id, w.prev, seed, seconds_since(t_start));

	g_string_free(msg, TRUE);
	g_string_free(det, TRUE);
	g_array_free(p.stubs, TRUE);
	g_free(p.clients);
	g_free(p.accounts);
	g_free(p.jobs);
	return 0;
}
