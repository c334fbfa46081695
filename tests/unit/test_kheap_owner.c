/*
 * test_kheap_owner.c - heap blocks charged to owners (tcc-runtime/kheap_owner.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <krt/kheap.h>
#include <krt/kheap_owner.h>

/* Page source over aligned_alloc; the heap keeps small-block pages for
 * good, so teardown hands back whatever it still holds. */
static void *runs[256];
static size_t nruns;

static void *get(size_t n)
{
	void *p = nruns < 256 ? aligned_alloc(4096, n * 4096) : NULL;

	if (p)
		runs[nruns++] = p;
	return p;
}

static void put(void *p, size_t n)
{
	(void)n;
	for (size_t i = 0; i < nruns; i++)
		if (runs[i] == p) {
			runs[i] = runs[--nruns];
			free(p);
			return;
		}
	fail_msg("the heap returned pages it never got");
}

static const struct kheap_pagesrc src = { get, put, NULL };

static int setup(void **state)
{
	(void)state;
	kheap_init(&src);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	while (nruns)
		free(runs[--nruns]);
	return 0;
}

static void test_alloc_free_counts(void **state)
{
	struct kheap_owner a = { 0 };
	struct kheap_stats st;
	void *p[10];

	(void)state;
	for (int i = 0; i < 10; i++) {
		p[i] = kheap_owner_alloc(&a, 100 * (i + 1));
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		memset(p[i], i, 100 * (i + 1));
	}
	assert_int_equal(a.blocks, 10);
	assert_int_equal(a.bytes, 100 * 55);
	for (int i = 0; i < 10; i += 2)
		assert_int_equal(kheap_owner_free(&a, p[i]), KR_OK);
	assert_int_equal(a.blocks, 5);
	assert_int_equal(kheap_owner_free(&a, p[0]), KR_EFOREIGN);   /* already freed */
	assert_int_equal(kheap_owner_release(&a), 5);
	assert_int_equal(a.blocks, 0);
	assert_int_equal(a.bytes, 0);
	assert_null(a.head);
	kheap_get_stats(&st);
	assert_int_equal(st.live_allocs, 0);
}

static void test_foreign_and_wild(void **state)
{
	struct kheap_owner a = { 0 }, b = { 0 };
	char stack[64];
	void *pa = kheap_owner_alloc(&a, 64), *plain = kmalloc(64);

	(void)state;
	assert_int_equal(kheap_owner_free(&b, pa), KR_EFOREIGN);     /* another owner's */
	assert_int_equal(kheap_owner_free(&a, stack + 48), KR_EFOREIGN);
	assert_int_equal(kheap_owner_free(&a, plain), KR_EFOREIGN);  /* not charged to anyone */
	assert_int_equal(kheap_owner_free(&a, (char *)pa + 16), KR_EFOREIGN);
	assert_null(kheap_owner_realloc(&b, pa, 10));                /* realloc checks too */
	assert_int_equal(a.blocks, 1);
	assert_int_equal(kheap_owner_free(&a, NULL), KR_OK);
	assert_int_equal(kheap_owner_free(&a, pa), KR_OK);
	assert_int_equal(kfree(plain), KR_OK);
}

static void test_realloc_keeps_contents(void **state)
{
	struct kheap_owner a = { 0 };
	unsigned char *p = kheap_owner_realloc(&a, NULL, 50);

	(void)state;
	for (int i = 0; i < 50; i++)
		p[i] = (unsigned char)i;
	p = kheap_owner_realloc(&a, p, 5000);
	assert_non_null(p);
	for (int i = 0; i < 50; i++)
		assert_int_equal(p[i], i);
	p = kheap_owner_realloc(&a, p, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(p[i], i);
	assert_int_equal(a.blocks, 1);
	assert_int_equal(a.bytes, 10);
	assert_null(kheap_owner_alloc(&a, SIZE_MAX));
	assert_int_equal(kheap_owner_release(&a), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_free_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_and_wild, setup, teardown),
		cmocka_unit_test_setup_teardown(test_realloc_keeps_contents, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
