# tests/conformance/common.sh: what examples.sh and prism.sh share, on top
# of tests/lib.sh.
#
# Pinterest's OpenAPI description is reference data beside the repository
# (../shared/pinterest/openapi.yaml from its root), never copied into it:
# $PINWARDEN_OPENAPI overrides where it is looked for. Where it is absent
# (an unpacked release tarball, as in 'make distcheck') these tests skip.

OPENAPI=${PINWARDEN_OPENAPI:-$TESTS_SRCDIR/../../shared/pinterest/openapi.yaml}

# The build tree: the programs built by 'make check' are beside src/.
TESTS_BUILDDIR=$(cd "$(dirname "$PINWARDEN")/.." && pwd)/tests

# skip_all REASON: the whole test is one skipped case.
skip_all() {
	echo "ok 1 - # SKIP $1"
	echo "1..1"
	exit 0
}

require_openapi() {
	[ -f "$OPENAPI" ] || skip_all "openapi.yaml not found (../shared missing)"
}

# A missing tool: skipped on a developer's machine, a failure in CI
# (CI=true), where scripts/install-deps has installed it.
missing_tool() {
	if [ "${CI:-}" = "true" ]; then
		not_ok "$1" "$2" "CI installs it with scripts/install-deps"
		echo "1..$tap_n"
		exit 1
	fi
	skip_all "$1 ($2)"
}

# merge_tap FILE: the TAP of a helper program as cases of this test; its
# own plan is dropped, its diagnostics kept.
merge_tap() {
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			tap_n=$((tap_n + 1))
			tap_failed=$((tap_failed + 1))
			echo "not ok $tap_n - ${line#not ok * - }"
			;;
		"ok "*)
			tap_n=$((tap_n + 1))
			echo "ok $tap_n - ${line#ok * - }"
			;;
		"1.."*) ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done <"$1"
}
