// SPDX-License-Identifier: MIT
/*
 * dat suite: the checks of each table entry: invalid bits, table types,
 * common segment / common region in a private space, the reserved pte
 * bits, and entries outside storage (addressing).
 */
#include "test-dat.h"

/* Translation exceptions, by level (enum gmap_dat_tt, GMAP_LEVEL_PAGE). */
static uint8_t pic_of_level(int level)
{
	static const uint8_t pic[4] = { 0x10, 0x3b, 0x3a, 0x39 };

	return level == GMAP_LEVEL_PAGE ? 0x11 : pic[level];
}

static uint64_t invalid_bit(int level)
{
	return level == GMAP_LEVEL_PAGE ? GMAP_PTE_I : GMAP_CRSTE_I;
}

/*
 * The invalid bit at every level of every designation type: the level's
 * translation exception, with the TEID (and its address-space id), the
 * walk ending at that entry. The invalid bit is checked before the table
 * type: an invalid entry of the wrong type is still just invalid.
 */
static void invalid_each_level(void **state)
{
	struct fx *fx = *state;

	for (int dt = 0; dt <= 3; dt++) {
		struct gmap_dat_request req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
		struct chain c;

		req.as = (uint8_t)dt;
		fx_chain(fx, &c, dt, fx_va(dt), FX_PTE);
		for (unsigned int i = 0; i < c.path.n; i++) {
			int level = c.path.e[i].level;
			uint64_t orig = c.path.e[i].val;
			struct gmap_dat_result want =
				fx_exc(pic_of_level(level), level, c.va, 0x800 | (uint64_t)dt);

			fx_ctx("DT %d level %d", dt, level);
			fx_chain_set(fx, &c, i, orig | invalid_bit(level));
			fx_check_chain(fx, &c, c.va, &req, &want, i + 1);
			if (level != GMAP_LEVEL_PAGE) {
				fx_chain_set(fx, &c, i, (orig ^ 0xc) | GMAP_CRSTE_I);
				fx_check_chain(fx, &c, c.va, &req, &want, i + 1);
			}
			fx_chain_set(fx, &c, i, orig);
		}
	}
}

/*
 * A region or segment entry whose table type is not its table's:
 * translation specification, no TEID, at that level; for every wrong type
 * at every level of every designation type.
 */
static void tt_mismatch_each_level(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request req = fx_req(GMAP_DAT_STORE, GMAP_FAC_ALL);

	for (int dt = 0; dt <= 3; dt++) {
		struct chain c;

		fx_chain(fx, &c, dt, fx_va(dt), FX_PTE);
		for (unsigned int i = 0; i + 1 < c.path.n; i++) {
			int level = c.path.e[i].level;
			uint64_t orig = c.path.e[i].val;

			for (int tt = 0; tt <= 3; tt++) {
				struct gmap_dat_result want = fx_noteid(0x12, level);

				if (tt == level)
					continue;
				fx_ctx("DT %d level %d TT %d", dt, level, tt);
				fx_chain_set(fx, &c, i, (orig & ~GMAP_CRSTE_TT_MASK) |
							 (uint64_t)tt << GMAP_CRSTE_TT_SHIFT);
				fx_check_chain(fx, &c, c.va, &req, &want, i + 1);
			}
			fx_chain_set(fx, &c, i, orig);
		}
	}
}

/*
 * A segment entry with the common-segment bit in a private space (ASCE P):
 * translation specification, with or without EDAT-1, for a page table and
 * for a 1 MB frame; either bit alone is fine.
 */
static void common_segment_private_space(void **state)
{
	struct fx *fx = *state;
	uint32_t facs[] = { GMAP_FAC_ALL, GMAP_FAC_ESOP2 };
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_REGION3, fx_va(1), FX_PTE);
	for (size_t f = 0; f < 2; f++) {
		struct gmap_dat_request req = fx_req(GMAP_DAT_FETCH, facs[f]);
		gmap_asce_t priv = { c.asce.val | GMAP_ASCE_P };
		struct gmap_dat_result spec = fx_noteid(0x12, GMAP_TT_SEGMENT);
		struct gmap_dat_result ok = FX_CHAIN_OK;
		uint64_t seg = c.path.e[1].val;
		struct gmap_dat_path p;

		fx_ctx("facilities 0x%x", facs[f]);
		fx_check(fx, priv, c.va, &req, &ok, &c.path);
		fx_chain_set(fx, &c, 1, seg | GMAP_CRSTE_CS);
		fx_check_chain(fx, &c, c.va, &req, &ok, 3);
		p = c.path;
		p.n = 2;
		fx_check(fx, priv, c.va, &req, &spec, &p);

		/* A 1 MB frame entry: CS is checked before FC. */
		fx_chain_set(fx, &c, 1, gmap_crste_mk_frame(0x40000000, GMAP_TT_SEGMENT,
							   GMAP_CRSTE_CS).val);
		p = c.path;
		p.n = 2;
		fx_check(fx, priv, c.va, &req, &spec, &p);
		fx_chain_set(fx, &c, 1, seg);
	}
}

/*
 * A region-third entry with the common-region bit in a private space:
 * translation specification only with EDAT-2 (which needs EDAT-1); bit 59
 * of region-first and region-second entries means nothing.
 */
static void common_region_private_space(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_result spec = fx_noteid(0x12, GMAP_TT_REGION3);
	struct gmap_dat_result ok = FX_CHAIN_OK;
	struct gmap_dat_request req;
	gmap_asce_t priv;
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_REGION3, fx_va(1), FX_PTE);
	fx_ctx("CR in a region-third entry");
	fx_chain_set(fx, &c, 0, c.path.e[0].val | GMAP_CRSTE_CS);
	priv.val = c.asce.val | GMAP_ASCE_P;

	req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2);
	fx_check_chain(fx, &c, c.va, &req, &ok, 3);
	c.path.n = 1;
	fx_check(fx, priv, c.va, &req, &spec, &c.path);
	c.path.n = 3;
	req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_EDAT1);
	fx_check(fx, priv, c.va, &req, &ok, &c.path);
	req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_EDAT2);
	fx_check(fx, priv, c.va, &req, &ok, &c.path);

	fx_chain(fx, &c, GMAP_TT_REGION1, fx_va(3), FX_PTE);
	fx_ctx("bit 59 in region-first and -second entries");
	fx_chain_set(fx, &c, 0, c.path.e[0].val | GMAP_CRSTE_CS);
	fx_chain_set(fx, &c, 1, c.path.e[1].val | GMAP_CRSTE_CS);
	priv.val = c.asce.val | GMAP_ASCE_P;
	req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
	fx_check(fx, priv, c.va, &req, &ok, &c.path);
}

/*
 * Page-table entry bit 52 must be zero (translation specification, with
 * or without IEP); an invalid entry is reported as invalid first.
 */
static void pte_bit52(void **state)
{
	struct fx *fx = *state;
	uint32_t facs[] = { 0, GMAP_FAC_IEP, GMAP_FAC_ALL };
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_SEGMENT, fx_va(0), FX_PTE | GMAP_PTE_Z);
	for (size_t f = 0; f < 3; f++) {
		struct gmap_dat_request req = fx_req(GMAP_DAT_FETCH, facs[f]);
		struct gmap_dat_result want = fx_noteid(0x12, GMAP_LEVEL_PAGE);

		fx_ctx("facilities 0x%x", facs[f]);
		fx_check_chain(fx, &c, c.va, &req, &want, 2);
	}
	fx_chain_set(fx, &c, 1, FX_PTE | GMAP_PTE_Z | GMAP_PTE_I | GMAP_PTE_IEP);
	for (size_t f = 0; f < 3; f++) {
		struct gmap_dat_request req = fx_req(GMAP_DAT_STORE, facs[f]);
		struct gmap_dat_result want =
			fx_exc(0x11, GMAP_LEVEL_PAGE, c.va, f == 2 ? 0x400 : 0);

		fx_ctx("invalid, facilities 0x%x", facs[f]);
		fx_check_chain(fx, &c, c.va, &req, &want, 2);
	}
}

/*
 * Page-table entry bit 55: translation specification when neither IEP nor
 * EDAT-1 applies; with EDAT-1 alone it is the change-recording override
 * and has no effect on translation; with IEP, instruction-execution
 * protection: fetches and stores are allowed (iep reported), an
 * instruction fetch is a protection exception with TEID bits 56 and 61.
 */
static void pte_bit55(void **state)
{
	struct fx *fx = *state;
	const uint32_t noiep = GMAP_FAC_ESOP1 | GMAP_FAC_ESOP2;
	const uint32_t co = GMAP_FAC_ALL & ~GMAP_FAC_IEP;
	struct gmap_dat_result want;
	struct gmap_dat_request req;
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_SEGMENT, fx_va(0), FX_PTE | GMAP_PTE_IEP);
	for (unsigned int acc = GMAP_DAT_FETCH; acc <= GMAP_DAT_IFETCH; acc++) {
		req = fx_req(acc, noiep);
		want = fx_noteid(0x12, GMAP_LEVEL_PAGE);
		fx_ctx("neither IEP nor EDAT-1, access %u", acc);
		fx_check_chain(fx, &c, c.va, &req, &want, 2);

		req = fx_req(acc, co);
		want = FX_CHAIN_OK;
		fx_ctx("EDAT-1 without IEP (change-recording override), access %u", acc);
		fx_check_chain(fx, &c, c.va, &req, &want, 2);

		req = fx_req(acc, GMAP_FAC_ALL);
		want = FX_CHAIN_OK;
		want.iep = true;
		if (acc == GMAP_DAT_IFETCH) {
			want.pic = 0x04;
			want.teid_valid = true;
			want.teid = FX_TEID(c.va, 0x800 | 0x84);
		}
		fx_ctx("IEP, access %u", acc);
		fx_check_chain(fx, &c, c.va, &req, &want, 2);
	}
}

/*
 * An entry at or beyond the end of storage: addressing exception, no
 * TEID, at the level of the entry, the walk having read the entries
 * above it. The last entry fits when storage ends right after it.
 */
static void addressing_each_level(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
	struct gmap_dat_result ok = FX_CHAIN_OK;

	for (int dt = 0; dt <= 3; dt++) {
		struct chain c;

		/* Each chain's tables lie above the previous one's. */
		fx_chain(fx, &c, dt, fx_va(dt), FX_PTE);
		for (unsigned int i = 0; i < c.path.n; i++) {
			struct gmap_dat_result want = fx_noteid(0x05, c.path.e[i].level);

			fx_ctx("DT %d level %d at the end of storage", dt, c.path.e[i].level);
			fx_set_limit(fx, c.path.e[i].addr);
			fx_check_chain(fx, &c, c.va, &req, &want, i);
			fx_set_limit(fx, FX_IMAGE_SIZE);
			if (fx->kind == GMAP_DAT_MEM_FN) {
				fx_ctx("DT %d level %d, reader fails", dt, c.path.e[i].level);
				fx->fail_addr = c.path.e[i].addr;
				fx_check_chain(fx, &c, c.va, &req, &want, i);
				fx->fail_addr = UINT64_MAX;
			}
		}
		fx_ctx("DT %d, storage ends after the pte", dt);
		fx_set_limit(fx, c.path.e[c.path.n - 1].addr + 8);
		fx_check_chain(fx, &c, c.va, &req, &ok, c.path.n);
		fx_set_limit(fx, FX_IMAGE_SIZE);
	}
}

/*
 * Table origins far beyond storage, at the ASCE and in every entry that
 * designates a table: addressing exception at the next level.
 */
static void addressing_origin_beyond(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request req = fx_req(GMAP_DAT_STORE, GMAP_FAC_ALL);
	struct gmap_dat_path none = { 0 };
	struct gmap_dat_result want;

	for (int dt = 0; dt <= 3; dt++) {
		gmap_asce_t far = gmap_asce_mk(0xfff0000000000000ULL, (enum gmap_dat_tt)dt, 3, 0);
		struct chain c;

		fx_chain(fx, &c, dt, fx_va(dt), FX_PTE);
		fx_ctx("DT %d, ASCE origin beyond storage", dt);
		want = fx_noteid(0x05, dt);
		fx_check(fx, far, c.va, &req, &want, &none);
		for (unsigned int i = 0; i + 1 < c.path.n; i++) {
			int level = c.path.e[i].level;
			uint64_t orig = c.path.e[i].val;
			uint64_t origin = level == GMAP_TT_SEGMENT ? 0x7ffff800 : 0x7ffff000;

			fx_ctx("DT %d level %d designates a table beyond storage", dt, level);
			fx_chain_set(fx, &c, i, gmap_crste_mk_table(origin, (enum gmap_dat_tt)level,
								   0, 3, 0).val);
			want = fx_noteid(0x05, c.path.e[i + 1].level);
			fx_check_chain(fx, &c, c.va, &req, &want, i + 1);
			fx_chain_set(fx, &c, i, orig);
		}
	}
}

const struct CMUnitTest dat_entry_tests[] = {
	FX_TESTS(invalid_each_level),
	FX_TESTS(tt_mismatch_each_level),
	FX_TESTS(common_segment_private_space),
	FX_TESTS(common_region_private_space),
	FX_TESTS(pte_bit52),
	FX_TESTS(pte_bit55),
	FX_TESTS_IMAGE(addressing_each_level),
	FX_TESTS_IMAGE(addressing_origin_beyond),
};
const size_t dat_entry_ntests = sizeof(dat_entry_tests) / sizeof(dat_entry_tests[0]);
