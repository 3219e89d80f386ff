// SPDX-License-Identifier: MIT
/*
 * Fuzz target: a gmap on an mm with PGSTEs, driven by a sequence of
 * operations read from the input and checked after every one against the
 * reference model of tests/gmap-model.c (the model-based test's, fed from
 * the fuzzer's bytes instead of a seeded generator).
 *
 * Input: a configuration byte (bit 0: two gmaps on the mm, each on its
 * own CPU, else one and the mm on CPU 0 alone; bit 1: start without the
 * notifiers registered; bit 2: a machine without ESOP; bit 3: the first
 * gmap with a region-second table on top), then operations until the input ends (at most
 * GM_FUZZ_MAX_OPS), each byte choosing an operation and the gmap it acts
 * on: host map (4 KB pages or large segments) / unmap / mprotect / zap /
 * pte exchange / young harvesting, gmap_map_segment / unmap_segment (also
 * with bad arguments), gmap_fault, gmap_mprotect_notify, gmap_discard,
 * gmap_sync_dirty_log, guest memory access, notifier (un)registration,
 * and an allocating operation with its Nth allocation failing.
 *
 * The checks, after every operation: return codes as the model predicts
 * (an -ENOMEM changes nothing); each gmap's notifier calls exactly as
 * predicted (range, order); dirty bitmaps; gmap_translate(),
 * guest_to_host, the gmaps' segment entries and host_to_guest as the
 * model has them; every 64 steps and at the end, the reverse maps
 * consistent with the tables; host ptes, PGSTE IN and UC bits, large
 * entries and frame contents; the strict-TLB translations of each gmap's
 * CPU. At the end, gmap_remove() and the mm's destruction free every
 * allocation (the hook's count).
 *
 * The seed corpus (corpus/gmap): prefix pages armed and a guest store
 * notifying (prefix-store-notifies), a host unmap unlinking
 * (host-unmap-unlinks), two guest segments on one host segment
 * (shared-host-segment), two gmaps on one host segment
 * (two-gmaps-share-host), a large segment armed and unlinked
 * (large-segment-notify), failing allocations (nomem-fault-map-access),
 * and random inputs (random-*, two of them on a region-second gmap, one
 * of those without ESOP).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "gmap-model.h"

#define GM_FUZZ_MAX_OPS	512

void gm_report(const char *msg)
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
	struct gm *m = calloc(1, sizeof(*m));

	FZ_CHECK(m, "out of memory");
	m->src = (struct gm_src){ next_byte, &f };
	gm_init(m, fz_u8(&f));
	while (f.n && m->step < GM_FUZZ_MAX_OPS)
		gm_step(m);
	gm_fini(m);
	free(m);
	return 0;
}
