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

# A client's colour, for the console's confirmation screens.
run client add Couleur --contact c --domain couleur.example --colour Bright-Blue
check "a client can be given a colour" status_is 0
check "... stored as its name in lower case" [ "$(db "SELECT colour FROM clients WHERE name = 'Couleur'")" = bright-blue ]
check "... and recorded in its event" has "$(db "SELECT details FROM events WHERE kind = 'client.add' AND message LIKE '%Couleur%'")" '"colour":"bright-blue"'
run client add Couleur2 --contact c --domain couleur.example --colour purple
check "an unknown colour is refused" status_is 2
check "... naming the colours there are" has "$err" "bright-white"
run client add Couleur3 --contact c --domain couleur.example --colour default
check "'default' is not a client's colour" status_is 2
run client show Couleur --json
check "client show --json has the colour" has "$out" '"colour":	"bright-blue"'
run client edit Couleur --colour color208
check "client edit changes the colour" [ "$(db "SELECT colour FROM clients WHERE name = 'Couleur'")" = color208 ]
run client edit Couleur --colour none
check "none takes it away" [ -z "$(db "SELECT colour FROM clients WHERE name = 'Couleur'")" ]
check "... and the edit says from what" has "$(db "SELECT details FROM events WHERE kind = 'client.edit' ORDER BY id DESC LIMIT 1")" "color208"

run log tail -n 50
check "onboarding is in the log" has "$out" "client.add"
check "the expected account is in the log" has "$out" "account.expect"
check "the edit is in the log" has "$out" "client.edit"
check "the archive is in the log" has "$out" "client.archive"
check "events name the operator" has "$out" "tester"

run log verify
check "the chain is intact" status_is 0

done_testing
