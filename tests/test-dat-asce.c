// SPDX-License-Identifier: MIT
/*
 * dat suite: the ASCE (real space, ASCE type, table length), the table
 * offset and length of region entries, and argument errors.
 */
#include <errno.h>
#include <string.h>

#include "test-dat.h"

/* The first and last index of each 4 KB part of a region/segment table. */
static const unsigned int part_edges[] = { 0, 511, 512, 1023, 1024, 1535, 1536, 2047 };
#define N_EDGES (sizeof(part_edges) / sizeof(part_edges[0]))

/* Translation exceptions, by the table type where the index lies. */
static const uint8_t pic_of_tt[4] = { 0x10, 0x3b, 0x3a, 0x39 };

/*
 * A real-space ASCE: the address is real, prefixing makes it absolute
 * (real 0-8 KB <-> the prefix area), no table is read whatever the other
 * ASCE fields say, no protection, any access.
 */
static void real_space_prefixing(void **state)
{
	struct fx *fx = *state;
	gmap_asce_t asce = gmap_asce_mk(0xfffffffffffff000ULL, GMAP_TT_REGION1, 3,
					GMAP_ASCE_R | GMAP_ASCE_P);
	const struct gmap_dat_path none = { 0 };
	static const struct {
		uint64_t prefix, va, abs;
	} cases[] = {
		{ FX_PREFIX, 0x0, FX_PREFIX },
		{ FX_PREFIX, 0x123, FX_PREFIX + 0x123 },
		{ FX_PREFIX, 0x1fff, FX_PREFIX + 0x1fff },
		{ FX_PREFIX, 0x2000, 0x2000 },
		{ FX_PREFIX, FX_PREFIX, 0x0 },
		{ FX_PREFIX, FX_PREFIX + 0x1abc, 0x1abc },
		{ FX_PREFIX, FX_PREFIX - 1, FX_PREFIX - 1 },
		{ FX_PREFIX, FX_PREFIX + 0x2000, FX_PREFIX + 0x2000 },
		{ FX_PREFIX, 0xfedcba9876543210ULL, 0xfedcba9876543210ULL },
		{ 0, 0x123, 0x123 },
		/* Bits of the prefix below 8 KB are not used. */
		{ FX_PREFIX | 0x1fff, 0x10, FX_PREFIX | 0x10 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (unsigned int acc = GMAP_DAT_FETCH; acc <= GMAP_DAT_IFETCH; acc++) {
			struct gmap_dat_request req = fx_req(acc, GMAP_FAC_ALL);
			struct gmap_dat_result want = {
				.level = GMAP_LEVEL_REAL, .frame_shift = 12, .addr = cases[i].abs,
			};

			req.prefix = cases[i].prefix;
			fx_ctx("case %zu access %u", i, acc);
			fx_check(fx, asce, cases[i].va, &req, &want, &none);
		}
	}
}

/*
 * ASCE-type exception: an index above the designated table's is not 0.
 * The last address within reach gets past the check (and reads the last
 * entry of the top table, invalid); the next one and the top bit do not.
 */
static void asce_type_exception(void **state)
{
	struct fx *fx = *state;
	const struct gmap_dat_path none = { 0 };

	for (int dt = 0; dt <= 3; dt++) {
		struct gmap_dat_request fetch = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
		struct gmap_dat_request store = fx_req(GMAP_DAT_STORE, GMAP_FAC_ALL);
		unsigned int reach = 31 + 11 * (unsigned int)dt;
		uint64_t last = dt == 3 ? UINT64_MAX : (1ULL << reach) - 1;
		struct gmap_dat_result want = FX_CHAIN_OK;
		struct gmap_dat_path p;
		struct chain c;

		fx_chain(fx, &c, dt, fx_va(dt), FX_PTE);
		fx_ctx("DT %d", dt);
		fx_check_chain(fx, &c, c.va, &fetch, &want, (unsigned int)dt + 2);

		p.n = 1;
		p.e[0].level = dt;
		p.e[0].addr = c.table[0] + 2047 * 8;
		p.e[0].val = GMAP_CRSTE_I | (uint64_t)dt << 2;
		want = fx_exc(pic_of_tt[dt], dt, last, 0x800);
		fx_check(fx, c.asce, last, &fetch, &want, &p);
		if (dt == 3)
			continue;

		want = fx_exc(0x38, GMAP_LEVEL_REAL, 1ULL << reach, 0x800);
		fx_check(fx, c.asce, 1ULL << reach, &fetch, &want, &none);
		want = fx_exc(0x38, GMAP_LEVEL_REAL, 1ULL << 63, 0x400);
		fx_check(fx, c.asce, 1ULL << 63, &store, &want, &none);
		want = fx_exc(0x38, GMAP_LEVEL_REAL, c.va | 1ULL << reach, 0x800);
		fx_check(fx, c.asce, c.va | 1ULL << reach, &fetch, &want, &none);
	}
}

/*
 * The first index against the ASCE's table length, for every designation
 * type and length: the first and last index of each 4 KB part translate
 * when the part is within the length, else the first table's translation
 * exception is recognised before any table is read.
 */
static void asce_table_length(void **state)
{
	struct fx *fx = *state;
	const struct gmap_dat_path none = { 0 };
	struct gmap_dat_request req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);

	for (int dt = 0; dt <= 3; dt++) {
		struct gmap_dat_path paths[N_EDGES];
		uint64_t vas[N_EDGES];
		struct chain c;

		fx_chain(fx, &c, dt, fx_va(dt), FX_PTE);
		for (size_t k = 0; k < N_EDGES; k++)
			fx_alias(fx, &c, 0, part_edges[k], &vas[k], &paths[k]);
		for (unsigned int tl = 0; tl <= 3; tl++) {
			gmap_asce_t asce = gmap_asce_mk(c.table[0], (enum gmap_dat_tt)dt, tl, 0);

			for (size_t k = 0; k < N_EDGES; k++) {
				struct gmap_dat_result want = FX_CHAIN_OK;

				fx_ctx("DT %d TL %u index %u", dt, tl, part_edges[k]);
				if (part_edges[k] / 512 <= tl) {
					fx_check(fx, asce, vas[k], &req, &want, &paths[k]);
					continue;
				}
				want = fx_exc(pic_of_tt[dt], GMAP_LEVEL_REAL, vas[k], 0x800);
				fx_check(fx, asce, vas[k], &req, &want, &none);
			}
		}
	}
}

/*
 * The table offset and length of a region entry against the next index,
 * for every region level in every designation type that has it and every
 * TF/TL pair (including TF > TL, which lets nothing through): a part
 * within [TF, TL] translates, else the next level's translation exception
 * is recognised at the region entry's level.
 */
static void region_table_offset_length(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request req = fx_req(GMAP_DAT_STORE, GMAP_FAC_ALL);

	for (int dt = 1; dt <= 3; dt++) {
		for (unsigned int i = 0; i < (unsigned int)dt; i++) {
			struct gmap_dat_path paths[N_EDGES];
			uint64_t vas[N_EDGES];
			int tt = dt - (int)i;
			struct chain c;

			fx_chain(fx, &c, dt, fx_va(dt), FX_PTE);
			for (size_t k = 0; k < N_EDGES; k++)
				fx_alias(fx, &c, i + 1, part_edges[k], &vas[k], &paths[k]);
			for (unsigned int tf = 0; tf <= 3; tf++) {
				for (unsigned int tl = 0; tl <= 3; tl++) {
					uint64_t e = gmap_crste_mk_table(c.table[i + 1],
									 (enum gmap_dat_tt)tt, tf,
									 tl, 0).val;

					fx_put(fx, c.path.e[i].addr, e);
					for (size_t k = 0; k < N_EDGES; k++) {
						unsigned int part = part_edges[k] / 512;
						struct gmap_dat_result want = FX_CHAIN_OK;

						paths[k].e[i].val = e;
						fx_ctx("DT %d level %d TF %u TL %u index %u", dt,
						       tt, tf, tl, part_edges[k]);
						if (part < tf || part > tl) {
							want = fx_exc(pic_of_tt[tt - 1], tt,
									 vas[k], 0x400);
							paths[k].n = i + 1;
						} else {
							paths[k].n = (unsigned int)dt + 2;
						}
						fx_check(fx, c.asce, vas[k], &req, &want,
							 &paths[k]);
					}
				}
			}
		}
	}
}

/*
 * Argument errors: -EINVAL, and the result (and path) left untouched.
 */
static void dat_einval(void **state)
{
	struct fx *fx = *state;
	struct gmap_dat_request req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
	struct gmap_dat_result res, untouched;
	struct gmap_dat_path path, path0;
	struct gmap_dat_mem mem;
	struct chain c;

	fx_chain(fx, &c, GMAP_TT_SEGMENT, fx_va(0), FX_PTE);
	memset(&res, 0x5a, sizeof(res));
	untouched = res;
	memset(&path, 0x5a, sizeof(path));
	path0 = path;

#define EXPECT_EINVAL(m, r)							\
	do {									\
		assert_int_equal(gmap_dat_translate(m, c.asce, c.va, r, &res), -EINVAL); \
		assert_int_equal(gmap_dat_translate_path(m, c.asce, c.va, r, &res, &path), \
				 -EINVAL);					\
		assert_memory_equal(&res, &untouched, sizeof(res));		\
		assert_memory_equal(&path, &path0, sizeof(path));		\
	} while (0)

	EXPECT_EINVAL(NULL, &req);
	EXPECT_EINVAL(&fx->mem, NULL);
	mem = fx->mem;
	mem.kind = (enum gmap_dat_mem_kind)3;
	EXPECT_EINVAL(&mem, &req);
	mem = fx->mem;
	if (mem.kind == GMAP_DAT_MEM_BE) {
		mem.base = NULL;
		EXPECT_EINVAL(&mem, &req);
	}
	if (mem.kind == GMAP_DAT_MEM_FN) {
		mem.read = NULL;
		EXPECT_EINVAL(&mem, &req);
	}
	req.access = 3;
	EXPECT_EINVAL(&fx->mem, &req);
	req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
	req.as = 4;
	EXPECT_EINVAL(&fx->mem, &req);
#undef EXPECT_EINVAL

	req = fx_req(GMAP_DAT_FETCH, GMAP_FAC_ALL);
	assert_int_equal(gmap_dat_translate(&fx->mem, c.asce, c.va, &req, NULL), -EINVAL);
	assert_int_equal(gmap_dat_translate_path(&fx->mem, c.asce, c.va, &req, NULL, &path),
			 -EINVAL);
	assert_int_equal(gmap_dat_translate_path(&fx->mem, c.asce, c.va, &req, &res, NULL),
			 -EINVAL);
	assert_memory_equal(&res, &untouched, sizeof(res));
	assert_memory_equal(&path, &path0, sizeof(path));
	/* The same arguments, made valid, translate. */
	assert_int_equal(gmap_dat_translate_path(&fx->mem, c.asce, c.va, &req, &res, &path), 0);
	assert_int_equal(res.addr, FX_PFRA | 0x678);
}

const struct CMUnitTest dat_asce_tests[] = {
	FX_TESTS(real_space_prefixing),
	FX_TESTS(asce_type_exception),
	FX_TESTS(asce_table_length),
	FX_TESTS(region_table_offset_length),
	FX_TESTS(dat_einval),
};
const size_t dat_asce_ntests = sizeof(dat_asce_tests) / sizeof(dat_asce_tests[0]);
