/*
 * fpdec.c - the exact decimal expansion of m * 2^e, one digit at a time.
 *
 * Every binary floating-point value has a finite decimal expansion, and
 * glibc prints it exactly (printf("%.30f", 0.1) shows the digits of the
 * double nearest 0.1, not zeros), so printf needs every digit; strtod needs
 * them too, to tell on which side of a halfway point a long input lies.
 *
 * An integer (e >= 0) is converted whole into base 1e9 limbs and read from
 * the top.  A fraction r / 2^k is read nine digits at a time: since
 * 10^9 = 5^9 * 2^9, multiplying r by 5^9 and taking 9 off k leaves the next
 * nine digits above bit k and the rest of the fraction below it, so r never
 * grows past k bits.  Trailing zero bits are stripped first: r is then odd,
 * and the fraction has exactly k decimal places.  So the number of
 * significant digits is known before the first one is handed out, which is
 * how callers learn whether anything nonzero follows the digits they read.
 */
#include "fpdec.h"

#define BASE 1000000000u	/* one limb of the integer: nine digits */
#define POW5_9 1953125u		/* 5^9: one fraction step */

static int digits_of(uint32_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Load v (< 1e9) as the current group: its last n digits, leading zeros kept. */
static void chunk_set(struct fpdec *d, uint32_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		d->chunk[i] = (char)(v % 10);
		v /= 10;
	}
	d->cpos = 0;
	d->clen = n;
}

/* m in base 1e9, least significant limb first; returns the limb count (0 for 0). */
static int to_base1e9(unsigned __int128 m, uint32_t *out)
{
	int n = 0;

	/* Long division by 1e9 on 32-bit pieces: no 128-bit divide (libgcc's
	 * __udivti3 is not in the kernel). */
	while (m) {
		uint64_t rem = 0;
		unsigned __int128 q = 0;

		for (int i = 3; i >= 0; i--) {
			uint64_t cur = rem << 32 | (uint32_t)(m >> (32 * i));

			q |= (unsigned __int128)(cur / BASE) << (32 * i);
			rem = cur % BASE;
		}
		out[n++] = (uint32_t)rem;
		m = q;
	}
	return n;
}

/* e >= 0: the whole value is an integer, built in base 1e9 as m shifted left. */
static void int_init(struct fpdec *d, unsigned __int128 m, int e)
{
	int total, low, tz;
	uint32_t v;

	d->nw = to_base1e9(m, d->w);
	while (e > 0) {
		/* A limb is below 2^30, so a 32-bit shift plus carry fits 64 bits. */
		int s = e < 32 ? e : 32;
		uint64_t carry = 0;

		for (int i = 0; i < d->nw; i++) {
			uint64_t t = ((uint64_t)d->w[i] << s) + carry;

			d->w[i] = (uint32_t)(t % BASE);
			carry = t / BASE;
		}
		for (; carry; carry /= BASE)
			d->w[d->nw++] = (uint32_t)(carry % BASE);
		e -= s;
	}
	total = digits_of(d->w[d->nw - 1]) + 9 * (d->nw - 1);
	for (low = 0; !d->w[low]; low++)
		;
	for (tz = 0, v = d->w[low]; v % 10 == 0; v /= 10)
		tz++;
	d->exp10 = total;
	d->sig = total - 9 * low - tz;
	d->top = d->nw;
	fpdec_rewind(d);
}

/* Fraction mode: the next nine digits of w / 2^k. */
static uint32_t frac_step(struct fpdec *d)
{
	uint64_t carry = 0, two;
	uint32_t c;
	int li, off;

	if (d->k <= 9) {
		/* r < 2^k <= 2^9: r * 10^9 / 2^k is a whole number; nothing is left. */
		c = d->nw ? (uint32_t)(((uint64_t)d->w[0] * POW5_9) << (9 - d->k)) : 0;
		d->nw = 0;
		d->k = 0;
		return c;
	}
	for (int i = 0; i < d->nw; i++) {
		uint64_t t = (uint64_t)d->w[i] * POW5_9 + carry;

		d->w[i] = (uint32_t)t;
		carry = t >> 32;
	}
	if (carry)
		d->w[d->nw++] = (uint32_t)carry;
	d->k -= 9;
	/* The product is below 2^(k + 30): the digits sit in bits k..k+29. */
	li = d->k / 32;
	off = d->k % 32;
	two = li < d->nw ? d->w[li] : 0;
	if (li + 1 < d->nw)
		two |= (uint64_t)d->w[li + 1] << 32;
	c = (uint32_t)(two >> off);
	if (li < d->nw) {
		d->w[li] &= (1u << off) - 1;
		d->nw = li + 1;
	}
	while (d->nw && !d->w[d->nw - 1])
		d->nw--;
	return c;
}

/* e < 0: an integer part of at most 39 digits, then a fraction of k places. */
static void frac_init(struct fpdec *d, unsigned __int128 m, int k)
{
	unsigned __int128 r = m;
	int lz = 0, n;
	uint32_t c;

	if (k < 128)
		r &= ((unsigned __int128)1 << k) - 1;
	d->frac = true;
	d->k = k;
	for (d->nw = 0; r; r >>= 32)
		d->w[d->nw++] = (uint32_t)r;
	d->nip = to_base1e9(k < 128 ? m >> k : 0, d->ip);
	if (d->nip) {
		n = digits_of(d->ip[d->nip - 1]) + 9 * (d->nip - 1);
		d->exp10 = n;
		d->sig = n + k;
		d->nip--;
		chunk_set(d, d->ip[d->nip], digits_of(d->ip[d->nip]));
		return;
	}
	/* Below 1: skip the zeros after the point (4950 of them for LDBL_TRUE_MIN). */
	while ((c = frac_step(d)) == 0)
		lz += 9;
	n = digits_of(c);
	lz += 9 - n;
	d->exp10 = -lz;
	d->sig = k - lz;
	chunk_set(d, c, n);
}

void fpdec_init(struct fpdec *d, unsigned __int128 m, int e)
{
	d->frac = false;
	d->nip = 0;
	d->pos = 0;
	/* Strip trailing zero bits so a fraction's numerator is odd. */
	while (e < 0 && !(m & 1)) {
		m >>= 1;
		e++;
	}
	if (e >= 0)
		int_init(d, m, e);
	else
		frac_init(d, m, -e);
}

bool fpdec_rewind(struct fpdec *d)
{
	/* Reading an integer leaves its limbs alone; reading a fraction does not. */
	if (d->frac)
		return false;
	d->pos = 0;
	d->nw = d->top - 1;
	chunk_set(d, d->w[d->nw], digits_of(d->w[d->nw]));
	return true;
}

int fpdec_next(struct fpdec *d)
{
	if (d->pos >= d->sig)
		return 0;
	if (d->cpos == d->clen) {
		if (!d->frac) {
			d->nw--;
			chunk_set(d, d->w[d->nw], 9);
		} else if (d->nip) {
			d->nip--;
			chunk_set(d, d->ip[d->nip], 9);
		} else {
			chunk_set(d, frac_step(d), 9);
		}
	}
	d->pos++;
	return d->chunk[d->cpos++];
}
