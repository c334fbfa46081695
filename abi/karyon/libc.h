/*
 * libc.h - the few C library functions every module may call.
 *
 * They come from the kernel's C library (tcc-runtime/) and keep their
 * standard names, because gcc itself emits calls to memcpy/memset for
 * struct copies and initialisers.  ksnprintf is printf-style formatting
 * into a buffer (C99 snprintf semantics, no floating point).
 */
#ifndef KARYON_LIBC_H
#define KARYON_LIBC_H

#include <stdarg.h>
#include <karyon/abi.h>

KR_API(1, 0) void *memcpy(void *dst, const void *src, size_t n);
KR_API(1, 0) void *memmove(void *dst, const void *src, size_t n);
KR_API(1, 0) void *memset(void *dst, int c, size_t n);
KR_API(1, 0) int memcmp(const void *a, const void *b, size_t n);
KR_API(1, 0) size_t strlen(const char *s);
KR_API(1, 0) size_t strnlen(const char *s, size_t max);
KR_API(1, 0) int strcmp(const char *a, const char *b);
KR_API(1, 0) int strncmp(const char *a, const char *b, size_t n);
KR_API(1, 0) int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
KR_API(1, 0) int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
KR_API(1, 0) char *strchr(const char *s, int c);
/* Called by code built with -fstack-protector when its canary at %fs:0x28
 * was overwritten (Debian's libtcc.a is): a panic naming the caller. */
KR_API(1, 0) void __stack_chk_fail(void) __attribute__((noreturn));

#endif
