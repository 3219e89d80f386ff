/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture of the dat test suite: DAT tables built by hand in one of
 * the three kinds of storage the walker reads (host-native memory, a
 * big-endian image, a read callback over that image), a chain builder for
 * a complete translation path, and checks that run gmap_dat_translate(),
 * gmap_dat_translate_path() and the reference walker and compare all
 * three with an exact expectation.
 */
#ifndef GMAP_TEST_DAT_H
#define GMAP_TEST_DAT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libgmap/dat.h>

#include "refwalk.h"

/* The prefix every hand-built request uses (8 KB aligned, not 0, so that
 * a missing or a wrong prefixing shows). */
#define FX_PREFIX	0x7e000ULL
/* The page frame of a chain's pte, outside both prefix areas. */
#define FX_PFRA		0x12345000ULL
/* A chain's pte: valid, FX_PFRA, no flags. */
#define FX_PTE		FX_PFRA
/* Bytes of the image of GMAP_DAT_MEM_BE / _FN fixtures, and where table
 * allocation starts in it. */
#define FX_IMAGE_SIZE	0x200000ULL
#define FX_IMAGE_START	0x10000ULL
#define FX_MAX_HOST	64

/* What a chain built by fx_chain() with FX_PTE translates its address to. */
#define FX_CHAIN_OK	fx_ok(FX_PFRA | 0x678, GMAP_LEVEL_PAGE, 12)

/* A hand-built TEID: the page address of @va with the low bits @bits. */
#define FX_TEID(va, bits)	(((va) & ~0xfffULL) | (bits))

/**
 * struct fx - one test's storage.
 * @kind: which storage the walker reads
 * @mem: the descriptor passed to the walker
 * @image: GMAP_DAT_MEM_BE / _FN: the big-endian storage
 * @brk: next free absolute address in @image
 * @limit: GMAP_DAT_MEM_FN: reads at or beyond fail (addressing)
 * @fail_addr: GMAP_DAT_MEM_FN: a read of exactly this address fails too
 *	(UINT64_MAX: none)
 * @reads: GMAP_DAT_MEM_FN: reads the walker made
 * @host: GMAP_DAT_MEM_HOST: the tables allocated, freed in teardown
 * @nhost: number of @host
 */
struct fx {
	enum gmap_dat_mem_kind kind;
	struct gmap_dat_mem mem;
	unsigned char *image;
	uint64_t brk;
	uint64_t limit;
	uint64_t fail_addr;
	unsigned int reads;
	void *host[FX_MAX_HOST];
	unsigned int nhost;
};

/**
 * struct chain - a complete translation path for one address.
 * @asce: the ASCE (table length 3)
 * @va: the address the chain translates
 * @table: origin of the table of each entry of @path, in walk order
 * @path: the entries, as the walker must report them
 */
struct chain {
	gmap_asce_t asce;
	uint64_t va;
	uint64_t table[5];
	struct gmap_dat_path path;
};

/* Three test entries, one per storage kind, for a test taking a fixture. */
#define FX_TESTS(f)							\
	{ #f "/host", f, fx_setup_host, fx_teardown, NULL },		\
	{ #f "/be", f, fx_setup_be, fx_teardown, NULL },		\
	{ #f "/fn", f, fx_setup_fn, fx_teardown, NULL }
/* Two, for tests that need an image with bounds (addressing). */
#define FX_TESTS_IMAGE(f)						\
	{ #f "/be", f, fx_setup_be, fx_teardown, NULL },		\
	{ #f "/fn", f, fx_setup_fn, fx_teardown, NULL }

int fx_setup_host(void **state);
int fx_setup_be(void **state);
int fx_setup_fn(void **state);
int fx_teardown(void **state);

uint64_t fx_alloc(struct fx *fx, uint64_t size, uint64_t align);
void fx_put(struct fx *fx, uint64_t addr, uint64_t val);
uint64_t fx_get(struct fx *fx, uint64_t addr);
uint64_t fx_crst(struct fx *fx, int tt);
uint64_t fx_pt(struct fx *fx);
void fx_set_limit(struct fx *fx, uint64_t limit);
int fx_ref_read(void *priv, uint64_t addr, uint64_t *val);

uint64_t fx_va(int dt);
void fx_chain(struct fx *fx, struct chain *c, int dt, uint64_t va, uint64_t pte);
void fx_chain_set(struct fx *fx, struct chain *c, unsigned int i, uint64_t val);
void fx_alias(struct fx *fx, const struct chain *c, unsigned int i, unsigned int idx,
	      uint64_t *va, struct gmap_dat_path *path);

struct gmap_dat_result fx_ok(uint64_t addr, int level, unsigned int shift);
struct gmap_dat_result fx_exc(uint8_t pic, int level, uint64_t va, uint64_t bits);
struct gmap_dat_result fx_noteid(uint8_t pic, int level);
struct gmap_dat_request fx_req(unsigned int access, uint32_t facilities);
void fx_ctx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fx_fmt_result(char *buf, size_t n, const struct gmap_dat_result *r);
bool fx_result_eq(const struct gmap_dat_result *a, const struct gmap_dat_result *b,
		  bool accf_fields);
void fx_check(struct fx *fx, gmap_asce_t asce, uint64_t va, const struct gmap_dat_request *req,
	      const struct gmap_dat_result *want, const struct gmap_dat_path *want_path);
void fx_check_chain(struct fx *fx, const struct chain *c, uint64_t va,
		    const struct gmap_dat_request *req, const struct gmap_dat_result *want,
		    unsigned int n);

/* The test tables of each file, joined by main(). */
extern const struct CMUnitTest dat_asce_tests[];
extern const size_t dat_asce_ntests;
extern const struct CMUnitTest dat_entry_tests[];
extern const size_t dat_entry_ntests;
extern const struct CMUnitTest dat_edat_tests[];
extern const size_t dat_edat_ntests;
extern const struct CMUnitTest dat_range_tests[];
extern const size_t dat_range_ntests;
extern const struct CMUnitTest dat_random_tests[];
extern const size_t dat_random_ntests;

int dat_random_replay(unsigned long iteration);

#endif /* GMAP_TEST_DAT_H */
