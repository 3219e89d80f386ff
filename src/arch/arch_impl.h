/* SPDX-License-Identifier: MIT */
/*
 * Internal: the ops table each backend implements, and the instance
 * layout shared by the dispatcher (arch.c) and the backends.
 */
#ifndef GMAP_ARCH_IMPL_H
#define GMAP_ARCH_IMPL_H

#include <libgmap/arch.h>

struct gmap_arch_backend_ops;

/*
 * struct gmap_arch - a backend instance. Backends embed it first in their
 * own state and reach it through container_of-style casts.
 */
struct gmap_arch {
	const struct gmap_arch_backend_ops *ops;
	const struct gmap_alloc_ops *alloc;
	void *alloc_priv;
	unsigned int ncpus;
	uint32_t facilities;
	gmap_asce_t cpu_asce[GMAP_ARCH_MAX_CPUS];
};

/*
 * struct gmap_arch_backend_ops - what a backend does. The dispatcher in
 * arch.c validates arguments (cpu range, flags) before calling these, so
 * backends may assume them valid.
 */
struct gmap_arch_backend_ops {
	const char *name;
	void (*destroy)(struct gmap_arch *arch);
	uint64_t (*virt_to_real)(const struct gmap_arch *arch, const void *ptr);
	void *(*real_to_virt)(const struct gmap_arch *arch, uint64_t real);
	void (*table_mem)(const struct gmap_arch *arch, struct gmap_dat_mem *mem);
	void (*ipte)(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		     uint64_t vaddr, gmap_pte_t *ptep, unsigned int nr, unsigned int flags);
	void (*idte)(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		     uint64_t vaddr, gmap_crste_t *crstep, unsigned int flags);
	void (*idte_asce)(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
			  unsigned int flags);
	bool (*csp)(struct gmap_arch *arch, unsigned int cpu, uint64_t *ptr,
		    uint64_t old, uint64_t new_val);
	void (*ptlb)(struct gmap_arch *arch, unsigned int cpu);
	int (*translate)(struct gmap_arch *arch, unsigned int cpu, uint64_t vaddr,
			 enum gmap_dat_access access, uint64_t prefix,
			 struct gmap_dat_result *res);
	/* Optional: make @asce the CPU's primary ASCE on the machine. */
	void (*load_asce)(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce);
	int (*tlb_lookup)(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
			  uint64_t vaddr, struct gmap_dat_result *res);
	int (*tlb_count)(struct gmap_arch *arch, unsigned int cpu);
	/* Optional: see arch_purge_gen() and arch_purge_count(). */
	const unsigned long *(*purge_gen)(struct gmap_arch *arch, unsigned int cpu);
	const unsigned long *(*purge_count)(struct gmap_arch *arch, unsigned int cpu);
	int (*sske)(struct gmap_arch *arch, unsigned int cpu, uint64_t frame,
		    uint8_t key, unsigned int flags, uint8_t *old);
	uint8_t (*iske)(struct gmap_arch *arch, uint64_t frame);
	int (*rrbe)(struct gmap_arch *arch, uint64_t frame);
};

/* Shared option checks and base initialisation for backend constructors:
 * validates @opts (size, unknown tail bytes, ncpus, facilities) and fills
 * @base. Returns 0 or -EINVAL. */
int arch_init_base(struct gmap_arch *base, const struct gmap_arch_opts *opts,
		   const struct gmap_arch_backend_ops *ops, uint32_t default_facilities);

/* Read an option field only when the caller's struct covers it. */
#define ARCH_OPT(opts, field, dflt)                                            \
	((opts) && (opts)->sz >= offsetof(struct gmap_arch_opts, field) +      \
				     sizeof((opts)->field)                     \
		 ? (opts)->field                                               \
		 : (dflt))

/*
 * Conditional SSKE (PoP 10, "SET STORAGE KEY EXTENDED"): whether @key is
 * stored over @old. Nothing is stored when ACC and F agree and R (C)
 * agrees or MR (MC) lets it differ; without MR and MC this stores whenever
 * anything differs, which is the unconditional form, since storing an
 * equal key changes nothing. Shared by the soft model and the s390x
 * backend's emulation of the form.
 */
static inline bool arch_sske_stores(uint8_t old, uint8_t key, unsigned int flags)
{
	uint8_t diff = old ^ key;

	if (flags & GMAP_SSKE_MR)
		diff &= (uint8_t)~GMAP_SKEY_R;
	if (flags & GMAP_SSKE_MC)
		diff &= (uint8_t)~GMAP_SKEY_C;
	return diff != 0;
}

/*
 * arch_purge_gen() - the purge count of CPU @cpu's TLB, for translation
 * caches kept above the backend (the gmap layer's access cache).
 *
 * Every purge that reaches the CPU's TLB (IPTE, IDTE, CSP, PTLB) bumps
 * the count before it returns, so a translation obtained through
 * gmap_arch_translate() while the count read (acquire) before it is still
 * current may be reused, as the CPU's TLB could still hold it. NULL when
 * the backend offers no such count (the hardware; the soft backend
 * outside strict mode, which re-walks the tables on every translation).
 * @cpu must be valid.
 */
const unsigned long *arch_purge_gen(struct gmap_arch *arch, unsigned int cpu);

/*
 * arch_purge_count() - the same purge count in any mode, for a store that
 * must learn whether its translation was purged while it was under way:
 * the machine's IPTE and IDTE wait for such a store (the quiesce), a
 * model that does not must let the store be redone through a fresh
 * translation. NULL when the backend's invalidations wait (the hardware).
 * @cpu must be valid.
 */
const unsigned long *arch_purge_count(struct gmap_arch *arch, unsigned int cpu);

#endif /* GMAP_ARCH_IMPL_H */
