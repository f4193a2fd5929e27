#!/bin/sh
# Connecting an account from the console (C on the accounts pane), against
# the fake Pinterest and a real keyring: the approval through the loopback
# listener and by paste, the countdown, the checklist, every refusal, Esc
# leaving the request open for 'account complete', and no secret on any
# screen. The script mode cannot type what it only learns while running
# (a pasted address), so the paste and the clipboard are checked in a real
# terminal through tmux, when it is installed.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

export HOME="$TEST_TMP" COLUMNS=120 LINES=36 LC_ALL=C.UTF-8

start_fake
port=$(free_port)
redirect="http://localhost:$port/"
fake POST app "{\"client_id\": \"1234567\", \"client_secret\": \"fake-app-secret\", \"redirect_uris\": [\"$redirect\"]}" >/dev/null
fake POST users '{"username": "shop_pins", "boards": [{"name": "Spring"}]}' >/dev/null
fake POST users '{"username": "north_pins", "boards": [{"name": "Trail"}]}' >/dev/null
fake POST users '{"username": "impostor", "boards": [{"name": "Spring"}]}' >/dev/null
printf 'fake-app-secret\n' | "$PINWARDEN" app set --client-id 1234567 --redirect-uri "$redirect" >/dev/null
# In the clients pane's order: Impostor Test, Northwind, Shop, Zeta.
"$PINWARDEN" client add "Impostor Test" --contact i --domain imp.example --board Spring --expect-account genuine_account >/dev/null
"$PINWARDEN" client add Northwind --contact n --domain north.example --board Trail --expect-account north_pins >/dev/null
"$PINWARDEN" client add Shop --contact s --domain shop.example --board Spring --expect-account shop_pins >/dev/null
"$PINWARDEN" client add Zeta --contact z --domain zeta.example >/dev/null

state_of() { db "SELECT state FROM accounts WHERE expected_username = '$1'"; }
events() { db "SELECT count(*) FROM events WHERE kind = '$1'"; }
requests() { db "SELECT count(*) FROM connect_requests"; }
open_requests() { db "SELECT count(*) FROM connect_requests WHERE closed_at IS NULL"; }

# url-of SCREEN: the authorization URL as the console shows it, wrapped
# over the lines under its heading, joined again.
cat >"$TEST_TMP/url-of" <<'EOF'
#!/bin/sh
awk '/Authorization URL/ { f = 1; next } f && /^ *$/ { exit } f { gsub(/ /, ""); printf "%s", $0 }' "$1"
EOF
# approve SCREEN QUERY: plays the client's browser on the URL on SCREEN,
# following the redirect to the console's listener, in the background (the
# console serves it once the script waits again).
cat >"$TEST_TMP/approve" <<EOF
#!/bin/sh
url=\$(sh "$TEST_TMP/url-of" "\$1")
curl -sS -L -o "\$1.page" "\$url\$2" 2>"\$1.curl" &
EOF
chmod +x "$TEST_TMP/url-of" "$TEST_TMP/approve"

# ---- refusals before anything is opened ------------------------------------------
console "C
:save-display $TEST_TMP/on-clients"
check "C on the clients pane is refused" grep -q "Connecting works on the accounts pane (2)" "$TEST_TMP/on-clients"
check "... and the panes stay" grep -q "1 Clients (4)" "$TEST_TMP/on-clients"
console "jjj2C
:save-display $TEST_TMP/no-account"
check "C with no account selected is refused" grep -q "No account is selected" "$TEST_TMP/no-account"
check "no connection request was opened" [ "$(requests)" -eq 0 ]

"$PINWARDEN" --workspace "$TEST_TMP/bare" client add Bare --contact b --domain bare.example --expect-account bare_pins >/dev/null 2>&1
console "2C
:save-display $TEST_TMP/no-app" --workspace "$TEST_TMP/bare"
check "without an app, C says to set one up" grep -q "no Pinterest app is set up" "$TEST_TMP/no-app"
check "... with the command to run" grep -q "pinwarden app set --client-id ID --redirect-uri URI" "$TEST_TMP/no-app"
check "... and opens nothing" [ "$(sqlite3 "$TEST_TMP/bare/pinwarden.db" "SELECT count(*) FROM connect_requests")" -eq 0 ]

# ---- through the listener ----------------------------------------------------------
console "jj2C
:wait-for expires in
:save-display $TEST_TMP/waiting
:sleep 2100
:save-display $TEST_TMP/later
:resize 60 16
:save-display $TEST_TMP/small
:resize 120 36
:exec $TEST_TMP/approve $TEST_TMP/waiting '&approve_as=shop_pins'
:wait-for is now
:save-display $TEST_TMP/verified
x
:save-display $TEST_TMP/closed"
check "the console exits 0" status_is 0
check "C on the account opens the workflow for it" grep -q "Connect an account · shop_pins of Shop" "$TEST_TMP/waiting"
url=$(sh "$TEST_TMP/url-of" "$TEST_TMP/waiting")
check "the authorization URL is on screen whole, wrapped over lines" has "$url" "$FAKE_URL/oauth/?client_id=1234567"
state=$(printf '%s\n' "$url" | sed -n 's/.*state=\([0-9a-f]*\).*/\1/p')
check "... with its whole state (256 bits)" [ "${#state}" -eq 64 ]
check "... longer than a line, so it was wrapped, not cut" [ "${#url}" -gt 120 ]
check "... and not cut with an ellipsis" sh -c "! grep -q '…' '$TEST_TMP/waiting'"
check "the message for the client is shown" grep -q "nobody asks for your password" "$TEST_TMP/waiting"
check "the countdown is on screen" grep -Eq "expires in 1[45]:[0-5][0-9] \(at [0-9]{2}:[0-9]{2}\)" "$TEST_TMP/waiting"
c1=$(sed -n 's/.*expires in \([0-9]*\):\([0-9]*\).*/\1 \2/p' "$TEST_TMP/waiting" | awk '{ print $1 * 60 + $2 }')
c2=$(sed -n 's/.*expires in \([0-9]*\):\([0-9]*\).*/\1 \2/p' "$TEST_TMP/later" | awk '{ print $1 * 60 + $2 }')
check "... and it counts down by itself (2 s later: $c1 -> $c2)" [ "$((c1 - c2))" -ge 1 ] && [ "$((c1 - c2))" -le 4 ]
check "on the smallest screen the URL is still whole" [ "$(sh "$TEST_TMP/url-of" "$TEST_TMP/small")" = "$url" ]
check "... and so is the countdown" grep -q "expires in" "$TEST_TMP/small"
check "the console says where it listens" grep -q "Waiting for the approval on 127.0.0.1:$port" "$TEST_TMP/waiting"
check "the client's browser got the listener's page" grep -q "pinwarden received the approval" "$TEST_TMP/waiting.page"
check "the final screen says who approved" grep -q "connected: account 'shop_pins' of client 'Shop', approved by Pinterest user 'shop_pins'" "$TEST_TMP/verified"
check "... that it is verified" grep -q "VERIFIED: Pins can be published with shop_pins for Shop." "$TEST_TMP/verified"
check "... and the account's new state" grep -q "account 'shop_pins' of client 'Shop' is now verified" "$TEST_TMP/verified"
check "the account is verified in the workspace" [ "$(state_of shop_pins)" = verified ]
check "its boards were read" [ "$(db "SELECT group_concat(name) FROM boards b JOIN accounts a ON a.id = b.account_id WHERE a.expected_username = 'shop_pins' AND b.in_scope")" = Spring ]
for kind in account.connect_request account.connected account.verify; do
	check "the log has $kind by operator tester" \
		[ "$(db "SELECT count(*) FROM events WHERE kind = '$kind' AND operator = 'tester'")" -eq 1 ]
done
check "the request is closed as connected" [ "$(db "SELECT outcome FROM connect_requests")" = connected ]
check "any key closes the final screen" grep -q "shop_pins is connected and verified." "$TEST_TMP/closed"
check "... back on the panes, which show the account verified" grep -Eq "shop_pins +verified" "$TEST_TMP/closed"
run account verify shop_pins
names=$(printf '%s\n' "$out" | sed -n 's/^  \(ok\|FAIL\) *\([^:]*\):.*/\2/p')
check "account verify lists its checks" [ "$(printf '%s\n' "$names" | wc -l)" -ge 5 ]
missing=
while IFS= read -r name; do
	grep -Eq "^ +ok +$name: " "$TEST_TMP/verified" || missing="$missing [$name]"
done <<EOF
$names
EOF
check "the final screen lists every check account verify prints, each on its line${missing:+ (missing:$missing)}" [ -z "$missing" ]

# ---- a verified account: asked first ---------------------------------------------------
before=$(requests)
console "jj2C
:save-display $TEST_TMP/again
n
:save-display $TEST_TMP/again-no
C
<Esc>
:save-display $TEST_TMP/again-esc"
check "C on a verified account asks first" grep -q "shop_pins is verified; connect it again? (y/n)" "$TEST_TMP/again"
check "n leaves it" grep -q "Nothing changed: shop_pins stays verified." "$TEST_TMP/again-no"
check "Esc too" grep -q "Nothing changed: shop_pins stays verified." "$TEST_TMP/again-esc"
check "no request was opened" [ "$(requests)" -eq "$before" ]

# ---- a pasted address that is not one -----------------------------------------------------
console "jj2Cy
:wait-for expires in
pnot an address<Enter>
:save-display $TEST_TMP/garbage
<C-u>https://example.com/?code=1<Enter>
:save-display $TEST_TMP/no-state
<Esc>
:save-display $TEST_TMP/back
<Esc>"
check "garbage pasted is refused with the parser's message" grep -q "what was pasted is not a URL" "$TEST_TMP/garbage"
check "... the workflow stays" grep -q "Connect an account · shop_pins of Shop" "$TEST_TMP/garbage"
check "... with the field and what was typed" grep -q "^    not an address" "$TEST_TMP/garbage"
check "an address without a state is refused too" grep -q "the pasted address has no state in it" "$TEST_TMP/no-state"
check "Esc in the field goes back to waiting" grep -q "Waiting for the approval on 127.0.0.1:$port" "$TEST_TMP/back"
check "... without the field" sh -c "! grep -q 'Paste the address' '$TEST_TMP/back'"
check "the account is still verified" [ "$(state_of shop_pins)" = verified ]
check "the refused pastes changed nothing: one connection so far" [ "$(events account.connected)" -eq 1 ]

# ---- Esc while waiting: the request stays open ----------------------------------------------
console "jj2Cy
:wait-for expires in
:save-display $TEST_TMP/esc-waiting
<Esc>
:save-display $TEST_TMP/esc"
check "Esc stops waiting, saying until when the link stays valid" grep -Eq "The link for shop_pins stays valid until [0-9]{2}:[0-9]{2}" "$TEST_TMP/esc"
check "... and how to finish it from a shell" sh -c "tr '\\n' ' ' <'$TEST_TMP/esc' | grep -q 'pinwarden account complete --paste ADDRESS'"
check "the request is still open" [ "$(open_requests)" -eq 1 ]
location=$(curl -sS -o /dev/null -w '%{redirect_url}' "$(sh "$TEST_TMP/url-of" "$TEST_TMP/esc-waiting")&approve_as=shop_pins")
run account complete --paste "$location"
check "account complete --paste finishes it" status_is 0
check "... and verifies" has "$out" "is now verified"
check "that is a second connection" [ "$(events account.connected)" -eq 2 ]
check "no request is left open" [ "$(open_requests)" -eq 0 ]

# ---- the client declines --------------------------------------------------------------------
fake POST approver '{"deny": true}' >/dev/null
console "j2C
:wait-for expires in
:save-display $TEST_TMP/deny-waiting
:exec $TEST_TMP/approve $TEST_TMP/deny-waiting
:wait-for NOT CONNECTED
:save-display $TEST_TMP/denied
x
:save-display $TEST_TMP/denied-closed"
fake POST approver '{"username": null}' >/dev/null
check "a declined approval is shown with the service's message" grep -q "the client declined on Pinterest (access_denied" "$TEST_TMP/denied"
check "... and the account's state" grep -q "account 'north_pins' of client 'Northwind' is now expected" "$TEST_TMP/denied"
check "closing it leaves the outcome on the panes" grep -q "north_pins was not connected: the client declined" "$TEST_TMP/denied-closed"
check "the browser was told it was declined" grep -q "declined" "$TEST_TMP/deny-waiting.page"
check "the account stays unconnected" [ "$(state_of north_pins)" = expected ]
check "the refusal is logged" [ "$(events account.connect_denied)" -eq 1 ]
check "the request is closed as denied" [ "$(db "SELECT outcome FROM connect_requests r JOIN accounts a ON a.id = r.account_id WHERE a.expected_username = 'north_pins'")" = denied ]

# ---- another Pinterest user approves -------------------------------------------------------------
verifies=$(events account.verify)
console "2C
:wait-for expires in
:save-display $TEST_TMP/mm-waiting
:exec $TEST_TMP/approve $TEST_TMP/mm-waiting '&approve_as=impostor'
:wait-for is now
:save-display $TEST_TMP/mismatch"
check "approval by another user is a mismatch" grep -q "MISMATCH: Pinterest user 'impostor' approved, but the client named 'genuine_account'." "$TEST_TMP/mismatch"
check "... with what to do" grep -q "Check with the client, then connect again" "$TEST_TMP/mismatch"
check "... and the state" grep -q "is now mismatch" "$TEST_TMP/mismatch"
check "the account is marked mismatch" [ "$(state_of genuine_account)" = mismatch ]
check "the mismatch is logged" [ "$(events account.mismatch)" -eq 1 ]
check "and, as account complete, no verification runs after it" [ "$(events account.verify)" -eq "$verifies" ]

# ---- the port is taken: paste instead ----------------------------------------------------------
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
print("ready", flush=True); time.sleep(30)' "$port" >"$TEST_TMP/blocker.out" &
blocker=$!
for _ in $(seq 100); do [ -s "$TEST_TMP/blocker.out" ] && break; sleep 0.05; done
check "(another program holds port $port)" [ -s "$TEST_TMP/blocker.out" ]
console "j2C
:wait-for expires in
:save-display $TEST_TMP/busy
<Esc>"
kill "$blocker" 2>/dev/null
wait "$blocker" 2>/dev/null
check "a busy port: the console says it cannot listen, and why" grep -q "pinwarden is not listening for the approval: cannot listen on 127.0.0.1:$port" "$TEST_TMP/busy"
check "... and to paste instead" sh -c "tr '\\n' ' ' <'$TEST_TMP/busy' | grep -q 'press p and *paste the address'"
check "... without the command line's advice" sh -c "! grep -q -- '--no-wait' '$TEST_TMP/busy'"

# ---- in a real terminal: the paste, the clipboard, the checks one by one -------------------------------
if ! command -v tmux >/dev/null 2>&1; then
	ok "# SKIP tmux is not installed: the paste flow in a terminal"
else
	unset TMUX TMUX_PANE
	TMUX_SOCKET="$TEST_TMP/tmux.sock"
	tmx() { tmux -u -f /dev/null -S "$TMUX_SOCKET" "$@"; }
	trap 'tmx kill-server >/dev/null 2>&1; cleanup' EXIT
	console_wrapper "$TEST_TMP/console.sh"
	SHELL=/bin/sh tmx new-session -d -s c -x 120 -y 36 "sh $(sq "$TEST_TMP/console.sh"); echo EXIT=\$?; sleep 600"
	# tmux keeps what an OSC 52 sequence puts on the clipboard as a buffer.
	tmx set-option -s set-clipboard on
	tmx set-option -w -t c window-size manual
	n_screen=0
	capture() {
		n_screen=$((n_screen + 1))
		tmx capture-pane -p -t c >"$TEST_TMP/tmux-$n_screen.screen" 2>&1
		screen_file="$TEST_TMP/tmux-$n_screen.screen"
	}
	# wait_for TEXT [NOT-TEXT]: the screen shows TEXT (and not NOT-TEXT), within 10 s.
	wait_for() {
		for _ in $(seq 100); do
			capture
			if grep -qF -- "$1" "$screen_file" && { [ -z "${2:-}" ] || ! grep -qF -- "$2" "$screen_file"; }; then
				return 0
			fi
			sleep 0.1
		done
		return 1
	}
	wait_for "1 Clients"
	tmx send-keys -t c j j 2 C
	wait_for "connect it again? (y/n)"
	tmx send-keys -t c y
	check "in a terminal, y opens the request" wait_for "expires in"
	turl=$(sh "$TEST_TMP/url-of" "$screen_file")
	check "... with the URL on screen" has "$turl" "$FAKE_URL/oauth/?client_id=1234567"
	check "the URL went to the clipboard (OSC 52, kept by tmux)" [ "$(tmx show-buffer 2>/dev/null)" = "$turl" ]
	check "... and the screen says so" grep -q "Authorization URL (copied to the clipboard)" "$screen_file"
	location=$(curl -sS -o /dev/null -w '%{redirect_url}' "$turl&approve_as=shop_pins")
	check "the fake's page redirects with a code (not followed)" has "$location" "$redirect?code="
	# The boards answer slowly, so the checks before them are seen first.
	fake POST faults '{"path": "/v5/boards", "method": "GET", "delay_ms": 2500}' >/dev/null
	tmx send-keys -t c p
	wait_for "Paste the address"
	tmx send-keys -t c -l "$location"
	tmx send-keys -t c Enter
	check "the pasted address completes the connection; the first checks appear before the slow one" \
		wait_for "ok    approved by the expected user" "boards synced"
	check "... then the rest, and the result" wait_for "is now verified"
	check "... every check listed" grep -q "ok    a read succeeds" "$screen_file"
	check "it is the third connection" [ "$(events account.connected)" -eq 3 ]
	check "and verified again" [ "$(state_of shop_pins)" = verified ]
	tmx send-keys -t c q
	wait_for "shop_pins is connected and verified."
	tmx send-keys -t c q
	check "the console quits" wait_for "EXIT=0"
	fake DELETE faults >/dev/null
fi

# ---- no secret on any screen ------------------------------------------------------------------------
secrets_file="$TEST_TMP/secrets"
echo fake-app-secret >"$secrets_file"
wsid=$(db "SELECT value FROM meta WHERE key = 'workspace_id'")
for acct in $(db "SELECT id FROM accounts"); do
	for kind in access refresh; do
		secret-tool lookup workspace "$wsid" account "$acct" kind "$kind" >>"$secrets_file" 2>/dev/null
		echo >>"$secrets_file"
	done
done
sed -i '/^$/d' "$secrets_file"
check "there are tokens to look for (shop_pins and the mismatched account)" [ "$(wc -l <"$secrets_file")" -ge 5 ]
# Every screen saved, every page and answer the browser got, every output.
leaks=$(find "$TEST_TMP" -maxdepth 1 -type f ! -name secrets ! -name 'fake.*' -exec grep -a -l -F -f "$secrets_file" {} +)
check "no token and not the client secret on any saved screen, page or output" [ -z "$leaks" ]
leaks=$(grep -r -a -l -F -f "$secrets_file" "$PINWARDEN_WORKSPACE")
check "nor in the workspace (database and its WAL)" [ -z "$leaks" ]

done_testing
