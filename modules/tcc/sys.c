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
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <krt/stdio.h>
#include "sys.h"

#define O_ACCMODE 3
#define O_RDONLY  0
#define SEEK_SET  0
#define SEEK_CUR  1
#define SEEK_END  2
#define ENOENT    2
#define EBADF     9
#define ENOMEM    12
#define EACCES    13
#define EINVAL    22
#define EMFILE    24
#define ENOSYS    38
#define EDEADLK   35

typedef long ssize_t;

#define NFDS        16
#define FILE_MAX    (4u << 20)  /* a source or header larger than this is refused */
#define NREGIONS    64

int *__errno_location(void);
#define errno (*__errno_location())

static struct {
	kr_domain_t *heap;
	const struct vfs_ops *vfs;
	const char *cwd;
	sys_diag_fn diag;
	void *ctx;
	char line[512];         /* diagnostics not yet ended by a newline */
	size_t linelen;
	int lock;               /* libtcc's semaphore: 1 free, 0 taken */
} sys = { .lock = 1 };

/* fd 0..2 are the console streams; 3.. files read from the VFS or the
 * object file being written. */
static struct fd {
	bool used, object;
	uint8_t *data;
	size_t size, pos, cap;
} fds[NFDS];

static struct fd *object_fd;
static const uint8_t *object_data;
static size_t object_size;

static struct region {
	uint8_t *va;
	size_t npages;
	kr_domain_t *d;
	kr_cap_t cap;
} regions[NREGIONS];

/* ---- the heap ---- */

void *malloc(size_t n);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

void *malloc(size_t n)
{
	void *p = sys.heap ? kr_malloc(sys.heap, n ? n : 1) : NULL;

	if (!p)
		errno = ENOMEM;
	return p;
}

void *calloc(size_t nmemb, size_t size)
{
	void *p = sys.heap ? kr_calloc(sys.heap, nmemb ? nmemb : 1, size ? size : 1) : NULL;

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
	p = sys.heap ? kr_realloc(sys.heap, p, n) : NULL;
	if (!p)
		errno = ENOMEM;
	return p;
}

void free(void *p)
{
	if (p && sys.heap && kr_free(sys.heap, p) != KR_OK)
		kr_log(KR_LOG_ERR, "tcc: libtcc freed %p, which it did not allocate\n", p);
}

/* ---- diagnostics: what libtcc writes to stdout/stderr, a line at a time ---- */

static void diag_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (; n; n--, s++) {
		if (*s != '\n' && sys.linelen < sizeof(sys.line) - 1) {
			sys.line[sys.linelen++] = *s;
			continue;
		}
		sys.line[sys.linelen] = '\0';
		if (sys.diag)
			sys.diag(sys.ctx, sys.line);
		else
			kr_log(KR_LOG_INFO, "tcc: %s\n", sys.line);
		sys.linelen = 0;
		if (*s != '\n')
			sys.line[sys.linelen++] = *s;
	}
}

void sys_begin(kr_domain_t *heap, const struct vfs_ops *vfs, const char *cwd,
	       sys_diag_fn diag, void *ctx)
{
	sys.heap = heap;
	sys.vfs = vfs;
	sys.cwd = cwd;
	sys.diag = diag;
	sys.ctx = ctx;
	sys.linelen = 0;
	object_fd = NULL;
	object_data = NULL;
	object_size = 0;
}

void sys_end(void)
{
	if (sys.linelen)
		diag_out(NULL, "\n", 1);
	for (int i = 3; i < NFDS; i++)
		fds[i] = (struct fd){ 0 };      /* buffers go with the heap's domain */
	sys = (typeof(sys)){ .lock = 1 };
}

const void *sys_object(size_t *len)
{
	*len = object_size;
	return object_data;
}

/* ---- files ---- */

int open(const char *path, int flags, ...);
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
long lseek(int fd, long off, int whence);
int close(int fd);
int unlink(const char *path);

static int fd_alloc(void)
{
	for (int i = 3; i < NFDS; i++)
		if (!fds[i].used)
			return i;
	errno = EMFILE;
	return -1;
}

static struct fd *fd_get(int fd)
{
	if (fd < 3 || fd >= NFDS || !fds[fd].used) {
		errno = EBADF;
		return NULL;
	}
	return &fds[fd];
}

/* The whole file, read from the VFS at open: sources are small. */
int open(const char *path, int flags, ...)
{
	struct vfs_stat st;
	size_t got;
	int fd = fd_alloc();

	if (fd < 0)
		return -1;
	if (!strcmp(path, SYS_OBJECT_PATH)) {
		if ((flags & O_ACCMODE) == O_RDONLY || object_fd) {
			errno = EACCES;
			return -1;
		}
		fds[fd] = (struct fd){ .used = true, .object = true };
		object_fd = &fds[fd];
		return fd;
	}
	if ((flags & O_ACCMODE) != O_RDONLY) {
		errno = EACCES;         /* libtcc writes nothing but the object */
		return -1;
	}
	if (!sys.vfs || sys.vfs->stat(sys.cwd, path, &st) || st.type != VFS_FILE) {
		errno = ENOENT;
		return -1;
	}
	if (st.size > FILE_MAX) {
		errno = ENOMEM;
		return -1;
	}
	fds[fd] = (struct fd){ .used = true, .size = st.size };
	fds[fd].data = malloc(st.size);
	if (!fds[fd].data)
		goto fail;
	if (sys.vfs->read(sys.cwd, path, 0, fds[fd].data, st.size, &got) || got != st.size) {
		free(fds[fd].data);
		errno = EINVAL;
		goto fail;
	}
	return fd;
fail:
	fds[fd] = (struct fd){ 0 };
	return -1;
}

ssize_t read(int fd, void *buf, size_t n)
{
	struct fd *f = fd_get(fd);

	if (!f || f->object)
		return f ? (errno = EBADF, -1) : -1;
	if (n > f->size - f->pos)
		n = f->size - f->pos;
	memcpy(buf, f->data + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	struct fd *f;

	if (fd == 1 || fd == 2) {
		diag_out(NULL, buf, n);
		return (ssize_t)n;
	}
	f = fd_get(fd);
	if (!f || !f->object)
		return f ? (errno = EBADF, -1) : -1;
	if (n > FILE_MAX - f->size) {
		errno = ENOMEM;
		return -1;
	}
	if (f->size + n > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;
		uint8_t *p;

		while (cap < f->size + n)
			cap *= 2;
		p = realloc(f->data, cap);
		if (!p)
			return -1;
		f->data = p;
		f->cap = cap;
	}
	memcpy(f->data + f->size, buf, n);
	f->size += n;
	return (ssize_t)n;
}

long lseek(int fd, long off, int whence)
{
	struct fd *f = fd_get(fd);
	long base;

	if (!f)
		return -1;
	base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f->pos :
	       whence == SEEK_END ? (long)f->size : -1;
	if (base < 0 || off < -base || (size_t)(base + off) > f->size) {
		errno = EINVAL;
		return -1;
	}
	f->pos = (size_t)(base + off);
	return (long)f->pos;
}

int close(int fd)
{
	struct fd *f = fd_get(fd);

	if (!f)
		return -1;
	if (f->object) {
		object_data = f->data;  /* kept for sys_object() */
		object_size = f->size;
		object_fd = NULL;
	} else {
		free(f->data);
	}
	*f = (struct fd){ 0 };
	return 0;
}

/* libtcc removes its output file before writing it. */
int unlink(const char *path)
{
	if (!strcmp(path, SYS_OBJECT_PATH))
		return 0;
	errno = EACCES;
	return -1;
}

/* ---- stdio: streams over the descriptors above ---- */

typedef struct sysfile {
	int fd;
	bool used;
} FILE;
static FILE files[NFDS] = { [1] = { 1, true }, [2] = { 2, true } };
FILE *stdout = &files[1], *stderr = &files[2];

FILE *fdopen(int fd, const char *mode);
size_t fwrite(const void *p, size_t size, size_t n, FILE *f);
int fputc(int c, FILE *f);
int fputs(const char *s, FILE *f);
int puts(const char *s);
int putchar(int c);
int fflush(FILE *f);
int fclose(FILE *f);
int __printf_chk(int flag, const char *fmt, ...);
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);

FILE *fdopen(int fd, const char *mode)
{
	(void)mode;
	if (!fd_get(fd) || files[fd].used)
		return NULL;
	files[fd] = (FILE){ fd, true };
	return &files[fd];
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	if (!size || !n)
		return 0;
	if (n > FILE_MAX / size)
		return 0;
	return write(f->fd, p, size * n) < 0 ? 0 : n;
}

int fputc(int c, FILE *f)
{
	unsigned char ch = (unsigned char)c;

	return write(f->fd, &ch, 1) == 1 ? ch : -1;
}

int fputs(const char *s, FILE *f)
{
	return write(f->fd, s, strlen(s)) < 0 ? -1 : 1;
}

int puts(const char *s)
{
	return fputs(s, stdout) < 0 || fputc('\n', stdout) < 0 ? -1 : 1;
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int fflush(FILE *f)
{
	(void)f;
	return 0;
}

int fclose(FILE *f)
{
	int fd = f->fd;

	if (fd < 3)
		return 0;
	files[fd] = (FILE){ 0 };
	return close(fd);
}

struct sink {
	FILE *f;
	int err;
};

static void file_out(void *ctx, const char *s, size_t n)
{
	struct sink *k = ctx;

	if (write(k->f->fd, s, n) < 0)
		k->err = -1;
}

int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
	struct sink k = { f, 0 };
	int n;

	(void)flag;
	n = krt_vformat(file_out, &k, fmt, ap);
	return k.err ? k.err : n;
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = __vfprintf_chk(f, flag, fmt, ap);
	va_end(ap);
	return n;
}

int __printf_chk(int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = __vfprintf_chk(stdout, flag, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- page permissions ---- */

kr_err_t sys_region_add(void *va, size_t npages, kr_domain_t *d, kr_cap_t cap)
{
	for (int i = 0; i < NREGIONS; i++) {
		if (regions[i].va)
			continue;
		regions[i] = (struct region){ va, npages, d, cap };
		return KR_OK;
	}
	return KR_ENOSPC;
}

void sys_region_remove(void *va)
{
	for (int i = 0; i < NREGIONS; i++)
		if (regions[i].va == va)
			regions[i] = (struct region){ 0 };
}

/* Real permissions on pages a region holds; never writable and executable
 * at once (EACCES, as a W^X kernel answers). */
int mprotect(void *addr, size_t len, int prot)
{
	uint8_t *a = addr;
	uint32_t rights = KR_RIGHT_READ;

	if (((uintptr_t)a & 4095) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
	    !(prot & PROT_READ)) {
		errno = EINVAL;
		return -1;
	}
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC)) {
		errno = EACCES;
		return -1;
	}
	rights |= (prot & PROT_WRITE ? KR_RIGHT_WRITE : 0) | (prot & PROT_EXEC ? KR_RIGHT_EXEC : 0);
	if (!len)
		return 0;
	for (int i = 0; i < NREGIONS; i++) {
		struct region *r = &regions[i];
		size_t first = (size_t)(a - r->va), n = (len + 4095) / 4096;

		if (!r->va || a < r->va || first / 4096 >= r->npages || n > r->npages - first / 4096)
			continue;
		if (kr_page_protect(r->d, r->cap, first / 4096, n, rights) == KR_OK)
			return 0;
		break;
	}
	errno = EINVAL;
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
	sys.lock = 1;
	return 0;
}

int sem_wait(sem_t *s)
{
	(void)s;
	if (!sys.lock) {
		errno = EDEADLK;        /* one CPU, one compile: waiting would hang */
		return -1;
	}
	sys.lock = 0;
	return 0;
}

int sem_post(sem_t *s)
{
	(void)s;
	sys.lock = 1;
	return 0;
}

/* ---- the rest of what libtcc links ---- */

/* The deterministic clock: the build's SOURCE_DATE_EPOCH, so __DATE__ and
 * __TIME__ are the same on every run of the same image. */
#ifndef KARYON_EPOCH
#define KARYON_EPOCH 0
#endif
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

char *getcwd(char *buf, size_t n);
char *getcwd(char *buf, size_t n)
{
	const char *cwd = sys.cwd ? sys.cwd : "/";

	if (!buf || strlen(cwd) >= n) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(buf, cwd, strlen(cwd) + 1);
	return buf;
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
