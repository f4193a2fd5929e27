/* fuzz_parsers: a libFuzzer target for the parsers of Pinterest's answers
 * (pinterest_parse.h). Built only with configure --enable-fuzzing (clang);
 * tests/fuzz/run-fuzz.sh builds and runs it.
 *
 * The input's first byte picks the parser (modulo 8):
 *   0 tokens, 1 user_account, 2 pin, 3 board_page, 4 section_page,
 *   5 pin_page, 6 error body
 * and the rest is the body, passed in a buffer of exactly its length (no
 * terminating NUL), so that a read past the end is caught by ASan.
 *
 * Besides crashes, sanitizer reports and leaks, a broken promise of
 * pinterest_parse.h aborts: a failure without a message, a failed list
 * page that left items behind or a bookmark set, a success without the
 * fields the parser insists on. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinwarden/pinterest_parse.h"
#include "pinwarden/redirect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PROMISE(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz_parsers: broken promise: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
			abort(); \
		} \
	} while (0)

static void failed_well(pw_code rc, const pw_error *err)
{
	PROMISE(rc != PW_OK);
	PROMISE(err->message[0] != '\0');
}

static void one_page(int which, const char *body, size_t len)
{
	static const GDestroyNotify frees[] = { (GDestroyNotify)pw_api_board_free,
		                                (GDestroyNotify)pw_api_section_free,
		                                (GDestroyNotify)pw_api_pin_free };
	static char unset[] = "not set";
	pw_error err = { 0 };
	GPtrArray *items = g_ptr_array_new_with_free_func(frees[which]);
	char *bookmark = unset;
	pw_code rc;

	if (which == 0)
		rc = pw_parse_board_page(body, len, items, &bookmark, &err);
	else if (which == 1)
		rc = pw_parse_section_page(body, len, items, &bookmark, &err);
	else
		rc = pw_parse_pin_page(body, len, items, &bookmark, &err);

	if (rc == PW_OK) {
		PROMISE(!bookmark || *bookmark);
		for (guint i = 0; i < items->len; i++) {
			const void *item = g_ptr_array_index(items, i);
			PROMISE(item != NULL);
			if (which == 0)
				PROMISE(((const pw_api_board *)item)->id && ((const pw_api_board *)item)->name);
			else if (which == 1)
				PROMISE(((const pw_api_section *)item)->id);
			else
				PROMISE(((const pw_api_pin *)item)->id);
		}
		g_free(bookmark);
	} else {
		failed_well(rc, &err);
		PROMISE(bookmark == NULL);
		PROMISE(items->len == 0);
	}
	g_ptr_array_unref(items);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pw_error err = { 0 };
	char *body;
	size_t len;
	pw_code rc;

	if (size < 1)
		return 0;
	len = size - 1;
	body = malloc(len ? len : 1);
	if (!body)
		return 0;
	if (len)
		memcpy(body, data + 1, len);

	switch (data[0] % 8) {
	case 0: {
		pw_tokens t;
		memset(&t, 0xA5, sizeof t); /* the parser must set every field */
		rc = pw_parse_tokens(body, len, &t, &err);
		if (rc == PW_OK) {
			PROMISE(t.access_token && *t.access_token);
			PROMISE(t.expires_in > 0);
		} else {
			failed_well(rc, &err);
			PROMISE(!t.access_token && !t.refresh_token && !t.token_type && !t.scope && !t.response_type);
		}
		pw_tokens_clear(&t);
		break;
	}
	case 1: {
		pw_user_account u;
		memset(&u, 0xA5, sizeof u);
		rc = pw_parse_user_account(body, len, &u, &err);
		if (rc == PW_OK)
			PROMISE(u.username && *u.username);
		else
			failed_well(rc, &err);
		pw_user_account_clear(&u);
		break;
	}
	case 2: {
		pw_api_pin p;
		memset(&p, 0xA5, sizeof p);
		rc = pw_parse_pin(body, len, &p, &err);
		if (rc == PW_OK) {
			PROMISE(p.id);
		} else {
			failed_well(rc, &err);
			PROMISE(!p.id && !p.title && !p.image_url);
		}
		pw_api_pin_clear(&p);
		break;
	}
	case 3:
	case 4:
	case 5:
		one_page(data[0] % 8 - 3, body, len);
		break;
	case 7: {
		/* The loopback listener's request parser: what any local
		 * process can send it. */
		pw_redirect r;
		memset(&r, 0xA5, sizeof r);
		rc = pw_redirect_parse_request(body, len, "/", &r, &err);
		if (rc == PW_OK)
			PROMISE(r.state && *r.state);
		else
			PROMISE(!r.code && !r.state && !r.error && !r.error_description);
		pw_redirect_clear(&r);
		break;
	}
	default: {
		char message[64];
		long code = -1;
		bool ok = pw_parse_error_body(body, len, &code, message, sizeof message);
		PROMISE(memchr(message, '\0', sizeof message) != NULL);
		if (!ok)
			PROMISE(code == 0 && message[0] == '\0');
		break;
	}
	}
	free(body);
	return 0;
}
