/* SPDX-License-Identifier: MIT */
/*
 * libgmap - the host address space ("mm"): region/segment tables and 4 KB
 * page-table pages that hold 256 ptes followed by their 256 page-status-
 * table extensions (PGSTEs; the PGSTE of a pte lies 2 KB above it),
 * Linux's software pte bits and young/dirty emulation, mappings, the host
 * fault handler, and callbacks for ptes and segments that change.
 * Operations on the PGSTEs themselves are in <libgmap/pgste.h>.
 *
 * The behaviour mirrors Linux's arch/s390/mm/pgtable.c and
 * arch/s390/include/asm/pgtable.h (v4.x to v6.x); each function names the
 * kernel function it models. Host addresses ("haddr") are the mm's
 * virtual addresses; frames are what its ptes map. Mappings made with
 * GMAP_MM_MAP_LARGE are mapped by large (FC=1) segment entries instead of
 * ptes, as Linux maps hugetlbfs with huge pmds.
 *
 * Lifetime: gmap_mm_unmap() frees the page table of every segment it
 * leaves without a mapping (Linux's free_pgtables()). Functions on single
 * ptes that do not take the map lock (gmap_pgste_xchg(), _force_prot(),
 * the storage key functions, _zap_unused(), _zap_key(),
 * _test_and_clear_uc(), _essa(), gmap_mm_read_pte(), ...) need the page
 * to stay mapped during the call: Linux's callers hold mmap_lock there.
 * Freed page tables and the mm's freed anonymous frames stay in per-mm
 * pools until gmap_mm_destroy(), so a reader racing with a free reads
 * stale memory, never memory given back to the backend.
 */
#ifndef LIBGMAP_MM_H
#define LIBGMAP_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/common.h>
#include <libgmap/dat.h>
#include <libgmap/arch.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A page-status-table extension: one word per pte, wrapped like the other
 * entry kinds. */
typedef struct { uint64_t val; } gmap_pgste_t;

/* PGSTE bits (PoP bit numbers). ACC/FP/GR/GC: the guest's key while the
 * page is not mapped (its R/C history while it is); PCL: the lock. */
#define GMAP_PGSTE_ACC		0xf000000000000000ULL	/* bits 0-3: access key */
#define GMAP_PGSTE_FP		0x0800000000000000ULL	/* bit 4: fetch protection */
#define GMAP_PGSTE_PCL		0x0080000000000000ULL	/* bit 8: PGSTE lock */
#define GMAP_PGSTE_HR		0x0040000000000000ULL	/* bit 9: host reference */
#define GMAP_PGSTE_HC		0x0020000000000000ULL	/* bit 10: host change */
#define GMAP_PGSTE_GR		0x0004000000000000ULL	/* bit 13: guest reference */
#define GMAP_PGSTE_GC		0x0002000000000000ULL	/* bit 14: guest change */
#define GMAP_PGSTE_UC		0x0000800000000000ULL	/* bit 16: user dirty (migration) */
#define GMAP_PGSTE_IN		0x0000400000000000ULL	/* bit 17: invalidation notify */
#define GMAP_PGSTE_VSIE		0x0000200000000000ULL	/* bit 18: used by a shadow table */
#define GMAP_PGSTE_ZERO		0x0000000080000000ULL	/* bit 32: CMMA logically zero */
#define GMAP_PGSTE_NODAT	0x0000000040000000ULL	/* bit 33: CMMA no-DAT */
#define GMAP_PGSTE_USAGE_MASK	0x0000000003000000ULL	/* bits 38-39: CMMA usage state */
#define GMAP_PGSTE_USAGE_STABLE		0x0000000000000000ULL
#define GMAP_PGSTE_USAGE_UNUSED		0x0000000001000000ULL
#define GMAP_PGSTE_USAGE_POT_VOLATILE	0x0000000002000000ULL
#define GMAP_PGSTE_USAGE_VOLATILE	0x0000000003000000ULL

/* Software bits of the mm's ptes (Linux's _PAGE_*, bits 56-63) beside the
 * hardware I and P: an old pte is invalid, a clean one protected, so the
 * first access / store faults and the fault handler sets young / dirty. */
#define GMAP_MM_PTE_PRESENT	0x001ULL	/* a page is mapped (maybe invalid: old) */
#define GMAP_MM_PTE_YOUNG	0x004ULL	/* referenced since last made old */
#define GMAP_MM_PTE_DIRTY	0x008ULL	/* written since last made clean */
#define GMAP_MM_PTE_READ	0x010ULL	/* readable */
#define GMAP_MM_PTE_WRITE	0x020ULL	/* writable */
#define GMAP_MM_PTE_SPECIAL	0x040ULL	/* frame supplied by the caller, not freed */
#define GMAP_MM_PTE_UNUSED	0x080ULL	/* returned ptes: PGSTE usage was unused */
#define GMAP_MM_PTE_NONE	GMAP_PTE_I	/* the empty pte */

/* Protections (map, mprotect, force_prot); WRITE implies READ. */
#define GMAP_MM_PROT_NONE	0x0u
#define GMAP_MM_PROT_READ	0x1u
#define GMAP_MM_PROT_WRITE	0x2u
/* OR'd into gmap_mm_map()'s @prot: a hugetlb-style mapping of 1 MB frames,
 * faulted in as large (FC=1) segment entries; needs GMAP_FAC_EDAT1. */
#define GMAP_MM_MAP_LARGE	0x100u

/* Software bits of the mm's large (FC=1) segment entries (Linux's
 * _SEGMENT_ENTRY_* of a huge pmd) beside the hardware I, P and FC. YOUNG,
 * DIRTY and SPECIAL lie in the ACC bits, which the machine ignores while
 * AV is 0; READ and WRITE in bits 62-63, which a segment entry does not
 * use. As for ptes, an old entry is invalid and a clean one protected.
 * A gmap copying a host entry keeps only the bits outside
 * GMAP_MM_SEG_SOFT. */
#define GMAP_MM_SEG_READ	0x0001ULL	/* readable */
#define GMAP_MM_SEG_WRITE	0x0002ULL	/* writable */
#define GMAP_MM_SEG_YOUNG	0x1000ULL	/* referenced since last made old */
#define GMAP_MM_SEG_DIRTY	0x2000ULL	/* written since last made clean */
#define GMAP_MM_SEG_SPECIAL	0x4000ULL	/* frame supplied by the caller, not freed */
#define GMAP_MM_SEG_SOFT	(GMAP_MM_SEG_READ | GMAP_MM_SEG_WRITE | GMAP_MM_SEG_YOUNG | \
				 GMAP_MM_SEG_DIRTY | GMAP_MM_SEG_SPECIAL)

struct gmap_mm;

/**
 * struct gmap_mm_opts - options of gmap_mm_create().
 * @sz: sizeof(struct gmap_mm_opts), set by GMAP_OPTS()
 * @arch: the backend that allocates tables and frames and runs IPTE,
 *	SSKE and friends (required; must outlive the mm)
 * @pgste: create the mm with PGSTEs from the start (4 KB page-table pages);
 *	false gives 2 KB pte-only page tables until gmap_mm_enable_sie()
 * @levels: DAT levels of the top table: 2 (segment table, 2 GB), 3
 *	(region-third, 4 TB), 4 (region-second, 8 PB) or 5 (region-first,
 *	the whole 64-bit space); 0 means 3, as a Linux process starts
 */
struct gmap_mm_opts {
	size_t sz;
	struct gmap_arch *arch;
	bool pgste;
	unsigned int levels;
	size_t :0;
};

/**
 * struct gmap_mm_notifier - callbacks for pte and segment invalidations,
 * registered with gmap_mm_notifier_register() (the hook of the gmap and
 * shadow layers, as Linux's gmap pte notifiers, gmap_shadow_notify(),
 * pmdp_notify() and the gmap_unlink() of free_pgtables()).
 * @invalidate: called when a pte whose PGSTE has IN is exchanged, made
 *	clean for dirty tracking or otherwise invalidated: once, with the
 *	host range [@start, @end) of the page, IN already cleared in the
 *	PGSTE value being written (may be NULL)
 * @shadow: likewise for a pte whose PGSTE has VSIE (may be NULL)
 * @segment: called before a host segment entry that a gmap may have
 *	linked or copied is invalidated, replaced, made more protected or
 *	freed, with its range [@start, @start + 1 MB): a present large
 *	segment entry zapped, unmapped, mprotected or made young / dirty by
 *	a fault (every pmdp_xchg_direct(): pmdp_notify(), and the
 *	gmap_pmdp_idte_*() of its IDTE), and a page table freed because
 *	gmap_mm_unmap() left no mapping in its segment (free_pgtables() ->
 *	gmap_unlink()); the entry still holds its old value during the call
 *	(may be NULL)
 * @priv: passed to the callbacks
 * @next: private: the list link, owned by the mm while registered
 *
 * Context of the callbacks: @invalidate and @shadow run with the pte's
 * PGSTE lock held, @segment with the mm's page-table lock held (and the
 * map lock: for reading in a fault, else for writing); a callback must
 * not change that entry, take either lock or register or unregister
 * notifiers.
 */
struct gmap_mm_notifier {
	void (*invalidate)(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv);
	void (*shadow)(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv);
	void (*segment)(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv);
	void *priv;
	struct gmap_mm_notifier *next;
};

/**
 * gmap_mm_create() - create an empty host address space.
 * @opts: options; @opts->sz and @opts->arch must be set
 * @out: out: the new mm
 *
 * Allocates the top table; the ASCE has a Linux user ASCE's P, S and X
 * bits. Mirrors init_new_context().
 * Context: allocates through the backend's hook.
 * Return: 0; -EINVAL for NULL @opts/@out/@opts->arch, @levels out of
 * range or unknown non-zero bytes past the known fields; -ENOMEM.
 * *@out is untouched on error.
 */
GMAP_API int gmap_mm_create(const struct gmap_mm_opts *opts, struct gmap_mm **out);

/**
 * gmap_mm_destroy() - free an mm, its tables and the frames it allocated.
 * @mm: the mm (NULL is ignored)
 *
 * The pools of free page tables and frames go back to the backend too.
 * Caller frames are not freed; attached CPUs' TLBs are purged; notifiers
 * are dropped without a call.
 * Context: no other thread may use @mm, now or later.
 */
GMAP_API void gmap_mm_destroy(struct gmap_mm *mm);

/**
 * gmap_mm_asce() - the mm's ASCE (changes with gmap_mm_enable_sie()).
 * @mm: the mm
 * Context: any thread.
 * Return: the ASCE of the top table.
 */
GMAP_API gmap_asce_t gmap_mm_asce(const struct gmap_mm *mm);

/**
 * gmap_mm_has_pgste() - whether the mm's page tables carry PGSTEs.
 * @mm: the mm
 *
 * Mirrors mm_has_pgste().
 * Context: any thread.
 * Return: true after creation with @pgste or gmap_mm_enable_sie().
 */
GMAP_API bool gmap_mm_has_pgste(const struct gmap_mm *mm);

/**
 * gmap_mm_table_bytes() - bytes of DAT tables the mm uses.
 * @mm: the mm
 *
 * Region/segment tables are 16 KB, page tables 4 KB (2 KB without PGSTEs).
 * Page tables freed into the mm's pool are not counted.
 * Context: any thread.
 * Return: the byte count.
 */
GMAP_API size_t gmap_mm_table_bytes(const struct gmap_mm *mm);

/**
 * gmap_mm_attach() - run the mm on a CPU: load its ASCE into CR1.
 * @mm: the mm
 * @cpu: the backend CPU (0 to gmap_arch_ncpus() - 1)
 *
 * On exactly one attached CPU, invalidations purge only its TLB (IPTE
 * local-clearing) and lazy exchanges defer the purge to gmap_mm_flush()
 * (Linux's mm_cpumask / cpu_attach_mask). A deferred purge is done first.
 * Mirrors switch_mm().
 * Context: any thread; no allocation.
 * Return: 0; -EINVAL for a bad @cpu.
 */
GMAP_API int gmap_mm_attach(struct gmap_mm *mm, unsigned int cpu);

/**
 * gmap_mm_detach() - stop running the mm on a CPU.
 * @mm: the mm
 * @cpu: the CPU
 *
 * Does a deferred purge, then purges @cpu's TLB (PTLB), so its entries
 * cannot outlive a later local invalidation.
 * Context: any thread; no allocation.
 * Return: 0; -EINVAL for a bad @cpu or a CPU not attached.
 */
GMAP_API int gmap_mm_detach(struct gmap_mm *mm, unsigned int cpu);

/**
 * gmap_mm_flush() - do the TLB purge that lazy exchanges deferred.
 * @mm: the mm
 *
 * PTLB on the CPU the mm ran on alone (also dropping guest ASCEs' entries
 * through shared page tables); range operations call it before returning.
 * Mirrors __tlb_flush_mm_lazy().
 * Context: any thread; no allocation.
 */
GMAP_API void gmap_mm_flush(struct gmap_mm *mm);

/**
 * gmap_mm_map() - map a range of host pages.
 * @mm: the mm
 * @haddr: first host address, 4 KB aligned
 * @len: bytes, a non-zero multiple of 4 KB, within the mm's reach
 * @frame: 0: anonymous memory, zeroed 4 KB frames allocated from the
 *	backend when first touched; else the absolute address (4 KB
 *	aligned) of the caller's frames that back the range contiguously,
 *	mapped with GMAP_MM_PTE_SPECIAL and never freed by the mm
 * @prot: GMAP_MM_PROT_NONE, _READ, or _READ | _WRITE; with
 *	GMAP_MM_MAP_LARGE, a mapping of 1 MB pages (@haddr, @len and @frame
 *	1 MB aligned; anonymous ones are 1 MB aligned frames from the
 *	backend; caller frames get GMAP_MM_SEG_SPECIAL)
 *
 * Records the mapping; ptes (large segment entries) are made by
 * gmap_mm_fault(). Mirrors mmap_region() with MAP_FIXED_NOREPLACE, and
 * hugetlbfs for a large mapping.
 * Context: takes the mm's map lock for writing; allocates.
 * Return: 0; -EINVAL for a bad argument, also for a large mapping that is
 * not 1 MB aligned or on a backend without GMAP_FAC_EDAT1; -EEXIST when
 * the range overlaps a mapping; -ENOMEM (nothing changed).
 */
GMAP_API int gmap_mm_map(struct gmap_mm *mm, uint64_t haddr, uint64_t len, uint64_t frame,
			 unsigned int prot);

/**
 * gmap_mm_unmap() - remove mappings from a range.
 * @mm: the mm
 * @haddr: first host address, 4 KB aligned
 * @len: bytes, a non-zero multiple of 4 KB
 *
 * Zaps the range (see gmap_mm_zap()) and forgets the mappings; holes are
 * fine. Then the page table of each segment of the range that no mapping
 * touches any more is freed (into the mm's pool): under the page-table
 * lock, the segment callbacks, IDTE of the segment entry for the mm's
 * ASCE, the entry emptied. Mirrors do_munmap() with free_pgtables() /
 * page_table_free_rcu() -> gmap_unlink().
 * Context: takes the map lock for writing; may allocate to split a mapping.
 * Return: 0; -EINVAL for a bad argument or a range that ends inside a
 * segment of a large mapping; -ENOMEM (nothing changed).
 */
GMAP_API int gmap_mm_unmap(struct gmap_mm *mm, uint64_t haddr, uint64_t len);

/**
 * gmap_mm_mprotect() - change the protection of a mapped range.
 * @mm: the mm
 * @haddr: first host address, 4 KB aligned
 * @len: bytes, a non-zero multiple of 4 KB
 * @prot: GMAP_MM_PROT_NONE, _READ, or _READ | _WRITE
 *
 * Every present pte is changed as pte_modify() does, by lazy exchange; a
 * pte whose key the backend cannot store stays old (invalid: the next
 * access faults). Every present large segment entry is changed as
 * pmd_modify() does, when it changes: segment callbacks, IDTE, new entry
 * (pmdp_xchg_direct()). Mirrors mprotect_fixup() / change_pte_range() /
 * change_huge_pmd().
 * Context: takes the map lock for writing; may allocate to split mappings.
 * Return: 0; -EINVAL for a bad argument or a range that ends inside a
 * segment of a large mapping; -EFAULT when part of the range is not
 * mapped; -ENOMEM (nothing changed).
 */
GMAP_API int gmap_mm_mprotect(struct gmap_mm *mm, uint64_t haddr, uint64_t len,
			      unsigned int prot);

/**
 * gmap_mm_zap() - drop the pages of a range, keeping the mappings.
 * @mm: the mm
 * @haddr: first host address, 4 KB aligned
 * @len: bytes, a non-zero multiple of 4 KB
 *
 * Every pte is emptied by lazy exchange (key into the PGSTE, notifiers
 * called); every large segment entry is emptied after the segment
 * callbacks, with IDTE (zap_huge_pmd(), pmdp_xchg_direct()). The mm's own
 * frames go to its pool; the next touch faults in a zeroed frame. Mirrors
 * zap_page_range() / MADV_DONTNEED.
 * Context: takes the map lock for writing; no allocation.
 * Return: 0; -EINVAL for a bad argument or a range that ends inside a
 * segment of a large mapping.
 */
GMAP_API int gmap_mm_zap(struct gmap_mm *mm, uint64_t haddr, uint64_t len);

/**
 * gmap_mm_fault() - the host fault handler.
 * @mm: the mm
 * @haddr: the faulting host address (any alignment)
 * @access: GMAP_DAT_FETCH or GMAP_DAT_IFETCH (read fault) or
 *	GMAP_DAT_STORE (write fault)
 *
 * An empty pte gets a frame (anonymous: allocated and zeroed; else the
 * caller's), young, and dirty for a write (set_pte_at(), which clears the
 * PGSTE's ZERO state). A present pte is made young (cleared I) and, for
 * a write, dirty (cleared P), with ptep_set_access_flags() (a direct
 * exchange); a pte that already allows the access is left as it is (no
 * exchange, so no new UC), as Linux returns early there. In a large
 * mapping the same is done to the segment entry (huge_pte: young clears
 * I, dirty clears P): an empty one gets its 1 MB frame (anonymous: zeroed,
 * from the pool or the backend), a present one that changes goes through
 * the segment callbacks and IDTE. Mirrors handle_mm_fault() /
 * hugetlb_fault().
 * Context: takes the map lock for reading and the pte's lock; allocates.
 * Return: 0; -EINVAL for a bad @access; -EFAULT when @haddr is not mapped
 * or the access is not allowed (PROT_NONE, a store to a read-only
 * mapping); -ENOMEM (nothing changed).
 */
GMAP_API int gmap_mm_fault(struct gmap_mm *mm, uint64_t haddr, enum gmap_dat_access access);

/**
 * gmap_mm_test_and_clear_young() - make a pte old, tell whether it was young.
 * @mm: the mm
 * @haddr: host address of the page
 *
 * Mirrors ptep_test_and_clear_young() (a direct exchange to pte_mkold());
 * in a large mapping the segment entry is made old instead, with the
 * segment callbacks and IDTE (pmdp_test_and_clear_young()).
 * Context: takes the pte's lock, or for a large segment the map lock for
 * reading and the page-table lock; no allocation.
 * Return: 1 if the pte (segment entry) was young, 0 if not; -EFAULT when
 * no page is present at @haddr.
 */
GMAP_API int gmap_mm_test_and_clear_young(struct gmap_mm *mm, uint64_t haddr);

/**
 * gmap_mm_read_pte() - the pte and PGSTE of a host address.
 * @mm: the mm
 * @haddr: host address
 * @pte: out (may be NULL): the pte
 * @pgste: out (may be NULL): the PGSTE (0 in an mm without PGSTEs)
 *
 * A snapshot without locks (PCL may show as set). Mirrors get_pgste().
 * Context: any thread; no allocation.
 * Return: 0; -EFAULT when no page table covers @haddr (a large segment
 * has none: see gmap_mm_read_segment()).
 */
GMAP_API int gmap_mm_read_pte(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *pte,
			      gmap_pgste_t *pgste);

/**
 * gmap_mm_read_segment() - the host segment entry of a host address.
 * @mm: the mm
 * @haddr: host address
 * @ste: out: the segment entry: empty (GMAP_CRSTE_I alone), a page-table
 *	entry, or a large entry (GMAP_CRSTE_FC, with GMAP_MM_SEG_* software
 *	bits; Linux's huge pmd)
 *
 * A snapshot without locks, as gmap_mm_read_pte(). Mirrors the pmd
 * lookup of __gmap_link() / huge_pte_offset().
 * Context: any thread; no allocation.
 * Return: 0; -EINVAL for a NULL @ste; -EFAULT when no segment table
 * covers @haddr.
 */
GMAP_API int gmap_mm_read_segment(struct gmap_mm *mm, uint64_t haddr, gmap_crste_t *ste);

/**
 * gmap_mm_enable_sie() - give a populated mm PGSTEs.
 * @mm: the mm
 *
 * Copies the tables, each 2 KB page table into a 4 KB page with PGSTEs
 * made as set_pte_at() makes them (UC on writable valid ptes, which
 * without ESOP become dirty); then the attached CPUs load the new ASCE,
 * the old ASCE is purged from every TLB (IDTE) and the old tables freed.
 * Large segment entries are copied as they are.
 * A failed allocation frees the copy. Mirrors s390_enable_sie() with
 * dup_mm() (seed 000).
 * Context: takes the map lock for writing; no other thread may use the mm
 * without it meanwhile; allocates.
 * Return: 0 (also when the mm already has PGSTEs); -ENOMEM.
 */
GMAP_API int gmap_mm_enable_sie(struct gmap_mm *mm);

/**
 * gmap_mm_notifier_register() - add invalidation callbacks.
 * @mm: the mm
 * @nb: the callbacks; the caller's memory, untouched but @nb->next until
 *	unregistered
 *
 * The list is walked without a lock while it changes. Mirrors
 * gmap_register_pte_notifier().
 * Context: any thread but a callback; no allocation.
 * Return: 0; -EINVAL for NULL or an @nb without any of the three
 * callbacks; -EEXIST if @nb is registered.
 */
GMAP_API int gmap_mm_notifier_register(struct gmap_mm *mm, struct gmap_mm_notifier *nb);

/**
 * gmap_mm_notifier_unregister() - remove callbacks.
 * @mm: the mm
 * @nb: registered callbacks
 *
 * Returns after every notification that might still use @nb has ended,
 * so @nb may be freed then. Mirrors gmap_unregister_pte_notifier()
 * (list_del_rcu() + synchronize_rcu()).
 * Context: any thread but a callback; no allocation.
 * Return: 0; -ENOENT if @nb is not registered.
 */
GMAP_API int gmap_mm_notifier_unregister(struct gmap_mm *mm, struct gmap_mm_notifier *nb);

#ifdef __cplusplus
}
#endif

#endif /* LIBGMAP_MM_H */
