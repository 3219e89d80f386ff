// SPDX-License-Identifier: MIT
/*
 * enable_sie (seed 000): give a populated mm PGSTEs by building a copy of
 * its tables in which every 2 KB page table becomes a 4 KB page-table page
 * with PGSTEs, as s390_enable_sie() did with dup_mm(), then switching the
 * mm to the copy. All allocation happens before the switch, so a failure
 * leaves the mm as it was.
 */
#include <errno.h>

#include "pgste_impl.h"

/* Fill the new page-table page @to from the pte-only table @from: each
 * pte stored as set_pte_at() stores it into a table with PGSTEs. */
static void copy_ptes(struct gmap_mm *mm, gmap_pte_t *to, const gmap_pte_t *from)
{
	for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
		mm_store(pgste_word(&to[i]), pgste_set_pte(mm, &to[i], 0, from[i].val));
}

/*
 * Copy the valid entries of table @from (type @tt) into @to, allocating
 * the tables below. Each new table is linked into @to before it is filled,
 * so on failure the partial copy is freed by freeing @to.
 * Return: 0 or -ENOMEM.
 */
static int copy_tables(struct gmap_mm *mm, gmap_crste_t *to, const gmap_crste_t *from, int tt)
{
	for (unsigned int i = 0; i < GMAP_CRST_MAX_ENTRIES; i++) {
		uint64_t e = from[i].val;
		void *old, *new;

		if (tt == GMAP_TT_SEGMENT && seg_large(e)) {
			/* A large segment has no page table to copy. */
			to[i].val = e;
			continue;
		}
		if (e & GMAP_CRSTE_I)
			continue;
		if (tt == GMAP_TT_SEGMENT) {
			old = gmap_arch_real_to_virt(mm->arch, e & GMAP_SEGMENT_PTO);
			new = mm_pgtable_alloc(mm, true);
			if (!new)
				return -ENOMEM;
			copy_ptes(mm, new, old);
			to[i].val = (e & ~GMAP_SEGMENT_PTO) | gmap_arch_virt_to_real(mm->arch, new);
			continue;
		}
		old = gmap_arch_real_to_virt(mm->arch, e & GMAP_CRSTE_ORIGIN);
		new = mm_crst_alloc(mm, tt - 1);
		if (!new)
			return -ENOMEM;
		to[i].val = (e & ~GMAP_CRSTE_ORIGIN) | gmap_arch_virt_to_real(mm->arch, new);
		if (copy_tables(mm, new, old, tt - 1))
			return -ENOMEM;
	}
	return 0;
}

int gmap_mm_enable_sie(struct gmap_mm *mm)
{
	gmap_crste_t *old_top, *new_top;
	gmap_asce_t old_asce, new_asce;
	AO_t cpus;
	int rc = 0;

	pthread_rwlock_wrlock(&mm->map_lock);
	if (mm_has_pgste(mm))
		goto out;
	rc = -ENOMEM;
	new_top = mm_crst_alloc(mm, mm->top_tt);
	if (!new_top)
		goto out;
	if (copy_tables(mm, new_top, mm->top, mm->top_tt)) {
		mm_free_tables(mm, new_top, mm->top_tt, true, false);
		goto out;
	}
	/* A purge the old tables still owe is done now, like every other. */
	gmap_mm_flush(mm);
	old_top = mm->top;
	old_asce = gmap_mm_asce(mm);
	new_asce.val = (old_asce.val & ~GMAP_ASCE_ORIGIN) |
		       gmap_arch_virt_to_real(mm->arch, new_top);
	mm->top = new_top;
	AO_store_release(&mm->asce, new_asce.val);
	AO_store_release(&mm->pgste, 1);
	cpus = AO_load(&mm->attached);
	for (unsigned int cpu = 0; cpus; cpu++, cpus >>= 1)
		if (cpus & 1)
			gmap_arch_load_asce(mm->arch, cpu, new_asce);
	/* No CPU may keep a translation through the tables about to go. */
	gmap_arch_idte_asce(mm->arch, 0, old_asce, 0);
	/* The pool holds page tables of the new kind from now on. */
	mm_pool_drain(mm, &mm->pt_pool);
	mm->pt_pool.size = MM_PT_BYTES(true);
	mm_free_tables(mm, old_top, mm->top_tt, false, false);
	rc = 0;
out:
	pthread_rwlock_unlock(&mm->map_lock);
	return rc;
}
