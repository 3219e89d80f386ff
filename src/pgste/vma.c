// SPDX-License-Identifier: MIT
/*
 * The mm's mappings (Linux's VMAs): a sorted array of disjoint ranges,
 * each anonymous or backed by the caller's contiguous frames, of 4 KB
 * pages or of large (1 MB, segment aligned) ones. Every
 * function here runs with the map lock held (for writing when it changes
 * the array); growth is done up front by vma_reserve(), so the changes
 * themselves cannot fail.
 */
#include <errno.h>
#include <string.h>

#include "pgste_impl.h"

/* Index of the first mapping that ends after @haddr. */
static size_t vma_index(const struct gmap_mm *mm, uint64_t haddr)
{
	size_t lo = 0, hi = mm->nvma;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mm->vma[mid].end - 1 < haddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * vma_find() - the mapping that contains an address.
 * @mm: the mm
 * @haddr: host address
 *
 * Context: the map lock held.
 * Return: the mapping, or NULL.
 */
const struct mm_vma *vma_find(const struct gmap_mm *mm, uint64_t haddr)
{
	size_t i = vma_index(mm, haddr);

	if (i < mm->nvma && mm->vma[i].start <= haddr)
		return &mm->vma[i];
	return NULL;
}

/**
 * vma_covered() - whether mappings cover a range without a hole.
 * @mm: the mm
 * @start: first host address
 * @end: first address after the range (0: the top of the space)
 *
 * Context: the map lock held.
 * Return: true when covered.
 */
bool vma_covered(const struct gmap_mm *mm, uint64_t start, uint64_t end)
{
	size_t i = vma_index(mm, start);
	uint64_t at = start;

	for (; i < mm->nvma && mm->vma[i].start <= at; i++) {
		at = mm->vma[i].end;
		if (at - 1 >= end - 1)
			return true;
	}
	return false;
}

/**
 * vma_any() - whether a mapping touches a range.
 * @mm: the mm
 * @start: first host address
 * @end: first address after the range (0: the top of the space)
 *
 * Context: the map lock held.
 * Return: true when some mapping lies (partly) in the range.
 */
bool vma_any(const struct gmap_mm *mm, uint64_t start, uint64_t end)
{
	size_t i = vma_index(mm, start);

	return i < mm->nvma && mm->vma[i].start <= end - 1;
}

/**
 * vma_large_cut() - whether a range ends inside a segment of a large
 * mapping (which zap, unmap and mprotect refuse).
 * @mm: the mm
 * @start: first host address
 * @end: first address after the range (0: the top of the space)
 *
 * Context: the map lock held.
 * Return: true when @start or @end is not segment aligned and lies in a
 * large mapping.
 */
bool vma_large_cut(const struct gmap_mm *mm, uint64_t start, uint64_t end)
{
	const struct mm_vma *a = vma_find(mm, start), *b = vma_find(mm, end - 1);
	const uint64_t mask = GMAP_SEGMENT_SIZE - 1;

	return (a && a->large && (start & mask)) || (b && b->large && (end & mask));
}

/**
 * vma_splits() - how many mappings a range cuts at its ends.
 * @mm: the mm
 * @start: first host address
 * @end: first address after the range
 *
 * Context: the map lock held.
 * Return: 0 to 2, the slots vma_remove() / vma_protect() may need.
 */
size_t vma_splits(const struct gmap_mm *mm, uint64_t start, uint64_t end)
{
	const struct mm_vma *a = vma_find(mm, start), *b = vma_find(mm, end - 1);

	return (a && a->start < start) + (b && b->end != end);
}

/**
 * vma_reserve() - make room for @more mappings, so changes cannot fail.
 * @mm: the mm (map lock held for writing)
 * @more: slots needed beyond the mappings in use
 *
 * Context: the map lock held for writing; allocates.
 * Return: 0 or -ENOMEM (nothing changed).
 */
int vma_reserve(struct gmap_mm *mm, size_t more)
{
	size_t cap = mm->vma_cap ? mm->vma_cap : 4;
	struct mm_vma *v;

	if (mm->nvma + more <= mm->vma_cap)
		return 0;
	while (cap < mm->nvma + more)
		cap *= 2;
	v = gmap_arch_alloc(mm->arch, cap * sizeof(*v), _Alignof(struct mm_vma));
	if (!v)
		return -ENOMEM;
	if (mm->nvma)
		memcpy(v, mm->vma, mm->nvma * sizeof(*v));
	gmap_arch_free(mm->arch, mm->vma, mm->vma_cap * sizeof(*v));
	mm->vma = v;
	mm->vma_cap = cap;
	return 0;
}

/* Insert at index @i; room reserved. */
static void vma_put(struct gmap_mm *mm, size_t i, const struct mm_vma *v)
{
	memmove(&mm->vma[i + 1], &mm->vma[i], (mm->nvma - i) * sizeof(*v));
	mm->vma[i] = *v;
	mm->nvma++;
}

/**
 * vma_insert() - add a mapping where no mapping is; room reserved.
 * @mm: the mm
 * @start: first host address
 * @end: first address after it
 * @frame: the caller's frame of @start, or 0 (anonymous)
 * @prot: GMAP_MM_PROT_*
 * @large: mapped with large segments (GMAP_MM_MAP_LARGE)
 *
 * Context: the map lock held for writing.
 */
void vma_insert(struct gmap_mm *mm, uint64_t start, uint64_t end, uint64_t frame,
		unsigned int prot, bool large)
{
	struct mm_vma v = {
		.start = start, .end = end, .frame = frame, .prot = prot, .large = large
	};

	vma_put(mm, vma_index(mm, start), &v);
}

/* Cut the mapping that contains @at, if @at is inside it; room reserved. */
static void vma_split_at(struct gmap_mm *mm, uint64_t at)
{
	size_t i = vma_index(mm, at);
	struct mm_vma tail;

	if (i >= mm->nvma || mm->vma[i].start >= at)
		return;
	tail = mm->vma[i];
	tail.start = at;
	if (tail.frame)
		tail.frame += at - mm->vma[i].start;
	mm->vma[i].end = at;
	vma_put(mm, i + 1, &tail);
}

/**
 * vma_remove() - forget the mappings of a range, cutting those that
 * straddle its ends; room reserved (vma_splits()).
 * @mm: the mm
 * @start: first host address
 * @end: first address after the range
 *
 * Context: the map lock held for writing.
 */
void vma_remove(struct gmap_mm *mm, uint64_t start, uint64_t end)
{
	size_t i, j;

	vma_split_at(mm, start);
	vma_split_at(mm, end);
	i = vma_index(mm, start);
	for (j = i; j < mm->nvma && mm->vma[j].end - 1 <= end - 1 && mm->vma[j].start >= start;
	     j++)
		;
	if (j == i)
		return;
	memmove(&mm->vma[i], &mm->vma[j], (mm->nvma - j) * sizeof(*mm->vma));
	mm->nvma -= j - i;
}

/**
 * vma_protect() - set the protection of a mapped range, cutting mappings
 * that straddle its ends; room reserved (vma_splits()).
 * @mm: the mm
 * @start: first host address
 * @end: first address after the range
 * @prot: GMAP_MM_PROT_*
 *
 * Context: the map lock held for writing.
 */
void vma_protect(struct gmap_mm *mm, uint64_t start, uint64_t end, unsigned int prot)
{
	vma_split_at(mm, start);
	vma_split_at(mm, end);
	for (size_t i = vma_index(mm, start);
	     i < mm->nvma && mm->vma[i].start >= start && mm->vma[i].end - 1 <= end - 1; i++)
		mm->vma[i].prot = prot;
}
