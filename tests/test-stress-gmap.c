// SPDX-License-Identifier: MIT
/*
 * The gmap stress test (suite stress; CI runs it under ThreadSanitizer):
 * two gmaps on one mm; NVCPU vCPU threads, each on its own backend CPU
 * running one of the gmaps, translate, fault, access guest memory and
 * harvest the dirty log while a mutator thread, on two more CPUs (one per
 * gmap), runs a deterministic sequence (seeded) of gmap_map_segment /
 * unmap_segment / discard / mprotect_notify on either gmap, host unmap +
 * remap (as 4 KB pages or one large segment), mprotect and young-bit
 * harvesting, and writes guest memory.
 *
 * vCPUs only read guest memory, and only in two stable segments that the
 * mutator never maps, discards or writes (their contents are checked on
 * every read); elsewhere they translate, fault and harvest. So the
 * mutator's return codes, and after a canonical pass (every guest segment
 * remapped, which unlinks it, then every tracked page read, which links it
 * again) the translations, frame contents, segment links and reverse maps
 * of both gmaps, cannot depend on the interleaving: they must equal a
 * serial replay of the mutator's sequence on a second world without vCPUs.
 *
 * GMAP_TEST_ITERATIONS mutator operations (default 50000; the Valgrind
 * setup sets 3000); "test-stress-gmap SEED" replays with another seed.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gmap-model.h"

#include "gmap/gmap_impl.h"

#define NVCPU		3		/* vCPU i runs gmap i % 2 on CPU i */
#define MUT_CPU		NVCPU		/* the mutator runs gmap i on CPU MUT_CPU + i */
#define NGSEG		8		/* guest segments 0-7: 0 MB to 8 MB */
#define NHSEG		6		/* host segments across 2 GB */
#define NSTABLE		2		/* guest = host segments 0 and 1 */
#define HBASE		(GMAP_REGION3_SIZE - 3 * SEG)
#define SEG		GMAP_SEGMENT_SIZE
#define PG		GMAP_PAGE_SIZE
#define RW		(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

static const unsigned int pidx[] = { 0, 1, 2, 255 };
#define NPT		(sizeof(pidx) / sizeof(pidx[0]))

static unsigned long iterations = 50000;
static uint64_t seed = 1;

/*
 * struct world - one mm with two gmaps.
 * @m: the backend, mm and gmaps (@m.lib), as gm_check_maps() takes them
 * @nb: a counting notifier per gmap (the counts depend on the interleaving)
 * @notified: the counts
 * @done: the mutator has finished
 */
struct world {
	struct gm m;
	struct gmap_notifier nb[GM_NGMAP];
	unsigned long notified[GM_NGMAP];
	int done;
};

void gm_report(const char *msg)
{
	fail_msg("%s", msg);
	abort();	/* fail_msg() does not return */
}

static struct gmap *gmap_of(struct world *w, unsigned int gi)
{
	return w->m.lib[gi].gmap;
}

static uint64_t gaddr_of(unsigned int g, unsigned int k)
{
	return (uint64_t)g * SEG + (uint64_t)pidx[k] * PG;
}

static uint64_t haddr_of(unsigned int h)
{
	return HBASE + (uint64_t)h * SEG;
}

static uint64_t stable_val(unsigned int g, unsigned int k)
{
	return 0x5ab1e00000000000ULL | gaddr_of(g, k);
}

static void count(struct gmap *gmap, uint64_t start, uint64_t end, void *priv)
{
	(void)gmap;
	(void)start;
	(void)end;
	__atomic_fetch_add((unsigned long *)priv, 1, __ATOMIC_RELAXED);
}

static struct world *world_new(void)
{
	/* The default allocator: the counting hook is not thread-safe; the
	 * Valgrind and sanitizer runs find leaks. */
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .ncpus = MUT_CPU + GM_NGMAP,
					     .strict = true);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	assert_int_equal(gmap_arch_soft_create(&ao, &w->m.arch), 0);
	mo.arch = w->m.arch;
	assert_int_equal(gmap_mm_create(&mo, &w->m.mm), 0);
	assert_int_equal(gmap_mm_map(w->m.mm, HBASE, NHSEG * SEG, 0, RW), 0);
	w->m.ngmap = GM_NGMAP;
	for (unsigned int gi = 0; gi < GM_NGMAP; gi++) {
		assert_int_equal(gmap_create(w->m.mm, GMAP_REGION3_SIZE - 1, &w->m.lib[gi].gmap),
				 0);
		w->nb[gi].notifier_call = count;
		w->nb[gi].priv = &w->notified[gi];
		assert_int_equal(gmap_notifier_register(gmap_of(w, gi), &w->nb[gi]), 0);
		/* The stable segments, linked before the threads start. */
		assert_int_equal(gmap_map_segment(gmap_of(w, gi), HBASE, 0, NSTABLE * SEG), 0);
	}
	for (unsigned int c = 0; c < MUT_CPU + GM_NGMAP; c++) {
		assert_int_equal(gmap_mm_attach(w->m.mm, c), 0);
		assert_int_equal(gmap_enable(gmap_of(w, c < MUT_CPU ? c % 2 : c - MUT_CPU), c), 0);
	}
	for (unsigned int g = 0; g < NSTABLE; g++)
		for (unsigned int k = 0; k < NPT; k++) {
			uint64_t v = stable_val(g, k);

			for (unsigned int gi = 0; gi < GM_NGMAP; gi++)
				assert_int_equal(gmap_gacc_write_abs(gmap_of(w, gi), MUT_CPU + gi,
								     gaddr_of(g, k), &v,
								     sizeof(v)), 0);
		}
	return w;
}

static void world_free(struct world *w)
{
	for (unsigned int c = 0; c < MUT_CPU + GM_NGMAP; c++)
		assert_int_equal(gmap_disable(gmap_of(w, c < MUT_CPU ? c % 2 : c - MUT_CPU), c),
				 0);
	for (unsigned int gi = 0; gi < GM_NGMAP; gi++)
		gmap_remove(gmap_of(w, gi));
	gmap_mm_destroy(w->m.mm);
	gmap_arch_destroy(w->m.arch);
	free(w);
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* One mutator operation; returns what must not depend on the vCPUs. */
static long mutate(struct world *w, uint64_t r, uint64_t *tag)
{
	unsigned int g = NSTABLE + (unsigned int)(r >> 8) % (NGSEG - NSTABLE);
	unsigned int h = NSTABLE + (unsigned int)(r >> 16) % (NHSEG - NSTABLE);
	unsigned int k = (unsigned int)(r >> 24) % NPT, gi = (unsigned int)(r >> 48) & 1;
	struct gmap *gmap = gmap_of(w, gi);
	struct gmap_mm *mm = w->m.mm;
	uint64_t v;
	long rc;

	switch (r % 10) {
	case 0:
		return gmap_map_segment(gmap, haddr_of(h), (uint64_t)g * SEG, SEG);
	case 1:
		return gmap_unmap_segment(gmap, (uint64_t)g * SEG, SEG);
	case 2:
		return gmap_discard(gmap, gaddr_of(g, k), gaddr_of(g, k) + PG);
	case 3:
		/* Frees the page table or the large entry: the gmaps unlink
		 * through the segment callback. Remapped large or not. */
		rc = gmap_mm_unmap(mm, haddr_of(h), SEG);
		return rc * 8 + gmap_mm_map(mm, haddr_of(h), SEG, 0,
					    (r & 0x100000000ULL ? RW : GMAP_MM_PROT_READ) |
					    (r & 0x200000000ULL ? GMAP_MM_MAP_LARGE : 0));
	case 4:
		return gmap_mm_mprotect(mm, haddr_of(h) + (uint64_t)pidx[k] * PG, PG,
					r & 0x100000000ULL ? RW : GMAP_MM_PROT_READ);
	case 5:
		/* Stable pages too: their ptes change, their contents not. */
		gmap_mm_test_and_clear_young(mm, haddr_of((unsigned int)(r >> 40) % NHSEG) +
					     (uint64_t)pidx[k] * PG);
		return 0;
	case 6:
		return gmap_mprotect_notify(gmap, gaddr_of((unsigned int)(r >> 40) % NGSEG, k), PG,
					    (unsigned int)(r >> 32) % 2);
	default:
		v = ++*tag;
		return gmap_gacc_write_abs(gmap, MUT_CPU + gi, gaddr_of(g, k), &v, sizeof(v));
	}
}

static void *mutator(void *arg)
{
	struct world *w = arg;
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1, tag = 0, sum = 0;

	for (unsigned long i = 0; i < iterations; i++)
		sum = sum * 31 + (uint64_t)mutate(w, next(&x), &tag);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return (void *)(uintptr_t)sum;
}

struct vcpu {
	struct world *w;
	unsigned int cpu;
};

static void *vcpu(void *arg)
{
	struct vcpu *c = arg;
	struct gmap *gmap = gmap_of(c->w, c->cpu % 2);
	struct gmap_dat_result res;
	uint64_t x = seed + 77 * (c->cpu + 1), r, v, haddr, bitmap[4];
	unsigned int g, k;
	int rc;

	for (unsigned long i = 0; !__atomic_load_n(&c->w->done, __ATOMIC_ACQUIRE); i++) {
		/* Let the mutator on where threads take turns (Valgrind). */
		if (i % 16 == 0)
			sched_yield();
		r = next(&x);
		g = (unsigned int)(r >> 8) % NGSEG;
		k = (unsigned int)(r >> 16) % NPT;
		switch (r % 5) {
		case 0:
			rc = gmap_translate(gmap, gaddr_of(g, k), &haddr);
			assert_true(rc == 0 || rc == -EFAULT);
			break;
		case 1:
			rc = gmap_fault(gmap, gaddr_of(g, k),
					r & 16 ? GMAP_DAT_STORE : GMAP_DAT_FETCH);
			assert_true(rc == 0 || rc == -EFAULT);
			break;
		case 2:
			assert_int_equal(gmap_arch_translate(c->w->m.arch, c->cpu, gaddr_of(g, k),
							     GMAP_DAT_FETCH, 0, &res), 0);
			break;
		case 3:
			/* Harvesting races the stores of the others. */
			assert_true(gmap_sync_dirty_log(gmap, (uint64_t)g * SEG, 256, bitmap) >= 0);
			break;
		default:
			g %= NSTABLE;
			rc = gmap_gacc_read_abs(gmap, c->cpu, gaddr_of(g, k), &v, sizeof(v));
			/* Retried faults may all lose to the mutator's harvesting. */
			assert_true(rc == 0 || rc == -EAGAIN);
			if (!rc)
				assert_int_equal(v, stable_val(g, k));
		}
	}
	return NULL;
}

static uint64_t run(struct world *w, bool parallel)
{
	struct vcpu c[NVCPU];
	pthread_t t[NVCPU], mt;
	void *sum;

	if (!parallel)
		return (uint64_t)(uintptr_t)mutator(w);
	for (unsigned int i = 0; i < NVCPU; i++) {
		c[i] = (struct vcpu){ .w = w, .cpu = i };
		assert_int_equal(pthread_create(&t[i], NULL, vcpu, &c[i]), 0);
	}
	assert_int_equal(pthread_create(&mt, NULL, mutator, w), 0);
	assert_int_equal(pthread_join(mt, &sum), 0);
	for (unsigned int i = 0; i < NVCPU; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	return (uint64_t)(uintptr_t)sum;
}

/* Remap every mapped guest segment of gmap @gi as it is (unlinking it),
 * then read every tracked page (linking it again, in the same order in
 * any world). */
static void canonical_pass(struct world *w, unsigned int gi, long rc[NGSEG][NPT],
			   uint64_t val[NGSEG][NPT])
{
	struct gmap *gmap = gmap_of(w, gi);
	uint64_t haddr;

	for (unsigned int g = 0; g < NGSEG; g++)
		if (!gmap_translate(gmap, (uint64_t)g * SEG, &haddr))
			assert_int_equal(gmap_map_segment(gmap, haddr, (uint64_t)g * SEG, SEG), 0);
	for (unsigned int g = 0; g < NGSEG; g++)
		for (unsigned int k = 0; k < NPT; k++) {
			val[g][k] = 0;
			rc[g][k] = gmap_gacc_read_abs(gmap, MUT_CPU + gi, gaddr_of(g, k),
						      &val[g][k], sizeof(val[g][k]));
		}
}

static void assert_same_gmap(struct world *a, struct world *b, unsigned int gi)
{
	static long rca[NGSEG][NPT], rcb[NGSEG][NPT];
	static uint64_t va[NGSEG][NPT], vb[NGSEG][NPT];
	struct gmap *ga = gmap_of(a, gi), *gb = gmap_of(b, gi);

	canonical_pass(a, gi, rca, va);
	canonical_pass(b, gi, rcb, vb);
	for (unsigned int g = 0; g < NGSEG; g++) {
		gmap_crste_t *sa = gmap_table_walk(ga, (uint64_t)g * SEG, GMAP_TT_SEGMENT);
		gmap_crste_t *sb = gmap_table_walk(gb, (uint64_t)g * SEG, GMAP_TT_SEGMENT);
		uint64_t ha = 0, hb = 0;

		assert_int_equal(gmap_translate(ga, (uint64_t)g * SEG, &ha),
				 gmap_translate(gb, (uint64_t)g * SEG, &hb));
		assert_int_equal(ha, hb);
		assert_int_equal(!sa || sa->val == GMAP_CRSTE_I, !sb || sb->val == GMAP_CRSTE_I);
		for (unsigned int k = 0; k < NPT; k++) {
			assert_int_equal(rca[g][k], rcb[g][k]);
			assert_int_equal(va[g][k], vb[g][k]);
		}
	}
	for (unsigned int h = 0; h < NHSEG; h++) {
		uint64_t index = haddr_of(h) >> GMAP_SEGMENT_SHIFT;

		assert_int_equal(radix_lookup(&ga->host_to_guest, index),
				 radix_lookup(&gb->host_to_guest, index));
	}
	gm_check_maps(&a->m, ga);
	gm_check_maps(&b->m, gb);
}

static void parallel_run_equals_serial_replay(void **state)
{
	struct world *a = world_new(), *b = world_new();

	(void)state;
	a->m.seed = b->m.seed = seed;
	assert_int_equal(run(a, true), run(b, false));
	for (unsigned int gi = 0; gi < GM_NGMAP; gi++)
		assert_same_gmap(a, b, gi);
	world_free(a);
	world_free(b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parallel_run_equals_serial_replay),
	};
	const char *it = getenv("GMAP_TEST_ITERATIONS");

	if (it)
		iterations = strtoul(it, NULL, 0);
	if (argc > 1)
		seed = strtoull(argv[1], NULL, 0);
	return cmocka_run_group_tests_name("stress-gmap", tests, NULL, NULL);
}
