/* theme.h: how the console looks, read from themes/NAME.theme files.
 *
 * A theme is a GKeyFile. Its [elements] group names, for each element of
 * the screen below, a foreground colour, optionally "on" a background
 * colour, then attributes: "white on blue bold", "red reverse", "default".
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-black ... bright-white (8-15), color0 ... color255. Attributes:
 * bold, dim, underline, reverse, standout, italic. An element a theme does
 * not name keeps the built-in default's style. The built-in default is
 * themes/default.theme, compiled in, so the console always has a theme. */
#ifndef PINWARDEN_THEME_H
#define PINWARDEN_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "pinwarden/error.h"

/* X(ENUM, "key", "what it colours"): the one list of screen elements. */
#define PW_THEME_ELEMENTS(X) \
	X(NORMAL, "normal", "text in panes") \
	X(DIM, "dim", "secondary text: times, ids, counts") \
	X(BORDER, "border", "pane borders") \
	X(TITLE, "title", "the title of a pane") \
	X(TITLE_FOCUSED, "title-focused", "the title of the pane with the focus") \
	X(SELECTED, "selected", "the selected row of the pane with the focus") \
	X(SELECTED_INACTIVE, "selected-inactive", "the selected row of other panes") \
	X(STATUS, "status", "the status line at the top") \
	X(STATUS_ALERT, "status-alert", "failed, unknown and paused counts above zero") \
	X(KEYBAR, "keybar", "the key bar at the bottom") \
	X(KEYBAR_KEY, "keybar-key", "key names in the key bar") \
	X(STATE_GOOD, "state-good", "published jobs, verified accounts, in-scope boards") \
	X(STATE_WAITING, "state-waiting", "queued, sending and retrying jobs; accounts not yet verified") \
	X(STATE_FAILED, "state-failed", "failed jobs, mismatched accounts") \
	X(STATE_UNKNOWN, "state-unknown", "jobs whose outcome is unknown") \
	X(STATE_PAUSED, "state-paused", "paused jobs, accounts that need reconnecting") \
	X(STATE_GONE, "state-gone", "cancelled jobs, disconnected accounts, archived clients") \
	X(LOG_KIND, "log-kind", "the kind of an event in the log") \
	X(LOG_OPERATOR, "log-operator", "who did it, in the log") \
	X(HEADING, "heading", "headings in detail views and the help screen") \
	X(HELP_KEY, "help-key", "key names on the help screen") \
	X(PROMPT, "prompt", "the filter prompt and what is typed in it") \
	X(MESSAGE, "message", "messages on the bottom line") \
	X(ERROR, "error", "errors on the bottom line") \
	X(CONFIRM, "confirm", "what a confirmation screen asks to check")

typedef enum pw_theme_element {
#define PW_THEME_ENUM(e, key, help) PW_EL_##e,
	PW_THEME_ELEMENTS(PW_THEME_ENUM)
#undef PW_THEME_ENUM
	PW_EL_COUNT
} pw_theme_element;

enum {
	PW_STYLE_BOLD = 1 << 0,
	PW_STYLE_DIM = 1 << 1,
	PW_STYLE_UNDERLINE = 1 << 2,
	PW_STYLE_REVERSE = 1 << 3,
	PW_STYLE_STANDOUT = 1 << 4,
	PW_STYLE_ITALIC = 1 << 5,
};

#define PW_COLOR_DEFAULT (-1)

typedef struct pw_style {
	short fg, bg;      /* 0-255, or PW_COLOR_DEFAULT */
	unsigned attrs;    /* PW_STYLE_* */
} pw_style;

typedef struct pw_theme {
	char name[64];     /* "default", or the file's base name */
	char path[4096];   /* the file read, "" for the built-in one */
	char description[200];
	pw_style el[PW_EL_COUNT];
} pw_theme;

/* The key and help text of an element. */
const char *pw_theme_element_key(pw_theme_element e);
const char *pw_theme_element_help(pw_theme_element e);

/* The built-in default theme (never fails: it is checked by the tests). */
void pw_theme_builtin(pw_theme *out);

/* Parses theme text. Elements it does not name keep base's style (the
 * built-in default when base is NULL). `origin` names the file in
 * messages. An unknown group or element, an unknown colour or attribute,
 * or a syntax error fails with PW_E_INVALID and a message
 * "ORIGIN:LINE: reason"; *out is then untouched. So do an empty value,
 * text that is not UTF-8 and text over 64 KiB. On success out->name and
 * out->path are "" (pw_theme_load fills them in) and out->description is
 * the text's own, "" when it has none. */
pw_code pw_theme_parse(const char *text, size_t len, const char *origin, const pw_theme *base,
                       pw_theme *out, pw_error *err);

/* Where themes are looked for, in order, NULL-terminated (g_strfreev):
 * $PINWARDEN_THEMES_DIR, $XDG_CONFIG_HOME/pinwarden/themes (or
 * ~/.config/...), the themes folder beside an uninstalled binary, the
 * installed PW_THEMEDIR. */
char **pw_theme_dirs(void);

/* Loads a theme by name (NAME.theme in the folders above; "default" is
 * the built-in one when no file overrides it) or by path (a name with a
 * '/' in it). A missing theme fails with PW_E_NOT_FOUND naming the
 * folders searched and the themes that exist. */
pw_code pw_theme_load(const char *name, pw_theme *out, pw_error *err);

/* The names of the themes found in the folders, sorted, without
 * duplicates, "default" always among them (g_strfreev). */
char **pw_theme_list(void);

#endif
