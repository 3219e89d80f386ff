// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the range walker, gmap_dat_walk_range(), on arbitrary
 * tables.
 *
 * Input: facilities (1 byte), a callback mask (1: bits 0-3 crste_entry
 * of each table type, bit 4 pte_entry, bit 5 hole, bit 6 reads through a
 * GMAP_DAT_MEM_FN callback instead of GMAP_DAT_MEM_BE), the ASCE (8), the
 * range's first and last address (8 + 8), a skip divisor (1: every Nth
 * region/segment entry is answered GMAP_WALK_SKIP, 0 never), a stop point
 * (2: the Nth callback stops the walk, 0 never) and stop value (1, signed),
 * a record count (1) and records for the 64 KB image (fz_image_fill()).
 *
 * The walk is recorded (at most FZ_RANGE_EVENTS callbacks; the next one
 * stops it) and then checked:
 *  - the return value is 0, the stop value, or the budget's;
 *  - callbacks come in address order, inside the range, and each names a
 *    non-empty part of it;
 *  - sampled single translations (first, last and one inner address of
 *    every event) agree: a hole's exception code and level, an entry's
 *    place on the translation's path and its value, the protection seen;
 *  - with the leaf callbacks (segment and region-third entries, ptes) and
 *    the hole callback present and the walk not stopped, the leaves
 *    (valid ptes, EDAT frames, skipped tables) and holes tile the range
 *    exactly, with no gap and no overlap;
 *  - with every callback present, the walk read each entry once: reads
 *    equal entry callbacks plus addressing-exception holes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define FZ_RANGE_EVENTS	2048
#define FZ_RANGE_BUDGET	0x4000	/* returned when the event budget ends a walk */

#define M_CRSTE(tt)	(1u << (tt))
#define M_PTE		(1u << 4)
#define M_HOLE		(1u << 5)
#define M_FN		(1u << 6)
#define M_LEAVES	(M_CRSTE(GMAP_TT_SEGMENT) | M_CRSTE(GMAP_TT_REGION3) | M_PTE | M_HOLE)
#define M_ALL		(M_LEAVES | M_CRSTE(GMAP_TT_REGION2) | M_CRSTE(GMAP_TT_REGION1))

enum ev_kind { EV_CRSTE, EV_PTE, EV_HOLE };

struct event {
	enum ev_kind kind;
	int level;
	unsigned int pic;
	bool prot;
	bool skipped;
	uint64_t start;
	uint64_t next;
	uint64_t val;
	uint64_t entry_addr;
};

struct range_fz {
	const uint8_t *image;
	uint64_t asce;
	uint64_t start;
	uint64_t end;
	uint32_t facilities;
	unsigned int skip_div;
	unsigned int stop_at;
	int stop_val;
	unsigned long reads;
	unsigned long walk_reads;
	struct event *ev;
	unsigned int nev;
	bool over_budget;
};

static int image_read(void *priv, uint64_t addr, uint64_t *val)
{
	struct range_fz *r = priv;

	FZ_CHECK(!(addr & 7), "unaligned table read at 0x%" PRIx64, addr);
	r->reads++;
	if (addr > FZ_IMAGE_SIZE - 8)
		return -1;
	*val = fz_image_get(r->image, addr);
	return 0;
}

/* Record one callback; returns what the callback returns. */
static int record(struct gmap_dat_walk *w, enum ev_kind kind, int level, unsigned int pic,
		  uint64_t start, uint64_t next, uint64_t val)
{
	struct range_fz *r = w->priv;
	struct event *e;

	if (r->nev == FZ_RANGE_EVENTS) {
		r->over_budget = true;
		return FZ_RANGE_BUDGET;
	}
	e = &r->ev[r->nev++];
	*e = (struct event){
		.kind = kind, .level = level, .pic = pic, .start = start, .next = next,
		.val = val,
	};
	if (kind != EV_HOLE) {
		e->prot = w->prot;
		e->entry_addr = w->entry_addr;
		FZ_CHECK(w->level == level, "walk level %d for an entry of level %d", w->level,
			 level);
	}
	if (kind == EV_CRSTE && r->skip_div && r->nev % r->skip_div == 0) {
		w->action = GMAP_WALK_SKIP;
		e->skipped = true;
	}
	return r->stop_at && r->nev == r->stop_at ? r->stop_val : 0;
}

static int on_crste(gmap_crste_t crste, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	return record(w, EV_CRSTE, w->level, 0, start, next, crste.val);
}

static int on_pte(gmap_pte_t pte, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	return record(w, EV_PTE, GMAP_LEVEL_PAGE, 0, start, next, pte.val);
}

static int on_hole(uint64_t start, uint64_t next, int level, unsigned int pic,
		   struct gmap_dat_walk *w)
{
	return record(w, EV_HOLE, level, pic, start, next, 0);
}

static void ev_fail(const struct range_fz *r, const struct event *e, uint64_t va,
		    const struct gmap_dat_result *res, const char *what)
{
	fprintf(stderr, "asce 0x%016" PRIx64 " range 0x%" PRIx64 "-0x%" PRIx64
		" facilities 0x%x\nevent kind %d level %d pic 0x%x [0x%" PRIx64 ", 0x%" PRIx64
		") val 0x%016" PRIx64 " at 0x%" PRIx64 " prot %d; va 0x%" PRIx64 "\n",
		r->asce, r->start, r->end, r->facilities, e->kind, e->level, e->pic, e->start,
		e->next, e->val, e->entry_addr, e->prot, va);
	if (res)
		fz_print_result("translate", res);
	fz_fail("%s", what);
}

/* Translate @va alone and check that it agrees with event @e; @res gets
 * the translation. */
static void check_sample(const struct range_fz *r, const struct gmap_dat_mem *mem,
			 const struct event *e, uint64_t va, struct gmap_dat_result *res)
{
	struct gmap_dat_request req = { .access = GMAP_DAT_FETCH, .facilities = r->facilities };
	struct gmap_dat_path path;
	gmap_asce_t asce = { r->asce };
	bool on_path = false;

	FZ_CHECK(gmap_dat_translate_path(mem, asce, va, &req, res, &path) == 0,
		 "translate_path failed");
	if (e->kind == EV_HOLE) {
		if (res->pic != e->pic || res->level != e->level)
			ev_fail(r, e, va, res, "hole disagrees with a single translation");
		return;
	}
	for (unsigned int i = 0; i < path.n; i++)
		on_path |= path.e[i].level == e->level && path.e[i].addr == e->entry_addr &&
			   path.e[i].val == e->val;
	if (!on_path)
		ev_fail(r, e, va, res, "entry is not on the single translation's path");
	/* A leaf's protection is the translation's; above a leaf, protection
	 * found so far stays on. */
	if (res->pic == GMAP_PIC_NONE && res->level == e->level && res->prot != e->prot)
		ev_fail(r, e, va, res, "leaf protection differs from the translation's");
	if (res->pic == GMAP_PIC_NONE && e->prot && !res->prot)
		ev_fail(r, e, va, res, "protection on the path is lost below");
}

/* Check event @i against single translations; returns whether it is a
 * tile of the range: a hole, a leaf that translates (a pte or an EDAT
 * frame), or a skipped entry that made no hole. */
static bool check_event(const struct range_fz *r, const struct gmap_dat_mem *mem,
			unsigned int i)
{
	const struct event *e = &r->ev[i];
	const struct event *n = i + 1 < r->nev ? &r->ev[i + 1] : NULL;
	uint64_t last = e->next - 1, len = e->next - e->start;
	struct gmap_dat_result first, other;
	bool hole_follows;

	FZ_CHECK(e->start >= r->start && last <= r->end && e->start <= last,
		 "event %u [0x%" PRIx64 ", 0x%" PRIx64 ") outside the range", i, e->start,
		 e->next);
	FZ_CHECK(i == 0 || e->start >= r->ev[i - 1].start, "event %u out of address order", i);
	check_sample(r, mem, e, e->start, &first);
	check_sample(r, mem, e, last, &other);
	if (len > 2)
		check_sample(r, mem, e, e->start + 1 + (e->val ^ e->entry_addr) % (len - 2),
			     &other);
	if (e->kind == EV_HOLE)
		return true;
	hole_follows = n && n->kind == EV_HOLE && n->start == e->start && n->next == e->next &&
		       n->level == e->level;
	if (e->skipped && n && n->start < e->next && !hole_follows)
		ev_fail(r, e, n->start, NULL, "a skipped entry was descended into");
	if (e->skipped)
		return !hole_follows;
	return first.pic == GMAP_PIC_NONE && first.level == e->level;
}

static void check_walk(struct range_fz *r, const struct gmap_dat_mem *mem, unsigned int mask,
		       int ret)
{
	/* A real-space ASCE has no tables: the walk visits nothing. */
	bool tiling = (mask & M_LEAVES) == M_LEAVES && ret == 0 && !(r->asce & GMAP_ASCE_R);
	unsigned long entries = 0, addr_holes = 0;
	uint64_t pos = r->start;
	bool covered = false;

	if (r->stop_at && r->stop_at <= r->nev)
		FZ_CHECK(ret == r->stop_val && r->nev == r->stop_at,
			 "stop value %d at callback %u: walk returned %d after %u", r->stop_val,
			 r->stop_at, ret, r->nev);
	else if (r->over_budget)
		FZ_CHECK(ret == FZ_RANGE_BUDGET, "budget stop: walk returned %d", ret);
	else
		FZ_CHECK(ret == 0, "walk returned %d without a stop", ret);

	for (unsigned int i = 0; i < r->nev; i++) {
		const struct event *e = &r->ev[i];
		bool tile = check_event(r, mem, i);

		entries += e->kind != EV_HOLE;
		addr_holes += e->kind == EV_HOLE && e->pic == GMAP_PIC_ADDRESSING;
		if (!tiling || !tile)
			continue;
		if (covered || e->start != pos)
			ev_fail(r, e, pos, NULL, covered ? "a tile beyond the end of the range" :
				"tiles leave a gap or overlap");
		pos = e->next;
		covered = e->next - 1 == r->end;
	}
	FZ_CHECK(!tiling || covered, "tiles end at 0x%" PRIx64 ", the range at 0x%" PRIx64, pos,
		 r->end);
	if ((mask & M_ALL) == M_ALL && (mask & M_FN) && ret == 0)
		FZ_CHECK(r->walk_reads == entries + addr_holes,
			 "%lu table reads for %lu entries and %lu addressing holes", r->walk_reads,
			 entries, addr_holes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct gmap_dat_walk_ops ops = { 0 };
	struct range_fz r = { 0 };
	struct gmap_dat_mem mem;
	unsigned int mask;
	uint8_t *image;
	uint64_t swap;
	int ret;

	r.facilities = fz_u8(&f) & GMAP_FAC_ALL;
	mask = fz_u8(&f);
	r.asce = fz_u64(&f);
	r.start = fz_u64(&f);
	r.end = fz_u64(&f);
	r.skip_div = fz_u8(&f);
	r.stop_at = fz_u16(&f);
	r.stop_val = (int8_t)fz_u8(&f);
	if (!r.stop_val)
		r.stop_at = 0;
	image = calloc(1, FZ_IMAGE_SIZE);
	r.ev = calloc(FZ_RANGE_EVENTS, sizeof(*r.ev));
	FZ_CHECK(image && r.ev, "out of memory");
	fz_image_fill(&f, image, fz_u8(&f));
	r.image = image;

	for (int tt = 0; tt < 4; tt++)
		ops.crste_entry[tt] = mask & M_CRSTE(tt) ? on_crste : NULL;
	ops.pte_entry = mask & M_PTE ? on_pte : NULL;
	ops.hole = mask & M_HOLE ? on_hole : NULL;
	if (mask & M_FN)
		mem = (struct gmap_dat_mem){ .kind = GMAP_DAT_MEM_FN, .read = image_read,
					     .priv = &r };
	else
		mem = (struct gmap_dat_mem){ .kind = GMAP_DAT_MEM_BE, .base = image,
					     .size = FZ_IMAGE_SIZE };

	if (r.end < r.start) {
		FZ_CHECK(gmap_dat_walk_range(&mem, (gmap_asce_t){ r.asce }, r.start, r.end,
					     r.facilities, &ops, &r) == -EINVAL && r.nev == 0,
			 "a range that ends before it starts was accepted");
		swap = r.start;
		r.start = r.end;
		r.end = swap;
	}
	ret = gmap_dat_walk_range(&mem, (gmap_asce_t){ r.asce }, r.start, r.end, r.facilities,
				  &ops, &r);
	/* The samples read too: count only the walk's own reads. */
	r.walk_reads = r.reads;
	check_walk(&r, &mem, mask, ret);
	free(r.ev);
	free(image);
	return 0;
}
