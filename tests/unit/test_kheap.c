/*
 * test_kheap.c - host tests for the kernel heap.
 *
 * The page source is aligned_alloc, bookkept here: every run handed out is
 * recorded, put must return exactly a recorded run, and the test can ask at
 * any time how many pages are out and whether a pointer lies in one of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <krt/kheap.h>

#define PG 4096u

static struct run { char *p; size_t n; } runs[4096];
static size_t nruns, pages_out;
static long gets_left = -1; /* < 0: unlimited */

static void *src_get(size_t n)
{
	char *p;

	if (gets_left == 0 || n == 0 || n > 4096 || nruns == 4096)
		return NULL;
	if (gets_left > 0)
		gets_left--;
	p = aligned_alloc(PG, n * PG);
	assert_non_null(p);
	memset(p, 0xcd, n * PG);
	runs[nruns++] = (struct run){ p, n };
	pages_out += n;
	return p;
}

static void src_put(void *p, size_t n)
{
	for (size_t i = 0; i < nruns; i++) {
		if (runs[i].p == p) {
			assert_int_equal(runs[i].n, n);
			free(p);
			pages_out -= n;
			runs[i] = runs[--nruns];
			return;
		}
	}
	fail_msg("put(%p, %zu) of a run never handed out", p, n);
}

static bool in_runs(const void *q)
{
	for (size_t i = 0; i < nruns; i++)
		if ((const char *)q >= runs[i].p && (const char *)q < runs[i].p + runs[i].n * PG)
			return true;
	return false;
}

static kr_err_t last_report;
static const void *last_report_ptr;

static void src_report(kr_err_t err, const void *p, size_t n)
{
	(void)n;
	last_report = err;
	last_report_ptr = p;
}

static const struct kheap_pagesrc src = { src_get, src_put, src_report };

static int setup(void **state)
{
	(void)state;
	gets_left = -1;
	kheap_init(&src);
	return 0;
}

/* The heap is forgotten by the next kheap_init; give its pages back here. */
static int teardown(void **state)
{
	(void)state;
	while (nruns)
		src_put(runs[nruns - 1].p, runs[nruns - 1].n);
	return 0;
}

static uint8_t pat(uint32_t seed, size_t j)
{
	return (uint8_t)(seed + j * 31 + (j >> 8));
}

static void fill(void *p, size_t n, uint32_t seed)
{
	for (size_t j = 0; j < n; j++)
		((uint8_t *)p)[j] = pat(seed, j);
}

static void check(const void *p, size_t n, uint32_t seed)
{
	for (size_t j = 0; j < n; j++)
		if (((const uint8_t *)p)[j] != pat(seed, j))
			fail_msg("block %p byte %zu of %zu corrupted", p, j, n);
}

static void assert_empty(void)
{
	struct kheap_stats st;

	kheap_get_stats(&st);
	assert_int_equal(st.live_allocs, 0);
	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(st.total_allocs, st.total_frees);
	assert_int_equal(st.pages_held, pages_out);
}

static int by_addr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* Every size 0..5000 at once: aligned, disjoint, and each keeps its bytes. */
static void test_alignment(void **state)
{
	enum { N = 5001 };
	static void *p[N], *sorted[N];

	(void)state;
	for (size_t n = 0; n < N; n++) {
		p[n] = kmalloc(n);
		assert_non_null(p[n]);
		assert_int_equal((uintptr_t)p[n] % 16, 0);
		assert_true(in_runs(p[n]));
		fill(p[n], n, (uint32_t)n);
	}
	for (size_t n = 0; n < N; n++)
		check(p[n], n, (uint32_t)n);
	memcpy(sorted, p, sizeof(p));
	qsort(sorted, N, sizeof(void *), by_addr);
	for (size_t i = 1; i < N; i++)
		assert_true(sorted[i] != sorted[i - 1]); /* kmalloc(0) is unique too */
	for (size_t n = 0; n < N; n++)
		assert_int_equal(kfree(p[n]), KR_OK);
	assert_empty();
}

static void test_krealloc_contents(void **state)
{
	static const size_t sizes[] = { 10, 16, 17, 100, 2032, 2033, 3000, 10000,
					100000, 5000, 4000, 1000, 50, 1, 0, 64 };
	struct kheap_stats st;
	size_t have = 10;
	char *p = kmalloc(10), *q;

	(void)state;
	fill(p, 10, 7);
	for (size_t i = 1; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		q = krealloc(p, sizes[i]);
		assert_non_null(q);
		assert_int_equal((uintptr_t)q % 16, 0);
		check(q, have < sizes[i] ? have : sizes[i], 7);
		have = sizes[i];
		fill(q, have, 7);
		kheap_get_stats(&st);
		assert_int_equal(st.bytes_in_use, have);
		assert_int_equal(st.live_allocs, 1);
		p = q;
	}
	q = krealloc(NULL, 300);
	assert_non_null(q);
	assert_null(krealloc(q + 16, 10)); /* not a block: refused, q untouched */
	assert_int_equal(kfree(q), KR_OK);
	assert_null(krealloc(q, 10));       /* already freed */
	assert_null(krealloc(p, SIZE_MAX)); /* fails, p stays valid */
	check(p, have, 7);
	assert_int_equal(kfree(p), KR_OK);
	assert_empty();
}

static void test_bad_frees(void **state)
{
	_Alignas(16) char stack[64];
	struct kheap_stats st0, st;
	char *big, *p = kmalloc(40), *keep = kmalloc(40);
	void *libc = malloc(64);

	(void)state;
	big = kmalloc(5 * PG);
	assert_true(p && keep && big && libc);
	kheap_get_stats(&st0);
	assert_int_equal(kfree(stack + 16), KR_EFOREIGN);
	assert_int_equal(kfree(stack), KR_EFOREIGN);
	assert_int_equal(kfree(p + 8), KR_EFOREIGN);
	assert_int_equal(kfree(p + 16), KR_EFOREIGN);  /* aligned, inside the block */
	assert_int_equal(kfree(p + 1), KR_EFOREIGN);
	assert_int_equal(kfree(big + 2 * PG), KR_EFOREIGN); /* middle of the run */
	assert_int_equal(kfree(big + 16), KR_EFOREIGN);
	assert_int_equal(kfree(libc), KR_EFOREIGN);
	assert_int_equal(kfree((void *)(uintptr_t)16), KR_EFOREIGN);
	kheap_get_stats(&st);
	assert_memory_equal(&st, &st0, sizeof(st));

	assert_int_equal(kfree(p), KR_OK);
#ifdef KR_DEBUG
	for (size_t j = 8; j < 40; j++) /* the first 8 bytes hold the free list link */
		assert_int_equal((uint8_t)p[j], 0x6b);
#endif
	kheap_get_stats(&st0);
	last_report = KR_OK;
	assert_int_equal(kfree(p), KR_EDOUBLE);
	assert_int_equal(last_report, KR_EDOUBLE);   /* the kernel gets to log it */
	assert_ptr_equal(last_report_ptr, p);
	assert_int_equal(kfree(big), KR_OK);
	assert_false(in_runs(big));
	kheap_get_stats(&st);
	assert_int_equal(kfree(big), KR_EFOREIGN); /* its pages are gone: not ours */
	kheap_get_stats(&st0);
	assert_memory_equal(&st, &st0, sizeof(st));
	assert_int_equal(kfree(NULL), KR_OK);
	assert_int_equal(kfree(keep), KR_OK);
	free(libc);
	assert_empty();
}

static void test_calloc_and_absurd(void **state)
{
	struct kheap_stats st0, st;
	uint8_t *p;

	(void)state;
	p = kmalloc(2000);
	memset(p, 0xff, 2000);
	assert_int_equal(kfree(p), KR_OK);
	kheap_get_stats(&st0);
	assert_null(kcalloc(SIZE_MAX / 2, 3));
	assert_null(kcalloc((SIZE_MAX >> 4) + 1, 16));
	assert_null(kcalloc(3, SIZE_MAX / 2));
	last_report = KR_OK;
	assert_null(kmalloc(SIZE_MAX));
	assert_int_equal(last_report, KR_ENOMEM);
	assert_null(kmalloc(SIZE_MAX - 16));
	assert_null(kmalloc(SIZE_MAX - PG));
	assert_null(kmalloc(SIZE_MAX / 2)); /* the source refuses */
	kheap_get_stats(&st);
	assert_memory_equal(&st, &st0, sizeof(st));
	p = kcalloc(100, 20);               /* likely the block just freed */
	assert_non_null(p);
	for (size_t j = 0; j < 2000; j++)
		assert_int_equal(p[j], 0);
	assert_int_equal(kfree(p), KR_OK);
	p = kcalloc(3, 7000);
	assert_non_null(p);
	for (size_t j = 0; j < 21000; j++)
		assert_int_equal(p[j], 0);
	assert_int_equal(kfree(p), KR_OK);
	p = kcalloc(0, 5);
	assert_non_null(p);
	assert_int_equal(kfree(p), KR_OK);
	assert_empty();
}

/* After everything is freed no large block's pages are still out. */
static void test_everything_returned(void **state)
{
	enum { N = 600 };
	static char *p[N];
	struct kheap_stats st;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		p[i] = kmalloc(i % 3 ? i * 7 : i * 300);
		assert_non_null(p[i]);
	}
	kheap_get_stats(&st);
	assert_int_equal(st.live_allocs, N);
	assert_int_equal(st.pages_held, pages_out);
	for (size_t i = 0; i < N; i += 2)
		assert_int_equal(kfree(p[i]), KR_OK);
	for (size_t i = 1; i < N; i += 2)
		assert_int_equal(kfree(p[i]), KR_OK);
	assert_empty();
	for (size_t i = 0; i < N; i++)
		if ((i % 3 ? i * 7 : i * 300) > PG)
			assert_false(in_runs(p[i]));
}

/* A page source that runs dry: NULL back, nothing leaked, counts intact. */
static void test_source_failure(void **state)
{
	struct kheap_stats st;

	(void)state;
	for (long budget = 0; budget < 4; budget++) {
		teardown(state);
		kheap_init(&src);
		gets_left = budget;
		for (int i = 0; i < 3000; i++) {
			void *p = kmalloc(i % 2 ? 24 : 9000);

			kheap_get_stats(&st);
			assert_int_equal(st.pages_held, pages_out);
			if (!p)
				break;
		}
		assert_int_equal(gets_left, 0);
		assert_null(kmalloc(16 * PG));
		kheap_get_stats(&st);
		assert_int_equal(st.pages_held, pages_out);
		assert_int_equal(st.total_allocs, st.live_allocs);
	}
	gets_left = -1;
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t rnd_size(void)
{
	uint64_t r = rnd() % 100;

	return r < 70 ? rnd() % 257 : r < 95 ? rnd() % 4097 : rnd() % 40001;
}

static void test_stress(void **state)
{
	enum { SLOTS = 1000, OPS = 30000 };
	static struct { char *p; size_t n; uint32_t seed; } s[SLOTS];
	struct kheap_stats st;
	uint64_t bytes = 0, live = 0;

	(void)state;
	memset(s, 0, sizeof(s));
	for (int op = 0; op < OPS; op++) {
		size_t k = rnd() % SLOTS, n = rnd_size();
		uint64_t what = rnd() % 3;

		if (s[k].p)
			check(s[k].p, s[k].n, s[k].seed);
		if (!s[k].p) {
			s[k].p = kmalloc(n);
			live++;
		} else if (what == 0) {
			assert_int_equal(kfree(s[k].p), KR_OK);
			bytes -= s[k].n;
			live--;
			s[k].p = NULL;
			continue;
		} else {
			char *q = krealloc(s[k].p, n);

			assert_non_null(q);
			check(q, s[k].n < n ? s[k].n : n, s[k].seed);
			s[k].p = q;
			bytes -= s[k].n;
		}
		assert_non_null(s[k].p);
		assert_int_equal((uintptr_t)s[k].p % 16, 0);
		s[k].n = n;
		s[k].seed = (uint32_t)rnd();
		fill(s[k].p, n, s[k].seed);
		bytes += n;
		kheap_get_stats(&st);
		assert_int_equal(st.bytes_in_use, bytes);
		assert_int_equal(st.live_allocs, live);
		if (op % 1000 == 0)
			for (size_t i = 0; i < SLOTS; i++)
				if (s[i].p)
					check(s[i].p, s[i].n, s[i].seed);
	}
	for (size_t i = 0; i < SLOTS; i++) {
		if (s[i].p) {
			check(s[i].p, s[i].n, s[i].seed);
			assert_int_equal(kfree(s[i].p), KR_OK);
		}
	}
	assert_empty();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_krealloc_contents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calloc_and_absurd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_everything_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stress, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
