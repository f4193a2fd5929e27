#!/bin/sh
# Publishing from the console: nothing chosen at the start, only verified
# accounts and boards in scope, content checked as it is typed, and a
# confirmation that asks for the account's username; Esc at any step
# queues nothing, and nothing carries over to the next publish.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

export HOME="$TEST_TMP" COLUMNS=120 LINES=36 LC_ALL=C.UTF-8

shop_account
# A second client whose account is expected but not connected, and a board
# the shop's account has on Pinterest that the client did not name.
"$PINWARDEN" client add Atelier --contact a --domain atelier.example --expect-account atelier_pins >/dev/null
fake POST users '{"username": "shop_pins", "boards": [{"name": "Private stash"}]}' >/dev/null
"$PINWARDEN" account verify shop_pins >/dev/null 2>&1
jobs() { db "SELECT count(*) FROM jobs"; }
check "the setup has no jobs" [ "$(jobs)" -eq 0 ]

# ---- the whole way, step by step -------------------------------------------
console "
p
:save-display $TEST_TMP/clients
<Enter>
:save-display $TEST_TMP/none-chosen
<Down>
:save-display $TEST_TMP/first-moved
<Enter>
:save-display $TEST_TMP/atelier-refused
<Down>
<Enter>
:save-display $TEST_TMP/accounts
<Down><Enter>
:save-display $TEST_TMP/boards
<Down><Enter>
:save-display $TEST_TMP/out-of-scope
<Down><Enter>
:save-display $TEST_TMP/content
https://elsewhere.example/a.jpg
:save-display $TEST_TMP/bad-image
<C-u>https://shop.example/spring.jpg<Tab>
Spring is here
:save-display $TEST_TMP/title
<Tab><Tab>
https://shop.example/p/1<Tab><Tab>
2031-01-02 09:00
<Enter>
:save-display $TEST_TMP/confirm
shop_pinz<Enter>
:save-display $TEST_TMP/wrong-name
shop_pins<Enter>
:save-display $TEST_TMP/queued"
check "the console exits 0" status_is 0
check "p opens the wizard at the client step" grep -q "Publish a Pin · 1 client" "$TEST_TMP/clients"
check "... with nothing chosen" grep -q "client: -   account: -   board: -" "$TEST_TMP/clients"
check "... and no row marked" sh -c "! grep -q '^  > ' '$TEST_TMP/clients'"
check "Enter with nothing chosen says to choose" grep -q "No client is chosen yet" "$TEST_TMP/none-chosen"
check "a client without a verified account is shown as refused" grep -q "Atelier .*no verified account" "$TEST_TMP/clients"
check "... and cannot be chosen" grep -q "Atelier cannot be chosen: no verified account" "$TEST_TMP/atelier-refused"
check "the account step lists the client's accounts" grep -q "Publish a Pin · 2 account" "$TEST_TMP/accounts"
check "... under the chosen client" grep -q "client: Shop   account: -" "$TEST_TMP/accounts"
check "the board step shows the boards in and out of scope" grep -q "Private stash .*not in Shop's scope" "$TEST_TMP/boards"
check "an out-of-scope board cannot be chosen" grep -q "Private stash cannot be chosen: not in Shop's scope" "$TEST_TMP/out-of-scope"
check "the content step holds the whole target" grep -q "client: Shop   account: shop_pins   board: Spring" "$TEST_TMP/content"
check "an image on an unapproved domain is refused as it is typed" grep -q "not among client 'Shop''s approved image domains" "$TEST_TMP/bad-image"
check "the title's characters are counted against Pinterest's limit" grep -Eq "Title +Spring is here +14/100" "$TEST_TMP/title"
check "the confirmation shows the client" grep -Eq "CLIENT +Shop" "$TEST_TMP/confirm"
check "... the account" grep -Eq "ACCOUNT +shop_pins" "$TEST_TMP/confirm"
check "... the board" grep -Eq "BOARD +Spring" "$TEST_TMP/confirm"
check "... the image" grep -Eq "IMAGE +https://shop.example/spring.jpg" "$TEST_TMP/confirm"
check "... the link's domain" grep -Eq "LINK DOMAIN +shop.example" "$TEST_TMP/confirm"
check "... the title" grep -Eq "TITLE +Spring is here" "$TEST_TMP/confirm"
check "... and the time" grep -Eq "WHEN +2031-01-02 09:00" "$TEST_TMP/confirm"
check "a wrong username is refused" grep -q "That is not the account's username: type shop_pins exactly" "$TEST_TMP/wrong-name"
check "the right one queues the job" grep -q "Job 1 queued: Shop → shop_pins → Spring" "$TEST_TMP/queued"
check "exactly one job is queued" [ "$(jobs)" -eq 1 ]
check "for the chosen target, by the operator" \
	[ "$(db "SELECT c.name || '/' || a.username || '/' || b.name || '/' || j.requested_by || '/' || j.title FROM jobs j JOIN clients c ON c.id = j.client_id JOIN accounts a ON a.id = j.account_id JOIN boards b ON b.id = j.board_id")" = "Shop/shop_pins/Spring/tester/Spring is here" ]
check "with its event" [ "$(db "SELECT count(*) FROM events WHERE kind = 'job.queued'")" -eq 1 ]

# ---- Esc at every step queues nothing ------------------------------------------
for at in client account board content confirm; do
	case $at in
	client) keys="p<Down>" ;;
	account) keys="p<Down><Down><Enter><Down>" ;;
	board) keys="p<Down><Down><Enter><Down><Enter><Down>" ;;
	content) keys="p<Down><Down><Enter><Down><Enter><Down><Down><Enter>https://shop.example/x.jpg" ;;
	confirm) keys="p<Down><Down><Enter><Down><Enter><Down><Down><Enter>https://shop.example/y.jpg<Tab><Tab><Tab><Tab><Tab><Enter>shop" ;;
	esac
	console "$keys
<Esc>
:save-display $TEST_TMP/esc-$at"
	check "Esc at the $at step: the wizard closes" grep -q "Publishing cancelled: nothing was queued" "$TEST_TMP/esc-$at"
	check "... and nothing was queued" [ "$(jobs)" -eq 1 ]
done

# ---- nothing carries over ---------------------------------------------------------
console "p<Down><Down><Enter><Down><Enter><Down><Down><Enter>https://shop.example/z.jpg<Tab>Second<Tab><Tab><Tab><Tab><Enter>shop_pins<Enter>
p
:save-display $TEST_TMP/again"
check "a second publish starts with nothing chosen" grep -q "client: -   account: -   board: -" "$TEST_TMP/again"
check "... no row marked" sh -c "! grep -q '^  > ' '$TEST_TMP/again'"
check "the first was queued" [ "$(jobs)" -eq 2 ]

# ---- the panes cannot change the target ------------------------------------------
# The clients pane has Atelier selected behind the wizard; the wizard's
# target is what was chosen in it, and keys that would move the panes are
# typed into the wizard instead.
console "p<Down><Down><Enter>
14jk<C-u><Down><Enter>
:save-display $TEST_TMP/held
<Esc>
:save-display $TEST_TMP/behind"
check "the wizard's target is what was chosen in it" grep -q "client: Shop   account: shop_pins   board: -" "$TEST_TMP/held"
check "the panes behind did not move" grep -q "2 Accounts (1) of Atelier" "$TEST_TMP/behind"

# ---- refusals at the end -----------------------------------------------------------
console "p<Down><Down><Enter><Down><Enter><Down><Down><Enter>https://shop.example/same.jpg<Tab>$(printf 'x%.0s' $(seq 101))<Enter><Enter><Enter><Enter><Enter>
:save-display $TEST_TMP/long-title"
check "an over-long title is refused with its count" grep -q "101/100" "$TEST_TMP/long-title"
check "... and the wizard stays on the content" grep -q "Publish a Pin · 4 content" "$TEST_TMP/long-title"
console "p<Down><Down><Enter><Down><Enter><Down><Down><Enter>https://shop.example/spring.jpg<Tab><Tab><Tab>https://shop.example/p/1<Tab><Tab><Enter>
:save-display $TEST_TMP/duplicate"
check "a likely duplicate is refused before the confirmation" grep -q "Not queued: .*duplicate\|Not queued: .*already" "$TEST_TMP/duplicate"
check "nothing more was queued" [ "$(jobs)" -eq 2 ]

done_testing
