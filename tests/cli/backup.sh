#!/bin/sh
# pinwarden backup: a whole, checked copy that opens as a workspace of its
# own, taken while another process writes, and recorded.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

for i in $(seq 20); do "$PINWARDEN" client add "Client $i" --contact c --domain "c$i.example" >/dev/null; done

# A writer keeps going while the backup runs.
( for i in $(seq 21 60); do "$PINWARDEN" client add "Client $i" --contact c >/dev/null 2>&1; done ) &
writer=$!
run backup "$TEST_TMP/copy.db"
wait "$writer"
check "backup succeeds while another process writes" status_is 0
check "and says the secrets are not in it" has "$out" "stay in the keyring"
check "the backup is private" [ "$(stat -c %a "$TEST_TMP/copy.db")" = 600 ]
check "no write-ahead log is left beside it" [ ! -e "$TEST_TMP/copy.db-wal" ]
check "no temporary file is left beside it" [ "$(ls "$TEST_TMP" | grep -c pinwarden-)" -eq 0 ]

mkdir -m 700 "$TEST_TMP/restored"
cp "$TEST_TMP/copy.db" "$TEST_TMP/restored/pinwarden.db"
chmod 600 "$TEST_TMP/restored/pinwarden.db"
run --workspace "$TEST_TMP/restored" log verify
check "the copy opens as a workspace and its chain verifies" status_is 0
run --workspace "$TEST_TMP/restored" client show "Client 20"
check "and holds the data" status_is 0
check "the backup is recorded in the live log" [ "$(db "SELECT count(*) FROM events WHERE kind = 'workspace.backup'")" -eq 1 ]

run backup "$TEST_TMP/copy.db"
check "a backup never overwrites a file" status_is 1
check "saying so" has "$err" "exists already"
run backup "$TEST_TMP/no-such-folder/copy.db"
check "a backup into a missing folder fails clearly" has "$err" "no-such-folder"
run backup
check "the file is required" status_is 2

done_testing
