/*
 * fuzz_strtol.c - differential libFuzzer target: tcc-runtime/libc/strtol.c
 * against glibc.  Same string, same base, same value, endptr and errno.
 *
 * The first byte is the base, -1 to 37 (invalid bases included: both must
 * say EINVAL alike, as tests/unit/test_strtol.c checks); the rest, up to a
 * NUL, is the string.  The library's functions carry the standard names,
 * so this file includes the sources renamed to kr_test_*, as the unit test
 * does.  Built and run by tools/fuzz.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krt_libc_host.h"
#define __errno_location kr_test_errno_location
#define strtol kr_test_strtol
#define strtoul kr_test_strtoul
#define strtoll kr_test_strtoll
#define strtoull kr_test_strtoull
#include "libc/errno.c"
#include "libc/strtol.c"
#undef __errno_location
#undef strtol
#undef strtoul
#undef strtoll
#undef strtoull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* glibc's own functions, past ASan's interceptors: those write endptr even
 * for a bad base, where glibc 2.36 (and ours) leave it alone. */
static long (*ref_strtol)(const char *, char **, int);
static unsigned long (*ref_strtoul)(const char *, char **, int);
static long long (*ref_strtoll)(const char *, char **, int);
static unsigned long long (*ref_strtoull)(const char *, char **, int);

/* Ours sets its own errno (kr_test_errno_location); glibc's is errno. */
#define CMP(type, ours, ref)							\
	do {									\
		type g, w;							\
		char *eg = NULL, *ew = NULL; /* a bad base leaves them alone */	\
		int errg, errw;							\
										\
		*kr_test_errno_location() = 0;					\
		g = ours(s, &eg, base);						\
		errg = *kr_test_errno_location();				\
		errno = 0;							\
		w = ref(s, &ew, base);						\
		errw = errno;							\
		if (g != w || eg != ew || errg != errw) {			\
			fprintf(stderr, #ours "(\"%s\", %d): %lld end+%td errno %d, " \
				"glibc %lld end+%td errno %d\n", s, base,	\
				(long long)g, eg - s, errg, (long long)w, ew - s, errw); \
			abort();						\
		}								\
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	int base;

	if (size < 1)
		return 0;
	if (!ref_strtol) {
		ref_strtol = (long (*)(const char *, char **, int))dlsym(RTLD_NEXT, "strtol");
		ref_strtoul = (unsigned long (*)(const char *, char **, int))
			dlsym(RTLD_NEXT, "strtoul");
		ref_strtoll = (long long (*)(const char *, char **, int))dlsym(RTLD_NEXT, "strtoll");
		ref_strtoull = (unsigned long long (*)(const char *, char **, int))
			dlsym(RTLD_NEXT, "strtoull");
		if (!ref_strtol || !ref_strtoul || !ref_strtoll || !ref_strtoull)
			abort();
	}
	base = data[0] % 39 - 1;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	CMP(long, kr_test_strtol, ref_strtol);
	CMP(unsigned long, kr_test_strtoul, ref_strtoul);
	CMP(long long, kr_test_strtoll, ref_strtoll);
	CMP(unsigned long long, kr_test_strtoull, ref_strtoull);
	free(s);
	return 0;
}
