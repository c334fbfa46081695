/*
 * print_to.h - printf-style output through a shell command's print
 * function (struct kr_shell_command's run), one line of at most 255 bytes.
 * Shared by the modules that link modules/lib/print_to.c.
 */
#ifndef KARYON_LIB_PRINT_TO_H
#define KARYON_LIB_PRINT_TO_H

typedef void (*print_fn)(void *ctx, const char *s);

void print_to(print_fn print, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
