/* SPDX-License-Identifier: MIT */
#ifndef GMAP_BENCH_WALK_ORACLE_H
#define GMAP_BENCH_WALK_ORACLE_H

#include <stdint.h>

/* Shared by the benchmark's cases (walk.c). */
int bench_ref_read(void *priv, uint64_t addr, uint64_t *val);

/* The shipped oracles' addresses over the shipped dumps: walker only,
 * through the soft TLB, and through the reference walker. Returns 0, or 1
 * when a dump or oracle cannot be read. Without the dump reader built in,
 * prints nothing and returns 0. */
int bench_oracles(void);

#endif /* GMAP_BENCH_WALK_ORACLE_H */
