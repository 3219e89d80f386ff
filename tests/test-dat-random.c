// SPDX-License-Identifier: MIT
/*
 * dat suite: the walker against the reference walker on random tables.
 *
 * Iteration i seeds its own generator with i and builds a 64 KB
 * big-endian image of absolute storage: each 4 KB page is given a level
 * and filled with words that are mostly plausible entries of that level
 * (pointing at pages of the next level, with random flags) and partly
 * random garbage, so that walks reach every level and every check. Then
 * RND_PER_ITER translations with random ASCE bits, address, access,
 * address space, facilities and prefix go through gmap_dat_translate()
 * (big-endian image and read callback) and gmap_dat_translate_path(),
 * and must agree with refwalk_translate() on every field and on the path.
 * A range walk from the first address checks that gmap_dat_walk_range()
 * covers the range in order with entries and holes that single
 * translations confirm.
 *
 * GMAP_TEST_ITERATIONS sets the number of iterations (default
 * RND_ITERATIONS); a checksum over all results is printed, and
 * "test-dat --replay N" re-runs iteration N verbosely.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-dat.h"

#define RND_IMAGE	0x10000U	/* bytes of storage */
#define RND_PAGES	(RND_IMAGE / 4096)
#define RND_PER_ITER	8
#define RND_ITERATIONS	16384UL		/* x RND_PER_ITER translations */
#define RND_MAX_EVENTS	2048		/* range walk callbacks per iteration */

/* Level indexes of a page's contents: 0 region-first ... 3 segment, 4 ptes. */
#define L_PAGE	4

struct rng {
	uint64_t s;
};

/* splitmix64 */
static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(struct rng *r, unsigned int n)
{
	return (unsigned int)(rnd(r) % n);
}

static bool chance(struct rng *r, unsigned int num, unsigned int den)
{
	return below(r, den) < num;
}

struct iter {
	unsigned char *image;
	int type[RND_PAGES];
	uint64_t asce;
	unsigned int reads;
};

struct stats {
	unsigned long pic[256];
	unsigned long shift[32];
	unsigned long prot, iep, accf, events;
};

/* An origin for a table of level @l: mostly a page holding that level. */
static uint64_t gen_origin(struct rng *r, const struct iter *it, int l)
{
	unsigned int p = below(r, RND_PAGES);

	if (chance(r, 1, 16))
		return rnd(r) & ~0xfffULL;
	for (int tries = 0; tries < 8 && it->type[p] != l; tries++)
		p = below(r, RND_PAGES);
	return (uint64_t)p * 4096;
}

static uint64_t gen_flags(struct rng *r, uint64_t e)
{
	if (chance(r, 1, 4))
		e |= GMAP_CRSTE_P;
	if (chance(r, 1, 8))
		e |= GMAP_CRSTE_CS;
	if (chance(r, 1, 8))
		e |= GMAP_CRSTE_I;
	/* Now and then a flipped low bit: any bit may be set anywhere. */
	if (chance(r, 1, 8))
		e ^= 1ULL << below(r, 12);
	return e;
}

/* A frame entry (1 MB or 2 GB) with random access-control fields. */
static uint64_t gen_frame(struct rng *r, int tt)
{
	uint64_t addr = chance(r, 1, 2) ? rnd(r) % (8ULL << 31) : rnd(r);
	uint64_t flags = rnd(r) & (GMAP_CRSTE_IEP | GMAP_CRSTE_AV | GMAP_CRSTE_ACC_MASK |
				   GMAP_CRSTE_F);

	return gen_flags(r, gmap_crste_mk_frame(addr, (enum gmap_dat_tt)tt, flags).val);
}

static uint64_t gen_crste(struct rng *r, const struct iter *it, int l)
{
	/* One draw per statement: argument order is the compiler's. */
	unsigned int tf, tl;
	uint64_t e, origin;
	int tt = 3 - l;

	if (chance(r, 1, 8))
		return rnd(r);
	if ((tt == GMAP_TT_SEGMENT || tt == GMAP_TT_REGION3) && chance(r, 1, 4)) {
		e = gen_frame(r, tt);
	} else if (tt == GMAP_TT_SEGMENT) {
		origin = gen_origin(r, it, L_PAGE);
		origin += below(r, 2) * 2048;
		e = gmap_crste_mk_table(origin, GMAP_TT_SEGMENT, 0, 0, 0).val;
		if (chance(r, 1, 16))
			e |= GMAP_CRSTE_FC;
		e = gen_flags(r, e);
	} else {
		origin = gen_origin(r, it, l + 1);
		tf = chance(r, 1, 2) ? 0 : below(r, 4);
		tl = chance(r, 1, 2) ? 3 : below(r, 4);
		e = gmap_crste_mk_table(origin, (enum gmap_dat_tt)tt, tf, tl, 0).val;
		e = gen_flags(r, e);
	}
	if (chance(r, 1, 8))
		e = (e & ~GMAP_CRSTE_TT_MASK) | (uint64_t)below(r, 4) << GMAP_CRSTE_TT_SHIFT;
	return e;
}

static uint64_t gen_pte(struct rng *r)
{
	uint64_t e;

	if (chance(r, 1, 8))
		return rnd(r);
	e = chance(r, 1, 2) ? (uint64_t)below(r, 8) << 12 : rnd(r) & GMAP_PTE_PFRA;
	if (chance(r, 1, 8))
		e |= GMAP_PTE_I;
	if (chance(r, 1, 4))
		e |= GMAP_PTE_P;
	if (chance(r, 1, 4))
		e |= GMAP_PTE_IEP;
	if (chance(r, 1, 16))
		e |= GMAP_PTE_Z;
	return e;
}

static void be_store(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void gen_image(struct rng *r, struct iter *it)
{
	for (unsigned int p = 0; p < RND_PAGES; p++)
		it->type[p] = (int)below(r, 5);
	for (unsigned int a = 0; a < RND_IMAGE; a += 8) {
		int l = it->type[a / 4096];

		be_store(it->image + a, l == L_PAGE ? gen_pte(r) : gen_crste(r, it, l));
	}
}

static uint64_t gen_asce(struct rng *r, const struct iter *it)
{
	int dt = (int)below(r, 4);
	uint64_t origin = gen_origin(r, it, 3 - dt);
	unsigned int tl = chance(r, 1, 2) ? 3 : below(r, 4);
	uint64_t p = chance(r, 1, 4) ? GMAP_ASCE_P : 0;
	uint64_t a = gmap_asce_mk(origin, (enum gmap_dat_tt)dt, tl, p).val;

	if (chance(r, 1, 16))
		a |= GMAP_ASCE_R;
	if (chance(r, 1, 8))
		a ^= rnd(r) & 0xfd0;	/* the other control bits, not R */
	return a;
}

/* An address whose indexes are mostly 0, small, or at part edges. */
static uint64_t gen_va(struct rng *r, uint64_t asce)
{
	int top = 3 - (int)((asce & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT);
	uint64_t va = rnd(r) & 0xfff;

	if (chance(r, 1, 8))
		return rnd(r);
	for (int l = 0; l <= L_PAGE; l++) {
		unsigned int n = l == L_PAGE ? 256 : 2048, idx;
		unsigned int shift = l == L_PAGE ? 12 : 53 - 11 * (unsigned int)l;

		switch (below(r, 4)) {
		case 0:
			idx = 0;
			break;
		case 1:
			idx = below(r, 512) % n;
			break;
		case 2:
			idx = below(r, n);
			break;
		default:
			idx = below(r, 4) * 512;
			idx = (idx + (chance(r, 1, 2) ? 0 : 511)) % n;
			break;
		}
		if (l < top && !chance(r, 1, 16))
			idx = 0;
		va |= (uint64_t)idx << shift;
	}
	return va;
}

static void gen_req(struct rng *r, struct gmap_dat_request *req)
{
	memset(req, 0, sizeof(*req));
	req->access = (uint8_t)below(r, 3);
	req->as = (uint8_t)below(r, 4);
	req->facilities = (uint32_t)rnd(r) & GMAP_FAC_ALL;
	if (chance(r, 3, 4))
		req->facilities |= GMAP_FAC_EDAT1;
	switch (below(r, 4)) {
	case 0:
		req->prefix = 0;
		break;
	case 3:
		req->prefix = rnd(r) & ~0x1fffULL;
		break;
	default:
		req->prefix = (uint64_t)below(r, 4) * 0x2000;
		break;
	}
}

static uint64_t be_load(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int image_read(void *priv, uint64_t addr, uint64_t *val)
{
	struct iter *it = priv;

	it->reads++;
	if (addr >= RND_IMAGE || RND_IMAGE - addr < 8)
		return -1;
	*val = be_load(it->image + addr);
	return 0;
}

static void print_result(const char *who, const struct gmap_dat_result *res,
			 const struct gmap_dat_path *p)
{
	char buf[256];

	fx_fmt_result(buf, sizeof(buf), res);
	printf("#   %-9s %s\n", who, buf);
	for (unsigned int i = 0; p && i < p->n && i < 5; i++)
		printf("#     level %2d at 0x%016" PRIx64 ": 0x%016" PRIx64 "\n", p->e[i].level,
		       p->e[i].addr, p->e[i].val);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static uint64_t fold(uint64_t h, const struct gmap_dat_result *r)
{
	h = mix(h, r->pic | (uint64_t)(uint8_t)r->level << 8 | (uint64_t)r->frame_shift << 16 |
		   (uint64_t)r->prot << 24 | (uint64_t)r->iep << 25 | (uint64_t)r->accf << 26 |
		   (uint64_t)r->teid_valid << 27 |
		   (r->accf ? (uint64_t)r->acc << 32 | (uint64_t)r->fp << 36 : 0));
	h = mix(h, r->addr);
	return mix(h, r->teid);
}

/* One translation four ways; returns true when all agree. */
static bool check_one(struct iter *it, uint64_t va, const struct gmap_dat_request *req,
		      bool verbose, struct gmap_dat_result *out)
{
	struct gmap_dat_mem be = { .kind = GMAP_DAT_MEM_BE, .base = it->image, .size = RND_IMAGE };
	struct gmap_dat_mem fn = { .kind = GMAP_DAT_MEM_FN, .read = image_read, .priv = it };
	struct refwalk_in in = {
		.read = image_read, .priv = it, .asce = it->asce, .vaddr = va,
		.access = req->access, .as = req->as, .facilities = req->facilities,
		.prefix = req->prefix,
	};
	struct gmap_dat_result res, res_fn, res_path, ref;
	struct gmap_dat_path path, ref_path;
	gmap_asce_t asce = { it->asce };
	unsigned int reads;
	bool ok;

	assert_int_equal(gmap_dat_translate(&be, asce, va, req, &res), 0);
	it->reads = 0;
	assert_int_equal(gmap_dat_translate(&fn, asce, va, req, &res_fn), 0);
	reads = it->reads;
	assert_int_equal(gmap_dat_translate_path(&be, asce, va, req, &res_path, &path), 0);
	refwalk_translate(&in, &ref, &ref_path);

	ok = fx_result_eq(&res, &res_fn, true) && fx_result_eq(&res, &res_path, true) &&
	     fx_result_eq(&res, &ref, false) && refwalk_path_eq(&path, &ref_path) &&
	     reads == ref_path.n + (ref.pic == GMAP_PIC_ADDRESSING);
	if (verbose || !ok) {
		printf("# %s va 0x%016" PRIx64 " access %u as %u facilities 0x%02x",
		       ok ? "agree:" : "DISAGREE:", va, req->access, req->as, req->facilities);
		printf(" prefix 0x%" PRIx64 "\n", req->prefix);
		print_result("walker", &res, &path);
		if (!fx_result_eq(&res, &res_fn, true) || reads != path.n + (res.pic == GMAP_PIC_ADDRESSING))
			print_result("callback", &res_fn, NULL);
		if (!fx_result_eq(&res, &res_path, true))
			print_result("path", &res_path, NULL);
		print_result("refwalk", &ref, &ref_path);
	}
	*out = ref;
	return ok;
}

/* The range walk's state: where the next leaf or hole must start. */
struct rwalk {
	struct iter *it;
	uint32_t facilities;
	uint64_t cursor;
	unsigned int events;
	bool bad;
};

static void rw_ref(struct rwalk *rw, uint64_t va, struct gmap_dat_result *res,
		   struct gmap_dat_path *p)
{
	struct refwalk_in in = {
		.read = image_read, .priv = rw->it, .asce = rw->it->asce, .vaddr = va,
		.access = GMAP_DAT_FETCH, .facilities = rw->facilities,
	};

	refwalk_translate(&in, res, p);
}

static int rw_done(struct rwalk *rw, bool ok, const char *what, uint64_t start, uint64_t next)
{
	if (!ok) {
		printf("# range walk: %s [0x%016" PRIx64 ", 0x%016" PRIx64 ") disagrees\n", what,
		       start, next);
		rw->bad = true;
		return 1;
	}
	return ++rw->events >= RND_MAX_EVENTS ? 1 : 0;
}

/* A leaf (page or frame) entry: starts at the cursor, and the reference
 * translates its first and last byte through it with the same level and
 * protection. */
static bool rw_leaf(struct rwalk *rw, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct gmap_dat_result a, b;
	struct gmap_dat_path pa, pb;

	rw_ref(rw, start, &a, &pa);
	rw_ref(rw, next - 1, &b, &pb);
	if (start != rw->cursor || a.pic || b.pic || a.level != w->level || b.level != w->level ||
	    a.prot != w->prot || !pa.n || pa.e[pa.n - 1].addr != w->entry_addr)
		return false;
	rw->cursor = next;
	return true;
}

static int rw_crste(gmap_crste_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct rwalk *rw = w->priv;
	struct gmap_dat_result res;
	struct gmap_dat_path p;
	bool ok = false;

	rw_ref(rw, start, &res, &p);
	/* The entry is on the reference's path for its first byte. */
	for (unsigned int i = 0; i < p.n; i++)
		if (p.e[i].level == w->level)
			ok = p.e[i].addr == w->entry_addr && p.e[i].val == e.val;
	if (ok && res.pic == 0 && res.level == w->level)
		ok = rw_leaf(rw, start, next, w);
	return rw_done(rw, ok, "crste", start, next);
}

static int rw_pte(gmap_pte_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct rwalk *rw = w->priv;
	struct gmap_dat_result res;
	struct gmap_dat_path p;
	bool ok;

	rw_ref(rw, start, &res, &p);
	ok = p.n && p.e[p.n - 1].level == GMAP_LEVEL_PAGE &&
	     p.e[p.n - 1].addr == w->entry_addr && p.e[p.n - 1].val == e.val;
	if (ok && res.pic == 0)
		ok = rw_leaf(rw, start, next, w);
	return rw_done(rw, ok, "pte", start, next);
}

static int rw_hole(uint64_t start, uint64_t next, int level, unsigned int pic,
		   struct gmap_dat_walk *w)
{
	struct rwalk *rw = w->priv;
	struct gmap_dat_result a, b;
	struct gmap_dat_path pa, pb;

	rw_ref(rw, start, &a, &pa);
	rw_ref(rw, next - 1, &b, &pb);
	if (start != rw->cursor || a.pic != pic || b.pic != pic || a.level != level ||
	    b.level != level)
		return rw_done(rw, false, "hole", start, next);
	rw->cursor = next;
	return rw_done(rw, true, "hole", start, next);
}

static const struct gmap_dat_walk_ops rw_ops = {
	.pte_entry = rw_pte,
	.crste_entry = { rw_crste, rw_crste, rw_crste, rw_crste },
	.hole = rw_hole,
};

static bool check_range(struct iter *it, uint64_t start, uint64_t span, uint32_t facilities,
			bool verbose, struct stats *st)
{
	struct gmap_dat_mem be = { .kind = GMAP_DAT_MEM_BE, .base = it->image, .size = RND_IMAGE };
	uint64_t end = start + span < start ? UINT64_MAX : start + span;
	struct rwalk rw = { .it = it, .facilities = facilities, .cursor = start };
	gmap_asce_t asce = { it->asce };
	int ret;

	ret = gmap_dat_walk_range(&be, asce, start, end, facilities, &rw_ops, &rw);
	/* Walked to the end, or stopped by the event limit, with every
	 * leaf and hole where it belongs. */
	if (!rw.bad && ret == 0 && !(it->asce & GMAP_ASCE_R) && rw.cursor != end + 1)
		rw.bad = true;
	if (verbose || rw.bad)
		printf("# range walk [0x%016" PRIx64 ", 0x%016" PRIx64 "] facilities 0x%02x: "
		       "%u callbacks, returned %d, covered to 0x%016" PRIx64 "%s\n", start, end,
		       facilities, rw.events, ret, rw.cursor, rw.bad ? ": DISAGREES" : "");
	st->events += rw.events;
	return !rw.bad && ret >= 0;
}

/* Run iteration @i; returns the number of disagreements. */
static unsigned int run_iteration(struct iter *it, unsigned long i, bool verbose,
				  uint64_t *sum, struct stats *st)
{
	struct rng r = { i };
	unsigned int bad = 0;
	uint64_t first = 0, span;

	gen_image(&r, it);
	it->asce = gen_asce(&r, it);
	if (verbose)
		printf("# iteration %lu: ASCE 0x%016" PRIx64 ", page levels", i, it->asce);
	for (unsigned int p = 0; verbose && p < RND_PAGES; p++)
		printf(" %d", it->type[p]);
	if (verbose)
		printf("\n");
	for (unsigned int t = 0; t < RND_PER_ITER; t++) {
		struct gmap_dat_request req;
		struct gmap_dat_result res;
		uint64_t va = gen_va(&r, it->asce);

		gen_req(&r, &req);
		if (t == 0)
			first = va;
		bad += !check_one(it, va, &req, verbose, &res);
		*sum = fold(*sum, &res);
		st->pic[res.pic]++;
		st->shift[res.frame_shift & 31] += res.pic == 0;
		st->prot += res.prot;
		st->iep += res.iep;
		st->accf += res.accf;
	}
	/* Two statements: the order of the draws must not be the compiler's. */
	span = 1ULL << (12 + below(&r, 12));
	span = rnd(&r) % span;
	bad += !check_range(it, first, span, (uint32_t)rnd(&r) & GMAP_FAC_ALL, verbose, st);
	return bad;
}

static unsigned long iterations(void)
{
	const char *s = getenv("GMAP_TEST_ITERATIONS");
	char *end;
	unsigned long n;

	if (!s || !*s)
		return RND_ITERATIONS;
	n = strtoul(s, &end, 0);
	return *end || !n ? RND_ITERATIONS : n;
}

/*
 * The walker and the reference walker agree on random tables, over
 * GMAP_TEST_ITERATIONS iterations; and every outcome (each exception
 * code, 4 KB pages, 1 MB and 2 GB frames, protection, IEP, ACCF) has been
 * met, so the generator does reach them all (100 iterations suffice).
 */
static void random_tables_agree(void **state)
{
	unsigned long n = iterations(), i;
	struct stats st = { 0 };
	static const uint8_t pics[] = { 0x00, 0x04, 0x05, 0x10, 0x11, 0x12, 0x38, 0x39, 0x3a,
					0x3b };
	struct iter it = { 0 };
	uint64_t sum = 0xcbf29ce484222325ULL;

	(void)state;
	it.image = malloc(RND_IMAGE);
	assert_non_null(it.image);
	for (i = 0; i < n; i++) {
		if (run_iteration(&it, i, false, &sum, &st)) {
			free(it.image);
			fail_msg("iteration %lu disagrees: run test-dat --replay %lu", i, i);
		}
	}
	free(it.image);
	printf("# random: %lu iterations, %lu translations, %lu range callbacks, "
	       "checksum 0x%016" PRIx64 "\n", n, n * RND_PER_ITER, st.events, sum);
	printf("# random: pics");
	for (size_t k = 0; k < sizeof(pics); k++)
		printf(" %02x:%lu", pics[k], st.pic[pics[k]]);
	printf("; 4K %lu 1M %lu 2G %lu prot %lu iep %lu accf %lu\n", st.shift[12], st.shift[20],
	       st.shift[31], st.prot, st.iep, st.accf);
	for (size_t k = 0; k < sizeof(pics); k++)
		if (!st.pic[pics[k]])
			fail_msg("no translation got PIC 0x%02x: too few iterations?", pics[k]);
	if (!st.shift[12] || !st.shift[20] || !st.shift[31] || !st.prot || !st.iep || !st.accf)
		fail_msg("an outcome was never met: too few iterations?");
}

/**
 * dat_random_replay() - re-run one random iteration, printing every
 * translation and the range walk.
 * @iteration: the iteration number
 *
 * Return: the number of disagreements.
 */
int dat_random_replay(unsigned long iteration)
{
	struct iter it = { 0 };
	struct stats st = { 0 };
	uint64_t sum = 0;
	unsigned int bad;

	it.image = malloc(RND_IMAGE);
	if (!it.image) {
		fprintf(stderr, "test-dat: out of memory\n");
		return 1;
	}
	bad = run_iteration(&it, iteration, true, &sum, &st);
	free(it.image);
	printf("# iteration %lu: %u disagreement(s)\n", iteration, bad);
	return (int)bad;
}

const struct CMUnitTest dat_random_tests[] = {
	cmocka_unit_test(random_tables_agree),
};
const size_t dat_random_ntests = sizeof(dat_random_tests) / sizeof(dat_random_tests[0]);
