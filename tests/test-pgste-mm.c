// SPDX-License-Identifier: MIT
/*
 * The mm: options, mappings, the fault handler with Linux's young/dirty
 * emulation (exact pte words), mprotect, zap, unmap, and the TLB purges
 * (direct, lazy, local) seen through the strict soft TLB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test-pgste.h"

#define TABLES_1PT	(2 * (size_t)MM_CRST_BYTES + 2 * GMAP_PT_SIZE)

static void create_rejects_bad_options(void **state)
{
	struct fx *f = *state;
	struct gmap_mm_opts o = GMAP_OPTS(gmap_mm_opts, .arch = f->arch);
	struct { struct gmap_mm_opts o; uint64_t tail; } big = { .o = o, .tail = 0 };
	struct gmap_mm *mm = NULL;

	assert_int_equal(gmap_mm_create(NULL, &mm), -EINVAL);
	assert_int_equal(gmap_mm_create(&o, NULL), -EINVAL);
	o.arch = NULL;
	assert_int_equal(gmap_mm_create(&o, &mm), -EINVAL);
	o.arch = f->arch;
	o.levels = 1;
	assert_int_equal(gmap_mm_create(&o, &mm), -EINVAL);
	o.levels = 6;
	assert_int_equal(gmap_mm_create(&o, &mm), -EINVAL);
	o.sz = 4;
	assert_int_equal(gmap_mm_create(&o, &mm), -EINVAL);
	big.o.sz = sizeof(big);
	big.tail = 1;
	assert_int_equal(gmap_mm_create(&big.o, &mm), -EINVAL);
	assert_null(mm);
	/* Unknown but zero bytes are fine. */
	big.tail = 0;
	assert_int_equal(gmap_mm_create(&big.o, &mm), 0);
	gmap_mm_destroy(mm);
}

static void create_builds_the_top_table_and_asce(void **state)
{
	struct fx *f = *state;

	for (unsigned int levels = 2; levels <= 5; levels++) {
		struct gmap_mm_opts o = GMAP_OPTS(gmap_mm_opts, .arch = f->arch, .levels = levels);
		struct gmap_mm *mm;
		gmap_asce_t a;

		assert_int_equal(gmap_mm_create(&o, &mm), 0);
		a = gmap_mm_asce(mm);
		assert_int_equal(a.val & ~GMAP_ASCE_ORIGIN,
				 GMAP_ASCE_P | GMAP_ASCE_S | GMAP_ASCE_X |
					 ((uint64_t)(levels - 2) << GMAP_ASCE_DT_SHIFT) | 3);
		assert_int_equal(a.val & GMAP_ASCE_ORIGIN, (uintptr_t)mm->top);
		assert_int_equal(gmap_mm_table_bytes(mm), MM_CRST_BYTES);
		assert_false(gmap_mm_has_pgste(mm));
		/* Every entry invalid with the table's type. */
		for (unsigned int i = 0; i < GMAP_CRST_MAX_ENTRIES; i++)
			assert_int_equal(mm->top[i].val,
					 GMAP_CRSTE_I | ((uint64_t)(levels - 2) << GMAP_CRSTE_TT_SHIFT));
		gmap_mm_destroy(mm);
	}
}

static void map_rejects_bad_arguments(void **state)
{
	struct fx *f = *state;
	gmap_pte_t pte;

	assert_int_equal(gmap_mm_map(f->mm, BASE + 1, PG, 0, GMAP_MM_PROT_READ), -EINVAL);
	assert_int_equal(gmap_mm_map(f->mm, BASE, PG + 1, 0, GMAP_MM_PROT_READ), -EINVAL);
	assert_int_equal(gmap_mm_map(f->mm, BASE, 0, 0, GMAP_MM_PROT_READ), -EINVAL);
	assert_int_equal(gmap_mm_map(f->mm, BASE, PG, 0x123, GMAP_MM_PROT_READ), -EINVAL);
	assert_int_equal(gmap_mm_map(f->mm, BASE, PG, 0, 4), -EINVAL);
	/* Three levels reach 4 TB. */
	assert_int_equal(gmap_mm_map(f->mm, (1ULL << 42) - PG, 2 * PG, 0, GMAP_MM_PROT_READ),
			 -EINVAL);
	assert_int_equal(gmap_mm_map(f->mm, BASE + PG, 2 * PG, 0, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * PG, 0, GMAP_MM_PROT_READ), -EEXIST);
	assert_int_equal(gmap_mm_map(f->mm, BASE + 2 * PG, PG, 0, GMAP_MM_PROT_READ), -EEXIST);
	assert_int_equal(gmap_mm_map(f->mm, BASE, PG, 0, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + 3 * PG, GMAP_DAT_FETCH), -EFAULT);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, 3), -EINVAL);
	/* Mapping builds no table: the pte is reached only after a fault. */
	assert_int_equal(gmap_mm_read_pte(f->mm, BASE, &pte, NULL), -EFAULT);
	assert_int_equal(gmap_mm_table_bytes(f->mm), MM_CRST_BYTES);
}

static void read_fault_makes_a_young_clean_pte(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result r;
	uint64_t pte, fr;

	map_fault(f, BASE, PG, 0, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE, GMAP_DAT_FETCH);
	pte = pte_of(f, BASE);
	fr = pte & GMAP_PTE_PFRA;
	assert_int_equal(pte, fr | RW_CLEAN_YOUNG);
	/* Clean: no UC, the first store will fault. */
	assert_int_equal(pgste_of(f, BASE), 0);
	for (size_t i = 0; i < PG; i++)
		assert_int_equal(((const unsigned char *)(uintptr_t)fr)[i], 0);
	assert_int_equal(gmap_mm_table_bytes(f->mm), TABLES_1PT);
	r = tr(f, 0, BASE + 0x10, GMAP_DAT_FETCH);
	assert_int_equal(r.pic, 0);
	assert_int_equal(r.addr, fr + 0x10);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
}

static void write_fault_makes_it_dirty_and_sets_uc(void **state)
{
	struct fx *f = *state;
	uint64_t fr;

	map_fault(f, BASE, PG, 0, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE, GMAP_DAT_FETCH);
	fr = pte_of(f, BASE) & GMAP_PTE_PFRA;
	/* The clean pte is in the TLB; the store fault must purge it. */
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	assert_true(tlb_has(f, 0, BASE));
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	assert_int_equal(pte_of(f, BASE), fr | RW_DIRTY_YOUNG);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_UC);
	assert_false(tlb_has(f, 0, BASE));
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_STORE).pic, 0);
	/* A second store fault changes nothing. */
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	assert_int_equal(pte_of(f, BASE), fr | RW_DIRTY_YOUNG);
	/* A store straight into an empty pte: young and dirty at once. */
	map_fault(f, BASE + PG, PG, 0, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE, GMAP_DAT_STORE);
	assert_int_equal(pte_of(f, BASE + PG) & ~GMAP_PTE_PFRA, RW_DIRTY_YOUNG);
}

static void caller_frames_are_special_and_protections_hold(void **state)
{
	struct fx *f = *state;

	map_fault(f, BASE, 2 * PG, frame(f, 4), GMAP_MM_PROT_READ, GMAP_DAT_IFETCH);
	assert_int_equal(pte_of(f, BASE), frame(f, 4) | RO_CLEAN_YOUNG | SPECIAL);
	assert_int_equal(pte_of(f, BASE + PG), frame(f, 5) | RO_CLEAN_YOUNG | SPECIAL);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), -EFAULT);
	assert_int_equal(gmap_mm_map(f->mm, BASE + SEG, PG, 0, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG, GMAP_DAT_FETCH), -EFAULT);
	/* WRITE alone means READ | WRITE. */
	map_fault(f, BASE + 2 * SEG, PG, frame(f, 0), GMAP_MM_PROT_WRITE, GMAP_DAT_FETCH);
	assert_int_equal(pte_of(f, BASE + 2 * SEG), frame(f, 0) | RW_CLEAN_YOUNG | SPECIAL);
}

static void young_is_emulated_with_the_invalid_bit(void **state)
{
	struct fx *f = *state;
	uint64_t pte;

	map_fault(f, BASE, PG, frame(f, 1), GMAP_MM_PROT_READ, GMAP_DAT_FETCH);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	pte = frame(f, 1) | RO_CLEAN_YOUNG | SPECIAL;
	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE), 1);
	assert_int_equal(pte_of(f, BASE), (pte & ~GMAP_MM_PTE_YOUNG) | GMAP_PTE_I);
	assert_false(tlb_has(f, 0, BASE));
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	assert_int_equal(pte_of(f, BASE), pte);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE + PG), -EFAULT);
}

static void mprotect_follows_pte_modify(void **state)
{
	struct fx *f = *state;
	uint64_t fr = frame(f, 2) | SPECIAL;
	const uint64_t rw = GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE;

	map_fault(f, BASE, 3 * PG, frame(f, 1), rw, GMAP_DAT_STORE);
	assert_int_equal(tr(f, 0, BASE + PG, GMAP_DAT_STORE).pic, 0);
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE + PG, PG, GMAP_MM_PROT_READ), 0);
	/* Dirty stays, protection comes back since not writable. */
	assert_int_equal(pte_of(f, BASE + PG), fr | RO_CLEAN_YOUNG | GMAP_MM_PTE_DIRTY);
	assert_int_equal(tr(f, 0, BASE + PG, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(f->mm->nvma, 3);
	assert_int_equal(f->mm->vma[1].frame, frame(f, 2));
	assert_int_equal(f->mm->vma[1].prot, GMAP_MM_PROT_READ);
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE + PG, PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(pte_of(f, BASE + PG),
			 fr | GMAP_MM_PTE_PRESENT | GMAP_MM_PTE_YOUNG | GMAP_MM_PTE_DIRTY |
				 GMAP_PTE_I | GMAP_PTE_P);
	assert_int_equal(tr(f, 0, BASE + PG, GMAP_DAT_FETCH).pic, GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE + PG, PG, rw), 0);
	assert_int_equal(pte_of(f, BASE + PG), fr | RW_DIRTY_YOUNG);
	assert_int_equal(pgste_of(f, BASE + PG), GMAP_PGSTE_UC);
	/* Neighbours untouched. */
	assert_int_equal(pte_of(f, BASE), frame(f, 1) | SPECIAL | RW_DIRTY_YOUNG);
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE + 2 * PG, 2 * PG, rw), -EFAULT);
	assert_int_equal(gmap_mm_mprotect(f->mm, BASE, PG, 8), -EINVAL);
}

static void zap_pools_frames_and_refault_reuses_them_zeroed(void **state)
{
	struct fx *f = *state;
	const unsigned int rw = GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE;
	uint64_t fr, fr0, fr1;
	long live;

	map_fault(f, BASE, 2 * PG, 0, rw, GMAP_DAT_STORE);
	fr0 = pte_of(f, BASE) & GMAP_PTE_PFRA;
	fr1 = pte_of(f, BASE + PG) & GMAP_PTE_PFRA;
	memset((void *)(uintptr_t)fr0, 0xaa, PG);
	memset((void *)(uintptr_t)fr1, 0xbb, PG);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x30, false), 0);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	live = f->hook.live;
	assert_int_equal(gmap_mm_zap(f->mm, BASE, 2 * PG), 0);
	/* The frames stay with the mm, in its pool. */
	assert_int_equal(f->hook.live, live);
	assert_int_equal(pte_of(f, BASE), GMAP_MM_PTE_NONE);
	/* The key moved into the PGSTE; the TLB entry went with the flush. */
	assert_int_equal(pgste_of(f, BASE), 0x30ULL << 56 | GMAP_PGSTE_UC);
	assert_false(tlb_has(f, 0, BASE));
	/* Last in, first out: BASE gets BASE + PG's old frame, zeroed. */
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	fr = pte_of(f, BASE) & GMAP_PTE_PFRA;
	assert_int_equal(fr, fr1);
	for (size_t i = 0; i < PG; i++)
		assert_int_equal(((const unsigned char *)(uintptr_t)fr)[i], 0);
	assert_int_equal(f->hook.live, live);
	assert_int_equal(gmap_arch_iske(f->arch, fr), 0x30);
	assert_int_equal(gmap_mm_unmap(f->mm, BASE, PG), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), -EFAULT);
	assert_int_equal(f->mm->nvma, 1);
	assert_int_equal(f->mm->vma[0].start, BASE + PG);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, 0), -EINVAL);
	assert_int_equal(gmap_mm_unmap(f->mm, BASE + 1, PG), -EINVAL);
}

static void lazy_exchange_defers_the_purge_on_one_cpu(void **state)
{
	struct fx *f = *state;
	gmap_pte_t old, new;

	map_fault(f, BASE, PG, frame(f, 0), GMAP_MM_PROT_READ, GMAP_DAT_FETCH);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	new.val = pte_of(f, BASE) | GMAP_PTE_I;
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE, new, GMAP_PGSTE_XCHG_LAZY, &old), 0);
	assert_int_equal(old.val, frame(f, 0) | RO_CLEAN_YOUNG | SPECIAL);
	assert_int_equal(pte_of(f, BASE), new.val);
	/* Only CPU 0 runs the mm: the stale entry stays until the flush. */
	assert_true(tlb_has(f, 0, BASE));
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	gmap_mm_flush(f->mm);
	assert_false(tlb_has(f, 0, BASE));
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, GMAP_PIC_PAGE_TRANSLATION);

	/* Two CPUs: the lazy form invalidates at once, on both. */
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	assert_int_equal(gmap_mm_attach(f->mm, 1), 0);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(tr(f, 1, BASE, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE, new, GMAP_PGSTE_XCHG_LAZY, NULL), 0);
	assert_false(tlb_has(f, 0, BASE));
	assert_false(tlb_has(f, 1, BASE));
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE, new, 2, NULL), -EINVAL);
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE + 1, new, 0, NULL), -EINVAL);
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE + SEG, new, 0, NULL), -EFAULT);
}

static void direct_exchange_is_local_on_one_cpu(void **state)
{
	struct fx *f = *state;
	gmap_pte_t new;

	map_fault(f, BASE, PG, frame(f, 0), GMAP_MM_PROT_READ, GMAP_DAT_FETCH);
	/* CPU 1 translates the mm's ASCE without being attached. */
	gmap_arch_load_asce(f->arch, 1, gmap_mm_asce(f->mm));
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(tr(f, 1, BASE, GMAP_DAT_FETCH).pic, 0);
	new.val = GMAP_MM_PTE_NONE;
	assert_int_equal(gmap_pgste_xchg(f->mm, BASE, new, 0, NULL), 0);
	assert_false(tlb_has(f, 0, BASE));
	assert_true(tlb_has(f, 1, BASE));
	/* Detach purges the CPU; attach checks the CPU number. */
	assert_int_equal(gmap_mm_detach(f->mm, 1), -EINVAL);
	assert_int_equal(gmap_mm_attach(f->mm, 2), -EINVAL);
	assert_int_equal(gmap_mm_attach(f->mm, 1), 0);
	assert_int_equal(gmap_mm_detach(f->mm, 1), 0);
	assert_false(tlb_has(f, 1, BASE));
	assert_int_equal(gmap_mm_detach(f->mm, 1), -EINVAL);
}

static void five_levels_reach_the_top_of_the_space(void **state)
{
	struct fx *f = *state;
	const uint64_t top = 0xfffffffffffff000ULL;

	assert_int_equal(f->mm->limit, 0);
	map_fault(f, top, PG, frame(f, 3), GMAP_MM_PROT_READ, GMAP_DAT_FETCH);
	assert_int_equal(pte_of(f, top), frame(f, 3) | RO_CLEAN_YOUNG | SPECIAL);
	assert_int_equal(tr(f, 0, top + 0xfff, GMAP_DAT_FETCH).addr, frame(f, 3) + 0xfff);
	assert_int_equal(gmap_mm_table_bytes(f->mm), 4 * (size_t)MM_CRST_BYTES + 2 * GMAP_PT_SIZE);
	assert_int_equal(gmap_mm_zap(f->mm, top, PG), 0);
	assert_int_equal(gmap_mm_map(f->mm, top, 2 * PG, 0, 0), -EINVAL);
}

static void without_pgstes_tables_are_2k_and_keys_refused(void **state)
{
	struct fx *f = *state;
	gmap_pgste_t pgste;
	uint8_t key;

	map_fault(f, BASE, PG, frame(f, 0), GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE, GMAP_DAT_STORE);
	assert_int_equal(pte_of(f, BASE), frame(f, 0) | RW_DIRTY_YOUNG | SPECIAL);
	assert_int_equal(gmap_mm_read_pte(f->mm, BASE, NULL, &pgste), 0);
	assert_int_equal(pgste.val, 0);
	assert_int_equal(gmap_mm_table_bytes(f->mm), 2 * (size_t)MM_CRST_BYTES + GMAP_PT_SIZE);
	assert_int_equal(gmap_pgste_get_key(f->mm, BASE, &key), -EINVAL);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x10, false), -EINVAL);
	assert_int_equal(gmap_pgste_test_and_clear_uc(f->mm, BASE), -EINVAL);
	assert_int_equal(gmap_pgste_essa(f->mm, BASE, 0, NULL, NULL), -EINVAL);
	assert_int_equal(gmap_pgste_force_prot(f->mm, BASE, 0, 0), -EINVAL);
	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE), 1);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, PG), 0);
	assert_int_equal(pte_of(f, BASE), GMAP_MM_PTE_NONE);
}

static const struct params five = { .pgste = true, .levels = 5 };

#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, NULL)
#define TP(fn, p) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, \
							    (void *)(p))

static const struct CMUnitTest tests[] = {
	T(create_rejects_bad_options),
	T(create_builds_the_top_table_and_asce),
	T(map_rejects_bad_arguments),
	T(read_fault_makes_a_young_clean_pte),
	T(write_fault_makes_it_dirty_and_sets_uc),
	T(caller_frames_are_special_and_protections_hold),
	T(young_is_emulated_with_the_invalid_bit),
	T(mprotect_follows_pte_modify),
	T(zap_pools_frames_and_refault_reuses_them_zeroed),
	T(lazy_exchange_defers_the_purge_on_one_cpu),
	T(direct_exchange_is_local_on_one_cpu),
	TP(five_levels_reach_the_top_of_the_space, &five),
	TP(without_pgstes_tables_are_2k_and_keys_refused, &params_nopgste),
};

const struct test_group pgste_mm_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
