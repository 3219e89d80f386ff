// SPDX-License-Identifier: MIT
/*
 * The notify and dirtylog suites' fixture (see test-notify.h).
 */
#include <stdlib.h>

#include "test-notify.h"

const struct params params_all = { .facilities = 0 };
/* EDAT-1 and IEP but no ESOP: writable ptes are made dirty up front. */
const struct params params_noesop = { .facilities = GMAP_FAC_EDAT1 | GMAP_FAC_IEP };

static void record(struct gmap *gmap, uint64_t start, uint64_t end, void *priv)
{
	struct rec *r = priv;

	if (r->n < MAXCALLS)
		r->c[r->n] = (struct call){ .gmap = gmap, .start = start, .end = end };
	r->n++;
}

/**
 * rec_init() - a recording notifier with no calls yet.
 * @r: the recorder
 */
void rec_init(struct rec *r)
{
	*r = (struct rec){ .nb = { .notifier_call = record, .priv = r } };
}

int fx_setup(void **state)
{
	const struct params *p = *state ? *state : &params_all;
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	test_host_up(&f->hook, p->facilities, &f->arch, &f->mm);
	assert_int_equal(gmap_create(f->mm, GLIMIT, &f->gmap), 0);
	assert_int_equal(gmap_enable(f->gmap, 0), 0);
	assert_int_equal(gmap_mm_map(f->mm, HBASE, NSEG * SEG, 0, RW), 0);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, GBASE, NSEG * SEG), 0);
	rec_init(&f->rec);
	assert_int_equal(gmap_notifier_register(f->gmap, &f->rec.nb), 0);
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;

	gmap_remove(f->gmap);
	test_host_down(&f->hook, f->arch, f->mm);
	free(f);
	return 0;
}

/**
 * hva() - the host address behind a guest address of the fixture's
 * 4 KB mapping.
 * @gaddr: guest address in [GBASE, GBASE + NSEG * SEG)
 * Return: the host address.
 */
uint64_t hva(uint64_t gaddr)
{
	return gaddr - GBASE + HBASE;
}

uint64_t pte_of(struct fx *f, uint64_t gaddr)
{
	gmap_pte_t pte;

	assert_int_equal(gmap_mm_read_pte(f->mm, hva(gaddr), &pte, NULL), 0);
	return pte.val;
}

uint64_t pgste_of(struct fx *f, uint64_t gaddr)
{
	gmap_pgste_t pgste;

	assert_int_equal(gmap_mm_read_pte(f->mm, hva(gaddr), NULL, &pgste), 0);
	return pgste.val;
}

/* The host frame of a present pte. */
uint64_t host_frame(struct fx *f, uint64_t gaddr)
{
	return pte_of(f, gaddr) & GMAP_PTE_PFRA;
}

/* The gmap's segment entry of @gaddr; GMAP_SEG_EMPTY without a table. */
uint64_t seg_of(struct fx *f, uint64_t gaddr)
{
	gmap_crste_t *segp = gmap_table_walk(f->gmap, gaddr, GMAP_TT_SEGMENT);

	return segp ? segp->val : GMAP_SEG_EMPTY;
}

/* A translation by CPU 0, which runs the gmap: through its TLB. */
struct gmap_dat_result gtr(struct fx *f, uint64_t gaddr, enum gmap_dat_access access)
{
	struct gmap_dat_result r;

	assert_int_equal(gmap_arch_translate(f->arch, 0, gaddr, access, 0, &r), 0);
	return r;
}

/* A guest access as SIE runs it: each translation exception is resolved
 * with gmap_fault(); returns the number of faults taken. */
int guest_access(struct fx *f, uint64_t gaddr, enum gmap_dat_access access)
{
	int faults = 0;

	while (gtr(f, gaddr, access).pic != GMAP_PIC_NONE) {
		assert_int_equal(gmap_fault(f->gmap, gaddr, access), 0);
		assert_true(++faults < 4);
	}
	return faults;
}

/* Call @i was for @gmap and [@start, @start + @len - 1]. */
void expect_call(const struct rec *r, unsigned int i, const struct gmap *gmap, uint64_t start,
		 uint64_t len)
{
	assert_true(i < r->n && i < MAXCALLS);
	assert_ptr_equal(r->c[i].gmap, gmap);
	assert_int_equal(r->c[i].start, start);
	assert_int_equal(r->c[i].end, start + len - 1);
}

/* The frame of the large host segment of @gaddr. */
uint64_t large_frame(struct fx *f, uint64_t gaddr)
{
	gmap_crste_t ste;
	uint64_t haddr;

	assert_int_equal(gmap_translate(f->gmap, gaddr, &haddr), 0);
	assert_int_equal(gmap_mm_read_segment(f->mm, haddr, &ste), 0);
	assert_true(ste.val & GMAP_CRSTE_FC);
	return ste.val & GMAP_SEGMENT_SFAA;
}

/* Map one segment of anonymous 1 MB host frames, HLARGE, at GLARGE. */
void map_large(struct fx *f)
{
	assert_int_equal(gmap_mm_map(f->mm, HLARGE, SEG, 0, RW | GMAP_MM_MAP_LARGE), 0);
	assert_int_equal(gmap_map_segment(f->gmap, HLARGE, GLARGE, SEG), 0);
}
