/*
 * test_string.c - tcc-runtime/krt/string.c against glibc, over many sizes,
 * alignments and overlaps, plus kr_strerror() from tcc-runtime/krt/err.c.  The
 * string functions read aligned words: they are checked at every alignment,
 * with the terminator at every byte of a word, and on strings that end at
 * the last byte of a page whose successor is unmapped (PROT_NONE), which
 * faults if a word read runs past the page.
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
#include <sys/mman.h>
#include <unistd.h>
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
#include "krt/string.c"
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
	/* strnlen stops at max in an unterminated block (the word reads past it
	 * stay in the page: test_str_page_end proves that). */
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

/* Every start alignment 0..15, every length 0..40: the terminator lands on
 * every byte of a word, after every prologue length. */
static void test_str_alignments(void **state)
{
	char a[96], b[96];

	(void)state;
	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n <= 40; n++) {
			char *s = a + off;

			memset(a, 'x', sizeof(a));	/* junk after the terminator */
			rnd_string(s, n);
			assert_int_equal(kr_test_strlen(s), n);
			for (size_t max = 0; max <= n + 9; max++)
				assert_int_equal(kr_test_strnlen(s, max), strnlen(s, max));
			for (size_t k = 0; k <= n; k++)
				assert_ptr_equal(kr_test_strchr(s, s[k]), strchr(s, s[k]));
			assert_ptr_equal(kr_test_strchr(s, 'x'), strchr(s, 'x'));
			assert_ptr_equal(kr_test_strchr(s, 0x101), strchr(s, 1));
			/* The second string at every alignment against the first. */
			for (size_t boff = 0; boff < 16; boff++) {
				char *t = b + boff;

				memset(b, 'y', sizeof(b) - 1);
				b[sizeof(b) - 1] = '\0';
				memcpy(t, s, n + 1);
				assert_int_equal(kr_test_strcmp(s, t), 0);
				assert_int_equal(kr_test_strncmp(s, t, n + 5), 0);
				for (size_t k = 0; k <= n; k++) {
					char save = t[k];

					t[k] = (char)(save + 1 + (k & 1) * 0x80);
					assert_int_equal(sign(kr_test_strcmp(s, t)), sign(strcmp(s, t)));
					assert_int_equal(sign(kr_test_strcmp(t, s)), sign(strcmp(t, s)));
					for (size_t m = k; m <= k + 9; m++)
						assert_int_equal(sign(kr_test_strncmp(s, t, m)),
								 sign(strncmp(s, t, m)));
					t[k] = save;
				}
			}
		}
}

/* Two pages: the first read-write, the second PROT_NONE. */
static char *guarded_page(size_t *page)
{
	long sz = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * (size_t)sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(mprotect(p + sz, (size_t)sz, PROT_NONE), 0);
	*page = (size_t)sz;
	return p;
}

/* A string whose terminator is the last byte before the unmapped page: any
 * read past it faults.  Also the strcmp partner misaligned against it, with
 * its own end at the same page end, so its unaligned words would cross. */
static void test_str_page_end(void **state)
{
	size_t page;
	char *a = guarded_page(&page), *b = guarded_page(&page);
	char *aend = a + page, *bend = b + page;

	(void)state;
	for (size_t n = 0; n <= 40; n++) {
		char *s = aend - 1 - n;

		memset(a, 'z', page);
		rnd_string(s, n);
		assert_int_equal(kr_test_strlen(s), n);
		assert_int_equal(kr_test_strnlen(s, SIZE_MAX), n);
		assert_int_equal(kr_test_strnlen(s, n + 1), n);
		assert_ptr_equal(kr_test_strchr(s, 'z'), strchr(s, 'z'));	/* 'z' fills the rest */
		assert_ptr_equal(kr_test_strchr(s, '\0'), s + n);
		if (n)
			assert_ptr_equal(kr_test_strchr(s, s[n - 1]), strchr(s, s[n - 1]));
		for (size_t shift = 0; shift < 16; shift++) {
			/* b's copy ends shift bytes before its page end. */
			char *t = bend - 1 - n - shift;

			memset(b, 'w', page);
			memcpy(t, s, n + 1);
			assert_int_equal(kr_test_strcmp(s, t), 0);
			assert_int_equal(kr_test_strcmp(t, s), 0);
			assert_int_equal(kr_test_strncmp(s, t, SIZE_MAX), 0);
			assert_int_equal(kr_test_strncmp(t, s, n + 1), 0);
			if (n) {
				t[n - 1] ^= 0x40;
				assert_int_equal(sign(kr_test_strcmp(s, t)), sign(strcmp(s, t)));
				assert_int_equal(sign(kr_test_strcmp(t, s)), sign(strcmp(t, s)));
				assert_int_equal(sign(kr_test_strncmp(t, s, SIZE_MAX)),
						 sign(strcmp(t, s)));
			}
		}
	}
	/* A character absent from the string: strchr must stop at the end. */
	memset(a, 'q', page);
	aend[-1] = '\0';
	assert_null(kr_test_strchr(a + 3, 'r'));
	assert_int_equal(kr_test_strlen(a + 5), page - 6);
	munmap(a, 2 * page);
	munmap(b, 2 * page);
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
		cmocka_unit_test(test_str_alignments),
		cmocka_unit_test(test_str_page_end),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
