/*
 * test_org_mito.c - the mitochondria (modules/organelles/mito.c): budgets
 * per domain and resource, a charge taken whole or not at all, the
 * violation naming the resource (the first one latched), pages given back,
 * a reset for a reloaded domain, and no overflow near UINT64_MAX; then a
 * seeded random run against a plain model of the accounts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "organelles/mito.h"

static struct mito m;

static void unlimited_by_default(void **state)
{
	uint64_t a[MITO_NRES] = { UINT64_MAX, 1, 2, 3, 4 };
	struct mito_violation v;

	(void)state;
	mito_init(&m, 3);
	assert_int_equal(m.n, 3);
	assert_true(mito_charge(&m, 2, a, &v));
	assert_false(v.any);
	assert_int_equal(m.d[2].used[MITO_GAS], UINT64_MAX);
	assert_false(mito_charge1(&m, 2, MITO_GAS, 1, &v));      /* UINT64_MAX + 1 > limit */
	assert_true(v.any);
	assert_false(mito_charge(&m, 3, a, &v));                  /* no domain 3 */
	assert_false(v.any);
	mito_init(&m, 1000);
	assert_int_equal(m.n, GRAPH_MAX_ENDPOINTS);
}

static void whole_or_nothing(void **state)
{
	struct mito_violation v;

	(void)state;
	mito_init(&m, 2);
	mito_budget(&m, 0, MITO_PARCELS, 3);
	mito_budget(&m, 0, MITO_BYTES, 100);
	assert_true(mito_charge_parcel(&m, 0, 60, 5, &v));
	/* 60 + 60 bytes > 100: refused, and the parcel and gas not charged either */
	assert_false(mito_charge_parcel(&m, 0, 60, 5, &v));
	assert_true(v.any);
	assert_int_equal(v.res, MITO_BYTES);
	assert_int_equal(v.used, 60);
	assert_int_equal(v.want, 60);
	assert_int_equal(v.limit, 100);
	assert_string_equal(mito_res_name(v.res), "bytes");
	assert_int_equal(m.d[0].used[MITO_PARCELS], 1);
	assert_int_equal(m.d[0].used[MITO_GAS], 5);
	assert_true(mito_charge_parcel(&m, 0, 40, 5, &v));        /* exactly 100 fits */
	assert_true(mito_charge_parcel(&m, 0, 0, 5, &v));
	assert_false(mito_charge_parcel(&m, 0, 0, 5, &v));        /* a fourth parcel */
	assert_int_equal(v.res, MITO_PARCELS);
	/* the first violation is latched; both are counted */
	assert_int_equal(m.d[0].violations, 2);
	assert_true(m.d[0].first.any);
	assert_int_equal(m.d[0].first.res, MITO_BYTES);
	/* the other domain is untouched */
	assert_int_equal(m.d[1].used[MITO_PARCELS], 0);
	assert_false(m.d[1].first.any);
}

static void pages_come_back_and_reset(void **state)
{
	struct mito_violation v;

	(void)state;
	mito_init(&m, 1);
	mito_budget(&m, 0, MITO_PAGES, 10);
	mito_budget(&m, 0, MITO_IO, 0);
	assert_true(mito_charge1(&m, 0, MITO_PAGES, 10, &v));
	assert_false(mito_charge1(&m, 0, MITO_PAGES, 1, &v));
	assert_int_equal(v.res, MITO_PAGES);
	mito_release(&m, 0, 4);
	assert_true(mito_charge1(&m, 0, MITO_PAGES, 4, &v));
	mito_release(&m, 0, 1000);                                /* never below zero */
	assert_int_equal(m.d[0].used[MITO_PAGES], 0);
	assert_false(mito_charge1(&m, 0, MITO_IO, 1, &v));        /* a budget of 0 */
	assert_string_equal(mito_res_name(v.res), "io");
	assert_true(mito_charge1(&m, 0, MITO_IO, 0, NULL));
	assert_false(mito_charge1(&m, 0, MITO_NRES, 1, &v));
	assert_false(v.any);
	mito_reset(&m, 0);
	assert_false(m.d[0].first.any);
	assert_int_equal(m.d[0].used[MITO_PAGES], 0);
	assert_int_equal(m.d[0].limit[MITO_PAGES], 10);           /* budgets kept */
	assert_int_equal(m.d[0].violations, 2);                   /* history kept */
	assert_string_equal(mito_res_name(MITO_GAS), "gas");
	assert_string_equal(mito_res_name(MITO_PARCELS), "parcels");
	assert_string_equal(mito_res_name(MITO_NRES), "?");
}

static void budgets_from_the_profile(void **state)
{
	static const char text[] = "channel 0 obs from a to b rate 1/s burst 1 depth 1 prio 0\n"
				   "budget b pages 3 io 0\n";
	struct graph g;
	char err[128];

	(void)state;
	if (graph_parse(&g, text, sizeof(text) - 1, err, sizeof(err)))
		fail_msg("%s", err);
	m.n = 9, m.d[5].used[0] = 1;                             /* stale: cleared */
	mito_load(&m, &g);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.d[5].used[0], 0);
	assert_int_equal(m.d[0].limit[MITO_PAGES], MITO_UNLIMITED);
	assert_int_equal(m.d[1].limit[MITO_PAGES], 3);
	assert_int_equal(m.d[1].limit[MITO_IO], 0);
	assert_int_equal(m.d[1].limit[MITO_GAS], MITO_UNLIMITED);
	assert_false(mito_charge1(&m, 1, MITO_PAGES, 4, NULL));
}

static uint64_t rng = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static void random_against_a_model(void **state)
{
	static uint64_t used[4][MITO_NRES], limit[4][MITO_NRES];
	uint64_t refusals = 0;

	(void)state;
	mito_init(&m, 4);
	memset(used, 0, sizeof(used));
	for (unsigned d = 0; d < 4; d++)
		for (unsigned r = 0; r < MITO_NRES; r++)
			mito_budget(&m, d, r, limit[d][r] = rnd() % 3 ? rnd() % 100000 : UINT64_MAX);
	for (int i = 0; i < 100000; i++) {
		unsigned d = (unsigned)(rnd() % 4);
		uint64_t a[MITO_NRES];
		struct mito_violation v;
		bool fits = true, got;
		int first = -1;

		if (rnd() % 10 == 0) {
			uint64_t p = rnd() % 50;

			mito_release(&m, d, p);
			used[d][MITO_PAGES] -= p > used[d][MITO_PAGES] ? used[d][MITO_PAGES] : p;
		}
		for (unsigned r = 0; r < MITO_NRES; r++) {
			a[r] = rnd() % 4 ? rnd() % 100 : 0;
			if ((unsigned __int128)used[d][r] + a[r] > limit[d][r] && first < 0)
				first = (int)r, fits = false;
		}
		got = mito_charge(&m, d, a, &v);
		assert_int_equal(got, fits);
		if (fits) {
			for (unsigned r = 0; r < MITO_NRES; r++)
				used[d][r] += a[r];
		} else {
			refusals++;
			assert_int_equal(v.res, first);
		}
		assert_memory_equal(m.d[d].used, used[d], sizeof(used[d]));
	}
	assert_true(refusals > 1000);
}

/* A limit or a use near one of the edges a charge is compared with. */
static uint64_t edgy(uint64_t around)
{
	switch (rnd() % 6) {
	case 0: return around;
	case 1: return around + 1;
	case 2: return around ? around - 1 : 0;
	case 3: return rnd() % 1000;
	case 4: return UINT64_MAX - rnd() % 3;
	default: return rnd();
	}
}

/* mito_charge_parcel (with its fast path) against mito_charge of {gas, 1,
 * len, 0, 0} on two copies of the same random accounts: the same answer,
 * violation and accounts, budgets lowered below use included. */
static void charge_parcel_is_charge(void **state)
{
	static struct mito a, b;
	uint64_t fast = 0, slow = 0;

	(void)state;
	rng = 0x2545f4914f6cdd1dull;
	for (int i = 0; i < 200000; i++) {
		struct mito_violation va, vb;
		unsigned dom;
		uint32_t len;
		uint64_t gas, amt[MITO_NRES];
		bool ra, rb, withv;

		if (i % 50 == 0) {
			mito_init(&a, 1 + (unsigned)(rnd() % 4));
			for (unsigned d = 0; d < a.n; d++)
				for (unsigned r = 0; r < MITO_NRES; r++) {
					uint64_t lim = rnd() % 2 ? edgy(rnd() % 2000) : MITO_UNLIMITED;

					a.d[d].limit[r] = lim;
					a.d[d].used[r] = rnd() % 4 ? 0 : edgy(lim);
				}
		}
		dom = (unsigned)(rnd() % 5);            /* sometimes past n */
		len = rnd() % 8 ? (uint32_t)(rnd() % 100) : (uint32_t)rnd();
		gas = rnd() % 8 ? rnd() % 100 : edgy(rnd() % 200);
		memcpy(&b, &a, sizeof(a));
		/* a stale answer in both: what a call leaves of it must match */
		va = vb = (struct mito_violation){ true, MITO_IO, 7, 8, 9 };
		withv = rnd() % 10 != 0;
		amt[MITO_GAS] = gas, amt[MITO_PARCELS] = 1, amt[MITO_BYTES] = len;
		amt[MITO_PAGES] = 0, amt[MITO_IO] = 0;
		ra = mito_charge_parcel(&a, dom, len, gas, withv ? &va : NULL);
		rb = mito_charge(&b, dom, amt, &vb);
		assert_int_equal(ra, rb);
		if (withv) {
			assert_int_equal(va.any, vb.any);
			assert_int_equal(va.res, vb.res);
			assert_int_equal(va.used, vb.used);
			assert_int_equal(va.want, vb.want);
			assert_int_equal(va.limit, vb.limit);
		}
		assert_memory_equal(&a, &b, sizeof(a));
		if (ra)
			fast++;
		else
			slow++;
	}
	/* both ways taken often */
	if (fast < 20000 || slow < 20000)
		fail_msg("%llu charged, %llu refused", (unsigned long long)fast,
			 (unsigned long long)slow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unlimited_by_default),
		cmocka_unit_test(whole_or_nothing),
		cmocka_unit_test(pages_come_back_and_reset),
		cmocka_unit_test(budgets_from_the_profile),
		cmocka_unit_test(random_against_a_model),
		cmocka_unit_test(charge_parcel_is_charge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
