/*
 * test_strtol.c - tcc-runtime/libc/strtol.c (and errno.c) against glibc:
 * the value, where endptr lands and what errno becomes, for hand-picked
 * edge cases and random strings, in every base from -1 to 37.  Also the
 * rest of stdlib.h's integer functions (libc/stdlib.c): abs, div and kin.
 *
 * The library's functions carry the standard names, so this file includes
 * the sources with each renamed to kr_test_*, glibc's versions beside them.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "krt_libc_host.h"
/* The functions under test. */
#define __errno_location kr_test_errno_location
#define strtol kr_test_strtol
#define strtoul kr_test_strtoul
#define strtoll kr_test_strtoll
#define strtoull kr_test_strtoull
#define atoi kr_test_atoi
#define atol kr_test_atol
#define atoll kr_test_atoll
#define abs kr_test_abs
#define labs kr_test_labs
#define llabs kr_test_llabs
#include "libc/errno.c"
#include "libc/strtol.c"
#include "libc/stdlib.c"
#undef abs
#undef labs
#undef llabs
#undef div_t
#undef ldiv_t
#undef lldiv_t
#undef div
#undef ldiv
#undef lldiv
#undef __errno_location
#undef strtol
#undef strtoul
#undef strtoll
#undef strtoull
#undef atoi
#undef atol
#undef atoll

#define SENTINEL 12345

static int valid_base(int base)
{
	return base == 0 || (base >= 2 && base <= 36);
}

/* One function of the strtol family, run on both sides. */
#define COMPARE(fn, s, base)                                                        \
	do {                                                                        \
		char *e1 = (char *)1, *e2 = (char *)1;                              \
		errno = SENTINEL;                                                   \
		*kr_test_errno_location() = SENTINEL;                               \
		__typeof__(fn(s, &e1, base)) want = fn(s, &e1, base);               \
		int want_errno = errno;                                             \
		__typeof__(want) got = kr_test_##fn(s, &e2, base);                  \
		if (!valid_base(base))                                              \
			e1 = e2;	/* see test_strtol_bad_base */              \
		if (got != want || e1 != e2 || *kr_test_errno_location() != want_errno) \
			fail_msg("%s(\"%s\", %d): got %lld end %td errno %d, "       \
				 "want %lld end %td errno %d", #fn, s, base,          \
				 (long long)got, e2 - (s), *kr_test_errno_location(), \
				 (long long)want, e1 - (s), want_errno);               \
	} while (0)

static void compare_all(const char *s, int base)
{
	COMPARE(strtol, s, base);
	COMPARE(strtoul, s, base);
	COMPARE(strtoll, s, base);
	COMPARE(strtoull, s, base);
}

static const char *const cases[] = {
	"", " ", "0", "-0", "+0", "00", "0x", "0X", "0x1f", "0X1F", "-0x1f", "+0xAbC", "0xg",
	"0x 1", " \t\n\v\f\r42", "42abc", "abc", "zz", "Zz", "-", "+", "- 1", "--1", "+-1",
	"-+1", " -0x", "0x0x", "00x1", "0777", "08", "09", "0b101", "1e5", "1.5", "\x80" "1",
	"\xa0" "5", "12\x80", "0x-1", "0x+1",
	"127", "128", "-128", "2147483647", "2147483648", "-2147483648", "-2147483649",
	"4294967295", "4294967296", "-4294967296",
	"9223372036854775807", "9223372036854775808", "-9223372036854775807",
	"-9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "-18446744073709551615",
	"-18446744073709551616", "99999999999999999999999999", "-99999999999999999999999999x",
	"0x7fffffffffffffff", "0x8000000000000000", "-0x8000000000000000", "-0x8000000000000001",
	"0xffffffffffffffff", "0x10000000000000000", "-0xffffffffffffffff",
	"1111111111111111111111111111111111111111111111111111111111111111",
	"11111111111111111111111111111111111111111111111111111111111111111",
	"3w5e11264sgsf", "3w5e11264sgsg", "-3w5e11264sgsg", "1y2p0ij32e8e7", "1y2p0ij32e8e8",
	"000000000000000000000000000000000000000000000000000001",
};

static void test_strtol_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int base = -1; base <= 37; base++)
			compare_all(cases[i], base);
	compare_all("12", INT_MIN);
	compare_all("12", INT_MAX);
}

/* Invalid bases: EINVAL and 0, and glibc 2.36 leaves endptr unwritten.
 * That is checked here alone: ASan's strtol interceptor (the reference in
 * these builds) sets endptr in that case. */
static void test_strtol_bad_base(void **state)
{
	char *end = (char *)1;

	(void)state;
	*kr_test_errno_location() = 0;
	assert_int_equal(kr_test_strtol("12", &end, 1), 0);
	assert_int_equal(*kr_test_errno_location(), EINVAL);
	assert_ptr_equal(end, (char *)1);
	assert_int_equal(kr_test_strtoul("12", NULL, 37), 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Random strings over the characters that matter, in every base. */
static void test_strtol_random(void **state)
{
	static const char alphabet[] = " \t+-0000111789abfxXzZ_";
	char s[40];

	(void)state;
	for (int iter = 0; iter < 40000; iter++) {
		size_t n = rnd(sizeof(s) - 1);

		for (size_t k = 0; k < n; k++)
			s[k] = alphabet[rnd(sizeof(alphabet) - 1)];
		s[n] = '\0';
		compare_all(s, (int)rnd(39) - 1);
	}
}

/* Long digit runs near the 64-bit limits, in every valid base. */
static void test_strtol_limits(void **state)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char s[80];

	(void)state;
	for (int iter = 0; iter < 40000; iter++) {
		int base = 2 + (int)rnd(35);
		size_t n = 1 + rnd(70), k = 0;

		if (rnd(2))
			s[k++] = "-+"[rnd(2)];
		for (; k < n; k++)
			s[k] = digits[rnd((unsigned)base)];
		s[n] = '\0';
		compare_all(s, base);
	}
}

static void test_atoi(void **state)
{
	static const char *const more[] = {
		"  -42x", "2147483648", "-2147483649", "4294967297", "99999999999999999999", "x",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) + 6; i++) {
		const char *s = i < sizeof(cases) / sizeof(cases[0]) ? cases[i] :
			more[i - sizeof(cases) / sizeof(cases[0])];

		errno = SENTINEL;
		*kr_test_errno_location() = SENTINEL;
		assert_int_equal(kr_test_atoi(s), atoi(s));
		assert_int_equal(kr_test_atol(s), atol(s));
		assert_int_equal(kr_test_atoll(s), atoll(s));
		assert_int_equal(*kr_test_errno_location(), errno);
	}
}

static void test_abs_div(void **state)
{
	(void)state;
	/* glibc wraps the most negative value onto itself. */
	assert_int_equal(kr_test_abs(INT_MIN), INT_MIN);
	assert_true(kr_test_labs(LONG_MIN) == LONG_MIN);
	assert_true(kr_test_llabs(LLONG_MIN) == LLONG_MIN);
	for (int iter = 0; iter < 100000; iter++) {
		long long a = (long long)(rng ^ ((uint64_t)rnd(1u << 31) << 32));
		long long b = (long long)rnd(1000) - 500;
		int ia = (int)a, ib = (int)(b ? b : 7);

		if (iter & 1)
			a >>= rnd(63);
		if (!b || (ia == INT_MIN && ib == -1))
			continue;
		assert_int_equal(kr_test_abs(ia), abs(ia));
		assert_true(a == LLONG_MIN || kr_test_labs(a) == labs(a));
		assert_true(a == LLONG_MIN || kr_test_llabs(a) == llabs(a));
		div_t d = div(ia, ib);
		kr_test_div_t kd = kr_test_div(ia, ib);

		assert_int_equal(kd.quot, d.quot);
		assert_int_equal(kd.rem, d.rem);
		ldiv_t ld = ldiv(a, b);
		kr_test_ldiv_t kld = kr_test_ldiv(a, b);

		assert_true(kld.quot == ld.quot && kld.rem == ld.rem);
		lldiv_t lld = lldiv(a, b);
		kr_test_lldiv_t klld = kr_test_lldiv(a, b);

		assert_true(klld.quot == lld.quot && klld.rem == lld.rem);
	}
	kr_test_div_t d = kr_test_div(-7, 2);

	assert_int_equal(d.quot, -3);	/* toward zero */
	assert_int_equal(d.rem, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strtol_cases),
		cmocka_unit_test(test_strtol_bad_base),
		cmocka_unit_test(test_strtol_random),
		cmocka_unit_test(test_strtol_limits),
		cmocka_unit_test(test_atoi),
		cmocka_unit_test(test_abs_div),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
