# SPDX-License-Identifier: MIT
# Sourced by the consumer build scripts: step CMD... runs CMD with its
# output kept in $tmp/step.log, shown (and the script ended) on failure.
step() {
	log=$tmp/step.log
	if ! "$@" >"$log" 2>&1; then
		cat "$log"
		echo "FAIL: $*"
		exit 1
	fi
}
