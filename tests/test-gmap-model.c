// SPDX-License-Identifier: MIT
/*
 * Model-based test of the gmap (suite gmap): long random sequences of
 * gmap_map_segment / unmap_segment / fault / translate / mprotect_notify /
 * discard / sync_dirty_log, guest memory access, notifier
 * (un)registration, host map (4 KB pages or large segments) / unmap /
 * mprotect / zap, host pte exchanges and young-bit harvesting, and
 * allocation failures, on one gmap or two sharing the mm, each compared
 * step by step with the plain reference model of gmap-model.c: return
 * codes, translations, each gmap's notifier calls (range, order), dirty
 * bitmaps, tables and reverse maps, host ptes, PGSTEs and large entries,
 * frame contents and the strict-TLB translations of the gmaps' CPUs.
 *
 * GMAP_TEST_ITERATIONS steps in all (default 100000; the Valgrind setup
 * sets 3000), in runs of RUN_STEPS, each on a fresh world seeded from its
 * number; a failure names its seed and step. "test-gmap-model SEED
 * [STEPS]" replays one run; GMAP_MODEL_TRACE=1 prints each step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "gmap-model.h"

#define RUN_STEPS	2000

static unsigned long total_steps = 100000;
static uint64_t replay_seed;
static unsigned long replay_steps;

void gm_report(const char *msg)
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

/* One run of @steps steps from @seed; the world is checked and torn down
 * (every allocation freed) at the end. */
static void run(uint64_t seed, unsigned long steps)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	struct gm *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->src = (struct gm_src){ rng_byte, &x };
	m->seed = seed;
	gm_init(m, rng_byte(&x));
	while (m->step < steps)
		gm_step(m);
	gm_fini(m);
	free(m);
}

static void random_sequences_agree_with_the_model(void **state)
{
	(void)state;
	if (replay_steps) {
		run(replay_seed, replay_steps);
		return;
	}
	for (uint64_t seed = 1; (seed - 1) * RUN_STEPS < total_steps; seed++) {
		unsigned long left = total_steps - (unsigned long)(seed - 1) * RUN_STEPS;

		run(seed, left < RUN_STEPS ? left : RUN_STEPS);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_sequences_agree_with_the_model),
	};
	const char *it = getenv("GMAP_TEST_ITERATIONS");

	if (it)
		total_steps = strtoul(it, NULL, 0);
	if (argc > 1) {
		replay_seed = strtoull(argv[1], NULL, 0);
		replay_steps = argc > 2 ? strtoul(argv[2], NULL, 0) : RUN_STEPS;
	}
	return cmocka_run_group_tests_name("gmap-model", tests, NULL, NULL);
}
