/*
 * stdio.c - console output for a handler in user mode: printf and the
 * rest of grant "console", on tcc-runtime's printf engine (krt_vformat).
 *
 * Output collects in __karyon_out (ulib.h) and goes to the shell with one
 * system call (__karyon_write) when the buffer is full, at the end of a
 * call that wrote a newline, at fflush, exit and abort.  The kernel reads
 * the buffer out of a handler it stopped, so bytes are stored before len
 * covers them.  Only stdout and stderr exist (both the shell's output);
 * any other FILE gets EOF, as the ring-0 library before it did.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <krt/stdio.h>
#include "ulib.h"

struct ulib_out __karyon_out;
static int ulib_newline;        /* a '\n' was buffered since the last flush */

/* FILE as the handler headers name it; fd only tells the two apart. */
struct _IO_FILE {
	int fd;
};
static FILE ulib_stdout = { 1 }, ulib_stderr = { 2 };
FILE *stdout = &ulib_stdout;
FILE *stderr = &ulib_stderr;

void ulib_flush(void)
{
	unsigned int n = __karyon_out.len;

	ulib_newline = 0;
	if (!n)
		return;
	__karyon_write(__karyon_out.buf, n);    /* nothing to do about a failure */
	__karyon_out.len = 0;
}

/* Line buffering, once per call rather than per line: a printf that
 * writes three lines makes one system call. */
static void ulib_done(void)
{
	if (ulib_newline)
		ulib_flush();
}

/* The engine's sink.  NULs cannot reach the shell (its print takes C
 * strings); they are dropped here already, so they take no room. */
static void ulib_out(void *ctx, const char *s, size_t n)
{
	struct ulib_out *o = &__karyon_out;

	(void)ctx;
	while (n) {
		unsigned int len = o->len;

		for (; n && len < ULIB_OUT_SIZE; n--, s++) {
			if (!*s)
				continue;
			if (*s == '\n')
				ulib_newline = 1;
			o->buf[len++] = *s;
		}
		__asm__ volatile("" ::: "memory");     /* the bytes, then len */
		o->len = len;
		if (len == ULIB_OUT_SIZE)
			ulib_flush();
	}
}

static int ulib_console(const FILE *f)
{
	return f == &ulib_stdout || f == &ulib_stderr;
}

int vprintf(const char *fmt, va_list ap)
{
	int n = krt_vformat(ulib_out, NULL, fmt, ap);

	ulib_done();
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	return ulib_console(f) ? vprintf(fmt, ap) : EOF;
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int fputs(const char *s, FILE *f)
{
	if (!ulib_console(f))
		return EOF;
	ulib_out(NULL, s, strlen(s));
	ulib_done();
	return 1;
}

int puts(const char *s)
{
	size_t n = strlen(s);

	ulib_out(NULL, s, n);
	ulib_out(NULL, "\n", 1);
	ulib_done();
	return n + 1 > 0x7fffffff ? 0x7fffffff : (int)(n + 1);
}

int fputc(int c, FILE *f)
{
	char ch = (char)c;

	if (!ulib_console(f))
		return EOF;
	ulib_out(NULL, &ch, 1);
	ulib_done();
	return (unsigned char)c;
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

/* fflush(NULL) flushes every stream: here the one buffer. */
int fflush(FILE *f)
{
	if (f && !ulib_console(f))
		return EOF;
	ulib_flush();
	return 0;
}
