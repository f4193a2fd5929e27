/* error.h: status codes and the message that goes with them.
 *
 * Every fallible function returns a pw_code and, when it fails, fills a
 * caller-owned pw_error with a sentence the user can act on: what went
 * wrong, with what, and what to do about it. */
#ifndef PINWARDEN_ERROR_H
#define PINWARDEN_ERROR_H

#include <glib.h>

typedef enum pw_code {
	PW_OK = 0,
	PW_E_INVALID,    /* the input breaks a rule; the message names it */
	PW_E_NOT_FOUND,
	PW_E_AMBIGUOUS,
	PW_E_EXISTS,
	PW_E_CONFLICT,   /* the current state forbids the change */
	PW_E_PERMISSION, /* unsafe ownership or mode */
	PW_E_READONLY,   /* the workspace cannot be written */
	PW_E_BUSY,       /* another process holds the database lock */
	PW_E_FULL,       /* no space left */
	PW_E_CORRUPT,    /* not a pinwarden database, or damaged */
	PW_E_TOO_NEW,    /* written by a newer pinwarden */
	PW_E_MISSING,    /* no workspace there yet */
	PW_E_IO,
	PW_E_TAMPERED,   /* the activity log chain is broken */
	PW_E_API,        /* Pinterest refused or did not answer; see pw_api_error */
	PW_E_INTERNAL,
} pw_code;

#define PW_ERROR_MESSAGE_MAX 1024

typedef struct pw_error {
	pw_code code;
	char message[PW_ERROR_MESSAGE_MAX];
} pw_error;

/* Records code and message in err (which may be NULL) and returns code. */
pw_code pw_fail(pw_error *err, pw_code code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Puts context in front of an existing message: "doing X: <message>". */
pw_code pw_error_prefix(pw_error *err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

void pw_error_clear(pw_error *err);

/* A short stable name for a code, e.g. "busy"; used in --json output. */
const char *pw_code_name(pw_code code);

#endif
