/*
 * string.c - the libc memory and string functions of the kernel, with the
 * standard semantics.  memcpy, memmove, memset and memcmp work a 64-bit
 * word at a time (x86 allows unaligned words; memset aligns its stores
 * first), long runs with the string instructions: they zero and copy every
 * page the kernel hands out, so they set the cost of loading a module.  The string functions work a word at a time too, since
 * TinyCC spends much of a compile in strlen, strcmp and strchr.
 *
 * A string function cannot know where its string ends, so it must not read
 * a word that might run onto the next page: that page may be unmapped.  An
 * aligned word never crosses a page, so each function handles bytes up to
 * the first 8-byte boundary, then reads aligned words; strcmp's second
 * string, which may be misaligned against the first, is read whole only
 * where the word stays within its page.  The bytes read past the terminator
 * are ignored.  Their values are never used, but ASan (the host tests)
 * cannot know that, hence WORD_READS.
 *
 * gcc can recognise a copy or fill loop and turn it into a call to memcpy or
 * memset (gcc 12 also strlen), which here would be the function calling
 * itself forever.  -ffreestanding happens to stop that today; the pragma
 * keeps this file safe whatever flags it is built with (the host tests
 * build it hosted).
 */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

#include <stdint.h>
#include <krt/string.h>
#include "word.h"

/*
 * Long copies and fills use the string instructions (rep movsq / stosq):
 * on x86 they are the fast path for long runs (what zeroing and copying
 * pages and libtcc's large buffers are), and they cost one instruction per
 * word where a loop costs four.  cld first: the ABI says the direction flag
 * is clear, and this does not take a handler's word for it.
 */
#define REP_MIN 64

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (n >= REP_MIN) {
		size_t words = n / 8;

		__asm__ volatile("cld; rep movsq" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
		n &= 7;
	}
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
	uint64_t w = ONES * (unsigned char)c;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = (unsigned char)c;
	if (n >= REP_MIN) {
		size_t words = n / 8;

		__asm__ volatile("cld; rep stosq" : "+D"(d), "+c"(words) : "a"(w) : "memory");
		n &= 7;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(word_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	/* Whole words while they match (never past n), then the bytes of
	 * the word that differs. */
	for (; n >= 8 && *(const word_t *)p == *(const word_t *)q; n -= 8, p += 8, q += 8)
		;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

WORD_READS size_t strlen(const char *s)
{
	const char *p = s;
	uint64_t z;

	for (; misaligned(p); p++)
		if (!*p)
			return p - s;
	while (!(z = has_zero(aligned_word(p))))
		p += 8;
	return p + first_byte(z) - s;
}

WORD_READS size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	uint64_t z;

	for (; n < max && misaligned(s + n); n++)
		if (!s[n])
			return n;
	/* The last word may reach past max, but not past its own page. */
	for (; n < max; n += 8) {
		z = has_zero(aligned_word(s + n));
		if (z) {
			n += first_byte(z);
			break;
		}
	}
	return n < max ? n : max;
}

/* Byte k of a and b differs, or is a's terminator: the result of strcmp. */
static inline int diff_at(uint64_t a, uint64_t b, uint64_t stop)
{
	unsigned k = first_byte(stop) * 8;

	return (int)((a >> k) & 0xff) - (int)((b >> k) & 0xff);
}

/* High bit of each byte that differs between a and b, or is zero in a. */
static inline uint64_t stop_bytes(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;

	return has_zero(a) | ((((x & LOWS) + LOWS) | x) & HIGHS);
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

/* Compare up to n < 8 bytes, or all 8 of one word, one at a time. */
static int strncmp_bytes(const unsigned char *p, const unsigned char *q, size_t n, int *done)
{
	for (; n; n--, p++, q++)
		if (*p != *q || !*p) {
			*done = 1;
			return *p - *q;
		}
	*done = 0;
	return 0;
}

WORD_READS int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	int done, r;

	for (; n && misaligned(p); n--, p++, q++)
		if (*p != *q || !*p)
			return *p - *q;
	/* p is aligned; q is read whole only where it stays inside its page. */
	for (; n >= 8; n -= 8, p += 8, q += 8) {
		if (((uintptr_t)q & (KR_PAGE_SIZE - 1)) > KR_PAGE_SIZE - 8) {
			r = strncmp_bytes(p, q, 8, &done);
			if (done)
				return r;
			continue;
		}
		uint64_t wa = aligned_word(p), wb = *(const word_t *)q;
		uint64_t stop = stop_bytes(wa, wb);

		if (stop)
			return diff_at(wa, wb, stop);
	}
	return strncmp_bytes(p, q, n, &done);
}

WORD_READS char *strchr(const char *s, int c)
{
	uint64_t cc = ONES * (unsigned char)c;
	uint64_t stop;

	for (; misaligned(s); s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
	for (;; s += 8) {
		uint64_t w = aligned_word(s);

		/* Each half's lowest mark is exact, so their union's is too. */
		stop = has_zero(w) | has_zero(w ^ cc);
		if (stop)
			break;
	}
	s += first_byte(stop);
	return *s == (char)c ? (char *)s : NULL;
}
