// SPDX-License-Identifier: MIT
/*
 * The machine's own DAT against libgmap's walker. Random address spaces
 * (every designation type, table lengths and offsets, invalid entries at
 * every level, wrong table types, common-segment bits in private spaces,
 * DAT protection, IEP, reserved pte bits, 1 MB and 2 GB frames where the
 * machine has EDAT-1 / EDAT-2) are built with libgmap in real storage; for
 * each sampled address the walker's answer (gmap_dat_translate() over the
 * same tables, with the machine's facilities) is compared with a load, a
 * store and, with IEP, an instruction fetch through the machine's DAT:
 * the bytes reached, or the program-interruption code and the TEID.
 */
#include <string.h>

#include "kernel.h"

#define MAX_VAS		400
#define MAX_TABLES	48
#define N_4K		64	/* 4 KB data frames */
#define N_1M		3	/* 1 MB data frames (EDAT-1) */
#define SPACES_PER_DT	6

/* TEID bits 52-53: the fetch/store indication. */
#define GMAP_TEID_FSI_MASK	(GMAP_TEID_FSI_FETCH | GMAP_TEID_FSI_STORE)

struct gen {
	struct kctx *k;
	gmap_asce_t asce;
	uint64_t frames_4k;
	uint64_t frames_1m;
	unsigned int ntables;
	unsigned int nva;
	uint64_t va[MAX_VAS];
};

static void add_va(struct gen *g, uint64_t va)
{
	/* Never the probe page itself: the probes run there. */
	if (g->nva < MAX_VAS && (va >> GMAP_PAGE_SHIFT) != (real(probe_page) >> GMAP_PAGE_SHIFT))
		g->va[g->nva++] = va & ~7ULL;
}

static bool on_probe_path(uint64_t base, unsigned int shift, unsigned int idx)
{
	uint64_t va = real(probe_page);
	/* A top-level region-first table covers the whole space. */
	bool same_table = shift + 11 >= 64 || (va >> (shift + 11)) == (base >> (shift + 11));

	return same_table && ((va >> shift) & 0x7ff) == idx;
}

static uint64_t pte_flags(void)
{
	switch (rnd_below(10)) {
	case 0:
		return GMAP_PTE_I;
	case 1:
	case 2:
		return GMAP_PTE_P;
	case 3:
		return GMAP_PTE_Z;
	case 4:
		/* IEP with that facility; else a reserved bit (or, with
		 * EDAT-1, the change-recording override). */
		return GMAP_PTE_IEP;
	default:
		return 0;
	}
}

static void gen_pt(struct gen *g, gmap_pte_t *pt, uint64_t base)
{
	for (unsigned int n = 0; n < 6; n++) {
		unsigned int px = (unsigned int)rnd_below(GMAP_PT_ENTRIES);
		uint64_t va = base | (uint64_t)px << GMAP_PAGE_SHIFT;

		if ((va >> GMAP_PAGE_SHIFT) == (real(probe_page) >> GMAP_PAGE_SHIFT))
			continue;
		pt[px].val = (g->frames_4k + rnd_below(N_4K) * GMAP_PAGE_SIZE) |
			     pte_flags();
		add_va(g, va | (rnd() & (GMAP_PAGE_SIZE - 1)));
	}
}

/* An EDAT frame entry's optional bits: P, IEP, and access control. */
static uint64_t frame_flags(const struct gen *g)
{
	uint64_t f = 0;

	if (rnd_below(4) == 0)
		f |= GMAP_CRSTE_P;
	if ((g->k->fac & GMAP_FAC_IEP) && rnd_below(4) == 0)
		f |= GMAP_CRSTE_IEP;
	if (rnd_below(3) == 0)
		f |= GMAP_CRSTE_AV | (rnd_below(16) << GMAP_CRSTE_ACC_SHIFT) |
		     (rnd_below(2) ? GMAP_CRSTE_F : 0);
	return f;
}

static void gen_crst(struct gen *g, gmap_crste_t *t, int tt, uint64_t base, unsigned int tf,
		     unsigned int tl);

/* Fill entry @idx of a table of type @tt with something random. */
static void gen_entry(struct gen *g, gmap_crste_t *e, int tt, uint64_t va)
{
	unsigned int shift = GMAP_SEGMENT_SHIFT + 11 * (unsigned int)tt;
	bool edat1 = g->k->fac & GMAP_FAC_EDAT1, edat2 = g->k->fac & GMAP_FAC_EDAT2;
	unsigned int kind = (unsigned int)rnd_below(10);
	uint64_t flags = rnd_below(4) == 0 ? GMAP_CRSTE_P : 0;
	unsigned int ctl = (unsigned int)rnd_below(4), ctf = (unsigned int)rnd_below(ctl + 1);

	if (kind == 0 || g->ntables >= MAX_TABLES) {
		/* Invalid, as allocated. */
		add_va(g, va);
		return;
	}
	if (kind == 1)
		flags |= GMAP_CRSTE_CS;
	if (kind >= 2 && kind <= 4 &&
	    ((tt == GMAP_TT_SEGMENT && edat1) || (tt == GMAP_TT_REGION3 && edat2))) {
		uint64_t frame = tt == GMAP_TT_SEGMENT
			? g->frames_1m + rnd_below(N_1M) * GMAP_SEGMENT_SIZE
			: 0;

		*e = gmap_crste_mk_frame(frame, (enum gmap_dat_tt)tt, frame_flags(g) | flags);
		/* A 1 MB frame: its first and last doublewords and two more; a
		 * 2 GB frame at absolute 0: the data frames in it. */
		for (unsigned int n = 0; n < 4; n++) {
			if (tt == GMAP_TT_REGION3)
				add_va(g, (va & ~(GMAP_REGION3_SIZE - 1)) |
					  (g->frames_4k + rnd_below(N_4K * GMAP_PAGE_SIZE)));
			else if (n < 2)
				add_va(g, (va & ~(GMAP_SEGMENT_SIZE - 1)) | (n ? GMAP_SEGMENT_SIZE - 8 : 0));
			else
				add_va(g, (va & ~(GMAP_SEGMENT_SIZE - 1)) | (rnd() & (GMAP_SEGMENT_SIZE - 1)));
		}
		return;
	}
	g->ntables++;
	if (tt == GMAP_TT_SEGMENT) {
		gmap_pte_t *pt = space_pgtable(g->k);

		*e = gmap_crste_mk_table(real(pt), GMAP_TT_SEGMENT, 0, 0, flags);
		gen_pt(g, pt, va & ~(GMAP_SEGMENT_SIZE - 1));
	} else {
		gmap_crste_t *child = space_table(g->k, (enum gmap_dat_tt)(tt - 1), ctl);

		*e = gmap_crste_mk_table(real(child), (enum gmap_dat_tt)tt, ctf, ctl, flags);
		gen_crst(g, child, tt - 1, va & ~((1ULL << shift) - 1), ctf, ctl);
	}
	/* A wrong table type in the entry: translation specification. */
	if (kind == 5)
		e->val ^= (uint64_t)(1 + rnd_below(3)) << GMAP_CRSTE_TT_SHIFT;
	add_va(g, va);
}

/* Fill a few random entries of table @t (type @tt, covering @base, with
 * valid parts @tf..@tl); indices outside those parts are sampled too. */
static void gen_crst(struct gen *g, gmap_crste_t *t, int tt, uint64_t base, unsigned int tf,
		     unsigned int tl)
{
	unsigned int shift = GMAP_SEGMENT_SHIFT + 11 * (unsigned int)tt;

	for (unsigned int n = 0; n < 3; n++) {
		unsigned int idx = (unsigned int)rnd_below(GMAP_CRST_MAX_ENTRIES);
		uint64_t va = base | (uint64_t)idx << shift | (rnd() & ((1ULL << shift) - 1));

		if (on_probe_path(base, shift, idx))
			continue;
		if (idx / GMAP_CRST_ENTRIES_PER_PART < tf || idx / GMAP_CRST_ENTRIES_PER_PART > tl) {
			/* Outside the table: a translation exception of it. */
			add_va(g, va);
			continue;
		}
		gen_entry(g, &t[idx], tt, va);
	}
}

/* Also go down the probe page's path, which every space has, and fill
 * the other entries of those tables. */
static void gen_path(struct gen *g, int dt)
{
	gmap_crste_t *t = (gmap_crste_t *)(uintptr_t)(g->asce.val & GMAP_ASCE_ORIGIN);
	uint64_t pva = real(probe_page);

	for (int tt = dt; tt >= GMAP_TT_SEGMENT; tt--) {
		unsigned int shift = GMAP_SEGMENT_SHIFT + 11 * (unsigned int)tt;
		uint64_t base = tt == dt ? 0 : pva & ~((1ULL << (shift + 11)) - 1);
		gmap_crste_t *e = &t[(pva >> shift) & 0x7ff];

		gen_crst(g, t, tt, base, 0, tt == dt ? (unsigned int)(g->asce.val & 3) : 3);
		if (tt == GMAP_TT_SEGMENT)
			gen_pt(g, (gmap_pte_t *)(uintptr_t)(e->val & GMAP_SEGMENT_PTO),
			       pva & ~(GMAP_SEGMENT_SIZE - 1));
		else
			t = (gmap_crste_t *)(uintptr_t)(e->val & GMAP_CRSTE_ORIGIN);
	}
}

static const char *const access_name[] = { "fetch", "store", "ifetch" };

/* Fetches that translated, by frame size: 4 KB, 1 MB, 2 GB. */
static unsigned int through[3];

/* Compare one access at @va with the walker's prediction @res. */
static void compare(struct gen *g, uint64_t va, enum gmap_dat_access acc,
		    const struct gmap_dat_result *res)
{
	static const enum check_kind kind[] = { CK_DAT_FETCH, CK_DAT_STORE, CK_DAT_IFETCH };
	uint64_t val = 0, saved = 0, mark = 0x0123456789abcdefULL ^ va;
	volatile uint64_t *abs = (volatile uint64_t *)(uintptr_t)res->addr;
	bool translates = res->pic == GMAP_PIC_NONE;
	/* The walker names a byte: the access reaches it or is refused. */
	bool has_byte = translates || res->pic == GMAP_PIC_PROTECTION;
	int rc;

	if (has_byte)
		saved = *abs;
	if (acc == GMAP_DAT_FETCH) {
		rc = probe_read(va, &val);
	} else if (acc == GMAP_DAT_STORE) {
		rc = probe_write(va, mark);
	} else {
		/* The target instruction: "br %r4". */
		if (has_byte)
			*abs = (saved & 0x0000ffffffffffffULL) | 0x07f4000000000000ULL;
		rc = probe_ifetch(va);
	}
	if (!check(kind[acc], translates ? rc == 0 : rc != 0 && last_fault.pic == res->pic,
		   "asce 0x%lx va 0x%lx %s: walker pic 0x%x, machine %s 0x%x",
		   (unsigned long)g->asce.val, (unsigned long)va, access_name[acc], res->pic,
		   rc ? "pic" : "no exception", rc ? last_fault.pic : 0))
		goto restore;
	if (translates && acc == GMAP_DAT_FETCH)
		check(CK_DAT_FETCH, val == saved,
		      "asce 0x%lx va 0x%lx: read 0x%lx, walker's byte 0x%lx holds 0x%lx",
		      (unsigned long)g->asce.val, (unsigned long)va, (unsigned long)val,
		      (unsigned long)res->addr, (unsigned long)saved);
	if (acc == GMAP_DAT_STORE && has_byte)
		check(CK_DAT_STORE, *abs == (translates ? mark : saved),
		      "asce 0x%lx va 0x%lx: after the store the walker's byte 0x%lx holds 0x%lx",
		      (unsigned long)g->asce.val, (unsigned long)va, (unsigned long)res->addr,
		      (unsigned long)*abs);
	/* Hercules 3.13 reports the access-exception fetch/store-indication
	 * facility (75) but stores no indication with a protection
	 * exception (PoP 6, "Translation-Exception Identification": with
	 * facility 75, bits 52-53 tell fetch from store for protection too). */
	if (!translates && res->teid_valid && res->pic == GMAP_PIC_PROTECTION &&
	    last_fault.teid != res->teid && (res->teid & GMAP_TEID_FSI_MASK) &&
	    last_fault.teid == (res->teid & ~GMAP_TEID_FSI_MASK))
		deviation(CK_TEID, "protection exception at va 0x%lx: TEID 0x%lx without the "
			  "fetch/store indication of facility 75 (walker 0x%lx)",
			  (unsigned long)va, (unsigned long)last_fault.teid,
			  (unsigned long)res->teid);
	else if (!translates && res->teid_valid)
		check(CK_TEID, last_fault.teid == res->teid,
		      "asce 0x%lx va 0x%lx %s pic 0x%x: TEID 0x%lx, walker 0x%lx",
		      (unsigned long)g->asce.val, (unsigned long)va, access_name[acc], res->pic,
		      (unsigned long)last_fault.teid, (unsigned long)res->teid);
restore:
	if (has_byte)
		*abs = saved;
}

static void run_space(struct kctx *k, struct gen *g)
{
	struct gmap_dat_mem mem;

	gmap_arch_table_mem(k->hw, &mem);
	gmap_arch_load_asce(k->hw, 0, g->asce);
	/* The arena reuses storage: drop what earlier spaces left. */
	gmap_arch_ptlb(k->hw, 0);
	for (unsigned int i = 0; i < g->nva; i++) {
		for (int acc = GMAP_DAT_FETCH; acc <= GMAP_DAT_IFETCH; acc++) {
			struct gmap_dat_request req = {
				.access = (uint8_t)acc, .as = GMAP_AS_PRIMARY,
				.facilities = k->fac, .prefix = 0,
			};
			struct gmap_dat_result res;

			/* Without IEP an instruction fetch translates as a fetch. */
			if (acc == GMAP_DAT_IFETCH && !(k->fac & GMAP_FAC_IEP))
				continue;
			if (gmap_dat_translate(&mem, g->asce, g->va[i], &req, &res)) {
				check(CK_DAT_FETCH, false, "gmap_dat_translate failed");
				continue;
			}
			compare(g, g->va[i], (enum gmap_dat_access)acc, &res);
			if (acc == GMAP_DAT_FETCH && res.pic == GMAP_PIC_NONE)
				through[res.frame_shift == GMAP_REGION3_SHIFT ? 2 :
					res.frame_shift == GMAP_SEGMENT_SHIFT]++;
		}
	}
}

/**
 * check_dat() - the machine's DAT against the walker, for every
 * designation type, SPACES_PER_DT random spaces each.
 * @k: the kernel's backends
 */
void check_dat(struct kctx *k)
{
	uint64_t frames_4k = real(frames_alloc(N_4K, GMAP_PAGE_SHIFT));
	uint64_t frames_1m = k->fac & GMAP_FAC_EDAT1
		? real(frames_alloc(N_1M, GMAP_SEGMENT_SHIFT)) : 0;
	static struct gen g;

	kprintf("DAT: %s 1 MB frames, %s 2 GB frames\n",
		k->fac & GMAP_FAC_EDAT1 ? "with" : "no EDAT-1: no",
		k->fac & GMAP_FAC_EDAT2 ? "with" : "no EDAT-2: no");
	for (int dt = GMAP_TT_SEGMENT; dt <= GMAP_TT_REGION1; dt++) {
		for (unsigned int seed = 0; seed < SPACES_PER_DT; seed++) {
			size_t mark = heap_mark();
			unsigned int tl = seed & 3;
			gmap_crste_t *top;

			rnd_seed(0x5a000000ULL | (uint64_t)dt << 8 | seed);
			memset(&g, 0, sizeof(g));
			g.k = k;
			g.frames_4k = frames_4k;
			g.frames_1m = frames_1m;
			top = space_table(k, (enum gmap_dat_tt)dt, tl);
			g.asce = gmap_asce_mk(real(top), (enum gmap_dat_tt)dt, tl,
					      seed & 1 ? GMAP_ASCE_P : 0);
			space_map_probe(k, g.asce);
			gen_path(&g, dt);
			/* Beyond the reach of the designation type. */
			if (dt != GMAP_TT_REGION1)
				add_va(&g, rnd() | 1ULL << (GMAP_REGION3_SHIFT + 11 * dt + 10));
			run_space(k, &g);
			heap_release(mark);
		}
	}
	kprintf("DAT: addresses that translated: %u through 4 KB pages, %u through 1 MB "
		"frames, %u through 2 GB frames\n", through[0], through[1], through[2]);
}
