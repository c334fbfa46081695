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
#include <stdbool.h>
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

/*
 * The one known difference: glibc 2.36's strtof gets some hexadecimal
 * inputs with a subnormal float result wrong, where strtod.c is right.
 * "0x0.00000000000000000000000000000002000006" is exactly 4194304.75
 * units of 2^-149, so it rounds up to 0x1.000004p-127, as strtod.c and
 * (float)strtod do; glibc's strtof gives 0x1p-127.  And for
 * "0x0.0000000000000000000000000000000200001200000000000" (4194306.25
 * units: tiny and inexact, so ERANGE by the x86 rule strtod.c follows, as
 * glibc's decimal path does) glibc leaves errno alone.  Accepted when the
 * input is hexadecimal, both results are subnormal floats at most one unit
 * apart, ours is glibc's strtold rounded to float (64 bits, then 24) and
 * our errno is ERANGE exactly when that rounding was inexact.
 */
static bool glibc_hex_subnormal(const char *s, float g, float w, int errg)
{
	const char *p = s;
	long double x;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '-' || *p == '+')
		p++;
	if (p[0] != '0' || (p[1] | 0x20) != 'x')
		return false;
	x = strtold(s, NULL);
	return fabsf(g) < 0x1p-126f && fabsf(w) < 0x1p-126f && fabsf(g - w) <= 0x1p-149f &&
	       g == (float)x && errg == ((long double)g != x ? ERANGE : 0);
}

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
		if (bytes == 4 && glibc_hex_subnormal(s, (float)g, (float)w, errg)) \
			errw = errg, memcpy(&w, &g, bytes);			\
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
