// SPDX-License-Identifier: MIT
/*
 * The user-dirty cycle (write -> UC; test_and_clear -> 1, then 0 until the
 * next write, which faults once), its bitmap form, and the notifier chain
 * (IN and VSIE callbacks exactly once, with the page's host range).
 */
#include <errno.h>
#include <string.h>

#include "test-pgste.h"

#define RW	(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

/* A store through CPU 0, with the host fault handler behind it; returns
 * the number of faults it took. */
static int store(struct fx *f, uint64_t va)
{
	int faults = 0;

	while (tr(f, 0, va, GMAP_DAT_STORE).pic != GMAP_PIC_NONE) {
		assert_int_equal(gmap_mm_fault(f->mm, va, GMAP_DAT_STORE), 0);
		assert_true(++faults < 3);
	}
	return faults;
}

static void the_uc_cycle_with_esop(void **state)
{
	struct fx *f = *state;
	uint64_t fr;

	map_fault(f, BASE, PG, 0, RW, GMAP_DAT_FETCH);
	fr = pte_of(f, BASE) & GMAP_PTE_PFRA;
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), 0);
	assert_int_equal(store(f, BASE), 1);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_UC);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), 1);
	/* Protected again, still dirty for Linux; out of the TLB. */
	assert_int_equal(pte_of(f, BASE), fr | RW_DIRTY_YOUNG | GMAP_PTE_P);
	assert_int_equal(pgste_of(f, BASE), 0);
	assert_false(tlb_has(f, 0, BASE));
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), 0);
	/* Reads go on without a fault. */
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), 0);
	/* The next store faults once and sets UC again. */
	assert_int_equal(store(f, BASE), 1);
	assert_int_equal(store(f, BASE), 0);
	assert_int_equal(pte_of(f, BASE), fr | RW_DIRTY_YOUNG);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), 1);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE + SEG), 0);
}

static void the_uc_cycle_without_esop_invalidates(void **state)
{
	struct fx *f = *state;
	uint64_t fr;

	map_fault(f, BASE, PG, 0, RW, GMAP_DAT_FETCH);
	fr = pte_of(f, BASE) & GMAP_PTE_PFRA;
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), 1);
	assert_int_equal(pte_of(f, BASE), fr | RW_DIRTY_YOUNG | GMAP_PTE_I);
	/* Any access faults now, and counts as a change. */
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	assert_int_equal(pte_of(f, BASE), fr | RW_DIRTY_YOUNG);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), 1);
}

static void sync_dirty_fills_the_bitmap(void **state)
{
	struct fx *f = *state;
	const uint64_t start = BASE + SEG - 70 * PG;
	uint64_t bm[6], want[6] = { 0 };

	/* 300 pages over two segments; a third segment is mapped untouched. */
	map_fault(f, start, 300 * PG, 0, RW, GMAP_DAT_FETCH);
	assert_int_equal(gmap_mm_map(f->mm, start + 300 * PG, 2 * SEG, 0, RW), 0);
	for (unsigned int i = 0; i < 300; i += 7) {
		assert_int_equal(gmap_mm_fault(f->mm, start + (uint64_t)i * PG, GMAP_DAT_STORE), 0);
		want[i / 64] |= 1ULL << (i % 64);
	}
	memset(bm, 0xff, sizeof(bm));
	assert_int_equal(gmap_pgste_sync_dirty(f->mm, start, 340, bm), 43);
	assert_memory_equal(bm, want, sizeof(bm));
	assert_int_equal(pte_of(f, start + 7 * PG) & ~GMAP_PTE_PFRA, RW_DIRTY_YOUNG | GMAP_PTE_P);
	assert_int_equal(gmap_pgste_sync_dirty(f->mm, start, 340, bm), 0);
	memset(want, 0, sizeof(want));
	assert_memory_equal(bm, want, sizeof(bm));
	assert_int_equal(gmap_pgste_sync_dirty(f->mm, start + 1, 1, bm), -EINVAL);
	assert_int_equal(gmap_pgste_sync_dirty(f->mm, start, 0, bm), -EINVAL);
	assert_int_equal(gmap_pgste_sync_dirty(f->mm, start, 1, NULL), -EINVAL);
	assert_int_equal(gmap_pgste_sync_dirty(f->mm, (1ULL << 42) - PG, 2, bm), -EINVAL);
}

struct calls {
	struct gmap_mm *mm;
	int invalidate, shadow;
	uint64_t start, end;
	uint64_t pgste_seen;
};

static void on_invalidate(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	struct calls *c = priv;

	assert_ptr_equal(mm, c->mm);
	c->invalidate++;
	c->start = start;
	c->end = end;
	c->pgste_seen = __atomic_load_n(pgste_word(mm_walk(mm, start)), __ATOMIC_SEQ_CST);
}

static void on_shadow(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	struct calls *c = priv;

	(void)mm;
	c->shadow++;
	c->start = start;
	c->end = end;
}

static void notifiers_run_once_per_armed_pte(void **state)
{
	struct fx *f = *state;
	struct calls a = { .mm = f->mm }, b = { .mm = f->mm };
	struct gmap_mm_notifier na = { .invalidate = on_invalidate, .shadow = on_shadow, .priv = &a };
	struct gmap_mm_notifier nb = { .invalidate = on_invalidate, .priv = &b };
	struct gmap_mm_notifier empty = { .priv = &b };

	assert_int_equal(gmap_mm_notifier_register(f->mm, &na), 0);
	assert_int_equal(gmap_mm_notifier_register(f->mm, &nb), 0);
	assert_int_equal(gmap_mm_notifier_register(f->mm, &na), -EEXIST);
	assert_int_equal(gmap_mm_notifier_register(f->mm, &empty), -EINVAL);
	map_fault(f, BASE, 2 * PG, 0, RW, GMAP_DAT_STORE);
	/* Unarmed ptes notify nobody. */
	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE), 1);
	assert_int_equal(a.invalidate + b.invalidate, 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE + PG, GMAP_MM_PROT_READ, GMAP_PGSTE_IN),
			 0);
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE, 2 * PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(a.invalidate, 1);
	assert_int_equal(b.invalidate, 1);
	assert_int_equal(a.shadow, 0);
	assert_int_equal(a.start, BASE + PG);
	assert_int_equal(a.end, BASE + 2 * PG);
	/* Called under the PGSTE lock, IN still in the stored word. */
	assert_int_equal(a.pgste_seen & (GMAP_PGSTE_PCL | GMAP_PGSTE_IN),
			 GMAP_PGSTE_PCL | GMAP_PGSTE_IN);
	assert_int_equal(pgste_of(f, BASE + PG) & GMAP_PGSTE_IN, 0);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, 2 * PG), 0);
	assert_int_equal(a.invalidate, 1);
	/* VSIE: the shadow callback, on a dirty-bit test too (UC is still
	 * set from the store before the zap). */
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_VSIE, GMAP_PGSTE_VSIE), 0);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), 1);
	assert_int_equal(a.shadow, 1);
	assert_int_equal(a.invalidate, 1);
	assert_int_equal(a.start, BASE);
	assert_int_equal(a.end, BASE + PG);
	assert_int_equal(pgste_of(f, BASE) & GMAP_PGSTE_VSIE, 0);
	/* Unregistered callbacks stay quiet. */
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &na), 0);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &na), -ENOENT);
	assert_ptr_equal(na.next, NULL);
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_IN, GMAP_PGSTE_IN), 0);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, PG), 0);
	assert_int_equal(a.invalidate, 1);
	assert_int_equal(b.invalidate, 2);
	assert_int_equal(b.start, BASE);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &nb), 0);
}

#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, NULL)

static const struct CMUnitTest tests[] = {
	T(the_uc_cycle_with_esop),
	cmocka_unit_test_prestate_setup_teardown(the_uc_cycle_without_esop_invalidates, fx_setup,
						 fx_teardown, (void *)&params_noesop),
	T(sync_dirty_fills_the_bitmap),
	T(notifiers_run_once_per_armed_pte),
};

const struct test_group pgste_dirty_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
