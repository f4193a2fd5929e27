#!/bin/sh
# The worker, the CLI and other writers share the workspace database at
# once: a running worker, one loop queueing jobs, one editing a client and
# exporting the log, one reading. No command may fail or meet a lock, no
# job may be published twice, and no event may be lost or forked.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

shop_account
"$PINWARDEN" client add Other --contact o --domain other.example >/dev/null
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[worker]\npins_per_minute = 0\nbackoff_seconds = 1\nmax_backoff_seconds = 4\nmax_attempts = 10\n' \
	>"$XDG_CONFIG_HOME/pinwarden/config"
edits_before=$(db "SELECT count(*) FROM events WHERE kind = 'client.edit'")

# rec LOOP ARGS...: runs pinwarden ARGS; its standard error goes to a file
# of its own, and "STATUS ERRFILE ARGS" to the loop's status file.
mkdir "$TEST_TMP/err"
rec() {
	loop=$1
	shift
	k=$((k + 1))
	"$PINWARDEN" "$@" >"$TEST_TMP/out.$loop" 2>"$TEST_TMP/err/$loop.$k"
	echo "$? $loop.$k $*" >>"$TEST_TMP/status.$loop"
}

"$PINWARDEN" worker >"$TEST_TMP/worker.out" 2>&1 &
worker=$!

end=$(($(date +%s) + 10))
(
	k=0
	for i in $(seq 40); do
		rec publish publish --client Shop --account shop_pins --board Spring --image "https://shop.example/$i.jpg" \
			--title "Shared $i" --link "https://shop.example/p/$i"
		sleep 0.2
	done
) &
queuer=$!
(
	k=0
	i=0
	while [ "$(date +%s)" -lt $end ]; do
		i=$((i + 1))
		rec edit client edit Other --notes "notes, version $i"
		rec edit log export --format jsonl -o "$TEST_TMP/export.jsonl"
	done
) &
editor=$!
(
	k=0
	while [ "$(date +%s)" -lt $end ]; do
		rec read job list
		rec read log tail -n 5
		rec read account list
	done
) &
reader=$!
wait $queuer
wait $editor
wait $reader

kill -TERM $worker
wait $worker
status=$?
check "SIGTERM stops the worker with status 0" status_is 0
for _ in $(seq 10); do
	"$PINWARDEN" worker --once >>"$TEST_TMP/worker.out" 2>&1
	[ "$(db "SELECT count(*) FROM jobs WHERE state IN ('queued', 'retrying', 'sending', 'unknown')")" -eq 0 ] && break
	sleep 1
done

cat "$TEST_TMP"/status.* >"$TEST_TMP/statuses"
failed=$(awk '$1 != 0' "$TEST_TMP/statuses")
if [ -z "$failed" ]; then
	ok "no command failed ($(wc -l <"$TEST_TMP/statuses") ran)"
else
	not_ok "no command failed ($(wc -l <"$TEST_TMP/statuses") ran)" "$(echo "$failed" | while read -r st name args; do
		echo "status $st: pinwarden $args: $(cat "$TEST_TMP/err/$name")"
	done)"
fi
locked=$(grep -l -e "database is locked" -e "locked by another process" "$TEST_TMP"/err/* "$TEST_TMP/worker.out")
if [ -z "$locked" ]; then
	ok "no command met a locked database"
else
	not_ok "no command met a locked database" "$(for f in $locked; do
		name=${f##*/}
		echo "$(grep -h " $name " "$TEST_TMP/statuses" || echo "$name"): $(grep -m 3 -e locked "$f")"
	done)"
fi
check "every publish was recorded" [ "$(grep -c ' publish\.' "$TEST_TMP/statuses")" -eq 40 ]
check "40 jobs are queued" [ "$(db "SELECT count(*) FROM jobs")" -eq 40 ]

fake GET pins >"$TEST_TMP/pins.json"
verdict=$(python3 - "$PINWARDEN_WORKSPACE/pinwarden.db" "$TEST_TMP/pins.json" <<'EOF'
import collections, json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
pins = collections.Counter(p["request"].get("title") for p in json.load(open(sys.argv[2]))["items"])
for jid, title, state in db.execute("SELECT id, title, state FROM jobs ORDER BY id"):
    if state != "published" or pins.get(title) != 1:
        print("job %d (%s): %s, %d Pins" % (jid, title, state, pins.get(title, 0)))
EOF
)
if [ -z "$verdict" ]; then
	ok "every job queued is published, once"
else
	not_ok "every job queued is published, once" "$verdict"
fi
check "Pinterest has exactly as many Pins as jobs" [ "$(jq_get count <"$TEST_TMP/pins.json")" -eq 40 ]

edits=$(awk '$1 == 0 && $3 == "client" && $4 == "edit"' "$TEST_TMP/statuses" | wc -l)
check "there were edits" [ "$edits" -gt 0 ]
check "one client.edit event for each edit that succeeded ($edits)" \
	[ "$(db "SELECT count(*) FROM events WHERE kind = 'client.edit'")" -eq $((edits_before + edits)) ]
exports=$(awk '$1 == 0 && $3 == "log" && $4 == "export"' "$TEST_TMP/statuses" | wc -l)
check "one log.export event for each export that succeeded ($exports)" \
	[ "$(db "SELECT count(*) FROM events WHERE kind = 'log.export'")" -eq "$exports" ]
check "the last export is whole JSON lines" python3 -c 'import json, sys
[json.loads(line) for line in open(sys.argv[1])]' "$TEST_TMP/export.jsonl"
run log verify
check "the activity log chain verifies" status_is 0
echo "# $(awk '{print $3, $4}' "$TEST_TMP/statuses" | sort | uniq -c | awk '{printf "%s%s %s: %d", sep, $2, $3, $1; sep = ", "}')"

done_testing
