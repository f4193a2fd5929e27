/* script.c: the console without a terminal, for tests.
 *
 * $PINWARDEN_SCRIPT names a file of lines run in order:
 *   jj<Enter>             keys: characters as typed, <Name> for named keys
 *                         (pw_key_parse's names: <Down>, <Tab>, <Esc>, <C-l>)
 *   :save-display FILE    the screen's text, one line per row
 *   :resize COLS LINES    as if the terminal were resized
 *   :sleep MS             let the console run (and notice changes) a while
 *   :wait-for TEXT        run until TEXT is on the screen (at most 10 s)
 *   :exec COMMAND         run a shell command, as another process would
 *   # comment
 * The console quits at the end of the script. The screen lives in curses'
 * buffer on a terminal of $COLUMNS x $LINES written to /dev/null. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui.h"

#define WAIT_FOR_LIMIT_US (10 * G_USEC_PER_SEC)

struct script {
	char *path;
	gchar **lines;
	int next;                  /* the next line to run */
	int lineno;                /* of the line being run, for messages */
	GArray *keys;              /* keys of the current line still to press */
	guint key_i;
	gint64 sleep_until;
	char *wait_text;
	gint64 wait_until;
};

pw_code script_load(const char *path, script **out, pw_error *err)
{
	char *text = NULL;
	GError *gerr = NULL;
	script *s;

	if (!g_file_get_contents(path, &text, NULL, &gerr)) {
		pw_code rc = pw_fail(err, PW_E_IO, "cannot read the console script %s: %s", path, gerr->message);
		g_error_free(gerr);
		return rc;
	}
	s = g_new0(script, 1);
	s->path = g_strdup(path);
	s->lines = g_strsplit(text, "\n", -1);
	s->keys = g_array_new(FALSE, FALSE, sizeof(int));
	g_free(text);
	*out = s;
	return PW_OK;
}

void script_free(script *s)
{
	if (!s)
		return;
	g_free(s->path);
	g_strfreev(s->lines);
	g_array_free(s->keys, TRUE);
	g_free(s->wait_text);
	g_free(s);
}

char *script_screen_text(void)
{
	GString *out = g_string_new("");
	wchar_t *buf = g_new0(wchar_t, (gsize)COLS + 1);

	for (int y = 0; y < LINES; y++) {
		int n = mvwinnwstr(stdscr, y, 0, buf, COLS);
		char *line;
		if (n == ERR)
			n = 0;
		buf[n] = L'\0';
		line = g_ucs4_to_utf8((const gunichar *)buf, -1, NULL, NULL, NULL);
		if (line) {
			g_strchomp(line);
			g_string_append(out, line);
		}
		g_string_append_c(out, '\n');
		g_free(line);
	}
	g_free(buf);
	return g_string_free(out, FALSE);
}

static pw_code parse_keys(script *s, const char *line, pw_error *err)
{
	const char *p = line;
	g_array_set_size(s->keys, 0);
	s->key_i = 0;
	while (*p) {
		int key;
		const char *close = *p == '<' ? strchr(p + 1, '>') : NULL;
		if (close && close > p + 1) {
			char *name = g_strndup(p + 1, (gsize)(close - p - 1));
			bool ok = pw_key_parse(name, &key);
			if (!ok) {
				pw_code rc = pw_fail(err, PW_E_INVALID, "%s:%d: no key called <%s>", s->path, s->lineno, name);
				g_free(name);
				return rc;
			}
			g_free(name);
			p = close + 1;
		} else {
			gunichar u = g_utf8_get_char_validated(p, -1);
			if (u == (gunichar)-1 || u == (gunichar)-2)
				return pw_fail(err, PW_E_INVALID, "%s:%d: the line is not valid UTF-8", s->path, s->lineno);
			key = (int)u;
			p = g_utf8_find_next_char(p, NULL);
			if (!p)
				break;
		}
		g_array_append_val(s->keys, key);
	}
	return PW_OK;
}

static pw_code save_display(pw_console *c, script *s, const char *file, pw_error *err)
{
	char *text;
	GError *gerr = NULL;
	pw_code rc = PW_OK;

	draw_screen(c);
	text = script_screen_text();
	if (!g_file_set_contents(file, text, -1, &gerr)) {
		rc = pw_fail(err, PW_E_IO, "%s:%d: cannot write %s: %s", s->path, s->lineno, file, gerr->message);
		g_error_free(gerr);
	}
	g_free(text);
	return rc;
}

static pw_code run_command(pw_console *c, script *s, const char *line, gint64 *wait_us, pw_error *err)
{
	gchar **w = g_strsplit(line, " ", 2);
	const char *cmd = w[0], *arg = w[1] ? g_strstrip(w[1]) : "";
	pw_code rc = PW_OK;

	if (strcmp(cmd, ":save-display") == 0 && *arg) {
		rc = save_display(c, s, arg, err);
	} else if (strcmp(cmd, ":resize") == 0) {
		int cols = 0, lines = 0;
		if (sscanf(arg, "%d %d", &cols, &lines) != 2 || cols < 1 || lines < 1 || cols > 1000 || lines > 1000) {
			rc = pw_fail(err, PW_E_INVALID, "%s:%d: :resize takes COLUMNS LINES", s->path, s->lineno);
		} else {
			resizeterm(lines, cols);
			console_key(c, PW_KEY_FN | KEY_RESIZE);
		}
	} else if (strcmp(cmd, ":sleep") == 0) {
		long ms = strtol(arg, NULL, 10);
		s->sleep_until = g_get_monotonic_time() + CLAMP(ms, 0, 60000) * 1000;
		*wait_us = 1;
	} else if (strcmp(cmd, ":wait-for") == 0 && *arg) {
		g_free(s->wait_text);
		s->wait_text = g_strdup(arg);
		s->wait_until = g_get_monotonic_time() + WAIT_FOR_LIMIT_US;
		*wait_us = 1;
	} else if (strcmp(cmd, ":exec") == 0 && *arg) {
		int status = system(arg);
		if (status != 0)
			rc = pw_fail(err, PW_E_INVALID, "%s:%d: '%s' failed (status %d)", s->path, s->lineno, arg, status);
	} else {
		rc = pw_fail(err, PW_E_INVALID,
		             "%s:%d: unknown script command '%s' (:save-display FILE, :resize COLS LINES, :sleep MS, "
		             ":wait-for TEXT, :exec COMMAND)",
		             s->path, s->lineno, cmd);
	}
	g_strfreev(w);
	return rc;
}

bool script_step(pw_console *c, script *s, gint64 *wait_us, pw_error *err)
{
	gint64 now = g_get_monotonic_time();

	*wait_us = 0;
	if (s->wait_text) {
		char *text;
		draw_screen(c);
		text = script_screen_text();
		if (strstr(text, s->wait_text)) {
			g_free(s->wait_text);
			s->wait_text = NULL;
		} else if (now > s->wait_until) {
			char *dump = g_strdup_printf("%s.timeout", s->path);
			g_file_set_contents(dump, text, -1, NULL);
			pw_fail(err, PW_E_INVALID, "%s:%d: '%s' did not appear on the screen within 10 s (screen in %s)",
			        s->path, s->lineno, s->wait_text, dump);
			g_free(dump);
			g_free(text);
			return false;
		} else {
			*wait_us = 20 * 1000;
		}
		g_free(text);
		return true;
	}
	if (s->sleep_until) {
		if (now < s->sleep_until) {
			*wait_us = s->sleep_until - now;
			return true;
		}
		s->sleep_until = 0;
	}
	if (s->key_i < s->keys->len) {
		console_key(c, g_array_index(s->keys, int, s->key_i++));
		return true;
	}
	while (s->lines[s->next]) {
		const char *line = s->lines[s->next];
		s->lineno = ++s->next;
		if (!*line || line[0] == '#')
			continue;
		if (line[0] == ':') {
			if (run_command(c, s, line, wait_us, err) != PW_OK)
				return false;
			return true;
		}
		if (parse_keys(s, line, err) != PW_OK)
			return false;
		return true;
	}
	c->quit = true;
	return true;
}
