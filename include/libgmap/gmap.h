/* SPDX-License-Identifier: MIT */
/*
 * libgmap - guest address spaces ("gmaps"): the DAT tables that SIE uses
 * to translate a guest's absolute addresses to host frames.
 *
 * A gmap sits on a host mm with PGSTEs. Its region and segment tables are
 * its own; its segment entries point at the host's page-table pages, so
 * host and guest share the last-level pte tables (and their PGSTEs): a
 * host pte change is seen by the guest at once. 1 MB segments of host
 * addresses are mapped to 1 MB-aligned guest absolute addresses
 * (guest_to_host); the tables are filled on demand by gmap_fault(), which
 * links the host's page table (or copies a large host segment entry) and
 * records the link in the host-to-guest reverse map, through which a host
 * change of that segment unlinks it again.
 *
 * Notifiers (gmap_notifier_register()) are called when a pte or large
 * segment that gmap_mprotect_notify() armed is invalidated or loses the
 * protected access. gmap_sync_dirty_log() harvests the UC bits for
 * migration.
 *
 * Behaviour mirrors Linux's arch/s390/mm/gmap.c (v4.8 to v6.x), from the
 * designs of seeds 001 (shared pte tables, fault-driven linking) and 002
 * (notifiers with PROT_NONE / READ / WRITE targets). Guest addresses
 * ("gaddr") are guest absolute; host addresses ("haddr") are the mm's.
 */
#ifndef LIBGMAP_GMAP_H
#define LIBGMAP_GMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/common.h>
#include <libgmap/dat.h>
#include <libgmap/arch.h>
#include <libgmap/pgste.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gmap;

/* Software bits of a gmap's large (FC=1) segment entries; the machine
 * ignores the ACC bits while AV is zero, and the gmap never sets AV. */
#define GMAP_SEG_GMAP_IN	0x8000ULL	/* bit 48: notify on invalidation */
#define GMAP_SEG_GMAP_UC	0x4000ULL	/* bit 49: dirty since last sync */
/* bit 50: a shadow (shadow.h) holds a table or pte built from the
 * segment's storage; any exchange of the entry unshadows them */
#define GMAP_SEG_GMAP_VSIE	0x2000ULL

/**
 * gmap_create() - create a guest address space on a host mm.
 * @mm: the host mm; must have PGSTEs (gmap_mm_has_pgste()) and outlive the
 *	gmap
 * @limit: highest guest absolute address the gmap maps (inclusive); the
 *	top table follows it: below 2^31 a segment table, below 2^42 a
 *	region-third table, below 2^53 a region-second table, else a
 *	region-first table
 * @out: out: the gmap, with one reference
 *
 * The ASCE has the top table's designation type, full table length and
 * a user ASCE's P, S and X bits (as the mm's).
 * Registers the gmap's pte and segment callbacks with @mm. Mirrors
 * gmap_alloc() + gmap_create().
 * Context: any thread; allocates.
 * Return: 0; -EINVAL for NULL @mm or @out, or an mm without PGSTEs;
 * -ENOMEM (nothing allocated, *@out untouched).
 */
GMAP_API int gmap_create(struct gmap_mm *mm, uint64_t limit, struct gmap **out);

/**
 * gmap_get() - take a reference.
 * @gmap: the gmap
 *
 * Mirrors gmap_get().
 * Context: any thread holding a reference.
 * Return: @gmap.
 */
GMAP_API struct gmap *gmap_get(struct gmap *gmap);

/**
 * gmap_put() - drop a reference; the last one frees the gmap.
 * @gmap: the gmap (NULL is ignored)
 *
 * Freeing tears down what gmap_remove() tears down, if it has not run.
 * Mirrors gmap_put() / gmap_free().
 * Context: any thread; the last put must not race with other users.
 */
GMAP_API void gmap_put(struct gmap *gmap);

/**
 * gmap_remove() - take a gmap out of service and drop the creator's
 * reference.
 * @gmap: the gmap
 *
 * Unregisters from the mm, unlinks every segment, purges the gmap's ASCE
 * from every TLB (IDTE clearing by ASCE), frees every table and reverse
 * map entry and drops the registered notifiers (without calling them).
 * Other references keep the (now empty) struct alive; their holders may
 * call gmap_get(), gmap_put(), gmap_translate() (which then fails) and
 * the accessors only. Mirrors gmap_remove().
 * Context: no vCPU may run on the gmap any more (disabled everywhere).
 */
GMAP_API void gmap_remove(struct gmap *gmap);

/**
 * gmap_enable() - run a CPU with the gmap: load its ASCE (the SIE's
 * guest ASCE) into the CPU through the backend.
 * @gmap: the gmap
 * @cpu: the backend CPU (0 to gmap_arch_ncpus() - 1)
 *
 * The mm is attached on @cpu first (gmap_mm_attach()), as a vCPU thread
 * runs in its mm's cpumask, so host invalidations reach the CPU's TLB.
 * Mirrors gmap_enable().
 * Context: any thread; no allocation.
 * Return: 0; -EINVAL for a bad @cpu.
 */
GMAP_API int gmap_enable(struct gmap *gmap, unsigned int cpu);

/**
 * gmap_disable() - stop running a CPU with the gmap.
 * @gmap: the gmap
 * @cpu: the CPU
 *
 * Detaches the mm from @cpu (gmap_mm_detach(), which purges its TLB) and
 * loads an ASCE of 0. Mirrors gmap_disable().
 * Context: any thread; no allocation.
 * Return: 0; -EINVAL for a bad @cpu or a CPU the gmap is not enabled on.
 */
GMAP_API int gmap_disable(struct gmap *gmap, unsigned int cpu);

/**
 * gmap_asce() - the gmap's ASCE.
 * @gmap: the gmap
 * Context: any thread.
 * Return: the ASCE.
 */
GMAP_API gmap_asce_t gmap_asce(const struct gmap *gmap);

/**
 * gmap_mm() - the host mm a gmap sits on.
 * @gmap: the gmap
 * Context: any thread.
 * Return: the mm given to gmap_create().
 */
GMAP_API struct gmap_mm *gmap_mm(const struct gmap *gmap);

/**
 * gmap_table_bytes() - bytes of the gmap's own DAT tables (region and
 * segment tables; the page tables belong to the mm).
 * @gmap: the gmap
 * Context: any thread.
 * Return: the byte count.
 */
GMAP_API size_t gmap_table_bytes(const struct gmap *gmap);

/**
 * gmap_map_segment() - map host memory into the guest, 1 MB at a time.
 * @gmap: the gmap
 * @from: first host address, 1 MB aligned
 * @to: first guest absolute address, 1 MB aligned
 * @len: bytes, a non-zero multiple of 1 MB; [@from, @from + @len) within
 *	the mm's reach and [@to, @to + @len) within the gmap's limit
 *
 * Records guest_to_host for each segment; a segment already mapped is
 * unlinked first (its guest segment entry invalidated with IDTE). The
 * tables fill on demand (gmap_fault()). Mirrors gmap_map_segment().
 * Context: takes the gmap's table lock; allocates.
 * Return: 0; -EINVAL for a bad alignment, length, overflow or range;
 * -ENOMEM (nothing changed; reverse-map nodes already allocated are kept
 * for reuse, as the kernel's radix-tree preloads are).
 */
GMAP_API int gmap_map_segment(struct gmap *gmap, uint64_t from, uint64_t to, uint64_t len);

/**
 * gmap_unmap_segment() - unmap guest absolute memory, 1 MB at a time.
 * @gmap: the gmap
 * @to: first guest absolute address, 1 MB aligned
 * @len: bytes, a non-zero multiple of 1 MB, within the gmap's limit
 *
 * Unlinks each segment (IDTE) and forgets its guest_to_host entry; holes
 * are fine. Mirrors gmap_unmap_segment().
 * Context: takes the gmap's table lock; no allocation.
 * Return: 0; -EINVAL for a bad alignment, length or range.
 */
GMAP_API int gmap_unmap_segment(struct gmap *gmap, uint64_t to, uint64_t len);

/**
 * gmap_translate() - guest absolute address to host address.
 * @gmap: the gmap
 * @gaddr: guest absolute address (any alignment)
 * @haddr: out: the host address
 *
 * Reads guest_to_host only (no table walk, no fault). Mirrors
 * __gmap_translate().
 * Context: any thread; lock-free; no allocation.
 * Return: 0; -EFAULT when @gaddr is not mapped or beyond the limit.
 */
GMAP_API int gmap_translate(struct gmap *gmap, uint64_t gaddr, uint64_t *haddr);

/**
 * gmap_fault() - resolve a guest access that faulted in SIE.
 * @gmap: the gmap
 * @gaddr: guest absolute address (any alignment)
 * @access: GMAP_DAT_FETCH / GMAP_DAT_IFETCH (read) or GMAP_DAT_STORE
 *
 * Translates @gaddr to the host address, faults the host page in for
 * @access (gmap_mm_fault()), and links the host's segment into the gmap:
 * a host page table is shared by pointing the guest segment entry at it;
 * a large host segment entry is copied (hardware bits only, with
 * GMAP_SEG_GMAP_UC when the copy is not protected). A protected large
 * guest segment whose host entry allows a store is unprotected (and
 * marked UC) for a store, with IDTE. A host segment is linked at one guest
 * segment at a time: where the kernel refuses a second link, a fault on
 * another guest segment mapped to it moves the link there. Mirrors
 * gmap_fault() / __gmap_link().
 * Context: takes the mm's map lock for reading, its page-table lock and
 * the gmap's table lock; allocates (region/segment tables).
 * Return: 0; -EINVAL for a bad @access; -EFAULT when @gaddr is not mapped
 * in the gmap or the host refuses the access; -ENOMEM (nothing changed
 * but spare reverse-map nodes, kept until gmap_remove()).
 */
GMAP_API int gmap_fault(struct gmap *gmap, uint64_t gaddr, enum gmap_dat_access access);

/**
 * gmap_discard() - drop the host pages behind a guest range.
 * @gmap: the gmap
 * @from: first guest absolute address, 4 KB aligned
 * @to: first guest address after the range, 4 KB aligned, > @from
 *
 * Zaps the host pages of the mapped parts (gmap_mm_zap()); unmapped parts
 * are skipped, and so is a large host segment the range covers only in
 * part (Linux leaves hugetlbfs-backed memory alone here; a whole one is
 * dropped). The next access faults in zeroed pages. Mirrors
 * gmap_discard().
 * Context: takes the mm's map lock; no allocation.
 * Return: 0; -EINVAL for a bad alignment or range.
 */
GMAP_API int gmap_discard(struct gmap *gmap, uint64_t from, uint64_t to);

/**
 * struct gmap_notifier - a callback for invalidations of notified guest
 * memory, registered with gmap_notifier_register().
 * @notifier_call: called with the gmap and the guest absolute range
 *	[@start, @end] (inclusive, as the kernel's) that lost its armed state
 * @priv: passed to @notifier_call
 * @next: private: the list link, owned by the gmap while registered
 *
 * Context of the callback: a pte or table lock is held; it must not call
 * back into the gmap's mapping functions or (un)register notifiers.
 */
struct gmap_notifier {
	void (*notifier_call)(struct gmap *gmap, uint64_t start, uint64_t end, void *priv);
	void *priv;
	struct gmap_notifier *next;
};

/**
 * gmap_notifier_register() - add a pte notifier to a gmap.
 * @gmap: the gmap
 * @nb: the callback; the caller's memory, untouched but @nb->next until
 *	unregistered
 *
 * The kernel keeps one global list; libgmap keeps one per gmap, walked
 * without a lock while it changes. An armed host pte calls the notifiers
 * of every gmap that links its segment, each with its own guest address.
 * Mirrors gmap_register_pte_notifier().
 * Context: any thread but a callback; no allocation.
 * Return: 0; -EINVAL for NULL or a NULL @nb->notifier_call; -EEXIST if
 * @nb is registered.
 */
GMAP_API int gmap_notifier_register(struct gmap *gmap, struct gmap_notifier *nb);

/**
 * gmap_notifier_unregister() - remove a pte notifier.
 * @gmap: the gmap
 * @nb: a registered callback
 *
 * Returns after every call that might still use @nb has ended, so @nb
 * may be freed then. Mirrors gmap_unregister_pte_notifier()
 * (list_del_rcu() + synchronize_rcu()).
 * Context: any thread but a callback; no allocation.
 * Return: 0; -ENOENT if @nb is not registered (or NULL, or @gmap NULL).
 */
GMAP_API int gmap_notifier_unregister(struct gmap *gmap, struct gmap_notifier *nb);

/**
 * gmap_mprotect_notify() - make guest memory at least this protected and
 * arm the notifiers for it.
 * @gmap: the gmap (not a shadow)
 * @gaddr: guest absolute address, 4 KB aligned
 * @len: bytes, a non-zero multiple of 4 KB
 * @prot: GMAP_MM_PROT_NONE (invalid), GMAP_MM_PROT_READ (read-only) or
 *	GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE (access unchanged, but notify
 *	on invalidation); GMAP_MM_PROT_WRITE alone means the latter
 *
 * A segment the gmap has not linked yet is linked first, with the host
 * page faulted in for a fetch (NONE, READ) or a store (WRITE), as
 * gmap_fault() does. Each host pte is then made at least that protected
 * with the PGSTE's IN bit set (gmap_pgste_force_prot()), faulting it in
 * again while it denies the access @prot keeps; NONE arms even an empty
 * pte. In a large segment the gmap's own segment entry is protected
 * (READ: P, NONE: I) with IDTE, the whole 1 MB at once, and gets
 * GMAP_SEG_GMAP_IN; an entry already armed calls the notifiers when this
 * protects it further, as every exchange of it does (gmap_pmdp_xchg()).
 * The notifiers are called once when such a pte or segment is
 * invalidated or loses the protection asked for. Mirrors
 * gmap_mprotect_notify() / gmap_protect_range() (seed 002).
 * Context: takes the mm's map lock for reading, pte locks and the gmap's
 * table lock; may allocate (through gmap_fault()).
 * Return: 0; -EINVAL for a bad alignment, a zero length, a range that
 * wraps or ends beyond the limit, a bad @prot, a shadow gmap, or
 * GMAP_MM_PROT_READ on a machine without ESOP-1 (nothing changed);
 * -EFAULT when part of the range is not mapped in the gmap or the host
 * refuses the access (the part before it stays armed, as in the kernel);
 * -ENOMEM (likewise: the pages before stay armed, the page being armed
 * is unchanged).
 */
GMAP_API int gmap_mprotect_notify(struct gmap *gmap, uint64_t gaddr, uint64_t len,
				  unsigned int prot);

/**
 * gmap_sync_dirty_log() - harvest and clear the dirty state of a guest
 * range, for migration.
 * @gmap: the gmap
 * @gaddr: guest absolute address, 4 KB aligned
 * @npages: number of 4 KB pages (> 0)
 * @bitmap: bit i (bit i % 64 of word i / 64, least significant first) is
 *	set for each page @gaddr + i * 4 KB written since the last sync;
 *	bits are only ever set, never cleared
 *
 * For a linked page table: the UC bit of each PGSTE, cleared on read
 * (gmap_pgste_test_and_clear_uc(), which protects the pte again, or
 * invalidates it without ESOP); for a large segment, dirty when valid and
 * unprotected or marked GMAP_SEG_GMAP_UC: GMAP_SEG_GMAP_UC is cleared
 * with the segment protected again (IDTE), marking all 256 pages. A range
 * that covers a large segment only in part marks its pages of it and
 * leaves the segment dirty, since its other pages would lose their state.
 * Protecting an armed pte or segment calls the notifiers. Unmapped or
 * unlinked parts report nothing. Clean pages and segments cost one load
 * each and no lock. Mirrors kvm_arch_sync_dirty_log() with
 * gmap_sync_dirty_log_pmd().
 * Context: takes the mm's map lock for reading, the locks of dirty ptes
 * and, for a dirty large segment, the gmap's table lock; no allocation.
 * Return: the number of pages found dirty; -EINVAL (nothing changed) for
 * a bad alignment, NULL @bitmap, zero @npages or a range that wraps or
 * ends beyond the limit.
 */
GMAP_API long gmap_sync_dirty_log(struct gmap *gmap, uint64_t gaddr, uint64_t npages,
				  uint64_t *bitmap);

#ifdef __cplusplus
}
#endif

#endif /* LIBGMAP_GMAP_H */
