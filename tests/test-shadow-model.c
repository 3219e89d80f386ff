// SPDX-License-Identifier: MIT
/*
 * Two-stage reference check of shadow gmaps (suite shadow): long random
 * sequences of guest-2 faults (fetch, store, instruction fetch; some with
 * a failing allocation), guest-1 table building and random entry changes
 * (TF/TL, P, IEP, invalid bits, table types, EDAT-1 and EDAT-2 frames,
 * origins outside guest-1 storage), guest-1 data stores, host mprotect /
 * zap / young harvesting of the parent's memory and new guest-1 ASCEs
 * (every designation type and length, real space, EDAT levels 0-2), on
 * two shadows of one parent. Every fault's outcome (return code, PIC,
 * TEID, protection, guest-1 address, frame size) is compared with
 * gmap_dat_translate() over guest 1's tables read straight from the host
 * frames, and after every step every valid shadow pte, the guest-1 pages
 * it was built from, gmap_translate() and the strict TLB of the CPU
 * running the shadow are compared with that reference (shadow-model.c).
 *
 * GMAP_TEST_ITERATIONS steps in all (default 100000; the Valgrind setup
 * sets 3000), in runs of RUN_STEPS, each on a fresh world seeded from its
 * number; a failure names its seed and step. "test-shadow-model SEED
 * [STEPS]" replays one run; GMAP_MODEL_TRACE=1 prints its stores, host
 * changes, shadows and faults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "shadow-model.h"

#define RUN_STEPS	2000

static unsigned long total_steps = 100000;
static uint64_t replay_seed;
static unsigned long replay_steps;
static struct sm_stats total;

void sm_report(const char *msg)
{
	fail_msg("%s", msg);
	abort();	/* fail_msg() does not return */
}

static uint8_t rng_byte(void *priv)
{
	uint64_t *x = priv;

	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (uint8_t)(*x * 0x2545f4914f6cdd1dULL >> 56);
}

/* One run of @steps steps from @seed, checked and torn down (every
 * allocation freed) at the end. */
static void run(uint64_t seed, unsigned long steps)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	struct sm *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->src = (struct sm_src){ rng_byte, &x };
	m->seed = seed;
	m->trace = getenv("GMAP_MODEL_TRACE") != NULL;
	sm_init(m, rng_byte(&x));
	sm_tables(m);
	while (m->step < steps)
		sm_step(m);
	sm_fini(m);
	total.faults += m->st.faults;
	total.installed += m->st.installed;
	total.pics += m->st.pics;
	total.efault += m->st.efault;
	total.again += m->st.again;
	total.nomem += m->st.nomem;
	total.drops += m->st.drops;
	total.ptes += m->st.ptes;
	total.tlb += m->st.tlb;
	free(m);
}

static void shadows_agree_with_the_two_stage_walk(void **state)
{
	(void)state;
	if (replay_steps) {
		run(replay_seed, replay_steps);
	} else {
		for (uint64_t seed = 1; (seed - 1) * RUN_STEPS < total_steps; seed++) {
			unsigned long left = total_steps - (unsigned long)(seed - 1) * RUN_STEPS;

			run(seed, left < RUN_STEPS ? left : RUN_STEPS);
		}
	}
	/* Not a vacuous run: faults resolved and raised exceptions, shadow
	 * ptes and TLB entries were compared (one replayed run may be on a
	 * machine without ESOP-1, where no shadow is made). */
	print_message("# faults %lu: installed %lu, exceptions %lu, -EFAULT %lu, store races "
		      "%lu, -ENOMEM %lu; shadows dropped %lu; ptes checked %lu, TLB %lu\n",
		      total.faults, total.installed, total.pics, total.efault, total.again,
		      total.nomem, total.drops, total.ptes, total.tlb);
	if (!replay_steps)
		assert_true(total.installed > 0 && total.pics > 0 && total.ptes > 0 &&
			    total.tlb > 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shadows_agree_with_the_two_stage_walk),
	};
	const char *it = getenv("GMAP_TEST_ITERATIONS");

	if (it)
		total_steps = strtoul(it, NULL, 0);
	if (argc > 1) {
		replay_seed = strtoull(argv[1], NULL, 0);
		replay_steps = argc > 2 ? strtoul(argv[2], NULL, 0) : RUN_STEPS;
	}
	return cmocka_run_group_tests_name("shadow-model", tests, NULL, NULL);
}
