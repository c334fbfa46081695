/*
 * printf.c - the C library's printf family: krt_vformat(), and snprintf,
 * sprintf and their _FORTIFY_SOURCE _chk forms, on the one printf engine
 * (krt/format.c) under glibc's rules, with the floating-point conversions
 * of printf_fp.c, which only the C library links.
 */
#include <stdarg.h>
#include <stddef.h>
#include <krt/stdio.h>
#include "../krt/format.h"

extern int *__errno_location(void);
extern void __chk_fail(void) __attribute__((noreturn));

static const struct pf_rules libc_rules = { .fp = pf_float, .glibc = true };

/* The engine's -errno as glibc's -1 and errno. */
static int pf_errno(int n)
{
	if (n >= 0)
		return n;
	*__errno_location() = -n;
	return -1;
}

int krt_vformat(krt_out_fn out, void *ctx, const char *fmt, va_list ap)
{
	return pf_errno(pf_format(&libc_rules, out, ctx, fmt, ap));
}

int vsnprintf(char *s, size_t size, const char *fmt, va_list ap)
{
	return pf_errno(pf_format_buf(&libc_rules, s, size, fmt, ap));
}

int snprintf(char *s, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, size, fmt, ap);
	va_end(ap);
	return n;
}

int vsprintf(char *s, const char *fmt, va_list ap)
{
	return vsnprintf(s, (size_t)-1, fmt, ap);
}

int sprintf(char *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsprintf(s, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- _FORTIFY_SOURCE: glibc's checks, __chk_fail() instead of an overflow ---- */

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, va_list ap)
{
	(void)flag;
	if (slen < maxlen)
		__chk_fail();
	return vsnprintf(s, maxlen, fmt, ap);
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = __vsnprintf_chk(s, maxlen, flag, slen, fmt, ap);
	va_end(ap);
	return n;
}

/* The output and its NUL must fit in slen: writing stops at slen, then this fails. */
int __vsprintf_chk(char *s, int flag, size_t slen, const char *fmt, va_list ap)
{
	int n;

	(void)flag;
	if (slen == 0)
		__chk_fail();
	n = vsnprintf(s, slen, fmt, ap);
	if (n >= 0 && (size_t)n >= slen)
		__chk_fail();
	return n;
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = __vsprintf_chk(s, flag, slen, fmt, ap);
	va_end(ap);
	return n;
}
