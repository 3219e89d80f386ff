/* SPDX-License-Identifier: MIT */
/*
 * Internal: the soft backend's state, shared by soft.c (instance, ops
 * table), tlb.c (the per-CPU TLB model, IPTE / IDTE / CSP / PTLB, the
 * translate op) and skey.c (storage keys).
 */
#ifndef GMAP_ARCH_SOFT_H
#define GMAP_ARCH_SOFT_H

#include <atomic_ops.h>

#include "spin.h"

#include "arch/arch_impl.h"

/* Most entries a walk reads: ASCE-designated region-first table down to
 * the page table. */
#define SOFT_PATH_MAX	5

/*
 * struct soft_tlbe - one TLB entry: the translation of one page or large
 * frame, formed with one ASCE. The fields a hit reads come first.
 * @tag: first virtual address covered (aligned to 1 << shift) plus the
 *	shift: 12 (page), 20 (EDAT-1 segment frame) or 31 (EDAT-2
 *	region-third frame); 0 when the entry holds no translation
 * @asce: the ASCE the entry was formed with (all bits)
 * @frame: frame base: the pte's real address for a page (prefixing is
 *	applied on use, with the translating CPU's prefix), the absolute
 *	address of an EDAT frame
 * @level: the leaf's level (GMAP_LEVEL_PAGE, GMAP_TT_SEGMENT or
 *	GMAP_TT_REGION3)
 * @prot: DAT protection on the path
 * @iep: instruction-execution protection applies
 * @accf: the frame entry supplied @acc and @fp
 * @fp: fetch-protection bit of an EDAT frame entry
 * @acc: access-control bits of an EDAT frame entry
 * @n: number of table entries the translation was formed through
 * @addr: host (== absolute) address of each table entry used, walk order
 */
struct soft_tlbe {
	uint64_t tag;
	uint64_t asce;
	uint64_t frame;
	int8_t level;
	bool prot;
	bool iep;
	bool accf;
	bool fp;
	uint8_t acc;
	uint8_t n;
	uint64_t addr[SOFT_PATH_MAX];
};

/* The parts of a tag. */
#define SOFT_TAG_SHIFT_MASK	0x3fULL

static inline unsigned int soft_tag_shift(uint64_t tag)
{
	return (unsigned int)(tag & SOFT_TAG_SHIFT_MASK);
}

static inline uint64_t soft_tag_vbase(uint64_t tag)
{
	return tag & ~SOFT_TAG_SHIFT_MASK;
}

/* Words of a TLB's path filter (64 bits each). */
#define SOFT_PATH_FILTER_WORDS	4

/* Ways of a TLB set (fewer when the TLB is smaller). */
#define SOFT_TLB_WAYS	4

/*
 * struct soft_tlb - the TLB of one modelled CPU, set-associative: a
 * translation's set comes from its virtual frame number alone, so which
 * entries compete for a set does not depend on where tables lie in host
 * memory; entries are tagged with their ASCE.
 * @lock: spin lock, held to change entries and to purge
 * @seq: sequence count of entry changes, odd while a holder of @lock
 *	changes entries: a strict-mode hit reads an entry without the lock and
 *	keeps it only if @seq was even and unchanged around the read
 * @gen: purge count, bumped under @lock by every purge (read without it
 *	by arch_purge_gen() users); a translation inserts its walk only if no
 *	purge ran since the walk began, so an IPTE/IDTE that raced with the
 *	walk cannot leave a stale entry behind
 * @victim: round-robin counter choosing the way replaced in a full set
 * @paths: a filter of the 2 KB blocks of the table entries that valid
 *	entries were formed through (a hash bit per block): every such
 *	block's bit is set, bits of entries since gone may stay until a
 *	purge rescans the TLB. An IPTE or IDTE naming table entries whose
 *	blocks have no bit set finds nothing to remove, without a scan.
 * @e: the entries (struct soft_arch.tlb_entries of them), set by set
 *
 * Aligned to a cache line so CPUs do not share their lock's line.
 */
struct soft_tlb {
	_Alignas(64) AO_TS_t lock;
	unsigned long seq;
	unsigned long gen;
	unsigned int victim;
	uint64_t paths[SOFT_PATH_FILTER_WORDS];
	struct soft_tlbe *e;
};

/*
 * struct soft_skey_slot - one frame's storage key in the key table.
 * @pfn1: absolute frame number (address >> 12) plus one; 0: slot empty
 * @key: the key byte (GMAP_SKEY_*)
 */
struct soft_skey_slot {
	uint64_t pfn1;
	uint8_t key;
};

/*
 * struct soft_skeys - storage keys: an open-addressing (linear probing)
 * hash table keyed by frame number, grown by doubling at half load.
 * @lock: spin lock over the table
 * @slots: the table (NULL until the first non-zero key is stored)
 * @bits: log2 of the number of slots
 * @used: occupied slots
 */
struct soft_skeys {
	AO_TS_t lock;
	struct soft_skey_slot *slots;
	unsigned int bits;
	size_t used;
};

/*
 * struct soft_arch - a soft backend instance.
 * @base: the dispatcher's part; first, so a struct gmap_arch * is one of us
 * @mem: where the modelled CPUs' tables are: host-native by default, or
 *	the storage named by gmap_arch_opts.table_mem (HOST or BE)
 * @strict: answer translations from the TLB on a hit
 * @tlb_entries: entries per CPU TLB, a power of two
 * @ways: entries per set: SOFT_TLB_WAYS, or @tlb_entries when smaller
 * @set_mask: number of sets minus one (@tlb_entries / @ways is a power of
 *	two)
 * @entries: all CPUs' TLB entries, one block (ncpus * @tlb_entries)
 * @skeys: the storage keys
 * @tlb: per-CPU TLBs (base.ncpus of them)
 */
struct soft_arch {
	struct gmap_arch base;
	struct gmap_dat_mem mem;
	bool strict;
	unsigned int tlb_entries;
	unsigned int ways;
	unsigned int set_mask;
	struct soft_tlbe *entries;
	struct soft_skeys skeys;
	struct soft_tlb tlb[GMAP_ARCH_MAX_CPUS];
};

static inline struct soft_arch *to_soft(struct gmap_arch *arch)
{
	return (struct soft_arch *)arch;
}

/* The absolute address, in the CPUs' table storage, of the table entry at
 * host address @p: what a TLB entry records of the entries it was formed
 * through. */
static inline uint64_t soft_entry_addr(const struct soft_arch *s, const void *p)
{
	if (s->mem.kind == GMAP_DAT_MEM_BE)
		return (uint64_t)((uintptr_t)p - (uintptr_t)s->mem.base);
	return (uint64_t)(uintptr_t)p;
}

/* @bit of a table entry as it lies in the CPUs' table storage. */
static inline uint64_t soft_entry_bit(const struct soft_arch *s, uint64_t bit)
{
	bool swap = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && s->mem.kind == GMAP_DAT_MEM_BE;

	return swap ? __builtin_bswap64(bit) : bit;
}

/* tlb.c: the ops that touch the TLB. */
void soft_ipte(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce, uint64_t vaddr,
	       gmap_pte_t *ptep, unsigned int nr, unsigned int flags);
void soft_idte(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce, uint64_t vaddr,
	       gmap_crste_t *crstep, unsigned int flags);
void soft_idte_asce(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		    unsigned int flags);
bool soft_csp(struct gmap_arch *arch, unsigned int cpu, uint64_t *ptr, uint64_t old,
	      uint64_t new_val);
void soft_ptlb(struct gmap_arch *arch, unsigned int cpu);
int soft_translate(struct gmap_arch *arch, unsigned int cpu, uint64_t vaddr,
		   enum gmap_dat_access access, uint64_t prefix, struct gmap_dat_result *res);
int soft_tlb_lookup(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		    uint64_t vaddr, struct gmap_dat_result *res);
int soft_tlb_count(struct gmap_arch *arch, unsigned int cpu);
const unsigned long *soft_purge_gen(struct gmap_arch *arch, unsigned int cpu);
const unsigned long *soft_purge_count(struct gmap_arch *arch, unsigned int cpu);

/* skey.c: storage keys. */
int soft_sske(struct gmap_arch *arch, unsigned int cpu, uint64_t frame, uint8_t key,
	      unsigned int flags, uint8_t *old);
uint8_t soft_iske(struct gmap_arch *arch, uint64_t frame);
int soft_rrbe(struct gmap_arch *arch, uint64_t frame);
void soft_skeys_free(struct soft_arch *s);

#endif /* GMAP_ARCH_SOFT_H */
