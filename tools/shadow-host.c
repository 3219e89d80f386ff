// SPDX-License-Identifier: MIT
/*
 * gmaptool: a dump's guest run as guest 1 of a soft-backend host, for the
 * shadow subcommands (shadow-host.h).
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libgmap/shadow.h>

#include "shadow-host.h"

#define MB		(1ULL << GMAP_SEGMENT_SHIFT)
/* Calls of gmap_shadow_get() / _fault() that may say "again" in a row. */
#define SHADOW_RETRIES	1000

static uint64_t mb_down(uint64_t a)
{
	return a & ~(MB - 1);
}

static uint64_t mb_up(uint64_t a)
{
	return (a + MB - 1) & ~(MB - 1);
}

static int fail(const char *what, int ret)
{
	fprintf(stderr, "gmaptool: %s: %s\n", what, strerror(-ret));
	return ret;
}

/* The walker's reader of guest-1 storage: through the parent's map. */
static int g1_read(void *priv, uint64_t addr, uint64_t *val)
{
	struct shadow_host *h = priv;
	uint64_t haddr, be;

	if (gmap_translate(h->parent, addr, &haddr))
		return -1;
	memcpy(&be, (const void *)(uintptr_t)haddr, sizeof(be));
	*val = be64toh(be);
	return 0;
}

/* Copy the 4 KB pages of [start, end) that are not zero into the store. */
static int copy_range(struct gmap_dump *dump, struct shadow_host *h, uint64_t start,
		      uint64_t end, unsigned char *bounce)
{
	for (uint64_t a = start; a < end; a += MB) {
		uint64_t n = end - a < MB ? end - a : MB;
		int ret = gmap_dump_read(dump, a, bounce, n);

		if (ret)
			return fail("reading the dump's storage", ret);
		for (uint64_t off = 0; off < n; off += GMAP_PAGE_SIZE) {
			uint64_t len = n - off < GMAP_PAGE_SIZE ? n - off : GMAP_PAGE_SIZE;

			if (bounce[off] || memcmp(bounce + off, bounce + off + 1, len - 1))
				memcpy(h->store + a + off, bounce + off, len);
		}
	}
	return 0;
}

/* Map guest-1 storage [start, end) (whole megabytes) into mm and parent. */
static int map_range(struct shadow_host *h, uint64_t start, uint64_t end, bool large)
{
	uint64_t haddr = (uint64_t)(uintptr_t)(h->store + start);
	unsigned int prot = GMAP_MM_PROT_READ | GMAP_MM_PROT_WRITE;
	int ret;

	if (large)
		prot |= GMAP_MM_MAP_LARGE;
	ret = gmap_mm_map(h->mm, haddr, end - start,
			  gmap_arch_virt_to_real(h->arch, h->store + start), prot);
	if (ret)
		return fail("gmap_mm_map of guest-1 storage", ret);
	ret = gmap_map_segment(h->parent, haddr, start, end - start);
	if (ret)
		return fail("gmap_map_segment of guest-1 storage", ret);
	return 0;
}

/* Reserve the 1 MB-aligned store of @end bytes. */
static int reserve_store(struct shadow_host *h, uint64_t end)
{
	h->map_len = end + MB;
	h->map = mmap(NULL, h->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h->map == MAP_FAILED) {
		h->map = NULL;
		return fail("reserving guest-1 storage", -errno);
	}
	h->store = (unsigned char *)(uintptr_t)mb_up((uint64_t)(uintptr_t)h->map);
	h->size = end;
	return 0;
}

static int create_host(const struct shadow_host_opts *opts, struct shadow_host *h)
{
	struct gmap_arch_opts ao = GMAP_OPTS(gmap_arch_opts, .ncpus = opts->ncpus,
					     .facilities = opts->facilities,
					     .strict = opts->strict);
	struct gmap_mm_opts mo = GMAP_OPTS(gmap_mm_opts, .pgste = true, .levels = 5);
	int ret;

	ret = gmap_arch_soft_create(&ao, &h->arch);
	if (ret)
		return fail("gmap_arch_soft_create", ret);
	mo.arch = h->arch;
	ret = gmap_mm_create(&mo, &h->mm);
	if (ret)
		return fail("gmap_mm_create", ret);
	ret = gmap_create(h->mm, h->size - 1, &h->parent);
	if (ret)
		return fail("gmap_create", ret);
	ret = gmap_enable(h->parent, SHADOW_HOST_PARENT_CPU);
	if (ret)
		return fail("gmap_enable of the parent", ret);
	return 0;
}

int shadow_host_up(struct gmap_dump *dump, const struct shadow_host_opts *opts,
		   struct shadow_host *h)
{
	unsigned int n = gmap_dump_nranges(dump);
	const struct gmap_dump_range *last = gmap_dump_range(dump, n - 1);
	uint64_t start = 0, end = 0;
	unsigned char *bounce;
	int ret;

	memset(h, 0, sizeof(*h));
	h->facilities = opts->facilities;
	h->edat_level = (opts->facilities & GMAP_FAC_EDAT2) ? 2 :
			(opts->facilities & GMAP_FAC_EDAT1) ? 1 : 0;
	if (opts->large && !(opts->facilities & GMAP_FAC_EDAT1)) {
		fprintf(stderr, "gmaptool: --large needs EDAT-1 (1 MB host frames)\n");
		return -EINVAL;
	}
	ret = reserve_store(h, mb_up(last->start + last->size));
	if (!ret)
		ret = create_host(opts, h);
	bounce = malloc(MB);
	if (!ret && !bounce)
		ret = fail("allocating a buffer", -ENOMEM);
	/* Ranges are sorted: widened to megabytes, neighbours merge. */
	for (unsigned int i = 0; !ret && i < n; i++) {
		const struct gmap_dump_range *r = gmap_dump_range(dump, i);

		ret = copy_range(dump, h, r->start, r->start + r->size, bounce);
		if (ret)
			break;
		if (end && mb_down(r->start) > end) {
			ret = map_range(h, start, end, opts->large);
			end = 0;
		}
		if (!end)
			start = mb_down(r->start);
		end = mb_up(r->start + r->size);
	}
	if (!ret)
		ret = map_range(h, start, end, opts->large);
	free(bounce);
	if (ret) {
		shadow_host_down(h);
		return ret;
	}
	h->g1mem = (struct gmap_dat_mem){ .kind = GMAP_DAT_MEM_FN, .read = g1_read, .priv = h };
	gmap_arch_table_mem(h->arch, &h->shadow_mem);
	return 0;
}

void shadow_host_down(struct shadow_host *h)
{
	if (h->parent)
		gmap_remove(h->parent);
	gmap_mm_destroy(h->mm);
	gmap_arch_destroy(h->arch);
	if (h->map)
		munmap(h->map, h->map_len);
	memset(h, 0, sizeof(*h));
}

int shadow_host_gaddr(const struct shadow_host *h, uint64_t haddr, uint64_t *gaddr)
{
	uint64_t base = (uint64_t)(uintptr_t)h->store;

	if (haddr < base || haddr - base >= h->size)
		return -EFAULT;
	*gaddr = haddr - base;
	return 0;
}

int shadow_host_get(struct shadow_host *h, uint64_t asce, struct gmap **sg)
{
	gmap_asce_t a = { asce };
	int ret = -EAGAIN;

	for (int i = 0; ret == -EAGAIN && i < SHADOW_RETRIES; i++)
		ret = gmap_shadow_get(h->parent, a, h->edat_level, sg);
	return ret;
}

int shadow_host_fault(struct gmap *sg, uint64_t vaddr, enum gmap_dat_access access,
		      struct gmap_dat_result *res)
{
	int ret = -EAGAIN;

	for (int i = 0; ret == -EAGAIN && i < SHADOW_RETRIES; i++)
		ret = gmap_shadow_fault(sg, vaddr, access, res);
	return ret;
}

int shadow_host_resolve(struct shadow_host *h, struct gmap *sg, uint64_t vaddr,
			struct gmap_dat_result *res)
{
	struct gmap_dat_request req = { .access = GMAP_DAT_FETCH, .facilities = h->facilities };
	uint64_t haddr;
	int ret;

	gmap_dat_translate(&h->shadow_mem, gmap_asce(sg), vaddr, &req, res);
	ret = gmap_translate(sg, vaddr, &haddr);
	if (res->pic != GMAP_PIC_NONE)
		return ret == -EFAULT ? -EFAULT : -EPROTO;
	if (ret || haddr != res->addr || shadow_host_gaddr(h, res->addr, &res->addr))
		return -EPROTO;
	return 0;
}

void shadow_host_guest1(const struct shadow_host *h, uint64_t asce, uint64_t vaddr,
			struct gmap_dat_result *res, struct gmap_dat_path *path)
{
	struct gmap_dat_request req = { .access = GMAP_DAT_FETCH, .facilities = h->facilities };
	gmap_asce_t a = { asce };

	gmap_dat_translate_path(&h->g1mem, a, vaddr, &req, res, path);
}
