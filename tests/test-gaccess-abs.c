// SPDX-License-Identifier: MIT
/*
 * gaccess suite, absolute access: exact bytes across pages and segments,
 * fault-driven linking on first touch, key-controlled and fetch
 * protection against the guest storage key, -EFAULT, -EINVAL and -ENOMEM,
 * and no stale translation (strict TLB) after a host zap, a gmap unmap or remap
 * and a discard.
 */
#include <errno.h>
#include <string.h>

#include "test-gaccess.h"

#define FSI_F	GMAP_TEID_FSI_FETCH
#define FSI_S	GMAP_TEID_FSI_STORE

static void fill(uint8_t *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

/* A write crossing three pages and the segment boundary at 1 MB lands
 * byte for byte in the host frames behind it, and reads back. */
static void abs_bytes_cross_pages_and_segments(void **state)
{
	struct fx *f = *state;
	const uint64_t ga = SEG - PG - 50;
	const size_t len = 3 * PG + 100;
	static uint8_t buf[3 * PG + 100], back[3 * PG + 100];
	uint8_t edge[2];

	fill(buf, len, 3);
	gwrite(f, ga, buf, len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(host_byte(f, ga + i), buf[i]);
	gread(f, ga, back, len);
	assert_memory_equal(back, buf, len);
	gread(f, ga - 1, &edge[0], 1);
	gread(f, ga + len, &edge[1], 1);
	assert_int_equal(edge[0], 0);
	assert_int_equal(edge[1], 0);
	/* Odd sizes and offsets within one page. */
	gread(f, ga + 1, back, 3);
	assert_memory_equal(back, buf + 1, 3);
	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, ga, NULL, 0), 0);
}

/* The first touch of a segment links the host's page table into the
 * gmap; a fetch leaves the host pte clean, the store that follows takes
 * the protection exception, faults for write and makes it dirty. */
static void abs_first_touch_faults_and_links(void **state)
{
	struct fx *f = *state;
	const uint64_t ga = 2 * SEG + 0x3004;
	gmap_crste_t *gste, *hste;
	uint32_t v = 0xdeadbeef, r = 1;
	gmap_pte_t pte;

	gste = gmap_table_walk(f->gmap, ga, GMAP_TT_SEGMENT);
	assert_true(!gste || (gste->val & GMAP_CRSTE_I));
	assert_false(tlb_has(f, ga));

	gread(f, ga, &r, sizeof(r));
	assert_int_equal(r, 0);
	gste = gmap_table_walk(f->gmap, ga, GMAP_TT_SEGMENT);
	hste = mm_segment_walk(f->mm, HBASE + ga);
	assert_non_null(gste);
	assert_non_null(hste);
	assert_false(gste->val & GMAP_CRSTE_I);
	assert_int_equal(gste->val & GMAP_SEGMENT_PTO, hste->val & GMAP_SEGMENT_PTO);
	assert_true(tlb_has(f, ga));
	assert_int_equal(gmap_mm_read_pte(f->mm, HBASE + ga, &pte, NULL), 0);
	assert_true(pte.val & GMAP_PTE_P);
	assert_false(pte.val & GMAP_MM_PTE_DIRTY);

	gwrite(f, ga, &v, sizeof(v));
	assert_int_equal(gmap_mm_read_pte(f->mm, HBASE + ga, &pte, NULL), 0);
	assert_false(pte.val & GMAP_PTE_P);
	assert_true(pte.val & GMAP_MM_PTE_DIRTY);
	gread(f, ga, &r, sizeof(r));
	assert_int_equal(r, v);
}

/* Guest memory the gmap does not map: -EFAULT; a write that runs into it
 * stores the pages before. */
static void abs_unmapped_is_efault(void **state)
{
	struct fx *f = *state;
	uint8_t buf[4] = { 1, 2, 3, 4 };

	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, GSIZE, buf, 1), -EFAULT);
	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, 1ULL << 32, buf, 1), -EFAULT);
	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, 1ULL << 40, buf, 1), -EFAULT);
	assert_int_equal(gmap_gacc_write_abs(f->gmap, 0, GSIZE - 2, buf, 4), -EFAULT);
	assert_int_equal(host_byte(f, GSIZE - 2), 1);
	assert_int_equal(host_byte(f, GSIZE - 1), 2);
}

static void abs_bad_arguments(void **state)
{
	struct fx *f = *state;
	uint8_t b = 0;

	assert_int_equal(gmap_gacc_abs(NULL, 0, 0, &b, 1, GMAP_DAT_FETCH, 0, NULL), -EINVAL);
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0, NULL, 1, GMAP_DAT_FETCH, 0, NULL), -EINVAL);
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0, &b, 1, (enum gmap_dat_access)3, 0, NULL),
			 -EINVAL);
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0, &b, 1, GMAP_DAT_FETCH, 16, NULL), -EINVAL);
	/* CPU 1 does not run the gmap; CPU 2 does not exist. */
	assert_int_equal(gmap_gacc_abs(f->gmap, 1, 0, &b, 1, GMAP_DAT_FETCH, 0, NULL), -EINVAL);
	assert_int_equal(gmap_gacc_abs(f->gmap, 2, 0, &b, 1, GMAP_DAT_FETCH, 0, NULL), -EINVAL);
	assert_int_equal(gmap_disable(f->gmap, 0), 0);
	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, 0, &b, 1), -EINVAL);
	assert_int_equal(gmap_enable(f->gmap, 1), 0);
	assert_int_equal(gmap_gacc_read_abs(f->gmap, 1, 0, &b, 1), 0);
	assert_int_equal(gmap_gacc_abs(f->gmap, 1, 0, NULL, 0, GMAP_DAT_STORE, 0, NULL), 0);
}

/* The host refuses a store to a read-only mapping: -EFAULT, nothing
 * stored; fetches work. */
static void abs_host_readonly_is_efault(void **state)
{
	struct fx *f = *state;
	uint8_t b = 7, r = 1;

	assert_int_equal(gmap_mm_mprotect(f->mm, HBASE + 0xa000, PG, GMAP_MM_PROT_READ), 0);
	assert_int_equal(gmap_gacc_write_abs(f->gmap, 0, 0xa010, &b, 1), -EFAULT);
	gread(f, 0xa010, &r, 1);
	assert_int_equal(r, 0);
}

/* Key-controlled protection (PoP 3.4.1.1): a store needs key 0 or the
 * storage key's ACC; a fetch also passes while F is off. */
static void abs_key_controlled_protection(void **state)
{
	struct fx *f = *state;
	uint32_t v = 0x11223344, r = 0;
	uint64_t teid = 0;

	gwrite(f, 0x5000, &r, sizeof(r));
	set_skey(f, 0x5000, 0x50);
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0x5010, &v, 4, GMAP_DAT_STORE, 3, &teid),
			 GMAP_PIC_PROTECTION);
	assert_int_equal(teid, 0x5000 | FSI_S | GMAP_TEID_B60);
	assert_int_equal(host_byte(f, 0x5010), 0);
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0x5010, &v, 4, GMAP_DAT_STORE, 5, NULL), 0);
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0x5010, &r, 4, GMAP_DAT_FETCH, 3, NULL), 0);
	assert_int_equal(r, v);

	/* Fetch protection: F on stops a fetch with a mismatching key. */
	set_skey(f, 0x5000, 0x58);
	r = 0;
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0x5010, &r, 4, GMAP_DAT_FETCH, 3, &teid),
			 GMAP_PIC_PROTECTION);
	assert_int_equal(teid, 0x5000 | FSI_F | GMAP_TEID_B60);
	assert_int_equal(r, 0);
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0x5010, &r, 4, GMAP_DAT_IFETCH, 3, NULL),
			 GMAP_PIC_PROTECTION);
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0x5010, &r, 4, GMAP_DAT_FETCH, 5, NULL), 0);
	assert_int_equal(r, v);
	r = 0;
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0x5010, &r, 4, GMAP_DAT_FETCH, 0, NULL), 0);
	assert_int_equal(r, v);
	v = 0x55667788;
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0x5010, &v, 4, GMAP_DAT_STORE, 0, NULL), 0);
	assert_int_equal(host_byte(f, 0x5010), *(const uint8_t *)&v);
}

/* A keyed store over two pages whose second page has another key stores
 * the first page's part, then stops with the second page's address. */
static void abs_key_stops_at_the_protected_page(void **state)
{
	struct fx *f = *state;
	uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, zero[8] = { 0 };
	uint64_t teid = 0;

	gwrite(f, 0x6ff8, zero, sizeof(zero));
	set_skey(f, 0x6000, 0x30);
	set_skey(f, 0x7000, 0x50);
	assert_int_equal(gmap_gacc_abs(f->gmap, 0, 0x6ffc, buf, 8, GMAP_DAT_STORE, 3, &teid),
			 GMAP_PIC_PROTECTION);
	assert_int_equal(teid, 0x7000 | FSI_S | GMAP_TEID_B60);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(host_byte(f, 0x6ffc + i), i + 1);
	for (unsigned int i = 4; i < 8; i++)
		assert_int_equal(host_byte(f, 0x6ffc + i), 0);
}

/* A host zap purges the translation: the next access faults in a new,
 * zeroed page. */
static void abs_no_stale_after_host_zap(void **state)
{
	struct fx *f = *state;
	uint32_t v = 0xaaaaaaaa, r = 1;

	gwrite(f, 0x8000, &v, sizeof(v));
	assert_true(tlb_has(f, 0x8000));
	assert_int_equal(gmap_mm_zap(f->mm, HBASE + 0x8000, PG), 0);
	assert_false(tlb_has(f, 0x8000));
	gread(f, 0x8000, &r, sizeof(r));
	assert_int_equal(r, 0);
	assert_true(tlb_has(f, 0x8000));
}

/* gmap_unmap_segment() purges: the access fails; a remap to other host
 * memory reads that memory, not the old. */
static void abs_no_stale_after_unmap_and_remap(void **state)
{
	struct fx *f = *state;
	const uint64_t hnew = HBASE + GSIZE;
	uint32_t v = 0x12345678, r = 0;
	uint8_t *frame;

	gwrite(f, SEG + 0x10, &v, sizeof(v));
	assert_int_equal(gmap_unmap_segment(f->gmap, SEG, SEG), 0);
	assert_false(tlb_has(f, SEG + 0x10));
	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, SEG + 0x10, &r, sizeof(r)), -EFAULT);

	assert_int_equal(gmap_mm_map(f->mm, hnew, SEG, 0, GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE),
			 0);
	assert_int_equal(gmap_mm_fault(f->mm, hnew, GMAP_DAT_STORE), 0);
	frame = gmap_arch_real_to_virt(f->arch, host_frame(f, GSIZE));
	memcpy(frame + 0x10, "\x9a\xbc\xde\xf0", 4);
	assert_int_equal(gmap_map_segment(f->gmap, hnew, SEG, SEG), 0);
	gread(f, SEG + 0x10, &r, sizeof(r));
	assert_memory_equal(&r, "\x9a\xbc\xde\xf0", 4);
}

/* gmap_discard() drops the page: the next read sees zeroes. */
static void abs_no_stale_after_discard(void **state)
{
	struct fx *f = *state;
	uint32_t v = 0x55555555, r = 1;

	gwrite(f, 0x9000, &v, sizeof(v));
	assert_int_equal(gmap_discard(f->gmap, 0x9000, 0xa000), 0);
	assert_false(tlb_has(f, 0x9000));
	gread(f, 0x9000, &r, sizeof(r));
	assert_int_equal(r, 0);
}

/* An entry of the gmap's tables that faulting cannot repair (a segment
 * entry of the wrong table type, made behind the gmap's back): the
 * access gives up after its bounded faults with -EAGAIN. */
static void abs_bounded_faults(void **state)
{
	struct fx *f = *state;
	gmap_crste_t *ste;
	uint8_t b = 0;

	gread(f, 0x4000, &b, 1);
	ste = gmap_table_walk(f->gmap, 0x4000, GMAP_TT_SEGMENT);
	assert_non_null(ste);
	ste->val |= (uint64_t)GMAP_TT_REGION3 << GMAP_CRSTE_TT_SHIFT;
	gmap_arch_ptlb(f->arch, 0);
	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, 0x4000, &b, 1), -EAGAIN);
	ste->val &= ~GMAP_CRSTE_TT_MASK;
}

/* The byte behind guest absolute @gaddr in a large host segment. */
static uint8_t large_byte(struct fx *f, uint64_t haddr)
{
	gmap_crste_t ste;
	const uint8_t *frame;

	assert_int_equal(gmap_mm_read_segment(f->mm, haddr, &ste), 0);
	assert_true(ste.val & GMAP_CRSTE_FC);
	frame = gmap_arch_real_to_virt(f->arch, ste.val & GMAP_SEGMENT_SFAA);
	return frame[haddr & (SEG - 1)];
}

/* A write from a 4 KB-page segment into a 1 MB large host segment: the
 * bytes land in the pte's frame and in the large frame; after the host
 * zaps the large segment the next read faults in a zeroed one. */
static void abs_bytes_into_large_segment(void **state)
{
	struct fx *f = *state;
	const uint64_t hlarge = HBASE + 8 * SEG;
	uint8_t buf[16], r[16];

	assert_int_equal(gmap_mm_map(f->mm, hlarge, SEG, 0, GMAP_MM_PROT_READ |
				     GMAP_MM_PROT_WRITE | GMAP_MM_MAP_LARGE), 0);
	assert_int_equal(gmap_map_segment(f->gmap, hlarge, GSIZE, SEG), 0);
	fill(buf, sizeof(buf), 9);
	gwrite(f, GSIZE - 8, buf, sizeof(buf));
	for (int i = 0; i < 8; i++) {
		assert_int_equal(host_byte(f, GSIZE - 8 + i), buf[i]);
		assert_int_equal(large_byte(f, hlarge + i), buf[8 + i]);
	}
	gread(f, GSIZE - 8, r, sizeof(r));
	assert_memory_equal(r, buf, sizeof(buf));

	assert_int_equal(gmap_mm_zap(f->mm, hlarge, SEG), 0);
	assert_false(tlb_has(f, GSIZE));
	gread(f, GSIZE, r, 8);
	assert_memory_equal(r, "\0\0\0\0\0\0\0\0", 8);
}

/* Failing allocation N (once, then for good) of a first-touch write,
 * which allocates the gmap's and the host's tables and a frame: -ENOMEM
 * with the guest byte unwritten and nothing leaked (teardown counts);
 * the same write succeeds without the failure. */
static void abs_nomem_on_first_touch(void **state)
{
	const uint64_t ga = 3 * SEG + 0x123;
	const uint8_t v = 0x5a;
	unsigned long n;

	(void)state;
	for (int good = 0; good < 2; good++) {
		for (n = 1;; n++) {
			struct fx *f;
			void *st = NULL;
			uint8_t r = 1;
			int rc;

			fx_setup(&st);
			f = st;
			f->hook.fail_at = f->hook.calls + n;
			f->hook.for_good = good;
			rc = gmap_gacc_write_abs(f->gmap, 0, ga, &v, 1);
			f->hook.fail_at = 0;
			if (rc == 0) {
				assert_int_equal(host_byte(f, ga), v);
				fx_teardown(&st);
				break;
			}
			assert_int_equal(rc, -ENOMEM);
			gread(f, ga, &r, 1);
			assert_int_equal(r, 0);
			fx_teardown(&st);
		}
		/* At least the page table, the gmap's segment table and the
		 * frame were allocated. */
		assert_true(n > 3);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(abs_bytes_cross_pages_and_segments, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_first_touch_faults_and_links, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_unmapped_is_efault, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_bad_arguments, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_host_readonly_is_efault, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_key_controlled_protection, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_key_stops_at_the_protected_page, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_no_stale_after_host_zap, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_no_stale_after_unmap_and_remap, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_no_stale_after_discard, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_bounded_faults, fx_setup, fx_teardown),
	cmocka_unit_test_setup_teardown(abs_bytes_into_large_segment, fx_setup, fx_teardown),
	cmocka_unit_test(abs_nomem_on_first_touch),
};

const struct test_group gaccess_abs_tests = { tests, sizeof(tests) / sizeof(tests[0]) };
