// SPDX-License-Identifier: MIT
/*
 * The s390x backend from user space: what runs without supervisor state.
 * On every build: gmap_arch_s390x_create() refuses (-EOPNOTSUPP without
 * the backend, -EPERM in problem state) and leaves *out alone, and
 * gmap_arch_create() picks the soft backend. On s390x builds (natively
 * or big-endian under qemu-user): EXTRACT PSW sees problem state, STORE
 * FACILITY LIST EXTENDED works unprivileged and reports z/Architecture,
 * and the facility list decodes to the right GMAP_FAC_* bits and
 * instruction forms. The privileged instructions run in the test kernel
 * (tests/s390x-kernel, suite s390x-system).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libgmap/arch.h>

#ifdef GMAP_HAVE_S390X_BACKEND
#include "arch/s390x/insn.h"
#include "arch/s390x/s390x.h"
#endif

static void create_refuses_in_user_space(void **state)
{
	static int sentinel;
	struct gmap_arch *arch = (struct gmap_arch *)&sentinel;
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .ncpus = 1);

#ifdef GMAP_HAVE_S390X_BACKEND
	const int want = -EPERM;
#else
	const int want = -EOPNOTSUPP;
#endif
	assert_int_equal(gmap_arch_s390x_create(NULL, &arch), want);
	assert_int_equal(gmap_arch_s390x_create(&o, &arch), want);
	assert_ptr_equal(arch, (struct gmap_arch *)&sentinel);
	(void)state;
}

static void default_backend_is_soft(void **state)
{
	struct gmap_arch *arch = NULL;

	(void)state;
	assert_int_equal(gmap_arch_create(NULL, &arch), 0);
	assert_string_equal(gmap_arch_name(arch), "soft");
	gmap_arch_destroy(arch);

	setenv("GMAP_ARCH", "soft", 1);
	assert_int_equal(gmap_arch_create(NULL, &arch), 0);
	assert_string_equal(gmap_arch_name(arch), "soft");
	gmap_arch_destroy(arch);
	unsetenv("GMAP_ARCH");
}

#ifdef GMAP_HAVE_S390X_BACKEND
/* A facility list with the given facility numbers set. */
static void fac_list(uint64_t list[S390X_STFLE_WORDS], const unsigned int *nr, size_t n)
{
	memset(list, 0, S390X_STFLE_WORDS * sizeof(list[0]));
	for (size_t i = 0; i < n; i++)
		list[nr[i] / 64] |= 1ULL << (63 - nr[i] % 64);
}

/*
 * EXTRACT PSW works in user space and shows 64-bit addressing. On an
 * s390x Linux machine it also shows problem state (PSW bit 15) and DAT;
 * QEMU's user-mode emulator models none of the PSW's system bits and
 * shows 00000001 80000000, which is accepted here for that reason. The
 * backend does not rely on it: a program linked with the C library on
 * Linux is user space (see supervisor_state() in src/arch/s390x/s390x.c).
 */
static void psw_says_problem_state(void **state)
{
	uint32_t psw = s390x_epsw();

	(void)state;
	/* PSW bit 31, extended addressing (bit 32, basic, is not in EPSW's
	 * first word). */
	assert_true(psw & 1);
	if (psw & 0xff000000u)
		assert_true((psw & S390X_PSW_PROBLEM) && (psw & S390X_PSW_DAT));
	else
		assert_int_equal(psw, 0x00000001);
}

static void stfle_reports_zarch(void **state)
{
	uint64_t list[S390X_STFLE_WORDS] = { 0 };
	unsigned int n = s390x_stfle(list, S390X_STFLE_WORDS);

	(void)state;
	assert_true(n >= 1);
	/* Facility 1: z/Architecture installed; 2: active; 7: STFLE. */
	assert_true(s390x_fac_test(list, n, 1));
	assert_true(s390x_fac_test(list, n, 2));
	assert_true(s390x_fac_test(list, n, 7));
}

static void dat_facilities_need_cr0(void **state)
{
	static const unsigned int all[] = { 8, 78, 130 };
	uint64_t list[S390X_STFLE_WORDS];

	(void)state;
	fac_list(list, all, 3);
	/* Installed but off in CR0: no EDAT, no IEP. */
	assert_int_equal(s390x_dat_facilities(list, 4, 0), 0);
	assert_int_equal(s390x_dat_facilities(list, 4, S390X_CR0_EDAT1),
			 GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2);
	assert_int_equal(s390x_dat_facilities(list, 4, S390X_CR0_IEP), GMAP_FAC_IEP);
	assert_int_equal(s390x_dat_facilities(list, 4, S390X_CR0_EDAT1 | S390X_CR0_IEP),
			 GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2 | GMAP_FAC_IEP);
	/* A list too short to hold facility 130. */
	assert_int_equal(s390x_dat_facilities(list, 2, S390X_CR0_EDAT1 | S390X_CR0_IEP),
			 GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2);
}

static void dat_facilities_edat2_needs_edat1(void **state)
{
	static const unsigned int only2[] = { 78 };
	uint64_t list[S390X_STFLE_WORDS];

	(void)state;
	fac_list(list, only2, 1);
	assert_int_equal(s390x_dat_facilities(list, 4, S390X_CR0_EDAT1), 0);
}

static void dat_facilities_esop(void **state)
{
	static const unsigned int aefsi[] = { 75 }, esop2[] = { 131 };
	uint64_t list[S390X_STFLE_WORDS];

	(void)state;
	fac_list(list, aefsi, 1);
	assert_int_equal(s390x_dat_facilities(list, 4, 0), GMAP_FAC_ESOP2);
	fac_list(list, esop2, 1);
	assert_int_equal(s390x_dat_facilities(list, 4, 0), GMAP_FAC_ESOP1);
}

static void insn_facilities(void **state)
{
	static const unsigned int some[] = { 10, 51 }, rest[] = { 13, 14 };
	uint64_t list[S390X_STFLE_WORDS];
	struct s390x_insn_fac f;

	(void)state;
	fac_list(list, some, 2);
	f = s390x_insn_facilities(list, 4);
	assert_true(f.cond_sske && f.local_clear && !f.ipte_range && !f.nq_key);
	fac_list(list, rest, 2);
	f = s390x_insn_facilities(list, 4);
	assert_true(!f.cond_sske && !f.local_clear && f.ipte_range && f.nq_key);
	/* Facility 51 lies in doubleword 0: a 0-word list has none. */
	fac_list(list, some, 2);
	f = s390x_insn_facilities(list, 0);
	assert_true(!f.cond_sske && !f.local_clear);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_refuses_in_user_space),
		cmocka_unit_test(default_backend_is_soft),
#ifdef GMAP_HAVE_S390X_BACKEND
		cmocka_unit_test(psw_says_problem_state),
		cmocka_unit_test(stfle_reports_zarch),
		cmocka_unit_test(dat_facilities_need_cr0),
		cmocka_unit_test(dat_facilities_edat2_needs_edat1),
		cmocka_unit_test(dat_facilities_esop),
		cmocka_unit_test(insn_facilities),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
