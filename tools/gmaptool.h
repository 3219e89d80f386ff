/* SPDX-License-Identifier: MIT */
/*
 * gmaptool - shared pieces of the subcommands: exit codes, argument
 * parsing, opening a dump, and decoding of ASCEs, entries and results.
 */
#ifndef GMAPTOOL_H
#define GMAPTOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libgmap/dat.h>

#include "dump.h"

/* Exit codes: 0 success, 1 a runtime error (or failed oracle lines),
 * 2 a usage error. */
#define TOOL_EXIT_RUNTIME	1
#define TOOL_EXIT_USAGE		2

/* CR0 bits (PoP 4.x "Control Register 0"), as masks of the 64-bit value. */
#define CR0_EDAT1		0x800000ULL	/* bit 40: EDAT-1 control */
#define CR0_IEP			0x100000ULL	/* bit 43: IEP control */

/**
 * struct tool_xlate_opts - the options shared by translate, walk and census.
 * @asce: --asce (default: CR1 of CPU 0)
 * @access: --access (enum gmap_dat_access; default fetch)
 * @facilities: --facilities (default: tool_default_facilities())
 * @prefix: --prefix (default: CPU 0's prefix)
 * @json: --json (census only)
 * @have_asce: --asce was given
 * @have_facilities: --facilities was given
 * @have_prefix: --prefix was given
 */
struct tool_xlate_opts {
	uint64_t asce;
	unsigned int access;
	uint32_t facilities;
	uint64_t prefix;
	bool json;
	bool have_asce;
	bool have_facilities;
	bool have_prefix;
};

/**
 * struct tool_dump - an open dump and its storage descriptor.
 * @dump: the dump
 * @mem: gmap_dump_mem() of it
 */
struct tool_dump {
	struct gmap_dump *dump;
	struct gmap_dat_mem mem;
};

/**
 * cmd_info() - gmaptool info: CPUs, registers, storage ranges, warnings.
 * @argc: argument count, from the subcommand's name on
 * @argv: the arguments; argv[0] is "info"
 *
 * Return: 0, TOOL_EXIT_RUNTIME or TOOL_EXIT_USAGE.
 */
int cmd_info(int argc, char **argv);

/**
 * cmd_translate() - gmaptool translate: translate virtual addresses.
 * @argc: argument count, from the subcommand's name on
 * @argv: the arguments; argv[0] is "translate"
 *
 * Return: 0 (exceptions are results), TOOL_EXIT_RUNTIME or TOOL_EXIT_USAGE.
 */
int cmd_translate(int argc, char **argv);

/**
 * cmd_walk() - gmaptool walk: every table entry read for one address.
 * @argc: argument count, from the subcommand's name on
 * @argv: the arguments; argv[0] is "walk"
 *
 * Return: 0, TOOL_EXIT_RUNTIME or TOOL_EXIT_USAGE.
 */
int cmd_walk(int argc, char **argv);

/**
 * cmd_census() - gmaptool census: tables, entries and mappings of a space.
 * @argc: argument count, from the subcommand's name on
 * @argv: the arguments; argv[0] is "census"
 *
 * Return: 0, TOOL_EXIT_RUNTIME or TOOL_EXIT_USAGE.
 */
int cmd_census(int argc, char **argv);

/**
 * cmd_check() - gmaptool check: the DAT walker against an oracle file.
 * @argc: argument count, from the subcommand's name on
 * @argv: the arguments; argv[0] is "check"
 *
 * Return: 0 when every line agrees, TOOL_EXIT_RUNTIME when one does not or
 * on errors, TOOL_EXIT_USAGE.
 */
int cmd_check(int argc, char **argv);

/**
 * tool_check_shadow() - gmaptool check --shadow: the oracle's lines through
 * shadows of the dump's tables (gmaptool-shadow.c).
 * @dump_path: the dump
 * @oracle_path: the oracle
 * @large: back guest 1 with 1 MB host frames (--large)
 *
 * Return: 0 when every line agrees, TOOL_EXIT_RUNTIME when one does not or
 * on errors.
 */
int tool_check_shadow(const char *dump_path, const char *oracle_path, bool large);

/**
 * cmd_replay() - gmaptool replay: change guest-1 table entries through the
 * parent and check what was unshadowed and what the shadows see next
 * (gmaptool-replay.c).
 * @argc: argument count, from the subcommand's name on
 * @argv: the arguments; argv[0] is "replay"
 *
 * Return: 0 when every action passed, TOOL_EXIT_RUNTIME when one failed or
 * on errors, TOOL_EXIT_USAGE.
 */
int cmd_replay(int argc, char **argv);

/**
 * tool_usage_error() - report a usage error of a subcommand.
 * @cmd: the subcommand
 * @fmt: printf format of the message
 *
 * Return: TOOL_EXIT_USAGE.
 */
int tool_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * tool_hex_arg() - parse a hex argument, reporting a usage error.
 * @cmd: the subcommand, for the message
 * @what: the argument's name, for the message
 * @s: the argument
 * @v: out: its value
 *
 * Return: 0, or TOOL_EXIT_USAGE after printing a message.
 */
int tool_hex_arg(const char *cmd, const char *what, const char *s, uint64_t *v);

/**
 * tool_parse_xlate_opt() - handle one getopt_long() result of the shared
 * options.
 * @cmd: the subcommand
 * @c: getopt_long()'s return value ('a' asce, 'c' access, 'f' facilities,
 *	'p' prefix, 'j' json)
 * @arg: optarg
 * @o: the options being filled
 *
 * Return: 0, or TOOL_EXIT_USAGE after printing a message.
 */
int tool_parse_xlate_opt(const char *cmd, int c, const char *arg, struct tool_xlate_opts *o);

/**
 * tool_open() - open a dump, printing the error if it fails.
 * @path: the file
 * @t: out: the dump and its storage
 *
 * Return: 0, or TOOL_EXIT_RUNTIME after printing a message.
 */
int tool_open(const char *path, struct tool_dump *t);

/**
 * tool_resolve_defaults() - fill the options not given from CPU 0.
 * @cmd: the subcommand, for messages
 * @t: the dump
 * @o: the options
 *
 * --asce defaults to CR1, --prefix to the prefix register, --facilities to
 * EDAT-1 when CR0 has the EDAT-1 control, IEP when CR0 has the IEP control,
 * and ESOP-1.
 *
 * Return: 0, or TOOL_EXIT_RUNTIME when a default is needed but the dump has
 * no CPU with that register.
 */
int tool_resolve_defaults(const char *cmd, const struct tool_dump *t, struct tool_xlate_opts *o);

/**
 * tool_request() - the translation request the options describe.
 * @o: the options
 * @req: out: the request (primary space)
 */
void tool_request(const struct tool_xlate_opts *o, struct gmap_dat_request *req);

/**
 * tool_level_name() - the PoP's name of a table level.
 * @level: enum gmap_dat_tt, GMAP_LEVEL_PAGE or GMAP_LEVEL_REAL
 *
 * Return: "region-first", ..., "segment", "page", or "real".
 */
const char *tool_level_name(int level);

/**
 * tool_facilities_str() - the facility set as "edat1,iep,esop1".
 * @fac: GMAP_FAC_* bits
 * @buf: out: the text
 * @len: size of @buf (64 is enough)
 *
 * Return: @buf ("none" when @fac is 0).
 */
const char *tool_facilities_str(uint32_t fac, char *buf, size_t len);

/**
 * tool_asce_str() - an ASCE decoded: origin, DT, TL, G P S X R.
 * @asce: the ASCE
 * @buf: out: the text
 * @len: size of @buf (128 is enough)
 *
 * Return: @buf.
 */
const char *tool_asce_str(uint64_t asce, char *buf, size_t len);

/**
 * tool_result_str() - a translation result as text: "0x... 4K [prot]", or
 * "NAME (0xPIC) teid 0x...".
 * @res: the result
 * @buf: out: the text
 * @len: size of @buf (128 is enough)
 *
 * Return: @buf.
 */
const char *tool_result_str(const struct gmap_dat_result *res, char *buf, size_t len);

#endif /* GMAPTOOL_H */
