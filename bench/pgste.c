// SPDX-License-Identifier: MIT
/*
 * bench/pgste - what the host address space with PGSTEs costs.
 *
 * Prints "RESULT <case> <value> <unit>": ns per guest storage-key
 * operation (ISKE and SSKE for the guest, on a mapped page), ns per page of
 * a test_and_clear_user_dirty sweep over 1 GB of mapped memory (all pages
 * clean, and all dirty, where each page costs an IPTE), the fault handler's
 * ns per page, and the bytes of DAT tables per GB mapped (the format's floor
 * is 4 MB: 2 KB of ptes and 2 KB of PGSTEs per MB).
 *
 * The 1 GB is mapped over frames the library never touches (the soft
 * backend does not read frames), so the run needs no 1 GB of memory.
 *
 * Run: build/bench/pgste  (or meson test -C build --benchmark --verbose)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <libgmap/libgmap.h>

#include "bench.h"

#define GB		(1ULL << 30)
#define BASE		0x40000000ULL
#define FRAMES		0x100000000000ULL	/* never dereferenced */
#define NPAGES		(GB >> GMAP_PAGE_SHIFT)
#define KEY_PAGES	1024

#define PROG		"bench/pgste"

/* A storage-key pass over KEY_PAGES pages. */
struct key_pass {
	struct gmap_mm *mm;
	int (*op)(struct gmap_mm *mm, uint64_t va);
};

static uint64_t pass_keys(void *p)
{
	struct key_pass *k = p;
	uint64_t sum = 0;

	for (uint64_t i = 0; i < KEY_PAGES; i++)
		sum += (uint64_t)k->op(k->mm, BASE + (i << GMAP_PAGE_SHIFT));
	return sum;
}

static double key_ns(struct gmap_mm *mm, int (*op)(struct gmap_mm *mm, uint64_t va))
{
	struct key_pass k = { mm, op };

	return bench_ns_per_op(pass_keys, &k, KEY_PAGES);
}

static int get_key(struct gmap_mm *mm, uint64_t va)
{
	uint8_t key;

	return gmap_pgste_get_key(mm, va, &key) + key;
}

static int set_key(struct gmap_mm *mm, uint64_t va)
{
	return gmap_pgste_set_key(mm, va, (uint8_t)(va >> 8) & 0xf0, true);
}

/* ns per page of one sync over the whole GB. */
static double sweep_ns(struct gmap_mm *mm, uint64_t *bitmap, long want)
{
	double t0 = bench_now_ns();
	long n = gmap_pgste_sync_dirty(mm, BASE, NPAGES, bitmap);

	if (n != want)
		bench_check(PROG, "gmap_pgste_sync_dirty", -1);
	return (bench_now_ns() - t0) / (double)NPAGES;
}

int main(void)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .ncpus = 1);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);
	uint64_t *bitmap = calloc(NPAGES / 64, sizeof(uint64_t));
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	double t0, clean = 1e30;

	if (!bitmap)
		bench_check(PROG, "calloc", -1);
	bench_check(PROG, "gmap_arch_soft_create", gmap_arch_soft_create(&ao, &arch));
	mo.arch = arch;
	bench_check(PROG, "gmap_mm_create", gmap_mm_create(&mo, &mm));
	bench_check(PROG, "gmap_mm_attach", gmap_mm_attach(mm, 0));
	bench_check(PROG, "gmap_mm_map",
		    gmap_mm_map(mm, BASE, GB, FRAMES, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE));
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < NPAGES; i++)
		bench_check(PROG, "gmap_mm_fault",
			    gmap_mm_fault(mm, BASE + (i << GMAP_PAGE_SHIFT), GMAP_DAT_STORE));
	bench_result("fault_store_per_page", (bench_now_ns() - t0) / (double)NPAGES, "ns");
	bench_result("table_bytes_per_gb", (double)gmap_mm_table_bytes(mm), "bytes");

	bench_result("get_guest_storage_key", key_ns(mm, get_key), "ns");
	bench_result("set_guest_storage_key", key_ns(mm, set_key), "ns");

	/* Every page was written: each costs an IPTE and a write-protect. */
	bench_result("test_and_clear_uc_dirty_per_page", sweep_ns(mm, bitmap, NPAGES), "ns");
	for (unsigned int round = 0; round < bench_rounds(); round++) {
		double ns = sweep_ns(mm, bitmap, 0);

		if (ns < clean)
			clean = ns;
	}
	bench_result("test_and_clear_uc_clean_per_page", clean, "ns");

	gmap_mm_destroy(mm);
	gmap_arch_destroy(arch);
	free(bitmap);
	return 0;
}
