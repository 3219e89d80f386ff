// SPDX-License-Identifier: MIT
/*
 * Unshadowing (suite shadow): a guest-1 write to the top table drops the
 * whole shadow; a write to a region-second, region-third, segment or page
 * table page drops exactly the shadow table built from it and what hangs
 * below, with the siblings intact; a host change of a data page's pte
 * drops the shadow ptes on it; host mprotect, gmap_pgste_xchg(), zap and
 * unmap of parent memory; a guest-2 store to a page holding a guest-1
 * table; two shadows built from the same tables; the parent's
 * gmap_unmap_segment() and remap, and gmap_remove() of the parent. Each
 * time the shadow's notifiers get exactly the guest-2 ranges, and a CPU
 * running the shadow loses the translation it had cached (strict TLB:
 * proves the IDTE / IPTE). A guest-2 fetch of a table page unshadows
 * nothing.
 */
#include <errno.h>
#include <stdlib.h>

#include "test-shadow.h"

#define RW		(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)
#define NADDR		6
/* The last page's guest-1 frame, alone in its segment. */
#define DATA5		(3 * SEG + 0x5000)

/*
 * struct uworld - guest-2 pages that share fewer and fewer guest-1 tables
 * with the first: @a[1] shares its page table, @a[2] its segment table,
 * @a[3] its region-third table, @a[4] its region-second table, @a[5] only
 * the top table. Every guest-1 page table sits alone in its page.
 * @arg: the case's parameter (the prestate of its CMUnitTest)
 */
struct uworld {
	const void *arg;
	struct sfx fx;
	gmap_asce_t asce;
	uint64_t r1;
	uint64_t a[NADDR];
	uint64_t data[NADDR];
	uint64_t spte[NADDR];
	struct gmap *sg;
	struct sfx_calls calls;
};

static void uworld_up(struct uworld *w)
{
	static const uint64_t a[NADDR] = {
		SVA(1, 1, 1, 1, 1), SVA(1, 1, 1, 1, 2), SVA(1, 1, 1, 2, 1),
		SVA(1, 1, 2, 1, 1), SVA(1, 2, 1, 1, 1), SVA(2, 1, 1, 1, 1),
	};

	sfx_up(&w->fx, 0, 4 * SEG, false);
	g1_write(&w->fx, DATA5, DATA5);
	w->r1 = g1_table(&w->fx, GMAP_TT_REGION1);
	w->asce = gmap_asce_mk(w->r1, GMAP_TT_REGION1, 3, 0);
	for (int i = 0; i < NADDR; i++) {
		w->a[i] = a[i];
		w->data[i] = i == NADDR - 1 ? DATA5 : g1_page(&w->fx);
		g1_map(&w->fx, w->asce, a[i], w->data[i], 0);
		g1_alloc(&w->fx, 0, PG);
	}
	w->sg = sfx_shadow(&w->fx, w->asce, 1);
	for (int i = 0; i < NADDR; i++) {
		assert_int_equal(sfx_fault(w->sg, a[i], GMAP_DAT_FETCH).pic, 0);
		w->spte[i] = sfx_sentry(&w->fx, w->sg, a[i], GMAP_LEVEL_PAGE);
	}
	assert_int_equal(sfx_check_shadow(&w->fx, w->sg), NADDR);
	assert_int_equal(gmap_enable(w->sg, SFX_SCPU), 0);
	for (int i = 0; i < NADDR; i++)
		sfx_run(&w->fx, w->sg, a[i]);
	sfx_calls_register(w->sg, &w->calls);
}

static void uworld_down(struct uworld *w)
{
	assert_int_equal(gmap_disable(w->sg, SFX_SCPU), 0);
	gmap_put(w->sg);
	sfx_down(&w->fx);
}

/* Setup of the cases on a struct uworld: *@state is the case's
 * parameter, then the world. */
static int uworld_setup(void **state)
{
	struct uworld *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->arg = *state;
	uworld_up(w);
	*state = w;
	return 0;
}

static int uworld_teardown(void **state)
{
	struct uworld *w = *state;

	uworld_down(w);
	free(w);
	return 0;
}

/* The pages in @mask lost their ptes and TLB entries, the others kept
 * their ptes; one notifier call, for [@start, @start + @len - 1]. */
static void assert_dropped(struct uworld *w, unsigned int mask, uint64_t start, uint64_t len)
{
	for (int i = 0; i < NADDR; i++) {
		if (mask & (1u << i)) {
			sfx_assert_no_pte(w->sg, w->a[i]);
			assert_false(sfx_tlb_has(&w->fx, w->sg, w->a[i]));
		} else {
			assert_int_equal(sfx_sentry(&w->fx, w->sg, w->a[i], GMAP_LEVEL_PAGE),
					 w->spte[i]);
		}
	}
	assert_int_equal(w->calls.n, 1);
	assert_int_equal(w->calls.start[0], start);
	assert_int_equal(w->calls.end[0], start + len - 1);
	assert_true(gmap_shadow_valid(w->sg, w->asce, 1));
}

/* The first @gone pages were dropped with the entry of @shift that
 * covers a[0]. */
static void assert_gone(struct uworld *w, int gone, unsigned int shift)
{
	assert_dropped(w, (1u << gone) - 1, w->a[0] & ~((1ULL << shift) - 1), 1ULL << shift);
}

/* Fault the lost pages again: the shadow is whole and correct. */
static void assert_rebuilt(struct uworld *w, unsigned int mask)
{
	for (int i = 0; i < NADDR; i++)
		if (mask & (1u << i))
			assert_int_equal(sfx_fault(w->sg, w->a[i], GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(sfx_check_shadow(&w->fx, w->sg), NADDR);
}

/* A guest-1 write to the table of a level below the top (the case's
 * level: page, segment, region-third or region-second table) drops the
 * shadow table built from it: the shadow entry above is empty again. */
static void test_unshadow_level(void **state)
{
	struct uworld *w = *state;
	int level = *(const int *)w->arg, gone = level + 3, up = level + 1;
	uint64_t ea = g1_entry(&w->fx, w->asce, w->a[0], level);

	if (level == GMAP_LEVEL_PAGE)
		g1_write(&w->fx, (ea & ~(uint64_t)(GMAP_PT_SIZE - 1)) + 200 * 8, GMAP_PTE_I);
	else
		g1_write(&w->fx, (ea & ~(uint64_t)(4 * PG - 1)) + 1000 * 8,
			 GMAP_CRSTE_I | (uint64_t)level << GMAP_CRSTE_TT_SHIFT);
	assert_int_equal(sfx_sentry(&w->fx, w->sg, w->a[0], up),
			 GMAP_CRSTE_I | (uint64_t)up << GMAP_CRSTE_TT_SHIFT);
	assert_gone(w, gone, GMAP_SEGMENT_SHIFT + 11 * (unsigned int)up);
	assert_rebuilt(w, (1u << gone) - 1);
}

/* A guest-1 write to the top table drops the shadow: not valid any more,
 * faults -ESTALE, every TLB entry gone, the notifiers get the whole
 * space; gmap_shadow_get() then builds a new one. */
static void test_unshadow_top(void **state)
{
	struct uworld *w = *state;
	struct gmap_dat_result res;
	struct gmap *sg;

	g1_write(&w->fx, w->r1 + 1500 * 8, GMAP_CRSTE_I | (GMAP_TT_REGION1 << GMAP_CRSTE_TT_SHIFT));
	assert_false(gmap_shadow_valid(w->sg, w->asce, 1));
	assert_int_equal(gmap_shadow_fault(w->sg, w->a[0], GMAP_DAT_FETCH, &res), -ESTALE);
	for (int i = 0; i < NADDR; i++) {
		sfx_assert_no_pte(w->sg, w->a[i]);
		assert_false(sfx_tlb_has(&w->fx, w->sg, w->a[i]));
	}
	assert_int_equal(w->calls.n, 1);
	assert_int_equal(w->calls.start[0], 0);
	assert_int_equal(w->calls.end[0], UINT64_MAX);
	sg = sfx_shadow(&w->fx, w->asce, 1);
	assert_true(sg != w->sg);
	assert_true(gmap_shadow_valid(sg, w->asce, 1));
	assert_int_equal(sfx_fault(sg, w->a[5], GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(sfx_check_shadow(&w->fx, sg), 1);
	gmap_put(sg);
}

/* Host changes of the page behind a[0]'s guest-1 page table. */
enum host_op { HOST_MPROTECT, HOST_XCHG, HOST_ZAP, HOST_UNMAP };

/* The case's host change (mprotect read-only, then writable again: the
 * first already drops; an invalidating gmap_pgste_xchg(), then the old
 * pte back; zap; unmap) drops the shadow page table built from it. */
static void test_unshadow_host(void **state)
{
	struct uworld *w = *state;
	enum host_op op = *(const enum host_op *)w->arg;
	uint64_t h = SFX_HBASE + (g1_entry(&w->fx, w->asce, w->a[0], GMAP_LEVEL_PAGE) & ~(PG - 1));
	gmap_pte_t old, older;

	switch (op) {
	case HOST_MPROTECT:
		assert_int_equal(gmap_mm_mprotect(w->fx.mm, h, PG, GMAP_MM_PROT_READ), 0);
		break;
	case HOST_XCHG:
		assert_int_equal(gmap_mm_read_pte(w->fx.mm, h, &old, NULL), 0);
		assert_int_equal(gmap_pgste_xchg(w->fx.mm, h, (gmap_pte_t){ old.val | GMAP_PTE_I },
						 0, &older), 0);
		assert_int_equal(older.val, old.val);
		break;
	case HOST_ZAP:
		assert_int_equal(gmap_mm_zap(w->fx.mm, h, PG), 0);
		break;
	case HOST_UNMAP:
		assert_int_equal(gmap_mm_unmap(w->fx.mm, h, PG), 0);
		break;
	}
	assert_gone(w, 2, GMAP_SEGMENT_SHIFT);
	if (op == HOST_MPROTECT)
		assert_int_equal(gmap_mm_mprotect(w->fx.mm, h, PG, RW), 0);
	if (op == HOST_XCHG)
		assert_int_equal(gmap_pgste_xchg(w->fx.mm, h, old, 0, &older), 0);
	if (op == HOST_MPROTECT || op == HOST_XCHG)
		assert_rebuilt(w, 3);
	if (op == HOST_UNMAP)
		assert_int_equal(gmap_mm_map(w->fx.mm, h, PG, 0, RW), 0);
}

/* A host change of a data page's pte drops the shadow pte on it (IPTE),
 * with the notifiers for that page. */
static void test_unshadow_data(void **state)
{
	struct uworld *w = *state;

	assert_int_equal(gmap_mm_mprotect(w->fx.mm, SFX_HBASE + w->data[2], PG,
					  GMAP_MM_PROT_READ), 0);
	assert_dropped(w, 1u << 2, w->a[2], PG);
	assert_int_equal(sfx_fault(w->sg, w->a[2], GMAP_DAT_FETCH).pic, 0);
	assert_true(sfx_sentry(&w->fx, w->sg, w->a[2], GMAP_LEVEL_PAGE) & GMAP_PTE_P);
	assert_int_equal(sfx_check_shadow(&w->fx, w->sg), NADDR);
}

/* A guest-2 fetch of a page guest 1 has only read installs a protected
 * pte (the parent's pte is clean); guest 1 writing the page makes the
 * parent's pte dirty, which drops it. Zapped, the page is clean again
 * after a fetch; a guest-2 store then makes the parent writable and
 * installs an unprotected pte. */
static void test_unshadow_clean_page(void **state)
{
	uint64_t saddr = SVA(0, 0, 0, 5, 5), page, haddr;
	gmap_asce_t asce;
	struct sfx_calls calls;
	struct gmap *sg;
	struct sfx fx;
	gmap_pte_t pte;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, false);
	asce = gmap_asce_mk(g1_table(&fx, GMAP_TT_SEGMENT), GMAP_TT_SEGMENT, 3, 0);
	page = g1_alloc(&fx, PG, PG);
	g1_map(&fx, asce, saddr, page, 0);
	sg = sfx_shadow(&fx, asce, 0);
	sfx_calls_register(sg, &calls);
	assert_int_equal(sfx_fault(sg, saddr, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(sfx_sentry(&fx, sg, saddr, GMAP_LEVEL_PAGE),
			 sfx_host_frame(&fx, page) | GMAP_PTE_P);
	assert_int_equal(gmap_enable(sg, SFX_SCPU), 0);
	sfx_run(&fx, sg, saddr);
	g1_write(&fx, page, 1);
	sfx_assert_no_pte(sg, saddr);
	assert_false(sfx_tlb_has(&fx, sg, saddr));
	assert_int_equal(calls.n, 1);
	assert_int_equal(calls.start[0], saddr);
	assert_int_equal(calls.end[0], saddr + PG - 1);

	assert_int_equal(gmap_mm_zap(fx.mm, SFX_HBASE + page, PG), 0);
	assert_int_equal(sfx_fault(sg, saddr, GMAP_DAT_FETCH).pic, 0);
	assert_true(sfx_sentry(&fx, sg, saddr, GMAP_LEVEL_PAGE) & GMAP_PTE_P);
	assert_int_equal(sfx_fault(sg, saddr, GMAP_DAT_STORE).pic, 0);
	assert_int_equal(sfx_sentry(&fx, sg, saddr, GMAP_LEVEL_PAGE), sfx_host_frame(&fx, page));
	assert_int_equal(gmap_translate(fx.parent, page, &haddr), 0);
	assert_int_equal(gmap_mm_read_pte(fx.mm, haddr, &pte, NULL), 0);
	assert_false(pte.val & (GMAP_PTE_P | GMAP_PTE_I));
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	assert_int_equal(gmap_disable(sg, SFX_SCPU), 0);
	gmap_put(sg);
	sfx_down(&fx);
}

/* A guest-2 fetch of pages that hold guest-1 tables (a page table, the
 * top table) installs protected ptes and unshadows nothing. */
static void test_unshadow_fetch_table(void **state)
{
	uint64_t a = SVA(1, 1, 1, 1, 1), t[2] = { SVA(1, 1, 1, 1, 2), SVA(1, 1, 1, 1, 3) };
	uint64_t r1, frame[2];
	struct sfx_calls calls;
	gmap_asce_t asce;
	struct gmap *sg;
	struct sfx fx;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, false);
	r1 = g1_table(&fx, GMAP_TT_REGION1);
	asce = gmap_asce_mk(r1, GMAP_TT_REGION1, 3, 0);
	g1_map(&fx, asce, a, g1_page(&fx), 0);
	frame[0] = g1_entry(&fx, asce, a, GMAP_LEVEL_PAGE) & ~(PG - 1);
	frame[1] = r1;
	for (int i = 0; i < 2; i++)
		g1_map(&fx, asce, t[i], frame[i], 0);
	sg = sfx_shadow(&fx, asce, 1);
	sfx_calls_register(sg, &calls);
	assert_int_equal(sfx_fault(sg, a, GMAP_DAT_FETCH).pic, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sfx_fault(sg, t[i], GMAP_DAT_FETCH).pic, 0);
		assert_int_equal(sfx_sentry(&fx, sg, t[i], GMAP_LEVEL_PAGE),
				 sfx_host_frame(&fx, frame[i]) | GMAP_PTE_P);
		assert_true(sfx_g1_vsie(&fx, frame[i]));
	}
	assert_int_equal(calls.n, 0);
	assert_int_equal(sfx_check_shadow(&fx, sg), 3);
	gmap_put(sg);
	sfx_down(&fx);
}

/* The parent's gmap_unmap_segment() of the segment that holds a[5]'s
 * frame drops its pte only; mapped back it faults again. A remap of the
 * segment to other host memory drops it again, and the new pte (after a
 * store, which makes the new page writable) points to the new frame. */
static void test_unshadow_parent_segment(void **state)
{
	struct uworld *w = *state;

	assert_int_equal(gmap_unmap_segment(w->fx.parent, 3 * SEG, SEG), 0);
	assert_dropped(w, 1u << 5, w->a[5], PG);
	assert_int_equal(sfx_fault(w->sg, w->a[5], GMAP_DAT_FETCH).pic, GMAP_PIC_ADDRESSING);
	assert_int_equal(gmap_map_segment(w->fx.parent, SFX_HBASE + 3 * SEG, 3 * SEG, SEG), 0);
	assert_rebuilt(w, 1u << 5);
	assert_int_equal(sfx_sentry(&w->fx, w->sg, w->a[5], GMAP_LEVEL_PAGE), w->spte[5]);

	sfx_run(&w->fx, w->sg, w->a[5]);
	w->calls.n = 0;
	assert_int_equal(gmap_mm_map(w->fx.mm, SFX_HBASE + 8 * SEG, SEG, 0, RW), 0);
	assert_int_equal(gmap_map_segment(w->fx.parent, SFX_HBASE + 8 * SEG, 3 * SEG, SEG), 0);
	assert_dropped(w, 1u << 5, w->a[5], PG);
	assert_int_equal(sfx_fault(w->sg, w->a[5], GMAP_DAT_STORE).pic, 0);
	assert_int_equal(sfx_sentry(&w->fx, w->sg, w->a[5], GMAP_LEVEL_PAGE),
			 sfx_host_frame(&w->fx, DATA5));
	assert_true(sfx_host_frame(&w->fx, DATA5) != (w->spte[5] & GMAP_PTE_PFRA));
	assert_int_equal(sfx_check_shadow(&w->fx, w->sg), NADDR);
}

/* gmap_remove() of the parent drops its shadows: not valid, -ESTALE, no
 * translation left in the TLB; the shadow's reference stays usable. */
static void test_unshadow_parent_remove(void **state)
{
	struct uworld *w = *state;
	struct gmap_dat_result res;

	gmap_remove(w->fx.parent);
	w->fx.parent = NULL;
	assert_false(gmap_shadow_valid(w->sg, w->asce, 1));
	assert_int_equal(gmap_shadow_fault(w->sg, w->a[0], GMAP_DAT_FETCH, &res), -ESTALE);
	for (int i = 0; i < NADDR; i++) {
		sfx_assert_no_pte(w->sg, w->a[i]);
		assert_false(sfx_tlb_has(&w->fx, w->sg, w->a[i]));
	}
}

/* A guest-2 store to a page that holds a guest-1 page table (a[2]'s,
 * mapped at t next to a[5]) makes the parent's page writable, which
 * drops the shadow page table built from it (a[2] only) and t's
 * protected pte, and installs an unprotected one. */
static void test_unshadow_store_table(void **state)
{
	struct uworld *w = *state;
	uint64_t pgt = g1_entry(&w->fx, w->asce, w->a[2], GMAP_LEVEL_PAGE) & ~(PG - 1);
	uint64_t t = SVA(2, 1, 1, 1, 9);

	assert_int_equal(sfx_fault(w->sg, t, GMAP_DAT_FETCH).pic, GMAP_PIC_PAGE_TRANSLATION);
	g1_map(&w->fx, w->asce, t, pgt, 0);
	assert_int_equal(sfx_fault(w->sg, w->a[5], GMAP_DAT_FETCH).pic, 0);
	sfx_run(&w->fx, w->sg, w->a[5]);
	assert_int_equal(sfx_fault(w->sg, t, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(sfx_sentry(&w->fx, w->sg, t, GMAP_LEVEL_PAGE),
			 sfx_host_frame(&w->fx, pgt) | GMAP_PTE_P);
	w->calls.n = 0;
	assert_int_equal(sfx_fault(w->sg, t, GMAP_DAT_STORE).pic, 0);
	assert_int_equal(sfx_sentry(&w->fx, w->sg, t, GMAP_LEVEL_PAGE), sfx_host_frame(&w->fx, pgt));
	assert_false(sfx_g1_vsie(&w->fx, pgt));
	sfx_assert_no_pte(w->sg, w->a[2]);
	assert_false(sfx_tlb_has(&w->fx, w->sg, w->a[2]));
	/* The shadow page table, and t's protected pte on the same page. */
	assert_int_equal(w->calls.n, 2);
	for (unsigned int i = 0; i < 2; i++) {
		bool seg = w->calls.start[i] == (w->a[2] & ~(SEG - 1));

		assert_true(seg || w->calls.start[i] == t);
		assert_int_equal(w->calls.end[i], w->calls.start[i] + (seg ? SEG : PG) - 1);
		assert_int_equal(w->calls.start[0] != w->calls.start[1], 1);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(sfx_sentry(&w->fx, w->sg, w->a[i], GMAP_LEVEL_PAGE), w->spte[i]);
	assert_int_equal(sfx_check_shadow(&w->fx, w->sg), NADDR);
}

/* Two shadows built from the same guest-1 tables (EDAT levels 1 and 0):
 * a guest-1 write to the segment table unshadows in both. */
static void test_unshadow_two_shadows(void **state)
{
	struct uworld *w = *state;
	uint64_t ea = g1_entry(&w->fx, w->asce, w->a[0], GMAP_TT_SEGMENT);
	struct sfx_calls calls;
	struct gmap *sg0;

	sg0 = sfx_shadow(&w->fx, w->asce, 0);
	sfx_calls_register(sg0, &calls);
	for (int i = 0; i < NADDR; i++)
		assert_int_equal(sfx_fault(sg0, w->a[i], GMAP_DAT_FETCH).pic, 0);
	g1_write(&w->fx, (ea & ~(4 * PG - 1)) + 1000 * 8, GMAP_CRSTE_I);
	assert_gone(w, 3, GMAP_REGION3_SHIFT);
	for (int i = 0; i < NADDR; i++)
		if (i < 3)
			sfx_assert_no_pte(sg0, w->a[i]);
	assert_int_equal(calls.n, 1);
	assert_int_equal(calls.start[0], w->calls.start[0]);
	assert_int_equal(calls.end[0], w->calls.end[0]);
	assert_int_equal(sfx_check_shadow(&w->fx, sg0), NADDR - 3);
	assert_int_equal(gmap_notifier_unregister(sg0, &calls.nb), 0);
	gmap_put(sg0);
}

static const int pgt_level = GMAP_LEVEL_PAGE, sgt_level = GMAP_TT_SEGMENT,
	r3t_level = GMAP_TT_REGION3, r2t_level = GMAP_TT_REGION2;
static const enum host_op mprotect_op = HOST_MPROTECT, xchg_op = HOST_XCHG, zap_op = HOST_ZAP,
	unmap_op = HOST_UNMAP;

/* A case on a struct uworld, with its parameter. */
#define UCASE(name, fn, arg)	{ name, fn, uworld_setup, uworld_teardown, (void *)(arg) }

static const struct CMUnitTest shadow_unshadow_tests[] = {
	UCASE("test_unshadow_pgt_write", test_unshadow_level, &pgt_level),
	UCASE("test_unshadow_sgt_write", test_unshadow_level, &sgt_level),
	UCASE("test_unshadow_r3t_write", test_unshadow_level, &r3t_level),
	UCASE("test_unshadow_r2t_write", test_unshadow_level, &r2t_level),
	UCASE("test_unshadow_top_write", test_unshadow_top, NULL),
	UCASE("test_unshadow_host_mprotect", test_unshadow_host, &mprotect_op),
	UCASE("test_unshadow_host_pgste_xchg", test_unshadow_host, &xchg_op),
	UCASE("test_unshadow_host_zap", test_unshadow_host, &zap_op),
	UCASE("test_unshadow_host_unmap", test_unshadow_host, &unmap_op),
	UCASE("test_unshadow_data_page", test_unshadow_data, NULL),
	cmocka_unit_test(test_unshadow_clean_page),
	cmocka_unit_test(test_unshadow_fetch_table),
	UCASE("test_unshadow_store_table", test_unshadow_store_table, NULL),
	UCASE("test_unshadow_two_shadows", test_unshadow_two_shadows, NULL),
	UCASE("test_unshadow_parent_segment", test_unshadow_parent_segment, NULL),
	UCASE("test_unshadow_parent_remove", test_unshadow_parent_remove, NULL),
};
const struct test_group shadow_unshadow_group = {
	shadow_unshadow_tests, sizeof(shadow_unshadow_tests) / sizeof(shadow_unshadow_tests[0])
};
