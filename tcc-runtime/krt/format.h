/*
 * format.h - the one printf engine (format.c), private to tcc-runtime.
 *
 * Two users: the kernel's ksnprintf family (fmt.c, no floating point) and
 * the C library's printf family (libc/printf.c), whose floating-point
 * conversions live in libc/printf_fp.c, a file only the C library links.
 * They differ only by the pf_rules they pass.
 */
#ifndef KARYON_KRT_FORMAT_H
#define KARYON_KRT_FORMAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* The flags, in the order of format.c's flag_chars: "-+ #0'I". */
enum { F_LEFT = 1, F_PLUS = 2, F_SPACE = 4, F_ALT = 8, F_ZERO = 16, F_GROUP = 32, F_I18N = 64 };

struct pf_state;

/* One conversion, as parsed. */
struct pf_spec {
	unsigned int flags;
	unsigned int width;	/* 2^31 from a '*' of INT_MIN, which glibc takes too */
	int prec;		/* -1: none given */
	bool hh, h, l, ll;	/* glibc's is_char, is_short, is_long, is_long_double */
	bool big;		/* 'L' or 'q', not "ll": see pf_conversion */
	bool star_left;		/* '-' came from a negative '*' width */
	char conv;
};

/* What the engine's two users differ by. */
struct pf_rules {
	/*
	 * %a %A %e %E %f %F %g %G, reading the double or long double itself.
	 * NULL in the kernel, whose code must never touch a double: there such
	 * a conversion is printed as written and reads no argument.
	 */
	void (*fp)(struct pf_state *st, const struct pf_spec *sp, va_list *ap);
	/*
	 * The C library's: glibc's -1 and errno, %n stores the count, a null
	 * %s cut by the precision prints nothing, an unknown conversion is
	 * printed back in glibc's spelling.  The kernel's (false): never fail,
	 * print %n, an unknown or cut-off conversion and anything glibc fails
	 * on as written; a null %s is "(null)", cut like any string.
	 */
	bool glibc;
};

struct pf_state {
	const struct pf_rules *r;
	void (*out)(void *ctx, const char *s, size_t n);
	void *ctx;
	size_t n;		/* characters produced so far */
	int err;		/* errno to fail with, once something went wrong */
	bool slow;		/* glibc has left its fast path: see pf_conversion */
};

/*
 * Format to out.  Returns the number of characters produced; or, under
 * glibc's rules, minus the errno glibc fails with.  The kernel's rules
 * saturate the count at INT_MAX instead.
 */
int pf_format(const struct pf_rules *r, void (*out)(void *ctx, const char *s, size_t n),
	      void *ctx, const char *fmt, va_list ap);
/* The same into buf (C99 snprintf): NUL-terminated if size > 0. */
int pf_format_buf(const struct pf_rules *r, char *buf, size_t size, const char *fmt, va_list ap);

/* For conversion hooks: output, and the layout of a field around its body. */
void pf_put(struct pf_state *st, const char *s, size_t n);
void pf_pad(struct pf_state *st, char c, size_t n);
size_t pf_begin(struct pf_state *st, const struct pf_spec *sp, const char *pre, size_t npre,
		size_t len, bool zero_ok);
void pf_field(struct pf_state *st, const struct pf_spec *sp, const char *pre, size_t npre,
	      size_t nzero, const char *body, size_t nbody, bool zero_ok);
size_t pf_sign(char *pre, bool neg, unsigned int flags);
/* v in decimal at out, at least min (1..10) digits with zeros in front; returns how many. */
size_t pf_decimal(char *out, unsigned int v, size_t min);

/* libc/printf_fp.c: the C library's floating-point conversions (pf_rules.fp). */
void pf_float(struct pf_state *st, const struct pf_spec *sp, va_list *ap);

#endif
