#include "config.h"

#include "schema.h"

/* Each entry upgrades the schema from version i to i + 1. Entries are never
 * edited once released: a change is a new entry, so that every older
 * workspace takes the same path to the current version. */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE meta (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"

	"CREATE TABLE clients (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  contact TEXT NOT NULL DEFAULT '',\n"
	"  notes TEXT NOT NULL DEFAULT '',\n"
	"  archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),\n"
	"  archived_at TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  created_by TEXT NOT NULL\n"
	");\n"

	/* Hosts a client approves for links and for images. A rule is a host
	 * name, or "*.example.com" for its subdomains. */
	"CREATE TABLE client_domains (\n"
	"  client_id INTEGER NOT NULL REFERENCES clients(id),\n"
	"  purpose TEXT NOT NULL CHECK (purpose IN ('link', 'image')),\n"
	"  domain TEXT NOT NULL,\n"
	"  PRIMARY KEY (client_id, purpose, domain)\n"
	") WITHOUT ROWID;\n"

	/* Boards in scope, by name: known before any account is connected. */
	"CREATE TABLE client_boards (\n"
	"  client_id INTEGER NOT NULL REFERENCES clients(id),\n"
	"  name TEXT NOT NULL,\n"
	"  PRIMARY KEY (client_id, name)\n"
	") WITHOUT ROWID;\n"

	"CREATE TABLE accounts (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  client_id INTEGER NOT NULL REFERENCES clients(id),\n"
	"  expected_username TEXT NOT NULL COLLATE NOCASE,\n"
	"  username TEXT COLLATE NOCASE,\n"
	"  pinterest_user_id TEXT,\n"
	"  account_type TEXT,\n"
	"  state TEXT NOT NULL DEFAULT 'expected' CHECK (state IN\n"
	"    ('expected', 'connected', 'verified', 'mismatch', 'needs_reconnect', 'disconnected')),\n"
	"  state_reason TEXT,\n"
	"  scopes TEXT,\n"
	"  access_expires_at TEXT,\n"
	"  refresh_expires_at TEXT,\n"
	"  connected_by TEXT,\n"
	"  connected_at TEXT,\n"
	"  verified_at TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  UNIQUE (client_id, expected_username)\n"
	");\n"
	"CREATE INDEX accounts_expected ON accounts(expected_username);\n"

	"CREATE TABLE boards (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id),\n"
	"  pinterest_id TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  privacy TEXT,\n"
	"  in_scope INTEGER NOT NULL DEFAULT 0 CHECK (in_scope IN (0, 1)),\n"
	"  synced_at TEXT,\n"
	"  UNIQUE (account_id, pinterest_id)\n"
	");\n"

	"CREATE TABLE jobs (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  client_id INTEGER NOT NULL REFERENCES clients(id),\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id),\n"
	"  board_id INTEGER NOT NULL REFERENCES boards(id),\n"
	"  title TEXT NOT NULL DEFAULT '',\n"
	"  description TEXT NOT NULL DEFAULT '',\n"
	"  link TEXT,\n"
	"  alt_text TEXT,\n"
	"  image_url TEXT,\n"
	"  image_path TEXT,\n"
	"  scheduled_at TEXT NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN\n"
	"    ('queued', 'sending', 'retrying', 'paused', 'done', 'failed', 'unknown', 'cancelled')),\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  next_attempt_at TEXT,\n"
	"  pin_id TEXT,\n"
	"  last_error TEXT,\n"
	"  requested_by TEXT NOT NULL,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL,\n"
	"  CHECK (image_url IS NOT NULL OR image_path IS NOT NULL)\n"
	");\n"
	"CREATE INDEX jobs_due ON jobs(state, next_attempt_at);\n"
	"CREATE INDEX jobs_client ON jobs(client_id, state);\n"
	"CREATE INDEX jobs_scheduled ON jobs(scheduled_at);\n"

	/* The activity log. Its hash chain is described in activity.c. */
	"CREATE TABLE events (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  at TEXT NOT NULL,\n"
	"  operator TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL,\n"
	"  client_id INTEGER,\n"
	"  account_id INTEGER,\n"
	"  job_id INTEGER,\n"
	"  message TEXT NOT NULL,\n"
	"  details TEXT NOT NULL DEFAULT '{}',\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX events_client ON events(client_id, id) WHERE client_id IS NOT NULL;\n"
	"CREATE INDEX events_account ON events(account_id, id) WHERE account_id IS NOT NULL;\n"
	"CREATE INDEX events_job ON events(job_id, id) WHERE job_id IS NOT NULL;\n"
	"CREATE INDEX events_at ON events(at);\n"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN\n"
	"  SELECT RAISE(ABORT, 'the activity log is append-only: an event cannot be changed');\n"
	"END;\n"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN\n"
	"  SELECT RAISE(ABORT, 'the activity log is append-only: an event cannot be deleted');\n"
	"END;\n",

	/* 1 -> 2: connection requests. The state sent to Pinterest is kept
	 * only as its SHA-256, so that reading the database does not give
	 * away a live request. */
	"CREATE TABLE connect_requests (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  state_hash TEXT NOT NULL UNIQUE,\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id),\n"
	"  created_at TEXT NOT NULL,\n"
	"  expires_at TEXT NOT NULL,\n"
	"  created_by TEXT NOT NULL,\n"
	"  closed_at TEXT,\n"
	"  outcome TEXT CHECK (outcome IN\n"
	"    ('exchanging', 'connected', 'mismatch', 'denied', 'failed', 'expired', 'replaced'))\n"
	");\n"
	"CREATE INDEX connect_requests_account ON connect_requests(account_id, closed_at);\n",

	/* 2 -> 3: the publishing queue. A job that went out is 'published'
	 * (was 'done'); a job knows its section, what identifies its image
	 * for spotting duplicates, a local image's SHA-256 (so a file changed
	 * after queueing is noticed), and when its current attempt began (a
	 * crash mid-attempt is reconciled against Pins created after it). */
	"CREATE TABLE jobs_v3 (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  client_id INTEGER NOT NULL REFERENCES clients(id),\n"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id),\n"
	"  board_id INTEGER NOT NULL REFERENCES boards(id),\n"
	"  board_section_id TEXT,\n"
	"  title TEXT NOT NULL DEFAULT '',\n"
	"  description TEXT NOT NULL DEFAULT '',\n"
	"  link TEXT,\n"
	"  alt_text TEXT,\n"
	"  image_url TEXT,\n"
	"  image_path TEXT,\n"
	"  image_sha256 TEXT,\n"
	"  image_key TEXT NOT NULL DEFAULT '',\n"
	"  scheduled_at TEXT NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN\n"
	"    ('queued', 'sending', 'retrying', 'paused', 'published', 'failed', 'unknown', 'cancelled')),\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  attempt_started_at TEXT,\n"
	"  next_attempt_at TEXT,\n"
	"  pin_id TEXT,\n"
	"  last_error TEXT,\n"
	"  requested_by TEXT NOT NULL,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL,\n"
	"  CHECK (image_url IS NOT NULL OR image_path IS NOT NULL)\n"
	");\n"
	"INSERT INTO jobs_v3 (id, client_id, account_id, board_id, title, description, link, alt_text, image_url,\n"
	"  image_path, image_key, scheduled_at, state, attempts, next_attempt_at, pin_id, last_error, requested_by,\n"
	"  created_at, updated_at)\n"
	" SELECT id, client_id, account_id, board_id, title, description, link, alt_text, image_url, image_path,\n"
	"  coalesce(image_url, image_path), scheduled_at, CASE state WHEN 'done' THEN 'published' ELSE state END,\n"
	"  attempts, next_attempt_at, pin_id, last_error, requested_by, created_at, updated_at FROM jobs;\n"
	"DROP TABLE jobs;\n"
	"ALTER TABLE jobs_v3 RENAME TO jobs;\n"
	"CREATE INDEX jobs_due ON jobs(state, next_attempt_at);\n"
	"CREATE INDEX jobs_client ON jobs(client_id, state);\n"
	"CREATE INDEX jobs_scheduled ON jobs(scheduled_at);\n"
	"CREATE INDEX jobs_duplicates ON jobs(board_id, created_at);\n",

	/* 3 -> 4: the console pages through the queue by schedule time, all
	 * clients or one, one state at a time; these let each page be read
	 * from an index instead of sorting the whole queue. The last one
	 * also serves what jobs_client(client_id, state) did. */
	"CREATE INDEX jobs_state_time ON jobs(state, scheduled_at);\n"
	"CREATE INDEX jobs_client_time ON jobs(client_id, scheduled_at);\n"
	"CREATE INDEX jobs_client_state_time ON jobs(client_id, state, scheduled_at);\n"
	"DROP INDEX jobs_client;\n"
	/* An account's waiting jobs, counted in every account list. */
	"CREATE INDEX jobs_account_state ON jobs(account_id, state);\n",

	/* 4 -> 5: a client may have a colour of its own, a terminal colour
	 * name, so that its confirmation screens are told apart at a glance. */
	"ALTER TABLE clients ADD COLUMN colour TEXT;\n",
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == PW_SCHEMA_VERSION);

const char *pw_schema_migration(int from_version)
{
	if (from_version < 0 || from_version >= PW_SCHEMA_VERSION)
		return NULL;
	return migrations[from_version];
}
