/*
 * format.c - the one printf engine, for the kernel (ksnprintf, fmt.c) and
 * for the C library (snprintf, libc/printf.c); format.h says how their
 * rules differ.
 *
 * Under the C library's rules the output is glibc's, byte for byte, in the
 * C locale: a program TinyCC compiles inside the kernel is checked against
 * the same program built by gcc and run on glibc.  So this follows glibc
 * where C leaves room: "(nil)" for a null %p, and "+0x.." if '+' is given;
 * "(null)" for a null %s only if the precision leaves room for all of it,
 * else nothing; "ll" and 'L' as one modifier, so %Ld reads a long long
 * (and %llf a long double); '0' pads numbers only; %b; a conversion it
 * does not know printed back as written, its '*' arguments consumed; -1
 * with errno for a format that ends inside a conversion, a wide character
 * outside ASCII (the C locale's charset), or a count past INT_MAX; and the
 * quirks of glibc's slow path, which pf_conversion explains.  Not
 * supported: positional arguments (%1$d), and %m, for want of error texts
 * (it is printed as written).  The kernel's rules change only what glibc
 * fails on or writes through (%n): those print as written.
 *
 * No floating point here: the kernel is built with -mgeneral-regs-only.
 * %a/%e/%f/%g go to the rules' fp hook, which only the C library has
 * (libc/printf_fp.c).
 *
 * pf_format() parses each conversion into a pf_spec (format.h) and hands
 * it to pf_int, pf_str/pf_wstr, or the fp hook; pf_begin and pf_field lay
 * out the padding around the body.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <krt/string.h>
#include "format.h"

/* Linux's numbers: what glibc-built callers compare errno with. */
#define PF_EINVAL 22
#define PF_EOVERFLOW 75
#define PF_EILSEQ 84

/* ---- Output and padding ---- */

void pf_put(struct pf_state *st, const char *s, size_t n)
{
	if (n) {
		st->out(st->ctx, s, n);
		st->n += n;
	}
}

void pf_pad(struct pf_state *st, char c, size_t n)
{
	static const char spaces[] = "                                ";
	static const char zeros[] = "00000000000000000000000000000000";

	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		pf_put(st, c == '0' ? zeros : spaces, k);
		n -= k;
	}
}

/*
 * Write the left padding and the prefix (sign, 0x) of a field whose body
 * is len characters; the caller writes the body, then the returned number
 * of spaces.  Zeros pad between prefix and body, and only numbers get them.
 */
size_t pf_begin(struct pf_state *st, const struct pf_spec *sp, const char *pre,
		       size_t npre, size_t len, bool zero_ok)
{
	size_t total = npre + len;
	size_t pad = sp->width > total ? sp->width - total : 0;
	bool zero = zero_ok && (sp->flags & (F_ZERO | F_LEFT)) == F_ZERO;

	if (!(sp->flags & F_LEFT) && !zero)
		pf_pad(st, ' ', pad);
	pf_put(st, pre, npre);
	if (zero)
		pf_pad(st, '0', pad);
	return sp->flags & F_LEFT ? pad : 0;
}

void pf_field(struct pf_state *st, const struct pf_spec *sp, const char *pre,
		     size_t npre, size_t nzero, const char *body, size_t nbody, bool zero_ok)
{
	size_t rest = pf_begin(st, sp, pre, npre, nzero + nbody, zero_ok);

	pf_pad(st, '0', nzero);
	pf_put(st, body, nbody);
	pf_pad(st, ' ', rest);
}

size_t pf_decimal(char *out, unsigned int v, size_t min)
{
	char num[10];
	size_t k = 0, n = 0;

	do {
		num[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || k < min);
	while (k)
		out[n++] = num[--k];
	return n;
}

/* The sign glibc prints before a number: '-', or '+' or ' ' if asked. */
size_t pf_sign(char *pre, bool neg, unsigned int flags)
{
	if (neg)
		*pre = '-';
	else if (flags & F_PLUS)
		*pre = '+';
	else if (flags & F_SPACE)
		*pre = ' ';
	else
		return 0;
	return 1;
}

/* ---- Integers, characters, strings ---- */

/* u is the magnitude; sign is the character to put before it, or 0. */
static void pf_int(struct pf_state *st, const struct pf_spec *sp, unsigned long long u, char sign)
{
	const char *xd = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int base = sp->conv == 'o' ? 8 : sp->conv == 'x' || sp->conv == 'X' ? 16 :
			    sp->conv == 'b' || sp->conv == 'B' ? 2 : 10;
	char digits[64], pre[3];
	size_t nd = 0, np = 0, nzero, prec = sp->prec < 0 ? 1 : (size_t)sp->prec;
	bool nonzero = u != 0;

	for (; u; u /= base)
		digits[sizeof(digits) - ++nd] = xd[u % base];
	nzero = prec > nd ? prec - nd : 0;
	if (sign)
		pre[np++] = sign;
	if (sp->flags & F_ALT) {
		if (base == 8 && !nzero)	/* '#' makes the first octal digit a 0 */
			nzero = 1;
		if ((base == 16 || base == 2) && nonzero) {	/* 0x, 0X, 0b, 0B */
			pre[np++] = '0';
			pre[np++] = sp->conv;
		}
	}
	/* C99: with a precision the '0' flag is ignored. */
	pf_field(st, sp, pre, np, nzero, digits + sizeof(digits) - nd, nd, sp->prec < 0);
}

/* glibc's text for a null %s: all of "(null)", or nothing if it would be cut. */
static const char *pf_null_str(const struct pf_spec *sp)
{
	return sp->prec < 0 || sp->prec >= 6 ? "(null)" : "";
}

static void pf_str(struct pf_state *st, const struct pf_spec *sp, const char *s)
{
	if (!s)
		s = st->r->glibc ? pf_null_str(sp) : "(null)";
	/* strnlen: with a precision the string need not be terminated. */
	pf_field(st, sp, NULL, 0, 0, s, sp->prec >= 0 ? strnlen(s, sp->prec) : strlen(s), false);
}

/*
 * %ls and %lc: the C locale's charset is ASCII, so glibc refuses anything
 * else with EILSEQ, before writing any of the string.
 */
static void pf_wstr(struct pf_state *st, const struct pf_spec *sp, const __WCHAR_TYPE__ *ws,
		    size_t max)
{
	char buf[32];
	size_t n = 0, rest;

	if (!ws) {
		pf_str(st, sp, NULL);
		return;
	}
	for (; n < max && ws[n]; n++) {
		if ((unsigned int)ws[n] > 0x7f) {
			st->err = PF_EILSEQ;
			return;
		}
	}
	rest = pf_begin(st, sp, NULL, 0, n, false);
	for (size_t i = 0; i < n; i += sizeof(buf)) {
		size_t k = n - i < sizeof(buf) ? n - i : sizeof(buf);

		for (size_t j = 0; j < k; j++)
			buf[j] = (char)ws[i + j];
		pf_put(st, buf, k);
	}
	pf_pad(st, ' ', rest);
}

static void pf_wchar(struct pf_state *st, const struct pf_spec *sp, unsigned int wc)
{
	char c = (char)wc;	/* a NUL included: it is a character here */

	if (wc > 0x7f)
		st->err = PF_EILSEQ;
	else
		pf_field(st, sp, NULL, 0, 0, &c, 1, false);
}

/* ---- The conversion loop ---- */

/* A decimal width or precision; false if it passes INT_MAX (glibc: EOVERFLOW). */
static bool pf_num(const char **f, int *out)
{
	long long v = 0;

	for (; **f >= '0' && **f <= '9'; (*f)++) {
		v = v * 10 + (**f - '0');
		if (v > __INT_MAX__)
			return false;
	}
	*out = (int)v;
	return true;
}

static bool pf_parse(const char **fp, struct pf_spec *sp, va_list *ap)
{
	static const char flag_chars[] = "-+ #0'I";
	const char *f = *fp, *p;
	int w;

	for (; *f && (p = strchr(flag_chars, *f)); f++)
		sp->flags |= 1u << (p - flag_chars);
	if (sp->flags & F_LEFT)
		sp->flags &= ~F_ZERO;
	if (*f == '*') {
		w = va_arg(*ap, int);
		f++;
		if (w < 0) {	/* means '-'; see pf_conversion for '0' */
			sp->flags |= F_LEFT;
			sp->star_left = true;
		}
		sp->width = w < 0 ? -(unsigned int)w : (unsigned int)w;
	} else if (!pf_num(&f, &w)) {
		return false;
	} else {
		sp->width = (unsigned int)w;
	}
	if (*f == '.') {
		f++;
		if (*f == '*') {
			int pr = va_arg(*ap, int);

			f++;
			sp->prec = pr < 0 ? -1 : pr;	/* negative means none */
		} else if (!pf_num(&f, &sp->prec)) {
			return false;
		}
	}
	/* glibc's modifiers: z, t and j are long here; for 'L' and 'q' see pf_conversion. */
	switch (*f) {
	case 'h':
		if (*++f == 'h') {
			f++;
			sp->hh = true;
		} else {
			sp->h = true;
		}
		break;
	case 'l':
		sp->l = true;
		if (*++f == 'l') {
			f++;
			sp->ll = true;
		}
		break;
	case 'L': case 'q':
		f++;
		sp->ll = true;
		sp->big = true;
		break;
	case 'z': case 'Z': case 't': case 'j':
		f++;
		sp->l = true;
		break;
	}
	sp->conv = *f;
	*fp = f;
	return true;
}

/* glibc prints a conversion it does not know back as written, flags in its own order. */
static void pf_unknown(struct pf_state *st, const struct pf_spec *sp)
{
	char buf[40];
	size_t n = 0;
	unsigned int fl = sp->flags;

	buf[n++] = '%';
	if (fl & F_ALT)
		buf[n++] = '#';
	if (fl & F_GROUP)
		buf[n++] = '\'';
	if (fl & (F_PLUS | F_SPACE))
		buf[n++] = fl & F_PLUS ? '+' : ' ';
	if (fl & F_LEFT)
		buf[n++] = '-';
	if (fl & F_ZERO)
		buf[n++] = '0';
	if (fl & F_I18N)
		buf[n++] = 'I';
	for (int pass = 0; pass < 2; pass++) {
		unsigned int v = pass ? (unsigned int)sp->prec : sp->width;

		if (pass ? sp->prec < 0 : v == 0)
			continue;
		if (pass)
			buf[n++] = '.';
		n += pf_decimal(buf + n, v, 1);
	}
	if (sp->conv)
		buf[n++] = sp->conv;
	pf_put(st, buf, n);
}

static void pf_signed(struct pf_state *st, const struct pf_spec *sp, va_list *ap)
{
	long long v;

	if (sp->ll)
		v = va_arg(*ap, long long);
	else if (sp->l)
		v = va_arg(*ap, long);
	else if (sp->hh)
		v = (signed char)va_arg(*ap, int);
	else if (sp->h)
		v = (short)va_arg(*ap, int);
	else
		v = va_arg(*ap, int);
	if (sp->ll && !sp->l)	/* 'L' or 'q' on glibc's slow path: only an int's worth */
		v = (int)v;
	/* Negate in unsigned so LLONG_MIN has a magnitude. */
	pf_int(st, sp, v < 0 ? -(unsigned long long)v : (unsigned long long)v,
	       v < 0 ? '-' : sp->flags & F_PLUS ? '+' : sp->flags & F_SPACE ? ' ' : 0);
}

static void pf_unsigned(struct pf_state *st, const struct pf_spec *sp, va_list *ap)
{
	unsigned long long u;

	if (sp->ll)
		u = va_arg(*ap, unsigned long long);
	else if (sp->l)
		u = va_arg(*ap, unsigned long);
	else if (sp->hh)
		u = (unsigned char)va_arg(*ap, unsigned int);
	else if (sp->h)
		u = (unsigned short)va_arg(*ap, unsigned int);
	else
		u = va_arg(*ap, unsigned int);
	if (sp->ll && !sp->l)
		u = (unsigned int)u;
	pf_int(st, sp, u, 0);	/* '+' and ' ' are for signed conversions */
}

/* glibc: %#lx for a pointer, keeping '+' and ' '; "(nil)" for NULL, never cut short. */
static void pf_pointer(struct pf_state *st, struct pf_spec *sp, va_list *ap)
{
	void *p = va_arg(*ap, void *);

	if (!p) {
		pf_field(st, sp, NULL, 0, 0, "(nil)", 5, false);
		return;
	}
	sp->conv = 'x';
	sp->flags |= F_ALT;
	pf_int(st, sp, (uintptr_t)p, sp->flags & F_PLUS ? '+' : sp->flags & F_SPACE ? ' ' : 0);
}

static void pf_count(struct pf_state *st, const struct pf_spec *sp, va_list *ap)
{
	void *p = va_arg(*ap, void *);

	if (sp->ll && sp->l)
		*(long long *)p = (long long)st->n;
	else if (sp->l)
		*(long *)p = (long)st->n;
	else if (sp->hh)
		*(signed char *)p = (signed char)st->n;
	else if (sp->h)
		*(short *)p = (short)st->n;
	else
		*(int *)p = (int)st->n;
}

/*
 * glibc formats on a fast path until a conversion it does not know, or 'h'
 * on a floating-point, character, string or pointer conversion; from there
 * on (that conversion included) it follows its positional-argument code,
 * whose rules differ: 'L' and 'q' are "ll" on the fast path, but on the
 * slow one they leave %s and %c narrow and make %d and %n int-sized (the
 * argument is still read whole); a negative '*' width there keeps the '0'
 * flag, which %e/%f/%g then honour with zeros after the number; and a
 * format ending inside a conversion is printed as written instead of
 * failing.  Track the switch.
 */
static bool pf_leaves_fast_path(const struct pf_spec *sp)
{
	switch (sp->conv) {
	case '%': case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'b': case 'B':
	case 'n':
		return false;
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
	case 'c': case 's': case 'S': case 'p': case 'C':
		return sp->h;
	default:
		return true;
	}
}

static void pf_text(struct pf_state *st, struct pf_spec *sp, va_list *ap)
{
	char c;

	if (sp->conv == 'C' || sp->conv == 'S') {	/* %lc and %ls */
		sp->conv |= 0x20;
		sp->l = true;
	}
	if (sp->conv == 's' && sp->l) {
		pf_wstr(st, sp, va_arg(*ap, const __WCHAR_TYPE__ *),
			sp->prec < 0 ? (size_t)-1 : (size_t)sp->prec);
	} else if (sp->conv == 's') {
		pf_str(st, sp, va_arg(*ap, const char *));
	} else if (sp->l) {
		pf_wchar(st, sp, va_arg(*ap, unsigned int));
	} else {
		c = (char)va_arg(*ap, int);
		pf_field(st, sp, NULL, 0, 0, &c, 1, false);
	}
}

/* The kernel's answer to what glibc fails on or writes through: the text as written. */
static const char *pf_as_written(struct pf_state *st, const char *start, const char *end)
{
	pf_put(st, start, end - start);
	return end;
}

/* One conversion; f points at its '%'.  Returns where the literal text resumes. */
static const char *pf_conversion(struct pf_state *st, const char *f, va_list *ap)
{
	const char *start = f;
	bool glibc = st->r->glibc;
	struct pf_spec sp = { .prec = -1 };

	f++;
	if (!pf_parse(&f, &sp, ap)) {
		if (!glibc)
			return pf_as_written(st, start, f);
		st->err = PF_EOVERFLOW;
		return f;
	}
	if (!sp.conv && !(st->slow && glibc)) {
		if (!glibc)
			return pf_as_written(st, start, f);
		st->err = PF_EINVAL;	/* the format ended inside the conversion */
		return f;
	}
	st->slow = st->slow || pf_leaves_fast_path(&sp);
	sp.l = sp.l || (sp.big && !st->slow);
	if (sp.star_left && !st->slow)
		sp.flags &= ~F_ZERO;
	switch (sp.conv) {
	case '%':
		pf_put(st, "%", 1);	/* glibc ignores flags and width here */
		break;
	case 'd': case 'i':
		pf_signed(st, &sp, ap);
		break;
	case 'u': case 'o': case 'x': case 'X': case 'b': case 'B':
		pf_unsigned(st, &sp, ap);
		break;
	case 'c': case 's': case 'C': case 'S':
		pf_text(st, &sp, ap);
		break;
	case 'p':
		pf_pointer(st, &sp, ap);
		break;
	case 'n':
		if (!glibc)
			return pf_as_written(st, start, f + 1);
		pf_count(st, &sp, ap);
		break;
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
		if (!st->r->fp)
			return pf_as_written(st, start, f + 1);
		st->r->fp(st, &sp, ap);
		break;
	default:
		if (!glibc)
			return pf_as_written(st, start, f + 1);
		pf_unknown(st, &sp);
		break;
	}
	if (st->err && !glibc) {	/* %lc/%ls outside ASCII: refused before any output */
		st->err = 0;
		return pf_as_written(st, start, f + 1);
	}
	return sp.conv ? f + 1 : f;
}

int pf_format(const struct pf_rules *r, void (*out)(void *ctx, const char *s, size_t n),
	      void *ctx, const char *fmt, va_list ap)
{
	struct pf_state st = { .r = r, .out = out, .ctx = ctx };
	va_list aq;

	/* A copy, so helpers can take va_arg through a pointer to it. */
	va_copy(aq, ap);
	while (*fmt && !st.err) {
		const char *start = fmt;

		if (*fmt == '%') {
			fmt = pf_conversion(&st, fmt, &aq);
			continue;
		}
		while (*fmt && *fmt != '%')
			fmt++;
		pf_put(&st, start, fmt - start);
	}
	va_end(aq);
	if (st.err)
		return -st.err;
	if (st.n > __INT_MAX__)	/* the kernel saturates, so "n >= size" still means cut */
		return r->glibc ? -PF_EOVERFLOW : __INT_MAX__;
	return (int)st.n;
}

/* ---- Into a buffer ---- */

struct pf_buf {
	char *buf;
	size_t size, pos;	/* pos counts everything produced, stored or not */
};

static void pf_buf_out(void *ctx, const char *s, size_t n)
{
	struct pf_buf *b = ctx;

	if (b->pos + 1 < b->size) {
		size_t room = b->size - 1 - b->pos;

		memcpy(b->buf + b->pos, s, n < room ? n : room);
	}
	b->pos += n;
}

int pf_format_buf(const struct pf_rules *r, char *buf, size_t size, const char *fmt, va_list ap)
{
	struct pf_buf b = { buf, size, 0 };
	int n = pf_format(r, pf_buf_out, &b, fmt, ap);

	if (size)
		buf[b.pos < size - 1 ? b.pos : size - 1] = '\0';
	return n;
}
