// SPDX-License-Identifier: MIT
/*
 * gmap_shadow_fault(): walk guest 1's tables for a guest-2 address,
 * build the shadow tables that are missing and install the shadow pte.
 * Mirrors kvm_s390_shadow_fault() / kvm_s390_shadow_tables() of
 * arch/s390/kvm/gaccess.c and gmap_shadow_r2t/r3t/sgt/pgt(),
 * gmap_shadow_pgt_lookup() and gmap_shadow_page() of arch/s390/mm/gmap.c.
 *
 * The guest-1 walk is the [core] walker reading guest-1 storage through
 * the parent. Tables are then built top-down: each new one is linked
 * pending, its guest-1 pages are recorded and protected, and it is made
 * valid only if no unshadow ran since the walk (the shadow's seq). The
 * guest-1 entries were read before their pages were protected, so the
 * walk is repeated once everything on the path is protected: a write in
 * between shows as a difference. The pte is installed under the parent
 * leaf's lock (its PGSTE lock, or the parent's table lock for a large
 * segment) and the shadow's table lock, with seq checked again.
 */
#include <errno.h>
#include <sched.h>

#include "../dat/dat_impl.h"
#include "shadow_impl.h"

/* fault_once() outcome beyond 0 and the errors: run it again now. */
#define RETRY		1
/* Consecutive unshadow races before -EAGAIN goes to the caller. */
#define SEQ_RETRIES	8
/* Retries of any kind before -EAGAIN goes to the caller. */
#define ALL_RETRIES	1000

/*
 * struct fault - one fault in progress.
 * @sg: the shadow
 * @saddr: the guest-2 address
 * @access: enum gmap_dat_access
 * @seq: the shadow's seq when the fault started
 * @err: -EAGAIN when a guest-1 read needs the parent faulted in at
 *	@fault_addr
 * @fault_addr: that guest-1 address
 */
struct fault {
	struct gmap *sg;
	uint64_t saddr;
	enum gmap_dat_access access;
	AO_t seq;
	int err;
	uint64_t fault_addr;
};

/* The walker's reader of guest-1 storage (gmap_read_table()). */
static int g1_read(void *priv, uint64_t addr, uint64_t *val)
{
	struct fault *f = priv;
	int rc = shadow_read_g1(f->sg->parent, addr, val);

	if (rc == -EAGAIN && !f->err) {
		f->err = -EAGAIN;
		f->fault_addr = addr;
	}
	return rc ? -1 : 0;
}

/* Walk guest 1's tables. Return: 0 with @res; RETRY after faulting the
 * parent in; gmap_fault()'s errors. */
static int g1_walk(struct fault *f, struct gmap_dat_result *res, struct gmap_dat_path *path)
{
	const struct gmap_dat_mem mem = { .kind = GMAP_DAT_MEM_FN, .read = g1_read, .priv = f };
	const struct gmap_dat_request req = {
		.access = (uint8_t)f->access,
		.facilities = f->sg->facilities,
	};
	int rc;

	f->err = 0;
	/* Pairs with the fence of a guest-1 store (gacc_store_raced()): a
	 * store to a protected table page that this walk does not see learns
	 * of the protection's purge and faults, which unshadows. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	gmap_dat_translate_path(&mem, f->sg->orig_asce, f->saddr, &req, res, path);
	if (!f->err)
		return 0;
	rc = gmap_fault(f->sg->parent, f->fault_addr, GMAP_DAT_FETCH);
	return rc ? rc : RETRY;
}

/* Whether the shadow saw no unshadow since the fault began; table lock
 * held. */
static bool unchanged(const struct fault *f)
{
	return AO_load(&f->sg->seq) == f->seq && !gmap_removed(f->sg);
}

static uint64_t span(int tt)
{
	return 1ULL << (GMAP_SEGMENT_SHIFT + 11 * tt);
}

/*
 * struct build - the shadow entry to make at one level.
 * @tt: type of the table holding the entry
 * @origin: guest-1 origin of the table below | SHADOW_ORIGIN_FAKE
 * @entry: the entry, valid (the pending form adds GMAP_CRSTE_I)
 * @start: first guest-1 byte of the table below to protect (not fake)
 * @len: bytes to protect
 * @guest: it is built from a guest-1 entry (not for real space):
 * @gaddr: the guest-1 address of that entry, and
 * @gval: the value the walk read there
 */
struct build {
	int tt;
	uint64_t origin;
	uint64_t entry;
	uint64_t start;
	uint64_t len;
	bool guest;
	uint64_t gaddr;
	uint64_t gval;
};

/*
 * Whether the guest-1 entry at @gaddr still holds @val. The walk read it
 * perhaps before its page was protected (by this fault one level up, or
 * by another fault): a write that came in between notified nothing, so
 * what is built from the entry is checked against it once its page is
 * protected, before anyone may use it. A write after this read notifies.
 */
static bool g1_entry_holds(struct fault *f, uint64_t gaddr, uint64_t val)
{
	uint64_t now;

	/* As in g1_walk(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !shadow_read_g1(f->sg->parent, gaddr, &now) && now == val;
}

/*
 * Describe the shadow entry at level @tt for the guest-1 entry @g (in a
 * table of type @tt) or, when @fake, for the frame or real space that the
 * walk gave: its table is then a fake one at the guest-1 address of the
 * range.
 */
static void describe(struct build *b, const struct fault *f, const struct gmap_dat_result *res,
		     int tt, uint64_t g, bool fake, bool *prot)
{
	uint32_t fac = f->sg->facilities;
	unsigned int tf = 0, tl = GMAP_CRST_TL;
	bool own = false;

	*b = (struct build){ .tt = tt };
	if (fake) {
		b->origin = (res->addr & ~(span(tt) - 1)) | SHADOW_ORIGIN_FAKE;
		*prot = own = res->prot;
	} else if (tt == GMAP_TT_SEGMENT) {
		b->origin = g & GMAP_SEGMENT_PTO;
		b->start = b->origin;
		b->len = GMAP_PT_SIZE;
		*prot |= dat_crste_prot(g, tt, fac);
		own = *prot;
	} else {
		b->origin = g & GMAP_CRSTE_ORIGIN;
		tf = (unsigned int)((g & GMAP_CRSTE_TF_MASK) >> GMAP_CRSTE_TF_SHIFT);
		tl = (unsigned int)(g & GMAP_CRSTE_TL_MASK);
		b->start = b->origin + (uint64_t)tf * GMAP_CRST_PART_SIZE;
		b->len = (uint64_t)(tl - tf + 1) * GMAP_CRST_PART_SIZE;
		/* Region P bits count only under EDAT-1 (dat_crste_prot()). */
		own = dat_crste_prot(g, tt, fac);
		*prot |= own;
	}
	b->entry = gmap_crste_mk_table(0, (enum gmap_dat_tt)tt, tf, tl, own ? GMAP_CRSTE_P : 0).val;
}

/* Undo a pending entry that cannot be completed; table lock held. */
static void unpend(struct gmap *sg, uint64_t *ep, uint64_t pending, int tt)
{
	if (mm_load(ep) != pending)
		return;
	mm_store(ep, SHADOW_CRSTE_EMPTY(tt));
	shadow_free_subtree(sg, pending, tt);
}

/*
 * Create the table below the empty entry @ep (gmap_shadow_r2t() and
 * friends): link it pending, record and protect its guest-1 pages, make
 * it valid. Return: 0; RETRY; -EAGAIN on an unshadow race; -ENOMEM;
 * -EFAULT.
 */
static int create(struct fault *f, uint64_t *ep, uint64_t old, const struct build *b)
{
	struct gmap *sg = f->sg;
	int below = b->tt == GMAP_TT_SEGMENT ? SHADOW_PTE : b->tt - 1;
	void *t = shadow_table_alloc(sg, below);
	uint64_t pending;
	int rc = 0;

	if (!t)
		return -ENOMEM;
	pending = b->entry | gmap_arch_virt_to_real(sg->arch, t) | GMAP_CRSTE_I;
	gmap_table_lock(sg);
	if (!unchanged(f) || mm_load(ep) != old) {
		shadow_table_free(sg, t, below);
		gmap_table_unlock(sg);
		return unchanged(f) ? RETRY : -EAGAIN;
	}
	mm_store(ep, pending);
	shadow_set_origin(sg, t, b->origin);
	gmap_table_unlock(sg);
	if (!(b->origin & SHADOW_ORIGIN_FAKE))
		rc = shadow_protect_range(sg, (f->saddr & ~(span(b->tt) - 1)) | (uint64_t)(b->tt + 1),
					  b->origin, b->start, b->len);
	if (!rc && b->guest && !g1_entry_holds(f, b->gaddr, b->gval))
		rc = RETRY;
	gmap_table_lock(sg);
	/* The entry may have gone with an unshadow, even come back equal
	 * (its tables reused) from another fault that now owns it. */
	if (!rc && (!unchanged(f) || mm_load(ep) != pending))
		rc = -EAGAIN;
	if (rc)
		unpend(sg, ep, pending, b->tt);
	else
		mm_store(ep, pending & ~GMAP_CRSTE_I);
	gmap_table_unlock(sg);
	return rc;
}

/*
 * Make sure the shadow tables down to the page table of f->saddr exist
 * for the walk's @res and @path. Return: 0; RETRY; -EAGAIN; -ENOMEM;
 * -EFAULT.
 */
static int build_tables(struct fault *f, const struct gmap_dat_result *res,
			const struct gmap_dat_path *path)
{
	bool fake = f->sg->orig_asce.val & GMAP_ASCE_R;
	bool prot = false;
	unsigned int i = 0;

	for (int tt = f->sg->top_tt; tt >= GMAP_TT_SEGMENT; tt--) {
		unsigned int gi = i;
		uint64_t g = fake ? 0 : path->e[i++].val;
		/* An EDAT frame at this level: the tables below are fake. */
		bool frame = !fake && (g & GMAP_CRSTE_FC) &&
			     ((tt == GMAP_TT_SEGMENT && res->frame_shift == GMAP_SEGMENT_SHIFT) ||
			      (tt == GMAP_TT_REGION3 && res->frame_shift == GMAP_REGION3_SHIFT));
		uint64_t *ep, e;
		struct build b;
		int rc;

		describe(&b, f, res, tt, g, fake || frame, &prot);
		if (!fake) {
			b.guest = true;
			b.gaddr = path->e[gi].addr;
			b.gval = g;
		}
		ep = shadow_entry_walk(f->sg, f->saddr, tt);
		if (!ep)
			return AO_load(&f->sg->seq) == f->seq ? RETRY : -EAGAIN;
		e = mm_load(ep);
		/* Empty: no origin bits (a pending entry's origin may not be
		 * in the origins map yet for a reader without the lock). */
		if (e == SHADOW_CRSTE_EMPTY(tt)) {
			rc = create(f, ep, e, &b);
			if (rc)
				return rc;
		} else if (e & GMAP_CRSTE_I) {
			/* Another thread is building it. */
			sched_yield();
			return RETRY;
		} else if (shadow_origin(f->sg, e, tt) != (b.origin | SHADOW_ORIGIN_PRESENT)) {
			/* Built from another value of the guest-1 entry than
			 * the walk read: one of them is stale. Unshadow it and
			 * walk again. */
			gmap_table_lock(f->sg);
			if (mm_load(ep) == e)
				shadow_unshadow_entry(f->sg, f->saddr, tt);
			gmap_table_unlock(f->sg);
			return RETRY;
		}
		fake = fake || frame;
	}
	return 0;
}

/*
 * The fast path (gmap_shadow_pgt_lookup()): the shadow page table of
 * f->saddr exists and was built from a guest-1 page table, so only the
 * guest-1 pte is read. Fills @res for a pte that translates and allows
 * the access. Return: true when it did; false: take the full walk (which
 * also gives the exceptions their TEIDs).
 */
static bool fast_path(struct fault *f, struct gmap_dat_result *res)
{
	struct gmap *sg = f->sg;
	uint64_t *step = shadow_entry_walk(sg, f->saddr, GMAP_TT_SEGMENT);
	uint64_t ste, origin, pte;
	bool prot, iep;

	if (!step)
		return false;
	ste = mm_load(step);
	origin = shadow_origin(sg, ste, GMAP_TT_SEGMENT);
	if ((ste & GMAP_CRSTE_I) || !origin || (origin & SHADOW_ORIGIN_FAKE))
		return false;
	/* As in g1_walk(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (shadow_read_g1(sg->parent, (origin & GMAP_SEGMENT_PTO) + GMAP_VA_PX(f->saddr) * 8,
			   &pte) ||
	    dat_pte_check(pte, sg->facilities))
		return false;
	prot = (ste & GMAP_CRSTE_P) || (pte & GMAP_PTE_P);
	iep = (sg->facilities & GMAP_FAC_IEP) && (pte & GMAP_PTE_IEP);
	if ((f->access == GMAP_DAT_STORE && prot) || (f->access == GMAP_DAT_IFETCH && iep))
		return false;
	*res = (struct gmap_dat_result){
		.prot = prot,
		.iep = iep,
		.level = GMAP_LEVEL_PAGE,
		.frame_shift = GMAP_PAGE_SHIFT,
		.addr = (pte & GMAP_PTE_PFRA) | (f->saddr & (GMAP_PAGE_SIZE - 1)),
	};
	return true;
}

/* The slow path: walk, build, walk again. Return: 0 with @res (a
 * translation, or a guest-1 exception when @res->pic is set); RETRY;
 * -EAGAIN; errors. */
static int slow_path(struct fault *f, struct gmap_dat_result *res)
{
	struct gmap_dat_path path, again;
	struct gmap_dat_result res2;
	int rc;

	rc = g1_walk(f, res, &path);
	if (rc || res->pic)
		return rc;
	rc = build_tables(f, res, &path);
	if (rc)
		return rc;
	/* Everything on the path is protected now: a guest-1 write since the
	 * first walk shows as a difference. */
	rc = g1_walk(f, &res2, &again);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < path.n && i < again.n; i++) {
		if (again.e[i].val == path.e[i].val)
			continue;
		/* The tables below were built from the old value. */
		if (path.e[i].level != GMAP_LEVEL_PAGE) {
			gmap_table_lock(f->sg);
			shadow_unshadow_entry(f->sg, f->saddr, path.e[i].level);
			gmap_table_unlock(f->sg);
		}
		return RETRY;
	}
	if (again.n != path.n || res2.pic || res2.addr != res->addr || res2.prot != res->prot ||
	    res2.iep != res->iep)
		return RETRY;
	return 0;
}

/* Lock the parent leaf @l and check it is unchanged; returns the PGSTE
 * for a pte leaf. */
static bool leaf_lock(struct gmap *parent, const struct shadow_leaf *l, uint64_t *pgste)
{
	if (l->ptep) {
		*pgste = pgste_get_lock(l->ptep);
		return mm_load(l->ptep) == l->val;
	}
	gmap_table_lock(parent);
	return mm_load(l->segp) == l->val;
}

/* Mark the leaf as shadowed (when @mark) and unlock it. */
static void leaf_unlock(struct gmap *parent, const struct shadow_leaf *l, uint64_t pgste,
			bool mark)
{
	if (l->ptep) {
		pgste_set_unlock(l->ptep, mark ? pgste | GMAP_PGSTE_VSIE : pgste);
		return;
	}
	if (mark)
		mm_store(l->segp, mm_load(l->segp) | GMAP_SEG_GMAP_VSIE);
	gmap_table_unlock(parent);
}

/*
 * Write the shadow pte @new for f->saddr onto parent page @l (under the
 * leaf's lock and the shadow's table lock). Return: 0; -EAGAIN.
 */
static int set_pte(struct fault *f, const struct shadow_leaf *l, uint64_t new,
		   struct shadow_rmap **item)
{
	struct gmap *sg = f->sg;
	gmap_pte_t *ptep;
	uint64_t old;

	if (!unchanged(f))
		return -EAGAIN;
	ptep = (gmap_pte_t *)shadow_entry_walk(sg, f->saddr, SHADOW_PTE);
	if (!ptep)
		return -EAGAIN;
	old = mm_load(ptep);
	if (!(old & GMAP_PTE_I)) {
		if (old == new && mm_load(shadow_pte_host(ptep)) == l->haddr)
			return 0;
		gmap_arch_ipte(sg->arch, 0, sg->asce, f->saddr, ptep, 1, 0);
	}
	mm_store(shadow_pte_host(ptep), l->haddr);
	mm_store(ptep, new);
	(*item)->raddr = (f->saddr & ~(GMAP_PAGE_SIZE - 1)) | SHADOW_RMAP_PTE;
	shadow_rmap_add(sg, l->haddr, *item);
	*item = NULL;
	return 0;
}

/*
 * Install the shadow pte for the translation @res (gmap_shadow_page()):
 * the parent frame, protected when the guest-1 path is or (for a fetch)
 * the parent's entry is; a store faults the parent writable first.
 * Return: 0 (@res->pic set to addressing when the frame is outside
 * guest-1 storage); RETRY; -EAGAIN; errors.
 */
static int install(struct fault *f, struct gmap_dat_result *res)
{
	struct gmap *parent = f->sg->parent;
	uint64_t page = res->addr & ~(GMAP_PAGE_SIZE - 1);
	struct shadow_rmap *item;
	struct shadow_leaf l;
	uint64_t pgste = 0, new;
	int rc;

	item = gmap_arch_alloc(parent->arch, sizeof(*item), _Alignof(struct shadow_rmap));
	if (!item)
		return -ENOMEM;
	/* The map lock keeps the leaf's page table from being freed. */
	mm_map_read_lock(parent->mm);
	rc = shadow_parent_leaf(parent, page, &l);
	if (!rc && f->access == GMAP_DAT_STORE && l.prot)
		rc = -EAGAIN;
	if (!rc && radix_reserve(&f->sg->host_to_rmap, l.haddr >> GMAP_PAGE_SHIFT))
		rc = -ENOMEM;
	if (!rc) {
		new = l.frame | (res->prot || l.prot ? GMAP_PTE_P : 0) |
		      (res->iep ? GMAP_PTE_IEP : 0);
		rc = RETRY;
		if (leaf_lock(parent, &l, &pgste)) {
			gmap_table_lock(f->sg);
			rc = set_pte(f, &l, new, &item);
			gmap_table_unlock(f->sg);
		}
		leaf_unlock(parent, &l, pgste, !rc);
	}
	mm_map_read_unlock(parent->mm);
	gmap_arch_free(parent->arch, item, sizeof(*item));
	if (rc == -EFAULT) {
		/* The frame lies outside guest-1 storage. */
		*res = (struct gmap_dat_result){ .pic = GMAP_PIC_ADDRESSING,
						 .level = GMAP_LEVEL_PAGE };
		return 0;
	}
	if (rc == -EAGAIN && !unchanged(f))
		return -EAGAIN;
	if (rc == -EAGAIN) {
		/* No valid leaf, or a store to a protected one. */
		rc = gmap_fault(parent, page,
				f->access == GMAP_DAT_STORE ? GMAP_DAT_STORE : GMAP_DAT_FETCH);
		return rc ? rc : RETRY;
	}
	return rc;
}

static int fault_once(struct fault *f, struct gmap_dat_result *res)
{
	int rc;

	f->seq = AO_load_acquire(&f->sg->seq);
	if (gmap_removed(f->sg))
		return -ESTALE;
	if (!fast_path(f, res)) {
		rc = slow_path(f, res);
		if (rc || res->pic)
			return rc;
	}
	return install(f, res);
}

int gmap_shadow_fault(struct gmap *sg, uint64_t saddr, enum gmap_dat_access access,
		      struct gmap_dat_result *res)
{
	struct fault f = { .sg = sg, .saddr = saddr, .access = access };
	unsigned int races = 0;
	int rc;

	if (!sg || !gmap_shadow(sg) || !res || (unsigned int)access > GMAP_DAT_IFETCH)
		return -EINVAL;
	for (unsigned int n = 0; n < ALL_RETRIES; n++) {
		rc = fault_once(&f, res);
		if (rc == -EAGAIN && ++races < SEQ_RETRIES)
			continue;
		if (rc != RETRY)
			return rc;
	}
	return -EAGAIN;
}
