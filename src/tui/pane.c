/* pane.c: a list of rows on screen, read a page at a time.
 *
 * A pane keeps only the rows it shows. Moving within them reads nothing;
 * moving past an edge reads the next row or page next to the edge row, by
 * its key. So the cost of a keystroke does not depend on the size of the
 * table behind the pane. */
#include "config.h"

#include <string.h>

#include "tui.h"

#include "pinwarden/clients.h"
#include "pinwarden/jobs.h"

void pane_init(pw_console *c, pane *p, pane_id id)
{
	(void)c;
	memset(p, 0, sizeof *p);
	p->id = id;
	p->src = source_for(id);
	p->rows = g_ptr_array_new_with_free_func(row_free);
	p->sel = -1;
	p->all_clients = true;
	p->follow = id == PANE_LOG;
	p->total = -1;
}

void pane_filter_clear(pane_filter *f)
{
	g_free(f->typed);
	g_free(f->text);
	g_free(f->kind);
	g_free(f->operator_name);
	g_free(f->state);
	memset(f, 0, sizeof *f);
}

void pane_clear(pane *p)
{
	if (p->rows)
		g_ptr_array_free(p->rows, TRUE);
	p->rows = NULL;
	pane_filter_clear(&p->filter);
}

int pane_body(const pane *p)
{
	return p->h > 1 ? p->h - 1 : 0;
}

const row *pane_selected(const pane *p)
{
	if (p->sel < 0 || (guint)p->sel >= p->rows->len)
		return NULL;
	return g_ptr_array_index(p->rows, p->sel);
}

static row *row_copy_key(const row *r)
{
	row *k = g_new0(row, 1);
	k->sort = g_strdup(r->sort);
	k->id = r->id;
	return k;
}

/* Replaces the rows with `fresh` and puts the selection on the row with
 * id `keep` when it is there, else at index `fallback` (clamped). */
static void take_rows(pane *p, GPtrArray *fresh, sqlite3_int64 keep, int fallback)
{
	g_ptr_array_free(p->rows, TRUE);
	p->rows = fresh;
	p->sel = -1;
	for (guint i = 0; keep && i < fresh->len; i++)
		if (((row *)g_ptr_array_index(fresh, i))->id == keep)
			p->sel = (int)i;
	if (p->sel < 0)
		p->sel = fresh->len == 0 ? -1 : CLAMP(fallback, 0, (int)fresh->len - 1);
}

static void reverse(GPtrArray *a)
{
	for (guint i = 0, j = a->len ? a->len - 1 : 0; i < j; i++, j--) {
		gpointer t = a->pdata[i];
		a->pdata[i] = a->pdata[j];
		a->pdata[j] = t;
	}
}

/* The last `n` rows, in order. */
static pw_code fetch_tail(pw_console *c, pane *p, int n, GPtrArray *out, pw_error *err)
{
	pw_code rc = p->src->fetch(c, p, NULL, false, false, n, out, err);
	reverse(out);
	return rc;
}

/* Fills a page that ends short by reading the rows before its start, so
 * that the pane is never half empty while rows exist above. */
static pw_code fill_above(pw_console *c, pane *p, GPtrArray *page, int n, pw_error *err)
{
	GPtrArray *above;
	pw_code rc;
	if ((int)page->len >= n || page->len == 0)
		return PW_OK;
	above = g_ptr_array_new_with_free_func(row_free);
	rc = p->src->fetch(c, p, g_ptr_array_index(page, 0), false, false, n - (int)page->len, above, err);
	if (rc == PW_OK) {
		for (guint i = 0; i < above->len; i++)
			g_ptr_array_insert(page, 0, above->pdata[i]);
		g_ptr_array_set_free_func(above, NULL);
	}
	g_ptr_array_free(above, TRUE);
	return rc;
}

pw_code pane_reload(pw_console *c, pane *p, pw_error *err)
{
	int n = pane_body(p);
	GPtrArray *fresh = g_ptr_array_new_with_free_func(row_free);
	const row *sel = pane_selected(p);
	sqlite3_int64 keep = sel ? sel->id : 0;
	int old_sel = p->sel;
	bool at_bottom = p->rows->len > 0 && p->sel == (int)p->rows->len - 1;
	pw_code rc;

	if (n <= 0) {
		take_rows(p, fresh, 0, 0);
		return PW_OK;
	}
	if (p->follow) {
		rc = fetch_tail(c, p, n, fresh, err);
		if (rc == PW_OK)
			take_rows(p, fresh, 0, (int)fresh->len - 1);
	} else if (p->rows->len > 0) {
		row *top = row_copy_key(g_ptr_array_index(p->rows, 0));
		rc = p->src->fetch(c, p, top, true, true, n, fresh, err);
		if (rc == PW_OK)
			rc = fill_above(c, p, fresh, n, err);
		row_free(top);
		if (rc == PW_OK && fresh->len == 0)
			rc = fetch_tail(c, p, n, fresh, err);
		if (rc == PW_OK)
			take_rows(p, fresh, keep, at_bottom ? (int)fresh->len - 1 : old_sel);
	} else {
		rc = p->src->fetch(c, p, NULL, true, false, n, fresh, err);
		if (rc == PW_OK)
			take_rows(p, fresh, 0, 0);
	}
	if (rc != PW_OK) {
		g_ptr_array_free(fresh, TRUE);
		return rc;
	}
	p->total = p->src->count(c, p);
	return PW_OK;
}

pw_code pane_reset(pw_console *c, pane *p, pw_error *err)
{
	g_ptr_array_set_size(p->rows, 0);
	p->sel = -1;
	return pane_reload(c, p, err);
}

pw_code pane_first(pw_console *c, pane *p, pw_error *err)
{
	p->follow = false;
	return pane_reset(c, p, err);
}

pw_code pane_last(pw_console *c, pane *p, pw_error *err)
{
	GPtrArray *fresh = g_ptr_array_new_with_free_func(row_free);
	pw_code rc = fetch_tail(c, p, pane_body(p), fresh, err);
	if (rc != PW_OK) {
		g_ptr_array_free(fresh, TRUE);
		return rc;
	}
	take_rows(p, fresh, 0, (int)fresh->len - 1);
	if (p->id == PANE_LOG)
		p->follow = true;
	return PW_OK;
}

/* Scrolls by up to `n` rows past the bottom (n > 0) or the top (n < 0);
 * returns how many rows came in. */
static pw_code scroll_rows(pw_console *c, pane *p, int n, int *moved, pw_error *err)
{
	GPtrArray *more = g_ptr_array_new_with_free_func(row_free);
	bool down = n > 0;
	int want = down ? n : -n;
	const row *edge = g_ptr_array_index(p->rows, down ? p->rows->len - 1 : 0);
	pw_code rc = p->src->fetch(c, p, edge, down, false, want, more, err);

	*moved = 0;
	if (rc == PW_OK && more->len > 0) {
		int body = pane_body(p);
		g_ptr_array_set_free_func(more, NULL);
		for (guint i = 0; i < more->len; i++) {
			if (down)
				g_ptr_array_add(p->rows, more->pdata[i]);
			else
				g_ptr_array_insert(p->rows, 0, more->pdata[i]);
		}
		while ((int)p->rows->len > body) {
			if (down)
				g_ptr_array_remove_index(p->rows, 0);
			else
				g_ptr_array_remove_index(p->rows, p->rows->len - 1);
		}
		*moved = (int)more->len;
	}
	g_ptr_array_free(more, TRUE);
	return rc;
}

pw_code pane_move(pw_console *c, pane *p, int delta, pw_error *err)
{
	int len = (int)p->rows->len, target, moved = 0;
	pw_code rc = PW_OK;

	if (len == 0 || delta == 0)
		return PW_OK;
	target = p->sel + delta;
	if (target >= 0 && target < len) {
		p->sel = target;
	} else if (target >= len) {
		/* Past the bottom: bring in what lies below. One row at a time
		 * would repaint the whole pane on every key (a pane is not a
		 * terminal scrolling region); half a page at once, as mutt's
		 * menus do, keeps most keys to the two rows that change. */
		int need = target - (len - 1);
		int shift;
		rc = scroll_rows(c, p, MAX(need, pane_body(p) / 2), &moved, err);
		shift = len + moved - (int)p->rows->len; /* rows that left at the top */
		p->sel = CLAMP(target - shift, 0, (int)p->rows->len - 1);
	} else {
		int need = -target;
		rc = scroll_rows(c, p, -MAX(need, pane_body(p) / 2), &moved, err);
		p->sel = CLAMP(target + moved, 0, (int)p->rows->len - 1);
	}
	if (p->id == PANE_LOG) {
		/* Following the tail ends when the operator scrolls back and
		 * starts again when they reach the newest event. */
		if (delta < 0)
			p->follow = false;
		else if (p->sel == (int)p->rows->len - 1) {
			GPtrArray *after = g_ptr_array_new_with_free_func(row_free);
			if (p->src->fetch(c, p, g_ptr_array_index(p->rows, p->rows->len - 1), true, false, 1, after, NULL) ==
			        PW_OK &&
			    after->len == 0)
				p->follow = true;
			g_ptr_array_free(after, TRUE);
		}
	}
	return rc;
}

/* The page that starts at `key` (the row itself included), filled from
 * above when it ends short, with the selection on key->id; read by the
 * key alone, so it costs one page however far the row is from the
 * page on screen. */
pw_code pane_goto(pw_console *c, pane *p, const row *key, pw_error *err)
{
	int n = pane_body(p);
	GPtrArray *fresh = g_ptr_array_new_with_free_func(row_free);
	pw_code rc = PW_OK;

	if (n > 0) {
		rc = p->src->fetch(c, p, key, true, true, n, fresh, err);
		if (rc == PW_OK)
			rc = fill_above(c, p, fresh, n, err);
		/* Past the last row: the last page. */
		if (rc == PW_OK && fresh->len == 0)
			rc = fetch_tail(c, p, n, fresh, err);
	}
	if (rc != PW_OK) {
		g_ptr_array_free(fresh, TRUE);
		return rc;
	}
	take_rows(p, fresh, key->id, 0);
	/* A log stays where it was taken rather than jumping to the tail. */
	p->follow = false;
	p->total = p->src->count(c, p);
	return PW_OK;
}

/* ---- filters ---- */

static bool state_known(const char *s)
{
	return pw_job_state_valid(s);
}

pw_code pane_set_filter(pw_console *c, pane *p, const char *typed, pw_error *err)
{
	pane_filter f = { 0 };
	gchar **words;
	GString *text = g_string_new("");
	pw_code rc = PW_OK;

	if (!typed || !*typed) {
		pane_filter_clear(&p->filter);
		g_string_free(text, TRUE);
		return PW_OK;
	}
	if (!g_utf8_validate(typed, -1, NULL)) {
		g_string_free(text, TRUE);
		return pw_fail(err, PW_E_INVALID, "the filter is not valid text");
	}
	words = g_strsplit_set(typed, " \t", -1);
	for (int i = 0; words[i] && rc == PW_OK; i++) {
		const char *w = words[i];
		const char *colon = strchr(w, ':');
		if (!*w)
			continue;
		if (colon && (p->id == PANE_QUEUE || p->id == PANE_LOG)) {
			char *key = g_strndup(w, (gsize)(colon - w));
			const char *val = colon + 1;
			if (!*val) {
				rc = pw_fail(err, PW_E_INVALID, "'%s' needs a value after the colon", key);
			} else if (strcmp(key, "client") == 0) {
				pw_client *cl = NULL;
				/* Names with spaces are written with '_' for each space. */
				char *name = g_strdelimit(g_strdup(val), "_", ' ');
				rc = pw_client_find(c->store, strcmp(name, val) == 0 ? val : name, &cl, err);
				if (rc == PW_E_NOT_FOUND && strcmp(name, val) != 0)
					rc = pw_client_find(c->store, val, &cl, err);
				if (rc == PW_OK)
					f.client_id = cl->id;
				pw_client_free(cl);
				g_free(name);
			} else if (strcmp(key, "state") == 0 && p->id == PANE_QUEUE) {
				if (!state_known(val))
					rc = pw_fail(err, PW_E_INVALID,
					             "no job state '%s': queued, sending, retrying, paused, published, "
					             "failed, unknown or cancelled",
					             val);
				else
					f.state = g_strdup(val);
			} else if (strcmp(key, "kind") == 0 && p->id == PANE_LOG) {
				f.kind = g_strdup(val);
			} else if (strcmp(key, "operator") == 0 && p->id == PANE_LOG) {
				f.operator_name = g_strdup(val);
			} else {
				rc = pw_fail(err, PW_E_INVALID, "the %s pane filters by %s and words; '%s:' is not one of them",
				             p->id == PANE_QUEUE ? "queue" : "log",
				             p->id == PANE_QUEUE ? "state:STATE, client:NAME" : "client:NAME, kind:KIND, operator:NAME",
				             key);
			}
			g_free(key);
		} else {
			char *low = g_utf8_strdown(w, -1);
			if (text->len)
				g_string_append_c(text, ' ');
			g_string_append(text, low);
			g_free(low);
		}
	}
	g_strfreev(words);
	if (rc != PW_OK) {
		pane_filter_clear(&f);
		g_string_free(text, TRUE);
		return rc;
	}
	f.text = text->len ? g_string_free(text, FALSE) : (g_string_free(text, TRUE), NULL);
	f.typed = g_strdup(typed);
	pane_filter_clear(&p->filter);
	p->filter = f;
	return PW_OK;
}
