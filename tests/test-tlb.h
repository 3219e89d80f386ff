/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture of the tlb test suite (the soft backend).
 *
 * Tables: a region-third table R3 (ASCE "asce_r3"); R3[0] designates a
 * segment table SGT, which a second ASCE ("asce_sgt") designates directly,
 * so both ASCEs reach the same ptes; SGT[0] designates page table PT
 * mapping virtual page i to frame i; SGT[1] is a 1 MB frame; R3[1] a 2 GB
 * frame. The large frames lie at addresses no one reads: the walker never
 * touches a frame.
 *
 * setup() builds them host-native in tables from the backend;
 * test-tlb-be.c builds the same layout big-endian in an image that the
 * backend's CPUs walk (the table_mem option).
 */
#ifndef GMAP_TEST_TLB_H
#define GMAP_TEST_TLB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libgmap/arch.h>

#define NFRAMES		8
#define VA_PAGE(i)	((uint64_t)(i) << GMAP_PAGE_SHIFT)
#define VA_1M		(1ULL << GMAP_SEGMENT_SHIFT)
#define VA_2G		(1ULL << GMAP_REGION3_SHIFT)
#define FRAME_1M	0x12300000ULL
#define FRAME_2G	0x180000000ULL

/**
 * struct params - how a case's backend is created (its prestate).
 * @strict: the strict option
 * @tlb_entries: the tlb_entries option (0: the default)
 * @ncpus: CPUs modelled (0: 2)
 */
struct params {
	bool strict;
	unsigned int tlb_entries;
	unsigned int ncpus;
};

/**
 * struct fx - one case's backend and tables.
 * @arch: the soft backend, CPUs 0 and 1 running with @asce_r3
 * @r3: the region-third table (host pointer)
 * @sgt: the segment table (host pointer)
 * @pt: the page table (host pointer)
 * @frames: NFRAMES host frames, 4 KB aligned (host-native fixture only)
 * @image: the big-endian image the tables lie in (big-endian fixture
 *	only; @r3, @sgt and @pt then point into it)
 * @asce_r3: ASCE designating @r3
 * @asce_sgt: ASCE designating @sgt
 * @strict: the backend was created strict
 */
struct fx {
	struct gmap_arch *arch;
	gmap_crste_t *r3, *sgt;
	gmap_pte_t *pt;
	unsigned char *frames;
	unsigned char *image;
	gmap_asce_t asce_r3, asce_sgt;
	bool strict;
};

/* Backends of most cases: two CPUs, default TLB, strict or not. */
extern const struct params tlb_strict;
extern const struct params tlb_nonstrict;

int setup(void **state);
int teardown(void **state);
uint64_t frame(const struct fx *f, unsigned int i);
struct gmap_dat_result tr(struct fx *f, unsigned int cpu, uint64_t va,
			  enum gmap_dat_access access, uint64_t prefix);
void fill(struct fx *f, unsigned int cpu, gmap_asce_t asce, uint64_t va);
int cached(struct fx *f, unsigned int cpu, gmap_asce_t asce, uint64_t va);
void assert_res_equal(const struct gmap_dat_result *a, const struct gmap_dat_result *b);
struct gmap_dat_result walk(struct fx *f, gmap_asce_t asce, uint64_t va,
			    enum gmap_dat_access access, uint64_t prefix);
void fill_pages(struct fx *f);
unsigned int held(struct fx *f, unsigned int cpu);

/* A case on the host-native fixture with @p (a struct params) as
 * prestate, named after its function or given a name. */
#define T(fn, p) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&(p))
#define TN(name, fn, p) { name, fn, setup, teardown, (void *)&(p) }

/* The case tables of the other files, joined by main() in test-tlb.c. */
extern const struct CMUnitTest tlb_skey_tests[];
extern const size_t tlb_skey_ntests;
extern const struct CMUnitTest tlb_be_tests[];
extern const size_t tlb_be_ntests;

#endif /* GMAP_TEST_TLB_H */
