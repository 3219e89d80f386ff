// SPDX-License-Identifier: MIT
/*
 * Failing the Nth allocation of every operation that allocates: each
 * -ENOMEM leaves the whole mm (tables, PGSTEs, mappings, ASCE, table
 * bytes) as it was and leaks nothing; the loop goes on until the operation
 * succeeds, so every allocation point is hit once and for good.
 */
#include <errno.h>
#include <stdlib.h>

#include "test-pgste.h"

#define RW	(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

static void prep_map(struct fx *f)
{
	assert_int_equal(gmap_mm_map(f->mm, BASE, 4 * PG, 0, RW), 0);
}

/* Four mappings fill the first mapping array (4 slots). */
static void prep_four_maps(struct fx *f)
{
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(gmap_mm_map(f->mm, BASE + i * 4 * PG, 4 * PG, 0, RW), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + 5 * PG, GMAP_DAT_STORE), 0);
}

/* A key on an unmapped page: mapping it in must store it (the backend's
 * first key: its key table is allocated then). */
static void prep_keyed(struct fx *f)
{
	prep_map(f);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x30, false), 0);
}

static void prep_populated(struct fx *f)
{
	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * SEG, 0, RW), 0);
	assert_int_equal(gmap_mm_map(f->mm, BASE + 2 * GMAP_REGION3_SIZE, PG, frame(f, 0), RW), 0);
	for (uint64_t off = 0; off < 2 * SEG; off += 64 * PG)
		assert_int_equal(gmap_mm_fault(f->mm, BASE + off, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + 2 * GMAP_REGION3_SIZE, GMAP_DAT_FETCH), 0);
}

static int op_map(struct fx *f)
{
	return gmap_mm_map(f->mm, BASE, PG, 0, GMAP_MM_PROT_READ);
}

static int op_fault(struct fx *f)
{
	return gmap_mm_fault(f->mm, BASE + PG, GMAP_DAT_STORE);
}

static int op_fault_keyed(struct fx *f)
{
	return gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH);
}

static int op_unmap_split(struct fx *f)
{
	return gmap_mm_unmap(f->mm, BASE + 5 * PG, PG);
}

static int op_mprotect_split(struct fx *f)
{
	return gmap_mm_mprotect(f->mm, BASE + 5 * PG, PG, GMAP_MM_PROT_READ);
}

static int op_set_key_unmapped(struct fx *f)
{
	return gmap_pgste_set_key(f->mm, BASE + 2 * PG, 0x24, false);
}

static int op_set_key_mapped(struct fx *f)
{
	return gmap_pgste_set_key(f->mm, BASE + 5 * PG, 0x24, false);
}

static int op_cond_set_key(struct fx *f)
{
	uint8_t old;

	return gmap_pgste_cond_set_key(f->mm, BASE + 3 * PG, 0x40, &old, GMAP_PGSTE_KEY_MR);
}

static int op_set_bits(struct fx *f)
{
	return gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_NODAT, GMAP_PGSTE_NODAT);
}

static int op_essa(struct fx *f)
{
	return gmap_pgste_essa(f->mm, BASE + PG, GMAP_PGSTE_ESSA_SET_UNUSED, NULL, NULL);
}

static int op_xchg_keyed(struct fx *f)
{
	gmap_pte_t pte = { frame(f, 1) | RO_CLEAN_YOUNG | SPECIAL };

	return gmap_pgste_xchg(f->mm, BASE, pte, 0, NULL);
}

static int op_enable_sie(struct fx *f)
{
	return gmap_mm_enable_sie(f->mm);
}

static void every_mapping_operation_survives_failing_allocations(void **state)
{
	(void)state;
	assert_int_equal(nomem_loop(&params_pgste, NULL, op_map, 0), 2);
	/* Segment table, page table, frame. */
	assert_int_equal(nomem_loop(&params_pgste, prep_map, op_fault, 0), 4);
	assert_int_equal(nomem_loop(&params_nopgste, prep_map, op_fault, 0), 4);
	assert_int_equal(nomem_loop(&params_pgste, prep_four_maps, op_unmap_split, 0), 2);
	assert_int_equal(nomem_loop(&params_pgste, prep_four_maps, op_mprotect_split, 0), 2);
}

static void five_levels_fault_through_four_new_tables(void **state)
{
	static const struct params five = { .pgste = true, .levels = 5 };

	(void)state;
	/* Region-second, region-third, segment and page table, frame. */
	assert_int_equal(nomem_loop(&five, prep_map, op_fault, 0), 6);
}

static void storing_a_key_survives_failing_allocations(void **state)
{
	(void)state;
	/* The frame, then the backend's key table. */
	assert_int_equal(nomem_loop(&params_pgste, prep_keyed, op_fault_keyed, 0), 3);
	assert_int_equal(nomem_loop(&params_pgste, prep_keyed, op_xchg_keyed, 0), 2);
	assert_int_equal(nomem_loop(&params_pgste, prep_map, op_set_key_unmapped, 0), 3);
	assert_int_equal(nomem_loop(&params_pgste, prep_four_maps, op_set_key_mapped, 0), 2);
	assert_int_equal(nomem_loop(&params_pgste, prep_map, op_cond_set_key, 1), 3);
}

static void pgste_operations_allocate_page_tables_atomically(void **state)
{
	(void)state;
	assert_int_equal(nomem_loop(&params_pgste, prep_map, op_set_bits, 0), 3);
	assert_int_equal(nomem_loop(&params_pgste, prep_map, op_essa, 1), 3);
}

static void enable_sie_is_all_or_nothing(void **state)
{
	unsigned long n;

	(void)state;
	/* A new top table, two segment tables, 3 page tables. */
	n = nomem_loop(&params_nopgste, prep_populated, op_enable_sie, 0);
	assert_int_equal(n, 7);
}

static void create_leaks_nothing_on_failure(void **state)
{
	(void)state;
	/* The mm itself, then its top table. */
	for (unsigned long n = 1;; n++) {
		void *st = (void *)&params_pgste;
		struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);
		struct gmap_mm *mm = NULL;
		struct fx *f;
		int rc;

		fx_setup(&st);
		f = st;
		gmap_mm_destroy(f->mm);
		f->mm = NULL;
		mo.arch = f->arch;
		f->hook.fail_at = f->hook.calls + n;
		rc = gmap_mm_create(&mo, &mm);
		f->hook.fail_at = 0;
		if (!rc) {
			f->mm = mm;
			fx_teardown(&st);
			assert_int_equal(n, 3);
			return;
		}
		assert_int_equal(rc, -ENOMEM);
		assert_null(mm);
		/* The teardown checks that nothing is left allocated. */
		fx_teardown(&st);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(every_mapping_operation_survives_failing_allocations),
	cmocka_unit_test(five_levels_fault_through_four_new_tables),
	cmocka_unit_test(storing_a_key_survives_failing_allocations),
	cmocka_unit_test(pgste_operations_allocate_page_tables_atomically),
	cmocka_unit_test(enable_sie_is_all_or_nothing),
	cmocka_unit_test(create_leaks_nothing_on_failure),
};

const struct test_group pgste_nomem_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
