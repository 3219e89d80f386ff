// SPDX-License-Identifier: MIT
/*
 * The s390x backend's instructions: IPTE, IDTE, CSPG, PTLB (PoP 10,
 * "INVALIDATE PAGE TABLE ENTRY", "INVALIDATE DAT TABLE ENTRY", "COMPARE
 * AND SWAP AND PURGE", "PURGE TLB") and SSKE, ISKE, RRBE ("SET STORAGE KEY
 * EXTENDED", "INSERT STORAGE KEY EXTENDED", "RESET REFERENCE BIT
 * EXTENDED").
 *
 * Where the machine lacks a form, a stronger one is used: purging more TLB
 * entries than asked is always allowed (a TLB may lose entries at any
 * time), purging fewer never. So: no local clearing -> global; no IPTE
 * range -> one IPTE per pte; a clearing restricted to one ASCE (the
 * guest-ASCE option) -> clearing for every ASCE.
 */
#include "dat/dat_impl.h"
#include "insn.h"
#include "s390x.h"

static uint64_t real_of(struct gmap_arch *arch, const void *p)
{
	return gmap_arch_virt_to_real(arch, p);
}

/**
 * s390x_ipte_op() - the ipte op: IPTE, with the range form when offered.
 * @arch: the backend
 * @cpu: the calling CPU
 * @asce: unused: without the guest-ASCE option IPTE clears the entries of
 *	every ASCE formed through the ptes, a superset
 * @vaddr: virtual address of the first page; its page index selects the
 *	pte, its other bits say which TLB entries to clear
 * @ptep: the first pte
 * @nr: number of ptes (checked by the dispatcher not to cross the table)
 * @flags: GMAP_INV_LOCAL
 *
 * Context: any; the caller holds the ptes' lock.
 */
void s390x_ipte_op(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		   uint64_t vaddr, gmap_pte_t *ptep, unsigned int nr, unsigned int flags)
{
	struct s390x_arch *s = to_s390x(arch);
	int local = (flags & GMAP_INV_LOCAL) && s->insn.local_clear;
	/* The page-table origin: the pte's real address less its index. */
	uint64_t pto = real_of(arch, ptep) - GMAP_VA_PX(vaddr) * sizeof(*ptep);

	(void)cpu;
	(void)asce;
	if (nr > 1 && s->insn.ipte_range) {
		s390x_ipte_range(pto, vaddr, nr - 1, local);
		return;
	}
	for (unsigned int i = 0; i < nr; i++)
		s390x_ipte(pto, vaddr + ((uint64_t)i << GMAP_PAGE_SHIFT), local);
}

/*
 * COMPARE AND SWAP AND PURGE: whether it swapped is read from the compare
 * register, which keeps @old exactly when the operands were equal (PoP
 * 10, "COMPARE AND SWAP AND PURGE"), not from the condition code, which
 * QEMU 7.2 sets to 1 also after a swap.
 */
static bool cspg(uint64_t *ptr, uint64_t old, uint64_t new_val)
{
	uint64_t cur;

	s390x_cspg(ptr, old, new_val, &cur);
	return cur == old;
}

/* Set @bit in *@ptr with CSPG, which also purges every TLB. */
static void csp_set_bit(uint64_t *ptr, uint64_t bit)
{
	uint64_t old = __atomic_load_n(ptr, __ATOMIC_RELAXED);

	while (!cspg(ptr, old, old | bit))
		old = __atomic_load_n(ptr, __ATOMIC_RELAXED);
}

/**
 * s390x_idte_op() - the idte op: IDTE for one region or segment entry.
 * @arch: the backend
 * @cpu: the calling CPU
 * @asce: purge only entries of this ASCE with GMAP_INV_NODAT (0: any)
 * @vaddr: a virtual address mapped through the entry; with the entry's
 *	address it gives the table origin IDTE needs
 * @crstep: the entry
 * @flags: GMAP_INV_LOCAL, GMAP_INV_NODAT
 *
 * The entry's table type is in its TT bits. When @vaddr does not index
 * @crstep in a 4 KB-aligned table (a caller's mismatch), CSPG sets the
 * invalid bit and purges every TLB instead. GMAP_INV_NODAT leaves the
 * entry as it is: clearing by ASCE when @asce is given, else CSPG on the
 * entry with its own value, which purges all TLBs.
 *
 * Context: any; the caller holds the table's lock.
 */
void s390x_idte_op(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		   uint64_t vaddr, gmap_crste_t *crstep, unsigned int flags)
{
	struct s390x_arch *s = to_s390x(arch);
	int local = (flags & GMAP_INV_LOCAL) && s->insn.local_clear;
	unsigned int tt = (unsigned int)((crstep->val & GMAP_CRSTE_TT_MASK) >>
					 GMAP_CRSTE_TT_SHIFT);
	uint64_t origin = real_of(arch, crstep) - (uint64_t)dat_index(vaddr, (int)tt) * 8;

	(void)cpu;
	if (flags & GMAP_INV_NODAT) {
		uint64_t v = __atomic_load_n(&crstep->val, __ATOMIC_RELAXED);

		if (asce.val)
			s390x_idte_asce(asce.val, local);
		else
			while (!cspg(&crstep->val, v, v))
				v = __atomic_load_n(&crstep->val, __ATOMIC_RELAXED);
		return;
	}
	if (origin & (GMAP_CRST_PART_SIZE - 1)) {
		csp_set_bit(&crstep->val, GMAP_CRSTE_I);
		return;
	}
	s390x_idte(origin, tt, vaddr, local);
}

/**
 * s390x_idte_asce_op() - the idte_asce op: IDTE clearing by ASCE.
 * @arch: the backend
 * @cpu: the calling CPU
 * @asce: the ASCE
 * @flags: GMAP_INV_LOCAL
 *
 * Context: any.
 */
void s390x_idte_asce_op(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
			unsigned int flags)
{
	(void)cpu;
	s390x_idte_asce(asce.val, (flags & GMAP_INV_LOCAL) && to_s390x(arch)->insn.local_clear);
}

/**
 * s390x_csp_op() - the csp op: COMPARE AND SWAP AND PURGE (CSPG).
 * @arch: the backend
 * @cpu: the calling CPU
 * @ptr: the doubleword
 * @old: expected value
 * @new_val: value to store
 *
 * Context: any.
 * Return: true when the swap happened.
 */
bool s390x_csp_op(struct gmap_arch *arch, unsigned int cpu, uint64_t *ptr, uint64_t old,
		  uint64_t new_val)
{
	(void)arch;
	(void)cpu;
	return cspg(ptr, old, new_val);
}

/**
 * s390x_ptlb_op() - the ptlb op: PURGE TLB of the calling CPU.
 * @arch: the backend
 * @cpu: the calling CPU
 *
 * Context: any.
 */
void s390x_ptlb_op(struct gmap_arch *arch, unsigned int cpu)
{
	(void)arch;
	(void)cpu;
	s390x_ptlb();
}

/* SSKE with the M3 bits for @flags; returns R1 after the instruction. */
static unsigned long sske_m3(uint64_t frame, uint8_t key, unsigned int m3)
{
	unsigned long r1 = key;

	switch (m3) {
	case 0:
		S390X_SSKE(r1, frame, 0);
		break;
	case S390X_SSKE_M3_NQ:
		S390X_SSKE(r1, frame, 8);
		break;
	case S390X_SSKE_M3_MR:
		S390X_SSKE(r1, frame, 4);
		break;
	case S390X_SSKE_M3_MC:
		S390X_SSKE(r1, frame, 2);
		break;
	case S390X_SSKE_M3_MR | S390X_SSKE_M3_MC:
		S390X_SSKE(r1, frame, 6);
		break;
	case S390X_SSKE_M3_NQ | S390X_SSKE_M3_MR:
		S390X_SSKE(r1, frame, 12);
		break;
	case S390X_SSKE_M3_NQ | S390X_SSKE_M3_MC:
		S390X_SSKE(r1, frame, 10);
		break;
	default:
		S390X_SSKE(r1, frame, 14);
		break;
	}
	return r1;
}

/**
 * s390x_sske_op() - the sske op: SET STORAGE KEY EXTENDED.
 * @arch: the backend
 * @cpu: the calling CPU
 * @frame: absolute address of the frame
 * @key: the new key (bit 7 clear)
 * @flags: GMAP_SSKE_NQ, GMAP_SSKE_MR, GMAP_SSKE_MC
 * @old: out (may be NULL): the key before the instruction
 *
 * With the conditional-SSKE facility, MR and MC go to the machine, which
 * returns the old key in R1 bits 48-55. Without it the same rule is
 * applied here: ISKE, then SSKE only when arch_sske_stores(). NQ is passed on
 * only with the nonquiescing key-setting facility.
 *
 * Context: any.
 * Return: 0.
 */
int s390x_sske_op(struct gmap_arch *arch, unsigned int cpu, uint64_t frame, uint8_t key,
		  unsigned int flags, uint8_t *old)
{
	struct s390x_arch *s = to_s390x(arch);
	unsigned int m3 = (flags & GMAP_SSKE_NQ) && s->insn.nq_key ? S390X_SSKE_M3_NQ : 0;
	bool cond = flags & (GMAP_SSKE_MR | GMAP_SSKE_MC);
	uint8_t prev;

	(void)cpu;
	if (cond && s->insn.cond_sske) {
		m3 |= (flags & GMAP_SSKE_MR ? S390X_SSKE_M3_MR : 0) |
		      (flags & GMAP_SSKE_MC ? S390X_SSKE_M3_MC : 0);
		prev = (uint8_t)((sske_m3(frame, key, m3) >> 8) & 0xfe);
	} else {
		prev = s390x_iske(frame);
		if (arch_sske_stores(prev, key, flags))
			sske_m3(frame, key, m3);
	}
	if (old)
		*old = prev;
	return 0;
}

/**
 * s390x_iske_op() - the iske op: INSERT STORAGE KEY EXTENDED.
 * @arch: the backend
 * @frame: absolute address of the frame
 *
 * Context: any.
 * Return: the 7-bit key.
 */
uint8_t s390x_iske_op(struct gmap_arch *arch, uint64_t frame)
{
	(void)arch;
	return s390x_iske(frame);
}

/**
 * s390x_rrbe_op() - the rrbe op: RESET REFERENCE BIT EXTENDED.
 * @arch: the backend
 * @frame: absolute address of the frame
 *
 * Context: any.
 * Return: the condition code: 2 * old R + old C.
 */
int s390x_rrbe_op(struct gmap_arch *arch, uint64_t frame)
{
	(void)arch;
	return s390x_rrbe(frame);
}
