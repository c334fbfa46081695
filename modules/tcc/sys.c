/*
 * sys.c - the POSIX calls Debian's libtcc.a makes, served by Karyon.
 *
 * libtcc was built for Linux and glibc; inside the kernel it still calls
 * malloc, open/read for the source and its #includes, fdopen/fwrite for
 * the object file, sem_wait around every compile, and so on.  The pure
 * C library (string, strtod, qsort, printf engine, setjmp) is tcc-runtime;
 * this file is what needs the system: the heap of the domain a compile
 * runs for, the VFS, page capabilities, the compile's diagnostics.
 *
 * What libtcc links but never calls in the way we use it (dlopen for
 * -run, sigaction for backtraces, getenv for TCC_LIBRARY_PATH) answers
 * "not available", each noted where it is defined.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <karyon/console.h>
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <krt/libc.h>
#include "karyon_epoch.h"  /* generated: the last commit's date */
#include "sys.h"

static kr_domain_t *heap;       /* the compile's: malloc's */
static int lock = 1;            /* libtcc's semaphore: 1 free, 0 taken */

/* The compile's budgets (sys_budget): past one, malloc fails, which makes
 * libtcc stop with "memory full", and sys_over() says which it was.  The
 * heap in use is the kernel's count (kr_mem_stats): nothing else runs
 * during a compile. */
static uint64_t deadline_us, heap_base, heap_limit;
static const char *over;

void sys_budget(uint64_t time_ms, uint64_t mem_bytes)
{
	struct kr_mem_stats ms = { .version = KR_MEM_STATS_VERSION };

	kr_mem_stats(&ms);
	heap_base = ms.heap_bytes;
	heap_limit = mem_bytes;
	deadline_us = time_ms ? kr_uptime_us() + time_ms * 1000 : 0;
	over = NULL;
}

const char *sys_over(void)
{
	return over;
}

/* May the compile have n more bytes? */
static bool within_budget(size_t n)
{
	struct kr_mem_stats ms = { .version = KR_MEM_STATS_VERSION };

	if (!over && deadline_us && kr_uptime_us() > deadline_us)
		over = "time";
	if (!over && heap_limit) {
		kr_mem_stats(&ms);
		if (ms.heap_bytes - heap_base + n > heap_limit)
			over = "memory";
	}
	return !over;
}

void sys_begin(kr_domain_t *h, const struct kr_vfs_ops *vfs, const char *cwd,
	       sys_diag_fn diag, void *ctx)
{
	heap = h;
	sys_files_begin(vfs, cwd, diag, ctx);
}

void sys_end(void)
{
	sys_files_end();
	heap = NULL;
	lock = 1;
	deadline_us = heap_limit = 0;
}

/* ---- the heap ---- */

void *malloc(size_t n);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

void *malloc(size_t n)
{
	void *p = heap && within_budget(n) ? kr_malloc(heap, n ? n : 1) : NULL;

	if (!p)
		errno = ENOMEM;
	return p;
}

void *calloc(size_t nmemb, size_t size)
{
	void *p = heap && (!size || nmemb <= SIZE_MAX / size) && within_budget(nmemb * size) ?
		  kr_calloc(heap, nmemb ? nmemb : 1, size ? size : 1) : NULL;

	if (!p)
		errno = ENOMEM;
	return p;
}

void *realloc(void *p, size_t n)
{
	if (p && !n) {
		free(p);
		return NULL;
	}
	p = heap && within_budget(n) ? kr_realloc(heap, p, n) : NULL;
	if (!p)
		errno = ENOMEM;
	return p;
}

void free(void *p)
{
	if (p && heap && kr_free(heap, p) != KR_OK)
		kr_log(KR_LOG_ERR, "tcc: libtcc freed %p, which it did not allocate\n", p);
}

/* ---- page permissions ---- */

/* libtcc calls mprotect only to run code it linked itself (tcc -run); the
 * tcc module has it write objects, which kmod links into handlers' address
 * spaces with their permissions there.  So no page of its is protected. */
int mprotect(void *addr, size_t len, int prot)
{
	(void)addr;
	(void)len;
	(void)prot;
	errno = ENOSYS;
	return -1;
}

/* ---- the lock libtcc takes around each compile (a real one: a second
 * compile while one runs is refused, not interleaved) ---- */

typedef union {
	int value;
	char size[32];          /* glibc's sem_t */
} sem_t;
int sem_init(sem_t *s, int pshared, unsigned value);
int sem_wait(sem_t *s);
int sem_post(sem_t *s);

int sem_init(sem_t *s, int pshared, unsigned value)
{
	(void)pshared;
	s->value = (int)value;
	lock = 1;
	return 0;
}

int sem_wait(sem_t *s)
{
	(void)s;
	if (!lock) {
		errno = EDEADLK;        /* one CPU, one compile: waiting would hang */
		return -1;
	}
	lock = 0;
	return 0;
}

int sem_post(sem_t *s)
{
	(void)s;
	lock = 1;
	return 0;
}

/* ---- the rest of what libtcc links ---- */

/* The deterministic clock: the build's SOURCE_DATE_EPOCH, so __DATE__ and
 * __TIME__ are the same on every run of the same image. */
long time(long *t);
long time(long *t)
{
	if (t)
		*t = KARYON_EPOCH;
	return KARYON_EPOCH;
}

/* No environment: TCC_LIBRARY_PATH and friends are never set. */
char **environ;
char *getenv(const char *name);
char *getenv(const char *name)
{
	(void)name;
	return NULL;
}

/* No shared objects: a handler links against its grants only (an
 * unresolved symbol must never be looked up anywhere else). */
void *dlopen(const char *file, int mode);
void *dlsym(void *h, const char *name);
int dlclose(void *h);
void *dlopen(const char *file, int mode)
{
	(void)file;
	(void)mode;
	return NULL;
}

void *dlsym(void *h, const char *name)
{
	(void)h;
	(void)name;
	return NULL;
}

int dlclose(void *h)
{
	(void)h;
	return 0;
}

/* Signals: only tcc -run's backtrace handlers install any. */
int sigemptyset(void *set);
int sigaction(int sig, const void *act, void *old);
int sigemptyset(void *set)
{
	(void)set;
	return 0;
}

int sigaction(int sig, const void *act, void *old)
{
	(void)sig;
	(void)act;
	(void)old;
	errno = ENOSYS;
	return -1;
}

/* A fatal libtcc error outside its own error recovery, a failed assertion
 * or a fortify check: end the compile.  It runs as a guarded call, so the
 * trap comes back to the tcc module as a stopped compile; nothing is lost
 * but the compile's heap, freed with its domain. */
__attribute__((noreturn)) static void die(const char *what)
{
	kr_log(KR_LOG_ERR, "tcc: %s: compile stopped\n", what);
	__builtin_trap();
}

void exit(int status) __attribute__((noreturn));
void exit(int status)
{
	(void)status;
	die("libtcc called exit()");
}

/* libtcc1.a's bounds-checking code calls it. */
void abort(void) __attribute__((noreturn));
void abort(void)
{
	die("abort() called");
}

void __assert_fail(const char *expr, const char *file, unsigned line, const char *fn)
	__attribute__((noreturn));
void __assert_fail(const char *expr, const char *file, unsigned line, const char *fn)
{
	kr_log(KR_LOG_ERR, "tcc: %s:%u: %s: assertion '%s' failed\n", file, line, fn, expr);
	die("assertion failed");
}

void __chk_fail(void) __attribute__((noreturn));
void __chk_fail(void)
{
	die("buffer overflow detected");
}
