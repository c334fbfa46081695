/*
 * test_pmm.c - host tests for the physical page allocator.
 *
 * Physical memory [1 MiB, 17 MiB) is faked by a heap buffer; phys_to_virt
 * fails the test for any address outside it, so the allocator provably
 * leaves low memory alone.  Expected counts come from a page-by-page reading
 * of the map written here, independent of the allocator's bitmap logic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/pmm.h"

#define PG        4096ULL
#define MIB       0x100000ULL
#define FAKE_BASE MIB
#define FAKE_SIZE (16 * MIB)
#define NPG       (FAKE_SIZE / PG)   /* pages of the fake, index i = FAKE_BASE + i * PG */

static uint8_t *fake;

static void *fake_p2v(uint64_t phys)
{
	if (phys < FAKE_BASE || phys >= FAKE_BASE + FAKE_SIZE)
		fail_msg("phys_to_virt(%#llx) outside fake memory", (unsigned long long)phys);
	return fake + (phys - FAKE_BASE);
}

/* A PC-like map, deliberately unsorted and overlapping. */
static const struct kr_mem_range real_map[] = {
	{ 0xd00800, 0x10fff10 - 0xd00800, KR_MEM_USABLE, 0 },  /* unaligned both ends */
	{ 0x0, 0x9fc00, KR_MEM_USABLE, 0 },                     /* low memory */
	{ 0x9fc00, 0x400, KR_MEM_RESERVED, 0 },
	{ 0xf0000, 0x10000, KR_MEM_RESERVED, 0 },
	{ 0x100000, 0x700000, KR_MEM_USABLE, 0 },               /* 1..8 MiB */
	{ 0x600123, 0xc00000 - 0x600123, KR_MEM_USABLE, 0 },    /* overlaps the one above */
	{ 0x90000, 0x180000 - 0x90000, KR_MEM_USABLE, 0 },      /* straddles 1 MiB */
	{ 0x700800, 0x800, KR_MEM_RESERVED, 0 },                /* inside usable: wins */
	{ 0xa00000, 0x20000, KR_MEM_ACPI_RECLAIM, 0 },          /* hole */
	{ 0xe00000, 0x1000, KR_MEM_BAD, 0 },
	{ 0xfec00000, 0x1000, KR_MEM_RESERVED, 0 },
	{ 0xfffc0000, 0x40000, KR_MEM_RESERVED, 0 },
};
#define NMAP (sizeof(real_map) / sizeof(real_map[0]))

static const struct memmap_range real_res[] = {
	{ 0x100000, 0x2a1234 },  /* kernel image */
	{ 0x500010, 0x500020 },  /* a tiny boot module */
	{ 0x10000, 0x10800 },    /* the MBI, below 1 MiB */
	{ 0xa1f000, 0xa21000 },  /* module straddling the ACPI hole */
};
#define NRES (sizeof(real_res) / sizeof(real_res[0]))

static bool overlaps(uint64_t b, uint64_t e, uint64_t p)
{
	return b < p + PG && p < e;
}

/* Page p is usable: wholly inside a usable entry, touched by no other entry. */
static bool page_usable(uint64_t p)
{
	bool in = false;

	if (p < MIB)
		return false;
	for (size_t i = 0; i < NMAP; i++) {
		const struct kr_mem_range *r = &real_map[i];

		if (r->type == KR_MEM_USABLE)
			in |= r->base <= p && p + PG <= r->base + r->length;
		else if (overlaps(r->base, r->base + r->length, p))
			return false;
	}
	return in;
}

static bool page_reserved(uint64_t p, const struct pmm_stats *st)
{
	for (size_t i = 0; i < NRES; i++)
		if (overlaps(real_res[i].base, real_res[i].end, p))
			return true;
	return overlaps(st->bitmap_phys, st->bitmap_phys + st->bitmap_bytes, p);
}

/* May the allocator ever hand out page p (given where it put its bitmap)? */
static bool page_allowed(uint64_t p, const struct pmm_stats *st)
{
	return page_usable(p) && !page_reserved(p, st);
}

static void init_real(struct pmm_stats *st)
{
	const char *why = "unset";

	memset(fake, 0xaa, FAKE_SIZE);
	assert_int_equal(pmm_init(real_map, NMAP, real_res, NRES, fake_p2v, &why), KR_OK);
	pmm_get_stats(st);
}

static bool page_zero(uint64_t p)
{
	const uint8_t *v = fake_p2v(p);

	for (size_t i = 0; i < PG; i++)
		if (v[i])
			return false;
	return true;
}

/* Snapshot of everything observable, to prove a failed call changed nothing. */
struct snap {
	struct pmm_stats st;
	bool free[NPG];
};

static void take(struct snap *s)
{
	pmm_get_stats(&s->st);
	for (uint64_t i = 0; i < NPG; i++)
		s->free[i] = pmm_is_free(FAKE_BASE + i * PG);
}

static void same(const struct snap *a)
{
	static struct snap b;

	take(&b);
	assert_memory_equal(&a->st, &b.st, sizeof(a->st));
	assert_memory_equal(a->free, b.free, sizeof(a->free));
}

static void test_init_counts(void **state)
{
	struct pmm_stats st;
	uint64_t total = 0, rsv = 0;

	(void)state;
	init_real(&st);
	assert_true(st.bitmap_phys >= MIB && st.bitmap_phys % PG == 0);
	assert_true(st.bitmap_bytes * 8 >= st.total_pages);
	for (uint64_t p = st.bitmap_phys; p < st.bitmap_phys + st.bitmap_bytes; p += PG) {
		assert_true(page_usable(p));
		for (size_t i = 0; i < NRES; i++)
			assert_false(overlaps(real_res[i].base, real_res[i].end, p));
	}
	for (uint64_t p = 0; p < FAKE_BASE + FAKE_SIZE + 4 * MIB; p += PG) {
		total += page_usable(p);
		rsv += page_usable(p) && page_reserved(p, &st);
		assert_int_equal(pmm_is_free(p), page_allowed(p, &st));
	}
	assert_true(total > 3000 && rsv > 400); /* the map really is that shape */
	assert_int_equal(st.total_pages, total);
	assert_int_equal(st.reserved_pages, rsv);
	assert_int_equal(st.free_pages, total - rsv);
}

static void test_roundtrip(void **state)
{
	struct pmm_stats st0, st;
	uint64_t p[3];
	const size_t n[3] = { 1, 3, 7 };

	(void)state;
	init_real(&st0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pmm_alloc(n[i], &p[i]), KR_OK);
		for (size_t k = 0; k < n[i]; k++)
			assert_false(pmm_is_free(p[i] + k * PG));
	}
	pmm_get_stats(&st);
	assert_int_equal(st.free_pages, st0.free_pages - 11);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pmm_free(p[i], n[i]), KR_OK);
	pmm_get_stats(&st);
	assert_memory_equal(&st, &st0, sizeof(st));
	for (int i = 0; i < 3; i++)
		for (size_t k = 0; k < n[i]; k++)
			assert_true(pmm_is_free(p[i] + k * PG));
}

/* pmm_alloc_below (DMA): every page of the run below the limit, the pages
 * below it run out while others stay free, and a limit at or below the
 * first page fails changing nothing. */
static void test_below(void **state)
{
	static struct snap before;
	const uint64_t limit = FAKE_BASE + 2 * MIB;
	struct pmm_stats st0, st;
	uint64_t p, n = 0;

	(void)state;
	init_real(&st0);
	assert_int_equal(pmm_alloc_below(4, limit, &p), KR_OK);
	assert_true(p >= FAKE_BASE && p + 4 * PG <= limit);
	assert_int_equal(pmm_free(p, 4), KR_OK);
	while (pmm_alloc_below(1, limit, &p) == KR_OK) {
		assert_true(p + PG <= limit);
		n++;
	}
	assert_true(n > 0 && n <= (limit - FAKE_BASE) / PG);
	pmm_get_stats(&st);
	assert_int_equal(st.free_pages, st0.free_pages - n);
	assert_int_equal(pmm_alloc(1, &p), KR_OK);      /* above the limit: still there */
	assert_true(p >= limit);
	take(&before);
	assert_int_equal(pmm_alloc_below(1, FAKE_BASE, &p), KR_ENOMEM);
	assert_int_equal(pmm_alloc_below(1, 0, &p), KR_ENOMEM);
	same(&before);
}

/* Drain all memory page by page: each page allowed, zeroed, given once. */
static void test_zeroed_allowed(void **state)
{
	static bool given[NPG];
	struct pmm_stats st;
	uint64_t p, count = 0;

	(void)state;
	memset(given, 0, sizeof(given));
	init_real(&st);
	while (pmm_alloc(1, &p) == KR_OK) {
		assert_true(p % PG == 0 && p >= FAKE_BASE && p < FAKE_BASE + FAKE_SIZE);
		assert_true(page_allowed(p, &st));
		assert_false(given[(p - FAKE_BASE) / PG]);
		given[(p - FAKE_BASE) / PG] = true;
		assert_true(page_zero(p));
		memset(fake_p2v(p), 0x55, PG); /* dirty it for the second round */
		count++;
	}
	assert_int_equal(count, st.free_pages);
	for (uint64_t i = 0; i < NPG; i++) {
		if (given[i]) {
			assert_int_equal(pmm_free(FAKE_BASE + i * PG, 1), KR_OK);
#ifdef KR_DEBUG
			assert_int_equal(((uint8_t *)fake_p2v(FAKE_BASE + i * PG))[100], 0x6b);
#endif
		}
	}
	for (int k = 0; k < 50; k++) {
		assert_int_equal(pmm_alloc(1 + k % 5, &p), KR_OK);
		for (int j = 0; j < 1 + k % 5; j++)
			assert_true(page_zero(p + j * PG));
	}
}

/* The longest run of allowed pages can be had in one piece; one more cannot. */
static void test_contiguity(void **state)
{
	struct pmm_stats st;
	uint64_t run = 0, best = 0, p;

	(void)state;
	init_real(&st);
	for (uint64_t i = 0; i < NPG; i++) {
		run = page_allowed(FAKE_BASE + i * PG, &st) ? run + 1 : 0;
		best = run > best ? run : best;
	}
	assert_true(best > 16);
	assert_int_equal(pmm_alloc(16, &p), KR_OK);
	for (uint64_t k = 0; k < 16; k++)
		assert_true(page_allowed(p + k * PG, &st));
	assert_int_equal(pmm_free(p, 16), KR_OK);

	static struct snap snap;
	struct snap *s = &snap;
	take(s);
	assert_int_equal(pmm_alloc(best + 1, &p), KR_ENOMEM);
	same(s);
	assert_int_equal(pmm_alloc(best, &p), KR_OK);
	for (uint64_t k = 0; k < best; k++) {
		assert_true(page_allowed(p + k * PG, &st));
		assert_false(pmm_is_free(p + k * PG));
	}
}

static void test_exhaustion(void **state)
{
	struct pmm_stats st;
	static struct snap snap;
	struct snap *s = &snap;
	uint64_t p = 0;

	(void)state;
	init_real(&st);
	take(s);
	assert_int_equal(pmm_alloc(0, &p), KR_EINVAL);
	assert_int_equal(pmm_alloc(SIZE_MAX, &p), KR_ENOMEM);
	assert_int_equal(pmm_alloc(st.free_pages + 1, &p), KR_ENOMEM);
	same(s);
	while (pmm_alloc(3, &p) == KR_OK)
		;
	while (pmm_alloc(1, &p) == KR_OK)
		;
	pmm_get_stats(&st);
	assert_int_equal(st.free_pages, 0);
	take(s);
	p = 12345;
	assert_int_equal(pmm_alloc(1, &p), KR_ENOMEM);
	assert_int_equal(p, 12345);
	same(s);
}

static void test_bad_frees(void **state)
{
	struct pmm_stats st;
	static struct snap snap;
	struct snap *s = &snap;
	uint64_t r = 0, k = 0, p;

	(void)state;
	init_real(&st);
	/* k: allowed page right below a reserved one; r: three allowed pages. */
	for (p = FAKE_BASE; p + 3 * PG <= FAKE_BASE + FAKE_SIZE; p += PG) {
		if (page_allowed(p, &st) && page_usable(p + PG) && page_reserved(p + PG, &st))
			k = p;
		if (!r && page_allowed(p, &st) && page_allowed(p + PG, &st) &&
		    page_allowed(p + 2 * PG, &st))
			r = p;
	}
	assert_true(k && r);
	while (pmm_alloc(1, &p) == KR_OK) /* own everything: any failure is the one tested */
		;
	take(s);
	assert_int_equal(pmm_free(r + 1, 1), KR_EALIGN);
	assert_int_equal(pmm_free(r + PG / 2, 2), KR_EALIGN);
	assert_int_equal(pmm_free(r, 0), KR_EINVAL);
	assert_int_equal(pmm_free(r, SIZE_MAX), KR_EINVAL);
	assert_int_equal(pmm_free(0x200000, 1), KR_EFOREIGN);       /* kernel image */
	assert_int_equal(pmm_free(0x500000, 1), KR_EFOREIGN);       /* boot module */
	assert_int_equal(pmm_free(0x50000, 1), KR_EFOREIGN);        /* below 1 MiB */
	assert_int_equal(pmm_free(0x0, 1), KR_EFOREIGN);
	assert_int_equal(pmm_free(0xa00000, 1), KR_EFOREIGN);       /* ACPI hole */
	assert_int_equal(pmm_free(0xc00000, 1), KR_EFOREIGN);       /* gap in the map */
	assert_int_equal(pmm_free(0x700000, 1), KR_EFOREIGN);       /* E820 reserved wins */
	assert_int_equal(pmm_free(0x40000000, 1), KR_EFOREIGN);     /* far outside */
	assert_int_equal(pmm_free(0xfffffffffffff000ULL, 1), KR_EFOREIGN);
	assert_int_equal(pmm_free(st.bitmap_phys, 1), KR_EFOREIGN); /* the bitmap itself */
	assert_int_equal(pmm_free(k, 2), KR_EFOREIGN);              /* runs into reserved */
	assert_int_equal(pmm_free(FAKE_BASE + FAKE_SIZE - PG, 2), KR_EFOREIGN); /* off the end */
	same(s);

	/* Partly double: the last page is already free, so nothing is freed. */
	assert_int_equal(pmm_free(r + 2 * PG, 1), KR_OK);
	take(s);
	assert_int_equal(pmm_free(r, 3), KR_EDOUBLE);
	same(s);
	assert_false(pmm_is_free(r) || pmm_is_free(r + PG));
	assert_int_equal(pmm_free(r, 2), KR_OK);
	take(s);
	assert_int_equal(pmm_free(r, 1), KR_EDOUBLE);
	assert_int_equal(pmm_free(r, 3), KR_EDOUBLE);
	same(s);
}

static void expect_fail(const struct kr_mem_range *map, size_t n,
			const struct memmap_range *res, size_t nres, const char *reason)
{
	const char *why = NULL;

	assert_int_equal(pmm_init(map, n, res, nres, fake_p2v, &why), KR_ENOMEM);
	assert_non_null(why);
	if (reason)
		assert_string_equal(why, reason);
	else
		assert_string_not_equal(why, "no usable memory above 1 MiB");
}

static void test_init_failures(void **state)
{
	const char *low = "no usable memory above 1 MiB", *why;
	const struct kr_mem_range only_low[] = {
		{ 0x0, 0x9fc00, KR_MEM_USABLE, 0 },
		{ 0x100100, 0xf00, KR_MEM_USABLE, 0 },          /* less than a whole page */
		{ 0x200000, 0x10000, KR_MEM_USABLE, 0 },
		{ 0x1ff800, 0x10801, KR_MEM_ACPI_NVS, 0 },      /* covers the one above */
		{ 0x300000, 0x10000, KR_MEM_USABLE, 0 },        /* reserved below */
	};
	const struct memmap_range res[] = { { 0x2fffff, 0x310001 } };
	const struct kr_mem_range one_page[] = { { 0x100000, 0x1000, KR_MEM_USABLE, 0 } };
	const struct kr_mem_range huge[] = {
		{ 0x100000, 0x1000, KR_MEM_USABLE, 0 },
		{ 1ULL << 50, 0x1000, KR_MEM_USABLE, 0 },
	};

	(void)state;
	expect_fail(only_low, 5, res, 1, low);
	expect_fail(only_low, 1, NULL, 0, low);
	expect_fail(NULL, 0, NULL, 0, low);
	expect_fail(one_page, 1, NULL, 0, low); /* the bitmap would take it */
	expect_fail(huge, 2, NULL, 0, NULL);
	assert_int_equal(pmm_init(NULL, 1, NULL, 0, fake_p2v, &why), KR_EINVAL);
	assert_int_equal(pmm_init(only_low, 5, NULL, 1, fake_p2v, &why), KR_EINVAL);
	assert_int_equal(pmm_init(only_low, 5, NULL, 0, NULL, &why), KR_EINVAL);
	/* Without the reserved range the last entry is enough. */
	assert_int_equal(pmm_init(only_low, 5, NULL, 0, fake_p2v, &why), KR_OK);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random alloc/free against a shadow model: every page, every count exact. */
static void test_random_shadow(void **state)
{
	enum { MAXLIVE = 4096 };
	static uint32_t owner[NPG]; /* 0 = not handed out */
	static struct { uint64_t p; size_t n; uint32_t id; } live[MAXLIVE];
	static bool allowed[NPG];
	struct pmm_stats st;
	size_t nlive = 0, used = 0, fails = 0;

	(void)state;
	memset(owner, 0, sizeof(owner));
	init_real(&st);
	for (uint64_t i = 0; i < NPG; i++)
		allowed[i] = page_allowed(FAKE_BASE + i * PG, &st);
	for (uint32_t op = 1; op <= 10000; op++) {
		uint64_t p;

		if (nlive && (rnd() % 5 < 2 || nlive == MAXLIVE)) {
			size_t k = rnd() % nlive;

			uint64_t j = (live[k].p - FAKE_BASE) / PG + live[k].n;
			bool next_ok = j < NPG && allowed[j];

			/* Sometimes first try one page too many: refused, nothing freed. */
			if (rnd() % 8 == 0 && !(next_ok && owner[j])) {
				assert_int_equal(pmm_free(live[k].p, live[k].n + 1),
						 next_ok ? KR_EDOUBLE : KR_EFOREIGN);
				assert_false(pmm_is_free(live[k].p));
			}
			assert_int_equal(pmm_free(live[k].p, live[k].n), KR_OK);
			for (size_t j = 0; j < live[k].n; j++)
				owner[(live[k].p - FAKE_BASE) / PG + j] = 0;
			used -= live[k].n;
			live[k] = live[--nlive];
		} else {
			size_t n = 1 + rnd() % (rnd() % 4 ? 8 : 64);
			kr_err_t e = pmm_alloc(n, &p);
			bool exists = false;

			for (uint64_t i = 0, run = 0; i < NPG && !exists; i++) {
				run = allowed[i] && !owner[i] ? run + 1 : 0;
				exists = run >= n;
			}
			assert_int_equal(e, exists ? KR_OK : KR_ENOMEM);
			if (e == KR_OK) {
				for (size_t j = 0; j < n; j++) {
					uint64_t i = (p - FAKE_BASE) / PG + j;

					assert_true(allowed[i] && !owner[i]);
					owner[i] = op;
				}
				assert_true(page_zero(p) && page_zero(p + (n - 1) * PG));
				live[nlive].p = p;
				live[nlive].n = n;
				live[nlive++].id = op;
				used += n;
			} else {
				fails++;
			}
		}
		pmm_get_stats(&st);
		assert_int_equal(st.free_pages, st.total_pages - st.reserved_pages - used);
		if (op % 500 == 0)
			for (uint64_t i = 0; i < NPG; i++)
				assert_int_equal(pmm_is_free(FAKE_BASE + i * PG),
						 allowed[i] && !owner[i]);
	}
	assert_true(fails > 0); /* the run did reach exhaustion */
}

static int setup(void **state)
{
	(void)state;
	fake = aligned_alloc(PG, FAKE_SIZE);
	return fake ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(fake);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_counts),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_below),
		cmocka_unit_test(test_zeroed_allowed),
		cmocka_unit_test(test_contiguity),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_bad_frees),
		cmocka_unit_test(test_init_failures),
		cmocka_unit_test(test_random_shadow),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
