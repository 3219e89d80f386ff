/* SPDX-License-Identifier: MIT */
/*
 * Internal: the spin lock of every layer (TLBs and keys of the soft
 * backend, the mm's page-table, notifier and pool locks, a gmap's table
 * lock). Sections are a few dozen instructions, so a waiter spins; past
 * SPIN_YIELD_AFTER tries it yields, so a preempted holder (more threads
 * than cores, or Valgrind running one thread at a time) gets to run and
 * release the lock.
 */
#ifndef GMAP_SPIN_H
#define GMAP_SPIN_H

#include <sched.h>

#include <atomic_ops.h>

#define SPIN_YIELD_AFTER	64

static inline void spin_lock(AO_TS_t *lock)
{
	for (unsigned int n = 0; AO_test_and_set_acquire(lock) == AO_TS_SET; n++)
		if (n >= SPIN_YIELD_AFTER)
			sched_yield();
}

static inline void spin_unlock(AO_TS_t *lock)
{
	AO_CLEAR(lock);
}

#endif /* GMAP_SPIN_H */
