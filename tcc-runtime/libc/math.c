/*
 * math.c - the part of libm whose results are exact, or correctly rounded
 * by the hardware: sqrt, fabs, floor, ceil, trunc, round, fmod, fmin and
 * fmax, and their float forms.
 *
 * Bit for bit glibc's on x86_64, NaNs included: sqrt is the sqrtsd/sqrtss
 * instruction, whose NaN for a negative argument is the x86 default NaN
 * (negative); fmod returns (x*y)/(x*y) for a NaN, infinite x or zero y, as
 * glibc's does, so the same NaN comes out; fmin and fmax are minsd/maxsd
 * (y when the two compare equal, so fmin(-0.0, 0.0) is 0.0) and prefer the
 * number to a quiet NaN, as glibc's do.  errno gets EDOM where glibc's
 * wrappers set it: sqrt of a number below zero, fmod of an infinity or by
 * zero.  The rounding functions work on the bits; fmod is a long division
 * of the significands, which is exact.  floorf, ceilf, truncf, roundf and
 * fmodf go through double, where each of these results is exact and fits a
 * float again (a signaling NaN comes out quiet, as from glibc's).
 */
#include <stdbool.h>
#include <stdint.h>
#include <krt/stdlib_fp.h>

extern int *__errno_location(void);

#define M_EDOM 33	/* Linux's number, which glibc-built callers test for */

union m_bits {
	double d;
	uint64_t u;
};

#define M_SIGN (1ull << 63)
#define M_FRAC ((1ull << 52) - 1)

static int m_exp(uint64_t u)
{
	return (int)(u >> 52 & 0x7ff);
}

static bool m_isnan(double x)
{
	union m_bits b = { .d = x };

	return (b.u & ~M_SIGN) > 0x7ffull << 52;
}

static bool m_signaling(double x)
{
	union m_bits b = { .d = x };

	return m_isnan(x) && !(b.u & 1ull << 51);
}

/* x + y computed as addsd x, y: for two NaNs the result is x's, as in glibc. */
static double m_add(double x, double y)
{
	__asm__("addsd %1, %0" : "+x"(x) : "x"(y));
	return x;
}

double sqrt(double x)
{
	double r;

	if (x < 0)
		*__errno_location() = M_EDOM;
	__asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
	return r;
}

float sqrtf(float x)
{
	float r;

	if (x < 0)
		*__errno_location() = M_EDOM;
	__asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
	return r;
}

double fabs(double x)
{
	union m_bits b = { .d = x };

	b.u &= ~M_SIGN;
	return b.d;
}

float fabsf(float x)
{
	union { float f; uint32_t u; } b = { .f = x };

	b.u &= ~(1u << 31);
	return b.f;
}

/*
 * Drop the fraction bits of x: toward zero, or away from it if away
 * (floor of a negative number, ceil of a positive one), or to nearest with
 * halves away from zero if half.
 */
static double m_integral(double x, bool away, bool half)
{
	union m_bits b = { .d = x };
	int e = m_exp(b.u) - 1023;
	uint64_t mask;

	if (e >= 52)		/* already an integer, or inf or NaN */
		return e == 1024 ? x + x : x;
	if (e < 0) {		/* |x| < 1: the result is 0 or 1, with x's sign */
		bool one = (b.u << 1) && (half ? e == -1 : away);

		b.u = (b.u & M_SIGN) | (one ? 0x3ffull << 52 : 0);
		return b.d;
	}
	mask = M_FRAC >> e;
	if (!(b.u & mask))
		return x;
	if (half)
		b.u += 1ull << (51 - e);
	else if (away)
		b.u += mask;	/* carries one unit into the integer part */
	b.u &= ~mask;
	return b.d;
}

static bool m_neg(double x)
{
	union m_bits b = { .d = x };

	return b.u >> 63;
}

double floor(double x)
{
	return m_integral(x, m_neg(x), false);
}

double ceil(double x)
{
	return m_integral(x, !m_neg(x), false);
}

double trunc(double x)
{
	return m_integral(x, false, false);
}

double round(double x)
{
	return m_integral(x, false, true);
}

float floorf(float x)
{
	return (float)floor(x);
}

float ceilf(float x)
{
	return (float)ceil(x);
}

float truncf(float x)
{
	return (float)trunc(x);
}

float roundf(float x)
{
	return (float)round(x);
}

/* r * 2^(e - 1075), r < 2^53, e >= 1: exact, as a double (subnormal if e ends at 1). */
static double m_pack(uint64_t r, int e, bool neg)
{
	union m_bits b;

	while (r && r < 1ull << 52 && e > 1) {
		r <<= 1;
		e--;
	}
	b.u = r >> 52 ? (uint64_t)e << 52 | (r & M_FRAC) : r;
	b.u |= neg ? M_SIGN : 0;
	return b.d;
}

double fmod(double x, double y)
{
	union m_bits bx = { .d = x }, by = { .d = y };
	uint64_t ax = bx.u & ~M_SIGN, ay = by.u & ~M_SIGN, mx, my, r;
	int ex = m_exp(bx.u), ey = m_exp(by.u);

	if (ex == 0x7ff || ay > 0x7ffull << 52 || !ay) {
		if (!m_isnan(x) && !m_isnan(y))
			*__errno_location() = M_EDOM;
		return (x * y) / (x * y);
	}
	if (ax <= ay)		/* |x| < |y|, y infinite included; or |x| == |y| */
		return ax < ay ? x : m_pack(0, 1, bx.u >> 63);
	/* Both are m * 2^(e - 1075); |x| > |y| makes ex >= ey. */
	mx = ex ? (ax & M_FRAC) | 1ull << 52 : ax;
	my = ey ? (ay & M_FRAC) | 1ull << 52 : ay;
	ex = ex ? ex : 1;
	ey = ey ? ey : 1;
	r = mx % my;
	/* r < 2^53: eleven more bits at a time still fit in 64. */
	for (int d = ex - ey; d > 0; d -= 11) {
		int k = d < 11 ? d : 11;

		r = (r << k) % my;
	}
	return m_pack(r, ey, bx.u >> 63);
}

float fmodf(float x, float y)
{
	return (float)fmod(x, y);
}

/*
 * glibc's x86_64 fmin/fmax: minsd/maxsd when neither is a NaN; the number
 * when one is a quiet NaN; x + y, a NaN, when a NaN signals or both are.
 */
double fmin(double x, double y)
{
	if (!m_isnan(x) && !m_isnan(y))
		return x < y ? x : y;
	if (m_signaling(x) || m_signaling(y) || (m_isnan(x) && m_isnan(y)))
		return m_add(x, y);
	return m_isnan(x) ? y : x;
}

double fmax(double x, double y)
{
	if (!m_isnan(x) && !m_isnan(y))
		return x > y ? x : y;
	if (m_signaling(x) || m_signaling(y) || (m_isnan(x) && m_isnan(y)))
		return m_add(x, y);
	return m_isnan(x) ? y : x;
}

/* The float forms cannot go through double: that would quiet a signaling NaN. */
static bool m_isnanf(float x)
{
	union { float f; uint32_t u; } b = { .f = x };

	return (b.u & ~(1u << 31)) > 0xffu << 23;
}

static bool m_signalingf(float x)
{
	union { float f; uint32_t u; } b = { .f = x };

	return m_isnanf(x) && !(b.u & 1u << 22);
}

static float m_addf(float x, float y)
{
	__asm__("addss %1, %0" : "+x"(x) : "x"(y));
	return x;
}

float fminf(float x, float y)
{
	if (!m_isnanf(x) && !m_isnanf(y))
		return x < y ? x : y;
	if (m_signalingf(x) || m_signalingf(y) || (m_isnanf(x) && m_isnanf(y)))
		return m_addf(x, y);
	return m_isnanf(x) ? y : x;
}

float fmaxf(float x, float y)
{
	if (!m_isnanf(x) && !m_isnanf(y))
		return x > y ? x : y;
	if (m_signalingf(x) || m_signalingf(y) || (m_isnanf(x) && m_isnanf(y)))
		return m_addf(x, y);
	return m_isnanf(x) ? y : x;
}
