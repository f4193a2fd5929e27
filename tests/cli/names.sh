#!/bin/sh
# Names are matched exactly and round-trip unchanged, whatever they hold.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

for name in "Robert'); DROP TABLE clients;--" 'Say "cheese" & co' "東京カフェ ☕" "100% _wild_" 'back\slash $HOME'; do
	run client add "$name" --contact "c" --domain example.com
	check "add: $name" status_is 0
	run client show "$name" --json
	check "show: $name" status_is 0
	got=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"], end="")')
	check "round-trips: $name" [ "$got" = "$name" ]
done
run client list
check "the table survived the SQL in a name" status_is 0
check "the table aligns wide characters" has "$out" "東京カフェ ☕"

run client show "東京カフェ"
check "a partial name is not a match" status_is 1
check "and the close match is offered" has "$err" "did you mean '東京カフェ ☕'"

run client show "robert'); drop table clients;--"
check "names are case-sensitive when matching" status_is 1
check "but the other case is suggested" has "$err" "did you mean"

run client add "SAY \"CHEESE\" & CO" --contact c
check "a name differing only in case is refused" status_is 1
check "with the reason" has "$err" "differ only in letter case"

run client add "Second" --contact c --expect-account "@maison_elise"
run client add "Third" --contact c --expect-account "Maison_Elise"
check "one account cannot serve two clients" status_is 1
check "the refusal names the holder" has "$err" "already belongs to client 'Second'"
run client show "Third"
check "and the refused client was not half-created" status_is 1

run account show maison_elise --client "Nobody"
check "an unknown --client is an error" status_is 1

done_testing
