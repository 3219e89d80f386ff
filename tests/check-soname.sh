#!/bin/sh
# SPDX-License-Identifier: MIT
# The shared library's ABI is versioned: its soname is libgmap.so.SOVERSION
# (so an incompatible libgmap can sit beside this one), its file is
# libgmap.so.VERSION, and every exported symbol carries a version node
# that libgmap.map declares (so a later library can add nodes and keep
# old binaries' symbols).
# Usage: check-soname.sh LIBRARY SOVERSION VERSION MAPFILE
set -eu
lib=$1
sov=$2
ver=$3
map=$4
status=0

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$soname" != "libgmap.so.$sov" ]; then
	echo "FAIL: soname is '$soname', not libgmap.so.$sov"
	status=1
fi
if [ "$(basename "$lib")" != "libgmap.so.$ver" ]; then
	echo "FAIL: the library file is $(basename "$lib"), not libgmap.so.$ver"
	status=1
fi

nodes=$(sed -n 's/^[[:space:]]*\([A-Za-z0-9_.]*\)[[:space:]]*{.*/\1/p' "$map")
if [ -z "$nodes" ]; then
	echo "FAIL: $map declares no version node"
	exit 1
fi
# objdump -T: ... VERSION NAME for each dynamic symbol; defined ones only.
unversioned=$(objdump -T "$lib" | awk -v nodes="$nodes" '
	BEGIN { n = split(nodes, a, /[[:space:]]+/); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
	$NF ~ /^gmap_/ && $0 !~ /\*UND\*/ { if (!($(NF - 1) in ok)) print $NF " (" $(NF - 1) ")" }')
if [ -n "$unversioned" ]; then
	echo "FAIL: exported symbols without a version node of $map:"
	echo "$unversioned"
	status=1
fi
n=$(objdump -T "$lib" | awk '$NF ~ /^gmap_/ && $0 !~ /\*UND\*/' | wc -l)
if [ "$n" -eq 0 ]; then
	echo "FAIL: no exported gmap_ symbol found"
	status=1
fi
if [ "$status" -eq 0 ]; then
	echo "ok: soname $soname, file libgmap.so.$ver, $n symbols versioned ($(echo $nodes))"
fi
exit $status
