// SPDX-License-Identifier: MIT
/*
 * Program exceptions of guest 1's tables (suite shadow): every code the
 * walker gives for a guest-2 address (ASCE-type, region-first, -second
 * and -third, segment and page translation, translation specification,
 * protection) comes back from gmap_shadow_fault() with the walker's TEID
 * over the same tables, and addressing when a guest-1 table or frame lies
 * outside guest-1 storage; no shadow pte is installed for them.
 */
#include "test-shadow.h"

/* Outside guest-1 storage, but within the parent's limit. */
#define G1_OUTSIDE	0x7f000000ULL

struct pic_case {
	uint64_t saddr;
	enum gmap_dat_access access;
	unsigned int pic;
};

/* Fault @c on @sg: the walker's code (@check_ref: the reference walk
 * gives it too, with the same TEID), no pte. */
static void assert_case(struct sfx *fx, struct gmap *sg, gmap_asce_t asce,
			const struct pic_case *c, bool check_ref)
{
	struct gmap_dat_result res, ref;

	res = sfx_fault(sg, c->saddr, c->access);
	assert_int_equal(res.pic, c->pic);
	if (check_ref) {
		sfx_g1_translate(fx, asce, 1, c->saddr, c->access, &ref, NULL);
		assert_int_equal(ref.pic, c->pic);
		assert_int_equal(res.teid_valid, ref.teid_valid);
		if (ref.teid_valid) {
			assert_int_equal(res.teid, ref.teid);
			assert_int_equal(res.teid & (GMAP_TEID_ADDR | GMAP_TEID_AS_MASK),
					 c->saddr & GMAP_TEID_ADDR);
		}
	} else {
		assert_false(res.teid_valid);
	}
	sfx_assert_no_pte(sg, c->saddr);
}

/* Every exception below a region-first ASCE, one address each, on a
 * machine with the case's facilities (all, or all but ESOP-2: TEIDs
 * without the fetch/store indication). */
static void test_pic_region_first(void **state)
{
	uint32_t facilities = *(const uint32_t *)*state;
	static const struct pic_case cases[] = {
		{ SVA(5, 1, 1, 1, 1), GMAP_DAT_FETCH, GMAP_PIC_REGION_FIRST },
		{ SVA(1, 7, 1, 1, 1), GMAP_DAT_FETCH, GMAP_PIC_REGION_SECOND },
		{ SVA(1, 1, 7, 1, 1), GMAP_DAT_FETCH, GMAP_PIC_REGION_THIRD },
		{ SVA(1, 1, 1, 7, 1), GMAP_DAT_STORE, GMAP_PIC_SEGMENT_TRANSLATION },
		{ SVA(1, 1, 1, 1, 7), GMAP_DAT_FETCH, GMAP_PIC_PAGE_TRANSLATION },
		{ SVA(1, 1, 1, 1, 8), GMAP_DAT_FETCH, GMAP_PIC_TRANSLATION_SPEC },
		{ SVA(3, 1, 1, 1, 1), GMAP_DAT_FETCH, GMAP_PIC_TRANSLATION_SPEC },
		{ SVA(1, 1, 1, 2, 1), GMAP_DAT_STORE, GMAP_PIC_PROTECTION },
	};
	static const struct pic_case outside[] = {
		{ SVA(2, 1, 1, 1, 1), GMAP_DAT_FETCH, GMAP_PIC_ADDRESSING },
		{ SVA(1, 1, 1, 1, 9), GMAP_DAT_FETCH, GMAP_PIC_ADDRESSING },
	};
	uint64_t r1, ok = SVA(1, 1, 1, 1, 1), ea;
	gmap_asce_t asce;
	struct gmap_dat_result res;
	struct gmap *sg;
	struct sfx fx;

	sfx_up(&fx, facilities, 4 * SEG, false);
	r1 = g1_table(&fx, GMAP_TT_REGION1);
	asce = gmap_asce_mk(r1, GMAP_TT_REGION1, 3, 0);
	g1_map(&fx, asce, ok, g1_page(&fx), 0);
	g1_map(&fx, asce, SVA(1, 1, 1, 1, 8), g1_page(&fx), GMAP_PTE_Z);
	g1_write(&fx, r1 + 3 * 8, gmap_crste_mk_table(g1_table(&fx, GMAP_TT_REGION2),
						     GMAP_TT_REGION2, 0, 3, 0).val);
	g1_map(&fx, asce, SVA(1, 1, 1, 2, 1), g1_page(&fx), 0);
	ea = g1_entry(&fx, asce, SVA(1, 1, 1, 2, 1), GMAP_TT_SEGMENT);
	g1_write(&fx, ea, g1_read(&fx, ea) | GMAP_CRSTE_P);
	g1_write(&fx, r1 + 2 * 8, gmap_crste_mk_table(G1_OUTSIDE, GMAP_TT_REGION1, 0, 3, 0).val);
	g1_map(&fx, asce, SVA(1, 1, 1, 1, 9), G1_OUTSIDE, 0);

	sg = sfx_shadow(&fx, asce, 1);
	assert_int_equal(sfx_fault(sg, ok, GMAP_DAT_FETCH).pic, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_case(&fx, sg, asce, &cases[i], true);
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		assert_case(&fx, sg, asce, &outside[i], false);
	res = sfx_fault(sg, SVA(1, 1, 1, 2, 1), GMAP_DAT_STORE);
	assert_int_equal(res.teid & (GMAP_TEID_FSI_FETCH | GMAP_TEID_FSI_STORE),
			 facilities ? 0 : GMAP_TEID_FSI_STORE);
	assert_true(gmap_shadow_valid(sg, asce, 1));
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	gmap_put(sg);
	sfx_down(&fx);
}

/* A region-third ASCE: an address beyond its reach is an ASCE-type
 * exception; with TL 0 an index in a later part is a region-third one,
 * and a guest-1 write to a later part of the table unshadows nothing. */
static void test_pic_asce(void **state)
{
	static const struct pic_case cases[] = {
		{ SVA(0, 1, 0, 0, 0), GMAP_DAT_FETCH, GMAP_PIC_ASCE_TYPE },
		{ SVA(0, 0, 600, 0, 0), GMAP_DAT_STORE, GMAP_PIC_REGION_THIRD },
	};
	gmap_asce_t asce;
	struct gmap *sg;
	struct sfx fx;
	uint64_t top;

	(void)state;
	sfx_up(&fx, 0, 4 * SEG, false);
	asce = gmap_asce_mk(g1_table(&fx, GMAP_TT_REGION3), GMAP_TT_REGION3, 0, 0);
	g1_map(&fx, asce, SVA(0, 0, 1, 1, 1), g1_page(&fx), 0);
	sg = sfx_shadow(&fx, asce, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_case(&fx, sg, asce, &cases[i], true);
	assert_int_equal(sfx_fault(sg, SVA(0, 0, 1, 1, 1), GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	/* TL 0: only the top table's first page is protected. */
	top = asce.val & GMAP_ASCE_ORIGIN;
	assert_true(sfx_g1_vsie(&fx, top));
	assert_false(sfx_g1_vsie(&fx, top + PG));
	g1_write(&fx, top + PG + 8, GMAP_CRSTE_I);
	assert_true(gmap_shadow_valid(sg, asce, 1));
	assert_int_equal(sfx_check_shadow(&fx, sg), 1);
	gmap_put(sg);
	sfx_down(&fx);
}

static const uint32_t all = 0, no_esop2 = GMAP_FAC_ALL & ~GMAP_FAC_ESOP2;

static const struct CMUnitTest shadow_pic_tests[] = {
	{ "test_pic_region_first", test_pic_region_first, NULL, NULL, (void *)&all },
	{ "test_pic_region_first_no_esop2", test_pic_region_first, NULL, NULL, (void *)&no_esop2 },
	cmocka_unit_test(test_pic_asce),
};
const struct test_group shadow_pic_group = {
	shadow_pic_tests, sizeof(shadow_pic_tests) / sizeof(shadow_pic_tests[0])
};
