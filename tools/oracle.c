// SPDX-License-Identifier: MIT
/*
 * Oracle files: parse the header ("# prefix", "# facilities:", "# lines",
 * "# arch-fix") and the "ASCE VADDR RESULT PIC PROT" lines, and check the
 * DAT walker against every line. Shared by gmaptool check and the tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "dump-internal.h"
#include "oracle.h"

/* Parser state: the oracle being built and where we are. */
struct oracle_parse {
	struct gmap_oracle *o;
	const char *path;
	unsigned int lineno;
	bool have_prefix;
	bool have_facilities;
	char *err;
	size_t errlen;
};

static int bad(struct oracle_parse *p, const char *what)
{
	dump_seterr(p->err, p->errlen, "%s:%u: %s", p->path, p->lineno, what);
	return -EINVAL;
}

static int oom(struct oracle_parse *p)
{
	dump_seterr(p->err, p->errlen, "%s:%u: out of memory", p->path, p->lineno);
	return -ENOMEM;
}

/* Whether @s starts with a hex token followed by a blank. */
static bool starts_hex_token(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEFx");

	return n && (s[n] == ' ' || s[n] == '\t');
}

static int parse_facilities(struct oracle_parse *p, char *rest)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{ "EDAT-1", GMAP_FAC_EDAT1 },
		{ "EDAT-2", GMAP_FAC_EDAT2 },
		{ "IEP", GMAP_FAC_IEP },
		{ "ESOP", GMAP_FAC_ESOP1 },
	};
	uint32_t fac = 0, seen = 0;
	char *save, *item;

	for (item = strtok_r(rest, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char name[16], val[8], extra;
		size_t k;

		if (sscanf(item, " %15s %7s %c", name, val, &extra) != 2 ||
		    (strcmp(val, "yes") && strcmp(val, "no")))
			return bad(p, "malformed facilities header: expected NAME yes|no, ...");
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (!strcmp(name, names[k].name))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return bad(p, "unknown facility in the facilities header");
		seen |= names[k].bit;
		if (!strcmp(val, "yes"))
			fac |= names[k].bit;
	}
	if (seen != (GMAP_FAC_EDAT1 | GMAP_FAC_EDAT2 | GMAP_FAC_IEP | GMAP_FAC_ESOP1))
		return bad(p, "the facilities header must name EDAT-1, EDAT-2, IEP and ESOP");
	p->o->facilities = fac;
	p->have_facilities = true;
	return 0;
}

static int add_archfix(struct oracle_parse *p, char *rest)
{
	struct gmap_oracle *o = p->o;
	struct gmap_oracle_archfix f, *a;
	char *save, *t[7];

	t[0] = strtok_r(rest, " \t", &save);
	for (int i = 1; i < 7; i++)
		t[i] = strtok_r(NULL, " \t", &save);
	if (!gmap_dump_parse_hex(t[0], &f.asce) || !gmap_dump_parse_hex(t[1], &f.vaddr) ||
	    !t[2] || strcmp(t[2], "QEMU") || !gmap_dump_parse_hex(t[3], &f.qemu) ||
	    !t[4] || strcmp(t[4], "RESULT") || !gmap_dump_parse_hex(t[5], &f.result) || t[6])
		return bad(p, "malformed arch-fix header: expected ASCE VADDR QEMU HEX RESULT HEX");
	a = realloc(o->archfix, (o->narchfix + 1) * sizeof(*a));
	if (!a)
		return oom(p);
	o->archfix = a;
	a[o->narchfix++] = f;
	return 0;
}

/*
 * A "#" line: a header when a keyword is followed by a value that starts
 * like one (so prose such as "# arch-fix lines below" stays a comment);
 * anything else is a comment.
 */
static int parse_header(struct oracle_parse *p, char *s)
{
	char *v, *save;
	long n;

	if (!strncmp(s, "# prefix ", 9)) {
		v = strtok_r(s + 9, " \t", &save);
		if (!gmap_dump_parse_hex(v, &p->o->prefix) || strtok_r(NULL, " \t", &save))
			return bad(p, "malformed prefix header: expected # prefix HEX");
		p->have_prefix = true;
	} else if (!strncmp(s, "# facilities:", 13)) {
		return parse_facilities(p, s + 13);
	} else if (!strncmp(s, "# lines ", 8) && s[8] >= '0' && s[8] <= '9') {
		errno = 0;
		n = strtol(s + 8, &v, 10);
		if (errno || n < 0 || strspn(v, " \t") != strlen(v))
			return bad(p, "malformed lines header: expected # lines N");
		p->o->declared = n;
	} else if (!strncmp(s, "# arch-fix ", 11) && starts_hex_token(s + 11)) {
		return add_archfix(p, s + 11);
	}
	return 0;
}

static int parse_line(struct oracle_parse *p, char *s)
{
	struct gmap_oracle *o = p->o;
	struct gmap_oracle_line l = { .lineno = p->lineno }, *a;
	uint64_t pic;
	char *save, *t[6];

	t[0] = strtok_r(s, " \t", &save);
	for (int i = 1; i < 6; i++)
		t[i] = strtok_r(NULL, " \t", &save);
	l.translates = t[2] && strcmp(t[2], "-");
	if (!gmap_dump_parse_hex(t[0], &l.asce) || !gmap_dump_parse_hex(t[1], &l.vaddr) || !t[2] ||
	    (l.translates && !gmap_dump_parse_hex(t[2], &l.result)) ||
	    !gmap_dump_parse_hex(t[3], &pic) || pic > 0xff ||
	    !t[4] || (strcmp(t[4], "0") && strcmp(t[4], "1")) || t[5])
		return bad(p, "malformed line: expected ASCE VADDR RESULT|- PIC 0|1");
	l.pic = pic;
	l.prot = t[4][0] == '1';
	a = realloc(o->lines, (o->nlines + 1) * sizeof(*a));
	if (!a)
		return oom(p);
	o->lines = a;
	a[o->nlines++] = l;
	return 0;
}

static int parse_file(struct oracle_parse *p, FILE *f)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	while (!ret && (len = getline(&buf, &cap, f)) >= 0) {
		p->lineno++;
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (strspn(buf, " \t") == (size_t)len)
			continue;
		ret = buf[0] == '#' ? parse_header(p, buf) : parse_line(p, buf);
	}
	free(buf);
	if (ret)
		return ret;
	if (ferror(f)) {
		dump_seterr(p->err, p->errlen, "%s: read error", p->path);
		return -EIO;
	}
	if (!p->have_prefix || !p->have_facilities) {
		dump_seterr(p->err, p->errlen, "%s: no '# %s' header", p->path,
			    p->have_prefix ? "facilities:" : "prefix");
		return -EINVAL;
	}
	if (p->o->declared >= 0 && (size_t)p->o->declared != p->o->nlines) {
		dump_seterr(p->err, p->errlen, "%s: declares %ld lines but holds %zu",
			    p->path, p->o->declared, p->o->nlines);
		return -EINVAL;
	}
	return 0;
}

int gmap_oracle_load(const char *path, struct gmap_oracle **out, char *err, size_t errlen)
{
	struct oracle_parse p = { .path = path, .err = err, .errlen = errlen };
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		dump_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	p.o = calloc(1, sizeof(*p.o));
	if (!p.o) {
		fclose(f);
		dump_seterr(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	p.o->declared = -1;
	ret = parse_file(&p, f);
	fclose(f);
	if (ret) {
		gmap_oracle_free(p.o);
		return ret;
	}
	*out = p.o;
	return 0;
}

void gmap_oracle_free(struct gmap_oracle *o)
{
	if (!o)
		return;
	free(o->lines);
	free(o->archfix);
	free(o);
}

int gmap_oracle_translate(const struct gmap_oracle *o, const struct gmap_dat_mem *mem,
			  const struct gmap_oracle_line *line, struct gmap_dat_result *res)
{
	struct gmap_dat_request req = {
		.access = GMAP_DAT_FETCH,
		.as = GMAP_AS_PRIMARY,
		.facilities = o->facilities,
		.prefix = o->prefix,
	};
	gmap_asce_t asce = { line->asce };

	return gmap_dat_translate(mem, asce, line->vaddr, &req, res);
}

bool gmap_oracle_matches(const struct gmap_oracle_line *line, const struct gmap_dat_result *res)
{
	if (res->pic != line->pic || line->translates != (res->pic == GMAP_PIC_NONE))
		return false;
	return !line->translates || (res->addr == line->result && res->prot == line->prot);
}

int gmap_oracle_check(const struct gmap_oracle *o, const struct gmap_dat_mem *mem,
		      gmap_oracle_mismatch_fn mismatch, void *priv,
		      size_t *passed, size_t *failed)
{
	struct gmap_dat_result res;
	int ret;

	*passed = 0;
	*failed = 0;
	for (size_t i = 0; i < o->nlines; i++) {
		ret = gmap_oracle_translate(o, mem, &o->lines[i], &res);
		if (ret)
			return ret;
		if (gmap_oracle_matches(&o->lines[i], &res)) {
			(*passed)++;
		} else {
			(*failed)++;
			if (mismatch)
				mismatch(priv, &o->lines[i], &res);
		}
	}
	return 0;
}
