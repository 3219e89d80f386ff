// SPDX-License-Identifier: MIT
/*
 * The dump suite's synthetic core file: an ELF64 big-endian s390 core with
 * notes for two CPUs and 64 KB of guest storage holding small DAT tables,
 * built byte by byte so that every variant the reader must refuse can be
 * made; and the temp-directory fixture the cases write files into.
 */
#include <dirent.h>
#include <errno.h>
#include <gelf.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-dump.h"

static void put(struct core *c, size_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		c->b[off + i] = (unsigned char)(v >> 8 * (c->le ? i : n - 1 - i));
}

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
}

uint64_t cr_value(unsigned int cpu, unsigned int i)
{
	return 0x0100000000000000ULL * (i + 1) + 0x10 * cpu + i;
}

uint64_t gpr_value(unsigned int cpu, unsigned int i)
{
	return 0x1111111111111111ULL * i + cpu;
}

/* Append a note; return the offset after it. */
static size_t add_note(struct core *c, size_t off, const char *name, uint32_t type,
		       const unsigned char *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;

	put(c, off, namesz, 4);
	put(c, off + 4, descsz, 4);
	put(c, off + 8, type, 4);
	memcpy(c->b + off + 12, name, namesz);
	off += 12 + ((namesz + 3) & ~3u);
	memcpy(c->b + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

static size_t add_prstatus(struct core *c, size_t off, unsigned int cpu)
{
	unsigned char d[336] = { 0 };

	/* pr_reg at 112: psw mask, psw addr, gprs 0-15. */
	put_be64(d + 112, cpu ? PSW_MASK1 : PSW_MASK0);
	put_be64(d + 120, cpu ? PSW_ADDR1 : PSW_ADDR0);
	for (unsigned int i = 0; i < 16; i++)
		put_be64(d + 128 + 8 * i, gpr_value(cpu, i));
	return add_note(c, off, "CORE", NT_PRSTATUS, d, sizeof(d));
}

static size_t add_ctrs(struct core *c, size_t off, unsigned int cpu)
{
	unsigned char d[128];

	for (unsigned int i = 0; i < 16; i++)
		put_be64(d + 8 * i, cr_value(cpu, i));
	return add_note(c, off, "LINUX", 0x304, d, sizeof(d));
}

/* Notes: CPU 0 with prstatus, a foreign NT_FPREGSET, prefix and control
 * registers; CPU 1 with prstatus and control registers, no prefix. */
static size_t add_notes(struct core *c, const struct core_spec *s)
{
	unsigned char fp[136] = { 0xff }, prefix[4] = { 0, 0, PREFIX0 >> 8, 0 };
	size_t off = NOTES_OFF, last;

	off = add_prstatus(c, off, 0);
	off = add_note(c, off, "CORE", NT_FPREGSET, fp, sizeof(fp));
	off = add_note(c, off, "LINUX", 0x305, prefix, sizeof(prefix));
	off = add_ctrs(c, off, 0);
	off = add_prstatus(c, off, 1);
	last = off;
	off = add_ctrs(c, off, 1);
	if (s->cut_note)
		put(c, last + 4, 0x1000, 4);	/* descsz of the last note */
	return off - NOTES_OFF;
}

/* The guest's tables and data, big-endian like the hardware's. */
static void fill_guest(unsigned char *g, const struct core_spec *s)
{
	put_be64(g + ST + 0 * 8, gmap_crste_mk_table(PT, GMAP_TT_SEGMENT, 0, 0, 0).val);
	put_be64(g + ST + 1 * 8, gmap_crste_mk_table(PT, GMAP_TT_SEGMENT, 0, 0,
						     GMAP_CRSTE_I).val);
	put_be64(g + ST + 2 * 8, gmap_crste_mk_table(PT_IN_GAP, GMAP_TT_SEGMENT, 0, 0, 0).val);
	put_be64(g + PT + 0 * 8, gmap_pte_mk(0x3000, 0).val);
	put_be64(g + PT + 1 * 8, gmap_pte_mk(0x4000, GMAP_PTE_P).val);
	put_be64(g + PT + 2 * 8, gmap_pte_mk(0x5000, GMAP_PTE_I).val);
	put_be64(g + PT + 3 * 8, gmap_pte_mk(0x0000, 0).val);
	put_be64(g + PT + 4 * 8, gmap_pte_mk(0xd000, 0).val);
	for (unsigned int i = 0; i < 0x1000; i++)
		g[0x3000 + i] = (unsigned char)(i * 7 + 1);
	for (unsigned int i = 0; i < 0x1000; i++)
		g[0xd000 + i] = (unsigned char)(i * 3 + 5);
	if (!s->gap)
		return;
	/* Nothing in the gap; bytes of the second range past what the file
	 * holds read as zero. */
	memset(g + GAP_START, 0, GAP_END - GAP_START);
	memset(g + GAP_END + TAIL_HELD, 0, GUEST_SIZE - GAP_END - TAIL_HELD);
}

static void put_phdr(struct core *c, unsigned int i, uint32_t type, uint64_t off,
		     uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	size_t p = 64 + 56 * i;

	put(c, p, type, 4);
	put(c, p + 4, type == PT_LOAD ? PF_R | PF_W | PF_X : 0, 4);
	put(c, p + 8, off, 8);
	put(c, p + 16, 0, 8);
	put(c, p + 24, paddr, 8);
	put(c, p + 32, filesz, 8);
	put(c, p + 40, memsz, 8);
	put(c, p + 48, 0, 8);
}

void build_core(struct core *c, const struct core_spec *s, unsigned char *guest)
{
	unsigned int nph = 1;
	size_t notes;

	memset(c, 0, sizeof(*c));
	c->le = s->le;
	memset(guest, 0, GUEST_SIZE);
	fill_guest(guest, s);
	memcpy(c->b, ELFMAG, SELFMAG);
	c->b[EI_CLASS] = s->elf_class ? s->elf_class : ELFCLASS64;
	c->b[EI_DATA] = s->le ? ELFDATA2LSB : ELFDATA2MSB;
	c->b[EI_VERSION] = EV_CURRENT;
	put(c, 16, s->type ? s->type : ET_CORE, 2);
	put(c, 18, s->machine ? s->machine : EM_S390, 2);
	put(c, 20, EV_CURRENT, 4);
	put(c, 32, 64, 8);		/* e_phoff */
	put(c, 52, 64, 2);		/* e_ehsize */
	put(c, 54, 56, 2);		/* e_phentsize */
	put(c, 58, 64, 2);		/* e_shentsize */

	notes = add_notes(c, s);
	put_phdr(c, 0, PT_NOTE, NOTES_OFF, 0, notes, notes);
	if (s->gap) {
		memcpy(c->b + LOAD_OFF, guest, GAP_START);
		memcpy(c->b + LOAD_OFF + GAP_START, guest + GAP_END, TAIL_HELD);
		put_phdr(c, nph++, PT_LOAD, LOAD_OFF, 0, GAP_START, GAP_START);
		put_phdr(c, nph++, PT_LOAD, LOAD_OFF + GAP_START, GAP_END, TAIL_HELD,
			 GUEST_SIZE - GAP_END);
		c->len = LOAD_OFF + GAP_START + TAIL_HELD;
	} else {
		memcpy(c->b + LOAD_OFF, guest, GUEST_SIZE);
		if (!s->no_load)
			put_phdr(c, nph++, PT_LOAD, LOAD_OFF, 0, GUEST_SIZE, GUEST_SIZE);
		if (s->overlap)
			put_phdr(c, nph++, PT_LOAD, LOAD_OFF, GUEST_SIZE - 0x1000, 0x2000, 0x2000);
		c->len = LOAD_OFF + GUEST_SIZE;
	}
	put(c, 56, nph, 2);		/* e_phnum */
	if (s->bad_shdr) {
		/* Section 0 null, section 1 a string table "beyond" the file. */
		put(c, 40, c->len, 8);	/* e_shoff */
		put(c, 60, 2, 2);	/* e_shnum */
		put(c, 62, 1, 2);	/* e_shstrndx */
		memset(c->b + c->len, 0, 128);
		put(c, c->len + 64 + 4, SHT_STRTAB, 4);
		put(c, c->len + 64 + 24, 0x7fff0000, 8);
		put(c, c->len + 64 + 32, 0x10, 8);
		c->len += 128;
	}
}

const char *write_file(struct fixture *f, const char *name, const void *data, size_t len)
{
	FILE *fp;

	snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, name);
	fp = fopen(f->path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return f->path;
}

const char *write_core(struct fixture *f, const char *name, const struct core_spec *s,
		       size_t cut)
{
	static struct core c;
	unsigned char guest[GUEST_SIZE];

	build_core(&c, s, guest);
	return write_file(f, name, c.b, c.len - cut);
}

size_t compress_core(const struct core *c, unsigned char *out, size_t cap)
{
	size_t pos = 0;

	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, c->b, c->len,
						 out, &pos, cap), LZMA_OK);
	return pos;
}

void expect_open_error(const char *path, int expect, const char *needle)
{
	struct gmap_dump *d = (struct gmap_dump *)0x1;
	char err[GMAP_DUMP_ERRLEN] = "";

	assert_int_equal(gmap_dump_open(path, &d, err, sizeof(err)), expect);
	assert_ptr_equal(d, (struct gmap_dump *)0x1);
	if (!strstr(err, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err, needle);
	assert_non_null(strstr(err, path));
}

int dump_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-dump-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

int dump_teardown(void **state)
{
	struct fixture *f = *state;
	struct dirent *e;
	DIR *dir = opendir(f->dir);

	assert_non_null(dir);
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			assert_int_equal(unlinkat(dirfd(dir), e->d_name, 0), 0);
	closedir(dir);
	assert_int_equal(rmdir(f->dir), 0);
	free(f);
	return 0;
}
