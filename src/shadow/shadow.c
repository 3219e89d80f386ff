// SPDX-License-Identifier: MIT
/*
 * A shadow's lifetime: get-or-create for (guest-1 ASCE, EDAT level) with
 * -EAGAIN while another caller builds it, the parent's bounded list of
 * shadows, dropping one (unshadowed, marked removed, the list's reference
 * put), and freeing it on its last reference; the hooks the gmap layer
 * calls when the parent's memory or the parent goes. Mirrors
 * gmap_shadow(), gmap_shadow_valid(), gmap_remove() / gmap_free() for
 * children of arch/s390/mm/gmap.c and acquire_gmap_shadow() of
 * arch/s390/kvm/vsie.c.
 */
#include <errno.h>

#include "shadow_impl.h"

/* The highest guest-2 address an ASCE reaches (gmap_shadow()). */
static uint64_t asce_limit(gmap_asce_t asce, int *tt)
{
	*tt = (asce.val & GMAP_ASCE_R) ? GMAP_TT_REGION1 :
					 (int)((asce.val & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT);
	return *tt == GMAP_TT_REGION1 ? ~0ULL : (1ULL << (31 + 11 * *tt)) - 1;
}

/* The walker's facilities for guest 2: EDAT as the level gives, IEP and
 * ESOP as the machine has them. */
static uint32_t shadow_facilities(const struct gmap *parent, int edat_level)
{
	uint32_t fac = gmap_arch_facilities(parent->arch) &
		       (GMAP_FAC_IEP | GMAP_FAC_ESOP1 | GMAP_FAC_ESOP2);

	if (edat_level >= 1)
		fac |= GMAP_FAC_EDAT1;
	if (edat_level >= 2)
		fac |= GMAP_FAC_EDAT2;
	return fac;
}

/* A new shadow, not yet listed: one reference. */
static int shadow_new(struct gmap *parent, gmap_asce_t asce, int edat_level, struct gmap **out)
{
	struct gmap *sg;
	int tt, rc;
	uint64_t limit = asce_limit(asce, &tt);

	rc = gmap_alloc(parent->mm, limit, tt, &sg);
	if (rc)
		return rc;
	sg->parent = gmap_get(parent);
	sg->orig_asce = asce;
	sg->edat_level = edat_level;
	sg->facilities = shadow_facilities(parent, edat_level);
	radix_init(&sg->host_to_rmap, sg->arch);
	radix_init(&sg->origins, sg->arch);
	*out = sg;
	return 0;
}

/* The listed shadow for (@asce, @edat_level); shadow_lock held. */
static struct gmap *find(struct gmap *parent, gmap_asce_t asce, int edat_level)
{
	for (struct gmap *sg = parent->children; sg; sg = sg->next_child)
		if (sg->orig_asce.val == asce.val && sg->edat_level == edat_level)
			return sg;
	return NULL;
}

/**
 * shadow_drop() - take a shadow off its parent's list and unshadow it.
 * @parent: the parent
 * @sg: a listed shadow
 *
 * Puts the list's reference.
 * Context: the parent's shadow lock held; takes the shadow's table lock.
 */
void shadow_drop(struct gmap *parent, struct gmap *sg)
{
	struct gmap **pp = &parent->children;

	while (*pp != sg)
		pp = &(*pp)->next_child;
	__atomic_store_n(pp, sg->next_child, __ATOMIC_RELEASE);
	parent->nr_children--;
	gmap_table_lock(sg);
	shadow_unshadow_all(sg);
	gmap_table_unlock(sg);
	gmap_put(sg);
}

/* Hand out a listed shadow: 0 (one more reference), or -EAGAIN while it
 * is being created; shadow_lock held. */
static int reuse(struct gmap *sg, struct gmap **out)
{
	if (!AO_load_acquire(&sg->initialized))
		return -EAGAIN;
	*out = gmap_get(sg);
	return 0;
}

/* The listed shadow for (@asce, @edat_level) without allocating: 0,
 * -EAGAIN, or -ENOENT when there is none. */
static int lookup(struct gmap *parent, gmap_asce_t asce, int edat_level, struct gmap **out)
{
	struct gmap *sg;
	int rc = -ENOENT;

	spin_lock(&parent->shadow_lock);
	sg = find(parent, asce, edat_level);
	if (sg)
		rc = reuse(sg, out);
	spin_unlock(&parent->shadow_lock);
	return rc;
}

/* List @sg (two references: the list's and the creator's); shadow_lock
 * held. */
static void add_child(struct gmap *parent, struct gmap *sg)
{
	gmap_get(sg);
	sg->next_child = parent->children;
	__atomic_store_n(&parent->children, sg, __ATOMIC_RELEASE);
	parent->nr_children++;
}

/* Protect the guest-1 pages of the top table (gmap_shadow()'s
 * gmap_protect_range()); a write to them drops the shadow. */
static int protect_top(struct gmap *sg)
{
	uint64_t origin = sg->orig_asce.val & GMAP_ASCE_ORIGIN;
	uint64_t len = ((sg->orig_asce.val & GMAP_ASCE_TL_MASK) + 1) * GMAP_CRST_PART_SIZE;

	if (sg->orig_asce.val & GMAP_ASCE_R)
		return 0;
	return shadow_protect_range(sg, SHADOW_RMAP_TOP, origin, origin, len);
}

int gmap_shadow_get(struct gmap *parent, gmap_asce_t asce, int edat_level, struct gmap **out)
{
	struct gmap *sg, *old;
	int rc;

	if (!parent || !out || gmap_shadow(parent) || gmap_removed(parent) || edat_level < 0 ||
	    edat_level > 2)
		return -EINVAL;
	/* Without ESOP a writable pte cannot be made read-only and stay
	 * valid (gmap_pgste_force_prot()): KVM offers vSIE only with it. */
	if (!(gmap_arch_facilities(parent->arch) & GMAP_FAC_ESOP1))
		return -EOPNOTSUPP;
	rc = lookup(parent, asce, edat_level, out);
	if (rc != -ENOENT)
		return rc;
	rc = shadow_new(parent, asce, edat_level, &sg);
	if (rc)
		return rc;
	spin_lock(&parent->shadow_lock);
	old = find(parent, asce, edat_level);
	if (old) {
		rc = reuse(old, out);
		spin_unlock(&parent->shadow_lock);
		gmap_put(sg);
		return rc;
	}
	add_child(parent, sg);
	spin_unlock(&parent->shadow_lock);

	rc = protect_top(sg);
	spin_lock(&parent->shadow_lock);
	if (!rc && gmap_removed(sg))
		rc = -EAGAIN;
	if (rc && !gmap_removed(sg))
		shadow_drop(parent, sg);
	if (!rc)
		AO_store_release(&sg->initialized, 1);
	/* Only a shadow made drops the oldest: a failed get changes nothing. */
	while (!rc && parent->nr_children > GMAP_SHADOW_MAX) {
		struct gmap *oldest = parent->children;

		while (oldest->next_child)
			oldest = oldest->next_child;
		shadow_drop(parent, oldest);
	}
	spin_unlock(&parent->shadow_lock);
	if (rc) {
		gmap_put(sg);
		return rc;
	}
	*out = sg;
	return 0;
}

bool gmap_shadow_valid(struct gmap *sg, gmap_asce_t asce, int edat_level)
{
	return sg && gmap_shadow(sg) && !gmap_removed(sg) && sg->orig_asce.val == asce.val &&
	       sg->edat_level == edat_level;
}

bool gmap_is_shadow(const struct gmap *gmap)
{
	return gmap && gmap_shadow(gmap);
}

/**
 * shadow_remove_children() - drop every shadow of a parent being removed.
 * @parent: the parent
 *
 * Context: takes the parent's shadow lock.
 */
void shadow_remove_children(struct gmap *parent)
{
	spin_lock(&parent->shadow_lock);
	while (parent->children)
		shadow_drop(parent, parent->children);
	spin_unlock(&parent->shadow_lock);
}

/**
 * shadow_parent_mapped() - the parent mapped guest-1 memory: drop the
 * shadows with a table partly outside guest-1 storage, whose new part
 * was never protected.
 * @parent: the parent
 *
 * Context: the parent's table lock held; takes its shadow lock.
 */
void shadow_parent_mapped(struct gmap *parent)
{
	struct gmap *sg, *next;

	spin_lock(&parent->shadow_lock);
	for (sg = parent->children; sg; sg = next) {
		next = sg->next_child;
		if (__atomic_load_n(&sg->partial, __ATOMIC_RELAXED))
			shadow_drop(parent, sg);
	}
	spin_unlock(&parent->shadow_lock);
}

/**
 * shadow_remove() - gmap_remove() of a shadow: drop it and put the
 * caller's reference.
 * @sg: the shadow
 *
 * Context: takes the parent's shadow lock.
 */
void shadow_remove(struct gmap *sg)
{
	struct gmap *parent = sg->parent;

	spin_lock(&parent->shadow_lock);
	if (!gmap_removed(sg))
		shadow_drop(parent, sg);
	spin_unlock(&parent->shadow_lock);
	gmap_put(sg);
}

/**
 * shadow_destroy() - free a shadow on its last reference.
 * @sg: the shadow (dropped or never listed)
 *
 * The struct itself is freed by the caller (gmap_put()); the parent's
 * reference is put last.
 */
void shadow_destroy(struct gmap *sg)
{
	struct gmap *parent = sg->parent;

	shadow_unshadow_all(sg);
	shadow_rmap_free_all(sg);
	radix_destroy(&sg->origins);
	shadow_pools_free(sg);
	gmap_arch_free_crst(sg->arch, sg->table, GMAP_CRST_TL);
	AO_fetch_and_add(&sg->table_bytes, (AO_t)0 - (AO_t)GMAP_CRST_BYTES);
	sg->table = NULL;
	gmap_put(parent);
}
