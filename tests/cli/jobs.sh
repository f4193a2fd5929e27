#!/bin/sh
# Looking at the queue: job list filters and job show with its history.
# Jobs are put in with sqlite3 here, as the worker would leave them.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

"$PINWARDEN" client add "Alpha" --contact a --domain alpha.example --expect-account alpha_pins >/dev/null
"$PINWARDEN" client add "Beta" --contact b --domain beta.example --expect-account beta_pins >/dev/null
db <<'SQL'
INSERT INTO boards (account_id, pinterest_id, name, in_scope) VALUES (1, '1001', 'Alpha Board', 1), (2, '2002', 'Beta Board', 1);
INSERT INTO jobs (client_id, account_id, board_id, title, image_url, link, scheduled_at, state, attempts, last_error,
                  requested_by, created_at, updated_at) VALUES
 (1, 1, 1, 'Queued pin', 'https://alpha.example/1.jpg', 'https://alpha.example/1', '2027-01-01T09:00:00.000Z', 'queued', 0, NULL, 'ana', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'),
 (1, 1, 1, 'Failed pin', 'https://alpha.example/2.jpg', NULL, '2026-12-01T09:00:00.000Z', 'failed', 5, 'Pinterest 400: bad image', 'ana', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'),
 (2, 2, 2, 'Beta pin ✓', 'https://beta.example/3.jpg', NULL, '2026-12-02T09:00:00.000Z', 'published', 1, NULL, 'bo', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z');
SQL
run job list
check "job list shows every job" [ "$(printf '%s\n' "$out" | wc -l)" -eq 4 ]
check "sorted by scheduled time" has "$(printf '%s\n' "$out" | sed -n 2p)" "Failed pin"
check "with account → board" has "$out" "alpha_pins → Alpha Board"
run job list --state failed
check "--state filters" [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]
check "to the failed job" has "$out" "Failed pin"
run job list --client Beta --json
check "--client filters, and --json prints JSON" python3 -c 'import json,sys; j=json.load(sys.stdin); assert len(j)==1 and j[0]["title"]=="Beta pin ✓" and j[0]["board_id"]=="2002"' <<EOF2
$out
EOF2
run job list --limit 1
check "--limit cuts the list" [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]
check "and says it did" has "$err" "--limit 0 all"
run job list --client Nobody
check "an unknown client is an error" status_is 1

run job show 2
check "job show succeeds" status_is 0
check "job show has the error" has "$out" "Pinterest 400: bad image"
check "job show has the target" has "$out" "Alpha Board (1001)"
run job show 2 --json
check "job show --json includes its events" python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["state"]=="failed" and isinstance(j["events"], list)' <<EOF2
$out
EOF2
run job show 99
check "an unknown job is an error" status_is 1
check "that says how to find jobs" has "$err" "job list"

run client archive Alpha
check "a client with a queued job cannot be archived" status_is 1
check "the refusal counts the waiting jobs" has "$err" "1 job(s) waiting"

done_testing
