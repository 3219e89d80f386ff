/* SPDX-License-Identifier: MIT */
/*
 * Internal: a chain of callback blocks walked without a lock, shared by
 * the mm's notifiers (src/pgste/notify.c) and a gmap's (src/gmap/notify.c).
 * Linux walks these lists under RCU; here a block is published with a
 * store of the head, unlinked with a store of its predecessor's link, and
 * removal waits until no walk is in progress, so a walker never follows a
 * block its owner may free. Every step that orders unlinking against
 * walking is sequentially consistent: a walk that begins after the wait
 * saw no walkers cannot reach the unlinked block.
 *
 * Blocks are the callers' structs; @off is the offset of their "next"
 * pointer (offsetof()).
 */
#ifndef GMAP_NCHAIN_H
#define GMAP_NCHAIN_H

#include <stddef.h>

#include <atomic_ops.h>

/*
 * struct nchain - the chain.
 * @head: the first block (atomic)
 * @lock: serialises additions and removals
 * @readers: walks in progress (atomic)
 */
struct nchain {
	void *head;
	AO_TS_t lock;
	unsigned long readers;
};

#define NCHAIN_INIT	{ NULL, AO_TS_INITIALIZER, 0 }

static inline void *nchain_load(void *const *link)
{
	return __atomic_load_n(link, __ATOMIC_SEQ_CST);
}

/* The block after @block. */
static inline void *nchain_next(const void *block, size_t off)
{
	return nchain_load((void *const *)((const char *)block + off));
}

/* Bracket a walk: nchain_first() / nchain_next() between the two. */
static inline void *nchain_walk_begin(struct nchain *c)
{
	__atomic_fetch_add(&c->readers, 1, __ATOMIC_SEQ_CST);
	return nchain_load(&c->head);
}

static inline void nchain_walk_end(struct nchain *c)
{
	__atomic_fetch_sub(&c->readers, 1, __ATOMIC_SEQ_CST);
}

/* Add @block at the head. Return: 0, or -EEXIST when it is in the chain. */
int nchain_add(struct nchain *c, void *block, size_t off);
/* Remove @block and wait for the walks that may stand on it. Return: 0,
 * or -ENOENT when it is not in the chain. Not from inside a walk. */
int nchain_del(struct nchain *c, void *block, size_t off);

#endif /* GMAP_NCHAIN_H */
