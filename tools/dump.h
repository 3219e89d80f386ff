/* SPDX-License-Identifier: MIT */
/*
 * gmapdump - reader for memory dumps of s390x guests: ELF64 big-endian core
 * files as QEMU's dump-guest-memory writes them (plain or xz-compressed),
 * giving the guest's absolute storage, per-CPU registers from the notes, and
 * a struct gmap_dat_mem for the DAT walker.
 *
 * Not part of libgmap (it needs libelf and liblzma): a static library that
 * gmaptool, the tests and the benchmarks link.
 */
#ifndef GMAPDUMP_DUMP_H
#define GMAPDUMP_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libgmap/dat.h>

struct gmap_dump;

/* Size of an error-message buffer that no message of this library exceeds. */
#define GMAP_DUMP_ERRLEN	512

/* Which per-CPU notes a dump held (struct gmap_dump_cpu.notes). */
#define GMAP_DUMP_CPU_PRSTATUS	(1u << 0)	/* NT_PRSTATUS: PSW, GPRs */
#define GMAP_DUMP_CPU_PREFIX	(1u << 1)	/* NT_S390_PREFIX (0x305) */
#define GMAP_DUMP_CPU_CTRS	(1u << 2)	/* NT_S390_CTRS (0x304) */

/**
 * struct gmap_dump_cpu - the registers one CPU's notes recorded.
 * @notes: GMAP_DUMP_CPU_* bits: which notes were present; fields of absent
 *	notes read as zero
 * @psw_mask: PSW bits 0-63 (NT_PRSTATUS)
 * @psw_addr: PSW bits 64-127, the instruction address (NT_PRSTATUS)
 * @gprs: general registers 0-15 (NT_PRSTATUS)
 * @prefix: the prefix register (NT_S390_PREFIX)
 * @cr: control registers 0-15 (NT_S390_CTRS)
 */
struct gmap_dump_cpu {
	unsigned int notes;
	uint64_t psw_mask;
	uint64_t psw_addr;
	uint64_t gprs[16];
	uint32_t prefix;
	uint64_t cr[16];
};

/**
 * struct gmap_dump_range - one PT_LOAD: a range of guest absolute storage.
 * @start: first absolute address (the segment's p_paddr)
 * @size: bytes of storage (p_memsz)
 * @filesz: bytes of it the file holds (p_filesz); the rest reads as zero
 * @offset: file offset of @start's byte (p_offset)
 */
struct gmap_dump_range {
	uint64_t start;
	uint64_t size;
	uint64_t filesz;
	uint64_t offset;
};

/**
 * gmap_dump_open() - open a dump, plain or xz-compressed.
 * @path: file name; the format is told by its magic, not by its name
 * @out: out: the dump, for gmap_dump_close()
 * @err: out: a message saying what went wrong (may be NULL)
 * @errlen: size of @err (GMAP_DUMP_ERRLEN is always enough)
 *
 * A plain ELF file is mapped read-only; an xz file is decompressed, its
 * blocks in parallel, into anonymous memory of which only the pages that
 * are not all zero are written, so resident memory follows what the dump
 * holds, not its size.
 * The reader uses the ELF header, program headers and notes; inconsistent
 * section headers (QEMU 7.2 writes section 1's header little-endian) are
 * ignored and recorded as a warning (gmap_dump_warning()).
 *
 * Context: allocates; reads the whole file (the time of an xz file grows
 * with its uncompressed size); runs up to four threads while it
 * decompresses.
 * Return: 0; -ENOENT, -EACCES or another errno from open(); -EINVAL for a
 * file that is not an ELF64 big-endian s390 core file, has no PT_LOAD,
 * overlapping PT_LOADs, or segments or notes outside the file (truncated);
 * -EBADMSG for corrupt or truncated xz data; -EFBIG for a file larger than
 * the address space; -ENOMEM. *@out is untouched and @err is set on error.
 */
int gmap_dump_open(const char *path, struct gmap_dump **out, char *err, size_t errlen);

/**
 * gmap_dump_close() - release a dump and all memory it holds.
 * @dump: the dump (NULL is ignored)
 *
 * Pointers obtained from the dump (CPUs, ranges, warnings, the memory
 * descriptor's base) are invalid afterwards.
 */
void gmap_dump_close(struct gmap_dump *dump);

/**
 * gmap_dump_ncpus() - number of CPUs the notes describe.
 * @dump: the dump
 *
 * A CPU's record begins at the first note and at each further NT_PRSTATUS.
 *
 * Return: 0 (no per-CPU notes) or more.
 */
unsigned int gmap_dump_ncpus(const struct gmap_dump *dump);

/**
 * gmap_dump_cpu() - the registers of one CPU.
 * @dump: the dump
 * @cpu: CPU number, in note order (0 to gmap_dump_ncpus() - 1)
 *
 * Return: the CPU's record (owned by @dump), or NULL if @cpu is out of range.
 */
const struct gmap_dump_cpu *gmap_dump_cpu(const struct gmap_dump *dump, unsigned int cpu);

/**
 * gmap_dump_nranges() - number of ranges of absolute storage (PT_LOADs).
 * @dump: the dump
 *
 * Return: 1 or more.
 */
unsigned int gmap_dump_nranges(const struct gmap_dump *dump);

/**
 * gmap_dump_range() - one range of absolute storage.
 * @dump: the dump
 * @i: range number (0 to gmap_dump_nranges() - 1); ranges are sorted by
 *	address and do not overlap
 *
 * Return: the range (owned by @dump), or NULL if @i is out of range.
 */
const struct gmap_dump_range *gmap_dump_range(const struct gmap_dump *dump, unsigned int i);

/**
 * gmap_dump_read() - copy guest absolute storage out of the dump.
 * @dump: the dump
 * @addr: absolute address of the first byte
 * @buf: out: @len bytes
 * @len: bytes to read
 *
 * Bytes of a range beyond what the file holds read as zero.
 *
 * Context: any; no allocation.
 * Return: 0; -EFAULT if any byte of [@addr, @addr + @len) is in no range
 * (@buf may then be partly written).
 */
int gmap_dump_read(const struct gmap_dump *dump, uint64_t addr, void *buf, size_t len);

/**
 * gmap_dump_mem() - describe the dump's storage for the DAT walker.
 * @dump: the dump
 * @mem: out: the descriptor
 *
 * When the ranges cover [0, end) without a gap and the file holds all of
 * it in one piece, @mem is GMAP_DAT_MEM_BE over the image (base: the host
 * address of absolute 0, size: end rounded down to 8 bytes); otherwise it
 * is GMAP_DAT_MEM_FN with a reader that raises an addressing exception for
 * addresses in no range. Valid until gmap_dump_close().
 *
 * Context: any.
 */
void gmap_dump_mem(const struct gmap_dump *dump, struct gmap_dat_mem *mem);

/**
 * gmap_dump_nwarnings() - number of warnings recorded while opening.
 * @dump: the dump
 *
 * Return: 0 or more.
 */
unsigned int gmap_dump_nwarnings(const struct gmap_dump *dump);

/**
 * gmap_dump_warning() - one warning: something odd the reader ignored.
 * @dump: the dump
 * @i: warning number (0 to gmap_dump_nwarnings() - 1)
 *
 * Return: the message (owned by @dump), e.g. "ignored section header 1:
 * ...", or NULL if @i is out of range.
 */
const char *gmap_dump_warning(const struct gmap_dump *dump, unsigned int i);

/**
 * gmap_dump_compressed() - whether the file was xz-compressed.
 * @dump: the dump
 *
 * Return: true for an xz file.
 */
bool gmap_dump_compressed(const struct gmap_dump *dump);

/**
 * gmap_dump_image_size() - size of the (uncompressed) ELF file.
 * @dump: the dump
 *
 * Return: bytes.
 */
uint64_t gmap_dump_image_size(const struct gmap_dump *dump);

/**
 * gmap_dump_parse_hex() - parse a whole string as a hex number.
 * @s: the string, "0x" optional (NULL is refused)
 * @v: out: the value
 *
 * For the oracle files and the tools' arguments: digits only, no sign, no
 * blanks, no trailing characters, at most 64 bits.
 *
 * Return: true when @s is such a number.
 */
bool gmap_dump_parse_hex(const char *s, uint64_t *v);

#endif /* GMAPDUMP_DUMP_H */
