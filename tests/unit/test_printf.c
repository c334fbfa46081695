/*
 * test_printf.c - tcc-runtime/libc/printf.c (the engine krt/format.c under
 * glibc's rules) against glibc's printf, which is the reference byte for
 * byte: integer formats over every flag, width,
 * precision and modifier; strings, characters, pointers and glibc's
 * spellings for NULL; %e/%f/%g/%a on crafted doubles and long doubles
 * (halfway cases, subnormals, every x87 encoding) and on a deterministic
 * sweep of random bit patterns; exact expansions thousands of digits long;
 * errors (-1 and errno); truncation; and the _chk entry points.
 *
 * printf.c defines the standard names, so this file includes it (with
 * format.c, printf_fp.c and fpdec.c) with each of them renamed to kr_test_*;
 * glibc's stay reachable.
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#define krt_vformat kr_test_vformat
#define vsnprintf kr_test_vsnprintf
#define snprintf kr_test_snprintf
#define vsprintf kr_test_vsprintf
#define sprintf kr_test_sprintf
#define __vsnprintf_chk kr_test_vsnprintf_chk
#define __snprintf_chk kr_test_snprintf_chk
#define __vsprintf_chk kr_test_vsprintf_chk
#define __sprintf_chk kr_test_sprintf_chk
#define __chk_fail kr_test_chk_fail
#include "krt/format.c"
#include "libc/printf.c"
#include "libc/printf_fp.c"
#include "libc/fpdec.c"
#undef krt_vformat
#undef vsnprintf
#undef snprintf
#undef vsprintf
#undef sprintf
#undef __vsnprintf_chk
#undef __snprintf_chk
#undef __vsprintf_chk
#undef __sprintf_chk
#undef __chk_fail

/* The kernel defines __chk_fail; here it jumps back into the test that expects it. */
static jmp_buf chk_jmp;
static bool chk_armed;

void kr_test_chk_fail(void)
{
	assert_true(chk_armed);
	chk_armed = false;
	longjmp(chk_jmp, 1);
}

static unsigned long checks;

#define BUF 640

/* Format with both engines into same-sized buffers; output, result and errno must agree. */
static void __attribute__((format(printf, 2, 0))) vcmp_size(size_t size, const char *f, va_list a)
{
	char got[BUF], want[BUF];
	va_list b;
	int rg, rw, eg, ew;

	assert_true(size <= sizeof(got));
	memset(got, 'X', sizeof(got));
	memset(want, 'X', sizeof(want));
	va_copy(b, a);
	errno = 0;
	rg = kr_test_vsnprintf(got, size, f, a);
	eg = errno;
	errno = 0;
	rw = vsnprintf(want, size, f, b);
	ew = errno;
	va_end(b);
	checks++;
	/* Whole buffers: also proves nothing was written past size. */
	if (rg != rw || memcmp(got, want, sizeof(got)) || (rw < 0 && eg != ew)) {
		print_error("format \"%s\" size %zu: got \"%.*s\" (%d, errno %d), "
			    "glibc \"%.*s\" (%d, errno %d)\n",
			    f, size, (int)(size ? size - 1 : 0), got, rg, eg,
			    (int)(size ? size - 1 : 0), want, rw, ew);
		fail();
	}
}

static void __attribute__((format(printf, 2, 3))) cmp_size(size_t size, const char *f, ...)
{
	va_list a;

	va_start(a, f);
	vcmp_size(size, f, a);
	va_end(a);
}

#define cmp(...) cmp_size(BUF, __VA_ARGS__)

/* The same without gcc's format check, for formats glibc reads its own way. */
static void odd(const char *f, ...)
{
	va_list a;

	va_start(a, f);
	vcmp_size(BUF, f, a);
	va_end(a);
}

/* Ours alone, without gcc's format checks: for formats whose limits are the point. */
static int ours(char *buf, size_t size, const char *f, ...)
{
	va_list a;
	int n;

	va_start(a, f);
	n = kr_test_vsnprintf(buf, size, f, a);
	va_end(a);
	return n;
}

/* Outputs longer than BUF: compare through malloc'd buffers. */
static void __attribute__((format(printf, 1, 2))) cmp_long(const char *f, ...)
{
	va_list a, b;
	int rg, rw;
	char *got, *want;

	va_start(a, f);
	va_copy(b, a);
	rw = vsnprintf(NULL, 0, f, b);
	va_end(b);
	assert_true(rw >= 0);
	got = malloc(rw + 1);
	want = malloc(rw + 1);
	va_copy(b, a);
	rg = kr_test_vsnprintf(got, rw + 1, f, a);
	vsnprintf(want, rw + 1, f, b);
	va_end(b);
	va_end(a);
	checks++;
	if (rg != rw || strcmp(got, want)) {
		size_t i = 0;

		while (got[i] == want[i])
			i++;
		print_error("format \"%s\": %d vs glibc %d chars, first difference at %zu: "
			    "\"%.40s\" vs \"%.40s\"\n", f, rg, rw, i, got + i, want + i);
		fail();
	}
	free(got);
	free(want);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double dbl_of(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static long double ldbl_of(uint16_t se, uint64_t m)
{
	long double x = 0;

	memcpy(&x, &m, 8);
	memcpy((char *)&x + 8, &se, 2);
	return x;
}

/* ---- Integers, strings, characters, pointers ---- */

static const long long edge_values[] = {
	0, 1, -1, 7, 8, 42, 255, 256, -128, -129, 32767, -32768, 65536, INT_MAX, INT_MIN,
	(long long)UINT_MAX, LLONG_MAX, LLONG_MIN, 0x123456789abcdefLL,
};

#define CMP_STARS(f, star, sw, sp, v)				\
	do {							\
		switch (star) {					\
		case 0: odd(f, v); break;			\
		case 1: odd(f, sw, v); break;			\
		case 2: odd(f, sp, v); break;			\
		default: odd(f, sw, sp, v); break;		\
		}						\
	} while (0)

/* Pass the value as the type the modifier names; L and q read a long long in glibc. */
static void cmp_int(const char *f, const char *len, int star, int sw, int sp, long long x)
{
	if (!strcmp(len, "l") || !strcmp(len, "z") || !strcmp(len, "t") || !strcmp(len, "j"))
		CMP_STARS(f, star, sw, sp, (long)x);
	else if (!strcmp(len, "ll") || !strcmp(len, "L") || !strcmp(len, "q"))
		CMP_STARS(f, star, sw, sp, x);
	else	/* "", h, hh: promoted to int; full int bits test the narrowing */
		CMP_STARS(f, star, sw, sp, (int)x);
}

/*
 * prefix is "" or "%y": an unknown conversion, after which glibc finishes
 * the format on its slow path, where 'L' and 'q' integers are ints and a
 * negative '*' width keeps the '0' flag.
 */
static void integers_vs_glibc(const char *prefix)
{
	static const char *const widths[] = { "", "1", "7", "*" };
	static const char *const precs[] = { "", ".", ".0", ".3", ".25", ".*" };
	static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "t", "j", "L", "q" };
	static const char convs[] = "diuxXo";
	static const int star_w[] = { 9, -9, 0 }, star_p[] = { -1, 0, 12 };
	unsigned long before = checks;

	for (unsigned int flags = 0; flags < 128; flags++)
	for (size_t w = 0; w < sizeof(widths) / sizeof(*widths); w++)
	for (size_t p = 0; p < sizeof(precs) / sizeof(*precs); p++)
	for (size_t l = 0; l < sizeof(lens) / sizeof(*lens); l++)
	for (const char *c = convs; *c; c++) {
		char f[32], *q = f;
		int star = (*widths[w] == '*') | (*precs[p] && precs[p][1] == '*') << 1;

		/* All 7 flags only on a sample: the last two are glibc's ' and I. */
		if (flags >= 32 && (w || p || l > 1))
			continue;
		q = stpcpy(q, prefix);
		*q++ = '<';
		*q++ = '%';
		for (int b = 0; b < 7; b++)
			if (flags & 1u << b)
				*q++ = "-0+ #'I"[b];
		sprintf(q, "%s%s%s%c>", widths[w], precs[p], lens[l], *c);
		for (size_t v = 0; v < sizeof(edge_values) / sizeof(*edge_values); v++) {
			int sw = star_w[v % 3], sp = star_p[(v / 3) % 3];

			cmp_int(f, lens[l], star, sw, sp, edge_values[v]);
		}
	}
	assert_true(checks - before > 400000);
}

static void test_integers_vs_glibc(void **state)
{
	(void)state;
	integers_vs_glibc("");
}

static void test_integers_slow_path(void **state)
{
	(void)state;
	integers_vs_glibc("%y");
}

static void test_strings_chars_pointers(void **state)
{
	static const char *const strs[] = { "", "a", "hello", "a longer string of text", NULL };
	static const char *const sfmts[] = {
		"[%s]", "[%10s]", "[%-10s]", "[%.0s]", "[%.3s]", "[%.5s]", "[%.6s]", "[%.30s]",
		"[%8.3s]", "[%-8.3s]", "[%*s]", "[%-*s]", "[%1s]", "[%010s]", "[%+ #s]", "[%hs]",
		"[%.*s]",
	};
	static const char *const cfmts[] = {
		"[%c]", "[%5c]", "[%-5c]", "[%*c]", "[%-*c]", "[%05c]", "[%hhc]", "[%Lc]",
	};
	static const char *const pfmts[] = {
		"[%p]", "[%20p]", "[%-20p]", "[%3p]", "[%*p]", "[%+p]", "[% p]", "[%020p]",
		"[%.20p]", "[%.3p]", "[%#p]", "[%-+8p]", "[%0-20p]", "[%hp]", "[%lp]",
	};
	static void *const ptrs[] = {
		NULL, (void *)1, (void *)0xdeadbeef, (void *)UINTPTR_MAX, (void *)&checks,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(sfmts) / sizeof(*sfmts); i++)
		for (size_t j = 0; j < sizeof(strs) / sizeof(*strs); j++) {
			if (strchr(sfmts[i], '*'))
				odd(sfmts[i], -7 + (int)j * 4, strs[j]);
			else
				odd(sfmts[i], strs[j]);
		}
	for (size_t i = 0; i < sizeof(cfmts) / sizeof(*cfmts); i++)
		for (int c = 0; c < 256; c += 17) {	/* includes 0: a NUL byte is output */
			if (strchr(cfmts[i], '*'))
				odd(cfmts[i], c - 128, c);
			else
				odd(cfmts[i], c);
		}
	for (size_t i = 0; i < sizeof(pfmts) / sizeof(*pfmts); i++)
		for (size_t j = 0; j < sizeof(ptrs) / sizeof(*ptrs); j++) {
			if (strchr(pfmts[i], '*'))
				odd(pfmts[i], (int)j * 6 - 12, ptrs[j]);
			else
				odd(pfmts[i], ptrs[j]);
		}
	cmp("100%% sure, %d%%", 5);
	odd("[%5%][%-5%][%05%][%l%]");
	cmp("%s=%d %s=%#x %c", "a", -3, "b", 255u, 'z');
}

/* %lc and %ls: ASCII goes through, anything else is EILSEQ, as in glibc's C locale. */
static void test_wide(void **state)
{
	static const wchar_t *const ws[] = { L"", L"abc", L"h\u00e9llo", L"x\x7f", NULL };
	static const char *const fmts[] = {
		"[%ls]", "[%8ls]", "[%-8ls]", "[%.2ls]", "[%.1ls]", "[%.7ls]", "[%lls]",
		"[%zs]", "[%ts]", "[%js]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(*fmts); i++)
		for (size_t j = 0; j < sizeof(ws) / sizeof(*ws); j++)
			odd(fmts[i], ws[j]);
	for (unsigned int c = 0; c < 300; c += 7) {
		odd("[%lc]", c);
		odd("[%-3lc|%3lc]", c, c);
		odd("[%zc]", c);
	}
	odd("[%lc]", 0x7fu);
	odd("[%lc]", 0x80u);
	odd("[%C|%S]", 'x', L"yz");
	/* 'L' and 'q' make %s and %c wide, unless glibc has left its fast path. */
	odd("[%Ls|%qs|%Lc]", L"ab", L"cd", 'e');
	odd("[%hs][%Ls|%qs|%Lc|%ls]", "x", "ab", "cd", 'e', L"fg");
	odd("[%y][%Ls|%qc]", "ab", 'c');
	odd("[%ha][%Lc]", 1.0, 'c');
	odd("[%hhs][%Ls]", "x", L"ab");
}

static void test_count(void **state)
{
	signed char hh = 0;
	short h = 0;
	int i = 0;
	long l = 0;
	long long ll = 0;
	char buf[64];
	int n;

	(void)state;
	n = kr_test_snprintf(buf, sizeof(buf), "abc%hhn%-10d%hn|%n%s%ln%lln", &hh, 7, &h, &i, "xyz",
			     &l, &ll);
	assert_int_equal(n, 17);
	assert_string_equal(buf, "abc7         |xyz");
	assert_int_equal(hh, 3);
	assert_int_equal(h, 13);
	assert_int_equal(i, 14);
	assert_int_equal(l, 17);
	assert_int_equal(ll, 17);
}

/* Conversions glibc does not know come back as written; their '*' arguments are used up. */
static void test_unknown_and_errors(void **state)
{
	char buf[32];
	static const char *const unknown[] = {
		"[%y]|%d", "[%5y]|%d", "[%-#5.3y]|%d", "[%-05y]|%d", "[%0-5y]|%d", "[%+ y]|%d",
		"[% +y]|%d", "[%0#'I5.7y]|%d", "[%.y]|%d", "[%hy]|%d", "[%lly]|%d", "[%Ly]|%d",
		"[%5-d]|%d", "[%.3.4d]|%d", "[%00005d]|%d", "[%+-+-5d]|%d", "[%0 0 d]|%d",
		"[%--5d]|%d", "[%ly %hhy %jy %zy %ty %qy %Zy]|%d",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(*unknown); i++)
		odd(unknown[i], 5, 6);
	odd("[%.*y][%*y]|%d", 5, 6, 7);
	/* glibc's %m (strerror(errno)) is the one known deviation: no error texts here. */
	assert_int_equal(kr_test_snprintf(buf, sizeof(buf), "[%-4m]|%d", 5), 8);
	assert_string_equal(buf, "[%-4m]|5");
	odd("[%*y]|%d", -6, 7);
	odd("[%0*y][%-0*y][%0*y]|%d", -5, 5, -5, 7);
	odd("%y[%0*Ld][%0*qu][%0*llx][%0*Lx]", 3, 0x100000005LL, 3, 0x100000005ULL, 3,
	    0x100000005ULL, 3, 0x100000005ULL);
	odd("%y[%0*f][%0*e][%0*a][%0*g][%0*La][%0*d][%0*s]", -12, INFINITY, -12, -NAN, -12, -0.0,
	    -12, 0.0, -16, 1.5L, -6, 42, -6, "ab");
	odd("[%b|%#b|%#B|%.5b|%-#10b|%+b|%hhb|%lb|%#llB]", 5u, 5u, 5u, 5u, 5u, 5u, 300u, 5ul,
	    ~0ull);
	/* Errors: a format ending inside a conversion, counts past INT_MAX. */
	odd("abc%");
	odd("abc%5");
	odd("%y abc%");		/* glibc's slow path prints these as written */
	odd("%hs abc%-0#.", "x");
	odd("%hc abc%5", 'x');
	odd("abc%-0#.");
	odd("abc%l");
	odd("%2147483648d", 1);
	odd("%.2147483648d", 1);
	odd("%.*d|%-*d|%0*d", -2, 1, -5, 2, -5, 3);
	/* glibc takes seconds per 2^31 characters of padding: these check
	 * against its results, recorded once, rather than calling it. */
	errno = 0;
	assert_int_equal(ours(buf, sizeof(buf), "%2147483647d", 1), INT_MAX);
	assert_string_equal(buf, "                               ");
	assert_int_equal(errno, 0);
	assert_int_equal(ours(buf, sizeof(buf), "%2147483647d%d", 1, 2), -1);
	assert_int_equal(errno, EOVERFLOW);
	errno = 0;
	assert_int_equal(ours(buf, 8, "%1073741824d%1073741824d", 1, 2), -1);
	assert_int_equal(errno, EOVERFLOW);
	errno = 0;
	/* A '*' width of INT_MIN: left-justified in 2^31 columns, then too long. */
	assert_int_equal(ours(buf, sizeof(buf), "%*d", INT_MIN, 1), -1);
	assert_string_equal(buf, "1                              ");
	assert_int_equal(errno, EOVERFLOW);
}

/* Every flag combination and a range of widths and precisions on a few values. */
static void float_formats(const char *prefix)
{
	static const double vals[] = {
		0.0, -0.0, 1.0, -1.5, 0.5, 2.5, 0.1, 123.456, 1e-5, 9.9999995, 99.5, 0.00123,
		1e21, 5e-324, DBL_MAX, DBL_MIN, INFINITY, -INFINITY, NAN, -NAN, 1234567.0, 0.95,
	};
	static const char *const widths[] = { "", "1", "12", "*" };
	static const char *const precs[] = { "", ".", ".0", ".1", ".3", ".17", ".*" };
	static const char convs[] = "feEgGaAF";
	unsigned long before = checks;

	for (unsigned int flags = 0; flags < 32; flags++)
	for (size_t w = 0; w < sizeof(widths) / sizeof(*widths); w++)
	for (size_t p = 0; p < sizeof(precs) / sizeof(*precs); p++)
	for (const char *c = convs; *c; c++) {
		char f[40], fl[40], *q = stpcpy(f, prefix), *r = fl;
		int star = (*widths[w] == '*') | (*precs[p] && precs[p][1] == '*') << 1;

		*q++ = '<';
		*q++ = '%';
		for (int b = 0; b < 5; b++)
			if (flags & 1u << b)
				*q++ = "-0+ #"[b];
		*q = 0;
		r = stpcpy(fl, f);
		sprintf(q, "%s%s%c>", widths[w], precs[p], *c);
		sprintf(r, "%s%sL%c>", widths[w], precs[p], *c);
		for (size_t v = 0; v < sizeof(vals) / sizeof(*vals); v++) {
			double x = vals[v];
			long double lx = vals[v];
			int sw = (int)v % 3 ? 14 : -14, sp = (int)(v / 3) % 4 - 1;

			switch (star) {
			case 0: odd(f, x); odd(fl, lx); break;
			case 1: odd(f, sw, x); odd(fl, sw, lx); break;
			case 2: odd(f, sp, x); odd(fl, sp, lx); break;
			default: odd(f, sw, sp, x); odd(fl, sw, sp, lx); break;
			}
		}
	}
	assert_true(checks - before > 100000);
}

static void test_float_formats(void **state)
{
	(void)state;
	float_formats("");
}

static void test_float_slow_path(void **state)
{
	(void)state;
	float_formats("%y");
}

/* Values where rounding decides: exact ties go to even, anything above a tie goes up. */
static void test_float_rounding(void **state)
{
	static const double ties[] = {
		0.5, 1.5, 2.5, 3.5, -0.5, -2.5, 0.125, 0.375, 0.25, 0.75, 1e23, 9.5, 99.5, 999.5,
		0.0625, 1.0 / 1024, 0x1p-20, 5e-1, 0.45, 0.55, 2.675, 1.005, 1e15 + 0.5,
		4503599627370496.5, 4503599627370497.5, 0x1.fffffffffffffp1023, 0x1p-1074,
		0x1.fffffffffffffp-1, 9.999999999999999e22, 0.9999999999999999, 999999.5, 9999995.0,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ties) / sizeof(*ties); i++) {
		for (int p = 0; p < 25; p++) {
			cmp("%.*f|%.*e|%.*g|%#.*g|%.*a", p, ties[i], p, ties[i], p, ties[i], p,
			    ties[i], p, ties[i]);
			cmp("%.*Lf|%.*Le|%.*Lg|%.*La", p, (long double)ties[i], p,
			    (long double)ties[i], p, (long double)ties[i], p, (long double)ties[i]);
		}
	}
	/* Carries through a run of nines into a new digit, or a new hex nibble. */
	cmp("%.0f %.1f %.2e %.3g %g %.0e", 9.5, 9.96, 9.996, 9.9996, 999999.5, 9.5);
	cmp("%.1La %.0La %.2La %.0a %.1a", 31.99L, 15.9L, 0x1.ff8p0L, 1.5, 0x1.f8p0);
}

/* The whole decimal expansion, as long as it is. */
static void test_exact_expansions(void **state)
{
	(void)state;
	cmp_long("%.30f %.60e %.40g", 0.1, 0.1, 0.1);
	cmp_long("%f %e %.400g", 1e300, 1e300, 1e300);
	cmp_long("%.1100f", 0x1p-1074);
	cmp_long("%.800e", 0x1p-1074);
	cmp_long("%.1100f", 0x1.fffffffffffffp-1022);
	cmp_long("%f %.0f %.20e", DBL_MAX, DBL_MAX, DBL_MAX);
	cmp_long("%.770g %#.770g", DBL_MIN, DBL_MIN);
	cmp_long("%Lf %.30Le", LDBL_MAX, LDBL_MAX);
	cmp_long("%.16500Lf", LDBL_TRUE_MIN);
	cmp_long("%.12000Le", LDBL_TRUE_MIN);
	cmp_long("%.12000Le", LDBL_MIN);
	cmp_long("%.11600Lg", 0x1.fffffffffffffffep-16383L);
	cmp_long("%.5000f|%.5000e", 1.0 / 3, 2.0 / 3);
	cmp_long("%60000.3f|%-60000e|", 1.5, -2.5);
}

static void cmp_double_all(double x, int p)
{
	cmp("%.*e|%.*f|%.*g|%.*a", p, x, p, x, p, x, p, x);
}

/* Random bit patterns, so every exponent and subnormals turn up, at several precisions. */
static void test_double_random(void **state)
{
	static const char *const fmts[] = { "%e|%f|%g|%a", "%#.0e|%#.0f|%#g|%#.0a", "%.17g|%.1e|%.3a" };

	(void)state;
	for (int i = 0; i < 60000; i++) {
		uint64_t u = rnd();
		double x = dbl_of(u);
		int p = (int)(rnd() % 40);

		if (i & 1)	/* half the time a value of ordinary size */
			x = dbl_of((u & 0x800fffffffffffffull) | (uint64_t)(0x3ff + (int)(u >> 52) % 80 - 40) << 52);
		cmp(fmts[i % 3], x, x, x, x);
		cmp_double_all(x, p);
		if (i % 64 == 0)
			cmp_double_all(x, 17 + (int)(rnd() % 300));
	}
}

/* Every x87 encoding: the valid ones, and those glibc calls NaN or reads its own way. */
static void test_long_double(void **state)
{
	static const struct { uint16_t se; uint64_t m; } enc[] = {
		{ 0, 0x8000000000000000ull }, { 0, 0x8000000000000001ull }, { 0, 0xc000000000000000ull },
		{ 0x3fff, 0x4000000000000000ull }, { 0x7fff, 0 }, { 0x7fff, 0x4000000000000000ull },
		{ 0x7fff, 0x8000000000000000ull }, { 0xffff, 0xc000000000000000ull },
		{ 0x7fff, 0x8000000000000001ull }, { 0, 0 }, { 0x8000, 0 }, { 1, 0x8000000000000000ull },
		{ 0xbfff, 0 }, { 0, 1 }, { 0x7ffe, 0xffffffffffffffffull }, { 0x3fff, 0xffffffffffffffffull },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(enc) / sizeof(*enc); i++) {
		long double x = ldbl_of(enc[i].se, enc[i].m);

		cmp("%Lg|%La|%.3Le|%Lf|%.0La|%.1La|%LA|%#.25Lg", x, x, x, x, x, x, x, x);
	}
	for (int i = 0; i < 24000; i++) {
		uint64_t m = rnd();
		uint16_t se = (uint16_t)rnd();
		long double x;
		int p = (int)(rnd() % 30);

		/* Mostly values of ordinary size: a random exponent is mostly one
		 * with thousands of digits, slow to expand (and glibc slower). */
		if (i % 8)
			se = (uint16_t)((se & 0x8000) | (0x3fff + (int)(se & 0xff) - 128));
		if (i & 2)
			m |= 1ull << 63;
		x = ldbl_of(se, m);
		cmp("%Le|%Lf|%Lg|%La", x, x, x, x);
		cmp("%.*Le|%.*Lg|%.*La|%#.*Lg", p, x, p, x, p, x, p, x);
	}
}

static void test_truncation_every_size(void **state)
{
	(void)state;
	for (size_t size = 0; size <= 48; size++) {
		cmp_size(size, "%d", INT_MIN);
		cmp_size(size, "%-12s|%#llx", "left", ULLONG_MAX);
		cmp_size(size, "%.20e|%a", M_PI, -M_PI);
		cmp_size(size, "%+08.3f%%|%g", -2.5, 1e-300);
	}
}

static void test_sprintf_and_friends(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(kr_test_sprintf(buf, "%s-%05.1f", "x", 3.14159), 7);
	assert_string_equal(buf, "x-003.1");
	assert_int_equal(kr_test_snprintf(NULL, 0, "%e", 1.0), 12);
	memcpy(buf, "xyz", 4);
	assert_int_equal(kr_test_snprintf(buf, 0, "%s", "hello"), 5);
	assert_string_equal(buf, "xyz");
	assert_int_equal(kr_test_snprintf(buf, 1, "%s", "hello"), 5);
	assert_string_equal(buf, "");
}

static int call_vsprintf_chk(char *s, size_t slen, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = kr_test_vsprintf_chk(s, 1, slen, f, ap);
	va_end(ap);
	return n;
}

/* glibc's checks: maxlen beyond the object, or sprintf output (with NUL) beyond it. */
static void test_chk(void **state)
{
	char buf[16];
	volatile int stage = 0;

	(void)state;
	assert_int_equal(kr_test_snprintf_chk(buf, 8, 1, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(kr_test_sprintf_chk(buf, 1, sizeof(buf), "%d|%.2f", 42, 1.005), 7);
	assert_string_equal(buf, "42|1.00");
	assert_int_equal(kr_test_sprintf_chk(buf, 0, sizeof(buf), "%015d", 1), 15);
	assert_int_equal(call_vsprintf_chk(buf, sizeof(buf), "%s", "abc"), 3);
	if (setjmp(chk_jmp) == 0) {
		chk_armed = true;
		stage = 1;
		kr_test_snprintf_chk(buf, sizeof(buf) + 1, 1, sizeof(buf), "x");
		fail();
	}
	assert_int_equal(stage, 1);
	if (setjmp(chk_jmp) == 0) {
		chk_armed = true;
		stage = 2;
		kr_test_sprintf_chk(buf, 1, sizeof(buf), "%016d", 1);	/* 16 + NUL */
		fail();
	}
	assert_int_equal(stage, 2);
	if (setjmp(chk_jmp) == 0) {
		chk_armed = true;
		stage = 3;
		call_vsprintf_chk(buf, 0, "");
		fail();
	}
	assert_int_equal(stage, 3);
	assert_false(chk_armed);
}

struct sink {
	char text[256];
	size_t len, calls;
};

static void sink_out(void *ctx, const char *s, size_t n)
{
	struct sink *k = ctx;

	assert_true(k->len + n < sizeof(k->text));
	memcpy(k->text + k->len, s, n);
	k->len += n;
	k->calls++;
}

static int sink_format(struct sink *k, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = kr_test_vformat(sink_out, k, f, ap);
	va_end(ap);
	return n;
}

/* The callback sees exactly the text snprintf would produce. */
static void test_vformat_callback(void **state)
{
	struct sink k = { .len = 0 };
	char want[256];
	int n;

	(void)state;
	n = sink_format(&k, "x=%-40d|%040.3e|%s", -5, 1.25, "end");
	snprintf(want, sizeof(want), "x=%-40d|%040.3e|%s", -5, 1.25, "end");
	assert_int_equal(n, strlen(want));
	assert_int_equal(k.len, strlen(want));
	assert_memory_equal(k.text, want, k.len);
	k.len = k.calls = 0;
	assert_int_equal(sink_format(&k, ""), 0);
	assert_int_equal(k.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers_vs_glibc),
		cmocka_unit_test(test_integers_slow_path),
		cmocka_unit_test(test_strings_chars_pointers),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_unknown_and_errors),
		cmocka_unit_test(test_float_formats),
		cmocka_unit_test(test_float_slow_path),
		cmocka_unit_test(test_float_rounding),
		cmocka_unit_test(test_exact_expansions),
		cmocka_unit_test(test_double_random),
		cmocka_unit_test(test_long_double),
		cmocka_unit_test(test_truncation_every_size),
		cmocka_unit_test(test_sprintf_and_friends),
		cmocka_unit_test(test_chk),
		cmocka_unit_test(test_vformat_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
