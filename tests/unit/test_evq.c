/*
 * test_evq.c - a subscription's queue (modules/events/evq.c): order, tail
 * drop when full, wraparound, the high-water mark; and kr_event_match
 * (<karyon/event.h>), the pattern test subscriptions are matched with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "events/evq.h"

static struct kr_event ev(uint64_t seq)
{
	struct kr_event e;

	memset(&e, 0, sizeof(e));
	e.version = KR_EVENT_VERSION;
	e.seq = seq;
	e.count = 1;
	strcpy(e.kind, "timer.tick");
	e.size = (uint32_t)strlen(strcpy(e.data, "/data/x"));
	return e;
}

static void keeps_order(void **state)
{
	struct kr_event ring[8], e;
	struct evq q;

	(void)state;
	evq_init(&q, ring, 8);
	assert_null(evq_peek(&q));
	for (uint64_t i = 1; i <= 5; i++) {
		e = ev(i);
		assert_true(evq_push(&q, &e));
	}
	for (uint64_t i = 1; i <= 5; i++) {
		assert_non_null(evq_peek(&q));
		assert_int_equal(evq_peek(&q)->seq, i);
		assert_string_equal(evq_peek(&q)->data, "/data/x");   /* a copy */
		evq_pop(&q);
	}
	assert_null(evq_peek(&q));
	assert_int_equal(q.queued, 5);
	assert_int_equal(q.taken, 5);
	assert_int_equal(q.dropped, 0);
	evq_pop(&q);                            /* popping an empty queue is harmless */
	assert_int_equal(q.taken, 5);
	assert_int_equal(q.len, 0);
}

static void full_queue_drops_the_newest(void **state)
{
	struct kr_event ring[4], e;
	struct evq q;

	(void)state;
	evq_init(&q, ring, 4);
	for (uint64_t i = 1; i <= 4; i++) {
		e = ev(i);
		assert_true(evq_push(&q, &e));
	}
	for (uint64_t i = 5; i <= 7; i++) {
		e = ev(i);
		assert_false(evq_push(&q, &e));
	}
	assert_int_equal(q.dropped, 3);
	assert_int_equal(q.queued, 4);
	assert_int_equal(q.len, 4);
	/* the oldest survive, in order */
	for (uint64_t i = 1; i <= 4; i++) {
		assert_int_equal(evq_peek(&q)->seq, i);
		evq_pop(&q);
	}
	/* room again after a pop */
	e = ev(8);
	assert_true(evq_push(&q, &e));
	assert_int_equal(evq_peek(&q)->seq, 8);
}

static void wraps_around(void **state)
{
	struct kr_event ring[3], e;
	struct evq q;
	uint64_t next = 1, want = 1;

	(void)state;
	evq_init(&q, ring, 3);
	/* push two, pop one, many times: head and tail go round the ring */
	for (int round = 0; round < 20; round++) {
		for (int k = 0; k < 2; k++) {
			e = ev(next);
			if (evq_push(&q, &e))
				next++;
			else
				assert_int_equal(q.len, 3);
		}
		assert_int_equal(evq_peek(&q)->seq, want++);
		evq_pop(&q);
	}
	while (evq_peek(&q)) {
		assert_int_equal(evq_peek(&q)->seq, want++);
		evq_pop(&q);
	}
	assert_int_equal(want, next);           /* all that was queued, once, in order */
	assert_int_equal(q.queued + q.dropped, 40);
	assert_int_equal(q.taken, q.queued);
}

static void high_water_mark(void **state)
{
	struct kr_event ring[10], e;
	struct evq q;

	(void)state;
	evq_init(&q, ring, 10);
	for (uint64_t i = 1; i <= 6; i++) {
		e = ev(i);
		evq_push(&q, &e);
	}
	for (int i = 0; i < 5; i++)
		evq_pop(&q);
	e = ev(7);
	evq_push(&q, &e);
	assert_int_equal(q.len, 2);
	assert_int_equal(q.high, 6);
	for (uint64_t i = 8; i <= 30; i++) {
		e = ev(i);
		evq_push(&q, &e);
	}
	assert_int_equal(q.high, 10);           /* never more than cap */
}

static void capacity_is_bounded(void **state)
{
	static struct kr_event ring[EVQ_MAX + 1];
	struct kr_event e = ev(1);
	struct evq q;

	(void)state;
	evq_init(&q, ring, EVQ_MAX + 1);
	assert_int_equal(q.cap, EVQ_MAX);
	evq_init(&q, ring, 0);                  /* no room: everything dropped */
	assert_false(evq_push(&q, &e));
	assert_int_equal(q.dropped, 1);
	assert_null(evq_peek(&q));
}

static void match_kinds(void **state)
{
	(void)state;
	assert_true(kr_event_match("timer.tick", "timer.tick", ""));
	assert_false(kr_event_match("timer.tick", "timer.tic", ""));
	assert_false(kr_event_match("timer.tic", "timer.tick", ""));
	assert_true(kr_event_match("timer.*", "timer.tick", ""));
	assert_true(kr_event_match("timer.*", "timer.", ""));
	assert_false(kr_event_match("timer.*", "timerx", ""));
	assert_false(kr_event_match("timer.*", "vfs.write", ""));
	assert_true(kr_event_match("*", "anything", ""));
	assert_true(kr_event_match("*", "x", "/data"));
	/* without a path, any data */
	assert_true(kr_event_match("vfs.write", "vfs.write", "/data/a"));
	assert_true(kr_event_match("vfs.*", "vfs.remove", "/x"));
}

static void match_paths(void **state)
{
	(void)state;
	assert_true(kr_event_match("vfs.write:/data", "vfs.write", "/data"));
	assert_true(kr_event_match("vfs.write:/data", "vfs.write", "/data/a"));
	assert_true(kr_event_match("vfs.write:/data", "vfs.write", "/data/a/b"));
	assert_false(kr_event_match("vfs.write:/data", "vfs.write", "/database"));
	assert_false(kr_event_match("vfs.write:/data", "vfs.write", "/dat"));
	assert_false(kr_event_match("vfs.write:/data", "vfs.write", "/"));
	assert_false(kr_event_match("vfs.write:/data", "vfs.write", ""));
	assert_false(kr_event_match("vfs.write:/data", "vfs.create", "/data/a"));
	assert_true(kr_event_match("vfs.write:/", "vfs.write", "/"));
	assert_true(kr_event_match("vfs.write:/", "vfs.write", "/anything/at/all"));
	assert_false(kr_event_match("vfs.write:/", "vfs.write", ""));
	assert_true(kr_event_match("vfs.*:/data", "vfs.create", "/data/n"));
	assert_false(kr_event_match("vfs.*:/data", "kmod.load", "/data/n"));
	assert_true(kr_event_match("*:/etc", "vfs.remove", "/etc/karyon.conf"));
	assert_false(kr_event_match("*:/etc", "vfs.remove", "/etcetera"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_order),
		cmocka_unit_test(full_queue_drops_the_newest),
		cmocka_unit_test(wraps_around),
		cmocka_unit_test(high_water_mark),
		cmocka_unit_test(capacity_is_bounded),
		cmocka_unit_test(match_kinds),
		cmocka_unit_test(match_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
