// SPDX-License-Identifier: MIT
/*
 * The counting, failing allocation hook (alloc-hook.h). Threaded tests
 * allocate from several threads at once: the counters are atomics.
 */
#include <stdlib.h>

#include "alloc-hook.h"

static void *hook_alloc(void *priv, size_t size, size_t align)
{
	struct alloc_hook *h = priv;
	unsigned long call = __atomic_add_fetch(&h->calls, 1, __ATOMIC_RELAXED);
	unsigned long fail_at = __atomic_load_n(&h->fail_at, __ATOMIC_RELAXED);
	void *p;

	if (fail_at && (call == fail_at || (h->for_good && call > fail_at)))
		return NULL;
	p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
	if (p) {
		__atomic_add_fetch(&h->live, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&h->bytes, (long)size, __ATOMIC_RELAXED);
	}
	return p;
}

static void hook_free(void *priv, void *ptr, size_t size)
{
	struct alloc_hook *h = priv;

	if (ptr) {
		__atomic_sub_fetch(&h->live, 1, __ATOMIC_RELAXED);
		__atomic_sub_fetch(&h->bytes, (long)size, __ATOMIC_RELAXED);
	}
	free(ptr);
}

const struct gmap_alloc_ops alloc_hook_ops = { .alloc = hook_alloc, .free = hook_free };
