/* SPDX-License-Identifier: MIT */
/*
 * The gaccess tests' fixture: a strict two-CPU soft backend with the
 * counting allocation hook, an mm with PGSTEs holding 4 MB of anonymous
 * memory at HBASE, a gmap mapping it at guest absolute 0 and running on
 * CPU 0; and for the virtual tests a guest's own five-level DAT tables,
 * big-endian in guest storage (see test-gaccess-virt.c for the layout).
 */
#ifndef GMAP_TEST_GACCESS_H
#define GMAP_TEST_GACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "test-groups.h"

#include <libgmap/libgmap.h>

#include "alloc-hook.h"
#include "test-host.h"

#include "gmap/gmap_impl.h"

#define PG		GMAP_PAGE_SIZE
#define SEG		GMAP_SEGMENT_SIZE
/* The host mapping behind guest absolute 0 - GSIZE. */
#define HBASE		0x10000000ULL
#define GSIZE		(4 * SEG)

struct fx {
	struct alloc_hook hook;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap *gmap;
};

int fx_setup(void **state);
int fx_teardown(void **state);
/* The host byte behind guest absolute @gaddr, read through the host pte
 * (not through the gmap); the page must be present. */
uint8_t host_byte(struct fx *f, uint64_t gaddr);
/* The frame address of the host pte behind guest absolute @gaddr. */
uint64_t host_frame(struct fx *f, uint64_t gaddr);
/* Write / read guest absolute storage with key 0, asserting success. */
void gwrite(struct fx *f, uint64_t gaddr, const void *buf, size_t len);
void gread(struct fx *f, uint64_t gaddr, void *buf, size_t len);
/* Store a big-endian 8-byte word at guest absolute @gaddr. */
void gput64(struct fx *f, uint64_t gaddr, uint64_t val);
/* Set the guest storage key of the page at guest absolute @gaddr. */
void set_skey(struct fx *f, uint64_t gaddr, uint8_t key);
/* Whether CPU 0's TLB holds a translation of @gaddr with the gmap's ASCE. */
bool tlb_has(struct fx *f, uint64_t gaddr);

/*
 * The guest's own DAT tables (test-gaccess-virt.c, guest_tables()), at
 * guest absolute addresses: a region-first table and one table of each
 * level below it, translating region RFX 1 / RSX 2 / RTX 3 (and RTX 5:
 * an EDAT-2 2 GB frame at absolute 0):
 *  segment 4: page table G_PT: page 0 -> 0x203000, 1 -> 0x201000,
 *	2 invalid, 3 with bit 52 (Z) set, 4 -> 0x205000 DAT-protected,
 *	5 -> 0x206000 with IEP, 6 -> 0x800000 (outside the gmap),
 *	7 -> real page 0 (prefixed); the others invalid;
 *  segment 5: EDAT-1 frame 0x300000 with AV, ACC 6, F;
 *  segment 6: G_PT again, through a DAT-protected segment entry;
 *  segment 7: a page table outside the gmap (0x10000000);
 *  segment 9: EDAT-1 frame 0x300000 without AV;
 *  everything else invalid.
 */
#define G_R1T		0x100000ULL
#define G_R2T		0x104000ULL
#define G_R3T		0x108000ULL
#define G_SGT		0x10c000ULL
#define G_PT		0x110000ULL
#define G_PREFIX	0x10000ULL
#define VA(sx, px)	((1ULL << 53) | (2ULL << 42) | (3ULL << 31) | \
			 ((uint64_t)(sx) << 20) | ((uint64_t)(px) << 12))

void guest_tables(struct fx *f);
/* A guest CPU with DAT on through the tables above, every facility,
 * primary space, key 0, prefix G_PREFIX, on backend CPU 0. */
struct gmap_gacc_cpu vcpu_dat(void);
/* The same CPU with DAT off. */
struct gmap_gacc_cpu vcpu_real(void);

extern const struct test_group gaccess_abs_tests, gaccess_virt_tests, gaccess_prot_tests,
	gaccess_thread_tests;

#endif /* GMAP_TEST_GACCESS_H */
