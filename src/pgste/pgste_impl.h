/* SPDX-License-Identifier: MIT */
/*
 * Internal: the mm's state and the helpers shared by the files of the
 * pgste layer: table walking (mm.c), the PGSTE lock and pte
 * exchange (xchg.c), Linux's pte and huge pmd bit helpers (below),
 * mappings (vma.c), segment entries (segment.c), pools (pool.c), and the notifier chain
 * (notify.c).
 *
 * Locks, outermost first:
 *  - map_lock (a reader-writer lock, Linux's mmap_lock): writers change
 *    mappings, free page tables (gmap_mm_unmap(), Linux's free_pgtables())
 *    or replace tables (enable_sie); faults read. Operations on single
 *    ptes of an mm with PGSTEs do not take it: their caller keeps the page
 *    mapped during the call (Linux's callers hold mmap_lock; the gmap
 *    layer takes mm_map_read_lock()). A freed page table goes to the mm's
 *    pool, never back to the backend before gmap_mm_destroy(), so a racing
 *    lock-free reader reads stale memory, not freed memory.
 *  - ptl (a spin lock, Linux's page_table_lock / pmd lock): installs
 *    tables, changes segment entries (large ones, freed page tables; the
 *    segment callbacks run under it), and in an mm without PGSTEs guards
 *    every pte change.
 *  - PCL (a bit in each PGSTE, Linux's pgste_get_lock()): guards one pte
 *    and its PGSTE. Callbacks of notifiers run with it held.
 *  - pool_lock (a spin lock): the pools of free page tables and frames.
 */
#ifndef GMAP_PGSTE_IMPL_H
#define GMAP_PGSTE_IMPL_H

#include <pthread.h>
#include <sched.h>

#include <atomic_ops.h>

#include "spin.h"

#include <libgmap/pgste.h>

#include "nchain.h"

/* Region and segment tables are always allocated whole (4 parts, 2048
 * entries), as Linux's crst tables are. */
#define MM_CRST_TL	3
#define MM_CRST_BYTES	((size_t)(MM_CRST_TL + 1) * GMAP_CRST_PART_SIZE)
/* A page-table page: 2 KB of ptes, then 2 KB of PGSTEs when it has them. */
#define MM_PT_BYTES(pgste)	((size_t)((pgste) ? 2 : 1) * GMAP_PT_SIZE)

/* The pte bits the hardware looks at, and the Linux protection values
 * (PAGE_NONE, PAGE_RO, PAGE_RW without NOEXEC: the mm has no IEP). */
#define MM_PAGE_NONE	(GMAP_MM_PTE_PRESENT | GMAP_PTE_I | GMAP_PTE_P)
#define MM_PAGE_RO	(MM_PAGE_NONE | GMAP_MM_PTE_READ)
#define MM_PAGE_RW	(MM_PAGE_RO | GMAP_MM_PTE_WRITE)
/* Bits pte_modify() keeps (_PAGE_CHG_MASK). */
#define MM_PTE_CHG_MASK	(GMAP_PTE_PFRA | GMAP_MM_PTE_SPECIAL | GMAP_MM_PTE_DIRTY | \
			 GMAP_MM_PTE_YOUNG)
/* The empty segment entry, and a large one's protection values (Linux's
 * SEGMENT_NONE / _RO / _RW with _SEGMENT_ENTRY_LARGE). */
#define MM_SEG_EMPTY	GMAP_CRSTE_I
#define MM_SEG_NONE	(GMAP_CRSTE_FC | GMAP_CRSTE_I | GMAP_CRSTE_P)
#define MM_SEG_RO	(MM_SEG_NONE | GMAP_MM_SEG_READ)
#define MM_SEG_RW	(MM_SEG_RO | GMAP_MM_SEG_WRITE)
/* Bits pmd_modify() keeps (_SEGMENT_CHG_MASK). */
#define MM_SEG_CHG_MASK	(GMAP_SEGMENT_SFAA | GMAP_MM_SEG_SPECIAL | GMAP_MM_SEG_DIRTY | \
			 GMAP_MM_SEG_YOUNG)

/*
 * struct mm_vma - one mapping.
 * @start: first host address
 * @end: first address after it
 * @frame: absolute address of the caller's frame for @start, or 0 for
 *	anonymous memory
 * @prot: GMAP_MM_PROT_*
 */
struct mm_vma {
	uint64_t start;
	uint64_t end;
	uint64_t frame;
	unsigned int prot;
	bool large;
};

/*
 * struct mm_pool - free page tables kept for reuse: a list linked through
 * the first word of each (its address | GMAP_PTE_I, so a pooled page table
 * reads as an invalid pte there; lock-free users only read page tables).
 * @head: the first piece, or NULL
 * @size: bytes of each piece (for the return to the backend)
 */
struct mm_pool {
	void *head;
	size_t size;
};

/* Slots of a frame pool inside the mm. */
#define MM_FRAME_SLOTS	32

/*
 * struct mm_frame_pool - free anonymous frames of one size kept for
 * reuse. Their addresses are kept outside them, in @free: a store racing
 * with the free (a guest access through a translation made just before)
 * lands in a pooled frame and harms nothing. @free has a slot for every
 * frame of the pool's size the mm holds, reserved when the frame comes
 * from the backend, so a free never allocates; the first
 * MM_FRAME_SLOTS slots are @slot, so a small mm never allocates any.
 * @free: the pooled frames, @n of them (@slot, or from the backend)
 * @cap: slots in @free (at least @owned)
 * @owned: frames of this size the mm holds, mapped or pooled
 * @size: bytes of each frame (4 KB or 1 MB)
 */
struct mm_frame_pool {
	void **free;
	size_t n;
	size_t cap;
	size_t owned;
	size_t size;
	void *slot[MM_FRAME_SLOTS];
};

/*
 * struct gmap_mm - a host address space.
 * @arch: the backend
 * @top: the top table
 * @top_tt: its type
 * @asce: the ASCE (atomic: replaced by enable_sie)
 * @limit: first address beyond the top table's reach; 0: none
 * @pgste: page tables carry PGSTEs (atomic: set by enable_sie)
 * @esop: the machine has ESOP (writable ptes need not be dirty up front)
 * @map_lock: see the file comment
 * @ptl: see the file comment
 * @vma: mappings, sorted and disjoint; @nvma used of @vma_cap
 * @attached: mask of the CPUs the mm is attached to
 * @flush_cpu: CPU number + 1 whose TLB a lazy exchange left to purge; 0
 * @table_bytes: DAT table memory held
 * @notifiers: the notifier chain
 * @pool_lock: guards the pools
 * @pt_pool: free page tables (of the mm's current kind)
 * @frame_pool: free anonymous 4 KB frames
 * @large_pool: free anonymous 1 MB frames
 */
struct gmap_mm {
	struct gmap_arch *arch;
	gmap_crste_t *top;
	int top_tt;
	AO_t asce;
	uint64_t limit;
	AO_t pgste;
	bool esop;
	pthread_rwlock_t map_lock;
	AO_TS_t ptl;
	struct mm_vma *vma;
	size_t nvma;
	size_t vma_cap;
	AO_t attached;
	AO_t flush_cpu;
	AO_t table_bytes;
	struct nchain notifiers;
	AO_TS_t pool_lock;
	struct mm_pool pt_pool;
	struct mm_frame_pool frame_pool;
	struct mm_frame_pool large_pool;
};

/* Acquire: an mm seen with PGSTEs is seen with the tables enable_sie made. */
static inline bool mm_has_pgste(const struct gmap_mm *mm)
{
	return AO_load_acquire(&mm->pgste) != 0;
}

/* Table entries are read and written whole: the modelled CPUs walk the
 * tables at the same time. */
static inline uint64_t mm_load(const void *p)
{
	return __atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE);
}

static inline void mm_store(void *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELEASE);
}

/* The PGSTE of a pte: 2 KB above it, in the same page-table page. */
static inline uint64_t *pgste_word(gmap_pte_t *ptep)
{
	return &(ptep + GMAP_PT_ENTRIES)->val;
}

/*
 * struct mm_ebits - where Linux's young/dirty emulation keeps its bits in
 * a pte or in a large segment entry (huge pmd): an old entry is invalid,
 * a clean one protected, so the first access / store faults.
 */
struct mm_ebits {
	uint64_t i, p, read, write, young, dirty, chg;
	uint64_t none, ro, rw;
};

#define MM_PTE_BITS                                                                     \
	(&(const struct mm_ebits){ GMAP_PTE_I, GMAP_PTE_P, GMAP_MM_PTE_READ,             \
				   GMAP_MM_PTE_WRITE, GMAP_MM_PTE_YOUNG, GMAP_MM_PTE_DIRTY, \
				   MM_PTE_CHG_MASK, MM_PAGE_NONE, MM_PAGE_RO, MM_PAGE_RW })
#define MM_SEG_BITS                                                                      \
	(&(const struct mm_ebits){ GMAP_CRSTE_I, GMAP_CRSTE_P, GMAP_MM_SEG_READ,          \
				   GMAP_MM_SEG_WRITE, GMAP_MM_SEG_YOUNG, GMAP_MM_SEG_DIRTY, \
				   MM_SEG_CHG_MASK, MM_SEG_NONE, MM_SEG_RO, MM_SEG_RW })

/* mkyoung: young, and valid if readable. */
static inline uint64_t e_mkyoung(const struct mm_ebits *b, uint64_t e)
{
	e |= b->young;
	if (e & b->read)
		e &= ~b->i;
	return e;
}

/* mkold: not young, invalid so the next access faults. */
static inline uint64_t e_mkold(const struct mm_ebits *b, uint64_t e)
{
	return (e & ~b->young) | b->i;
}

/* mkdirty: dirty, and unprotected if writable. */
static inline uint64_t e_mkdirty(const struct mm_ebits *b, uint64_t e)
{
	e |= b->dirty;
	if (e & b->write)
		e &= ~b->p;
	return e;
}

/* The protection value of GMAP_MM_PROT_* (PAGE_NONE / _RO / _RW). */
static inline uint64_t e_prot_bits(const struct mm_ebits *b, unsigned int prot)
{
	if (prot & GMAP_MM_PROT_WRITE)
		return b->rw;
	return (prot & GMAP_MM_PROT_READ) ? b->ro : b->none;
}

/* pte_modify() / pmd_modify(): new protection, young and dirty kept in
 * hardware bits. */
static inline uint64_t e_modify(const struct mm_ebits *b, uint64_t e, unsigned int prot)
{
	e = (e & b->chg) | e_prot_bits(b, prot);
	if ((e & b->young) && (e & b->read))
		e &= ~b->i;
	if ((e & b->dirty) && (e & b->write))
		e &= ~b->p;
	return e;
}

/* Linux's pte helpers (arch/s390/include/asm/pgtable.h). */
static inline bool pte_present(uint64_t pte)
{
	return pte & GMAP_MM_PTE_PRESENT;
}

static inline bool pte_valid(uint64_t pte)
{
	return !(pte & GMAP_PTE_I);
}

static inline uint64_t pte_mkyoung(uint64_t pte)
{
	return e_mkyoung(MM_PTE_BITS, pte);
}

static inline uint64_t pte_mkold(uint64_t pte)
{
	return e_mkold(MM_PTE_BITS, pte);
}

static inline uint64_t pte_mkdirty(uint64_t pte)
{
	return e_mkdirty(MM_PTE_BITS, pte);
}

static inline uint64_t pte_prot_bits(unsigned int prot)
{
	return e_prot_bits(MM_PTE_BITS, prot);
}

static inline uint64_t pte_modify(uint64_t pte, unsigned int prot)
{
	return e_modify(MM_PTE_BITS, pte, prot);
}

/* A large segment entry: the format control bit marks it (pmd_large()). */
static inline bool seg_large(uint64_t ste)
{
	return ste & GMAP_CRSTE_FC;
}

/* mm.c: tables. */
bool mm_range_ok(const struct gmap_mm *mm, uint64_t haddr, uint64_t len);
gmap_pte_t *mm_walk(struct gmap_mm *mm, uint64_t haddr);
/* The host segment entry of @haddr, or NULL when a region table on the
 * way is missing; no lock (entries are read whole, tables pooled). */
gmap_crste_t *mm_segment_walk(struct gmap_mm *mm, uint64_t haddr);
int mm_ste_alloc(struct gmap_mm *mm, uint64_t haddr, gmap_crste_t **ste);
int mm_pte_alloc(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t **ptep);
gmap_pte_t *mm_pgtable_alloc(struct gmap_mm *mm, bool pgste);
void mm_pgtable_free(struct gmap_mm *mm, gmap_pte_t *pt, bool pgste);
gmap_crste_t *mm_crst_alloc(struct gmap_mm *mm, int tt);
void mm_crst_free(struct gmap_mm *mm, gmap_crste_t *table);
void mm_free_tables(struct gmap_mm *mm, gmap_crste_t *table, int tt, bool pgste,
		    bool free_frames);
unsigned int mm_flush_cpu(struct gmap_mm *mm, bool *local);
typedef int (*mm_pte_fn)(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep, void *priv);
long mm_for_each_pte(struct gmap_mm *mm, uint64_t haddr, uint64_t npages, mm_pte_fn fn,
		     void *priv);
int mm_pte_get_alloc(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t **ptep);

/* xchg.c: the PGSTE lock, the pte lock of either kind of mm, exchange. */
uint64_t pgste_get_lock(gmap_pte_t *ptep);
void pgste_set_unlock(gmap_pte_t *ptep, uint64_t pgste);
uint64_t pte_lock(struct gmap_mm *mm, gmap_pte_t *ptep);
void pte_unlock(struct gmap_mm *mm, gmap_pte_t *ptep, uint64_t pgste);
uint64_t pgste_update_all(struct gmap_mm *mm, uint64_t pte, uint64_t pgste);
int pgste_set_key(struct gmap_mm *mm, uint64_t pgste, uint64_t pte);
uint64_t pgste_set_pte(struct gmap_mm *mm, gmap_pte_t *ptep, uint64_t pgste, uint64_t pte);
uint64_t ptep_flush(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep, bool lazy);
int ptep_xchg_locked(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep, uint64_t *pgste,
		     uint64_t new_pte, bool lazy, uint64_t *old);

/* pool.c: free page tables and frames kept for reuse. */
void *mm_pool_get(struct gmap_mm *mm, struct mm_pool *pool);
void mm_pool_put(struct gmap_mm *mm, struct mm_pool *pool, void *piece);
void mm_pool_drain(struct gmap_mm *mm, struct mm_pool *pool);
void mm_frame_pool_init(struct mm_frame_pool *pool, size_t size);
void mm_frame_pool_fini(struct gmap_mm *mm, struct mm_frame_pool *pool);
void *mm_frame_alloc(struct gmap_mm *mm, bool large, bool *pooled);
void mm_frame_unused(struct gmap_mm *mm, void *frame, bool large, bool pooled);
void mm_free_frame(struct gmap_mm *mm, uint64_t pte);
void mm_free_large(struct gmap_mm *mm, uint64_t ste);

/* notify.c: the notifier chain. */
uint64_t pgste_pte_notify(struct gmap_mm *mm, uint64_t haddr, uint64_t pgste);
void mm_segment_notify(struct gmap_mm *mm, uint64_t haddr);

/* segment.c: large segments (Linux's huge pmds) and freeing page tables;
 * map lock held. */
void mm_ste_xchg(struct gmap_mm *mm, uint64_t haddr, gmap_crste_t *ste, uint64_t new);
void mm_free_pgtables(struct gmap_mm *mm, uint64_t start, uint64_t end);
int mm_large_fault(struct gmap_mm *mm, const struct mm_vma *v, uint64_t haddr, bool write);
void mm_large_zap(struct gmap_mm *mm, uint64_t start, uint64_t end);
void mm_large_protect(struct gmap_mm *mm, uint64_t start, uint64_t end, unsigned int prot);
/* segment.c: gmap_mm_test_and_clear_young() on a large segment; takes the
 * map lock. */
int mm_large_test_and_clear_young(struct gmap_mm *mm, uint64_t haddr);
/* segment.c: a large segment's frame for the storage key operations. */
bool mm_large_lock(struct gmap_mm *mm, uint64_t haddr, uint64_t *frame);

/* fault.c: gmap_mm_fault() for a caller that holds the map lock for
 * reading (gmap_fault() under mmap_lock); same returns. */
int mm_fault_locked(struct gmap_mm *mm, uint64_t haddr, enum gmap_dat_access access);

/* The map lock for readers outside the pgste layer (the gmap takes it
 * around its pte work so that no page table is freed under it). */
static inline void mm_map_read_lock(struct gmap_mm *mm)
{
	pthread_rwlock_rdlock(&mm->map_lock);
}

static inline void mm_map_read_unlock(struct gmap_mm *mm)
{
	pthread_rwlock_unlock(&mm->map_lock);
}

/* vma.c: mappings; map_lock held. */
const struct mm_vma *vma_find(const struct gmap_mm *mm, uint64_t haddr);
bool vma_covered(const struct gmap_mm *mm, uint64_t start, uint64_t end);
int vma_reserve(struct gmap_mm *mm, size_t more);
void vma_insert(struct gmap_mm *mm, uint64_t start, uint64_t end, uint64_t frame,
		unsigned int prot, bool large);
bool vma_any(const struct gmap_mm *mm, uint64_t start, uint64_t end);
bool vma_large_cut(const struct gmap_mm *mm, uint64_t start, uint64_t end);
void vma_remove(struct gmap_mm *mm, uint64_t start, uint64_t end);
void vma_protect(struct gmap_mm *mm, uint64_t start, uint64_t end, unsigned int prot);
size_t vma_splits(const struct gmap_mm *mm, uint64_t start, uint64_t end);

/* Both ends of a range op: validation shared by map, unmap, zap ... */
static inline bool mm_page_range_ok(const struct gmap_mm *mm, uint64_t haddr, uint64_t len)
{
	return !((haddr | len) & (GMAP_PAGE_SIZE - 1)) && len && mm_range_ok(mm, haddr, len);
}

#endif /* GMAP_PGSTE_IMPL_H */
