#!/bin/sh
# Shell completion: commands, options and names from the workspace, through
# `pinwarden __complete` and the bash script that calls it.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

comp() { "$PINWARDEN" __complete "$@" 2>"$TEST_TMP/comp.err"; }

check "the commands, from nothing" [ "$(comp "" | tr '\n' ' ')" = "init client app account publish job log backup worker console demo doctor version help " ]
check "a group's commands" [ "$(comp client "" | tr '\n' ' ')" = "add list show edit archive offboard " ]
check "a command's options, from its help" has "$(comp client add --)" "--expect-account"
check "... every one" [ "$(comp publish -- | tr '\n' ' ')" = "--client --account --board --image --title --description --link --alt-text --at --allow-duplicate --dry-run --json --workspace --help " ]
check "global options" has "$(comp --)" "--workspace"
check "job states for --state" [ "$(comp job list --state "" | tr '\n' ' ')" = "queued sending retrying paused published failed unknown cancelled " ]
check "themes for --theme" has "$(comp --theme "")" "monochrome"
check "no workspace: no names, no message, nothing created" \
	sh -c "[ -z \"\$('$PINWARDEN' __complete client show '' 2>&1)\" ] && [ ! -e '$PINWARDEN_WORKSPACE' ]"

"$PINWARDEN" client add "Maison Élise" --contact a --domain maison.example --board "Printemps 2027" --expect-account maison_elise >/dev/null
"$PINWARDEN" client add Northwind --contact b --domain northwind.example --expect-account northwind_outdoor >/dev/null
check "client names for a command's NAME" [ "$(comp client show "" | tr '\n' '|')" = "Maison Élise|Northwind|" ]
check "client names for --client" [ "$(comp publish --client "" | tr '\n' '|')" = "Maison Élise|Northwind|" ]
check "the client's accounts for --account" [ "$(comp publish --client Northwind --account "")" = northwind_outdoor ]
check "every account without --client" [ "$(comp account verify "" | tr '\n' ' ')" = "maison_elise northwind_outdoor " ]
check "nothing for a second argument" [ -z "$(comp client show Northwind "")" ]
check "nothing for free text" [ -z "$(comp client add X --contact "")" ]
check "completion writes nothing to the log" [ "$(db "SELECT count(*) FROM events WHERE kind LIKE 'workspace.%' OR kind = 'log.export'")" -eq 1 ]

# The bash script, as bash calls it.
if command -v bash >/dev/null 2>&1; then
	complete_in_bash() { # WORDS... (the last one being completed)
		bash -c '
			pinwarden() { "$PINWARDEN" "$@"; }
			. "$1/../completion/pinwarden"
			shift
			COMP_WORDS=(pinwarden "$@")
			COMP_CWORD=$#
			COMP_WORDS[0]=$PINWARDEN
			_pinwarden
			printf "%s\n" "${COMPREPLY[@]}"' sh "$TESTS_SRCDIR" "$@"
	}
	check "bash: a partial command" [ "$(complete_in_bash cl)" = client ]
	check "bash: a name with a space comes back escaped" [ "$(complete_in_bash client show Mai)" = 'Maison\ Élise' ]
	check "bash: a quoted partial name" [ "$(complete_in_bash client show "'Mai")" = 'Maison\ Élise' ]
	check "bash: an option" [ "$(complete_in_bash publish --acc)" = --account ]
	check "bash: accounts of the client typed before" [ "$(complete_in_bash publish --client 'Maison\ Élise' --account "")" = maison_elise ]
else
	ok "bash completion # SKIP bash is not installed"
fi

done_testing
