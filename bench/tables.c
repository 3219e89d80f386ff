// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tables.h"

int arena_init(struct arena *a, size_t size, bool be)
{
	a->mem = aligned_alloc(4096, size);
	if (!a->mem)
		return -ENOMEM;
	memset(a->mem, 0, size);
	a->size = size;
	a->used = 4096; /* offset 0 means "no table" */
	a->be = be;
	return 0;
}

void arena_fini(struct arena *a)
{
	free(a->mem);
	a->mem = NULL;
}

void arena_mem(const struct arena *a, struct gmap_dat_mem *mem)
{
	memset(mem, 0, sizeof(*mem));
	mem->kind = a->be ? GMAP_DAT_MEM_BE : GMAP_DAT_MEM_HOST;
	mem->base = a->mem;
	mem->size = a->size;
}

/* Table address of arena offset @off. */
static uint64_t arena_addr(const struct arena *a, size_t off)
{
	return a->be ? off : (uint64_t)(uintptr_t)(a->mem + off);
}

static unsigned char *arena_ptr(const struct arena *a, uint64_t addr)
{
	return a->be ? a->mem + addr : (unsigned char *)(uintptr_t)addr;
}

static uint64_t arena_get(const struct arena *a, uint64_t addr)
{
	uint64_t v;

	memcpy(&v, arena_ptr(a, addr), 8);
	return a->be ? __builtin_bswap64(v) : v;
}

static void arena_put(struct arena *a, uint64_t addr, uint64_t v)
{
	if (a->be)
		v = __builtin_bswap64(v);
	memcpy(arena_ptr(a, addr), &v, 8);
}

/* Allocate a table of @entries words, each set to @fill; 0 when full. */
static uint64_t arena_table(struct arena *a, unsigned int entries, uint64_t fill)
{
	size_t bytes = (size_t)entries * 8, off = (a->used + 4095) & ~(size_t)4095;
	uint64_t t;

	if (off + bytes > a->size)
		return 0;
	a->used = off + bytes;
	t = arena_addr(a, off);
	for (unsigned int i = 0; i < entries; i++)
		arena_put(a, t + i * 8ULL, fill);
	return t;
}

uint64_t arena_build_space(struct arena *a, int levels, const uint64_t *vas, unsigned int n)
{
	int top = levels - 2; /* table type of the top table */
	uint64_t root = arena_table(a, 2048, GMAP_CRSTE_I | ((uint64_t)top << GMAP_CRSTE_TT_SHIFT));

	if (!root)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t table = root, va = vas[i], frame;

		for (int tt = top; tt >= GMAP_TT_SEGMENT; tt--) {
			uint64_t ep = table + (((va >> (20 + 11 * tt)) & 0x7ff) * 8);
			uint64_t e = arena_get(a, ep);

			if (e & GMAP_CRSTE_I) {
				bool seg = tt == GMAP_TT_SEGMENT;
				uint64_t next = seg ? arena_table(a, 256, GMAP_PTE_I)
						    : arena_table(a, 2048,
								  GMAP_CRSTE_I | ((uint64_t)(tt - 1)
										  << GMAP_CRSTE_TT_SHIFT));

				if (!next)
					return 0;
				e = gmap_crste_mk_table(next, (enum gmap_dat_tt)tt, 0, 3, 0).val;
				arena_put(a, ep, e);
			}
			table = tt == GMAP_TT_SEGMENT ? (e & GMAP_SEGMENT_PTO) : (e & GMAP_CRSTE_ORIGIN);
		}
		frame = 0x100000000ULL + (uint64_t)i * 4096;
		arena_put(a, table + GMAP_VA_PX(va) * 8, gmap_pte_mk(frame, 0).val);
	}
	return gmap_asce_mk(root, (enum gmap_dat_tt)top, 3, 0).val;
}
