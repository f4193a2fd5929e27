/* cli_private.h: what the command files share. */
#ifndef PINWARDEN_CLI_PRIVATE_H
#define PINWARDEN_CLI_PRIVATE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <glib.h>

#include "pinwarden/cli.h"
#include "pinwarden/error.h"
#include "pinwarden/jsonutil.h"
#include "pinwarden/context.h"
#include "pinwarden/settings.h"
#include "pinwarden/store.h"

typedef struct pw_cli {
	FILE *out;
	FILE *err;
	const char *workspace_arg;        /* the last --workspace given */
	const char *theme_arg;            /* --theme before the command, for the console */
	pw_settings settings;             /* loaded by cli_open */
	bool settings_loaded;
	pw_store *store;
	pw_keyring keyring;               /* set up by cli_services */
	pw_api_config api_config;
	pw_ctx ctx;                       /* store, keyring and Pinterest, for the services */
	const struct pw_command *command; /* the one running */
} pw_cli;

typedef int (*pw_cmd_fn)(pw_cli *cli, int argc, char **argv);

/* One command: the table in cli.c gives each its name, synopsis, summary
 * and options text; --help, 'pinwarden help' and the man page's command
 * list all come from it. */
typedef struct pw_command {
	const char *group;    /* "client", "log", ... or NULL at the top */
	const char *name;
	pw_cmd_fn run;
	const char *synopsis; /* after "pinwarden group name" */
	const char *summary;  /* one line */
	const char *options;  /* option lines, each "  --opt ARG  what" */
} pw_command;

extern const pw_command pw_commands[];

/* ---- shared by the commands ---- */

/* Prints "pinwarden: message" and returns the exit status for the code. */
int cli_fail(pw_cli *cli, const pw_error *err);
/* A usage error: prints the message and the command's synopsis; returns 2. */
int cli_usage(pw_cli *cli, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Prints the running command's help to cli->out; returns 0. */
int cli_help(pw_cli *cli);

/* Parses options with getopt_long ('h'/--help is handled here); calls
 * on_opt for each other one. Returns -1 to go on, else an exit status. */
typedef int (*cli_opt_fn)(pw_cli *cli, int opt, const char *arg, void *ud);
int cli_parse(pw_cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts,
              cli_opt_fn on_opt, void *ud);

/* Opens the workspace (cli->store). Returns -1 on success, else the exit
 * status after printing why, with a hint on where the path came from. */
int cli_open(pw_cli *cli, pw_open_mode mode);

/* Parses a positive id; returns false (after a usage message) if not one. */
bool cli_parse_id(pw_cli *cli, const char *what, const char *text, long long *out);

/* Writes JSON followed by a newline. */
void cli_print_json(pw_cli *cli, const cJSON *json);

/* A text table whose columns are padded to the widest cell in terminal
 * columns (so CJK and emoji line up); a cell wider than the column's
 * limit is cut with an ellipsis. */
typedef struct cli_table cli_table;
cli_table *cli_table_new(guint ncols, const char *const *headers, const guint *max_widths);
void cli_table_add(cli_table *t, ...); /* ncols const char * cells */
void cli_table_print(cli_table *t, FILE *out);
void cli_table_free(cli_table *t);

struct pw_event_row;
/* An event as one line of text: local time, operator, kind, client, message. */
void cli_print_event_line(FILE *f, const struct pw_event_row *row);

/* The command functions. */
int cmd_init(pw_cli *, int, char **);
int cmd_version(pw_cli *, int, char **);
int cmd_help(pw_cli *, int, char **);
int cmd_client_add(pw_cli *, int, char **);
int cmd_client_list(pw_cli *, int, char **);
int cmd_client_show(pw_cli *, int, char **);
int cmd_client_edit(pw_cli *, int, char **);
int cmd_client_archive(pw_cli *, int, char **);
int cmd_account_list(pw_cli *, int, char **);
int cmd_account_show(pw_cli *, int, char **);
int cmd_job_list(pw_cli *, int, char **);
int cmd_job_show(pw_cli *, int, char **);
int cmd_log_tail(pw_cli *, int, char **);
int cmd_log_export(pw_cli *, int, char **);
int cmd_log_verify(pw_cli *, int, char **);
int cmd_app_set(pw_cli *, int, char **);
int cmd_app_show(pw_cli *, int, char **);
int cmd_account_connect(pw_cli *, int, char **);
int cmd_account_complete(pw_cli *, int, char **);
int cmd_account_verify(pw_cli *, int, char **);
int cmd_account_refresh_due(pw_cli *, int, char **);
int cmd_account_disconnect(pw_cli *, int, char **);
int cmd_client_offboard(pw_cli *, int, char **);
int cmd_doctor(pw_cli *, int, char **);
int cmd_publish(pw_cli *, int, char **);
int cmd_worker(pw_cli *, int, char **);
int cmd_backup(pw_cli *, int, char **);
int cmd_console(pw_cli *, int, char **);
int cmd_demo(pw_cli *, int, char **);
/* Shell completion (not in the command table: called by the script). */
int cmd_complete(pw_cli *, int, char **);
int cmd_job_retry(pw_cli *, int, char **);
int cmd_job_cancel(pw_cli *, int, char **);
int cmd_job_reschedule(pw_cli *, int, char **);
int cmd_job_resolve(pw_cli *, int, char **);

/* Opens the workspace for writing and sets up the keyring and Pinterest
 * (cli->ctx). Returns -1 on success, else the exit status. */
int cli_services(pw_cli *cli, pw_open_mode mode);

/* Finds an account by username (and --client when given). Returns -1
 * when found, else the exit status. */
struct pw_account;
int cli_find_account(pw_cli *cli, const char *username, const char *client, struct pw_account **out);

/* Prints checks as "  ok    name: detail" lines. */
void cli_print_checks(pw_cli *cli, GPtrArray *checks);

/* Resolves --client NAME to an id, for the filters of list commands.
 * Returns -1 when found, else the exit status. */
int cli_client_id(pw_cli *cli, const char *name, sqlite3_int64 *id);

#endif
