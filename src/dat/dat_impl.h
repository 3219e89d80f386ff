/* SPDX-License-Identifier: MIT */
/*
 * Internal: the per-entry rules of DAT (PoP chapter 3, "Translation
 * Process"), shared by the single-address walker (walk.c) and the range
 * walker (range.c), and the inline table reader that both specialise per
 * storage kind.
 */
#ifndef GMAP_DAT_IMPL_H
#define GMAP_DAT_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libgmap/dat.h>

#define DAT_INLINE static inline __attribute__((always_inline))

/* Outcomes of dat_crste_check() beyond the PICs (which fit in 8 bits). */
#define DAT_TABLE	0x100	/* the entry designates the next table */
#define DAT_FRAME	0x101	/* the entry maps an EDAT frame */

/* Shift of the index of a table of type @tt: SX 20, RTX 31, RSX 42, RFX 53. */
DAT_INLINE unsigned int dat_index_shift(int tt)
{
	return 20 + 11 * (unsigned int)tt;
}

/* The 11-bit index of @va in a table of type @tt. */
DAT_INLINE unsigned int dat_index(uint64_t va, int tt)
{
	return (unsigned int)(va >> dat_index_shift(tt)) & 0x7ff;
}

/* The translation exception for a missing entry or an index outside a
 * table of type @tt (PoP: "region-first-translation exception" etc.). */
DAT_INLINE unsigned int dat_pic_of(int tt)
{
	static const unsigned char pic[4] = {
		GMAP_PIC_SEGMENT_TRANSLATION, GMAP_PIC_REGION_THIRD,
		GMAP_PIC_REGION_SECOND, GMAP_PIC_REGION_FIRST,
	};

	return pic[tt];
}

/* Byte order conversion of a big-endian table word. */
DAT_INLINE uint64_t dat_be64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

/*
 * Read the table entry at absolute address @addr. @kind is a constant at
 * every call site, so each walker instance compiles to one kind of load:
 * the host-native path pays nothing for the others. Returns 0, or -1 when
 * the entry lies outside storage (an addressing exception).
 */
DAT_INLINE int dat_load(const struct gmap_dat_mem *mem, enum gmap_dat_mem_kind kind,
			uint64_t addr, uint64_t *val)
{
	uint64_t v;

	switch (kind) {
	case GMAP_DAT_MEM_HOST:
#if UINTPTR_MAX < UINT64_MAX
		if (addr > UINTPTR_MAX)
			return -1;
#endif
		/* One load, as the hardware does: another thread may be
		 * changing the entry. Acquire pairs with the release that
		 * links a new table, so its initialised entries are seen. */
		*val = __atomic_load_n((const uint64_t *)(uintptr_t)addr, __ATOMIC_ACQUIRE);
		return 0;
	case GMAP_DAT_MEM_BE:
		if (mem->size < 8 || addr > mem->size - 8)
			return -1;
		memcpy(&v, (const unsigned char *)mem->base + addr, sizeof(v));
		*val = dat_be64(v);
		return 0;
	default:
		return mem->read(mem->priv, addr, val) < 0 ? -1 : 0;
	}
}

/*
 * Check a region- or segment-table entry found in a table of type @tt:
 * returns a PIC, DAT_TABLE or DAT_FRAME. Order of checks as the PoP gives
 * them: invalid, table type, common segment/region in a private space,
 * format control. The index range of the next table is checked by the
 * caller (dat_next_index_ok()), after a frame has been ruled out.
 */
DAT_INLINE unsigned int dat_crste_check(uint64_t e, int tt, uint64_t asce, uint32_t fac)
{
	bool edat1 = fac & GMAP_FAC_EDAT1;
	bool edat2 = edat1 && (fac & GMAP_FAC_EDAT2);
	/* FC and CR of region-third entries exist only with EDAT-2. */
	bool fc_level = tt == GMAP_TT_SEGMENT ? edat1 : (tt == GMAP_TT_REGION3 && edat2);

	if (e & GMAP_CRSTE_I)
		return dat_pic_of(tt);
	if (((e & GMAP_CRSTE_TT_MASK) >> GMAP_CRSTE_TT_SHIFT) != (uint64_t)tt)
		return GMAP_PIC_TRANSLATION_SPEC;
	if ((e & GMAP_CRSTE_CS) && (asce & GMAP_ASCE_P) &&
	    (tt == GMAP_TT_SEGMENT || (tt == GMAP_TT_REGION3 && edat2)))
		return GMAP_PIC_TRANSLATION_SPEC;
	if ((e & GMAP_CRSTE_FC) && fc_level)
		return DAT_FRAME;
	return DAT_TABLE;
}

/* Whether the next table's index of @va lies within the table offset and
 * length that the region entry @e (in a table of type @tt) gives it. A
 * segment entry's page table has no offset or length. */
DAT_INLINE bool dat_next_index_ok(uint64_t e, int tt, uint64_t va)
{
	unsigned int part;

	if (tt == GMAP_TT_SEGMENT)
		return true;
	part = dat_index(va, tt - 1) >> 9;
	return part >= ((e & GMAP_CRSTE_TF_MASK) >> GMAP_CRSTE_TF_SHIFT) &&
	       part <= (e & GMAP_CRSTE_TL_MASK);
}

/* Whether the P bit of an entry that designates a table takes part:
 * region P bits only with EDAT-1 (PoP 3.11.4.2 "DAT Protection"), the
 * segment P bit always. */
DAT_INLINE bool dat_crste_prot(uint64_t e, int tt, uint32_t fac)
{
	return (e & GMAP_CRSTE_P) && (tt == GMAP_TT_SEGMENT || (fac & GMAP_FAC_EDAT1));
}

/* The address of the next-level entry for @va below the table entry @e. */
DAT_INLINE uint64_t dat_next_entry(uint64_t e, int tt, uint64_t va)
{
	if (tt == GMAP_TT_SEGMENT)
		return (e & GMAP_SEGMENT_PTO) + GMAP_VA_PX(va) * 8;
	return (e & GMAP_CRSTE_ORIGIN) + (uint64_t)dat_index(va, tt - 1) * 8;
}

/* Check a page-table entry: returns a PIC or 0 (PoP 3.4.4: bit 52 must be
 * zero; bit 55 is IEP with that facility, the change-recording override
 * with EDAT-1, and must be zero when neither applies). */
DAT_INLINE unsigned int dat_pte_check(uint64_t e, uint32_t fac)
{
	if (e & GMAP_PTE_I)
		return GMAP_PIC_PAGE_TRANSLATION;
	if ((e & GMAP_PTE_Z) ||
	    ((e & GMAP_PTE_IEP) && !(fac & (GMAP_FAC_IEP | GMAP_FAC_EDAT1))))
		return GMAP_PIC_TRANSLATION_SPEC;
	return 0;
}

/* The index bits of @va beyond what an ASCE of designation type @dt can
 * translate (PoP: ASCE-type exception); 0 when @va is within reach. */
DAT_INLINE uint64_t dat_beyond_reach(uint64_t va, int dt)
{
	return dt == GMAP_TT_REGION1 ? 0 : va >> (31 + 11 * (unsigned int)dt);
}

/* Checks of the ASCE before the first table is read: the ASCE-type
 * exception and the first index against the ASCE's table length.
 * Returns a PIC or 0. */
DAT_INLINE unsigned int dat_asce_check(uint64_t asce, uint64_t va)
{
	int dt = (int)((asce & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT);

	if (dat_beyond_reach(va, dt))
		return GMAP_PIC_ASCE_TYPE;
	if ((dat_index(va, dt) >> 9) > (asce & GMAP_ASCE_TL_MASK))
		return dat_pic_of(dt);
	return 0;
}

/* Compute the TEID of a translation or protection exception (PoP
 * "Translation-Exception Identification"). @iep: the protection came from
 * instruction-execution protection. */
uint64_t dat_teid(uint64_t va, const struct gmap_dat_request *req, unsigned int pic, bool iep);

/* Finish a translation that reached absolute address @abs in a frame of
 * 2^@shift bytes: fill @res and apply store and instruction-fetch
 * protection. Inline: it is on every successful walk and TLB hit. */
DAT_INLINE void dat_finish(struct gmap_dat_result *res, uint64_t va,
			   const struct gmap_dat_request *req, uint64_t abs,
			   unsigned int shift, bool prot, bool iep)
{
	bool store_prot = req->access == GMAP_DAT_STORE && prot;

	res->addr = abs;
	res->frame_shift = (uint8_t)shift;
	res->prot = prot;
	res->iep = iep;
	res->pic = GMAP_PIC_NONE;
	res->teid_valid = false;
	res->teid = 0;
	if (store_prot || (req->access == GMAP_DAT_IFETCH && iep)) {
		res->pic = GMAP_PIC_PROTECTION;
		res->teid_valid = true;
		res->teid = dat_teid(va, req, GMAP_PIC_PROTECTION, !store_prot);
	}
}

#endif /* GMAP_DAT_IMPL_H */
