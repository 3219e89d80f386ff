// SPDX-License-Identifier: MIT
/*
 * The PGSTE lock, the exchange with its PGSTE bookkeeping
 * (pgste_update_all, pgste_set_key, pgste_set_pte), force_prot, set_bits
 * and zap_key: exact pte and PGSTE words and real keys after each step.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>

#include "test-pgste.h"

#define RW	(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

struct locker {
	gmap_pte_t *ptep;
	volatile int got;
};

static void *lock_thread(void *arg)
{
	struct locker *l = arg;
	uint64_t v = pgste_get_lock(l->ptep);

	__atomic_store_n(&l->got, 1, __ATOMIC_SEQ_CST);
	pgste_set_unlock(l->ptep, v | GMAP_PGSTE_GR);
	return NULL;
}

static void pcl_lock_excludes_and_keeps_the_word(void **state)
{
	struct fx *f = *state;
	struct locker l;
	pthread_t t;
	uint64_t v;

	map_fault(f, BASE, PG, frame(f, 0), RW, GMAP_DAT_STORE);
	l.ptep = mm_walk(f->mm, BASE);
	l.got = 0;
	v = pgste_get_lock(l.ptep);
	assert_int_equal(v, GMAP_PGSTE_UC | GMAP_PGSTE_PCL);
	assert_int_equal(*pgste_word(l.ptep), GMAP_PGSTE_UC | GMAP_PGSTE_PCL);
	assert_int_equal(pthread_create(&t, NULL, lock_thread, &l), 0);
	for (int i = 0; i < 1000; i++)
		sched_yield();
	assert_int_equal(__atomic_load_n(&l.got, __ATOMIC_SEQ_CST), 0);
	pgste_set_unlock(l.ptep, v | GMAP_PGSTE_IN);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(l.got, 1);
	/* Each holder's word stored, without PCL. */
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_UC | GMAP_PGSTE_IN | GMAP_PGSTE_GR);
}

static void invalidation_moves_the_real_key_into_the_pgste(void **state)
{
	struct fx *f = *state;
	const uint64_t valid = frame(f, 0) | RW_DIRTY_YOUNG | SPECIAL;
	gmap_pte_t none = { GMAP_MM_PTE_NONE }, old, pte = { valid };

	map_fault(f, BASE, PG, frame(f, 0), RW, GMAP_DAT_STORE);
	/* ACC 5, R and C: what the machine left in the real key. */
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), 0x56, 0, NULL), 0);
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE, none, 0, &old), 0);
	assert_int_equal(old.val, valid);
	assert_int_equal(pte_of(f, BASE), GMAP_MM_PTE_NONE);
	assert_int_equal(pgste_of(f, BASE), 0x5000000000000000ULL | GMAP_PGSTE_GR | GMAP_PGSTE_GC |
						    GMAP_PGSTE_UC);
	/* Valid again: the PGSTE's key becomes the real key (R/C from GR/GC). */
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), 0, 0, NULL), 0);
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE, pte, 0, &old), 0);
	assert_int_equal(old.val, GMAP_MM_PTE_NONE);
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0x56);
	assert_int_equal(pte_of(f, BASE), valid);
	/* Valid to valid leaves the real key alone. */
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), 0x10, 0, NULL), 0);
	pte.val = frame(f, 0) | RO_CLEAN_YOUNG | SPECIAL;
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE, pte, GMAP_PGSTE_XCHG_LAZY, &old), 0);
	assert_int_equal(old.val, valid);
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0x10);
	assert_int_equal(pgste_of(f, BASE), 0x5000000000000000ULL | GMAP_PGSTE_GR | GMAP_PGSTE_GC |
						    GMAP_PGSTE_UC);
}

static void unused_usage_marks_the_returned_pte(void **state)
{
	struct fx *f = *state;
	gmap_pte_t none = { GMAP_MM_PTE_NONE }, old;

	map_fault(f, BASE, PG, frame(f, 0), GMAP_MM_PROT_READ, GMAP_DAT_FETCH);
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_USAGE_MASK,
					     GMAP_PGSTE_USAGE_UNUSED), 0);
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE, none, 0, &old), 0);
	assert_int_equal(old.val, frame(f, 0) | RO_CLEAN_YOUNG | SPECIAL | GMAP_MM_PTE_UNUSED);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_USAGE_UNUSED);
}

static void uc_is_set_only_for_writable_valid_ptes(void **state)
{
	struct fx *f = *state;
	const uint64_t fr = frame(f, 0) | SPECIAL;
	const uint64_t cases[][2] = {
		{ fr | RO_CLEAN_YOUNG, 0 },
		{ fr | RW_CLEAN_YOUNG, 0 },
		{ fr | RW_DIRTY_YOUNG | GMAP_PTE_I, 0 },
		{ fr | RW_DIRTY_YOUNG, GMAP_PGSTE_UC },
	};

	assert_int_equal(gmap_mm_map(f->mm, BASE, PG, frame(f, 0), RW), 0);
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, 0, 0), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gmap_pte_t pte = { cases[i][0] };

		assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_UC, 0), 0);
		assert_int_equal(gmap_pgste_xchg(f->mm, BASE, pte, 0, NULL), 0);
		assert_int_equal(pte_of(f, BASE), cases[i][0]);
		assert_int_equal(pgste_of(f, BASE), cases[i][1]);
	}
}

static void without_esop_writable_ptes_are_dirty_up_front(void **state)
{
	struct fx *f = *state;

	map_fault(f, BASE, PG, frame(f, 0), RW, GMAP_DAT_FETCH);
	assert_int_equal(pte_of(f, BASE), frame(f, 0) | RW_DIRTY_YOUNG | SPECIAL);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_UC);
	/* Read-only ptes stay protected. */
	map_fault(f, BASE + PG, PG, frame(f, 1), GMAP_MM_PROT_READ, GMAP_DAT_FETCH);
	assert_int_equal(pte_of(f, BASE + PG), frame(f, 1) | RO_CLEAN_YOUNG | SPECIAL);
	assert_int_equal(pgste_of(f, BASE + PG), 0);
}

static void force_prot_only_tightens(void **state)
{
	struct fx *f = *state;
	const uint64_t valid = frame(f, 0) | RW_DIRTY_YOUNG | SPECIAL;

	map_fault(f, BASE, PG, frame(f, 0), RW, GMAP_DAT_STORE);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_STORE).pic, 0);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE, RW, GMAP_PGSTE_IN), 0);
	assert_int_equal(pte_of(f, BASE), valid);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_UC | GMAP_PGSTE_IN);
	assert_true(tlb_has(f, 0, BASE));
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE, GMAP_MM_PROT_READ, GMAP_PGSTE_IN), 0);
	assert_int_equal(pte_of(f, BASE), valid | GMAP_PTE_P);
	assert_false(tlb_has(f, 0, BASE));
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE, RW, 0), -EAGAIN);
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), 0x24, 0, NULL), 0);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE, GMAP_MM_PROT_NONE, GMAP_PGSTE_VSIE), 0);
	assert_int_equal(pte_of(f, BASE), valid | GMAP_PTE_P | GMAP_PTE_I);
	assert_int_equal(pgste_of(f, BASE), 0x2000000000000000ULL | GMAP_PGSTE_GR | GMAP_PGSTE_UC |
						    GMAP_PGSTE_IN | GMAP_PGSTE_VSIE);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE, GMAP_MM_PROT_READ, 0), -EAGAIN);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE, GMAP_MM_PROT_NONE, GMAP_PGSTE_UC),
			 -EINVAL);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE, 4, 0), -EINVAL);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE + SEG, 0, 0), -EFAULT);
}

static void set_bits_writes_the_mask_and_allocates_in_a_mapping(void **state)
{
	struct fx *f = *state;
	size_t bytes = gmap_mm_table_bytes(f->mm);

	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_NODAT, GMAP_PGSTE_NODAT),
			 -EFAULT);
	assert_int_equal(gmap_mm_map(f->mm, BASE, PG, 0, RW), 0);
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_NODAT | GMAP_PGSTE_ZERO,
					     GMAP_PGSTE_NODAT | GMAP_PGSTE_UC), 0);
	assert_int_equal(gmap_mm_table_bytes(f->mm), bytes + MM_CRST_BYTES + 2 * GMAP_PT_SIZE);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_NODAT);
	assert_int_equal(pte_of(f, BASE), GMAP_MM_PTE_NONE);
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_PCL, 0), -EINVAL);
	/* A neighbour in the same page table, outside any mapping, works. */
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE + PG, ~GMAP_PGSTE_PCL, GMAP_PGSTE_HR), 0);
	assert_int_equal(pgste_of(f, BASE + PG), GMAP_PGSTE_HR);
}

static void zap_key_resets_the_guest_key(void **state)
{
	struct fx *f = *state;

	map_fault(f, BASE, PG, frame(f, 0), RW, GMAP_DAT_STORE);
	map_fault(f, BASE + PG, PG, frame(f, 1), GMAP_MM_PROT_READ, GMAP_DAT_FETCH);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x98, false), 0);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE + PG, 0x98, false), 0);
	assert_int_equal(gmap_pgste_zap_key(f->mm, BASE), 0);
	assert_int_equal(gmap_pgste_zap_key(f->mm, BASE + PG), 0);
	/* Writable and valid: the real key is reset; read-only: kept. */
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0);
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 1)), 0x98);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_GR | GMAP_PGSTE_GC | GMAP_PGSTE_UC);
	assert_int_equal(pgste_of(f, BASE + PG), GMAP_PGSTE_GR | GMAP_PGSTE_GC | GMAP_PGSTE_UC);
	assert_int_equal(gmap_pgste_zap_key(f->mm, BASE + SEG), -EFAULT);
}

#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, NULL)

static const struct CMUnitTest tests[] = {
	T(pcl_lock_excludes_and_keeps_the_word),
	T(invalidation_moves_the_real_key_into_the_pgste),
	T(unused_usage_marks_the_returned_pte),
	T(uc_is_set_only_for_writable_valid_ptes),
	cmocka_unit_test_prestate_setup_teardown(without_esop_writable_ptes_are_dirty_up_front,
						 fx_setup, fx_teardown, (void *)&params_noesop),
	T(force_prot_only_tightens),
	T(set_bits_writes_the_mask_and_allocates_in_a_mapping),
	T(zap_key_resets_the_guest_key),
};

const struct test_group pgste_xchg_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
