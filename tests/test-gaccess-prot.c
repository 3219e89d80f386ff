// SPDX-License-Identifier: MIT
/*
 * gaccess suite, protection of virtual accesses in the PoP's order:
 * low-address protection (both ranges, stores only, off for a private
 * space under DAT, before translation), DAT protection from page and
 * segment entries, instruction-execution protection, key-controlled
 * protection against the storage key or an EDAT-1 frame's ACC/F with
 * AV, fetch protection and its override, storage-protection override,
 * and termination of a keyed store on a later page. Every exception is
 * checked with its exact TEID (ESOP-1 bits 56 / 60 / 61).
 */
#include <errno.h>
#include <string.h>

#include "test-gaccess.h"

#define FSI_F	GMAP_TEID_FSI_FETCH
#define FSI_S	GMAP_TEID_FSI_STORE

static int prot_setup(void **state)
{
	fx_setup(state);
	guest_tables(*state);
	return 0;
}

/* Access @len bytes at @va; expect @pic and, for an exception, @teid. */
static void expect(struct fx *f, const struct gmap_gacc_cpu *v, uint64_t va, size_t len,
		   enum gmap_dat_access access, int pic, uint64_t teid)
{
	uint8_t buf[16] = { 0 };
	uint64_t got = ~0ULL;

	assert_int_equal(gmap_gacc_virt(f->gmap, v, va, buf, len, access, &got), pic);
	if (pic)
		assert_int_equal(got, teid);
	else
		assert_int_equal(got, ~0ULL);
}

/* Stores to real 0-511 and 4096-4607 with CR0 LAP: protection, TEID
 * bit 56, nothing stored; 512 and 4608 are outside; fetches pass; LAP
 * off passes. Checked on the address before prefixing. */
static void lap_both_ranges_stores_only(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_real();
	uint8_t probe;

	v.flags |= GMAP_GACC_LAP;
	gread(f, G_PREFIX, &probe, 1);
	expect(f, &v, 0x0, 1, GMAP_DAT_STORE, GMAP_PIC_PROTECTION, FSI_S | GMAP_TEID_B56);
	expect(f, &v, 0x1ff, 1, GMAP_DAT_STORE, GMAP_PIC_PROTECTION, FSI_S | GMAP_TEID_B56);
	expect(f, &v, 0x1000, 8, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       0x1000 | FSI_S | GMAP_TEID_B56);
	expect(f, &v, 0x11ff, 1, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       0x1000 | FSI_S | GMAP_TEID_B56);
	assert_int_equal(host_byte(f, G_PREFIX), 0);
	expect(f, &v, 0x200, 8, GMAP_DAT_STORE, 0, 0);
	expect(f, &v, 0x1200, 8, GMAP_DAT_STORE, 0, 0);
	expect(f, &v, 0x100, 8, GMAP_DAT_FETCH, 0, 0);
	expect(f, &v, 0x1100, 8, GMAP_DAT_IFETCH, 0, 0);
	/* A store that reaches the second range on its second page is
	 * suppressed whole. */
	expect(f, &v, 0xff8, 16, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       0x1000 | FSI_S | GMAP_TEID_B56);
	/* Without ESOP-1 the cause bits stay zero. */
	v.facilities = GMAP_FAC_EDAT1;
	expect(f, &v, 0x10, 1, GMAP_DAT_STORE, GMAP_PIC_PROTECTION, 0);
	v.flags &= ~GMAP_GACC_LAP;
	expect(f, &v, 0x10, 1, GMAP_DAT_STORE, 0, 0);
}

/* Under DAT, LAP comes before translation; a private-space ASCE turns it
 * off, leaving the translation exception of the walk. */
static void lap_before_dat_not_private(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();

	v.flags |= GMAP_GACC_LAP;
	expect(f, &v, 0x100, 1, GMAP_DAT_STORE, GMAP_PIC_PROTECTION, FSI_S | GMAP_TEID_B56);
	v.asce.val |= GMAP_ASCE_P;
	expect(f, &v, 0x100, 1, GMAP_DAT_STORE, GMAP_PIC_REGION_FIRST, FSI_S);
}

/* DAT protection of a page or a segment entry stops stores (TEID bit
 * 61), not fetches. */
static void dat_protection_page_and_segment(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint8_t probe;

	gread(f, 0x205000, &probe, 1);
	expect(f, &v, VA(4, 4) + 0x10, 4, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       VA(4, 4) | FSI_S | GMAP_TEID_B61);
	assert_int_equal(host_byte(f, 0x205010), 0);
	expect(f, &v, VA(4, 4) + 0x10, 4, GMAP_DAT_FETCH, 0, 0);
	expect(f, &v, VA(6, 0), 4, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       VA(6, 0) | FSI_S | GMAP_TEID_B61);
	expect(f, &v, VA(6, 1), 4, GMAP_DAT_FETCH, 0, 0);
}

/* IEP stops instruction fetches (TEID bits 56 and 61) with the facility
 * on; without it, bit 55 is the change-recording override of EDAT-1. */
static void iep_instruction_fetch(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();

	expect(f, &v, VA(4, 5), 2, GMAP_DAT_IFETCH, GMAP_PIC_PROTECTION,
	       VA(4, 5) | FSI_F | GMAP_TEID_B56 | GMAP_TEID_B61);
	expect(f, &v, VA(4, 5), 2, GMAP_DAT_FETCH, 0, 0);
	expect(f, &v, VA(4, 5), 2, GMAP_DAT_STORE, 0, 0);
	v.facilities = GMAP_FAC_EDAT1 | GMAP_FAC_ESOP1 | GMAP_FAC_ESOP2;
	expect(f, &v, VA(4, 5), 2, GMAP_DAT_IFETCH, 0, 0);
}

/* The PSW key against the page's storage key: TEID bit 60. */
static void key_against_storage_key(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint64_t ga = 0, teid = 0;
	uint8_t probe;

	gread(f, 0x203000, &probe, 1);
	set_skey(f, 0x203000, 0x50);
	v.key = 3;
	expect(f, &v, VA(4, 0) + 8, 4, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       VA(4, 0) | FSI_S | GMAP_TEID_B60);
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 0) + 8, GMAP_DAT_STORE, &ga,
					     &teid), GMAP_PIC_PROTECTION);
	assert_int_equal(teid, VA(4, 0) | FSI_S | GMAP_TEID_B60);
	expect(f, &v, VA(4, 0) + 8, 4, GMAP_DAT_FETCH, 0, 0);
	v.key = 5;
	expect(f, &v, VA(4, 0) + 8, 4, GMAP_DAT_STORE, 0, 0);
	assert_int_equal(gmap_gacc_translate(f->gmap, &v, VA(4, 0) + 8, GMAP_DAT_STORE, &ga,
					     NULL), 0);
	assert_int_equal(ga, 0x203008);

	set_skey(f, 0x203000, 0x58);
	v.key = 3;
	expect(f, &v, VA(4, 0) + 8, 4, GMAP_DAT_FETCH, GMAP_PIC_PROTECTION,
	       VA(4, 0) | FSI_F | GMAP_TEID_B60);
	expect(f, &v, VA(4, 0) + 8, 4, GMAP_DAT_IFETCH, GMAP_PIC_PROTECTION,
	       VA(4, 0) | FSI_F | GMAP_TEID_B60);
	v.key = 0;
	expect(f, &v, VA(4, 0) + 8, 4, GMAP_DAT_STORE, 0, 0);
}

/* An EDAT-1 frame entry with AV supplies ACC and F instead of the
 * storage key (ACC 6, F on, storage key ACC 7); without AV the storage
 * key counts. */
static void key_from_edat1_frame_with_av(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint8_t probe;

	gread(f, 0x312000, &probe, 1);
	set_skey(f, 0x312000, 0x70);
	v.key = 7;
	expect(f, &v, VA(5, 0x12), 4, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       VA(5, 0x12) | FSI_S | GMAP_TEID_B60);
	expect(f, &v, VA(5, 0x12), 4, GMAP_DAT_FETCH, GMAP_PIC_PROTECTION,
	       VA(5, 0x12) | FSI_F | GMAP_TEID_B60);
	expect(f, &v, VA(9, 0x12), 4, GMAP_DAT_STORE, 0, 0);
	v.key = 6;
	expect(f, &v, VA(5, 0x12), 4, GMAP_DAT_STORE, 0, 0);
	expect(f, &v, VA(9, 0x12), 4, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       VA(9, 0x12) | FSI_S | GMAP_TEID_B60);
	/* The storage key's F is off: a fetch through the entry without AV
	 * passes. */
	expect(f, &v, VA(9, 0x12), 4, GMAP_DAT_FETCH, 0, 0);
}

/* Fetch-protection override (CR0 bit 38): fetches wholly within
 * effective 0-2047 pass a fetch-protected page; not stores, not beyond
 * 2047, not with a private space under DAT. */
static void fetch_protection_override(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_real();
	uint8_t probe;

	gread(f, G_PREFIX, &probe, 1);
	set_skey(f, G_PREFIX, 0x58);
	v.key = 3;
	expect(f, &v, 0x100, 8, GMAP_DAT_FETCH, GMAP_PIC_PROTECTION, FSI_F | GMAP_TEID_B60);
	v.flags |= GMAP_GACC_FPO;
	expect(f, &v, 0x100, 8, GMAP_DAT_FETCH, 0, 0);
	expect(f, &v, 0x7f8, 8, GMAP_DAT_FETCH, 0, 0);
	expect(f, &v, 0x7fc, 8, GMAP_DAT_FETCH, GMAP_PIC_PROTECTION, FSI_F | GMAP_TEID_B60);
	expect(f, &v, 0x800, 8, GMAP_DAT_FETCH, GMAP_PIC_PROTECTION, FSI_F | GMAP_TEID_B60);
	expect(f, &v, 0x100, 8, GMAP_DAT_STORE, GMAP_PIC_PROTECTION, FSI_S | GMAP_TEID_B60);
	/* Under DAT with a private space the override does not apply: a
	 * real-space ASCE with P reaches the same page. */
	v.flags |= GMAP_GACC_DAT;
	v.asce = gmap_asce_mk(0, GMAP_TT_SEGMENT, 0, GMAP_ASCE_R);
	expect(f, &v, 0x100, 8, GMAP_DAT_FETCH, 0, 0);
	v.asce.val |= GMAP_ASCE_P;
	expect(f, &v, 0x100, 8, GMAP_DAT_FETCH, GMAP_PIC_PROTECTION, FSI_F | GMAP_TEID_B60);
}

/* Storage-protection override (CR0 bit 39): any key reaches storage of
 * ACC 9, and only that. */
static void storage_protection_override(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint8_t probe;

	gread(f, 0x203000, &probe, 1);
	gread(f, 0x201000, &probe, 1);
	set_skey(f, 0x203000, 0x98);
	set_skey(f, 0x201000, 0x58);
	v.key = 3;
	expect(f, &v, VA(4, 0), 4, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       VA(4, 0) | FSI_S | GMAP_TEID_B60);
	v.flags |= GMAP_GACC_SPO;
	expect(f, &v, VA(4, 0), 4, GMAP_DAT_STORE, 0, 0);
	expect(f, &v, VA(4, 0), 4, GMAP_DAT_FETCH, 0, 0);
	expect(f, &v, VA(4, 1), 4, GMAP_DAT_STORE, GMAP_PIC_PROTECTION,
	       VA(4, 1) | FSI_S | GMAP_TEID_B60);
}

/* A keyed store whose second page is protected stores its first part and
 * is terminated: TEID without bits 56, 60, 61. A fetch is suppressed as
 * usual (bit 60 kept). */
static void key_store_terminated_on_later_page(void **state)
{
	struct fx *f = *state;
	struct gmap_gacc_cpu v = vcpu_dat();
	uint8_t in[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[8], zero[8] = { 0 };
	uint64_t teid = 0;

	gwrite(f, 0x203ffc, zero, 4);
	gwrite(f, 0x201000, zero, 4);
	set_skey(f, 0x203000, 0x30);
	set_skey(f, 0x201000, 0x58);
	v.key = 3;
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0) + 0xffc, in, 8, GMAP_DAT_STORE,
					&teid), GMAP_PIC_PROTECTION);
	assert_int_equal(teid, VA(4, 1) | FSI_S);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(host_byte(f, 0x203ffc + i), i + 1);
		assert_int_equal(host_byte(f, 0x201000 + i), 0);
	}
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 0) + 0xffc, out, 8, GMAP_DAT_FETCH,
					&teid), GMAP_PIC_PROTECTION);
	assert_int_equal(teid, VA(4, 1) | FSI_F | GMAP_TEID_B60);
	/* A store protected on its first page is suppressed: bit 60 kept. */
	assert_int_equal(gmap_gacc_virt(f->gmap, &v, VA(4, 1), in, 8, GMAP_DAT_STORE, &teid),
			 GMAP_PIC_PROTECTION);
	assert_int_equal(teid, VA(4, 1) | FSI_S | GMAP_TEID_B60);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(lap_both_ranges_stores_only, prot_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(lap_before_dat_not_private, prot_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(dat_protection_page_and_segment, prot_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(iep_instruction_fetch, prot_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(key_against_storage_key, prot_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(key_from_edat1_frame_with_av, prot_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(fetch_protection_override, prot_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(storage_protection_override, prot_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(key_store_terminated_on_later_page, prot_setup,
					fx_teardown),
};

const struct test_group gaccess_prot_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
