/* SPDX-License-Identifier: MIT */
/*
 * The host most gmap tests run on: the soft backend in strict TLB mode
 * with two CPUs and the counting, failing allocation hook, and an mm with
 * PGSTEs on it.
 */
#ifndef GMAP_TEST_HOST_H
#define GMAP_TEST_HOST_H

#include <stdint.h>

#include <libgmap/libgmap.h>

#include "alloc-hook.h"

/* Create the backend (@facilities: GMAP_FAC_*, 0 for all) counting into
 * @hook, and the mm; fails the test on error. */
void test_host_up(struct alloc_hook *hook, uint32_t facilities, struct gmap_arch **arch,
		  struct gmap_mm **mm);

/* Destroy both; fails the test if an allocation is left. */
void test_host_down(struct alloc_hook *hook, struct gmap_arch *arch, struct gmap_mm *mm);

#endif /* GMAP_TEST_HOST_H */
