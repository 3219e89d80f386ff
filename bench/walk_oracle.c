// SPDX-License-Identifier: MIT
/*
 * bench/walk, real data: every address of each shipped oracle, translated
 * over the shipped dump's own tables.
 */
#include <stdio.h>
#include <stdlib.h>

#include <libgmap/libgmap.h>

#include "../tests/refwalk.h"
#include "bench.h"
#include "walk_oracle.h"

#ifdef GMAP_BENCH_DUMP
#include "dump.h"
#include "oracle.h"

struct oracle_ctx {
	struct gmap_dat_mem mem;
	struct gmap_oracle *o;
	struct gmap_dat_request req;
	struct gmap_arch *arch;
};

static uint64_t pass_walker(void *p)
{
	struct oracle_ctx *c = p;
	struct gmap_dat_result res;
	uint64_t sum = 0;

	for (size_t i = 0; i < c->o->nlines; i++) {
		gmap_dat_translate(&c->mem, (gmap_asce_t){ c->o->lines[i].asce },
				   c->o->lines[i].vaddr, &c->req, &res);
		sum += res.addr + res.pic;
	}
	return sum;
}

static uint64_t pass_tlb(void *p)
{
	struct oracle_ctx *c = p;
	struct gmap_dat_result res;
	uint64_t sum = 0;

	for (size_t i = 0; i < c->o->nlines; i++) {
		gmap_arch_load_asce(c->arch, 0, (gmap_asce_t){ c->o->lines[i].asce });
		gmap_arch_translate(c->arch, 0, c->o->lines[i].vaddr, GMAP_DAT_FETCH,
				    c->req.prefix, &res);
		sum += res.addr + res.pic;
	}
	return sum;
}

static uint64_t pass_ref(void *p)
{
	struct oracle_ctx *c = p;
	struct refwalk_in in = {
		.read = bench_ref_read, .priv = &c->mem, .access = GMAP_DAT_FETCH,
		.facilities = c->req.facilities, .prefix = c->req.prefix,
	};
	struct gmap_dat_result res;
	struct gmap_dat_path path; /* the reference walker always records it */
	uint64_t sum = 0;

	for (size_t i = 0; i < c->o->nlines; i++) {
		in.asce = c->o->lines[i].asce;
		in.vaddr = c->o->lines[i].vaddr;
		refwalk_translate(&in, &res, &path);
		sum += res.addr + res.pic;
	}
	return sum;
}

static int bench_one(const char *dir, const char *name)
{
	char path[4096], err[GMAP_DUMP_ERRLEN], label[128];
	struct oracle_ctx c = { 0 };
	struct gmap_dump *dump;
	double walker, ref;
	int rc = 1;

	snprintf(path, sizeof(path), "%s/%s.elf.xz", dir, name);
	if (gmap_dump_open(path, &dump, err, sizeof(err))) {
		fprintf(stderr, "walk: %s: %s\n", path, err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.oracle", dir, name);
	if (gmap_oracle_load(path, &c.o, err, sizeof(err))) {
		fprintf(stderr, "walk: %s: %s\n", path, err);
		goto out_dump;
	}
	gmap_dump_mem(dump, &c.mem);
	c.req.access = GMAP_DAT_FETCH;
	c.req.facilities = c.o->facilities;
	c.req.prefix = c.o->prefix;

	walker = bench_ns_per_op(pass_walker, &c, c.o->nlines);
	ref = bench_ns_per_op(pass_ref, &c, c.o->nlines);
	snprintf(label, sizeof(label), "oracle_walk_%s", name);
	bench_result(label, walker, "ns/op");
	snprintf(label, sizeof(label), "oracle_ref_%s", name);
	bench_result(label, ref, "ns/op");
	snprintf(label, sizeof(label), "ratio_ref_over_walk_oracle_%s", name);
	bench_result(label, ref / walker, "x");

	{
		struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .strict = true,
						    .facilities = c.o->facilities,
						    .tlb_entries = 32768, .table_mem = &c.mem);

		if (gmap_arch_soft_create(&o, &c.arch) == 0) {
			snprintf(label, sizeof(label), "oracle_tlb_%s", name);
			bench_result(label, bench_ns_per_op(pass_tlb, &c, c.o->nlines), "ns/op");
			gmap_arch_destroy(c.arch);
		}
	}
	rc = 0;
	gmap_oracle_free(c.o);
out_dump:
	gmap_dump_close(dump);
	return rc;
}

int bench_oracles(void)
{
	static const char *const names[] = {
		"linux-6.1-s390x", "linux-6.1-s390x-hercules", "linux-6.1-s390x-edat2",
	};
	const char *dir = getenv("GMAP_DATA_DIR");
	int rc = 0;

	if (!dir)
		dir = "tests/data";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		rc |= bench_one(dir, names[i]);
	return rc;
}
#else
int bench_oracles(void)
{
	return 0;
}
#endif
