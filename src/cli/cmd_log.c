#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cli_private.h"
#include "pinwarden/activity.h"
#include "pinwarden/timeutil.h"

enum { OPT_CLIENT = 0x100, OPT_SINCE, OPT_FORMAT, OPT_JSON };

typedef struct log_opts {
	const char *client, *since_text, *format, *output;
	char since[PW_TIME_LEN];
	long long lines;
	bool follow, json;
} log_opts;

static int on_opt(pw_cli *cli, int opt, const char *arg, void *ud)
{
	log_opts *o = ud;
	pw_error err = { 0 };

	switch (opt) {
	case OPT_CLIENT: o->client = arg; break;
	case OPT_SINCE:
		if (pw_time_parse(arg, o->since, &err) != PW_OK)
			return cli_usage(cli, "--since: %s", err.message);
		o->since_text = arg;
		break;
	case OPT_FORMAT:
		if (strcmp(arg, "jsonl") != 0 && strcmp(arg, "csv") != 0)
			return cli_usage(cli, "'%s' is not an export format; use jsonl or csv", arg);
		o->format = arg;
		break;
	case OPT_JSON: o->json = true; break;
	case 'o': o->output = arg; break;
	case 'f': o->follow = true; break;
	case 'n':
		if (!cli_parse_id(cli, "number of lines", arg, &o->lines))
			return PW_EXIT_USAGE;
		break;
	default: return cli_usage(cli, "unexpected option");
	}
	return -1;
}

/* ---- formatting events ---------------------------------------------- */

/* details stays the exact stored text: it is hashed byte for byte, so an
 * export can be checked independently (doc/activity-log.md). */
cJSON *cli_event_json(const pw_event_row *row)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)row->id);
	cJSON_AddStringToObject(o, "at", row->at);
	cJSON_AddStringToObject(o, "operator", row->operator);
	cJSON_AddStringToObject(o, "kind", row->kind);
	cli_json_id(o, "client_id", row->client_id);
	cli_json_string(o, "client", row->client_name[0] ? row->client_name : NULL);
	cli_json_id(o, "account_id", row->account_id);
	cli_json_id(o, "job_id", row->job_id);
	cJSON_AddStringToObject(o, "message", row->message);
	cJSON_AddStringToObject(o, "details", row->details);
	cJSON_AddStringToObject(o, "prev_hash", row->prev_hash);
	cJSON_AddStringToObject(o, "hash", row->hash);
	return o;
}

void cli_print_event_line(FILE *f, const pw_event_row *row)
{
	char *when = pw_time_to_local(row->at);
	bool client = row->client_name[0] != '\0';
	fprintf(f, "%s  #%-6lld %-12s %-16s %s%s%s%s\n", when, (long long)row->id, row->operator, row->kind,
	        client ? "[" : "", client ? row->client_name : "", client ? "] " : "", row->message);
	g_free(when);
}

/* ---- log tail --------------------------------------------------------- */

static volatile sig_atomic_t stop_following;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_following = 1;
}

typedef struct tail_state {
	pw_cli *cli;
	bool json;
	sqlite3_int64 last_id;
} tail_state;

static pw_code tail_row(const pw_event_row *row, void *ud, pw_error *err)
{
	tail_state *ts = ud;
	(void)err;
	if (ts->json) {
		cJSON *o = cli_event_json(row);
		char *text = cJSON_PrintUnformatted(o);
		fprintf(ts->cli->out, "%s\n", text);
		cJSON_free(text);
		cJSON_Delete(o);
	} else {
		cli_print_event_line(ts->cli->out, row);
	}
	ts->last_id = row->id;
	return PW_OK;
}

static const struct option tail_opts[] = {
	{ "lines", required_argument, NULL, 'n' },
	{ "follow", no_argument, NULL, 'f' },
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

int cmd_log_tail(pw_cli *cli, int argc, char **argv)
{
	log_opts o = { .lines = 20 };
	pw_error err = { 0 };
	pw_log_filter f = { 0 };
	tail_state ts = { .cli = cli };
	int status = cli_parse(cli, argc, argv, "n:f", tail_opts, on_opt, &o);

	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'log tail' takes no arguments");
	if (status < 0)
		status = cli_open(cli, PW_OPEN_READ);
	if (status < 0)
		status = cli_client_id(cli, o.client, &f.client_id);
	if (status >= 0)
		return status;

	ts.json = o.json;
	f.last = (int)MIN(o.lines, G_MAXINT);
	if (pw_log_each(cli->store, &f, tail_row, &ts, &err) != PW_OK)
		return cli_fail(cli, &err);
	if (!o.follow)
		return PW_EXIT_OK;

	{
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	f.last = 0;
	stop_following = 0;
	while (!stop_following) {
		fflush(cli->out);
		g_usleep(200 * 1000);
		f.after_id = ts.last_id;
		if (pw_log_each(cli->store, &f, tail_row, &ts, &err) != PW_OK) {
			/* Another process holding the lock for a moment is no reason to stop following. */
			if (err.code == PW_E_BUSY)
				continue;
			return cli_fail(cli, &err);
		}
	}
	return PW_EXIT_OK;
}

/* ---- log export ------------------------------------------------------- */

typedef struct export_state {
	FILE *f;
	bool csv;
	sqlite3_int64 count, first_id, last_id;
	char last_hash[PW_HASH_HEX_LEN + 1];
} export_state;

static void csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

static void csv_id(FILE *f, sqlite3_int64 id)
{
	if (id)
		fprintf(f, "%lld", (long long)id);
	fputc(',', f);
}

static pw_code export_row(const pw_event_row *row, void *ud, pw_error *err)
{
	export_state *es = ud;
	if (es->csv) {
		fprintf(es->f, "%lld,", (long long)row->id);
		csv_field(es->f, row->at, false);
		csv_field(es->f, row->operator, false);
		csv_field(es->f, row->kind, false);
		csv_id(es->f, row->client_id);
		csv_field(es->f, row->client_name, false);
		csv_id(es->f, row->account_id);
		csv_id(es->f, row->job_id);
		csv_field(es->f, row->message, false);
		csv_field(es->f, row->details, false);
		csv_field(es->f, row->prev_hash, false);
		csv_field(es->f, row->hash, true);
	} else {
		cJSON *o = cli_event_json(row);
		char *text = cJSON_PrintUnformatted(o);
		fprintf(es->f, "%s\n", text);
		cJSON_free(text);
		cJSON_Delete(o);
	}
	if (ferror(es->f))
		return pw_fail(err, errno == ENOSPC ? PW_E_FULL : PW_E_IO, "writing the export failed: %s",
		               g_strerror(errno));
	if (!es->first_id)
		es->first_id = row->id;
	es->last_id = row->id;
	g_strlcpy(es->last_hash, row->hash, sizeof es->last_hash);
	es->count++;
	return PW_OK;
}

static const struct option export_opts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

/* Streams the events in one read transaction, so the export is one
 * consistent snapshot whatever other processes append meanwhile. */
static pw_code write_events(pw_cli *cli, const pw_log_filter *f, export_state *es, pw_error *err)
{
	sqlite3 *db = pw_store_db(cli->store);
	pw_code rc;

	if (es->csv)
		fputs("id,at,operator,kind,client_id,client,account_id,job_id,message,details,prev_hash,hash\r\n", es->f);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return pw_store_fail(cli->store, sqlite3_errcode(db), "reading the activity log", err);
	rc = pw_log_each(cli->store, f, export_row, es, err);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == PW_OK && fflush(es->f) != 0)
		rc = pw_fail(err, errno == ENOSPC ? PW_E_FULL : PW_E_IO, "writing the export failed: %s",
		             g_strerror(errno));
	return rc;
}

static pw_code record_export(pw_cli *cli, const log_opts *o, const pw_log_filter *f, const export_state *es,
                             pw_error *err)
{
	cJSON *d = cJSON_CreateObject();
	char *msg = g_strdup_printf("activity log exported (%lld events, %s) to %s", (long long)es->count, o->format,
	                            o->output ? o->output : "standard output");
	pw_event ev = { .kind = "log.export", .client_id = f->client_id, .message = msg, .details = d };
	pw_code rc;

	cJSON_AddStringToObject(d, "format", o->format);
	cJSON_AddStringToObject(d, "destination", o->output ? o->output : "-");
	if (o->client)
		cJSON_AddStringToObject(d, "client", o->client);
	if (f->since)
		cJSON_AddStringToObject(d, "since", f->since);
	cJSON_AddNumberToObject(d, "events", (double)es->count);
	if (es->count) {
		cJSON_AddNumberToObject(d, "first_id", (double)es->first_id);
		cJSON_AddNumberToObject(d, "last_id", (double)es->last_id);
		cJSON_AddStringToObject(d, "last_hash", es->last_hash);
	}
	rc = pw_store_begin(cli->store, err);
	if (rc == PW_OK)
		rc = pw_log_append(cli->store, &ev, NULL, err);
	if (rc == PW_OK)
		rc = pw_store_commit(cli->store, err);
	else
		pw_store_rollback(cli->store);
	cJSON_Delete(d);
	g_free(msg);
	return rc;
}

int cmd_log_export(pw_cli *cli, int argc, char **argv)
{
	log_opts o = { 0 };
	pw_error err = { 0 };
	pw_log_filter f = { 0 };
	export_state es = { 0 };
	char *tmp = NULL;
	int status = cli_parse(cli, argc, argv, "o:", export_opts, on_opt, &o);
	pw_code rc;

	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'log export' takes no arguments; write to a file with -o FILE");
	if (status < 0 && !o.format)
		status = cli_usage(cli, "--format is required: jsonl or csv");
	/* Exporting is recorded, so the workspace must be writable. */
	if (status < 0)
		status = cli_open(cli, PW_OPEN_WRITE);
	if (status < 0)
		status = cli_client_id(cli, o.client, &f.client_id);
	if (status >= 0)
		return status;
	f.since = o.since_text ? o.since : NULL;
	es.csv = strcmp(o.format, "csv") == 0;

	if (o.output) {
		/* A whole file or none: write beside it, then rename over it. */
		int fd;
		tmp = g_strconcat(o.output, ".pinwarden-XXXXXX", NULL);
		fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(cli->err, "pinwarden: cannot create %s: %s; check that its folder exists and is writable\n",
			        tmp, g_strerror(errno));
			g_free(tmp);
			return PW_EXIT_FAILED;
		}
		es.f = fdopen(fd, "w");
	} else {
		es.f = cli->out;
	}

	rc = write_events(cli, &f, &es, &err);
	if (rc == PW_OK && o.output && (fsync(fileno(es.f)) != 0 || ferror(es.f)))
		rc = pw_fail(&err, errno == ENOSPC ? PW_E_FULL : PW_E_IO, "writing %s failed: %s", o.output,
		             g_strerror(errno));
	if (o.output && fclose(es.f) != 0 && rc == PW_OK)
		rc = pw_fail(&err, errno == ENOSPC ? PW_E_FULL : PW_E_IO, "writing %s failed: %s", o.output,
		             g_strerror(errno));
	if (rc == PW_OK)
		rc = record_export(cli, &o, &f, &es, &err);
	if (rc == PW_OK && o.output && g_rename(tmp, o.output) != 0)
		rc = pw_fail(&err, PW_E_IO, "cannot put the export in place as %s: %s (the export is recorded in the log)",
		             o.output, g_strerror(errno));
	if (tmp) {
		if (rc != PW_OK)
			g_unlink(tmp);
		g_free(tmp);
	}
	if (rc != PW_OK) {
		if (o.output)
			pw_error_prefix(&err, "nothing was exported to %s", o.output);
		return cli_fail(cli, &err);
	}
	if (o.output)
		fprintf(cli->err, "exported %lld events to %s\n", (long long)es.count, o.output);
	return PW_EXIT_OK;
}

/* ---- log verify -------------------------------------------------------- */

int cmd_log_verify(pw_cli *cli, int argc, char **argv)
{
	pw_error err = { 0 };
	pw_log_check check;
	int status = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL);
	pw_code rc;

	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'log verify' takes no arguments");
	if (status < 0)
		status = cli_open(cli, PW_OPEN_READ);
	if (status >= 0)
		return status;
	rc = pw_log_verify(cli->store, &check, &err);
	if (rc == PW_E_TAMPERED) {
		fprintf(cli->out, "NOT INTACT: event %lld: %s\n", (long long)check.bad_id, check.problem);
		fprintf(cli->out, "%lld events before it are intact.\n", (long long)check.count);
		return PW_EXIT_FAILED;
	}
	if (rc != PW_OK)
		return cli_fail(cli, &err);
	fprintf(cli->out, "intact: %lld events, head %s\n", (long long)check.count, check.head);
	return PW_EXIT_OK;
}
