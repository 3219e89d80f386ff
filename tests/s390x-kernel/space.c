// SPDX-License-Identifier: MIT
/*
 * Address spaces for the checks: tables from the s390x backend (real
 * storage the machine walks), the probe page mapped to itself, and data
 * frames whose every doubleword holds a value derived from its own
 * absolute address, so a load through DAT tells which byte it reached.
 */
#include <string.h>

#include "kernel.h"

/**
 * space_table() - a region or segment table in real storage.
 * @k: the kernel's backends
 * @tt: its type
 * @tl: its length in 4 KB parts minus one
 *
 * Return: the table, every entry invalid; stops the kernel on failure.
 */
gmap_crste_t *space_table(struct kctx *k, enum gmap_dat_tt tt, unsigned int tl)
{
	gmap_crste_t *t = gmap_arch_alloc_crst(k->hw, tt, tl);

	if (!t) {
		kprintf("gmap_arch_alloc_crst failed\n");
		disabled_wait(0xe0e1);
	}
	return t;
}

/**
 * space_pgtable() - a page table in real storage.
 * @k: the kernel's backends
 *
 * Return: the table, every pte invalid; stops the kernel on failure.
 */
gmap_pte_t *space_pgtable(struct kctx *k)
{
	gmap_pte_t *pt = gmap_arch_alloc_pgtable(k->hw);

	if (!pt) {
		kprintf("gmap_arch_alloc_pgtable failed\n");
		disabled_wait(0xe0e2);
	}
	return pt;
}

/**
 * frame_word() - what a data frame holds at absolute address @abs.
 * @abs: the address (any byte of the doubleword)
 *
 * Return: the doubleword's value.
 */
uint64_t frame_word(uint64_t abs)
{
	return (abs & ~7ULL) ^ 0x5a5a5a5a00000000ULL;
}

/**
 * frames_alloc() - @n data frames of 2^@shift bytes, filled by frame_word().
 * @n: number of frames
 * @shift: log2 of a frame's size (and alignment)
 *
 * Return: the first frame.
 */
void *frames_alloc(unsigned int n, unsigned int shift)
{
	uint64_t size = (uint64_t)n << shift;
	uint64_t *p = heap_alloc(size, 1ULL << shift);

	for (uint64_t i = 0; i < size / 8; i++)
		p[i] = frame_word(real(&p[i]));
	return p;
}

/* The index of @va in a table of type @tt. */
static unsigned int index_of(uint64_t va, int tt)
{
	return (unsigned int)(va >> (GMAP_SEGMENT_SHIFT + 11 * tt)) & 0x7ff;
}

/**
 * space_map_probe() - map the probe page at its own address.
 * @k: the kernel's backends
 * @asce: the space
 *
 * Along the page's path (full-size tables created where an entry is
 * invalid), a pte for the page. No protection on the way: the probes
 * store their old system mask into that page with DAT on.
 */
void space_map_probe(struct kctx *k, gmap_asce_t asce)
{
	uint64_t va = real(probe_page);
	int tt = (int)((asce.val & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT);
	gmap_crste_t *t = (gmap_crste_t *)(uintptr_t)(asce.val & GMAP_ASCE_ORIGIN);
	gmap_crste_t *e;
	gmap_pte_t *pt;

	for (; tt > GMAP_TT_SEGMENT; tt--) {
		e = &t[index_of(va, tt)];
		if (e->val & GMAP_CRSTE_I)
			*e = gmap_crste_mk_table(real(space_table(k, (enum gmap_dat_tt)(tt - 1), 3)),
						 (enum gmap_dat_tt)tt, 0, 3, 0);
		t = (gmap_crste_t *)(uintptr_t)(e->val & GMAP_CRSTE_ORIGIN);
	}
	e = &t[index_of(va, GMAP_TT_SEGMENT)];
	if (e->val & GMAP_CRSTE_I)
		*e = gmap_crste_mk_table(real(space_pgtable(k)), GMAP_TT_SEGMENT, 0, 0, 0);
	pt = (gmap_pte_t *)(uintptr_t)(e->val & GMAP_SEGMENT_PTO);
	pt[GMAP_VA_PX(va)] = gmap_pte_mk(va, 0);
}
