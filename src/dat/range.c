// SPDX-License-Identifier: MIT
/*
 * The read-only range walker: every table entry that maps a range of
 * virtual addresses, in address order, with the checks of the
 * single-address walker deciding what is a hole.
 */
#include <errno.h>

#include "dat_impl.h"

struct range {
	struct gmap_dat_walk *w;
	/* deeper[tt]: some callback exists below a table of type tt. */
	bool deeper[4];
};

static int range_hole(struct range *r, uint64_t a, uint64_t b, int level, unsigned int pic)
{
	struct gmap_dat_walk *w = r->w;

	return w->ops->hole ? w->ops->hole(a, b + 1, level, pic, w) : 0;
}

static int walk_pt(struct range *r, uint64_t origin, uint64_t start, uint64_t end, bool prot)
{
	struct gmap_dat_walk *w = r->w;
	uint64_t a = start, e;
	int ret;

	for (;;) {
		uint64_t b = a | (GMAP_PAGE_SIZE - 1);
		uint64_t ptr = origin + GMAP_VA_PX(a) * 8;
		unsigned int c;

		if (b > end)
			b = end;
		if (dat_load(w->mem, w->mem->kind, ptr, &e)) {
			ret = range_hole(r, a, b, GMAP_LEVEL_PAGE, GMAP_PIC_ADDRESSING);
		} else {
			c = dat_pte_check(e, w->facilities);
			w->entry_addr = ptr;
			w->level = GMAP_LEVEL_PAGE;
			w->prot = !c && (prot || (e & GMAP_PTE_P));
			ret = w->ops->pte_entry ? w->ops->pte_entry((gmap_pte_t){ e }, a, b + 1, w) : 0;
			if (!ret && c)
				ret = range_hole(r, a, b, GMAP_LEVEL_PAGE, c);
		}
		if (ret || b == end)
			return ret;
		a = b + 1;
	}
}

/*
 * Walk the table of type @tt at @origin for [@start, @end] (inclusive,
 * within the span of the entry above it, at @parent level), whose valid
 * index parts are @tf to @tl.
 */
static int walk_crst(struct range *r, uint64_t origin, int tt, unsigned int tf, unsigned int tl,
		     uint64_t start, uint64_t end, bool prot, int parent)
{
	struct gmap_dat_walk *w = r->w;
	uint64_t span = (1ULL << dat_index_shift(tt)) - 1;
	uint64_t a = start, e;
	int ret;

	for (;;) {
		uint64_t b = (a | span) > end ? end : (a | span);
		unsigned int idx = dat_index(a, tt);
		uint64_t ptr = origin + (uint64_t)idx * 8;
		bool eprot;
		unsigned int c;

		if ((idx >> 9) < tf || (idx >> 9) > tl) {
			ret = range_hole(r, a, b, parent, dat_pic_of(tt));
		} else if (dat_load(w->mem, w->mem->kind, ptr, &e)) {
			ret = range_hole(r, a, b, tt, GMAP_PIC_ADDRESSING);
		} else {
			c = dat_crste_check(e, tt, w->asce.val, w->facilities);
			eprot = prot;
			if (c == DAT_FRAME)
				eprot |= (e & GMAP_CRSTE_P) != 0;
			else if (c == DAT_TABLE)
				eprot |= dat_crste_prot(e, tt, w->facilities);
			w->entry_addr = ptr;
			w->level = tt;
			w->prot = c >= DAT_TABLE && eprot;
			w->action = GMAP_WALK_DESCEND;
			ret = w->ops->crste_entry[tt]
				      ? w->ops->crste_entry[tt]((gmap_crste_t){ e }, a, b + 1, w)
				      : 0;
			if (ret)
				return ret;
			if (c < DAT_TABLE)
				ret = range_hole(r, a, b, tt, c);
			else if (c == DAT_TABLE && w->action == GMAP_WALK_DESCEND && r->deeper[tt])
				ret = tt == GMAP_TT_SEGMENT
					      ? walk_pt(r, e & GMAP_SEGMENT_PTO, a, b, eprot)
					      : walk_crst(r, e & GMAP_CRSTE_ORIGIN, tt - 1,
							  (unsigned int)((e & GMAP_CRSTE_TF_MASK) >>
									 GMAP_CRSTE_TF_SHIFT),
							  (unsigned int)(e & GMAP_CRSTE_TL_MASK), a, b,
							  eprot, tt);
		}
		if (ret || b == end)
			return ret;
		a = b + 1;
	}
}

int gmap_dat_walk_range(const struct gmap_dat_mem *mem, gmap_asce_t asce, uint64_t start,
			uint64_t end, uint32_t facilities, const struct gmap_dat_walk_ops *ops,
			void *priv)
{
	struct gmap_dat_walk w = {
		.ops = ops, .mem = mem, .facilities = facilities, .asce = asce, .priv = priv,
	};
	struct range r = { .w = &w };
	bool below = false;
	uint64_t limit;
	int dt, ret;

	if (!mem || !ops || end < start || (unsigned int)mem->kind > GMAP_DAT_MEM_FN ||
	    (mem->kind == GMAP_DAT_MEM_BE && !mem->base) ||
	    (mem->kind == GMAP_DAT_MEM_FN && !mem->read))
		return -EINVAL;
	/* A real-space ASCE has no tables: nothing to visit. */
	if (asce.val & GMAP_ASCE_R)
		return 0;

	below = ops->pte_entry || ops->hole;
	for (int tt = GMAP_TT_SEGMENT; tt <= GMAP_TT_REGION1; tt++) {
		r.deeper[tt] = below;
		below = below || ops->crste_entry[tt];
	}

	dt = (int)((asce.val & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT);
	limit = dt == GMAP_TT_REGION1 ? UINT64_MAX : (1ULL << (31 + 11 * dt)) - 1;
	ret = 0;
	if (start <= limit)
		ret = walk_crst(&r, asce.val & GMAP_ASCE_ORIGIN, dt, 0,
				(unsigned int)(asce.val & GMAP_ASCE_TL_MASK), start,
				end < limit ? end : limit, false, GMAP_LEVEL_REAL);
	if (!ret && end > limit)
		ret = range_hole(&r, start > limit ? start : limit + 1, end, GMAP_LEVEL_REAL,
				 GMAP_PIC_ASCE_TYPE);
	return ret;
}
