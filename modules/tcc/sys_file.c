/*
 * sys_file.c - the file and stdio calls Debian's libtcc.a makes (sys.h):
 * the source and its #includes read whole from the VFS at open(), the
 * object file written to memory (SYS_OBJECT_PATH), and what libtcc prints
 * to stdout/stderr turned into diagnostic lines for the shell.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <krt/libc.h>
#include <krt/stdio.h>
#include "sys.h"

#define NFDS        16
#define FILE_MAX    (4u << 20)  /* a source or header larger than this is refused */

void *realloc(void *p, size_t n);
void free(void *p);

static struct {
	const struct kr_vfs_ops *vfs;
	const char *cwd;
	sys_diag_fn diag;
	void *ctx;
	char line[512];         /* diagnostics not yet ended by a newline */
	size_t linelen;
	bool capture, lost;     /* stdout to pp (sys_capture) */
	char *pp;
	size_t pplen, ppcap;
} io;

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

/* ---- diagnostics: what libtcc writes to stdout/stderr, a line at a time ---- */

static void diag_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (; n; n--, s++) {
		if (*s != '\n' && io.linelen < sizeof(io.line) - 1) {
			io.line[io.linelen++] = *s;
			continue;
		}
		io.line[io.linelen] = '\0';
		if (io.diag)
			io.diag(io.ctx, io.line);
		else
			kr_log(KR_LOG_INFO, "tcc: %s\n", io.line);
		io.linelen = 0;
		if (*s != '\n')
			io.line[io.linelen++] = *s;
	}
}

void sys_files_begin(const struct kr_vfs_ops *vfs, const char *cwd, sys_diag_fn diag, void *ctx)
{
	io = (typeof(io)){ .vfs = vfs, .cwd = cwd, .diag = diag, .ctx = ctx };
	object_fd = NULL;
	object_data = NULL;
	object_size = 0;
}

void sys_files_end(void)
{
	if (io.linelen)
		diag_out(NULL, "\n", 1);
	for (int i = 3; i < NFDS; i++)
		fds[i] = (struct fd){ 0 };      /* buffers go with the heap's domain */
	free(io.pp);
	io = (typeof(io)){ 0 };
}

void sys_capture(bool on)
{
	if (on) {                       /* a new capture: one unit's text each */
		io.pplen = 0;
		io.lost = false;
		if (io.pp)
			io.pp[0] = '\0';
	}
	io.capture = on;
}

const char *sys_captured(size_t *len)
{
	*len = io.pplen;
	return io.lost ? NULL : io.pp ? io.pp : "";
}

/* Keep stdout's bytes, one NUL after them. */
static void capture(const void *buf, size_t n)
{
	if (io.lost || n > FILE_MAX - io.pplen) {
		io.lost = true;
		return;
	}
	if (io.pplen + n + 1 > io.ppcap) {
		size_t cap = io.ppcap ? io.ppcap : 4096;
		char *p;

		while (cap < io.pplen + n + 1)
			cap *= 2;
		p = realloc(io.pp, cap);
		if (!p) {
			io.lost = true;
			return;
		}
		io.pp = p;
		io.ppcap = cap;
	}
	memcpy(io.pp + io.pplen, buf, n);
	io.pplen += n;
	io.pp[io.pplen] = '\0';
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
	struct kr_vfs_stat st;
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
	if (!io.vfs || io.vfs->stat(io.cwd, path, &st) || st.type != KR_VFS_FILE) {
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
	if (io.vfs->read(io.cwd, path, 0, fds[fd].data, st.size, &got) || got != st.size) {
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

	if (fd == 1 && io.capture) {
		capture(buf, n);
		return (ssize_t)n;
	}
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

char *getcwd(char *buf, size_t n);
char *getcwd(char *buf, size_t n)
{
	const char *cwd = io.cwd ? io.cwd : "/";

	if (!buf || strlen(cwd) >= n) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(buf, cwd, strlen(cwd) + 1);
	return buf;
}
