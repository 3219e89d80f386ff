// SPDX-License-Identifier: MIT
/*
 * bench/gmap - what a guest address space costs.
 *
 * Prints "RESULT <case> <value> <unit>":
 *  - fault_link: ns per gmap_fault() that links a host page table that is
 *    already there (host pages present), one per 1 MB segment;
 *  - translate: ns per gmap_translate() (guest_to_host lookup);
 *  - access_abs_4b: ns per 4-byte guest absolute read on a TLB hit with
 *    key 0 (gmap_gacc_read_abs()), and access_abs_4b_walk for the naive
 *    reference: a full gmap_dat_translate() walk of the gmap's tables per
 *    read, with their ratio;
 *  - sync_dirty_clean / sync_dirty_all: ms per gmap_sync_dirty_log() of
 *    1 GB of 4 KB pages, all clean and all dirty, and sync_dirty_clean_ref
 *    for a naive reference (gmap_translate() and
 *    gmap_pgste_test_and_clear_uc() per page), with the ratio;
 *  - table_bytes_4k / table_bytes_1m: bytes of DAT tables per GB of guest
 *    (the gmap's region and segment tables plus the mm's tables) with 4 KB
 *    pages and with 1 MB large segments.
 *
 * The 1 GB ranges are mapped over caller frames the library never reads
 * (FRAMES), so the run needs no 1 GB of memory; only the access case
 * touches memory, an anonymous mapping of a few pages. GMAP_BENCH_ITERS
 * (default 5) sets the rounds each timing takes its best of.
 *
 * Run: build/bench/gmap  (or meson test -C build --benchmark --verbose)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libgmap/libgmap.h>

#include "bench.h"

#define GB		(1ULL << 30)
#define HBASE		0x40000000ULL		/* host range of the 1 GB guest */
#define HLARGE		0x100000000ULL		/* host range of the 1 MB segments */
#define HANON		0x200000000ULL		/* anonymous pages for the access case */
#define FRAMES		0x100000000000ULL	/* never dereferenced */
#define NPAGES		(GB >> GMAP_PAGE_SHIFT)
#define NSEGS		(GB >> GMAP_SEGMENT_SHIFT)
#define ACC_PAGES	64
#define GACC_LARGE	(2 * GB)		/* guest address of the large range */
#define GACC_ANON	(4 * GB)		/* guest address of the access pages */

#define PROG		"bench/gmap"

struct ctx {
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap *gmap;
	struct gmap_dat_mem mem;
	uint64_t *bitmap;
};

static uint64_t pass_translate(void *p)
{
	struct ctx *c = p;
	uint64_t h, sum = 0;

	for (uint64_t i = 0; i < NSEGS; i++) {
		bench_check(PROG, "gmap_translate",
		      gmap_translate(c->gmap, (i << GMAP_SEGMENT_SHIFT) | (i * 8 & 0xfffff), &h));
		sum += h;
	}
	return sum;
}

static uint64_t pass_access(void *p)
{
	struct ctx *c = p;
	uint32_t v, sum = 0;

	for (uint64_t i = 0; i < ACC_PAGES; i++) {
		gmap_gacc_read_abs(c->gmap, 0, GACC_ANON + (i << GMAP_PAGE_SHIFT) + 8, &v, 4);
		sum += v;
	}
	return sum;
}

/* The naive reference: walk the gmap's tables for each read. */
static uint64_t pass_access_walk(void *p)
{
	struct ctx *c = p;
	struct gmap_dat_request req = { .access = GMAP_DAT_FETCH };
	struct gmap_dat_result res;
	uint32_t v, sum = 0;

	for (uint64_t i = 0; i < ACC_PAGES; i++) {
		gmap_dat_translate(&c->mem, gmap_asce(c->gmap),
				   GACC_ANON + (i << GMAP_PAGE_SHIFT) + 8, &req, &res);
		memcpy(&v, gmap_arch_real_to_virt(c->arch, res.addr), 4);
		sum += v;
	}
	return sum;
}

/* Dirty every page of the 1 GB through the gmap (a store fault each). */
static void dirty_all(struct ctx *c)
{
	for (uint64_t i = 0; i < NPAGES; i++)
		bench_check(PROG, "gmap_fault", gmap_fault(c->gmap, i << GMAP_PAGE_SHIFT, GMAP_DAT_STORE));
}

/* ms per sync of the 1 GB; @dirty: every page dirtied before each. */
static double sync_ms(struct ctx *c, bool dirty)
{
	double best = 1e30;

	for (unsigned int r = 0; r < bench_rounds(); r++) {
		double t0, t;
		long n;

		if (dirty)
			dirty_all(c);
		memset(c->bitmap, 0, NPAGES / 8);
		t0 = bench_now_ns();
		n = gmap_sync_dirty_log(c->gmap, 0, NPAGES, c->bitmap);
		t = bench_now_ns() - t0;
		bench_check(PROG, "gmap_sync_dirty_log", n);
		if (n != (dirty ? (long)NPAGES : 0)) {
			fprintf(stderr, "bench/gmap: sync found %ld dirty pages\n", n);
			exit(1);
		}
		if (t < best)
			best = t;
	}
	return best / 1e6;
}

/* The naive reference of a clean sync: one lookup and test per page. */
static double sync_ref_ms(struct ctx *c)
{
	double best = 1e30;

	for (unsigned int r = 0; r < bench_rounds(); r++) {
		double t0 = bench_now_ns(), t;
		long n = 0;
		uint64_t h;

		for (uint64_t i = 0; i < NPAGES; i++) {
			bench_check(PROG, "gmap_translate", gmap_translate(c->gmap, i << GMAP_PAGE_SHIFT, &h));
			n += gmap_pgste_test_and_clear_uc(c->mm, h);
		}
		t = bench_now_ns() - t0;
		if (n)
			bench_check(PROG, "reference sync found dirty pages", -1);
		if (t < best)
			best = t;
	}
	return best / 1e6;
}

/* ns per fault that links an existing host page table: unlink all
 * (remap, untimed), then fault one address per segment. */
static double fault_link_ns(struct ctx *c)
{
	double best = 1e30;

	for (unsigned int r = 0; r < bench_rounds(); r++) {
		double t0, t;

		bench_check(PROG, "gmap_map_segment", gmap_map_segment(c->gmap, HBASE, 0, GB));
		t0 = bench_now_ns();
		for (uint64_t i = 0; i < NSEGS; i++)
			bench_check(PROG, "gmap_fault", gmap_fault(c->gmap, (i << GMAP_SEGMENT_SHIFT) + 0x5000,
						       GMAP_DAT_FETCH));
		t = (bench_now_ns() - t0) / NSEGS;
		if (t < best)
			best = t;
	}
	return best;
}

/* Table bytes per GB of guest with 1 MB large segments: a gmap of its
 * own over HLARGE, every segment faulted and linked. */
static double large_table_bytes(struct ctx *c)
{
	size_t before = gmap_mm_table_bytes(c->mm);
	struct gmap *g;
	double bytes;

	bench_check(PROG, "gmap_mm_map large",
	      gmap_mm_map(c->mm, HLARGE, GB, FRAMES + 2 * GB,
			  GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE | GMAP_MM_MAP_LARGE));
	bench_check(PROG, "gmap_create", gmap_create(c->mm, 4 * GB - 1, &g));
	bench_check(PROG, "gmap_map_segment", gmap_map_segment(g, HLARGE, 0, GB));
	for (uint64_t i = 0; i < NSEGS; i++)
		bench_check(PROG, "gmap_fault", gmap_fault(g, i << GMAP_SEGMENT_SHIFT, GMAP_DAT_STORE));
	bytes = (double)(gmap_table_bytes(g) + gmap_mm_table_bytes(c->mm) - before);
	gmap_remove(g);
	return bytes;
}

int main(void)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .ncpus = 1, .strict = true);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);
	struct ctx c = { 0 };
	double fast, walk, clean, ref;

	c.bitmap = calloc(NPAGES / 64, sizeof(uint64_t));
	if (!c.bitmap)
		bench_check(PROG, "calloc", -1);
	bench_check(PROG, "gmap_arch_soft_create", gmap_arch_soft_create(&ao, &c.arch));
	mo.arch = c.arch;
	bench_check(PROG, "gmap_mm_create", gmap_mm_create(&mo, &c.mm));
	bench_check(PROG, "gmap_mm_map", gmap_mm_map(c.mm, HBASE, GB, FRAMES,
					 GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE));
	bench_check(PROG, "gmap_mm_map anon", gmap_mm_map(c.mm, HANON, ACC_PAGES << GMAP_PAGE_SHIFT, 0,
					      GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE));
	for (uint64_t i = 0; i < NPAGES; i++)
		bench_check(PROG, "gmap_mm_fault", gmap_mm_fault(c.mm, HBASE + (i << GMAP_PAGE_SHIFT),
						     GMAP_DAT_STORE));
	bench_check(PROG, "gmap_create", gmap_create(c.mm, 8 * GB - 1, &c.gmap));
	bench_check(PROG, "gmap_map_segment anon", gmap_map_segment(c.gmap, HANON, GACC_ANON,
							1ULL << GMAP_SEGMENT_SHIFT));
	bench_check(PROG, "gmap_enable", gmap_enable(c.gmap, 0));
	gmap_arch_table_mem(c.arch, &c.mem);

	bench_result("fault_link", fault_link_ns(&c), "ns");
	bench_result("translate", bench_ns_per_op(pass_translate, &c, NSEGS), "ns");
	bench_result("table_bytes_4k", (double)(gmap_table_bytes(c.gmap) + gmap_mm_table_bytes(c.mm)),
	       "bytes_per_gb");

	for (uint64_t i = 0; i < ACC_PAGES; i++) {
		uint32_t v = (uint32_t)i;

		bench_check(PROG, "gmap_gacc_write_abs", gmap_gacc_write_abs(c.gmap, 0, GACC_ANON +
						(i << GMAP_PAGE_SHIFT) + 8, &v, 4));
	}
	fast = bench_ns_per_op(pass_access, &c, ACC_PAGES);
	walk = bench_ns_per_op(pass_access_walk, &c, ACC_PAGES);
	bench_result("access_abs_4b", fast, "ns");
	bench_result("access_abs_4b_walk", walk, "ns");
	bench_result("access_abs_4b_walk_ratio", walk / fast, "x");

	/* The first sync clears the UC bits the store faults set. */
	bench_check(PROG, "gmap_sync_dirty_log", gmap_sync_dirty_log(c.gmap, 0, NPAGES, c.bitmap));
	clean = sync_ms(&c, false);
	ref = sync_ref_ms(&c);
	bench_result("sync_dirty_clean", clean, "ms_per_gb");
	bench_result("sync_dirty_clean_ref", ref, "ms_per_gb");
	bench_result("sync_dirty_clean_ref_ratio", ref / clean, "x");
	bench_result("sync_dirty_all", sync_ms(&c, true), "ms_per_gb");

	bench_result("table_bytes_1m", large_table_bytes(&c), "bytes_per_gb");

	gmap_remove(c.gmap);
	gmap_mm_destroy(c.mm);
	gmap_arch_destroy(c.arch);
	free(c.bitmap);
	return 0;
}
