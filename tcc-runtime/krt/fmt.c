/*
 * fmt.c - the kernel's printf: fmt_vformat (to any sink), kvsnprintf and
 * ksnprintf (into a buffer), which are the one printf engine (format.c)
 * under the kernel's rules.
 *
 * No floating point: the kernel is built with -mgeneral-regs-only, and
 * this build leaves out the engine's floating-point conversions
 * (libc/printf_fp.c).  %f, %e, %g and %a, %n, and a conversion the engine
 * does not know are printed as written and consume no argument, so the
 * mistake shows in the output and the remaining arguments still line up
 * with their conversions.  Everything else is glibc's output.
 */
#include <krt/fmt.h>
#include "format.h"

static const struct pf_rules kernel_rules = { .fp = NULL, .glibc = false };

int fmt_vformat(fmt_out_fn out, void *ctx, const char *f, va_list ap)
{
	return pf_format(&kernel_rules, out, ctx, f, ap);
}

int kvsnprintf(char *buf, size_t size, const char *f, va_list ap)
{
	return pf_format_buf(&kernel_rules, buf, size, f, ap);
}

int ksnprintf(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = kvsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}
