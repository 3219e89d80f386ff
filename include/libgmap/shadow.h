/* SPDX-License-Identifier: MIT */
/*
 * libgmap - shadow gmaps for nested guests (vSIE).
 *
 * A guest hypervisor (guest 1) runs its own guest (guest 2) with DAT
 * tables that live in guest-1 storage (big-endian, guest-1 absolute
 * addresses) and translate guest-2 addresses to guest-1 addresses. The
 * host cannot run guest 2 on them: it builds a shadow gmap whose tables
 * translate guest-2 addresses straight to host frames, composed from
 * guest 1's tables and the parent gmap that maps guest 1.
 *
 * A shadow is built on demand by gmap_shadow_fault(), level by level
 * (shadow region-second, region-third, segment and page tables: r2t, r3t,
 * sgt, pgt, then the pte). Every guest-1 table page a shadow table was
 * built from is write-protected in the parent (the VSIE bit in the
 * PGSTE of its host pte, or GMAP_SEG_GMAP_VSIE in a large segment entry
 * of the parent) and recorded in a reverse map keyed by the parent's host
 * page: a change to that page unshadows exactly the shadow tables built
 * from it (the whole shadow for the top table), with IDTE; an
 * invalidation of a parent pte that shadow ptes point to drops those
 * ptes with IPTE. Guest-1 EDAT-1 (1 MB) and EDAT-2 (2 GB) frames and
 * real-space ASCEs are shadowed with fake tables (4 KB shadow ptes whose
 * guest-1 "table" is the frame itself, never protected). The parent may
 * be backed by 1 MB host segments.
 *
 * A shadow is a struct gmap: gmap_translate(), gmap_enable(),
 * gmap_disable(), gmap_asce(), gmap_table_bytes(), the notifier functions
 * (called for the guest-2 range of every unshadowed table or pte) and
 * gmap_put() work on it; the functions that change a gmap's mapping or
 * fault it (gmap_map_segment(), gmap_unmap_segment(), gmap_fault(),
 * gmap_discard(), gmap_mprotect_notify(), gmap_sync_dirty_log(), guest
 * access) return -EINVAL for a shadow. gmap_remove() of a shadow drops it
 * from its parent (as if its top table changed) and puts the caller's
 * reference. A shadow holds a reference to its parent: a parent with
 * shadows goes with gmap_remove(), which drops them (gmap_put() alone
 * leaves it alive while they are). gmap_translate() of a shadow walks its tables and gives the
 * parent's host address (the mm's) of the guest-2 byte.
 *
 * Where the parent maps guest 1 with a 1 MB large segment, protection and
 * notification work on that segment: a guest-1 write anywhere in it
 * unshadows everything built from the segment's storage.
 *
 * Behaviour mirrors Linux's arch/s390/mm/gmap.c (gmap_shadow*(),
 * gmap_protect_rmap(), gmap_shadow_notify(), gmap_unshadow*(), v4.8 to
 * v6.x; seed 003), arch/s390/kvm/gaccess.c (kvm_s390_shadow_fault()) and
 * arch/s390/kvm/vsie.c (acquire_gmap_shadow()). Where the kernel makes
 * the parent writable for any access through a writable guest-1 pte, a
 * fetch here installs a protected shadow pte instead (the protection is
 * that of the guest-1 path or of the parent), so a guest-2 read of a page
 * that holds guest-1 tables does not unshadow what it was built from.
 *
 * Lock order (see also gmap.h and mm.h): the parent's table lock or a
 * parent pte's PGSTE lock, then the parent's shadow lock, then a shadow's
 * table lock.
 */
#ifndef LIBGMAP_SHADOW_H
#define LIBGMAP_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include <libgmap/common.h>
#include <libgmap/dat.h>
#include <libgmap/gmap.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Shadows a parent keeps: creating one more drops the oldest. */
#define GMAP_SHADOW_MAX		8

/**
 * gmap_shadow_get() - get or create the shadow of a parent for a guest-1
 * ASCE.
 * @parent: the gmap that maps guest 1 (not a shadow)
 * @asce: the ASCE guest 1 gave guest 2 (its DT, TL and origin, or the
 *	real-space control R; a guest-1 absolute table origin)
 * @edat_level: 0 no EDAT, 1 EDAT-1, 2 EDAT-1 and EDAT-2 for guest 2
 * @out: out: the shadow, with one reference for the caller (gmap_put())
 *
 * Returns the parent's existing shadow for (@asce, @edat_level) when
 * there is one, else creates it: a top table of @asce's type (a
 * region-first table for a real-space @asce), full length, the same user
 * bits as a gmap's ASCE; then the guest-1 pages of @asce's top table
 * ((TL + 1) * 4 KB from the origin) are write-protected in the parent
 * (faulted in first) and recorded, so a write to them drops the whole
 * shadow. The parent keeps at most GMAP_SHADOW_MAX shadows: a new one
 * drops the oldest (unshadowed, marked removed; its users' references
 * stay valid). While one caller creates a shadow, another asking for the
 * same one gets -EAGAIN (vsie.c retries). Mirrors gmap_shadow() and
 * acquire_gmap_shadow().
 * Context: any thread; takes the parent's shadow lock, faults the parent
 * in (its map lock, page-table lock and table lock); allocates.
 * Return: 0; -EINVAL for NULL @parent/@out, a shadow or removed @parent,
 * or an @edat_level outside 0-2; -EOPNOTSUPP on a machine without ESOP-1
 * (protecting a guest-1 table page needs it: KVM offers vSIE only with
 * it, kvm_s390_cpu_feat_init()); -EAGAIN
 * while the shadow is being created by another caller, or when it was
 * dropped while being created (call again); -EFAULT when the top table
 * is refused by the host; -ENOMEM. On error *@out is untouched and the
 * parent keeps no new shadow. Pages of the top table outside guest-1
 * storage are not protected; a later gmap_map_segment() of the parent
 * drops such a shadow (likewise for any shadow table partly outside).
 */
GMAP_API int gmap_shadow_get(struct gmap *parent, gmap_asce_t asce, int edat_level,
			     struct gmap **out);

/**
 * gmap_shadow_valid() - whether a shadow still stands for an ASCE.
 * @sg: a shadow
 * @asce: the guest-1 ASCE
 * @edat_level: the EDAT level
 *
 * False once the shadow was dropped (its top table changed, its parent
 * was removed or it was the oldest of too many) or when it was made for
 * another ASCE or level. Mirrors gmap_shadow_valid().
 * Context: any thread; lock-free.
 * Return: true when @sg is usable for (@asce, @edat_level).
 */
GMAP_API bool gmap_shadow_valid(struct gmap *sg, gmap_asce_t asce, int edat_level);

/**
 * gmap_is_shadow() - whether a gmap is a shadow.
 * @gmap: the gmap
 *
 * Return: true for a gmap from gmap_shadow_get().
 */
GMAP_API bool gmap_is_shadow(const struct gmap *gmap);

/**
 * gmap_shadow_fault() - resolve a guest-2 access that faulted on a shadow.
 * @sg: the shadow
 * @saddr: guest-2 address (any alignment)
 * @access: GMAP_DAT_FETCH, GMAP_DAT_STORE or GMAP_DAT_IFETCH
 * @res: out: the outcome of the guest-1 translation (see Return)
 *
 * Walks guest 1's tables for @saddr (read through the parent, faulting
 * it in; EDAT frames and IEP as @edat_level and the backend's
 * facilities allow, TEIDs with the backend's ESOP facilities, primary
 * space, prefix 0: a 4 KB frame address is guest-1 real), creates the
 * shadow tables that are missing (protecting each guest-1 table page in
 * the parent and recording it; fake tables for EDAT frames and real
 * space) and installs the shadow pte: the parent's frame, protected when
 * the guest-1 path is (DAT protection at any level) or, for a fetch, when
 * the parent's pte or segment is; a store makes the parent writable
 * first (gmap_fault()). A shadow pte that already allows @access is left
 * alone. The fast path, for a shadow page table already present, reads
 * only the guest-1 pte. Mirrors kvm_s390_shadow_fault(),
 * kvm_s390_shadow_tables(), gmap_shadow_r2t/r3t/sgt/pgt() and
 * gmap_shadow_page().
 * Context: any thread (many at once per shadow); takes the parent's
 * locks (map lock for reading, page-table lock, table lock, PGSTE locks)
 * and the shadow's table lock; allocates.
 * Return: 0 with @res->pic 0: @saddr now translates through the shadow
 * for @access, @res->addr is the guest-1 address of the byte and
 * @res->prot / @res->frame_shift describe the guest-1 path; 0 with
 * @res->pic non-zero: guest 1's tables raise that program exception for
 * guest 2 (@res->teid when @res->teid_valid), or 0x05 (addressing) when a
 * guest-1 table or frame lies outside guest-1 storage; -EAGAIN when the
 * shadow changed during the fault (an unshadow raced with it: call
 * again); -ESTALE when the shadow was dropped (gmap_shadow_get() anew);
 * -EFAULT when the host refuses the parent's page; -ENOMEM (what was
 * built stays consistent); -EINVAL for a NULL or non-shadow @sg, a bad
 * @access or NULL @res.
 */
GMAP_API int gmap_shadow_fault(struct gmap *sg, uint64_t saddr, enum gmap_dat_access access,
			       struct gmap_dat_result *res);

#ifdef __cplusplus
}
#endif

#endif /* LIBGMAP_SHADOW_H */
