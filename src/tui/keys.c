#include "config.h"

#include "pinwarden/keys.h"

#include <string.h>

#include <curses.h>

#include "pinwarden/text.h"

/* ---- actions --------------------------------------------------------- */

static const struct {
	const char *name;
	const char *keys;
	const char *help;
} actions[PW_ACT_COUNT] = {
#define PW_ACTION_ROW(e, n, k, h) [PW_ACT_##e] = { n, k, h },
	PW_ACTIONS(PW_ACTION_ROW)
#undef PW_ACTION_ROW
};

static bool is_action(pw_action a)
{
	return a > PW_ACT_NONE && a < PW_ACT_COUNT;
}

const char *pw_action_name(pw_action a)
{
	return is_action(a) ? actions[a].name : NULL;
}

const char *pw_action_help(pw_action a)
{
	return is_action(a) ? actions[a].help : NULL;
}

pw_action pw_action_find(const char *name)
{
	for (int a = PW_ACT_NONE + 1; name && a < PW_ACT_COUNT; a++)
		if (strcmp(actions[a].name, name) == 0)
			return (pw_action)a;
	return PW_ACT_NONE;
}

/* ---- key names ------------------------------------------------------- */

#define FN(code) (PW_KEY_FN | (code))

/* The named keys, canonical spelling first: pw_key_name gives the first
 * name listed for a key. Backspace comes as 127 or 8 from most terminals,
 * but pw_key_from_curses folds both into the curses code, so that is the
 * one key bindings hold. */
static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "Space", ' ' },
	{ "Tab", '\t' },
	{ "S-Tab", FN(KEY_BTAB) },
	{ "Enter", '\n' },
	{ "Esc", 27 },
	{ "Backspace", FN(KEY_BACKSPACE) },
	{ "Delete", FN(KEY_DC) },
	{ "Insert", FN(KEY_IC) },
	{ "Up", FN(KEY_UP) },
	{ "Down", FN(KEY_DOWN) },
	{ "Left", FN(KEY_LEFT) },
	{ "Right", FN(KEY_RIGHT) },
	{ "PageUp", FN(KEY_PPAGE) },
	{ "PageDown", FN(KEY_NPAGE) },
	{ "Home", FN(KEY_HOME) },
	{ "End", FN(KEY_END) },
};

#define PW_KEY_F_MAX 12

/* What the terminal sends for Ctrl and a letter is the letter's position in
 * the alphabet; a few of those are also other keys, and the terminal cannot
 * tell them apart, so they are parsed as the key the console will see. */
static int ctrl_letter(char letter)
{
	int code = letter - 'a' + 1;
	switch (code) {
	case 8: /* C-h */
		return FN(KEY_BACKSPACE);
	case 13: /* C-m */
		return '\n';
	default:
		return code; /* C-i is Tab (9) and C-j Enter (10) already */
	}
}

int pw_key_from_curses(int rc, unsigned int wch)
{
	if (rc == KEY_CODE_YES) {
		if (wch == KEY_ENTER)
			return '\n';
		return FN((int)wch);
	}
	if (rc != OK || wch > 0x10FFFF)
		return -1;
	switch (wch) {
	case '\r':
	case '\n':
		return '\n';
	case 8:
	case 127:
		return FN(KEY_BACKSPACE);
	default:
		return (int)wch;
	}
}

bool pw_key_parse(const char *name, int *key)
{
	gunichar c;

	if (!name || !*name)
		return false;
	/* A single character is always that character: "F" is the letter. */
	c = g_utf8_get_char_validated(name, -1);
	if (c != (gunichar)-1 && c != (gunichar)-2 && name[g_unichar_to_utf8(c, NULL)] == '\0') {
		if (!g_unichar_isgraph(c))
			return false;
		*key = (int)c;
		return true;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(named_keys); i++) {
		if (g_ascii_strcasecmp(name, named_keys[i].name) == 0) {
			*key = named_keys[i].key;
			return true;
		}
	}
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		int n = name[1] - '0';
		if (name[2] >= '0' && name[2] <= '9' && name[3] == '\0')
			n = n * 10 + (name[2] - '0');
		else if (name[2] != '\0')
			return false;
		if (n > PW_KEY_F_MAX)
			return false;
		*key = FN(KEY_F(n));
		return true;
	}
	/* The letter is lower-case only: "C-L" would promise Ctrl-Shift-L,
	 * which a terminal sends the same as Ctrl-L. */
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z' && name[3] == '\0') {
		*key = ctrl_letter(name[2]);
		return true;
	}
	return false;
}

char *pw_key_name(int key)
{
	char buf[8];

	for (size_t i = 0; i < G_N_ELEMENTS(named_keys); i++)
		if (named_keys[i].key == key)
			return g_strdup(named_keys[i].name);
	if (key & PW_KEY_FN) {
		int code = key & ~PW_KEY_FN;
		if (code >= KEY_F(1) && code <= KEY_F(PW_KEY_F_MAX))
			return g_strdup_printf("F%d", code - KEY_F0);
		/* No name to bind it by; still say which key it was. */
		return g_strdup_printf("<key 0%o>", code);
	}
	/* The keys pw_key_from_curses folds into others keep those names. */
	switch (key) {
	case '\r':
		return g_strdup("Enter");
	case 8:
	case 127:
		return g_strdup("Backspace");
	default:
		break;
	}
	if (key >= 1 && key <= 26)
		return g_strdup_printf("C-%c", 'a' + key - 1);
	if (key > 0 && g_unichar_validate((gunichar)key) && g_unichar_isgraph((gunichar)key)) {
		buf[g_unichar_to_utf8((gunichar)key, buf)] = '\0';
		return g_strdup(buf);
	}
	return g_strdup_printf("<U+%04X>", (unsigned)key);
}

/* ---- the keymap ------------------------------------------------------ */

/* More keys than this for one action would not fit the help screen. */
#define PW_KEYMAP_MAX_KEYS 8

struct pw_keymap {
	int keys[PW_ACT_COUNT][PW_KEYMAP_MAX_KEYS];
	int n[PW_ACT_COUNT];
};

/* Adds a key to an action's list, once. False when the list is full. */
static bool add_key(pw_keymap *map, pw_action a, int key)
{
	for (int i = 0; i < map->n[a]; i++)
		if (map->keys[a][i] == key)
			return true;
	if (map->n[a] == PW_KEYMAP_MAX_KEYS)
		return false;
	map->keys[a][map->n[a]++] = key;
	return true;
}

pw_keymap *pw_keymap_new(void)
{
	pw_keymap *map = g_new0(pw_keymap, 1);

	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++) {
		char **names = g_strsplit(actions[a].keys, " ", -1);
		for (char **k = names; *k; k++) {
			int key;
			/* The table is ours: tests/unit/test_keys proves it parses. */
			if (!pw_key_parse(*k, &key) || !add_key(map, (pw_action)a, key))
				g_critical("keys.h: the default key '%s' of %s is not usable", *k, actions[a].name);
		}
		g_strfreev(names);
	}
	return map;
}

void pw_keymap_free(pw_keymap *map)
{
	g_free(map);
}

pw_action pw_keymap_lookup(const pw_keymap *map, int key)
{
	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++)
		for (int i = 0; i < map->n[a]; i++)
			if (map->keys[a][i] == key)
				return (pw_action)a;
	return PW_ACT_NONE;
}

char *pw_keymap_keys_text(const pw_keymap *map, pw_action a)
{
	GString *s = g_string_new("");

	for (int i = 0; is_action(a) && i < map->n[a]; i++) {
		char *name = pw_key_name(map->keys[a][i]);
		g_string_append_printf(s, "%s%s", i ? ", " : "", name);
		g_free(name);
	}
	return g_string_free(s, FALSE);
}

char *pw_keymap_first_key(const pw_keymap *map, pw_action a)
{
	return is_action(a) && map->n[a] > 0 ? pw_key_name(map->keys[a][0]) : NULL;
}

/* What a key name can be, for the message that rejects one. */
#define PW_KEY_FORMS \
	"a single character as itself (j, ?, \xc3\xa9), Space, Tab, S-Tab, Enter, Esc, Backspace, Delete, " \
	"Insert, Up, Down, Left, Right, PageUp, PageDown, Home, End, F1 to F12, or C-a to C-z"

static pw_code unknown_action(const char *path, const char *name, pw_error *err)
{
	GPtrArray *names = g_ptr_array_new();
	char *close;

	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++)
		g_ptr_array_add(names, (gpointer)(guintptr)actions[a].name);
	close = pw_text_close_matches(name, names, 3);
	pw_fail(err, PW_E_INVALID, "%s: [keys] %s: there is no such action; %s%s%suse an action name that "
	        "'pinwarden help keys' lists", path, name, close ? "did you mean " : "", close ? close : "",
	        close ? "? " : "");
	g_free(close);
	g_ptr_array_unref(names);
	return PW_E_INVALID;
}

/* Replaces an action's keys with those the value names. */
static pw_code set_keys(pw_keymap *map, pw_action a, const char *value, const char *path, pw_error *err)
{
	char **names = g_strsplit_set(value, " \t", -1);
	pw_code rc = PW_OK;

	map->n[a] = 0;
	for (char **k = names; rc == PW_OK && *k; k++) {
		int key;
		if (!**k)
			continue;
		if (!pw_key_parse(*k, &key))
			rc = pw_fail(err, PW_E_INVALID, "%s: [keys] %s: '%s' is not a key name; write the keys separated by "
			             "spaces, each one of: " PW_KEY_FORMS, path, actions[a].name, *k);
		else if (!add_key(map, a, key))
			rc = pw_fail(err, PW_E_INVALID, "%s: [keys] %s: more than %d keys; give the action at most %d",
			             path, actions[a].name, PW_KEYMAP_MAX_KEYS, PW_KEYMAP_MAX_KEYS);
	}
	g_strfreev(names);
	return rc;
}

/* A key of two actions would run only the first one. Named after the
 * action the group set, since that is the line to fix. */
static pw_code check_conflicts(const pw_keymap *map, const bool *set, const char *path, pw_error *err)
{
	for (int a = PW_ACT_NONE + 1; a < PW_ACT_COUNT; a++) {
		for (int i = 0; i < map->n[a]; i++) {
			pw_action b = pw_keymap_lookup(map, map->keys[a][i]);
			if (b != (pw_action)a) {
				pw_action named = set[a] ? (pw_action)a : b, other = named == b ? (pw_action)a : b;
				char *key = pw_key_name(map->keys[a][i]);
				pw_fail(err, PW_E_INVALID, "%s: [keys] %s: the key %s is also the key of %s; choose another key "
				        "here, or set [keys] %s to keys without %s", path, actions[named].name, key,
				        actions[other].name, actions[other].name, key);
				g_free(key);
				return PW_E_INVALID;
			}
		}
	}
	return PW_OK;
}

pw_code pw_keymap_configure(pw_keymap *map, GKeyFile *kf, const char *path, pw_error *err)
{
	static const pw_action required[] = { PW_ACT_QUIT, PW_ACT_HELP };
	pw_keymap copy = *map;
	bool set[PW_ACT_COUNT] = { false };
	char **names;
	pw_code rc = PW_OK;

	if (!g_key_file_has_group(kf, "keys"))
		return PW_OK;
	names = g_key_file_get_keys(kf, "keys", NULL, NULL);
	for (char **k = names; rc == PW_OK && k && *k; k++) {
		pw_action a = pw_action_find(*k);
		char *value;
		if (a == PW_ACT_NONE) {
			rc = unknown_action(path, *k, err);
			break;
		}
		/* Read as written, without the key file's escapes, so that a
		 * backslash is the backslash key. */
		value = g_key_file_get_value(kf, "keys", *k, NULL);
		rc = set_keys(&copy, a, value ? value : "", path, err);
		set[a] = true;
		g_free(value);
	}
	g_strfreev(names);
	if (rc == PW_OK)
		rc = check_conflicts(&copy, set, path, err);
	for (size_t i = 0; rc == PW_OK && i < G_N_ELEMENTS(required); i++) {
		pw_action a = required[i];
		if (copy.n[a] == 0)
			rc = pw_fail(err, PW_E_INVALID, "%s: [keys] %s: the action needs a key, or the console could not %s; "
			             "give it at least one (by default: %s)", path, actions[a].name,
			             a == PW_ACT_QUIT ? "be left" : "show its keys", actions[a].keys);
	}
	if (rc == PW_OK)
		*map = copy;
	return rc;
}
