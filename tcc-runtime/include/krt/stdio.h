/*
 * krt/stdio.h - the C library's printf family (tcc-runtime/libc/printf.c):
 * glibc's output in the C locale, floating point included, for Debian's
 * libtcc.a and the programs TinyCC compiles inside the kernel.
 *
 * The same engine (krt/format.c) as the kernel's fmt_vformat (krt/fmt.h),
 * plus the floating-point conversions (libc/printf_fp.c), which the kernel
 * proper, built without SSE, leaves out.
 */
#ifndef KARYON_KRT_STDIO_H
#define KARYON_KRT_STDIO_H

#include <stdarg.h>
#include <stddef.h>

/* Receives the output in pieces; s is not NUL-terminated. */
typedef void (*krt_out_fn)(void *ctx, const char *s, size_t n);

/*
 * Format to any sink.  Returns the number of characters produced, or -1
 * with errno set where glibc fails: EINVAL for a format ending inside a
 * conversion, EILSEQ for a %lc/%ls character outside ASCII, EOVERFLOW for
 * a width, precision or total past INT_MAX.
 */
int krt_vformat(krt_out_fn out, void *ctx, const char *fmt, va_list ap);

int vsnprintf(char *s, size_t size, const char *fmt, va_list ap);
int snprintf(char *s, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsprintf(char *s, const char *fmt, va_list ap);
int sprintf(char *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The _FORTIFY_SOURCE forms gcc emits where it knows the size (slen) of
 * the destination: they call __chk_fail() if maxlen claims more room than
 * slen, or if sprintf's output (with its NUL) would not fit in slen.
 * flag asks glibc to refuse %n in a writable format; that is not checked.
 */
int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, va_list ap);
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...);
int __vsprintf_chk(char *s, int flag, size_t slen, const char *fmt, va_list ap);
int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...);

#endif
