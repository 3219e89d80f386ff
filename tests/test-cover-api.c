// SPDX-License-Identifier: MIT
/*
 * cover suite: the public API's edges that the layer suites do not reach
 * (found by the coverage route, .ci/coverage.sh): every argument check of
 * the arch dispatcher, with the state shown unchanged afterwards; option
 * fields beyond the caller's sz; table allocation refusals and failures,
 * and frees of NULL; gmap_pic_name() and gmap_version().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <libgmap/libgmap.h>

#define VA	0x5123ULL	/* page 5 of segment 0 */

/*
 * struct fx - a strict two-CPU soft backend whose CPU 0 has one TLB entry:
 * segment table @sgt, page table @pt, page 5 mapped to @frame.
 */
struct fx {
	struct gmap_arch *arch;
	gmap_crste_t *sgt;
	gmap_pte_t *pt;
	void *frame;
	gmap_asce_t asce;
};

static int setup(void **state)
{
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .ncpus = 2, .strict = true);
	struct gmap_dat_result res;
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(gmap_arch_soft_create(&o, &f->arch), 0);
	f->sgt = gmap_arch_alloc_crst(f->arch, GMAP_TT_SEGMENT, 0);
	f->pt = gmap_arch_alloc_pgtable(f->arch);
	f->frame = gmap_arch_alloc(f->arch, GMAP_PAGE_SIZE, GMAP_PAGE_SIZE);
	assert_true(f->sgt && f->pt && f->frame);
	f->sgt[0] = gmap_crste_mk_table(gmap_arch_virt_to_real(f->arch, f->pt), GMAP_TT_SEGMENT,
					0, 0, 0);
	f->pt[5] = gmap_pte_mk(gmap_arch_virt_to_real(f->arch, f->frame), 0);
	f->asce = gmap_asce_mk(gmap_arch_virt_to_real(f->arch, f->sgt), GMAP_TT_SEGMENT, 0, 0);
	gmap_arch_load_asce(f->arch, 0, f->asce);
	gmap_arch_load_asce(f->arch, 1, f->asce);
	assert_int_equal(gmap_arch_translate(f->arch, 0, VA, GMAP_DAT_FETCH, 0, &res), 0);
	assert_int_equal(res.pic, GMAP_PIC_NONE);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	gmap_arch_free(f->arch, f->frame, GMAP_PAGE_SIZE);
	gmap_arch_free_pgtable(f->arch, f->pt);
	gmap_arch_free_crst(f->arch, f->sgt, 0);
	gmap_arch_destroy(f->arch);
	free(f);
	return 0;
}

/* The fixture as setup() left it: entries, TLB and ASCEs. */
static void expect_untouched(const struct fx *f, uint64_t pte, uint64_t crste)
{
	assert_int_equal(f->pt[5].val, pte);
	assert_int_equal(f->sgt[0].val, crste);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	assert_int_equal(gmap_arch_get_asce(f->arch, 0).val, f->asce.val);
	assert_int_equal(gmap_arch_get_asce(f->arch, 1).val, f->asce.val);
}

/* A bad invalidation is a caller bug: nothing happens, no entry is set
 * invalid, no TLB entry is purged. */
static void bad_invalidations_change_nothing(void **state)
{
	struct fx *f = *state;
	uint64_t pte = f->pt[5].val, crste = f->sgt[0].val;
	uint64_t word = crste;

	gmap_arch_ipte(f->arch, 2, f->asce, VA, &f->pt[5], 1, 0);
	gmap_arch_ipte(f->arch, 0, f->asce, VA, NULL, 1, 0);
	gmap_arch_ipte(f->arch, 0, f->asce, VA, &f->pt[5], 0, 0);
	gmap_arch_ipte(f->arch, 0, f->asce, 0, &f->pt[0], GMAP_PT_ENTRIES + 1, 0);
	/* Page 5 and 252 more would run past the table's 256 ptes. */
	gmap_arch_ipte(f->arch, 0, f->asce, VA, &f->pt[5], GMAP_PT_ENTRIES - 4, 0);
	gmap_arch_ipte(f->arch, 0, f->asce, VA, &f->pt[5], 1, GMAP_INV_NODAT);
	expect_untouched(f, pte, crste);

	gmap_arch_idte(f->arch, 2, f->asce, VA, &f->sgt[0], 0);
	gmap_arch_idte(f->arch, 0, f->asce, VA, NULL, 0);
	gmap_arch_idte(f->arch, 0, f->asce, VA, &f->sgt[0], 1u << 7);
	gmap_arch_idte_asce(f->arch, 2, f->asce, 0);
	gmap_arch_idte_asce(f->arch, 0, f->asce, GMAP_INV_NODAT);
	gmap_arch_ptlb(f->arch, 2);
	expect_untouched(f, pte, crste);

	assert_false(gmap_arch_csp(f->arch, 2, &word, crste, 0));
	assert_false(gmap_arch_csp(f->arch, 0, NULL, crste, 0));
	assert_int_equal(word, crste);
	expect_untouched(f, pte, crste);
}

/* The same calls with good arguments do act: the checks above are not
 * blanket refusals. */
static void good_invalidations_act(void **state)
{
	struct fx *f = *state;
	uint64_t pte = f->pt[5].val;

	gmap_arch_ipte(f->arch, 1, f->asce, VA, &f->pt[5], 1, GMAP_INV_LOCAL);
	assert_int_equal(f->pt[5].val, pte | GMAP_PTE_I);
	/* Local to CPU 1: CPU 0 keeps its entry. */
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 1);
	gmap_arch_ptlb(f->arch, 0);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 0), 0);
}

static void bad_cpu_or_result_is_einval(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result res;
	gmap_asce_t other = gmap_asce_mk(0x7000, GMAP_TT_REGION3, 1, 0);
	uint8_t old = 0x55;

	assert_int_equal(gmap_arch_translate(f->arch, 2, VA, GMAP_DAT_FETCH, 0, &res), -EINVAL);
	assert_int_equal(gmap_arch_translate(f->arch, 0, VA, GMAP_DAT_IFETCH + 1, 0, &res),
			 -EINVAL);
	assert_int_equal(gmap_arch_translate(f->arch, 0, VA, GMAP_DAT_FETCH, 0, NULL), -EINVAL);
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 2, f->asce, VA, &res), -EINVAL);
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 0, f->asce, VA, NULL), -EINVAL);
	assert_int_equal(gmap_arch_tlb_count(f->arch, 2), -EINVAL);
	assert_int_equal(gmap_arch_sske(f->arch, 2, 0x1000, 0x10, 0, &old), -EINVAL);
	assert_int_equal(old, 0x55);
	assert_int_equal(gmap_arch_iske(f->arch, 0x1000), 0);

	/* A bad CPU neither loads an ASCE nor has one. */
	gmap_arch_load_asce(f->arch, 2, other);
	assert_int_equal(gmap_arch_get_asce(f->arch, 2).val, 0);
	expect_untouched(f, f->pt[5].val, f->sgt[0].val);
	assert_int_equal(gmap_arch_tlb_lookup(f->arch, 0, f->asce, VA, &res), 1);
	assert_int_equal(res.addr, gmap_arch_virt_to_real(f->arch, f->frame) | (VA & 0xfff));
}

/* Fields past the caller's sz are not read: an older caller's struct
 * ends there, whatever lies beyond. */
static void fields_beyond_sz_are_ignored(void **state)
{
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .ncpus = 5, .strict = true,
					    .facilities = GMAP_FAC_EDAT1, .tlb_entries = 3);
	struct gmap_dat_result res;
	struct gmap_arch *a;
	gmap_crste_t *sgt;
	gmap_pte_t *pt;

	(void)state;
	o.sz = offsetof(struct gmap_arch_opts, ncpus);
	assert_int_equal(gmap_arch_soft_create(&o, &a), 0);
	assert_int_equal(gmap_arch_ncpus(a), 1);
	assert_int_equal(gmap_arch_facilities(a), GMAP_FAC_ALL);

	/* Not strict: a pte changed without IPTE shows at once. */
	sgt = gmap_arch_alloc_crst(a, GMAP_TT_SEGMENT, 0);
	pt = gmap_arch_alloc_pgtable(a);
	assert_true(sgt && pt);
	sgt[0] = gmap_crste_mk_table(gmap_arch_virt_to_real(a, pt), GMAP_TT_SEGMENT, 0, 0, 0);
	pt[1] = gmap_pte_mk(0x40000, 0);
	gmap_arch_load_asce(a, 0, gmap_asce_mk(gmap_arch_virt_to_real(a, sgt), GMAP_TT_SEGMENT,
					       0, 0));
	assert_int_equal(gmap_arch_translate(a, 0, 0x1008, GMAP_DAT_FETCH, 0, &res), 0);
	assert_int_equal(res.addr, 0x40008);
	pt[1] = gmap_pte_mk(0x80000, 0);
	assert_int_equal(gmap_arch_translate(a, 0, 0x1008, GMAP_DAT_FETCH, 0, &res), 0);
	assert_int_equal(res.addr, 0x80008);
	gmap_arch_free_pgtable(a, pt);
	gmap_arch_free_crst(a, sgt, 0);
	gmap_arch_destroy(a);

	/* Not even sz itself: refused. */
	o.sz = sizeof(size_t) - 1;
	a = NULL;
	assert_int_equal(gmap_arch_soft_create(&o, &a), -EINVAL);
	assert_null(a);
}

/* An allocation hook that fails every call, counting them. */
static void *failing_alloc(void *priv, size_t size, size_t align)
{
	(void)size;
	(void)align;
	(*(unsigned int *)priv)++;
	return NULL;
}

static void never_free(void *priv, void *ptr, size_t size)
{
	(void)priv;
	(void)ptr;
	(void)size;
	fail_msg("free of memory that was never allocated");
}

static void table_allocation_refusals_and_failures(void **state)
{
	static const struct gmap_alloc_ops failing = { failing_alloc, never_free };
	struct fx *f = *state;
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts);
	struct gmap_arch *a = NULL;
	unsigned int calls = 0;

	/* Bad table type or length: refused before allocating. */
	assert_null(gmap_arch_alloc_crst(f->arch, (enum gmap_dat_tt)4, 0));
	assert_null(gmap_arch_alloc_crst(f->arch, GMAP_TT_SEGMENT, 4));
	gmap_arch_free_crst(f->arch, NULL, 0);
	gmap_arch_free_pgtable(f->arch, NULL);
	gmap_arch_free(f->arch, NULL, 64);
	gmap_arch_destroy(NULL);

	/* The hook fails the backend's own allocation: -ENOMEM. */
	o.alloc = &failing;
	o.alloc_priv = &calls;
	assert_int_equal(gmap_arch_soft_create(&o, &a), -ENOMEM);
	assert_null(a);
	assert_int_equal(calls, 1);
}

static void pic_names_are_the_pops(void **state)
{
	static const struct {
		unsigned int pic;
		const char *name;
	} names[] = {
		{ GMAP_PIC_NONE, "none" },
		{ GMAP_PIC_PROTECTION, "protection" },
		{ GMAP_PIC_ADDRESSING, "addressing" },
		{ GMAP_PIC_SEGMENT_TRANSLATION, "segment-translation" },
		{ GMAP_PIC_PAGE_TRANSLATION, "page-translation" },
		{ GMAP_PIC_TRANSLATION_SPEC, "translation-specification" },
		{ GMAP_PIC_ASCE_TYPE, "ASCE-type" },
		{ GMAP_PIC_REGION_FIRST, "region-first-translation" },
		{ GMAP_PIC_REGION_SECOND, "region-second-translation" },
		{ GMAP_PIC_REGION_THIRD, "region-third-translation" },
		{ 0x13, "unknown" },
		{ 0x3c, "unknown" },
		{ 0x104, "unknown" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(gmap_pic_name(names[i].pic), names[i].name);
}

static void version_matches_the_header(void **state)
{
	unsigned int major = 99, minor = 99, patch = 99;
	unsigned int v = (GMAP_VERSION_MAJOR << 16) | (GMAP_VERSION_MINOR << 8) |
			 GMAP_VERSION_PATCH;

	(void)state;
	assert_int_equal(gmap_version(&major, &minor, &patch), v);
	assert_int_equal(major, GMAP_VERSION_MAJOR);
	assert_int_equal(minor, GMAP_VERSION_MINOR);
	assert_int_equal(patch, GMAP_VERSION_PATCH);
	assert_int_equal(gmap_version(NULL, NULL, NULL), v);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bad_invalidations_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(good_invalidations_act, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_cpu_or_result_is_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(table_allocation_refusals_and_failures, setup,
						teardown),
		cmocka_unit_test(fields_beyond_sz_are_ignored),
		cmocka_unit_test(pic_names_are_the_pops),
		cmocka_unit_test(version_matches_the_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
