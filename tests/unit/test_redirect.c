/* The code coming back: the listener's request parser and pasted URLs. */
#include "config.h"

#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pinwarden/redirect.h"

static const char ok_request[] = "GET /callback?code=c0de&state=5ta7e HTTP/1.1\r\nHost: localhost:8085\r\n\r\n";

static void a_redirect_is_parsed(void **state)
{
	pw_redirect r;
	pw_error err = { 0 };
	(void)state;
	assert_int_equal(pw_redirect_parse_request(ok_request, strlen(ok_request), "/callback", &r, &err), PW_OK);
	assert_string_equal(r.code, "c0de");
	assert_string_equal(r.state, "5ta7e");
	assert_null(r.error);
	pw_redirect_clear(&r);
	assert_null(r.code);
}

static void other_paths_and_methods_are_not_the_redirect(void **state)
{
	static const struct { const char *req; pw_code rc; } cases[] = {
		{ "GET /favicon.ico HTTP/1.1\r\n\r\n", PW_E_NOT_FOUND },
		{ "GET /callbackX?state=s HTTP/1.1\r\n\r\n", PW_E_NOT_FOUND },
		{ "POST /callback?state=s HTTP/1.1\r\n\r\n", PW_E_INVALID },
		{ "GET /callback?code=c HTTP/1.1\r\n\r\n", PW_E_INVALID },          /* no state */
		{ "GET /callback?state=s HTTP/2\r\n\r\n", PW_E_INVALID },
		{ "GET /callback?state=s", PW_E_INVALID },                          /* no line end */
		{ "GET  HTTP/1.1\r\n\r\n", PW_E_INVALID },
		{ "GET http://evil/callback?state=s HTTP/1.1\r\n\r\n", PW_E_INVALID },
		{ "GET /call%00back?state=s HTTP/1.1\r\n\r\n", PW_E_INVALID },
	};
	pw_error err = { 0 };
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		pw_redirect r;
		pw_code rc = pw_redirect_parse_request(cases[i].req, strlen(cases[i].req), "/callback", &r, &err);
		if (rc != cases[i].rc)
			fail_msg("'%s': %d, expected %d", cases[i].req, rc, cases[i].rc);
		assert_null(r.state);
		assert_null(r.code);
	}
}

static void a_declined_approval_carries_its_error(void **state)
{
	static const char req[] = "GET /?error=access_denied&error_description=Not+now&state=ab HTTP/1.1\r\n\r\n";
	pw_redirect r;
	pw_error err = { 0 };
	(void)state;
	assert_int_equal(pw_redirect_parse_request(req, strlen(req), "/", &r, &err), PW_OK);
	assert_string_equal(r.error, "access_denied");
	assert_string_equal(r.error_description, "Not now");
	assert_null(r.code);
	pw_redirect_clear(&r);
}

static void a_pasted_url_is_parsed(void **state)
{
	pw_redirect r;
	pw_error err = { 0 };
	(void)state;
	assert_int_equal(pw_redirect_parse_url("http://localhost:8085/?code=abc%2Bdef&state=99", &r, &err), PW_OK);
	assert_string_equal(r.code, "abc+def");
	assert_string_equal(r.state, "99");
	pw_redirect_clear(&r);
	assert_int_equal(pw_redirect_parse_url("https://agency.example/cb?code=x&state=y#frag", &r, &err), PW_OK);
	pw_redirect_clear(&r);
	assert_int_equal(pw_redirect_parse_url("not a url", &r, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "paste the whole address"));
	assert_int_equal(pw_redirect_parse_url("http://localhost:8085/?code=abc", &r, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "no state"));
}

static void the_listener_binds_loopback_only_and_times_out(void **state)
{
	pw_listener *l = NULL, *second = NULL;
	pw_redirect r;
	pw_error err = { 0 };
	int port;
	(void)state;
	/* A port the kernel just handed out and closed is very likely free. */
	{
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof sa;
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
		getsockname(fd, (struct sockaddr *)&sa, &len);
		port = ntohs(sa.sin_port);
		close(fd);
	}
	assert_int_equal(pw_listener_open(port, &l, &err), PW_OK);
	/* A second listener on the same port says what to do instead. */
	assert_int_equal(pw_listener_open(port, &second, &err), PW_E_IO);
	assert_non_null(strstr(err.message, "--no-wait"));
	assert_int_equal(pw_listener_wait(l, "/", g_get_monotonic_time() + 300 * 1000, NULL, &r, &err), PW_E_CONFLICT);
	assert_non_null(strstr(err.message, "before the request expired"));
	pw_listener_close(l);
	assert_int_equal(pw_listener_open(0, &l, &err), PW_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_redirect_is_parsed),
		cmocka_unit_test(other_paths_and_methods_are_not_the_redirect),
		cmocka_unit_test(a_declined_approval_carries_its_error),
		cmocka_unit_test(a_pasted_url_is_parsed),
		cmocka_unit_test(the_listener_binds_loopback_only_and_times_out),
	};
	return cmocka_run_group_tests_name("redirect", tests, NULL, NULL);
}
