/*
 * fortify.c - the _FORTIFY_SOURCE checking functions Debian's libb2.a calls.
 *
 * Debian builds its libraries with -D_FORTIFY_SOURCE=2: where gcc knew the
 * size of a destination it emitted __memcpy_chk / __explicit_bzero_chk,
 * which take that size as one more argument, instead of memcpy /
 * explicit_bzero.  In libb2 only keyed hashing (blake2b_init_key_*) calls
 * them, and krt/blake2.h offers no key, so today they are linked but not
 * reached.  They are real anyway: a stub would be no shorter.
 *
 * An overflow they catch is memory corruption under way, so like glibc they
 * stop on the spot: ud2, which the kernel reports as #UD with a backtrace
 * through the caller.
 */
#include <stddef.h>
#include <krt/string.h>

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void __explicit_bzero_chk(void *dst, size_t n, size_t dstlen);

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return memcpy(dst, src, n);
}

void __explicit_bzero_chk(void *dst, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	memset(dst, 0, n);
	/* The point of explicit_bzero: the stores stay even if dst is dead after. */
	__asm__ volatile("" : : "r"(dst) : "memory");
}
