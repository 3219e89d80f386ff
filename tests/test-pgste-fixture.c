// SPDX-License-Identifier: MIT
/*
 * The pgste suite's fixture (see test-pgste.h) and its entry point.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test-pgste.h"

const struct params params_pgste = { .pgste = true };
const struct params params_nopgste = { .pgste = false };
/* EDAT-1 and IEP but no ESOP: writable ptes are made dirty up front. */
const struct params params_noesop = { .pgste = true,
				      .facilities = GMAP_FAC_EDAT1 | GMAP_FAC_IEP };

static struct fx *fx_new(const struct params *p)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .alloc = &alloc_hook_ops, .ncpus = 2,
					     .strict = true);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = p->pgste, .levels = p->levels);

	assert_non_null(f);
	ao.alloc_priv = &f->hook;
	ao.facilities = p->facilities;
	assert_int_equal(gmap_arch_soft_create(&ao, &f->arch), 0);
	mo.arch = f->arch;
	assert_int_equal(gmap_mm_create(&mo, &f->mm), 0);
	assert_int_equal(gmap_mm_attach(f->mm, 0), 0);
	f->frames = aligned_alloc(PG, NFRAMES * PG);
	assert_non_null(f->frames);
	return f;
}

static void fx_free(struct fx *f)
{
	gmap_mm_destroy(f->mm);
	gmap_arch_destroy(f->arch);
	assert_int_equal(f->hook.live, 0);
	free(f->frames);
	free(f);
}

int fx_setup(void **state)
{
	*state = fx_new(*state ? *state : &params_pgste);
	return 0;
}

int fx_teardown(void **state)
{
	fx_free(*state);
	return 0;
}

uint64_t frame(const struct fx *f, unsigned int i)
{
	return (uint64_t)(uintptr_t)(f->frames + (size_t)i * PG);
}

uint64_t pte_of(struct fx *f, uint64_t haddr)
{
	gmap_pte_t pte;

	assert_int_equal(gmap_mm_read_pte(f->mm, haddr, &pte, NULL), 0);
	return pte.val;
}

uint64_t pgste_of(struct fx *f, uint64_t haddr)
{
	gmap_pgste_t pgste;

	assert_int_equal(gmap_mm_read_pte(f->mm, haddr, NULL, &pgste), 0);
	return pgste.val;
}

/* Map a range and fault every page of it in with @access. */
void map_fault(struct fx *f, uint64_t haddr, uint64_t len, uint64_t fr, unsigned int prot,
	       enum gmap_dat_access access)
{
	assert_int_equal(gmap_mm_map(f->mm, haddr, len, fr, prot), 0);
	for (uint64_t off = 0; off < len; off += PG)
		assert_int_equal(gmap_mm_fault(f->mm, haddr + off, access), 0);
}

struct gmap_dat_result tr(struct fx *f, unsigned int cpu, uint64_t va,
			  enum gmap_dat_access access)
{
	struct gmap_dat_result r;

	assert_int_equal(gmap_arch_translate(f->arch, cpu, va, access, 0, &r), 0);
	return r;
}

bool tlb_has(struct fx *f, unsigned int cpu, uint64_t va)
{
	struct gmap_dat_result r;

	return gmap_arch_tlb_lookup(f->arch, cpu, gmap_mm_asce(f->mm), va, &r) == 1;
}

uint64_t ste_of(struct fx *f, uint64_t haddr)
{
	gmap_crste_t ste;

	assert_int_equal(gmap_mm_read_segment(f->mm, haddr, &ste), 0);
	return ste.val;
}

static void seg_rec_call(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	struct seg_rec *r = priv;
	gmap_crste_t ste;

	assert_true(r->n < SEG_REC_MAX);
	assert_int_equal(gmap_mm_read_segment(mm, start, &ste), 0);
	r->start[r->n] = start;
	r->end[r->n] = end;
	r->ste[r->n++] = ste.val;
}

/* Record the segment callbacks of @f's mm in @r (a notifier with only the
 * segment callback). */
void seg_rec_register(struct fx *f, struct seg_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->nb.segment = seg_rec_call;
	r->nb.priv = r;
	assert_int_equal(gmap_mm_notifier_register(f->mm, &r->nb), 0);
}

static void snap_add(struct snap *s, uint64_t addr, uint64_t val)
{
	if (!(s->n & (s->n + 1))) {
		s->addr = realloc(s->addr, 2 * (s->n + 1) * sizeof(*s->addr));
		s->val = realloc(s->val, 2 * (s->n + 1) * sizeof(*s->val));
		assert_true(s->addr && s->val);
	}
	s->addr[s->n] = addr;
	s->val[s->n++] = val;
}

struct snap_ctx {
	struct snap *s;
	bool pgste;
};

static int snap_crste(gmap_crste_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct snap_ctx *c = w->priv;

	(void)start;
	(void)next;
	snap_add(c->s, w->entry_addr, e.val);
	return 0;
}

/* A pte, and its PGSTE 2 KB above it. */
static int snap_pte(gmap_pte_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct snap_ctx *c = w->priv;
	uint64_t pgste = w->entry_addr + GMAP_PT_SIZE;

	(void)start;
	(void)next;
	snap_add(c->s, w->entry_addr, e.val);
	if (c->pgste)
		snap_add(c->s, pgste, *(const uint64_t *)(uintptr_t)pgste);
	return 0;
}

void snap_take(struct fx *f, struct snap *s)
{
	const struct gmap_dat_walk_ops ops = {
		.pte_entry = snap_pte,
		.crste_entry = { snap_crste, snap_crste, snap_crste, snap_crste },
	};
	struct snap_ctx c = { .s = s, .pgste = gmap_mm_has_pgste(f->mm) };
	uint64_t end = f->mm->limit ? f->mm->limit - 1 : UINT64_MAX;
	struct gmap_dat_mem mem;

	memset(s, 0, sizeof(*s));
	gmap_arch_table_mem(f->arch, &mem);
	s->asce = gmap_mm_asce(f->mm).val;
	assert_int_equal(gmap_dat_walk_range(&mem, gmap_mm_asce(f->mm), 0, end, GMAP_FAC_ALL, &ops,
					     &c), 0);
	assert_true(f->mm->nvma <= 32);
	s->nvma = f->mm->nvma;
	for (size_t i = 0; i < s->nvma; i++)
		s->vma[i] = f->mm->vma[i];
	s->table_bytes = gmap_mm_table_bytes(f->mm);
	s->live = f->hook.live;
}

void snap_assert_equal(const struct snap *a, const struct snap *b)
{
	assert_int_equal(a->asce, b->asce);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->addr[i], b->addr[i]);
		assert_int_equal(a->val[i], b->val[i]);
	}
	assert_int_equal(a->nvma, b->nvma);
	for (size_t i = 0; i < a->nvma; i++) {
		assert_int_equal(a->vma[i].start, b->vma[i].start);
		assert_int_equal(a->vma[i].end, b->vma[i].end);
		assert_int_equal(a->vma[i].frame, b->vma[i].frame);
		assert_int_equal(a->vma[i].prot, b->vma[i].prot);
		assert_int_equal(a->vma[i].large, b->vma[i].large);
	}
	assert_int_equal(a->table_bytes, b->table_bytes);
	assert_int_equal(a->live, b->live);
}

void snap_free(struct snap *s)
{
	free(s->addr);
	free(s->val);
}

unsigned long nomem_loop(const struct params *p, nomem_prep prep, nomem_op op, int ok)
{
	for (unsigned long n = 1;; n++) {
		for (int for_good = 0; for_good < 2; for_good++) {
			struct fx *f = fx_new(p);
			struct snap before, after;
			int rc;

			if (prep)
				prep(f);
			snap_take(f, &before);
			f->hook.fail_at = f->hook.calls + n;
			f->hook.for_good = for_good;
			rc = op(f);
			f->hook.fail_at = 0;
			if (rc != -ENOMEM) {
				assert_int_equal(rc, ok);
				snap_free(&before);
				fx_free(f);
				return n;
			}
			snap_take(f, &after);
			snap_assert_equal(&before, &after);
			snap_free(&before);
			snap_free(&after);
			fx_free(f);
		}
	}
}

int main(void)
{
	const struct test_group groups[] = {
		pgste_mm_tests, pgste_xchg_tests, pgste_skey_tests,
		pgste_dirty_tests, pgste_sie_tests, pgste_nomem_tests,
		pgste_large_tests, pgste_unmap_tests,
	};

	return test_run_groups("pgste", groups, sizeof(groups) / sizeof(groups[0]));
}
