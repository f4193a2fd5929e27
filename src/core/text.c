#include "config.h"

#include "pinwarden/text.h"

#include <string.h>

size_t pw_text_chars(const char *utf8)
{
	return (size_t)g_utf8_strlen(utf8, -1);
}

size_t pw_text_width(const char *utf8)
{
	size_t cols = 0;
	for (const char *p = utf8; *p; p = g_utf8_find_next_char(p, NULL)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_iszerowidth(c))
			continue;
		cols += g_unichar_iswide(c) ? 2 : 1;
	}
	return cols;
}

static pw_code check_common(const char *what, const char *s, size_t max_chars,
                            gboolean allow_newlines, pw_error *err)
{
	size_t n;

	if (!g_utf8_validate(s, -1, NULL))
		return pw_fail(err, PW_E_INVALID, "the %s is not valid UTF-8 text; check the terminal's encoding", what);
	n = pw_text_chars(s);
	if (n > max_chars)
		return pw_fail(err, PW_E_INVALID, "the %s is %zu characters long; the limit is %zu", what, n, max_chars);
	for (const char *p = s; *p; p = g_utf8_find_next_char(p, NULL)) {
		gunichar c = g_utf8_get_char(p);
		if (allow_newlines && (c == '\n' || c == '\t'))
			continue;
		if (g_unichar_iscntrl(c))
			return pw_fail(err, PW_E_INVALID, "the %s contains a control character (U+%04X); remove it", what, c);
	}
	return PW_OK;
}

pw_code pw_text_check_name(const char *what, const char *s, size_t max_chars, pw_error *err)
{
	pw_code rc;
	size_t len;

	if (!s || !*s)
		return pw_fail(err, PW_E_INVALID, "the %s is empty; give one", what);
	rc = check_common(what, s, max_chars, FALSE, err);
	if (rc != PW_OK)
		return rc;
	len = strlen(s);
	if (g_unichar_isspace(g_utf8_get_char(s)) ||
	    g_unichar_isspace(g_utf8_get_char(g_utf8_find_prev_char(s, s + len))))
		return pw_fail(err, PW_E_INVALID, "the %s '%s' begins or ends with a space; remove it", what, s);
	return PW_OK;
}

pw_code pw_text_check_free(const char *what, const char *s, size_t max_chars, pw_error *err)
{
	return check_common(what, s ? s : "", max_chars, TRUE, err);
}

/* Levenshtein distance over code points of case-folded text, capped. */
static guint edit_distance(const char *a, const char *b)
{
	glong la, lb;
	gunichar *ua = g_utf8_to_ucs4_fast(a, -1, &la);
	gunichar *ub = g_utf8_to_ucs4_fast(b, -1, &lb);
	guint *row = g_new(guint, (gsize)lb + 1);
	guint result;

	for (glong j = 0; j <= lb; j++)
		row[j] = (guint)j;
	for (glong i = 1; i <= la; i++) {
		guint diag = row[0];
		row[0] = (guint)i;
		for (glong j = 1; j <= lb; j++) {
			guint up = row[j];
			guint best = MIN(row[j] + 1, row[j - 1] + 1);
			best = MIN(best, diag + (ua[i - 1] == ub[j - 1] ? 0u : 1u));
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	g_free(row);
	g_free(ua);
	g_free(ub);
	return result;
}

char *pw_text_close_matches(const char *wanted, GPtrArray *candidates, guint max)
{
	char *want = g_utf8_casefold(wanted, -1);
	guint limit = MAX(2u, (guint)g_utf8_strlen(want, -1) / 3);
	GString *out = g_string_new(NULL);
	guint found = 0;

	for (guint i = 0; i < candidates->len && found < max; i++) {
		const char *cand = g_ptr_array_index(candidates, i);
		char *folded = g_utf8_casefold(cand, -1);
		/* g_str_match_string: every typed word starts a word of the
		 * candidate, accents folded ("acme cafe" finds "Acme Café"). */
		gboolean close = strstr(folded, want) != NULL || strstr(want, folded) != NULL ||
		                 edit_distance(folded, want) <= limit || g_str_match_string(wanted, cand, TRUE);
		g_free(folded);
		if (!close)
			continue;
		if (found > 0)
			g_string_append(out, ", ");
		g_string_append_printf(out, "'%s'", cand);
		found++;
	}
	g_free(want);
	if (found == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}
