// SPDX-License-Identifier: MIT
/*
 * The s390x backend: the real machine. Tables live in storage the CPU
 * walks itself, invalidation and storage keys are the privileged
 * instructions (inv.c), the ASCE is loaded into control register 1, and
 * the facility bits come from STORE FACILITY LIST EXTENDED and control
 * register 0. Usable only in supervisor state: a bare-metal program, a
 * test kernel under an s390x system emulator, a kernel module.
 *
 * Real addresses: with DAT off (a test kernel) a pointer is its real
 * address; with DAT on (a kernel's identity map) LOAD REAL ADDRESS gives
 * it. Tables must therefore not lie in the prefix area or in real 0-8 KB,
 * where real and absolute addresses differ.
 */
#include <errno.h>

#include "insn.h"
#include "s390x.h"

/**
 * s390x_dat_facilities() - the GMAP_FAC_* bits in effect on a machine.
 * @list: facility list as STFLE stores it
 * @n: doublewords in @list
 * @cr0: control register 0
 *
 * EDAT-1 and IEP count only when installed and turned on in CR0 (PoP 3,
 * "Enhanced-DAT Facility 1"; "Instruction-Execution Protection"); EDAT-2
 * needs EDAT-1. GMAP_FAC_ESOP2, which the walker uses for the TEID's
 * fetch/store indication (bits 52-53), comes from the access-exception
 * fetch/store-indication facility (75); GMAP_FAC_ESOP1 from ESOP-2 (131),
 * which implies ESOP-1: ESOP-1 alone is reported by SCLP, not STFLE, and
 * a caller that knows it passes it in gmap_arch_opts.facilities.
 *
 * Context: any.
 * Return: the GMAP_FAC_* bits.
 */
uint32_t s390x_dat_facilities(const uint64_t *list, unsigned int n, uint64_t cr0)
{
	uint32_t fac = 0;

	if (s390x_fac_test(list, n, S390X_FAC_EDAT1) && (cr0 & S390X_CR0_EDAT1)) {
		fac |= GMAP_FAC_EDAT1;
		if (s390x_fac_test(list, n, S390X_FAC_EDAT2))
			fac |= GMAP_FAC_EDAT2;
	}
	if (s390x_fac_test(list, n, S390X_FAC_IEP) && (cr0 & S390X_CR0_IEP))
		fac |= GMAP_FAC_IEP;
	if (s390x_fac_test(list, n, S390X_FAC_AEFSI))
		fac |= GMAP_FAC_ESOP2;
	if (s390x_fac_test(list, n, S390X_FAC_ESOP2))
		fac |= GMAP_FAC_ESOP1;
	return fac;
}

/**
 * s390x_insn_facilities() - the instruction forms a machine offers.
 * @list: facility list as STFLE stores it
 * @n: doublewords in @list
 *
 * Context: any.
 * Return: the forms (see struct s390x_insn_fac).
 */
struct s390x_insn_fac s390x_insn_facilities(const uint64_t *list, unsigned int n)
{
	struct s390x_insn_fac f = {
		.ipte_range = s390x_fac_test(list, n, S390X_FAC_IPTE_RANGE),
		.local_clear = s390x_fac_test(list, n, S390X_FAC_TLB_LC),
		.cond_sske = s390x_fac_test(list, n, S390X_FAC_CSSKE),
		.nq_key = s390x_fac_test(list, n, S390X_FAC_NQ_KEY),
	};

	return f;
}

/*
 * Whether the CPU runs in supervisor state. A program linked with the C
 * library on Linux is a user-space program whatever EXTRACT PSW says:
 * QEMU's user-mode emulator shows a PSW without the problem-state (and
 * DAT) bits, and a privileged instruction there would end the program.
 */
static bool supervisor_state(void)
{
#if defined(__linux__) && !defined(GMAP_FREESTANDING)
	return false;
#else
	return !(s390x_epsw() & S390X_PSW_PROBLEM);
#endif
}

static void s390x_destroy(struct gmap_arch *arch)
{
	gmap_arch_free(arch, arch, sizeof(struct s390x_arch));
}

static uint64_t s390x_virt_to_real(const struct gmap_arch *arch, const void *ptr)
{
	uint64_t real;

	(void)arch;
	/* LRAG's condition code is 0 for every mapped byte; a pointer the
	 * caller holds is mapped, so any other code means DAT is off. */
	if ((s390x_epsw() & S390X_PSW_DAT) && s390x_lrag(ptr, &real) == 0)
		return real;
	return (uint64_t)(uintptr_t)ptr;
}

static void *s390x_real_to_virt(const struct gmap_arch *arch, uint64_t real)
{
	(void)arch;
	/* DAT off or an identity map: the same number. */
	return (void *)(uintptr_t)real;
}

static void s390x_table_mem(const struct gmap_arch *arch, struct gmap_dat_mem *mem)
{
	(void)arch;
	/* The tables are host-native (big-endian) words at their real
	 * addresses, which are pointers under DAT off or an identity map. */
	*mem = (struct gmap_dat_mem){ .kind = GMAP_DAT_MEM_HOST };
}

static int s390x_translate(struct gmap_arch *arch, unsigned int cpu, uint64_t vaddr,
			   enum gmap_dat_access access, uint64_t prefix,
			   struct gmap_dat_result *res)
{
	struct gmap_dat_request req = {
		.access = access,
		.as = GMAP_AS_PRIMARY,
		.facilities = arch->facilities,
		.prefix = prefix,
	};
	struct gmap_dat_mem mem;

	/* The machine's TLB cannot be read: walk the tables as the CPU
	 * would after a purge. */
	s390x_table_mem(arch, &mem);
	return gmap_dat_translate(&mem, arch->cpu_asce[cpu], vaddr, &req, res);
}

static void s390x_load_asce(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce)
{
	(void)arch;
	(void)cpu;
	s390x_lctlg_cr1(asce.val);
}

static const struct gmap_arch_backend_ops s390x_ops = {
	.name = "s390x",
	.destroy = s390x_destroy,
	.virt_to_real = s390x_virt_to_real,
	.real_to_virt = s390x_real_to_virt,
	.table_mem = s390x_table_mem,
	.ipte = s390x_ipte_op,
	.idte = s390x_idte_op,
	.idte_asce = s390x_idte_asce_op,
	.csp = s390x_csp_op,
	.ptlb = s390x_ptlb_op,
	.translate = s390x_translate,
	.load_asce = s390x_load_asce,
	.sske = s390x_sske_op,
	.iske = s390x_iske_op,
	.rrbe = s390x_rrbe_op,
};

/**
 * gmap_arch_s390x_create() - create the s390x hardware backend.
 * @opts: options (may be NULL); @opts->sz must be set
 * @out: out: the new backend
 *
 * Reads the facility list (STFLE) and control register 0. The backend
 * drives the CPU it runs on: @opts->ncpus must be 0 or 1, and "cpu" 0 of
 * every call is the calling CPU. @opts->facilities, when non-zero,
 * replaces the GMAP_FAC_* bits found (ESOP-1 is not in the facility list).
 * @opts->strict, @opts->tlb_entries and @opts->table_mem must be unset:
 * the machine's TLB is its own and its tables are in real storage.
 *
 * Context: supervisor state; allocates through @opts->alloc.
 * Return: 0; -EPERM in problem state, and in any program linked with the
 * C library on Linux (s390x user space: use the soft backend); -EOPNOTSUPP without the DAT-enhancement facility (IDTE,
 * CSPG); -EINVAL for a NULL @out or a bad option; -ENOMEM. *@out is
 * untouched on error.
 */
int gmap_arch_s390x_create(const struct gmap_arch_opts *opts, struct gmap_arch **out)
{
	uint64_t list[S390X_STFLE_WORDS] = { 0 };
	struct gmap_arch base;
	struct s390x_arch *s;
	unsigned int n;
	int rc;

	if (!out)
		return -EINVAL;
	/* Checked first: STCTG below is privileged. */
	if (!supervisor_state())
		return -EPERM;
	n = s390x_stfle(list, S390X_STFLE_WORDS);
	if (n > S390X_STFLE_WORDS)
		n = S390X_STFLE_WORDS;
	if (!s390x_fac_test(list, n, S390X_FAC_DATE))
		return -EOPNOTSUPP;
	rc = arch_init_base(&base, opts, &s390x_ops,
			    s390x_dat_facilities(list, n, s390x_stctg_cr0()));
	if (rc)
		return rc;
	if (base.ncpus != 1 || ARCH_OPT(opts, strict, false) ||
	    ARCH_OPT(opts, tlb_entries, 0u) || ARCH_OPT(opts, table_mem, NULL))
		return -EINVAL;

	s = gmap_arch_alloc(&base, sizeof(*s), _Alignof(struct s390x_arch));
	if (!s)
		return -ENOMEM;
	s->base = base;
	s->insn = s390x_insn_facilities(list, n);
	*out = &s->base;
	return 0;
}
