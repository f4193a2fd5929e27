/* The connection workflows on the command line: the app, connecting,
 * verifying, refreshing, disconnecting and offboarding. Each command is
 * a face on a service function; the console calls the same ones. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli_private.h"
#include "pinwarden/accounts.h"
#include "pinwarden/app.h"
#include "pinwarden/connect.h"
#include "pinwarden/jobs.h"
#include "pinwarden/offboard.h"
#include "pinwarden/timeutil.h"
#include "pinwarden/tokens.h"
#include "pinwarden/verify.h"

enum {
	OPT_CLIENT_ID = 0x100, OPT_REDIRECT, OPT_SCOPES, OPT_CONTINUOUS, OPT_JSON, OPT_CLIENT, OPT_EXPECT,
	OPT_NO_WAIT, OPT_TTL, OPT_PASTE, OPT_CODE, OPT_STATE, OPT_CANCEL,
};

typedef struct connect_opts {
	const char *client_id, *redirect, *scopes, *client, *expect, *paste, *code, *state, *output;
	bool continuous, json, no_wait, cancel;
	long long ttl;
} connect_opts;

/* "90s", "15m", "2h", "1d", or plain seconds. */
static bool parse_duration(const char *text, long long *seconds)
{
	char *end;
	long long n = strtoll(text, &end, 10);
	long long unit = 1;

	if (end == text || n <= 0)
		return false;
	if (*end == 'm')
		unit = 60;
	else if (*end == 'h')
		unit = 3600;
	else if (*end == 'd')
		unit = 86400;
	else if (*end != 's' && *end != '\0')
		return false;
	if (*end && end[1])
		return false;
	*seconds = n * unit;
	return *seconds <= 7 * 86400;
}

static int on_opt(pw_cli *cli, int opt, const char *arg, void *ud)
{
	connect_opts *o = ud;
	switch (opt) {
	case OPT_CLIENT_ID: o->client_id = arg; break;
	case OPT_REDIRECT: o->redirect = arg; break;
	case OPT_SCOPES: o->scopes = arg; break;
	case OPT_CONTINUOUS: o->continuous = true; break;
	case OPT_JSON: o->json = true; break;
	case OPT_CLIENT: o->client = arg; break;
	case OPT_EXPECT: o->expect = arg; break;
	case OPT_NO_WAIT: o->no_wait = true; break;
	case OPT_PASTE: o->paste = arg; break;
	case OPT_CODE: o->code = arg; break;
	case OPT_STATE: o->state = arg; break;
	case OPT_CANCEL: o->cancel = true; break;
	case 'o': o->output = arg; break;
	case OPT_TTL:
		if (!parse_duration(arg, &o->ttl))
			return cli_usage(cli, "'%s' is not a duration: write 90s, 15m, 2h or 1d (at most 7 days)", arg);
		break;
	default: return cli_usage(cli, "unexpected option");
	}
	return -1;
}

static const struct option opts[] = {
	{ "client-id", required_argument, NULL, OPT_CLIENT_ID },
	{ "redirect-uri", required_argument, NULL, OPT_REDIRECT },
	{ "scopes", required_argument, NULL, OPT_SCOPES },
	{ "continuous-refresh", no_argument, NULL, OPT_CONTINUOUS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "paste", required_argument, NULL, OPT_PASTE },
	{ "code", required_argument, NULL, OPT_CODE },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "cancel-queued", no_argument, NULL, OPT_CANCEL },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

/* Only the options a command documents are accepted. */
static int parse(pw_cli *cli, int argc, char **argv, const char *const *allowed, connect_opts *o)
{
	struct option subset[G_N_ELEMENTS(opts)];
	size_t n = 0;
	memset(subset, 0, sizeof subset);
	for (const char *const *a = allowed; a && *a; a++)
		for (size_t i = 0; opts[i].name; i++)
			if (strcmp(opts[i].name, *a) == 0)
				subset[n++] = opts[i];
	bool output = false;
	for (size_t i = 0; i < n; i++)
		output = output || subset[i].val == 'o';
	return cli_parse(cli, argc, argv, output ? "o:" : "", subset, on_opt, o);
}

static int no_arguments(pw_cli *cli, int argc, char **argv)
{
	return optind < argc ? cli_usage(cli, "unexpected argument '%s'", argv[optind]) : -1;
}

/* ---- app ------------------------------------------------------------- */

/* The client secret: from a prompt with echo off when standard input is
 * a terminal, else the first line of standard input. Never argv or the
 * environment. */
static char *read_secret(pw_cli *cli)
{
	char buf[1024];
	char *line = NULL;
	bool tty = isatty(STDIN_FILENO);
	struct termios old, quiet;

	if (tty) {
		fputs("Client secret of the Pinterest app (input hidden): ", stderr);
		fflush(stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, sizeof buf, stdin))
		line = g_strdup(g_strchomp(buf));
	memset(buf, 0, sizeof buf);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	(void)cli;
	return line;
}

int cmd_app_set(pw_cli *cli, int argc, char **argv)
{
	static const char *const allowed[] = { "client-id", "redirect-uri", "scopes", "continuous-refresh", NULL };
	connect_opts o = { 0 };
	pw_error err = { 0 };
	char *secret = NULL;
	int status = parse(cli, argc, argv, allowed, &o);

	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'app set' takes no arguments; the client secret is read from a prompt or "
		                        "standard input, never from the command line");
	if (status < 0 && (!o.client_id || !o.redirect))
		status = cli_usage(cli, "--client-id and --redirect-uri are both required");
	{
		pw_app_settings s = { .client_id = (char *)(guintptr)o.client_id, .redirect_uri = (char *)(guintptr)o.redirect,
		                      .scopes = (char *)(guintptr)o.scopes, .continuous_refresh = o.continuous };
		pw_code rc;
		/* Bad values are refused before anything is asked or created. */
		if (status < 0 && pw_app_check(&s, &err) != PW_OK)
			status = cli_fail(cli, &err);
		if (status >= 0)
			return status;
		secret = read_secret(cli);
		if (!secret || !*secret) {
			g_free(secret);
			return cli_usage(cli, "no client secret was given: type it at the prompt, or pipe it on standard input");
		}
		/* Setting up the app is the first step of a new workspace. */
		status = cli_services(cli, PW_OPEN_CREATE);
		if (status >= 0) {
			pw_secret_wipe(secret);
			g_free(secret);
			return status;
		}
		rc = pw_app_set(&cli->ctx, &s, secret, &err);
		pw_secret_wipe(secret);
		g_free(secret);
		if (rc != PW_OK)
			return cli_fail(cli, &err);
	}
	fprintf(cli->out, "app %s recorded; its client secret is in the keyring\n", o.client_id);
	if (!pw_app_redirect_is_loopback(o.redirect, NULL, NULL))
		fprintf(cli->out, "note: %s is not on this machine, so approvals are finished by pasting the address "
		                  "('pinwarden account complete --paste URL')\n",
		        o.redirect);
	return PW_EXIT_OK;
}

int cmd_app_show(pw_cli *cli, int argc, char **argv)
{
	static const char *const allowed[] = { "json", NULL };
	connect_opts o = { 0 };
	pw_error err = { 0 };
	pw_app_settings s = { 0 };
	char *secret = NULL;
	bool have_secret;
	int status = parse(cli, argc, argv, allowed, &o);

	if (status < 0)
		status = no_arguments(cli, argc, argv);
	if (status < 0)
		status = cli_services(cli, PW_OPEN_READ);
	if (status < 0 && pw_app_get(cli->store, &s, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		return status;
	if (pw_secret_lookup(cli->ctx.keyring, 0, PW_SECRET_APP, &secret, &err) != PW_OK) {
		pw_app_settings_clear(&s);
		return cli_fail(cli, &err);
	}
	have_secret = secret != NULL;
	pw_secret_free(secret);
	if (o.json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "client_id", s.client_id);
		cJSON_AddStringToObject(j, "redirect_uri", s.redirect_uri);
		cJSON_AddStringToObject(j, "scopes", s.scopes);
		cJSON_AddBoolToObject(j, "continuous_refresh", s.continuous_refresh);
		cJSON_AddBoolToObject(j, "secret_in_keyring", have_secret);
		cli_print_json(cli, j);
		cJSON_Delete(j);
	} else {
		fprintf(cli->out, "client id     %s\nredirect uri  %s%s\nscopes        %s\nrefresh       %s\nsecret        %s\n",
		        s.client_id, s.redirect_uri,
		        pw_app_redirect_is_loopback(s.redirect_uri, NULL, NULL) ? "  (pinwarden listens here)" : "  (paste)",
		        s.scopes, s.continuous_refresh ? "continuous (asked for)" : "as the app issues",
		        have_secret ? "in the keyring" : "MISSING from this keyring: run 'pinwarden app set' again");
	}
	pw_app_settings_clear(&s);
	return PW_EXIT_OK;
}

/* ---- connecting ------------------------------------------------------- */

static void print_account_state(pw_cli *cli, gint64 account_id)
{
	GPtrArray *list = NULL;
	pw_error err = { 0 };
	if (pw_account_list(cli->store, 0, &list, &err) != PW_OK)
		return;
	for (guint i = 0; i < list->len; i++) {
		pw_account *a = g_ptr_array_index(list, i);
		if (a->id == account_id)
			fprintf(cli->out, "account '%s' of client '%s' is now %s%s%s\n", a->expected_username, a->client_name,
			        a->state, a->state_reason ? ": " : "", a->state_reason ? a->state_reason : "");
	}
	g_ptr_array_unref(list);
}

/* After a connection: the verification checklist, step by step. */
static int finish_connection(pw_cli *cli, const pw_connect_result *res)
{
	pw_verify_report report = { 0 };
	pw_error err = { 0 };
	int status;

	if (res->mismatch) {
		fprintf(cli->out,
		        "MISMATCH: Pinterest user '%s' approved, but the client named '%s'.\n"
		        "The account is marked 'mismatch' and nothing can be published with it. Check with the client, "
		        "then connect again with the right Pinterest login (or change the expected username).\n",
		        res->approved_username, res->expected_username);
		return PW_EXIT_FAILED;
	}
	fprintf(cli->out, "connected: account '%s' of client '%s', approved by Pinterest user '%s'\n",
	        res->expected_username, res->client_name,
	        res->approved_username ? res->approved_username : "(not read yet)");
	fprintf(cli->out, "verifying:\n");
	if (pw_verify_account(&cli->ctx, res->account_id, &report, &err) != PW_OK)
		return cli_fail(cli, &err);
	cli_print_checks(cli, report.checks);
	print_account_state(cli, res->account_id);
	status = report.verified ? PW_EXIT_OK : PW_EXIT_FAILED;
	pw_verify_report_clear(&report);
	return status;
}

static volatile sig_atomic_t stop_waiting;

static void on_stop(int sig)
{
	(void)sig;
	stop_waiting = 1;
}


int cmd_account_connect(pw_cli *cli, int argc, char **argv)
{
	static const char *const allowed[] = { "client", "expect", "no-wait", "ttl", NULL };
	connect_opts o = { 0 };
	pw_error err = { 0 };
	pw_app_settings app = { 0 };
	pw_connect_request req = { 0 };
	pw_listener *listener = NULL;
	pw_redirect redirect = { 0 };
	pw_connect_result res = { 0 };
	char *path = NULL, *message;
	bool wait = false;
	int port = 0;
	int status = parse(cli, argc, argv, allowed, &o);

	if (status < 0)
		status = no_arguments(cli, argc, argv);
	if (status < 0 && (!o.client || !o.expect))
		status = cli_usage(cli, "--client and --expect are both required: whose account, and which Pinterest "
		                        "username the client will approve with");
	if (status < 0)
		status = cli_services(cli, PW_OPEN_WRITE);
	if (status < 0 && pw_app_get(cli->store, &app, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		goto out;

	wait = !o.no_wait && pw_app_redirect_is_loopback(app.redirect_uri, &port, &path);
	/* Listen before the link exists, so that no approval can come
	 * back to a port nobody holds. */
	if (wait && pw_listener_open(port, &listener, &err) != PW_OK) {
		status = cli_fail(cli, &err);
		goto out;
	}
	if (pw_connect_open(&cli->ctx, o.client, o.expect, (int)o.ttl, &req, &err) != PW_OK) {
		status = cli_fail(cli, &err);
		goto out;
	}
	message = pw_connect_message(&req);
	fprintf(cli->out, "Send this to the client (the link also works on its own):\n\n%s\n", message);
	fprintf(cli->out, "Authorization URL:\n%s\n\n", req.url);
	g_free(message);
	if (!wait) {
		char *until = pw_time_to_local(req.expires_at);
		fprintf(cli->out, "The request stays open until %s. When the client has approved, run:\n"
		                  "  pinwarden account complete --paste 'ADDRESS THE BROWSER SHOWED'\n",
		        until);
		if (!o.no_wait)
			fprintf(cli->out, "(pinwarden cannot listen itself: the redirect URI %s is not on this machine.)\n",
			        app.redirect_uri);
		g_free(until);
		status = PW_EXIT_OK;
		goto out;
	}

	{
		char *until = pw_time_to_local(req.expires_at);
		struct sigaction sa, old_int, old_term;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		stop_waiting = 0;
		fprintf(cli->out, "Waiting for the approval on 127.0.0.1:%d until %s (Ctrl-C stops waiting; over SSH, "
		                  "forward that port with ssh -L %d:127.0.0.1:%d) ...\n",
		        port, until, port, port);
		fflush(cli->out);
		g_free(until);
		pw_code rc = pw_listener_wait(listener, path, pw_time_monotonic_at(req.expires_at), &stop_waiting,
		                              &redirect, &err);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		pw_listener_close(listener);
		listener = NULL;
		if (rc != PW_OK && stop_waiting) {
			fprintf(cli->err, "pinwarden: %s. The request stays open until it expires: finish it with "
			                  "'pinwarden account complete --paste URL'\n",
			        err.message);
			status = PW_EXIT_FAILED;
			goto out;
		}
		if (rc != PW_OK) {
			fprintf(cli->err, "pinwarden: %s; open a new one with 'pinwarden account connect' when the client "
			                  "is ready\n",
			        err.message);
			status = PW_EXIT_FAILED;
			goto out;
		}
	}
	if (pw_connect_complete(&cli->ctx, &redirect, &res, &err) != PW_OK) {
		status = cli_fail(cli, &err);
		goto out;
	}
	status = finish_connection(cli, &res);
out:
	pw_listener_close(listener);
	pw_redirect_clear(&redirect);
	pw_connect_result_clear(&res);
	pw_connect_request_clear(&req);
	pw_app_settings_clear(&app);
	g_free(path);
	return status;
}

int cmd_account_complete(pw_cli *cli, int argc, char **argv)
{
	static const char *const allowed[] = { "paste", "code", "state", NULL };
	connect_opts o = { 0 };
	pw_error err = { 0 };
	pw_redirect redirect = { 0 };
	pw_connect_result res = { 0 };
	int status = parse(cli, argc, argv, allowed, &o);

	if (status < 0)
		status = no_arguments(cli, argc, argv);
	if (status < 0 && !o.paste && !(o.code && o.state))
		status = cli_usage(cli, "give --paste URL, or both --code and --state");
	if (status < 0 && o.paste && (o.code || o.state))
		status = cli_usage(cli, "give --paste URL, or --code and --state, not both");
	if (status < 0 && o.paste && pw_redirect_parse_url(o.paste, &redirect, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status < 0 && !o.paste) {
		redirect.code = g_strdup(o.code);
		redirect.state = g_strdup(o.state);
	}
	if (status < 0)
		status = cli_services(cli, PW_OPEN_WRITE);
	if (status < 0 && pw_connect_complete(&cli->ctx, &redirect, &res, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status < 0)
		status = finish_connection(cli, &res);
	pw_redirect_clear(&redirect);
	pw_connect_result_clear(&res);
	return status;
}

/* ---- verifying, refreshing, disconnecting ---------------------------- */

static int one_username(pw_cli *cli, int argc, char **argv, const char **name)
{
	if (optind >= argc)
		return cli_usage(cli, "the account's username is missing");
	if (optind + 1 < argc)
		return cli_usage(cli, "one username was expected, but '%s' follows it", argv[optind + 1]);
	*name = argv[optind];
	return -1;
}

int cmd_account_verify(pw_cli *cli, int argc, char **argv)
{
	static const char *const allowed[] = { "client", NULL };
	connect_opts o = { 0 };
	pw_error err = { 0 };
	pw_account *a = NULL;
	pw_verify_report report = { 0 };
	const char *name = NULL;
	int status = parse(cli, argc, argv, allowed, &o);

	if (status < 0)
		status = one_username(cli, argc, argv, &name);
	if (status < 0)
		status = cli_services(cli, PW_OPEN_WRITE);
	if (status < 0)
		status = cli_find_account(cli, name, o.client, &a);
	if (status < 0 && pw_verify_account(&cli->ctx, a->id, &report, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status < 0) {
		cli_print_checks(cli, report.checks);
		print_account_state(cli, a->id);
		status = report.verified ? PW_EXIT_OK : PW_EXIT_FAILED;
	}
	pw_verify_report_clear(&report);
	pw_account_free(a);
	return status;
}

int cmd_account_refresh_due(pw_cli *cli, int argc, char **argv)
{
	pw_error err = { 0 };
	GPtrArray *items = NULL;
	int status = parse(cli, argc, argv, NULL, &(connect_opts){ 0 });
	bool all_ok = true;

	if (status < 0)
		status = no_arguments(cli, argc, argv);
	if (status < 0)
		status = cli_services(cli, PW_OPEN_WRITE);
	if (status < 0 && pw_tokens_refresh_due(&cli->ctx, NULL, &items, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		return status;
	if (items->len == 0)
		fprintf(cli->out, "no tokens are due for refreshing\n");
	for (guint i = 0; i < items->len; i++) {
		pw_refresh_due_item *it = g_ptr_array_index(items, i);
		bool ok = it->outcome == PW_REFRESHED || it->outcome == PW_REFRESHED_ELSEWHERE;
		all_ok = all_ok && ok;
		fprintf(cli->out, "  %-5s %s (%s): %s\n", ok ? "ok" : "FAIL", it->username, it->client_name, it->message);
	}
	g_ptr_array_unref(items);
	return all_ok ? PW_EXIT_OK : PW_EXIT_FAILED;
}

static void print_waiting(pw_cli *cli, GPtrArray *jobs)
{
	for (guint i = 0; jobs && i < jobs->len; i++) {
		pw_job *j = g_ptr_array_index(jobs, i);
		char *when = pw_time_to_local(j->scheduled_at);
		fprintf(cli->err, "  job %lld  %s  %s  %s → %s  %s\n", (long long)j->id, when, j->state,
		        j->account_username, j->board_name, j->title);
		g_free(when);
	}
}

int cmd_account_disconnect(pw_cli *cli, int argc, char **argv)
{
	static const char *const allowed[] = { "client", "cancel-queued", NULL };
	connect_opts o = { 0 };
	pw_error err = { 0 };
	pw_account *a = NULL;
	pw_offboard_report report = { 0 };
	const char *name = NULL;
	int status = parse(cli, argc, argv, allowed, &o);

	if (status < 0)
		status = one_username(cli, argc, argv, &name);
	if (status < 0)
		status = cli_services(cli, PW_OPEN_WRITE);
	if (status < 0)
		status = cli_find_account(cli, name, o.client, &a);
	if (status < 0 && pw_account_disconnect(&cli->ctx, a->id, o.cancel, &report, &err) != PW_OK) {
		status = cli_fail(cli, &err);
		print_waiting(cli, report.waiting_jobs);
	}
	if (status < 0) {
		cli_print_checks(cli, report.steps);
		fputs(pw_offboard_client_steps(), cli->out);
		status = PW_EXIT_OK;
	}
	pw_offboard_report_clear(&report);
	pw_account_free(a);
	return status;
}

int cmd_client_offboard(pw_cli *cli, int argc, char **argv)
{
	static const char *const allowed[] = { "cancel-queued", "output", NULL };
	connect_opts o = { 0 };
	pw_error err = { 0 };
	pw_offboard_report report = { 0 };
	int status = parse(cli, argc, argv, allowed, &o);

	if (status < 0 && optind >= argc)
		status = cli_usage(cli, "the client's name is missing");
	if (status < 0 && optind + 1 < argc)
		status = cli_usage(cli, "one client name was expected (quote a name with spaces)");
	if (status < 0)
		status = cli_services(cli, PW_OPEN_WRITE);
	if (status >= 0)
		return status;
	if (pw_client_offboard(&cli->ctx, argv[optind], o.cancel, o.output, &report, &err) != PW_OK) {
		status = cli_fail(cli, &err);
		print_waiting(cli, report.waiting_jobs);
		if (report.steps->len) {
			fprintf(cli->out, "done so far (run the same command again to finish):\n");
			cli_print_checks(cli, report.steps);
		}
	} else {
		cli_print_checks(cli, report.steps);
		fputs(pw_offboard_client_steps(), cli->out);
		fprintf(cli->out, "%s\n", report.remaining == 0 ? "no queued jobs remain" : "JOBS ARE STILL QUEUED");
		status = report.remaining == 0 ? PW_EXIT_OK : PW_EXIT_FAILED;
	}
	pw_offboard_report_clear(&report);
	return status;
}
