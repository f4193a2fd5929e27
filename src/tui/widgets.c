/* widgets.c: what the console's workflows are made of: a line of text
 * being typed, a form of such lines checked as they are typed, a list to
 * choose from that starts with nothing chosen, and the frame they are
 * drawn in over the panes. */
#include "config.h"

#include <string.h>
#include <wchar.h>

#include "tui.h"

#include "pinwarden/text.h"

/* ---- a line being typed -------------------------------------------------- */

bool edit_key(GString *s, int key, gsize max_bytes)
{
	if (key == (PW_KEY_FN | KEY_BACKSPACE)) {
		if (s->len) {
			const char *prev = g_utf8_find_prev_char(s->str, s->str + s->len);
			g_string_truncate(s, prev ? (gsize)(prev - s->str) : 0);
		}
		return true;
	}
	if (key == 21) { /* C-u: start again */
		g_string_truncate(s, 0);
		return true;
	}
	if (key == 23) { /* C-w: the last word */
		while (s->len && s->str[s->len - 1] == ' ')
			g_string_truncate(s, s->len - 1);
		while (s->len && s->str[s->len - 1] != ' ')
			g_string_truncate(s, s->len - 1);
		return true;
	}
	if (!(key & PW_KEY_FN) && key >= ' ' && key != 127 && g_unichar_validate((gunichar)key)) {
		if (s->len + 6 <= max_bytes)
			g_string_append_unichar(s, (gunichar)key);
		return true;
	}
	return false;
}

/* ---- a form -------------------------------------------------------------- */

form *form_new(form_check_fn check, void *ud)
{
	form *f = g_new0(form, 1);
	f->fields = g_ptr_array_new();
	f->check = check;
	f->ud = ud;
	return f;
}

int form_add(form *f, const char *label, const char *hint, int max_chars)
{
	form_field *fl = g_new0(form_field, 1);
	fl->label = label;
	fl->hint = hint;
	fl->max_chars = max_chars;
	fl->value = g_string_new("");
	g_ptr_array_add(f->fields, fl);
	return (int)f->fields->len - 1;
}

static form_field *field_at(const form *f, int i)
{
	return g_ptr_array_index(f->fields, i);
}

const char *form_value(const form *f, int i)
{
	return field_at(f, i)->value->str;
}

void form_set(form *f, int i, const char *v)
{
	g_string_assign(field_at(f, i)->value, v);
}

void form_free(form *f)
{
	if (!f)
		return;
	for (guint i = 0; i < f->fields->len; i++) {
		form_field *fl = field_at(f, (int)i);
		g_string_free(fl->value, TRUE);
		g_free(fl->problem);
		g_free(fl);
	}
	g_ptr_array_free(f->fields, TRUE);
	g_free(f);
}

static void check_field(pw_console *c, form *f, int i)
{
	form_field *fl = field_at(f, i);
	g_free(fl->problem);
	fl->problem = NULL;
	if (fl->max_chars > 0 && pw_text_chars(fl->value->str) > (size_t)fl->max_chars)
		fl->problem = g_strdup_printf("%zu characters: at most %d", pw_text_chars(fl->value->str), fl->max_chars);
	else if (f->check)
		fl->problem = f->check(c, f->ud, i, fl->value->str);
}

bool form_check_all(pw_console *c, form *f)
{
	int first = -1;
	for (guint i = 0; i < f->fields->len; i++) {
		check_field(c, f, (int)i);
		if (field_at(f, (int)i)->problem && first < 0)
			first = (int)i;
	}
	if (first >= 0)
		f->focus = first;
	return first < 0;
}

form_result form_key(pw_console *c, form *f, int key)
{
	int n = (int)f->fields->len;
	form_field *fl = field_at(f, f->focus);

	if (key == 27)
		return FORM_CANCEL;
	if (key == '\t' || key == (PW_KEY_FN | KEY_DOWN)) {
		f->focus = (f->focus + 1) % n;
		return FORM_GOING;
	}
	if (key == (PW_KEY_FN | KEY_BTAB) || key == (PW_KEY_FN | KEY_UP)) {
		f->focus = (f->focus + n - 1) % n;
		return FORM_GOING;
	}
	if (key == '\n') {
		if (f->focus < n - 1) {
			f->focus++;
			return FORM_GOING;
		}
		if (!form_check_all(c, f)) {
			console_message(c, true, "%s: %s", field_at(f, f->focus)->label, field_at(f, f->focus)->problem);
			return FORM_GOING;
		}
		return FORM_SUBMIT;
	}
	if (edit_key(fl->value, key, 4096)) {
		/* Checked as it is typed. */
		check_field(c, f, f->focus);
		return FORM_GOING;
	}
	return FORM_GOING;
}

int form_draw(pw_console *c, form *f, int y, int h)
{
	int w = COLS, label_w = 18, bottom = y + h;
	/* Two lines a field; on a short screen the fields scroll so that the
	 * focused one stays in view. */
	int fit = MAX(h / 2, 1), first = f->focus >= fit ? f->focus - fit + 1 : 0;

	for (guint i = (guint)first; i < f->fields->len && y + 1 < bottom; i++) {
		form_field *fl = field_at(f, (int)i);
		bool focused = (int)i == f->focus;
		char count[32] = "";
		int vx = 2 + label_w + 1, vw, end;
		attr_t a = focused ? c->style[PW_EL_PROMPT] : c->style[PW_EL_NORMAL];

		if (fl->max_chars > 0)
			snprintf(count, sizeof count, " %zu/%d", pw_text_chars(fl->value->str), fl->max_chars);
		vw = w - vx - (int)strlen(count) - 1;
		draw_text(c, y, 0, 2, focused ? "> " : "  ", c->style[PW_EL_HEADING]);
		draw_text(c, y, 2, label_w + 1, fl->label, c->style[focused ? PW_EL_HEADING : PW_EL_NORMAL]);
		{
			/* The end of a long value stays in view while typing. */
			const char *shown = fl->value->str;
			while (pw_text_width(shown) > (size_t)MAX(vw - 1, 1))
				shown = g_utf8_find_next_char(shown, NULL);
			end = vx + draw_text(c, y, vx, vw, shown, a);
		}
		draw_text(c, y, w - (int)strlen(count) - 1, (int)strlen(count) + 1, count,
		          c->style[fl->problem && fl->max_chars > 0 &&
		                           pw_text_chars(fl->value->str) > (size_t)fl->max_chars
		                       ? PW_EL_ERROR
		                       : PW_EL_DIM]);
		if (focused) {
			/* The text cursor where the operator types. */
			c->cursor_y = y;
			c->cursor_x = MIN(end, w - 1);
		}
		y++;
		if (fl->problem)
			draw_text(c, y, vx, w - vx, fl->problem, c->style[PW_EL_ERROR]);
		else
			draw_text(c, y, vx, w - vx, fl->hint ? fl->hint : "", c->style[PW_EL_DIM]);
		y++;
	}
	return y;
}

/* ---- a list to choose from ----------------------------------------------- */

chooser *chooser_new(const char *what)
{
	chooser *ch = g_new0(chooser, 1);
	ch->what = what;
	ch->items = g_ptr_array_new();
	ch->visible = g_array_new(FALSE, FALSE, sizeof(int));
	ch->filter = g_string_new("");
	ch->sel = -1;
	return ch;
}

static void refilter(chooser *ch)
{
	char *want = g_utf8_strdown(ch->filter->str, -1);
	g_array_set_size(ch->visible, 0);
	for (guint i = 0; i < ch->items->len; i++) {
		const choice *it = g_ptr_array_index(ch->items, i);
		char *low = g_utf8_strdown(it->label, -1);
		if (!*want || strstr(low, want)) {
			int idx = (int)i;
			g_array_append_val(ch->visible, idx);
		}
		g_free(low);
	}
	g_free(want);
	/* Typing never chooses: the selection is cleared when the list changes. */
	ch->sel = -1;
	ch->top = 0;
}

void chooser_add(chooser *ch, sqlite3_int64 id, const char *label, const char *detail, const char *refusal)
{
	choice *it = g_new0(choice, 1);
	it->id = id;
	it->label = g_strdup(label);
	it->detail = g_strdup(detail ? detail : "");
	it->refusal = refusal ? g_strdup(refusal) : NULL;
	g_ptr_array_add(ch->items, it);
	refilter(ch);
}

void chooser_free(chooser *ch)
{
	if (!ch)
		return;
	for (guint i = 0; i < ch->items->len; i++) {
		choice *it = g_ptr_array_index(ch->items, i);
		g_free(it->label);
		g_free(it->detail);
		g_free(it->refusal);
		g_free(it);
	}
	g_ptr_array_free(ch->items, TRUE);
	g_array_free(ch->visible, TRUE);
	g_string_free(ch->filter, TRUE);
	g_free(ch);
}

const choice *chooser_selected(const chooser *ch)
{
	if (ch->sel < 0 || (guint)ch->sel >= ch->visible->len)
		return NULL;
	return g_ptr_array_index(ch->items, (guint)g_array_index(ch->visible, int, ch->sel));
}

choose_result chooser_key(pw_console *c, chooser *ch, int key)
{
	int n = (int)ch->visible->len;
	const choice *it;

	if (key == 27)
		return CHOOSE_CANCEL;
	if (key == (PW_KEY_FN | KEY_DOWN) || key == '\t') {
		if (n)
			ch->sel = ch->sel < 0 ? 0 : MIN(ch->sel + 1, n - 1);
		return CHOOSE_GOING;
	}
	if (key == (PW_KEY_FN | KEY_UP) || key == (PW_KEY_FN | KEY_BTAB)) {
		if (n)
			ch->sel = ch->sel < 0 ? n - 1 : MAX(ch->sel - 1, 0);
		return CHOOSE_GOING;
	}
	if (key == (PW_KEY_FN | KEY_NPAGE)) {
		if (n)
			ch->sel = MIN(MAX(ch->sel, 0) + 10, n - 1);
		return CHOOSE_GOING;
	}
	if (key == (PW_KEY_FN | KEY_PPAGE)) {
		if (n)
			ch->sel = MAX(ch->sel - 10, 0);
		return CHOOSE_GOING;
	}
	if (key == '\n') {
		it = chooser_selected(ch);
		if (!it) {
			console_message(c, true, "No %s is chosen yet: move to one with the arrow keys, then Enter.", ch->what);
			return CHOOSE_GOING;
		}
		if (it->refusal) {
			console_message(c, true, "%s cannot be chosen: %s", it->label, it->refusal);
			return CHOOSE_GOING;
		}
		return CHOOSE_DONE;
	}
	if (edit_key(ch->filter, key, 200))
		refilter(ch);
	return CHOOSE_GOING;
}

void chooser_draw(pw_console *c, chooser *ch, int y, int h)
{
	int w = COLS, rows = h - 2;
	char *line = g_strdup_printf("Type to narrow the list: %s", ch->filter->str);

	c->cursor_x = MIN(2 + draw_text(c, y, 2, w - 2, line, c->style[PW_EL_PROMPT]), w - 1);
	c->cursor_y = y;
	g_free(line);
	if (ch->sel >= 0 && ch->sel < ch->top)
		ch->top = ch->sel;
	if (ch->sel >= ch->top + rows)
		ch->top = ch->sel - rows + 1;
	for (int i = 0; i < rows; i++) {
		int vi = ch->top + i, yy = y + 2 + i;
		if (vi < (int)ch->visible->len) {
			const choice *it = g_ptr_array_index(ch->items, (guint)g_array_index(ch->visible, int, vi));
			bool sel = vi == ch->sel;
			attr_t a = sel ? c->style[PW_EL_SELECTED] : c->style[it->refusal ? PW_EL_DIM : PW_EL_NORMAL];
			int x = draw_text(c, yy, 0, 4, sel ? "  > " : "    ", a);
			x += draw_text(c, yy, x, MIN(40, w - x), it->label, a);
			x += draw_text(c, yy, x, 2, "  ", a);
			draw_text(c, yy, x, w - x, it->refusal ? it->refusal : it->detail, a);
		} else if (i == 0 && ch->visible->len == 0) {
			draw_text(c, yy, 0, w, ch->items->len ? "    Nothing matches." : "    There is nothing to choose.",
			          c->style[PW_EL_DIM]);
		} else {
			draw_text(c, yy, 0, w, "", c->style[PW_EL_NORMAL]);
		}
	}
}

/* ---- the frame ------------------------------------------------------------ */

void wizard_close(pw_console *c)
{
	wizard *w = c->wizard;
	if (!w)
		return;
	c->wizard = NULL;
	curs_set(0);
	w->free(w);
	/* It may have written: the panes read again. */
	c->data_version = -1;
	console_reload(c);
}

int wizard_frame(pw_console *c, const char *title, const char *step)
{
	int y = 1;
	char *t = step && *step ? g_strdup_printf(" %s \xc2\xb7 %s ", title, step) : g_strdup_printf(" %s ", title);
	draw_text(c, y, 0, COLS, t, c->style[PW_EL_TITLE_FOCUSED]);
	g_free(t);
	for (int yy = y + 1; yy < LINES - 1; yy++)
		draw_text(c, yy, 0, COLS, "", c->style[PW_EL_NORMAL]);
	return y + 2;
}
