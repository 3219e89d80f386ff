// SPDX-License-Identifier: MIT
/*
 * The radix tree behind guest_to_host and host_to_guest: 64 slots per
 * node, grown in height on demand, so a small guest's lookup reads two
 * nodes. Readers take no lock: the root word and every slot are read with
 * acquire loads, and a node is published with a release store (or a
 * compare-and-swap) only once it is zeroed, so a reader sees either no
 * node or an empty one. Nodes are freed only by radix_destroy(), so a
 * reader racing with a delete reads a stale value, never freed memory.
 *
 * The root word is the top node's address with the tree's height (1 to
 * RADIX_MAX_HEIGHT levels) in its low bits; nodes are aligned to their
 * size, so those bits are free.
 */
#include <assert.h>
#include <errno.h>

#include "gmap_impl.h"

#define RADIX_SHIFT		6
#define RADIX_SLOTS		(1u << RADIX_SHIFT)
#define RADIX_NODE_BYTES	(RADIX_SLOTS * sizeof(AO_t))
/* 11 levels of 6 bits cover a 64-bit index. */
#define RADIX_MAX_HEIGHT	11
#define RADIX_HEIGHT_MASK	0xfULL

static_assert(RADIX_NODE_BYTES > RADIX_HEIGHT_MASK, "node alignment holds the height");

struct radix_node {
	AO_t slot[RADIX_SLOTS];
};

static unsigned int slot_of(uint64_t index, unsigned int level)
{
	return (unsigned int)(index >> (RADIX_SHIFT * level)) & (RADIX_SLOTS - 1);
}

/* The height a tree needs to hold @index. */
static unsigned int height_for(uint64_t index)
{
	unsigned int bits = index ? 64 - (unsigned int)__builtin_clzll(index) : 1;

	return (bits + RADIX_SHIFT - 1) / RADIX_SHIFT;
}

static struct radix_node *root_node(AO_t root)
{
	return (struct radix_node *)(root & ~(AO_t)RADIX_HEIGHT_MASK);
}

static unsigned int root_height(AO_t root)
{
	return (unsigned int)(root & RADIX_HEIGHT_MASK);
}

/**
 * radix_init() - make an empty tree.
 * @r: the tree
 * @arch: the backend whose allocation hook supplies the nodes
 *
 * Context: before any other use of @r.
 */
void radix_init(struct gmap_radix *r, struct gmap_arch *arch)
{
	r->arch = arch;
	AO_store(&r->root, 0);
	r->bytes = 0;
}

static void free_node(struct gmap_radix *r, struct radix_node *n, unsigned int height)
{
	for (unsigned int i = 0; height > 1 && i < RADIX_SLOTS; i++)
		if (n->slot[i])
			free_node(r, (struct radix_node *)n->slot[i], height - 1);
	gmap_arch_free(r->arch, n, RADIX_NODE_BYTES);
}

/**
 * radix_destroy() - free every node; the tree is empty afterwards.
 * @r: the tree
 *
 * Context: no reader may use the tree any more.
 */
void radix_destroy(struct gmap_radix *r)
{
	AO_t root = AO_load(&r->root);

	if (root)
		free_node(r, root_node(root), root_height(root));
	radix_init(r, r->arch);
}

/* The leaf slot of @index, or NULL when a node on the way is missing. */
static AO_t *leaf_slot(const struct gmap_radix *r, uint64_t index)
{
	AO_t root = AO_load_acquire(&r->root);
	unsigned int h = root_height(root);
	struct radix_node *n = root_node(root);

	if (!root || height_for(index) > h)
		return NULL;
	while (--h) {
		n = (struct radix_node *)AO_load_acquire(&n->slot[slot_of(index, h)]);
		if (!n)
			return NULL;
	}
	return &n->slot[slot_of(index, 0)];
}

/**
 * radix_lookup() - the value stored at an index.
 * @r: the tree
 * @index: the index
 *
 * Context: any thread; lock-free.
 * Return: the value, or 0 when absent.
 */
uint64_t radix_lookup(const struct gmap_radix *r, uint64_t index)
{
	AO_t *slot = leaf_slot(r, index);

	return slot ? AO_load_acquire(slot) : 0;
}

/* Nodes missing on the way to @index. Other writers only add nodes, so
 * the count stays an upper bound, but for one race: a writer that makes
 * the first root lower than this index needs may leave more levels to
 * grow than counted (publish_path() then returns -EAGAIN). */
static unsigned int missing_nodes(const struct gmap_radix *r, uint64_t index)
{
	AO_t root = AO_load_acquire(&r->root);
	unsigned int need = height_for(index), h = root_height(root);
	struct radix_node *n = root_node(root);

	if (!root)
		return need;
	/* Growing chains the new top nodes through slot 0, and an index
	 * that needs them has a non-zero top slot: its path leaves the
	 * chain at once and needs a node at every level below the top. */
	if (need > h)
		return need - h + need - 1;
	while (--h) {
		n = (struct radix_node *)AO_load_acquire(&n->slot[slot_of(index, h)]);
		if (!n)
			return h;
	}
	return 0;
}

/* Take a preallocated node from @pool. */
static struct radix_node *pool_take(struct radix_node **pool, unsigned int *npool)
{
	return *npool ? pool[--*npool] : NULL;
}

/* Publish the path to @index from the pool; a slot another writer filled
 * meanwhile is followed instead. Return: 0, or -EAGAIN when the pool ran
 * short. */
static int publish_path(struct gmap_radix *r, uint64_t index, struct radix_node **pool,
			unsigned int *npool)
{
	AO_t root = AO_load_acquire(&r->root);
	unsigned int need = height_for(index), h;
	struct radix_node *n;

	while (!root || root_height(root) < need) {
		struct radix_node *top = pool_take(pool, npool);
		unsigned int nh = root ? root_height(root) + 1 : need;

		if (!top)
			return -EAGAIN;
		top->slot[0] = (AO_t)root_node(root);
		if (!AO_compare_and_swap_release(&r->root, root, (AO_t)top | nh)) {
			top->slot[0] = 0;
			pool[(*npool)++] = top;
		}
		root = AO_load_acquire(&r->root);
	}
	h = root_height(root);
	n = root_node(root);
	while (--h) {
		AO_t *slot = &n->slot[slot_of(index, h)];
		struct radix_node *next = (struct radix_node *)AO_load_acquire(slot);

		if (!next) {
			next = pool_take(pool, npool);
			if (!next)
				return -EAGAIN;
			if (!AO_compare_and_swap_release(slot, 0, (AO_t)next)) {
				pool[(*npool)++] = next;
				next = (struct radix_node *)AO_load_acquire(slot);
			}
		}
		n = next;
	}
	return 0;
}

/**
 * radix_reserve() - make sure an insert of an index cannot fail.
 * @r: the tree
 * @index: the index
 *
 * Allocates every missing node first, then publishes them; nodes another
 * thread published meanwhile are used and the spare ones freed. The
 * lookups of the tree do not change; the nodes stay (empty) until
 * radix_destroy(), also when a later allocation of the caller fails.
 *
 * Context: any thread; need not hold the owner's lock; allocates.
 * Return: 0; -ENOMEM with no node published (but in a race with another
 * reserve, where the nodes of a first attempt may stay published).
 */
int radix_reserve(struct gmap_radix *r, uint64_t index)
{
	struct radix_node *pool[2 * RADIX_MAX_HEIGHT];
	unsigned int npool, want;
	int rc;

	do {
		want = missing_nodes(r, index);
		for (npool = 0; npool < want; npool++) {
			pool[npool] = gmap_arch_alloc(r->arch, RADIX_NODE_BYTES, RADIX_NODE_BYTES);
			if (!pool[npool]) {
				while (npool)
					gmap_arch_free(r->arch, pool[--npool], RADIX_NODE_BYTES);
				return -ENOMEM;
			}
		}
		rc = publish_path(r, index, pool, &npool);
		__atomic_fetch_add(&r->bytes, (want - npool) * RADIX_NODE_BYTES,
				   __ATOMIC_RELAXED);
		while (npool)
			gmap_arch_free(r->arch, pool[--npool], RADIX_NODE_BYTES);
	} while (rc);
	return 0;
}

/**
 * radix_insert() - store a value.
 * @r: the tree
 * @index: the index
 * @value: the value (non-zero)
 *
 * Context: the owner's lock held; allocates unless radix_reserve() ran.
 * Return: 0; -ENOMEM with nothing changed.
 */
int radix_insert(struct gmap_radix *r, uint64_t index, uint64_t value)
{
	int rc = radix_reserve(r, index);

	if (!rc)
		AO_store_release(leaf_slot(r, index), (AO_t)value);
	return rc;
}

/**
 * radix_delete() - remove an index.
 * @r: the tree
 * @index: the index
 *
 * Context: the owner's lock held.
 * Return: the old value, or 0 when absent.
 */
uint64_t radix_delete(struct gmap_radix *r, uint64_t index)
{
	AO_t *slot = leaf_slot(r, index);
	uint64_t old;

	if (!slot)
		return 0;
	old = AO_load(slot);
	if (old)
		AO_store_release(slot, 0);
	return old;
}

static int for_each_node(const struct radix_node *n, unsigned int height, uint64_t base,
			 int (*fn)(uint64_t index, uint64_t value, void *priv), void *priv)
{
	for (unsigned int i = 0; i < RADIX_SLOTS; i++) {
		AO_t v = AO_load_acquire((AO_t *)&n->slot[i]);
		uint64_t index = base | ((uint64_t)i << (RADIX_SHIFT * (height - 1)));
		int rc;

		if (!v)
			continue;
		if (height > 1)
			rc = for_each_node((const struct radix_node *)v, height - 1, index, fn,
					   priv);
		else
			rc = fn(index, v, priv);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * radix_for_each() - call a function for each present index, in order.
 * @r: the tree
 * @fn: called with each index and its value; a non-zero return stops
 * @priv: passed to @fn
 *
 * Context: any thread; lock-free (changes meanwhile may or may not be
 * seen).
 * Return: 0, or the first non-zero value of @fn.
 */
int radix_for_each(const struct gmap_radix *r,
		   int (*fn)(uint64_t index, uint64_t value, void *priv), void *priv)
{
	AO_t root = AO_load_acquire((AO_t *)&r->root);

	if (!root)
		return 0;
	return for_each_node(root_node(root), root_height(root), 0, fn, priv);
}
