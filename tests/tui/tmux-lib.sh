# tests/tui/tmux-lib.sh: what the tests in a real terminal share, after
# tests/lib.sh: a private tmux server (no configuration, killed on the way
# out before lib.sh's cleanup removes its socket's folder), and waiting
# for the screen by polling it, never by sleeping a fixed time.

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi

# Names in any script need a UTF-8 locale in the console and in tmux.
if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
	export LC_ALL=C.UTF-8
fi
unset TMUX TMUX_PANE # never talk to a tmux the test runs inside

TMUX_SOCKET="$TEST_TMP/tmux.sock"
tmx() { tmux -u -f /dev/null -S "$TMUX_SOCKET" "$@"; }

# A test may define tmux_cleanup_more, run before the server is killed.
cleanup_tmux() {
	command -v tmux_cleanup_more >/dev/null 2>&1 && tmux_cleanup_more
	tmx kill-server >/dev/null 2>&1
	cleanup
}
trap cleanup_tmux EXIT
# A signal to the test ends it through the EXIT trap.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

session=
screen=

# capture: the pane's screen now, in $screen.
capture() { screen=$(tmx capture-pane -p -t "$session" 2>&1); }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_until SECONDS COMMAND...: captures the screen every 0.1 s until
# COMMAND (which can look at $screen) succeeds or SECONDS have passed.
wait_until() {
	_deadline=$(($(now_ms) + $1 * 1000))
	shift
	while :; do
		capture
		"$@" && return 0
		[ "$(now_ms)" -ge "$_deadline" ] && return 1
		sleep 0.1
	done
}

on_screen() {
	for _t in "$@"; do has "$screen" "$_t" || return 1; done
}
not_on_screen() {
	for _t in "$@"; do hasnt "$screen" "$_t" || return 1; done
}

# tmux says the pane is on the normal screen with the cursor shown and the
# cursor keys in normal mode.
pane_restored() {
	[ "$(tmx display-message -p -t "$session" '#{alternate_on} #{cursor_flag} #{keypad_cursor_flag}')" = "0 1 0" ]
}

# After the console ended in a pane that then printed "EXIT=STATUS" and
# `stty -a`: those modes say canonical mode and echo are on, and
# pane_restored.
terminal_restored() {
	_modes=$(printf '%s\n' "$screen" | awk '/^EXIT=/ { m = "" } { m = m $0 "\n" } END { printf "%s", m }')
	has "$_modes" "EXIT=" &&
		printf '%s\n' "$_modes" | grep -Eq '(^| )icanon( |$)' &&
		printf '%s\n' "$_modes" | grep -Eq '(^| )echo( |$)' &&
		! printf '%s\n' "$_modes" | grep -Eq '(^| )-(icanon|echo)( |$)' &&
		pane_restored
}
