// SPDX-License-Identifier: MIT
/*
 * The backend dispatcher: argument checks, the allocation hook, table
 * allocation, and calls into the backend's ops table.
 */
#include <errno.h>
#include <string.h>

#include "arch_impl.h"

#ifdef GMAP_FREESTANDING
/* No libc: the caller's allocation hook is the only allocator. */
#define DEFAULT_ALLOC_OPS	NULL
#else
#include <stdlib.h>

#define DEFAULT_ALLOC_OPS	(&default_alloc_ops)

static void *default_alloc(void *priv, size_t size, size_t align)
{
	(void)priv;
	/* aligned_alloc() wants a size that is a multiple of the alignment. */
	return aligned_alloc(align, (size + align - 1) & ~(align - 1));
}

static void default_free(void *priv, void *ptr, size_t size)
{
	(void)priv;
	(void)size;
	free(ptr);
}

static const struct gmap_alloc_ops default_alloc_ops = {
	.alloc = default_alloc,
	.free = default_free,
};
#endif

static size_t fix_align(size_t align)
{
	return align < sizeof(void *) ? sizeof(void *) : align;
}

int arch_init_base(struct gmap_arch *base, const struct gmap_arch_opts *opts,
		   const struct gmap_arch_backend_ops *ops, uint32_t default_facilities)
{
	unsigned int ncpus;
	uint32_t fac;
	const struct gmap_alloc_ops *alloc = ARCH_OPT(opts, alloc, NULL);

	if (!alloc)
		alloc = DEFAULT_ALLOC_OPS;
	if (!alloc)
		return -EINVAL;
	if (opts) {
		const unsigned char *p = (const unsigned char *)opts;

		if (opts->sz < sizeof(size_t))
			return -EINVAL;
		/* A newer caller's fields we do not know must be zero. */
		for (size_t i = sizeof(*opts); i < opts->sz; i++)
			if (p[i])
				return -EINVAL;
	}
	ncpus = ARCH_OPT(opts, ncpus, 0u);
	if (ncpus == 0)
		ncpus = 1;
	if (ncpus > GMAP_ARCH_MAX_CPUS)
		return -EINVAL;
	fac = ARCH_OPT(opts, facilities, 0u);
	if (fac == 0)
		fac = default_facilities;
	if ((fac & ~GMAP_FAC_ALL) || ((fac & GMAP_FAC_EDAT2) && !(fac & GMAP_FAC_EDAT1)))
		return -EINVAL;

	memset(base, 0, sizeof(*base));
	base->ops = ops;
	base->alloc = alloc;
	base->alloc_priv = ARCH_OPT(opts, alloc_priv, NULL);
	base->ncpus = ncpus;
	base->facilities = fac;
	return 0;
}

int gmap_arch_create(const struct gmap_arch_opts *opts, struct gmap_arch **out)
{
#ifdef GMAP_HAVE_S390X_BACKEND
	int rc;

#ifndef GMAP_FREESTANDING
	const char *env = getenv("GMAP_ARCH");

	if (env && strcmp(env, "soft") == 0)
		return gmap_arch_soft_create(opts, out);
#endif
	/* The hardware in supervisor state; the model in problem state
	 * (-EPERM) or on a machine without the facilities it needs. */
	rc = gmap_arch_s390x_create(opts, out);
	if (rc != -EPERM && rc != -EOPNOTSUPP)
		return rc;
#endif
	return gmap_arch_soft_create(opts, out);
}

void gmap_arch_destroy(struct gmap_arch *arch)
{
	if (arch)
		arch->ops->destroy(arch);
}

const char *gmap_arch_name(const struct gmap_arch *arch)
{
	return arch->ops->name;
}

uint32_t gmap_arch_facilities(const struct gmap_arch *arch)
{
	return arch->facilities;
}

unsigned int gmap_arch_ncpus(const struct gmap_arch *arch)
{
	return arch->ncpus;
}

void *gmap_arch_alloc(struct gmap_arch *arch, size_t size, size_t align)
{
	void *p = arch->alloc->alloc(arch->alloc_priv, size, fix_align(align));

	if (p)
		memset(p, 0, size);
	return p;
}

void gmap_arch_free(struct gmap_arch *arch, void *ptr, size_t size)
{
	if (ptr)
		arch->alloc->free(arch->alloc_priv, ptr, size);
}

gmap_crste_t *gmap_arch_alloc_crst(struct gmap_arch *arch, enum gmap_dat_tt tt, unsigned int tl)
{
	size_t n = (size_t)(tl + 1) * GMAP_CRST_ENTRIES_PER_PART;
	gmap_crste_t *t;

	if ((unsigned int)tt > GMAP_TT_REGION1 || tl > 3)
		return NULL;
	t = gmap_arch_alloc(arch, n * sizeof(*t), GMAP_CRST_PART_SIZE);
	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++)
		t[i].val = GMAP_CRSTE_I | ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT);
	return t;
}

void gmap_arch_free_crst(struct gmap_arch *arch, gmap_crste_t *table, unsigned int tl)
{
	gmap_arch_free(arch, table, (size_t)(tl + 1) * GMAP_CRST_PART_SIZE);
}

gmap_pte_t *gmap_arch_alloc_pgtable(struct gmap_arch *arch)
{
	gmap_pte_t *pt = gmap_arch_alloc(arch, 2 * GMAP_PT_SIZE, 2 * GMAP_PT_SIZE);

	if (!pt)
		return NULL;
	for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
		pt[i].val = GMAP_PTE_I;
	return pt;
}

void gmap_arch_free_pgtable(struct gmap_arch *arch, gmap_pte_t *pt)
{
	gmap_arch_free(arch, pt, 2 * GMAP_PT_SIZE);
}

uint64_t gmap_arch_virt_to_real(const struct gmap_arch *arch, const void *ptr)
{
	return arch->ops->virt_to_real(arch, ptr);
}

void *gmap_arch_real_to_virt(const struct gmap_arch *arch, uint64_t real)
{
	return arch->ops->real_to_virt(arch, real);
}

void gmap_arch_table_mem(const struct gmap_arch *arch, struct gmap_dat_mem *mem)
{
	arch->ops->table_mem(arch, mem);
}

static bool bad_cpu(const struct gmap_arch *arch, unsigned int cpu)
{
	return cpu >= arch->ncpus;
}

void gmap_arch_ipte(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		    uint64_t vaddr, gmap_pte_t *ptep, unsigned int nr, unsigned int flags)
{
	/* A bad call is a caller bug; do nothing rather than corrupt state. */
	if (bad_cpu(arch, cpu) || !ptep || nr == 0 || nr > GMAP_PT_ENTRIES ||
	    GMAP_VA_PX(vaddr) + nr > GMAP_PT_ENTRIES || (flags & ~GMAP_INV_LOCAL))
		return;
	arch->ops->ipte(arch, cpu, asce, vaddr, ptep, nr, flags);
}

void gmap_arch_idte(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		    uint64_t vaddr, gmap_crste_t *crstep, unsigned int flags)
{
	if (bad_cpu(arch, cpu) || !crstep || (flags & ~(GMAP_INV_LOCAL | GMAP_INV_NODAT)))
		return;
	arch->ops->idte(arch, cpu, asce, vaddr, crstep, flags);
}

void gmap_arch_idte_asce(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
			 unsigned int flags)
{
	if (bad_cpu(arch, cpu) || (flags & ~GMAP_INV_LOCAL))
		return;
	arch->ops->idte_asce(arch, cpu, asce, flags);
}

bool gmap_arch_csp(struct gmap_arch *arch, unsigned int cpu, uint64_t *ptr, uint64_t old,
		   uint64_t new_val)
{
	if (bad_cpu(arch, cpu) || !ptr)
		return false;
	return arch->ops->csp(arch, cpu, ptr, old, new_val);
}

void gmap_arch_ptlb(struct gmap_arch *arch, unsigned int cpu)
{
	if (!bad_cpu(arch, cpu))
		arch->ops->ptlb(arch, cpu);
}

void gmap_arch_load_asce(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce)
{
	if (bad_cpu(arch, cpu))
		return;
	arch->cpu_asce[cpu] = asce;
	if (arch->ops->load_asce)
		arch->ops->load_asce(arch, cpu, asce);
}

gmap_asce_t gmap_arch_get_asce(const struct gmap_arch *arch, unsigned int cpu)
{
	gmap_asce_t none = { 0 };

	return bad_cpu(arch, cpu) ? none : arch->cpu_asce[cpu];
}

int gmap_arch_translate(struct gmap_arch *arch, unsigned int cpu, uint64_t vaddr,
			enum gmap_dat_access access, uint64_t prefix, struct gmap_dat_result *res)
{
	if (bad_cpu(arch, cpu) || (unsigned int)access > GMAP_DAT_IFETCH || !res)
		return -EINVAL;
	return arch->ops->translate(arch, cpu, vaddr, access, prefix, res);
}

const unsigned long *arch_purge_gen(struct gmap_arch *arch, unsigned int cpu)
{
	return arch->ops->purge_gen ? arch->ops->purge_gen(arch, cpu) : NULL;
}

const unsigned long *arch_purge_count(struct gmap_arch *arch, unsigned int cpu)
{
	return arch->ops->purge_count ? arch->ops->purge_count(arch, cpu) : NULL;
}

int gmap_arch_tlb_lookup(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
			 uint64_t vaddr, struct gmap_dat_result *res)
{
	if (bad_cpu(arch, cpu) || !res)
		return -EINVAL;
	if (!arch->ops->tlb_lookup)
		return -EOPNOTSUPP;
	return arch->ops->tlb_lookup(arch, cpu, asce, vaddr, res);
}

int gmap_arch_tlb_count(struct gmap_arch *arch, unsigned int cpu)
{
	if (bad_cpu(arch, cpu))
		return -EINVAL;
	if (!arch->ops->tlb_count)
		return -EOPNOTSUPP;
	return arch->ops->tlb_count(arch, cpu);
}

int gmap_arch_sske(struct gmap_arch *arch, unsigned int cpu, uint64_t frame, uint8_t key,
		   unsigned int flags, uint8_t *old)
{
	if (bad_cpu(arch, cpu) || (flags & ~(GMAP_SSKE_NQ | GMAP_SSKE_MR | GMAP_SSKE_MC)))
		return -EINVAL;
	return arch->ops->sske(arch, cpu, frame, key & 0xfe, flags, old);
}

uint8_t gmap_arch_iske(struct gmap_arch *arch, uint64_t frame)
{
	return arch->ops->iske(arch, frame);
}

int gmap_arch_rrbe(struct gmap_arch *arch, uint64_t frame)
{
	return arch->ops->rrbe(arch, frame);
}
