#include "config.h"

#include <string.h>

#include "cli_private.h"
#include "pinwarden/accounts.h"
#include "pinwarden/timeutil.h"
#include "pinwarden/tokens.h"

enum { OPT_CLIENT = 0x100, OPT_JSON };

typedef struct account_opts {
	const char *client;
	bool json;
} account_opts;

static int on_opt(pw_cli *cli, int opt, const char *arg, void *ud)
{
	account_opts *o = ud;
	if (opt == OPT_CLIENT)
		o->client = arg;
	else if (opt == OPT_JSON)
		o->json = true;
	else
		return cli_usage(cli, "unexpected option");
	return -1;
}

static const struct option opts[] = {
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

static cJSON *account_json(const pw_account *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)a->id);
	cJSON_AddStringToObject(o, "client", a->client_name);
	cJSON_AddStringToObject(o, "expected_username", a->expected_username);
	pw_json_string(o, "username", a->username);
	pw_json_string(o, "pinterest_user_id", a->pinterest_user_id);
	pw_json_string(o, "account_type", a->account_type);
	cJSON_AddStringToObject(o, "state", a->state);
	pw_json_string(o, "state_reason", a->state_reason);
	pw_json_string(o, "scopes", a->scopes);
	pw_json_string(o, "access_expires_at", a->access_expires_at);
	pw_json_string(o, "refresh_expires_at", a->refresh_expires_at);
	pw_json_string(o, "connected_by", a->connected_by);
	pw_json_string(o, "connected_at", a->connected_at);
	pw_json_string(o, "verified_at", a->verified_at);
	cJSON_AddStringToObject(o, "created_at", a->created_at);
	cJSON_AddNumberToObject(o, "boards_in_scope_count", (double)a->boards_in_scope);
	cJSON_AddNumberToObject(o, "jobs_waiting", (double)a->jobs_waiting);
	{
		int days;
		if (pw_tokens_days_left(a->refresh_expires_at, &days))
			cJSON_AddNumberToObject(o, "token_days_left", days);
		else
			cJSON_AddNullToObject(o, "token_days_left");
	}
	return o;
}

int cmd_account_list(pw_cli *cli, int argc, char **argv)
{
	account_opts o = { 0 };
	pw_error err = { 0 };
	GPtrArray *list = NULL;
	sqlite3_int64 client_id = 0;
	int status = cli_parse(cli, argc, argv, "", opts, on_opt, &o);

	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'account list' takes no arguments; to see one account use 'account show USERNAME'");
	if (status < 0)
		status = cli_open(cli, PW_OPEN_READ);
	if (status < 0)
		status = cli_client_id(cli, o.client, &client_id);
	if (status < 0 && pw_account_list(cli->store, client_id, &list, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		return status;

	if (o.json) {
		cJSON *arr = cJSON_CreateArray();
		for (guint i = 0; i < list->len; i++)
			cJSON_AddItemToArray(arr, account_json(g_ptr_array_index(list, i)));
		cli_print_json(cli, arr);
		cJSON_Delete(arr);
	} else if (list->len == 0) {
		fprintf(cli->out, "no accounts%s; expect one with 'pinwarden client edit NAME --expect-account USERNAME'\n",
		        o.client ? " for this client" : " yet");
	} else {
		static const char *const headers[] = { "CLIENT", "ACCOUNT", "STATE", "CONNECTED AS", "TOKEN", "BOARDS",
		                                       "WAITING" };
		static const guint max[] = { 40, 40, 0, 40, 0, 0, 0 };
		cli_table *t = cli_table_new(7, headers, max);
		for (guint i = 0; i < list->len; i++) {
			pw_account *a = g_ptr_array_index(list, i);
			char *boards = g_strdup_printf("%lld", (long long)a->boards_in_scope);
			char *waiting = g_strdup_printf("%lld", (long long)a->jobs_waiting);
			char *token;
			int days;
			/* Days left on the refresh token: at zero the client must approve again. */
			if (!pw_tokens_days_left(a->refresh_expires_at, &days))
				token = g_strdup("-");
			else if (days < 0)
				token = g_strdup("expired");
			else
				token = g_strdup_printf("%dd", days);
			cli_table_add(t, a->client_name, a->expected_username, a->state, a->username ? a->username : "-", token,
			              boards, waiting);
			g_free(boards);
			g_free(waiting);
			g_free(token);
		}
		cli_table_print(t, cli->out);
		cli_table_free(t);
	}
	g_ptr_array_unref(list);
	return PW_EXIT_OK;
}

static void show_time(FILE *f, const char *label, const char *stored)
{
	char *local;
	if (!stored)
		return;
	local = pw_time_to_local(stored);
	fprintf(f, "%-16s%s\n", label, local);
	g_free(local);
}

int cmd_account_show(pw_cli *cli, int argc, char **argv)
{
	account_opts o = { 0 };
	pw_error err = { 0 };
	pw_account *a = NULL;
	sqlite3_int64 client_id = 0;
	int status = cli_parse(cli, argc, argv, "", opts, on_opt, &o);

	if (status < 0 && optind >= argc)
		status = cli_usage(cli, "the account's username is missing");
	if (status < 0 && optind + 1 < argc)
		status = cli_usage(cli, "one username was expected, but '%s' follows it", argv[optind + 1]);
	if (status < 0)
		status = cli_open(cli, PW_OPEN_READ);
	if (status < 0)
		status = cli_client_id(cli, o.client, &client_id);
	if (status < 0 && pw_account_find(cli->store, argv[optind], client_id, &a, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		return status;

	if (o.json) {
		cJSON *j = account_json(a);
		cli_print_json(cli, j);
		cJSON_Delete(j);
	} else {
		FILE *f = cli->out;
		fprintf(f, "%-16s%s\n", "account", a->expected_username);
		fprintf(f, "%-16s%s\n", "client", a->client_name);
		fprintf(f, "%-16s%s%s%s\n", "state", a->state, a->state_reason ? ": " : "",
		        a->state_reason ? a->state_reason : "");
		if (a->username)
			fprintf(f, "%-16s%s (Pinterest id %s, %s)\n", "connected as", a->username,
			        a->pinterest_user_id ? a->pinterest_user_id : "?", a->account_type ? a->account_type : "?");
		if (a->connected_by)
			fprintf(f, "%-16s%s\n", "connected by", a->connected_by);
		show_time(f, "connected at", a->connected_at);
		show_time(f, "verified at", a->verified_at);
		if (a->scopes)
			fprintf(f, "%-16s%s\n", "scopes", a->scopes);
		show_time(f, "access until", a->access_expires_at);
		show_time(f, "refresh until", a->refresh_expires_at);
		fprintf(f, "%-16s%lld\n", "boards in scope", (long long)a->boards_in_scope);
		fprintf(f, "%-16s%lld\n", "jobs waiting", (long long)a->jobs_waiting);
		show_time(f, "expected since", a->created_at);
	}
	pw_account_free(a);
	return PW_EXIT_OK;
}
