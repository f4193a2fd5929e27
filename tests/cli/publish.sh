#!/bin/sh
# Asking for a publish: every target named, every rule checked with a
# refusal that says how to fix it; then the on-call commands on the jobs.
# The account is made verified in the database here, as 'account verify'
# leaves it (tests/cli/connect.sh covers that path).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

"$PINWARDEN" client add "Maison Élise" --contact e --link-domain maison.example --image-domain '*.cdn.maison.example' \
	--board Printemps --board Hiver --expect-account maison_elise >/dev/null
"$PINWARDEN" client add "Northwind" --contact n --domain north.example --board Trail --expect-account north_pins >/dev/null
db "UPDATE accounts SET state = 'verified', username = expected_username;
    INSERT INTO boards (account_id, pinterest_id, name, in_scope) VALUES
      (1, '1001', 'Printemps', 1), (1, '1002', 'Hiver', 1), (1, '1003', 'Private', 0), (2, '2001', 'Trail', 1);"

pub() { run publish --client "Maison Élise" --account maison_elise --board Printemps "$@"; }

pub --image https://img.cdn.maison.example/a.jpg --title "Spring" --link https://maison.example/spring --at "tomorrow 9:00"
check "a publish with every rule met is queued" status_is 0
check "and shows what it will do" has "$out" "board    Printemps (1001)"
check "shown in local time" has "$out" "09:00:00"
check "the job is queued in the database" [ "$(db "SELECT state FROM jobs WHERE id = 1")" = queued ]
check "with who asked" [ "$(db "SELECT requested_by FROM jobs WHERE id = 1")" = tester ]
check "and its event" [ "$(db "SELECT count(*) FROM events WHERE kind = 'job.queued' AND job_id = 1")" -eq 1 ]

run publish --client "Maison Élise" --board Printemps --image https://img.cdn.maison.example/a.jpg
check "the account is required" status_is 2
check "saying there is no default" has "$err" "never picks a target"
pub --title x
check "an image is required" has "$err" "--image is required"

run publish --client "Northwind" --account maison_elise --board Printemps --image https://img.cdn.maison.example/b.jpg
check "an account of another client is refused" status_is 2
check "naming the client it belongs to" has "$err" "belongs to client 'Maison Élise', not to 'Northwind'"
run publish --client "Maison Élise" --account maison_elise --board Private --image https://img.cdn.maison.example/b.jpg
check "a board out of scope is refused" has "$err" "not in client 'Maison Élise''s scope"
run publish --client "Maison Élise" --account maison_elise --board Trail --image https://img.cdn.maison.example/b.jpg
check "another account's board is not found" has "$err" "has no board named 'Trail'"
"$PINWARDEN" client edit "Maison Élise" --remove-board Hiver >/dev/null
run publish --client "Maison Élise" --account maison_elise --board Hiver --image https://img.cdn.maison.example/b.jpg
check "a board taken out of scope is refused at once, before any verify" has "$err" "not in client 'Maison Élise''s scope"
"$PINWARDEN" client edit "Maison Élise" --board Private >/dev/null
run publish --client "Maison Élise" --account maison_elise --board Private --image https://img.cdn.maison.example/b.jpg
check "a board just put in scope needs the account verified first" has "$err" "run 'pinwarden account verify maison_elise' first"
pub --image https://maison.example/b.jpg
check "an image host that is only approved for links is refused" has "$err" "host maison.example is not among client 'Maison Élise''s approved image domains"
pub --image https://img.cdn.maison.example/b.jpg --link https://www.maison.example/
check "a subdomain is not approved without its own rule" has "$err" "host www.maison.example is not among"
check "and the fix is given" has "$err" "pinwarden client edit 'Maison Élise' --link-domain www.maison.example"
pub --image https://img.cdn.maison.example/b.jpg --title "$(python3 -c 'print("é" * 101)')"
check "a title over 100 characters is refused" has "$err" "title is 101 characters long"
pub --image https://img.cdn.maison.example/b.jpg --at 2020-01-01
check "a time in the past is refused" has "$err" "is in the past"
pub --image https://img.cdn.maison.example/b.jpg --at "someday"
check "a time that does not parse is refused" has "$err" "tomorrow 9:00"

pub --image https://img.cdn.maison.example/a.jpg
check "the same image to the same board again is refused" status_is 1
check "as a likely duplicate naming the job" has "$err" "job 1 (queued) already sends the same"
pub --image https://img.cdn.maison.example/a.jpg --allow-duplicate
check "--allow-duplicate queues it anyway" status_is 0
db "UPDATE jobs SET created_at = '2020-01-01T00:00:00.000Z'"
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[publish]\nduplicate_window_hours = 2\n' > "$XDG_CONFIG_HOME/pinwarden/config"
pub --image https://img.cdn.maison.example/a.jpg
check "outside the configured window it is not a duplicate" status_is 0
rm "$XDG_CONFIG_HOME/pinwarden/config"

db "UPDATE accounts SET state = 'needs_reconnect' WHERE id = 2"
run publish --client Northwind --account north_pins --board Trail --image https://north.example/t.jpg
check "an account that is not verified is refused" status_is 1
check "saying what to do" has "$err" "connect it with 'pinwarden account connect'"
db "UPDATE accounts SET state = 'verified' WHERE id = 2"

printf '\211PNG\r\n\032\n0000000000000' > "$TEST_TMP/tiny.png"
run publish --client Northwind --account north_pins --board Trail --image "$TEST_TMP/tiny.png" --dry-run
check "a dry run checks a local image" status_is 0
check "and queues nothing" [ "$(db "SELECT count(*) FROM jobs WHERE account_id = 2")" -eq 0 ]
run publish --client Northwind --account north_pins --board Trail --image "$TEST_TMP/tiny.png" --json
check "a local PNG is queued" [ "$(printf '%s' "$out" | jq_get image)" = "$TEST_TMP/tiny.png" ]
check "with its bytes' SHA-256" [ "$(db "SELECT image_sha256 FROM jobs WHERE account_id = 2")" = "$(sha256sum "$TEST_TMP/tiny.png" | cut -d' ' -f1)" ]
printf 'not an image' > "$TEST_TMP/notes.txt"
run publish --client Northwind --account north_pins --board Trail --image "$TEST_TMP/notes.txt"
check "a file that is not an image is refused" has "$err" "neither a JPEG nor a PNG"

# ---- on call ----
run job cancel 1 </dev/null
check "on-call changes need confirming" status_is 2
check "with --yes when not at a terminal" has "$err" "confirm with --yes"
check "and nothing changed" [ "$(db "SELECT state FROM jobs WHERE id = 1")" = queued ]
run job reschedule 1 "+3h" --yes
check "a queued job can be rescheduled" status_is 0
check "and that is logged" [ "$(db "SELECT count(*) FROM events WHERE kind = 'job.reschedule'")" -eq 1 ]
run job cancel 1 --yes
check "a queued job can be cancelled" status_is 0
run job cancel 1 --yes
check "a cancelled one cannot be cancelled again" status_is 1
check "saying why" has "$err" "job 1 is cancelled, so it cannot be cancelled"
run job retry 1 --yes
check "a cancelled job can be retried" status_is 0
check "and is queued again" [ "$(db "SELECT state FROM jobs WHERE id = 1")" = queued ]
db "UPDATE jobs SET state = 'unknown' WHERE id = 2"
run job retry 2 --yes
check "an unknown job cannot be retried blindly" has "$err" "resolve it first"
run job resolve 2 --published 12ab --yes
check "a Pin id must be digits" status_is 2
run job resolve 2 --published 987654321 --yes
check "an unknown job is resolved as published" [ "$(db "SELECT state || ' ' || pin_id FROM jobs WHERE id = 2")" = "published 987654321" ]
check "with the operator in the log" [ "$(db "SELECT operator FROM events WHERE kind = 'job.resolve'")" = tester ]
run job list --state unknown,published
check "job list takes several states" has "$out" "published"
run job list --state published,lost
check "and names the one it does not know" has "$err" "'lost' is not a job state"

done_testing
