/*
 * krt/fmt.h - the kernel's printf (tcc-runtime/krt/fmt.c): the one printf
 * engine (krt/format.c) without floating point.  fmt_vformat() formats into
 * any sink given as a callback; ksnprintf() and kvsnprintf() write into a
 * bounded buffer, with C99 snprintf semantics.  %f, %n and unknown
 * conversions are printed as written and read no argument.
 */
#ifndef KARYON_FMT_H
#define KARYON_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives the output in pieces; s is not NUL-terminated. */
typedef void (*fmt_out_fn)(void *ctx, const char *s, size_t n);

/* Returns the number of characters produced (saturated at __INT_MAX__). */
int fmt_vformat(fmt_out_fn out, void *ctx, const char *f, va_list ap);

/* Return the length the full output has; buf is always NUL-terminated if size > 0. */
int kvsnprintf(char *buf, size_t size, const char *f, va_list ap);
int ksnprintf(char *buf, size_t size, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

#endif
