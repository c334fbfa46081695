/*
 * test_time.c - tcc-runtime/libc/time.c against glibc's gmtime_r and
 * localtime_r with TZ=UTC: every field, the zone name included, over a
 * sweep of time_t from -10^10 to 10^11, every day around century and
 * 400-year boundaries, and the edges where tm_year stops fitting an int.
 *
 * The library's functions carry the standard names, so this file includes
 * time.c with each renamed to kr_test_* (struct tm too), glibc's beside.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "krt_libc_host.h"
/* The functions under test; errno.c for the EOVERFLOW they set. */
#define tm kr_test_tm
#define gmtime_r kr_test_gmtime_r
#define gmtime kr_test_gmtime
#define localtime_r kr_test_localtime_r
#define localtime kr_test_localtime
#define __errno_location kr_test_errno_location
#include "libc/errno.c"
#include "libc/time.c"
#undef tm
#undef gmtime_r
#undef gmtime
#undef localtime_r
#undef localtime
#undef __errno_location

/* The same layout as glibc's, field for field. */
_Static_assert(sizeof(struct kr_test_tm) == sizeof(struct tm), "struct tm size");
_Static_assert(offsetof(struct kr_test_tm, tm_isdst) == offsetof(struct tm, tm_isdst), "tm_isdst");
_Static_assert(offsetof(struct kr_test_tm, tm_gmtoff) == offsetof(struct tm, tm_gmtoff), "gmtoff");
_Static_assert(offsetof(struct kr_test_tm, tm_zone) == offsetof(struct tm, tm_zone), "tm_zone");

static void check_one(time_t t, int local)
{
	struct tm want;
	struct kr_test_tm got;
	struct tm *w;
	struct kr_test_tm *g;

	memset(&want, 0x5a, sizeof(want));
	memset(&got, 0x5a, sizeof(got));
	w = local ? localtime_r(&t, &want) : gmtime_r(&t, &want);
	g = local ? kr_test_localtime_r(&t, &got) : kr_test_gmtime_r(&t, &got);
	if (!w || !g) {
		if (!w != !g)
			fail_msg("t=%ld: got %p, glibc %p", (long)t, (void *)g, (void *)w);
		return;
	}
	assert_ptr_equal(g, &got);
	if (got.tm_sec != want.tm_sec || got.tm_min != want.tm_min ||
	    got.tm_hour != want.tm_hour || got.tm_mday != want.tm_mday ||
	    got.tm_mon != want.tm_mon || got.tm_year != want.tm_year ||
	    got.tm_wday != want.tm_wday || got.tm_yday != want.tm_yday ||
	    got.tm_isdst != want.tm_isdst || got.tm_gmtoff != want.tm_gmtoff ||
	    strcmp(got.tm_zone, want.tm_zone))
		fail_msg("%s t=%ld: got %d-%02d-%02d %02d:%02d:%02d wday %d yday %d %s, "
			 "glibc %d-%02d-%02d %02d:%02d:%02d wday %d yday %d %s",
			 local ? "localtime" : "gmtime", (long)t, got.tm_year + 1900,
			 got.tm_mon + 1, got.tm_mday, got.tm_hour, got.tm_min, got.tm_sec,
			 got.tm_wday, got.tm_yday, got.tm_zone, want.tm_year + 1900,
			 want.tm_mon + 1, want.tm_mday, want.tm_hour, want.tm_min, want.tm_sec,
			 want.tm_wday, want.tm_yday, want.tm_zone);
}

static void check(time_t t)
{
	check_one(t, 0);
	check_one(t, 1);
}

static uint64_t rng = 0xda942042e4dd58b5ull;

static uint64_t rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* -10^10 to 10^11 in uneven steps (so every second of the day comes up),
 * each step also with its neighbours across midnight. */
static void test_time_sweep(void **state)
{
	(void)state;
	for (time_t t = -10000000000L; t <= 100000000000L; t += 86400 * 37 + 7919) {
		check(t);
		check(t - t % 86400);
		check(t - t % 86400 - 1);
	}
	for (int i = 0; i < 200000; i++)
		check((time_t)(rnd64() % 110000000001ull) - 10000000000L);
}

/* Every day in the years around 1600, 1700, 1900, 2000, 2100 and 2400, the
 * leap-year rule's corner cases, and around the epoch. */
static void test_time_centuries(void **state)
{
	static const int years[] = { -400, -1, 0, 1, 1600, 1700, 1900, 1970, 2000, 2100, 2400 };

	(void)state;
	for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
		struct tm jan1 = { .tm_year = years[i] - 1 - 1900, .tm_mday = 1 };
		time_t start = timegm(&jan1);

		for (long d = 0; d < 3 * 366; d++) {
			check(start + d * 86400);
			check(start + d * 86400 + 86399);
		}
	}
	for (time_t t = -200000; t <= 200000; t += 13)
		check(t);
}

/* Where tm_year stops fitting an int: NULL and EOVERFLOW on both sides. */
static void test_time_overflow(void **state)
{
	struct tm last = { .tm_year = INT_MAX, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23,
			   .tm_min = 59, .tm_sec = 59 };
	struct tm first = { .tm_year = INT_MIN, .tm_mday = 1 };
	time_t hi = timegm(&last), lo = timegm(&first);
	struct kr_test_tm got;

	(void)state;
	for (time_t d = -3; d <= 3; d++) {
		check(hi + d);
		check(lo + d);
	}
	check(LONG_MAX);
	check(LONG_MIN);
	check(LONG_MIN + 1);
	*kr_test_errno_location() = 0;
	assert_null(kr_test_gmtime_r(&(time_t){ hi + 1 }, &got));
	assert_int_equal(*kr_test_errno_location(), EOVERFLOW);
	assert_non_null(kr_test_gmtime_r(&hi, &got));
	assert_int_equal(got.tm_year, INT_MAX);
	for (int i = 0; i < 100000; i++)
		check((time_t)rnd64());
}

/* The non-_r forms share one result, like glibc's. */
static void test_time_shared(void **state)
{
	time_t a = 86400 * 365, b = 0;
	struct kr_test_tm *ga = kr_test_gmtime(&a), *lb = kr_test_localtime(&b);

	(void)state;
	assert_ptr_equal(ga, lb);
	assert_int_equal(lb->tm_year, 70);
	assert_string_equal(lb->tm_zone, "UTC");
	assert_string_equal(kr_test_gmtime(&a)->tm_zone, "GMT");
	assert_int_equal(ga->tm_year, 71);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_sweep),
		cmocka_unit_test(test_time_centuries),
		cmocka_unit_test(test_time_overflow),
		cmocka_unit_test(test_time_shared),
	};

	/* The kernel's zone; glibc's localtime must not read the host's. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
