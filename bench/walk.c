// SPDX-License-Identifier: MIT
/*
 * bench/walk - how fast the DAT walker and the soft TLB translate.
 *
 * Prints one line per case, "RESULT <case> <value> <unit>": ns per
 * translation through host-native and big-endian tables (cache-hot, no
 * TLB), ns per soft-TLB hit, the shipped oracle's addresses over the
 * shipped dump (walker only and through the TLB), the same workloads
 * through the test suite's plain reference walker for a ratio, and the
 * bytes of DAT tables per GB of guest.
 *
 * Run: build/bench/walk  (or meson test -C build --benchmark --verbose)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libgmap/libgmap.h>

#include "../tests/refwalk.h"
#include "bench.h"
#include "tables.h"
#include "walk_oracle.h"

#define NVAS 64

struct walk_ctx {
	struct gmap_dat_mem mem;
	gmap_asce_t asce;
	struct gmap_dat_request req;
	uint64_t vas[NVAS];
	struct gmap_arch *arch;
};

static uint64_t pass_walker(void *p)
{
	struct walk_ctx *c = p;
	struct gmap_dat_result res;
	uint64_t sum = 0;

	for (int i = 0; i < NVAS; i++) {
		gmap_dat_translate(&c->mem, c->asce, c->vas[i], &c->req, &res);
		sum += res.addr;
	}
	return sum;
}

int bench_ref_read(void *priv, uint64_t addr, uint64_t *val)
{
	const struct gmap_dat_mem *mem = priv;

	if (mem->kind == GMAP_DAT_MEM_HOST) {
		memcpy(val, (const void *)(uintptr_t)addr, 8);
		return 0;
	}
	if (mem->size < 8 || addr > mem->size - 8)
		return -1;
	memcpy(val, (const unsigned char *)mem->base + addr, 8);
	*val = __builtin_bswap64(*val);
	return 0;
}

static uint64_t pass_ref(void *p)
{
	struct walk_ctx *c = p;
	struct refwalk_in in = {
		.read = bench_ref_read, .priv = &c->mem, .asce = c->asce.val,
		.access = c->req.access, .facilities = c->req.facilities,
		.prefix = c->req.prefix,
	};
	struct gmap_dat_result res;
	struct gmap_dat_path path; /* the reference walker always records it */
	uint64_t sum = 0;

	for (int i = 0; i < NVAS; i++) {
		in.vaddr = c->vas[i];
		refwalk_translate(&in, &res, &path);
		sum += res.addr;
	}
	return sum;
}

static uint64_t pass_tlb(void *p)
{
	struct walk_ctx *c = p;
	struct gmap_dat_result res;
	uint64_t sum = 0;

	for (int i = 0; i < NVAS; i++) {
		gmap_arch_translate(c->arch, 0, c->vas[i], GMAP_DAT_FETCH, 0, &res);
		sum += res.addr;
	}
	return sum;
}

/* Cache-hot walks of 64 pages in distinct segments, @levels deep. */
static int bench_tables(int levels, bool be)
{
	struct walk_ctx c = { .req = { .access = GMAP_DAT_FETCH, .facilities = GMAP_FAC_ALL } };
	struct arena a;
	char name[64];
	double walker, ref;

	if (arena_init(&a, 8u << 20, be))
		return -1;
	for (int i = 0; i < NVAS; i++)
		c.vas[i] = (levels == 5 ? 0x0123000000000000ULL : 0x40000000ULL) +
			   (uint64_t)i * 0x101000 + 0x123;
	c.asce.val = arena_build_space(&a, levels, c.vas, NVAS);
	arena_mem(&a, &c.mem);
	walker = bench_ns_per_op(pass_walker, &c, NVAS);
	ref = bench_ns_per_op(pass_ref, &c, NVAS);
	snprintf(name, sizeof(name), "walk_%s_%dlevel_4k", be ? "be" : "host", levels);
	bench_result(name, walker, "ns/op");
	snprintf(name, sizeof(name), "ref_%s_%dlevel_4k", be ? "be" : "host", levels);
	bench_result(name, ref, "ns/op");
	snprintf(name, sizeof(name), "ratio_ref_over_walk_%s_%dlevel", be ? "be" : "host", levels);
	bench_result(name, ref / walker, "x");

	if (!be && levels == 5) {
		struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .strict = true);

		if (gmap_arch_soft_create(&o, &c.arch) == 0) {
			gmap_arch_load_asce(c.arch, 0, c.asce);
			bench_result("tlb_hit_4k", bench_ns_per_op(pass_tlb, &c, NVAS), "ns/op");
			gmap_arch_destroy(c.arch);
		}
	}
	arena_fini(&a);
	return 0;
}

/* Counting allocation hook for the memory figures. */
static size_t counted;

static void *count_alloc(void *priv, size_t size, size_t align)
{
	(void)priv;
	counted += size;
	return aligned_alloc(align, (size + align - 1) & ~(align - 1));
}

static void count_free(void *priv, void *ptr, size_t size)
{
	(void)priv;
	counted -= size;
	free(ptr);
}

/* Bytes of library-owned tables to map 1 GB of guest: a region-third
 * table, a 2-part segment table and 1024 page-table pages (ptes plus
 * PGSTEs) per 1 GB with 4 KB pages; no page tables with 1 MB frames. */
static void bench_memory(void)
{
	static const struct gmap_alloc_ops ops = { count_alloc, count_free };
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .alloc = &ops);
	gmap_pte_t *pts[1024];
	struct gmap_arch *arch;
	gmap_crste_t *r3t, *sgt;
	size_t base;

	if (gmap_arch_soft_create(&o, &arch))
		return;
	base = counted;
	r3t = gmap_arch_alloc_crst(arch, GMAP_TT_REGION3, 0);
	sgt = gmap_arch_alloc_crst(arch, GMAP_TT_SEGMENT, 1);
	bench_result("tables_bytes_per_gb_1m", (double)(counted - base), "bytes");
	for (int i = 0; i < 1024; i++)
		pts[i] = gmap_arch_alloc_pgtable(arch);
	bench_result("tables_bytes_per_gb_4k", (double)(counted - base), "bytes");
	for (int i = 0; i < 1024; i++)
		gmap_arch_free_pgtable(arch, pts[i]);
	gmap_arch_free_crst(arch, sgt, 1);
	gmap_arch_free_crst(arch, r3t, 0);
	gmap_arch_destroy(arch);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (int be = 0; be <= 1; be++) {
		if (bench_tables(3, be) || bench_tables(5, be)) {
			fprintf(stderr, "walk: out of memory\n");
			return 1;
		}
	}
	bench_memory();
	return bench_oracles();
}
