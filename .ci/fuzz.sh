#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the fuzz targets with clang's libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer, and run each over its seed corpus
# (tests/fuzz/corpus/NAME, read-only) plus GMAP_FUZZ_SECONDS (default 60)
# of fuzzing into a scratch corpus. A crash, leak, sanitizer report or
# broken invariant fails the target; its input is kept as
# BUILD_DIR/fuzz-artifacts/NAME-crash-* and the log as
# BUILD_DIR/fuzz-artifacts/NAME.log.
#
# Prints one line per target with its executions, then
# "fuzz: N passed, N failed", and writes BUILD_DIR/fuzz-results.json (one
# JSON object per target, as meson's testlog) for .ci/summary.py.
#
# Usage: .ci/fuzz.sh [BUILD_DIR] [TARGET...]   (default build-fuzz, all)
set -uo pipefail
cd "$(dirname "$0")/.."

dir=${1:-build-fuzz}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(walk range tlb mm gmap shadow dump)
secs=${GMAP_FUZZ_SECONDS:-60}
art=$dir/fuzz-artifacts
results=$dir/fuzz-results.json

if [ ! -f "$dir/build.ninja" ]; then
	CC=clang meson setup "$dir" --werror -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbench=false -Dexamples=false || exit 1
fi
ninja -C "$dir" "${targets[@]/#/tests/fuzz/fuzz-}" || exit 1

mkdir -p "$art"
: >"$results"
passed=0
failed=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for t in "${targets[@]}"; do
	work=$(mktemp -d "${TMPDIR:-/tmp}/gmap-fuzz-$t.XXXXXX")
	log=$art/$t.log
	start=$(date +%s)
	"$dir/tests/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=20 -print_final_stats=1 \
		-artifact_prefix="$art/$t-" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	corpus=$(find "$work" -type f | wc -l)
	rm -rf "$work"
	if [ "$rc" -eq 0 ]; then
		result=OK
		passed=$((passed + 1))
	else
		result=FAIL
		failed=$((failed + 1))
		grep -E -m 20 'invariant broken|ERROR|SUMMARY|Test unit written' "$log"
	fi
	echo "fuzz-$t: $result, ${execs:-0} executions in $((end - start)) s, $corpus new corpus inputs"
	printf '{"name": "fuzz-%s", "result": "%s", "executions": %s, "seconds": %s}\n' \
		"$t" "$result" "${execs:-0}" "$((end - start))" >>"$results"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
