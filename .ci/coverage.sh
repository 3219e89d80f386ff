#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Line and branch coverage of src/ (the library) and tools/ (the dump
# reader and gmaptool) by the test suites: a build with gcov
# instrumentation (b_coverage), every suite but 'consumer' (which builds
# the library again, outside this build), then gcovr. Fails when src/
# falls below the targets: GMAP_COVERAGE_LINES (default 90) % of lines and
# GMAP_COVERAGE_BRANCHES (default 80) % of branches.
#
# Writes BUILD_DIR/coverage-src.txt and coverage-tools.txt (per file) and
# prints the summary lines.
#
# Usage: .ci/coverage.sh [BUILD_DIR]   (default build-coverage)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-build-coverage}
lines=${GMAP_COVERAGE_LINES:-90}
branches=${GMAP_COVERAGE_BRANCHES:-80}

# -O1, not -O0: the walker is specialised per storage kind by inlining,
# and only folding the constant kind removes the other kinds' arms from
# each copy, which -O0 would count as branches never taken. Atomic counter
# updates: threaded tests would otherwise race on them.
opts=(-Db_coverage=true -Dbuildtype=plain -Dbench=false '-Dc_args=-O1 -g -fprofile-update=atomic')
if [ -f "$dir/build.ninja" ]; then
	meson setup --reconfigure "$dir" "${opts[@]}"
else
	meson setup "$dir" "${opts[@]}"
fi
find "$dir" -name '*.gcda' -delete
status=0
meson test -C "$dir" --no-suite consumer --print-errorlogs || status=1

# Branches that gcc puts on lines without code of their own (a closing
# brace, a lone "else") are left out.
gcovr_args=(-r . "$dir" --exclude-unreachable-branches)
echo "coverage of tools/:"
gcovr "${gcovr_args[@]}" --filter 'tools/' --txt "$dir/coverage-tools.txt" --print-summary
echo "coverage of src/ (targets: $lines % lines, $branches % branches):"
gcovr "${gcovr_args[@]}" --filter 'src/' --txt "$dir/coverage-src.txt" --print-summary \
	--fail-under-line "$lines" --fail-under-branch "$branches" || status=1
exit $status
