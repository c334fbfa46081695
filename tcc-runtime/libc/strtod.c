/*
 * strtod.c - text to float, double and long double (strtof, strtod,
 * strtold, atof), and ldexp and frexp.
 *
 * Results are glibc's bit for bit: correctly rounded (to nearest, ties to
 * even) from decimal or hexadecimal input of any length; ERANGE on
 * overflow, and on underflow when the result is tiny after rounding (the
 * x86 rule) and inexact; endptr where glibc leaves it ("1e" stops after the
 * 1, "0x" after the 0, ".e1" converts nothing); "nan(n)" puts n, read as
 * strtoull(n, .., 0) would, into the NaN's payload.
 *
 * One routine serves the three formats, which a struct sd_format tells
 * apart.  A decimal input is first approximated to 128 bits: its leading 38
 * digits times a power of ten from a table of 10^(+-2^i).  The error is a
 * few units in the 121st bit, so the rounding it implies is right unless the
 * value sits almost exactly on a halfway point between two results; only
 * then is the input compared, exactly and digit by digit, with that point's
 * decimal expansion (fpdec.c), however long either is.  Hexadecimal input is
 * exact in 124 bits plus a sticky bit, and is rounded directly.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <krt/stdlib_fp.h>
#include "fpdec.h"

extern int *__errno_location(void);

#define SD_ERANGE 34	/* Linux's number, which glibc-built callers test for */

typedef unsigned __int128 u128;

struct sd_format {
	int p;		/* significand bits, the leading one included */
	int emin;	/* the smallest normal number is 2^emin */
	int emax;	/* finite numbers are below 2^(emax + 1) */
};

static const struct sd_format sd_float = { 24, -126, 127 };
static const struct sd_format sd_double = { 53, -1022, 1023 };
static const struct sd_format sd_ldouble = { 64, -16382, 16383 };

enum { SD_ZERO, SD_NUM, SD_INF, SD_NAN };

/* A result before it is packed into its format. */
struct sd_val {
	int cls;
	bool neg;
	bool range;	/* set errno to ERANGE */
	uint64_t m;	/* SD_NUM: the value is m * 2^q, m < 2^p; SD_NAN: the payload */
	int q;
};

/* The smallest exponent of the last significand bit: subnormals have it. */
static int sd_qmin(const struct sd_format *f)
{
	return f->emin - f->p + 1;
}

static int sd_clz128(u128 x)
{
	uint64_t hi = (uint64_t)(x >> 64);

	return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)x);
}

static void sd_overflow(struct sd_val *v)
{
	v->cls = SD_INF;
	v->range = true;
}

/* ---- Exact rounding of m * 2^e (hexadecimal input, ldexp) ---- */

/* Round acc * 2^e (plus something below acc's last bit if sticky) to a multiple of 2^q. */
static u128 sd_round_bits(u128 acc, long e, bool sticky, int q, bool *inexact)
{
	long shift = q - e;
	u128 m, below;
	bool rbit;

	if (shift <= 0) {
		*inexact = sticky;
		return acc << -shift;
	}
	m = shift >= 128 ? 0 : acc >> shift;
	rbit = shift <= 128 && (acc >> (shift - 1) & 1);
	below = shift > 128 ? acc : acc & (((u128)1 << (shift - 1)) - 1);
	sticky = sticky || below;
	*inexact = rbit || sticky;
	return m + (rbit && (sticky || (m & 1)));
}

/* acc != 0.  Tininess is judged after rounding, as on x86. */
static void sd_round_exact(u128 acc, long e, bool sticky, const struct sd_format *f,
			   struct sd_val *v)
{
	long top = e + 127 - sd_clz128(acc);	/* exponent of the leading bit */
	int q, qmin = sd_qmin(f);
	bool inexact, unused, tiny;
	u128 m;

	if (top > f->emax) {
		sd_overflow(v);
		return;
	}
	if (top < qmin - 1) {	/* below half the smallest subnormal */
		v->cls = SD_ZERO;
		v->range = true;
		return;
	}
	q = top - f->p + 1 < qmin ? qmin : (int)top - f->p + 1;
	m = sd_round_bits(acc, e, sticky, q, &inexact);
	if (m >> f->p) {
		m >>= 1;
		q++;
	}
	if (q > f->emax - f->p + 1) {
		sd_overflow(v);
		return;
	}
	/* Tiny unless rounding to p bits with no exponent floor reaches 2^emin. */
	tiny = top < f->emin &&
	       !(top == f->emin - 1 &&
		 sd_round_bits(acc, e, sticky, (int)top - f->p + 1, &unused) >> f->p);
	v->cls = m ? SD_NUM : SD_ZERO;
	v->m = (uint64_t)m;
	v->q = q;
	v->range = tiny && inexact;
}

/* ---- Decimal input ---- */

/* The mantissa's digits, as found in the text. */
struct sd_dec {
	const char *first;	/* the first nonzero digit; NULL if the value is 0 */
	long ndig;		/* digits from there to the last nonzero one, point not counted */
	long exp10;		/* the value is 0.d1 d2 ... * 10^exp10 */
};

/* The next digit of the mantissa, stepping over the point. */
static int sd_digit(const char **p)
{
	if (**p == '.')
		(*p)++;
	return *(*p)++ - '0';
}

/*
 * Compare the input with k * 2^q (k != 0) exactly: -1, 0 or 1.  The stack
 * holds the whole decimal expansion of k * 2^q (2.2 KiB, see fpdec.h); not
 * inlined, so that it is there only while this runs.
 */
static __attribute__((noinline)) int sd_cmp(const struct sd_dec *in, u128 k, int q)
{
	struct fpdec d;
	const char *p = in->first;

	fpdec_init(&d, k, q);
	if (in->exp10 != d.exp10)
		return in->exp10 > d.exp10 ? 1 : -1;
	for (long i = 0; i < in->ndig && i < d.sig; i++) {
		int a = sd_digit(&p), b = fpdec_next(&d);

		if (a != b)
			return a > b ? 1 : -1;
	}
	return in->ndig > d.sig ? 1 : in->ndig < d.sig ? -1 : 0;
}

/* 10^(2^i) and 10^-(2^i) to 128 bits, rounded to nearest: hi:lo * 2^exp. */
struct sd_pow10 {
	uint64_t hi, lo;
	int exp;
};

static const struct sd_pow10 sd_pow10_pos[13] = {
	{ 0xa000000000000000ull, 0x0000000000000000ull, -124 },	/* 10^1 */
	{ 0xc800000000000000ull, 0x0000000000000000ull, -121 },	/* 10^2 */
	{ 0x9c40000000000000ull, 0x0000000000000000ull, -114 },	/* 10^4 */
	{ 0xbebc200000000000ull, 0x0000000000000000ull, -101 },	/* 10^8 */
	{ 0x8e1bc9bf04000000ull, 0x0000000000000000ull, -74 },	/* 10^16 */
	{ 0x9dc5ada82b70b59dull, 0xf020000000000000ull, -21 },	/* 10^32 */
	{ 0xc2781f49ffcfa6d5ull, 0x3cbf6b71c76b25fbull, 85 },	/* 10^64 */
	{ 0x93ba47c980e98cdfull, 0xc66f336c36b10137ull, 298 },	/* 10^128 */
	{ 0xaa7eebfb9df9de8dull, 0xddbb901b98feeab8ull, 723 },	/* 10^256 */
	{ 0xe319a0aea60e91c6ull, 0xcc655c54bc5058f9ull, 1573 },	/* 10^512 */
	{ 0xc976758681750c17ull, 0x650d3d28f18b50ceull, 3274 },	/* 10^1024 */
	{ 0x9e8b3b5dc53d5de4ull, 0xa74d28ce329ace52ull, 6676 },	/* 10^2048 */
	{ 0xc46052028a20979aull, 0xc94c153f804a4a92ull, 13479 },	/* 10^4096 */
};

static const struct sd_pow10 sd_pow10_neg[13] = {
	{ 0xccccccccccccccccull, 0xcccccccccccccccdull, -131 },	/* 10^-1 */
	{ 0xa3d70a3d70a3d70aull, 0x3d70a3d70a3d70a4ull, -134 },	/* 10^-2 */
	{ 0xd1b71758e219652bull, 0xd3c36113404ea4a9ull, -141 },	/* 10^-4 */
	{ 0xabcc77118461cefcull, 0xfdc20d2b36ba7c3dull, -154 },	/* 10^-8 */
	{ 0xe69594bec44de15bull, 0x4c2ebe687989a9b4ull, -181 },	/* 10^-16 */
	{ 0xcfb11ead453994baull, 0x67de18eda5814af2ull, -234 },	/* 10^-32 */
	{ 0xa87fea27a539e9a5ull, 0x3f2398d747b36224ull, -340 },	/* 10^-64 */
	{ 0xddd0467c64bce4a0ull, 0xac7cb3f6d05ddbdfull, -553 },	/* 10^-128 */
	{ 0xc0314325637a1939ull, 0xfa911155fefb5309ull, -978 },	/* 10^-256 */
	{ 0x9049ee32db23d21cull, 0x7132d332e3f204d5ull, -1828 },	/* 10^-512 */
	{ 0xa2a682a5da57c0bdull, 0x87a601586bd3f699ull, -3529 },	/* 10^-1024 */
	{ 0xceae534f34362de4ull, 0x492512d4f2ead2ccull, -6931 },	/* 10^-2048 */
	{ 0xa6dd04c8d2ce9fdeull, 0x2de38123a1c3cffcull, -13734 },	/* 10^-4096 */
};

/* x * 2^xe (top bit of x set) times t, truncated back to 128 bits. */
static void sd_mul(u128 *x, int *xe, const struct sd_pow10 *t)
{
	uint64_t a1 = (uint64_t)(*x >> 64), a0 = (uint64_t)*x;
	u128 p00 = (u128)a0 * t->lo, p01 = (u128)a0 * t->hi;
	u128 p10 = (u128)a1 * t->lo, p11 = (u128)a1 * t->hi;
	u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
	u128 hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);

	*xe += t->exp + 128;
	if (!(hi >> 127)) {	/* both factors are >= 2^127: one shift renormalizes */
		hi = hi << 1 | (uint64_t)mid >> 63;
		(*xe)--;
	}
	*x = hi;
}

/* Up to 38 leading digits times 10^e10 (|e10| < 8192): within 2^-121 of the input. */
static u128 sd_approx(const struct sd_dec *in, int *ae)
{
	const char *p = in->first;
	long nd = in->ndig < 38 ? in->ndig : 38;
	int e10 = (int)(in->exp10 - nd), s;
	const struct sd_pow10 *t = e10 < 0 ? sd_pow10_neg : sd_pow10_pos;
	unsigned int k = e10 < 0 ? -(unsigned int)e10 : (unsigned int)e10;
	u128 d = 0;

	for (long i = 0; i < nd; i++)
		d = d * 10 + sd_digit(&p);
	s = sd_clz128(d);
	d <<= s;
	*ae = -s;
	for (int i = 0; k; i++, k >>= 1)
		if (k & 1)
			sd_mul(&d, ae, &t[i]);
	return d;
}

/* How close to a halfway point (in 2^-64 of a unit in the last place) calls for an exact look. */
#define SD_MARGIN (1ull << 16)

/*
 * Underflow is reported when the result is tiny and inexact.  A subnormal
 * result is inexact unless the input is exactly it; a result of exactly
 * 2^emin is tiny (x86: after rounding) if the input is below the point
 * from which rounding to p bits would have reached 2^emin anyway.
 */
static bool sd_dec_underflow(const struct sd_dec *in, const struct sd_format *f, uint64_t m,
			     int q, bool near_exact)
{
	if (m < 1ull << (f->p - 1))
		return !(m && near_exact && sd_cmp(in, m, q) == 0);
	if (m == 1ull << (f->p - 1) && q == sd_qmin(f))
		return sd_cmp(in, ((u128)1 << (f->p + 1)) - 1, q - 2) < 0;
	return false;
}

static void sd_decimal(const struct sd_dec *in, const struct sd_format *f, struct sd_val *v)
{
	int ae, top, q, shift, qmin = sd_qmin(f);
	uint64_t m, frac, dist;
	u128 a, r;
	bool up;

	/* Beyond these the result is infinite, or zero, in every format. */
	if (in->exp10 > 4934) {
		sd_overflow(v);
		return;
	}
	if (in->exp10 < -4950) {
		v->cls = SD_ZERO;
		v->range = true;
		return;
	}
	a = sd_approx(in, &ae);
	top = ae + 127;
	if (top > f->emax + 1) {
		sd_overflow(v);
		return;
	}
	q = top - f->p + 1 < qmin ? qmin : top - f->p + 1;
	shift = q - ae;		/* at least 128 - p, so 64 */
	m = shift < 128 ? (uint64_t)(a >> shift) : 0;
	frac = shift < 192 ? (uint64_t)(a >> (shift - 64)) : 0;	/* the bits below m */
	dist = frac > 1ull << 63 ? frac - (1ull << 63) : (1ull << 63) - frac;
	if (dist <= SD_MARGIN) {
		int c = sd_cmp(in, 2 * (u128)m + 1, q - 1);

		up = c > 0 || (c == 0 && (m & 1));
	} else {
		up = frac > 1ull << 63;
	}
	r = (u128)m + up;
	if (r >> f->p) {
		r >>= 1;
		q++;
	}
	if (q > f->emax - f->p + 1) {
		sd_overflow(v);
		return;
	}
	v->cls = r ? SD_NUM : SD_ZERO;
	v->m = (uint64_t)r;
	v->q = q;
	v->range = sd_dec_underflow(in, f, v->m, q,
				    up ? ~frac < SD_MARGIN : frac <= SD_MARGIN);
}

/* [eE|pP][+-]digits, saturated far beyond any format's range; p stays put if absent. */
static const char *sd_exponent(const char *p, char letter, long *out)
{
	const char *d = p + 1;
	bool neg = false;
	long x = 0;

	*out = 0;
	if ((*p | 0x20) != letter)
		return p;
	if (*d == '+' || *d == '-')
		neg = *d++ == '-';
	if (*d < '0' || *d > '9')
		return p;
	for (; *d >= '0' && *d <= '9'; d++)
		if (x < 1000000000000L)
			x = x * 10 + (*d - '0');
	*out = neg ? -x : x;
	return d;
}

/* digits [. digits] [e exponent]; NULL if there is no digit at all. */
static const char *sd_parse_decimal(const char *s, const struct sd_format *f, struct sd_val *v)
{
	struct sd_dec in = { NULL, 0, 0 };
	const char *p, *dot = NULL;
	long count = 0, nint = 0, lead = 0, x;
	bool any = false;

	for (p = s;; p++) {
		if (*p == '.' && !dot) {
			dot = p;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		any = true;
		if (!in.first && *p == '0') {
			lead += dot != NULL;	/* zeros between the point and the first digit */
			continue;
		}
		if (!in.first)
			in.first = p;
		count++;
		nint += !dot;
		if (*p != '0')
			in.ndig = count;
	}
	if (!any)
		return NULL;
	p = sd_exponent(p, 'e', &x);
	if (!in.first) {
		v->cls = SD_ZERO;
		return p;
	}
	in.exp10 = (dot && in.first > dot ? -lead : nint) + x;
	sd_decimal(&in, f, v);
	return p;
}

/* ---- Hexadecimal input, infinity, NaN ---- */

static int sd_xdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* After "0x": hexdigits [. hexdigits] [p exponent]; NULL if there is no digit. */
static const char *sd_parse_hex(const char *s, const struct sd_format *f, struct sd_val *v)
{
	const char *p;
	u128 acc = 0;
	long e = 0, x;
	int nsig = 0, d;
	bool dot = false, any = false, sticky = false;

	for (p = s;; p++) {
		if (*p == '.' && !dot) {
			dot = true;
			continue;
		}
		if ((d = sd_xdigit(*p)) < 0)
			break;
		any = true;
		if (!acc && !d) {
			e -= dot ? 4 : 0;
		} else if (nsig < 31) {	/* 121 bits or more: room to round any format */
			acc = acc << 4 | (unsigned int)d;
			nsig++;
			e -= dot ? 4 : 0;
		} else {
			sticky = sticky || d;
			e += dot ? 0 : 4;
		}
	}
	if (!any)
		return NULL;
	p = sd_exponent(p, 'p', &x);
	if (acc)
		sd_round_exact(acc, e + x, sticky, f, v);
	else
		v->cls = SD_ZERO;
	return p;
}

static bool sd_word(const char *s, const char *w)
{
	for (; *w; s++, w++)
		if ((*s | 0x20) != *w)
			return false;
	return true;
}

/* strtoull(s, &end, 0) over [0-9A-Za-z_]: returns end; *ovf if it saturated. */
static const char *sd_strtoull0(const char *s, uint64_t *out, bool *ovf)
{
	unsigned int base = 10;
	const char *p = s, *start;
	uint64_t v = 0;
	int d;

	if (p[0] == '0' && (p[1] | 0x20) == 'x' && sd_xdigit(p[2]) >= 0) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	for (start = p; (d = sd_xdigit(*p)) >= 0 && (unsigned int)d < base; p++) {
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			*ovf = true;
		v = *ovf ? UINT64_MAX : v * base + (unsigned int)d;
	}
	*out = v;
	return p == start ? s : p;
}

/* After "nan": glibc takes "(chars)" with a number for the payload, if it is all number. */
static const char *sd_nan(const char *s, struct sd_val *v)
{
	const char *q = s + 1;
	uint64_t payload;
	bool ovf = false;

	v->cls = SD_NAN;
	v->m = 0;
	if (*s != '(')
		return s;
	while ((*q >= '0' && *q <= '9') || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') || *q == '_')
		q++;
	if (*q != ')')
		return s;
	if (sd_strtoull0(s + 1, &payload, &ovf) == q)
		v->m = payload;
	v->range = ovf;		/* strtoull's own ERANGE shows through */
	return q + 1;
}

/* "inf", "infinity", "nan", "nan(...)" in any case; NULL if none. */
static const char *sd_parse_special(const char *s, struct sd_val *v)
{
	if (sd_word(s, "inf")) {
		v->cls = SD_INF;
		return s + (sd_word(s + 3, "inity") ? 8 : 3);
	}
	if (sd_word(s, "nan"))
		return sd_nan(s + 3, v);
	return NULL;
}

static void sd_parse(const char *s, char **end, const struct sd_format *f, struct sd_val *v)
{
	const char *p = s, *e = NULL;

	*v = (struct sd_val){ .cls = SD_ZERO };
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		v->neg = *p++ == '-';
	e = sd_parse_special(p, v);
	if (!e && p[0] == '0' && (p[1] | 0x20) == 'x')
		e = sd_parse_hex(p + 2, f, v);
	if (!e)			/* "0x" with no hex digit is a 0 followed by text */
		e = sd_parse_decimal(p, f, v);
	if (!e) {		/* no number: glibc returns +0 and points at the start */
		*v = (struct sd_val){ .cls = SD_ZERO };
		e = s;
	}
	if (v->range)
		*__errno_location() = SD_ERANGE;
	if (end)
		*end = (char *)e;
}

/* ---- Packing into the formats ---- */

static uint64_t sd_pack(const struct sd_val *v, int p, int expbits)
{
	int frac = p - 1;	/* stored significand bits */
	uint64_t inf = ((1ull << expbits) - 1) << frac, u;

	if (v->cls == SD_ZERO)
		u = 0;
	else if (v->cls == SD_INF)
		u = inf;
	else if (v->cls == SD_NAN)	/* quiet, with the payload below the quiet bit */
		u = inf | 1ull << (frac - 1) | (v->m & ((1ull << (frac - 1)) - 1));
	else if (v->m >> frac)
		u = (uint64_t)(v->q + frac + (1 << (expbits - 1)) - 1) << frac |
		    (v->m & ((1ull << frac) - 1));
	else
		u = v->m;	/* subnormal */
	return u | (uint64_t)v->neg << (frac + expbits);
}

double strtod(const char *s, char **end)
{
	union { uint64_t u; double d; } b;
	struct sd_val v;

	sd_parse(s, end, &sd_double, &v);
	b.u = sd_pack(&v, 53, 11);
	return b.d;
}

float strtof(const char *s, char **end)
{
	union { uint32_t u; float f; } b;
	struct sd_val v;

	sd_parse(s, end, &sd_float, &v);
	b.u = (uint32_t)sd_pack(&v, 24, 8);
	return b.f;
}

/* The x87 format keeps its leading bit: the significand is m itself. */
long double strtold(const char *s, char **end)
{
	union { long double ld; struct { uint64_t m; uint16_t se; } p; } b = { 0 };
	struct sd_val v;

	sd_parse(s, end, &sd_ldouble, &v);
	if (v.cls == SD_INF) {
		b.p.m = 1ull << 63;
		b.p.se = 0x7fff;
	} else if (v.cls == SD_NAN) {
		b.p.m = 3ull << 62 | (v.m & ((1ull << 62) - 1));
		b.p.se = 0x7fff;
	} else if (v.cls == SD_NUM) {
		b.p.m = v.m;
		b.p.se = v.m >> 63 ? (uint16_t)(v.q + 63 + 16383) : 0;
	}
	b.p.se |= (uint16_t)(v.neg << 15);
	return b.ld;
}

double atof(const char *s)
{
	return strtod(s, NULL);
}

/* ---- Scaling ---- */

/* glibc: ERANGE only when a finite nonzero x becomes infinite or zero. */
double ldexp(double x, int n)
{
	union { double d; uint64_t u; } b = { .d = x };
	int ex = (int)(b.u >> 52) & 0x7ff;
	uint64_t m = b.u & ((1ull << 52) - 1);
	struct sd_val v = { .cls = SD_ZERO, .neg = b.u >> 63 };

	if (ex == 0x7ff || (!ex && !m))
		return x + x;	/* quiets a signaling NaN, as glibc does */
	if (ex)
		m |= 1ull << 52;
	sd_round_exact(m, (long)(ex ? ex : 1) - 1075 + n, false, &sd_double, &v);
	if (v.cls != SD_NUM)
		*__errno_location() = SD_ERANGE;
	b.u = sd_pack(&v, 53, 11);
	return b.d;
}

double frexp(double x, int *exp)
{
	union { double d; uint64_t u; } b = { .d = x };
	int ex = (int)(b.u >> 52) & 0x7ff;

	*exp = 0;
	if (ex == 0x7ff || !(b.u << 1))
		return x + x;
	if (!ex) {		/* subnormal: scale into the normal range first */
		b.d = x * 0x1p64;
		ex = (int)(b.u >> 52) & 0x7ff;
		*exp = -64;
	}
	*exp += ex - 1022;
	b.u = (b.u & ~(0x7ffull << 52)) | 1022ull << 52;	/* into [0.5, 1) */
	return b.d;
}
