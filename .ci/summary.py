#!/usr/bin/env python3
"""Sum meson test logs into one closing line: 'N passed, N failed'.

Usage: summary.py TESTLOG.json [...]
Each argument is a meson testlog (one JSON object per line). A TAP test
counts as one test, whatever its number of cases. Exit 1 if any failed.
"""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
tail = f", {skipped} skipped" if skipped else ""
print(f"{passed} passed, {failed} failed{tail}")
sys.exit(1 if failed else 0)
