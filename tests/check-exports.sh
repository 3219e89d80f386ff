#!/bin/sh
# The shared library exports exactly the functions that the public headers
# declare with GMAP_API, and nothing outside the gmap_ prefix.
# Usage: check-exports.sh LIBRARY HEADER_DIR
set -eu
lib=$1
hdrs=$2
tmp=${TMPDIR:-/tmp}/gmap-exports.$$
trap 'rm -f "$tmp".*' EXIT

nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ { print $3 }' | sed 's/@.*//' |
	sort -u >"$tmp.exported"
cat "$hdrs"/*.h | tr '\n' ' ' | sed 's/;/;\n/g' | grep 'GMAP_API' |
	sed -n 's/.*[ *]\(gmap_[a-z0-9_]*\) *(.*/\1/p' | sort -u >"$tmp.declared"

status=0
if grep -v '^gmap_' "$tmp.exported"; then
	echo "FAIL: symbols outside the gmap_ prefix are exported (above)"
	status=1
fi
if ! diff -u "$tmp.declared" "$tmp.exported"; then
	echo "FAIL: exported symbols differ from the GMAP_API declarations (- declared, + exported)"
	status=1
fi
n=$(wc -l <"$tmp.exported")
if [ "$status" -eq 0 ]; then
	echo "ok: $n exported symbols, all declared with GMAP_API"
fi
exit $status
