// SPDX-License-Identifier: MIT
/*
 * Building shadows (suite shadow): the shadow's ASCE and top table, the
 * exact entries of every level after a fault for each guest-1 designation
 * type, TF/TL copying, DAT protection at each level (EDAT-1 region P),
 * IEP, the protection of guest-1 table pages in the parent, the fast path
 * for a present shadow page table, and every program exception guest 1's
 * tables can give, with the walker's TEID and nothing installed.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "test-shadow.h"

/* Shadow ASCE bits besides the origin for a top table of type @dt. */
static uint64_t sasce_bits(int dt)
{
	return ((uint64_t)dt << GMAP_ASCE_DT_SHIFT) | 3 | GMAP_ASCE_P | GMAP_ASCE_S | GMAP_ASCE_X;
}

/* Guest-1 entry of @vaddr in the table at @table of type @tt. */
static uint64_t g1_index_entry(struct sfx *fx, uint64_t table, int tt, uint64_t vaddr)
{
	if (tt == GMAP_LEVEL_PAGE)
		return g1_read(fx, table + GMAP_VA_PX(vaddr) * 8);
	return g1_read(fx, table + ((vaddr >> (GMAP_SEGMENT_SHIFT + 11 * tt)) & 0x7ff) * 8);
}

/* Every entry from the top table of type @dt down, exactly. */
static void assert_levels(struct sfx *fx, struct gmap *sg, uint64_t top, int dt, uint64_t saddr,
			  uint64_t data)
{
	uint64_t table = top;

	for (int tt = dt; tt > GMAP_TT_SEGMENT; tt--) {
		uint64_t g = g1_index_entry(fx, table, tt, saddr);
		uint64_t e = sfx_sentry(fx, sg, saddr, tt);

		assert_true(e & GMAP_CRSTE_ORIGIN);
		assert_int_equal(e & ~GMAP_CRSTE_ORIGIN, ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT) | 3);
		table = g & GMAP_CRSTE_ORIGIN;
		for (int i = 0; i < 4; i++)
			assert_true(sfx_g1_vsie(fx, table + i * PG));
	}
	table = g1_index_entry(fx, table, GMAP_TT_SEGMENT, saddr) & GMAP_SEGMENT_PTO;
	assert_true(sfx_sentry(fx, sg, saddr, GMAP_TT_SEGMENT) & GMAP_SEGMENT_PTO);
	assert_int_equal(sfx_sentry(fx, sg, saddr, GMAP_TT_SEGMENT) & ~GMAP_SEGMENT_PTO, 0);
	assert_true(sfx_g1_vsie(fx, table));
	assert_int_equal(sfx_sentry(fx, sg, saddr, GMAP_LEVEL_PAGE), sfx_host_frame(fx, data));
	if (dt < GMAP_TT_REGION1)
		assert_int_equal(sfx_sentry(fx, sg, saddr, dt + 1), 0);
}

/* A fault through a region-first guest-1 ASCE: the shadow's ASCE, its
 * empty top table, then every level exactly; gmap_translate() and a CPU
 * running the shadow reach the parent's frame. */
static void test_build_levels(void **state)
{
	uint64_t saddr = SVA(2, 3, 5, 7, 9) + 0x123, r1, data, haddr;
	struct gmap_dat_result res;
	gmap_asce_t asce, sasce;
	struct gmap *sg;
	struct sfx fx;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, false);
	r1 = g1_table(&fx, GMAP_TT_REGION1);
	asce = gmap_asce_mk(r1, GMAP_TT_REGION1, 3, 0);
	data = g1_page(&fx);
	g1_map(&fx, asce, saddr, data, 0);
	sg = sfx_shadow(&fx, asce, 0);
	assert_true(gmap_is_shadow(sg));
	assert_false(gmap_is_shadow(fx.parent));
	assert_true(gmap_shadow_valid(sg, asce, 0));
	assert_false(gmap_shadow_valid(sg, asce, 1));
	sasce = gmap_asce(sg);
	assert_int_equal(sasce.val & ~GMAP_ASCE_ORIGIN, sasce_bits(GMAP_TT_REGION1));
	for (int i = 0; i < 4; i++)
		assert_true(sfx_g1_vsie(&fx, r1 + i * PG));
	assert_false(sfx_g1_vsie(&fx, data));
	assert_int_equal(sfx_sentry(&fx, sg, saddr, GMAP_TT_REGION1),
			 GMAP_CRSTE_I | (GMAP_TT_REGION1 << GMAP_CRSTE_TT_SHIFT));
	assert_int_equal(gmap_translate(sg, saddr, &haddr), -EFAULT);

	res = sfx_fault(sg, saddr, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, 0);
	assert_int_equal(res.addr, data + 0x123);
	assert_int_equal(res.frame_shift, GMAP_PAGE_SHIFT);
	assert_false(res.prot);
	assert_levels(&fx, sg, r1, GMAP_TT_REGION1, saddr, data);
	assert_int_equal(gmap_translate(sg, saddr, &haddr), 0);
	assert_int_equal(haddr, SFX_HBASE + data + 0x123);
	assert_int_equal(gmap_enable(sg, SFX_SCPU), 0);
	assert_int_equal(gmap_arch_get_asce(fx.arch, SFX_SCPU).val, sasce.val);
	assert_int_equal(gmap_arch_translate(fx.arch, SFX_SCPU, saddr, GMAP_DAT_STORE, 0, &res), 0);
	assert_int_equal(res.pic, 0);
	assert_int_equal(res.addr, sfx_host_frame(&fx, data) + 0x123);
	assert_true(sfx_tlb_has(&fx, sg, saddr));
	/* A pte that allows the access is left alone: no purge. */
	assert_int_equal(sfx_fault(sg, saddr, GMAP_DAT_STORE).pic, 0);
	assert_true(sfx_tlb_has(&fx, sg, saddr));
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	assert_int_equal(gmap_disable(sg, SFX_SCPU), 0);
	gmap_put(sg);
	sfx_down(&fx);
}

/* The case's guest-1 designation type gives a top table of that type
 * and the levels below it, none above. */
static void test_build_dt(void **state)
{
	static const uint64_t saddr[4] = {
		SVA(0, 0, 0, 7, 9), SVA(0, 0, 5, 7, 9), SVA(0, 3, 5, 7, 9), SVA(2, 3, 5, 7, 9),
	};
	int dt = *(const int *)*state;
	uint64_t top, data;
	gmap_asce_t asce;
	struct gmap *sg;
	struct sfx fx;

	sfx_up(&fx, 0, 4 * SEG, false);
	top = g1_table(&fx, dt);
	asce = gmap_asce_mk(top, dt, 3, 0);
	data = g1_page(&fx);
	g1_map(&fx, asce, saddr[dt], data, 0);
	sg = sfx_shadow(&fx, asce, 2);
	assert_int_equal(gmap_asce(sg).val & ~GMAP_ASCE_ORIGIN, sasce_bits(dt));
	assert_int_equal(sfx_fault(sg, saddr[dt], GMAP_DAT_STORE).pic, 0);
	assert_levels(&fx, sg, top, dt, saddr[dt], data);
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	gmap_put(sg);
	sfx_down(&fx);
}

/* TF and TL of guest-1 region entries are copied into the shadow's, and
 * only the guest-1 pages within them are protected; an index outside
 * them is the region exception of the walker. */
static void test_build_tf_tl(void **state)
{
	uint64_t saddr = SVA(1, 600, 5, 7, 9), r1, r2, data;
	struct gmap_dat_result res, ref;
	gmap_asce_t asce;
	struct gmap *sg;
	struct sfx fx;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, false);
	r1 = g1_table(&fx, GMAP_TT_REGION1);
	asce = gmap_asce_mk(r1, GMAP_TT_REGION1, 3, 0);
	r2 = g1_table(&fx, GMAP_TT_REGION2);
	g1_write(&fx, r1 + 1 * 8, gmap_crste_mk_table(r2, GMAP_TT_REGION1, 1, 2, 0).val);
	data = g1_page(&fx);
	g1_map(&fx, asce, saddr, data, 0);
	sg = sfx_shadow(&fx, asce, 1);
	assert_int_equal(sfx_fault(sg, saddr, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(sfx_sentry(&fx, sg, saddr, GMAP_TT_REGION1) & ~GMAP_CRSTE_ORIGIN,
			 (GMAP_TT_REGION1 << GMAP_CRSTE_TT_SHIFT) | (1 << GMAP_CRSTE_TF_SHIFT) | 2);
	assert_true(sfx_g1_vsie(&fx, r2 + PG));
	assert_true(sfx_g1_vsie(&fx, r2 + 2 * PG));
	for (int i = 0; i < 2; i++) {
		uint64_t out = SVA(1, i ? 1600 : 100, 5, 7, 9);

		sfx_g1_translate(&fx, asce, 1, out, GMAP_DAT_FETCH, &ref, NULL);
		assert_int_equal(ref.pic, GMAP_PIC_REGION_SECOND);
		res = sfx_fault(sg, out, GMAP_DAT_FETCH);
		assert_int_equal(res.pic, GMAP_PIC_REGION_SECOND);
		assert_true(res.teid_valid);
		assert_int_equal(res.teid, ref.teid);
	}
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	gmap_put(sg);
	sfx_down(&fx);
}

/* Guest-1 tables with DAT protection at each level, IEP and none. */
struct prot_world {
	struct sfx fx;
	gmap_asce_t asce;
	uint64_t seg_p, pte_p, r3_p, none, iep;
};

static void prot_world_up(struct prot_world *w, uint32_t facilities)
{
	struct sfx *fx = &w->fx;
	uint64_t ea;

	sfx_up(fx, facilities, 4 * SEG, false);
	w->asce = gmap_asce_mk(g1_table(fx, GMAP_TT_REGION1), GMAP_TT_REGION1, 3, 0);
	w->seg_p = SVA(1, 1, 1, 1, 1);
	w->pte_p = SVA(1, 1, 1, 2, 1);
	w->r3_p = SVA(1, 1, 2, 1, 1);
	w->none = SVA(1, 1, 1, 3, 1);
	w->iep = SVA(1, 1, 1, 4, 1);
	g1_map(fx, w->asce, w->seg_p, g1_page(fx), 0);
	ea = g1_entry(fx, w->asce, w->seg_p, GMAP_TT_SEGMENT);
	g1_write(fx, ea, g1_read(fx, ea) | GMAP_CRSTE_P);
	g1_map(fx, w->asce, w->pte_p, g1_page(fx), GMAP_PTE_P);
	g1_map(fx, w->asce, w->r3_p, g1_page(fx), 0);
	ea = g1_entry(fx, w->asce, w->r3_p, GMAP_TT_REGION3);
	g1_write(fx, ea, g1_read(fx, ea) | GMAP_CRSTE_P);
	g1_map(fx, w->asce, w->none, g1_page(fx), 0);
	g1_map(fx, w->asce, w->iep, g1_page(fx), GMAP_PTE_IEP);
}

/* Fault @saddr for a fetch, then check P of the shadow's region-third
 * entry, segment entry and pte. */
static void assert_prot(struct prot_world *w, struct gmap *sg, uint64_t saddr, bool r3, bool seg,
			bool pte)
{
	struct gmap_dat_result res = sfx_fault(sg, saddr, GMAP_DAT_FETCH);

	assert_int_equal(res.pic, 0);
	assert_int_equal(res.prot, pte);
	assert_int_equal(!!(sfx_sentry(&w->fx, sg, saddr, GMAP_TT_REGION3) & GMAP_CRSTE_P), r3);
	assert_int_equal(!!(sfx_sentry(&w->fx, sg, saddr, GMAP_TT_SEGMENT) & GMAP_CRSTE_P), seg);
	assert_int_equal(!!(sfx_sentry(&w->fx, sg, saddr, GMAP_LEVEL_PAGE) & GMAP_PTE_P), pte);
}

/* A store through a protected guest-1 path is the walker's protection
 * exception, and the shadow pte stays protected. */
static void assert_store_prot(struct prot_world *w, struct gmap *sg, int edat, uint64_t saddr,
			      enum gmap_dat_access access)
{
	struct gmap_dat_result res, ref;

	sfx_g1_translate(&w->fx, w->asce, edat, saddr, access, &ref, NULL);
	assert_int_equal(ref.pic, GMAP_PIC_PROTECTION);
	res = sfx_fault(sg, saddr, access);
	assert_int_equal(res.pic, GMAP_PIC_PROTECTION);
	assert_true(res.teid_valid);
	assert_int_equal(res.teid, ref.teid);
	/* ESOP-1: bit 61 for DAT protection, with bit 56 for IEP. */
	assert_int_equal(res.teid & (GMAP_TEID_B56 | GMAP_TEID_B61),
			 access == GMAP_DAT_IFETCH ? GMAP_TEID_B56 | GMAP_TEID_B61 : GMAP_TEID_B61);
	if (access == GMAP_DAT_STORE)
		assert_true(sfx_sentry(&w->fx, sg, saddr, GMAP_LEVEL_PAGE) & GMAP_PTE_P);
}

/* Segment P, pte P and (under EDAT-1) region P make the shadow entries
 * below them protected; stores raise the walker's protection exception;
 * IEP is copied and an instruction fetch there is refused. Without
 * EDAT-1 the region P bit has no effect. */
static void test_build_prot(void **state)
{
	struct prot_world w;
	struct gmap *sg, *sg0;
	uint64_t spte;

	(void)state;
	prot_world_up(&w, 0);
	sg = sfx_shadow(&w.fx, w.asce, 1);
	assert_prot(&w, sg, w.seg_p, false, true, true);
	assert_prot(&w, sg, w.pte_p, false, false, true);
	assert_prot(&w, sg, w.r3_p, true, true, true);
	assert_prot(&w, sg, w.none, false, false, false);
	assert_prot(&w, sg, w.iep, false, false, false);
	assert_store_prot(&w, sg, 1, w.seg_p, GMAP_DAT_STORE);
	assert_store_prot(&w, sg, 1, w.pte_p, GMAP_DAT_STORE);
	assert_store_prot(&w, sg, 1, w.r3_p, GMAP_DAT_STORE);
	assert_store_prot(&w, sg, 1, w.iep, GMAP_DAT_IFETCH);
	spte = sfx_sentry(&w.fx, sg, w.iep, GMAP_LEVEL_PAGE);
	assert_int_equal(spte, sfx_host_frame(&w.fx, g1_read(&w.fx, g1_entry(&w.fx, w.asce, w.iep,
						GMAP_LEVEL_PAGE)) & GMAP_PTE_PFRA) | GMAP_PTE_IEP);
	assert_int_equal(sfx_fault(sg, w.none, GMAP_DAT_STORE).pic, 0);
	assert_false(sfx_sentry(&w.fx, sg, w.none, GMAP_LEVEL_PAGE) & GMAP_PTE_P);
	assert_int_equal(sfx_check_shadow(&w.fx, sg), 5);

	sg0 = sfx_shadow(&w.fx, w.asce, 0);
	assert_true(sg0 != sg);
	assert_prot(&w, sg0, w.r3_p, false, false, false);
	assert_int_equal(sfx_check_shadow(&w.fx, sg0), 1);
	assert_int_equal(sfx_check_shadow(&w.fx, sg), 5);
	gmap_put(sg0);
	gmap_put(sg);
	sfx_down(&w.fx);
}

/* Without the IEP facility the guest-1 pte's bit 55 is not copied (with
 * EDAT-1 it is the change-recording override; without EDAT-1 it is the
 * walker's translation-specification exception). */
static void test_build_no_iep(void **state)
{
	struct gmap_dat_result res;
	struct prot_world w;
	struct gmap *sg;

	(void)state;
	prot_world_up(&w, GMAP_FAC_ALL & ~GMAP_FAC_IEP);
	sg = sfx_shadow(&w.fx, w.asce, 1);
	assert_int_equal(sfx_fault(sg, w.iep, GMAP_DAT_IFETCH).pic, 0);
	assert_false(sfx_sentry(&w.fx, sg, w.iep, GMAP_LEVEL_PAGE) & GMAP_PTE_IEP);
	gmap_put(sg);
	sg = sfx_shadow(&w.fx, w.asce, 0);
	res = sfx_fault(sg, w.iep, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_TRANSLATION_SPEC);
	assert_false(res.teid_valid);
	sfx_assert_no_pte(sg, w.iep);
	assert_int_equal(sfx_check_shadow(&w.fx, sg), 0);
	gmap_put(sg);
	sfx_down(&w.fx);
}

/* A second page in a shadow page table that is present: only its pte is
 * built (the guest-1 tables above are not read: they are made invalid in
 * host memory, behind the parent's back, during the fault). */
static void test_build_fast_path(void **state)
{
	uint64_t a = SVA(1, 2, 3, 4, 5), b = SVA(1, 2, 3, 4, 6), r1, db, e[4], be, *hp;
	gmap_asce_t asce;
	struct gmap *sg;
	struct sfx fx;
	size_t bytes;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, false);
	r1 = g1_table(&fx, GMAP_TT_REGION1);
	asce = gmap_asce_mk(r1, GMAP_TT_REGION1, 3, 0);
	db = g1_page(&fx);
	g1_map(&fx, asce, a, g1_page(&fx), 0);
	g1_map(&fx, asce, b, db, 0);
	sg = sfx_shadow(&fx, asce, 0);
	assert_int_equal(sfx_fault(sg, a, GMAP_DAT_FETCH).pic, 0);
	for (int tt = 0; tt < 4; tt++)
		e[tt] = sfx_sentry(&fx, sg, a, tt);
	bytes = gmap_table_bytes(sg);
	assert_int_equal(sfx_sentry(&fx, sg, b, GMAP_LEVEL_PAGE), GMAP_PTE_I);

	hp = (uint64_t *)((char *)gmap_arch_real_to_virt(fx.arch, sfx_host_frame(&fx, r1)) +
			  GMAP_VA_RFX(b) * 8);
	memcpy(&be, hp, 8);
	*hp = htobe64(GMAP_CRSTE_I | (GMAP_TT_REGION1 << GMAP_CRSTE_TT_SHIFT));
	assert_int_equal(sfx_fault(sg, b, GMAP_DAT_FETCH).pic, 0);
	memcpy(hp, &be, 8);

	for (int tt = 0; tt < 4; tt++)
		assert_int_equal(sfx_sentry(&fx, sg, a, tt), e[tt]);
	assert_int_equal(gmap_table_bytes(sg), bytes);
	assert_int_equal(sfx_sentry(&fx, sg, b, GMAP_LEVEL_PAGE), sfx_host_frame(&fx, db));
	assert_int_equal(sfx_check_shadow(&fx, sg), 2);
	gmap_put(sg);
	sfx_down(&fx);
}

static const int dt_segment = GMAP_TT_SEGMENT, dt_region3 = GMAP_TT_REGION3,
	dt_region2 = GMAP_TT_REGION2, dt_region1 = GMAP_TT_REGION1;

static const struct CMUnitTest shadow_build_tests[] = {
	cmocka_unit_test(test_build_levels),
	{ "test_build_dt_segment", test_build_dt, NULL, NULL, (void *)&dt_segment },
	{ "test_build_dt_region3", test_build_dt, NULL, NULL, (void *)&dt_region3 },
	{ "test_build_dt_region2", test_build_dt, NULL, NULL, (void *)&dt_region2 },
	{ "test_build_dt_region1", test_build_dt, NULL, NULL, (void *)&dt_region1 },
	cmocka_unit_test(test_build_tf_tl),
	cmocka_unit_test(test_build_prot),
	cmocka_unit_test(test_build_no_iep),
	cmocka_unit_test(test_build_fast_path),
};
const struct test_group shadow_build_group = {
	shadow_build_tests, sizeof(shadow_build_tests) / sizeof(shadow_build_tests[0])
};
