/* SPDX-License-Identifier: MIT */
/*
 * Freestanding build: the memory functions the compiler and libgmap call.
 * The program that links the freestanding library defines them (the test
 * kernel does in tests/s390x-kernel/libc.c).
 */
#ifndef GMAP_FREESTANDING_STRING_H
#define GMAP_FREESTANDING_STRING_H

#include <stddef.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif /* GMAP_FREESTANDING_STRING_H */
