/* SPDX-License-Identifier: MIT */
/*
 * Internal: the s390x backend's state and its facility decoding, shared by
 * s390x.c (instance, table memory, CR1) and inv.c (IPTE, IDTE, CSPG, PTLB,
 * storage keys).
 */
#ifndef GMAP_ARCH_S390X_H
#define GMAP_ARCH_S390X_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch_impl.h"

/* STFLE facility numbers (PoP 4, "Facility Indications") the backend
 * uses, by bit number in the facility list. */
#define S390X_FAC_DATE		3	/* DAT-enhancement: IDTE, CSPG */
#define S390X_FAC_EDAT1		8	/* enhanced-DAT 1 */
#define S390X_FAC_CSSKE		10	/* conditional SSKE */
#define S390X_FAC_IPTE_RANGE	13	/* IPTE range */
#define S390X_FAC_NQ_KEY	14	/* nonquiescing key setting */
#define S390X_FAC_TLB_LC	51	/* local TLB clearing */
#define S390X_FAC_AEFSI		75	/* access-exception fetch/store indication */
#define S390X_FAC_EDAT2		78	/* enhanced-DAT 2 */
#define S390X_FAC_IEP		130	/* instruction-execution protection */
#define S390X_FAC_ESOP2		131	/* ESOP-2 (and side-effect access) */

/* Doublewords of the facility list read: facilities 0-255. */
#define S390X_STFLE_WORDS	4

/* Control register 0 bits that turn facilities on (PoP 4, "Control
 * Registers"): bit 40 EDAT-1, bit 43 instruction-execution protection. */
#define S390X_CR0_EDAT1		(1ULL << (63 - 40))
#define S390X_CR0_IEP		(1ULL << (63 - 43))

/*
 * struct s390x_insn_fac - the instruction forms the machine offers.
 * @ipte_range: IPTE with an additional-entry count (facility 13)
 * @local_clear: IPTE / IDTE local clearing (facility 51)
 * @cond_sske: SSKE with MR / MC (facility 10)
 * @nq_key: SSKE with NQ (facility 14)
 */
struct s390x_insn_fac {
	bool ipte_range;
	bool local_clear;
	bool cond_sske;
	bool nq_key;
};

/*
 * struct s390x_arch - an s390x backend instance.
 * @base: the dispatcher's part; first, so a struct gmap_arch * is one of us
 * @insn: the instruction forms in use
 */
struct s390x_arch {
	struct gmap_arch base;
	struct s390x_insn_fac insn;
};

static inline struct s390x_arch *to_s390x(struct gmap_arch *arch)
{
	return (struct s390x_arch *)arch;
}

/* Whether facility @nr is set in a facility list of @n doublewords. */
static inline bool s390x_fac_test(const uint64_t *list, unsigned int n, unsigned int nr)
{
	return nr / 64 < n && (list[nr / 64] & (1ULL << (63 - nr % 64)));
}

uint32_t s390x_dat_facilities(const uint64_t *list, unsigned int n, uint64_t cr0);
struct s390x_insn_fac s390x_insn_facilities(const uint64_t *list, unsigned int n);

/* inv.c: the ops that issue the invalidation and key instructions. */
void s390x_ipte_op(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		   uint64_t vaddr, gmap_pte_t *ptep, unsigned int nr, unsigned int flags);
void s390x_idte_op(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		   uint64_t vaddr, gmap_crste_t *crstep, unsigned int flags);
void s390x_idte_asce_op(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
			unsigned int flags);
bool s390x_csp_op(struct gmap_arch *arch, unsigned int cpu, uint64_t *ptr, uint64_t old,
		  uint64_t new_val);
void s390x_ptlb_op(struct gmap_arch *arch, unsigned int cpu);
int s390x_sske_op(struct gmap_arch *arch, unsigned int cpu, uint64_t frame, uint8_t key,
		  unsigned int flags, uint8_t *old);
uint8_t s390x_iske_op(struct gmap_arch *arch, uint64_t frame);
int s390x_rrbe_op(struct gmap_arch *arch, uint64_t frame);

#endif /* GMAP_ARCH_S390X_H */
