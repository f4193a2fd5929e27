#include "config.h"

#include "pinwarden/redirect.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <curl/curl.h>

#include "pinwarden/pinterest.h"

/* How long one connection may take to send its request. */
#define CONNECTION_READ_MS 5000

void pw_redirect_clear(pw_redirect *r)
{
	if (!r)
		return;
	pw_secret_wipe(r->code);
	g_free(r->code);
	g_free(r->state);
	g_free(r->error);
	g_free(r->error_description);
	memset(r, 0, sizeof *r);
}

/* Fills r from a query string; true when it holds a state. */
static bool from_query(const char *query, pw_redirect *r)
{
	GHashTable *params = g_uri_parse_params(query ? query : "", -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
	const char *v;

	if (!params)
		return false;
	if ((v = g_hash_table_lookup(params, "code")) && *v)
		r->code = g_strdup(v);
	if ((v = g_hash_table_lookup(params, "state")) && *v)
		r->state = g_strdup(v);
	if ((v = g_hash_table_lookup(params, "error")) && *v)
		r->error = g_strdup(v);
	if ((v = g_hash_table_lookup(params, "error_description")) && *v)
		r->error_description = g_strdup(v);
	/* The table held the code too. */
	if ((v = g_hash_table_lookup(params, "code")))
		pw_secret_wipe((char *)(guintptr)v);
	g_hash_table_unref(params);
	return r->state != NULL;
}

pw_code pw_redirect_parse_request(const char *buf, size_t len, const char *path, pw_redirect *out, pw_error *err)
{
	const char *eol, *sp1, *sp2, *q;
	char *target = NULL, *query = NULL, *decoded_path = NULL;
	size_t path_len;
	pw_code rc;

	memset(out, 0, sizeof *out);
	eol = memchr(buf, '\n', len);
	if (!eol)
		return pw_fail(err, PW_E_INVALID, "the request has no complete first line");
	/* "GET /target HTTP/1.1" */
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (!sp1)
		return pw_fail(err, PW_E_INVALID, "the request line has no target");
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1)
		return pw_fail(err, PW_E_INVALID, "the request line has no target or version");
	if ((size_t)(eol - sp2) < 9 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return pw_fail(err, PW_E_INVALID, "the request is not HTTP/1.x");
	if (sp1 - buf != 3 || memcmp(buf, "GET", 3) != 0)
		return pw_fail(err, PW_E_INVALID, "the request is not a GET");
	target = g_strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if (strlen(target) != (size_t)(sp2 - sp1 - 1) || target[0] != '/') {
		g_free(target);
		return pw_fail(err, PW_E_INVALID, "the request target is not a path");
	}
	q = strchr(target, '?');
	path_len = q ? (size_t)(q - target) : strlen(target);
	decoded_path = g_uri_unescape_segment(target, target + path_len, NULL);
	if (!decoded_path || strcmp(decoded_path, path) != 0) {
		rc = decoded_path ? PW_E_NOT_FOUND : PW_E_INVALID;
		pw_fail(err, rc, "a request for another path");
	} else {
		query = q ? g_strdup(q + 1) : NULL;
		rc = from_query(query, out) ? PW_OK : pw_fail(err, PW_E_INVALID, "the redirect carries no state");
	}
	if (rc != PW_OK)
		pw_redirect_clear(out);
	if (query)
		pw_secret_wipe(query);
	g_free(query);
	pw_secret_wipe(target);
	g_free(target);
	g_free(decoded_path);
	return rc;
}

pw_code pw_redirect_parse_url(const char *url, pw_redirect *out, pw_error *err)
{
	CURLU *u = curl_url();
	char *query = NULL;
	pw_code rc = PW_OK;

	memset(out, 0, sizeof *out);
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		rc = pw_fail(err, PW_E_INVALID,
		             "what was pasted is not a URL (check for spaces or a missing part): paste the whole address "
		             "the browser showed after approving");
	else if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK || !from_query(query, out))
		rc = pw_fail(err, PW_E_INVALID,
		             "the pasted address has no state in it: paste the whole address the browser showed after "
		             "approving, starting with the redirect URI");
	if (query)
		pw_secret_wipe(query);
	curl_free(query);
	curl_url_cleanup(u);
	if (rc != PW_OK)
		pw_redirect_clear(out);
	return rc;
}

/* ---- the listener ----------------------------------------------------- */

struct pw_listener {
	int fd;
	int port;
};

pw_code pw_listener_open(int port, pw_listener **out, pw_error *err)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	*out = NULL;
	if (port <= 0 || port > 65535)
		return pw_fail(err, PW_E_INVALID, "the redirect URI's port %d cannot be listened on", port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return pw_fail(err, PW_E_IO, "cannot open a socket: %s", g_strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0) {
		int e = errno;
		close(fd);
		return pw_fail(err, PW_E_IO,
		               "cannot listen on 127.0.0.1:%d for the approval (%s)%s; use --no-wait and finish with "
		               "'pinwarden account complete --paste URL'",
		               port, g_strerror(e),
		               e == EADDRINUSE ? ": another program, or another connection request, is using that port" : "");
	}
	*out = g_new0(pw_listener, 1);
	(*out)->fd = fd;
	(*out)->port = port;
	return PW_OK;
}

int pw_listener_fd(const pw_listener *l)
{
	return l ? l->fd : -1;
}

void pw_listener_close(pw_listener *l)
{
	if (!l)
		return;
	close(l->fd);
	g_free(l);
}

static void answer(int fd, const char *status, const char *text)
{
	char *resp = g_strdup_printf("HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	                             "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n%s",
	                             status, strlen(text), text);
	ssize_t off = 0, len = (ssize_t)strlen(resp);
	while (off < len) {
		ssize_t n = send(fd, resp + off, (size_t)(len - off), MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += n;
	}
	g_free(resp);
}

/* Reads one request head from a new connection, within its own short
 * deadline, and answers it. PW_OK with *out when it was the redirect. */
static pw_code serve_one(int fd, const char *path, pw_redirect *out)
{
	char buf[PW_REDIRECT_REQUEST_MAX + 1];
	size_t len = 0;
	gint64 until = g_get_monotonic_time() + CONNECTION_READ_MS * 1000;
	pw_error err = { 0 };
	pw_code rc;

	while (len < PW_REDIRECT_REQUEST_MAX) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)((until - g_get_monotonic_time()) / 1000);
		ssize_t n;
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return PW_E_INVALID;
		n = recv(fd, buf + len, PW_REDIRECT_REQUEST_MAX - len, 0);
		if (n <= 0)
			return PW_E_INVALID;
		len += (size_t)n;
		buf[len] = '\0';
		if (memmem(buf, len, "\r\n\r\n", 4) || memmem(buf, len, "\n\n", 2))
			break;
	}
	rc = pw_redirect_parse_request(buf, len, path, out, &err);
	memset(buf, 0, sizeof buf);
	if (rc == PW_OK && out->error)
		answer(fd, "200 OK", "pinwarden: the request was declined. You can close this window.\n");
	else if (rc == PW_OK)
		answer(fd, "200 OK", "pinwarden received the approval. You can close this window; the operator "
		                     "sees the result in their terminal.\n");
	else if (rc == PW_E_NOT_FOUND)
		answer(fd, "404 Not Found", "Not found.\n");
	else
		answer(fd, "400 Bad Request", "pinwarden: this is not the approval it is waiting for.\n");
	return rc;
}

pw_code pw_listener_wait(pw_listener *l, const char *path, gint64 deadline_us, volatile sig_atomic_t *cancel,
                         pw_redirect *out, pw_error *err)
{
	memset(out, 0, sizeof *out);
	for (;;) {
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		gint64 left = (deadline_us - g_get_monotonic_time()) / 1000;
		int n, conn;

		if (cancel && *cancel)
			return pw_fail(err, PW_E_CONFLICT, "stopped waiting for the approval");
		if (left <= 0)
			return pw_fail(err, PW_E_CONFLICT, "no approval arrived at 127.0.0.1:%d before the request expired",
			               l->port);
		/* Wake up now and then to notice a cancel. */
		n = poll(&p, 1, (int)MIN(left, 250));
		if (n < 0 && errno != EINTR)
			return pw_fail(err, PW_E_IO, "waiting for the approval failed: %s", g_strerror(errno));
		if (n <= 0)
			continue;
		conn = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			continue;
		if (serve_one(conn, path, out) == PW_OK) {
			close(conn);
			return PW_OK;
		}
		close(conn);
	}
}
