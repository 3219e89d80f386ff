/* SPDX-License-Identifier: MIT */
/*
 * The fixture of the notify and dirtylog suites: a strict soft backend
 * with two CPUs and the counting allocation hook, an mm with PGSTEs and a
 * gmap on it (run by CPU 0) that maps NSEG segments of anonymous host
 * memory from HBASE at GBASE (and, on demand, a large segment), and a
 * notifier that records its calls.
 */
#ifndef GMAP_TEST_NOTIFY_H
#define GMAP_TEST_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "test-groups.h"

#include <libgmap/libgmap.h>

#include "alloc-hook.h"
#include "test-host.h"

#include "gmap/gmap_impl.h"

#define PG		GMAP_PAGE_SIZE
#define SEG		GMAP_SEGMENT_SIZE
#define RW		(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)
/* Host and guest bases; guest and host offsets differ in every index. */
#define HBASE		0x80000000ULL
#define GBASE		0x00300000ULL
#define NSEG		4
/* A region-third gmap: segment tables hang below its top table. */
#define GLIMIT		((1ULL << 32) - 1)
#define MAXCALLS	32
/* A large (1 MB frame) host segment, and the guest segment it backs. */
#define HLARGE		(HBASE + 16 * SEG)
#define GLARGE		(GBASE + 8 * SEG)

/* Linux's pte states (arch/s390/include/asm/pgtable.h's table). */
#define RO_CLEAN_YOUNG	(GMAP_MM_PTE_PRESENT | GMAP_MM_PTE_READ | GMAP_MM_PTE_YOUNG | GMAP_PTE_P)
#define RW_CLEAN_YOUNG	(RO_CLEAN_YOUNG | GMAP_MM_PTE_WRITE)
#define RW_DIRTY_YOUNG	(GMAP_MM_PTE_PRESENT | GMAP_MM_PTE_READ | GMAP_MM_PTE_WRITE | \
			 GMAP_MM_PTE_YOUNG | GMAP_MM_PTE_DIRTY)

/*
 * struct params - a case's fixture parameters.
 * @facilities: the backend's facilities (0: all)
 */
struct params {
	uint32_t facilities;
};

/* One notifier call. */
struct call {
	struct gmap *gmap;
	uint64_t start;
	uint64_t end;
};

/*
 * struct rec - a recording notifier.
 * @nb: registered with the gmap
 * @n: calls so far (may exceed MAXCALLS; only the first are kept)
 * @c: the calls
 */
struct rec {
	struct gmap_notifier nb;
	unsigned int n;
	struct call c[MAXCALLS];
};

struct fx {
	struct alloc_hook hook;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap *gmap;
	struct rec rec;
};

extern const struct params params_all, params_noesop;

int fx_setup(void **state);
int fx_teardown(void **state);
void rec_init(struct rec *r);
uint64_t hva(uint64_t gaddr);
uint64_t pte_of(struct fx *f, uint64_t gaddr);
uint64_t pgste_of(struct fx *f, uint64_t gaddr);
uint64_t seg_of(struct fx *f, uint64_t gaddr);
uint64_t host_frame(struct fx *f, uint64_t gaddr);
struct gmap_dat_result gtr(struct fx *f, uint64_t gaddr, enum gmap_dat_access access);
int guest_access(struct fx *f, uint64_t gaddr, enum gmap_dat_access access);
void expect_call(const struct rec *r, unsigned int i, const struct gmap *gmap, uint64_t start,
		 uint64_t len);
uint64_t large_frame(struct fx *f, uint64_t gaddr);
void map_large(struct fx *f);

extern const struct test_group notify_api_tests, notify_prot_tests, notify_trigger_tests,
	notify_large_tests, notify_race_tests, dirtylog_tests, dirtylog_large_tests;

#endif /* GMAP_TEST_NOTIFY_H */
