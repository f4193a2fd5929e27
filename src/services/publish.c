#include "config.h"

#include "pinwarden/publish.h"

#include <errno.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "pinwarden/accounts.h"
#include "pinwarden/activity.h"
#include "pinwarden/clients.h"
#include "pinwarden/domains.h"
#include "pinwarden/pinterest.h"
#include "pinwarden/timeutil.h"

void pw_publish_result_clear(pw_publish_result *r)
{
	if (!r)
		return;
	g_free(r->client_name);
	g_free(r->account_username);
	g_free(r->board_name);
	g_free(r->board_pinterest_id);
	g_free(r->scheduled_at);
	g_free(r->image);
	memset(r, 0, sizeof *r);
}

/* The host of an http(s) URL, lower case and in ASCII (xn--) form; NULL
 * when it is not such a URL. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *ascii = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "https") == 0 || strcmp(scheme, "http") == 0) &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		char *a = g_hostname_to_ascii(host);
		if (a) {
			ascii = g_ascii_strdown(a, -1);
			g_free(a);
		}
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ascii;
}

static bool host_approved(GPtrArray *rules, const char *host)
{
	for (guint i = 0; i < rules->len; i++)
		if (pw_domain_matches(g_ptr_array_index(rules, i), host))
			return true;
	return false;
}

static char *rules_text(GPtrArray *rules)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < rules->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(rules, i));
	return g_string_free(s, FALSE);
}

/* A link or image URL whose host the client approved for that purpose. */
static pw_code check_domain(const pw_client *c, GPtrArray *rules, const char *what, const char *option,
                            const char *flag, const char *url, pw_error *err)
{
	char *host = url_host(url);
	pw_code rc = PW_OK;

	if (!host) {
		rc = pw_fail(err, PW_E_INVALID, "the %s '%s' is not a web address; write it as https://...", what, url);
	} else if (!host_approved(rules, host)) {
		char *list = rules_text(rules);
		rc = pw_fail(err, PW_E_INVALID,
		             "the %s's host %s is not among client '%s''s approved %s domains (%s). If the client approves "
		             "it, add it with: pinwarden client edit '%s' %s %s",
		             what, host, c->name, option, rules->len ? list : "none yet", c->name, flag, host);
		g_free(list);
	}
	g_free(host);
	return rc;
}

pw_code pw_publish_check_url(const pw_client *c, bool image, const char *url, pw_error *err)
{
	if (image)
		return check_domain(c, c->image_domains, "image", "image", "--image-domain", url, err);
	return check_domain(c, c->link_domains, "link", "link", "--link-domain", url, err);
}

/* The board of the account with exactly this name. */
static pw_code find_board(pw_store *store, const pw_account *a, const char *name, sqlite3_int64 *id,
                          char **pinterest_id, bool *in_scope, pw_error *err)
{
	sqlite3_stmt *st;
	pw_code rc = pw_store_prepare(store,
	                              "SELECT id, pinterest_id, in_scope FROM boards WHERE account_id = ?1 AND name = ?2",
	                              &st, err);
	int src, found = 0;

	*id = 0;
	*pinterest_id = NULL;
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, a->id);
	pw_bind_text(st, 2, name);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		found++;
		*id = sqlite3_column_int64(st, 0);
		g_free(*pinterest_id);
		*pinterest_id = pw_col_dup(st, 1);
		*in_scope = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return pw_store_fail(store, src, "finding the board", err);
	if (found == 0)
		return pw_fail(err, PW_E_NOT_FOUND,
		               "account '%s' has no board named '%s' (names must match exactly; 'pinwarden account verify %s' "
		               "reads the boards again)",
		               a->expected_username, name, a->expected_username);
	if (found > 1)
		return pw_fail(err, PW_E_CONFLICT,
		               "account '%s' has %d boards named '%s'; rename one on Pinterest so that the target is "
		               "unmistakable, then run 'pinwarden account verify %s'",
		               a->expected_username, found, name, a->expected_username);
	return PW_OK;
}

/* What identifies the image for spotting duplicates: its URL, or the
 * SHA-256 of a local file's bytes. Also checks a local file. */
static pw_code image_identity(const char *image, char **key, char **path, char **sha, pw_error *err)
{
	GError *gerr = NULL;
	char *data = NULL;
	gsize len = 0;

	*key = *path = *sha = NULL;
	if (g_str_has_prefix(image, "http://") || g_str_has_prefix(image, "https://")) {
		*key = g_strdup(image);
		return PW_OK;
	}
	*path = g_canonicalize_filename(image, NULL);
	if (!g_file_get_contents(*path, &data, &len, &gerr)) {
		pw_fail(err, PW_E_INVALID, "the image '%s' is neither a web address nor a readable file (%s)", image,
		        gerr->message);
		g_error_free(gerr);
		return PW_E_INVALID;
	}
	if (!pw_image_content_type(data, len)) {
		g_free(data);
		return pw_fail(err, PW_E_INVALID, "the image %s is neither a JPEG nor a PNG file", *path);
	}
	if (len > PW_PIN_IMAGE_MAX_BYTES) {
		g_free(data);
		return pw_fail(err, PW_E_INVALID, "the image %s is larger than %d MiB", *path,
		               PW_PIN_IMAGE_MAX_BYTES / (1024 * 1024));
	}
	*sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	*key = g_strconcat("sha256:", *sha, NULL);
	g_free(data);
	return PW_OK;
}

/* A job to the same board with the same image or link, asked for within
 * the window and not cancelled or failed. */
static pw_code find_duplicate(pw_store *store, sqlite3_int64 board_id, const char *image_key, const char *link,
                              int hours, sqlite3_int64 *dup_id, char **dup_state, pw_error *err)
{
	sqlite3_stmt *st;
	char since[PW_TIME_LEN];
	pw_code rc;
	int src;

	pw_time_from_now(-(gint64)hours * 3600, since);
	*dup_id = 0;
	*dup_state = NULL;
	rc = pw_store_prepare(store,
	                      "SELECT id, state FROM jobs WHERE board_id = ?1 AND created_at >= ?2"
	                      " AND state NOT IN ('cancelled', 'failed') AND (image_key = ?3 OR (?4 IS NOT NULL AND link = ?4))"
	                      " ORDER BY id DESC LIMIT 1",
	                      &st, err);
	if (rc != PW_OK)
		return rc;
	sqlite3_bind_int64(st, 1, board_id);
	pw_bind_text(st, 2, since);
	pw_bind_text(st, 3, image_key);
	pw_bind_text(st, 4, link);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		*dup_id = sqlite3_column_int64(st, 0);
		*dup_state = pw_col_dup(st, 1);
	}
	sqlite3_finalize(st);
	return src == SQLITE_ROW || src == SQLITE_DONE ? PW_OK : pw_store_fail(store, src, "looking for duplicates", err);
}

static pw_code insert_job(pw_store *store, const pw_client *c, const pw_account *a, sqlite3_int64 board_id,
                          const pw_publish_request *req, const char *image_url, const char *image_path,
                          const char *image_sha, const char *image_key, const char *when, sqlite3_int64 *job_id,
                          pw_error *err)
{
	sqlite3_stmt *st;
	char now[PW_TIME_LEN];
	pw_code rc = pw_store_prepare(store,
	                              "INSERT INTO jobs (client_id, account_id, board_id, title, description, link, alt_text,"
	                              " image_url, image_path, image_sha256, image_key, scheduled_at, state, next_attempt_at,"
	                              " requested_by, created_at, updated_at)"
	                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'queued', ?12, ?13, ?14, ?14)",
	                              &st, err);
	if (rc != PW_OK)
		return rc;
	pw_time_now(now);
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, a->id);
	sqlite3_bind_int64(st, 3, board_id);
	pw_bind_text(st, 4, req->title ? req->title : "");
	pw_bind_text(st, 5, req->description ? req->description : "");
	pw_bind_text(st, 6, req->link);
	pw_bind_text(st, 7, req->alt_text);
	pw_bind_text(st, 8, image_url);
	pw_bind_text(st, 9, image_path);
	pw_bind_text(st, 10, image_sha);
	pw_bind_text(st, 11, image_key);
	pw_bind_text(st, 12, when);
	pw_bind_text(st, 13, pw_store_operator(store)->name);
	pw_bind_text(st, 14, now);
	rc = pw_store_step_done(store, st, "queueing the job", err);
	if (rc == PW_OK)
		*job_id = sqlite3_last_insert_rowid(pw_store_db(store));
	return rc;
}

pw_code pw_publish(pw_store *store, const pw_publish_request *req, pw_publish_result *out, pw_error *err)
{
	pw_client *c = NULL;
	pw_account *a = NULL;
	char *board_pid = NULL, *image_key = NULL, *image_path = NULL, *image_sha = NULL, *dup_state = NULL;
	char when[PW_TIME_LEN], now[PW_TIME_LEN];
	sqlite3_int64 board_id = 0, dup_id = 0;
	bool in_scope = false;
	pw_code rc;

	memset(out, 0, sizeof *out);
	if (!req->client || !req->account || !req->board)
		return pw_fail(err, PW_E_INVALID, "client, account and board must all be named: there is no default");
	if (!req->image)
		return pw_fail(err, PW_E_INVALID, "a Pin needs an image: an https:// address or a local JPEG or PNG file");

	/* Times first: they need no database. */
	pw_time_now(now);
	if (req->at) {
		if ((rc = pw_time_parse(req->at, when, err)) != PW_OK)
			return rc;
		/* A minute of slack for "now"-ish times typed a moment ago. */
		{
			char limit[PW_TIME_LEN];
			pw_time_from_now(-60, limit);
			if (strcmp(when, limit) < 0) {
				char *shown = pw_time_to_local(when);
				rc = pw_fail(err, PW_E_INVALID, "%s is in the past; give a time to come, or leave --at out for now",
				             shown);
				g_free(shown);
				return rc;
			}
		}
	} else {
		memcpy(when, now, sizeof when);
	}
	if ((rc = image_identity(req->image, &image_key, &image_path, &image_sha, err)) != PW_OK)
		goto out;

	/* The write lock is taken first, so that nothing changes between
	 * the checks and the queueing. */
	if (!req->dry_run && (rc = pw_store_begin(store, err)) != PW_OK)
		goto out;

	if ((rc = pw_client_find(store, req->client, &c, err)) != PW_OK)
		goto fail;
	if (c->archived) {
		rc = pw_fail(err, PW_E_CONFLICT, "client '%s' is archived; nothing can be published for it", c->name);
		goto fail;
	}
	rc = pw_account_find(store, req->account, c->id, &a, err);
	if (rc == PW_E_NOT_FOUND) {
		pw_account *elsewhere = NULL;
		pw_error ignored = { 0 };
		if (pw_account_find(store, req->account, 0, &elsewhere, &ignored) == PW_OK)
			rc = pw_fail(err, PW_E_INVALID,
			             "account '%s' belongs to client '%s', not to '%s': check that this is the right client",
			             elsewhere->expected_username, elsewhere->client_name, c->name);
		pw_account_free(elsewhere);
	}
	if (rc != PW_OK)
		goto fail;
	if (strcmp(a->state, "verified") != 0) {
		rc = pw_fail(err, PW_E_CONFLICT, "account '%s' is %s%s%s, not verified: %s", a->expected_username, a->state,
		             a->state_reason ? " (" : "", a->state_reason ? a->state_reason : "",
		             strcmp(a->state, "expected") == 0 || strcmp(a->state, "disconnected") == 0 ||
		                             strcmp(a->state, "needs_reconnect") == 0
		                     ? "connect it with 'pinwarden account connect'"
		                     : "run 'pinwarden account verify' and fix what it reports");
		goto fail;
	}
	if ((rc = find_board(store, a, req->board, &board_id, &board_pid, &in_scope, err)) != PW_OK)
		goto fail;
	{
		bool named = false;
		for (guint i = 0; i < c->boards->len && !named; i++)
			named = strcmp(g_ptr_array_index(c->boards, i), req->board) == 0;
		/* In scope now (the client's list) and as last verified (the
		 * account's boards): a board just added needs a verify first. */
		if (named && !in_scope) {
			rc = pw_fail(err, PW_E_CONFLICT,
			             "board '%s' was added to client '%s''s scope after the account was last verified; run "
			             "'pinwarden account verify %s' first",
			             req->board, c->name, a->expected_username);
			goto fail;
		}
		in_scope = in_scope && named;
	}
	if (!in_scope) {
		rc = pw_fail(err, PW_E_INVALID,
		             "board '%s' is not in client '%s''s scope; if the client wants it, add it with: pinwarden client "
		             "edit '%s' --board '%s' (then 'pinwarden account verify %s')",
		             req->board, c->name, c->name, req->board, a->expected_username);
		goto fail;
	}
	if (!image_path && (rc = pw_publish_check_url(c, true, req->image, err)) != PW_OK)
		goto fail;
	if (req->link && (rc = pw_publish_check_url(c, false, req->link, err)) != PW_OK)
		goto fail;
	{
		pw_pin_create pin = { .board_id = board_pid, .title = req->title, .description = req->description,
		                      .link = req->link, .alt_text = req->alt_text,
		                      .image_url = image_path ? NULL : req->image, .image_path = image_path };
		if ((rc = pw_pin_create_check(&pin, err)) != PW_OK)
			goto fail;
	}
	if (!req->allow_duplicate) {
		int hours = req->duplicate_window_hours > 0 ? req->duplicate_window_hours : PW_DUPLICATE_WINDOW_HOURS;
		rc = find_duplicate(store, board_id, image_key, req->link, hours, &dup_id, &dup_state, err);
		if (rc != PW_OK)
			goto fail;
		if (dup_id) {
			rc = pw_fail(err, PW_E_CONFLICT,
			             "job %lld (%s) already sends the same %s to board '%s' (within %d hours); if this one is "
			             "meant, add --allow-duplicate",
			             (long long)dup_id, dup_state, image_key && req->link ? "image or link" : "image", req->board,
			             hours);
			goto fail;
		}
	}

	if (!req->dry_run) {
		rc = insert_job(store, c, a, board_id, req, image_path ? NULL : req->image, image_path, image_sha, image_key,
		                when, &out->job_id, err);
		if (rc == PW_OK) {
			cJSON *d = cJSON_CreateObject();
			char *shown = pw_time_to_local(when);
			char *msg = g_strdup_printf("job %lld queued: '%s' to %s → %s at %s", (long long)out->job_id,
			                            req->title ? req->title : "", a->expected_username, req->board, shown);
			pw_event ev = { .kind = "job.queued", .client_id = c->id, .account_id = a->id, .job_id = out->job_id,
			                .message = msg, .details = d };
			cJSON_AddStringToObject(d, "board", req->board);
			cJSON_AddStringToObject(d, "board_id", board_pid);
			cJSON_AddStringToObject(d, "image", image_path ? image_path : req->image);
			if (req->link)
				cJSON_AddStringToObject(d, "link", req->link);
			cJSON_AddStringToObject(d, "scheduled_at", when);
			if (req->allow_duplicate)
				cJSON_AddBoolToObject(d, "allow_duplicate", 1);
			rc = pw_log_append(store, &ev, NULL, err);
			cJSON_Delete(d);
			g_free(msg);
			g_free(shown);
		}
		if (rc != PW_OK)
			goto fail;
		if ((rc = pw_store_commit(store, err)) != PW_OK)
			goto out;
	}
	out->client_name = g_strdup(c->name);
	out->account_username = g_strdup(a->expected_username);
	out->board_name = g_strdup(req->board);
	out->board_pinterest_id = g_strdup(board_pid);
	out->scheduled_at = g_strdup(when);
	out->image = g_strdup(image_path ? image_path : req->image);
	goto out;
fail:
	if (!req->dry_run)
		pw_store_rollback(store);
out:
	pw_client_free(c);
	pw_account_free(a);
	g_free(board_pid);
	g_free(image_key);
	g_free(image_path);
	g_free(image_sha);
	g_free(dup_state);
	return rc;
}
