// SPDX-License-Identifier: MIT
/*
 * The tlb suite, part three: the soft backend's table_mem option. The
 * modelled CPUs walk a big-endian image of absolute storage (as an
 * emulator's guest storage holds a guest's own tables) instead of
 * host-native tables: table origins are image offsets, the TLB records
 * the image offsets of the entries a translation was formed through, and
 * IPTE / IDTE take host pointers into the image, set the invalid bit in
 * big-endian byte order and purge what was formed through those entries.
 *
 * The image holds the fixture's layout of test-tlb.h: R3 at BE_R3, SGT at
 * BE_SGT, PT at BE_PT, page i at be_frame(i); the large frames are
 * FRAME_1M and FRAME_2G, which no one reads. Every other entry of the
 * three tables is invalid.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test-tlb.h"

#define BE_IMAGE_SIZE	0x40000ULL
#define BE_R3		0x10000ULL
#define BE_SGT		0x11000ULL
#define BE_PT		0x12000ULL
#define BE_FRAMES	0x20000ULL
/* Image offsets of R3[i], SGT[i] and PT[i]. */
#define R3E(i)		(BE_R3 + 8 * (uint64_t)(i))
#define SGTE(i)		(BE_SGT + 8 * (uint64_t)(i))
#define PTE(i)		(BE_PT + 8 * (uint64_t)(i))

/* Absolute address (image offset) of page frame @i. */
static uint64_t be_frame(unsigned int i)
{
	return BE_FRAMES + i * GMAP_PAGE_SIZE;
}

/* The eight bytes of @val in big-endian order, whatever the host's. */
static void be_store(unsigned char *p, uint64_t val)
{
	for (int i = 7; i >= 0; i--, val >>= 8)
		p[i] = (unsigned char)val;
}

static uint64_t be_load(const unsigned char *p)
{
	uint64_t val = 0;

	for (int i = 0; i < 8; i++)
		val = val << 8 | p[i];
	return val;
}

static void be_put(struct fx *f, uint64_t addr, uint64_t val)
{
	be_store(f->image + addr, val);
}

static uint64_t be_get(const struct fx *f, uint64_t addr)
{
	return be_load(f->image + addr);
}

/* Assert that the image word at @addr is exactly @val, big-endian. */
static void assert_image_word(const struct fx *f, uint64_t addr, uint64_t val)
{
	unsigned char want[8];

	be_store(want, val);
	assert_memory_equal(f->image + addr, want, sizeof(want));
}

/*
 * The image's descriptor lives on this function's stack: the backend must
 * copy it at creation, as the option promises; one that kept the pointer
 * would read a dead stack frame in every case.
 */
static int be_setup(void **state)
{
	const struct params *p = *state;
	struct gmap_dat_mem mem = { .kind = GMAP_DAT_MEM_BE, .size = BE_IMAGE_SIZE };
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .ncpus = 2, .strict = p->strict,
					    .table_mem = &mem);
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->strict = p->strict;
	f->image = aligned_alloc(GMAP_PAGE_SIZE, BE_IMAGE_SIZE);
	assert_non_null(f->image);
	memset(f->image, 0, BE_IMAGE_SIZE);
	mem.base = f->image;
	assert_int_equal(gmap_arch_soft_create(&o, &f->arch), 0);
	f->r3 = (gmap_crste_t *)(f->image + BE_R3);
	f->sgt = (gmap_crste_t *)(f->image + BE_SGT);
	f->pt = (gmap_pte_t *)(f->image + BE_PT);
	for (unsigned int i = 0; i < GMAP_CRST_ENTRIES_PER_PART; i++) {
		be_put(f, R3E(i), gmap_crste_mk_table(0, GMAP_TT_REGION3, 0, 0, GMAP_CRSTE_I).val);
		be_put(f, SGTE(i), gmap_crste_mk_table(0, GMAP_TT_SEGMENT, 0, 0, GMAP_CRSTE_I).val);
	}
	for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
		be_put(f, PTE(i), gmap_pte_mk(0, GMAP_PTE_I).val);
	be_put(f, R3E(0), gmap_crste_mk_table(BE_SGT, GMAP_TT_REGION3, 0, 0, 0).val);
	be_put(f, R3E(1), gmap_crste_mk_frame(FRAME_2G, GMAP_TT_REGION3, 0).val);
	be_put(f, SGTE(0), gmap_crste_mk_table(BE_PT, GMAP_TT_SEGMENT, 0, 0, 0).val);
	be_put(f, SGTE(1), gmap_crste_mk_frame(FRAME_1M, GMAP_TT_SEGMENT, 0).val);
	for (unsigned int i = 0; i < NFRAMES; i++)
		be_put(f, PTE(i), gmap_pte_mk(be_frame(i), 0).val);
	f->asce_r3 = gmap_asce_mk(BE_R3, GMAP_TT_REGION3, 0, 0);
	f->asce_sgt = gmap_asce_mk(BE_SGT, GMAP_TT_SEGMENT, 0, 0);
	gmap_arch_load_asce(f->arch, 0, f->asce_r3);
	gmap_arch_load_asce(f->arch, 1, f->asce_r3);
	*state = f;
	return 0;
}

static int be_teardown(void **state)
{
	struct fx *f = *state;

	gmap_arch_destroy(f->arch);
	free(f->image);
	free(f);
	return 0;
}

static void be_tables_translate_through_the_tlb(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result r, w;
	struct gmap_dat_mem mem;

	gmap_arch_table_mem(f->arch, &mem);
	assert_int_equal(mem.kind, GMAP_DAT_MEM_BE);
	assert_ptr_equal(mem.base, f->image);
	assert_int_equal(mem.size, BE_IMAGE_SIZE);

	/* Miss: the walk reads the image. */
	assert_int_equal(cached(f, 0, f->asce_r3, VA_PAGE(3)), 0);
	r = tr(f, 0, VA_PAGE(3) + 0x456, GMAP_DAT_FETCH, 0);
	assert_int_equal(r.pic, GMAP_PIC_NONE);
	assert_int_equal(r.addr, be_frame(3) + 0x456);
	assert_int_equal(r.level, GMAP_LEVEL_PAGE);
	assert_int_equal(r.frame_shift, GMAP_PAGE_SHIFT);
	assert_false(r.teid_valid || r.prot || r.iep || r.accf);
	w = walk(f, f->asce_r3, VA_PAGE(3) + 0x456, GMAP_DAT_FETCH, 0);
	assert_res_equal(&r, &w);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 1), 0);

	/* Hit: the entry holds the page, the answer is the same. */
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 0, f->asce_r3, VA_PAGE(3) + 0xff8, &r), 1);
	assert_int_equal(r.addr, be_frame(3) + 0xff8);
	r = tr(f, 0, VA_PAGE(3) + 0x456, GMAP_DAT_FETCH, 0);
	assert_res_equal(&r, &w);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);

	/* The 1 MB frame of SGT[1]: one entry, on miss and hit. */
	for (int pass = 0; pass < 2; pass++) {
		r = tr(f, 0, VA_1M + 0x54321, GMAP_DAT_FETCH, 0);
		assert_int_equal(r.pic, GMAP_PIC_NONE);
		assert_int_equal(r.addr, FRAME_1M + 0x54321);
		assert_int_equal(r.level, GMAP_TT_SEGMENT);
		assert_int_equal(r.frame_shift, GMAP_SEGMENT_SHIFT);
		w = walk(f, f->asce_r3, VA_1M + 0x54321, GMAP_DAT_FETCH, 0);
		assert_res_equal(&r, &w);
		assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 2);
	}

	/* The P bit of a big-endian pte: a store is a protection exception,
	 * cached, with the same TEID on miss and hit. */
	be_put(f, PTE(4), gmap_pte_mk(be_frame(4), GMAP_PTE_P).val);
	for (int pass = 0; pass < 2; pass++) {
		r = tr(f, 0, VA_PAGE(4) + 8, GMAP_DAT_STORE, 0);
		assert_int_equal(r.pic, GMAP_PIC_PROTECTION);
		assert_true(r.teid_valid && r.prot);
		assert_int_equal(r.teid, VA_PAGE(4) | GMAP_TEID_FSI_STORE | GMAP_TEID_B61);
		assert_int_equal(r.addr, be_frame(4) + 8);
		assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 3);
	}
}

static void be_ipte_sets_the_be_invalid_bit_and_purges(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result r, w;

	fill_pages(f);
	gmap_arch_ipte(f->arch, 1, f->asce_r3, VA_PAGE(1), &f->pt[1], 1, 0);
	assert_image_word(f, PTE(1), be_frame(1) | GMAP_PTE_I);
	for (unsigned int i = 0; i < NFRAMES; i++)
		if (i != 1)
			assert_int_equal(be_get(f, PTE(i)), be_frame(i));
	assert_int_equal(held(f, 0), 0x3d);
	assert_int_equal(held(f, 1), 0x3d);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 5);
	r = tr(f, 0, VA_PAGE(1) + 0x10, GMAP_DAT_FETCH, 0);
	assert_int_equal(r.pic, GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(r.level, GMAP_LEVEL_PAGE);
	assert_true(r.teid_valid);
	assert_int_equal(r.teid, VA_PAGE(1) | GMAP_TEID_FSI_FETCH);
	w = walk(f, f->asce_r3, VA_PAGE(1) + 0x10, GMAP_DAT_FETCH, 0);
	assert_res_equal(&r, &w);

	/* With another ASCE named, the pte is invalidated but the entries
	 * formed with asce_r3 stay. */
	gmap_arch_ipte(f->arch, 0, f->asce_sgt, VA_PAGE(2), &f->pt[2], 1, 0);
	assert_image_word(f, PTE(2), be_frame(2) | GMAP_PTE_I);
	assert_int_equal(held(f, 0), 0x3d);
	assert_int_equal(held(f, 1), 0x3d);
}

/* An image pte changed without IPTE: strict mode keeps the old frame, the
 * non-strict mode walks and sees the new one; after IPTE (the BE I bit in
 * the image) and re-validation both see the change. */
static void be_missing_ipte_shows_only_in_strict_mode(void **state)
{
	struct fx *f = *state;
	bool strict = f->strict;
	gmap_asce_t any = { 0 };

	fill(f, 0, f->asce_r3, VA_PAGE(2));
	be_put(f, PTE(2), gmap_pte_mk(be_frame(5), 0).val);
	assert_int_equal(tr(f, 0, VA_PAGE(2) + 4, GMAP_DAT_FETCH, 0).addr,
			 (strict ? be_frame(2) : be_frame(5)) + 4);
	assert_int_equal(tr(f, 1, VA_PAGE(2) + 4, GMAP_DAT_FETCH, 0).addr, be_frame(5) + 4);

	gmap_arch_ipte(f->arch, 0, any, VA_PAGE(2), &f->pt[2], 1, 0);
	assert_image_word(f, PTE(2), be_frame(5) | GMAP_PTE_I);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_PAGE(2)), 0);
	assert_int_equal(cached(f, 1, f->asce_r3, VA_PAGE(2)), 0);
	be_put(f, PTE(2), gmap_pte_mk(be_frame(6), 0).val);
	assert_int_equal(tr(f, 0, VA_PAGE(2) + 4, GMAP_DAT_FETCH, 0).addr, be_frame(6) + 4);
	assert_int_equal(tr(f, 1, VA_PAGE(2) + 4, GMAP_DAT_FETCH, 0).addr, be_frame(6) + 4);
}

static void be_idte_sets_the_be_invalid_bit_and_purges_below(void **state)
{
	struct fx *f = *state;
	uint64_t sgt0 = be_get(f, SGTE(0)), sgt1 = be_get(f, SGTE(1));
	uint64_t r3e0 = be_get(f, R3E(0));
	gmap_asce_t any = { 0 };
	struct gmap_dat_result r;

	fill_pages(f);
	fill(f, 0, f->asce_r3, VA_1M);
	fill(f, 0, f->asce_r3, VA_2G);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 8);
	gmap_arch_idte(f->arch, 0, any, 0, &f->sgt[0], 0);
	assert_image_word(f, SGTE(0), sgt0 | GMAP_CRSTE_I);
	assert_int_equal(be_get(f, SGTE(1)), sgt1);
	assert_int_equal(be_get(f, R3E(0)), r3e0);
	assert_int_equal(held(f, 0), 0);
	assert_int_equal(held(f, 1), 0);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_1M), 1);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_2G), 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 2);
	r = tr(f, 0, VA_PAGE(0), GMAP_DAT_FETCH, 0);
	assert_int_equal(r.pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(r.level, GMAP_TT_SEGMENT);
	assert_int_equal(r.teid, VA_PAGE(0) | GMAP_TEID_FSI_FETCH);
}

/* IDTE without invalidation, local, of R3[0]: every entry of the issuer
 * formed through R3[0] goes (pages and the 1 MB frame below it), the 2 GB
 * frame of R3[1] and the other CPU's entries stay, the image is not
 * written. */
static void be_idte_nodat_purges_through_the_region_entry(void **state)
{
	struct fx *f = *state;
	unsigned char before[8];

	memcpy(before, f->image + R3E(0), sizeof(before));
	fill_pages(f);
	fill(f, 0, f->asce_r3, VA_1M);
	fill(f, 0, f->asce_r3, VA_2G);
	fill(f, 1, f->asce_r3, VA_1M);
	gmap_arch_idte(f->arch, 0, f->asce_r3, 0, &f->r3[0], GMAP_INV_NODAT | GMAP_INV_LOCAL);
	assert_memory_equal(f->image + R3E(0), before, sizeof(before));
	assert_int_equal(held(f, 0), 0);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_1M), 0);
	assert_int_equal(cached(f, 0, f->asce_r3, VA_2G), 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	assert_int_equal(held(f, 1), 0x3f);
	assert_int_equal(cached(f, 1, f->asce_r3, VA_1M), 1);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 1), 7);
	assert_int_equal(tr(f, 0, VA_PAGE(0) + 0x20, GMAP_DAT_FETCH, 0).addr, be_frame(0) + 0x20);
}

static int read_never(void *priv, uint64_t addr, uint64_t *val)
{
	(void)priv;
	(void)addr;
	(void)val;
	fail_msg("a rejected table_mem was read");
	return -1;
}

static void table_mem_fn_or_be_without_base_is_rejected(void **state)
{
	static uint64_t words[512];
	const struct gmap_dat_mem bad[] = {
		{ .kind = GMAP_DAT_MEM_FN, .read = read_never },
		{ .kind = GMAP_DAT_MEM_BE, .size = sizeof(words) },
		{ .kind = (enum gmap_dat_mem_kind)3, .base = words, .size = sizeof(words) },
	};
	const struct gmap_dat_mem good[] = {
		{ .kind = GMAP_DAT_MEM_HOST },
		{ .kind = GMAP_DAT_MEM_BE, .base = words, .size = sizeof(words) },
	};
	struct gmap_arch *sentinel = (struct gmap_arch *)state, *a;
	struct gmap_dat_mem mem;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .table_mem = &bad[i]);

		a = sentinel;
		assert_int_equal(gmap_arch_soft_create(&o, &a), -EINVAL);
		assert_ptr_equal(a, sentinel);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .table_mem = &good[i]);

		assert_int_equal(gmap_arch_soft_create(&o, &a), 0);
		gmap_arch_table_mem(a, &mem);
		assert_int_equal(mem.kind, good[i].kind);
		assert_ptr_equal(mem.base, good[i].base);
		assert_int_equal(mem.size, good[i].size);
		gmap_arch_destroy(a);
	}
}

const struct CMUnitTest tlb_be_tests[] = {
	cmocka_unit_test_prestate_setup_teardown(be_tables_translate_through_the_tlb,
						 be_setup, be_teardown, (void *)&tlb_strict),
	cmocka_unit_test_prestate_setup_teardown(be_ipte_sets_the_be_invalid_bit_and_purges,
						 be_setup, be_teardown, (void *)&tlb_strict),
	{ "be_strict_mode_keeps_the_stale_frame_without_ipte",
	  be_missing_ipte_shows_only_in_strict_mode, be_setup, be_teardown,
	  (void *)&tlb_strict },
	{ "be_nonstrict_mode_sees_the_new_frame_without_ipte",
	  be_missing_ipte_shows_only_in_strict_mode, be_setup, be_teardown,
	  (void *)&tlb_nonstrict },
	cmocka_unit_test_prestate_setup_teardown(be_idte_sets_the_be_invalid_bit_and_purges_below,
						 be_setup, be_teardown, (void *)&tlb_strict),
	cmocka_unit_test_prestate_setup_teardown(be_idte_nodat_purges_through_the_region_entry,
						 be_setup, be_teardown, (void *)&tlb_strict),
	cmocka_unit_test(table_mem_fn_or_be_without_base_is_rejected),
};
const size_t tlb_be_ntests = sizeof(tlb_be_tests) / sizeof(tlb_be_tests[0]);
