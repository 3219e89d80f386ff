// SPDX-License-Identifier: MIT
/*
 * The reference model of a gmap (see gmap-model.h): its semantics, on
 * plain arrays, without the library. It follows what gmap.h and pgste.h
 * document: Linux's pte and huge-pmd states (young and dirty emulated with
 * I and P), which changes exchange a pte (calling the notifiers of a pte
 * with IN) or a host segment entry (calling the segment callbacks, so the
 * gmap unlinks it), fault-driven linking with one link per host segment,
 * large segments copied into the gmap's own entries,
 * gmap_mprotect_notify() arming ptes or the gmap's large entries, and the
 * dirty log (the PGSTEs' UC bits, the large entries' GMAP_SEG_GMAP_UC).
 */
#include <errno.h>

#include "gmap-model.h"

/* Guest segments: three in region-third entry 0, three in entry 1; 0-2
 * and 3-4 are contiguous. Host segments straddle 2 GB. */
const uint64_t gm_gaddr[GM_NG] = {
	0, 1 * GM_SEG, 2 * GM_SEG, GMAP_REGION3_SIZE, GMAP_REGION3_SIZE + GM_SEG,
	2 * GMAP_REGION3_SIZE - GM_SEG,
};
const unsigned int gm_pidx[GM_NP] = { 0, 1, 2, 255 };

/* The bits of a pte or a large segment entry that Linux's helpers use. */
struct ebits {
	uint64_t present, i, p, read, write, young, dirty;
};

static const struct ebits pte_bits = {
	GMAP_MM_PTE_PRESENT, GMAP_PTE_I, GMAP_PTE_P, GMAP_MM_PTE_READ, GMAP_MM_PTE_WRITE,
	GMAP_MM_PTE_YOUNG, GMAP_MM_PTE_DIRTY,
};

static const struct ebits seg_bits = {
	GMAP_CRSTE_FC, GMAP_CRSTE_I, GMAP_CRSTE_P, GMAP_MM_SEG_READ, GMAP_MM_SEG_WRITE,
	GMAP_MM_SEG_YOUNG, GMAP_MM_SEG_DIRTY,
};

uint64_t gm_haddr(int h)
{
	return GM_HBASE + (uint64_t)h * GM_SEG;
}

uint64_t gm_page_haddr(int h, int k)
{
	return gm_haddr(h) + (uint64_t)gm_pidx[k] * GM_PG;
}

int gm_region(int g)
{
	return (int)(gm_gaddr[g] >> GMAP_REGION3_SHIFT);
}

bool gm_present(const struct gm_page *p)
{
	return p->pte & GMAP_MM_PTE_PRESENT;
}

static uint64_t e_prot(const struct ebits *b, unsigned int prot)
{
	uint64_t e = b->present | b->i | b->p;

	if (prot & GMAP_MM_PROT_WRITE)
		return e | b->read | b->write;
	return prot & GMAP_MM_PROT_READ ? e | b->read : e;
}

static uint64_t e_mkyoung(const struct ebits *b, uint64_t e)
{
	e |= b->young;
	return e & b->read ? e & ~b->i : e;
}

static uint64_t e_mkdirty(const struct ebits *b, uint64_t e)
{
	e |= b->dirty;
	return e & b->write ? e & ~b->p : e;
}

/* pte_modify() / pmd_modify(): young and dirty kept, I and P follow. */
uint64_t gm_model_modify(bool large, uint64_t e, unsigned int prot)
{
	const struct ebits *b = large ? &seg_bits : &pte_bits;

	e = (e & (b->young | b->dirty)) | e_prot(b, prot);
	if ((e & b->young) && (e & b->read))
		e &= ~b->i;
	if ((e & b->dirty) && (e & b->write))
		e &= ~b->p;
	return e;
}

/* A notifier call of gmap @gi for guest [@start, @end], if it has one. */
static void expect(struct gm *m, int gi, uint64_t start, uint64_t end)
{
	struct gm_gmap *gm = &m->s.gm[gi];

	if (!gm->registered)
		return;
	GM_CHECK(m, gm->nwant < GM_MAX_EVENTS, "too many expected notifier calls");
	gm->want[gm->nwant++] = (struct gm_event){ start, end };
}

/* Storing a pte (pgste_set_pte()): a valid writable one is made dirty
 * up front without ESOP; a valid unprotected writable one sets UC. */
static void set_pte(const struct gm *m, struct gm_page *p, uint64_t pte)
{
	if ((pte & GMAP_MM_PTE_PRESENT) && (pte & GMAP_MM_PTE_WRITE) && !(pte & GMAP_PTE_I) &&
	    !m->esop)
		pte = (pte | GMAP_MM_PTE_DIRTY) & ~GMAP_PTE_P;
	p->pte = pte;
	if ((pte & GMAP_MM_PTE_PRESENT) && (pte & GMAP_MM_PTE_WRITE) &&
	    !(pte & (GMAP_PTE_I | GMAP_PTE_P)))
		p->uc = true;
}

/* The notifiers of an armed pte, in every gmap that links its segment
 * (host_to_guest); IN cleared. */
static void pte_notify(struct gm *m, int h, int k)
{
	struct gm_page *p = &m->s.h[h].pg[k];
	uint64_t start;

	for (int gi = 0; gi < m->ngmap && p->in; gi++) {
		int g = m->s.h[h].h2g[gi];

		if (g < 0)
			continue;
		start = gm_gaddr[g] + (uint64_t)gm_pidx[k] * GM_PG;
		expect(m, gi, start, start + GM_PG - 1);
	}
	p->in = false;
}

/* A pte exchange: notifiers, then the new value. */
void gm_model_xchg(struct gm *m, int h, int k, uint64_t pte)
{
	pte_notify(m, h, k);
	set_pte(m, &m->s.h[h].pg[k], pte);
}

/* An exchange of a gmap's large entry: the notifiers of an armed one over
 * the whole segment, IN dropped. */
static void gseg_xchg(struct gm *m, int gi, int g, uint64_t ste)
{
	struct gm_gseg *gs = &m->s.gm[gi].g[g];

	if (gs->ste & GMAP_SEG_GMAP_IN)
		expect(m, gi, gm_gaddr[g], gm_gaddr[g] + GM_SEG - 1);
	gs->ste = ste & ~GMAP_SEG_GMAP_IN;
}

void gm_model_unlink(struct gm *m, int gi, int g)
{
	struct gm_gseg *gs = &m->s.gm[gi].g[g];

	if (!gs->linked)
		return;
	if (m->s.h[gs->g2h].large)
		gseg_xchg(m, gi, g, 0);
	gs->linked = false;
	m->s.h[gs->g2h].h2g[gi] = -1;
}

/* The segment callback: every gmap unlinks the host segment. */
void gm_model_unlink_host(struct gm *m, int h)
{
	for (int gi = 0; gi < m->ngmap; gi++)
		if (m->s.h[h].h2g[gi] >= 0)
			gm_model_unlink(m, gi, m->s.h[h].h2g[gi]);
}

/* A change of a host large entry: the segment callbacks unlink first. */
void gm_model_ste_xchg(struct gm *m, int h, uint64_t ste)
{
	gm_model_unlink_host(m, h);
	m->s.h[h].ste = ste;
}

/* The host fault handler (gmap_mm_fault()) on a tracked page. */
int gm_model_host_fault(struct gm *m, int h, int k, bool write)
{
	struct gm_hseg *s = &m->s.h[h];
	struct gm_page *p = &s->pg[k];
	const struct ebits *b = s->large ? &seg_bits : &pte_bits;
	uint64_t *e = s->large ? &s->ste : &p->pte, new;

	if (!p->mapped || !(p->prot & GMAP_MM_PROT_READ) ||
	    (write && !(p->prot & GMAP_MM_PROT_WRITE)))
		return -EFAULT;
	if (!(*e & b->present)) {
		/* A new zeroed frame, no exchange (set_pte_at()). */
		new = e_mkyoung(b, e_prot(b, p->prot));
		if (write)
			new = e_mkdirty(b, new);
		if (s->large)
			s->ste = new;
		else
			set_pte(m, p, new);
		for (int i = 0; i < GM_NP; i++)
			if (s->large || i == k)
				s->pg[i].tag = 0;
		s->pt |= !s->large;
		return 0;
	}
	new = e_mkyoung(b, *e);
	if (write)
		new = e_mkdirty(b, new);
	if (new != *e && s->large)
		gm_model_ste_xchg(m, h, new);
	else if (new != *e)
		gm_model_xchg(m, h, k, new);
	return 0;
}

/*
 * Link guest segment @g of gmap @gi to its host segment (__gmap_link()),
 * moving the gmap's older link of it here. A large host entry is copied
 * (UC when unprotected); an entry gmap_mprotect_notify() invalidated takes
 * the host's again, and a store unprotects one it protected.
 */
static void link_g(struct gm *m, int gi, int g, bool write)
{
	struct gm_gseg *gs = &m->s.gm[gi].g[g];
	struct gm_hseg *hs = &m->s.h[gs->g2h];
	uint64_t copy = hs->ste & (GMAP_CRSTE_FC | GMAP_CRSTE_I | GMAP_CRSTE_P);

	if (hs->h2g[gi] >= 0 && hs->h2g[gi] != g)
		gm_model_unlink(m, gi, hs->h2g[gi]);
	if (!(copy & GMAP_CRSTE_P))
		copy |= GMAP_SEG_GMAP_UC;
	if (hs->large && !gs->linked)
		gs->ste = copy;
	else if (hs->large && (gs->ste & GMAP_CRSTE_I))
		gseg_xchg(m, gi, g, copy);
	else if (hs->large && (gs->ste & GMAP_CRSTE_P) && !(copy & GMAP_CRSTE_P) && write)
		gseg_xchg(m, gi, g, (gs->ste & ~GMAP_CRSTE_P) | GMAP_SEG_GMAP_UC);
	gs->linked = true;
	hs->h2g[gi] = g;
	m->s.gm[gi].r3 = true;
	m->s.gm[gi].table[gm_region(g)] = true;
}

int gm_model_fault(struct gm *m, int gi, int g, int k, bool write)
{
	int h = m->s.gm[gi].g[g].g2h, rc;

	if (h < 0)
		return -EFAULT;
	rc = gm_model_host_fault(m, h, k, write);
	if (!rc)
		link_g(m, gi, g, write);
	return rc;
}

/* ptep_force_prot() with GMAP_PGSTE_IN: -EAGAIN when it cannot hold yet. */
static int force_prot(struct gm *m, int h, int k, unsigned int prot)
{
	struct gm_page *p = &m->s.h[h].pg[k];
	bool i = p->pte & GMAP_PTE_I, pp = p->pte & GMAP_PTE_P;

	if ((i && prot != GMAP_MM_PROT_NONE) || (pp && (prot & GMAP_MM_PROT_WRITE)))
		return -EAGAIN;
	if (prot == GMAP_MM_PROT_NONE && !i)
		p->pte |= GMAP_PTE_I;
	if (prot == GMAP_MM_PROT_READ && !pp)
		p->pte = (p->pte & ~GMAP_PTE_I) | GMAP_PTE_P;
	set_pte(m, p, p->pte);
	p->in = true;
	return 0;
}

/* gmap_protect_pmd(): the gmap's own large entry, armed. */
static int protect_large(struct gm *m, int gi, int g, unsigned int prot)
{
	uint64_t e = m->s.gm[gi].g[g].ste;

	if (((e & GMAP_CRSTE_I) && prot != GMAP_MM_PROT_NONE) ||
	    ((e & GMAP_CRSTE_P) && (prot & GMAP_MM_PROT_WRITE)))
		return -EAGAIN;
	if (prot == GMAP_MM_PROT_NONE && !(e & GMAP_CRSTE_I))
		gseg_xchg(m, gi, g, e | GMAP_CRSTE_I);
	else if (prot == GMAP_MM_PROT_READ && !(e & GMAP_CRSTE_P))
		gseg_xchg(m, gi, g, e | GMAP_CRSTE_P);
	m->s.gm[gi].g[g].ste |= GMAP_SEG_GMAP_IN;
	return 0;
}

/* gmap_mprotect_notify() on tracked page @k of guest segment @g: link (a
 * gmap_fault() for the access @prot keeps), then arm, faulting the host
 * page in while it denies that access. */
int gm_model_protect(struct gm *m, int gi, int g, int k, unsigned int prot)
{
	const struct gm_gseg *gs = &m->s.gm[gi].g[g];
	bool write = prot & GMAP_MM_PROT_WRITE;
	int rc;

	for (;;) {
		if (gs->g2h < 0)
			return -EFAULT;
		if (!gs->linked || m->s.h[gs->g2h].large) {
			if (gs->linked && !protect_large(m, gi, g, prot))
				return 0;
			rc = gm_model_fault(m, gi, g, k, write);
		} else {
			if (!force_prot(m, gs->g2h, k, prot))
				return 0;
			rc = gm_model_host_fault(m, gs->g2h, k, write);
		}
		if (rc)
			return rc;
	}
}

/* Zap a range: every present pte emptied (notifying), then every
 * present large entry (unlinking). */
void gm_model_zap(struct gm *m, const struct gm_hrange *r)
{
	for (int h = r->h0; h <= r->h1; h++)
		for (int k = 0; k < GM_NP; k++)
			if ((r->mask >> k & 1) && gm_present(&m->s.h[h].pg[k]))
				gm_model_xchg(m, h, k, GMAP_MM_PTE_NONE);
	for (int h = r->h0; h <= r->h1; h++)
		if (m->s.h[h].large && (m->s.h[h].ste & GMAP_CRSTE_FC))
			gm_model_ste_xchg(m, h, GMAP_CRSTE_I);
}

/*
 * gmap_sync_dirty_log() of gmap @gi over tracked pages @a to @a + @n - 1
 * of guest segment @g (all 256 pages when @n is GM_NP), into @bitmap
 * from bit @pos. A linked page table: each page with UC is reported, UC
 * cleared, a present pte notified and protected again. A linked large
 * entry, valid and unprotected or with UC: all its pages in the range
 * reported; when the range is the whole segment, UC cleared and the entry
 * protected again (notifying). Unlinked segments report nothing.
 */
long gm_model_sync(struct gm *m, int gi, int g, int a, int n, uint64_t *bitmap,
		   unsigned int pos)
{
	struct gm_gseg *gs = &m->s.gm[gi].g[g];
	unsigned int npages = n == GM_NP ? 256 : gm_pidx[a + n - 1] - gm_pidx[a] + 1;
	uint64_t e = gs->ste;
	long dirty = 0;

	if (!gs->linked)
		return 0;
	if (m->s.h[gs->g2h].large) {
		if ((e & GMAP_CRSTE_I) || ((e & GMAP_CRSTE_P) && !(e & GMAP_SEG_GMAP_UC)))
			return 0;
		for (unsigned int i = 0; i < npages; i++)
			bitmap[(pos + i) / 64] |= 1ULL << ((pos + i) % 64);
		if (n < GM_NP)
			return npages;
		e &= ~GMAP_SEG_GMAP_UC;
		if (e & GMAP_CRSTE_P)
			gs->ste = e;
		else
			gseg_xchg(m, gi, g, e | GMAP_CRSTE_P);
		return npages;
	}
	for (int k = a; k < a + n; k++) {
		struct gm_page *p = &m->s.h[gs->g2h].pg[k];
		unsigned int bit = pos + gm_pidx[k] - gm_pidx[a];

		if (!p->uc)
			continue;
		dirty++;
		bitmap[bit / 64] |= 1ULL << (bit % 64);
		p->uc = false;
		if (gm_present(p)) {
			/* Protected again; without ESOP a writable one invalid. */
			pte_notify(m, gs->g2h, k);
			p->pte |= m->esop || !(p->pte & GMAP_MM_PTE_WRITE) ? GMAP_PTE_P :
									     GMAP_PTE_I;
		}
	}
	return dirty;
}
