/* text.h: rules for names and other text that people type, and measuring
 * UTF-8 text in characters and in terminal columns. */
#ifndef PINWARDEN_TEXT_H
#define PINWARDEN_TEXT_H

#include <glib.h>
#include <stddef.h>

#include "pinwarden/error.h"

/* Unicode code points in valid UTF-8 text (Pinterest's limits count these). */
size_t pw_text_chars(const char *utf8);

/* Terminal columns the text occupies: wide (CJK, emoji) characters count
 * two, combining marks none. */
size_t pw_text_width(const char *utf8);

/* A name (client, board, operator): valid UTF-8, 1 to max_chars
 * characters, no control characters, no space at either end. `what` names
 * the field in the error ("client name"). */
pw_code pw_text_check_name(const char *what, const char *s, size_t max_chars, pw_error *err);

/* Free text (contact, notes): valid UTF-8, at most max_chars characters,
 * no control characters but newline and tab. */
pw_code pw_text_check_free(const char *what, const char *s, size_t max_chars, pw_error *err);

/* Up to `max` of `candidates` (char *) that look like `wanted`: the same
 * ignoring case, containing it, or a few edits away. Returns a
 * newly-allocated "A, B or C", or NULL when nothing is close. */
char *pw_text_close_matches(const char *wanted, GPtrArray *candidates, guint max);

#endif
