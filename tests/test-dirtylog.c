// SPDX-License-Identifier: MIT
/*
 * The dirtylog suite: gmap_sync_dirty_log() over 4 KB pages: exact bitmaps
 * after guest and host stores, clear-on-read, bits only ever set, pages
 * protected again (seen through the strict TLB) until the next store,
 * ranges that cross segments or start inside one, unmapped and unlinked
 * parts, and the arguments it refuses.
 */
#include <errno.h>
#include <string.h>

#include "test-notify.h"

#define WORDS	(NSEG * 256 / 64)

static long sync_all(struct fx *f, uint64_t *bitmap)
{
	return gmap_sync_dirty_log(f->gmap, GBASE, NSEG * 256, bitmap);
}

/* Pages written by the guest through gmap_fault(STORE), over segments. */
static void guest_stores_are_logged_once(void **state)
{
	struct fx *f = *state;
	const unsigned int pages[] = { 0, 3, 511, 512, 1023 };
	uint64_t bitmap[WORDS] = { 0 }, want[WORDS] = { 0 };

	for (unsigned int i = 0; i < 5; i++) {
		assert_int_equal(guest_access(f, GBASE + pages[i] * PG, GMAP_DAT_STORE), 1);
		want[pages[i] / 64] |= 1ULL << (pages[i] % 64);
	}
	assert_int_equal(guest_access(f, GBASE + 4 * PG, GMAP_DAT_FETCH), 1);
	assert_int_equal(sync_all(f, bitmap), 5);
	assert_memory_equal(bitmap, want, sizeof(want));
	/* Cleared on read: the second sync finds nothing and clears no bit. */
	assert_int_equal(sync_all(f, bitmap), 0);
	assert_memory_equal(bitmap, want, sizeof(want));
	memset(bitmap, 0xff, sizeof(bitmap));
	assert_int_equal(sync_all(f, bitmap), 0);
	for (unsigned int i = 0; i < WORDS; i++)
		assert_int_equal(bitmap[i], ~0ULL);
}

/* Harvested pages are protected again, out of the TLB; the next guest
 * store faults once and is logged again. */
static void harvested_pages_are_protected(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + SEG + 17 * PG, bitmap[WORDS] = { 0 };

	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 1);
	assert_int_equal(gtr(f, g, GMAP_DAT_STORE).pic, GMAP_PIC_NONE);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_UC);
	assert_int_equal(sync_all(f, bitmap), 1);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG | GMAP_PTE_P);
	assert_int_equal(pgste_of(f, g), 0);
	assert_int_equal(gtr(f, g, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gtr(f, g, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 1);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG);
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(sync_all(f, bitmap), 1);
	assert_int_equal(bitmap[(256 + 17) / 64], 1ULL << ((256 + 17) % 64));
}

/* Without ESOP a harvested page is made invalid instead. */
static void harvest_without_esop_invalidates(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + 2 * SEG, bitmap = 0;

	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 1);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, g, 64, &bitmap), 1);
	assert_int_equal(bitmap, 1);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG | GMAP_PTE_I);
	assert_int_equal(gtr(f, g, GMAP_DAT_FETCH).pic, GMAP_PIC_PAGE_TRANSLATION);
}

/* Host stores to linked pages are logged too: UC marks any store. */
static void host_stores_are_logged(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + 3 * SEG + 100 * PG, bitmap[WORDS] = { 0 };

	assert_int_equal(guest_access(f, g, GMAP_DAT_FETCH), 1);
	assert_int_equal(gmap_mm_fault(f->mm, hva(g + PG), GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, hva(g), GMAP_DAT_STORE), 0);
	assert_int_equal(sync_all(f, bitmap), 2);
	assert_int_equal(bitmap[(768 + 100) / 64], 3ULL << ((768 + 100) % 64));
}

/* A range starting inside a segment and crossing into the next: bit 0 is
 * its first page; pages just outside keep their state. */
static void unaligned_ranges_across_segments(void **state)
{
	struct fx *f = *state;
	const unsigned int pages[] = { 199, 200, 255, 256, 299, 300 };
	uint64_t bitmap[2] = { 0 };

	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(guest_access(f, GBASE + pages[i] * PG, GMAP_DAT_STORE), 1);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GBASE + 200 * PG, 100, bitmap), 4);
	assert_int_equal(bitmap[0], 1ULL | 1ULL << 55 | 1ULL << 56);
	assert_int_equal(bitmap[1], 1ULL << (99 - 64));
	assert_int_equal(pgste_of(f, GBASE + 199 * PG), GMAP_PGSTE_UC);
	assert_int_equal(pgste_of(f, GBASE + 300 * PG), GMAP_PGSTE_UC);
	memset(bitmap, 0, sizeof(bitmap));
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GBASE + 199 * PG, 102, bitmap), 2);
	assert_int_equal(bitmap[0], 1);
	assert_int_equal(bitmap[1], 1ULL << (101 - 64));
}

/* Unmapped guest segments and mapped segments the guest never linked
 * report nothing, even when the host wrote there. */
static void unmapped_and_unlinked_parts(void **state)
{
	struct fx *f = *state;
	uint64_t bitmap[WORDS + 16] = { 0 };
	const uint64_t start = GBASE - 2 * SEG;

	assert_int_equal(guest_access(f, GBASE + 2 * SEG + 1 * PG, GMAP_DAT_STORE), 1);
	assert_int_equal(gmap_mm_fault(f->mm, hva(GBASE + 3 * SEG), GMAP_DAT_STORE), 0);
	assert_int_equal(seg_of(f, GBASE + 3 * SEG), GMAP_SEG_EMPTY);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, start, (NSEG + 4) * 256, bitmap), 1);
	for (unsigned int i = 0; i < WORDS + 16; i++)
		assert_int_equal(bitmap[i], i == (4 * 256) / 64 ? 2 : 0);
	/* The host page keeps its state for whoever links it later. */
	assert_int_equal(pgste_of(f, GBASE + 3 * SEG), GMAP_PGSTE_UC);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, 0, 1, bitmap), 0);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLIMIT + 1 - PG, 1, bitmap), 0);
}

static void bad_arguments_change_nothing(void **state)
{
	struct fx *f = *state;
	uint64_t g = GBASE + 7 * PG, bitmap[WORDS] = { 0 };

	assert_int_equal(guest_access(f, g, GMAP_DAT_STORE), 1);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GBASE, 256, NULL), -EINVAL);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GBASE, 0, bitmap), -EINVAL);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GBASE + 8, 1, bitmap), -EINVAL);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLIMIT + 1 - PG, 2, bitmap), -EINVAL);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GLIMIT + 1, 1, bitmap), -EINVAL);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GBASE, UINT64_MAX >> 10, bitmap), -EINVAL);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GBASE, UINT64_MAX, bitmap), -EINVAL);
	for (unsigned int i = 0; i < WORDS; i++)
		assert_int_equal(bitmap[i], 0);
	assert_int_equal(pgste_of(f, g), GMAP_PGSTE_UC);
	assert_int_equal(pte_of(f, g), host_frame(f, g) | RW_DIRTY_YOUNG);
	assert_int_equal(sync_all(f, bitmap), 1);
	assert_int_equal(bitmap[0], 1ULL << 7);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(guest_stores_are_logged_once, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(harvested_pages_are_protected, fx_setup, fx_teardown),
	cmocka_unit_test_prestate_setup_teardown(harvest_without_esop_invalidates, fx_setup,
						 fx_teardown, (void *)&params_noesop),
	cmocka_unit_test_setup_teardown(host_stores_are_logged, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(unaligned_ranges_across_segments, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(unmapped_and_unlinked_parts, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(bad_arguments_change_nothing, fx_setup, fx_teardown),
};

const struct test_group dirtylog_tests = { tests, sizeof(tests) / sizeof(tests[0]) };

int main(void)
{
	const struct test_group groups[] = { dirtylog_tests, dirtylog_large_tests };

	return test_run_groups("dirtylog", groups, sizeof(groups) / sizeof(groups[0]));
}
