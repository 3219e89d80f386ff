/* SPDX-License-Identifier: MIT */
/*
 * A two-stage reference check of shadow gmaps, shared by the model-based
 * test (test-shadow-model.c), the shadow fuzz target (fuzz/fuzz-shadow.c)
 * and the shadow stress test (test-stress-shadow.c): a world with guest
 * 1's storage, random guest-1 DAT tables in it and shadows of them, driven
 * by a stream of bytes that encode steps, and the comparison of every
 * shadow with a reference translation that does not use the library's
 * shadow code: gmap_dat_translate() over guest 1's big-endian tables,
 * read from the host frames the mm maps (GMAP_DAT_MEM_FN), then the
 * parent's guest_to_host and the mm's pte.
 *
 * The world: a strict soft backend with SM_NCPU CPUs (by configuration
 * without ESOP-2, IEP, EDAT-2 or any ESOP); an mm with PGSTEs; guest-1 storage of
 * SM_G1LEN bytes at SM_HBASE (by configuration in 1 MB host segments);
 * the parent gmap mapping it at guest-1 absolute 0, enabled on
 * SM_G1CPU; SM_NSLOT shadows (slot i runs on CPU i + 1), each of its own
 * random guest-1 ASCE and EDAT level. Guest-1 storage: data pages below
 * SM_TABLE_BASE, region and segment tables from there, page tables from
 * SM_PT_BASE, all allocated once and never freed.
 *
 * Guest-2 addresses are drawn from a small set per index (RFX, RSX, RTX,
 * SX, PX) so that paths share tables and faults hit what was built.
 */
#ifndef GMAP_TEST_SHADOW_MODEL_H
#define GMAP_TEST_SHADOW_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <libgmap/libgmap.h>
#include <libgmap/gaccess.h>
#include <libgmap/shadow.h>

#include "alloc-hook.h"

#define SM_HBASE	0x40000000ULL		/* host address of guest-1 absolute 0 */
#define SM_G1LEN	(4 * GMAP_SEGMENT_SIZE)	/* bytes of guest-1 storage */
#define SM_NPAGES	(SM_G1LEN / GMAP_PAGE_SIZE)
#define SM_TABLE_BASE	GMAP_SEGMENT_SIZE	/* region and segment tables */
#define SM_PT_BASE	(3 * GMAP_SEGMENT_SIZE)	/* page tables */
#define SM_NTAB		96			/* guest-1 tables at most */
#define SM_NSLOT	2			/* shadows at once */
#define SM_G1CPU	0			/* the CPU of guest-1 accesses */
#define SM_NCPU		(1 + SM_NSLOT)
#define SM_NRECENT	16			/* guest-2 addresses checked every step */
#define SM_CRST_SIZE	(4 * GMAP_CRST_PART_SIZE)
#define SM_STEP_BYTES	32			/* source bytes per step */
#define SM_NNOTE	64			/* notifier calls kept per step */
#define SM_NPTE		512			/* shadow ptes followed per slot */

/*
 * struct sm_table - a guest-1 table the generator made.
 * @origin: its guest-1 absolute address
 * @tt: enum gmap_dat_tt, or GMAP_LEVEL_PAGE for a page table
 */
struct sm_table {
	uint64_t origin;
	int tt;
};

/*
 * struct sm_slot - one shadow and what the model knows of it.
 * @sg: the shadow (one reference), or NULL
 * @asce: the guest-1 ASCE it was made for
 * @edat: its EDAT level
 * @cpu: the backend CPU running it (while not @dead)
 * @sasce: the shadow's own ASCE (its TLB entries are tagged with it)
 * @dead: the shadow was seen dropped (and disabled on @cpu)
 * @must_drop: this step touched its top table in a way that must drop it
 * @may_drop: this step touched its top table in a way that may drop it
 * @nb: its notifier, registered with @sg, recording into @note
 * @note: the guest-2 ranges [start, end] notified in this step
 * @nnote: how many (more than SM_NNOTE are counted, not kept)
 * @pte: the guest-2 address | the frame of every valid shadow pte at the
 *	last check, in address order (a pte that goes must be notified)
 * @npte: how many; more than SM_NPTE: not followed this step
 */
struct sm_slot {
	struct gmap *sg;
	gmap_asce_t asce;
	int edat;
	unsigned int cpu;
	gmap_asce_t sasce;
	bool dead;
	bool must_drop;
	bool may_drop;
	struct gmap_notifier nb;
	uint64_t note[SM_NNOTE][2];
	unsigned int nnote;
	uint64_t pte[SM_NPTE][2];
	unsigned int npte;
};

/*
 * struct sm_src - where the steps come from.
 * @next: the next byte (a fuzzer's input, or a seeded generator)
 * @priv: passed to @next
 */
struct sm_src {
	uint8_t (*next)(void *priv);
	void *priv;
};

/*
 * struct sm_stats - what the steps did, for the report.
 * @faults: gmap_shadow_fault() calls
 * @installed: of them, resolved (pic 0)
 * @pics: of them, program exceptions for guest 2
 * @efault: of them, -EFAULT
 * @again: -EAGAIN or -ESTALE of a store to a protected table page
 * @nomem: -ENOMEM from a failing allocation
 * @drops: shadows seen dropped
 * @ptes: valid shadow ptes checked
 * @tlb: translations checked on a CPU running a shadow
 */
struct sm_stats {
	unsigned long faults, installed, pics, efault, again, nomem, drops, ptes, tlb;
};

/*
 * struct sm - one run: the library's objects and what the model knows.
 * @hook: the allocation hook (counts, fails the Nth call)
 * @arch: the backend
 * @ncpu: its CPUs (0: SM_NCPU; set before sm_init() for more)
 * @mm: the host mm
 * @parent: the parent gmap
 * @fac: the backend's facilities
 * @large: guest 1 is backed by 1 MB host segments
 * @prot: per guest-1 page, the host mapping's GMAP_MM_PROT_*
 * @tab: the guest-1 tables
 * @ntab: how many
 * @next_crst: where the next region or segment table goes
 * @next_pt: where the next page table goes
 * @slot: the shadows
 * @recent: guest-2 addresses faulted lately, checked every step
 * @nrecent: how many (a ring once full)
 * @src: the byte source
 * @rec: the current step's bytes (a fixed-size record, so that a
 *	fuzzer's change to one step leaves the others as they were)
 * @rpos: the next byte of @rec (past the end, the step reads zeros)
 * @seed: the seed, for a failure report (0 for fuzzer input)
 * @step: the current step
 * @op: the name of the current step
 * @st: the counters
 * @trace: print every guest-1 store, host change, shadow and fault
 */
struct sm {
	struct alloc_hook hook;
	struct gmap_arch *arch;
	unsigned int ncpu;
	struct gmap_mm *mm;
	struct gmap *parent;
	uint32_t fac;
	bool large;
	uint8_t prot[SM_NPAGES];
	struct sm_table tab[SM_NTAB];
	int ntab;
	uint64_t next_crst, next_pt;
	struct sm_slot slot[SM_NSLOT];
	uint64_t recent[SM_NRECENT];
	unsigned int nrecent;
	struct sm_src src;
	uint8_t rec[SM_STEP_BYTES];
	unsigned int rpos;
	uint64_t seed;
	unsigned long step;
	const char *op;
	struct sm_stats st;
	bool trace;
};

/**
 * sm_report() - report a disagreement and end the run; defined by the
 * program that links the model (CMocka failure, or abort for a fuzzer).
 * @msg: the message, with seed, step and operation
 */
void sm_report(const char *msg) __attribute__((noreturn));

/* Report a disagreement, with seed, step and operation. */
void sm_fail(struct sm *m, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
#define SM_CHECK(m, cond, ...)						\
	do {								\
		if (!(cond))						\
			sm_fail(m, __VA_ARGS__);			\
	} while (0)

/**
 * sm_init() - build the world from a configuration byte.
 * @m: the run (zeroed by the caller, @src and @seed set)
 * @cfg: bit 0: guest 1 in 1 MB host segments; bit 1: a machine without
 *	ESOP-2; bit 2: without IEP; bit 3: without EDAT-2; bits 4-6 all set:
 *	without ESOP-1 and ESOP-2 (every gmap_shadow_get() is refused)
 *
 * Also builds a first guest-1 ASCE and shadow for every slot.
 */
void sm_init(struct sm *m, uint8_t cfg);

/**
 * sm_step() - take one step from the source, run it, check its outcome
 * against the reference and then every shadow (sm_check()).
 * @m: the run
 */
void sm_step(struct sm *m);

/**
 * sm_check() - the invariants after a step.
 * @m: the run
 *
 * Each slot's shadow is valid or dropped as the step allows (a dropped
 * one must have left no TLB entry on its CPU, and is disabled there);
 * every valid pte of every shadow's tables agrees with the two-stage
 * reference: the host frame of the guest-1 translation, P where guest 1
 * or the parent protects, guest 1's IEP, no other bit, and every
 * guest-1 table page on the way protected in the parent (sm_g1_vsie());
 * every valid region and segment entry has its own table type and no CS
 * or FC bit; every shadow pte of the last check that went (or maps
 * another frame now) was covered by a call of the shadow's notifier in
 * this step, the whole shadow's for a dropped one; the recent addresses through gmap_translate() and through
 * the TLB of the CPU running the shadow agree with the reference too.
 */
void sm_check(struct sm *m);

/**
 * sm_fini() - put the shadows, remove the parent, destroy the mm and
 * backend and check that every allocation was freed.
 * @m: the run
 */
void sm_fini(struct sm *m);

/* Between the files of the model: shadow-model.c (the world, guest-1
 * storage, the reference and the checks) and shadow-model-ops.c (the
 * table generator and the steps); the stress test uses the first. */

/**
 * sm_u8() - the next byte of the current step's record.
 * @m: the run
 *
 * Return: the byte; 0 once the record is used up.
 */
uint8_t sm_u8(struct sm *m);

/**
 * sm_u64() - eight bytes of the current step's record, big-endian.
 * @m: the run
 *
 * Return: the value.
 */
uint64_t sm_u64(struct sm *m);

/**
 * sm_g1_fac() - the facilities guest 1's tables are walked with for a
 * shadow: EDAT-1 from level 1, EDAT-2 from level 2 (the shadow's fake
 * tables need neither on the machine), the machine's IEP and ESOP.
 * @m: the run
 * @edat: the shadow's EDAT level
 *
 * Return: GMAP_FAC_* bits.
 */
uint32_t sm_g1_fac(const struct sm *m, int edat);

/**
 * sm_g1_peek() - read guest-1 storage from the host frame, without
 * faulting and without the library's shadow code.
 * @m: the run
 * @gaddr: guest-1 absolute address, 8-byte aligned
 * @val: out: the big-endian word in host order; 0 where no page is
 *	present (a zapped page reads as zeros)
 *
 * Return: 0; -1 outside guest-1 storage; -2 where the host maps the
 * page PROT_NONE.
 */
int sm_g1_peek(struct sm *m, uint64_t gaddr, uint64_t *val);

/**
 * sm_g1_store() - store bytes as guest 1, through the parent.
 * @m: the run
 * @gaddr: guest-1 absolute address
 * @buf: the bytes (big-endian words already)
 * @len: their number
 *
 * Page by page gmap_gacc_write_abs() on SM_G1CPU, checking its return
 * code against the host protection and the stored word against
 * sm_g1_peek(), and marking the shadows the store must or may drop.
 */
void sm_g1_store(struct sm *m, uint64_t gaddr, const void *buf, size_t len);

/**
 * sm_ref() - the reference translation of a guest-2 address.
 * @m: the run
 * @s: the slot whose guest-1 ASCE and EDAT level are used
 * @saddr: the guest-2 address
 * @access: enum gmap_dat_access
 * @res: out: gmap_dat_translate()'s result over guest 1's tables read
 *	with sm_g1_peek(), prefix 0, primary space
 * @path: out (may be NULL): the guest-1 entries read
 *
 * Return: true when the host refuses a table page on the way (the fault
 * then gets -EFAULT).
 */
bool sm_ref(struct sm *m, int s, uint64_t saddr, enum gmap_dat_access access,
	    struct gmap_dat_result *res, struct gmap_dat_path *path);

/**
 * sm_host_frame() - the host frame behind a guest-1 address now.
 * @m: the run
 * @gaddr: guest-1 absolute address
 * @writable: out: the parent's leaf is not DAT-protected
 *
 * Walks the parent's own tables (the host pte, or the parent's copy of
 * a large segment entry).
 * Return: the real address of the byte; 0 when no valid leaf maps it.
 */
uint64_t sm_host_frame(struct sm *m, uint64_t gaddr, bool *writable);

/**
 * sm_g1_vsie() - whether the parent protects a guest-1 page for shadows.
 * @m: the run
 * @gaddr: guest-1 absolute address
 *
 * Return: true for a valid host pte with P and PGSTE VSIE, or a valid
 * large parent segment entry with P and GMAP_SEG_GMAP_VSIE.
 */
bool sm_g1_vsie(struct sm *m, uint64_t gaddr);

/**
 * sm_touch() - note a change of guest-1 storage for the drop checks.
 * @m: the run
 * @gaddr: first guest-1 byte changed
 * @len: bytes
 * @must: the change must drop a shadow whose top table it touches (else
 *	it may); with a large parent, any change in the top table's
 *	segments may
 */
void sm_touch(struct sm *m, uint64_t gaddr, uint64_t len, bool must);

/**
 * sm_tables() - make a few guest-1 tables of every type, before any
 * shadow exists.
 * @m: the run
 */
void sm_tables(struct sm *m);

/**
 * sm_shadow_get() - get a shadow for a slot, replacing the slot's.
 * @m: the run
 * @s: the slot
 * @asce: the guest-1 ASCE
 * @edat: the EDAT level
 *
 * Checks gmap_shadow_get()'s return code (-EOPNOTSUPP without ESOP-1,
 * -EFAULT when the host refuses a page of the top table in storage, an
 * injected -ENOMEM, else 0); on success the shadow is valid and runs on
 * the slot's CPU.
 */
void sm_shadow_get(struct sm *m, int s, gmap_asce_t asce, int edat);

/**
 * sm_slot_put() - let a slot's shadow go: disable it on the slot's CPU
 * (unless it was seen dropped, which disabled it), unregister the
 * slot's notifier and put the reference.
 * @m: the run
 * @sl: the slot (nothing happens without a shadow)
 */
void sm_slot_put(struct sm *m, struct sm_slot *sl);

/**
 * sm_remember() - add a guest-2 address to the ones sm_check() checks.
 * @m: the run
 * @saddr: the address
 */
void sm_remember(struct sm *m, uint64_t saddr);

#endif /* GMAP_TEST_SHADOW_MODEL_H */
