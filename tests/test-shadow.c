// SPDX-License-Identifier: MIT
/*
 * The shadow suite (issue 6): shadow gmaps for nested guests, built from
 * guest 1's big-endian tables through a parent gmap, checked entry by
 * entry against the walker; the cases live in test-shadow-*.c.
 */
#include "test-shadow.h"

int main(void)
{
	const struct test_group groups[] = {
		shadow_build_group, shadow_pic_group, shadow_unshadow_group,
		shadow_large_group, shadow_nomem_group, shadow_api_group,
	};

	return test_run_groups("shadow", groups, sizeof(groups) / sizeof(groups[0]));
}
