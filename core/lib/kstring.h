/*
 * kstring.h - the few libc memory and string functions the core defines
 * itself (lib/string.c).  Standard names and signatures, so gcc's own calls
 * to memcpy/memset (struct copies, zeroing) land here too.
 */
#ifndef KARYON_KSTRING_H
#define KARYON_KSTRING_H

#include <stddef.h>

void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
size_t strlen(const char *);
size_t strnlen(const char *, size_t);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);
char *strchr(const char *, int);

#endif
