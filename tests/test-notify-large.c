// SPDX-License-Identifier: MIT
/*
 * gmap_mprotect_notify() on a large segment: the gmap's own segment entry
 * is protected (READ: P, NONE: I) with IDTE and armed with
 * GMAP_SEG_GMAP_IN, the whole 1 MB at once; every later exchange of that
 * entry (a guest store that unprotects it, a fault that revalidates it,
 * dirty harvesting, unlinking for a host change) calls the notifiers once
 * for the whole segment.
 */
#include <errno.h>

#include "test-notify.h"

/* The gmap's copy of the large host segment, linked for a store. */
static uint64_t link_dirty(struct fx *f)
{
	uint64_t seg;

	map_large(f);
	assert_int_equal(guest_access(f, GLARGE + 5 * PG, GMAP_DAT_STORE), 1);
	seg = large_frame(f, GLARGE) | GMAP_CRSTE_FC | GMAP_SEG_GMAP_UC;
	assert_int_equal(seg_of(f, GLARGE), seg);
	return seg;
}

static void called_once_for_segment(struct fx *f)
{
	assert_int_equal(f->rec.n, 1);
	expect_call(&f->rec, 0, f->gmap, GLARGE, SEG);
	assert_false(seg_of(f, GLARGE) & GMAP_SEG_GMAP_IN);
}

/* READ protects the whole segment: the store the TLB allowed is now a
 * protection exception anywhere in it. A guest store unprotects it again
 * and calls. */
static void prot_read_protects_the_segment(void **state)
{
	struct fx *f = *state;
	uint64_t seg = link_dirty(f);

	assert_int_equal(gtr(f, GLARGE + 5 * PG, GMAP_DAT_STORE).pic, GMAP_PIC_NONE);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE + 5 * PG, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(seg_of(f, GLARGE), seg | GMAP_CRSTE_P | GMAP_SEG_GMAP_IN);
	assert_int_equal(gtr(f, GLARGE + 5 * PG, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gtr(f, GLARGE + 200 * PG, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gtr(f, GLARGE + 200 * PG, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	assert_int_equal(f->rec.n, 0);
	assert_int_equal(guest_access(f, GLARGE + 9 * PG, GMAP_DAT_STORE), 1);
	called_once_for_segment(f);
	assert_int_equal(seg_of(f, GLARGE), seg);
}

/* WRITE arms without a change; NONE invalidates, and the next guest
 * access takes the host's entry again, which calls. */
static void prot_write_arms_and_none_invalidates(void **state)
{
	struct fx *f = *state;
	uint64_t seg = link_dirty(f);

	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE, 2 * PG, RW), 0);
	assert_int_equal(seg_of(f, GLARGE), seg | GMAP_SEG_GMAP_IN);
	assert_int_equal(f->rec.n, 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE + SEG - PG, PG,
					      GMAP_MM_PROT_NONE), 0);
	/* The exchange that invalidates calls for the armed entry. */
	assert_int_equal(f->rec.n, 1);
	assert_int_equal(seg_of(f, GLARGE), seg | GMAP_CRSTE_I | GMAP_SEG_GMAP_IN);
	assert_int_equal(gtr(f, GLARGE + 5 * PG, GMAP_DAT_FETCH).pic,
			 GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(guest_access(f, GLARGE + 5 * PG, GMAP_DAT_FETCH), 1);
	assert_int_equal(f->rec.n, 2);
	expect_call(&f->rec, 1, f->gmap, GLARGE, SEG);
	assert_false(seg_of(f, GLARGE) & (GMAP_CRSTE_I | GMAP_SEG_GMAP_IN));
}

/* Protections the entry denies are faulted in first: WRITE on a segment
 * linked clean (protected) for a fetch, READ on an invalidated one. */
static void denied_protections_fault_in_first(void **state)
{
	struct fx *f = *state;
	uint64_t seg;

	map_large(f);
	assert_int_equal(guest_access(f, GLARGE, GMAP_DAT_FETCH), 1);
	seg = large_frame(f, GLARGE) | GMAP_CRSTE_FC;
	assert_int_equal(seg_of(f, GLARGE), seg | GMAP_CRSTE_P);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE + 7 * PG, PG, RW), 0);
	assert_int_equal(seg_of(f, GLARGE), seg | GMAP_SEG_GMAP_UC | GMAP_SEG_GMAP_IN);
	assert_int_equal(f->rec.n, 0);
	assert_int_equal(guest_access(f, GLARGE + 7 * PG, GMAP_DAT_STORE), 0);

	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE, PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(f->rec.n, 1);
	assert_int_equal(seg_of(f, GLARGE),
			 seg | GMAP_SEG_GMAP_UC | GMAP_CRSTE_I | GMAP_SEG_GMAP_IN);
	/* READ takes the host's entry again (a call for the armed one). */
	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(f->rec.n, 2);
	expect_call(&f->rec, 1, f->gmap, GLARGE, SEG);
	assert_int_equal(seg_of(f, GLARGE),
			 seg | GMAP_SEG_GMAP_UC | GMAP_CRSTE_P | GMAP_SEG_GMAP_IN);
}

/* A host change of the large segment unlinks it: an armed one calls. */
static void host_changes_unlink_and_call(void **state)
{
	struct fx *f = *state;

	link_dirty(f);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE, PG, RW), 0);
	assert_int_equal(gmap_mm_mprotect(f->mm, HLARGE, SEG, GMAP_MM_PROT_READ), 0);
	called_once_for_segment(f);
	assert_int_equal(seg_of(f, GLARGE), GMAP_SEG_EMPTY);
	assert_int_equal(gtr(f, GLARGE + 5 * PG, GMAP_DAT_FETCH).pic,
			 GMAP_PIC_SEGMENT_TRANSLATION);

	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(seg_of(f, GLARGE),
			 large_frame(f, GLARGE) | GMAP_CRSTE_FC | GMAP_CRSTE_P | GMAP_SEG_GMAP_IN);
	assert_int_equal(gmap_mm_zap(f->mm, HLARGE, SEG), 0);
	assert_int_equal(f->rec.n, 2);
	expect_call(&f->rec, 1, f->gmap, GLARGE, SEG);
	assert_int_equal(seg_of(f, GLARGE), GMAP_SEG_EMPTY);

	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_mm_unmap(f->mm, HLARGE, SEG), 0);
	assert_int_equal(f->rec.n, 3);
	expect_call(&f->rec, 2, f->gmap, GLARGE, SEG);
	assert_int_equal(seg_of(f, GLARGE), GMAP_SEG_EMPTY);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE, PG, GMAP_MM_PROT_READ), -EFAULT);
	assert_int_equal(f->rec.n, 3);
}

/* Harvesting an armed written segment protects it: one call. */
static void dirty_harvest_calls(void **state)
{
	struct fx *f = *state;
	uint64_t seg = link_dirty(f), bitmap[4] = { 0 };

	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE, PG, RW), 0);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLARGE, 256, bitmap), 256);
	called_once_for_segment(f);
	assert_int_equal(seg_of(f, GLARGE), (seg & ~GMAP_SEG_GMAP_UC) | GMAP_CRSTE_P);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(prot_read_protects_the_segment, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(prot_write_arms_and_none_invalidates, fx_setup,
					fx_teardown),
	cmocka_unit_test_setup_teardown(denied_protections_fault_in_first, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(host_changes_unlink_and_call, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(dirty_harvest_calls, fx_setup, fx_teardown),
};

const struct test_group notify_large_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
