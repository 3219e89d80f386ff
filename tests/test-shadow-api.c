// SPDX-License-Identifier: MIT
/*
 * The shadow API's contracts (suite shadow): -EINVAL for every bad
 * argument of gmap_shadow_get() and gmap_shadow_fault() and for the gmap
 * functions that must refuse a shadow, -EFAULT for a top table the host
 * refuses, -EOPNOTSUPP without ESOP-1, a top table outside guest-1
 * storage (addressing exceptions; dropped when it gets mapped),
 * gmap_shadow_get() of an existing shadow, -EAGAIN for a
 * second gmap_shadow_get() while the first one builds and for a shadow
 * dropped while being built, -EAGAIN from a fault that an unshadow races
 * with (both interposed from the allocation hook), and GMAP_SHADOW_MAX:
 * the ninth shadow drops the oldest.
 */
#include <errno.h>

#include "test-shadow.h"

#define NTOP		(GMAP_SHADOW_MAX + 1)

/* Guest 1 with NTOP region-first tables, each mapping A and B to one
 * page (B in another page table below the same segment table). */
struct aworld {
	struct sfx fx;
	gmap_asce_t asce[NTOP];
};

#define A		SVA(1, 1, 1, 1, 1)
#define B		SVA(1, 1, 1, 2, 1)

static void aworld_up(struct aworld *w)
{
	uint64_t data;

	sfx_up(&w->fx, 0, 4 * SEG, false);
	data = g1_page(&w->fx);
	for (int i = 0; i < NTOP; i++) {
		w->asce[i] = gmap_asce_mk(g1_table(&w->fx, GMAP_TT_REGION1), GMAP_TT_REGION1, 3, 0);
		g1_map(&w->fx, w->asce[i], A, data, 0);
		g1_map(&w->fx, w->asce[i], B, data, 0);
		g1_alloc(&w->fx, 0, PG);
	}
}

static void aworld_down(struct aworld *w)
{
	sfx_interpose(0, NULL, NULL);
	sfx_down(&w->fx);
}

/* gmap_shadow_get()'s -EINVAL and -EFAULT cases leave *out and the
 * allocations alone; an existing shadow is handed out again, another
 * EDAT level is another shadow. */
static void test_api_get(void **state)
{
	struct gmap *sentinel = (struct gmap *)(uintptr_t)0x5a50, *out = sentinel, *sg, *again;
	uint64_t top;
	struct aworld w;
	long live;

	(void)state;
	aworld_up(&w);
	live = w.fx.hook.live;
	assert_int_equal(gmap_shadow_get(NULL, w.asce[0], 0, &out), -EINVAL);
	assert_int_equal(gmap_shadow_get(w.fx.parent, w.asce[0], 0, NULL), -EINVAL);
	assert_int_equal(gmap_shadow_get(w.fx.parent, w.asce[0], -1, &out), -EINVAL);
	assert_int_equal(gmap_shadow_get(w.fx.parent, w.asce[0], 3, &out), -EINVAL);
	top = w.asce[0].val & GMAP_ASCE_ORIGIN;
	assert_int_equal(gmap_mm_mprotect(w.fx.mm, SFX_HBASE + top, PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(gmap_shadow_get(w.fx.parent, w.asce[0], 0, &out), -EFAULT);
	assert_ptr_equal(out, sentinel);
	assert_int_equal(w.fx.hook.live, live);
	assert_int_equal(gmap_mm_mprotect(w.fx.mm, SFX_HBASE + top, PG,
					  GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE), 0);

	sg = sfx_shadow(&w.fx, w.asce[0], 0);
	assert_int_equal(gmap_shadow_get(sg, w.asce[1], 0, &out), -EINVAL);
	assert_ptr_equal(out, sentinel);
	again = sfx_shadow(&w.fx, w.asce[0], 0);
	assert_ptr_equal(again, sg);
	gmap_put(again);
	again = sfx_shadow(&w.fx, w.asce[0], 2);
	assert_true(again != sg);
	assert_false(gmap_shadow_valid(again, w.asce[0], 0));
	assert_true(gmap_shadow_valid(again, w.asce[0], 2));
	assert_false(gmap_shadow_valid(sg, w.asce[1], 0));
	assert_false(gmap_is_shadow(NULL));
	gmap_put(again);
	gmap_put(sg);

	gmap_get(w.fx.parent);
	gmap_remove(w.fx.parent);
	assert_int_equal(gmap_shadow_get(w.fx.parent, w.asce[0], 0, &out), -EINVAL);
	assert_ptr_equal(out, sentinel);
	gmap_put(w.fx.parent);
	w.fx.parent = NULL;
	aworld_down(&w);
}

/* Without ESOP-1 the parent cannot protect guest-1 tables: no shadow. */
static void test_api_no_esop(void **state)
{
	struct gmap *sentinel = (struct gmap *)(uintptr_t)0x5a50, *out = sentinel;
	gmap_asce_t asce;
	struct sfx fx;

	(void)state;
	sfx_up(&fx, GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2 | GMAP_FAC_IEP, 4 * SEG, false);
	asce = gmap_asce_mk(g1_table(&fx, GMAP_TT_REGION1), GMAP_TT_REGION1, 3, 0);
	assert_int_equal(gmap_shadow_get(fx.parent, asce, 0, &out), -EOPNOTSUPP);
	assert_ptr_equal(out, sentinel);
	sfx_down(&fx);
}

/* A top table outside guest-1 storage: a shadow whose faults are
 * addressing exceptions; mapping guest-1 memory there drops it. */
static void test_api_top_outside(void **state)
{
	gmap_asce_t asce = gmap_asce_mk(0x7f000000, GMAP_TT_REGION1, 3, 0);
	struct gmap_dat_result res;
	struct gmap *sg;
	struct sfx fx;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, false);
	sg = sfx_shadow(&fx, asce, 1);
	assert_true(gmap_shadow_valid(sg, asce, 1));
	res = sfx_fault(sg, A, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_ADDRESSING);
	assert_false(res.teid_valid);
	sfx_assert_no_pte(sg, A);
	assert_int_equal(gmap_mm_map(fx.mm, SFX_HBASE + 0x7f000000, SEG, 0,
				     GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE), 0);
	assert_int_equal(gmap_map_segment(fx.parent, SFX_HBASE + 0x7f000000, 0x7f000000, SEG), 0);
	assert_false(gmap_shadow_valid(sg, asce, 1));
	assert_int_equal(gmap_shadow_fault(sg, A, GMAP_DAT_FETCH, &res), -ESTALE);
	gmap_put(sg);
	sfx_down(&fx);
}

/* A region-second table whose last two pages lie beyond guest-1
 * storage: faults through its first pages work, through the others are
 * addressing exceptions; mapping guest-1 memory there drops the shadow,
 * whose new part was never protected. */
static void test_api_partial(void **state)
{
	uint64_t r1, r2 = 4 * SEG - 2 * PG, in = SVA(1, 1, 1, 1, 1), out = SVA(1, 1500, 1, 1, 1);
	struct gmap_dat_result res;
	gmap_asce_t asce;
	struct gmap *sg;
	struct sfx fx;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, false);
	r1 = g1_table(&fx, GMAP_TT_REGION1);
	asce = gmap_asce_mk(r1, GMAP_TT_REGION1, 3, 0);
	for (uint64_t i = 0; i < 2 * GMAP_CRST_ENTRIES_PER_PART; i++)
		g1_write(&fx, r2 + i * 8, GMAP_CRSTE_I | (GMAP_TT_REGION2 << GMAP_CRSTE_TT_SHIFT));
	g1_write(&fx, r1 + 8, gmap_crste_mk_table(r2, GMAP_TT_REGION1, 0, 3, 0).val);
	g1_map(&fx, asce, in, g1_page(&fx), 0);
	sg = sfx_shadow(&fx, asce, 1);
	assert_int_equal(sfx_fault(sg, in, GMAP_DAT_FETCH).pic, 0);
	res = sfx_fault(sg, out, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_ADDRESSING);
	assert_false(res.teid_valid);
	sfx_assert_no_pte(sg, out);
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	assert_int_equal(gmap_mm_map(fx.mm, SFX_HBASE + 4 * SEG, SEG, 0,
				     GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE), 0);
	assert_int_equal(gmap_map_segment(fx.parent, SFX_HBASE + 4 * SEG, 4 * SEG, SEG), 0);
	assert_false(gmap_shadow_valid(sg, asce, 1));
	assert_int_equal(gmap_shadow_fault(sg, in, GMAP_DAT_FETCH, &res), -ESTALE);
	gmap_put(sg);
	sfx_down(&fx);
}

/* gmap_shadow_fault()'s -EINVAL cases change nothing. */
static void test_api_fault(void **state)
{
	struct gmap_dat_result res;
	struct aworld w;
	struct gmap *sg;

	(void)state;
	aworld_up(&w);
	sg = sfx_shadow(&w.fx, w.asce[0], 0);
	assert_int_equal(gmap_shadow_fault(NULL, A, GMAP_DAT_FETCH, &res), -EINVAL);
	assert_int_equal(gmap_shadow_fault(w.fx.parent, A, GMAP_DAT_FETCH, &res), -EINVAL);
	assert_int_equal(gmap_shadow_fault(sg, A, (enum gmap_dat_access)3, &res), -EINVAL);
	assert_int_equal(gmap_shadow_fault(sg, A, GMAP_DAT_FETCH, NULL), -EINVAL);
	assert_int_equal(sfx_sentry(&w.fx, sg, A, GMAP_TT_REGION1),
			 GMAP_CRSTE_I | (GMAP_TT_REGION1 << GMAP_CRSTE_TT_SHIFT));
	assert_int_equal(sfx_check_shadow(&w.fx, sg), 0);
	gmap_put(sg);
	aworld_down(&w);
}

/* The functions that change or fault a gmap's mapping, and guest
 * access, refuse a shadow; its tables stay as they were. */
static void test_api_refuse(void **state)
{
	struct gmap_gacc_cpu vcpu = { .cpu = SFX_SCPU };
	uint64_t buf = 0, bitmap = 0, gaddr, teid, spte;
	struct aworld w;
	struct gmap *sg;

	(void)state;
	aworld_up(&w);
	sg = sfx_shadow(&w.fx, w.asce[0], 0);
	assert_int_equal(sfx_fault(sg, A, GMAP_DAT_STORE).pic, 0);
	spte = sfx_sentry(&w.fx, sg, A, GMAP_LEVEL_PAGE);
	assert_int_equal(gmap_enable(sg, SFX_SCPU), 0);
	assert_int_equal(gmap_map_segment(sg, SFX_HBASE, 0, SEG), -EINVAL);
	assert_int_equal(gmap_unmap_segment(sg, 0, SEG), -EINVAL);
	assert_int_equal(gmap_fault(sg, 0, GMAP_DAT_FETCH), -EINVAL);
	assert_int_equal(gmap_fault(sg, A, GMAP_DAT_STORE), -EINVAL);
	assert_int_equal(gmap_discard(sg, 0, PG), -EINVAL);
	assert_int_equal(gmap_mprotect_notify(sg, 0, PG, GMAP_MM_PROT_READ), -EINVAL);
	assert_int_equal(gmap_sync_dirty_log(sg, 0, 1, &bitmap), -EINVAL);
	assert_int_equal(gmap_gacc_abs(sg, SFX_SCPU, A, &buf, 8, GMAP_DAT_FETCH, 0, NULL), -EINVAL);
	assert_int_equal(gmap_gacc_write_abs(sg, SFX_SCPU, A, &buf, 8), -EINVAL);
	assert_int_equal(gmap_gacc_translate(sg, &vcpu, A, GMAP_DAT_FETCH, &gaddr, &teid), -EINVAL);
	assert_int_equal(gmap_gacc_virt(sg, &vcpu, A, &buf, 8, GMAP_DAT_STORE, &teid), -EINVAL);
	assert_int_equal(bitmap, 0);
	assert_int_equal(sfx_sentry(&w.fx, sg, A, GMAP_LEVEL_PAGE), spte);
	assert_int_equal(gmap_translate(sg, A + 8, &gaddr), 0);
	assert_int_equal(gmap_translate(w.fx.parent, g1_read(&w.fx, g1_entry(&w.fx, w.asce[0], A,
				GMAP_LEVEL_PAGE)) + 8, &buf), 0);
	assert_int_equal(gaddr, buf);
	assert_true(gmap_table_bytes(sg) > 0);
	assert_int_equal(sfx_check_shadow(&w.fx, sg), 1);
	assert_int_equal(gmap_disable(sg, SFX_SCPU), 0);
	gmap_put(sg);
	aworld_down(&w);
}

/* GMAP_SHADOW_MAX shadows stand; the next drops the oldest, which then
 * faults -ESTALE while its reference stays usable. */
static void test_api_max(void **state)
{
	struct gmap_dat_result res;
	struct gmap *sg[NTOP];
	struct aworld w;

	(void)state;
	aworld_up(&w);
	for (int i = 0; i < NTOP; i++) {
		sg[i] = sfx_shadow(&w.fx, w.asce[i], 1);
		assert_int_equal(sfx_fault(sg[i], A, GMAP_DAT_FETCH).pic, 0);
	}
	assert_false(gmap_shadow_valid(sg[0], w.asce[0], 1));
	assert_int_equal(gmap_shadow_fault(sg[0], A, GMAP_DAT_FETCH, &res), -ESTALE);
	sfx_assert_no_pte(sg[0], A);
	for (int i = 1; i < NTOP; i++)
		assert_int_equal(sfx_check_shadow(&w.fx, sg[i]), 1);
	for (int i = 0; i < NTOP; i++)
		gmap_put(sg[i]);
	aworld_down(&w);
}

/* What the interposers do, and what they saw. */
struct ctx {
	struct aworld *w;
	int fired;
	int rc[NTOP];
	struct gmap *sg[NTOP];
	uint64_t gaddr;
	bool again;
};

static void nested_get(void *arg)
{
	struct ctx *c = arg;

	c->fired++;
	c->rc[0] = gmap_shadow_get(c->w->fx.parent, c->w->asce[0], 0, &c->sg[0]);
}

/* gmap_shadow_get() from inside each allocation of a gmap_shadow_get()
 * of the same shadow: -EAGAIN while it is listed but not built (*out
 * untouched), else the same shadow. */
static void test_api_get_building(void **state)
{
	unsigned int eagain = 0;

	(void)state;
	for (unsigned long n = 1;; n++) {
		struct ctx c = { 0 };
		struct aworld w;
		struct gmap *sg;

		aworld_up(&w);
		c.w = &w;
		sfx_interpose(w.fx.hook.calls + n, nested_get, &c);
		assert_int_equal(gmap_shadow_get(w.fx.parent, w.asce[0], 0, &sg), 0);
		sfx_interpose(0, NULL, NULL);
		if (c.fired && c.rc[0] == -EAGAIN) {
			assert_null(c.sg[0]);
			eagain++;
		} else if (c.fired) {
			assert_int_equal(c.rc[0], 0);
			assert_ptr_equal(c.sg[0], sg);
			gmap_put(c.sg[0]);
		}
		assert_int_equal(sfx_fault(sg, A, GMAP_DAT_FETCH).pic, 0);
		assert_int_equal(sfx_check_shadow(&w.fx, sg), 1);
		gmap_put(sg);
		aworld_down(&w);
		if (!c.fired)
			break;
	}
	assert_true(eagain > 0);
}

static void fill(void *arg)
{
	struct ctx *c = arg;

	c->fired++;
	for (int i = 1; i < NTOP; i++)
		c->rc[i] = gmap_shadow_get(c->w->fx.parent, c->w->asce[i], 0, &c->sg[i]);
}

/* GMAP_SHADOW_MAX other shadows made from inside each allocation of a
 * gmap_shadow_get(): once it is listed, the last of them drops it and it
 * returns -EAGAIN (the others stand; called again it is made and drops
 * the oldest other); before, it is made last and drops the oldest. */
static void test_api_get_dropped(void **state)
{
	unsigned int eagain = 0;

	(void)state;
	for (unsigned long n = 1;; n++) {
		struct gmap *sentinel = (struct gmap *)(uintptr_t)0x5a50, *sg = sentinel;
		struct ctx c = { 0 };
		struct aworld w;
		int rc;

		aworld_up(&w);
		c.w = &w;
		sfx_interpose(w.fx.hook.calls + n, fill, &c);
		rc = gmap_shadow_get(w.fx.parent, w.asce[0], 0, &sg);
		sfx_interpose(0, NULL, NULL);
		if (rc == -EAGAIN) {
			assert_ptr_equal(sg, sentinel);
			for (int i = 1; i < NTOP; i++)
				assert_true(gmap_shadow_valid(c.sg[i], w.asce[i], 0));
			eagain++;
			sg = sfx_shadow(&w.fx, w.asce[0], 0);
		} else {
			assert_int_equal(rc, 0);
		}
		if (c.fired) {
			assert_false(gmap_shadow_valid(c.sg[1], w.asce[1], 0));
			for (int i = 2; i < NTOP; i++)
				assert_true(gmap_shadow_valid(c.sg[i], w.asce[i], 0));
			for (int i = 1; i < NTOP; i++) {
				assert_int_equal(c.rc[i], 0);
				gmap_put(c.sg[i]);
			}
		}
		assert_int_equal(sfx_fault(sg, A, GMAP_DAT_FETCH).pic, 0);
		assert_int_equal(sfx_check_shadow(&w.fx, sg), 1);
		gmap_put(sg);
		aworld_down(&w);
		if (!c.fired)
			break;
	}
	assert_true(eagain > 0);
}

/* Write an entry of a guest-1 segment table a shadow was built from
 * (unshadowing the shadow's segment table); again at the next
 * allocation when @again. */
static void unshadow_sgt(void *arg)
{
	struct ctx *c = arg;

	c->fired++;
	g1_write(&c->w->fx, c->gaddr, GMAP_CRSTE_I);
	if (c->again)
		sfx_interpose(c->w->fx.hook.calls + 2, unshadow_sgt, c);
}

/* Fault B (a new page table below A's segment table) with the segment
 * table unshadowed from inside allocation @n of the fault, and again at
 * every later one when @again; the fault must return @rc. Called again,
 * the fault succeeds and the shadow is whole. Return: whether the
 * interposer ran. */
static bool fault_race(unsigned long n, bool again, int rc)
{
	struct gmap_dat_result res;
	struct ctx c = { 0 };
	struct aworld w;
	struct gmap *sg;
	int got;

	aworld_up(&w);
	c.w = &w;
	c.again = again;
	sg = sfx_shadow(&w.fx, w.asce[0], 0);
	assert_int_equal(sfx_fault(sg, A, GMAP_DAT_FETCH).pic, 0);
	c.gaddr = (g1_entry(&w.fx, w.asce[0], A, GMAP_TT_SEGMENT) & ~(4 * PG - 1)) + 1000 * 8;
	sfx_interpose(w.fx.hook.calls + n, unshadow_sgt, &c);
	got = gmap_shadow_fault(sg, B, GMAP_DAT_FETCH, &res);
	sfx_interpose(0, NULL, NULL);
	assert_int_equal(got, c.fired ? rc : 0);
	if (again)
		assert_true(c.fired > 1);
	assert_int_equal(sfx_fault(sg, B, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(sfx_fault(sg, A, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(sfx_check_shadow(&w.fx, sg), 2);
	gmap_put(sg);
	aworld_down(&w);
	return c.fired;
}

/* One unshadow race, at any allocation of the fault: retried, 0. */
static void test_api_fault_race_once(void **state)
{
	unsigned long n = 1;

	(void)state;
	while (fault_race(n, false, 0))
		n++;
	assert_true(n > 1);
}

/* An unshadow race at every allocation of the fault: -EAGAIN. */
static void test_api_fault_race_always(void **state)
{
	(void)state;
	assert_true(fault_race(1, true, -EAGAIN));
	assert_true(fault_race(3, true, -EAGAIN));
}

static const struct CMUnitTest shadow_api_tests[] = {
	cmocka_unit_test(test_api_get),
	cmocka_unit_test(test_api_no_esop),
	cmocka_unit_test(test_api_top_outside),
	cmocka_unit_test(test_api_partial),
	cmocka_unit_test(test_api_fault),
	cmocka_unit_test(test_api_refuse),
	cmocka_unit_test(test_api_max),
	cmocka_unit_test(test_api_get_building),
	cmocka_unit_test(test_api_get_dropped),
	cmocka_unit_test(test_api_fault_race_once),
	cmocka_unit_test(test_api_fault_race_always),
};
const struct test_group shadow_api_group = {
	shadow_api_tests, sizeof(shadow_api_tests) / sizeof(shadow_api_tests[0])
};
