/* SPDX-License-Identifier: MIT */
/*
 * The fuzz targets' shared pieces: the libFuzzer entry point every target
 * defines, a reader that takes typed values off the fuzzer's bytes, the
 * big-endian table image the DAT targets build, and the check that aborts
 * with a message when an invariant breaks (libFuzzer saves the input; the
 * replay program dies and its test fails).
 *
 * Each target is built twice: with clang's -fsanitize=fuzzer when the
 * "fuzz" option is on, and always as a plain program (replay.c) that runs
 * every file of the corpus directories named on its command line.
 */
#ifndef GMAP_FUZZ_H
#define GMAP_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/dat.h>

/**
 * LLVMFuzzerTestOneInput() - run one input; defined by each target.
 * @data: the input
 * @size: its length in bytes
 *
 * Return: 0 (libFuzzer's convention; a broken invariant aborts).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * struct fz - the unread rest of an input.
 * @p: next byte
 * @n: bytes left
 */
struct fz {
	const uint8_t *p;
	size_t n;
};

/**
 * fz_u8() - take one byte.
 * @f: the input
 *
 * Return: the byte, 0 once the input is used up.
 */
uint8_t fz_u8(struct fz *f);

/**
 * fz_u16() - take two bytes, big-endian.
 * @f: the input
 *
 * Return: the value; missing bytes read as zero.
 */
uint16_t fz_u16(struct fz *f);

/**
 * fz_u64() - take eight bytes, big-endian.
 * @f: the input
 *
 * Return: the value; missing bytes read as zero.
 */
uint64_t fz_u64(struct fz *f);

/* The table image of the DAT targets: 64 KB of big-endian absolute
 * storage, so every table origin below 64 KB lands in it. */
#define FZ_IMAGE_SIZE	0x10000U
#define FZ_IMAGE_WORDS	(FZ_IMAGE_SIZE / 8)

/**
 * fz_image_put() - store a big-endian word in an image.
 * @image: FZ_IMAGE_SIZE bytes
 * @word: word index, taken modulo FZ_IMAGE_WORDS
 * @val: the value, host order
 */
void fz_image_put(uint8_t *image, unsigned int word, uint64_t val);

/**
 * fz_image_get() - load a big-endian word of an image.
 * @image: FZ_IMAGE_SIZE bytes
 * @addr: byte address of the word, 8-byte aligned, below FZ_IMAGE_SIZE
 *
 * Return: the value, host order.
 */
uint64_t fz_image_get(const uint8_t *image, uint64_t addr);

/**
 * fz_image_fill() - build an image from records of the input.
 * @f: the input; @nrec records of 10 bytes are taken from it: a 16-bit
 *	word index, then the 64-bit value
 * @image: out: FZ_IMAGE_SIZE bytes, zero but for the records
 * @nrec: number of records (fewer when the input ends)
 *
 * Records address words anywhere in 64 KB with few bytes, so a short
 * input can lay out tables at every level.
 */
void fz_image_fill(struct fz *f, uint8_t *image, unsigned int nrec);

/**
 * fz_result_eq() - compare two translation results on every field.
 * @a: one
 * @b: the other
 *
 * Return: true when equal (ACC and F only when ACCF is set, as they mean
 * nothing otherwise).
 */
bool fz_result_eq(const struct gmap_dat_result *a, const struct gmap_dat_result *b);

/**
 * fz_print_result() - print a result to stderr, for a failure report.
 * @who: label
 * @r: the result
 */
void fz_print_result(const char *who, const struct gmap_dat_result *r);

/**
 * fz_fail() - report a broken invariant and abort.
 * @fmt: printf format of the message
 */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Abort with a message unless @cond holds. */
#define FZ_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond))                                                   \
			fz_fail(__VA_ARGS__);                                  \
	} while (0)

#endif /* GMAP_FUZZ_H */
