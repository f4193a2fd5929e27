/* cmd_complete.c: shell completion. The bash script (completion/
 * pinwarden.bash) hands the words typed so far to `pinwarden __complete`,
 * which answers from the command table (commands, options) and, for
 * names, from the workspace (clients, accounts, boards) read-only and
 * quietly: completing never creates, changes or complains about anything.
 * One candidate per line; the shell filters them by what is typed. */
#include "config.h"

#include <string.h>

#include "cli_private.h"
#include "pinwarden/jobs.h"
#include "pinwarden/theme.h"

static const char *const global_options[] = { "--workspace", "--theme", "--help", "--version", NULL };

static void say(pw_cli *cli, const char *word)
{
	fprintf(cli->out, "%s\n", word);
}

/* The value after `option` among the words, or NULL. */
static const char *option_value(int argc, char **argv, const char *option)
{
	const char *v = NULL;
	size_t n = strlen(option);
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], option) == 0 && i + 1 < argc)
			v = argv[i + 1];
		else if (strncmp(argv[i], option, n) == 0 && argv[i][n] == '=')
			v = argv[i] + n + 1;
	}
	return v;
}

/* The workspace, read-only, or NULL: a missing or unreadable one gives no
 * names, and no message. */
static pw_store *open_quietly(pw_cli *cli, int argc, char **argv)
{
	pw_error err = { 0 };
	pw_store_options opt = { .mode = PW_OPEN_READ };
	pw_store *store = NULL;
	const char *ws = option_value(argc, argv, "--workspace");

	if (!cli->settings_loaded) {
		if (pw_settings_load(&cli->settings, ws ? ws : cli->workspace_arg, &err) != PW_OK)
			return NULL;
		cli->settings_loaded = true;
	}
	opt.busy_timeout_ms = 200;
	if (pw_store_open(cli->settings.workspace, &opt, &store, &err) != PW_OK)
		return NULL;
	return store;
}

static void names(pw_cli *cli, int argc, char **argv, const char *sql, const char *bind)
{
	pw_store *store = open_quietly(cli, argc, argv);
	sqlite3_stmt *st = NULL;

	if (!store)
		return;
	if (pw_store_prepare(store, sql, &st, NULL) == PW_OK) {
		if (sqlite3_bind_parameter_count(st) > 0)
			pw_bind_text(st, 1, bind);
		while (sqlite3_step(st) == SQLITE_ROW)
			say(cli, pw_col_text(st, 0));
		sqlite3_finalize(st);
	}
	pw_store_close(store);
}

static void client_names(pw_cli *cli, int argc, char **argv)
{
	names(cli, argc, argv, "SELECT name FROM clients WHERE archived = 0 ORDER BY lower(name)", NULL);
}

/* Usernames, of the client named by --client when there is one. */
static void account_names(pw_cli *cli, int argc, char **argv)
{
	const char *client = option_value(argc, argv, "--client");
	if (client)
		names(cli, argc, argv,
		      "SELECT coalesce(a.username, a.expected_username) FROM accounts a JOIN clients c ON c.id = a.client_id"
		      " WHERE c.name = ?1 ORDER BY 1",
		      client);
	else
		names(cli, argc, argv, "SELECT coalesce(username, expected_username) FROM accounts ORDER BY 1", NULL);
}

/* Boards in scope, of the account named by --account when there is one. */
static void board_names(pw_cli *cli, int argc, char **argv)
{
	const char *account = option_value(argc, argv, "--account");
	if (account)
		names(cli, argc, argv,
		      "SELECT b.name FROM boards b JOIN accounts a ON a.id = b.account_id"
		      " WHERE b.in_scope = 1 AND (a.username = ?1 OR a.expected_username = ?1) ORDER BY 1",
		      account);
	else
		names(cli, argc, argv, "SELECT DISTINCT name FROM boards WHERE in_scope = 1 ORDER BY 1", NULL);
}

/* Options of a command, from its help text: every "--word" that starts an
 * entry (after the indentation, or after a comma). */
static void command_options(pw_cli *cli, const pw_command *c)
{
	gchar **lines = g_strsplit(c->options ? c->options : "", "\n", -1);
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (int i = 0; lines[i]; i++) {
		const char *p = lines[i];
		while (*p == ' ')
			p++;
		while (p[0] == '-') {
			size_t n = strspn(p, "-abcdefghijklmnopqrstuvwxyz0123456789");
			if (n > 2 && p[1] == '-') {
				char *opt = g_strndup(p, n);
				if (g_hash_table_add(seen, opt))
					say(cli, opt);
			}
			p += n;
			if (p[0] != ',')
				break;
			p++;
			while (*p == ' ')
				p++;
		}
	}
	if (g_hash_table_add(seen, g_strdup("--help")))
		say(cli, "--help");
	g_hash_table_destroy(seen);
	g_strfreev(lines);
}

typedef enum { V_NONE, V_TEXT, V_CLIENT, V_ACCOUNT, V_BOARD, V_THEME, V_STATE, V_FORMAT } value_kind;

/* What an option's value is; V_NONE for an option that takes none. Free
 * text, files and folders are V_TEXT: nothing to offer, and the shell
 * falls back to file names. */
static value_kind option_kind(const char *option)
{
	static const struct {
		const char *option;
		value_kind kind;
	} kinds[] = {
		{ "--client", V_CLIENT }, { "--account", V_ACCOUNT }, { "--expect", V_ACCOUNT },
		{ "--expect-account", V_ACCOUNT }, { "--board", V_BOARD }, { "--remove-board", V_BOARD },
		{ "--theme", V_THEME }, { "--state", V_STATE }, { "--format", V_FORMAT },
		{ "--workspace", V_TEXT }, { "-o", V_TEXT }, { "--image", V_TEXT }, { "--contact", V_TEXT },
		{ "--notes", V_TEXT }, { "--title", V_TEXT }, { "--description", V_TEXT }, { "--link", V_TEXT },
		{ "--alt-text", V_TEXT }, { "--at", V_TEXT }, { "--domain", V_TEXT }, { "--link-domain", V_TEXT },
		{ "--image-domain", V_TEXT }, { "--remove-domain", V_TEXT }, { "--name", V_TEXT }, { "--colour", V_TEXT },
		{ "--since", V_TEXT }, { "--limit", V_TEXT }, { "--ttl", V_TEXT }, { "--paste", V_TEXT },
		{ "--code", V_TEXT }, { "--client-id", V_TEXT }, { "--redirect-uri", V_TEXT }, { "--published", V_TEXT },
		{ "-n", V_TEXT }, { "--section", V_TEXT },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (strcmp(kinds[i].option, option) == 0)
			return kinds[i].kind;
	return V_NONE;
}

static void option_values(pw_cli *cli, int argc, char **argv, value_kind kind)
{
	switch (kind) {
	case V_CLIENT:
		client_names(cli, argc, argv);
		break;
	case V_ACCOUNT:
		account_names(cli, argc, argv);
		break;
	case V_BOARD:
		board_names(cli, argc, argv);
		break;
	case V_THEME: {
		char **themes = pw_theme_list();
		for (int i = 0; themes[i]; i++)
			say(cli, themes[i]);
		g_strfreev(themes);
		break;
	}
	case V_STATE:
		for (int i = 0; pw_job_states[i]; i++)
			say(cli, pw_job_states[i]);
		break;
	case V_FORMAT:
		say(cli, "jsonl");
		say(cli, "csv");
		break;
	case V_TEXT:
	case V_NONE:
		break;
	}
}

/* The first positional argument a command names: a client or an account. */
static void positional(pw_cli *cli, int argc, char **argv, const pw_command *c)
{
	if (!c->synopsis)
		return;
	if (g_str_has_prefix(c->synopsis, "NAME"))
		client_names(cli, argc, argv);
	else if (g_str_has_prefix(c->synopsis, "USERNAME"))
		account_names(cli, argc, argv);
}

int cmd_complete(pw_cli *cli, int argc, char **argv)
{
	/* argv: the words after "pinwarden", the last one being completed. */
	const char *cur = argc > 0 ? argv[argc - 1] : "";
	const char *prev = argc > 1 ? argv[argc - 2] : "";
	const pw_command *c = NULL;
	int i = 0, positionals = 0;

	if (argc == 0)
		return PW_EXIT_OK;
	/* The value of an option, wherever it is. */
	if (prev[0] == '-' && option_kind(prev) != V_NONE) {
		option_values(cli, argc - 1, argv, option_kind(prev));
		return PW_EXIT_OK;
	}
	/* Global options, then the command. */
	while (i < argc - 1 && argv[i][0] == '-')
		i += option_kind(argv[i]) != V_NONE ? 2 : 1;
	if (i >= argc - 1) {
		GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		if (cur[0] == '-') {
			for (int k = 0; global_options[k]; k++)
				say(cli, global_options[k]);
		} else {
			for (const pw_command *x = pw_commands; x->name; x++) {
				const char *w = x->group ? x->group : x->name;
				if (!g_hash_table_contains(seen, w)) {
					g_hash_table_add(seen, g_strdup(w));
					say(cli, w);
				}
			}
		}
		g_hash_table_destroy(seen);
		return PW_EXIT_OK;
	}
	for (const pw_command *x = pw_commands; x->name; x++) {
		if (x->group && strcmp(x->group, argv[i]) == 0) {
			if (i + 1 == argc - 1)
				say(cli, x->name); /* the group's commands */
			else if (strcmp(x->name, argv[i + 1]) == 0)
				c = x;
		} else if (!x->group && strcmp(x->name, argv[i]) == 0) {
			c = x;
		}
	}
	if (!c)
		return PW_EXIT_OK;
	if (cur[0] == '-') {
		command_options(cli, c);
		return PW_EXIT_OK;
	}
	/* A name, for the command's first argument. */
	for (int k = i + (c->group ? 2 : 1); k < argc - 1; k++) {
		if (argv[k][0] == '-')
			k += option_kind(argv[k]) != V_NONE && !strchr(argv[k], '=') ? 1 : 0;
		else
			positionals++;
	}
	if (positionals == 0)
		positional(cli, argc - 1, argv, c);
	return PW_EXIT_OK;
}
