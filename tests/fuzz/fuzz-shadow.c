// SPDX-License-Identifier: MIT
/*
 * Fuzz target: shadow gmaps of random guest-1 tables, driven by a
 * sequence of steps read from the input and checked after every one
 * against the two-stage reference of tests/shadow-model.c (the
 * model-based test's, fed from the fuzzer's bytes instead of a seeded
 * generator).
 *
 * Input: a configuration byte (bit 0: guest 1 in 1 MB host segments;
 * bit 1: a machine without ESOP-2; bit 2: without IEP; bit 3: without
 * EDAT-2; bits 4-6 all set: without ESOP-1, where every shadow_get is
 * refused), then steps until the input ends (at most SM_FUZZ_MAX_STEPS),
 * each a record of SM_STEP_BYTES bytes: a byte choosing the step and the
 * shadow slot, then the step's own bytes: guest-2 faults (fetch, store, instruction fetch, some with the
 * Nth allocation failing), guest-1 path building, entry mutations, data
 * stores, host mprotect / zap / young of the parent's memory, and new
 * guest-1 ASCEs (shadow_get).
 *
 * The checks, after every step: each fault's return code and result as
 * the reference walk over guest 1's tables predicts; each shadow valid
 * or dropped as the step allows (a write to its top table drops it);
 * every valid shadow pte maps the host frame of the two-stage walk, is
 * protected where guest 1 or the parent protect, carries guest 1's IEP,
 * and every guest-1 table page it was built from is protected in the
 * parent (P and the VSIE bit); gmap_translate() and the strict TLB of
 * the CPU running the shadow agree, and a dropped shadow left no TLB
 * entry. At the end, the parent's removal and the mm's destruction free
 * every allocation (the hook's count).
 *
 * GMAP_MODEL_TRACE=1 prints the steps' stores, host changes, shadows and
 * faults (for a finding, with the replay program).
 *
 * The seed corpus (corpus/shadow): inputs written by make-seeds.py for
 * each configuration: faults over built paths, EDAT frames, real space,
 * top-table writes, host changes, failing allocations, and random ones.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "shadow-model.h"

#define SM_FUZZ_MAX_STEPS	256

void sm_report(const char *msg)
{
	fz_fail("%s", msg);
}

static uint8_t next_byte(void *priv)
{
	return fz_u8(priv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct sm *m = calloc(1, sizeof(*m));

	FZ_CHECK(m, "out of memory");
	m->src = (struct sm_src){ next_byte, &f };
	m->trace = getenv("GMAP_MODEL_TRACE") != NULL;
	sm_init(m, fz_u8(&f));
	sm_tables(m);
	while (f.n && m->step < SM_FUZZ_MAX_STEPS)
		sm_step(m);
	sm_fini(m);
	free(m);
	return 0;
}
