// SPDX-License-Identifier: MIT
/*
 * A first libgmap program: build a three-level address space (region-third
 * table, segment table, page table) with the soft backend, map one 4 KB
 * page and one 1 MB EDAT-1 frame, and translate a few addresses through a
 * modelled CPU's TLB.
 *
 * Build against an installed libgmap:
 *   cc translate.c $(pkg-config --cflags --libs libgmap)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <libgmap/libgmap.h>

static void show(struct gmap_arch *arch, uint64_t va, enum gmap_dat_access access)
{
	struct gmap_dat_result res;

	if (gmap_arch_translate(arch, 0, va, access, 0, &res)) {
		fprintf(stderr, "translate: bad arguments\n");
		exit(1);
	}
	if (res.pic)
		printf("%016" PRIx64 " -> %s exception (0x%02x), TEID %016" PRIx64 "\n", va,
		       gmap_pic_name(res.pic), res.pic, res.teid);
	else
		printf("%016" PRIx64 " -> %016" PRIx64 " (%u KB frame%s)\n", va, res.addr,
		       (1u << res.frame_shift) / 1024, res.prot ? ", protected" : "");
}

int main(void)
{
	struct gmap_arch_opts opts = GMAP_OPTS(gmap_arch_opts, .strict = true);
	struct gmap_arch *arch;
	gmap_crste_t *r3t, *sgt;
	gmap_pte_t *pt;
	void *frame;
	int rc = 1;

	if (gmap_arch_soft_create(&opts, &arch)) {
		fprintf(stderr, "cannot create the soft backend\n");
		return 1;
	}
	r3t = gmap_arch_alloc_crst(arch, GMAP_TT_REGION3, 0);
	sgt = gmap_arch_alloc_crst(arch, GMAP_TT_SEGMENT, 0);
	pt = gmap_arch_alloc_pgtable(arch);
	frame = gmap_arch_alloc(arch, 4096, 4096);
	if (!r3t || !sgt || !pt || !frame) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	/* 0-2 GB through one segment table; segment 0 through a page table. */
	r3t[0] = gmap_crste_mk_table(gmap_arch_virt_to_real(arch, sgt), GMAP_TT_REGION3, 0, 0, 0);
	sgt[0] = gmap_crste_mk_table(gmap_arch_virt_to_real(arch, pt), GMAP_TT_SEGMENT, 0, 0, 0);
	pt[5] = gmap_pte_mk(gmap_arch_virt_to_real(arch, frame), GMAP_PTE_P);
	/* Segment 1 maps a 1 MB frame at absolute 0x40000000. */
	sgt[1] = gmap_crste_mk_frame(0x40000000, GMAP_TT_SEGMENT, 0);

	gmap_arch_load_asce(arch, 0,
			    gmap_asce_mk(gmap_arch_virt_to_real(arch, r3t), GMAP_TT_REGION3, 0, 0));
	show(arch, 0x5123, GMAP_DAT_FETCH);
	show(arch, 0x5123, GMAP_DAT_STORE);
	show(arch, 0x6000, GMAP_DAT_FETCH);
	show(arch, 0x1abcde, GMAP_DAT_STORE);
	show(arch, 0x80000000, GMAP_DAT_FETCH);
	rc = 0;
out:
	gmap_arch_free(arch, frame, 4096);
	gmap_arch_free_pgtable(arch, pt);
	gmap_arch_free_crst(arch, sgt, 0);
	gmap_arch_free_crst(arch, r3t, 0);
	gmap_arch_destroy(arch);
	return rc;
}
