// SPDX-License-Identifier: MIT
/*
 * Guest storage keys against the PoP (SSKE with MR/MC, ISKE, RRBE
 * condition codes), on mapped pages (real key + PGSTE) and on unmapped
 * ones (PGSTE only), with the exact PGSTE words.
 */
#include <errno.h>

#include "test-pgste.h"

#define RW	(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)
#define KEY(k)	((uint64_t)(k) << 56)

static uint8_t key_of(struct fx *f, uint64_t haddr)
{
	uint8_t key = 0xff;

	assert_int_equal(gmap_pgste_get_key(f->mm, haddr, &key), 0);
	return key;
}

static void sske_on_a_mapped_page_sets_the_real_key(void **state)
{
	struct fx *f = *state;

	map_fault(f, BASE, PG, frame(f, 0), RW, GMAP_DAT_FETCH);
	/* The machine referenced and changed the frame. */
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), GMAP_SKEY_R | GMAP_SKEY_C, 0,
					NULL), 0);
	assert_int_equal(key_of(f, BASE), 0x06);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x38, false), 0);
	/* Real key: ACC 3, F, R/C cleared; the old R/C go to HR/HC. */
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0x38);
	assert_int_equal(pgste_of(f, BASE), KEY(0x38) | GMAP_PGSTE_HR | GMAP_PGSTE_HC |
						    GMAP_PGSTE_UC);
	assert_int_equal(key_of(f, BASE), 0x38);
	/* The guest's R and C come from the real key while mapped. */
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), 0x3c, 0, NULL), 0);
	assert_int_equal(key_of(f, BASE), 0x3c);
	/* Setting the same key again is no change of the page. */
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_UC, 0), 0);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x38, true), 0);
	assert_int_equal(pgste_of(f, BASE), KEY(0x38) | GMAP_PGSTE_HR | GMAP_PGSTE_HC);
	/* Bit 0x01 is not part of the key. */
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x39, false), 0);
	assert_int_equal(key_of(f, BASE), 0x38);
}

static void sske_on_an_unmapped_page_keeps_the_key_in_the_pgste(void **state)
{
	struct fx *f = *state;
	size_t bytes = gmap_mm_table_bytes(f->mm);

	assert_int_equal(gmap_mm_map(f->mm, BASE, 2 * PG, frame(f, 0), RW), 0);
	/* Key 0 without a page table: nothing to do, nothing allocated. */
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0, false), 0);
	assert_int_equal(gmap_mm_table_bytes(f->mm), bytes);
	assert_int_equal(key_of(f, BASE), 0);
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE), 0);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE + SEG, 0x10, false), -EFAULT);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x36, false), 0);
	assert_int_equal(gmap_mm_table_bytes(f->mm), bytes + MM_CRST_BYTES + 2 * GMAP_PT_SIZE);
	assert_int_equal(pte_of(f, BASE), GMAP_MM_PTE_NONE);
	assert_int_equal(pgste_of(f, BASE), KEY(0x30) | GMAP_PGSTE_GR | GMAP_PGSTE_GC |
						    GMAP_PGSTE_UC);
	assert_int_equal(key_of(f, BASE), 0x36);
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0);
	/* Mapping it in hands the key to the frame. */
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0x36);
	assert_int_equal(key_of(f, BASE), 0x36);
	/* And unmapping it takes it back, with what the machine did. */
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), 0x50, 0, NULL), 0);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, PG), 0);
	assert_int_equal(pgste_of(f, BASE), KEY(0x50) | GMAP_PGSTE_GR | GMAP_PGSTE_GC |
						    GMAP_PGSTE_UC);
	assert_int_equal(key_of(f, BASE), 0x56);
}

static void conditional_sske_changes_only_what_must_change(void **state)
{
	struct fx *f = *state;
	const unsigned int mr = GMAP_PGSTE_KEY_MR, mc = GMAP_PGSTE_KEY_MC;
	uint8_t old = 0xff;

	map_fault(f, BASE, PG, frame(f, 0), RW, GMAP_DAT_FETCH);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE, 0x30, false), 0);
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), 0x36, 0, NULL), 0);
	/* Only R and C differ, both may stay: nothing is stored. */
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE, 0x30, &old, mr | mc), 0);
	assert_int_equal(old, 0x36);
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0x36);
	/* C may not stay: stored, and R/C are cleared with the store. */
	old = 0xff;
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE, 0x30, &old, mr), 1);
	assert_int_equal(old, 0x36);
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0x30);
	assert_int_equal(key_of(f, BASE), 0x30);
	/* ACC differs: always stored. */
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE, 0x40, &old, mr | mc), 1);
	assert_int_equal(old, 0x30);
	assert_int_equal(key_of(f, BASE), 0x40);
	/* Without MR and MC: the unconditional SSKE; the old key is not asked. */
	old = 0xff;
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE, 0x40, &old, 0), 1);
	assert_int_equal(old, 0xff);
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE, 0x40, &old, 8), -EINVAL);
	/* No page table: key 0, nothing to store for a zero key. */
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE + SEG, 0x04, &old, mr), 0);
	assert_int_equal(old, 0);
	assert_int_equal(gmap_pgste_cond_set_key(f->mm, BASE + SEG, 0x10, &old, mr), -EFAULT);
}

static void rrbe_returns_the_guests_r_and_c(void **state)
{
	struct fx *f = *state;

	map_fault(f, BASE, PG, frame(f, 0), GMAP_MM_PROT_READ, GMAP_DAT_FETCH);
	assert_int_equal(pgste_of(f, BASE), 0);
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), 0x14, 0, NULL), 0);
	/* R=1 C=0: cc 2; the real R goes, HR remembers it. */
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE), 2);
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0x10);
	assert_int_equal(pgste_of(f, BASE), GMAP_PGSTE_HR);
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE), 0);
	assert_int_equal(gmap_arch_sske(f->arch, 0, frame(f, 0), 0x12, 0, NULL), 0);
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE), 1);
	/* Unmapped with GR and GC in the PGSTE: cc 3, GR cleared, UC set. */
	assert_int_equal(gmap_mm_map(f->mm, BASE + PG, PG, 0, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE + PG, 0x06, false), 0);
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE + PG, GMAP_PGSTE_UC, 0), 0);
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE + PG), 3);
	assert_int_equal(pgste_of(f, BASE + PG), GMAP_PGSTE_GC | GMAP_PGSTE_UC);
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE + PG), 1);
	assert_int_equal(key_of(f, BASE + PG), 0x02);
}

static void a_mapped_pages_key_merges_the_pgstes_history(void **state)
{
	struct fx *f = *state;

	map_fault(f, BASE, PG, frame(f, 0), RW, GMAP_DAT_FETCH);
	/* GC survives in the PGSTE although the real key has no C. */
	assert_int_equal(gmap_pgste_set_bits(f->mm, BASE, GMAP_PGSTE_GC, GMAP_PGSTE_GC), 0);
	assert_int_equal(gmap_arch_iske(f->arch, frame(f, 0)), 0);
	assert_int_equal(key_of(f, BASE), GMAP_SKEY_C);
	assert_int_equal(gmap_pgste_reset_reference(f->mm, BASE), 1);
}

#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, NULL)

static const struct CMUnitTest tests[] = {
	T(sske_on_a_mapped_page_sets_the_real_key),
	T(sske_on_an_unmapped_page_keeps_the_key_in_the_pgste),
	T(conditional_sske_changes_only_what_must_change),
	T(rrbe_returns_the_guests_r_and_c),
	T(a_mapped_pages_key_merges_the_pgstes_history),
};

const struct test_group pgste_skey_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
