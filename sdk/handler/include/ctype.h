/*
 * <ctype.h> - character classes and case conversion for the "C" locale
 * (ASCII).  No grant needed.  These are functions, not macros; pass an
 * unsigned char value or EOF, as the standard requires.
 */
#ifndef _KARYON_CTYPE_H
#define _KARYON_CTYPE_H

int isalnum(int c);
int isalpha(int c);
int isblank(int c);
int iscntrl(int c);
int isdigit(int c);
int isgraph(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int isspace(int c);
int isupper(int c);
int isxdigit(int c);
int tolower(int c);
int toupper(int c);

#endif
