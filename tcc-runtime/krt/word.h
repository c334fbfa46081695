/*
 * word.h - the word-at-a-time helpers of tcc-runtime's string functions
 * (string.c and libc/string2.c): private to tcc-runtime.
 */
#ifndef KARYON_KRT_WORD_H
#define KARYON_KRT_WORD_H

#include <stdint.h>
#include <karyon/abi.h>      /* KR_PAGE_SIZE */

/* A 64-bit word at any alignment, allowed to alias anything. */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;

#define ONES	0x0101010101010101ull
#define HIGHS	0x8080808080808080ull
#define LOWS	0x7f7f7f7f7f7f7f7full
/* Reads whole aligned words that may extend past the string's end. */
#define WORD_READS __attribute__((no_sanitize_address))

/*
 * The high bit of byte k is set if byte k of w is zero, and the lowest such
 * byte is always exact (a borrow can only mark bytes above a real zero), so
 * this finds the first zero.  Use exact_zeros() where later bytes matter.
 */
static inline uint64_t has_zero(uint64_t w)
{
	return (w - ONES) & ~w & HIGHS;
}

/* The high bit of exactly every zero byte of w. */
static inline uint64_t exact_zeros(uint64_t w)
{
	return ~(((w & LOWS) + LOWS) | w | LOWS);
}

/* Index of the first (lowest-addressed) byte a nonzero mask marks. */
static inline unsigned first_byte(uint64_t mask)
{
	return (unsigned)__builtin_ctzll(mask) / 8;
}

WORD_READS static inline uint64_t aligned_word(const void *p)
{
	return *(const uint64_t *)p;
}

static inline int misaligned(const void *p)
{
	return (uintptr_t)p & 7;
}

/* Index of the last (highest-addressed) byte a nonzero mask marks. */
static inline unsigned last_byte(uint64_t mask)
{
	return (unsigned)(63 - __builtin_clzll(mask)) / 8;
}

#endif
