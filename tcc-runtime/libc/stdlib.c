/*
 * stdlib.c - abs, labs, llabs, div, ldiv, lldiv.
 *
 * glibc's abs(INT_MIN) returns INT_MIN (two's complement wrap), though C
 * leaves it undefined; negating in the unsigned type gives the same answer
 * without the undefined behaviour the optimiser could exploit.  div rounds
 * the quotient toward zero, the remainder taking the dividend's sign (C99).
 */
#include <krt/libc.h>

int abs(int v)
{
	return v < 0 ? (int)(0u - (unsigned)v) : v;
}

long labs(long v)
{
	return v < 0 ? (long)(0ul - (unsigned long)v) : v;
}

long long llabs(long long v)
{
	return v < 0 ? (long long)(0ull - (unsigned long long)v) : v;
}

div_t div(int num, int den)
{
	return (div_t){ num / den, num % den };
}

ldiv_t ldiv(long num, long den)
{
	return (ldiv_t){ num / den, num % den };
}

lldiv_t lldiv(long long num, long long den)
{
	return (lldiv_t){ num / den, num % den };
}
