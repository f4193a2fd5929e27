#!/bin/sh
# The activity log from the command line: tail, follow, export, verify,
# and tampering with the file found.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

"$PINWARDEN" client add "Alpha" --contact "a" --domain alpha.example >/dev/null
"$PINWARDEN" client add "Beta, \"the\" second" --contact "b" --domain beta.example --expect-account beta_pins >/dev/null
"$PINWARDEN" client edit "Alpha" --notes "line one
line two" >/dev/null
events=$(db "SELECT count(*) FROM events")

# ---- tail ----
run log tail
check "log tail shows every event of a small log" [ "$(printf '%s\n' "$out" | wc -l)" -eq "$events" ]
run log tail -n 2
check "-n limits the lines" [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]
check "oldest of them first" has "$(printf '%s\n' "$out" | tail -n 1)" "client.edit"
run log tail --client Alpha
check "--client shows only that client's events" hasnt "$out" "Beta"
check "and does show them" has "$out" "client 'Alpha' changed"
run log tail --json -n 3
check "--json prints one object a line" python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin.read().splitlines()]' <<EOF2
$out
EOF2

"$PINWARDEN" log tail -f -n 1 >"$TEST_TMP/follow.out" 2>&1 &
follower=$!
sleep 0.5
"$PINWARDEN" client add "Gamma" --contact g >/dev/null
seen=no
for _ in $(seq 40); do
	if grep -q "Gamma" "$TEST_TMP/follow.out"; then seen=yes; break; fi
	sleep 0.1
done
check "log tail -f shows an event another process appends" [ "$seen" = yes ]
kill -INT "$follower"
wait "$follower"
status=$?
check "log tail -f stops cleanly on Ctrl-C" status_is 0

# ---- export ----
events=$(db "SELECT count(*) FROM events")
run log export --format jsonl
check "export to standard output succeeds" status_is 0
check "one line per event" [ "$(printf '%s\n' "$out" | wc -l)" -eq "$events" ]
printf '%s\n' "$out" > "$TEST_TMP/all.jsonl"
check "the export is recorded as an event" [ "$(db "SELECT kind FROM events ORDER BY id DESC LIMIT 1")" = log.export ]
check "which says how many events went out" [ "$(db "SELECT json_extract(details, '\$.events') FROM events ORDER BY id DESC LIMIT 1")" = "$events" ]
python3 "$TESTS_SRCDIR/../doc/verify-export.py" "$TEST_TMP/all.jsonl" >"$TEST_TMP/v.out" 2>&1
status=$?; out=$(cat "$TEST_TMP/v.out")
check "an independent script verifies the exported chain" status_is 0
sed 's/client .Alpha. changed/client Alpha renamed/' "$TEST_TMP/all.jsonl" > "$TEST_TMP/edited.jsonl"
python3 "$TESTS_SRCDIR/../doc/verify-export.py" "$TEST_TMP/edited.jsonl" >"$TEST_TMP/v.out" 2>&1
status=$?; out=$(cat "$TEST_TMP/v.out")
check "and catches an edited export" [ "$status" -ne 0 ]
check "naming the altered event" has "$out" "was altered"
sed '3d' "$TEST_TMP/all.jsonl" > "$TEST_TMP/gap.jsonl"
python3 "$TESTS_SRCDIR/../doc/verify-export.py" "$TEST_TMP/gap.jsonl" >"$TEST_TMP/v.out" 2>&1
status=$?; out=$(cat "$TEST_TMP/v.out")
check "and a line removed from a full export" [ "$status" -eq 1 ]
"$PINWARDEN" log export --format jsonl --client Alpha > "$TEST_TMP/alpha.jsonl"
python3 "$TESTS_SRCDIR/../doc/verify-export.py" --filtered "$TEST_TMP/alpha.jsonl" >"$TEST_TMP/v.out" 2>&1
status=$?; out=$(cat "$TEST_TMP/v.out")
check "a filtered export checks with --filtered" status_is 0

run log export --format csv -o "$TEST_TMP/log.csv"
check "export to a file succeeds" status_is 0
check "and says where" has "$err" "to $TEST_TMP/log.csv"
check "the file is private" [ "$(stat -c %a "$TEST_TMP/log.csv")" = 600 ]
check "no temporary file is left beside it" [ "$(ls "$TEST_TMP" | grep -c pinwarden-)" -eq 0 ]
check "the CSV parses with its quotes, commas and newlines" python3 - "$TEST_TMP/log.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows[0]["kind"] == "workspace.create", rows[0]
assert any(r["client"] == 'Beta, "the" second' for r in rows)
assert all(len(r["hash"]) == 64 for r in rows)
PY

run log export --format jsonl --client "Beta, \"the\" second"
check "--client exports only that client's events" [ "$(printf '%s\n' "$out" | grep -c '"client":"Beta')" -eq "$(printf '%s\n' "$out" | wc -l)" ]
run log export --format jsonl --since 2999-01-01
check "--since in the future exports nothing" [ -z "$out" ]
run log export --format jsonl --since -1h
check "--since -1h exports today's events" has "$out" "workspace.create"

before=$(db "SELECT count(*) FROM events")
run log export --format csv -o "$TEST_TMP/missing-folder/log.csv"
check "export into a missing folder fails" status_is 1
check "saying which folder" has "$err" "missing-folder"
check "a failed export records nothing" [ "$(db "SELECT count(*) FROM events")" = "$before" ]

echo "old content" > "$TEST_TMP/replace.jsonl"
"$PINWARDEN" log export --format jsonl -o "$TEST_TMP/replace.jsonl" 2>/dev/null
check "export replaces an existing file whole" [ "$(grep -c 'old content' "$TEST_TMP/replace.jsonl")" -eq 0 ]

# ---- verify ----
run log verify
check "verify passes on an untouched log" status_is 0
check "verify counts the events" has "$out" "intact: $(db "SELECT count(*) FROM events") events"

cp "$PINWARDEN_WORKSPACE/pinwarden.db" "$TEST_TMP/backup.db"
db "UPDATE events SET message = 'x' WHERE id = 3" 2>"$TEST_TMP/trigger.err"
check "the database itself refuses to change an event" grep -q "append-only" "$TEST_TMP/trigger.err"

db "DROP TRIGGER events_no_update; UPDATE events SET operator = 'mallory' WHERE id = 3;"
run log verify
check "verify fails on an altered event" status_is 1
check "and names it" has "$out" "NOT INTACT: event 3"
check "saying what is wrong" has "$out" "altered"

cp "$TEST_TMP/backup.db" "$PINWARDEN_WORKSPACE/pinwarden.db"
rm -f "$PINWARDEN_WORKSPACE/pinwarden.db-wal" "$PINWARDEN_WORKSPACE/pinwarden.db-shm"
db "DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = 4;"
run log verify
check "verify fails on a removed event" status_is 1
check "and names where" has "$out" "event 4 is missing"

done_testing
