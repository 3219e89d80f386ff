// SPDX-License-Identifier: MIT
/*
 * gmaptool replay: the dump's guest runs as guest 1 of a soft host (strict
 * TLB); its live address spaces are shadowed, each on a CPU of its own,
 * and a sample of their 4 KB pages and EDAT frames is faulted in. Then
 * guest-1 page-table and segment-table entries are changed through the
 * parent, as guest 1 would change them, and restored; after every write
 * the shadows are checked: what was built from the written storage is
 * gone (shadow tables and the TLBs of the CPUs running them), the rest
 * stays, and the next fault of every sample sees guest 1's tables as they
 * are now. This file: the command, the address spaces, the samples and
 * the first faults; replay-check.c: the writes and the checks.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmaptool.h"
#include "oracle.h"
#include "replay.h"

/* Sampling: reservoirs of addresses that translate into guest-1 storage. */
struct pick {
	struct replay *r;
	uint64_t page[REPLAY_PAGES], frame[REPLAY_FRAMES];
	uint64_t npage, nframe;
};

/* Offer a random address of [@start, @next) whose frame starts at guest-1
 * @fa and is @fsize long. */
static void offer(struct pick *p, bool page, uint64_t start, uint64_t next, uint64_t fa,
		  uint64_t fsize)
{
	uint64_t v = start + ((replay_rnd(p->r) % (next - start)) & ~7ULL);
	uint64_t *seen = page ? &p->npage : &p->nframe;
	unsigned int k = page ? REPLAY_PAGES : REPLAY_FRAMES;
	uint64_t j;

	if (fa + (v & (fsize - 1)) >= p->r->h.size)
		return;
	j = (*seen)++;
	if (j >= k)
		j = replay_rnd(p->r) % (j + 1);
	if (j < k)
		(page ? p->page : p->frame)[j] = v;
}

static int pick_pte(gmap_pte_t pte, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	if (!(pte.val & GMAP_PTE_I))
		offer(w->priv, true, start, next, pte.val & GMAP_PTE_PFRA, GMAP_PAGE_SIZE);
	return 0;
}

static int pick_frame(gmap_crste_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	bool seg = w->level == GMAP_TT_SEGMENT;
	uint64_t fa = e.val & (seg ? GMAP_SEGMENT_SFAA : GMAP_REGION3_RFAA);

	if ((e.val & (GMAP_CRSTE_FC | GMAP_CRSTE_I)) == GMAP_CRSTE_FC &&
	    (w->facilities & (seg ? GMAP_FAC_EDAT1 : GMAP_FAC_EDAT2)))
		offer(w->priv, false, start, next, fa, seg ? GMAP_SEGMENT_SIZE : GMAP_REGION3_SIZE);
	return 0;
}

/* Shadow a space on its CPU and sample its pages and frames. */
static int sample_space(struct replay *r, unsigned int space)
{
	static const struct gmap_dat_walk_ops ops = {
		.pte_entry = pick_pte,
		.crste_entry = { [GMAP_TT_SEGMENT] = pick_frame, [GMAP_TT_REGION3] = pick_frame },
	};
	struct space *sp = &r->sp[space];
	struct pick p = { .r = r };
	int ret;

	ret = shadow_host_get(&r->h, sp->asce, &sp->sg);
	if (ret) {
		fprintf(stderr, "gmaptool replay: gmap_shadow_get(0x%llx): %s\n",
			(unsigned long long)sp->asce, strerror(-ret));
		return ret;
	}
	ret = gmap_enable(sp->sg, sp->cpu);
	if (!ret)
		ret = gmap_dat_walk_range(&r->h.g1mem, (gmap_asce_t){ sp->asce }, 0, ~0ULL,
					  r->h.facilities, &ops, &p);
	if (ret) {
		fprintf(stderr, "gmaptool replay: sampling 0x%llx: %s\n",
			(unsigned long long)sp->asce, strerror(-ret));
		return ret;
	}
	for (uint64_t i = 0; i < p.npage && i < REPLAY_PAGES; i++)
		r->s[r->ns++] = (struct sample){ .space = space, .vaddr = p.page[i] };
	for (uint64_t i = 0; i < p.nframe && i < REPLAY_FRAMES; i++)
		r->s[r->ns++] = (struct sample){ .space = space, .vaddr = p.frame[i] };
	printf("asce %llx: shadow on CPU %u, %llu of %llu 4 KB pages and %llu of %llu EDAT frames sampled\n",
	       (unsigned long long)sp->asce, sp->cpu,
	       (unsigned long long)(p.npage < REPLAY_PAGES ? p.npage : REPLAY_PAGES),
	       (unsigned long long)p.npage,
	       (unsigned long long)(p.nframe < REPLAY_FRAMES ? p.nframe : REPLAY_FRAMES),
	       (unsigned long long)p.nframe);
	return 0;
}

static void replay_usage(FILE *f)
{
	fprintf(f, "usage: gmaptool replay [--large] [--seed HEX] [--facilities LIST]\n"
		   "                       [--bypass-parent] DUMP [ORACLE]\n\n"
		   "Run the dump's guest as guest 1 of a software host (strict TLB) and\n"
		   "shadow its live address spaces, each on a CPU of its own: the ASCEs in\n"
		   "CR1, CR7 and CR13 of the dump's CPUs, and with ORACLE the ones its\n"
		   "\"# asce\" header lines name (not those marked DERIVED). Fault in up to\n"
		   "%d random 4 KB pages and %d EDAT frames of each, then change %d ptes,\n"
		   "%d segment entries designating page tables and %d of 1 MB frames of\n"
		   "each through the parent (invalidate, move the frame, flip the\n"
		   "protection; each change restored at once). After every write: what\n"
		   "was built from the written guest-1 storage must be gone (from the\n"
		   "shadow tables and from the TLB of the CPU running the shadow), all\n"
		   "else kept, and the next fault of every sample must agree with guest\n"
		   "1's tables. One line per write; ends with \"N passed, N failed\".\n\n"
		   "  --large             back guest 1 with 1 MB host frames\n"
		   "  --seed HEX          choice of samples and entries (default 1)\n"
		   "  --bypass-parent     self-test: write the entries straight into guest-1\n"
		   "                      storage, past the parent's protection, so that no\n"
		   "                      shadow hears of them: the checks must fail\n"
		   "  --facilities LIST   edat1,edat2,iep,esop1,esop2 or none (default: the\n"
		   "                      oracle's; without ORACLE, as CR0 of CPU 0 enables\n"
		   "                      EDAT-1 and IEP, and ESOP-1)\n",
		REPLAY_PAGES, REPLAY_FRAMES, REPLAY_TARGETS, REPLAY_TARGETS, REPLAY_TARGETS);
}

static void add_asce(uint64_t *asces, unsigned int *n, uint64_t asce)
{
	for (unsigned int i = 0; i < *n; i++)
		if (asces[i] == asce)
			return;
	if (*n == GMAP_SHADOW_MAX)
		printf("more than %d address spaces: 0x%llx not shadowed\n", GMAP_SHADOW_MAX,
		       (unsigned long long)asce);
	else if (asce)
		asces[(*n)++] = asce;
}

/* The live ASCEs: control registers, then the oracle's header. */
static int find_asces(const struct tool_dump *t, const char *oracle, uint64_t *asces,
		      unsigned int *n)
{
	char line[1024], hex[32];
	FILE *f;

	for (unsigned int c = 0; c < gmap_dump_ncpus(t->dump); c++) {
		const struct gmap_dump_cpu *cpu = gmap_dump_cpu(t->dump, c);

		if (cpu->notes & GMAP_DUMP_CPU_CTRS)
			for (unsigned int cr = 1; cr < 16; cr += 6)
				add_asce(asces, n, cpu->cr[cr]);
	}
	if (!oracle)
		return 0;
	f = fopen(oracle, "re");
	if (!f) {
		fprintf(stderr, "gmaptool replay: %s: %s\n", oracle, strerror(errno));
		return TOOL_EXIT_RUNTIME;
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t a;

		if (sscanf(line, "# asce %31s", hex) == 1 && !strstr(line, "DERIVED") &&
		    gmap_dump_parse_hex(hex, &a))
			add_asce(asces, n, a);
	}
	fclose(f);
	return 0;
}

/* Options and arguments; 0, -1 after --help, or an exit code. */
static int replay_args(int argc, char **argv, struct tool_xlate_opts *o, bool *large,
		       uint64_t *seed, bool *bypass)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "large", no_argument, NULL, 'l' },
		{ "bypass-parent", no_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "facilities", required_argument, NULL, 'f' },
		{ 0 }
	};
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			replay_usage(stdout);
			return -1;
		}
		if (c == 'l')
			*large = true;
		else if (c == 'b')
			*bypass = true;
		else if (c == 's')
			ret = tool_hex_arg("replay", "seed", optarg, seed);
		else if (c == 'f')
			ret = tool_parse_xlate_opt("replay", c, optarg, o);
		else
			return tool_usage_error("replay", "bad option");
		if (ret)
			return ret;
	}
	if (argc - optind < 1 || argc - optind > 2)
		return tool_usage_error("replay", "expected DUMP and optionally ORACLE");
	return 0;
}

/* The host, the shadows and their samples, the first faults. */
static int replay_setup(struct replay *r, struct tool_dump *t, const uint64_t *asces,
			uint32_t facilities, bool large)
{
	struct shadow_host_opts opts = {
		.facilities = facilities, .large = large, .ncpus = r->nsp + 1, .strict = true,
	};
	size_t present = 0;
	int ret;

	ret = shadow_host_up(t->dump, &opts, &r->h);
	gmap_dump_close(t->dump);
	if (ret)
		return ret;
	r->granule = large ? GMAP_SEGMENT_SIZE : GMAP_PAGE_SIZE;
	r->s = calloc(r->nsp * (REPLAY_PAGES + REPLAY_FRAMES), sizeof(*r->s));
	if (!r->s) {
		fprintf(stderr, "gmaptool replay: out of memory\n");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < r->nsp; i++) {
		r->sp[i] = (struct space){ .asce = asces[i], .cpu = i + 1 };
		ret = sample_space(r, i);
		if (ret)
			return ret;
	}
	ret = replay_refault(r, &present);
	if (ret)
		return ret;
	printf("first faults: %zu of %zu samples translate: ", present, r->ns);
	replay_tally(r);
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	struct tool_xlate_opts o = { .have_asce = true, .have_prefix = true };
	uint64_t seed = 1, asces[GMAP_SHADOW_MAX];
	struct replay r = { .nsp = 0 };
	char err[GMAP_DUMP_ERRLEN];
	struct gmap_oracle *oracle;
	const char *oracle_path;
	bool large = false;
	struct tool_dump t;
	int ret;

	ret = replay_args(argc, argv, &o, &large, &seed, &r.bypass);
	if (ret)
		return ret < 0 ? 0 : ret;
	oracle_path = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (oracle_path) {
		if (gmap_oracle_load(oracle_path, &oracle, err, sizeof(err))) {
			fprintf(stderr, "gmaptool replay: %s\n", err);
			return TOOL_EXIT_RUNTIME;
		}
		if (!o.have_facilities)
			o.facilities = oracle->facilities;
		o.have_facilities = true;
		gmap_oracle_free(oracle);
	}
	ret = tool_open(argv[optind], &t);
	if (ret)
		return ret;
	ret = tool_resolve_defaults("replay", &t, &o);
	if (!ret)
		ret = find_asces(&t, oracle_path, asces, &r.nsp);
	if (!ret && !r.nsp) {
		fprintf(stderr, "gmaptool replay: no address space to shadow\n");
		ret = TOOL_EXIT_RUNTIME;
	}
	if (ret) {
		gmap_dump_close(t.dump);
		return ret;
	}
	r.rng = ((seed + 1) * 0x9e3779b97f4a7c15ULL) | 1;
	ret = replay_setup(&r, &t, asces, o.facilities, large);
	for (unsigned int i = 0; !ret && i < r.nsp; i++)
		ret = replay_change_space(&r, i);
	if (!ret)
		printf("%zu passed, %zu failed\n", r.passed, r.failed);
	for (unsigned int i = 0; i < r.nsp; i++) {
		if (r.sp[i].sg)
			gmap_disable(r.sp[i].sg, r.sp[i].cpu);
		gmap_put(r.sp[i].sg);
	}
	if (r.h.arch)
		shadow_host_down(&r.h);
	free(r.s);
	return ret || r.failed ? TOOL_EXIT_RUNTIME : 0;
}
