// SPDX-License-Identifier: MIT
/*
 * The dump suite, reading: every field of the synthetic core read back,
 * plain and xz-compressed; storage with a gap and a zero tail; DAT
 * translation through the tables it holds; section-header warnings.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test-dump.h"

static void check_cpus(const struct gmap_dump *d)
{
	const struct gmap_dump_cpu *c;

	assert_int_equal(gmap_dump_ncpus(d), 2);
	for (unsigned int cpu = 0; cpu < 2; cpu++) {
		c = gmap_dump_cpu(d, cpu);
		assert_non_null(c);
		assert_int_equal(c->notes, GMAP_DUMP_CPU_PRSTATUS | GMAP_DUMP_CPU_CTRS |
				 (cpu ? 0 : GMAP_DUMP_CPU_PREFIX));
		assert_int_equal(c->psw_mask, cpu ? PSW_MASK1 : PSW_MASK0);
		assert_int_equal(c->psw_addr, cpu ? PSW_ADDR1 : PSW_ADDR0);
		assert_int_equal(c->prefix, cpu ? 0 : PREFIX0);
		for (unsigned int i = 0; i < 16; i++) {
			assert_int_equal(c->gprs[i], gpr_value(cpu, i));
			assert_int_equal(c->cr[i], cr_value(cpu, i));
		}
	}
	assert_null(gmap_dump_cpu(d, 2));
}

/* Every field of the valid core, opened from @path. */
static void check_valid_core(const char *path, bool compressed)
{
	static struct core c;
	unsigned char guest[GUEST_SIZE], buf[16];
	const struct gmap_dump_range *r;
	struct core_spec s = { 0 };
	char err[GMAP_DUMP_ERRLEN];
	struct gmap_dat_mem mem;
	struct gmap_dump *d;

	build_core(&c, &s, guest);
	assert_int_equal(gmap_dump_open(path, &d, err, sizeof(err)), 0);
	check_cpus(d);
	assert_int_equal(gmap_dump_nranges(d), 1);
	r = gmap_dump_range(d, 0);
	assert_int_equal(r->start, 0);
	assert_int_equal(r->size, GUEST_SIZE);
	assert_int_equal(r->filesz, GUEST_SIZE);
	assert_int_equal(r->offset, LOAD_OFF);
	assert_null(gmap_dump_range(d, 1));
	assert_int_equal(gmap_dump_nwarnings(d), 0);
	assert_null(gmap_dump_warning(d, 0));
	assert_int_equal(gmap_dump_compressed(d), compressed);
	assert_int_equal(gmap_dump_image_size(d), c.len);

	gmap_dump_mem(d, &mem);
	assert_int_equal(mem.kind, GMAP_DAT_MEM_BE);
	assert_int_equal(mem.size, GUEST_SIZE);
	assert_memory_equal(mem.base, guest, GUEST_SIZE);
	assert_int_equal(gmap_dump_read(d, 0x3ff8, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, guest + 0x3ff8, sizeof(buf));
	assert_int_equal(gmap_dump_read(d, GUEST_SIZE - 8, buf, sizeof(buf)), -EFAULT);
	gmap_dump_close(d);
}

static void valid_core_reads_back_exactly(void **state)
{
	struct core_spec s = { 0 };

	check_valid_core(write_core(*state, "valid.elf", &s, 0), false);
}

static void valid_xz_core_reads_back_exactly(void **state)
{
	static unsigned char xz[CORE_MAX];
	struct core_spec s = { 0 };
	unsigned char guest[GUEST_SIZE];
	static struct core c;

	build_core(&c, &s, guest);
	check_valid_core(write_file(*state, "valid.xz", xz, compress_core(&c, xz, sizeof(xz))),
			 true);
}

/* Translate @va with the tables of the core (fetch, prefix of CPU 0). */
static struct gmap_dat_result xlate(const struct gmap_dat_mem *mem, uint64_t va)
{
	struct gmap_dat_request req = { .access = GMAP_DAT_FETCH, .prefix = PREFIX0 };
	struct gmap_dat_result res;

	assert_int_equal(gmap_dat_translate(mem, (gmap_asce_t){ TEST_ASCE }, va, &req, &res), 0);
	return res;
}

static void expect_frame(const struct gmap_dat_mem *mem, uint64_t va, uint64_t abs, bool prot)
{
	struct gmap_dat_result res = xlate(mem, va);

	assert_int_equal(res.pic, GMAP_PIC_NONE);
	assert_int_equal(res.addr, abs);
	assert_int_equal(res.frame_shift, GMAP_PAGE_SHIFT);
	assert_int_equal(res.prot, prot);
}

static void expect_exception(const struct gmap_dat_mem *mem, uint64_t va, unsigned int pic,
			     bool teid_valid)
{
	struct gmap_dat_result res = xlate(mem, va);

	assert_int_equal(res.pic, pic);
	assert_int_equal(res.teid_valid, teid_valid);
	/* Address bits 0-51, primary space (00), no ESOP bits. */
	if (teid_valid)
		assert_int_equal(res.teid, va & GMAP_TEID_ADDR);
}

static void translation_through_core_tables(void **state)
{
	struct core_spec s = { 0 };
	char err[GMAP_DUMP_ERRLEN];
	struct gmap_dat_mem mem;
	struct gmap_dump *d;

	assert_int_equal(gmap_dump_open(write_core(*state, "xlate.elf", &s, 0), &d, err,
					sizeof(err)), 0);
	gmap_dump_mem(d, &mem);
	expect_frame(&mem, 0x0123, 0x3123, false);
	expect_frame(&mem, 0x1456, 0x4456, true);
	expect_exception(&mem, 0x2000, GMAP_PIC_PAGE_TRANSLATION, true);
	/* A pte for real page 0 reaches the prefix area. */
	expect_frame(&mem, 0x3abc, PREFIX0 + 0xabc, false);
	expect_frame(&mem, 0x4010, 0xd010, false);
	expect_exception(&mem, 0x100000, GMAP_PIC_SEGMENT_TRANSLATION, true);
	expect_exception(&mem, 0x80000000, GMAP_PIC_ASCE_TYPE, true);
	gmap_dump_close(d);
}

static void gap_core_reads_through_ranges(void **state)
{
	static struct core c;
	unsigned char guest[GUEST_SIZE], buf[16];
	struct core_spec s = { .gap = true };
	char err[GMAP_DUMP_ERRLEN];
	const struct gmap_dump_range *r;
	struct gmap_dat_mem mem;
	struct gmap_dump *d;

	build_core(&c, &s, guest);
	assert_int_equal(gmap_dump_open(write_file(*state, "gap.elf", c.b, c.len), &d, err,
					sizeof(err)), 0);
	assert_int_equal(gmap_dump_nranges(d), 2);
	r = gmap_dump_range(d, 1);
	assert_int_equal(r->start, GAP_END);
	assert_int_equal(r->size, GUEST_SIZE - GAP_END);
	assert_int_equal(r->filesz, TAIL_HELD);
	assert_int_equal(r->offset, LOAD_OFF + GAP_START);

	/* Across the end of what the file holds: the rest reads as zero. */
	assert_int_equal(gmap_dump_read(d, GAP_END + TAIL_HELD - 8, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, guest + GAP_END + TAIL_HELD - 8, sizeof(buf));
	assert_int_equal(gmap_dump_read(d, GAP_START - 8, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(gmap_dump_read(d, GAP_START + 8, buf, 8), -EFAULT);
	assert_int_equal(gmap_dump_read(d, GUEST_SIZE - 8, buf, sizeof(buf)), -EFAULT);

	gmap_dump_mem(d, &mem);
	assert_int_equal(mem.kind, GMAP_DAT_MEM_FN);
	expect_frame(&mem, 0x0123, 0x3123, false);
	expect_frame(&mem, 0x1456, 0x4456, true);
	expect_frame(&mem, 0x4010, 0xd010, false);
	expect_exception(&mem, 0x2000, GMAP_PIC_PAGE_TRANSLATION, true);
	/* The page table of segment 2 lies in the gap. */
	expect_exception(&mem, 0x200000, GMAP_PIC_ADDRESSING, false);
	gmap_dump_close(d);
}

static void bad_section_header_is_a_warning(void **state)
{
	struct core_spec s = { .bad_shdr = true };
	char err[GMAP_DUMP_ERRLEN];
	struct gmap_dump *d;

	assert_int_equal(gmap_dump_open(write_core(*state, "shdr.elf", &s, 0), &d, err,
					sizeof(err)), 0);
	assert_int_equal(gmap_dump_nwarnings(d), 1);
	assert_string_equal(gmap_dump_warning(d, 0),
			    "ignored section header 1: offset 0x7fff0000 size 0x10 lie beyond the end of the file (0x11080 bytes)");
	check_cpus(d);
	gmap_dump_close(d);
}

const struct CMUnitTest dump_read_tests[] = {
	DUMP_TEST(valid_core_reads_back_exactly),
	DUMP_TEST(valid_xz_core_reads_back_exactly),
	DUMP_TEST(translation_through_core_tables),
	DUMP_TEST(gap_core_reads_through_ranges),
	DUMP_TEST(bad_section_header_is_a_warning),
};
const size_t dump_read_ntests = sizeof(dump_read_tests) / sizeof(dump_read_tests[0]);
