/*
 * scanf.c - sscanf and vsscanf, and the __isoc99_ names glibc's headers
 * turn them into (Debian's libtcc.a parses its version string "0.9.27"
 * with __isoc99_sscanf).
 *
 * It follows glibc's scanner step for step, since programs are compared
 * with glibc builds: which characters each conversion consumes (also on
 * failure), where a field width cuts, and the return value.  That value
 * counts assignments (not %n, not suppressed ones); it is EOF if the input
 * ran out (an input failure) before any assignment, and the count so far
 * on a mismatch (a matching failure).  Supported: the conversions
 * d i u o x X p c s [ n % e f g a E F G A (and C, S), '*', widths, %N$
 * positional arguments, and the length modifiers hh h l ll L q j z t.
 * Like glibc in the C locale:
 *
 *   - white space in the format is skipped lazily, at the next directive;
 *   - "%0d" means no width, as glibc reads it;
 *   - integers wrap or saturate as glibc's strtol/strtoul do (and set
 *     ERANGE), then are truncated to the argument's size;
 *   - "0x" consumes the 'x' even with no hex digit after it;
 *   - %p reads what %lx does, or "(nil)";
 *   - a float is read by glibc's own grammar (so "1e" takes the 'e' and
 *     "infinit" is a mismatch), then converted by strtof/strtod/strtold;
 *   - %lc %ls %l[ store wchar_t; a byte over 0x7f is not a character in
 *     the C locale: EILSEQ, and %lc %ls end the scan there (see sink_put).
 *
 * Not supported: the 'm' (allocate) modifier, which gives a matching failure.
 */
#include <krt/libc.h>

#define END	(-1)	/* EOF: the input's terminator was reached */
#define EILSEQ_	84	/* Linux's EILSEQ */
#define ENOMEM_	12	/* Linux's ENOMEM */

/* Length modifiers and '*', as glibc's flag bits. */
enum {
	SUPPRESS = 1 << 0,	/* '*' */
	CHAR = 1 << 1,		/* hh */
	SHORT = 1 << 2,		/* h */
	LONG = 1 << 3,		/* l j z t; %lc %ls: wide */
	LONGDBL = 1 << 4,	/* ll L q: long long, long double */
	POINTER = 1 << 5,	/* %p */
};

/* How a conversion ended. */
enum status {
	DONE,		/* matched; scanning goes on */
	INPUT_FAIL,	/* input ran out: EOF if nothing was assigned yet */
	MATCH_FAIL,	/* mismatch: the count of assignments so far */
	FATAL,		/* the count so far (bad byte), or EOF (no memory) */
};

struct spec {
	int flags;
	int width;	/* -1: none */
	unsigned argpos;	/* %N$, or 0 */
	int conv;
};

struct scanner {
	const unsigned char *start, *p;	/* the input, and the next byte */
	va_list args;	/* the next argument */
	va_list first;	/* the first one, for %N$ */
	int done;	/* assignments made */
	int result_if_fatal;
	int at_end;	/* the terminator has been read */
	int end_errno;	/* errno when it was */
};

/*
 * The next input byte, or END.  Reading past the end again puts back the
 * errno of the first time, as glibc's inchar() does: so an ERANGE from a
 * conversion that ended the input is undone by any later attempt to read.
 */
static int get(struct scanner *s)
{
	if (*s->p)
		return *s->p++;
	if (s->at_end) {
		errno = s->end_errno;
	} else {
		s->at_end = 1;
		s->end_errno = errno;
	}
	return END;
}

static void unget(struct scanner *s, int c)
{
	if (c != END)
		s->p--;
}

static int is_space(int c)
{
	return c == ' ' || (unsigned)c - '\t' < 5;
}

static int is_digit(int c)
{
	return (unsigned)c - '0' < 10;
}

static int lower(int c)
{
	return (unsigned)c - 'A' < 26 ? c + ('a' - 'A') : c;
}

/* Digit value in any base up to 16; 16 for anything else. */
static unsigned hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if ((unsigned)lower(c) - 'a' < 6)
		return lower(c) - 'a' + 10;
	return 16;
}

/* The argument for this conversion: the next one, or the N-th for %N$. */
static void *arg(struct scanner *s, unsigned argpos)
{
	va_list ap;
	void *p;

	if (!argpos)
		return va_arg(s->args, void *);
	va_copy(ap, s->first);
	while (--argpos)
		(void)va_arg(ap, void *);
	p = va_arg(ap, void *);
	va_end(ap);
	return p;
}

/* Store an integer in the size the modifiers name (glibc's order of tests). */
static void store_int(void *dst, int flags, unsigned long long v)
{
	if (flags & (LONG | LONGDBL))
		*(unsigned long long *)dst = v;
	else if (flags & SHORT)
		*(unsigned short *)dst = (unsigned short)v;
	else if (!(flags & CHAR))
		*(unsigned *)dst = (unsigned)v;
	else
		*(unsigned char *)dst = (unsigned char)v;
}

/* A decimal number in the format; -1 (no limit) if it overflows an int. */
static int read_int(const unsigned char **f)
{
	int v = 0;

	for (; is_digit(**f); (*f)++)
		if (v >= 0)
			v = v > (__INT_MAX__ - (**f - '0')) / 10 ? -1 : v * 10 + (**f - '0');
	return v;
}

/* Parse "%[N$][*'I][width][modifier]conv" after the '%'. */
static void parse_spec(const unsigned char **fp, struct spec *sp)
{
	const unsigned char *f = *fp;

	sp->flags = 0;
	sp->argpos = 0;
	sp->width = 0;
	if (is_digit(*f)) {
		int n = read_int(&f);

		if (*f == '$') {
			f++;
			sp->argpos = (unsigned)n;
		} else {
			sp->width = n;
			goto got_width;	/* no flags after a width */
		}
	}
	for (; *f == '*' || *f == '\'' || *f == 'I'; f++)
		if (*f == '*')
			sp->flags |= SUPPRESS;	/* grouping and 'I' mean nothing in C */
	if (is_digit(*f))
		sp->width = read_int(&f);
got_width:
	if (sp->width == 0)
		sp->width = -1;
	switch (*f++) {
	case 'h':
		sp->flags |= *f == 'h' ? (f++, CHAR) : SHORT;
		break;
	case 'l':
		sp->flags |= *f == 'l' ? (f++, LONGDBL | LONG) : LONG;
		break;
	case 'q':
	case 'L':
		sp->flags |= LONGDBL | LONG;
		break;
	case 'j':
	case 'z':
	case 't':
		sp->flags |= LONG;	/* intmax_t, size_t, ptrdiff_t: 64 bits */
		break;
	default:
		f--;
		break;
	}
	sp->conv = *f;
	if (*f)
		f++;
	*fp = f;
}

/* Integers: %d %i %u %o %x %X %p. */
static enum status scan_int(struct scanner *s, const struct spec *sp, int base, int is_signed)
{
	int width = sp->width, neg = 0, sign = 0, digits = 0, overflow = 0;
	unsigned long long v = 0;
	unsigned d;
	int c = get(s);

	if (c == END)
		return INPUT_FAIL;
	if (c == '-' || c == '+') {
		neg = c == '-';
		sign = 1;
		if (width > 0)
			width--;
		c = get(s);
	}
	if (width != 0 && c == '0') {
		if (width > 0)
			width--;
		digits = 1;
		c = get(s);
		if (width != 0 && lower(c) == 'x') {
			if (base == 0)
				base = 16;
			if (base == 16) {	/* the 'x' is consumed even if no digit follows */
				if (width > 0)
					width--;
				c = get(s);
			}
		} else if (base == 0) {
			base = 8;
		}
	}
	if (base == 0)
		base = 10;
	for (; c != END && width != 0 && (d = hex_value(c)) < (unsigned)base; c = get(s)) {
		if (v > (~0ull - d) / base)
			overflow = 1;
		else
			v = v * base + d;
		digits = 1;
		if (width > 0)
			width--;
	}
	if (!digits) {
		/* %p also reads back the "(nil)" printf writes for NULL. */
		if (!((sp->flags & POINTER) && !sign && (width < 0 || width >= 5) && c == '(' &&
		      lower(c = get(s)) == 'n' && lower(c = get(s)) == 'i' &&
		      lower(c = get(s)) == 'l' && (c = get(s)) == ')')) {
			unget(s, c);
			return MATCH_FAIL;
		}
	} else {
		unget(s, c);
	}
	/* What glibc's strtol (signed) or strtoul would make of the digits. */
	if (is_signed && (overflow || v > (unsigned long long)__LONG_MAX__ + neg)) {
		errno = ERANGE;
		v = neg ? (unsigned long long)__LONG_MAX__ + 1 : __LONG_MAX__;
	} else if (overflow) {
		errno = ERANGE;
		v = ~0ull;
	} else if (neg) {
		v = 0 - v;
	}
	if (!(sp->flags & SUPPRESS)) {
		store_int(arg(s, sp->argpos), sp->flags, v);
		s->done++;
	}
	return DONE;
}

/* Where %c %s %[ store: bytes, or wchar_t with 'l'; nowhere with '*'. */
struct sink {
	int flags;
	int is_set;	/* %[ */
	char *bytes;
	wchar_t *wide;
};

static void sink_open(struct scanner *s, const struct spec *sp, struct sink *out, int is_set)
{
	void *dst = sp->flags & SUPPRESS ? NULL : arg(s, sp->argpos);

	out->flags = sp->flags;
	out->is_set = is_set;
	out->bytes = dst;
	out->wide = dst;
}

/*
 * One character.  For the wide forms only ASCII is a character in the C
 * locale, and glibc's mbrtowc fails on the rest: %lc and %ls then end the
 * scan, while %l[ sets EILSEQ, leaves that wchar_t unwritten and goes on
 * (and %*l[ converts nothing, so never fails).
 */
static enum status sink_put(struct scanner *s, struct sink *out, int c)
{
	if (!(out->flags & LONG)) {
		if (!(out->flags & SUPPRESS))
			*out->bytes++ = (char)c;
		return DONE;
	}
	if (out->is_set && (out->flags & SUPPRESS))
		return DONE;
	if (c <= 0x7f) {
		if (!(out->flags & SUPPRESS))
			*out->wide = c;
	} else {
		errno = EILSEQ_;
		if (!out->is_set) {
			s->result_if_fatal = s->done;
			return FATAL;
		}
	}
	if (!(out->flags & SUPPRESS))
		out->wide++;
	return DONE;
}

/* The end of a %c %s %[ conversion: terminate a string, count it. */
static void sink_close(struct scanner *s, struct sink *out, int terminate)
{
	if (out->flags & SUPPRESS)
		return;
	if (terminate && (out->flags & LONG))
		*out->wide = 0;
	else if (terminate)
		*out->bytes = 0;
	s->done++;
}

/* %c: width characters (1 by default), fewer if the input ends; no
 * terminator. */
static enum status scan_chars(struct scanner *s, const struct spec *sp)
{
	int width = sp->width < 0 ? 1 : sp->width;
	struct sink out;
	int c;

	sink_open(s, sp, &out, 0);
	c = get(s);
	if (c == END)
		return INPUT_FAIL;
	do {
		if (sink_put(s, &out, c) != DONE)
			return FATAL;
	} while (--width > 0 && (c = get(s)) != END);
	sink_close(s, &out, 0);
	return DONE;
}

/* %s: up to white space or width characters. */
static enum status scan_string(struct scanner *s, const struct spec *sp)
{
	int width = sp->width;
	struct sink out;
	int c;

	sink_open(s, sp, &out, 0);
	c = get(s);
	if (c == END)
		return INPUT_FAIL;
	do {
		if (is_space(c)) {
			unget(s, c);
			break;
		}
		if (sink_put(s, &out, c) != DONE)
			return FATAL;
	} while ((width <= 0 || --width > 0) && (c = get(s)) != END);
	sink_close(s, &out, 1);
	return DONE;
}

/*
 * %[set] and %[^set]: a ']' or '-' first is a member; "a-z" is a range
 * only if a <= z and it is not at the end.  *fp moves past the set.
 */
static enum status scan_set(struct scanner *s, const struct spec *sp, const unsigned char **fp)
{
	const unsigned char *f = *fp;
	unsigned char member[256] = { 0 };
	int width = sp->width < 0 ? __INT_MAX__ : sp->width;
	int not_in = 0, fc, c;
	const unsigned char *first;
	struct sink out;

	if (*f == '^') {
		f++;
		not_in = 1;
	}
	if (*f == ']' || *f == '-')
		member[*f++] = 1;
	while ((fc = *f++) != '\0' && fc != ']') {
		if (fc == '-' && *f != '\0' && *f != ']' && f[-2] <= *f)
			for (fc = f[-2]; fc < *f; fc++)
				member[fc] = 1;
		else
			member[fc] = 1;
	}
	*fp = f;
	if (fc == '\0')
		return MATCH_FAIL;	/* no closing ']' */
	sink_open(s, sp, &out, 1);
	first = s->p;
	c = get(s);
	if (c == END)
		return INPUT_FAIL;
	do {
		if (member[c] == not_in) {
			unget(s, c);
			break;
		}
		if (sink_put(s, &out, c) != DONE)
			return FATAL;
	} while (--width > 0 && (c = get(s)) != END);
	if (s->p == first)
		return MATCH_FAIL;
	sink_close(s, &out, 1);
	return DONE;
}

/* Consume one expected letter of "nan" or "infinity", any case. */
static int expect(struct scanner *s, int *width, int letter)
{
	int c;

	if (*width == 0 || (c = get(s)) == END || lower(c) != letter)
		return 0;
	if (*width > 0)
		(*width)--;
	return 1;
}

/*
 * Find the end of a floating-point number by glibc's rules, which accept
 * some text strtod then only partly converts ("1e", "1.5e+"): a sign;
 * "nan", "inf" or "infinity"; or digits (hex after "0x") with one '.',
 * then an exponent ('e', or 'p' for hex) with an optional sign.  Returns
 * MATCH_FAIL where glibc gives up before converting.
 */
static enum status float_text(struct scanner *s, int width)
{
	const unsigned char *start = s->p;
	int c = get(s), sign = 0, digit = 0, dot = 0, exp = 0, hex = 0, last = '0';
	int expch = 'e';

	if (width > 0)
		width--;
	if (c == END)
		return INPUT_FAIL;
	if (c == '-' || c == '+') {
		sign = 1;
		if (width == 0 || (c = get(s)) == END)
			return MATCH_FAIL;
		if (width > 0)
			width--;
	}
	if (lower(c) == 'n')
		return expect(s, &width, 'a') && expect(s, &width, 'n') ? DONE : MATCH_FAIL;
	if (lower(c) == 'i') {
		if (!expect(s, &width, 'n') || !expect(s, &width, 'f'))
			return MATCH_FAIL;
		if (width != 0 && (c = get(s)) != END) {
			if (lower(c) != 'i') {
				unget(s, c);
				return DONE;
			}
			if (width > 0)
				width--;
			if (!expect(s, &width, 'n') || !expect(s, &width, 'i') ||
			    !expect(s, &width, 't') || !expect(s, &width, 'y'))
				return MATCH_FAIL;
		}
		return DONE;
	}
	if (width != 0 && c == '0') {
		c = get(s);
		if (width > 0)
			width--;
		if (width != 0 && lower(c) == 'x') {
			hex = 1;
			expch = 'p';
			c = get(s);
			if (width > 0)
				width--;
		} else {
			digit = 1;
		}
	}
	for (;;) {
		if (is_digit(c) || (hex && !exp && hex_value(c) < 16)) {
			digit = 1;
		} else if (exp && lower(last) == expch && (c == '-' || c == '+')) {
			;	/* the exponent's sign */
		} else if (digit && !exp && lower(c) == expch) {
			exp = dot = 1;
		} else if (c == '.' && !dot) {
			dot = 1;
		} else {
			unget(s, c);
			break;
		}
		last = c;
		if (width == 0 || (c = get(s)) == END)
			break;
		if (width > 0)
			width--;
	}
	/* Nothing but a sign, or "0x" and no more, is not a number. */
	if (s->p - start == sign || (hex && s->p - start == 2 + sign))
		return MATCH_FAIL;
	return DONE;
}

/*
 * %e %f %g %a: convert text[0..len) with strtof/strtod/strtold.  Those
 * read until the number ends, which may be past the text glibc's grammar
 * took (a width, or "nan(...)"), so then they get a terminated copy.
 */
static enum status scan_float(struct scanner *s, const struct spec *sp)
{
	const unsigned char *text = s->p;
	enum status st;
	size_t len;
	char small[64], *copy = NULL;
	const char *from;
	char *end;
	int flags = sp->flags, saved_errno;
	long double ld = 0;
	double d = 0;
	float fl = 0;

	/* Leading white space is gone already: the text starts here. */
	st = float_text(s, sp->width);
	if (st != DONE)
		return st;
	len = s->p - text;
	from = (const char *)text;
	saved_errno = errno;
	for (int pass = 0; pass < 2; pass++) {
		if (flags & LONGDBL)
			ld = strtold(from, &end);
		else if (flags & LONG)
			d = strtod(from, &end);
		else
			fl = strtof(from, &end);
		if ((size_t)(end - from) <= len)
			break;
		/* strtod read on: convert a copy of just the text, as if the
		 * first try (and any ERANGE it set) had not happened. */
		errno = saved_errno;
		copy = len < sizeof(small) ? small : malloc(len + 1);
		if (!copy) {
			errno = ENOMEM_;
			s->result_if_fatal = END;
			return FATAL;
		}
		memcpy(copy, text, len);
		copy[len] = '\0';
		from = copy;
	}
	if (copy && copy != small)
		free(copy);
	if (end == from)
		return MATCH_FAIL;
	if (flags & SUPPRESS)
		return DONE;
	if (flags & LONGDBL)
		*(long double *)arg(s, sp->argpos) = ld;
	else if (flags & LONG)
		*(double *)arg(s, sp->argpos) = d;
	else
		*(float *)arg(s, sp->argpos) = fl;
	s->done++;
	return DONE;
}

/* %n: what has been consumed so far; not an assignment in the count. */
static void scan_count(struct scanner *s, const struct spec *sp)
{
	if (!(sp->flags & SUPPRESS))
		store_int(arg(s, sp->argpos), sp->flags, (unsigned long long)(s->p - s->start));
}

/* A literal "%": white space before it was skipped already. */
static enum status scan_percent(struct scanner *s)
{
	int c = get(s);

	if (c == END)
		return INPUT_FAIL;
	if (c != '%') {
		unget(s, c);
		return MATCH_FAIL;
	}
	return DONE;
}

static enum status convert(struct scanner *s, struct spec *sp, const unsigned char **f)
{
	switch (sp->conv) {
	case '%':
		return scan_percent(s);
	case 'n':
		scan_count(s, sp);
		return DONE;
	case 'C':
		sp->flags |= LONG;
		/* fall through */
	case 'c':
		return scan_chars(s, sp);
	case 'S':
		sp->flags |= LONG;
		/* fall through */
	case 's':
		return scan_string(s, sp);
	case '[':
		return scan_set(s, sp, f);
	case 'd':
		return scan_int(s, sp, 10, 1);
	case 'i':
		return scan_int(s, sp, 0, 1);
	case 'u':
		return scan_int(s, sp, 10, 0);
	case 'o':
		return scan_int(s, sp, 8, 0);
	case 'x':
	case 'X':
		return scan_int(s, sp, 16, 0);
	case 'p':
		/* A pointer is a long, whatever the modifiers said. */
		sp->flags = (sp->flags & ~(SHORT | LONGDBL)) | LONG | POINTER;
		return scan_int(s, sp, 16, 0);
	case 'e': case 'E': case 'f': case 'F':
	case 'g': case 'G': case 'a': case 'A':
		return scan_float(s, sp);
	default:
		return MATCH_FAIL;	/* also the format ending after '%' */
	}
}

/* Skip input white space; the byte after it stays unread.  glibc does not
 * try once the input has ended, and runs this with errno 0, restoring it
 * after (which matters to get()). */
static void skip_input_space(struct scanner *s)
{
	int c, saved = errno;

	if (s->at_end)
		return;
	errno = 0;
	while (is_space(c = get(s)))
		;
	unget(s, c);
	errno = saved;
}

/* A byte of the format other than '%' or white space: it must come next
 * (after any white space the format asked to skip). */
static enum status match_literal(struct scanner *s, int fc, int skip_space)
{
	int c = get(s);

	if (c == END)
		return INPUT_FAIL;
	if (skip_space)
		while (is_space(c))
			if ((c = get(s)) == END)
				return INPUT_FAIL;
	if (c != fc) {
		unget(s, c);
		return MATCH_FAIL;
	}
	return DONE;
}

static int scan(struct scanner *s, const unsigned char *f)
{
	int skip_space = 0;
	enum status st;
	struct spec sp;

	while (*f) {
		if (*f != '%') {
			/* glibc asks mbrlen about a non-ASCII format byte, which
			 * in the C locale fails with EILSEQ; the byte is then
			 * matched as itself. */
			if (*f > 0x7f)
				errno = EILSEQ_;
			if (is_space(*f)) {
				skip_space = 1;
				f++;
				continue;
			}
			st = match_literal(s, *f++, skip_space);
			skip_space = 0;
		} else {
			f++;
			parse_spec(&f, &sp);
			if (skip_space || (sp.conv != '[' && sp.conv != 'c' && sp.conv != 'C' &&
					   sp.conv != 'n'))
				skip_input_space(s);
			skip_space = 0;
			st = convert(s, &sp, &f);
		}
		switch (st) {
		case DONE:
			break;
		case INPUT_FAIL:
			return s->done ? s->done : END;
		case MATCH_FAIL:
			return s->done;
		case FATAL:
			return s->result_if_fatal;
		}
	}
	/* Format ends in white space: glibc reads it from the input too. */
	if (skip_space) {
		int c;

		while (is_space(c = get(s)))
			;
		unget(s, c);
	}
	return s->done;
}

int vsscanf(const char *str, const char *fmt, va_list ap)
{
	struct scanner s = { .start = (const unsigned char *)str, .p = (const unsigned char *)str };
	int r;

	va_copy(s.args, ap);
	va_copy(s.first, ap);
	r = scan(&s, (const unsigned char *)fmt);
	va_end(s.first);
	va_end(s.args);
	return r;
}

int sscanf(const char *str, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsscanf(str, fmt, ap);
	va_end(ap);
	return r;
}

/* glibc's headers rename sscanf to these in C99 mode; the behaviour is
 * the same (the pre-C99 one read "%as" as a GNU allocating string). */
int __isoc99_vsscanf(const char *str, const char *fmt, va_list ap)
{
	return vsscanf(str, fmt, ap);
}

int __isoc99_sscanf(const char *str, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsscanf(str, fmt, ap);
	va_end(ap);
	return r;
}
