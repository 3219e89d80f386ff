// SPDX-License-Identifier: MIT
/*
 * The PGSTE lock and the exchange of a pte with its PGSTE bookkeeping
 * (Linux's ptep_xchg_start / ptep_flush_direct / ptep_flush_lazy /
 * ptep_xchg_commit, pgste_update_all, pgste_set_key, pgste_set_pte), and
 * the single-pte operations built on them.
 */
#include <errno.h>

#include "pgste_impl.h"

/**
 * pgste_get_lock() - take the PGSTE lock (PCL) of a pte.
 * @ptep: the pte, in a page-table page with PGSTEs
 *
 * Compare-and-swap of the PGSTE word with PCL set, spinning while another
 * holder has it (yielding after a while). Mirrors pgste_get_lock().
 *
 * Context: spins; the caller keeps the page mapped.
 * Return: the PGSTE, with PCL set.
 */
uint64_t pgste_get_lock(gmap_pte_t *ptep)
{
	volatile AO_t *w = (volatile AO_t *)pgste_word(ptep);

	for (unsigned int n = 0;; n++) {
		AO_t old = AO_load(w) & ~(AO_t)GMAP_PGSTE_PCL;

		if (AO_compare_and_swap_full(w, old, old | GMAP_PGSTE_PCL))
			return old | GMAP_PGSTE_PCL;
		if (n >= SPIN_YIELD_AFTER)
			sched_yield();
	}
}

/**
 * pgste_set_unlock() - store the PGSTE and release its lock.
 * @ptep: the pte
 * @pgste: the new PGSTE (PCL is cleared)
 *
 * Mirrors pgste_set_unlock().
 * Context: the PGSTE lock held.
 */
void pgste_set_unlock(gmap_pte_t *ptep, uint64_t pgste)
{
	AO_store_release((volatile AO_t *)pgste_word(ptep), pgste & ~GMAP_PGSTE_PCL);
}

/**
 * pte_lock() - take the lock that guards a pte: its PCL, or ptl in an mm
 * without PGSTEs.
 * @mm: the mm
 * @ptep: the pte
 *
 * Context: spins; the caller keeps the page mapped.
 * Return: the locked PGSTE (0 and unused without PGSTEs).
 */
uint64_t pte_lock(struct gmap_mm *mm, gmap_pte_t *ptep)
{
	if (mm_has_pgste(mm))
		return pgste_get_lock(ptep);
	spin_lock(&mm->ptl);
	return 0;
}

/**
 * pte_unlock() - release pte_lock(), storing the PGSTE.
 * @mm: the mm
 * @ptep: the pte
 * @pgste: the PGSTE to store (ignored without PGSTEs)
 *
 * Context: the lock from pte_lock() held.
 */
void pte_unlock(struct gmap_mm *mm, gmap_pte_t *ptep, uint64_t pgste)
{
	if (mm_has_pgste(mm))
		pgste_set_unlock(ptep, pgste);
	else
		spin_unlock(&mm->ptl);
}

static uint64_t pte_frame(uint64_t pte)
{
	return pte & GMAP_PTE_PFRA;
}

/* The CPU that issues SSKE and IPTE for the mm. */
static unsigned int issuer(struct gmap_mm *mm, bool *local)
{
	return mm_flush_cpu(mm, local);
}

/**
 * pgste_update_all() - move the real storage key of a valid pte's frame
 * into the PGSTE, before the pte goes invalid: R/C are ORed into GR/GC,
 * ACC/F replace the PGSTE's. Mirrors pgste_update_all().
 * @mm: the mm
 * @pte: the pte as it was valid
 * @pgste: the locked PGSTE
 *
 * Context: the PGSTE lock held.
 * Return: the new PGSTE.
 */
uint64_t pgste_update_all(struct gmap_mm *mm, uint64_t pte, uint64_t pgste)
{
	uint64_t skey;

	if (!pte_valid(pte))
		return pgste;
	skey = gmap_arch_iske(mm->arch, pte_frame(pte));
	pgste |= (skey & (GMAP_SKEY_R | GMAP_SKEY_C)) << 48;
	pgste &= ~(GMAP_PGSTE_ACC | GMAP_PGSTE_FP);
	pgste |= (skey & (GMAP_SKEY_ACC_MASK | GMAP_SKEY_F)) << 56;
	return pgste;
}

/**
 * pgste_set_key() - give the frame of a pte about to become valid the
 * guest key kept in the PGSTE (ACC/F, and GR/GC as R/C). Mirrors
 * pgste_set_key().
 * @mm: the mm
 * @pgste: the locked PGSTE
 * @pte: the new pte
 *
 * Context: the PGSTE lock held; may allocate the backend's key table.
 * Return: 0; -ENOMEM when the backend cannot store the key.
 */
int pgste_set_key(struct gmap_mm *mm, uint64_t pgste, uint64_t pte)
{
	uint8_t nkey;
	bool local;

	if (!pte_valid(pte))
		return 0;
	nkey = (uint8_t)((pgste & (GMAP_PGSTE_ACC | GMAP_PGSTE_FP)) >> 56);
	nkey |= (uint8_t)((pgste & (GMAP_PGSTE_GR | GMAP_PGSTE_GC)) >> 48);
	/* The frame is not reachable through this pte yet: no quiescing. */
	return gmap_arch_sske(mm->arch, issuer(mm, &local), pte_frame(pte), nkey, GMAP_SSKE_NQ,
			      NULL);
}

/**
 * pgste_set_pte() - store a pte into a page table with PGSTEs: a writable
 * valid pte sets UC, and without ESOP is made dirty (unprotected) up front,
 * since a protection exception could not be told from a store. Mirrors
 * pgste_set_pte() (seed 004).
 * @mm: the mm
 * @ptep: where
 * @pgste: the locked PGSTE
 * @pte: the pte
 *
 * Context: the PGSTE lock held.
 * Return: the new PGSTE.
 */
uint64_t pgste_set_pte(struct gmap_mm *mm, gmap_pte_t *ptep, uint64_t pgste, uint64_t pte)
{
	if (pte_present(pte) && (pte & GMAP_MM_PTE_WRITE) && pte_valid(pte)) {
		if (!mm->esop)
			pte = (pte | GMAP_MM_PTE_DIRTY) & ~GMAP_PTE_P;
		if (!(pte & GMAP_PTE_P))
			pgste |= GMAP_PGSTE_UC;
	}
	mm_store(ptep, pte);
	return pgste;
}

/* Set the invalid bit of a pte in the table, atomically against IPTE. */
static void pte_set_invalid(gmap_pte_t *ptep)
{
	__atomic_fetch_or(&ptep->val, GMAP_PTE_I, __ATOMIC_ACQ_REL);
}

/**
 * ptep_flush() - invalidate a valid pte and purge the TLBs.
 * @mm: the mm
 * @haddr: its host address
 * @ptep: the pte (locked)
 * @lazy: Linux's ptep_flush_lazy(): with one CPU attached only set I and
 *	leave the purge to gmap_mm_flush(); else ptep_flush_direct(): IPTE,
 *	local-clearing when one CPU is attached
 *
 * IPTE goes without the guest-ASCE option: it also purges translations of
 * guest address spaces formed through the pte.
 *
 * Context: the pte's lock held.
 * Return: the pte as it was.
 */
uint64_t ptep_flush(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep, bool lazy)
{
	uint64_t old = mm_load(ptep);
	gmap_asce_t any = { 0 };
	unsigned int cpu;
	bool local;

	if (!pte_valid(old))
		return old;
	cpu = issuer(mm, &local);
	if (lazy && local) {
		pte_set_invalid(ptep);
		AO_store(&mm->flush_cpu, (AO_t)cpu + 1);
	} else {
		gmap_arch_ipte(mm->arch, cpu, any, haddr, ptep, 1, local ? GMAP_INV_LOCAL : 0);
	}
	return old;
}

/**
 * ptep_xchg_locked() - exchange a locked pte.
 * @mm: the mm
 * @haddr: the pte's host address
 * @ptep: the pte, locked with pte_lock()
 * @pgste: in/out: the locked PGSTE (unused without PGSTEs)
 * @new_pte: the new pte
 * @lazy: flush lazily (see ptep_flush())
 * @old: out: the old pte, with GMAP_MM_PTE_UNUSED when @new_pte is invalid
 *	and the usage state is unused
 *
 * The key of a frame that becomes valid is stored first, the one step that
 * can fail; then notification, flush, and the commit. Mirrors
 * ptep_xchg_start() / ptep_flush_*() / ptep_xchg_commit().
 *
 * Context: the pte's lock held; may allocate the backend's key table.
 * Return: 0; -ENOMEM when the key cannot be stored (nothing changed).
 */
int ptep_xchg_locked(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep, uint64_t *pgste,
		     uint64_t new_pte, bool lazy, uint64_t *old)
{
	uint64_t cur = mm_load(ptep);
	int rc;

	if (!mm_has_pgste(mm)) {
		*old = ptep_flush(mm, haddr, ptep, lazy);
		mm_store(ptep, new_pte);
		return 0;
	}
	if (!pte_valid(cur)) {
		rc = pgste_set_key(mm, *pgste, new_pte);
		if (rc)
			return rc;
	}
	*pgste = pgste_pte_notify(mm, haddr, *pgste);
	cur = ptep_flush(mm, haddr, ptep, lazy);
	if (!pte_valid(new_pte)) {
		*pgste = pgste_update_all(mm, cur, *pgste);
		if ((*pgste & GMAP_PGSTE_USAGE_MASK) == GMAP_PGSTE_USAGE_UNUSED)
			cur |= GMAP_MM_PTE_UNUSED;
	}
	*pgste = pgste_set_pte(mm, ptep, *pgste, new_pte);
	*old = cur;
	return 0;
}

/* The pte of a single-pte operation; an mm without PGSTEs is walked under
 * the map lock (released by op_end()). */
static gmap_pte_t *op_begin(struct gmap_mm *mm, uint64_t haddr, bool *locked)
{
	gmap_pte_t *ptep;

	*locked = !mm_has_pgste(mm);
	if (*locked)
		pthread_rwlock_rdlock(&mm->map_lock);
	ptep = mm_walk(mm, haddr);
	if (!ptep && *locked)
		pthread_rwlock_unlock(&mm->map_lock);
	return ptep;
}

static void op_end(struct gmap_mm *mm, bool locked)
{
	if (locked)
		pthread_rwlock_unlock(&mm->map_lock);
}

int gmap_pgste_xchg(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t new_pte, unsigned int flags,
		    gmap_pte_t *old)
{
	gmap_pte_t *ptep;
	uint64_t pgste, prev;
	bool locked;
	int rc;

	if ((flags & ~GMAP_PGSTE_XCHG_LAZY) || (haddr & (GMAP_PAGE_SIZE - 1)))
		return -EINVAL;
	ptep = op_begin(mm, haddr, &locked);
	if (!ptep)
		return -EFAULT;
	pgste = pte_lock(mm, ptep);
	rc = ptep_xchg_locked(mm, haddr, ptep, &pgste, new_pte.val, flags & GMAP_PGSTE_XCHG_LAZY,
			      &prev);
	pte_unlock(mm, ptep, pgste);
	op_end(mm, locked);
	if (!rc && old)
		old->val = prev;
	return rc;
}

int gmap_mm_read_pte(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *pte, gmap_pgste_t *pgste)
{
	gmap_pte_t *ptep;
	bool locked;

	ptep = op_begin(mm, haddr, &locked);
	if (!ptep)
		return -EFAULT;
	if (pte)
		pte->val = mm_load(ptep);
	if (pgste)
		pgste->val = locked ? 0 : mm_load(pgste_word(ptep));
	op_end(mm, locked);
	return 0;
}

int gmap_mm_test_and_clear_young(struct gmap_mm *mm, uint64_t haddr)
{
	uint64_t pgste, pte, prev;
	gmap_pte_t *ptep;
	bool locked;
	int rc = -EFAULT;

	ptep = op_begin(mm, haddr, &locked);
	if (!ptep)
		return mm_large_test_and_clear_young(mm, haddr);
	pgste = pte_lock(mm, ptep);
	pte = mm_load(ptep);
	if (pte_present(pte)) {
		/* The new pte is invalid: no key to store, cannot fail. */
		ptep_xchg_locked(mm, haddr & ~(GMAP_PAGE_SIZE - 1), ptep, &pgste, pte_mkold(pte),
				 false, &prev);
		rc = !!(prev & GMAP_MM_PTE_YOUNG);
	}
	pte_unlock(mm, ptep, pgste);
	op_end(mm, locked);
	return rc;
}

int gmap_pgste_force_prot(struct gmap_mm *mm, uint64_t haddr, unsigned int prot, uint64_t bits)
{
	uint64_t pgste, entry;
	gmap_pte_t *ptep;
	bool pte_i, pte_p;

	if (!mm_has_pgste(mm) || (prot & ~(GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE)) ||
	    (bits & ~(GMAP_PGSTE_IN | GMAP_PGSTE_VSIE)))
		return -EINVAL;
	haddr &= ~(GMAP_PAGE_SIZE - 1);
	ptep = mm_walk(mm, haddr);
	if (!ptep)
		return -EFAULT;
	pgste = pgste_get_lock(ptep);
	entry = mm_load(ptep);
	pte_i = entry & GMAP_PTE_I;
	pte_p = entry & GMAP_PTE_P;
	if ((pte_i && prot != GMAP_MM_PROT_NONE) || (pte_p && (prot & GMAP_MM_PROT_WRITE))) {
		pgste_set_unlock(ptep, pgste);
		return -EAGAIN;
	}
	if (prot == GMAP_MM_PROT_NONE && !pte_i) {
		ptep_flush(mm, haddr, ptep, false);
		pgste = pgste_update_all(mm, entry, pgste);
		entry |= GMAP_PTE_I;
	}
	if (prot == GMAP_MM_PROT_READ && !pte_p) {
		ptep_flush(mm, haddr, ptep, false);
		entry = (entry & ~GMAP_PTE_I) | GMAP_PTE_P;
	}
	pgste = pgste_set_pte(mm, ptep, pgste | bits, entry);
	pgste_set_unlock(ptep, pgste);
	return 0;
}

int gmap_pgste_set_bits(struct gmap_mm *mm, uint64_t haddr, uint64_t mask, uint64_t value)
{
	gmap_pte_t *ptep;
	uint64_t pgste;
	int rc;

	if (!mm_has_pgste(mm) || (mask & GMAP_PGSTE_PCL))
		return -EINVAL;
	rc = mm_pte_get_alloc(mm, haddr, &ptep);
	if (rc)
		return rc;
	pgste = pgste_get_lock(ptep);
	pgste = (pgste & ~mask) | (value & mask);
	pgste_set_unlock(ptep, pgste);
	return 0;
}

int gmap_pgste_zap_key(struct gmap_mm *mm, uint64_t haddr)
{
	uint64_t pgste, pte;
	gmap_pte_t *ptep;
	bool local;
	int rc = 0;

	if (!mm_has_pgste(mm))
		return -EINVAL;
	ptep = mm_walk(mm, haddr);
	if (!ptep)
		return -EFAULT;
	pgste = pgste_get_lock(ptep);
	pte = mm_load(ptep);
	/* Key 0 needs no new entry in the backend's key table. */
	if (pte_valid(pte) && (pte & GMAP_MM_PTE_WRITE))
		rc = gmap_arch_sske(mm->arch, issuer(mm, &local), pte_frame(pte), 0, GMAP_SSKE_NQ,
				    NULL);
	if (!rc) {
		pgste &= ~(GMAP_PGSTE_ACC | GMAP_PGSTE_FP);
		pgste |= GMAP_PGSTE_GR | GMAP_PGSTE_GC;
	}
	pgste_set_unlock(ptep, pgste);
	return rc;
}
