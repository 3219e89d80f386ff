// SPDX-License-Identifier: MIT
/*
 * The notifier chain: callbacks for ptes whose PGSTE has IN or VSIE, and
 * for host segment entries that change or go.
 *
 * The list is walked without a lock (Linux walks its notifier list under
 * RCU): a node is published with a release store of the head, unlinked by
 * a release store of its predecessor's link, and an unregistration waits
 * until no walk is in progress, so a walker never follows a freed node.
 * Every step that orders unlinking against walking is sequentially
 * consistent: a walk that begins after the wait saw no walkers cannot
 * reach the unlinked node.
 */
#include <errno.h>

#include "pgste_impl.h"

static struct gmap_mm_notifier *next_of(struct gmap_mm_notifier *const *link)
{
	return __atomic_load_n(link, __ATOMIC_SEQ_CST);
}

/* Which callbacks a walk calls: the PGSTE bits, or a segment. */
#define NOTIFY_SEGMENT	1ULL

/* Walk the list, calling the callbacks @bits selects for [@start,
 * @start + @size). */
static void notify(struct gmap_mm *mm, uint64_t start, uint64_t size, uint64_t bits)
{
	struct gmap_mm_notifier *nb;

	__atomic_fetch_add(&mm->notify_readers, 1, __ATOMIC_SEQ_CST);
	for (nb = next_of(&mm->notifiers); nb; nb = next_of(&nb->next)) {
		if ((bits & GMAP_PGSTE_IN) && nb->invalidate)
			nb->invalidate(mm, start, start + size, nb->priv);
		if ((bits & GMAP_PGSTE_VSIE) && nb->shadow)
			nb->shadow(mm, start, start + size, nb->priv);
		if ((bits & NOTIFY_SEGMENT) && nb->segment)
			nb->segment(mm, start, start + size, nb->priv);
	}
	__atomic_fetch_sub(&mm->notify_readers, 1, __ATOMIC_SEQ_CST);
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

/* The link that points at @nb, or at the end of the list; lock held. */
static struct gmap_mm_notifier **find_link(struct gmap_mm *mm, struct gmap_mm_notifier *nb)
{
	struct gmap_mm_notifier **link = &mm->notifiers;

	while (*link && *link != nb)
		link = &(*link)->next;
	return link;
}

int gmap_mm_notifier_register(struct gmap_mm *mm, struct gmap_mm_notifier *nb)
{
	int rc = -EEXIST;

	if (!mm || !nb || (!nb->invalidate && !nb->shadow && !nb->segment))
		return -EINVAL;
	mm_spin_lock(&mm->notifier_lock);
	if (!*find_link(mm, nb)) {
		nb->next = mm->notifiers;
		__atomic_store_n(&mm->notifiers, nb, __ATOMIC_SEQ_CST);
		rc = 0;
	}
	mm_spin_unlock(&mm->notifier_lock);
	return rc;
}

int gmap_mm_notifier_unregister(struct gmap_mm *mm, struct gmap_mm_notifier *nb)
{
	struct gmap_mm_notifier **link;

	if (!mm || !nb)
		return -ENOENT;
	mm_spin_lock(&mm->notifier_lock);
	link = find_link(mm, nb);
	if (!*link) {
		mm_spin_unlock(&mm->notifier_lock);
		return -ENOENT;
	}
	__atomic_store_n(link, nb->next, __ATOMIC_SEQ_CST);
	mm_spin_unlock(&mm->notifier_lock);
	/* The grace period: walks that may stand on @nb finish. */
	while (__atomic_load_n(&mm->notify_readers, __ATOMIC_SEQ_CST))
		sched_yield();
	nb->next = NULL;
	return 0;
}
