// SPDX-License-Identifier: MIT
/*
 * gmaptool check --shadow: the dump's guest runs as guest 1 of a soft
 * host; each oracle ASCE is shadowed (gmap_shadow_get()) and every oracle
 * line is faulted into its shadow (gmap_shadow_fault()), then translated
 * through the shadow tables themselves and compared with the oracle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libgmap/shadow.h>

#include "gmaptool.h"
#include "oracle.h"
#include "shadow-host.h"

/* Mismatches printed in full; the rest are only counted. */
#define SHADOW_SHOWN	20

/**
 * struct shadow_line - what one oracle line got.
 * @fault: the result of gmap_shadow_fault()
 * @shadow: the walk of the shadow tables (when @fault translates)
 * @resolved: shadow_host_resolve()'s return value
 * @abs: the guest-1 absolute address the shadow maps to, prefixed for a
 *	4 KB frame (when @resolved is 0)
 * @failed: the line disagrees
 */
struct shadow_line {
	struct gmap_dat_result fault;
	struct gmap_dat_result shadow;
	int resolved;
	uint64_t abs;
	bool failed;
};

static const struct gmap_oracle *sort_oracle;

/* Lines by ASCE, then in file order: one shadow at a time. */
static int by_asce(const void *a, const void *b)
{
	const struct gmap_oracle_line *x = &sort_oracle->lines[*(const size_t *)a];
	const struct gmap_oracle_line *y = &sort_oracle->lines[*(const size_t *)b];

	if (x->asce != y->asce)
		return x->asce < y->asce ? -1 : 1;
	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

/* Whether the line agrees; fills @got. */
static bool judge(const struct gmap_oracle *o, const struct gmap_oracle_line *l,
		  struct shadow_host *h, struct gmap *sg, struct shadow_line *got)
{
	const struct gmap_dat_result *f = &got->fault;

	got->resolved = shadow_host_resolve(h, sg, l->vaddr, &got->shadow);
	if (f->pic != GMAP_PIC_NONE)
		return f->pic == l->pic && !l->translates && got->resolved == -EFAULT;
	if (got->resolved)
		return false;
	/* The shadow maps 4 KB frames at guest-1 real addresses. */
	got->abs = f->frame_shift == GMAP_PAGE_SHIFT ?
		   gmap_dat_real_to_abs(o->prefix, got->shadow.addr) : got->shadow.addr;
	return l->translates && l->pic == GMAP_PIC_NONE && got->shadow.addr == f->addr &&
	       got->abs == l->result && f->prot == l->prot && (!f->prot || got->shadow.prot);
}

static void show(const struct gmap_oracle_line *l, const struct shadow_line *got)
{
	char result[24], fault[128];

	if (l->translates)
		snprintf(result, sizeof(result), "%llx", (unsigned long long)l->result);
	else
		snprintf(result, sizeof(result), "-");
	printf("line %u: %016llx %016llx %s %x %d: fault %s", l->lineno,
	       (unsigned long long)l->asce, (unsigned long long)l->vaddr, result, l->pic,
	       l->prot, tool_result_str(&got->fault, fault, sizeof(fault)));
	if (got->resolved == -EFAULT)
		printf(", shadow does not translate\n");
	else if (got->resolved)
		printf(", shadow tables and gmap_translate() disagree\n");
	else if (got->fault.pic != GMAP_PIC_NONE)
		printf(", but the shadow translates it\n");
	else
		printf(", shadow 0x%llx (absolute 0x%llx)%s\n",
		       (unsigned long long)got->shadow.addr, (unsigned long long)got->abs,
		       got->shadow.prot ? " prot" : "");
}

/* Fault and judge every line, one ASCE after the other. */
static int run_lines(const struct gmap_oracle *o, struct shadow_host *h,
		     struct shadow_line *got)
{
	size_t *order = malloc(o->nlines * sizeof(*order));
	struct gmap *sg = NULL;
	uint64_t asce = 0;
	int ret = 0;

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < o->nlines; i++)
		order[i] = i;
	sort_oracle = o;
	qsort(order, o->nlines, sizeof(*order), by_asce);
	for (size_t k = 0; !ret && k < o->nlines; k++) {
		const struct gmap_oracle_line *l = &o->lines[order[k]];
		struct shadow_line *g = &got[order[k]];

		if (!sg || l->asce != asce) {
			gmap_put(sg);
			sg = NULL;
			asce = l->asce;
			ret = shadow_host_get(h, asce, &sg);
			if (ret) {
				fprintf(stderr, "gmaptool check: gmap_shadow_get(0x%llx): %s\n",
					(unsigned long long)asce, strerror(-ret));
				break;
			}
		}
		ret = shadow_host_fault(sg, l->vaddr, GMAP_DAT_FETCH, &g->fault);
		if (ret == -ESTALE) {
			/* Dropped (the oldest of too many): once more anew. */
			gmap_put(sg);
			sg = NULL;
			ret = shadow_host_get(h, asce, &sg);
			if (!ret)
				ret = shadow_host_fault(sg, l->vaddr, GMAP_DAT_FETCH, &g->fault);
		}
		if (ret)
			fprintf(stderr, "gmaptool check: line %u: gmap_shadow_fault(0x%llx): %s\n",
				l->lineno, (unsigned long long)l->vaddr, strerror(-ret));
		else
			g->failed = !judge(o, l, h, sg, g);
	}
	gmap_put(sg);
	free(order);
	return ret;
}

int tool_check_shadow(const char *dump_path, const char *oracle_path, bool large)
{
	struct shadow_host_opts opts = { .large = large, .ncpus = 1 };
	char err[GMAP_DUMP_ERRLEN];
	struct shadow_line *got;
	struct gmap_oracle *o;
	size_t failed = 0;
	struct tool_dump t;
	struct shadow_host h;
	int ret;

	if (gmap_oracle_load(oracle_path, &o, err, sizeof(err))) {
		fprintf(stderr, "gmaptool check: %s\n", err);
		return TOOL_EXIT_RUNTIME;
	}
	ret = tool_open(dump_path, &t);
	if (ret) {
		gmap_oracle_free(o);
		return ret;
	}
	opts.facilities = o->facilities;
	ret = shadow_host_up(t.dump, &opts, &h);
	gmap_dump_close(t.dump);
	got = calloc(o->nlines ? o->nlines : 1, sizeof(*got));
	if (!ret && !got)
		ret = -ENOMEM;
	if (!ret)
		ret = run_lines(o, &h, got);
	if (!ret) {
		for (size_t i = 0; i < o->nlines; i++)
			if (got[i].failed && failed++ < SHADOW_SHOWN)
				show(&o->lines[i], &got[i]);
		if (failed > SHADOW_SHOWN)
			printf("(%zu more mismatches not shown)\n", failed - SHADOW_SHOWN);
		printf("%zu passed, %zu failed\n", o->nlines - failed, failed);
	} else if (ret == -ENOMEM) {
		fprintf(stderr, "gmaptool check: out of memory\n");
	}
	if (h.arch)
		shadow_host_down(&h);
	free(got);
	gmap_oracle_free(o);
	return ret || failed ? TOOL_EXIT_RUNTIME : 0;
}
