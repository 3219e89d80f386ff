// SPDX-License-Identifier: MIT
/*
 * Guest storage keys (PoP 3.4.1 "Storage Key"; SSKE, ISKE, RRBE): while a
 * guest page is mapped its key is the real key of the frame, with the
 * guest's R/C history in the PGSTE's GR/GC; while it is not, the key lives
 * in the PGSTE alone. A page of a large segment has no PGSTE: its key is
 * the real key of its 4 KB part of the 1 MB frame, set with quiescing
 * SSKE (the huge pmd branch of each Linux function). Mirrors
 * set_guest_storage_key(), cond_set_guest_storage_key(),
 * get_guest_storage_key() and reset_guest_reference_bit() of
 * arch/s390/mm/pgtable.c.
 */
#include <errno.h>

#include "pgste_impl.h"

#define KEY_ACC_F	(GMAP_SKEY_ACC_MASK | GMAP_SKEY_F)
#define KEY_R_C		(GMAP_SKEY_R | GMAP_SKEY_C)

static unsigned int issuer(struct gmap_mm *mm)
{
	bool local;

	return mm_flush_cpu(mm, &local);
}

/* The guest's view of the key; PGSTE locked. */
static uint8_t guest_key(struct gmap_mm *mm, gmap_pte_t *ptep, uint64_t pgste)
{
	uint64_t pte = mm_load(ptep);
	uint8_t key;

	if (pte_valid(pte))
		key = gmap_arch_iske(mm->arch, pte & GMAP_PTE_PFRA);
	else
		key = (uint8_t)((pgste & (GMAP_PGSTE_ACC | GMAP_PGSTE_FP)) >> 56);
	return key | (uint8_t)((pgste & (GMAP_PGSTE_GR | GMAP_PGSTE_GC)) >> 48);
}

/* Set the guest key; PGSTE locked, *@pgste updated only on success. */
static int guest_set_key(struct gmap_mm *mm, gmap_pte_t *ptep, uint64_t *pgste, uint8_t key,
			 bool nq)
{
	uint64_t old = *pgste, new = old, pte = mm_load(ptep);

	new &= ~(GMAP_PGSTE_GR | GMAP_PGSTE_GC | GMAP_PGSTE_ACC | GMAP_PGSTE_FP);
	new |= (uint64_t)(key & KEY_R_C) << 48;
	new |= (uint64_t)(key & KEY_ACC_F) << 56;
	if (pte_valid(pte)) {
		uint64_t frame = pte & GMAP_PTE_PFRA;
		uint8_t bits = gmap_arch_iske(mm->arch, frame) & KEY_R_C;
		int rc = gmap_arch_sske(mm->arch, issuer(mm), frame, key & KEY_ACC_F,
					nq ? GMAP_SSKE_NQ : 0, NULL);

		if (rc)
			return rc;
		/* The real R/C so far belong to the host: HR/HC. */
		new |= (uint64_t)bits << 52;
	}
	/* Changing the guest's key counts as a change of the page. */
	if ((new ^ old) & (GMAP_PGSTE_ACC | GMAP_PGSTE_FP | GMAP_PGSTE_GR | GMAP_PGSTE_GC))
		new |= GMAP_PGSTE_UC;
	*pgste = new;
	return 0;
}

/* The key of a page of a large segment, its real key: ptl held. */
static int large_set_key(struct gmap_mm *mm, uint64_t frame, uint8_t key)
{
	int rc = gmap_arch_sske(mm->arch, issuer(mm), frame, key & (KEY_ACC_F | KEY_R_C), 0,
				NULL);

	spin_unlock(&mm->ptl);
	return rc;
}

/* The pte of @haddr for a key operation: allocated when @need (a key
 * that is not 0 to store); else NULL without a page table, where the
 * key is 0 already. Return: 0 or mm_pte_get_alloc()'s error. */
static int key_pte(struct gmap_mm *mm, uint64_t haddr, bool need, gmap_pte_t **ptep)
{
	*ptep = mm_walk(mm, haddr);
	if (*ptep || !need)
		return 0;
	return mm_pte_get_alloc(mm, haddr, ptep);
}

int gmap_pgste_set_key(struct gmap_mm *mm, uint64_t haddr, uint8_t key, bool nq)
{
	gmap_pte_t *ptep;
	uint64_t pgste, frame;
	int rc;

	if (!mm_has_pgste(mm))
		return -EINVAL;
	if (mm_large_lock(mm, haddr, &frame))
		return large_set_key(mm, frame, key);
	rc = key_pte(mm, haddr, key & (KEY_ACC_F | KEY_R_C), &ptep);
	if (rc || !ptep)
		return rc;
	pgste = pgste_get_lock(ptep);
	rc = guest_set_key(mm, ptep, &pgste, key, nq);
	pgste_set_unlock(ptep, pgste);
	return rc;
}

int gmap_pgste_cond_set_key(struct gmap_mm *mm, uint64_t haddr, uint8_t key, uint8_t *oldkey,
			    unsigned int flags)
{
	uint8_t mask = KEY_ACC_F, cur;
	uint64_t pgste, frame;
	gmap_pte_t *ptep;
	int rc;

	if (!mm_has_pgste(mm) ||
	    (flags & ~(GMAP_PGSTE_KEY_NQ | GMAP_PGSTE_KEY_MR | GMAP_PGSTE_KEY_MC)))
		return -EINVAL;
	if (!(flags & (GMAP_PGSTE_KEY_MR | GMAP_PGSTE_KEY_MC))) {
		/* The unconditional form. */
		rc = gmap_pgste_set_key(mm, haddr, key, flags & GMAP_PGSTE_KEY_NQ);
		return rc < 0 ? rc : 1;
	}
	if (!(flags & GMAP_PGSTE_KEY_MR))
		mask |= GMAP_SKEY_R;
	if (!(flags & GMAP_PGSTE_KEY_MC))
		mask |= GMAP_SKEY_C;
	if (mm_large_lock(mm, haddr, &frame)) {
		cur = gmap_arch_iske(mm->arch, frame);
		if (oldkey)
			*oldkey = cur;
		if (!((cur ^ key) & mask)) {
			spin_unlock(&mm->ptl);
			return 0;
		}
		rc = large_set_key(mm, frame, key);
		return rc < 0 ? rc : 1;
	}
	rc = key_pte(mm, haddr, key & mask, &ptep);
	if (rc)
		return rc;
	if (!ptep) {
		/* Key 0, and nothing that counts differs. */
		if (oldkey)
			*oldkey = 0;
		return 0;
	}
	pgste = pgste_get_lock(ptep);
	cur = guest_key(mm, ptep, pgste);
	rc = 0;
	if ((cur ^ key) & mask) {
		rc = guest_set_key(mm, ptep, &pgste, key, flags & GMAP_PGSTE_KEY_NQ);
		if (!rc)
			rc = 1;
	}
	pgste_set_unlock(ptep, pgste);
	if (rc >= 0 && oldkey)
		*oldkey = cur;
	return rc;
}

int gmap_pgste_get_key(struct gmap_mm *mm, uint64_t haddr, uint8_t *key)
{
	uint64_t pgste, frame;
	gmap_pte_t *ptep;

	if (!mm_has_pgste(mm) || !key)
		return -EINVAL;
	if (mm_large_lock(mm, haddr, &frame)) {
		*key = gmap_arch_iske(mm->arch, frame);
		spin_unlock(&mm->ptl);
		return 0;
	}
	ptep = mm_walk(mm, haddr);
	if (!ptep) {
		*key = 0;
		return 0;
	}
	pgste = pgste_get_lock(ptep);
	*key = guest_key(mm, ptep, pgste);
	pgste_set_unlock(ptep, pgste);
	return 0;
}

int gmap_pgste_reset_reference(struct gmap_mm *mm, uint64_t haddr)
{
	uint64_t old, new, pte, frame;
	gmap_pte_t *ptep;
	int cc = 0;

	if (!mm_has_pgste(mm))
		return -EINVAL;
	if (mm_large_lock(mm, haddr, &frame)) {
		cc = gmap_arch_rrbe(mm->arch, frame);
		spin_unlock(&mm->ptl);
		return cc;
	}
	ptep = mm_walk(mm, haddr);
	if (!ptep)
		return 0;
	new = old = pgste_get_lock(ptep);
	new &= ~GMAP_PGSTE_GR;
	pte = mm_load(ptep);
	if (pte_valid(pte)) {
		cc = gmap_arch_rrbe(mm->arch, pte & GMAP_PTE_PFRA);
		/* The real R so far belongs to the host: HR. */
		new |= ((uint64_t)cc << 53) & GMAP_PGSTE_HR;
	}
	/* The guest's view: its own R/C history as well. */
	cc |= (int)((old & (GMAP_PGSTE_GR | GMAP_PGSTE_GC)) >> 49);
	if ((new ^ old) & GMAP_PGSTE_GR)
		new |= GMAP_PGSTE_UC;
	pgste_set_unlock(ptep, new);
	return cc;
}
