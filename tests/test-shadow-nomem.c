// SPDX-License-Identifier: MIT
/*
 * Failing allocations (suite shadow): for N = 1, 2, ... the Nth
 * allocation of gmap_shadow_get() and of a gmap_shadow_fault() that
 * builds every level (and faults the parent's data page in for a store)
 * fails, once or for good. The call returns -ENOMEM, *out is untouched
 * and no allocation is left by a failed gmap_shadow_get(); the shadow
 * stays consistent (sfx_check_shadow(), no pte) after a failed fault;
 * a retry without failure succeeds with the same tables as a run that
 * never failed; every world is torn down with no allocation left. The
 * loop ends when the Nth allocation is not reached.
 */
#include <errno.h>

#include "test-shadow.h"

#define SADDR		SVA(1, 2, 3, 4, 5)

/* What a finished fault of SADDR leaves: the shadow entries with their
 * origins masked (origins differ from world to world), and whether the
 * pte maps the data page's host frame. */
struct sig {
	uint64_t e[4];
	uint64_t pte_flags;
	bool pte_frame;
};

struct nworld {
	struct sfx fx;
	gmap_asce_t asce;
	uint64_t data;
};

static void nworld_up(struct nworld *w)
{
	sfx_up(&w->fx, 0, 4 * SEG, false);
	w->asce = gmap_asce_mk(g1_table(&w->fx, GMAP_TT_REGION1), GMAP_TT_REGION1, 3, 0);
	w->data = g1_alloc(&w->fx, PG, PG);
	g1_map(&w->fx, w->asce, SADDR, w->data, 0);
}

static void sig_take(struct nworld *w, struct gmap *sg, struct sig *s)
{
	uint64_t pte = sfx_sentry(&w->fx, sg, SADDR, GMAP_LEVEL_PAGE);

	for (int tt = GMAP_TT_SEGMENT; tt <= GMAP_TT_REGION1; tt++)
		s->e[tt] = sfx_sentry(&w->fx, sg, SADDR, tt) &
			   ~(tt ? GMAP_CRSTE_ORIGIN : GMAP_SEGMENT_PTO);
	s->pte_flags = pte & ~GMAP_PTE_PFRA;
	s->pte_frame = (pte & GMAP_PTE_PFRA) == sfx_host_frame(&w->fx, w->data);
}

/* Fault SADDR for a store on @sg without failures; its signature. */
static void finish(struct nworld *w, struct gmap *sg, struct sig *s)
{
	assert_int_equal(sfx_fault(sg, SADDR, GMAP_DAT_STORE).pic, 0);
	assert_int_equal(sfx_check_shadow(&w->fx, sg), 1);
	sig_take(w, sg, s);
}

static void reference(struct sig *ref)
{
	struct nworld w;
	struct gmap *sg;

	nworld_up(&w);
	sg = sfx_shadow(&w.fx, w.asce, 1);
	finish(&w, sg, ref);
	assert_true(ref->pte_frame);
	gmap_put(sg);
	sfx_down(&w.fx);
}

static void assert_sig_equal(const struct sig *a, const struct sig *b)
{
	assert_memory_equal(a->e, b->e, sizeof(a->e));
	assert_int_equal(a->pte_flags, b->pte_flags);
	assert_int_equal(a->pte_frame, b->pte_frame);
}

/* gmap_shadow_get() with its Nth allocation failing (once, or for good
 * as the case says). */
static void test_nomem_get(void **state)
{
	bool for_good = *(const bool *)*state;
	struct sig ref, sig;
	unsigned long n;

	reference(&ref);
	for (n = 1;; n++) {
		struct gmap *sentinel = (struct gmap *)(uintptr_t)0x5a50, *sg = sentinel;
		struct nworld w;
		long live, bytes;
		int rc;

		nworld_up(&w);
		live = w.fx.hook.live;
		bytes = w.fx.hook.bytes;
		w.fx.hook.fail_at = w.fx.hook.calls + n;
		w.fx.hook.for_good = for_good;
		rc = gmap_shadow_get(w.fx.parent, w.asce, 1, &sg);
		w.fx.hook.fail_at = 0;
		if (rc) {
			assert_int_equal(rc, -ENOMEM);
			assert_ptr_equal(sg, sentinel);
			assert_int_equal(w.fx.hook.live, live);
			assert_int_equal(w.fx.hook.bytes, bytes);
			sg = sfx_shadow(&w.fx, w.asce, 1);
		}
		finish(&w, sg, &sig);
		assert_sig_equal(&sig, &ref);
		gmap_put(sg);
		sfx_down(&w.fx);
		if (!rc)
			break;
	}
	assert_true(n > 1);
}

/* gmap_shadow_fault() that builds the region-second, region-third,
 * segment and page tables and faults the data page in, with its Nth
 * allocation failing (once, or for good as the case says). */
static void test_nomem_fault(void **state)
{
	bool for_good = *(const bool *)*state;
	struct sig ref, sig;
	unsigned long n;

	reference(&ref);
	for (n = 1;; n++) {
		struct gmap_dat_result res;
		struct nworld w;
		struct gmap *sg;
		int rc;

		nworld_up(&w);
		sg = sfx_shadow(&w.fx, w.asce, 1);
		w.fx.hook.fail_at = w.fx.hook.calls + n;
		w.fx.hook.for_good = for_good;
		rc = gmap_shadow_fault(sg, SADDR, GMAP_DAT_STORE, &res);
		w.fx.hook.fail_at = 0;
		if (rc) {
			assert_int_equal(rc, -ENOMEM);
			assert_true(gmap_shadow_valid(sg, w.asce, 1));
			assert_int_equal(sfx_check_shadow(&w.fx, sg), 0);
			sfx_assert_no_pte(sg, SADDR);
		} else {
			assert_int_equal(res.pic, 0);
		}
		finish(&w, sg, &sig);
		assert_sig_equal(&sig, &ref);
		gmap_put(sg);
		sfx_down(&w.fx);
		if (!rc)
			break;
	}
	assert_true(n > 1);
}

static const bool once = false, for_good = true;

static const struct CMUnitTest shadow_nomem_tests[] = {
	{ "test_nomem_get_once", test_nomem_get, NULL, NULL, (void *)&once },
	{ "test_nomem_get_for_good", test_nomem_get, NULL, NULL, (void *)&for_good },
	{ "test_nomem_fault_once", test_nomem_fault, NULL, NULL, (void *)&once },
	{ "test_nomem_fault_for_good", test_nomem_fault, NULL, NULL, (void *)&for_good },
};
const struct test_group shadow_nomem_group = {
	shadow_nomem_tests, sizeof(shadow_nomem_tests) / sizeof(shadow_nomem_tests[0])
};
