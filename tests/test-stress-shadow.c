// SPDX-License-Identifier: MIT
/*
 * The shadow stress test (suite stress; CI runs it under ThreadSanitizer):
 * one shadow of fixed guest-1 tables (a region-third table, a segment
 * table, two page tables X and Y per segment), NREADER vCPU threads, each
 * on its own backend CPU running the shadow, fault random guest-2
 * addresses (fetch and store, retrying on -EAGAIN) and translate them
 * (gmap_translate() of the shadow, and gmap_arch_translate() through the
 * CPU's strict TLB), while a writer thread (guest 1, on its own CPU)
 * rewrites guest-1 entries through the parent and a host thread
 * mprotects and zaps the parent's data pages. Once in 1024 writes the
 * writer stores the top table's entry again, unchanged: the shadow is
 * dropped, and each reader, holding its own reference, gets -ESTALE and
 * gmap_shadow_get() anew (retrying on -EAGAIN while another creates it).
 *
 * The writer moves each entry through known states only: segment entry
 * s designates page table X_s or Y_s; pte k of a page table holds frame
 * 0, frame 1 or is invalid; every entry has a generation counter, odd
 * while its write is under way, whose value names the state. A reader
 * reads the generations of everything its address depends on before and
 * after its calls: when none moved, the fault's guest-1 address, the
 * shadow's translation and a TLB hit must be exactly the current state's
 * (a stale shadow pte or TLB entry that survived a completed guest-1
 * write shows here); when one moved, they must still be one of the
 * address's possible frames. The host thread keeps generations of the
 * data pages likewise: a TLB hit over a stable data page must give its
 * current host frame (and, for a store, be writable). At the end,
 * serially, every address is faulted once more, every valid shadow pte is
 * compared with the two-stage reference (sm_check()) and every
 * allocation must be freed.
 *
 * GMAP_TEST_ITERATIONS reader steps in all (default 300000; the Valgrind
 * setup sets 3000); "test-stress-shadow SEED" runs with another seed.
 */
#include <errno.h>
#include <inttypes.h>
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

#include "shadow-model.h"

#define NREADER		3		/* reader i runs the shadow on CPU 2 + i */
#define NSEG		4		/* guest-2 segments */
#define NPT		(2 * NSEG)	/* page tables: X_s = 2s, Y_s = 2s + 1 */
#define NK		8		/* pages per segment */
#define R3T		SM_TABLE_BASE
#define SGT		(SM_TABLE_BASE + SM_CRST_SIZE)
#define PT(t)		(SM_PT_BASE + (uint64_t)(t) * GMAP_PT_SIZE)
#define NDATA		(NPT * NK * 2)
#define RW		(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

static unsigned long iterations = 300000;
static uint64_t seed = 1;

/*
 * struct world - the shared state of one run.
 * @m: the backend, mm, parent and shadow (slot 0), and the final check
 * @gen_seg: per segment entry, its generation: state (gen / 2) % 2 names
 *	X_s or Y_s
 * @gen_pte: per pte of each page table: state (gen / 2) % 3 names frame
 *	0, frame 1, or invalid
 * @gen_host: per data page, bumped around each host change of it
 * @readers_left: readers still running (the others stop at 0)
 * @failed: a thread found a broken invariant: @msg says which
 * @msg: the first failure
 * @exact: reader checks made against a stable state
 * @installed: faults resolved
 */
struct world {
	struct sm m;
	unsigned long gen_seg[NSEG];
	unsigned long gen_pte[NPT][NK];
	unsigned long gen_host[NDATA];
	int readers_left;
	int failed;
	char msg[512];
	unsigned long exact, installed;
};

void sm_report(const char *msg)
{
	fail_msg("%s", msg);
	abort();	/* fail_msg() does not return */
}

static void failf(struct world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failf(struct world *w, const char *fmt, ...)
{
	va_list ap;
	int expect = 0;

	if (!__atomic_compare_exchange_n(&w->failed, &expect, 1, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
}

static bool stop(struct world *w)
{
	return __atomic_load_n(&w->failed, __ATOMIC_ACQUIRE) ||
	       !__atomic_load_n(&w->readers_left, __ATOMIC_ACQUIRE);
}

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static unsigned long gen(unsigned long *g)
{
	return __atomic_load_n(g, __ATOMIC_ACQUIRE);
}

static uint64_t saddr_of(unsigned int s, unsigned int k)
{
	return (uint64_t)s * 0x101 * GMAP_SEGMENT_SIZE + (uint64_t)k * 31 * GMAP_PAGE_SIZE;
}

/* Guest-1 data page of pte @k of page table @t in state @v (0, 1). */
static unsigned int data_page(unsigned int t, unsigned int k, unsigned int v)
{
	return (t * NK + k) * 2 + v;
}

static uint64_t pte_val(unsigned int t, unsigned int k, unsigned long g)
{
	unsigned int v = (unsigned int)(g / 2 % 3);

	return v == 2 ? GMAP_PTE_I : (uint64_t)data_page(t, k, v) * GMAP_PAGE_SIZE;
}

static uint64_t ste_val(unsigned int s, unsigned long g)
{
	return gmap_crste_mk_table(PT(2 * s + g / 2 % 2), GMAP_TT_SEGMENT, 0, 0, 0).val;
}

/* Store an entry as guest 1 on the writer's CPU. */
static int g1_put(struct world *w, uint64_t gaddr, uint64_t val)
{
	unsigned char b[8];
	int rc;

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(val >> (8 * (7 - i)));
	do
		rc = gmap_gacc_write_abs(w->m.parent, SM_G1CPU, gaddr, b, sizeof(b));
	while (rc == -EAGAIN);
	return rc;
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));
	struct sm *m;

	assert_non_null(w);
	m = &w->m;
	m->ncpu = 2 + NREADER;	/* guest 1, slot 0 (idle), the readers */
	m->seed = seed;
	sm_init(m, 0);
	for (uint64_t a = 0; a < 2 * SM_CRST_SIZE; a += 8)
		assert_int_equal(g1_put(w, R3T + a, GMAP_CRSTE_I | (a < SM_CRST_SIZE ?
						    (uint64_t)GMAP_TT_REGION3 << 2 : 0)), 0);
	assert_int_equal(g1_put(w, R3T, gmap_crste_mk_table(SGT, GMAP_TT_REGION3, 0, 3,
							    0).val), 0);
	for (unsigned int t = 0; t < NPT; t++)
		for (unsigned int k = 0; k < GMAP_PT_ENTRIES; k++)
			assert_int_equal(g1_put(w, PT(t) + k * 8ULL, GMAP_PTE_I), 0);
	for (unsigned int s = 0; s < NSEG; s++) {
		assert_int_equal(g1_put(w, SGT + GMAP_VA_SX(saddr_of(s, 0)) * 8, ste_val(s, 0)),
				 0);
		for (unsigned int t = 2 * s; t < 2 * s + 2; t++)
			for (unsigned int k = 0; k < NK; k++)
				assert_int_equal(g1_put(w, PT(t) + GMAP_VA_PX(saddr_of(s, k)) * 8,
							pte_val(t, k, 0)), 0);
	}
	m->op = "shadow";
	sm_shadow_get(m, 0, gmap_asce_mk(R3T, GMAP_TT_REGION3, 3, 0), 0);
	assert_non_null(m->slot[0].sg);
	return w;
}

static void *writer(void *arg)
{
	struct world *w = arg;
	uint64_t x = seed * 0x2545f4914f6cdd1dULL + 7;

	while (!stop(w)) {
		uint64_t r = next(&x);
		unsigned int s = (unsigned int)(r >> 8) % NSEG, k = (unsigned int)(r >> 16) % NK;
		unsigned int t = 2 * s + (unsigned int)(r >> 24) % 2;
		unsigned long *g = r & 1 ? &w->gen_seg[s] : &w->gen_pte[t][k], now;
		int rc;

		/* Now and then the top table's entry, unchanged: no state
		 * moves, the shadow is dropped, the readers get a new one. */
		if (r % 1024 == 1023) {
			rc = g1_put(w, R3T, gmap_crste_mk_table(SGT, GMAP_TT_REGION3, 0, 3, 0).val);
			if (rc)
				failf(w, "writer: guest-1 store to the top table: %d", rc);
			continue;
		}
		now = __atomic_add_fetch(g, 1, __ATOMIC_ACQ_REL) + 1;
		if (r & 1)
			rc = g1_put(w, SGT + GMAP_VA_SX(saddr_of(s, 0)) * 8, ste_val(s, now));
		else
			rc = g1_put(w, PT(t) + GMAP_VA_PX(saddr_of(s, k)) * 8, pte_val(t, k, now));
		__atomic_add_fetch(g, 1, __ATOMIC_ACQ_REL);
		if (rc)
			failf(w, "writer: guest-1 store: %d", rc);
	}
	return NULL;
}

static void *host(void *arg)
{
	static const unsigned int prots[4] = { RW, RW, GMAP_MM_PROT_READ, GMAP_MM_PROT_NONE };
	struct world *w = arg;
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 3;

	while (!stop(w)) {
		uint64_t r = next(&x);
		unsigned int p = (unsigned int)(r >> 8) % NDATA;
		uint64_t h = SM_HBASE + (uint64_t)p * GMAP_PAGE_SIZE;
		int rc;

		__atomic_add_fetch(&w->gen_host[p], 1, __ATOMIC_ACQ_REL);
		if (r % 5 == 4)
			rc = gmap_mm_zap(w->m.mm, h, GMAP_PAGE_SIZE);
		else
			rc = gmap_mm_mprotect(w->m.mm, h, GMAP_PAGE_SIZE, prots[r % 4]);
		__atomic_add_fetch(&w->gen_host[p], 1, __ATOMIC_ACQ_REL);
		if (rc)
			failf(w, "host: %d", rc);
	}
	return NULL;
}

/*
 * struct snap - the generations a reader's address depends on.
 * @seg: of its segment entry
 * @pte: of its pte in X_s and Y_s
 * @host: of the four data pages it may map
 */
struct snap {
	unsigned long seg, pte[2], host[4];
};

static void take(struct world *w, unsigned int s, unsigned int k, struct snap *n)
{
	n->seg = gen(&w->gen_seg[s]);
	for (unsigned int i = 0; i < 2; i++) {
		n->pte[i] = gen(&w->gen_pte[2 * s + i][k]);
		for (unsigned int v = 0; v < 2; v++)
			n->host[2 * i + v] = gen(&w->gen_host[data_page(2 * s + i, k, v)]);
	}
}

/* The guest-1 page of a stable state (-1: invalid), or -2 when a
 * generation moved. */
static long expected(const struct snap *a, const struct snap *b, unsigned int s, unsigned int k)
{
	unsigned int i = (unsigned int)(a->seg / 2 % 2), v;

	if (a->seg != b->seg || (a->seg & 1) || a->pte[i] != b->pte[i] || (a->pte[i] & 1))
		return -2;
	v = (unsigned int)(a->pte[i] / 2 % 3);
	return v == 2 ? -1 : (long)data_page(2 * s + i, k, v);
}

/* Whether guest-1 page @p is one address (@s, @k) may map. */
static bool possible(unsigned int s, unsigned int k, uint64_t p)
{
	for (unsigned int i = 0; i < 4; i++)
		if (p == data_page(2 * s + i / 2, k, i % 2))
			return true;
	return false;
}

/*
 * struct reader - one vCPU thread.
 * @w: the world
 * @cpu: its backend CPU
 * @steps: faults to make
 * @sg: its reference to the shadow, enabled on @cpu
 * @regets: shadows it saw dropped and got anew
 * @old: its references to them (@regets of them), put after the threads
 *	end (gmap_put()'s count is not ordered for concurrent puts; see
 *	shadow-bugs.md)
 */
struct reader {
	struct world *w;
	unsigned int cpu;
	unsigned long steps;
	struct gmap *sg;
	unsigned long regets;
	struct gmap **old;
};

/* Get the shadow (again) and run it on the reader's CPU. */
static int reader_get(struct reader *rd)
{
	int rc;

	do
		rc = gmap_shadow_get(rd->w->m.parent, rd->w->m.slot[0].asce, 0, &rd->sg);
	while (rc == -EAGAIN);
	return rc ? rc : gmap_enable(rd->sg, rd->cpu);
}

/* A dropped shadow (marked removed before its purge completes, as the
 * kernel's gmap_unshadow() does, so its TLB entries are not checked
 * here: the serial model checks them): get the new one. */
static void reader_reget(struct reader *rd)
{
	int rc;

	if (gmap_shadow_valid(rd->sg, rd->w->m.slot[0].asce, 0))
		failf(rd->w, "CPU %u: -ESTALE from a valid shadow", rd->cpu);
	gmap_disable(rd->sg, rd->cpu);
	/* A power of two is full: double. */
	if (!(rd->regets & (rd->regets - 1))) {
		struct gmap **old = realloc(rd->old, 2 * (rd->regets + 1) * sizeof(*old));

		if (!old) {
			failf(rd->w, "CPU %u: out of memory", rd->cpu);
			return;
		}
		rd->old = old;
	}
	rd->old[rd->regets++] = rd->sg;
	rc = reader_get(rd);
	if (rc)
		failf(rd->w, "CPU %u: shadow_get: %d", rd->cpu, rc);
}

static void read_one(struct reader *rd, uint64_t r)
{
	struct world *w = rd->w;
	unsigned int cpu = rd->cpu;
	unsigned int s = (unsigned int)(r >> 8) % NSEG, k = (unsigned int)(r >> 16) % NK;
	enum gmap_dat_access access = r & 1 ? GMAP_DAT_STORE : GMAP_DAT_FETCH;
	uint64_t saddr = saddr_of(s, k) + ((r >> 24) & 0xff8), h = 0, hf = 0;
	struct gmap *sg = rd->sg;
	struct gmap_dat_result res, t, ts;
	struct snap a, b;
	int rc, trc, tries = 0;
	long want;
	bool wr;

	take(w, s, k, &a);
	do
		rc = gmap_shadow_fault(sg, saddr, access, &res);
	while (rc == -EAGAIN && ++tries < 1000);
	trc = gmap_translate(sg, saddr, &h);
	gmap_arch_translate(w->m.arch, cpu, saddr, GMAP_DAT_FETCH, 0, &t);
	gmap_arch_translate(w->m.arch, cpu, saddr, GMAP_DAT_STORE, 0, &ts);
	/* The host frame of the page the state at the start names; used
	 * only if nothing moved until the end. */
	want = expected(&a, &a, s, k);
	if (want >= 0)
		hf = sm_host_frame(&w->m, (uint64_t)want * GMAP_PAGE_SIZE + (saddr & 0xfff), &wr);
	take(w, s, k, &b);
	want = expected(&a, &b, s, k);
	if (rc == -ESTALE) {
		reader_reget(rd);
		return;
	}
	if (rc && rc != -EFAULT && rc != -EAGAIN) {
		failf(w, "CPU %u: fault(0x%" PRIx64 "): %d", cpu, saddr, rc);
		return;
	}
	if (!rc && res.pic == 0) {
		__atomic_add_fetch(&w->installed, 1, __ATOMIC_RELAXED);
		if (want == -2 ? !possible(s, k, res.addr / GMAP_PAGE_SIZE) :
		    (long)(res.addr / GMAP_PAGE_SIZE) != want)
			failf(w, "CPU %u: fault(0x%" PRIx64 ") to guest-1 0x%" PRIx64 ", state says "
			      "page %ld", cpu, saddr, res.addr, want);
	} else if (!rc && (res.pic != GMAP_PIC_PAGE_TRANSLATION || want >= 0)) {
		failf(w, "CPU %u: fault(0x%" PRIx64 "): pic 0x%x, state says page %ld", cpu, saddr,
		      res.pic, want);
	}
	if (!trc && (want == -2 ? !possible(s, k, (h - SM_HBASE) / GMAP_PAGE_SIZE) :
		     (long)((h - SM_HBASE) / GMAP_PAGE_SIZE) != want))
		failf(w, "CPU %u: translate(0x%" PRIx64 ") = 0x%" PRIx64 ", state says page %ld",
		      cpu, saddr, h, want);
	if (t.pic || want < 0)
		return;
	/* A translation through the TLB over a stable data page is its
	 * current host frame. */
	for (unsigned int i = 0; i < 4; i++)
		if (a.host[i] != b.host[i] || (a.host[i] & 1))
			return;
	/* Another reader's store fault may be making the page dirty: the
	 * exchange leaves the host pte invalid for a moment, and the host
	 * thread's generation does not move. Look again a few times. */
	for (int i = 0; i < 100 && !hf && t.addr; i++) {
		sched_yield();
		hf = sm_host_frame(&w->m, (uint64_t)want * GMAP_PAGE_SIZE + (saddr & 0xfff), &wr);
	}
	if (t.addr != hf)
		failf(w, "CPU %u: TLB gives 0x%" PRIx64 " for 0x%" PRIx64 ", guest-1 page %ld is "
		      "host 0x%" PRIx64, cpu, t.addr, saddr, want, hf);
	if (!ts.pic && (ts.addr != hf || !wr))
		failf(w, "CPU %u: a store to 0x%" PRIx64 " translates to 0x%" PRIx64 ", guest-1 "
		      "page %ld is host 0x%" PRIx64 " %swritable", cpu, saddr, ts.addr, want, hf,
		      wr ? "" : "not ");
	__atomic_add_fetch(&w->exact, 1, __ATOMIC_RELAXED);
}

static void *reader(void *arg)
{
	struct reader *rd = arg;
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + rd->cpu;

	if (reader_get(rd))
		failf(rd->w, "CPU %u: first shadow_get failed", rd->cpu);
	for (unsigned long i = 0; i < rd->steps && !__atomic_load_n(&rd->w->failed,
								       __ATOMIC_ACQUIRE); i++)
		read_one(rd, next(&x));
	gmap_disable(rd->sg, rd->cpu);
	__atomic_sub_fetch(&rd->w->readers_left, 1, __ATOMIC_ACQ_REL);
	return NULL;
}

static void shadow_faults_race_with_guest1_and_host_changes(void **state)
{
	struct world *w = world_new();
	struct reader rd[NREADER];
	pthread_t th[NREADER + 2];

	(void)state;
	w->readers_left = NREADER;
	for (unsigned int i = 0; i < NREADER; i++) {
		rd[i] = (struct reader){ .w = w, .cpu = 2 + i, .steps = iterations / NREADER };
		assert_int_equal(pthread_create(&th[i], NULL, reader, &rd[i]), 0);
	}
	assert_int_equal(pthread_create(&th[NREADER], NULL, writer, w), 0);
	assert_int_equal(pthread_create(&th[NREADER + 1], NULL, host, w), 0);
	for (unsigned int i = 0; i < NREADER + 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (unsigned int i = 0; i < NREADER; i++) {
		for (unsigned long j = 0; j < rd[i].regets; j++)
			gmap_put(rd[i].old[j]);
		free(rd[i].old);
		gmap_put(rd[i].sg);
	}
	if (w->failed)
		fail_msg("seed %" PRIu64 ": %s", seed, w->msg);
	print_message("# faults resolved %lu, exact TLB checks %lu, shadows dropped and got anew "
		      "%lu\n", w->installed, w->exact, rd[0].regets + rd[1].regets + rd[2].regets);
	assert_true(w->installed > 0 && w->exact > 0);

	/* Serially: every valid shadow pte agrees with the reference. */
	w->m.op = "final check";
	sm_shadow_get(&w->m, 0, w->m.slot[0].asce, 0);
	assert_int_equal(gmap_mm_mprotect(w->m.mm, SM_HBASE, NDATA * GMAP_PAGE_SIZE, RW), 0);
	memset(w->m.prot, RW, sizeof(w->m.prot));
	for (unsigned int s = 0; s < NSEG; s++)
		for (unsigned int k = 0; k < NK; k++) {
			struct gmap_dat_result res;
			int rc, tries = 0;

			do
				rc = gmap_shadow_fault(w->m.slot[0].sg, saddr_of(s, k),
						       GMAP_DAT_FETCH, &res);
			while (rc == -EAGAIN && ++tries < 100);
			assert_int_equal(rc, 0);
			sm_remember(&w->m, saddr_of(s, k));
		}
	sm_check(&w->m);
	assert_true(w->m.st.ptes > 0);
	sm_fini(&w->m);
	free(w);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shadow_faults_race_with_guest1_and_host_changes),
	};
	const char *it = getenv("GMAP_TEST_ITERATIONS");

	if (it)
		iterations = strtoul(it, NULL, 0);
	if (argc > 1)
		seed = strtoull(argv[1], NULL, 0);
	return cmocka_run_group_tests_name("stress-shadow", tests, NULL, NULL);
}
