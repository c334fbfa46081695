/*
 * test_string2.c - tcc-runtime/libc/string2.c against glibc: every function
 * on random and hand-picked inputs, the word-at-a-time ones (memchr,
 * strrchr) at every alignment and on strings ending at the last byte before
 * an unmapped page, and the _chk functions failing exactly where glibc's do.
 *
 * The library's functions carry the standard names, so this file includes
 * string2.c with each renamed to kr_test_*, glibc's versions beside them.
 * string2.c's own calls to strlen, memcpy and the like reach glibc's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "krt_libc_host.h"
/* The functions under test. */
#define memchr kr_test_memchr
#define strrchr kr_test_strrchr
#define strstr kr_test_strstr
#define strcpy kr_test_strcpy
#define strncpy kr_test_strncpy
#define strcat kr_test_strcat
#define strncat kr_test_strncat
#define strspn kr_test_strspn
#define strcspn kr_test_strcspn
#define strpbrk kr_test_strpbrk
#define strtok kr_test_strtok
#define strtok_r kr_test_strtok_r
#define strcasecmp kr_test_strcasecmp
#define strncasecmp kr_test_strncasecmp
#define __memmove_chk kr_test_memmove_chk
#define __strcpy_chk kr_test_strcpy_chk
#define __strcat_chk kr_test_strcat_chk
#define __chk_fail kr_test_chk_fail
#include "libc/string2.c"
#undef __jmp_buf_tag
#undef jmp_buf
#undef setjmp
#undef _setjmp
#undef __sigsetjmp
#undef longjmp
#undef _longjmp
#undef __longjmp_chk
#undef memchr
#undef strrchr
#undef strstr
#undef strcpy
#undef strncpy
#undef strcat
#undef strncat
#undef strspn
#undef strcspn
#undef strpbrk
#undef strtok
#undef strtok_r
#undef strcasecmp
#undef strncasecmp
#undef __memmove_chk
#undef __strcpy_chk
#undef __strcat_chk
#undef __chk_fail

/* The kernel's __chk_fail stops the system; this one jumps back to the test. */
static jmp_buf chk_env;
static int chk_failures;

void kr_test_chk_fail(void)
{
	chk_failures++;
	longjmp(chk_env, 1);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A NUL-terminated string of n bytes drawn from alphabet. */
static void rnd_from(char *s, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		s[i] = alphabet[rnd((unsigned)k)];
	s[n] = '\0';
}

/* Bytes whose XOR with one another is 0x01 or 0x80 fool a sloppy
 * has-zero test; high bytes check signedness. */
static const char tricky[] = "@AB\x80\x81\xff\x7f\x01";

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

static void test_memchr(void **state)
{
	unsigned char buf[128];
	static const int cs[] = { 0, '@', 'A', 0x80, 0xff, 0x141, -1, -0x7f };

	(void)state;
	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n <= 70; n++)
			for (size_t ci = 0; ci < sizeof(cs) / sizeof(cs[0]); ci++) {
				rnd_from((char *)buf, sizeof(buf) - 1, tricky);
				if (rnd(4) == 0)
					buf[off + rnd((unsigned)n + 1)] = 0;
				for (size_t m = 0; m <= n; m++)
					assert_ptr_equal(kr_test_memchr(buf + off, cs[ci], m),
							 memchr(buf + off, cs[ci], m));
			}
}

static void test_strrchr(void **state)
{
	char buf[128];
	static const int cs[] = { 0, '@', 'A', 'B', 0x80, 0xff, 0x7f, 1, 0x141, -1, 'z' };

	(void)state;
	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n <= 70; n++) {
			memset(buf, 'A', sizeof(buf));	/* junk after the terminator */
			rnd_from(buf + off, n, n & 1 ? tricky : "AB@");
			for (size_t ci = 0; ci < sizeof(cs) / sizeof(cs[0]); ci++)
				assert_ptr_equal(kr_test_strrchr(buf + off, cs[ci]),
						 strrchr(buf + off, cs[ci]));
		}
}

/* Nothing past the terminator, or past n for memchr, is read across a page. */
static void test_page_end(void **state)
{
	size_t page;
	char *p = guarded_page(&page), *end = p + page;

	(void)state;
	memset(p, 'x', page);
	for (size_t n = 0; n <= 40; n++) {
		char *s = end - 1 - n;

		rnd_from(s, n, "ab");
		assert_ptr_equal(kr_test_strrchr(s, 'a'), strrchr(s, 'a'));
		assert_ptr_equal(kr_test_strrchr(s, 'x'), NULL);
		assert_ptr_equal(kr_test_strrchr(s, 0), s + n);
		assert_null(kr_test_memchr(s, 'x', n + 1));
		assert_ptr_equal(kr_test_memchr(s, 0, SIZE_MAX), s + n);	/* stops at the match */
		assert_ptr_equal(kr_test_strstr(s, "ab"), strstr(s, "ab"));
		assert_ptr_equal(kr_test_strstr(s, "bab"), strstr(s, "bab"));
		assert_ptr_equal(kr_test_strstr(s, "aaaaaaaaaaaaaaaaaaaaaaab"),
				 strstr(s, "aaaaaaaaaaaaaaaaaaaaaaab"));
		assert_int_equal(kr_test_strspn(s, "ab"), n);
		assert_int_equal(kr_test_strcspn(s, "x"), n);
		assert_int_equal(kr_test_strcasecmp(s, s), 0);
	}
	munmap(p, 2 * page);
}

static void test_strstr_random(void **state)
{
	static const char *const alphabets[] = { "a", "ab", "abc", "aab", tricky };
	char h[96], x[24];

	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		const char *alpha = alphabets[rnd(5)];
		size_t hn = rnd(sizeof(h) - 1), xn = rnd(sizeof(x) - 1);

		rnd_from(h, hn, alpha);
		rnd_from(x, xn, alpha);
		if (xn && hn > xn && rnd(2))	/* plant the needle somewhere */
			memcpy(h + rnd((unsigned)(hn - xn + 1)), x, xn);
		char *want = strstr(h, x), *got = kr_test_strstr(h, x);

		if (got != want)
			fail_msg("strstr(\"%s\", \"%s\"): got %td, want %td", h, x,
				 got ? got - h : -1, want ? want - h : -1);
	}
}

/* Needles with short periods and long haystacks: the cases Two-Way's
 * memory and shifts are there for. */
static void test_strstr_periodic(void **state)
{
	static const char *const needles[] = {
		"", "a", "aa", "ab", "aab", "aaab", "abab", "ababa", "abaab", "abcabcabd",
		"aaaaaaaaab", "baaaaaaaaa", "abababababababababc", "zyxzyxzyx", "aabaabaabaab",
	};
	size_t len = 20000;
	char *h = malloc(len + 1);

	(void)state;
	for (int pat = 0; pat < 4; pat++) {
		for (size_t i = 0; i < len; i++)
			h[i] = pat == 0 ? 'a' : pat == 1 ? "ab"[i & 1] :
			       pat == 2 ? "aab"[i % 3] : "abc"[rnd(3)];
		h[len] = '\0';
		for (size_t n = 0; n < sizeof(needles) / sizeof(needles[0]); n++) {
			assert_ptr_equal(kr_test_strstr(h, needles[n]), strstr(h, needles[n]));
			assert_ptr_equal(kr_test_strstr(h + 1, needles[n]), strstr(h + 1, needles[n]));
		}
	}
	/* A long needle matching only at the very end. */
	memset(h, 'a', len);
	h[len - 1] = 'b';
	assert_ptr_equal(kr_test_strstr(h, h + len - 1000), h + len - 1000);
	free(h);
}

static void test_copies(void **state)
{
	char src[80], got[160], want[160];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t sn = rnd(70), dn = rnd(70), n = rnd(90), off = rnd(8);

		rnd_from(src, sn, "abc\x80\xff");
		memset(got, '#', sizeof(got));
		rnd_from(got + off, dn, "xyz");
		memcpy(want, got, sizeof(got));
		switch (iter % 4) {
		case 0:
			assert_ptr_equal(kr_test_strcpy(got + off, src), got + off);
			strcpy(want + off, src);
			break;
		case 1:
			assert_ptr_equal(kr_test_strncpy(got + off, src, n), got + off);
			strncpy(want + off, src, n);
			break;
		case 2:
			assert_ptr_equal(kr_test_strcat(got + off, src), got + off);
			strcat(want + off, src);
			break;
		default:
			assert_ptr_equal(kr_test_strncat(got + off, src, n), got + off);
			strncat(want + off, src, n);
			break;
		}
		assert_memory_equal(got, want, sizeof(got));
	}
}

static void test_spans(void **state)
{
	static const char alpha[] = "abc ,;\t\x80\xff";
	char s[64], set[12];

	(void)state;
	for (int iter = 0; iter < 50000; iter++) {
		rnd_from(s, rnd(60), alpha);
		rnd_from(set, rnd(10), alpha);
		assert_int_equal(kr_test_strspn(s, set), strspn(s, set));
		assert_int_equal(kr_test_strcspn(s, set), strcspn(s, set));
		assert_ptr_equal(kr_test_strpbrk(s, set), strpbrk(s, set));
	}
	assert_int_equal(kr_test_strspn("abc", ""), 0);
	assert_int_equal(kr_test_strcspn("abc", ""), 3);
	assert_null(kr_test_strpbrk("abc", ""));
}

/* The same token sequence, the same cuts in the buffer, and the same save
 * pointer as glibc, through the end and one call past it. */
static void test_strtok(void **state)
{
	char a[64], b[64], c[64], delim[6];
	char *sa, *sb, *tb, *tc;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		rnd_from(a, rnd(60), "ab ,;");
		memcpy(b, a, sizeof(a));
		memcpy(c, a, sizeof(a));
		rnd_from(delim, rnd(4), " ,;x");
		char *ta = strtok_r(a, delim, &sa);

		tb = kr_test_strtok_r(b, delim, &sb);
		tc = kr_test_strtok(c, delim);
		for (int k = 0;; k++) {
			assert_int_equal(tb ? tb - b : -1, ta ? ta - a : -1);
			assert_int_equal(tc ? tc - c : -1, ta ? ta - a : -1);
			assert_int_equal(sb - b, sa - a);
			if (!ta && k > 0)
				break;
			/* Delimiters may change between calls. */
			if (rnd(3) == 0)
				rnd_from(delim, rnd(4), " ,;");
			ta = strtok_r(NULL, delim, &sa);
			tb = kr_test_strtok_r(NULL, delim, &sb);
			tc = kr_test_strtok(NULL, delim);
		}
		assert_memory_equal(b, a, sizeof(a));
		assert_memory_equal(c, a, sizeof(a));
	}
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_strcasecmp(void **state)
{
	char a[40], b[40];

	(void)state;
	for (int iter = 0; iter < 100000; iter++) {
		size_t n = rnd(30);

		rnd_from(a, n, "aAbB[`@{\x80\xc1\xe1");
		memcpy(b, a, n + 1);
		for (size_t k = rnd(4); k; k--)	/* a few changes, maybe a terminator */
			b[rnd((unsigned)n + 1)] = "aAbBzZ@[\x80\xe1"[rnd(11)];
		assert_int_equal(sign(kr_test_strcasecmp(a, b)), sign(strcasecmp(a, b)));
		assert_int_equal(sign(kr_test_strcasecmp(b, a)), sign(strcasecmp(b, a)));
		size_t m = rnd(35);

		assert_int_equal(sign(kr_test_strncasecmp(a, b, m)), sign(strncasecmp(a, b, m)));
	}
	assert_int_equal(kr_test_strcasecmp("HeLLo", "hello"), 0);
	assert_true(kr_test_strcasecmp("a", "[") > 0);	/* 'a' > '[', though 'A' < '[' */
	assert_int_equal(kr_test_strncasecmp("abX", "ABy", 2), 0);
}

/* Runs call; returns whether it reached __chk_fail. */
#define FAILS(call)                                             \
	({                                                      \
		int before_ = chk_failures;                     \
		if (!setjmp(chk_env))                           \
			(void)(call);                           \
		chk_failures != before_;                        \
	})

static void test_chk(void **state)
{
	char buf[16], big[32];

	(void)state;
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* __memmove_chk: n up to the size passes, one more fails. */
	assert_false(FAILS(kr_test_memmove_chk(buf, big, 16, 16)));
	assert_true(FAILS(kr_test_memmove_chk(buf, big, 17, 16)));
	memcpy(buf, "0123456789", 11);
	assert_false(FAILS(kr_test_memmove_chk(buf + 1, buf, 5, 15)));
	assert_string_equal(buf, "0012346789");
	/* __strcpy_chk: the terminator must fit too. */
	assert_false(FAILS(kr_test_strcpy_chk(buf, big + 16, 16)));	/* 15 + NUL */
	assert_string_equal(buf, big + 16);
	assert_true(FAILS(kr_test_strcpy_chk(buf, big + 15, 16)));	/* 16 + NUL */
	assert_false(FAILS(kr_test_strcpy_chk(buf, "", 1)));
	assert_true(FAILS(kr_test_strcpy_chk(buf, "", 0)));
	/* __strcat_chk: both strings and one terminator. */
	strcpy(buf, "abc");
	assert_false(FAILS(kr_test_strcat_chk(buf, big + 19, 16)));	/* 3 + 12 + NUL */
	assert_string_equal(buf + 3, big + 19);
	strcpy(buf, "abc");
	assert_true(FAILS(kr_test_strcat_chk(buf, big + 18, 16)));	/* 3 + 13 + NUL */
	assert_true(FAILS(kr_test_strcat_chk(buf, "", 3)));	/* dst unterminated in 3 */
	assert_false(FAILS(kr_test_strcat_chk(buf, "", 4)));
	assert_true(FAILS(kr_test_strcat_chk(buf, "d", 4)));
	assert_false(FAILS(kr_test_strcat_chk(buf, "d", 5)));
	assert_string_equal(buf, "abcd");
	assert_int_equal(chk_failures, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memchr),
		cmocka_unit_test(test_strrchr),
		cmocka_unit_test(test_page_end),
		cmocka_unit_test(test_strstr_random),
		cmocka_unit_test(test_strstr_periodic),
		cmocka_unit_test(test_copies),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_strtok),
		cmocka_unit_test(test_strcasecmp),
		cmocka_unit_test(test_chk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
