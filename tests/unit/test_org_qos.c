/*
 * test_org_qos.c - token buckets and the GAS reservoir
 * (modules/organelles/qos.c) on the virtual clock: burst then refill to
 * the nanosecond, no drift, clocks that go back or jump, the reservoir
 * charged for every attempt (a refused one too), and seeded random send
 * sequences against the bound a bucket must keep: by virtual time t it
 * has granted at most burst + floor(rate * t / 1e9), the reservoir paid at
 * most cap + floor(rate * t / 1e9).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "organelles/qos.h"

#define MS 1000000ull
#define S  1000000000ull

static struct graph g;
static struct qos q;

/* one channel of rate/burst, a reservoir of cap gas refilling at grate */
static void setup(uint32_t rate, uint32_t burst, uint64_t cap, uint64_t grate, uint32_t base,
		  uint32_t per_byte)
{
	struct graph_reservoir rc = { cap, grate, base, per_byte };

	memset(&g, 0, sizeof(g));
	g.n_ep = 2, g.n_chan = 2;
	strcpy(g.ep[0], "a"), strcpy(g.ep[1], "b");
	g.reservoir = rc;
	g.chan[0] = (struct graph_chan){ "obs", 1, 1, 1, 0, 1, 2 };
	g.chan[1] = (struct graph_chan){ "c", rate, burst, 8, 0, 1, 2 };
	{
		char err[128];

		if (graph_check(&g, err, sizeof(err)))
			fail_msg("%s", err);
	}
	assert_int_equal(qos_reservoir_check(&rc), 0);
	qos_init(&q, &g, 0);
}

static void reservoir_ranges(void **state)
{
	struct graph_reservoir c = { 1, 0, 0, 0 };

	(void)state;
	assert_int_equal(qos_reservoir_check(&c), 0);
	c.cap = 0;
	assert_int_equal(qos_reservoir_check(&c), -1);
	c.cap = QOS_MAX_GAS + 1;
	assert_int_equal(qos_reservoir_check(&c), -1);
	c.cap = QOS_MAX_GAS, c.rate = QOS_MAX_GAS + 1;
	assert_int_equal(qos_reservoir_check(&c), -1);
	assert_int_equal(qos_reservoir_check(NULL), -1);
	c.cost_base = 7, c.cost_byte = 3;
	assert_int_equal(qos_cost(&c, 10), 37);
	c.cost_base = UINT32_MAX, c.cost_byte = UINT32_MAX;
	assert_true(qos_cost(&c, UINT32_MAX) < UINT64_MAX);     /* no wrap */
}

static void burst_then_refill_to_the_ns(void **state)
{
	(void)state;
	setup(10, 3, QOS_MAX_GAS, 0, 0, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(qos_charge(&q, 1, 0, 0), QOS_OK);
	assert_int_equal(qos_charge(&q, 1, 0, 0), QOS_BUCKET);
	assert_int_equal(qos_charge(&q, 1, 0, 100 * MS - 1), QOS_BUCKET);  /* 0.99999999 */
	assert_int_equal(qos_charge(&q, 1, 0, 100 * MS), QOS_OK);          /* 10/s: one per 100 ms */
	assert_int_equal(q.b[1].granted, 4);
	assert_int_equal(q.b[1].refused, 2);
	/* a long quiet spell fills the bucket, not more */
	assert_int_equal(qos_tokens(&q, 1, 1000 * S), 3);
	assert_int_equal(qos_tokens(&q, 1, UINT64_MAX), 3);
	/* the other channel's bucket is its own */
	assert_int_equal(qos_charge(&q, 0, 0, UINT64_MAX), QOS_OK);
	assert_int_equal(qos_charge(&q, 0, 0, UINT64_MAX), QOS_BUCKET);
}

static void refill_does_not_drift(void **state)
{
	unsigned ok = 0;

	(void)state;
	setup(3, 1000, QOS_MAX_GAS, 0, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(qos_charge(&q, 1, 0, 0), QOS_OK);
	/* 3 a second is a token every 333333333.33 ns: 30 in 10 s, exactly */
	for (uint64_t t = 7 * MS; t <= 10 * S; t += 7 * MS)
		ok += qos_charge(&q, 1, 0, t) == QOS_OK;
	ok += qos_charge(&q, 1, 0, 10 * S) == QOS_OK;
	assert_int_equal(ok, 30);
	assert_int_equal(q.b[1].nano, 0);
}

static void time_going_back_is_no_time(void **state)
{
	(void)state;
	setup(1, 1, QOS_MAX_GAS, 0, 0, 0);
	assert_int_equal(qos_charge(&q, 1, 0, 5 * S), QOS_OK);
	assert_int_equal(qos_charge(&q, 1, 0, 0), QOS_BUCKET);            /* back to 0: no mint */
	assert_int_equal(qos_charge(&q, 1, 0, 6 * S - 1), QOS_BUCKET);
	assert_int_equal(qos_charge(&q, 1, 0, 6 * S), QOS_OK);
}

static void reservoir_pays_for_every_attempt(void **state)
{
	(void)state;
	/* 100 gas, +10 a second, 10 gas + 1 a byte an attempt; bucket of 1 */
	setup(1, 1, 100, 10, 10, 1);
	assert_int_equal(qos_charge(&q, 1, 20, 0), QOS_OK);               /* 30 gas: 70 left */
	assert_int_equal(qos_charge(&q, 1, 20, 0), QOS_BUCKET);           /* paid anyway: 40 */
	assert_int_equal(qos_gas(&q, 0), 40);
	assert_int_equal(q.r.charged, 60);
	assert_int_equal(qos_charge(&q, 1, 20, 0), QOS_BUCKET);           /* 10 */
	assert_int_equal(qos_charge(&q, 1, 20, 0), QOS_RESERVOIR);        /* 30 > 10: nothing taken */
	assert_int_equal(qos_gas(&q, 0), 10);
	assert_int_equal(q.r.refused, 1);
	assert_int_equal(qos_charge(&q, 1, 0, 0), QOS_BUCKET);            /* exactly 10: 0 left */
	assert_int_equal(qos_gas(&q, 0), 0);
	assert_int_equal(qos_reserve(&q, 0, S - 1), QOS_RESERVOIR);       /* 9.99999999 gas */
	assert_int_equal(qos_reserve(&q, 0, S), QOS_OK);                  /* 10 a second */
	/* a cost above the cap can never be paid, however long one waits */
	assert_int_equal(qos_reserve(&q, 91, UINT64_MAX), QOS_RESERVOIR);
	assert_int_equal(qos_gas(&q, UINT64_MAX), 100);
	/* qos_take alone leaves the reservoir be */
	assert_int_equal(qos_take(&q, 1, UINT64_MAX), QOS_OK);
	assert_int_equal(qos_gas(&q, UINT64_MAX), 100);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static void random_sends_keep_the_bound(void **state)
{
	uint64_t seen[3] = { 0 };

	(void)state;
	for (int round = 0; round < 300; round++) {
		uint32_t rate = 1 + (uint32_t)(rnd() % (rnd() & 1 ? 1000 : GRAPH_MAX_RATE));
		uint32_t burst = 1 + (uint32_t)(rnd() % 64);
		uint64_t cap = 1 + rnd() % 5000, grate = rnd() % (160ull * rate), t = rnd() % S, t0 = t;
		uint32_t base = (uint32_t)(rnd() % 50), per = (uint32_t)(rnd() % 3);
		uint64_t granted = 0, refusedb = 0, refusedr = 0, paid = 0;

		struct graph_reservoir rc = { cap, grate, base, per };

		setup(rate, burst, cap, grate, base, per);
		g.reservoir = rc;
		qos_init(&q, &g, t0);
		for (int i = 0; i < 2000; i++) {
			uint32_t len = (uint32_t)(rnd() % 100);
			uint64_t before = q.r.charged;
			enum qos_verdict v;

			t += rnd() % 4 ? rnd() % (S / rate + 1) : 0;
			v = qos_charge(&q, 1, len, t);
			granted += v == QOS_OK;
			refusedb += v == QOS_BUCKET;
			refusedr += v == QOS_RESERVOIR;
			/* a charge is the cost or nothing */
			assert_int_equal(q.r.charged - before,
					 v == QOS_RESERVOIR ? 0 : qos_cost(&q.r.c, len));
			paid = q.r.charged;
			/* the bound, in exact integers (rate * dt < 2^64 here) */
			assert_true(granted <= burst + (unsigned __int128)rate * (t - t0) / S);
			assert_true(paid <= cap + (unsigned __int128)grate * (t - t0) / S);
			assert_true(q.b[1].nano <= burst * QOS_NANO);
			assert_true(q.r.nano <= cap * QOS_NANO);
		}
		assert_int_equal(q.b[1].granted, granted);
		assert_int_equal(q.b[1].refused, refusedb);
		assert_int_equal(q.r.refused, refusedr);
		seen[0] += granted, seen[1] += refusedb, seen[2] += refusedr;
	}
	/* the rounds reach every verdict */
	print_message("granted %llu, bucket %llu, reservoir %llu\n", (unsigned long long)seen[0],
		      (unsigned long long)seen[1], (unsigned long long)seen[2]);
	assert_true(seen[0] > 10000 && seen[1] > 10000 && seen[2] > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reservoir_ranges),
		cmocka_unit_test(burst_then_refill_to_the_ns),
		cmocka_unit_test(refill_does_not_drift),
		cmocka_unit_test(time_going_back_is_no_time),
		cmocka_unit_test(reservoir_pays_for_every_attempt),
		cmocka_unit_test(random_sends_keep_the_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
