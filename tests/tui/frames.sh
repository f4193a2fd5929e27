#!/bin/sh
# What goes to the terminal, in a real one: each frame the console draws
# is sent with one write(2), so that a key is one packet over SSH, not one
# per cursor movement. strace records the console's reads of keys and its
# writes to the terminal while tmux runs it and the keys go in one at a
# time.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

if ! command -v strace >/dev/null 2>&1; then
	echo "1..0 # SKIP strace is not installed (scripts/install-deps installs it)"
	exit 0
fi
. "$TESTS_SRCDIR/tui/tmux-lib.sh"
export HOME="$TEST_TMP"

for i in 1 2 3 4 5 6 7 8; do
	"$PINWARDEN" client add "Client $i" --contact x --domain "c$i.example" >/dev/null
done
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[console]\nstart_worker = false\n' >"$XDG_CONFIG_HOME/pinwarden/config"

# strace in front of the console: only its own thread, only the terminal's
# reads and writes (fd 0 and 1), the first bytes of each. (LeakSanitizer
# cannot run under ptrace; the other tests look for leaks.)
TRACE="$TEST_TMP/console.trace"
console_wrapper "$TEST_TMP/console.sh" env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -o "$TRACE" -s 400 -e trace=read,write -e read=none -e write=none
session=frames
SHELL=/bin/sh tmx new-session -d -s "$session" -x 100 -y 30 \
	"sh $(sq "$TEST_TMP/console.sh"); echo EXIT=\$?; sleep 600"
tmx set-option -w -t "$session" window-size manual
selected() { printf '%s\n' "$screen" | grep -q "Accounts (0) of $1"; }
check "the console starts under strace" wait_until 20 on_screen "Client 1" "? help"

# Down and back up the clients pane, a key at a time: each moves the
# highlight one row, each waited for on the screen.
keys=0
moved=0
for i in 2 3 4 5 6 7 8 7 6 5 4 3 2 1; do
	case $keys in
	[0-6]) tmx send-keys -t "$session" j ;;
	*) tmx send-keys -t "$session" k ;;
	esac
	keys=$((keys + 1))
	wait_until 10 selected "Client $i" && moved=$((moved + 1))
done
check "the 14 keys each moved the selection" [ "$moved" -eq 14 ]
tmx send-keys -t "$session" q
check "q ends the console" wait_until 10 on_screen "EXIT=0"

# The writes after each key read, up to the next read: one frame each.
python3 - "$TRACE" >"$TEST_TMP/frames" <<'EOF'
import re, sys
frames, cur = [], None
for line in open(sys.argv[1], errors="replace"):
    if re.match(r"read\(0, ", line) and not re.search(r"=\s+(-1 .*|0)$", line.strip()):
        if cur is not None:
            frames.append(cur)
        cur = [0, 0]
    m = re.match(r"write\(1, .*\)\s+=\s+(\d+)$", line.strip())
    if m and cur is not None:
        cur[0] += 1
        cur[1] += int(m.group(1))
if cur is not None:
    frames.append(cur)
for writes, size in frames:
    print(writes, size)
EOF
# The last read is the q.
frames=$(sed '$d' "$TEST_TMP/frames")
check "strace saw a read for each of the 14 keys" [ "$(printf '%s\n' "$frames" | grep -c .)" -eq 14 ]
check "each key's frame went to the terminal in one write" \
	[ "$(printf '%s\n' "$frames" | awk '$1 != 1' | grep -c .)" -eq 0 ]
check "of a few hundred bytes (at most 600)" \
	[ "$(printf '%s\n' "$frames" | awk '$2 > 600' | grep -c .)" -eq 0 ]
echo "# writes and bytes per key: $(printf '%s\n' "$frames" | tr '\n' ',' | sed 's/,$//')"

done_testing
