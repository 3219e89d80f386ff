/* SPDX-License-Identifier: MIT */
/*
 * libgmap - the arch backend: table memory, TLB invalidation (IPTE, IDTE,
 * CSP, PTLB), storage keys (SSKE, ISKE, RRBE), the ASCE each CPU runs with,
 * facility bits, and the one allocation hook.
 *
 * A backend is an instance (struct gmap_arch) created from an ops table.
 * The soft backend models the machine in software: a TLB per modelled CPU
 * and a storage-key array. Upper layers call only the gmap_arch_*()
 * functions below, never a backend directly.
 */
#ifndef LIBGMAP_ARCH_H
#define LIBGMAP_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/common.h>
#include <libgmap/dat.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gmap_arch;

/**
 * struct gmap_alloc_ops - the allocation hook; every allocation of the
 * library goes through it.
 * @alloc: return @size bytes aligned to @align (a power of two, at least
 *	sizeof(void *)), or NULL on failure
 * @free: release memory from @alloc; @size is what was asked for
 *
 * The default uses aligned_alloc()/free(). Tests install a hook that fails
 * the Nth call to prove every error path.
 */
struct gmap_alloc_ops {
	void *(*alloc)(void *priv, size_t size, size_t align);
	void (*free)(void *priv, void *ptr, size_t size);
};

/* Flags of gmap_arch_ipte() and gmap_arch_idte(). */
#define GMAP_INV_LOCAL	(1u << 0)	/* local-clearing: purge only @cpu's TLB */
#define GMAP_INV_NODAT	(1u << 1)	/* IDTE: clear TLB only, leave the entry */

/* Flags of gmap_arch_sske(). */
#define GMAP_SSKE_NQ	(1u << 0)	/* nonquiescing: no TLB purge needed */
#define GMAP_SSKE_MR	(1u << 1)	/* reference bit may be left unchanged */
#define GMAP_SSKE_MC	(1u << 2)	/* change bit may be left unchanged */

/* Storage key byte (PoP 3.4.1 "Storage Key"): ACC bits 0-3, F bit 4,
 * R bit 5, C bit 6, of a 7-bit key held in the low bits of a byte. */
#define GMAP_SKEY_ACC_MASK	0xf0
#define GMAP_SKEY_F		0x08
#define GMAP_SKEY_R		0x04
#define GMAP_SKEY_C		0x02

/**
 * struct gmap_arch_opts - options for creating a backend.
 * @sz: sizeof(struct gmap_arch_opts), set by GMAP_OPTS()
 * @alloc: allocation hook (NULL: the default)
 * @alloc_priv: passed to @alloc's callbacks
 * @ncpus: number of CPUs modelled (1 to GMAP_ARCH_MAX_CPUS; 0 means 1)
 * @facilities: GMAP_FAC_* bits the machine offers (0 means: EDAT-1,
 *	EDAT-2, IEP, ESOP-1 and ESOP-2 for the soft backend; what STFLE says on
 *	s390x)
 * @strict: soft backend: answer gmap_arch_translate() from the TLB when it
 *	holds the address, as real hardware may, so a missing IPTE/IDTE shows
 *	up as a stale translation
 * @tlb_entries: soft backend: TLB entries per CPU, a power of two (0
 *	means 256)
 * @table_mem: soft backend: the storage the modelled CPUs' DAT tables are
 *	in, copied at creation (NULL: the backend's own host-native tables).
 *	An emulator points it at guest storage (GMAP_DAT_MEM_BE) to get a TLB
 *	over the guest's own big-endian tables.
 */
struct gmap_arch_opts {
	size_t sz;
	const struct gmap_alloc_ops *alloc;
	void *alloc_priv;
	unsigned int ncpus;
	uint32_t facilities;
	bool strict;
	unsigned int tlb_entries;
	const struct gmap_dat_mem *table_mem;
};

#define GMAP_ARCH_MAX_CPUS	64

/**
 * gmap_arch_soft_create() - create a software-model backend.
 * @opts: options (may be NULL for defaults); @opts->sz must be set
 * @out: out: the new backend
 *
 * Context: allocates through @opts->alloc.
 * Return: 0; -EINVAL for a bad option (ncpus out of range, tlb_entries not
 * a power of two, unknown non-zero bytes past the known fields, EDAT-2
 * without EDAT-1, a table_mem that is neither GMAP_DAT_MEM_HOST nor a
 * GMAP_DAT_MEM_BE image with a base) or a NULL @out; -ENOMEM. *@out is
 * untouched on error.
 */
GMAP_API int gmap_arch_soft_create(const struct gmap_arch_opts *opts, struct gmap_arch **out);

/**
 * gmap_arch_s390x_create() - create the s390x hardware backend.
 * @opts: options (may be NULL for defaults); @opts->sz must be set.
 *	@opts->ncpus must be 0 or 1 (the backend drives the CPU it runs on:
 *	cpu 0 of every call is the calling CPU); @opts->facilities, when
 *	non-zero, replaces the GMAP_FAC_* bits found; @opts->strict,
 *	@opts->tlb_entries and @opts->table_mem must be unset.
 * @out: out: the new backend
 *
 * Issues the real instructions: IPTE (local-clearing and range forms when
 * the machine has them), IDTE, CSPG, PTLB, SSKE, ISKE, RRBE, and loads
 * control register 1 in gmap_arch_load_asce(). The facility bits come from
 * STORE FACILITY LIST EXTENDED and control register 0 (EDAT-1 and IEP
 * count only when turned on there). Tables and frames are real storage:
 * with DAT off a pointer is its real address, with DAT on LOAD REAL
 * ADDRESS gives it; gmap_arch_translate() walks the tables in software,
 * since the machine's TLB cannot be read, and gmap_arch_tlb_lookup() /
 * gmap_arch_tlb_count() return -EOPNOTSUPP. Only in builds for s390x
 * with the backend (meson option arch_backend auto or s390x).
 *
 * Context: supervisor state (a kernel, a bare-metal program); allocates
 * through @opts->alloc.
 * Return: 0; -EPERM in problem state (s390x user space); -EOPNOTSUPP on
 * a build without the s390x backend, or on a machine without the
 * DAT-enhancement facility (IDTE, CSPG); -EINVAL for a NULL @out or a bad
 * option; -ENOMEM. *@out is untouched on error.
 */
GMAP_API int gmap_arch_s390x_create(const struct gmap_arch_opts *opts, struct gmap_arch **out);

/**
 * gmap_arch_create() - create the host's default backend.
 * @opts: as for gmap_arch_soft_create()
 * @out: out: the new backend
 *
 * The soft backend everywhere but on s390x in supervisor state with the
 * s390x backend built in. The environment variable GMAP_ARCH=soft forces the
 * soft backend.
 *
 * Context: allocates.
 * Return: as gmap_arch_soft_create().
 */
GMAP_API int gmap_arch_create(const struct gmap_arch_opts *opts, struct gmap_arch **out);

/**
 * gmap_arch_destroy() - free a backend and everything it still holds.
 * @arch: the backend (NULL is ignored)
 *
 * Tables allocated from it must not be used afterwards.
 *
 * Context: no other thread may use @arch.
 */
GMAP_API void gmap_arch_destroy(struct gmap_arch *arch);

/**
 * gmap_arch_name() - the backend's name.
 * @arch: the backend
 *
 * Return: "soft" or "s390x".
 */
GMAP_API const char *gmap_arch_name(const struct gmap_arch *arch);

/**
 * gmap_arch_facilities() - facility bits of the machine.
 * @arch: the backend
 *
 * Return: GMAP_FAC_* bits.
 */
GMAP_API uint32_t gmap_arch_facilities(const struct gmap_arch *arch);

/**
 * gmap_arch_ncpus() - number of CPUs the backend models.
 * @arch: the backend
 *
 * Return: 1 to GMAP_ARCH_MAX_CPUS.
 */
GMAP_API unsigned int gmap_arch_ncpus(const struct gmap_arch *arch);

/**
 * gmap_arch_alloc() - allocate through the backend's allocation hook.
 * @arch: the backend
 * @size: bytes
 * @align: alignment in bytes, a power of two
 *
 * Context: any thread.
 * Return: zeroed memory, or NULL when the hook fails.
 */
GMAP_API void *gmap_arch_alloc(struct gmap_arch *arch, size_t size, size_t align);

/**
 * gmap_arch_free() - release memory from gmap_arch_alloc().
 * @arch: the backend
 * @ptr: the memory (NULL is ignored)
 * @size: the size it was allocated with
 */
GMAP_API void gmap_arch_free(struct gmap_arch *arch, void *ptr, size_t size);

/**
 * gmap_arch_alloc_crst() - allocate a region or segment table.
 * @arch: the backend
 * @tt: table type (enum gmap_dat_tt); every entry is set invalid with it
 * @tl: table length in 4 KB parts minus one (0-3): 512 to 2048 entries
 *
 * The table is (@tl + 1) * 4 KB, 4 KB aligned, in storage the backend's
 * machine can walk; its real address is gmap_arch_virt_to_real().
 *
 * Context: any thread; allocates.
 * Return: the table, or NULL on allocation failure or bad @tt/@tl.
 */
GMAP_API gmap_crste_t *gmap_arch_alloc_crst(struct gmap_arch *arch, enum gmap_dat_tt tt,
					    unsigned int tl);

/**
 * gmap_arch_free_crst() - free a table from gmap_arch_alloc_crst().
 * @arch: the backend
 * @table: the table (NULL is ignored)
 * @tl: the table length it was allocated with
 */
GMAP_API void gmap_arch_free_crst(struct gmap_arch *arch, gmap_crste_t *table, unsigned int tl);

/**
 * gmap_arch_alloc_pgtable() - allocate a page-table page.
 * @arch: the backend
 *
 * A 4 KB, 4 KB-aligned page: 256 ptes (set invalid) followed by 256
 * 8-byte words for the PGSTEs (zero), as the host's mm uses them.
 *
 * Context: any thread; allocates.
 * Return: the page's ptes, or NULL on allocation failure.
 */
GMAP_API gmap_pte_t *gmap_arch_alloc_pgtable(struct gmap_arch *arch);

/**
 * gmap_arch_free_pgtable() - free a page from gmap_arch_alloc_pgtable().
 * @arch: the backend
 * @pt: the page (NULL is ignored)
 */
GMAP_API void gmap_arch_free_pgtable(struct gmap_arch *arch, gmap_pte_t *pt);

/**
 * gmap_arch_virt_to_real() - real address of library memory.
 * @arch: the backend
 * @ptr: a host pointer into a table or frame
 *
 * Soft backend: the host address itself. s390x backend: LRA/identity.
 *
 * Return: the real address.
 */
GMAP_API uint64_t gmap_arch_virt_to_real(const struct gmap_arch *arch, const void *ptr);

/**
 * gmap_arch_real_to_virt() - host pointer for a real address.
 * @arch: the backend
 * @real: a real address from gmap_arch_virt_to_real()
 *
 * Return: the host pointer.
 */
GMAP_API void *gmap_arch_real_to_virt(const struct gmap_arch *arch, uint64_t real);

/**
 * gmap_arch_table_mem() - how the walker reads this backend's tables.
 * @arch: the backend
 * @mem: out: a descriptor for gmap_dat_translate()
 */
GMAP_API void gmap_arch_table_mem(const struct gmap_arch *arch, struct gmap_dat_mem *mem);

/**
 * gmap_arch_ipte() - INVALIDATE PAGE TABLE ENTRY.
 * @arch: the backend
 * @cpu: the issuing CPU (0 to ncpus - 1)
 * @asce: ASCE whose TLB entries are to be purged (matched by table origin
 *	and designation type); 0 means entries of any ASCE formed through the
 *	pte (the IPTE without the guest-ASCE option)
 * @vaddr: virtual address of the first page (its page index selects the
 *	pte as the hardware does)
 * @ptep: the first pte, in a table from gmap_arch_alloc_pgtable() (or a
 *	host pointer into the soft backend's table_mem image)
 * @nr: number of consecutive ptes (1 to 256, not crossing the table: the
 *	IPTE-range facility form when > 1)
 * @flags: GMAP_INV_LOCAL
 *
 * Sets the invalid bit of each pte and purges from the TLBs of all CPUs
 * (of @cpu only, with GMAP_INV_LOCAL) every entry formed through it
 * (PoP 10, "INVALIDATE PAGE TABLE ENTRY"). Mirrors __ptep_ipte() and
 * __ptep_ipte_range() of arch/s390/include/asm/pgtable.h.
 *
 * Context: any thread; the caller holds the lock that protects the ptes.
 */
GMAP_API void gmap_arch_ipte(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
			     uint64_t vaddr, gmap_pte_t *ptep, unsigned int nr,
			     unsigned int flags);

/**
 * gmap_arch_idte() - INVALIDATE DAT TABLE ENTRY, one region/segment entry.
 * @arch: the backend
 * @cpu: the issuing CPU
 * @asce: ASCE whose TLB entries are purged (0: entries of any ASCE formed
 *	through the entry)
 * @vaddr: a virtual address mapped through the entry
 * @crstep: the entry, in a table from gmap_arch_alloc_crst() (or a host
 *	pointer into the soft backend's table_mem image)
 * @flags: GMAP_INV_LOCAL; GMAP_INV_NODAT to only purge the TLB (the
 *	clearing-by-ASCE-and-entry form without invalidation)
 *
 * Sets the entry's invalid bit (unless NODAT) and purges from the TLBs
 * every entry formed through it, which includes all translations below it
 * (PoP 10, "INVALIDATE DAT TABLE ENTRY"). Mirrors __pmdp_idte() /
 * __pudp_idte().
 *
 * Context: any thread; the caller holds the lock that protects the table.
 */
GMAP_API void gmap_arch_idte(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
			     uint64_t vaddr, gmap_crste_t *crstep, unsigned int flags);

/**
 * gmap_arch_idte_asce() - IDTE clearing by ASCE: purge every TLB entry
 * formed with @asce's table origin.
 * @arch: the backend
 * @cpu: the issuing CPU
 * @asce: the ASCE
 * @flags: GMAP_INV_LOCAL
 *
 * Mirrors __tlb_flush_idte() of arch/s390/include/asm/tlbflush.h.
 */
GMAP_API void gmap_arch_idte_asce(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
				  unsigned int flags);

/**
 * gmap_arch_csp() - COMPARE AND SWAP AND PURGE (CSPG form, 8 bytes).
 * @arch: the backend
 * @cpu: the issuing CPU
 * @ptr: the word (8-byte aligned), usually a table entry
 * @old: expected value
 * @new_val: value to store
 *
 * When *@ptr equals @old, stores @new_val atomically and purges all TLBs of
 * all CPUs (PoP 10, "COMPARE AND SWAP AND PURGE"). The word is compared
 * and stored as it lies in memory: big-endian values for a word in a
 * big-endian table_mem image.
 *
 * Context: any thread.
 * Return: true when the swap happened.
 */
GMAP_API bool gmap_arch_csp(struct gmap_arch *arch, unsigned int cpu, uint64_t *ptr,
			    uint64_t old, uint64_t new_val);

/**
 * gmap_arch_ptlb() - PURGE TLB of one CPU.
 * @arch: the backend
 * @cpu: the CPU
 */
GMAP_API void gmap_arch_ptlb(struct gmap_arch *arch, unsigned int cpu);

/**
 * gmap_arch_load_asce() - load the primary ASCE of a CPU (CR1).
 * @arch: the backend
 * @cpu: the CPU
 * @asce: the ASCE
 *
 * The TLB is not purged: entries are tagged by ASCE, as on the hardware.
 */
GMAP_API void gmap_arch_load_asce(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce);

/**
 * gmap_arch_get_asce() - the primary ASCE a CPU runs with.
 * @arch: the backend
 * @cpu: the CPU
 *
 * Return: the ASCE last loaded with gmap_arch_load_asce() (0 initially).
 */
GMAP_API gmap_asce_t gmap_arch_get_asce(const struct gmap_arch *arch, unsigned int cpu);

/**
 * gmap_arch_translate() - translate as CPU @cpu would, through its TLB.
 * @arch: the backend
 * @cpu: the CPU
 * @vaddr: the virtual address, in the CPU's primary space (its ASCE)
 * @access: enum gmap_dat_access
 * @prefix: the CPU's prefix
 * @res: out: as for gmap_dat_translate()
 *
 * A TLB miss walks the tables (the backend's own host-native tables, or
 * the soft backend's table_mem) and inserts the result; a hit in strict mode answers from the TLB without
 * reading the tables, as the hardware may. Exceptions are not cached.
 *
 * Context: any thread; lock-free against other CPUs' TLBs.
 * Return: 0 with @res filled; -EINVAL for a bad @cpu or @access.
 */
GMAP_API int gmap_arch_translate(struct gmap_arch *arch, unsigned int cpu, uint64_t vaddr,
				 enum gmap_dat_access access, uint64_t prefix,
				 struct gmap_dat_result *res);

/**
 * gmap_arch_tlb_lookup() - look an address up in one CPU's TLB only.
 * @arch: the backend
 * @cpu: the CPU
 * @asce: the ASCE the entry must have been formed with
 * @vaddr: the virtual address
 * @res: out: the cached translation when found, as a fetch with prefix 0
 *	would get it (for a 4 KB page, @res->addr is the pte's real address)
 *
 * For tests and tools: shows what the model's TLB holds.
 *
 * Return: 1 when an entry was found, 0 when not, -EINVAL for a bad @cpu,
 * -EOPNOTSUPP for a backend without a visible TLB.
 */
GMAP_API int gmap_arch_tlb_lookup(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
				  uint64_t vaddr, struct gmap_dat_result *res);

/**
 * gmap_arch_tlb_count() - number of valid entries in a CPU's TLB.
 * @arch: the backend
 * @cpu: the CPU
 *
 * Return: the count, -EINVAL for a bad @cpu, -EOPNOTSUPP without a visible
 * TLB.
 */
GMAP_API int gmap_arch_tlb_count(struct gmap_arch *arch, unsigned int cpu);

/**
 * gmap_arch_sske() - SET STORAGE KEY EXTENDED.
 * @arch: the backend
 * @cpu: the issuing CPU
 * @frame: absolute address of the 4 KB frame (host address in the soft
 *	backend; low 12 bits ignored)
 * @key: the new key (ACC, F, R, C: GMAP_SKEY_*)
 * @flags: GMAP_SSKE_NQ, GMAP_SSKE_MR, GMAP_SSKE_MC
 * @old: out (may be NULL): the key before the instruction (with MR/MC the
 *	conditional form's old key, as SSKE returns it in R1)
 *
 * With MR (MC), the reference (change) bit is left as it is when that is
 * all that would differ; the key is stored only when ACC/F or an
 * unmasked R/C differ (PoP 10, "SET STORAGE KEY EXTENDED", conditional
 * SSKE).
 *
 * Context: any thread.
 * Return: 0; -EINVAL for a bad @cpu or flags; -ENOMEM when the soft
 * backend cannot allocate its key array.
 */
GMAP_API int gmap_arch_sske(struct gmap_arch *arch, unsigned int cpu, uint64_t frame,
			    uint8_t key, unsigned int flags, uint8_t *old);

/**
 * gmap_arch_iske() - INSERT STORAGE KEY EXTENDED.
 * @arch: the backend
 * @frame: absolute address of the frame
 *
 * Return: the 7-bit key (frames never set have key 0).
 */
GMAP_API uint8_t gmap_arch_iske(struct gmap_arch *arch, uint64_t frame);

/**
 * gmap_arch_rrbe() - RESET REFERENCE BIT EXTENDED.
 * @arch: the backend
 * @frame: absolute address of the frame
 *
 * Return: the condition code from the old R and C bits: 0 (R=0, C=0),
 * 1 (R=0, C=1), 2 (R=1, C=0), 3 (R=1, C=1).
 */
GMAP_API int gmap_arch_rrbe(struct gmap_arch *arch, uint64_t frame);

#ifdef __cplusplus
}
#endif

#endif /* LIBGMAP_ARCH_H */
