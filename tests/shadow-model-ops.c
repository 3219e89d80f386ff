// SPDX-License-Identifier: MIT
/*
 * The two-stage reference check's steps (see shadow-model.h): the guest-1
 * table generator (paths built towards the guest-2 addresses the faults
 * use, with random TF/TL, P, IEP, invalid entries, EDAT frames and
 * origins outside guest-1 storage), random mutations of guest-1 entries
 * and data, host changes of the parent's memory (mprotect, zap, young
 * bits), new guest-1 ASCEs, and gmap_shadow_fault() compared with the
 * reference translation, some with a failing allocation.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "shadow-model.h"

#define SM_RW	(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

/* The index values guest-2 addresses use per level: both ends of each
 * table, and the first entry of its later parts (TF/TL checks). */
static const uint16_t ix_region[4] = { 0, 1, 0x200, 0x7ff };
static const uint16_t ix_segment[4] = { 0, 1, 0x400, 0x7ff };
static const uint16_t ix_page[4] = { 0, 1, 0x80, 0xff };

/* Two bytes, the first one low (sequenced: an expression with two calls
 * would leave their order to the compiler). */
static unsigned int u16(struct sm *m)
{
	unsigned int lo = sm_u8(m);

	return lo | (unsigned int)sm_u8(m) << 8;
}

static uint64_t index_of(uint64_t va, int tt)
{
	switch (tt) {
	case GMAP_TT_REGION1:
		return GMAP_VA_RFX(va);
	case GMAP_TT_REGION2:
		return GMAP_VA_RSX(va);
	case GMAP_TT_REGION3:
		return GMAP_VA_RTX(va);
	case GMAP_TT_SEGMENT:
		return GMAP_VA_SX(va);
	default:
		return GMAP_VA_PX(va);
	}
}

/* A guest-2 address for slot @s; seven in eight inside what its ASCE's
 * designation type reaches (for real space: in guest-1 storage). */
static uint64_t sm_addr(struct sm *m, int s)
{
	unsigned int r = u16(m);
	uint64_t rfx = ix_region[r & 3], rsx = ix_region[(r >> 2) & 3];
	uint64_t rtx = ix_region[(r >> 4) & 3], sx = ix_segment[(r >> 6) & 3];
	uint64_t px = ix_page[(r >> 8) & 3], bx = (uint64_t)(r >> 13) * 0x201;
	int dt = (int)((m->slot[s].asce.val & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT);

	if (r & 0x1c00) {
		rfx = dt < GMAP_TT_REGION1 ? 0 : rfx;
		rsx = dt < GMAP_TT_REGION2 ? 0 : rsx;
		rtx = dt < GMAP_TT_REGION3 ? 0 : rtx;
		/* Real space: mostly inside guest-1 storage. */
		if (m->slot[s].asce.val & GMAP_ASCE_R)
			return ((uint64_t)r << 12 | bx) % SM_G1LEN;
	}
	return rfx << 53 | rsx << 42 | rtx << 31 | sx << 20 | px << 12 | bx;
}

/* A new guest-1 table of type @tt (GMAP_LEVEL_PAGE: a page table), every
 * entry invalid; -1 when there is no room. */
static int new_table(struct sm *m, int tt)
{
	unsigned char buf[SM_CRST_SIZE];
	uint64_t len = tt == GMAP_LEVEL_PAGE ? GMAP_PT_SIZE : SM_CRST_SIZE;
	uint64_t *cur = tt == GMAP_LEVEL_PAGE ? &m->next_pt : &m->next_crst;
	uint64_t end = tt == GMAP_LEVEL_PAGE ? SM_G1LEN : SM_PT_BASE;
	uint64_t e = tt == GMAP_LEVEL_PAGE ? GMAP_PTE_I :
		     GMAP_CRSTE_I | (uint64_t)tt << GMAP_CRSTE_TT_SHIFT;

	if (m->ntab == SM_NTAB || *cur + len > end)
		return -1;
	for (uint64_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(e >> (8 * (7 - i % 8)));
	sm_g1_store(m, *cur, buf, len);
	m->tab[m->ntab] = (struct sm_table){ *cur, tt };
	*cur += len;
	return m->ntab++;
}

void sm_tables(struct sm *m)
{
	for (int tt = GMAP_TT_REGION1; tt >= GMAP_LEVEL_PAGE; tt--)
		for (int i = 0; i < (tt == GMAP_LEVEL_PAGE ? 12 : 4); i++)
			new_table(m, tt);
}

/* A table of type @tt: an existing one or, now and then or when there is
 * none, a new one; -1 when there is none and no room. */
static int pick_table(struct sm *m, int tt, bool fresh)
{
	int n = 0, i, want;

	for (i = 0; i < m->ntab; i++)
		n += m->tab[i].tt == tt;
	if (fresh || !n) {
		i = new_table(m, tt);
		if (i >= 0 || !n)
			return i;
	}
	want = sm_u8(m) % n;
	for (i = 0; i < m->ntab; i++)
		if (m->tab[i].tt == tt && !want--)
			break;
	return i;
}

static void put_entry(struct sm *m, uint64_t gaddr, uint64_t val)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(val >> (8 * (7 - i)));
	sm_g1_store(m, gaddr, b, sizeof(b));
}

/* A guest-1 page frame: mostly a data page, some table pages, the prefix
 * area, and pages outside guest-1 storage. */
static uint64_t pick_frame(struct sm *m)
{
	uint8_t r = sm_u8(m);

	if (r < 192)
		return (uint64_t)(sm_u8(m) % (SM_TABLE_BASE / GMAP_PAGE_SIZE)) * GMAP_PAGE_SIZE;
	if (r < 224 && m->ntab)
		return m->tab[sm_u8(m) % m->ntab].origin & GMAP_PTE_PFRA;
	if (r < 240)
		return SM_G1LEN + (uint64_t)sm_u8(m) * GMAP_PAGE_SIZE;
	return (uint64_t)(r & 1) * GMAP_PAGE_SIZE;
}

/* The table an entry designates, if it is one the generator made. */
static int follow(const struct sm *m, uint64_t v, int tt)
{
	uint64_t o = tt == GMAP_TT_SEGMENT ? v & GMAP_SEGMENT_PTO : v & GMAP_CRSTE_ORIGIN;
	int below = tt == GMAP_TT_SEGMENT ? GMAP_LEVEL_PAGE : tt - 1;

	if ((v & (GMAP_CRSTE_I | GMAP_CRSTE_FC)) ||
	    (int)((v & GMAP_CRSTE_TT_MASK) >> GMAP_CRSTE_TT_SHIFT) != tt)
		return -1;
	for (int i = 0; i < m->ntab; i++)
		if (m->tab[i].origin == o && m->tab[i].tt == below)
			return i;
	return -1;
}

/* A new entry at level @tt for the path: a frame entry (true), or one
 * designating table *@child. */
static bool new_crste(struct sm *m, int tt, uint64_t *val, int *child)
{
	uint8_t r = sm_u8(m), f = sm_u8(m);
	unsigned int tf = 0, tl = 3;
	uint64_t flags = 0;

	if (tt == GMAP_TT_SEGMENT && r % 6 == 0) {
		flags = (f & 1 ? GMAP_CRSTE_P : 0) | (f & 2 ? GMAP_CRSTE_IEP : 0) |
			(f & 4 ? GMAP_CRSTE_AV | ((uint64_t)f << 8 & GMAP_CRSTE_ACC_MASK) : 0);
		*val = gmap_crste_mk_frame((uint64_t)(f >> 5) * GMAP_SEGMENT_SIZE, tt, flags).val;
		return true;
	}
	if (tt == GMAP_TT_REGION3 && r % 8 == 0) {
		flags = (f & 1 ? GMAP_CRSTE_P : 0) | (f & 2 ? GMAP_CRSTE_IEP : 0);
		*val = gmap_crste_mk_frame((uint64_t)(f >> 7) << 31, tt, flags).val;
		return true;
	}
	*child = pick_table(m, tt == GMAP_TT_SEGMENT ? GMAP_LEVEL_PAGE : tt - 1,
			    (r & 0x70) == 0x70);
	if (*child < 0) {
		*val = GMAP_CRSTE_I | (uint64_t)tt << GMAP_CRSTE_TT_SHIFT;
		return true;
	}
	if (!(f & 0xc0)) {
		tf = f & 3;
		tl = (f >> 2) & 3;
	}
	flags = ((f & 0x30) == 0x30 ? GMAP_CRSTE_P : 0) | (f == 0x3f ? GMAP_CRSTE_CS : 0);
	*val = gmap_crste_mk_table(m->tab[*child].origin, tt, tf, tl, flags).val;
	return false;
}

/* Build (or rebuild parts of) guest 1's path to a guest-2 address. */
static void op_build(struct sm *m, int s)
{
	gmap_asce_t asce = m->slot[s].asce;
	uint64_t saddr = sm_addr(m, s), origin = asce.val & GMAP_ASCE_ORIGIN, v, ea;
	int tt = (int)((asce.val & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT), child;
	uint8_t f;

	m->op = "build";
	sm_remember(m, saddr);
	if (asce.val & GMAP_ASCE_R)
		return;
	for (; tt >= GMAP_TT_SEGMENT; tt--) {
		ea = origin + index_of(saddr, tt) * 8;
		if (sm_g1_peek(m, ea, &v))
			return;
		child = follow(m, v, tt);
		if (child < 0 || !(sm_u8(m) & 7)) {
			if (new_crste(m, tt, &v, &child)) {
				put_entry(m, ea, v);
				return;
			}
			put_entry(m, ea, v);
		}
		origin = m->tab[child].origin;
	}
	f = sm_u8(m);
	v = pick_frame(m) | (f & 3 ? 0 : GMAP_PTE_P) | ((f & 0x1c) == 0x1c ? GMAP_PTE_IEP : 0) |
	    ((f & 0xe0) == 0xe0 ? GMAP_PTE_I : 0) | (f == 0x7f ? GMAP_PTE_Z : 0);
	put_entry(m, origin + index_of(saddr, GMAP_LEVEL_PAGE) * 8, v);
}

/* Change one guest-1 entry at random: a bit of it, all of it, or none. */
static void op_mutate(struct sm *m)
{
	static const uint64_t bits[] = {
		GMAP_CRSTE_I, GMAP_CRSTE_P, GMAP_CRSTE_TF_MASK, GMAP_CRSTE_TL_MASK,
		GMAP_CRSTE_TT_MASK, GMAP_CRSTE_FC, GMAP_CRSTE_CS, GMAP_CRSTE_IEP, GMAP_PTE_I,
		GMAP_PTE_Z, 1ULL << 12, 1ULL << 20, 1ULL << 40,
	};
	struct sm_table *t;
	uint64_t ea, v;
	uint8_t r = sm_u8(m);

	m->op = "mutate";
	if (!m->ntab)
		return;
	t = &m->tab[sm_u8(m) % m->ntab];
	ea = t->origin + (t->tt == GMAP_LEVEL_PAGE ? ix_page[r & 3] :
			  t->tt == GMAP_TT_SEGMENT ? ix_segment[r & 3] : ix_region[r & 3]) * 8;
	if (sm_g1_peek(m, ea, &v))
		v = 0;
	r >>= 2;
	if (r < 52)
		v ^= bits[r % (sizeof(bits) / sizeof(bits[0]))];
	else if (r < 60)
		v = sm_u64(m);
	put_entry(m, ea, v);
}

/* A guest-1 store to a data page (or anywhere). */
static void op_data(struct sm *m)
{
	uint64_t gaddr = (uint64_t)u16(m) % (SM_G1LEN / 8) * 8;

	m->op = "data";
	if (sm_u8(m) & 1)
		gaddr %= SM_TABLE_BASE;
	put_entry(m, gaddr, sm_u64(m));
}

/* A host change of the parent's memory: mprotect, zap or young. */
static void op_host(struct sm *m)
{
	static const unsigned int prots[4] = { SM_RW, SM_RW, GMAP_MM_PROT_READ, GMAP_MM_PROT_NONE };
	uint8_t r = sm_u8(m);
	uint64_t page = (uint64_t)u16(m) % SM_NPAGES;
	uint64_t g = page * GMAP_PAGE_SIZE, len = GMAP_PAGE_SIZE;
	unsigned int prot = prots[(r >> 2) & 3];
	int rc;

	if (m->large) {
		g &= ~(GMAP_SEGMENT_SIZE - 1);
		len = GMAP_SEGMENT_SIZE;
	}
	if (m->trace)
		fprintf(stderr, "%lu: host op %u prot %u at 0x%" PRIx64 " len 0x%" PRIx64 "\n",
			m->step, r & 3, prot, g, len);
	switch (r & 3) {
	case 0:
	case 1:
		m->op = "host mprotect";
		rc = gmap_mm_mprotect(m->mm, SM_HBASE + g, len, prot);
		SM_CHECK(m, rc == 0, "mprotect: %d", rc);
		memset(&m->prot[g / GMAP_PAGE_SIZE], (int)prot, len / GMAP_PAGE_SIZE);
		sm_touch(m, g, len, prot == GMAP_MM_PROT_NONE);
		break;
	case 2:
		m->op = "host zap";
		rc = gmap_mm_zap(m->mm, SM_HBASE + g, len);
		SM_CHECK(m, rc == 0, "zap: %d", rc);
		sm_touch(m, g, len, true);
		break;
	default:
		m->op = "host young";
		rc = gmap_mm_test_and_clear_young(m->mm, SM_HBASE + g);
		SM_CHECK(m, rc >= 0 || rc == -EFAULT, "test_and_clear_young: %d", rc);
		sm_touch(m, g, len, false);
		break;
	}
}

/* A new guest-1 ASCE (and shadow) for slot @s, or the same one again. */
static void op_asce(struct sm *m, int s)
{
	uint8_t r = sm_u8(m), f = sm_u8(m);
	int dt = f & 3, edat = (f >> 2) % 3, t;
	unsigned int tl = f & 0x10 ? (f >> 5) & 3 : 3;
	uint64_t origin, flags = f == 0xff ? GMAP_ASCE_P : 0;

	m->op = "asce";
	if (r >= 96 && m->slot[s].asce.val) {
		sm_shadow_get(m, s, m->slot[s].asce, m->slot[s].edat);
		return;
	}
	if (r < 16) {
		sm_shadow_get(m, s, gmap_asce_mk(0, (enum gmap_dat_tt)dt, tl,
						 GMAP_ASCE_R | flags), edat);
		return;
	}
	if (r < 24) {
		origin = SM_G1LEN - (uint64_t)(r & 3) * GMAP_PAGE_SIZE;
	} else {
		t = r < 32 && m->ntab ? sm_u8(m) % m->ntab : pick_table(m, dt, r & 1);
		if (t < 0)
			return;
		origin = m->tab[t].origin;
	}
	sm_shadow_get(m, s, gmap_asce_mk(origin, (enum gmap_dat_tt)dt, tl, flags), edat);
}

/* The guest-1 bytes [*@start, *@end) of the table that path entry @i
 * designates: the fault protects each such table whole (its TF to TL
 * parts, or the 2 KB page table), as gmap_protect_rmap() does. */
static void table_range(const struct gmap_dat_path *path, unsigned int i, uint64_t *start,
			uint64_t *end)
{
	uint64_t v = path->e[i].val, o = v & GMAP_CRSTE_ORIGIN;

	if (path->e[i].level == GMAP_TT_SEGMENT) {
		*start = v & GMAP_SEGMENT_PTO;
		*end = *start + GMAP_PT_SIZE;
		return;
	}
	*start = o + ((v & GMAP_CRSTE_TF_MASK) >> GMAP_CRSTE_TF_SHIFT) * GMAP_CRST_PART_SIZE;
	*end = o + ((v & GMAP_CRSTE_TL_MASK) + 1) * GMAP_CRST_PART_SIZE;
}

/* Whether the host refuses a page of a guest-1 table below the top on
 * @path. */
static bool tables_refused(const struct sm *m, const struct gmap_dat_path *path)
{
	uint64_t start, end;

	for (unsigned int i = 0; i + 1 < path->n; i++) {
		table_range(path, i, &start, &end);
		for (uint64_t a = start & GMAP_PTE_PFRA; a < end && a < SM_G1LEN; a += GMAP_PAGE_SIZE)
			if (m->prot[a / GMAP_PAGE_SIZE] == GMAP_MM_PROT_NONE)
				return true;
	}
	return false;
}

/* Whether guest-1 @gaddr lies in a page (a segment, for a large parent)
 * that a table on @path of slot @s, the top one included, occupies. */
static bool on_path_tables(const struct sm *m, int s, const struct gmap_dat_path *path,
			   uint64_t gaddr)
{
	uint64_t mask = m->large ? ~(GMAP_SEGMENT_SIZE - 1) : GMAP_PTE_PFRA, start, end;
	gmap_asce_t asce = m->slot[s].asce;

	if (!(asce.val & GMAP_ASCE_R)) {
		start = asce.val & GMAP_ASCE_ORIGIN;
		end = start + ((asce.val & GMAP_ASCE_TL_MASK) + 1) * GMAP_PAGE_SIZE;
		if ((start & mask) <= gaddr && gaddr < ((end - 1) & mask) + (~mask + 1))
			return true;
	}
	for (unsigned int i = 0; i + 1 < path->n; i++) {
		table_range(path, i, &start, &end);
		if ((start & mask) <= gaddr && gaddr < ((end - 1) & mask) + (~mask + 1))
			return true;
	}
	return false;
}

/* After a fault that resolved guest-2 @saddr to guest-1 @gaddr: the
 * shadow translates it to the parent's host address, and the CPU running
 * the shadow to the host frame, for @access. */
static void check_installed(struct sm *m, int s, uint64_t saddr, enum gmap_dat_access access,
			    uint64_t gaddr)
{
	struct sm_slot *sl = &m->slot[s];
	uint64_t h = 0, want_h = 0, frame;
	struct gmap_dat_result t;
	bool w;

	SM_CHECK(m, gmap_translate(sl->sg, saddr, &h) == 0 &&
		 gmap_translate(m->parent, gaddr, &want_h) == 0 && h == want_h,
		 "slot %d: translate(0x%" PRIx64 ") after the fault: 0x%" PRIx64 ", parent 0x%"
		 PRIx64, s, saddr, h, want_h);
	SM_CHECK(m, gmap_arch_translate(m->arch, sl->cpu, saddr, access, 0, &t) == 0,
		 "arch translate failed");
	frame = sm_host_frame(m, gaddr, &w);
	SM_CHECK(m, t.pic == 0 && t.addr == frame, "slot %d: CPU %u after the fault(0x%" PRIx64
		 ", %d): pic 0x%x addr 0x%" PRIx64 ", host frame 0x%" PRIx64, s, sl->cpu, saddr,
		 access, t.pic, t.addr, frame);
}

/* gmap_shadow_fault() against the reference; @nomem: with a failing
 * allocation. */
static void op_fault(struct sm *m, int s, bool nomem)
{
	static const uint8_t acc[4] = { GMAP_DAT_FETCH, GMAP_DAT_STORE, GMAP_DAT_STORE,
					GMAP_DAT_IFETCH };
	struct sm_slot *sl = &m->slot[s];
	uint8_t pick = sm_u8(m);
	uint64_t saddr = sm_addr(m, s);
	enum gmap_dat_access access = acc[sm_u8(m) & 3];
	struct gmap_dat_result r, res;
	struct gmap_dat_path path;
	bool refused, vsie;
	long want = 0;
	int rc;

	m->op = nomem ? "fault nomem" : "fault";
	if (!sl->sg)
		return;
	/* Half of the faults go where a path was built or a fault went. */
	if (pick & 1 && m->nrecent)
		saddr = m->recent[(pick >> 1) % (m->nrecent < SM_NRECENT ? m->nrecent : SM_NRECENT)];
	if (sl->dead) {
		rc = gmap_shadow_fault(sl->sg, saddr, access, &res);
		SM_CHECK(m, rc == -ESTALE, "slot %d: fault on a dropped shadow: %d", s, rc);
		sm_slot_put(m, sl);
		return;
	}
	refused = sm_ref(m, s, saddr, access, &r, &path);
	if (refused || (!r.pic && tables_refused(m, &path))) {
		want = -EFAULT;
	} else if (!r.pic && r.addr < SM_G1LEN) {
		unsigned int p = m->prot[r.addr / GMAP_PAGE_SIZE];

		if (p == GMAP_MM_PROT_NONE || (access == GMAP_DAT_STORE && p != SM_RW))
			want = -EFAULT;
	}
	/* A store to a page shadow tables were (or are about to be) built
	 * from: the parent's protection of it goes, and they with it. */
	vsie = !r.pic && access == GMAP_DAT_STORE &&
	       (sm_g1_vsie(m, r.addr) || on_path_tables(m, s, &path, r.addr));
	if (nomem) {
		m->hook.fail_at = m->hook.calls + 1 + sm_u8(m) % 6;
		m->hook.for_good = sm_u8(m) & 1;
	}
	memset(&res, 0xa5, sizeof(res));
	rc = gmap_shadow_fault(sl->sg, saddr, access, &res);
	m->hook.fail_at = 0;
	m->hook.for_good = false;
	if (m->trace)
		fprintf(stderr, "%lu: slot %d fault(0x%" PRIx64 ", %d): %d pic 0x%x addr 0x%" PRIx64
			"; reference pic 0x%x addr 0x%" PRIx64 "%s\n", m->step, s, saddr, access, rc,
			res.pic, res.addr, r.pic, r.addr, vsie ? " (vsie)" : "");
	m->st.faults++;
	sm_remember(m, saddr);
	if (access == GMAP_DAT_STORE && !r.pic)
		sm_touch(m, r.addr & GMAP_PTE_PFRA, GMAP_PAGE_SIZE, false);
	if (nomem && rc == -ENOMEM) {
		m->st.nomem++;
		return;
	}
	/* A store to a page guest-1 tables of a shadow were built from makes
	 * it writable, dropping them, maybe under the fault's feet. */
	if (vsie && (rc == -EAGAIN || rc == -ESTALE)) {
		m->st.again++;
		return;
	}
	SM_CHECK(m, rc == want, "slot %d: fault(0x%" PRIx64 ", %d): %d, expected %ld (guest-1 "
		 "pic 0x%x addr 0x%" PRIx64 ")", s, saddr, access, rc, want, r.pic, r.addr);
	if (rc) {
		m->st.efault++;
		return;
	}
	if (!r.pic && r.addr >= SM_G1LEN) {
		SM_CHECK(m, res.pic == GMAP_PIC_ADDRESSING && !res.teid_valid, "slot %d: fault(0x%"
			 PRIx64 ") to guest-1 0x%" PRIx64 " outside storage: pic 0x%x teid %d", s,
			 saddr, r.addr, res.pic, res.teid_valid);
		m->st.pics++;
		return;
	}
	SM_CHECK(m, res.pic == r.pic && res.teid_valid == r.teid_valid &&
		 (!r.teid_valid || res.teid == r.teid) &&
		 ((r.pic && r.pic != GMAP_PIC_PROTECTION) ||
		  (res.prot == r.prot && res.addr == r.addr && res.frame_shift == r.frame_shift)),
		 "slot %d: fault(0x%" PRIx64 ", %d): pic 0x%x teid %d/0x%" PRIx64 " prot %d addr "
		 "0x%" PRIx64 " shift %u; reference pic 0x%x teid %d/0x%" PRIx64 " prot %d addr 0x%"
		 PRIx64 " shift %u", s, saddr, access, res.pic, res.teid_valid, res.teid,
		 res.prot, res.addr, res.frame_shift, r.pic, r.teid_valid, r.teid, r.prot, r.addr,
		 r.frame_shift);
	if (r.pic) {
		m->st.pics++;
		return;
	}
	m->st.installed++;
	check_installed(m, s, saddr, access, r.addr);
}

void sm_step(struct sm *m)
{
	uint8_t r, op;
	int s;

	for (unsigned int i = 0; i < SM_STEP_BYTES; i++)
		m->rec[i] = m->src.next(m->src.priv);
	m->rpos = 0;
	r = sm_u8(m);
	op = r & 0x1f;
	s = (r >> 7) & 1;
	for (int i = 0; i < SM_NSLOT; i++) {
		m->slot[i].must_drop = m->slot[i].may_drop = false;
		m->slot[i].nnote = 0;
	}
	m->step++;
	if (!m->slot[s].sg)
		op_asce(m, s);
	if (op < 12)
		op_fault(m, s, false);
	else if (op < 19)
		op_build(m, s);
	else if (op < 22)
		op_mutate(m);
	else if (op < 23)
		op_data(m);
	else if (op < 27)
		op_host(m);
	else if (op < 29)
		op_asce(m, s);
	else
		op_fault(m, s, true);
	sm_check(m);
}
