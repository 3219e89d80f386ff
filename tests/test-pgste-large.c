// SPDX-License-Identifier: MIT
/*
 * Large host segments (GMAP_MM_MAP_LARGE, Linux's hugetlb huge pmds): the
 * exact segment entries after read and write faults, zap, mprotect and
 * unmap, the segment callbacks each of them makes (with the old entry
 * still in place), the strict TLB after each IDTE, storage keys on the
 * 1 MB frame, and the pte-only operations that refuse or skip them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test-pgste.h"

#define RW		(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)
#define LARGE		GMAP_MM_MAP_LARGE
#define SEG_RW_CLEAN	(GMAP_CRSTE_FC | GMAP_CRSTE_P | GMAP_MM_SEG_READ | GMAP_MM_SEG_WRITE | \
			 GMAP_MM_SEG_YOUNG)
#define SEG_RW_DIRTY	((SEG_RW_CLEAN & ~GMAP_CRSTE_P) | GMAP_MM_SEG_DIRTY)

/* 1 MB aligned caller memory for a large mapping. */
static unsigned char *seg_frames(unsigned int n)
{
	unsigned char *p = aligned_alloc(SEG, n * SEG);

	assert_non_null(p);
	return p;
}

static uint64_t fr_of(struct fx *f, uint64_t haddr)
{
	return ste_of(f, haddr) & GMAP_SEGMENT_SFAA;
}

static void large_map_needs_edat1_and_whole_segments(void **state)
{
	static const struct params no_edat = { .pgste = true,
					       .facilities = GMAP_FAC_ESOP1 | GMAP_FAC_IEP };
	struct fx *f = *state;
	void *st = (void *)&no_edat;
	struct fx *g;

	assert_int_equal(gmap_mm_map(f->mm, BASE + PG, SEG, 0, RW | LARGE), -EINVAL);
	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG + PG, 0, RW | LARGE), -EINVAL);
	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG, PG, RW | LARGE), -EINVAL);
	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG, 0, 4 | LARGE), -EINVAL);
	assert_int_equal(f->mm->nvma, 0);
	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * SEG, 0, RW | LARGE), 0);
	assert_int_equal(f->mm->nvma, 1);
	assert_true(f->mm->vma[0].large);
	assert_int_equal(f->mm->vma[0].prot, RW);
	assert_int_equal(gmap_mm_map(f->mm, BASE + SEG, PG, 0, RW), -EEXIST);
	/* Mapping builds no table. */
	assert_int_equal(gmap_mm_table_bytes(f->mm), MM_CRST_BYTES);

	fx_setup(&st);
	g = st;
	assert_int_equal(gmap_mm_map(g->mm, BASE, SEG, 0, RW | LARGE), -EINVAL);
	assert_int_equal(gmap_mm_map(g->mm, BASE, SEG, 0, RW), 0);
	fx_teardown(&st);
}

static void read_fault_installs_a_young_clean_large_entry(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result r;
	gmap_pte_t pte;
	uint64_t fr;

	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_read_segment(f->mm, BASE, NULL), -EINVAL);
	assert_int_equal(gmap_mm_read_segment(f->mm, BASE, (gmap_crste_t *)&pte), -EFAULT);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG + 0x1234, GMAP_DAT_FETCH), 0);
	fr = fr_of(f, BASE + SEG);
	assert_int_equal(fr & (SEG - 1), 0);
	assert_int_equal(ste_of(f, BASE + SEG), fr | SEG_RW_CLEAN);
	/* The other segment is untouched; the frame is zeroed. */
	assert_int_equal(ste_of(f, BASE), MM_SEG_EMPTY);
	for (size_t i = 0; i < SEG; i += 4096 - 8)
		assert_int_equal(((const unsigned char *)(uintptr_t)fr)[i], 0);
	/* A segment table, no page table. */
	assert_int_equal(gmap_mm_table_bytes(f->mm), 2 * (size_t)MM_CRST_BYTES);
	assert_int_equal(gmap_mm_read_pte(f->mm, BASE + SEG, &pte, NULL), -EFAULT);
	r = tr(f, 0, BASE + SEG + 0xabcde, GMAP_DAT_FETCH);
	assert_int_equal(r.pic, 0);
	assert_int_equal(r.addr, fr + 0xabcde);
	assert_int_equal(r.level, GMAP_TT_SEGMENT);
	assert_false(r.accf);
	assert_int_equal(tr(f, 0, BASE + SEG, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
}

static void write_fault_makes_it_dirty_through_idte(void **state)
{
	struct fx *f = *state;
	struct seg_rec rec;
	uint64_t fr;

	seg_rec_register(f, &rec);
	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	/* Filling an empty entry calls nobody. */
	assert_int_equal(rec.n, 0);
	fr = fr_of(f, BASE);
	assert_int_equal(tr(f, 0, BASE + 8, GMAP_DAT_FETCH).pic, 0);
	assert_true(tlb_has(f, 0, BASE + 8));
	assert_int_equal(gmap_mm_fault(f->mm, BASE + 0x80000, GMAP_DAT_STORE), 0);
	assert_int_equal(ste_of(f, BASE), fr | SEG_RW_DIRTY);
	/* Replacing a present entry: callback first, with the old entry. */
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.start[0], BASE);
	assert_int_equal(rec.end[0], BASE + SEG);
	assert_int_equal(rec.ste[0], fr | SEG_RW_CLEAN);
	assert_false(tlb_has(f, 0, BASE + 8));
	assert_int_equal(tr(f, 0, BASE + 8, GMAP_DAT_STORE).pic, 0);
	/* Nothing left to do: no exchange, no call. */
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	assert_int_equal(rec.n, 1);
	/* A store straight into an empty entry: young and dirty at once. */
	assert_int_equal(gmap_mm_map(f->mm, BASE + SEG, SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG, GMAP_DAT_STORE), 0);
	assert_int_equal(ste_of(f, BASE + SEG), fr_of(f, BASE + SEG) | SEG_RW_DIRTY);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &rec.nb), 0);
}

/* pmdp_test_and_clear_young(): old (invalid) through the callbacks and
 * IDTE, young reported once; the next access makes it young again. */
static void young_is_harvested_from_the_segment_entry(void **state)
{
	struct fx *f = *state;
	struct seg_rec rec;
	uint64_t fr;

	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE), -EFAULT);
	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE), -EFAULT);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	fr = fr_of(f, BASE);
	assert_int_equal(tr(f, 0, BASE + 8, GMAP_DAT_FETCH).pic, 0);
	seg_rec_register(f, &rec);
	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE + 0x1234), 1);
	assert_int_equal(ste_of(f, BASE),
			 fr | ((SEG_RW_DIRTY & ~GMAP_MM_SEG_YOUNG) | GMAP_CRSTE_I));
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.start[0], BASE);
	assert_int_equal(rec.ste[0], fr | SEG_RW_DIRTY);
	assert_false(tlb_has(f, 0, BASE + 8));
	assert_int_equal(tr(f, 0, BASE + 8, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	/* Old stays old: no young to report, the exchange still runs. */
	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE), 0);
	assert_int_equal(rec.n, 2);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	assert_int_equal(ste_of(f, BASE), fr | SEG_RW_DIRTY);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &rec.nb), 0);
}

static void caller_frames_are_special_and_read_only_holds(void **state)
{
	struct fx *f = *state;
	unsigned char *mem = seg_frames(2);
	uint64_t fr = (uintptr_t)mem;

	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * SEG, fr, GMAP_MM_PROT_READ | LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG, GMAP_DAT_IFETCH), 0);
	assert_int_equal(ste_of(f, BASE + SEG),
			 (fr + SEG) | GMAP_CRSTE_FC | GMAP_CRSTE_P | GMAP_MM_SEG_READ |
				 GMAP_MM_SEG_YOUNG | GMAP_MM_SEG_SPECIAL);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), -EFAULT);
	assert_int_equal(tr(f, 0, BASE + SEG + 5, GMAP_DAT_FETCH).addr, fr + SEG + 5);
	/* Unmapping never frees the caller's frame (the teardown counts). */
	assert_int_equal(gmap_mm_unmap(f->mm, BASE, 2 * SEG), 0);
	assert_int_equal(ste_of(f, BASE + SEG), MM_SEG_EMPTY);
	assert_false(tlb_has(f, 0, BASE + SEG + 5));
	free(mem);
}

static void zap_empties_the_entry_and_pools_the_frame(void **state)
{
	struct fx *f = *state;
	struct seg_rec rec;
	uint64_t fr, old;
	long live;

	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG, GMAP_DAT_FETCH), 0);
	fr = fr_of(f, BASE);
	old = ste_of(f, BASE);
	memset((void *)(uintptr_t)(fr + SEG - 64), 0x77, 64);
	assert_int_equal(tr(f, 0, BASE + SEG - 1, GMAP_DAT_STORE).pic, 0);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE + SEG - 1, 0x36, false), 0);
	seg_rec_register(f, &rec);
	live = f->hook.live;
	/* Half a large segment is refused, and changes nothing. */
	assert_int_equal(gmap_mm_zap(f->mm, BASE, SEG / 2), -EINVAL);
	assert_int_equal(gmap_mm_zap(f->mm, BASE + SEG / 2, SEG), -EINVAL);
	assert_int_equal(ste_of(f, BASE), old);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, SEG), 0);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.start[0], BASE);
	assert_int_equal(rec.end[0], BASE + SEG);
	assert_int_equal(rec.ste[0], old);
	assert_int_equal(ste_of(f, BASE), MM_SEG_EMPTY);
	assert_int_equal(ste_of(f, BASE + SEG) & ~GMAP_SEGMENT_SFAA, SEG_RW_CLEAN);
	assert_false(tlb_has(f, 0, BASE + SEG - 1));
	assert_int_equal(tr(f, 0, BASE + SEG - 1, GMAP_DAT_FETCH).pic,
			 GMAP_PIC_SEGMENT_TRANSLATION);
	/* The frame stays with the mm; the next fault takes it back zeroed,
	 * its keys 0. */
	assert_int_equal(f->hook.live, live);
	assert_int_equal(gmap_arch_iske(f->arch, fr + SEG - PG), 0x36);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + 3, GMAP_DAT_FETCH), 0);
	assert_int_equal(ste_of(f, BASE), fr | SEG_RW_CLEAN);
	assert_int_equal(((const unsigned char *)(uintptr_t)fr)[SEG - 1], 0);
	assert_int_equal(gmap_arch_iske(f->arch, fr + SEG - PG), 0);
	assert_int_equal(f->hook.live, live);
	assert_int_equal(rec.n, 1);
	/* Two present entries: one call each, in address order. */
	assert_int_equal(gmap_mm_zap(f->mm, BASE, 2 * SEG), 0);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec.start[1], BASE);
	assert_int_equal(rec.start[2], BASE + SEG);
	assert_int_equal(rec.ste[2] & ~GMAP_SEGMENT_SFAA, SEG_RW_CLEAN);
	assert_int_equal(ste_of(f, BASE + SEG), MM_SEG_EMPTY);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &rec.nb), 0);
}

static void mprotect_follows_pmd_modify(void **state)
{
	struct fx *f = *state;
	struct seg_rec rec;
	uint64_t fr;

	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	fr = fr_of(f, BASE);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_STORE).pic, 0);
	seg_rec_register(f, &rec);
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE, SEG + PG, GMAP_MM_PROT_READ), -EINVAL);
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE, 3 * SEG, GMAP_MM_PROT_READ), -EFAULT);
	assert_int_equal(rec.n, 0);
	/* Read-only: dirty stays, protection comes back. */
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE, 2 * SEG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(ste_of(f, BASE),
			 fr | GMAP_CRSTE_FC | GMAP_CRSTE_P | GMAP_MM_SEG_READ | GMAP_MM_SEG_YOUNG |
				 GMAP_MM_SEG_DIRTY);
	/* Only the present entry is exchanged. */
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.start[0], BASE);
	assert_int_equal(rec.ste[0], fr | SEG_RW_DIRTY);
	assert_false(tlb_has(f, 0, BASE));
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), -EFAULT);
	/* None: invalid and protected. */
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE, SEG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(ste_of(f, BASE),
			 fr | GMAP_CRSTE_FC | GMAP_CRSTE_I | GMAP_CRSTE_P | GMAP_MM_SEG_YOUNG |
				 GMAP_MM_SEG_DIRTY);
	assert_int_equal(rec.n, 2);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	/* Back to read-write: young and dirty come back in I and P. */
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE, SEG, RW), 0);
	assert_int_equal(ste_of(f, BASE), fr | SEG_RW_DIRTY);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec.ste[2] & GMAP_CRSTE_I, GMAP_CRSTE_I);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_STORE).pic, 0);
	/* The same protection again exchanges nothing. */
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE, SEG, RW), 0);
	assert_int_equal(rec.n, 3);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &rec.nb), 0);
}

static void unmap_empties_whole_segments_only(void **state)
{
	struct fx *f = *state;
	struct seg_rec rec;
	uint64_t fr;

	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG, GMAP_DAT_FETCH), 0);
	fr = fr_of(f, BASE + SEG);
	assert_int_equal(tr(f, 0, BASE + SEG, GMAP_DAT_FETCH).pic, 0);
	seg_rec_register(f, &rec);
	assert_int_equal(gmap_mm_unmap(f->mm, BASE + SEG, PG), -EINVAL);
	assert_int_equal(gmap_mm_unmap(f->mm, BASE + PG, SEG), -EINVAL);
	assert_int_equal(f->mm->nvma, 1);
	assert_int_equal(gmap_mm_unmap(f->mm, BASE + SEG, SEG), 0);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.start[0], BASE + SEG);
	assert_int_equal(rec.end[0], BASE + 2 * SEG);
	assert_int_equal(rec.ste[0], fr | SEG_RW_CLEAN);
	assert_int_equal(ste_of(f, BASE + SEG), MM_SEG_EMPTY);
	assert_false(tlb_has(f, 0, BASE + SEG));
	assert_int_equal(tr(f, 0, BASE + SEG, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG, GMAP_DAT_FETCH), -EFAULT);
	assert_int_equal(f->mm->nvma, 1);
	assert_int_equal(f->mm->vma[0].end, BASE + SEG);
	assert_true(f->mm->vma[0].large);
	/* The empty segment left costs no callback. */
	assert_int_equal(gmap_mm_unmap(f->mm, BASE, SEG), 0);
	assert_int_equal(rec.n, 1);
	assert_int_equal(f->mm->nvma, 0);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &rec.nb), 0);
}

static uint8_t key_of(struct fx *f, uint64_t haddr)
{
	uint8_t key = 0xff;

	assert_int_equal(gmap_pgste_get_key(f->mm, haddr, &key), 0);
	return key;
}

static void storage_keys_are_the_real_keys_of_the_frame(void **state)
{
	struct fx *f = *state;
	uint64_t fr;
	uint8_t old = 0;

	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG, 0, RW | LARGE), 0);
	/* Not faulted in: no key to set (the caller faults and retries), 0 read. */
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE + PG, 0x30, false), -EFAULT);
	assert_int_equal(key_of(f, BASE + PG), 0);
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE + PG), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	fr = fr_of(f, BASE);
	/* The whole key, R and C included, on the 4 KB part; no PGSTE. */
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE + PG + 9, 0x36, true), 0);
	assert_int_equal(gmap_arch_iske(f->arch, fr + PG), 0x36);
	assert_int_equal(gmap_arch_iske(f->arch, fr), 0);
	assert_int_equal(gmap_arch_iske(f->arch, fr + 2 * PG), 0);
	assert_int_equal(key_of(f, BASE + PG), 0x36);
	/* RRBE: cc 3 (R and C), then R gone: cc 1. */
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE + PG), 3);
	assert_int_equal(gmap_arch_iske(f->arch, fr + PG), 0x32);
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE + PG), 1);
	/* Conditional: with MC a change in C alone is not done. */
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE + PG, 0x30, &old,
						 GMAP_PGSTE_KEY_MR | GMAP_PGSTE_KEY_MC), 0);
	assert_int_equal(old, 0x32);
	assert_int_equal(gmap_arch_iske(f->arch, fr + PG), 0x32);
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE + PG, 0x40, &old, GMAP_PGSTE_KEY_MR),
			 1);
	assert_int_equal(old, 0x32);
	assert_int_equal(gmap_arch_iske(f->arch, fr + PG), 0x40);
	/* The unconditional form. */
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE + PG, 0x50, NULL, 0), 1);
	assert_int_equal(gmap_arch_iske(f->arch, fr + PG), 0x50);
	/* A key operation leaves the entry alone. */
	assert_int_equal(ste_of(f, BASE), fr | SEG_RW_CLEAN);
}

static void pte_operations_refuse_or_skip_large_segments(void **state)
{
	struct fx *f = *state;
	gmap_pte_t pte = { GMAP_MM_PTE_NONE };
	uint64_t bitmap[4] = { ~0ULL, ~0ULL, ~0ULL, ~0ULL }, ste;

	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	ste = ste_of(f, BASE);
	assert_int_equal(gmap_mm_read_pte(f->mm, BASE, &pte, NULL), -EFAULT);
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE, pte, 0, NULL), -EFAULT);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE, GMAP_MM_PROT_READ, GMAP_PGSTE_IN),
			 -EFAULT);
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_IN, GMAP_PGSTE_IN), -EFAULT);
	assert_int_equal(gmap_pgste_essa(f->mm, BASE, GMAP_PGSTE_ESSA_SET_UNUSED, NULL, NULL),
			 -EFAULT);
	assert_int_equal(gmap_pgste_zap_unused(f->mm, BASE, false), -EFAULT);
	assert_int_equal(gmap_pgste_zap_key(f->mm, BASE), -EFAULT);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), 0);
	assert_int_equal(gmap_pgste_sync_dirty(f->mm, BASE, 256, bitmap), 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(bitmap[i], 0);
	assert_int_equal(gmap_mm_discard_unused(f->mm, BASE, SEG, false), 0);
	/* Nothing of it changed the entry or built a page table. */
	assert_int_equal(ste_of(f, BASE), ste);
	assert_int_equal(gmap_mm_table_bytes(f->mm), 2 * (size_t)MM_CRST_BYTES);
}

static void enable_sie_keeps_large_entries(void **state)
{
	struct fx *f = *state;
	uint64_t ste, none;

	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_map(f->mm, BASE + 2 * SEG, PG, 0, RW), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG, GMAP_DAT_FETCH), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + 2 * SEG, GMAP_DAT_FETCH), 0);
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE + SEG, SEG, GMAP_MM_PROT_NONE), 0);
	ste = ste_of(f, BASE);
	none = ste_of(f, BASE + SEG);
	assert_int_equal(none & GMAP_CRSTE_I, GMAP_CRSTE_I);
	assert_int_equal(gmap_mm_enable_sie(f->mm), 0);
	assert_int_equal(ste_of(f, BASE), ste);
	assert_int_equal(ste_of(f, BASE + SEG), none);
	assert_int_equal(tr(f, 0, BASE + 0x100, GMAP_DAT_STORE).addr,
			 (ste & GMAP_SEGMENT_SFAA) + 0x100);
	assert_int_equal(pgste_of(f, BASE + 2 * SEG), 0);
	assert_int_equal(gmap_mm_table_bytes(f->mm),
			 2 * (size_t)MM_CRST_BYTES + 2 * GMAP_PT_SIZE);
}

static void without_pgstes_large_segments_work_the_same(void **state)
{
	struct fx *f = *state;
	uint8_t key;

	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG, 0, RW | LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	assert_int_equal(ste_of(f, BASE) & ~GMAP_SEGMENT_SFAA, SEG_RW_CLEAN);
	assert_int_equal(gmap_pgste_get_key(f->mm, BASE, &key), -EINVAL);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, SEG), 0);
	assert_int_equal(ste_of(f, BASE), MM_SEG_EMPTY);
}

static const struct params nopgste = { .pgste = false };

#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, NULL)
#define TP(fn, p) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, \
							    (void *)(p))

static const struct CMUnitTest tests[] = {
	T(large_map_needs_edat1_and_whole_segments),
	T(read_fault_installs_a_young_clean_large_entry),
	T(write_fault_makes_it_dirty_through_idte),
	T(young_is_harvested_from_the_segment_entry),
	T(caller_frames_are_special_and_read_only_holds),
	T(zap_empties_the_entry_and_pools_the_frame),
	T(mprotect_follows_pmd_modify),
	T(unmap_empties_whole_segments_only),
	T(storage_keys_are_the_real_keys_of_the_frame),
	T(pte_operations_refuse_or_skip_large_segments),
	TP(enable_sie_keeps_large_entries, &nopgste),
	TP(without_pgstes_large_segments_work_the_same, &nopgste),
};

const struct test_group pgste_large_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
