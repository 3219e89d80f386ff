// SPDX-License-Identifier: MIT
/*
 * gmap_mm_unmap() frees the page table of every segment it leaves without
 * a mapping (Linux's free_pgtables()): segment callback first, IDTE, then
 * the table goes to the mm's pool, from which the next page table comes
 * back re-initialised. And every new allocating path (large map and
 * fault, unmap freeing tables, faults from the pools) survives a failing
 * Nth allocation with the mm unchanged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test-pgste.h"

#define RW	(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)

static uint64_t pt_of(struct fx *f, uint64_t haddr)
{
	uint64_t ste = ste_of(f, haddr);

	assert_int_equal(ste & (GMAP_CRSTE_I | GMAP_CRSTE_FC), 0);
	return ste & GMAP_SEGMENT_PTO;
}

static void unmap_frees_a_page_table_only_when_no_mapping_is_left(void **state)
{
	struct fx *f = *state;
	const uint64_t a2 = BASE + SEG / 2, b = BASE + SEG;
	struct seg_rec rec;
	size_t bytes;
	uint64_t old;
	long live;

	map_fault(f, BASE, 2 * PG, 0, RW, GMAP_DAT_STORE);
	map_fault(f, a2, PG, 0, RW, GMAP_DAT_FETCH);
	map_fault(f, b, PG, 0, RW, GMAP_DAT_FETCH);
	old = ste_of(f, BASE);
	seg_rec_register(f, &rec);
	assert_int_equal(tr(f, 0, a2, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(tr(f, 0, b, GMAP_DAT_FETCH).pic, 0);
	bytes = gmap_mm_table_bytes(f->mm);
	live = f->hook.live;

	/* a2 still maps into segment 0: its table stays. */
	assert_int_equal(gmap_mm_unmap(f->mm, BASE, 2 * PG), 0);
	assert_int_equal(rec.n, 0);
	assert_int_equal(ste_of(f, BASE), old);
	assert_int_equal(pte_of(f, BASE), GMAP_MM_PTE_NONE);
	assert_int_equal(gmap_mm_table_bytes(f->mm), bytes);

	/* The last mapping of segment 0 goes, and its table with it. Two
	 * CPUs: no lazy purge of a whole TLB hides what IDTE purges. */
	assert_int_equal(gmap_mm_attach(f->mm, 1), 0);
	assert_int_equal(tr(f, 0, a2, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(tr(f, 0, b, GMAP_DAT_FETCH).pic, 0);
	assert_int_equal(gmap_mm_unmap(f->mm, a2, PG), 0);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.start[0], BASE);
	assert_int_equal(rec.end[0], BASE + SEG);
	assert_int_equal(rec.ste[0], old);
	assert_int_equal(ste_of(f, BASE), MM_SEG_EMPTY);
	assert_int_equal(gmap_mm_read_pte(f->mm, a2, NULL, NULL), -EFAULT);
	assert_int_equal(gmap_mm_table_bytes(f->mm), bytes - 2 * GMAP_PT_SIZE);
	assert_false(tlb_has(f, 0, a2));
	assert_int_equal(tr(f, 0, a2, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	/* IDTE purged what was formed through that entry only. */
	assert_true(tlb_has(f, 0, b));
	/* Table and frames stay with the mm, in its pools. */
	assert_int_equal(f->hook.live, live);
	/* Unmapping a range without tables or mappings calls nobody. */
	assert_int_equal(gmap_mm_unmap(f->mm, BASE, SEG), 0);
	assert_int_equal(rec.n, 1);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &rec.nb), 0);
}

static void a_range_over_segments_frees_only_the_emptied_ones(void **state)
{
	struct fx *f = *state;
	struct seg_rec rec;
	uint64_t old1;

	assert_int_equal(gmap_mm_map(f->mm, BASE, 3 * SEG, 0, RW), 0);
	for (uint64_t i = 0; i < 3; i++)
		assert_int_equal(gmap_mm_fault(f->mm, BASE + i * SEG + SEG / 2, GMAP_DAT_STORE), 0);
	old1 = ste_of(f, BASE + SEG);
	seg_rec_register(f, &rec);
	assert_int_equal(gmap_mm_unmap(f->mm, BASE + SEG / 2, 2 * SEG), 0);
	/* Segments 0 and 2 keep a mapping each; segment 1 has none. */
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.start[0], BASE + SEG);
	assert_int_equal(rec.end[0], BASE + 2 * SEG);
	assert_int_equal(rec.ste[0], old1);
	assert_int_equal(ste_of(f, BASE + SEG), MM_SEG_EMPTY);
	pt_of(f, BASE);
	pt_of(f, BASE + 2 * SEG);
	/* The unmapped pages of the kept tables are empty. */
	assert_int_equal(pte_of(f, BASE + SEG / 2), GMAP_MM_PTE_NONE);
	assert_int_equal(pte_of(f, BASE + 2 * SEG), GMAP_MM_PTE_NONE);
	assert_int_equal(f->mm->nvma, 2);
	assert_int_equal(gmap_mm_table_bytes(f->mm), 2 * (size_t)MM_CRST_BYTES + 4 * GMAP_PT_SIZE);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &rec.nb), 0);
}

static void unmap_zaps_large_segments_before_freeing_tables(void **state)
{
	struct fx *f = *state;
	struct seg_rec rec;
	uint64_t pt0, large1;

	map_fault(f, BASE, PG, 0, RW, GMAP_DAT_FETCH);
	assert_int_equal(gmap_mm_map(f->mm, BASE + SEG, SEG, 0, RW | GMAP_MM_MAP_LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG, GMAP_DAT_FETCH), 0);
	pt0 = ste_of(f, BASE);
	large1 = ste_of(f, BASE + SEG);
	seg_rec_register(f, &rec);
	assert_int_equal(gmap_mm_unmap(f->mm, BASE, 2 * SEG), 0);
	/* As unmap_region(): unmap_vmas() (the large entry), then
	 * free_pgtables() (segment 0's table). */
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.start[0], BASE + SEG);
	assert_int_equal(rec.ste[0], large1);
	assert_int_equal(rec.start[1], BASE);
	assert_int_equal(rec.ste[1], pt0);
	assert_int_equal(ste_of(f, BASE), MM_SEG_EMPTY);
	assert_int_equal(ste_of(f, BASE + SEG), MM_SEG_EMPTY);
	assert_int_equal(gmap_mm_table_bytes(f->mm), 2 * (size_t)MM_CRST_BYTES);
	assert_int_equal(gmap_mm_notifier_unregister(f->mm, &rec.nb), 0);
}

static void a_pooled_page_table_comes_back_reinitialised(void **state)
{
	struct fx *f = *state;
	const uint64_t c = BASE + 2 * SEG + 5 * PG;
	gmap_pte_t *pt;
	uint64_t fr;
	long live;

	map_fault(f, BASE, 4 * PG, 0, RW, GMAP_DAT_STORE);
	assert_int_equal(gmap_pgste_set_key(f->mm, BASE + 8 * PG, 0x70, false), 0);
	pt = (gmap_pte_t *)(uintptr_t)pt_of(f, BASE);
	fr = pte_of(f, BASE + 3 * PG) & GMAP_PTE_PFRA;
	assert_int_equal(gmap_mm_unmap(f->mm, BASE, 4 * PG), 0);
	assert_int_equal(ste_of(f, BASE), MM_SEG_EMPTY);
	live = f->hook.live;
	/* A new segment takes the table and the last frame from the pools. */
	map_fault(f, c, PG, 0, RW, GMAP_DAT_FETCH);
	assert_int_equal(f->hook.live, live);
	assert_ptr_equal((gmap_pte_t *)(uintptr_t)pt_of(f, c), pt);
	assert_int_equal(pte_of(f, c), fr | RW_CLEAN_YOUNG);
	/* Every other pte empty, every PGSTE zero (the UC bits and the key
	 * of the old segment are gone). */
	for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++) {
		if (i != 5)
			assert_int_equal(pt[i].val, GMAP_MM_PTE_NONE);
		assert_int_equal(pt[i + GMAP_PT_ENTRIES].val, 0);
	}
	assert_int_equal(gmap_mm_table_bytes(f->mm), 2 * (size_t)MM_CRST_BYTES + 2 * GMAP_PT_SIZE);
	/* The freed segment starts over: no key, no table. */
	assert_int_equal(gmap_mm_read_pte(f->mm, BASE, NULL, NULL), -EFAULT);
}

static void the_pool_follows_enable_sie(void **state)
{
	struct fx *f = *state;
	long live;

	/* A 2 KB table into the pool, then PGSTEs: it cannot serve. */
	map_fault(f, BASE, PG, 0, RW, GMAP_DAT_FETCH);
	map_fault(f, BASE + SEG, PG, 0, RW, GMAP_DAT_FETCH);
	assert_int_equal(gmap_mm_unmap(f->mm, BASE, PG), 0);
	live = f->hook.live;
	assert_int_equal(gmap_mm_enable_sie(f->mm), 0);
	/* Old 2 KB table and pooled 2 KB table back to the backend; one 4 KB
	 * table and a new top and segment table made. */
	assert_int_equal(f->hook.live, live - 1);
	map_fault(f, BASE + 2 * SEG, PG, 0, RW, GMAP_DAT_FETCH);
	assert_int_equal(pgste_of(f, BASE + 2 * SEG), 0);
	assert_int_equal(gmap_mm_table_bytes(f->mm), 2 * (size_t)MM_CRST_BYTES + 4 * GMAP_PT_SIZE);
}

/* Four mappings in three segments fill the mapping array; segments 0
 * and 1 have page tables. */
static void prep_segments(struct fx *f)
{
	assert_int_equal(gmap_mm_map(f->mm, BASE, PG, 0, RW), 0);
	assert_int_equal(gmap_mm_map(f->mm, BASE + SEG, 4 * PG, 0, RW), 0);
	assert_int_equal(gmap_mm_map(f->mm, BASE + 2 * SEG, PG, 0, RW), 0);
	assert_int_equal(gmap_mm_map(f->mm, BASE + 3 * SEG, PG, 0, RW), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE + SEG, GMAP_DAT_STORE), 0);
}

/* Removes segment 0's only mapping and splits segment 1's. */
static int op_unmap_frees_and_splits(struct fx *f)
{
	return gmap_mm_unmap(f->mm, BASE, SEG + PG);
}

static void prep_large(struct fx *f)
{
	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG, 0, RW | GMAP_MM_MAP_LARGE), 0);
}

static int op_large_fault(struct fx *f)
{
	return gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE);
}

static int op_large_map(struct fx *f)
{
	return gmap_mm_map(f->mm, BASE, 2 * SEG, 0, RW | GMAP_MM_MAP_LARGE);
}

/* A large mapping of caller memory (1 MB, kept for every run). */
static void prep_large_caller(struct fx *f)
{
	static void *mem;

	if (!mem)
		mem = aligned_alloc(SEG, SEG);
	assert_non_null(mem);
	assert_int_equal(gmap_mm_map(f->mm, BASE, SEG, (uintptr_t)mem, RW | GMAP_MM_MAP_LARGE),
			 0);
}

static void prep_large_faulted(struct fx *f)
{
	prep_large(f);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_FETCH), 0);
}

static int op_large_set_key(struct fx *f)
{
	return gmap_pgste_set_key(f->mm, BASE + PG, 0x30, false);
}

/* A pooled 1 MB frame, and a large mapping in a region-third entry
 * without a segment table. */
static void prep_pooled_large(struct fx *f)
{
	prep_large(f);
	assert_int_equal(gmap_mm_map(f->mm, BASE + 2 * GMAP_REGION3_SIZE, SEG, 0,
				     RW | GMAP_MM_MAP_LARGE), 0);
	assert_int_equal(gmap_mm_fault(f->mm, BASE, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, SEG), 0);
}

static int op_fault_far(struct fx *f)
{
	return gmap_mm_fault(f->mm, BASE + 2 * GMAP_REGION3_SIZE, GMAP_DAT_FETCH);
}

/* A pooled 4 KB frame and a far mapping without tables. */
static void prep_pooled_frame(struct fx *f)
{
	map_fault(f, BASE, PG, 0, RW, GMAP_DAT_STORE);
	assert_int_equal(gmap_mm_map(f->mm, BASE + 2 * GMAP_REGION3_SIZE, PG, 0, RW), 0);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, PG), 0);
}

static void the_frame_pool_grows_and_keeps_its_links_outside_the_frames(void **state)
{
	struct fx *f = *state;
	const unsigned int n = MM_FRAME_SLOTS + 8;
	uint64_t fr[MM_FRAME_SLOTS + 8];
	long live;

	map_fault(f, BASE, n * PG, 0, RW, GMAP_DAT_STORE);
	for (unsigned int i = 0; i < n; i++)
		fr[i] = pte_of(f, BASE + i * PG) & GMAP_PTE_PFRA;
	/* One slot array beyond the mm's own slots. */
	assert_int_equal(f->mm->frame_pool.owned, n);
	assert_int_equal(f->mm->frame_pool.cap, 2 * MM_FRAME_SLOTS);
	assert_int_equal(gmap_mm_zap(f->mm, BASE, n * PG), 0);
	assert_int_equal(f->mm->frame_pool.n, n);
	/* A store racing with the zap lands in a pooled frame: every byte
	 * of every pooled frame is written, and the pool does not notice. */
	for (unsigned int i = 0; i < n; i++)
		memset(gmap_arch_real_to_virt(f->arch, fr[i]), 0xa5, PG);
	live = f->hook.live;
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(gmap_mm_fault(f->mm, BASE + i * PG, GMAP_DAT_FETCH), 0);
	/* Every frame came back from the pool (last in, first out), zeroed. */
	assert_int_equal(f->hook.live, live);
	assert_int_equal(f->mm->frame_pool.n, 0);
	for (unsigned int i = 0; i < n; i++) {
		const unsigned char *p = gmap_arch_real_to_virt(f->arch, fr[n - 1 - i]);

		assert_int_equal(pte_of(f, BASE + i * PG) & GMAP_PTE_PFRA, fr[n - 1 - i]);
		for (unsigned int b = 0; b < PG; b++)
			assert_int_equal(p[b], 0);
	}
}

static int op_fault_slot_growth(struct fx *f)
{
	return gmap_mm_fault(f->mm, BASE + MM_FRAME_SLOTS * PG, GMAP_DAT_STORE);
}

/* Every slot the mm keeps in itself holds a frame's place: the next
 * anonymous frame needs a bigger slot array first. */
static void prep_pool_slots_taken(struct fx *f)
{
	assert_int_equal(gmap_mm_map(f->mm, BASE, (MM_FRAME_SLOTS + 1) * PG, 0, RW), 0);
	for (unsigned int i = 0; i < MM_FRAME_SLOTS; i++)
		assert_int_equal(gmap_mm_fault(f->mm, BASE + i * PG, GMAP_DAT_FETCH), 0);
}

static void new_paths_survive_failing_allocations(void **state)
{
	(void)state;
	/* The mapping array; nothing freed before it is there. */
	assert_int_equal(nomem_loop(&params_pgste, prep_segments, op_unmap_frees_and_splits, 0),
			 2);
	assert_int_equal(nomem_loop(&params_pgste, NULL, op_large_map, 0), 2);
	/* The 1 MB frame, the segment table. */
	assert_int_equal(nomem_loop(&params_pgste, prep_large, op_large_fault, 0), 3);
	assert_int_equal(nomem_loop(&params_nopgste, prep_large, op_large_fault, 0), 3);
	/* Caller frames: the segment table alone. */
	assert_int_equal(nomem_loop(&params_pgste, prep_large_caller, op_large_fault, 0), 2);
	/* The backend's key table, for the first key. */
	assert_int_equal(nomem_loop(&params_pgste, prep_large_faulted, op_large_set_key, 0), 2);
	/* Pooled frames go back to the pool when a table cannot be had. */
	assert_int_equal(nomem_loop(&params_pgste, prep_pooled_large, op_fault_far, 0), 2);
	/* Segment and page table; the frame comes from the pool. */
	assert_int_equal(nomem_loop(&params_pgste, prep_pooled_frame, op_fault_far, 0), 3);
	/* The slot array, then the frame. */
	assert_int_equal(nomem_loop(&params_pgste, prep_pool_slots_taken, op_fault_slot_growth, 0),
			 3);
}

#define T(fn) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, NULL)
#define TP(fn, p) cmocka_unit_test_prestate_setup_teardown(fn, fx_setup, fx_teardown, \
							    (void *)(p))

static const struct CMUnitTest tests[] = {
	T(unmap_frees_a_page_table_only_when_no_mapping_is_left),
	T(a_range_over_segments_frees_only_the_emptied_ones),
	T(unmap_zaps_large_segments_before_freeing_tables),
	T(a_pooled_page_table_comes_back_reinitialised),
	TP(the_pool_follows_enable_sie, &params_nopgste),
	T(the_frame_pool_grows_and_keeps_its_links_outside_the_frames),
	cmocka_unit_test(new_paths_survive_failing_allocations),
};

const struct test_group pgste_unmap_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
