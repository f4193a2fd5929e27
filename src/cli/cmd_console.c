/* pinwarden console: the full-screen console; also what `pinwarden` with
 * no command opens. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_private.h"
#include "pinwarden/console.h"

enum { OPT_THEME = 0x100 };

static int on_opt(pw_cli *cli, int opt, const char *arg, void *ud)
{
	if (opt != OPT_THEME)
		return cli_usage(cli, "unexpected option");
	*(const char **)ud = arg;
	return -1;
}

static const struct option opts[] = {
	{ "theme", required_argument, NULL, OPT_THEME },
	{ NULL, 0, NULL, 0 },
};

int cmd_console(pw_cli *cli, int argc, char **argv)
{
	pw_console_options o = { .theme = cli->theme_arg };
	pw_error err = { 0 };
	int status = argc > 1 ? cli_parse(cli, argc, argv, "", opts, on_opt, &o.theme) : -1;
	pw_code rc;

	if (status < 0 && argc > 1 && optind < argc)
		status = cli_usage(cli, "'console' takes no arguments");
	if (status >= 0)
		return status;
	o.script = getenv("PINWARDEN_SCRIPT");
	if (o.script && !*o.script)
		o.script = NULL;
	/* Said before anything is opened or created. */
	if (!o.script && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fputs("pinwarden: the console needs a terminal; in scripts use the commands ('pinwarden --help')\n",
		      cli->err);
		return PW_EXIT_USAGE;
	}
	/* A new user's first run makes the workspace; a read-only one opens
	 * for looking. */
	status = cli_services(cli, PW_OPEN_CREATE);
	if (status >= 0)
		return status;
	rc = pw_console_run(&cli->ctx, &cli->settings, &o, &err);
	if (rc != PW_OK)
		return cli_fail(cli, &err);
	return PW_EXIT_OK;
}
