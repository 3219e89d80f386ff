// SPDX-License-Identifier: MIT
/*
 * A shadow's own tables: the walk to an entry, allocation from and return
 * to the shadow's pools (so lock-free readers never read freed memory),
 * freeing a subtree, the guest-1 origin each table was built from, and
 * translation through the tables (the shadow's gmap_translate()). The
 * kernel keeps the origin in the table page's struct page (page->index);
 * here it is the origins map, keyed by the table's real address.
 */
#include <errno.h>

#include "shadow_impl.h"

/* Pooled tables are linked through their first word, made invalid for
 * either kind of entry, so a stale reader sees an invalid entry. */
#define POOL_LINK_BITS	(GMAP_CRSTE_I | GMAP_PTE_I)

static unsigned int index_of(uint64_t saddr, int tt)
{
	return (unsigned int)(saddr >> (GMAP_SEGMENT_SHIFT + 11 * (unsigned int)tt)) & 0x7ff;
}

/* The table designated by entry @e of a table of type @tt. */
static void *next_table(struct gmap *sg, uint64_t e, int tt)
{
	return gmap_arch_real_to_virt(sg->arch,
				      e & (tt == GMAP_TT_SEGMENT ? GMAP_SEGMENT_PTO : GMAP_CRSTE_ORIGIN));
}

/* Whether entry @e of a table of type @tt designates a table (valid or
 * pending). */
static bool has_table(uint64_t e, int tt)
{
	return e & (tt == GMAP_TT_SEGMENT ? GMAP_SEGMENT_PTO : GMAP_CRSTE_ORIGIN);
}

static uint64_t origins_key(struct gmap *sg, const void *table)
{
	return gmap_arch_virt_to_real(sg->arch, table) >> 11;
}

/**
 * shadow_entry_walk() - the shadow's entry of a guest-2 address at a level.
 * @sg: the shadow
 * @saddr: guest-2 address
 * @level: the type of the table whose entry is wanted (enum gmap_dat_tt),
 *	or SHADOW_PTE for the pte
 *
 * Mirrors gmap_table_walk() on a shadow.
 * Context: any thread; lock-free (tables stay in the shadow's pools).
 * Return: the entry; NULL when a table above @level is missing or not yet
 * valid, @level is above the top table or @saddr beyond the limit.
 */
uint64_t *shadow_entry_walk(struct gmap *sg, uint64_t saddr, int level)
{
	uint64_t *t = (uint64_t *)sg->table;

	if (!t || saddr > sg->limit || level > sg->top_tt)
		return NULL;
	for (int tt = sg->top_tt; tt > level; tt--) {
		uint64_t e = mm_load(&t[index_of(saddr, tt)]);

		if (e & GMAP_CRSTE_I)
			return NULL;
		t = next_table(sg, e, tt);
	}
	return level == SHADOW_PTE ? &t[GMAP_VA_PX(saddr)] : &t[index_of(saddr, level)];
}

/* Bytes of a table of @level: a region or segment table, or a page-table
 * page (ptes and their host addresses). */
static size_t table_bytes(int level)
{
	return level == SHADOW_PTE ? GMAP_PAGE_SIZE : GMAP_CRST_BYTES;
}

static void table_init(void *table, int level)
{
	uint64_t *t = table;

	if (level == SHADOW_PTE) {
		for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
			mm_store(&t[i], SHADOW_PTE_EMPTY);
		return;
	}
	for (unsigned int i = 0; i < GMAP_CRST_MAX_ENTRIES; i++)
		mm_store(&t[i], SHADOW_CRSTE_EMPTY(level));
}

/**
 * shadow_table_alloc() - a table for the shadow, all entries empty.
 * @sg: the shadow
 * @level: the table's type (enum gmap_dat_tt) or SHADOW_PTE
 *
 * Taken from the shadow's pool, else from the backend; its origins key is
 * reserved, so recording its origin cannot fail.
 * Context: the shadow's table lock not held; allocates.
 * Return: the table, or NULL (nothing held).
 */
void *shadow_table_alloc(struct gmap *sg, int level)
{
	void **pool = level == SHADOW_PTE ? &sg->pgt_pool : &sg->crst_pool;
	void *t;

	gmap_table_lock(sg);
	t = *pool;
	if (t)
		*pool = (void *)(uintptr_t)(mm_load(t) & ~POOL_LINK_BITS);
	gmap_table_unlock(sg);
	if (!t) {
		t = level == SHADOW_PTE ? (void *)gmap_arch_alloc_pgtable(sg->arch) :
					  (void *)gmap_arch_alloc_crst(sg->arch, GMAP_TT_SEGMENT,
								       GMAP_CRST_TL);
		if (!t)
			return NULL;
		AO_fetch_and_add(&sg->table_bytes, table_bytes(level));
	}
	if (radix_reserve(&sg->origins, origins_key(sg, t))) {
		gmap_table_lock(sg);
		shadow_table_free(sg, t, level);
		gmap_table_unlock(sg);
		return NULL;
	}
	table_init(t, level);
	return t;
}

/**
 * shadow_table_free() - return a table to the shadow's pool.
 * @sg: the shadow
 * @table: the table (no longer linked)
 * @level: its type
 *
 * Its origin is forgotten.
 * Context: the shadow's table lock held.
 */
void shadow_table_free(struct gmap *sg, void *table, int level)
{
	void **pool = level == SHADOW_PTE ? &sg->pgt_pool : &sg->crst_pool;

	radix_delete(&sg->origins, origins_key(sg, table));
	mm_store(table, (uint64_t)(uintptr_t)*pool | POOL_LINK_BITS);
	*pool = table;
}

/**
 * shadow_free_subtree() - free the tables below a shadow entry.
 * @sg: the shadow
 * @e: the entry's value (already replaced in its table)
 * @tt: the type of the table the entry was in
 *
 * Context: the shadow's table lock held; the entry was invalidated (IDTE)
 * so no TLB holds a translation through the freed tables.
 */
void shadow_free_subtree(struct gmap *sg, uint64_t e, int tt)
{
	uint64_t *t;

	if (!has_table(e, tt))
		return;
	t = next_table(sg, e, tt);
	/* Empty every entry: a fault holding a pointer to one of them (a
	 * pending entry it made) sees that its table went. */
	if (tt > GMAP_TT_SEGMENT) {
		for (unsigned int i = 0; i < GMAP_CRST_MAX_ENTRIES; i++) {
			uint64_t below = mm_load(&t[i]);

			mm_store(&t[i], SHADOW_CRSTE_EMPTY(tt - 1));
			shadow_free_subtree(sg, below, tt - 1);
		}
		shadow_table_free(sg, t, tt - 1);
		return;
	}
	table_init(t, SHADOW_PTE);
	shadow_table_free(sg, t, SHADOW_PTE);
}

/* Return one pool's tables to the backend. */
static void pool_drain(struct gmap *sg, void **pool, int level)
{
	while (*pool) {
		void *t = *pool;

		*pool = (void *)(uintptr_t)(mm_load(t) & ~POOL_LINK_BITS);
		if (level == SHADOW_PTE)
			gmap_arch_free_pgtable(sg->arch, t);
		else
			gmap_arch_free_crst(sg->arch, t, GMAP_CRST_TL);
		AO_fetch_and_add(&sg->table_bytes, (AO_t)0 - (AO_t)table_bytes(level));
	}
}

/**
 * shadow_pools_free() - return every pooled table to the backend.
 * @sg: the shadow (being freed; no other thread reaches it)
 */
void shadow_pools_free(struct gmap *sg)
{
	pool_drain(sg, &sg->crst_pool, GMAP_TT_SEGMENT);
	pool_drain(sg, &sg->pgt_pool, SHADOW_PTE);
}

/**
 * shadow_set_origin() - record the guest-1 origin of a shadow table.
 * @sg: the shadow
 * @table: the table (from shadow_table_alloc())
 * @origin: guest-1 address it is built from | SHADOW_ORIGIN_FAKE
 *
 * Context: the shadow's table lock held; cannot fail (key reserved).
 */
void shadow_set_origin(struct gmap *sg, void *table, uint64_t origin)
{
	radix_insert(&sg->origins, origins_key(sg, table), origin | SHADOW_ORIGIN_PRESENT);
}

/**
 * shadow_origin() - the guest-1 origin of the table below a shadow entry.
 * @sg: the shadow
 * @e: the entry's value
 * @tt: the type of the table the entry is in
 *
 * Context: any thread; lock-free.
 * Return: the origin | SHADOW_ORIGIN_* flags, or 0 when @e designates no
 * table.
 */
uint64_t shadow_origin(struct gmap *sg, uint64_t e, int tt)
{
	if (!has_table(e, tt))
		return 0;
	return radix_lookup(&sg->origins, origins_key(sg, next_table(sg, e, tt)));
}

/**
 * shadow_translate() - guest-2 address to parent host address through the
 * shadow's tables.
 * @sg: the shadow
 * @saddr: guest-2 address
 * @haddr: out: the parent's host address of the byte
 *
 * Context: any thread; lock-free. The walk is repeated when an unshadow
 * ran meanwhile (the shadow's seq moved): a table it went through may
 * have been freed and reused for other addresses.
 * Return: 0; -EFAULT when no valid shadow pte maps @saddr.
 */
int shadow_translate(struct gmap *sg, uint64_t saddr, uint64_t *haddr)
{
	uint64_t *ptep, pte, host;
	AO_t seq;

	do {
		seq = AO_load_acquire(&sg->seq);
		ptep = shadow_entry_walk(sg, saddr, SHADOW_PTE);
		if (!ptep)
			return -EFAULT;
		pte = mm_load(ptep);
		host = mm_load(shadow_pte_host((gmap_pte_t *)ptep));
		/* The reads above before the second read of seq. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (AO_load(&sg->seq) != seq);
	if (pte & GMAP_PTE_I)
		return -EFAULT;
	*haddr = host | (saddr & (GMAP_PAGE_SIZE - 1));
	return 0;
}
