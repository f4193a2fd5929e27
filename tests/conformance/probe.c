/* probe: makes every Pinterest adapter call once against a base URL, for
 * a request-validating mock of Pinterest's OpenAPI description (Stoplight
 * Prism; see prism.sh).
 *
 *     probe BASE_URL
 *
 * Prints TAP, one line per call: "ok" when the mock accepted the request
 * (a 2xx) and the adapter took the answer, "not ok" with the status and
 * message of the pw_api_error otherwise. The inputs are dummies, but well
 * formed: what is checked is the shape of the requests.
 *
 * Prism answers with bodies it generates from the description's schemas,
 * which gives two known outcomes that are not the request's fault, each
 * accepted only in its exact form and reported as a diagnostic:
 *  - a list call stops with "Pinterest sent the same page bookmark twice":
 *    the generated bookmark is always "string", so the second page names
 *    the first page's bookmark again. Reaching that point means the first
 *    two requests were answered 2xx and their bodies parsed.
 *  - a token call's 2xx body is refused with "no positive expires_in":
 *    the description has no example for expires_in and Prism fills the
 *    integer with 0. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "pinwarden/pinterest.h"
#include "pinwarden/pinterest_parse.h"

/* A 1x1 RGBA PNG. */
static const unsigned char tiny_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
	0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
	0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

#define BOARD_ID "1000000000001"
#define SECTION_ID "1000000000002"
#define PIN_ID "1000000000003"

static int tap_n, tap_failed;

enum known { KNOWN_NONE, KNOWN_BOOKMARK_TWICE, KNOWN_TOKEN_PLACEHOLDER };

/* One TAP line for a call. */
static void report(const char *what, pw_code rc, const pw_api_error *a, const pw_error *err, enum known known,
                   const char *detail)
{
	tap_n++;
	if (rc == PW_OK) {
		printf("ok %d - %s: accepted\n", tap_n, what);
		if (detail && *detail)
			printf("# %s\n", detail);
		return;
	}
	if (known == KNOWN_BOOKMARK_TWICE && rc == PW_E_API && a->http_status == 0 && a->klass == PW_API_PERMANENT &&
	    strcmp(a->message, "Pinterest sent the same page bookmark twice") == 0 && strstr(err->message, "(page 2)")) {
		printf("ok %d - %s: accepted (pages 1 and 2 answered 2xx and parsed)\n", tap_n, what);
		printf("# then, as expected of Prism's generated bookmark \"string\": %s\n", err->message);
		return;
	}
	if (known == KNOWN_TOKEN_PLACEHOLDER && rc == PW_E_API && a->http_status >= 200 && a->http_status < 300 &&
	    strstr(a->message, "has no positive expires_in")) {
		printf("ok %d - %s: accepted (HTTP %ld)\n", tap_n, what, a->http_status);
		printf("# then, as expected of Prism's generated body (expires_in 0): %s\n", err->message);
		return;
	}
	tap_failed++;
	printf("not ok %d - %s: HTTP %ld, class %s, code %ld: %s\n", tap_n, what, a->http_status,
	       pw_api_class_name(a->klass), a->code, a->message);
	printf("# %s\n", err->message);
}

static char *write_png(void)
{
	GError *gerr = NULL;
	char *path = NULL;
	int fd = g_file_open_tmp("pinwarden-probe-XXXXXX.png", &path, &gerr);

	if (fd < 0) {
		fprintf(stderr, "probe: cannot create a temporary file: %s\n", gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	close(fd);
	if (!g_file_set_contents(path, (const char *)tiny_png, sizeof tiny_png, &gerr)) {
		fprintf(stderr, "probe: cannot write %s: %s\n", path, gerr->message);
		g_error_free(gerr);
		g_free(path);
		return NULL;
	}
	return path;
}

static char *describe_pin(const pw_api_pin *p)
{
	return g_strdup_printf("Pin id=%s media_type=%s image=%s", p->id ? p->id : "(null)",
	                       p->media_type ? p->media_type : "(null)", p->image_url ? p->image_url : "(null)");
}

static void probe_tokens(pw_api *api, const pw_app *app)
{
	pw_tokens t;
	pw_api_error a;
	pw_error err = { 0 };
	pw_code rc;

	rc = pw_api_exchange_code(api, app, "dummy-authorization-code", &t, &a, &err);
	report("POST /oauth/token (authorization_code): pw_api_exchange_code", rc, &a, &err, KNOWN_TOKEN_PLACEHOLDER,
	       NULL);
	pw_tokens_clear(&t);

	pw_error_clear(&err);
	rc = pw_api_refresh(api, app, "dummy-refresh-token", &t, &a, &err);
	report("POST /oauth/token (refresh_token): pw_api_refresh", rc, &a, &err, KNOWN_TOKEN_PLACEHOLDER, NULL);
	pw_tokens_clear(&t);
}

static void probe_reads(pw_api *api, const pw_api_auth *auth)
{
	pw_api_error a;
	pw_error err = { 0 };
	pw_user_account u;
	pw_api_pin p;
	GPtrArray *list = NULL;
	char *detail;
	pw_code rc;

	rc = pw_api_user_account(api, auth, &u, &a, &err);
	detail = rc == PW_OK ? g_strdup_printf("username=%s id=%s", u.username, u.id ? u.id : "(null)") : NULL;
	report("GET /user_account: pw_api_user_account", rc, &a, &err, KNOWN_NONE, detail);
	g_free(detail);
	pw_user_account_clear(&u);

	pw_error_clear(&err);
	rc = pw_api_list_boards(api, auth, &list, &a, &err);
	detail = rc == PW_OK ? g_strdup_printf("%u board(s)", list->len) : NULL;
	report("GET /boards: pw_api_list_boards", rc, &a, &err, KNOWN_BOOKMARK_TWICE, detail);
	g_free(detail);
	if (list)
		g_ptr_array_unref(list);
	list = NULL;

	pw_error_clear(&err);
	rc = pw_api_list_sections(api, auth, BOARD_ID, &list, &a, &err);
	detail = rc == PW_OK ? g_strdup_printf("%u section(s)", list->len) : NULL;
	report("GET /boards/{board_id}/sections: pw_api_list_sections", rc, &a, &err, KNOWN_BOOKMARK_TWICE, detail);
	g_free(detail);
	if (list)
		g_ptr_array_unref(list);
	list = NULL;

	pw_error_clear(&err);
	rc = pw_api_list_board_pins(api, auth, BOARD_ID, 1, &list, &a, &err);
	detail = rc == PW_OK ? g_strdup_printf("%u Pin(s)", list->len) : NULL;
	report("GET /boards/{board_id}/pins (max_items 1): pw_api_list_board_pins", rc, &a, &err,
	       KNOWN_BOOKMARK_TWICE, detail);
	g_free(detail);
	if (list)
		g_ptr_array_unref(list);

	pw_error_clear(&err);
	rc = pw_api_get_pin(api, auth, PIN_ID, &p, &a, &err);
	detail = rc == PW_OK ? describe_pin(&p) : NULL;
	report("GET /pins/{pin_id}: pw_api_get_pin", rc, &a, &err, KNOWN_NONE, detail);
	g_free(detail);
	pw_api_pin_clear(&p);
}

static void probe_create(pw_api *api, const pw_api_auth *auth, const char *png)
{
	pw_pin_create pin = {
		.board_id = BOARD_ID,
		.board_section_id = SECTION_ID,
		.title = "A dummy Pin \xe2\x80\x94 conformance probe",
		.description = "Made by pinwarden's conformance probe against a mock.",
		.link = "https://example.com/products/1?ref=pinwarden",
		.alt_text = "A single transparent pixel",
		.dominant_color = "#3A7D44",
		.image_url = "https://example.com/images/pixel.png",
	};
	pw_api_error a;
	pw_error err = { 0 };
	pw_api_pin p;
	char *detail;
	pw_code rc;

	rc = pw_api_create_pin(api, auth, &pin, &p, &a, &err);
	detail = rc == PW_OK ? describe_pin(&p) : NULL;
	report("POST /pins (image_url): pw_api_create_pin", rc, &a, &err, KNOWN_NONE, detail);
	g_free(detail);
	pw_api_pin_clear(&p);

	pin.image_url = NULL;
	pin.image_path = png;
	pin.board_section_id = NULL;
	pin.dominant_color = NULL;
	pw_error_clear(&err);
	if (png) {
		rc = pw_api_create_pin(api, auth, &pin, &p, &a, &err);
	} else {
		memset(&a, 0, sizeof a);
		rc = pw_fail(&err, PW_E_IO, "no PNG file to send");
		g_strlcpy(a.message, err.message, sizeof a.message);
	}
	detail = rc == PW_OK ? describe_pin(&p) : NULL;
	report("POST /pins (image_base64, PNG): pw_api_create_pin", rc, &a, &err, KNOWN_NONE, detail);
	g_free(detail);
	pw_api_pin_clear(&p);
}

int main(int argc, char **argv)
{
	pw_api_config cfg = { 0 };
	pw_app app = {
		.client_id = "1234567",
		.client_secret = "dummy-client-secret",
		.redirect_uri = "http://localhost:8085/",
		.continuous_refresh = true,
	};
	pw_api_auth auth = { .access_token = "dummy-access-token" };
	pw_api *api = NULL;
	pw_error err = { 0 };
	char *png;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
		return 2;
	}
	cfg.api_base = g_strdup(argv[1]);
	while (g_str_has_suffix(cfg.api_base, "/"))
		cfg.api_base[strlen(cfg.api_base) - 1] = '\0';
	cfg.authorize_url = g_strdup("http://127.0.0.1/oauth/");
	cfg.connect_timeout_ms = 5000;
	cfg.timeout_ms = 30000;
	cfg.max_pages = 5;
	if (pw_api_new(&cfg, &api, &err) != PW_OK) {
		printf("not ok 1 - pw_api_new: %s\n1..1\n", err.message);
		pw_api_config_clear(&cfg);
		return 1;
	}
	png = write_png();

	probe_tokens(api, &app);
	probe_reads(api, &auth);
	probe_create(api, &auth, png);
	printf("# %u connection(s) opened\n", pw_api_connections(api));

	if (png) {
		unlink(png);
		g_free(png);
	}
	pw_api_free(api);
	pw_api_config_clear(&cfg);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
