/* pinwarden doctor: every check an operator would otherwise do by hand,
 * each with what to do when it fails. */
#include "config.h"

#include <string.h>

#include "cli_private.h"
#include "pinwarden/app.h"
#include "pinwarden/checks.h"

/* Is Pinterest there? An unauthenticated read answers 401 when it is. */
static void check_api(pw_cli *cli, GPtrArray *checks)
{
	pw_error err = { 0 };
	pw_api_config cfg = { 0 };
	pw_api *api = NULL;
	pw_api_error a = { 0 };
	pw_user_account u = { 0 };
	pw_api_auth probe = { .access_token = "pinwarden-doctor-probe" };
	pw_code rc;

	if (pw_api_config_load(&cli->settings, &cfg, &err) != PW_OK) {
		pw_checks_add(checks, "Pinterest API settings", false, "%s", err.message);
		return;
	}
	pw_checks_add(checks, "Pinterest API settings", true, "API base %s", cfg.api_base);
	if (pw_api_new(&cfg, &api, &err) != PW_OK) {
		pw_checks_add(checks, "Pinterest API reachable", false, "%s", err.message);
		pw_api_config_clear(&cfg);
		return;
	}
	rc = pw_api_user_account(api, &probe, &u, &a, &err);
	if (rc == PW_OK || a.klass == PW_API_AUTH || a.http_status == 400 || a.http_status == 403)
		pw_checks_add(checks, "Pinterest API reachable", true, "%s answered (HTTP %ld)", cfg.api_base, a.http_status);
	else
		pw_checks_add(checks, "Pinterest API reachable", false,
		              "%s; check the network, a proxy (https_proxy), or [pinterest] api_base", err.message);
	pw_user_account_clear(&u);
	pw_api_free(api);
	pw_api_config_clear(&cfg);
}

int cmd_doctor(pw_cli *cli, int argc, char **argv)
{
	GPtrArray *checks = pw_checks_new();
	pw_error err = { 0 };
	pw_keyring keyring;
	int timeout_ms = 10000, status = cli_parse(cli, argc, argv, NULL, NULL, NULL, NULL);
	bool ok;

	if (status < 0 && optind < argc)
		status = cli_usage(cli, "'doctor' takes no arguments");
	if (status >= 0) {
		g_ptr_array_unref(checks);
		return status;
	}

	if (pw_settings_load(&cli->settings, cli->workspace_arg, &err) != PW_OK) {
		pw_checks_add(checks, "configuration", false, "%s", err.message);
		cli_print_checks(cli, checks);
		g_ptr_array_unref(checks);
		return PW_EXIT_FAILED;
	}
	cli->settings_loaded = true;
	pw_checks_add(checks, "configuration", true, "%s%s", cli->settings.config_path,
	              cli->settings.config_found ? "" : " (absent: defaults)");

	{
		pw_store_options opt = { .mode = PW_OPEN_READ, .busy_timeout_ms = cli->settings.busy_timeout_ms };
		if (pw_store_open(cli->settings.workspace, &opt, &cli->store, &err) == PW_OK)
			pw_checks_add(checks, "workspace", true, "%s (id %s, private to you%s)", cli->settings.workspace,
			              pw_store_workspace_id(cli->store), pw_store_is_readonly(cli->store) ? ", READ-ONLY" : "");
		else
			pw_checks_add(checks, "workspace", false, "%s%s", err.message,
			              err.code == PW_E_MISSING ? "; create it with 'pinwarden init'" : "");
	}

	if (pw_settings_int(&cli->settings, "keyring", "timeout_ms", 100, 600000, &timeout_ms, &err) != PW_OK)
		pw_checks_add(checks, "keyring settings", false, "%s (the default, 10000, is used here)", err.message);
	pw_keyring_init(&keyring, cli->store ? pw_store_workspace_id(cli->store) : "doctor", timeout_ms);
	if (pw_keyring_probe(&keyring, &err) == PW_OK)
		pw_checks_add(checks, "keyring", true, "stored, read back and deleted a probe item");
	else
		pw_checks_add(checks, "keyring", false, "%s", err.message);

	check_api(cli, checks);

	if (cli->store) {
		pw_app_settings app = { 0 };
		if (pw_app_get(cli->store, &app, &err) != PW_OK) {
			pw_checks_add(checks, "Pinterest app", false, "%s", err.message);
		} else {
			char *secret = NULL;
			cli->keyring = keyring;
			if (pw_secret_lookup(&keyring, 0, PW_SECRET_APP, &secret, &err) != PW_OK)
				pw_checks_add(checks, "Pinterest app", false, "%s", err.message);
			else if (!secret)
				pw_checks_add(checks, "Pinterest app", false,
				              "app %s is set, but its client secret is not in this keyring: run 'pinwarden app set'",
				              app.client_id);
			else
				pw_checks_add(checks, "Pinterest app", true, "app %s, redirect %s, secret in the keyring",
				              app.client_id, app.redirect_uri);
			pw_secret_free(secret);
			pw_app_settings_clear(&app);
		}
	}

	cli_print_checks(cli, checks);
	ok = pw_checks_first_failure(checks) == NULL;
	fprintf(cli->out, "%s\n", ok ? "everything checks out" : "fix the FAIL lines above and run 'pinwarden doctor' again");
	g_ptr_array_unref(checks);
	return ok ? PW_EXIT_OK : PW_EXIT_FAILED;
}
