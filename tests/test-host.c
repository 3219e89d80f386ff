// SPDX-License-Identifier: MIT
/*
 * The gmap tests' host (test-host.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

#include "test-host.h"

void test_host_up(struct alloc_hook *hook, uint32_t facilities, struct gmap_arch **arch,
		  struct gmap_mm **mm)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .alloc = &alloc_hook_ops,
					     .alloc_priv = hook, .ncpus = 2, .strict = true,
					     .facilities = facilities);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true);

	assert_int_equal(gmap_arch_soft_create(&ao, arch), 0);
	mo.arch = *arch;
	assert_int_equal(gmap_mm_create(&mo, mm), 0);
}

void test_host_down(struct alloc_hook *hook, struct gmap_arch *arch, struct gmap_mm *mm)
{
	gmap_mm_destroy(mm);
	gmap_arch_destroy(arch);
	assert_int_equal(hook->live, 0);
}
