/*
 * printf.h - what printf.c (the conversion loop, integers and strings) and
 * printf_fp.c (the floating-point conversions) share; private to the two.
 */
#ifndef KARYON_KRT_PRINTF_H
#define KARYON_KRT_PRINTF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <krt/stdio.h>

/* The flags, in the order of printf.c's flag_chars: "-+ #0'I". */
enum { F_LEFT = 1, F_PLUS = 2, F_SPACE = 4, F_ALT = 8, F_ZERO = 16, F_GROUP = 32, F_I18N = 64 };

struct pf_state {
	krt_out_fn out;
	void *ctx;
	size_t n;		/* characters produced so far */
	int err;		/* errno to fail with, once something went wrong */
	bool slow;		/* glibc has left its fast path: see pf_conversion */
};

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

/* printf.c: output, and the layout of a field around its body. */
void pf_put(struct pf_state *st, const char *s, size_t n);
void pf_pad(struct pf_state *st, char c, size_t n);
size_t pf_begin(struct pf_state *st, const struct pf_spec *sp, const char *pre, size_t npre,
		size_t len, bool zero_ok);
void pf_field(struct pf_state *st, const struct pf_spec *sp, const char *pre, size_t npre,
	      size_t nzero, const char *body, size_t nbody, bool zero_ok);
size_t pf_sign(char *pre, bool neg, unsigned int flags);

/* printf_fp.c: %a %A %e %E %f %F %g %G, reading a double or (ll) a long double. */
void pf_float(struct pf_state *st, const struct pf_spec *sp, va_list *ap);

#endif
