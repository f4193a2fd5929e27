#!/bin/sh
# The docs say what the code does: every command in --help is in the man
# page and the README, and the man page renders cleanly.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

top="$TESTS_SRCDIR/.."
man="$top/doc/pinwarden.1"

run --help
check "--help succeeds" status_is 0
commands=$(printf '%s\n' "$out" | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z-]*\)\( [a-z-]*\)\{0,1\}  .*/\1\2/p' | sed 's/ *$//')
check "--help lists commands" [ -n "$commands" ]
printf '%s\n' "$commands" > "$TEST_TMP/commands"
while IFS= read -r cmd; do
	check "the man page documents 'pinwarden $cmd'" grep -q "^\.B pinwarden $cmd\$" "$man"
done < "$TEST_TMP/commands"

for env in PINWARDEN_WORKSPACE PINWARDEN_OPERATOR XDG_CONFIG_HOME XDG_DATA_HOME; do
	check "the man page documents $env" grep -q "$env" "$man"
done
check "the man page documents busy_timeout_ms" grep -q "busy_timeout_ms" "$man"

# The KEYS section is generated from the key table (`pinwarden help keys`);
# regenerating it on a copy must change nothing.
cp "$man" "$TEST_TMP/pinwarden.1"
if sh "$top/doc/update-man-keys" "$PINWARDEN" "$TEST_TMP/pinwarden.1" >"$TEST_TMP/keys.out" 2>&1 &&
	cmp -s "$man" "$TEST_TMP/pinwarden.1"; then
	ok "the man page's KEYS section is what the key table says"
else
	not_ok "the man page's KEYS section is what the key table says" \
		"the key table changed: run 'doc/update-man-keys src/pinwarden' and commit doc/pinwarden.1" \
		"$(cat "$TEST_TMP/keys.out")" "$(diff "$man" "$TEST_TMP/pinwarden.1")"
fi
run help keys
check "help keys succeeds" status_is 0
actions=$(printf '%s\n' "$out" | awk '/^  [^ ]/ { l = substr($0, 3); r = substr(l, index(l, "  ")); sub(/^ +/, "", r); sub(/ .*/, "", r); print r }')
check "help keys lists actions" [ -n "$actions" ]
for action in $actions; do
	check "the man page documents the key action $action" \
		grep -qF "(action \\fB$(printf '%s' "$action" | sed 's/-/\\-/g')\\fR)" "$man"
done

if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man --warnings -l "$man" >/dev/null 2>"$TEST_TMP/man.err"
	check "the man page renders without warnings" [ ! -s "$TEST_TMP/man.err" ]
else
	ok "the man page renders # SKIP man is not installed"
fi

check "the README gives the install command" grep -q "scripts/install-deps" "$top/README"
check "the README gives the test command" grep -q "scripts/test" "$top/README"

done_testing
