// SPDX-License-Identifier: MIT
/*
 * gmaptool - look into memory dumps of s390x guests with libgmap's DAT
 * walker: registers and storage (info), translations (translate, walk),
 * a census of an address space's tables (census), the check against an
 * oracle file (check, also through shadow tables) and changes of the tables
 * under their shadows (replay). This file: the dispatcher and the shared
 * helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmaptool.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cmds[] = {
	{ "info", cmd_info, "CPUs, PSW, prefix, control registers, storage, warnings" },
	{ "translate", cmd_translate, "translate virtual addresses" },
	{ "walk", cmd_walk, "show every table entry on the way to an address" },
	{ "census", cmd_census, "count tables, entries and mappings of an address space" },
	{ "check", cmd_check, "check the DAT walker (or shadows of the tables) against an oracle" },
	{ "replay", cmd_replay, "change a dump's tables under shadows of them and check each unshadow" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: gmaptool COMMAND [OPTION...] DUMP [ARG...]\n\n"
		   "Commands (each takes --help):\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nDUMP is an ELF core file of an s390x guest, plain or xz-compressed.\n"
		   "Numbers are hex, with or without 0x. Exit status: 0 success, 1 runtime\n"
		   "error or failed check, 2 usage error.\n");
}

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gmaptool %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'gmaptool %s --help'.\n", cmd);
	return TOOL_EXIT_USAGE;
}

int tool_hex_arg(const char *cmd, const char *what, const char *s, uint64_t *v)
{
	if (gmap_dump_parse_hex(s, v))
		return 0;
	return tool_usage_error(cmd, "%s '%s' is not a hex number", what, s);
}

static int parse_facilities(const char *cmd, const char *arg, uint32_t *fac)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{ "edat1", GMAP_FAC_EDAT1 },
		{ "edat2", GMAP_FAC_EDAT2 },
		{ "iep", GMAP_FAC_IEP },
		{ "esop1", GMAP_FAC_ESOP1 },
		{ "esop2", GMAP_FAC_ESOP2 },
	};
	const char *s = arg;

	*fac = 0;
	if (!strcmp(arg, "none"))
		return 0;
	while (*s) {
		size_t n = strcspn(s, ","), k;

		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strlen(names[k].name) == n && !strncmp(s, names[k].name, n))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return tool_usage_error(cmd, "unknown facility '%.*s' in '%s' (known: edat1, edat2, iep, esop1, esop2, or none)",
						(int)n, s, arg);
		*fac |= names[k].bit;
		s += n + (s[n] == ',');
	}
	if ((*fac & GMAP_FAC_EDAT2) && !(*fac & GMAP_FAC_EDAT1))
		return tool_usage_error(cmd, "edat2 needs edat1");
	return 0;
}

int tool_parse_xlate_opt(const char *cmd, int c, const char *arg, struct tool_xlate_opts *o)
{
	switch (c) {
	case 'a':
		o->have_asce = true;
		return tool_hex_arg(cmd, "ASCE", arg, &o->asce);
	case 'c':
		if (!strcmp(arg, "fetch"))
			o->access = GMAP_DAT_FETCH;
		else if (!strcmp(arg, "store"))
			o->access = GMAP_DAT_STORE;
		else if (!strcmp(arg, "ifetch"))
			o->access = GMAP_DAT_IFETCH;
		else
			return tool_usage_error(cmd, "access '%s' is not fetch, store or ifetch", arg);
		return 0;
	case 'f':
		o->have_facilities = true;
		return parse_facilities(cmd, arg, &o->facilities);
	case 'p':
		o->have_prefix = true;
		return tool_hex_arg(cmd, "prefix", arg, &o->prefix);
	case 'j':
		o->json = true;
		return 0;
	default:
		return tool_usage_error(cmd, "bad option");
	}
}

int tool_open(const char *path, struct tool_dump *t)
{
	char err[GMAP_DUMP_ERRLEN];
	int ret = gmap_dump_open(path, &t->dump, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "gmaptool: %s\n", err);
		return TOOL_EXIT_RUNTIME;
	}
	gmap_dump_mem(t->dump, &t->mem);
	return 0;
}

int tool_resolve_defaults(const char *cmd, const struct tool_dump *t, struct tool_xlate_opts *o)
{
	const struct gmap_dump_cpu *cpu = gmap_dump_cpu(t->dump, 0);
	unsigned int need = (o->have_asce && o->have_facilities) ? 0 : GMAP_DUMP_CPU_CTRS;

	if (!o->have_prefix)
		need |= GMAP_DUMP_CPU_PREFIX;
	if (need && (!cpu || (cpu->notes & need) != need)) {
		fprintf(stderr, "gmaptool %s: the dump has no %s for CPU 0: give %s\n", cmd,
			(need & GMAP_DUMP_CPU_CTRS) ? "control registers" : "prefix",
			(need & GMAP_DUMP_CPU_CTRS) ? "--asce and --facilities" : "--prefix");
		return TOOL_EXIT_RUNTIME;
	}
	if (!o->have_asce)
		o->asce = cpu->cr[1];
	if (!o->have_prefix)
		o->prefix = cpu->prefix;
	if (!o->have_facilities)
		o->facilities = ((cpu->cr[0] & CR0_EDAT1) ? GMAP_FAC_EDAT1 : 0) |
				((cpu->cr[0] & CR0_IEP) ? GMAP_FAC_IEP : 0) | GMAP_FAC_ESOP1;
	return 0;
}

void tool_request(const struct tool_xlate_opts *o, struct gmap_dat_request *req)
{
	memset(req, 0, sizeof(*req));
	req->access = o->access;
	req->as = GMAP_AS_PRIMARY;
	req->facilities = o->facilities;
	req->prefix = o->prefix;
}

const char *tool_level_name(int level)
{
	switch (level) {
	case GMAP_TT_REGION1:
		return "region-first";
	case GMAP_TT_REGION2:
		return "region-second";
	case GMAP_TT_REGION3:
		return "region-third";
	case GMAP_TT_SEGMENT:
		return "segment";
	case GMAP_LEVEL_PAGE:
		return "page";
	default:
		return "real";
	}
}

const char *tool_facilities_str(uint32_t fac, char *buf, size_t len)
{
	static const char *const names[] = { "edat1", "edat2", "iep", "esop1", "esop2" };
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((fac & (1u << i)) && used < len)
			used += snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i]);
	if (!used)
		snprintf(buf, len, "none");
	return buf;
}

const char *tool_asce_str(uint64_t asce, char *buf, size_t len)
{
	unsigned int dt = (asce & GMAP_ASCE_DT_MASK) >> GMAP_ASCE_DT_SHIFT;

	snprintf(buf, len, "origin 0x%llx DT %s TL %u G %d P %d S %d X %d R %d%s",
		 (unsigned long long)(asce & GMAP_ASCE_ORIGIN), tool_level_name(dt),
		 (unsigned int)(asce & GMAP_ASCE_TL_MASK), !!(asce & GMAP_ASCE_G),
		 !!(asce & GMAP_ASCE_P), !!(asce & GMAP_ASCE_S), !!(asce & GMAP_ASCE_X),
		 !!(asce & GMAP_ASCE_R), (asce & GMAP_ASCE_R) ? " (real space)" : "");
	return buf;
}

const char *tool_result_str(const struct gmap_dat_result *res, char *buf, size_t len)
{
	static const char *const sizes[] = { [12] = "4K", [20] = "1M", [31] = "2G" };
	const char *size = res->frame_shift < sizeof(sizes) / sizeof(sizes[0]) ?
			   sizes[res->frame_shift] : NULL;

	if (res->pic == GMAP_PIC_NONE)
		snprintf(buf, len, "0x%016llx %s%s", (unsigned long long)res->addr,
			 size ? size : "?", res->prot ? " prot" : "");
	else if (res->teid_valid)
		snprintf(buf, len, "%s (0x%02x) teid 0x%016llx", gmap_pic_name(res->pic),
			 res->pic, (unsigned long long)res->teid);
	else
		snprintf(buf, len, "%s (0x%02x)", gmap_pic_name(res->pic), res->pic);
	return buf;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "gmaptool: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return TOOL_EXIT_USAGE;
}
