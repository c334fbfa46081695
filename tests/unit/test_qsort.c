/*
 * test_qsort.c - tcc-runtime/libc/qsort.c against glibc: qsort leaves the
 * same bytes as glibc's (stable) qsort on arrays of 0..300 elements of 1,
 * 3, 8 and 24 bytes with many equal keys, both with scratch memory and
 * with malloc failing (the in-place merge); bsearch finds the same element.
 *
 * The library's functions carry the standard names, so this file includes
 * qsort.c with each renamed to kr_test_*, glibc's versions beside them;
 * its malloc goes through a hook that can fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "krt_libc_host.h"
/* The functions under test, and the heap they borrow from. */
#define qsort kr_test_qsort
#define bsearch kr_test_bsearch
#define malloc kr_test_malloc
#define free kr_test_free
#include "libc/qsort.c"
#undef qsort
#undef bsearch
#undef malloc
#undef free

static int malloc_fails, mallocs, frees;

void *kr_test_malloc(size_t n)
{
	if (malloc_fails)
		return NULL;
	mallocs++;
	return malloc(n);
}

void kr_test_free(void *p)
{
	frees++;
	free(p);
}

static uint64_t rng = 0x853c49e6748fea9bull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Only the first byte is the key, and only its top bits for 1-byte
 * elements: the rest tells equal keys apart, so stability shows. */
static int cmp_key(const void *a, const void *b)
{
	return (*(const unsigned char *)a >> 5) - (*(const unsigned char *)b >> 5);
}

static int cmp_key_wide(const void *a, const void *b)
{
	return *(const unsigned char *)a - *(const unsigned char *)b;
}

static const size_t elem_sizes[] = { 1, 3, 8, 24 };

/* Fill n elements: keys from a small range (many ties) or a wide one. */
static void fill(unsigned char *p, size_t n, size_t size, unsigned keys)
{
	for (size_t i = 0; i < n; i++)
		for (size_t b = 0; b < size; b++)
			p[i * size + b] = b == 0 && size > 1 ? (unsigned char)rnd(keys) :
								(unsigned char)rnd(256);
}

static void compare_sorts(int fail_malloc)
{
	unsigned char *got = malloc(300 * 24), *want = malloc(300 * 24);

	malloc_fails = fail_malloc;
	for (size_t si = 0; si < sizeof(elem_sizes) / sizeof(elem_sizes[0]); si++)
		for (size_t n = 0; n <= 300; n++)
			for (int pattern = 0; pattern < 5; pattern++) {
				size_t size = elem_sizes[si];
				int (*cmp)(const void *, const void *) =
					size > 1 && pattern == 4 ? cmp_key_wide : cmp_key;

				fill(want, n, size, pattern == 0 ? 1 : pattern == 1 ? 3 : 256);
				if (pattern == 2)	/* sorted already, then reversed */
					qsort(want, n, size, cmp_key_wide);
				if (pattern == 3)
					for (size_t i = 0; i < n / 2; i++)
						for (size_t b = 0; b < size; b++) {
							unsigned char t = want[i * size + b];

							want[i * size + b] = want[(n - 1 - i) * size + b];
							want[(n - 1 - i) * size + b] = t;
						}
				memcpy(got, want, n * size);
				qsort(want, n, size, cmp);
				kr_test_qsort(got, n, size, cmp);
				if (n && memcmp(got, want, n * size))
					fail_msg("qsort n=%zu size=%zu pattern %d malloc %s", n, size,
						 pattern, fail_malloc ? "failing" : "working");
			}
	malloc_fails = 0;
	free(got);
	free(want);
}

static void test_qsort_matches_glibc(void **state)
{
	(void)state;
	mallocs = frees = 0;
	compare_sorts(0);
	assert_true(mallocs > 0);	/* large arrays took heap scratch */
	assert_int_equal(frees, mallocs);
}

static void test_qsort_without_malloc(void **state)
{
	(void)state;
	mallocs = frees = 0;
	compare_sorts(1);
	assert_int_equal(mallocs, 0);
	assert_int_equal(frees, 0);
}

/* Elements needing 16-byte alignment, compared as such, with scratch both
 * on the stack and from the heap. */
static int cmp_wide(const void *a, const void *b)
{
	unsigned __int128 x = *(const unsigned __int128 *)a >> 120;
	unsigned __int128 y = *(const unsigned __int128 *)b >> 120;

	return (x > y) - (x < y);
}

static void test_qsort_aligned(void **state)
{
	unsigned __int128 got[200], want[200];

	(void)state;
	for (size_t n = 0; n <= 200; n += 7) {
		for (size_t i = 0; i < n; i++)
			want[i] = ((unsigned __int128)rnd(4) << 120) | i;
		memcpy(got, want, sizeof(got));
		qsort(want, n, sizeof(want[0]), cmp_wide);
		kr_test_qsort(got, n, sizeof(got[0]), cmp_wide);
		assert_memory_equal(got, want, n * sizeof(got[0]));
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void test_bsearch(void **state)
{
	int a[100];

	(void)state;
	for (size_t n = 0; n <= 100; n++)
		for (int spread = 1; spread <= 40; spread += 13) {
			for (size_t i = 0; i < n; i++)
				a[i] = (int)rnd((unsigned)spread) * 2;	/* even: odd keys miss */
			qsort(a, n, sizeof(a[0]), cmp_int);
			for (int key = -1; key <= 2 * spread; key++)
				assert_ptr_equal(kr_test_bsearch(&key, a, n, sizeof(a[0]), cmp_int),
						 bsearch(&key, a, n, sizeof(a[0]), cmp_int));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qsort_matches_glibc),
		cmocka_unit_test(test_qsort_without_malloc),
		cmocka_unit_test(test_qsort_aligned),
		cmocka_unit_test(test_bsearch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
