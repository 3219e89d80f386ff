// SPDX-License-Identifier: MIT
/*
 * Names of program-interruption codes, as the PoP spells them.
 */
#include "dat_impl.h"

const char *gmap_pic_name(unsigned int pic)
{
	switch (pic) {
	case GMAP_PIC_NONE:
		return "none";
	case GMAP_PIC_PROTECTION:
		return "protection";
	case GMAP_PIC_ADDRESSING:
		return "addressing";
	case GMAP_PIC_SEGMENT_TRANSLATION:
		return "segment-translation";
	case GMAP_PIC_PAGE_TRANSLATION:
		return "page-translation";
	case GMAP_PIC_TRANSLATION_SPEC:
		return "translation-specification";
	case GMAP_PIC_ASCE_TYPE:
		return "ASCE-type";
	case GMAP_PIC_REGION_FIRST:
		return "region-first-translation";
	case GMAP_PIC_REGION_SECOND:
		return "region-second-translation";
	case GMAP_PIC_REGION_THIRD:
		return "region-third-translation";
	default:
		return "unknown";
	}
}
