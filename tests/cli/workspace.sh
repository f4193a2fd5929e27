#!/bin/sh
# Where the workspace is, who may use it, and what happens when it is
# locked, read-only or misconfigured.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

# ---- where ----
run init
check "init creates the workspace named by PINWARDEN_WORKSPACE" has "$out" "created workspace $PINWARDEN_WORKSPACE"
run init
check "init again says it exists" has "$out" "already a workspace"

unset PINWARDEN_WORKSPACE
run init
check "the default workspace is under XDG_DATA_HOME" has "$out" "$XDG_DATA_HOME/pinwarden"

mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[workspace]\npath = %s\n' "$TEST_TMP/from-config" > "$XDG_CONFIG_HOME/pinwarden/config"
run init
check "the config file's [workspace] path comes next" has "$out" "$TEST_TMP/from-config"
PINWARDEN_WORKSPACE="$TEST_TMP/from-env"; export PINWARDEN_WORKSPACE
run init
check "PINWARDEN_WORKSPACE beats the config file" has "$out" "$TEST_TMP/from-env"
run --workspace "$TEST_TMP/from-arg" init
check "--workspace beats both" has "$out" "$TEST_TMP/from-arg"
run client list --workspace "$TEST_TMP/nowhere"
check "a reader does not create a missing workspace" status_is 1
check "and says where the path came from" has "$err" "comes from --workspace"
check "and how to create one" has "$err" "pinwarden init"
[ ! -e "$TEST_TMP/nowhere" ]
check "nothing was created" [ ! -e "$TEST_TMP/nowhere" ]

printf '[store]\nbusy_timeout_ms = soon\n' > "$XDG_CONFIG_HOME/pinwarden/config"
run client list
check "a bad config value is an error" status_is 2
check "that names the file, group and key" has "$err" "config: [store] busy_timeout_ms"
printf 'this is not a key file\n' > "$XDG_CONFIG_HOME/pinwarden/config"
run client list
check "a malformed config file is an error" status_is 2
check "that says how to fix it" has "$err" "fix or remove it"
rm "$XDG_CONFIG_HOME/pinwarden/config"

# ---- who ----
PINWARDEN_WORKSPACE="$TEST_TMP/ws"; export PINWARDEN_WORKSPACE
run client add "Acme" --contact c
chmod 770 "$PINWARDEN_WORKSPACE"
run client list
check "a group-writable workspace is refused" status_is 1
check "with the command that fixes it" has "$err" "chmod 700 $PINWARDEN_WORKSPACE"
chmod 700 "$PINWARDEN_WORKSPACE"
chmod 666 "$PINWARDEN_WORKSPACE/pinwarden.db"
run client list
check "a world-writable database is refused" has "$err" "chmod 600"
chmod 600 "$PINWARDEN_WORKSPACE/pinwarden.db"

SSH_CONNECTION="203.0.113.9 52100 192.0.2.1 22" PINWARDEN_OPERATOR="ana" "$PINWARDEN" client add "Over SSH" --contact c >/dev/null
run log tail -n 1 --json
check "the operator comes from PINWARDEN_OPERATOR" has "$out" '"operator":"ana"'
check "the SSH client address is in the details" has "$out" 'ssh_client'
check "with the address itself" has "$out" '203.0.113.9'
PINWARDEN_OPERATOR="$(printf 'bad\tname')" run client add "Tabbed" --contact c
check "a control character in PINWARDEN_OPERATOR is refused" has "$err" "PINWARDEN_OPERATOR"

# ---- locked ----
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[store]\nbusy_timeout_ms = 200\n' > "$XDG_CONFIG_HOME/pinwarden/config"
python3 - "$PINWARDEN_WORKSPACE/pinwarden.db" "$TEST_TMP/locked" "$TEST_TMP/release" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
for _ in range(200):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.05)
db.execute("ROLLBACK")
PY
holder=$!
for _ in $(seq 100); do [ -e "$TEST_TMP/locked" ] && break; sleep 0.05; done
before=$(db "SELECT count(*) FROM clients")
run client add "While Locked" --contact c
check "a write to a locked workspace fails" status_is 1
check "saying another process holds it" has "$err" "locked by another process (waited 200 ms)"
check "and that nothing was changed" has "$err" "nothing was changed"
run client list
check "reading a locked workspace still works" status_is 0
touch "$TEST_TMP/release"
wait "$holder"
check "the locked write left nothing behind" [ "$(db "SELECT count(*) FROM clients")" = "$before" ]
run client add "While Locked" --contact c
check "the same write succeeds once the lock is gone" status_is 0
rm "$XDG_CONFIG_HOME/pinwarden/config"

# ---- read-only ----
# As root every folder is writable, so the read-only case runs as the
# unprivileged user 'nobody' with a copy of the workspace it owns.
ro="$TEST_TMP/ro"
cp -a "$PINWARDEN_WORKSPACE" "$ro"
cp "$PINWARDEN" "$TEST_TMP/pinwarden-copy"
as_owner=""
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
		chmod 711 "$TEST_TMP"
		chown -R nobody "$ro"
		chmod 755 "$TEST_TMP/pinwarden-copy"
		as_owner="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups --"
	else
		as_owner=skip
	fi
fi
chmod 500 "$ro"
chmod 400 "$ro/pinwarden.db"
if [ "$as_owner" = skip ]; then
	ok "read-only workspace # SKIP setpriv or user nobody missing"
else
	sum=$(digest "$ro/pinwarden.db")
	$as_owner env HOME=/ "$TEST_TMP/pinwarden-copy" --workspace "$ro" client list >"$TEST_TMP/ro.out" 2>"$TEST_TMP/ro.err"
	status=$?; out=$(cat "$TEST_TMP/ro.out"); err=$(cat "$TEST_TMP/ro.err")
	check "a read-only workspace can be read" has "$out" "Acme"
	$as_owner env HOME=/ "$TEST_TMP/pinwarden-copy" --workspace "$ro" log verify >"$TEST_TMP/ro.out" 2>"$TEST_TMP/ro.err"
	status=$?; out=$(cat "$TEST_TMP/ro.out"); err=$(cat "$TEST_TMP/ro.err")
	check "and verified" has "$out" "intact"
	$as_owner env HOME=/ "$TEST_TMP/pinwarden-copy" --workspace "$ro" client add "New" --contact c >"$TEST_TMP/ro.out" 2>"$TEST_TMP/ro.err"
	status=$?; out=$(cat "$TEST_TMP/ro.out"); err=$(cat "$TEST_TMP/ro.err")
	check "writing to it fails" status_is 1
	check "saying it is read-only and what to do" has "$err" "is read-only; pinwarden must write there"
	check "the read-only database was not touched" [ "$(digest "$ro/pinwarden.db")" = "$sum" ]
fi

done_testing
