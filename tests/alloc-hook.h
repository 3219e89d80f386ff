/* SPDX-License-Identifier: MIT */
/*
 * The tests' allocation hook: counts calls, live allocations and bytes,
 * and fails the Nth call (once, or for good), so every error path of an
 * allocating operation can be reached.
 */
#ifndef GMAP_TEST_ALLOC_HOOK_H
#define GMAP_TEST_ALLOC_HOOK_H

#include <stdbool.h>

#include <libgmap/arch.h>

/**
 * struct alloc_hook - the hook's state, passed as the ops' priv.
 * @calls: allocations asked for so far
 * @fail_at: the call number that fails (0: none)
 * @for_good: every call after @fail_at fails too
 * @live: allocations not yet freed
 * @bytes: bytes not yet freed (each free names the size it allocated)
 */
struct alloc_hook {
	unsigned long calls;
	unsigned long fail_at;
	bool for_good;
	long live;
	long bytes;
};

/* The ops; use with a struct alloc_hook as alloc_priv. */
extern const struct gmap_alloc_ops alloc_hook_ops;

#endif /* GMAP_TEST_ALLOC_HOOK_H */
