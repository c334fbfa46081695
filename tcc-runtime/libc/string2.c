/*
 * string2.c - the rest of string.h and strings.h that TinyCC and the
 * programs it compiles use, beyond the core's set in ../string.c, plus the
 * three _FORTIFY_SOURCE variants Debian's libtcc.a calls.  Standard (glibc)
 * semantics throughout; where glibc leaves a choice open we take its:
 *
 *   - strrchr(s, '\0') and strchr find the terminator;
 *   - strtok_r leaves *save at the terminator once the string is used up,
 *     so later calls keep returning NULL;
 *   - strcasecmp and strncasecmp fold ASCII only (the C locale);
 *   - the _chk functions call __chk_fail() exactly where glibc's do.
 *
 * memchr and strrchr work an aligned 64-bit word at a time, like ../string.c
 * (see it for why aligned reads past the terminator are safe); strstr is
 * Two-Way, linear in the text; the copying functions are strlen + memcpy.
 */
#include <stdint.h>
#include <krt/libc.h>
#include "../krt/word.h"

/* Keep gcc from turning a loop here into a call to the function itself
 * (strlen, memset...); after the includes, so that it touches only the
 * definitions below, not the host tests' glibc inline functions. */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

WORD_READS void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	unsigned char ch = (unsigned char)c;
	uint64_t match;

	for (; n && misaligned(p); n--, p++)
		if (*p == ch)
			return (void *)p;
	for (; n >= 8; n -= 8, p += 8) {
		match = has_zero(aligned_word(p) ^ (ONES * ch));
		if (match)
			return (void *)(p + first_byte(match));
	}
	for (; n; n--, p++)
		if (*p == ch)
			return (void *)p;
	return NULL;
}

WORD_READS char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	char ch = (char)c;

	if (!ch)
		return (char *)s + strlen(s);
	for (; misaligned(s); s++) {
		if (*s == ch)
			last = s;
		if (!*s)
			return (char *)last;
	}
	for (;; s += 8) {
		uint64_t w = aligned_word(s);
		uint64_t zero = has_zero(w);
		/* Exact marks: the last match counts, not just the first. */
		uint64_t match = exact_zeros(w ^ (ONES * (unsigned char)ch));

		if (zero)
			match &= (zero & -zero) - 1;	/* only bytes before the end */
		if (match)
			last = s + last_byte(match);
		if (zero)
			return (char *)last;
	}
}

/*
 * strstr: Two-Way matching (Crochemore and Perrin, 1991).  The needle is
 * cut into u.v at its critical factorisation; each window compares v left
 * to right, then u right to left, and shifts by the period or past the
 * mismatch.  Linear time and constant space, so a long repetitive needle
 * cannot make a search quadratic.  The haystack's length is learnt lazily
 * (strnlen ahead of the window), so an early match does not scan it all.
 */

/* Start (as index - 1) and period of the maximal suffix of x[0..m) in the
 * byte order, or in the reverse order if rev. */
static ptrdiff_t max_suffix(const unsigned char *x, ptrdiff_t m, int rev, ptrdiff_t *period)
{
	ptrdiff_t ms = -1, j = 0, k = 1, p = 1;

	while (j + k < m) {
		unsigned char a = x[j + k], b = x[ms + k];

		if (a == b) {
			if (k == p) {
				j += p;
				k = 1;
			} else {
				k++;
			}
		} else if (rev ? a > b : a < b) {
			j += k;
			k = 1;
			p = j - ms;
		} else {
			ms = j++;
			k = p = 1;
		}
	}
	*period = p;
	return ms;
}

/* Whether h holds at least need bytes before its terminator; *known is how
 * many it is already known to hold. */
static int available(const unsigned char *h, size_t *known, size_t need)
{
	if (*known < need)
		*known += strnlen((const char *)h + *known, need - *known + 256);
	return *known >= need;
}

static char *two_way(const unsigned char *h, const unsigned char *x, size_t m)
{
	ptrdiff_t p1, p2, ell, per, i;
	ptrdiff_t ms1 = max_suffix(x, m, 0, &p1), ms2 = max_suffix(x, m, 1, &p2);
	size_t j = 0, known = 0;

	ell = ms1 > ms2 ? ms1 : ms2;
	per = ms1 > ms2 ? p1 : p2;
	if (memcmp(x, x + per, ell + 1) == 0) {
		/* Periodic needle: remember how much of the last window's
		 * prefix is known to match after a shift by the period. */
		ptrdiff_t memory = -1;

		while (available(h, &known, j + m)) {
			i = (ell > memory ? ell : memory) + 1;
			while (i < (ptrdiff_t)m && x[i] == h[i + j])
				i++;
			if (i < (ptrdiff_t)m) {
				j += i - ell;
				memory = -1;
				continue;
			}
			for (i = ell; i > memory && x[i] == h[i + j]; i--)
				;
			if (i <= memory)
				return (char *)h + j;
			j += per;
			memory = m - per - 1;
		}
		return NULL;
	}
	per = (ell + 1 > (ptrdiff_t)m - ell - 1 ? ell + 1 : (ptrdiff_t)m - ell - 1) + 1;
	while (available(h, &known, j + m)) {
		i = ell + 1;
		while (i < (ptrdiff_t)m && x[i] == h[i + j])
			i++;
		if (i < (ptrdiff_t)m) {
			j += i - ell;
			continue;
		}
		for (i = ell; i >= 0 && x[i] == h[i + j]; i--)
			;
		if (i < 0)
			return (char *)h + j;
		j += per;
	}
	return NULL;
}

char *strstr(const char *haystack, const char *needle)
{
	size_t m = strlen(needle);

	if (!m)
		return (char *)haystack;
	/* No match starts before the needle's first byte. */
	haystack = strchr(haystack, needle[0]);
	if (!haystack || m == 1)
		return (char *)haystack;
	return two_way((const unsigned char *)haystack, (const unsigned char *)needle, m);
}

char *strcpy(char *dst, const char *src)
{
	return memcpy(dst, src, strlen(src) + 1);
}

/* Copies at most n bytes and pads the rest of the n with NULs; no
 * terminator if src is n bytes or longer. */
char *strncpy(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n);

	memcpy(dst, src, len);
	memset(dst + len, 0, n - len);
	return dst;
}

char *strcat(char *dst, const char *src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

/* Appends at most n bytes of src, then always a terminator. */
char *strncat(char *dst, const char *src, size_t n)
{
	char *end = dst + strlen(dst);
	size_t len = strnlen(src, n);

	memcpy(end, src, len);
	end[len] = '\0';
	return dst;
}

/* A set of bytes, one bit each. */
struct byteset {
	uint64_t bits[4];
};

static void byteset_of(struct byteset *set, const char *chars)
{
	set->bits[0] = set->bits[1] = set->bits[2] = set->bits[3] = 0;
	for (const unsigned char *p = (const unsigned char *)chars; *p; p++)
		set->bits[*p >> 6] |= 1ull << (*p & 63);
}

static inline int byteset_has(const struct byteset *set, unsigned char c)
{
	return (set->bits[c >> 6] >> (c & 63)) & 1;
}

size_t strspn(const char *s, const char *accept)
{
	struct byteset set;
	const unsigned char *p = (const unsigned char *)s;

	byteset_of(&set, accept);	/* never holds '\0': the scan stops there */
	while (byteset_has(&set, *p))
		p++;
	return p - (const unsigned char *)s;
}

size_t strcspn(const char *s, const char *reject)
{
	struct byteset set;
	const unsigned char *p = (const unsigned char *)s;

	byteset_of(&set, reject);
	set.bits[0] |= 1;	/* the terminator ends the span too */
	while (!byteset_has(&set, *p))
		p++;
	return p - (const unsigned char *)s;
}

char *strpbrk(const char *s, const char *accept)
{
	s += strcspn(s, accept);
	return *s ? (char *)s : NULL;
}

char *strtok_r(char *s, const char *delim, char **save)
{
	char *end;

	if (!s)
		s = *save;
	s += strspn(s, delim);
	if (!*s) {
		*save = s;
		return NULL;
	}
	end = s + strcspn(s, delim);
	if (*end)
		*end++ = '\0';
	*save = end;
	return s;
}

/* One tokeniser state for the kernel: it runs one compile at a time. */
char *strtok(char *s, const char *delim)
{
	static char *save;

	return strtok_r(s, delim, &save);
}

static inline int fold(unsigned char c)
{
	return (unsigned)c - 'A' < 26 ? c + ('a' - 'A') : c;
}

int strncasecmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		int d = fold(*p) - fold(*q);

		if (d || !*p)
			return d;
	}
	return 0;
}

int strcasecmp(const char *a, const char *b)
{
	return strncasecmp(a, b, SIZE_MAX);
}

/*
 * The _FORTIFY_SOURCE checks: where gcc knew the destination's size when
 * Debian built libtcc.a, it called these with that size appended.  An
 * overflow is memory corruption under way, so, as in glibc, __chk_fail()
 * stops everything; it is checked before anything is written.
 */
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__chk_fail();
	return memmove(dst, src, n);
}

char *__strcpy_chk(char *dst, const char *src, size_t dstlen)
{
	size_t len = strlen(src);

	if (len >= dstlen)
		__chk_fail();
	return memcpy(dst, src, len + 1);
}

/* Fails if dst has no terminator within dstlen, or the joined string and
 * its terminator do not fit. */
char *__strcat_chk(char *dst, const char *src, size_t dstlen)
{
	size_t dlen = strnlen(dst, dstlen), slen;

	if (dlen == dstlen)
		__chk_fail();
	slen = strlen(src);
	if (slen >= dstlen - dlen)
		__chk_fail();
	memcpy(dst + dlen, src, slen + 1);
	return dst;
}
