/*
 * string.c - the libc memory and string functions of the kernel, with the
 * standard semantics.  memcpy, memmove and memset work a 64-bit word at a
 * time (x86 allows unaligned words; memset aligns its stores first): they
 * zero and copy every page the kernel hands out, so they set the cost of
 * loading a module.  The rest are byte loops, for now.
 *
 * gcc can recognise a copy or fill loop and turn it into a call to memcpy or
 * memset, which here would be the function calling itself forever.
 * -ffreestanding happens to stop that today; the pragma keeps this file safe
 * whatever flags it is built with (the host tests build it hosted).
 */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

#include <stdint.h>
#include <krt/string.h>

/* A 64-bit word at any alignment, allowed to alias anything. */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(word_t *)d = *(const word_t *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Forward is safe unless dst starts inside src: each word is read
	 * whole before it is written, and writes trail the reads. */
	if ((uintptr_t)d - (uintptr_t)s >= n)
		return memcpy(dst, src, n);
	for (; n >= 8; n -= 8)
		*(word_t *)(d + n - 8) = *(const word_t *)(s + n - 8);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t w = 0x0101010101010101ull * (unsigned char)c;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = (unsigned char)c;
	for (; n >= 8; n -= 8, d += 8)
		*(word_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++)
		if (*p != *q || !*p)
			return *p - *q;
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
