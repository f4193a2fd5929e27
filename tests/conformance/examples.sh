#!/bin/sh
# Every example response body in Pinterest's OpenAPI description, for the
# operations pinwarden calls, goes through pinwarden's parser for it
# (tests/conformance/examples.py extracts them; parse_examples parses).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"
. "$TESTS_SRCDIR/conformance/common.sh"

require_openapi

# A Python 3 with PyYAML (Debian's python3-yaml is for /usr/bin/python3).
python=
for candidate in python3 /usr/bin/python3; do
	if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' 2>/dev/null; then
		python=$candidate
		break
	fi
done
[ -n "$python" ] || missing_tool "PyYAML is not installed" "Debian package python3-yaml"

parse="$TESTS_BUILDDIR/conformance/parse_examples"
[ -x "$parse" ] || missing_tool "parse_examples is not built" "make check builds it; it needs cmocka to be found"

"$python" "$TESTS_SRCDIR/conformance/examples.py" "$OPENAPI" "$TEST_TMP/examples" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
status=$?
out=$(cat "$TEST_TMP/.out")
err=$(cat "$TEST_TMP/.err")
check "examples.py reads the description's examples" status_is 0
printf '%s\n' "$out" | sed 's/^/# /'
for parser in tokens user_account board_page section_page pin_page pin; do
	check "there is an example for the $parser parser" [ -f "$TEST_TMP/examples/$parser-1.json" ]
done

# The helper's own TAP, its cases counted as this test's.
(cd "$TEST_TMP/examples" && "$parse" *.json) >"$TEST_TMP/parsed" 2>"$TEST_TMP/parsed.err"
status=$?
merge_tap "$TEST_TMP/parsed"
err=$(cat "$TEST_TMP/parsed.err")
out=
check "parse_examples ran to its end (status 0 or 1, no crash)" [ "$status" -le 1 ]
check "parse_examples printed its plan" grep -q '^1\.\.[1-9]' "$TEST_TMP/parsed"

done_testing
