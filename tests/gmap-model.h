/* SPDX-License-Identifier: MIT */
/*
 * A plain reference model of a gmap on an mm with PGSTEs, shared by the
 * model-based test (test-gmap-model.c) and the gmap fuzz target
 * (fuzz/fuzz-gmap.c): arrays of guest segments, host segments and a few
 * host pages, driven by a stream of bytes that encode operations, and the
 * check of the library against the model after every step. The stress
 * test (test-stress-gmap.c) uses its reverse-map check.
 *
 * The world: a strict soft backend with two CPUs (by configuration
 * without ESOP); an mm with PGSTEs; one gmap, or by configuration two,
 * each with a limit of 2^42 - 1 (a region-third table; by configuration
 * the first 2^53 - 1, a region-second table) and enabled on its own CPU,
 * the mm attached to the CPUs that run them (one CPU attached: local
 * flushes); in each gmap six guest segments in two region-third entries;
 * four host segments straddling a 2 GB boundary, of which pages 0, 1, 2
 * and 255 are tracked. Only tracked pages are ever faulted in;
 * whole-segment host operations map, unmap and protect the untracked rest
 * as one, and map 4 KB pages or one large (1 MB) segment.
 */
#ifndef GMAP_TEST_GMAP_MODEL_H
#define GMAP_TEST_GMAP_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <libgmap/libgmap.h>

#include "alloc-hook.h"

#define GM_NG		6	/* guest segments */
#define GM_NH		4	/* host segments */
#define GM_NP		4	/* tracked pages per host segment */
#define GM_NR		2	/* region-third entries of the guest segments */
#define GM_NGMAP	2	/* gmaps at most */
#define GM_MAX_EVENTS	64

/*
 * struct gm_page - the model of one tracked host page.
 * @mapped: a mapping covers it
 * @prot: the mapping's GMAP_MM_PROT_*
 * @pte: the pte's bits that the model follows (Linux's software bits, I
 *	and P), or GMAP_MM_PTE_NONE when no page is present; always empty in
 *	a large mapping
 * @in: the PGSTE's IN bit
 * @uc: the PGSTE's UC bit (set by storing a valid unprotected writable
 *	pte, cleared by the dirty log)
 * @tag: the first 8 bytes of its frame (of its 4 KB of a large frame)
 */
struct gm_page {
	bool mapped;
	unsigned int prot;
	uint64_t pte;
	bool in;
	bool uc;
	uint64_t tag;
};

/*
 * struct gm_hseg - the model of one host segment.
 * @pg: its tracked pages
 * @rest_mapped: a mapping covers the untracked pages (all or none)
 * @large: the mapping is large (GMAP_MM_MAP_LARGE; then it covers the
 *	whole segment)
 * @ste: a large mapping's segment entry bits (FC, I, P and the mm's
 *	GMAP_MM_SEG_* bits), or GMAP_CRSTE_I while empty
 * @pt: the mm has a page table for it
 * @h2g: per gmap, the guest segment linked to it, or -1
 */
struct gm_hseg {
	struct gm_page pg[GM_NP];
	bool rest_mapped;
	bool large;
	uint64_t ste;
	bool pt;
	int h2g[GM_NGMAP];
};

/*
 * struct gm_gseg - the model of one guest segment.
 * @g2h: the host segment gmap_map_segment() mapped it to, or -1
 * @linked: its segment entry points at the host's page table, or holds a
 *	copy of its large entry
 * @ste: for a large host segment: the entry's FC, I, P, GMAP_SEG_GMAP_UC
 *	and GMAP_SEG_GMAP_IN
 */
struct gm_gseg {
	int g2h;
	bool linked;
	uint64_t ste;
};

/* A notifier call: the guest range [start, end]. */
struct gm_event {
	uint64_t start, end;
};

/*
 * struct gm_gmap - the model of one gmap.
 * @g: its guest segments
 * @limit: its limit: 2^42 - 1 (a region-third table on top) or 2^53 - 1
 *	(a region-second table)
 * @r3: it has the region-third table of the guest segments (its top, or
 *	built by the first link)
 * @table: it has a segment table for region-third entry i (built by the
 *	first link there, kept until the gmap goes)
 * @registered: its notifier is registered
 * @nwant: notifier calls expected in this step
 * @want: those calls, in order
 */
struct gm_gmap {
	struct gm_gseg g[GM_NG];
	uint64_t limit;
	bool r3;
	bool table[GM_NR];
	bool registered;
	unsigned int nwant;
	struct gm_event want[GM_MAX_EVENTS];
};

/*
 * struct gm_state - everything the model predicts; copied before an
 * operation that may fail with -ENOMEM, and put back when it does.
 * @h: the host segments
 * @gm: the gmaps
 */
struct gm_state {
	struct gm_hseg h[GM_NH];
	struct gm_gmap gm[GM_NGMAP];
};

/*
 * struct gm_lib - one gmap of the library.
 * @gmap: the gmap
 * @nb: its notifier, recording into @got
 * @got: the notifier calls of the current step
 * @ngot: how many (more than GM_MAX_EVENTS are counted, not kept)
 */
struct gm_lib {
	struct gmap *gmap;
	struct gmap_notifier nb;
	struct gm_event got[GM_MAX_EVENTS];
	unsigned int ngot;
};

/*
 * struct gm_src - where the operations come from.
 * @next: the next byte (a fuzzer's input, or a seeded generator)
 * @priv: passed to @next
 */
struct gm_src {
	uint8_t (*next)(void *priv);
	void *priv;
};

/*
 * struct gm - one run: the library's objects and the model.
 * @hook: the allocation hook (counts, fails the Nth call)
 * @arch: the backend
 * @mm: the host mm
 * @lib: the gmaps; gmap i runs on CPU i
 * @ngmap: how many
 * @esop: the machine has ESOP-1 (without it, storing a valid writable pte
 *	makes it dirty, and gmap_mprotect_notify() refuses PROT_READ)
 * @s: the model
 * @saved: the model before the current operation
 * @src: the byte source
 * @seed: the seed, for the failure report (0 for fuzzer input)
 * @step: the current step
 * @op: the name of the current operation
 * @tag: the last tag written to guest memory
 */
struct gm {
	struct alloc_hook hook;
	struct gmap_arch *arch;
	struct gmap_mm *mm;
	struct gm_lib lib[GM_NGMAP];
	int ngmap;
	bool esop;
	struct gm_state s;
	struct gm_state saved;
	struct gm_src src;
	uint64_t seed;
	unsigned long step;
	const char *op;
	uint64_t tag;
};

/**
 * gm_report() - report a disagreement and end the run; defined by the
 * program that links the model (CMocka failure, or abort for a fuzzer).
 * @msg: the message, with seed, step and operation
 */
void gm_report(const char *msg) __attribute__((noreturn));

/**
 * gm_init() - build the world from a configuration byte.
 * @m: the run (zeroed by the caller, @src and @seed set)
 * @cfg: bit 0: two gmaps (and the mm attached to both CPUs); bit 1:
 *	start without the notifiers registered; bit 2: a machine without
 *	ESOP; bit 3: the first gmap has a region-second table on top
 */
void gm_init(struct gm *m, uint8_t cfg);

/**
 * gm_step() - take one operation from the source, run it on the library
 * and the model, and check everything the model predicts.
 * @m: the run
 */
void gm_step(struct gm *m);

/**
 * gm_fini() - remove the gmaps, destroy the mm and backend and check that
 * every allocation was freed.
 * @m: the run
 */
void gm_fini(struct gm *m);

/**
 * gm_check_maps() - the reverse-map consistency check of one gmap: every
 * linked guest segment entry points at the page table (or copies the
 * large entry) of the host segment that guest_to_host maps it to, and
 * host_to_guest points back, and every host_to_guest entry belongs to
 * such an entry.
 * @m: the run (only @arch and @mm are used, and @seed, @step and @op for
 *	a failure report)
 * @gmap: the gmap
 */
void gm_check_maps(struct gm *m, struct gmap *gmap);

/* Between the files of the model: gmap-model.c (the model's semantics),
 * gmap-model-ops.c (the operations) and gmap-model-check.c (the world
 * and the checks). @gi numbers a gmap, @g a guest segment, @h a host
 * segment, @k a tracked page; host segment @h lies at GM_HBASE + @h MB. */
#define GM_PG		GMAP_PAGE_SIZE
#define GM_SEG		GMAP_SEGMENT_SIZE
#define GM_HBASE	(GMAP_REGION3_SIZE - 2 * GM_SEG)

extern const uint64_t gm_gaddr[GM_NG];
extern const unsigned int gm_pidx[GM_NP];
uint64_t gm_haddr(int h);
uint64_t gm_page_haddr(int h, int k);
int gm_region(int g);
bool gm_present(const struct gm_page *p);
/* The host range of an operation: segments @h0..@h1, in each the tracked
 * pages of @mask and the untracked ones if @rest. */
struct gm_hrange {
	int h0, h1;
	unsigned int mask;
	bool rest;
	uint64_t start, len;
};
/* The model's semantics (gmap-model.c). */
int gm_model_fault(struct gm *m, int gi, int g, int k, bool write);
int gm_model_protect(struct gm *m, int gi, int g, int k, unsigned int prot);
int gm_model_host_fault(struct gm *m, int h, int k, bool write);
void gm_model_zap(struct gm *m, const struct gm_hrange *r);
void gm_model_unlink(struct gm *m, int gi, int g);
void gm_model_unlink_host(struct gm *m, int h);
void gm_model_xchg(struct gm *m, int h, int k, uint64_t pte);
long gm_model_sync(struct gm *m, int gi, int g, int a, int n, uint64_t *bitmap,
		   unsigned int pos);
void gm_model_ste_xchg(struct gm *m, int h, uint64_t ste);
uint64_t gm_model_modify(bool large, uint64_t e, unsigned int prot);

/* Report a disagreement, with seed, step and operation. */
void gm_fail(struct gm *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
#define GM_CHECK(m, cond, ...)						\
	do {								\
		if (!(cond))						\
			gm_fail(m, __VA_ARGS__);			\
	} while (0)

/* Check an operation's return code against the model's: true when it
 * succeeded. -ENOMEM while an allocation is set to fail puts the model
 * back as it was before the operation. */
bool gm_rc(struct gm *m, long rc, long want);
/* The program-interruption code the model expects for an access to
 * tracked page @k of guest segment @g of gmap @gi, on its CPU. */
unsigned int gm_predict(const struct gm *m, int gi, int g, int k, bool write);
/* Everything after an operation: each gmap's notifier calls,
 * translations, tables and reverse maps and its CPU's translations; host
 * ptes, PGSTEs, large entries and frame contents. */
void gm_check(struct gm *m);

#endif /* GMAP_TEST_GMAP_MODEL_H */
