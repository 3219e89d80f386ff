// SPDX-License-Identifier: MIT
/*
 * Large (1 MB, FC=1) host segments in a gmap: the copied entry with
 * GMAP_SEG_GMAP_UC, the unprotecting store fault with IDTE, unlinking
 * when the host changes or frees the segment (mprotect, unmap, discard),
 * and the notifiers of an armed large segment on unlink.
 */
#include <errno.h>
#include <string.h>

#include "test-gmap.h"

#define GA	(5 * SEG)
/* The bits a gmap copies from a large host segment entry. */
#define LARGE_BITS	(GMAP_SEGMENT_SFAA | GMAP_CRSTE_FC | GMAP_CRSTE_P | GMAP_CRSTE_IEP | \
			 GMAP_CRSTE_I | GMAP_CRSTE_CS)

static void map_large(struct fx *f, unsigned int prot)
{
	assert_int_equal(gmap_mm_map(f->mm, HBASE, 2 * SEG, 0, prot | GMAP_MM_MAP_LARGE), 0);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, GA, 2 * SEG), 0);
}

/* A read fault copies the clean (protected) host entry without UC; a
 * store fault makes the host entry dirty and the guest entry writable
 * with UC; the guest CPU sees the 1 MB frame. */
static void large_fault_copies_entry(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result res;
	uint64_t he;

	map_large(f, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE);
	assert_int_equal(gmap_fault(f->gmap, GA + 0x12345, GMAP_DAT_FETCH), 0);
	he = hseg(f, HBASE);
	assert_true(he & GMAP_CRSTE_FC);
	assert_true(he & GMAP_CRSTE_P);
	assert_int_equal(gseg(f, GA), he & LARGE_BITS);
	assert_int_equal(check_maps(f), 1);
	res = gtr(f, GA + 0x12345, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_NONE);
	assert_int_equal(res.frame_shift, GMAP_SEGMENT_SHIFT);
	assert_int_equal(res.addr, (he & GMAP_SEGMENT_SFAA) + 0x12345);
	assert_int_equal(gtr(f, GA + 0x12345, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);

	assert_int_equal(gmap_fault(f->gmap, GA + 0x12345, GMAP_DAT_STORE), 0);
	he = hseg(f, HBASE);
	assert_false(he & GMAP_CRSTE_P);
	assert_int_equal(gseg(f, GA), (he & LARGE_BITS) | GMAP_SEG_GMAP_UC);
	assert_int_equal(gtr(f, GA + 0x12345, GMAP_DAT_STORE).pic, GMAP_PIC_NONE);
	assert_int_equal(check_maps(f), 1);
	/* A store the host refuses. */
	assert_int_equal(gmap_mm_mprotect(f->mm, HBASE + SEG, SEG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_fault(f->gmap, GA + SEG, GMAP_DAT_STORE), -EFAULT);
	assert_int_equal(gseg(f, GA + SEG), GMAP_SEG_EMPTY);
}

/* After the dirty log protected a large guest segment, a store fault
 * unprotects it (UC again) with IDTE; a read fault leaves it protected. */
static void large_store_fault_unprotects(void **state)
{
	struct fx *f = *state;
	uint64_t bitmap[4] = { 0 }, e;

	map_large(f, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE);
	assert_int_equal(gmap_fault(f->gmap, GA, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_sync_dirty_log(f->gmap, GA, 256, bitmap), 256);
	e = gseg(f, GA);
	assert_true(e & GMAP_CRSTE_P);
	assert_false(e & GMAP_SEG_GMAP_UC);
	assert_int_equal(gtr(f, GA + 8, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gmap_fault(f->gmap, GA + 8, GMAP_DAT_FETCH), 0);
	assert_int_equal(gseg(f, GA), e);
	assert_int_equal(gmap_fault(f->gmap, GA + 8, GMAP_DAT_STORE), 0);
	assert_int_equal(gseg(f, GA), (e & ~GMAP_CRSTE_P) | GMAP_SEG_GMAP_UC);
	assert_int_equal(gtr(f, GA + 8, GMAP_DAT_STORE).pic, GMAP_PIC_NONE);
	assert_int_equal(check_maps(f), 1);
}

/* Host mprotect and unmap of a large segment unlink it first (segment
 * callback): entry empty, host_to_guest empty, no stale translation. */
static void large_host_change_unlinks(void **state)
{
	struct fx *f = *state;

	map_large(f, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE);
	assert_int_equal(gmap_fault(f->gmap, GA, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_fault(f->gmap, GA + SEG, GMAP_DAT_STORE), 0);
	assert_int_equal(check_maps(f), 2);
	assert_int_equal(gmap_mm_mprotect(f->mm, HBASE, SEG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gseg(f, GA), GMAP_SEG_EMPTY);
	assert_int_equal(check_maps(f), 1);
	assert_int_equal(gtr(f, GA, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(gmap_fault(f->gmap, GA, GMAP_DAT_FETCH), 0);
	assert_true(gseg(f, GA) & GMAP_CRSTE_P);
	assert_int_equal(gtr(f, GA, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(check_maps(f), 2);

	assert_int_equal(gmap_mm_unmap(f->mm, HBASE + SEG, SEG), 0);
	assert_int_equal(gseg(f, GA + SEG), GMAP_SEG_EMPTY);
	assert_int_equal(check_maps(f), 1);
	assert_int_equal(gtr(f, GA + SEG, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(gmap_fault(f->gmap, GA + SEG, GMAP_DAT_FETCH), -EFAULT);
}

/* Discard zaps the whole large host segment, which unlinks it; the next
 * fault gives a zeroed frame. */
static void large_discard(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result res;

	map_large(f, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE);
	assert_int_equal(gmap_fault(f->gmap, GA, GMAP_DAT_STORE), 0);
	res = gtr(f, GA + PG, GMAP_DAT_STORE);
	assert_int_equal(res.pic, GMAP_PIC_NONE);
	memset((void *)(uintptr_t)res.addr, 0x5a, PG);
	assert_int_equal(gmap_discard(f->gmap, GA, GA + SEG), 0);
	assert_int_equal(gseg(f, GA), GMAP_SEG_EMPTY);
	assert_int_equal(check_maps(f), 0);
	assert_int_equal(gtr(f, GA + PG, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(gmap_fault(f->gmap, GA + PG, GMAP_DAT_FETCH), 0);
	res = gtr(f, GA + PG, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_NONE);
	for (uint64_t i = 0; i < PG; i++)
		assert_int_equal(((unsigned char *)(uintptr_t)res.addr)[i], 0);
}

struct calls {
	unsigned int n;
	uint64_t start, end;
};

static void record(struct gmap *gmap, uint64_t start, uint64_t end, void *priv)
{
	struct calls *c = priv;

	(void)gmap;
	c->n++;
	c->start = start;
	c->end = end;
}

/* Relinking an invalidated armed large segment and unlinking an armed
 * one (here by gmap_unmap_segment()) call the notifiers once over its
 * 1 MB; the unarmed one calls nothing. */
static void large_unlink_notifies(void **state)
{
	struct fx *f = *state;
	struct calls c = { 0 };
	struct gmap_notifier nb = { .notifier_call = record, .priv = &c };

	map_large(f, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE);
	assert_int_equal(gmap_notifier_register(f->gmap, &nb), 0);
	assert_int_equal(gmap_fault(f->gmap, GA, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_fault(f->gmap, GA + SEG, GMAP_DAT_STORE), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GA + PG, PG, GMAP_MM_PROT_READ), 0);
	assert_true(gseg(f, GA) & GMAP_SEG_GMAP_IN);
	assert_int_equal(c.n, 0);
	/* PROT_NONE invalidates the guest entry; a fault takes the host's
	 * entry again and notifies. */
	assert_int_equal(gmap_mprotect_notify(f->gmap, GA + SEG, PG, GMAP_MM_PROT_NONE), 0);
	assert_int_equal(gseg(f, GA + SEG) & (GMAP_CRSTE_I | GMAP_SEG_GMAP_IN),
			 GMAP_CRSTE_I | GMAP_SEG_GMAP_IN);
	assert_int_equal(gtr(f, GA + SEG, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(gmap_fault(f->gmap, GA + SEG + PG, GMAP_DAT_FETCH), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.start, GA + SEG);
	assert_int_equal(c.end, GA + 2 * SEG - 1);
	assert_int_equal(gseg(f, GA + SEG), (hseg(f, HBASE + SEG) & LARGE_BITS) | GMAP_SEG_GMAP_UC);
	assert_int_equal(gtr(f, GA + SEG, GMAP_DAT_STORE).pic, GMAP_PIC_NONE);
	assert_int_equal(gmap_unmap_segment(f->gmap, GA, 2 * SEG), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.start, GA);
	assert_int_equal(c.end, GA + SEG - 1);
	assert_int_equal(check_maps(f), 0);
	assert_int_equal(gmap_notifier_unregister(f->gmap, &nb), 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(large_fault_copies_entry, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(large_store_fault_unprotects, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(large_host_change_unlinks, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(large_discard, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(large_unlink_notifies, fx_setup, fx_teardown),
};

const struct test_group large_group = { tests, sizeof(tests) / sizeof(tests[0]) };
