/*
 * krt/libc.h - the C library surface beyond krt/string.h that Debian's
 * prebuilt libtcc.a (TinyCC 0.9.27) calls inside the kernel, and that the C
 * programs it compiles there link against (tcc-runtime/libc/).
 *
 * Standard names, signatures and glibc's x86_64 type layouts, since
 * libtcc.a was compiled against glibc's headers and the programs are
 * compared with gcc+glibc builds of themselves.  The host unit tests include
 * the sources beside glibc's headers and rename what both define.
 */
#ifndef KARYON_KRT_LIBC_H
#define KARYON_KRT_LIBC_H

#include <stdarg.h>
#include <stddef.h>
#include <krt/string.h>

/* errno (libc/errno.c): one int for the whole kernel (one compile at a
 * time); the values are Linux's, which glibc's programs expect. */
int *__errno_location(void);
#ifndef errno
#define errno (*__errno_location())
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ERANGE
#define ERANGE 34
#endif
#ifndef EOVERFLOW
#define EOVERFLOW 75
#endif

/* More string functions (libc/string2.c). */
void *memchr(const void *, int, size_t);
char *strrchr(const char *, int);
char *strstr(const char *, const char *);
char *strcpy(char *, const char *);
char *strncpy(char *, const char *, size_t);
char *strcat(char *, const char *);
char *strncat(char *, const char *, size_t);
size_t strspn(const char *, const char *);
size_t strcspn(const char *, const char *);
char *strpbrk(const char *, const char *);
char *strtok(char *, const char *);
char *strtok_r(char *, const char *, char **);
int strcasecmp(const char *, const char *);
int strncasecmp(const char *, const char *, size_t);

/* _FORTIFY_SOURCE checks (libc/string2.c) Debian's libtcc.a calls: the
 * last argument is the destination's size; an overflow calls __chk_fail,
 * which the kernel defines and which does not return. */
void *__memmove_chk(void *, const void *, size_t, size_t);
char *__strcpy_chk(char *, const char *, size_t);
char *__strcat_chk(char *, const char *, size_t);
__attribute__((noreturn)) void __chk_fail(void);

/* Number parsing (libc/strtol.c), glibc's rules for bases, prefixes,
 * overflow (ERANGE) and endptr. */
long strtol(const char *, char **, int);
unsigned long strtoul(const char *, char **, int);
long long strtoll(const char *, char **, int);
unsigned long long strtoull(const char *, char **, int);
int atoi(const char *);
long atol(const char *);
long long atoll(const char *);

/* Floating-point parsing: defined with printf, not here; scanf uses it. */
double strtod(const char *, char **);
float strtof(const char *, char **);
long double strtold(const char *, char **);

/* Formatted input from a string (libc/scanf.c).  The __isoc99_ names are
 * what glibc's headers turn sscanf calls into. */
int sscanf(const char *, const char *, ...);
int vsscanf(const char *, const char *, va_list);
int __isoc99_sscanf(const char *, const char *, ...);
int __isoc99_vsscanf(const char *, const char *, va_list);

/* Sorting and searching (libc/qsort.c): qsort is stable, as glibc's is. */
void qsort(void *, size_t, size_t, int (*)(const void *, const void *));
void *bsearch(const void *, const void *, size_t, size_t,
	      int (*)(const void *, const void *));

/* The heap qsort and scanf borrow scratch space from: defined by the
 * kernel's tcc module, not here. */
void *malloc(size_t);
void free(void *);

/* Character classes of the C locale (libc/ctype.c): values outside
 * 0..127, EOF included, are in no class and map to themselves. */
int isalnum(int);
int isalpha(int);
int isblank(int);
int iscntrl(int);
int isdigit(int);
int isgraph(int);
int islower(int);
int isprint(int);
int ispunct(int);
int isspace(int);
int isupper(int);
int isxdigit(int);
int tolower(int);
int toupper(int);

/* Integer arithmetic (libc/stdlib.c). */
typedef struct {
	int quot, rem;
} div_t;
typedef struct {
	long quot, rem;
} ldiv_t;
typedef struct {
	long long quot, rem;
} lldiv_t;
int abs(int);
long labs(long);
long long llabs(long long);
div_t div(int, int);
ldiv_t ldiv(long, long);
lldiv_t lldiv(long long, long long);

/* Non-local jumps (libc/setjmp.S).  glibc's jmp_buf, 200 bytes: the
 * callee-saved registers, rsp and the return address (not mangled), then
 * the signal mask, which the kernel has none of and never saves. */
struct __jmp_buf_tag {
	long __jmpbuf[8];
	int __mask_was_saved;
	unsigned long __saved_mask[16];
};
typedef struct __jmp_buf_tag jmp_buf[1];
_Static_assert(sizeof(jmp_buf) == 200, "glibc's x86_64 jmp_buf");
__attribute__((returns_twice)) int setjmp(jmp_buf);
__attribute__((returns_twice)) int _setjmp(jmp_buf);
__attribute__((returns_twice)) int __sigsetjmp(struct __jmp_buf_tag *, int);
__attribute__((noreturn)) void longjmp(jmp_buf, int);
__attribute__((noreturn)) void _longjmp(jmp_buf, int);
__attribute__((noreturn)) void __longjmp_chk(jmp_buf, int);

/* Broken-down time (libc/time.c), in glibc's x86_64 layout.  The kernel's
 * clock is UTC, so localtime is gmtime but for the zone name. */
typedef long time_t;
struct tm {
	int tm_sec;
	int tm_min;
	int tm_hour;
	int tm_mday;
	int tm_mon;
	int tm_year;
	int tm_wday;
	int tm_yday;
	int tm_isdst;
	long tm_gmtoff;
	const char *tm_zone;
};
_Static_assert(sizeof(struct tm) == 56, "glibc's x86_64 struct tm");
_Static_assert(offsetof(struct tm, tm_gmtoff) == 40, "glibc's x86_64 struct tm");
struct tm *gmtime_r(const time_t *, struct tm *);
struct tm *gmtime(const time_t *);
struct tm *localtime_r(const time_t *, struct tm *);
struct tm *localtime(const time_t *);

#endif
