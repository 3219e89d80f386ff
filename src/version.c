// SPDX-License-Identifier: MIT
#include <libgmap/common.h>

unsigned int gmap_version(unsigned int *major, unsigned int *minor, unsigned int *patch)
{
	if (major)
		*major = GMAP_VERSION_MAJOR;
	if (minor)
		*minor = GMAP_VERSION_MINOR;
	if (patch)
		*patch = GMAP_VERSION_PATCH;
	return (GMAP_VERSION_MAJOR << 16) | (GMAP_VERSION_MINOR << 8) | GMAP_VERSION_PATCH;
}
