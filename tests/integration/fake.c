#include "config.h"

#include "fake.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

static char *script_path(void)
{
	const char *src = g_getenv("TESTS_SRCDIR");
	return g_build_filename(src ? src : "tests", "fake-pinterest.py", NULL);
}

fake *fake_start(void)
{
	fake *f = g_new0(fake, 1);
	char *script = script_path();
	char *argv[] = { (char *)(guintptr) "python3", script, NULL };
	GError *gerr = NULL;
	int out_fd = -1;
	char line[256] = "";
	FILE *out;
	const char *prefix = "fake-pinterest listening on ";

	if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
	                              &f->pid, NULL, &out_fd, NULL, &gerr))
		fail_msg("cannot start %s: %s", script, gerr->message);
	g_free(script);
	out = fdopen(out_fd, "r");
	if (!out || !fgets(line, sizeof line, out) || !g_str_has_prefix(line, prefix))
		fail_msg("the fake did not report its address (got '%s')", line);
	fclose(out);
	g_strchomp(line);
	f->url = g_strdup(line + strlen(prefix));
	f->api_base = g_strconcat(f->url, "/v5", NULL);
	f->authorize_url = g_strconcat(f->url, "/oauth/", NULL);
	return f;
}

void fake_stop(fake *f)
{
	if (!f)
		return;
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
	g_spawn_close_pid(f->pid);
	g_free(f->url);
	g_free(f->api_base);
	g_free(f->authorize_url);
	g_free(f);
}

static size_t collect(char *data, size_t size, size_t n, void *ud)
{
	g_string_append_len(ud, data, (gssize)(size * n));
	return size * n;
}

cJSON *fake_control(fake *f, const char *method, const char *path, const char *json_body)
{
	CURL *c = curl_easy_init();
	GString *body = g_string_new(NULL);
	char *url = g_strconcat(f->url, "/_control/", path, NULL);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	long status = 0;
	CURLcode cc;
	cJSON *json;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (json_body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (cc != CURLE_OK || status >= 300)
		fail_msg("control %s %s: %s, status %ld: %s", method, path, curl_easy_strerror(cc), status, body->str);
	json = body->len ? cJSON_Parse(body->str) : cJSON_CreateObject();
	if (!json)
		fail_msg("control %s %s answered no JSON: %s", method, path, body->str);
	g_string_free(body, TRUE);
	g_free(url);
	return json;
}

cJSON *fake_controlf(fake *f, const char *method, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *body;
	cJSON *json;
	va_start(ap, fmt);
	body = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	json = fake_control(f, method, path, body);
	g_free(body);
	return json;
}

static size_t header_location(char *data, size_t size, size_t n, void *ud)
{
	char **location = ud;
	size_t len = size * n;
	if (len > 9 && g_ascii_strncasecmp(data, "location:", 9) == 0) {
		g_free(*location);
		*location = g_strstrip(g_strndup(data + 9, len - 9));
	}
	return len;
}

static size_t discard(char *data, size_t size, size_t n, void *ud)
{
	(void)data;
	(void)ud;
	return size * n;
}

long fake_get(const char *url, char **location)
{
	CURL *c = curl_easy_init();
	long status = 0;
	*location = NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_location);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, location);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}
