// SPDX-License-Identifier: MIT
/*
 * gmaptool translate and walk: translate virtual addresses through a dump's
 * DAT tables, and show every table entry read on the way.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "gmaptool.h"

static const struct option xlate_longopts[] = {
	{ "asce", required_argument, NULL, 'a' },
	{ "access", required_argument, NULL, 'c' },
	{ "facilities", required_argument, NULL, 'f' },
	{ "prefix", required_argument, NULL, 'p' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static void xlate_usage(FILE *f, const char *cmd)
{
	if (!strcmp(cmd, "walk"))
		fprintf(f, "usage: gmaptool walk DUMP [--asce HEX] [OPTION...] VADDR\n\n"
			   "Translate VADDR and show every table entry read, decoded.\n\n");
	else
		fprintf(f, "usage: gmaptool translate DUMP [--asce HEX] [OPTION...] VADDR...\n\n"
			   "Translate each VADDR: absolute address, frame size (4K, 1M, 2G) and\n"
			   "\"prot\" when DAT protection is on the path, or the exception's name,\n"
			   "code and TEID.\n\n");
	fprintf(f, "  --asce HEX          ASCE to translate with (default: CR1 of CPU 0)\n"
		   "  --access KIND       fetch (default), store or ifetch\n"
		   "  --facilities LIST   comma-separated: edat1,edat2,iep,esop1,esop2 or none\n"
		   "                      (default: edat1 and iep as CR0 of CPU 0 enables them,\n"
		   "                      and esop1)\n"
		   "  --prefix HEX        prefix for real addresses (default: CPU 0's)\n\n"
		   "EDAT-2 has no control in CR0: name it for a guest that uses it, e.g.\n"
		   "--facilities edat1,edat2,iep,esop1.\n");
}

/* Parse the options and open the dump; the addresses are left in argv from
 * *first on. Return 0, -1 when --help was printed, or an exit code. */
static int xlate_setup(const char *cmd, int argc, char **argv, struct tool_xlate_opts *o,
		       struct tool_dump *t, int *first)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "h", xlate_longopts, NULL)) != -1) {
		if (c == 'h') {
			xlate_usage(stdout, cmd);
			return -1;
		}
		if (c == '?')
			return tool_usage_error(cmd, "bad option");
		ret = tool_parse_xlate_opt(cmd, c, optarg, o);
		if (ret)
			return ret;
	}
	if (argc - optind < 2)
		return tool_usage_error(cmd, "expected DUMP and %s", strcmp(cmd, "walk") ?
					"at least one VADDR" : "one VADDR");
	if (!strcmp(cmd, "walk") && argc - optind > 2)
		return tool_usage_error(cmd, "expected one VADDR");
	for (int i = optind + 1; i < argc; i++) {
		uint64_t v;

		ret = tool_hex_arg(cmd, "address", argv[i], &v);
		if (ret)
			return ret;
	}
	ret = tool_open(argv[optind], t);
	if (ret)
		return ret;
	ret = tool_resolve_defaults(cmd, t, o);
	if (ret) {
		gmap_dump_close(t->dump);
		return ret;
	}
	*first = optind + 1;
	return 0;
}

int cmd_translate(int argc, char **argv)
{
	struct gmap_dat_request req;
	struct tool_xlate_opts o;
	struct tool_dump t;
	int first, ret;

	ret = xlate_setup("translate", argc, argv, &o, &t, &first);
	if (ret)
		return ret < 0 ? 0 : ret;
	tool_request(&o, &req);
	for (int i = first; i < argc; i++) {
		struct gmap_dat_result res;
		char buf[128];
		uint64_t va;

		gmap_dump_parse_hex(argv[i], &va);
		ret = gmap_dat_translate(&t.mem, (gmap_asce_t){ o.asce }, va, &req, &res);
		if (ret) {
			fprintf(stderr, "gmaptool translate: 0x%llx: error %d\n",
				(unsigned long long)va, ret);
			break;
		}
		printf("0x%016llx -> %s\n", (unsigned long long)va,
		       tool_result_str(&res, buf, sizeof(buf)));
	}
	gmap_dump_close(t.dump);
	return ret ? TOOL_EXIT_RUNTIME : 0;
}

static void print_crste(int level, uint64_t e)
{
	printf("I %d P %d TT %s", !!(e & GMAP_CRSTE_I), !!(e & GMAP_CRSTE_P),
	       tool_level_name((int)((e & GMAP_CRSTE_TT_MASK) >> GMAP_CRSTE_TT_SHIFT)));
	if (e & GMAP_CRSTE_CS)
		printf(" CS 1");
	/* FC exists in segment and region-third entries (EDAT-1, EDAT-2). */
	if (level == GMAP_TT_SEGMENT || level == GMAP_TT_REGION3)
		printf(" FC %d", !!(e & GMAP_CRSTE_FC));
	if ((level == GMAP_TT_SEGMENT || level == GMAP_TT_REGION3) && (e & GMAP_CRSTE_FC)) {
		printf(" %s 0x%llx IEP %d AV %d ACC %u F %d",
		       level == GMAP_TT_SEGMENT ? "SFAA" : "RFAA",
		       (unsigned long long)(e & (level == GMAP_TT_SEGMENT ?
						 GMAP_SEGMENT_SFAA : GMAP_REGION3_RFAA)),
		       !!(e & GMAP_CRSTE_IEP), !!(e & GMAP_CRSTE_AV),
		       (unsigned int)((e & GMAP_CRSTE_ACC_MASK) >> GMAP_CRSTE_ACC_SHIFT),
		       !!(e & GMAP_CRSTE_F));
	} else if (level == GMAP_TT_SEGMENT) {
		printf(" PTO 0x%llx", (unsigned long long)(e & GMAP_SEGMENT_PTO));
	} else {
		printf(" TF %u TL %u origin 0x%llx",
		       (unsigned int)((e & GMAP_CRSTE_TF_MASK) >> GMAP_CRSTE_TF_SHIFT),
		       (unsigned int)(e & GMAP_CRSTE_TL_MASK),
		       (unsigned long long)(e & GMAP_CRSTE_ORIGIN));
	}
}

int cmd_walk(int argc, char **argv)
{
	struct gmap_dat_request req;
	struct gmap_dat_result res;
	struct gmap_dat_path path;
	struct tool_xlate_opts o;
	struct tool_dump t;
	char buf[128];
	int first, ret;
	uint64_t va;

	ret = xlate_setup("walk", argc, argv, &o, &t, &first);
	if (ret)
		return ret < 0 ? 0 : ret;
	tool_request(&o, &req);
	gmap_dump_parse_hex(argv[first], &va);
	ret = gmap_dat_translate_path(&t.mem, (gmap_asce_t){ o.asce }, va, &req, &res, &path);
	if (ret) {
		fprintf(stderr, "gmaptool walk: 0x%llx: error %d\n", (unsigned long long)va, ret);
		gmap_dump_close(t.dump);
		return TOOL_EXIT_RUNTIME;
	}
	printf("vaddr 0x%016llx RFX 0x%llx RSX 0x%llx RTX 0x%llx SX 0x%llx PX 0x%llx BX 0x%llx\n",
	       (unsigned long long)va, (unsigned long long)GMAP_VA_RFX(va),
	       (unsigned long long)GMAP_VA_RSX(va), (unsigned long long)GMAP_VA_RTX(va),
	       (unsigned long long)GMAP_VA_SX(va), (unsigned long long)GMAP_VA_PX(va),
	       (unsigned long long)GMAP_VA_BX(va));
	printf("asce  0x%016llx %s\n", (unsigned long long)o.asce,
	       tool_asce_str(o.asce, buf, sizeof(buf)));
	printf("facilities %s, prefix 0x%llx\n",
	       tool_facilities_str(o.facilities, buf, sizeof(buf)), (unsigned long long)o.prefix);
	for (unsigned int i = 0; i < path.n; i++) {
		uint64_t e = path.e[i].val;

		printf("%-13s entry at 0x%016llx: 0x%016llx  ", tool_level_name(path.e[i].level),
		       (unsigned long long)path.e[i].addr, (unsigned long long)e);
		if (path.e[i].level == GMAP_LEVEL_PAGE)
			printf("I %d P %d IEP %d Z %d PFRA 0x%llx", !!(e & GMAP_PTE_I),
			       !!(e & GMAP_PTE_P), !!(e & GMAP_PTE_IEP), !!(e & GMAP_PTE_Z),
			       (unsigned long long)(e & GMAP_PTE_PFRA));
		else
			print_crste(path.e[i].level, e);
		printf("\n");
	}
	printf("result %s (walk ended at %s level)\n", tool_result_str(&res, buf, sizeof(buf)),
	       tool_level_name(res.level));
	gmap_dump_close(t.dump);
	return 0;
}
