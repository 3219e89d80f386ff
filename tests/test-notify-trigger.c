// SPDX-License-Identifier: MIT
/*
 * Each change of an armed host pte calls the notifiers exactly once, with
 * the gmap and the guest page's inclusive range: host zap, mprotect and
 * unmap, gmap_discard(), a pte exchange, dirty harvesting, and a host
 * store fault. Unarmed pages, pages whose segment the gmap has not linked,
 * and armed pages after the call (IN is cleared) call nothing; each gmap
 * that links the segment is told with its own guest address.
 */
#include <errno.h>

#include "test-notify.h"

#define G	(GBASE + SEG + 5 * PG)

/* Write G and its neighbours (dirty, faulting in what is missing), then
 * arm G alone. */
static void arm(struct fx *f, unsigned int prot)
{
	for (uint64_t g = G - PG; g <= G + PG; g += PG)
		guest_access(f, g, GMAP_DAT_STORE);
	assert_int_equal(gmap_mprotect_notify(f->gmap, G, PG, prot), 0);
	assert_true(pgste_of(f, G) & GMAP_PGSTE_IN);
}

/* Exactly one call for G. */
static void called_once_without_pte(struct fx *f)
{
	assert_int_equal(f->rec.n, 1);
	expect_call(&f->rec, 0, f->gmap, G, PG);
}

/* Exactly one call for G, and IN is gone. */
static void called_once(struct fx *f)
{
	called_once_without_pte(f);
	assert_false(pgste_of(f, G) & GMAP_PGSTE_IN);
}

static void host_zap(void **state)
{
	struct fx *f = *state;

	arm(f, RW);
	assert_int_equal(gmap_mm_zap(f->mm, hva(G - PG), 3 * PG), 0);
	called_once(f);
	assert_int_equal(pte_of(f, G), GMAP_MM_PTE_NONE);
	/* Faulted in again and zapped again: not armed any more. */
	assert_int_equal(guest_access(f, G, GMAP_DAT_STORE), 1);
	assert_int_equal(gmap_mm_zap(f->mm, hva(G), PG), 0);
	assert_int_equal(f->rec.n, 1);
}

static void host_mprotect(void **state)
{
	struct fx *f = *state;

	arm(f, RW);
	assert_int_equal(gmap_mm_mprotect(f->mm, hva(G - PG), 3 * PG, GMAP_MM_PROT_READ), 0);
	called_once(f);
	assert_int_equal(pte_of(f, G), host_frame(f, G) | RO_CLEAN_YOUNG | GMAP_MM_PTE_DIRTY);
	assert_int_equal(gtr(f, G, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gmap_mm_mprotect(f->mm, hva(G), PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(f->rec.n, 1);
}

static void host_unmap(void **state)
{
	struct fx *f = *state;

	arm(f, GMAP_MM_PROT_READ);
	assert_int_equal(gmap_mm_unmap(f->mm, hva(G - PG), 3 * PG), 0);
	called_once(f);
	assert_int_equal(pte_of(f, G), GMAP_MM_PTE_NONE);
	assert_int_equal(gtr(f, G, GMAP_DAT_FETCH).pic, GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(gmap_fault(f->gmap, G, GMAP_DAT_FETCH), -EFAULT);
}

/* Unmapping the whole segment also frees its page table, which unlinks
 * it from the gmap: the armed pte still calls exactly once. */
static void host_unmap_of_the_segment(void **state)
{
	struct fx *f = *state;

	arm(f, RW);
	assert_int_equal(gmap_mm_unmap(f->mm, hva(GBASE + SEG), SEG), 0);
	called_once_without_pte(f);
	assert_int_equal(seg_of(f, G), GMAP_SEG_EMPTY);
	assert_int_equal(gtr(f, G, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
}

static void guest_discard(void **state)
{
	struct fx *f = *state;

	arm(f, GMAP_MM_PROT_NONE);
	assert_int_equal(gmap_discard(f->gmap, G - PG, G + 2 * PG), 0);
	called_once(f);
	assert_int_equal(pte_of(f, G), GMAP_MM_PTE_NONE);
}

static void pte_exchange(void **state)
{
	struct fx *f = *state;
	gmap_pte_t ro, old;
	uint64_t fr;

	arm(f, RW);
	/* The neighbour, unarmed, made read-only: no call. */
	fr = host_frame(f, G + PG);
	ro.val = fr | RO_CLEAN_YOUNG;
	assert_int_equal(gmap_pgste_xchg(f->mm, hva(G + PG), ro, 0, &old), 0);
	assert_int_equal(old.val, fr | RW_DIRTY_YOUNG);
	assert_int_equal(f->rec.n, 0);
	fr = host_frame(f, G);
	ro.val = fr | RO_CLEAN_YOUNG;
	assert_int_equal(gmap_pgste_xchg(f->mm, hva(G), ro, 0, &old), 0);
	assert_int_equal(old.val, fr | RW_DIRTY_YOUNG);
	called_once(f);
	assert_int_equal(gmap_pgste_xchg(f->mm, hva(G), old, 0, &old), 0);
	assert_int_equal(f->rec.n, 1);
}

/* Harvesting the dirty state of an armed page protects it: a change. */
static void dirty_harvest(void **state)
{
	struct fx *f = *state;
	uint64_t bitmap = 0;

	arm(f, RW);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, G - PG, 3, &bitmap), 3);
	assert_int_equal(bitmap, 7);
	called_once(f);
	assert_int_equal(pte_of(f, G), host_frame(f, G) | RW_DIRTY_YOUNG | GMAP_PTE_P);
	assert_int_equal(guest_access(f, G, GMAP_DAT_STORE), 1);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, hva(G)), 1);
	assert_int_equal(f->rec.n, 1);
	arm(f, RW);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, hva(G)), 1);
	assert_int_equal(f->rec.n, 2);
	expect_call(&f->rec, 1, f->gmap, G, PG);
}

/* An armed pte of a host segment the gmap no longer links calls nothing:
 * host_to_guest has no guest address for it. */
static void unlinked_segment_calls_nothing(void **state)
{
	struct fx *f = *state;

	arm(f, RW);
	assert_int_equal(gmap_unmap_segment(f->gmap, GBASE + SEG, SEG), 0);
	assert_int_equal(seg_of(f, G), GMAP_SEG_EMPTY);
	assert_int_equal(gmap_mm_zap(f->mm, hva(G), PG), 0);
	assert_int_equal(f->rec.n, 0);
}

/* Two gmaps on one mm: an armed host pte calls, for each gmap that links
 * its segment, that gmap's notifiers with its own guest address. */
static void every_linking_gmap_is_told(void **state)
{
	struct fx *f = *state;
	const uint64_t other = 0x40000000ULL + 5 * PG;
	struct gmap *g2;
	struct rec r2;

	assert_int_equal(gmap_create(f->mm, GLIMIT, &g2), 0);
	rec_init(&r2);
	assert_int_equal(gmap_notifier_register(g2, &r2.nb), 0);
	assert_int_equal(gmap_map_segment(g2, HBASE + SEG, other & ~(SEG - 1), SEG), 0);
	arm(f, RW);
	assert_int_equal(gmap_mm_zap(f->mm, hva(G), PG), 0);
	called_once(f);
	assert_int_equal(r2.n, 0);

	assert_int_equal(gmap_fault(g2, other, GMAP_DAT_FETCH), 0);
	arm(f, RW);
	assert_int_equal(gmap_mm_zap(f->mm, hva(G), PG), 0);
	assert_int_equal(f->rec.n, 2);
	expect_call(&f->rec, 1, f->gmap, G, PG);
	assert_int_equal(r2.n, 1);
	expect_call(&r2, 0, g2, other, PG);
	gmap_remove(g2);
}

/* The prefix pages: two armed read-only pages; host store faults on them
 * and on their neighbours call exactly for the two, in order; re-armed,
 * a guest store is a protection exception whose fault calls again. */
static void prefix_pages(void **state)
{
	struct fx *f = *state;
	const uint64_t prefix = GBASE + 2 * SEG + 8 * PG;

	for (uint64_t g = prefix - PG; g < prefix + 3 * PG; g += PG)
		assert_int_equal(guest_access(f, g, GMAP_DAT_FETCH), 1);
	assert_int_equal(gmap_mprotect_notify(f->gmap, prefix, 2 * PG, GMAP_MM_PROT_READ), 0);
	for (uint64_t g = prefix - PG; g < prefix + 3 * PG; g += PG)
		assert_int_equal(gmap_mm_fault(f->mm, hva(g), GMAP_DAT_STORE), 0);
	assert_int_equal(f->rec.n, 2);
	expect_call(&f->rec, 0, f->gmap, prefix, PG);
	expect_call(&f->rec, 1, f->gmap, prefix + PG, PG);

	assert_int_equal(gmap_mprotect_notify(f->gmap, prefix, 2 * PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gtr(f, prefix + PG, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(guest_access(f, prefix + PG, GMAP_DAT_STORE), 1);
	assert_int_equal(f->rec.n, 3);
	expect_call(&f->rec, 2, f->gmap, prefix + PG, PG);
	assert_int_equal(pgste_of(f, prefix), GMAP_PGSTE_UC | GMAP_PGSTE_IN);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(host_zap, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(host_mprotect, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(host_unmap, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(host_unmap_of_the_segment, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(guest_discard, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(pte_exchange, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(dirty_harvest, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(unlinked_segment_calls_nothing, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(every_linking_gmap_is_told, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(prefix_pages, fx_setup, fx_teardown),
};

const struct test_group notify_trigger_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
