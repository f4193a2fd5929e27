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
#include "pinwarden/export.h"
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
		cJSON *o = pw_event_row_json(row);
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

static const struct option export_opts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

int cmd_log_export(pw_cli *cli, int argc, char **argv)
{
	log_opts o = { 0 };
	pw_error err = { 0 };
	pw_log_filter f = { 0 };
	pw_export_summary sum;
	pw_export_format format;
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
	format = strcmp(o.format, "csv") == 0 ? PW_EXPORT_CSV : PW_EXPORT_JSONL;

	if (o.output) {
		rc = pw_export_file(cli->store, &f, format, o.output, o.client, &sum, &err);
	} else {
		rc = pw_export_write(cli->store, &f, format, cli->out, &sum, &err);
		if (rc == PW_OK)
			rc = pw_export_record(cli->store, &f, format, "-", o.client, &sum, &err);
	}
	if (rc != PW_OK)
		return cli_fail(cli, &err);
	if (o.output)
		fprintf(cli->err, "exported %lld events to %s\n", (long long)sum.count, o.output);
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

/* ---- backup ------------------------------------------------------------ */

int cmd_backup(pw_cli *cli, int argc, char **argv)
{
	pw_error err = { 0 };
	sqlite3_int64 pages = 0;
	int status = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL);
	char *path;
	pw_code rc;

	if (status < 0 && argc - optind != 1)
		status = cli_usage(cli, "give the file to write the backup to");
	/* A backup is recorded, like an export. */
	if (status < 0)
		status = cli_open(cli, PW_OPEN_WRITE);
	if (status >= 0)
		return status;
	path = g_canonicalize_filename(argv[optind], NULL);
	if (g_file_test(path, G_FILE_TEST_EXISTS)) {
		fprintf(cli->err, "pinwarden: %s exists already; choose a new file (a backup never overwrites one)\n", path);
		g_free(path);
		return PW_EXIT_FAILED;
	}
	rc = pw_store_backup(cli->store, path, &pages, &err);
	if (rc == PW_OK) {
		cJSON *d = cJSON_CreateObject();
		char *msg = g_strdup_printf("workspace backed up to %s", path);
		pw_event ev = { .kind = "workspace.backup", .message = msg, .details = d };
		cJSON_AddStringToObject(d, "path", path);
		cJSON_AddNumberToObject(d, "pages", (double)pages);
		rc = pw_log_record(cli->store, &ev, &err);
		cJSON_Delete(d);
		g_free(msg);
	}
	if (rc != PW_OK) {
		g_free(path);
		return cli_fail(cli, &err);
	}
	fprintf(cli->out, "backed up the workspace to %s (%lld pages, checked); tokens and the app secret are not in it: "
	                  "they stay in the keyring\n",
	        path, (long long)pages);
	g_free(path);
	return PW_EXIT_OK;
}
