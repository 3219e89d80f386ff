/* SPDX-License-Identifier: MIT */
/*
 * The dump suite's shared pieces: the synthetic s390 core file the tests
 * build (layout, guest tables, registers), the temp-directory fixture, and
 * the case lists of each file.
 */
#ifndef TEST_DUMP_H
#define TEST_DUMP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libgmap/dat.h>

#include "dump.h"

/* Layout of the synthetic core: header, program headers, notes from
 * NOTES_OFF, storage from LOAD_OFF, then (optionally) section headers. */
#define NOTES_OFF	0x100
#define LOAD_OFF	0x1000
#define GUEST_SIZE	0x10000		/* 64 KB of guest absolute storage */
#define GAP_START	0x8000		/* with .gap: no storage at 32-48 KB, */
#define GAP_END		0xc000
#define TAIL_HELD	0x2000		/* and only 8 KB of 48-64 KB in the file */
#define CORE_MAX	(LOAD_OFF + GUEST_SIZE + 0x1000)

/* Guest tables: segment table at 0x1000 (ASCE DT 0, TL 0), page table at
 * 0x2000; pages 0-4 map 0x3000, 0x4000 (protected), invalid, real 0 (the
 * prefix area) and 0xd000; segment 1 is invalid; segment 2's page table is
 * at 0x9000, in the gap with .gap. */
#define ST		0x1000
#define PT		0x2000
#define PT_IN_GAP	0x9000
#define PREFIX0		0x6000
#define TEST_ASCE	(ST | (GMAP_TT_SEGMENT << GMAP_ASCE_DT_SHIFT))

/* The PSWs the notes of CPU 0 and CPU 1 hold. */
#define PSW_MASK0	0x0705000180000000ULL
#define PSW_ADDR0	0x000000000100171cULL
#define PSW_MASK1	0x0404c00180000000ULL
#define PSW_ADDR1	0x0000000000012345ULL

/**
 * struct core_spec - how the synthetic core differs from a valid one.
 * @le: write every field little-endian
 * @elf_class: EI_CLASS (0: ELFCLASS64)
 * @machine: e_machine (0: EM_S390)
 * @type: e_type (0: ET_CORE)
 * @no_load: only the PT_NOTE, no PT_LOAD
 * @gap: two PT_LOADs, a gap between, the second only partly in the file
 * @overlap: two PT_LOADs that overlap
 * @bad_shdr: section headers, the second pointing beyond the file
 * @cut_note: the last note claims more bytes than the PT_NOTE holds
 */
struct core_spec {
	bool le;
	unsigned char elf_class;
	uint16_t machine;
	uint16_t type;
	bool no_load;
	bool gap;
	bool overlap;
	bool bad_shdr;
	bool cut_note;
};

/**
 * struct core - a synthetic core file.
 * @b: its bytes
 * @len: its length
 * @le: written little-endian
 */
struct core {
	unsigned char b[CORE_MAX];
	size_t len;
	bool le;
};

/**
 * struct fixture - per-case state: a temp directory and the last path.
 * @dir: the directory (removed with its files by dump_teardown())
 * @path: the last file written
 */
struct fixture {
	char dir[64];
	char path[128];
};

#define DUMP_TEST(fn) cmocka_unit_test_setup_teardown(fn, dump_setup, dump_teardown)

/**
 * build_core() - build the synthetic core.
 * @c: out: the file
 * @s: the variant
 * @guest: out: GUEST_SIZE bytes, guest absolute storage as the dump holds it
 */
void build_core(struct core *c, const struct core_spec *s, unsigned char *guest);

/**
 * cr_value() - control register @i of @cpu in the synthetic core.
 * @cpu: 0 or 1
 * @i: 0-15
 *
 * Return: the value.
 */
uint64_t cr_value(unsigned int cpu, unsigned int i);

/**
 * gpr_value() - general register @i of @cpu in the synthetic core.
 * @cpu: 0 or 1
 * @i: 0-15
 *
 * Return: the value.
 */
uint64_t gpr_value(unsigned int cpu, unsigned int i);

/**
 * compress_core() - xz-compress a core.
 * @c: the core
 * @out: out: the xz data
 * @cap: size of @out
 *
 * Return: bytes of xz data.
 */
size_t compress_core(const struct core *c, unsigned char *out, size_t cap);

/**
 * write_file() - write a file into the fixture's directory.
 * @f: the fixture
 * @name: file name
 * @data: contents
 * @len: bytes
 *
 * Return: the path (@f->path).
 */
const char *write_file(struct fixture *f, const char *name, const void *data, size_t len);

/**
 * write_core() - build a core and write it, less its last @cut bytes.
 * @f: the fixture
 * @name: file name
 * @s: the variant
 * @cut: bytes to leave off the end
 *
 * Return: the path.
 */
const char *write_core(struct fixture *f, const char *name, const struct core_spec *s,
		       size_t cut);

/**
 * expect_open_error() - gmap_dump_open() must fail, leave *out alone, and
 * say why.
 * @path: the file
 * @expect: the negative errno expected
 * @needle: text the message must contain (besides @path)
 */
void expect_open_error(const char *path, int expect, const char *needle);

/**
 * dump_setup() - per-case setup: a fresh temp directory.
 * @state: out: the struct fixture
 *
 * Return: 0.
 */
int dump_setup(void **state);

/**
 * dump_teardown() - remove the temp directory and its files.
 * @state: the struct fixture
 *
 * Return: 0.
 */
int dump_teardown(void **state);

extern const struct CMUnitTest dump_read_tests[];
extern const size_t dump_read_ntests;
extern const struct CMUnitTest dump_oracle_tests[];
extern const size_t dump_oracle_ntests;

#endif /* TEST_DUMP_H */
