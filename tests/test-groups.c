// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-groups.h"

int test_run_groups(const char *name, const struct test_group *groups, size_t ngroups)
{
	struct CMUnitTest *all;
	size_t n = 0;
	int ret;

	for (size_t g = 0; g < ngroups; g++)
		n += groups[g].n;
	all = calloc(n, sizeof(*all));
	if (!all) {
		fprintf(stderr, "test-%s: out of memory\n", name);
		return 1;
	}
	n = 0;
	for (size_t g = 0; g < ngroups; g++) {
		memcpy(all + n, groups[g].tests, groups[g].n * sizeof(*all));
		n += groups[g].n;
	}
	ret = _cmocka_run_group_tests(name, all, n, NULL, NULL);
	free(all);
	return ret;
}
