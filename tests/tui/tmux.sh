#!/bin/sh
# The console in a real terminal: tmux runs it on a pseudo-terminal, keys
# go in with send-keys, the screen comes out with capture-pane. Start-up,
# moving around, the log following another process's commits, a storm of
# resizes, and every way out (q, Ctrl-C, SIGTERM, SIGHUP, Ctrl-Z and fg)
# giving the terminal back in its normal modes.
#
# Nothing here sleeps for a fixed time: wait_screen polls the screen every
# 0.1 s up to a limit, so the test is as fast as the console and still
# passes on a loaded machine.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

. "$TESTS_SRCDIR/tui/tmux-lib.sh"
export HOME="$TEST_TMP" # so the status line says ~/ws

# The pane runs the console through this wrapper (tests/lib.sh), which
# notes its pid; no core files from the signals below land in the build
# tree.
console_wrapper "$TEST_TMP/console.sh"

console_pid=

# start_console NAME: a new session NAME of 100x30 running the console;
# when the console ends, the pane shows its exit status, the terminal's
# modes and then "STTY-DONE". Sets $session and $console_pid.
#
# The pane's shell lives through Ctrl-C and Ctrl-\ the way an interactive
# one does (the trap; the console gets the default action back at exec).
# Sessions stay until the server is killed: killing the last one would
# end the server under the next new-session.
start_console() {
	session=$1
	_pidfile="$TEST_TMP/$1.pid"
	rm -f "$_pidfile"
	SHELL=/bin/sh tmx new-session -d -s "$session" -x 100 -y 30 \
		"trap : INT QUIT; sh $(sq "$TEST_TMP/console.sh") $(sq "$_pidfile"); echo EXIT=\$?; stty -a; echo STTY-DONE; sleep 600"
	# The window keeps the size it is given, attached or not.
	tmx set-option -w -t "$session" window-size manual
	console_pid=
	wait_until 10 [ -s "$_pidfile" ] && console_pid=$(cat "$_pidfile")
}

# The key bar: the screen's last line. (Its labels are short words, e.g.
# "f states" for state-filter, so the checks look for the key and the
# start of the label.)
keybar_has() { has "$(printf '%s\n' "$screen" | tail -n 1)" "$1"; }
keybar_hasnt() { ! keybar_has "$1"; }

# wait_screen TEXT [SECONDS]: waits for TEXT to be on the screen (10 s at
# most unless told); the last capture is in $screen either way.
wait_screen() { wait_until "${2:-10}" on_screen "$1"; }

# expect "what" COMMAND...: one TAP line for whether COMMAND becomes true
# of the screen within 10 s; on failure, the last screen.
expect() {
	_what=$1
	shift
	if wait_until 10 "$@"; then
		ok "$_what"
	else
		not_ok "$_what" "waited 10 s for: $*" "the screen:" "$screen"
	fi
}

# on_screen_now "what" COMMAND...: one TAP line for whether COMMAND is true
# of the screen as it is; on failure, the screen.
on_screen_now() {
	_what=$1
	shift
	capture
	if "$@"; then
		ok "$_what"
	else
		not_ok "$_what" "not true: $*" "the screen:" "$screen"
	fi
}

# Count of the screen's lines that are not blank.
nonblank_lines() { printf '%s\n' "$1" | grep -c '[^ ]'; }

# Whether the console is still running: its process is there, and the pane
# does not show its exit status.
console_running() {
	capture
	[ -n "$console_pid" ] && kill -0 "$console_pid" 2>/dev/null && hasnt "$screen" "EXIT="
}

# stable: true when the screen is the same as at the previous capture
# stable looked at (use with wait_until, after prev_screen=).
prev_screen=
stable() {
	[ "$screen" = "$prev_screen" ] && return 0
	prev_screen=$screen
	return 1
}

# Pids of consoles of this test still running: pinwarden processes with
# this test's workspace in their environment.
our_consoles() {
	for _d in /proc/[0-9]*; do
		[ "$(cat "$_d/comm" 2>/dev/null)" = pinwarden ] || continue
		tr '\0' '\n' <"$_d/environ" 2>/dev/null | grep -qxF "PINWARDEN_WORKSPACE=$PINWARDEN_WORKSPACE" &&
			echo "${_d#/proc/}"
	done
}

# ---- 1. start-up -------------------------------------------------------

CJK="東京茶舗"
"$PINWARDEN" client add Acme --contact a --domain acme.example --expect-account acme_pins >/dev/null
"$PINWARDEN" client add "$CJK" --contact b --domain tea.example >/dev/null

start_t=$(now_ms)
start_console main
check "the console starts in tmux and notes its pid" [ -n "$console_pid" ]
expect "start-up: the first frame has the status line, the clients, the panes and the key bar" \
	on_screen " pinwarden  tester  ~/ws  worker: " "0 failed" \
	"  Acme " "  $CJK " "4 Queue" "5 Log" "? help"
echo "# the first frame took $(($(now_ms) - start_t)) ms"
check "the console runs with TERM screen* or tmux* (set by tmux)" \
	sh -c "tr '\\0' '\\n' </proc/$console_pid/environ | grep -Eqx 'TERM=(screen|tmux).*'"
check "the console is on the alternate screen with the cursor hidden" \
	[ "$(tmx display-message -p -t "$session" '#{alternate_on} #{cursor_flag}')" = "1 0" ]

# ---- 2. navigation -----------------------------------------------------

tmx send-keys -t "$session" j
expect "j selects the second client: the accounts pane is of it" on_screen "Accounts (0) of $CJK"
tmx send-keys -t "$session" Tab Tab Tab
expect "Tab moves the focus pane by pane: three of them reach the queue (key bar: f state...)" keybar_has "f state"
tmx send-keys -t "$session" Tab
expect "Tab from the queue focuses the log (key bar: F follow)" keybar_has "F follow"
tab_round() { keybar_has "? help" && keybar_hasnt "f state" && keybar_hasnt "F follow"; }
tmx send-keys -t "$session" Tab
expect "Tab from the log goes round to the clients" tab_round
tmx send-keys -t "$session" 4
expect "4 focuses the queue" keybar_has "f state"
tmx send-keys -t "$session" '?'
expect "? opens the help" on_screen "move down one row"
tmx send-keys -t "$session" Escape
expect "Escape closes the help" not_on_screen "move down one row"
expect "and the panes are back" on_screen "5 Log" "? help"
tmx send-keys -t "$session" 1 Enter
expect "Enter on a client opens its details" on_screen "Approved domains" "tea.example"
tmx send-keys -t "$session" Escape
expect "Escape closes the details" not_on_screen "Approved domains"
expect "and the clients are back" on_screen "  Acme " "  $CJK " "4 Queue" "5 Log" "? help"

# ---- 3. the log follows other processes' commits ------------------------

"$PINWARDEN" client add Live --contact x --domain l.example >/dev/null
expect "another process's client add shows in the log, no key pressed" on_screen "client 'Live' onboarded"
live_listed() { printf '%s\n' "$screen" | grep -q '^  Live '; }
expect "and the clients pane lists Live" live_listed

# ---- 4. a storm of resizes -----------------------------------------------

# The frame the storm must come back to, once it has settled.
prev_screen=
wait_until 10 stable
normal=$screen
for size in 80x24 20x5 200x60 59x15 60x16 30x8 150x45 1x1 120x40 61x17 \
	10x3 200x60 60x15 59x16 90x20 20x5 160x50 75x25 45x12 100x30; do
	tmx resize-window -t "$session" -x "${size%x*}" -y "${size#*x}"
done
check "the console is still running after 20 resizes" console_running
tmx resize-window -t "$session" -x 59 -y 15
expect "at 59x15 the console says it needs 60x16" on_screen "Terminal 59x15: pinwarden needs 60x16."
tmx resize-window -t "$session" -x 20 -y 5
expect "at 20x5 too, cut to the width" on_screen "Terminal 20x5: pinwa"
for size in 200x60 59x15 100x30 20x5 61x17 100x30; do
	tmx resize-window -t "$session" -x "${size%x*}" -y "${size#*x}"
done
same_as_normal() { [ "$screen" = "$normal" ]; }
if wait_until 10 same_as_normal; then
	ok "back at 100x30 the screen is exactly the frame before the storm"
else
	printf '%s\n' "$normal" >"$TEST_TMP/normal.screen"
	printf '%s\n' "$screen" >"$TEST_TMP/after.screen"
	not_ok "back at 100x30 the screen is exactly the frame before the storm" \
		"$(diff -u "$TEST_TMP/normal.screen" "$TEST_TMP/after.screen")"
fi
on_screen_now "with the status line and the log pane" on_screen " pinwarden  tester  ~/ws" "5 Log"
check "and no stale text: as many non-blank lines as before ($(nonblank_lines "$normal"))" \
	[ "$(nonblank_lines "$screen")" -eq "$(nonblank_lines "$normal")" ]
check "the console is still running" console_running

# ---- 7. the key bar follows the focus -----------------------------------

tmx send-keys -t "$session" 5
expect "the log focused (5): the key bar offers F follow" keybar_has "F follow"
on_screen_now "and not f state..." keybar_hasnt "f state"
tmx send-keys -t "$session" 4
expect "the queue focused (4): the key bar offers f state..." keybar_has "f state"
on_screen_now "and no longer F follow" keybar_hasnt "F follow"

# ---- 5. quitting with q -------------------------------------------------

tmx send-keys -t "$session" q
expect "q ends the console" on_screen "STTY-DONE"
on_screen_now "q: exit status 0" on_screen "EXIT=0"
on_screen_now "q: the terminal is restored (icanon, echo, normal screen, cursor)" terminal_restored

# ---- 6. Ctrl-C, SIGTERM and SIGHUP --------------------------------------

# All three end the console with status 0 today.
for how in C-c TERM HUP; do
	start_console "by-$how"
	expect "$how: the console is up" on_screen "? help"
	case $how in
	C-c) tmx send-keys -t "$session" C-c ;;
	*) kill "-$how" "$console_pid" ;;
	esac
	expect "$how: the console ends" on_screen "STTY-DONE"
	on_screen_now "$how: exit status 0" on_screen "EXIT=0"
	on_screen_now "$how: the terminal is restored (icanon, echo, normal screen, cursor)" terminal_restored
	check "$how: the console process is gone" sh -c "! kill -0 $console_pid 2>/dev/null"
done

# Ctrl-\ (SIGQUIT) ends the process with a core dump by default: the
# terminal is given back first.
start_console by-quit
expect "C-\\: the console is up" on_screen "? help"
# shellcheck disable=SC1003 # tmux's name for Ctrl-\ is C-\
tmx send-keys -t "$session" 'C-\'
expect "C-\\: the console ends" on_screen "STTY-DONE"
on_screen_now "C-\\: the terminal is restored (icanon, echo, normal screen, cursor)" terminal_restored

# ---- 8. Ctrl-Z and fg, from an interactive shell with job control ---------

if command -v bash >/dev/null 2>&1; then
	session=job
	SHELL=/bin/sh tmx new-session -d -s "$session" -x 100 -y 30 \
		"env PS1='pw-shell\$ ' HISTFILE=/dev/null bash --norc --noprofile -i"
	tmx set-option -w -t "$session" window-size manual
	wait_screen 'pw-shell$' >/dev/null
	tmx send-keys -t "$session" "clear; sh $(sq "$TEST_TMP/console.sh") $(sq "$TEST_TMP/job.pid")" Enter
	expect "job: the console is up in an interactive shell" on_screen "? help" "5 Log"
	console_pid=$(cat "$TEST_TMP/job.pid" 2>/dev/null)
	tmx send-keys -t "$session" C-z
	expect "C-z stops the console and the shell is back" on_screen "Stopped"
	# (The shell puts back its own terminal modes when a job stops; the
	# screen and the cursor are the console's doing.)
	expect "C-z: the shell is back on the normal screen with the cursor shown" pane_restored
	tmx send-keys -t "$session" clear Enter fg Enter
	console_back() {
		on_screen " pinwarden  tester  ~/ws" "  Acme " "5 Log" "? help" &&
			[ "$(tmx display-message -p -t "$session" '#{alternate_on} #{cursor_flag}')" = "1 0" ]
	}
	expect "fg: the console is back, fully drawn, with the cursor hidden" console_back
	tmx send-keys -t "$session" q
	console_gone() { ! kill -0 "${console_pid:-0}" 2>/dev/null; }
	wait_until 10 console_gone
	# (The quotes keep the markers out of the echoed command line.)
	tmx send-keys -t "$session" "echo EXIT''=\$?; stty -a; echo STTY''-DONE" Enter
	expect "q after fg: the console ends" on_screen "STTY-DONE"
	on_screen_now "q after fg: exit status 0" on_screen "EXIT=0"
	on_screen_now "q after fg: the terminal is restored (icanon, echo, normal screen, cursor)" terminal_restored
	check "job: the console process is gone" sh -c "! kill -0 ${console_pid:-0} 2>/dev/null"
else
	ok "# SKIP bash is not installed, for a shell with job control"
fi

left=$(our_consoles)
check "no console of this test is left running" [ -z "$left" ]
# Each console started a worker of its own (the default): none outlives it.
workers=$(pgrep -f "worker" | while read -r p; do
	tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | grep -qx "$PINWARDEN_WORKSPACE" && echo "$p"; done)
check "no worker a console started is left running" [ -z "$workers" ]
# shellcheck disable=SC2086 # one word per pid
[ -n "$left" ] && kill $left 2>/dev/null
echo "# the whole test took $(($(now_ms) - start_t)) ms"

done_testing
