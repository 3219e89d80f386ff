// SPDX-License-Identifier: MIT
/*
 * gmaptool census: walk an address space's tables over the whole 64-bit
 * space with gmap_dat_walk_range() and count tables, valid and invalid
 * entries per level, and mappings by frame size.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gmaptool.h"

/* Level slots: enum gmap_dat_tt 0-3, the page level, and the ASCE (parent
 * of the top table). */
#define SLOT_PAGE	4
#define SLOT_ASCE	5
#define NSLOTS		6

/* Frame sizes counted: 4 KB, 1 MB, 2 GB. */
static const unsigned int frame_shifts[3] = { GMAP_PAGE_SHIFT, GMAP_SEGMENT_SHIFT,
					      GMAP_REGION3_SHIFT };
static const char *const frame_names[3] = { "4K", "1M", "2G" };

/**
 * struct census - the counts, and the walk's bookkeeping.
 * @tables: tables entered, per slot
 * @valid: entries with the invalid bit off, per slot
 * @invalid: entries with the invalid bit on, per slot
 * @maps: mappings (entries through which an address translates) per frame size
 * @prot: mappings with DAT protection on the path
 * @bytes: bytes mapped
 * @seq: per slot, entries visited so far
 * @parent_seq: per slot, @seq of the parent level when its current table
 *	was entered (a change means a new table)
 * @req: the request used to check that a leaf translates
 * @mem: the storage
 * @asce: the ASCE walked
 * @progress: draw a progress bar on stderr
 * @reach: bytes the ASCE's top table reaches (for the progress bar)
 * @start: when the walk started (for the progress bar)
 * @last: when the bar was last drawn
 */
struct census {
	uint64_t tables[NSLOTS];
	uint64_t valid[NSLOTS];
	uint64_t invalid[NSLOTS];
	uint64_t maps[3];
	uint64_t prot;
	uint64_t bytes;
	uint64_t seq[NSLOTS];
	uint64_t parent_seq[NSLOTS];
	struct gmap_dat_request req;
	const struct gmap_dat_mem *mem;
	gmap_asce_t asce;
	bool progress;
	double reach;
	double start;
	double last;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A bar only after a second of walking, redrawn at most five times a second. */
static void progress(struct census *c, uint64_t addr)
{
	double t = now();
	int pct;

	if (!c->progress || t - c->start < 1.0 || t - c->last < 0.2)
		return;
	c->last = t;
	pct = (int)(addr / c->reach * 100);
	fprintf(stderr, "\r[%-50.*s] %3d%% 0x%016llx", pct / 2,
		"##################################################", pct,
		(unsigned long long)addr);
}

static void count_entry(struct census *c, int level, bool invalid)
{
	int slot = level == GMAP_LEVEL_PAGE ? SLOT_PAGE : level;
	int parent = level == GMAP_LEVEL_PAGE ? GMAP_TT_SEGMENT :
		     level == (int)((c->asce.val & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT) ?
		     SLOT_ASCE : level + 1;

	/* The walk is in address order, parent before children: the first
	 * entry seen below a new parent entry starts a new table. */
	if (!c->seq[slot] || c->parent_seq[slot] != c->seq[parent]) {
		c->tables[slot]++;
		c->parent_seq[slot] = c->seq[parent];
	}
	c->seq[slot]++;
	if (invalid)
		c->invalid[slot]++;
	else
		c->valid[slot]++;
}

/* Count a mapping when the address translates through this leaf. */
static void count_leaf(struct census *c, uint64_t start, unsigned int shift)
{
	struct gmap_dat_result res;

	if (gmap_dat_translate(c->mem, c->asce, start, &c->req, &res) ||
	    res.pic != GMAP_PIC_NONE || res.frame_shift != shift)
		return;
	for (int i = 0; i < 3; i++)
		if (frame_shifts[i] == shift)
			c->maps[i]++;
	c->prot += res.prot;
	c->bytes += 1ULL << shift;
}

static int census_pte(gmap_pte_t pte, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct census *c = w->priv;

	(void)next;
	count_entry(c, GMAP_LEVEL_PAGE, pte.val & GMAP_PTE_I);
	if (!(pte.val & GMAP_PTE_I))
		count_leaf(c, start, GMAP_PAGE_SHIFT);
	return 0;
}

static int census_crste(gmap_crste_t e, uint64_t start, uint64_t next, struct gmap_dat_walk *w)
{
	struct census *c = w->priv;

	(void)next;
	count_entry(c, w->level, e.val & GMAP_CRSTE_I);
	if (!(e.val & GMAP_CRSTE_I) && (e.val & GMAP_CRSTE_FC) &&
	    (w->level == GMAP_TT_SEGMENT || w->level == GMAP_TT_REGION3))
		count_leaf(c, start, w->level == GMAP_TT_SEGMENT ? GMAP_SEGMENT_SHIFT :
			   GMAP_REGION3_SHIFT);
	progress(c, start);
	return 0;
}

static const struct gmap_dat_walk_ops census_ops = {
	.pte_entry = census_pte,
	.crste_entry = { census_crste, census_crste, census_crste, census_crste },
};

static void print_text(const struct census *c, const struct tool_xlate_opts *o)
{
	static const int order[5] = { GMAP_TT_REGION1, GMAP_TT_REGION2, GMAP_TT_REGION3,
				      GMAP_TT_SEGMENT, GMAP_LEVEL_PAGE };
	char buf[128];

	printf("asce 0x%016llx %s\n", (unsigned long long)o->asce,
	       tool_asce_str(o->asce, buf, sizeof(buf)));
	printf("facilities %s\n", tool_facilities_str(o->facilities, buf, sizeof(buf)));
	printf("%-14s %10s %12s %12s\n", "level", "tables", "valid", "invalid");
	for (int i = 0; i < 5; i++) {
		int s = order[i] == GMAP_LEVEL_PAGE ? SLOT_PAGE : order[i];

		printf("%-14s %10llu %12llu %12llu\n", tool_level_name(order[i]),
		       (unsigned long long)c->tables[s], (unsigned long long)c->valid[s],
		       (unsigned long long)c->invalid[s]);
	}
	printf("mappings");
	for (int i = 0; i < 3; i++)
		printf(" %s %llu", frame_names[i], (unsigned long long)c->maps[i]);
	printf(", protected %llu\n", (unsigned long long)c->prot);
	printf("mapped %llu bytes (%llu MB)\n", (unsigned long long)c->bytes,
	       (unsigned long long)(c->bytes >> 20));
}

static void print_json(const struct census *c, const struct tool_xlate_opts *o)
{
	static const int order[5] = { GMAP_TT_REGION1, GMAP_TT_REGION2, GMAP_TT_REGION3,
				      GMAP_TT_SEGMENT, GMAP_LEVEL_PAGE };
	char buf[64];

	printf("{\"asce\": \"0x%llx\", \"facilities\": \"%s\", \"levels\": {",
	       (unsigned long long)o->asce, tool_facilities_str(o->facilities, buf, sizeof(buf)));
	for (int i = 0; i < 5; i++) {
		int s = order[i] == GMAP_LEVEL_PAGE ? SLOT_PAGE : order[i];

		printf("%s\"%s\": {\"tables\": %llu, \"valid\": %llu, \"invalid\": %llu}",
		       i ? ", " : "", tool_level_name(order[i]), (unsigned long long)c->tables[s],
		       (unsigned long long)c->valid[s], (unsigned long long)c->invalid[s]);
	}
	printf("}, \"mappings\": {");
	for (int i = 0; i < 3; i++)
		printf("%s\"%s\": %llu", i ? ", " : "", frame_names[i],
		       (unsigned long long)c->maps[i]);
	printf("}, \"protected\": %llu, \"mapped_bytes\": %llu}\n", (unsigned long long)c->prot,
	       (unsigned long long)c->bytes);
}

static void census_usage(FILE *f)
{
	fprintf(f, "usage: gmaptool census DUMP [--asce HEX] [--facilities LIST] [--json]\n\n"
		   "Walk the whole 64-bit space of an address space and count tables,\n"
		   "valid and invalid entries per level, mappings by frame size (4K, 1M,\n"
		   "2G), protected mappings and mapped bytes.\n\n"
		   "  --asce HEX          ASCE to walk (default: CR1 of CPU 0)\n"
		   "  --facilities LIST   as for translate (default: from CR0 of CPU 0; EDAT-2,\n"
		   "                      which has no CR0 control, must be named)\n"
		   "  --prefix HEX        prefix (default: CPU 0's)\n"
		   "  --json              print one JSON object\n");
}

int cmd_census(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "asce", required_argument, NULL, 'a' },
		{ "facilities", required_argument, NULL, 'f' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct tool_xlate_opts o = { 0 };
	struct census c = { 0 };
	struct tool_dump t;
	unsigned int shift;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			census_usage(stdout);
			return 0;
		}
		if (ch == '?')
			return tool_usage_error("census", "bad option");
		ret = tool_parse_xlate_opt("census", ch, optarg, &o);
		if (ret)
			return ret;
	}
	if (argc - optind != 1)
		return tool_usage_error("census", "expected one DUMP");
	ret = tool_open(argv[optind], &t);
	if (ret)
		return ret;
	ret = tool_resolve_defaults("census", &t, &o);
	if (ret)
		goto out;
	tool_request(&o, &c.req);
	c.mem = &t.mem;
	c.asce.val = o.asce;
	c.progress = isatty(STDERR_FILENO);
	/* 2^31 for a segment table, 11 index bits more per DT step. */
	shift = 31 + 11 * (unsigned int)((o.asce & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT);
	c.reach = shift < 64 ? (double)(1ULL << shift) : 18446744073709551616.0;
	c.start = now();
	ret = gmap_dat_walk_range(&t.mem, c.asce, 0, UINT64_MAX, o.facilities, &census_ops, &c);
	if (c.progress && c.last > 0)
		fprintf(stderr, "\r%78s\r", "");
	if (ret) {
		fprintf(stderr, "gmaptool census: walk failed: error %d\n", ret);
		ret = TOOL_EXIT_RUNTIME;
		goto out;
	}
	if (o.json)
		print_json(&c, &o);
	else
		print_text(&c, &o);
out:
	gmap_dump_close(t.dump);
	return ret;
}
