// SPDX-License-Identifier: MIT
/*
 * The soft backend's TLB model: one set-associative TLB per modelled CPU,
 * entries tagged by ASCE, a large frame (1 MB, 2 GB) held as one entry;
 * the translate op that fills and (in strict mode) answers from it; and
 * the instructions that purge it: IPTE, IDTE, CSP, PTLB.
 *
 * An entry remembers every table entry the walk went through, so an
 * invalidation finds exactly the translations formed through the table
 * entry it names, as the PoP requires of IPTE and IDTE (PoP 10,
 * "INVALIDATE PAGE TABLE ENTRY", "INVALIDATE DAT TABLE ENTRY").
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "dat/dat_impl.h"
#include "soft.h"

static_assert(SOFT_PATH_MAX == sizeof(((struct gmap_dat_path *)0)->e) /
				sizeof(((struct gmap_dat_path *)0)->e[0]),
	      "a TLB entry records a whole walk");

/* What one lookup probes: a page entry, then the two large frame sizes. */
static const uint8_t tlb_shifts[] = {
	GMAP_PAGE_SHIFT, GMAP_SEGMENT_SHIFT, GMAP_REGION3_SHIFT,
};

DAT_INLINE uint64_t frame_base(uint64_t vaddr, unsigned int shift)
{
	return vaddr & ~((1ULL << shift) - 1);
}

/*
 * The first way of the set that holds translations of @vaddr's frame of
 * 2^@shift bytes. Adding the shift puts frame n of each size in a
 * different set, so pages and large frames near each other do not
 * compete.
 */
DAT_INLINE struct soft_tlbe *tlb_set(const struct soft_arch *s, struct soft_tlb *tlb,
				 uint64_t vaddr, unsigned int shift)
{
	return &tlb->e[(((vaddr >> shift) + shift) & s->set_mask) * s->ways];
}

/*
 * Entries are read without the lock on a strict-mode hit, so every field
 * such a read looks at is loaded and stored as a (relaxed) atomic; the
 * per-TLB sequence count tells a reader whether a writer interfered.
 */
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Bracket a change of @tlb's entries; @tlb->lock held. */
static void tlb_write_begin(struct soft_tlb *tlb)
{
	STORE(tlb->seq, LOAD(tlb->seq) + 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void tlb_write_end(struct soft_tlb *tlb)
{
	__atomic_store_n(&tlb->seq, LOAD(tlb->seq) + 1, __ATOMIC_RELEASE);
}

/* The tag of a translation of @vaddr's frame of 2^@shift bytes. */
DAT_INLINE uint64_t tlb_tag(uint64_t vaddr, unsigned int shift)
{
	return frame_base(vaddr, shift) | shift;
}

DAT_INLINE bool tlbe_is(const struct soft_tlbe *e, uint64_t asce, uint64_t tag)
{
	return LOAD(e->tag) == tag && LOAD(e->asce) == asce;
}

/* The entry of @tlb that translates @vaddr under @asce, if any. */
DAT_INLINE struct soft_tlbe *tlb_find(const struct soft_arch *s, struct soft_tlb *tlb,
				  uint64_t asce, uint64_t vaddr)
{
	for (size_t i = 0; i < sizeof(tlb_shifts); i++) {
		struct soft_tlbe *set = tlb_set(s, tlb, vaddr, tlb_shifts[i]);
		uint64_t tag = tlb_tag(vaddr, tlb_shifts[i]);

		for (unsigned int w = 0; w < s->ways; w++)
			if (tlbe_is(&set[w], asce, tag))
				return &set[w];
	}
	return NULL;
}

/* Copy what a translation needs out of entry @src (not its path). */
DAT_INLINE void tlbe_load(struct soft_tlbe *dst, const struct soft_tlbe *src)
{
	dst->tag = LOAD(src->tag);
	dst->level = LOAD(src->level);
	dst->prot = LOAD(src->prot);
	dst->iep = LOAD(src->iep);
	dst->accf = LOAD(src->accf);
	dst->acc = LOAD(src->acc);
	dst->fp = LOAD(src->fp);
	dst->frame = LOAD(src->frame);
}

/* Write @src into entry @dst; @tlb->lock held, inside a write bracket. */
static void tlbe_store(struct soft_tlbe *dst, const struct soft_tlbe *src)
{
	STORE(dst->tag, src->tag);
	STORE(dst->level, src->level);
	STORE(dst->n, src->n);
	STORE(dst->prot, src->prot);
	STORE(dst->iep, src->iep);
	STORE(dst->accf, src->accf);
	STORE(dst->acc, src->acc);
	STORE(dst->fp, src->fp);
	STORE(dst->asce, src->asce);
	STORE(dst->frame, src->frame);
	for (unsigned int i = 0; i < SOFT_PATH_MAX; i++)
		STORE(dst->addr[i], src->addr[i]);
}

/*
 * Answer a translation from a TLB entry alone, without reading the tables:
 * the byte's address from the frame base (prefixing for a page frame, as
 * the walker does), then the walker's own protection and TEID rules. The
 * entry's fields are read as atomics: a strict-mode hit reads a live entry.
 */
DAT_INLINE void tlbe_translate(const struct soft_tlbe *e, uint64_t vaddr,
			   const struct gmap_dat_request *req, struct gmap_dat_result *res)
{
	uint64_t tag = LOAD(e->tag), frame = LOAD(e->frame), abs;
	int8_t level = LOAD(e->level);

	if (level == GMAP_LEVEL_PAGE)
		abs = gmap_dat_real_to_abs(req->prefix, frame | GMAP_VA_BX(vaddr));
	else
		abs = frame | (vaddr - soft_tag_vbase(tag));
	res->level = level;
	res->accf = LOAD(e->accf);
	res->acc = LOAD(e->acc);
	res->fp = LOAD(e->fp);
	dat_finish(res, vaddr, req, abs, soft_tag_shift(tag), LOAD(e->prot), LOAD(e->iep));
}

/*
 * A strict-mode hit without the lock: find the entry and translate from
 * it, and keep the answer only if no writer changed the TLB meanwhile (a
 * sequence lock). Return: true with @res filled on a clean hit.
 */
DAT_INLINE bool tlb_read_fast(const struct soft_arch *s, struct soft_tlb *tlb, uint64_t asce,
			  uint64_t vaddr, const struct gmap_dat_request *req,
			  struct gmap_dat_result *res)
{
	unsigned long seq = __atomic_load_n(&tlb->seq, __ATOMIC_ACQUIRE);
	const struct soft_tlbe *hit;

	if (seq & 1)
		return false;
	hit = tlb_find(s, tlb, asce, vaddr);
	if (!hit)
		return false;
	tlbe_translate(hit, vaddr, req, res);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return LOAD(tlb->seq) == seq;
}

/* The path filter's bit for the 2 KB block of table-entry address @addr
 * (a multiplicative hash of the block number). */
static unsigned int path_bit(uint64_t addr)
{
	return (unsigned int)(((addr >> 11) * 0x9e3779b97f4a7c15ULL) >> 56) %
	       (SOFT_PATH_FILTER_WORDS * 64);
}

/* Record the blocks of @e's path in the filter; lock held. */
static void paths_add(struct soft_tlb *tlb, const struct soft_tlbe *e)
{
	for (unsigned int i = 0; i < e->n; i++) {
		unsigned int b = path_bit(e->addr[i]);

		tlb->paths[b / 64] |= 1ULL << (b % 64);
	}
}

/* Put @e in its set: over the entry of the same translation, else in a
 * free way, else over the round-robin victim; lock held. */
static void tlb_insert(const struct soft_arch *s, struct soft_tlb *tlb,
		       const struct soft_tlbe *e)
{
	struct soft_tlbe *set = tlb_set(s, tlb, e->tag, soft_tag_shift(e->tag));
	unsigned int w, free_way = s->ways;

	for (w = 0; w < s->ways; w++) {
		if (tlbe_is(&set[w], e->asce, e->tag))
			break;
		if (!set[w].tag && free_way == s->ways)
			free_way = w;
	}
	if (w == s->ways)
		w = free_way < s->ways ? free_way : tlb->victim++ % s->ways;
	tlbe_store(&set[w], e);
	paths_add(tlb, e);
}

/*
 * Form a TLB entry from a walk. Only translations are cached (a
 * protection exception is one: the frame is known, the access is not
 * allowed), never other exceptions, and never real-space ASCEs.
 * Return: true when @e was formed.
 */
static bool tlbe_form(struct soft_tlbe *e, gmap_asce_t asce, uint64_t vaddr,
		      const struct gmap_dat_result *res, const struct gmap_dat_path *path)
{
	unsigned int shift;

	if (res->pic != GMAP_PIC_NONE && res->pic != GMAP_PIC_PROTECTION)
		return false;
	switch (res->level) {
	case GMAP_LEVEL_PAGE:
		shift = GMAP_PAGE_SHIFT;
		/* The pte's address is real; prefixing happens on each use. */
		e->frame = path->e[path->n - 1].val & GMAP_PTE_PFRA;
		break;
	case GMAP_TT_SEGMENT:
	case GMAP_TT_REGION3:
		shift = dat_index_shift(res->level);
		e->frame = frame_base(res->addr, shift);
		break;
	default:
		/* GMAP_LEVEL_REAL: a real-space ASCE, never cached. */
		return false;
	}
	e->tag = tlb_tag(vaddr, shift);
	e->level = res->level;
	e->n = (uint8_t)path->n;
	e->prot = res->prot;
	e->iep = res->iep;
	e->accf = res->accf;
	e->acc = res->acc;
	e->fp = res->fp;
	e->asce = asce.val;
	for (unsigned int i = 0; i < path->n; i++)
		e->addr[i] = path->e[i].addr;
	return true;
}

/**
 * soft_translate() - the translate op: translate through CPU @cpu's TLB.
 * @arch: the backend
 * @cpu: the CPU (valid: checked by the dispatcher)
 * @vaddr: virtual address in the CPU's primary space
 * @access: enum gmap_dat_access
 * @prefix: the CPU's prefix
 * @res: out: the result, as gmap_dat_translate() gives it
 *
 * On a hit in strict mode the answer comes from the entry alone, the
 * tables are not read. Otherwise the tables are walked and the entry
 * inserted (strict) or refreshed (non-strict); the insertion is dropped
 * when a purge of this TLB ran during the walk, so an IPTE/IDTE that
 * completed cannot be undone by a walk that read the old entry.
 *
 * Context: any thread; a strict-mode hit takes no lock (it reads under
 * the TLB's sequence count); otherwise @cpu's TLB lock, twice, briefly.
 * Return: 0 with @res filled; the walker's negative errno.
 */
int soft_translate(struct gmap_arch *arch, unsigned int cpu, uint64_t vaddr,
		   enum gmap_dat_access access, uint64_t prefix, struct gmap_dat_result *res)
{
	struct soft_arch *s = to_soft(arch);
	struct soft_tlb *tlb = &s->tlb[cpu];
	gmap_asce_t asce = arch->cpu_asce[cpu];
	struct gmap_dat_request req = {
		.access = access,
		.as = GMAP_AS_PRIMARY,
		.facilities = arch->facilities,
		.prefix = prefix,
	};
	struct gmap_dat_path path;
	struct soft_tlbe e, *hit;
	unsigned long gen;
	bool cached, formed;
	int rc;

	if (s->strict && tlb_read_fast(s, tlb, asce.val, vaddr, &req, res))
		return 0;

	spin_lock(&tlb->lock);
	gen = tlb->gen;
	hit = tlb_find(s, tlb, asce.val, vaddr);
	cached = hit != NULL;
	if (cached)
		tlbe_load(&e, hit);
	spin_unlock(&tlb->lock);

	if (cached && s->strict) {
		tlbe_translate(&e, vaddr, &req, res);
		return 0;
	}

	rc = gmap_dat_translate_path(&s->mem, asce, vaddr, &req, res, &path);
	if (rc)
		return rc;
	e = (struct soft_tlbe){ 0 };
	formed = tlbe_form(&e, asce, vaddr, res, &path);
	if (!formed && !cached)
		return 0;

	spin_lock(&tlb->lock);
	tlb_write_begin(tlb);
	if (cached) {
		/* Refresh: the walk replaces what the TLB held. */
		hit = tlb_find(s, tlb, asce.val, vaddr);
		if (hit)
			STORE(hit->tag, 0);
	}
	if (formed && tlb->gen == gen)
		tlb_insert(s, tlb, &e);
	tlb_write_end(tlb);
	spin_unlock(&tlb->lock);
	return 0;
}

/**
 * soft_tlb_lookup() - the tlb_lookup op: what CPU @cpu's TLB holds.
 * @arch: the backend
 * @cpu: the CPU
 * @asce: the ASCE the entry must have been formed with (all bits equal)
 * @vaddr: the virtual address
 * @res: out: the entry's translation for a fetch with prefix 0, so the
 *	address of a 4 KB page is the real address the pte holds
 *
 * Context: any thread; takes @cpu's TLB lock.
 * Return: 1 when found, 0 when not.
 */
int soft_tlb_lookup(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		    uint64_t vaddr, struct gmap_dat_result *res)
{
	struct soft_arch *s = to_soft(arch);
	struct soft_tlb *tlb = &s->tlb[cpu];
	struct gmap_dat_request req = {
		.access = GMAP_DAT_FETCH,
		.as = GMAP_AS_PRIMARY,
		.facilities = arch->facilities,
	};
	struct soft_tlbe e, *hit;

	spin_lock(&tlb->lock);
	hit = tlb_find(s, tlb, asce.val, vaddr);
	if (hit)
		tlbe_load(&e, hit);
	spin_unlock(&tlb->lock);
	if (!hit)
		return 0;
	tlbe_translate(&e, vaddr, &req, res);
	return 1;
}

/**
 * soft_tlb_count() - the tlb_count op: valid entries in @cpu's TLB.
 * @arch: the backend
 * @cpu: the CPU
 *
 * Context: any thread; takes @cpu's TLB lock.
 * Return: the number of valid entries.
 */
int soft_tlb_count(struct gmap_arch *arch, unsigned int cpu)
{
	struct soft_arch *s = to_soft(arch);
	struct soft_tlb *tlb = &s->tlb[cpu];
	int n = 0;

	spin_lock(&tlb->lock);
	for (unsigned int i = 0; i < s->tlb_entries; i++)
		n += tlb->e[i].tag != 0;
	spin_unlock(&tlb->lock);
	return n;
}

/**
 * soft_purge_gen() - the purge_gen op: @cpu's purge count in strict mode.
 * @arch: the backend
 * @cpu: the CPU
 *
 * Context: any thread.
 * Return: the count's address; NULL outside strict mode.
 */
const unsigned long *soft_purge_gen(struct gmap_arch *arch, unsigned int cpu)
{
	struct soft_arch *s = to_soft(arch);

	return s->strict ? &s->tlb[cpu].gen : NULL;
}

/**
 * soft_purge_count() - the purge_count op: @cpu's purge count in any mode
 * (the soft IPTE and IDTE do not wait for stores under way).
 * @arch: the backend
 * @cpu: the CPU
 *
 * Context: any thread.
 * Return: the count's address.
 */
const unsigned long *soft_purge_count(struct gmap_arch *arch, unsigned int cpu)
{
	return &to_soft(arch)->tlb[cpu].gen;
}

/*
 * struct tlb_sel - which entries a purge removes.
 * @lo: first table-entry address of interest
 * @hi: end of them (exclusive); 0: the entries' paths do not matter
 * @by_asce: only entries formed with an ASCE of @asce's table origin and
 *	designation type
 * @asce: see @by_asce
 */
struct tlb_sel {
	uint64_t lo;
	uint64_t hi;
	bool by_asce;
	uint64_t asce;
};

static bool tlbe_selected(const struct soft_tlbe *e, const struct tlb_sel *sel)
{
	if (!e->tag)
		return false;
	if (sel->by_asce &&
	    ((e->asce ^ sel->asce) & (GMAP_ASCE_ORIGIN | GMAP_ASCE_DT_MASK)))
		return false;
	if (!sel->hi)
		return true;
	for (unsigned int i = 0; i < e->n; i++)
		if (e->addr[i] >= sel->lo && e->addr[i] < sel->hi)
			return true;
	return false;
}

/* Whether @tlb may hold an entry formed through a table entry @sel names:
 * a purge by path only, of entries in blocks whose filter bit is set. */
static bool paths_may_hold(const struct soft_tlb *tlb, const struct tlb_sel *sel)
{
	if (!sel->hi)
		return true;
	for (uint64_t a = sel->lo & ~0x7ffULL; a < sel->hi; a += 0x800) {
		unsigned int b = path_bit(a);

		if (tlb->paths[b / 64] & (1ULL << (b % 64)))
			return true;
	}
	return false;
}

/* Purge the selected entries from @cpu's TLB only (GMAP_INV_LOCAL) or
 * from every CPU's, one TLB lock at a time. Every purge counts in the
 * TLB's purge count; the scan, which also rebuilds the path filter from
 * the entries that stay, is left out when the filter shows no entry can
 * be selected. */
static void tlb_purge(struct soft_arch *s, unsigned int cpu, unsigned int flags,
		      const struct tlb_sel *sel)
{
	unsigned int first = (flags & GMAP_INV_LOCAL) ? cpu : 0;
	unsigned int last = (flags & GMAP_INV_LOCAL) ? cpu : s->base.ncpus - 1;

	for (unsigned int c = first; c <= last; c++) {
		struct soft_tlb *tlb = &s->tlb[c];

		spin_lock(&tlb->lock);
		__atomic_store_n(&tlb->gen, tlb->gen + 1, __ATOMIC_RELEASE);
		if (paths_may_hold(tlb, sel)) {
			tlb_write_begin(tlb);
			memset(tlb->paths, 0, sizeof(tlb->paths));
			for (unsigned int i = 0; i < s->tlb_entries; i++) {
				if (tlbe_selected(&tlb->e[i], sel))
					STORE(tlb->e[i].tag, 0);
				else if (tlb->e[i].tag)
					paths_add(tlb, &tlb->e[i]);
			}
			tlb_write_end(tlb);
		}
		spin_unlock(&tlb->lock);
	}
}

/* Set an invalid bit in a table entry, atomically against other CPUs. */
static void entry_set_bit(uint64_t *word, uint64_t bit)
{
	volatile AO_t *w = (volatile AO_t *)word;
	AO_t old;

	do
		old = AO_load(w);
	while (!AO_compare_and_swap_full(w, old, old | bit));
}

/**
 * soft_ipte() - the ipte op: INVALIDATE PAGE TABLE ENTRY (range form too).
 * @arch: the backend
 * @cpu: the issuing CPU
 * @asce: purge only entries formed with this ASCE's table origin and
 *	designation type; 0: any ASCE
 * @vaddr: virtual address of the first page; unused: the model finds
 *	entries by the pte they were formed through, which the hardware
 *	would locate from @vaddr
 * @ptep: the first pte
 * @nr: number of consecutive ptes
 * @flags: GMAP_INV_LOCAL
 *
 * Sets the I bit of every pte first, then purges the TLBs.
 *
 * Context: any thread; takes each target CPU's TLB lock in turn.
 */
void soft_ipte(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce, uint64_t vaddr,
	       gmap_pte_t *ptep, unsigned int nr, unsigned int flags)
{
	struct soft_arch *s = to_soft(arch);
	struct tlb_sel sel = {
		.lo = soft_entry_addr(s, ptep),
		.hi = soft_entry_addr(s, ptep + nr),
		.by_asce = asce.val != 0,
		.asce = asce.val,
	};

	(void)vaddr;
	for (unsigned int i = 0; i < nr; i++)
		entry_set_bit(&ptep[i].val, soft_entry_bit(s, GMAP_PTE_I));
	tlb_purge(s, cpu, flags, &sel);
}

/**
 * soft_idte() - the idte op: INVALIDATE DAT TABLE ENTRY for one crste.
 * @arch: the backend
 * @cpu: the issuing CPU
 * @asce: as for soft_ipte()
 * @vaddr: unused, as for soft_ipte()
 * @crstep: the region or segment entry
 * @flags: GMAP_INV_LOCAL, GMAP_INV_NODAT
 *
 * Sets the entry's I bit (not with GMAP_INV_NODAT), then purges every TLB
 * entry formed through it: all translations below it.
 *
 * Context: any thread; takes each target CPU's TLB lock in turn.
 */
void soft_idte(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce, uint64_t vaddr,
	       gmap_crste_t *crstep, unsigned int flags)
{
	struct soft_arch *s = to_soft(arch);
	struct tlb_sel sel = {
		.lo = soft_entry_addr(s, crstep),
		.hi = soft_entry_addr(s, crstep + 1),
		.by_asce = asce.val != 0,
		.asce = asce.val,
	};

	(void)vaddr;
	if (!(flags & GMAP_INV_NODAT))
		entry_set_bit(&crstep->val, soft_entry_bit(s, GMAP_CRSTE_I));
	tlb_purge(s, cpu, flags, &sel);
}

/**
 * soft_idte_asce() - the idte_asce op: IDTE clearing by ASCE.
 * @arch: the backend
 * @cpu: the issuing CPU
 * @asce: purge entries formed with this table origin and designation type
 * @flags: GMAP_INV_LOCAL
 *
 * Context: any thread; takes each target CPU's TLB lock in turn.
 */
void soft_idte_asce(struct gmap_arch *arch, unsigned int cpu, gmap_asce_t asce,
		    unsigned int flags)
{
	struct tlb_sel sel = { .by_asce = true, .asce = asce.val };

	tlb_purge(to_soft(arch), cpu, flags, &sel);
}

/**
 * soft_csp() - the csp op: COMPARE AND SWAP AND PURGE, 8 bytes.
 * @arch: the backend
 * @cpu: the issuing CPU
 * @ptr: the word
 * @old: expected value
 * @new_val: value to store
 *
 * Context: any thread; on success takes every CPU's TLB lock in turn.
 * Return: true when the swap happened (and all TLBs were purged).
 */
bool soft_csp(struct gmap_arch *arch, unsigned int cpu, uint64_t *ptr, uint64_t old,
	      uint64_t new_val)
{
	static const struct tlb_sel all;

	if (!AO_compare_and_swap_full((volatile AO_t *)ptr, old, new_val))
		return false;
	tlb_purge(to_soft(arch), cpu, 0, &all);
	return true;
}

/**
 * soft_ptlb() - the ptlb op: PURGE TLB of one CPU.
 * @arch: the backend
 * @cpu: the CPU
 *
 * Context: any thread; takes @cpu's TLB lock.
 */
void soft_ptlb(struct gmap_arch *arch, unsigned int cpu)
{
	static const struct tlb_sel all;

	tlb_purge(to_soft(arch), cpu, GMAP_INV_LOCAL, &all);
}
