#!/bin/sh
# Offboarding a client from the console: what will happen is shown first
# (accounts, waiting jobs), waiting jobs are cancelled only when the
# operator says so, the export path is checked as typed, the client's name
# must be typed to confirm, and the result lists every step and ends with
# whether any job is still queued. Esc at any step changes nothing.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

export HOME="$TEST_TMP" COLUMNS=120 LINES=36 LC_ALL=C.UTF-8

shop_account
"$PINWARDEN" publish --client Shop --account shop_pins --board Spring --image https://shop.example/a.jpg \
	--title "New season" --at 2031-01-02T09:00:00Z >/dev/null
check "the setup has one queued job" [ "$(db "SELECT state FROM jobs")" = queued ]

wsid=$(db "SELECT value FROM meta WHERE key = 'workspace_id'")
acct=$(db "SELECT id FROM accounts WHERE expected_username = 'shop_pins'")
tokens() { printf '%s%s' "$(secret-tool lookup workspace "$wsid" account "$acct" kind access)" \
	"$(secret-tool lookup workspace "$wsid" account "$acct" kind refresh)"; }
check "the account's tokens are in the keyring" [ -n "$(tokens)" ]
events() { db "SELECT count(*) FROM events"; }
# Nothing changed: every job still waiting, the client active, the account
# verified, its tokens in the keyring, no event written.
unchanged() { # WHAT EVENTS-BEFORE
	if [ "$(db "SELECT count(*) FROM jobs WHERE state <> 'queued'")" -eq 0 ] &&
		[ "$(db "SELECT archived FROM clients WHERE name = 'Shop'")" -eq 0 ] &&
		[ "$(db "SELECT state FROM accounts WHERE id = $acct")" = verified ] &&
		[ -n "$(tokens)" ] && [ "$(events)" -eq "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "jobs: $(db "SELECT group_concat(state) FROM jobs")" \
			"archived: $(db "SELECT archived FROM clients")" "events: $(events), were $2"
	fi
}
before=$(events)

# ---- only on the clients pane ----------------------------------------------------
console "2O
:save-display $TEST_TMP/on-accounts"
check "O on the accounts pane is refused" grep -q "Offboarding works on the clients pane (1)" "$TEST_TMP/on-accounts"
check "... without opening the wizard" sh -c "! grep -q 'Offboard Shop' '$TEST_TMP/on-accounts'"
unchanged "... and nothing changed" "$before"

# ---- what will happen, and no -------------------------------------------------------
console "O
:save-display $TEST_TMP/plan
z
:save-display $TEST_TMP/other-key
n
:save-display $TEST_TMP/no"
check "O opens the wizard at what will happen" grep -q "Offboard Shop · 1 what will happen" "$TEST_TMP/plan"
check "... listing the client's account and its state" grep -Eq "shop_pins +verified" "$TEST_TMP/plan"
check "... and the waiting job: id, time, account → board, title" \
	grep -Eq "job 1  2031-01-02 09:00(:00)?  queued +shop_pins → Spring  New season" "$TEST_TMP/plan"
check "... and asks whether to cancel it" grep -q "Cancel this 1 job? (y/n)" "$TEST_TMP/plan"
check "another key asks for y or n" grep -q "Answer y to cancel the 1 waiting job and go on, or n to stop here" "$TEST_TMP/other-key"
check "n ends it, saying why nothing was done" \
	grep -q "Not offboarded: 1 job is still queued for Shop; cancel it or wait until it is published" "$TEST_TMP/no"
check "... back on the panes" grep -q "1 Clients (1)" "$TEST_TMP/no"
unchanged "after n the job is still queued, the client active, the tokens in the keyring, no event" "$before"

# ---- Esc at each step ------------------------------------------------------------------
for at in plan export typed-path confirm; do
	case $at in
	plan) keys="O" ;;
	export) keys="Oy" ;;
	typed-path) keys="Oy$TEST_TMP/esc.jsonl" ;;
	confirm) keys="Oy$TEST_TMP/esc.jsonl<Enter>Sho" ;;
	esac
	console "$keys
:save-display $TEST_TMP/esc-before-$at
<Esc>
:save-display $TEST_TMP/esc-$at"
	check "Esc at the $at step closes the wizard" grep -q "Offboarding cancelled: nothing was changed." "$TEST_TMP/esc-$at"
	unchanged "... and changes nothing" "$before"
done
check "the Esc runs were at the steps they name" grep -q "2 log export" "$TEST_TMP/esc-before-export" &&
	grep -q "3 confirm" "$TEST_TMP/esc-before-confirm"
check "no export was written by them" [ ! -e "$TEST_TMP/esc.jsonl" ]

# ---- the export path, as typed ---------------------------------------------------------
console "Oy
:save-display $TEST_TMP/export
/nonexistent-folder/shop.jsonl
:save-display $TEST_TMP/no-folder
<Enter>
:save-display $TEST_TMP/no-folder-enter
<C-u>$TEST_TMP
:save-display $TEST_TMP/a-folder
<Esc>"
check "the export step shows the default in the hint" \
	grep -q "empty: a new file in $PINWARDEN_WORKSPACE/exports" "$TEST_TMP/export"
check "a path whose folder does not exist is refused as typed" \
	grep -q "there is no folder /nonexistent-folder: create it first" "$TEST_TMP/no-folder"
check "... and Enter does not go on" grep -q "Offboard Shop · 2 log export" "$TEST_TMP/no-folder-enter"
check "a folder is refused as a file" grep -q "$TEST_TMP is a folder: add a file name to it" "$TEST_TMP/a-folder"
unchanged "... nothing changed" "$before"

# ---- the jobs change behind the wizard -----------------------------------------------
console "Oy<Enter>
:exec \"\$PINWARDEN\" publish --client Shop --account shop_pins --board Spring --image https://shop.example/b.jpg --title 'Late one' --at 2031-01-03T09:00:00Z >/dev/null
Shop<Enter>
:save-display $TEST_TMP/changed
<Esc>"
check "a job queued after step 1 sends the operator back to look" \
	grep -q "The waiting jobs changed since step 1: look at them again. Nothing was changed." "$TEST_TMP/changed"
check "... to step 1, which lists it" grep -q "1 what will happen" "$TEST_TMP/changed" &&
	grep -q "Late one" "$TEST_TMP/changed" && grep -q "Cancel these 2 jobs? (y/n)" "$TEST_TMP/changed"
before=$(events)
unchanged "... and nothing was changed" "$before"

# ---- the whole way -------------------------------------------------------------------
console "O
y
$TEST_TMP/shop.jsonl<Enter>
:save-display $TEST_TMP/confirm
shop<Enter>
:save-display $TEST_TMP/wrong-name
Shop<Enter>
:save-display $TEST_TMP/result
<Enter>
:save-display $TEST_TMP/closed"
check "the console exits 0" status_is 0
check "the confirmation shows the client" grep -Eq "CLIENT +Shop" "$TEST_TMP/confirm"
check "... that the tokens leave the keyring" grep -Eq "TOKENS +removed from the keyring, accounts disconnected: shop_pins" "$TEST_TMP/confirm"
check "... that the jobs are cancelled" grep -Eq "JOBS +2 waiting jobs cancelled" "$TEST_TMP/confirm"
check "... where the log goes" grep -Eq "LOG +activity log exported to $TEST_TMP/shop.jsonl" "$TEST_TMP/confirm"
check "... and that the client is archived" grep -Eq "ARCHIVE +client archived" "$TEST_TMP/confirm"
check "... and asks for the client's name" grep -q "Type the client's name (Shop) and Enter to offboard it" "$TEST_TMP/confirm"
check "a wrong name is refused" grep -q "That is not the client's name: type Shop exactly" "$TEST_TMP/wrong-name"
check "the result lists each step" grep -Eq "ok +queued jobs cancelled: 2 jobs cancelled" "$TEST_TMP/result" &&
	grep -Eq "ok +tokens removed from the keyring: account 'shop_pins'" "$TEST_TMP/result" &&
	grep -Eq "ok +account disconnected: 'shop_pins'" "$TEST_TMP/result" &&
	grep -Eq "ok +activity log exported: [0-9]+ events to $TEST_TMP/shop.jsonl" "$TEST_TMP/result" &&
	grep -Eq "ok +client archived: 'Shop'" "$TEST_TMP/result"
check "... the export path" grep -q "Export: $TEST_TMP/shop.jsonl" "$TEST_TMP/result"
check "... the client's own steps" grep -q "removes the agency's app there" "$TEST_TMP/result"
check "... and ends with: No queued jobs remain." grep -q "^ *No queued jobs remain\.$" "$TEST_TMP/result"
check "any key closes it" grep -q "Client Shop offboarded: no queued jobs remain" "$TEST_TMP/closed"
check "the jobs are cancelled" [ "$(db "SELECT group_concat(state) FROM jobs")" = "cancelled,cancelled" ]
check "the account is disconnected" [ "$(db "SELECT state FROM accounts WHERE id = $acct")" = disconnected ]
check "its tokens left the keyring" [ -z "$(tokens)" ]
check "the export exists" [ -s "$TEST_TMP/shop.jsonl" ]
python3 "$TESTS_SRCDIR/../doc/verify-export.py" --filtered "$TEST_TMP/shop.jsonl" >"$TEST_TMP/v.out" 2>&1
check "verify-export.py accepts it (a client's export: --filtered)" [ $? -eq 0 ]
check "the client is archived" [ "$(db "SELECT archived FROM clients WHERE name = 'Shop'")" -eq 1 ]
for kind in client.offboard_start job.cancel account.tokens_deleted account.disconnected log.export client.archive \
	client.offboarded; do
	check "event $kind, by the operator" \
		[ "$(db "SELECT count(*) FROM events WHERE kind = '$kind' AND operator = 'tester' AND id > $before")" -ge 1 ]
done
check "client.offboard_start comes first and client.offboarded last" \
	[ "$(db "SELECT group_concat(kind) FROM (SELECT kind FROM events WHERE id > $before AND kind LIKE 'client.offboard%' ORDER BY id)")" = "client.offboard_start,client.offboarded" ] &&
	[ "$(db "SELECT kind FROM events ORDER BY id DESC LIMIT 1")" = client.offboarded ]

# ---- an archived client can be offboarded again ---------------------------------------
console "O
:save-display $TEST_TMP/again-plan
<Enter>
<Enter>
Shop<Enter>
:save-display $TEST_TMP/again-result"
check "the first screen says the client is archived already" grep -q "Shop is archived already" "$TEST_TMP/again-plan"
check "... with no job waiting, Enter goes on" grep -q "No job is waiting to be published." "$TEST_TMP/again-plan"
check "running it again completes" grep -q "Client Shop offboarded." "$TEST_TMP/again-result" &&
	grep -q "No queued jobs remain." "$TEST_TMP/again-result"
check "an empty path exports to the workspace's exports folder" \
	sh -c "ls '$PINWARDEN_WORKSPACE'/exports/Shop-activity-*.jsonl >/dev/null"
check "... as the result says" grep -q "Export: $PINWARDEN_WORKSPACE/exports/Shop-activity-" "$TEST_TMP/again-result"
check "two client.offboarded events now" [ "$(db "SELECT count(*) FROM events WHERE kind = 'client.offboarded'")" -eq 2 ]

# ---- when the service fails: its message and the steps done so far -------------------
# Atelier sorts before Shop, so it is the clients pane's selection. Without
# a Secret Service the tokens cannot be removed, and the offboarding stops.
"$PINWARDEN" client add Atelier --contact a --domain atelier.example --expect-account atelier_pins >/dev/null
atelier=$(db "SELECT id FROM clients WHERE name = 'Atelier'")
printf '%s\n' "O
<Enter>
<Enter>
Atelier<Enter>
:save-display $TEST_TMP/failed
<Enter>
:save-display $TEST_TMP/failed-closed" >"$TEST_TMP/failed.script"
PINWARDEN_SCRIPT="$TEST_TMP/failed.script" "$TESTS_SRCDIR/with-keyring" --no-service "$PINWARDEN" >/dev/null 2>&1
check "without a keyring the result says the offboarding stopped, and why" \
	grep -q "Offboarding of Atelier stopped: cannot delete the access token" "$TEST_TMP/failed"
check "... the steps done so far, the failed one marked FAIL" grep -q "Done so far" "$TEST_TMP/failed" &&
	grep -Eq "FAIL +tokens removed from the keyring" "$TEST_TMP/failed"
check "... that no export was written" grep -q "Export: not written" "$TEST_TMP/failed"
check "... and still ends with whether jobs are queued" grep -q "^ *No queued jobs remain\.$" "$TEST_TMP/failed"
check "closing it says how to finish" grep -q "O on it again finishes it" "$TEST_TMP/failed-closed"
check "the client is not archived" [ "$(db "SELECT archived FROM clients WHERE id = $atelier")" -eq 0 ]
check "its offboarding started but did not end" \
	[ "$(db "SELECT group_concat(kind) FROM events WHERE client_id = $atelier AND kind LIKE 'client.offboard%'")" = client.offboard_start ]
console "O
<Enter>
<Enter>
Atelier<Enter>
:save-display $TEST_TMP/finished"
check "with the keyring back, O again finishes it" grep -q "Client Atelier offboarded." "$TEST_TMP/finished"
check "... and it is archived" [ "$(db "SELECT archived FROM clients WHERE id = $atelier")" -eq 1 ]

done_testing
