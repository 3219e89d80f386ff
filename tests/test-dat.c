// SPDX-License-Identifier: MIT
/*
 * The dat test suite: the DAT walker (gmap_dat_translate(),
 * gmap_dat_translate_path(), gmap_dat_walk_range()) against hand-built
 * tables with exact expectations, and against the reference walker
 * (refwalk.c) on random tables.
 *
 * Usage: test-dat                 run every case (TAP with
 *                                 CMOCKA_MESSAGE_OUTPUT=TAP)
 *        test-dat --replay N      re-run random iteration N verbosely
 * The environment variable GMAP_TEST_REPLAY=N does the same as --replay N;
 * GMAP_TEST_ITERATIONS sets the number of random iterations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-groups.h"
#include "test-dat.h"

static int parse_iteration(const char *s, unsigned long *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	*out = strtoul(s, &end, 0);
	return *end ? -1 : 0;
}

static int replay(const char *arg)
{
	unsigned long n;

	if (parse_iteration(arg, &n)) {
		fprintf(stderr, "test-dat: --replay needs an iteration number, not '%s'\n",
			arg ? arg : "");
		return 2;
	}
	return dat_random_replay(n) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct test_group groups[] = {
		{ dat_asce_tests, dat_asce_ntests },
		{ dat_entry_tests, dat_entry_ntests },
		{ dat_edat_tests, dat_edat_ntests },
		{ dat_range_tests, dat_range_ntests },
		{ dat_random_tests, dat_random_ntests },
	};

	if (argc > 1) {
		if (strcmp(argv[1], "--replay") == 0 && argc == 3)
			return replay(argv[2]);
		fprintf(stderr, "usage: %s [--replay ITERATION]\n", argv[0]);
		return 2;
	}
	if (getenv("GMAP_TEST_REPLAY"))
		return replay(getenv("GMAP_TEST_REPLAY"));

	return test_run_groups("dat", groups, sizeof(groups) / sizeof(groups[0]));
}
