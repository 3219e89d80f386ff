#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cover suite: gmaptool's subcommands, run as a user runs them.

The expected values come from outside the code under test: the registers
and storage that tests/data/README.md gives for linux-6.1-s390x.elf.xz,
and lines of the shipped oracle (translations of QEMU and of an
independent reference walker). Checked: --help of every subcommand,
usage errors (exit 2) and runtime errors (exit 1) with their messages,
info's registers, translate's result per oracle line (address, frame,
protection, exception name and code, TEID address, store protection),
walk's path and result, census's JSON against its own totals and the
oracle, and check's verdicts on a small oracle with one wrong line
and on one whose declared line count is wrong.

Usage: test-cover-gmaptool.py GMAPTOOL DATA_DIR   (TAP on stdout)
"""
import json
import os
import re
import subprocess
import sys
import tempfile

TOOL, DATA = sys.argv[1], sys.argv[2]
DUMP = os.path.join(DATA, "linux-6.1-s390x.elf.xz")
ORACLE = os.path.join(DATA, "linux-6.1-s390x.oracle")

# The PoP's names of the codes (independent of gmap_pic_name()).
PIC_NAMES = {0x10: "segment-translation", 0x11: "page-translation",
             0x12: "translation-specification", 0x38: "ASCE-type",
             0x39: "region-first-translation", 0x3a: "region-second-translation",
             0x3b: "region-third-translation", 0x04: "protection"}

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


def oracle():
    """Header values and lines of the shipped oracle."""
    prefix, lines = None, []
    for line in open(ORACLE):
        if line.startswith("# prefix"):
            prefix = int(line.split()[2], 16)
        if line.startswith("#") or not line.strip():
            continue
        asce, va, res, pic, prot = line.split()
        lines.append((int(asce, 16), int(va, 16), None if res == "-" else int(res, 16),
                      int(pic, 16), prot == "1", line))
    return prefix, lines


PREFIX, LINES = oracle()
FAC = "edat1,iep,esop1"     # the oracle header: EDAT-1 yes, EDAT-2 no, IEP yes, ESOP yes


@case("help of the tool and of every subcommand")
def _():
    rc, out, _ = tool("--help")
    expect(rc == 0, f"--help exit {rc}")
    for cmd in ("info", "translate", "walk", "census", "check"):
        expect(re.search(rf"^  {cmd} ", out, re.M), f"--help does not list {cmd}")
        rc, out2, _ = tool(cmd, "--help")
        expect(rc == 0 and out2.startswith(f"usage: gmaptool {cmd}"), f"{cmd} --help: {rc}")


@case("usage errors exit 2 and say what is wrong")
def _():
    for args, needle in [((), "usage: gmaptool"),
                         (("frob",), "unknown command 'frob'"),
                         (("translate", DUMP), "expected DUMP and at least one VADDR"),
                         (("translate", DUMP, "--asce", "zz", "0"), "ASCE 'zz' is not a hex number"),
                         (("translate", DUMP, "0x10g"), "address '0x10g' is not a hex number"),
                         (("translate", DUMP, "--access", "write", "0"), "access 'write'"),
                         (("translate", DUMP, "--facilities", "edat2", "0"), "edat2 needs edat1"),
                         (("translate", DUMP, "--facilities", "edat9", "0"), "unknown facility 'edat9'"),
                         (("walk", DUMP, "1", "2"), "expected one VADDR"),
                         (("check", DUMP), "expected DUMP and ORACLE"),
                         (("info", "--bogus", DUMP), "bad option")]:
        rc, out, err = tool(*args)
        expect(rc == 2, f"{args}: exit {rc}, not 2")
        expect(needle in err, f"{args}: stderr lacks '{needle}': {err!r}")


@case("runtime errors exit 1 and name the file")
def _():
    missing = os.path.join(DATA, "no-such-dump.elf")
    rc, _, err = tool("info", missing)
    expect(rc == 1 and missing in err and "No such file" in err, f"missing file: {rc} {err!r}")
    rc, _, err = tool("translate", ORACLE, "0")
    expect(rc == 1 and "not an ELF core file or an xz-compressed one" in err,
           f"oracle as a dump: {rc} {err!r}")
    rc, _, err = tool("check", DUMP, missing)
    expect(rc == 1 and missing in err, f"check with a missing oracle: {rc} {err!r}")


@case("info shows the registers and storage the dump's README gives")
def _():
    rc, out, _ = tool("info", DUMP)
    expect(rc == 0, f"exit {rc}")
    for needle in ("cpus   1", "psw    0705000180000000 000000000100171c",
                   "prefix 0x0197c000", "cr0    0x0000000014966a10 EDAT-1 control on",
                   "cr1    0x0000000002b6c1cb primary ASCE: origin 0x2b6c000 DT region-second TL 3",
                   "cr7    0x0000000002b6c1cb", "cr13   0x0000000001290007 home ASCE",
                   "0x0000000000000000-0x000000000fffffff (0x10000000 bytes) at file offset 0x608",
                   "ignored section header 1"):
        expect(needle in out, f"info lacks '{needle}'")


def sample(per_asce=8):
    """Per ASCE: the first lines of each outcome (translates or not)."""
    picked = {}
    for l in LINES:
        key = (l[0], l[3] == 0)
        picked.setdefault(key, [])
        if len(picked[key]) < per_asce:
            picked[key].append(l)
    by_asce = {}
    for (asce, _), ls in picked.items():
        by_asce.setdefault(asce, []).extend(ls)
    return by_asce


def translate(asce, vas, access="fetch"):
    rc, out, err = tool("translate", DUMP, "--asce", hex(asce), "--facilities", FAC,
                        "--prefix", hex(PREFIX), "--access", access, *[hex(v) for v in vas])
    expect(rc == 0, f"translate exit {rc}: {err}")
    got = {}
    for line in out.splitlines():
        va, rest = line.split(" -> ")
        got[int(va, 16)] = rest
    return got


@case("translate agrees with the oracle's lines of every ASCE")
def _():
    n = 0
    for asce, ls in sample().items():
        got = translate(asce, [l[1] for l in ls])
        for a, va, res, pic, prot, text in ls:
            r = got[va]
            if pic == 0:
                m = re.fullmatch(r"0x([0-9a-f]{16}) (4K|1M|2G)( prot)?", r)
                expect(m and int(m.group(1), 16) == res and bool(m.group(3)) == prot,
                       f"{text.strip()}: got {r}")
            else:
                m = re.fullmatch(r"(\S+) \(0x([0-9a-f]{2})\)(?: teid 0x([0-9a-f]{16}))?", r)
                expect(m and m.group(1) == PIC_NAMES[pic] and int(m.group(2), 16) == pic,
                       f"{text.strip()}: got {r}")
                # A translation exception's TEID holds the page address;
                # a translation-specification exception has none.
                expect((m.group(3) is None) == (pic == 0x12), f"{text.strip()}: TEID {r}")
                if m.group(3):
                    expect(int(m.group(3), 16) & ~0xfff == va & ~0xfff, f"TEID address: {r}")
            n += 1
    expect(n >= 100, f"only {n} oracle lines sampled")


@case("a store through DAT protection is a protection exception")
def _():
    prot = [l for l in LINES if l[3] == 0 and l[4]][:8]
    free = [l for l in LINES if l[3] == 0 and not l[4] and l[0] == prot[0][0]][:4]
    expect(prot and free, "the oracle has protected and unprotected translations")
    for asce in {l[0] for l in prot}:
        ls = [l for l in prot + free if l[0] == asce]
        got = translate(asce, [l[1] for l in ls], "store")
        for a, va, res, pic, p, text in ls:
            if p:
                expect(got[va].startswith("protection (0x04) teid "), f"store {text}: {got[va]}")
            else:
                expect(got[va].startswith(f"0x{res:016x} "), f"store {text}: {got[va]}")


@case("walk shows the path and ends with translate's result")
def _():
    asce, va, res, _, _, _ = next(l for l in LINES if l[0] == 0x1290007 and l[3] == 0)
    rc, out, _ = tool("walk", DUMP, "--asce", hex(asce), "--facilities", FAC,
                      "--prefix", hex(PREFIX), hex(va))
    expect(rc == 0, f"walk exit {rc}")
    lines = out.splitlines()
    expect(lines[0].startswith(f"vaddr 0x{va:016x} "), lines[0])
    first = re.match(r"region-third +entry at 0x([0-9a-f]{16})", lines[3])
    rtx = (va >> 31) & 0x7ff
    expect(first and int(first.group(1), 16) == (asce & ~0xfff) + 8 * rtx,
           f"first entry: {lines[3]}")
    want = translate(asce, [va])[va]
    expect(lines[-1].startswith(f"result {want} (walk ended at "), f"{lines[-1]} vs {want}")


@case("census totals agree with themselves and with the oracle")
def _():
    asce = 0x2b941c7
    rc, out, _ = tool("census", DUMP, "--asce", hex(asce), "--facilities", FAC, "--json")
    expect(rc == 0, f"census exit {rc}")
    c = json.loads(out)
    m = c["mappings"]
    expect(c["mapped_bytes"] == (m["4K"] << 12) + (m["1M"] << 20) + (m["2G"] << 31),
           f"mapped bytes {c['mapped_bytes']} vs {m}")
    page = c["levels"]["page"]
    expect(page["valid"] + page["invalid"] == 256 * page["tables"], f"page level {page}")
    expect(m["4K"] == page["valid"], f"4K mappings {m['4K']} vs valid ptes {page['valid']}")
    # The oracle samples this ASCE's mappings: its translating lines fall
    # in no more distinct pages than census counts, protected ones too.
    pages = {l[1] >> 12 for l in LINES if l[0] == asce and l[3] == 0}
    prot = {l[1] >> 12 for l in LINES if l[0] == asce and l[3] == 0 and l[4]}
    expect(0 < len(pages) <= m["4K"] and len(prot) <= c["protected"],
           f"oracle pages {len(pages)} / protected {len(prot)} vs census {c}")
    rc, text, _ = tool("census", DUMP, "--asce", hex(asce), "--facilities", FAC)
    expect(rc == 0 and str(c["mapped_bytes"]) in text.replace(",", ""),
           f"plain census lacks {c['mapped_bytes']}")


@case("check passes good lines and names a wrong one")
def _():
    head = [l for l in open(ORACLE) if l.startswith("#") and not l.startswith("# lines")]
    good = [l[5] for l in LINES[:3]]
    a, va, res, pic, prot, _ = next(l for l in LINES if l[3] == 0)
    bad = f"{a:016x} {va:016x} {res + 0x1000:x} 0 {int(prot)}\n"
    with tempfile.TemporaryDirectory() as d:
        ok, wrong = os.path.join(d, "ok.oracle"), os.path.join(d, "wrong.oracle")
        open(ok, "w").writelines(head + ["# lines 4\n"] + good)
        # The line count the header declares is checked.
        rc, _, err = tool("check", DUMP, ok)
        expect(rc == 1 and "declares 4 lines but holds 3" in err, f"count: {rc} {err!r}")
        open(ok, "w").writelines(head + ["# lines 3\n"] + good)
        open(wrong, "w").writelines(head + ["# lines 4\n"] + good + [bad])
        rc, out, _ = tool("check", DUMP, ok)
        expect(rc == 0 and out.endswith("3 passed, 0 failed\n"), f"good: {rc} {out!r}")
        rc, out, _ = tool("check", DUMP, wrong)
        expect(rc == 1 and out.endswith("3 passed, 1 failed\n"), f"wrong: {rc} {out!r}")
        expect(f"line {len(head) + 5}: {a:016x} {va:016x}" in out, f"mismatch not shown: {out!r}")


def main():
    print(f"1..{len(results)}")
    failed = 0
    for i, (name, fn) in enumerate(results, 1):
        try:
            fn()
            print(f"ok {i} - {name}")
        except AssertionError as e:
            failed += 1
            print(f"not ok {i} - {name}\n# {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
