// SPDX-License-Identifier: MIT
/*
 * Adding to and removing from a chain of callback blocks (nchain.h).
 */
#include <errno.h>
#include <sched.h>

#include "pgste_impl.h"

/* The link pointing at @block, or the terminating NULL link; lock held. */
static void **find_link(struct nchain *c, void *block, size_t off)
{
	void **link = &c->head;

	while (*link && *link != block)
		link = (void **)((char *)*link + off);
	return link;
}

int nchain_add(struct nchain *c, void *block, size_t off)
{
	int rc = -EEXIST;

	spin_lock(&c->lock);
	if (!*find_link(c, block, off)) {
		*(void **)((char *)block + off) = c->head;
		__atomic_store_n(&c->head, block, __ATOMIC_SEQ_CST);
		rc = 0;
	}
	spin_unlock(&c->lock);
	return rc;
}

int nchain_del(struct nchain *c, void *block, size_t off)
{
	void **link, **next = (void **)((char *)block + off);

	spin_lock(&c->lock);
	link = find_link(c, block, off);
	if (!*link) {
		spin_unlock(&c->lock);
		return -ENOENT;
	}
	__atomic_store_n(link, *next, __ATOMIC_SEQ_CST);
	spin_unlock(&c->lock);
	/* The grace period: walks that may stand on @block finish. */
	while (__atomic_load_n(&c->readers, __ATOMIC_SEQ_CST))
		sched_yield();
	*next = NULL;
	return 0;
}
