// SPDX-License-Identifier: MIT
/*
 * The reference model's world and checks (see gmap-model.h): building
 * and tearing down the backend, mm and gmaps; the return-code rule; and
 * the comparison of the library with the model after every step: each
 * gmap's notifier calls, gmap_translate(), guest_to_host, segment entries
 * and host_to_guest; host ptes, PGSTEs and large entries; frame contents;
 * and the strict-TLB translations of the CPU each gmap runs on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gmap-model.h"

#include "gmap/gmap_impl.h"

/* The pte bits the model follows. */
#define GM_PTE_BITS	(GMAP_MM_PTE_PRESENT | GMAP_MM_PTE_YOUNG | GMAP_MM_PTE_DIRTY | \
			 GMAP_MM_PTE_READ | GMAP_MM_PTE_WRITE | GMAP_PTE_I | GMAP_PTE_P)
/* How often the table walk of gm_check_maps() runs. */
#define GM_FULL_CHECK	64

void gm_fail(struct gm *m, const char *fmt, ...)
{
	char msg[512];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "seed %" PRIu64 " step %lu (%s): ", m->seed, m->step,
		     m->op ? m->op : "setup");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	gm_report(msg);
}

static void record(struct gmap *gmap, uint64_t start, uint64_t end, void *priv)
{
	struct gm *m = priv;
	int gi = 0;

	while (gi < m->ngmap && m->lib[gi].gmap != gmap)
		gi++;
	GM_CHECK(m, gi < m->ngmap, "notifier called with an unknown gmap");
	if (m->lib[gi].ngot < GM_MAX_EVENTS)
		m->lib[gi].got[m->lib[gi].ngot] = (struct gm_event){ start, end };
	m->lib[gi].ngot++;
}

void gm_init(struct gm *m, uint8_t cfg)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .alloc = &alloc_hook_ops,
					     .alloc_priv = &m->hook, .ncpus = GM_NGMAP,
					     .strict = true);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);

	/* Facilities 0 are all of them; without ESOP, the others. */
	ao.facilities = cfg & 4 ? GMAP_FAC_ALL & ~(GMAP_FAC_ESOP1 | GMAP_FAC_ESOP2) : 0;
	m->esop = !(cfg & 4);
	GM_CHECK(m, gmap_arch_soft_create(&ao, &m->arch) == 0, "backend creation failed");
	mo.arch = m->arch;
	GM_CHECK(m, gmap_mm_create(&mo, &m->mm) == 0, "mm creation failed");
	m->ngmap = cfg & 1 ? GM_NGMAP : 1;
	for (int gi = 0; gi < m->ngmap; gi++) {
		struct gm_lib *l = &m->lib[gi];

		/* A CPU that runs a gmap runs its mm (the vCPU's thread). */
		GM_CHECK(m, gmap_mm_attach(m->mm, (unsigned int)gi) == 0, "attach failed");
		m->s.gm[gi].limit = !gi && (cfg & 8) ? (1ULL << 53) - 1 : (1ULL << 42) - 1;
		m->s.gm[gi].r3 = m->s.gm[gi].limit < 1ULL << 42;
		GM_CHECK(m, gmap_create(m->mm, m->s.gm[gi].limit, &l->gmap) == 0,
			 "gmap creation failed");
		GM_CHECK(m, gmap_enable(l->gmap, (unsigned int)gi) == 0, "enable failed");
		l->nb.notifier_call = record;
		l->nb.priv = m;
		m->s.gm[gi].registered = !(cfg & 2);
		if (m->s.gm[gi].registered)
			GM_CHECK(m, gmap_notifier_register(l->gmap, &l->nb) == 0,
				 "register failed");
		for (int g = 0; g < GM_NG; g++)
			m->s.gm[gi].g[g].g2h = -1;
	}
	for (int h = 0; h < GM_NH; h++)
		for (int k = 0; k < GM_NP; k++)
			m->s.h[h].pg[k].pte = GMAP_MM_PTE_NONE;
	for (int h = 0; h < GM_NH; h++)
		for (int gi = 0; gi < GM_NGMAP; gi++)
			m->s.h[h].h2g[gi] = -1;
}

void gm_fini(struct gm *m)
{
	m->op = "teardown";
	for (int gi = 0; gi < m->ngmap; gi++) {
		gm_check_maps(m, m->lib[gi].gmap);
		GM_CHECK(m, gmap_disable(m->lib[gi].gmap, (unsigned int)gi) == 0, "disable failed");
		m->lib[gi].ngot = 0;
	}
	/* Removing drops the notifiers without calling them and leaves the
	 * mm: unmapping everything afterwards reaches no gmap. */
	for (int gi = 0; gi < m->ngmap; gi++)
		gmap_remove(m->lib[gi].gmap);
	GM_CHECK(m, gmap_mm_unmap(m->mm, GM_HBASE, GM_NH * GM_SEG) == 0, "unmap failed");
	for (int gi = 0; gi < m->ngmap; gi++)
		GM_CHECK(m, m->lib[gi].ngot == 0, "gmap %d notified after its removal", gi);
	gmap_mm_destroy(m->mm);
	gmap_arch_destroy(m->arch);
	GM_CHECK(m, m->hook.live == 0, "%ld allocations leaked", m->hook.live);
}

bool gm_rc(struct gm *m, long rc, long want)
{
	if (rc == -ENOMEM && m->hook.fail_at && m->hook.calls >= m->hook.fail_at) {
		memcpy(&m->s, &m->saved, sizeof(m->s));
		return false;
	}
	GM_CHECK(m, rc == want, "returned %ld, model says %ld", rc, want);
	return rc >= 0;
}

unsigned int gm_predict(const struct gm *m, int gi, int g, int k, bool write)
{
	const struct gm_gseg *gs = &m->s.gm[gi].g[g];
	const struct gm_page *p;

	if (!gs->linked && !m->s.gm[gi].r3)
		return GMAP_PIC_REGION_SECOND;
	if (!gs->linked)
		return m->s.gm[gi].table[gm_region(g)] ? GMAP_PIC_SEGMENT_TRANSLATION :
							  GMAP_PIC_REGION_THIRD;
	if (m->s.h[gs->g2h].large) {
		if (gs->ste & GMAP_CRSTE_I)
			return GMAP_PIC_SEGMENT_TRANSLATION;
		return write && (gs->ste & GMAP_CRSTE_P) ? GMAP_PIC_PROTECTION : GMAP_PIC_NONE;
	}
	p = &m->s.h[gs->g2h].pg[k];
	if (!gm_present(p) || (p->pte & GMAP_PTE_I))
		return GMAP_PIC_PAGE_TRANSLATION;
	return write && (p->pte & GMAP_PTE_P) ? GMAP_PIC_PROTECTION : GMAP_PIC_NONE;
}

static void check_events(struct gm *m, int gi)
{
	const struct gm_lib *l = &m->lib[gi];
	const struct gm_gmap *gm = &m->s.gm[gi];

	GM_CHECK(m, l->ngot == gm->nwant, "gmap %d: %u notifier calls, model expects %u (first "
		 "[0x%" PRIx64 ", 0x%" PRIx64 "])", gi, l->ngot, gm->nwant,
		 l->ngot ? l->got[0].start : gm->want[0].start,
		 l->ngot ? l->got[0].end : gm->want[0].end);
	for (unsigned int i = 0; i < l->ngot; i++)
		GM_CHECK(m, l->got[i].start == gm->want[i].start &&
			 l->got[i].end == gm->want[i].end,
			 "gmap %d: notifier call %u: [0x%" PRIx64 ", 0x%" PRIx64 "], model [0x%"
			 PRIx64 ", 0x%" PRIx64 "]", gi, i, l->got[i].start, l->got[i].end,
			 gm->want[i].start, gm->want[i].end);
}

/* The host segment entry of host segment @h. */
static uint64_t host_ste(struct gm *m, int h)
{
	gmap_crste_t ste = { GMAP_CRSTE_I };

	GM_CHECK(m, gmap_mm_read_segment(m->mm, gm_haddr(h), &ste) == 0 ||
		 (!m->s.h[h].pt && !(m->s.h[h].ste & GMAP_CRSTE_FC)),
		 "host segment %d has no segment table", h);
	return ste.val;
}

/* guest_to_host, the segment entry and host_to_guest of guest segment @g
 * of gmap @gi. */
static void check_gseg(struct gm *m, int gi, int g)
{
	const struct gm_gseg *s = &m->s.gm[gi].g[g];
	const bool table = m->s.gm[gi].r3 && m->s.gm[gi].table[gm_region(g)];
	const uint64_t gbits = GMAP_CRSTE_FC | GMAP_CRSTE_I | GMAP_CRSTE_P | GMAP_SEG_GMAP_UC |
			       GMAP_SEG_GMAP_IN;
	uint64_t gaddr = gm_gaddr[g], haddr = 0, off = (m->step * 4097 + 8) % GM_SEG, e, h;
	struct gmap *gmap = m->lib[gi].gmap;
	gmap_crste_t *segp;
	int rc;

	rc = gmap_translate(gmap, gaddr + off, &haddr);
	GM_CHECK(m, s->g2h < 0 ? rc == -EFAULT : rc == 0 && haddr == gm_haddr(s->g2h) + off,
		 "gmap %d: translate(0x%" PRIx64 "): %d 0x%" PRIx64 ", model host segment %d",
		 gi, gaddr + off, rc, haddr, s->g2h);
	GM_CHECK(m, radix_lookup(&gmap->guest_to_host, gaddr >> GMAP_SEGMENT_SHIFT) ==
		 (s->g2h < 0 ? 0 : gm_haddr(s->g2h) | GTH_VALID),
		 "gmap %d: guest_to_host of guest segment %d disagrees", gi, g);
	segp = gmap_table_walk(gmap, gaddr, GMAP_TT_SEGMENT);
	GM_CHECK(m, !segp == !table, "gmap %d: segment table of guest segment %d: %s, model: "
		 "%s", gi, g, segp ? "present" : "absent", table ? "yes" : "no");
	e = segp ? segp->val : GMAP_CRSTE_I;
	if (!s->linked) {
		GM_CHECK(m, e == GMAP_CRSTE_I, "gmap %d: guest segment %d entry 0x%" PRIx64
			 " is not empty, model: not linked", gi, g, e);
		return;
	}
	h = host_ste(m, s->g2h);
	if (m->s.h[s->g2h].large)
		GM_CHECK(m, (e & gbits) == s->ste && (e & GMAP_SEGMENT_SFAA) ==
			 (h & GMAP_SEGMENT_SFAA), "gmap %d: guest segment %d entry 0x%" PRIx64
			 ", model 0x%" PRIx64 ", host entry 0x%" PRIx64, gi, g, e, s->ste, h);
	else
		GM_CHECK(m, !(e & (GMAP_CRSTE_I | GMAP_CRSTE_FC)) && !(h & GMAP_CRSTE_I) &&
			 (e & GMAP_SEGMENT_PTO) == (h & GMAP_SEGMENT_PTO),
			 "gmap %d: guest segment %d entry 0x%" PRIx64 " does not point at host "
			 "segment %d's page table (entry 0x%" PRIx64 ")", gi, g, e, s->g2h, h);
}

/* The first 8 bytes of the frame of a tracked page. */
static uint64_t frame_tag(struct gm *m, uint64_t frame)
{
	uint64_t tag;

	memcpy(&tag, gmap_arch_real_to_virt(m->arch, frame), sizeof(tag));
	return tag;
}

/* A large host segment: its entry and its frame. */
static void check_large(struct gm *m, int h)
{
	const struct gm_hseg *s = &m->s.h[h];
	const uint64_t sbits = GMAP_CRSTE_FC | GMAP_CRSTE_I | GMAP_CRSTE_P | GMAP_MM_SEG_SOFT;
	uint64_t e = host_ste(m, h), frame;

	GM_CHECK(m, s->ste & GMAP_CRSTE_FC ? (e & sbits) == s->ste : e == GMAP_CRSTE_I,
		 "host segment %d entry 0x%" PRIx64 ", model 0x%" PRIx64, h, e, s->ste);
	for (int k = 0; k < GM_NP && (s->ste & GMAP_CRSTE_FC); k++) {
		frame = (e & GMAP_SEGMENT_SFAA) + gm_pidx[k] * GM_PG;
		GM_CHECK(m, frame_tag(m, frame) == s->pg[k].tag, "host page %d.%d of a large "
			 "frame holds 0x%" PRIx64 ", model 0x%" PRIx64, h, k, frame_tag(m, frame),
			 s->pg[k].tag);
	}
}

static void check_hseg(struct gm *m, int h)
{
	const struct gm_hseg *s = &m->s.h[h];

	for (int gi = 0; gi < m->ngmap; gi++) {
		uint64_t v = radix_lookup(&m->lib[gi].gmap->host_to_guest,
					  gm_haddr(h) >> GMAP_SEGMENT_SHIFT);

		GM_CHECK(m, v == (s->h2g[gi] < 0 ? 0 : gm_gaddr[s->h2g[gi]] | GTH_VALID),
			 "gmap %d: host_to_guest of host segment %d: 0x%" PRIx64 ", model guest "
			 "segment %d", gi, h, v, s->h2g[gi]);
	}
	if (s->large)
		check_large(m, h);
	for (int k = 0; k < GM_NP; k++) {
		const struct gm_page *p = &s->pg[k];
		gmap_pte_t pte = { 0 };
		gmap_pgste_t pgste = { 0 };
		int rc = gmap_mm_read_pte(m->mm, gm_page_haddr(h, k), &pte, &pgste);

		GM_CHECK(m, rc == (s->pt ? 0 : -EFAULT), "read_pte of host page %d.%d: %d, "
			 "model %s a page table", h, k, rc, s->pt ? "has" : "has no");
		if (rc)
			continue;
		GM_CHECK(m, gm_present(p) ? (pte.val & GM_PTE_BITS) == p->pte :
			 pte.val == GMAP_MM_PTE_NONE,
			 "host page %d.%d: pte 0x%" PRIx64 ", model 0x%" PRIx64, h, k, pte.val,
			 p->pte);
		GM_CHECK(m, !!(pgste.val & GMAP_PGSTE_IN) == p->in &&
			 !!(pgste.val & GMAP_PGSTE_UC) == p->uc,
			 "host page %d.%d: PGSTE 0x%" PRIx64 ", model IN %d UC %d", h, k,
			 pgste.val, p->in, p->uc);
		GM_CHECK(m, !gm_present(p) || frame_tag(m, pte.val & GMAP_PTE_PFRA) == p->tag,
			 "host page %d.%d holds 0x%" PRIx64 ", model 0x%" PRIx64, h, k,
			 frame_tag(m, pte.val & GMAP_PTE_PFRA), p->tag);
	}
}

/* The translation of a tracked page of guest segment @g by the CPU that
 * runs gmap @gi. */
static void check_tlb(struct gm *m, int gi, int g, int k, bool write)
{
	uint64_t off = (m->step * 8 + 16) & (GM_PG - 8);
	uint64_t gaddr = gm_gaddr[g] + (uint64_t)gm_pidx[k] * GM_PG + off;
	unsigned int want = gm_predict(m, gi, g, k, write);
	int h = m->s.gm[gi].g[g].g2h;
	struct gmap_dat_result r;
	uint64_t frame;
	gmap_pte_t pte;

	GM_CHECK(m, gmap_arch_translate(m->arch, (unsigned int)gi, gaddr,
					write ? GMAP_DAT_STORE : GMAP_DAT_FETCH, 0, &r) == 0,
		 "gmap_arch_translate failed");
	GM_CHECK(m, r.pic == want, "CPU %d %s 0x%" PRIx64 ": pic 0x%x, model 0x%x", gi,
		 write ? "stores to" : "fetches", gaddr, r.pic, want);
	if (want != GMAP_PIC_NONE)
		return;
	if (m->s.h[h].large) {
		frame = (host_ste(m, h) & GMAP_SEGMENT_SFAA) + gm_pidx[k] * GM_PG;
	} else {
		GM_CHECK(m, gmap_mm_read_pte(m->mm, gm_page_haddr(h, k), &pte, NULL) == 0,
			 "read_pte failed");
		frame = pte.val & GMAP_PTE_PFRA;
	}
	GM_CHECK(m, r.addr == frame + off, "CPU %d translates 0x%" PRIx64 " to 0x%" PRIx64
		 ", the host maps it at 0x%" PRIx64, gi, gaddr, r.addr, frame + off);
}

/* The gmap's own tables, whole (4 parts) each: the top, the region-third
 * table under a region-second top, and a segment table per region-third
 * entry that had a link. */
static void check_table_bytes(struct gm *m, int gi)
{
	const struct gm_gmap *gm = &m->s.gm[gi];
	size_t want = (size_t)(1 + (gm->limit >= 1ULL << 42 && gm->r3) + gm->table[0] +
			       gm->table[1]) * 4 * GMAP_CRST_PART_SIZE;

	GM_CHECK(m, gmap_table_bytes(m->lib[gi].gmap) == want, "gmap %d holds %zu table bytes, "
		 "model %zu", gi, gmap_table_bytes(m->lib[gi].gmap), want);
}

void gm_check(struct gm *m)
{
	for (int gi = 0; gi < m->ngmap; gi++) {
		check_events(m, gi);
		check_table_bytes(m, gi);
		for (int g = 0; g < GM_NG; g++) {
			check_gseg(m, gi, g);
			for (int k = 0; k < GM_NP; k++) {
				check_tlb(m, gi, g, k, false);
				check_tlb(m, gi, g, k, true);
			}
		}
		if (m->step % GM_FULL_CHECK == 0)
			gm_check_maps(m, m->lib[gi].gmap);
	}
	for (int h = 0; h < GM_NH; h++)
		check_hseg(m, h);
}

struct maps_ctx {
	struct gm *m;
	struct gmap *gmap;
	unsigned long linked;
};

/* A linked guest segment entry (any but the empty one: a large entry
 * gmap_mprotect_notify() invalidated stays linked): guest_to_host maps
 * it, host_to_guest points back, and it points at that host segment's
 * page table or copies its valid large entry. */
static int check_entry(gmap_crste_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct maps_ctx *c = w->priv;
	uint64_t g2h, h2g;
	gmap_crste_t ste;

	(void)next;
	if (e.val == GMAP_CRSTE_I)
		return 0;
	c->linked++;
	g2h = radix_lookup(&c->gmap->guest_to_host, start >> GMAP_SEGMENT_SHIFT);
	GM_CHECK(c->m, g2h, "guest segment 0x%" PRIx64 " is linked but not mapped", start);
	h2g = radix_lookup(&c->gmap->host_to_guest, g2h >> GMAP_SEGMENT_SHIFT);
	GM_CHECK(c->m, h2g == ((start & ~(GM_SEG - 1)) | GTH_VALID),
		 "guest segment 0x%" PRIx64 " is linked, host_to_guest says 0x%" PRIx64, start,
		 h2g);
	GM_CHECK(c->m, gmap_mm_read_segment(c->m->mm, g2h & ~GTH_VALID, &ste) == 0 &&
		 (e.val & GMAP_CRSTE_FC ? (e.val & GMAP_SEGMENT_SFAA) ==
		  (ste.val & GMAP_SEGMENT_SFAA) : (e.val & GMAP_SEGMENT_PTO) ==
		  (ste.val & GMAP_SEGMENT_PTO)) && !(ste.val & GMAP_CRSTE_I),
		 "guest segment 0x%" PRIx64 " entry 0x%" PRIx64 ", host entry 0x%" PRIx64,
		 start, e.val, ste.val);
	return 0;
}

/* A host_to_guest entry: its guest segment entry is linked to it. */
static int check_h2g(uint64_t index, uint64_t value, void *priv)
{
	struct maps_ctx *c = priv;
	gmap_crste_t *segp = gmap_table_walk(c->gmap, value & ~GTH_VALID, GMAP_TT_SEGMENT);

	GM_CHECK(c->m, value & GTH_VALID, "host_to_guest 0x%" PRIx64 " without GTH_VALID",
		 value);
	GM_CHECK(c->m, segp && segp->val != GMAP_CRSTE_I &&
		 radix_lookup(&c->gmap->guest_to_host, value >> GMAP_SEGMENT_SHIFT) ==
		 ((index << GMAP_SEGMENT_SHIFT) | GTH_VALID),
		 "host segment 0x%" PRIx64 " links guest segment 0x%" PRIx64
		 " whose entry is not linked to it", index << GMAP_SEGMENT_SHIFT, value);
	c->linked--;
	return 0;
}

void gm_check_maps(struct gm *m, struct gmap *gmap)
{
	const struct gmap_dat_walk_ops ops = { .crste_entry = { [GMAP_TT_SEGMENT] = check_entry } };
	struct maps_ctx c = { .m = m, .gmap = gmap };
	struct gmap_dat_mem mem;

	gmap_arch_table_mem(m->arch, &mem);
	GM_CHECK(m, gmap_dat_walk_range(&mem, gmap_asce(gmap), 0, gmap->limit, GMAP_FAC_ALL, &ops,
					&c) == 0, "walking the gmap's tables failed");
	radix_for_each(&gmap->host_to_guest, check_h2g, &c);
	GM_CHECK(m, c.linked == 0, "%lu linked guest segments without host_to_guest entries",
		 c.linked);
}
