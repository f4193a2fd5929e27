/* The Pinterest adapter against the fake Pinterest: every call, every
 * fault, and the classification the layers above rely on. */
#include "config.h"

#include "../unit/helpers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fake.h"
#include "pinwarden/pinterest.h"

#define SECRET "fake-app-secret"
#define REDIRECT "http://localhost:8085/"

static fake *F;

typedef struct ctx {
	pw_api_config cfg;
	pw_api *api;
	pw_app app;
	pw_tokens tokens;
	pw_api_auth auth;
	char *board_id;     /* "Spring" of user "shop_official" */
	char *section_id;
	int refreshes;      /* calls of the refresh callback */
} ctx;

static int group_setup(void **state)
{
	(void)state;
	F = fake_start();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	fake_stop(F);
	return 0;
}

static const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A fresh fake with one user and two boards, and tokens minted for it. */
static int setup(void **state)
{
	ctx *c = g_new0(ctx, 1);
	pw_error err = { 0 };
	cJSON *user, *boards, *tokens;

	cJSON_Delete(fake_control(F, "POST", "reset", NULL));
	user = fake_control(F, "POST", "users",
	                    "{\"username\": \"shop_official\", \"account_type\": \"BUSINESS\", \"business_name\": \"Shop\","
	                    " \"boards\": [{\"name\": \"Spring\", \"sections\": [\"Looks\", \"Details\"]},"
	                    " {\"name\": \"Secret plans\", \"privacy\": \"SECRET\"}]}");
	boards = cJSON_GetObjectItem(user, "boards");
	c->board_id = g_strdup(json_str(cJSON_GetArrayItem(boards, 0), "id"));
	c->section_id = g_strdup(json_str(
		cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(boards, 0), "sections"), 0), "id"));
	cJSON_Delete(user);
	tokens = fake_control(F, "POST", "tokens", "{\"username\": \"shop_official\"}");
	c->tokens.access_token = g_strdup(json_str(tokens, "access_token"));
	c->tokens.refresh_token = g_strdup(json_str(tokens, "refresh_token"));
	cJSON_Delete(tokens);

	c->cfg.api_base = F->api_base;
	c->cfg.authorize_url = F->authorize_url;
	c->cfg.connect_timeout_ms = 2000;
	c->cfg.timeout_ms = 3000;
	c->cfg.max_pages = 100;
	assert_int_equal(pw_api_new(&c->cfg, &c->api, &err), PW_OK);
	c->app = (pw_app){ .client_id = "1234567", .client_secret = SECRET, .redirect_uri = REDIRECT };
	c->auth.access_token = c->tokens.access_token;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	ctx *c = *state;
	pw_api_free(c->api);
	pw_tokens_clear(&c->tokens);
	g_free(c->board_id);
	g_free(c->section_id);
	g_free(c);
	return 0;
}

static int pins_recorded(void)
{
	cJSON *pins = fake_control(F, "GET", "pins", NULL);
	int n = cJSON_GetObjectItem(pins, "count")->valueint;
	cJSON_Delete(pins);
	return n;
}

static void fault(const char *json)
{
	cJSON_Delete(fake_control(F, "POST", "faults", json));
}

/* ---- OAuth ------------------------------------------------------------ */

/* Plays the client's browser: the authorization page answers with a
 * redirect carrying code and state. */
static char *approve(ctx *c, const char *state_value, const char *as_user)
{
	char *url = pw_api_authorize_url(&c->cfg, &c->app, "boards:read,pins:read,pins:write,user_accounts:read",
	                                 state_value);
	char *with_user = g_strconcat(url, "&approve_as=", as_user, NULL);
	char *location = NULL, *code = NULL;
	long status = fake_get(with_user, &location);
	CURLU *u;
	char *query = NULL;

	assert_int_equal(status, 302);
	assert_non_null(location);
	assert_true(g_str_has_prefix(location, REDIRECT));
	u = curl_url();
	assert_int_equal(curl_url_set(u, CURLUPART_URL, location, 0), CURLUE_OK);
	assert_int_equal(curl_url_get(u, CURLUPART_QUERY, &query, 0), CURLUE_OK);
	{
		GHashTable *params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
		assert_string_equal(g_hash_table_lookup(params, "state"), state_value);
		code = g_strdup(g_hash_table_lookup(params, "code"));
		g_hash_table_unref(params);
	}
	curl_free(query);
	curl_url_cleanup(u);
	g_free(location);
	g_free(with_user);
	g_free(url);
	assert_non_null(code);
	return code;
}

static void the_authorization_code_becomes_tokens(void **state)
{
	ctx *c = *state;
	pw_tokens t;
	pw_api_error a;
	pw_error err = { 0 };
	char *code = approve(c, "s7a7e-with spaces&symbols", "shop_official");
	cJSON *requests, *last, *form;

	assert_int_equal(pw_api_exchange_code(c->api, &c->app, code, &t, &a, &err), PW_OK);
	assert_true(g_str_has_prefix(t.access_token, "pina_"));
	assert_non_null(t.refresh_token);
	assert_true(t.expires_in > 0);
	assert_true(t.refresh_token_expires_in > 0);
	assert_string_equal(t.response_type, "authorization_code");

	/* Form-encoded, with the app's credentials in HTTP Basic. */
	requests = fake_control(F, "GET", "requests?path=/v5/oauth/token", NULL);
	last = cJSON_GetArrayItem(cJSON_GetObjectItem(requests, "items"),
	                          cJSON_GetArraySize(cJSON_GetObjectItem(requests, "items")) - 1);
	assert_string_equal(json_str(last, "authorization"), "basic");
	assert_true(g_str_has_prefix(json_str(last, "content_type"), "application/x-www-form-urlencoded"));
	form = cJSON_GetObjectItem(last, "body_form");
	assert_string_equal(json_str(form, "grant_type"), "authorization_code");
	assert_string_equal(json_str(form, "redirect_uri"), REDIRECT);
	cJSON_Delete(requests);

	/* A code works once. */
	pw_tokens_clear(&t);
	assert_int_equal(pw_api_exchange_code(c->api, &c->app, code, &t, &a, &err), PW_E_API);
	assert_int_equal(a.klass, PW_API_PERMANENT);
	assert_int_equal(a.http_status, 400);
	assert_null(strstr(err.message, code));
	g_free(code);
}

static void a_wrong_client_secret_is_an_auth_failure(void **state)
{
	ctx *c = *state;
	pw_app wrong = c->app;
	pw_tokens t;
	pw_api_error a;
	pw_error err = { 0 };
	char *code = approve(c, "state-2", "shop_official");

	wrong.client_secret = "not-the-secret";
	assert_int_equal(pw_api_exchange_code(c->api, &wrong, code, &t, &a, &err), PW_E_API);
	assert_int_equal(a.http_status, 401);
	assert_int_equal(a.klass, PW_API_AUTH);
	assert_null(strstr(err.message, "not-the-secret"));
	g_free(code);
}

static void every_refresh_rotates_the_refresh_token(void **state)
{
	ctx *c = *state;
	pw_tokens first, second;
	pw_api_error a;
	pw_error err = { 0 };

	assert_int_equal(pw_api_refresh(c->api, &c->app, c->tokens.refresh_token, &first, &a, &err), PW_OK);
	assert_non_null(first.refresh_token);
	assert_string_not_equal(first.refresh_token, c->tokens.refresh_token);
	assert_string_equal(first.response_type, "refresh_token");
	assert_true(first.refresh_token_expires_at > 0);
	/* The old refresh token no longer works. */
	assert_int_equal(pw_api_refresh(c->api, &c->app, c->tokens.refresh_token, &second, &a, &err), PW_E_API);
	assert_int_equal(a.klass, PW_API_PERMANENT);
	/* The new one does, once. */
	assert_int_equal(pw_api_refresh(c->api, &c->app, first.refresh_token, &second, &a, &err), PW_OK);
	pw_tokens_clear(&first);
	pw_tokens_clear(&second);
}

static void continuous_refresh_is_asked_for_when_set(void **state)
{
	ctx *c = *state;
	pw_tokens t;
	pw_api_error a;
	pw_error err = { 0 };
	cJSON *requests, *items, *form;

	c->app.continuous_refresh = true;
	assert_int_equal(pw_api_refresh(c->api, &c->app, c->tokens.refresh_token, &t, &a, &err), PW_OK);
	requests = fake_control(F, "GET", "requests?path=/v5/oauth/token", NULL);
	items = cJSON_GetObjectItem(requests, "items");
	form = cJSON_GetObjectItem(cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1), "body_form");
	assert_string_equal(json_str(form, "continuous_refresh"), "true");
	assert_string_equal(json_str(form, "grant_type"), "refresh_token");
	cJSON_Delete(requests);
	pw_tokens_clear(&t);
}

/* ---- reads ------------------------------------------------------------ */

static void the_user_account_is_read(void **state)
{
	ctx *c = *state;
	pw_user_account u;
	pw_api_error a;
	pw_error err = { 0 };

	assert_int_equal(pw_api_user_account(c->api, &c->auth, &u, &a, &err), PW_OK);
	assert_string_equal(u.username, "shop_official");
	assert_string_equal(u.account_type, "BUSINESS");
	assert_non_null(u.id);
	pw_user_account_clear(&u);
}

static void every_page_of_boards_is_followed(void **state)
{
	ctx *c = *state;
	GPtrArray *boards = NULL;
	pw_api_error a;
	pw_error err = { 0 };
	cJSON *requests;

	cJSON_Delete(fake_control(F, "POST", "users", "{\"username\": \"big_account\", \"board_count\": 600}"));
	{
		cJSON *t = fake_control(F, "POST", "tokens", "{\"username\": \"big_account\"}");
		pw_api_auth auth = { .access_token = json_str(t, "access_token") };
		cJSON_Delete(fake_control(F, "DELETE", "requests", NULL));
		assert_int_equal(pw_api_list_boards(c->api, &auth, &boards, &a, &err), PW_OK);
		cJSON_Delete(t);
	}
	assert_int_equal(boards->len, 600);
	assert_string_equal(((pw_api_board *)g_ptr_array_index(boards, 0))->name, "Board 1");
	requests = fake_control(F, "GET", "requests?path=/v5/boards", NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(requests, "items")), 3);
	assert_non_null(strstr(json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(requests, "items"), 0), "query"),
	                       "page_size=250"));
	cJSON_Delete(requests);
	g_ptr_array_unref(boards);

	/* One connection served every request. */
	assert_int_equal(pw_api_connections(c->api), 1);
}

static void a_repeated_bookmark_stops_instead_of_looping(void **state)
{
	ctx *c = *state;
	GPtrArray *boards = NULL;
	pw_api_error a;
	pw_error err = { 0 };

	fault("{\"path\": \"/v5/boards\", \"count\": 5, \"status\": 200,"
	      " \"body\": {\"items\": [{\"id\": \"1\", \"name\": \"Loop\"}], \"bookmark\": \"again\"}}");
	assert_int_equal(pw_api_list_boards(c->api, &c->auth, &boards, &a, &err), PW_E_API);
	assert_null(boards);
	assert_non_null(strstr(err.message, "same page bookmark twice"));
	cJSON_Delete(fake_control(F, "DELETE", "faults", NULL));
}

static void a_page_limit_stops_a_list(void **state)
{
	ctx *c = *state;
	GPtrArray *boards = NULL;
	pw_api_error a;
	pw_error err = { 0 };
	pw_api *small;
	pw_api_config cfg = c->cfg;
	cJSON *t;

	cfg.max_pages = 2;
	assert_int_equal(pw_api_new(&cfg, &small, &err), PW_OK);
	cJSON_Delete(fake_control(F, "POST", "users", "{\"username\": \"many_boards\", \"board_count\": 600}"));
	t = fake_control(F, "POST", "tokens", "{\"username\": \"many_boards\"}");
	{
		pw_api_auth auth = { .access_token = json_str(t, "access_token") };
		assert_int_equal(pw_api_list_boards(small, &auth, &boards, &a, &err), PW_E_API);
	}
	assert_non_null(strstr(err.message, "after 2 pages"));
	cJSON_Delete(t);
	pw_api_free(small);
}

static void sections_and_board_pins_are_listed(void **state)
{
	ctx *c = *state;
	GPtrArray *list = NULL;
	pw_api_error a;
	pw_error err = { 0 };
	pw_pin_create pin = { .board_id = c->board_id, .title = "One", .image_url = "https://img.example/1.jpg" };
	pw_api_pin made;

	assert_int_equal(pw_api_list_sections(c->api, &c->auth, c->board_id, &list, &a, &err), PW_OK);
	assert_int_equal(list->len, 2);
	assert_string_equal(((pw_api_section *)g_ptr_array_index(list, 0))->name, "Looks");
	g_ptr_array_unref(list);

	for (int i = 0; i < 3; i++) {
		assert_int_equal(pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err), PW_OK);
		pw_api_pin_clear(&made);
	}
	assert_int_equal(pw_api_list_board_pins(c->api, &c->auth, c->board_id, 2, &list, &a, &err), PW_OK);
	assert_int_equal(list->len, 2);
	g_ptr_array_unref(list);
	assert_int_equal(pw_api_list_board_pins(c->api, &c->auth, c->board_id, 0, &list, &a, &err), PW_OK);
	assert_int_equal(list->len, 3);
	g_ptr_array_unref(list);

	assert_int_equal(pw_api_list_sections(c->api, &c->auth, "12; DROP", &list, &a, &err), PW_E_INVALID);
	assert_int_equal(a.klass, PW_API_LOCAL);
}

/* ---- publishing ------------------------------------------------------- */

static void a_pin_is_published_once_with_every_field(void **state)
{
	ctx *c = *state;
	pw_pin_create pin = { .board_id = c->board_id, .board_section_id = c->section_id, .title = "Spring look \xf0\x9f\x8c\xb8",
	                      .description = "Light jackets", .link = "https://shop.example/spring?x=1&y=2",
	                      .alt_text = "A jacket on a hanger", .dominant_color = "#6E7874",
	                      .image_url = "https://img.shop.example/spring.jpg" };
	pw_api_pin made, again;
	pw_api_error a;
	pw_error err = { 0 };
	cJSON *pins, *request, *media;

	assert_int_equal(pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err), PW_OK);
	assert_non_null(made.id);
	assert_string_equal(made.board_id, c->board_id);
	assert_string_equal(made.title, pin.title);
	assert_int_equal(pins_recorded(), 1);

	pins = fake_control(F, "GET", "pins", NULL);
	request = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(pins, "items"), 0), "request");
	assert_string_equal(json_str(request, "link"), pin.link);
	assert_string_equal(json_str(request, "board_section_id"), c->section_id);
	assert_string_equal(json_str(request, "alt_text"), pin.alt_text);
	media = cJSON_GetObjectItem(request, "media_source");
	assert_string_equal(json_str(media, "source_type"), "image_url");
	assert_string_equal(json_str(media, "url"), pin.image_url);
	cJSON_Delete(pins);

	assert_int_equal(pw_api_get_pin(c->api, &c->auth, made.id, &again, &a, &err), PW_OK);
	assert_string_equal(again.id, made.id);
	assert_string_equal(again.link, pin.link);
	pw_api_pin_clear(&again);
	pw_api_pin_clear(&made);
}

static void a_local_png_is_sent_as_base64(void **state)
{
	ctx *c = *state;
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
	                                     0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0 };
	char *dir = test_tempdir();
	char *path = g_build_filename(dir, "tiny.png", NULL);
	char *text = g_build_filename(dir, "notes.txt", NULL);
	pw_pin_create pin = { .board_id = c->board_id, .title = "Local", .image_path = path };
	pw_api_pin made;
	pw_api_error a;
	pw_error err = { 0 };
	cJSON *pins, *media;

	assert_true(g_file_set_contents(path, (const char *)png, sizeof png, NULL));
	assert_int_equal(pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err), PW_OK);
	pw_api_pin_clear(&made);
	pins = fake_control(F, "GET", "pins", NULL);
	media = cJSON_GetObjectItem(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(pins, "items"), 0), "request"), "media_source");
	assert_string_equal(json_str(media, "source_type"), "image_base64");
	assert_string_equal(json_str(media, "content_type"), "image/png");
	{
		gsize len = 0;
		guchar *back = g_base64_decode(json_str(media, "data"), &len);
		assert_int_equal(len, sizeof png);
		assert_memory_equal(back, png, sizeof png);
		g_free(back);
	}
	cJSON_Delete(pins);

	/* Not an image: refused before anything is sent. */
	assert_true(g_file_set_contents(text, "hello", -1, NULL));
	pin.image_path = text;
	assert_int_equal(pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "neither a JPEG nor a PNG"));
	assert_int_equal(pins_recorded(), 1);
	test_rmtree(dir);
	g_free(path);
	g_free(text);
	g_free(dir);
}

static void limits_are_checked_in_characters_before_sending(void **state)
{
	ctx *c = *state;
	GString *title = g_string_new(NULL);
	pw_pin_create pin = { .board_id = c->board_id, .image_url = "https://img.example/a.jpg" };
	pw_api_pin made;
	pw_api_error a;
	pw_error err = { 0 };

	/* 100 two-byte characters: 200 bytes, within the limit. */
	for (int i = 0; i < 100; i++)
		g_string_append(title, "\xc3\xa9");
	pin.title = title->str;
	assert_int_equal(pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err), PW_OK);
	pw_api_pin_clear(&made);
	g_string_append(title, "x");
	assert_int_equal(pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err), PW_E_INVALID);
	assert_int_equal(a.klass, PW_API_LOCAL);
	assert_non_null(strstr(err.message, "title is 101 characters long; Pinterest's limit is 100"));

	pin.title = "ok";
	pin.board_id = "12a";
	assert_int_equal(pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "board_id"));
	pin.board_id = c->board_id;
	pin.link = "javascript:alert(1)";
	assert_int_equal(pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "link"));
	pin.link = NULL;
	pin.image_path = "/tmp/also.png";
	assert_int_equal(pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "exactly one image"));
	assert_int_equal(pins_recorded(), 1);
	g_string_free(title, TRUE);
}

/* ---- faults and their classes ----------------------------------------- */

typedef struct fault_case {
	const char *fault;     /* JSON for /_control/faults */
	pw_api_class klass;
	long status;
	bool maybe_done;
	const char *says;
} fault_case;

static void check_fault_on_create(ctx *c, const fault_case *fc)
{
	pw_pin_create pin = { .board_id = c->board_id, .title = "Faulty", .image_url = "https://img.example/f.jpg" };
	pw_api_pin made;
	pw_api_error a;
	pw_error err = { 0 };

	fault(fc->fault);
	if (pw_api_create_pin(c->api, &c->auth, &pin, &made, &a, &err) != PW_E_API)
		fail_msg("%s: the call did not fail", fc->fault);
	if (a.klass != fc->klass || a.http_status != fc->status || a.maybe_done != fc->maybe_done)
		fail_msg("%s: class %s status %ld maybe_done %d (%s)", fc->fault, pw_api_class_name(a.klass), a.http_status,
		         a.maybe_done, err.message);
	if (fc->says && !strstr(err.message, fc->says))
		fail_msg("%s: the message '%s' lacks '%s'", fc->fault, err.message, fc->says);
	cJSON_Delete(fake_control(F, "DELETE", "faults", NULL));
}

static void faults_are_classified(void **state)
{
	ctx *c = *state;
	static const fault_case cases[] = {
		{ "{\"path\": \"/v5/pins\", \"status\": 503}", PW_API_TRANSIENT, 503, false, "503" },
		{ "{\"path\": \"/v5/pins\", \"status\": 500}", PW_API_TRANSIENT, 500, true, NULL },
		{ "{\"path\": \"/v5/pins\", \"status\": 429, \"body\": {\"code\": 8, \"message\": \"Too many requests\"}}",
		  PW_API_TRANSIENT, 429, false, "Too many requests" },
		{ "{\"path\": \"/v5/pins\", \"status\": 429, \"body\": {\"code\": 8, \"message\": \"Blocked as spam\"}}",
		  PW_API_PERMANENT, 429, false, "spam" },
		{ "{\"path\": \"/v5/pins\", \"status\": 400, \"body\": {\"code\": 1, \"message\": \"Invalid board\"}}",
		  PW_API_PERMANENT, 400, false, "(code 1)" },
		{ "{\"path\": \"/v5/pins\", \"status\": 403}", PW_API_PERMANENT, 403, false, NULL },
		{ "{\"path\": \"/v5/pins\", \"status\": 404}", PW_API_PERMANENT, 404, false, NULL },
		{ "{\"path\": \"/v5/pins\", \"delay_ms\": 4500}", PW_API_TRANSIENT, 0, true, "timed out" },
		{ "{\"path\": \"/v5/pins\", \"action\": \"close\"}", PW_API_TRANSIENT, 0, true, "no answer" },
		{ "{\"path\": \"/v5/pins\", \"action\": \"close_mid_body\"}", PW_API_TRANSIENT, 0, true, NULL },
		{ "{\"path\": \"/v5/pins\", \"action\": \"malformed\"}", PW_API_TRANSIENT, 200, true, "not valid JSON" },
		{ "{\"path\": \"/v5/pins\", \"action\": \"truncated\"}", PW_API_TRANSIENT, 200, true, "not valid JSON" },
		{ "{\"path\": \"/v5/pins\", \"action\": \"expire_token\"}", PW_API_AUTH, 401, false, NULL },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		check_fault_on_create(c, &cases[i]);
}

static void the_request_id_comes_with_a_failure(void **state)
{
	ctx *c = *state;
	pw_user_account u;
	pw_api_error a;
	pw_error err = { 0 };

	fault("{\"path\": \"/v5/user_account\", \"status\": 502}");
	assert_int_equal(pw_api_user_account(c->api, &c->auth, &u, &a, &err), PW_E_API);
	assert_true(strlen(a.request_id) > 0);
	assert_non_null(strstr(err.message, a.request_id));
	/* A read that failed is not a write that may have happened. */
	assert_false(a.maybe_done);
}

static char *refresh_once(void *ud, pw_error *err)
{
	ctx *c = ud;
	cJSON *t;
	char *fresh;
	(void)err;
	c->refreshes++;
	t = fake_control(F, "POST", "tokens", "{\"username\": \"shop_official\"}");
	fresh = g_strdup(json_str(t, "access_token"));
	cJSON_Delete(t);
	return fresh;
}

static void a_401_refreshes_once_and_retries(void **state)
{
	ctx *c = *state;
	pw_api_auth auth = { .access_token = c->tokens.access_token, .refresh = refresh_once, .ud = c };
	pw_user_account u;
	pw_api_error a;
	pw_error err = { 0 };

	cJSON_Delete(fake_controlf(F, "POST", "expire", "{\"access_token\": \"%s\"}", c->tokens.access_token));
	assert_int_equal(pw_api_user_account(c->api, &auth, &u, &a, &err), PW_OK);
	assert_int_equal(c->refreshes, 1);
	assert_string_equal(u.username, "shop_official");
	pw_user_account_clear(&u);

	/* Refused again after the refresh: one retry only, then AUTH. */
	c->refreshes = 0;
	fault("{\"path\": \"/v5/user_account\", \"count\": 3, \"status\": 401}");
	assert_int_equal(pw_api_user_account(c->api, &auth, &u, &a, &err), PW_E_API);
	assert_int_equal(a.klass, PW_API_AUTH);
	assert_int_equal(c->refreshes, 1);
	cJSON_Delete(fake_control(F, "DELETE", "faults", NULL));
}

static void a_rate_limit_answers_429_as_transient(void **state)
{
	ctx *c = *state;
	pw_user_account u;
	pw_api_error a;
	pw_error err = { 0 };
	bool limited = false;

	cJSON_Delete(fake_control(F, "POST", "rate_limit", "{\"per_second\": 2}"));
	for (int i = 0; i < 10 && !limited; i++) {
		if (pw_api_user_account(c->api, &c->auth, &u, &a, &err) == PW_OK)
			pw_user_account_clear(&u);
		else
			limited = a.http_status == 429;
	}
	assert_true(limited);
	assert_int_equal(a.klass, PW_API_TRANSIENT);
	assert_true(a.rate_limited);
	cJSON_Delete(fake_control(F, "POST", "rate_limit", "{\"per_second\": null}"));
}

static void no_server_is_transient_and_not_maybe_done(void **state)
{
	ctx *c = *state;
	pw_api_config cfg = c->cfg;
	pw_api *api;
	pw_pin_create pin = { .board_id = c->board_id, .title = "t", .image_url = "https://img.example/a.jpg" };
	pw_api_pin made;
	pw_api_error a;
	pw_error err = { 0 };
	int fd;
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	char base[64];

	/* A port that was free a moment ago and has nothing listening. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(base, sizeof base, "http://127.0.0.1:%d/v5", ntohs(sa.sin_port));
	close(fd);
	cfg.api_base = base;
	assert_int_equal(pw_api_new(&cfg, &api, &err), PW_OK);
	assert_int_equal(pw_api_create_pin(api, &c->auth, &pin, &made, &a, &err), PW_E_API);
	assert_int_equal(a.klass, PW_API_TRANSIENT);
	assert_false(a.maybe_done);
	assert_non_null(strstr(err.message, "cannot connect"));
	pw_api_free(api);
}

/* ---- secrets ---------------------------------------------------------- */

static void secrets_never_reach_the_trace_or_messages(void **state)
{
	ctx *c = *state;
	char *dir = test_tempdir();
	char *trace_path = g_build_filename(dir, "trace", NULL);
	int saved = dup(STDERR_FILENO);
	int fd = open(trace_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pw_api *traced;
	pw_tokens t;
	pw_user_account u;
	pw_api_error a;
	pw_error err = { 0 };
	char *trace = NULL;
	char *code = approve(c, "trace-state", "shop_official");
	char *access = NULL, *refresh = NULL;

	g_setenv("PINWARDEN_HTTP_TRACE", "1", TRUE);
	assert_int_equal(pw_api_new(&c->cfg, &traced, &err), PW_OK);
	g_unsetenv("PINWARDEN_HTTP_TRACE");
	assert_true(fd >= 0);
	dup2(fd, STDERR_FILENO);
	assert_int_equal(pw_api_exchange_code(traced, &c->app, code, &t, &a, &err), PW_OK);
	{
		pw_api_auth auth = { .access_token = t.access_token };
		assert_int_equal(pw_api_user_account(traced, &auth, &u, &a, &err), PW_OK);
		pw_user_account_clear(&u);
	}
	access = g_strdup(t.access_token);
	refresh = g_strdup(t.refresh_token);
	pw_tokens_clear(&t);
	/* And a failing refresh, whose message must not carry the token. */
	assert_int_equal(pw_api_refresh(traced, &c->app, "pinr_bogus_secret_value", &t, &a, &err), PW_E_API);
	assert_null(strstr(err.message, "pinr_bogus_secret_value"));
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);

	assert_true(g_file_get_contents(trace_path, &trace, NULL, NULL));
	assert_non_null(strstr(trace, "User-Agent: pinwarden/"));
	assert_non_null(strstr(trace, "Authorization: <redacted>"));
	assert_null(strstr(trace, SECRET));
	assert_null(strstr(trace, access));
	assert_null(strstr(trace, refresh));
	assert_null(strstr(trace, code));
	assert_null(strstr(trace, "pinr_bogus_secret_value"));
	pw_tokens_clear(&t);
	pw_api_free(traced);
	test_rmtree(dir);
	g_free(trace);
	g_free(trace_path);
	g_free(dir);
	g_free(access);
	g_free(refresh);
	g_free(code);
}

/* ---- configuration ---------------------------------------------------- */

static void the_base_url_is_one_setting(void **state)
{
	char *dir = test_tempdir();
	char *conf_dir = g_build_filename(dir, "pinwarden", NULL);
	char *conf = g_build_filename(conf_dir, "config", NULL);
	pw_settings s;
	pw_api_config cfg;
	pw_error err = { 0 };
	(void)state;

	g_setenv("XDG_CONFIG_HOME", dir, TRUE);
	g_mkdir_with_parents(conf_dir, 0700);
	g_unsetenv("PINWARDEN_API_BASE");
	g_unsetenv("PINWARDEN_AUTHORIZE_URL");

	assert_true(g_file_set_contents(conf, "", -1, NULL));
	assert_int_equal(pw_settings_load(&s, "/tmp/x", &err), PW_OK);
	assert_int_equal(pw_api_config_load(&s, &cfg, &err), PW_OK);
	assert_string_equal(cfg.api_base, PW_API_BASE_DEFAULT);
	pw_api_config_clear(&cfg);
	pw_settings_clear(&s);

	assert_true(g_file_set_contents(conf, "[pinterest]\nsandbox = true\n", -1, NULL));
	assert_int_equal(pw_settings_load(&s, "/tmp/x", &err), PW_OK);
	assert_int_equal(pw_api_config_load(&s, &cfg, &err), PW_OK);
	assert_string_equal(cfg.api_base, PW_API_BASE_SANDBOX);
	pw_api_config_clear(&cfg);

	g_setenv("PINWARDEN_API_BASE", "http://127.0.0.1:9/v5/", TRUE);
	assert_int_equal(pw_api_config_load(&s, &cfg, &err), PW_OK);
	assert_string_equal(cfg.api_base, "http://127.0.0.1:9/v5");
	pw_api_config_clear(&cfg);

	g_setenv("PINWARDEN_API_BASE", "http://api.example.com/v5", TRUE);
	assert_int_equal(pw_api_config_load(&s, &cfg, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "must use https"));
	g_unsetenv("PINWARDEN_API_BASE");
	pw_settings_clear(&s);

	assert_true(g_file_set_contents(conf, "[pinterest]\nca_file = /nonexistent/ca.pem\n", -1, NULL));
	assert_int_equal(pw_settings_load(&s, "/tmp/x", &err), PW_OK);
	assert_int_equal(pw_api_config_load(&s, &cfg, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "ca_file"));
	pw_settings_clear(&s);

	assert_true(g_file_set_contents(conf, "[pinterest]\ntimeout_ms = forever\n", -1, NULL));
	assert_int_equal(pw_settings_load(&s, "/tmp/x", &err), PW_OK);
	assert_int_equal(pw_api_config_load(&s, &cfg, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "timeout_ms"));
	pw_settings_clear(&s);

	g_unsetenv("XDG_CONFIG_HOME");
	test_rmtree(dir);
	g_free(conf);
	g_free(conf_dir);
	g_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_authorization_code_becomes_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(a_wrong_client_secret_is_an_auth_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(every_refresh_rotates_the_refresh_token, setup, teardown),
		cmocka_unit_test_setup_teardown(continuous_refresh_is_asked_for_when_set, setup, teardown),
		cmocka_unit_test_setup_teardown(the_user_account_is_read, setup, teardown),
		cmocka_unit_test_setup_teardown(every_page_of_boards_is_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_repeated_bookmark_stops_instead_of_looping, setup, teardown),
		cmocka_unit_test_setup_teardown(a_page_limit_stops_a_list, setup, teardown),
		cmocka_unit_test_setup_teardown(sections_and_board_pins_are_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_pin_is_published_once_with_every_field, setup, teardown),
		cmocka_unit_test_setup_teardown(a_local_png_is_sent_as_base64, setup, teardown),
		cmocka_unit_test_setup_teardown(limits_are_checked_in_characters_before_sending, setup, teardown),
		cmocka_unit_test_setup_teardown(faults_are_classified, setup, teardown),
		cmocka_unit_test_setup_teardown(the_request_id_comes_with_a_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(a_401_refreshes_once_and_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(a_rate_limit_answers_429_as_transient, setup, teardown),
		cmocka_unit_test_setup_teardown(no_server_is_transient_and_not_maybe_done, setup, teardown),
		cmocka_unit_test_setup_teardown(secrets_never_reach_the_trace_or_messages, setup, teardown),
		cmocka_unit_test(the_base_url_is_one_setting),
	};
	return cmocka_run_group_tests_name("pinterest adapter", tests, group_setup, group_teardown);
}
