// SPDX-License-Identifier: MIT
/*
 * The dump reader: an ELF64 big-endian s390 core file (QEMU's
 * dump-guest-memory format) read with libelf from its program headers and
 * notes. Every PT_LOAD is guest absolute storage at p_paddr; each CPU's
 * registers come from its NT_PRSTATUS, NT_S390_PREFIX and NT_S390_CTRS
 * notes. Section headers are not needed and only checked, so that a
 * broken one (QEMU 7.2 writes section 1's little-endian) is reported as a
 * warning instead of failing.
 */
#include <errno.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "dump-internal.h"

#ifndef NT_S390_CTRS
#define NT_S390_CTRS	0x304
#endif
#ifndef NT_S390_PREFIX
#define NT_S390_PREFIX	0x305
#endif

/*
 * Offset of pr_reg in the 64-bit s390 struct elf_prstatus: pr_info (three
 * ints, 12 bytes), pr_cursig (2) and padding to 16, pr_sigpend and
 * pr_sighold (8 each), pr_pid, pr_ppid, pr_pgrp, pr_sid (4 each), then four
 * struct timeval (16 each): 16 + 16 + 16 + 64 = 112. pr_reg (s390_regs)
 * starts with psw.mask, psw.addr, then gprs[16].
 */
#define PRSTATUS_PR_REG		112
#define PRSTATUS_MIN_SIZE	(PRSTATUS_PR_REG + 16 + 16 * 8)
#define S390_CTRS_SIZE		(16 * 8)
#define S390_PREFIX_SIZE	4

struct gmap_dump {
	struct dump_image img;
	struct gmap_dump_cpu *cpus;
	unsigned int ncpus;
	struct gmap_dump_range *ranges;
	unsigned int nranges;
	char **warnings;
	unsigned int nwarnings;
	/* Set when the ranges form one flat image of [0, flat_size). */
	const unsigned char *flat_base;
	uint64_t flat_size;
};

/* Open-time state: the dump being built and where errors go. */
struct dump_parse {
	struct gmap_dump *d;
	Elf *elf;
	const char *path;
	char *err;
	size_t errlen;
};

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fail(struct dump_parse *p, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct dump_parse *p, int ret, const char *fmt, ...)
{
	char msg[GMAP_DUMP_ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dump_seterr(p->err, p->errlen, "%s: %s", p->path, msg);
	return ret;
}

static int warn(struct dump_parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int warn(struct dump_parse *p, const char *fmt, ...)
{
	struct gmap_dump *d = p->d;
	char **w;
	va_list ap;
	int n;

	w = realloc(d->warnings, (d->nwarnings + 1) * sizeof(*w));
	if (!w)
		return fail(p, -ENOMEM, "out of memory");
	d->warnings = w;
	va_start(ap, fmt);
	n = vasprintf(&w[d->nwarnings], fmt, ap);
	va_end(ap);
	if (n < 0)
		return fail(p, -ENOMEM, "out of memory");
	d->nwarnings++;
	return 0;
}

static int add_range(struct dump_parse *p, size_t i, const GElf_Phdr *ph)
{
	struct gmap_dump *d = p->d;
	struct gmap_dump_range *r;
	uint64_t fsize = p->d->img.size;

	if (ph->p_memsz == 0)
		return warn(p, "ignored PT_LOAD %zu: size 0", i);
	if (ph->p_filesz > ph->p_memsz)
		return fail(p, -EINVAL, "PT_LOAD %zu: file size 0x%llx exceeds its memory size 0x%llx",
			    i, (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
	if (ph->p_paddr + ph->p_memsz - 1 < ph->p_paddr)
		return fail(p, -EINVAL, "PT_LOAD %zu: address 0x%llx + size 0x%llx wraps",
			    i, (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
	if (ph->p_offset > fsize || ph->p_filesz > fsize - ph->p_offset)
		return fail(p, -EINVAL,
			    "PT_LOAD %zu (file offset 0x%llx, 0x%llx bytes) ends beyond the end of the file (0x%llx bytes): truncated",
			    i, (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz,
			    (unsigned long long)fsize);
	r = realloc(d->ranges, (d->nranges + 1) * sizeof(*r));
	if (!r)
		return fail(p, -ENOMEM, "out of memory");
	d->ranges = r;
	r[d->nranges++] = (struct gmap_dump_range){
		.start = ph->p_paddr,
		.size = ph->p_memsz,
		.filesz = ph->p_filesz,
		.offset = ph->p_offset,
	};
	return 0;
}

/* The CPU record a note of kind @bit belongs to: a new one when the note is
 * an NT_PRSTATUS and the current record already has one. */
static struct gmap_dump_cpu *note_cpu(struct dump_parse *p, unsigned int bit)
{
	struct gmap_dump *d = p->d;
	struct gmap_dump_cpu *c;

	if (d->ncpus && !(bit == GMAP_DUMP_CPU_PRSTATUS &&
			  (d->cpus[d->ncpus - 1].notes & GMAP_DUMP_CPU_PRSTATUS)))
		return &d->cpus[d->ncpus - 1];
	c = realloc(d->cpus, (d->ncpus + 1) * sizeof(*c));
	if (!c)
		return NULL;
	d->cpus = c;
	c = &c[d->ncpus++];
	memset(c, 0, sizeof(*c));
	return c;
}

static int parse_note(struct dump_parse *p, const GElf_Nhdr *nh, const char *name,
		      const unsigned char *desc)
{
	static const struct {
		const char *owner;
		uint32_t type;
		unsigned int bit;
		uint32_t min;
		const char *what;
	} known[] = {
		{ "CORE", NT_PRSTATUS, GMAP_DUMP_CPU_PRSTATUS, PRSTATUS_MIN_SIZE, "NT_PRSTATUS" },
		{ "LINUX", NT_S390_PREFIX, GMAP_DUMP_CPU_PREFIX, S390_PREFIX_SIZE, "NT_S390_PREFIX" },
		{ "LINUX", NT_S390_CTRS, GMAP_DUMP_CPU_CTRS, S390_CTRS_SIZE, "NT_S390_CTRS" },
	};
	struct gmap_dump_cpu *c;
	size_t k;

	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		if (nh->n_type == known[k].type && nh->n_namesz == strlen(known[k].owner) + 1 &&
		    !memcmp(name, known[k].owner, nh->n_namesz))
			break;
	if (k == sizeof(known) / sizeof(known[0]))
		return 0;
	if (nh->n_descsz < known[k].min)
		return fail(p, -EINVAL, "%s note of %u bytes is too short (need %u)",
			    known[k].what, nh->n_descsz, known[k].min);
	c = note_cpu(p, known[k].bit);
	if (!c)
		return fail(p, -ENOMEM, "out of memory");
	if (c->notes & known[k].bit) {
		int ret = warn(p, "CPU %u: a second %s note replaces the first",
			       p->d->ncpus - 1, known[k].what);
		if (ret)
			return ret;
	}
	c->notes |= known[k].bit;
	switch (known[k].bit) {
	case GMAP_DUMP_CPU_PRSTATUS:
		c->psw_mask = be64(desc + PRSTATUS_PR_REG);
		c->psw_addr = be64(desc + PRSTATUS_PR_REG + 8);
		for (int i = 0; i < 16; i++)
			c->gprs[i] = be64(desc + PRSTATUS_PR_REG + 16 + 8 * i);
		break;
	case GMAP_DUMP_CPU_PREFIX:
		c->prefix = be32(desc);
		break;
	default:
		for (int i = 0; i < 16; i++)
			c->cr[i] = be64(desc + 8 * i);
		break;
	}
	return 0;
}

static int parse_notes(struct dump_parse *p, size_t i, const GElf_Phdr *ph)
{
	uint64_t fsize = p->d->img.size;
	size_t off = 0, next, name_off, desc_off;
	Elf_Data *data;
	GElf_Nhdr nh;
	int ret;

	if (ph->p_offset > fsize || ph->p_filesz > fsize - ph->p_offset)
		return fail(p, -EINVAL,
			    "PT_NOTE %zu (file offset 0x%llx, 0x%llx bytes) ends beyond the end of the file (0x%llx bytes): truncated",
			    i, (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz,
			    (unsigned long long)fsize);
	if (ph->p_filesz == 0)
		return 0;
	data = elf_getdata_rawchunk(p->elf, ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	if (!data)
		return fail(p, -EINVAL, "PT_NOTE %zu: %s", i, elf_errmsg(-1));
	while (off < data->d_size) {
		next = gelf_getnote(data, off, &nh, &name_off, &desc_off);
		if (next == 0)
			return fail(p, -EINVAL,
				    "PT_NOTE %zu: the note at offset 0x%zx runs past the segment's end (truncated or corrupt notes)",
				    i, off);
		ret = parse_note(p, &nh, (const char *)data->d_buf + name_off,
				 (const unsigned char *)data->d_buf + desc_off);
		if (ret)
			return ret;
		off = next;
	}
	return 0;
}

/* Section headers are not used; report those that cannot be right. */
static int check_sections(struct dump_parse *p, const GElf_Ehdr *eh)
{
	uint64_t fsize = p->d->img.size;
	size_t n;
	int ret;

	if (eh->e_ehsize != sizeof(Elf64_Ehdr)) {
		ret = warn(p, "ignored ELF header size e_ehsize %u (is %zu)",
			   eh->e_ehsize, sizeof(Elf64_Ehdr));
		if (ret)
			return ret;
	}
	if (elf_getshdrnum(p->elf, &n))
		return warn(p, "ignored section header table: %s", elf_errmsg(-1));
	if (n == 0 && eh->e_shnum)
		return warn(p, "ignored section header table: %u headers at file offset 0x%llx do not fit in the file",
			    eh->e_shnum, (unsigned long long)eh->e_shoff);
	for (size_t i = 1; i < n; i++) {
		Elf_Scn *scn = elf_getscn(p->elf, i);
		GElf_Shdr sh;
		uint64_t o, s;

		if (!scn || !gelf_getshdr(scn, &sh)) {
			ret = warn(p, "ignored section header %zu: %s", i, elf_errmsg(-1));
		} else if (sh.sh_type != SHT_NOBITS &&
			   (sh.sh_offset > fsize || sh.sh_size > fsize - sh.sh_offset)) {
			o = __builtin_bswap64(sh.sh_offset);
			s = __builtin_bswap64(sh.sh_size);
			ret = warn(p, "ignored section header %zu: offset 0x%llx size 0x%llx lie beyond the end of the file (0x%llx bytes)%s",
				   i, (unsigned long long)sh.sh_offset,
				   (unsigned long long)sh.sh_size, (unsigned long long)fsize,
				   o <= fsize && s <= fsize - o ?
				   "; byte-swapped they fit: written little-endian?" : "");
		} else {
			ret = 0;
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct gmap_dump_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort the ranges, refuse overlaps, and find out whether they form one flat
 * image of [0, end) for GMAP_DAT_MEM_BE. */
static int finish_ranges(struct dump_parse *p)
{
	struct gmap_dump *d = p->d;
	const struct gmap_dump_range *r = d->ranges;
	bool flat;

	qsort(d->ranges, d->nranges, sizeof(*r), cmp_range);
	flat = r[0].start == 0;
	for (unsigned int i = 0; i < d->nranges; i++) {
		if (i && r[i].start - r[i - 1].start < r[i - 1].size)
			return fail(p, -EINVAL, "PT_LOADs overlap at absolute 0x%llx",
				    (unsigned long long)r[i].start);
		if (r[i].filesz != r[i].size ||
		    (i && (r[i].start != r[i - 1].start + r[i - 1].size ||
			   r[i].offset != r[i - 1].offset + r[i - 1].size)))
			flat = false;
	}
	if (flat) {
		d->flat_base = d->img.base + r[0].offset;
		d->flat_size = (r[d->nranges - 1].start + r[d->nranges - 1].size) & ~7ull;
	}
	return 0;
}

static int parse_elf(struct dump_parse *p)
{
	const unsigned char *ident;
	GElf_Ehdr eh;
	size_t nph;
	int ret;

	ident = (const unsigned char *)elf_getident(p->elf, NULL);
	if (elf_kind(p->elf) != ELF_K_ELF || !ident)
		return fail(p, -EINVAL, "not a valid ELF file (bad class, data encoding or version)");
	if (ident[EI_CLASS] != ELFCLASS64)
		return fail(p, -EINVAL, "not ELF64 (class %u)", ident[EI_CLASS]);
	if (ident[EI_DATA] != ELFDATA2MSB)
		return fail(p, -EINVAL, "not big-endian (data encoding %u)", ident[EI_DATA]);
	if (!gelf_getehdr(p->elf, &eh))
		return fail(p, -EINVAL, "bad ELF header: %s", elf_errmsg(-1));
	if (eh.e_machine != EM_S390)
		return fail(p, -EINVAL, "machine %u is not EM_S390 (%u)", eh.e_machine, EM_S390);
	if (eh.e_type != ET_CORE)
		return fail(p, -EINVAL, "ELF type %u is not ET_CORE (%u)", eh.e_type, ET_CORE);
	if (elf_getphdrnum(p->elf, &nph))
		return fail(p, -EINVAL, "bad program header count: %s", elf_errmsg(-1));
	if (nph && eh.e_phentsize != sizeof(Elf64_Phdr))
		return fail(p, -EINVAL, "program header size %u is not %zu",
			    eh.e_phentsize, sizeof(Elf64_Phdr));
	if (nph && (eh.e_phoff > p->d->img.size ||
		    nph > (p->d->img.size - eh.e_phoff) / sizeof(Elf64_Phdr)))
		return fail(p, -EINVAL, "%zu program headers at file offset 0x%llx end beyond the end of the file: truncated",
			    nph, (unsigned long long)eh.e_phoff);
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(p->elf, i, &ph))
			return fail(p, -EINVAL, "program header %zu: %s", i, elf_errmsg(-1));
		if (ph.p_type == PT_LOAD)
			ret = add_range(p, i, &ph);
		else if (ph.p_type == PT_NOTE)
			ret = parse_notes(p, i, &ph);
		else
			ret = 0;
		if (ret)
			return ret;
	}
	if (!p->d->nranges)
		return fail(p, -EINVAL, "no PT_LOAD segment: the file holds no guest storage");
	ret = finish_ranges(p);
	return ret ? ret : check_sections(p, &eh);
}

int gmap_dump_open(const char *path, struct gmap_dump **out, char *err, size_t errlen)
{
	struct dump_parse p = { .path = path, .err = err, .errlen = errlen };
	int ret;

	if (!path || !out) {
		dump_seterr(err, errlen, "gmap_dump_open: NULL argument");
		return -EINVAL;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		dump_seterr(err, errlen, "libelf: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	p.d = calloc(1, sizeof(*p.d));
	if (!p.d) {
		dump_seterr(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = dump_image_load(path, &p.d->img, err, errlen);
	if (ret)
		goto fail;
	/* elf_memory() (ELF_C_READ) copies what it converts from big-endian;
	 * the image is mapped read-only, so it could not write if it tried. */
	p.elf = elf_memory((char *)p.d->img.base, p.d->img.size);
	if (!p.elf)
		ret = fail(&p, -EINVAL, "libelf: %s", elf_errmsg(-1));
	else
		ret = parse_elf(&p);
	elf_end(p.elf);
	if (ret)
		goto fail;
	*out = p.d;
	return 0;
fail:
	gmap_dump_close(p.d);
	return ret;
}

void gmap_dump_close(struct gmap_dump *dump)
{
	if (!dump)
		return;
	dump_image_unload(&dump->img);
	for (unsigned int i = 0; i < dump->nwarnings; i++)
		free(dump->warnings[i]);
	free(dump->warnings);
	free(dump->ranges);
	free(dump->cpus);
	free(dump);
}

/* The range holding @addr, or NULL. */
static const struct gmap_dump_range *find_range(const struct gmap_dump *d, uint64_t addr)
{
	unsigned int lo = 0, hi = d->nranges;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct gmap_dump_range *r = &d->ranges[mid];

		if (addr < r->start)
			hi = mid;
		else if (addr - r->start >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

int gmap_dump_read(const struct gmap_dump *dump, uint64_t addr, void *buf, size_t len)
{
	unsigned char *out = buf;

	while (len) {
		const struct gmap_dump_range *r = find_range(dump, addr);
		uint64_t in, n, held;

		if (!r)
			return -EFAULT;
		in = addr - r->start;
		n = r->size - in < len ? r->size - in : len;
		held = in < r->filesz ? r->filesz - in : 0;
		if (held > n)
			held = n;
		/* Only bytes the file holds have an address in the image:
		 * beyond them, r->offset + in may point anywhere. */
		if (held)
			memcpy(out, dump->img.base + r->offset + in, held);
		memset(out + held, 0, n - held);
		out += n;
		addr += n;
		len -= n;
		/* A range ending at the top of the 64-bit space ends the storage. */
		if (len && addr == 0)
			return -EFAULT;
	}
	return 0;
}

static int dump_mem_read(void *priv, uint64_t addr, uint64_t *val)
{
	unsigned char b[8];

	if (gmap_dump_read(priv, addr, b, sizeof(b)))
		return -1;
	*val = be64(b);
	return 0;
}

void gmap_dump_mem(const struct gmap_dump *dump, struct gmap_dat_mem *mem)
{
	memset(mem, 0, sizeof(*mem));
	if (dump->flat_base) {
		mem->kind = GMAP_DAT_MEM_BE;
		mem->base = dump->flat_base;
		mem->size = dump->flat_size;
	} else {
		mem->kind = GMAP_DAT_MEM_FN;
		mem->read = dump_mem_read;
		/* The reader only reads; the descriptor's type is not const. */
		mem->priv = (void *)dump;
	}
}

unsigned int gmap_dump_ncpus(const struct gmap_dump *dump)
{
	return dump->ncpus;
}

const struct gmap_dump_cpu *gmap_dump_cpu(const struct gmap_dump *dump, unsigned int cpu)
{
	return cpu < dump->ncpus ? &dump->cpus[cpu] : NULL;
}

unsigned int gmap_dump_nranges(const struct gmap_dump *dump)
{
	return dump->nranges;
}

const struct gmap_dump_range *gmap_dump_range(const struct gmap_dump *dump, unsigned int i)
{
	return i < dump->nranges ? &dump->ranges[i] : NULL;
}

unsigned int gmap_dump_nwarnings(const struct gmap_dump *dump)
{
	return dump->nwarnings;
}

const char *gmap_dump_warning(const struct gmap_dump *dump, unsigned int i)
{
	return i < dump->nwarnings ? dump->warnings[i] : NULL;
}

bool gmap_dump_compressed(const struct gmap_dump *dump)
{
	return dump->img.compressed;
}

uint64_t gmap_dump_image_size(const struct gmap_dump *dump)
{
	return dump->img.size;
}
