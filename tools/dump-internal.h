/* SPDX-License-Identifier: MIT */
/*
 * gmapdump internals shared by dump.c, dump-image.c, dump-xz.c,
 * dump-util.c and oracle.c: the in-memory image of a dump file and the
 * error-message helper.
 */
#ifndef GMAPDUMP_DUMP_INTERNAL_H
#define GMAPDUMP_DUMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct dump_image - a dump file's bytes, uncompressed, in memory.
 * @base: the first byte of the file
 * @size: bytes of the file (uncompressed)
 * @map_size: bytes mapped at @base (0 when nothing is mapped)
 * @compressed: the file was xz-compressed
 */
struct dump_image {
	unsigned char *base;
	size_t size;
	size_t map_size;
	bool compressed;
};

/**
 * dump_image_load() - map a dump file, decompressing it if it is xz.
 * @path: the file
 * @img: out: the image
 * @err: out: message on error (may be NULL)
 * @errlen: size of @err
 *
 * Context: allocates; blocks reading the file.
 * Return: 0; a negative errno from open()/fstat()/mmap(); -EINVAL for an
 * empty file, one that is not regular, or one that starts with neither the
 * ELF nor the xz magic; -EBADMSG for corrupt or truncated xz data; -EFBIG;
 * -ENOMEM. @img is unchanged on error.
 */
int dump_image_load(const char *path, struct dump_image *img, char *err, size_t errlen);

/**
 * dump_xz_load() - decompress an xz file into a read-only image.
 * @in: the compressed file
 * @inlen: its size
 * @path: its name, for messages
 * @img: out: the image
 * @err: out: message on error (may be NULL)
 * @errlen: size of @err
 *
 * Context: allocates; runs up to four threads for the file's blocks.
 * Return: 0; -EBADMSG for corrupt or truncated xz data; -EINVAL when it
 * decompresses to nothing; -EFBIG; -ENOMEM. @img is unchanged on error.
 */
int dump_xz_load(const unsigned char *in, size_t inlen, const char *path,
		 struct dump_image *img, char *err, size_t errlen);

/**
 * dump_image_unload() - unmap an image from dump_image_load().
 * @img: the image (unmapped twice is harmless)
 */
void dump_image_unload(struct dump_image *img);

/**
 * dump_seterr() - format a message into an error buffer.
 * @err: the buffer (NULL: nothing is written)
 * @errlen: its size
 * @fmt: printf format
 *
 * Return: nothing; the message is truncated to fit.
 */
void dump_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* GMAPDUMP_DUMP_INTERNAL_H */
