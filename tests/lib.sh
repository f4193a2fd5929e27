# tests/lib.sh: what the shell tests share. Each test prints TAP: one
# "ok N - what" or "not ok N - what" line per check, the plan at the end.
# Every test gets its own temporary workspace, config and data folders.

set -u
: "${PINWARDEN:?run the shell tests through make check, which sets PINWARDEN}"
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pinwarden-sh-XXXXXX")
FAKE_PID=
cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	chmod -R u+rwX "$TEST_TMP" 2>/dev/null
	# KEEP_TEST_TMP=1 keeps the files (screens, workspace) for a look.
	[ -n "${KEEP_TEST_TMP:-}" ] || rm -rf "$TEST_TMP"
}
trap cleanup EXIT
export PINWARDEN_WORKSPACE="$TEST_TMP/ws"
export PINWARDEN_OPERATOR=tester
export XDG_CONFIG_HOME="$TEST_TMP/config"
export XDG_DATA_HOME="$TEST_TMP/data"
export TZ=UTC
unset SSH_CONNECTION SSH_CLIENT
# In the sanitizer build, every report from any run of the binary lands
# here, and done_testing fails the test if there is one.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$TEST_TMP/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$TEST_TMP/sanitizer"

tap_n=0
tap_failed=0
status=0
out=
err=

# sq STRING: STRING quoted for sh.
sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# console_wrapper FILE [WORD...]: writes FILE, the script a tmux pane runs
# to start the console. `sh FILE [PIDFILE]` notes its pid in PIDFILE (exec
# keeps it), allows no core files, and execs the console, after the WORDs
# (a tracer, say), with the test's environment: workspace, config and data
# folders, HOME, operator, TZ, locale, sanitizers, and the fake Pinterest
# and the keyring's session bus when the test has them.
console_wrapper() {
	_file=$1
	shift
	_more=
	for _var in PINWARDEN_API_BASE PINWARDEN_AUTHORIZE_URL DBUS_SESSION_BUS_ADDRESS; do
		eval "_val=\${$_var:-}"
		[ -n "$_val" ] && _more="$_more $_var=$(sq "$_val")"
	done
	_words=
	for _w in "$@" "$PINWARDEN"; do
		_words="$_words $(sq "$_w")"
	done
	cat >"$_file" <<EOF
#!/bin/sh
[ -n "\${1:-}" ] && echo \$\$ >"\$1"
ulimit -c 0 2>/dev/null
exec env PINWARDEN_WORKSPACE=$(sq "$PINWARDEN_WORKSPACE") \\
	XDG_CONFIG_HOME=$(sq "$XDG_CONFIG_HOME") XDG_DATA_HOME=$(sq "$XDG_DATA_HOME") \\
	HOME=$(sq "$HOME") PINWARDEN_OPERATOR=$(sq "$PINWARDEN_OPERATOR") TZ=$(sq "$TZ") \\
	LC_ALL=$(sq "${LC_ALL:-C.UTF-8}") ASAN_OPTIONS=$(sq "$ASAN_OPTIONS") UBSAN_OPTIONS=$(sq "$UBSAN_OPTIONS")$_more \\
	$_words
EOF
}

# run ARGS...: runs pinwarden; sets $status, $out and $err.
run() {
	"$PINWARDEN" "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
	status=$?
	out=$(cat "$TEST_TMP/.out")
	err=$(cat "$TEST_TMP/.err")
}

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

# check "what" COMMAND...: one TAP line for whether COMMAND succeeds; on
# failure the last run's status and output are shown.
check() {
	what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what" "failed: $*" "status: $status" "stdout: $out" "stderr: $err"
	fi
}

has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
hasnt() { ! has "$1" "$2"; }
status_is() { [ "$status" -eq "$1" ]; }

db() { sqlite3 -batch "$PINWARDEN_WORKSPACE/pinwarden.db" "$@"; }

digest() { sha256sum "$1" | cut -d' ' -f1; }

# start_fake: starts the fake Pinterest on a free loopback port and points
# pinwarden at it ($FAKE_URL, PINWARDEN_API_BASE, PINWARDEN_AUTHORIZE_URL).
start_fake() {
	python3 "$TESTS_SRCDIR/fake-pinterest.py" --port-file "$TEST_TMP/fake.port" >/dev/null 2>"$TEST_TMP/fake.err" &
	FAKE_PID=$!
	for _ in $(seq 100); do [ -s "$TEST_TMP/fake.port" ] && break; sleep 0.05; done
	FAKE_URL="http://127.0.0.1:$(cat "$TEST_TMP/fake.port")"
	export PINWARDEN_API_BASE="$FAKE_URL/v5" PINWARDEN_AUTHORIZE_URL="$FAKE_URL/oauth/"
}

# fake METHOD PATH [JSON]: a call to the fake's control API; prints its answer.
fake() {
	curl -sS -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$FAKE_URL/_control/$2"
}

# shop_account: the fake Pinterest, an app, client Shop (domain
# shop.example, board Spring) and its account shop_pins, connected the way
# an operator does it (approved on the fake's page, finished by paste).
shop_account() {
	start_fake
	fake POST app '{"client_id": "1234567", "client_secret": "fake-app-secret", "redirect_uris": ["http://localhost:9/"]}' >/dev/null
	fake POST users '{"username": "shop_pins", "boards": [{"name": "Spring"}]}' >/dev/null
	printf 'fake-app-secret\n' | "$PINWARDEN" app set --client-id 1234567 --redirect-uri http://localhost:9/ >/dev/null
	"$PINWARDEN" client add Shop --contact s --domain shop.example --board Spring --expect-account shop_pins >/dev/null
	_url=$("$PINWARDEN" account connect --client Shop --expect shop_pins --no-wait | sed -n '/^Authorization URL:$/{n;p;q}')
	_location=$(curl -sS -o /dev/null -w '%{redirect_url}' "$_url&approve_as=shop_pins")
	"$PINWARDEN" account complete --paste "$_location" >/dev/null
	check "the account is connected and verified" [ "$(db "SELECT state FROM accounts")" = verified ]
}

# shop_publish TITLE [publish options]: queues a Pin for Shop's account and
# board (after shop_account), image and link numbered in order.
shop_n=0
shop_publish() {
	shop_n=$((shop_n + 1))
	_title=$1
	shift
	"$PINWARDEN" publish --client Shop --account shop_pins --board Spring --image "https://shop.example/$shop_n.jpg" \
		--title "$_title" --link "https://shop.example/p/$shop_n" "$@" >/dev/null 2>&1
}

# console 'LINES': runs the console in script mode on a virtual terminal
# of $COLUMNS x $LINES (80x24 unless set) with the given script (see
# src/tui/script.c); sets $status, $out and $err like run.
console() {
	printf '%s\n' "$1" >"$TEST_TMP/console.script"
	shift
	PINWARDEN_SCRIPT="$TEST_TMP/console.script" run "$@"
}

# screen_is "what" FILE EXPECTED: one TAP line for whether a saved screen
# is exactly EXPECTED; on failure, the difference.
screen_is() {
	printf '%s\n' "$3" >"$TEST_TMP/expected.screen"
	if diff -u "$TEST_TMP/expected.screen" "$2" >"$TEST_TMP/screen.diff" 2>&1; then
		ok "$1"
	else
		not_ok "$1" "$(cat "$TEST_TMP/screen.diff")" "status $status" "$err"
	fi
}

# jq_get KEY...: a value from the JSON on standard input (indexes for arrays).
jq_get() {
	python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$@"
}

# free_port: a loopback port nothing listens on right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

done_testing() {
	reports=$(ls "$TEST_TMP"/sanitizer.* 2>/dev/null)
	if [ -n "$reports" ]; then
		not_ok "no sanitizer reports from any run" "$(cat $reports)"
	else
		ok "no sanitizer reports from any run"
	fi
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
