// SPDX-License-Identifier: MIT
/*
 * The two-stage reference check's world and checks (see shadow-model.h):
 * building and tearing down the backend, mm, parent and shadows; reading
 * guest-1 storage from the host frames; the reference translation; and
 * the comparison of every shadow with it after every step.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shadow-model.h"

#define SM_RW	(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

void sm_fail(struct sm *m, const char *fmt, ...)
{
	char msg[768];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "seed %" PRIu64 " step %lu (%s): ", m->seed, m->step,
		     m->op ? m->op : "setup");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	sm_report(msg);
}

uint8_t sm_u8(struct sm *m)
{
	return m->rpos < SM_STEP_BYTES ? m->rec[m->rpos++] : 0;
}

uint64_t sm_u64(struct sm *m)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | sm_u8(m);
	return v;
}

uint32_t sm_g1_fac(const struct sm *m, int edat)
{
	uint32_t f = m->fac & (GMAP_FAC_IEP | GMAP_FAC_ESOP1 | GMAP_FAC_ESOP2);

	/* The shadow's fake tables need no EDAT of the machine. */
	if (edat >= 1)
		f |= GMAP_FAC_EDAT1;
	if (edat >= 2)
		f |= GMAP_FAC_EDAT2;
	return f;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int sm_g1_peek(struct sm *m, uint64_t gaddr, uint64_t *val)
{
	uint64_t haddr, frame;
	gmap_crste_t ste;
	gmap_pte_t pte;

	if (gaddr >= SM_G1LEN)
		return -1;
	if (m->prot[gaddr / GMAP_PAGE_SIZE] == GMAP_MM_PROT_NONE)
		return -2;
	SM_CHECK(m, gmap_translate(m->parent, gaddr, &haddr) == 0,
		 "guest-1 0x%" PRIx64 " not mapped by the parent", gaddr);
	*val = 0;
	if (m->large) {
		SM_CHECK(m, gmap_mm_read_segment(m->mm, haddr, &ste) == 0, "no host segment");
		if (!(ste.val & GMAP_CRSTE_FC))
			return 0;
		frame = (ste.val & GMAP_SEGMENT_SFAA) | (haddr & ~GMAP_SEGMENT_SFAA);
	} else {
		if (gmap_mm_read_pte(m->mm, haddr, &pte, NULL) ||
		    !(pte.val & GMAP_MM_PTE_PRESENT))
			return 0;
		frame = (pte.val & GMAP_PTE_PFRA) | (haddr & ~GMAP_PTE_PFRA);
	}
	*val = be64(gmap_arch_real_to_virt(m->arch, frame & ~7ULL));
	return 0;
}

void sm_g1_store(struct sm *m, uint64_t gaddr, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		size_t n = GMAP_PAGE_SIZE - (gaddr & (GMAP_PAGE_SIZE - 1));
		bool ok = m->prot[gaddr / GMAP_PAGE_SIZE] == SM_RW;
		uint64_t v;
		int rc;

		n = n < len ? n : len;
		rc = gmap_gacc_write_abs(m->parent, SM_G1CPU, gaddr, p, n);
		SM_CHECK(m, rc == (ok ? 0 : -EFAULT), "guest-1 store at 0x%" PRIx64 ": %d, host "
			 "protection %u", gaddr, rc, m->prot[gaddr / GMAP_PAGE_SIZE]);
		/* A store makes the page writable, which must drop what was
		 * built from it; a refused one faulted it and may. */
		sm_touch(m, gaddr, n, ok);
		if (m->trace)
			fprintf(stderr, "%lu: g1 store 0x%" PRIx64 " len %zu = 0x%" PRIx64 ": %d\n",
				m->step, gaddr, n, n >= 8 ? be64(p) : 0, rc);
		if (ok && n >= 8 && !(gaddr & 7)) {
			SM_CHECK(m, sm_g1_peek(m, gaddr, &v) == 0 && v == be64(p),
				 "guest-1 0x%" PRIx64 " reads 0x%" PRIx64 " after a store of 0x%"
				 PRIx64, gaddr, v, be64(p));
		}
		gaddr += n;
		p += n;
		len -= n;
	}
}

struct ref_ctx {
	struct sm *m;
	bool refused;
};

static int ref_read(void *priv, uint64_t addr, uint64_t *val)
{
	struct ref_ctx *c = priv;
	int rc = sm_g1_peek(c->m, addr, val);

	if (rc == -2)
		c->refused = true;
	return rc;
}

bool sm_ref(struct sm *m, int s, uint64_t saddr, enum gmap_dat_access access,
	    struct gmap_dat_result *res, struct gmap_dat_path *path)
{
	struct ref_ctx c = { m, false };
	struct gmap_dat_mem mem = { .kind = GMAP_DAT_MEM_FN, .read = ref_read, .priv = &c };
	struct gmap_dat_request req = { .access = (uint8_t)access, .as = GMAP_AS_PRIMARY,
					.facilities = sm_g1_fac(m, m->slot[s].edat) };
	struct gmap_dat_path tmp;

	SM_CHECK(m, gmap_dat_translate_path(&mem, m->slot[s].asce, saddr, &req, res,
					    path ? path : &tmp) == 0, "reference walk failed");
	return c.refused;
}

/* The parent's leaf for guest-1 @gaddr: a walk of the parent's own tables
 * (a 4 KB page: the host pte the parent shares; a large one: the parent's
 * copy of the segment entry, with its GMAP_SEG_GMAP_VSIE). */
static void parent_leaf(struct sm *m, uint64_t gaddr, struct gmap_dat_result *res,
			struct gmap_dat_path *path)
{
	struct gmap_dat_request req = { .access = GMAP_DAT_FETCH, .facilities = m->fac };
	struct gmap_dat_mem mem;

	gmap_arch_table_mem(m->arch, &mem);
	SM_CHECK(m, gmap_dat_translate_path(&mem, gmap_asce(m->parent), gaddr, &req, res,
					    path) == 0, "parent walk failed");
}

uint64_t sm_host_frame(struct sm *m, uint64_t gaddr, bool *writable)
{
	struct gmap_dat_result r;
	struct gmap_dat_path path;

	*writable = false;
	if (gaddr >= SM_G1LEN)
		return 0;
	parent_leaf(m, gaddr, &r, &path);
	if (r.pic)
		return 0;
	*writable = !r.prot;
	return r.addr;
}

bool sm_g1_vsie(struct sm *m, uint64_t gaddr)
{
	struct gmap_dat_result r;
	struct gmap_dat_path path;
	gmap_pgste_t pgste;
	uint64_t leaf, haddr;

	if (gaddr >= SM_G1LEN)
		return false;
	parent_leaf(m, gaddr, &r, &path);
	if (r.pic || !path.n)
		return false;
	leaf = path.e[path.n - 1].val;
	if (path.e[path.n - 1].level != GMAP_LEVEL_PAGE)
		return (leaf & GMAP_CRSTE_P) && (leaf & GMAP_SEG_GMAP_VSIE);
	SM_CHECK(m, gmap_translate(m->parent, gaddr, &haddr) == 0 &&
		 gmap_mm_read_pte(m->mm, haddr, NULL, &pgste) == 0, "no host pte");
	return (leaf & GMAP_PTE_P) && (pgste.val & GMAP_PGSTE_VSIE);
}

void sm_touch(struct sm *m, uint64_t gaddr, uint64_t len, bool must)
{
	const uint64_t seg = ~(GMAP_SEGMENT_SIZE - 1);

	for (int s = 0; s < SM_NSLOT; s++) {
		struct sm_slot *sl = &m->slot[s];
		uint64_t top = sl->asce.val & GMAP_ASCE_ORIGIN;
		uint64_t tlen = ((sl->asce.val & GMAP_ASCE_TL_MASK) + 1) * GMAP_PAGE_SIZE;

		if (!sl->sg || (sl->asce.val & GMAP_ASCE_R))
			continue;
		if (gaddr < top + tlen && top < gaddr + len) {
			sl->must_drop |= must;
			sl->may_drop = true;
		}
		/* A large parent protects and unprotects whole segments. */
		if (m->large && (gaddr & seg) < ((top + tlen - 1) & seg) + GMAP_SEGMENT_SIZE &&
		    (top & seg) < gaddr + len)
			sl->may_drop = true;
	}
}

void sm_remember(struct sm *m, uint64_t saddr)
{
	m->recent[m->nrecent++ % SM_NRECENT] = saddr;
}

/* The notifier of a slot's shadow: called from any thread, with a pte or
 * table lock held. */
static void note(struct gmap *sg, uint64_t start, uint64_t end, void *priv)
{
	struct sm_slot *sl = priv;
	unsigned int i = __atomic_fetch_add(&sl->nnote, 1, __ATOMIC_RELAXED);

	(void)sg;
	if (i < SM_NNOTE) {
		sl->note[i][0] = start;
		sl->note[i][1] = end;
	}
}

void sm_slot_put(struct sm *m, struct sm_slot *sl)
{
	if (!sl->sg)
		return;
	if (!sl->dead)
		SM_CHECK(m, gmap_disable(sl->sg, sl->cpu) == 0, "disable failed");
	SM_CHECK(m, gmap_notifier_unregister(sl->sg, &sl->nb) == 0, "unregister failed");
	gmap_put(sl->sg);
	sl->sg = NULL;
	sl->npte = 0;
}

void sm_shadow_get(struct sm *m, int s, gmap_asce_t asce, int edat)
{
	struct sm_slot *sl = &m->slot[s];
	uint64_t top = asce.val & GMAP_ASCE_ORIGIN;
	uint64_t tlen = ((asce.val & GMAP_ASCE_TL_MASK) + 1) * GMAP_PAGE_SIZE;
	struct gmap *sg = NULL;
	int want = 0, rc;

	/* No shadow without ESOP-1; the top table's pages in guest-1
	 * storage must be readable; pages outside are left unprotected
	 * (nothing can write them). */
	if (!(m->fac & GMAP_FAC_ESOP1))
		want = -EOPNOTSUPP;
	for (uint64_t a = top; !want && !(asce.val & GMAP_ASCE_R) && a < top + tlen &&
	     a < SM_G1LEN; a += GMAP_PAGE_SIZE)
		if (m->prot[a / GMAP_PAGE_SIZE] == GMAP_MM_PROT_NONE)
			want = -EFAULT;
	rc = gmap_shadow_get(m->parent, asce, edat, &sg);
	if (m->trace)
		fprintf(stderr, "%lu: slot %d shadow_get(0x%" PRIx64 ", %d): %d %p, top %s\n",
			m->step, s, asce.val, edat, rc, (void *)sg,
			sm_g1_vsie(m, top) ? "protected" : "not protected");
	if (rc == -ENOMEM && m->hook.fail_at) {
		m->st.nomem++;
		return;
	}
	SM_CHECK(m, rc == want, "shadow_get(asce 0x%" PRIx64 ", edat %d): %d, expected %d",
		 asce.val, edat, rc, want);
	if (rc)
		return;
	SM_CHECK(m, gmap_is_shadow(sg) && gmap_shadow_valid(sg, asce, edat),
		 "a new shadow is not valid");
	/* Making a shadow may drop the parent's oldest. */
	for (int i = 0; i < SM_NSLOT; i++)
		m->slot[i].may_drop = true;
	sm_slot_put(m, sl);
	sl->sg = sg;
	sl->asce = asce;
	sl->edat = edat;
	sl->sasce = gmap_asce(sg);
	sl->dead = false;
	SM_CHECK(m, gmap_enable(sg, sl->cpu) == 0, "enable failed");
	sl->nb.notifier_call = note;
	sl->nb.priv = sl;
	SM_CHECK(m, gmap_notifier_register(sg, &sl->nb) == 0, "register failed");
}

void sm_init(struct sm *m, uint8_t cfg)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .alloc = &alloc_hook_ops,
					     .alloc_priv = &m->hook, .strict = true);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);
	unsigned int prot = SM_RW;

	ao.ncpus = m->ncpu ? m->ncpu : SM_NCPU;
	if (m->trace)
		fprintf(stderr, "configuration 0x%x\n", cfg);
	m->fac = GMAP_FAC_ALL;
	if (cfg & 2)
		m->fac &= ~GMAP_FAC_ESOP2;
	if ((cfg & 0x70) == 0x70)
		m->fac &= ~(GMAP_FAC_ESOP1 | GMAP_FAC_ESOP2);
	if (cfg & 4)
		m->fac &= ~GMAP_FAC_IEP;
	if (cfg & 8)
		m->fac &= ~GMAP_FAC_EDAT2;
	m->large = cfg & 1;
	ao.facilities = m->fac;
	SM_CHECK(m, gmap_arch_soft_create(&ao, &m->arch) == 0, "backend creation failed");
	mo.arch = m->arch;
	SM_CHECK(m, gmap_mm_create(&mo, &m->mm) == 0, "mm creation failed");
	if (m->large)
		prot |= GMAP_MM_MAP_LARGE;
	SM_CHECK(m, gmap_mm_map(m->mm, SM_HBASE, SM_G1LEN, 0, prot) == 0, "host map failed");
	SM_CHECK(m, gmap_create(m->mm, (1ULL << 32) - 1, &m->parent) == 0, "parent failed");
	SM_CHECK(m, gmap_map_segment(m->parent, SM_HBASE, 0, SM_G1LEN) == 0, "map failed");
	SM_CHECK(m, gmap_enable(m->parent, SM_G1CPU) == 0, "enable failed");
	memset(m->prot, SM_RW, sizeof(m->prot));
	m->next_crst = SM_TABLE_BASE;
	m->next_pt = SM_PT_BASE;
	for (int s = 0; s < SM_NSLOT; s++)
		m->slot[s].cpu = 1 + (unsigned int)s;
}

void sm_fini(struct sm *m)
{
	m->op = "teardown";
	for (int s = 0; s < SM_NSLOT; s++)
		sm_slot_put(m, &m->slot[s]);
	SM_CHECK(m, gmap_disable(m->parent, SM_G1CPU) == 0, "disable failed");
	gmap_remove(m->parent);
	gmap_mm_destroy(m->mm);
	gmap_arch_destroy(m->arch);
	SM_CHECK(m, m->hook.live == 0, "%ld allocations leaked", m->hook.live);
}

/* A valid shadow pte of slot @s at guest-2 @saddr against the reference. */
static void check_pte(struct sm *m, int s, uint64_t saddr, gmap_pte_t pte)
{
	struct gmap_dat_result r;
	struct gmap_dat_path path;
	bool refused = sm_ref(m, s, saddr, GMAP_DAT_FETCH, &r, &path), w;
	uint64_t frame, want = GMAP_PTE_PFRA | GMAP_PTE_P | GMAP_PTE_IEP;

	SM_CHECK(m, !refused && r.pic == 0, "slot %d: shadow pte 0x%" PRIx64 " for 0x%" PRIx64
		 ", but guest 1's tables give pic 0x%x%s", s, pte.val, saddr, r.pic,
		 refused ? " (host refuses a table page)" : "");
	frame = sm_host_frame(m, r.addr, &w);
	SM_CHECK(m, frame && (frame & GMAP_PTE_PFRA) == (pte.val & GMAP_PTE_PFRA),
		 "slot %d: shadow pte 0x%" PRIx64 " for 0x%" PRIx64 ", but guest-1 0x%" PRIx64
		 " is host frame 0x%" PRIx64, s, pte.val, saddr, r.addr, frame);
	SM_CHECK(m, !(pte.val & ~want), "slot %d: shadow pte 0x%" PRIx64 " has stray bits", s,
		 pte.val);
	SM_CHECK(m, (pte.val & GMAP_PTE_P) || (!r.prot && w), "slot %d: shadow pte 0x%" PRIx64
		 " for 0x%" PRIx64 " writable, guest-1 path %sprotected, parent %swritable", s,
		 pte.val, saddr, r.prot ? "" : "not ", w ? "" : "not ");
	SM_CHECK(m, !(pte.val & GMAP_PTE_IEP) == !r.iep, "slot %d: shadow pte 0x%" PRIx64
		 " for 0x%" PRIx64 ": IEP, guest 1 says %d", s, pte.val, saddr, r.iep);
	for (unsigned int i = 0; i < path.n; i++)
		SM_CHECK(m, sm_g1_vsie(m, path.e[i].addr), "slot %d: shadow pte for 0x%" PRIx64
			 " built on guest-1 table entry 0x%" PRIx64 " (level %d), whose page is "
			 "not protected in the parent", s, saddr, path.e[i].addr,
			 path.e[i].level);
	m->st.ptes++;
}

/*
 * struct walk_ctx - a walk of one shadow's tables.
 * @m: the run
 * @s: the slot
 * @pte: the valid ptes found, as struct sm_slot's @pte
 * @npte: how many (counted past SM_NPTE)
 */
struct walk_ctx {
	struct sm *m;
	int s;
	uint64_t pte[SM_NPTE][2];
	unsigned int npte;
};

static int walk_pte(gmap_pte_t pte, uint64_t start, uint64_t next, struct gmap_dat_walk *walk)
{
	struct walk_ctx *c = walk->priv;

	(void)next;
	if (pte.val & GMAP_PTE_I)
		return 0;
	check_pte(c->m, c->s, start, pte);
	if (c->npte < SM_NPTE) {
		c->pte[c->npte][0] = start;
		c->pte[c->npte][1] = pte.val & GMAP_PTE_PFRA;
	}
	c->npte++;
	return 0;
}

/* Whether this step's notifier calls of slot @sl cover guest-2 @saddr. */
static bool notified(const struct sm_slot *sl, uint64_t saddr)
{
	if (sl->nnote > SM_NNOTE)
		return true;
	for (unsigned int i = 0; i < sl->nnote; i++)
		if (sl->note[i][0] <= saddr && saddr <= sl->note[i][1])
			return true;
	return false;
}

/* Every shadow pte of the last check that is gone now, or maps another
 * frame, was notified (@c NULL: the shadow was dropped, all are gone);
 * then the ptes of @c are the ones to follow. */
static void check_gone(struct sm *m, int s, const struct walk_ctx *c)
{
	struct sm_slot *sl = &m->slot[s];
	unsigned int j = 0;

	for (unsigned int i = 0; i < sl->npte && sl->npte <= SM_NPTE; i++) {
		while (c && j < c->npte && j < SM_NPTE && c->pte[j][0] < sl->pte[i][0])
			j++;
		if (c && j < c->npte && j < SM_NPTE && c->pte[j][0] == sl->pte[i][0] &&
		    c->pte[j][1] == sl->pte[i][1])
			continue;
		SM_CHECK(m, notified(sl, sl->pte[i][0]), "slot %d: the shadow pte for 0x%" PRIx64
			 " went without a notifier call for it (%u calls)", s, sl->pte[i][0],
			 sl->nnote);
	}
	sl->npte = c ? c->npte : 0;
	if (c && c->npte <= SM_NPTE)
		memcpy(sl->pte, c->pte, c->npte * sizeof(c->pte[0]));
}

static int walk_crste(gmap_crste_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *walk)
{
	struct walk_ctx *c = walk->priv;

	(void)next;
	SM_CHECK(c->m, (e.val & GMAP_CRSTE_I) ||
		 (!(e.val & (GMAP_CRSTE_CS | GMAP_CRSTE_FC)) &&
		  (int)((e.val & GMAP_CRSTE_TT_MASK) >> GMAP_CRSTE_TT_SHIFT) == walk->level),
		 "slot %d: shadow entry 0x%" PRIx64 " at level %d for 0x%" PRIx64, c->s, e.val,
		 walk->level, start);
	return 0;
}

static const struct gmap_dat_walk_ops walk_ops = {
	.pte_entry = walk_pte,
	.crste_entry = { walk_crste, walk_crste, walk_crste, walk_crste },
};

/* A recent address through gmap_translate() and the shadow CPU's TLB. */
static void check_recent(struct sm *m, int s, uint64_t saddr)
{
	struct sm_slot *sl = &m->slot[s];
	struct gmap_dat_result r, t;
	uint64_t h, want;
	bool w;

	if (gmap_translate(sl->sg, saddr, &h) == 0) {
		SM_CHECK(m, !sm_ref(m, s, saddr, GMAP_DAT_FETCH, &r, NULL) && r.pic == 0 &&
			 gmap_translate(m->parent, r.addr, &want) == 0 && h == want,
			 "slot %d: translate(0x%" PRIx64 ") gives 0x%" PRIx64 ", guest 1 pic 0x%x "
			 "addr 0x%" PRIx64, s, saddr, h, r.pic, r.addr);
	}
	SM_CHECK(m, gmap_arch_translate(m->arch, sl->cpu, saddr, GMAP_DAT_FETCH, 0, &t) == 0,
		 "arch translate failed");
	if (t.pic)
		return;
	SM_CHECK(m, !sm_ref(m, s, saddr, GMAP_DAT_FETCH, &r, NULL) && r.pic == 0,
		 "slot %d: CPU %u translates 0x%" PRIx64 " to 0x%" PRIx64 ", guest 1 gives pic "
		 "0x%x", s, sl->cpu, saddr, t.addr, r.pic);
	want = sm_host_frame(m, r.addr, &w);
	SM_CHECK(m, t.addr == want, "slot %d: CPU %u translates 0x%" PRIx64 " to 0x%" PRIx64
		 ", guest-1 0x%" PRIx64 " is host 0x%" PRIx64 " (stale TLB?)", s, sl->cpu, saddr,
		 t.addr, r.addr, want);
	m->st.tlb++;
}

/* A dropped shadow: no CPU may still hold its translations. */
static void slot_dropped(struct sm *m, struct sm_slot *sl, int s)
{
	struct gmap_dat_result t;

	for (unsigned int i = 0; i < SM_NRECENT && i < m->nrecent; i++)
		SM_CHECK(m, gmap_arch_tlb_lookup(m->arch, sl->cpu, sl->sasce, m->recent[i],
						 &t) == 0,
			 "slot %d: CPU %u still holds 0x%" PRIx64 " of a dropped shadow", s,
			 sl->cpu, m->recent[i]);
	SM_CHECK(m, gmap_disable(sl->sg, sl->cpu) == 0, "disable failed");
	check_gone(m, s, NULL);
	sl->dead = true;
	m->st.drops++;
}

void sm_check(struct sm *m)
{
	struct gmap_dat_mem mem;

	gmap_arch_table_mem(m->arch, &mem);
	for (int s = 0; s < SM_NSLOT; s++) {
		struct sm_slot *sl = &m->slot[s];
		struct walk_ctx c = { .m = m, .s = s };

		if (!sl->sg || sl->dead)
			continue;
		if (!gmap_shadow_valid(sl->sg, sl->asce, sl->edat)) {
			SM_CHECK(m, sl->may_drop, "slot %d: shadow dropped, nothing touched its top "
				 "table", s);
			slot_dropped(m, sl, s);
			continue;
		}
		SM_CHECK(m, !sl->must_drop, "slot %d: shadow still valid after its top table "
			 "changed", s);
		SM_CHECK(m, gmap_dat_walk_range(&mem, gmap_asce(sl->sg), 0, ~0ULL, m->fac,
						&walk_ops, &c) == 0, "shadow walk failed");
		check_gone(m, s, &c);
		for (unsigned int i = 0; i < SM_NRECENT && i < m->nrecent; i++)
			check_recent(m, s, m->recent[i]);
	}
}
