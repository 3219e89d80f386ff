/* SPDX-License-Identifier: MIT */
/*
 * Internal: the s390x backend's instructions, one inline-assembly wrapper
 * each. Register contents follow the PoP (chapter 10, "Control
 * Instructions"; chapter 7 for STFLE and EPSW); the wrappers do no policy:
 * which form to use is decided in s390x.c from the facility bits.
 *
 * The instructions newer than the build's -march are assembled inside
 * ".machine push / pop", so one build runs on every machine: a form is
 * executed only when its facility is installed.
 */
#ifndef GMAP_ARCH_S390X_INSN_H
#define GMAP_ARCH_S390X_INSN_H

#include <stdint.h>

#define S390X_MACHINE_PUSH	".machine push\n\t.machine \"z13\"\n\t"
#define S390X_MACHINE_POP	"\n\t.machine pop"

/* PSW bits 0-31 as EXTRACT PSW returns them in bits 32-63 of R1. */
#define S390X_PSW_DAT		0x04000000u	/* PSW bit 5: DAT mode */
#define S390X_PSW_PROBLEM	0x00010000u	/* PSW bit 15: problem state */

/* Operand bits of IDTE's general register R2 (PoP 10, "INVALIDATE DAT
 * TABLE ENTRY"): bit 52 selects the clearing-by-ASCE operation. */
#define S390X_IDTE_CLEAR_BY_ASCE	0x800ULL

/* Bit 63 of CSPG's R2: purge the TLBs when the swap happens. */
#define S390X_CSP_PURGE_TLB		0x1ULL

/* The M3 bits of SSKE (PoP 10, "SET STORAGE KEY EXTENDED"). */
#define S390X_SSKE_M3_NQ	0x8
#define S390X_SSKE_M3_MR	0x4
#define S390X_SSKE_M3_MC	0x2

/* EXTRACT PSW (unprivileged): PSW bits 0-31. */
static inline uint32_t s390x_epsw(void)
{
	unsigned long hi, lo;

	__asm__ volatile("epsw %0,%1" : "=d"(hi), "=d"(lo));
	return (uint32_t)hi;
}

/* STORE FACILITY LIST EXTENDED (unprivileged) into @words[0..@n-1].
 * Returns the number of doublewords the machine has. */
static inline unsigned int s390x_stfle(uint64_t *words, unsigned int n)
{
	register unsigned long r0 __asm__("0") = n - 1;

	__asm__ volatile(S390X_MACHINE_PUSH "stfle 0(%[w])" S390X_MACHINE_POP
		     : "+d"(r0) : [w] "a"(words) : "memory", "cc");
	return (unsigned int)(r0 & 0xff) + 1;
}

/* STORE CONTROL (privileged): control register 0. */
static inline uint64_t s390x_stctg_cr0(void)
{
	uint64_t cr0;

	__asm__ volatile("stctg 0,0,%0" : "=Q"(cr0));
	return cr0;
}

/* LOAD CONTROL (privileged): the primary ASCE, control register 1. */
static inline void s390x_lctlg_cr1(uint64_t asce)
{
	__asm__ volatile("lctlg 1,1,%0" : : "Q"(asce) : "memory");
}

/* STORE CONTROL (privileged): control register 1. */
static inline uint64_t s390x_stctg_cr1(void)
{
	uint64_t cr1;

	__asm__ volatile("stctg 1,1,%0" : "=Q"(cr1));
	return cr1;
}

/* LOAD REAL ADDRESS (privileged) of @va in the current address space.
 * Returns the condition code; *@real is valid when it is 0. */
static inline int s390x_lrag(const void *va, uint64_t *real)
{
	unsigned long r;
	int cc;

	__asm__ volatile("lrag %[r],0(%[va])\n\tipm %[cc]\n\tsrl %[cc],28"
		     : [r] "=d"(r), [cc] "=d"(cc) : [va] "a"(va) : "cc");
	*real = r;
	return cc;
}

/*
 * INVALIDATE PAGE TABLE ENTRY: the pte at @pto + page index of @va.
 * @local: local-clearing (M4 bit 3, facility 51).
 */
static inline void s390x_ipte(uint64_t pto, uint64_t va, int local)
{
	if (local)
		__asm__ volatile(S390X_MACHINE_PUSH "ipte %[pto],%[va],0,1" S390X_MACHINE_POP
			     : : [pto] "a"(pto), [va] "a"(va) : "memory");
	else
		__asm__ volatile("ipte %[pto],%[va]" : : [pto] "a"(pto), [va] "a"(va) : "memory");
}

/*
 * IPTE, range form (facility 13): @count additional ptes after the one of
 * @va, counted in R3 bits 56-63. The machine may stop early (after
 * updating R2 and R3, PoP: the instruction is interruptible), so it is
 * reissued until R3's count has gone below zero (0xff).
 */
static inline void s390x_ipte_range(uint64_t pto, uint64_t va, unsigned int count, int local)
{
	unsigned long r2 = va, r3 = count;

	do {
		if (local)
			__asm__ volatile(S390X_MACHINE_PUSH "ipte %[pto],%[r2],%[r3],1"
				     S390X_MACHINE_POP
				     : [r2] "+a"(r2), [r3] "+a"(r3) : [pto] "a"(pto) : "memory");
		else
			__asm__ volatile(S390X_MACHINE_PUSH "ipte %[pto],%[r2],%[r3],0"
				     S390X_MACHINE_POP
				     : [r2] "+a"(r2), [r3] "+a"(r3) : [pto] "a"(pto) : "memory");
	} while ((r3 & 0xff) != 0xff);
}

/*
 * INVALIDATE DAT TABLE ENTRY, invalidation-and-clearing operation: the
 * entry of the table at @origin (designation type @dt) that @va indexes.
 * R3 is zero: TLB entries of every ASCE are cleared.
 */
static inline void s390x_idte(uint64_t origin, unsigned int dt, uint64_t va, int local)
{
	uint64_t r1 = origin | ((uint64_t)dt << 2);
	/* R2: the index bits of @va (bits 0-43); bits 44-63 zero, so
	 * no additional entries. */
	uint64_t r2 = va & ~0xfffffULL;

	if (local)
		__asm__ volatile(S390X_MACHINE_PUSH "idte %[r1],0,%[r2],1" S390X_MACHINE_POP
			     : : [r1] "a"(r1), [r2] "a"(r2) : "memory", "cc");
	else
		__asm__ volatile(S390X_MACHINE_PUSH "idte %[r1],0,%[r2]" S390X_MACHINE_POP
			     : : [r1] "a"(r1), [r2] "a"(r2) : "memory", "cc");
}

/* IDTE, clearing-by-ASCE operation: TLB entries formed with @asce. */
static inline void s390x_idte_asce(uint64_t asce, int local)
{
	uint64_t r2 = S390X_IDTE_CLEAR_BY_ASCE;

	if (local)
		__asm__ volatile(S390X_MACHINE_PUSH "idte 0,%[asce],%[r2],1" S390X_MACHINE_POP
			     : : [asce] "a"(asce), [r2] "a"(r2) : "memory", "cc");
	else
		__asm__ volatile(S390X_MACHINE_PUSH "idte 0,%[asce],%[r2]" S390X_MACHINE_POP
			     : : [asce] "a"(asce), [r2] "a"(r2) : "memory", "cc");
}

/*
 * COMPARE AND SWAP AND PURGE, 8 bytes (facility 3): when *@ptr is @old,
 * store @new_val and purge the TLBs of all CPUs. R1 is an even/odd pair:
 * the even register the compare value, the odd one the new value; when
 * the operands differ, the even register receives *@ptr. Returns the
 * condition code (0: swapped); *@cur is the even register afterwards,
 * which equals @old exactly when the swap happened.
 */
static inline int s390x_cspg(uint64_t *ptr, uint64_t old, uint64_t new_val, uint64_t *cur)
{
	register unsigned long even __asm__("2") = old;
	register unsigned long odd __asm__("3") = new_val;
	unsigned long r2 = (unsigned long)ptr | S390X_CSP_PURGE_TLB;
	int cc;

	__asm__ volatile(S390X_MACHINE_PUSH "cspg %[even],%[r2]\n\tipm %[cc]\n\tsrl %[cc],28"
			 S390X_MACHINE_POP
			 : [even] "+d"(even), [cc] "=&d"(cc), "+m"(*ptr)
			 : "d"(odd), [r2] "a"(r2) : "cc");
	*cur = even;
	return cc;
}

/* PURGE TLB of this CPU. */
static inline void s390x_ptlb(void)
{
	__asm__ volatile("ptlb" : : : "memory");
}

/* SET STORAGE KEY EXTENDED with the M3 bits @m3 (a constant). R1's bits
 * 48-55 receive the old key with MR or MC (conditional SSKE). */
#define S390X_SSKE(r1, frame, m3)                                               \
	__asm__ volatile(S390X_MACHINE_PUSH "sske %[k],%[f]," #m3 S390X_MACHINE_POP  \
		     : [k] "+d"(r1) : [f] "a"(frame) : "memory")

/* INSERT STORAGE KEY EXTENDED: the 7-bit key in bits 56-62. */
static inline uint8_t s390x_iske(uint64_t frame)
{
	unsigned long key = 0;

	__asm__ volatile("iske %[k],%[f]" : [k] "+d"(key) : [f] "a"(frame));
	return (uint8_t)(key & 0xfe);
}

/* RESET REFERENCE BIT EXTENDED; returns the condition code. */
static inline int s390x_rrbe(uint64_t frame)
{
	int cc;

	__asm__ volatile("rrbe 0,%[f]\n\tipm %[cc]\n\tsrl %[cc],28"
		     : [cc] "=d"(cc) : [f] "a"(frame) : "cc", "memory");
	return cc;
}

#endif /* GMAP_ARCH_S390X_INSN_H */
