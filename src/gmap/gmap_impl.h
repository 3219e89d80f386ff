/* SPDX-License-Identifier: MIT */
/*
 * Internal: the gmap's state and the helpers shared by the files of the
 * gmap layer: the radix tree of the two maps (radix.c), lifetime (gmap.c),
 * guest_to_host and table walks (map.c), linking and unlinking (link.c),
 * notifiers and mprotect_notify (notify.c), the dirty log (dirty.c) and
 * guest memory access (access.c).
 *
 * Locks, outermost first (see pgste_impl.h for the mm's):
 *  - the mm's map_lock, then its page-table lock (ptl), as the kernel
 *    takes mmap_lock and the pmd lock in gmap_fault() / __gmap_link();
 *  - table_lock (the kernel's guest_table_lock): the gmap's tables,
 *    guest_to_host and host_to_guest change only under it;
 *  - a pte's PGSTE lock (PCL): pte notifications arrive with it held and
 *    read host_to_guest without table_lock (lock-free lookup).
 * Readers of guest_to_host (gmap_translate()) and of the tables take no
 * lock: entries are read and written whole, and radix nodes and tables
 * are only freed by gmap_remove().
 */
#ifndef GMAP_GMAP_IMPL_H
#define GMAP_GMAP_IMPL_H

#include <atomic_ops.h>

#include <libgmap/gmap.h>

#include "../pgste/pgste_impl.h"

/*
 * struct gmap_radix - a map from a 64-bit index to a non-zero 64-bit value
 * (0 means absent), with lock-free lookup. Changes are serialised by the
 * owner's lock; nodes are allocated through the backend's hook and freed
 * only by radix_destroy() (radix.c).
 * @arch: the backend whose hook allocates the nodes
 * @root: the top node's address | the tree's height (0: empty)
 * @bytes: bytes of nodes held (atomic)
 */
struct gmap_radix {
	struct gmap_arch *arch;
	AO_t root;
	size_t bytes;
};

void radix_init(struct gmap_radix *r, struct gmap_arch *arch);
void radix_destroy(struct gmap_radix *r);
uint64_t radix_lookup(const struct gmap_radix *r, uint64_t index);
/* Makes sure an insert of @index cannot fail: 0 or -ENOMEM. */
int radix_reserve(struct gmap_radix *r, uint64_t index);
/* Stores @value (non-zero) at @index: 0 or -ENOMEM (nothing changed). */
int radix_insert(struct gmap_radix *r, uint64_t index, uint64_t value);
/* Removes @index; returns the old value (0 if absent). */
uint64_t radix_delete(struct gmap_radix *r, uint64_t index);
/* Calls @fn for each present index in order; stops on a non-zero return. */
int radix_for_each(const struct gmap_radix *r,
		   int (*fn)(uint64_t index, uint64_t value, void *priv), void *priv);

/* Entries of a CPU's access cache (a power of two). */
#define GACC_TLB_ENTRIES	256
/* Low bits of an access-cache tag: what the cached translation allows. */
#define GACC_TAG_FETCH	1ULL
#define GACC_TAG_STORE	2ULL

/*
 * struct gacc_tlbe - one translation the access fast path reuses.
 * @tag: guest page address | GACC_TAG_*; 0: empty
 * @host: host address of the page
 * @gen: the CPU's purge count when the translation was made
 */
struct gacc_tlbe {
	uint64_t tag;
	unsigned char *host;
	unsigned long gen;
};

/*
 * struct gacc_tlb - the access cache of one CPU (access.c): translations
 * through the CPU's TLB, reused while no purge reached that TLB, so it
 * holds at most what the TLB may hold. Used by one thread at a time, the
 * CPU's vCPU thread.
 * @gen: the CPU's purge count (arch_purge_gen()); NULL: no cache
 * @purges: the same count in any mode (arch_purge_count()); NULL when the
 *	backend's invalidations wait for stores under way
 * @e: direct-mapped by guest page number
 */
struct gacc_tlb {
	const unsigned long *gen;
	const unsigned long *purges;
	struct gacc_tlbe e[GACC_TLB_ENTRIES];
};

/*
 * struct gmap - a guest address space.
 * @mm: the host mm
 * @arch: the mm's backend
 * @table: the top table (region-first, -second, -third or segment); NULL
 *	once removed
 * @top_tt: its type (enum gmap_dat_tt)
 * @asce: the ASCE
 * @limit: highest guest absolute address (inclusive)
 * @ref: reference count (atomic)
 * @removed: gmap_remove() has run
 * @table_lock: see the file comment
 * @guest_to_host: guest segment index (gaddr >> 20) -> host segment
 *	address (1 MB aligned) | GTH_VALID
 * @host_to_guest: host segment index (haddr >> 20) -> guest segment
 *	address | GTH_VALID of the one guest segment linked to it
 * @mm_nb: the callbacks registered with the mm
 * @notifiers: the gmap's notifier chain
 * @enabled: mask of the CPUs running the gmap (atomic)
 * @table_bytes: bytes of region and segment tables held (atomic)
 * @shadow_lock: a parent's lock of @children (shadow.h gives the order)
 * @children: a parent's shadows, newest first, linked by @next_child
 * @nr_children: how many
 * @parent: a shadow's parent (holding a reference); NULL for a gmap
 * @next_child: a shadow's link in its parent's @children
 * @orig_asce: a shadow's guest-1 ASCE
 * @edat_level: a shadow's EDAT level (0-2)
 * @facilities: GMAP_FAC_* a shadow walks guest-1 tables with
 * @initialized: a shadow's top table is protected (atomic)
 * @partial: a table of the shadow lies partly outside guest-1 storage
 * @seq: count of a shadow's unshadows (atomic; src/shadow)
 * @host_to_rmap: a shadow's reverse map: parent host page index (haddr >>
 *	12) -> chain of struct shadow_rmap
 * @origins: a shadow's tables: real address >> 11 -> guest-1 origin |
 *	SHADOW_ORIGIN_* flags
 * @crst_pool: a shadow's free region and segment tables
 * @pgt_pool: a shadow's free page tables
 * @gacc: the access cache of each backend CPU (gmap_arch_ncpus() of them)
 */
struct gmap {
	struct gmap_mm *mm;
	struct gmap_arch *arch;
	gmap_crste_t *table;
	int top_tt;
	gmap_asce_t asce;
	uint64_t limit;
	AO_t ref;
	bool removed;
	AO_TS_t table_lock;
	struct gmap_radix guest_to_host;
	struct gmap_radix host_to_guest;
	struct gmap_mm_notifier mm_nb;
	struct nchain notifiers;
	AO_t enabled;
	AO_t table_bytes;
	AO_TS_t shadow_lock;
	struct gmap *children;
	unsigned int nr_children;
	struct gmap *parent;
	struct gmap *next_child;
	gmap_asce_t orig_asce;
	int edat_level;
	uint32_t facilities;
	AO_t initialized;
	bool partial;
	AO_t seq;
	struct gmap_radix host_to_rmap;
	struct gmap_radix origins;
	void *crst_pool;
	void *pgt_pool;
	struct gacc_tlb gacc[];
};

/* Whether a gmap is a shadow (read without a lock: set at creation). */
static inline bool gmap_shadow(const struct gmap *gmap)
{
	return gmap->parent != NULL;
}

/* Whether gmap_remove() (or, for a shadow, its drop) has run. */
static inline bool gmap_removed(const struct gmap *gmap)
{
	return __atomic_load_n(&gmap->removed, __ATOMIC_ACQUIRE);
}

/* Bytes of a struct gmap with its access caches. */
static inline size_t gmap_struct_size(const struct gmap_arch *arch)
{
	return sizeof(struct gmap) + gmap_arch_ncpus(arch) * sizeof(struct gacc_tlb);
}

/* Low bit of radix values: present (host and guest addresses are 1 MB
 * aligned, so address 0 stays representable). */
#define GTH_VALID	1ULL

static inline void gmap_table_lock(struct gmap *gmap)
{
	spin_lock(&gmap->table_lock);
}

static inline void gmap_table_unlock(struct gmap *gmap)
{
	spin_unlock(&gmap->table_lock);
}

/* Region and segment tables of a gmap are allocated whole, as the mm's. */
#define GMAP_CRST_TL	3
#define GMAP_CRST_BYTES	((size_t)(GMAP_CRST_TL + 1) * GMAP_CRST_PART_SIZE)

/* The empty segment entry (Linux's _SEGMENT_ENTRY_EMPTY). */
#define GMAP_SEG_EMPTY	GMAP_CRSTE_I

/*
 * struct gmap_tables - region and segment tables allocated before
 * table_lock is taken: @crst[tt] hangs below an entry of a table of type
 * tt + 1 (gmap_alloc_table()).
 */
struct gmap_tables {
	gmap_crste_t *crst[GMAP_TT_REGION1];
};

/* map.c: the gmap's table entry for @gaddr at @level (enum gmap_dat_tt:
 * GMAP_TT_SEGMENT for the segment entry), or NULL when a higher table is
 * missing or @gaddr is beyond the limit (gmap_table_walk()). */
gmap_crste_t *gmap_table_walk(struct gmap *gmap, uint64_t gaddr, int level);
/* map.c: allocate the tables the walk to @gaddr's segment entry lacks,
 * outside table_lock: 0 or -ENOMEM (nothing held). */
int gmap_alloc_table(struct gmap *gmap, uint64_t gaddr, struct gmap_tables *c);
/* map.c: install them (table_lock held); returns the segment entry. */
gmap_crste_t *gmap_install_tables(struct gmap *gmap, uint64_t gaddr, struct gmap_tables *c);
/* map.c: free the tables gmap_install_tables() did not use. */
void gmap_free_tables(struct gmap *gmap, struct gmap_tables *c);
/* map.c: free a table and the gmap tables below it (not page tables). */
void gmap_free_table_tree(struct gmap *gmap, gmap_crste_t *table, int tt);
/* gmap.c: allocate a gmap with a top table of type @tt (registered with
 * the mm, one reference): 0 or -ENOMEM. */
int gmap_alloc(struct gmap_mm *mm, uint64_t limit, int tt, struct gmap **out);
/* map.c: the host address of guest segment @gaddr, or 0 (GTH_VALID set:
 * the value of guest_to_host). */
static inline uint64_t gmap_host_segment(struct gmap *gmap, uint64_t gaddr)
{
	return radix_lookup(&gmap->guest_to_host, gaddr >> GMAP_SEGMENT_SHIFT);
}
/* link.c: the mm's segment callback: unlink the host range's segments. */
void gmap_segment_notify(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv);

/* link.c: unlink the guest segment linked to the host segment at @haddr
 * (host_to_guest), with IDTE and notifiers for an armed large segment;
 * table_lock held. Returns the guest segment address | GTH_VALID, or 0. */
uint64_t gmap_unlink_host_segment(struct gmap *gmap, uint64_t haddr);

/* notify.c: call the gmap's notifiers for guest [@start, @end]. */
void gmap_call_notifier(struct gmap *gmap, uint64_t start, uint64_t end);
/* notify.c: the mm's invalidate callback (pte with IN), host range. */
void gmap_pte_notify(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv);
/* notify.c: replace the large segment entry @segp of guest segment
 * @gaddr, linked to host segment @haddr, by @new (gmap_pmdp_xchg()):
 * notifiers when the old entry has GMAP_SEG_GMAP_IN, the shadows'
 * unshadow for @haddr's segment when it has GMAP_SEG_GMAP_VSIE (@new
 * loses both), IDTE for the gmap's ASCE, store; table_lock held. */
void gmap_segment_xchg(struct gmap *gmap, gmap_crste_t *segp, uint64_t new, uint64_t gaddr,
		       uint64_t haddr);

/*
 * The shadow layer's hooks (src/shadow), called by the gmap layer:
 * shadow_pte_notify() is every gmap's mm shadow callback (a parent pte
 * with VSIE changed); shadow_notify_host() unshadows what the parent's
 * shadows built from host pages [@start, @end) (a large segment with
 * GMAP_SEG_GMAP_VSIE changed, guest-1 memory unmapped or remapped);
 * shadow_parent_mapped() drops the shadows that hold a table partly
 * outside guest-1 storage after the parent mapped more of it;
 * shadow_remove_children() drops every shadow of a parent being removed;
 * shadow_remove() is gmap_remove() of a shadow; shadow_destroy() frees a
 * shadow on its last reference; shadow_translate() is gmap_translate()
 * through a shadow's tables.
 */
void shadow_pte_notify(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv);
void shadow_notify_host(struct gmap *parent, uint64_t start, uint64_t end, bool ptes_only);
void shadow_parent_mapped(struct gmap *parent);
void shadow_remove_children(struct gmap *parent);
void shadow_remove(struct gmap *sg);
void shadow_destroy(struct gmap *sg);
int shadow_translate(struct gmap *sg, uint64_t saddr, uint64_t *haddr);

#endif /* GMAP_GMAP_IMPL_H */
