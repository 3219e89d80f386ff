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
#include <time.h>

#include <libgmap/libgmap.h>

#define GB		(1ULL << 30)
#define BASE		0x40000000ULL
#define FRAMES		0x100000000000ULL	/* never dereferenced */
#define NPAGES		(GB >> GMAP_PAGE_SHIFT)
#define KEY_PAGES	1024

static volatile uint64_t sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void result(const char *name, double value, const char *unit)
{
	printf("RESULT %s %.2f %s\n", name, value, unit);
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench/pgste: %s failed: %d\n", what, rc);
	exit(1);
}

/* Best of five rounds of @pass over KEY_PAGES pages, each round run for at
 * least 20 ms. */
static double key_ns(struct gmap_mm *mm, int (*pass)(struct gmap_mm *mm, uint64_t va))
{
	double best = 1e30;

	for (int round = 0; round < 5; round++) {
		unsigned long ops = 0;
		double t0 = now_ns(), t;

		do {
			for (uint64_t i = 0; i < KEY_PAGES; i++)
				sink += (uint64_t)pass(mm, BASE + (i << GMAP_PAGE_SHIFT));
			ops += KEY_PAGES;
			t = now_ns() - t0;
		} while (t < 20e6);
		if (t / (double)ops < best)
			best = t / (double)ops;
	}
	return best;
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
	double t0 = now_ns();
	long n = gmap_pgste_sync_dirty(mm, BASE, NPAGES, bitmap);

	if (n != want)
		die("gmap_pgste_sync_dirty", (int)n);
	return (now_ns() - t0) / (double)NPAGES;
}

int main(void)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .ncpus = 1);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);
	uint64_t *bitmap = calloc(NPAGES / 64, sizeof(uint64_t));
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	double t0, clean = 1e30;
	int rc;

	if (!bitmap)
		die("calloc", -1);
	if ((rc = gmap_arch_soft_create(&ao, &arch)))
		die("gmap_arch_soft_create", rc);
	mo.arch = arch;
	if ((rc = gmap_mm_create(&mo, &mm)))
		die("gmap_mm_create", rc);
	if ((rc = gmap_mm_attach(mm, 0)))
		die("gmap_mm_attach", rc);
	if ((rc = gmap_mm_map(mm, BASE, GB, FRAMES, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)))
		die("gmap_mm_map", rc);
	t0 = now_ns();
	for (uint64_t i = 0; i < NPAGES; i++)
		if ((rc = gmap_mm_fault(mm, BASE + (i << GMAP_PAGE_SHIFT), GMAP_DAT_STORE)))
			die("gmap_mm_fault", rc);
	result("fault_store_per_page", (now_ns() - t0) / (double)NPAGES, "ns");
	result("table_bytes_per_gb", (double)gmap_mm_table_bytes(mm), "bytes");

	result("get_guest_storage_key", key_ns(mm, get_key), "ns");
	result("set_guest_storage_key", key_ns(mm, set_key), "ns");

	/* Every page was written: each costs an IPTE and a write-protect. */
	result("test_and_clear_uc_dirty_per_page", sweep_ns(mm, bitmap, NPAGES), "ns");
	for (int round = 0; round < 5; round++) {
		double ns = sweep_ns(mm, bitmap, 0);

		if (ns < clean)
			clean = ns;
	}
	result("test_and_clear_uc_clean_per_page", clean, "ns");

	gmap_mm_destroy(mm);
	gmap_arch_destroy(arch);
	free(bitmap);
	return 0;
}
