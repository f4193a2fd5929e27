#!/bin/sh
# Every request the Pinterest adapter sends conforms to Pinterest's OpenAPI
# description: Stoplight Prism (pinned in tests/conformance/package.json,
# installed by scripts/install-deps) mocks the description, validating each
# request, and the probe makes every adapter call once against it.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"
. "$TESTS_SRCDIR/conformance/common.sh"

# Without the description (an unpacked tarball, 'make distcheck') there
# is nothing to check against, and no node_modules either: skip, in CI too.
require_openapi

prism="$TESTS_SRCDIR/conformance/node_modules/.bin/prism"
command -v node >/dev/null 2>&1 || missing_tool "node is not installed" "Debian packages nodejs npm"
[ -x "$prism" ] || missing_tool "Prism is not installed" "npm ci --prefix tests/conformance, or scripts/install-deps"
probe="$TESTS_BUILDDIR/conformance/probe"
[ -x "$probe" ] || missing_tool "the probe is not built" "make check builds it; it needs cmocka to be found"

# http_status METHOD URL [CURL ARGS...]: the status of one request, 000 when
# nothing answered.
http_status() {
	method=$1 url=$2
	shift 2
	if command -v curl >/dev/null 2>&1; then
		curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X "$method" "$@" "$url" 2>/dev/null || true
	else
		python3 - "$method" "$url" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(urllib.request.Request(sys.argv[2], method=sys.argv[1]), timeout=5) as r:
        print(r.status, end="")
except urllib.error.HTTPError as e:
    print(e.code, end="")
except Exception:
    print("000", end="")
PY
	fi
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
log="$TEST_TMP/prism.log"

# Prism runs in the background for the length of this test, and is
# stopped with it, whatever way it ends.
"$prism" mock -h 127.0.0.1 -p "$port" "$OPENAPI" >"$log" 2>&1 &
prism_pid=$!
stop_prism() { kill "$prism_pid" 2>/dev/null && wait "$prism_pid" 2>/dev/null; }
# Then what lib.sh's own EXIT trap does (its cleanup function, where it has one).
if command -v cleanup >/dev/null 2>&1; then
	trap 'stop_prism; cleanup' EXIT
else
	trap 'stop_prism; chmod -R u+rwX "$TEST_TMP" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
fi
trap 'exit 1' INT TERM HUP

# Up once it answers anything (a 401: no Authorization); at most 60 s.
answered=000
waited=0
while [ "$waited" -lt 60 ]; do
	kill -0 "$prism_pid" 2>/dev/null || break
	answered=$(http_status GET "$base/user_account")
	[ "$answered" != 000 ] && break
	sleep 1
	waited=$((waited + 1))
done
if [ "$answered" = 000 ]; then
	not_ok "Prism answers on $base within 60 s" "$(tail -n 30 "$log")"
	echo "1..$tap_n"
	exit 1
fi
ok "Prism answers on $base (after ${waited} s)"

# The mock does check: a request without Authorization is refused, and a
# request breaking a rule is refused with the rule in the log.
check "Prism refuses a request without Authorization (401)" [ "$answered" = 401 ]
bad=$(http_status POST "$base/pins" -H 'Authorization: Bearer dummy' -H 'Content-Type: application/json' \
	-d '{"board_id":"not-digits","media_source":{"source_type":"image_url","url":"https://example.com/a.png"}}')
check "Prism refuses a PinCreate whose board_id is not digits (4xx)" [ "${bad#4}" != "$bad" ]
sleep 1
check "Prism logs the violated rule" grep -q 'Violation: request.body.board_id' "$log"

# The probe's requests, and only theirs, from here on in the log.
before=$(wc -l <"$log")
"$probe" "$base" >"$TEST_TMP/probe" 2>"$TEST_TMP/probe.err"
status=$?
merge_tap "$TEST_TMP/probe"
out=$(cat "$TEST_TMP/probe")
err=$(cat "$TEST_TMP/probe.err")
check "the probe ran to its end (status 0 or 1, no crash)" [ "$status" -le 1 ]
check "the probe printed its plan" grep -q '^1\.\.[1-9]' "$TEST_TMP/probe"

# Prism logs as it goes; wait (at most 5 s) for the probe's 11 requests.
expected=11
n=0
while [ "$n" -lt 10 ]; do
	received=$(tail -n +"$((before + 1))" "$log" | grep -c 'Request received')
	[ "$received" -ge "$expected" ] && break
	sleep 0.5
	n=$((n + 1))
done
tail -n +"$((before + 1))" "$log" >"$TEST_TMP/probe.log"
check "Prism received the probe's $expected requests (got $received)" [ "$received" -ge "$expected" ]
# Prism also checks its own generated answers ("Violation: response..."):
# those are about its placeholders, not about pinwarden.
violations=$(grep -E 'Violation: request|Invalid security scheme' "$TEST_TMP/probe.log")
if [ -n "$violations" ]; then
	not_ok "Prism logged no rule violated by the probe's requests" "$violations"
else
	ok "Prism logged no rule violated by the probe's requests"
fi
grep -E '\[HTTP SERVER\]|Responding with "' "$TEST_TMP/probe.log" | sed 's/^/# prism: /'

done_testing
