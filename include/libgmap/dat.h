/* SPDX-License-Identifier: MIT */
/*
 * libgmap - z/Architecture dynamic address translation (DAT): the
 * architected formats of ASCEs, region/segment-table entries (crstes) and
 * page-table entries, and the software DAT walker.
 *
 * Bit numbers in comments are the PoP's: bit 0 is the most significant bit
 * of the 64-bit word (z/Architecture Principles of Operation, chapter 3,
 * "Dynamic Address Translation").
 */
#ifndef LIBGMAP_DAT_H
#define LIBGMAP_DAT_H

#include <stdbool.h>
#include <stdint.h>

#include <libgmap/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Entry types: one word each, wrapped so that kinds cannot be mixed. */
typedef struct { uint64_t val; } gmap_asce_t;  /* address-space-control element */
typedef struct { uint64_t val; } gmap_crste_t; /* region- or segment-table entry */
typedef struct { uint64_t val; } gmap_pte_t;   /* page-table entry */

/* Sizes of what one entry of each level maps. */
#define GMAP_PAGE_SHIFT		12	/* 4 KB page */
#define GMAP_SEGMENT_SHIFT	20	/* 1 MB segment */
#define GMAP_REGION3_SHIFT	31	/* 2 GB region-third entry */
#define GMAP_REGION2_SHIFT	42	/* 4 TB region-second entry */
#define GMAP_REGION1_SHIFT	53	/* 8 PB region-first entry */
#define GMAP_PAGE_SIZE		(1ULL << GMAP_PAGE_SHIFT)
#define GMAP_SEGMENT_SIZE	(1ULL << GMAP_SEGMENT_SHIFT)
#define GMAP_REGION3_SIZE	(1ULL << GMAP_REGION3_SHIFT)

/* Table geometry: a region or segment table is 1 to 4 4-KB parts of 512
 * entries (its length in parts minus one is the TL field), a page table is
 * 256 entries (2 KB). */
#define GMAP_CRST_ENTRIES_PER_PART	512
#define GMAP_CRST_PART_SIZE		4096
#define GMAP_CRST_MAX_ENTRIES		2048
#define GMAP_PT_ENTRIES			256
#define GMAP_PT_SIZE			2048

/*
 * ASCE (PoP 3.4.1 "Address-Space-Control Element").
 */
#define GMAP_ASCE_ORIGIN	0xfffffffffffff000ULL	/* bits 0-51: RTO/STO (4 KB) */
#define GMAP_ASCE_G		0x200ULL	/* bit 54: subspace-group control */
#define GMAP_ASCE_P		0x100ULL	/* bit 55: private-space control */
#define GMAP_ASCE_S		0x080ULL	/* bit 56: storage-alteration-event */
#define GMAP_ASCE_X		0x040ULL	/* bit 57: space-switch-event */
#define GMAP_ASCE_R		0x020ULL	/* bit 58: real-space control */
#define GMAP_ASCE_DT_MASK	0x00cULL	/* bits 60-61: designation type */
#define GMAP_ASCE_DT_SHIFT	2
#define GMAP_ASCE_TL_MASK	0x003ULL	/* bits 62-63: table length */

/**
 * enum gmap_dat_tt - designation type / table type of a DAT table level.
 * @GMAP_TT_SEGMENT: segment table (SX, 2 levels below an ASCE of this type)
 * @GMAP_TT_REGION3: region-third table (RTX)
 * @GMAP_TT_REGION2: region-second table (RSX)
 * @GMAP_TT_REGION1: region-first table (RFX)
 *
 * The values are the architected DT field of an ASCE and TT field of a
 * region/segment-table entry (PoP 3.4.1, 3.4.3).
 */
enum gmap_dat_tt {
	GMAP_TT_SEGMENT = 0,
	GMAP_TT_REGION3 = 1,
	GMAP_TT_REGION2 = 2,
	GMAP_TT_REGION1 = 3,
};

/*
 * Region- and segment-table entries, "crstes" (PoP 3.4.3, with EDAT-1 and
 * EDAT-2 formats). Format control (FC) 0: the entry designates a table;
 * FC 1 (segment entry with EDAT-1, region-third entry with EDAT-2): the
 * entry maps a 1 MB / 2 GB frame.
 */
#define GMAP_CRSTE_ORIGIN	0xfffffffffffff000ULL	/* bits 0-51: RSTO/RTTO/STO */
#define GMAP_CRSTE_FC		0x400ULL	/* bit 53: format control */
#define GMAP_CRSTE_P		0x200ULL	/* bit 54: DAT protection */
#define GMAP_CRSTE_IEP		0x100ULL	/* bit 55: instruction-execution prot. (FC 1) */
#define GMAP_CRSTE_TF_MASK	0x0c0ULL	/* bits 56-57: table offset (region, FC 0) */
#define GMAP_CRSTE_TF_SHIFT	6
#define GMAP_CRSTE_I		0x020ULL	/* bit 58: invalid */
#define GMAP_CRSTE_CS		0x010ULL	/* bit 59: common segment / common region */
#define GMAP_CRSTE_TT_MASK	0x00cULL	/* bits 60-61: table type */
#define GMAP_CRSTE_TT_SHIFT	2
#define GMAP_CRSTE_TL_MASK	0x003ULL	/* bits 62-63: table length (region, FC 0) */
#define GMAP_SEGMENT_PTO	0xfffffffffffff800ULL	/* bits 0-52: page-table origin */
#define GMAP_SEGMENT_SFAA	0xfffffffffff00000ULL	/* bits 0-43: 1 MB frame address */
#define GMAP_REGION3_RFAA	0xffffffff80000000ULL	/* bits 0-32: 2 GB frame address */
#define GMAP_CRSTE_AV		0x10000ULL	/* bit 47: ACCF validity (FC 1) */
#define GMAP_CRSTE_ACC_MASK	0x0f000ULL	/* bits 48-51: access-control bits (FC 1) */
#define GMAP_CRSTE_ACC_SHIFT	12
#define GMAP_CRSTE_F		0x00800ULL	/* bit 52: fetch-protection bit (FC 1) */

/*
 * Page-table entries (PoP 3.4.4).
 */
#define GMAP_PTE_PFRA		0xfffffffffffff000ULL	/* bits 0-51: page-frame real address */
#define GMAP_PTE_Z		0x800ULL	/* bit 52: must be zero */
#define GMAP_PTE_I		0x400ULL	/* bit 53: page-invalid */
#define GMAP_PTE_P		0x200ULL	/* bit 54: DAT protection */
#define GMAP_PTE_IEP		0x100ULL	/* bit 55: IEP (CO with EDAT-1; else zero) */

/* Virtual-address indexes (PoP 3.4.2). */
#define GMAP_VA_RFX(va)	(((va) >> 53) & 0x7ff)	/* bits 0-10 */
#define GMAP_VA_RSX(va)	(((va) >> 42) & 0x7ff)	/* bits 11-21 */
#define GMAP_VA_RTX(va)	(((va) >> 31) & 0x7ff)	/* bits 22-32 */
#define GMAP_VA_SX(va)	(((va) >> 20) & 0x7ff)	/* bits 33-43 */
#define GMAP_VA_PX(va)	(((va) >> 12) & 0x0ff)	/* bits 44-51 */
#define GMAP_VA_BX(va)	((va) & 0xfff)		/* bits 52-63 */

/**
 * enum gmap_pic - program-interruption codes a translation can produce.
 * @GMAP_PIC_NONE: the address translated
 * @GMAP_PIC_PROTECTION: protection exception (DAT or instruction-execution
 *	protection), 0x04
 * @GMAP_PIC_ADDRESSING: a table entry lies outside the configuration, 0x05
 * @GMAP_PIC_SEGMENT_TRANSLATION: segment-translation exception, 0x10
 * @GMAP_PIC_PAGE_TRANSLATION: page-translation exception, 0x11
 * @GMAP_PIC_TRANSLATION_SPEC: translation-specification exception, 0x12
 * @GMAP_PIC_ASCE_TYPE: ASCE-type exception, 0x38
 * @GMAP_PIC_REGION_FIRST: region-first-translation exception, 0x39
 * @GMAP_PIC_REGION_SECOND: region-second-translation exception, 0x3a
 * @GMAP_PIC_REGION_THIRD: region-third-translation exception, 0x3b
 *
 * Values are architected (PoP chapter 6, "Program-Interruption Conditions").
 */
enum gmap_pic {
	GMAP_PIC_NONE = 0x00,
	GMAP_PIC_PROTECTION = 0x04,
	GMAP_PIC_ADDRESSING = 0x05,
	GMAP_PIC_SEGMENT_TRANSLATION = 0x10,
	GMAP_PIC_PAGE_TRANSLATION = 0x11,
	GMAP_PIC_TRANSLATION_SPEC = 0x12,
	GMAP_PIC_ASCE_TYPE = 0x38,
	GMAP_PIC_REGION_FIRST = 0x39,
	GMAP_PIC_REGION_SECOND = 0x3a,
	GMAP_PIC_REGION_THIRD = 0x3b,
};

/**
 * enum gmap_dat_access - the kind of storage access being translated.
 * @GMAP_DAT_FETCH: operand fetch
 * @GMAP_DAT_STORE: store (DAT protection applies)
 * @GMAP_DAT_IFETCH: instruction fetch (instruction-execution protection
 *	applies when the IEP facility is on)
 */
enum gmap_dat_access {
	GMAP_DAT_FETCH = 0,
	GMAP_DAT_STORE = 1,
	GMAP_DAT_IFETCH = 2,
};

/**
 * enum gmap_dat_as - address-space identifier reported in TEID bits 62-63.
 * @GMAP_AS_PRIMARY: primary space (00)
 * @GMAP_AS_AR: access-register specified (01)
 * @GMAP_AS_SECONDARY: secondary space (10)
 * @GMAP_AS_HOME: home space (11)
 */
enum gmap_dat_as {
	GMAP_AS_PRIMARY = 0,
	GMAP_AS_AR = 1,
	GMAP_AS_SECONDARY = 2,
	GMAP_AS_HOME = 3,
};

/* Facility and control bits that change translation (a set, ORed). */
#define GMAP_FAC_EDAT1	(1u << 0)	/* enhanced-DAT 1 (facility 8 + CR0.40) */
#define GMAP_FAC_EDAT2	(1u << 1)	/* enhanced-DAT 2 (facility 78); needs EDAT1 */
#define GMAP_FAC_IEP	(1u << 2)	/* instruction-execution prot. (facility 130 + CR0.43) */
#define GMAP_FAC_ESOP1	(1u << 3)	/* enhanced suppression-on-protection 1 */
#define GMAP_FAC_ESOP2	(1u << 4)	/* ESOP-2: TEID fetch/store indication */
#define GMAP_FAC_ALL	0x1fu

/* Translation-exception identification (PoP 6.x "Translation-Exception
 * Identification"), as stored at real location 168-175. */
#define GMAP_TEID_ADDR		0xfffffffffffff000ULL	/* bits 0-51: page address */
#define GMAP_TEID_FSI_FETCH	0x800ULL	/* bits 52-53 = 10: fetch (ESOP-2) */
#define GMAP_TEID_FSI_STORE	0x400ULL	/* bits 52-53 = 01: store (ESOP-2) */
#define GMAP_TEID_B56		0x080ULL	/* bit 56: with 61, IEP (ESOP-1) */
#define GMAP_TEID_B60		0x008ULL	/* bit 60: key / access-list (ESOP-1) */
#define GMAP_TEID_B61		0x004ULL	/* bit 61: DAT (ESOP-1) / address valid */
#define GMAP_TEID_AS_MASK	0x003ULL	/* bits 62-63: address-space identifier */

/**
 * enum gmap_dat_mem_kind - how the walker reads table entries.
 * @GMAP_DAT_MEM_HOST: tables in this process, host-native byte order; a
 *	table origin is a host virtual address (library-owned tables under the
 *	soft backend, where real == host virtual). No bounds check.
 * @GMAP_DAT_MEM_BE: tables big-endian in a flat image of absolute storage
 *	(a dump, a guest's memory); an entry at absolute address A is read at
 *	base + A, and an entry at or beyond @size raises an addressing
 *	exception.
 * @GMAP_DAT_MEM_FN: every entry is read by calling @read (any layout, any
 *	byte order: the callback converts to host order).
 */
enum gmap_dat_mem_kind {
	GMAP_DAT_MEM_HOST = 0,
	GMAP_DAT_MEM_BE = 1,
	GMAP_DAT_MEM_FN = 2,
};

/**
 * struct gmap_dat_mem - the storage the walker reads DAT tables from.
 * @kind: one of enum gmap_dat_mem_kind
 * @base: GMAP_DAT_MEM_BE: host address of absolute address 0
 * @size: GMAP_DAT_MEM_BE: bytes of storage at @base (a multiple of 8)
 * @read: GMAP_DAT_MEM_FN: read the 8-byte entry at absolute address @addr
 *	(8-byte aligned) into *@val in host order; return 0, or a negative
 *	value when the address is outside storage (addressing exception)
 * @priv: GMAP_DAT_MEM_FN: passed to @read
 *
 * Table entries are fetched at absolute addresses (the PoP lets a machine
 * treat table origins as real or absolute; the library uses absolute, as
 * the kernel's guest walker and QEMU do).
 */
struct gmap_dat_mem {
	enum gmap_dat_mem_kind kind;
	const void *base;
	uint64_t size;
	int (*read)(void *priv, uint64_t addr, uint64_t *val);
	void *priv;
};

/**
 * struct gmap_dat_request - what to translate, beyond the address.
 * @access: enum gmap_dat_access
 * @facilities: GMAP_FAC_* bits in effect (installed and enabled)
 * @as: enum gmap_dat_as, reported in the TEID
 * @prefix: the CPU's prefix (8 KB aligned), applied to real addresses
 *	(page frames and real-space ASCEs) to form absolute addresses; frame
 *	addresses from EDAT-1/EDAT-2 entries are absolute and not prefixed
 */
struct gmap_dat_request {
	uint8_t access;
	uint8_t as;
	uint32_t facilities;
	uint64_t prefix;
};

/* Level numbers used in results and paths: the table type for region and
 * segment tables, and this one for the page table. */
#define GMAP_LEVEL_PAGE	(-1)

/**
 * struct gmap_dat_result - the outcome of one translation.
 * @pic: enum gmap_pic; 0 when the address translated
 * @teid_valid: @teid holds an architected TEID (translation and protection
 *	exceptions; not translation-specification or addressing)
 * @prot: DAT protection was found on the path (page or segment P bit, a
 *	region P bit under EDAT-1, P of an EDAT frame), whatever @access
 * @iep: the leaf entry has IEP set and the IEP facility is on
 * @accf: an EDAT-1/EDAT-2 frame entry supplied access-control bits (AV=1):
 *	@acc and @fp then replace the storage key's for key-controlled
 *	protection
 * @acc: access-control bits of the frame entry (valid when @accf)
 * @fp: fetch-protection bit of the frame entry (valid when @accf)
 * @level: the level where the walk ended: enum gmap_dat_tt of the last
 *	table read, GMAP_LEVEL_PAGE for the page table, or GMAP_LEVEL_REAL for
 *	a real-space ASCE / not entered (ASCE-type, first-index exceptions)
 * @frame_shift: log2 of the frame mapped: 12, 20 (EDAT-1 segment frame) or
 *	31 (EDAT-2 region-third frame); 0 on exceptions other than
 *	protection
 * @addr: absolute address of the translated byte (valid when @pic is 0,
 *	or for a protection exception, where it is the address the access
 *	would have reached)
 * @teid: translation-exception identification (valid when @teid_valid)
 */
struct gmap_dat_result {
	uint8_t pic;
	bool teid_valid;
	bool prot;
	bool iep;
	bool accf;
	uint8_t acc;
	bool fp;
	int8_t level;
	uint8_t frame_shift;
	uint64_t addr;
	uint64_t teid;
};

#define GMAP_LEVEL_REAL	(-2)

/**
 * struct gmap_dat_path - every table entry a walk read, in order.
 * @n: number of entries read (0 to 5)
 * @e: per entry: @e[i].level (enum gmap_dat_tt or GMAP_LEVEL_PAGE),
 *	@e[i].addr (absolute address of the entry), @e[i].val (its value in
 *	host order)
 */
struct gmap_dat_path {
	unsigned int n;
	struct {
		int level;
		uint64_t addr;
		uint64_t val;
	} e[5];
};

/**
 * gmap_dat_translate() - translate a virtual address through DAT tables.
 * @mem: where the tables are (see struct gmap_dat_mem)
 * @asce: the address-space-control element to translate with
 * @vaddr: the virtual address (64-bit addressing mode, any alignment)
 * @req: access type, facilities, address space and prefix
 * @res: out: the result (always fully written when 0 is returned)
 *
 * Performs dynamic address translation as the z/Architecture Principles of
 * Operation define it (chapter 3, "Translation Process"): the ASCE-type
 * check, the first index against the ASCE's table length, at each level the
 * invalid bit, the table type, the common-segment/region control against a
 * private space, the next index against the entry's table offset and
 * length, EDAT-1 / EDAT-2 frames, the reserved bits of the page-table
 * entry, then DAT protection for stores and instruction-execution
 * protection for instruction fetches. Prefixing is applied to page-frame
 * and real-space addresses only. A program exception is a result, not an
 * error: 0 is returned with @res->pic set and, for translation and
 * protection exceptions, the TEID (address bits 0-51, the address-space
 * identifier, the ESOP-1 bits 56/60/61 and the ESOP-2 fetch/store
 * indication when those facilities are on). Whatever the tables hold, the
 * walk reads at most five entries and never reads outside @mem.
 *
 * Mirrors the kernel's guest_translate() (arch/s390/kvm/gaccess.c).
 *
 * Context: any; takes no locks, allocates nothing. The caller keeps the
 * tables stable or accepts a walk over a mix of old and new entries, as
 * the hardware does.
 * Return: 0, with @res filled; -EINVAL if @mem, @req or @res is NULL, or
 * @mem->kind, @req->access or @req->as is out of range.
 */
GMAP_API int gmap_dat_translate(const struct gmap_dat_mem *mem, gmap_asce_t asce,
				uint64_t vaddr, const struct gmap_dat_request *req,
				struct gmap_dat_result *res);

/**
 * gmap_dat_translate_path() - gmap_dat_translate(), recording every entry.
 * @mem: as for gmap_dat_translate()
 * @asce: as for gmap_dat_translate()
 * @vaddr: as for gmap_dat_translate()
 * @req: as for gmap_dat_translate()
 * @res: as for gmap_dat_translate()
 * @path: out: the entries read, in walk order (see struct gmap_dat_path)
 *
 * Same walk as gmap_dat_translate(); for tools and tests that show the way.
 *
 * Context: as gmap_dat_translate().
 * Return: as gmap_dat_translate(); -EINVAL also if @path is NULL.
 */
GMAP_API int gmap_dat_translate_path(const struct gmap_dat_mem *mem, gmap_asce_t asce,
				     uint64_t vaddr, const struct gmap_dat_request *req,
				     struct gmap_dat_result *res,
				     struct gmap_dat_path *path);

struct gmap_dat_walk;

/**
 * struct gmap_dat_walk_ops - callbacks of gmap_dat_walk_range().
 * @pte_entry: called for every page-table entry read in the range
 * @crste_entry: indexed by enum gmap_dat_tt: called for every region or
 *	segment entry read in the range, valid or not
 * @hole: called for each part of the range that does not translate, with
 *	the program-interruption code a translation there would get and the
 *	level where the walk stopped (enum gmap_dat_tt, GMAP_LEVEL_PAGE, or
 *	GMAP_LEVEL_REAL for the ASCE itself)
 *
 * Every callback gets the half-open range [@start, @next) that the entry or
 * hole covers (clipped to the walked range; @next is 0 where the range ends
 * at the top of the 64-bit space) and the walk; the entry callback comes
 * before the hole it makes, and holes are reported one per entry; it returns 0 to
 * go on, > 0 to stop the walk (the value is returned), < 0 for an error
 * (returned). A NULL callback is not called. A crste_entry callback may set
 * @walk->action to GMAP_WALK_SKIP to not descend below that entry. A
 * subtree is not entered at all when no deeper callback exists.
 */
struct gmap_dat_walk_ops {
	int (*pte_entry)(gmap_pte_t pte, uint64_t start, uint64_t next,
			 struct gmap_dat_walk *walk);
	int (*crste_entry[4])(gmap_crste_t crste, uint64_t start, uint64_t next,
			      struct gmap_dat_walk *walk);
	int (*hole)(uint64_t start, uint64_t next, int level, unsigned int pic,
		    struct gmap_dat_walk *walk);
};

/* Values of struct gmap_dat_walk.action. */
#define GMAP_WALK_DESCEND	0	/* go below this entry (default) */
#define GMAP_WALK_SKIP		1	/* do not go below this entry */

/**
 * struct gmap_dat_walk - state of a range walk, passed to every callback.
 * @ops: the callbacks
 * @mem: the storage being walked
 * @facilities: GMAP_FAC_* in effect (EDAT frames are leaves only with them)
 * @asce: the ASCE walked
 * @entry_addr: absolute address of the entry being reported
 * @level: its level (enum gmap_dat_tt or GMAP_LEVEL_PAGE)
 * @prot: DAT protection found on the path down to and including the entry
 *	(as gmap_dat_translate() computes it)
 * @action: set by a crste_entry callback: GMAP_WALK_DESCEND or _SKIP
 * @priv: the caller's data
 */
struct gmap_dat_walk {
	const struct gmap_dat_walk_ops *ops;
	const struct gmap_dat_mem *mem;
	uint32_t facilities;
	gmap_asce_t asce;
	uint64_t entry_addr;
	int level;
	bool prot;
	int action;
	void *priv;
};

/**
 * gmap_dat_walk_range() - visit every table entry that maps a range.
 * @mem: where the tables are
 * @asce: the ASCE whose tables are walked
 * @start: first virtual address of the range (inclusive, any alignment)
 * @end: last virtual address of the range (inclusive, so the whole
 *	64-bit space can be named); must be >= @start
 * @facilities: GMAP_FAC_* in effect
 * @ops: the callbacks
 * @priv: stored in the walk's @priv for the callbacks
 *
 * Walks the tables in address order with the checks of
 * gmap_dat_translate() (which decides what is a hole and with which
 * exception code), reading every entry once. Read-only: it never changes
 * a table. Mirrors the kernel's walk_page_range() (mm/pagewalk.c) and
 * _dat_walk_gfn_range() (arch/s390/kvm/dat.c) for read-only use.
 *
 * Context: any; no locks, no allocation. Time grows with the number of
 * entries in the range.
 * Return: 0 when the range was walked; a callback's positive value when
 * it stopped the walk; a callback's negative value; -EINVAL for NULL
 * @mem/@ops, a bad @mem->kind or @end < @start.
 */
GMAP_API int gmap_dat_walk_range(const struct gmap_dat_mem *mem, gmap_asce_t asce,
				 uint64_t start, uint64_t end, uint32_t facilities,
				 const struct gmap_dat_walk_ops *ops, void *priv);

/**
 * gmap_dat_real_to_abs() - apply prefixing to a real address.
 * @prefix: the CPU's prefix value (bits 0-50 used: an 8 KB-aligned address)
 * @real: a real address
 *
 * Real addresses 0-8191 map to the prefix area and the prefix area maps to
 * absolute 0-8191; all other addresses are unchanged (PoP 3.3.3,
 * "Prefixing").
 *
 * Context: any.
 * Return: the absolute address.
 */
static inline uint64_t gmap_dat_real_to_abs(uint64_t prefix, uint64_t real)
{
	uint64_t p = prefix & 0xffffffffffffe000ULL;
	uint64_t area = real & 0xffffffffffffe000ULL;

	if (area == 0)
		return real | p;
	if (area == p)
		return real & 0x1fffULL;
	return real;
}

/**
 * gmap_asce_mk() - build an ASCE.
 * @origin: table origin, 4 KB aligned (bits below 4 KB are dropped)
 * @dt: designation type (enum gmap_dat_tt)
 * @tl: table length in 4 KB parts minus one (0-3)
 * @flags: any of GMAP_ASCE_G, _P, _S, _X, _R
 *
 * Context: any.
 * Return: the ASCE.
 */
static inline gmap_asce_t gmap_asce_mk(uint64_t origin, enum gmap_dat_tt dt,
				       unsigned int tl, uint64_t flags)
{
	gmap_asce_t a;

	a.val = (origin & GMAP_ASCE_ORIGIN) | ((uint64_t)dt << GMAP_ASCE_DT_SHIFT) |
		((uint64_t)tl & GMAP_ASCE_TL_MASK) |
		(flags & (GMAP_ASCE_G | GMAP_ASCE_P | GMAP_ASCE_S | GMAP_ASCE_X | GMAP_ASCE_R));
	return a;
}

/**
 * gmap_crste_mk_table() - build a region or segment entry designating a table.
 * @origin: origin of the next table: 4 KB aligned for region and segment
 *	tables, 2 KB aligned for a page table (@tt == GMAP_TT_SEGMENT)
 * @tt: type of the table this entry is in (enum gmap_dat_tt)
 * @tf: table offset of the next table, in 4 KB parts (0-3; region only)
 * @tl: table length of the next table, in 4 KB parts minus one (0-3;
 *	region only)
 * @flags: GMAP_CRSTE_I, _P, _CS
 *
 * Context: any.
 * Return: the entry.
 */
static inline gmap_crste_t gmap_crste_mk_table(uint64_t origin, enum gmap_dat_tt tt,
					       unsigned int tf, unsigned int tl,
					       uint64_t flags)
{
	gmap_crste_t e;

	if (tt == GMAP_TT_SEGMENT)
		e.val = origin & GMAP_SEGMENT_PTO;
	else
		e.val = (origin & GMAP_CRSTE_ORIGIN) |
			(((uint64_t)tf << GMAP_CRSTE_TF_SHIFT) & GMAP_CRSTE_TF_MASK) |
			((uint64_t)tl & GMAP_CRSTE_TL_MASK);
	e.val |= ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT) |
		 (flags & (GMAP_CRSTE_I | GMAP_CRSTE_P | GMAP_CRSTE_CS));
	return e;
}

/**
 * gmap_crste_mk_frame() - build an EDAT segment (1 MB) or region-third
 * (2 GB) frame entry (format control 1).
 * @frame: absolute frame address, 1 MB aligned (@tt GMAP_TT_SEGMENT) or
 *	2 GB aligned (@tt GMAP_TT_REGION3); lower bits are dropped
 * @tt: GMAP_TT_SEGMENT or GMAP_TT_REGION3
 * @flags: GMAP_CRSTE_I, _P, _IEP, _CS, _AV, _F, and the access-control bits
 *	(GMAP_CRSTE_ACC_MASK)
 *
 * Context: any.
 * Return: the entry.
 */
static inline gmap_crste_t gmap_crste_mk_frame(uint64_t frame, enum gmap_dat_tt tt,
					       uint64_t flags)
{
	gmap_crste_t e;

	e.val = (frame & (tt == GMAP_TT_SEGMENT ? GMAP_SEGMENT_SFAA : GMAP_REGION3_RFAA)) |
		GMAP_CRSTE_FC | ((uint64_t)tt << GMAP_CRSTE_TT_SHIFT) |
		(flags & (GMAP_CRSTE_I | GMAP_CRSTE_P | GMAP_CRSTE_IEP | GMAP_CRSTE_CS |
			  GMAP_CRSTE_AV | GMAP_CRSTE_ACC_MASK | GMAP_CRSTE_F));
	return e;
}

/**
 * gmap_pte_mk() - build a page-table entry.
 * @pfra: page-frame real address, 4 KB aligned (lower bits are dropped)
 * @flags: GMAP_PTE_I, _P, _IEP
 *
 * Context: any.
 * Return: the entry.
 */
static inline gmap_pte_t gmap_pte_mk(uint64_t pfra, uint64_t flags)
{
	gmap_pte_t e;

	e.val = (pfra & GMAP_PTE_PFRA) | (flags & (GMAP_PTE_I | GMAP_PTE_P | GMAP_PTE_IEP));
	return e;
}

/**
 * gmap_pic_name() - the PoP's name of a program-interruption code.
 * @pic: a program-interruption code
 *
 * Context: any.
 * Return: a static string such as "segment-translation", or "unknown".
 */
GMAP_API const char *gmap_pic_name(unsigned int pic);

#ifdef __cplusplus
}
#endif

#endif /* LIBGMAP_DAT_H */
