// SPDX-License-Identifier: MIT
/*
 * The benchmarks' shared timing and output (bench.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

volatile uint64_t bench_sink;

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

unsigned int bench_rounds(void)
{
	const char *s = getenv("GMAP_BENCH_ITERS");
	int n = s ? atoi(s) : 0;

	return n > 0 ? (unsigned int)n : 5;
}

double bench_ns_per_op(uint64_t (*pass)(void *ctx), void *ctx, unsigned long ops)
{
	unsigned int rounds = bench_rounds();
	double best = 1e30;

	for (unsigned int r = 0; r < rounds; r++) {
		unsigned long reps = 0;
		double t0 = bench_now_ns(), t;

		do {
			bench_sink += pass(ctx);
			reps++;
			t = bench_now_ns() - t0;
		} while (t < 20e6);
		if (t / ((double)reps * ops) < best)
			best = t / ((double)reps * ops);
	}
	return best;
}

void bench_result(const char *name, double value, const char *unit)
{
	printf("RESULT %s %.2f %s\n", name, value, unit);
	fflush(stdout);
}

void bench_check(const char *prog, const char *what, long rc)
{
	if (rc < 0) {
		fprintf(stderr, "%s: %s failed: %ld\n", prog, what, rc);
		exit(1);
	}
}
