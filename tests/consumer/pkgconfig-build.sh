#!/bin/sh
# SPDX-License-Identifier: MIT
# Consumer build through pkg-config: configure libgmap alone (no tests,
# tools, benchmarks or examples) into a temporary prefix, install it, check
# the installed libgmap.pc, and build and run every program of examples/
# against the installed headers and library the way a user does:
# cc prog.c $(pkg-config --cflags --libs libgmap), and statically with
# pkg-config --static (which needs Libs.private / Requires.private right).
#
# Usage: pkgconfig-build.sh SOURCE_ROOT VERSION CC...
set -eu
src=$1
version=$2
shift 2
cc="$*"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmap-consumer-pc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=step.sh
. "$(dirname "$0")/step.sh"

step env CC="$cc" meson setup "$tmp/build" "$src" --prefix="$tmp/prefix" --libdir=lib \
	-Dtests=disabled -Dtools=disabled -Dbench=false -Dexamples=false -Ddocs=disabled
step meson install -C "$tmp/build"

export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
got=$(pkg-config --modversion libgmap)
if [ "$got" != "$version" ]; then
	echo "FAIL: installed libgmap.pc says version $got, the project is $version"
	exit 1
fi
for h in "$src"/include/libgmap/*.h; do
	h=$(basename "$h")
	if [ ! -f "$tmp/prefix/include/libgmap/$h" ]; then
		echo "FAIL: $h is not installed"
		exit 1
	fi
done

n=0
for ex in "$src"/examples/*.c; do
	name=$(basename "$ex" .c)
	# shellcheck disable=SC2046 # pkg-config's output is meant to split
	step $cc -std=c11 -Wall -Wextra -pedantic -Werror "$ex" -o "$tmp/$name" \
		$(pkg-config --cflags --libs libgmap)
	step env LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/$name"
	# shellcheck disable=SC2046
	step $cc -std=c11 -static "$ex" -o "$tmp/$name-static" \
		$(pkg-config --static --cflags --libs libgmap)
	step "$tmp/$name-static"
	n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
	echo "FAIL: no program in $src/examples"
	exit 1
fi
echo "ok: libgmap $version installed; $n example(s) built through pkg-config, shared and static, and ran"
