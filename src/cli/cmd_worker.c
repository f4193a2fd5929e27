/* pinwarden worker: the publishing worker in the foreground, for a
 * terminal or a systemd user unit. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "cli_private.h"
#include "pinwarden/worker.h"

enum { OPT_ONCE = 0x100 };

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int on_opt(pw_cli *cli, int opt, const char *arg, void *ud)
{
	(void)arg;
	if (opt != OPT_ONCE)
		return cli_usage(cli, "unexpected option");
	*(bool *)ud = true;
	return -1;
}

static const struct option opts[] = {
	{ "once", no_argument, NULL, OPT_ONCE },
	{ NULL, 0, NULL, 0 },
};

/* [worker] settings, each checked like every other key. */
static pw_code load_options(const pw_settings *s, pw_worker_options *o, pw_error *err)
{
	int per_minute = (int)o->rate_per_minute;
	pw_code rc;

	if ((rc = pw_settings_int(s, "worker", "max_attempts", 1, 100, &o->max_attempts, err)) != PW_OK ||
	    (rc = pw_settings_int(s, "worker", "backoff_seconds", 1, 86400, &o->backoff_s, err)) != PW_OK ||
	    (rc = pw_settings_int(s, "worker", "max_backoff_seconds", 1, 7 * 86400, &o->max_backoff_s, err)) != PW_OK ||
	    (rc = pw_settings_int(s, "worker", "rate_limit_backoff_seconds", 1, 86400, &o->rate_limit_backoff_s, err)) !=
	            PW_OK ||
	    (rc = pw_settings_int(s, "worker", "pins_per_minute", 0, 6000, &per_minute, err)) != PW_OK ||
	    (rc = pw_settings_int(s, "worker", "burst", 1, 1000, &o->burst, err)) != PW_OK ||
	    (rc = pw_settings_int(s, "worker", "concurrency", 1, 64, &o->concurrency, err)) != PW_OK ||
	    (rc = pw_settings_int(s, "worker", "refresh_every_seconds", 10, 86400, &o->refresh_every_s, err)) != PW_OK)
		return rc;
	o->rate_per_minute = per_minute;
	return pw_settings_int(s, "worker", "reconcile_after_seconds", 1, 86400, &o->reconcile_after_s, err);
}

int cmd_worker(pw_cli *cli, int argc, char **argv)
{
	pw_worker_options o;
	pw_worker_stats stats;
	pw_error err = { 0 };
	struct sigaction sa, old_int, old_term;
	bool once = false;
	int status = cli_parse(cli, argc, argv, "", opts, on_opt, &once);
	pw_code rc;

	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'worker' takes no arguments");
	if (status < 0)
		status = cli_services(cli, PW_OPEN_WRITE);
	pw_worker_defaults(&o);
	/* Pinterest may act on a request up to the time-out after it left. */
	if (status < 0)
		o.reconcile_after_s = (int)(cli->api_config.timeout_ms / 1000) + 30;
	if (status < 0 && load_options(&cli->settings, &o, &err) != PW_OK)
		status = cli_fail(cli, &err);
	if (status >= 0)
		return status;
	o.once = once;
	o.log = cli->err;
	o.stop = &stop_requested;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	stop_requested = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = pw_worker_run(&cli->ctx, &o, &stats, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc != PW_OK)
		return cli_fail(cli, &err);
	return PW_EXIT_OK;
}
