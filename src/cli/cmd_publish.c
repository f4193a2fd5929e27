/* Publishing and the on-call commands on the command line. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_private.h"
#include "pinwarden/jobs.h"
#include "pinwarden/oncall.h"
#include "pinwarden/publish.h"
#include "pinwarden/timeutil.h"

enum {
	OPT_CLIENT = 0x100, OPT_ACCOUNT, OPT_BOARD, OPT_IMAGE, OPT_TITLE, OPT_DESCRIPTION, OPT_LINK, OPT_ALT, OPT_AT,
	OPT_DRY_RUN, OPT_DUPLICATE, OPT_JSON, OPT_YES, OPT_PUBLISHED, OPT_NOT_PUBLISHED,
};

typedef struct publish_opts {
	pw_publish_request req;
	bool json, yes, not_published;
	const char *published;
} publish_opts;

static int on_opt(pw_cli *cli, int opt, const char *arg, void *ud)
{
	publish_opts *o = ud;
	switch (opt) {
	case OPT_CLIENT: o->req.client = arg; break;
	case OPT_ACCOUNT: o->req.account = arg; break;
	case OPT_BOARD: o->req.board = arg; break;
	case OPT_IMAGE: o->req.image = arg; break;
	case OPT_TITLE: o->req.title = arg; break;
	case OPT_DESCRIPTION: o->req.description = arg; break;
	case OPT_LINK: o->req.link = arg; break;
	case OPT_ALT: o->req.alt_text = arg; break;
	case OPT_AT: o->req.at = arg; break;
	case OPT_DRY_RUN: o->req.dry_run = true; break;
	case OPT_DUPLICATE: o->req.allow_duplicate = true; break;
	case OPT_JSON: o->json = true; break;
	case OPT_YES: o->yes = true; break;
	case OPT_PUBLISHED: o->published = arg; break;
	case OPT_NOT_PUBLISHED: o->not_published = true; break;
	default: return cli_usage(cli, "unexpected option");
	}
	return -1;
}

static const struct option publish_opts_table[] = {
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "account", required_argument, NULL, OPT_ACCOUNT },
	{ "board", required_argument, NULL, OPT_BOARD },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "description", required_argument, NULL, OPT_DESCRIPTION },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "alt-text", required_argument, NULL, OPT_ALT },
	{ "at", required_argument, NULL, OPT_AT },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "allow-duplicate", no_argument, NULL, OPT_DUPLICATE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

int cmd_publish(pw_cli *cli, int argc, char **argv)
{
	publish_opts o;
	pw_publish_result res = { 0 };
	pw_error err = { 0 };
	int status;

	memset(&o, 0, sizeof o);
	status = cli_parse(cli, argc, argv, "", publish_opts_table, on_opt, &o);
	if (status < 0 && optind < argc)
		status = cli_usage(cli, "unexpected argument '%s' (quote texts with spaces)", argv[optind]);
	if (status < 0 && (!o.req.client || !o.req.account || !o.req.board))
		status = cli_usage(cli, "--client, --account and --board are all required, every time: pinwarden never "
		                        "picks a target for you");
	if (status < 0 && !o.req.image)
		status = cli_usage(cli, "--image is required: an http(s) address or a local JPEG or PNG file");
	if (status < 0)
		status = cli_open(cli, o.req.dry_run ? PW_OPEN_READ : PW_OPEN_WRITE);
	o.req.duplicate_window_hours = PW_DUPLICATE_WINDOW_HOURS;
	if (status < 0 && pw_settings_int(&cli->settings, "publish", "duplicate_window_hours", 1, 24 * 365,
	                                  &o.req.duplicate_window_hours, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status < 0 && pw_publish(cli->store, &o.req, &res, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		return status;

	if (o.json) {
		cJSON *j = cJSON_CreateObject();
		pw_json_id(j, "job_id", res.job_id);
		cJSON_AddBoolToObject(j, "dry_run", o.req.dry_run);
		cJSON_AddStringToObject(j, "client", res.client_name);
		cJSON_AddStringToObject(j, "account", res.account_username);
		cJSON_AddStringToObject(j, "board", res.board_name);
		cJSON_AddStringToObject(j, "board_id", res.board_pinterest_id);
		cJSON_AddStringToObject(j, "image", res.image);
		cJSON_AddStringToObject(j, "scheduled_at", res.scheduled_at);
		cli_print_json(cli, j);
		cJSON_Delete(j);
	} else {
		char *when = pw_time_to_local(res.scheduled_at);
		if (o.req.dry_run)
			fprintf(cli->out, "checks passed; nothing was queued (--dry-run). It would publish:\n");
		else
			fprintf(cli->out, "queued job %lld:\n", (long long)res.job_id);
		fprintf(cli->out, "  client   %s\n  account  %s\n  board    %s (%s)\n  image    %s\n  when     %s\n",
		        res.client_name, res.account_username, res.board_name, res.board_pinterest_id, res.image, when);
		g_free(when);
	}
	pw_publish_result_clear(&res);
	return PW_EXIT_OK;
}

/* ---- on call ------------------------------------------------------------- */

static const struct option oncall_opts[] = {
	{ "yes", no_argument, NULL, OPT_YES },
	{ "published", required_argument, NULL, OPT_PUBLISHED },
	{ "not-published", no_argument, NULL, OPT_NOT_PUBLISHED },
	{ NULL, 0, NULL, 0 },
};

/* Shows what will happen and asks for "yes" at a terminal; elsewhere
 * --yes is the confirmation. */
static bool confirmed(pw_cli *cli, bool yes, const pw_job *j, const char *what)
{
	char answer[16] = "";
	char *when = pw_time_to_local(j->scheduled_at);

	fprintf(cli->out, "job %lld (%s): '%s' for client '%s', %s → %s, scheduled %s\nThis will %s.\n",
	        (long long)j->id, j->state, j->title, j->client_name, j->account_username, j->board_name, when, what);
	g_free(when);
	if (yes)
		return true;
	if (!isatty(STDIN_FILENO)) {
		cli_usage(cli, "confirm with --yes (standard input is not a terminal to ask at)");
		return false;
	}
	fputs("Type yes to go ahead: ", cli->out);
	fflush(cli->out);
	if (!fgets(answer, sizeof answer, stdin) || strcmp(g_strstrip(answer), "yes") != 0) {
		fprintf(cli->err, "pinwarden: not confirmed; nothing was changed\n");
		return false;
	}
	return true;
}

typedef enum { RETRY, CANCEL, RESCHEDULE, RESOLVE } oncall_action;

static int oncall(pw_cli *cli, int argc, char **argv, oncall_action action)
{
	publish_opts o;
	pw_error err = { 0 };
	pw_job *j = NULL;
	long long id = 0;
	const char *when = NULL;
	char *what = NULL;
	int needed = action == RESCHEDULE ? 2 : 1;
	int status;
	pw_code rc;

	memset(&o, 0, sizeof o);
	status = cli_parse(cli, argc, argv, "", oncall_opts, on_opt, &o);
	if (status < 0 && argc - optind != needed)
		status = cli_usage(cli, action == RESCHEDULE ? "give the job's id and the new time" : "give the job's id");
	if (status < 0 && !cli_parse_id(cli, "job id", argv[optind], &id))
		status = PW_EXIT_USAGE;
	if (status < 0 && action != RESOLVE && (o.published || o.not_published))
		status = cli_usage(cli, "--published and --not-published belong to 'job resolve'");
	if (status < 0 && action == RESOLVE && !!o.published == o.not_published)
		status = cli_usage(cli, "say what you found on Pinterest: --published PIN_ID, or --not-published");
	if (status < 0 && action == RESCHEDULE) {
		char parsed[PW_TIME_LEN];
		when = argv[optind + 1];
		if (pw_time_parse(when, parsed, &err) != PW_OK)
			status = cli_usage(cli, "%s", err.message);
	}
	if (status < 0)
		status = cli_open(cli, PW_OPEN_WRITE);
	if (status < 0 && pw_job_get(cli->store, id, &j, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		return status;

	switch (action) {
	case RETRY: what = g_strdup("put it back in the queue, due now"); break;
	case CANCEL: what = g_strdup("cancel it; it will not be published"); break;
	case RESCHEDULE: what = g_strdup_printf("move it to %s", when); break;
	case RESOLVE:
		what = o.published ? g_strdup_printf("record it as published, as Pin %s", o.published)
		                   : g_strdup("record it as not published (failed; it can then be retried)");
		break;
	}
	if (!confirmed(cli, o.yes, j, what)) {
		g_free(what);
		pw_job_free(j);
		return isatty(STDIN_FILENO) || o.yes ? PW_EXIT_FAILED : PW_EXIT_USAGE;
	}
	switch (action) {
	case RETRY: rc = pw_job_retry(cli->store, id, &err); break;
	case CANCEL: rc = pw_job_cancel(cli->store, id, &err); break;
	case RESCHEDULE: rc = pw_job_reschedule(cli->store, id, when, &err); break;
	default: rc = pw_job_resolve(cli->store, id, o.published, &err); break;
	}
	g_free(what);
	pw_job_free(j);
	if (rc != PW_OK)
		return cli_fail(cli, &err);
	fprintf(cli->out, "done; the activity log records it\n");
	return PW_EXIT_OK;
}

int cmd_job_retry(pw_cli *cli, int argc, char **argv) { return oncall(cli, argc, argv, RETRY); }
int cmd_job_cancel(pw_cli *cli, int argc, char **argv) { return oncall(cli, argc, argv, CANCEL); }
int cmd_job_reschedule(pw_cli *cli, int argc, char **argv) { return oncall(cli, argc, argv, RESCHEDULE); }
int cmd_job_resolve(pw_cli *cli, int argc, char **argv) { return oncall(cli, argc, argv, RESOLVE); }
