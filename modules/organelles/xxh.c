/*
 * xxh.c - XXH3-64 for the organelles: thin glue around Debian's
 * libxxhash.a (package libxxhash-dev), which does all the hashing.  The
 * kernel's organelles module, the host tools and the tests all link this
 * file and that archive, so a checksum is the same everywhere.
 *
 * libxxhash.a is one object, xxhash.o, built for user space: linking
 * XXH3_64bits pulls in all of it, and it calls
 *	memcpy, __stack_chk_fail      the kernel exports both (karyon/libc.h;
 *	                              the canary at %fs:0x28, as boot.S sets up)
 *	__memcpy_chk                  _FORTIFY_SOURCE: tcc-runtime/fortify.c,
 *	                              which the kernel has but does not export,
 *	                              linked into the module as tcc does
 *	malloc, free                  only XXH*_createState/freeState, which
 *	                              nothing here calls: the shims below (in
 *	                              the kernel build only, -DPARCEL_XXH_KERNEL)
 * Its code is SSE2 (x86_64's baseline; no AVX, no CPUID dispatch), so this
 * file and its callers are compiled with SSE allowed (a module's 'fpu');
 * ctx_switch saves the FPU state of kernel contexts.  Like libb2 it may use
 * the red zone and spill XMM registers with movaps: interrupts run on IST
 * stacks, and each entry here realigns the stack (force_align_arg_pointer),
 * as tcc-runtime/krt/blake2.c does.
 */
#define XXH_STATIC_LINKING_ONLY        /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "xxh.h"

#define XXH_ENTRY __attribute__((force_align_arg_pointer))

XXH_ENTRY uint64_t parcel_xxh3(const void *p, size_t n)
{
	return XXH3_64bits(p, n);
}

/* The streaming state is 576 bytes, 64-byte aligned: on the stack of a
 * 16 KiB kernel stack, never static (callers may run concurrently). */
XXH_ENTRY uint64_t parcel_xxh3_2(const void *a, size_t na, const void *b, size_t nb)
{
	XXH3_state_t st;

	/* reset, update and digest fail only on a NULL state or data. */
	XXH3_64bits_reset(&st);
	if (na)
		XXH3_64bits_update(&st, a, na);
	if (nb)
		XXH3_64bits_update(&st, b, nb);
	return XXH3_64bits_digest(&st);
}

#ifdef PARCEL_XXH_KERNEL
/* The archive's createState/freeState are its only callers; the kernel has
 * no malloc (kr_malloc charges a domain this glue does not know).  A state
 * can be created nowhere, so free only ever sees NULL. */
void *malloc(size_t n);
void free(void *p);

void *malloc(size_t n)
{
	(void)n;
	return NULL;
}

void free(void *p)
{
	(void)p;
}
#endif
