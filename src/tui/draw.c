/* draw.c: the screen: where the panes go, and putting text in them.
 *
 * Everything is drawn into curses' buffer and sent with one doupdate(),
 * which sends only the cells that changed: moving the selection costs a
 * few hundred bytes on the wire, not a repaint, which is what people on
 * a slow SSH link feel. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui.h"

#include "pinwarden/colours.h"

/* ---- theme ---- */

/* A 256-colour index on a terminal with fewer colours: the nearest of
 * the basic eight (or sixteen). */
static short fit_colour(short c)
{
	if (c < 0 || c < COLORS)
		return c;
	if (c < 16)
		return (short)(c - 8);
	if (c < 232) {
		int i = c - 16, r = i / 36, g = (i / 6) % 6, b = i % 6;
		short basic = (short)((r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0));
		if (COLORS >= 16 && (r == 5 || g == 5 || b == 5) && basic != 0)
			basic = (short)(basic + 8);
		return basic;
	}
	return c < 244 ? COLOR_BLACK : COLOR_WHITE;
}

static attr_t style_attrs(unsigned a)
{
	attr_t out = A_NORMAL;
	if (a & PW_STYLE_BOLD)
		out |= A_BOLD;
	if (a & PW_STYLE_DIM)
		out |= A_DIM;
	if (a & PW_STYLE_UNDERLINE)
		out |= A_UNDERLINE;
	if (a & PW_STYLE_REVERSE)
		out |= A_REVERSE;
	if (a & PW_STYLE_STANDOUT)
		out |= A_STANDOUT;
	if (a & PW_STYLE_ITALIC)
		out |= A_ITALIC;
	return out;
}

void draw_apply_theme(pw_console *c)
{
	bool colour = c->colour && has_colors();

	if (colour) {
		start_color();
		use_default_colors();
	}
	for (int i = 0; i < PW_EL_COUNT; i++) {
		const pw_style *s = &c->theme.el[i];
		c->style[i] = style_attrs(s->attrs);
		if (colour && i + 1 < COLOR_PAIRS) {
			init_pair((short)(i + 1), fit_colour(s->fg), fit_colour(s->bg));
			c->style[i] |= COLOR_PAIR(i + 1);
		}
	}
	bkgdset(' ' | c->style[PW_EL_NORMAL]);
}

attr_t draw_client_attr(pw_console *c, const char *colour)
{
	short n;
	bool colour_ok = c->colour && has_colors() && colour && pw_colour_parse(colour, &n) && n >= 0;
	/* One pair past the theme's, for the client of the moment. */
	short pair = (short)(PW_EL_COUNT + 1);

	if (!colour_ok || pair >= COLOR_PAIRS)
		return c->style[PW_EL_CONFIRM];
	init_pair(pair, fit_colour(n), -1);
	return COLOR_PAIR(pair) | A_BOLD | A_REVERSE;
}

/* ---- text ---- */

int draw_text(pw_console *c, int y, int x, int w, const char *utf8, attr_t attr)
{
	wchar_t buf[512];
	int n = 0, used = 0;
	const char *s = utf8 ? utf8 : "";
	bool cut = false;

	if (w <= 0)
		return 0;
	while (*s) {
		gunichar u = g_utf8_get_char_validated(s, -1);
		wchar_t wc;
		int cw;
		if (u == (gunichar)-1 || u == (gunichar)-2) {
			u = '?';
			s++;
		} else {
			s = g_utf8_find_next_char(s, NULL);
			if (!s)
				s = "";
		}
		wc = (wchar_t)u;
		if (!c->utf8 && u > 126) {
			/* The few non-ASCII marks the console itself uses have
			 * ASCII stand-ins; other text shows as '?'. */
			wc = u == 0xB7 ? L'-' : u == 0x2192 ? L'>' : L'?';
		}
		cw = wcwidth(wc);
		if (cw < 0) {
			/* Control characters would move the cursor: show them as '?'. */
			wc = L'?';
			cw = 1;
		}
		if (used + cw > w || n >= (int)G_N_ELEMENTS(buf) - 2) {
			cut = true;
			break;
		}
		buf[n++] = wc;
		used += cw;
	}
	if (cut) {
		/* Make room for the ellipsis. */
		while (n > 0 && used + 1 > w) {
			int cw = wcwidth(buf[n - 1]);
			used -= cw > 0 ? cw : 0;
			n--;
		}
		buf[n++] = c->utf8 ? L'\x2026' : L'~';
		used++;
	}
	attrset(attr);
	if (n > 0)
		mvaddnwstr(y, x, buf, n);
	for (int i = used; i < w; i++)
		mvaddch(y, x + i, ' ');
	return used;
}

/* ---- layout ---- */

static void place(pane *p, int y, int x, int h, int w)
{
	p->y = y;
	p->x = x;
	p->h = h;
	p->w = w;
}

void draw_layout(pw_console *c)
{
	int lines = LINES, cols = COLS;
	int top = 1, body = lines - 2;
	int lw, rw, hc, ha, hq;

	c->too_small = cols < TUI_MIN_COLS || lines < TUI_MIN_LINES;
	if (c->too_small)
		return;
	lw = CLAMP(cols * 35 / 100, 26, 48);
	rw = cols - lw - 1;
	hc = body * 2 / 5;
	ha = body * 3 / 10;
	hq = body * 11 / 20;

	place(&c->panes[PANE_CLIENTS], top, 0, hc, lw);
	place(&c->panes[PANE_ACCOUNTS], top + hc, 0, ha, lw);
	place(&c->panes[PANE_BOARDS], top + hc + ha, 0, body - hc - ha, lw);
	place(&c->panes[PANE_QUEUE], top, lw + 1, hq, rw);
	place(&c->panes[PANE_LOG], top + hq, lw + 1, body - hq, rw);
}

/* ---- the parts ---- */

static void draw_status(pw_console *c)
{
	int x = 0, w = COLS;
	char buf[512];
	const pw_operator *op = pw_store_operator(c->store);
	char *home = g_strdup(g_get_home_dir());
	const char *ws = pw_store_workspace(c->store);
	char *ws_short = (home && *home && g_str_has_prefix(ws, home) && strlen(home) > 1)
	                     ? g_strconcat("~", ws + strlen(home), NULL)
	                     : g_strdup(ws);
	struct {
		const char *what;
		sqlite3_int64 n;
	} counts[] = { { "failed", c->n_failed }, { "unknown", c->n_unknown }, { "paused", c->n_paused } };

	if (c->worker_pid > 0)
		snprintf(buf, sizeof buf, " pinwarden  %s  %s%s  worker: running (pid %ld%s%s%s)%s%s ", op->name, ws_short,
		         pw_store_is_readonly(c->store) ? " (read-only)" : "", c->worker_pid,
		         c->worker_operator ? ", " : "", c->worker_operator ? c->worker_operator : "",
		         c->worker_pid == c->own_worker_pid ? ", started by this console" : "",
		         c->worker_note ? "; " : "", c->worker_note ? c->worker_note : "");
	else if (c->own_worker_pid > 0)
		/* Started, and not yet holding the lock. */
		snprintf(buf, sizeof buf, " pinwarden  %s  %s%s  worker: starting (pid %ld, started by this console) ",
		         op->name, ws_short, pw_store_is_readonly(c->store) ? " (read-only)" : "", c->own_worker_pid);
	else
		snprintf(buf, sizeof buf, " pinwarden  %s  %s%s  worker: not running%s%s%s ", op->name, ws_short,
		         pw_store_is_readonly(c->store) ? " (read-only)" : "", c->worker_note ? " (" : "",
		         c->worker_note ? c->worker_note : "", c->worker_note ? ")" : "");
	g_free(ws_short);
	g_free(home);

	/* The counts go at the right and are never cut: they are what the
	 * on-call person looks for from any view. */
	{
		char right[160] = "";
		int rlen;
		for (guint i = 0; i < G_N_ELEMENTS(counts); i++) {
			char part[48];
			snprintf(part, sizeof part, " %lld %s ", (long long)counts[i].n, counts[i].what);
			g_strlcat(right, part, sizeof right);
		}
		rlen = (int)strlen(right);
		x = draw_text(c, 0, 0, MAX(w - rlen, 0), buf, c->style[PW_EL_STATUS]);
		for (int i = x; i < w - rlen; i++)
			mvaddch(0, i, ' ');
		x = MAX(w - rlen, 0);
		for (guint i = 0; i < G_N_ELEMENTS(counts); i++) {
			char part[48];
			attr_t a = counts[i].n > 0 ? c->style[PW_EL_STATUS_ALERT] : c->style[PW_EL_STATUS];
			snprintf(part, sizeof part, " %lld %s ", (long long)counts[i].n, counts[i].what);
			x += draw_text(c, 0, x, MAX(w - x, 0), part, a);
		}
	}
}

static int char_width(gunichar u)
{
	int w = wcwidth((wchar_t)u);
	return w < 0 ? 1 : w;
}

GPtrArray *draw_wrap(const char *text, int width, guint max_lines)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	gchar **paras = g_strsplit(text ? text : "", "\n", -1);

	width = MAX(width, 10);
	for (gchar **para = paras; *para; para++) {
		const char *p = *para;
		if (!*p) {
			g_ptr_array_add(out, g_strdup(""));
			continue;
		}
		while (*p) {
			const char *q = p, *brk = NULL;
			int used = 0;
			if (max_lines && out->len + 1 >= max_lines) {
				/* The last line allowed takes the rest (drawing cuts it). */
				g_ptr_array_add(out, g_strdup(p));
				break;
			}
			while (*q) {
				gunichar u = g_utf8_get_char_validated(q, -1);
				int cw;
				if (u == (gunichar)-1 || u == (gunichar)-2)
					u = '?';
				cw = char_width(u);
				if (used + cw > width)
					break;
				used += cw;
				if (*q == ' ')
					brk = q;
				q = g_utf8_find_next_char(q, NULL);
				if (!q)
					q = p + strlen(p);
			}
			if (!*q) {
				g_ptr_array_add(out, g_strdup(p));
				break;
			}
			if (!brk || brk == p)
				brk = q == p ? g_utf8_find_next_char(p, NULL) : q;
			g_ptr_array_add(out, g_strndup(p, (gsize)(brk - p)));
			p = *brk == ' ' ? brk + 1 : brk;
		}
		if (max_lines && out->len >= max_lines)
			break;
	}
	g_strfreev(paras);
	if (out->len == 0)
		g_ptr_array_add(out, g_strdup(""));
	return out;
}

/* A word for the key bar, where space is short; the help screen uses the
 * actions' full names and help lines. */
static const char *keybar_label(pw_action a)
{
	switch (a) {
	case PW_ACT_NEXT_PANE:
		return "pane";
	case PW_ACT_STATE_FILTER:
		return "states";
	case PW_ACT_CLIENT_SCOPE:
		return "clients";
	case PW_ACT_PAGE_DOWN:
		return "page";
	default:
		return pw_action_name(a);
	}
}

/* The actions worth showing in the key bar in the current state. */
static void draw_keybar(pw_console *c)
{
	int y = LINES - 1, x = 0, w = COLS;
	static const pw_action main_acts[] = { PW_ACT_HELP, PW_ACT_QUIT, PW_ACT_NEXT_PANE, PW_ACT_DETAILS,
		                               PW_ACT_FILTER };
	static const pw_action view_acts[] = { PW_ACT_BACK, PW_ACT_DOWN, PW_ACT_UP, PW_ACT_PAGE_DOWN };
	GArray *acts = g_array_new(FALSE, FALSE, sizeof(pw_action));

	if (c->prompting) {
		char *line = g_strdup_printf("Filter %s: %s", c->panes[c->focus].src->title, c->prompt->str);
		int used = draw_text(c, y, 0, w, line, c->style[PW_EL_PROMPT]);
		g_free(line);
		move(y, MIN(used, w - 1));
		return;
	}
	if (c->wizard && !c->message[0]) {
		draw_text(c, y, 0, w, c->wizard->keys(c, c->wizard), c->style[PW_EL_KEYBAR]);
		return;
	}
	if (c->message[0]) {
		/* A long message takes up to three lines over the panes' bottom
		 * rows, until the next key: what went wrong must be readable. */
		GPtrArray *lines = draw_wrap(c->message, w, 3);
		attr_t a = c->style[c->message_error ? PW_EL_ERROR : PW_EL_MESSAGE];
		for (guint i = 0; i < lines->len; i++)
			draw_text(c, y - (int)(lines->len - 1 - i), 0, w, g_ptr_array_index(lines, i), a);
		g_ptr_array_free(lines, TRUE);
		return;
	}
	if (c->view) {
		g_array_append_vals(acts, view_acts, G_N_ELEMENTS(view_acts));
	} else {
		g_array_append_vals(acts, main_acts, G_N_ELEMENTS(main_acts));
		if (c->focus == PANE_QUEUE) {
			pw_action a = PW_ACT_STATE_FILTER;
			g_array_append_val(acts, a);
		}
		if (c->focus == PANE_QUEUE || c->focus == PANE_LOG) {
			pw_action a = PW_ACT_CLIENT_SCOPE;
			g_array_append_val(acts, a);
		}
		if (c->focus == PANE_LOG) {
			pw_action a = PW_ACT_FOLLOW;
			g_array_append_val(acts, a);
		}
	}

	for (guint i = 0; i < acts->len && x < w; i++) {
		pw_action a = g_array_index(acts, pw_action, i);
		char *key = pw_keymap_first_key(c->keys, a);
		char *label;
		if (!key)
			continue;
		x += draw_text(c, y, x, w - x, key, c->style[PW_EL_KEYBAR_KEY]);
		label = g_strdup_printf(" %s  ", keybar_label(a));
		x += draw_text(c, y, x, w - x, label, c->style[PW_EL_KEYBAR]);
		g_free(label);
		g_free(key);
	}
	if (x < w)
		draw_text(c, y, x, w - x, "", c->style[PW_EL_KEYBAR]);
	g_array_free(acts, TRUE);
}

static void pane_title(pw_console *c, const pane *p, char *buf, size_t size)
{
	GString *t = g_string_new("");
	g_string_append_printf(t, " %d %s", (int)p->id + 1, p->src->title);
	if (p->total == TUI_COUNT_CAP + 1)
		g_string_append_printf(t, " (%d+)", TUI_COUNT_CAP);
	else if (p->total >= 0)
		g_string_append_printf(t, " (%lld)", (long long)p->total);
	if (p->id == PANE_ACCOUNTS && c->client_name)
		g_string_append_printf(t, " of %s", c->client_name);
	if (p->id == PANE_QUEUE) {
		g_string_append_printf(t, " \xc2\xb7 %s",
		                       p->filter.state ? p->filter.state : tui_state_groups[p->state_group].name);
	}
	if (p->id == PANE_QUEUE || p->id == PANE_LOG) {
		if (p->filter.client_id)
			g_string_append(t, " \xc2\xb7 one client");
		else if (!p->all_clients)
			g_string_append_printf(t, " \xc2\xb7 %s only", c->client_name ? c->client_name : "(no client)");
		else
			g_string_append(t, " \xc2\xb7 all clients");
	}
	if (p->id == PANE_LOG)
		g_string_append(t, p->follow ? " \xc2\xb7 following" : " \xc2\xb7 scrolled back");
	if (p->filter.typed)
		g_string_append_printf(t, " \xc2\xb7 filter: %s", p->filter.typed);
	g_string_append_c(t, ' ');
	g_strlcpy(buf, t->str, size);
	g_string_free(t, TRUE);
}

static void draw_row(pw_console *c, const pane *p, const row *r, int y, bool selected)
{
	int widths[ROW_CELLS] = { 0 };
	int fixed = 0, flex = -1, x = p->x + 2, shown = 0;
	attr_t base = c->style[PW_EL_NORMAL];

	p->src->columns(p->w - 2, widths);
	for (int i = 0; i < ROW_CELLS; i++) {
		if (widths[i] < 0)
			flex = i;
		else if (widths[i] > 0) {
			fixed += widths[i];
			shown++;
		}
	}
	if (flex >= 0)
		widths[flex] = MAX(p->w - 2 - fixed - shown, 1);

	if (r->dim)
		base = c->style[PW_EL_DIM];
	if (selected)
		base = c->style[c->focus == (int)p->id ? PW_EL_SELECTED : PW_EL_SELECTED_INACTIVE];

	/* A mark in the margin for rows that need someone, visible in every
	 * theme, monochrome included. */
	draw_text(c, y, p->x, 2, r->alarm ? "! " : "  ",
	          r->alarm ? (c->style[r->state_el] | A_BOLD) : base);
	for (int i = 0; i < ROW_CELLS && x < p->x + p->w; i++) {
		attr_t a = base;
		int cw = widths[i];
		if (cw <= 0)
			continue;
		if (i == r->state_cell && !selected)
			a = c->style[r->state_el];
		if (x + cw > p->x + p->w)
			cw = p->x + p->w - x;
		draw_text(c, y, x, cw, r->cell[i] ? r->cell[i] : "", a);
		x += cw;
		if (x < p->x + p->w) {
			draw_text(c, y, x, 1, " ", base);
			x++;
		}
	}
	if (x < p->x + p->w)
		draw_text(c, y, x, p->x + p->w - x, "", base);
}

static void draw_pane(pw_console *c, const pane *p)
{
	char title[512];
	int body = pane_body(p);
	bool focused = c->focus == (int)p->id;

	pane_title(c, p, title, sizeof title);
	draw_text(c, p->y, p->x, p->w, title, c->style[focused ? PW_EL_TITLE_FOCUSED : PW_EL_TITLE]);
	gchar **empty = p->rows->len == 0 ? g_strsplit(p->src->empty, "\n", -1) : NULL;
	guint n_empty = empty ? g_strv_length(empty) : 0;

	for (int i = 0; i < body; i++) {
		int y = p->y + 1 + i;
		if ((guint)i < p->rows->len) {
			draw_row(c, p, g_ptr_array_index(p->rows, i), y, i == p->sel);
		} else if ((guint)i < n_empty) {
			draw_text(c, y, p->x, 2, "", c->style[PW_EL_NORMAL]);
			draw_text(c, y, p->x + 2, p->w - 2, empty[i], c->style[PW_EL_DIM]);
		} else {
			draw_text(c, y, p->x, p->w, "", c->style[PW_EL_NORMAL]);
		}
	}
	g_strfreev(empty);
}

static void draw_view(pw_console *c, view *v)
{
	int top = 1, h = LINES - 2, w = COLS;
	char *title = g_strdup_printf(" %s ", v->title);

	draw_text(c, top, 0, w, title, c->style[PW_EL_TITLE_FOCUSED]);
	g_free(title);
	if (v->top > (int)v->lines->len - (h - 1))
		v->top = MAX((int)v->lines->len - (h - 1), 0);
	for (int i = 0; i < h - 1; i++) {
		int li = v->top + i;
		if (li < (int)v->lines->len) {
			const view_line *l = &g_array_index(v->lines, view_line, li);
			draw_text(c, top + 1 + i, 0, w, l->text, c->style[l->el]);
		} else {
			draw_text(c, top + 1 + i, 0, w, "", c->style[PW_EL_NORMAL]);
		}
	}
}

void draw_screen(pw_console *c)
{
	if (c->redraw_all) {
		clearok(curscr, TRUE);
		c->redraw_all = false;
	}
	if (c->too_small) {
		char msg[160];
		erase();
		snprintf(msg, sizeof msg, "Terminal %dx%d: pinwarden needs %dx%d.", COLS, LINES, TUI_MIN_COLS,
		         TUI_MIN_LINES);
		for (int y = 0; y < LINES; y++)
			mvhline(y, 0, ' ', COLS);
		attrset(c->style[PW_EL_ERROR]);
		mvaddnstr(0, 0, msg, COLS);
		if (LINES > 1)
			mvaddnstr(1, 0, "Enlarge it, or press q to quit.", COLS);
		attrset(A_NORMAL);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	draw_status(c);
	c->cursor_y = -1;
	if (c->wizard) {
		c->wizard->draw(c, c->wizard);
	} else if (c->view) {
		draw_view(c, c->view);
	} else {
		int sep = c->panes[PANE_QUEUE].x - 1;
		for (int i = 0; i < PANE_COUNT; i++)
			draw_pane(c, &c->panes[i]);
		attrset(c->style[PW_EL_BORDER]);
		for (int y = 1; y < LINES - 1; y++) {
			if (c->utf8)
				mvadd_wch(y, sep, WACS_VLINE);
			else
				mvaddch(y, sep, '|');
		}
	}
	draw_keybar(c);
	if (c->wizard && c->cursor_y >= 0 && !c->message[0]) {
		/* The text cursor where the operator types. */
		curs_set(1);
		move(c->cursor_y, MIN(c->cursor_x, COLS - 1));
	} else if (!c->prompting) {
		if (c->wizard)
			curs_set(0);
		move(LINES - 1, COLS - 1);
	}
	wnoutrefresh(stdscr);
	doupdate();
}
