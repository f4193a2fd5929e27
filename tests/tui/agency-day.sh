#!/bin/sh
# An operator's whole day in the console, in a real terminal (tmux,
# 160x48), against the fake Pinterest and a real keyring: onboard a client
# with a non-ASCII name (a), connect and verify its two accounts through
# the loopback listener (C), publish a Pin to each (p) and watch the
# console's own worker send them, break one and retry it from the queue
# (! r y), offboard the client (O), and quit (q). Every step goes through
# the console's keys; the command line and sqlite3 only set up the app and
# the fake, and check what happened. Nothing sleeps for a fixed time: every
# wait polls the screen or the database, with a limit.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"
. "$TESTS_SRCDIR/tui/tmux-lib.sh"
export HOME="$TEST_TMP" PINWARDEN_OPERATOR=ana

start_t=$(date +%s%N)

# ---- a private tmux server, and the console in it ----------------------------

# Workers of this test's workspace still running (pids): pinwarden
# processes whose arguments name the workspace.
our_workers() {
	for _d in /proc/[0-9]*; do
		[ "$(cat "$_d/comm" 2>/dev/null)" = pinwarden ] || continue
		_args=$(tr '\0' '\n' <"$_d/cmdline" 2>/dev/null)
		has "$_args" "$PINWARDEN_WORKSPACE" && has "$_args" worker && echo "${_d#/proc/}"
	done
}
# A console killed with the server stops its worker; should it not, the
# worker is not left behind.
tmux_cleanup_more() {
	for _p in $(our_workers); do kill "$_p" 2>/dev/null; done
}

session=day
keys() { tmx send-keys -t "$session" "$@"; }
# text STRING: typed as it is (spaces, non-ASCII), not as key names.
text() { tmx send-keys -t "$session" -l "$1"; }

# How long a wait may take, in seconds. Once one has run out the day is
# off course, and the waits after it are short, so that the test still
# reports every check but ends soon; when the console has died before q,
# nothing is waited for.
LIMIT=15
off_course=
console_pid=
quitting=
limit() {
	if [ -n "$console_pid" ] && [ -z "$quitting" ] && ! kill -0 "$console_pid" 2>/dev/null; then
		echo 0
	elif [ -n "$off_course" ]; then
		echo 2
	else
		echo "$LIMIT"
	fi
}

# expect "what" COMMAND...: one TAP line for whether COMMAND becomes true
# of the screen within the limit; on failure, the last screen.
expect() {
	_what=$1
	_lim=$(limit)
	shift
	if wait_until "$_lim" "$@"; then
		ok "$_what"
	else
		off_course=1
		not_ok "$_what" "waited $_lim s for: $*" "the screen:" "$screen"
	fi
}
# check "what" COMMAND...: as lib.sh's, with the screen on failure.
check() {
	_what=$1
	shift
	if "$@"; then
		ok "$_what"
	else
		capture
		not_ok "$_what" "failed: $*" "status: $status" "stdout: $out" "stderr: $err" "the screen:" "$screen"
	fi
}
# screen_now "what" COMMAND...: whether COMMAND is true of the screen as it is.
screen_now() {
	_what=$1
	shift
	capture
	if "$@"; then
		ok "$_what"
	else
		not_ok "$_what" "not true: $*" "the screen:" "$screen"
	fi
}
# db_is "what" SQL EXPECTED: the database's answer, now; on failure the
# answer and the screen.
db_is() {
	_got=$(db "$2" 2>&1)
	if [ "$_got" = "$3" ]; then
		ok "$1"
	else
		capture
		not_ok "$1" "$2" "expected: $3" "got: $_got" "the screen:" "$screen"
	fi
}
# db_becomes "what" SQL EXPECTED: the database's answer within the limit.
db_answers() { [ "$(db "$1" 2>/dev/null)" = "$2" ]; }
db_becomes() {
	_lim=$(limit)
	if wait_until "$_lim" db_answers "$2" "$3"; then
		ok "$1"
	else
		off_course=1
		not_ok "$1" "$2" "expected: $3" "got: $(db "$2" 2>&1)" "waited $_lim s; the screen:" "$screen"
	fi
}
# The count of screen lines that contain TEXT.
lines_with() { printf '%s\n' "$screen" | grep -cF -- "$1"; }
at_least_lines() { [ "$(lines_with "$2")" -ge "$1" ]; }

# ---- 1. set up: the fake Pinterest, the app, the configuration ----------------

start_fake
port=$(free_port)
redirect="http://localhost:$port/"
fake POST app "{\"client_id\": \"1234567\", \"client_secret\": \"fake-app-secret\", \"redirect_uris\": [\"$redirect\"]}" >/dev/null
fake POST users '{"username": "maison_pins", "boards": [{"name": "Printemps"}, {"name": "Archives"}]}' >/dev/null
fake POST users '{"username": "maison_shop", "boards": [{"name": "Printemps"}, {"name": "Brouillons"}]}' >/dev/null
printf 'fake-app-secret\n' | "$PINWARDEN" app set --client-id 1234567 --redirect-uri "$redirect" >/dev/null
check "the app is set up" [ "$(db "SELECT count(*) FROM meta WHERE key LIKE 'app%'")" -ge 1 ]
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[worker]\npins_per_minute = 0\nbackoff_seconds = 1\n\n[console]\nstart_worker = true\n' \
	>"$XDG_CONFIG_HOME/pinwarden/config"

# The pane runs the console through this wrapper (tests/lib.sh): it notes
# the console's pid and gives it the test's environment, the fake and the
# keyring's session bus included.
console_wrapper "$TEST_TMP/console.sh"

# When the console ends, the pane shows its exit status, the terminal's
# modes, then STTY-DONE.
SHELL=/bin/sh tmx new-session -d -s "$session" -x 160 -y 48 \
	"trap : INT QUIT; sh $(sq "$TEST_TMP/console.sh") $(sq "$TEST_TMP/console.pid"); echo EXIT=\$?; stty -a; echo STTY-DONE; sleep 600"
tmx set-option -w -t "$session" window-size manual
pid_noted() { [ -s "$TEST_TMP/console.pid" ]; }
wait_until 10 pid_noted && console_pid=$(cat "$TEST_TMP/console.pid")
check "the console starts in tmux and notes its pid" [ -n "$console_pid" ]
expect "the console is up at 160x48: status line, panes, key bar" \
	on_screen " pinwarden  ana  ~/ws  worker: " "1 Clients" "4 Queue" "5 Log" "? help"
expect "the console starts its own worker and the status line says so" \
	on_screen "worker: running (pid " ", ana, started by this console)"
worker_pid=$(printf '%s\n' "$screen" | sed -n 's/.*worker: running (pid \([0-9]*\), .*/\1/p')
check "the worker is a running process (pid ${worker_pid:-none})" kill -0 "${worker_pid:-0}"
check "... started by this console" [ "$(cut -d' ' -f4 "/proc/${worker_pid:-0}/stat" 2>/dev/null)" = "$console_pid" ]

# ---- 2. onboard the client with the a form -----------------------------------

CLIENT="Maison Élise"
keys a
expect "a opens the onboarding form" on_screen "Onboard a client" "Expected accounts" "Boards in scope"
text "$CLIENT"
keys Enter
text "Élise Martin <elise@maison.example>"
keys Enter
text "maison_pins, maison_shop"
keys Enter
text "Printemps"
keys Enter
text "maison.example"
keys Enter Enter Enter
text "Printemps and boutique Pins"
# A field with a problem shows it instead of its hint.
expect "the form shows what was typed, with no problem under any field" \
	on_screen "Name               $CLIENT " "Expected accounts  maison_pins, maison_shop" \
	"Notes              Printemps and boutique Pins " " 27/4000" \
	"required; unlike every other client's name" "required: who at the client authorizes" \
	"Pinterest usernames, as in the profile address" "board names, separated by commas" \
	"for links and images: exact host"
keys Enter
expect "Enter on the last field onboards the client" \
	on_screen "Client $CLIENT onboarded: 2 accounts expected, 1 board in scope, 1 link domain and 1 image domain approved."
expect "... and selects it: its accounts are on the accounts pane" on_screen "Accounts (2) of $CLIENT"
db_is "the client is in the database, active, added by ana" \
	"SELECT name || '|' || contact || '|' || archived || '|' || created_by FROM clients" \
	"$CLIENT|Élise Martin <elise@maison.example>|0|ana"
db_is "... expecting both accounts, not connected yet" \
	"SELECT group_concat(expected_username || ':' || state, ' ') FROM (SELECT * FROM accounts ORDER BY expected_username)" \
	"maison_pins:expected maison_shop:expected"
db_is "... with its board in scope" "SELECT group_concat(name) FROM client_boards" "Printemps"
db_is "... and its domain approved for links and images" \
	"SELECT group_concat(purpose || ':' || domain, ' ') FROM (SELECT * FROM client_domains ORDER BY purpose)" \
	"image:maison.example link:maison.example"

# ---- 3. connect both accounts with C on the accounts pane ---------------------

wsid=$(db "SELECT value FROM meta WHERE key = 'workspace_id'")
tokens_of() { # USERNAME: the account's tokens in the keyring, as one string
	_a=$(db "SELECT id FROM accounts WHERE expected_username = '$1'")
	printf '%s%s' "$(secret-tool lookup workspace "$wsid" account "$_a" kind access 2>/dev/null)" \
		"$(secret-tool lookup workspace "$wsid" account "$_a" kind refresh 2>/dev/null)"
}
# The authorization URL on screen, wrapped over the lines under its
# heading, joined again.
url_on_screen() {
	printf '%s\n' "$screen" | awk '/Authorization URL/ { f = 1; next } f && /^ *$/ { exit } f { gsub(/ /, ""); printf "%s", $0 }'
}

connect_account() { # USERNAME ARROW-KEY
	keys "$2"
	keys C
	expect "C on $1 opens the connection for it" on_screen "Connect an account · $1 of $CLIENT" "expires in"
	expect "... listening on the app's redirect URI" on_screen "Waiting for the approval on 127.0.0.1:$port"
	url=$(url_on_screen)
	check "... with the whole authorization URL on screen" has "$url" "$FAKE_URL/oauth/?client_id=1234567"
	# The client's browser: the fake's approval page, then the redirect
	# to the console's listener.
	curl -sS -L --max-time 30 -o "$TEST_TMP/$1.page" "$url&approve_as=$1" 2>"$TEST_TMP/$1.curl"
	check "the client's browser reaches the console's listener" grep -q "pinwarden received the approval" "$TEST_TMP/$1.page"
	expect "the console completes and verifies it: VERIFIED" \
		on_screen "approved by Pinterest user '$1'" "VERIFIED: Pins can be published with $1 for $CLIENT." \
		"account '$1' of client '$CLIENT' is now verified"
	keys Enter
	expect "any key closes it, back on the panes" on_screen "$1 is connected and verified." "1 Clients"
	db_is "$1 is verified in the database, connected by ana" \
		"SELECT state || '|' || username || '|' || connected_by FROM accounts WHERE expected_username = '$1'" \
		"verified|$1|ana"
	check "... its tokens are in the keyring" [ -n "$(tokens_of "$1")" ]
}
keys 2
expect "2 focuses the accounts pane, which lists both accounts" on_screen "maison_pins" "maison_shop"
connect_account maison_pins Up
connect_account maison_shop Down
db_is "both accounts verified" "SELECT count(*) FROM accounts WHERE state = 'verified'" 2
db_is "their boards were read: in scope and not" \
	"SELECT group_concat(a.username || '/' || b.name || ':' || b.in_scope, ' ') FROM (SELECT * FROM boards ORDER BY account_id, name) b JOIN accounts a ON a.id = b.account_id" \
	"maison_pins/Archives:0 maison_pins/Printemps:1 maison_shop/Brouillons:0 maison_shop/Printemps:1"
db_is "two connection requests, both closed as connected" \
	"SELECT group_concat(outcome || ':' || created_by) FROM connect_requests" "connected:ana,connected:ana"

# ---- 4. publish one Pin to each account with p -----------------------------------

nothing_chosen() { on_screen "client: -   account: -   board: -" && ! printf '%s\n' "$screen" | grep -q '^  > '; }
# publish USERNAME ROW-KEYS... : through the wizard to the account's
# Printemps board; $n numbers the Pin (image, title, link); $when the time.
n=0
when=
publish() {
	_user=$1
	n=$((n + 1))
	keys p
	expect "p opens the wizard with nothing chosen (Pin $n)" nothing_chosen
	keys Down
	expect "... Down moves onto the client" on_screen "  > $CLIENT"
	keys Enter
	expect "... the account step lists the client's accounts" \
		on_screen "Publish a Pin · 2 account" "client: $CLIENT   account: -   board: -" maison_pins maison_shop
	if [ "$_user" = maison_pins ]; then keys Down; else keys Down Down; fi
	expect "... Down onto $_user" on_screen "  > $_user"
	keys Enter
	expect "... the board step shows its boards, one out of scope" \
		on_screen "Publish a Pin · 3 board" "client: $CLIENT   account: $_user   board: -" "not in $CLIENT's scope"
	keys Down Down
	expect "... Down to Printemps" on_screen "  > Printemps"
	keys Enter
	expect "... the content step holds the whole target" \
		on_screen "Publish a Pin · 4 content" "client: $CLIENT   account: $_user   board: Printemps"
	text "https://maison.example/img/$n.jpg"
	keys Enter
	text "Collection $n"
	keys Enter Enter
	text "https://maison.example/p/$n"
	keys Enter Enter
	[ -n "$when" ] && text "$when"
	keys Enter
	expect "... the confirmation shows client, account, board and content" \
		on_screen "Publish this Pin? Check where it goes." "CLIENT       $CLIENT" "ACCOUNT      $_user" \
		"BOARD        Printemps" "IMAGE        https://maison.example/img/$n.jpg" "TITLE        Collection $n"
	text "$_user"
	keys Enter
	expect "typing the username queues the job" on_screen "Job $n queued: $CLIENT → $_user → Printemps."
}
publish maison_pins
publish maison_shop
db_is "both jobs are in the database, for the chosen targets, requested by ana" \
	"SELECT group_concat(j.id || ':' || a.username || '/' || b.name || '/' || j.title || '/' || j.requested_by, ' ') FROM jobs j JOIN accounts a ON a.id = j.account_id JOIN boards b ON b.id = j.board_id" \
	"1:maison_pins/Printemps/Collection 1/ana 2:maison_shop/Printemps/Collection 2/ana"
db_is "... each with its job.queued event by ana" \
	"SELECT count(*) FROM events WHERE kind = 'job.queued' AND operator = 'ana'" 2

# ---- 5. the console's worker publishes them ----------------------------------------

keys 5 F
LIMIT=30
db_becomes "the worker publishes both jobs (within $(limit) s)" \
	"SELECT group_concat(state) FROM jobs" "published,published"
expect "the log pane shows both job.published events" at_least_lines 2 "job.published"
expect "... and their messages" on_screen "job 1 published as Pin" "job 2 published as Pin"
LIMIT=15
pins=$(fake GET pins)
pin_summary() {
	printf '%s' "$pins" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted("%s/%s" % (p["username"], p["request"].get("title")) for p in d["items"])))'
}
check "the fake has both Pins, one on each account ($(pin_summary))" \
	[ "$(pin_summary)" = "maison_pins/Collection 1 maison_shop/Collection 2" ]
db_is "the jobs hold the fake's Pin ids" \
	"SELECT count(*) FROM jobs WHERE pin_id IS NOT NULL AND pin_id <> ''" 2

# ---- 6. break one, then retry it from the queue ---------------------------------------

fake POST faults '{"path": "/v5/pins", "status": 400, "body": {"code": 1, "message": "Invalid image"}}' >/dev/null
publish maison_pins
db_becomes "Pinterest refuses job 3 and it fails at once (a 400)" "SELECT state FROM jobs WHERE id = 3" failed
failed_row() { printf '%s\n' "$screen" | grep -Eq '│! .* maison_pins → Printemps +FAILED +1 +Collection 3'; }
expect "job 3 is FAILED in the queue pane, in capitals and marked !" failed_row
client_marked() { printf '%s\n' "$screen" | grep -Eq "^! $CLIENT +2/2 +1! "; }
expect "the clients pane marks the client with ! and the count" client_marked
expect "the status line counts 1 failed" on_screen " 1 failed "
keys '!'
expect "! jumps to it" on_screen "Job 3: FAILED; r retries it, x cancels it"
keys r
expect "r asks about job 3, with Pinterest's answer" \
	on_screen "Retry a job · confirm" "JOB          3" "STATE        failed" "Invalid image" "Retry job 3? (y/n)"
keys y
expect "y puts it back in the queue" on_screen "Job 3 is back in the queue, due now: the worker sends it again."
db_becomes "the worker publishes job 3 this time" "SELECT state || ' ' || attempts FROM jobs WHERE id = 3" "published 2"
expect "the log pane shows it published" on_screen "job 3 published as Pin"
expect "the status line counts 0 failed again" on_screen " 0 failed "
db_is "the retry is logged, by ana" "SELECT operator FROM events WHERE kind = 'job.retry' AND job_id = 3" ana
check "the fake has three Pins now" [ "$(fake GET pins | jq_get count)" -eq 3 ]

# ---- 7. offboard the client with O ----------------------------------------------------

# A Pin scheduled for later: the offboarding cancels it.
when="2031-01-02 09:00"
publish maison_shop
when=
db_is "job 4 waits for 2031, queued by ana" \
	"SELECT state || ' ' || scheduled_at || ' ' || requested_by FROM jobs WHERE id = 4" "queued 2031-01-02T09:00:00.000Z ana"
check "the account tokens are in the keyring before" [ -n "$(tokens_of maison_pins)" ] && [ -n "$(tokens_of maison_shop)" ]
keys 1
keys O
expect "O on the clients pane opens the offboarding at what will happen" \
	on_screen "Offboard $CLIENT · 1 what will happen" "Jobs still waiting to be published (1)" "Collection 4" "Cancel this 1 job? (y/n)"
keys y
expect "y: the waiting job will be cancelled; the export step" on_screen "Offboard $CLIENT · 2 log export"
export_file="$TEST_TMP/maison-elise.jsonl"
text "$export_file"
keys Enter
expect "the confirmation says what will be done and asks for the name" \
	on_screen "Offboard $CLIENT · 3 confirm" "JOBS       1 waiting job cancelled" \
	"LOG        activity log exported to $export_file" "Type the client's name ($CLIENT) and Enter to offboard it"
text "$CLIENT"
keys Enter
expect "the result ends with: No queued jobs remain." on_screen "Client $CLIENT offboarded." "No queued jobs remain."
screen_now "... every step ok" not_on_screen "FAIL "
keys Enter
expect "any key closes it" on_screen "Client $CLIENT offboarded: no queued jobs remain"
db_is "the client is archived" "SELECT archived FROM clients" 1
db_is "both accounts are disconnected" \
	"SELECT group_concat(state) FROM (SELECT state FROM accounts ORDER BY expected_username)" "disconnected,disconnected"
db_is "the waiting job was cancelled, the published ones stay" \
	"SELECT group_concat(state) FROM (SELECT state FROM jobs ORDER BY id)" "published,published,published,cancelled"
check "every token left the keyring" [ -z "$(tokens_of maison_pins)$(tokens_of maison_shop)" ]
left=$(secret-tool search --all workspace "$wsid" 2>&1 | grep -E '^attribute\.kind = (access|refresh)$')
check "... none of the workspace's is left under any account" [ -z "$left" ]
check "the export exists" [ -s "$export_file" ]
python3 "$TESTS_SRCDIR/../doc/verify-export.py" --filtered "$export_file" >"$TEST_TMP/verify-export.out" 2>&1
check "verify-export.py accepts it (a client's export: --filtered)" [ $? -eq 0 ]
check "... and it holds the client's day (3 job.published)" \
	[ "$(grep -c '"kind": *"job.published"' "$export_file")" -eq 3 ]

# ---- 8. quit --------------------------------------------------------------------------

quitting=1
keys q
expect "q ends the console" on_screen "STTY-DONE"
screen_now "exit status 0" on_screen "EXIT=0"
screen_now "the terminal is restored (icanon, echo, normal screen, cursor)" terminal_restored
check "the console process is gone" sh -c "! kill -0 $console_pid 2>/dev/null"
check "its worker is stopped with it" sh -c "! kill -0 ${worker_pid:-0} 2>/dev/null"
left=$(our_workers)
check "no worker of this workspace is left running" [ -z "$left" ]
check "the worker's output went to worker.log" grep -q "starting a worker for ana" "$PINWARDEN_WORKSPACE/worker.log"
run log verify
check "log verify: the chain is intact" status_is 0
check "... every event counted" has "$out" "intact: $(db "SELECT count(*) FROM events") events"
db_is "every event of the day names the operator, ana" "SELECT count(*) FROM events WHERE operator <> 'ana'" 0
for kind in client.add account.connected account.verify job.queued job.published job.failed job.retry \
	client.offboarded; do
	db_is "... $kind among them" "SELECT count(*) > 0 FROM events WHERE kind = '$kind' AND operator = 'ana'" 1
done
echo "# the day took $((($(date +%s%N) - start_t) / 1000000)) ms"

done_testing
