// SPDX-License-Identifier: MIT
/*
 * bench/shadow - what shadow tables for a nested guest cost.
 *
 * Guest 1 is 1152 MB of host memory mapped into a parent gmap (only its
 * tables are touched); its own DAT tables (big-endian, in its storage)
 * give guest 2 two address spaces:
 * MAIN, 1 GB of 4 KB pages onto 1 GB of distinct guest-1 frames (one
 * region-first path, 1024 page tables, each in its own 4 KB page), and
 * FRESH, 2048 region-first entries each leading to its own region-second,
 * region-third, segment and page table.
 *
 * Prints "RESULT <case> <value> <unit>":
 *  - fault_pte: ns per gmap_shadow_fault() that builds one shadow pte in
 *    a shadow page table that is there (every page of MAIN but the first
 *    of each segment, which is faulted untimed before);
 *  - fault_all_levels: ns per fault that builds a shadow region-second,
 *    region-third, segment and page table and the pte (the first address
 *    of each FRESH path, in a new shadow each round);
 *  - translate_shadow: ns per gmap_translate() of the shadow (a walk of
 *    the shadow tables) over 4096 pages of MAIN; translate_two_stage: the
 *    same addresses the way a shadow saves: gmap_dat_translate() over
 *    guest 1's big-endian tables, each entry read through
 *    gmap_translate(parent), and gmap_translate(parent) of the result;
 *    translate_ratio: the second over the first;
 *  - translate_tlb: ns per gmap_arch_translate() on a CPU running the
 *    shadow, 64 pages that stay in its TLB; translate_tlb_ratio: the
 *    two-stage walk over it;
 *  - unshadow_pgt_write: ns per guest-1 write (gmap_gacc_write_abs()
 *    through the parent) to a page that holds a shadowed page table, end
 *    to end: the parent's store fault, the unshadow of that shadow page
 *    table (IDTE, notifiers) and the copy; write_clean_page: the same
 *    write to a clean page no shadow uses (the parent's store fault and
 *    the copy); unshadow_pgt: the difference, the unshadow alone;
 *  - table_bytes_4k: gmap_table_bytes() of the shadow per GB of guest 2
 *    shadowed with 4 KB pages (MAIN, every page faulted).
 *
 * GMAP_BENCH_ITERS (default 5) sets the rounds each timing takes its best
 * of. Run: build/bench/shadow (or meson test -C build --benchmark
 * --verbose).
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libgmap/libgmap.h>
#include <libgmap/shadow.h>

#include "bench.h"

#define PROG		"bench/shadow"
#define MB		(1ULL << 20)
#define GB		(1ULL << 30)
#define STORE_SIZE	(1152 * MB)		/* guest-1 storage (not touched but tables) */
#define R1T_MAIN	0x100000ULL		/* MAIN: r1t, r2t, r3t, sgt, 16 KB each */
#define PGT_MAIN	0x200000ULL		/* 1024 page tables, one per 4 KB page */
#define DATA		0x8000000ULL		/* 1 GB: the frames of MAIN's ptes */
#define SPARE		0x2000000ULL		/* 16 MB of clean pages no shadow uses */
#define R1T_FRESH	0x3000000ULL		/* FRESH: r1t, then per path 4 tables */
#define PATHS		0x3100000ULL
#define NPATHS		2048
#define NSEGS		(GB >> GMAP_SEGMENT_SHIFT)
#define NPAGES		(GB >> GMAP_PAGE_SHIFT)
#define XLATE_PAGES	4096
#define TLB_PAGES	64
#define NWRITES		256			/* guest-1 writes timed per round */
#define SHADOW_CPU	1

struct ctx {
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap *parent;
	unsigned char *map;
	unsigned char *store;
	struct gmap_dat_mem g1mem;
	gmap_asce_t main_asce, fresh_asce;
	struct gmap *sg;
	unsigned int spare_round;
};

static void put_entry(struct ctx *c, uint64_t gaddr, uint64_t val)
{
	uint64_t be = htobe64(val);

	memcpy(c->store + gaddr, &be, sizeof(be));
}

/* A table of @parts 4 KB parts at @gaddr with every entry invalid. */
static void empty_table(struct ctx *c, uint64_t gaddr, int tt, unsigned int parts)
{
	for (uint64_t i = 0; i < parts * GMAP_CRST_ENTRIES_PER_PART; i++)
		put_entry(c, gaddr + i * 8, GMAP_CRSTE_I | ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT));
}

/* Entry @index of the table of type @tt at @table: the next table. */
static void link_table(struct ctx *c, uint64_t table, int tt, uint64_t index, uint64_t next,
		 unsigned int tl)
{
	put_entry(c, table + index * 8, gmap_crste_mk_table(next, tt, 0, tl, 0).val);
}

/* Guest 1's tables: MAIN and FRESH (see the file comment). */
static void build_guest1(struct ctx *c)
{
	const uint64_t r2t = R1T_MAIN + 16384, r3t = r2t + 16384, sgt = r3t + 16384;

	/* Host pages behind the baseline writes exist, as behind the tables. */
	memset(c->store + SPARE, 0x5a, R1T_FRESH - SPARE);
	for (int tt = GMAP_TT_REGION1; tt >= GMAP_TT_SEGMENT; tt--)
		empty_table(c, R1T_MAIN + (GMAP_TT_REGION1 - tt) * 16384, tt, 4);
	link_table(c, R1T_MAIN, GMAP_TT_REGION1, 0, r2t, 3);
	link_table(c, r2t, GMAP_TT_REGION2, 0, r3t, 3);
	link_table(c, r3t, GMAP_TT_REGION3, 0, sgt, 3);
	for (uint64_t s = 0; s < NSEGS; s++) {
		uint64_t pgt = PGT_MAIN + s * GMAP_PAGE_SIZE;

		link_table(c, sgt, GMAP_TT_SEGMENT, s, pgt, 0);
		for (uint64_t p = 0; p < GMAP_PT_ENTRIES; p++)
			put_entry(c, pgt + p * 8,
				  gmap_pte_mk(DATA + (s * 256 + p) * GMAP_PAGE_SIZE, 0).val);
	}
	/* FRESH path i: tables of one part (TL 0), only entry 0 used. */
	for (uint64_t i = 0; i < NPATHS; i++) {
		uint64_t t = PATHS + i * 4 * GMAP_PAGE_SIZE;

		link_table(c, R1T_FRESH, GMAP_TT_REGION1, i, t, 0);
		for (int tt = GMAP_TT_REGION2; tt >= GMAP_TT_SEGMENT; tt--) {
			uint64_t table = t + (GMAP_TT_REGION2 - tt) * GMAP_PAGE_SIZE;

			empty_table(c, table, tt, 1);
			link_table(c, table, tt, 0, table + GMAP_PAGE_SIZE, 0);
		}
		put_entry(c, t + 3 * GMAP_PAGE_SIZE, gmap_pte_mk(DATA + i * GMAP_PAGE_SIZE, 0).val);
		for (uint64_t p = 1; p < GMAP_PT_ENTRIES; p++)
			put_entry(c, t + 3 * GMAP_PAGE_SIZE + p * 8, GMAP_PTE_I);
	}
	c->main_asce = gmap_asce_mk(R1T_MAIN, GMAP_TT_REGION1, 3, 0);
	c->fresh_asce = gmap_asce_mk(R1T_FRESH, GMAP_TT_REGION1, 3, 0);
}

static int g1_read(void *priv, uint64_t addr, uint64_t *val)
{
	struct ctx *c = priv;
	uint64_t h, be;

	if (gmap_translate(c->parent, addr, &h))
		return -1;
	memcpy(&be, (const void *)(uintptr_t)h, sizeof(be));
	*val = be64toh(be);
	return 0;
}

static void setup(struct ctx *c)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .ncpus = 2, .strict = true);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true, .levels = 5);
	uint64_t h;

	c->map = mmap(NULL, STORE_SIZE + MB, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->map == MAP_FAILED)
		bench_check(PROG, "mmap", -1);
	/* 1 MB aligned; each byte mapped at its own address (host virtual
	 * = soft backend real). */
	c->store = (unsigned char *)(((uintptr_t)c->map + MB - 1) & ~(uintptr_t)(MB - 1));
	h = (uint64_t)(uintptr_t)c->store;
	build_guest1(c);
	bench_check(PROG, "gmap_arch_soft_create", gmap_arch_soft_create(&ao, &c->arch));
	mo.arch = c->arch;
	bench_check(PROG, "gmap_mm_create", gmap_mm_create(&mo, &c->mm));
	bench_check(PROG, "gmap_mm_map", gmap_mm_map(c->mm, h, STORE_SIZE,
						     gmap_arch_virt_to_real(c->arch, c->store),
						     GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE));
	bench_check(PROG, "gmap_create", gmap_create(c->mm, STORE_SIZE - 1, &c->parent));
	bench_check(PROG, "gmap_map_segment", gmap_map_segment(c->parent, h, 0, STORE_SIZE));
	bench_check(PROG, "gmap_enable", gmap_enable(c->parent, 0));
	c->g1mem = (struct gmap_dat_mem){ .kind = GMAP_DAT_MEM_FN, .read = g1_read, .priv = c };
}

static struct gmap *get_shadow(struct ctx *c, gmap_asce_t asce)
{
	struct gmap *sg;
	int ret;

	do
		ret = gmap_shadow_get(c->parent, asce, 1, &sg);
	while (ret == -EAGAIN);
	bench_check(PROG, "gmap_shadow_get", ret);
	return sg;
}

static void fault(struct gmap *sg, uint64_t vaddr)
{
	struct gmap_dat_result res;
	int ret;

	do
		ret = gmap_shadow_fault(sg, vaddr, GMAP_DAT_FETCH, &res);
	while (ret == -EAGAIN);
	bench_check(PROG, "gmap_shadow_fault", ret);
	if (res.pic)
		bench_check(PROG, "gmap_shadow_fault (program exception)", -res.pic);
}

/* Drop a shadow: rewrite its top table's first entry through the parent. */
static void drop(struct ctx *c, struct gmap *sg, gmap_asce_t asce)
{
	uint64_t top = asce.val & GMAP_ASCE_ORIGIN, be;

	memcpy(&be, c->store + top, sizeof(be));
	bench_check(PROG, "gmap_gacc_write_abs", gmap_gacc_write_abs(c->parent, 0, top, &be, 8));
	if (gmap_shadow_valid(sg, asce, 1))
		bench_check(PROG, "a write to the top table left the shadow", -1);
	gmap_put(sg);
}

/* ns per pte fault; leaves c->sg with all of MAIN faulted. */
static double fault_pte_ns(struct ctx *c)
{
	double best = 1e30;

	for (unsigned int r = 0; r < bench_rounds(); r++) {
		double t0, t;

		if (c->sg)
			drop(c, c->sg, c->main_asce);
		c->sg = get_shadow(c, c->main_asce);
		for (uint64_t s = 0; s < NSEGS; s++)
			fault(c->sg, s << GMAP_SEGMENT_SHIFT);
		t0 = bench_now_ns();
		for (uint64_t s = 0; s < NSEGS; s++)
			for (uint64_t p = 1; p < GMAP_PT_ENTRIES; p++)
				fault(c->sg, (s << GMAP_SEGMENT_SHIFT) | (p << GMAP_PAGE_SHIFT));
		t = (bench_now_ns() - t0) / (NSEGS * (GMAP_PT_ENTRIES - 1));
		if (t < best)
			best = t;
	}
	return best;
}

static double fault_all_ns(struct ctx *c)
{
	double best = 1e30;

	for (unsigned int r = 0; r < bench_rounds(); r++) {
		struct gmap *sg = get_shadow(c, c->fresh_asce);
		double t0 = bench_now_ns(), t;

		for (uint64_t i = 0; i < NPATHS; i++)
			fault(sg, i << GMAP_REGION1_SHIFT);
		t = (bench_now_ns() - t0) / NPATHS;
		if (t < best)
			best = t;
		drop(c, sg, c->fresh_asce);
	}
	return best;
}

static uint64_t xlate_addr(uint64_t i)
{
	/* Spread over the 1 GB, a different byte in each page. */
	return ((i * 64 + i / 16) % NPAGES) << GMAP_PAGE_SHIFT | (i * 8 & 0xfff);
}

/* Consecutive pages, which a TLB holds all at once. */
static uint64_t tlb_addr(uint64_t i)
{
	return i << GMAP_PAGE_SHIFT | (i * 8 & 0xfff);
}

static uint64_t pass_shadow(void *p)
{
	struct ctx *c = p;
	uint64_t h, sum = 0;

	for (uint64_t i = 0; i < XLATE_PAGES; i++) {
		bench_check(PROG, "gmap_translate(shadow)",
			    gmap_translate(c->sg, xlate_addr(i), &h));
		sum += h;
	}
	return sum;
}

static uint64_t two_stage(struct ctx *c, uint64_t n, uint64_t (*addr)(uint64_t i))
{
	struct gmap_dat_request req = { .access = GMAP_DAT_FETCH };
	struct gmap_dat_result res;
	uint64_t h, sum = 0;

	for (uint64_t i = 0; i < n; i++) {
		gmap_dat_translate(&c->g1mem, c->main_asce, addr(i), &req, &res);
		if (res.pic || gmap_translate(c->parent, res.addr, &h))
			bench_check(PROG, "two-stage translation", -1);
		sum += h;
	}
	return sum;
}

static uint64_t pass_two_stage(void *p)
{
	return two_stage(p, XLATE_PAGES, xlate_addr);
}

static uint64_t pass_two_stage_tlb(void *p)
{
	return two_stage(p, TLB_PAGES, tlb_addr);
}

static uint64_t pass_tlb(void *p)
{
	struct ctx *c = p;
	struct gmap_dat_result res;
	uint64_t sum = 0;

	for (uint64_t i = 0; i < TLB_PAGES; i++) {
		gmap_arch_translate(c->arch, SHADOW_CPU, tlb_addr(i), GMAP_DAT_FETCH, 0, &res);
		sum += res.addr;
	}
	return sum;
}

/* ns per write of 8 bytes at @gaddr(i), i < NWRITES, through the parent. */
static double writes_ns(struct ctx *c, uint64_t (*gaddr)(struct ctx *c, uint64_t i))
{
	uint64_t v = 0;
	double t0 = bench_now_ns();

	for (uint64_t i = 0; i < NWRITES; i++)
		bench_check(PROG, "gmap_gacc_write_abs",
			    gmap_gacc_write_abs(c->parent, 0, gaddr(c, i), &v, sizeof(v)));
	return (bench_now_ns() - t0) / NWRITES;
}

/* The unused upper half of MAIN's page table i. */
static uint64_t pgt_page(struct ctx *c, uint64_t i)
{
	(void)c;
	return PGT_MAIN + i * GMAP_PAGE_SIZE + GMAP_PT_SIZE;
}

static uint64_t spare_page(struct ctx *c, uint64_t i)
{
	return SPARE + (c->spare_round * NWRITES + i) * GMAP_PAGE_SIZE;
}

static void unshadow(struct ctx *c, double *pgt, double *clean)
{
	uint64_t h;
	uint32_t v;

	*pgt = *clean = 1e30;
	/* SPARE holds 16 rounds of clean pages. */
	for (unsigned int r = 0; r < bench_rounds() && r < 16; r++) {
		double a, b;

		c->spare_round = r;
		for (uint64_t i = 0; i < NWRITES; i++) {
			fault(c->sg, i << GMAP_SEGMENT_SHIFT);
			bench_check(PROG, "gmap_gacc_read_abs", gmap_gacc_read_abs(c->parent, 0,
						spare_page(c, i), &v, sizeof(v)));
		}
		/* The baseline first: the unshadows purge every TLB. */
		b = writes_ns(c, spare_page);
		a = writes_ns(c, pgt_page);
		for (uint64_t i = 0; i < NWRITES; i++)
			if (gmap_translate(c->sg, i << GMAP_SEGMENT_SHIFT, &h) != -EFAULT)
				bench_check(PROG, "a write to a page table left its shadow", -1);
		if (a < *pgt)
			*pgt = a;
		if (b < *clean)
			*clean = b;
	}
}

int main(void)
{
	struct ctx c = { 0 };
	double shadow, walk, tlb, walk64, pgt, clean;

	setup(&c);
	bench_result("fault_pte", fault_pte_ns(&c), "ns");
	bench_result("table_bytes_4k", (double)gmap_table_bytes(c.sg), "bytes_per_gb");
	bench_result("fault_all_levels", fault_all_ns(&c), "ns");

	shadow = bench_ns_per_op(pass_shadow, &c, XLATE_PAGES);
	walk = bench_ns_per_op(pass_two_stage, &c, XLATE_PAGES);
	bench_result("translate_shadow", shadow, "ns");
	bench_result("translate_two_stage", walk, "ns");
	bench_result("translate_ratio", walk / shadow, "x");
	bench_check(PROG, "gmap_enable(shadow)", gmap_enable(c.sg, SHADOW_CPU));
	tlb = bench_ns_per_op(pass_tlb, &c, TLB_PAGES);
	walk64 = bench_ns_per_op(pass_two_stage_tlb, &c, TLB_PAGES);
	bench_result("translate_tlb", tlb, "ns");
	bench_result("translate_tlb_ratio", walk64 / tlb, "x");
	gmap_disable(c.sg, SHADOW_CPU);

	unshadow(&c, &pgt, &clean);
	bench_result("unshadow_pgt_write", pgt, "ns");
	bench_result("write_clean_page", clean, "ns");
	bench_result("unshadow_pgt", pgt - clean, "ns");

	gmap_put(c.sg);
	gmap_remove(c.parent);
	gmap_mm_destroy(c.mm);
	gmap_arch_destroy(c.arch);
	munmap(c.map, STORE_SIZE + MB);
	return 0;
}
