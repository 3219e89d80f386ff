// SPDX-License-Identifier: MIT
/*
 * The parent's side of a shadow: the leaf that maps a guest-1 page (a host
 * pte of a linked page table, or the parent's own large segment entry),
 * reads of guest-1 storage through it, and the write protection of the
 * guest-1 pages a shadow table is built from. Mirrors gmap_pte_op_walk(),
 * gmap_read_table() and gmap_protect_rmap() of arch/s390/mm/gmap.c.
 */
#include <errno.h>

#include "../dat/dat_impl.h"
#include "shadow_impl.h"

/**
 * shadow_parent_leaf() - how the parent maps a guest-1 page.
 * @parent: the parent gmap
 * @gaddr: guest-1 absolute address
 * @l: out: the leaf (see struct shadow_leaf)
 *
 * Context: any thread; lock-free (the parent's tables are freed only by
 * gmap_remove(), host page tables go to the mm's pool). The caller locks
 * the leaf and re-checks @l->val before relying on it.
 * Return: 0; -EFAULT when @gaddr is outside guest-1 storage (not mapped
 * in the parent); -EAGAIN when the parent has no valid leaf for it yet
 * (gmap_fault() it).
 */
int shadow_parent_leaf(struct gmap *parent, uint64_t gaddr, struct shadow_leaf *l)
{
	gmap_crste_t *segp;
	uint64_t e;

	if (gmap_translate(parent, gaddr, &l->haddr))
		return -EFAULT;
	l->haddr &= ~(GMAP_PAGE_SIZE - 1);
	segp = gmap_table_walk(parent, gaddr, GMAP_TT_SEGMENT);
	e = segp ? mm_load(segp) : GMAP_CRSTE_I;
	if (e & GMAP_CRSTE_I)
		return -EAGAIN;
	if (e & GMAP_CRSTE_FC) {
		l->ptep = NULL;
		l->segp = segp;
		l->frame = (e & GMAP_SEGMENT_SFAA) | (gaddr & (GMAP_SEGMENT_SIZE - GMAP_PAGE_SIZE));
	} else {
		l->segp = NULL;
		l->ptep = (gmap_pte_t *)gmap_arch_real_to_virt(parent->arch, e & GMAP_SEGMENT_PTO) +
			  GMAP_VA_PX(gaddr);
		e = mm_load(l->ptep);
		if (e & GMAP_PTE_I)
			return -EAGAIN;
		l->frame = e & GMAP_PTE_PFRA;
	}
	l->val = e;
	l->prot = e & (l->ptep ? GMAP_PTE_P : GMAP_CRSTE_P);
	return 0;
}

/**
 * shadow_read_g1() - read an 8-byte big-endian word of guest-1 storage.
 * @parent: the parent gmap
 * @gaddr: guest-1 absolute address, 8-byte aligned
 * @val: out: the word in host order
 *
 * Context: any thread; lock-free; one atomic load, as the machine reads a
 * table entry.
 * Return: 0; -EFAULT outside guest-1 storage; -EAGAIN when the parent
 * must be faulted in first.
 */
int shadow_read_g1(struct gmap *parent, uint64_t gaddr, uint64_t *val)
{
	struct shadow_leaf l;
	const uint64_t *p;
	int rc = shadow_parent_leaf(parent, gaddr, &l);

	if (rc)
		return rc;
	p = (const uint64_t *)((const char *)gmap_arch_real_to_virt(parent->arch, l.frame) +
			       (gaddr & (GMAP_PAGE_SIZE - 8)));
	*val = dat_be64(__atomic_load_n(p, __ATOMIC_RELAXED));
	return 0;
}

/* Protect the parent's large segment entry of a leaf and mark it
 * (gmap_protect_pmd() with the shadow bit). Return: 0, or -EAGAIN when
 * the entry changed since the leaf was read. */
static int protect_large(struct gmap *parent, uint64_t gaddr, const struct shadow_leaf *l)
{
	uint64_t e;
	int rc = -EAGAIN;

	gmap_table_lock(parent);
	e = mm_load(l->segp);
	if (e == l->val) {
		if (!(e & GMAP_CRSTE_P)) {
			uint64_t hseg = l->haddr & ~(GMAP_SEGMENT_SIZE - 1);

			/* Shadow ptes may map the writable segment: they go.
			 * No table is built from it but the ones being built,
			 * whose records stay. */
			if (e & GMAP_SEG_GMAP_VSIE) {
				shadow_notify_host(parent, hseg, hseg + GMAP_SEGMENT_SIZE, true);
				e &= ~GMAP_SEG_GMAP_VSIE;
				mm_store(l->segp, e);
			}
			gmap_segment_xchg(parent, l->segp, e | GMAP_CRSTE_P, gaddr, hseg);
		}
		mm_store(l->segp, mm_load(l->segp) | GMAP_SEG_GMAP_VSIE);
		rc = 0;
	}
	gmap_table_unlock(parent);
	return rc;
}

/* Protect the host pte of a leaf with the VSIE bit (ptep_force_prot()).
 * Return: 0; -EAGAIN to fault the page in and retry. */
static int protect_pte(struct gmap *parent, const struct shadow_leaf *l)
{
	int rc;

	mm_map_read_lock(parent->mm);
	rc = gmap_pgste_force_prot(parent->mm, l->haddr, GMAP_MM_PROT_READ, GMAP_PGSTE_VSIE);
	mm_map_read_unlock(parent->mm);
	if (rc == -EFAULT)
		return -EAGAIN;
	/* A shadow pte may map the page writable: the protection must reach
	 * it, which ptep_force_prot() alone does not do. */
	if (!rc && !l->prot)
		shadow_notify_host(parent, l->haddr, l->haddr + GMAP_PAGE_SIZE, true);
	return rc;
}

/**
 * shadow_protect() - write-protect a guest-1 page in the parent and mark
 * it for the shadows.
 * @sg: the shadow (for its parent)
 * @gaddr: guest-1 absolute address of the page
 *
 * Faults the page in when the parent has no valid leaf. A page that was
 * writable notifies the shadows (their ptes onto it go), including what
 * the caller recorded for it already: the caller re-checks the shadow's
 * seq afterwards. Mirrors gmap_protect_rmap().
 * Context: no shadow or parent lock held; takes the parent's locks.
 * Return: 0; -EFAULT when @gaddr is not in guest-1 storage or the host
 * refuses; -ENOMEM.
 */
int shadow_protect(struct gmap *sg, uint64_t gaddr)
{
	struct gmap *parent = sg->parent;
	struct shadow_leaf l;
	int rc;

	for (;;) {
		rc = shadow_parent_leaf(parent, gaddr, &l);
		if (!rc)
			rc = l.ptep ? protect_pte(parent, &l) : protect_large(parent, gaddr, &l);
		if (rc != -EAGAIN)
			return rc;
		rc = gmap_fault(parent, gaddr, GMAP_DAT_FETCH);
		if (rc)
			return rc;
	}
}

/**
 * shadow_protect_range() - record and protect the guest-1 pages a shadow
 * table is built from.
 * @sg: the shadow
 * @raddr: the guest-2 address of the table's range | SHADOW_RMAP_* level
 * @origin: the guest-1 origin of the table
 * @start: first guest-1 byte of the table that takes part (TF)
 * @len: bytes of it (up to TL)
 *
 * Each page is recorded in the reverse map before it is protected, so a
 * write from then on unshadows the table. Pages outside guest-1 storage
 * cannot be written; they mark the shadow partial (see
 * shadow_parent_mapped()).
 * Context: no shadow or parent lock held; allocates.
 * Return: 0; -EFAULT when the host refuses a page; -ENOMEM.
 */
int shadow_protect_range(struct gmap *sg, uint64_t raddr, uint64_t origin, uint64_t start,
			 uint64_t len)
{
	for (uint64_t page = start & ~(GMAP_PAGE_SIZE - 1); page < start + len;
	     page += GMAP_PAGE_SIZE) {
		struct shadow_rmap *item;
		uint64_t haddr;
		int rc;

		if (gmap_translate(sg->parent, page, &haddr)) {
			__atomic_store_n(&sg->partial, true, __ATOMIC_RELAXED);
			continue;
		}
		item = gmap_arch_alloc(sg->arch, sizeof(*item), _Alignof(struct shadow_rmap));
		if (!item)
			return -ENOMEM;
		if (radix_reserve(&sg->host_to_rmap, haddr >> GMAP_PAGE_SHIFT)) {
			gmap_arch_free(sg->arch, item, sizeof(*item));
			return -ENOMEM;
		}
		item->raddr = raddr;
		item->origin = origin;
		gmap_table_lock(sg);
		shadow_rmap_add(sg, haddr & ~(GMAP_PAGE_SIZE - 1), item);
		gmap_table_unlock(sg);
		rc = shadow_protect(sg, page);
		if (rc)
			return rc;
	}
	return 0;
}
