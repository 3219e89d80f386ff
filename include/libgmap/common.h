/* SPDX-License-Identifier: MIT */
/*
 * libgmap - common definitions shared by every public header.
 */
#ifndef LIBGMAP_COMMON_H
#define LIBGMAP_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GMAP_BUILDING_LIBRARY) && defined(__GNUC__)
#define GMAP_API __attribute__((visibility("default")))
#else
#define GMAP_API
#endif

#define GMAP_VERSION_MAJOR 0
#define GMAP_VERSION_MINOR 1
#define GMAP_VERSION_PATCH 0

/**
 * GMAP_OPTS() - initialiser for an option struct, with its size field set.
 * @TYPE: the struct's tag without "struct" (e.g. gmap_arch_opts)
 * @...: designated initialisers for the fields to set
 *
 * Every option struct begins with "size_t sz", which the library reads to
 * know which fields the caller's build knows about, so an older caller keeps
 * working with a newer library (the libbpf convention). Fields not named are
 * zero. Use: struct gmap_arch_opts o = GMAP_OPTS(gmap_arch_opts, .ncpus = 2);
 */
#define GMAP_OPTS(TYPE, ...) { .sz = sizeof(struct TYPE), __VA_ARGS__ }

/**
 * gmap_version() - the library's version at run time.
 * @major: out, major version (may be NULL)
 * @minor: out, minor version (may be NULL)
 * @patch: out, patch level (may be NULL)
 *
 * Compare with GMAP_VERSION_MAJOR/MINOR/PATCH to detect a header/library
 * mismatch.
 *
 * Context: any; no locks, no allocation.
 * Return: the version as (major << 16) | (minor << 8) | patch.
 */
GMAP_API unsigned int gmap_version(unsigned int *major, unsigned int *minor,
				   unsigned int *patch);

#ifdef __cplusplus
}
#endif

#endif /* LIBGMAP_COMMON_H */
