// SPDX-License-Identifier: MIT
/*
 * Host segment entries: large (FC=1) segments of hugetlb-style mappings,
 * with Linux's huge pmd young/dirty emulation (an old entry is invalid, a
 * clean one protected), and the freeing of page tables a gmap_mm_unmap()
 * left without a mapping (Linux's free_pgtables()). Every change of such
 * an entry goes through mm_ste_xchg() under the page-table lock: segment
 * callbacks first (pmdp_notify(), gmap_unlink()), then IDTE, then the new
 * value (pmdp_xchg_direct()).
 */
#include <errno.h>

#include "pgste_impl.h"

#define SEG_MASK	(GMAP_SEGMENT_SIZE - 1)

/**
 * mm_ste_xchg() - replace a host segment entry. Mirrors pmdp_xchg_direct().
 * @mm: the mm
 * @haddr: a host address in the segment
 * @ste: the entry: large, or a page table about to be freed
 * @new: its new value
 *
 * The segment callbacks run first, with the old entry in place; a valid
 * old entry is invalidated with IDTE for the mm's ASCE (local-clearing
 * when one CPU runs the mm), which purges every translation formed
 * through it.
 *
 * Context: ptl held (and the map lock).
 */
void mm_ste_xchg(struct gmap_mm *mm, uint64_t haddr, gmap_crste_t *ste, uint64_t new)
{
	unsigned int cpu;
	bool local;

	mm_segment_notify(mm, haddr & ~SEG_MASK);
	if (!(mm_load(ste) & GMAP_CRSTE_I)) {
		cpu = mm_flush_cpu(mm, &local);
		gmap_arch_idte(mm->arch, cpu, gmap_mm_asce(mm), haddr & ~SEG_MASK, ste,
			       local ? GMAP_INV_LOCAL : 0);
	}
	mm_store(ste, new);
}

typedef void (*seg_fn)(struct gmap_mm *mm, uint64_t seg, gmap_crste_t *ste, void *priv);

/* Call @fn for each segment of [@start, @end) (@end 0: the top of the
 * space) whose segment table exists. */
static void for_each_segment(struct gmap_mm *mm, uint64_t start, uint64_t end, seg_fn fn,
			     void *priv)
{
	uint64_t n = ((end - 1) >> GMAP_SEGMENT_SHIFT) - (start >> GMAP_SEGMENT_SHIFT) + 1;
	uint64_t seg = start & ~SEG_MASK;

	for (; n; n--, seg += GMAP_SEGMENT_SIZE) {
		gmap_crste_t *ste = mm_segment_walk(mm, seg);

		if (ste)
			fn(mm, seg, ste, priv);
	}
}

/* A page table whose segment no mapping touches: callbacks, IDTE, pool. */
static void free_pgtable(struct gmap_mm *mm, uint64_t seg, gmap_crste_t *ste, void *priv)
{
	uint64_t e = mm_load(ste);

	(void)priv;
	if ((e & GMAP_CRSTE_I) || seg_large(e) || vma_any(mm, seg, seg + GMAP_SEGMENT_SIZE))
		return;
	spin_lock(&mm->ptl);
	mm_ste_xchg(mm, seg, ste, MM_SEG_EMPTY);
	spin_unlock(&mm->ptl);
	mm_pgtable_free(mm, gmap_arch_real_to_virt(mm->arch, e & GMAP_SEGMENT_PTO),
			mm_has_pgste(mm));
}

/**
 * mm_free_pgtables() - free the page tables of the segments of a range
 * that no mapping touches any more. Mirrors free_pgtables() with
 * page_table_free_rcu() -> gmap_unlink().
 * @mm: the mm
 * @start: first host address of the range unmapped
 * @end: first address after it (0: the top of the space)
 *
 * Context: the map lock held for writing; takes ptl.
 */
void mm_free_pgtables(struct gmap_mm *mm, uint64_t start, uint64_t end)
{
	for_each_segment(mm, start, end, free_pgtable, NULL);
}

/* Empty a large segment entry, its anonymous frame into the pool. */
static void zap_large(struct gmap_mm *mm, uint64_t seg, gmap_crste_t *ste, void *priv)
{
	uint64_t e = mm_load(ste);

	(void)priv;
	if (!seg_large(e))
		return;
	spin_lock(&mm->ptl);
	mm_ste_xchg(mm, seg, ste, MM_SEG_EMPTY);
	spin_unlock(&mm->ptl);
	mm_free_large(mm, e);
}

/**
 * mm_large_zap() - empty the large segment entries of a range (whole
 * segments, see vma_large_cut()). Mirrors zap_huge_pmd().
 * @mm: the mm
 * @start: first host address
 * @end: first address after the range (0: the top of the space)
 *
 * Context: the map lock held for writing; takes ptl.
 */
void mm_large_zap(struct gmap_mm *mm, uint64_t start, uint64_t end)
{
	for_each_segment(mm, start, end, zap_large, NULL);
}

/* pmd_modify() one large segment entry. */
static void protect_large(struct gmap_mm *mm, uint64_t seg, gmap_crste_t *ste, void *priv)
{
	unsigned int prot = *(const unsigned int *)priv;
	uint64_t e, new;

	if (!seg_large(mm_load(ste)))
		return;
	spin_lock(&mm->ptl);
	e = mm_load(ste);
	new = e_modify(MM_SEG_BITS, e, prot);
	if (new != e)
		mm_ste_xchg(mm, seg, ste, new);
	spin_unlock(&mm->ptl);
}

/**
 * mm_large_protect() - change the protection of the large segment entries
 * of a range (whole segments). Mirrors change_huge_pmd().
 * @mm: the mm
 * @start: first host address
 * @end: first address after the range (0: the top of the space)
 * @prot: GMAP_MM_PROT_* (normalised)
 *
 * Context: the map lock held for writing; takes ptl.
 */
void mm_large_protect(struct gmap_mm *mm, uint64_t start, uint64_t end, unsigned int prot)
{
	for_each_segment(mm, start, end, protect_large, &prot);
}

/**
 * mm_large_test_and_clear_young() - make a large segment entry old, tell
 * whether it was young. Mirrors pmdp_test_and_clear_young() (an exchange
 * to pmd_mkold(), so the segment callbacks run, as pmdp_notify() does).
 * @mm: the mm
 * @haddr: a host address in the segment
 *
 * Context: takes the map lock for reading and ptl.
 * Return: 1 if the entry was young, 0 if not; -EFAULT when no large
 * segment entry maps @haddr.
 */
int mm_large_test_and_clear_young(struct gmap_mm *mm, uint64_t haddr)
{
	gmap_crste_t *ste;
	int rc = -EFAULT;
	uint64_t e;

	mm_map_read_lock(mm);
	ste = mm_segment_walk(mm, haddr);
	if (ste) {
		spin_lock(&mm->ptl);
		e = mm_load(ste);
		if (seg_large(e)) {
			mm_ste_xchg(mm, haddr, ste, e_mkold(MM_SEG_BITS, e));
			rc = !!(e & GMAP_MM_SEG_YOUNG);
		}
		spin_unlock(&mm->ptl);
	}
	mm_map_read_unlock(mm);
	return rc;
}

/* The new entry of an empty segment: the caller's frame or @frame. */
static uint64_t large_new(struct gmap_mm *mm, const struct mm_vma *v, uint64_t seg, void *frame,
			  bool write)
{
	uint64_t e;

	if (v->frame)
		e = (v->frame + (seg - v->start)) | GMAP_MM_SEG_SPECIAL;
	else
		e = gmap_arch_virt_to_real(mm->arch, frame);
	e = e_mkyoung(MM_SEG_BITS, e | e_prot_bits(MM_SEG_BITS, v->prot));
	return write ? e_mkdirty(MM_SEG_BITS, e) : e;
}

/**
 * mm_large_fault() - the fault handler for a large mapping. Mirrors
 * hugetlb_fault() / huge_pmd_set_accessed().
 * @mm: the mm
 * @v: the mapping of @haddr (large; the access allowed)
 * @haddr: the faulting host address
 * @write: a store
 *
 * An empty segment entry gets the frame (anonymous: a zeroed 1 MB frame
 * allocated before any table is linked), young, and dirty for a store; a
 * present one is made young (I cleared) and, for a store, dirty (P
 * cleared) with mm_ste_xchg(), unless it already allows the access.
 *
 * Context: the map lock held for reading; takes ptl; allocates.
 * Return: 0; -ENOMEM (nothing changed).
 */
int mm_large_fault(struct gmap_mm *mm, const struct mm_vma *v, uint64_t haddr, bool write)
{
	uint64_t seg = haddr & ~SEG_MASK, e, new;
	gmap_crste_t *ste = mm_segment_walk(mm, seg);
	bool pooled = false;
	void *frame = NULL;
	int rc = 0;

	/* Only writers empty a large entry: one seen here stays. */
	if (!v->frame && (!ste || !seg_large(mm_load(ste)))) {
		frame = mm_frame_alloc(mm, true, &pooled);
		if (!frame)
			return -ENOMEM;
	}
	if (!ste)
		rc = mm_ste_alloc(mm, seg, &ste);
	if (!rc) {
		spin_lock(&mm->ptl);
		e = mm_load(ste);
		if (!seg_large(e)) {
			mm_store(ste, large_new(mm, v, seg, frame, write));
			frame = NULL;
		} else {
			new = e_mkyoung(MM_SEG_BITS, e);
			if (write)
				new = e_mkdirty(MM_SEG_BITS, new);
			if (new != e)
				mm_ste_xchg(mm, seg, ste, new);
		}
		spin_unlock(&mm->ptl);
	}
	mm_frame_unused(mm, frame, true, pooled);
	return rc;
}

/**
 * mm_large_lock() - the 4 KB frame of a host address in a large segment,
 * with the page-table lock held, for the storage key operations of
 * set_guest_storage_key() and friends (their huge pmd branch).
 * @mm: the mm
 * @haddr: host address
 * @frame: out: the absolute address of the 4 KB frame
 *
 * Context: takes ptl when returning true; the caller releases it.
 * Return: true when a large segment entry maps @haddr.
 */
bool mm_large_lock(struct gmap_mm *mm, uint64_t haddr, uint64_t *frame)
{
	gmap_crste_t *ste = mm_segment_walk(mm, haddr);
	uint64_t e;

	if (!ste || !seg_large(mm_load(ste)))
		return false;
	spin_lock(&mm->ptl);
	e = mm_load(ste);
	if (!seg_large(e)) {
		spin_unlock(&mm->ptl);
		return false;
	}
	*frame = (e & GMAP_SEGMENT_SFAA) | (haddr & SEG_MASK & ~(GMAP_PAGE_SIZE - 1));
	return true;
}

int gmap_mm_read_segment(struct gmap_mm *mm, uint64_t haddr, gmap_crste_t *ste)
{
	gmap_crste_t *p;

	if (!ste)
		return -EINVAL;
	p = mm_segment_walk(mm, haddr);
	if (!p)
		return -EFAULT;
	ste->val = mm_load(p);
	return 0;
}
