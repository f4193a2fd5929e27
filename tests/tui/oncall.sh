#!/bin/sh
# On call in the console: retry, cancel, reschedule and resolve the queue's
# selected job (each shows the job, says what will happen and asks y/n;
# what the state forbids is refused at once with the reason), the key to
# the next failed or unknown job, and the worker the console starts and
# stops by itself.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

export HOME="$TEST_TMP" COLUMNS=120 LINES=36 LC_ALL=C.UTF-8

shop_account
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
config="$XDG_CONFIG_HOME/pinwarden/config"
printf '[worker]\npins_per_minute = 0\nbackoff_seconds = 600\nmax_attempts = 3\n' >"$config"
"$PINWARDEN" client add Zeta --contact z --domain zeta.example --expect-account zeta_pins >/dev/null

refuse_next_pin() {
	fake POST faults '{"path": "/v5/pins", "status": 400, "body": {"code": 1, "message": "Invalid image"}}' >/dev/null
}
shop_publish "Went out"                                    # 1: published
"$PINWARDEN" worker --once >/dev/null 2>&1
shop_publish "Refused one"                                 # 2: failed
refuse_next_pin
"$PINWARDEN" worker --once >/dev/null 2>&1
shop_publish "Refused two"                                 # 3: failed
refuse_next_pin
"$PINWARDEN" worker --once >/dev/null 2>&1
shop_publish "Tomorrow" --at 2031-01-02T09:00:00Z          # 4: queued
shop_publish "Later" --at 2031-01-03T09:00:00Z             # 5: queued
shop_publish "Lost answer" --at 2031-01-04T09:00:00Z       # 6: unknown (below)
shop_publish "Also lost" --at 2031-01-05T09:00:00Z         # 7: unknown (below)
# A job is unknown when the worker was killed mid-request or its answer was
# lost; making that happen for real needs a crash at the right moment, so
# the state is set directly, as a fixture: everything after goes through
# the console and the services.
db "UPDATE jobs SET state = 'unknown', attempts = 1 WHERE id IN (6, 7)"
state() { db "SELECT state FROM jobs WHERE id = $1"; }
events() { db "SELECT count(*) FROM events WHERE kind = '$1'"; }
check "the jobs are in the states this test expects" \
	[ "$(db "SELECT group_concat(state, ',') FROM (SELECT state FROM jobs ORDER BY id)")" = "published,failed,failed,queued,queued,unknown,unknown" ]

# ---- retry -------------------------------------------------------------------
# The queue starts on the open jobs by time: job 2 (failed) is the first row.
console "
4r
:save-display $TEST_TMP/retry-ask
n
:save-display $TEST_TMP/retry-no
r<Esc>
:save-display $TEST_TMP/retry-esc"
check "r opens the retry wizard" grep -q "Retry a job · confirm" "$TEST_TMP/retry-ask"
check "... showing the job" grep -Eq "JOB +2$" "$TEST_TMP/retry-ask"
check "... where it goes" grep -Eq "WHERE +Shop → shop_pins → Spring" "$TEST_TMP/retry-ask"
check "... its title and state" sh -c "grep -Eq 'TITLE +Refused one' '$TEST_TMP/retry-ask' && grep -Eq 'STATE +failed' '$TEST_TMP/retry-ask'"
check "... attempts and scheduled time" sh -c "grep -Eq 'ATTEMPTS +1' '$TEST_TMP/retry-ask' && grep -Eq 'SCHEDULED +20[0-9-]+ [0-9:]+' '$TEST_TMP/retry-ask'"
check "... Pinterest's last answer" grep -Eq "LAST ERROR +.*Invalid image" "$TEST_TMP/retry-ask"
check "... what will happen" grep -q "Job 2 goes back in the queue, due now; the worker sends it again." "$TEST_TMP/retry-ask"
check "... and asks" grep -q "Retry job 2? (y/n)" "$TEST_TMP/retry-ask"
check "n changes nothing, and says so" grep -q "Nothing changed: job 2 was not retried." "$TEST_TMP/retry-no"
check "Esc changes nothing, and says so" grep -q "Nothing changed: job 2 was not retried." "$TEST_TMP/retry-esc"
check "... job 2 is still failed" [ "$(state 2)" = failed ]
check "... with no retry event" [ "$(events job.retry)" -eq 0 ]

console "
4r
y
:save-display $TEST_TMP/retried"
check "r y retries the failed job" [ "$(state 2)" = queued ]
check "... with the event, by the operator" \
	[ "$(db "SELECT operator || ' ' || job_id FROM events WHERE kind = 'job.retry'")" = "tester 2" ]
check "... and says what changed" grep -q "Job 2 is back in the queue, due now: the worker sends it again." "$TEST_TMP/retried"
check "the panes show it queued" grep -Eq "Refused one" "$TEST_TMP/retried"

# ---- refusals, at once and with the reason --------------------------------------
console "
r
:save-display $TEST_TMP/not-queue
4
/state:published
<Enter>r
:save-display $TEST_TMP/retry-published
s
:save-display $TEST_TMP/reschedule-published
x
:save-display $TEST_TMP/cancel-published
/<C-u>Refused two
<Enter>R
:save-display $TEST_TMP/resolve-failed
/<C-u>Lost answer
<Enter>r
:save-display $TEST_TMP/retry-unknown
/<C-u>nothing like it
<Enter>x
:save-display $TEST_TMP/empty"
check "outside the queue pane, r says where it works" grep -q "Retry works on the queue pane (4)" "$TEST_TMP/not-queue"
check "retrying a published job is refused with the reason" \
	grep -q "Job 1 is published, so it cannot be retried: only a failed or cancelled job can" "$TEST_TMP/retry-published"
check "... without opening the question" sh -c "! grep -q 'Retry a job' '$TEST_TMP/retry-published'"
check "rescheduling a published job is refused with the reason" \
	grep -q "Job 1 is published, so it cannot be rescheduled: only a job still waiting can" "$TEST_TMP/reschedule-published"
check "cancelling a published job is refused with the reason" \
	grep -q "Job 1 is published, so it cannot be cancelled: a job being sent right now cannot be taken back, and a published" "$TEST_TMP/cancel-published"
check "resolving a job that is not unknown is refused with the reason" \
	grep -q "Job 3 is failed, so it cannot be resolved: only a job whose outcome is unknown needs resolving" "$TEST_TMP/resolve-failed"
check "retrying an unknown job is refused" grep -q "Job 6 is unknown, so it cannot be retried: " "$TEST_TMP/retry-unknown"
check "... saying to resolve it first (the message takes two lines)" grep -q "resolve it first (R)." "$TEST_TMP/retry-unknown"
check "an empty queue says there is nothing to act on" grep -q "The queue is empty here: there is no job to cancel." "$TEST_TMP/empty"
check "the refusals changed nothing" \
	[ "$(db "SELECT group_concat(state, ',') FROM (SELECT state FROM jobs ORDER BY id)")" = "published,queued,failed,queued,queued,unknown,unknown" ]
check "... and logged nothing" [ "$(db "SELECT count(*) FROM events WHERE kind IN ('job.cancel', 'job.reschedule', 'job.resolve')")" -eq 0 ]

# ---- cancel --------------------------------------------------------------------
console "
4/Tomorrow
<Enter>x
:save-display $TEST_TMP/cancel-ask
<Enter>
:save-display $TEST_TMP/cancelled"
check "x shows what cancelling does" grep -q "Job 4 is cancelled: it will not be published; it stays in the log." "$TEST_TMP/cancel-ask"
check "Enter on the question cancels the queued job" [ "$(state 4)" = cancelled ]
check "... with the event, by the operator" \
	[ "$(db "SELECT operator || ' ' || job_id FROM events WHERE kind = 'job.cancel'")" = "tester 4" ]
check "... and says so" grep -q "Job 4 cancelled: it will not be published; it stays in the log." "$TEST_TMP/cancelled"

# ---- reschedule --------------------------------------------------------------------
before=$(db "SELECT scheduled_at FROM jobs WHERE id = 5")
console "
4/Later
<Enter>s
:save-display $TEST_TMP/when-ask
2031-13-45 9:00
:save-display $TEST_TMP/when-bad
<Enter>
:save-display $TEST_TMP/when-bad-enter
<C-u>2020-01-01 09:00
:save-display $TEST_TMP/when-past-typed
<Enter>y
:save-display $TEST_TMP/when-past
<C-u>2031-02-01 10:30
:save-display $TEST_TMP/when-good
<Enter>
:save-display $TEST_TMP/when-confirm
y
:save-display $TEST_TMP/rescheduled"
check "s asks for the new time" grep -q "Reschedule a job · new time" "$TEST_TMP/when-ask"
check "... saying what will happen" grep -q "Job 5 will be sent at the time you give." "$TEST_TMP/when-ask"
check "a malformed time shows the parser's message as it is typed, under the field" \
	sh -c "grep -A1 'New time: 2031-13-45 9:00' '$TEST_TMP/when-bad' | tail -1 | grep -q \"'2031-13-45 9:00' is not a time pinwarden understands\""
check "... and Enter does not go on" grep -q "Reschedule a job · new time" "$TEST_TMP/when-bad-enter"
check "a good time is shown as it will be kept" grep -q "Job 5 will be sent at 2031-02-01 10:30:00." "$TEST_TMP/when-good"
check "a past time is refused by the service, with its reason" \
	grep -q "Not rescheduled: that time is in the past; give a time to come" "$TEST_TMP/when-past"
check "... and the wizard asks again" grep -q "Reschedule a job · new time" "$TEST_TMP/when-past"
check "the confirmation names the new time" grep -q "Reschedule job 5? (y/n)" "$TEST_TMP/when-confirm"
check "y reschedules the job" [ "$(db "SELECT scheduled_at FROM jobs WHERE id = 5")" = "2031-02-01T10:30:00.000Z" ]
check "... which changed" [ "$before" != "2031-02-01T10:30:00.000Z" ]
check "... still queued" [ "$(state 5)" = queued ]
check "... with one event, by the operator" \
	[ "$(db "SELECT count(*) || ' ' || operator FROM events WHERE kind = 'job.reschedule'")" = "1 tester" ]
check "... and says so" grep -q "Job 5 rescheduled: it will be sent at 2031-02-01 10:30:00." "$TEST_TMP/rescheduled"

# ---- resolve -------------------------------------------------------------------------
console "
4/Lost answer
<Enter>R
:save-display $TEST_TMP/resolve-ask
12ab
:save-display $TEST_TMP/resolve-letters
34567890
<Enter>
:save-display $TEST_TMP/resolve-confirm
y
:save-display $TEST_TMP/resolved"
check "R asks for the Pin id, saying what each answer does" \
	grep -q "You looked on Pinterest: give the Pin's id if it is there (the job becomes published), or leave it" "$TEST_TMP/resolve-ask"
check "... on an unknown job" grep -Eq "STATE +unknown" "$TEST_TMP/resolve-ask"
check "letters are refused as they are typed" grep -q "A Pin id is digits only" "$TEST_TMP/resolve-letters"
check "... and not kept" grep -q "Pin id: 12$" "$TEST_TMP/resolve-letters"
check "the confirmation says the job becomes published" grep -q "Job 6 becomes published, as Pin 1234567890." "$TEST_TMP/resolve-confirm"
check "R with a Pin id publishes the unknown job" \
	[ "$(db "SELECT state || ' ' || pin_id FROM jobs WHERE id = 6")" = "published 1234567890" ]
check "... and says so" grep -q "Job 6 resolved: published as Pin 1234567890." "$TEST_TMP/resolved"

console "
4/Also lost
<Enter>R<Enter>
:save-display $TEST_TMP/resolve-empty
y
:save-display $TEST_TMP/resolved-failed"
check "an empty Pin id says the job becomes failed" grep -q "Job 7 becomes failed: it was not published; it can then be retried." "$TEST_TMP/resolve-empty"
check "R with nothing makes the unknown job failed" [ "$(state 7)" = failed ]
check "... saying why" [ "$(db "SELECT last_error FROM jobs WHERE id = 7")" = "an operator found it was not published" ]
check "... two resolve events, by the operator" \
	[ "$(db "SELECT count(*) || ' ' || operator FROM events WHERE kind = 'job.resolve'")" = "2 tester" ]
check "... and says so" grep -q "Job 7 resolved as not published: it is failed now, and can be retried." "$TEST_TMP/resolved-failed"

# ---- on the smallest screen the question still fits -------------------------------------------
console ":resize 60 16
4/Also lost
<Enter>r
:save-display $TEST_TMP/small"
check "on a 60x16 screen the job, what happens and the question fit" \
	sh -c "grep -q 'JOB          7' '$TEST_TMP/small' && grep -q 'Job 7 goes back in the queue' '$TEST_TMP/small' && grep -q 'Retry job 7? (y/n)' '$TEST_TMP/small'"

# ---- failed jobs stand out without colour ---------------------------------------------
NO_COLOR=1 console "
4
:save-display $TEST_TMP/mono"
check "monochrome: a failed job is in capitals with the mark" grep -Eq "^! .*Shop +shop_pins → Spring +FAILED" "$TEST_TMP/mono"

# ---- the next problem, across pages ---------------------------------------------------------
# Job 3 failed (now), job 2 queued (now), 3,000 queued jobs in 2030, job 7
# failed (2031-01-05), job 8 unknown (2031-01-06, a fixture as above).
shop_publish "Stuck" --at 2031-01-06T09:00:00Z
db "UPDATE jobs SET state = 'unknown', attempts = 1 WHERE id = 8"
db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
    INSERT INTO jobs (client_id, account_id, board_id, title, image_url, image_key, scheduled_at, state,
                      requested_by, created_at, updated_at)
    SELECT 1, 1, 1, printf('Bulk %04d', i), printf('https://shop.example/b%d.jpg', i), '',
           printf('2030-01-%02dT%02d:%02d:00.000Z', 1 + i / 1440, (i / 60) % 24, i % 60), 'queued',
           'tester', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n"
console "
4<Enter>
:save-display $TEST_TMP/p0
<Esc>!<Enter>
:save-display $TEST_TMP/p1
<Esc>!<Enter>
:save-display $TEST_TMP/p2
<Esc>!<Enter>
:save-display $TEST_TMP/p3
<Esc>!
:save-display $TEST_TMP/p4"
check "the queue starts on the first failed job" grep -q "Job 3: failed" "$TEST_TMP/p0"
check "! goes to the next failed one, 3,000 jobs further" grep -q "Job 7: failed" "$TEST_TMP/p1"
check "... then to the unknown one" grep -q "Job 8: unknown" "$TEST_TMP/p2"
check "... then wraps to the first" grep -q "Job 3: failed" "$TEST_TMP/p3"
check "... saying so" grep -q "Job 7: FAILED; r retries it, x cancels it" "$TEST_TMP/p4"
check "the selected row is on screen, marked" grep -Eq "│! 01-05 09:00 Shop .*FAILED +1$" "$TEST_TMP/p4"

console "
!<Enter>
:save-display $TEST_TMP/from-clients"
check "! from another pane focuses the queue on the next problem" grep -q "Job 7: failed" "$TEST_TMP/from-clients"

console "
4ffff
:save-display $TEST_TMP/paused-group
!<Enter>
:save-display $TEST_TMP/group-switched
<Esc>/state:queued
<Enter>!
:save-display $TEST_TMP/filter-cleared"
check "a group that hides failed jobs" grep -q "4 Queue (0) · paused" "$TEST_TMP/paused-group"
# Nothing was selected in the empty group: the first problem.
check "... is switched to what needs attention" grep -q "Job 3: failed" "$TEST_TMP/group-switched"
check "a state: filter is cleared for it" grep -q "4 Queue (3) · needs attention · all clients$" "$TEST_TMP/filter-cleared"
check "... from the queued job selected, to the next failed one" grep -q "^Job 7: FAILED" "$TEST_TMP/filter-cleared"
check "... and says so" grep -q "the state filter is cleared" "$TEST_TMP/filter-cleared"

console "
4/Bulk
<Enter>!
:save-display $TEST_TMP/words-cleared
<Enter>
:save-display $TEST_TMP/words-cleared-job"
check "filter words that hide the next problem are cleared, and it says so" \
	grep -q "the filter's words hid it and are cleared" "$TEST_TMP/words-cleared"
check "... and the next problem after the selected Bulk job is selected" grep -q "Job 7: failed" "$TEST_TMP/words-cleared-job"

console "
4/client:Zeta
<Enter>!
:save-display $TEST_TMP/none"
check "with none in scope, ! says so" grep -q "no failed or unknown jobs for this client" "$TEST_TMP/none"

# ---- the console's own worker ------------------------------------------------------------
export COLUMNS=160
check "no console started a worker so far (off by default in script mode)" [ ! -e "$PINWARDEN_WORKSPACE/worker.log" ]
shop_publish "Due now"
due=$(db "SELECT max(id) FROM jobs")
printf '[console]\nstart_worker = true\n' >>"$config"
console "
:wait-for worker: running
:save-display $TEST_TMP/own
5
:wait-for job $due published as Pin
:save-display $TEST_TMP/own-published"
check "the console ran" status_is 0
check "with start_worker, the console starts a worker and says so" \
	grep -Eq "worker: running \(pid [0-9]+, tester, started by this console\)" "$TEST_TMP/own"
own=$(sed -n 's/.*worker: running (pid \([0-9]*\), .*/\1/p' "$TEST_TMP/own")
check "the worker publishes a due job while the console is open" [ "$(state $due)" = published ]
check "... seen in the log pane" grep -q "job $due published as Pin" "$TEST_TMP/own-published"
check "after the console ends, its worker is gone" sh -c "! kill -0 $own 2>/dev/null"
check "the worker's output went to worker.log" grep -q "starting a worker for tester" "$PINWARDEN_WORKSPACE/worker.log"
check "... which only the owner can read" [ "$(stat -c %a "$PINWARDEN_WORKSPACE/worker.log")" = 600 ]

console "
:wait-for tester, started by this console)
:exec kill -TERM \$(cut -d' ' -f1 '$PINWARDEN_WORKSPACE/worker.lock')
:wait-for worker: not running (the one this console started ended
:save-display $TEST_TMP/own-ended"
check "a worker of the console's that ends on its own is noticed" \
	grep -q "worker: not running (the one this console started ended with status 0: see worker.log)" "$TEST_TMP/own-ended"

# A worker.log that cannot be opened: the status line says why no worker runs.
mv "$PINWARDEN_WORKSPACE/worker.log" "$TEST_TMP/worker.log.saved"
mkdir "$PINWARDEN_WORKSPACE/worker.log"
console "
:save-display $TEST_TMP/cannot-start"
check "a worker that cannot be started is reported on the status line" \
	grep -q "worker: not running (could not start: cannot open worker.log: Is a directory)" "$TEST_TMP/cannot-start"
rmdir "$PINWARDEN_WORKSPACE/worker.log"
mv "$TEST_TMP/worker.log.saved" "$PINWARDEN_WORKSPACE/worker.log"

starts() { grep -c "starting a worker" "$PINWARDEN_WORKSPACE/worker.log"; }
started=$(starts)
"$PINWARDEN" worker >"$TEST_TMP/other-worker.log" 2>&1 &
other=$!
for _ in $(seq 100); do grep -q "^$other " "$PINWARDEN_WORKSPACE/worker.lock" 2>/dev/null && break; sleep 0.1; done
console "
:wait-for worker: running
:sleep 2500
:save-display $TEST_TMP/other"
check "with a worker already running, the console shows it" grep -q "worker: running (pid $other, tester) " "$TEST_TMP/other"
check "... and starts none" [ "$(starts)" -eq "$started" ]
check "... and leaves it running" kill -0 "$other"
kill -TERM "$other"
wait "$other"

printf '[console]\nstart_worker = false\n' >"$config"
console "
:sleep 2500
:save-display $TEST_TMP/off"
check "with start_worker = false, none is started" grep -q "worker: not running " "$TEST_TMP/off"
check "... nor tried" [ "$(starts)" -eq "$started" ]

done_testing
