/*
 * test_work.c - the scheduler's work-token bookkeeping (modules/sched/work.c)
 * on the host: parsing `task submit`, the start order (priority, id,
 * --after), the trace, the percentiles, the Prometheus text and
 * /etc/karyon.conf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <karyon/sched.h>
#include "work.h"

static struct work_table t;

static int parse(const char *line, struct work_req *r, char *err)
{
	static char buf[256];
	static char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *p = strtok(buf, " "); p; p = strtok(NULL, " "))
		argv[argc++] = p;
	return work_parse(argc, argv, r, err, 128);
}

static uint32_t submit(const char *line, uint64_t now)
{
	struct work_req r;
	char err[128];
	uint32_t id = 0;

	assert_int_equal(parse(line, &r, err), 0);
	assert_int_equal(work_submit(&t, &r, now, &id, err, sizeof(err)), 0);
	return id;
}

static void test_parse(void **state)
{
	struct work_req r;
	char err[128];

	(void)state;
	assert_int_equal(parse("sieve 100 --prio 3 -x --gas 5000 --mem 8 --after 2 --time 9", &r, err), 0);
	assert_string_equal(r.argv[0], "sieve");
	assert_int_equal(r.argc, 3);
	assert_string_equal(r.argv[1], "100");
	assert_string_equal(r.argv[2], "-x");
	assert_int_equal(r.prio, 3);
	assert_int_equal(r.gas, 5000);
	assert_int_equal(r.mem_pages, 8);
	assert_int_equal(r.after, 2);
	assert_int_equal(r.vtime_us, 9);
	assert_int_equal(parse("fib", &r, err), 0);
	assert_int_equal(r.prio, WORK_DEFAULT_PRIO);
	assert_int_equal(r.gas, WORK_DEFAULT_GAS);
	assert_int_equal(r.mem_pages, WORK_DEFAULT_MEM);
	assert_int_equal(parse("fib -- --prio 3", &r, err), 0);      /* handler arguments */
	assert_int_equal(r.argc, 3);
	assert_int_equal(r.prio, WORK_DEFAULT_PRIO);
	assert_int_equal(parse("fib --prio 16", &r, err), -1);        /* above 15 */
	assert_non_null(strstr(err, "--prio"));
	assert_int_equal(parse("fib --quantum 5000", &r, err), 0);
	assert_int_equal(r.quantum, 5000);
	assert_int_equal(parse("fib --quantum 999", &r, err), -1);
	assert_int_equal(parse("fib --gas 0", &r, err), -1);
	assert_int_equal(parse("fib --gas 12x", &r, err), -1);
	assert_int_equal(parse("fib --gas 99999999999999999999999", &r, err), -1);
	assert_int_equal(parse("fib --gas", &r, err), -1);
	assert_non_null(strstr(err, "needs a number"));
	assert_int_equal(parse("fib --frobnicate 1", &r, err), -1);
	assert_non_null(strstr(err, "unknown option"));
	assert_int_equal(parse("--prio 3 fib", &r, err), -1);
	assert_int_equal(parse("f 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", &r, err), -1);
	assert_non_null(strstr(err, "too many"));
}

static void test_order(void **state)
{
	struct work *w;
	uint32_t low, high, later, after;
	struct work_req r;
	char err[128];
	uint32_t id;

	(void)state;
	memset(&t, 0, sizeof(t));
	low = submit("a --prio 2", 0);
	high = submit("b --prio 9", 0);
	after = submit("c --prio 15 --after 1", 0);
	later = submit("d --prio 9", 0);
	assert_int_equal(parse("e --after 99", &r, err), 0);
	assert_int_equal(work_submit(&t, &r, 0, &id, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no token"));
	/* Highest priority first, then the lower id; c waits for a. */
	w = work_next(&t);
	assert_int_equal(w->id, high);
	work_start(&t, w, 10);
	w = work_next(&t);
	assert_int_equal(w->id, later);
	work_start(&t, w, 10);
	w = work_next(&t);
	assert_int_equal(w->id, low);
	work_start(&t, w, 10);
	assert_null(work_next(&t));             /* c: a has not ended */
	w = work_find(&t, low);
	w->gas_used = 500;
	work_end(&t, w, KR_WORK_COMPLETED, 600);
	w = work_next(&t);
	assert_int_equal(w->id, after);
	assert_int_equal(work_depth(&t), 3);
	work_end(&t, w, KR_WORK_CANCELLED, 600);
	w = work_find(&t, high);
	w->violation = KR_VIOL_GAS;
	w->gas_used = 77;
	work_end(&t, w, KR_WORK_VIOLATED, 1000);
	assert_string_equal(t.trace, "1 a start=10 end=600 gas=500 completed\n"
			    "3 c start=0 end=600 gas=0 cancelled\n"
			    "2 b start=10 end=1000 gas=77 violated:gas\n");
	assert_int_equal(t.completed, 1);
	assert_int_equal(t.violated, 1);
	assert_int_equal(t.cancelled, 1);
	assert_int_equal(t.gas, 577);
	assert_int_equal(work_depth(&t), 1);
}

static void test_one_run_per_handler(void **state)
{
	struct work *w;
	uint32_t a1, a2, b;

	(void)state;
	memset(&t, 0, sizeof(t));
	a1 = submit("sieve 10", 0);
	a2 = submit("sieve 20 --prio 12", 0);
	b = submit("fib 5", 0);
	w = work_next(&t);
	assert_int_equal(w->id, a2);
	work_start(&t, w, 0);
	/* The other sieve waits for the running one; fib does not. */
	w = work_next(&t);
	assert_int_equal(w->id, b);
	work_start(&t, w, 0);
	assert_null(work_next(&t));
	work_end(&t, work_find(&t, a2), KR_WORK_COMPLETED, 9);
	assert_int_equal(work_next(&t)->id, a1);
}

static void test_full_queue(void **state)
{
	uint32_t first;

	(void)state;
	memset(&t, 0, sizeof(t));
	first = submit("x", 0);
	for (int i = 1; i < WORK_MAX; i++)
		submit("y", 0);
	{
		struct work_req r;
		char err[128];
		uint32_t id;

		assert_int_equal(parse("z", &r, err), 0);
		assert_int_equal(work_submit(&t, &r, 0, &id, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "full"));
		/* Once one has ended, the oldest ended token makes room. */
		work_start(&t, work_find(&t, first), 0);
		work_end(&t, work_find(&t, first), KR_WORK_COMPLETED, 5);
		assert_int_equal(work_submit(&t, &r, 0, &id, err, sizeof(err)), 0);
		assert_int_equal(id, WORK_MAX + 1);
		assert_null(work_find(&t, first));
	}
}

static void test_percentiles_metrics(void **state)
{
	char buf[4096];

	(void)state;
	memset(&t, 0, sizeof(t));
	for (uint32_t i = 1; i <= 100; i++) {
		struct work *w = work_find(&t, submit("p", 0));

		work_start(&t, w, 0);
		w->gas_used = 1;
		work_end(&t, w, KR_WORK_COMPLETED, (uint64_t)(101 - i) * 1000);
	}
	assert_int_equal(work_percentile(&t, 50), 50000);
	assert_int_equal(work_percentile(&t, 90), 90000);
	assert_int_equal(work_percentile(&t, 99), 99000);
	assert_int_equal(work_percentile(&t, 100), 100000);
	work_metrics(&t, 3, buf, sizeof(buf));
	assert_non_null(strstr(buf, "# TYPE karyon_tasks_run_total counter\nkaryon_tasks_run_total 100\n"));
	assert_non_null(strstr(buf, "karyon_tasks_completed_total 100\n"));
	assert_non_null(strstr(buf, "karyon_gas_consumed_total 100\n"));
	assert_non_null(strstr(buf, "karyon_task_queue_depth 0\n"));
	assert_non_null(strstr(buf, "karyon_kernel_tasks 3\n"));
	assert_non_null(strstr(buf, "karyon_task_latency_vtime_us{quantile=\"0.99\"} 99\n"));
	assert_non_null(strstr(buf, "karyon_task_latency_vtime_us_count 100\n"));
	/* Too small a buffer: whole lines only, never past the end. */
	assert_true(work_metrics(&t, 3, buf, 40) < 40);
}

static void test_conf(void **state)
{
	const char *ok = "# settings\n\n  foreground = 3  # three\r\n";
	uint32_t fg;
	char err[96];

	(void)state;
	assert_int_equal(conf_parse(ok, strlen(ok), &fg, err, sizeof(err)), 0);
	assert_int_equal(fg, 3);
	assert_int_equal(conf_parse("", 0, &fg, err, sizeof(err)), 0);
	assert_int_equal(fg, 1);
	assert_int_equal(conf_parse("foreground = 0\n", 15, &fg, err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: foreground must be 1 to 16");
	assert_int_equal(conf_parse("\nforegrund = 2\n", 15, &fg, err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: unknown key \"foregrund\"");
	assert_int_equal(conf_parse("foreground 2\n", 13, &fg, err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: expected key = value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_one_run_per_handler),
		cmocka_unit_test(test_full_queue),
		cmocka_unit_test(test_percentiles_metrics),
		cmocka_unit_test(test_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
