/*
 * blake2.c - BLAKE2b-256 for the kernel: thin checks around Debian's libb2.a,
 * which does all the hashing.
 *
 * libb2's public names (blake2b, blake2b_init, ...) go through a dispatcher
 * that picks its ref, SSE2, SSSE3, SSE4.1, AVX or XOP build from CPUID on
 * first use.  It checks OSXSAVE and XCR0 before choosing AVX, but not before
 * XOP: on an AMD family 15h CPU it would run VEX/XOP code, which faults (#UD)
 * because the kernel never enables XSAVE state.  So this file picks a build
 * itself, from the two that need no XSAVE: SSE4.1 (with SSSE3's pshufb for
 * the rotations; 30% fewer instructions per byte, which counts at boot,
 * where kmod hashes the whole kernel) where CPUID has both, else SSE2, which
 * is part of x86_64, needs only the CR4.OSFXSR that boot.S sets, and is what
 * the dispatcher itself picks on QEMU's default qemu64 CPU.  Naming only
 * these symbols also keeps the dispatcher, the AVX/XOP objects and the
 * OpenMP-using blake2bp/blake2sp out of the link.
 *
 * libb2 is built for user space: its SSE code spills XMM registers to the
 * stack with movaps and uses the red zone.  Kernel C keeps 16-byte stack
 * alignment at calls, but a trap path need not, so each entry here realigns
 * (force_align_arg_pointer); interrupts run on IST stacks (cpu.c), so the
 * red zone is safe.  Kernel C, trap handlers included, never touches XMM, so
 * an interrupt cannot clobber libb2's registers (a scheduler that switches
 * kernel threads will have to save them).
 */
#include <cpuid.h>

#include <krt/blake2.h>

/* The SSE2 and SSE4.1 builds: exported by libb2.a but not declared in
 * blake2.h, with the same signatures as the public names. */
#define B2_DECLARE(isa)                                                                 \
	int blake2b_init_##isa(blake2b_state *S, size_t outlen);                        \
	int blake2b_update_##isa(blake2b_state *S, const uint8_t *in, size_t inlen);    \
	int blake2b_final_##isa(blake2b_state *S, uint8_t *out, size_t outlen);         \
	int blake2b_##isa(uint8_t *out, const void *in, const void *key, size_t outlen, \
			  size_t inlen, size_t keylen);
B2_DECLARE(sse2)
B2_DECLARE(sse41)

struct b2_build {
	int (*init)(blake2b_state *S, size_t outlen);
	int (*update)(blake2b_state *S, const uint8_t *in, size_t inlen);
	int (*final)(blake2b_state *S, uint8_t *out, size_t outlen);
	int (*all)(uint8_t *out, const void *in, const void *key, size_t outlen, size_t inlen,
		   size_t keylen);
};

static const struct b2_build b2_sse2 = {
	blake2b_init_sse2, blake2b_update_sse2, blake2b_final_sse2, blake2b_sse2
};
static const struct b2_build b2_sse41 = {
	blake2b_init_sse41, blake2b_update_sse41, blake2b_final_sse41, blake2b_sse41
};

#define KRT_ENTRY __attribute__((force_align_arg_pointer))

/* The build for this CPU, chosen at the first call and kept, so a state
 * from init always goes on through the same build. */
static const struct b2_build *b2(void)
{
	static const struct b2_build *chosen;
	unsigned int a, b, c, d;

	if (!chosen) {
		__cpuid(1, a, b, c, d);
		chosen = (c & bit_SSSE3) && (c & bit_SSE4_1) ? &b2_sse41 : &b2_sse2;
	}
	return chosen;
}

/* libb2 fails only on the arguments checked before each call. */
static kr_err_t b2_result(int r)
{
	return r ? KR_EINVAL : KR_OK;
}

KRT_ENTRY kr_err_t kr_blake2b_256(uint8_t out[KRT_BLAKE2B_256_LEN], const void *in, size_t len)
{
	if (!out || (!in && len))
		return KR_EINVAL;
	return b2_result(b2()->all(out, in, NULL, KRT_BLAKE2B_256_LEN, len, 0));
}

KRT_ENTRY kr_err_t krt_blake2b_init(struct krt_blake2b *s)
{
	if (!s)
		return KR_EINVAL;
	s->done = false;
	return b2_result(b2()->init(&s->st, KRT_BLAKE2B_256_LEN));
}

KRT_ENTRY kr_err_t krt_blake2b_update(struct krt_blake2b *s, const void *in, size_t len)
{
	if (!s || (!in && len))
		return KR_EINVAL;
	if (s->done)
		return KR_EALREADY;
	return b2_result(b2()->update(&s->st, in, len));
}

/* libb2 would pad and compress again on a second final: a wrong digest. */
KRT_ENTRY kr_err_t krt_blake2b_final(struct krt_blake2b *s, uint8_t out[KRT_BLAKE2B_256_LEN])
{
	if (!s || !out)
		return KR_EINVAL;
	if (s->done)
		return KR_EALREADY;
	s->done = true;
	return b2_result(b2()->final(&s->st, out, KRT_BLAKE2B_256_LEN));
}
