/*
 * krt/blake2.h - BLAKE2b-256 (32-byte digests) for the kernel, computed by
 * Debian's libb2.a (tcc-runtime/blake2.c says which of its code runs).
 * One call for a buffer in memory, or init/update/final for data that comes
 * in pieces; both give the same digest for the same bytes.
 */
#ifndef KARYON_KRT_BLAKE2_H
#define KARYON_KRT_BLAKE2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <blake2.h>     /* libb2-dev's header, copied into the build tree */
#include <karyon/err.h>

#define KRT_BLAKE2B_256_LEN 32

struct krt_blake2b {
	blake2b_state st;
	bool done;      /* final ran: update and final refuse until the next init */
};

/* KR_EINVAL if out is NULL, or in is NULL with len > 0. */
kr_err_t kr_blake2b_256(uint8_t out[KRT_BLAKE2B_256_LEN], const void *in, size_t len);

kr_err_t krt_blake2b_init(struct krt_blake2b *s);
/* Both return KR_EALREADY after final, until the next init. */
kr_err_t krt_blake2b_update(struct krt_blake2b *s, const void *in, size_t len);
kr_err_t krt_blake2b_final(struct krt_blake2b *s, uint8_t out[KRT_BLAKE2B_256_LEN]);

#endif
