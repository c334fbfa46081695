/*
 * test_bridge.c - the IRQ bridge's token bucket and debounce window
 * (modules/events/bridge.c), with the time passed in: refill, burst,
 * windows, held interrupts flushed later, lost events, clocks that jump
 * or go back, and raised == counted + pending + dropped after random
 * sequences (a fixed-seed generator, so a failure replays).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "events/bridge.h"

static struct bridge_src src(uint32_t rate, uint32_t burst, uint32_t debounce_us, uint64_t now)
{
	struct bridge_conf c = { rate, burst, debounce_us };
	struct bridge_src s;

	assert_int_equal(bridge_conf_check(&c), 0);
	bridge_init(&s, &c, now);
	return s;
}

static void conf_ranges(void **state)
{
	struct bridge_conf ok = { 1, 1, 0 }, c;

	(void)state;
	assert_int_equal(bridge_conf_check(&ok), 0);
	c = (struct bridge_conf){ 100000, 1000, 10000000 };
	assert_int_equal(bridge_conf_check(&c), 0);
	c = ok, c.rate = 0;
	assert_int_equal(bridge_conf_check(&c), -1);
	c = ok, c.rate = 100001;
	assert_int_equal(bridge_conf_check(&c), -1);
	c = ok, c.burst = 0;
	assert_int_equal(bridge_conf_check(&c), -1);
	c = ok, c.burst = 1001;
	assert_int_equal(bridge_conf_check(&c), -1);
	c = ok, c.debounce_us = 10000001;
	assert_int_equal(bridge_conf_check(&c), -1);
	assert_int_equal(bridge_conf_check(NULL), -1);
}

static void burst_then_refill(void **state)
{
	struct bridge_src s = src(10, 3, 0, 0);

	(void)state;
	assert_int_equal(bridge_hit(&s, 0), 1);         /* the full bucket: burst events */
	assert_int_equal(bridge_hit(&s, 0), 1);
	assert_int_equal(bridge_hit(&s, 0), 1);
	assert_int_equal(bridge_hit(&s, 0), 0);         /* held */
	assert_int_equal(s.pending, 1);
	assert_int_equal(bridge_hit(&s, 99999), 0);     /* 0.99999 of a token */
	assert_int_equal(s.pending, 2);
	assert_int_equal(bridge_hit(&s, 100000), 3);    /* 10/s: one token in 100 ms, with what was held */
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.raised, 6);
	assert_int_equal(s.events, 4);
	assert_int_equal(s.coalesced, 2);
	/* after a long quiet spell the bucket is full again, not fuller */
	assert_int_equal(bridge_hit(&s, 100000000), 1);
	assert_int_equal(bridge_hit(&s, 100000000), 1);
	assert_int_equal(bridge_hit(&s, 100000000), 1);
	assert_int_equal(bridge_hit(&s, 100000000), 0);
}

static void refill_does_not_drift(void **state)
{
	struct bridge_src s = src(3, 1000, 0, 0);
	unsigned events = 0;

	(void)state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(bridge_hit(&s, 0), 1);
	/* 3 a second is a token every 333333.33 us: 30 in 10 s, exactly */
	for (uint64_t t = 1000; t <= 10000000; t += 1000)
		if (bridge_hit(&s, t))
			events++;
	assert_int_equal(events, 30);
	assert_int_equal(s.micro, 0);
}

static void debounce_window(void **state)
{
	struct bridge_src s = src(1000, 10, 1000, 0);

	(void)state;
	assert_int_equal(bridge_hit(&s, 0), 1);
	assert_int_equal(bridge_hit(&s, 500), 0);       /* within the window */
	assert_int_equal(bridge_hit(&s, 999), 0);
	assert_int_equal(bridge_hit(&s, 1000), 3);      /* the window has passed: all three */
	assert_int_equal(bridge_hit(&s, 1500), 0);
	assert_int_equal(bridge_flush(&s, 1999), 0);
	assert_int_equal(bridge_flush(&s, 2000), 1);
	assert_int_equal(bridge_flush(&s, 5000), 0);    /* nothing left */
	assert_int_equal(s.events, 3);
}

static void pending_flushed_later(void **state)
{
	struct bridge_src s = src(1, 1, 0, 0);

	(void)state;
	assert_int_equal(bridge_flush(&s, 0), 0);       /* nothing pending: no event */
	assert_int_equal(s.events, 0);
	assert_int_equal(bridge_hit(&s, 0), 1);
	for (uint64_t t = 1; t <= 5; t++)
		assert_int_equal(bridge_hit(&s, t), 0);
	assert_int_equal(s.pending, 5);
	assert_int_equal(bridge_flush(&s, 999999), 0);  /* the bucket: 1 a second */
	assert_int_equal(bridge_flush(&s, 1000000), 5);
	assert_int_equal(s.pending, 0);
	assert_int_equal(bridge_flush(&s, 3000000), 0);
	assert_int_equal(s.raised, 6);
	assert_int_equal(s.events, 2);
}

static void lost_events_are_dropped(void **state)
{
	struct bridge_src s = src(1, 1, 0, 0);
	uint32_t n;

	(void)state;
	assert_int_equal(bridge_hit(&s, 0), 1);
	bridge_lost(&s, 1);
	bridge_hit(&s, 1);
	bridge_hit(&s, 2);
	n = bridge_flush(&s, 1000000);
	assert_int_equal(n, 2);
	bridge_lost(&s, n);
	assert_int_equal(s.dropped, 3);
	assert_int_equal(s.raised, 3);
	assert_int_equal(s.pending, 0);                 /* 3 == 0 counted + 0 + 3 */
}

static void time_going_back_is_no_time(void **state)
{
	struct bridge_src s = src(10, 1, 1000, 1000000);

	(void)state;
	assert_int_equal(bridge_hit(&s, 1005000), 1);
	/* back to 0: no tokens minted, and the window is not open */
	assert_int_equal(bridge_hit(&s, 0), 0);
	assert_int_equal(bridge_flush(&s, 1), 0);
	/* the refill counts from the latest time seen, 1005000 */
	assert_int_equal(bridge_flush(&s, 1104999), 0);
	assert_int_equal(bridge_flush(&s, 1105000), 1);
}

static void huge_gaps_do_not_overflow(void **state)
{
	struct bridge_src s = src(100000, 1000, 10000000, 0);

	(void)state;
	assert_int_equal(bridge_hit(&s, 0), 1);
	assert_int_equal(bridge_hit(&s, UINT64_MAX / 2), 1);
	assert_int_equal(s.micro, 999ull * 1000000);   /* full, less the token taken */
	assert_int_equal(bridge_hit(&s, UINT64_MAX), 1);
	assert_int_equal(bridge_hit(&s, UINT64_MAX), 0);  /* debounce: no time has passed */
	assert_int_equal(bridge_hit(&s, 0), 0);
	assert_int_equal(s.micro, 999ull * 1000000);
	assert_int_equal(s.pending, 2);
}

static void pending_is_bounded(void **state)
{
	struct bridge_src s = src(1, 1, 0, 0);

	(void)state;
	assert_int_equal(bridge_hit(&s, 0), 1);
	s.pending = UINT32_MAX - 1;             /* as if 4 billion were held */
	s.raised += UINT32_MAX - 1;
	assert_int_equal(bridge_hit(&s, 0), 0);
	assert_int_equal(s.pending, UINT32_MAX - 1);
	assert_int_equal(s.dropped, 1);         /* nowhere else to count it */
	assert_int_equal(bridge_flush(&s, 1000000), UINT32_MAX - 1);
	assert_int_equal(s.raised, 1 + (uint64_t)(UINT32_MAX - 1) + 0 + 1);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void invariant_after_random_sequences(void **state)
{
	(void)state;
	for (int run = 0; run < 300; run++) {
		struct bridge_conf c = {
			.rate = 1 + (uint32_t)(next() % 100000),
			.burst = 1 + (uint32_t)(next() % 1000),
			.debounce_us = (uint32_t)(next() % 4 ? next() % 20000 : next() % 10000001),
		};
		uint64_t now = next() % 1000000000, seen = now, last = 0, counted = 0;
		bool any = false;
		struct bridge_src s;

		if (run % 3 == 0)
			c.burst = 1 + (uint32_t)(next() % 4);
		bridge_init(&s, &c, now);
		for (int op = 0; op < 2000; op++) {
			uint64_t r = next() % 100;
			uint32_t n;

			if (r < 5) {
				uint64_t d = next() % 5000;

				now -= d < now ? d : 0;                 /* a step back */
			} else if (r < 7) {
				now += next() % 100000000000ull;        /* a long quiet */
			} else {
				now += next() % 300;
			}
			if (now > seen)
				seen = now;
			n = next() % 4 ? bridge_hit(&s, now) : bridge_flush(&s, now);
			if (n) {
				/* the window holds between events, on the clamped clock */
				if (any)
					assert_true(seen - last >= c.debounce_us);
				any = true;
				last = seen;
				if (next() % 10 == 0)
					bridge_lost(&s, n);
				else
					counted += n;
			}
			assert_int_equal(s.raised, counted + s.pending + s.dropped);
			assert_true(s.micro <= (uint64_t)c.burst * 1000000);
		}
		/* a burst that stops is not left unsaid */
		now = seen + 20000000;
		if (s.pending) {
			uint32_t n = bridge_flush(&s, now);

			assert_true(n > 0);
			counted += n;
			assert_int_equal(s.pending, 0);
		}
		assert_int_equal(s.raised, counted + s.dropped);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conf_ranges),
		cmocka_unit_test(burst_then_refill),
		cmocka_unit_test(refill_does_not_drift),
		cmocka_unit_test(debounce_window),
		cmocka_unit_test(pending_flushed_later),
		cmocka_unit_test(lost_events_are_dropped),
		cmocka_unit_test(time_going_back_is_no_time),
		cmocka_unit_test(huge_gaps_do_not_overflow),
		cmocka_unit_test(pending_is_bounded),
		cmocka_unit_test(invariant_after_random_sequences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
