/*
 * test_math.c - tcc-runtime/libc/math.c against glibc's libm: every
 * function must return the same bits (signed zeros and NaN payloads
 * included) and leave errno the same, on special values (zeros, infinities,
 * quiet and signaling NaNs, subnormals, halves, values next to integers)
 * and on random bit patterns.
 *
 * math.c defines the standard names, so this file includes it with each of
 * them renamed to kr_test_*; glibc's are called through pointers, so that
 * gcc can neither inline nor fold them.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#define sqrt kr_test_sqrt
#define sqrtf kr_test_sqrtf
#define fabs kr_test_fabs
#define fabsf kr_test_fabsf
#define floor kr_test_floor
#define floorf kr_test_floorf
#define ceil kr_test_ceil
#define ceilf kr_test_ceilf
#define trunc kr_test_trunc
#define truncf kr_test_truncf
#define round kr_test_round
#define roundf kr_test_roundf
#define fmod kr_test_fmod
#define fmodf kr_test_fmodf
#define fmin kr_test_fmin
#define fminf kr_test_fminf
#define fmax kr_test_fmax
#define fmaxf kr_test_fmaxf
#include "libc/math.c"
#undef sqrt
#undef sqrtf
#undef fabs
#undef fabsf
#undef floor
#undef floorf
#undef ceil
#undef ceilf
#undef trunc
#undef truncf
#undef round
#undef roundf
#undef fmod
#undef fmodf
#undef fmin
#undef fminf
#undef fmax
#undef fmaxf

typedef double (*fn1)(double);
typedef double (*fn2)(double, double);
typedef float (*fn1f)(float);
typedef float (*fn2f)(float, float);

struct pair1 {
	const char *name;
	fn1 ours;
	fn1 volatile ref;
};

struct pair2 {
	const char *name;
	fn2 ours;
	fn2 volatile ref;
};

struct pair1f {
	const char *name;
	fn1f ours;
	fn1f volatile ref;
};

struct pair2f {
	const char *name;
	fn2f ours;
	fn2f volatile ref;
};

static struct pair1 p1[] = {
	{ "sqrt", kr_test_sqrt, sqrt }, { "fabs", kr_test_fabs, fabs },
	{ "floor", kr_test_floor, floor }, { "ceil", kr_test_ceil, ceil },
	{ "trunc", kr_test_trunc, trunc }, { "round", kr_test_round, round },
};
static struct pair2 p2[] = {
	{ "fmod", kr_test_fmod, fmod }, { "fmin", kr_test_fmin, fmin },
	{ "fmax", kr_test_fmax, fmax },
};
static struct pair1f p1f[] = {
	{ "sqrtf", kr_test_sqrtf, sqrtf }, { "fabsf", kr_test_fabsf, fabsf },
	{ "floorf", kr_test_floorf, floorf }, { "ceilf", kr_test_ceilf, ceilf },
	{ "truncf", kr_test_truncf, truncf }, { "roundf", kr_test_roundf, roundf },
};
static struct pair2f p2f[] = {
	{ "fmodf", kr_test_fmodf, fmodf }, { "fminf", kr_test_fminf, fminf },
	{ "fmaxf", kr_test_fmaxf, fmaxf },
};

#define N(a) (sizeof(a) / sizeof(*(a)))

static unsigned long checks;

static double d_of(uint64_t u)
{
	double d;

	memcpy(&d, &u, 8);
	return d;
}

static float f_of(uint32_t u)
{
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static uint64_t bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	return u;
}

static uint32_t bitsf(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static void cmp1(const struct pair1 *p, double x)
{
	double g, w;
	int eg, ew;

	errno = 0;
	g = p->ours(x);
	eg = errno;
	errno = 0;
	w = p->ref(x);
	ew = errno;
	checks++;
	if (bits(g) != bits(w) || eg != ew) {
		print_error("%s(%a = %016llx): got %016llx errno %d, glibc %016llx errno %d\n",
			    p->name, x, (unsigned long long)bits(x), (unsigned long long)bits(g), eg,
			    (unsigned long long)bits(w), ew);
		fail();
	}
}

static void cmp2(const struct pair2 *p, double x, double y)
{
	double g, w;
	int eg, ew;

	errno = 0;
	g = p->ours(x, y);
	eg = errno;
	errno = 0;
	w = p->ref(x, y);
	ew = errno;
	checks++;
	if (bits(g) != bits(w) || eg != ew) {
		print_error("%s(%016llx, %016llx): got %016llx errno %d, glibc %016llx errno %d\n",
			    p->name, (unsigned long long)bits(x), (unsigned long long)bits(y),
			    (unsigned long long)bits(g), eg, (unsigned long long)bits(w), ew);
		fail();
	}
}

static void cmp1f(const struct pair1f *p, float x)
{
	float g, w;
	int eg, ew;

	errno = 0;
	g = p->ours(x);
	eg = errno;
	errno = 0;
	w = p->ref(x);
	ew = errno;
	checks++;
	if (bitsf(g) != bitsf(w) || eg != ew) {
		print_error("%s(%08x): got %08x errno %d, glibc %08x errno %d\n", p->name, bitsf(x),
			    bitsf(g), eg, bitsf(w), ew);
		fail();
	}
}

static void cmp2f(const struct pair2f *p, float x, float y)
{
	float g, w;
	int eg, ew;

	errno = 0;
	g = p->ours(x, y);
	eg = errno;
	errno = 0;
	w = p->ref(x, y);
	ew = errno;
	checks++;
	if (bitsf(g) != bitsf(w) || eg != ew) {
		print_error("%s(%08x, %08x): got %08x errno %d, glibc %08x errno %d\n", p->name,
			    bitsf(x), bitsf(y), bitsf(g), eg, bitsf(w), ew);
		fail();
	}
}

static const uint64_t special[] = {
	0, 1ull << 63, 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3fe0000000000000ull,
	0xbfe0000000000000ull, 0x3fe0000000000001ull, 0x3fdfffffffffffffull, 0x4004000000000000ull,
	0xc004000000000000ull, 0x3ff8000000000000ull, 0x4330000000000000ull, 0x432fffffffffffffull,
	0xc32fffffffffffffull, 0x4330000000000001ull, 0x7fefffffffffffffull, 0x0010000000000000ull,
	0x0000000000000001ull, 0x800fffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
	0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8000000000123ull, 0x7ff0000000000001ull,
	0xfff4000000000042ull, 0x3fefffffffffffffull, 0xbfefffffffffffffull, 0x4024000000000000ull,
	0x4059000000000000ull, 0xc05f400000000000ull, 0x3c90000000000000ull, 0x40c3880000000000ull,
};

static const uint32_t specialf[] = {
	0, 1u << 31, 0x3f800000u, 0xbf800000u, 0x3f000000u, 0xbf000000u, 0x3f000001u, 0x3effffffu,
	0x40200000u, 0xc0200000u, 0x4b000000u, 0x4affffffu, 0xcaffffffu, 0x7f7fffffu, 0x00800000u,
	0x00000001u, 0x807fffffu, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u, 0x7fc00123u,
	0x7f800001u, 0xffa00042u, 0x3f7fffffu, 0x41200000u,
};

static uint64_t rng = 0xd1b54a32d192ed03ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random doubles: any bits, or near integers, or pairs with close exponents. */
static double rnd_double(int kind)
{
	uint64_t u = rnd();

	if (kind == 1)		/* |x| in [2^-2, 2^60): fractions that matter */
		u = (u & 0x800fffffffffffffull) | (uint64_t)(0x3fd + (u >> 52) % 64) << 52;
	else if (kind == 2)	/* few fraction bits: halves and integers */
		u = (u & 0x800fffffffffffffull & ~((1ull << (int)(u >> 56 & 0x3f)) - 1)) |
		    (uint64_t)(0x3fe + (u >> 52) % 56) << 52;
	return d_of(u);
}

static float rnd_float(int kind)
{
	uint32_t u = (uint32_t)rnd();

	if (kind == 1)
		u = (u & 0x807fffffu) | (0x7du + (u >> 23) % 32) << 23;
	else if (kind == 2)
		u = (u & 0x807fffffu & ~((1u << (u >> 26 & 0x1f)) - 1)) | (0x7eu + (u >> 23) % 28) << 23;
	return f_of(u);
}

static void test_special_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(special); i++) {
		double x = d_of(special[i]);

		for (size_t f = 0; f < N(p1); f++)
			cmp1(&p1[f], x);
		for (size_t j = 0; j < N(special); j++)
			for (size_t f = 0; f < N(p2); f++)
				cmp2(&p2[f], x, d_of(special[j]));
	}
	for (size_t i = 0; i < N(specialf); i++) {
		float x = f_of(specialf[i]);

		for (size_t f = 0; f < N(p1f); f++)
			cmp1f(&p1f[f], x);
		for (size_t j = 0; j < N(specialf); j++)
			for (size_t f = 0; f < N(p2f); f++)
				cmp2f(&p2f[f], x, f_of(specialf[j]));
	}
}

static void test_random_one_argument(void **state)
{
	(void)state;
	for (int i = 0; i < 300000; i++) {
		double x = rnd_double(i % 3);
		float xf = rnd_float(i % 3);

		for (size_t f = 0; f < N(p1); f++)
			cmp1(&p1[f], x);
		for (size_t f = 0; f < N(p1f); f++)
			cmp1f(&p1f[f], xf);
	}
}

static void test_random_two_arguments(void **state)
{
	(void)state;
	for (int i = 0; i < 200000; i++) {
		double x = rnd_double(i % 3), y = rnd_double((i / 3) % 3);
		float xf = rnd_float(i % 3), yf = rnd_float((i / 3) % 3);

		for (size_t f = 0; f < N(p2); f++) {
			cmp2(&p2[f], x, y);
			cmp2(&p2[f], y, x);
		}
		for (size_t f = 0; f < N(p2f); f++) {
			cmp2f(&p2f[f], xf, yf);
			cmp2f(&p2f[f], yf, xf);
		}
	}
}

/* fmod across the whole exponent range: quotients of 2^2000 and subnormal divisors. */
static void test_fmod_extremes(void **state)
{
	(void)state;
	for (int i = 0; i < 50000; i++) {
		double x = d_of(rnd() & 0x7fefffffffffffffull);
		double y = d_of(rnd() & (i % 2 ? 0x000fffffffffffffull : 0x3fffffffffffffffull));

		cmp2(&p2[0], x, y);
		cmp2(&p2[0], -x, y);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_special_values),
		cmocka_unit_test(test_random_one_argument),
		cmocka_unit_test(test_random_two_arguments),
		cmocka_unit_test(test_fmod_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
