// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the soft backend's TLB, driven by a sequence of operations
 * read from the input.
 *
 * Input: a configuration byte (bit 0 strict mode, bits 1-2 TLB size 1, 4,
 * 16 or 256 entries, bits 3-4 one to four CPUs), facilities (1 byte), a
 * record count (1) and records laying out a 64 KB big-endian image (see
 * fz_image_fill()) that the modelled CPUs' tables live in, then
 * operations until the input ends: store a table word without purging,
 * translate, IPTE (range form, local or not, by ASCE or any), IDTE (one
 * entry, with or without NODAT), IDTE by ASCE, CSP (succeeding or not),
 * PTLB, load an ASCE, SSKE, ISKE and RRBE.
 *
 * The checks (an oracle written from the PoP's rules, not from tlb.c):
 *  - non-strict mode: every translation equals the walker's over the
 *    current tables;
 *  - strict mode: every translation equals either the walker's over the
 *    current tables, or the walker's over the table entries of an earlier
 *    walk of the same CPU, ASCE and frame that no purge has removed since:
 *    an IPTE or IDTE of an entry on that walk's path (on the issuing CPU
 *    only when local; the ASCE's table origin and designation type
 *    matching when one is given), an IDTE by that ASCE, a successful CSP,
 *    or a PTLB of that CPU. A stale answer after a required purge is a
 *    failure; a stale answer before it is what the hardware may give;
 *  - what gmap_arch_tlb_lookup() shows is such an allowed translation, and
 *    gmap_arch_tlb_count() stays within the TLB's size;
 *  - storage keys follow the PoP's SSKE (conditional with MR/MC), ISKE and
 *    RRBE on a model of sixteen frames.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libgmap/arch.h>

#include "fuzz.h"
#include "refwalk.h"

#define TLB_MAX_OPS	512
#define TLB_FRAMES	16

enum {
	OP_STORE, OP_TRANSLATE, OP_IPTE, OP_IDTE, OP_IDTE_ASCE, OP_CSP, OP_PTLB,
	OP_LOAD_ASCE, OP_SSKE, OP_KEYS, OP_COUNT
};

/*
 * struct walk_rec - a translation some CPU may still hold: the entries an
 * earlier walk read, with their values then.
 * @live: not purged yet
 * @cpu: the CPU that walked
 * @asce: its ASCE
 * @vbase: first address of the frame translated
 * @shift: log2 of the frame's size
 * @path: the entries, as read
 */
struct walk_rec {
	bool live;
	unsigned int cpu;
	uint64_t asce;
	uint64_t vbase;
	unsigned int shift;
	struct gmap_dat_path path;
};

struct tlb_fz {
	struct gmap_arch *arch;
	uint8_t *image;
	struct gmap_dat_mem mem;
	bool strict;
	unsigned int ncpus;
	unsigned int tlb_entries;
	uint32_t facilities;
	struct walk_rec *rec;
	unsigned int nrec;
	uint8_t keys[TLB_FRAMES];
};

/* Re-walk a record: its entries answer, any other address is outside. */
static int rec_read(void *priv, uint64_t addr, uint64_t *val)
{
	const struct walk_rec *r = priv;

	for (unsigned int i = 0; i < r->path.n; i++) {
		if (r->path.e[i].addr == addr) {
			*val = r->path.e[i].val;
			return 0;
		}
	}
	return -1;
}

static void rec_translate(const struct walk_rec *r, uint64_t vaddr,
			  const struct gmap_dat_request *req, struct gmap_dat_result *res)
{
	struct gmap_dat_mem mem = { .kind = GMAP_DAT_MEM_FN, .read = rec_read, .priv = (void *)r };

	gmap_dat_translate(&mem, (gmap_asce_t){ r->asce }, vaddr, req, res);
}

static bool rec_covers(const struct walk_rec *r, unsigned int cpu, uint64_t asce, uint64_t vaddr)
{
	return r->live && r->cpu == cpu && r->asce == asce &&
	       r->vbase == (vaddr & ~((1ULL << r->shift) - 1));
}

/* Whether @got is a translation the CPU may give: from a live record. */
static bool allowed_stale(const struct tlb_fz *t, unsigned int cpu, uint64_t asce,
			  uint64_t vaddr, const struct gmap_dat_request *req,
			  const struct gmap_dat_result *got)
{
	struct gmap_dat_result want;

	for (unsigned int i = 0; i < t->nrec; i++) {
		if (!rec_covers(&t->rec[i], cpu, asce, vaddr))
			continue;
		rec_translate(&t->rec[i], vaddr, req, &want);
		if (fz_result_eq(got, &want))
			return true;
	}
	return false;
}

/* Remember a walk the TLB may have kept: one that reached a frame. */
static void rec_add(struct tlb_fz *t, unsigned int cpu, uint64_t asce, uint64_t vaddr,
		    const struct gmap_dat_result *res, const struct gmap_dat_path *path)
{
	struct walk_rec r = { .live = true, .cpu = cpu, .asce = asce };

	if ((res->pic != GMAP_PIC_NONE && res->pic != GMAP_PIC_PROTECTION) ||
	    res->level == GMAP_LEVEL_REAL)
		return;
	r.shift = res->frame_shift;
	r.vbase = vaddr & ~((1ULL << r.shift) - 1);
	r.path = *path;
	for (unsigned int i = 0; i < t->nrec; i++)
		if (rec_covers(&t->rec[i], cpu, asce, vaddr) && t->rec[i].shift == r.shift &&
		    refwalk_path_eq(&t->rec[i].path, &r.path))
			return;
	t->rec[t->nrec++] = r;
}

/*
 * Purge records as an instruction does: on @cpu alone when @local, else
 * on all; only those formed with @asce's table origin and designation
 * type when @by_asce; only those whose path has an entry in [@lo, @hi)
 * when @hi is not 0.
 */
static void rec_purge(struct tlb_fz *t, unsigned int cpu, bool local, bool by_asce,
		      uint64_t asce, uint64_t lo, uint64_t hi)
{
	for (unsigned int i = 0; i < t->nrec; i++) {
		struct walk_rec *r = &t->rec[i];
		bool hit = !hi;

		if (!r->live || (local && r->cpu != cpu) ||
		    (by_asce && ((r->asce ^ asce) & (GMAP_ASCE_ORIGIN | GMAP_ASCE_DT_MASK))))
			continue;
		for (unsigned int j = 0; j < r->path.n && !hit; j++)
			hit = r->path.e[j].addr >= lo && r->path.e[j].addr < hi;
		if (hit)
			r->live = false;
	}
}

static void fail_translate(const struct tlb_fz *t, unsigned int cpu, uint64_t vaddr,
			   const struct gmap_dat_request *req, const struct gmap_dat_result *got,
			   const struct gmap_dat_result *now, const char *what)
{
	fprintf(stderr, "%s mode, cpu %u asce 0x%016" PRIx64 " va 0x%016" PRIx64
		" access %u prefix 0x%" PRIx64 "\n", t->strict ? "strict" : "non-strict", cpu,
		gmap_arch_get_asce(t->arch, cpu).val, vaddr, req->access, req->prefix);
	fz_print_result("backend", got);
	fz_print_result("walker", now);
	for (unsigned int i = 0; i < t->nrec; i++)
		if (rec_covers(&t->rec[i], cpu, gmap_arch_get_asce(t->arch, cpu).val, vaddr))
			fprintf(stderr, "  live record %u: frame 0x%" PRIx64 ", %u entries\n", i,
				t->rec[i].vbase, t->rec[i].path.n);
	fz_fail("%s", what);
}

static void op_translate(struct tlb_fz *t, struct fz *f)
{
	unsigned int cpu = fz_u8(f) % t->ncpus, sel = fz_u8(f);
	uint64_t vaddr = fz_u64(f);
	uint64_t asce = gmap_arch_get_asce(t->arch, cpu).val;
	struct gmap_dat_request req = {
		.access = (uint8_t)(sel % 3), .facilities = t->facilities,
		.prefix = (uint64_t)(sel >> 2 & 7) * 0x2000,
	};
	struct gmap_dat_request fetch0 = { .access = GMAP_DAT_FETCH, .facilities = t->facilities };
	struct gmap_dat_result got, now, seen;
	struct gmap_dat_path path;
	int count;

	FZ_CHECK(gmap_arch_translate(t->arch, cpu, vaddr, req.access, req.prefix, &got) == 0,
		 "gmap_arch_translate failed");
	FZ_CHECK(gmap_dat_translate_path(&t->mem, (gmap_asce_t){ asce }, vaddr, &req, &now,
					 &path) == 0, "walker failed");
	if (!fz_result_eq(&got, &now) &&
	    (!t->strict || !allowed_stale(t, cpu, asce, vaddr, &req, &got)))
		fail_translate(t, cpu, vaddr, &req, &got, &now,
			       t->strict ? "strict TLB answered what no allowed walk gives"
					 : "non-strict TLB differs from the walker");
	rec_add(t, cpu, asce, vaddr, &now, &path);

	/* What the TLB shows is an allowed translation too. */
	if (gmap_arch_tlb_lookup(t->arch, cpu, (gmap_asce_t){ asce }, vaddr, &seen) == 1 &&
	    !allowed_stale(t, cpu, asce, vaddr, &fetch0, &seen))
		fail_translate(t, cpu, vaddr, &fetch0, &seen, &now,
			       "the TLB holds an entry no allowed walk gives");
	count = gmap_arch_tlb_count(t->arch, cpu);
	FZ_CHECK(count >= 0 && (unsigned int)count <= t->tlb_entries,
		 "TLB of %u entries counts %d", t->tlb_entries, count);
}

/* The ASCE an invalidation names: 0 (any), or one CPU's. */
static uint64_t pick_asce(const struct tlb_fz *t, unsigned int sel)
{
	if (!(sel & 2))
		return 0;
	return gmap_arch_get_asce(t->arch, (sel >> 4) % t->ncpus).val;
}

static void op_ipte(struct tlb_fz *t, struct fz *f)
{
	unsigned int cpu = fz_u8(f) % t->ncpus, sel = fz_u8(f);
	unsigned int word = fz_u16(f) % FZ_IMAGE_WORDS, px = word % GMAP_PT_ENTRIES;
	unsigned int nr = 1 + fz_u8(f) % (GMAP_PT_ENTRIES - px);
	uint64_t asce = pick_asce(t, sel);

	gmap_arch_ipte(t->arch, cpu, (gmap_asce_t){ asce }, (uint64_t)px << GMAP_PAGE_SHIFT,
		       (gmap_pte_t *)(t->image + (size_t)word * 8), nr,
		       sel & 1 ? GMAP_INV_LOCAL : 0);
	rec_purge(t, cpu, sel & 1, asce != 0, asce, (uint64_t)word * 8,
		  (uint64_t)(word + nr) * 8);
}

static void op_idte(struct tlb_fz *t, struct fz *f)
{
	unsigned int cpu = fz_u8(f) % t->ncpus, sel = fz_u8(f);
	unsigned int word = fz_u16(f) % FZ_IMAGE_WORDS;
	uint64_t asce = pick_asce(t, sel);

	gmap_arch_idte(t->arch, cpu, (gmap_asce_t){ asce }, 0,
		       (gmap_crste_t *)(t->image + (size_t)word * 8),
		       (sel & 1 ? GMAP_INV_LOCAL : 0) | (sel & 4 ? GMAP_INV_NODAT : 0));
	rec_purge(t, cpu, sel & 1, asce != 0, asce, (uint64_t)word * 8, (uint64_t)word * 8 + 8);
}

static void op_idte_asce(struct tlb_fz *t, struct fz *f)
{
	unsigned int cpu = fz_u8(f) % t->ncpus, sel = fz_u8(f) | 2;
	uint64_t asce = pick_asce(t, sel);

	gmap_arch_idte_asce(t->arch, cpu, (gmap_asce_t){ asce }, sel & 1 ? GMAP_INV_LOCAL : 0);
	rec_purge(t, cpu, sel & 1, true, asce, 0, 0);
}

static void op_csp(struct tlb_fz *t, struct fz *f)
{
	unsigned int cpu = fz_u8(f) % t->ncpus, sel = fz_u8(f);
	unsigned int word = fz_u16(f) % FZ_IMAGE_WORDS;
	uint64_t *ptr = (uint64_t *)(t->image + (size_t)word * 8);
	uint64_t new_val = fz_u64(f), old = *ptr ^ (sel & 1);
	bool swapped = gmap_arch_csp(t->arch, cpu, ptr, old, new_val);

	FZ_CHECK(swapped == !(sel & 1), "CSP %s", swapped ? "swapped a different value" :
		 "did not swap the expected value");
	FZ_CHECK(*ptr == (swapped ? new_val : old ^ 1), "CSP stored the wrong value");
	if (swapped)
		rec_purge(t, cpu, false, false, 0, 0, 0);
}

/* SSKE on a model frame, with the PoP's conditional rule for MR and MC. */
static void op_sske(struct tlb_fz *t, struct fz *f)
{
	unsigned int cpu = fz_u8(f) % t->ncpus, frame = fz_u8(f) % TLB_FRAMES;
	uint8_t key = fz_u8(f) & 0xfe, flags = fz_u8(f) & 7, old = 0xff, diff;

	/* Frames far apart, so the key table hashes and grows. */
	FZ_CHECK(gmap_arch_sske(t->arch, cpu, (uint64_t)frame * 0x100001000ULL, key, flags,
				&old) == 0, "SSKE failed");
	FZ_CHECK(old == t->keys[frame], "SSKE old key 0x%02x, model 0x%02x", old,
		 t->keys[frame]);
	diff = t->keys[frame] ^ key;
	if (flags & GMAP_SSKE_MR)
		diff &= (uint8_t)~GMAP_SKEY_R;
	if (flags & GMAP_SSKE_MC)
		diff &= (uint8_t)~GMAP_SKEY_C;
	if (diff)
		t->keys[frame] = key;
}

static void op_keys(struct tlb_fz *t, struct fz *f)
{
	unsigned int frame = fz_u8(f) % TLB_FRAMES;
	uint64_t addr = (uint64_t)frame * 0x100001000ULL + 0x123;
	uint8_t k = t->keys[frame];
	int cc = (k & GMAP_SKEY_R ? 2 : 0) | (k & GMAP_SKEY_C ? 1 : 0);

	FZ_CHECK(gmap_arch_iske(t->arch, addr) == k, "ISKE 0x%02x, model 0x%02x",
		 gmap_arch_iske(t->arch, addr), k);
	FZ_CHECK(gmap_arch_rrbe(t->arch, addr) == cc, "RRBE condition code, model %d", cc);
	t->keys[frame] &= (uint8_t)~GMAP_SKEY_R;
}

static void run_op(struct tlb_fz *t, struct fz *f)
{
	unsigned int cpu, word;

	switch (fz_u8(f) % OP_COUNT) {
	case OP_STORE:
		word = fz_u16(f);
		fz_image_put(t->image, word, fz_u64(f));
		break;
	case OP_TRANSLATE:
		op_translate(t, f);
		break;
	case OP_IPTE:
		op_ipte(t, f);
		break;
	case OP_IDTE:
		op_idte(t, f);
		break;
	case OP_IDTE_ASCE:
		op_idte_asce(t, f);
		break;
	case OP_CSP:
		op_csp(t, f);
		break;
	case OP_PTLB:
		cpu = fz_u8(f) % t->ncpus;
		gmap_arch_ptlb(t->arch, cpu);
		rec_purge(t, cpu, true, false, 0, 0, 0);
		break;
	case OP_LOAD_ASCE:
		cpu = fz_u8(f) % t->ncpus;
		gmap_arch_load_asce(t->arch, cpu, (gmap_asce_t){ fz_u64(f) });
		break;
	case OP_SSKE:
		op_sske(t, f);
		break;
	default:
		op_keys(t, f);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int tlb_sizes[4] = { 1, 4, 16, 256 };
	struct fz f = { data, size };
	struct tlb_fz t = { 0 };
	struct gmap_arch_opts opts = GMAP_OPTS(gmap_arch_opts);
	uint8_t cfg = fz_u8(&f);
	uint32_t fac = fz_u8(&f) & GMAP_FAC_ALL;

	t.strict = cfg & 1;
	t.tlb_entries = tlb_sizes[cfg >> 1 & 3];
	t.ncpus = 1 + (cfg >> 3 & 3);
	/* EDAT-2 needs EDAT-1: anything else is refused at creation. */
	if (fac & GMAP_FAC_EDAT2)
		fac |= GMAP_FAC_EDAT1;
	t.image = calloc(1, FZ_IMAGE_SIZE);
	t.rec = calloc(TLB_MAX_OPS, sizeof(*t.rec));
	FZ_CHECK(t.image && t.rec, "out of memory");
	fz_image_fill(&f, t.image, fz_u8(&f));
	t.mem = (struct gmap_dat_mem){ .kind = GMAP_DAT_MEM_BE, .base = t.image,
				       .size = FZ_IMAGE_SIZE };
	opts.ncpus = t.ncpus;
	opts.facilities = fac;
	opts.strict = t.strict;
	opts.tlb_entries = t.tlb_entries;
	opts.table_mem = &t.mem;
	FZ_CHECK(gmap_arch_soft_create(&opts, &t.arch) == 0, "soft backend creation failed");
	t.facilities = gmap_arch_facilities(t.arch);

	for (unsigned int n = 0; f.n && n < TLB_MAX_OPS; n++)
		run_op(&t, &f);

	gmap_arch_destroy(t.arch);
	free(t.rec);
	free(t.image);
	return 0;
}
