#include "config.h"

#include "pinwarden/pinterest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <glib/gstdio.h>

#include "pinwarden/pinterest_parse.h"
#include "pinwarden/text.h"

#define BODY_MAX (16 * 1024 * 1024)

struct pw_api {
	pw_api_config cfg;
	CURL *curl;
	char user_agent[64];
	bool trace;
	guint connections;   /* new connections opened, for tests and benchmarks */
};

guint pw_api_connections(const pw_api *api)
{
	return api->connections;
}

const char *pw_api_class_name(pw_api_class klass)
{
	switch (klass) {
	case PW_API_OK: return "ok";
	case PW_API_TRANSIENT: return "transient";
	case PW_API_AUTH: return "auth";
	case PW_API_PERMANENT: return "permanent";
	case PW_API_LOCAL: return "local";
	}
	return "unknown";
}

/* ---- configuration -------------------------------------------------- */

static bool is_loopback(const char *host)
{
	return g_ascii_strcasecmp(host, "localhost") == 0 || g_str_has_prefix(host, "127.") ||
	       strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0;
}

/* An http(s) URL; plain http only to this machine, where no token can be
 * overheard on the way. */
static pw_code check_service_url(const char *what, const char *url, pw_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	pw_code rc = PW_OK;

	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		rc = pw_fail(err, PW_E_INVALID, "the %s '%s' is not a URL; write it as https://host/path", what, url);
	else if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && is_loopback(host)))
		rc = pw_fail(err, PW_E_INVALID,
		             "the %s '%s' must use https (plain http is accepted only for this machine, 127.0.0.1 or localhost)",
		             what, url);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

pw_code pw_api_config_load(const pw_settings *s, pw_api_config *cfg, pw_error *err)
{
	gboolean sandbox = FALSE;
	int connect_ms = 10000, timeout_ms = 60000, max_pages = 1000;
	char *base = NULL, *authorize = NULL, *ca = NULL;
	const char *env;
	pw_code rc;

	memset(cfg, 0, sizeof *cfg);
	if ((rc = pw_settings_bool(s, "pinterest", "sandbox", &sandbox, err)) != PW_OK ||
	    (rc = pw_settings_string(s, "pinterest", "api_base", &base, err)) != PW_OK ||
	    (rc = pw_settings_string(s, "pinterest", "authorize_url", &authorize, err)) != PW_OK ||
	    (rc = pw_settings_string(s, "pinterest", "ca_file", &ca, err)) != PW_OK ||
	    (rc = pw_settings_int(s, "pinterest", "connect_timeout_ms", 100, 600000, &connect_ms, err)) != PW_OK ||
	    (rc = pw_settings_int(s, "pinterest", "timeout_ms", 100, 3600000, &timeout_ms, err)) != PW_OK ||
	    (rc = pw_settings_int(s, "pinterest", "max_pages", 1, 1000000, &max_pages, err)) != PW_OK)
		goto fail;

	if ((env = g_getenv("PINWARDEN_API_BASE")) && *env) {
		g_free(base);
		base = g_strdup(env);
	}
	if ((env = g_getenv("PINWARDEN_AUTHORIZE_URL")) && *env) {
		g_free(authorize);
		authorize = g_strdup(env);
	}
	if (!base)
		base = g_strdup(sandbox ? PW_API_BASE_SANDBOX : PW_API_BASE_DEFAULT);
	if (!authorize)
		authorize = g_strdup(PW_AUTHORIZE_URL_DEFAULT);
	while (g_str_has_suffix(base, "/"))
		base[strlen(base) - 1] = '\0';
	if ((rc = check_service_url("API base URL", base, err)) != PW_OK ||
	    (rc = check_service_url("authorization page URL", authorize, err)) != PW_OK)
		goto fail;
	if (ca && !g_file_test(ca, G_FILE_TEST_IS_REGULAR)) {
		rc = pw_fail(err, PW_E_INVALID, "%s: [pinterest] ca_file %s is not a readable file", s->config_path, ca);
		goto fail;
	}
	cfg->api_base = base;
	cfg->authorize_url = authorize;
	cfg->ca_file = ca;
	cfg->connect_timeout_ms = connect_ms;
	cfg->timeout_ms = timeout_ms;
	cfg->max_pages = max_pages;
	return PW_OK;
fail:
	g_free(base);
	g_free(authorize);
	g_free(ca);
	return rc;
}

void pw_api_config_clear(pw_api_config *cfg)
{
	g_free(cfg->api_base);
	g_free(cfg->authorize_url);
	g_free(cfg->ca_file);
	memset(cfg, 0, sizeof *cfg);
}

/* ---- the handle -------------------------------------------------------- */

pw_code pw_api_new(const pw_api_config *cfg, pw_api **out, pw_error *err)
{
	static gsize curl_ready;
	pw_api *api;
	const char *trace = g_getenv("PINWARDEN_HTTP_TRACE");

	*out = NULL;
	if (g_once_init_enter(&curl_ready)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&curl_ready, 1);
	}
	api = g_new0(pw_api, 1);
	api->curl = curl_easy_init();
	if (!api->curl) {
		g_free(api);
		return pw_fail(err, PW_E_INTERNAL, "libcurl could not start");
	}
	api->cfg.api_base = g_strdup(cfg->api_base);
	api->cfg.authorize_url = g_strdup(cfg->authorize_url);
	api->cfg.ca_file = g_strdup(cfg->ca_file);
	api->cfg.connect_timeout_ms = cfg->connect_timeout_ms;
	api->cfg.timeout_ms = cfg->timeout_ms;
	api->cfg.max_pages = cfg->max_pages > 0 ? cfg->max_pages : 1000;
	snprintf(api->user_agent, sizeof api->user_agent, "pinwarden/%s", PACKAGE_VERSION);
	api->trace = trace && *trace && strcmp(trace, "0") != 0;
	*out = api;
	return PW_OK;
}

void pw_api_free(pw_api *api)
{
	if (!api)
		return;
	curl_easy_cleanup(api->curl);
	pw_api_config_clear(&api->cfg);
	g_free(api);
}

/* ---- one request ------------------------------------------------------ */

typedef struct request {
	const char *method;
	const char *path;            /* after the base, e.g. "/boards" */
	const char *const *query;    /* key, value, ..., NULL */
	const char *content_type;
	const char *body;
	size_t body_len;
	const char *bearer;          /* secret */
	const pw_app *basic;         /* client id and secret */
	bool writes;                 /* not idempotent: a lost answer leaves the outcome unknown */
	const char *doing;           /* "creating the Pin" */
} request;

typedef struct response {
	long status;
	GString *body;
	char request_id[128];
	long retry_after;
	bool too_big;
} response;

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	response *rs = ud;
	if (rs->body->len + size * n > BODY_MAX) {
		rs->too_big = true;
		return 0;
	}
	g_string_append_len(rs->body, data, (gssize)(size * n));
	return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	response *rs = ud;
	size_t len = size * n;
	char *line = g_strndup(data, len);
	char *colon = strchr(line, ':');

	if (colon) {
		char *value = g_strstrip(colon + 1);
		*colon = '\0';
		if (g_ascii_strcasecmp(line, "x-pinterest-rid") == 0)
			g_strlcpy(rs->request_id, value, sizeof rs->request_id);
		else if (g_ascii_strcasecmp(line, "retry-after") == 0)
			rs->retry_after = strtol(value, NULL, 10);
	} else if (g_str_has_prefix(line, "HTTP/")) {
		/* A new response (after a 100 Continue): forget the last one's. */
		rs->request_id[0] = '\0';
		rs->retry_after = 0;
	}
	g_free(line);
	return len;
}

/* PINWARDEN_HTTP_TRACE: headers to stderr, Authorization blanked, bodies
 * only counted (they can hold tokens). */
static int on_trace(CURL *curl, curl_infotype type, char *data, size_t size, void *ud)
{
	(void)curl;
	(void)ud;
	if (type == CURLINFO_TEXT) {
		fprintf(stderr, "* %.*s", (int)size, data);
	} else if (type == CURLINFO_HEADER_OUT || type == CURLINFO_HEADER_IN) {
		char *text = g_strndup(data, size);
		char **lines = g_strsplit(text, "\n", -1);
		for (char **l = lines; *l; l++) {
			if (!**l || strcmp(*l, "\r") == 0)
				continue;
			if (g_ascii_strncasecmp(*l, "authorization:", 14) == 0)
				fprintf(stderr, "%c Authorization: <redacted>\n", type == CURLINFO_HEADER_OUT ? '>' : '<');
			else
				fprintf(stderr, "%c %s\n", type == CURLINFO_HEADER_OUT ? '>' : '<', g_strchomp(*l));
		}
		g_strfreev(lines);
		pw_secret_wipe(text);
		g_free(text);
	} else if (type == CURLINFO_DATA_OUT || type == CURLINFO_DATA_IN) {
		fprintf(stderr, "%c [%zu bytes of body]\n", type == CURLINFO_DATA_OUT ? '>' : '<', size);
	}
	return 0;
}

static char *build_url(pw_api *api, const request *rq, pw_error *err)
{
	CURLU *u = curl_url();
	char *base = g_strconcat(api->cfg.api_base, rq->path, NULL);
	char *url = NULL, *copy = NULL;

	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK) {
		pw_fail(err, PW_E_INVALID, "cannot build a URL from the API base %s", api->cfg.api_base);
		goto out;
	}
	for (const char *const *q = rq->query; q && q[0]; q += 2) {
		char *pair;
		if (!q[1])
			continue;
		pair = g_strconcat(q[0], "=", q[1], NULL);
		curl_url_set(u, CURLUPART_QUERY, pair, CURLU_APPENDQUERY | CURLU_URLENCODE);
		g_free(pair);
	}
	if (curl_url_get(u, CURLUPART_URL, &url, 0) == CURLUE_OK)
		copy = g_strdup(url);
	else
		pw_fail(err, PW_E_INVALID, "cannot build a URL for %s", rq->path);
	curl_free(url);
out:
	g_free(base);
	curl_url_cleanup(u);
	return copy;
}

/* A header holding a secret, wiped when the list is freed. */
static struct curl_slist *add_secret_header(struct curl_slist *list, const char *prefix, const char *secret)
{
	char *h = g_strconcat(prefix, secret, NULL);
	list = curl_slist_append(list, h);
	pw_secret_wipe(h);
	g_free(h);
	return list;
}

static void free_headers(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l; l = l->next)
		pw_secret_wipe(l->data);
	curl_slist_free_all(list);
}

static void summarize(pw_api_error *a, const char *doing, pw_error *err)
{
	char rid[160] = "", code[32] = "";
	if (a->request_id[0])
		snprintf(rid, sizeof rid, " [Pinterest request id %s]", a->request_id);
	if (a->code)
		snprintf(code, sizeof code, " (code %ld)", a->code);
	if (a->http_status)
		pw_fail(err, PW_E_API, "Pinterest answered %ld%s while %s: %s%s", a->http_status, code, doing,
		        a->message[0] ? a->message : "no message", rid);
	else
		pw_fail(err, PW_E_API, "no answer from Pinterest while %s: %s", doing, a->message);
}

static void classify_status(const request *rq, response *rs, pw_api_error *a)
{
	char msg[512] = "";
	long code = 0;

	a->http_status = rs->status;
	g_strlcpy(a->request_id, rs->request_id, sizeof a->request_id);
	a->retry_after_s = rs->retry_after;
	if (pw_parse_error_body(rs->body->str, rs->body->len, &code, msg, sizeof msg)) {
		a->code = code;
		g_strlcpy(a->message, msg, sizeof a->message);
	} else {
		snprintf(a->message, sizeof a->message, "HTTP %ld without Pinterest's error body", rs->status);
	}

	if (rs->status == 401) {
		a->klass = PW_API_AUTH;
	} else if (rs->status == 429) {
		char *lower = g_ascii_strdown(a->message, -1);
		bool spam = strstr(lower, "spam") != NULL;
		g_free(lower);
		/* A spam verdict is not a rate: retrying it blindly makes it worse. */
		a->klass = spam ? PW_API_PERMANENT : PW_API_TRANSIENT;
		a->rate_limited = !spam;
	} else if (rs->status == 408 || rs->status >= 500) {
		a->klass = PW_API_TRANSIENT;
		/* The server may have acted before failing. */
		a->maybe_done = rq->writes && rs->status != 503;
	} else {
		a->klass = PW_API_PERMANENT;
	}
}

static void classify_curl(pw_api *api, const request *rq, CURLcode cc, response *rs, pw_api_error *a)
{
	long sent = 0;

	curl_easy_getinfo(api->curl, CURLINFO_REQUEST_SIZE, &sent);
	a->klass = PW_API_TRANSIENT;
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		snprintf(a->message, sizeof a->message, "cannot connect to %s: %s", api->cfg.api_base,
		         curl_easy_strerror(cc));
		return; /* nothing was sent */
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(a->message, sizeof a->message, "timed out (connect limit %ld ms, request limit %ld ms)",
		         api->cfg.connect_timeout_ms, api->cfg.timeout_ms);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		a->klass = PW_API_PERMANENT;
		snprintf(a->message, sizeof a->message,
		         "the TLS certificate of %s could not be verified (%s); for a private CA set [pinterest] ca_file",
		         api->cfg.api_base, curl_easy_strerror(cc));
		return;
	case CURLE_WRITE_ERROR:
		if (rs->too_big) {
			a->klass = PW_API_PERMANENT;
			snprintf(a->message, sizeof a->message, "the answer was larger than %d bytes", BODY_MAX);
			break;
		}
		G_GNUC_FALLTHROUGH;
	default:
		snprintf(a->message, sizeof a->message, "%s", curl_easy_strerror(cc));
		break;
	}
	a->maybe_done = rq->writes && sent > 0;
}

/* Performs one request. PW_OK for a 2xx answer; otherwise PW_E_API with
 * *aerr classified. The response's body is in rs->body either way. */
static pw_code perform(pw_api *api, const request *rq, response *rs, pw_api_error *a, pw_error *err)
{
	struct curl_slist *headers = NULL;
	char *url;
	CURLcode cc;
	CURL *c = api->curl;

	memset(a, 0, sizeof *a);
	rs->status = 0;
	rs->request_id[0] = '\0';
	rs->retry_after = 0;
	rs->too_big = false;
	g_string_truncate(rs->body, 0);
	url = build_url(api, rq, err);
	if (!url) {
		a->klass = PW_API_LOCAL;
		g_strlcpy(a->message, err->message, sizeof a->message);
		return PW_E_INVALID;
	}

	/* Reset per request; the connection cache survives a reset. */
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_USERAGENT, api->user_agent);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, api->cfg.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, api->cfg.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (api->cfg.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, api->cfg.ca_file);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, rs);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, rs);
	if (api->trace) {
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_trace);
	}

	headers = curl_slist_append(headers, "Accept: application/json");
	if (rq->bearer)
		headers = add_secret_header(headers, "Authorization: Bearer ", rq->bearer);
	if (rq->basic) {
		char *pair = g_strconcat(rq->basic->client_id, ":", rq->basic->client_secret, NULL);
		char *b64 = g_base64_encode((const guchar *)pair, strlen(pair));
		headers = add_secret_header(headers, "Authorization: Basic ", b64);
		pw_secret_wipe(pair);
		pw_secret_wipe(b64);
		g_free(pair);
		g_free(b64);
	}
	if (strcmp(rq->method, "POST") == 0) {
		char *ct = g_strconcat("Content-Type: ", rq->content_type, NULL);
		headers = curl_slist_append(headers, ct);
		g_free(ct);
		/* No "Expect: 100-continue" round trip for large bodies. */
		headers = curl_slist_append(headers, "Expect:");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	} else if (strcmp(rq->method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

	cc = curl_easy_perform(c);
	{
		long opened = 0;
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &opened);
		api->connections += (guint)opened;
	}
	/* Nothing of this request may outlive it in the handle. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	free_headers(headers);
	g_free(url);

	if (cc != CURLE_OK) {
		classify_curl(api, rq, cc, rs, a);
		summarize(a, rq->doing, err);
		return PW_E_API;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->status);
	if (rs->status >= 200 && rs->status < 300)
		return PW_OK;
	classify_status(rq, rs, a);
	summarize(a, rq->doing, err);
	return PW_E_API;
}

/* A 2xx answer whose body does not parse: for a write, it may have been
 * done; either way asking again later is the way on. */
static pw_code bad_answer(const request *rq, response *rs, pw_api_error *a, pw_error *err)
{
	a->klass = PW_API_TRANSIENT;
	a->http_status = rs->status;
	a->maybe_done = rq->writes;
	g_strlcpy(a->request_id, rs->request_id, sizeof a->request_id);
	g_strlcpy(a->message, err->message, sizeof a->message);
	summarize(a, rq->doing, err);
	return PW_E_API;
}

/* Performs rq with the access token; on a 401 asks auth->refresh once for
 * a new one and tries once more. */
static pw_code perform_authed(pw_api *api, const pw_api_auth *auth, request *rq, response *rs,
                              pw_api_error *a, pw_error *err)
{
	char *fresh;
	pw_code rc;

	memset(a, 0, sizeof *a);
	if (!auth || !auth->access_token) {
		a->klass = PW_API_LOCAL;
		return pw_fail(err, PW_E_INVALID, "no access token while %s", rq->doing);
	}
	rq->bearer = auth->access_token;
	rc = perform(api, rq, rs, a, err);
	if (rc != PW_E_API || a->klass != PW_API_AUTH || !auth->refresh)
		return rc;

	fresh = auth->refresh(auth->ud, err);
	if (!fresh) {
		pw_error_prefix(err, "Pinterest refused the access token while %s, and refreshing it failed", rq->doing);
		return PW_E_API;
	}
	rq->bearer = fresh;
	rc = perform(api, rq, rs, a, err);
	rq->bearer = NULL;
	pw_secret_wipe(fresh);
	g_free(fresh);
	return rc;
}

static response *response_new(void)
{
	response *rs = g_new0(response, 1);
	rs->body = g_string_sized_new(4096);
	return rs;
}

static void response_free(response *rs, bool secret)
{
	if (secret)
		memset(rs->body->str, 0, rs->body->allocated_len);
	g_string_free(rs->body, TRUE);
	g_free(rs);
}

/* ---- tokens ----------------------------------------------------------- */

static char *form_encode(pw_api *api, const char *const *pairs)
{
	GString *s = g_string_new(NULL);
	for (const char *const *p = pairs; p[0]; p += 2) {
		char *v;
		if (!p[1])
			continue;
		v = curl_easy_escape(api->curl, p[1], 0);
		g_string_append_printf(s, "%s%s=%s", s->len ? "&" : "", p[0], v);
		pw_secret_wipe(v);
		curl_free(v);
	}
	return g_string_free(s, FALSE);
}

static pw_code token_request(pw_api *api, const pw_app *app, const char *const *form, const char *doing,
                             pw_tokens *out, pw_api_error *a, pw_error *err)
{
	char *body = form_encode(api, form);
	request rq = { .method = "POST", .path = "/oauth/token", .content_type = "application/x-www-form-urlencoded",
	               .body = body, .body_len = strlen(body), .basic = app, .doing = doing };
	response *rs = response_new();
	pw_code rc;

	memset(out, 0, sizeof *out);
	/* A token request is not a write in the never-twice sense: asking
	 * again is safe, at worst it is refused. */
	rc = perform(api, &rq, rs, a, err);
	if (rc == PW_OK && pw_parse_tokens(rs->body->str, rs->body->len, out, err) != PW_OK)
		rc = bad_answer(&rq, rs, a, err);
	pw_secret_wipe(body);
	g_free(body);
	response_free(rs, true);
	return rc;
}

/* A NULL value leaves its key out of the form. */
pw_code pw_api_exchange_code(pw_api *api, const pw_app *app, const char *code, pw_tokens *out,
                             pw_api_error *aerr, pw_error *err)
{
	const char *form[] = { "grant_type", "authorization_code", "code", code, "redirect_uri", app->redirect_uri,
	                       "continuous_refresh", app->continuous_refresh ? "true" : NULL, NULL };
	return token_request(api, app, form, "exchanging the authorization code", out, aerr, err);
}

pw_code pw_api_refresh(pw_api *api, const pw_app *app, const char *refresh_token, pw_tokens *out,
                       pw_api_error *aerr, pw_error *err)
{
	const char *form[] = { "grant_type", "refresh_token", "refresh_token", refresh_token,
	                       "continuous_refresh", app->continuous_refresh ? "true" : NULL, NULL };
	return token_request(api, app, form, "refreshing the access token", out, aerr, err);
}

/* ---- reads ------------------------------------------------------------ */

pw_code pw_api_user_account(pw_api *api, const pw_api_auth *auth, pw_user_account *out, pw_api_error *a,
                            pw_error *err)
{
	request rq = { .method = "GET", .path = "/user_account", .doing = "reading the user account" };
	response *rs = response_new();
	pw_code rc = perform_authed(api, auth, &rq, rs, a, err);

	memset(out, 0, sizeof *out);
	if (rc == PW_OK && pw_parse_user_account(rs->body->str, rs->body->len, out, err) != PW_OK)
		rc = bad_answer(&rq, rs, a, err);
	response_free(rs, false);
	return rc;
}

typedef pw_code (*page_parser)(const char *body, size_t len, GPtrArray *items, char **bookmark, pw_error *err);

/* Follows every page until the bookmark is null; stops with an error when
 * a bookmark comes back a second time or the page limit is passed. */
static pw_code list_all(pw_api *api, const pw_api_auth *auth, const char *path, const char *doing,
                        page_parser parse, GDestroyNotify free_item, guint max_items, GPtrArray **out,
                        pw_api_error *a, pw_error *err)
{
	GPtrArray *items = g_ptr_array_new_with_free_func(free_item);
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	response *rs = response_new();
	char *bookmark = NULL;
	pw_code rc = PW_OK;
	int pages = 0;
	char page_size[16];

	*out = NULL;
	/* No bigger pages than asked for: reconciling reads one or two Pins. */
	snprintf(page_size, sizeof page_size, "%u", max_items && max_items < 250 ? max_items : 250);
	do {
		const char *query[] = { "page_size", page_size, "bookmark", bookmark, NULL };
		request rq = { .method = "GET", .path = path, .query = query, .doing = doing };
		char *next = NULL;

		if (++pages > api->cfg.max_pages) {
			memset(a, 0, sizeof *a);
			a->klass = PW_API_PERMANENT;
			snprintf(a->message, sizeof a->message, "more than %d pages; raise [pinterest] max_pages if that is right",
			         api->cfg.max_pages);
			rc = pw_fail(err, PW_E_API, "stopped %s after %d pages: %s", doing, api->cfg.max_pages, a->message);
			break;
		}
		rc = perform_authed(api, auth, &rq, rs, a, err);
		if (rc == PW_OK && parse(rs->body->str, rs->body->len, items, &next, err) != PW_OK)
			rc = bad_answer(&rq, rs, a, err);
		if (rc != PW_OK)
			break;
		g_free(bookmark);
		bookmark = next;
		if (bookmark && g_hash_table_contains(seen, bookmark)) {
			memset(a, 0, sizeof *a);
			a->klass = PW_API_PERMANENT;
			g_strlcpy(a->request_id, rs->request_id, sizeof a->request_id);
			snprintf(a->message, sizeof a->message, "Pinterest sent the same page bookmark twice");
			rc = pw_fail(err, PW_E_API, "stopped %s: %s (page %d)", doing, a->message, pages);
			break;
		}
		if (bookmark)
			g_hash_table_add(seen, g_strdup(bookmark));
	} while (bookmark && (max_items == 0 || items->len < max_items));

	if (rc == PW_OK) {
		if (max_items && items->len > max_items)
			g_ptr_array_set_size(items, max_items);
		*out = items;
	} else {
		g_ptr_array_unref(items);
	}
	g_free(bookmark);
	g_hash_table_destroy(seen);
	response_free(rs, false);
	return rc;
}

pw_code pw_api_list_boards(pw_api *api, const pw_api_auth *auth, GPtrArray **out, pw_api_error *a, pw_error *err)
{
	return list_all(api, auth, "/boards", "listing the boards", pw_parse_board_page,
	                (GDestroyNotify)pw_api_board_free, 0, out, a, err);
}

static bool is_id(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!g_ascii_isdigit(*s))
			return false;
	return true;
}

static pw_code bad_id(const char *what, const char *id, pw_api_error *a, pw_error *err)
{
	memset(a, 0, sizeof *a);
	a->klass = PW_API_LOCAL;
	pw_fail(err, PW_E_INVALID, "'%s' is not a Pinterest %s id: ids are digits only", id ? id : "", what);
	g_strlcpy(a->message, err->message, sizeof a->message);
	return PW_E_INVALID;
}

pw_code pw_api_list_sections(pw_api *api, const pw_api_auth *auth, const char *board_id, GPtrArray **out,
                             pw_api_error *a, pw_error *err)
{
	char *path;
	pw_code rc;

	*out = NULL;
	if (!is_id(board_id))
		return bad_id("board", board_id, a, err);
	path = g_strdup_printf("/boards/%s/sections", board_id);
	rc = list_all(api, auth, path, "listing the board's sections", pw_parse_section_page,
	              (GDestroyNotify)pw_api_section_free, 0, out, a, err);
	g_free(path);
	return rc;
}

pw_code pw_api_list_board_pins(pw_api *api, const pw_api_auth *auth, const char *board_id, guint max_items,
                               GPtrArray **out, pw_api_error *a, pw_error *err)
{
	char *path;
	pw_code rc;

	*out = NULL;
	if (!is_id(board_id))
		return bad_id("board", board_id, a, err);
	path = g_strdup_printf("/boards/%s/pins", board_id);
	rc = list_all(api, auth, path, "listing the board's Pins", pw_parse_pin_page, (GDestroyNotify)pw_api_pin_free,
	              max_items, out, a, err);
	g_free(path);
	return rc;
}

pw_code pw_api_get_pin(pw_api *api, const pw_api_auth *auth, const char *pin_id, pw_api_pin *out, pw_api_error *a,
                       pw_error *err)
{
	char *path;
	request rq = { .method = "GET", .doing = "reading the Pin" };
	response *rs;
	pw_code rc;

	memset(out, 0, sizeof *out);
	if (!is_id(pin_id))
		return bad_id("Pin", pin_id, a, err);
	path = g_strdup_printf("/pins/%s", pin_id);
	rq.path = path;
	rs = response_new();
	rc = perform_authed(api, auth, &rq, rs, a, err);
	if (rc == PW_OK && pw_parse_pin(rs->body->str, rs->body->len, out, err) != PW_OK)
		rc = bad_answer(&rq, rs, a, err);
	response_free(rs, false);
	g_free(path);
	return rc;
}

/* ---- publishing ------------------------------------------------------- */

static pw_code check_length(const char *field, const char *value, size_t max, pw_error *err)
{
	size_t n;
	if (!value)
		return PW_OK;
	if (!g_utf8_validate(value, -1, NULL))
		return pw_fail(err, PW_E_INVALID, "the Pin's %s is not valid UTF-8 text", field);
	n = pw_text_chars(value);
	if (n > max)
		return pw_fail(err, PW_E_INVALID, "the Pin's %s is %zu characters long; Pinterest's limit is %zu", field, n,
		               max);
	return PW_OK;
}

static pw_code check_web_url(const char *field, const char *value, pw_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	pw_code rc = PW_OK;

	if (curl_url_set(u, CURLUPART_URL, value, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0))
		rc = pw_fail(err, PW_E_INVALID, "the Pin's %s '%s' is not a web address; write it as https://...", field,
		             value);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

pw_code pw_pin_create_check(const pw_pin_create *p, pw_error *err)
{
	pw_code rc;

	if (!is_id(p->board_id))
		return pw_fail(err, PW_E_INVALID, "the Pin's board_id '%s' is not a Pinterest id (digits only)",
		               p->board_id ? p->board_id : "");
	if (p->board_section_id && !is_id(p->board_section_id))
		return pw_fail(err, PW_E_INVALID, "the Pin's board_section_id '%s' is not a Pinterest id (digits only)",
		               p->board_section_id);
	if ((rc = check_length("title", p->title, PW_PIN_TITLE_MAX, err)) != PW_OK ||
	    (rc = check_length("description", p->description, PW_PIN_DESCRIPTION_MAX, err)) != PW_OK ||
	    (rc = check_length("alt_text", p->alt_text, PW_PIN_ALT_TEXT_MAX, err)) != PW_OK ||
	    (rc = check_length("link", p->link, PW_PIN_LINK_MAX, err)) != PW_OK)
		return rc;
	if (p->link && (rc = check_web_url("link", p->link, err)) != PW_OK)
		return rc;
	if (!!p->image_url == !!p->image_path)
		return pw_fail(err, PW_E_INVALID, "a Pin needs exactly one image: an image URL or a local JPEG or PNG file");
	if (p->image_url && (rc = check_web_url("image URL", p->image_url, err)) != PW_OK)
		return rc;
	if (p->dominant_color) {
		const char *c = p->dominant_color;
		bool ok = c[0] == '#' && strlen(c) == 7;
		for (int i = 1; ok && i < 7; i++)
			ok = g_ascii_isxdigit(c[i]);
		if (!ok)
			return pw_fail(err, PW_E_INVALID, "the Pin's dominant_color '%s' is not a colour like #6E7874", c);
	}
	return PW_OK;
}

const char *pw_image_content_type(const char *data, size_t len)
{
	if (len >= 3 && (guchar)data[0] == 0xFF && (guchar)data[1] == 0xD8 && (guchar)data[2] == 0xFF)
		return "image/jpeg";
	if (len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	return NULL;
}

/* The local image as Pinterest's image_base64 media source. */
static pw_code image_source(const char *path, cJSON *media, pw_error *err)
{
	GError *gerr = NULL;
	char *data = NULL, *b64;
	gsize len = 0;
	const char *type = NULL;

	GStatBuf st;

	if (g_stat(path, &st) == 0 && st.st_size > PW_PIN_IMAGE_MAX_BYTES)
		return pw_fail(err, PW_E_INVALID, "the image %s is larger than %d MiB", path,
		               PW_PIN_IMAGE_MAX_BYTES / (1024 * 1024));
	if (!g_file_get_contents(path, &data, &len, &gerr)) {
		pw_fail(err, PW_E_INVALID, "cannot read the image %s: %s", path, gerr->message);
		g_error_free(gerr);
		return PW_E_INVALID;
	}
	type = pw_image_content_type(data, len);
	if (!type || len > PW_PIN_IMAGE_MAX_BYTES) {
		g_free(data);
		if (!type)
			return pw_fail(err, PW_E_INVALID, "the image %s is neither a JPEG nor a PNG file", path);
		return pw_fail(err, PW_E_INVALID, "the image %s is larger than %d MiB", path,
		               PW_PIN_IMAGE_MAX_BYTES / (1024 * 1024));
	}
	b64 = g_base64_encode((const guchar *)data, len);
	g_free(data);
	cJSON_AddStringToObject(media, "source_type", "image_base64");
	cJSON_AddStringToObject(media, "content_type", type);
	cJSON_AddStringToObject(media, "data", b64);
	g_free(b64);
	return PW_OK;
}

static void add_optional(cJSON *obj, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(obj, key, value);
}

pw_code pw_api_create_pin(pw_api *api, const pw_api_auth *auth, const pw_pin_create *p, pw_api_pin *out,
                          pw_api_error *a, pw_error *err)
{
	cJSON *body, *media;
	char *text;
	request rq = { .method = "POST", .path = "/pins", .content_type = "application/json", .writes = true,
	               .doing = "creating the Pin" };
	response *rs;
	pw_code rc;

	memset(out, 0, sizeof *out);
	memset(a, 0, sizeof *a);
	rc = pw_pin_create_check(p, err);
	body = cJSON_CreateObject();
	media = cJSON_CreateObject();
	if (rc == PW_OK) {
		if (p->image_path) {
			rc = image_source(p->image_path, media, err);
		} else {
			cJSON_AddStringToObject(media, "source_type", "image_url");
			cJSON_AddStringToObject(media, "url", p->image_url);
		}
	}
	if (rc != PW_OK) {
		cJSON_Delete(body);
		cJSON_Delete(media);
		a->klass = PW_API_LOCAL;
		g_strlcpy(a->message, err->message, sizeof a->message);
		return rc;
	}
	cJSON_AddStringToObject(body, "board_id", p->board_id);
	add_optional(body, "board_section_id", p->board_section_id);
	add_optional(body, "title", p->title);
	add_optional(body, "description", p->description);
	add_optional(body, "link", p->link);
	add_optional(body, "alt_text", p->alt_text);
	add_optional(body, "dominant_color", p->dominant_color);
	cJSON_AddItemToObject(body, "media_source", media);
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);

	rq.body = text;
	rq.body_len = strlen(text);
	rs = response_new();
	rc = perform_authed(api, auth, &rq, rs, a, err);
	if (rc == PW_OK && pw_parse_pin(rs->body->str, rs->body->len, out, err) != PW_OK)
		rc = bad_answer(&rq, rs, a, err);
	response_free(rs, false);
	cJSON_free(text);
	return rc;
}

/* ---- the authorization page ------------------------------------------ */

char *pw_api_authorize_url(const pw_api_config *cfg, const pw_app *app, const char *scopes, const char *state)
{
	CURLU *u = curl_url();
	const char *pairs[] = { "client_id", app->client_id, "redirect_uri", app->redirect_uri,
	                        "response_type", "code", "scope", scopes, "state", state, NULL };
	char *url = NULL, *copy = NULL;

	if (curl_url_set(u, CURLUPART_URL, cfg->authorize_url, 0) == CURLUE_OK) {
		for (const char *const *p = pairs; p[0]; p += 2) {
			char *pair = g_strconcat(p[0], "=", p[1] ? p[1] : "", NULL);
			curl_url_set(u, CURLUPART_QUERY, pair, CURLU_APPENDQUERY | CURLU_URLENCODE);
			g_free(pair);
		}
		if (curl_url_get(u, CURLUPART_URL, &url, 0) == CURLUE_OK)
			copy = g_strdup(url);
	}
	curl_free(url);
	curl_url_cleanup(u);
	return copy;
}
