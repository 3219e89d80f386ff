// SPDX-License-Identifier: MIT
/*
 * The stress suite: worker threads change ptes, storage keys, dirty bits,
 * CMMA states and protections of one mm at once, while another thread
 * registers and unregisters a notifier and another translates through a
 * CPU's TLB. Each worker owns every NTHREADS-th page, all in shared tables
 * (page tables, PGSTE words of neighbours, the backend's key table, the
 * mapping array, the notifier list), so the result of each operation and
 * the final state cannot depend on the interleaving: they must equal a
 * serial replay of the same per-thread sequences. Build with
 * -Db_sanitize=thread to have ThreadSanitizer check for races.
 *
 * A second case does the same with whole segments: each thread maps,
 * faults, zaps, mprotects and unmaps 4 KB and large (1 MB) mappings in
 * segments of its own, all in one shared segment table, with the page
 * tables and frames that unmap and zap free going through the mm's shared
 * pools, and a segment callback counting per segment.
 *
 * Each thread's sequence is seeded from its number and iteration count
 * (GMAP_TEST_ITERATIONS, default 3000); "test-stress-pgste SEED" replays
 * with another seed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libgmap/libgmap.h>

#define NTHREADS	4
#define NPAGES		512	/* 2 MB: two page tables */
#define BASE		0x7ff00000ULL	/* the pages straddle a region-third boundary */
#define PG		GMAP_PAGE_SIZE
#define RW		(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

static unsigned long iterations = 3000;
static uint64_t seed = 1;
static unsigned char *frames;	/* caller frames of the upper half */

struct world {
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap_mm_notifier nb;
	unsigned long notified[NPAGES];	/* IN and VSIE callbacks per page */
	int done;
};

static void on_change(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	struct world *w = priv;

	(void)mm;
	(void)end;
	/* The page's owner holds its PGSTE lock: one writer per counter. */
	__atomic_fetch_add(&w->notified[(start - BASE) / PG], 1, __ATOMIC_RELAXED);
}

static void on_churn(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	(void)mm;
	(void)start;
	(void)end;
	__atomic_fetch_add((unsigned long *)priv, 1, __ATOMIC_RELAXED);
}

static struct world *world_new(void)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .ncpus = 2, .strict = true);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	assert_int_equal(gmap_arch_soft_create(&ao, &w->arch), 0);
	mo.arch = w->arch;
	assert_int_equal(gmap_mm_create(&mo, &w->mm), 0);
	assert_int_equal(gmap_mm_attach(w->mm, 0), 0);
	assert_int_equal(gmap_mm_attach(w->mm, 1), 0);
	assert_int_equal(gmap_mm_map(w->mm, BASE, NPAGES / 2 * PG, 0, RW), 0);
	assert_int_equal(gmap_mm_map(w->mm, BASE + NPAGES / 2 * PG, NPAGES / 2 * PG,
				     (uintptr_t)frames, RW), 0);
	/* The tables of the lower half exist before the threads start: the
	 * translating thread walks only those (the walker's relaxed loads do
	 * not order against a table's initialisation); the upper half's
	 * tables are linked while the workers race. */
	assert_int_equal(gmap_pgste_set_bits(w->mm, BASE, 0, 0), 0);
	w->nb.invalidate = on_change;
	w->nb.shadow = on_change;
	w->nb.priv = w;
	assert_int_equal(gmap_mm_notifier_register(w->mm, &w->nb), 0);
	return w;
}

static void world_free(struct world *w)
{
	assert_int_equal(gmap_mm_notifier_unregister(w->mm, &w->nb), 0);
	gmap_mm_destroy(w->mm);
	gmap_arch_destroy(w->arch);
	free(w);
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* One operation on page @p, returning a value that must be the same in
 * any interleaving. */
static long one_op(struct world *w, unsigned int p, uint64_t r)
{
	uint64_t va = BASE + (uint64_t)p * PG;
	uint8_t key = (uint8_t)(r >> 8) & 0xfe;
	uint8_t old = 0;
	gmap_pte_t pte;
	gmap_pgste_t pgste;
	long rc;

	switch (r % 14) {
	case 0:
		return gmap_mm_fault(w->mm, va, GMAP_DAT_FETCH);
	case 1:
	case 2:
		return gmap_mm_fault(w->mm, va, GMAP_DAT_STORE);
	case 3:
		return gmap_pgste_set_key(w->mm, va, key, r & 0x10000);
	case 4:
		rc = gmap_pgste_cond_set_key(w->mm, va, key, &old,
					     (unsigned int)(r >> 16) & 7);
		return rc * 256 + old;
	case 5:
		return gmap_pgste_reset_reference(w->mm, va);
	case 6:
		return gmap_pgste_test_and_clear_uc(w->mm, va);
	case 7:
		return gmap_pgste_essa(w->mm, va, 1 + (unsigned int)(r >> 16) % 7, NULL, NULL);
	case 8:
		return gmap_pgste_force_prot(w->mm, va, (unsigned int)(r >> 16) & 1,
					     (r & 0x100000) ? GMAP_PGSTE_VSIE : GMAP_PGSTE_IN);
	case 9:
		return gmap_mm_test_and_clear_young(w->mm, va);
	case 10:
		return gmap_mm_zap(w->mm, va, PG);
	case 11:
		rc = gmap_pgste_get_key(w->mm, va, &old);
		return rc * 256 + old;
	case 12:
		return gmap_mm_mprotect(w->mm, va, PG, (r >> 16) & 1 ? RW : GMAP_MM_PROT_READ);
	default:
		rc = gmap_pgste_zap_unused(w->mm, va, false);
		if (gmap_mm_read_pte(w->mm, va, &pte, &pgste) == 0)
			rc += (long)(pgste.val & GMAP_PGSTE_USAGE_MASK);
		return rc;
	}
}

struct worker {
	struct world *w;
	unsigned int t;
	uint64_t sum;
};

static void *work(void *arg)
{
	struct worker *k = arg;
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + k->t + 1;

	/* Whether the upper half has a page table shows in results (-EFAULT
	 * of force_prot, zap_unused, ...), and all threads share that table:
	 * each links it (racing the others) before its first operation, so
	 * that no result depends on which thread got there first. */
	k->sum = (uint64_t)gmap_pgste_set_bits(k->w->mm, BASE + (NPAGES / 2 + k->t) * PG, 0, 0);
	for (unsigned long i = 0; i < iterations; i++) {
		uint64_t r = next(&x);
		unsigned int p = (unsigned int)(r >> 40) % (NPAGES / NTHREADS) * NTHREADS + k->t;

		k->sum = k->sum * 31 + (uint64_t)one_op(k->w, p, r >> 3);
	}
	return NULL;
}

/* Registers and unregisters a second notifier until the workers finish. */
static void *churn(void *arg)
{
	struct world *w = arg;
	unsigned long calls = 0;
	struct gmap_mm_notifier nb = { .invalidate = on_churn, .shadow = on_churn, .priv = &calls };

	while (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE)) {
		assert_int_equal(gmap_mm_notifier_register(w->mm, &nb), 0);
		sched_yield();
		assert_int_equal(gmap_mm_notifier_unregister(w->mm, &nb), 0);
	}
	return NULL;
}

/* Translates the lower half through CPU 1 until the workers finish;
 * results vary. */
static void *translate(void *arg)
{
	struct world *w = arg;
	struct gmap_dat_result res;
	uint64_t x = 7;

	while (!__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
		assert_int_equal(gmap_arch_translate(w->arch, 1, BASE + next(&x) % (NPAGES / 2) * PG,
						     GMAP_DAT_STORE, 0, &res), 0);
	return NULL;
}

static void run(struct world *w, bool parallel, uint64_t sums[NTHREADS])
{
	struct worker k[NTHREADS];
	pthread_t t[NTHREADS], extra[2];

	for (unsigned int i = 0; i < NTHREADS; i++)
		k[i] = (struct worker){ .w = w, .t = i };
	if (!parallel) {
		for (unsigned int i = 0; i < NTHREADS; i++)
			work(&k[i]);
	} else {
		assert_int_equal(pthread_create(&extra[0], NULL, churn, w), 0);
		assert_int_equal(pthread_create(&extra[1], NULL, translate, w), 0);
		for (unsigned int i = 0; i < NTHREADS; i++)
			assert_int_equal(pthread_create(&t[i], NULL, work, &k[i]), 0);
		for (unsigned int i = 0; i < NTHREADS; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
		assert_int_equal(pthread_join(extra[0], NULL), 0);
		assert_int_equal(pthread_join(extra[1], NULL), 0);
	}
	for (unsigned int i = 0; i < NTHREADS; i++)
		sums[i] = k[i].sum;
}

/* Every page's state, with the frame of anonymous pages masked out. */
static void assert_same_state(struct world *a, struct world *b)
{
	for (unsigned int p = 0; p < NPAGES; p++) {
		uint64_t va = BASE + (uint64_t)p * PG;
		uint64_t mask = p < NPAGES / 2 ? ~GMAP_PTE_PFRA : ~0ULL;
		gmap_pte_t pa, pb;
		gmap_pgste_t ga, gb;
		uint8_t ka, kb;
		int ra = gmap_mm_read_pte(a->mm, va, &pa, &ga);

		assert_int_equal(ra, gmap_mm_read_pte(b->mm, va, &pb, &gb));
		if (!ra) {
			assert_int_equal(pa.val & mask, pb.val & mask);
			assert_int_equal(ga.val, gb.val);
		}
		assert_int_equal(gmap_pgste_get_key(a->mm, va, &ka), 0);
		assert_int_equal(gmap_pgste_get_key(b->mm, va, &kb), 0);
		assert_int_equal(ka, kb);
		assert_int_equal(a->notified[p], b->notified[p]);
	}
	assert_int_equal(gmap_mm_table_bytes(a->mm), gmap_mm_table_bytes(b->mm));
}

static void parallel_run_equals_serial_replay(void **state)
{
	uint64_t par[NTHREADS], ser[NTHREADS];
	struct world *a = world_new(), *b = world_new();

	(void)state;
	run(a, true, par);
	run(b, false, ser);
	for (unsigned int i = 0; i < NTHREADS; i++)
		assert_int_equal(par[i], ser[i]);
	assert_same_state(a, b);
	world_free(a);
	world_free(b);
}

#define SEG		GMAP_SEGMENT_SIZE
#define SEGS		(2 * NTHREADS)	/* segment i belongs to thread i % NTHREADS */
#define SBASE		0x100000000ULL

struct seg_world {
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap_mm_notifier nb;
	unsigned long calls[SEGS];
};

static void on_segment(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	struct seg_world *w = priv;

	(void)mm;
	assert_int_equal(end - start, SEG);
	__atomic_fetch_add(&w->calls[(start - SBASE) / SEG], 1, __ATOMIC_RELAXED);
}

static struct seg_world *seg_world_new(void)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .ncpus = 2, .strict = true);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);
	struct seg_world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	assert_int_equal(gmap_arch_soft_create(&ao, &w->arch), 0);
	mo.arch = w->arch;
	assert_int_equal(gmap_mm_create(&mo, &w->mm), 0);
	assert_int_equal(gmap_mm_attach(w->mm, 0), 0);
	w->nb.segment = on_segment;
	w->nb.priv = w;
	assert_int_equal(gmap_mm_notifier_register(w->mm, &w->nb), 0);
	/* The segment table exists before the threads start (whether it
	 * does shows in gmap_mm_read_segment()). */
	assert_int_equal(gmap_mm_map(w->mm, SBASE + SEGS * SEG, PG, 0, RW), 0);
	assert_int_equal(gmap_mm_fault(w->mm, SBASE + SEGS * SEG, GMAP_DAT_FETCH), 0);
	return w;
}

/* A segment entry without its table or frame address. */
static uint64_t ste_bits(gmap_crste_t ste)
{
	return ste.val & ~(ste.val & GMAP_CRSTE_FC ? GMAP_SEGMENT_SFAA : GMAP_SEGMENT_PTO);
}

/* One operation on segment @s; the result must be the same in any
 * interleaving. */
static long seg_op(struct seg_world *w, unsigned int s, uint64_t r)
{
	uint64_t va = SBASE + (uint64_t)s * SEG, page = va + (r >> 8) % 256 * PG;
	gmap_crste_t ste = { 0 };
	long rc;

	switch (r % 9) {
	case 0:
		return gmap_mm_map(w->mm, va, (1 + (r >> 8) % 4) * PG, 0, RW);
	case 1:
		return gmap_mm_map(w->mm, va, SEG, 0, RW | GMAP_MM_MAP_LARGE);
	case 2:
		return gmap_mm_fault(w->mm, page, GMAP_DAT_FETCH);
	case 3:
		return gmap_mm_fault(w->mm, page, GMAP_DAT_STORE);
	case 4:
		return gmap_mm_zap(w->mm, va, SEG);
	case 5:
		return gmap_mm_unmap(w->mm, va, SEG);
	case 6:
		return gmap_mm_unmap(w->mm, va, PG);
	case 7:
		return gmap_mm_mprotect(w->mm, va, SEG, (r >> 16) & 1 ? RW : GMAP_MM_PROT_READ);
	default:
		rc = gmap_mm_read_segment(w->mm, va, &ste);
		return rc * 0x100000 + (long)ste_bits(ste);
	}
}

struct seg_worker {
	struct seg_world *w;
	unsigned int t;
	uint64_t sum;
};

static void *seg_work(void *arg)
{
	struct seg_worker *k = arg;
	uint64_t x = seed * 0xbf58476d1ce4e5b9ULL + k->t + 1;

	for (unsigned long i = 0; i < iterations; i++) {
		uint64_t r = next(&x);
		unsigned int s = (unsigned int)(r >> 40) % (SEGS / NTHREADS) * NTHREADS + k->t;

		k->sum = k->sum * 31 + (uint64_t)seg_op(k->w, s, r >> 3);
	}
	return NULL;
}

static void segments_parallel_equal_serial(void **state)
{
	struct seg_world *w[2] = { seg_world_new(), seg_world_new() };
	struct seg_worker k[2][NTHREADS];
	unsigned long calls = 0;
	pthread_t t[NTHREADS];

	(void)state;
	for (unsigned int i = 0; i < NTHREADS; i++) {
		k[0][i] = (struct seg_worker){ .w = w[0], .t = i };
		k[1][i] = (struct seg_worker){ .w = w[1], .t = i };
		assert_int_equal(pthread_create(&t[i], NULL, seg_work, &k[0][i]), 0);
	}
	for (unsigned int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		seg_work(&k[1][i]);
		assert_int_equal(k[0][i].sum, k[1][i].sum);
	}
	for (unsigned int s = 0; s < SEGS; s++) {
		gmap_crste_t a, b;

		assert_int_equal(gmap_mm_read_segment(w[0]->mm, SBASE + s * SEG, &a), 0);
		assert_int_equal(gmap_mm_read_segment(w[1]->mm, SBASE + s * SEG, &b), 0);
		assert_int_equal(ste_bits(a), ste_bits(b));
		assert_int_equal(w[0]->calls[s], w[1]->calls[s]);
		calls += w[0]->calls[s];
	}
	/* Large entries changed and page tables went: the callbacks ran. */
	assert_true(calls > 0);
	assert_int_equal(gmap_mm_table_bytes(w[0]->mm), gmap_mm_table_bytes(w[1]->mm));
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(gmap_mm_notifier_unregister(w[i]->mm, &w[i]->nb), 0);
		gmap_mm_destroy(w[i]->mm);
		gmap_arch_destroy(w[i]->arch);
		free(w[i]);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parallel_run_equals_serial_replay),
		cmocka_unit_test(segments_parallel_equal_serial),
	};
	const char *it = getenv("GMAP_TEST_ITERATIONS");
	int rc;

	if (it)
		iterations = strtoul(it, NULL, 0);
	if (argc > 1)
		seed = strtoull(argv[1], NULL, 0);
	frames = aligned_alloc(PG, NPAGES / 2 * PG);
	if (!frames)
		return 1;
	rc = cmocka_run_group_tests_name("stress", tests, NULL, NULL);
	free(frames);
	return rc;
}
