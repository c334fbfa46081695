/*
 * test_blake2.c - krt/blake2.h (tcc-runtime/blake2.c linked with Debian's
 * libb2.a, as in the kernel) against known answers, and tcc-runtime/fortify.c
 * against glibc.
 *
 * The digests were computed independently with Python's hashlib; the input
 * pattern is byte i = (i * 31 + 7) & 0xff:
 *   python3 -c 'import hashlib; n = 1000; print(hashlib.blake2b(
 *       bytes((i * 31 + 7) & 0xff for i in range(n)), digest_size=32).hexdigest())'
 * The empty-string digest is also BLAKE2b-256's published test value.
 *
 * fortify.c defines glibc's own names, so it is included here renamed to
 * kr_test_*, and glibc's versions stay reachable as the reference.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <krt/blake2.h>

#define __memcpy_chk kr_test___memcpy_chk
#define __explicit_bzero_chk kr_test___explicit_bzero_chk
#include "fortify.c"
#undef __memcpy_chk
#undef __explicit_bzero_chk

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);     /* glibc's */

static const struct {
	size_t len;
	const char *hex;
} kat[] = {
	{ 0, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8" },
	{ 1, "873e4fe9e41e924911bba3ec53ff4782efc8c0f244fb75c879f8a4328d0142ca" },
	{ 63, "0745452c1dfca7e1ea6051fc7112a622b0131377e4ab08825d5b8223b37e0a8a" },
	{ 64, "7f6ac9517a5a27b6a059aca25d95f3a144115a759b71ee3990df65191573c5e2" },
	{ 65, "cbcc0b56230a8c21aaa9ce88b5631ebd9dbd1aebd009a765f77f0ce0b9793023" },
	{ 127, "cb805dad055a842f1092d84639d7fe552ac7189003dc8d2fc4606d01921b8962" },
	{ 128, "82783c69cecd49386e8825c6b20f3b41a43b4c9e3a21b627d88bf025046e4c72" },
	{ 129, "b71e24c47c2d5cc68a99732abb05b9f80f2ecdd7744e9d111f453bb26f917e69" },
	{ 1000, "5d0119acc3b3fb1d1e878b458ef4140eee7d2ecaec6cdbe8a095b6c2da4b06b7" },
	{ 100000, "c0cfb6cd66d9df4101f66173c82ba9bd00d193abe22e97d11f10b373932c9368" },
};
#define NKAT (sizeof(kat) / sizeof(kat[0]))
#define MAXLEN 100000

static uint8_t pattern[MAXLEN + 16];
static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void fill_pattern(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + 7);
}

static void unhex(const char *hex, uint8_t out[KRT_BLAKE2B_256_LEN])
{
	for (int i = 0; i < KRT_BLAKE2B_256_LEN; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void test_published_vectors(void **state)
{
	uint8_t got[KRT_BLAKE2B_256_LEN], want[KRT_BLAKE2B_256_LEN];

	(void)state;
	assert_int_equal(kr_blake2b_256(got, "", 0), KR_OK);
	unhex("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8", want);
	assert_memory_equal(got, want, sizeof(want));
	/* No input at all is the empty string too. */
	memset(got, 0, sizeof(got));
	assert_int_equal(kr_blake2b_256(got, NULL, 0), KR_OK);
	assert_memory_equal(got, want, sizeof(want));

	assert_int_equal(kr_blake2b_256(got, "abc", 3), KR_OK);
	unhex("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319", want);
	assert_memory_equal(got, want, sizeof(want));
}

/* Every length, from every alignment of the input (SSE2 loads). */
static void test_one_shot_lengths(void **state)
{
	uint8_t got[KRT_BLAKE2B_256_LEN], want[KRT_BLAKE2B_256_LEN];
	static uint8_t buf[MAXLEN + 16];

	(void)state;
	for (size_t k = 0; k < NKAT; k++) {
		unhex(kat[k].hex, want);
		for (size_t off = 0; off < 16; off += 5) {
			fill_pattern(buf + off, kat[k].len);
			memset(got, 0xa5, sizeof(got));
			assert_int_equal(kr_blake2b_256(got, buf + off, kat[k].len), KR_OK);
			assert_memory_equal(got, want, sizeof(want));
		}
	}
}

/* The SSE2 build, which blake2.c falls back to on CPUs without SSE4.1 (so
 * not on the machines that run these tests), gives the same answers. */
int blake2b_sse2(uint8_t *out, const void *in, const void *key, size_t outlen, size_t inlen,
		 size_t keylen);

static void test_sse2_fallback(void **state)
{
	uint8_t got[KRT_BLAKE2B_256_LEN], want[KRT_BLAKE2B_256_LEN];
	static uint8_t buf[MAXLEN + 16];

	(void)state;
	for (size_t k = 0; k < NKAT; k++) {
		unhex(kat[k].hex, want);
		fill_pattern(buf + 3, kat[k].len);
		assert_int_equal(blake2b_sse2(got, buf + 3, NULL, sizeof(got), kat[k].len, 0), 0);
		assert_memory_equal(got, want, sizeof(want));
	}
}

static void hash_in_pieces(const uint8_t *in, size_t len, size_t max_piece,
			   uint8_t out[KRT_BLAKE2B_256_LEN])
{
	struct krt_blake2b s;
	size_t done = 0;

	assert_int_equal(krt_blake2b_init(&s), KR_OK);
	while (done < len) {
		size_t n = rnd() % (max_piece + 1);     /* empty pieces too */

		if (n > len - done)
			n = len - done;
		assert_int_equal(krt_blake2b_update(&s, in + done, n), KR_OK);
		done += n;
	}
	assert_int_equal(krt_blake2b_final(&s, out), KR_OK);
}

static void test_incremental_matches(void **state)
{
	static const size_t max_piece[] = { 1, 7, 64, 129, 300, 5000 };
	uint8_t got[KRT_BLAKE2B_256_LEN], want[KRT_BLAKE2B_256_LEN];

	(void)state;
	for (size_t k = 0; k < NKAT; k++) {
		unhex(kat[k].hex, want);
		for (size_t m = 0; m < sizeof(max_piece) / sizeof(max_piece[0]); m++) {
			for (int round = 0; round < 4; round++) {
				memset(got, 0, sizeof(got));
				hash_in_pieces(pattern, kat[k].len, max_piece[m], got);
				assert_memory_equal(got, want, sizeof(want));
			}
		}
	}
	/* Random inputs: pieces and one shot agree. */
	for (int round = 0; round < 200; round++) {
		size_t len = rnd() % 3000;
		static uint8_t in[3000];

		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)rnd();
		assert_int_equal(kr_blake2b_256(want, in, len), KR_OK);
		hash_in_pieces(in, len, 1 + rnd() % 400, got);
		assert_memory_equal(got, want, sizeof(want));
	}
}

static void test_bad_arguments(void **state)
{
	uint8_t out[KRT_BLAKE2B_256_LEN], keep[KRT_BLAKE2B_256_LEN], want[KRT_BLAKE2B_256_LEN];
	struct krt_blake2b s;

	(void)state;
	assert_int_equal(kr_blake2b_256(NULL, "abc", 3), KR_EINVAL);
	memset(out, 0x5a, sizeof(out));
	memcpy(keep, out, sizeof(out));
	assert_int_equal(kr_blake2b_256(out, NULL, 1), KR_EINVAL);
	assert_memory_equal(out, keep, sizeof(out));
	assert_int_equal(krt_blake2b_init(NULL), KR_EINVAL);
	assert_int_equal(krt_blake2b_update(NULL, "a", 1), KR_EINVAL);
	assert_int_equal(krt_blake2b_final(NULL, out), KR_EINVAL);

	/* A refused call changes nothing: the digest still covers "abc". */
	assert_int_equal(krt_blake2b_init(&s), KR_OK);
	assert_int_equal(krt_blake2b_update(&s, "ab", 2), KR_OK);
	assert_int_equal(krt_blake2b_update(&s, NULL, 5), KR_EINVAL);
	assert_int_equal(krt_blake2b_update(&s, NULL, 0), KR_OK);
	assert_int_equal(krt_blake2b_final(&s, NULL), KR_EINVAL);
	assert_int_equal(krt_blake2b_update(&s, "c", 1), KR_OK);
	assert_int_equal(krt_blake2b_final(&s, out), KR_OK);
	unhex("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319", want);
	assert_memory_equal(out, want, sizeof(want));

	/* After final: no more data, no second digest, until init again. */
	memcpy(keep, out, sizeof(out));
	assert_int_equal(krt_blake2b_update(&s, "d", 1), KR_EALREADY);
	assert_int_equal(krt_blake2b_final(&s, out), KR_EALREADY);
	assert_memory_equal(out, keep, sizeof(out));
	assert_int_equal(krt_blake2b_init(&s), KR_OK);
	assert_int_equal(krt_blake2b_update(&s, "abc", 3), KR_OK);
	assert_int_equal(krt_blake2b_final(&s, out), KR_OK);
	assert_memory_equal(out, want, sizeof(want));
}

/* Runs fn in a child; true if the child was killed by sig. */
static int dies_with(void (*fn)(void), int sig)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		signal(sig, SIG_DFL);   /* cmocka's handler would catch it */
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static void overflow_memcpy(void)
{
	char dst[8], src[16] = "0123456789abcde";
	volatile size_t n = sizeof(src);

	kr_test___memcpy_chk(dst, src, n, sizeof(dst));
}

static void overflow_bzero(void)
{
	char dst[8];
	volatile size_t n = 9;

	kr_test___explicit_bzero_chk(dst, n, sizeof(dst));
}

static void test_fortify_like_glibc(void **state)
{
	uint8_t src[300], ours[300], libc[300];

	(void)state;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)rnd();
	for (size_t n = 0; n <= 256; n = n ? n * 2 + 1 : 1) {
		for (size_t room = n; room <= n + 3; room += 3) {
			memset(ours, 0xee, sizeof(ours));
			memset(libc, 0xee, sizeof(libc));
			assert_ptr_equal(kr_test___memcpy_chk(ours + 1, src, n, room), ours + 1);
			assert_ptr_equal(__memcpy_chk(libc + 1, src, n, room), libc + 1);
			assert_memory_equal(ours, libc, sizeof(ours));

			memset(ours, 0xee, sizeof(ours));
			memset(libc, 0xee, sizeof(libc));
			kr_test___explicit_bzero_chk(ours + 1, n, room);
			explicit_bzero(libc + 1, n);
			assert_memory_equal(ours, libc, sizeof(ours));
		}
	}
	/* glibc aborts on a destination too small; ours traps (ud2). */
	assert_true(dies_with(overflow_memcpy, SIGILL));
	assert_true(dies_with(overflow_bzero, SIGILL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_vectors),
		cmocka_unit_test(test_one_shot_lengths),
		cmocka_unit_test(test_sse2_fallback),
		cmocka_unit_test(test_incremental_matches),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_fortify_like_glibc),
	};

	fill_pattern(pattern, MAXLEN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
