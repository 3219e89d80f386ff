// SPDX-License-Identifier: MIT
/*
 * The mm's notifier chain (nchain.h): callbacks for ptes whose PGSTE has
 * IN or VSIE, and for host segment entries that change or go.
 */
#include <errno.h>
#include <stddef.h>

#include "pgste_impl.h"

#define NB_NEXT	offsetof(struct gmap_mm_notifier, next)

/* Which callbacks a walk calls: the PGSTE bits, or a segment. */
#define NOTIFY_SEGMENT	1ULL

/* Walk the list, calling the callbacks @bits selects for [@start,
 * @start + @size). */
static void notify(struct gmap_mm *mm, uint64_t start, uint64_t size, uint64_t bits)
{
	struct gmap_mm_notifier *nb;

	for (nb = nchain_walk_begin(&mm->notifiers); nb; nb = nchain_next(nb, NB_NEXT)) {
		if ((bits & GMAP_PGSTE_IN) && nb->invalidate)
			nb->invalidate(mm, start, start + size, nb->priv);
		if ((bits & GMAP_PGSTE_VSIE) && nb->shadow)
			nb->shadow(mm, start, start + size, nb->priv);
		if ((bits & NOTIFY_SEGMENT) && nb->segment)
			nb->segment(mm, start, start + size, nb->priv);
	}
	nchain_walk_end(&mm->notifiers);
}

/**
 * pgste_pte_notify() - run the callbacks for the IN and VSIE bits of a
 * locked PGSTE and clear them. Mirrors pgste_pte_notify() / ptep_notify().
 * @mm: the mm
 * @haddr: host address of the pte
 * @pgste: the locked PGSTE
 *
 * Context: the PGSTE lock is held; callbacks run under it.
 * Return: the PGSTE without IN and VSIE.
 */
uint64_t pgste_pte_notify(struct gmap_mm *mm, uint64_t haddr, uint64_t pgste)
{
	uint64_t bits = pgste & (GMAP_PGSTE_IN | GMAP_PGSTE_VSIE);

	if (!bits)
		return pgste;
	notify(mm, haddr & ~(GMAP_PAGE_SIZE - 1), GMAP_PAGE_SIZE, bits);
	return pgste & ~bits;
}

/**
 * mm_segment_notify() - run the segment callbacks for a host segment
 * entry about to change or go. Mirrors pmdp_notify() and the
 * gmap_unlink() of page_table_free_rcu().
 * @mm: the mm
 * @haddr: first host address of the segment
 *
 * Context: ptl held; callbacks run under it.
 */
void mm_segment_notify(struct gmap_mm *mm, uint64_t haddr)
{
	notify(mm, haddr, GMAP_SEGMENT_SIZE, NOTIFY_SEGMENT);
}

int gmap_mm_notifier_register(struct gmap_mm *mm, struct gmap_mm_notifier *nb)
{
	if (!mm || !nb || (!nb->invalidate && !nb->shadow && !nb->segment))
		return -EINVAL;
	return nchain_add(&mm->notifiers, nb, NB_NEXT);
}

int gmap_mm_notifier_unregister(struct gmap_mm *mm, struct gmap_mm_notifier *nb)
{
	if (!mm || !nb)
		return -ENOENT;
	return nchain_del(&mm->notifiers, nb, NB_NEXT);
}
