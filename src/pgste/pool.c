// SPDX-License-Identifier: MIT
/*
 * The mm's pools of free page tables and anonymous frames. A page table
 * freed while the mm lives (gmap_mm_unmap(): Linux's free_pgtables() /
 * page_table_free_rcu()) and a frame freed by zap, unmap or zap_unused
 * stay with the mm until gmap_mm_destroy(): a lock-free user racing with
 * the free (a gmap walk reading a table, a guest access storing into a
 * frame) touches stale memory, never memory the backend gave to someone
 * else. Later allocations take from the pools first and re-initialise
 * what they take.
 */
#include <errno.h>
#include <string.h>

#include "pgste_impl.h"

/* The link word: the next piece's address with the pte invalid bit, so a
 * pooled page table's first pte reads as invalid (pieces are 2 KB
 * aligned, the bit is free). */
static uint64_t link_mk(void *next)
{
	return next ? (uint64_t)(uintptr_t)next | GMAP_PTE_I : 0;
}

static void *link_next(uint64_t link)
{
	return (void *)(uintptr_t)(link & ~GMAP_PTE_I);
}

/**
 * mm_pool_get() - take a piece from a pool.
 * @mm: the mm
 * @pool: one of its pools
 *
 * Context: takes pool_lock.
 * Return: the piece (its content stale but for the first word), or NULL
 * when the pool is empty.
 */
void *mm_pool_get(struct gmap_mm *mm, struct mm_pool *pool)
{
	void *piece;

	spin_lock(&mm->pool_lock);
	piece = pool->head;
	if (piece)
		pool->head = link_next(mm_load(piece));
	spin_unlock(&mm->pool_lock);
	return piece;
}

/**
 * mm_pool_put() - give a piece to a pool.
 * @mm: the mm
 * @pool: one of its pools
 * @piece: memory of @pool->size bytes from the backend, no longer used
 *
 * Only the first word changes (a single store, so a racing reader sees
 * either the old word or the invalid link).
 * Context: takes pool_lock.
 */
void mm_pool_put(struct gmap_mm *mm, struct mm_pool *pool, void *piece)
{
	spin_lock(&mm->pool_lock);
	mm_store(piece, link_mk(pool->head));
	pool->head = piece;
	spin_unlock(&mm->pool_lock);
}

/**
 * mm_pool_drain() - return every piece of a pool to the backend.
 * @mm: the mm
 * @pool: one of its pools
 *
 * Context: no other thread may use the pool (destroy, enable_sie).
 */
void mm_pool_drain(struct gmap_mm *mm, struct mm_pool *pool)
{
	void *piece;

	while ((piece = mm_pool_get(mm, pool)))
		gmap_arch_free(mm->arch, piece, pool->size);
}

/**
 * mm_frame_pool_init() - an empty frame pool with its slots in the mm.
 * @pool: the pool
 * @size: bytes of each frame
 */
void mm_frame_pool_init(struct mm_frame_pool *pool, size_t size)
{
	pool->free = pool->slot;
	pool->cap = MM_FRAME_SLOTS;
	pool->size = size;
}

/* Free a pool's slots if they came from the backend. */
static void frame_slots_free(struct gmap_mm *mm, struct mm_frame_pool *pool)
{
	if (pool->free != pool->slot)
		gmap_arch_free(mm->arch, pool->free, pool->cap * sizeof(*pool->free));
}

/* A pooled frame, or NULL; pool_lock held. */
static void *frame_pool_get(struct mm_frame_pool *pool)
{
	return pool->n ? pool->free[--pool->n] : NULL;
}

/*
 * Count one more frame of @pool's size, growing @pool->free first so the
 * frame will have a slot when it is freed; pool_lock held.
 * Return: 0, or -ENOMEM with nothing changed.
 */
static int frame_pool_reserve(struct gmap_mm *mm, struct mm_frame_pool *pool)
{
	size_t cap = 2 * pool->cap;
	void **grown;

	if (pool->owned == pool->cap) {
		grown = gmap_arch_alloc(mm->arch, cap * sizeof(*grown), _Alignof(void *));
		if (!grown)
			return -ENOMEM;
		if (pool->n)
			memcpy(grown, pool->free, pool->n * sizeof(*grown));
		frame_slots_free(mm, pool);
		pool->free = grown;
		pool->cap = cap;
	}
	pool->owned++;
	return 0;
}

/* Give a frame of the mm back to the backend, uncounted. */
static void frame_pool_release(struct gmap_mm *mm, struct mm_frame_pool *pool, void *frame)
{
	spin_lock(&mm->pool_lock);
	pool->owned--;
	spin_unlock(&mm->pool_lock);
	gmap_arch_free(mm->arch, frame, pool->size);
}

/* Pool a frame of the mm: it has a slot (frame_pool_reserve()). */
static void frame_pool_put(struct gmap_mm *mm, struct mm_frame_pool *pool, void *frame)
{
	spin_lock(&mm->pool_lock);
	pool->free[pool->n++] = frame;
	spin_unlock(&mm->pool_lock);
}

/**
 * mm_frame_pool_fini() - return a frame pool's frames and slots to the
 * backend.
 * @mm: the mm
 * @pool: its 4 KB or 1 MB frame pool
 *
 * Context: gmap_mm_destroy(), after every mapped frame was pooled.
 */
void mm_frame_pool_fini(struct gmap_mm *mm, struct mm_frame_pool *pool)
{
	while (pool->n)
		gmap_arch_free(mm->arch, pool->free[--pool->n], pool->size);
	frame_slots_free(mm, pool);
	mm_frame_pool_init(pool, pool->size);
	pool->owned = 0;
}

/**
 * mm_frame_alloc() - an anonymous frame: zeroed, key 0, from the pool
 * first.
 * @mm: the mm
 * @large: a 1 MB frame, 1 MB aligned (for a large segment), else 4 KB
 * @pooled: out: whether it came from the pool (for mm_frame_unused())
 *
 * Context: takes pool_lock; may allocate.
 * Return: the frame, or NULL (nothing changed).
 */
void *mm_frame_alloc(struct gmap_mm *mm, bool large, bool *pooled)
{
	struct mm_frame_pool *pool = large ? &mm->large_pool : &mm->frame_pool;
	void *frame;
	bool local;
	int rc;

	spin_lock(&mm->pool_lock);
	frame = frame_pool_get(pool);
	spin_unlock(&mm->pool_lock);
	*pooled = frame;
	if (!frame) {
		/* A new frame, then its slot: a failure changes nothing. */
		frame = gmap_arch_alloc(mm->arch, pool->size, pool->size);
		if (!frame)
			return NULL;
		spin_lock(&mm->pool_lock);
		rc = frame_pool_reserve(mm, pool);
		spin_unlock(&mm->pool_lock);
		if (rc) {
			gmap_arch_free(mm->arch, frame, pool->size);
			return NULL;
		}
		return frame;
	}
	/* A reused frame starts as a new one: zeroed, every key 0 (Linux
	 * clears a huge page's keys when it is first mapped). Key 0 takes no
	 * slot in the backend's key table: SSKE cannot fail. */
	memset(frame, 0, pool->size);
	for (size_t off = 0; off < pool->size; off += GMAP_PAGE_SIZE)
		(void)gmap_arch_sske(mm->arch, mm_flush_cpu(mm, &local),
				     gmap_arch_virt_to_real(mm->arch, frame) + off, 0, GMAP_SSKE_NQ,
				     NULL);
	return frame;
}

/**
 * mm_frame_unused() - give back a frame from mm_frame_alloc() that was
 * not used, where it came from (so a failed fault changes nothing).
 * @mm: the mm
 * @frame: the frame (NULL is ignored)
 * @large: as allocated
 * @pooled: as mm_frame_alloc() said
 *
 * Context: takes pool_lock.
 */
void mm_frame_unused(struct gmap_mm *mm, void *frame, bool large, bool pooled)
{
	struct mm_frame_pool *pool = large ? &mm->large_pool : &mm->frame_pool;

	if (!frame)
		return;
	if (pooled)
		frame_pool_put(mm, pool, frame);
	else
		frame_pool_release(mm, pool, frame);
}

/**
 * mm_free_frame() - give the frame of a pte to the pool if the mm
 * allocated it.
 * @mm: the mm
 * @pte: a pte no table holds any more (present, not special: ours)
 *
 * Context: takes pool_lock.
 */
void mm_free_frame(struct gmap_mm *mm, uint64_t pte)
{
	if (pte_present(pte) && !(pte & GMAP_MM_PTE_SPECIAL))
		frame_pool_put(mm, &mm->frame_pool,
			       gmap_arch_real_to_virt(mm->arch, pte & GMAP_PTE_PFRA));
}

/**
 * mm_free_large() - give the 1 MB frame of a large segment entry to the
 * pool if the mm allocated it.
 * @mm: the mm
 * @ste: a segment entry no table holds any more (large, not special: ours)
 *
 * Context: takes pool_lock.
 */
void mm_free_large(struct gmap_mm *mm, uint64_t ste)
{
	if (seg_large(ste) && !(ste & GMAP_MM_SEG_SPECIAL))
		frame_pool_put(mm, &mm->large_pool,
			       gmap_arch_real_to_virt(mm->arch, ste & GMAP_SEGMENT_SFAA));
}
