#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of the fuzz targets into tests/fuzz/corpus/.

The seeds are committed; run this again only to change them. Each seed is
a small, valid starting point in its target's input format (see the
comment at the top of each fuzz-*.c): tables at every level, EDAT frames,
protection, the common operations, and a synthetic s390 core file.

Files named finding-* in the corpus are inputs that once broke an
invariant (the fuzzer's own reproducers of fixed bugs); they are kept as
seeds so every replay checks the fix, and this script leaves them alone.

Usage: make-seeds.py [CORPUS_DIR]
"""
import lzma
import os
import struct
import sys

CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")

# Facility bits (include/libgmap/dat.h).
EDAT1, EDAT2, IEP, ESOP1, ESOP2 = 1, 2, 4, 8, 16
FAC_ALL = 0x1F

# Entry bits.
CRSTE_FC, CRSTE_P, CRSTE_IEP, CRSTE_I, CRSTE_CS = 0x400, 0x200, 0x100, 0x20, 0x10
PTE_Z, PTE_I, PTE_P, PTE_IEP = 0x800, 0x400, 0x200, 0x100
ASCE_P, ASCE_R = 0x100, 0x20


def asce(origin, dt, tl, flags=0):
    return origin | dt << 2 | tl | flags


def table(origin, tt, tf=0, tl=3, flags=0):
    if tt == 0:
        return origin | flags
    return origin | tf << 6 | tl | tt << 2 | flags


def frame(addr, tt, flags=0):
    return addr | CRSTE_FC | tt << 2 | flags


def rec(addr, val):
    """A record of fz_image_fill(): word index, value."""
    return struct.pack(">HQ", addr // 8, val)


def records(entries):
    return bytes([len(entries)]) + b"".join(rec(a, v) for a, v in entries)


# Five levels: region-first table at 0x1000 (TL 3), region-second 0x2000,
# region-third 0x3000, segment 0x4000, page table 0x5000; a 1 MB frame at
# segment 1, a 2 GB frame at region-third 1, and ptes of every kind.
FIVE = [
    (0x1000, table(0x2000, 3)),
    (0x2000, table(0x3000, 2)),
    (0x3000, table(0x4000, 1)),
    (0x3008, frame(0x80000000, 1, CRSTE_P)),
    (0x3010, table(0x4000, 1, tf=1, tl=2)),
    (0x4000, table(0x5000, 0)),
    (0x4008, frame(0x100000, 0, CRSTE_IEP | 0x10000 | 0x5000 | 0x800)),
    (0x4010, table(0x5800, 0, flags=CRSTE_P)),
    (0x4018, CRSTE_I),
    (0x4020, table(0x5000, 0, flags=CRSTE_CS)),
    (0x5000, 0x8000),
    (0x5008, 0x9000 | PTE_P),
    (0x5010, PTE_I),
    (0x5018, 0xA000 | PTE_IEP),
    (0x5020, 0xB000 | PTE_Z),
    (0x5028, 0x0000),
    (0x5800, 0xC000),
]
FIVE_ASCE = asce(0x1000, 3, 3)

# Three levels from a region-third table, private space.
THREE = [
    (0x6000, table(0x7000, 1, tl=1)),
    (0x7000, table(0x5000, 0)),
    (0x7008, frame(0x200000, 0, CRSTE_CS)),
    (0x7010, frame(0x300000, 0)),
]
THREE_ASCE = asce(0x6000, 1, 0, ASCE_P)

VAS = [0x0, 0x1234, 0x2FF8, 0x3000, 0x4567, 0x5000, 0x100ABC, 0x200000, 0x300FFF,
       0x80001234, 0x100000000, 1 << 31, 1 << 42, 1 << 53, 0xFFFFFFFFFFFFF000]


def walk_seed(fac, access, as_, asc, prefix, entries, vas, trim=0):
    head = struct.pack(">BBQQB", fac, access | as_ << 2, asc, prefix, trim)
    return head + records(entries) + b"".join(struct.pack(">Q", v) for v in vas)


def range_seed(fac, mask, asc, start, end, entries, skip=0, stop_at=0, stop_val=0):
    head = struct.pack(">BBQQQBHb", fac, mask, asc, start, end, skip, stop_at, stop_val)
    return head + records(entries)


# TLB operations (fuzz-tlb.c).
def op_store(addr, val):
    return struct.pack(">BHQ", 0, addr // 8, val)


def op_translate(cpu, access, vaddr, prefix_sel=0):
    return struct.pack(">BBBQ", 1, cpu, access | prefix_sel << 2, vaddr)


def op_ipte(cpu, sel, addr, nr):
    return struct.pack(">BBBHB", 2, cpu, sel, addr // 8, nr - 1)


def op_idte(cpu, sel, addr):
    return struct.pack(">BBBH", 3, cpu, sel, addr // 8)


def op_idte_asce(cpu, sel):
    return struct.pack(">BBB", 4, cpu, sel)


def op_csp(cpu, fail, addr, new):
    return struct.pack(">BBBHQ", 5, cpu, fail, addr // 8, new)


def op_ptlb(cpu):
    return struct.pack(">BB", 6, cpu)


def op_load(cpu, asc):
    return struct.pack(">BBQ", 7, cpu, asc)


def op_sske(cpu, frame_no, key, flags):
    return struct.pack(">BBBBB", 8, cpu, frame_no, key, flags)


def op_keys(frame_no):
    return struct.pack(">BB", 9, frame_no)


def tlb_seed(cfg, fac, entries, ops):
    return bytes([cfg, fac]) + records(entries) + b"".join(ops)


def tlb_story(two_cpus):
    """Translate, change a pte without IPTE, then purge in every way."""
    ops = [op_load(0, FIVE_ASCE), op_load(1, THREE_ASCE if two_cpus else FIVE_ASCE)]
    for cpu in (0, 1):
        for va in (0x1234, 0x100ABC, 0x80000010, 0x4567):
            ops.append(op_translate(cpu, 0, va))
    ops += [
        op_store(0x5000, 0xD000),           # remap page 0 without IPTE
        op_translate(0, 0, 0x1234),         # strict: may still see 0x8000
        op_translate(0, 1, 0x1234, 1),      # store, prefix 0x2000
        op_ipte(0, 1, 0x5000, 1),           # local IPTE on CPU 0
        op_translate(0, 0, 0x1234),
        op_translate(1, 0, 0x1234),
        op_store(0x5000, 0xE000),
        op_ipte(1, 2, 0x5000, 4),           # by ASCE, range of 4
        op_translate(1, 2, 0x1234),
        op_store(0x4008, frame(0x400000, 0)),
        op_idte(0, 0, 0x4008),
        op_translate(0, 0, 0x100ABC),
        op_idte(0, 4, 0x3008),              # NODAT
        op_translate(0, 1, 0x80000010),
        op_idte_asce(1, 1),
        op_csp(0, 0, 0x5008, struct.unpack("<Q", struct.pack(">Q", 0xF000))[0]),
        op_csp(0, 1, 0x5008, 0),
        op_translate(0, 0, 0x2345),
        op_ptlb(1),
        op_translate(1, 0, 0x1234),
        op_sske(0, 3, 0x36, 0),
        op_sske(1, 3, 0x30, 2),
        op_sske(0, 5, 0x10, 6),
        op_keys(3),
        op_keys(5),
        op_keys(7),
    ]
    return ops


def elf_core(ncpus=1, gap=False, shdrs=False, guest_size=0x4000):
    """A small ELF64 big-endian s390 core with one segment-table ASCE."""
    guest = bytearray(guest_size)
    struct.pack_into(">Q", guest, 0x1000, table(0x2000, 0))       # segment 0
    struct.pack_into(">Q", guest, 0x1008, frame(0x100000, 0))     # segment 1
    for i in range(8):
        struct.pack_into(">Q", guest, 0x2000 + 8 * i, (0x3000 if i % 2 else PTE_I) | i << 12)

    def note(name, ntype, desc):
        n = name.encode() + b"\0"
        pad = lambda b: b + b"\0" * (-len(b) % 4)
        return struct.pack(">III", len(n), len(desc), ntype) + pad(n) + pad(desc)

    notes = b""
    for cpu in range(ncpus):
        prstatus = bytearray(336)
        struct.pack_into(">QQ", prstatus, 112, 0x0705000180000000, 0x1234 + cpu)
        notes += note("CORE", 1, bytes(prstatus))
        notes += note("LINUX", 0x305, struct.pack(">I", 0x2000 * cpu))
        crs = [0] * 16
        crs[0], crs[1], crs[7], crs[13] = 0x14966A10, asce(0x1000, 0, 0), 0x1000, 0x1000
        notes += note("LINUX", 0x304, struct.pack(">16Q", *crs))

    phoff, notes_off, load_off = 64, 0x200, 0x1000
    loads = [(0, guest_size, guest_size)]
    if gap:
        loads = [(0, 0x2000, 0x2000), (0x3000, guest_size - 0x3000, 0x800)]
    phdrs = [struct.pack(">IIQQQQQQ", 4, 0, notes_off, 0, 0, len(notes), 0, 0)]
    off = load_off
    for start, size, filesz in loads:
        phdrs.append(struct.pack(">IIQQQQQQ", 1, 7, off, 0, start, filesz, size, 0))
        off += filesz
    end = off
    shoff, shnum = (end, 2) if shdrs else (0, 0)
    ehdr = struct.pack(">4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 2, 1, 0, 0, b"\0" * 7,
                       4, 22, 1, 0, phoff, shoff, 0, 64, 56, len(phdrs), 64, shnum, 0)
    img = bytearray(end)
    img[0:64] = ehdr
    img[phoff:phoff + 56 * len(phdrs)] = b"".join(phdrs)
    img[notes_off:notes_off + len(notes)] = notes
    off = load_off
    for start, size, filesz in loads:
        img[off:off + filesz] = guest[start:start + filesz]
        off += filesz
    if shdrs:
        # A null section, then one whose offset lies beyond the file.
        img += bytes(64) + struct.pack(">IIQQQQIIQQ", 1, 3, 0, 0, 0x7FFFFFFF, 0x10, 0, 0, 1, 0)
    return bytes(img)


# fuzz-mm.c: operation codes, and the configuration byte's bits.
(MM_MAP, MM_UNMAP, MM_MPROTECT, MM_ZAP, MM_FAULT, MM_YOUNG, MM_SET_KEY, MM_COND_KEY,
 MM_ZAP_KEY, MM_RRBE, MM_UC, MM_SYNC, MM_FORCE_PROT, MM_SET_BITS, MM_ZAP_UNUSED,
 MM_ESSA, MM_NOTIFIER, MM_ENABLE_SIE, MM_FAIL) = range(19)
MM_PGSTE, MM_STRICT, MM_NO_ESOP = 1, 2, 16
PROT_NONE, PROT_READ, PROT_RW = 0, 1, 2


def mm_seed(cfg, levels, ops):
    return bytes([cfg | (levels - 2) << 2]) + b"".join(bytes(op) for op in ops)


def mm_story(sie=False):
    """Map, fault, keys, dirty tracking, CMMA and notifiers on 16 pages.

    Ranges are (first page, pages - 1) as fuzz-mm.c reads them."""
    ops = [
        (MM_MAP, 0, 5, PROT_RW),            # anonymous, read/write
        (MM_MAP, 6, 3, PROT_READ | 4),      # caller frames, read-only
        (MM_MAP, 12, 3, PROT_NONE),
        (MM_MAP, 4, 3, PROT_RW),            # overlaps: -EEXIST
        (MM_FAULT, 0, 1), (MM_FAULT, 1, 0), (MM_FAULT, 7, 2), (MM_FAULT, 7, 1),
        (MM_FAULT, 12, 0), (MM_FAULT, 5, 1 | 0x40),
        (MM_SET_KEY, 0, 0x36), (MM_SET_KEY, 10, 0x50), (MM_SET_KEY, 15, 0x01),
    ]
    if sie:
        ops += [(MM_SET_KEY, 0, 0x10), (MM_UC, 0), (MM_ENABLE_SIE,), (MM_ENABLE_SIE,)]
    ops += [
        (MM_NOTIFIER, 0), (MM_NOTIFIER, 1), (MM_NOTIFIER, 0), (MM_NOTIFIER, 4),
        (MM_COND_KEY, 0, 0x36, 2), (MM_COND_KEY, 1, 0x94, 6), (MM_COND_KEY, 3, 0x10, 8),
        (MM_SET_KEY, 1, 0x94), (MM_RRBE, 1), (MM_RRBE, 2),
        (MM_SYNC, 0, 15), (MM_FAULT, 1, 1), (MM_UC, 1), (MM_UC, 1),
        (MM_FORCE_PROT, 0, 0x04 | PROT_NONE), (MM_FORCE_PROT, 1, 0x08 | PROT_READ),
        (MM_FORCE_PROT, 2, PROT_RW), (MM_FAULT, 0, 1),
        (MM_SET_BITS, 2) + tuple(struct.pack(">BQ", 2, 1 << 47)),
        (MM_SET_BITS, 3) + tuple(struct.pack(">BQ", 9, 0)),
        (MM_SET_BITS, 11) + tuple(struct.pack(">BQ", 5, 0xA800000000000000)),
        (MM_ESSA, 1, 2), (MM_ESSA, 2, 3), (MM_ESSA, 3, 7), (MM_ESSA, 4, 0), (MM_ESSA, 5, 8),
        (MM_ZAP_UNUSED, 1, 0), (MM_ZAP_UNUSED, 2, 0), (MM_ZAP_UNUSED, 3, 1),
        (MM_YOUNG, 7), (MM_YOUNG, 7), (MM_YOUNG, 9), (MM_ZAP_KEY, 7), (MM_ZAP_KEY, 0),
        (MM_FAIL, 0), (MM_MPROTECT, 8, 7, PROT_READ),
        (MM_MPROTECT, 0, 5, PROT_READ), (MM_MPROTECT, 2, 1, PROT_RW),
        (MM_FAIL, 1), (MM_FAULT, 3, 1), (MM_FAIL, 0), (MM_SET_KEY, 14, 0x20),
        (MM_ZAP, 0, 4), (MM_NOTIFIER, 2), (MM_NOTIFIER, 3), (MM_NOTIFIER, 2),
        (MM_FAIL, 0), (MM_UNMAP, 2, 5), (MM_UNMAP, 0, 15), (MM_SYNC, 0, 15),
    ]
    return ops


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    both = FIVE + THREE
    write("walk", "five-levels-fetch", walk_seed(EDAT1 | EDAT2 | IEP, 0, 0, FIVE_ASCE, 0, FIVE, VAS))
    write("walk", "five-levels-store-esop", walk_seed(FAC_ALL, 1, 3, FIVE_ASCE, 0x4000, FIVE, VAS))
    write("walk", "five-levels-ifetch-noedat", walk_seed(IEP | ESOP1, 2, 1, FIVE_ASCE, 0x2000, FIVE, VAS))
    write("walk", "three-levels-private", walk_seed(EDAT1, 1, 2, THREE_ASCE, 0, both, VAS, trim=200))
    write("walk", "segment-asce-tl0", walk_seed(EDAT1 | IEP, 0, 0, asce(0x4000, 0, 0), 0, FIVE, VAS))
    write("walk", "real-space", walk_seed(0, 1, 0, asce(0, 0, 0, ASCE_R), 0x6000, [], [0x0, 0x1FFF, 0x6000, 0x8000]))

    full = 0x3F
    write("range", "five-levels-all", range_seed(EDAT1 | EDAT2, full, FIVE_ASCE, 0, 0x5FFFFF, FIVE))
    write("range", "five-levels-fn", range_seed(EDAT1 | EDAT2 | IEP, full | 0x40, FIVE_ASCE, 0x1000, 0x3FFFFF, FIVE))
    write("range", "five-levels-top", range_seed(FAC_ALL, full, FIVE_ASCE, 0x7FFFF000, 0x1FFFFFFFF, FIVE))
    write("range", "leaves-only-skip", range_seed(EDAT1, 0x31, FIVE_ASCE, 0, 0x5FFFFF, FIVE, skip=3))
    write("range", "no-pte-stop", range_seed(EDAT1, 0x2F, FIVE_ASCE, 0, 0x5FFFFF, FIVE, stop_at=40, stop_val=7))
    write("range", "three-levels-beyond", range_seed(EDAT1, full, THREE_ASCE, 0, 0xFFFFFFFFFFFFFFFF, both, stop_at=300, stop_val=-3))
    write("range", "backwards", range_seed(0, full, THREE_ASCE, 0x300000, 0x100000, both))

    write("tlb", "strict-two-cpus", tlb_seed(0x01 | 2 << 1 | 1 << 3, 0, both, tlb_story(True)))
    write("tlb", "nonstrict-two-cpus", tlb_seed(0x00 | 3 << 1 | 1 << 3, EDAT1 | IEP, both, tlb_story(True)))
    write("tlb", "strict-one-entry", tlb_seed(0x01 | 0 << 1, EDAT2, both, tlb_story(False)))
    write("tlb", "strict-four-cpus", tlb_seed(0x01 | 1 << 1 | 3 << 3, FAC_ALL, both, tlb_story(True)))

    write("mm", "pgste-two-levels", mm_seed(MM_PGSTE, 2, mm_story()))
    write("mm", "pgste-strict-no-esop", mm_seed(MM_PGSTE | MM_STRICT | MM_NO_ESOP, 3, mm_story()))
    write("mm", "enable-sie-strict", mm_seed(MM_STRICT, 4, mm_story(sie=True)))
    write("mm", "enable-sie-five-levels", mm_seed(MM_NO_ESOP, 5, mm_story(sie=True)))

    core = elf_core()
    write("dump", "core-plain", b"\0" + core)
    write("dump", "core-xz-one-block", b"\1" + core)
    write("dump", "core-xz-blocks", b"\2" + elf_core(ncpus=2))
    write("dump", "core-xz-corrupt", b"\3" + struct.pack(">HB", 200, 0x40) + core)
    write("dump", "core-xz-file", b"\0" + lzma.compress(core, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64))
    write("dump", "core-gap-sections", b"\0" + elf_core(ncpus=2, gap=True, shdrs=True))
    write("dump", "core-truncated", b"\0" + core[:0x1800])
    write("dump", "not-a-core", b"\0" + b"\x7fELF\2\1\1" + bytes(57))


if __name__ == "__main__":
    main()
