/* SPDX-License-Identifier: MIT */
/*
 * The gmap suite's fixture: a strict two-CPU soft backend with a counting,
 * failing allocation hook; an mm with PGSTEs attached on CPU 0, anonymous
 * host memory at HBASE; a gmap running on CPU 1; and a checker that the
 * gmap's tables, guest_to_host and host_to_guest agree with each other and
 * with the mm.
 */
#ifndef GMAP_TEST_GMAP_H
#define GMAP_TEST_GMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "test-groups.h"

#include <libgmap/libgmap.h>

#include "alloc-hook.h"
#include "test-host.h"

#include "gmap/gmap_impl.h"

#define PG		GMAP_PAGE_SIZE
#define SEG		GMAP_SEGMENT_SIZE
/* Host memory: HLEN bytes of anonymous read/write memory at HBASE. */
#define HBASE		0x10000000ULL
#define HLEN		(8 * SEG)
/* The gmap's default limit: a region-third table on top. */
#define LIMIT		((1ULL << 32) - 1)
/* The CPU the gmap runs on (the mm runs on CPU 0). */
#define GCPU		1

/*
 * struct fx - the fixture.
 * @hook: the allocation hook's counters
 * @arch: the backend
 * @mm: the host mm
 * @gmap: the gmap (NULL after a test removed it)
 *
 * Teardown removes the gmap, destroys the mm and the backend and checks
 * that no allocation is left.
 */
struct fx {
	struct alloc_hook hook;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap *gmap;
};

/*
 * struct gsnap - what a gmap holds: every non-empty table entry (address
 * and value), guest_to_host and host_to_guest, and its table bytes.
 */
struct gsnap {
	size_t n;
	uint64_t addr[64];
	uint64_t val[64];
	size_t ng2h;
	uint64_t g2h[2][64];
	size_t nh2g;
	uint64_t h2g[2][64];
	size_t table_bytes;
};

int fx_setup(void **state);
int fx_teardown(void **state);
/* Map [HBASE, HBASE + HLEN) anonymous read/write into the mm. */
void host_map(struct fx *f);
/* The guest segment entry of @gaddr (0 when the walk stops earlier). */
uint64_t gseg(struct fx *f, uint64_t gaddr);
/* The host segment entry of @haddr (GMAP_SEG_EMPTY when none). */
uint64_t hseg(struct fx *f, uint64_t haddr);
/* The host pte of @haddr. */
uint64_t hpte(struct fx *f, uint64_t haddr);
/* Translate @gaddr on GCPU through its TLB. */
struct gmap_dat_result gtr(struct fx *f, uint64_t gaddr, enum gmap_dat_access access);
/* Assert that the tables and both reverse maps agree; return the number
 * of linked segments. */
size_t check_maps(struct fx *f);
void gsnap_take(struct fx *f, struct gsnap *s);
void gsnap_assert_equal(const struct gsnap *a, const struct gsnap *b);

extern const struct test_group radix_group, life_group, map_group, link_group, large_group;

#endif /* GMAP_TEST_GMAP_H */
