// SPDX-License-Identifier: MIT
/*
 * The soft backend's storage keys: one key byte per 4 KB frame of
 * absolute storage (PoP 3.4.1 "Storage Key"), kept in an open-addressing
 * hash table keyed by frame number, so any host address can be a frame.
 * A frame never set has key 0; storing key 0 there stores nothing.
 */
#include <errno.h>

#include "soft.h"

#define SKEY_MIN_BITS	6	/* first table: 64 slots */

static size_t skey_slots(unsigned int bits)
{
	return (size_t)1 << bits;
}

static size_t skey_bytes(unsigned int bits)
{
	return skey_slots(bits) * sizeof(struct soft_skey_slot);
}

/* Linear probing from a Fibonacci hash; the table is never full. */
static struct soft_skey_slot *skey_probe(struct soft_skey_slot *slots, unsigned int bits,
					 uint64_t pfn)
{
	size_t mask = skey_slots(bits) - 1;
	size_t i = (size_t)(((pfn + 1) * 0x9e3779b97f4a7c15ULL) >> (64 - bits));

	while (slots[i].pfn1 && slots[i].pfn1 != pfn + 1)
		i = (i + 1) & mask;
	return &slots[i];
}

/* The frame's occupied slot, or NULL; key table lock held. */
static struct soft_skey_slot *skey_find(struct soft_skeys *k, uint64_t pfn)
{
	struct soft_skey_slot *slot;

	if (!k->slots)
		return NULL;
	slot = skey_probe(k->slots, k->bits, pfn);
	return slot->pfn1 ? slot : NULL;
}

/* The new slot count when one more frame is to be added, or 0 when the
 * table has room (at most half full after the insertion). */
static unsigned int skey_grow_bits(const struct soft_skeys *k)
{
	if (!k->slots)
		return SKEY_MIN_BITS;
	if (2 * (k->used + 1) > skey_slots(k->bits))
		return k->bits + 1;
	return 0;
}

/* Move every key into @slots (zeroed, 1 << @bits slots), which becomes
 * the table; the caller frees the old one outside the lock. */
static void skey_rehash(struct soft_skeys *k, struct soft_skey_slot *slots, unsigned int bits)
{
	for (size_t i = 0; k->slots && i < skey_slots(k->bits); i++)
		if (k->slots[i].pfn1)
			*skey_probe(slots, bits, k->slots[i].pfn1 - 1) = k->slots[i];
	k->slots = slots;
	k->bits = bits;
}

/**
 * soft_sske() - the sske op: SET STORAGE KEY EXTENDED.
 * @arch: the backend
 * @cpu: the issuing CPU (unused: keys are machine-wide)
 * @frame: absolute address of the frame; low 12 bits ignored
 * @key: the new key, bit 7 clear (the dispatcher masks it)
 * @flags: GMAP_SSKE_NQ (no effect: the model's TLB holds no keys),
 *	GMAP_SSKE_MR, GMAP_SSKE_MC
 * @old: out (may be NULL): the key before the instruction
 *
 * A frame's first non-zero key takes a slot; the table doubles at half
 * load. The new table is allocated with the lock dropped, then the state
 * is checked again, so allocation never happens under the spin lock.
 *
 * Context: any thread; takes the key table lock; may allocate.
 * Return: 0; -ENOMEM when the table must grow and cannot (keys and *@old
 * untouched).
 */
int soft_sske(struct gmap_arch *arch, unsigned int cpu, uint64_t frame, uint8_t key,
	      unsigned int flags, uint8_t *old)
{
	struct soft_skeys *k = &to_soft(arch)->skeys;
	uint64_t pfn = frame >> GMAP_PAGE_SHIFT;
	struct soft_skey_slot *fresh = NULL, *stale = NULL, *slot;
	unsigned int fresh_bits = 0, stale_bits = 0, want;
	uint8_t prev;

	(void)cpu;
	for (;;) {
		spin_lock(&k->lock);
		slot = skey_find(k, pfn);
		prev = slot ? slot->key : 0;
		if (slot || !arch_sske_stores(prev, key, flags))
			break;
		want = skey_grow_bits(k);
		if (!want) {
			slot = skey_probe(k->slots, k->bits, pfn);
			break;
		}
		if (fresh && fresh_bits == want) {
			stale = k->slots;
			stale_bits = k->bits;
			skey_rehash(k, fresh, want);
			fresh = NULL;
			slot = skey_probe(k->slots, k->bits, pfn);
			break;
		}
		/* Allocate outside the lock, then look again: another CPU
		 * may have stored this key or grown the table meanwhile. */
		spin_unlock(&k->lock);
		gmap_arch_free(arch, fresh, skey_bytes(fresh_bits));
		fresh = gmap_arch_alloc(arch, skey_bytes(want), _Alignof(struct soft_skey_slot));
		if (!fresh)
			return -ENOMEM;
		fresh_bits = want;
	}
	if (arch_sske_stores(prev, key, flags)) {
		if (!slot->pfn1) {
			slot->pfn1 = pfn + 1;
			k->used++;
		}
		slot->key = key;
	}
	spin_unlock(&k->lock);
	if (old)
		*old = prev;
	gmap_arch_free(arch, stale, skey_bytes(stale_bits));
	gmap_arch_free(arch, fresh, skey_bytes(fresh_bits));
	return 0;
}

/* A frame's key, then its @clear bits reset (a frame never set: 0). */
static uint8_t skey_get_clear(struct gmap_arch *arch, uint64_t frame, uint8_t clear)
{
	struct soft_skeys *k = &to_soft(arch)->skeys;
	struct soft_skey_slot *slot;
	uint8_t key;

	spin_lock(&k->lock);
	slot = skey_find(k, frame >> GMAP_PAGE_SHIFT);
	key = slot ? slot->key : 0;
	if (slot)
		slot->key &= (uint8_t)~clear;
	spin_unlock(&k->lock);
	return key;
}

/**
 * soft_iske() - the iske op: INSERT STORAGE KEY EXTENDED.
 * @arch: the backend
 * @frame: absolute address of the frame
 *
 * Context: any thread; takes the key table lock.
 * Return: the key; 0 for a frame never set.
 */
uint8_t soft_iske(struct gmap_arch *arch, uint64_t frame)
{
	return skey_get_clear(arch, frame, 0);
}

/**
 * soft_rrbe() - the rrbe op: RESET REFERENCE BIT EXTENDED.
 * @arch: the backend
 * @frame: absolute address of the frame
 *
 * Context: any thread; takes the key table lock.
 * Return: condition code 0-3: 2 * old R + old C.
 */
int soft_rrbe(struct gmap_arch *arch, uint64_t frame)
{
	uint8_t key = skey_get_clear(arch, frame, GMAP_SKEY_R);

	return ((key & GMAP_SKEY_R) ? 2 : 0) | ((key & GMAP_SKEY_C) ? 1 : 0);
}

/**
 * soft_skeys_free() - release the key table.
 * @s: the backend
 *
 * Context: no other thread may use @s.
 */
void soft_skeys_free(struct soft_arch *s)
{
	if (s->skeys.slots)
		gmap_arch_free(&s->base, s->skeys.slots, skey_bytes(s->skeys.bits));
}
