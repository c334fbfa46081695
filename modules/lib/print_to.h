/*
 * print_to.h - printf-style output through a shell command's print
 * function (struct kr_shell_command's run), one line of at most 255 bytes;
 * and a refusal's reason into an err buffer.  Shared by the modules that
 * link modules/lib/print_to.c.
 */
#ifndef KARYON_LIB_PRINT_TO_H
#define KARYON_LIB_PRINT_TO_H

#include <stddef.h>
#include <karyon/err.h>

typedef void (*print_fn)(void *ctx, const char *s);

void print_to(print_fn print, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The reason into err[0..len) (when err is not NULL), and code back:
 * "return err_to(err, len, KR_EBUSY, "%s is busy", name);". */
kr_err_t err_to(char *err, size_t len, kr_err_t code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
