// SPDX-License-Identifier: MIT
/*
 * gmaptool check: translate every line of an oracle file through the dump
 * and compare (gmap_oracle_check()); with --shadow, through shadows of the
 * dump's tables (gmaptool-shadow.c).
 */
#include <getopt.h>
#include <stdio.h>

#include "gmaptool.h"
#include "oracle.h"

/* Mismatches printed in full; the rest are only counted. */
#define CHECK_SHOWN	20

static void check_usage(FILE *f)
{
	fprintf(f, "usage: gmaptool check [--shadow [--large]] DUMP ORACLE\n\n"
		   "Translate every line of ORACLE (ASCE VADDR RESULT PIC PROT) with the\n"
		   "oracle's prefix and facilities, print the first %d mismatches, and end\n"
		   "with \"N passed, N failed\". Exit status 1 if any line failed.\n\n"
		   "  --shadow   run the dump's guest as guest 1 of a software host, shadow\n"
		   "             each ASCE (gmap_shadow_get) and fault every line into its\n"
		   "             shadow (gmap_shadow_fault): the fault's exception code, or the\n"
		   "             address the shadow tables map to (4 KB frames prefixed) and\n"
		   "             the protection, must match the line; where the line is\n"
		   "             protected, the shadow must be too\n"
		   "  --large    with --shadow: back guest 1 with 1 MB host frames\n",
		CHECK_SHOWN);
}

static void show_mismatch(void *priv, const struct gmap_oracle_line *l,
			  const struct gmap_dat_result *res)
{
	unsigned int *shown = priv;
	char result[24], got[128];

	if ((*shown)++ >= CHECK_SHOWN)
		return;
	if (l->translates)
		snprintf(result, sizeof(result), "%llx", (unsigned long long)l->result);
	else
		snprintf(result, sizeof(result), "-");
	printf("line %u: %016llx %016llx %s %x %d: got %s\n", l->lineno,
	       (unsigned long long)l->asce, (unsigned long long)l->vaddr, result, l->pic,
	       l->prot, tool_result_str(res, got, sizeof(got)));
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "shadow", no_argument, NULL, 's' },
		{ "large", no_argument, NULL, 'l' },
		{ 0 }
	};
	bool shadow = false, large = false;
	char err[GMAP_DUMP_ERRLEN];
	struct gmap_oracle *o;
	size_t passed, failed;
	unsigned int shown = 0;
	struct tool_dump t;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 's' || c == 'l') {
			shadow |= c == 's';
			large |= c == 'l';
			continue;
		}
		if (c != 'h')
			return tool_usage_error("check", "bad option");
		check_usage(stdout);
		return 0;
	}
	if (argc - optind != 2)
		return tool_usage_error("check", "expected DUMP and ORACLE");
	if (large && !shadow)
		return tool_usage_error("check", "--large needs --shadow");
	if (shadow)
		return tool_check_shadow(argv[optind], argv[optind + 1], large);
	if (gmap_oracle_load(argv[optind + 1], &o, err, sizeof(err))) {
		fprintf(stderr, "gmaptool check: %s\n", err);
		return TOOL_EXIT_RUNTIME;
	}
	ret = tool_open(argv[optind], &t);
	if (ret) {
		gmap_oracle_free(o);
		return ret;
	}
	ret = gmap_oracle_check(o, &t.mem, show_mismatch, &shown, &passed, &failed);
	if (ret) {
		fprintf(stderr, "gmaptool check: translation failed: error %d\n", ret);
		ret = TOOL_EXIT_RUNTIME;
	} else {
		if (shown > CHECK_SHOWN)
			printf("(%u more mismatches not shown)\n", shown - CHECK_SHOWN);
		printf("%zu passed, %zu failed\n", passed, failed);
		ret = failed ? TOOL_EXIT_RUNTIME : 0;
	}
	gmap_oracle_free(o);
	gmap_dump_close(t.dump);
	return ret;
}
