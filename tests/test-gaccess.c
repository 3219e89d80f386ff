// SPDX-License-Identifier: MIT
/*
 * The gaccess suite's fixture (see test-gaccess.h) and its entry point.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test-gaccess.h"

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	test_host_up(&f->hook, 0, &f->arch, &f->mm);
	assert_int_equal(gmap_mm_map(f->mm, HBASE, GSIZE, 0,
				     GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE), 0);
	assert_int_equal(gmap_create(f->mm, (1ULL << 32) - 1, &f->gmap), 0);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, 0, GSIZE), 0);
	assert_int_equal(gmap_enable(f->gmap, 0), 0);
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;

	/* Whichever CPUs a case left running the gmap. */
	gmap_disable(f->gmap, 0);
	gmap_disable(f->gmap, 1);
	gmap_remove(f->gmap);
	test_host_down(&f->hook, f->arch, f->mm);
	free(f);
	return 0;
}

uint64_t host_frame(struct fx *f, uint64_t gaddr)
{
	gmap_pte_t pte;

	assert_int_equal(gmap_mm_read_pte(f->mm, HBASE + gaddr, &pte, NULL), 0);
	assert_true(pte.val & GMAP_MM_PTE_PRESENT);
	return pte.val & GMAP_PTE_PFRA;
}

uint8_t host_byte(struct fx *f, uint64_t gaddr)
{
	const uint8_t *frame = gmap_arch_real_to_virt(f->arch, host_frame(f, gaddr));

	return frame[gaddr & (PG - 1)];
}

void gwrite(struct fx *f, uint64_t gaddr, const void *buf, size_t len)
{
	assert_int_equal(gmap_gacc_write_abs(f->gmap, 0, gaddr, buf, len), 0);
}

void gread(struct fx *f, uint64_t gaddr, void *buf, size_t len)
{
	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, gaddr, buf, len), 0);
}

void gput64(struct fx *f, uint64_t gaddr, uint64_t val)
{
	uint8_t be[8];

	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(val >> (56 - 8 * i));
	gwrite(f, gaddr, be, sizeof(be));
}

void set_skey(struct fx *f, uint64_t gaddr, uint8_t key)
{
	assert_int_equal(gmap_pgste_set_key(f->mm, HBASE + gaddr, key, false), 0);
}

bool tlb_has(struct fx *f, uint64_t gaddr)
{
	struct gmap_dat_result r;

	return gmap_arch_tlb_lookup(f->arch, 0, gmap_asce(f->gmap), gaddr, &r) == 1;
}

int main(void)
{
	const struct test_group groups[] = {
		gaccess_abs_tests, gaccess_virt_tests, gaccess_prot_tests, gaccess_thread_tests,
	};

	return test_run_groups("gaccess", groups, sizeof(groups) / sizeof(groups[0]));
}
