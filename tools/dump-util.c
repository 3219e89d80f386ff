// SPDX-License-Identifier: MIT
/*
 * Small helpers of the gmapdump library: error messages and hex numbers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "dump.h"
#include "dump-internal.h"

void dump_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool gmap_dump_parse_hex(const char *s, uint64_t *v)
{
	char *end;

	if (!s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	/* strtoull() would take blanks and a sign: insist on a digit. */
	if (!isxdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 16);
	return !errno && *end == '\0';
}
