/* SPDX-License-Identifier: MIT */
/*
 * The pgste suite's fixture: a strict soft backend with two CPUs and an
 * allocation hook that counts live allocations and fails the Nth one; an
 * mm on it; snapshots of everything the mm holds; and the failing
 * allocation loop.
 */
#ifndef GMAP_TEST_PGSTE_H
#define GMAP_TEST_PGSTE_H

#include <stdbool.h>
#include <stdint.h>

#include "test-groups.h"

#include <libgmap/libgmap.h>

#include "alloc-hook.h"

#include "pgste/pgste_impl.h"

#define PG		GMAP_PAGE_SIZE
#define SEG		GMAP_SEGMENT_SIZE
/* Where the tests map: inside the second region-third entry's reach, so
 * the first fault builds a segment table and a page table. */
#define BASE		0x80000000ULL
#define NFRAMES		16

/* Linux's pte states (arch/s390/include/asm/pgtable.h's table). */
#define RO_CLEAN_YOUNG	(GMAP_MM_PTE_PRESENT | GMAP_MM_PTE_READ | GMAP_MM_PTE_YOUNG | GMAP_PTE_P)
#define RW_CLEAN_YOUNG	(RO_CLEAN_YOUNG | GMAP_MM_PTE_WRITE)
#define RW_DIRTY_YOUNG	(GMAP_MM_PTE_PRESENT | GMAP_MM_PTE_READ | GMAP_MM_PTE_WRITE | \
			 GMAP_MM_PTE_YOUNG | GMAP_MM_PTE_DIRTY)
#define SPECIAL		GMAP_MM_PTE_SPECIAL

/*
 * struct params - a case's fixture parameters.
 * @pgste: create the mm with PGSTEs
 * @facilities: the backend's facilities (0: all)
 * @levels: the mm's levels (0: 3)
 */
struct params {
	bool pgste;
	uint32_t facilities;
	unsigned int levels;
};

struct fx {
	struct alloc_hook hook;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	unsigned char *frames;	/* NFRAMES caller frames */
};

/*
 * struct snap - everything an mm holds: its ASCE, every table entry the
 * walker reads (with the PGSTE of each pte), its mappings, and its table
 * bytes and live allocations.
 */
struct snap {
	uint64_t asce;
	size_t n;
	uint64_t *addr;
	uint64_t *val;
	size_t nvma;
	struct mm_vma vma[32];
	size_t table_bytes;
	long live;
};

extern const struct params params_pgste, params_nopgste, params_noesop;

int fx_setup(void **state);
int fx_teardown(void **state);
uint64_t frame(const struct fx *f, unsigned int i);
uint64_t pte_of(struct fx *f, uint64_t haddr);
uint64_t pgste_of(struct fx *f, uint64_t haddr);
void map_fault(struct fx *f, uint64_t haddr, uint64_t len, uint64_t frame, unsigned int prot,
	       enum gmap_dat_access access);
struct gmap_dat_result tr(struct fx *f, unsigned int cpu, uint64_t va,
			  enum gmap_dat_access access);
bool tlb_has(struct fx *f, unsigned int cpu, uint64_t va);
void snap_take(struct fx *f, struct snap *s);
void snap_assert_equal(const struct snap *a, const struct snap *b);
void snap_free(struct snap *s);

/* The failing allocation loop: for N = 1, 2, ... and each of "once" and
 * "for good", build the fixture with @prep, fail allocation N of @op, and
 * check -ENOMEM left the snapshot and the live allocations unchanged; stop
 * when @op succeeds (it must return @ok then). Returns the N that passed. */
typedef void (*nomem_prep)(struct fx *f);
typedef int (*nomem_op)(struct fx *f);
unsigned long nomem_loop(const struct params *p, nomem_prep prep, nomem_op op, int ok);

extern const struct test_group pgste_mm_tests, pgste_xchg_tests, pgste_skey_tests,
	pgste_dirty_tests, pgste_sie_tests, pgste_nomem_tests, pgste_large_tests,
	pgste_unmap_tests;

/*
 * struct seg_rec - the segment callbacks seen: range, and the host segment
 * entry at the time of the call (it must still hold the old value).
 */
#define SEG_REC_MAX	16
struct seg_rec {
	struct gmap_mm_notifier nb;
	unsigned int n;
	uint64_t start[SEG_REC_MAX];
	uint64_t end[SEG_REC_MAX];
	uint64_t ste[SEG_REC_MAX];
};

void seg_rec_register(struct fx *f, struct seg_rec *r);
uint64_t ste_of(struct fx *f, uint64_t haddr);

#endif /* GMAP_TEST_PGSTE_H */
