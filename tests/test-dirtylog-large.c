// SPDX-License-Identifier: MIT
/*
 * gmap_sync_dirty_log() over a large segment: a written segment reports
 * all of its 256 pages and is protected again (IDTE: the strict TLB
 * forgets the writable entry); the next guest store unprotects it and
 * marks it again. A range covering the segment in part reports its pages
 * without clearing the state, which the rest of the segment still needs.
 */
#include <errno.h>
#include <string.h>

#include "test-notify.h"

static void store_link(struct fx *f)
{
	map_large(f);
	assert_int_equal(guest_access(f, GLARGE + 3 * PG, GMAP_DAT_STORE), 1);
	assert_true(seg_of(f, GLARGE) & GMAP_SEG_GMAP_UC);
}

static void whole_segment_is_logged_and_protected(void **state)
{
	struct fx *f = *state;
	uint64_t bitmap[4] = { 0 }, seg;

	store_link(f);
	seg = seg_of(f, GLARGE);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLARGE, 256, bitmap), 256);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(bitmap[i], ~0ULL);
	assert_int_equal(seg_of(f, GLARGE), (seg & ~GMAP_SEG_GMAP_UC) | GMAP_CRSTE_P);
	assert_int_equal(gtr(f, GLARGE + 3 * PG, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gtr(f, GLARGE + 3 * PG, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLARGE, 256, bitmap), 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(bitmap[i], 0);
	/* The next store faults once, unprotects and marks the segment. */
	assert_int_equal(guest_access(f, GLARGE + 100 * PG, GMAP_DAT_STORE), 1);
	assert_int_equal(seg_of(f, GLARGE), seg);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLARGE, 256, bitmap), 256);
	assert_int_equal(f->rec.n, 0);
}

/* Part of a segment: reported, state kept; a range from before the
 * segment (unmapped) over all of it reports at the right offset. */
static void partial_ranges_keep_the_state(void **state)
{
	struct fx *f = *state;
	uint64_t bitmap[5] = { 0 }, seg;

	store_link(f);
	seg = seg_of(f, GLARGE);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLARGE + 10 * PG, 20, bitmap), 20);
	assert_int_equal(bitmap[0], (1ULL << 20) - 1);
	assert_int_equal(bitmap[1], 0);
	assert_int_equal(seg_of(f, GLARGE), seg);
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLARGE - 2 * PG, 260, bitmap), 256);
	assert_int_equal(bitmap[0], ~3ULL);
	assert_int_equal(bitmap[1], ~0ULL);
	assert_int_equal(bitmap[2], ~0ULL);
	assert_int_equal(bitmap[3], ~0ULL);
	assert_int_equal(bitmap[4], 3);
	assert_true(seg_of(f, GLARGE) & GMAP_CRSTE_P);
}

/* A written segment protected since (an armed READ) is still dirty:
 * harvesting only clears UC, so it stays armed and calls nothing. */
static void protected_written_segment_keeps_its_arming(void **state)
{
	struct fx *f = *state;
	uint64_t bitmap[4] = { 0 }, seg;

	store_link(f);
	seg = seg_of(f, GLARGE);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GLARGE, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLARGE, 256, bitmap), 256);
	assert_int_equal(seg_of(f, GLARGE),
			 (seg & ~GMAP_SEG_GMAP_UC) | GMAP_CRSTE_P | GMAP_SEG_GMAP_IN);
	assert_int_equal(f->rec.n, 0);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLARGE, 256, bitmap), 0);
}

/* Linked for a fetch from a clean host segment: protected and clean. */
static void fetch_linked_segment_is_clean(void **state)
{
	struct fx *f = *state;
	uint64_t bitmap[4] = { 0 };

	map_large(f);
	assert_int_equal(guest_access(f, GLARGE, GMAP_DAT_FETCH), 1);
	assert_int_equal(seg_of(f, GLARGE), large_frame(f, GLARGE) | GMAP_CRSTE_FC | GMAP_CRSTE_P);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLARGE, 256, bitmap), 0);
	assert_int_equal(bitmap[0], 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(whole_segment_is_logged_and_protected, fx_setup,
					fx_teardown),
	cmocka_unit_test_setup_teardown(partial_ranges_keep_the_state, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(protected_written_segment_keeps_its_arming, fx_setup,
					fx_teardown),
	cmocka_unit_test_setup_teardown(fetch_linked_segment_is_clean, fx_setup, fx_teardown),
};

const struct test_group dirtylog_large_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
