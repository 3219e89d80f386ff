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

void dat_finish(struct gmap_dat_result *res, uint64_t va, const struct gmap_dat_request *req,
		uint64_t abs, unsigned int shift, bool prot, bool iep)
{
	res->addr = abs;
	res->frame_shift = (uint8_t)shift;
	res->prot = prot;
	res->iep = iep;
	res->pic = GMAP_PIC_NONE;
	res->teid_valid = false;
	res->teid = 0;
	if ((req->access == GMAP_DAT_STORE && prot) || (req->access == GMAP_DAT_IFETCH && iep)) {
		bool by_iep = !(req->access == GMAP_DAT_STORE && prot);

		res->pic = GMAP_PIC_PROTECTION;
		res->teid_valid = true;
		res->teid = dat_teid(va, req, GMAP_PIC_PROTECTION, by_iep);
	}
}

/* Record an exception other than protection. */
static inline void dat_fail(struct gmap_dat_result *res, uint64_t va,
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

/* Take the access-control fields of an EDAT frame entry. */
static inline void dat_frame_accf(struct gmap_dat_result *res, uint64_t e)
{
	/* Without AV the machine ignores ACC and F. */
	res->accf = e & GMAP_CRSTE_AV;
	res->acc = res->accf ? (uint8_t)((e & GMAP_CRSTE_ACC_MASK) >> GMAP_CRSTE_ACC_SHIFT) : 0;
	res->fp = res->accf && (e & GMAP_CRSTE_F);
}

DAT_INLINE void dat_walk(const struct gmap_dat_mem *mem, enum gmap_dat_mem_kind kind,
			 uint64_t asce, uint64_t va, const struct gmap_dat_request *req,
			 struct gmap_dat_result *res, struct gmap_dat_path *path)
{
	uint32_t fac = req->facilities;
	bool prot = false, iep;
	unsigned int c, shift;
	uint64_t e, ptr;
	int tt;

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
	tt = (int)((asce & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT);
	c = dat_asce_check(asce, va);
	if (c) {
		dat_fail(res, va, req, c, GMAP_LEVEL_REAL);
		return;
	}
	ptr = (asce & GMAP_ASCE_ORIGIN) + (uint64_t)dat_index(va, tt) * 8;

	for (;; tt--) {
		if (dat_load(mem, kind, ptr, &e)) {
			dat_fail(res, va, req, GMAP_PIC_ADDRESSING, tt);
			return;
		}
		dat_path_add(path, tt, ptr, e);
		c = dat_crste_check(e, tt, asce, fac);
		if (c == DAT_FRAME) {
			shift = dat_index_shift(tt);
			res->level = (int8_t)tt;
			dat_frame_accf(res, e);
			iep = (fac & GMAP_FAC_IEP) && (e & GMAP_CRSTE_IEP);
			/* A frame address is absolute: no prefixing. */
			dat_finish(res, va, req,
				   (e & ~((1ULL << shift) - 1) & GMAP_CRSTE_ORIGIN) |
					   (va & ((1ULL << shift) - 1)),
				   shift, prot || (e & GMAP_CRSTE_P), iep);
			return;
		}
		if (c != DAT_TABLE) {
			dat_fail(res, va, req, c, tt);
			return;
		}
		if (!dat_next_index_ok(e, tt, va)) {
			dat_fail(res, va, req, dat_pic_of(tt - 1), tt);
			return;
		}
		prot |= dat_crste_prot(e, tt, fac);
		ptr = dat_next_entry(e, tt, va);
		if (tt == GMAP_TT_SEGMENT)
			break;
	}

	if (dat_load(mem, kind, ptr, &e)) {
		dat_fail(res, va, req, GMAP_PIC_ADDRESSING, GMAP_LEVEL_PAGE);
		return;
	}
	dat_path_add(path, GMAP_LEVEL_PAGE, ptr, e);
	c = dat_pte_check(e, fac);
	if (c) {
		dat_fail(res, va, req, c, GMAP_LEVEL_PAGE);
		return;
	}
	res->level = GMAP_LEVEL_PAGE;
	dat_finish(res, va, req,
		   gmap_dat_real_to_abs(req->prefix, (e & GMAP_PTE_PFRA) | GMAP_VA_BX(va)),
		   GMAP_PAGE_SHIFT, prot || (e & GMAP_PTE_P),
		   (fac & GMAP_FAC_IEP) && (e & GMAP_PTE_IEP));
}

static bool dat_args_ok(const struct gmap_dat_mem *mem, const struct gmap_dat_request *req,
			const struct gmap_dat_result *res)
{
	return mem && req && res && (unsigned int)mem->kind <= GMAP_DAT_MEM_FN &&
	       (mem->kind != GMAP_DAT_MEM_BE || mem->base) &&
	       (mem->kind != GMAP_DAT_MEM_FN || mem->read) && req->access <= GMAP_DAT_IFETCH &&
	       req->as <= GMAP_AS_HOME;
}

int gmap_dat_translate(const struct gmap_dat_mem *mem, gmap_asce_t asce, uint64_t vaddr,
		       const struct gmap_dat_request *req, struct gmap_dat_result *res)
{
	if (!dat_args_ok(mem, req, res))
		return -EINVAL;
	switch (mem->kind) {
	case GMAP_DAT_MEM_HOST:
		dat_walk(mem, GMAP_DAT_MEM_HOST, asce.val, vaddr, req, res, NULL);
		break;
	case GMAP_DAT_MEM_BE:
		dat_walk(mem, GMAP_DAT_MEM_BE, asce.val, vaddr, req, res, NULL);
		break;
	default:
		dat_walk(mem, GMAP_DAT_MEM_FN, asce.val, vaddr, req, res, NULL);
		break;
	}
	return 0;
}

int gmap_dat_translate_path(const struct gmap_dat_mem *mem, gmap_asce_t asce, uint64_t vaddr,
			    const struct gmap_dat_request *req, struct gmap_dat_result *res,
			    struct gmap_dat_path *path)
{
	if (!dat_args_ok(mem, req, res) || !path)
		return -EINVAL;
	/* Tools and tests only: one generic instance is enough. */
	dat_walk(mem, mem->kind, asce.val, vaddr, req, res, path);
	return 0;
}
