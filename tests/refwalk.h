/* SPDX-License-Identifier: MIT */
/*
 * refwalk - a deliberately simple reference DAT walker for the tests.
 *
 * Written from the z/Architecture Principles of Operation, chapter 3
 * ("Dynamic Address Translation"), independently of src/dat/: it uses its
 * own bit positions (PoP numbering), a loop over a table of per-level
 * constants, and reads every entry through a callback. The tests compare
 * gmap_dat_translate() against it.
 */
#ifndef GMAP_TEST_REFWALK_H
#define GMAP_TEST_REFWALK_H

#include <stdbool.h>
#include <stdint.h>

#include <libgmap/dat.h>

/**
 * typedef refwalk_read_t - read one 8-byte table entry.
 * @priv: the caller's data
 * @addr: absolute address of the entry (8-byte aligned)
 * @val: out: the entry in host order
 *
 * Return: 0, or a negative value when @addr is outside storage.
 */
typedef int (*refwalk_read_t)(void *priv, uint64_t addr, uint64_t *val);

/**
 * struct refwalk_in - one translation for the reference walker.
 * @read: how entries are read
 * @priv: passed to @read
 * @asce: the ASCE
 * @vaddr: the virtual address
 * @access: enum gmap_dat_access
 * @as: enum gmap_dat_as, reported in the TEID
 * @facilities: GMAP_FAC_* in effect
 * @prefix: the CPU's prefix
 */
struct refwalk_in {
	refwalk_read_t read;
	void *priv;
	uint64_t asce;
	uint64_t vaddr;
	unsigned int access;
	unsigned int as;
	uint32_t facilities;
	uint64_t prefix;
};

void refwalk_translate(const struct refwalk_in *in, struct gmap_dat_result *res,
		       struct gmap_dat_path *path);

/**
 * refwalk_path_eq() - whether two walks read the same entries.
 * @a: one path
 * @b: the other
 *
 * Return: true when both hold the same number of entries with equal
 * level, address and value, in order.
 */
bool refwalk_path_eq(const struct gmap_dat_path *a, const struct gmap_dat_path *b);

#endif /* GMAP_TEST_REFWALK_H */
