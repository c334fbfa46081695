/*
 * print_to.c - print_to (print_to.h).
 */
#include <stdarg.h>
#include <karyon/libc.h>
#include "print_to.h"

void print_to(print_fn print, void *ctx, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	print(ctx, buf);
}
