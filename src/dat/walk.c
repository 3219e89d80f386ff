// SPDX-License-Identifier: MIT
/*
 * The single-address DAT walker (PoP chapter 3, "Translation Process").
 *
 * One inline body, specialised per storage kind (host-native, big-endian
 * image, callback) and with or without path recording, so that the hot
 * host-native path is straight-line loads and checks.
 */
#include <errno.h>

#include "dat_impl.h"

/* The walk ORs the P bits of every level into one word. */
_Static_assert(GMAP_PTE_P == GMAP_CRSTE_P, "DAT protection is bit 54 at every level");

uint64_t dat_teid(uint64_t va, const struct gmap_dat_request *req, unsigned int pic, bool iep)
{
	uint64_t teid = (va & GMAP_TEID_ADDR) | (req->as & GMAP_TEID_AS_MASK);

	/* ESOP-2: bits 52-53 tell a store from a fetch (instruction fetches
	 * are fetches). */
	if (req->facilities & GMAP_FAC_ESOP2)
		teid |= req->access == GMAP_DAT_STORE ? GMAP_TEID_FSI_STORE : GMAP_TEID_FSI_FETCH;
	/* Protection: bit 61 says the address in bits 0-51 is valid and the
	 * cause is DAT (or, with bit 56, instruction-execution) protection;
	 * ESOP-1 defines 56 and 60 besides. */
	if (pic == GMAP_PIC_PROTECTION)
		teid |= iep ? (GMAP_TEID_B56 | GMAP_TEID_B61) : GMAP_TEID_B61;
	return teid;
}

/* Record an exception other than protection. */
static void dat_fail(struct gmap_dat_result *res, uint64_t va,
		     const struct gmap_dat_request *req, unsigned int pic, int level)
{
	res->pic = (uint8_t)pic;
	res->level = (int8_t)level;
	res->teid_valid = pic != GMAP_PIC_TRANSLATION_SPEC && pic != GMAP_PIC_ADDRESSING;
	res->teid = res->teid_valid ? dat_teid(va, req, pic, false) : 0;
}

DAT_INLINE void dat_path_add(struct gmap_dat_path *path, int level, uint64_t addr, uint64_t val)
{
	if (path) {
		path->e[path->n].level = level;
		path->e[path->n].addr = addr;
		path->e[path->n].val = val;
		path->n++;
	}
}

/* Finish at an EDAT frame entry @e of a table of type @tt: the frame
 * address is absolute, so it is not prefixed. */
static void dat_frame(struct gmap_dat_result *res, uint64_t e, int tt, uint64_t va,
		      const struct gmap_dat_request *req, bool prot)
{
	unsigned int shift = dat_index_shift(tt);
	uint64_t low = (1ULL << shift) - 1;

	res->level = (int8_t)tt;
	/* Without AV the machine ignores ACC and F. */
	res->accf = e & GMAP_CRSTE_AV;
	res->acc = res->accf ? (uint8_t)((e & GMAP_CRSTE_ACC_MASK) >> GMAP_CRSTE_ACC_SHIFT) : 0;
	res->fp = res->accf && (e & GMAP_CRSTE_F);
	dat_finish(res, va, req, (e & ~low & GMAP_CRSTE_ORIGIN) | (va & low), shift,
		   prot || (e & GMAP_CRSTE_P),
		   (req->facilities & GMAP_FAC_IEP) && (e & GMAP_CRSTE_IEP));
}

/*
 * One region or segment level, @tt constant at every call site: read the
 * entry at *@ptr; for an entry designating the next table, advance *@ptr,
 * OR its counting P bit into *@prot and return false; otherwise fill @res (a frame or an
 * exception) and return true. The common entry (valid, right type, a
 * full-size next table, no format control or common bit that matters)
 * is recognised with one mask compare; anything else takes the checks in
 * the PoP's order.
 */
DAT_INLINE bool dat_step(const struct gmap_dat_mem *mem, enum gmap_dat_mem_kind kind, int tt,
			 uint64_t asce, uint64_t va, const struct gmap_dat_request *req,
			 uint64_t *ptr, uint64_t *prot, struct gmap_dat_result *res,
			 struct gmap_dat_path *path)
{
	uint32_t fac = req->facilities;
	bool edat1 = fac & GMAP_FAC_EDAT1;
	bool edat2 = edat1 && (fac & GMAP_FAC_EDAT2);
	uint64_t e, mask, want;
	unsigned int c;

	if (dat_load(mem, kind, *ptr, &e)) {
		dat_fail(res, va, req, GMAP_PIC_ADDRESSING, tt);
		return true;
	}
	dat_path_add(path, tt, *ptr, e);

	mask = GMAP_CRSTE_I | GMAP_CRSTE_TT_MASK;
	want = (uint64_t)tt << GMAP_CRSTE_TT_SHIFT;
	if (tt != GMAP_TT_SEGMENT) {
		mask |= GMAP_CRSTE_TF_MASK | GMAP_CRSTE_TL_MASK;
		want |= GMAP_CRSTE_TL_MASK;
	}
	if ((tt == GMAP_TT_SEGMENT && edat1) || (tt == GMAP_TT_REGION3 && edat2))
		mask |= GMAP_CRSTE_FC | ((asce & GMAP_ASCE_P) ? GMAP_CRSTE_CS : 0);
	else if (tt == GMAP_TT_SEGMENT && (asce & GMAP_ASCE_P))
		mask |= GMAP_CRSTE_CS;

	if ((e & mask) != want) {
		c = dat_crste_check(e, tt, asce, fac);
		if (c == DAT_FRAME) {
			dat_frame(res, e, tt, va, req, *prot != 0);
			return true;
		}
		if (c != DAT_TABLE) {
			dat_fail(res, va, req, c, tt);
			return true;
		}
		if (!dat_next_index_ok(e, tt, va)) {
			dat_fail(res, va, req, dat_pic_of(tt - 1), tt);
			return true;
		}
	}
	/* Region P bits count only with EDAT-1 (PoP 3.11.4.2). */
	*prot |= e & (tt == GMAP_TT_SEGMENT || edat1 ? GMAP_CRSTE_P : 0);
	*ptr = dat_next_entry(e, tt, va);
	return false;
}

DAT_INLINE void dat_walk(const struct gmap_dat_mem *mem, enum gmap_dat_mem_kind kind,
			 uint64_t asce, uint64_t va, const struct gmap_dat_request *req,
			 struct gmap_dat_result *res, struct gmap_dat_path *path)
{
	uint64_t e, ptr, prot = 0;
	unsigned int c;

	res->prot = res->iep = res->accf = res->fp = false;
	res->acc = 0;
	res->frame_shift = 0;
	res->addr = 0;
	if (path)
		path->n = 0;

	if (asce & GMAP_ASCE_R) {
		/* Real space: the virtual address is the real address. */
		res->level = GMAP_LEVEL_REAL;
		dat_finish(res, va, req, gmap_dat_real_to_abs(req->prefix, va), GMAP_PAGE_SHIFT,
			   false, false);
		return;
	}
	c = dat_asce_check(asce, va);
	if (c) {
		dat_fail(res, va, req, c, GMAP_LEVEL_REAL);
		return;
	}
	ptr = (asce & GMAP_ASCE_ORIGIN) +
	      (uint64_t)dat_index(va, (int)((asce & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT)) * 8;

	/* Unrolled from the ASCE's table type down, so every level's
	 * constants fold. */
	switch ((asce & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT) {
	case GMAP_TT_REGION1:
		if (dat_step(mem, kind, GMAP_TT_REGION1, asce, va, req, &ptr, &prot, res, path))
			return;
		__attribute__((fallthrough));
	case GMAP_TT_REGION2:
		if (dat_step(mem, kind, GMAP_TT_REGION2, asce, va, req, &ptr, &prot, res, path))
			return;
		__attribute__((fallthrough));
	case GMAP_TT_REGION3:
		if (dat_step(mem, kind, GMAP_TT_REGION3, asce, va, req, &ptr, &prot, res, path))
			return;
		__attribute__((fallthrough));
	default:
		if (dat_step(mem, kind, GMAP_TT_SEGMENT, asce, va, req, &ptr, &prot, res, path))
			return;
	}

	if (dat_load(mem, kind, ptr, &e)) {
		dat_fail(res, va, req, GMAP_PIC_ADDRESSING, GMAP_LEVEL_PAGE);
		return;
	}
	dat_path_add(path, GMAP_LEVEL_PAGE, ptr, e);
	c = dat_pte_check(e, req->facilities);
	if (c) {
		dat_fail(res, va, req, c, GMAP_LEVEL_PAGE);
		return;
	}
	res->level = GMAP_LEVEL_PAGE;
	dat_finish(res, va, req,
		   gmap_dat_real_to_abs(req->prefix, (e & GMAP_PTE_PFRA) | GMAP_VA_BX(va)),
		   GMAP_PAGE_SHIFT, ((prot | e) & GMAP_PTE_P) != 0,
		   (req->facilities & GMAP_FAC_IEP) && (e & GMAP_PTE_IEP));
}

DAT_INLINE bool dat_args_ok(const struct gmap_dat_mem *mem, const struct gmap_dat_request *req,
			const struct gmap_dat_result *res)
{
	if (!mem || !req || !res || req->access > GMAP_DAT_IFETCH || req->as > GMAP_AS_HOME)
		return false;
	switch (mem->kind) {
	case GMAP_DAT_MEM_HOST:
		return true;
	case GMAP_DAT_MEM_BE:
		return mem->base != NULL;
	case GMAP_DAT_MEM_FN:
		return mem->read != NULL;
	default:
		return false;
	}
}

/* One instance of the walk per storage kind (and per @path being NULL or
 * not, since this is inlined into both entry points). */
DAT_INLINE void dat_dispatch(const struct gmap_dat_mem *mem, uint64_t asce, uint64_t vaddr,
			     const struct gmap_dat_request *req, struct gmap_dat_result *res,
			     struct gmap_dat_path *path)
{
	switch (mem->kind) {
	case GMAP_DAT_MEM_HOST:
		dat_walk(mem, GMAP_DAT_MEM_HOST, asce, vaddr, req, res, path);
		break;
	case GMAP_DAT_MEM_BE:
		dat_walk(mem, GMAP_DAT_MEM_BE, asce, vaddr, req, res, path);
		break;
	default:
		dat_walk(mem, GMAP_DAT_MEM_FN, asce, vaddr, req, res, path);
		break;
	}
}

int gmap_dat_translate(const struct gmap_dat_mem *mem, gmap_asce_t asce, uint64_t vaddr,
		       const struct gmap_dat_request *req, struct gmap_dat_result *res)
{
	if (!dat_args_ok(mem, req, res))
		return -EINVAL;
	dat_dispatch(mem, asce.val, vaddr, req, res, NULL);
	return 0;
}

int gmap_dat_translate_path(const struct gmap_dat_mem *mem, gmap_asce_t asce, uint64_t vaddr,
			    const struct gmap_dat_request *req, struct gmap_dat_result *res,
			    struct gmap_dat_path *path)
{
	if (!dat_args_ok(mem, req, res) || !path)
		return -EINVAL;
	dat_dispatch(mem, asce.val, vaddr, req, res, path);
	return 0;
}
