// SPDX-License-Identifier: MIT
/*
 * enable_sie on a populated mm (every mapping survives with its bits, the
 * CPUs switch ASCE, the old TLB entries and tables go), and the CMMA
 * states: every ESSA transition and the discard of unused pages.
 */
#include <errno.h>
#include <string.h>

#include "test-pgste.h"

#define RW	(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)
#define FAR	(BASE + 4 * GMAP_REGION3_SIZE)

static void enable_sie_converts_a_populated_mm(void **state)
{
	struct fx *f = *state;
	const uint64_t va[] = { BASE, BASE + PG, BASE + 2 * PG, BASE + SEG, FAR };
	uint64_t before[5];
	gmap_asce_t old_asce, asce;
	unsigned char *anon;
	long live;

	map_fault(f, BASE, 3 * PG, 0, RW, GMAP_DAT_STORE);
	map_fault(f, BASE + SEG, PG, frame(f, 0), GMAP_MM_PROT_READ, GMAP_DAT_FETCH);
	map_fault(f, FAR, PG, frame(f, 1), RW, GMAP_DAT_FETCH);
	assert_int_equal(gmap_mm_test_and_clear_young(f->mm, BASE + 2 * PG), 1);
	anon = (unsigned char *)(uintptr_t)(pte_of(f, BASE) & GMAP_PTE_PFRA);
	anon[100] = 0x5a;
	assert_int_equal(gmap_mm_attach(f->mm, 1), 0);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_STORE).pic, 0);
	assert_int_equal(tr(f, 1, FAR, GMAP_DAT_FETCH).pic, 0);
	for (size_t i = 0; i < 5; i++)
		before[i] = pte_of(f, va[i]);
	assert_int_equal(gmap_mm_table_bytes(f->mm), 3 * (size_t)MM_CRST_BYTES + 3 * GMAP_PT_SIZE);
	old_asce = gmap_mm_asce(f->mm);
	live = f->hook.live;

	assert_int_equal(gmap_mm_enable_sie(f->mm), 0);
	assert_true(gmap_mm_has_pgste(f->mm));
	asce = gmap_mm_asce(f->mm);
	assert_int_not_equal(asce.val, old_asce.val);
	assert_int_equal(asce.val & ~GMAP_ASCE_ORIGIN, old_asce.val & ~GMAP_ASCE_ORIGIN);
	assert_int_equal(gmap_arch_get_asce(f->arch, 0).val, asce.val);
	assert_int_equal(gmap_arch_get_asce(f->arch, 1).val, asce.val);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(pte_of(f, va[i]), before[i]);
	/* UC on the writable valid ptes only. */
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_UC);
	assert_int_equal(pgste_of(f, BASE + PG), GMAP_PGSTE_UC);
	assert_int_equal(pgste_of(f, BASE + 2 * PG), 0);
	assert_int_equal(pgste_of(f, BASE + SEG), 0);
	assert_int_equal(pgste_of(f, FAR), 0);
	assert_int_equal(gmap_mm_table_bytes(f->mm), 3 * (size_t)MM_CRST_BYTES + 6 * GMAP_PT_SIZE);
	/* Three 2 KB tables became 4 KB pages; the crst tables were copied. */
	assert_int_equal(f->hook.live, live);
	/* Nothing translates through the old tables any more. */
	assert_false(gmap_arch_tlb_lookup(f->arch, 0, old_asce, BASE, &(struct gmap_dat_result){ 0 }));
	assert_false(gmap_arch_tlb_lookup(f->arch, 1, old_asce, FAR, &(struct gmap_dat_result){ 0 }));
	assert_int_equal(tr(f, 0, BASE + 100, GMAP_DAT_STORE).addr, (uintptr_t)anon + 100);
	assert_int_equal(anon[100], 0x5a);
	assert_int_equal(tr(f, 1, BASE + 2 * PG, GMAP_DAT_FETCH).pic, GMAP_PIC_PAGE_TRANSLATION);
	/* Guest keys work now, and a second call changes nothing. */
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x10, false), 0);
	assert_int_equal(gmap_mm_enable_sie(f->mm), 0);
	assert_int_equal(gmap_mm_asce(f->mm).val, asce.val);
}

static const struct params noesop_nopgste = { .facilities = GMAP_FAC_EDAT1 };

static void enable_sie_without_esop_dirties_writable_ptes(void **state)
{
	struct fx *f = *state;

	map_fault(f, BASE, PG, frame(f, 0), RW, GMAP_DAT_FETCH);
	assert_int_equal(pte_of(f, BASE), frame(f, 0) | RW_CLEAN_YOUNG | SPECIAL);
	assert_int_equal(gmap_mm_enable_sie(f->mm), 0);
	assert_int_equal(pte_of(f, BASE), frame(f, 0) | RW_DIRTY_YOUNG | SPECIAL);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_UC);
}

/*
 * One ESSA case: the pte valid or empty, the PGSTE before, the operation,
 * the PGSTE after and the result.
 */
struct essa_case {
	bool valid;
	uint64_t before;
	unsigned int orc;
	uint64_t after;
	int res;
};

#define U_ST	GMAP_PGSTE_USAGE_STABLE
#define U_UN	GMAP_PGSTE_USAGE_UNUSED
#define U_PV	GMAP_PGSTE_USAGE_POT_VOLATILE
#define U_VO	GMAP_PGSTE_USAGE_VOLATILE
#define ZERO	GMAP_PGSTE_ZERO
#define NODAT	GMAP_PGSTE_NODAT
#define GC	GMAP_PGSTE_GC

static const struct essa_case essa_cases[] = {
	{ true, U_VO | NODAT, GMAP_PGSTE_ESSA_SET_STABLE, U_ST, 0 },
	{ true, U_ST | NODAT, GMAP_PGSTE_ESSA_SET_UNUSED, U_UN | NODAT, 0 },
	{ false, U_ST, GMAP_PGSTE_ESSA_SET_UNUSED, U_UN | ZERO, 1 },
	{ true, U_ST, GMAP_PGSTE_ESSA_SET_VOLATILE, U_VO, 0 },
	{ false, U_ST, GMAP_PGSTE_ESSA_SET_VOLATILE, U_VO | ZERO, 1 },
	{ true, U_ST, GMAP_PGSTE_ESSA_SET_POT_VOLATILE, U_PV, 0 },
	{ false, U_ST | ZERO, GMAP_PGSTE_ESSA_SET_POT_VOLATILE, U_VO | ZERO, 0 },
	{ false, U_UN, GMAP_PGSTE_ESSA_SET_POT_VOLATILE, U_VO | ZERO, 1 },
	{ false, U_UN | GC, GMAP_PGSTE_ESSA_SET_POT_VOLATILE, U_ST | GC, 0 },
	{ false, U_VO | NODAT, GMAP_PGSTE_ESSA_SET_STABLE_RESIDENT, U_ST | NODAT, 0 },
	{ true, U_UN, GMAP_PGSTE_ESSA_SET_STABLE_IF_RESIDENT, U_ST, 0 },
	{ false, U_UN, GMAP_PGSTE_ESSA_SET_STABLE_IF_RESIDENT, U_UN, 0 },
	{ false, U_UN, GMAP_PGSTE_ESSA_SET_STABLE_NODAT, U_ST | NODAT, 0 },
	{ true, U_PV | ZERO, GMAP_PGSTE_ESSA_GET_STATE, U_PV | ZERO, 0 },
};

static void essa_moves_between_the_usage_states(void **state)
{
	struct fx *f = *state;
	const uint64_t valid = frame(f, 0) | RO_CLEAN_YOUNG | SPECIAL;
	gmap_pte_t pte, oldpte;
	gmap_pgste_t oldpgste;

	assert_int_equal(gmap_mm_map(f->mm, BASE, PG, frame(f, 0), GMAP_MM_PROT_READ), 0);
	for (size_t i = 0; i < sizeof(essa_cases) / sizeof(essa_cases[0]); i++) {
		const struct essa_case *c = &essa_cases[i];

		pte.val = c->valid ? valid : GMAP_MM_PTE_NONE;
		assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, ~GMAP_PGSTE_PCL, c->before), 0);
		assert_int_equal(gmap_pgste_xchg(f->mm, BASE, pte, 0, NULL), 0);
		assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, ~GMAP_PGSTE_PCL, c->before), 0);
		assert_int_equal(gmap_pgste_essa(f->mm, BASE, c->orc, &oldpte, &oldpgste), c->res);
		assert_int_equal(oldpte.val, pte.val);
		assert_int_equal(oldpgste.val, c->before);
		assert_int_equal(pgste_of(f, BASE), c->after);
		assert_int_equal(pte_of(f, BASE), pte.val);
	}
	assert_int_equal(gmap_pgste_essa(f->mm, BASE, 8, NULL, NULL), -EINVAL);
	assert_int_equal(gmap_pgste_essa(f->mm, BASE + SEG, 0, NULL, NULL), -EFAULT);
}

static void discard_drops_unused_and_zero_pages(void **state)
{
	struct fx *f = *state;
	uint64_t fr2;
	long live;

	map_fault(f, BASE, 4 * PG, 0, RW, GMAP_DAT_STORE);
	fr2 = pte_of(f, BASE + 2 * PG) & GMAP_PTE_PFRA;
	memset((void *)(uintptr_t)fr2, 0x5a, PG);
	assert_int_equal(gmap_pgste_essa(f->mm, BASE, GMAP_PGSTE_ESSA_SET_UNUSED, NULL, NULL), 0);
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE + 2 * PG, ZERO | NODAT, ZERO | NODAT), 0);
	assert_int_equal(gmap_mm_zap(f->mm, BASE + 3 * PG, PG), 0);
	assert_int_equal(gmap_pgste_essa(f->mm, BASE + 3 * PG, GMAP_PGSTE_ESSA_SET_UNUSED, NULL,
					 NULL), 1);
	assert_int_equal(tr(f, 0, BASE, GMAP_DAT_FETCH).pic, 0);
	live = f->hook.live;
	assert_int_equal(gmap_mm_discard_unused(f->mm, BASE, 4 * PG, false), 2);
	/* The frames went to the mm's pool, not to the backend. */
	assert_int_equal(f->hook.live, live);
	assert_int_equal(pte_of(f, BASE), GMAP_MM_PTE_NONE);
	assert_int_equal(pte_of(f, BASE + 2 * PG), GMAP_MM_PTE_NONE);
	assert_int_equal(pte_of(f, BASE + PG) & ~GMAP_PTE_PFRA, RW_DIRTY_YOUNG);
	assert_false(tlb_has(f, 0, BASE));
	assert_int_equal(pgste_of(f, BASE), U_UN | GMAP_PGSTE_UC);
	/* Touched again: the last frame pooled, zeroed; ZERO over. */
	assert_int_equal(gmap_mm_fault(f->mm, BASE + 2 * PG, GMAP_DAT_FETCH), 0);
	assert_int_equal(pte_of(f, BASE + 2 * PG) & GMAP_PTE_PFRA, fr2);
	assert_int_equal(((const unsigned char *)(uintptr_t)fr2)[PG - 1], 0);
	assert_int_equal(f->hook.live, live);
	assert_int_equal(pgste_of(f, BASE + 2 * PG), NODAT | GMAP_PGSTE_UC);
	assert_int_equal(gmap_pgste_zap_unused(f->mm, BASE + PG, false), 0);
	assert_int_equal(gmap_pgste_zap_unused(f->mm, BASE + SEG, false), -EFAULT);
	/* The reset form clears usage and NODAT, and drops nothing. */
	assert_int_equal(gmap_mm_discard_unused(f->mm, BASE, 4 * PG, true), 0);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_UC);
	assert_int_equal(pgste_of(f, BASE + 2 * PG), GMAP_PGSTE_UC);
	assert_int_equal(pgste_of(f, BASE + 3 * PG), ZERO | GMAP_PGSTE_UC);
	assert_int_equal(gmap_mm_discard_unused(f->mm, BASE, 0, true), -EINVAL);
}

#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, NULL)

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_prestate_setup_teardown(enable_sie_converts_a_populated_mm, fx_setup,
						 fx_teardown, (void *)&params_nopgste),
	cmocka_unit_test_prestate_setup_teardown(enable_sie_without_esop_dirties_writable_ptes,
						 fx_setup, fx_teardown, (void *)&noesop_nopgste),
	T(essa_moves_between_the_usage_states),
	T(discard_drops_unused_and_zero_pages),
};

const struct test_group pgste_sie_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
