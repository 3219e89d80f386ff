// SPDX-License-Identifier: MIT
/*
 * The dump suite, oracles: parsing oracle files (every header and field,
 * malformed lines refused with their line number) and gmap_oracle_check()
 * against the synthetic core, which must report every line that disagrees
 * in address, exception code or protection.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "oracle.h"
#include "test-dump.h"

static const char good_oracle[] =
	"# oracle for the synthetic core\n"
	"# prefix 6000\n"
	"# facilities: EDAT-1 yes, EDAT-2 no, IEP yes, ESOP no\n"
	"# arch-fix lines below: prose, not a header\n"
	"# arch-fix 1000 4abc QEMU abc RESULT 6abc\n"
	"\n"
	"# lines 3\n"
	"0000000000001000 0000000000000123 3123 0 0\n"
	"0x1000 0x2000 - 11 0\n"
	"1000 1456 4456 0 1\n";

static struct gmap_oracle *load(struct fixture *f, const char *text)
{
	char err[GMAP_DUMP_ERRLEN];
	struct gmap_oracle *o = NULL;

	if (gmap_oracle_load(write_file(f, "t.oracle", text, strlen(text)), &o, err, sizeof(err)))
		fail_msg("%s", err);
	return o;
}

static void oracle_file_parses_exactly(void **state)
{
	struct gmap_oracle *o = load(*state, good_oracle);

	assert_int_equal(o->prefix, PREFIX0);
	assert_int_equal(o->facilities, GMAP_FAC_EDAT1 | GMAP_FAC_IEP);
	assert_int_equal(o->declared, 3);
	assert_int_equal(o->narchfix, 1);
	assert_int_equal(o->archfix[0].asce, 0x1000);
	assert_int_equal(o->archfix[0].vaddr, 0x4abc);
	assert_int_equal(o->archfix[0].qemu, 0xabc);
	assert_int_equal(o->archfix[0].result, 0x6abc);
	assert_int_equal(o->nlines, 3);
	assert_int_equal(o->lines[0].lineno, 8);
	assert_int_equal(o->lines[0].asce, 0x1000);
	assert_int_equal(o->lines[0].vaddr, 0x123);
	assert_true(o->lines[0].translates);
	assert_int_equal(o->lines[0].result, 0x3123);
	assert_int_equal(o->lines[0].pic, 0);
	assert_false(o->lines[0].prot);
	assert_int_equal(o->lines[1].lineno, 9);
	assert_false(o->lines[1].translates);
	assert_int_equal(o->lines[1].pic, 0x11);
	assert_int_equal(o->lines[2].lineno, 10);
	assert_true(o->lines[2].prot);
	gmap_oracle_free(o);
}

static void malformed_oracles_name_the_line(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "# prefix 6000\n# facilities: EDAT-1 yes, EDAT-2 no, IEP no, ESOP no\n1000 12g 3123 0 0\n",
		  ":3: malformed line" },
		{ "# prefix 6000\n# facilities: EDAT-1 yes, EDAT-2 no, IEP no, ESOP no\n1000 123 3123 0\n",
		  ":3: malformed line" },
		{ "# prefix 6000\n# facilities: EDAT-1 yes, EDAT-2 no, IEP no, ESOP no\n1000 123 3123 0 2\n",
		  ":3: malformed line" },
		{ "# prefix 6000\n# facilities: EDAT-1 yes, EDAT-2 no, IEP no, ESOP no\n1000 123 3123 100 0\n",
		  ":3: malformed line" },
		{ "# prefix 6000\n# facilities: EDAT-1 yes, EDAT-2 no, IEP no, ESOP no\n1000 123 3123 0 0 9\n",
		  ":3: malformed line" },
		{ "# prefix 60z0\n", ":1: malformed prefix header" },
		{ "# facilities: EDAT-1 maybe, EDAT-2 no, IEP no, ESOP no\n", ":1: malformed facilities" },
		{ "# facilities: EDAT-3 yes, EDAT-2 no, IEP no, ESOP no\n", ":1: unknown facility" },
		{ "# facilities: EDAT-1 yes, IEP no, ESOP no\n", ":1: the facilities header must name" },
		{ "# arch-fix 1000 4abc QEMU abc\n", ":1: malformed arch-fix" },
		{ "# lines 3x\n", ":1: malformed lines header" },
		{ "# facilities: EDAT-1 yes, EDAT-2 no, IEP no, ESOP no\n", ": no '# prefix' header" },
		{ "# prefix 6000\n", ": no '# facilities:' header" },
		{ "# prefix 6000\n# facilities: EDAT-1 yes, EDAT-2 no, IEP no, ESOP no\n# lines 2\n1000 123 3123 0 0\n",
		  ": declares 2 lines but holds 1" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gmap_oracle *o = (struct gmap_oracle *)0x1;
		char err[GMAP_DUMP_ERRLEN] = "";

		write_file(f, "bad.oracle", cases[i].text, strlen(cases[i].text));
		assert_int_equal(gmap_oracle_load(f->path, &o, err, sizeof(err)), -EINVAL);
		assert_ptr_equal(o, (struct gmap_oracle *)0x1);
		if (strncmp(err, f->path, strlen(f->path)) || !strstr(err, cases[i].msg))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err, cases[i].msg);
	}
}

static void missing_oracle_is_enoent(void **state)
{
	struct fixture *f = *state;
	struct gmap_oracle *o;
	char err[GMAP_DUMP_ERRLEN];

	snprintf(f->path, sizeof(f->path), "%s/none.oracle", f->dir);
	assert_int_equal(gmap_oracle_load(f->path, &o, err, sizeof(err)), -ENOENT);
}

/* Lines 4, 5 and 6 agree with the synthetic core; 7-10 do not. */
static const char check_oracle[] =
	"# prefix 6000\n"
	"# facilities: EDAT-1 no, EDAT-2 no, IEP no, ESOP no\n"
	"# lines 7\n"
	"1000 123 3123 0 0\n"
	"1000 1456 4456 0 1\n"
	"1000 2000 - 11 0\n"
	"1000 123 3124 0 0\n"
	"1000 1456 4456 0 0\n"
	"1000 2000 - 10 0\n"
	"1000 3abc - 11 0\n";

struct seen {
	unsigned int n;
	unsigned int lineno[8];
	struct gmap_dat_result res[8];
};

static void record(void *priv, const struct gmap_oracle_line *l, const struct gmap_dat_result *res)
{
	struct seen *s = priv;

	assert_true(s->n < 8);
	s->lineno[s->n] = l->lineno;
	s->res[s->n++] = *res;
}

static void oracle_check_reports_each_disagreement(void **state)
{
	struct gmap_oracle *o = load(*state, check_oracle);
	struct core_spec spec = { 0 };
	char err[GMAP_DUMP_ERRLEN];
	struct gmap_dat_mem mem;
	struct seen seen = { 0 };
	size_t passed, failed;
	struct gmap_dump *d;

	if (gmap_dump_open(write_core(*state, "core.elf", &spec, 0), &d, err, sizeof(err)))
		fail_msg("%s", err);
	gmap_dump_mem(d, &mem);
	assert_int_equal(gmap_oracle_check(o, &mem, record, &seen, &passed, &failed), 0);
	assert_int_equal(passed, 3);
	assert_int_equal(failed, 4);
	assert_int_equal(seen.n, 4);
	assert_int_equal(seen.lineno[0], 7);
	assert_int_equal(seen.res[0].addr, 0x3123);
	assert_int_equal(seen.lineno[1], 8);
	assert_true(seen.res[1].prot);
	assert_int_equal(seen.lineno[2], 9);
	assert_int_equal(seen.res[2].pic, GMAP_PIC_PAGE_TRANSLATION);
	/* Translates (prefixed page 0) where the line says it does not. */
	assert_int_equal(seen.lineno[3], 10);
	assert_int_equal(seen.res[3].pic, GMAP_PIC_NONE);
	assert_int_equal(seen.res[3].addr, PREFIX0 + 0xabc);
	gmap_dump_close(d);
	gmap_oracle_free(o);
}

const struct CMUnitTest dump_oracle_tests[] = {
	DUMP_TEST(oracle_file_parses_exactly),
	DUMP_TEST(malformed_oracles_name_the_line),
	DUMP_TEST(missing_oracle_is_enoent),
	DUMP_TEST(oracle_check_reports_each_disagreement),
};
const size_t dump_oracle_ntests = sizeof(dump_oracle_tests) / sizeof(dump_oracle_tests[0]);
