// SPDX-License-Identifier: MIT
/*
 * The radix tree behind guest_to_host and host_to_guest: values at
 * indexes of every height up to the full 64 bits, in-order iteration,
 * deletion, node accounting, a reserve whose allocation fails
 * publishing nothing, and reserves racing each other.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "test-gmap.h"

#define NODE_BYTES	512

static const uint64_t indexes[] = {
	0, 1, 63, 64, 4095, 4096, 1ULL << 30, (1ULL << 44) - 1, 1ULL << 60, UINT64_MAX,
};
#define NIDX	(sizeof(indexes) / sizeof(indexes[0]))

struct seen {
	size_t n;
	uint64_t index[NIDX];
	uint64_t value[NIDX];
};

static int collect(uint64_t index, uint64_t value, void *priv)
{
	struct seen *s = priv;

	assert_true(s->n < NIDX);
	s->index[s->n] = index;
	s->value[s->n++] = value;
	return 0;
}

static int stop_at_second(uint64_t index, uint64_t value, void *priv)
{
	(void)index;
	(void)value;
	return ++*(int *)priv == 2 ? 7 : 0;
}

/* Inserted values are found at their indexes only, iterated in order,
 * and deleted; the tree grows from one node and frees all on destroy. */
static void radix_insert_lookup_delete(void **state)
{
	struct fx *f = *state;
	struct gmap_radix r;
	struct seen s = { 0 };
	long live = f->hook.live;
	int calls = 0;

	radix_init(&r, f->arch);
	assert_int_equal(radix_lookup(&r, 0), 0);
	assert_int_equal(radix_delete(&r, 5), 0);
	assert_int_equal(radix_insert(&r, 5, 0x51), 0);
	assert_int_equal(r.bytes, NODE_BYTES);
	assert_int_equal(f->hook.live, live + 1);
	for (size_t i = 0; i < NIDX; i++)
		assert_int_equal(radix_insert(&r, indexes[i], (i << 4) | 1), 0);
	/* UINT64_MAX grew the tree to eleven levels. */
	assert_int_equal(radix_lookup(&r, 5), 0x51);
	for (size_t i = 0; i < NIDX; i++)
		assert_int_equal(radix_lookup(&r, indexes[i]), (i << 4) | 1);
	assert_int_equal(radix_lookup(&r, 2), 0);
	assert_int_equal(radix_lookup(&r, 1ULL << 31), 0);
	assert_int_equal(radix_lookup(&r, UINT64_MAX - 1), 0);
	assert_int_equal(radix_delete(&r, 5), 0x51);
	radix_for_each(&r, collect, &s);
	assert_int_equal(s.n, NIDX);
	for (size_t i = 0; i < NIDX; i++) {
		assert_int_equal(s.index[i], indexes[i]);
		assert_int_equal(s.value[i], (i << 4) | 1);
	}
	assert_int_equal(radix_for_each(&r, stop_at_second, &calls), 7);
	assert_int_equal(calls, 2);
	assert_int_equal(radix_delete(&r, 64), (3 << 4) | 1);
	assert_int_equal(radix_lookup(&r, 64), 0);
	assert_int_equal(radix_lookup(&r, 63), (2 << 4) | 1);
	assert_int_equal((long)r.bytes, (f->hook.live - live) * NODE_BYTES);
	radix_destroy(&r);
	assert_int_equal(f->hook.live, live);
	assert_int_equal(r.bytes, 0);
	assert_int_equal(radix_lookup(&r, 0), 0);
}

/* A reserve that needs several nodes and fails at any of them publishes
 * none and leaks none; once it succeeds an insert allocates nothing. */
static void radix_reserve_all_or_nothing(void **state)
{
	struct fx *f = *state;
	struct gmap_radix r;
	long live;
	unsigned long n;

	radix_init(&r, f->arch);
	assert_int_equal(radix_insert(&r, 1, 3), 0);
	live = f->hook.live;
	for (n = 1;; n++) {
		f->hook.fail_at = f->hook.calls + n;
		if (!radix_reserve(&r, 1ULL << 40)) {
			f->hook.fail_at = 0;
			break;
		}
		f->hook.fail_at = 0;
		assert_int_equal(f->hook.live, live);
		assert_int_equal(r.bytes, NODE_BYTES);
		assert_int_equal(radix_lookup(&r, 1), 3);
	}
	/* Height 1 to 7: six new levels above, six nodes below the top. */
	assert_int_equal(n, 13);
	assert_int_equal(f->hook.live, live + 12);
	f->hook.fail_at = f->hook.calls + 1;
	f->hook.for_good = true;
	assert_int_equal(radix_insert(&r, 1ULL << 40, 9), 0);
	f->hook.fail_at = 0;
	f->hook.for_good = false;
	assert_int_equal(radix_lookup(&r, 1ULL << 40), 9);
	assert_int_equal(radix_lookup(&r, 1), 3);
	radix_destroy(&r);
}

#define NTHREADS	2
#define PER_THREAD	200

struct racer {
	struct gmap_radix *r;
	pthread_mutex_t *lock;
	unsigned int id;
};

/* Index i of thread @id: spread over every height, distinct per thread. */
static uint64_t race_index(unsigned int id, unsigned int i)
{
	return ((uint64_t)(i * NTHREADS + id) * 0x9e3779b97f4a7c15ULL) >> (i % 64);
}

static void *race(void *arg)
{
	struct racer *rc = arg;

	for (unsigned int i = 0; i < PER_THREAD; i++) {
		uint64_t index = race_index(rc->id, i);

		/* Reserve without the owner's lock, racing the other thread's
		 * reserves; store under it. */
		assert_int_equal(radix_reserve(rc->r, index), 0);
		pthread_mutex_lock(rc->lock);
		assert_int_equal(radix_insert(rc->r, index, (index << 1) | 1), 0);
		pthread_mutex_unlock(rc->lock);
	}
	return NULL;
}

/* A thread-safe counting hook (the suite's hook counts without atomics). */
static long race_live;

static void *race_alloc(void *priv, size_t size, size_t align)
{
	void *p = aligned_alloc(align, size);

	(void)priv;
	if (p)
		__atomic_fetch_add(&race_live, 1, __ATOMIC_RELAXED);
	return p;
}

static void race_free(void *priv, void *ptr, size_t size)
{
	(void)priv;
	(void)size;
	if (ptr)
		__atomic_fetch_sub(&race_live, 1, __ATOMIC_RELAXED);
	free(ptr);
}

static const struct gmap_alloc_ops race_ops = { .alloc = race_alloc, .free = race_free };

/* Reserves racing each other publish every path once: every value is
 * found and the node bytes match the live allocations. */
static void radix_racing_reserves(void **state)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .alloc = &race_ops);
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct racer rc[NTHREADS];
	pthread_t t[NTHREADS];
	struct gmap_arch *arch;
	struct gmap_radix r;
	long live;

	(void)state;
	assert_int_equal(gmap_arch_soft_create(&ao, &arch), 0);
	live = race_live;
	for (int round = 0; round < 20; round++) {
		radix_init(&r, arch);
		for (unsigned int i = 0; i < NTHREADS; i++) {
			rc[i] = (struct racer){ &r, &lock, i };
			assert_int_equal(pthread_create(&t[i], NULL, race, &rc[i]), 0);
		}
		for (unsigned int i = 0; i < NTHREADS; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		for (unsigned int id = 0; id < NTHREADS; id++)
			for (unsigned int i = 0; i < PER_THREAD; i++) {
				uint64_t index = race_index(id, i);

				assert_int_equal(radix_lookup(&r, index), (index << 1) | 1);
			}
		assert_int_equal((long)r.bytes, (race_live - live) * NODE_BYTES);
		radix_destroy(&r);
		assert_int_equal(race_live, live);
	}
	gmap_arch_destroy(arch);
	assert_int_equal(race_live, 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(radix_insert_lookup_delete, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(radix_reserve_all_or_nothing, fx_setup, fx_teardown),
	cmocka_unit_test(radix_racing_reserves),
};

const struct test_group radix_group = { tests, sizeof(tests) / sizeof(tests[0]) };
