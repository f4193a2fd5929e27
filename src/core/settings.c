#include "config.h"

#include "pinwarden/settings.h"

#include <errno.h>
#include <string.h>

static char *expand_home(const char *path)
{
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		return g_build_filename(g_get_home_dir(), path + 1, NULL);
	return g_strdup(path);
}

pw_code pw_settings_int(const pw_settings *s, const char *group, const char *key, int lo, int hi, int *out,
                        pw_error *err)
{
	GError *gerr = NULL;
	int v;

	if (!g_key_file_has_key(s->keyfile, group, key, NULL))
		return PW_OK;
	v = g_key_file_get_integer(s->keyfile, group, key, &gerr);
	if (gerr) {
		pw_fail(err, PW_E_INVALID, "%s: [%s] %s: %s; write a whole number from %d to %d", s->config_path, group,
		        key, gerr->message, lo, hi);
		g_error_free(gerr);
		return PW_E_INVALID;
	}
	if (v < lo || v > hi)
		return pw_fail(err, PW_E_INVALID, "%s: [%s] %s = %d is out of range; write a whole number from %d to %d",
		               s->config_path, group, key, v, lo, hi);
	*out = v;
	return PW_OK;
}

pw_code pw_settings_bool(const pw_settings *s, const char *group, const char *key, gboolean *out, pw_error *err)
{
	GError *gerr = NULL;
	gboolean v;

	if (!g_key_file_has_key(s->keyfile, group, key, NULL))
		return PW_OK;
	v = g_key_file_get_boolean(s->keyfile, group, key, &gerr);
	if (gerr) {
		pw_fail(err, PW_E_INVALID, "%s: [%s] %s: %s; write true or false", s->config_path, group, key,
		        gerr->message);
		g_error_free(gerr);
		return PW_E_INVALID;
	}
	*out = v;
	return PW_OK;
}

pw_code pw_settings_string(const pw_settings *s, const char *group, const char *key, char **out, pw_error *err)
{
	GError *gerr = NULL;
	char *v;

	*out = NULL;
	if (!g_key_file_has_key(s->keyfile, group, key, NULL))
		return PW_OK;
	v = g_key_file_get_string(s->keyfile, group, key, &gerr);
	if (gerr) {
		pw_fail(err, PW_E_INVALID, "%s: [%s] %s: %s", s->config_path, group, key, gerr->message);
		g_error_free(gerr);
		return PW_E_INVALID;
	}
	if (!v || !*v) {
		g_free(v);
		return pw_fail(err, PW_E_INVALID, "%s: [%s] %s is empty; give a value or remove the key", s->config_path,
		               group, key);
	}
	*out = v;
	return PW_OK;
}

pw_code pw_settings_load(pw_settings *s, const char *workspace_arg, pw_error *err)
{
	GError *gerr = NULL;
	const char *env;
	pw_code rc;

	memset(s, 0, sizeof *s);
	s->busy_timeout_ms = PW_DEFAULT_BUSY_TIMEOUT_MS;
	s->keyfile = g_key_file_new();
	s->config_path = g_build_filename(g_get_user_config_dir(), "pinwarden", "config", NULL);

	if (g_key_file_load_from_file(s->keyfile, s->config_path, G_KEY_FILE_NONE, &gerr)) {
		s->config_found = TRUE;
	} else if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		g_clear_error(&gerr);
	} else {
		pw_fail(err, PW_E_INVALID, "cannot read the config file %s: %s; fix or remove it",
		        s->config_path, gerr->message);
		g_error_free(gerr);
		return PW_E_INVALID;
	}

	rc = pw_settings_int(s, "store", "busy_timeout_ms", 0, 600000, &s->busy_timeout_ms, err);
	if (rc != PW_OK)
		return rc;

	env = g_getenv("PINWARDEN_WORKSPACE");
	if (workspace_arg && *workspace_arg) {
		s->workspace = expand_home(workspace_arg);
		s->workspace_source = "--workspace";
	} else if (env && *env) {
		s->workspace = expand_home(env);
		s->workspace_source = "PINWARDEN_WORKSPACE";
	} else if (g_key_file_has_key(s->keyfile, "workspace", "path", NULL)) {
		char *p = NULL;
		rc = pw_settings_string(s, "workspace", "path", &p, err);
		if (rc != PW_OK)
			return rc;
		s->workspace = expand_home(p);
		g_free(p);
		s->workspace_source = "config";
	} else {
		s->workspace = g_build_filename(g_get_user_data_dir(), "pinwarden", NULL);
		s->workspace_source = "default";
	}
	if (!g_path_is_absolute(s->workspace)) {
		char *cwd = g_get_current_dir();
		char *abs = g_build_filename(cwd, s->workspace, NULL);
		g_free(cwd);
		g_free(s->workspace);
		s->workspace = abs;
	}
	return PW_OK;
}

void pw_settings_clear(pw_settings *s)
{
	g_free(s->config_path);
	g_free(s->workspace);
	if (s->keyfile)
		g_key_file_free(s->keyfile);
	memset(s, 0, sizeof *s);
}
