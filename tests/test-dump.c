// SPDX-License-Identifier: MIT
/*
 * The dump suite: the dump reader (tools/dump.c) on small core files the
 * test writes, valid and broken in every way the reader must refuse with a
 * clear message, plain and xz-compressed (this file); reading them back and
 * translating through tables built in them (test-dump-read.c); oracle files
 * and the oracle check (test-dump-oracle.c); and the facts of the shipped
 * 256 MB QEMU dump (this file).
 */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-groups.h"
#include "test-dump.h"

static void missing_file_is_enoent(void **state)
{
	struct fixture *f = *state;

	snprintf(f->path, sizeof(f->path), "%s/no-such.elf", f->dir);
	expect_open_error(f->path, -ENOENT, "No such file");
}

static void empty_file_is_refused(void **state)
{
	expect_open_error(write_file(*state, "empty", "", 0), -EINVAL, "empty file");
}

static void text_file_is_not_elf(void **state)
{
	static const char text[] = "ASCE VADDR RESULT PIC PROT\n";

	expect_open_error(write_file(*state, "text", text, sizeof(text) - 1), -EINVAL,
			  "not an ELF core file or an xz-compressed one");
}

static void elf64_little_endian_is_refused(void **state)
{
	struct core_spec s = { .le = true };

	expect_open_error(write_core(*state, "le.elf", &s, 0), -EINVAL, "not big-endian");
}

static void elf32_is_refused(void **state)
{
	struct core_spec s = { .elf_class = ELFCLASS32 };

	expect_open_error(write_core(*state, "32.elf", &s, 0), -EINVAL, "not ELF64");
}

static void x86_64_core_is_refused(void **state)
{
	struct core_spec s = { .machine = EM_X86_64 };

	expect_open_error(write_core(*state, "x86.elf", &s, 0), -EINVAL,
			  "machine 62 is not EM_S390");
}

static void executable_is_refused(void **state)
{
	struct core_spec s = { .type = ET_EXEC };

	expect_open_error(write_core(*state, "exec.elf", &s, 0), -EINVAL,
			  "ELF type 2 is not ET_CORE");
}

static void core_without_load_is_refused(void **state)
{
	struct core_spec s = { .no_load = true };

	expect_open_error(write_core(*state, "noload.elf", &s, 0), -EINVAL, "no PT_LOAD");
}

static void load_past_end_of_file_is_truncated(void **state)
{
	struct core_spec s = { 0 };

	expect_open_error(write_core(*state, "cut.elf", &s, 0x1000), -EINVAL,
			  "PT_LOAD 1 (file offset 0x1000, 0x10000 bytes) ends beyond the end of the file (0x10000 bytes): truncated");
}

static void note_past_segment_end_is_refused(void **state)
{
	struct core_spec s = { .cut_note = true };

	expect_open_error(write_core(*state, "note.elf", &s, 0), -EINVAL,
			  "truncated or corrupt notes");
}

static void file_cut_inside_notes_is_truncated(void **state)
{
	struct core_spec s = { 0 };
	struct core c;
	unsigned char guest[GUEST_SIZE];

	build_core(&c, &s, guest);
	expect_open_error(write_file(*state, "notes.elf", c.b, NOTES_OFF + 0x40), -EINVAL,
			  "PT_NOTE 0 (file offset 0x100, 0x4a4 bytes) ends beyond the end of the file (0x140 bytes): truncated");
}

static void overlapping_loads_are_refused(void **state)
{
	struct core_spec s = { .overlap = true };

	expect_open_error(write_core(*state, "overlap.elf", &s, 0), -EINVAL,
			  "PT_LOADs overlap at absolute 0xf000");
}

static void xz_magic_with_garbage_is_corrupt(void **state)
{
	static const unsigned char junk[] = { 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4, 5, 6,
					      7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18 };

	expect_open_error(write_file(*state, "junk.xz", junk, sizeof(junk)), -EBADMSG,
			  "xz");
}

static void truncated_xz_is_corrupt(void **state)
{
	static unsigned char xz[CORE_MAX];
	struct core_spec s = { 0 };
	unsigned char guest[GUEST_SIZE];
	static struct core c;
	size_t n;

	build_core(&c, &s, guest);
	n = compress_core(&c, xz, sizeof(xz));
	expect_open_error(write_file(*state, "cut.xz", xz, n / 2), -EBADMSG,
			  "truncated or corrupt xz data");
}

static void shipped_qemu_dump_matches_readme(void **state)
{
	const char *dir = getenv("GMAP_DATA_DIR");
	const struct gmap_dump_range *r;
	const struct gmap_dump_cpu *c;
	char path[512], err[GMAP_DUMP_ERRLEN];
	struct gmap_dat_request req = { .access = GMAP_DAT_IFETCH };
	struct gmap_dat_result res;
	struct gmap_dat_mem mem;
	struct gmap_dump *d;
	bool warned = false;

	(void)state;
	if (!dir)
		fail_msg("GMAP_DATA_DIR is not set (meson test sets it)");
	snprintf(path, sizeof(path), "%s/linux-6.1-s390x.elf.xz", dir);
	if (gmap_dump_open(path, &d, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(gmap_dump_ncpus(d), 1);
	c = gmap_dump_cpu(d, 0);
	assert_int_equal(c->notes, GMAP_DUMP_CPU_PRSTATUS | GMAP_DUMP_CPU_PREFIX |
			 GMAP_DUMP_CPU_CTRS);
	assert_int_equal(c->prefix, 0x0197c000);
	assert_int_equal(c->cr[0], 0x14966a10);
	assert_int_equal(c->cr[1], 0x2b6c1cb);
	assert_int_equal(c->cr[7], 0x2b6c1cb);
	assert_int_equal(c->cr[13], 0x1290007);
	assert_int_equal(c->psw_mask, 0x0705000180000000ULL);
	assert_int_equal(c->psw_addr, 0x000000000100171cULL);
	assert_int_equal(gmap_dump_nranges(d), 1);
	r = gmap_dump_range(d, 0);
	assert_int_equal(r->start, 0);
	assert_int_equal(r->size, 256 << 20);
	assert_int_equal(r->filesz, 256 << 20);
	assert_int_equal(r->offset, 0x608);
	assert_true(gmap_dump_compressed(d));
	assert_int_equal(gmap_dump_image_size(d), 268437011);
	for (unsigned int i = 0; i < gmap_dump_nwarnings(d); i++)
		warned |= !strncmp(gmap_dump_warning(d, i), "ignored section header 1: ", 26);
	assert_true(warned);

	/* The CPU was executing at the PSW address: it translates with CR1. */
	gmap_dump_mem(d, &mem);
	assert_int_equal(mem.kind, GMAP_DAT_MEM_BE);
	assert_int_equal(mem.size, 256 << 20);
	req.prefix = c->prefix;
	req.facilities = GMAP_FAC_EDAT1 | GMAP_FAC_IEP;
	assert_int_equal(gmap_dat_translate(&mem, (gmap_asce_t){ c->cr[1] }, c->psw_addr, &req,
					    &res), 0);
	assert_int_equal(res.pic, GMAP_PIC_NONE);
	gmap_dump_close(d);
}

static const struct CMUnitTest dump_error_tests[] = {
	DUMP_TEST(missing_file_is_enoent),
	DUMP_TEST(empty_file_is_refused),
	DUMP_TEST(text_file_is_not_elf),
	DUMP_TEST(elf64_little_endian_is_refused),
	DUMP_TEST(elf32_is_refused),
	DUMP_TEST(x86_64_core_is_refused),
	DUMP_TEST(executable_is_refused),
	DUMP_TEST(core_without_load_is_refused),
	DUMP_TEST(load_past_end_of_file_is_truncated),
	DUMP_TEST(note_past_segment_end_is_refused),
	DUMP_TEST(file_cut_inside_notes_is_truncated),
	DUMP_TEST(overlapping_loads_are_refused),
	DUMP_TEST(xz_magic_with_garbage_is_corrupt),
	DUMP_TEST(truncated_xz_is_corrupt),
	cmocka_unit_test(shipped_qemu_dump_matches_readme),
};

int main(void)
{
	const struct test_group groups[] = {
		{ dump_error_tests, sizeof(dump_error_tests) / sizeof(dump_error_tests[0]) },
		{ dump_read_tests, dump_read_ntests },
		{ dump_oracle_tests, dump_oracle_ntests },
	};

	return test_run_groups("dump", groups, sizeof(groups) / sizeof(groups[0]));
}
