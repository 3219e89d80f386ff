// SPDX-License-Identifier: MIT
/*
 * Failing the Nth allocation of every gmap operation that allocates
 * (suite gmap): gmap_create(), gmap_map_segment() of one and of many
 * segments (also replacing a linked one, and an armed large one),
 * gmap_fault() that needs guest region and segment tables, a host page
 * table and a frame (or a large host segment's 1 MB frame),
 * gmap_mprotect_notify() and guest memory access (absolute, and virtual
 * through the guest's DAT tables). For N = 1, 2, ... (once, and for good)
 * each -ENOMEM must leave the gmap's tables, guest_to_host, host_to_guest,
 * the mm's tables, ptes and PGSTEs, both notifier lists, the table bytes
 * and the allocated bytes (but for radix nodes, see struct snap) exactly
 * as they were, and call no notifier; the loop ends when the operation
 * succeeds, and each world is torn down with no allocation left.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libgmap/libgmap.h>

#include "alloc-hook.h"
#include "test-host.h"

#include "gmap/gmap_impl.h"

#define PG		GMAP_PAGE_SIZE
#define SEG		GMAP_SEGMENT_SIZE
#define RW		(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)
/* A region-second gmap: a fault far up needs a region-third and a
 * segment table. */
#define LIMIT		((1ULL << 53) - 1)
#define HBASE		0x7ff00000ULL	/* two host segments across 2 GB */
#define GHIGH		(5ULL << 42)	/* a guest address in region-second entry 5 */
#define MAX_WORDS	65536

struct fx {
	struct alloc_hook hook;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gmap *gmap;
	struct gmap_notifier nb;
	unsigned long calls;
};

/* Everything an -ENOMEM must leave alone, as (address, value) words, and
 * the bytes allocated but for radix nodes: a reserve that succeeded before
 * a later allocation failed may leave empty nodes published, as the
 * kernel's radix_tree_preload() keeps its nodes (freed with the gmap). */
struct snap {
	size_t n;
	uint64_t w[MAX_WORDS][2];
	long bytes;
};

static void calls_cb(struct gmap *gmap, uint64_t start, uint64_t end, void *priv)
{
	(void)gmap;
	(void)start;
	(void)end;
	((struct fx *)priv)->calls++;
}

static struct fx *fx_new(bool with_gmap)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	test_host_up(&f->hook, 0, &f->arch, &f->mm);
	assert_int_equal(gmap_mm_attach(f->mm, 0), 0);
	assert_int_equal(gmap_mm_map(f->mm, HBASE, 2 * SEG, 0, RW), 0);
	f->nb.notifier_call = calls_cb;
	f->nb.priv = f;
	if (!with_gmap)
		return f;
	assert_int_equal(gmap_create(f->mm, LIMIT, &f->gmap), 0);
	assert_int_equal(gmap_enable(f->gmap, 0), 0);
	assert_int_equal(gmap_notifier_register(f->gmap, &f->nb), 0);
	return f;
}

static void fx_free(struct fx *f)
{
	if (f->gmap) {
		assert_int_equal(gmap_disable(f->gmap, 0), 0);
		gmap_remove(f->gmap);
	}
	test_host_down(&f->hook, f->arch, f->mm);
	free(f);
}

static void snap_add(struct snap *s, uint64_t addr, uint64_t val)
{
	assert_true(s->n < MAX_WORDS);
	s->w[s->n][0] = addr;
	s->w[s->n++][1] = val;
}

static int snap_crste(gmap_crste_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	(void)start;
	(void)next;
	snap_add(w->priv, w->entry_addr, e.val);
	return 0;
}

/* A pte and its PGSTE (IN, UC, keys), 2 KB above it. */
static int snap_pte(gmap_pte_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	uint64_t pgste = w->entry_addr + GMAP_PT_SIZE;

	(void)start;
	(void)next;
	snap_add(w->priv, w->entry_addr, e.val);
	snap_add(w->priv, pgste, *(const uint64_t *)(uintptr_t)pgste & ~GMAP_PGSTE_PCL);
	return 0;
}

static int snap_radix(uint64_t index, uint64_t value, void *priv)
{
	snap_add(priv, index, value);
	return 0;
}

/* Table entries by their addresses, then what is not an entry under a
 * small tag (1-5) as its address: table bytes, notifier lists, radix
 * contents. */
static void snap_take(struct fx *f, struct snap *s)
{
	const struct gmap_dat_walk_ops mm_ops = {
		.pte_entry = snap_pte,
		.crste_entry = { snap_crste, snap_crste, snap_crste, snap_crste },
	};
	const struct gmap_dat_walk_ops gmap_ops = {
		.crste_entry = { snap_crste, snap_crste, snap_crste, snap_crste },
	};
	struct gmap_dat_mem mem;

	s->n = 0;
	gmap_arch_table_mem(f->arch, &mem);
	assert_int_equal(gmap_dat_walk_range(&mem, gmap_mm_asce(f->mm), 0, f->mm->limit - 1,
					     GMAP_FAC_ALL, &mm_ops, s), 0);
	snap_add(s, 1, gmap_mm_table_bytes(f->mm));
	for (struct gmap_mm_notifier *nb = f->mm->notifiers.head; nb; nb = nb->next)
		snap_add(s, 2, (uintptr_t)nb);
	if (f->gmap) {
		assert_int_equal(gmap_dat_walk_range(&mem, gmap_asce(f->gmap), 0, f->gmap->limit,
						     GMAP_FAC_ALL, &gmap_ops, s), 0);
		snap_add(s, 3, gmap_table_bytes(f->gmap));
		radix_for_each(&f->gmap->guest_to_host, snap_radix, s);
		snap_add(s, 4, 0);
		radix_for_each(&f->gmap->host_to_guest, snap_radix, s);
		for (struct gmap_notifier *nb = f->gmap->notifiers.head; nb; nb = nb->next)
			snap_add(s, 5, (uintptr_t)nb);
	}
	s->bytes = f->hook.bytes;
	if (f->gmap)
		s->bytes -= (long)(f->gmap->guest_to_host.bytes + f->gmap->host_to_guest.bytes);
}

/* Two snapshots are equal; @n names the failed allocation. */
static void snap_assert_equal(const struct snap *a, const struct snap *b, unsigned long n)
{
	for (size_t i = 0; i < a->n && i < b->n; i++)
		if (a->w[i][0] != b->w[i][0] || a->w[i][1] != b->w[i][1])
			fail_msg("allocation %lu failed, word %zu changed: 0x%" PRIx64 " = 0x%"
				 PRIx64 " -> 0x%" PRIx64 " = 0x%" PRIx64, n, i, a->w[i][0],
				 a->w[i][1], b->w[i][0], b->w[i][1]);
	if (a->n != b->n)
		fail_msg("allocation %lu failed, %zu words -> %zu, the first new 0x%" PRIx64
			 " = 0x%" PRIx64, n, a->n, b->n, a->n < b->n ? b->w[a->n][0] : 0,
			 a->n < b->n ? b->w[a->n][1] : 0);
	assert_int_equal(a->bytes, b->bytes);
}

typedef void (*prep_fn)(struct fx *f);
typedef int (*op_fn)(struct fx *f);
typedef void (*done_fn)(struct fx *f);

/* Fail allocation N of @op, once and for good, for N = 1, 2, ... until it
 * succeeds; @done checks the success. Returns that N. */
static unsigned long nomem_loop(bool with_gmap, prep_fn prep, op_fn op, done_fn done)
{
	static struct snap before, after;

	for (unsigned long n = 1;; n++) {
		for (int for_good = 0; for_good < 2; for_good++) {
			struct fx *f = fx_new(with_gmap);
			int rc;

			if (prep)
				prep(f);
			snap_take(f, &before);
			f->calls = 0;
			f->hook.fail_at = f->hook.calls + n;
			f->hook.for_good = for_good;
			rc = op(f);
			f->hook.fail_at = 0;
			if (rc != -ENOMEM) {
				assert_int_equal(rc, 0);
				done(f);
				fx_free(f);
				return n;
			}
			snap_take(f, &after);
			snap_assert_equal(&before, &after, n);
			assert_int_equal(f->calls, 0);
			fx_free(f);
		}
	}
}

static uint64_t g2h(struct fx *f, uint64_t gaddr)
{
	uint64_t haddr = 0;

	assert_int_equal(gmap_translate(f->gmap, gaddr, &haddr), 0);
	return haddr;
}

static bool linked(struct fx *f, uint64_t gaddr)
{
	gmap_crste_t *segp = gmap_table_walk(f->gmap, gaddr, GMAP_TT_SEGMENT);

	return segp && !(segp->val & GMAP_CRSTE_I);
}

/* gmap_create(): nothing allocated and *out untouched on failure. */
static void create_leaves_nothing_behind(void **state)
{
	unsigned long n;

	(void)state;
	for (n = 1;; n++) {
		struct fx *f = fx_new(false);
		/* Any value that is not a gmap: it must come back untouched. */
		struct gmap *g = (struct gmap *)f;
		static struct snap before, after;
		int rc;

		snap_take(f, &before);
		f->hook.fail_at = f->hook.calls + n;
		rc = gmap_create(f->mm, LIMIT, &g);
		f->hook.fail_at = 0;
		if (!rc) {
			f->gmap = g;
			assert_int_equal(gmap_enable(g, 0), 0);
			fx_free(f);
			break;
		}
		assert_int_equal(rc, -ENOMEM);
		assert_ptr_equal(g, f);
		snap_take(f, &after);
		snap_assert_equal(&before, &after, n);
		fx_free(f);
	}
	/* The gmap and its top table at least. */
	assert_true(n >= 3);
}

static int op_map_one(struct fx *f)
{
	return gmap_map_segment(f->gmap, HBASE, GHIGH, SEG);
}

static void done_map_one(struct fx *f)
{
	assert_int_equal(g2h(f, GHIGH + 5), HBASE + 5);
}

/* Three segments across region-third and region-second boundaries. */
static int op_map_many(struct fx *f)
{
	return gmap_map_segment(f->gmap, HBASE, (1ULL << 42) - SEG, 2 * SEG);
}

static void done_map_many(struct fx *f)
{
	assert_int_equal(g2h(f, (1ULL << 42) - SEG), HBASE);
	assert_int_equal(g2h(f, 1ULL << 42), HBASE + SEG);
}

/* A linked segment that the failing map replaces: it must stay linked. */
static void prep_linked(struct fx *f)
{
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, (1ULL << 42) - SEG, SEG), 0);
	assert_int_equal(gmap_fault(f->gmap, (1ULL << 42) - SEG, GMAP_DAT_STORE), 0);
	assert_true(linked(f, (1ULL << 42) - SEG));
}

static void done_map_replaced(struct fx *f)
{
	done_map_many(f);
	assert_false(linked(f, (1ULL << 42) - SEG));
}

static void prep_mapped(struct fx *f)
{
	assert_int_equal(gmap_map_segment(f->gmap, HBASE + SEG, GHIGH, SEG), 0);
}

static int op_fault(struct fx *f)
{
	return gmap_fault(f->gmap, GHIGH + 3 * PG, GMAP_DAT_STORE);
}

static void done_fault(struct fx *f)
{
	gmap_pte_t pte;

	assert_true(linked(f, GHIGH));
	assert_int_equal(gmap_mm_read_pte(f->mm, HBASE + SEG + 3 * PG, &pte, NULL), 0);
	assert_false(pte.val & (GMAP_PTE_I | GMAP_PTE_P));
}

/* One page: a later page's failure would leave the earlier ones armed. */
/* A large host segment: the fault allocates its 1 MB frame and copies
 * its entry. */
static void prep_large(struct fx *f)
{
	assert_int_equal(gmap_mm_map(f->mm, HBASE + 2 * SEG, SEG, 0, RW | GMAP_MM_MAP_LARGE), 0);
	assert_int_equal(gmap_map_segment(f->gmap, HBASE + 2 * SEG, GHIGH, SEG), 0);
}

static void done_fault_large(struct fx *f)
{
	gmap_crste_t *segp = gmap_table_walk(f->gmap, GHIGH, GMAP_TT_SEGMENT);

	assert_non_null(segp);
	assert_int_equal(segp->val & (GMAP_CRSTE_FC | GMAP_CRSTE_I | GMAP_CRSTE_P |
				      GMAP_SEG_GMAP_UC), GMAP_CRSTE_FC | GMAP_SEG_GMAP_UC);
}

static int op_mprotect_notify(struct fx *f)
{
	return gmap_mprotect_notify(f->gmap, GHIGH + PG, PG, GMAP_MM_PROT_READ);
}

static void done_mprotect_notify(struct fx *f)
{
	gmap_pgste_t pgste;
	gmap_pte_t pte;

	assert_int_equal(gmap_mm_read_pte(f->mm, HBASE + SEG + PG, &pte, &pgste), 0);
	assert_int_equal(pte.val & (GMAP_PTE_I | GMAP_PTE_P), GMAP_PTE_P);
	assert_true(pgste.val & GMAP_PGSTE_IN);
	/* Armed: a host zap calls the notifier once. */
	assert_int_equal(gmap_mm_zap(f->mm, HBASE + SEG, SEG), 0);
	assert_int_equal(f->calls, 1);
}

/* Within one page: a failure on a later page leaves the earlier written. */
static int op_access(struct fx *f)
{
	static const char msg[] = "guest bytes";

	return gmap_gacc_write_abs(f->gmap, 0, GHIGH + 2 * PG - 16, msg, sizeof(msg));
}

static void done_access(struct fx *f)
{
	char buf[sizeof("guest bytes")];

	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, GHIGH + 2 * PG - 16, buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "guest bytes");
}

/*
 * Guest virtual access through the guest's own DAT tables: a segment
 * table at guest absolute 64 KB, its page table at 68 KB mapping virtual
 * page 0 to guest absolute 1 MB (big-endian, in guest memory, written
 * before); the access faults in guest segment 1 (host page table, frame).
 */
#define GVA_STO		0x10000ULL
#define GVA_PTO		0x11000ULL

/* Write a table of @n big-endian entries: @first, then @rest. */
static void put_table(struct fx *f, uint64_t gaddr, unsigned int n, uint64_t first,
		      uint64_t rest)
{
	uint8_t be[GMAP_CRST_PART_SIZE];

	for (unsigned int i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			be[8 * i + b] = (uint8_t)((i ? rest : first) >> (56 - 8 * b));
	assert_int_equal(gmap_gacc_write_abs(f->gmap, 0, gaddr, be, 8 * n), 0);
}

static void prep_guest_dat(struct fx *f)
{
	assert_int_equal(gmap_map_segment(f->gmap, HBASE, 0, 2 * SEG), 0);
	put_table(f, GVA_STO, GMAP_CRST_ENTRIES_PER_PART,
		  gmap_crste_mk_table(GVA_PTO, GMAP_TT_SEGMENT, 0, 0, 0).val, GMAP_CRSTE_I);
	put_table(f, GVA_PTO, GMAP_PT_ENTRIES, SEG, GMAP_PTE_I);
}

static int op_virt(struct fx *f)
{
	const struct gmap_gacc_cpu vcpu = {
		.cpu = 0, .flags = GMAP_GACC_DAT, .facilities = GMAP_FAC_ALL,
		.asce = gmap_asce_mk(GVA_STO, GMAP_TT_SEGMENT, 0, 0),
	};
	uint64_t val = 0x1234, teid;

	return gmap_gacc_virt(f->gmap, &vcpu, 0x80, &val, sizeof(val), GMAP_DAT_STORE, &teid);
}

static void done_virt(struct fx *f)
{
	uint64_t val = 0;

	assert_true(linked(f, SEG));
	assert_int_equal(gmap_gacc_read_abs(f->gmap, 0, SEG + 0x80, &val, sizeof(val)), 0);
	assert_int_equal(val, 0x1234);
}

/* An armed large segment that the failing map replaces: it must stay
 * linked and armed, its notifier not called; the map that succeeds calls
 * it once. */
static void prep_large_armed(struct fx *f)
{
	prep_large(f);
	assert_int_equal(gmap_fault(f->gmap, GHIGH, GMAP_DAT_FETCH), 0);
	assert_int_equal(gmap_mprotect_notify(f->gmap, GHIGH, PG, GMAP_MM_PROT_READ), 0);
}

static int op_map_over_large(struct fx *f)
{
	return gmap_map_segment(f->gmap, HBASE, GHIGH - SEG, 2 * SEG);
}

static void done_map_over_large(struct fx *f)
{
	assert_int_equal(f->calls, 1);
	assert_int_equal(g2h(f, GHIGH), HBASE + SEG);
	assert_false(linked(f, GHIGH));
}

static void mapping_segments_is_all_or_nothing(void **state)
{
	(void)state;
	/* guest_to_host needs radix nodes; more for many segments. */
	assert_true(nomem_loop(true, NULL, op_map_one, done_map_one) >= 2);
	assert_true(nomem_loop(true, NULL, op_map_many, done_map_many) >= 2);
	assert_true(nomem_loop(true, prep_linked, op_map_many, done_map_replaced) >= 2);
	assert_true(nomem_loop(true, prep_large_armed, op_map_over_large,
			       done_map_over_large) >= 2);
}

static void fault_builds_every_table_or_none(void **state)
{
	(void)state;
	/* Region-third and segment table, host_to_guest, host page table,
	 * frame: at least five allocations. */
	assert_true(nomem_loop(true, prep_mapped, op_fault, done_fault) >= 6);
	/* Region-third and segment table, host_to_guest, the 1 MB frame. */
	assert_true(nomem_loop(true, prep_large, op_fault, done_fault_large) >= 5);
}

static void mprotect_notify_survives_failing_allocations(void **state)
{
	(void)state;
	assert_true(nomem_loop(true, prep_mapped, op_mprotect_notify, done_mprotect_notify) >= 6);
}

static void access_survives_failing_allocations(void **state)
{
	(void)state;
	assert_true(nomem_loop(true, prep_mapped, op_access, done_access) >= 6);
	/* Host page table and frame of guest segment 1 at least. */
	assert_true(nomem_loop(true, prep_guest_dat, op_virt, done_virt) >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_leaves_nothing_behind),
		cmocka_unit_test(mapping_segments_is_all_or_nothing),
		cmocka_unit_test(fault_builds_every_table_or_none),
		cmocka_unit_test(mprotect_notify_survives_failing_allocations),
		cmocka_unit_test(access_survives_failing_allocations),
	};

	return cmocka_run_group_tests_name("gmap-nomem", tests, NULL, NULL);
}
