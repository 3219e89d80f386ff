// SPDX-License-Identifier: MIT
/*
 * dat suite: gmap_dat_walk_range() on a small hand-built 3-level space,
 * callback by callback.
 *
 * The space (ASCE region-third, table length 0: RTX 0-511), with EDAT-1
 * and EDAT-2:
 *   r3[0] -> segment table s0 (TF 0, TL 0: SX 0-511)
 *     s0[0] -> page table pt: pt[0] valid, pt[1] invalid, pt[2] valid
 *              with P, pt[3] bit 52 set, pt[4..255] invalid
 *     s0[1] invalid; s0[2] 1 MB frame; s0[3] wrong table type;
 *     s0[4] -> pt with P; s0[5..2047] invalid
 *   r3[1] invalid; r3[2] 2 GB frame with P
 *   r3[3] -> segment table s1 (TF 1, TL 1: SX 512-1023); s1[512] -> pt
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "test-dat.h"

#define GB2	(1ULL << 31)
#define MB	(1ULL << 20)
#define R3_BASE	(3 * GB2)	/* the span of r3[3] */

struct ev {
	char kind;	/* 'c' crste, 'p' pte, 'h' hole */
	int level;
	uint64_t start, next;
	uint64_t addr, val;	/* entries */
	bool prot;		/* entries */
	unsigned int pic;	/* holes */
};

struct space {
	struct fx *fx;
	gmap_asce_t asce;
	uint64_t r3, s0, s1, pt;
	/* the log */
	struct ev ev[1100];
	unsigned int n;
	/* control: at event number @stop_at return @stop_ret; skip below the
	 * crste entry that starts at @skip_start */
	unsigned int stop_at;
	int stop_ret;
	uint64_t skip_start;
};

static void space_build(struct fx *fx, struct space *s)
{
	s->fx = fx;
	s->r3 = fx_crst(fx, GMAP_TT_REGION3);
	s->s0 = fx_crst(fx, GMAP_TT_SEGMENT);
	s->s1 = fx_crst(fx, GMAP_TT_SEGMENT);
	s->pt = fx_pt(fx);
	s->asce = gmap_asce_mk(s->r3, GMAP_TT_REGION3, 0, 0);
	s->stop_at = UINT32_MAX;
	s->skip_start = UINT64_MAX;

	fx_put(fx, s->r3 + 0, gmap_crste_mk_table(s->s0, GMAP_TT_REGION3, 0, 0, 0).val);
	fx_put(fx, s->r3 + 16, gmap_crste_mk_frame(0x280000000ULL, GMAP_TT_REGION3,
						   GMAP_CRSTE_P).val);
	fx_put(fx, s->r3 + 24, gmap_crste_mk_table(s->s1, GMAP_TT_REGION3, 1, 1, 0).val);
	fx_put(fx, s->s0 + 0, gmap_crste_mk_table(s->pt, GMAP_TT_SEGMENT, 0, 0, 0).val);
	fx_put(fx, s->s0 + 16, gmap_crste_mk_frame(0x12300000ULL, GMAP_TT_SEGMENT,
						   GMAP_CRSTE_AV | 3ULL << 12).val);
	fx_put(fx, s->s0 + 24, gmap_crste_mk_table(s->pt, GMAP_TT_REGION3, 0, 0, 0).val);
	fx_put(fx, s->s0 + 32, gmap_crste_mk_table(s->pt, GMAP_TT_SEGMENT, 0, 0,
						   GMAP_CRSTE_P).val);
	fx_put(fx, s->s1 + 512 * 8, gmap_crste_mk_table(s->pt, GMAP_TT_SEGMENT, 0, 0, 0).val);
	fx_put(fx, s->pt + 0, gmap_pte_mk(0xa000, 0).val);
	fx_put(fx, s->pt + 16, gmap_pte_mk(0xb000, GMAP_PTE_P).val);
	fx_put(fx, s->pt + 24, gmap_pte_mk(0xc000, 0).val | GMAP_PTE_Z);
}

static int log_ev(struct gmap_dat_walk *w, struct ev ev)
{
	struct space *s = w->priv;

	assert_true(s->n < sizeof(s->ev) / sizeof(s->ev[0]));
	assert_ptr_equal(w->mem, &s->fx->mem);
	assert_int_equal(w->asce.val, s->asce.val);
	assert_int_equal(w->facilities, GMAP_FAC_ALL);
	s->ev[s->n++] = ev;
	return s->n == s->stop_at ? s->stop_ret : 0;
}

static int on_crste(gmap_crste_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct space *s = w->priv;

	if (start == s->skip_start)
		w->action = GMAP_WALK_SKIP;
	return log_ev(w, (struct ev){ 'c', w->level, start, next, w->entry_addr, e.val,
				      w->prot, 0 });
}

static int on_pte(gmap_pte_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	assert_int_equal(w->level, GMAP_LEVEL_PAGE);
	return log_ev(w, (struct ev){ 'p', w->level, start, next, w->entry_addr, e.val,
				      w->prot, 0 });
}

static int on_hole(uint64_t start, uint64_t next, int level, unsigned int pic,
		   struct gmap_dat_walk *w)
{
	return log_ev(w, (struct ev){ 'h', level, start, next, 0, 0, false, pic });
}

static const struct gmap_dat_walk_ops all_ops = {
	.pte_entry = on_pte,
	.crste_entry = { on_crste, on_crste, on_crste, on_crste },
	.hole = on_hole,
};

/* The expected log, built up by the helpers below. */
struct want {
	struct ev ev[1100];
	unsigned int n;
};

static void w_entry(struct want *w, struct space *s, char kind, int level, uint64_t start,
		    uint64_t next, uint64_t addr, bool prot)
{
	w->ev[w->n++] = (struct ev){ kind, level, start, next, addr, fx_get(s->fx, addr), prot, 0 };
}

static void w_hole(struct want *w, int level, uint64_t start, uint64_t next, unsigned int pic)
{
	w->ev[w->n++] = (struct ev){ 'h', level, start, next, 0, 0, false, pic };
}

/* The ptes of pt for [start, next) (page aligned but for the ends), under
 * a segment entry with protection @prot. */
static void w_ptes(struct want *w, struct space *s, uint64_t start, uint64_t next, bool prot)
{
	for (uint64_t a = start; a < next; a = (a | 0xfff) + 1) {
		unsigned int px = (unsigned int)((a >> 12) & 0xff);
		uint64_t b = (a | 0xfff) + 1 < next ? (a | 0xfff) + 1 : next;

		w_entry(w, s, 'p', GMAP_LEVEL_PAGE, a, b, s->pt + px * 8,
			(px == 0 || px == 2) && (prot || px == 2));
		if (px == 1 || px > 3)
			w_hole(w, GMAP_LEVEL_PAGE, a, b, 0x11);
		if (px == 3)
			w_hole(w, GMAP_LEVEL_PAGE, a, b, 0x12);
	}
}

static void print_ev(const char *who, unsigned int i, const struct ev *e)
{
	print_error("  %s %3u: %c level %2d [0x%" PRIx64 ", 0x%" PRIx64 ") addr 0x%" PRIx64
		    " val 0x%" PRIx64 " prot %d pic 0x%x\n",
		    who, i, e->kind, e->level, e->start, e->next, e->addr, e->val, e->prot, e->pic);
}

static bool ev_eq(const struct ev *a, const struct ev *b)
{
	return a->kind == b->kind && a->level == b->level && a->start == b->start &&
	       a->next == b->next && a->addr == b->addr && a->val == b->val &&
	       a->prot == b->prot && a->pic == b->pic;
}

/* Walk [start, end] and require exactly the log @w and the return @ret. */
static void expect_walk(struct space *s, const struct gmap_dat_walk_ops *ops, uint64_t start,
			uint64_t end, const struct want *w, int ret)
{
	int got;

	s->n = 0;
	got = gmap_dat_walk_range(&s->fx->mem, s->asce, start, end, GMAP_FAC_ALL, ops, s);
	for (unsigned int i = 0; i < s->n || i < w->n; i++) {
		if (i < s->n && i < w->n && ev_eq(&s->ev[i], &w->ev[i]))
			continue;
		if (i < s->n)
			print_ev("got ", i, &s->ev[i]);
		if (i < w->n)
			print_ev("want", i, &w->ev[i]);
		fail_msg("walk [0x%" PRIx64 ", 0x%" PRIx64 "]: callback %u differs", start, end, i);
	}
	assert_int_equal(got, ret);
}

/* Within one page table: entries, holes of invalid and bit-52 ptes,
 * protection, clipping of the first and last page to the range. */
static void range_pages(void **state)
{
	struct space s = { 0 };
	struct want w = { 0 };

	space_build(*state, &s);
	w_entry(&w, &s, 'c', GMAP_TT_REGION3, 0x800, 0x4800, s.r3, false);
	w_entry(&w, &s, 'c', GMAP_TT_SEGMENT, 0x800, 0x4800, s.s0, false);
	w_ptes(&w, &s, 0x800, 0x4800, false);
	expect_walk(&s, &all_ops, 0x800, 0x47ff, &w, 0);
}

/* Across segment entries: invalid, 1 MB frame (an entry, no descent, no
 * hole), wrong table type, a protected page table. */
static void range_segments(void **state)
{
	struct space s = { 0 };
	struct want w = { 0 };

	space_build(*state, &s);
	w_entry(&w, &s, 'c', GMAP_TT_REGION3, 0xff000, 0x403000, s.r3, false);
	w_entry(&w, &s, 'c', GMAP_TT_SEGMENT, 0xff000, MB, s.s0, false);
	w_ptes(&w, &s, 0xff000, MB, false);
	w_entry(&w, &s, 'c', GMAP_TT_SEGMENT, MB, 2 * MB, s.s0 + 8, false);
	w_hole(&w, GMAP_TT_SEGMENT, MB, 2 * MB, 0x10);
	w_entry(&w, &s, 'c', GMAP_TT_SEGMENT, 2 * MB, 3 * MB, s.s0 + 16, false);
	w_entry(&w, &s, 'c', GMAP_TT_SEGMENT, 3 * MB, 4 * MB, s.s0 + 24, false);
	w_hole(&w, GMAP_TT_SEGMENT, 3 * MB, 4 * MB, 0x12);
	w_entry(&w, &s, 'c', GMAP_TT_SEGMENT, 4 * MB, 0x403000, s.s0 + 32, true);
	w_ptes(&w, &s, 4 * MB, 0x403000, true);
	expect_walk(&s, &all_ops, 0xff000, 0x402fff, &w, 0);
}

/* Across region-third entries: a segment index beyond the region entry's
 * table length and below its table offset (holes at the region-third
 * level, one per segment), an invalid entry, a protected 2 GB frame. */
static void range_regions(void **state)
{
	struct space s = { 0 };
	struct want w = { 0 };
	uint64_t end = R3_BASE + 512 * MB + 0x2000;

	space_build(*state, &s);
	w_entry(&w, &s, 'c', GMAP_TT_REGION3, GB2 - 0x1000, GB2, s.r3, false);
	w_hole(&w, GMAP_TT_REGION3, GB2 - 0x1000, GB2, 0x10);
	w_entry(&w, &s, 'c', GMAP_TT_REGION3, GB2, 2 * GB2, s.r3 + 8, false);
	w_hole(&w, GMAP_TT_REGION3, GB2, 2 * GB2, 0x3b);
	w_entry(&w, &s, 'c', GMAP_TT_REGION3, 2 * GB2, 3 * GB2, s.r3 + 16, true);
	w_entry(&w, &s, 'c', GMAP_TT_REGION3, 3 * GB2, end, s.r3 + 24, false);
	for (uint64_t a = R3_BASE; a < R3_BASE + 512 * MB; a += MB)
		w_hole(&w, GMAP_TT_REGION3, a, a + MB, 0x10);
	w_entry(&w, &s, 'c', GMAP_TT_SEGMENT, R3_BASE + 512 * MB, end, s.s1 + 512 * 8, false);
	w_ptes(&w, &s, R3_BASE + 512 * MB, end, false);
	expect_walk(&s, &all_ops, GB2 - 0x1000, end - 1, &w, 0);
}

/* Beyond the ASCE: indexes beyond its table length (a hole per entry, at
 * the ASCE level), then beyond the reach of its type (one ASCE-type hole
 * to the end of the range, the end of the address space included, where
 * the half-open range's end wraps to 0). */
static void range_asce_limits(void **state)
{
	struct space s = { 0 };
	struct want w = { 0 };
	uint64_t top = 1ULL << 42;

	space_build(*state, &s);
	w_hole(&w, GMAP_LEVEL_REAL, top - GB2 - 5, top - GB2, 0x3b);
	w_hole(&w, GMAP_LEVEL_REAL, top - GB2, top, 0x3b);
	w_hole(&w, GMAP_LEVEL_REAL, top, top + 0x1001, 0x38);
	expect_walk(&s, &all_ops, top - GB2 - 5, top + 0x1000, &w, 0);

	w.n = 0;
	w_hole(&w, GMAP_LEVEL_REAL, 1ULL << 50, 0, 0x38);
	expect_walk(&s, &all_ops, 1ULL << 50, UINT64_MAX, &w, 0);
}

/* GMAP_WALK_SKIP from a region entry: nothing below it is visited or
 * read; the walk goes on with the next entry. */
static void range_skip(void **state)
{
	struct space s = { 0 };
	struct want w = { 0 };
	struct fx *fx = *state;

	space_build(fx, &s);
	s.skip_start = 0;
	w_entry(&w, &s, 'c', GMAP_TT_REGION3, 0, GB2, s.r3, false);
	w_entry(&w, &s, 'c', GMAP_TT_REGION3, GB2, 2 * GB2, s.r3 + 8, false);
	w_hole(&w, GMAP_TT_REGION3, GB2, 2 * GB2, 0x3b);
	w_entry(&w, &s, 'c', GMAP_TT_REGION3, 2 * GB2, 3 * GB2, s.r3 + 16, true);
	fx->reads = 0;
	expect_walk(&s, &all_ops, 0, 3 * GB2 - 1, &w, 0);
	if (fx->kind == GMAP_DAT_MEM_FN)
		assert_int_equal(fx->reads, 3);
}

/* A positive return stops the walk and is returned, from each kind of
 * callback; a negative one likewise, as an error. */
static void range_stop_and_error(void **state)
{
	static const struct {
		unsigned int stop_at;
		int ret;
	} cases[] = {
		{ 1, 5 }, { 2, -EIO }, { 3, 1 }, { 5, 3 }, { 6, 7 }, { 8, -5 },
	};
	struct space s = { 0 };
	struct want all = { 0 };

	space_build(*state, &s);
	w_entry(&all, &s, 'c', GMAP_TT_REGION3, 0x0, 0x5000, s.r3, false);
	w_entry(&all, &s, 'c', GMAP_TT_SEGMENT, 0x0, 0x5000, s.s0, false);
	w_ptes(&all, &s, 0x0, 0x5000, false);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct want w = all;

		w.n = cases[i].stop_at;
		s.stop_at = cases[i].stop_at;
		s.stop_ret = cases[i].ret;
		expect_walk(&s, &all_ops, 0x0, 0x4fff, &w, cases[i].ret);
	}
}

/* NULL callbacks are not called, and a subtree without any deeper
 * callback is not entered (not even read). */
static void range_missing_callbacks(void **state)
{
	const struct gmap_dat_walk_ops r3_only = {
		.crste_entry = { [GMAP_TT_REGION3] = on_crste },
	};
	const struct gmap_dat_walk_ops holes_only = { .hole = on_hole };
	const struct gmap_dat_walk_ops ptes_only = { .pte_entry = on_pte };
	struct fx *fx = *state;
	struct space s = { 0 };
	struct want w = { 0 };

	space_build(fx, &s);
	for (unsigned int i = 0; i < 4; i++)
		w_entry(&w, &s, 'c', GMAP_TT_REGION3, i * GB2, (i + 1) * GB2, s.r3 + i * 8,
			i == 2);
	fx->reads = 0;
	expect_walk(&s, &r3_only, 0, 4 * GB2 - 1, &w, 0);
	if (fx->kind == GMAP_DAT_MEM_FN)
		assert_int_equal(fx->reads, 4);

	w.n = 0;
	w_hole(&w, GMAP_LEVEL_PAGE, 0x1000, 0x2000, 0x11);
	w_hole(&w, GMAP_LEVEL_PAGE, 0x3000, 0x4000, 0x12);
	w_hole(&w, GMAP_LEVEL_PAGE, 0x4000, 0x5000, 0x11);
	fx->reads = 0;
	expect_walk(&s, &holes_only, 0, 0x4fff, &w, 0);
	if (fx->kind == GMAP_DAT_MEM_FN)
		assert_int_equal(fx->reads, 7);

	w.n = 0;
	w_entry(&w, &s, 'p', GMAP_LEVEL_PAGE, 0x0, 0x1000, s.pt, false);
	w_entry(&w, &s, 'p', GMAP_LEVEL_PAGE, 0x1000, 0x2000, s.pt + 8, false);
	w_entry(&w, &s, 'p', GMAP_LEVEL_PAGE, 0x2000, 0x2001, s.pt + 16, true);
	expect_walk(&s, &ptes_only, 0, 0x2000, &w, 0);
}

/* Argument errors (-EINVAL, no callback), and a real-space ASCE (nothing
 * to visit). */
static void range_einval(void **state)
{
	struct fx *fx = *state;
	struct space s = { 0 };
	struct gmap_dat_mem mem;

	space_build(fx, &s);
	assert_int_equal(gmap_dat_walk_range(NULL, s.asce, 0, 1, 0, &all_ops, &s), -EINVAL);
	assert_int_equal(gmap_dat_walk_range(&fx->mem, s.asce, 0, 1, 0, NULL, &s), -EINVAL);
	assert_int_equal(gmap_dat_walk_range(&fx->mem, s.asce, 2, 1, 0, &all_ops, &s), -EINVAL);
	mem = fx->mem;
	mem.kind = (enum gmap_dat_mem_kind)3;
	assert_int_equal(gmap_dat_walk_range(&mem, s.asce, 0, 1, 0, &all_ops, &s), -EINVAL);
	mem = fx->mem;
	mem.base = NULL;
	mem.read = NULL;
	if (fx->kind != GMAP_DAT_MEM_HOST)
		assert_int_equal(gmap_dat_walk_range(&mem, s.asce, 0, 1, 0, &all_ops, &s),
				 -EINVAL);
	assert_int_equal(s.n, 0);

	fx->reads = 0;
	s.asce.val |= GMAP_ASCE_R;
	assert_int_equal(gmap_dat_walk_range(&fx->mem, s.asce, 0, UINT64_MAX, GMAP_FAC_ALL,
					     &all_ops, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(fx->reads, 0);
}

const struct CMUnitTest dat_range_tests[] = {
	FX_TESTS(range_pages),
	FX_TESTS(range_segments),
	FX_TESTS(range_regions),
	FX_TESTS(range_asce_limits),
	FX_TESTS(range_skip),
	FX_TESTS(range_stop_and_error),
	FX_TESTS(range_missing_callbacks),
	FX_TESTS(range_einval),
};
const size_t dat_range_ntests = sizeof(dat_range_tests) / sizeof(dat_range_tests[0]);
