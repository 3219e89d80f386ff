// SPDX-License-Identifier: MIT
/*
 * A gmap's lifetime: creation with a top table that follows the limit,
 * reference counting, removal (every table, reverse map entry and
 * notifier dropped, the ASCE purged from every TLB), and running it on a
 * CPU. Mirrors gmap_alloc(), gmap_create(), gmap_get(), gmap_put(),
 * gmap_remove(), gmap_enable() and gmap_disable() of arch/s390/mm/gmap.c.
 */
#include <errno.h>

#include "arch/arch_impl.h"
#include "gmap_impl.h"

/* The top table's type for a limit (inclusive), as gmap_alloc() chooses. */
static int top_tt_of(uint64_t limit)
{
	if (limit < (1ULL << GMAP_REGION3_SHIFT))
		return GMAP_TT_SEGMENT;
	if (limit < (1ULL << GMAP_REGION2_SHIFT))
		return GMAP_TT_REGION3;
	if (limit < (1ULL << GMAP_REGION1_SHIFT))
		return GMAP_TT_REGION2;
	return GMAP_TT_REGION1;
}

/**
 * gmap_alloc() - allocate a gmap: struct, top table, ASCE (gmap_alloc()).
 * @mm: the host mm
 * @limit: highest guest address (inclusive)
 * @tt: the top table's type
 * @out: out: the gmap, with one reference, not yet known to the mm
 *
 * Context: any thread; allocates.
 * Return: 0; -ENOMEM (nothing allocated).
 */
int gmap_alloc(struct gmap_mm *mm, uint64_t limit, int tt, struct gmap **out)
{
	struct gmap *gmap;

	gmap = gmap_arch_alloc(mm->arch, gmap_struct_size(mm->arch), _Alignof(struct gmap));
	if (!gmap)
		return -ENOMEM;
	gmap->table = gmap_arch_alloc_crst(mm->arch, (enum gmap_dat_tt)tt, GMAP_CRST_TL);
	if (!gmap->table) {
		gmap_arch_free(mm->arch, gmap, gmap_struct_size(mm->arch));
		return -ENOMEM;
	}
	for (unsigned int cpu = 0; cpu < gmap_arch_ncpus(mm->arch); cpu++) {
		gmap->gacc[cpu].gen = arch_purge_gen(mm->arch, cpu);
		gmap->gacc[cpu].purges = arch_purge_count(mm->arch, cpu);
	}
	gmap->mm = mm;
	gmap->arch = mm->arch;
	gmap->top_tt = tt;
	/* A user ASCE's private-space, storage-alteration and space-switch
	 * bits, as gmap_alloc() sets them (_ASCE_USER_BITS). */
	gmap->asce = gmap_asce_mk(gmap_arch_virt_to_real(mm->arch, gmap->table),
				  (enum gmap_dat_tt)tt, GMAP_CRST_TL,
				  GMAP_ASCE_P | GMAP_ASCE_S | GMAP_ASCE_X);
	gmap->limit = limit;
	AO_store(&gmap->ref, 1);
	AO_store(&gmap->table_bytes, GMAP_CRST_BYTES);
	gmap->table_lock = AO_TS_INITIALIZER;
	gmap->shadow_lock = AO_TS_INITIALIZER;
	gmap->notifiers = (struct nchain)NCHAIN_INIT;
	radix_init(&gmap->guest_to_host, mm->arch);
	radix_init(&gmap->host_to_guest, mm->arch);
	*out = gmap;
	return 0;
}

int gmap_create(struct gmap_mm *mm, uint64_t limit, struct gmap **out)
{
	struct gmap *gmap;
	int rc;

	if (!mm || !out || !gmap_mm_has_pgste(mm))
		return -EINVAL;
	rc = gmap_alloc(mm, limit, top_tt_of(limit), &gmap);
	if (rc)
		return rc;
	gmap->mm_nb.invalidate = gmap_pte_notify;
	gmap->mm_nb.shadow = shadow_pte_notify;
	gmap->mm_nb.segment = gmap_segment_notify;
	gmap->mm_nb.priv = gmap;
	/* A fresh notifier with a callback: cannot fail. */
	gmap_mm_notifier_register(mm, &gmap->mm_nb);
	*out = gmap;
	return 0;
}

struct gmap *gmap_get(struct gmap *gmap)
{
	AO_fetch_and_add1(&gmap->ref);
	return gmap;
}

/* Everything gmap_remove() tears down; runs once. */
static void gmap_teardown(struct gmap *gmap)
{
	gmap_mm_notifier_unregister(gmap->mm, &gmap->mm_nb);
	shadow_remove_children(gmap);
	gmap_table_lock(gmap);
	/* No CPU runs the gmap any more; its entries may still be in TLBs. */
	gmap_arch_idte_asce(gmap->arch, 0, gmap->asce, 0);
	gmap_free_table_tree(gmap, gmap->table, gmap->top_tt);
	gmap->table = NULL;
	radix_destroy(&gmap->guest_to_host);
	radix_destroy(&gmap->host_to_guest);
	gmap->notifiers.head = NULL;
	__atomic_store_n(&gmap->removed, true, __ATOMIC_RELEASE);
	gmap_table_unlock(gmap);
}

void gmap_put(struct gmap *gmap)
{
	/* Release our uses, acquire the others' before the free (as
	 * refcount_dec_and_test()). */
	if (!gmap || __atomic_fetch_sub(&gmap->ref, 1, __ATOMIC_ACQ_REL) != 1)
		return;
	if (gmap_shadow(gmap))
		shadow_destroy(gmap);
	else if (!gmap->removed)
		gmap_teardown(gmap);
	gmap_arch_free(gmap->arch, gmap, gmap_struct_size(gmap->arch));
}

void gmap_remove(struct gmap *gmap)
{
	if (gmap_shadow(gmap)) {
		shadow_remove(gmap);
		return;
	}
	gmap_teardown(gmap);
	gmap_put(gmap);
}

int gmap_enable(struct gmap *gmap, unsigned int cpu)
{
	if (cpu >= gmap_arch_ncpus(gmap->arch))
		return -EINVAL;
	/* A vCPU thread runs in its mm's cpumask: host invalidations must
	 * reach this TLB, never be deferred to another CPU's purge. */
	gmap_mm_attach(gmap->mm, cpu);
	gmap_arch_load_asce(gmap->arch, cpu, gmap->asce);
	AO_or(&gmap->enabled, (AO_t)1 << cpu);
	return 0;
}

int gmap_disable(struct gmap *gmap, unsigned int cpu)
{
	if (cpu >= gmap_arch_ncpus(gmap->arch) || !(AO_load(&gmap->enabled) & ((AO_t)1 << cpu)))
		return -EINVAL;
	AO_and(&gmap->enabled, ~((AO_t)1 << cpu));
	/* Purge the CPU's TLB, also when the mm was detached meanwhile. */
	if (gmap_mm_detach(gmap->mm, cpu))
		gmap_arch_ptlb(gmap->arch, cpu);
	gmap_arch_load_asce(gmap->arch, cpu, (gmap_asce_t){ 0 });
	return 0;
}

gmap_asce_t gmap_asce(const struct gmap *gmap)
{
	return gmap->asce;
}

struct gmap_mm *gmap_mm(const struct gmap *gmap)
{
	return gmap->mm;
}

size_t gmap_table_bytes(const struct gmap *gmap)
{
	return AO_load(&gmap->table_bytes);
}
