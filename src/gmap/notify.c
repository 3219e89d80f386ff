// SPDX-License-Identifier: MIT
/*
 * Notifiers of a gmap and gmap_mprotect_notify() (seed 002).
 *
 * The notifiers are a chain walked without a lock (nchain.h), as the
 * mm's are (Linux walks its gmap notifier list under RCU).
 *
 * Armed ptes carry IN in their PGSTE; the mm calls gmap_pte_notify() when
 * such a pte changes, which finds the guest address through host_to_guest.
 * An armed large segment carries GMAP_SEG_GMAP_IN in the gmap's own entry,
 * and every exchange of that entry (gmap_segment_xchg()) calls the
 * notifiers.
 */
#include <errno.h>
#include <stddef.h>

#include "gmap_impl.h"

#define NB_NEXT	offsetof(struct gmap_notifier, next)

/**
 * gmap_call_notifier() - call every notifier of a gmap for a guest range.
 * @gmap: the gmap
 * @start: first guest absolute address
 * @end: last guest absolute address (inclusive, as the kernel's)
 *
 * Mirrors gmap_call_notifier().
 * Context: a pte lock or the gmap's table lock is held; no allocation.
 */
void gmap_call_notifier(struct gmap *gmap, uint64_t start, uint64_t end)
{
	struct gmap_notifier *nb;

	for (nb = nchain_walk_begin(&gmap->notifiers); nb; nb = nchain_next(nb, NB_NEXT))
		nb->notifier_call(gmap, start, end, nb->priv);
	nchain_walk_end(&gmap->notifiers);
}

/**
 * gmap_pte_notify() - the mm's invalidate callback: an armed host pte
 * changed; call the notifiers for the guest pages linked to it.
 * @mm: the host mm
 * @start: first host address of the range (4 KB aligned)
 * @end: first host address after it
 * @priv: the gmap
 *
 * Each host segment of the range is looked up in host_to_guest without a
 * lock (table_lock ranks above the PGSTE lock held here): an unlink racing
 * with the call may or may not be seen, as when the kernel's lookup runs
 * just before or after it. A segment the gmap has not linked calls
 * nothing. Mirrors ptep_notify().
 * Context: the pte's PGSTE lock is held; no allocation.
 */
void gmap_pte_notify(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	struct gmap *gmap = priv;
	uint64_t haddr, next, seg;

	(void)mm;
	for (haddr = start; haddr < end; haddr = next) {
		next = (haddr | (GMAP_SEGMENT_SIZE - 1)) + 1;
		if (next > end || !next)
			next = end;
		seg = radix_lookup(&gmap->host_to_guest, haddr >> GMAP_SEGMENT_SHIFT);
		if (!seg)
			continue;
		seg = (seg & ~GTH_VALID) + (haddr & (GMAP_SEGMENT_SIZE - 1));
		gmap_call_notifier(gmap, seg, seg + (next - haddr) - 1);
	}
}

/**
 * gmap_segment_xchg() - exchange a large segment entry of the gmap.
 * @gmap: the gmap
 * @segp: the gmap's segment entry (FC=1, valid or invalidated)
 * @new: the new entry; its GMAP_SEG_GMAP_IN and GMAP_SEG_GMAP_VSIE are
 *	dropped
 * @gaddr: a guest address in the segment
 * @haddr: the host segment it is linked to (1 MB aligned)
 *
 * An armed entry calls the notifiers for the whole segment first, and an
 * entry shadows were built on unshadows what they built from it; then
 * IDTE sets I and purges the TLB entries formed through it for the gmap's
 * ASCE (on every CPU), and the new entry is stored. Mirrors
 * gmap_pmdp_xchg() with gmap_shadow_notify() for the segment.
 * Context: the gmap's table lock is held; takes the shadow lock; no
 * allocation.
 */
void gmap_segment_xchg(struct gmap *gmap, gmap_crste_t *segp, uint64_t new, uint64_t gaddr,
		       uint64_t haddr)
{
	uint64_t start = gaddr & ~(GMAP_SEGMENT_SIZE - 1);
	uint64_t old = mm_load(segp);

	if (old & GMAP_SEG_GMAP_IN)
		gmap_call_notifier(gmap, start, start + GMAP_SEGMENT_SIZE - 1);
	if (old & GMAP_SEG_GMAP_VSIE)
		shadow_notify_host(gmap, haddr, haddr + GMAP_SEGMENT_SIZE, false);
	gmap_arch_idte(gmap->arch, 0, gmap->asce, start, segp, 0);
	mm_store(segp, new & ~(GMAP_SEG_GMAP_IN | GMAP_SEG_GMAP_VSIE));
}

int gmap_notifier_register(struct gmap *gmap, struct gmap_notifier *nb)
{
	if (!gmap || !nb || !nb->notifier_call)
		return -EINVAL;
	return nchain_add(&gmap->notifiers, nb, NB_NEXT);
}

int gmap_notifier_unregister(struct gmap *gmap, struct gmap_notifier *nb)
{
	if (!gmap || !nb)
		return -ENOENT;
	return nchain_del(&gmap->notifiers, nb, NB_NEXT);
}

/* The access a host fault needs for the protection asked for. */
static enum gmap_dat_access prot_access(unsigned int prot)
{
	return (prot & GMAP_MM_PROT_WRITE) ? GMAP_DAT_STORE : GMAP_DAT_FETCH;
}

/*
 * Protect the large segment @segp of @gaddr and arm it (gmap_protect_pmd()).
 * Return: 0; -EAGAIN when the entry denies what @prot keeps (the caller
 * faults the segment in and retries) or is no longer large.
 */
static int protect_segment(struct gmap *gmap, uint64_t gaddr, uint64_t haddr, gmap_crste_t *segp,
			   unsigned int prot)
{
	uint64_t hseg = haddr & ~(GMAP_SEGMENT_SIZE - 1);
	uint64_t e;
	int rc = -EAGAIN;

	gmap_table_lock(gmap);
	e = mm_load(segp);
	if (!(e & GMAP_CRSTE_FC) || ((e & GMAP_CRSTE_I) && prot != GMAP_MM_PROT_NONE) ||
	    ((e & GMAP_CRSTE_P) && (prot & GMAP_MM_PROT_WRITE)))
		goto out;
	if (prot == GMAP_MM_PROT_NONE && !(e & GMAP_CRSTE_I))
		gmap_segment_xchg(gmap, segp, e | GMAP_CRSTE_I, gaddr, hseg);
	else if (prot == GMAP_MM_PROT_READ && !(e & GMAP_CRSTE_P))
		gmap_segment_xchg(gmap, segp, e | GMAP_CRSTE_P, gaddr, hseg);
	mm_store(segp, mm_load(segp) | GMAP_SEG_GMAP_IN);
	rc = 0;
out:
	gmap_table_unlock(gmap);
	return rc;
}

/*
 * Protect and arm the 4 KB page at host address @haddr (gmap_protect_pte()),
 * faulting the host page in while force_prot asks for it.
 * Return: 0; -EFAULT when the host refuses the access; -ENOMEM.
 */
static int protect_pte(struct gmap *gmap, uint64_t haddr, unsigned int prot)
{
	int rc;

	while ((rc = gmap_pgste_force_prot(gmap->mm, haddr, prot, GMAP_PGSTE_IN)) == -EAGAIN) {
		rc = mm_fault_locked(gmap->mm, haddr, prot_access(prot));
		if (rc)
			break;
	}
	return rc;
}

/*
 * Protect and arm what holds @gaddr: one 4 KB page, or the rest of a large
 * segment. Return: 0 with *@next the first guest address after what was
 * done; -EAGAIN when the guest segment must be linked or faulted in first;
 * -EFAULT when @gaddr is not mapped or the host refuses; -ENOMEM.
 */
static int protect_one(struct gmap *gmap, uint64_t gaddr, unsigned int prot, uint64_t *next)
{
	gmap_crste_t *segp = gmap_table_walk(gmap, gaddr, GMAP_TT_SEGMENT);
	uint64_t haddr, e;
	int rc;

	rc = gmap_translate(gmap, gaddr, &haddr);
	if (rc)
		return rc;
	e = segp ? mm_load(segp) : GMAP_CRSTE_I;
	if (e & GMAP_CRSTE_FC) {
		*next = (gaddr | (GMAP_SEGMENT_SIZE - 1)) + 1;
		return protect_segment(gmap, gaddr, haddr, segp, prot);
	}
	/* Only a linked page table reaches the notifiers (host_to_guest). */
	if (e & GMAP_CRSTE_I)
		return -EAGAIN;
	*next = gaddr + GMAP_PAGE_SIZE;
	return protect_pte(gmap, haddr, prot);
}

int gmap_mprotect_notify(struct gmap *gmap, uint64_t gaddr, uint64_t len, unsigned int prot)
{
	uint64_t last = gaddr + len - 1, next;
	int rc;

	if (((gaddr | len) & (GMAP_PAGE_SIZE - 1)) || !len || last < gaddr || last > gmap->limit ||
	    (prot & ~(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)) || gmap_shadow(gmap))
		return -EINVAL;
	/* Without ESOP a writable pte is made dirty up front: READ cannot hold. */
	if (prot == GMAP_MM_PROT_READ && !(gmap_arch_facilities(gmap->arch) & GMAP_FAC_ESOP1))
		return -EINVAL;
	mm_map_read_lock(gmap->mm);
	for (;;) {
		rc = protect_one(gmap, gaddr, prot, &next);
		if (rc == -EAGAIN) {
			/* Link the segment and fault the host in: gmap_fault(). */
			mm_map_read_unlock(gmap->mm);
			rc = gmap_fault(gmap, gaddr, prot_access(prot));
			mm_map_read_lock(gmap->mm);
			if (!rc)
				continue;
		}
		/* @next wraps to 0 after the last segment of a region-first gmap. */
		if (rc || next - 1 >= last)
			break;
		gaddr = next;
	}
	mm_map_read_unlock(gmap->mm);
	return rc;
}
