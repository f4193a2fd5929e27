#!/bin/sh
# Onboarding a client from the command line, then looking at it, editing
# it and archiving it: each step visible in the activity log.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

run client add "Maison Élise" --contact "Élise Martin <elise@maison.example>" \
	--domain maison.example --image-domain '*.cdn.maison.example' \
	--board "Printemps" --board "Été 2027" --expect-account maison_elise --notes "Prefers mornings"
check "client add succeeds" status_is 0
check "client add says what it did" has "$out" "added client 'Maison Élise' (1 account expected)"
check "the workspace was created private" [ "$(stat -c %a "$PINWARDEN_WORKSPACE")" = 700 ]
check "the database is private" [ "$(stat -c %a "$PINWARDEN_WORKSPACE/pinwarden.db")" = 600 ]

run client add "No Domains" --contact "x"
check "a client without domains is added" status_is 0
check "with a note that nothing can be published yet" has "$err" "no domain is approved yet"

run client list
check "client list shows the client" has "$out" "Maison Élise"
check "client list shows its domains" has "$out" "maison.example, *.cdn.maison.example"
check "client list has a header" has "$out" "CLIENT"

run client show "Maison Élise"
check "client show succeeds" status_is 0
check "client show: contact" has "$out" "Élise Martin <elise@maison.example>"
check "client show: image domains" has "$out" "*.cdn.maison.example, maison.example"
check "client show: boards" has "$out" "Printemps, Été 2027"
check "client show: expected account" has "$out" "maison_elise"
check "client show: who onboarded" has "$out" "by tester"

run client edit "Maison Élise" --remove-domain maison.example --domain shop.maison.example --board "Hiver"
check "client edit succeeds" status_is 0
run client show "Maison Élise" --json
check "the edit is visible" has "$out" '"shop.maison.example"'
check "the removed domain is gone" hasnt "$out" '"maison.example"'

run client edit "Maison Élise" --remove-board "Automne"
check "removing a board that is not in scope fails" status_is 1
check "and says so" has "$err" "'Automne' is not among the client's boards in scope"

run account list
check "account list shows the expected account" has "$out" "maison_elise"
check "in state expected" has "$out" "expected"
run account show maison_elise
check "account show finds it" status_is 0
check "account show names the client" has "$out" "Maison Élise"

run client archive "Maison Élise"
check "client archive succeeds with nothing queued" status_is 0
run client list
check "archived clients are hidden" hasnt "$out" "Maison Élise"
run client list --all
check "--all shows them" has "$out" "archived"
run client edit "Maison Élise" --contact "someone else"
check "an archived client cannot be edited" status_is 1

run log tail -n 50
check "onboarding is in the log" has "$out" "client.add"
check "the expected account is in the log" has "$out" "account.expect"
check "the edit is in the log" has "$out" "client.edit"
check "the archive is in the log" has "$out" "client.archive"
check "events name the operator" has "$out" "tester"

run log verify
check "the chain is intact" status_is 0

done_testing
