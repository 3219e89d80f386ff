#!/bin/sh
# SPDX-License-Identifier: MIT
# Consumer build as a Meson subproject: a tiny project (subproject/) whose
# subprojects/libgmap is a symlink to this source tree finds libgmap with
# dependency('libgmap', fallback: ...), as README.md tells users to, and
# builds and runs a program against it.
#
# Usage: subproject-build.sh SOURCE_ROOT CC...
set -eu
src=$1
shift
cc="$*"
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gmap-consumer-sp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=step.sh
. "$(dirname "$0")/step.sh"

mkdir -p "$tmp/proj/subprojects"
cp "$here/subproject/meson.build" "$here/subproject/consumer.c" "$tmp/proj/"
ln -s "$src" "$tmp/proj/subprojects/libgmap"
# --force-fallback-for: use the subproject even where libgmap is installed.
step env CC="$cc" meson setup "$tmp/build" "$tmp/proj" --force-fallback-for=libgmap
step meson compile -C "$tmp/build"
step "$tmp/build/consumer"
cat "$tmp/step.log"
