// SPDX-License-Identifier: MIT
/*
 * gmap lifetime: the top table and ASCE that each limit gets, argument
 * checks, allocation failures, reference counting, removal and
 * enable/disable.
 */
#include <errno.h>

#include "test-gmap.h"

/* A limit and the top table it gets, at every boundary. */
static const struct {
	uint64_t limit;
	int tt;
} limits[] = {
	{ 0, GMAP_TT_SEGMENT },
	{ (1ULL << 31) - 1, GMAP_TT_SEGMENT },
	{ 1ULL << 31, GMAP_TT_REGION3 },
	{ (1ULL << 42) - 1, GMAP_TT_REGION3 },
	{ 1ULL << 42, GMAP_TT_REGION2 },
	{ (1ULL << 53) - 1, GMAP_TT_REGION2 },
	{ 1ULL << 53, GMAP_TT_REGION1 },
	{ UINT64_MAX, GMAP_TT_REGION1 },
};

/* The top table follows the limit; every entry is the empty entry of its
 * type; the ASCE designates the table with its type, TL 3 and the user
 * bits P, S, X only; the table is counted; removal frees everything. */
static void create_top_table_follows_limit(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct gmap *g = NULL;
		gmap_asce_t asce;

		assert_int_equal(gmap_create(f->mm, limits[i].limit, &g), 0);
		asce = gmap_asce(g);
		assert_int_equal(asce.val, gmap_arch_virt_to_real(f->arch, g->table) |
						   ((uint64_t)limits[i].tt << GMAP_ASCE_DT_SHIFT) | 3 |
						   GMAP_ASCE_P | GMAP_ASCE_S | GMAP_ASCE_X);
		assert_int_equal(g->top_tt, limits[i].tt);
		for (unsigned int j = 0; j < GMAP_CRST_MAX_ENTRIES; j++)
			assert_int_equal(g->table[j].val,
					 GMAP_CRSTE_I |
						 ((uint64_t)limits[i].tt << GMAP_CRSTE_TT_SHIFT));
		assert_int_equal(gmap_table_bytes(g), 4 * GMAP_CRST_PART_SIZE);
		assert_ptr_equal(gmap_mm(g), f->mm);
		gmap_remove(g);
	}
}

/* NULL arguments and an mm without PGSTEs are refused; *out untouched. */
static void create_einval(void **state)
{
	struct fx *f = *state;
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .arch = f->arch, .pgste = false);
	struct gmap *g = (struct gmap *)f;
	struct gmap_mm *plain;
	long live;

	assert_int_equal(gmap_create(NULL, LIMIT, &g), -EINVAL);
	assert_int_equal(gmap_create(f->mm, LIMIT, NULL), -EINVAL);
	assert_int_equal(gmap_mm_create(&mo, &plain), 0);
	live = f->hook.live;
	assert_int_equal(gmap_create(plain, LIMIT, &g), -EINVAL);
	assert_ptr_equal(g, (struct gmap *)f);
	assert_int_equal(f->hook.live, live);
	gmap_mm_destroy(plain);
}

/* Failing the first or the second allocation of gmap_create() returns
 * -ENOMEM with nothing allocated, nothing registered and *out untouched;
 * the third attempt succeeds. */
static void create_nomem(void **state)
{
	struct fx *f = *state;
	struct gmap_mm_notifier *head = f->mm->notifiers.head;

	for (unsigned long n = 1;; n++) {
		struct gmap *g = (struct gmap *)f;
		long live = f->hook.live;
		int rc;

		f->hook.fail_at = f->hook.calls + n;
		rc = gmap_create(f->mm, LIMIT, &g);
		f->hook.fail_at = 0;
		if (!rc) {
			assert_int_equal(n, 3);
			gmap_remove(g);
			break;
		}
		assert_int_equal(rc, -ENOMEM);
		assert_ptr_equal(g, (struct gmap *)f);
		assert_int_equal(f->hook.live, live);
		assert_ptr_equal(f->mm->notifiers.head, head);
	}
	assert_ptr_equal(f->mm->notifiers.head, head);
}

/* Other references keep a removed gmap's struct; the last put frees it;
 * a last put without remove tears down too (unregistered from the mm). */
static void refcount_orders(void **state)
{
	struct fx *f = *state;
	struct gmap *g;
	long live = f->hook.live;
	uint64_t h = 0;

	assert_int_equal(gmap_create(f->mm, LIMIT, &g), 0);
	assert_int_equal(gmap_map_segment(g, HBASE, 0, SEG), 0);
	assert_ptr_equal(gmap_get(g), g);
	assert_ptr_equal(gmap_get(g), g);
	gmap_put(g);
	gmap_remove(g);
	/* One reference left: the struct is alive, its tables are gone. */
	assert_int_equal(gmap_translate(g, 0, &h), -EFAULT);
	assert_true(g->removed);
	assert_null(g->table);
	assert_int_equal(gmap_table_bytes(g), 0);
	assert_int_equal(f->hook.live, live + 1);
	assert_ptr_equal(f->mm->notifiers.head, &f->gmap->mm_nb);
	gmap_put(g);
	assert_int_equal(f->hook.live, live);

	assert_int_equal(gmap_create(f->mm, LIMIT, &g), 0);
	assert_ptr_equal(f->mm->notifiers.head, &g->mm_nb);
	gmap_put(g);
	assert_int_equal(f->hook.live, live);
	assert_ptr_equal(f->mm->notifiers.head, &f->gmap->mm_nb);
	gmap_put(NULL);
}

/* Removal purges the gmap's ASCE from every TLB and leaves the host
 * ptes (the mm's) alone. */
static void remove_purges_tlb(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result res;
	gmap_asce_t asce = gmap_asce(f->gmap);
	uint64_t pte;

	host_map(f);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, 0, SEG), 0);
	assert_int_equal(gmap_fault(f->gmap, 0x3000, GMAP_DAT_FETCH), 0);
	assert_int_equal(gtr(f, 0x3000, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, GCPU, asce, 0x3000, &res), 1);
	pte = hpte(f, HBASE + 0x3000);
	assert_int_equal(gmap_disable(f->gmap, GCPU), 0);
	gmap_remove(f->gmap);
	f->gmap = NULL;
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, GCPU, asce, 0x3000, &res), 0);
	assert_int_equal(hpte(f, HBASE + 0x3000), pte);
	assert_null(f->mm->notifiers.head);
}

/* enable loads the ASCE, disable loads 0; bad CPUs and a CPU the gmap
 * does not run on are refused. */
static void enable_disable(void **state)
{
	struct fx *f = *state;

	assert_int_equal(gmap_arch_get_asce(f->arch, GCPU).val, gmap_asce(f->gmap).val);
	assert_int_equal(gmap_disable(f->gmap, GCPU), 0);
	assert_int_equal(gmap_arch_get_asce(f->arch, GCPU).val, 0);
	assert_int_equal(gmap_disable(f->gmap, GCPU), -EINVAL);
	assert_int_equal(gmap_disable(f->gmap, 0), -EINVAL);
	assert_int_equal(gmap_enable(f->gmap, 2), -EINVAL);
	assert_int_equal(gmap_disable(f->gmap, 2), -EINVAL);
	assert_int_equal(gmap_disable(f->gmap, 64), -EINVAL);
	assert_int_equal(gmap_enable(f->gmap, 0), 0);
	assert_int_equal(gmap_arch_get_asce(f->arch, 0).val, gmap_asce(f->gmap).val);
	assert_int_equal(gmap_disable(f->gmap, 0), 0);
	assert_int_equal(gmap_arch_get_asce(f->arch, 0).val, 0);
	assert_int_equal(gmap_arch_get_asce(f->arch, GCPU).val, 0);
}

/* Disabling purges the CPU's TLB, also when the mm was detached from the
 * CPU meanwhile. */
static void disable_purges_tlb(void **state)
{
	struct fx *f = *state;

	host_map(f);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, 0, SEG), 0);
	assert_int_equal(gmap_fault(f->gmap, 0, GMAP_DAT_FETCH), 0);
	assert_int_equal(gmap_mm_detach(f->mm, GCPU), 0);
	assert_int_equal(gtr(f, 0, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	assert_int_equal(gmap_arch_tlb_count(f->arch, GCPU), 1);
	assert_int_equal(gmap_disable(f->gmap, GCPU), 0);
	assert_int_equal(gmap_arch_tlb_count(f->arch, GCPU), 0);
	assert_int_equal(gmap_enable(f->gmap, GCPU), 0);
	assert_int_equal(gtr(f, 0, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	assert_int_equal(gmap_arch_tlb_count(f->arch, GCPU), 1);
	assert_int_equal(gmap_disable(f->gmap, GCPU), 0);
	assert_int_equal(gmap_arch_tlb_count(f->arch, GCPU), 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(create_top_table_follows_limit, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(create_einval, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(create_nomem, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(refcount_orders, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(remove_purges_tlb, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(enable_disable, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(disable_purges_tlb, fx_setup, fx_teardown),
};

const struct test_group life_group = { tests, sizeof(tests) / sizeof(tests[0]) };
