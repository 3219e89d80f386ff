// SPDX-License-Identifier: MIT
/*
 * Linking host segments into a gmap and unlinking them: gmap_fault()
 * faults the host page in and points the guest segment entry at the
 * host's page table (or copies a large host segment entry), recording the
 * link in host_to_guest; the mm's segment callback, gmap_map_segment()
 * and gmap_unmap_segment() unlink through it. gmap_discard() zaps the
 * host pages behind a guest range. Mirrors gmap_fault(), __gmap_link(),
 * gmap_unlink(), __gmap_unlink_by_vmaddr() and gmap_discard().
 *
 * Unlike the kernel, which refuses (-EEXIST) to link a host segment a
 * second time, a host segment mapped at several guest segments is linked
 * at one of them at a time: a fault on another moves the link there.
 */
#include <errno.h>

#include "gmap_impl.h"

/* The bits a guest segment entry takes from a host segment entry that
 * designates a page table ... */
#define SEG_TABLE_BITS	(GMAP_SEGMENT_PTO | GMAP_CRSTE_P | GMAP_CRSTE_I | GMAP_CRSTE_CS)
/* ... and from a large one: the hardware bits, without the mm's software
 * bits (GMAP_MM_SEG_SOFT) or ACC, F and AV. */
#define SEG_LARGE_BITS	(GMAP_SEGMENT_SFAA | GMAP_CRSTE_FC | GMAP_CRSTE_P | GMAP_CRSTE_IEP | \
			 GMAP_CRSTE_I | GMAP_CRSTE_CS)

/*
 * Replace a guest segment entry that may be in TLBs: IDTE first, then the
 * new value; a large one through gmap_segment_xchg(), which notifies for
 * an armed segment. table_lock held.
 */
static void seg_xchg(struct gmap *gmap, uint64_t gaddr, uint64_t haddr, gmap_crste_t *ep,
		     uint64_t new_val)
{
	if (mm_load(ep) & GMAP_CRSTE_FC) {
		gmap_segment_xchg(gmap, ep, new_val, gaddr, haddr & ~(GMAP_SEGMENT_SIZE - 1));
		return;
	}
	gmap_arch_idte(gmap->arch, 0, gmap->asce, gaddr, ep, 0);
	mm_store(ep, new_val);
}

/**
 * gmap_unlink_host_segment() - unlink the guest segment linked to a host
 * segment.
 * @gmap: the gmap
 * @haddr: a host address in the segment
 *
 * The host_to_guest entry is removed and the guest segment entry emptied
 * with IDTE for the gmap's ASCE; an armed large segment
 * (GMAP_SEG_GMAP_IN) calls the notifiers over its 1 MB guest range.
 * Mirrors __gmap_unlink_by_vmaddr().
 * Context: table_lock held.
 * Return: the guest segment address | GTH_VALID, or 0 when nothing was
 * linked.
 */
uint64_t gmap_unlink_host_segment(struct gmap *gmap, uint64_t haddr)
{
	uint64_t g = radix_delete(&gmap->host_to_guest, haddr >> GMAP_SEGMENT_SHIFT);

	if (g)
		seg_xchg(gmap, g & ~GTH_VALID, haddr,
			 gmap_table_walk(gmap, g & ~GTH_VALID, GMAP_TT_SEGMENT), GMAP_SEG_EMPTY);
	return g;
}

/**
 * gmap_segment_notify() - the mm's segment callback: a host segment a
 * gmap may have linked is about to change or go.
 * @mm: the mm
 * @start: first host address of the range (1 MB aligned)
 * @end: first host address after it
 * @priv: the gmap
 *
 * Unlinks every segment of the range. Mirrors gmap_unlink() and
 * gmap_pmdp_invalidate().
 * Context: the mm's page-table lock held; takes table_lock.
 */
void gmap_segment_notify(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	struct gmap *gmap = priv;

	(void)mm;
	gmap_table_lock(gmap);
	for (uint64_t h = start; h - start < end - start; h += GMAP_SEGMENT_SIZE)
		gmap_unlink_host_segment(gmap, h);
	gmap_table_unlock(gmap);
}

/* Whether a host segment entry lets the guest link it for the access:
 * a page table always (its ptes decide), a large entry when valid and,
 * for a store, unprotected. */
static bool host_allows(uint64_t hste, bool store)
{
	if (hste & GMAP_CRSTE_I)
		return false;
	return !(hste & GMAP_CRSTE_FC) || !store || !(hste & GMAP_CRSTE_P);
}

/*
 * Link host segment entry @hste of @haddr at the guest segment entry @ep
 * of @gseg, as __gmap_link() does; ptl and table_lock held, host_to_guest
 * reserved for @haddr.
 */
static void link_segment(struct gmap *gmap, uint64_t gseg, uint64_t haddr, gmap_crste_t *ep,
			 uint64_t hste, bool store)
{
	uint64_t linked = radix_lookup(&gmap->host_to_guest, haddr >> GMAP_SEGMENT_SHIFT);
	uint64_t old, new_val;

	/* One link per host segment: move it here. */
	if (linked && linked != (gseg | GTH_VALID))
		gmap_unlink_host_segment(gmap, haddr);
	if (hste & GMAP_CRSTE_FC) {
		new_val = hste & SEG_LARGE_BITS;
		/* The guest may write without a fault: count it dirty. */
		if (!(new_val & GMAP_CRSTE_P))
			new_val |= GMAP_SEG_GMAP_UC;
	} else {
		new_val = hste & SEG_TABLE_BITS;
	}
	old = mm_load(ep);
	if (old == GMAP_SEG_EMPTY)
		mm_store(ep, new_val);
	else if (old & GMAP_CRSTE_I)
		/* Invalidated by gmap_mprotect_notify(): take the host's again. */
		seg_xchg(gmap, gseg, haddr, ep, new_val);
	else if ((old & GMAP_CRSTE_FC) && (old & GMAP_CRSTE_P) && !(new_val & GMAP_CRSTE_P) &&
		 store)
		seg_xchg(gmap, gseg, haddr, ep, (old & ~GMAP_CRSTE_P) | GMAP_SEG_GMAP_UC);
	radix_insert(&gmap->host_to_guest, haddr >> GMAP_SEGMENT_SHIFT, gseg | GTH_VALID);
}

/*
 * Fault the host page in and link its segment, under the map lock held
 * for reading. Return: 0; -EAGAIN when guest_to_host changed meanwhile;
 * gmap_mm_fault()'s errors.
 */
static int fault_link(struct gmap *gmap, uint64_t gaddr, uint64_t haddr,
		      enum gmap_dat_access access, struct gmap_tables *c)
{
	uint64_t gseg = gaddr & ~(GMAP_SEGMENT_SIZE - 1);
	uint64_t hseg = haddr & ~(GMAP_SEGMENT_SIZE - 1);
	bool store = access == GMAP_DAT_STORE;
	struct gmap_mm *mm = gmap->mm;
	bool linked = false;
	int rc;

	do {
		rc = mm_fault_locked(mm, haddr, access);
		if (rc)
			return rc;
		spin_lock(&mm->ptl);
		gmap_table_lock(gmap);
		if (radix_lookup(&gmap->guest_to_host, gaddr >> GMAP_SEGMENT_SHIFT) !=
		    (hseg | GTH_VALID)) {
			rc = -EAGAIN;
		} else {
			gmap_crste_t *hstep = mm_segment_walk(mm, haddr);
			uint64_t hste = hstep ? mm_load(hstep) : GMAP_SEG_EMPTY;

			/* The host entry may have changed since the fault:
			 * fault again until it allows the access. */
			if (host_allows(hste, store)) {
				link_segment(gmap, gseg, haddr, gmap_install_tables(gmap, gaddr, c),
					     hste, store);
				linked = true;
			}
		}
		gmap_table_unlock(gmap);
		spin_unlock(&mm->ptl);
	} while (!rc && !linked);
	return rc;
}

int gmap_fault(struct gmap *gmap, uint64_t gaddr, enum gmap_dat_access access)
{
	struct gmap_tables c;
	uint64_t haddr;
	int rc;

	if ((unsigned int)access > GMAP_DAT_IFETCH || gmap_shadow(gmap))
		return -EINVAL;
	do {
		if (gmap_translate(gmap, gaddr, &haddr))
			return -EFAULT;
		/* Allocate before any lock, so that a failure changes nothing. */
		rc = gmap_alloc_table(gmap, gaddr, &c);
		if (rc)
			return rc;
		rc = radix_reserve(&gmap->host_to_guest, haddr >> GMAP_SEGMENT_SHIFT);
		if (!rc) {
			mm_map_read_lock(gmap->mm);
			rc = fault_link(gmap, gaddr, haddr, access, &c);
			mm_map_read_unlock(gmap->mm);
		}
		gmap_free_tables(gmap, &c);
	} while (rc == -EAGAIN);
	return rc;
}

int gmap_discard(struct gmap *gmap, uint64_t from, uint64_t to)
{
	uint64_t next, haddr;

	if (((from | to) & (GMAP_PAGE_SIZE - 1)) || to <= from || to - 1 > gmap->limit ||
	    gmap_shadow(gmap))
		return -EINVAL;
	for (uint64_t g = from; g < to; g = next) {
		next = (g | (GMAP_SEGMENT_SIZE - 1)) + 1;
		if (!next || next > to)
			next = to;
		/* Unmapped parts are skipped; mapped ones lie in the mm's
		 * reach (gmap_map_segment() checked). The zap refuses (and
		 * so leaves alone) part of a large segment: a 1 MB frame
		 * goes only whole, as Linux keeps hugetlbfs pages here. */
		if (!gmap_translate(gmap, g, &haddr))
			(void)gmap_mm_zap(gmap->mm, haddr, next - g);
	}
	return 0;
}
