/*
 * test_org_lyso.c - the lysosome's dead-map (modules/organelles/lyso.c):
 * kill, revive, the history kept across both, and out-of-range domains.
 * What a kill does to the queues is tested with the Golgi
 * (test_org_golgi.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "organelles/lyso.h"

static void kill_and_revive(void **state)
{
	struct lyso l;

	(void)state;
	lyso_init(&l, 3);
	assert_false(lyso_dead(&l, 1));
	assert_true(lyso_kill(&l, 1, LYSO_ENERGY));
	assert_true(lyso_dead(&l, 1));
	assert_false(lyso_dead(&l, 0));
	assert_int_equal(l.dead, 2);
	assert_false(lyso_kill(&l, 1, LYSO_ADMIN));             /* already dead: kept as is */
	assert_int_equal(l.e[1].why, LYSO_ENERGY);
	assert_int_equal(l.e[1].kills, 1);
	lyso_note_dropped(&l, 1, 5);
	assert_true(lyso_revive(&l, 1));
	assert_false(lyso_dead(&l, 1));
	assert_false(lyso_revive(&l, 1));
	assert_true(lyso_kill(&l, 1, LYSO_SANITIZER));
	lyso_note_dropped(&l, 1, 2);
	assert_int_equal(l.e[1].kills, 2);
	assert_int_equal(l.e[1].revivals, 1);
	assert_int_equal(l.e[1].dropped, 7);
	assert_string_equal(lyso_reason_name(l.e[1].why), "sanitizer");
}

static void out_of_range(void **state)
{
	struct lyso l;

	(void)state;
	lyso_init(&l, 64);
	assert_true(lyso_kill(&l, 63, LYSO_FAULT));
	assert_true(lyso_dead(&l, 63));
	assert_int_equal(l.dead, 1ull << 63);
	assert_false(lyso_kill(&l, 64, LYSO_FAULT));
	assert_false(lyso_dead(&l, 64));
	assert_false(lyso_dead(&l, 1000));
	assert_false(lyso_revive(&l, 64));
	lyso_note_dropped(&l, 64, 1);                          /* ignored */
	lyso_init(&l, 100);
	assert_int_equal(l.n, GRAPH_MAX_ENDPOINTS);
	assert_string_equal(lyso_reason_name(LYSO_NONE), "none");
	assert_string_equal(lyso_reason_name(LYSO_ADMIN), "admin");
	assert_string_equal(lyso_reason_name((enum lyso_reason)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kill_and_revive),
		cmocka_unit_test(out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
