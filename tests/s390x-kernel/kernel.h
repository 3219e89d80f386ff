/* SPDX-License-Identifier: MIT */
/*
 * The s390x test kernel: a freestanding program, booted by an s390x
 * system emulator, that runs the machine's own DAT, IPTE / IDTE / CSPG /
 * PTLB and SSKE / ISKE / RRBE against libgmap's walker and soft backend.
 * It runs with DAT off (real == absolute, prefix 0) and turns DAT on only
 * inside the probes of start.S.
 */
#ifndef S390X_KERNEL_H
#define S390X_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/arch.h>

/* Lowcore (PoP 3, "Assigned Storage Locations"), real addresses. */
#define LC_EXT_CODE	0x86	/* external-interruption code, 2 bytes */
#define LC_PGM_ILC	0x8c	/* instruction-length code, 2 bytes */
#define LC_PGM_CODE	0x8e	/* program-interruption code, 2 bytes */
#define LC_TEID		0xa8	/* translation-exception identification */
#define LC_PGM_OLD	0x150
#define LC_RESTART_NEW	0x1a0
#define LC_EXT_NEW	0x1b0
#define LC_SVC_NEW	0x1c0
#define LC_PGM_NEW	0x1d0
#define LC_MCCK_NEW	0x1e0
#define LC_IO_NEW	0x1f0

/* PSW mask of every new PSW: 64-bit addressing, DAT and interruptions
 * off, key 0, supervisor state. */
#define PSW_MASK_KERNEL	0x0000000180000000ULL
#define PSW_MASK_DAT	0x0400000000000000ULL

/* start.S */
void disabled_wait(uint64_t code) __attribute__((noreturn));
int probe_read(uint64_t va, uint64_t *val);
int probe_write(uint64_t va, uint64_t val);
int probe_ifetch(uint64_t va);
extern char probe_page[], probe_read_insn[], probe_write_insn[], probe_fault[];
extern char pgm_handler[], ext_handler[], other_handler[];
extern char __bss_start[], _end[];

/*
 * struct probe_fault - the program check a probe took.
 * @pic: program-interruption code (low byte: the exception; 0x80 added
 *	for PER, 0x200 for a transaction)
 * @ilc: instruction-length code
 * @teid: the TEID stored at real 168
 * @psw_addr: the old PSW's address
 */
struct probe_fault {
	uint16_t pic;
	uint16_t ilc;
	uint64_t teid;
	uint64_t psw_addr;
};
extern struct probe_fault last_fault;

/* sclp.c: the SCLP console (ASCII console event, and line-mode messages
 * for machines without it). */
void sclp_init(void);
void sclp_write(const char *s, size_t len);

/* print.c */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* main.c: the heap. Allocation never fails quietly: the kernel stops. */
void *heap_alloc(size_t size, size_t align);
size_t heap_mark(void);
void heap_release(size_t mark);
extern const struct gmap_alloc_ops kernel_alloc;

/* main.c: a small xorshift generator, seeded per scenario. */
void rnd_seed(uint64_t seed);
uint64_t rnd(void);
static inline uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* What a check exercises; counted separately in the closing table. */
enum check_kind {
	CK_CREATE,
	CK_LCTLG,
	CK_DAT_FETCH,
	CK_DAT_STORE,
	CK_DAT_IFETCH,
	CK_TEID,
	CK_IPTE,
	CK_IPTE_RANGE,
	CK_IDTE,
	CK_IDTE_ASCE,
	CK_CSPG,
	CK_PTLB,
	CK_SSKE,
	CK_ISKE,
	CK_RRBE,
	CK_NR,
};

/* Record one check; on failure print the message. */
bool check(enum check_kind kind, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record an emulator deviation from the PoP (printed, counted, and not a
 * failure: the check that found it accepts the documented deviation). */
void deviation(enum check_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * struct kctx - what every check group gets.
 * @hw: the s390x backend (the machine)
 * @soft: the soft backend (the model), strict, over the same tables
 * @fac: GMAP_FAC_* in effect on the machine
 * @stfle: the machine's facility list
 */
struct kctx {
	struct gmap_arch *hw;
	struct gmap_arch *soft;
	uint32_t fac;
	uint64_t stfle[4];
};

static inline bool has_facility(const struct kctx *k, unsigned int nr)
{
	return nr < 256 && (k->stfle[nr / 64] & (1ULL << (63 - nr % 64)));
}

/* Real (== absolute) address of kernel memory, DAT off. */
static inline uint64_t real(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* The three check groups. */
void check_dat(struct kctx *k);
void check_tlb(struct kctx *k);
void check_skey(struct kctx *k);

/* space.c: address spaces built with libgmap, shared by the groups. */
gmap_crste_t *space_table(struct kctx *k, enum gmap_dat_tt tt, unsigned int tl);
gmap_pte_t *space_pgtable(struct kctx *k);
void space_map_probe(struct kctx *k, gmap_asce_t asce);
void *frames_alloc(unsigned int n, unsigned int shift);
uint64_t frame_word(uint64_t abs);

#endif /* S390X_KERNEL_H */
