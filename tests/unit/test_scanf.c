/*
 * test_scanf.c - tcc-runtime/libc/scanf.c against glibc's sscanf: for each
 * (input, format) both get identical argument buffers, and must agree on
 * the return value, every byte written and errno.  Hand-picked cases cover
 * each rule glibc follows; random formats over random inputs find the
 * rest.  Floating conversions go through glibc's strtod here, as in the
 * kernel they go through tcc-runtime's.
 *
 * The library's functions carry the standard names, so this file includes
 * scanf.c with each renamed to kr_test_*, glibc's versions beside them;
 * its malloc goes through a hook that can fail.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "krt_libc_host.h"
/* The functions under test, and the heap they borrow from. */
#define sscanf kr_test_sscanf
#define vsscanf kr_test_vsscanf
#define __isoc99_sscanf kr_test_isoc99_sscanf
#define __isoc99_vsscanf kr_test_isoc99_vsscanf
#define malloc kr_test_malloc
#define free kr_test_free
#include "libc/scanf.c"
#undef sscanf
#undef vsscanf
#undef __isoc99_sscanf
#undef __isoc99_vsscanf
#undef malloc
#undef free

static int malloc_fails, mallocs;

void *kr_test_malloc(size_t n)
{
	if (malloc_fails)
		return NULL;
	mallocs++;
	return malloc(n);
}

void kr_test_free(void *p)
{
	free(p);
}

#define NARGS 6
#define ARGSZ 256

/* Argument buffers, filled with one pattern before each side runs. */
static _Alignas(16) unsigned char want_args[NARGS][ARGSZ], got_args[NARGS][ARGSZ];

static int run(int (*fn)(const char *, const char *, ...), unsigned char (*a)[ARGSZ],
	       const char *in, const char *fmt, int *err)
{
	int r;

	memset(a, 0xa5, sizeof(want_args));
	errno = 77;	/* not 0: glibc sometimes puts back an older errno */
	r = fn(in, fmt, a[0], a[1], a[2], a[3], a[4], a[5]);
	*err = errno;
	return r;
}

/* glibc's sscanf, through a plain function pointer like ours. */
static int glibc_sscanf(const char *in, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsscanf(in, fmt, ap);
	va_end(ap);
	return r;
}

static void compare(const char *in, const char *fmt)
{
	int want_err, got_err;
	int want = run(glibc_sscanf, want_args, in, fmt, &want_err);
	int got = run(kr_test_sscanf, got_args, in, fmt, &got_err);

	if (got != want || got_err != want_err)
		fail_msg("sscanf(\"%s\", \"%s\"): returned %d errno %d, glibc %d errno %d", in, fmt,
			 got, got_err, want, want_err);
	for (int i = 0; i < NARGS; i++)
		if (memcmp(got_args[i], want_args[i], ARGSZ))
			fail_msg("sscanf(\"%s\", \"%s\"): argument %d differs from glibc's (%.16s|%.16s)",
				 in, fmt, i + 1, got_args[i], want_args[i]);
}

struct pair {
	const char *in, *fmt;
};

/* Each of glibc's rules, one or more cases apiece. */
static const struct pair cases[] = {
	/* return values: EOF only for an input failure before any assignment */
	{ "", "" }, { "", "%d" }, { "", "x" }, { "", " " }, { "  ", " %d" }, { " ", "%d" },
	{ "", "%n" }, { "", "%*d" }, { "5", "%*d%d" }, { "5", "%d%d" }, { "x", "%d" },
	{ "", "%c" }, { "", "%s" }, { "", "%[a]" }, { "", "%*[a]" }, { "x", "%[a]" },
	{ "ab", "%[ab]%[c]" }, { "", "%%" }, { "%", "%%%n" }, { "  %", "%%%n" }, { "x", "%%" },
	{ "abc", "%" }, { "abc", "%m" }, { "abc", "%y" }, { "abc", "%5" },
	{ "abc", "abc%n" }, { "abd", "abc%n" }, { "ab", "abc" }, { "a  b", "a b%n" },
	{ "ab", "a b%n" }, { "a", "a %n" }, { "a ", "a %c" }, { "1 2 3", "%d%d%d%n" },
	/* integers */
	{ "42", "%d" }, { "-42", "%d" }, { "+42", "%d" }, { "- 42", "%d" }, { "-", "%d%n" },
	{ "+", "%i%n" }, { "0x1f", "%x%n" }, { "0X1F", "%X%n" }, { "0xg", "%x%n" },
	{ "0x", "%x%n" }, { "0x", "%i%n" }, { "0xg", "%i%n" }, { "0x1f", "%i%n" },
	{ "0x1f", "%d%n" }, { "0x1f", "%o%n" }, { "0777", "%i" }, { "0778", "%i%n" },
	{ "08", "%i%n" }, { "-0x10", "%i" }, { "017", "%o" }, { "-1", "%u" }, { "-1", "%x" },
	{ "4294967296", "%d" }, { "4294967295", "%u" }, { "99999999999999999999", "%d" },
	{ "99999999999999999999", "%ld" }, { "-99999999999999999999", "%ld" },
	{ "99999999999999999999", "%lu" }, { "-99999999999999999999", "%lu" },
	{ "9223372036854775808", "%lld" }, { "-9223372036854775808", "%lld" },
	{ "18446744073709551615", "%llu" }, { "18446744073709551616", "%llx" },
	{ "300", "%hhd" }, { "-129", "%hhi" }, { "70000", "%hd" }, { "70000", "%hu" },
	{ "123", "%jd" }, { "123", "%zd" }, { "123", "%td" }, { "123", "%Ld" }, { "123", "%qd" },
	{ "12345", "%3d%d" }, { "-12345", "%3d%d" }, { "0x123", "%3x%d" }, { "0x123", "%2x%n" },
	{ "0x123", "%1x%n" }, { "0x123", "%2i%n" }, { "0x123", "%1i%n" }, { "12", "%0d%n" },
	{ "  \t\n12", "%d%n" }, { "12abc", "%d%s" }, { "1,2", "%d,%d" }, { "1 ,2", "%d,%d" },
	{ "1, 2", "%d,%d" }, { "1 , 2", "%d , %d" },
	{ "0x7fffffff", "%p" }, { "(nil)x", "%p%n" }, { "(NIL)", "%p" }, { "(nix)", "%p%n" },
	{ "(nil)", "%4p%n" }, { "-(nil)", "%p" }, { "ff", "%hhp" },
	/* %n sizes */
	{ "abcdef", "abc%hhn" }, { "abcdef", "abc%hn" }, { "abcdef", "abc%ln" },
	{ "abcdef", "abc%lln" }, { "abcdef", "abc%*n%n" },
	/* characters and strings */
	{ "abc", "%c" }, { " abc", "%c" }, { " abc", " %c" }, { "abc", "%2c%c" },
	{ "ab", "%5c%n" }, { "abc", "%*c%c" }, { "hello world", "%s%n" },
	{ "hello world", "%3s%s" }, { "hello\tworld", "%s%s" }, { "  x", "%s" },
	{ "abc", "%*s%n" }, { "ab\xe9", "%s" },
	/* sets */
	{ "abcdef", "%[a-c]%s" }, { "abcdef", "%[^d]%s" }, { "a]b", "%[]a]%s" },
	{ "a-b", "%[-a]%s" }, { "a-b", "%[a-]%s" }, { "a-b", "%[^-]%s" }, { "-b", "%[^]-]%s" },
	{ "zyx-", "%[z-a]%s" }, { "abc", "%[abc" }, { "abc", "%[]" }, { "abc", "%[^]" },
	{ "aaaa", "%2[a]%s" }, { "  ab", "%[ ab]" }, { "  ab", " %[ab]" }, { "ab,cd", "%[^,],%s" },
	{ "\xe9\xff", "%[\xe0-\xff]%n" }, { "ab", "%*[a]%[b]" }, { "az", "%[a-a]%s" },
	/* wide */
	{ "abc", "%lc" }, { "abc", "%3lc%n" }, { "abc def", "%ls%n" }, { "abc", "%l[a-b]%n" },
	{ "\xe9", "%lc" }, { "a\xe9", "%ls" }, { "a\xe9", "%l[^ ]" }, { "a\xe9", "%*ls" },
	{ "abc", "%C" }, { "abc", "%S" }, { "a\xe9" "b", "%*l[^ ]%n" }, { "\xe9", "%l[^ ]%n" },
	{ "\xe9" "a", "%l[\xe9" "a]%n" }, { "a\xe9" "b", "%*ls%n" }, { "\xe9" "b", "%*lc%n" },
	{ "a\xe9" "b", "%3lc%n" }, { "a\xe9" "bc d", "%l[^ ]%n" }, { "ab\xe9" "c", "%2l[^ ]%n" },
	/* floats */
	{ "1.5", "%f" }, { "1.5", "%lf" }, { "1.5", "%Lf" }, { "1.5", "%llf" }, { "-1.5e3", "%e" },
	{ "1e", "%f%n" }, { "1ex", "%f%c" }, { "1e+", "%f%n" }, { "1e+x", "%f%n" },
	{ "1.5.3", "%f%n" }, { ".5", "%f" }, { ".", "%f%n" }, { ".e5", "%f%n" }, { "-.", "%f%n" },
	{ "+", "%f%n" }, { "-", "%f%n" }, { "5.", "%f%n" }, { "1e5", "%g" }, { "1E5", "%G" },
	{ "nan", "%f" }, { "-NaN", "%lf" }, { "nan(123)", "%lf%n" }, { "na", "%f%n" },
	{ "inf", "%f%n" }, { "-INF", "%f%n" }, { "infinity", "%f%n" }, { "infinit", "%f%n" },
	{ "infx", "%f%n" }, { "infinityx", "%lf%n" }, { "inf", "%2f%n" }, { "nan", "%2f%n" },
	{ "0x1p3", "%a" }, { "0x1.8p-1", "%la" }, { "0x", "%f%n" }, { "0xg", "%f%n" },
	{ "-0x", "%f%n" }, { "0x.8", "%f" }, { "0x1p", "%f%n" }, { "0x1e3", "%f" },
	{ "0x1P+2", "%f" }, { "0e5", "%f" }, { "00.5", "%f" }, { "12345", "%3f%d" },
	{ "-12345", "%3f%d" }, { "1.2345", "%3f%n" }, { "1e999", "%lf" }, { "1e-999", "%lf" },
	{ "1e40", "%f" }, { "1e9999", "%3lf%n" }, { "0x1.fffffep127", "%f" }, { "5", "%1f%n" },
	{ "05", "%1f%n" }, { "0x1", "%2f%n" }, { "-5", "%2f%n" }, { "1e5", "%2f%n" },
	{ "1.5", "%*f%n" }, { "1,5", "%f,%d" }, { "3.14abc", "%lf%s" }, { "1e+5", "%3f%n" },
	/* positional arguments */
	{ "1 2", "%2$d %1$d" }, { "1 abc", "%3$d %1$s" }, { "7", "%1$d%2$n" },
	/* a format byte over 0x7f: EILSEQ from glibc's mbrlen, then matched as
	 * itself (found by tests/fuzz/fuzz_scanf.c) */
	{ "", "\xad" }, { "q", "\xad%c" }, { "\xadz", "\xad%c" }, { "q", "%c\xad" },
	{ "", "%c\xad" }, { "\xad", "%[\xad]" },
	/* what Debian's libtcc.a asks of it */
	{ "0.9.27", "%d.%d.%d" },
};

static void test_scanf_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		compare(cases[i].in, cases[i].fmt);
}

static uint64_t rng = 0x6a09e667f3bcc909ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Random formats of up to NARGS assigning directives, on random inputs
 * made of the characters those directives care about. */
static void test_scanf_random(void **state)
{
	static const char *const directives[] = {
		"%d", "%3d", "%*d", "%i", "%2i", "%x", "%o", "%u", "%hhd", "%hd", "%ld", "%lld",
		"%zu", "%n", "%c", "%3c", "%s", "%4s", "%[a-f]", "%[^ ,]", "%2[0-9x]", "%f", "%lf",
		"%Lf", "%4f", "%e", "%g", "%a", "%%", " ", ",", "x", ".", "%p", "%*s", "%*[ ]",
		"%lc", "%ls", "%1f", "%2lf", "%5Lf",
	};
	static const char alphabet[] = " \t+-+-0011223456789xXabcdefinpEP..,%()nily";
	char fmt[96], in[48];

	(void)state;
	for (int iter = 0; iter < 300000; iter++) {
		size_t nd = 1 + rnd(5), n = rnd(sizeof(in) - 1), assigned = 0;

		fmt[0] = '\0';
		for (size_t k = 0; k < nd; k++) {
			const char *d = directives[rnd(sizeof(directives) / sizeof(directives[0]))];

			/* %c into a 3-byte slot at most; never more conversions than buffers */
			if (d[0] == '%' && d[1] != '%' && d[1] != '*' && ++assigned > NARGS)
				break;
			strcat(fmt, d);
		}
		for (size_t k = 0; k < n; k++)
			in[k] = alphabet[rnd(sizeof(alphabet) - 1)];
		in[n] = '\0';
		compare(in, fmt);
	}
}

/* Float-like text in every shape, with and without widths: glibc's
 * grammar decides how much each conversion consumes. */
static void test_scanf_random_floats(void **state)
{
	static const char *const fmts[] = {
		"%f%n%s", "%lf%n%s", "%Lf%n%s", "%1f%n%s", "%2f%n%s", "%3lf%n%s", "%4f%n%s",
		"%5Lf%n%s", "%*f%n%s", "%a%n%s", "%g%n%s",
	};
	static const char alphabet[] = "0123456789..eEpPxX++--infINFaAty ";
	char in[20];

	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		size_t n = rnd(sizeof(in) - 1);

		for (size_t k = 0; k < n; k++)
			in[k] = alphabet[rnd(sizeof(alphabet) - 1)];
		in[n] = '\0';
		if (n > 2 && rnd(3) == 0)	/* often start like a real number */
			memcpy(in, (const char *[]){ "0x", "-0", "in", "nA", "1.", "-.", "1e" }[rnd(7)], 2);
		compare(in, fmts[rnd(sizeof(fmts) / sizeof(fmts[0]))]);
	}
}

/* Long numbers, beyond what the scanner keeps a fixed copy of. */
static void test_scanf_long_numbers(void **state)
{
	char in[300], fmt[16];

	(void)state;
	for (int iter = 0; iter < 2000; iter++) {
		size_t n = 1 + rnd(sizeof(in) - 1);

		for (size_t k = 0; k < n; k++)
			in[k] = "0123456789.e+-"[k ? rnd(iter & 1 ? 10 : 14) : rnd(10)];
		in[n] = '\0';
		snprintf(fmt, sizeof(fmt), "%%%u%s%%n", rnd(150), (const char *[]){ "f", "lf", "Lf", "d",
			 "i", "x", "ld" }[rnd(7)]);
		compare(in, fmt);
	}
	/* A width-cut float too long for the stack copy, malloc failing. */
	memset(in, '1', 100);
	in[100] = '\0';
	double d = 0;

	mallocs = 0;
	assert_int_equal(kr_test_sscanf(in, "%80lf", &d), 1);
	assert_int_equal(mallocs, 1);
	assert_true(d > 1e79 && d < 1e80);
	malloc_fails = 1;
	errno = 0;
	assert_int_equal(kr_test_sscanf(in, "%80lf", &d), EOF);
	assert_int_equal(errno, ENOMEM);
	malloc_fails = 0;
}

/* The entry points besides sscanf, and a va_list used after vsscanf. */
static int call_vsscanf(int (*fn)(const char *, const char *, va_list), const char *in,
			const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fn(in, fmt, ap);
	va_end(ap);
	return r;
}

static void test_scanf_entry_points(void **state)
{
	int a = 0, b = 0, c = 0;

	(void)state;
	assert_int_equal(kr_test_isoc99_sscanf("0.9.27", "%d.%d.%d", &a, &b, &c), 3);
	assert_true(a == 0 && b == 9 && c == 27);
	assert_int_equal(call_vsscanf(kr_test_vsscanf, "4 5", "%d %d", &a, &b), 2);
	assert_true(a == 4 && b == 5);
	assert_int_equal(call_vsscanf(kr_test_isoc99_vsscanf, "6", "%d", &a), 1);
	assert_int_equal(a, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanf_cases),
		cmocka_unit_test(test_scanf_random),
		cmocka_unit_test(test_scanf_random_floats),
		cmocka_unit_test(test_scanf_long_numbers),
		cmocka_unit_test(test_scanf_entry_points),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
