/*
 * hlib.c - the handler C library: the calls behind the grants that need
 * the kernel (console output, the heap, exit, vfs, time).  The pure calls
 * (strlen, strtod, qsort, ...) are tcc-runtime's functions themselves;
 * calls.c maps every call number to its address.
 *
 * A handler runs inside a guarded call (abi/karyon/guard.h) with one
 * struct hlib_run describing the run; these functions act on it.  Output
 * is buffered and handed to the shell's print function, so a handler's
 * output goes wherever the shell sends the command's (a redirection).
 */
#include <stdarg.h>
#include <stdint.h>
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <krt/stdio.h>
#include "hlib.h"

#define EOF (-1)

static struct hlib_run *run;

/* FILE for handlers: only the two console streams exist. */
struct hfile {
	int fd;
};
static struct hfile hout = { 1 }, herr = { 2 };
struct hfile *h_stdout = &hout, *h_stderr = &herr;

void hlib_begin(struct hlib_run *r)
{
	run = r;
}

static void flush(void)
{
	if (!run || !run->len)
		return;
	run->buf[run->len] = '\0';
	run->print(run->print_ctx, run->buf);
	run->len = 0;
}

void hlib_end(void)
{
	flush();
	run = NULL;
}

/* The output sink: NUL bytes cannot travel through print() and are dropped. */
static void out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (; n; n--, s++) {
		if (!*s)
			continue;
		if (run->len == sizeof(run->buf) - 1)
			flush();
		run->buf[run->len++] = *s;
	}
}

static bool console(const struct hfile *f)
{
	return f == &hout || f == &herr;
}

__attribute__((noreturn)) static void stop(int status, const char *why)
{
	run->status = status;
	if (why) {
		run->aborted = true;
		ksnprintf(run->why, sizeof(run->why), "%s", why);
	}
	longjmp(run->exit_env, 1);
}

void h_exit(int status);
void h_exit(int status)
{
	stop(status, NULL);
}

void h_abort(void);
void h_abort(void)
{
	stop(134, "abort() called");    /* 128 + SIGABRT, as a shell reports it */
}

int h_vprintf(const char *fmt, va_list ap);
int h_vprintf(const char *fmt, va_list ap)
{
	return krt_vformat(out, NULL, fmt, ap);
}

int h_printf(const char *fmt, ...);
int h_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = krt_vformat(out, NULL, fmt, ap);
	va_end(ap);
	return n;
}

int h_vfprintf(struct hfile *f, const char *fmt, va_list ap);
int h_vfprintf(struct hfile *f, const char *fmt, va_list ap)
{
	return console(f) ? krt_vformat(out, NULL, fmt, ap) : EOF;
}

int h_fprintf(struct hfile *f, const char *fmt, ...);
int h_fprintf(struct hfile *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = h_vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int h_fputs(const char *s, struct hfile *f);
int h_fputs(const char *s, struct hfile *f)
{
	if (!console(f))
		return EOF;
	out(NULL, s, strlen(s));
	return 1;
}

int h_puts(const char *s);
int h_puts(const char *s)
{
	size_t n = strlen(s);

	out(NULL, s, n);
	out(NULL, "\n", 1);
	return n + 1 > 0x7fffffff ? 0x7fffffff : (int)(n + 1);
}

int h_fputc(int c, struct hfile *f);
int h_fputc(int c, struct hfile *f)
{
	char ch = (char)c;

	if (!console(f))
		return EOF;
	out(NULL, &ch, 1);
	return (unsigned char)c;
}

int h_putchar(int c);
int h_putchar(int c)
{
	return h_fputc(c, &hout);
}

int h_fflush(struct hfile *f);
int h_fflush(struct hfile *f)
{
	if (f && !console(f))
		return EOF;
	flush();
	return 0;
}

/* The heap: the run's domain, so whatever a run leaves is freed with it,
 * within run->heap_limit so that a handler cannot starve the kernel.  Each
 * block starts with its size (16 bytes keep the alignment malloc
 * promises).  Freeing what malloc did not return ends the run, as glibc
 * would. */
#define HDR 16

void *h_malloc(size_t n);
void *h_malloc(size_t n)
{
	uint8_t *p;

	if (n > run->heap_limit - run->heap_used)
		return NULL;
	p = kr_malloc(run->heap, n + HDR);
	if (!p)
		return NULL;
	*(size_t *)p = n;
	run->heap_used += n;
	return p + HDR;
}

void *h_calloc(size_t nmemb, size_t size);
void *h_calloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > (size_t)-1 / size)
		return NULL;
	p = h_malloc(nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

void h_free(void *p);
void h_free(void *p)
{
	uint8_t *b = (uint8_t *)p - HDR;
	size_t n;

	if (!p)
		return;
	n = *(size_t *)b;
	if (kr_free(run->heap, b) != KR_OK)
		stop(134, "free(): invalid pointer");
	run->heap_used -= n;
}

void *h_realloc(void *p, size_t n);
void *h_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (!p)
		return h_malloc(n);
	if (!n) {
		h_free(p);
		return NULL;
	}
	old = *(size_t *)((uint8_t *)p - HDR);
	q = h_malloc(n);
	if (q) {
		memcpy(q, p, old < n ? old : n);
		h_free(p);
	}
	return q;
}

char *h_strndup(const char *s, size_t n);
char *h_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = h_malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

char *h_strdup(const char *s);
char *h_strdup(const char *s)
{
	return h_strndup(s, (size_t)-1);
}

/* grant vfs.read / vfs.write: bytes or a negative Karyon error code. */
long h_vfs_read(const char *path, unsigned long off, void *buf, unsigned long n);
long h_vfs_read(const char *path, unsigned long off, void *buf, unsigned long n)
{
	size_t got = 0;
	kr_err_t e = run->vfs ? run->vfs->read(run->cwd, path, off, buf, n, &got) : KR_ENOSYS;

	return e ? e : (long)got;
}

long h_vfs_size(const char *path);
long h_vfs_size(const char *path)
{
	struct kr_vfs_stat st;
	kr_err_t e = run->vfs ? run->vfs->stat(run->cwd, path, &st) : KR_ENOSYS;

	return e ? e : st.type != KR_VFS_FILE ? KR_EINVAL : (long)st.size;
}

static long write_file(const char *path, const void *buf, unsigned long n, bool append)
{
	kr_err_t e = run->vfs ? run->vfs->write(run->cwd, path, buf, n, append) : KR_ENOSYS;

	return e ? e : (long)n;
}

long h_vfs_write(const char *path, const void *buf, unsigned long n);
long h_vfs_write(const char *path, const void *buf, unsigned long n)
{
	return write_file(path, buf, n, false);
}

long h_vfs_append(const char *path, const void *buf, unsigned long n);
long h_vfs_append(const char *path, const void *buf, unsigned long n)
{
	return write_file(path, buf, n, true);
}

/* grant time */
unsigned long long h_time_us(void);
unsigned long long h_time_us(void)
{
	return kr_uptime_us();
}
