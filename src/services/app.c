#include "config.h"

#include "pinwarden/app.h"

#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "pinwarden/activity.h"

void pw_app_settings_clear(pw_app_settings *s)
{
	g_free(s->client_id);
	g_free(s->redirect_uri);
	g_free(s->scopes);
	memset(s, 0, sizeof *s);
}

bool pw_app_redirect_is_loopback(const char *redirect_uri, int *port, char **path)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port_text = NULL, *p = NULL;
	bool ok = false;

	if (curl_url_set(u, CURLUPART_URL, redirect_uri, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port_text, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK) {
		ok = strcmp(scheme, "http") == 0 &&
		     (strcmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0);
		if (ok && port)
			*port = (int)g_ascii_strtoll(port_text, NULL, 10);
		if (ok && path)
			*path = g_strdup(p);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port_text);
	curl_free(p);
	curl_url_cleanup(u);
	return ok;
}

pw_code pw_app_check(const pw_app_settings *in, pw_error *err)
{
	CURLU *u;
	char *scheme = NULL;
	pw_code rc = PW_OK;

	if (!in->client_id || !*in->client_id)
		return pw_fail(err, PW_E_INVALID, "the app's client id is missing (--client-id)");
	for (const char *p = in->client_id; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return pw_fail(err, PW_E_INVALID, "'%s' is not a Pinterest app id: copy the App id from the app's page",
			               in->client_id);
	if (!in->redirect_uri || !*in->redirect_uri)
		return pw_fail(err, PW_E_INVALID, "the redirect URI is missing (--redirect-uri)");
	u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, in->redirect_uri, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0))
		rc = pw_fail(err, PW_E_INVALID,
		             "'%s' is not a redirect URI: register one on the app, such as http://localhost:8085/, "
		             "and give exactly the same text here",
		             in->redirect_uri);
	curl_free(scheme);
	curl_url_cleanup(u);
	if (rc == PW_OK && in->scopes) {
		for (const char *p = in->scopes; *p; p++)
			if (!g_ascii_isalnum(*p) && !strchr(":_,", *p))
				return pw_fail(err, PW_E_INVALID,
				               "'%s' is not a list of scopes: write them comma-separated, such as %s", in->scopes,
				               PW_APP_DEFAULT_SCOPES);
	}
	return rc;
}

static pw_code put_meta(pw_store *store, const char *key, const char *value, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store,
	                              "INSERT INTO meta (key, value) VALUES (?1, ?2)"
	                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	                              &st, err);
	int src;
	if (rc != PW_OK)
		return rc;
	pw_bind_text(st, 1, key);
	pw_bind_text(st, 2, value);
	src = sqlite3_step(st);
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? PW_OK : pw_store_fail(store, src, "recording the app", err);
}

pw_code pw_app_set(pw_ctx *ctx, const pw_app_settings *in, const char *client_secret, pw_error *err)
{
	const char *scopes = in->scopes ? in->scopes : PW_APP_DEFAULT_SCOPES;
	pw_code rc = pw_app_check(in, err);
	cJSON *d;
	char *msg;

	if (rc != PW_OK)
		return rc;
	if (!client_secret || !*client_secret)
		return pw_fail(err, PW_E_INVALID, "the app's client secret is empty");
	rc = pw_secret_store(ctx->keyring, 0, PW_SECRET_APP, client_secret, "pinwarden: Pinterest app client secret",
	                     err);
	if (rc != PW_OK)
		return pw_error_prefix(err, "the client secret could not be kept in the keyring, so nothing was changed");

	rc = pw_store_begin(ctx->store, err);
	if (rc != PW_OK)
		return rc;
	if ((rc = put_meta(ctx->store, "app.client_id", in->client_id, err)) != PW_OK ||
	    (rc = put_meta(ctx->store, "app.redirect_uri", in->redirect_uri, err)) != PW_OK ||
	    (rc = put_meta(ctx->store, "app.scopes", scopes, err)) != PW_OK ||
	    (rc = put_meta(ctx->store, "app.continuous_refresh", in->continuous_refresh ? "1" : "0", err)) != PW_OK) {
		pw_store_rollback(ctx->store);
		return rc;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "client_id", in->client_id);
	cJSON_AddStringToObject(d, "redirect_uri", in->redirect_uri);
	cJSON_AddStringToObject(d, "scopes", scopes);
	cJSON_AddBoolToObject(d, "continuous_refresh", in->continuous_refresh);
	msg = g_strdup_printf("Pinterest app %s set (client secret kept in the keyring)", in->client_id);
	{
		pw_event ev = { .kind = "app.set", .message = msg, .details = d };
		rc = pw_log_append(ctx->store, &ev, NULL, err);
	}
	cJSON_Delete(d);
	g_free(msg);
	if (rc != PW_OK) {
		pw_store_rollback(ctx->store);
		return rc;
	}
	return pw_store_commit(ctx->store, err);
}

pw_code pw_app_get(pw_store *store, pw_app_settings *out, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store, "SELECT key, value FROM meta WHERE key LIKE 'app.%'", &st, err);
	int src;

	memset(out, 0, sizeof *out);
	if (rc != PW_OK)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = pw_col_text(st, 0), *value = pw_col_text(st, 1);
		if (strcmp(key, "app.client_id") == 0)
			out->client_id = g_strdup(value);
		else if (strcmp(key, "app.redirect_uri") == 0)
			out->redirect_uri = g_strdup(value);
		else if (strcmp(key, "app.scopes") == 0)
			out->scopes = g_strdup(value);
		else if (strcmp(key, "app.continuous_refresh") == 0)
			out->continuous_refresh = strcmp(value, "1") == 0;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		pw_app_settings_clear(out);
		return pw_store_fail(store, src, "reading the app", err);
	}
	if (!out->client_id || !out->redirect_uri) {
		pw_app_settings_clear(out);
		return pw_fail(err, PW_E_MISSING,
		               "no Pinterest app is set up in this workspace; register one with Pinterest, then run "
		               "'pinwarden app set --client-id ID --redirect-uri URI'");
	}
	if (!out->scopes)
		out->scopes = g_strdup(PW_APP_DEFAULT_SCOPES);
	return PW_OK;
}

pw_code pw_app_load(pw_ctx *ctx, pw_app_settings *settings, char **client_secret, pw_error *err)
{
	pw_code rc = pw_app_get(ctx->store, settings, err);

	*client_secret = NULL;
	if (rc != PW_OK)
		return rc;
	rc = pw_secret_lookup(ctx->keyring, 0, PW_SECRET_APP, client_secret, err);
	if (rc == PW_OK && !*client_secret)
		rc = pw_fail(err, PW_E_MISSING,
		             "the app's client secret is not in this keyring (was it set up by another user, or on "
		             "another machine?); run 'pinwarden app set' again");
	if (rc != PW_OK)
		pw_app_settings_clear(settings);
	return rc;
}
