#include "config.h"

#include "pinwarden/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "pinwarden/activity.h"
#include "schema.h"

struct pw_store {
	sqlite3 *db;
	char *workspace;
	char *db_path;
	char workspace_id[33];
	pw_operator op;
	int busy_timeout_ms;
	bool readonly;
	bool created;
	GHashTable *cache;      /* SQL text -> prepared statement, for the hot paths */
};

sqlite3 *pw_store_db(pw_store *store) { return store->db; }
const char *pw_store_workspace(const pw_store *store) { return store->workspace; }
const char *pw_store_db_path(const pw_store *store) { return store->db_path; }
const char *pw_store_workspace_id(const pw_store *store) { return store->workspace_id; }
const pw_operator *pw_store_operator(const pw_store *store) { return &store->op; }
bool pw_store_is_readonly(const pw_store *store) { return store->readonly; }
bool pw_store_created(const pw_store *store) { return store->created; }

const char *pw_col_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);
	return t ? (const char *)t : "";
}

char *pw_col_dup(sqlite3_stmt *stmt, int i)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);
	return t ? g_strdup((const char *)t) : NULL;
}

int pw_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	return s ? sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(stmt, i);
}

int pw_bind_id(sqlite3_stmt *stmt, int i, sqlite3_int64 id)
{
	return id ? sqlite3_bind_int64(stmt, i, id) : sqlite3_bind_null(stmt, i);
}

/* ---- errors ---------------------------------------------------------- */

static pw_code fail_sqlite(sqlite3 *db, const char *db_path, int busy_ms, int rc,
                           const char *doing, pw_error *err)
{
	int primary = rc & 0xff;
	int sys = db ? sqlite3_system_errno(db) : 0;
	const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	if (primary == SQLITE_IOERR && sys == ENOSPC)
		primary = SQLITE_FULL;
	switch (primary) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return pw_fail(err, PW_E_BUSY,
		               "the workspace database %s is locked by another process (waited %d ms) while %s; "
		               "nothing was changed. Try again in a moment; 'fuser %s' shows which process holds it",
		               db_path, busy_ms, doing, db_path);
	case SQLITE_FULL:
		return pw_fail(err, PW_E_FULL,
		               "no space left for the workspace database %s while %s; nothing was changed. "
		               "Free space on that file system and try again",
		               db_path, doing);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return pw_fail(err, PW_E_CORRUPT,
		               "%s is damaged or is not a pinwarden database (%s) while %s; nothing was changed. "
		               "Keep the file for inspection and restore the workspace from a backup",
		               db_path, detail, doing);
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return pw_fail(err, PW_E_READONLY,
		               "the workspace database %s cannot be written (%s) while %s; nothing was changed. "
		               "Check that the folder and its files are writable by you, and that the disk is not mounted read-only",
		               db_path, detail, doing);
	case SQLITE_CANTOPEN:
		return pw_fail(err, PW_E_IO, "cannot open the workspace database %s (%s%s%s) while %s",
		               db_path, detail, sys ? ": " : "", sys ? g_strerror(sys) : "", doing);
	case SQLITE_IOERR:
		return pw_fail(err, PW_E_IO, "input/output error on %s (%s%s%s) while %s; nothing was changed. "
		               "Check the disk and try again",
		               db_path, detail, sys ? ": " : "", sys ? g_strerror(sys) : "", doing);
	case SQLITE_CONSTRAINT:
		return pw_fail(err, PW_E_CONFLICT, "%s was refused by the database (%s)", doing, detail);
	default:
		return pw_fail(err, PW_E_INTERNAL, "database error while %s: %s", doing, detail);
	}
}

pw_code pw_store_fail(pw_store *store, int rc, const char *doing, pw_error *err)
{
	return fail_sqlite(store->db, store->db_path, store->busy_timeout_ms, rc, doing, err);
}

pw_code pw_store_prepare(pw_store *store, const char *sql, sqlite3_stmt **stmt, pw_error *err)
{
	int rc = sqlite3_prepare_v2(store->db, sql, -1, stmt, NULL);
	if (rc != SQLITE_OK)
		return pw_store_fail(store, rc, "preparing a query", err);
	return PW_OK;
}

static void finalize_stmt(gpointer st)
{
	sqlite3_finalize(st);
}

pw_code pw_store_prepare_cached(pw_store *store, const char *sql, sqlite3_stmt **stmt, pw_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!store->cache)
		store->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, finalize_stmt);
	st = g_hash_table_lookup(store->cache, sql);
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		*stmt = st;
		return PW_OK;
	}
	rc = sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		*stmt = NULL;
		return pw_store_fail(store, rc, "preparing a query", err);
	}
	g_hash_table_insert(store->cache, g_strdup(sql), st);
	*stmt = st;
	return PW_OK;
}

void pw_store_release(sqlite3_stmt *stmt)
{
	if (stmt)
		sqlite3_reset(stmt);
}

pw_code pw_store_step_done(pw_store *store, sqlite3_stmt *stmt, const char *doing, pw_error *err)
{
	int rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? PW_OK : pw_store_fail(store, rc, doing, err);
}

/* ---- transactions ---------------------------------------------------- */

pw_code pw_store_begin(pw_store *store, pw_error *err)
{
	int rc;
	if (store->readonly)
		return pw_fail(err, PW_E_READONLY,
		               "the workspace %s is read-only; pinwarden must write there to record this. "
		               "Make it writable (chmod u+w), or use --workspace to choose another",
		               store->workspace);
	{
		sqlite3_stmt *st;
		if (pw_store_prepare_cached(store, "BEGIN IMMEDIATE", &st, err) != PW_OK)
			return err ? err->code : PW_E_INTERNAL;
		rc = sqlite3_step(st);
		pw_store_release(st);
	}
	if (rc != SQLITE_DONE)
		return pw_store_fail(store, rc, "starting a change", err);
	return PW_OK;
}

pw_code pw_store_commit(pw_store *store, pw_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (pw_store_prepare_cached(store, "COMMIT", &st, err) != PW_OK) {
		pw_store_rollback(store);
		return err ? err->code : PW_E_INTERNAL;
	}
	rc = sqlite3_step(st);
	pw_store_release(st);
	if (rc != SQLITE_DONE) {
		pw_code code = pw_store_fail(store, rc, "saving the change", err);
		pw_store_rollback(store);
		return code;
	}
	return PW_OK;
}

void pw_store_rollback(pw_store *store)
{
	if (!sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- backups ----------------------------------------------------------- */

pw_code pw_store_backup(pw_store *store, const char *path, sqlite3_int64 *pages, pw_error *err)
{
	char *tmp = g_strconcat(path, ".pinwarden-XXXXXX", NULL);
	int fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
	sqlite3 *copy = NULL;
	sqlite3_backup *b;
	pw_code rc = PW_OK;
	int src;

	*pages = 0;
	if (fd < 0) {
		rc = pw_fail(err, PW_E_IO, "cannot create %s: %s; check that its folder exists and is writable", tmp,
		             g_strerror(errno));
		g_free(tmp);
		return rc;
	}
	close(fd);
	src = sqlite3_open_v2(tmp, &copy, SQLITE_OPEN_READWRITE, NULL);
	if (src != SQLITE_OK) {
		rc = fail_sqlite(copy, tmp, 0, src, "opening the backup file", err);
		goto out;
	}
	b = sqlite3_backup_init(copy, "main", store->db, "main");
	if (!b) {
		rc = fail_sqlite(copy, tmp, 0, sqlite3_errcode(copy), "starting the backup", err);
		goto out;
	}
	/* In steps, so that writers are held up for a moment at a time; a
	 * busy source is waited for, a change restarts the copy by itself. */
	do {
		src = sqlite3_backup_step(b, 256);
		if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (src == SQLITE_OK || src == SQLITE_BUSY || src == SQLITE_LOCKED);
	*pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (src != SQLITE_DONE) {
		rc = fail_sqlite(copy, tmp, 0, src, "copying the database", err);
		goto out;
	}
	/* The copy stands alone: no write-ahead log beside it. */
	if (sqlite3_exec(copy, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = fail_sqlite(copy, tmp, 0, sqlite3_errcode(copy), "finishing the backup", err);
		goto out;
	}
	{
		sqlite3_stmt *st;
		char *verdict = NULL;
		if (sqlite3_prepare_v2(copy, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				verdict = pw_col_dup(st, 0);
			sqlite3_finalize(st);
		}
		if (!verdict || strcmp(verdict, "ok") != 0)
			rc = pw_fail(err, PW_E_CORRUPT, "the backup did not pass SQLite's check (%s); nothing was kept",
			             verdict ? verdict : "no answer");
		g_free(verdict);
	}
out:
	if (copy)
		sqlite3_close(copy);
	if (rc == PW_OK && g_rename(tmp, path) != 0)
		rc = pw_fail(err, PW_E_IO, "cannot put the backup in place as %s: %s", path, g_strerror(errno));
	if (rc != PW_OK) {
		static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };
		for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
			char *p = g_strconcat(tmp, suffixes[i], NULL);
			g_unlink(p);
			g_free(p);
		}
	}
	g_free(tmp);
	return rc;
}

/* ---- the workspace folder ------------------------------------------- */

static const char *owner_name(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);
	if (pw && pw->pw_name)
		return pw->pw_name;
	snprintf(buf, size, "uid %u", (unsigned)uid);
	return buf;
}

/* Refuses a path that someone else could write: group or world write bits,
 * or an owner other than us (or root, who can write anything anyway). */
static pw_code check_private(const char *path, const struct stat *st, const char *what, pw_error *err)
{
	uid_t me = geteuid();
	char buf[32];

	if (st->st_uid != me && st->st_uid != 0)
		return pw_fail(err, PW_E_PERMISSION,
		               "the workspace %s %s belongs to %s, not to you (%s): another user can change it, so "
		               "pinwarden refuses to use it. Run pinwarden as that user, or choose your own workspace with --workspace",
		               what, path, owner_name(st->st_uid, buf, sizeof buf), g_get_user_name());
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return pw_fail(err, PW_E_PERMISSION,
		               "the workspace %s %s can be written by other users (mode %04o), so pinwarden refuses to use it. "
		               "Fix it with: chmod %s %s",
		               what, path, (unsigned)(st->st_mode & 07777),
		               S_ISDIR(st->st_mode) ? "700" : "600", path);
	return PW_OK;
}

static pw_code check_file(const char *path, const char *what, bool *exists, pw_error *err)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT) {
			*exists = false;
			return PW_OK;
		}
		return pw_fail(err, PW_E_IO, "cannot examine %s: %s", path, g_strerror(errno));
	}
	*exists = true;
	if (!S_ISREG(st.st_mode))
		return pw_fail(err, PW_E_PERMISSION,
		               "%s is not a regular file (a link or something else); pinwarden refuses to follow it. "
		               "Move it away and restore the workspace from a backup", path);
	return check_private(path, &st, what, err);
}

/* Creates the folder (and missing parents) private to the user. */
static pw_code make_workspace_dir(const char *dir, pw_error *err)
{
	if (g_mkdir_with_parents(dir, 0700) != 0)
		return pw_fail(err, PW_E_IO, "cannot create the workspace folder %s: %s; "
		               "check the parent folder's permissions, or choose another with --workspace",
		               dir, g_strerror(errno));
	/* The umask may have taken bits away; never adds any, but be exact. */
	if (chmod(dir, 0700) != 0)
		return pw_fail(err, PW_E_IO, "cannot set the mode of %s: %s", dir, g_strerror(errno));
	return PW_OK;
}

static pw_code create_db_file(const char *path, pw_error *err)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return pw_fail(err, errno == ENOSPC ? PW_E_FULL : PW_E_IO,
		               "cannot create the workspace database %s: %s", path, g_strerror(errno));
	close(fd);
	return PW_OK;
}

static bool writable(const char *path)
{
	return access(path, W_OK) == 0;
}

/* Checks the folder and its files; creates them when asked to. Sets
 * *readonly when we may not write there. */
static pw_code prepare_workspace(pw_store *s, pw_open_mode mode, pw_error *err)
{
	struct stat st;
	bool exists;
	pw_code rc;
	static const char *const sidecars[] = { "-wal", "-shm", "-journal" };

	if (stat(s->workspace, &st) != 0) {
		if (errno != ENOENT)
			return pw_fail(err, PW_E_IO, "cannot examine the workspace folder %s: %s",
			               s->workspace, g_strerror(errno));
		if (mode != PW_OPEN_CREATE)
			return pw_fail(err, PW_E_MISSING, "there is no workspace at %s", s->workspace);
		rc = make_workspace_dir(s->workspace, err);
		if (rc != PW_OK)
			return rc;
		if (stat(s->workspace, &st) != 0)
			return pw_fail(err, PW_E_IO, "cannot examine %s: %s", s->workspace, g_strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return pw_fail(err, PW_E_INVALID, "the workspace %s is not a folder; choose a folder with --workspace",
		               s->workspace);
	rc = check_private(s->workspace, &st, "folder", err);
	if (rc != PW_OK)
		return rc;

	rc = check_file(s->db_path, "database", &exists, err);
	if (rc != PW_OK)
		return rc;
	for (size_t i = 0; i < G_N_ELEMENTS(sidecars); i++) {
		char *side = g_strconcat(s->db_path, sidecars[i], NULL);
		bool side_exists;
		rc = check_file(side, "file", &side_exists, err);
		g_free(side);
		if (rc != PW_OK)
			return rc;
	}

	s->readonly = !writable(s->workspace) || (exists && !writable(s->db_path));
	if (s->readonly && mode != PW_OPEN_READ)
		return pw_fail(err, PW_E_READONLY,
		               "the workspace %s is read-only; pinwarden must write there to record this. "
		               "Make it writable (chmod u+w on the folder and %s), or choose another with --workspace",
		               s->workspace, PW_DB_FILE);

	if (!exists) {
		if (mode != PW_OPEN_CREATE)
			return pw_fail(err, PW_E_MISSING, "the folder %s holds no workspace database (%s)",
			               s->workspace, PW_DB_FILE);
		rc = create_db_file(s->db_path, err);
		if (rc != PW_OK)
			return rc;
		s->created = true;
	} else {
		if (stat(s->db_path, &st) == 0 && st.st_size == 0)
			return pw_fail(err, PW_E_CORRUPT,
			               "the workspace database %s is empty (0 bytes): it was truncated, or its creation "
			               "was interrupted. Restore it from a backup, or delete it to start an empty workspace",
			               s->db_path);
	}
	return PW_OK;
}

/* ---- opening the database -------------------------------------------- */

static pw_code exec_sql(pw_store *s, const char *sql, const char *doing, pw_error *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? PW_OK : pw_store_fail(s, rc, doing, err);
}

static pw_code query_int(pw_store *s, const char *sql, sqlite3_int64 *out, const char *doing, pw_error *err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
	}
	return rc == SQLITE_OK ? PW_OK : pw_store_fail(s, rc, doing, err);
}

/* Reads the 100-byte SQLite header before SQLite does, to tell "not a
 * database" and "cut off" apart from other damage: a file shorter than
 * the pages its header declares was truncated. The declared size counts
 * only when no write-ahead log is pending (a clean close leaves none) and
 * when the header says it is current (bytes 92-95 equal bytes 24-27). */
static pw_code check_header(pw_store *s, pw_error *err)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char h[100];
	struct stat st, wal;
	char *wal_path;
	bool wal_pending;
	long long page_size, pages;
	ssize_t got;
	int fd = open(s->db_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return pw_fail(err, PW_E_IO, "cannot read %s: %s", s->db_path, g_strerror(errno));
	got = read(fd, h, sizeof h);
	if (fstat(fd, &st) != 0)
		st.st_size = 0;
	close(fd);
	if (got != (ssize_t)sizeof h || memcmp(h, magic, sizeof magic) != 0)
		return pw_fail(err, PW_E_CORRUPT,
		               "%s is not an SQLite database (%s); nothing was changed. Keep the file for inspection "
		               "and restore the workspace from a backup",
		               s->db_path, got < (ssize_t)sizeof h ? "it is too short" : "its header is wrong");

	wal_path = g_strconcat(s->db_path, "-wal", NULL);
	wal_pending = stat(wal_path, &wal) == 0 && wal.st_size > 0;
	g_free(wal_path);
	if (wal_pending || memcmp(h + 24, h + 92, 4) != 0)
		return PW_OK;
	page_size = (h[16] << 8) | h[17];
	if (page_size == 1)
		page_size = 65536;
	pages = ((long long)h[28] << 24) | (h[29] << 16) | (h[30] << 8) | h[31];
	if ((long long)st.st_size < pages * page_size)
		return pw_fail(err, PW_E_CORRUPT,
		               "the workspace database %s is truncated: %lld bytes where its header declares %lld. "
		               "Nothing was changed. Keep the file for inspection and restore the workspace from a backup",
		               s->db_path, (long long)st.st_size, pages * page_size);
	return PW_OK;
}

static void new_workspace_id(char out[33])
{
	guint8 bytes[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, bytes, sizeof bytes) : -1;

	if (fd >= 0)
		close(fd);
	/* The id only keeps keyring items of two workspaces apart; GLib's
	 * generator is good enough if /dev/urandom is somehow unreadable. */
	if (got != (ssize_t)sizeof bytes)
		for (size_t i = 0; i < sizeof bytes; i++)
			bytes[i] = (guint8)g_random_int_range(0, 256);
	for (size_t i = 0; i < sizeof bytes; i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

static pw_code load_workspace_id(pw_store *s, pw_error *err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'workspace_id'", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return pw_store_fail(s, rc, "reading the workspace id", err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		g_strlcpy(s->workspace_id, pw_col_text(st, 0), sizeof s->workspace_id);
		sqlite3_finalize(st);
		return PW_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pw_store_fail(s, rc, "reading the workspace id", err);
	return pw_fail(err, PW_E_CORRUPT,
	               "the workspace database %s has no workspace id: it was damaged or edited by hand. "
	               "Restore it from a backup", s->db_path);
}

/* Brings the schema to PW_SCHEMA_VERSION in one transaction: a failure at
 * any step leaves the database exactly as it was. */
static pw_code migrate(pw_store *s, sqlite3_int64 version, pw_error *err)
{
	pw_code rc = pw_store_begin(s, err);
	sqlite3_int64 from;

	if (rc != PW_OK)
		return rc;
	/* Another process may have upgraded it while we waited for the lock. */
	rc = query_int(s, "PRAGMA user_version", &version, "reading the schema version", err);
	if (rc != PW_OK)
		goto out;
	from = version;
	if (version == PW_SCHEMA_VERSION) {
		pw_store_rollback(s);
		return PW_OK;
	}
	for (; version < PW_SCHEMA_VERSION; version++) {
		char doing[64];
		snprintf(doing, sizeof doing, "upgrading the schema to version %lld", (long long)version + 1);
		rc = exec_sql(s, pw_schema_migration((int)version), doing, err);
		if (rc != PW_OK)
			goto out;
	}
	{
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", PW_SCHEMA_VERSION);
		rc = exec_sql(s, sql, "recording the schema version", err);
		if (rc != PW_OK)
			goto out;
	}

	if (from == 0) {
		char id[33];
		sqlite3_stmt *st;
		new_workspace_id(id);
		rc = pw_store_prepare(s, "INSERT INTO meta (key, value) VALUES ('workspace_id', ?1)", &st, err);
		if (rc != PW_OK)
			goto out;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		{
			int src = sqlite3_step(st);
			sqlite3_finalize(st);
			if (src != SQLITE_DONE) {
				rc = pw_store_fail(s, src, "recording the workspace id", err);
				goto out;
			}
		}
		g_strlcpy(s->workspace_id, id, sizeof s->workspace_id);
		{
			cJSON *d = cJSON_CreateObject();
			pw_event ev = { .kind = "workspace.create", .message = "workspace created", .details = d };
			cJSON_AddStringToObject(d, "workspace_id", id);
			cJSON_AddStringToObject(d, "path", s->workspace);
			cJSON_AddNumberToObject(d, "schema_version", PW_SCHEMA_VERSION);
			rc = pw_log_append(s, &ev, NULL, err);
			cJSON_Delete(d);
		}
	} else {
		rc = load_workspace_id(s, err);
		if (rc == PW_OK) {
			cJSON *d = cJSON_CreateObject();
			char msg[96];
			pw_event ev = { .kind = "workspace.upgrade", .message = msg, .details = d };
			snprintf(msg, sizeof msg, "workspace upgraded from schema version %lld to %d",
			         (long long)from, PW_SCHEMA_VERSION);
			cJSON_AddNumberToObject(d, "from_version", (double)from);
			cJSON_AddNumberToObject(d, "to_version", PW_SCHEMA_VERSION);
			rc = pw_log_append(s, &ev, NULL, err);
			cJSON_Delete(d);
		}
	}
	if (rc != PW_OK)
		goto out;
	return pw_store_commit(s, err);
out:
	pw_store_rollback(s);
	return rc;
}

static char *readonly_uri(const char *path)
{
	/* immutable: a workspace we cannot write cannot be written by anyone
	 * we trust either, and SQLite then needs no -shm file beside it. */
	char *escaped = g_uri_escape_string(path, "/", FALSE);
	char *uri = g_strconcat("file:", escaped, "?mode=ro&immutable=1", NULL);
	g_free(escaped);
	return uri;
}

static pw_code open_db(pw_store *s, const pw_store_options *opt, pw_error *err)
{
	sqlite3_int64 version = 0;
	pw_code rc;
	int src;

	if (s->readonly) {
		char *uri = readonly_uri(s->db_path);
		src = sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
		g_free(uri);
	} else {
		src = sqlite3_open_v2(s->db_path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
	}
	if (src != SQLITE_OK)
		return pw_store_fail(s, src, "opening the workspace", err);
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, s->busy_timeout_ms);

	if (!s->created) {
		rc = check_header(s, err);
		if (rc != PW_OK)
			return rc;
	}
	rc = query_int(s, "PRAGMA user_version", &version, "reading the schema version", err);
	if (rc != PW_OK)
		return rc;
	if (version > PW_SCHEMA_VERSION)
		return pw_fail(err, PW_E_TOO_NEW,
		               "the workspace %s was written by a newer pinwarden (schema version %lld; this one knows "
		               "up to %d). Nothing was changed. Upgrade pinwarden to use it",
		               s->workspace, (long long)version, PW_SCHEMA_VERSION);

	if (version == 0) {
		sqlite3_int64 objects = 0;
		rc = query_int(s, "SELECT count(*) FROM sqlite_master", &objects, "reading the schema", err);
		if (rc != PW_OK)
			return rc;
		if (objects > 0)
			return pw_fail(err, PW_E_CORRUPT,
			               "%s is an SQLite database but not a pinwarden workspace; nothing was changed. "
			               "Choose another folder with --workspace", s->db_path);
	}

	/* Only now, with the file known to be ours, is anything changed. */
	if (!s->readonly) {
		/* FULL: a committed change (such as "this job is being sent")
		 * survives a power cut, which the never-twice rule relies on. */
		rc = exec_sql(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
		              "configuring the database", err);
		if (rc != PW_OK)
			return rc;
	}

	if (version < PW_SCHEMA_VERSION) {
		if (s->readonly)
			return pw_fail(err, PW_E_READONLY,
			               "the workspace %s needs an upgrade from schema version %lld to %d, but it is read-only. "
			               "Make it writable and run any pinwarden command once",
			               s->workspace, (long long)version, PW_SCHEMA_VERSION);
		rc = migrate(s, version, err);
		if (rc != PW_OK)
			return rc;
	}
	(void)opt;
	return load_workspace_id(s, err);
}

pw_code pw_store_open(const char *workspace, const pw_store_options *opt,
                      pw_store **out, pw_error *err)
{
	pw_store *s = g_new0(pw_store, 1);
	pw_code rc;

	*out = NULL;
	s->workspace = g_strdup(workspace);
	s->db_path = g_build_filename(workspace, PW_DB_FILE, NULL);
	s->busy_timeout_ms = opt->busy_timeout_ms;
	if (opt->operator) {
		s->op = *opt->operator;
	} else {
		rc = pw_operator_detect(&s->op, err);
		if (rc != PW_OK)
			goto fail;
	}

	rc = prepare_workspace(s, opt->mode, err);
	if (rc != PW_OK)
		goto fail;
	rc = open_db(s, opt, err);
	if (rc != PW_OK)
		goto fail;
	*out = s;
	return PW_OK;

fail:
	if (s->created) {
		/* A brand-new database that failed half-way holds nothing of
		 * value; leave no 0-byte file that would later look truncated. */
		static const char *const suffixes[] = { "", "-wal", "-shm" };
		if (s->db)
			sqlite3_close(s->db);
		s->db = NULL;
		for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
			char *p = g_strconcat(s->db_path, suffixes[i], NULL);
			g_unlink(p);
			g_free(p);
		}
	}
	pw_store_close(s);
	return rc;
}

void pw_store_close(pw_store *store)
{
	if (!store)
		return;
	if (store->cache)
		g_hash_table_destroy(store->cache);
	if (store->db)
		sqlite3_close(store->db);
	g_free(store->workspace);
	g_free(store->db_path);
	g_free(store);
}
