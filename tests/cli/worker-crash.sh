#!/bin/sh
# Never twice, under random kills: the worker is killed with SIGKILL at
# random moments while Pinterest answers slowly (each request to create a
# Pin is handled only after 150 ms, even when the caller is gone by then,
# which is "Pinterest created it but we died before the answer"). What
# happens where differs from run to run, so only invariants are checked:
# no Pin twice, nothing left mid-attempt, every job accounted for.
# PINWARDEN_CRASH_SEED=N reuses one run's kill times (the seed is printed).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

shop_account
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
# max_backoff_seconds keeps the drain at the end short whatever number of
# attempts a job collected.
printf '[worker]\npins_per_minute = 0\nbackoff_seconds = 1\nmax_backoff_seconds = 4\nmax_attempts = 10\nreconcile_after_seconds = 2\n' \
	>"$XDG_CONFIG_HOME/pinwarden/config"

JOBS=60
queued=0
for i in $(seq $JOBS); do
	"$PINWARDEN" publish --client Shop --account shop_pins --board Spring --image "https://shop.example/$i.jpg" \
		--title "Crash job $i" --link "https://shop.example/p/$i" >>"$TEST_TMP/publish.out" 2>&1 &&
		queued=$((queued + 1))
done
check "$JOBS jobs are queued" [ "$queued" -eq $JOBS ]
check "all of them waiting" [ "$(db "SELECT count(*) FROM jobs WHERE state = 'queued'")" -eq $JOBS ]

fake POST faults '{"path": "/v5/pins", "method": "POST", "delay_ms": 150, "count": 1000}' >/dev/null
open_jobs() { db "SELECT count(*) FROM jobs WHERE state IN ('queued', 'retrying', 'sending', 'unknown')"; }

seed=${PINWARDEN_CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
pauses=$(python3 -c 'import random, sys
random.seed(int(sys.argv[1]))
print(" ".join("%.3f" % random.uniform(0.05, 0.6) for _ in range(40)))' "$seed")
rounds=0
kills_mid_send=0
started=$(date +%s)
for pause in $pauses; do
	[ "$(open_jobs)" -eq 0 ] && break
	[ $(($(date +%s) - started)) -ge 90 ] && break
	rounds=$((rounds + 1))
	echo "---- round $rounds kill after ${pause}s" >>"$TEST_TMP/workers.out"
	"$PINWARDEN" worker >>"$TEST_TMP/workers.out" 2>&1 &
	w=$!
	sleep "$pause"
	kill -KILL "$w"
	wait "$w" 2>/dev/null
	[ "$(db "SELECT count(*) FROM jobs WHERE state = 'sending'")" -gt 0 ] && kills_mid_send=$((kills_mid_send + 1))
done
fake DELETE faults >/dev/null

# Finish what is left; retries come due within max_backoff_seconds.
drained=0
for _ in $(seq 30); do
	"$PINWARDEN" worker --once >>"$TEST_TMP/workers.out" 2>&1
	if [ "$(db "SELECT count(*) FROM jobs WHERE state IN ('queued', 'retrying', 'sending')")" -eq 0 ]; then
		drained=1
		break
	fi
	sleep 1
done
check "the queue drains after the kills" [ "$drained" -eq 1 ]

# Every job against what Pinterest has, in one call to the fake.
fake GET pins >"$TEST_TMP/pins.json"
python3 - "$PINWARDEN_WORKSPACE/pinwarden.db" "$TEST_TMP/pins.json" >"$TEST_TMP/verdict" <<'EOF'
import collections, json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
jobs = db.execute("SELECT id, title, state, coalesce(last_error, ''), attempts FROM jobs").fetchall()
pins = json.load(open(sys.argv[2]))["items"]
titles = collections.Counter(p["request"].get("title") for p in pins)
twice, missing, unsettled, twice_ids = [], [], [], []
for jid, title, state, last_error, attempts in jobs:
    n = titles.get(title, 0)
    if n > 1 or (state == "published" and n != 1):
        if n > 1:
            twice_ids.append(str(jid))
        (twice if n > 1 else missing).append("job %d (%s, %s, %d attempts): %d Pins" % (jid, title, state, attempts, n))
    if state != "published" and not (state in ("unknown", "failed") and last_error):
        unsettled.append("job %d (%s): %s, last_error %r" % (jid, title, state, last_error))
states = collections.Counter(j[2] for j in jobs)
print("twice\t%s" % "; ".join(twice))
print("missing\t%s" % "; ".join(missing))
print("unsettled\t%s" % "; ".join(unsettled))
print("states\t%s" % ", ".join("%s %d" % kv for kv in sorted(states.items())))
print("pins\t%d" % len(pins))
print("twice_ids\t%s" % " ".join(twice_ids))
EOF
verdict() { sed -n "s/^$1	//p" "$TEST_TMP/verdict"; }
twice=$(verdict twice)
missing=$(verdict missing)
unsettled=$(verdict unsettled)
if [ -z "$twice" ]; then ok "no job has two Pins on Pinterest"; else not_ok "no job has two Pins on Pinterest" "$twice"; fi
if [ -z "$missing" ]; then ok "every published job has exactly one Pin"; else not_ok "every published job has exactly one Pin" "$missing"; fi
check "no job is left mid-attempt" [ "$(db "SELECT count(*) FROM jobs WHERE state = 'sending'")" -eq 0 ]
if [ -z "$unsettled" ]; then
	ok "every job not published is unknown or failed, with its reason"
else
	not_ok "every job not published is unknown or failed, with its reason" "$unsettled"
fi
published=$(db "SELECT count(*) FROM jobs WHERE state = 'published'")
check "Pinterest has exactly as many Pins as jobs published" [ "$(verdict pins)" -eq "$published" ]
run log verify
check "the activity log chain verifies after all of it" status_is 0

reconciled=$(db "SELECT count(*) FROM events WHERE kind = 'job.reconciled'")
echo "# seed $seed: $rounds rounds, $kills_mid_send kills while a job was sending, $reconciled reconciliations;" \
	"jobs: $(verdict states); Pins: $(verdict pins)"
for id in $(verdict twice_ids); do
	echo "# what the workers said about job $id:"
	awk -v id="$id" '/^---- round/ { round = $3 } index($0, "job " id " ") || index($0, "job " id ":") {
		sub(/^.* pinwarden worker: /, ""); print "#   round " round " " $0 }' "$TEST_TMP/workers.out"
done

done_testing
