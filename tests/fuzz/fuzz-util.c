// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the fuzz targets (see fuzz.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

uint16_t fz_u16(struct fz *f)
{
	uint16_t v = fz_u8(f);

	return (uint16_t)(v << 8 | fz_u8(f));
}

uint64_t fz_u64(struct fz *f)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | fz_u8(f);
	return v;
}

void fz_image_put(uint8_t *image, unsigned int word, uint64_t val)
{
	uint8_t *p = image + (size_t)(word % FZ_IMAGE_WORDS) * 8;

	for (int i = 7; i >= 0; i--, val >>= 8)
		p[i] = (uint8_t)val;
}

uint64_t fz_image_get(const uint8_t *image, uint64_t addr)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | image[addr + i];
	return v;
}

void fz_image_fill(struct fz *f, uint8_t *image, unsigned int nrec)
{
	for (unsigned int i = 0; i < nrec && f->n; i++) {
		unsigned int word = fz_u16(f);

		fz_image_put(image, word, fz_u64(f));
	}
}

bool fz_result_eq(const struct gmap_dat_result *a, const struct gmap_dat_result *b)
{
	if (a->pic != b->pic || a->teid_valid != b->teid_valid || a->prot != b->prot ||
	    a->iep != b->iep || a->accf != b->accf || a->level != b->level ||
	    a->frame_shift != b->frame_shift || a->addr != b->addr || a->teid != b->teid)
		return false;
	return !a->accf || (a->acc == b->acc && a->fp == b->fp);
}

void fz_print_result(const char *who, const struct gmap_dat_result *r)
{
	fprintf(stderr,
		"  %-10s pic 0x%02x level %d shift %u addr 0x%016" PRIx64 " prot %d iep %d"
		" accf %d acc %u fp %d teid %s0x%016" PRIx64 "\n",
		who, r->pic, r->level, r->frame_shift, r->addr, r->prot, r->iep, r->accf, r->acc,
		r->fp, r->teid_valid ? "" : "(invalid) ", r->teid);
}

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
