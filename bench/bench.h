/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark program shares: the clock, the best-of-rounds
 * timing, the RESULT line and the exit on a failed setup call.
 */
#ifndef GMAP_BENCH_H
#define GMAP_BENCH_H

#include <stdint.h>

/* Results of timed passes go here, so the compiler keeps the work. */
extern volatile uint64_t bench_sink;

/* Monotonic time in ns. */
double bench_now_ns(void);

/* Rounds each timing takes its best of: GMAP_BENCH_ITERS, default 5. */
unsigned int bench_rounds(void);

/* ns per operation of @pass (which does @ops operations and returns a
 * value for bench_sink): the best of bench_rounds() rounds, each repeated
 * for at least 20 ms. */
double bench_ns_per_op(uint64_t (*pass)(void *ctx), void *ctx, unsigned long ops);

/* Print "RESULT <name> <value> <unit>". */
void bench_result(const char *name, double value, const char *unit);

/* Exit with a message naming @prog and @what when @rc is negative. */
void bench_check(const char *prog, const char *what, long rc);

#endif /* GMAP_BENCH_H */
