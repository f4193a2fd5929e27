#!/bin/sh
# Onboarding a client from the console: one form with the minimum inputs
# and no field for a credential, each field checked as it is typed with the
# service's own rules, Enter on the last field adding the client exactly as
# `pinwarden client add` does (with its events), and Esc adding nothing.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

export HOME="$TEST_TMP" COLUMNS=120 LINES=36 LC_ALL=C.UTF-8

"$PINWARDEN" client add Northwind --contact n --domain north.example --expect-account north_pins >/dev/null
clients() { db "SELECT count(*) FROM clients"; }
events() { db "SELECT count(*) FROM events"; }
check "the setup has one client" [ "$(clients)" -eq 1 ]
before=$(events)

# ---- the whole way -------------------------------------------------------------
console "a
:save-display $TEST_TMP/form
Acme Studio<Tab>
Jane Doe, jane@acme.example<Tab>
acme_pins, @acme.shop<Tab>
Spring Sale, Summer ,Autumn Looks<Tab>
acme.example<Tab>
links.example<Tab>
*.cdn.example<Tab>
First client of the year
:save-display $TEST_TMP/filled
<Enter>
:save-display $TEST_TMP/done
<Enter>
:save-display $TEST_TMP/details"
check "the console exits 0" status_is 0
check "a opens the form" grep -q "Onboard a client" "$TEST_TMP/form"
for label in "Name" "Authorized contact" "Expected accounts" "Boards in scope" "Link+image domains" \
	"Link-only domains" "Image-only domains" "Notes"; do
	check "the form asks for: $label" grep -q "^[> ] $label" "$TEST_TMP/form"
done
check "the board hint says what separates names" grep -q "board names, separated by commas (a name may contain spaces)" "$TEST_TMP/form"
check "the domain hints give both forms of a rule" grep -q "Image-only domains" "$TEST_TMP/form" &&
	grep -q "exact host, or \*.example.com for its subdomains" "$TEST_TMP/form"
check "the name's characters are counted" grep -Eq "Name +Acme Studio +11/120" "$TEST_TMP/filled"
check "the contact's too" grep -Eq "Authorized contact +Jane Doe, jane@acme.example +27/500" "$TEST_TMP/filled"
check "no field label or hint asks for a password, secret or token" \
	sh -c "! grep -qi 'password\|secret\|token' '$TEST_TMP/form' '$TEST_TMP/filled'"
check "Enter on the last field onboards the client" \
	grep -q "Client Acme Studio onboarded: 2 accounts expected, 3 boards in scope, 2 link domains and 2 image domains approved" "$TEST_TMP/done"
check "the clients pane selects the new client" grep -q "2 Accounts (2) of Acme Studio" "$TEST_TMP/done"
check "... which Enter then shows in full" grep -q "Acme Studio" "$TEST_TMP/details" &&
	grep -q "Jane Doe, jane@acme.example" "$TEST_TMP/details"
check "one client more" [ "$(clients)" -eq 2 ]

run client show "Acme Studio" --json
check "client show finds it" status_is 0
json=$out
get() { printf '%s' "$json" | python3 -c "import json, sys; v = json.load(sys.stdin)[sys.argv[1]]; print(','.join(v) if isinstance(v, list) else v)" "$1"; }
check "its contact" [ "$(get contact)" = "Jane Doe, jane@acme.example" ]
check "its notes" [ "$(get notes)" = "First client of the year" ]
check "its link domains: both and link-only" [ "$(get link_domains)" = "acme.example,links.example" ]
check "its image domains: both and image-only" [ "$(get image_domains)" = "*.cdn.example,acme.example" ]
check "its boards, names with spaces kept whole" [ "$(get boards_in_scope)" = "Autumn Looks,Spring Sale,Summer" ]
check "its expected accounts, @ dropped" [ "$(get expected_accounts)" = "acme.shop,acme_pins" ]
check "onboarded by the operator" [ "$(get created_by)" = tester ]
acme=$(db "SELECT id FROM clients WHERE name = 'Acme Studio'")
check "the client.add event, by the operator" \
	[ "$(db "SELECT count(*) FROM events WHERE kind = 'client.add' AND client_id = $acme AND operator = 'tester'")" -eq 1 ]
check "an account.expect event for each account, by the operator" \
	[ "$(db "SELECT count(*) FROM events WHERE kind = 'account.expect' AND client_id = $acme AND operator = 'tester'")" -eq 2 ]
check "and no other event" [ "$(events)" -eq $((before + 3)) ]
before=$(events)

# ---- refusals as typed ----------------------------------------------------------
# Each is typed into its field and saved before anything else is pressed.
refused() { # WHAT FIELD-KEYS TEXT
	console "a
$2
:save-display $TEST_TMP/refused
<Esc>"
	if grep -qF -- "$3" "$TEST_TMP/refused"; then
		ok "refused as typed: $1"
	else
		not_ok "refused as typed: $1" "expected: $3" "$(cat "$TEST_TMP/refused")"
	fi
}
refused "a URL for a domain" "<Tab><Tab><Tab><Tab>acme.example http://x.example" \
	"'http://x.example' is not a domain; give only the host name"
refused "a wildcard over a top-level domain" "<Tab><Tab><Tab><Tab><Tab>*.com" \
	"'*.com' would approve every host under a top-level domain"
refused "an image domain that is no host name" "<Tab><Tab><Tab><Tab><Tab><Tab>bad_host.example" \
	"'bad_host.example' is not a valid host name"
refused "a name already taken" "Northwind" "a client named 'Northwind' already exists"
refused "a name differing only by letter case" "ACME studio" \
	"a client named 'Acme Studio' already exists, and names that differ only in letter case are refused"
refused "a name with a space at its end" "Zeta " "begins or ends with a space"
refused "an empty contact" "<Tab>x<Backspace>" "required: who at the client authorizes publishing"
refused "a contact of spaces only" "<Tab>   " "required: who at the client authorizes publishing"
long=$(printf 'x%.0s' $(seq 121))
refused "an over-long name, with its count" "$long" "121 characters: at most 120"
check "... and the live count shows it" grep -q "121/120" "$TEST_TMP/refused"
refused "a username that is not one, in a list" "<Tab><Tab>good_name, not/valid" "'not/valid' is not a Pinterest username"
refused "an account that belongs to another client" "<Tab><Tab>north_pins" \
	"the Pinterest account 'north_pins' already belongs to client 'Northwind'"
longboard=$(printf 'b%.0s' $(seq 181))
refused "an over-long board name" "<Tab><Tab><Tab>Spring, $longboard" "the board name is 181 characters long; the limit is 180"
check "none of it added a client" [ "$(clients)" -eq 2 ]
check "... or wrote an event" [ "$(events)" -eq "$before" ]

# ---- Enter on the last field with a bad field ------------------------------------
console "a
Bad Co<Tab>c<Tab><Tab><Tab>*.com<Tab><Tab><Tab>
:save-display $TEST_TMP/before-enter
<Enter>
:save-display $TEST_TMP/bad-enter
<Enter>
:save-display $TEST_TMP/still-bad"
check "Enter on the last field with a bad field says which and why" \
	grep -q "Link+image domains: '\*.com' would approve every host" "$TEST_TMP/bad-enter"
check "... puts the focus on the bad field" grep -q "^> Link+image domains" "$TEST_TMP/bad-enter"
check "... which had not it before" grep -q "^> Notes" "$TEST_TMP/before-enter"
check "... and the form stays open" grep -q "Onboard a client" "$TEST_TMP/still-bad"
check "nothing was created" [ "$(db "SELECT count(*) FROM clients WHERE name = 'Bad Co'")" -eq 0 ]
console "a
<Tab>someone<Tab><Tab><Tab><Tab><Tab><Tab><Enter>
:save-display $TEST_TMP/no-name"
check "an empty name is refused at Enter" grep -q "Name: required: the client's name" "$TEST_TMP/no-name"
check "... with the focus on it" grep -q "^> Name" "$TEST_TMP/no-name"
check "still two clients" [ "$(clients)" -eq 2 ]
check "and no event" [ "$(events)" -eq "$before" ]

# ---- Esc ---------------------------------------------------------------------------
console "a
Gamma<Tab>g<Tab>gamma_pins<Tab>Main<Tab>gamma.example
<Esc>
:save-display $TEST_TMP/esc"
check "Esc closes the form" grep -q "Onboarding cancelled: no client was added." "$TEST_TMP/esc"
check "... and creates nothing" [ "$(clients)" -eq 2 ]
check "... not even the expected account" [ "$(db "SELECT count(*) FROM accounts WHERE expected_username = 'gamma_pins'")" -eq 0 ]
check "... and writes no event" [ "$(events)" -eq "$before" ]

# ---- a short screen -------------------------------------------------------------------
console ":resize 60 16
a<Tab><Tab><Tab><Tab><Tab><Tab><Tab>kept in view
:save-display $TEST_TMP/short
<Esc>"
check "on the smallest screen the focused last field stays in view" grep -q "^> Notes  *kept in view" "$TEST_TMP/short"

# ---- a minimal client: the service requires no domain -------------------------------
# Zephyr sorts after the others, so the selection has to move to it.
console "a
Zephyr<Tab>z<Tab><Tab><Tab><Tab><Tab><Tab><Enter>
:save-display $TEST_TMP/minimal"
joined() { tr '\n' ' ' <"$1" | tr -s ' '; }
check "a client without domains is onboarded, as the service allows" grep -q "Client Zephyr onboarded" "$TEST_TMP/minimal"
check "... with a note that nothing can be published for it yet" \
	has "$(joined "$TEST_TMP/minimal")" "No domain is approved yet: nothing can be published for it until one is (pinwarden client edit 'Zephyr' --domain HOST)"
check "... the clients pane selects it" grep -q "2 Accounts (0) of Zephyr" "$TEST_TMP/minimal"
check "... and it exists, with its event" [ "$(db "SELECT contact FROM clients WHERE name = 'Zephyr'")" = z ] &&
	[ "$(db "SELECT count(*) FROM events WHERE kind = 'client.add' AND operator = 'tester' AND message LIKE '%Zephyr%'")" -eq 1 ]

done_testing
