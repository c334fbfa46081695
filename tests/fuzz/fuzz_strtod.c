/*
 * fuzz_strtod.c - differential libFuzzer target: tcc-runtime/libc/strtod.c
 * against glibc.  strtod.c promises glibc's results bit for bit (NaN
 * payloads included), endptr where glibc leaves it and the same ERANGE, so
 * for any string all three of strtof, strtod and strtold must agree.
 *
 * The input, up to a NUL, is the string.  strtod.c is included renamed to
 * kr_test_*, as tests/unit/test_strtod.c does.  Built and run by
 * tools/fuzz.sh.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define strtod kr_test_strtod
#define strtof kr_test_strtof
#define strtold kr_test_strtold
#define atof kr_test_atof
#define ldexp kr_test_ldexp
#define frexp kr_test_frexp
#include "libc/strtod.c"
#include "libc/fpdec.c"
#undef strtod
#undef strtof
#undef strtold
#undef atof
#undef ldexp
#undef frexp

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Compare the value's bytes (size: long double's 10, not its padding). */
#define CMP(type, bytes, ours, ref)						\
	do {									\
		type g, w;							\
		char *eg = NULL, *ew = NULL;					\
		int errg, errw;							\
										\
		memset(&g, 0, sizeof(g));					\
		memset(&w, 0, sizeof(w));					\
		errno = 0;							\
		g = ours(s, &eg);						\
		errg = errno;							\
		errno = 0;							\
		w = ref(s, &ew);						\
		errw = errno;							\
		if (memcmp(&g, &w, bytes) || eg != ew || errg != errw) {	\
			fprintf(stderr, #ours "(\"%s\"): %La end+%td errno %d, "	\
				"glibc %La end+%td errno %d\n", s, (long double)g, \
				eg - s, errg, (long double)w, ew - s, errw);	\
			abort();						\
		}								\
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	CMP(double, 8, kr_test_strtod, strtod);
	CMP(float, 4, kr_test_strtof, strtof);
	CMP(long double, 10, kr_test_strtold, strtold);
	free(s);
	return 0;
}
