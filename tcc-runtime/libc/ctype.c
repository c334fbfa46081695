/*
 * ctype.c - the character classes of the C locale, as functions.
 *
 * Like glibc in the C locale, only ASCII belongs to a class: EOF (-1) and
 * bytes 128..255 are in none, and tolower/toupper return them unchanged,
 * as they do any other int outside 0..255.  glibc returns some nonzero
 * value for "yes" (a table bit); callers may only test for nonzero.
 * Plain comparisons rather than a table: there are only a handful of
 * ranges, and the unsigned casts send negative values out of all of them.
 */
#include <krt/libc.h>

static inline int in_range(int c, int lo, int hi)
{
	return (unsigned)c - (unsigned)lo <= (unsigned)(hi - lo);
}

int isdigit(int c)
{
	return in_range(c, '0', '9');
}

int islower(int c)
{
	return in_range(c, 'a', 'z');
}

int isupper(int c)
{
	return in_range(c, 'A', 'Z');
}

int isalpha(int c)
{
	return islower(c) || isupper(c);
}

int isalnum(int c)
{
	return isalpha(c) || isdigit(c);
}

int isxdigit(int c)
{
	return isdigit(c) || in_range(c, 'a', 'f') || in_range(c, 'A', 'F');
}

int isblank(int c)
{
	return c == ' ' || c == '\t';
}

/* '\t' '\n' '\v' '\f' '\r' and ' '. */
int isspace(int c)
{
	return c == ' ' || in_range(c, '\t', '\r');
}

int iscntrl(int c)
{
	return in_range(c, 0, 31) || c == 127;
}

int isprint(int c)
{
	return in_range(c, ' ', '~');
}

int isgraph(int c)
{
	return in_range(c, '!', '~');
}

int ispunct(int c)
{
	return isgraph(c) && !isalnum(c);
}

int tolower(int c)
{
	return isupper(c) ? c + ('a' - 'A') : c;
}

int toupper(int c)
{
	return islower(c) ? c - ('a' - 'A') : c;
}
