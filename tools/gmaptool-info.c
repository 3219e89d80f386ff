// SPDX-License-Identifier: MIT
/*
 * gmaptool info: what a dump holds: CPUs and their PSW, prefix and the
 * control registers that matter for DAT, storage ranges, reader warnings.
 */
#include <getopt.h>
#include <stdio.h>

#include "gmaptool.h"

static void info_usage(FILE *f)
{
	fprintf(f, "usage: gmaptool info DUMP\n\n"
		   "Print the dump's CPUs (PSW, prefix, CR0 with its EDAT-1 and IEP\n"
		   "controls, CR1 / CR7 / CR13 with the ASCEs decoded), its ranges of\n"
		   "absolute storage, and what the reader ignored.\n");
}

static void print_cpu(unsigned int i, const struct gmap_dump_cpu *c)
{
	static const struct {
		unsigned int cr;
		const char *what;
	} asces[] = { { 1, "primary" }, { 7, "secondary" }, { 13, "home" } };
	char buf[128];

	printf("cpu %u:%s%s%s\n", i,
	       (c->notes & GMAP_DUMP_CPU_PRSTATUS) ? " NT_PRSTATUS" : "",
	       (c->notes & GMAP_DUMP_CPU_PREFIX) ? " NT_S390_PREFIX" : "",
	       (c->notes & GMAP_DUMP_CPU_CTRS) ? " NT_S390_CTRS" : "");
	if (c->notes & GMAP_DUMP_CPU_PRSTATUS)
		printf("  psw    %016llx %016llx\n", (unsigned long long)c->psw_mask,
		       (unsigned long long)c->psw_addr);
	if (c->notes & GMAP_DUMP_CPU_PREFIX)
		printf("  prefix 0x%08x\n", c->prefix);
	if (!(c->notes & GMAP_DUMP_CPU_CTRS))
		return;
	printf("  cr0    0x%016llx EDAT-1 control %s, IEP control %s\n",
	       (unsigned long long)c->cr[0], (c->cr[0] & CR0_EDAT1) ? "on" : "off",
	       (c->cr[0] & CR0_IEP) ? "on" : "off");
	for (size_t k = 0; k < sizeof(asces) / sizeof(asces[0]); k++)
		printf("  cr%-4u 0x%016llx %s ASCE: %s\n", asces[k].cr,
		       (unsigned long long)c->cr[asces[k].cr], asces[k].what,
		       tool_asce_str(c->cr[asces[k].cr], buf, sizeof(buf)));
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct tool_dump t;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c != 'h')
			return tool_usage_error("info", "bad option");
		info_usage(stdout);
		return 0;
	}
	if (argc - optind != 1)
		return tool_usage_error("info", "expected one DUMP");
	ret = tool_open(argv[optind], &t);
	if (ret)
		return ret;

	printf("file   %s (%s, %llu bytes%s)\n", argv[optind],
	       gmap_dump_compressed(t.dump) ? "xz" : "ELF",
	       (unsigned long long)gmap_dump_image_size(t.dump),
	       gmap_dump_compressed(t.dump) ? " uncompressed" : "");
	printf("cpus   %u\n", gmap_dump_ncpus(t.dump));
	for (unsigned int i = 0; i < gmap_dump_ncpus(t.dump); i++)
		print_cpu(i, gmap_dump_cpu(t.dump, i));
	printf("storage: %u range%s (%s)\n", gmap_dump_nranges(t.dump),
	       gmap_dump_nranges(t.dump) == 1 ? "" : "s",
	       t.mem.kind == GMAP_DAT_MEM_BE ? "one flat image" : "read by ranges");
	for (unsigned int i = 0; i < gmap_dump_nranges(t.dump); i++) {
		const struct gmap_dump_range *r = gmap_dump_range(t.dump, i);

		printf("  0x%016llx-0x%016llx (0x%llx bytes) at file offset 0x%llx",
		       (unsigned long long)r->start, (unsigned long long)(r->start + r->size - 1),
		       (unsigned long long)r->size, (unsigned long long)r->offset);
		if (r->filesz < r->size)
			printf(", 0x%llx bytes in the file, the rest zero",
			       (unsigned long long)r->filesz);
		printf("\n");
	}
	printf("warnings: %u\n", gmap_dump_nwarnings(t.dump));
	for (unsigned int i = 0; i < gmap_dump_nwarnings(t.dump); i++)
		printf("  %s\n", gmap_dump_warning(t.dump, i));
	gmap_dump_close(t.dump);
	return 0;
}
