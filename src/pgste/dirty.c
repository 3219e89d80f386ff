// SPDX-License-Identifier: MIT
/*
 * The software dirty bit for migration (seed 004): pgste_set_pte() sets UC
 * whenever a writable pte becomes valid; testing it clears it and
 * write-protects the pte, so the next store faults and sets it again.
 */
#include <errno.h>
#include <string.h>

#include "pgste_impl.h"

/* Test and clear UC of one pte. Without UC there is nothing to do: a store
 * that sets UC after the unlocked look is found by the next test, as if it
 * had come after this one. */
static int test_and_clear_uc(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep)
{
	gmap_asce_t any = { 0 };
	uint64_t pgste, pte;
	unsigned int cpu;
	bool dirty, local;

	if (!(mm_load(pgste_word(ptep)) & GMAP_PGSTE_UC))
		return 0;
	pgste = pgste_get_lock(ptep);
	dirty = pgste & GMAP_PGSTE_UC;
	pgste &= ~GMAP_PGSTE_UC;
	pte = mm_load(ptep);
	if (dirty && pte_present(pte)) {
		pgste = pgste_pte_notify(mm, haddr, pgste);
		/* Linux uses the global IPTE here, whoever runs the mm. */
		cpu = mm_flush_cpu(mm, &local);
		gmap_arch_ipte(mm->arch, cpu, any, haddr, ptep, 1, 0);
		if (mm->esop || !(pte & GMAP_MM_PTE_WRITE))
			pte |= GMAP_PTE_P;
		else
			pte |= GMAP_PTE_I;
		mm_store(ptep, pte);
	}
	pgste_set_unlock(ptep, pgste);
	return dirty;
}

int gmap_pgste_test_and_clear_uc(struct gmap_mm *mm, uint64_t haddr)
{
	gmap_pte_t *ptep;

	if (!mm_has_pgste(mm))
		return -EINVAL;
	haddr &= ~(GMAP_PAGE_SIZE - 1);
	ptep = mm_walk(mm, haddr);
	return ptep ? test_and_clear_uc(mm, haddr, ptep) : 0;
}

struct sync {
	uint64_t start;
	uint64_t *bitmap;
};

static int sync_one(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep, void *priv)
{
	struct sync *s = priv;
	uint64_t i = (haddr - s->start) >> GMAP_PAGE_SHIFT;

	if (!test_and_clear_uc(mm, haddr, ptep))
		return 0;
	s->bitmap[i / 64] |= 1ULL << (i % 64);
	return 1;
}

long gmap_pgste_sync_dirty(struct gmap_mm *mm, uint64_t haddr, uint64_t npages,
			   uint64_t *bitmap)
{
	struct sync s = { .start = haddr, .bitmap = bitmap };

	if (!mm_has_pgste(mm) || !bitmap || !npages || npages > (UINT64_MAX >> GMAP_PAGE_SHIFT) ||
	    !mm_page_range_ok(mm, haddr, npages << GMAP_PAGE_SHIFT))
		return -EINVAL;
	memset(bitmap, 0, (size_t)((npages + 63) / 64) * sizeof(*bitmap));
	return mm_for_each_pte(mm, haddr, npages, sync_one, &s);
}
