// SPDX-License-Identifier: MIT
/*
 * What gmap_mprotect_notify() leaves in the host ptes and PGSTEs for each
 * protection (I, P, IN exactly), what the guest then sees through the
 * strict TLB, and how it links and faults in what is missing.
 */
#include <errno.h>

#include "test-notify.h"

/* PROT_WRITE keeps a writable pte as it is and only arms it. */
static void prot_write_only_arms(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + SEG + 3 * PG;

	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 1);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_UC);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, RW), 0);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_UC | GMAP_PGSTE_IN);
	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 0);
	assert_int_equal(pgste_of(f, g - PG), 0);
	assert_int_equal(pgste_of(f, g + PG), 0);
	/* WRITE alone implies READ, as everywhere in the mm. */
	assert_int_equal(gmap_mprotect_notify(f->gmap, g + PG, PG, GMAP_MM_PROT_WRITE), 0);
	assert_int_equal(pte_of(f, g + PG), host_frame(f, g + PG) | RW_DIRTY_YOUNG);
	assert_int_equal(pgste_of(f, g + PG), GMAP_PGSTE_UC | GMAP_PGSTE_IN);
	assert_int_equal(f->rec.n, 0);
}

/* PROT_READ protects a writable pte with IPTE: the store the TLB allowed
 * now raises a protection exception; fetches go on. */
static void prot_read_protects(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + SEG + 3 * PG;

	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 1);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG | GMAP_PTE_P);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_UC | GMAP_PGSTE_IN);
	assert_int_equal(gtr(f, g, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gtr(f, g, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	assert_int_equal(f->rec.n, 0);
}

/* PROT_NONE invalidates: the guest's next fetch is a page-translation
 * exception. */
static void prot_none_invalidates(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + SEG + 3 * PG;
	struct gmap_dat_result r;

	assert_int_equal(guest_access(f, g, GMAP_DAT_FETCH), 1);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_CLEAN_YOUNG);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_CLEAN_YOUNG | GMAP_PTE_I);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_IN);
	r = gtr(f, g, GMAP_DAT_FETCH);
	assert_int_equal(r.pic, GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(r.teid & GMAP_TEID_ADDR, g);
	assert_int_equal(f->rec.n, 0);
}

/* A stricter protection on an armed page keeps it armed without a call;
 * a looser one does not loosen the pte. */
static void protection_only_grows(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + 5 * PG;

	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 1);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, RW), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG | GMAP_PTE_P);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG | GMAP_PTE_P | GMAP_PTE_I);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_UC | GMAP_PGSTE_IN);
	assert_int_equal(f->rec.n, 0);
	/* A looser protection faults the page in for it: that exchange calls. */
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, RW), 0);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_UC | GMAP_PGSTE_IN);
	assert_int_equal(f->rec.n, 1);
	expect_call(&f->rec, 0, f->gmap, g, PG);
}

/* A segment the guest never touched is linked (the gmap's entry points
 * at the host's page table) and the page faulted in for the access the
 * protection keeps: a fetch for READ and NONE, a store for WRITE. */
static void unlinked_segments_are_linked_and_faulted(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + 2 * SEG + 9 * PG;
	gmap_crste_t host;

	assert_int_equal(seg_of(f, g), GMAP_SEG_EMPTY);
	assert_int_equal(gmap_mprotect_notify(f->gmap, g, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_mm_read_segment(f->mm, hva(g), &host), 0);
	assert_false(host.val & GMAP_CRSTE_I);
	assert_int_equal(seg_of(f, g), host.val);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_CLEAN_YOUNG);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_IN);

	assert_int_equal(gmap_mprotect_notify(f->gmap, g + PG, PG, RW), 0);
	assert_int_equal(pte_of(f, g + PG), host_frame(f, g + PG) | RW_DIRTY_YOUNG);
	assert_int_equal(pgste_of(f, g + PG), GMAP_PGSTE_UC | GMAP_PGSTE_IN);

	assert_int_equal(gmap_mprotect_notify(f->gmap, GBASE + 3 * SEG, PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(pte_of(f, GBASE + 3 * SEG),
			 host_frame(f, GBASE + 3 * SEG) | RW_CLEAN_YOUNG | GMAP_PTE_I);
	assert_int_equal(pgste_of(f, GBASE + 3 * SEG), GMAP_PGSTE_IN);
	assert_int_equal(f->rec.n, 0);
}

/* A range over a segment boundary arms exactly its pages. */
static void ranges_cross_segments(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + SEG - 2 * PG;

	assert_int_equal(gmap_mprotect_notify(f->gmap, g, 4 * PG, RW), 0);
	for (int i = -1; i < 5; i++) {
		uint64_t p = g + (uint64_t)(int64_t)i * PG;

		if (i < 0 || i > 3) {
			assert_int_equal(pgste_of(f, p), 0);
			assert_int_equal(pte_of(f, p), GMAP_MM_PTE_NONE);
			continue;
		}
		assert_int_equal(pgste_of(f, p), GMAP_PGSTE_UC | GMAP_PGSTE_IN);
		assert_int_equal(pte_of(f, p), host_frame(f, p) | RW_DIRTY_YOUNG);
	}
	assert_int_equal(f->rec.n, 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(prot_write_only_arms, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(prot_read_protects, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(prot_none_invalidates, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(protection_only_grows, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(unlinked_segments_are_linked_and_faulted, fx_setup,
					fx_teardown),
	cmocka_unit_test_setup_teardown(ranges_cross_segments, fx_setup, fx_teardown),
};

const struct test_group notify_prot_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
