/*
 * krt/string.h - memory and string functions of the kernel's C library
 * (tcc-runtime/string.c).  Standard names and signatures, so gcc's own calls
 * to memcpy/memset (struct copies, zeroing) land here too.
 */
#ifndef KARYON_KRT_STRING_H
#define KARYON_KRT_STRING_H

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
