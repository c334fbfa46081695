/*
 * test_string.c - core/lib/string.c against glibc, over many sizes,
 * alignments and overlaps, plus kr_strerror() from core/lib/err.c.
 *
 * The core's functions carry the standard names, so this file includes
 * string.c itself with every name renamed to kr_test_*; glibc's versions stay
 * reachable as the reference.  Build it without linking string.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <karyon/err.h>

#define memcpy kr_test_memcpy
#define memmove kr_test_memmove
#define memset kr_test_memset
#define memcmp kr_test_memcmp
#define strlen kr_test_strlen
#define strnlen kr_test_strnlen
#define strcmp kr_test_strcmp
#define strncmp kr_test_strncmp
#define strchr kr_test_strchr
#include "string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr

#define BUF 640
static const size_t sizes[] = {
	0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 255, 256, 511,
};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static uint64_t rng = 88172645463325252ULL;

static unsigned char rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned char)rng;
}

static void fill(unsigned char *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_memcpy(void **state)
{
	unsigned char src[BUF], got[BUF], want[BUF];

	(void)state;
	for (size_t i = 0; i < NSIZES; i++)
		for (size_t so = 0; so < 16; so++)
			for (size_t d = 0; d < 16; d++) {
				size_t n = sizes[i];

				fill(src, BUF);
				fill(got, BUF);
				memcpy(want, got, BUF);
				assert_ptr_equal(kr_test_memcpy(got + d, src + so, n), got + d);
				memcpy(want + d, src + so, n);
				assert_memory_equal(got, want, BUF);	/* guard bytes included */
			}
}

static void test_memmove_overlaps(void **state)
{
	unsigned char got[BUF], want[BUF];

	(void)state;
	for (size_t i = 0; i < NSIZES; i++)
		for (size_t so = 0; so < 40; so += 3)
			for (size_t d = 0; d < 40; d++) {
				size_t n = sizes[i];

				if (so + n > BUF || d + n > BUF)
					continue;
				fill(got, BUF);
				memcpy(want, got, BUF);
				assert_ptr_equal(kr_test_memmove(got + d, got + so, n), got + d);
				memmove(want + d, want + so, n);
				assert_memory_equal(got, want, BUF);
			}
}

static void test_memset(void **state)
{
	static const int values[] = { 0, 1, 0x7f, 0x80, 0xff, 0x1ab, -1, -200 };
	unsigned char got[BUF], want[BUF];

	(void)state;
	for (size_t i = 0; i < NSIZES; i++)
		for (size_t d = 0; d < 16; d++)
			for (size_t v = 0; v < sizeof(values) / sizeof(*values); v++) {
				fill(got, BUF);
				memcpy(want, got, BUF);
				assert_ptr_equal(kr_test_memset(got + d, values[v], sizes[i]), got + d);
				memset(want + d, values[v], sizes[i]);
				assert_memory_equal(got, want, BUF);
			}
}

/* Differences at every position, in both directions, with bytes above 0x7f. */
static void test_memcmp(void **state)
{
	unsigned char a[BUF], b[BUF];

	(void)state;
	for (size_t i = 0; i < NSIZES; i++)
		for (size_t off = 0; off < 8; off++) {
			size_t n = sizes[i];

			fill(a, BUF);
			memcpy(b, a, BUF);
			assert_int_equal(kr_test_memcmp(a + off, b + off, n), 0);
			for (size_t k = 0; k < n; k++) {
				unsigned char save = b[off + k];

				b[off + k] = rnd();
				assert_int_equal(sign(kr_test_memcmp(a + off, b + off, n)),
						 sign(memcmp(a + off, b + off, n)));
				assert_int_equal(sign(kr_test_memcmp(b + off, a + off, n)),
						 sign(memcmp(b + off, a + off, n)));
				b[off + k] = save;
			}
		}
	assert_true(kr_test_memcmp("\x80", "\x01", 1) > 0);	/* unsigned bytes */
	assert_int_equal(kr_test_memcmp("ab", "ac", 1), 0);
}

/* Random non-NUL string of length n at an odd offset. */
static void rnd_string(char *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		do
			p[k] = (char)rnd();
		while (!p[k]);
	p[n] = '\0';
}

static void test_strlen_strnlen(void **state)
{
	char s[BUF];

	(void)state;
	for (size_t i = 0; i < NSIZES; i++)
		for (size_t off = 0; off < 8; off++) {
			size_t n = sizes[i];

			rnd_string(s + off, n);
			assert_int_equal(kr_test_strlen(s + off), n);
			for (size_t max = 0; max < n + 3; max += 1 + max / 4)
				assert_int_equal(kr_test_strnlen(s + off, max), strnlen(s + off, max));
			assert_int_equal(kr_test_strnlen(s + off, SIZE_MAX), n);
		}
	/* strnlen stops at max: an unterminated heap block lets ASan check that. */
	char *raw = malloc(6);

	memcpy(raw, "abcdef", 6);
	assert_int_equal(kr_test_strnlen(raw, 6), 6);
	assert_int_equal(kr_test_strnlen(raw, 3), 3);
	free(raw);
}

static void test_strcmp_strncmp(void **state)
{
	char a[BUF], b[BUF];

	(void)state;
	for (size_t i = 0; i < NSIZES; i++) {
		size_t n = sizes[i];

		rnd_string(a, n);
		memcpy(b, a, n + 1);
		assert_int_equal(kr_test_strcmp(a, b), 0);
		for (size_t k = 0; k < n; k += 1 + k / 8) {
			char save = b[k];

			b[k] = (char)rnd();	/* may be NUL: b becomes a prefix */
			assert_int_equal(sign(kr_test_strcmp(a, b)), sign(strcmp(a, b)));
			assert_int_equal(sign(kr_test_strcmp(b, a)), sign(strcmp(b, a)));
			for (size_t m = 0; m <= n + 2; m += 1 + m / 3)
				assert_int_equal(sign(kr_test_strncmp(a, b, m)), sign(strncmp(a, b, m)));
			b[k] = save;
		}
	}
	assert_true(kr_test_strcmp("\xff", "a") > 0);	/* compares as unsigned char */
	assert_true(kr_test_strcmp("ab", "abc") < 0);
	assert_int_equal(kr_test_strncmp("abcx", "abcy", 3), 0);
	assert_int_equal(kr_test_strncmp("a", "b", 0), 0);
	assert_int_equal(kr_test_strncmp("ab", "ab", SIZE_MAX), 0);
}

static void test_strchr(void **state)
{
	char s[BUF];

	(void)state;
	for (size_t i = 0; i < NSIZES; i++) {
		size_t n = sizes[i];

		rnd_string(s, n);
		for (int c = -1; c < 512; c += 1 + c / 64)
			assert_ptr_equal(kr_test_strchr(s, c), strchr(s, c));
		assert_ptr_equal(kr_test_strchr(s, '\0'), s + n);	/* the terminator counts */
	}
	assert_ptr_equal(kr_test_strchr("abc", 'c' + 256), strchr("abc", 'c'));	/* c as char */
	assert_null(kr_test_strchr("abc", 'd'));
}

/* Every code in the X-macro list gets exactly the text it was declared with. */
static void test_strerror(void **state)
{
	(void)state;
#define CHECK_TEXT(name, num, text) assert_string_equal(kr_strerror(name), text);
	KR_ERRORS(CHECK_TEXT)
#undef CHECK_TEXT
	assert_string_equal(kr_strerror(KR_OK), "success");
	assert_string_equal(kr_strerror(KR_ENOMEM), "out of memory");
	assert_string_equal(kr_strerror(1), "unknown error");
	assert_string_equal(kr_strerror(-1000), "unknown error");
	assert_string_equal(kr_strerror(INT32_MIN), "unknown error");
	assert_string_equal(kr_strerror(INT32_MAX), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy),
		cmocka_unit_test(test_memmove_overlaps),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp_strncmp),
		cmocka_unit_test(test_strchr),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
