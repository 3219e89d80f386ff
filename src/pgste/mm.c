// SPDX-License-Identifier: MIT
/*
 * The host address space: creation, CPUs it runs on, and its tables
 * (region/segment tables of 2048 entries, page-table pages with or without
 * PGSTEs), walked without locks and populated under the page-table lock
 * from tables allocated before it is taken. Page tables freed while the
 * mm lives go to its pool (pool.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pgste_impl.h"

/* Read an option field only when the caller's struct covers it. */
#define MM_OPT(opts, field, dflt)                                              \
	((opts)->sz >= offsetof(struct gmap_mm_opts, field) + sizeof((opts)->field) \
		 ? (opts)->field                                               \
		 : (dflt))

/* Shift of the index of a table of type @tt: SX 20, RTX 31, RSX 42, RFX 53. */
static unsigned int tt_shift(int tt)
{
	return GMAP_SEGMENT_SHIFT + 11 * (unsigned int)tt;
}

static unsigned int tt_index(uint64_t haddr, int tt)
{
	return (unsigned int)(haddr >> tt_shift(tt)) & 0x7ff;
}

static void account(struct gmap_mm *mm, size_t bytes, bool add)
{
	AO_fetch_and_add(&mm->table_bytes, add ? (AO_t)bytes : (AO_t)0 - (AO_t)bytes);
}

/**
 * mm_crst_alloc() - allocate a whole region or segment table, counted.
 * @mm: the mm
 * @tt: its type (enum gmap_dat_tt)
 *
 * Context: any thread; allocates through the backend.
 * Return: the table (every entry invalid), or NULL.
 */
gmap_crste_t *mm_crst_alloc(struct gmap_mm *mm, int tt)
{
	gmap_crste_t *t = gmap_arch_alloc_crst(mm->arch, (enum gmap_dat_tt)tt, MM_CRST_TL);

	if (t)
		account(mm, MM_CRST_BYTES, true);
	return t;
}

/**
 * mm_crst_free() - free a table from mm_crst_alloc().
 * @mm: the mm
 * @table: the table (NULL is ignored)
 *
 * Context: no other thread may reach @table.
 */
void mm_crst_free(struct gmap_mm *mm, gmap_crste_t *table)
{
	if (!table)
		return;
	account(mm, MM_CRST_BYTES, false);
	gmap_arch_free_crst(mm->arch, table, MM_CRST_TL);
}

/**
 * mm_pgtable_alloc() - allocate a page table, counted; from the pool first
 * when it holds tables of this kind.
 * @mm: the mm
 * @pgste: a 4 KB page with PGSTEs, else a 2 KB pte-only table
 *
 * Context: any thread; takes pool_lock; may allocate.
 * Return: the table (every pte empty, PGSTEs zero), or NULL.
 */
gmap_pte_t *mm_pgtable_alloc(struct gmap_mm *mm, bool pgste)
{
	gmap_pte_t *pt = NULL;

	if (mm->pt_pool.size == MM_PT_BYTES(pgste))
		pt = mm_pool_get(mm, &mm->pt_pool);
	if (pt) {
		/* A reused table starts as a new one. */
		for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
			mm_store(&pt[i], GMAP_MM_PTE_NONE);
		if (pgste)
			memset(pt + GMAP_PT_ENTRIES, 0, GMAP_PT_SIZE);
	} else if (pgste) {
		pt = gmap_arch_alloc_pgtable(mm->arch);
	} else {
		/* A pte-only table: Linux's 2 KB fragment of a page. */
		pt = gmap_arch_alloc(mm->arch, GMAP_PT_SIZE, GMAP_PT_SIZE);
		for (unsigned int i = 0; pt && i < GMAP_PT_ENTRIES; i++)
			pt[i].val = GMAP_MM_PTE_NONE;
	}
	if (pt)
		account(mm, MM_PT_BYTES(pgste), true);
	return pt;
}

/**
 * mm_pgtable_free() - free a table from mm_pgtable_alloc(): into the pool
 * when it holds tables of this kind, else back to the backend.
 * @mm: the mm
 * @pt: the table (NULL is ignored)
 * @pgste: as it was allocated
 *
 * Context: no table links @pt any more; takes pool_lock.
 */
void mm_pgtable_free(struct gmap_mm *mm, gmap_pte_t *pt, bool pgste)
{
	if (!pt)
		return;
	account(mm, MM_PT_BYTES(pgste), false);
	if (mm->pt_pool.size == MM_PT_BYTES(pgste))
		mm_pool_put(mm, &mm->pt_pool, pt);
	else if (pgste)
		gmap_arch_free_pgtable(mm->arch, pt);
	else
		gmap_arch_free(mm->arch, pt, GMAP_PT_SIZE);
}

static void *entry_table(const struct gmap_mm *mm, uint64_t e, int tt)
{
	uint64_t mask = tt == GMAP_TT_SEGMENT ? GMAP_SEGMENT_PTO : GMAP_CRSTE_ORIGIN;

	return gmap_arch_real_to_virt(mm->arch, e & mask);
}

/**
 * mm_free_tables() - free a table and everything below it.
 * @mm: the mm
 * @table: the table
 * @tt: its type
 * @pgste: the kind of its page tables
 * @free_frames: also free the frames the mm allocated (into the pools)
 *
 * Context: no other thread may reach the tables.
 */
void mm_free_tables(struct gmap_mm *mm, gmap_crste_t *table, int tt, bool pgste,
		    bool free_frames)
{
	for (unsigned int i = 0; i < GMAP_CRST_MAX_ENTRIES; i++) {
		uint64_t e = table[i].val;
		gmap_pte_t *pt;

		if (tt == GMAP_TT_SEGMENT && seg_large(e)) {
			if (free_frames)
				mm_free_large(mm, e);
			continue;
		}
		if (e & GMAP_CRSTE_I)
			continue;
		if (tt != GMAP_TT_SEGMENT) {
			mm_free_tables(mm, entry_table(mm, e, tt), tt - 1, pgste, free_frames);
			continue;
		}
		pt = entry_table(mm, e, tt);
		for (unsigned int j = 0; free_frames && j < GMAP_PT_ENTRIES; j++)
			mm_free_frame(mm, pt[j].val);
		mm_pgtable_free(mm, pt, pgste);
	}
	mm_crst_free(mm, table);
}

/**
 * mm_range_ok() - whether a range lies within the top table's reach.
 * @mm: the mm
 * @haddr: first host address
 * @len: bytes (0 is not a range)
 *
 * Context: any thread.
 * Return: true when [@haddr, @haddr + @len) is reachable.
 */
bool mm_range_ok(const struct gmap_mm *mm, uint64_t haddr, uint64_t len)
{
	if (!len)
		return false;
	if (!mm->limit)
		return len - 1 <= UINT64_MAX - haddr;
	return haddr < mm->limit && len <= mm->limit - haddr;
}

/**
 * mm_segment_walk() - the host segment entry of a host address.
 * @mm: the mm
 * @haddr: host address
 *
 * No lock: region and segment tables are freed only by gmap_mm_destroy()
 * and enable_sie (under the map lock for writing).
 *
 * Context: any thread; no lock.
 * Return: the segment entry, or NULL when @haddr is beyond the mm's reach
 * or a region table on the way is missing.
 */
gmap_crste_t *mm_segment_walk(struct gmap_mm *mm, uint64_t haddr)
{
	gmap_crste_t *t = mm->top;

	if (!mm_range_ok(mm, haddr, 1))
		return NULL;
	for (int tt = mm->top_tt; tt > GMAP_TT_SEGMENT; tt--) {
		uint64_t e = mm_load(&t[tt_index(haddr, tt)]);

		if (e & GMAP_CRSTE_I)
			return NULL;
		t = entry_table(mm, e, tt);
	}
	return &t[tt_index(haddr, GMAP_TT_SEGMENT)];
}

/**
 * mm_walk() - the pte of a host address, without allocating.
 * @mm: the mm
 * @haddr: host address
 *
 * No lock: the caller keeps the page mapped (holds the map lock, or knows
 * the page stays mapped during the call, as Linux's callers hold
 * mmap_lock), so the page table is not freed under it; a racing unmap
 * returns freed tables to the mm's pool, never to the backend.
 *
 * Context: any thread; no lock (see above).
 * Return: the pte, or NULL when no page table covers @haddr (also for a
 * large segment).
 */
gmap_pte_t *mm_walk(struct gmap_mm *mm, uint64_t haddr)
{
	gmap_crste_t *ste = mm_segment_walk(mm, haddr);
	uint64_t e;

	if (!ste)
		return NULL;
	e = mm_load(ste);
	if (e & (GMAP_CRSTE_I | GMAP_CRSTE_FC))
		return NULL;
	return (gmap_pte_t *)entry_table(mm, e, GMAP_TT_SEGMENT) + GMAP_VA_PX(haddr);
}

/*
 * struct tables - tables allocated before the page-table lock is taken:
 * @crst[tt] for a missing entry of a table of type tt + 1, @pt for a
 * missing segment entry.
 */
struct tables {
	gmap_crste_t *crst[GMAP_TT_REGION1];
	gmap_pte_t *pt;
};

static void tables_free(struct gmap_mm *mm, struct tables *c, bool pgste)
{
	for (int tt = 0; tt < GMAP_TT_REGION1; tt++)
		mm_crst_free(mm, c->crst[tt]);
	mm_pgtable_free(mm, c->pt, pgste);
}

/* Allocate what the walk to @haddr lacks, from the first invalid entry
 * down: tables down to the segment table, and the page table when @pt.
 * Return: 0, or -ENOMEM with nothing held. */
static int tables_fill(struct gmap_mm *mm, uint64_t haddr, struct tables *c, bool pgste,
		       bool pt)
{
	gmap_crste_t *t = mm->top;
	int tt = mm->top_tt;

	for (;; tt--) {
		uint64_t e;

		if (tt == GMAP_TT_SEGMENT && !pt)
			return 0;
		e = mm_load(&t[tt_index(haddr, tt)]);
		if (e & GMAP_CRSTE_I)
			break;
		if (tt == GMAP_TT_SEGMENT)
			return 0;
		t = entry_table(mm, e, tt);
	}
	for (int below = tt - 1; below >= GMAP_TT_SEGMENT; below--)
		if (!(c->crst[below] = mm_crst_alloc(mm, below)))
			goto nomem;
	if (!pt || (c->pt = mm_pgtable_alloc(mm, pgste)))
		return 0;
nomem:
	tables_free(mm, c, pgste);
	return -ENOMEM;
}

/* Install @next under entry @ep of a table of type @tt unless another
 * thread did; ptl held. */
static void install(struct gmap_mm *mm, gmap_crste_t *ep, int tt, void **next)
{
	uint64_t origin = gmap_arch_virt_to_real(mm->arch, *next);
	gmap_crste_t e;

	if (!(mm_load(ep) & GMAP_CRSTE_I))
		return;
	if (tt == GMAP_TT_SEGMENT)
		e = gmap_crste_mk_table(origin, GMAP_TT_SEGMENT, 0, 0, 0);
	else
		e = gmap_crste_mk_table(origin, (enum gmap_dat_tt)tt, 0, MM_CRST_TL, 0);
	mm_store(ep, e.val);
	*next = NULL;
}

/*
 * The walk to @haddr, allocating missing tables: down to the segment
 * entry (*@out: the entry) or, with @pt, to the pte (*@out: the pte).
 * Tables are allocated first, then linked under the page-table lock one
 * entry at a time; tables another thread linked meanwhile are freed.
 * Return: 0; -ENOMEM with the tables unchanged.
 */
static int walk_alloc(struct gmap_mm *mm, uint64_t haddr, bool pt, void **out)
{
	bool pgste = mm_has_pgste(mm);
	struct tables c = { 0 };
	gmap_crste_t *t = mm->top;
	int rc;

	rc = tables_fill(mm, haddr, &c, pgste, pt);
	if (rc)
		return rc;
	for (int tt = mm->top_tt;; tt--) {
		gmap_crste_t *ep = &t[tt_index(haddr, tt)];
		uint64_t e;

		if (tt == GMAP_TT_SEGMENT && !pt) {
			*out = ep;
			break;
		}
		e = mm_load(ep);
		if (e & GMAP_CRSTE_I) {
			spin_lock(&mm->ptl);
			install(mm, ep, tt, tt == GMAP_TT_SEGMENT ? (void **)&c.pt :
								    (void **)&c.crst[tt - 1]);
			spin_unlock(&mm->ptl);
			e = mm_load(ep);
		}
		if (tt == GMAP_TT_SEGMENT) {
			*out = (gmap_pte_t *)entry_table(mm, e, tt) + GMAP_VA_PX(haddr);
			break;
		}
		t = entry_table(mm, e, tt);
	}
	tables_free(mm, &c, pgste);
	return 0;
}

/**
 * mm_pte_alloc() - the pte of @haddr, allocating missing tables.
 * @mm: the mm
 * @haddr: host address within the mm's reach, in a mapping that is not
 *	large (its segment entry is empty or a page table)
 * @ptep: out: the pte
 *
 * Mirrors pte_alloc_map_lock() without the lock.
 *
 * Context: the caller holds the map lock (for reading); takes ptl.
 * Return: 0; -ENOMEM with the tables unchanged.
 */
int mm_pte_alloc(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t **ptep)
{
	*ptep = mm_walk(mm, haddr);
	if (*ptep)
		return 0;
	return walk_alloc(mm, haddr, true, (void **)ptep);
}

/**
 * mm_ste_alloc() - the segment entry of @haddr, allocating missing region
 * and segment tables. Mirrors pmd_alloc().
 * @mm: the mm
 * @haddr: host address within the mm's reach
 * @ste: out: the segment entry
 *
 * Context: the caller holds the map lock (for reading); takes ptl.
 * Return: 0; -ENOMEM with the tables unchanged.
 */
int mm_ste_alloc(struct gmap_mm *mm, uint64_t haddr, gmap_crste_t **ste)
{
	*ste = mm_segment_walk(mm, haddr);
	if (*ste)
		return 0;
	return walk_alloc(mm, haddr, false, (void **)ste);
}

/**
 * mm_pte_get_alloc() - the pte of @haddr for an operation that may create
 * its page table (a storage key or PGSTE bits of an unmapped page).
 * @mm: the mm (with PGSTEs)
 * @haddr: host address
 * @ptep: out: the pte
 *
 * Without a page table, @haddr must lie in a mapping that is not large;
 * the check and the allocation run under the map lock. Mirrors
 * get_locked_pte().
 *
 * Context: may take the map lock for reading and ptl; may allocate.
 * Return: 0; -EFAULT when @haddr has no page table and is not mapped, or
 * lies in a large mapping; -ENOMEM.
 */
int mm_pte_get_alloc(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t **ptep)
{
	const struct mm_vma *v;
	int rc = -EFAULT;

	*ptep = mm_walk(mm, haddr);
	if (*ptep)
		return 0;
	pthread_rwlock_rdlock(&mm->map_lock);
	v = vma_find(mm, haddr);
	if (v && !v->large)
		rc = mm_pte_alloc(mm, haddr, ptep);
	pthread_rwlock_unlock(&mm->map_lock);
	return rc;
}

/**
 * mm_for_each_pte() - call @fn for every pte of a range that has a page
 * table.
 * @mm: the mm
 * @haddr: first host address, 4 KB aligned
 * @npages: number of pages (the range is within the mm's reach)
 * @fn: called with each pte; < 0 stops the walk, > 0 is counted
 * @priv: passed to @fn
 *
 * A segment without a page table is skipped whole; within one, the ptes
 * are visited in order without walking again.
 *
 * Context: as mm_walk().
 * Return: the sum of @fn's positive returns, or its first negative one.
 */
long mm_for_each_pte(struct gmap_mm *mm, uint64_t haddr, uint64_t npages, mm_pte_fn fn,
		     void *priv)
{
	long sum = 0;

	while (npages) {
		uint64_t n = GMAP_PT_ENTRIES - GMAP_VA_PX(haddr);
		gmap_pte_t *ptep = mm_walk(mm, haddr);

		if (n > npages)
			n = npages;
		for (uint64_t i = 0; ptep && i < n; i++) {
			int rc = fn(mm, haddr + (i << GMAP_PAGE_SHIFT), ptep + i, priv);

			if (rc < 0)
				return rc;
			sum += rc;
		}
		haddr += n << GMAP_PAGE_SHIFT;
		npages -= n;
	}
	return sum;
}

int gmap_mm_create(const struct gmap_mm_opts *opts, struct gmap_mm **out)
{
	const unsigned char *tail = (const unsigned char *)opts;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	unsigned int levels;
	gmap_asce_t asce;

	if (!opts || !out || opts->sz < sizeof(size_t))
		return -EINVAL;
	for (size_t i = sizeof(*opts); i < opts->sz; i++)
		if (tail[i])
			return -EINVAL;
	arch = MM_OPT(opts, arch, NULL);
	levels = MM_OPT(opts, levels, 0u);
	if (!levels)
		levels = 3;
	if (!arch || levels < 2 || levels > 5)
		return -EINVAL;

	mm = gmap_arch_alloc(arch, sizeof(*mm), _Alignof(struct gmap_mm));
	if (!mm)
		return -ENOMEM;
	mm->arch = arch;
	mm->top_tt = (int)levels - 2;
	mm->top = mm_crst_alloc(mm, mm->top_tt);
	if (!mm->top) {
		gmap_arch_free(arch, mm, sizeof(*mm));
		return -ENOMEM;
	}
	mm->limit = levels == 5 ? 0 : 1ULL << tt_shift(mm->top_tt + 1);
	asce = gmap_asce_mk(gmap_arch_virt_to_real(arch, mm->top), (enum gmap_dat_tt)mm->top_tt,
			    MM_CRST_TL, GMAP_ASCE_P | GMAP_ASCE_S | GMAP_ASCE_X);
	mm->asce = asce.val;
	mm->pgste = MM_OPT(opts, pgste, false);
	mm->esop = gmap_arch_facilities(arch) & GMAP_FAC_ESOP1;
	pthread_rwlock_init(&mm->map_lock, NULL);
	mm->ptl = AO_TS_INITIALIZER;
	mm->notifiers = (struct nchain)NCHAIN_INIT;
	mm->pool_lock = AO_TS_INITIALIZER;
	mm->pt_pool.size = MM_PT_BYTES(mm->pgste);
	mm_frame_pool_init(&mm->frame_pool, GMAP_PAGE_SIZE);
	mm_frame_pool_init(&mm->large_pool, GMAP_SEGMENT_SIZE);
	*out = mm;
	return 0;
}

void gmap_mm_destroy(struct gmap_mm *mm)
{
	AO_t cpus;

	if (!mm)
		return;
	cpus = AO_load(&mm->attached);
	for (unsigned int cpu = 0; cpus; cpu++, cpus >>= 1)
		if (cpus & 1)
			gmap_arch_ptlb(mm->arch, cpu);
	mm_free_tables(mm, mm->top, mm->top_tt, mm_has_pgste(mm), true);
	mm_pool_drain(mm, &mm->pt_pool);
	mm_frame_pool_fini(mm, &mm->frame_pool);
	mm_frame_pool_fini(mm, &mm->large_pool);
	gmap_arch_free(mm->arch, mm->vma, mm->vma_cap * sizeof(*mm->vma));
	pthread_rwlock_destroy(&mm->map_lock);
	gmap_arch_free(mm->arch, mm, sizeof(*mm));
}

gmap_asce_t gmap_mm_asce(const struct gmap_mm *mm)
{
	gmap_asce_t a = { AO_load_acquire(&mm->asce) };

	return a;
}

bool gmap_mm_has_pgste(const struct gmap_mm *mm)
{
	return mm_has_pgste(mm);
}

/* Tables in use; pooled page tables are not counted. */
size_t gmap_mm_table_bytes(const struct gmap_mm *mm)
{
	return AO_load(&mm->table_bytes);
}

/**
 * mm_flush_cpu() - which CPU issues an invalidation, and whether the
 * local-clearing form suffices.
 * @mm: the mm
 * @local: out: true when the mm is attached to that CPU alone
 *
 * Context: any thread.
 * Return: the only attached CPU, else the lowest attached one, else 0.
 */
unsigned int mm_flush_cpu(struct gmap_mm *mm, bool *local)
{
	AO_t cpus = AO_load(&mm->attached);

	*local = cpus && !(cpus & (cpus - 1));
	return cpus ? (unsigned int)__builtin_ctzll(cpus) : 0;
}

void gmap_mm_flush(struct gmap_mm *mm)
{
	AO_t c;

	do
		c = AO_load(&mm->flush_cpu);
	while (c && !AO_compare_and_swap_full(&mm->flush_cpu, c, 0));
	if (c)
		gmap_arch_ptlb(mm->arch, (unsigned int)c - 1);
}

static void attached_update(struct gmap_mm *mm, AO_t set, AO_t clear)
{
	AO_t old;

	do
		old = AO_load(&mm->attached);
	while (!AO_compare_and_swap_full(&mm->attached, old, (old | set) & ~clear));
}

int gmap_mm_attach(struct gmap_mm *mm, unsigned int cpu)
{
	if (cpu >= gmap_arch_ncpus(mm->arch))
		return -EINVAL;
	gmap_mm_flush(mm);
	attached_update(mm, (AO_t)1 << cpu, 0);
	gmap_arch_load_asce(mm->arch, cpu, gmap_mm_asce(mm));
	return 0;
}

int gmap_mm_detach(struct gmap_mm *mm, unsigned int cpu)
{
	if (cpu >= gmap_arch_ncpus(mm->arch) || !(AO_load(&mm->attached) & ((AO_t)1 << cpu)))
		return -EINVAL;
	gmap_mm_flush(mm);
	attached_update(mm, 0, (AO_t)1 << cpu);
	gmap_arch_ptlb(mm->arch, cpu);
	return 0;
}
