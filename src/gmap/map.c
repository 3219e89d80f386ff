// SPDX-License-Identifier: MIT
/*
 * guest_to_host and the gmap's own tables: mapping and unmapping 1 MB
 * segments (gmap_map_segment(), gmap_unmap_segment()), translation
 * (__gmap_translate()), the walk to a table entry (gmap_table_walk()) and
 * the allocation of region and segment tables for linking
 * (gmap_alloc_table()). Tables, once installed, stay until gmap_remove(),
 * so lock-free readers of the tables never read freed memory.
 */
#include <errno.h>

#include "gmap_impl.h"

/* Shift of the index of a table of type @tt: SX 20, RTX 31, RSX 42, RFX 53. */
static unsigned int tt_shift(int tt)
{
	return GMAP_SEGMENT_SHIFT + 11 * (unsigned int)tt;
}

static unsigned int tt_index(uint64_t gaddr, int tt)
{
	return (unsigned int)(gaddr >> tt_shift(tt)) & 0x7ff;
}

/* The table an FC-0 region entry designates. */
static gmap_crste_t *entry_table(const struct gmap *gmap, uint64_t e)
{
	return gmap_arch_real_to_virt(gmap->arch, e & GMAP_CRSTE_ORIGIN);
}

/**
 * gmap_table_walk() - the gmap's table entry of a guest address at a level.
 * @gmap: the gmap
 * @gaddr: guest absolute address
 * @level: enum gmap_dat_tt of the table whose entry is wanted
 *	(GMAP_TT_SEGMENT: the segment entry), at most the top table's type
 *
 * Mirrors gmap_table_walk().
 * Context: any thread; lock-free (tables are freed only by gmap_remove()).
 * Return: the entry; NULL when a table above @level is missing, @level is
 * above the top table, or @gaddr is beyond the limit.
 */
gmap_crste_t *gmap_table_walk(struct gmap *gmap, uint64_t gaddr, int level)
{
	gmap_crste_t *t = gmap->table;

	if (!t || gaddr > gmap->limit || level > gmap->top_tt || level < GMAP_TT_SEGMENT)
		return NULL;
	for (int tt = gmap->top_tt; tt > level; tt--) {
		uint64_t e = mm_load(&t[tt_index(gaddr, tt)]);

		if (e & GMAP_CRSTE_I)
			return NULL;
		t = entry_table(gmap, e);
	}
	return &t[tt_index(gaddr, level)];
}

/**
 * gmap_free_tables() - free preallocated tables that were not installed.
 * @gmap: the gmap
 * @c: the tables; emptied
 *
 * Context: any thread.
 */
void gmap_free_tables(struct gmap *gmap, struct gmap_tables *c)
{
	for (int tt = GMAP_TT_SEGMENT; tt < GMAP_TT_REGION1; tt++) {
		if (!c->crst[tt])
			continue;
		gmap_arch_free_crst(gmap->arch, c->crst[tt], GMAP_CRST_TL);
		AO_fetch_and_add(&gmap->table_bytes, (AO_t)0 - (AO_t)GMAP_CRST_BYTES);
		c->crst[tt] = NULL;
	}
}

/**
 * gmap_alloc_table() - allocate the tables a guest address's walk lacks.
 * @gmap: the gmap
 * @gaddr: guest absolute address within the limit
 * @c: out: the tables, from the first invalid entry down to the segment
 *	table (all NULL when the segment table exists)
 *
 * The tables are allocated before table_lock is taken and installed under
 * it by gmap_install_tables(); ones another thread installed meanwhile
 * are freed by gmap_free_tables(). Mirrors gmap_alloc_table().
 * Context: any thread, no gmap lock held; allocates.
 * Return: 0; -ENOMEM with nothing held.
 */
int gmap_alloc_table(struct gmap *gmap, uint64_t gaddr, struct gmap_tables *c)
{
	gmap_crste_t *t = gmap->table;
	int tt;

	*c = (struct gmap_tables){ 0 };
	for (tt = gmap->top_tt; tt > GMAP_TT_SEGMENT; tt--) {
		uint64_t e = mm_load(&t[tt_index(gaddr, tt)]);

		if (e & GMAP_CRSTE_I)
			break;
		t = entry_table(gmap, e);
	}
	for (int below = tt - 1; below >= GMAP_TT_SEGMENT; below--) {
		c->crst[below] = gmap_arch_alloc_crst(gmap->arch, (enum gmap_dat_tt)below,
						      GMAP_CRST_TL);
		if (!c->crst[below]) {
			gmap_free_tables(gmap, c);
			return -ENOMEM;
		}
		AO_fetch_and_add(&gmap->table_bytes, GMAP_CRST_BYTES);
	}
	return 0;
}

/**
 * gmap_install_tables() - install preallocated tables on a guest
 * address's walk.
 * @gmap: the gmap
 * @gaddr: guest absolute address within the limit
 * @c: tables from gmap_alloc_table() for @gaddr; the ones used are taken
 *	out. Tables are only removed by gmap_remove(), so every table still
 *	missing on the walk is in @c.
 *
 * Context: table_lock held.
 * Return: the segment entry of @gaddr.
 */
gmap_crste_t *gmap_install_tables(struct gmap *gmap, uint64_t gaddr, struct gmap_tables *c)
{
	gmap_crste_t *t = gmap->table;

	for (int tt = gmap->top_tt; tt > GMAP_TT_SEGMENT; tt--) {
		gmap_crste_t *ep = &t[tt_index(gaddr, tt)];
		uint64_t e = mm_load(ep);

		if (e & GMAP_CRSTE_I) {
			gmap_crste_t *next = c->crst[tt - 1];

			c->crst[tt - 1] = NULL;
			e = gmap_crste_mk_table(gmap_arch_virt_to_real(gmap->arch, next),
						(enum gmap_dat_tt)tt, 0, GMAP_CRST_TL, 0).val;
			mm_store(ep, e);
		}
		t = entry_table(gmap, e);
	}
	return &t[tt_index(gaddr, GMAP_TT_SEGMENT)];
}

/**
 * gmap_free_table_tree() - free a gmap table and the region and segment
 * tables below it.
 * @gmap: the gmap
 * @table: the table
 * @tt: its type
 *
 * Page tables belong to the mm and are left alone.
 * Context: no other thread may reach the tables.
 */
void gmap_free_table_tree(struct gmap *gmap, gmap_crste_t *table, int tt)
{
	for (unsigned int i = 0; tt > GMAP_TT_SEGMENT && i < GMAP_CRST_MAX_ENTRIES; i++)
		if (!(table[i].val & GMAP_CRSTE_I))
			gmap_free_table_tree(gmap, entry_table(gmap, table[i].val), tt - 1);
	gmap_arch_free_crst(gmap->arch, table, GMAP_CRST_TL);
	AO_fetch_and_add(&gmap->table_bytes, (AO_t)0 - (AO_t)GMAP_CRST_BYTES);
}

/* A guest range [@to, @to + @len) of whole segments within the limit. */
static bool guest_range_ok(const struct gmap *gmap, uint64_t to, uint64_t len)
{
	return !((to | len) & (GMAP_SEGMENT_SIZE - 1)) && len && to + len > to &&
	       to + len - 1 <= gmap->limit;
}

/* A host range [@from, @from + @len) of whole segments in the mm's reach. */
static bool host_range_ok(const struct gmap *gmap, uint64_t from, uint64_t len)
{
	return !((from | len) & (GMAP_SEGMENT_SIZE - 1)) && len && from + len > from &&
	       mm_range_ok(gmap->mm, from, len);
}

/* Unlink the guest segment @gaddr if it is linked to host segment @haddr;
 * table_lock held. */
static void unlink_if_linked(struct gmap *gmap, uint64_t gaddr, uint64_t haddr)
{
	if (radix_lookup(&gmap->host_to_guest, haddr >> GMAP_SEGMENT_SHIFT) == (gaddr | GTH_VALID))
		gmap_unlink_host_segment(gmap, haddr);
}

/* Guest segment @gaddr, mapped to host segment @old, goes or moves: what
 * shadows built from it goes too, and a link to it; table_lock held. */
static void segment_gone(struct gmap *gmap, uint64_t gaddr, uint64_t old)
{
	shadow_notify_host(gmap, old, old + GMAP_SEGMENT_SIZE, false);
	unlink_if_linked(gmap, gaddr, old);
}

int gmap_map_segment(struct gmap *gmap, uint64_t from, uint64_t to, uint64_t len)
{
	if (!host_range_ok(gmap, from, len) || !guest_range_ok(gmap, to, len) || gmap_shadow(gmap))
		return -EINVAL;
	/* After the reserves, no insert can fail: nothing to roll back. */
	for (uint64_t off = 0; off < len; off += GMAP_SEGMENT_SIZE)
		if (radix_reserve(&gmap->guest_to_host, (to + off) >> GMAP_SEGMENT_SHIFT))
			return -ENOMEM;
	gmap_table_lock(gmap);
	for (uint64_t off = 0; off < len; off += GMAP_SEGMENT_SIZE) {
		uint64_t gidx = (to + off) >> GMAP_SEGMENT_SHIFT;
		uint64_t old = radix_lookup(&gmap->guest_to_host, gidx);

		if (old)
			segment_gone(gmap, to + off, old & ~GTH_VALID);
		radix_insert(&gmap->guest_to_host, gidx, (from + off) | GTH_VALID);
	}
	shadow_parent_mapped(gmap);
	gmap_table_unlock(gmap);
	return 0;
}

int gmap_unmap_segment(struct gmap *gmap, uint64_t to, uint64_t len)
{
	if (!guest_range_ok(gmap, to, len) || gmap_shadow(gmap))
		return -EINVAL;
	gmap_table_lock(gmap);
	for (uint64_t off = 0; off < len; off += GMAP_SEGMENT_SIZE) {
		uint64_t old = radix_delete(&gmap->guest_to_host, (to + off) >> GMAP_SEGMENT_SHIFT);

		if (old)
			segment_gone(gmap, to + off, old & ~GTH_VALID);
	}
	gmap_table_unlock(gmap);
	return 0;
}

int gmap_translate(struct gmap *gmap, uint64_t gaddr, uint64_t *haddr)
{
	uint64_t v;

	if (gmap_shadow(gmap))
		return shadow_translate(gmap, gaddr, haddr);
	if (gaddr > gmap->limit)
		return -EFAULT;
	v = radix_lookup(&gmap->guest_to_host, gaddr >> GMAP_SEGMENT_SHIFT);
	if (!v)
		return -EFAULT;
	*haddr = (v & ~GTH_VALID) | (gaddr & (GMAP_SEGMENT_SIZE - 1));
	return 0;
}
