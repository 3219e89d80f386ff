// SPDX-License-Identifier: MIT
/*
 * Large frames and fake tables (suite shadow): a guest-1 EDAT-1 1 MB
 * frame and an EDAT-2 2 GB frame are shadowed with fake tables (no
 * protection of the frame, one shadow pte per 4 KB page, P of the frame
 * entry); without the EDAT level the walker's own outcome; a real-space
 * ASCE gets a fake region-first path with guest-2 == guest-1 real; and a
 * parent backed by 1 MB host segments protects guest-1 tables in its
 * large segment entries, where a guest-1 write unshadows.
 */
#include <errno.h>

#include "test-shadow.h"

/* Two guest-1 1 MB frames, away from the bump allocator's tables. */
#define F1		(4 * SEG)
#define F2		(5 * SEG)

/* The shadow's fault of @saddr gives what the reference walk of guest
 * 1's tables gives (code, TEID, address). */
static void assert_as_walker(struct sfx *fx, struct gmap *sg, gmap_asce_t asce, int edat,
			     uint64_t saddr)
{
	struct gmap_dat_result res = sfx_fault(sg, saddr, GMAP_DAT_FETCH), ref;

	sfx_g1_translate(fx, asce, edat, saddr, GMAP_DAT_FETCH, &ref, NULL);
	assert_int_equal(res.pic, ref.pic);
	assert_int_equal(res.teid_valid, ref.teid_valid);
	if (ref.teid_valid)
		assert_int_equal(res.teid, ref.teid);
	if (!ref.pic)
		assert_int_equal(res.addr, ref.addr);
	else
		sfx_assert_no_pte(sg, saddr);
}

/* EDAT-1 frames: a fake page table with a pte per 4 KB page touched, P
 * from the frame entry; the frame's pages are not protected and a
 * guest-1 write to them unshadows nothing. Without EDAT-1 the FC bit is
 * not looked at: the outcome is the walker's. */
static void test_large_edat1(void **state)
{
	uint64_t s1 = SVA(0, 0, 1, 5, 0), s2 = SVA(0, 0, 1, 6, 0), ste, haddr;
	struct gmap_dat_result res;
	gmap_asce_t asce;
	struct gmap *sg;
	struct sfx fx;

	(void)state;
	sfx_up(&fx, 0, 8 * SEG, false);
	asce = gmap_asce_mk(g1_table(&fx, GMAP_TT_REGION3), GMAP_TT_REGION3, 3, 0);
	g1_write(&fx, F1 + 0x3000, 1);
	g1_write(&fx, F1 + 0x7000, 2);
	g1_write(&fx, F2 + 0x1000, 3);
	g1_map_large(&fx, asce, s1, F1, GMAP_TT_SEGMENT, 0);
	g1_map_large(&fx, asce, s2, F2, GMAP_TT_SEGMENT, GMAP_CRSTE_P);
	sg = sfx_shadow(&fx, asce, 1);
	res = sfx_fault(sg, s1 + 0x3010, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, 0);
	assert_int_equal(res.frame_shift, GMAP_SEGMENT_SHIFT);
	assert_int_equal(res.addr, F1 + 0x3010);
	ste = sfx_sentry(&fx, sg, s1, GMAP_TT_SEGMENT);
	assert_true(ste & GMAP_SEGMENT_PTO);
	assert_int_equal(ste & ~GMAP_SEGMENT_PTO, 0);
	assert_int_equal(sfx_sentry(&fx, sg, s1 + 0x3000, GMAP_LEVEL_PAGE),
			 sfx_host_frame(&fx, F1 + 0x3000));
	assert_int_equal(sfx_fault(sg, s1 + 0x7000, GMAP_DAT_STORE).pic, 0);
	assert_int_equal(sfx_sentry(&fx, sg, s1, GMAP_TT_SEGMENT), ste);
	assert_int_equal(sfx_sentry(&fx, sg, s1 + 0x7000, GMAP_LEVEL_PAGE),
			 sfx_host_frame(&fx, F1 + 0x7000));
	assert_false(sfx_g1_vsie(&fx, F1 + 0x3000));

	res = sfx_fault(sg, s2 + 0x1000, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, 0);
	assert_true(res.prot);
	assert_int_equal(sfx_sentry(&fx, sg, s2, GMAP_TT_SEGMENT) & ~GMAP_SEGMENT_PTO, GMAP_CRSTE_P);
	assert_int_equal(sfx_sentry(&fx, sg, s2 + 0x1000, GMAP_LEVEL_PAGE),
			 sfx_host_frame(&fx, F2 + 0x1000) | GMAP_PTE_P);
	assert_int_equal(sfx_fault(sg, s2 + 0x1000, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);

	g1_write(&fx, F1 + 0x3008, 4);
	assert_int_equal(sfx_sentry(&fx, sg, s1 + 0x3000, GMAP_LEVEL_PAGE),
			 sfx_host_frame(&fx, F1 + 0x3000));
	assert_int_equal(sfx_check_shadow(&fx, sg), 3);
	gmap_put(sg);

	sg = sfx_shadow(&fx, asce, 0);
	assert_as_walker(&fx, sg, asce, 0, s1 + 0x3010);
	assert_as_walker(&fx, sg, asce, 0, s2 + 0x1010);
	/* F1's first page taken for a page table: its zero pte 3 maps 0. */
	assert_int_equal(gmap_translate(sg, s1 + 0x3010, &haddr), 0);
	assert_int_equal(haddr, SFX_HBASE + 0x10);
	assert_true(sfx_g1_vsie(&fx, F1));
	assert_int_equal(sfx_check_shadow(&fx, sg), 2);
	gmap_put(sg);
	sfx_down(&fx);
}

/* EDAT-2 frames: fake segment and page tables below the shadow's
 * region-third entry (TF 0, TL 3, P of the frame entry); a frame address
 * beyond guest-1 storage is an addressing exception. Without EDAT-2 the
 * outcome is the walker's. */
static void test_large_edat2(void **state)
{
	uint64_t s1 = SVA(0, 0, 2, 0, 0), s3 = SVA(0, 0, 3, 0, 0), d;
	struct gmap_dat_result res;
	gmap_asce_t asce;
	struct gmap *sg;
	struct sfx fx;

	(void)state;
	sfx_up(&fx, 0, 8 * SEG, false);
	asce = gmap_asce_mk(g1_table(&fx, GMAP_TT_REGION3), GMAP_TT_REGION3, 3, 0);
	d = g1_page(&fx);
	g1_map_large(&fx, asce, s1, 0, GMAP_TT_REGION3, 0);
	g1_map_large(&fx, asce, s3, 0, GMAP_TT_REGION3, GMAP_CRSTE_P);
	sg = sfx_shadow(&fx, asce, 2);
	res = sfx_fault(sg, s1 + d + 8, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, 0);
	assert_int_equal(res.frame_shift, GMAP_REGION3_SHIFT);
	assert_int_equal(res.addr, d + 8);
	assert_int_equal(sfx_sentry(&fx, sg, s1, GMAP_TT_REGION3) & ~GMAP_CRSTE_ORIGIN,
			 (GMAP_TT_REGION3 << GMAP_CRSTE_TT_SHIFT) | 3);
	assert_int_equal(sfx_sentry(&fx, sg, s1 + d, GMAP_TT_SEGMENT) & ~GMAP_SEGMENT_PTO, 0);
	assert_int_equal(sfx_sentry(&fx, sg, s1 + d, GMAP_LEVEL_PAGE), sfx_host_frame(&fx, d));
	assert_false(sfx_g1_vsie(&fx, 0));
	res = sfx_fault(sg, s1 + 0x10000000, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_ADDRESSING);
	sfx_assert_no_pte(sg, s1 + 0x10000000);

	res = sfx_fault(sg, s3 + d, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, 0);
	assert_true(res.prot);
	assert_int_equal(sfx_sentry(&fx, sg, s3, GMAP_TT_REGION3) & ~GMAP_CRSTE_ORIGIN,
			 (GMAP_TT_REGION3 << GMAP_CRSTE_TT_SHIFT) | 3 | GMAP_CRSTE_P);
	assert_int_equal(sfx_sentry(&fx, sg, s3 + d, GMAP_TT_SEGMENT) & ~GMAP_SEGMENT_PTO,
			 GMAP_CRSTE_P);
	assert_int_equal(sfx_sentry(&fx, sg, s3 + d, GMAP_LEVEL_PAGE),
			 sfx_host_frame(&fx, d) | GMAP_PTE_P);
	assert_int_equal(sfx_check_shadow(&fx, sg), 2);
	gmap_put(sg);

	sg = sfx_shadow(&fx, asce, 1);
	assert_as_walker(&fx, sg, asce, 1, s1 + d + 8);
	sfx_check_shadow(&fx, sg);
	gmap_put(sg);
	sfx_down(&fx);
}

/* A real-space ASCE: a region-first shadow with a fake path, guest-2
 * addresses are guest-1 real (prefix 0), nothing is protected, an
 * address beyond guest-1 storage is an addressing exception. */
static void test_large_real(void **state)
{
	gmap_asce_t asce = { GMAP_ASCE_R };
	struct gmap_dat_result res;
	struct gmap *sg;
	struct sfx fx;
	uint64_t d;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, false);
	d = g1_page(&fx);
	sg = sfx_shadow(&fx, asce, 0);
	assert_int_equal(gmap_asce(sg).val & ~GMAP_ASCE_ORIGIN,
			 (GMAP_TT_REGION1 << GMAP_ASCE_DT_SHIFT) | 3 | GMAP_ASCE_P | GMAP_ASCE_S |
			 GMAP_ASCE_X);
	res = sfx_fault(sg, d + 0x18, GMAP_DAT_STORE);
	assert_int_equal(res.pic, 0);
	assert_int_equal(res.addr, d + 0x18);
	assert_false(res.prot);
	for (int tt = GMAP_TT_REGION1; tt > GMAP_TT_SEGMENT; tt--)
		assert_int_equal(sfx_sentry(&fx, sg, d, tt) & ~GMAP_CRSTE_ORIGIN,
				 ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT) | 3);
	assert_int_equal(sfx_sentry(&fx, sg, d, GMAP_TT_SEGMENT) & ~GMAP_SEGMENT_PTO, 0);
	assert_int_equal(sfx_sentry(&fx, sg, d, GMAP_LEVEL_PAGE), sfx_host_frame(&fx, d));
	assert_false(sfx_g1_vsie(&fx, 0));
	res = sfx_fault(sg, 4 * SEG, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_ADDRESSING);
	sfx_assert_no_pte(sg, 4 * SEG);
	g1_write(&fx, d, 5);
	assert_true(gmap_shadow_valid(sg, asce, 0));
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	gmap_put(sg);
	sfx_down(&fx);
}

/* Guest 1 in 1 MB host segments: the guest-1 tables' segment gets P and
 * GMAP_SEG_GMAP_VSIE in the parent's segment entry, the data segment
 * not; a guest-1 write anywhere in that segment drops the shadow (its
 * top table is there), with the TLB entry of a CPU running it. */
static void test_large_parent(void **state)
{
	uint64_t a = SVA(1, 1, 1, 1, 1), d = 2 * SEG + 0x5000, r1;
	struct gmap_dat_result res;
	gmap_asce_t asce;
	struct gmap *sg;
	struct sfx fx;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, true);
	g1_write(&fx, d, d);
	r1 = g1_table(&fx, GMAP_TT_REGION1);
	asce = gmap_asce_mk(r1, GMAP_TT_REGION1, 3, 0);
	g1_map(&fx, asce, a, d, 0);
	sg = sfx_shadow(&fx, asce, 1);
	res = sfx_fault(sg, a + 0x20, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, 0);
	assert_int_equal(res.addr, d + 0x20);
	assert_int_equal(sfx_sentry(&fx, sg, a, GMAP_LEVEL_PAGE), sfx_host_frame(&fx, d));
	assert_true(sfx_g1_vsie(&fx, r1));
	assert_false(sfx_g1_vsie(&fx, d));
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	assert_int_equal(gmap_enable(sg, SFX_SCPU), 0);
	sfx_run(&fx, sg, a);

	g1_write(&fx, g1_alloc(&fx, 8, 8), 6);
	assert_false(gmap_shadow_valid(sg, asce, 1));
	assert_int_equal(gmap_shadow_fault(sg, a, GMAP_DAT_FETCH, &res), -ESTALE);
	assert_false(sfx_tlb_has(&fx, sg, a));
	assert_int_equal(gmap_disable(sg, SFX_SCPU), 0);
	gmap_put(sg);
	sg = sfx_shadow(&fx, asce, 1);
	assert_int_equal(sfx_fault(sg, a, GMAP_DAT_STORE).pic, 0);
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	gmap_put(sg);
	sfx_down(&fx);
}

static const struct CMUnitTest shadow_large_tests[] = {
	cmocka_unit_test(test_large_edat1),
	cmocka_unit_test(test_large_edat2),
	cmocka_unit_test(test_large_real),
	cmocka_unit_test(test_large_parent),
};
const struct test_group shadow_large_group = {
	shadow_large_tests, sizeof(shadow_large_tests) / sizeof(shadow_large_tests[0])
};
