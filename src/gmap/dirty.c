// SPDX-License-Identifier: MIT
/*
 * The dirty log of a gmap, for migration: per guest segment, the UC bits
 * of the linked host page table's PGSTEs (seed 004), or GMAP_SEG_GMAP_UC
 * of a large segment entry. Harvesting clears the state and protects the
 * page or segment again, so the next guest store faults and marks it.
 *
 * The common case is a clean guest: a clean pte costs one load of its
 * PGSTE, a clean large segment one load of its entry, and neither takes a
 * lock; only a segment with a dirty page goes to the pgste layer's
 * harvest, which takes the locks of the dirty ptes.
 */
#include <errno.h>

#include "gmap_impl.h"

#define SEG_PAGES	(GMAP_SEGMENT_SIZE >> GMAP_PAGE_SHIFT)
#define SEG_WORDS	(SEG_PAGES / 64)

/* Set bits [@pos, @pos + @n) of @bitmap. */
static void set_bits(uint64_t *bitmap, uint64_t pos, uint64_t n)
{
	while (n) {
		uint64_t bit = pos % 64, k = 64 - bit < n ? 64 - bit : n;

		bitmap[pos / 64] |= (k == 64 ? ~0ULL : ((1ULL << k) - 1)) << bit;
		pos += k;
		n -= k;
	}
}

/* OR the @n bits of @words (gmap_pgste_sync_dirty() wrote (@n + 63) / 64
 * of them) into @bitmap at bit @pos. */
static void merge_bits(uint64_t *bitmap, uint64_t pos, const uint64_t *words, uint64_t n)
{
	for (uint64_t w = 0; w < (n + 63) / 64; w++, pos += 64) {
		uint64_t v = words[w], bit = pos % 64;

		if (!v)
			continue;
		bitmap[pos / 64] |= v << bit;
		if (bit && v >> (64 - bit))
			bitmap[pos / 64 + 1] |= v >> (64 - bit);
	}
}

/*
 * A large segment: dirty when valid and unprotected or marked UC, as
 * gmap_test_and_clear_dirty_pmd() has it. Harvesting a whole segment
 * clears UC and protects the entry again (an armed one calls the
 * notifiers); a range that covers the segment in part reports its pages
 * and leaves the state alone, since the pages outside it would lose
 * theirs. Return: the pages marked.
 */
static long sync_large(struct gmap *gmap, gmap_crste_t *segp, uint64_t gaddr, uint64_t n,
		       uint64_t *bitmap, uint64_t pos)
{
	uint64_t e = mm_load(segp);
	bool dirty;

	if ((e & GMAP_CRSTE_I) || ((e & GMAP_CRSTE_P) && !(e & GMAP_SEG_GMAP_UC)))
		return 0;
	dirty = n < SEG_PAGES;
	if (!dirty) {
		gmap_table_lock(gmap);
		e = mm_load(segp);
		dirty = (e & GMAP_CRSTE_FC) && !(e & GMAP_CRSTE_I) &&
			(!(e & GMAP_CRSTE_P) || (e & GMAP_SEG_GMAP_UC));
		e &= ~GMAP_SEG_GMAP_UC;
		if (dirty && (e & GMAP_CRSTE_P))
			mm_store(segp, e);
		else if (dirty)
			gmap_segment_xchg(gmap, segp, e | GMAP_CRSTE_P, gaddr,
					  gmap_host_segment(gmap, gaddr) & ~GTH_VALID);
		gmap_table_unlock(gmap);
	}
	if (!dirty)
		return 0;
	set_bits(bitmap, pos, n);
	return (long)n;
}

/* Whether one of @n ptes from @ptep has UC: one load per PGSTE, no lock.
 * A store that sets UC after the look is found by the next sync. */
static bool any_uc(gmap_pte_t *ptep, uint64_t n)
{
	uint64_t uc = 0;

	for (uint64_t i = 0; i < n; i++)
		uc |= mm_load(pgste_word(ptep + i));
	return uc & GMAP_PGSTE_UC;
}

/* Harvest @n pages from @gaddr, all in one guest segment, into @bitmap
 * from bit @pos. Return: the pages found dirty. */
static long sync_segment(struct gmap *gmap, uint64_t gaddr, uint64_t n, uint64_t *bitmap,
			 uint64_t pos)
{
	gmap_crste_t *segp = gmap_table_walk(gmap, gaddr, GMAP_TT_SEGMENT);
	uint64_t words[SEG_WORDS], e, haddr;
	long dirty;

	if (!segp)
		return 0;
	e = mm_load(segp);
	if (e & GMAP_CRSTE_FC)
		return sync_large(gmap, segp, gaddr, n, bitmap, pos);
	/* Not linked: no guest store can have gone through it. The linked
	 * page table is the host's (the map lock keeps it). */
	if ((e & GMAP_CRSTE_I) ||
	    !any_uc((gmap_pte_t *)gmap_arch_real_to_virt(gmap->arch, e & GMAP_SEGMENT_PTO) +
			    GMAP_VA_PX(gaddr), n) ||
	    gmap_translate(gmap, gaddr, &haddr))
		return 0;
	/* The range lies in the mm's reach (gmap_map_segment() checked). */
	dirty = gmap_pgste_sync_dirty(gmap->mm, haddr, n, words);
	merge_bits(bitmap, pos, words, n);
	return dirty;
}

long gmap_sync_dirty_log(struct gmap *gmap, uint64_t gaddr, uint64_t npages, uint64_t *bitmap)
{
	uint64_t last = gaddr + (npages << GMAP_PAGE_SHIFT) - 1, done, n;
	long dirty = 0;

	if (!bitmap || !npages || (gaddr & (GMAP_PAGE_SIZE - 1)) ||
	    npages > (UINT64_MAX >> GMAP_PAGE_SHIFT) || last < gaddr || last > gmap->limit ||
	    gmap_shadow(gmap))
		return -EINVAL;
	mm_map_read_lock(gmap->mm);
	for (done = 0; done < npages; done += n) {
		uint64_t g = gaddr + (done << GMAP_PAGE_SHIFT);

		n = SEG_PAGES - GMAP_VA_PX(g);
		if (n > npages - done)
			n = npages - done;
		dirty += sync_segment(gmap, g, n, bitmap, done);
	}
	mm_map_read_unlock(gmap->mm);
	return dirty;
}
