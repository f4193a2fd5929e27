#include "config.h"

#include "pinwarden/theme.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "pinwarden/colours.h"
#include "pinwarden/text.h"

/* themes/default.theme as a C string, generated at build time by the rule
 * for src/tui/theme_builtin.c in Makefile.am. Declared here rather than in
 * theme.h because nothing else should read the raw text. */
extern const char pw_theme_builtin_text[];
extern const size_t pw_theme_builtin_len;

/* A theme is a screenful of settings; anything bigger is the wrong file,
 * and reading it whole would be the first mistake. */
#define THEME_MAX_BYTES (64 * 1024)

#define GROUP_THEME "theme"
#define GROUP_ELEMENTS "elements"

static const char *const element_keys[PW_EL_COUNT] = {
#define PW_THEME_KEY(e, key, help) [PW_EL_##e] = key,
	PW_THEME_ELEMENTS(PW_THEME_KEY)
#undef PW_THEME_KEY
};

static const char *const element_helps[PW_EL_COUNT] = {
#define PW_THEME_HELP(e, key, help) [PW_EL_##e] = help,
	PW_THEME_ELEMENTS(PW_THEME_HELP)
#undef PW_THEME_HELP
};

static const struct {
	const char *name;
	unsigned flag;
} attr_names[] = {
	{ "bold", PW_STYLE_BOLD },
	{ "dim", PW_STYLE_DIM },
	{ "underline", PW_STYLE_UNDERLINE },
	{ "reverse", PW_STYLE_REVERSE },
	{ "standout", PW_STYLE_STANDOUT },
	{ "italic", PW_STYLE_ITALIC },
};

#define COLOURS_HELP \
	"use default, black, red, green, yellow, blue, magenta, cyan, white, bright-black, bright-red, " \
	"bright-green, bright-yellow, bright-blue, bright-magenta, bright-cyan, bright-white " \
	"or color0-color255"
#define ATTRS_HELP "use bold, dim, underline, reverse, standout or italic"

const char *pw_theme_element_key(pw_theme_element e)
{
	return (unsigned)e < PW_EL_COUNT ? element_keys[e] : "";
}

const char *pw_theme_element_help(pw_theme_element e)
{
	return (unsigned)e < PW_EL_COUNT ? element_helps[e] : "";
}

/* ---- words in messages ---------------------------------------------- */

/* Text from a theme file as it goes into a message: at most 40
 * characters, control characters and quotes escaped so that a stray
 * escape sequence in a file cannot reach the terminal. UTF-8 passes
 * through (the text was validated before anything is quoted). */
static char *shown(const char *s, size_t n)
{
	char high[129];
	char *cut, *out;
	size_t max = n;

	for (int i = 0; i < 128; i++)
		high[i] = (char)(0x80 + i);
	high[128] = '\0';
	if (max > 40) {
		max = 40;
		while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
			max--;
	}
	cut = g_strndup(s, max);
	out = g_strescape(cut, high);
	g_free(cut);
	if (max < n) {
		char *longer = g_strconcat(out, "...", NULL);
		g_free(out);
		out = longer;
	}
	return out;
}

static char *shown0(const char *s)
{
	return shown(s, strlen(s));
}

/* Copies src into dst[size], cut at a character boundary if it is too
 * long, so that a cut never leaves half a UTF-8 character behind. */
static void copy_utf8(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- the lines of the text ------------------------------------------- */

/* GKeyFile says what is wrong but not where, so the text is also read
 * line by line, the way GKeyFile reads it (leading blanks ignored, "\r\n"
 * ends a line too), to find the line of a group or a key, or the first
 * line GKeyFile would choke on. */
typedef enum line_kind { LINE_SKIP, LINE_GROUP, LINE_KEY, LINE_BAD } line_kind;

typedef struct line_info {
	line_kind kind;
	char *name;   /* the group (without brackets) or the key */
	char *why;    /* why the line breaks the syntax, or NULL */
} line_info;

static void line_info_clear(gpointer p)
{
	line_info *li = p;
	g_free(li->name);
	g_free(li->why);
}

static bool is_key_char(char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '_';
}

static line_info classify_line(const char *s, size_t n, bool in_group)
{
	line_info li = { LINE_SKIP, NULL, NULL };
	const char *eq;
	size_t klen;

	while (n > 0 && g_ascii_isspace(*s))
		s++, n--;
	while (n > 0 && s[n - 1] == '\r')
		n--;
	if (n == 0 || s[0] == '#')
		return li;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);
		const char *p;

		if (!close) {
			char *q = shown(s, n);
			li.kind = LINE_BAD;
			li.why = g_strdup_printf("\"%s\" has no closing \"]\": a group is written [theme] or [elements]", q);
			g_free(q);
			return li;
		}
		for (p = close + 1; p < s + n && (*p == ' ' || *p == '\t'); p++)
			;
		if (p < s + n) {
			char *q = shown(s, n);
			li.kind = LINE_BAD;
			li.why = g_strdup_printf("\"%s\": a group line holds only the group's name in brackets, "
			                         "e.g. [elements]", q);
			g_free(q);
			return li;
		}
		li.kind = LINE_GROUP;
		li.name = g_strndup(s + 1, (size_t)(close - s - 1));
		if (!li.name[0])
			li.why = g_strdup("an empty group \"[]\": use [theme] or [elements]");
		return li;
	}
	eq = memchr(s, '=', n);
	if (!eq) {
		char *q = shown(s, n);
		li.kind = LINE_BAD;
		li.why = g_strdup_printf("\"%s\" is not a [group], an \"element = style\" line or a \"#\" comment "
		                         "(comments have a line of their own)", q);
		g_free(q);
		return li;
	}
	klen = (size_t)(eq - s);
	while (klen > 0 && g_ascii_isspace(s[klen - 1]))
		klen--;
	li.kind = LINE_KEY;
	li.name = g_strndup(s, klen);
	if (klen == 0) {
		li.why = g_strdup("a line starts with \"=\": write \"element = style\", e.g. \"normal = default\"");
	} else if (!in_group) {
		char *q = shown(s, klen);
		li.why = g_strdup_printf("\"%s\" comes before any group: put elements under [elements] and the "
		                         "description under [theme]", q);
		g_free(q);
	} else {
		/* Stricter than GKeyFile, which also takes "key[locale]" and
		 * spaces inside keys: such a key is an error here anyway (no
		 * element is called that), so pointing at it is never wrong. */
		for (size_t i = 0; i < klen; i++) {
			if (!is_key_char(s[i])) {
				char *q = shown(s, klen);
				li.why = g_strdup_printf("\"%s\" is not an element name: names are letters, digits "
				                         "and \"-\", e.g. title-focused", q);
				g_free(q);
				break;
			}
		}
	}
	return li;
}

static GArray *index_lines(const char *text, size_t len)
{
	GArray *lines = g_array_new(FALSE, TRUE, sizeof(line_info));
	const char *p = text, *end = text + len;
	bool in_group = false;

	g_array_set_clear_func(lines, line_info_clear);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		line_info li = classify_line(p, (size_t)(stop - p), in_group);

		if (li.kind == LINE_GROUP)
			in_group = true;
		g_array_append_val(lines, li);
		p = nl ? nl + 1 : end;
	}
	return lines;
}

/* 1-based line of the first line breaking the syntax, or 0. */
static size_t first_bad_line(GArray *lines, const char **why)
{
	for (guint i = 0; i < lines->len; i++) {
		const line_info *li = &g_array_index(lines, line_info, i);
		if (li->why) {
			*why = li->why;
			return i + 1;
		}
	}
	return 0;
}

static size_t group_line(GArray *lines, const char *group)
{
	for (guint i = 0; i < lines->len; i++) {
		const line_info *li = &g_array_index(lines, line_info, i);
		if (li->kind == LINE_GROUP && strcmp(li->name, group) == 0)
			return i + 1;
	}
	return 1;
}

/* The line of a key in a group. GKeyFile merges repeated groups and keeps
 * the last of repeated keys, so the last one is the one in effect. */
static size_t key_line(GArray *lines, const char *group, const char *key)
{
	const char *current = NULL;
	size_t found = 0;

	for (guint i = 0; i < lines->len; i++) {
		const line_info *li = &g_array_index(lines, line_info, i);
		if (li->kind == LINE_GROUP)
			current = li->name;
		else if (li->kind == LINE_KEY && current && strcmp(current, group) == 0 &&
		         strcmp(li->name, key) == 0)
			found = i + 1;
	}
	return found ? found : group_line(lines, group);
}

/* The line a byte offset falls on. */
static size_t line_at(const char *text, size_t offset)
{
	size_t line = 1;
	for (size_t i = 0; i < offset; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* ---- values ---------------------------------------------------------- */

static bool parse_colour(const char *word, short *out)
{
	return pw_colour_parse(word, out);
}

static bool parse_attr(const char *word, unsigned *flag)
{
	for (size_t i = 0; i < G_N_ELEMENTS(attr_names); i++) {
		if (g_ascii_strcasecmp(word, attr_names[i].name) == 0) {
			*flag = attr_names[i].flag;
			return true;
		}
	}
	return false;
}

static char *unknown_colour(const char *word)
{
	char *q = shown0(word);
	char *why;

	if (word[0] == '#')
		why = g_strdup_printf("\"%s\" after a style: a comment must have a line of its own", q);
	else
		why = g_strdup_printf("unknown colour \"%s\": " COLOURS_HELP, q);
	g_free(q);
	return why;
}

/* Reads "FG [on BG] [ATTR ...]" into *style. Returns NULL, or why the
 * value is wrong (to be freed). */
static char *parse_style(const char *key, const char *value, pw_style *style)
{
	char **words = g_strsplit_set(value, " \t\r\n\v\f", -1);
	GPtrArray *w = g_ptr_array_new();
	pw_style s = { PW_COLOR_DEFAULT, PW_COLOR_DEFAULT, 0 };
	char *why = NULL;
	guint i = 0;

	for (char **p = words; *p; p++)
		if (**p)
			g_ptr_array_add(w, *p);

	if (w->len == 0) {
		why = g_strdup_printf("\"%s\" has no style: give at least a colour, e.g. \"%s = default\"", key, key);
		goto out;
	}
	if (!parse_colour(g_ptr_array_index(w, 0), &s.fg)) {
		const char *first = g_ptr_array_index(w, 0);
		unsigned flag;
		if (parse_attr(first, &flag)) {
			char *q = shown0(first);
			why = g_strdup_printf("a style starts with a colour: write \"default %s\" for %s alone", q, q);
			g_free(q);
		} else if (g_ascii_strcasecmp(first, "on") == 0) {
			why = g_strdup("a style starts with the foreground colour: write \"default on BLUE\" "
			               "for a background alone");
		} else {
			why = unknown_colour(first);
		}
		goto out;
	}
	i = 1;
	if (i < w->len && g_ascii_strcasecmp(g_ptr_array_index(w, i), "on") == 0) {
		if (i + 1 >= w->len) {
			why = g_strdup("\"on\" needs a background colour after it, e.g. \"white on blue\"");
			goto out;
		}
		if (!parse_colour(g_ptr_array_index(w, i + 1), &s.bg)) {
			why = unknown_colour(g_ptr_array_index(w, i + 1));
			goto out;
		}
		i += 2;
	}
	for (; i < w->len; i++) {
		const char *word = g_ptr_array_index(w, i);
		unsigned flag;
		short colour;

		if (parse_attr(word, &flag)) {
			s.attrs |= flag;
			continue;
		}
		if (g_ascii_strcasecmp(word, "on") == 0) {
			why = g_strdup("\"on BACKGROUND\" goes right after the foreground colour, "
			               "e.g. \"white on blue bold\"");
		} else if (parse_colour(word, &colour)) {
			char *q = shown0(word);
			why = g_strdup_printf("\"%s\" is a colour where an attribute was expected: a style has one "
			                      "foreground colour; write \"on %s\" right after it for a background",
			                      q, q);
			g_free(q);
		} else if (word[0] == '#') {
			why = unknown_colour(word);
		} else {
			char *q = shown0(word);
			why = g_strdup_printf("unknown attribute \"%s\": " ATTRS_HELP, q);
			g_free(q);
		}
		goto out;
	}
	*style = s;
out:
	g_ptr_array_free(w, TRUE);
	g_strfreev(words);
	return why;
}

/* ---- parsing --------------------------------------------------------- */

/* The first problem in the text, by line: several may be found, and the
 * one reported should be the one a person reading from the top meets
 * first. */
typedef struct problem {
	size_t line;
	char *why;
} problem;

static void note(problem *pr, size_t line, char *why)
{
	if (!pr->why || line < pr->line) {
		g_free(pr->why);
		pr->why = why;
		pr->line = line;
	} else {
		g_free(why);
	}
}

static char *unknown_element(const char *key)
{
	GPtrArray *known = g_ptr_array_new();
	GString *all = g_string_new(NULL);
	char *close, *q, *why;

	for (int i = 0; i < PW_EL_COUNT; i++) {
		g_ptr_array_add(known, (gpointer)(guintptr)element_keys[i]);
		g_string_append_printf(all, "%s%s", i ? ", " : "", element_keys[i]);
	}
	close = pw_text_close_matches(key, known, 3);
	q = shown0(key);
	if (close)
		why = g_strdup_printf("unknown element \"%s\": did you mean %s? (known: %s)", q, close, all->str);
	else
		why = g_strdup_printf("unknown element \"%s\" (known: %s)", q, all->str);
	g_free(q);
	g_free(close);
	g_string_free(all, TRUE);
	g_ptr_array_free(known, TRUE);
	return why;
}

static int element_of(const char *key)
{
	for (int i = 0; i < PW_EL_COUNT; i++)
		if (strcmp(key, element_keys[i]) == 0)
			return i;
	return -1;
}

static void read_description(GKeyFile *kf, GArray *lines, pw_theme *t, problem *pr)
{
	GError *gerr = NULL;
	char *d = g_key_file_get_string(kf, GROUP_THEME, "description", &gerr);
	size_t line = key_line(lines, GROUP_THEME, "description");

	if (!d) {
		note(pr, line, g_strdup_printf("the description cannot be read (%s): write \"\\\\\" for a backslash",
		                               gerr->message));
		g_error_free(gerr);
		return;
	}
	for (char *p = d; *p; p = g_utf8_next_char(p)) {
		if (g_unichar_iscntrl(g_utf8_get_char(p))) {
			note(pr, line, g_strdup("the description has a control character (an escape such as \\n): "
			                        "keep it to one line of plain text"));
			g_free(d);
			return;
		}
	}
	copy_utf8(t->description, sizeof t->description, d);
	g_free(d);
}

static void read_group(GKeyFile *kf, GArray *lines, const char *group, pw_theme *t, problem *pr)
{
	char **keys = g_key_file_get_keys(kf, group, NULL, NULL);
	bool elements = strcmp(group, GROUP_ELEMENTS) == 0;

	for (char **k = keys; k && *k; k++) {
		size_t line = key_line(lines, group, *k);
		char *value;
		int el;

		if (!elements) {
			if (strcmp(*k, "description") == 0) {
				read_description(kf, lines, t, pr);
			} else {
				char *q = shown0(*k);
				note(pr, line, g_strdup_printf("unknown key \"%s\" in [theme]: the only key there is "
				                               "description; styles go under [elements]", q));
				g_free(q);
			}
			continue;
		}
		el = element_of(*k);
		if (el < 0) {
			note(pr, line, unknown_element(*k));
			continue;
		}
		/* The raw value: a style has no use for GKeyFile's escapes. */
		value = g_key_file_get_value(kf, group, *k, NULL);
		if (value) {
			char *why = parse_style(*k, value, &t->el[el]);
			if (why)
				note(pr, line, why);
			g_free(value);
		}
	}
	g_strfreev(keys);
}

/* pw_theme_parse with a base that is never NULL, so that the built-in
 * theme can be parsed on top of a blank one. */
static pw_code parse_theme(const char *text, size_t len, const char *origin, const pw_theme *base,
                           pw_theme *out, pw_error *err)
{
	const char *bad_utf8 = NULL;
	GKeyFile *kf;
	GArray *lines;
	GError *gerr = NULL;
	char **groups;
	problem pr = { 0, NULL };
	pw_theme t;

	if (!origin || !*origin)
		origin = "theme";
	if (!text)
		text = "";
	if (len > THEME_MAX_BYTES)
		return pw_fail(err, PW_E_INVALID, "%s:%zu: the file is %zu bytes and a theme may be at most %d "
		               "(64 KiB): is this the right file?", origin, line_at(text, THEME_MAX_BYTES), len,
		               THEME_MAX_BYTES);
	if (!g_utf8_validate(text, (gssize)len, &bad_utf8)) {
		size_t at = (size_t)(bad_utf8 - text);
		return pw_fail(err, PW_E_INVALID, "%s:%zu: %s: save the file as UTF-8 text", origin,
		               line_at(text, at), *bad_utf8 ? "the text is not valid UTF-8" : "the text has a NUL byte");
	}

	t = *base;
	t.name[0] = '\0';
	t.path[0] = '\0';
	t.description[0] = '\0';

	lines = index_lines(text, len);
	kf = g_key_file_new();
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &gerr)) {
		const char *why = NULL;
		size_t line = first_bad_line(lines, &why);

		if (line)
			pw_fail(err, PW_E_INVALID, "%s:%zu: %s", origin, line, why);
		else
			pw_fail(err, PW_E_INVALID, "%s:1: %s", origin, gerr->message);
		g_error_free(gerr);
		g_key_file_free(kf);
		g_array_free(lines, TRUE);
		return PW_E_INVALID;
	}

	groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++) {
		if (strcmp(*g, GROUP_THEME) == 0 || strcmp(*g, GROUP_ELEMENTS) == 0) {
			read_group(kf, lines, *g, &t, &pr);
		} else {
			char *q = shown0(*g);
			note(&pr, group_line(lines, *g),
			     g_strdup_printf("unknown group \"[%s]\": a theme has only [theme] and [elements]", q));
			g_free(q);
		}
	}
	g_strfreev(groups);
	g_key_file_free(kf);
	g_array_free(lines, TRUE);

	if (pr.why) {
		pw_fail(err, PW_E_INVALID, "%s:%zu: %s", origin, pr.line, pr.why);
		g_free(pr.why);
		return PW_E_INVALID;
	}
	*out = t;
	return PW_OK;
}

void pw_theme_builtin(pw_theme *out)
{
	/* Parsed once: pw_theme_parse needs it as the base of every theme. */
	static pw_theme cached;
	static gsize ready;

	if (g_once_init_enter(&ready)) {
		pw_theme blank;
		pw_error err = { 0 };

		memset(&blank, 0, sizeof blank);
		for (int i = 0; i < PW_EL_COUNT; i++)
			blank.el[i] = (pw_style){ PW_COLOR_DEFAULT, PW_COLOR_DEFAULT, 0 };
		if (parse_theme(pw_theme_builtin_text, pw_theme_builtin_len, "themes/default.theme (built in)", &blank,
		                &cached, &err) != PW_OK)
			g_error("the built-in theme is broken: %s", err.message);
		g_strlcpy(cached.name, "default", sizeof cached.name);
		g_once_init_leave(&ready, 1);
	}
	*out = cached;
}

pw_code pw_theme_parse(const char *text, size_t len, const char *origin, const pw_theme *base,
                       pw_theme *out, pw_error *err)
{
	pw_theme builtin;

	if (!base) {
		pw_theme_builtin(&builtin);
		base = &builtin;
	}
	return parse_theme(text, len, origin, base, out, err);
}

/* ---- finding themes -------------------------------------------------- */

static void add_dir(GPtrArray *dirs, char *dir)
{
	for (guint i = 0; i < dirs->len; i++) {
		if (strcmp(g_ptr_array_index(dirs, i), dir) == 0) {
			g_free(dir);
			return;
		}
	}
	g_ptr_array_add(dirs, dir);
}

/* <build tree>/themes when this binary runs from a build tree (as
 * <build tree>/src/pinwarden or a test program): the themes of the
 * source it was built from, before they are installed. */
static char *uninstalled_dir(void)
{
	char *exe = g_file_read_link("/proc/self/exe", NULL);
	char *bindir, *parent, *dir, *probe;
	bool found;

	if (!exe)
		return NULL;
	bindir = g_path_get_dirname(exe);
	parent = g_path_get_dirname(bindir);
	dir = g_build_filename(parent, "themes", NULL);
	probe = g_build_filename(dir, "default.theme", NULL);
	found = g_file_test(probe, G_FILE_TEST_IS_REGULAR);
	g_free(probe);
	g_free(parent);
	g_free(bindir);
	g_free(exe);
	if (!found) {
		g_free(dir);
		return NULL;
	}
	return dir;
}

char **pw_theme_dirs(void)
{
	GPtrArray *dirs = g_ptr_array_new();
	const char *env = g_getenv("PINWARDEN_THEMES_DIR");
	/* Not g_get_user_config_dir(): GLib reads the environment once and
	 * keeps it, and the tests change it. The XDG spec says to ignore a
	 * relative $XDG_CONFIG_HOME. */
	const char *xdg = g_getenv("XDG_CONFIG_HOME");
	char *beside;

	if (env && *env)
		add_dir(dirs, g_strdup(env));
	if (xdg && g_path_is_absolute(xdg)) {
		add_dir(dirs, g_build_filename(xdg, "pinwarden", "themes", NULL));
	} else {
		const char *home = g_getenv("HOME");
		if (!home || !*home)
			home = g_get_home_dir();
		add_dir(dirs, g_build_filename(home, ".config", "pinwarden", "themes", NULL));
	}
	beside = uninstalled_dir();
	if (beside)
		add_dir(dirs, beside);
	add_dir(dirs, g_strdup(PW_THEMEDIR));
	g_ptr_array_add(dirs, NULL);
	return (char **)g_ptr_array_free(dirs, FALSE);
}

/* A name is looked up as NAME.theme in each folder, so it must not be
 * able to step out of them: letters, digits, "-" and "_" only. */
static bool is_theme_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_key_char(*s))
			return false;
	return true;
}

static int compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char **pw_theme_list(void)
{
	char **dirs = pw_theme_dirs();
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *out = g_ptr_array_new();

	g_ptr_array_add(names, g_strdup("default"));
	for (char **d = dirs; *d; d++) {
		GDir *dir = g_dir_open(*d, 0, NULL);
		const char *entry;

		if (!dir)
			continue;
		while ((entry = g_dir_read_name(dir))) {
			char *name, *path;

			if (!g_str_has_suffix(entry, ".theme"))
				continue;
			name = g_strndup(entry, strlen(entry) - strlen(".theme"));
			path = g_build_filename(*d, entry, NULL);
			if (is_theme_name(name) && strlen(name) < G_SIZEOF_MEMBER(pw_theme, name) &&
			    g_file_test(path, G_FILE_TEST_IS_REGULAR))
				g_ptr_array_add(names, name);
			else
				g_free(name);
			g_free(path);
		}
		g_dir_close(dir);
	}
	g_strfreev(dirs);

	g_ptr_array_sort(names, compare_names);
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		if (i == 0 || strcmp(name, g_ptr_array_index(names, i - 1)) != 0)
			g_ptr_array_add(out, g_strdup(name));
	}
	g_ptr_array_free(names, TRUE);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* The name of a theme given by path: its file name without ".theme", made
 * displayable (file names need not be UTF-8, and may hold control
 * characters). */
static void name_from_path(const char *path, char *name, size_t size)
{
	char *base = g_filename_display_basename(path);

	if (g_str_has_suffix(base, ".theme") && strlen(base) > strlen(".theme"))
		base[strlen(base) - strlen(".theme")] = '\0';
	for (char *p = base; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	copy_utf8(name, size, base);
	g_free(base);
}

static pw_code load_file(const char *path, const char *name, pw_theme *out, pw_error *err)
{
	GStatBuf st;
	GError *gerr = NULL;
	char *text = NULL;
	gsize len = 0;
	pw_theme t;
	pw_code rc;

	if (g_stat(path, &st) != 0) {
		int e = errno;
		if (e == ENOENT || e == ENOTDIR)
			return pw_fail(err, PW_E_NOT_FOUND, "no theme file %s: check the path (a theme name without "
			               "a \"/\" is looked up in the theme folders)", path);
		return pw_fail(err, PW_E_IO, "cannot read the theme file %s: %s", path, g_strerror(e));
	}
	/* Checked before reading, so that a device or a huge file given by
	 * mistake is never read whole. */
	if (!S_ISREG(st.st_mode))
		return pw_fail(err, PW_E_INVALID, "%s is not a theme file: it is not a regular file", path);
	if (st.st_size > THEME_MAX_BYTES)
		return pw_fail(err, PW_E_INVALID, "%s is %lld bytes and a theme may be at most %d (64 KiB): "
		               "is this the right file?", path, (long long)st.st_size, THEME_MAX_BYTES);
	if (strlen(path) >= sizeof out->path)
		return pw_fail(err, PW_E_INVALID, "the theme path is %zu bytes long; the limit is %zu: "
		               "move the theme to a shorter path", strlen(path), sizeof out->path - 1);
	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		rc = pw_fail(err, PW_E_IO, "cannot read the theme: %s", gerr->message);
		g_error_free(gerr);
		return rc;
	}
	rc = pw_theme_parse(text, len, path, NULL, &t, err);
	g_free(text);
	if (rc != PW_OK)
		return rc;
	if (name)
		g_strlcpy(t.name, name, sizeof t.name);
	else
		name_from_path(path, t.name, sizeof t.name);
	g_strlcpy(t.path, path, sizeof t.path);
	*out = t;
	return PW_OK;
}

pw_code pw_theme_load(const char *name, pw_theme *out, pw_error *err)
{
	char **dirs, **names, *where, *have, *q;
	pw_code rc;

	if (!name || !*name)
		return pw_fail(err, PW_E_INVALID, "no theme name given: give a name such as default or light, "
		               "or a path with a \"/\" in it");
	if (strchr(name, '/'))
		return load_file(name, NULL, out, err);
	if (!is_theme_name(name) || strlen(name) >= sizeof out->name) {
		q = shown0(name);
		rc = pw_fail(err, PW_E_INVALID, "\"%s\" is not a theme name: a name is up to %zu letters, digits, "
		             "\"-\" and \"_\"; to load a file, give its path with a \"/\" in it, e.g. ./%s",
		             q, sizeof out->name - 1, q);
		g_free(q);
		return rc;
	}

	dirs = pw_theme_dirs();
	for (char **d = dirs; *d; d++) {
		char *file = g_strconcat(name, ".theme", NULL);
		char *path = g_build_filename(*d, file, NULL);
		g_free(file);
		if (g_file_test(path, G_FILE_TEST_EXISTS)) {
			rc = load_file(path, name, out, err);
			g_free(path);
			g_strfreev(dirs);
			return rc;
		}
		g_free(path);
	}
	if (strcmp(name, "default") == 0) {
		g_strfreev(dirs);
		pw_theme_builtin(out);
		return PW_OK;
	}
	where = g_strjoinv(", ", dirs);
	names = pw_theme_list();
	have = g_strjoinv(", ", names);
	rc = pw_fail(err, PW_E_NOT_FOUND, "no theme \"%s\" in %s; themes here: %s", name, where, have);
	g_free(have);
	g_strfreev(names);
	g_free(where);
	g_strfreev(dirs);
	return rc;
}
