// SPDX-License-Identifier: MIT
/*
 * The tlb suite's fixture (see test-tlb.h): the host-native tables, and
 * helpers that translate, fill and inspect the modelled CPUs' TLBs.
 */
#include <stdlib.h>

#include "test-tlb.h"

const struct params tlb_strict = { .strict = true };
const struct params tlb_nonstrict = { .strict = false };

/**
 * frame() - host address of frame @i of the host-native fixture.
 * @f: the fixture
 * @i: frame number (0 to NFRAMES - 1)
 *
 * Return: the frame's address, which is its real address in the soft
 * backend.
 */
uint64_t frame(const struct fx *f, unsigned int i)
{
	return (uint64_t)(uintptr_t)(f->frames + i * GMAP_PAGE_SIZE);
}

/**
 * setup() - CMocka setup: a soft backend and host-native tables.
 * @state: in: the case's struct params; out: the struct fx
 *
 * Context: allocates; a failure fails the case.
 * Return: 0.
 */
int setup(void **state)
{
	const struct params *p = *state;
	struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .ncpus = p->ncpus ? p->ncpus : 2,
					    .strict = p->strict, .tlb_entries = p->tlb_entries);
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->strict = p->strict;
	assert_int_equal(gmap_arch_soft_create(&o, &f->arch), 0);
	f->r3 = gmap_arch_alloc_crst(f->arch, GMAP_TT_REGION3, 0);
	f->sgt = gmap_arch_alloc_crst(f->arch, GMAP_TT_SEGMENT, 0);
	f->pt = gmap_arch_alloc_pgtable(f->arch);
	f->frames = aligned_alloc(GMAP_PAGE_SIZE, NFRAMES * GMAP_PAGE_SIZE);
	assert_true(f->r3 && f->sgt && f->pt && f->frames);
	f->r3[0] = gmap_crste_mk_table((uintptr_t)f->sgt, GMAP_TT_REGION3, 0, 0, 0);
	f->r3[1] = gmap_crste_mk_frame(FRAME_2G, GMAP_TT_REGION3, 0);
	f->sgt[0] = gmap_crste_mk_table((uintptr_t)f->pt, GMAP_TT_SEGMENT, 0, 0, 0);
	f->sgt[1] = gmap_crste_mk_frame(FRAME_1M, GMAP_TT_SEGMENT, 0);
	for (unsigned int i = 0; i < NFRAMES; i++)
		f->pt[i] = gmap_pte_mk(frame(f, i), 0);
	f->asce_r3 = gmap_asce_mk((uintptr_t)f->r3, GMAP_TT_REGION3, 0, 0);
	f->asce_sgt = gmap_asce_mk((uintptr_t)f->sgt, GMAP_TT_SEGMENT, 0, 0);
	gmap_arch_load_asce(f->arch, 0, f->asce_r3);
	gmap_arch_load_asce(f->arch, 1, f->asce_r3);
	*state = f;
	return 0;
}

/**
 * teardown() - CMocka teardown of setup().
 * @state: the struct fx
 *
 * Return: 0.
 */
int teardown(void **state)
{
	struct fx *f = *state;

	gmap_arch_free_pgtable(f->arch, f->pt);
	gmap_arch_free_crst(f->arch, f->sgt, 0);
	gmap_arch_free_crst(f->arch, f->r3, 0);
	gmap_arch_destroy(f->arch);
	free(f->frames);
	free(f);
	return 0;
}

/**
 * tr() - translate on a CPU through its TLB; the call must succeed.
 * @f: the fixture
 * @cpu: the CPU
 * @va: the virtual address, in the CPU's current ASCE
 * @access: enum gmap_dat_access
 * @prefix: the CPU's prefix
 *
 * Return: the result of gmap_arch_translate().
 */
struct gmap_dat_result tr(struct fx *f, unsigned int cpu, uint64_t va,
			  enum gmap_dat_access access, uint64_t prefix)
{
	struct gmap_dat_result r;

	assert_int_equal(gmap_arch_translate(f->arch, cpu, va, access, prefix, &r), 0);
	return r;
}

/**
 * fill() - load @asce on @cpu and translate @va there, which must
 * translate (a fetch with prefix 0).
 * @f: the fixture
 * @cpu: the CPU
 * @asce: the ASCE to run with
 * @va: the virtual address
 */
void fill(struct fx *f, unsigned int cpu, gmap_asce_t asce, uint64_t va)
{
	gmap_arch_load_asce(f->arch, cpu, asce);
	assert_int_equal(tr(f, cpu, va, GMAP_DAT_FETCH, 0).pic, GMAP_PIC_NONE);
}

/**
 * cached() - whether @cpu's TLB holds @va under @asce.
 * @f: the fixture
 * @cpu: the CPU
 * @asce: the ASCE the entry must have been formed with
 * @va: the virtual address
 *
 * Return: gmap_arch_tlb_lookup()'s value: 1 held, 0 not.
 */
int cached(struct fx *f, unsigned int cpu, gmap_asce_t asce, uint64_t va)
{
	struct gmap_dat_result r;

	return gmap_arch_tlb_lookup(f->arch, cpu, asce, va, &r);
}

/**
 * assert_res_equal() - assert that two results agree in every field.
 * @a: one result
 * @b: the other
 */
void assert_res_equal(const struct gmap_dat_result *a, const struct gmap_dat_result *b)
{
	assert_int_equal(a->pic, b->pic);
	assert_int_equal(a->teid_valid, b->teid_valid);
	assert_int_equal(a->teid, b->teid);
	assert_int_equal(a->addr, b->addr);
	assert_int_equal(a->prot, b->prot);
	assert_int_equal(a->iep, b->iep);
	assert_int_equal(a->accf, b->accf);
	assert_int_equal(a->acc, b->acc);
	assert_int_equal(a->fp, b->fp);
	assert_int_equal(a->level, b->level);
	assert_int_equal(a->frame_shift, b->frame_shift);
}

/**
 * walk() - the walker's answer over the backend's tables, for comparison.
 * @f: the fixture
 * @asce: the ASCE
 * @va: the virtual address
 * @access: enum gmap_dat_access
 * @prefix: the prefix
 *
 * Reads the tables through gmap_arch_table_mem(), with every facility on
 * (the soft backend's default), without any TLB.
 *
 * Return: the result of gmap_dat_translate().
 */
struct gmap_dat_result walk(struct fx *f, gmap_asce_t asce, uint64_t va,
			    enum gmap_dat_access access, uint64_t prefix)
{
	struct gmap_dat_request req = { .access = access, .facilities = GMAP_FAC_ALL,
					.prefix = prefix };
	struct gmap_dat_mem mem;
	struct gmap_dat_result r;

	gmap_arch_table_mem(f->arch, &mem);
	assert_int_equal(gmap_dat_translate(&mem, asce, va, &req, &r), 0);
	return r;
}

/**
 * fill_pages() - put pages 0-5 in both CPUs' TLBs under asce_r3.
 * @f: the fixture
 */
void fill_pages(struct fx *f)
{
	for (unsigned int cpu = 0; cpu < 2; cpu++)
		for (unsigned int i = 0; i < 6; i++)
			fill(f, cpu, f->asce_r3, VA_PAGE(i));
}

/**
 * held() - which of pages 0-5 @cpu's TLB holds under asce_r3.
 * @f: the fixture
 * @cpu: the CPU
 *
 * Return: one bit per page, bit i for page i.
 */
unsigned int held(struct fx *f, unsigned int cpu)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < 6; i++)
		if (cached(f, cpu, f->asce_r3, VA_PAGE(i)))
			m |= 1u << i;
	return m;
}
