/* SPDX-License-Identifier: MIT */
/*
 * Benchmark helper: build DAT tables in an arena that is either host
 * memory (host-native words, origins are host addresses) or a big-endian
 * image of absolute storage (origins are offsets), with one code path.
 */
#ifndef GMAP_BENCH_TABLES_H
#define GMAP_BENCH_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/dat.h>

struct arena {
	unsigned char *mem;
	size_t size;
	size_t used;
	bool be;
};

/* Set up an arena of @size bytes (4 KB aligned); returns 0 or -ENOMEM. */
int arena_init(struct arena *a, size_t size, bool be);
void arena_fini(struct arena *a);

/* A walker descriptor for the arena's tables. */
void arena_mem(const struct arena *a, struct gmap_dat_mem *mem);

/*
 * Build an address space of @levels levels (2 = segment table at the top
 * ... 5 = region-first) mapping each of @vas[0..n) with a 4 KB page to a
 * distinct frame; returns the ASCE, or 0 when the arena is too small.
 */
uint64_t arena_build_space(struct arena *a, int levels, const uint64_t *vas, unsigned int n);

#endif /* GMAP_BENCH_TABLES_H */
