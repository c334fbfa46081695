/*
 * fmt.c - the kernel's printf engine.
 *
 * fmt_vformat() walks the format string: literal text goes straight to the
 * output callback; each conversion is parsed (flags, width, precision,
 * length) and rendered by fmt_int() or as a plain string, and every piece
 * ends up in fmt_field(), which lays out padding, prefix, zeros and body.
 * kvsnprintf() is the same engine with a callback that fills a bounded
 * buffer, so consoles and logs share one formatter.
 *
 * No floating point: the kernel is built with -mgeneral-regs-only.  A
 * conversion this engine does not know (%f, %n, ...) is printed as written
 * and consumes no argument, so the mistake shows in the output and the
 * remaining arguments still line up with their conversions.
 */
#include <stdbool.h>
#include <stdint.h>
#include <krt/fmt.h>
#include <krt/string.h>

/* Flag bits in the order of fmt_flag_chars. */
enum { FMT_LEFT = 1, FMT_ZERO = 2, FMT_PLUS = 4, FMT_SPACE = 8, FMT_ALT = 16 };
static const char fmt_flag_chars[] = "-0+ #";

struct fmt_state {
	fmt_out_fn out;
	void *ctx;
	size_t n;		/* characters produced so far */
};

struct fmt_spec {
	unsigned int flags;
	size_t width;
	int prec;		/* -1: none given */
};

static void fmt_put(struct fmt_state *st, const char *s, size_t n)
{
	if (n) {
		st->out(st->ctx, s, n);
		st->n += n;
	}
}

static void fmt_pad(struct fmt_state *st, char c, size_t n)
{
	static const char spaces[] = "                ", zeros[] = "0000000000000000";

	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		fmt_put(st, c == '0' ? zeros : spaces, k);
		n -= k;
	}
}

/* Lay out [spaces][pre][zeros][body][spaces]; width padding is zeros only with '0' and no '-'. */
static void fmt_field(struct fmt_state *st, const struct fmt_spec *sp, const char *pre,
		      size_t npre, size_t nzero, const char *body, size_t nbody)
{
	size_t len = npre + nzero + nbody;
	size_t pad = sp->width > len ? sp->width - len : 0;
	bool zero_pad = (sp->flags & (FMT_ZERO | FMT_LEFT)) == FMT_ZERO;

	if (!(sp->flags & FMT_LEFT) && !zero_pad)
		fmt_pad(st, ' ', pad);
	fmt_put(st, pre, npre);
	fmt_pad(st, '0', nzero + (zero_pad ? pad : 0));
	fmt_put(st, body, nbody);
	if (sp->flags & FMT_LEFT)
		fmt_pad(st, ' ', pad);
}

/* u is the magnitude; neg is only ever set for %d/%i. */
static void fmt_int(struct fmt_state *st, struct fmt_spec *sp, char conv,
		    unsigned long long u, bool neg)
{
	const char *xdigits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int base = conv == 'o' ? 8 : conv == 'd' || conv == 'i' || conv == 'u' ? 10 : 16;
	char digits[24], pre[3];	/* 22 octal digits hold 64 bits */
	size_t nd = 0, np = 0, nzero, prec = 1;
	bool nonzero = u != 0;

	for (; u; u /= base)
		digits[sizeof(digits) - ++nd] = xdigits[u % base];
	/* C99: with a precision the '0' flag is ignored, and 0 with precision 0 prints nothing. */
	if (sp->prec >= 0) {
		prec = sp->prec;
		sp->flags &= ~FMT_ZERO;
	}
	nzero = prec > nd ? prec - nd : 0;
	if (neg)
		pre[np++] = '-';
	else if ((conv == 'd' || conv == 'i') && (sp->flags & (FMT_PLUS | FMT_SPACE)))
		pre[np++] = sp->flags & FMT_PLUS ? '+' : ' ';
	if (sp->flags & FMT_ALT) {
		if (base == 8 && !nzero)	/* '#' makes the first octal digit a 0 */
			nzero = 1;
		if (base == 16 && nonzero) {
			pre[np++] = '0';
			pre[np++] = conv == 'X' ? 'X' : 'x';
		}
	}
	fmt_field(st, sp, pre, np, nzero, digits + sizeof(digits) - nd, nd);
}

/* Decimal width or precision; saturates instead of overflowing. */
static int fmt_num(const char **f)
{
	int v = 0;

	for (; **f >= '0' && **f <= '9'; (*f)++)
		v = v > (__INT_MAX__ - 9) / 10 ? __INT_MAX__ : v * 10 + (**f - '0');
	return v;
}

int fmt_vformat(fmt_out_fn out, void *ctx, const char *f, va_list ap)
{
	struct fmt_state st = { out, ctx, 0 };

	while (*f) {
		const char *start = f, *p;
		struct fmt_spec sp = { 0, 0, -1 };
		char len = 0, conv;
		unsigned long long u;
		const char *s;

		if (*f != '%') {
			while (*f && *f != '%')
				f++;
			fmt_put(&st, start, f - start);
			continue;
		}
		for (f++; *f && (p = strchr(fmt_flag_chars, *f)); f++)
			sp.flags |= 1u << (p - fmt_flag_chars);
		if (*f == '*') {
			int w = va_arg(ap, int);

			f++;
			if (w < 0)
				sp.flags |= FMT_LEFT;
			sp.width = w < 0 ? -(unsigned int)w : (unsigned int)w;
		} else {
			sp.width = fmt_num(&f);
		}
		if (*f == '.') {
			f++;
			if (*f == '*') {
				int pr = va_arg(ap, int);

				f++;
				sp.prec = pr < 0 ? -1 : pr;	/* negative means none */
			} else {
				sp.prec = fmt_num(&f);
			}
		}
		/* Length: 'H' stands for hh and 'L' for ll. */
		if (*f == 'h' || *f == 'l') {
			len = *f++;
			if (*f == len) {
				len = len == 'h' ? 'H' : 'L';
				f++;
			}
		} else if (*f == 'z' || *f == 't' || *f == 'j') {
			len = *f++;
		}

		switch (conv = *f) {
		case '%':
			fmt_put(&st, "%", 1);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			sp.flags &= FMT_LEFT;
			fmt_field(&st, &sp, NULL, 0, 0, &c, 1);
			break;
		}
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			/* strnlen: with a precision the string need not be terminated. */
			sp.flags &= FMT_LEFT;
			fmt_field(&st, &sp, NULL, 0, 0, s,
				  sp.prec >= 0 ? strnlen(s, sp.prec) : strlen(s));
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			if (!u) {	/* glibc's spelling */
				sp.flags &= FMT_LEFT;
				fmt_field(&st, &sp, NULL, 0, 0, "(nil)", 5);
				break;
			}
			sp.flags |= FMT_ALT;
			fmt_int(&st, &sp, 'x', u, false);
			break;
		case 'd': case 'i': {
			long long v;

			/* %zd takes the signed type of size_t's width: ptrdiff_t here. */
			switch (len) {
			case 'H': v = (signed char)va_arg(ap, int); break;
			case 'h': v = (short)va_arg(ap, int); break;
			case 'l': v = va_arg(ap, long); break;
			case 'L': v = va_arg(ap, long long); break;
			case 'z': case 't': v = va_arg(ap, ptrdiff_t); break;
			case 'j': v = va_arg(ap, intmax_t); break;
			default: v = va_arg(ap, int); break;
			}
			/* Negate in unsigned so LLONG_MIN has a magnitude. */
			fmt_int(&st, &sp, conv, v < 0 ? -(unsigned long long)v : (unsigned long long)v,
				v < 0);
			break;
		}
		case 'u': case 'x': case 'X': case 'o':
			switch (len) {
			case 'H': u = (unsigned char)va_arg(ap, unsigned int); break;
			case 'h': u = (unsigned short)va_arg(ap, unsigned int); break;
			case 'l': u = va_arg(ap, unsigned long); break;
			case 'L': u = va_arg(ap, unsigned long long); break;
			case 'z': case 't': u = va_arg(ap, size_t); break;
			case 'j': u = va_arg(ap, uintmax_t); break;
			default: u = va_arg(ap, unsigned int); break;
			}
			fmt_int(&st, &sp, conv, u, false);
			break;
		default:
			/* Unknown or truncated: print it as written, consume nothing. */
			fmt_put(&st, start, f - start + (*f != '\0'));
			break;
		}
		if (*f)
			f++;
	}
	/* Saturate so a caller's "n >= size" truncation test still holds. */
	return st.n > __INT_MAX__ ? __INT_MAX__ : (int)st.n;
}

struct fmt_buf {
	char *buf;
	size_t size, pos;	/* pos counts everything produced, stored or not */
};

static void fmt_buf_out(void *ctx, const char *s, size_t n)
{
	struct fmt_buf *b = ctx;

	if (b->pos + 1 < b->size) {
		size_t room = b->size - 1 - b->pos;

		memcpy(b->buf + b->pos, s, n < room ? n : room);
	}
	b->pos += n;
}

int kvsnprintf(char *buf, size_t size, const char *f, va_list ap)
{
	struct fmt_buf b = { buf, size, 0 };
	int n = fmt_vformat(fmt_buf_out, &b, f, ap);

	if (size)
		buf[b.pos < size - 1 ? b.pos : size - 1] = '\0';
	return n;
}

int ksnprintf(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = kvsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}
