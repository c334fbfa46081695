/*
 * print_to.c - print_to and err_to (print_to.h).
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

kr_err_t err_to(char *err, size_t len, kr_err_t code, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		kvsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return code;
}
