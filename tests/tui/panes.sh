#!/bin/sh
# The console's panes on a workspace with a connected account and jobs in
# several states: the queue and its filters, a job's attempts with
# Pinterest's answers, paging through thousands of jobs, and the live log.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

export HOME="$TEST_TMP" COLUMNS=160 LINES=30 LC_ALL=C.UTF-8

shop_account
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[worker]\npins_per_minute = 0\nbackoff_seconds = 600\nmax_attempts = 3\n' >"$XDG_CONFIG_HOME/pinwarden/config"
"$PINWARDEN" client add Zeta --contact o --domain zeta.example --expect-account zeta_pins >/dev/null

shop_publish "Went out"
"$PINWARDEN" worker --once >/dev/null 2>&1
shop_publish "Refused one"
fake POST faults '{"path": "/v5/pins", "status": 400, "body": {"code": 1, "message": "Invalid image"}}' >/dev/null
"$PINWARDEN" worker --once >/dev/null 2>&1
shop_publish "Flaky one"
fake POST faults '{"path": "/v5/pins", "status": 503}' >/dev/null
"$PINWARDEN" worker --once >/dev/null 2>&1
shop_publish "Tomorrow" --at "2031-01-02T09:00:00Z"
check "the jobs are in the states this test expects" \
	[ "$(db "SELECT group_concat(state, ',') FROM (SELECT state FROM jobs ORDER BY id)")" = "published,failed,retrying,queued" ]

# ---- the status line, accounts, boards ------------------------------------
console ":save-display $TEST_TMP/start"
check "the status line counts the failed job" grep -q "1 failed  0 unknown  0 paused" "$TEST_TMP/start"
check "the account is verified, with days left on its token" grep -Eq "shop_pins +verified +[0-9]+d" "$TEST_TMP/start"
check "its board is in scope" grep -q "Spring *in scope" "$TEST_TMP/start"
check "the clients pane marks a client with a failed job" grep -q "^! Shop .* 1!" "$TEST_TMP/start"

# ---- a worker, seen from the status line -------------------------------------
PINWARDEN_OPERATOR=night-shift "$PINWARDEN" worker >"$TEST_TMP/worker.log" 2>&1 &
worker=$!
console ":wait-for night-shift)
:save-display $TEST_TMP/worker"
check "the status line shows the running worker, its process and who started it" \
	grep -q "worker: running (pid $worker, night-shift)" "$TEST_TMP/worker"
kill -TERM "$worker"
wait "$worker"
console ":save-display $TEST_TMP/noworker"
check "and that none runs once it stopped" grep -q "worker: not running" "$TEST_TMP/noworker"

# ---- the queue ---------------------------------------------------------------
console "
4
:save-display $TEST_TMP/open
f
:save-display $TEST_TMP/attention
ffffff
:save-display $TEST_TMP/published
ff
:save-display $TEST_TMP/all"
check "the queue starts on open jobs" grep -q "4 Queue (3) · open · all clients" "$TEST_TMP/open"
check "... the failed one in capitals with a mark" grep -Eq "^! .*Shop +shop_pins → Spring +FAILED +1" "$TEST_TMP/open"
check "... the retrying one" grep -Eq "shop_pins → Spring +retrying +1" "$TEST_TMP/open"
check "... and the scheduled one, by its time" grep -Eq "01-02 09:00 +Shop .*queued +0 +Tomorrow" "$TEST_TMP/open"
check "... not the published one" sh -c "! sed -n 3,16p '$TEST_TMP/open' | cut -c45- | grep -q 'Went out'"
check "f: what needs attention" grep -q "4 Queue (1) · needs attention" "$TEST_TMP/attention"
check "more f: published" grep -q "4 Queue (1) · published" "$TEST_TMP/published"
check "... the one that went out" grep -q "Went out" "$TEST_TMP/published"
check "and round to every state" grep -q "4 Queue (4) · all states" "$TEST_TMP/all"

console "
4
/state:retrying
<Enter>
:save-display $TEST_TMP/retrying
/<C-u>state:nonsense
<Enter>
:save-display $TEST_TMP/badstate
/<C-u>client:Zeta
<Enter>
:save-display $TEST_TMP/other"
check "state: filters one state" grep -q "4 Queue (1) · retrying · all clients · filter: state:retrying" "$TEST_TMP/retrying"
check "an unknown state is refused naming the states" grep -q "no job state 'nonsense': queued, sending" "$TEST_TMP/badstate"
check "client: filters one client" grep -q "4 Queue (0) · open · one client · filter: client:Zeta" "$TEST_TMP/other"

console "
j
4c
:save-display $TEST_TMP/scoped"
check "c narrows the queue to the selected client" grep -q "4 Queue (0) · open · Zeta only" "$TEST_TMP/scoped"

# ---- a job in full -----------------------------------------------------------
console "
4
<Enter>
:save-display $TEST_TMP/job"
check "Enter on the failed job shows it in full" grep -q "Job 2: failed" "$TEST_TMP/job"
check "... where it was going" grep -Eq "board +Spring" "$TEST_TMP/job"
check "... Pinterest's answer" grep -q "Invalid image" "$TEST_TMP/job"
check "... and every attempt" grep -q "job.attempt$" "$TEST_TMP/job"
check "... with the outcome" grep -q "job.failed" "$TEST_TMP/job"

console "
3
<Enter>
:save-display $TEST_TMP/board
<Esc>2<Enter>
:save-display $TEST_TMP/account
<Esc>5<Enter>
:save-display $TEST_TMP/event"
check "a board in full" grep -q "in scope: Pins can be published here" "$TEST_TMP/board"
check "an account in full, with its connection history" grep -q "account.connected" "$TEST_TMP/account"
check "... saying tokens stay in the keyring" grep -q "kept in the keyring, never shown" "$TEST_TMP/account"
check "an event in full, with its place in the chain" grep -Eq "hash +[0-9a-f]{64}" "$TEST_TMP/event"
for f in job board account event; do
	check "no token appears in the $f view" sh -c "! grep -qi 'bearer\|pina_\|access_token\|refresh_token' '$TEST_TMP/$f'"
done

# ---- thousands of jobs -------------------------------------------------------
db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
    INSERT INTO jobs (client_id, account_id, board_id, title, image_url, image_key, scheduled_at, state,
                      requested_by, created_at, updated_at)
    SELECT 1, 1, 1, printf('Bulk %04d', i), printf('https://shop.example/b%d.jpg', i), '',
           printf('2032-01-%02dT%02d:%02d:00.000Z', 1 + i / 1440, (i / 60) % 24, i % 60), 'queued',
           'tester', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n"
selected_title() { sed -n 's/^ *title  *//p' "$1" | head -1; }
console "
4G
<Enter>
:save-display $TEST_TMP/last
<Esc>g
<Enter>
:save-display $TEST_TMP/first
<Esc>jjjjjjjjjjjjjjjjjjjjjjjjjjjjjj
<Enter>
:save-display $TEST_TMP/thirty
<Esc>
<PageDown><PageDown><PageDown>
:save-display $TEST_TMP/paged
kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
<Enter>
:save-display $TEST_TMP/up"
check "the queue counts 5,003 open jobs" grep -q "4 Queue (5003) · open" "$TEST_TMP/paged"
check "G goes to the last job of 5,003" [ "$(selected_title "$TEST_TMP/last")" = "Bulk 5000" ]
check "g back to the first" [ "$(selected_title "$TEST_TMP/first")" = "Refused one" ]
# The first three rows are the test's open jobs (2026, 2031), then Bulk 0001...
check "30 rows down crosses the page edge onto the right job" [ "$(selected_title "$TEST_TMP/thirty")" = "Bulk 0028" ]
check "three pages down shows later jobs" grep -q "Bulk 00[5-9][0-9]" "$TEST_TMP/paged"
first_paged=$(grep -o "Bulk [0-9]*" "$TEST_TMP/paged" | head -1 | cut -d' ' -f2)
check "... a full page of them" [ "$(grep -c "Bulk [0-9]*" "$TEST_TMP/paged")" -ge 10 ]
check "and back up past the top of the page" [ -n "$(selected_title "$TEST_TMP/up")" ]

# ---- the log: live, following, scrolled back ----------------------------------
console "
:exec '$PINWARDEN' client add Live --contact l --domain live.example >/dev/null
:wait-for client 'Live' onboarded
:save-display $TEST_TMP/live"
check "an event another process appends shows up without a key" grep -q "client 'Live' onboarded" "$TEST_TMP/live"
check "... and the clients pane lists the new client" grep -q "^  Live" "$TEST_TMP/live"

console "
5kkk
:save-display $TEST_TMP/back
:exec '$PINWARDEN' client add Later --contact l --domain later.example >/dev/null
:sleep 600
:save-display $TEST_TMP/back2
F
:save-display $TEST_TMP/followed"
check "scrolling up stops following" grep -q "5 Log (.*) · all clients · scrolled back" "$TEST_TMP/back"
check "a new event then does not move the view" sh -c "! grep -q \"client 'Later' onboarded\" '$TEST_TMP/back2'"
check "... but the count grows" sh -c "[ \$(sed -n 's/.*5 Log (\([0-9]*\)).*/\1/p' '$TEST_TMP/back2') -gt \$(sed -n 's/.*5 Log (\([0-9]*\)).*/\1/p' '$TEST_TMP/back') ]"
check "F follows the tail again" grep -q "client 'Later' onboarded" "$TEST_TMP/followed"
check "... and says so" grep -q "· following" "$TEST_TMP/followed"

console "
5
/client:Zeta
<Enter>
:save-display $TEST_TMP/logother"
check "the log filtered by client shows only its events" \
	sh -c "grep -q \"client 'Zeta' onboarded\" '$TEST_TMP/logother' && ! sed -n '/5 Log/,\$p' '$TEST_TMP/logother' | grep -q 'Shop'"

done_testing
