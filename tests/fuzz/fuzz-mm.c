// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the host address space with PGSTEs (pgste.h), driven by a
 * sequence of operations read from the input on sixteen host pages that
 * straddle a segment boundary.
 *
 * Input: a configuration byte (bit 0: create the mm with PGSTEs, else
 * without until an enable_sie operation; bit 1: strict TLB; bits 2-3: DAT
 * levels 2 to 5; bit 4: no ESOP), then operations until the input ends:
 * map (anonymous or caller frames), unmap, mprotect, zap, host faults,
 * test_and_clear_young, set / conditional set / zap of guest keys, RRBE,
 * test_and_clear_uc, sync_dirty, force_prot, set_bits, zap_unused, ESSA,
 * notifier (un)registration, enable_sie, and arming the allocation hook
 * to fail the Nth allocation of the next operation. Every page's pte,
 * PGSTE and guest key (get_key) are read before and after each operation.
 *
 * The checks, after every operation (pgste.h's documented semantics):
 *  - every call returns 0, a documented positive value or a documented
 *    negative errno, and exactly the errno the model predicts;
 *  - a call that fails leaves every pte, PGSTE, guest key, the table
 *    bytes and the live allocations as they were;
 *  - a model of which pages are mapped (with which protection), present,
 *    their guest keys' ACC/F and UC agrees with what the API reports;
 *  - CPU 0 (running the mm) translates every page as its pte says, after
 *    the deferred purge, and a valid pte only where the model allows it;
 *  - destroying the mm and the backend frees every allocation.
 *
 * The hook, the snapshot and the checks after each operation are in
 * fuzz-mm-check.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz-mm.h"

#define MM_MAX_OPS	256

enum {
	OP_MAP, OP_UNMAP, OP_MPROTECT, OP_ZAP, OP_FAULT, OP_YOUNG, OP_SET_KEY, OP_COND_KEY,
	OP_ZAP_KEY, OP_RRBE, OP_UC, OP_SYNC, OP_FORCE_PROT, OP_SET_BITS, OP_ZAP_UNUSED,
	OP_ESSA, OP_NOTIFIER, OP_ENABLE_SIE, OP_FAIL, OP_COUNT
};

static bool pt_or_mapped(const struct mm_fz *m, const struct snap *s, unsigned int i)
{
	return s->rc[i] == 0 || m->pg[i].mapped;
}

static void range_arg(struct fz *f, unsigned int *a, unsigned int *n)
{
	*a = fz_u8(f) % MM_PAGES;
	*n = 1 + fz_u8(f) % (MM_PAGES - *a);
}

/* The protection in bits 0-1 of @sel (3 is NONE too). */
static unsigned int prot_arg(unsigned int sel)
{
	static const unsigned int prots[3] = {
		GMAP_MM_PROT_NONE, GMAP_MM_PROT_READ, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE
	};

	return prots[(sel & 3) % 3];
}

static void op_map(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int a, n, sel, prot;
	uint64_t frame;
	long want = 0;

	range_arg(f, &a, &n);
	sel = fz_u8(f);
	prot = prot_arg(sel);
	frame = sel & 4 ? gmap_arch_virt_to_real(m->arch, m->frames + (size_t)a * PG) : 0;
	for (unsigned int i = a; i < a + n; i++)
		if (m->pg[i].mapped)
			want = -EEXIST;
	if (!check_rc(m, s, "map", gmap_mm_map(m->mm, haddr(a), n * PG, frame, prot), want, 0))
		return;
	for (unsigned int i = a; i < a + n; i++) {
		m->pg[i].mapped = true;
		m->pg[i].prot = prot;
		m->pg[i].frame = frame ? frame + (uint64_t)(i - a) * PG : 0;
	}
}

static void op_unmap_zap(struct mm_fz *m, struct fz *f, const struct snap *s, bool unmap)
{
	unsigned int a, n;
	int rc;

	range_arg(f, &a, &n);
	rc = unmap ? gmap_mm_unmap(m->mm, haddr(a), n * PG) : gmap_mm_zap(m->mm, haddr(a), n * PG);
	if (!check_rc(m, s, unmap ? "unmap" : "zap", rc, 0, 0))
		return;
	for (unsigned int i = a; i < a + n; i++) {
		m->pg[i].present = false;
		m->pg[i].uc = UNKNOWN;
		m->pg[i].mapped &= !unmap;
	}
	/* Unmap frees the page table of a segment it leaves without a
	 * mapping (free_pgtables()): its pages' keys and UC bits go too. */
	for (unsigned int i = 0; unmap && i < MM_PAGES; i++) {
		bool left = false;

		for (unsigned int j = 0; j < MM_PAGES; j++)
			left |= m->pg[j].mapped && !((haddr(i) ^ haddr(j)) >> GMAP_SEGMENT_SHIFT);
		if (!left) {
			m->pg[i].acc = 0;
			m->pg[i].uc = 0;
		}
	}
}

static void op_mprotect(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int a, n, prot;
	long want = 0;

	range_arg(f, &a, &n);
	prot = prot_arg(fz_u8(f));
	for (unsigned int i = a; i < a + n; i++)
		if (!m->pg[i].mapped)
			want = -EFAULT;
	if (!check_rc(m, s, "mprotect", gmap_mm_mprotect(m->mm, haddr(a), n * PG, prot), want, 0))
		return;
	for (unsigned int i = a; i < a + n; i++) {
		m->pg[i].prot = prot;
		m->pg[i].uc = UNKNOWN;
	}
}

static void op_fault(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int i = fz_u8(f) % MM_PAGES, sel = fz_u8(f);
	enum gmap_dat_access acc = sel & 1 ? GMAP_DAT_STORE : sel & 2 ? GMAP_DAT_IFETCH :
				   GMAP_DAT_FETCH;
	struct page *p = &m->pg[i];
	long want = 0;
	bool write;

	if (!p->mapped || p->prot == GMAP_MM_PROT_NONE ||
	    (acc == GMAP_DAT_STORE && !(p->prot & GMAP_MM_PROT_WRITE)))
		want = -EFAULT;
	if (!check_rc(m, s, "fault", gmap_mm_fault(m->mm, haddr(i) + (sel >> 2), acc), want, 0))
		return;
	p->present = true;
	/* A write fault stores a writable valid pte, setting UC
	 * (pgste_set_pte()); a pte that already was one may be kept. */
	write = acc == GMAP_DAT_STORE && (s->rc[i] || (s->pte[i] & (GMAP_PTE_I | GMAP_PTE_P)));
	p->uc = write ? 1 : UNKNOWN;
}

static void op_young(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int i = fz_u8(f) % MM_PAGES;

	check_rc(m, s, "test_and_clear_young", gmap_mm_test_and_clear_young(m->mm, haddr(i)),
		 m->pg[i].present ? 0 : -EFAULT, 1);
}

/* The errno of a PGSTE call on page @i that needs a page table or mapping. */
static long need_pt(const struct mm_fz *m, const struct snap *s, unsigned int i)
{
	if (!has_pgste(m))
		return -EINVAL;
	return pt_or_mapped(m, s, i) ? 0 : -EFAULT;
}

static void op_set_key(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int i = fz_u8(f) % MM_PAGES;
	uint8_t key = fz_u8(f);
	long want = need_pt(m, s, i);
	int rc = gmap_pgste_set_key(m->mm, haddr(i), key, key & 1);

	/* Key 0 on a page without a page table needs none. */
	if (want == -EFAULT && !(key & 0xfe) && rc == 0)
		want = 0;
	if (!check_rc(m, s, "set_key", rc, want, 0))
		return;
	m->pg[i].acc = key & KEY_AF;
	m->pg[i].uc = UNKNOWN;
}

static void op_cond_key(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int i = fz_u8(f) % MM_PAGES;
	uint8_t key = fz_u8(f) & 0xfe, old = 0xff, diff = (uint8_t)(s->key[i] ^ key) & 0xfe;
	unsigned int flags = fz_u8(f) % 9;
	bool cond = flags & (GMAP_PGSTE_KEY_MR | GMAP_PGSTE_KEY_MC);
	long want = need_pt(m, s, i);
	int rc = gmap_pgste_cond_set_key(m->mm, haddr(i), key, &old, flags);

	if (flags & GMAP_PGSTE_KEY_MR)
		diff &= (uint8_t)~GMAP_SKEY_R;
	if (flags & GMAP_PGSTE_KEY_MC)
		diff &= (uint8_t)~GMAP_SKEY_C;
	/* Without MR and MC, SSKE is unconditional: set_key. */
	if (!cond)
		diff = key | 1;
	if (flags > 7)
		want = -EINVAL;
	else if (want == -EFAULT && !(diff & 0xfe))
		want = 0;	/* key 0 needs no page table */
	if (!check_rc(m, s, "cond_set_key", rc, want, 1))
		return;
	FZ_CHECK(rc == !!diff, "cond_set_key returned %d for key 0x%02x over 0x%02x, flags %u",
		 rc, key, s->key[i], flags);
	if (cond)
		FZ_CHECK(old == s->key[i], "cond_set_key old key 0x%02x, get_key said 0x%02x",
			 old, s->key[i]);
	if (rc) {
		m->pg[i].acc = key & KEY_AF;
		m->pg[i].uc = UNKNOWN;
	}
}

static void op_zap_key(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int i = fz_u8(f) % MM_PAGES;
	long want = !has_pgste(m) ? -EINVAL : s->rc[i] ? -EFAULT : 0;
	uint64_t pte = s->pte[i];

	if (!check_rc(m, s, "zap_key", gmap_pgste_zap_key(m->mm, haddr(i)), want, 0))
		return;
	/* A valid page keeps its real key unless it is writable. */
	if ((pte & GMAP_PTE_I) || !(pte & GMAP_PTE_P))
		m->pg[i].acc = 0;
	else if (pte & GMAP_MM_PTE_WRITE)
		m->pg[i].acc = UNKNOWN;
	m->pg[i].uc = UNKNOWN;
}

static void op_rrbe(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int i = fz_u8(f) % MM_PAGES;
	uint8_t k = s->key[i], now = 0xff;
	int cc = (k & GMAP_SKEY_R ? 2 : 0) | (k & GMAP_SKEY_C ? 1 : 0);

	if (!check_rc(m, s, "reset_reference", gmap_pgste_reset_reference(m->mm, haddr(i)),
		      has_pgste(m) ? 0 : -EINVAL, 3))
		return;
	FZ_CHECK(gmap_pgste_reset_reference(m->mm, haddr(i)) == (cc & 1),
		 "second reset_reference still sees R (key was 0x%02x)", k);
	FZ_CHECK(gmap_pgste_get_key(m->mm, haddr(i), &now) == 0 && !(now & GMAP_SKEY_R),
		 "reset_reference left R in key 0x%02x", now);
	m->pg[i].uc = UNKNOWN;
}

/* UC was reported (@dirty) for page @i: check it against the model. */
static void uc_seen(struct mm_fz *m, const struct snap *s, unsigned int i, bool dirty)
{
	gmap_pte_t pte;

	FZ_CHECK(m->pg[i].uc == UNKNOWN || m->pg[i].uc == dirty,
		 "page %u reports UC %d, model %d", i, dirty, m->pg[i].uc);
	m->pg[i].uc = 0;
	if (!dirty || s->rc[i])
		return;
	FZ_CHECK(gmap_mm_read_pte(m->mm, haddr(i), &pte, NULL) == 0, "read_pte failed");
	FZ_CHECK(!m->pg[i].present || (pte.val & (GMAP_PTE_I | GMAP_PTE_P)),
		 "page %u still writable after its UC was cleared: pte 0x%" PRIx64, i, pte.val);
}

static void op_uc(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int i = fz_u8(f) % MM_PAGES;
	int rc = gmap_pgste_test_and_clear_uc(m->mm, haddr(i));

	if (check_rc(m, s, "test_and_clear_uc", rc, has_pgste(m) ? 0 : -EINVAL, 1))
		uc_seen(m, s, i, rc);
}

static void op_sync(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int a, n;
	uint64_t bitmap = ~0ULL;
	long rc, count = 0;

	range_arg(f, &a, &n);
	rc = gmap_pgste_sync_dirty(m->mm, haddr(a), n, &bitmap);
	if (!check_rc(m, s, "sync_dirty", rc, has_pgste(m) ? 0 : -EINVAL, n))
		return;
	for (unsigned int i = 0; i < n; i++) {
		bool dirty = bitmap >> i & 1;

		count += dirty;
		uc_seen(m, s, a + i, dirty);
	}
	FZ_CHECK(rc == count, "sync_dirty returned %ld for %ld bits", rc, count);
}

static void op_force_prot(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	static const uint64_t bitsel[4] = { 0, GMAP_PGSTE_IN, GMAP_PGSTE_VSIE,
					    GMAP_PGSTE_IN | GMAP_PGSTE_VSIE };
	unsigned int i = fz_u8(f) % MM_PAGES, sel = fz_u8(f), prot = prot_arg(sel);
	uint64_t bits = bitsel[sel >> 2 & 3], pte = s->pte[i];
	gmap_pte_t now;
	gmap_pgste_t pgste;
	long want = !has_pgste(m) ? -EINVAL : s->rc[i] ? -EFAULT : 0;

	if (!want && (((pte & GMAP_PTE_I) && prot != GMAP_MM_PROT_NONE) ||
		      ((pte & GMAP_PTE_P) && (prot & GMAP_MM_PROT_WRITE))))
		want = -EAGAIN;
	if (!check_rc(m, s, "force_prot", gmap_pgste_force_prot(m->mm, haddr(i), prot, bits),
		      want, 0))
		return;
	FZ_CHECK(gmap_mm_read_pte(m->mm, haddr(i), &now, &pgste) == 0, "read_pte failed");
	FZ_CHECK((pgste.val & bits) == bits, "force_prot did not set 0x%" PRIx64, bits);
	FZ_CHECK(prot != GMAP_MM_PROT_NONE || (now.val & GMAP_PTE_I),
		 "force_prot NONE left pte 0x%" PRIx64 " valid", now.val);
	/* Without ESOP, pgste_set_pte() keeps a writable valid pte writable. */
	FZ_CHECK(prot != GMAP_MM_PROT_READ || !m->esop || (now.val & (GMAP_PTE_I | GMAP_PTE_P)),
		 "force_prot READ left pte 0x%" PRIx64 " writable", now.val);
	m->pg[i].uc = UNKNOWN;
}

static void op_set_bits(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	static const uint64_t masks[10] = {
		GMAP_PGSTE_IN, GMAP_PGSTE_VSIE, GMAP_PGSTE_UC, GMAP_PGSTE_USAGE_MASK,
		GMAP_PGSTE_NODAT | GMAP_PGSTE_ZERO, GMAP_PGSTE_ACC | GMAP_PGSTE_FP,
		GMAP_PGSTE_GR | GMAP_PGSTE_GC, GMAP_PGSTE_HR | GMAP_PGSTE_HC,
		GMAP_PGSTE_UC | GMAP_PGSTE_USAGE_MASK, GMAP_PGSTE_PCL | GMAP_PGSTE_IN,
	};
	unsigned int i = fz_u8(f) % MM_PAGES;
	uint64_t mask = masks[fz_u8(f) % 10], value = fz_u64(f);
	long want = need_pt(m, s, i);
	gmap_pgste_t pgste;

	if (mask & GMAP_PGSTE_PCL)
		want = -EINVAL;
	if (!check_rc(m, s, "set_bits", gmap_pgste_set_bits(m->mm, haddr(i), mask, value),
		      want, 0))
		return;
	FZ_CHECK(gmap_mm_read_pte(m->mm, haddr(i), NULL, &pgste) == 0, "read_pte failed");
	FZ_CHECK((pgste.val & mask) == (value & mask), "set_bits 0x%" PRIx64 " of 0x%" PRIx64
		 " gave pgste 0x%" PRIx64, mask, value, pgste.val);
	if (mask & GMAP_PGSTE_UC)
		m->pg[i].uc = !!(value & GMAP_PGSTE_UC);
	/*
	 * The PGSTE holds the guest key while the page is invalid. On a valid
	 * page the real key counts, but a pte invalidated without moving the
	 * real key into the PGSTE (test_and_clear_uc without ESOP) shows this
	 * value later.
	 */
	if ((mask & GMAP_PGSTE_ACC) && (s->rc[i] || (s->pte[i] & GMAP_PTE_I)))
		m->pg[i].acc = (int)(value >> 56) & KEY_AF;
	else if (mask & GMAP_PGSTE_ACC)
		m->pg[i].acc = UNKNOWN;
}

static void op_zap_unused(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int i = fz_u8(f) % MM_PAGES;
	bool reset = fz_u8(f) & 1;
	uint64_t old = s->pgste[i];
	long want = !has_pgste(m) ? -EINVAL : s->rc[i] ? -EFAULT : 0;
	int rc = gmap_pgste_zap_unused(m->mm, haddr(i), reset);
	gmap_pgste_t pgste;

	if (!check_rc(m, s, "zap_unused", rc, want, reset ? 0 : 1))
		return;
	FZ_CHECK(gmap_mm_read_pte(m->mm, haddr(i), NULL, &pgste) == 0, "read_pte failed");
	if (reset) {
		FZ_CHECK(!(pgste.val & (GMAP_PGSTE_USAGE_MASK | GMAP_PGSTE_NODAT)),
			 "zap_unused reset left pgste 0x%" PRIx64, pgste.val);
		return;
	}
	if (!rc)
		return;
	FZ_CHECK(m->pg[i].present, "zap_unused dropped page %u that was not present", i);
	FZ_CHECK((old & GMAP_PGSTE_USAGE_MASK) == GMAP_PGSTE_USAGE_UNUSED ||
		 (old & GMAP_PGSTE_ZERO), "zap_unused dropped page %u of pgste 0x%" PRIx64,
		 i, old);
	m->pg[i].present = false;
	m->pg[i].acc = UNKNOWN;
	m->pg[i].uc = UNKNOWN;
}

static void op_essa(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int i = fz_u8(f) % MM_PAGES, orc = fz_u8(f) % 9;
	long want = need_pt(m, s, i);
	gmap_pte_t oldpte = { 0 };
	gmap_pgste_t oldpgste = { 0 }, pgste;
	uint64_t usage;

	if (orc > GMAP_PGSTE_ESSA_SET_STABLE_NODAT)
		want = -EINVAL;
	if (!check_rc(m, s, "essa", gmap_pgste_essa(m->mm, haddr(i), orc, &oldpte, &oldpgste),
		      want, 1))
		return;
	FZ_CHECK(s->rc[i] || (oldpte.val == s->pte[i] &&
			      (oldpgste.val & ~GMAP_PGSTE_PCL) == s->pgste[i]),
		 "essa old pte 0x%" PRIx64 " pgste 0x%" PRIx64 ", read_pte said 0x%" PRIx64
		 " 0x%" PRIx64, oldpte.val, oldpgste.val, s->pte[i], s->pgste[i]);
	FZ_CHECK(gmap_mm_read_pte(m->mm, haddr(i), NULL, &pgste) == 0, "read_pte failed");
	usage = pgste.val & GMAP_PGSTE_USAGE_MASK;
	FZ_CHECK((orc != GMAP_PGSTE_ESSA_SET_STABLE || usage == GMAP_PGSTE_USAGE_STABLE) &&
		 (orc != GMAP_PGSTE_ESSA_SET_UNUSED || usage == GMAP_PGSTE_USAGE_UNUSED) &&
		 (orc != GMAP_PGSTE_ESSA_SET_VOLATILE || usage == GMAP_PGSTE_USAGE_VOLATILE) &&
		 (orc != GMAP_PGSTE_ESSA_SET_STABLE_NODAT ||
		  (usage == GMAP_PGSTE_USAGE_STABLE && (pgste.val & GMAP_PGSTE_NODAT))) &&
		 (orc != GMAP_PGSTE_ESSA_GET_STATE ||
		  usage == (s->pgste[i] & GMAP_PGSTE_USAGE_MASK)),
		 "essa orc %u left pgste 0x%" PRIx64, orc, pgste.val);
}

static void op_notifier(struct mm_fz *m, struct fz *f, const struct snap *s)
{
	unsigned int sel = fz_u8(f);
	struct nb *b = &m->nb[sel & 1];
	struct gmap_mm_notifier empty = { 0 };
	int rc;

	if (sel & 4) {
		check_rc(m, s, "notifier_register(empty)",
			 gmap_mm_notifier_register(m->mm, &empty), -EINVAL, 0);
	} else if (sel & 2) {
		rc = gmap_mm_notifier_unregister(m->mm, &b->n);
		if (check_rc(m, s, "notifier_unregister", rc, b->registered ? 0 : -ENOENT, 0))
			b->registered = false;
	} else {
		/* Set first: a callback may run as soon as it is on the list. */
		bool was = b->registered;

		b->registered = true;
		rc = gmap_mm_notifier_register(m->mm, &b->n);
		b->registered = was;
		if (check_rc(m, s, "notifier_register", rc, was ? -EEXIST : 0, 0))
			b->registered = true;
	}
}

static void op_enable_sie(struct mm_fz *m, const struct snap *s)
{
	bool had = has_pgste(m);

	if (!check_rc(m, s, "enable_sie", gmap_mm_enable_sie(m->mm), 0, 0))
		return;
	FZ_CHECK(has_pgste(m), "enable_sie left the mm without PGSTEs");
	FZ_CHECK(gmap_arch_get_asce(m->arch, 0).val == gmap_mm_asce(m->mm).val,
		 "CPU 0 does not run the mm's new ASCE");
	if (!had)
		for (unsigned int i = 0; i < MM_PAGES; i++)
			m->pg[i].uc = UNKNOWN;
}


static void run_op(struct mm_fz *m, struct fz *f)
{
	struct snap s;
	unsigned int op = fz_u8(f) % OP_COUNT;

	take_snap(m, &s);
	switch (op) {
	case OP_MAP:
		op_map(m, f, &s);
		break;
	case OP_UNMAP:
		op_unmap_zap(m, f, &s, true);
		break;
	case OP_MPROTECT:
		op_mprotect(m, f, &s);
		break;
	case OP_ZAP:
		op_unmap_zap(m, f, &s, false);
		break;
	case OP_FAULT:
		op_fault(m, f, &s);
		break;
	case OP_YOUNG:
		op_young(m, f, &s);
		break;
	case OP_SET_KEY:
		op_set_key(m, f, &s);
		break;
	case OP_COND_KEY:
		op_cond_key(m, f, &s);
		break;
	case OP_ZAP_KEY:
		op_zap_key(m, f, &s);
		break;
	case OP_RRBE:
		op_rrbe(m, f, &s);
		break;
	case OP_UC:
		op_uc(m, f, &s);
		break;
	case OP_SYNC:
		op_sync(m, f, &s);
		break;
	case OP_FORCE_PROT:
		op_force_prot(m, f, &s);
		break;
	case OP_SET_BITS:
		op_set_bits(m, f, &s);
		break;
	case OP_ZAP_UNUSED:
		op_zap_unused(m, f, &s);
		break;
	case OP_ESSA:
		op_essa(m, f, &s);
		break;
	case OP_NOTIFIER:
		op_notifier(m, f, &s);
		break;
	case OP_ENABLE_SIE:
		op_enable_sie(m, &s);
		break;
	default:
		/* Fail the Nth allocation of the next operation. */
		m->hook.fail_at = m->hook.calls + 1 + fz_u8(f) % 8;
		return;
	}
	m->hook.fail_at = 0;
	if (m->strict)
		gmap_mm_flush(m->mm);
	take_snap(m, &s);
	for (unsigned int i = 0; i < MM_PAGES; i++)
		check_page(m, &s, i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct mm_fz m = { 0 };
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .alloc = &alloc_hook_ops);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts);
	uint8_t cfg = fz_u8(&f);

	m.strict = cfg & 2;
	ao.alloc_priv = &m.hook;
	ao.strict = m.strict;
	ao.facilities = cfg & 16 ? GMAP_FAC_EDAT1 | GMAP_FAC_IEP : 0;
	FZ_CHECK(gmap_arch_soft_create(&ao, &m.arch) == 0, "soft backend creation failed");
	mo.arch = m.arch;
	mo.pgste = cfg & 1;
	mo.levels = 2 + (cfg >> 2 & 3);
	m.esop = gmap_arch_facilities(m.arch) & GMAP_FAC_ESOP1;
	FZ_CHECK(gmap_mm_create(&mo, &m.mm) == 0, "mm creation failed");
	FZ_CHECK(gmap_mm_attach(m.mm, 0) == 0, "attach failed");
	m.frames = aligned_alloc(PG, MM_PAGES * PG);
	FZ_CHECK(m.frames, "out of memory");
	for (unsigned int i = 0; i < 2; i++) {
		m.nb[i].n.invalidate = mm_notify;
		m.nb[i].n.shadow = i ? mm_notify : NULL;
		m.nb[i].n.priv = &m.nb[i];
		m.nb[i].m = &m;
	}
	/* Fresh PGSTEs hold key 0 and no UC; without them both are unknown. */
	for (unsigned int i = 0; i < MM_PAGES; i++) {
		m.pg[i].acc = mo.pgste ? 0 : UNKNOWN;
		m.pg[i].uc = m.pg[i].acc;
	}

	for (unsigned int n = 0; f.n && n < MM_MAX_OPS; n++)
		run_op(&m, &f);

	gmap_mm_destroy(m.mm);
	gmap_arch_destroy(m.arch);
	free(m.frames);
	FZ_CHECK(m.hook.live == 0, "%ld allocations leaked", m.hook.live);
	return 0;
}
