// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the single-address DAT walker on arbitrary table memory.
 *
 * Input: facilities (1 byte), access and address space (1 byte), the ASCE
 * (8), the prefix (8), a storage-size trim (1), a record count (1), that
 * many 10-byte records that write words of a 64 KB big-endian image (see
 * fz_image_fill()), then up to FZ_WALK_MAX_VA virtual addresses (8 bytes
 * each).
 *
 * Every address is translated four ways: gmap_dat_translate() over the
 * image as GMAP_DAT_MEM_BE and through a GMAP_DAT_MEM_FN callback,
 * gmap_dat_translate_path(), and the tests' independent reference walker
 * (tests/refwalk.c). All four must agree on every field of the result,
 * the path must equal the reference's, and the walk must read each entry
 * of its path once, 8-byte aligned, at most five in all. The storage is
 * a heap block of exactly the trimmed size, so a read past it is caught
 * by AddressSanitizer or Valgrind.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "refwalk.h"

#define FZ_WALK_MAX_VA	16

struct walk_mem {
	const uint8_t *image;
	uint64_t size;
	unsigned int reads;
	uint64_t addr[8];
};

static int walk_read(void *priv, uint64_t addr, uint64_t *val)
{
	struct walk_mem *m = priv;

	FZ_CHECK(!(addr & 7), "unaligned table read at 0x%" PRIx64, addr);
	FZ_CHECK(m->reads < 5, "a walk read a sixth entry (0x%" PRIx64 ")", addr);
	m->addr[m->reads++] = addr;
	if (addr >= m->size || m->size - addr < 8)
		return -1;
	*val = fz_image_get(m->image, addr);
	return 0;
}

/* The reference walker reads through its own counter-free reader. */
static int ref_read(void *priv, uint64_t addr, uint64_t *val)
{
	const struct walk_mem *m = priv;

	if (addr >= m->size || m->size - addr < 8)
		return -1;
	*val = fz_image_get(m->image, addr);
	return 0;
}

static void report(uint64_t asce, uint64_t va, const struct gmap_dat_request *req,
		   const struct gmap_dat_result *got, const struct gmap_dat_result *ref,
		   const char *what)
{
	fprintf(stderr, "asce 0x%016" PRIx64 " va 0x%016" PRIx64
		" access %u as %u facilities 0x%x prefix 0x%" PRIx64 "\n",
		asce, va, req->access, req->as, req->facilities, req->prefix);
	fz_print_result("library", got);
	fz_print_result("reference", ref);
	fz_fail("%s", what);
}

static void check_va(struct walk_mem *m, uint64_t asce_val, uint64_t va,
		     const struct gmap_dat_request *req)
{
	struct gmap_dat_mem be = { .kind = GMAP_DAT_MEM_BE, .base = m->image, .size = m->size };
	struct gmap_dat_mem fn = { .kind = GMAP_DAT_MEM_FN, .read = walk_read, .priv = m };
	struct refwalk_in in = {
		.read = ref_read, .priv = m, .asce = asce_val, .vaddr = va,
		.access = req->access, .as = req->as, .facilities = req->facilities,
		.prefix = req->prefix,
	};
	struct gmap_dat_result r_be, r_fn, r_path, ref;
	struct gmap_dat_path path, ref_path;
	gmap_asce_t asce = { asce_val };

	FZ_CHECK(gmap_dat_translate(&be, asce, va, req, &r_be) == 0, "translate (BE) failed");
	m->reads = 0;
	FZ_CHECK(gmap_dat_translate(&fn, asce, va, req, &r_fn) == 0, "translate (FN) failed");
	FZ_CHECK(gmap_dat_translate_path(&be, asce, va, req, &r_path, &path) == 0,
		 "translate_path failed");
	refwalk_translate(&in, &ref, &ref_path);

	if (!fz_result_eq(&r_be, &ref))
		report(asce_val, va, req, &r_be, &ref, "BE walk differs from the reference");
	if (!fz_result_eq(&r_fn, &ref))
		report(asce_val, va, req, &r_fn, &ref, "FN walk differs from the reference");
	if (!fz_result_eq(&r_path, &ref))
		report(asce_val, va, req, &r_path, &ref, "path walk differs from the reference");
	if (!refwalk_path_eq(&path, &ref_path))
		report(asce_val, va, req, &r_path, &ref, "path differs from the reference's");
	/* Each entry of the path read once; a failed read ends the walk. */
	FZ_CHECK(m->reads == path.n + (ref.pic == GMAP_PIC_ADDRESSING),
		 "FN walk read %u entries for a path of %u", m->reads, path.n);
	for (unsigned int i = 0; i < path.n; i++)
		FZ_CHECK(m->addr[i] == path.e[i].addr, "FN read %u at 0x%" PRIx64
			 ", path has 0x%" PRIx64, i, m->addr[i], path.e[i].addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct gmap_dat_request req = { 0 };
	struct walk_mem m = { 0 };
	uint8_t *image, *storage;
	uint64_t asce;
	unsigned int trim, nrec, nva = 0;
	uint8_t b;

	req.facilities = fz_u8(&f) & GMAP_FAC_ALL;
	b = fz_u8(&f);
	req.access = (uint8_t)(b % 3);
	req.as = (uint8_t)((b >> 2) & 3);
	asce = fz_u64(&f);
	req.prefix = fz_u64(&f);
	trim = fz_u8(&f);
	nrec = fz_u8(&f);

	image = calloc(1, FZ_IMAGE_SIZE);
	FZ_CHECK(image, "out of memory");
	fz_image_fill(&f, image, nrec);
	/* The walker gets a block of exactly the storage size. */
	m.size = FZ_IMAGE_SIZE - trim;
	storage = malloc(m.size);
	FZ_CHECK(storage, "out of memory");
	memcpy(storage, image, m.size);
	free(image);
	m.image = storage;

	do {
		check_va(&m, asce, fz_u64(&f), &req);
	} while (f.n && ++nva < FZ_WALK_MAX_VA);
	free(storage);
	return 0;
}
