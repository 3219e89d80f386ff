// SPDX-License-Identifier: MIT
/*
 * The pgste fuzz target's checks (see fuzz-mm.c):
 * the snapshot of what the API shows, the rule that a failed call changes
 * nothing, and each page's model against read_pte, get_key and CPU 0's
 * translation.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz-mm.h"

void mm_notify(struct gmap_mm *mm, uint64_t start, uint64_t end, void *priv)
{
	struct nb *b = priv;

	FZ_CHECK(b->registered && mm == b->m->mm, "notifier called while not registered");
	FZ_CHECK(!(start & (PG - 1)) && end == start + PG,
		 "notified range [0x%" PRIx64 ", 0x%" PRIx64 ") is not one page", start, end);
	FZ_CHECK(start >= MM_BASE && start < haddr(MM_PAGES),
		 "notified page 0x%" PRIx64 " was never used", start);
}

void take_snap(struct mm_fz *m, struct snap *s)
{
	for (unsigned int i = 0; i < MM_PAGES; i++) {
		gmap_pte_t pte = { 0 };
		gmap_pgste_t pgste = { 0 };

		s->rc[i] = gmap_mm_read_pte(m->mm, haddr(i), &pte, &pgste);
		s->pte[i] = pte.val;
		s->pgste[i] = pgste.val & ~GMAP_PGSTE_PCL;
		s->key[i] = 0;
		if (has_pgste(m))
			FZ_CHECK(gmap_pgste_get_key(m->mm, haddr(i), &s->key[i]) == 0,
				 "get_key failed on page %u", i);
	}
	s->table_bytes = gmap_mm_table_bytes(m->mm);
	s->live = m->hook.live;
}

/* A failed call changed nothing. */
static void check_unchanged(struct mm_fz *m, const struct snap *before, const char *op, int rc)
{
	struct snap now;

	take_snap(m, &now);
	for (unsigned int i = 0; i < MM_PAGES; i++)
		FZ_CHECK(now.rc[i] == before->rc[i] && now.pte[i] == before->pte[i] &&
			 now.pgste[i] == before->pgste[i] && now.key[i] == before->key[i],
			 "%s failed with %d but changed page %u: pte 0x%" PRIx64 " -> 0x%" PRIx64
			 " pgste 0x%" PRIx64 " -> 0x%" PRIx64 " key 0x%02x -> 0x%02x", op, rc, i,
			 before->pte[i], now.pte[i], before->pgste[i], now.pgste[i],
			 before->key[i], now.key[i]);
	FZ_CHECK(now.table_bytes == before->table_bytes, "%s failed with %d but table bytes"
		 " %zu -> %zu", op, rc, before->table_bytes, now.table_bytes);
	FZ_CHECK(now.live == before->live, "%s failed with %d but live allocations %ld -> %ld",
		 op, rc, before->live, now.live);
}

bool check_rc(struct mm_fz *m, const struct snap *before, const char *op, long rc, long want,
	      long max_ok)
{
	if (rc == -ENOMEM && m->hook.fail_at && m->hook.calls >= m->hook.fail_at) {
		check_unchanged(m, before, op, (int)rc);
		return false;
	}
	if (want < 0 || rc < 0) {
		FZ_CHECK(rc == want, "%s returned %ld, model says %ld", op, rc, want);
		check_unchanged(m, before, op, (int)rc);
		return false;
	}
	FZ_CHECK(rc >= 0 && rc <= max_ok, "%s returned %ld, model says 0 to %ld", op, rc, max_ok);
	return true;
}

void check_page(struct mm_fz *m, const struct snap *s, unsigned int i)
{
	const struct page *p = &m->pg[i];
	uint64_t pte = s->pte[i], off = (i * 0x123u) & (PG - 1);
	struct gmap_dat_result fetch, store;

	FZ_CHECK(s->rc[i] == 0 || s->rc[i] == -EFAULT, "read_pte returned %d", s->rc[i]);
	FZ_CHECK(!!(pte & GMAP_MM_PTE_PRESENT) == p->present && (!s->rc[i] || !p->present),
		 "page %u: pte 0x%" PRIx64 " (rc %d), model %spresent", i, pte, s->rc[i],
		 p->present ? "" : "not ");
	FZ_CHECK(has_pgste(m) || !s->pgste[i], "PGSTE 0x%" PRIx64 " without PGSTEs", s->pgste[i]);
	FZ_CHECK(p->acc == UNKNOWN || (s->key[i] & KEY_AF) == p->acc,
		 "page %u: guest key 0x%02x, model ACC/F 0x%02x", i, s->key[i], p->acc);

	FZ_CHECK(gmap_arch_translate(m->arch, 0, haddr(i) + off, GMAP_DAT_FETCH, 0, &fetch) == 0 &&
		 gmap_arch_translate(m->arch, 0, haddr(i) + off, GMAP_DAT_STORE, 0, &store) == 0,
		 "gmap_arch_translate failed");
	if (s->rc[i]) {
		FZ_CHECK(fetch.pic != GMAP_PIC_NONE && fetch.pic != GMAP_PIC_PROTECTION,
			 "page %u has no page table but translates (pic 0x%x)", i, fetch.pic);
		return;
	}
	if (pte & GMAP_PTE_I) {
		FZ_CHECK(fetch.pic == GMAP_PIC_PAGE_TRANSLATION,
			 "page %u: invalid pte 0x%" PRIx64 ", translation pic 0x%x", i, pte,
			 fetch.pic);
		return;
	}
	FZ_CHECK(p->present && p->mapped && p->prot != GMAP_MM_PROT_NONE,
		 "page %u: valid pte 0x%" PRIx64 " where the model has no accessible page", i, pte);
	FZ_CHECK((pte & GMAP_PTE_P) || (p->prot & GMAP_MM_PROT_WRITE),
		 "page %u: writable pte 0x%" PRIx64 " in a read-only mapping", i, pte);
	FZ_CHECK(!p->frame || (pte & GMAP_PTE_PFRA) == p->frame,
		 "page %u: pte 0x%" PRIx64 " does not map caller frame 0x%" PRIx64, i, pte,
		 p->frame);
	FZ_CHECK(fetch.pic == GMAP_PIC_NONE && fetch.addr == (pte & GMAP_PTE_PFRA) + off,
		 "page %u: pte 0x%" PRIx64 ", fetch pic 0x%x addr 0x%" PRIx64, i, pte, fetch.pic,
		 fetch.addr);
	FZ_CHECK(store.pic == (pte & GMAP_PTE_P ? GMAP_PIC_PROTECTION : GMAP_PIC_NONE) &&
		 store.addr == fetch.addr, "page %u: pte 0x%" PRIx64 ", store pic 0x%x", i, pte,
		 store.pic);
}
