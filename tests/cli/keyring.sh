#!/bin/sh
# The keyring's failures, each reported within seconds with a message that
# says what to do, through tests/unit/keyring_probe (pw_keyring_probe in a
# process of its own) under the keyring setups of tests/with-keyring; and
# that wrapper itself.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

probe="$(dirname "$PINWARDEN")/../tests/unit/keyring_probe"
with_keyring() { "${SHELL:-/bin/sh}" "$TESTS_SRCDIR/with-keyring" "$@"; }
export TMPDIR="$TEST_TMP/tmp"
mkdir -p "$TMPDIR"

# probe_in COMMAND...: runs COMMAND (which runs the probe); sets $status,
# $out, $err and $secs, the whole seconds it took.
probe_in() {
	t0=$(date +%s)
	"$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
	status=$?
	secs=$(($(date +%s) - t0))
	out=$(cat "$TEST_TMP/.out")
	err=$(cat "$TEST_TMP/.err")
}
quick() { [ "$secs" -le 5 ]; }
failed_with() { [ "$status" -eq 1 ] && [ "$out" = "$1" ]; }
gone() { [ -n "$1" ] && [ ! -e "/proc/$1" ]; }

if [ "${PINWARDEN_TEST_KEYRING:-}" != unlocked ]; then
	ok "the keyring tests # SKIP not run under tests/with-keyring"
	done_testing
	exit
fi

probe_in "$probe"
check "the probe passes with an unlocked keyring" [ "$status-$out" = 0-ok ]
check "... within seconds" quick

probe_in env -u DISPLAY DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent "$probe"
check "no session bus: the probe fails" failed_with no_bus
check "... and says there is no session bus" has "$err" "no D-Bus session bus"
check "... and how to get one" has "$err" "dbus-run-session -- pinwarden"
check "... and points to doc/keyring.md" has "$err" "doc/keyring.md"
check "... within seconds" quick

probe_in with_keyring --no-service "$probe"
check "no Secret Service: the probe fails" failed_with no_service
check "... and says there is no Secret Service" has "$err" "no Secret Service"
check "... and how to start one" has "$err" "gnome-keyring-daemon --unlock --components=secrets"
check "... and points to doc/keyring.md" has "$err" "doc/keyring.md"
check "... within seconds" quick

probe_in with_keyring --locked "$probe"
check "a locked keyring: the probe fails" failed_with locked
check "... and says it is locked" has "$err" "is locked"
check "... and how to unlock it" has "$err" "--unlock"
check "... and points to doc/keyring.md" has "$err" "doc/keyring.md"
check "... within seconds" quick

# A keyring whose only collection was deleted, as on a host where
# gnome-keyring started without a password and so without a 'login'.
probe_in with_keyring sh -c 'gdbus call --session --dest org.freedesktop.secrets \
	--object-path /org/freedesktop/secrets/collection/login \
	--method org.freedesktop.Secret.Collection.Delete >/dev/null && exec "$1"' sh "$probe"
check "no default collection: the probe fails" failed_with no_collection
check "... and says there is no default collection" has "$err" "no default collection"
check "... and how to create one" has "$err" "--unlock"
check "... within seconds" quick

# A Secret Service that has its name on the bus but never answers.
cat >"$TEST_TMP/stuck.sh" <<'EOF'
"$1" --silent-service >/dev/null &
silent=$!
gdbus wait --session --timeout 5 org.freedesktop.secrets || { kill $silent; exit 99; }
"$1" 300
status=$?
kill $silent
wait $silent
exit $status
EOF
probe_in with_keyring --no-service sh "$TEST_TMP/stuck.sh" "$probe"
check "a stuck keyring: the probe times out" failed_with timeout
check "... and says how long it waited" has "$err" "did not answer within 300 ms"
check "... and what to raise" has "$err" "timeout_ms"
check "... within seconds" quick

# ---- the wrapper itself ------------------------------------------------

probe_in with_keyring sh -c 'echo "CMD says this" >&2; exit 3'
check "with-keyring: CMD's exit status comes back" [ "$status" -eq 3 ]
check "with-keyring: CMD's standard error comes through, and nothing else" [ "$err" = "CMD says this" ]

probe_in with_keyring --no-service gdbus call --session --dest org.freedesktop.DBus \
	--object-path /org/freedesktop/DBus --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets
check "with-keyring --no-service: nobody has the Secret Service's name" [ "$out" = "(false,)" ]
probe_in with_keyring --no-service gdbus call --session --dest org.freedesktop.DBus \
	--object-path /org/freedesktop/DBus --method org.freedesktop.DBus.ListActivatableNames
check "with-keyring --no-service: and nothing can be started to take it" hasnt "$out" "org.freedesktop.secrets"

probe_in with_keyring gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
	--method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets
pid=$(printf '%s' "$out" | sed -n 's/^(uint32 \([0-9]*\),)$/\1/p')
check "with-keyring: a keyring daemon answers" [ -n "$pid" ]
probe_in with_keyring sh -c '"$1" >/dev/null && ls "$TMPDIR"/pwkr.*/home/data/keyrings' sh "$probe"
check "with-keyring: it is ours, keeping its files in the wrapper's folder" has "$out" "login.keyring"
check "with-keyring: and not in the caller's XDG_DATA_HOME" [ ! -e "$XDG_DATA_HOME/keyrings" ]
check "with-keyring: the keyring daemon is gone afterwards" gone "$pid"
check "with-keyring: its temporary folder is gone afterwards" [ -z "$(ls -A "$TMPDIR")" ]

done_testing
