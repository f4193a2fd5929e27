#include "config.h"

#include "pinwarden/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pinwarden/jsonutil.h"

#define CSV_HEADER "id,at,operator,kind,client_id,client,account_id,job_id,message,details,prev_hash,hash\r\n"

cJSON *pw_event_row_json(const pw_event_row *row)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)row->id);
	cJSON_AddStringToObject(o, "at", row->at);
	cJSON_AddStringToObject(o, "operator", row->operator);
	cJSON_AddStringToObject(o, "kind", row->kind);
	pw_json_id(o, "client_id", row->client_id);
	pw_json_string(o, "client", row->client_name[0] ? row->client_name : NULL);
	pw_json_id(o, "account_id", row->account_id);
	pw_json_id(o, "job_id", row->job_id);
	cJSON_AddStringToObject(o, "message", row->message);
	cJSON_AddStringToObject(o, "details", row->details);
	cJSON_AddStringToObject(o, "prev_hash", row->prev_hash);
	cJSON_AddStringToObject(o, "hash", row->hash);
	return o;
}

typedef struct export_state {
	FILE *f;
	pw_export_format format;
	pw_export_summary *summary;
} export_state;

/* RFC 4180: a field with a comma, quote or line break is quoted, its
 * quotes doubled. */
static void csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

static void csv_id(FILE *f, sqlite3_int64 id)
{
	if (id)
		fprintf(f, "%lld", (long long)id);
	fputc(',', f);
}

static pw_code write_failed(pw_error *err)
{
	return pw_fail(err, errno == ENOSPC ? PW_E_FULL : PW_E_IO, "writing the export failed: %s", g_strerror(errno));
}

static pw_code export_row(const pw_event_row *row, void *ud, pw_error *err)
{
	export_state *es = ud;
	pw_export_summary *sum = es->summary;

	if (es->format == PW_EXPORT_CSV) {
		fprintf(es->f, "%lld,", (long long)row->id);
		csv_field(es->f, row->at, false);
		csv_field(es->f, row->operator, false);
		csv_field(es->f, row->kind, false);
		csv_id(es->f, row->client_id);
		csv_field(es->f, row->client_name, false);
		csv_id(es->f, row->account_id);
		csv_id(es->f, row->job_id);
		csv_field(es->f, row->message, false);
		csv_field(es->f, row->details, false);
		csv_field(es->f, row->prev_hash, false);
		csv_field(es->f, row->hash, true);
	} else {
		cJSON *o = pw_event_row_json(row);
		char *text = cJSON_PrintUnformatted(o);
		fprintf(es->f, "%s\n", text);
		cJSON_free(text);
		cJSON_Delete(o);
	}
	if (ferror(es->f))
		return write_failed(err);
	if (!sum->first_id)
		sum->first_id = row->id;
	sum->last_id = row->id;
	g_strlcpy(sum->last_hash, row->hash, sizeof sum->last_hash);
	sum->count++;
	return PW_OK;
}

pw_code pw_export_write(pw_store *store, const pw_log_filter *filter, pw_export_format format, FILE *out,
                        pw_export_summary *summary, pw_error *err)
{
	sqlite3 *db = pw_store_db(store);
	export_state es = { .f = out, .format = format, .summary = summary };
	pw_code rc;

	memset(summary, 0, sizeof *summary);
	if (format == PW_EXPORT_CSV)
		fputs(CSV_HEADER, out);
	/* One read transaction: one consistent snapshot, whatever other
	 * processes append meanwhile. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return pw_store_fail(store, sqlite3_errcode(db), "reading the activity log", err);
	rc = pw_log_each(store, filter, export_row, &es, err);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == PW_OK && fflush(out) != 0)
		rc = write_failed(err);
	return rc;
}

pw_code pw_export_record(pw_store *store, const pw_log_filter *filter, pw_export_format format,
                         const char *destination, const char *client_name, const pw_export_summary *summary,
                         pw_error *err)
{
	const char *fmt = format == PW_EXPORT_CSV ? "csv" : "jsonl";
	cJSON *d = cJSON_CreateObject();
	char *msg = g_strdup_printf("activity log exported (%lld events, %s) to %s", (long long)summary->count, fmt,
	                            strcmp(destination, "-") == 0 ? "standard output" : destination);
	pw_event ev = { .kind = "log.export", .client_id = filter->client_id, .message = msg, .details = d };
	pw_code rc;

	cJSON_AddStringToObject(d, "format", fmt);
	cJSON_AddStringToObject(d, "destination", destination);
	if (client_name)
		cJSON_AddStringToObject(d, "client", client_name);
	if (filter->since)
		cJSON_AddStringToObject(d, "since", filter->since);
	cJSON_AddNumberToObject(d, "events", (double)summary->count);
	if (summary->count) {
		cJSON_AddNumberToObject(d, "first_id", (double)summary->first_id);
		cJSON_AddNumberToObject(d, "last_id", (double)summary->last_id);
		cJSON_AddStringToObject(d, "last_hash", summary->last_hash);
	}
	rc = pw_log_record(store, &ev, err);
	cJSON_Delete(d);
	g_free(msg);
	return rc;
}

pw_code pw_export_file(pw_store *store, const pw_log_filter *filter, pw_export_format format, const char *path,
                       const char *client_name, pw_export_summary *summary, pw_error *err)
{
	char *tmp = g_strconcat(path, ".pinwarden-XXXXXX", NULL);
	int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
	FILE *f;
	pw_code rc;

	memset(summary, 0, sizeof *summary);
	if (fd < 0) {
		rc = pw_fail(err, PW_E_IO, "cannot create %s: %s; check that its folder exists and is writable", tmp,
		             g_strerror(errno));
		g_free(tmp);
		return rc;
	}
	f = fdopen(fd, "w");
	rc = pw_export_write(store, filter, format, f, summary, err);
	if (rc == PW_OK && (fsync(fileno(f)) != 0 || ferror(f)))
		rc = write_failed(err);
	if (fclose(f) != 0 && rc == PW_OK)
		rc = write_failed(err);
	/* Recorded before it is put in place: an export nobody recorded
	 * never appears. */
	if (rc == PW_OK)
		rc = pw_export_record(store, filter, format, path, client_name, summary, err);
	if (rc == PW_OK && g_rename(tmp, path) != 0)
		rc = pw_fail(err, PW_E_IO, "cannot put the export in place as %s: %s (the export is recorded in the log)",
		             path, g_strerror(errno));
	if (rc != PW_OK) {
		g_unlink(tmp);
		pw_error_prefix(err, "nothing was exported to %s", path);
	}
	g_free(tmp);
	return rc;
}
