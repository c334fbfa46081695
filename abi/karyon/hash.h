/*
 * hash.h - BLAKE2b-256, for measuring modules and anything else a module
 * wants to fingerprint.  The implementation is Debian's libb2 (its SSE2
 * build), linked into the kernel through tcc-runtime/blake2.c.
 */
#ifndef KARYON_HASH_H
#define KARYON_HASH_H

#include <karyon/err.h>

#define KR_BLAKE2B_256_LEN 32

/* out = BLAKE2b-256(in[0..len)); KR_EINVAL for NULL pointers. */
KR_API(1, 0) kr_err_t kr_blake2b_256(uint8_t out[KR_BLAKE2B_256_LEN], const void *in,
				      size_t len);

#endif
