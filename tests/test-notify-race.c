// SPDX-License-Identifier: MIT
/*
 * Notifiers under concurrency (run under ThreadSanitizer in the stress
 * suite): while one thread arms two pages ROUNDS times, others zap them,
 * harvest their dirty state and (un)register a notifier; every call names one of them, calls
 * never outnumber the pages armed, and nothing stays armed after a last
 * zap.
 */
#include <pthread.h>

#include "test-notify.h"

#define ROUNDS	500
#define P0	(GBASE + SEG + 40 * PG)

/* A notifier that counts its calls and the calls for a page not armed. */
struct counter {
	struct gmap_notifier nb;
	unsigned long calls;
	unsigned long stray;
};

static void count(struct gmap *gmap, uint64_t start, uint64_t end, void *priv)
{
	struct counter *c = priv;

	(void)gmap;
	__atomic_fetch_add(&c->calls, 1, __ATOMIC_RELAXED);
	if ((start != P0 && start != P0 + PG) || end != start + PG - 1)
		__atomic_fetch_add(&c->stray, 1, __ATOMIC_RELAXED);
}

struct job {
	struct fx *f;
	pthread_barrier_t *start;
	int *stop;
	struct counter extra;
	unsigned long armed;
	int failed;
};

static void *arming(void *priv)
{
	struct job *j = priv;

	pthread_barrier_wait(j->start);
	for (int i = 0; i < ROUNDS; i++) {
		if (gmap_mprotect_notify(j->f->gmap, P0, 2 * PG, RW))
			j->failed++;
		j->armed += 2;
	}
	__atomic_store_n(j->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *zapping(void *priv)
{
	struct job *j = priv;

	pthread_barrier_wait(j->start);
	while (!__atomic_load_n(j->stop, __ATOMIC_ACQUIRE))
		if (gmap_mm_zap(j->f->mm, hva(P0), 2 * PG))
			j->failed++;
	return NULL;
}

static void *harvesting(void *priv)
{
	struct job *j = priv;
	uint64_t bitmap[4];

	pthread_barrier_wait(j->start);
	while (!__atomic_load_n(j->stop, __ATOMIC_ACQUIRE))
		if (gmap_sync_dirty_log(j->f->gmap, GBASE + SEG, 256, bitmap) < 0)
			j->failed++;
	return NULL;
}

static void *registering(void *priv)
{
	struct job *j = priv;

	pthread_barrier_wait(j->start);
	while (!__atomic_load_n(j->stop, __ATOMIC_ACQUIRE))
		if (gmap_notifier_register(j->f->gmap, &j->extra.nb) ||
		    gmap_notifier_unregister(j->f->gmap, &j->extra.nb))
			j->failed++;
	return NULL;
}

static void arm_zap_harvest_and_register_race(void **state)
{
	void *(*const fn[])(void *) = { arming, zapping, harvesting, registering };
	struct fx *f = *state;
	struct counter c = { .nb = { .notifier_call = count } };
	pthread_barrier_t start;
	int stop = 0;
	struct job j[4];
	pthread_t t[4];

	c.nb.priv = &c;
	assert_int_equal(gmap_notifier_unregister(f->gmap, &f->rec.nb), 0);
	assert_int_equal(gmap_notifier_register(f->gmap, &c.nb), 0);
	assert_int_equal(pthread_barrier_init(&start, NULL, 4), 0);
	for (int i = 0; i < 4; i++) {
		j[i] = (struct job){ .f = f, .start = &start, .stop = &stop, .extra = { .nb = { .notifier_call = count } } };
		j[i].extra.nb.priv = &j[i].extra;
		assert_int_equal(pthread_create(&t[i], NULL, fn[i], &j[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(j[i].failed, 0);
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(gmap_mm_zap(f->mm, hva(P0), 2 * PG), 0);
	assert_int_equal(pgste_of(f, P0) & GMAP_PGSTE_IN, 0);
	assert_int_equal(pgste_of(f, P0 + PG) & GMAP_PGSTE_IN, 0);
	assert_true(c.calls >= 2 && c.calls <= j[0].armed);
	assert_int_equal(c.stray, 0);
	assert_int_equal(j[3].extra.stray, 0);
	assert_int_equal(gmap_notifier_unregister(f->gmap, &c.nb), 0);
	assert_int_equal(gmap_notifier_register(f->gmap, &f->rec.nb), 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(arm_zap_harvest_and_register_race, fx_setup, fx_teardown),
};

const struct test_group notify_race_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
