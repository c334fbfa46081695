/*
 * <stddef.h> - size_t, ptrdiff_t, wchar_t, max_align_t, NULL, offsetof.
 * No grant needed.  The types come from the compiler's own __SIZE_TYPE__
 * etc., so TinyCC and gcc agree with each other and with glibc.
 */
#ifndef _KARYON_STDDEF_H
#define _KARYON_STDDEF_H

typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;
typedef __WCHAR_TYPE__ wchar_t;

/* The most strictly aligned scalar: 16 bytes on x86_64, as in gcc's header.
 * Not for a contract, where floating point is refused (contract-guide.md). */
#ifndef __KARYON_CONTRACT__
typedef struct {
	long long __max_align_ll;
	long double __max_align_ld;
} max_align_t;
#endif

#ifndef NULL
#define NULL ((void *)0)
#endif

#define offsetof(type, member) __builtin_offsetof(type, member)

#endif
