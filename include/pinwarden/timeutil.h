/* timeutil.h: the one time format pinwarden stores, and parsing of the
 * forms people type.
 *
 * Stored times are UTC, "YYYY-MM-DDTHH:MM:SS.mmmZ": fixed width, so text
 * order is time order, and readable in the sqlite3 shell. */
#ifndef PINWARDEN_TIMEUTIL_H
#define PINWARDEN_TIMEUTIL_H

#include <glib.h>

#include "pinwarden/error.h"

#define PW_TIME_LEN 32

/* The current time in the stored format. */
void pw_time_now(char out[PW_TIME_LEN]);

/* Now plus `seconds` (negative: before now), in the stored format. */
void pw_time_from_now(gint64 seconds, char out[PW_TIME_LEN]);

/* A stored time as a point on the monotonic clock (g_get_monotonic_time),
 * for waiting until then; now when it is past or does not parse. */
gint64 pw_time_monotonic_at(const char *stored);

/* dt in the stored format. */
void pw_time_format(GDateTime *dt, char out[PW_TIME_LEN]);

/* Parses what a person types, returning the stored format:
 *   2026-12-24T09:00:00Z, 2026-12-24T09:00:00+01:00   (ISO 8601 with zone)
 *   2026-12-24 09:00, 2026-12-24T09:00, 2026-12-24     (local time)
 *   now, -3d, -12h, -30m, +2h                          (relative to now)
 *   today 17:30, tomorrow 9:00, tomorrow               (local time)
 * The error names the forms that are accepted. */
pw_code pw_time_parse(const char *text, char out[PW_TIME_LEN], pw_error *err);

/* A stored time shown in local time, "2026-12-24 09:00:00"; a copy of the
 * input when it does not parse. Free with g_free. */
char *pw_time_to_local(const char *stored);

#endif
