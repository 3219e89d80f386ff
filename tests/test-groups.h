/* SPDX-License-Identifier: MIT */
/*
 * Running a test binary whose cases are spread over several files as one
 * CMocka group, so that the TAP output has one plan.
 */
#ifndef GMAP_TEST_GROUPS_H
#define GMAP_TEST_GROUPS_H

#include <stddef.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

/**
 * struct test_group - one file's table of cases.
 * @tests: the cases
 * @n: how many
 */
struct test_group {
	const struct CMUnitTest *tests;
	size_t n;
};

/**
 * test_run_groups() - run every case of every group as one group.
 * @name: the group's name in the output
 * @groups: the tables, in order
 * @ngroups: how many
 *
 * Return: the number of failed cases (CMocka's convention), or 1 when the
 * joined table cannot be allocated.
 */
int test_run_groups(const char *name, const struct test_group *groups, size_t ngroups);

#endif /* GMAP_TEST_GROUPS_H */
