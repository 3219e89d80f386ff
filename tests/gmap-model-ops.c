// SPDX-License-Identifier: MIT
/*
 * The reference model's operations (see gmap-model.h): each takes its
 * arguments from the byte source, predicts the result with the model
 * (gmap-model.c), calls the library and compares the return code; the
 * checks of the whole state follow every step (gmap-model-check.c).
 *
 * Arguments are biased towards what does something (free ranges for host
 * maps, mostly read-write protections), and each operation sometimes
 * takes bad arguments, which must be refused with nothing changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmap-model.h"

static uint8_t byte(struct gm *m)
{
	return m->src.next(m->src.priv);
}

static bool seg_has_mapping(const struct gm_hseg *s)
{
	for (int k = 0; k < GM_NP; k++)
		if (s->pg[k].mapped)
			return true;
	return s->rest_mapped;
}

/* A protection, mostly read-write. */
static unsigned int prot_arg(unsigned int sel)
{
	if ((sel & 7) == 0)
		return GMAP_MM_PROT_NONE;
	return (sel & 7) == 1 ? GMAP_MM_PROT_READ : GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE;
}

static void whole(struct gm_hrange *r, int h0, int h1)
{
	*r = (struct gm_hrange){ h0, h1, (1u << GM_NP) - 1, true, gm_haddr(h0),
				 (uint64_t)(h1 - h0 + 1) * GM_SEG };
}

/* A host range: one or two whole segments, one tracked page, or tracked
 * pages among 0-2. */
static void hrange_arg(struct gm *m, struct gm_hrange *r)
{
	unsigned int sel = byte(m), a, n;
	int h = (sel >> 2) % GM_NH;

	if ((sel & 3) == 0 || (sel & 3) == 3) {
		whole(r, h, (sel & 3) == 3 && h + 1 < GM_NH ? h + 1 : h);
		return;
	}
	a = (sel & 3) == 1 ? (sel >> 4) % GM_NP : (sel >> 4) % 3;
	n = (sel & 3) == 1 ? 1 : 1 + (sel >> 6) % (3 - a);
	*r = (struct gm_hrange){ h, h, ((1u << n) - 1) << a, false, gm_page_haddr(h, (int)a),
				 n * GM_PG };
}

/* Mostly a free range: a whole empty segment, or an unmapped tracked page;
 * now and then any (-EEXIST). */
static void map_range_arg(struct gm *m, struct gm_hrange *r)
{
	unsigned int sel = byte(m);
	const struct gm_hseg *s;

	hrange_arg(m, r);
	if (!(sel & 3))
		return;
	s = &m->s.h[r->h0];
	if (!seg_has_mapping(s)) {
		whole(r, r->h0, r->h0);
		return;
	}
	for (int k = (int)(sel >> 2) % GM_NP, i = 0; i < GM_NP; i++, k = (k + 1) % GM_NP)
		if (!s->pg[k].mapped) {
			*r = (struct gm_hrange){ r->h0, r->h0, 1u << k, false,
						 gm_page_haddr(r->h0, k), GM_PG };
			return;
		}
}

/* Whether the range ends inside a large mapping (-EINVAL). */
static bool large_cut(const struct gm *m, const struct gm_hrange *r)
{
	return !r->rest && m->s.h[r->h0].large;
}

static void op_host_map(struct gm *m, int gi)
{
	unsigned int sel = byte(m), prot = prot_arg(sel);
	struct gm_hrange r;
	bool large;
	long want = 0;

	(void)gi;
	map_range_arg(m, &r);
	large = r.rest && !(sel & 0x30);
	m->op = large ? "gmap_mm_map(large)" : "gmap_mm_map";
	for (int h = r.h0; h <= r.h1; h++) {
		for (int k = 0; k < GM_NP; k++)
			if ((r.mask >> k & 1) && m->s.h[h].pg[k].mapped)
				want = -EEXIST;
		if (r.rest && m->s.h[h].rest_mapped)
			want = -EEXIST;
	}
	if (!gm_rc(m, gmap_mm_map(m->mm, r.start, r.len, 0,
				  prot | (large ? GMAP_MM_MAP_LARGE : 0)), want))
		return;
	for (int h = r.h0; h <= r.h1; h++) {
		for (int k = 0; k < GM_NP; k++)
			if (r.mask >> k & 1) {
				m->s.h[h].pg[k].mapped = true;
				m->s.h[h].pg[k].prot = prot;
			}
		m->s.h[h].rest_mapped |= r.rest;
		m->s.h[h].large = large;
	}
}

static void op_host_unmap(struct gm *m, int gi)
{
	struct gm_hrange r;

	(void)gi;
	hrange_arg(m, &r);
	m->op = "gmap_mm_unmap";
	if (!gm_rc(m, gmap_mm_unmap(m->mm, r.start, r.len), large_cut(m, &r) ? -EINVAL : 0))
		return;
	gm_model_zap(m, &r);
	for (int h = r.h0; h <= r.h1; h++) {
		struct gm_hseg *s = &m->s.h[h];

		for (int k = 0; k < GM_NP; k++)
			if (r.mask >> k & 1)
				s->pg[k].mapped = false;
		s->rest_mapped &= !r.rest;
		s->large &= !r.rest;
		/* free_pgtables(): the segment callback unlinks, the PGSTEs go. */
		if (s->pt && !seg_has_mapping(s)) {
			gm_model_unlink_host(m, h);
			s->pt = false;
			for (int k = 0; k < GM_NP; k++)
				s->pg[k].in = s->pg[k].uc = false;
		}
	}
}

static void op_host_mprotect(struct gm *m, int gi)
{
	unsigned int prot = prot_arg(byte(m));
	struct gm_hrange r;
	long want = 0;

	(void)gi;
	hrange_arg(m, &r);
	m->op = "gmap_mm_mprotect";
	for (int h = r.h0; h <= r.h1; h++) {
		for (int k = 0; k < GM_NP; k++)
			if ((r.mask >> k & 1) && !m->s.h[h].pg[k].mapped)
				want = -EFAULT;
		if (r.rest && !m->s.h[h].rest_mapped)
			want = -EFAULT;
	}
	if (!want && large_cut(m, &r))
		want = -EINVAL;
	if (!gm_rc(m, gmap_mm_mprotect(m->mm, r.start, r.len, prot), want))
		return;
	/* Every pte of the range first, then the large entries. */
	for (int h = r.h0; h <= r.h1; h++)
		for (int k = 0; k < GM_NP; k++) {
			struct gm_page *p = &m->s.h[h].pg[k];
			uint64_t new = gm_model_modify(false, p->pte, prot);

			if (!(r.mask >> k & 1))
				continue;
			p->prot = prot;
			if (gm_present(p) && new != p->pte)
				gm_model_xchg(m, h, k, new);
		}
	for (int h = r.h0; h <= r.h1; h++) {
		uint64_t new = gm_model_modify(true, m->s.h[h].ste, prot);

		if (m->s.h[h].large && (m->s.h[h].ste & GMAP_CRSTE_FC) && new != m->s.h[h].ste)
			gm_model_ste_xchg(m, h, new);
	}
}

static void op_host_zap(struct gm *m, int gi)
{
	struct gm_hrange r;

	(void)gi;
	hrange_arg(m, &r);
	m->op = "gmap_mm_zap";
	if (gm_rc(m, gmap_mm_zap(m->mm, r.start, r.len), large_cut(m, &r) ? -EINVAL : 0))
		gm_model_zap(m, &r);
}

/* gmap_pgste_xchg() of a tracked host pte to itself, old or clean (the
 * frame stays: the mm frees it later), direct or lazy: with one CPU
 * running the mm, a lazy one leaves the purge to gmap_mm_flush(), which
 * must drop the gmaps' translations through the pte too. */
static void op_host_xchg(struct gm *m, int gi)
{
	unsigned int sel = byte(m);
	int h = (int)(sel % GM_NH), k = (int)(sel >> 2) % GM_NP;
	const struct gm_page *p = &m->s.h[h].pg[k];
	uint64_t pte = p->pte, set = 0, clear = 0;
	gmap_pte_t now = { GMAP_MM_PTE_NONE };

	(void)gi;
	m->op = "gmap_pgste_xchg";
	if (m->s.h[h].pt)
		GM_CHECK(m, gmap_mm_read_pte(m->mm, gm_page_haddr(h, k), &now, NULL) == 0,
			 "read_pte of a page with a page table failed");
	if (gm_present(p) && (sel >> 4) % 3 == 1) {
		set = GMAP_PTE_I;
		clear = GMAP_MM_PTE_YOUNG;
	} else if (gm_present(p) && (sel >> 4) % 3 == 2) {
		set = GMAP_PTE_P;
		clear = GMAP_MM_PTE_DIRTY;
	}
	now.val = (now.val & ~clear) | set;
	if (gm_rc(m, gmap_pgste_xchg(m->mm, gm_page_haddr(h, k), now,
				     sel & 0x40 ? GMAP_PGSTE_XCHG_LAZY : 0, NULL),
		  m->s.h[h].pt ? 0 : -EFAULT))
		gm_model_xchg(m, h, k, (pte & ~clear) | set);
	gmap_mm_flush(m->mm);
}

static void op_host_young(struct gm *m, int gi)
{
	unsigned int sel = byte(m);
	int h = (int)(sel % GM_NH), k = (int)(sel >> 2) % GM_NP;
	const struct gm_page *p = &m->s.h[h].pg[k];

	uint64_t ste = m->s.h[h].ste;

	(void)gi;
	m->op = "gmap_mm_test_and_clear_young";
	if (m->s.h[h].large) {
		/* The segment entry made old: the callbacks unlink it. */
		if (gm_rc(m, gmap_mm_test_and_clear_young(m->mm, gm_page_haddr(h, k)),
			  (ste & GMAP_CRSTE_FC) ? !!(ste & GMAP_MM_SEG_YOUNG) : -EFAULT))
			gm_model_ste_xchg(m, h, (ste & ~GMAP_MM_SEG_YOUNG) | GMAP_CRSTE_I);
		return;
	}
	if (gm_rc(m, gmap_mm_test_and_clear_young(m->mm, gm_page_haddr(h, k)),
		  gm_present(p) ? !!(p->pte & GMAP_MM_PTE_YOUNG) : -EFAULT))
		gm_model_xchg(m, h, k, (p->pte & ~GMAP_MM_PTE_YOUNG) | GMAP_PTE_I);
}

/* How many of the guest segments from @g on (up to @want) are contiguous. */
static int gseg_count(int g, unsigned int want)
{
	int n = 1;

	while ((unsigned int)n < want && g + n < GM_NG &&
	       gm_gaddr[g + n] == gm_gaddr[g] + (uint64_t)n * GM_SEG)
		n++;
	return n;
}

static void op_map_segment(struct gm *m, int gi)
{
	struct gmap *gmap = m->lib[gi].gmap;
	uint64_t limit = m->s.gm[gi].limit;
	unsigned int sel = byte(m), sel2 = byte(m);
	int g = (int)(sel % GM_NG), h = (int)(sel2 % GM_NH);
	int n = gseg_count(g, 1 + (sel >> 3) % 3);
	uint64_t to = gm_gaddr[g], from = gm_haddr(h), len;

	if (h + n > GM_NH)
		n = GM_NH - h;
	len = (uint64_t)n * GM_SEG;
	m->op = "gmap_map_segment";
	if (!(sel2 >> 5)) {
		GM_CHECK(m, gmap_map_segment(gmap, from + GM_PG, to, len) == -EINVAL &&
			 gmap_map_segment(gmap, from, to, 0) == -EINVAL &&
			 gmap_map_segment(gmap, from, limit + 1 - GM_SEG, 2 * GM_SEG) == -EINVAL &&
			 gmap_map_segment(gmap, from, to | GM_PG, len) == -EINVAL,
			 "bad arguments accepted");
		return;
	}
	if (!gm_rc(m, gmap_map_segment(gmap, from, to, len), 0))
		return;
	for (int i = 0; i < n; i++) {
		gm_model_unlink(m, gi, g + i);
		m->s.gm[gi].g[g + i].g2h = h + i;
	}
}

static void op_unmap_segment(struct gm *m, int gi)
{
	struct gmap *gmap = m->lib[gi].gmap;
	unsigned int sel = byte(m);
	int g = (int)(sel % GM_NG), n = gseg_count(g, 1 + (sel >> 3) % 3);

	m->op = "gmap_unmap_segment";
	if (!(sel >> 6)) {
		GM_CHECK(m, gmap_unmap_segment(gmap, gm_gaddr[g] + GM_PG, GM_SEG) == -EINVAL &&
			 gmap_unmap_segment(gmap, gm_gaddr[g], 0) == -EINVAL &&
			 gmap_unmap_segment(gmap, m->s.gm[gi].limit + 1, GM_SEG) == -EINVAL,
			 "bad arguments accepted");
		return;
	}
	if (!gm_rc(m, gmap_unmap_segment(gmap, gm_gaddr[g], (uint64_t)n * GM_SEG), 0))
		return;
	for (int i = 0; i < n; i++) {
		gm_model_unlink(m, gi, g + i);
		m->s.gm[gi].g[g + i].g2h = -1;
	}
}

static void op_fault(struct gm *m, int gi)
{
	struct gmap *gmap = m->lib[gi].gmap;
	unsigned int sel = byte(m);
	int g = (int)(sel % GM_NG), k = (int)(sel >> 3) % GM_NP;
	bool write = sel & 0x20;
	uint64_t gaddr = gm_gaddr[g] + (uint64_t)gm_pidx[k] * GM_PG + (sel >> 6) * 8;
	enum gmap_dat_access acc = write ? GMAP_DAT_STORE : (sel & 0x40) ? GMAP_DAT_IFETCH :
				   GMAP_DAT_FETCH;

	m->op = "gmap_fault";
	if ((sel >> 6) == 3) {
		GM_CHECK(m, gmap_fault(gmap, gaddr, (enum gmap_dat_access)7) == -EINVAL,
			 "a bad access was accepted");
		return;
	}
	gm_rc(m, gmap_fault(gmap, gaddr, acc), gm_model_fault(m, gi, g, k, write));
}

static void op_mprotect_notify(struct gm *m, int gi)
{
	struct gmap *gmap = m->lib[gi].gmap;
	uint64_t limit = m->s.gm[gi].limit;
	unsigned int sel = byte(m), sel2 = byte(m), prot = prot_arg(sel2);
	int g = (int)(sel % GM_NG), a = (int)(sel >> 3) % 3;
	int n = 1 + (int)(sel >> 5) % (3 - a);
	long want = 0;

	m->op = "gmap_mprotect_notify";
	if ((sel2 >> 3) % 16 == 0) {
		GM_CHECK(m, gmap_mprotect_notify(gmap, gm_gaddr[g] + 8, GM_PG, prot) == -EINVAL &&
			 gmap_mprotect_notify(gmap, gm_gaddr[g], 0, prot) == -EINVAL &&
			 gmap_mprotect_notify(gmap, gm_gaddr[g], GM_PG, 4) == -EINVAL &&
			 gmap_mprotect_notify(gmap, limit + 1, GM_PG, prot) == -EINVAL,
			 "bad arguments accepted");
		return;
	}
	/* Without ESOP a writable pte cannot be kept read-only. */
	if (prot == GMAP_MM_PROT_READ && !m->esop)
		want = -EINVAL;
	/* The pages before a failing one stay armed; a large segment is
	 * armed whole at its first page. */
	for (int k = a; k < a + n && !want; k++) {
		want = gm_model_protect(m, gi, g, k, prot);
		if (m->s.gm[gi].g[g].g2h >= 0 && m->s.h[m->s.gm[gi].g[g].g2h].large)
			break;
	}
	gm_rc(m, gmap_mprotect_notify(gmap, gm_gaddr[g] + (uint64_t)a * GM_PG,
				      (uint64_t)n * GM_PG, prot), want);
}

/* gmap_discard() of whole segments or of tracked pages among 0-2: the
 * mapped parts are zapped in the host (a partial zap of a large mapping
 * is refused there, and ignored). */
static void op_discard(struct gm *m, int gi)
{
	struct gmap *gmap = m->lib[gi].gmap;
	unsigned int sel = byte(m);
	int g = (int)(sel % GM_NG), n = gseg_count(g, 1 + (sel >> 3) % 2), a = 0, b = GM_NP - 1;
	uint64_t from = gm_gaddr[g], to = from + (uint64_t)n * GM_SEG;
	struct gm_hrange r;

	m->op = "gmap_discard";
	if ((sel >> 4) % 4) {
		n = 1;
		a = (int)(sel >> 4) % 3;
		b = a + (int)(sel >> 6) % (3 - a);
		from = gm_gaddr[g] + (uint64_t)a * GM_PG;
		to = gm_gaddr[g] + (uint64_t)(b + 1) * GM_PG;
	}
	if (!gm_rc(m, gmap_discard(gmap, from, to), 0))
		return;
	for (int i = 0; i < n; i++) {
		int h = m->s.gm[gi].g[g + i].g2h;

		if (h < 0)
			continue;
		r = (struct gm_hrange){ .h0 = h, .h1 = h, .rest = b - a + 1 == GM_NP,
					.mask = ((1u << (b + 1)) - 1) & ~((1u << a) - 1) };
		if (!large_cut(m, &r))
			gm_model_zap(m, &r);
	}
}

/* gmap_sync_dirty_log() of one or two whole segments or of tracked pages
 * among 0-2, into a bitmap with bits set before (they must stay). */
static void op_sync(struct gm *m, int gi)
{
	struct gmap *gmap = m->lib[gi].gmap;
	uint64_t limit = m->s.gm[gi].limit;
	unsigned int sel = byte(m);
	int g = (int)(sel % GM_NG), n = gseg_count(g, 1 + (sel >> 3) % 2), a = 0, np = GM_NP;
	uint64_t bitmap[2 * 256 / 64], want[2 * 256 / 64], npages = (uint64_t)n * 256;
	long dirty = 0;

	m->op = "gmap_sync_dirty_log";
	if ((sel >> 4) % 8 == 0) {
		GM_CHECK(m, gmap_sync_dirty_log(gmap, gm_gaddr[g] + 8, 1, bitmap) == -EINVAL &&
			 gmap_sync_dirty_log(gmap, gm_gaddr[g], 0, bitmap) == -EINVAL &&
			 gmap_sync_dirty_log(gmap, gm_gaddr[g], 1, NULL) == -EINVAL &&
			 gmap_sync_dirty_log(gmap, limit + 1 - GM_PG, 2, bitmap) == -EINVAL,
			 "bad arguments accepted");
		return;
	}
	if ((sel >> 4) % 2) {
		n = 1;
		a = (int)(sel >> 5) % 3;
		np = 1 + (int)(sel >> 7) % (3 - a);
		npages = gm_pidx[a + np - 1] - gm_pidx[a] + 1;
	}
	for (unsigned int i = 0; i < sizeof(bitmap) / sizeof(bitmap[0]); i++)
		bitmap[i] = want[i] = 0x8000000000000001ULL << (m->step % 2);
	for (int i = 0; i < n; i++)
		dirty += gm_model_sync(m, gi, g + i, a, np, want, (unsigned int)i * 256);
	if (!gm_rc(m, gmap_sync_dirty_log(gmap, gm_gaddr[g] + gm_pidx[a] * GM_PG, npages,
					  bitmap), dirty))
		return;
	for (unsigned int i = 0; i < sizeof(bitmap) / sizeof(bitmap[0]); i++)
		GM_CHECK(m, bitmap[i] == want[i], "bitmap word %u: 0x%016llx, model 0x%016llx",
			 i, (unsigned long long)bitmap[i], (unsigned long long)want[i]);
}

/* Read or write 8 bytes of a tracked page through the access API. */
static void op_access(struct gm *m, int gi)
{
	struct gmap *gmap = m->lib[gi].gmap;
	unsigned int sel = byte(m);
	int g = (int)(sel % GM_NG), k = (int)(sel >> 3) % GM_NP, h = m->s.gm[gi].g[g].g2h;
	bool write = sel & 0x20;
	uint64_t gaddr = gm_gaddr[g] + (uint64_t)gm_pidx[k] * GM_PG, val = 0;
	int want = 0;

	m->op = write ? "gmap_gacc_abs(store)" : "gmap_gacc_abs(fetch)";
	if (gm_predict(m, gi, g, k, write) != GMAP_PIC_NONE)
		want = gm_model_fault(m, gi, g, k, write);
	if (write)
		val = ++m->tag;
	if (!gm_rc(m, gmap_gacc_abs(gmap, (unsigned int)gi, gaddr, &val, sizeof(val),
				    write ? GMAP_DAT_STORE : GMAP_DAT_FETCH, 0, NULL), want))
		return;
	if (write)
		m->s.h[h].pg[k].tag = val;
	else
		GM_CHECK(m, val == m->s.h[h].pg[k].tag, "read 0x%llx, model has 0x%llx",
			 (unsigned long long)val, (unsigned long long)m->s.h[h].pg[k].tag);
}

/* Unregister now and then, register again soon. */
static void op_notifier(struct gm *m, int gi)
{
	struct gmap *gmap = m->lib[gi].gmap;
	m->op = "gmap_notifier_(un)register";
	if (m->s.gm[gi].registered && byte(m) % 4) {
		GM_CHECK(m, gmap_notifier_register(gmap, &m->lib[gi].nb) == -EEXIST,
			 "registered twice");
		return;
	}
	if (m->s.gm[gi].registered)
		GM_CHECK(m, gmap_notifier_unregister(gmap, &m->lib[gi].nb) == 0 &&
			 gmap_notifier_unregister(gmap, &m->lib[gi].nb) == -ENOENT,
			 "unregistering failed");
	else
		GM_CHECK(m, gmap_notifier_register(gmap, &m->lib[gi].nb) == 0,
			 "registering failed");
	m->s.gm[gi].registered = !m->s.gm[gi].registered;
}

/* Fail an allocation of the next operation, one of those that allocate
 * and must change nothing when they fail. */
static void op_nomem(struct gm *m, int gi)
{
	static void (*const ops[])(struct gm *m, int gi) = {
		op_map_segment, op_fault, op_host_map, op_access, op_host_unmap,
	};
	unsigned int sel = byte(m);

	m->hook.fail_at = m->hook.calls + 1 + sel % 4;
	m->hook.for_good = sel & 4;
	ops[(sel >> 3) % (sizeof(ops) / sizeof(ops[0]))](m, gi);
	m->hook.fail_at = 0;
	m->hook.for_good = false;
}

/* Each operation acts on gmap @gi (the host ones ignore it), chosen with
 * the operation by one byte. */
void gm_step(struct gm *m)
{
	static void (*const ops[])(struct gm *m, int gi) = {
		op_host_map, op_host_map, op_host_map, op_host_unmap, op_host_mprotect,
		op_host_zap, op_host_xchg, op_host_xchg, op_host_young, op_map_segment,
		op_map_segment, op_unmap_segment, op_fault, op_fault, op_fault,
		op_mprotect_notify, op_mprotect_notify, op_mprotect_notify, op_discard, op_access,
		op_access, op_access, op_notifier, op_nomem, op_sync, op_sync,
	};
	unsigned int sel = byte(m), n = sizeof(ops) / sizeof(ops[0]);
	int gi = (int)(sel / n) % m->ngmap;

	m->step++;
	for (int i = 0; i < m->ngmap; i++) {
		m->lib[i].ngot = 0;
		m->s.gm[i].nwant = 0;
	}
	memcpy(&m->saved, &m->s, sizeof(m->s));
	ops[sel % n](m, gi);
	if (getenv("GMAP_MODEL_TRACE"))
		fprintf(stderr, "step %lu: %s of gmap %d; notifier calls %u, %u\n", m->step,
			m->op, gi, m->lib[0].ngot, m->lib[1].ngot);
	gm_check(m);
}
