// SPDX-License-Identifier: MIT
/*
 * The soft backend: a software model of the machine. Real addresses are
 * host virtual addresses, so tables and frames are host memory; each
 * modelled CPU has a TLB (tlb.c) and the machine has storage keys
 * (skey.c).
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>

#include "soft.h"

#define SOFT_TLB_DEFAULT	256

static_assert(sizeof(AO_t) == sizeof(uint64_t),
	      "IPTE, IDTE and CSP update 8-byte table entries as one AO_t");

static size_t soft_entries_size(const struct soft_arch *s)
{
	return (size_t)s->base.ncpus * s->tlb_entries * sizeof(struct soft_tlbe);
}

static void soft_destroy(struct gmap_arch *arch)
{
	struct soft_arch *s = to_soft(arch);

	soft_skeys_free(s);
	gmap_arch_free(arch, s->entries, soft_entries_size(s));
	gmap_arch_free(arch, s, sizeof(*s));
}

static uint64_t soft_virt_to_real(const struct gmap_arch *arch, const void *ptr)
{
	(void)arch;
	return (uint64_t)(uintptr_t)ptr;
}

static void *soft_real_to_virt(const struct gmap_arch *arch, uint64_t real)
{
	(void)arch;
	return (void *)(uintptr_t)real;
}

static void soft_table_mem(const struct gmap_arch *arch, struct gmap_dat_mem *mem)
{
	*mem = ((const struct soft_arch *)arch)->mem;
}

static const struct gmap_arch_backend_ops soft_ops = {
	.name = "soft",
	.destroy = soft_destroy,
	.virt_to_real = soft_virt_to_real,
	.real_to_virt = soft_real_to_virt,
	.table_mem = soft_table_mem,
	.ipte = soft_ipte,
	.idte = soft_idte,
	.idte_asce = soft_idte_asce,
	.csp = soft_csp,
	.ptlb = soft_ptlb,
	.translate = soft_translate,
	.tlb_lookup = soft_tlb_lookup,
	.tlb_count = soft_tlb_count,
	.purge_gen = soft_purge_gen,
	.purge_count = soft_purge_count,
	.sske = soft_sske,
	.iske = soft_iske,
	.rrbe = soft_rrbe,
};

/**
 * gmap_arch_soft_create() - create a software-model backend.
 * @opts: options (may be NULL for defaults); @opts->sz must be set
 * @out: out: the new backend
 *
 * The instance and all CPUs' TLBs are allocated here (two allocations);
 * the storage-key table is allocated by the first gmap_arch_sske() that
 * stores a non-zero key.
 *
 * With @opts->table_mem the CPUs walk that storage (host-native or a
 * big-endian image; IPTE and IDTE then name entries by their host address
 * inside it and set their invalid bits in its byte order).
 *
 * Context: allocates through @opts->alloc.
 * Return: 0; -EINVAL for a NULL @out or a bad option (see
 * arch_init_base(), tlb_entries not a power of two, a table_mem that is
 * not GMAP_DAT_MEM_HOST or a GMAP_DAT_MEM_BE image with a base); -ENOMEM.
 * *@out is untouched on error.
 */
int gmap_arch_soft_create(const struct gmap_arch_opts *opts, struct gmap_arch **out)
{
	const struct gmap_dat_mem *mem = ARCH_OPT(opts, table_mem, NULL);
	struct gmap_arch base;
	struct soft_arch *s;
	unsigned int entries;
	int rc;

	if (!out)
		return -EINVAL;
	rc = arch_init_base(&base, opts, &soft_ops, GMAP_FAC_ALL);
	if (rc)
		return rc;
	entries = ARCH_OPT(opts, tlb_entries, 0u);
	if (entries == 0)
		entries = SOFT_TLB_DEFAULT;
	if (entries & (entries - 1))
		return -EINVAL;
	if (mem && !(mem->kind == GMAP_DAT_MEM_HOST || (mem->kind == GMAP_DAT_MEM_BE && mem->base)))
		return -EINVAL;
	if (entries > SIZE_MAX / sizeof(struct soft_tlbe) / base.ncpus)
		return -ENOMEM;

	s = gmap_arch_alloc(&base, sizeof(*s), _Alignof(struct soft_arch));
	if (!s)
		return -ENOMEM;
	s->base = base;
	s->mem = mem ? *mem : (struct gmap_dat_mem){ .kind = GMAP_DAT_MEM_HOST };
	s->strict = ARCH_OPT(opts, strict, false);
	s->tlb_entries = entries;
	s->ways = entries < SOFT_TLB_WAYS ? entries : SOFT_TLB_WAYS;
	s->set_mask = entries / s->ways - 1;
	s->entries = gmap_arch_alloc(&base, soft_entries_size(s), _Alignof(struct soft_tlbe));
	if (!s->entries) {
		gmap_arch_free(&base, s, sizeof(*s));
		return -ENOMEM;
	}
	for (unsigned int cpu = 0; cpu < base.ncpus; cpu++) {
		s->tlb[cpu].lock = AO_TS_INITIALIZER;
		s->tlb[cpu].e = s->entries + (size_t)cpu * entries;
	}
	s->skeys.lock = AO_TS_INITIALIZER;
	*out = &s->base;
	return 0;
}
