// SPDX-License-Identifier: MIT
/*
 * gaccess suite, virtual access: the guest's own five-level tables in
 * guest storage (test-gaccess.h gives the layout), read through the gmap
 * and faulted in; exact bytes across pages; EDAT-1 frames; every
 * program-interruption code of the guest walk at every level with its
 * TEID; DAT off and real space with prefixing; addressing exceptions;
 * suppression of a store that would fault on a later page; host errors.
 */
#include <errno.h>
#include <string.h>

#include "test-gaccess.h"

#define FSI_F	GMAP_TEID_FSI_FETCH
#define FSI_S	GMAP_TEID_FSI_STORE

/* A whole table of @n entries, each @inval, written at once. */
static void table(struct fx *f, uint64_t gaddr, size_t n, uint64_t inval)
{
	static uint8_t buf[GMAP_CRST_MAX_ENTRIES * 8];

	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			buf[i * 8 + b] = (uint8_t)(inval >> (56 - 8 * b));
	gwrite(f, gaddr, buf, n * 8);
}

static uint64_t crst_inval(enum gmap_dat_tt tt)
{
	return GMAP_CRSTE_I | ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT);
}

void guest_tables(struct fx *f)
{
	table(f, G_R1T, 2048, crst_inval(GMAP_TT_REGION1));
	table(f, G_R2T, 2048, crst_inval(GMAP_TT_REGION2));
	table(f, G_R3T, 2048, crst_inval(GMAP_TT_REGION3));
	table(f, G_SGT, 2048, crst_inval(GMAP_TT_SEGMENT));
	table(f, G_PT, 256, GMAP_PTE_I);
	gput64(f, G_R1T + 1 * 8, gmap_crste_mk_table(G_R2T, GMAP_TT_REGION1, 0, 3, 0).val);
	gput64(f, G_R2T + 2 * 8, gmap_crste_mk_table(G_R3T, GMAP_TT_REGION2, 0, 3, 0).val);
	gput64(f, G_R3T + 3 * 8, gmap_crste_mk_table(G_SGT, GMAP_TT_REGION3, 0, 3, 0).val);
	gput64(f, G_R3T + 5 * 8, gmap_crste_mk_frame(0, GMAP_TT_REGION3, 0).val);
	gput64(f, G_SGT + 4 * 8, gmap_crste_mk_table(G_PT, GMAP_TT_SEGMENT, 0, 0, 0).val);
	gput64(f, G_SGT + 5 * 8,
	       gmap_crste_mk_frame(0x300000, GMAP_TT_SEGMENT,
				   GMAP_CRSTE_AV | (6ULL << GMAP_CRSTE_ACC_SHIFT) |
				   GMAP_CRSTE_F).val);
	gput64(f, G_SGT + 6 * 8,
	       gmap_crste_mk_table(G_PT, GMAP_TT_SEGMENT, 0, 0, GMAP_CRSTE_P).val);
	gput64(f, G_SGT + 7 * 8,
	       gmap_crste_mk_table(0x10000000, GMAP_TT_SEGMENT, 0, 0, 0).val);
	gput64(f, G_SGT + 9 * 8, gmap_crste_mk_frame(0x300000, GMAP_TT_SEGMENT, 0).val);
	gput64(f, G_PT + 0 * 8, gmap_pte_mk(0x203000, 0).val);
	gput64(f, G_PT + 1 * 8, gmap_pte_mk(0x201000, 0).val);
	gput64(f, G_PT + 3 * 8, gmap_pte_mk(0x204000, 0).val | GMAP_PTE_Z);
	gput64(f, G_PT + 4 * 8, gmap_pte_mk(0x205000, GMAP_PTE_P).val);
	gput64(f, G_PT + 5 * 8, gmap_pte_mk(0x206000, GMAP_PTE_IEP).val);
	gput64(f, G_PT + 6 * 8, gmap_pte_mk(0x800000, 0).val);
	gput64(f, G_PT + 7 * 8, gmap_pte_mk(0, 0).val);
}

struct gmap_gacc_cpu vcpu_dat(void)
{
	struct gmap_gacc_cpu v = {
		.cpu = 0,
		.flags = GMAP_GACC_DAT,
		.as = GMAP_AS_PRIMARY,
		.facilities = GMAP_FAC_ALL,
		.asce = gmap_asce_mk(G_R1T, GMAP_TT_REGION1, 3, 0),
		.prefix = G_PREFIX,
	};

	return v;
}

struct gmap_gacc_cpu vcpu_real(void)
{
	struct gmap_gacc_cpu v = vcpu_dat();

	v.flags = 0;
	return v;
}

static int virt_setup(void **state)
{
	fx_setup(state);
	guest_tables(*state);
	return 0;
}

/* A read and a write across two guest pages reach their two frames
 * (0x203000 and 0x201000, in that order) byte for byte. */
static void virt_bytes_cross_pages(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint8_t a[16], b[16], out[32], in[32];

	for (int i = 0; i < 16; i++) {
		a[i] = (uint8_t)(0x10 + i);
		b[i] = (uint8_t)(0x80 + i);
	}
	gwrite(f, 0x203ff0, a, 16);
	gwrite(f, 0x201000, b, 16);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0) + 0xff0, out, 32, GMAP_DAT_FETCH,
					NULL), 0);
	assert_memory_equal(out, a, 16);
	assert_memory_equal(out + 16, b, 16);

	for (int i = 0; i < 32; i++)
		in[i] = (uint8_t)(0xc0 ^ i);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0) + 0xff8, in, 32, GMAP_DAT_STORE,
					NULL), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(host_byte(f, 0x203ff8 + i), in[i]);
	for (int i = 8; i < 32; i++)
		assert_int_equal(host_byte(f, 0x201000 + i - 8), in[i]);
}

/* An EDAT-1 segment frame: the byte offset within the 1 MB carries over. */
static void virt_edat1_frame(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint32_t w = 0xcafef00d, r = 0;
	uint64_t ga = 0;

	gwrite(f, 0x312344, &w, sizeof(w));
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(5, 0x12) + 0x344, &r, 4, GMAP_DAT_FETCH,
					NULL), 0);
	assert_int_equal(r, w);
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(9, 0xff) + 0xfff, GMAP_DAT_STORE, &ga,
					     NULL), 0);
	assert_int_equal(ga, 0x3fffff);
}

/* An EDAT-2 region-third frame of 2 GB at absolute 0: the offset carries
 * over; past the gmap's 4 MB it is an addressing exception. */
static void virt_edat2_frame(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	const uint64_t r3 = (1ULL << 53) | (2ULL << 42) | (5ULL << 31);
	uint32_t w = 0x5eed1e55, r = 0;
	uint64_t teid = 1;

	gwrite(f, 0x2abcd0, &w, sizeof(w));
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, r3 + 0x2abcd0, &r, 4, GMAP_DAT_FETCH, NULL),
			 0);
	assert_int_equal(r, w);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, r3 + GSIZE, &r, 4, GMAP_DAT_FETCH, &teid),
			 GMAP_PIC_ADDRESSING);
	assert_int_equal(teid, 0);
}

/*
 * struct exc_case - one address whose walk ends in an exception.
 * @va: the address
 * @access: the access
 * @pic: the expected program-interruption code
 * @teid: the expected TEID (0 where the exception has none)
 */
struct exc_case {
	uint64_t va;
	enum gmap_dat_access access;
	unsigned int pic;
	uint64_t teid;
};

static void expect_exc(struct fx *f, const struct gmap_gacc_cpu *v, const struct exc_case *c)
{
	uint64_t teid = ~0ULL, ga = 0x77, buf = 0x0123456789abcdefULL;

	assert_int_equal(gmap_gacc_translate(f->gmap, v, c->va, c->access, &ga, &teid), c->pic);
	assert_int_equal(teid, c->teid);
	assert_int_equal(ga, 0x77);
	teid = ~0ULL;
	assert_int_equal(gmap_gacc_virt(f->gmap, v, c->va, &buf, sizeof(buf), c->access, &teid),
			 c->pic);
	assert_int_equal(teid, c->teid);
	assert_int_equal(buf, 0x0123456789abcdefULL);
}

/* Every translation exception of the guest walk, at every level, with
 * the PoP's TEID: page address, ESOP-2 fetch/store indication, AS. */
static void virt_exceptions_at_every_level(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	const uint64_t r2 = (1ULL << 53) | (3ULL << 42), r3 = (1ULL << 53) | (2ULL << 42) |
							     (4ULL << 31);
	const struct exc_case cases[] = {
		{ 2ULL << 53, GMAP_DAT_FETCH, GMAP_PIC_REGION_FIRST, (2ULL << 53) | FSI_F },
		{ r2 + 0x5123, GMAP_DAT_FETCH, GMAP_PIC_REGION_SECOND, (r2 + 0x5000) | FSI_F },
		{ r3 + 0x123, GMAP_DAT_STORE, GMAP_PIC_REGION_THIRD, r3 | FSI_S },
		{ VA(8, 3) + 8, GMAP_DAT_FETCH, GMAP_PIC_SEGMENT_TRANSLATION, VA(8, 3) | FSI_F },
		{ VA(4, 2) + 0x123, GMAP_DAT_STORE, GMAP_PIC_PAGE_TRANSLATION, VA(4, 2) | FSI_S },
		{ VA(4, 9), GMAP_DAT_IFETCH, GMAP_PIC_PAGE_TRANSLATION, VA(4, 9) | FSI_F },
		{ VA(4, 3), GMAP_DAT_FETCH, GMAP_PIC_TRANSLATION_SPEC, 0 },
		{ VA(7, 0), GMAP_DAT_FETCH, GMAP_PIC_ADDRESSING, 0 },
		{ VA(4, 6) + 1, GMAP_DAT_FETCH, GMAP_PIC_ADDRESSING, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_exc(f, &v, &cases[i]);

	/* The home space shows in TEID bits 62-63. */
	v.as = GMAP_AS_HOME;
	expect_exc(f, &v, &(struct exc_case){ VA(4, 2), GMAP_DAT_FETCH,
					       GMAP_PIC_PAGE_TRANSLATION,
					       VA(4, 2) | FSI_F | GMAP_AS_HOME });
	/* Without ESOP-2 no fetch/store indication. */
	v.as = GMAP_AS_PRIMARY;
	v.facilities = GMAP_FAC_EDAT1 | GMAP_FAC_ESOP1;
	expect_exc(f, &v, &(struct exc_case){ VA(4, 2), GMAP_DAT_STORE,
					       GMAP_PIC_PAGE_TRANSLATION, VA(4, 2) });

	/* A region-third ASCE cannot reach an address with RFX or RSX bits:
	 * ASCE-type; a region-first ASCE with TL 0 not RFX 0x200. */
	v = vcpu_dat();
	v.asce = gmap_asce_mk(G_R3T, GMAP_TT_REGION3, 3, 0);
	expect_exc(f, &v, &(struct exc_case){ 1ULL << 42, GMAP_DAT_FETCH, GMAP_PIC_ASCE_TYPE,
					       (1ULL << 42) | FSI_F });
	v.asce = gmap_asce_mk(G_R1T, GMAP_TT_REGION1, 0, 0);
	expect_exc(f, &v, &(struct exc_case){ 0x200ULL << 53, GMAP_DAT_FETCH,
					       GMAP_PIC_REGION_FIRST, (0x200ULL << 53) | FSI_F });
}

/* A store whose second page does not translate stores nothing at all. */
static void virt_store_suppressed_by_later_page(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint8_t in[16], old;
	uint64_t teid = 0;

	memset(in, 0xee, sizeof(in));
	gread(f, 0x201ff8, &old, 1);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 1) + 0xff8, in, 16, GMAP_DAT_STORE,
					&teid), GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(teid, VA(4, 2) | FSI_S);
	for (int i = 0; i < 8; i++)
		assert_int_equal(host_byte(f, 0x201ff8 + i), 0);
}

/* DAT off: the real address is prefixed (PoP 3.3.3), both ways; a
 * real-space ASCE does the same with DAT on; a page frame of real page 0
 * is prefixed by the walk. */
static void virt_real_and_prefixing(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_real();
	uint8_t a = 0xa1, b = 0xb2, c = 0xc3, r = 0;
	uint64_t ga = 0;

	assert_int_equal(gmap_gacc_virt(f->gmap, &v, 0x10, &a, 1, GMAP_DAT_STORE, NULL), 0);
	assert_int_equal(host_byte(f, G_PREFIX + 0x10), 0xa1);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, G_PREFIX + 0x1010, &b, 1, GMAP_DAT_STORE,
					NULL), 0);
	assert_int_equal(host_byte(f, 0x1010), 0xb2);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, 0x3000, &c, 1, GMAP_DAT_STORE, NULL), 0);
	assert_int_equal(host_byte(f, 0x3000), 0xc3);
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, 0x1fff, GMAP_DAT_FETCH, &ga, NULL), 0);
	assert_int_equal(ga, G_PREFIX + 0x1fff);

	v.flags = GMAP_GACC_DAT;
	v.asce = gmap_asce_mk(0, GMAP_TT_SEGMENT, 0, GMAP_ASCE_R);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, 0x10, &r, 1, GMAP_DAT_FETCH, NULL), 0);
	assert_int_equal(r, 0xa1);

	v = vcpu_dat();
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 7) + 0x10, &r, 1, GMAP_DAT_FETCH,
					NULL), 0);
	assert_int_equal(r, 0xa1);
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 7) + 0x10, GMAP_DAT_FETCH, &ga,
					     NULL), 0);
	assert_int_equal(ga, G_PREFIX + 0x10);
}

/* A real address outside the gmap: addressing exception, no TEID. */
static void virt_real_addressing(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_real();
	uint64_t teid = ~0ULL, buf = 0;

	gread(f, GSIZE - 4, &buf, 4);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, GSIZE, &buf, 8, GMAP_DAT_FETCH, &teid),
			 GMAP_PIC_ADDRESSING);
	assert_int_equal(teid, 0);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, GSIZE - 4, &buf, 8, GMAP_DAT_STORE, &teid),
			 GMAP_PIC_ADDRESSING);
	assert_int_equal(host_byte(f, GSIZE - 4), 0);
}

/* The guest's tables are read through the gmap and fault in: after the
 * gmap lost its link to the tables' segment, a walk links it again. */
static void virt_tables_fault_in(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	gmap_crste_t *ste;
	uint64_t ga = 0;

	assert_int_equal(gmap_unmap_segment(f->gmap, SEG, SEG), 0);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE + SEG, SEG, SEG), 0);
	ste = gmap_table_walk(f->gmap, G_R1T, GMAP_TT_SEGMENT);
	assert_true(!ste || (ste->val & GMAP_CRSTE_I));
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 1), GMAP_DAT_FETCH, &ga, NULL), 0);
	assert_int_equal(ga, 0x201000);
	ste = gmap_table_walk(f->gmap, G_R1T, GMAP_TT_SEGMENT);
	assert_non_null(ste);
	assert_false(ste->val & GMAP_CRSTE_I);
}

/* A host that refuses the page of a guest table is a host error, not an
 * addressing exception for the guest. */
static void virt_host_error_in_walk(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint64_t ga = 0, buf;

	assert_int_equal(gmap_mm_mprotect(f->mm, HBASE + G_PT, PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 1), GMAP_DAT_FETCH, &ga, NULL),
			 -EFAULT);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 1), &buf, 8, GMAP_DAT_FETCH, NULL),
			 -EFAULT);
	/* A data page the host keeps read-only: fetches work, stores fail. */
	assert_int_equal(gmap_mm_mprotect(f->mm, HBASE + G_PT, PG,
					  GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE), 0);
	assert_int_equal(gmap_mm_mprotect(f->mm, HBASE + 0x203000, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0), &buf, 8, GMAP_DAT_FETCH, NULL), 0);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0), &buf, 8, GMAP_DAT_STORE, NULL),
			 -EFAULT);
}

static void virt_bad_arguments(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint64_t ga, buf;

	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0), NULL, GMAP_GACC_MAX_LEN + 1,
					GMAP_DAT_FETCH, NULL), -EINVAL);
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0), &buf, GMAP_GACC_MAX_LEN + 1,
					GMAP_DAT_FETCH, NULL), -E2BIG);
	assert_int_equal(gmap_gacc_virt(f->gmap, NULL, VA(4, 0), &buf, 8, GMAP_DAT_FETCH, NULL),
			 -EINVAL);
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 0), GMAP_DAT_FETCH, NULL, NULL),
			 -EINVAL);
	assert_int_equal(gmap_gacc_translate(NULL, &v, VA(4, 0), GMAP_DAT_FETCH, &ga, NULL),
			 -EINVAL);
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 0), (enum gmap_dat_access)3, &ga,
					     NULL), -EINVAL);
	v.flags = 0x10;
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 0), GMAP_DAT_FETCH, &ga, NULL),
			 -EINVAL);
	v = vcpu_dat();
	v.key = 16;
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 0), GMAP_DAT_FETCH, &ga, NULL),
			 -EINVAL);
	v = vcpu_dat();
	v.as = 4;
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 0), GMAP_DAT_FETCH, &ga, NULL),
			 -EINVAL);
	v = vcpu_dat();
	v.cpu = 1;
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0), &buf, 8, GMAP_DAT_FETCH, NULL),
			 -EINVAL);
	v = vcpu_dat();
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0), NULL, 0, GMAP_DAT_FETCH, NULL), 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(virt_bytes_cross_pages, virt_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(virt_edat1_frame, virt_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(virt_edat2_frame, virt_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(virt_exceptions_at_every_level, virt_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(virt_store_suppressed_by_later_page, virt_setup,
					fx_teardown),
	cmocka_unit_test_setup_teardown(virt_real_and_prefixing, virt_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(virt_real_addressing, virt_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(virt_tables_fault_in, virt_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(virt_host_error_in_walk, virt_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(virt_bad_arguments, virt_setup, fx_teardown),
};

const struct test_group gaccess_virt_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
