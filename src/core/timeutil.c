#include "config.h"

#include "pinwarden/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pw_time_format(GDateTime *dt, char out[PW_TIME_LEN])
{
	GDateTime *utc = g_date_time_to_utc(dt);
	snprintf(out, PW_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         g_date_time_get_year(utc), g_date_time_get_month(utc),
	         g_date_time_get_day_of_month(utc), g_date_time_get_hour(utc),
	         g_date_time_get_minute(utc), g_date_time_get_second(utc),
	         g_date_time_get_microsecond(utc) / 1000);
	g_date_time_unref(utc);
}

void pw_time_now(char out[PW_TIME_LEN])
{
	GDateTime *now = g_date_time_new_now_utc();
	pw_time_format(now, out);
	g_date_time_unref(now);
}

void pw_time_from_now(gint64 seconds, char out[PW_TIME_LEN])
{
	GDateTime *now = g_date_time_new_now_utc();
	GDateTime *then = g_date_time_add_seconds(now, (gdouble)seconds);
	pw_time_format(then, out);
	g_date_time_unref(then);
	g_date_time_unref(now);
}

/* "-3d", "+2h", "-30m": a signed offset from now. */
static GDateTime *parse_relative(const char *text)
{
	char *end;
	long long n;
	GTimeSpan unit;
	GDateTime *now, *dt;

	if (text[0] != '-' && text[0] != '+')
		return NULL;
	n = strtoll(text + 1, &end, 10);
	if (end == text + 1 || n < 0 || n > 100000 || end[0] == '\0' || end[1] != '\0')
		return NULL;
	switch (end[0]) {
	case 's': unit = G_TIME_SPAN_SECOND; break;
	case 'm': unit = G_TIME_SPAN_MINUTE; break;
	case 'h': unit = G_TIME_SPAN_HOUR; break;
	case 'd': unit = G_TIME_SPAN_DAY; break;
	case 'w': unit = 7 * G_TIME_SPAN_DAY; break;
	default: return NULL;
	}
	now = g_date_time_new_now_utc();
	dt = g_date_time_add(now, (text[0] == '-' ? -1 : 1) * (GTimeSpan)n * unit);
	g_date_time_unref(now);
	return dt;
}

/* "2026-12-24", "2026-12-24 09:00", "2026-12-24T09:00[:SS]": local time. */
static GDateTime *parse_local(const char *text)
{
	int y, mo, d, h = 0, mi = 0, s = 0, used = 0;
	char sep;
	GTimeZone *tz;
	GDateTime *dt;

	if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3)
		return NULL;
	if (text[used] != '\0') {
		int more = 0;
		sep = text[used];
		if (sep != ' ' && sep != 'T')
			return NULL;
		if (sscanf(text + used + 1, "%2d:%2d%n", &h, &mi, &more) != 2)
			return NULL;
		used += 1 + more;
		if (text[used] == ':') {
			if (sscanf(text + used + 1, "%2d%n", &s, &more) != 1)
				return NULL;
			used += 1 + more;
		}
		if (text[used] != '\0')
			return NULL;
	}
	tz = g_time_zone_new_local();
	dt = g_date_time_new(tz, y, mo, d, h, mi, s);
	g_time_zone_unref(tz);
	return dt;
}

/* "today 17:30", "tomorrow 9:00", "tomorrow": local time. */
static GDateTime *parse_day_word(const char *text)
{
	int days, h = 0, mi = 0, used = 0;
	const char *rest;
	GDateTime *now, *day, *dt;

	if (g_str_has_prefix(text, "today")) {
		days = 0;
		rest = text + 5;
	} else if (g_str_has_prefix(text, "tomorrow")) {
		days = 1;
		rest = text + 8;
	} else {
		return NULL;
	}
	if (*rest) {
		if (*rest != ' ' || sscanf(rest + 1, "%2d:%2d%n", &h, &mi, &used) != 2 || rest[1 + used] != '\0')
			return NULL;
	}
	now = g_date_time_new_now_local();
	day = g_date_time_add_days(now, days);
	dt = g_date_time_new(g_date_time_get_timezone(day), g_date_time_get_year(day), g_date_time_get_month(day),
	                     g_date_time_get_day_of_month(day), h, mi, 0);
	g_date_time_unref(day);
	g_date_time_unref(now);
	return dt;
}

pw_code pw_time_parse(const char *text, char out[PW_TIME_LEN], pw_error *err)
{
	GDateTime *dt = NULL;

	if (!text || !*text)
		return pw_fail(err, PW_E_INVALID, "an empty time was given");
	if (strcmp(text, "now") == 0)
		dt = g_date_time_new_now_utc();
	if (!dt)
		dt = parse_relative(text);
	if (!dt)
		dt = parse_day_word(text);
	if (!dt)
		dt = parse_local(text);
	if (!dt) {
		/* Other ISO 8601 forms; one without a zone is local time, as
		 * the simple forms above are. */
		GTimeZone *local = g_time_zone_new_local();
		dt = g_date_time_new_from_iso8601(text, local);
		g_time_zone_unref(local);
	}
	if (!dt)
		return pw_fail(err, PW_E_INVALID,
		               "'%s' is not a time pinwarden understands; write it as 2026-12-24 09:00 (local), "
		               "2026-12-24T09:00:00Z, 2026-12-24, now, today 17:30, tomorrow 9:00, or an offset "
		               "such as -3d, -12h, +2h",
		               text);
	pw_time_format(dt, out);
	g_date_time_unref(dt);
	return PW_OK;
}

char *pw_time_to_local(const char *stored)
{
	GTimeZone *utc = g_time_zone_new_utc();
	GDateTime *dt = g_date_time_new_from_iso8601(stored, utc);
	GDateTime *local;
	char *text;

	g_time_zone_unref(utc);
	if (!dt)
		return g_strdup(stored);
	local = g_date_time_to_local(dt);
	text = g_date_time_format(local, "%Y-%m-%d %H:%M:%S");
	g_date_time_unref(local);
	g_date_time_unref(dt);
	return text;
}

gint64 pw_time_monotonic_at(const char *stored)
{
	GTimeZone *utc = g_time_zone_new_utc();
	GDateTime *then = stored ? g_date_time_new_from_iso8601(stored, utc) : NULL;
	GDateTime *now = g_date_time_new_now_utc();
	gint64 left = then ? g_date_time_difference(then, now) : 0;

	g_time_zone_unref(utc);
	if (then)
		g_date_time_unref(then);
	g_date_time_unref(now);
	return g_get_monotonic_time() + MAX(left, 0);
}
