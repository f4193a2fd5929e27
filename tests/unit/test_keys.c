/* The console's keys: names, the default table, and rebinding in [keys]. */
#include "config.h"

#include "helpers.h"

#include <string.h>

#include <curses.h>

#include "pinwarden/keys.h"

#define FN(code) (PW_KEY_FN | (code))
#define PATH "/home/op/.config/pinwarden/config"

/* Each action's keys as text, to prove that a failed configure changed
 * nothing. */
static char *snapshot(const pw_keymap *map)
{
	GString *s = g_string_new("");
	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++) {
		char *keys = pw_keymap_keys_text(map, (pw_action)a);
		g_string_append_printf(s, "%s: %s\n", pw_action_name((pw_action)a), keys);
		g_free(keys);
	}
	return g_string_free(s, FALSE);
}

static GKeyFile *key_file(const char *text)
{
	GKeyFile *kf = g_key_file_new();
	GError *gerr = NULL;
	if (!g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, &gerr))
		fail_msg("the test's key file does not load: %s", gerr->message);
	return kf;
}

static pw_code configure(pw_keymap *map, const char *text, pw_error *err)
{
	GKeyFile *kf = key_file(text);
	pw_code rc = pw_keymap_configure(map, kf, PATH, err);
	g_key_file_free(kf);
	return rc;
}

/* The defaults as keys.h writes them, e.g. "Down j". */
static const char *const default_keys[PW_ACT_COUNT] = {
#define PW_ACTION_DEFAULTS(e, name, keys, help) [PW_ACT_##e] = keys,
	PW_ACTIONS(PW_ACTION_DEFAULTS)
#undef PW_ACTION_DEFAULTS
};

static void every_default_key_parses_and_names_round_trip(void **state)
{
	pw_keymap *map = pw_keymap_new();
	(void)state;
	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++) {
		const char *name = pw_action_name((pw_action)a);
		char **defaults = g_strsplit(default_keys[a], " ", -1), *joined, *text;
		int n = 0;
		for (char **k = defaults; *k; k++, n++) {
			int key = -1, again = -1;
			char *back;
			if (!pw_key_parse(*k, &key))
				fail_msg("the default key '%s' of %s does not parse", *k, name);
			back = pw_key_name(key);
			if (strcmp(back, *k) != 0)
				fail_msg("the default key '%s' of %s is named '%s'", *k, name, back);
			assert_true(pw_key_parse(back, &again));
			assert_int_equal(again, key);
			g_free(back);
		}
		assert_true(n > 0);
		joined = g_strjoinv(", ", defaults);
		text = pw_keymap_keys_text(map, (pw_action)a);
		assert_string_equal(text, joined);
		g_free(text);
		text = pw_keymap_first_key(map, (pw_action)a);
		assert_string_equal(text, defaults[0]);
		g_free(text);
		g_free(joined);
		g_strfreev(defaults);
	}
	pw_keymap_free(map);
}

static void no_default_key_runs_two_actions(void **state)
{
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	pw_keymap *map = pw_keymap_new();
	(void)state;
	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++) {
		char *text = pw_keymap_keys_text(map, (pw_action)a);
		char **names = g_strsplit(text, ", ", -1);
		for (char **k = names; *k; k++) {
			int key;
			assert_true(pw_key_parse(*k, &key));
			if (g_hash_table_contains(seen, GINT_TO_POINTER(key)))
				fail_msg("the key %s is bound to %s and to %s", *k,
				         pw_action_name((pw_action)GPOINTER_TO_INT(g_hash_table_lookup(seen, GINT_TO_POINTER(key)))),
				         pw_action_name((pw_action)a));
			g_hash_table_insert(seen, GINT_TO_POINTER(key), GINT_TO_POINTER(a));
			assert_int_equal(pw_keymap_lookup(map, key), a);
		}
		g_strfreev(names);
		g_free(text);
	}
	g_hash_table_unref(seen);
	pw_keymap_free(map);
}

static void every_action_has_a_name_and_help(void **state)
{
	(void)state;
	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++) {
		const char *name = pw_action_name((pw_action)a), *help = pw_action_help((pw_action)a);
		assert_non_null(name);
		assert_non_null(help);
		assert_true(name[0] && help[0]);
		assert_int_equal(pw_action_find(name), a);
	}
	assert_null(pw_action_name(PW_ACT_NONE));
	assert_null(pw_action_name(PW_ACT_COUNT));
	assert_int_equal(pw_action_find("nope"), PW_ACT_NONE);
	assert_int_equal(pw_action_find(NULL), PW_ACT_NONE);
}

static void default_keys_run_their_actions(void **state)
{
	pw_keymap *map = pw_keymap_new();
	(void)state;
	assert_int_equal(pw_keymap_lookup(map, 'j'), PW_ACT_DOWN);
	assert_int_equal(pw_keymap_lookup(map, FN(KEY_DOWN)), PW_ACT_DOWN);
	assert_int_equal(pw_keymap_lookup(map, pw_key_from_curses(KEY_CODE_YES, KEY_DOWN)), PW_ACT_DOWN);
	assert_int_equal(pw_keymap_lookup(map, '\t'), PW_ACT_NEXT_PANE);
	assert_int_equal(pw_keymap_lookup(map, FN(KEY_BTAB)), PW_ACT_PREV_PANE);
	assert_int_equal(pw_keymap_lookup(map, '?'), PW_ACT_HELP);
	assert_int_equal(pw_keymap_lookup(map, FN(KEY_F(1))), PW_ACT_HELP);
	assert_int_equal(pw_keymap_lookup(map, 'q'), PW_ACT_QUIT);
	assert_int_equal(pw_keymap_lookup(map, 12), PW_ACT_REDRAW); /* C-l */
	assert_int_equal(pw_keymap_lookup(map, pw_key_from_curses(OK, '\r')), PW_ACT_DETAILS);
	assert_int_equal(pw_keymap_lookup(map, ' '), PW_ACT_PAGE_DOWN);
	assert_int_equal(pw_keymap_lookup(map, 'F'), PW_ACT_FOLLOW);
	assert_int_equal(pw_keymap_lookup(map, 'z'), PW_ACT_NONE);
	assert_int_equal(pw_keymap_lookup(map, -1), PW_ACT_NONE);
	pw_keymap_free(map);
}

static void curses_keys_are_normalized(void **state)
{
	(void)state;
	assert_int_equal(pw_key_from_curses(OK, '\r'), 10);
	assert_int_equal(pw_key_from_curses(OK, '\n'), 10);
	assert_int_equal(pw_key_from_curses(KEY_CODE_YES, KEY_ENTER), 10);
	assert_int_equal(pw_key_from_curses(OK, 127), FN(KEY_BACKSPACE));
	assert_int_equal(pw_key_from_curses(OK, 8), FN(KEY_BACKSPACE));
	assert_int_equal(pw_key_from_curses(KEY_CODE_YES, KEY_BACKSPACE), FN(KEY_BACKSPACE));
	assert_int_equal(pw_key_from_curses(OK, 'j'), 'j');
	assert_int_equal(pw_key_from_curses(OK, 0xe9), 0xe9);
	assert_int_equal(pw_key_from_curses(OK, '\t'), '\t');
	assert_int_equal(pw_key_from_curses(KEY_CODE_YES, KEY_F(1)), FN(KEY_F(1)));
	assert_int_equal(pw_key_from_curses(ERR, 0), -1);
}

static void key_names_parse(void **state)
{
	static const struct { const char *name; int key; } good[] = {
		{ "j", 'j' }, { "G", 'G' }, { "?", '?' }, { "\\", '\\' },
		{ "\xc3\xa9", 0xe9 }, { "\xf0\x9f\x8c\xb8", 0x1f338 },
		{ "Space", ' ' }, { "space", ' ' }, { "Tab", '\t' }, { "S-Tab", FN(KEY_BTAB) }, { "s-tab", FN(KEY_BTAB) },
		{ "Enter", 10 }, { "ENTER", 10 }, { "Esc", 27 }, { "Backspace", FN(KEY_BACKSPACE) },
		{ "Delete", FN(KEY_DC) }, { "Insert", FN(KEY_IC) }, { "Up", FN(KEY_UP) }, { "Right", FN(KEY_RIGHT) },
		{ "PageUp", FN(KEY_PPAGE) }, { "pageup", FN(KEY_PPAGE) }, { "PAGEDOWN", FN(KEY_NPAGE) },
		{ "Home", FN(KEY_HOME) }, { "end", FN(KEY_END) }, { "F1", FN(KEY_F(1)) }, { "f12", FN(KEY_F(12)) },
		{ "C-a", 1 }, { "C-l", 12 }, { "c-l", 12 }, { "C-z", 26 },
		/* Ctrl keys the terminal sends as other keys are those keys. */
		{ "C-i", '\t' }, { "C-j", 10 }, { "C-m", 10 }, { "C-h", FN(KEY_BACKSPACE) },
	};
	static const char *const bad[] = {
		"", "ab", "PgUp", "F0", "F13", "F01", "F1x", "C-L", "C-1", "C-", "C-ab", "Ctrl-l", " ", "\x01",
		"\x7f", "\xc3", "\xc3\xa9x", "\xc2\xa0",
	};
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		int key = -1;
		if (!pw_key_parse(good[i].name, &key))
			fail_msg("'%s' does not parse", good[i].name);
		if (key != good[i].key)
			fail_msg("'%s' parses as %#x, not %#x", good[i].name, (unsigned)key, (unsigned)good[i].key);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		int key = -1;
		if (pw_key_parse(bad[i], &key))
			fail_msg("'%s' parses as %#x", bad[i], (unsigned)key);
	}
	assert_false(pw_key_parse(NULL, &(int){ 0 }));
}

static void keys_have_canonical_names(void **state)
{
	static const struct { int key; const char *name; } names[] = {
		{ '\t', "Tab" }, { ' ', "Space" }, { 12, "C-l" }, { 27, "Esc" }, { 10, "Enter" }, { '\r', "Enter" },
		{ 127, "Backspace" }, { FN(KEY_BACKSPACE), "Backspace" }, { FN(KEY_F(3)), "F3" },
		{ FN(KEY_PPAGE), "PageUp" }, { FN(KEY_BTAB), "S-Tab" }, { 'G', "G" }, { 0xe9, "\xc3\xa9" },
		{ '\\', "\\" },
	};
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		char *name = pw_key_name(names[i].key);
		assert_string_equal(name, names[i].name);
		g_free(name);
	}
	/* Keys with no name to bind them by still say what they are. */
	for (int key = 0; key < 0x300; key++) {
		char *name = pw_key_name(key);
		int again = -1;
		assert_true(name[0]);
		if (pw_key_parse(name, &again) && again != key && pw_key_from_curses(OK, (unsigned)key) != again)
			fail_msg("%#x is named '%s', which parses as %#x", (unsigned)key, name, (unsigned)again);
		g_free(name);
	}
	for (int code = KEY_MIN; code <= KEY_MAX; code++) {
		char *name = pw_key_name(FN(code));
		int again = -1;
		if (pw_key_parse(name, &again) && again != FN(code) && pw_key_from_curses(KEY_CODE_YES, (unsigned)code) != again)
			fail_msg("function key %#o is named '%s', which parses as %#x", (unsigned)code, name, (unsigned)again);
		g_free(name);
	}
}

static void configure_rebinds_an_action(void **state)
{
	pw_keymap *map = pw_keymap_new();
	pw_error err = { 0 };
	char *text;
	(void)state;
	assert_int_equal(configure(map, "[keys]\ndown = n Down\n", &err), PW_OK);
	assert_int_equal(pw_keymap_lookup(map, 'j'), PW_ACT_NONE);
	assert_int_equal(pw_keymap_lookup(map, 'n'), PW_ACT_DOWN);
	assert_int_equal(pw_keymap_lookup(map, FN(KEY_DOWN)), PW_ACT_DOWN);
	assert_int_equal(pw_keymap_lookup(map, 'k'), PW_ACT_UP);
	text = pw_keymap_keys_text(map, PW_ACT_DOWN);
	assert_string_equal(text, "n, Down");
	g_free(text);
	text = pw_keymap_first_key(map, PW_ACT_DOWN);
	assert_string_equal(text, "n");
	g_free(text);
	pw_keymap_free(map);
}

static void configure_without_keys_changes_nothing(void **state)
{
	pw_keymap *map = pw_keymap_new();
	pw_error err = { 0 };
	char *before = snapshot(map), *after;
	(void)state;
	assert_int_equal(configure(map, "[store]\nbusy_timeout_ms = 10\n", &err), PW_OK);
	assert_int_equal(configure(map, "[keys]\n", &err), PW_OK);
	after = snapshot(map);
	assert_string_equal(after, before);
	g_free(after);
	g_free(before);
	pw_keymap_free(map);
}

/* A key may move from one action to another in the same group: conflicts
 * count once the whole group is applied. */
static void configure_moves_a_key(void **state)
{
	pw_keymap *map = pw_keymap_new();
	pw_error err = { 0 };
	char *text;
	(void)state;
	assert_int_equal(configure(map, "[keys]\nup = j\ndown = Down  k\n", &err), PW_OK);
	assert_int_equal(pw_keymap_lookup(map, 'j'), PW_ACT_UP);
	assert_int_equal(pw_keymap_lookup(map, 'k'), PW_ACT_DOWN);
	assert_int_equal(pw_keymap_lookup(map, FN(KEY_UP)), PW_ACT_NONE);
	/* An empty value leaves an action without a key. */
	assert_int_equal(configure(map, "[keys]\nfollow =\n", &err), PW_OK);
	assert_null(pw_keymap_first_key(map, PW_ACT_FOLLOW));
	text = pw_keymap_keys_text(map, PW_ACT_FOLLOW);
	assert_string_equal(text, "");
	g_free(text);
	assert_int_equal(pw_keymap_lookup(map, 'F'), PW_ACT_NONE);
	pw_keymap_free(map);
}

static void configure_takes_any_character(void **state)
{
	pw_keymap *map = pw_keymap_new();
	pw_error err = { 0 };
	char *text;
	(void)state;
	assert_int_equal(configure(map, "[keys]\nfilter = \xc3\xa9 /\nback = \\ Esc\nredraw = c-L\n", &err),
	                 PW_E_INVALID); /* the C- letter is lower-case only */
	assert_non_null(strstr(err.message, "'c-L'"));
	assert_int_equal(configure(map, "[keys]\nfilter = \xc3\xa9 /\nback = \\ Esc\nredraw = c-l PAGEUP\n"
	                                "page-up = C-b\n", &err), PW_OK);
	assert_int_equal(pw_keymap_lookup(map, 0xe9), PW_ACT_FILTER);
	assert_int_equal(pw_keymap_lookup(map, '\\'), PW_ACT_BACK);
	assert_int_equal(pw_keymap_lookup(map, FN(KEY_PPAGE)), PW_ACT_REDRAW);
	text = pw_keymap_keys_text(map, PW_ACT_FILTER);
	assert_string_equal(text, "\xc3\xa9, /");
	g_free(text);
	text = pw_keymap_keys_text(map, PW_ACT_REDRAW);
	assert_string_equal(text, "C-l, PageUp");
	g_free(text);
	pw_keymap_free(map);
}

static void configure_refuses_mistakes_and_changes_nothing(void **state)
{
	static const struct { const char *text, *where, *what; } cases[] = {
		{ "[keys]\npagedown = x\n", "[keys] pagedown", "page-down" },
		{ "[keys]\ndown = n Dwn\n", "[keys] down", "'Dwn'" },
		{ "[keys]\ndown = n\nup = Dwn\n", "[keys] up", "PageUp" },
		{ "[keys]\nup = j\n", "[keys] up", "set [keys] down to keys without j" },
		{ "[keys]\nup = x\ndown = x\n", "[keys] down", "set [keys] up" },
		{ "[keys]\nquit =\n", "[keys] quit", "key" },
		{ "[keys]\nhelp = \n", "[keys] help", "key" },
		{ "[keys]\ndown = 1 2 3 4 5 6 7 8 9\n", "[keys] down", "at most" },
	};
	pw_keymap *map = pw_keymap_new();
	char *before = snapshot(map);
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		pw_error err = { 0 };
		char *after;
		if (configure(map, cases[i].text, &err) != PW_E_INVALID)
			fail_msg("'%s' was accepted", cases[i].text);
		assert_int_equal(err.code, PW_E_INVALID);
		if (!strstr(err.message, PATH) || !strstr(err.message, cases[i].where) || !strstr(err.message, cases[i].what))
			fail_msg("'%s' gave '%s', without %s, %s or %s", cases[i].text, err.message, PATH, cases[i].where,
			         cases[i].what);
		after = snapshot(map);
		assert_string_equal(after, before);
		g_free(after);
	}
	g_free(before);
	pw_keymap_free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_default_key_parses_and_names_round_trip),
		cmocka_unit_test(no_default_key_runs_two_actions),
		cmocka_unit_test(every_action_has_a_name_and_help),
		cmocka_unit_test(default_keys_run_their_actions),
		cmocka_unit_test(curses_keys_are_normalized),
		cmocka_unit_test(key_names_parse),
		cmocka_unit_test(keys_have_canonical_names),
		cmocka_unit_test(configure_rebinds_an_action),
		cmocka_unit_test(configure_without_keys_changes_nothing),
		cmocka_unit_test(configure_moves_a_key),
		cmocka_unit_test(configure_takes_any_character),
		cmocka_unit_test(configure_refuses_mistakes_and_changes_nothing),
	};
	return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
