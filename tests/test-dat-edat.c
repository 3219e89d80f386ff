// SPDX-License-Identifier: MIT
/*
 * dat suite: EDAT-1 and EDAT-2 frames (1 MB, 2 GB), their access-control
 * fields and IEP, DAT protection at every level for every access,
 * prefixing, and the TEID under every ESOP / address-space combination.
 */
#include "test-dat.h"

#define SEG_FRAME	0x12300000ULL	/* a 1 MB frame */
#define R3_FRAME	0x280000000ULL	/* a 2 GB frame */
#define FAC_EDAT12	(GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2)

/* The result of translating @va through a frame at @frame of 2^@shift. */
static struct gmap_dat_result frame_ok(uint64_t frame, uint64_t va, int level,
				       unsigned int shift)
{
	return fx_ok(frame | (va & ((1ULL << shift) - 1)), level, shift);
}

/*
 * Storage for a table whose origin has bit 47 set and bits 48-52 clear:
 * read as a frame entry, an entry designating it has AV 1, ACC 0, F 0.
 */
static uint64_t av_table(struct fx *fx)
{
	return fx_alloc(fx, 0x20000, 0x20000) + 0x10000;
}

/*
 * A segment entry with FC 1: under EDAT-1 a 1 MB frame (SFAA plus the
 * low 20 bits of the address, first and last byte); without EDAT-1 the
 * same entry designates a page table. An entry built as a table with FC
 * set shows both readings of one word.
 */
static void segment_frame_edat1(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request e1 = fx_req(GMAP_DAT_FETCH, GMAP_FAC_EDAT1);
	struct gmap_dat_request e0 = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ESOP2);
	struct gmap_dat_result want, ok = FX_CHAIN_OK;
	uint64_t pt, both;
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_REGION3, fx_va(1), FX_PTE);
	fx_chain_set(fx, &c, 1, gmap_crste_mk_frame(SEG_FRAME, GMAP_TT_SEGMENT, 0).val);
	fx_ctx("1 MB frame");
	want = frame_ok(SEG_FRAME, c.va, GMAP_TT_SEGMENT, 20);
	fx_check_chain(fx, &c, c.va, &e1, &want, 2);
	want = frame_ok(SEG_FRAME, c.va | 0xfffff, GMAP_TT_SEGMENT, 20);
	fx_check_chain(fx, &c, c.va | 0xfffff, &e1, &want, 2);
	want = frame_ok(SEG_FRAME, c.va & ~0xfffffULL, GMAP_TT_SEGMENT, 20);
	fx_check_chain(fx, &c, c.va & ~0xfffffULL, &e1, &want, 2);

	/* Read as a frame, the page-table origin's bits 47-52 are AV, ACC
	 * and F. */
	pt = av_table(fx);
	both = gmap_crste_mk_table(pt, GMAP_TT_SEGMENT, 0, 0, 0).val | GMAP_CRSTE_FC;
	fx_chain_set(fx, &c, 1, both);
	c.path.e[2].addr = pt + GMAP_VA_PX(c.va) * 8;
	fx_put(fx, c.path.e[2].addr, FX_PTE);
	fx_ctx("table entry with FC, EDAT-1 off");
	fx_check_chain(fx, &c, c.va, &e0, &ok, 3);
	fx_ctx("table entry with FC, EDAT-1 on");
	want = frame_ok(pt & GMAP_SEGMENT_SFAA, c.va, GMAP_TT_SEGMENT, 20);
	want.accf = true;
	fx_check_chain(fx, &c, c.va, &e1, &want, 2);
}

/*
 * A region-third entry with FC 1: a 2 GB frame under EDAT-2 (with
 * EDAT-1), else a table (EDAT-1 alone, or EDAT-2 without EDAT-1). FC in a
 * region-first or -second entry is not a frame.
 */
static void region3_frame_edat2(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request e12 = fx_req(GMAP_DAT_FETCH, FAC_EDAT12);
	struct gmap_dat_request e1 = fx_req(GMAP_DAT_FETCH, GMAP_FAC_EDAT1);
	struct gmap_dat_request e2 = fx_req(GMAP_DAT_FETCH, GMAP_FAC_EDAT2);
	struct gmap_dat_result want, ok = FX_CHAIN_OK;
	uint64_t va2 = 0x7fffffff | 3ULL << 31, sgt, both;
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_REGION3, fx_va(1), FX_PTE);
	fx_chain_set(fx, &c, 0, gmap_crste_mk_frame(R3_FRAME, GMAP_TT_REGION3, 0).val);
	fx_ctx("2 GB frame");
	want = frame_ok(R3_FRAME, c.va, GMAP_TT_REGION3, 31);
	fx_check_chain(fx, &c, c.va, &e12, &want, 1);
	want = frame_ok(R3_FRAME, va2, GMAP_TT_REGION3, 31);
	fx_check_chain(fx, &c, va2, &e12, &want, 1);

	sgt = av_table(fx);
	both = gmap_crste_mk_table(sgt, GMAP_TT_REGION3, 0, 3, 0).val | GMAP_CRSTE_FC;
	fx_chain_set(fx, &c, 0, both);
	c.path.e[1].addr = sgt + GMAP_VA_SX(c.va) * 8;
	fx_put(fx, c.path.e[1].addr, c.path.e[1].val);
	fx_ctx("table entry with FC, EDAT-1 only");
	fx_check_chain(fx, &c, c.va, &e1, &ok, 3);
	fx_ctx("table entry with FC, EDAT-2 without EDAT-1");
	fx_check_chain(fx, &c, c.va, &e2, &ok, 3);
	fx_ctx("table entry with FC, EDAT-1 and EDAT-2");
	want = frame_ok(sgt & GMAP_REGION3_RFAA, c.va, GMAP_TT_REGION3, 31);
	want.accf = true;
	fx_check_chain(fx, &c, c.va, &e12, &want, 1);

	fx_ctx("FC in region-first and -second entries");

	fx_chain(fx, &c, GMAP_TT_REGION1, fx_va(3), FX_PTE);
	fx_chain_set(fx, &c, 0, c.path.e[0].val | GMAP_CRSTE_FC);
	fx_chain_set(fx, &c, 1, c.path.e[1].val | GMAP_CRSTE_FC);
	fx_check_chain(fx, &c, c.va, &e12, &ok, 5);
}

/*
 * Frame addresses are absolute: no prefixing for a 1 MB or 2 GB frame at
 * absolute 0 that holds the prefix area, while a 4 KB page is prefixed.
 */
static void frames_not_prefixed(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
	struct gmap_dat_result want;
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_REGION3, 0x10, 0);
	fx_ctx("4 KB page at 0, 1 MB frame at 0, 2 GB frame at 0");
	want = fx_ok(FX_PREFIX | 0x10, GMAP_LEVEL_PAGE, 12);
	fx_check_chain(fx, &c, 0x10, &req, &want, 3);

	fx_chain_set(fx, &c, 1, gmap_crste_mk_frame(0, GMAP_TT_SEGMENT, 0).val);
	want = fx_ok(0x10, GMAP_TT_SEGMENT, 20);
	fx_check_chain(fx, &c, 0x10, &req, &want, 2);
	want = fx_ok(FX_PREFIX + 0x10, GMAP_TT_SEGMENT, 20);
	fx_check_chain(fx, &c, FX_PREFIX + 0x10, &req, &want, 2);

	fx_chain_set(fx, &c, 0, gmap_crste_mk_frame(0, GMAP_TT_REGION3, 0).val);
	want = fx_ok(0x10, GMAP_TT_REGION3, 31);
	fx_check_chain(fx, &c, 0x10, &req, &want, 1);
	want = fx_ok(FX_PREFIX + 0x10, GMAP_TT_REGION3, 31);
	fx_check_chain(fx, &c, FX_PREFIX + 0x10, &req, &want, 1);
}

/*
 * 4 KB pages are prefixed: page frame 0 <-> the prefix area, both 4 KB
 * halves of it, and nothing else.
 */
static void pages_prefixed(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request req = fx_req(GMAP_DAT_STORE, GMAP_FAC_ALL);
	static const uint64_t cases[][2] = {
		{ 0x0, FX_PREFIX },
		{ 0x1000, FX_PREFIX + 0x1000 },
		{ FX_PREFIX, 0x0 },
		{ FX_PREFIX + 0x1000, 0x1000 },
		{ 0x2000, 0x2000 },
		{ FX_PREFIX - 0x1000, FX_PREFIX - 0x1000 },
		{ FX_PREFIX + 0x2000, FX_PREFIX + 0x2000 },
	};
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_SEGMENT, fx_va(0), FX_PTE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gmap_dat_result want = fx_ok(cases[i][1] | 0x678, GMAP_LEVEL_PAGE, 12);

		fx_ctx("page frame 0x%llx", (unsigned long long)cases[i][0]);
		fx_chain_set(fx, &c, 1, gmap_pte_mk(cases[i][0], 0).val);
		fx_check_chain(fx, &c, c.va, &req, &want, 2);
	}
}

/*
 * The access-control fields of a frame entry with AV 1: every ACC value,
 * with and without F, for 1 MB and 2 GB frames.
 */
static void frame_accf(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_REGION3, fx_va(1), FX_PTE);
	for (unsigned int i = 0; i < 2; i++) {
		int tt = i ? GMAP_TT_REGION3 : GMAP_TT_SEGMENT;
		uint64_t frame = i ? R3_FRAME : SEG_FRAME;
		unsigned int shift = i ? 31 : 20;

		for (unsigned int acc = 0; acc < 16; acc++) {
			for (unsigned int f = 0; f < 2; f++) {
				uint64_t flags = GMAP_CRSTE_AV | (f ? GMAP_CRSTE_F : 0) |
						 (uint64_t)acc << GMAP_CRSTE_ACC_SHIFT;
				struct gmap_dat_result want = frame_ok(frame, c.va, tt, shift);

				want.accf = true;
				want.acc = (uint8_t)acc;
				want.fp = f;
				fx_ctx("level %d ACC %u F %u", tt, acc, f);
				fx_chain_set(fx, &c, 1 - i,
					     gmap_crste_mk_frame(frame, (enum gmap_dat_tt)tt,
								 flags).val);
				fx_check_chain(fx, &c, c.va, &req, &want, 2 - i);
			}
		}
	}
}

/*
 * A frame entry with AV 0: its ACC and F bits are not used, and the result
 * says so with accf false and acc, fp zero (the project's reading of
 * "valid when accf": a result does not carry bits the machine ignores).
 */
static void frame_accf_ignored_without_av(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
	uint64_t flags = 9ULL << GMAP_CRSTE_ACC_SHIFT | GMAP_CRSTE_F;
	struct gmap_dat_result want;
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_REGION3, fx_va(1), FX_PTE);
	fx_ctx("1 MB frame, then 2 GB frame, AV 0, ACC 9, F 1");
	fx_chain_set(fx, &c, 1, gmap_crste_mk_frame(SEG_FRAME, GMAP_TT_SEGMENT, flags).val);
	want = frame_ok(SEG_FRAME, c.va, GMAP_TT_SEGMENT, 20);
	fx_check_chain(fx, &c, c.va, &req, &want, 2);
	fx_chain_set(fx, &c, 0, gmap_crste_mk_frame(R3_FRAME, GMAP_TT_REGION3, flags).val);
	want = frame_ok(R3_FRAME, c.va, GMAP_TT_REGION3, 31);
	fx_check_chain(fx, &c, c.va, &req, &want, 1);
}

/*
 * IEP in a frame entry: with the IEP facility an instruction fetch is a
 * protection exception (TEID bits 56, 61), other accesses report iep;
 * without it the bit is ignored (no translation specification in a frame
 * entry).
 */
static void frame_iep(void **state)
{
	struct fx *fx = *state;
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_REGION3, fx_va(1), FX_PTE);
	for (unsigned int i = 0; i < 2; i++) {
		int tt = i ? GMAP_TT_REGION3 : GMAP_TT_SEGMENT;
		uint64_t frame = i ? R3_FRAME : SEG_FRAME;
		unsigned int shift = i ? 31 : 20;

		fx_chain_set(fx, &c, 1 - i,
			     gmap_crste_mk_frame(frame, (enum gmap_dat_tt)tt, GMAP_CRSTE_IEP).val);
		for (unsigned int acc = GMAP_DAT_FETCH; acc <= GMAP_DAT_IFETCH; acc++) {
			struct gmap_dat_request req = fx_req(acc, GMAP_FAC_ALL);
			struct gmap_dat_request noiep = fx_req(acc, FAC_EDAT12);
			struct gmap_dat_result want = frame_ok(frame, c.va, tt, shift);

			fx_ctx("level %d access %u", tt, acc);
			fx_check_chain(fx, &c, c.va, &noiep, &want, 2 - i);
			want.iep = true;
			if (acc == GMAP_DAT_IFETCH) {
				want.pic = 0x04;
				want.teid_valid = true;
				want.teid = FX_TEID(c.va, 0x800 | 0x84);
			}
			fx_check_chain(fx, &c, c.va, &req, &want, 2 - i);
		}
	}
}

/*
 * DAT protection at every level of every designation type, for fetch,
 * store and instruction fetch: a store is a protection exception (TEID
 * bit 61, the address and frame still reported), the others translate
 * with prot. Region P bits count only under EDAT-1; segment and page P
 * always.
 */
static void protection_each_level(void **state)
{
	struct fx *fx = *state;
	const uint32_t facs[] = { GMAP_FAC_ALL, GMAP_FAC_ALL & ~(GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2) };

	for (unsigned int k = 0; k < 8; k++) {
		int dt = (int)k / 2;
		size_t f = k % 2;
		struct chain c;

		fx_chain(fx, &c, dt, fx_va(dt), FX_PTE);
		for (unsigned int i = 0; i < c.path.n; i++) {
			int level = c.path.e[i].level;
			uint64_t orig = c.path.e[i].val;
			uint64_t p = level == GMAP_LEVEL_PAGE ? GMAP_PTE_P : GMAP_CRSTE_P;
			bool counts = f == 0 || level <= GMAP_TT_SEGMENT;

			fx_chain_set(fx, &c, i, orig | p);
			for (unsigned int acc = 0; acc <= GMAP_DAT_IFETCH; acc++) {
				struct gmap_dat_request req = fx_req(acc, facs[f]);
				struct gmap_dat_result want = FX_CHAIN_OK;

				want.prot = counts;
				if (counts && acc == GMAP_DAT_STORE) {
					want.pic = 0x04;
					want.teid_valid = true;
					want.teid = FX_TEID(c.va, 0x400 | 0x4);
				}
				fx_ctx("DT %d facilities 0x%x level %d access %u", dt, facs[f],
				       level, acc);
				fx_check_chain(fx, &c, c.va, &req, &want, c.path.n);
			}
			fx_chain_set(fx, &c, i, orig);
		}
	}
}

/*
 * DAT protection of frames: the frame entry's own P, and a region P above
 * it (EDAT-1), for 1 MB and 2 GB frames.
 */
static void protection_frames(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request store = fx_req(GMAP_DAT_STORE, GMAP_FAC_ALL);
	struct gmap_dat_request fetch = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_REGION1, fx_va(3), FX_PTE);
	for (unsigned int i = 2; i <= 3; i++) {
		int tt = i == 2 ? GMAP_TT_REGION3 : GMAP_TT_SEGMENT;
		uint64_t frame = i == 2 ? R3_FRAME : SEG_FRAME;
		unsigned int shift = i == 2 ? 31 : 20;
		uint64_t orig = c.path.e[i].val, r1 = c.path.e[0].val;
		struct gmap_dat_result want = frame_ok(frame, c.va, tt, shift);

		want.prot = true;
		fx_ctx("level %d", tt);
		fx_chain_set(fx, &c, i,
			     gmap_crste_mk_frame(frame, (enum gmap_dat_tt)tt, GMAP_CRSTE_P).val);
		fx_check_chain(fx, &c, c.va, &fetch, &want, i + 1);
		want.pic = 0x04;
		want.teid_valid = true;
		want.teid = FX_TEID(c.va, 0x400 | 0x4);
		fx_check_chain(fx, &c, c.va, &store, &want, i + 1);

		fx_chain_set(fx, &c, i, gmap_crste_mk_frame(frame, (enum gmap_dat_tt)tt, 0).val);
		fx_chain_set(fx, &c, 0, r1 | GMAP_CRSTE_P);
		fx_check_chain(fx, &c, c.va, &store, &want, i + 1);
		fx_chain_set(fx, &c, 0, r1);
		fx_chain_set(fx, &c, i, orig);
	}
}

/*
 * The TEID under every combination of ESOP-1 and ESOP-2, address-space
 * id and access, for a page-translation exception, DAT protection and
 * IEP; none for a translation-specification exception.
 */
static void teid_combinations(void **state)
{
	struct fx *fx = *state;
	const uint32_t base = GMAP_FAC_EDAT1 | GMAP_FAC_IEP;
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_SEGMENT, fx_va(0), FX_PTE);
	for (unsigned int esop = 0; esop < 4; esop++) {
		uint32_t fac = base | (esop & 1 ? GMAP_FAC_ESOP1 : 0) |
			       (esop & 2 ? GMAP_FAC_ESOP2 : 0);

		for (unsigned int as = 0; as < 4; as++) {
			for (unsigned int acc = 0; acc <= GMAP_DAT_IFETCH; acc++) {
				struct gmap_dat_request req = fx_req(acc, fac);
				uint64_t fsi = !(esop & 2) ? 0 :
					       acc == GMAP_DAT_STORE ? 0x400 : 0x800;
				struct gmap_dat_result want =
					fx_exc(0x11, GMAP_LEVEL_PAGE, c.va, fsi | as);

				req.as = (uint8_t)as;
				fx_ctx("ESOP %u AS %u access %u", esop, as, acc);
				fx_chain_set(fx, &c, 1, FX_PTE | GMAP_PTE_I);
				fx_check_chain(fx, &c, c.va, &req, &want, 2);

				fx_chain_set(fx, &c, 1, FX_PTE | GMAP_PTE_P | GMAP_PTE_IEP);
				want = FX_CHAIN_OK;
				want.prot = want.iep = true;
				if (acc != GMAP_DAT_FETCH) {
					want.pic = 0x04;
					want.teid_valid = true;
					want.teid = FX_TEID(c.va, fsi | as |
							    (acc == GMAP_DAT_STORE ? 0x04 : 0x84));
				}
				fx_check_chain(fx, &c, c.va, &req, &want, 2);

				fx_chain_set(fx, &c, 0, c.path.e[0].val ^ 0x4);
				want = fx_noteid(0x12, GMAP_TT_SEGMENT);
				fx_check_chain(fx, &c, c.va, &req, &want, 1);
				fx_chain_set(fx, &c, 0, c.path.e[0].val ^ 0x4);
			}
		}
	}
}

const struct CMUnitTest dat_edat_tests[] = {
	FX_TESTS(segment_frame_edat1),
	FX_TESTS(region3_frame_edat2),
	FX_TESTS(frames_not_prefixed),
	FX_TESTS(pages_prefixed),
	FX_TESTS(frame_accf),
	FX_TESTS(frame_accf_ignored_without_av),
	FX_TESTS(frame_iep),
	FX_TESTS(protection_each_level),
	FX_TESTS(protection_frames),
	FX_TESTS(teid_combinations),
};
const size_t dat_edat_ntests = sizeof(dat_edat_tests) / sizeof(dat_edat_tests[0]);
