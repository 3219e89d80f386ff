// SPDX-License-Identifier: MIT
/*
 * Collaborative memory management (CMMA): the guest tells the host with
 * ESSA which pages it no longer needs (unused), may lose (volatile,
 * potentially volatile) or needs (stable); the host keeps the state in the
 * PGSTE and discards the pages whose content may go.
 */
#include <errno.h>

#include "pgste_impl.h"

static uint64_t usage_set(uint64_t pgste, uint64_t usage)
{
	return (pgste & ~GMAP_PGSTE_USAGE_MASK) | usage;
}

/* The ESSA state machine on a locked PGSTE; returns whether the page goes
 * to the CBRL (its content may be discarded: it becomes logically zero). */
static int essa(uint64_t *pgste, uint64_t pte, unsigned int orc)
{
	bool invalid = !pte_valid(pte);
	uint64_t v = *pgste;
	int res = 0;

	switch (orc) {
	case GMAP_PGSTE_ESSA_SET_STABLE:
		v = usage_set(v & ~GMAP_PGSTE_NODAT, GMAP_PGSTE_USAGE_STABLE);
		break;
	case GMAP_PGSTE_ESSA_SET_UNUSED:
		v = usage_set(v, GMAP_PGSTE_USAGE_UNUSED);
		res = invalid;
		break;
	case GMAP_PGSTE_ESSA_SET_VOLATILE:
		v = usage_set(v, GMAP_PGSTE_USAGE_VOLATILE);
		res = invalid;
		break;
	case GMAP_PGSTE_ESSA_SET_POT_VOLATILE:
		if (!invalid) {
			v = usage_set(v, GMAP_PGSTE_USAGE_POT_VOLATILE);
		} else if (v & GMAP_PGSTE_ZERO) {
			v = usage_set(v, GMAP_PGSTE_USAGE_VOLATILE);
		} else if (!(v & GMAP_PGSTE_GC)) {
			/* Never changed by the guest: nothing to lose. */
			v = usage_set(v, GMAP_PGSTE_USAGE_VOLATILE);
			res = 1;
		} else {
			v = usage_set(v, GMAP_PGSTE_USAGE_STABLE);
		}
		break;
	case GMAP_PGSTE_ESSA_SET_STABLE_RESIDENT:
		/* Resident is a hint the host may drop at any time. */
		v = usage_set(v, GMAP_PGSTE_USAGE_STABLE);
		break;
	case GMAP_PGSTE_ESSA_SET_STABLE_IF_RESIDENT:
		if (!invalid)
			v = usage_set(v, GMAP_PGSTE_USAGE_STABLE);
		break;
	case GMAP_PGSTE_ESSA_SET_STABLE_NODAT:
		v = usage_set(v, GMAP_PGSTE_USAGE_STABLE) | GMAP_PGSTE_NODAT;
		break;
	default:
		break;
	}
	if (res)
		v |= GMAP_PGSTE_ZERO;
	*pgste = v;
	return res;
}

int gmap_pgste_essa(struct gmap_mm *mm, uint64_t haddr, unsigned int orc, gmap_pte_t *oldpte,
		    gmap_pgste_t *oldpgste)
{
	gmap_pte_t *ptep;
	uint64_t pgste, pte;
	int rc;

	if (!mm_has_pgste(mm) || orc > GMAP_PGSTE_ESSA_SET_STABLE_NODAT)
		return -EINVAL;
	rc = mm_pte_get_alloc(mm, haddr, &ptep);
	if (rc)
		return rc;
	pgste = pgste_get_lock(ptep);
	pte = mm_load(ptep);
	if (oldpte)
		oldpte->val = pte;
	if (oldpgste)
		oldpgste->val = pgste & ~GMAP_PGSTE_PCL;
	rc = essa(&pgste, pte, orc);
	pgste_set_unlock(ptep, pgste);
	return rc;
}

/* ptep_zap_unused() on a pte: reset the CMMA state, or drop a present page
 * whose usage is unused or which is logically zero. */
static int zap_unused(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t *ptep, void *priv)
{
	bool reset = *(const bool *)priv;
	uint64_t pgste, pte, old = GMAP_MM_PTE_NONE;
	int dropped = 0;

	pgste = pgste_get_lock(ptep);
	pte = mm_load(ptep);
	if (reset) {
		pgste &= ~(GMAP_PGSTE_USAGE_MASK | GMAP_PGSTE_NODAT);
	} else if (pte_present(pte) &&
		   ((pgste & GMAP_PGSTE_USAGE_MASK) == GMAP_PGSTE_USAGE_UNUSED ||
		    (pgste & GMAP_PGSTE_ZERO))) {
		/* An empty pte needs no key: cannot fail. */
		ptep_xchg_locked(mm, haddr, ptep, &pgste, GMAP_MM_PTE_NONE, false, &old);
		dropped = 1;
	}
	pgste_set_unlock(ptep, pgste);
	mm_free_frame(mm, old);
	return dropped;
}

int gmap_pgste_zap_unused(struct gmap_mm *mm, uint64_t haddr, bool reset)
{
	gmap_pte_t *ptep;

	if (!mm_has_pgste(mm))
		return -EINVAL;
	haddr &= ~(GMAP_PAGE_SIZE - 1);
	ptep = mm_walk(mm, haddr);
	if (!ptep)
		return -EFAULT;
	return zap_unused(mm, haddr, ptep, &reset);
}

long gmap_mm_discard_unused(struct gmap_mm *mm, uint64_t haddr, uint64_t len, bool reset)
{
	if (!mm_has_pgste(mm) || !mm_page_range_ok(mm, haddr, len))
		return -EINVAL;
	return mm_for_each_pte(mm, haddr, len >> GMAP_PAGE_SHIFT, zap_unused, &reset);
}
