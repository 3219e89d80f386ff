// SPDX-License-Identifier: MIT
/*
 * gaccess suite, concurrency: two vCPU threads, each on its own backend
 * CPU, store and load through the gmap while the main thread harvests the
 * dirty log (which write-protects their pages again) and remaps the
 * segment (which unlinks it from the gmap). Every access succeeds, by
 * faulting the page or the link back in (-EAGAIN, when the other thread
 * kept undoing the faults, is retried), and every load sees the thread's
 * last store. Discards are left out: the soft model does not quiesce
 * accesses in flight as IPTE does, so a zapped frame can go back to the
 * mm's pool while a store through a translation taken just before is
 * still copying into it.
 * GMAP_TEST_ITERATIONS (default 20000) / 20 sets the least number of the
 * main thread's rounds and of each worker's accesses.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "test-gaccess.h"

#define PAGE_A	(SEG + 0x7000)
#define PAGE_B	(SEG + 0x8000)

struct worker {
	struct fx *f;
	unsigned int cpu;
	uint64_t gaddr;
	unsigned long done;
	unsigned long bad;
	int *stop;
};

/* An access that ran out of faults is retried, as an emulator would run
 * the instruction again. */
static int vcpu_access(struct worker *w, uint64_t *v, enum gmap_dat_access a)
{
	int rc;

	do
		rc = gmap_gacc_abs(w->f->gmap, w->cpu, w->gaddr, v, sizeof(*v), a, 0, NULL);
	while (rc == -EAGAIN);
	return rc;
}

static void *vcpu_thread(void *p)
{
	struct worker *w = p;

	while (!__atomic_load_n(w->stop, __ATOMIC_ACQUIRE)) {
		unsigned long i = __atomic_add_fetch(&w->done, 1, __ATOMIC_RELAXED);
		uint64_t v = (uint64_t)w->cpu << 32 | i, r = ~0ULL;

		if (vcpu_access(w, &v, GMAP_DAT_STORE) || vcpu_access(w, &r, GMAP_DAT_FETCH) ||
		    r != v)
			w->bad++;
	}
	return NULL;
}

static unsigned long rounds(void)
{
	const char *s = getenv("GMAP_TEST_ITERATIONS");
	unsigned long n = s ? strtoul(s, NULL, 10) : 0;

	return (n ? n : 20000) / 20;
}

static void threads_access_while_syncing_and_relinking(void **state)
{
	struct fx *f = *state;
	int stop = 0;
	struct worker w[2] = {
		{ .f = f, .cpu = 0, .gaddr = PAGE_A, .stop = &stop },
		{ .f = f, .cpu = 1, .gaddr = PAGE_B, .stop = &stop },
	};
	static uint64_t bitmap[SEG / PG / 64];
	pthread_t t[2];

	assert_int_equal(gmap_enable(f->gmap, 1), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, vcpu_thread, &w[i]), 0);
	/* At least rounds() rounds, and until each worker made as many
	 * accesses meanwhile. */
	for (unsigned long n = 0; n < rounds() ||
	     __atomic_load_n(&w[0].done, __ATOMIC_RELAXED) < rounds() ||
	     __atomic_load_n(&w[1].done, __ATOMIC_RELAXED) < rounds(); n++) {
		assert_true(gmap_sync_dirty_log(f->gmap, SEG, SEG / PG, bitmap) >= 0);
		assert_int_equal(gmap_map_segment(f->gmap, HBASE + SEG, SEG, SEG), 0);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(w[0].bad, 0);
	assert_int_equal(w[1].bad, 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(threads_access_while_syncing_and_relinking, fx_setup,
					fx_teardown),
};

const struct test_group gaccess_thread_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
