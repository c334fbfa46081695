/*
 * xxh.h - XXH3-64 (seed 0) for the organelles, from Debian's libxxhash.a
 * (xxh.c).  The only way organelles code reaches xxHash: one place knows
 * how the archive is linked into the kernel and what it needs.
 */
#ifndef ORGANELLES_XXH_H
#define ORGANELLES_XXH_H

#include <stddef.h>
#include <stdint.h>

/* XXH3_64bits(p, n): n bytes at p (p may be NULL when n is 0). */
uint64_t parcel_xxh3(const void *p, size_t n);
/* The hash of a's na bytes followed by b's nb bytes, as if contiguous
 * (XXH3's streaming form: the same value parcel_xxh3 gives the
 * concatenation), without copying them together. */
uint64_t parcel_xxh3_2(const void *a, size_t na, const void *b, size_t nb);

#endif
