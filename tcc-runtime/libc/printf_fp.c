/*
 * printf_fp.c - printf's floating-point conversions: %e, %f, %g and %a,
 * upper case too, of doubles and x87 long doubles, byte for byte as glibc
 * prints them (see krt/format.c for why): the C library's hook of the
 * printf engine, which the kernel build leaves out.
 *
 * A value is first decoded into its class, m * 2^e, and the hex digits %a
 * shows.  %a rounds its hex digits half to even on the last one kept, as
 * glibc does.  %e/%f/%g take the exact decimal digits from fpdec.c and
 * round them half to even too (glibc's choice in the default rounding
 * mode), in a first pass that only looks (pf_dec_round), keeping the
 * digits if they are few: the length must be known before the first
 * character is written, and %.9000f need not be held in memory.  Then the
 * digits are streamed out through a small buffer.
 *
 * glibc's ways kept here: "-nan" for a NaN with its sign bit set, and inf
 * and nan padded with spaces even under '0'; every x87 encoding the FPU
 * would not produce is a NaN, but a pseudo-denormal prints as if its
 * integer bit were clear unless nothing else is set; %a shows 1.hhh for a
 * double (0.hhh below 2^-1022) but the top nibble of the x87 significand
 * for a long double, so 1.0L is 0x8p-3, and a nibble f that rounds up
 * becomes 1 with the exponent 4 higher; %#.2g of 99.5 is 1.e+02.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fpdec.h"
#include "../krt/format.h"

/* Batches the digits of a floating-point body into fewer calls to out. */
struct pf_sink {
	struct pf_state *st;
	size_t n;
	char buf[64];
};

static void sink_flush(struct pf_sink *k)
{
	pf_put(k->st, k->buf, k->n);
	k->n = 0;
}

static void sink_put(struct pf_sink *k, char c)
{
	if (k->n == sizeof(k->buf))
		sink_flush(k);
	k->buf[k->n++] = c;
}

/* ---- Floating point: decoding ---- */

enum { PF_NUM, PF_ZERO, PF_INF, PF_NAN };

struct pf_fp {
	int cls;
	bool neg;
	uint64_t m;		/* PF_NUM: the value is m * 2^e */
	int e;
	int lead;		/* %a: the digit before the point, */
	uint64_t nib;		/* the nnib hex digits after it, */
	int nnib;
	int hexp;		/* and the binary exponent */
};

static void pf_decode_double(struct pf_fp *v, double x)
{
	union { double d; uint64_t u; } b = { .d = x };
	int ex = (int)(b.u >> 52) & 0x7ff;
	uint64_t frac = b.u & ((1ull << 52) - 1);

	v->neg = b.u >> 63;
	v->cls = ex == 0x7ff ? (frac ? PF_NAN : PF_INF) : ex || frac ? PF_NUM : PF_ZERO;
	v->m = ex ? frac | 1ull << 52 : frac;
	v->e = (ex ? ex : 1) - 1075;
	/* glibc: 1.hhh for normal numbers, 0.hhhp-1022 for subnormal ones. */
	v->lead = ex != 0;
	v->nib = frac;
	v->nnib = 13;
	v->hexp = v->cls == PF_ZERO ? 0 : (ex ? ex : 1) - 1023;
}

/*
 * The x87 format has an explicit integer bit.  glibc 2.36 calls every
 * encoding the FPU would not produce a NaN (unnormals, pseudo-infinities,
 * pseudo-NaNs), but prints a pseudo-denormal (exponent 0, integer bit set)
 * as if that bit were clear, unless nothing else is set.  Follow it.
 */
static void pf_decode_ldouble(struct pf_fp *v, long double x)
{
	union { long double ld; struct { uint64_t m; uint16_t se; } p; } b = { .ld = x };
	int ex = b.p.se & 0x7fff;
	uint64_t m = b.p.m;
	bool ibit = m >> 63;

	v->neg = b.p.se >> 15;
	if (ex == 0x7fff)
		v->cls = ibit && !(m << 1) ? PF_INF : PF_NAN;
	else if (ex && !ibit)
		v->cls = PF_NAN;
	else
		v->cls = ex || m ? PF_NUM : PF_ZERO;
	v->m = !ex && ibit && (m << 1) ? m & ~(1ull << 63) : m;
	v->e = (ex ? ex : 1) - 16383 - 63;
	/* %a shows the encoding as it is: its top nibble before the point. */
	v->lead = (int)(m >> 60);
	v->nib = m & ((1ull << 60) - 1);
	v->nnib = 15;
	v->hexp = v->cls == PF_ZERO ? 0 : (ex ? ex : 1) - 16383 - 3;
}

static void pf_special(struct pf_state *st, const struct pf_spec *sp, const struct pf_fp *v)
{
	bool upper = sp->conv >= 'A' && sp->conv <= 'Z';
	const char *s = v->cls == PF_INF ? (upper ? "INF" : "inf") : (upper ? "NAN" : "nan");
	char pre[1];

	pf_field(st, sp, pre, pf_sign(pre, v->neg, sp->flags), 0, s, 3, false);
}

/* ---- Floating point: %a ---- */

/* Round the hex digits to prec of them as glibc does: half to even on the last one kept. */
static void pf_hex_round(int *dig, int nd, int prec, int *lead, int *hexp)
{
	int last = prec ? dig[prec - 1] : *lead, next = dig[prec];
	bool more = (next & 7) || prec + 1 < nd;
	int i;

	if (next < 8 || !((last & 1) || more))
		return;
	for (i = prec - 1; i >= 0 && dig[i] == 15; i--)
		dig[i] = 0;
	if (i >= 0) {
		dig[i]++;
	} else if (*lead < 15) {
		(*lead)++;
	} else {
		/* Only a long double's nibble can overflow; glibc restarts at 1. */
		*lead = 1;
		*hexp += 4;
	}
}

static void pf_hexfp(struct pf_state *st, const struct pf_spec *sp, const struct pf_fp *v)
{
	bool upper = sp->conv == 'A';
	const char *xd = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int dig[16], nd = v->nnib, prec = sp->prec, lead = v->lead, hexp = v->hexp;
	char pre[3], tail[12], body[20];
	size_t np, nt = 0, nb = 0, rest;
	unsigned int ue;

	for (int i = 0; i < nd; i++)
		dig[i] = (int)(v->nib >> (4 * (nd - 1 - i))) & 15;
	while (nd && !dig[nd - 1])
		nd--;
	if (prec < 0) {
		prec = nd;
	} else if (prec < nd) {
		pf_hex_round(dig, nd, prec, &lead, &hexp);
		nd = prec;
	}
	np = pf_sign(pre, v->neg, sp->flags);
	pre[np++] = '0';
	pre[np++] = upper ? 'X' : 'x';
	body[nb++] = xd[lead];
	if (prec || (sp->flags & F_ALT))
		body[nb++] = '.';
	for (int i = 0; i < nd; i++)
		body[nb++] = xd[dig[i]];
	tail[nt++] = upper ? 'P' : 'p';
	tail[nt++] = hexp < 0 ? '-' : '+';
	ue = hexp < 0 ? -(unsigned int)hexp : (unsigned int)hexp;
	nt += pf_decimal(tail + nt, ue, 1);
	rest = pf_begin(st, sp, pre, np, nb + (size_t)(prec - nd) + nt, true);
	if ((sp->flags & (F_LEFT | F_ZERO)) == (F_LEFT | F_ZERO))
		rest = 0;	/* glibc's slow path, '0' and a negative '*': no padding */
	pf_put(st, body, nb);
	pf_pad(st, '0', (size_t)(prec - nd));
	pf_put(st, tail, nt);
	pf_pad(st, ' ', rest);
}

/* ---- Floating point: %e, %f, %g ---- */

enum { DEC_ZERO, DEC_ONE, DEC_GEN };

/* A value rounded to some number of significant digits, read out digit by digit. */
struct pf_dec {
	struct fpdec gen;	/* the exact digits */
	uint64_t m;		/* the value, m * 2^e, to restart gen */
	int e;
	int exp10;		/* the rounded value is 0.d1 d2 ... * 10^exp10 */
	int mode;		/* all zeros, "1" then zeros, or gen's digits */
	long keep;		/* DEC_GEN: digits after the first keep are 0 */
	bool bump;		/* DEC_GEN: digit keep is gen's plus one */
	long last_nz;		/* position of the last nonzero digit, 0 if none */
	long pos;		/* digits handed out */
	bool replay;		/* DEC_GEN: the kept digits are in saved, gen is spent */
	char saved[40];		/* the first pass's digits, when they fit: no second pass */
};

static void pf_dec_start(struct pf_dec *r, const struct pf_fp *v)
{
	r->pos = 0;
	r->last_nz = 0;
	if (v->cls == PF_ZERO) {
		r->mode = DEC_ZERO;
		r->exp10 = 1;	/* so %e shows e+00 and %f one integer 0 */
		return;
	}
	r->mode = DEC_GEN;
	r->m = v->m;
	r->e = v->e;
	fpdec_init(&r->gen, v->m, v->e);
	r->exp10 = r->gen.exp10;
}

/* Round to n significant digits (n <= 0: %f of a value below its last place). */
static void pf_dec_round(struct pf_dec *r, long n)
{
	long i, last_non9 = 0;
	int d = 0, next;
	bool up;

	if (r->mode == DEC_ZERO)
		return;
	if (n <= 0) {
		/* The kept digit is an implicit 0 (even): only more than half rounds up. */
		next = n == 0 ? fpdec_next(&r->gen) : 0;
		up = next > 5 || (next == 5 && r->gen.pos < r->gen.sig);
		r->mode = up ? DEC_ONE : DEC_ZERO;
		r->exp10 += up;	/* 10^exp10 itself: 0.1 * 10^(exp10 + 1) */
		r->last_nz = up;
		return;
	}
	for (i = 1; i <= n && r->gen.pos < r->gen.sig; i++) {
		d = fpdec_next(&r->gen);
		if (i <= (long)sizeof(r->saved))
			r->saved[i - 1] = (char)d;
		if (d != 9)
			last_non9 = i;
		if (d)
			r->last_nz = i;
	}
	if (i <= n) {		/* the digits ran out: the rest are zeros */
		d = 0;
		last_non9 = n;
	}
	next = fpdec_next(&r->gen);
	up = next > 5 || (next == 5 && (r->gen.pos < r->gen.sig || (d & 1)));
	r->keep = n;
	r->bump = false;
	if (up && !last_non9) {	/* 99.9 -> 100: one more integer digit */
		r->mode = DEC_ONE;
		r->exp10++;
		r->last_nz = 1;
		return;
	}
	if (up) {
		r->keep = last_non9;
		r->bump = true;
		r->last_nz = last_non9;
	}
	/* Digits past the exact expansion were never stored: they are zeros. */
	for (long j = i; j <= r->keep && j <= (long)sizeof(r->saved); j++)
		r->saved[j - 1] = 0;
	r->replay = r->keep <= (long)sizeof(r->saved);
	if (!r->replay && !fpdec_rewind(&r->gen))
		fpdec_init(&r->gen, r->m, r->e);
}

static int pf_dec_digit(struct pf_dec *r)
{
	long i = ++r->pos;
	int d;

	if (r->mode != DEC_GEN)
		return r->mode == DEC_ONE && i == 1;
	if (i > r->keep)
		return 0;
	d = r->replay ? r->saved[i - 1] : fpdec_next(&r->gen);
	return i == r->keep && r->bump ? d + 1 : d;
}

/* %f's body: the integer digits, the point, fdig fraction digits. */
static void pf_emit_f(struct pf_sink *k, struct pf_dec *r, long fdig, bool point)
{
	if (r->exp10 <= 0)
		sink_put(k, '0');
	for (long i = 0; i < r->exp10; i++)
		sink_put(k, (char)('0' + pf_dec_digit(r)));
	if (point)
		sink_put(k, '.');
	for (long j = 1; j <= fdig; j++)
		sink_put(k, (char)(r->exp10 + j <= 0 ? '0' : '0' + pf_dec_digit(r)));
}

/* %e's body: d.ddd, then e and the exponent, which has at least two digits. */
static void pf_emit_e(struct pf_sink *k, struct pf_dec *r, long fdig, bool point, char e,
		      int x)
{
	char xd[10];
	size_t n;

	sink_put(k, (char)('0' + pf_dec_digit(r)));
	if (point)
		sink_put(k, '.');
	for (long j = 0; j < fdig; j++)
		sink_put(k, (char)('0' + pf_dec_digit(r)));
	sink_put(k, e);
	sink_put(k, x < 0 ? '-' : '+');
	n = pf_decimal(xd, x < 0 ? -(unsigned int)x : (unsigned int)x, 2);
	for (size_t i = 0; i < n; i++)
		sink_put(k, xd[i]);
}

static int pf_exp_digits(int x)
{
	int n = 2;

	for (x = x < 0 ? -x : x; x >= 100; x /= 10)
		n++;
	return n;
}

static void pf_decfp(struct pf_state *st, const struct pf_spec *sp, const struct pf_fp *v)
{
	struct pf_dec r;
	struct pf_sink k = { .st = st, .n = 0 };
	char conv = (char)(sp->conv | 0x20), pre[1];
	long p = sp->prec < 0 ? 6 : sp->prec, fdig = p;
	bool estyle = conv == 'e', point;
	size_t len, rest, np = pf_sign(pre, v->neg, sp->flags);

	pf_dec_start(&r, v);
	if (conv == 'f') {
		pf_dec_round(&r, r.exp10 + p);
	} else if (conv == 'e') {
		pf_dec_round(&r, p + 1);
	} else {
		/* %g: %e's digits unless the exponent is in [-4, P), then %f's. */
		long P = p ? p : 1, x0 = r.exp10 - 1, x;

		pf_dec_round(&r, P);
		x = r.exp10 - 1;
		estyle = x < -4 || x >= P;
		fdig = estyle ? P - 1 : P - 1 - x;
		/* glibc picks %f with no decimals for 99.5 at %.2g, and when
		 * rounding makes that 100, switches to %e but keeps no decimals:
		 * "%#.2g" prints 1.e+02, not 1.0e+02. */
		if (estyle && x0 == P - 1 && x == P)
			fdig = 0;
		if (!(sp->flags & F_ALT)) {	/* drop trailing zeros */
			long used = estyle ? r.last_nz - 1 : r.last_nz - r.exp10;

			if (used < fdig)
				fdig = used < 0 ? 0 : used;
		}
	}
	point = fdig > 0 || (sp->flags & F_ALT);
	if (estyle)
		len = 1 + point + (size_t)fdig + 2 + (size_t)pf_exp_digits(r.exp10 - 1);
	else
		len = (size_t)(r.exp10 > 0 ? r.exp10 : 1) + point + (size_t)fdig;
	rest = pf_begin(st, sp, pre, np, len, true);
	if (estyle)
		pf_emit_e(&k, &r, fdig, point, conv == sp->conv ? 'e' : 'E', r.exp10 - 1);
	else
		pf_emit_f(&k, &r, fdig, point);
	sink_flush(&k);
	/* glibc's slow path, '0' and a negative '*' width: zeros after the number. */
	pf_pad(st, (sp->flags & (F_LEFT | F_ZERO)) == (F_LEFT | F_ZERO) ? '0' : ' ', rest);
}

void pf_float(struct pf_state *st, const struct pf_spec *sp, va_list *ap)
{
	struct pf_fp v;

	if (sp->ll)
		pf_decode_ldouble(&v, va_arg(*ap, long double));
	else
		pf_decode_double(&v, va_arg(*ap, double));
	if (v.cls == PF_INF || v.cls == PF_NAN)
		pf_special(st, sp, &v);
	else if ((sp->conv | 0x20) == 'a')
		pf_hexfp(st, sp, &v);
	else
		pf_decfp(st, sp, &v);
}

