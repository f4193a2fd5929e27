#!/bin/sh
# The worker against the fake Pinterest: publishing, every outcome,
# pausing, and never twice when answers are lost or the worker is killed.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

shop_account
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[worker]\npins_per_minute = 0\nbackoff_seconds = 1\nmax_attempts = 3\nreconcile_after_seconds = 1\n' > "$XDG_CONFIG_HOME/pinwarden/config"

n=0
queue() { # TITLE [more publish options]: queues a Pin; sets $job
	n=$((n + 1))
	title=$1
	shift
	"$PINWARDEN" publish --client Shop --account shop_pins --board Spring --image "https://shop.example/$n.jpg" \
		--title "$title" --link "https://shop.example/p/$n" "$@" --json >"$TEST_TMP/q.out" 2>&1
	job=$(jq_get job_id < "$TEST_TMP/q.out")
}
state_of() { db "SELECT state FROM jobs WHERE id = $1"; }
pins_titled() { fake GET "pins?title=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")" | jq_get count; }
work() { "$PINWARDEN" worker --once >"$TEST_TMP/worker.out" 2>&1; status=$?; err=$(cat "$TEST_TMP/worker.out"); }

# ---- publishing ----
queue "First"
work
check "worker --once publishes a due job" [ "$(state_of "$job")" = published ]
check "Pinterest has it exactly once" [ "$(pins_titled First)" -eq 1 ]
check "the Pin id is stored" [ -n "$(db "SELECT pin_id FROM jobs WHERE id = $job")" ]
check "the attempt and its outcome are events" [ "$(db "SELECT group_concat(kind) FROM events WHERE job_id = $job")" = "job.queued,job.attempt,job.published" ]
check "the worker logs to stderr" has "$err" "published as Pin"

queue "Later" --at "+2h"
work
check "a job not yet due waits" [ "$(state_of "$job")" = queued ]

# ---- outcomes ----
queue "Flaky"
fake POST faults '{"path": "/v5/pins", "status": 503}' >/dev/null
work
check "a 503 is retried later" [ "$(state_of "$job")" = retrying ]
check "with Pinterest's request id in the event" [ -n "$(db "SELECT json_extract(details, '\$.request_id') FROM events WHERE job_id = $job AND kind = 'job.attempt_failed'")" ]
sleep 2
work
check "and published on the retry" [ "$(state_of "$job")" = published ]
check "once" [ "$(pins_titled Flaky)" -eq 1 ]

queue "Refused"
fake POST faults '{"path": "/v5/pins", "status": 400, "body": {"code": 1, "message": "Invalid image"}}' >/dev/null
work
check "a 400 fails at once" [ "$(state_of "$job")" = failed ]
check "with Pinterest's message" has "$(db "SELECT last_error FROM jobs WHERE id = $job")" "Invalid image"

queue "Always busy"
fake POST faults '{"path": "/v5/pins", "status": 503, "count": 5}' >/dev/null
work; sleep 2; work; sleep 3; work
check "transient errors stop at the attempt limit" [ "$(state_of "$job")" = failed ]
check "after 3 attempts" [ "$(db "SELECT attempts FROM jobs WHERE id = $job")" -eq 3 ]
fake DELETE faults >/dev/null

queue "Expired token"
fake POST faults '{"path": "/v5/pins", "action": "expire_token"}' >/dev/null
work
check "a 401 refreshes the token and publishes" [ "$(state_of "$job")" = published ]
check "once" [ "$(pins_titled "Expired token")" -eq 1 ]

# ---- lost answers ----
queue "Lost answer"
fake POST faults '{"path": "/v5/pins", "action": "close_mid_body"}' >/dev/null
work
check "an answer lost after Pinterest created the Pin is reconciled, not resent" [ "$(state_of "$job")" = published ]
check "the Pin exists once" [ "$(pins_titled "Lost answer")" -eq 1 ]
check "the reconciliation is logged" [ "$(db "SELECT count(*) FROM events WHERE job_id = $job AND kind = 'job.reconciled'")" -eq 1 ]

queue "Never arrived"
fake POST faults '{"path": "/v5/pins", "action": "close"}' >/dev/null
work
check "a lost answer is not retried while Pinterest may still act on it" [ "$(state_of "$job")" = unknown ]
sleep 2
work
check "once the grace has passed, a Pin still missing is tried again" [ "$(state_of "$job")" = retrying ]
sleep 2
work
check "and is then published once" [ "$(pins_titled "Never arrived")" -eq 1 ]

queue "Killed"
PINWARDEN_TEST_CRASH=after-send "$PINWARDEN" worker --once >/dev/null 2>&1
check "a worker killed after sending leaves the job mid-attempt" [ "$(state_of "$job")" = sending ]
work
check "the next worker reconciles it as published" [ "$(state_of "$job")" = published ]
check "without sending it again" [ "$(pins_titled Killed)" -eq 1 ]

queue "Killed early"
PINWARDEN_TEST_CRASH=after-attempt-recorded "$PINWARDEN" worker --once >/dev/null 2>&1
sleep 2
work
sleep 2
work
check "a worker killed before sending: the job is found missing and published once" [ "$(pins_titled "Killed early")" -eq 1 ]
check "and ends published" [ "$(state_of "$job")" = published ]

# ---- the keyring ----
queue "Keyring away"
DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent "$PINWARDEN" worker --once >"$TEST_TMP/worker.out" 2>&1
check "a keyring that cannot be reached makes the job wait, not fail" [ "$(state_of "$job")" = retrying ]
check "saying why" grep -q "session bus" "$TEST_TMP/worker.out"
sleep 2
work
check "and it is published once the keyring is back" [ "$(state_of "$job")" = published ]
wsid=$(db "SELECT value FROM meta WHERE key = 'workspace_id'")
secret-tool clear workspace "$wsid" account 1 kind access
queue "No token"
work
check "a job whose account has no token is paused, not failed" [ "$(state_of "$job")" = paused ]

# ---- one worker, paused accounts ----
"$PINWARDEN" worker >"$TEST_TMP/w1.out" 2>&1 &
w1=$!
sleep 1
"$PINWARDEN" worker --once >"$TEST_TMP/w2.out" 2>&1
status=$?
check "a second worker refuses to start" status_is 1
check "naming the process that holds the lock" grep -q "process $w1" "$TEST_TMP/w2.out"
kill -TERM "$w1"
wait "$w1"
status=$?
check "SIGTERM stops the worker cleanly" status_is 0

queue "Reconnect first"
db "UPDATE accounts SET state = 'needs_reconnect'"
work
check "a job of an account that needs reconnecting is paused" [ "$(state_of "$job")" = paused ]
db "UPDATE accounts SET state = 'verified'"

# ---- an unknown job the board cannot settle is looked at less and less often ----
queue "Unreadable board"
db "UPDATE jobs SET state = 'unknown', attempts = 1,
    attempt_started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour') WHERE id = $job"
fake POST faults '{"path": "/v5/boards/*", "status": 503, "count": 100}' >/dev/null
"$PINWARDEN" worker >"$TEST_TMP/looks.out" 2>&1 &
w=$!
looks() { grep -c "job $job stays unknown: its board could not be read" "$TEST_TMP/looks.out"; }
for _ in $(seq 150); do [ "$(looks)" -ge 2 ] && break; sleep 0.1; done
second=$(date +%s)
check "an unknown job whose board cannot be read says when it is looked at next" \
	grep -q "job $job stays unknown: its board could not be read .*; looked at again in 10 s" "$TEST_TMP/looks.out"
check "the next look comes about 10 s later and waits twice as long" \
	grep -q "job $job stays unknown: its board could not be read .*; looked at again in 20 s" "$TEST_TMP/looks.out"
# Without the back-off it would be looked at every 10 s.
sleep $((second + 14 - $(date +%s)))
check "and no look comes in between" [ "$(looks)" -eq 2 ]
kill -TERM "$w"
wait "$w"
fake DELETE faults >/dev/null
check "it stays unknown, for a person or a later look" [ "$(state_of "$job")" = unknown ]
run job resolve "$job" --not-published --yes
check "which a person can settle" status_is 0

run log verify
check "the activity log chain verifies after all of it" status_is 0
total=$(fake GET pins | jq_get count)
published=$(db "SELECT count(*) FROM jobs WHERE state = 'published'")
check "Pinterest has exactly as many Pins as jobs published" [ "$total" -eq "$published" ]

done_testing
