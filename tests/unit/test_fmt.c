/*
 * test_fmt.c - ksnprintf() (the printf engine, krt/format.c, under the
 * kernel's rules: no floating point) against glibc's snprintf, which serves
 * as the reference: a generated table of integer formats (every flag set, widths,
 * precisions, '*', every length modifier) times edge values, strings, chars,
 * pointers, truncation at every buffer size, and the conversions the kernel
 * deliberately does not support (checked by construction, not by glibc).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <krt/fmt.h>

static unsigned long checks;

/* Format with both engines into same-sized buffers; everything must agree. */
static void __attribute__((format(printf, 2, 3))) cmp_size(size_t size, const char *f, ...)
{
	char got[512], want[512];
	va_list a, b;
	int rg, rw;

	assert_true(size <= sizeof(got));
	memset(got, 'X', sizeof(got));
	memset(want, 'X', sizeof(want));
	va_start(a, f);
	va_copy(b, a);
	rg = kvsnprintf(got, size, f, a);
	rw = vsnprintf(want, size, f, b);
	va_end(b);
	va_end(a);
	checks++;
	/* Whole buffers: also proves nothing was written past size. */
	if (rg != rw || memcmp(got, want, sizeof(got))) {
		print_error("format \"%s\" size %zu: got \"%.*s\" (%d), glibc \"%.*s\" (%d)\n",
			    f, size, (int)(size ? size - 1 : 0), got, rg,
			    (int)(size ? size - 1 : 0), want, rw);
		fail();
	}
}

#define cmp(...) cmp_size(512, __VA_ARGS__)

static const long long edge_values[] = {
	0, 1, -1, 7, 8, 42, 127, 128, 255, 256, -128, -129, 32767, -32768, 65535,
	65536, INT_MAX, INT_MIN, (long long)UINT_MAX, LLONG_MAX, LLONG_MIN,
	(long long)ULLONG_MAX - 1, 0x123456789abcdefLL, -1000000007LL,
};

/* Call cmp with the star arguments the format expects, then the value. */
#define CMP_STARS(f, star, sw, sp, v)				\
	do {							\
		switch (star) {					\
		case 0: cmp(f, v); break;			\
		case 1: cmp(f, sw, v); break;			\
		case 2: cmp(f, sp, v); break;			\
		default: cmp(f, sw, sp, v); break;		\
		}						\
	} while (0)

/* Pass the value as the type the length modifier names (signed for %d/%i). */
static void cmp_int(const char *f, const char *len, bool sgn, int star, int sw, int sp,
		    long long x)
{
	unsigned long long u = x;

	if (!strcmp(len, "l")) {
		if (sgn) CMP_STARS(f, star, sw, sp, (long)x);
		else CMP_STARS(f, star, sw, sp, (unsigned long)u);
	} else if (!strcmp(len, "ll")) {
		if (sgn) CMP_STARS(f, star, sw, sp, x);
		else CMP_STARS(f, star, sw, sp, u);
	} else if (!strcmp(len, "z")) {
		if (sgn) CMP_STARS(f, star, sw, sp, (ssize_t)x);
		else CMP_STARS(f, star, sw, sp, (size_t)u);
	} else if (!strcmp(len, "t")) {
		if (sgn) CMP_STARS(f, star, sw, sp, (ptrdiff_t)x);
		else CMP_STARS(f, star, sw, sp, (size_t)u);
	} else if (!strcmp(len, "j")) {
		if (sgn) CMP_STARS(f, star, sw, sp, (intmax_t)x);
		else CMP_STARS(f, star, sw, sp, (uintmax_t)u);
	} else {	/* "", h, hh: promoted to int; full int bits test the narrowing */
		if (sgn) CMP_STARS(f, star, sw, sp, (int)x);
		else CMP_STARS(f, star, sw, sp, (unsigned int)u);
	}
}

static void test_integers_vs_glibc(void **state)
{
	static const char *const widths[] = { "", "1", "6", "25", "*" };
	static const char *const precs[] = { "", ".", ".0", ".1", ".4", ".30", ".*" };
	static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
	static const char convs[] = "diuxXo";
	static const int star_w[] = { 9, -9, 0 }, star_p[] = { -1, 0, 12 };
	unsigned long before = checks;

	(void)state;
	for (unsigned int flags = 0; flags < 32; flags++)
	for (size_t w = 0; w < sizeof(widths) / sizeof(*widths); w++)
	for (size_t p = 0; p < sizeof(precs) / sizeof(*precs); p++)
	for (size_t l = 0; l < sizeof(lens) / sizeof(*lens); l++)
	for (const char *c = convs; *c; c++) {
		char f[32], *q = f;
		int star = (*widths[w] == '*') | (*precs[p] && precs[p][1] == '*') << 1;

		*q++ = '<';
		*q++ = '%';
		for (int b = 0; b < 5; b++)
			if (flags & 1u << b)
				*q++ = "-0+ #"[b];
		sprintf(q, "%s%s%s%c>", widths[w], precs[p], lens[l], *c);
		for (size_t v = 0; v < sizeof(edge_values) / sizeof(*edge_values); v++) {
			/* Stars get a few values each, not the full cross product. */
			int sw = star_w[v % 3], sp = star_p[(v / 3) % 3];

			cmp_int(f, lens[l], *c == 'd' || *c == 'i', star, sw, sp, edge_values[v]);
		}
	}
	assert_true(checks - before > 500000);
}

static void test_strings_chars_pointers(void **state)
{
	static const char *const strs[] = { "", "a", "hello", "a longer string of text" };
	static const char *const sfmts[] = {
		"[%s]", "[%10s]", "[%-10s]", "[%.0s]", "[%.3s]", "[%.30s]", "[%8.3s]",
		"[%-8.3s]", "[%*s]", "[%-*s]", "[%1s]",
	};
	static const char *const cfmts[] = { "[%c]", "[%5c]", "[%-5c]", "[%*c]", "[%-*c]" };
	static const char *const pfmts[] = { "[%p]", "[%20p]", "[%-20p]", "[%3p]", "[%*p]" };
	static void *const ptrs[] = {
		NULL, (void *)1, (void *)0xdeadbeef, (void *)UINTPTR_MAX, (void *)&checks,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(sfmts) / sizeof(*sfmts); i++)
		for (size_t j = 0; j < sizeof(strs) / sizeof(*strs); j++) {
			if (strchr(sfmts[i], '*'))
				cmp(sfmts[i], -7 + (int)j * 5, strs[j]);
			else
				cmp(sfmts[i], strs[j]);
		}
	for (size_t i = 0; i < sizeof(cfmts) / sizeof(*cfmts); i++)
		for (int c = 0; c < 256; c += 17) {	/* includes 0: a NUL byte is output */
			if (strchr(cfmts[i], '*'))
				cmp(cfmts[i], c - 128, c);
			else
				cmp(cfmts[i], c);
		}
	for (size_t i = 0; i < sizeof(pfmts) / sizeof(*pfmts); i++)
		for (size_t j = 0; j < sizeof(ptrs) / sizeof(*ptrs); j++) {
			if (strchr(pfmts[i], '*'))
				cmp(pfmts[i], (int)j * 6 - 12, ptrs[j]);
			else
				cmp(pfmts[i], ptrs[j]);
		}
	cmp("100%% sure, %d%%", 5);
	cmp("%s=%d %s=%#x %c", "a", -3, "b", 255u, 'z');
}

/* %.Ns must read at most N bytes: an unterminated heap buffer lets ASan check that. */
static void test_string_precision_no_overread(void **state)
{
	char *p = malloc(5), buf[16];

	(void)state;
	memcpy(p, "abcde", 5);
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%.5s|", p), 6);
	assert_string_equal(buf, "abcde|");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%.3s", p), 3);
	assert_string_equal(buf, "abc");
	free(p);
}

static void test_null_string(void **state)
{
	const char *volatile null = NULL;	/* volatile: keep gcc's format checker out */
	char buf[32];

	(void)state;
	assert_int_equal(ksnprintf(buf, sizeof(buf), "[%s]", null), 8);
	assert_string_equal(buf, "[(null)]");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "[%8s]", null), 10);
	assert_string_equal(buf, "[  (null)]");
	/* Precision cuts "(null)" like any other string. */
	assert_int_equal(ksnprintf(buf, sizeof(buf), "[%.3s]", null), 5);
	assert_string_equal(buf, "[(nu]");
}

static void test_truncation_every_size(void **state)
{
	(void)state;
	for (size_t size = 1; size <= 40; size++) {
		cmp_size(size, "%d", INT_MIN);
		cmp_size(size, "%-12s|%#llx", "left", ULLONG_MAX);
		cmp_size(size, "%+08hd/%.5o", (short)-42, 0777u);
		cmp_size(size, "%p and %%", (void *)0xabcdef);
	}
}

static void test_size_zero_writes_nothing(void **state)
{
	char buf[4] = "xyz";

	(void)state;
	assert_int_equal(ksnprintf(NULL, 0, "%lld", LLONG_MIN), 20);
	assert_int_equal(ksnprintf(buf, 0, "%s", "hello"), 5);
	assert_string_equal(buf, "xyz");
	assert_int_equal(ksnprintf(buf, 1, "%s", "hello"), 5);
	assert_string_equal(buf, "");
}

/* Unsupported conversions appear as written and consume no argument. */
static void test_unsupported_printed_literally(void **state)
{
	static const struct { const char *f, *want; } cases[] = {
		{ "%f %d", "%f 7" },
		{ "a%5.2Lfb%d", "a%5.2Lfb7" },
		{ "%n%d", "%n7" },
		{ "%q|%d", "%q|7" },
		{ "%d tail%", "7 tail%" },
		{ "%d tail%-08.", "7 tail%-08." },
		{ "%d%ll", "7%ll" },
		{ "%e|%G|%a|%d", "%e|%G|%a|7" },		/* the kernel build has no fp hook */
		{ "%99999999999d|%d", "%99999999999d|7" },	/* glibc: EOVERFLOW */
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *f = cases[i].f;	/* not a literal: gcc would reject these */

		assert_int_equal(ksnprintf(buf, sizeof(buf), f, 7), strlen(cases[i].want));
		assert_string_equal(buf, cases[i].want);
	}
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
	n = fmt_vformat(sink_out, k, f, ap);
	va_end(ap);
	return n;
}

/* The callback sees exactly the text snprintf would produce, pad runs included. */
static void test_vformat_callback(void **state)
{
	struct sink k = { .len = 0 };
	char want[256];
	int n;

	(void)state;
	n = sink_format(&k, "x=%-40d|%040x|%s", -5, 0xbeefu, "end");
	snprintf(want, sizeof(want), "x=%-40d|%040x|%s", -5, 0xbeefu, "end");
	assert_int_equal(n, strlen(want));
	assert_int_equal(k.len, strlen(want));
	assert_memory_equal(k.text, want, k.len);
	assert_true(k.calls > 1);
	k.len = k.calls = 0;
	assert_int_equal(sink_format(&k, ""), 0);
	assert_int_equal(k.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers_vs_glibc),
		cmocka_unit_test(test_strings_chars_pointers),
		cmocka_unit_test(test_string_precision_no_overread),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_truncation_every_size),
		cmocka_unit_test(test_size_zero_writes_nothing),
		cmocka_unit_test(test_unsupported_printed_literally),
		cmocka_unit_test(test_vformat_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
