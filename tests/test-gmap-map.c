// SPDX-License-Identifier: MIT
/*
 * gmap_map_segment(), gmap_unmap_segment() and gmap_translate():
 * guest_to_host contents, every -EINVAL path with nothing changed, and
 * -ENOMEM with the exact previous state, including a replaced link.
 */
#include <errno.h>

#include "test-gmap.h"

/* Host addresses the mm (3 levels) cannot reach start here. */
#define REACH		(1ULL << 42)
#define TOP_SEG		0xfffffffffff00000ULL

/* Mapping records guest_to_host per segment and allocates no table;
 * translation adds the offset; unmapped and beyond-limit addresses fault. */
static void map_translate(void **state)
{
	struct fx *f = *state;
	uint64_t h = 0;

	assert_int_equal(gmap_map_segment(f->gmap, HBASE, 5 * SEG, 2 * SEG), 0);
	assert_int_equal(radix_lookup(&f->gmap->guest_to_host, 5), HBASE | GTH_VALID);
	assert_int_equal(radix_lookup(&f->gmap->guest_to_host, 6), (HBASE + SEG) | GTH_VALID);
	assert_int_equal(gmap_translate(f->gmap, 5 * SEG, &h), 0);
	assert_int_equal(h, HBASE);
	assert_int_equal(gmap_translate(f->gmap, 7 * SEG - 1, &h), 0);
	assert_int_equal(h, HBASE + 2 * SEG - 1);
	h = 0;
	assert_int_equal(gmap_translate(f->gmap, 7 * SEG, &h), -EFAULT);
	assert_int_equal(gmap_translate(f->gmap, 5 * SEG - 1, &h), -EFAULT);
	assert_int_equal(gmap_translate(f->gmap, LIMIT + 1, &h), -EFAULT);
	assert_int_equal(h, 0);
	assert_int_equal(gmap_table_bytes(f->gmap), 4 * GMAP_CRST_PART_SIZE);
	assert_int_equal(check_maps(f), 0);
	/* The last segment below the limit and the last one the mm reaches. */
	assert_int_equal(gmap_map_segment(f->gmap, REACH - SEG, LIMIT + 1 - SEG, SEG), 0);
	assert_int_equal(gmap_translate(f->gmap, LIMIT, &h), 0);
	assert_int_equal(h, REACH - 1);
	/* Unmapping forgets; holes are fine. */
	assert_int_equal(gmap_unmap_segment(f->gmap, 4 * SEG, 3 * SEG), 0);
	assert_int_equal(gmap_translate(f->gmap, 5 * SEG, &h), -EFAULT);
	assert_int_equal(gmap_translate(f->gmap, 6 * SEG, &h), -EFAULT);
	assert_int_equal(gmap_translate(f->gmap, LIMIT, &h), 0);
	assert_int_equal(check_maps(f), 0);
}

/* The table walk stops beyond the limit, above the top table and at a
 * missing table; it reaches every level once the tables are there. */
static void table_walk_levels(void **state)
{
	struct fx *f = *state;
	gmap_crste_t *sgt;

	assert_null(gmap_table_walk(f->gmap, LIMIT + 1, GMAP_TT_REGION3));
	assert_null(gmap_table_walk(f->gmap, 0, GMAP_TT_REGION2));
	assert_null(gmap_table_walk(f->gmap, 0, GMAP_TT_SEGMENT));
	assert_ptr_equal(gmap_table_walk(f->gmap, 1ULL << 31, GMAP_TT_REGION3),
			 &f->gmap->table[1]);
	host_map(f);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, (1ULL << 31) + 7 * SEG, SEG), 0);
	assert_int_equal(gmap_fault(f->gmap, (1ULL << 31) + 7 * SEG, GMAP_DAT_FETCH), 0);
	sgt = gmap_arch_real_to_virt(f->arch, f->gmap->table[1].val & GMAP_CRSTE_ORIGIN);
	assert_ptr_equal(gmap_table_walk(f->gmap, (1ULL << 31) + 7 * SEG + 5, GMAP_TT_SEGMENT),
			 &sgt[7]);
	assert_null(gmap_table_walk(f->gmap, 7 * SEG, GMAP_TT_SEGMENT));
	assert_int_equal(sgt[7].val, hseg(f, HBASE));
}

static const struct {
	uint64_t from, to, len;
} bad_maps[] = {
	{ HBASE + PG, 0, SEG },			/* from unaligned */
	{ HBASE, PG, SEG },			/* to unaligned */
	{ HBASE, 0, SEG + PG },			/* len unaligned */
	{ HBASE, 0, 0 },			/* empty */
	{ TOP_SEG, 0, 2 * SEG },		/* from + len overflows */
	{ HBASE, TOP_SEG, 2 * SEG },		/* to + len overflows */
	{ HBASE, LIMIT + 1 - SEG, 2 * SEG },	/* beyond the limit */
	{ HBASE, LIMIT + 1, SEG },		/* beyond the limit */
	{ REACH, 0, SEG },			/* beyond the mm's reach */
	{ REACH - SEG, 0, 2 * SEG },		/* partly beyond it */
};

/* Every bad argument of map_segment is refused with nothing changed,
 * also over an existing, linked mapping. */
static void map_einval(void **state)
{
	struct fx *f = *state;
	struct gsnap before, after;

	host_map(f);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, 0, SEG), 0);
	assert_int_equal(gmap_fault(f->gmap, 0, GMAP_DAT_FETCH), 0);
	gsnap_take(f, &before);
	for (size_t i = 0; i < sizeof(bad_maps) / sizeof(bad_maps[0]); i++) {
		assert_int_equal(gmap_map_segment(f->gmap, bad_maps[i].from, bad_maps[i].to,
						  bad_maps[i].len), -EINVAL);
		gsnap_take(f, &after);
		gsnap_assert_equal(&before, &after);
	}
	assert_int_equal(check_maps(f), 1);
}

/* Every bad argument of unmap_segment is refused with nothing changed. */
static void unmap_einval(void **state)
{
	static const uint64_t bad[][2] = {
		{ PG, SEG }, { 0, SEG + PG }, { 0, 0 }, { LIMIT + 1 - SEG, 2 * SEG },
		{ LIMIT + 1, SEG }, { TOP_SEG, 2 * SEG },
	};
	struct fx *f = *state;
	struct gsnap before, after;

	host_map(f);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, 0, SEG), 0);
	assert_int_equal(gmap_fault(f->gmap, 0, GMAP_DAT_FETCH), 0);
	gsnap_take(f, &before);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gmap_unmap_segment(f->gmap, bad[i][0], bad[i][1]), -EINVAL);
		gsnap_take(f, &after);
		gsnap_assert_equal(&before, &after);
	}
}

/* Failing any allocation of a remap leaves the old, linked mapping and
 * everything else exactly as it was; the remap that succeeds unlinks it. */
static void map_nomem_keeps_old_mapping(void **state)
{
	struct fx *f = *state;
	struct gsnap before, after;
	uint64_t h;
	unsigned long n;
	int rc;

	host_map(f);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, 63 * SEG, 2 * SEG), 0);
	assert_int_equal(gmap_fault(f->gmap, 63 * SEG, GMAP_DAT_STORE), 0);
	assert_int_equal(check_maps(f), 1);
	gsnap_take(f, &before);
	/* Indexes 63 to 192: two new radix leaves. */
	for (n = 1;; n++) {
		f->hook.fail_at = f->hook.calls + n;
		rc = gmap_map_segment(f->gmap, HBASE + 2 * SEG, 63 * SEG, 130 * SEG);
		f->hook.fail_at = 0;
		if (!rc)
			break;
		assert_int_equal(rc, -ENOMEM);
		gsnap_take(f, &after);
		gsnap_assert_equal(&before, &after);
	}
	assert_true(n > 1);
	assert_int_equal(gseg(f, 63 * SEG), GMAP_SEG_EMPTY);
	assert_int_equal(check_maps(f), 0);
	assert_int_equal(gmap_translate(f->gmap, 63 * SEG + 5, &h), 0);
	assert_int_equal(h, HBASE + 2 * SEG + 5);
	assert_int_equal(gmap_translate(f->gmap, 192 * SEG, &h), 0);
	assert_int_equal(h, HBASE + 131 * SEG);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(map_translate, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(table_walk_levels, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(map_einval, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(unmap_einval, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(map_nomem_keeps_old_mapping, fx_setup, fx_teardown),
};

const struct test_group map_group = { tests, sizeof(tests) / sizeof(tests[0]) };
