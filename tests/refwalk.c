// SPDX-License-Identifier: MIT
/*
 * refwalk - the reference DAT walker of the tests (see refwalk.h).
 *
 * Every bit is named by its PoP bit number (bit 0 is the leftmost bit of
 * the 64-bit word), so that a wrong mask in the public header or in the
 * library shows up as a disagreement. Nothing here is optimised.
 */
#include <string.h>

#include "refwalk.h"

/* One bit, and a field of bits @from to @to, in PoP numbering. */
#define PBIT(n)		(1ULL << (63 - (n)))

static uint64_t field(uint64_t w, int from, int to)
{
	return (w >> (63 - to)) & ((1ULL << (to - from + 1)) - 1);
}

/* The bits @from to @to of @w kept in place, all others zero. */
static uint64_t keep(uint64_t w, int from, int to)
{
	return field(w, from, to) << (63 - to);
}

/*
 * The five translation levels, from the region-first table down to the
 * page table (PoP 3.4.2 "Translation Tables", Figure "Format of the
 * virtual address"): where the level's index lies in the virtual address,
 * the level number reported in results and paths, and the translation
 * exception of an invalid entry at that level.
 */
static const struct ref_level {
	int first_bit;
	int last_bit;
	int level;
	uint8_t pic;
} levels[5] = {
	{  0, 10, GMAP_TT_REGION1, 0x39 },	/* RFX */
	{ 11, 21, GMAP_TT_REGION2, 0x3a },	/* RSX */
	{ 22, 32, GMAP_TT_REGION3, 0x3b },	/* RTX */
	{ 33, 43, GMAP_TT_SEGMENT, 0x10 },	/* SX */
	{ 44, 51, GMAP_LEVEL_PAGE, 0x11 },	/* PX */
};

#define L_REGION3	2
#define L_SEGMENT	3
#define L_PAGE		4

/* ASCE bits (PoP 3.4.1). */
#define ASCE_P		PBIT(55)	/* private-space control */
#define ASCE_R		PBIT(58)	/* real-space control */

/* Region- and segment-table entry bits (PoP 3.4.3). */
#define E_AV		PBIT(47)	/* ACCF validity (FC 1) */
#define E_F		PBIT(52)	/* fetch protection (FC 1) */
#define E_FC		PBIT(53)	/* format control */
#define E_P		PBIT(54)	/* DAT protection */
#define E_IEP		PBIT(55)	/* instruction-execution protection */
#define E_I		PBIT(58)	/* invalid */
#define E_CS		PBIT(59)	/* common segment / common region */

/* Page-table entry bits (PoP 3.4.4). */
#define PTE_52		PBIT(52)	/* must be zero */
#define PTE_I		PBIT(53)
#define PTE_P		PBIT(54)
#define PTE_IEP		PBIT(55)	/* IEP; CO with EDAT-1; else zero */

static unsigned int vindex(uint64_t vaddr, int l)
{
	return (unsigned int)field(vaddr, levels[l].first_bit, levels[l].last_bit);
}

/* The leftmost two bits of the level's index: the 4 KB part of its table. */
static unsigned int vpart(uint64_t vaddr, int l)
{
	return (unsigned int)field(vaddr, levels[l].first_bit, levels[l].first_bit + 1);
}

/* Prefixing (PoP 3.3.3): swap real 0-8191 with the 8 KB at the prefix. */
static uint64_t ref_real_to_abs(uint64_t prefix, uint64_t real)
{
	uint64_t p = keep(prefix, 0, 50);

	if (real < 8192)
		return p + real;
	if (keep(real, 0, 50) == p)
		return real - p;
	return real;
}

/* Protection causes, for the TEID. */
enum { PROT_DAT = 1, PROT_IEP = 2 };

static void set_teid(const struct refwalk_in *in, struct gmap_dat_result *res, int cause)
{
	uint64_t t = keep(in->vaddr, 0, 51) | (in->as & 3);

	/* ESOP-2: bits 52-53 are 10 for a fetch (instruction fetches too),
	 * 01 for a store. */
	if (in->facilities & GMAP_FAC_ESOP2)
		t |= in->access == GMAP_DAT_STORE ? PBIT(53) : PBIT(52);
	/* Bit 61 (with bit 56 for IEP) is the project's rule with and without
	 * ESOP-1: without it the PoP leaves bits 56 and 60 unpredictable. */
	if (cause == PROT_DAT)
		t |= PBIT(61);
	if (cause == PROT_IEP)
		t |= PBIT(56) | PBIT(61);
	res->teid_valid = true;
	res->teid = t;
}

/* An exception other than protection: nothing but the code and level. */
static void fail(const struct refwalk_in *in, struct gmap_dat_result *res,
		 uint8_t pic, int level)
{
	memset(res, 0, sizeof(*res));
	res->pic = pic;
	res->level = (int8_t)level;
	if (pic != 0x12 && pic != 0x05)
		set_teid(in, res, 0);
}

/* A frame entry (FC 1): protection, IEP and ACCF come from the entry. */
static void frame(const struct refwalk_in *in, struct gmap_dat_result *res,
		  uint64_t e, int addr_bits)
{
	res->prot |= (e & E_P) != 0;
	res->iep = (e & E_IEP) && (in->facilities & GMAP_FAC_IEP);
	if (e & E_AV) {
		res->accf = true;
		res->acc = (uint8_t)field(e, 48, 51);
		res->fp = (e & E_F) != 0;
	}
	res->frame_shift = (uint8_t)(64 - addr_bits);
	res->addr = keep(e, 0, addr_bits - 1) | field(in->vaddr, addr_bits, 63);
}

/*
 * Walk the tables. Return 0 when a leaf (page or frame) was found and
 * @res holds its address and attributes, else the exception already
 * written to @res.
 */
static int walk(const struct refwalk_in *in, struct gmap_dat_result *res,
		struct gmap_dat_path *path)
{
	bool edat1 = in->facilities & GMAP_FAC_EDAT1;
	bool edat2 = edat1 && (in->facilities & GMAP_FAC_EDAT2);
	bool iepf = in->facilities & GMAP_FAC_IEP;
	int dt = (int)field(in->asce, 60, 61);
	int top = 3 - dt;
	uint64_t origin = keep(in->asce, 0, 51);
	int l;

	/* ASCE-type: the indexes above the designated table must be 0. */
	for (l = 0; l < top; l++) {
		if (vindex(in->vaddr, l)) {
			fail(in, res, 0x38, GMAP_LEVEL_REAL);
			return -1;
		}
	}
	if (vpart(in->vaddr, top) > field(in->asce, 62, 63)) {
		fail(in, res, levels[top].pic, GMAP_LEVEL_REAL);
		return -1;
	}

	for (l = top; l <= L_PAGE; l++) {
		uint64_t ea = origin + 8ULL * vindex(in->vaddr, l);
		int level = levels[l].level;
		uint64_t e;

		if (in->read(in->priv, ea, &e) < 0) {
			fail(in, res, 0x05, level);
			return -1;
		}
		path->e[path->n].level = level;
		path->e[path->n].addr = ea;
		path->e[path->n].val = e;
		path->n++;
		res->level = (int8_t)level;

		if (l == L_PAGE) {
			if (e & PTE_I) {
				fail(in, res, 0x11, level);
				return -1;
			}
			/* Bit 55: IEP with the facility, the change-recording
			 * override with EDAT-1, else it must be zero. */
			if ((e & PTE_52) || ((e & PTE_IEP) && !iepf && !edat1)) {
				fail(in, res, 0x12, level);
				return -1;
			}
			res->prot |= (e & PTE_P) != 0;
			res->iep = iepf && (e & PTE_IEP);
			res->frame_shift = 12;
			res->addr = ref_real_to_abs(in->prefix,
						    keep(e, 0, 51) | field(in->vaddr, 52, 63));
			return 0;
		}

		if (e & E_I) {
			fail(in, res, levels[l].pic, level);
			return -1;
		}
		if ((int)field(e, 60, 61) != level) {
			fail(in, res, 0x12, level);
			return -1;
		}

		if (l == L_SEGMENT) {
			if ((e & E_CS) && (in->asce & ASCE_P)) {
				fail(in, res, 0x12, level);
				return -1;
			}
			if ((e & E_FC) && edat1) {
				frame(in, res, e, 44);
				return 0;
			}
			res->prot |= (e & E_P) != 0;
			origin = keep(e, 0, 52);
			continue;
		}

		if (l == L_REGION3 && edat2) {
			if ((e & E_CS) && (in->asce & ASCE_P)) {
				fail(in, res, 0x12, level);
				return -1;
			}
			if (e & E_FC) {
				frame(in, res, e, 33);
				return 0;
			}
		}
		/* Table offset and length of the next table (bits 56-57,
		 * 62-63) against the next index's leftmost two bits. */
		if (vpart(in->vaddr, l + 1) < field(e, 56, 57) ||
		    vpart(in->vaddr, l + 1) > field(e, 62, 63)) {
			fail(in, res, levels[l + 1].pic, level);
			return -1;
		}
		if (edat1)
			res->prot |= (e & E_P) != 0;
		origin = keep(e, 0, 51);
	}
	return 0;
}

/**
 * refwalk_translate() - translate one address, the reference way.
 * @in: the translation
 * @res: out: the result, with the fields of struct gmap_dat_result as the
 *	library defines them
 * @path: out: every entry read
 *
 * Context: any; reads entries only through @in->read.
 */
void refwalk_translate(const struct refwalk_in *in, struct gmap_dat_result *res,
		       struct gmap_dat_path *path)
{
	memset(res, 0, sizeof(*res));
	memset(path, 0, sizeof(*path));

	if (in->asce & ASCE_R) {
		/* Real space: the address is real, no table is read. */
		res->level = GMAP_LEVEL_REAL;
		res->frame_shift = 12;
		res->addr = ref_real_to_abs(in->prefix, in->vaddr);
		return;
	}
	if (walk(in, res, path))
		return;
	if (in->access == GMAP_DAT_STORE && res->prot) {
		res->pic = 0x04;
		set_teid(in, res, PROT_DAT);
	} else if (in->access == GMAP_DAT_IFETCH && res->iep) {
		res->pic = 0x04;
		set_teid(in, res, PROT_IEP);
	}
}

bool refwalk_path_eq(const struct gmap_dat_path *a, const struct gmap_dat_path *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned int i = 0; i < a->n; i++)
		if (a->e[i].level != b->e[i].level || a->e[i].addr != b->e[i].addr ||
		    a->e[i].val != b->e[i].val)
			return false;
	return true;
}
