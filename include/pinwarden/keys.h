/* keys.h: the console's actions and the keys that run them.
 *
 * PW_ACTIONS is the one list: each action's name (used in the config
 * file's [keys] group), its default keys, and its help line. The help
 * screen, the key bar, `pinwarden help keys` and the man page's KEYS
 * section all come from it. */
#ifndef PINWARDEN_KEYS_H
#define PINWARDEN_KEYS_H

#include <glib.h>
#include <stdbool.h>

#include "pinwarden/error.h"

/* X(ENUM, "name", "default keys, space-separated", "help line") */
#define PW_ACTIONS(X) \
	X(UP, "up", "Up k", "move up one row") \
	X(DOWN, "down", "Down j", "move down one row") \
	X(PAGE_UP, "page-up", "PageUp C-b", "move up one page") \
	X(PAGE_DOWN, "page-down", "PageDown C-f Space", "move down one page") \
	X(FIRST, "first", "Home g", "go to the first row") \
	X(LAST, "last", "End G", "go to the last row") \
	X(NEXT_PANE, "next-pane", "Tab Right l", "focus the next pane") \
	X(PREV_PANE, "prev-pane", "S-Tab Left h", "focus the previous pane") \
	X(PANE_CLIENTS, "pane-clients", "1", "focus the clients pane") \
	X(PANE_ACCOUNTS, "pane-accounts", "2", "focus the accounts pane") \
	X(PANE_BOARDS, "pane-boards", "3", "focus the boards pane") \
	X(PANE_QUEUE, "pane-queue", "4", "focus the queue pane") \
	X(PANE_LOG, "pane-log", "5", "focus the log pane") \
	X(DETAILS, "details", "Enter", "show the selected row in full") \
	X(FILTER, "filter", "/", "filter the focused pane (the help screen lists the forms)") \
	X(BACK, "back", "Esc", "close the view, or clear the pane's filter") \
	X(STATE_FILTER, "state-filter", "f", "queue: the next group of states (open, failed, ...)") \
	X(CLIENT_SCOPE, "client-scope", "c", "queue, log: the selected client only, or all") \
	X(FOLLOW, "follow", "F", "log: jump to the newest event and follow it") \
	X(PUBLISH, "publish", "p", "publish a Pin: choose client, account and board, then confirm") \
	X(ONBOARD, "onboard", "a", "onboard a new client: name, contact, accounts, boards, domains") \
	X(CONNECT, "connect", "C", "accounts: connect the selected account (the client approves)") \
	X(OFFBOARD, "offboard", "O", "clients: offboard the selected client") \
	X(RETRY, "retry", "r", "queue: retry the selected failed or cancelled job") \
	X(CANCEL_JOB, "cancel-job", "x", "queue: cancel the selected job") \
	X(RESCHEDULE, "reschedule", "s", "queue: give the selected job a new time") \
	X(RESOLVE, "resolve", "R", "queue: settle an unknown job (published or not)") \
	X(NEXT_PROBLEM, "next-problem", "!", "queue: go to the next failed or unknown job") \
	X(REDRAW, "redraw", "C-l", "redraw the whole screen") \
	X(HELP, "help", "? F1", "show this help") \
	X(QUIT, "quit", "q", "quit the console (Ctrl-C too)")

typedef enum pw_action {
	PW_ACT_NONE = 0,
#define PW_ACTION_ENUM(e, name, keys, help) PW_ACT_##e,
	PW_ACTIONS(PW_ACTION_ENUM)
#undef PW_ACTION_ENUM
	PW_ACT_COUNT
} pw_action;

/* A key as the console sees it: a Unicode character (control characters
 * included: Tab is 9, Enter 10, Esc 27), or a curses function key code
 * (KEY_DOWN, KEY_F(1), ...) with PW_KEY_FN added. */
#define PW_KEY_FN 0x40000000

/* Normalizes what wget_wch returned (rc OK or KEY_CODE_YES): Enter is 10
 * whether it came as \r, \n or KEY_ENTER; Backspace is PW_KEY_FN |
 * KEY_BACKSPACE whether it came as 127, 8 or KEY_BACKSPACE. Any other rc
 * (ERR) gives -1, which is no key. */
int pw_key_from_curses(int rc, unsigned int wch);

/* Key names: a printable character as itself ("j", "?", "é"), Space,
 * Tab, S-Tab, Enter, Esc, Backspace, Delete, Insert, Up, Down, Left,
 * Right, PageUp, PageDown, Home, End, F1 ... F12, C-a ... C-z. Parsing
 * ignores letter case in the names ("pageup", "s-tab", "f1", "c-l"), not
 * in single characters ("G" is not "g"), and takes only a lower-case
 * letter after C- ("C-L" would promise Ctrl-Shift-L, which terminals send
 * as Ctrl-L). Some Ctrl keys are other keys to the terminal, so they parse
 * as those: C-i is Tab, C-j and C-m are Enter, C-h is Backspace.
 * pw_key_name gives the canonical spelling, which parses back. */
bool pw_key_parse(const char *name, int *key);
/* The name of a key (g_free). */
char *pw_key_name(int key);

/* NULL for PW_ACT_NONE and anything out of range. */
const char *pw_action_name(pw_action a);
const char *pw_action_help(pw_action a);
/* The action called `name`, or PW_ACT_NONE. */
pw_action pw_action_find(const char *name);

typedef struct pw_keymap pw_keymap;

/* The default bindings. */
pw_keymap *pw_keymap_new(void);
void pw_keymap_free(pw_keymap *map);

/* Applies the [keys] group of a config file: "ACTION = KEY KEY ..."
 * replaces that action's keys (the value is read as written, without the
 * key file's escapes; an empty value leaves the action without a key).
 * No [keys] group changes nothing. An unknown action, an unknown key name,
 * a key given to two actions, or leaving quit or help without a key
 * fails with PW_E_INVALID naming `path`, the action and the reason; the
 * map is then unchanged. */
pw_code pw_keymap_configure(pw_keymap *map, GKeyFile *kf, const char *path, pw_error *err);

/* The action a key runs, or PW_ACT_NONE. */
pw_action pw_keymap_lookup(const pw_keymap *map, int key);

/* The keys of an action joined with ", " ("Down, j"), or "" (g_free). */
char *pw_keymap_keys_text(const pw_keymap *map, pw_action a);
/* The first key of an action, as its name, for the key bar (g_free);
 * NULL when the action has no key. */
char *pw_keymap_first_key(const pw_keymap *map, pw_action a);

#endif
