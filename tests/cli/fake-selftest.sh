#!/bin/sh
# The fake Pinterest that every API test relies on checks itself: OAuth,
# pagination, every fault, rate limits, validation.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/lib.sh"

python3 "$TESTS_SRCDIR/fake-pinterest-selftest.py" >"$TEST_TMP/selftest.out" 2>&1
status=$?
out=$(tail -n 5 "$TEST_TMP/selftest.out")
summary=$(tail -n 1 "$TEST_TMP/selftest.out")
check "the fake Pinterest passes its self-test ($summary)" status_is 0

done_testing
