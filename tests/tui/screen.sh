#!/bin/sh
# The console's screen, without a terminal: the script mode runs keys from
# a file and saves the screen's text, which is compared with what is
# expected here (in the manner of tig's test suite).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

export HOME="$TEST_TMP"   # so that the status line says ~/ws
export COLUMNS=80 LINES=24
export LC_ALL=C.UTF-8

# display_columns FILE: for each line, the terminal column of the first pane
# separator (wide characters count two).
separator_columns() {
	python3 -c '
import sys, unicodedata
for line in open(sys.argv[1], encoding="utf-8"):
    if "\u2502" in line:
        before = line.split("\u2502")[0]
        print(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in before))
' "$1" | sort -u
}

# ---- a new workspace ------------------------------------------------------
console ":save-display $TEST_TMP/empty"
check "the console runs a script and exits 0" status_is 0
check "the console creates a missing workspace" [ -f "$PINWARDEN_WORKSPACE/pinwarden.db" ]
sed -i 's/^\(  [0-9][0-9]-[0-9][0-9] [0-9:]*\)/  MM-DD HH:MM/; s/│  [0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]/│  MM-DD HH:MM/' "$TEST_TMP/empty"
screen_is "an empty workspace: panes, status line and key bar" "$TEST_TMP/empty" \
" pinwarden  tester  ~/ws  worker: not running     0 failed  0 unknown  0 paused
 1 Clients (0)              │ 4 Queue (0) · open · all clients
  No clients yet.           │  No jobs here.
  Onboard one with          │
  'pinwarden client add'.   │
                            │
                            │
                            │
                            │
 2 Accounts (0)             │
  None for this client.     │
                            │
                            │
                            │ 5 Log (1) · all clients · following
                            │  MM-DD HH:MM workspace.create workspace created
 3 Boards (0)               │
  None known yet: verifying │
  the account reads them.   │
                            │
                            │
                            │
                            │
                            │
? help  q quit  Tab pane  Enter details  / filter"

# ---- clients, names of every width ---------------------------------------
"$PINWARDEN" client add Acme --contact "Ann, ann@acme.example" --domain acme.example --board Spring \
	--expect-account acme_pins >/dev/null
"$PINWARDEN" client add "東京 Foods" --contact b --domain tokyo.example --expect-account tokyo_foods >/dev/null
"$PINWARDEN" client add "Café 🌸" --contact c --domain cafe.example --expect-account cafe_pins >/dev/null

console "
:save-display $TEST_TMP/first
j
:save-display $TEST_TMP/second
j
:save-display $TEST_TMP/third
k
:save-display $TEST_TMP/back"
check "navigation script exits 0" status_is 0
check "clients are listed by name" \
	[ "$(sed -n 3,5p "$TEST_TMP/first" | sed 's/ *│.*//; s/^ *//' | tr '\n' ,)" = "Acme,Café 🌸,東京 Foods," ]
# Wide names take two columns a character and the separator stays put.
for f in first second third; do
	check "the pane separator is at the same column on every line ($f)" \
		[ "$(separator_columns "$TEST_TMP/$f")" = 28 ]
done
check "the accounts pane follows the selected client (Acme)" grep -q "2 Accounts (1) of Acme" "$TEST_TMP/first"
check "... and shows its expected account" grep -q "acme_pins *expected" "$TEST_TMP/first"
check "j selects the next client and its accounts" grep -q "2 Accounts (1) of Café 🌸" "$TEST_TMP/second"
check "... showing cafe_pins" grep -q "cafe_pins" "$TEST_TMP/second"
check "j again: 東京 Foods" grep -q "of 東京" "$TEST_TMP/third"
check "k goes back" grep -q "of Café 🌸" "$TEST_TMP/back"

# ---- details, help, the key table ----------------------------------------
console "
<Enter>
:save-display $TEST_TMP/client
<Esc>
?
:save-display $TEST_TMP/help
<Esc>
:save-display $TEST_TMP/closed"
check "Enter shows the client in full" grep -q "Client Acme" "$TEST_TMP/client"
check "... with its contact" grep -q "contact *Ann, ann@acme.example" "$TEST_TMP/client"
check "... its approved domains" grep -q "links *acme.example" "$TEST_TMP/client"
check "... and its boards in scope" grep -q "boards *Spring" "$TEST_TMP/client"
check "the details' key bar says how to go back" grep -q "^Esc back" "$TEST_TMP/client"
check "? shows the help" grep -q "Help: pinwarden console" "$TEST_TMP/help"
"$PINWARDEN" help keys >"$TEST_TMP/keys"
for action in down up details filter; do
	line=$(grep " $action  " "$TEST_TMP/keys" | head -1 | sed 's/^ *//')
	keys=$(printf '%s' "$line" | sed 's/  .*//')
	check "the help screen lists '$action' with its keys ($keys), from the key table" \
		grep -q "^  $keys  *$action  " "$TEST_TMP/help"
done
check "Esc closes the help" grep -q "1 Clients" "$TEST_TMP/closed"
console "
?G
:save-display $TEST_TMP/helpend"
check "G goes to the end of the help, where quit is" grep -q "^  q  *quit  " "$TEST_TMP/helpend"

# ---- focus and the key bar -----------------------------------------------
console "
5
:save-display $TEST_TMP/log
4
:save-display $TEST_TMP/queue
<Tab>
:save-display $TEST_TMP/tab
<S-Tab><S-Tab>
:save-display $TEST_TMP/stab"
check "5 focuses the log: its key bar offers follow" grep -q "F follow" "$TEST_TMP/log"
check "4 focuses the queue: its key bar offers the state filter" grep -q "f states" "$TEST_TMP/queue"
check "the clients pane's key bar has neither" sh -c "! grep -q 'f states\|F follow' '$TEST_TMP/stab'"
check "Tab from the queue goes to the log" grep -q "F follow" "$TEST_TMP/tab"

# ---- filters --------------------------------------------------------------
COLUMNS=100 console "
/caf
<Enter>
:save-display $TEST_TMP/filtered
<Esc>
:save-display $TEST_TMP/unfiltered
/zzz
<Enter>
:save-display $TEST_TMP/nomatch"
check "a filter narrows the clients" grep -q "1 Clients (1) · filter: caf" "$TEST_TMP/filtered"
check "... to Café" sh -c "sed -n 3p '$TEST_TMP/filtered' | grep -q 'Café'"
check "... and its accounts follow" grep -q "of Café" "$TEST_TMP/filtered"
check "Esc clears the filter" grep -q "1 Clients (3)" "$TEST_TMP/unfiltered"
check "a filter that matches nothing shows an empty pane" grep -q "1 Clients (0) · filter: zzz" "$TEST_TMP/nomatch"

COLUMNS=160 console "
5
/kind:client. operator:tester
<Enter>
:save-display $TEST_TMP/logfilter
/<C-u>operator:nobody
<Enter>
:save-display $TEST_TMP/lognobody
/<C-u>colour:red
<Enter>
:save-display $TEST_TMP/logbad"
check "the log filters by kind prefix and operator" grep -q "5 Log · all clients · following · filter: kind:client. operator:tester" "$TEST_TMP/logfilter"
check "... showing client events" grep -q "client.add" "$TEST_TMP/logfilter"
check "... and no others" sh -c "! grep -q 'account.expect\|workspace.create' '$TEST_TMP/logfilter'"
check "a filter for another operator shows nothing" grep -q "No events here" "$TEST_TMP/lognobody"
check "an unknown filter key is refused with what the pane accepts" \
	grep -q "the log pane filters by client:NAME, kind:KIND, operator:NAME and words" "$TEST_TMP/logbad"
console "
5
/client:Nobody
<Enter>
:save-display $TEST_TMP/noclient"
check "an unknown client in a filter is refused naming it" grep -q "Nobody" "$TEST_TMP/noclient"

# ---- an unknown key -------------------------------------------------------
console "
Z
:save-display $TEST_TMP/unknownkey"
check "an unbound key says so and points at the help" grep -q "Z does nothing here; ? lists the keys." "$TEST_TMP/unknownkey"

# ---- resizing -------------------------------------------------------------
console "
:resize 50 10
:save-display $TEST_TMP/small
:resize 120 40
:save-display $TEST_TMP/large
:resize 59 16
:resize 60 15
:resize 60 16
:save-display $TEST_TMP/minimum"
check "resizing does not stop the console" status_is 0
check "below the minimum size it says so" grep -q "Terminal 50x10: pinwarden needs 60x16." "$TEST_TMP/small"
check "... and draws nothing else" [ "$(grep -c . "$TEST_TMP/small")" -eq 2 ]
check "larger again, it redraws every pane" sh -c "grep -q '1 Clients' '$TEST_TMP/large' && grep -q '5 Log' '$TEST_TMP/large'"
check "the panes are laid out for 120 columns" [ "$(separator_columns "$TEST_TMP/large")" = 42 ]
check "at exactly the minimum the panes are drawn" grep -q "5 Log" "$TEST_TMP/minimum"

# ---- a locale without UTF-8 ----------------------------------------------
LC_ALL=C console ":save-display $TEST_TMP/ascii"
check "without UTF-8, lines are ASCII" sh -c "! LC_ALL=C grep -q '[^ -~]' '$TEST_TMP/ascii'"
check "... the separator is '|'" grep -q "^ 1 Clients (3) *| 4 Queue" "$TEST_TMP/ascii"
check "... and wide names show as '?'" grep -q "?? Foods" "$TEST_TMP/ascii"

# ---- keys from the config file -------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[keys]\ndown = J\nup = K\n' >"$XDG_CONFIG_HOME/pinwarden/config"
console "
J
:save-display $TEST_TMP/rebound
j
:save-display $TEST_TMP/rebound-j"
check "a rebound key moves down" grep -q "of Café" "$TEST_TMP/rebound"
check "the old key no longer does" grep -q "j does nothing here" "$TEST_TMP/rebound-j"
printf '[keys]\nsideways = x\n' >"$XDG_CONFIG_HOME/pinwarden/config"
console ":save-display $TEST_TMP/never"
check "an unknown action in [keys] stops the console before it starts" status_is 2
check "... naming the action" has "$err" "sideways"
check "... and no screen was drawn" [ ! -f "$TEST_TMP/never" ]
rm "$XDG_CONFIG_HOME/pinwarden/config"

# ---- themes and terminals --------------------------------------------------
theme_of() { sed -n '/^Theme$/{n;p;q}' "$1" | sed 's/^ *//'; }
console "?G
:save-display $TEST_TMP/theme-default"
check "the default theme is the built-in one unless a file overrides it" \
	has "$(theme_of "$TEST_TMP/theme-default")" "default"
console "?G
:save-display $TEST_TMP/theme-light" --theme light
check "--theme light loads the light theme file" has "$(theme_of "$TEST_TMP/theme-light")" "light: "
NO_COLOR=1 console "?G
:save-display $TEST_TMP/theme-nocolor"
check "NO_COLOR selects the monochrome theme" has "$(theme_of "$TEST_TMP/theme-nocolor")" "monochrome: "
mkdir -p "$XDG_CONFIG_HOME/pinwarden/themes"
printf '[elements]\nnormal = white\ntitel = red\n' >"$XDG_CONFIG_HOME/pinwarden/themes/broken.theme"
console ":save-display $TEST_TMP/theme-broken" --theme broken
check "a broken theme does not stop the console" status_is 0
check "... its file, line and reason are shown" sh -c "tr '\n' ' ' <'$TEST_TMP/theme-broken' | grep -q 'broken.theme:3: unknown element \"titel\"'"
check "... and the default theme is used" grep -q "Using the default theme" "$TEST_TMP/theme-broken"
console ":save-display $TEST_TMP/theme-missing" --theme nosuch
check "a missing theme names the themes there are" grep -q 'no theme "nosuch"' "$TEST_TMP/theme-missing"
mkdir -p "$XDG_CONFIG_HOME/pinwarden"
printf '[console]\ntheme = high-contrast\n' >"$XDG_CONFIG_HOME/pinwarden/config"
console "?G
:save-display $TEST_TMP/theme-config"
check "[console] theme in the config file chooses the theme" has "$(theme_of "$TEST_TMP/theme-config")" "high-contrast: "
rm "$XDG_CONFIG_HOME/pinwarden/config"
for term in xterm xterm-256color vt100 screen tmux-256color linux; do
	TERM=$term console ":save-display $TEST_TMP/term-$term"
	check "TERM=$term: the console draws its panes" sh -c "[ $status -eq 0 ] && grep -q '5 Log' '$TEST_TMP/term-$term'"
done

# ---- a bad script --------------------------------------------------------
console ":frobnicate"
check "an unknown script command fails" status_is 2
check "... naming the line" has "$err" "console.script:1: unknown script command ':frobnicate'"

# ---- no terminal ----------------------------------------------------------
run console </dev/null
check "without a terminal and no script the console refuses" status_is 2
check "... and says why" has "$err" "the console needs a terminal"

done_testing
