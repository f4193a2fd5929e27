/* checks.h: a list of named results with a detail each, as the
 * verification, offboarding and doctor steps report them. */
#ifndef PINWARDEN_CHECKS_H
#define PINWARDEN_CHECKS_H

#include <stdbool.h>

#include <cjson/cJSON.h>
#include <glib.h>

typedef struct pw_check {
	char *name;    /* what was checked or done, for people */
	bool ok;
	char *detail;  /* the result, or what to do about a failure */
} pw_check;

/* A new list of pw_check (free with g_ptr_array_unref). */
GPtrArray *pw_checks_new(void);

pw_check *pw_checks_add(GPtrArray *checks, const char *name, bool ok, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* The first failed check, or NULL. */
const pw_check *pw_checks_first_failure(GPtrArray *checks);

/* [{"check", "ok", "detail"}...] for an event's details. */
cJSON *pw_checks_json(GPtrArray *checks);

#endif
