// SPDX-License-Identifier: MIT
/*
 * kprintf(): a small printf for the test kernel, written to the SCLP
 * console a line at a time. Conversions: %s %c %d %i %u %x %p %%, with the
 * flags '-' and '0', a field width, and the length modifiers l, ll, z.
 */
#include "kernel.h"

static char line[160];
static size_t line_len;

static void flush(void)
{
	sclp_write(line, line_len);
	line_len = 0;
}

static void put(char c)
{
	line[line_len++] = c;
	if (c == '\n' || line_len == sizeof(line))
		flush();
}

/* Print @v in @base, padded to @width with @pad, left-aligned with
 * @left; @neg adds a minus sign. */
static void put_num(uint64_t v, unsigned int base, bool neg, unsigned int width, char pad,
		    bool left)
{
	char buf[24];
	unsigned int n = 0, len;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	len = n;
	for (unsigned int i = len; !left && i < width; i++)
		put(pad);
	while (n)
		put(buf[--n]);
	for (unsigned int i = len; left && i < width; i++)
		put(' ');
}

static void put_str(const char *s, unsigned int width, bool left)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	for (unsigned int i = n; !left && i < width; i++)
		put(' ');
	while (*s)
		put(*s++);
	for (unsigned int i = n; left && i < width; i++)
		put(' ');
}

/**
 * kvprintf() - format to the SCLP console.
 * @fmt: the format (see the file comment for the conversions)
 * @ap: its arguments
 */
void kvprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		unsigned int width = 0, lng = 0;
		bool left = false;
		char pad = ' ';
		uint64_t v;
		int64_t sv;

		if (*fmt != '%') {
			put(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '-') {
			left = true;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			put_str(va_arg(ap, const char *), width, left);
			break;
		case 'c':
			put((char)va_arg(ap, int));
			break;
		case 'd':
		case 'i':
			sv = lng ? va_arg(ap, long) : va_arg(ap, int);
			put_num(sv < 0 ? (uint64_t)-sv : (uint64_t)sv, 10, sv < 0, width, pad, left);
			break;
		case 'u':
		case 'x':
			v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			put_num(v, *fmt == 'u' ? 10 : 16, false, width, pad, left);
			break;
		case 'p':
			put_num((uint64_t)(uintptr_t)va_arg(ap, void *), 16, false, 16, '0', false);
			break;
		default:
			put('%');
			if (*fmt)
				put(*fmt);
			else
				fmt--;
			break;
		}
	}
}

/**
 * kprintf() - format to the SCLP console.
 * @fmt: the format
 * @...: its arguments
 */
void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
