#!/bin/sh
# tests/fuzz/run-fuzz.sh [SECONDS]: fuzzes the parsers of Pinterest's
# answers for SECONDS (default 60); exits non-zero when the fuzzer finds a
# crash, a sanitizer report, a leak or a broken promise (the input is kept
# in build-fuzz/artifacts/).
#
# It copies the source tree to build-fuzz/tree (a separate build: the tree
# may be configured in place with gcc, which a VPATH build refuses), builds
# it there with CC=clang ./configure --enable-fuzzing, so that libpinwarden.a
# has the same sanitizers and coverage as the target, and runs
# tests/fuzz/fuzz_parsers. The seed corpus is made at run time from the
# examples of Pinterest's OpenAPI description (tests/conformance/examples.py;
# ../shared/pinterest/openapi.yaml, or $PINWARDEN_OPENAPI) and from
# tests/fuzz/seeds/, whose files are named <parser>-<what>.json.
#
# Needs clang and libclang-rt-14-dev (scripts/install-deps).
set -eu
cd "$(dirname "$0")/../.."
top=$(pwd)
seconds=${1:-60}
out="$top/build-fuzz"
tree="$out/tree"
jobs=$(nproc 2>/dev/null || echo 2)

say() { printf 'run-fuzz: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

case "$seconds" in
'' | *[!0-9]*) die "usage: tests/fuzz/run-fuzz.sh [SECONDS]" ;;
esac
command -v clang >/dev/null 2>&1 || die "clang is not installed (Debian packages clang libclang-rt-14-dev; scripts/install-deps)"

# ---- the copy of the tree: git's files (tracked and new, not ignored),
# with their times kept, so that a second run rebuilds only what changed.
mkdir -p "$tree"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		(cd "$top" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
		tar -C "$top" --null -T - -cf - | tar -C "$tree" -xf -
else
	tar -C "$top" --exclude=./build-fuzz --exclude=./.git --exclude='./tests/conformance/node_modules' \
		--exclude='*.o' --exclude='*.a' --exclude=./config.status --exclude=./config.h --exclude=./Makefile \
		--exclude=./config.log --exclude=./stamp-h1 --exclude='.deps' -cf - . | tar -C "$tree" -xf -
fi

# ---- the clang build
if [ ! -f "$tree/Makefile" ]; then
	say "configuring with clang in $tree"
	(cd "$tree" && ./autogen.sh >"$out/autogen.log" 2>&1) || { cat "$out/autogen.log"; die "autogen.sh failed"; }
	(cd "$tree" && CC=clang ./configure --enable-fuzzing >"$out/configure.log" 2>&1) ||
		{ tail -n 30 "$out/configure.log"; die "configure --enable-fuzzing failed"; }
fi
say "building tests/fuzz/fuzz_parsers"
(cd "$tree" && make -j"$jobs" libpinwarden.a tests/fuzz/fuzz_parsers >"$out/build.log" 2>&1) ||
	{ tail -n 40 "$out/build.log"; die "the fuzzing build failed"; }
fuzzer="$tree/tests/fuzz/fuzz_parsers"

# ---- the seed corpus, made anew: the first byte picks the parser
seeds="$out/seeds"
rm -rf "$seeds" "$out/examples"
rm -rf "$out/artifacts"
mkdir -p "$seeds" "$out/corpus" "$out/artifacts"
selector() {
	case "$1" in
	tokens) echo 0 ;; user_account) echo 1 ;; pin) echo 2 ;; board_page) echo 3 ;;
	section_page) echo 4 ;; pin_page) echo 5 ;; error) echo 6 ;; redirect) echo 7 ;; *) echo "" ;;
	esac
}
add_seeds() { # DIR
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		name=$(basename "$f")
		n=$(selector "${name%%-*}")
		[ -n "$n" ] || die "$f: the name does not start with a parser (tokens-, user_account-, pin-, ...)"
		{ printf "\\$(printf '%03o' "$n")"; cat "$f"; } >"$seeds/${name%.*}.seed"
	done
}
openapi=${PINWARDEN_OPENAPI:-$top/../shared/pinterest/openapi.yaml}
if [ -f "$openapi" ]; then
	python=
	for candidate in python3 /usr/bin/python3; do
		if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' 2>/dev/null; then
			python=$candidate
			break
		fi
	done
	if [ -n "$python" ] && "$python" "$top/tests/conformance/examples.py" --variants "$openapi" "$out/examples" >/dev/null; then
		add_seeds "$out/examples"
	else
		say "warning: no seeds from the description's examples (python3-yaml missing or examples.py failed)"
	fi
else
	say "warning: $openapi not found: seeds from tests/fuzz/seeds only"
fi
add_seeds "$top/tests/fuzz/seeds"
say "$(ls "$seeds" | wc -l) seeds; fuzzing for $seconds s"

# ---- the run: new inputs go to build-fuzz/corpus, kept between runs
status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}:print_stacktrace=1:halt_on_error=1 \
	"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
	-dict="$top/tests/fuzz/parsers.dict" -artifact_prefix="$out/artifacts/" -print_final_stats=1 \
	"$out/corpus" "$seeds" >"$out/fuzz.log" 2>&1 || status=$?
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb|Done [0-9]+ runs)' "$out/fuzz.log" || true
if [ "$status" -ne 0 ]; then
	tail -n 80 "$out/fuzz.log"
	say "the fuzzer found a problem (exit $status); the input is in $out/artifacts/:"
	ls -l "$out/artifacts/" >&2
	exit 1
fi
say "no crash in $seconds s (log: $out/fuzz.log)"
