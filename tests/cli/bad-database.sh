#!/bin/sh
# A damaged, foreign or too-new database is refused with a message that
# says what to do, and the file is left exactly as it was.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

dbfile="$PINWARDEN_WORKSPACE/pinwarden.db"
fresh() {
	rm -rf "$PINWARDEN_WORKSPACE"
	"$PINWARDEN" init >/dev/null
	for i in $(seq 30); do "$PINWARDEN" client add "Client $i" --contact c --domain "c$i.example" >/dev/null; done
}

# refused WHAT MESSAGE: a read and a write both refuse, file untouched.
refused() {
	sum=$(digest "$dbfile")
	run client list
	check "$1: reading is refused" status_is 1
	check "$1: the message says so" has "$err" "$2"
	run client add "Another" --contact c
	check "$1: writing is refused" status_is 1
	check "$1: the file is untouched" [ "$(digest "$dbfile")" = "$sum" ]
}

fresh
head -c 65536 /dev/urandom > "$dbfile"
refused "random bytes" "not an SQLite database"

fresh
size=$(stat -c %s "$dbfile")
truncate -s $((size - 8192)) "$dbfile"
refused "last pages cut off" "is truncated"

fresh
truncate -s $((size / 3)) "$dbfile"
refused "cut to a third" "restore the workspace from a backup"

fresh
: > "$dbfile"
refused "emptied" "is empty (0 bytes)"

fresh
dd if=/dev/zero of="$dbfile" bs=1 seek=8192 count=4096 conv=notrunc 2>/dev/null
sum=$(digest "$dbfile")
run log verify
check "zeroed pages: verify does not claim an intact log" [ "$status" -ne 0 ]
check "zeroed pages: the file is untouched" [ "$(digest "$dbfile")" = "$sum" ]

fresh
db "PRAGMA user_version = 99"
refused "from a newer pinwarden" "written by a newer pinwarden (schema version 99"

rm -rf "$PINWARDEN_WORKSPACE"
mkdir -m 700 "$PINWARDEN_WORKSPACE"
sqlite3 "$dbfile" "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');"
chmod 600 "$dbfile"
refused "another program's database" "not a pinwarden workspace"
check "another program's data is still there" [ "$(db 'SELECT name FROM recipes')" = soup ]

rm -rf "$PINWARDEN_WORKSPACE"
printf 'not a folder' > "$PINWARDEN_WORKSPACE"
run client add "X" --contact c
check "a workspace path that is a file is refused" has "$err" "is not a folder"

done_testing
