/*
 * time.c - gmtime, localtime and their _r forms: a time_t (seconds since
 * 1970-01-01 00:00:00 UTC) to a struct tm, for any time_t, negative ones
 * included, in the proleptic Gregorian calendar.
 *
 * The kernel keeps UTC and has no time zones, so localtime is gmtime under
 * another name.  Both match glibc's results with TZ=UTC: tm_isdst 0,
 * tm_gmtoff 0, and tm_zone "GMT" from gmtime but "UTC" from localtime (as
 * glibc names the zone it reads from TZ or /etc/localtime).  gmtime and
 * localtime share one static result, as in glibc.  A year that does not
 * fit tm_year (an int counting from 1900) gives NULL and EOVERFLOW; unlike
 * glibc, *tm is then left untouched.  time() is not here: the kernel's tcc
 * module provides it from its own clock.
 */
#include <krt/libc.h>

#define SECS_PER_DAY	86400
#define DAYS_400Y	146097	/* 97 leap years in 400 */
#define DAYS_FIRST_100Y	36525	/* the first century of a 400 has 25 leap years */
#define DAYS_100Y	36524	/* the other three have 24 */
#define DAYS_4Y		1461
/* 2000-01-01 starts a 400-year cycle; it is day 10957 after the epoch. */
#define DAYS_1970_TO_2000 10957

static const short days_before_month[2][13] = {
	{ 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365 },
	{ 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366 },
};

static int is_leap(long year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/*
 * The year holding day `days` (0 = 2000-01-01, may be negative), and the
 * day's index in it.  Peels off whole 400-year cycles, then centuries,
 * 4-year blocks and years, each starting at its leap year except the
 * centuries after a cycle's first, whose year 00 is common.
 */
static long year_of(long days, int *yday)
{
	long cycles = days / DAYS_400Y, rem = days % DAYS_400Y;
	long year;

	if (rem < 0) {
		rem += DAYS_400Y;
		cycles--;
	}
	year = 2000 + 400 * cycles;
	if (rem >= DAYS_FIRST_100Y) {
		rem -= DAYS_FIRST_100Y;
		year += 100 * (1 + rem / DAYS_100Y);
		rem %= DAYS_100Y;
		/* This century's first block has no leap year: 4 * 365 days. */
		if (rem < 4 * 365) {
			*yday = (int)(rem % 365);
			return year + rem / 365;
		}
		rem -= 4 * 365;
		year += 4;
	}
	year += 4 * (rem / DAYS_4Y);
	rem %= DAYS_4Y;
	if (rem >= 366) {	/* past the block's leap year */
		rem -= 366;
		year += 1 + rem / 365;
		rem %= 365;
	}
	*yday = (int)rem;
	return year;
}

static struct tm *to_tm(const time_t *t, struct tm *tm, const char *zone)
{
	/* Floor division by hand: days * SECS_PER_DAY may not fit a long. */
	long days = *t / SECS_PER_DAY, secs = *t % SECS_PER_DAY;
	long year;
	int yday, mon = 0;

	if (secs < 0) {
		secs += SECS_PER_DAY;
		days--;
	}
	year = year_of(days - DAYS_1970_TO_2000, &yday);
	if (year - 1900 > __INT_MAX__ || year - 1900 < -__INT_MAX__ - 1) {
		errno = EOVERFLOW;
		return NULL;
	}
	while (yday >= days_before_month[is_leap(year)][mon + 1])
		mon++;
	tm->tm_sec = (int)(secs % 60);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_mday = yday - days_before_month[is_leap(year)][mon] + 1;
	tm->tm_mon = mon;
	tm->tm_year = (int)(year - 1900);
	/* 1970-01-01 was a Thursday (4). */
	tm->tm_wday = (int)((days % 7 + 7 + 4) % 7);
	tm->tm_yday = yday;
	tm->tm_isdst = 0;
	tm->tm_gmtoff = 0;
	tm->tm_zone = zone;
	return tm;
}

/* The result gmtime and localtime return, overwritten by each call. */
static struct tm shared_tm;

struct tm *gmtime_r(const time_t *t, struct tm *tm)
{
	return to_tm(t, tm, "GMT");
}

struct tm *gmtime(const time_t *t)
{
	return gmtime_r(t, &shared_tm);
}

struct tm *localtime_r(const time_t *t, struct tm *tm)
{
	return to_tm(t, tm, "UTC");
}

struct tm *localtime(const time_t *t)
{
	return localtime_r(t, &shared_tm);
}
