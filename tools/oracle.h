/* SPDX-License-Identifier: MIT */
/*
 * gmapdump - oracle files: translations that independent implementations
 * produced for a dump, one per line, and the check of the DAT walker
 * against them (the format is described in tests/data/README.md).
 */
#ifndef GMAPDUMP_ORACLE_H
#define GMAPDUMP_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/dat.h>

/**
 * struct gmap_oracle_line - one translation: "ASCE VADDR RESULT PIC PROT".
 * @lineno: line number in the file (from 1)
 * @asce: the ASCE translated with
 * @vaddr: the virtual address translated
 * @translates: RESULT was an address, not "-"
 * @result: the absolute address (when @translates)
 * @pic: the expected program-interruption code (0: translates)
 * @prot: DAT protection on the path (meaningful when @translates)
 */
struct gmap_oracle_line {
	unsigned int lineno;
	uint64_t asce;
	uint64_t vaddr;
	bool translates;
	uint64_t result;
	uint8_t pic;
	bool prot;
};

/**
 * struct gmap_oracle_archfix - a "# arch-fix" header line: an address where
 * the oracle's RESULT is the architected answer, not the emulator's.
 * @asce: the ASCE
 * @vaddr: the virtual address
 * @qemu: what QEMU answered
 * @result: the architected absolute address (the line's RESULT)
 */
struct gmap_oracle_archfix {
	uint64_t asce;
	uint64_t vaddr;
	uint64_t qemu;
	uint64_t result;
};

/**
 * struct gmap_oracle - a parsed oracle file.
 * @prefix: the CPU's prefix ("# prefix HEX")
 * @facilities: GMAP_FAC_* from "# facilities: EDAT-1 yes|no, EDAT-2 yes|no,
 *	IEP yes|no, ESOP yes|no" (ESOP means ESOP-1)
 * @declared: the "# lines N" header, or -1 when the file has none
 * @lines: the translations, in file order
 * @nlines: number of @lines
 * @archfix: the "# arch-fix" header lines
 * @narchfix: number of @archfix
 */
struct gmap_oracle {
	uint64_t prefix;
	uint32_t facilities;
	long declared;
	struct gmap_oracle_line *lines;
	size_t nlines;
	struct gmap_oracle_archfix *archfix;
	size_t narchfix;
};

/**
 * gmap_oracle_load() - read and parse an oracle file.
 * @path: the file
 * @out: out: the oracle, for gmap_oracle_free()
 * @err: out: a message naming the file and line on error (may be NULL)
 * @errlen: size of @err (GMAP_DUMP_ERRLEN from dump.h is enough)
 *
 * Every line is checked: a malformed line, a missing "# prefix" or
 * "# facilities" header, or a "# lines N" that does not match the number
 * of lines is an error.
 *
 * Context: allocates.
 * Return: 0; an errno from opening or reading the file; -EINVAL for a
 * malformed file; -ENOMEM. *@out is untouched on error.
 */
int gmap_oracle_load(const char *path, struct gmap_oracle **out, char *err, size_t errlen);

/**
 * gmap_oracle_free() - release an oracle.
 * @o: the oracle (NULL is ignored)
 */
void gmap_oracle_free(struct gmap_oracle *o);

/**
 * gmap_oracle_translate() - translate one oracle line as the oracle did.
 * @o: the oracle (its prefix and facilities are used)
 * @mem: the dump's storage (gmap_dump_mem())
 * @line: the line
 * @res: out: the walker's result
 *
 * A fetch in the primary space with gmap_dat_translate().
 *
 * Context: as gmap_dat_translate().
 * Return: as gmap_dat_translate().
 */
int gmap_oracle_translate(const struct gmap_oracle *o, const struct gmap_dat_mem *mem,
			  const struct gmap_oracle_line *line, struct gmap_dat_result *res);

/**
 * gmap_oracle_matches() - whether a result agrees with an oracle line.
 * @line: the line
 * @res: the walker's result for it
 *
 * The PIC must be equal; when the line translates, the absolute address
 * and the DAT-protection flag must be equal too.
 *
 * Return: true when they agree.
 */
bool gmap_oracle_matches(const struct gmap_oracle_line *line, const struct gmap_dat_result *res);

/**
 * typedef gmap_oracle_mismatch_fn - called by gmap_oracle_check() for each
 * line the walker disagrees with.
 * @priv: the caller's pointer
 * @line: the line
 * @res: what the walker gave
 */
typedef void (*gmap_oracle_mismatch_fn)(void *priv, const struct gmap_oracle_line *line,
					const struct gmap_dat_result *res);

/**
 * gmap_oracle_check() - translate every line and compare.
 * @o: the oracle
 * @mem: the dump's storage
 * @mismatch: called for each disagreeing line, in file order (may be NULL)
 * @priv: passed to @mismatch
 * @passed: out: number of lines that agree
 * @failed: out: number of lines that disagree
 *
 * Context: as gmap_dat_translate(); time grows with the number of lines.
 * Return: 0; a negative errno from gmap_dat_translate() (then the counts
 * cover the lines before the failing one).
 */
int gmap_oracle_check(const struct gmap_oracle *o, const struct gmap_dat_mem *mem,
		      gmap_oracle_mismatch_fn mismatch, void *priv,
		      size_t *passed, size_t *failed);

#endif /* GMAPDUMP_ORACLE_H */
