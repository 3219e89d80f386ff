// SPDX-License-Identifier: MIT
/*
 * Mapping host pages and the host fault handler: map, unmap, mprotect and
 * zap change mappings, ptes and large segment entries under the map lock
 * held for writing (unmap then frees the page tables left without a
 * mapping); a fault holds it for reading and fills or refreshes one pte
 * (young on access, dirty on store), as Linux's handle_pte_fault() does,
 * or one large segment entry (segment.c).
 */
#include <errno.h>

#include "pgste_impl.h"

static bool prot_ok(unsigned int prot)
{
	return !(prot & ~(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE));
}

/* WRITE implies READ. */
static unsigned int prot_norm(unsigned int prot)
{
	return (prot & GMAP_MM_PROT_WRITE) ? prot | GMAP_MM_PROT_READ : prot;
}

/* A large mapping: whole segments, and a machine with EDAT-1. */
static bool large_ok(struct gmap_mm *mm, uint64_t haddr, uint64_t len, uint64_t frame)
{
	return !((haddr | len | frame) & (GMAP_SEGMENT_SIZE - 1)) &&
	       (gmap_arch_facilities(mm->arch) & GMAP_FAC_EDAT1);
}

int gmap_mm_map(struct gmap_mm *mm, uint64_t haddr, uint64_t len, uint64_t frame,
		unsigned int prot)
{
	bool large = prot & GMAP_MM_MAP_LARGE;
	const struct mm_vma *v;
	int rc;

	prot &= ~GMAP_MM_MAP_LARGE;
	if (!mm_page_range_ok(mm, haddr, len) || (frame & (GMAP_PAGE_SIZE - 1)) ||
	    !prot_ok(prot) || (large && !large_ok(mm, haddr, len, frame)))
		return -EINVAL;
	pthread_rwlock_wrlock(&mm->map_lock);
	v = vma_find(mm, haddr);
	if (!v) {
		/* The first mapping after @haddr must start at or after the end. */
		size_t i = 0;

		while (i < mm->nvma && mm->vma[i].end - 1 < haddr)
			i++;
		if (i < mm->nvma && mm->vma[i].start - haddr < len)
			v = &mm->vma[i];
	}
	rc = v ? -EEXIST : vma_reserve(mm, 1);
	if (!rc)
		vma_insert(mm, haddr, haddr + len, frame, prot_norm(prot), large);
	pthread_rwlock_unlock(&mm->map_lock);
	return rc;
}

/* Empty one pte, freeing the frame the mm allocated. */
static int zap_one(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep, void *priv)
{
	uint64_t pgste, old = GMAP_MM_PTE_NONE;

	(void)priv;
	if (mm_load(ptep) == GMAP_MM_PTE_NONE)
		return 0;
	pgste = pte_lock(mm, ptep);
	/* An empty pte needs no key: cannot fail. */
	ptep_xchg_locked(mm, haddr, ptep, &pgste, GMAP_MM_PTE_NONE, true, &old);
	pte_unlock(mm, ptep, pgste);
	mm_free_frame(mm, old);
	return 0;
}

/* Empty the ptes and the large segment entries of a range; map lock
 * held for writing. */
static void zap_range(struct gmap_mm *mm, uint64_t haddr, uint64_t len)
{
	mm_for_each_pte(mm, haddr, len >> GMAP_PAGE_SHIFT, zap_one, NULL);
	mm_large_zap(mm, haddr, haddr + len);
}

int gmap_mm_zap(struct gmap_mm *mm, uint64_t haddr, uint64_t len)
{
	int rc = 0;

	if (!mm_page_range_ok(mm, haddr, len))
		return -EINVAL;
	pthread_rwlock_wrlock(&mm->map_lock);
	if (vma_large_cut(mm, haddr, haddr + len))
		rc = -EINVAL;
	else
		zap_range(mm, haddr, len);
	pthread_rwlock_unlock(&mm->map_lock);
	gmap_mm_flush(mm);
	return rc;
}

int gmap_mm_unmap(struct gmap_mm *mm, uint64_t haddr, uint64_t len)
{
	int rc = -EINVAL;

	if (!mm_page_range_ok(mm, haddr, len))
		return -EINVAL;
	pthread_rwlock_wrlock(&mm->map_lock);
	if (!vma_large_cut(mm, haddr, haddr + len))
		rc = vma_reserve(mm, vma_splits(mm, haddr, haddr + len));
	if (!rc) {
		zap_range(mm, haddr, len);
		vma_remove(mm, haddr, haddr + len);
		mm_free_pgtables(mm, haddr, haddr + len);
	}
	pthread_rwlock_unlock(&mm->map_lock);
	gmap_mm_flush(mm);
	return rc;
}

/* pte_modify() one present pte; a pte whose key cannot be stored stays
 * old (invalid), which is always allowed: the next access faults. */
static int protect_one(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep, void *priv)
{
	unsigned int prot = *(const unsigned int *)priv;
	uint64_t pgste, pte, new, old;

	pgste = pte_lock(mm, ptep);
	pte = mm_load(ptep);
	new = pte_modify(pte, prot);
	if (pte_present(pte) && new != pte &&
	    ptep_xchg_locked(mm, haddr, ptep, &pgste, new, true, &old))
		ptep_xchg_locked(mm, haddr, ptep, &pgste, pte_mkold(new), true, &old);
	pte_unlock(mm, ptep, pgste);
	return 0;
}

int gmap_mm_mprotect(struct gmap_mm *mm, uint64_t haddr, uint64_t len, unsigned int prot)
{
	int rc = -EFAULT;

	if (!mm_page_range_ok(mm, haddr, len) || !prot_ok(prot))
		return -EINVAL;
	prot = prot_norm(prot);
	pthread_rwlock_wrlock(&mm->map_lock);
	if (vma_covered(mm, haddr, haddr + len))
		rc = vma_large_cut(mm, haddr, haddr + len) ?
			     -EINVAL :
			     vma_reserve(mm, vma_splits(mm, haddr, haddr + len));
	if (!rc) {
		vma_protect(mm, haddr, haddr + len, prot);
		mm_for_each_pte(mm, haddr, len >> GMAP_PAGE_SHIFT, protect_one, &prot);
		mm_large_protect(mm, haddr, haddr + len, prot);
	}
	pthread_rwlock_unlock(&mm->map_lock);
	gmap_mm_flush(mm);
	return rc;
}

/* A new pte for an empty one (set_pte_at()): young, dirty for a store;
 * the PGSTE's ZERO state ends, its key goes to the frame. */
static int fault_new(struct gmap_mm *mm, const struct mm_vma *v, uint64_t page,
		     gmap_pte_t *ptep, uint64_t *pgste, void *frame, bool write)
{
	uint64_t pte;
	int rc;

	if (v->frame)
		pte = (v->frame + (page - v->start)) | GMAP_MM_PTE_SPECIAL;
	else
		pte = gmap_arch_virt_to_real(mm->arch, frame);
	pte = pte_mkyoung(pte | pte_prot_bits(v->prot));
	if (write)
		pte = pte_mkdirty(pte);
	if (!mm_has_pgste(mm)) {
		mm_store(ptep, pte);
		return 0;
	}
	rc = pgste_set_key(mm, *pgste, pte);
	if (rc)
		return rc;
	*pgste = pgste_set_pte(mm, ptep, *pgste & ~GMAP_PGSTE_ZERO, pte);
	return 0;
}

/*
 * One attempt at a fault on a mapped page with its pte allocated; @frame
 * is an anonymous frame allocated beforehand, taken when used.
 * Return: 0; -EAGAIN when the pte is empty and no frame was allocated for
 * it (allocate one and try again); -ENOMEM.
 */
static int fault_pte(struct gmap_mm *mm, const struct mm_vma *v, uint64_t page,
		     gmap_pte_t *ptep, bool write, void **frame)
{
	uint64_t pgste, pte, new, old;
	int rc = 0;

	pgste = pte_lock(mm, ptep);
	pte = mm_load(ptep);
	if (!pte_present(pte)) {
		if (!v->frame && !*frame)
			rc = -EAGAIN;
		else if (!(rc = fault_new(mm, v, page, ptep, &pgste, *frame, write)))
			*frame = NULL;
	} else {
		new = pte_mkyoung(pte);
		if (write)
			new = pte_mkdirty(new);
		if (new != pte)
			rc = ptep_xchg_locked(mm, page, ptep, &pgste, new, false, &old);
	}
	pte_unlock(mm, ptep, pgste);
	return rc;
}

/* The frame of an anonymous page, allocated before any table is linked
 * and any lock taken, so that a failure changes nothing. */
static int frame_alloc(struct gmap_mm *mm, void **frame, bool *pooled)
{
	*frame = mm_frame_alloc(mm, false, pooled);
	return *frame ? 0 : -ENOMEM;
}

/**
 * mm_fault_locked() - gmap_mm_fault() with the map lock held.
 * @mm: the mm
 * @haddr: the faulting host address
 * @access: GMAP_DAT_FETCH, _IFETCH or _STORE
 *
 * Context: the map lock is held for reading; takes the pte's lock;
 * allocates.
 * Return: as gmap_mm_fault().
 */
int mm_fault_locked(struct gmap_mm *mm, uint64_t haddr, enum gmap_dat_access access)
{
	uint64_t page = haddr & ~(GMAP_PAGE_SIZE - 1);
	bool write = access == GMAP_DAT_STORE, pooled = false;
	const struct mm_vma *v;
	gmap_pte_t *ptep = NULL;
	void *frame = NULL;
	int rc = 0;

	if ((unsigned int)access > GMAP_DAT_IFETCH)
		return -EINVAL;
	v = vma_find(mm, haddr);
	if (!v || !(v->prot & GMAP_MM_PROT_READ) || (write && !(v->prot & GMAP_MM_PROT_WRITE)))
		return -EFAULT;
	if (v->large)
		return mm_large_fault(mm, v, haddr, write);
	ptep = mm_walk(mm, page);
	if (!v->frame && (!ptep || mm_load(ptep) == GMAP_MM_PTE_NONE))
		rc = frame_alloc(mm, &frame, &pooled);
	if (!rc && !ptep)
		rc = mm_pte_alloc(mm, page, &ptep);
	while (!rc && (rc = fault_pte(mm, v, page, ptep, write, &frame)) == -EAGAIN)
		rc = frame_alloc(mm, &frame, &pooled);
	mm_frame_unused(mm, frame, false, pooled);
	return rc;
}

int gmap_mm_fault(struct gmap_mm *mm, uint64_t haddr, enum gmap_dat_access access)
{
	int rc;

	mm_map_read_lock(mm);
	rc = mm_fault_locked(mm, haddr, access);
	mm_map_read_unlock(mm);
	return rc;
}
