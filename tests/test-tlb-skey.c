// SPDX-License-Identifier: MIT
/*
 * The tlb suite, part two: the soft backend's storage keys (SSKE, ISKE,
 * RRBE), allocation failures in create and SSKE, and option checks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-hook.h"
#include "test-tlb.h"

static void sske_iske_store_and_read_keys(void **state)
{
	struct fx *f = *state;
	uint64_t a = frame(f, 0), b = frame(f, 1);
	uint8_t old = 0xff;

	assert_int_equal(gmap_arch_iske(f->arch, a), 0);
	assert_int_equal(gmap_arch_sske(f->arch, 0, a + 0x123, 0x37, 0, &old), 0);
	assert_int_equal(old, 0);
	assert_int_equal(gmap_arch_iske(f->arch, a), 0x36);
	assert_int_equal(gmap_arch_iske(f->arch, b), 0);
	assert_int_equal(gmap_arch_sske(f->arch, 1, b, 0xf8, GMAP_SSKE_NQ, NULL), 0);
	assert_int_equal(gmap_arch_sske(f->arch, 0, a, 0x10, 0, &old), 0);
	assert_int_equal(old, 0x36);
	assert_int_equal(gmap_arch_iske(f->arch, a), 0x10);
	assert_int_equal(gmap_arch_iske(f->arch, b), 0xf8);
	assert_int_equal(gmap_arch_sske(f->arch, 0, a, 0, 0x80, &old), -EINVAL);
	assert_int_equal(gmap_arch_iske(f->arch, a), 0x10);
}

static const struct {
	uint8_t key, flags, stored;
} cond_sske[] = {
	{ 0x3a, GMAP_SSKE_MR, 0x3e },			/* only R differs: kept */
	{ 0x3c, GMAP_SSKE_MC, 0x3e },			/* only C differs: kept */
	{ 0x38, GMAP_SSKE_MR | GMAP_SSKE_MC, 0x3e },	/* R, C differ: kept */
	{ 0x3e, GMAP_SSKE_MR | GMAP_SSKE_MC, 0x3e },	/* equal */
	{ 0x38, GMAP_SSKE_MR, 0x38 },			/* C differs, no MC */
	{ 0x3a, GMAP_SSKE_MC, 0x3a },			/* R differs, no MR */
	{ 0x36, GMAP_SSKE_MR | GMAP_SSKE_MC, 0x36 },	/* F differs */
	{ 0x4e, GMAP_SSKE_MR | GMAP_SSKE_MC, 0x4e },	/* ACC differs */
	{ 0x3a, 0, 0x3a },				/* unconditional */
};

static void conditional_sske_follows_mr_mc(void **state)
{
	struct fx *f = *state;
	uint64_t a = frame(f, 2);
	uint8_t old;

	for (size_t i = 0; i < sizeof(cond_sske) / sizeof(cond_sske[0]); i++) {
		assert_int_equal(gmap_arch_sske(f->arch, 0, a, 0x3e, 0, NULL), 0);
		old = 0;
		assert_int_equal(gmap_arch_sske(f->arch, 0, a, cond_sske[i].key,
						cond_sske[i].flags, &old), 0);
		assert_int_equal(old, 0x3e);
		assert_int_equal(gmap_arch_iske(f->arch, a), cond_sske[i].stored);
	}
}

static void rrbe_returns_cc_and_clears_r(void **state)
{
	struct fx *f = *state;
	static const uint8_t key[4] = { 0x50, 0x52, 0x54, 0x56 };

	assert_int_equal(gmap_arch_rrbe(f->arch, frame(f, 7)), 0);
	for (unsigned int cc = 0; cc < 4; cc++) {
		uint64_t a = frame(f, cc);

		assert_int_equal(gmap_arch_sske(f->arch, 0, a, key[cc], 0, NULL), 0);
		assert_int_equal(gmap_arch_rrbe(f->arch, a), cc);
		assert_int_equal(gmap_arch_iske(f->arch, a), key[cc] & ~GMAP_SKEY_R);
		assert_int_equal(gmap_arch_rrbe(f->arch, a), cc & 1);
	}
}

static void hook_arm(struct alloc_hook *h, unsigned long n, bool for_good)
{
	h->fail_at = h->calls + n;
	h->for_good = for_good;
}

static void create_failing_nth_allocation_leaks_nothing(void **state)
{
	struct alloc_hook h = { 0 };
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .alloc = &alloc_hook_ops,
					    .alloc_priv = &h, .ncpus = 4);
	struct gmap_arch *sentinel = (struct gmap_arch *)&h, *a;
	unsigned long n;

	(void)state;
	for (n = 1;; n++) {
		int good;

		for (good = 1; good >= 0; good--) {
			hook_arm(&h, n, good);
			a = sentinel;
			if (gmap_arch_soft_create(&o, &a) == 0)
				break;
			assert_ptr_equal(a, sentinel);
			assert_int_equal(h.live, 0);
		}
		if (good >= 0)
			break;
	}
	/* The instance and the TLBs: the third call is the first not needed. */
	assert_int_equal(n, 3);
	assert_int_equal(gmap_arch_ncpus(a), 4);
	gmap_arch_destroy(a);
	assert_int_equal(h.live, 0);
	assert_int_equal(h.bytes, 0);
}

static void sske_failing_allocation_keeps_keys(void **state)
{
	struct alloc_hook h = { 0 };
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .alloc = &alloc_hook_ops,
					    .alloc_priv = &h);
	const unsigned int nkeys = 200;
	unsigned int grew = 0;
	struct gmap_arch *a;
	long live;

	(void)state;
	assert_int_equal(gmap_arch_soft_create(&o, &a), 0);
	for (unsigned int i = 0; i < nkeys; i++) {
		uint64_t fr = (uint64_t)(i * 977 + 3) << GMAP_PAGE_SHIFT;
		uint8_t key = (uint8_t)((i % 127 + 1) << 1), old;
		int rc = -ENOMEM;

		/* Storing what is there needs no allocation. */
		hook_arm(&h, 1, true);
		assert_int_equal(gmap_arch_sske(a, 0, fr, 0, 0, NULL), 0);
		for (unsigned long n = 1; rc; n++) {
			for (int good = 1; good >= 0 && rc; good--) {
				live = h.live;
				hook_arm(&h, n, good);
				old = 0xff;
				rc = gmap_arch_sske(a, 0, fr, key, 0, &old);
				if (rc == 0)
					break;
				assert_int_equal(rc, -ENOMEM);
				assert_int_equal(old, 0xff);
				assert_int_equal(h.live, live);
				assert_int_equal(gmap_arch_iske(a, fr), 0);
				grew += n == 1 && good;
			}
		}
		assert_int_equal(old, 0);
		for (unsigned int j = 0; j <= i; j++)
			assert_int_equal(gmap_arch_iske(a, (uint64_t)(j * 977 + 3) << 12),
					 (uint8_t)((j % 127 + 1) << 1));
	}
	/* First table, then doubling at half load: 64, 128, 256, 512 slots. */
	assert_int_equal(grew, 4);
	gmap_arch_destroy(a);
	assert_int_equal(h.live, 0);
	assert_int_equal(h.bytes, 0);
}

struct opts_tail {
	struct gmap_arch_opts o;
	uint64_t newer_field;
};

static void bad_options_are_rejected(void **state)
{
	struct gmap_arch *sentinel = (struct gmap_arch *)state, *a = sentinel;
	struct opts_tail t;
	static const struct gmap_arch_opts bad[] = {
		GMAP_OPTS(gmap_arch_opts, .ncpus = GMAP_ARCH_MAX_CPUS + 1),
		GMAP_OPTS(gmap_arch_opts, .tlb_entries = 3),
		GMAP_OPTS(gmap_arch_opts, .tlb_entries = 384),
		GMAP_OPTS(gmap_arch_opts, .facilities = GMAP_FAC_EDAT2),
		GMAP_OPTS(gmap_arch_opts, .facilities = GMAP_FAC_ALL + 1),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gmap_arch_soft_create(&bad[i], &a), -EINVAL);
		assert_ptr_equal(a, sentinel);
	}
	memset(&t, 0, sizeof(t));
	t.o.sz = sizeof(t);
	t.newer_field = 1;
	assert_int_equal(gmap_arch_soft_create(&t.o, &a), -EINVAL);
	assert_ptr_equal(a, sentinel);
	assert_int_equal(gmap_arch_soft_create(NULL, NULL), -EINVAL);

	t.newer_field = 0;
	t.o.ncpus = GMAP_ARCH_MAX_CPUS;
	t.o.tlb_entries = 1;
	assert_int_equal(gmap_arch_soft_create(&t.o, &a), 0);
	assert_int_equal(gmap_arch_ncpus(a), GMAP_ARCH_MAX_CPUS);
	gmap_arch_destroy(a);
	assert_int_equal(gmap_arch_soft_create(NULL, &a), 0);
	assert_string_equal(gmap_arch_name(a), "soft");
	assert_int_equal(gmap_arch_ncpus(a), 1);
	assert_int_equal(gmap_arch_facilities(a), GMAP_FAC_ALL);
	assert_int_equal(gmap_arch_tlb_count(a, 1), -EINVAL);
	gmap_arch_destroy(a);
}

const struct CMUnitTest tlb_skey_tests[] = {
	T(sske_iske_store_and_read_keys, tlb_strict),
	T(conditional_sske_follows_mr_mc, tlb_strict),
	T(rrbe_returns_cc_and_clears_r, tlb_strict),
	cmocka_unit_test(create_failing_nth_allocation_leaks_nothing),
	cmocka_unit_test(sske_failing_allocation_keeps_keys),
	cmocka_unit_test(bad_options_are_rejected),
};
const size_t tlb_skey_ntests = sizeof(tlb_skey_tests) / sizeof(tlb_skey_tests[0]);
