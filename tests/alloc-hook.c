// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include "alloc-hook.h"

static void *hook_alloc(void *priv, size_t size, size_t align)
{
	struct alloc_hook *h = priv;
	void *p;

	h->calls++;
	if (h->fail_at && (h->calls == h->fail_at || (h->for_good && h->calls > h->fail_at)))
		return NULL;
	p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
	if (p) {
		h->live++;
		h->bytes += (long)size;
	}
	return p;
}

static void hook_free(void *priv, void *ptr, size_t size)
{
	struct alloc_hook *h = priv;

	if (ptr) {
		h->live--;
		h->bytes -= (long)size;
	}
	free(ptr);
}

const struct gmap_alloc_ops alloc_hook_ops = { .alloc = hook_alloc, .free = hook_free };
