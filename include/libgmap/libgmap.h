/* SPDX-License-Identifier: MIT */
/*
 * libgmap - s390x virtualization memory management: DAT tables, PGSTEs,
 * guest address spaces and vSIE shadow tables, over a pluggable arch
 * backend. Include this header; it includes one header per layer.
 */
#ifndef LIBGMAP_LIBGMAP_H
#define LIBGMAP_LIBGMAP_H

#include <libgmap/common.h>
#include <libgmap/dat.h>
#include <libgmap/arch.h>
#include <libgmap/mm.h>
#include <libgmap/pgste.h>
#include <libgmap/gmap.h>
#include <libgmap/gaccess.h>
#include <libgmap/shadow.h>

#endif /* LIBGMAP_LIBGMAP_H */
