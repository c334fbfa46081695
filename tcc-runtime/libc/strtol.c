/*
 * strtol.c - strtol, strtoul, strtoll, strtoull, atoi, atol, atoll, with
 * glibc's behaviour in the C locale:
 *
 *   - leading white space (isspace), then one optional sign;
 *   - base 0 picks 16 after "0x"/"0X", 8 after "0", else 10; base 16 also
 *     skips "0x"; any other base outside 2..36 is EINVAL, returns 0 and
 *     leaves endptr alone (glibc 2.36 has no "0b" prefix);
 *   - "0x" with no hex digit after it is the number 0, endptr at the 'x';
 *   - no digits at all: returns 0, endptr = nptr, errno untouched;
 *   - overflow: ERANGE and the limit of the type (LONG_MIN for negative
 *     strtol); endptr is still past every digit;
 *   - the unsigned functions negate a '-' number in their own type, so
 *     strtoul("-1") is ULONG_MAX, and "-" on an overflowing number still
 *     gives ULONG_MAX.
 *
 * long and long long are both 64 bits here, so each pair shares one parser.
 */
#include <krt/libc.h>

/* gcc's own constants: its limits.h needs a libc one behind it. */
#define ULL_MAX	(~0ull)
#define LL_MAX	__LONG_LONG_MAX__
#define LL_MIN	(-LL_MAX - 1)

struct parsed {
	unsigned long long mag;	/* saturated at ULL_MAX on overflow */
	int neg;
	int overflow;
};

/* isspace of the C locale, with no table. */
static int is_space(int c)
{
	return c == ' ' || (unsigned)c - '\t' < 5;
}

/* 0..35 for a digit or letter of any case; 36 for anything else. */
static unsigned digit_value(unsigned char c)
{
	if ((unsigned)c - '0' < 10)
		return c - '0';
	if ((unsigned)(c | 0x20) - 'a' < 26)
		return (c | 0x20) - 'a' + 10;
	return 36;
}

/* The magnitude and sign of nptr's number; 0 if there is none. */
static struct parsed parse(const char *nptr, char **endptr, int base)
{
	struct parsed r = { 0, 0, 0 };
	const char *s = nptr, *digits;
	unsigned d;

	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		return r;
	}
	while (is_space((unsigned char)*s))
		s++;
	if (*s == '-' || *s == '+')
		r.neg = *s++ == '-';
	/* Skip "0x" only when a hex digit follows: otherwise the '0' alone is
	 * the number and the 'x' is where it ends, as in glibc. */
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] | 0x20) == 'x' &&
	    digit_value(s[2]) < 16) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = *s == '0' ? 8 : 10;
	}
	for (digits = s; (d = digit_value(*s)) < (unsigned)base; s++) {
		/* Once saturated, mag stays ULL_MAX: it fails this test. */
		if (r.mag > (ULL_MAX - d) / base) {
			r.overflow = 1;
			r.mag = ULL_MAX;
		} else {
			r.mag = r.mag * base + d;
		}
	}
	if (s == digits) {
		r.neg = 0;
		s = nptr;
	}
	if (endptr)
		*endptr = (char *)s;
	return r;
}

unsigned long long strtoull(const char *nptr, char **endptr, int base)
{
	struct parsed r = parse(nptr, endptr, base);

	if (r.overflow) {
		errno = ERANGE;
		return ULL_MAX;
	}
	return r.neg ? 0 - r.mag : r.mag;
}

long long strtoll(const char *nptr, char **endptr, int base)
{
	struct parsed r = parse(nptr, endptr, base);

	if (r.neg) {
		if (r.overflow || r.mag > (unsigned long long)LL_MAX + 1) {
			errno = ERANGE;
			return LL_MIN;
		}
		/* -(LL_MAX + 1) is representable; the unsigned negation
		 * wraps to exactly that bit pattern. */
		return (long long)(0 - r.mag);
	}
	if (r.overflow || r.mag > LL_MAX) {
		errno = ERANGE;
		return LL_MAX;
	}
	return (long long)r.mag;
}

_Static_assert(sizeof(long) == sizeof(long long), "strtol is strtoll");

unsigned long strtoul(const char *nptr, char **endptr, int base)
{
	return strtoull(nptr, endptr, base);
}

long strtol(const char *nptr, char **endptr, int base)
{
	return strtoll(nptr, endptr, base);
}

/* glibc's atoi is (int)strtol(s, NULL, 10): it truncates, and sets ERANGE
 * only where strtol would. */
int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}

long long atoll(const char *s)
{
	return strtoll(s, NULL, 10);
}
