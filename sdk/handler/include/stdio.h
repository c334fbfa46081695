/*
 * <stdio.h> - formatted output and string formatting.
 *
 * No grant: snprintf, vsnprintf, sprintf, vsprintf, sscanf, vsscanf (they
 * only read and write memory the handler passes in).
 * Grant "console" (on by default): printf, vprintf, puts, putchar, fputs,
 * fputc, putc, fprintf, vfprintf, fflush.  stdout and stderr both go to the
 * shell's output; there are no other streams (no fopen), and no input.
 *
 * FILE is declared as glibc declares it, so the same source builds
 * unchanged on a Linux host.
 */
#ifndef _KARYON_STDIO_H
#define _KARYON_STDIO_H

#include <stddef.h>

#define EOF (-1)

typedef struct _IO_FILE FILE;
extern FILE *stdout;
extern FILE *stderr;

/* No grant. */
int snprintf(char *str, size_t size, const char *fmt, ...)
	__attribute__((__format__(__printf__, 3, 4)));
int vsnprintf(char *str, size_t size, const char *fmt, __builtin_va_list ap)
	__attribute__((__format__(__printf__, 3, 0)));
int sprintf(char *str, const char *fmt, ...)
	__attribute__((__format__(__printf__, 2, 3)));
int vsprintf(char *str, const char *fmt, __builtin_va_list ap)
	__attribute__((__format__(__printf__, 2, 0)));
int sscanf(const char *str, const char *fmt, ...)
	__attribute__((__format__(__scanf__, 2, 3)));
int vsscanf(const char *str, const char *fmt, __builtin_va_list ap)
	__attribute__((__format__(__scanf__, 2, 0)));

/* Grant "console". */
int printf(const char *fmt, ...)
	__attribute__((__format__(__printf__, 1, 2)));
int vprintf(const char *fmt, __builtin_va_list ap)
	__attribute__((__format__(__printf__, 1, 0)));
int fprintf(FILE *stream, const char *fmt, ...)
	__attribute__((__format__(__printf__, 2, 3)));
int vfprintf(FILE *stream, const char *fmt, __builtin_va_list ap)
	__attribute__((__format__(__printf__, 2, 0)));
int puts(const char *s);
int fputs(const char *s, FILE *stream);
int putchar(int c);
int fputc(int c, FILE *stream);
int putc(int c, FILE *stream);
int fflush(FILE *stream);

#endif
