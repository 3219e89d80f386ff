// SPDX-License-Identifier: MIT
/*
 * The reverse map of a shadow (parent host page -> what was built from
 * it), the notifications that consume it and the unshadow operations.
 * Mirrors gmap_insert_rmap(), gmap_shadow_notify(), gmap_unshadow_page(),
 * gmap_unshadow_pgt/sgt/r3t/r2t() and gmap_unshadow() of
 * arch/s390/mm/gmap.c; unlike the kernel, an item only unshadows the
 * table or pte it was made for: a table at its address built since from
 * another origin, or a pte now mapping another page, is left alone.
 */
#include "shadow_impl.h"

/* Bytes one entry of a table of type @tt maps. */
static uint64_t entry_span(int tt)
{
	return tt == SHADOW_PTE ? GMAP_PAGE_SIZE : 1ULL << (GMAP_SEGMENT_SHIFT + 11 * tt);
}

/* Tell the shadow's notifiers and count the unshadow; table lock held. */
static void unshadowed(struct gmap *sg, uint64_t saddr, int tt)
{
	uint64_t start = saddr & ~(entry_span(tt) - 1);

	AO_fetch_and_add1_release(&sg->seq);
	gmap_call_notifier(sg, start, start + entry_span(tt) - 1);
}

/**
 * shadow_rmap_add() - record that @item was built from a parent page.
 * @sg: the shadow
 * @haddr: the parent's host address of the page
 * @item: the item (allocated by the caller; taken over)
 *
 * An item for the same pte or table replaces the one recorded (its origin
 * is updated), as gmap_insert_rmap() drops duplicates.
 * A dropped shadow records nothing (its reverse map is only freed).
 * Context: the shadow's table lock held; host_to_rmap reserved for the
 * page.
 */
void shadow_rmap_add(struct gmap *sg, uint64_t haddr, struct shadow_rmap *item)
{
	uint64_t key = haddr >> GMAP_PAGE_SHIFT;
	struct shadow_rmap *head = (struct shadow_rmap *)(uintptr_t)radix_lookup(&sg->host_to_rmap,
										 key);

	if (gmap_removed(sg)) {
		gmap_arch_free(sg->arch, item, sizeof(*item));
		return;
	}
	for (struct shadow_rmap *r = head; r; r = r->next) {
		if (r->raddr == item->raddr) {
			r->origin = item->origin;
			gmap_arch_free(sg->arch, item, sizeof(*item));
			return;
		}
	}
	item->next = head;
	radix_insert(&sg->host_to_rmap, key, (uint64_t)(uintptr_t)item);
}

static void free_chain(struct gmap *sg, struct shadow_rmap *r)
{
	while (r) {
		struct shadow_rmap *next = r->next;

		gmap_arch_free(sg->arch, r, sizeof(*r));
		r = next;
	}
}

static int free_chain_cb(uint64_t index, uint64_t value, void *priv)
{
	(void)index;
	free_chain(priv, (struct shadow_rmap *)(uintptr_t)value);
	return 0;
}

/**
 * shadow_rmap_free_all() - free the reverse map of a shadow being freed.
 * @sg: the shadow (no other thread reaches it)
 */
void shadow_rmap_free_all(struct gmap *sg)
{
	radix_for_each(&sg->host_to_rmap, free_chain_cb, sg);
	radix_destroy(&sg->host_to_rmap);
}

/**
 * shadow_unshadow_entry() - unshadow the table below a shadow entry.
 * @sg: the shadow
 * @saddr: a guest-2 address the entry maps
 * @tt: the type of the table holding the entry (enum gmap_dat_tt)
 *
 * The entry is invalidated with IDTE (which purges every translation
 * formed through it), emptied, the tables below it go back to the pools
 * and the notifiers hear of the range. Mirrors gmap_unshadow_pgt() /
 * _sgt() / _r3t() / _r2t().
 * Context: the shadow's table lock held.
 */
void shadow_unshadow_entry(struct gmap *sg, uint64_t saddr, int tt)
{
	uint64_t *ep = shadow_entry_walk(sg, saddr, tt);
	uint64_t e;

	if (!ep)
		return;
	e = mm_load(ep);
	if (e == SHADOW_CRSTE_EMPTY(tt))
		return;
	if (!(e & GMAP_CRSTE_I))
		gmap_arch_idte(sg->arch, 0, sg->asce, saddr, (gmap_crste_t *)ep, 0);
	mm_store(ep, SHADOW_CRSTE_EMPTY(tt));
	shadow_free_subtree(sg, e, tt);
	unshadowed(sg, saddr, tt);
}

/* Drop the shadow pte of @saddr if it maps host page @haddr
 * (gmap_unshadow_page()); table lock held. */
static void unshadow_pte(struct gmap *sg, uint64_t saddr, uint64_t haddr)
{
	gmap_pte_t *ptep = (gmap_pte_t *)shadow_entry_walk(sg, saddr, SHADOW_PTE);

	if (!ptep || (mm_load(ptep) & GMAP_PTE_I) || mm_load(shadow_pte_host(ptep)) != haddr)
		return;
	gmap_arch_ipte(sg->arch, 0, sg->asce, saddr, ptep, 1, 0);
	mm_store(ptep, SHADOW_PTE_EMPTY);
	unshadowed(sg, saddr, SHADOW_PTE);
}

/**
 * shadow_unshadow_all() - unshadow everything and mark the shadow removed.
 * @sg: the shadow
 *
 * One IDTE by ASCE purges every translation of the shadow; the top table
 * stays (empty) until the shadow is freed. Mirrors gmap_unshadow().
 * Context: the shadow's table lock held.
 */
void shadow_unshadow_all(struct gmap *sg)
{
	uint64_t *top = (uint64_t *)sg->table;

	if (gmap_removed(sg))
		return;
	__atomic_store_n(&sg->removed, true, __ATOMIC_RELEASE);
	gmap_arch_idte_asce(sg->arch, 0, sg->asce, 0);
	for (unsigned int i = 0; i < GMAP_CRST_MAX_ENTRIES; i++) {
		uint64_t e = mm_load(&top[i]);

		mm_store(&top[i], SHADOW_CRSTE_EMPTY(sg->top_tt));
		shadow_free_subtree(sg, e, sg->top_tt);
	}
	AO_fetch_and_add1_release(&sg->seq);
	gmap_call_notifier(sg, 0, sg->limit);
}

/*
 * Unshadow what @r records as built from host page @haddr.
 * Return: true when it is the top table: the caller drops the shadow.
 */
static bool rmap_apply(struct gmap *sg, const struct shadow_rmap *r, uint64_t haddr)
{
	unsigned int level = (unsigned int)(r->raddr & SHADOW_RMAP_MASK);
	uint64_t saddr = r->raddr & ~SHADOW_RMAP_MASK;
	int tt = (int)level - 1;
	uint64_t *ep;

	if (level == SHADOW_RMAP_TOP)
		return true;
	if (level == SHADOW_RMAP_PTE) {
		unshadow_pte(sg, saddr, haddr);
		return false;
	}
	ep = shadow_entry_walk(sg, saddr, tt);
	if (ep && shadow_origin(sg, mm_load(ep), tt) == (r->origin | SHADOW_ORIGIN_PRESENT))
		shadow_unshadow_entry(sg, saddr, tt);
	return false;
}

/* Consume the items of host page @h in one shadow; with @ptes_only only
 * those of shadow ptes (the rest stay recorded). Return: the shadow is to
 * be dropped. Table lock held. */
static bool notify_page(struct gmap *sg, uint64_t h, bool ptes_only)
{
	uint64_t key = h >> GMAP_PAGE_SHIFT;
	struct shadow_rmap *head = (struct shadow_rmap *)(uintptr_t)radix_lookup(&sg->host_to_rmap,
										 key);
	struct shadow_rmap **pp = &head, *r;
	bool drop = false;

	while ((r = *pp)) {
		if (ptes_only && (r->raddr & SHADOW_RMAP_MASK) != SHADOW_RMAP_PTE) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		drop = drop || rmap_apply(sg, r, h);
		gmap_arch_free(sg->arch, r, sizeof(*r));
	}
	if (head)
		radix_insert(&sg->host_to_rmap, key, (uint64_t)(uintptr_t)head);
	else
		radix_delete(&sg->host_to_rmap, key);
	return drop;
}

/**
 * shadow_notify_host() - parent host pages changed: unshadow what every
 * shadow of the parent built from them.
 * @parent: the parent gmap
 * @start: first host address (4 KB aligned)
 * @end: first host address after the range
 * @ptes_only: only the shadow ptes that map the pages (the pages were
 *	writable: no table is built from them but the ones being built)
 *
 * A shadow whose top table lies in the range is dropped. Mirrors
 * gmap_shadow_notify() as ptep_notify() calls it for each child.
 * Context: the parent's table lock or a PGSTE lock of the parent's mm may
 * be held; takes the parent's shadow lock and each shadow's table lock.
 */
void shadow_notify_host(struct gmap *parent, uint64_t start, uint64_t end, bool ptes_only)
{
	struct gmap *sg, *next;

	spin_lock(&parent->shadow_lock);
	for (sg = parent->children; sg; sg = next) {
		bool drop = false;

		next = sg->next_child;
		gmap_table_lock(sg);
		for (uint64_t h = start; h < end && !drop; h += GMAP_PAGE_SIZE)
			drop = notify_page(sg, h, ptes_only);
		gmap_table_unlock(sg);
		if (drop)
			shadow_drop(parent, sg);
	}
	spin_unlock(&parent->shadow_lock);
}

/**
 * shadow_pte_notify() - the mm's shadow callback: a parent pte with the
 * VSIE bit changed.
 * @mm: the mm
 * @start: the page's host address
 * @end: the end of the page
 * @priv: the parent gmap
 *
 * Context: the pte's PGSTE lock held.
 */
void shadow_pte_notify(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	struct gmap *parent = priv;

	(void)mm;
	if (__atomic_load_n(&parent->children, __ATOMIC_ACQUIRE))
		shadow_notify_host(parent, start, end, false);
}
