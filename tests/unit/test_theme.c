/* Themes: the value grammar, errors that point at the right line, the
 * shipped themes, and where themes are looked for. */
#include "config.h"

#include "helpers.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pinwarden/theme.h"

/* Made from themes/default.theme at build time (Makefile.am); declared
 * here to check that the compiled-in text is the file's. */
extern const char pw_theme_builtin_text[];
extern const size_t pw_theme_builtin_len;

static const char *const shipped[] = { "default", "light", "high-contrast", "monochrome" };

static char *themes_srcdir(void)
{
	const char *src = g_getenv("TESTS_SRCDIR");
	return g_build_filename(src ? src : "tests", "..", "themes", NULL);
}

static char *read_shipped(const char *name, gsize *len)
{
	char *dir = themes_srcdir();
	char *file = g_strconcat(name, ".theme", NULL);
	char *path = g_build_filename(dir, file, NULL);
	char *text = NULL;

	if (!g_file_get_contents(path, &text, len, NULL))
		fail_msg("cannot read %s", path);
	g_free(path);
	g_free(file);
	g_free(dir);
	return text;
}

static void write_file(const char *path, const char *text)
{
	char *dir = g_path_get_dirname(path);
	assert_int_equal(g_mkdir_with_parents(dir, 0700), 0);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(dir);
}

/* Every element is named in the text itself, not just inherited. */
static void assert_names_every_element(const char *text, size_t len, const char *what)
{
	GKeyFile *kf = g_key_file_new();
	char *description;

	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, NULL))
		fail_msg("%s is not a key file", what);
	for (int i = 0; i < PW_EL_COUNT; i++)
		if (!g_key_file_has_key(kf, "elements", pw_theme_element_key((pw_theme_element)i), NULL))
			fail_msg("%s does not name the element %s", what, pw_theme_element_key((pw_theme_element)i));
	description = g_key_file_get_string(kf, "theme", "description", NULL);
	if (!description || !*description)
		fail_msg("%s has no [theme] description", what);
	g_free(description);
	g_key_file_free(kf);
}

static bool same_style(pw_style a, pw_style b)
{
	return a.fg == b.fg && a.bg == b.bg && a.attrs == b.attrs;
}

static pw_theme parse_ok(const char *text)
{
	pw_theme t;
	pw_error err = { 0 };

	if (pw_theme_parse(text, strlen(text), "t.theme", NULL, &t, &err) != PW_OK)
		fail_msg("\"%s\" was refused: %s", text, err.message);
	return t;
}

/* ---- the built-in and shipped themes --------------------------------- */

static void elements_have_keys_and_help(void **state)
{
	(void)state;
	assert_string_equal(pw_theme_element_key(PW_EL_NORMAL), "normal");
	assert_string_equal(pw_theme_element_key(PW_EL_STATE_FAILED), "state-failed");
	assert_string_equal(pw_theme_element_key(PW_EL_CONFIRM), "confirm");
	assert_non_null(strstr(pw_theme_element_help(PW_EL_STATUS), "status line"));
	for (int i = 0; i < PW_EL_COUNT; i++) {
		assert_true(pw_theme_element_key((pw_theme_element)i)[0] != '\0');
		assert_true(pw_theme_element_help((pw_theme_element)i)[0] != '\0');
	}
}

static void builtin_is_the_default_file(void **state)
{
	pw_theme t;
	gsize len = 0;
	char *text = read_shipped("default", &len);

	(void)state;
	/* The compiled-in text is the file byte for byte. */
	assert_int_equal(pw_theme_builtin_len, len);
	assert_memory_equal(pw_theme_builtin_text, text, len);
	assert_names_every_element(pw_theme_builtin_text, pw_theme_builtin_len, "the built-in theme");

	pw_theme_builtin(&t);
	assert_string_equal(t.name, "default");
	assert_string_equal(t.path, "");
	assert_true(t.description[0] != '\0');
	assert_int_equal(t.el[PW_EL_STATUS].fg, 0);
	assert_int_equal(t.el[PW_EL_STATUS].bg, 6);
	assert_int_equal(t.el[PW_EL_STATE_FAILED].fg, 1);
	assert_true(t.el[PW_EL_STATE_FAILED].attrs & PW_STYLE_BOLD);
	g_free(text);
}

static void shipped_themes_parse_and_name_every_element(void **state)
{
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(shipped); i++) {
		pw_error err = { 0 };
		pw_theme t;
		gsize len = 0;
		char *text = read_shipped(shipped[i], &len);
		pw_style failed, unknown, normal;

		if (pw_theme_parse(text, len, shipped[i], NULL, &t, &err) != PW_OK)
			fail_msg("%s: %s", shipped[i], err.message);
		assert_names_every_element(text, len, shipped[i]);
		assert_true(t.description[0] != '\0');
		/* Failed and unknown stand out in every theme, and differ. */
		failed = t.el[PW_EL_STATE_FAILED];
		unknown = t.el[PW_EL_STATE_UNKNOWN];
		normal = t.el[PW_EL_NORMAL];
		if (same_style(failed, normal) || same_style(unknown, normal) || same_style(failed, unknown))
			fail_msg("%s: failed and unknown must differ from normal and from each other", shipped[i]);
		g_free(text);
	}
}

static void monochrome_uses_attributes_only(void **state)
{
	pw_error err = { 0 };
	pw_theme t;
	gsize len = 0;
	char *text = read_shipped("monochrome", &len);

	(void)state;
	assert_int_equal(pw_theme_parse(text, len, "monochrome", NULL, &t, &err), PW_OK);
	for (int i = 0; i < PW_EL_COUNT; i++) {
		if (t.el[i].fg != PW_COLOR_DEFAULT || t.el[i].bg != PW_COLOR_DEFAULT)
			fail_msg("monochrome: %s has a colour", pw_theme_element_key((pw_theme_element)i));
	}
	assert_true(t.el[PW_EL_STATE_FAILED].attrs & PW_STYLE_REVERSE);
	assert_true(t.el[PW_EL_STATE_UNKNOWN].attrs & PW_STYLE_REVERSE);
	assert_true(t.el[PW_EL_SELECTED].attrs & PW_STYLE_REVERSE);
	assert_true(t.el[PW_EL_STATE_GONE].attrs & PW_STYLE_DIM);
	g_free(text);
}

static void light_has_no_pale_text_on_the_background(void **state)
{
	pw_error err = { 0 };
	pw_theme t;
	gsize len = 0;
	char *text = read_shipped("light", &len);

	(void)state;
	assert_int_equal(pw_theme_parse(text, len, "light", NULL, &t, &err), PW_OK);
	for (int i = 0; i < PW_EL_COUNT; i++) {
		short fg = t.el[i].fg;
		bool pale = fg == 7 || fg == 15 || fg == 3 || fg == 11;
		if (t.el[i].bg == PW_COLOR_DEFAULT && pale)
			fail_msg("light: %s is white or yellow on the background", pw_theme_element_key((pw_theme_element)i));
	}
	g_free(text);
}

/* ---- the value grammar ----------------------------------------------- */

static void values_follow_the_grammar(void **state)
{
	static const struct {
		const char *value;
		short fg, bg;
		unsigned attrs;
	} cases[] = {
		{ "red", 1, PW_COLOR_DEFAULT, 0 },
		{ "default", PW_COLOR_DEFAULT, PW_COLOR_DEFAULT, 0 },
		{ "white on blue", 7, 4, 0 },
		{ "black on cyan bold", 0, 6, PW_STYLE_BOLD },
		{ "red bold underline", 1, PW_COLOR_DEFAULT, PW_STYLE_BOLD | PW_STYLE_UNDERLINE },
		{ "default dim reverse standout italic", PW_COLOR_DEFAULT, PW_COLOR_DEFAULT,
		  PW_STYLE_DIM | PW_STYLE_REVERSE | PW_STYLE_STANDOUT | PW_STYLE_ITALIC },
		{ "bright-black", 8, PW_COLOR_DEFAULT, 0 },
		{ "bright-white on bright-red", 15, 9, 0 },
		{ "color0 on color255", 0, 255, 0 },
		{ "color17 on default", 17, PW_COLOR_DEFAULT, 0 },
		{ "Bright-Red ON Color17 BOLD Underline", 9, 17, PW_STYLE_BOLD | PW_STYLE_UNDERLINE },
		{ "\tgreen \t on  yellow   bold  ", 2, 3, PW_STYLE_BOLD },
		{ "default bold bold", PW_COLOR_DEFAULT, PW_COLOR_DEFAULT, PW_STYLE_BOLD },
	};
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *text = g_strdup_printf("[elements]\ntitle = %s\n", cases[i].value);
		pw_theme t = parse_ok(text);
		pw_style s = t.el[PW_EL_TITLE];
		if (s.fg != cases[i].fg || s.bg != cases[i].bg || s.attrs != cases[i].attrs)
			fail_msg("\"%s\" gave fg %d bg %d attrs %#x", cases[i].value, s.fg, s.bg, s.attrs);
		g_free(text);
	}
}

static void unnamed_elements_keep_the_base(void **state)
{
	pw_error err = { 0 };
	pw_theme builtin, base, t;
	const char *first = "[theme]\ndescription = mine\n[elements]\nnormal = red\n";
	const char *second = "# only dim\n[elements]\ndim = blue\n";

	(void)state;
	pw_theme_builtin(&builtin);
	/* base NULL: the built-in default. */
	assert_int_equal(pw_theme_parse(first, strlen(first), "first", NULL, &base, &err), PW_OK);
	assert_string_equal(base.description, "mine");
	assert_string_equal(base.name, "");
	assert_string_equal(base.path, "");
	assert_int_equal(base.el[PW_EL_NORMAL].fg, 1);
	for (int i = 0; i < PW_EL_COUNT; i++)
		if (i != PW_EL_NORMAL)
			assert_true(same_style(base.el[i], builtin.el[i]));

	/* On top of another theme: what is not named comes from it. */
	assert_int_equal(pw_theme_parse(second, strlen(second), "second", &base, &t, &err), PW_OK);
	assert_int_equal(t.el[PW_EL_NORMAL].fg, 1);
	assert_int_equal(t.el[PW_EL_DIM].fg, 4);
	assert_string_equal(t.description, "");
	for (int i = 0; i < PW_EL_COUNT; i++)
		if (i != PW_EL_NORMAL && i != PW_EL_DIM)
			assert_true(same_style(t.el[i], builtin.el[i]));

	/* Empty text, comments, CRLF line ends and repeated groups. */
	t = parse_ok("");
	assert_true(same_style(t.el[PW_EL_STATUS], builtin.el[PW_EL_STATUS]));
	t = parse_ok("\r\n# x\r\n[elements]\r\n  status = red\r\n[theme]\r\ndescription=d\r\n[elements]\r\ndim=green\r\n");
	assert_int_equal(t.el[PW_EL_STATUS].fg, 1);
	assert_int_equal(t.el[PW_EL_DIM].fg, 2);
	assert_string_equal(t.description, "d");
}

static void long_descriptions_are_cut_at_a_character(void **state)
{
	GString *text = g_string_new("[theme]\ndescription = ");
	pw_theme t;

	(void)state;
	for (int i = 0; i < 150; i++)
		g_string_append(text, "\xc3\xa9"); /* é, two bytes: 300 bytes in all */
	g_string_append(text, "\n");
	t = parse_ok(text->str);
	assert_true(g_utf8_validate(t.description, -1, NULL));
	assert_int_equal(strlen(t.description), 198);
	g_string_free(text, TRUE);
}

/* ---- errors ---------------------------------------------------------- */

static void errors_name_the_line_and_what_to_do(void **state)
{
	static const struct {
		const char *text;
		int line;
		const char *says;
	} cases[] = {
		{ "[elements]\nnormal = red\ntitel = bold\n", 3, "unknown element \"titel\": did you mean 'title'?" },
		{ "[elements]\nnormal = red\nzzz = red\n", 3, "unknown element \"zzz\" (known: normal, dim, border," },
		{ "[theme]\ndescription = x\n\n[colours]\nnormal = red\n", 4,
		  "unknown group \"[colours]\": a theme has only [theme] and [elements]" },
		{ "[elements]\n# the top\nstatus = purple on black\n", 3,
		  "unknown colour \"purple\": use default, black, red," },
		{ "[elements]\nstatus = black on purple\n", 2, "or color0-color255" },
		{ "[elements]\nstatus = color256\n", 2, "unknown colour \"color256\"" },
		{ "[elements]\nstatus = colorx\n", 2, "unknown colour \"colorx\"" },
		{ "[elements]\n\nnormal = red blink\n", 3,
		  "unknown attribute \"blink\": use bold, dim, underline, reverse, standout or italic" },
		{ "[elements]\nnormal = red\nthis is not valid\n", 3, "\"this is not valid\" is not a [group]" },
		{ "# comment\nnormal = red\n[elements]\n", 2, "comes before any group" },
		{ "[elements\nnormal = red\n", 1, "no closing \"]\"" },
		{ "[elements] x\n", 1, "a group line holds only" },
		{ "[elements]\n= red\n", 2, "a line starts with \"=\"" },
		{ "[elements]\ndim = default\nnormal =\n", 3, "\"normal\" has no style" },
		{ "[elements]\nnormal =  \t \n", 2, "has no style" },
		{ "[elements]\nstatus = black on\n", 2, "\"on\" needs a background colour after it" },
		{ "[elements]\nstatus = black bold on blue\n", 2, "goes right after the foreground colour" },
		{ "[elements]\nstatus = white blue\n", 2, "\"blue\" is a colour where an attribute was expected" },
		{ "[elements]\nstatus = bold\n", 2, "a style starts with a colour: write \"default bold\"" },
		{ "[elements]\nstatus = red # alarm\n", 2, "a comment must have a line of its own" },
		{ "[theme]\nname = x\n", 2, "unknown key \"name\" in [theme]" },
		{ "[theme]\ndescription = two\\nlines\n", 2, "control character" },
		{ "[theme]\ndescription = caf\xc3\n", 2, "not valid UTF-8" },
		{ "[elements]\n\nnormal = \x1b[31m\n", 3, "unknown colour \"\\033[31m\"" },
		/* The first problem from the top, even when GKeyFile lists
		 * the groups in another order. */
		{ "[elements]\nnormal = red\n[bogus]\nx = y\n[elements]\nfoo = red\n", 3, "unknown group \"[bogus]\"" },
	};
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		pw_error err = { 0 };
		pw_theme out, before;
		char *prefix = g_strdup_printf("my.theme:%d: ", cases[i].line);

		memset(&out, 0x5a, sizeof out);
		before = out;
		if (pw_theme_parse(cases[i].text, strlen(cases[i].text), "my.theme", NULL, &out, &err) != PW_E_INVALID)
			fail_msg("case %zu was accepted", i);
		assert_int_equal(err.code, PW_E_INVALID);
		if (!g_str_has_prefix(err.message, prefix) || !strstr(err.message, cases[i].says))
			fail_msg("case %zu: wanted \"%s...%s\", got \"%s\"", i, prefix, cases[i].says, err.message);
		/* A refusal leaves *out as it was. */
		assert_memory_equal(&out, &before, sizeof out);
		g_free(prefix);
	}
}

static void nul_bytes_and_huge_files_are_refused(void **state)
{
	static const char with_nul[] = "[theme]\n\ndescription = a\0b\n";
	GString *big = g_string_new("[theme]\n");
	pw_error err = { 0 };
	pw_theme out;

	(void)state;
	assert_int_equal(pw_theme_parse(with_nul, sizeof with_nul - 1, "n.theme", NULL, &out, &err), PW_E_INVALID);
	assert_true(g_str_has_prefix(err.message, "n.theme:3: "));
	assert_non_null(strstr(err.message, "NUL"));

	while (big->len <= 64 * 1024)
		g_string_append(big, "# a line of comment to make the file too big for a theme\n");
	assert_int_equal(pw_theme_parse(big->str, big->len, "big.theme", NULL, &out, &err), PW_E_INVALID);
	assert_true(g_str_has_prefix(err.message, "big.theme:"));
	assert_non_null(strstr(err.message, "at most 65536"));
	g_string_free(big, TRUE);
}

/* ---- finding themes -------------------------------------------------- */

typedef struct fixture {
	char *tmp;
	char *mine;     /* $PINWARDEN_THEMES_DIR */
	char *config;   /* $XDG_CONFIG_HOME */
	char *user;     /* $XDG_CONFIG_HOME/pinwarden/themes */
} fixture;

static int dirs_setup(void **state)
{
	fixture *f = g_new0(fixture, 1);

	f->tmp = test_tempdir();
	f->mine = g_build_filename(f->tmp, "sub", "themes", NULL);
	f->config = g_build_filename(f->tmp, "config", NULL);
	f->user = g_build_filename(f->config, "pinwarden", "themes", NULL);
	g_mkdir_with_parents(f->mine, 0700);
	g_mkdir_with_parents(f->user, 0700);
	g_setenv("PINWARDEN_THEMES_DIR", f->mine, TRUE);
	g_setenv("XDG_CONFIG_HOME", f->config, TRUE);
	*state = f;
	return 0;
}

static int dirs_teardown(void **state)
{
	fixture *f = *state;

	g_unsetenv("PINWARDEN_THEMES_DIR");
	g_unsetenv("XDG_CONFIG_HOME");
	test_rmtree(f->tmp);
	g_free(f->user);
	g_free(f->config);
	g_free(f->mine);
	g_free(f->tmp);
	g_free(f);
	return 0;
}

static char *in(const char *dir, const char *file)
{
	return g_build_filename(dir, file, NULL);
}

static void dirs_are_searched_in_order(void **state)
{
	fixture *f = *state;
	char **dirs = pw_theme_dirs();
	char *home_dir, *home_config;
	char *saved_home = g_strdup(g_getenv("HOME"));
	guint n = g_strv_length(dirs);

	assert_true(n >= 3);
	assert_string_equal(dirs[0], f->mine);
	assert_string_equal(dirs[1], f->user);
	assert_string_equal(dirs[n - 1], PW_THEMEDIR);
	g_strfreev(dirs);

	/* Without $XDG_CONFIG_HOME (or with a relative one): ~/.config. */
	home_dir = in(f->tmp, "home");
	home_config = g_build_filename(home_dir, ".config", "pinwarden", "themes", NULL);
	g_setenv("HOME", home_dir, TRUE);
	g_setenv("XDG_CONFIG_HOME", "relative", TRUE);
	g_setenv("PINWARDEN_THEMES_DIR", "", TRUE);
	dirs = pw_theme_dirs();
	assert_string_equal(dirs[0], home_config);
	g_strfreev(dirs);
	g_unsetenv("XDG_CONFIG_HOME");
	dirs = pw_theme_dirs();
	assert_string_equal(dirs[0], home_config);
	g_strfreev(dirs);
	if (saved_home)
		g_setenv("HOME", saved_home, TRUE);
	else
		g_unsetenv("HOME");
	g_free(saved_home);
	g_free(home_config);
	g_free(home_dir);
}

static void user_themes_shadow_shipped_ones(void **state)
{
	fixture *f = *state;
	char *user_light = in(f->user, "light.theme");
	char *mine_light = in(f->mine, "light.theme");
	gsize len;
	char *shipped_light = read_shipped("light", &len);
	pw_error err = { 0 };
	pw_theme t;

	write_file(user_light, shipped_light);
	write_file(mine_light, "[theme]\ndescription = mine\n[elements]\nstatus = red\n");

	assert_int_equal(pw_theme_load("light", &t, &err), PW_OK);
	assert_string_equal(t.name, "light");
	assert_string_equal(t.path, mine_light);
	assert_string_equal(t.description, "mine");
	assert_int_equal(t.el[PW_EL_STATUS].fg, 1);

	/* Without it, the next folder's. */
	assert_int_equal(g_unlink(mine_light), 0);
	assert_int_equal(pw_theme_load("light", &t, &err), PW_OK);
	assert_string_equal(t.path, user_light);
	assert_int_equal(t.el[PW_EL_STATE_WAITING].fg, 4);

	g_free(shipped_light);
	g_free(mine_light);
	g_free(user_light);
}

static void default_is_built_in_unless_a_file_overrides_it(void **state)
{
	fixture *f = *state;
	char *mine_default = in(f->mine, "default.theme");
	pw_error err = { 0 };
	pw_theme builtin, t;

	pw_theme_builtin(&builtin);
	assert_int_equal(pw_theme_load("default", &t, &err), PW_OK);
	assert_string_equal(t.name, "default");
	/* An installed default.theme (make install) is the same file. */
	assert_true(t.path[0] == '\0' || g_str_has_suffix(t.path, "/default.theme"));
	for (int i = 0; i < PW_EL_COUNT; i++)
		assert_true(same_style(t.el[i], builtin.el[i]));

	write_file(mine_default, "[elements]\nstatus = red\n");
	assert_int_equal(pw_theme_load("default", &t, &err), PW_OK);
	assert_string_equal(t.path, mine_default);
	assert_int_equal(t.el[PW_EL_STATUS].fg, 1);
	g_free(mine_default);
}

static void a_name_with_a_slash_is_a_path(void **state)
{
	fixture *f = *state;
	char *path = in(f->tmp, "My Colours.theme");
	char *other = in(f->tmp, "plain");
	pw_error err = { 0 };
	pw_theme t;

	write_file(path, "[elements]\nstatus = green\n");
	assert_int_equal(pw_theme_load(path, &t, &err), PW_OK);
	assert_string_equal(t.name, "My Colours");
	assert_string_equal(t.path, path);
	assert_int_equal(t.el[PW_EL_STATUS].fg, 2);

	/* Any file name, with or without .theme. */
	write_file(other, "[elements]\nstatus = blue\n");
	assert_int_equal(pw_theme_load(other, &t, &err), PW_OK);
	assert_string_equal(t.name, "plain");
	g_free(other);
	g_free(path);
}

static void a_missing_theme_lists_what_exists(void **state)
{
	fixture *f = *state;
	char *a = in(f->mine, "zebra.theme");
	char *b = in(f->user, "alpha.theme");
	char *missing = in(f->tmp, "none.theme");
	pw_error err = { 0 };
	pw_theme out, before;
	char *where;

	write_file(a, "[elements]\n");
	write_file(b, "[elements]\n");
	memset(&out, 0x5a, sizeof out);
	before = out;

	assert_int_equal(pw_theme_load("nosuch", &out, &err), PW_E_NOT_FOUND);
	where = g_strdup_printf("no theme \"nosuch\" in %s, %s", f->mine, f->user);
	if (!g_str_has_prefix(err.message, where))
		fail_msg("got \"%s\"", err.message);
	assert_non_null(strstr(err.message, PW_THEMEDIR));
	assert_non_null(strstr(err.message, "; themes here: alpha, default"));
	assert_non_null(strstr(err.message, "zebra"));
	assert_memory_equal(&out, &before, sizeof out);

	assert_int_equal(pw_theme_load(missing, &out, &err), PW_E_NOT_FOUND);
	assert_non_null(strstr(err.message, missing));
	assert_memory_equal(&out, &before, sizeof out);
	g_free(where);
	g_free(missing);
	g_free(b);
	g_free(a);
}

static void names_cannot_leave_the_theme_folders(void **state)
{
	fixture *f = *state;
	/* $PINWARDEN_THEMES_DIR is tmp/sub/themes: "../x" must not find
	 * tmp/sub/x.theme through it. */
	char *outside = g_build_filename(f->tmp, "sub", "x.theme", NULL);
	static const char *const bad[] = { "..", ".", "x.theme", "a b", "caf\xc3\xa9", "", "-",
	                                   "x\\y" };
	pw_error err = { 0 };
	pw_theme out, before;
	char *long_name = g_strnfill(64, 'a');

	write_file(outside, "[elements]\nstatus = red\n");
	memset(&out, 0x5a, sizeof out);
	before = out;

	/* With a "/" it is a path, relative to where pinwarden runs. */
	assert_int_not_equal(pw_theme_load("../x", &out, &err), PW_OK);
	assert_memory_equal(&out, &before, sizeof out);

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		pw_code rc = pw_theme_load(bad[i], &out, &err);
		if (strcmp(bad[i], "-") == 0) {
			/* A valid name, just not there. */
			assert_int_equal(rc, PW_E_NOT_FOUND);
			continue;
		}
		if (rc != PW_E_INVALID)
			fail_msg("\"%s\" gave %s", bad[i], pw_code_name(rc));
	}
	assert_int_equal(pw_theme_load("x.theme", &out, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "./x.theme"));
	assert_int_equal(pw_theme_load(long_name, &out, &err), PW_E_INVALID);
	assert_memory_equal(&out, &before, sizeof out);
	g_free(long_name);
	g_free(outside);
}

static void broken_files_are_reported_with_their_path(void **state)
{
	fixture *f = *state;
	char *path = in(f->mine, "broken.theme");
	char *folder = in(f->mine, "folder.theme");
	char *prefix;
	pw_error err = { 0 };
	pw_theme out, before;

	write_file(path, "[elements]\n\nstatus = red\ntitle = purple\n");
	memset(&out, 0x5a, sizeof out);
	before = out;
	assert_int_equal(pw_theme_load("broken", &out, &err), PW_E_INVALID);
	prefix = g_strdup_printf("%s:4: unknown colour \"purple\"", path);
	if (!g_str_has_prefix(err.message, prefix))
		fail_msg("got \"%s\"", err.message);
	assert_memory_equal(&out, &before, sizeof out);

	assert_int_equal(g_mkdir(folder, 0700), 0);
	assert_int_equal(pw_theme_load("folder", &out, &err), PW_E_INVALID);
	assert_non_null(strstr(err.message, "not a regular file"));
	assert_memory_equal(&out, &before, sizeof out);
	g_free(prefix);
	g_free(folder);
	g_free(path);
}

static void lists_are_sorted_unique_and_have_default(void **state)
{
	fixture *f = *state;
	static const char *const files[] = { "light.theme", "dark_2.theme", "bad name.theme", "notes.txt",
	                                     ".theme" };
	char **names;
	char *joined;

	names = pw_theme_list();
	assert_non_null(names[0]);
	assert_true(g_strv_contains((const char *const *)names, "default"));
	g_strfreev(names);

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		char *a = in(f->mine, files[i]);
		char *b = in(f->user, files[i]);
		write_file(a, "[elements]\n");
		write_file(b, "[elements]\n");
		g_free(b);
		g_free(a);
	}
	names = pw_theme_list();
	joined = g_strjoinv(",", names);
	/* PW_THEMEDIR may hold installed themes too; these come first. */
	if (!g_str_has_prefix(joined, "dark_2,default,"))
		fail_msg("got %s", joined);
	for (guint i = 1; names[i]; i++)
		assert_true(strcmp(names[i - 1], names[i]) < 0);
	assert_true(g_strv_contains((const char *const *)names, "light"));
	assert_false(g_strv_contains((const char *const *)names, "bad name"));
	assert_false(g_strv_contains((const char *const *)names, "notes"));
	g_free(joined);
	g_strfreev(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(elements_have_keys_and_help),
		cmocka_unit_test(builtin_is_the_default_file),
		cmocka_unit_test(shipped_themes_parse_and_name_every_element),
		cmocka_unit_test(monochrome_uses_attributes_only),
		cmocka_unit_test(light_has_no_pale_text_on_the_background),
		cmocka_unit_test(values_follow_the_grammar),
		cmocka_unit_test(unnamed_elements_keep_the_base),
		cmocka_unit_test(long_descriptions_are_cut_at_a_character),
		cmocka_unit_test(errors_name_the_line_and_what_to_do),
		cmocka_unit_test(nul_bytes_and_huge_files_are_refused),
		cmocka_unit_test_setup_teardown(dirs_are_searched_in_order, dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(user_themes_shadow_shipped_ones, dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(default_is_built_in_unless_a_file_overrides_it, dirs_setup,
		                                dirs_teardown),
		cmocka_unit_test_setup_teardown(a_name_with_a_slash_is_a_path, dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(a_missing_theme_lists_what_exists, dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(names_cannot_leave_the_theme_folders, dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(broken_files_are_reported_with_their_path, dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(lists_are_sorted_unique_and_have_default, dirs_setup, dirs_teardown),
	};
	return cmocka_run_group_tests_name("theme", tests, NULL, NULL);
}
