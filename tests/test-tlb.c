// SPDX-License-Identifier: MIT
/*
 * The soft backend: per-CPU TLB (fill, hit, large frames, ASCE tags),
 * IPTE / IDTE / CSP / PTLB purges, strict mode, storage keys, options,
 * allocation failures and a concurrent IPTE race.
 *
 * Tables: a region-third table R3 (ASCE "asce_r3"); R3[0] designates a
 * segment table SGT, which a second ASCE ("asce_sgt") designates directly,
 * so both ASCEs reach the same ptes; SGT[0] designates page table PT
 * mapping virtual page i to host frame i; SGT[1] is a 1 MB frame; R3[1]
 * a 2 GB frame. The large frames lie at addresses no one reads: the
 * walker never touches a frame.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <atomic_ops.h>
#include <libgmap/arch.h>

#define NFRAMES		8
#define VA_PAGE(i)	((uint64_t)(i) << GMAP_PAGE_SHIFT)
#define VA_1M		(1ULL << GMAP_SEGMENT_SHIFT)
#define VA_2G		(1ULL << GMAP_REGION3_SHIFT)
#define FRAME_1M	0x12300000ULL
#define FRAME_2G	0x180000000ULL

struct params {
	bool strict;
	unsigned int tlb_entries;
	unsigned int ncpus;	/* 0: 2 */
};

struct fx {
	struct gmap_arch *arch;
	gmap_crste_t *r3, *sgt;
	gmap_pte_t *pt;
	unsigned char *frames;
	gmap_asce_t asce_r3, asce_sgt;
	bool strict;
};

static uint64_t frame(const struct fx *f, unsigned int i)
{
	return (uint64_t)(uintptr_t)(f->frames + i * GMAP_PAGE_SIZE);
}

static int setup(void **state)
{
	const struct params *p = *state;
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .ncpus = p->ncpus ? p->ncpus : 2,
					    .strict = p->strict, .tlb_entries = p->tlb_entries);
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->strict = p->strict;
	assert_int_equal(gmap_arch_soft_create(&o, &f->arch), 0);
	f->r3 = gmap_arch_alloc_crst(f->arch, GMAP_TT_REGION3, 0);
	f->sgt = gmap_arch_alloc_crst(f->arch, GMAP_TT_SEGMENT, 0);
	f->pt = gmap_arch_alloc_pgtable(f->arch);
	f->frames = aligned_alloc(GMAP_PAGE_SIZE, NFRAMES * GMAP_PAGE_SIZE);
	assert_true(f->r3 && f->sgt && f->pt && f->frames);
	f->r3[0] = gmap_crste_mk_table((uintptr_t)f->sgt, GMAP_TT_REGION3, 0, 0, 0);
	f->r3[1] = gmap_crste_mk_frame(FRAME_2G, GMAP_TT_REGION3, 0);
	f->sgt[0] = gmap_crste_mk_table((uintptr_t)f->pt, GMAP_TT_SEGMENT, 0, 0, 0);
	f->sgt[1] = gmap_crste_mk_frame(FRAME_1M, GMAP_TT_SEGMENT, 0);
	for (unsigned int i = 0; i < NFRAMES; i++)
		f->pt[i] = gmap_pte_mk(frame(f, i), 0);
	f->asce_r3 = gmap_asce_mk((uintptr_t)f->r3, GMAP_TT_REGION3, 0, 0);
	f->asce_sgt = gmap_asce_mk((uintptr_t)f->sgt, GMAP_TT_SEGMENT, 0, 0);
	gmap_arch_load_asce(f->arch, 0, f->asce_r3);
	gmap_arch_load_asce(f->arch, 1, f->asce_r3);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	gmap_arch_free_pgtable(f->arch, f->pt);
	gmap_arch_free_crst(f->arch, f->sgt, 0);
	gmap_arch_free_crst(f->arch, f->r3, 0);
	gmap_arch_destroy(f->arch);
	free(f->frames);
	free(f);
	return 0;
}

static struct gmap_dat_result tr(struct fx *f, unsigned int cpu, uint64_t va,
				 enum gmap_dat_access access, uint64_t prefix)
{
	struct gmap_dat_result r;

	assert_int_equal(gmap_arch_translate(f->arch, cpu, va, access, prefix, &r), 0);
	return r;
}

/* Translate on @cpu under @asce; the address must translate. */
static void fill(struct fx *f, unsigned int cpu, gmap_asce_t asce, uint64_t va)
{
	gmap_arch_load_asce(f->arch, cpu, asce);
	assert_int_equal(tr(f, cpu, va, GMAP_DAT_FETCH, 0).pic, GMAP_PIC_NONE);
}

static int cached(struct fx *f, unsigned int cpu, gmap_asce_t asce, uint64_t va)
{
	struct gmap_dat_result r;

	return gmap_arch_tlb_lookup(f->arch, cpu, asce, va, &r);
}

static void assert_res_equal(const struct gmap_dat_result *a, const struct gmap_dat_result *b)
{
	assert_int_equal(a->pic, b->pic);
	assert_int_equal(a->teid_valid, b->teid_valid);
	assert_int_equal(a->teid, b->teid);
	assert_int_equal(a->addr, b->addr);
	assert_int_equal(a->prot, b->prot);
	assert_int_equal(a->iep, b->iep);
	assert_int_equal(a->accf, b->accf);
	assert_int_equal(a->acc, b->acc);
	assert_int_equal(a->fp, b->fp);
	assert_int_equal(a->level, b->level);
	assert_int_equal(a->frame_shift, b->frame_shift);
}

/* The walker's answer over the same tables, for comparison. */
static struct gmap_dat_result walk(struct fx *f, gmap_asce_t asce, uint64_t va,
				   enum gmap_dat_access access, uint64_t prefix)
{
	struct gmap_dat_request req = { .access = access, .facilities = GMAP_FAC_ALL,
					.prefix = prefix };
	struct gmap_dat_mem mem;
	struct gmap_dat_result r;

	gmap_arch_table_mem(f->arch, &mem);
	assert_int_equal(gmap_dat_translate(&mem, asce, va, &req, &r), 0);
	return r;
}

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

/* Pages 0-5 in both CPUs' TLBs under asce_r3. */
static void fill_pages(struct fx *f)
{
	for (unsigned int cpu = 0; cpu < 2; cpu++)
		for (unsigned int i = 0; i < 6; i++)
			fill(f, cpu, f->asce_r3, VA_PAGE(i));
}

/* Which of pages 0-5 @cpu holds, one bit per page. */
static unsigned int held(struct fx *f, unsigned int cpu)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < 6; i++)
		if (cached(f, cpu, f->asce_r3, VA_PAGE(i)))
			m |= 1u << i;
	return m;
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

/* Storage keys. */

static void sske_iske_store_and_read_keys(void **state)
{
	struct fx *f = *state;
	uint64_t a = frame(f, 0), b = frame(f, 1);
	uint8_t old = 0xff;

	assert_int_equal(gmap_arch_iske(f->arch, a), 0);
	assert_int_equal(gmap_arch_sske(f->arch, 0, a + 0x123, 0x37, 0, &old), 0);
	assert_int_equal(old, 0);
	assert_int_equal(gmap_arch_iske(f->arch, a), 0x36);
	assert_int_equal(gmap_arch_iske(f->arch, b), 0);
	assert_int_equal(gmap_arch_sske(f->arch, 1, b, 0xf8, GMAP_SSKE_NQ, NULL), 0);
	assert_int_equal(gmap_arch_sske(f->arch, 0, a, 0x10, 0, &old), 0);
	assert_int_equal(old, 0x36);
	assert_int_equal(gmap_arch_iske(f->arch, a), 0x10);
	assert_int_equal(gmap_arch_iske(f->arch, b), 0xf8);
	assert_int_equal(gmap_arch_sske(f->arch, 0, a, 0, 0x80, &old), -EINVAL);
	assert_int_equal(gmap_arch_iske(f->arch, a), 0x10);
}

static const struct {
	uint8_t key, flags, stored;
} cond_sske[] = {
	{ 0x3a, GMAP_SSKE_MR, 0x3e },			/* only R differs: kept */
	{ 0x3c, GMAP_SSKE_MC, 0x3e },			/* only C differs: kept */
	{ 0x38, GMAP_SSKE_MR | GMAP_SSKE_MC, 0x3e },	/* R, C differ: kept */
	{ 0x3e, GMAP_SSKE_MR | GMAP_SSKE_MC, 0x3e },	/* equal */
	{ 0x38, GMAP_SSKE_MR, 0x38 },			/* C differs, no MC */
	{ 0x3a, GMAP_SSKE_MC, 0x3a },			/* R differs, no MR */
	{ 0x36, GMAP_SSKE_MR | GMAP_SSKE_MC, 0x36 },	/* F differs */
	{ 0x4e, GMAP_SSKE_MR | GMAP_SSKE_MC, 0x4e },	/* ACC differs */
	{ 0x3a, 0, 0x3a },				/* unconditional */
};

static void conditional_sske_follows_mr_mc(void **state)
{
	struct fx *f = *state;
	uint64_t a = frame(f, 2);
	uint8_t old;

	for (size_t i = 0; i < sizeof(cond_sske) / sizeof(cond_sske[0]); i++) {
		assert_int_equal(gmap_arch_sske(f->arch, 0, a, 0x3e, 0, NULL), 0);
		old = 0;
		assert_int_equal(gmap_arch_sske(f->arch, 0, a, cond_sske[i].key,
						cond_sske[i].flags, &old), 0);
		assert_int_equal(old, 0x3e);
		assert_int_equal(gmap_arch_iske(f->arch, a), cond_sske[i].stored);
	}
}

static void rrbe_returns_cc_and_clears_r(void **state)
{
	struct fx *f = *state;
	static const uint8_t key[4] = { 0x50, 0x52, 0x54, 0x56 };

	assert_int_equal(gmap_arch_rrbe(f->arch, frame(f, 7)), 0);
	for (unsigned int cc = 0; cc < 4; cc++) {
		uint64_t a = frame(f, cc);

		assert_int_equal(gmap_arch_sske(f->arch, 0, a, key[cc], 0, NULL), 0);
		assert_int_equal(gmap_arch_rrbe(f->arch, a), cc);
		assert_int_equal(gmap_arch_iske(f->arch, a), key[cc] & ~GMAP_SKEY_R);
		assert_int_equal(gmap_arch_rrbe(f->arch, a), cc & 1);
	}
}

/* An allocation hook that fails call number fail_at, and with for_good
 * every call after it too, and counts live blocks and bytes (the size
 * each free names must be the size allocated). */
struct hook {
	unsigned long calls, fail_at;
	bool for_good;
	long live, bytes;
};

static void *hook_alloc(void *priv, size_t size, size_t align)
{
	struct hook *h = priv;
	void *p;

	h->calls++;
	if (h->fail_at && (h->calls == h->fail_at || (h->for_good && h->calls > h->fail_at)))
		return NULL;
	p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
	h->live += p != NULL;
	h->bytes += p ? (long)size : 0;
	return p;
}

static void hook_free(void *priv, void *ptr, size_t size)
{
	struct hook *h = priv;

	h->live--;
	h->bytes -= (long)size;
	free(ptr);
}

static const struct gmap_alloc_ops hook_ops = { hook_alloc, hook_free };

static void hook_arm(struct hook *h, unsigned long n, bool for_good)
{
	h->fail_at = h->calls + n;
	h->for_good = for_good;
}

static void create_failing_nth_allocation_leaks_nothing(void **state)
{
	struct hook h = { 0 };
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .alloc = &hook_ops,
					    .alloc_priv = &h, .ncpus = 4);
	struct gmap_arch *sentinel = (struct gmap_arch *)&h, *a;
	unsigned long n;

	(void)state;
	for (n = 1;; n++) {
		int good;

		for (good = 1; good >= 0; good--) {
			hook_arm(&h, n, good);
			a = sentinel;
			if (gmap_arch_soft_create(&o, &a) == 0)
				break;
			assert_ptr_equal(a, sentinel);
			assert_int_equal(h.live, 0);
		}
		if (good >= 0)
			break;
	}
	/* The instance and the TLBs: the third call is the first not needed. */
	assert_int_equal(n, 3);
	assert_int_equal(gmap_arch_ncpus(a), 4);
	gmap_arch_destroy(a);
	assert_int_equal(h.live, 0);
	assert_int_equal(h.bytes, 0);
}

static void sske_failing_allocation_keeps_keys(void **state)
{
	struct hook h = { 0 };
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .alloc = &hook_ops,
					    .alloc_priv = &h);
	const unsigned int nkeys = 200;
	unsigned int grew = 0;
	struct gmap_arch *a;
	long live;

	(void)state;
	assert_int_equal(gmap_arch_soft_create(&o, &a), 0);
	for (unsigned int i = 0; i < nkeys; i++) {
		uint64_t fr = (uint64_t)(i * 977 + 3) << GMAP_PAGE_SHIFT;
		uint8_t key = (uint8_t)((i % 127 + 1) << 1), old;
		int rc = -ENOMEM;

		/* Storing what is there needs no allocation. */
		hook_arm(&h, 1, true);
		assert_int_equal(gmap_arch_sske(a, 0, fr, 0, 0, NULL), 0);
		for (unsigned long n = 1; rc; n++) {
			for (int good = 1; good >= 0 && rc; good--) {
				live = h.live;
				hook_arm(&h, n, good);
				old = 0xff;
				rc = gmap_arch_sske(a, 0, fr, key, 0, &old);
				if (rc == 0)
					break;
				assert_int_equal(rc, -ENOMEM);
				assert_int_equal(old, 0xff);
				assert_int_equal(h.live, live);
				assert_int_equal(gmap_arch_iske(a, fr), 0);
				grew += n == 1 && good;
			}
		}
		assert_int_equal(old, 0);
		for (unsigned int j = 0; j <= i; j++)
			assert_int_equal(gmap_arch_iske(a, (uint64_t)(j * 977 + 3) << 12),
					 (uint8_t)((j % 127 + 1) << 1));
	}
	/* First table, then doubling at half load: 64, 128, 256, 512 slots. */
	assert_int_equal(grew, 4);
	gmap_arch_destroy(a);
	assert_int_equal(h.live, 0);
	assert_int_equal(h.bytes, 0);
}

struct opts_tail {
	struct gmap_arch_opts o;
	uint64_t newer_field;
};

static void bad_options_are_rejected(void **state)
{
	struct gmap_arch *sentinel = (struct gmap_arch *)state, *a = sentinel;
	struct opts_tail t;
	static const struct gmap_arch_opts bad[] = {
		GMAP_OPTS(gmap_arch_opts, .ncpus = GMAP_ARCH_MAX_CPUS + 1),
		GMAP_OPTS(gmap_arch_opts, .tlb_entries = 3),
		GMAP_OPTS(gmap_arch_opts, .tlb_entries = 384),
		GMAP_OPTS(gmap_arch_opts, .facilities = GMAP_FAC_EDAT2),
		GMAP_OPTS(gmap_arch_opts, .facilities = GMAP_FAC_ALL + 1),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gmap_arch_soft_create(&bad[i], &a), -EINVAL);
		assert_ptr_equal(a, sentinel);
	}
	memset(&t, 0, sizeof(t));
	t.o.sz = sizeof(t);
	t.newer_field = 1;
	assert_int_equal(gmap_arch_soft_create(&t.o, &a), -EINVAL);
	assert_ptr_equal(a, sentinel);
	assert_int_equal(gmap_arch_soft_create(NULL, NULL), -EINVAL);

	t.newer_field = 0;
	t.o.ncpus = GMAP_ARCH_MAX_CPUS;
	t.o.tlb_entries = 1;
	assert_int_equal(gmap_arch_soft_create(&t.o, &a), 0);
	assert_int_equal(gmap_arch_ncpus(a), GMAP_ARCH_MAX_CPUS);
	gmap_arch_destroy(a);
	assert_int_equal(gmap_arch_soft_create(NULL, &a), 0);
	assert_string_equal(gmap_arch_name(a), "soft");
	assert_int_equal(gmap_arch_ncpus(a), 1);
	assert_int_equal(gmap_arch_facilities(a), GMAP_FAC_ALL);
	assert_int_equal(gmap_arch_tlb_count(a, 1), -EINVAL);
	gmap_arch_destroy(a);
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

static const struct params nonstrict = { .strict = false };
static const struct params strict = { .strict = true };
static const struct params tiny = { .strict = true, .tlb_entries = 1 };
static const struct params three = { .strict = true, .ncpus = 3, .tlb_entries = 4 };

#define T(fn, p) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&(p))
#define TN(name, fn, p) { name, fn, setup, teardown, (void *)&(p) }

int main(void)
{
	static const struct CMUnitTest tests[] = {
		T(miss_then_hit_fills_one_cpu, strict),
		T(entry_holds_the_walk_result, strict),
		T(large_frame_takes_one_entry, strict),
		T(entries_are_tagged_by_asce, strict),
		T(ipte_purges_the_pte_on_all_cpus, strict),
		T(ipte_local_purges_only_the_issuer, strict),
		T(ipte_with_asce_purges_only_that_asce, strict),
		T(ipte_range_purges_nr_ptes, strict),
		T(idte_purges_everything_below_the_entry, strict),
		T(idte_nodat_only_purges, strict),
		T(idte_asce_purges_that_table_origin, strict),
		T(csp_purges_all_only_on_success, strict),
		T(ptlb_purges_one_cpu, strict),
		TN("strict_mode_keeps_the_stale_frame_without_ipte",
		   missing_ipte_shows_only_in_strict_mode, strict),
		TN("nonstrict_mode_sees_the_new_frame_without_ipte",
		   missing_ipte_shows_only_in_strict_mode, nonstrict),
		T(protection_on_miss_and_hit_as_the_walker, strict),
		T(prefixing_applies_on_hit, strict),
		T(exceptions_and_real_space_are_not_cached, strict),
		T(one_entry_tlb_evicts, tiny),
		T(default_tlb_holds_256_pages, strict),
		T(sske_iske_store_and_read_keys, strict),
		T(conditional_sske_follows_mr_mc, strict),
		T(rrbe_returns_cc_and_clears_r, strict),
		cmocka_unit_test(create_failing_nth_allocation_leaks_nothing),
		cmocka_unit_test(sske_failing_allocation_keeps_keys),
		cmocka_unit_test(bad_options_are_rejected),
		T(ipte_race_leaves_no_stale_entry, three),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
