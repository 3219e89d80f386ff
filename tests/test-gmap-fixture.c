// SPDX-License-Identifier: MIT
/*
 * The gmap suite's fixture (see test-gmap.h), the reverse-map checker and
 * the entry point.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test-gmap.h"

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	test_host_up(&f->hook, 0, &f->arch, &f->mm);
	assert_int_equal(gmap_mm_attach(f->mm, 0), 0);
	assert_int_equal(gmap_create(f->mm, LIMIT, &f->gmap), 0);
	assert_int_equal(gmap_enable(f->gmap, GCPU), 0);
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;

	if (f->gmap)
		gmap_remove(f->gmap);
	test_host_down(&f->hook, f->arch, f->mm);
	free(f);
	return 0;
}

void host_map(struct fx *f)
{
	assert_int_equal(gmap_mm_map(f->mm, HBASE, HLEN, 0,
				     GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE), 0);
}

uint64_t gseg(struct fx *f, uint64_t gaddr)
{
	gmap_crste_t *ep = gmap_table_walk(f->gmap, gaddr, GMAP_TT_SEGMENT);

	return ep ? ep->val : 0;
}

uint64_t hseg(struct fx *f, uint64_t haddr)
{
	gmap_crste_t ste;

	if (gmap_mm_read_segment(f->mm, haddr, &ste))
		return GMAP_SEG_EMPTY;
	return ste.val;
}

uint64_t hpte(struct fx *f, uint64_t haddr)
{
	gmap_pte_t pte;

	assert_int_equal(gmap_mm_read_pte(f->mm, haddr, &pte, NULL), 0);
	return pte.val;
}

struct gmap_dat_result gtr(struct fx *f, uint64_t gaddr, enum gmap_dat_access access)
{
	struct gmap_dat_result res;

	assert_int_equal(gmap_arch_translate(f->arch, GCPU, gaddr, access, 0, &res), 0);
	return res;
}

typedef void (*entry_fn)(struct fx *f, int tt, uint64_t gaddr, gmap_crste_t *ep, void *priv);

/* Call @fn for every non-empty entry of the gmap's tables, in address
 * order; an invalid region entry must be exactly the empty one. */
static void walk(struct fx *f, gmap_crste_t *t, int tt, uint64_t base, entry_fn fn, void *priv)
{
	unsigned int shift = GMAP_SEGMENT_SHIFT + 11 * (unsigned int)tt;

	for (uint64_t i = 0; i < GMAP_CRST_MAX_ENTRIES; i++) {
		uint64_t e = t[i].val, a = base | (i << shift);

		if (tt > GMAP_TT_SEGMENT && (e & GMAP_CRSTE_I)) {
			assert_int_equal(e, GMAP_CRSTE_I | ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT));
			continue;
		}
		if (e == GMAP_SEG_EMPTY && tt == GMAP_TT_SEGMENT)
			continue;
		fn(f, tt, a, &t[i], priv);
		if (tt > GMAP_TT_SEGMENT)
			walk(f, gmap_arch_real_to_virt(f->arch, e & GMAP_CRSTE_ORIGIN), tt - 1, a, fn,
			     priv);
	}
}

static void check_entry(struct fx *f, int tt, uint64_t gaddr, gmap_crste_t *ep, void *priv)
{
	uint64_t e = ep->val, g2h, haddr, he;

	if (tt != GMAP_TT_SEGMENT) {
		assert_int_equal(e & ~GMAP_CRSTE_ORIGIN,
				 ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT) | GMAP_CRST_TL);
		return;
	}
	(*(size_t *)priv)++;
	g2h = radix_lookup(&f->gmap->guest_to_host, gaddr >> GMAP_SEGMENT_SHIFT);
	assert_true(g2h & GTH_VALID);
	haddr = g2h & ~GTH_VALID;
	assert_int_equal(radix_lookup(&f->gmap->host_to_guest, haddr >> GMAP_SEGMENT_SHIFT),
			 gaddr | GTH_VALID);
	he = hseg(f, haddr);
	if (e & GMAP_CRSTE_FC)
		assert_int_equal(e & GMAP_SEGMENT_SFAA, he & GMAP_SEGMENT_SFAA);
	else
		assert_int_equal(e, he & (GMAP_SEGMENT_PTO | GMAP_CRSTE_P | GMAP_CRSTE_CS));
}

static int count_one(uint64_t index, uint64_t value, void *priv)
{
	(void)index;
	assert_true(value & GTH_VALID);
	(*(size_t *)priv)++;
	return 0;
}

size_t check_maps(struct fx *f)
{
	size_t linked = 0, nh2g = 0;

	walk(f, f->gmap->table, f->gmap->top_tt, 0, check_entry, &linked);
	/* Each linked entry has its own host_to_guest entry pointing back;
	 * as many entries as links: no entry points elsewhere. */
	radix_for_each(&f->gmap->host_to_guest, count_one, &nh2g);
	assert_int_equal(nh2g, linked);
	return linked;
}

static void snap_entry(struct fx *f, int tt, uint64_t gaddr, gmap_crste_t *ep, void *priv)
{
	struct gsnap *s = priv;

	(void)f;
	(void)tt;
	assert_true(s->n < 64);
	s->addr[s->n] = gaddr;
	s->val[s->n++] = ep->val;
}

static int snap_g2h(uint64_t index, uint64_t value, void *priv)
{
	struct gsnap *s = priv;

	assert_true(s->ng2h < 64);
	s->g2h[0][s->ng2h] = index;
	s->g2h[1][s->ng2h++] = value;
	return 0;
}

static int snap_h2g(uint64_t index, uint64_t value, void *priv)
{
	struct gsnap *s = priv;

	assert_true(s->nh2g < 64);
	s->h2g[0][s->nh2g] = index;
	s->h2g[1][s->nh2g++] = value;
	return 0;
}

void gsnap_take(struct fx *f, struct gsnap *s)
{
	memset(s, 0, sizeof(*s));
	walk(f, f->gmap->table, f->gmap->top_tt, 0, snap_entry, s);
	radix_for_each(&f->gmap->guest_to_host, snap_g2h, s);
	radix_for_each(&f->gmap->host_to_guest, snap_h2g, s);
	s->table_bytes = gmap_table_bytes(f->gmap);
}

void gsnap_assert_equal(const struct gsnap *a, const struct gsnap *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->addr, b->addr, a->n * sizeof(a->addr[0]));
	assert_memory_equal(a->val, b->val, a->n * sizeof(a->val[0]));
	assert_int_equal(a->ng2h, b->ng2h);
	assert_memory_equal(a->g2h, b->g2h, sizeof(a->g2h));
	assert_int_equal(a->nh2g, b->nh2g);
	assert_memory_equal(a->h2g, b->h2g, sizeof(a->h2g));
	assert_int_equal(a->table_bytes, b->table_bytes);
}

int main(void)
{
	const struct test_group groups[] = { radix_group, life_group, map_group, link_group, large_group };

	return test_run_groups("gmap", groups, sizeof(groups) / sizeof(groups[0]));
}
