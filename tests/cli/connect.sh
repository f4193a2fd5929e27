#!/bin/sh
# Connecting a client's account end to end against the fake Pinterest and
# a real keyring: through the listener, by paste, and every way it can go
# wrong; then the token lifecycle, offboarding, and a search for leaked
# secrets. Runs under tests/with-keyring (a private D-Bus session).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

start_fake
port=$(free_port)
redirect="http://localhost:$port/"
fake POST app "{\"client_id\": \"1234567\", \"client_secret\": \"fake-app-secret\", \"redirect_uris\": [\"$redirect\"]}" >/dev/null
fake POST users '{"username": "maison_elise", "boards": [{"name": "Printemps"}, {"name": "Atelier"}]}' >/dev/null
fake POST users '{"username": "impostor", "boards": [{"name": "Printemps"}]}' >/dev/null
fake POST users '{"username": "north_pins", "boards": [{"name": "Trail"}]}' >/dev/null

# approve URL [EXTRA]: plays the client's browser at the fake's
# authorization page; prints where it redirects.
approve() {
	curl -sS -o /dev/null -w '%{redirect_url}' "$1$2"
}

# The URL printed after "Authorization URL:".
url_in() {
	sed -n '/^Authorization URL:$/{n;p;q}' "$1"
}

# ---- the app -----------------------------------------------------------
printf 'secret\n' | "$PINWARDEN" --workspace "$TEST_TMP/new-ws" app set --client-id 'not an id' --redirect-uri "$redirect" >/dev/null 2>"$TEST_TMP/err"
status=$?; err=$(cat "$TEST_TMP/err")
check "app set refuses a bad client id" status_is 2
check "before creating a workspace for it" [ ! -e "$TEST_TMP/new-ws" ]
"$PINWARDEN" init >/dev/null
run app show
check "without an app, app show says how to set one up" has "$err" "pinwarden app set --client-id"
run app set --client-id 1234567 --redirect-uri "$redirect" --client-secret fake-app-secret
check "the client secret is never taken from argv" status_is 2
printf 'fake-app-secret\n' | "$PINWARDEN" app set --client-id 1234567 --redirect-uri "$redirect" >"$TEST_TMP/out" 2>&1
status=$?; out=$(cat "$TEST_TMP/out")
check "app set reads the secret from standard input" status_is 0
run app show --json
check "app show finds the secret in the keyring" [ "$(printf '%s' "$out" | jq_get secret_in_keyring)" = True ]
check "and the database does not hold it" [ "$(grep -c fake-app-secret "$PINWARDEN_WORKSPACE/pinwarden.db")" -eq 0 ]

"$PINWARDEN" client add "Maison Élise" --contact "Élise" --domain maison.example --board Printemps \
	--expect-account maison_elise >/dev/null
"$PINWARDEN" client add "Northwind" --contact "Sam" --domain north.example --board Trail >/dev/null

run account verify maison_elise
check "an account that was never connected cannot be verified" status_is 1
check "saying to connect it first" has "$err" "not connected"

# ---- through the listener ------------------------------------------------
"$PINWARDEN" account connect --client "Maison Élise" --expect maison_elise >"$TEST_TMP/connect.out" 2>&1 &
connector=$!
for _ in $(seq 100); do grep -q "^Waiting for the approval" "$TEST_TMP/connect.out" && break; sleep 0.05; done
url=$(url_in "$TEST_TMP/connect.out")
check "connect prints the authorization URL on a line of its own" has "$url" "$FAKE_URL/oauth/?client_id=1234567"
check "with a message for the client that no password is asked" grep -q "nobody asks for your password" "$TEST_TMP/connect.out"
check "the URL carries a state of at least 128 bits" [ "$(printf '%s' "$url" | sed -n 's/.*state=\([0-9a-f]*\).*/\1/p' | wc -c)" -ge 33 ]
cmdline=$(tr '\0' ' ' < "/proc/$connector/cmdline")
check "the waiting process's argv holds no secret" hasnt "$cmdline" "fake-app-secret"
check "nor its environment" [ "$(tr '\0' '\n' < "/proc/$connector/environ" | grep -c -e fake-app-secret -e pina_ -e pinr_)" -eq 0 ]
location=$(approve "$url" "&approve_as=maison_elise")
check "the fake redirects the browser to the listener" has "$location" "$redirect?code="
page=$(curl -sS "$location")
check "the listener answers the browser with a plain page" has "$page" "pinwarden received the approval"
wait "$connector"
status=$?; out=$(cat "$TEST_TMP/connect.out")
check "connect completes through the listener" status_is 0
check "and names who approved" has "$out" "approved by Pinterest user 'maison_elise'"
check "the verification checklist is shown" has "$out" "ok    boards in scope exist"
check "the account is verified" has "$out" "is now verified"
run account list --json --client "Maison Élise"
check "account list shows the verified account" [ "$(printf '%s' "$out" | jq_get 0 state)" = verified ]
check "with its token health in days" [ "$(printf '%s' "$out" | jq_get 0 token_days_left)" -ge 29 ]
run log tail -n 30
check "the connection is an event naming who asked and who approved" has "$out" "approved by Pinterest user 'maison_elise', requested by tester"
check "the verification is an event" has "$out" "account.verify"

# ---- by paste ------------------------------------------------------------
run account connect --client Northwind --expect north_pins --no-wait
url=$(printf '%s\n' "$out" | sed -n '/^Authorization URL:$/{n;p;q}')
check "--no-wait returns at once with the URL" status_is 0
check "and says how to finish" has "$out" "pinwarden account complete --paste"
location=$(approve "$url" "&approve_as=north_pins")
run account complete --paste "$location"
check "a pasted address completes the connection" status_is 0
check "and verifies it" has "$out" "is now verified"
run account complete --paste "$location"
check "the same approval cannot be used twice" status_is 1
check "saying it was already used" has "$err" "already used"

forged=$(printf '%s' "$location" | sed 's/state=[0-9a-f]*/state=0000000000000000000000000000000000000000000000000000000000000000/')
run account complete --paste "$forged"
check "an approval with a state nobody issued is refused" status_is 2
check "as a forged or wrong link" has "$err" "matches no connection request"
check "and the refusal is logged" [ "$(db "SELECT count(*) FROM events WHERE kind = 'account.connect_refused'")" -ge 2 ]

run account connect --client Northwind --expect north_pins --no-wait --ttl 1s
url=$(printf '%s\n' "$out" | sed -n '/^Authorization URL:$/{n;p;q}')
location=$(approve "$url" "&approve_as=north_pins")
sleep 2
run account complete --paste "$location"
check "an expired request is refused" status_is 1
check "saying it expired" has "$err" "expired"

run account connect --client Northwind --expect north_pins --no-wait
url=$(printf '%s\n' "$out" | sed -n '/^Authorization URL:$/{n;p;q}')
location=$(approve "$url" "&deny=1")
check "a declined approval redirects with an error" has "$location" "error=access_denied"
run account complete --paste "$location"
check "completing a declined approval says the client declined" has "$err" "declined"
check "and it is logged" [ "$(db "SELECT count(*) FROM events WHERE kind = 'account.connect_denied'")" -eq 1 ]

"$PINWARDEN" client add "Impostor Test" --contact x --domain imp.example --board Printemps >/dev/null
run account connect --client "Impostor Test" --expect genuine_account --no-wait
url=$(printf '%s\n' "$out" | sed -n '/^Authorization URL:$/{n;p;q}')
location=$(approve "$url" "&approve_as=impostor")
run account complete --paste "$location"
check "approval by another Pinterest user is a mismatch" status_is 1
check "shown as such" has "$out" "MISMATCH"
check "and the account is marked mismatch" [ "$(db "SELECT state FROM accounts WHERE expected_username = 'genuine_account'")" = mismatch ]

# ---- tokens ----------------------------------------------------------------
wsid=$(db "SELECT value FROM meta WHERE key = 'workspace_id'")
acct=$(db "SELECT id FROM accounts WHERE expected_username = 'maison_elise'")
refresh_token() { secret-tool lookup workspace "$wsid" account "$acct" kind refresh; }
first=$(refresh_token)
check "the refresh token is in the keyring" has "$first" "pinr_"
db "UPDATE accounts SET access_expires_at = '2000-01-01T00:00:00.000Z' WHERE id = $acct"
run account refresh-due
check "refresh-due refreshes a token near expiry" status_is 0
check "and says so" has "$out" "ok    maison_elise"
second=$(refresh_token)
check "the refresh token rotated in the keyring" [ -n "$second" ] && [ "$second" != "$first" ]

# A crash right after the new refresh token is stored, before anything
# else: the account must survive it.
db "UPDATE accounts SET access_expires_at = '2000-01-01T00:00:00.000Z' WHERE id = $acct"
PINWARDEN_TEST_CRASH=after-refresh-stored "$PINWARDEN" account refresh-due >/dev/null 2>&1
status=$?
check "the crash happened (killed)" [ "$status" -eq 137 ]
third=$(refresh_token)
check "the new refresh token was stored before the crash" [ "$third" != "$second" ]
run account refresh-due
check "after the crash the account refreshes normally" status_is 0
run account verify maison_elise
check "and verifies" status_is 0

db "INSERT INTO boards (account_id, pinterest_id, name, in_scope) VALUES ($acct, '999999', 'Local', 1);
    INSERT INTO jobs (client_id, account_id, board_id, title, image_url, scheduled_at, state, requested_by, created_at, updated_at)
    SELECT client_id, id, (SELECT max(id) FROM boards), 'Queued', 'https://maison.example/a.jpg', '2030-01-01T00:00:00.000Z', 'queued', 'tester', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM accounts WHERE id = $acct;"
fake POST expire '{"username": "maison_elise", "refresh_tokens": true}' >/dev/null
db "UPDATE accounts SET access_expires_at = '2000-01-01T00:00:00.000Z' WHERE id = $acct"
run account refresh-due
check "a refresh that fails for good is reported" status_is 1
check "the account then needs reconnecting" [ "$(db "SELECT state FROM accounts WHERE id = $acct")" = needs_reconnect ]
check "its waiting job is paused, not failed" [ "$(db "SELECT state FROM jobs WHERE account_id = $acct")" = paused ]
check "and it is logged" [ "$(db "SELECT count(*) FROM events WHERE kind = 'account.needs_reconnect'")" -eq 1 ]

# Reconnecting brings the paused job back into the queue.
run account connect --client "Maison Élise" --expect maison_elise --no-wait
url=$(printf '%s\n' "$out" | sed -n '/^Authorization URL:$/{n;p;q}')
check "the message asks the client to send back the address" has "$out" "send it back to us"
location=$(approve "$url" "&approve_as=maison_elise")
run account complete --paste "$location"
check "the account reconnects" status_is 0
check "its paused job is queued again" [ "$(db "SELECT state FROM jobs WHERE account_id = $acct")" = queued ]
check "and that is logged" [ "$(db "SELECT count(*) FROM events WHERE kind = 'account.jobs_resumed'")" -eq 1 ]

# ---- offboarding ------------------------------------------------------------
run client offboard "Maison Élise"
check "offboarding stops while a job is waiting" status_is 1
check "listing the job" has "$err" "Queued"
check "and changes nothing" [ -n "$(refresh_token)" ]
run client offboard "Maison Élise" --cancel-queued -o "$TEST_TMP/maison.jsonl"
check "offboarding with --cancel-queued completes" status_is 0
check "it ends with no queued jobs" has "$out" "no queued jobs remain"
check "it gives the client's own steps" has "$out" "removes the agency's app"
check "the job was cancelled" [ "$(db "SELECT state FROM jobs WHERE account_id = $acct")" = cancelled ]
check "the tokens left the keyring" [ -z "$(refresh_token)$(secret-tool lookup workspace "$wsid" account "$acct" kind access)" ]
check "the account is disconnected" [ "$(db "SELECT state FROM accounts WHERE id = $acct")" = disconnected ]
check "the client's log was exported" [ "$(wc -l < "$TEST_TMP/maison.jsonl")" -gt 5 ]
check "the client is archived" [ "$(db "SELECT archived FROM clients WHERE name = 'Maison Élise'")" = 1 ]
run client offboard "Maison Élise" --cancel-queued -o "$TEST_TMP/maison-again.jsonl"
check "running it again is harmless" status_is 0

# ---- leaks -------------------------------------------------------------------
secrets_file="$TEST_TMP/secrets"
: > "$secrets_file"
echo fake-app-secret >> "$secrets_file"
for t in $first $second $third; do echo "$t" >> "$secrets_file"; done
north=$(db "SELECT id FROM accounts WHERE expected_username = 'north_pins'")
secret-tool lookup workspace "$wsid" account "$north" kind access >> "$secrets_file"; echo >> "$secrets_file"
secret-tool lookup workspace "$wsid" account "$north" kind refresh >> "$secrets_file"; echo >> "$secrets_file"
sed -i '/^$/d' "$secrets_file"
check "there are secrets to look for" [ "$(wc -l < "$secrets_file")" -ge 5 ]
leaks=$(grep -r -a -l -F -f "$secrets_file" "$PINWARDEN_WORKSPACE" "$TEST_TMP"/*.jsonl "$TEST_TMP"/*.out 2>/dev/null)
check "no token or client secret in the database, its WAL, exports or output" [ -z "$leaks" ]

done_testing
