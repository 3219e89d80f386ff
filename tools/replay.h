/* SPDX-License-Identifier: MIT */
/*
 * gmaptool replay: its state, shared by gmaptool-replay.c (the command,
 * the address spaces and their samples) and replay-check.c (the writes of
 * guest-1 entries and the checks of the shadows after each).
 */
#ifndef GMAPTOOL_REPLAY_H
#define GMAPTOOL_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/shadow.h>

#include "shadow-host.h"

#define REPLAY_PAGES	32	/* 4 KB pages sampled per address space */
#define REPLAY_FRAMES	16	/* EDAT frames sampled per address space */
#define REPLAY_TARGETS	4	/* entries of each kind changed per space */
#define REPLAY_SHOWN	8	/* problems printed per action */
#define REPLAY_SRC	6	/* guest-1 ranges a sample's shadow is built from */
#define REPLAY_PASSES	3	/* faults again of samples a later fault dropped */

/* What a write must do to a sample's shadow translation. */
enum verdict { V_KEEP, V_GONE, V_EITHER, V_ABSENT };

/**
 * struct sample - a guest-2 address faulted into its shadow.
 * @space: index of its address space
 * @vaddr: the address
 * @present: the shadow translates it (after the last fault)
 * @gaddr: to this guest-1 address (prefix 0)
 * @src: the guest-1 ranges [lo, hi) of the tables its shadow tables were
 *	built from (protected in the parent)
 * @nsrc: number of @src
 * @verdict: what the write being checked must do to it
 */
struct sample {
	unsigned int space;
	uint64_t vaddr;
	bool present;
	uint64_t gaddr;
	uint64_t src[REPLAY_SRC][2];
	unsigned int nsrc;
	enum verdict verdict;
};

/**
 * struct space - a shadowed address space.
 * @asce: guest 1's ASCE
 * @sg: its shadow, enabled on @cpu
 * @cpu: the backend CPU running it
 */
struct space {
	uint64_t asce;
	struct gmap *sg;
	unsigned int cpu;
};

/**
 * struct replay - the run.
 * @h: the host
 * @sp: the address spaces
 * @nsp: their number
 * @s: the samples
 * @ns: their number
 * @granule: what a write unprotects in the parent: 4 KB, 1 MB with --large
 * @bypass: --bypass-parent: entries are written straight into guest-1
 *	storage, past the parent's protection (every check should then fail)
 * @rng: the generator's state (--seed)
 * @passed: actions that passed
 * @failed: actions that failed
 * @problems: problems of the current action
 * @shown: the first of them, printed after the action's line
 */
struct replay {
	struct shadow_host h;
	struct space sp[GMAP_SHADOW_MAX];
	unsigned int nsp;
	struct sample *s;
	size_t ns;
	uint64_t granule;
	bool bypass;
	uint64_t rng;
	size_t passed, failed;
	unsigned int problems;
	char shown[REPLAY_SHOWN][160];
};

/**
 * replay_rnd() - the next number of the run's generator (xorshift64*).
 * @r: the run
 *
 * Return: 64 random bits.
 */
uint64_t replay_rnd(struct replay *r);

/**
 * replay_refault() - fault every sample into its shadow again and check
 * each shadow against guest 1's tables as they are now.
 * @r: the run (problems are counted into it); shadows that were dropped
 *	are got anew on their CPUs first
 * @present: out: samples that translate through their shadow
 *
 * Each fault's result must equal the walk of guest 1's tables; an address
 * that translates must then translate through the shadow tables, with
 * gmap_translate() and on the CPU running the shadow (which caches it in
 * its TLB), to the same guest-1 address, protected where guest 1's path
 * is; one that does not must not translate through the shadow. A fault
 * may drop a shadow pte an earlier one made (protecting a writable page
 * drops the shadow ptes onto it): those are faulted again, up to
 * REPLAY_PASSES times.
 *
 * Return: 0; a negative errno when a shadow could not be got anew.
 */
int replay_refault(struct replay *r, size_t *present);

/**
 * replay_tally() - end an action's line with its verdict and count it.
 * @r: the run; its problems are printed and reset
 */
void replay_tally(struct replay *r);

/**
 * replay_change_space() - change ptes and segment entries (designating a
 * page table or an EDAT-1 frame) on the paths of a space's samples through
 * the parent, each way guest 1 might, checking after every write.
 * @r: the run
 * @space: index of the space
 *
 * Return: 0 (failed checks are counted in @r); a negative errno when a
 * write through the parent or a shadow's renewal failed.
 */
int replay_change_space(struct replay *r, unsigned int space);

#endif /* GMAPTOOL_REPLAY_H */
