/* SPDX-License-Identifier: MIT */
/*
 * Internal: the mm's state and the helpers shared by the files of the
 * pgste layer: table walking (mm.c), the PGSTE lock and pte exchange
 * (xchg.c), Linux's pte bit helpers (below), mappings (vma.c), and the
 * notifier chain (notify.c).
 *
 * Locks, outermost first:
 *  - map_lock (a reader-writer lock, Linux's mmap_lock): writers change
 *    mappings or replace tables (enable_sie); faults read. Operations on
 *    single ptes of an mm with PGSTEs do not take it: tables of such an mm
 *    are only freed by gmap_mm_destroy().
 *  - ptl (a spin lock, Linux's page_table_lock): installs tables, and in an
 *    mm without PGSTEs guards every pte change.
 *  - PCL (a bit in each PGSTE, Linux's pgste_get_lock()): guards one pte
 *    and its PGSTE. Callbacks of notifiers run with it held.
 */
#ifndef GMAP_PGSTE_IMPL_H
#define GMAP_PGSTE_IMPL_H

#include <pthread.h>
#include <sched.h>

#include <atomic_ops.h>

#include <libgmap/pgste.h>

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
 * @notifiers: head of the notifier list (atomic)
 * @notifier_lock: serialises changes of the list
 * @notify_readers: notifications walking the list now (atomic)
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
	struct gmap_mm_notifier *notifiers;
	AO_TS_t notifier_lock;
	unsigned long notify_readers;
};

/* Spins before a waiter yields its CPU to the holder of a bit lock. */
#define MM_LOCK_SPINS	64

static inline void mm_spin_lock(AO_TS_t *lock)
{
	for (unsigned int n = 0; AO_test_and_set_acquire(lock) == AO_TS_SET; n++)
		if (n >= MM_LOCK_SPINS)
			sched_yield();
}

static inline void mm_spin_unlock(AO_TS_t *lock)
{
	AO_CLEAR(lock);
}

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
 * Linux's pte helpers (arch/s390/include/asm/pgtable.h): young and dirty
 * are emulated with the invalid and protection bits.
 */
static inline bool pte_present(uint64_t pte)
{
	return pte & GMAP_MM_PTE_PRESENT;
}

static inline bool pte_valid(uint64_t pte)
{
	return !(pte & GMAP_PTE_I);
}

/* pte_mkyoung(): young, and valid if readable. */
static inline uint64_t pte_mkyoung(uint64_t pte)
{
	pte |= GMAP_MM_PTE_YOUNG;
	if (pte & GMAP_MM_PTE_READ)
		pte &= ~GMAP_PTE_I;
	return pte;
}

/* pte_mkold(): not young, invalid so the next access faults. */
static inline uint64_t pte_mkold(uint64_t pte)
{
	return (pte & ~GMAP_MM_PTE_YOUNG) | GMAP_PTE_I;
}

/* pte_mkdirty(): dirty, and unprotected if writable. */
static inline uint64_t pte_mkdirty(uint64_t pte)
{
	pte |= GMAP_MM_PTE_DIRTY;
	if (pte & GMAP_MM_PTE_WRITE)
		pte &= ~GMAP_PTE_P;
	return pte;
}

/* The protection value of GMAP_MM_PROT_* (PAGE_NONE / _RO / _RW). */
static inline uint64_t pte_prot_bits(unsigned int prot)
{
	if (prot & GMAP_MM_PROT_WRITE)
		return MM_PAGE_RW;
	return (prot & GMAP_MM_PROT_READ) ? MM_PAGE_RO : MM_PAGE_NONE;
}

/* pte_modify(): new protection, young and dirty kept in hardware bits. */
static inline uint64_t pte_modify(uint64_t pte, unsigned int prot)
{
	pte = (pte & MM_PTE_CHG_MASK) | pte_prot_bits(prot);
	if ((pte & GMAP_MM_PTE_YOUNG) && (pte & GMAP_MM_PTE_READ))
		pte &= ~GMAP_PTE_I;
	if ((pte & GMAP_MM_PTE_DIRTY) && (pte & GMAP_MM_PTE_WRITE))
		pte &= ~GMAP_PTE_P;
	return pte;
}

/* mm.c: tables. */
bool mm_range_ok(const struct gmap_mm *mm, uint64_t haddr, uint64_t len);
gmap_pte_t *mm_walk(struct gmap_mm *mm, uint64_t haddr);
int mm_pte_alloc(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t **ptep);
gmap_pte_t *mm_pgtable_alloc(struct gmap_mm *mm, bool pgste);
void mm_pgtable_free(struct gmap_mm *mm, gmap_pte_t *pt, bool pgste);
gmap_crste_t *mm_crst_alloc(struct gmap_mm *mm, int tt);
void mm_crst_free(struct gmap_mm *mm, gmap_crste_t *table);
void mm_free_tables(struct gmap_mm *mm, gmap_crste_t *table, int tt, bool pgste,
		    bool free_frames);
void mm_free_frame(struct gmap_mm *mm, uint64_t pte);
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

/* notify.c: the notifier chain. */
uint64_t pgste_pte_notify(struct gmap_mm *mm, uint64_t haddr, uint64_t pgste);

/* vma.c: mappings; map_lock held. */
const struct mm_vma *vma_find(const struct gmap_mm *mm, uint64_t haddr);
bool vma_covered(const struct gmap_mm *mm, uint64_t start, uint64_t end);
int vma_reserve(struct gmap_mm *mm, size_t more);
void vma_insert(struct gmap_mm *mm, uint64_t start, uint64_t end, uint64_t frame,
		unsigned int prot);
void vma_remove(struct gmap_mm *mm, uint64_t start, uint64_t end);
void vma_protect(struct gmap_mm *mm, uint64_t start, uint64_t end, unsigned int prot);
size_t vma_splits(const struct gmap_mm *mm, uint64_t start, uint64_t end);

/* Both ends of a range op: validation shared by map, unmap, zap ... */
static inline bool mm_page_range_ok(const struct gmap_mm *mm, uint64_t haddr, uint64_t len)
{
	return !((haddr | len) & (GMAP_PAGE_SIZE - 1)) && len && mm_range_ok(mm, haddr, len);
}

#endif /* GMAP_PGSTE_IMPL_H */
