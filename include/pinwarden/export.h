/* export.h: writing the activity log out, as JSON Lines or CSV, in
 * constant memory and from one consistent snapshot; every export is then
 * recorded as a log.export event. Used by 'log export' and offboarding. */
#ifndef PINWARDEN_EXPORT_H
#define PINWARDEN_EXPORT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "pinwarden/activity.h"

typedef enum pw_export_format {
	PW_EXPORT_JSONL,
	PW_EXPORT_CSV,
} pw_export_format;

typedef struct pw_export_summary {
	gint64 count;
	gint64 first_id, last_id;
	char last_hash[PW_HASH_HEX_LEN + 1];
} pw_export_summary;

/* An event as one JSON object with the stable field names of the export
 * (details kept as its exact stored text, so the hash can be checked). */
cJSON *pw_event_row_json(const pw_event_row *row);

/* Writes the matching events to `out` (and records nothing). */
pw_code pw_export_write(pw_store *store, const pw_log_filter *filter, pw_export_format format, FILE *out,
                        pw_export_summary *summary, pw_error *err);

/* Records a finished export as a log.export event. `destination` is a
 * path or "-"; `client_name` and `since` echo the filter, or NULL. */
pw_code pw_export_record(pw_store *store, const pw_log_filter *filter, pw_export_format format,
                         const char *destination, const char *client_name, const pw_export_summary *summary,
                         pw_error *err);

/* Writes a whole file or none (beside it, then renamed over it; mode
 * 0600) and records it. */
pw_code pw_export_file(pw_store *store, const pw_log_filter *filter, pw_export_format format, const char *path,
                       const char *client_name, pw_export_summary *summary, pw_error *err);

#endif
