#include "config.h"

#include "pinwarden/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_private.h"
#include "pinwarden/accounts.h"
#include "pinwarden/checks.h"
#include "pinwarden/clients.h"
#include "pinwarden/keys.h"
#include "pinwarden/text.h"

#define WORKSPACE_OPTS "  --workspace DIR     use the workspace in DIR (also $PINWARDEN_WORKSPACE)\n"
#define JSON_OPT "  --json              print JSON (field names in pinwarden(1))\n"

/* Every command, in the order help lists them. */
const pw_command pw_commands[] = {
	{ NULL, "init", cmd_init, "",
	  "create the workspace (client add also creates it)",
	  WORKSPACE_OPTS },
	{ "client", "add", cmd_client_add,
	  "NAME --contact TEXT [--domain HOST]... [--link-domain HOST]... [--image-domain HOST]... "
	  "[--board NAME]... [--expect-account USERNAME]... [--notes TEXT] [--colour COLOUR]",
	  "onboard a client: its contact, approved domains, boards in scope and expected accounts",
	  "  --contact TEXT           who at the client authorizes publishing (required)\n"
	  "  --domain HOST            approve HOST for links and images (repeat for more)\n"
	  "  --link-domain HOST       approve HOST for links only\n"
	  "  --image-domain HOST      approve HOST for images only\n"
	  "                           HOST is exact; *.example.com approves its subdomains\n"
	  "  --board NAME             a board in scope (repeat for more)\n"
	  "  --expect-account USER    the Pinterest username the client will connect (repeat)\n"
	  "  --notes TEXT             free notes\n"
	  "  --colour COLOUR          the client's colour on the console's confirmation screens\n"
	  "                           (red, blue, bright-green, color208, ...)\n" WORKSPACE_OPTS },
	{ "client", "list", cmd_client_list, "[--all] [--json]",
	  "list the clients",
	  "  --all               include archived clients\n" JSON_OPT WORKSPACE_OPTS },
	{ "client", "show", cmd_client_show, "NAME [--json]",
	  "show one client with its domains, boards and accounts",
	  JSON_OPT WORKSPACE_OPTS },
	{ "client", "edit", cmd_client_edit,
	  "NAME [--name NEW] [--contact TEXT] [--notes TEXT] [--colour COLOUR|none] [--domain HOST]... [--link-domain HOST]... "
	  "[--image-domain HOST]... [--remove-domain HOST]... [--board NAME]... [--remove-board NAME]... "
	  "[--expect-account USERNAME]...",
	  "change a client; options that add take the same values as 'client add'",
	  "  --name NEW               rename the client\n"
	  "  --contact TEXT           replace the contact\n"
	  "  --notes TEXT             replace the notes\n"
	  "  --colour COLOUR          set the client's colour, or none to take it away\n"
	  "  --domain, --link-domain, --image-domain HOST   approve another domain\n"
	  "  --remove-domain HOST     withdraw a domain (for links and images)\n"
	  "  --board NAME             put another board in scope\n"
	  "  --remove-board NAME      take a board out of scope\n"
	  "  --expect-account USER    expect another Pinterest account\n" WORKSPACE_OPTS },
	{ "client", "archive", cmd_client_archive, "NAME",
	  "archive a client (refused while it has jobs waiting); its history stays",
	  WORKSPACE_OPTS },
	{ "client", "offboard", cmd_client_offboard, "NAME [--cancel-queued] [-o FILE]",
	  "disconnect every account of a client, export its log, archive it, and say what the client does",
	  "  --cancel-queued     cancel the client's waiting jobs (each is logged); without it,\n"
	  "                      waiting jobs stop the offboarding before anything changes\n"
	  "  -o, --output FILE   where the client's activity log goes (default: the\n"
	  "                      workspace's exports folder)\n" WORKSPACE_OPTS },
	{ "app", "set", cmd_app_set, "--client-id ID --redirect-uri URI [--scopes LIST] [--continuous-refresh]",
	  "record the Pinterest app; its client secret is read from a hidden prompt or standard input, never from the command line",
	  "  --client-id ID          the app id from the app's page on Pinterest\n"
	  "  --redirect-uri URI      exactly as registered on the app, such as http://localhost:8085/\n"
	  "  --scopes LIST           comma-separated (default " "boards:read,boards:write,pins:read,\n"
	  "                          pins:write,user_accounts:read)\n"
	  "  --continuous-refresh    for apps created before 2025-09-25\n" WORKSPACE_OPTS },
	{ "app", "show", cmd_app_show, "[--json]", "show the app and whether its secret is in the keyring",
	  JSON_OPT WORKSPACE_OPTS },
	{ "account", "list", cmd_account_list, "[--client NAME] [--json]",
	  "list the Pinterest accounts, with their state",
	  "  --client NAME       only this client's accounts\n" JSON_OPT WORKSPACE_OPTS },
	{ "account", "show", cmd_account_show, "USERNAME [--client NAME] [--json]",
	  "show one account",
	  "  --client NAME       the client, when several have an account of that name\n" JSON_OPT WORKSPACE_OPTS },
	{ "account", "connect", cmd_account_connect, "--client NAME --expect USERNAME [--no-wait] [--ttl DURATION]",
	  "ask a client to approve access: prints the link and a message, then waits for the approval",
	  "  --client NAME       the client the account belongs to\n"
	  "  --expect USERNAME   the Pinterest username the client will approve with\n"
	  "  --no-wait           return at once; finish later with 'account complete --paste'\n"
	  "  --ttl DURATION      how long the request stays open: 90s, 15m (default), 2h, 1d\n" WORKSPACE_OPTS },
	{ "account", "complete", cmd_account_complete, "--paste URL | --code CODE --state STATE",
	  "finish a connection request with the address the client's browser showed after approving",
	  "  --paste URL         the whole address, with its code and state\n"
	  "  --code CODE         with --state, the two values, when only those were sent\n"
	  "  --state STATE\n" WORKSPACE_OPTS },
	{ "account", "verify", cmd_account_verify, "USERNAME [--client NAME]",
	  "check an account: who approved, its boards, the boards in scope, a read",
	  "  --client NAME       the client, when several have an account of that name\n" WORKSPACE_OPTS },
	{ "account", "refresh-due", cmd_account_refresh_due, "",
	  "refresh the tokens that expire soon; run it regularly, e.g. from cron", WORKSPACE_OPTS },
	{ "account", "disconnect", cmd_account_disconnect, "USERNAME [--client NAME] [--cancel-queued]",
	  "remove an account's tokens from the keyring and mark it disconnected",
	  "  --client NAME       the client, when several have an account of that name\n"
	  "  --cancel-queued     cancel its waiting jobs (each is logged) instead of stopping\n" WORKSPACE_OPTS },
	{ NULL, "publish", cmd_publish,
	  "--client NAME --account USERNAME --board NAME --image URL|FILE [--title TEXT] [--description TEXT] "
	  "[--link URL] [--alt-text TEXT] [--at TIME] [--allow-duplicate] [--dry-run] [--json]",
	  "queue one Pin for one board of one account of one client, named every time",
	  "  --client NAME           the client (exact name)\n"
	  "  --account USERNAME      one of the client's verified accounts\n"
	  "  --board NAME            one of the account's boards in the client's scope (exact name)\n"
	  "  --image URL|FILE        an http(s) address on an approved image domain, or a local\n"
	  "                          JPEG or PNG file (sent as its bytes)\n"
	  "  --title TEXT            at most 100 characters\n"
	  "  --description TEXT      at most 800 characters\n"
	  "  --link URL              on an approved link domain, at most 2048 characters\n"
	  "  --alt-text TEXT         at most 500 characters\n"
	  "  --at TIME               when: 2026-12-24 09:00, +2h, tomorrow 9:00 (default now)\n"
	  "  --allow-duplicate       queue it even if the same image or link went to the board\n"
	  "                          lately ([publish] duplicate_window_hours, default 24)\n"
	  "  --dry-run               check everything, queue nothing\n" JSON_OPT WORKSPACE_OPTS },
	{ "job", "list", cmd_job_list, "[--client NAME] [--state STATE[,STATE...]] [--limit N] [--json]",
	  "list jobs by scheduled time",
	  "  --client NAME       only this client's jobs\n"
	  "  --state STATES      only jobs in these states, comma-separated: queued, sending,\n"
	  "                      retrying, paused, published, failed, unknown, cancelled\n"
	  "  --limit N           at most N jobs (default 100; 0 for all)\n" JSON_OPT WORKSPACE_OPTS },
	{ "job", "show", cmd_job_show, "ID [--json]",
	  "show one job with every event about it",
	  JSON_OPT WORKSPACE_OPTS },
	{ "job", "retry", cmd_job_retry, "ID [--yes]", "put a failed or cancelled job back in the queue",
	  "  --yes               confirm without asking (needed when not at a terminal)\n" WORKSPACE_OPTS },
	{ "job", "cancel", cmd_job_cancel, "ID [--yes]", "cancel a job that is not published yet",
	  "  --yes               confirm without asking (needed when not at a terminal)\n" WORKSPACE_OPTS },
	{ "job", "reschedule", cmd_job_reschedule, "ID TIME [--yes]", "give a waiting job a new time",
	  "  --yes               confirm without asking (needed when not at a terminal)\n" WORKSPACE_OPTS },
	{ "job", "resolve", cmd_job_resolve, "ID --published PIN_ID | --not-published [--yes]",
	  "settle a job whose outcome is unknown, after looking on Pinterest",
	  "  --published PIN_ID  it is on Pinterest as this Pin\n"
	  "  --not-published     it is not (the job fails and can be retried)\n"
	  "  --yes               confirm without asking (needed when not at a terminal)\n" WORKSPACE_OPTS },
	{ "log", "tail", cmd_log_tail, "[-n N] [-f] [--client NAME] [--json]",
	  "show the newest events of the activity log",
	  "  -n, --lines N       how many (default 20)\n"
	  "  -f, --follow        keep printing new events as they are appended (Ctrl-C stops)\n"
	  "  --client NAME       only events about this client\n"
	  "  --json              one JSON object a line, as 'log export --format jsonl'\n" WORKSPACE_OPTS },
	{ "log", "export", cmd_log_export, "--format jsonl|csv [--client NAME] [--since TIME] [-o FILE]",
	  "export the activity log; the export is itself recorded",
	  "  --format FMT        jsonl (one JSON object a line) or csv (required)\n"
	  "  --client NAME       only events about this client\n"
	  "  --since TIME        only events at or after TIME (2026-12-01, 2026-12-01 09:00, -7d)\n"
	  "  -o, --output FILE   write FILE (mode 0600, replaced whole) instead of standard output\n" WORKSPACE_OPTS },
	{ "log", "verify", cmd_log_verify, "",
	  "check the activity log's hash chain; exit status 1 names the first bad event",
	  WORKSPACE_OPTS },
	{ NULL, "backup", cmd_backup, "FILE",
	  "copy the workspace database to a new FILE while everything keeps running (secrets stay in the keyring)",
	  WORKSPACE_OPTS },
	{ NULL, "worker", cmd_worker, "[--once]",
	  "publish due jobs in the foreground, paced, retried, never twice; SIGTERM stops it after the request in flight",
	  "  --once              publish what is due now, then exit\n" WORKSPACE_OPTS },
	{ NULL, "console", cmd_console, "[--theme NAME]",
	  "open the console (also what pinwarden with no command does); keys: pinwarden help keys",
	  "  --theme NAME        a theme from the themes folders, or a .theme file's path\n"
	  "                      (default: [console] theme in the config file, or NO_COLOR's monochrome)\n"
	  WORKSPACE_OPTS },
	{ NULL, "demo", cmd_demo, "",
	  "open the console on a demo workspace against a fake Pinterest, in a keyring of its own (for trying and training)",
	  "  Needs python3, curl, dbus and gnome-keyring. The demo workspace is\n"
	  "  $XDG_DATA_HOME/pinwarden-demo (or $PINWARDEN_DEMO_WORKSPACE), made afresh;\n"
	  "  your own workspace, config and keyring are never touched.\n" },
	{ NULL, "doctor", cmd_doctor, "",
	  "check the config, the workspace, the keyring and Pinterest, and say what to fix", WORKSPACE_OPTS },
	{ NULL, "version", cmd_version, "", "print the version", "" },
	{ NULL, "help", cmd_help, "[COMMAND...]", "show help for all commands or one", "" },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

/* ---- messages -------------------------------------------------------- */

int cli_fail(pw_cli *cli, const pw_error *err)
{
	fprintf(cli->err, "pinwarden: %s\n", err->message);
	return err->code == PW_E_INVALID ? PW_EXIT_USAGE : PW_EXIT_FAILED;
}

static void print_synopsis(FILE *f, const pw_command *c)
{
	fprintf(f, "pinwarden %s%s%s%s%s\n", c->group ? c->group : "", c->group ? " " : "", c->name,
	        c->synopsis[0] ? " " : "", c->synopsis);
}

int cli_usage(pw_cli *cli, const char *fmt, ...)
{
	va_list ap;
	fputs("pinwarden: ", cli->err);
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fputc('\n', cli->err);
	if (cli->command) {
		fputs("usage: ", cli->err);
		print_synopsis(cli->err, cli->command);
		fprintf(cli->err, "'pinwarden %s%s%s --help' explains the options.\n",
		        cli->command->group ? cli->command->group : "", cli->command->group ? " " : "",
		        cli->command->name);
	}
	return PW_EXIT_USAGE;
}

/* Option lines are written "  --opt ARG  what" in the table; this lines
 * up every description in one column, continuation lines included. */
#define OPTION_COLUMN 26

static void print_options(FILE *f, const char *text)
{
	char **lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l && **l; l++) {
		const char *p = *l + strspn(*l, " ");
		const char *gap = strstr(p, "  ");
		if (p - *l > 2) {
			fprintf(f, "%*s%s\n", OPTION_COLUMN, "", p);
		} else if (!gap) {
			fprintf(f, "  %s\n", p);
		} else {
			int len = (int)(gap - p);
			if (len > OPTION_COLUMN - 3)
				fprintf(f, "  %.*s\n%*s%s\n", len, p, OPTION_COLUMN, "", gap + strspn(gap, " "));
			else
				fprintf(f, "  %-*.*s %s\n", OPTION_COLUMN - 3, len, p, gap + strspn(gap, " "));
		}
	}
	g_strfreev(lines);
}

static void print_command_help(FILE *f, const pw_command *c)
{
	fputs("usage: ", f);
	print_synopsis(f, c);
	fprintf(f, "\n%c%s.\n", g_ascii_toupper(c->summary[0]), c->summary + 1);
	fputs("\noptions:\n", f);
	print_options(f, c->options);
	print_options(f, "  -h, --help  show this help\n");
}

int cli_help(pw_cli *cli)
{
	print_command_help(cli->out, cli->command);
	return PW_EXIT_OK;
}

static void print_overview(FILE *f)
{
	fputs("usage: pinwarden [--workspace DIR] [--theme NAME] [COMMAND [ARGS]]\n"
	      "\n"
	      "Publish Pinterest Pins for many clients without holding their passwords.\n"
	      "With no command, pinwarden opens the console on the workspace.\n"
	      "\n"
	      "commands:\n",
	      f);
	for (const pw_command *c = pw_commands; c->name; c++) {
		char *name = g_strdup_printf("%s%s%s", c->group ? c->group : "", c->group ? " " : "", c->name);
		fprintf(f, "  %-20s  %s\n", name, c->summary);
		g_free(name);
	}
	fputs("\n"
	      "'pinwarden COMMAND --help' shows a command's options; 'pinwarden help keys'\n"
	      "lists the console's keys. Exit status: 0 done, 1 failed (or the activity\n"
	      "log is not intact), 2 a wrong command line, value or config file. See\n"
	      "pinwarden(1).\n",
	      f);
}

/* ---- options --------------------------------------------------------- */

enum { OPT_HELP = 'h', OPT_WORKSPACE = 0x1000 };

int cli_parse(pw_cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts,
              cli_opt_fn on_opt, void *ud)
{
	GArray *all = g_array_new(TRUE, TRUE, sizeof(struct option));
	static const struct option common[] = {
		{ "help", no_argument, NULL, OPT_HELP },
		{ "workspace", required_argument, NULL, OPT_WORKSPACE },
	};
	char *shorts = g_strconcat(":h", shortopts ? shortopts : "", NULL);
	int status = -1, opt;

	for (const struct option *o = longopts; o && o->name; o++)
		g_array_append_val(all, *o);
	g_array_append_vals(all, common, G_N_ELEMENTS(common));

	optind = 0; /* GNU: start afresh, so that tests can run many commands */
	opterr = 0;
	while (status < 0 && (opt = getopt_long(argc, argv, shorts, (struct option *)(void *)all->data, NULL)) != -1) {
		switch (opt) {
		case OPT_HELP:
			status = cli_help(cli);
			break;
		case OPT_WORKSPACE:
			cli->workspace_arg = optarg;
			break;
		case ':':
			status = cli_usage(cli, "the option %s needs a value", argv[optind - 1]);
			break;
		case '?':
			if (optopt)
				status = cli_usage(cli, "unknown option -%c", optopt);
			else
				status = cli_usage(cli, "unknown option %s", argv[optind - 1]);
			break;
		default:
			status = on_opt ? on_opt(cli, opt, optarg, ud) : cli_usage(cli, "unexpected option");
			break;
		}
	}
	g_array_free(all, TRUE);
	g_free(shorts);
	return status;
}

bool cli_parse_id(pw_cli *cli, const char *what, const char *text, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || end == text || *end || v <= 0) {
		cli_usage(cli, "'%s' is not a %s: give a whole number above 0", text, what);
		return false;
	}
	*out = v;
	return true;
}

/* ---- the workspace --------------------------------------------------- */

int cli_open(pw_cli *cli, pw_open_mode mode)
{
	pw_error err = { 0 };
	pw_store_options opt = { .mode = mode };
	pw_code rc;

	/* The config file is read only by commands that use the workspace,
	 * so that help and version work whatever state it is in. */
	if (!cli->settings_loaded) {
		rc = pw_settings_load(&cli->settings, cli->workspace_arg, &err);
		cli->settings_loaded = true;
		if (rc != PW_OK)
			return cli_fail(cli, &err);
	}
	opt.busy_timeout_ms = cli->settings.busy_timeout_ms;
	rc = pw_store_open(cli->settings.workspace, &opt, &cli->store, &err);
	if (rc == PW_E_MISSING) {
		fprintf(cli->err,
		        "pinwarden: %s (the path comes from %s). Nothing has been recorded there yet: check the path, "
		        "or create the workspace with 'pinwarden init'.\n",
		        err.message, cli->settings.workspace_source);
		return PW_EXIT_FAILED;
	}
	if (rc != PW_OK)
		return cli_fail(cli, &err);
	return -1;
}

int cli_services(pw_cli *cli, pw_open_mode mode)
{
	pw_error err = { 0 };
	int timeout_ms = 10000;
	int status = cli_open(cli, mode);

	if (status >= 0)
		return status;
	if (pw_settings_int(&cli->settings, "keyring", "timeout_ms", 100, 600000, &timeout_ms, &err) != PW_OK ||
	    pw_api_config_load(&cli->settings, &cli->api_config, &err) != PW_OK ||
	    pw_api_new(&cli->api_config, &cli->ctx.api, &err) != PW_OK)
		return cli_fail(cli, &err);
	pw_keyring_init(&cli->keyring, pw_store_workspace_id(cli->store), timeout_ms);
	cli->ctx.store = cli->store;
	cli->ctx.keyring = &cli->keyring;
	cli->ctx.api_config = &cli->api_config;
	return -1;
}

int cli_find_account(pw_cli *cli, const char *username, const char *client, struct pw_account **out)
{
	pw_error err = { 0 };
	sqlite3_int64 client_id = 0;
	int status = cli_client_id(cli, client, &client_id);

	*out = NULL;
	if (status >= 0)
		return status;
	if (pw_account_find(cli->store, username, client_id, out, &err) != PW_OK)
		return cli_fail(cli, &err);
	return -1;
}

void cli_print_checks(pw_cli *cli, GPtrArray *checks)
{
	for (guint i = 0; i < checks->len; i++) {
		const pw_check *c = g_ptr_array_index(checks, i);
		fprintf(cli->out, "  %-5s %s: %s\n", c->ok ? "ok" : "FAIL", c->name, c->detail);
	}
}

int cli_client_id(pw_cli *cli, const char *name, sqlite3_int64 *id)
{
	pw_error err = { 0 };
	pw_client *c;

	*id = 0;
	if (!name)
		return -1;
	if (pw_client_find(cli->store, name, &c, &err) != PW_OK)
		return cli_fail(cli, &err);
	*id = c->id;
	pw_client_free(c);
	return -1;
}

void cli_print_json(pw_cli *cli, const cJSON *json)
{
	char *text = cJSON_Print(json);
	fprintf(cli->out, "%s\n", text);
	cJSON_free(text);
}

/* ---- tables ---------------------------------------------------------- */

struct cli_table {
	guint ncols;
	GPtrArray *rows;  /* char ** of ncols, owned */
	guint *widths;
	guint *max;
};

static char **dup_cells(guint n, const char *const *cells)
{
	char **row = g_new0(char *, n + 1);
	for (guint i = 0; i < n; i++)
		row[i] = g_strdup(cells[i] ? cells[i] : "");
	return row;
}

cli_table *cli_table_new(guint ncols, const char *const *headers, const guint *max_widths)
{
	cli_table *t = g_new0(cli_table, 1);
	t->ncols = ncols;
	t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	t->widths = g_new0(guint, ncols);
	t->max = g_new0(guint, ncols);
	if (max_widths)
		memcpy(t->max, max_widths, ncols * sizeof *t->max);
	g_ptr_array_add(t->rows, dup_cells(ncols, headers));
	return t;
}

void cli_table_add(cli_table *t, ...)
{
	const char **cells = g_new0(const char *, t->ncols);
	va_list ap;
	va_start(ap, t);
	for (guint i = 0; i < t->ncols; i++)
		cells[i] = va_arg(ap, const char *);
	va_end(ap);
	g_ptr_array_add(t->rows, dup_cells(t->ncols, cells));
	g_free(cells);
}

/* Cuts text to at most `cols` terminal columns (0: no limit), ending in
 * an ellipsis; newlines and tabs of free text become spaces so that they
 * cannot break the table's lines. */
static char *fit(const char *text, guint cols)
{
	bool cut = cols && pw_text_width(text) > cols;
	GString *s = g_string_new(NULL);
	guint used = 0;

	for (const char *p = text; *p; p = g_utf8_find_next_char(p, NULL)) {
		gunichar c = g_utf8_get_char(p);
		guint w = g_unichar_iszerowidth(c) ? 0 : g_unichar_iswide(c) ? 2 : 1;
		if (cut && used + w > cols - 1)
			break;
		g_string_append_unichar(s, c == '\n' || c == '\t' ? ' ' : c);
		used += w;
	}
	if (cut)
		g_string_append(s, "\u2026");
	return g_string_free(s, FALSE);
}

void cli_table_print(cli_table *t, FILE *out)
{
	for (guint r = 0; r < t->rows->len; r++) {
		char **row = g_ptr_array_index(t->rows, r);
		for (guint i = 0; i < t->ncols; i++) {
			char *cell = fit(row[i], t->max[i]);
			g_free(row[i]);
			row[i] = cell;
			t->widths[i] = MAX(t->widths[i], (guint)pw_text_width(cell));
		}
	}
	for (guint r = 0; r < t->rows->len; r++) {
		char **row = g_ptr_array_index(t->rows, r);
		for (guint i = 0; i < t->ncols; i++) {
			bool last = i + 1 == t->ncols;
			fputs(row[i], out);
			if (!last)
				fprintf(out, "%*s", (int)(t->widths[i] - pw_text_width(row[i]) + 2), "");
		}
		fputc('\n', out);
	}
}

void cli_table_free(cli_table *t)
{
	if (!t)
		return;
	g_ptr_array_unref(t->rows);
	g_free(t->widths);
	g_free(t->max);
	g_free(t);
}

/* ---- top level ------------------------------------------------------- */

int cmd_version(pw_cli *cli, int argc, char **argv)
{
	int status = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL);
	if (status >= 0)
		return status;
	fprintf(cli->out, "pinwarden %s (schema version %d; SQLite %s, libcjson %s)\n", PACKAGE_VERSION,
	        PW_SCHEMA_VERSION, sqlite3_libversion(), cJSON_Version());
	return PW_EXIT_OK;
}

static const pw_command *find_command(const char *group, const char *name)
{
	for (const pw_command *c = pw_commands; c->name; c++)
		if (g_strcmp0(c->group, group) == 0 && strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static bool is_group(const char *word)
{
	for (const pw_command *c = pw_commands; c->name; c++)
		if (c->group && strcmp(c->group, word) == 0)
			return true;
	return false;
}

static int unknown_command(pw_cli *cli, const char *group, const char *word)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	char *close;

	for (const pw_command *c = pw_commands; c->name; c++) {
		const char *cand = group ? (g_strcmp0(c->group, group) == 0 ? c->name : NULL) : (c->group ? c->group : c->name);
		bool seen = false;
		for (guint i = 0; cand && i < names->len; i++)
			seen = seen || strcmp(g_ptr_array_index(names, i), cand) == 0;
		if (cand && !seen)
			g_ptr_array_add(names, g_strdup(cand));
	}
	close = pw_text_close_matches(word, names, 3);
	fprintf(cli->err, "pinwarden: '%s%s%s' is not a command; %s%s%s'pinwarden --help' lists them\n",
	        group ? group : "", group ? " " : "", word, close ? "did you mean " : "", close ? close : "",
	        close ? "? " : "");
	g_free(close);
	g_ptr_array_unref(names);
	return PW_EXIT_USAGE;
}

static void print_group(FILE *f, const char *group)
{
	fprintf(f, "usage: pinwarden %s COMMAND\n\ncommands:\n", group);
	for (const pw_command *c = pw_commands; c->name; c++)
		if (g_strcmp0(c->group, group) == 0)
			fprintf(f, "  %-12s  %s\n", c->name, c->summary);
}

/* Prints `text` from column `col` on, wrapped at spaces to end by column
 * 80, each further line starting at `col` too. */
static void print_wrapped(FILE *f, const char *text, int col)
{
	int room = 80 - col, at = col;
	char **words = g_strsplit(text, " ", -1);

	for (char **w = words; *w; w++) {
		int len = (int)pw_text_width(*w);
		if (w != words && at + 1 + len > col + room) {
			fprintf(f, "\n%*s", col, "");
			at = col;
		} else if (w != words) {
			fputc(' ', f);
			at++;
		}
		fputs(*w, f);
		at += len;
	}
	fputc('\n', f);
	g_strfreev(words);
}

/* The console's default keys, one action a line; doc/update-man-keys
 * turns this into the man page's KEYS section, so keep the layout:
 * "  KEYS  ACTION  HELP", the help's further lines indented further. */
static void print_keys(FILE *f)
{
	pw_keymap *map = pw_keymap_new();
	char *keys[PW_ACT_COUNT] = { NULL };
	int keys_w = 0, name_w = 0;

	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++) {
		keys[a] = pw_keymap_keys_text(map, (pw_action)a);
		if (!keys[a][0]) {
			g_free(keys[a]);
			keys[a] = g_strdup("(no key)");
		}
		keys_w = MAX(keys_w, (int)pw_text_width(keys[a]));
		name_w = MAX(name_w, (int)strlen(pw_action_name((pw_action)a)));
	}
	print_wrapped(f, "console keys (rebind them by action name in the config file's [keys] group):", 0);
	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++) {
		fprintf(f, "  %s%*s  %-*s  ", keys[a], keys_w - (int)pw_text_width(keys[a]), "", name_w,
		        pw_action_name((pw_action)a));
		print_wrapped(f, pw_action_help((pw_action)a), 2 + keys_w + 2 + name_w + 2);
		g_free(keys[a]);
	}
	pw_keymap_free(map);
}

int cmd_help(pw_cli *cli, int argc, char **argv)
{
	const pw_command *c;

	if (argc >= 2 && strcmp(argv[1], "keys") == 0) {
		print_keys(cli->out);
		return PW_EXIT_OK;
	}
	if (argc <= 1 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_overview(cli->out);
		return PW_EXIT_OK;
	}
	if (is_group(argv[1]) && argc == 2) {
		print_group(cli->out, argv[1]);
		return PW_EXIT_OK;
	}
	c = is_group(argv[1]) ? find_command(argv[1], argv[2]) : find_command(NULL, argv[1]);
	if (!c)
		return unknown_command(cli, is_group(argv[1]) ? argv[1] : NULL, is_group(argv[1]) ? argv[2] : argv[1]);
	print_command_help(cli->out, c);
	return PW_EXIT_OK;
}

int pw_cli_main(int argc, char **argv, FILE *out, FILE *errf)
{
	pw_cli cli = { .out = out, .err = errf };
	const pw_command *c;
	int i = 1, status;

	/* The completion script's question: the words typed so far. */
	if (argc >= 2 && strcmp(argv[1], "__complete") == 0) {
		status = cmd_complete(&cli, argc - 2, argv + 2);
		if (cli.settings_loaded)
			pw_settings_clear(&cli.settings);
		return status;
	}

	/* Options before the command. */
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_overview(out);
			return PW_EXIT_OK;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			cli.command = find_command(NULL, "version");
			return cmd_version(&cli, 1, argv);
		} else if (strcmp(a, "--workspace") == 0) {
			if (i + 1 >= argc) {
				fputs("pinwarden: the option --workspace needs a folder\n", errf);
				return PW_EXIT_USAGE;
			}
			cli.workspace_arg = argv[++i];
		} else if (g_str_has_prefix(a, "--workspace=")) {
			cli.workspace_arg = a + strlen("--workspace=");
		} else if (strcmp(a, "--theme") == 0) {
			/* For the console that opens when no command follows. */
			if (i + 1 >= argc) {
				fputs("pinwarden: the option --theme needs a theme name or file\n", errf);
				return PW_EXIT_USAGE;
			}
			cli.theme_arg = argv[++i];
		} else if (g_str_has_prefix(a, "--theme=")) {
			cli.theme_arg = a + strlen("--theme=");
		} else {
			fprintf(errf, "pinwarden: unknown option %s; 'pinwarden --help' lists the options\n", a);
			return PW_EXIT_USAGE;
		}
		i++;
	}

	if (i >= argc) {
		cli.command = find_command(NULL, "console");
		status = cmd_console(&cli, 1, argv + i - 1);
	} else if (is_group(argv[i])) {
		if (i + 1 >= argc || argv[i + 1][0] == '-') {
			bool help = i + 1 < argc && (strcmp(argv[i + 1], "--help") == 0 || strcmp(argv[i + 1], "-h") == 0);
			print_group(help ? out : errf, argv[i]);
			status = help ? PW_EXIT_OK : PW_EXIT_USAGE;
		} else if (!(c = find_command(argv[i], argv[i + 1]))) {
			status = unknown_command(&cli, argv[i], argv[i + 1]);
		} else {
			cli.command = c;
			status = c->run(&cli, argc - i - 1, argv + i + 1);
		}
	} else if ((c = find_command(NULL, argv[i]))) {
		cli.command = c;
		status = c->run(&cli, argc - i, argv + i);
	} else {
		status = unknown_command(&cli, NULL, argv[i]);
	}

	pw_api_free(cli.ctx.api);
	pw_api_config_clear(&cli.api_config);
	pw_store_close(cli.store);
	if (cli.settings_loaded)
		pw_settings_clear(&cli.settings);
	return status;
}
