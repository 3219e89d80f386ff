/* SPDX-License-Identifier: MIT */
/*
 * Internal: the shadow layer (shadow.h). A shadow is a struct gmap with a
 * parent; the files of the layer are:
 *  - shadow.c: lifetime (gmap_shadow_get(), the parent's list, drop,
 *    destroy) and the hooks the gmap layer calls;
 *  - table.c: the shadow's own tables (walk, allocation from per-shadow
 *    pools, freeing a subtree, origins) and translation through them;
 *  - rmap.c: the reverse map from parent host pages to what was built
 *    from them, the notifications and the unshadow operations;
 *  - protect.c: the parent's leaf for a guest-1 page and the protection
 *    of guest-1 table pages in the parent;
 *  - fault.c: gmap_shadow_fault().
 *
 * Locks, outermost first: the parent's table lock, a parent pte's PGSTE
 * lock, the parent's shadow_lock, the shadow's table lock. A shadow's
 * tables, origins and reverse map change only under its table lock; its
 * tables are read without a lock (they stay in the shadow's pools until
 * the shadow is freed). Every unshadow increments the shadow's seq under
 * the table lock: a fault that read guest-1 tables before re-checks seq
 * under the lock before it links what it read.
 *
 * Shadow entries: a region or segment entry being built is "pending":
 * origin set, invalid; it becomes valid once the guest-1 pages it was
 * built from are protected. Empty entries hold no origin.
 */
#ifndef GMAP_SHADOW_IMPL_H
#define GMAP_SHADOW_IMPL_H

#include <libgmap/shadow.h>

#include "../gmap/gmap_impl.h"

/* Values of enum-like levels used in reverse-map items: what was built
 * from a parent page. */
#define SHADOW_RMAP_PTE		0	/* a shadow pte maps the page */
#define SHADOW_RMAP_PGT		1	/* a shadow page table (entry: segment) */
#define SHADOW_RMAP_SGT		2	/* a shadow segment table (entry: region-third) */
#define SHADOW_RMAP_R3T		3	/* a shadow region-third table */
#define SHADOW_RMAP_R2T		4	/* a shadow region-second table */
#define SHADOW_RMAP_TOP		5	/* the top table: the whole shadow */
#define SHADOW_RMAP_MASK	7ULL

/*
 * struct shadow_rmap - one thing built from a parent host page.
 * @next: the next item of the page's chain
 * @raddr: guest-2 address of the pte or of the table's range | level
 *	(SHADOW_RMAP_*)
 * @origin: the guest-1 origin of the table (levels above the pte)
 */
struct shadow_rmap {
	struct shadow_rmap *next;
	uint64_t raddr;
	uint64_t origin;
};

/* Flags in the low bits of an origins value. */
#define SHADOW_ORIGIN_PRESENT	1ULL
#define SHADOW_ORIGIN_FAKE	2ULL	/* built from an EDAT frame or real space */

/* The shadow entry types: the level of a table's entries (enum
 * gmap_dat_tt) and the pte level. */
#define SHADOW_PTE		(-1)

/* Empty entries. */
#define SHADOW_CRSTE_EMPTY(tt)	(GMAP_CRSTE_I | ((uint64_t)(tt) << GMAP_CRSTE_TT_SHIFT))
#define SHADOW_PTE_EMPTY	GMAP_PTE_I

/* A shadow page table: 256 ptes, then for each the parent host address of
 * its page (written before the pte is made valid). */
static inline uint64_t *shadow_pte_host(gmap_pte_t *ptep)
{
	return &(ptep + GMAP_PT_ENTRIES)->val;
}

/* shadow.c (the hooks the gmap layer calls are in gmap_impl.h) */
void shadow_drop(struct gmap *parent, struct gmap *sg);

/* table.c */
uint64_t *shadow_entry_walk(struct gmap *sg, uint64_t saddr, int level);
void *shadow_table_alloc(struct gmap *sg, int level);
void shadow_table_free(struct gmap *sg, void *table, int level);
void shadow_free_subtree(struct gmap *sg, uint64_t entry, int level);
void shadow_pools_free(struct gmap *sg);
void shadow_set_origin(struct gmap *sg, void *table, uint64_t origin);
uint64_t shadow_origin(struct gmap *sg, uint64_t entry, int level);

/* rmap.c */
void shadow_rmap_add(struct gmap *sg, uint64_t haddr, struct shadow_rmap *item);
void shadow_rmap_free_all(struct gmap *sg);
void shadow_unshadow_all(struct gmap *sg);
void shadow_unshadow_entry(struct gmap *sg, uint64_t saddr, int level);

/* protect.c */
/*
 * struct shadow_leaf - what the parent maps a guest-1 page with.
 * @haddr: the parent's host address of the page
 * @ptep: the host pte (a linked page table), or NULL
 * @segp: the parent's large segment entry, or NULL
 * @frame: real address of the host frame of the page
 * @val: the pte or segment entry as read
 * @prot: the entry is protected
 */
struct shadow_leaf {
	uint64_t haddr;
	gmap_pte_t *ptep;
	gmap_crste_t *segp;
	uint64_t frame;
	uint64_t val;
	bool prot;
};
int shadow_parent_leaf(struct gmap *parent, uint64_t gaddr, struct shadow_leaf *l);
int shadow_read_g1(struct gmap *parent, uint64_t gaddr, uint64_t *val);
int shadow_protect(struct gmap *sg, uint64_t gaddr);
int shadow_protect_range(struct gmap *sg, uint64_t raddr, uint64_t origin, uint64_t start,
			 uint64_t len);

#endif /* GMAP_SHADOW_IMPL_H */
