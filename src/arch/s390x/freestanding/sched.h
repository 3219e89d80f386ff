/* SPDX-License-Identifier: MIT */
/*
 * Freestanding build: the soft backend's spin locks yield to the holder
 * after a while; without an operating system there is no one to yield
 * to, so the wait just goes on spinning.
 */
#ifndef GMAP_FREESTANDING_SCHED_H
#define GMAP_FREESTANDING_SCHED_H

static inline int sched_yield(void)
{
	return 0;
}

#endif /* GMAP_FREESTANDING_SCHED_H */
