/* pinterest_parse.h: turning Pinterest's JSON answers into the typed
 * results of pinterest.h. Unknown fields are ignored, nulls and missing
 * optional fields are tolerated; a body that is not complete JSON of the
 * expected shape fails with a message that says what was wrong, never a
 * crash. Separate from the HTTP code so that the fuzzer and the tests of
 * the description's examples can call them directly. */
#ifndef PINWARDEN_PINTEREST_PARSE_H
#define PINWARDEN_PINTEREST_PARSE_H

#include <stddef.h>

#include "pinwarden/pinterest.h"

pw_code pw_parse_tokens(const char *body, size_t len, pw_tokens *out, pw_error *err);
pw_code pw_parse_user_account(const char *body, size_t len, pw_user_account *out, pw_error *err);
pw_code pw_parse_pin(const char *body, size_t len, pw_api_pin *out, pw_error *err);

/* One page of a list: appends the items to `items` (which holds
 * pw_api_board, pw_api_section or pw_api_pin) and sets *bookmark to the
 * next page's bookmark, or NULL on the last page. */
pw_code pw_parse_board_page(const char *body, size_t len, GPtrArray *items, char **bookmark, pw_error *err);
pw_code pw_parse_section_page(const char *body, size_t len, GPtrArray *items, char **bookmark, pw_error *err);
pw_code pw_parse_pin_page(const char *body, size_t len, GPtrArray *items, char **bookmark, pw_error *err);

/* Pinterest's error body {"code": N, "message": "..."}; false when the
 * body is not one. */
bool pw_parse_error_body(const char *body, size_t len, long *code, char *message, size_t message_size);

#endif
