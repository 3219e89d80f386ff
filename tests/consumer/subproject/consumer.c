// SPDX-License-Identifier: MIT
/*
 * A program built against libgmap pulled in as a Meson subproject: the
 * header and library versions agree, and a translation through the soft
 * backend gives the architected result.
 */
#include <stdio.h>

#include <libgmap/libgmap.h>

#define FRAME	0x7654321000ULL	/* the absolute frame the page maps */

int main(void)
{
	struct gmap_arch_opts opts = GMAP_OPTS(gmap_arch_opts, .strict = true);
	unsigned int major, minor, patch;
	struct gmap_dat_result res;
	struct gmap_arch *arch;
	gmap_crste_t *sgt;
	gmap_pte_t *pt;
	int ok;

	if (gmap_version(&major, &minor, &patch) !=
		    (GMAP_VERSION_MAJOR << 16 | GMAP_VERSION_MINOR << 8 | GMAP_VERSION_PATCH) ||
	    major != GMAP_VERSION_MAJOR || minor != GMAP_VERSION_MINOR ||
	    patch != GMAP_VERSION_PATCH) {
		fprintf(stderr, "header and library versions differ\n");
		return 1;
	}
	if (gmap_arch_soft_create(&opts, &arch)) {
		fprintf(stderr, "cannot create the soft backend\n");
		return 1;
	}
	sgt = gmap_arch_alloc_crst(arch, GMAP_TT_SEGMENT, 0);
	pt = gmap_arch_alloc_pgtable(arch);
	ok = sgt && pt;
	if (ok) {
		/* Segment 3, page 7: a write-protected page at FRAME. */
		sgt[3] = gmap_crste_mk_table(gmap_arch_virt_to_real(arch, pt), GMAP_TT_SEGMENT,
					     0, 0, 0);
		pt[7] = gmap_pte_mk(FRAME, GMAP_PTE_P);
		gmap_arch_load_asce(arch, 0, gmap_asce_mk(gmap_arch_virt_to_real(arch, sgt),
							  GMAP_TT_SEGMENT, 0, 0));
		ok = !gmap_arch_translate(arch, 0, 0x307abc, GMAP_DAT_FETCH, 0, &res) &&
		     res.pic == GMAP_PIC_NONE && res.addr == (FRAME | 0xabc) && res.prot &&
		     !gmap_arch_translate(arch, 0, 0x307abc, GMAP_DAT_STORE, 0, &res) &&
		     res.pic == GMAP_PIC_PROTECTION &&
		     !gmap_arch_translate(arch, 0, 0x308000, GMAP_DAT_FETCH, 0, &res) &&
		     res.pic == GMAP_PIC_PAGE_TRANSLATION;
	}
	gmap_arch_free_pgtable(arch, pt);
	gmap_arch_free_crst(arch, sgt, 0);
	gmap_arch_destroy(arch);
	if (!ok) {
		fprintf(stderr, "translation through the subproject's libgmap is wrong\n");
		return 1;
	}
	printf("ok: libgmap %u.%u.%u as a subproject translates as the PoP says\n", major,
	       minor, patch);
	return 0;
}
