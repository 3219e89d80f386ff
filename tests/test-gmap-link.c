// SPDX-License-Identifier: MIT
/*
 * gmap_fault() linking host page tables, unlinking (remap, unmap, a link
 * moved to another guest segment, the host freeing its page table) and
 * gmap_discard(): exact table entries, both reverse maps, and the strict
 * TLB of the CPU running the gmap never answering with a stale
 * translation.
 */
#include <errno.h>
#include <string.h>

#include "test-gmap.h"

#define GA	(3 * SEG)	/* where the tests map HBASE into the guest */

static void map_fault(struct fx *f, uint64_t gaddr, enum gmap_dat_access access)
{
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, GA, HLEN), 0);
	assert_int_equal(gmap_fault(f->gmap, gaddr, access), 0);
}

/* The host frame behind a host address (its pte's PFRA). */
static uint64_t hframe(struct fx *f, uint64_t haddr)
{
	return hpte(f, haddr) & GMAP_PTE_PFRA;
}

/* A fault installs a segment table under the region-third entry and
 * points the guest segment entry at the host's page table, exactly the
 * host segment entry; host_to_guest points back; the CPU running the gmap
 * reaches the host frame. */
static void fault_links_host_page_table(void **state)
{
	struct fx *f = *state;
	gmap_crste_t *r3e = &f->gmap->table[0];
	struct gmap_dat_result res;
	uint64_t ste;

	host_map(f);
	map_fault(f, GA + 0x5123, GMAP_DAT_FETCH);
	assert_false(r3e->val & GMAP_CRSTE_I);
	assert_int_equal(r3e->val & ~GMAP_CRSTE_ORIGIN,
			 (GMAP_TT_REGION3 << GMAP_CRSTE_TT_SHIFT) | GMAP_CRST_TL);
	assert_int_equal(gmap_table_bytes(f->gmap), 2 * 4 * GMAP_CRST_PART_SIZE);
	ste = gseg(f, GA);
	assert_int_equal(ste, hseg(f, HBASE));
	assert_int_equal(ste & ~GMAP_SEGMENT_PTO, 0);
	assert_int_equal(ste, mm_segment_walk(f->mm, HBASE)->val);
	assert_int_equal(ste, gmap_arch_virt_to_real(f->arch, mm_walk(f->mm, HBASE)));
	assert_int_equal(radix_lookup(&f->gmap->host_to_guest, HBASE >> GMAP_SEGMENT_SHIFT),
			 GA | GTH_VALID);
	assert_int_equal(check_maps(f), 1);
	res = gtr(f, GA + 0x5123, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_NONE);
	assert_int_equal(res.addr, hframe(f, HBASE + 0x5000) + 0x123);
	/* A fetch left the page clean: a store is refused by DAT until a
	 * store fault makes the host pte dirty. */
	assert_int_equal(gtr(f, GA + 0x5123, GMAP_DAT_STORE).pic, GMAP_PIC_PROTECTION);
	assert_int_equal(gmap_fault(f->gmap, GA + 0x5123, GMAP_DAT_STORE), 0);
	assert_int_equal(gtr(f, GA + 0x5123, GMAP_DAT_STORE).pic, GMAP_PIC_NONE);
	/* The other segments are not linked. */
	assert_int_equal(gseg(f, GA + SEG), GMAP_SEG_EMPTY);
	assert_int_equal(gtr(f, GA + SEG, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(check_maps(f), 1);
}

/* Bad access, unmapped guest memory, memory the host does not map and
 * stores the host refuses: errors with nothing changed. */
static void fault_errors(void **state)
{
	struct fx *f = *state;
	struct gsnap before, after;

	assert_int_equal(gmap_mm_map(f->mm, HBASE, SEG, 0, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, GA, 2 * SEG), 0);
	gsnap_take(f, &before);
	assert_int_equal(gmap_fault(f->gmap, GA, (enum gmap_dat_access)3), -EINVAL);
	assert_int_equal(gmap_fault(f->gmap, GA - 1, GMAP_DAT_FETCH), -EFAULT);
	assert_int_equal(gmap_fault(f->gmap, LIMIT + 1, GMAP_DAT_FETCH), -EFAULT);
	assert_int_equal(gmap_fault(f->gmap, GA + SEG, GMAP_DAT_FETCH), -EFAULT);
	assert_int_equal(gmap_fault(f->gmap, GA, GMAP_DAT_STORE), -EFAULT);
	gsnap_take(f, &after);
	gsnap_assert_equal(&before, &after);
	assert_int_equal(gmap_fault(f->gmap, GA, GMAP_DAT_IFETCH), 0);
	assert_int_equal(check_maps(f), 1);
}

/* Failing any allocation of a fault (tables, reverse map node, host page
 * table and frame) changes nothing in the gmap; the fault then succeeds. */
static void fault_nomem(void **state)
{
	struct fx *f = *state;
	struct gsnap before, after;
	unsigned long n;
	int rc;

	host_map(f);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, GA, HLEN), 0);
	gsnap_take(f, &before);
	for (n = 1;; n++) {
		f->hook.fail_at = f->hook.calls + n;
		rc = gmap_fault(f->gmap, GA + 0x7000, GMAP_DAT_STORE);
		f->hook.fail_at = 0;
		if (!rc)
			break;
		assert_int_equal(rc, -ENOMEM);
		gsnap_take(f, &after);
		gsnap_assert_equal(&before, &after);
	}
	assert_true(n > 2);
	assert_int_equal(check_maps(f), 1);
	assert_int_equal(gtr(f, GA + 0x7000, GMAP_DAT_STORE).pic, GMAP_PIC_NONE);
}

/* Unmapping or remapping a linked segment empties its entry with IDTE:
 * the CPU running the gmap sees the change at once; a fault links the
 * new host segment. */
static void unmap_remap_unlink(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result res;
	uint64_t h;

	host_map(f);
	map_fault(f, GA + 0x1000, GMAP_DAT_STORE);
	assert_int_equal(gtr(f, GA + 0x1000, GMAP_DAT_FETCH).addr, hframe(f, HBASE + 0x1000));
	/* Remap GA to the second host segment. */
	assert_int_equal(gmap_map_segment(f->gmap, HBASE + SEG, GA, SEG), 0);
	assert_int_equal(gseg(f, GA), GMAP_SEG_EMPTY);
	assert_int_equal(radix_lookup(&f->gmap->host_to_guest, HBASE >> GMAP_SEGMENT_SHIFT), 0);
	assert_int_equal(check_maps(f), 0);
	assert_int_equal(gtr(f, GA + 0x1000, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(gmap_translate(f->gmap, GA + 0x1000, &h), 0);
	assert_int_equal(h, HBASE + SEG + 0x1000);
	assert_int_equal(gmap_fault(f->gmap, GA + 0x1000, GMAP_DAT_STORE), 0);
	assert_int_equal(gseg(f, GA), hseg(f, HBASE + SEG));
	res = gtr(f, GA + 0x1000, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_NONE);
	assert_int_equal(res.addr, hframe(f, HBASE + SEG + 0x1000));
	assert_int_equal(check_maps(f), 1);
	/* Unmap it. */
	assert_int_equal(gmap_unmap_segment(f->gmap, GA, SEG), 0);
	assert_int_equal(gseg(f, GA), GMAP_SEG_EMPTY);
	assert_int_equal(check_maps(f), 0);
	assert_int_equal(gtr(f, GA + 0x1000, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(gmap_fault(f->gmap, GA + 0x1000, GMAP_DAT_FETCH), -EFAULT);
}

/* A host segment mapped at two guest segments is linked at one at a time:
 * a fault on the other moves the link, flushing the first. */
static void fault_moves_link(void **state)
{
	struct fx *f = *state;
	uint64_t g2 = GA + 16 * SEG;

	host_map(f);
	map_fault(f, GA, GMAP_DAT_STORE);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, g2, SEG), 0);
	assert_int_equal(gtr(f, GA, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	assert_int_equal(gmap_fault(f->gmap, g2, GMAP_DAT_STORE), 0);
	assert_int_equal(gseg(f, GA), GMAP_SEG_EMPTY);
	assert_int_equal(gseg(f, g2), hseg(f, HBASE));
	assert_int_equal(radix_lookup(&f->gmap->host_to_guest, HBASE >> GMAP_SEGMENT_SHIFT),
			 g2 | GTH_VALID);
	assert_int_equal(check_maps(f), 1);
	assert_int_equal(gtr(f, GA, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(gtr(f, g2, GMAP_DAT_FETCH).addr, hframe(f, HBASE));
}

/* Unmapping the host memory frees its page table: the segment callback
 * unlinks the guest entry first, with IDTE. */
static void host_unmap_unlinks(void **state)
{
	struct fx *f = *state;

	host_map(f);
	map_fault(f, GA + SEG, GMAP_DAT_STORE);
	assert_int_equal(gmap_fault(f->gmap, GA + 2 * SEG, GMAP_DAT_STORE), 0);
	assert_int_equal(check_maps(f), 2);
	assert_int_equal(gmap_mm_unmap(f->mm, HBASE + SEG, SEG), 0);
	assert_int_equal(gseg(f, GA + SEG), GMAP_SEG_EMPTY);
	assert_int_equal(radix_lookup(&f->gmap->host_to_guest, (HBASE + SEG) >> GMAP_SEGMENT_SHIFT),
			 0);
	assert_int_equal(check_maps(f), 1);
	assert_int_equal(gtr(f, GA + SEG, GMAP_DAT_FETCH).pic, GMAP_PIC_SEGMENT_TRANSLATION);
	assert_int_equal(gtr(f, GA + 2 * SEG, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	assert_int_equal(gmap_fault(f->gmap, GA + SEG, GMAP_DAT_FETCH), -EFAULT);
}

/* Discard empties the host ptes of the mapped parts only; the guest no
 * longer reaches the old frame and the next fault gives a zeroed page. */
static void discard_zaps_host(void **state)
{
	struct fx *f = *state;
	struct gmap_dat_result res;
	uint64_t h;

	host_map(f);
	map_fault(f, GA + 0x2000, GMAP_DAT_STORE);
	assert_int_equal(gmap_fault(f->gmap, GA + 0x3000, GMAP_DAT_STORE), 0);
	res = gtr(f, GA + 0x2000, GMAP_DAT_STORE);
	assert_int_equal(res.pic, GMAP_PIC_NONE);
	memset((void *)(uintptr_t)res.addr, 0xa5, PG);
	assert_int_equal(gmap_unmap_segment(f->gmap, GA + 7 * SEG, SEG), 0);
	/* From the hole below GA to the pte at 0x2000, and past HLEN. */
	assert_int_equal(gmap_discard(f->gmap, GA - SEG, GA + 0x3000), 0);
	assert_int_equal(gmap_discard(f->gmap, GA + 7 * SEG, GA + 8 * SEG), 0);
	assert_int_equal(hpte(f, HBASE + 0x2000), GMAP_MM_PTE_NONE);
	assert_int_not_equal(hpte(f, HBASE + 0x3000), GMAP_MM_PTE_NONE);
	assert_int_equal(gtr(f, GA + 0x2000, GMAP_DAT_FETCH).pic, GMAP_PIC_PAGE_TRANSLATION);
	assert_int_equal(gtr(f, GA + 0x3000, GMAP_DAT_FETCH).pic, GMAP_PIC_NONE);
	assert_int_equal(check_maps(f), 1);
	assert_int_equal(gmap_fault(f->gmap, GA + 0x2000, GMAP_DAT_FETCH), 0);
	res = gtr(f, GA + 0x2000, GMAP_DAT_FETCH);
	assert_int_equal(res.pic, GMAP_PIC_NONE);
	for (uint64_t i = 0; i < PG; i++)
		assert_int_equal(((unsigned char *)(uintptr_t)res.addr)[i], 0);
	assert_int_equal(gmap_translate(f->gmap, GA + 0x2000, &h), 0);
	assert_int_equal(res.addr, hframe(f, h));
}

/* Bad ranges are refused with nothing zapped. */
static void discard_einval(void **state)
{
	static const uint64_t bad[][2] = {
		{ GA + 1, GA + PG }, { GA, GA + PG + 1 }, { GA + PG, GA + PG }, { GA + PG, GA },
		{ GA, LIMIT + 1 + PG },
	};
	struct fx *f = *state;
	uint64_t pte;

	host_map(f);
	map_fault(f, GA, GMAP_DAT_STORE);
	pte = hpte(f, HBASE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gmap_discard(f->gmap, bad[i][0], bad[i][1]), -EINVAL);
		assert_int_equal(hpte(f, HBASE), pte);
	}
	assert_int_equal(gmap_discard(f->gmap, 0, LIMIT + 1), 0);
	assert_int_equal(hpte(f, HBASE), GMAP_MM_PTE_NONE);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(fault_links_host_page_table, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(fault_errors, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(fault_nomem, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(unmap_remap_unlink, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(fault_moves_link, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(host_unmap_unlinks, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(discard_zaps_host, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(discard_einval, fx_setup, fx_teardown),
};

const struct test_group link_group = { tests, sizeof(tests) / sizeof(tests[0]) };
