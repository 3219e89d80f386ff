// SPDX-License-Identifier: MIT
/*
 * gmaptool replay: the writes of guest-1 page-table and segment-table
 * entries through the parent, and the checks of every shadow after each
 * (replay.h). A write to guest-1 storage that a shadow table was built
 * from must unshadow that table and everything below it, in every shadow
 * (the whole shadow for its top table), with the TLBs of the CPUs running
 * them purged; a shadow pte that maps a written page may go too (the
 * parent's pte changes only if it was protected); everything else stays.
 * Then every sample is faulted again and must agree with guest 1's
 * tables as they are now.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "replay.h"

uint64_t replay_rnd(struct replay *r)
{
	/* xorshift64* */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 0x2545f4914f6cdd1dULL;
}

static void problem(struct replay *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct replay *r, const char *fmt, ...)
{
	va_list ap;

	if (r->problems < REPLAY_SHOWN) {
		va_start(ap, fmt);
		vsnprintf(r->shown[r->problems], sizeof(r->shown[0]), fmt, ap);
		va_end(ap);
	}
	r->problems++;
}

void replay_tally(struct replay *r)
{
	printf("%s\n", r->problems ? "FAIL" : "ok");
	for (unsigned int i = 0; i < r->problems && i < REPLAY_SHOWN; i++)
		printf("  problem: %s\n", r->shown[i]);
	if (r->problems > REPLAY_SHOWN)
		printf("  (%u more problems)\n", r->problems - REPLAY_SHOWN);
	if (r->problems)
		r->failed++;
	else
		r->passed++;
	r->problems = 0;
}

static bool same_result(const struct gmap_dat_result *a, const struct gmap_dat_result *b)
{
	if (a->pic != b->pic)
		return false;
	if (a->pic == GMAP_PIC_NONE)
		return a->addr == b->addr && a->prot == b->prot && a->frame_shift == b->frame_shift;
	return a->teid_valid == b->teid_valid && (!a->teid_valid || a->teid == b->teid);
}

/* Put a space's shadow on its CPU anew, after it was dropped. */
static int renew(struct replay *r, struct space *sp)
{
	int ret;

	gmap_disable(sp->sg, sp->cpu);
	gmap_put(sp->sg);
	sp->sg = NULL;
	ret = shadow_host_get(&r->h, sp->asce, &sp->sg);
	if (ret) {
		fprintf(stderr, "gmaptool replay: gmap_shadow_get(0x%llx): %s\n",
			(unsigned long long)sp->asce, strerror(-ret));
		return ret;
	}
	return gmap_enable(sp->sg, sp->cpu);
}

/* The guest-1 ranges a present sample's shadow tables come from. */
static void sources(struct sample *s, uint64_t asce, const struct gmap_dat_path *p)
{
	uint64_t o;

	s->nsrc = 0;
	if (!(asce & GMAP_ASCE_R)) {
		o = asce & GMAP_ASCE_ORIGIN;
		s->src[s->nsrc][0] = o;
		s->src[s->nsrc++][1] = o + ((asce & GMAP_ASCE_TL_MASK) + 1) * GMAP_PAGE_SIZE;
	}
	for (unsigned int i = 0; i < p->n; i++) {
		uint64_t v = p->e[i].val;

		if (p->e[i].level == GMAP_LEVEL_PAGE || (v & GMAP_CRSTE_FC))
			continue;
		if (p->e[i].level == GMAP_TT_SEGMENT) {
			o = v & GMAP_SEGMENT_PTO & ~(GMAP_PAGE_SIZE - 1);
			s->src[s->nsrc][0] = o;
			s->src[s->nsrc++][1] = o + GMAP_PAGE_SIZE;
		} else {
			o = v & GMAP_CRSTE_ORIGIN;
			s->src[s->nsrc][0] = o + ((v & GMAP_CRSTE_TF_MASK) >> GMAP_CRSTE_TF_SHIFT) *
						 GMAP_PAGE_SIZE;
			s->src[s->nsrc++][1] = o + ((v & GMAP_CRSTE_TL_MASK) + 1) * GMAP_PAGE_SIZE;
		}
	}
}

/* Fault a sample in and check the shadow against guest 1's tables now. */
static void settle(struct replay *r, struct sample *s)
{
	struct space *sp = &r->sp[s->space];
	struct gmap_dat_result want, got, sh, tlb;
	struct gmap_dat_path path;
	uint64_t ga;
	int ret;

	s->present = false;
	shadow_host_guest1(&r->h, sp->asce, s->vaddr, &want, &path);
	ret = shadow_host_fault(sp->sg, s->vaddr, GMAP_DAT_FETCH, &got);
	if (ret == -ESTALE && !renew(r, sp))
		ret = shadow_host_fault(sp->sg, s->vaddr, GMAP_DAT_FETCH, &got);
	if (ret) {
		problem(r, "%llx: gmap_shadow_fault: %s", (unsigned long long)s->vaddr,
			strerror(-ret));
		return;
	}
	if (!same_result(&want, &got))
		problem(r, "%llx: fault says pic 0x%x addr 0x%llx, guest 1's tables pic 0x%x addr 0x%llx",
			(unsigned long long)s->vaddr, got.pic, (unsigned long long)got.addr,
			want.pic, (unsigned long long)want.addr);
	ret = shadow_host_resolve(&r->h, sp->sg, s->vaddr, &sh);
	if (want.pic != GMAP_PIC_NONE) {
		if (ret != -EFAULT)
			problem(r, "%llx: does not translate in guest 1 but the shadow maps it",
				(unsigned long long)s->vaddr);
		return;
	}
	if (ret || sh.addr != want.addr || (want.prot && !sh.prot)) {
		problem(r, "%llx: after the fault the shadow gives %s 0x%llx%s, guest 1 0x%llx%s",
			(unsigned long long)s->vaddr, ret ? "error" : "", (unsigned long long)sh.addr,
			sh.prot ? " prot" : "", (unsigned long long)want.addr, want.prot ? " prot" : "");
		return;
	}
	/* Through the CPU running the shadow, which caches it in its TLB. */
	gmap_arch_translate(r->h.arch, sp->cpu, s->vaddr, GMAP_DAT_FETCH, 0, &tlb);
	if (tlb.pic || shadow_host_gaddr(&r->h, tlb.addr, &ga) || ga != sh.addr)
		problem(r, "%llx: CPU %u running the shadow gets pic 0x%x addr 0x%llx",
			(unsigned long long)s->vaddr, sp->cpu, tlb.pic,
			(unsigned long long)tlb.addr);
	s->present = true;
	s->gaddr = sh.addr;
	sources(s, sp->asce, &path);
}

int replay_refault(struct replay *r, size_t *present)
{
	bool again = true;
	int ret;

	for (unsigned int i = 0; i < r->nsp; i++) {
		struct space *sp = &r->sp[i];

		if (!gmap_shadow_valid(sp->sg, (gmap_asce_t){ sp->asce }, r->h.edat_level)) {
			ret = renew(r, sp);
			if (ret)
				return ret;
		}
	}
	for (size_t i = 0; i < r->ns; i++)
		settle(r, &r->s[i]);
	/* Protecting a writable guest-1 page drops the shadow ptes onto it,
	 * also those made by an earlier fault of this loop: those again. */
	for (unsigned int pass = 0; again && pass < REPLAY_PASSES; pass++) {
		again = false;
		for (size_t i = 0; i < r->ns; i++) {
			struct sample *s = &r->s[i];
			struct gmap_dat_result sh;

			if (s->present &&
			    shadow_host_resolve(&r->h, r->sp[s->space].sg, s->vaddr, &sh)) {
				settle(r, s);
				again = true;
			}
		}
	}
	*present = 0;
	for (size_t i = 0; i < r->ns; i++) {
		struct sample *s = &r->s[i];
		struct gmap_dat_result sh;

		if (s->present && shadow_host_resolve(&r->h, r->sp[s->space].sg, s->vaddr, &sh)) {
			problem(r, "%llx: still dropped after %d faults", (unsigned long long)s->vaddr,
				REPLAY_PASSES + 1);
			s->present = false;
		}
		*present += s->present;
	}
	return 0;
}

static bool overlaps(uint64_t lo, uint64_t hi, uint64_t glo, uint64_t ghi)
{
	return lo < ghi && glo < hi;
}

/* What a write at guest-1 address @w must do to each sample. */
static void judge(struct replay *r, uint64_t w)
{
	uint64_t glo = w & ~(r->granule - 1), ghi = glo + r->granule;

	for (size_t i = 0; i < r->ns; i++) {
		struct sample *s = &r->s[i];
		uint64_t f = s->gaddr & ~(GMAP_PAGE_SIZE - 1);

		s->verdict = s->present ? V_KEEP : V_ABSENT;
		for (unsigned int k = 0; s->present && k < s->nsrc; k++)
			if (overlaps(s->src[k][0], s->src[k][1], glo, ghi))
				s->verdict = V_GONE;
		/* A shadow pte on a written frame may go (the parent's pte
		 * changes only if it was protected). */
		if (s->verdict == V_KEEP && overlaps(f, f + GMAP_PAGE_SIZE, glo, ghi))
			s->verdict = V_EITHER;
	}
}

/* A translation that must be gone: from the shadow tables (@mapped: they
 * still map it), the TLB of the CPU running the shadow, and what that CPU
 * translates (while the shadow stands: a dropped one's tables are freed). */
static void expect_gone(struct replay *r, const struct sample *s, bool mapped, bool valid)
{
	const struct space *sp = &r->sp[s->space];
	unsigned long long va = s->vaddr;
	struct gmap_dat_result tlb;

	if (mapped)
		problem(r, "%llx: the shadow still maps it", va);
	if (gmap_arch_tlb_lookup(r->h.arch, sp->cpu, gmap_asce(sp->sg), s->vaddr, &tlb) > 0)
		problem(r, "%llx: still in the TLB of CPU %u", va, sp->cpu);
	if (valid && !gmap_arch_translate(r->h.arch, sp->cpu, s->vaddr, GMAP_DAT_FETCH, 0, &tlb) &&
	    tlb.pic == GMAP_PIC_NONE)
		problem(r, "%llx: CPU %u still translates it (stale)", va, sp->cpu);
}

/* Check every sample against its verdict; count what went and stayed. */
static void check(struct replay *r, size_t *gone, size_t *kept)
{
	*gone = *kept = 0;
	for (size_t i = 0; i < r->ns; i++) {
		struct sample *s = &r->s[i];
		struct space *sp = &r->sp[s->space];
		bool valid = gmap_shadow_valid(sp->sg, (gmap_asce_t){ sp->asce }, r->h.edat_level);
		struct gmap_dat_result sh;
		int ret = valid ? shadow_host_resolve(&r->h, sp->sg, s->vaddr, &sh) : -EFAULT;

		if (ret == 0 && sh.addr != s->gaddr)
			problem(r, "%llx: the shadow maps it to 0x%llx, before to 0x%llx",
				(unsigned long long)s->vaddr, (unsigned long long)sh.addr,
				(unsigned long long)s->gaddr);
		if (s->verdict == V_KEEP && ret)
			problem(r, "%llx: unshadowed, but built from nothing written%s",
				(unsigned long long)s->vaddr, valid ? "" : " (whole shadow dropped)");
		else if (s->verdict == V_GONE || s->verdict == V_ABSENT)
			expect_gone(r, s, ret == 0, valid);
		*gone += s->present && ret;
		*kept += s->present && !ret;
	}
}

/* One write of a guest-1 entry through the parent, checked; 0 or an error
 * that ends the run. */
static int act(struct replay *r, const struct space *sp, const char *what, uint64_t addr,
	       uint64_t old, uint64_t val)
{
	uint64_t be = htobe64(val), back;
	size_t gone, kept, present = 0;
	int ret = 0;

	if (r->bypass)
		memcpy(r->h.store + addr, &be, sizeof(be));
	else
		ret = gmap_gacc_write_abs(r->h.parent, SHADOW_HOST_PARENT_CPU, addr, &be,
					  sizeof(be));
	if (ret) {
		fprintf(stderr, "gmaptool replay: writing 0x%llx through the parent: %d\n",
			(unsigned long long)addr, ret);
		return ret < 0 ? ret : -EFAULT;
	}
	if (r->h.g1mem.read(r->h.g1mem.priv, addr, &back) || back != val)
		problem(r, "the entry reads back as 0x%llx", (unsigned long long)back);
	judge(r, addr);
	check(r, &gone, &kept);
	ret = replay_refault(r, &present);
	if (ret)
		return ret;
	printf("asce %llx: %s 0x%llx: 0x%016llx -> 0x%016llx: unshadowed %zu, kept %zu; refaulted, %zu translate: ",
	       (unsigned long long)sp->asce, what, (unsigned long long)addr,
	       (unsigned long long)old, (unsigned long long)val, gone, kept, present);
	replay_tally(r);
	return 0;
}

/* Change one entry each way guest 1 might, restoring it after each. */
static int change_entry(struct replay *r, const struct space *sp, uint64_t addr, int level,
			uint64_t v)
{
	const char *name = level == GMAP_LEVEL_PAGE ? "pte" : "segment entry";
	bool frame = level == GMAP_LEVEL_PAGE || (v & GMAP_CRSTE_FC);
	uint64_t fbit = level == GMAP_LEVEL_PAGE ? GMAP_PAGE_SIZE : GMAP_SEGMENT_SIZE;
	uint64_t inv = level == GMAP_LEVEL_PAGE ? GMAP_PTE_I : GMAP_CRSTE_I;
	uint64_t prot = level == GMAP_LEVEL_PAGE ? GMAP_PTE_P : GMAP_CRSTE_P;
	struct {
		const char *what;
		uint64_t val;
		bool skip;
	} ops[] = {
		{ "invalidate", v | inv, false },
		{ "move frame of", v ^ fbit, !frame || ((v ^ fbit) & ~(fbit - 1) & GMAP_PTE_PFRA) >=
					     r->h.size },
		{ (v & prot) ? "unprotect" : "protect", v ^ prot, false },
	};
	char what[64];
	int ret = 0;

	for (unsigned int i = 0; !ret && i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].skip)
			continue;
		snprintf(what, sizeof(what), "%s %s", ops[i].what, name);
		ret = act(r, sp, what, addr, v, ops[i].val);
		if (!ret) {
			snprintf(what, sizeof(what), "restore %s", name);
			ret = act(r, sp, what, addr, ops[i].val, v);
		}
	}
	return ret;
}

/* What replay_change_space() changes, in turn. */
enum target { T_PTE, T_SEG_TABLE, T_SEG_FRAME, T_KINDS };

/* Whether a guest-1 path has an entry of kind @t; its index in @k. */
static bool find_target(const struct gmap_dat_path *p, enum target t, unsigned int *k)
{
	for (*k = 0; *k < p->n; (*k)++) {
		int level = p->e[*k].level;
		bool fc = p->e[*k].val & GMAP_CRSTE_FC;

		if (t == T_PTE ? level == GMAP_LEVEL_PAGE :
		    level == GMAP_TT_SEGMENT && fc == (t == T_SEG_FRAME))
			return true;
	}
	return false;
}

int replay_change_space(struct replay *r, unsigned int space)
{
	struct sample *mine[REPLAY_PAGES + REPLAY_FRAMES];
	unsigned int n = 0;
	int ret = 0;

	for (size_t i = 0; i < r->ns; i++)
		if (r->s[i].space == space && r->s[i].present)
			mine[n++] = &r->s[i];
	/* In turn a pte, a segment entry designating a page table and one
	 * of an EDAT-1 frame, each on the path of a random sample that has
	 * one (a few tries). */
	for (unsigned int t = 0; n && !ret && t < T_KINDS * REPLAY_TARGETS; t++) {
		for (unsigned int try = 0; try < 16; try++) {
			struct sample *s = mine[replay_rnd(r) % n];
			struct gmap_dat_result res;
			struct gmap_dat_path path;
			unsigned int k;

			shadow_host_guest1(&r->h, r->sp[space].asce, s->vaddr, &res, &path);
			if (find_target(&path, t % T_KINDS, &k)) {
				ret = change_entry(r, &r->sp[space], path.e[k].addr,
						   path.e[k].level, path.e[k].val);
				break;
			}
		}
	}
	return ret;
}
