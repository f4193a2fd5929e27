#include "config.h"

#include <string.h>

#include "cli_private.h"
#include "pinwarden/activity.h"
#include "pinwarden/export.h"
#include "pinwarden/jobs.h"
#include "pinwarden/timeutil.h"

enum { OPT_CLIENT = 0x100, OPT_STATE, OPT_LIMIT, OPT_JSON };

#define DEFAULT_LIMIT 100

typedef struct job_opts {
	const char *client, *state;
	long long limit;
	bool json;
} job_opts;

static int on_opt(pw_cli *cli, int opt, const char *arg, void *ud)
{
	job_opts *o = ud;
	switch (opt) {
	case OPT_CLIENT: o->client = arg; break;
	case OPT_STATE: {
		char **states = g_strsplit(arg, ",", -1);
		const char *bad = NULL;
		for (char **s = states; *s && !bad; s++)
			if (!pw_job_state_valid(*s))
				bad = *s;
		if (bad) {
			GString *list = g_string_new(NULL);
			int st;
			for (const char *const *s = pw_job_states; *s; s++)
				g_string_append_printf(list, "%s%s", s == pw_job_states ? "" : ", ", *s);
			st = cli_usage(cli, "'%s' is not a job state; the states are %s", bad, list->str);
			g_string_free(list, TRUE);
			g_strfreev(states);
			return st;
		}
		g_strfreev(states);
		o->state = arg;
		break;
	}
	case OPT_LIMIT:
		if (strcmp(arg, "0") == 0)
			o->limit = 0;
		else if (!cli_parse_id(cli, "limit", arg, &o->limit))
			return PW_EXIT_USAGE;
		break;
	case OPT_JSON: o->json = true; break;
	default: return cli_usage(cli, "unexpected option");
	}
	return -1;
}

static const struct option list_opts[] = {
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

static const struct option show_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

static cJSON *job_json(const pw_job *j)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)j->id);
	cJSON_AddStringToObject(o, "client", j->client_name);
	cJSON_AddStringToObject(o, "account", j->account_username);
	cJSON_AddStringToObject(o, "board", j->board_name);
	cJSON_AddStringToObject(o, "board_id", j->board_pinterest_id);
	cJSON_AddStringToObject(o, "title", j->title);
	cJSON_AddStringToObject(o, "description", j->description);
	pw_json_string(o, "link", j->link);
	pw_json_string(o, "alt_text", j->alt_text);
	pw_json_string(o, "image_url", j->image_url);
	pw_json_string(o, "image_path", j->image_path);
	cJSON_AddStringToObject(o, "scheduled_at", j->scheduled_at);
	cJSON_AddStringToObject(o, "state", j->state);
	cJSON_AddNumberToObject(o, "attempts", (double)j->attempts);
	pw_json_string(o, "next_attempt_at", j->next_attempt_at);
	pw_json_string(o, "pin_id", j->pin_id);
	pw_json_string(o, "last_error", j->last_error);
	cJSON_AddStringToObject(o, "requested_by", j->requested_by);
	cJSON_AddStringToObject(o, "created_at", j->created_at);
	cJSON_AddStringToObject(o, "updated_at", j->updated_at);
	return o;
}

int cmd_job_list(pw_cli *cli, int argc, char **argv)
{
	job_opts o = { .limit = DEFAULT_LIMIT };
	pw_error err = { 0 };
	GPtrArray *list = NULL;
	pw_job_filter f = { 0 };
	int status = cli_parse(cli, argc, argv, "", list_opts, on_opt, &o);

	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'job list' takes no arguments; to see one job use 'job show ID'");
	if (status < 0)
		status = cli_open(cli, PW_OPEN_READ);
	if (status < 0)
		status = cli_client_id(cli, o.client, &f.client_id);
	f.state = o.state;
	/* One more than shown tells whether the list was cut. */
	f.limit = o.limit ? (int)MIN(o.limit + 1, G_MAXINT) : 0;
	if (status < 0 && pw_job_list(cli->store, &f, &list, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		return status;

	{
		bool cut = o.limit && list->len > (guint)o.limit;
		guint shown = cut ? (guint)o.limit : list->len;
		if (o.json) {
			cJSON *arr = cJSON_CreateArray();
			for (guint i = 0; i < shown; i++)
				cJSON_AddItemToArray(arr, job_json(g_ptr_array_index(list, i)));
			cli_print_json(cli, arr);
			cJSON_Delete(arr);
		} else if (shown == 0) {
			fprintf(cli->out, "no jobs%s\n", o.state || o.client ? " match" : " yet");
		} else {
			static const char *const headers[] = { "ID", "SCHEDULED", "STATE", "TRIES", "CLIENT", "ACCOUNT → BOARD", "TITLE" };
			static const guint max[] = { 0, 0, 0, 0, 30, 50, 40 };
			cli_table *t = cli_table_new(7, headers, max);
			for (guint i = 0; i < shown; i++) {
				pw_job *j = g_ptr_array_index(list, i);
				char *id = g_strdup_printf("%lld", (long long)j->id);
				char *when = pw_time_to_local(j->scheduled_at);
				char *tries = g_strdup_printf("%lld", (long long)j->attempts);
				char *target = g_strdup_printf("%s → %s", j->account_username, j->board_name);
				cli_table_add(t, id, when, j->state, tries, j->client_name, target, j->title);
				g_free(id);
				g_free(when);
				g_free(tries);
				g_free(target);
			}
			cli_table_print(t, cli->out);
			cli_table_free(t);
		}
		if (cut)
			fprintf(cli->err, "(the first %lld jobs are shown; --limit N shows more, --limit 0 all)\n", o.limit);
	}
	g_ptr_array_unref(list);
	return PW_EXIT_OK;
}

static pw_code print_event(const pw_event_row *row, void *ud, pw_error *err)
{
	(void)err;
	fputs("  ", ud);
	cli_print_event_line(ud, row);
	return PW_OK;
}

static pw_code add_event(const pw_event_row *row, void *ud, pw_error *err)
{
	(void)err;
	cJSON_AddItemToArray(ud, pw_event_row_json(row));
	return PW_OK;
}

int cmd_job_show(pw_cli *cli, int argc, char **argv)
{
	job_opts o = { 0 };
	pw_error err = { 0 };
	pw_job *j = NULL;
	long long id = 0;
	pw_log_filter lf = { 0 };
	int status = cli_parse(cli, argc, argv, "", show_opts, on_opt, &o);

	if (status < 0 && optind + 1 != argc)
		status = cli_usage(cli, optind >= argc ? "the job's id is missing" : "one job id was expected");
	if (status < 0 && !cli_parse_id(cli, "job id", argv[optind], &id))
		status = PW_EXIT_USAGE;
	if (status < 0)
		status = cli_open(cli, PW_OPEN_READ);
	if (status < 0 && pw_job_get(cli->store, id, &j, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		return status;

	lf.job_id = j->id;
	if (o.json) {
		cJSON *obj = job_json(j);
		cJSON *events = cJSON_AddArrayToObject(obj, "events");
		if (pw_log_each(cli->store, &lf, add_event, events, &err) != PW_OK)
			status = cli_fail(cli, &err);
		else
			cli_print_json(cli, obj);
		cJSON_Delete(obj);
	} else {
		FILE *f = cli->out;
		char *when = pw_time_to_local(j->scheduled_at);
		fprintf(f, "%-14s%lld\n", "job", (long long)j->id);
		fprintf(f, "%-14s%s\n", "state", j->state);
		fprintf(f, "%-14s%s\n", "client", j->client_name);
		fprintf(f, "%-14s%s\n", "account", j->account_username);
		fprintf(f, "%-14s%s (%s)\n", "board", j->board_name, j->board_pinterest_id);
		fprintf(f, "%-14s%s\n", "scheduled", when);
		fprintf(f, "%-14s%s\n", "title", j->title);
		if (j->description[0])
			fprintf(f, "%-14s%s\n", "description", j->description);
		if (j->link)
			fprintf(f, "%-14s%s\n", "link", j->link);
		fprintf(f, "%-14s%s\n", "image", j->image_url ? j->image_url : j->image_path);
		if (j->alt_text)
			fprintf(f, "%-14s%s\n", "alt text", j->alt_text);
		fprintf(f, "%-14s%lld\n", "attempts", (long long)j->attempts);
		if (j->pin_id)
			fprintf(f, "%-14s%s\n", "pin", j->pin_id);
		if (j->last_error)
			fprintf(f, "%-14s%s\n", "last error", j->last_error);
		fprintf(f, "%-14s%s\n", "requested by", j->requested_by);
		fprintf(f, "events:\n");
		g_free(when);
		if (pw_log_each(cli->store, &lf, print_event, f, &err) != PW_OK)
			status = cli_fail(cli, &err);
	}
	pw_job_free(j);
	return status >= 0 ? status : PW_EXIT_OK;
}
