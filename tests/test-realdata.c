// SPDX-License-Identifier: MIT
/*
 * The realdata suite: the DAT walker against the shipped dumps of real
 * s390x Linux guests and the translations independent implementations made
 * for them (tests/data/README.md). Every oracle line must agree; the
 * "arch-fix" lines, where the architecture and QEMU differ, must give the
 * architected address; the EDAT-2 dump's 2 GB frame must translate as one;
 * and opening the 4 GB dump must cost memory in line with what it holds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include <libgmap/dat.h>

#include "dump.h"
#include "oracle.h"

/* Resident memory allowed after opening the 4 GB EDAT-2 dump. */
#define EDAT2_MAX_RSS_KB	(1536UL * 1024)

/* Failing lines printed before the count. */
#define SHOW_MISMATCHES		10

enum { QEMU, HERCULES, EDAT2, NDUMPS };

static const char *const names[NDUMPS] = {
	[QEMU] = "linux-6.1-s390x",
	[HERCULES] = "linux-6.1-s390x-hercules",
	[EDAT2] = "linux-6.1-s390x-edat2",
};

/**
 * struct realdata - the dumps and oracles, opened once for the group.
 * @dump: each dump
 * @mem: its storage descriptor
 * @oracle: its oracle
 * @maxrss_kb: peak resident memory right after opening the EDAT-2 dump
 */
struct realdata {
	struct gmap_dump *dump[NDUMPS];
	struct gmap_dat_mem mem[NDUMPS];
	struct gmap_oracle *oracle[NDUMPS];
	long maxrss_kb;
};

static int open_one(struct realdata *rd, int i, const char *dir)
{
	char path[512], err[GMAP_DUMP_ERRLEN];
	struct rusage ru;

	snprintf(path, sizeof(path), "%s/%s.elf.xz", dir, names[i]);
	if (gmap_dump_open(path, &rd->dump[i], err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		return -1;
	}
	if (i == EDAT2) {
		getrusage(RUSAGE_SELF, &ru);
		rd->maxrss_kb = ru.ru_maxrss;
	}
	gmap_dump_mem(rd->dump[i], &rd->mem[i]);
	snprintf(path, sizeof(path), "%s/%s.oracle", dir, names[i]);
	if (gmap_oracle_load(path, &rd->oracle[i], err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	struct realdata *rd = *state;

	for (int i = 0; rd && i < NDUMPS; i++) {
		gmap_dump_close(rd->dump[i]);
		gmap_oracle_free(rd->oracle[i]);
	}
	free(rd);
	return 0;
}

/* The EDAT-2 dump first, so that the peak RSS measured is its own. */
static int group_setup(void **state)
{
	static const int order[NDUMPS] = { EDAT2, QEMU, HERCULES };
	const char *dir = getenv("GMAP_DATA_DIR");
	struct realdata *rd = calloc(1, sizeof(*rd));

	*state = rd;
	if (!rd || !dir) {
		fprintf(stderr, "# %s\n", rd ? "GMAP_DATA_DIR is not set" : "out of memory");
		return -1;
	}
	for (int i = 0; i < NDUMPS; i++)
		if (open_one(rd, order[i], dir))
			return -1;
	return 0;
}

static void show_mismatch(void *priv, const struct gmap_oracle_line *l,
			  const struct gmap_dat_result *res)
{
	unsigned int *shown = priv;

	if ((*shown)++ < SHOW_MISMATCHES)
		print_message("# line %u: asce %llx vaddr %llx expected %s%llx pic %x prot %d, got addr %llx pic %x prot %d\n",
			      l->lineno, (unsigned long long)l->asce,
			      (unsigned long long)l->vaddr, l->translates ? "" : "- ",
			      (unsigned long long)l->result, l->pic, l->prot,
			      (unsigned long long)res->addr, res->pic, res->prot);
}

static void oracle_passes(void **state, int i, size_t lines)
{
	struct realdata *rd = *state;
	const struct gmap_oracle *o = rd->oracle[i];
	size_t passed, failed;
	unsigned int shown = 0;

	assert_int_equal(o->nlines, lines);
	assert_int_equal(gmap_oracle_check(o, &rd->mem[i], show_mismatch, &shown, &passed,
					   &failed), 0);
	assert_int_equal(failed, 0);
	assert_int_equal(passed, lines);
}

static void qemu_oracle_passes_in_full(void **state)
{
	struct realdata *rd = *state;

	assert_int_equal(rd->oracle[QEMU]->declared, 15085);
	oracle_passes(state, QEMU, 15085);
}

/* The Hercules oracle has no "# lines" header: README.md gives 15,236. */
static void hercules_oracle_passes_in_full(void **state)
{
	struct realdata *rd = *state;

	assert_int_equal(rd->oracle[HERCULES]->declared, -1);
	oracle_passes(state, HERCULES, 15236);
}

static void edat2_oracle_passes_in_full(void **state)
{
	struct realdata *rd = *state;

	assert_int_equal(rd->oracle[EDAT2]->declared, 15084);
	oracle_passes(state, EDAT2, 15084);
}

/*
 * The "# arch-fix" lines: a line for each is in the oracle with the
 * architected address (the EDAT frame address, not prefixed), and the
 * walker gives that address, not QEMU's.
 */
static void archfix_lines_give_the_architected_address(void **state, int i, size_t count)
{
	struct realdata *rd = *state;
	const struct gmap_oracle *o = rd->oracle[i];
	struct gmap_dat_result res;

	assert_int_equal(o->narchfix, count);
	for (size_t k = 0; k < o->narchfix; k++) {
		const struct gmap_oracle_archfix *f = &o->archfix[k];
		const struct gmap_oracle_line *l = NULL;

		for (size_t n = 0; n < o->nlines && !l; n++)
			if (o->lines[n].asce == f->asce && o->lines[n].vaddr == f->vaddr)
				l = &o->lines[n];
		assert_non_null(l);
		assert_true(l->translates);
		assert_int_equal(l->result, f->result);
		assert_int_not_equal(f->qemu, f->result);
		assert_int_equal(gmap_oracle_translate(o, &rd->mem[i], l, &res), 0);
		assert_int_equal(res.pic, GMAP_PIC_NONE);
		assert_int_equal(res.addr, f->result);
		assert_int_equal(res.frame_shift, GMAP_SEGMENT_SHIFT);
	}
}

static void qemu_archfix_lines_are_architected(void **state)
{
	archfix_lines_give_the_architected_address(state, QEMU, 6);
}

static void edat2_archfix_lines_are_architected(void **state)
{
	archfix_lines_give_the_architected_address(state, EDAT2, 4);
}

/*
 * The Hercules oracle corrects both emulators the same way without an
 * arch-fix header: kernel addresses in the prefix area go through a 1 MB
 * frame and translate to themselves, not to absolute 0-8 KB.
 */
static void hercules_prefix_area_lines_are_architected(void **state)
{
	struct realdata *rd = *state;
	const struct gmap_oracle *o = rd->oracle[HERCULES];
	struct gmap_dat_result res;
	size_t seen = 0;

	for (size_t n = 0; n < o->nlines; n++) {
		const struct gmap_oracle_line *l = &o->lines[n];

		if (l->asce != 0x1290007 || (l->vaddr & ~0x1fffULL) != o->prefix)
			continue;
		assert_true(l->translates);
		assert_int_equal(l->result, l->vaddr);
		assert_int_equal(gmap_oracle_translate(o, &rd->mem[HERCULES], l, &res), 0);
		assert_int_equal(res.pic, GMAP_PIC_NONE);
		assert_int_equal(res.addr, l->vaddr);
		assert_int_equal(res.frame_shift, GMAP_SEGMENT_SHIFT);
		seen++;
	}
	assert_true(seen > 0);
}

static void hercules_dump_has_readme_registers(void **state)
{
	struct realdata *rd = *state;
	const struct gmap_dump_cpu *c = gmap_dump_cpu(rd->dump[HERCULES], 0);

	assert_int_equal(gmap_dump_ncpus(rd->dump[HERCULES]), 1);
	assert_int_equal(c->notes, GMAP_DUMP_CPU_PRSTATUS | GMAP_DUMP_CPU_PREFIX |
			 GMAP_DUMP_CPU_CTRS);
	assert_int_equal(c->prefix, 0x01988000);
	assert_int_equal(rd->oracle[HERCULES]->prefix, 0x01988000);
	assert_int_equal(c->cr[1], 0x2e401cf);
	assert_int_equal(c->cr[7], 0x2e401cf);
	assert_int_equal(c->cr[13], 0x1290007);
	/* No section headers at all, so nothing to warn about. */
	assert_int_equal(gmap_dump_nwarnings(rd->dump[HERCULES]), 0);
	assert_int_equal(gmap_dump_nranges(rd->dump[HERCULES]), 1);
	assert_int_equal(gmap_dump_range(rd->dump[HERCULES], 0)->size, 256 << 20);
}

static void edat2_dump_has_readme_registers(void **state)
{
	struct realdata *rd = *state;
	const struct gmap_dump_cpu *c = gmap_dump_cpu(rd->dump[EDAT2], 0);
	const struct gmap_dump_range *r = gmap_dump_range(rd->dump[EDAT2], 0);

	assert_int_equal(gmap_dump_ncpus(rd->dump[EDAT2]), 1);
	assert_int_equal(c->prefix, 0x0180e000);
	assert_int_equal(c->cr[0], 0x14966a10);
	assert_int_equal(c->cr[1], 0x816b01cf);
	assert_int_equal(c->cr[7], 0x816b01cf);
	assert_int_equal(c->cr[13], 0x1290007);
	/* The stored mask lacks the condition code QEMU keeps aside. */
	assert_int_equal(c->psw_mask, 0x0705000180000000ULL);
	assert_int_equal(c->psw_addr, 0x000000000100170cULL);
	assert_int_equal(gmap_dump_nranges(rd->dump[EDAT2]), 1);
	assert_int_equal(r->start, 0);
	assert_int_equal(r->size, 4ULL << 30);
	assert_int_equal(r->offset, 0x608);
	assert_int_equal(gmap_dump_image_size(rd->dump[EDAT2]), 4294968851ULL);
}

/*
 * Kernel virtual 2-4 GB is one region-third entry with FC=1: every oracle
 * line there that translates goes through the 2 GB frame (identity map).
 */
static void edat2_2g_frame_lines_translate_as_2g(void **state)
{
	struct realdata *rd = *state;
	const struct gmap_oracle *o = rd->oracle[EDAT2];
	struct gmap_dat_result res;
	size_t seen = 0;

	for (size_t n = 0; n < o->nlines; n++) {
		const struct gmap_oracle_line *l = &o->lines[n];

		if (l->asce != 0x1290007 || l->vaddr < (2ULL << 30) ||
		    l->vaddr >= (4ULL << 30) || !l->translates)
			continue;
		assert_int_equal(gmap_oracle_translate(o, &rd->mem[EDAT2], l, &res), 0);
		assert_int_equal(res.pic, GMAP_PIC_NONE);
		assert_int_equal(res.frame_shift, GMAP_REGION3_SHIFT);
		assert_int_equal(res.addr, l->vaddr);
		assert_int_equal(res.level, GMAP_TT_REGION3);
		seen++;
	}
	assert_true(seen > 0);
}

static void edat2_dump_opens_in_bounded_memory(void **state)
{
	struct realdata *rd = *state;

	if (rd->maxrss_kb >= (long)EDAT2_MAX_RSS_KB)
		fail_msg("peak RSS after opening the 4 GB dump: %ld KB", rd->maxrss_kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qemu_oracle_passes_in_full),
		cmocka_unit_test(hercules_oracle_passes_in_full),
		cmocka_unit_test(edat2_oracle_passes_in_full),
		cmocka_unit_test(qemu_archfix_lines_are_architected),
		cmocka_unit_test(edat2_archfix_lines_are_architected),
		cmocka_unit_test(hercules_prefix_area_lines_are_architected),
		cmocka_unit_test(hercules_dump_has_readme_registers),
		cmocka_unit_test(edat2_dump_has_readme_registers),
		cmocka_unit_test(edat2_2g_frame_lines_translate_as_2g),
		cmocka_unit_test(edat2_dump_opens_in_bounded_memory),
	};

	return cmocka_run_group_tests_name("realdata", tests, group_setup, group_teardown);
}
