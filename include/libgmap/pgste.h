/* SPDX-License-Identifier: MIT */
/*
 * libgmap - operations on the page-status-table extensions (PGSTEs) of a
 * host mm (<libgmap/mm.h>): pte exchange with PGSTE handling, forced
 * protection with the notify (IN) and VSIE bits, guest storage keys, the
 * user-dirty (UC) bit for migration, and CMMA page states (ESSA).
 *
 * The behaviour mirrors Linux's arch/s390/mm/pgtable.c (v4.x to v6.x);
 * each function names the kernel function it models. The lifetime rule of
 * <libgmap/mm.h> applies: the page must stay mapped during a call.
 */
#ifndef LIBGMAP_PGSTE_H
#define LIBGMAP_PGSTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/common.h>
#include <libgmap/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of gmap_pgste_xchg(). */
#define GMAP_PGSTE_XCHG_LAZY	(1u << 0)	/* ptep_xchg_lazy() rather than _direct() */

/* Flags of gmap_pgste_cond_set_key() (the SSKE M3 bits). */
#define GMAP_PGSTE_KEY_NQ	(1u << 0)	/* nonquiescing */
#define GMAP_PGSTE_KEY_MR	(1u << 1)	/* reference bit may stay unchanged */
#define GMAP_PGSTE_KEY_MC	(1u << 2)	/* change bit may stay unchanged */

/* ESSA operation request codes (KVM's ESSA_* values). */
#define GMAP_PGSTE_ESSA_GET_STATE		0
#define GMAP_PGSTE_ESSA_SET_STABLE		1
#define GMAP_PGSTE_ESSA_SET_UNUSED		2
#define GMAP_PGSTE_ESSA_SET_VOLATILE		3
#define GMAP_PGSTE_ESSA_SET_POT_VOLATILE	4
#define GMAP_PGSTE_ESSA_SET_STABLE_RESIDENT	5
#define GMAP_PGSTE_ESSA_SET_STABLE_IF_RESIDENT	6
#define GMAP_PGSTE_ESSA_SET_STABLE_NODAT	7

/**
 * gmap_pgste_xchg() - exchange a pte with PGSTE handling.
 * @mm: the mm
 * @haddr: host address of the page (4 KB aligned)
 * @new_pte: the new pte (Linux format: GMAP_MM_PTE_* and GMAP_PTE_I/_P)
 * @flags: 0 for the direct form (IPTE now), GMAP_PGSTE_XCHG_LAZY for the
 *	lazy form (on a single attached CPU: set I, purge at gmap_mm_flush())
 * @old: out (may be NULL): the old pte; GMAP_MM_PTE_UNUSED added when
 *	@new_pte is invalid and the PGSTE's usage state is unused
 *
 * Under the PGSTE lock: notifiers for IN/VSIE (cleared), invalidation of
 * a valid old pte, the real key into the PGSTE for an invalid @new_pte
 * (pgste_update_all()), the PGSTE's key into the frame when an invalid pte
 * becomes valid (pgste_set_key()), UC for a writable valid @new_pte
 * (pgste_set_pte()). Frames are neither freed nor taken over; a present
 * pte without GMAP_MM_PTE_SPECIAL is a backend frame the mm will free.
 * Mirrors ptep_xchg_direct() / ptep_xchg_lazy().
 * Context: takes the pte's lock; no allocation but the backend's key
 * table.
 * Return: 0; -EINVAL for bad @flags or alignment; -EFAULT when no page
 * table covers @haddr (also in a large segment); -ENOMEM when the backend
 * cannot store the key (nothing changed).
 */
GMAP_API int gmap_pgste_xchg(struct gmap_mm *mm, uint64_t haddr, gmap_pte_t new_pte,
			     unsigned int flags, gmap_pte_t *old);

/**
 * gmap_pgste_force_prot() - raise a pte's protection and set PGSTE bits.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the page
 * @prot: GMAP_MM_PROT_NONE (make invalid), _READ (make protected) or
 *	_READ | _WRITE (leave as is). Without ESOP, storing a writable valid
 *	pte makes it unprotected up front (pgste_set_pte()), so _READ leaves
 *	such a pte writable, as Linux does (which is why the kernel's
 *	mprotect_notify refuses PROT_READ without ESOP)
 * @bits: GMAP_PGSTE_IN and/or GMAP_PGSTE_VSIE to set
 *
 * The pte is only ever made stricter, with a direct invalidation; a pte
 * that already denies what @prot asks for is left alone (the caller faults
 * it in and retries). Mirrors ptep_force_prot().
 * Context: takes the pte's lock; no allocation.
 * Return: 0; -EAGAIN when the pte is invalid and @prot is not NONE, or
 * protected and @prot asks for write; -EINVAL for a bad argument or an mm
 * without PGSTEs; -EFAULT when no page table covers @haddr (also in a
 * large segment).
 */
GMAP_API int gmap_pgste_force_prot(struct gmap_mm *mm, uint64_t haddr, unsigned int prot,
				   uint64_t bits);

/**
 * gmap_pgste_set_bits() - set chosen PGSTE bits.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the page (with a page table, or inside a mapping)
 * @mask: which bits to write (GMAP_PGSTE_PCL is refused)
 * @value: their new values (bits outside @mask ignored)
 *
 * Allocates the page table when missing. Mirrors set_pgste_bits().
 * Context: takes the pte's lock; may allocate.
 * Return: 0; -EINVAL for an mm without PGSTEs or PCL in @mask; -EFAULT
 * when @haddr has no page table and is not mapped, or is in a large
 * mapping (no PGSTEs); -ENOMEM.
 */
GMAP_API int gmap_pgste_set_bits(struct gmap_mm *mm, uint64_t haddr, uint64_t mask,
				 uint64_t value);

/**
 * gmap_pgste_zap_unused() - discard a page the guest declared unused, or
 * reset its CMMA state.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the page
 * @reset: false: when the PGSTE's usage is unused or ZERO is set, the
 *	page is dropped (pte emptied, frame into the pool); true: the usage
 *	state and NODAT are cleared, nothing else
 *
 * Linux drops such pages from swap here and from memory in reclaim; this
 * mm has no swap, so the page goes at once. Mirrors ptep_zap_unused().
 * Context: takes the pte's lock; no allocation.
 * Return: 1 if a page was dropped, else 0; -EINVAL for an mm without
 * PGSTEs; -EFAULT when no page table covers @haddr (also in a large
 * segment).
 */
GMAP_API int gmap_pgste_zap_unused(struct gmap_mm *mm, uint64_t haddr, bool reset);

/**
 * gmap_pgste_zap_key() - reset the guest storage key of a page.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the page
 *
 * PGSTE ACC and F cleared, GR and GC set; a valid writable page's real key
 * becomes 0. Mirrors ptep_zap_key().
 * Context: takes the pte's lock; no allocation but the backend's key table.
 * Return: 0; -EINVAL for an mm without PGSTEs; -EFAULT when no page table
 * covers @haddr (also in a large segment).
 */
GMAP_API int gmap_pgste_zap_key(struct gmap_mm *mm, uint64_t haddr);

/**
 * gmap_pgste_set_key() - SSKE for the guest: set a guest storage key.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the guest page
 * @key: the key (GMAP_SKEY_ACC_MASK, _F, _R, _C; bit 0x01 is ignored)
 * @nq: nonquiescing (no TLB purge needed for the real key)
 *
 * The PGSTE takes ACC/F and GR/GC from @key; a valid page's real key gets
 * ACC/F with R/C cleared (old R/C into HR/HC); a change sets UC. An
 * unmapped page keeps it in the PGSTE (its page table is allocated unless
 * @key is 0). A page of a large segment has no PGSTE: its frame's real
 * key becomes @key (R and C included) with quiescing SSKE whatever @nq
 * says, as the huge pmd branch of set_guest_storage_key() does. Mirrors
 * set_guest_storage_key().
 * Context: takes the pte's lock (ptl for a large segment); may allocate
 * (page table, backend keys).
 * Return: 0; -EINVAL for an mm without PGSTEs; -EFAULT when @haddr has no
 * page table and is not mapped, or lies in a large mapping not faulted
 * in (fault and retry, as KVM does); -ENOMEM (nothing changed).
 */
GMAP_API int gmap_pgste_set_key(struct gmap_mm *mm, uint64_t haddr, uint8_t key, bool nq);

/**
 * gmap_pgste_cond_set_key() - conditional SSKE for the guest.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the guest page
 * @key: the new 7-bit key
 * @oldkey: out (may be NULL): the guest's key before (with MR or MC)
 * @flags: GMAP_PGSTE_KEY_NQ, _MR, _MC
 *
 * With MR (MC) a difference only in R (C) does not count; the key is set
 * only when something counted differs, under one hold of the PGSTE lock.
 * Without MR and MC the key is always set and 1 returned (the
 * unconditional form), as Linux does. On a large segment the frame's real
 * key is compared and set (see gmap_pgste_set_key()). Mirrors
 * cond_set_guest_storage_key().
 * Context: as gmap_pgste_set_key().
 * Return: 1 when the key was set, 0 when not needed; errors as
 * gmap_pgste_set_key(), -EINVAL also for bad @flags.
 */
GMAP_API int gmap_pgste_cond_set_key(struct gmap_mm *mm, uint64_t haddr, uint8_t key,
				     uint8_t *oldkey, unsigned int flags);

/**
 * gmap_pgste_get_key() - ISKE for the guest: the guest's storage key.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the guest page
 * @key: out: the real key's ACC/F/R/C while the page is valid, the PGSTE's
 *	ACC/F while not, ORed with the PGSTE's GR/GC (0 without a page table);
 *	in a large segment the real key of the frame (0 before the fault)
 *
 * Mirrors get_guest_storage_key().
 * Context: takes the pte's lock; no allocation.
 * Return: 0; -EINVAL for an mm without PGSTEs or NULL @key.
 */
GMAP_API int gmap_pgste_get_key(struct gmap_mm *mm, uint64_t haddr, uint8_t *key);

/**
 * gmap_pgste_reset_reference() - RRBE for the guest.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the guest page
 *
 * Clears GR, and the real R of a valid page (its old R merged into HR);
 * a change of GR sets UC. In a large segment: RRBE on the frame alone.
 * Mirrors reset_guest_reference_bit().
 * Context: takes the pte's lock; no allocation.
 * Return: the condition code 0-3 from the guest's R and C before
 * (R: 2, C: 1); 0 without a page table; -EINVAL for an mm without PGSTEs.
 */
GMAP_API int gmap_pgste_reset_reference(struct gmap_mm *mm, uint64_t haddr);

/**
 * gmap_pgste_test_and_clear_uc() - test and clear the user-dirty bit.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the page
 *
 * With UC set and a page present: notifiers, IPTE, then the pte is made
 * protected (ESOP, or not writable) or invalid (no ESOP), so the next
 * store faults and sets UC. Mirrors ptep_test_and_clear_uc() (seed 004).
 * Context: takes the pte's lock; no allocation.
 * Return: 1 if UC was set, 0 if not (also without a page table, as in a
 * large segment); -EINVAL for an mm without PGSTEs.
 */
GMAP_API int gmap_pgste_test_and_clear_uc(struct gmap_mm *mm, uint64_t haddr);

/**
 * gmap_pgste_sync_dirty() - gmap_pgste_test_and_clear_uc() over a range,
 * into a bitmap.
 * @mm: the mm (with PGSTEs)
 * @haddr: first host address, 4 KB aligned
 * @npages: number of pages
 * @bitmap: out: bit i of word i / 64 (least significant first) set for
 *	each dirty page i, cleared for the others; (@npages + 63) / 64 words
 *
 * Segments without a page table (large ones too) are skipped. Mirrors
 * gmap_sync_dirty_log_pmd().
 * Context: takes each pte's lock in turn (only of ptes with UC); no
 * allocation.
 * Return: the number of dirty pages; -EINVAL for a bad argument or an mm
 * without PGSTEs.
 */
GMAP_API long gmap_pgste_sync_dirty(struct gmap_mm *mm, uint64_t haddr, uint64_t npages,
				    uint64_t *bitmap);

/**
 * gmap_pgste_essa() - perform an ESSA operation on a page's CMMA state.
 * @mm: the mm (with PGSTEs)
 * @haddr: host address of the guest page (with a page table, or inside a
 *	mapping)
 * @orc: GMAP_PGSTE_ESSA_* operation request code
 * @oldpte: out (may be NULL): the pte before
 * @oldpgste: out (may be NULL): the PGSTE before
 *
 * Sets the usage state and NODAT; a page whose content may go (unused or
 * volatile and not valid; potentially volatile, not valid, never changed)
 * is reported for the CBRL and marked ZERO. Allocates a missing page
 * table. Mirrors pgste_perform_essa().
 * Context: takes the pte's lock; may allocate.
 * Return: 1 when the page is to be added to the CBRL, else 0; -EINVAL for
 * a bad @orc or an mm without PGSTEs; -EFAULT when @haddr has no page
 * table and is not mapped, or is in a large mapping; -ENOMEM.
 */
GMAP_API int gmap_pgste_essa(struct gmap_mm *mm, uint64_t haddr, unsigned int orc,
			     gmap_pte_t *oldpte, gmap_pgste_t *oldpgste);

/**
 * gmap_mm_discard_unused() - gmap_pgste_zap_unused() over a range.
 * @mm: the mm (with PGSTEs)
 * @haddr: first host address, 4 KB aligned
 * @len: bytes, a non-zero multiple of 4 KB
 * @reset: as for gmap_pgste_zap_unused(); true over the whole mm mirrors
 *	s390_reset_cmma()
 *
 * Segments without a page table (large ones too) are skipped.
 * Context: takes each pte's lock in turn; no allocation.
 * Return: the number of pages dropped; -EINVAL for a bad argument or an
 * mm without PGSTEs.
 */
GMAP_API long gmap_mm_discard_unused(struct gmap_mm *mm, uint64_t haddr, uint64_t len,
				     bool reset);

#ifdef __cplusplus
}
#endif

#endif /* LIBGMAP_PGSTE_H */
