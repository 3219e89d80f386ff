#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""realshadow suite: shadow tables of the shipped dumps' real guest tables.

gmaptool check --shadow and gmaptool replay run as a user runs them; the
expected values come from outside the code under test: the oracle files
(translations of QEMU, Hercules and an independent reference walker) and
the address spaces tests/data/README.md lists for each dump.

Usage: test-realshadow.py GMAPTOOL DATA_DIR CASE [DUMP]   (TAP on stdout)
  CASE check DUMP        check --shadow: every oracle line agrees
  CASE check-large DUMP  the same with guest 1 on 1 MB host frames
  CASE replay DUMP       replay: every write passes, both unshadowed and
                         kept translations are seen, every live address
                         space of the README is shadowed
  CASE replay-large DUMP replay with guest 1 on 1 MB host frames
  CASE cli               usage errors, --help, a wrong oracle fails on
                         exactly its wrong lines, replay's seed, replay
                         fails when the writes bypass the parent
"""
import os
import re
import subprocess
import sys
import tempfile

TOOL, DATA, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
DUMP = sys.argv[4] if len(sys.argv) > 4 else "linux-6.1-s390x"

# The live address spaces of each dump (tests/data/README.md).
LIVE = {
    "linux-6.1-s390x": [0x1290007, 0x2ab81cf, 0x2b141cf, 0x2b6c1cb, 0x2b941c7],
    "linux-6.1-s390x-hercules": [0x1290007, 0x2e001cf, 0x2e401cf, 0x2df81c7],
    "linux-6.1-s390x-edat2": [0x1290007, 0x816741cf, 0x816b01cf, 0x817481cb, 0x817601c7],
}

results = []


def case(name):
    def wrap(fn):
        results.append((name, fn))
        return fn
    return wrap


def tool(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def paths(d):
    return os.path.join(DATA, d + ".elf.xz"), os.path.join(DATA, d + ".oracle")


def oracle_lines(path):
    return [l for l in open(path) if l.strip() and not l.startswith("#")]


def check_shadow(large):
    dump, oracle = paths(DUMP)
    n = len(oracle_lines(oracle))
    rc, out, err = tool("check", "--shadow", *(["--large"] if large else []), dump, oracle)
    expect(rc == 0, f"exit {rc}: {out[-2000:]!r} {err!r}")
    expect(out == f"{n} passed, 0 failed\n", f"expected all {n} lines to pass: {out[-2000:]!r}")


ACTION = re.compile(r"^asce ([0-9a-f]+): (.+) 0x([0-9a-f]+): 0x([0-9a-f]{16}) -> 0x([0-9a-f]{16}): "
                    r"unshadowed (\d+), kept (\d+); refaulted, (\d+) translate: (ok|FAIL)$")


def replay(large):
    dump, oracle = paths(DUMP)
    rc, out, err = tool("replay", *(["--large"] if large else []), dump, oracle)
    expect(rc == 0, f"exit {rc}: {out[-3000:]!r} {err!r}")
    lines = out.splitlines()
    for a in LIVE[DUMP]:
        expect(any(l.startswith(f"asce {a:x}: shadow on CPU ") for l in lines),
               f"address space {a:x} not shadowed")
    first = [l for l in lines if l.startswith("first faults: ")]
    m = re.match(r"first faults: (\d+) of (\d+) samples translate: ok$", first[0] if first else "")
    expect(m and m.group(1) == m.group(2) and int(m.group(2)) >= 20 * len(LIVE[DUMP]),
           f"first faults: {first!r}")
    acts = [ACTION.match(l) for l in lines if ACTION.match(l)]
    expect(all(a.group(9) == "ok" for a in acts), "a write failed")
    kinds = {a.group(2) for a in acts}
    for k in ("invalidate pte", "restore pte", "invalidate segment entry", "restore segment entry",
              "move frame of pte", "move frame of segment entry"):
        expect(k in kinds, f"no '{k}' action among {sorted(kinds)}")
    # Every change is undone by the next write, to the same entry.
    for a, b in zip(acts[0::2], acts[1::2]):
        expect(b.group(2).startswith("restore") and a.group(3) == b.group(3) and
               a.group(5) == b.group(4) and a.group(4) == b.group(5), f"not restored: {a.group(0)}")
    expect(sum(int(a.group(6)) for a in acts) > 0, "nothing was unshadowed")
    expect(sum(int(a.group(7)) for a in acts) > 0, "nothing was kept")
    expect(lines[-1] == f"{len(acts) + 1} passed, 0 failed", f"summary: {lines[-1]!r}")


@case("usage errors and --help")
def cli_usage():
    dump, oracle = paths(DUMP)
    rc, _, err = tool("check", "--large", dump, oracle)
    expect(rc == 2 and "--large needs --shadow" in err, f"check --large: {rc} {err!r}")
    rc, _, err = tool("replay")
    expect(rc == 2 and "expected DUMP" in err, f"replay: {rc} {err!r}")
    rc, _, err = tool("replay", "--seed", "xyz", dump)
    expect(rc == 2 and "not a hex number" in err, f"replay --seed: {rc} {err!r}")
    rc, out, _ = tool("check", "--help")
    expect(rc == 0 and "--shadow" in out and "--large" in out, f"check --help: {out!r}")
    rc, out, _ = tool("replay", "--help")
    expect(rc == 0 and out.startswith("usage: gmaptool replay"), f"replay --help: {out!r}")
    rc, out, _ = tool("--help")
    expect(rc == 0 and re.search(r"^  replay ", out, re.M), "--help does not list replay")


@case("check --shadow fails on exactly the wrong lines of an oracle")
def cli_wrong_oracle():
    dump, oracle = paths(DUMP)
    src = open(oracle).readlines()
    head = [l for l in src if l.startswith("#") and not l.startswith("# lines")]
    body = oracle_lines(oracle)
    ok = [l for l in body if l.split()[3] == "0"][:30] + [l for l in body if l.split()[3] != "0"][:10]
    xlate = [i for i, l in enumerate(ok) if l.split()[2] != "-"]
    bad = list(ok)
    # A wrong address, a wrong protection, a wrong exception code.
    f = bad[xlate[0]].split()
    f[2] = f"{int(f[2], 16) + 0x1000:x}"
    bad[xlate[0]] = " ".join(f) + "\n"
    f = bad[xlate[1]].split()
    f[4] = "0" if f[4] == "1" else "1"
    bad[xlate[1]] = " ".join(f) + "\n"
    f = bad[-1].split()
    f[3] = "11" if f[3] != "11" else "10"
    bad[-1] = " ".join(f) + "\n"
    with tempfile.TemporaryDirectory() as d:
        good, wrong = os.path.join(d, "good.oracle"), os.path.join(d, "wrong.oracle")
        open(good, "w").writelines(head + [f"# lines {len(ok)}\n"] + ok)
        open(wrong, "w").writelines(head + [f"# lines {len(bad)}\n"] + bad)
        rc, out, err = tool("check", "--shadow", dump, good)
        expect(rc == 0 and out == f"{len(ok)} passed, 0 failed\n", f"good: {rc} {out!r} {err!r}")
        rc, out, err = tool("check", "--shadow", dump, wrong)
        expect(rc == 1 and out.endswith(f"{len(ok) - 3} passed, 3 failed\n"), f"wrong: {rc} {out!r}")
        for i in (xlate[0], xlate[1], len(bad) - 1):
            n = len(head) + 2 + i
            expect(re.search(rf"^line {n}: ", out, re.M), f"line {n} not shown: {out!r}")


@case("replay: the same seed replays the same run, another seed another one")
def cli_seed():
    dump, oracle = paths(DUMP)
    rc1, out1, _ = tool("replay", "--seed", "7", dump, oracle)
    rc2, out2, _ = tool("replay", "--seed", "7", dump, oracle)
    rc3, out3, _ = tool("replay", "--seed", "8", dump, oracle)
    expect(rc1 == rc2 == rc3 == 0, f"exit {rc1} {rc2} {rc3}")
    expect(out1 == out2, "the same seed gave different runs")
    expect(out1 != out3, "another seed gave the same run")


@case("replay --bypass-parent: writes no shadow hears of fail its checks")
def cli_bypass():
    dump, oracle = paths(DUMP)
    rc, out, _ = tool("replay", "--bypass-parent", dump, oracle)
    m = re.search(r"^(\d+) passed, (\d+) failed$", out, re.M)
    expect(rc == 1 and m and int(m.group(1)) >= 1 and int(m.group(2)) > 0,
           f"exit {rc}: {out[-500:]!r}")
    for what in ("the shadow still maps it", "still in the TLB of CPU",
                 "still translates it (stale)"):
        expect(what in out, f"no '{what}' problem reported")


def main():
    large = " --large" if CASE.endswith("-large") else ""
    if CASE == "cli":
        todo = results
    elif CASE in ("check", "check-large"):
        todo = [(f"check --shadow{large} {DUMP}", lambda: check_shadow(bool(large)))]
    elif CASE in ("replay", "replay-large"):
        todo = [(f"replay{large} {DUMP}", lambda: replay(bool(large)))]
    else:
        print(f"unknown case {CASE}", file=sys.stderr)
        return 2
    print(f"1..{len(todo)}")
    failed = 0
    for i, (name, fn) in enumerate(todo, 1):
        try:
            fn()
            print(f"ok {i} - {name}")
        except AssertionError as e:
            failed += 1
            print(f"not ok {i} - {name}\n# " + str(e).replace("\n", "\n# "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
