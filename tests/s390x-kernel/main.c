// SPDX-License-Identifier: MIT
/*
 * The test kernel's main program: interruption setup, the heap behind the
 * allocation hook, the check accounting, and the run: the s390x backend
 * (the machine) and the soft backend (the model) are created, CR1 loading
 * is checked, then the DAT, TLB and storage-key groups run; the kernel
 * prints a table of checks per instruction, "N passed, N failed", and
 * stops in a disabled wait (code 0 when all passed, 1 otherwise).
 */
#include <string.h>

#include "kernel.h"

/* Storage the heap may use: the emulators run the kernel with 128 MB. */
#define HEAP_TOP	(96ULL << 20)

/* Failures and deviations printed in full; the rest are only counted. */
#define PRINT_MAX	40

struct probe_fault last_fault;

static uint64_t heap_cur;
static uint64_t rnd_state;
static unsigned int passed[CK_NR], failed[CK_NR], deviations[CK_NR];
static unsigned int printed;

static const char *const kind_name[CK_NR] = {
	[CK_CREATE] = "backend selection",
	[CK_LCTLG] = "LCTLG (CR1)",
	[CK_DAT_FETCH] = "DAT fetch",
	[CK_DAT_STORE] = "DAT store",
	[CK_DAT_IFETCH] = "DAT instruction fetch",
	[CK_TEID] = "TEID",
	[CK_IPTE] = "IPTE",
	[CK_IPTE_RANGE] = "IPTE range",
	[CK_IDTE] = "IDTE",
	[CK_IDTE_ASCE] = "IDTE clearing by ASCE",
	[CK_CSPG] = "CSPG",
	[CK_PTLB] = "PTLB",
	[CK_SSKE] = "SSKE",
	[CK_ISKE] = "ISKE",
	[CK_RRBE] = "RRBE",
};

/**
 * pgm_check() - a program check, called by pgm_handler with DAT off.
 *
 * A program check while DAT was on came from a probe (nothing else runs
 * with DAT on): it is recorded in last_fault and the probe resumes at
 * probe_fault with DAT off. Anything else is a bug of the kernel.
 *
 * Context: interruption handler; stops the kernel on an unexpected check.
 */
void pgm_check(void)
{
	volatile uint64_t *old = (volatile uint64_t *)LC_PGM_OLD;

	if (!(old[0] & PSW_MASK_DAT)) {
		kprintf("unexpected program check 0x%x at 0x%lx\n",
			*(volatile uint16_t *)LC_PGM_CODE, (unsigned long)old[1]);
		disabled_wait(0xbad);
	}
	last_fault.pic = *(volatile uint16_t *)LC_PGM_CODE;
	last_fault.ilc = *(volatile uint16_t *)LC_PGM_ILC;
	last_fault.teid = *(volatile uint64_t *)LC_TEID;
	last_fault.psw_addr = old[1];
	old[0] &= ~PSW_MASK_DAT;
	old[1] = real(probe_fault);
}

/**
 * heap_alloc() - take storage from the arena.
 * @size: bytes
 * @align: alignment, a power of two
 *
 * Context: DAT off; stops the kernel (disabled wait 0xe0e0) when the heap
 * is exhausted.
 * Return: the storage (not cleared).
 */
void *heap_alloc(size_t size, size_t align)
{
	uint64_t p = (heap_cur + align - 1) & ~(uint64_t)(align - 1);

	if (p + size > HEAP_TOP || p + size < p) {
		kprintf("out of memory: %zu bytes\n", size);
		disabled_wait(0xe0e0);
	}
	heap_cur = p + size;
	return (void *)(uintptr_t)p;
}

/**
 * heap_mark() - where the arena stands, for heap_release().
 *
 * Return: the mark.
 */
size_t heap_mark(void)
{
	return (size_t)heap_cur;
}

/**
 * heap_release() - give back everything allocated since @mark.
 * @mark: from heap_mark()
 */
void heap_release(size_t mark)
{
	heap_cur = mark;
}

static void *hook_alloc(void *priv, size_t size, size_t align)
{
	(void)priv;
	return heap_alloc(size, align);
}

static void hook_free(void *priv, void *ptr, size_t size)
{
	/* The heap is an arena: each scenario releases it whole. */
	(void)priv;
	(void)ptr;
	(void)size;
}

const struct gmap_alloc_ops kernel_alloc = {
	.alloc = hook_alloc,
	.free = hook_free,
};

/**
 * rnd_seed() - restart the generator.
 * @seed: the scenario's number
 */
void rnd_seed(uint64_t seed)
{
	rnd_state = seed * 0x9e3779b97f4a7c15ULL + 1;
}

/**
 * rnd() - the next pseudo-random number (xorshift64*).
 *
 * Return: 64 random bits.
 */
uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

/**
 * check() - count one check of @kind; print @fmt when it failed.
 * @kind: what the check exercises
 * @ok: whether it passed
 * @fmt: printf format of the failure message
 * @...: its arguments
 *
 * Return: @ok.
 */
bool check(enum check_kind kind, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed[kind]++;
		return true;
	}
	failed[kind]++;
	if (printed++ < PRINT_MAX) {
		kprintf("FAIL %s: ", kind_name[kind]);
		va_start(ap, fmt);
		kvprintf(fmt, ap);
		va_end(ap);
		kprintf("\n");
	}
	return false;
}

/**
 * deviation() - count an emulator departure from the PoP that a check
 * accepted; the first three of each kind are printed.
 * @kind: what the check exercises
 * @fmt: printf format of the message (with the PoP reference)
 * @...: its arguments
 */
void deviation(enum check_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (deviations[kind]++ < 3) {
		kprintf("DEVIATION %s: ", kind_name[kind]);
		va_start(ap, fmt);
		kvprintf(fmt, ap);
		va_end(ap);
		kprintf("\n");
	}
}

static void set_new_psw(uint64_t lc, const char *handler)
{
	volatile uint64_t *psw = (volatile uint64_t *)(uintptr_t)lc;

	psw[0] = PSW_MASK_KERNEL;
	psw[1] = real(handler);
}

static uint64_t stctg_cr1(void)
{
	uint64_t cr1;

	__asm__ volatile("stctg 1,1,%0" : "=Q"(cr1));
	return cr1;
}

static void print_facilities(const struct kctx *k)
{
	static const struct {
		unsigned int nr;
		const char *name;
	} fac[] = {
		{ 3, "DAT-enhancement (IDTE, CSPG)" }, { 4, "IDTE segment" },
		{ 5, "IDTE region" }, { 8, "EDAT-1" }, { 10, "conditional SSKE" },
		{ 13, "IPTE range" }, { 14, "nonquiescing key setting" },
		{ 51, "local TLB clearing" }, { 75, "access-exception fetch/store" },
		{ 78, "EDAT-2" }, { 130, "IEP" }, { 131, "ESOP-2" },
	};

	kprintf("facility list %016lx %016lx %016lx\n", (unsigned long)k->stfle[0],
		(unsigned long)k->stfle[1], (unsigned long)k->stfle[2]);
	for (size_t i = 0; i < sizeof(fac) / sizeof(fac[0]); i++)
		kprintf("  facility %3u %-30s %s\n", fac[i].nr, fac[i].name,
			has_facility(k, fac[i].nr) ? "yes" : "no");
	kprintf("GMAP_FAC in effect: 0x%x (EDAT-1 %s, EDAT-2 %s, IEP %s)\n", k->fac,
		k->fac & GMAP_FAC_EDAT1 ? "on" : "off", k->fac & GMAP_FAC_EDAT2 ? "on" : "off",
		k->fac & GMAP_FAC_IEP ? "on" : "off");
}

/* Turn on in CR0 what the machine has: EDAT-1 (bit 40), IEP (bit 43). */
static void enable_cr0(const struct kctx *k)
{
	uint64_t cr0;

	__asm__ volatile("stctg 0,0,%0" : "=Q"(cr0));
	if (has_facility(k, 8))
		cr0 |= 1ULL << (63 - 40);
	if (has_facility(k, 130))
		cr0 |= 1ULL << (63 - 43);
	__asm__ volatile("lctlg 0,0,%0" : : "Q"(cr0));
}

static void create_backends(struct kctx *k)
{
	struct gmap_arch_opts hw_opts = GMAP_OPTS(gmap_arch_opts, .alloc = &kernel_alloc);
	struct gmap_arch *def = NULL;
	register unsigned long r0 __asm__("0") = 3;
	int rc;

	/* STORE FACILITY LIST EXTENDED (B2B0, S), newer than -march=z900. */
	__asm__ volatile(".insn s,0xb2b00000,%0" : "=Q"(k->stfle), "+d"(r0) : : "cc");
	enable_cr0(k);
	rc = gmap_arch_s390x_create(&hw_opts, &k->hw);
	if (rc) {
		kprintf("gmap_arch_s390x_create: %d\n", rc);
		disabled_wait(0xbad1);
	}
	k->fac = gmap_arch_facilities(k->hw);
	print_facilities(k);

	/* In supervisor state the default backend is the machine. */
	rc = gmap_arch_create(&hw_opts, &def);
	check(CK_CREATE, rc == 0 && strcmp(gmap_arch_name(def), "s390x") == 0,
	      "gmap_arch_create() in supervisor state: %d", rc);
	gmap_arch_destroy(def);

	/* The model, with the machine's DAT facilities (0 would mean all of
	 * them, so a machine with none gets ESOP-1 alone, which changes no
	 * translation or TEID the walker computes). */
	struct gmap_arch_opts soft_opts = GMAP_OPTS(gmap_arch_opts, .alloc = &kernel_alloc,
		.strict = true, .facilities = k->fac ? k->fac : GMAP_FAC_ESOP1);
	rc = gmap_arch_soft_create(&soft_opts, &k->soft);
	if (rc) {
		kprintf("gmap_arch_soft_create: %d\n", rc);
		disabled_wait(0xbad2);
	}
}

/* gmap_arch_load_asce() on the machine is LCTLG: CR1 reads back. */
static void check_lctlg(struct kctx *k)
{
	for (unsigned int i = 0; i < 16; i++) {
		gmap_asce_t a = gmap_asce_mk(0x100000ULL * (i + 1), (enum gmap_dat_tt)(i & 3),
					     i >> 2, i & 1 ? GMAP_ASCE_P : 0);

		gmap_arch_load_asce(k->hw, 0, a);
		check(CK_LCTLG, stctg_cr1() == a.val && gmap_arch_get_asce(k->hw, 0).val == a.val,
		      "CR1 0x%lx after loading 0x%lx", (unsigned long)stctg_cr1(),
		      (unsigned long)a.val);
	}
}

static unsigned int summary(void)
{
	unsigned int p = 0, f = 0, d = 0;

	kprintf("%-24s %8s %8s %10s\n", "instruction", "passed", "failed", "deviations");
	for (int i = 0; i < CK_NR; i++) {
		kprintf("%-24s %8u %8u %10u\n", kind_name[i], passed[i], failed[i], deviations[i]);
		p += passed[i];
		f += failed[i];
		d += deviations[i];
	}
	kprintf("%u emulator deviations from the PoP (accepted, see DEVIATION lines)\n", d);
	kprintf("%u passed, %u failed\n", p, f);
	return f;
}

/**
 * kmain() - the kernel, entered from _start with a stack, DAT off.
 *
 * Context: never returns: ends in a disabled wait, code 0 when every
 * check passed, 1 otherwise.
 */
void kmain(void)
{
	static struct kctx k;

	set_new_psw(LC_PGM_NEW, pgm_handler);
	set_new_psw(LC_EXT_NEW, ext_handler);
	set_new_psw(LC_RESTART_NEW, other_handler);
	set_new_psw(LC_SVC_NEW, other_handler);
	set_new_psw(LC_MCCK_NEW, other_handler);
	set_new_psw(LC_IO_NEW, other_handler);
	heap_cur = real(_end);
	sclp_init();
	kprintf("libgmap s390x test kernel\n");

	create_backends(&k);
	check_lctlg(&k);
	check_dat(&k);
	check_tlb(&k);
	check_skey(&k);
	disabled_wait(summary() ? 1 : 0);
}
