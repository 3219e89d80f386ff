// SPDX-License-Identifier: MIT
/*
 * The dat suite's fixture (see test-dat.h): storage of each kind, table
 * builders, and the three-way check of one translation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-dat.h"

static char fx_context[256];

/**
 * fx_ctx() - describe the case being checked, for failure messages.
 * @fmt: printf format
 */
void fx_ctx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fx_context, sizeof(fx_context), fmt, ap);
	va_end(ap);
}

static uint64_t be_load(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void be_store(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

/* The bound of the image as the walker sees it. */
static uint64_t fx_bound(const struct fx *fx)
{
	return fx->kind == GMAP_DAT_MEM_BE ? fx->mem.size : fx->limit;
}

/**
 * fx_ref_read() - the reference walker's reader of a fixture's storage.
 * @priv: the struct fx
 * @addr: absolute address of the entry
 * @val: out: the entry
 *
 * Same storage and bounds as the walker gets, without counting reads.
 *
 * Return: 0, or -1 outside storage.
 */
int fx_ref_read(void *priv, uint64_t addr, uint64_t *val)
{
	const struct fx *fx = priv;

	if (fx->kind == GMAP_DAT_MEM_HOST) {
		*val = *(const uint64_t *)(uintptr_t)addr;
		return 0;
	}
	if (addr >= fx_bound(fx) || fx_bound(fx) - addr < 8 ||
	    (fx->kind == GMAP_DAT_MEM_FN && addr == fx->fail_addr))
		return -1;
	*val = be_load(fx->image + addr);
	return 0;
}

/* GMAP_DAT_MEM_FN: the walker's reader, counting reads. */
static int fx_fn_read(void *priv, uint64_t addr, uint64_t *val)
{
	struct fx *fx = priv;

	fx->reads++;
	assert_true(addr % 8 == 0);
	return fx_ref_read(priv, addr, val);
}

static int fx_setup(void **state, enum gmap_dat_mem_kind kind)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->kind = kind;
	fx->mem.kind = kind;
	fx->fail_addr = UINT64_MAX;
	if (kind != GMAP_DAT_MEM_HOST) {
		fx->image = calloc(1, FX_IMAGE_SIZE);
		if (!fx->image) {
			free(fx);
			return -1;
		}
		fx->brk = FX_IMAGE_START;
		fx->limit = FX_IMAGE_SIZE;
	}
	if (kind == GMAP_DAT_MEM_BE) {
		fx->mem.base = fx->image;
		fx->mem.size = FX_IMAGE_SIZE;
	}
	if (kind == GMAP_DAT_MEM_FN) {
		fx->mem.read = fx_fn_read;
		fx->mem.priv = fx;
	}
	fx_context[0] = 0;
	*state = fx;
	return 0;
}

/**
 * fx_setup_host() - CMocka setup: tables in host memory.
 * @state: out: the struct fx
 *
 * Return: 0, or -1 when out of memory.
 */
int fx_setup_host(void **state)
{
	return fx_setup(state, GMAP_DAT_MEM_HOST);
}

/**
 * fx_setup_be() - CMocka setup: tables in a big-endian image.
 * @state: out: the struct fx
 *
 * Return: 0, or -1 when out of memory.
 */
int fx_setup_be(void **state)
{
	return fx_setup(state, GMAP_DAT_MEM_BE);
}

/**
 * fx_setup_fn() - CMocka setup: tables in an image read by a callback.
 * @state: out: the struct fx
 *
 * Return: 0, or -1 when out of memory.
 */
int fx_setup_fn(void **state)
{
	return fx_setup(state, GMAP_DAT_MEM_FN);
}

/**
 * fx_teardown() - CMocka teardown: free a fixture and its tables.
 * @state: the struct fx
 *
 * Return: 0.
 */
int fx_teardown(void **state)
{
	struct fx *fx = *state;

	for (unsigned int i = 0; i < fx->nhost; i++)
		free(fx->host[i]);
	free(fx->image);
	free(fx);
	return 0;
}

/**
 * fx_alloc() - zeroed storage for a table.
 * @fx: the fixture
 * @size: bytes
 * @align: alignment, a power of two
 *
 * Return: the absolute address (the host address for GMAP_DAT_MEM_HOST).
 */
uint64_t fx_alloc(struct fx *fx, uint64_t size, uint64_t align)
{
	uint64_t a;
	void *p;

	if (fx->kind == GMAP_DAT_MEM_HOST) {
		assert_true(fx->nhost < FX_MAX_HOST);
		size = (size + align - 1) & ~(align - 1);
		p = aligned_alloc(align, size);
		assert_non_null(p);
		memset(p, 0, size);
		fx->host[fx->nhost++] = p;
		return (uintptr_t)p;
	}
	a = (fx->brk + align - 1) & ~(align - 1);
	assert_true(a + size <= FX_IMAGE_SIZE);
	fx->brk = a + size;
	return a;
}

/**
 * fx_put() - store a table entry.
 * @fx: the fixture
 * @addr: its absolute address
 * @val: the entry, host order
 */
void fx_put(struct fx *fx, uint64_t addr, uint64_t val)
{
	if (fx->kind == GMAP_DAT_MEM_HOST)
		*(uint64_t *)(uintptr_t)addr = val;
	else
		be_store(fx->image + addr, val);
}

/**
 * fx_get() - load a table entry.
 * @fx: the fixture
 * @addr: its absolute address
 *
 * Return: the entry, host order.
 */
uint64_t fx_get(struct fx *fx, uint64_t addr)
{
	if (fx->kind == GMAP_DAT_MEM_HOST)
		return *(const uint64_t *)(uintptr_t)addr;
	return be_load(fx->image + addr);
}

/**
 * fx_crst() - a full-size (16 KB) region or segment table, all invalid.
 * @fx: the fixture
 * @tt: its table type
 *
 * Return: its origin.
 */
uint64_t fx_crst(struct fx *fx, int tt)
{
	uint64_t t = fx_alloc(fx, GMAP_CRST_MAX_ENTRIES * 8, GMAP_CRST_PART_SIZE);
	gmap_crste_t inv = gmap_crste_mk_table(0, (enum gmap_dat_tt)tt, 0, 0, GMAP_CRSTE_I);

	for (unsigned int i = 0; i < GMAP_CRST_MAX_ENTRIES; i++)
		fx_put(fx, t + i * 8, inv.val);
	return t;
}

/**
 * fx_pt() - a page table (2 KB), all ptes invalid.
 * @fx: the fixture
 *
 * Return: its origin.
 */
uint64_t fx_pt(struct fx *fx)
{
	uint64_t t = fx_alloc(fx, GMAP_PT_SIZE, GMAP_PT_SIZE);

	for (unsigned int i = 0; i < GMAP_PT_ENTRIES; i++)
		fx_put(fx, t + i * 8, GMAP_PTE_I);
	return t;
}

/**
 * fx_set_limit() - where storage ends for an image fixture.
 * @fx: the fixture (GMAP_DAT_MEM_BE or _FN)
 * @limit: first absolute address outside storage
 */
void fx_set_limit(struct fx *fx, uint64_t limit)
{
	if (fx->kind == GMAP_DAT_MEM_BE)
		fx->mem.size = limit;
	else
		fx->limit = limit;
}

/* Shift and mask of the index of a path level in a virtual address. */
static unsigned int level_shift(int level)
{
	return level == GMAP_LEVEL_PAGE ? 12 : 20 + 11 * (unsigned int)level;
}

static uint64_t level_mask(int level)
{
	return level == GMAP_LEVEL_PAGE ? 0xff : 0x7ff;
}

static unsigned int level_index(uint64_t va, int level)
{
	return (unsigned int)((va >> level_shift(level)) & level_mask(level));
}

/**
 * fx_va() - an address within the reach of designation type @dt whose
 * indexes are all different and non-zero (RFX 1, RSX 2, RTX 3, SX 4, PX 5).
 * @dt: the ASCE's designation type
 *
 * Return: the address, byte index 0x678.
 */
uint64_t fx_va(int dt)
{
	uint64_t va = 0x678 | 5ULL << 12 | 4ULL << 20;

	for (int tt = 1; tt <= dt; tt++)
		va |= (uint64_t)(tt + 2) << level_shift(tt);
	return va;
}

/**
 * fx_chain() - build every table that translates @va under an ASCE of
 * type @dt: full-size tables (table length 3, offset 0), @pte at the end.
 * @fx: the fixture
 * @c: out: the chain
 * @dt: designation type
 * @va: the address
 * @pte: the page-table entry
 */
void fx_chain(struct fx *fx, struct chain *c, int dt, uint64_t va, uint64_t pte)
{
	uint64_t origin = fx_crst(fx, dt), next = 0, e;

	memset(c, 0, sizeof(*c));
	c->va = va;
	c->asce = gmap_asce_mk(origin, (enum gmap_dat_tt)dt, 3, 0);
	for (int tt = dt; tt >= GMAP_LEVEL_PAGE; tt--) {
		struct gmap_dat_path *p = &c->path;

		if (tt > GMAP_TT_SEGMENT)
			next = fx_crst(fx, tt - 1);
		else if (tt == GMAP_TT_SEGMENT)
			next = fx_pt(fx);
		if (tt >= GMAP_TT_SEGMENT)
			e = gmap_crste_mk_table(next, (enum gmap_dat_tt)tt, 0, 3, 0).val;
		else
			e = pte;
		c->table[p->n] = origin;
		p->e[p->n].level = tt;
		p->e[p->n].addr = origin + 8ULL * level_index(va, tt);
		p->e[p->n].val = e;
		fx_put(fx, p->e[p->n].addr, e);
		p->n++;
		origin = next;
	}
}

/**
 * fx_chain_set() - replace entry @i of a chain, in storage and in its path.
 * @fx: the fixture
 * @c: the chain
 * @i: index in the path
 * @val: the new entry
 */
void fx_chain_set(struct fx *fx, struct chain *c, unsigned int i, uint64_t val)
{
	fx_put(fx, c->path.e[i].addr, val);
	c->path.e[i].val = val;
}

/**
 * fx_alias() - copy entry @i of a chain to index @idx of its table, and
 * give the address that goes through the copy and its path.
 * @fx: the fixture
 * @c: the chain
 * @i: index in the path
 * @idx: index in the table
 * @va: out: the chain's address with that level's index set to @idx
 * @path: out: the chain's path through the copy
 */
void fx_alias(struct fx *fx, const struct chain *c, unsigned int i, unsigned int idx,
	      uint64_t *va, struct gmap_dat_path *path)
{
	int level = c->path.e[i].level;

	*path = c->path;
	path->e[i].addr = c->table[i] + 8ULL * idx;
	fx_put(fx, path->e[i].addr, c->path.e[i].val);
	*va = (c->va & ~(level_mask(level) << level_shift(level))) |
	      (uint64_t)idx << level_shift(level);
}

/**
 * fx_req() - a request in the primary space with the fixture's prefix.
 * @access: enum gmap_dat_access
 * @facilities: GMAP_FAC_*
 *
 * Return: the request.
 */
struct gmap_dat_request fx_req(unsigned int access, uint32_t facilities)
{
	struct gmap_dat_request r = {
		.access = (uint8_t)access, .as = GMAP_AS_PRIMARY,
		.facilities = facilities, .prefix = FX_PREFIX,
	};

	return r;
}

/**
 * fx_ok() - the result of a translation without exception.
 * @addr: the absolute address
 * @level: the level of the leaf
 * @shift: log2 of the frame size
 *
 * Return: the result, without protection, IEP or ACCF.
 */
struct gmap_dat_result fx_ok(uint64_t addr, int level, unsigned int shift)
{
	struct gmap_dat_result r = {
		.level = (int8_t)level, .frame_shift = (uint8_t)shift, .addr = addr,
	};

	return r;
}

/**
 * fx_exc() - the result of a translation exception.
 * @pic: the exception
 * @level: where the walk stopped
 * @va: the address translated
 * @bits: TEID bits 52-63
 *
 * Return: the result.
 */
struct gmap_dat_result fx_exc(uint8_t pic, int level, uint64_t va, uint64_t bits)
{
	struct gmap_dat_result r = {
		.pic = pic, .level = (int8_t)level, .teid_valid = true, .teid = FX_TEID(va, bits),
	};

	return r;
}

/**
 * fx_noteid() - the result of an exception without TEID (translation
 * specification, addressing).
 * @pic: the exception
 * @level: where the walk stopped
 *
 * Return: the result.
 */
struct gmap_dat_result fx_noteid(uint8_t pic, int level)
{
	struct gmap_dat_result r = { .pic = pic, .level = (int8_t)level };

	return r;
}

/**
 * fx_fmt_result() - a result as text.
 * @buf: out
 * @n: size of @buf
 * @r: the result
 */
void fx_fmt_result(char *buf, size_t n, const struct gmap_dat_result *r)
{
	snprintf(buf, n,
		 "pic 0x%02x level %d shift %u addr 0x%016" PRIx64 " prot %d iep %d "
		 "accf %d acc %u fp %d teid %s0x%016" PRIx64,
		 r->pic, r->level, r->frame_shift, r->addr, r->prot, r->iep, r->accf, r->acc,
		 r->fp, r->teid_valid ? "" : "(invalid) ", r->teid);
}

/**
 * fx_result_eq() - compare two results.
 * @a: one
 * @b: the other
 * @accf_fields: compare @acc and @fp even when neither has @accf set
 *
 * Return: true when equal.
 */
bool fx_result_eq(const struct gmap_dat_result *a, const struct gmap_dat_result *b,
		  bool accf_fields)
{
	if (a->pic != b->pic || a->teid_valid != b->teid_valid || a->prot != b->prot ||
	    a->iep != b->iep || a->accf != b->accf || a->level != b->level ||
	    a->frame_shift != b->frame_shift || a->addr != b->addr || a->teid != b->teid)
		return false;
	if (!accf_fields && !a->accf)
		return true;
	return a->acc == b->acc && a->fp == b->fp;
}

static void print_path(const char *who, const struct gmap_dat_path *p)
{
	print_error("  %s path, %u entries:\n", who, p->n);
	for (unsigned int i = 0; i < p->n && i < 5; i++)
		print_error("    level %2d at 0x%016" PRIx64 ": 0x%016" PRIx64 "\n",
			    p->e[i].level, p->e[i].addr, p->e[i].val);
}

static void expect_result(const char *who, uint64_t va, const struct gmap_dat_result *got,
			  const struct gmap_dat_result *want)
{
	char g[256], w[256];

	if (fx_result_eq(got, want, true))
		return;
	fx_fmt_result(g, sizeof(g), got);
	fx_fmt_result(w, sizeof(w), want);
	fail_msg("%s, va 0x%016" PRIx64 ", %s:\n   got  %s\n   want %s", fx_context, va, who, g,
		 w);
}

static void expect_path(const char *who, uint64_t va, const struct gmap_dat_path *got,
			const struct gmap_dat_path *want)
{
	if (refwalk_path_eq(got, want))
		return;
	print_path("got", got);
	print_path("want", want);
	fail_msg("%s, va 0x%016" PRIx64 ": %s path differs", fx_context, va, who);
}

/**
 * fx_check() - translate @va and require exactly @want and @want_path from
 * gmap_dat_translate(), gmap_dat_translate_path() and the reference walker.
 * @fx: the fixture
 * @asce: the ASCE
 * @va: the address
 * @req: the request
 * @want: the result expected
 * @want_path: the entries expected to be read
 *
 * With a read callback, also requires that the walker read exactly the
 * entries of the path (plus the one that failed, for an addressing
 * exception) and nothing else.
 */
void fx_check(struct fx *fx, gmap_asce_t asce, uint64_t va, const struct gmap_dat_request *req,
	      const struct gmap_dat_result *want, const struct gmap_dat_path *want_path)
{
	struct refwalk_in in = {
		.read = fx_ref_read, .priv = fx, .asce = asce.val, .vaddr = va,
		.access = req->access, .as = req->as, .facilities = req->facilities,
		.prefix = req->prefix,
	};
	struct gmap_dat_result res, res_path, ref;
	struct gmap_dat_path path, ref_path;

	fx->reads = 0;
	assert_int_equal(gmap_dat_translate(&fx->mem, asce, va, req, &res), 0);
	if (fx->kind == GMAP_DAT_MEM_FN)
		assert_int_equal(fx->reads,
				 want_path->n + (want->pic == GMAP_PIC_ADDRESSING ? 1 : 0));
	expect_result("gmap_dat_translate", va, &res, want);

	memset(&path, 0xa5, sizeof(path));
	assert_int_equal(gmap_dat_translate_path(&fx->mem, asce, va, req, &res_path, &path), 0);
	expect_result("gmap_dat_translate_path", va, &res_path, want);
	expect_path("gmap_dat_translate_path", va, &path, want_path);

	refwalk_translate(&in, &ref, &ref_path);
	expect_result("refwalk", va, &ref, want);
	expect_path("refwalk", va, &ref_path, want_path);
}

/**
 * fx_check_chain() - fx_check() with the first @n entries of a chain's path.
 * @fx: the fixture
 * @c: the chain (its ASCE is used)
 * @va: the address
 * @req: the request
 * @want: the result expected
 * @n: how many entries of the chain's path the walk reads
 */
void fx_check_chain(struct fx *fx, const struct chain *c, uint64_t va,
		    const struct gmap_dat_request *req, const struct gmap_dat_result *want,
		    unsigned int n)
{
	struct gmap_dat_path p = c->path;

	p.n = n;
	fx_check(fx, c->asce, va, req, want, &p);
}
