/*
 * fpdec.h - exact decimal digits of a binary floating-point value
 * (tcc-runtime/libc/fpdec.c), private to the C library: printf.c renders
 * %e/%f/%g from them and strtod.c compares its input against them.
 */
#ifndef KARYON_KRT_FPDEC_H
#define KARYON_KRT_FPDEC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Sized for the widest value either user hands in: below 2^16385 (the
 * point halfway between LDBL_MAX and 2^16384) and down to 2^-16446 (half
 * of LDBL_TRUE_MIN).  The integer part needs ceil(4933 / 9) base-1e9
 * limbs, the fraction 16446 / 32 binary ones; 552 covers both, 2.2 KiB.
 */
#define FPDEC_LIMBS 552

struct fpdec {
	uint32_t w[FPDEC_LIMBS];	/* base 1e9 (integer) or binary (fraction) */
	int nw;			/* limbs of w in use; for an integer, the next one to read */
	int top;		/* an integer's limb count */
	int k;			/* fraction mode: the fraction is w / 2^k */
	bool frac;		/* w holds a fraction, not the integer part */
	uint32_t ip[5];		/* fraction mode: the integer part, base 1e9 */
	int nip;
	char chunk[9];		/* the current 9-digit group, emitted left to right */
	int cpos, clen;
	int exp10;		/* value = 0.d1 d2 d3 ... * 10^exp10, d1 != 0 */
	long sig;		/* digits from d1 to the last nonzero one */
	long pos;		/* digits handed out so far */
};

/* Start on m * 2^e; m must not be 0 and the value must be in the range above. */
void fpdec_init(struct fpdec *d, unsigned __int128 m, int e);

/* Back to the first digit, if that is cheap (integers); false means init again. */
bool fpdec_rewind(struct fpdec *d);

/* The next digit, 0..9; 0 for ever once the sig significant digits are out. */
int fpdec_next(struct fpdec *d);

#endif
