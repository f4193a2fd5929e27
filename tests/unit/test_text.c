/* Text rules, domain rules and the time forms people type. */
#include "config.h"

#include "helpers.h"

#include <string.h>

#include "pinwarden/domains.h"
#include "pinwarden/text.h"
#include "pinwarden/timeutil.h"

static void characters_are_code_points_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(pw_text_chars("abc"), 3);
	assert_int_equal(pw_text_chars("caf\xc3\xa9"), 4);
	assert_int_equal(pw_text_chars("\xf0\x9f\x8c\xb8"), 1);
	assert_int_equal(pw_text_chars("\xe6\x9d\xb1\xe4\xba\xac"), 2);
}

static void widths_count_terminal_columns(void **state)
{
	(void)state;
	assert_int_equal(pw_text_width("abc"), 3);
	assert_int_equal(pw_text_width("\xe6\x9d\xb1\xe4\xba\xac"), 4);       /* two CJK: 2 columns each */
	assert_int_equal(pw_text_width("\xf0\x9f\x8c\xb8"), 2);               /* emoji */
	assert_int_equal(pw_text_width("e\xcc\x81"), 1);                      /* e + combining acute */
}

static void names_follow_the_rules(void **state)
{
	pw_error err = { 0 };
	(void)state;
	assert_int_equal(pw_text_check_name("client name", "Acme", 10, &err), PW_OK);
	assert_int_equal(pw_text_check_name("client name", "Acme \xe6\x9d\xb1", 10, &err), PW_OK);
	assert_int_equal(pw_text_check_name("client name", "Acme ", 10, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "client name"));
	assert_int_equal(pw_text_check_name("client name", "0123456789A", 10, &err), PW_E_INVALID);
	assert_int_equal(pw_text_check_name("client name", "bell\a", 10, &err), PW_E_INVALID);
	assert_int_equal(pw_text_check_free("notes", "line one\nline two\ttab", 100, &err), PW_OK);
	assert_int_equal(pw_text_check_free("notes", "escape \x1b[31m", 100, &err), PW_E_INVALID);
}

static void domain_rules_normalize(void **state)
{
	static const struct { const char *in, *out; } good[] = {
		{ "Example.COM", "example.com" },
		{ "example.com.", "example.com" },
		{ "*.Example.com", "*.example.com" },
		{ "b\xc3\xbc" "cher.example", "xn--bcher-kva.example" },
		{ "192.0.2.1", "192.0.2.1" },
		{ "localhost", "localhost" },
	};
	static const char *const bad[] = {
		"http://example.com", "example.com/path", "example.com:443", "*.com", "*.192.0.2.1",
		"exa mple.com", "-x.example", "x..example", "user@example.com",
	};
	pw_error err = { 0 };
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		char *out = NULL;
		assert_int_equal(pw_domain_normalize(good[i].in, &out, &err), PW_OK);
		assert_string_equal(out, good[i].out);
		g_free(out);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *out = NULL;
		if (pw_domain_normalize(bad[i], &out, &err) != PW_E_INVALID)
			fail_msg("'%s' was accepted as '%s'", bad[i], out);
		assert_null(out);
	}
}

static void subdomains_need_an_explicit_rule(void **state)
{
	(void)state;
	assert_true(pw_domain_matches("example.com", "example.com"));
	assert_false(pw_domain_matches("example.com", "www.example.com"));
	assert_false(pw_domain_matches("example.com", "badexample.com"));
	assert_true(pw_domain_matches("*.example.com", "www.example.com"));
	assert_true(pw_domain_matches("*.example.com", "a.b.example.com"));
	assert_false(pw_domain_matches("*.example.com", "example.com"));
	assert_false(pw_domain_matches("*.example.com", "evilexample.com"));
}

static void usernames_normalize(void **state)
{
	pw_error err = { 0 };
	char *out = NULL;
	(void)state;
	assert_int_equal(pw_username_normalize("@shop_official", &out, &err), PW_OK);
	assert_string_equal(out, "shop_official");
	g_free(out);
	assert_int_equal(pw_username_normalize("shop official", &out, &err), PW_E_INVALID);
	assert_int_equal(pw_username_normalize("@", &out, &err), PW_E_INVALID);
	assert_int_equal(pw_username_normalize("https://pinterest.example/shop", &out, &err), PW_E_INVALID);
}

static void times_parse_in_the_forms_people_type(void **state)
{
	char out[PW_TIME_LEN], now[PW_TIME_LEN];
	pw_error err = { 0 };
	(void)state;
	/* The tests run with TZ=UTC, so local forms are UTC here. */
	assert_int_equal(pw_time_parse("2026-12-24 09:00", out, &err), PW_OK);
	assert_string_equal(out, "2026-12-24T09:00:00.000Z");
	assert_int_equal(pw_time_parse("2026-12-24", out, &err), PW_OK);
	assert_string_equal(out, "2026-12-24T00:00:00.000Z");
	assert_int_equal(pw_time_parse("2026-12-24T09:00:30", out, &err), PW_OK);
	assert_string_equal(out, "2026-12-24T09:00:30.000Z");
	assert_int_equal(pw_time_parse("2026-12-24T09:00:00+01:00", out, &err), PW_OK);
	assert_string_equal(out, "2026-12-24T08:00:00.000Z");
	assert_int_equal(pw_time_parse("2026-12-24T09:00:00Z", out, &err), PW_OK);
	assert_string_equal(out, "2026-12-24T09:00:00.000Z");

	pw_time_now(now);
	assert_int_equal(pw_time_parse("-2h", out, &err), PW_OK);
	assert_true(strcmp(out, now) < 0);
	assert_int_equal(pw_time_parse("+1d", out, &err), PW_OK);
	assert_true(strcmp(out, now) > 0);

	assert_int_equal(pw_time_parse("tomorrow 9:00", out, &err), PW_OK);
	assert_true(strcmp(out, now) > 0);
	assert_string_equal(out + 10, "T09:00:00.000Z");
	assert_int_equal(pw_time_parse("today 0:00", out, &err), PW_OK);
	assert_true(strcmp(out, now) <= 0);
	assert_int_equal(pw_time_parse("tomorrow", out, &err), PW_OK);
	assert_string_equal(out + 10, "T00:00:00.000Z");

	static const char *const bad[] = { "tomorrow at 9", "today 25:00", "yesterday-ish", "2026-13-01", "2026-12-24 25:00", "+2x", "-", "" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (pw_time_parse(bad[i], out, &err) != PW_E_INVALID)
			fail_msg("'%s' was accepted as %s", bad[i], out);
	}
	assert_int_equal(pw_time_parse("soon", out, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "2026-12-24 09:00"));
}

static void close_matches(void **state)
{
	GPtrArray *names = g_ptr_array_new();
	char *m;
	(void)state;
	g_ptr_array_add(names, (gpointer)(guintptr) "Maison \xc3\x89lise");
	g_ptr_array_add(names, (gpointer)(guintptr) "Contoso");
	m = pw_text_close_matches("maison elise", names, 5);
	assert_non_null(m);
	assert_string_equal(m, "'Maison \xc3\x89lise'");
	g_free(m);
	m = pw_text_close_matches("Contosso", names, 5);
	assert_string_equal(m, "'Contoso'");
	g_free(m);
	assert_null(pw_text_close_matches("Northwind", names, 5));
	g_ptr_array_unref(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(characters_are_code_points_not_bytes),
		cmocka_unit_test(widths_count_terminal_columns),
		cmocka_unit_test(names_follow_the_rules),
		cmocka_unit_test(domain_rules_normalize),
		cmocka_unit_test(subdomains_need_an_explicit_rule),
		cmocka_unit_test(usernames_normalize),
		cmocka_unit_test(times_parse_in_the_forms_people_type),
		cmocka_unit_test(close_matches),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
