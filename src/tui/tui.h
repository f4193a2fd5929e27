/* tui.h: what the console's files share: the panes, their rows, the text
 * views, drawing, and the state of one running console. Nothing here is
 * global; everything hangs off a pw_console passed explicitly. */
#ifndef PINWARDEN_TUI_H
#define PINWARDEN_TUI_H

#include <stdbool.h>

#include <curses.h>
#include <glib.h>
#include <sqlite3.h>

#include "pinwarden/console.h"
#include "pinwarden/context.h"
#include "pinwarden/error.h"
#include "pinwarden/keys.h"
#include "pinwarden/settings.h"
#include "pinwarden/store.h"
#include "pinwarden/theme.h"

/* The smallest screen the console draws on; below it, it says so. */
#define TUI_MIN_COLS 60
#define TUI_MIN_LINES 16

/* Panes count their rows up to this many; past it the title says "N+". */
#define TUI_COUNT_CAP 10000

typedef enum pane_id { PANE_CLIENTS, PANE_ACCOUNTS, PANE_BOARDS, PANE_QUEUE, PANE_LOG, PANE_COUNT } pane_id;

#define ROW_CELLS 6

/* One row of a pane. (sort, id) is its place in the pane's order, so a
 * page is read from the database next to any row without counting. */
typedef struct row {
	char *sort;
	sqlite3_int64 id;
	char *cell[ROW_CELLS];
	int state_cell;            /* the cell coloured by state_el, -1 for none */
	pw_theme_element state_el;
	bool alarm;                /* failed or unknown: marked in every theme */
	bool dim;                  /* archived, cancelled, out of scope */
} row;

void row_free(gpointer r);

typedef struct pw_console pw_console;
typedef struct pane pane;

/* Where a pane's rows come from (sources.c). */
typedef struct source {
	const char *title;
	const char *empty;         /* what the pane says when it has no rows */
	/* Up to n rows next to `from`: after it (forward) or before it, in
	 * the pane's order when forward and in reverse when backward; `from`
	 * NULL starts at the first (forward) or the last row. */
	pw_code (*fetch)(pw_console *c, const pane *p, const row *from, bool forward, bool inclusive, int n,
	                 GPtrArray *out, pw_error *err);
	/* How many rows match, or -1 when that would be slow to find out. */
	sqlite3_int64 (*count)(pw_console *c, const pane *p);
	/* Column widths for a body `width` columns wide; a cell of width 0
	 * is not shown, -1 takes what is left. */
	void (*columns)(int width, int widths[ROW_CELLS]);
} source;

/* A pane's filter, parsed from what was typed after '/'. */
typedef struct pane_filter {
	char *typed;               /* as typed, NULL for none */
	char *text;                /* free words, lower-cased */
	char *kind;                /* log: kind or kind prefix */
	char *operator_name;       /* log */
	char *state;               /* queue: one state */
	sqlite3_int64 client_id;   /* queue, log: one client by name */
} pane_filter;

/* Groups of states the queue cycles through with state-filter. */
typedef struct state_group {
	const char *name;
	const char *sql;           /* an SQL list of states, NULL for all */
} state_group;
extern const state_group tui_state_groups[];
extern const int tui_state_group_count;

struct pane {
	pane_id id;
	const source *src;
	int y, x, h, w;            /* its area; the first line is the title */
	GPtrArray *rows;           /* the rows on screen, top first (row *) */
	int sel;                   /* selected index in rows, -1 when empty */
	bool follow;               /* log: stay on the newest event */
	bool all_clients;          /* queue, log: every client, or the selected one */
	int state_group;           /* queue: index into tui_state_groups */
	pane_filter filter;
	sqlite3_int64 total;       /* rows matching, -1 unknown */
};

/* Text views over the panes: details and help (views.c). */
typedef struct view_line {
	char *text;
	pw_theme_element el;
} view_line;

typedef struct view {
	char *title;
	GArray *lines;             /* view_line */
	int top;
} view;

view *view_new(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void view_add(view *v, pw_theme_element el, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void view_free(view *v);
/* The selected row of the focused pane in full; NULL with err set when it
 * cannot be read, or when the pane is empty (err->code PW_OK). */
view *view_details(pw_console *c, pw_error *err);
view *view_help(pw_console *c);

/* ---- workflows over the panes (widgets.c) ---- */

/* Line editing for everything typed: characters, Backspace, C-u, C-w.
 * Returns whether the key was taken. */
bool edit_key(GString *s, int key, gsize max_bytes);

typedef struct form_field {
	const char *label;
	const char *hint;          /* under the field while it has no problem */
	int max_chars;             /* 0: no limit; otherwise counted live */
	GString *value;
	char *problem;             /* what is wrong with the value, or NULL */
} form_field;

/* Checks field i's value as typed; returns a problem (g_free) or NULL. */
typedef char *(*form_check_fn)(pw_console *c, void *ud, int i, const char *value);

typedef struct form {
	GPtrArray *fields;         /* form_field * */
	int focus;
	form_check_fn check;
	void *ud;
} form;

typedef enum { FORM_GOING, FORM_SUBMIT, FORM_CANCEL } form_result;

form *form_new(form_check_fn check, void *ud);
int form_add(form *f, const char *label, const char *hint, int max_chars);
const char *form_value(const form *f, int i);
void form_set(form *f, int i, const char *v);
/* Checks every field; false (focus on the first bad one) if any fails. */
bool form_check_all(pw_console *c, form *f);
/* Tab/Down and Up/S-Tab move between fields, Enter moves on and on the
 * last field submits once every field passes; Esc cancels. */
form_result form_key(pw_console *c, form *f, int key);
/* Draws from line y, two lines a field, scrolled so that the focused field
 * is in view, and puts the console's text cursor at the end of its text;
 * returns the next free line. */
int form_draw(pw_console *c, form *f, int y, int h);
void form_free(form *f);

typedef struct choice {
	sqlite3_int64 id;
	char *label;
	char *detail;
	char *refusal;             /* why it cannot be chosen, or NULL */
} choice;

/* A list that starts with nothing chosen, even with one item: the
 * operator moves to an item and presses Enter. Typing narrows it. */
typedef struct chooser {
	const char *what;          /* "client", for messages */
	GPtrArray *items;          /* choice * */
	GArray *visible;           /* indexes of items matching the filter */
	GString *filter;
	int sel, top;              /* in visible; sel -1: none */
} chooser;

typedef enum { CHOOSE_GOING, CHOOSE_DONE, CHOOSE_CANCEL } choose_result;

chooser *chooser_new(const char *what);
void chooser_add(chooser *ch, sqlite3_int64 id, const char *label, const char *detail, const char *refusal);
const choice *chooser_selected(const chooser *ch);
choose_result chooser_key(pw_console *c, chooser *ch, int key);
void chooser_draw(pw_console *c, chooser *ch, int y, int h);
void chooser_free(chooser *ch);

/* A workflow drawn over the panes. While one is open every key goes to
 * it, and nothing the panes do can change what it acts on: it keeps its
 * own copy of what was chosen. */
typedef struct wizard wizard;
struct wizard {
	/* Handles a key; returns false when the workflow has ended. */
	bool (*key)(pw_console *c, wizard *w, int key);
	void (*draw)(pw_console *c, wizard *w);
	/* What the key bar says. */
	const char *(*keys)(pw_console *c, wizard *w);
	/* Optional: a file descriptor to wait on (-1: none), and what to do
	 * when it is readable or when `wake_at` (monotonic µs, 0: never)
	 * comes; returns false when the workflow has ended. */
	int (*fd)(wizard *w);
	gint64 (*wake_at)(wizard *w);
	bool (*tick)(pw_console *c, wizard *w);
	void (*free)(wizard *w);
};

/* Draws the frame (status line stays) with a title line; returns the
 * first line free below it. */
int wizard_frame(pw_console *c, const char *title, const char *step);
/* Ends the open workflow and reads the panes again. */
void wizard_close(pw_console *c);

/* The workflows, each in a file of its own. */
void publish_start(pw_console *c);   /* wiz_publish.c */
void onboard_start(pw_console *c);   /* wiz_onboard.c: a new client */
void offboard_start(pw_console *c);  /* wiz_offboard.c: the selected client */
void connect_start(pw_console *c);   /* wiz_connect.c: the selected account */
/* oncall.c: retry, cancel, reschedule or resolve the queue's selected job */
void oncall_start(pw_console *c, pw_action a);
/* oncall.c: the queue's selection moves to the next failed or unknown job */
pw_code oncall_next_problem(pw_console *c, pw_error *err);

/* Lines of the script mode (script.c). */
typedef struct script script;

struct pw_console {
	pw_ctx *ctx;               /* the store, the keyring and Pinterest */
	pw_store *store;           /* ctx->store */
	const pw_settings *settings;
	const pw_console_options *opt;
	pw_keymap *keys;
	pw_theme theme;
	attr_t style[PW_EL_COUNT];
	bool utf8;                 /* the locale is UTF-8: wide names and line drawing */
	bool colour;

	pane panes[PANE_COUNT];
	int focus;
	sqlite3_int64 client_id;   /* selected in the clients pane, 0 for none */
	sqlite3_int64 account_id;  /* selected in the accounts pane */
	char *client_name;

	/* the status line */
	long worker_pid;
	char *worker_operator;
	/* the worker this console started (console.c), stopped when it ends */
	long own_worker_pid;       /* 0 for none */
	char *worker_note;         /* why it did not start, or how it ended; NULL for nothing to say */
	sqlite3_int64 n_failed, n_unknown, n_paused;

	view *view;                /* a detail or help view over the panes */
	wizard *wizard;            /* a workflow over the panes (and the view) */
	int cursor_y, cursor_x;    /* where a workflow wants the text cursor; -1: hidden */
	bool prompting;            /* typing a filter */
	GString *prompt;
	char message[512];
	bool message_error;

	bool too_small;
	bool quit;
	bool redraw_all;

	/* noticing other processes' changes */
	int notify_fd;             /* inotify on the workspace folder, -1 without */
	int data_version;          /* PRAGMA data_version when last read */
	gint64 next_reload;        /* monotonic µs of a reload waiting, 0 for none */
	gint64 last_reload;
	gint64 next_tick;          /* monotonic µs of the next status check */

	script *script;
};

/* ---- panes (pane.c) ---- */
void pane_init(pw_console *c, pane *p, pane_id id);
void pane_clear(pane *p);
/* Reads the page on screen again from where it starts, keeping the
 * selection on the same row when it is still there. */
pw_code pane_reload(pw_console *c, pane *p, pw_error *err);
/* Starts over at the first row (the last for a following log). */
pw_code pane_reset(pw_console *c, pane *p, pw_error *err);
/* Moves the selection: by rows (+/-), to the first, to the last. */
pw_code pane_move(pw_console *c, pane *p, int delta, pw_error *err);
/* Shows the page starting at the row with `key`'s (sort, id) and selects
 * that row (the first row when a filter hides it). */
pw_code pane_goto(pw_console *c, pane *p, const row *key, pw_error *err);
pw_code pane_first(pw_console *c, pane *p, pw_error *err);
pw_code pane_last(pw_console *c, pane *p, pw_error *err);
int pane_body(const pane *p);
const row *pane_selected(const pane *p);
/* Parses a typed filter for the pane; on error the pane is unchanged. */
pw_code pane_set_filter(pw_console *c, pane *p, const char *typed, pw_error *err);
void pane_filter_clear(pane_filter *f);

/* ---- sources (sources.c) ---- */
const source *source_for(pane_id id);

/* ---- drawing (draw.c) ---- */
void draw_layout(pw_console *c);
void draw_screen(pw_console *c);
/* Writes text at (y, x) in at most w columns, cut with an ellipsis and
 * padded with spaces; returns the columns written. */
int draw_text(pw_console *c, int y, int x, int w, const char *utf8, attr_t attr);
void draw_apply_theme(pw_console *c);
/* Lines of at most `width` columns: paragraphs at newlines, words at
 * spaces, a word longer than a line (a URL) broken rather than cut; at
 * most max_lines (0: any), the last taking the rest. */
GPtrArray *draw_wrap(const char *text, int width, guint max_lines);
/* How a client's confirmation screen is drawn: in its colour (colours.h
 * name) when it has one and the terminal shows colour, else the theme's
 * confirm style. */
attr_t draw_client_attr(pw_console *c, const char *colour);

/* ---- the loop (console.c) ---- */
void console_message(pw_console *c, bool error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Runs an action as if its key were pressed. */
void console_action(pw_console *c, pw_action a);
/* Handles one key (normalized with pw_key_from_curses). */
void console_key(pw_console *c, int key);
/* Reads changes made by other processes, now. */
void console_reload(pw_console *c);

/* ---- script mode (script.c) ---- */
pw_code script_load(const char *path, script **out, pw_error *err);
void script_free(script *s);
/* Runs the script's next step; false when it has ended. *wait_us gets how
 * long the loop should wait for events before the next step (0: none). */
bool script_step(pw_console *c, script *s, gint64 *wait_us, pw_error *err);
/* The screen's text, one line per row, trailing spaces removed. */
char *script_screen_text(void);

#endif
