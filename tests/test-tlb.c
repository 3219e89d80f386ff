// SPDX-License-Identifier: MIT
/*
 * The tlb suite: the soft backend's per-CPU TLB (fill, hit, large frames,
 * ASCE tags), IPTE / IDTE / CSP / PTLB purges, strict mode and a
 * concurrent IPTE race, on the host-native fixture (test-tlb.h); main()
 * joins these cases with those of test-tlb-skey.c (storage keys,
 * allocation failures, options) and test-tlb-be.c (big-endian table_mem).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atomic_ops.h>

#include "arch/arch_impl.h"
#include "test-groups.h"
#include "test-tlb.h"

static void miss_then_hit_fills_one_cpu(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result r;

	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 0);
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 0, f->asce_r3, 0x1234, &r), 0);
	r = tr(f, 0, 0x1234, GMAP_DAT_FETCH, 0);
	assert_int_equal(r.pic, GMAP_PIC_NONE);
	assert_int_equal(r.addr, frame(f, 1) + 0x234);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 1), 0);
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 0, f->asce_r3, 0x1ff8, &r), 1);
	assert_int_equal(r.addr, frame(f, 1) + 0xff8);
	assert_int_equal(cached(f, 0, f->asce_r3, 0x2000), 0);
	/* The hit adds nothing. */
	assert_int_equal(tr(f, 0, 0x1000, GMAP_DAT_FETCH, 0).addr, frame(f, 1));
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
}

static void entry_holds_the_walk_result(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result r, w;

	f->pt[3] = gmap_pte_mk(frame(f, 3), GMAP_PTE_P | GMAP_PTE_IEP);
	f->sgt[1] = gmap_crste_mk_frame(FRAME_1M, GMAP_TT_SEGMENT,
					GMAP_CRSTE_AV | (5ULL << GMAP_CRSTE_ACC_SHIFT) |
						GMAP_CRSTE_F);
	fill(f, 0, f->asce_r3, VA_PAGE(3) + 8);
	fill(f, 0, f->asce_r3, VA_1M + 0x54321);

	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 0, f->asce_r3, VA_PAGE(3) + 0x10, &r), 1);
	assert_int_equal(r.pic, GMAP_PIC_NONE);
	assert_int_equal(r.addr, frame(f, 3) + 0x10);
	assert_int_equal(r.level, GMAP_LEVEL_PAGE);
	assert_int_equal(r.frame_shift, GMAP_PAGE_SHIFT);
	assert_true(r.prot && r.iep && !r.accf);
	w = walk(f, f->asce_r3, VA_PAGE(3) + 0x10, GMAP_DAT_FETCH, 0);
	assert_res_equal(&r, &w);

	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 0, f->asce_r3, VA_1M + 0xabc, &r), 1);
	assert_int_equal(r.addr, FRAME_1M + 0xabc);
	assert_int_equal(r.level, GMAP_TT_SEGMENT);
	assert_int_equal(r.frame_shift, GMAP_SEGMENT_SHIFT);
	assert_true(r.accf && r.fp && !r.prot && !r.iep);
	assert_int_equal(r.acc, 5);
	w = walk(f, f->asce_r3, VA_1M + 0xabc, GMAP_DAT_FETCH, 0);
	assert_res_equal(&r, &w);
}

static void large_frame_takes_one_entry(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result r;

	fill(f, 0, f->asce_r3, VA_1M);
	fill(f, 0, f->asce_r3, VA_1M + 0x80000);
	fill(f, 0, f->asce_r3, VA_1M + 0xfffff);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 0, f->asce_r3, VA_1M + 0x12345, &r), 1);
	assert_int_equal(r.addr, FRAME_1M + 0x12345);
	assert_int_equal(cached(f, 0, f->asce_r3, 2 * VA_1M), 0);

	fill(f, 0, f->asce_r3, VA_2G + 0x10);
	fill(f, 0, f->asce_r3, 2 * VA_2G - 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 2);
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 0, f->asce_r3, VA_2G + 0x7654321, &r), 1);
	assert_int_equal(r.addr, FRAME_2G + 0x7654321);
	assert_int_equal(r.level, GMAP_TT_REGION3);
	assert_int_equal(r.frame_shift, GMAP_REGION3_SHIFT);
}

static void entries_are_tagged_by_asce(void **state)
{
	struct fx *f = *state;
	gmap_asce_t other = f->asce_r3;

	other.val |= GMAP_ASCE_S;
	fill(f, 0, f->asce_r3, VA_PAGE(2));
	assert_int_equal(cached(f, 0, f->asce_sgt, VA_PAGE(2)), 0);
	assert_int_equal(cached(f, 0, other, VA_PAGE(2)), 0);
	fill(f, 0, f->asce_sgt, VA_PAGE(2));
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 2);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_PAGE(2)), 1);
	assert_int_equal(cached(f, 0, f->asce_sgt, VA_PAGE(2)), 1);
}

static void ipte_purges_the_pte_on_all_cpus(void **state)
{
	struct fx *f = *state;
	gmap_asce_t any = { 0 };

	fill_pages(f);
	gmap_arch_ipte(f->arch, 1, any, VA_PAGE(1), &f->pt[1], 1, 0);
	assert_int_equal(f->pt[1].val, frame(f, 1) | GMAP_PTE_I);
	assert_int_equal(f->pt[0].val, frame(f, 0));
	assert_int_equal(held(f, 0), 0x3d);
	assert_int_equal(held(f, 1), 0x3d);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 5);
	assert_int_equal(tr(f, 0, VA_PAGE(1), GMAP_DAT_FETCH, 0).pic,
			 GMAP_PIC_PAGE_TRANSLATION);
}

static void ipte_local_purges_only_the_issuer(void **state)
{
	struct fx *f = *state;
	gmap_asce_t any = { 0 };

	fill_pages(f);
	gmap_arch_ipte(f->arch, 1, any, VA_PAGE(4), &f->pt[4], 1, GMAP_INV_LOCAL);
	assert_true(f->pt[4].val & GMAP_PTE_I);
	assert_int_equal(held(f, 0), 0x3f);
	assert_int_equal(held(f, 1), 0x2f);
}

static void ipte_with_asce_purges_only_that_asce(void **state)
{
	struct fx *f = *state;

	fill(f, 0, f->asce_r3, VA_PAGE(1));
	fill(f, 0, f->asce_sgt, VA_PAGE(1));
	fill(f, 0, f->asce_sgt, VA_PAGE(2));
	gmap_arch_ipte(f->arch, 0, f->asce_r3, VA_PAGE(1), &f->pt[1], 1, 0);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_PAGE(1)), 0);
	assert_int_equal(cached(f, 0, f->asce_sgt, VA_PAGE(1)), 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 2);
}

static void ipte_range_purges_nr_ptes(void **state)
{
	struct fx *f = *state;
	gmap_asce_t any = { 0 };

	fill_pages(f);
	gmap_arch_ipte(f->arch, 0, any, VA_PAGE(1), &f->pt[1], 3, 0);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(f->pt[i].val,
				 frame(f, i) | (i >= 1 && i <= 3 ? GMAP_PTE_I : 0));
	assert_int_equal(held(f, 0), 0x31);
	assert_int_equal(held(f, 1), 0x31);
}

/*
 * Purges that skip the scan (the path filter shows no entry formed through
 * the named ptes) still count as purges, and a purge that scans rebuilds
 * the filter so that later purges find every entry that stayed: a second
 * page table's translation survives an IPTE of the first table's pte and
 * goes with an IPTE of its own.
 */
static void purges_find_entries_after_the_filter_is_rebuilt(void **state)
{
	struct fx *f = *state;
	const uint64_t va2 = 2 * VA_1M;
	gmap_pte_t *pt2 = gmap_arch_alloc_pgtable(f->arch);
	const unsigned long *gen = arch_purge_gen(f->arch, 0);
	gmap_asce_t any = { 0 };
	unsigned long before;

	assert_non_null(pt2);
	assert_non_null(gen);
	for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
		pt2[i].val = GMAP_PTE_I;
	pt2[0].val = frame(f, 2);
	f->sgt[2].val = gmap_arch_virt_to_real(f->arch, pt2);
	fill_pages(f);
	fill(f, 0, f->asce_r3, va2);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 7);

	/* A pte no translation was formed through: nothing goes, the purge
	 * counts. */
	before = *gen;
	gmap_arch_ipte(f->arch, 0, any, va2 + VA_PAGE(9), &pt2[9], 1, 0);
	assert_int_equal(*gen, before + 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 7);

	gmap_arch_ipte(f->arch, 0, any, VA_PAGE(1), &f->pt[1], 1, 0);
	assert_int_equal(held(f, 0), 0x3d);
	assert_int_equal(cached(f, 0, f->asce_r3, va2), 1);
	gmap_arch_ipte(f->arch, 0, any, va2, &pt2[0], 1, 0);
	assert_int_equal(cached(f, 0, f->asce_r3, va2), 0);
	assert_int_equal(held(f, 0), 0x3d);
	assert_int_equal(held(f, 1), 0x3d);
	assert_int_equal(*gen, before + 3);

	f->sgt[2].val = GMAP_CRSTE_I;
	gmap_arch_free_pgtable(f->arch, pt2);
}

static void idte_purges_everything_below_the_entry(void **state)
{
	struct fx *f = *state;
	gmap_asce_t any = { 0 };
	uint64_t sgt0 = f->sgt[0].val;

	fill_pages(f);
	fill(f, 0, f->asce_sgt, VA_PAGE(1));
	fill(f, 0, f->asce_r3, VA_1M);
	fill(f, 0, f->asce_r3, VA_2G);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 9);
	gmap_arch_idte(f->arch, 0, any, 0, &f->sgt[0], 0);
	assert_int_equal(f->sgt[0].val, sgt0 | GMAP_CRSTE_I);
	assert_int_equal(held(f, 0), 0);
	assert_int_equal(held(f, 1), 0);
	assert_int_equal(cached(f, 0, f->asce_sgt, VA_PAGE(1)), 0);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_1M), 1);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_2G), 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 2);
	gmap_arch_load_asce(f->arch, 0, f->asce_r3);
	assert_int_equal(tr(f, 0, VA_PAGE(0), GMAP_DAT_FETCH, 0).pic,
			 GMAP_PIC_SEGMENT_TRANSLATION);
}

static void idte_nodat_only_purges(void **state)
{
	struct fx *f = *state;
	uint64_t sgt0 = f->sgt[0].val;

	fill_pages(f);
	fill(f, 0, f->asce_sgt, VA_PAGE(1));
	gmap_arch_idte(f->arch, 0, f->asce_r3, 0, &f->sgt[0], GMAP_INV_NODAT | GMAP_INV_LOCAL);
	assert_int_equal(f->sgt[0].val, sgt0);
	assert_int_equal(held(f, 0), 0);
	assert_int_equal(held(f, 1), 0x3f);
	assert_int_equal(cached(f, 0, f->asce_sgt, VA_PAGE(1)), 1);
	gmap_arch_load_asce(f->arch, 0, f->asce_r3);
	assert_int_equal(tr(f, 0, VA_PAGE(0), GMAP_DAT_FETCH, 0).addr, frame(f, 0));
}

static void idte_asce_purges_that_table_origin(void **state)
{
	struct fx *f = *state;
	gmap_asce_t flagged = f->asce_r3;

	flagged.val |= GMAP_ASCE_S | GMAP_ASCE_X;
	fill_pages(f);
	fill(f, 0, f->asce_r3, VA_1M);
	fill(f, 0, f->asce_r3, VA_2G);
	fill(f, 0, flagged, VA_PAGE(7));
	fill(f, 0, f->asce_sgt, VA_PAGE(1));
	fill(f, 1, f->asce_sgt, VA_PAGE(1));
	gmap_arch_idte_asce(f->arch, 1, f->asce_r3, 0);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 1), 1);
	assert_int_equal(cached(f, 0, f->asce_sgt, VA_PAGE(1)), 1);
	assert_int_equal(cached(f, 1, f->asce_sgt, VA_PAGE(1)), 1);
	gmap_arch_idte_asce(f->arch, 1, f->asce_sgt, GMAP_INV_LOCAL);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 1), 0);
}

static void csp_purges_all_only_on_success(void **state)
{
	struct fx *f = *state;
	uint64_t old = f->pt[7].val, new_val = frame(f, 6);

	fill_pages(f);
	assert_false(gmap_arch_csp(f->arch, 0, &f->pt[7].val, old + 1, new_val));
	assert_int_equal(f->pt[7].val, old);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 6);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 1), 6);
	assert_true(gmap_arch_csp(f->arch, 0, &f->pt[7].val, old, new_val));
	assert_int_equal(f->pt[7].val, new_val);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 0);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 1), 0);
}

static void ptlb_purges_one_cpu(void **state)
{
	struct fx *f = *state;

	fill_pages(f);
	fill(f, 1, f->asce_r3, VA_2G);
	gmap_arch_ptlb(f->arch, 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 6);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 1), 0);
}

/* A pte changed without IPTE: strict mode keeps the old frame (or the
 * translation of an invalidated pte), the non-strict mode sees the new
 * one and refreshes its entry; after IPTE both see the change. */
static void missing_ipte_shows_only_in_strict_mode(void **state)
{
	struct fx *f = *state;
	bool strict = f->strict;
	gmap_asce_t any = { 0 };

	fill(f, 0, f->asce_r3, VA_PAGE(2));
	f->pt[2] = gmap_pte_mk(frame(f, 5), 0);
	assert_int_equal(tr(f, 0, VA_PAGE(2) + 4, GMAP_DAT_FETCH, 0).addr,
			 (strict ? frame(f, 2) : frame(f, 5)) + 4);
	assert_int_equal(tr(f, 1, VA_PAGE(2) + 4, GMAP_DAT_FETCH, 0).addr, frame(f, 5) + 4);
	fill(f, 0, f->asce_r3, VA_PAGE(3));
	f->pt[3].val |= GMAP_PTE_I;
	assert_int_equal(tr(f, 0, VA_PAGE(3), GMAP_DAT_FETCH, 0).pic,
			 strict ? GMAP_PIC_NONE : GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_PAGE(3)), strict);

	gmap_arch_ipte(f->arch, 0, any, VA_PAGE(2), &f->pt[2], 1, 0);
	f->pt[2] = gmap_pte_mk(frame(f, 6), 0);
	assert_int_equal(tr(f, 0, VA_PAGE(2) + 4, GMAP_DAT_FETCH, 0).addr, frame(f, 6) + 4);
	assert_int_equal(tr(f, 1, VA_PAGE(2) + 4, GMAP_DAT_FETCH, 0).addr, frame(f, 6) + 4);
}

static void protection_on_miss_and_hit_as_the_walker(void **state)
{
	struct fx *f = *state;
	uint64_t va = VA_PAGE(2) + 0x10;
	struct gmap_dat_result w, r;

	f->pt[2] = gmap_pte_mk(frame(f, 2), GMAP_PTE_P | GMAP_PTE_IEP);
	w = walk(f, f->asce_r3, va, GMAP_DAT_STORE, 0);
	assert_int_equal(w.pic, GMAP_PIC_PROTECTION);
	assert_true(w.teid_valid);
	assert_int_equal(w.teid, VA_PAGE(2) | GMAP_TEID_FSI_STORE | GMAP_TEID_B61 | GMAP_AS_PRIMARY);
	for (int pass = 0; pass < 2; pass++) {
		r = tr(f, 0, va, GMAP_DAT_STORE, 0);
		assert_res_equal(&r, &w);
		/* The protection exception was cached: the second pass hits. */
		assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	}
	w = walk(f, f->asce_r3, va, GMAP_DAT_IFETCH, 0);
	assert_int_equal(w.teid, VA_PAGE(2) | GMAP_TEID_FSI_FETCH | GMAP_TEID_B56 |
					 GMAP_TEID_B61);
	r = tr(f, 0, va, GMAP_DAT_IFETCH, 0);
	assert_res_equal(&r, &w);
	w = walk(f, f->asce_r3, va, GMAP_DAT_FETCH, 0);
	r = tr(f, 0, va, GMAP_DAT_FETCH, 0);
	assert_int_equal(r.pic, GMAP_PIC_NONE);
	assert_res_equal(&r, &w);
}

/* The TLB holds real page addresses: prefixing applies on every use, with
 * the prefix of that translation; EDAT frames are absolute. */
static void prefixing_applies_on_hit(void **state)
{
	struct fx *f = *state;
	const uint64_t pfx_a = 0x6000, pfx_b = 0xa000;
	struct gmap_dat_result r, w;

	f->pt[4] = gmap_pte_mk(0, 0);
	f->pt[5] = gmap_pte_mk(pfx_a, 0);
	f->sgt[1] = gmap_crste_mk_frame(0, GMAP_TT_SEGMENT, 0);
	assert_int_equal(tr(f, 0, VA_PAGE(4) + 0x20, GMAP_DAT_FETCH, pfx_a).addr, pfx_a + 0x20);
	assert_int_equal(tr(f, 0, VA_PAGE(5) + 0x20, GMAP_DAT_FETCH, pfx_a).addr, 0x20);
	assert_int_equal(tr(f, 0, VA_1M + 0x20, GMAP_DAT_FETCH, pfx_a).addr, 0x20);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 3);
	for (int i = 0; i < 3; i++) {
		uint64_t va = (i < 2 ? VA_PAGE(4 + i) : VA_1M) + 0x30;

		r = tr(f, 0, va, GMAP_DAT_FETCH, pfx_b);
		w = walk(f, f->asce_r3, va, GMAP_DAT_FETCH, pfx_b);
		assert_res_equal(&r, &w);
	}
	assert_int_equal(tr(f, 0, VA_PAGE(4) + 0x30, GMAP_DAT_FETCH, pfx_b).addr, pfx_b + 0x30);
	assert_int_equal(tr(f, 0, VA_PAGE(5) + 0x30, GMAP_DAT_FETCH, pfx_b).addr, pfx_a + 0x30);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 3);
}

static void exceptions_and_real_space_are_not_cached(void **state)
{
	struct fx *f = *state;
	gmap_asce_t real = gmap_asce_mk(0, GMAP_TT_SEGMENT, 0, GMAP_ASCE_R);

	f->pt[6] = gmap_pte_mk(frame(f, 6), GMAP_PTE_I);
	assert_int_equal(tr(f, 0, VA_PAGE(6), GMAP_DAT_FETCH, 0).pic, GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(tr(f, 0, 3 * VA_2G, GMAP_DAT_FETCH, 0).pic, GMAP_PIC_REGION_THIRD);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 0);
	gmap_arch_load_asce(f->arch, 0, real);
	assert_int_equal(tr(f, 0, frame(f, 1), GMAP_DAT_FETCH, 0).addr, frame(f, 1));
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 0);
}

static void one_entry_tlb_evicts(void **state)
{
	struct fx *f = *state;

	fill(f, 0, f->asce_r3, VA_PAGE(1));
	fill(f, 0, f->asce_r3, VA_1M);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_PAGE(1)), 0);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_1M), 1);
	/* One slot: the tag alone tells the ASCEs apart. */
	assert_int_equal(cached(f, 0, f->asce_sgt, VA_1M), 0);
	fill(f, 0, f->asce_sgt, VA_1M);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_1M), 0);
	assert_int_equal(cached(f, 0, f->asce_sgt, VA_1M), 1);
}

static void default_tlb_holds_256_pages(void **state)
{
	struct fx *f = *state;

	for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
		f->pt[i] = gmap_pte_mk(FRAME_2G + VA_PAGE(i), 0);
	for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
		fill(f, 0, f->asce_r3, VA_PAGE(i));
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 256);
	for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
		assert_int_equal(cached(f, 0, f->asce_r3, VA_PAGE(i)), 1);
	/* A full TLB replaces an entry. */
	fill(f, 0, f->asce_r3, VA_1M);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 256);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_1M), 1);
}

/*
 * Two CPUs translate RACE_PAGES pages in turn while a third IPTEs their
 * ptes (one range IPTE) and points them at new frames, round after round.
 * A translation must never return a frame whose IPTE had completed
 * before the translation began: that would be a TLB entry formed by a
 * walk that raced with the purge and survived it.
 */
#define RACE_PAGES	2
#define RACE_ROUNDS	30000	/* at least this many IPTEs */
#define RACE_MIN	5000	/* and until each reader translated this often */
#define RACE_YIELD	8192	/* translations between a reader's yields */
#define RACE_FRAME(round, page) \
	((1ULL << 40) + (((uint64_t)(round) * RACE_PAGES + (page)) << GMAP_PAGE_SHIFT))

struct race {
	struct gmap_arch *arch;
	volatile AO_t dead;	/* frames of rounds below this are invalidated */
	volatile AO_t done;
};

struct race_cpu {
	struct race *race;
	unsigned int cpu;
	volatile AO_t translated;
	unsigned long stale;
};

static void *race_reader(void *arg)
{
	struct race_cpu *rc = arg;
	struct gmap_dat_result r;

	for (unsigned int n = 1; !AO_load_acquire(&rc->race->done); n++) {
		AO_t dead = AO_load_acquire(&rc->race->dead);

		/* Now and then let the other threads have the core: Valgrind
		 * runs one thread at a time and need not switch on its own. */
		if (!(n % RACE_YIELD))
			sched_yield();

		if (gmap_arch_translate(rc->race->arch, rc->cpu, VA_PAGE(n % RACE_PAGES),
					GMAP_DAT_FETCH, 0, &r) ||
		    r.pic != GMAP_PIC_NONE)
			continue;
		AO_store_release(&rc->translated, AO_load(&rc->translated) + 1);
		rc->stale += (r.addr - RACE_FRAME(0, 0)) >> GMAP_PAGE_SHIFT < dead * RACE_PAGES;
	}
	return NULL;
}

static void set_race_ptes(struct fx *f, unsigned int round)
{
	for (unsigned int p = 0; p < RACE_PAGES; p++)
		AO_store_release((volatile AO_t *)&f->pt[p].val, RACE_FRAME(round, p));
}

static void ipte_race_leaves_no_stale_entry(void **state)
{
	struct fx *f = *state;
	struct race race = { .arch = f->arch };
	struct race_cpu rc[2] = { { &race, 0, 0, 0 }, { &race, 1, 0, 0 } };
	gmap_asce_t any = { 0 };
	pthread_t t[2];
	unsigned int i;

	set_race_ptes(f, 0);
	for (unsigned int c = 0; c < 2; c++)
		assert_int_equal(pthread_create(&t[c], NULL, race_reader, &rc[c]), 0);
	for (i = 1; i <= RACE_ROUNDS || AO_load_acquire(&rc[0].translated) < RACE_MIN ||
		    AO_load_acquire(&rc[1].translated) < RACE_MIN; i++) {
		gmap_arch_ipte(f->arch, 2, any, 0, f->pt, RACE_PAGES, 0);
		AO_store_release(&race.dead, i);
		set_race_ptes(f, i);
		/* Waiting for a reader: let it have the core. */
		if (i >= RACE_ROUNDS)
			sched_yield();
	}
	AO_store_release(&race.done, 1);
	for (unsigned int c = 0; c < 2; c++) {
		assert_int_equal(pthread_join(t[c], NULL), 0);
		assert_int_equal(rc[c].stale, 0);
	}
}

static const struct params tiny = { .strict = true, .tlb_entries = 1 };
static const struct params three = { .strict = true, .ncpus = 3, .tlb_entries = 4 };

static const struct CMUnitTest tlb_tests[] = {
	T(miss_then_hit_fills_one_cpu, tlb_strict),
	T(entry_holds_the_walk_result, tlb_strict),
	T(large_frame_takes_one_entry, tlb_strict),
	T(entries_are_tagged_by_asce, tlb_strict),
	T(ipte_purges_the_pte_on_all_cpus, tlb_strict),
	T(ipte_local_purges_only_the_issuer, tlb_strict),
	T(ipte_with_asce_purges_only_that_asce, tlb_strict),
	T(ipte_range_purges_nr_ptes, tlb_strict),
	T(purges_find_entries_after_the_filter_is_rebuilt, tlb_strict),
	T(idte_purges_everything_below_the_entry, tlb_strict),
	T(idte_nodat_only_purges, tlb_strict),
	T(idte_asce_purges_that_table_origin, tlb_strict),
	T(csp_purges_all_only_on_success, tlb_strict),
	T(ptlb_purges_one_cpu, tlb_strict),
	TN("strict_mode_keeps_the_stale_frame_without_ipte",
	   missing_ipte_shows_only_in_strict_mode, tlb_strict),
	TN("nonstrict_mode_sees_the_new_frame_without_ipte",
	   missing_ipte_shows_only_in_strict_mode, tlb_nonstrict),
	T(protection_on_miss_and_hit_as_the_walker, tlb_strict),
	T(prefixing_applies_on_hit, tlb_strict),
	T(exceptions_and_real_space_are_not_cached, tlb_strict),
	T(one_entry_tlb_evicts, tiny),
	T(default_tlb_holds_256_pages, tlb_strict),
	T(ipte_race_leaves_no_stale_entry, three),
};

int main(void)
{
	const struct test_group groups[] = {
		{ tlb_tests, sizeof(tlb_tests) / sizeof(tlb_tests[0]) },
		{ tlb_skey_tests, tlb_skey_ntests },
		{ tlb_be_tests, tlb_be_ntests },
	};

	return test_run_groups("tlb", groups, sizeof(groups) / sizeof(groups[0]));
}
