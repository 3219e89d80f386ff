// SPDX-License-Identifier: MIT
/*
 * gmap_arch_s390x_create() on a build without the s390x backend (any host
 * but s390x, or -Darch_backend=soft): the symbol exists everywhere, so a
 * program can ask for the hardware and fall back to the soft backend.
 */
#include <errno.h>

#include "arch/arch_impl.h"

/**
 * gmap_arch_s390x_create() - the s390x backend, absent from this build.
 * @opts: ignored
 * @out: untouched
 *
 * Context: any.
 * Return: -EOPNOTSUPP.
 */
int gmap_arch_s390x_create(const struct gmap_arch_opts *opts, struct gmap_arch **out)
{
	(void)opts;
	(void)out;
	return -EOPNOTSUPP;
}
