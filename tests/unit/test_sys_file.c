/*
 * test_sys_file.c - the file calls the tcc module gives Debian's libtcc.a
 * (modules/tcc/sys_file.c), over a fake VFS, against glibc on a real file
 * with the same bytes: open, read, lseek and close must answer libtcc as
 * Linux would.  Then what differs on purpose: only SYS_OBJECT_PATH can be
 * written (the object file, kept in memory), and what libtcc prints to
 * stdout/stderr arrives as diagnostic lines.
 *
 * sys_file.c defines POSIX names, so it is included here with each renamed
 * to kr_test_*, after glibc's headers, whose versions are the reference.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "krt_libc_host.h"
/* sys.h spells the same glibc numbers its own way. */
#undef O_ACCMODE
#undef O_RDONLY
#undef SEEK_SET
#undef SEEK_CUR
#undef SEEK_END
#undef stdout
#undef stderr
#define FILE kr_test_FILE
#define stdout kr_test_stdout
#define stderr kr_test_stderr
#define open kr_test_open
#define read kr_test_read
#define write kr_test_write
#define lseek kr_test_lseek
#define close kr_test_close
#define unlink kr_test_unlink
#define fdopen kr_test_fdopen
#define fwrite kr_test_fwrite
#define fputc kr_test_fputc
#define fputs kr_test_fputs
#define puts kr_test_puts
#define putchar kr_test_putchar
#define fflush kr_test_fflush
#define fclose kr_test_fclose
#define getcwd kr_test_getcwd
#define __printf_chk kr_test_printf_chk
#define __fprintf_chk kr_test_fprintf_chk
#define __vfprintf_chk kr_test_vfprintf_chk
#include "tcc/sys_file.c"
#undef FILE
#undef stdout
#undef stderr
#undef open
#undef read
#undef write
#undef lseek
#undef close
#undef unlink
#undef fdopen
#undef fwrite
#undef fputc
#undef fputs
#undef puts
#undef putchar
#undef fflush
#undef fclose
#undef getcwd

/* What sys_file.c takes from elsewhere in the kernel. */
void kr_log(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

int krt_vformat(void (*out)(void *ctx, const char *s, size_t n), void *ctx, const char *fmt,
		va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	out(ctx, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

/* ---- a VFS with two files: /src/main.c and /usr/include/defs.h ---- */

static char source[3000];
static const char header[] = "#define ANSWER 42\n";

static const char *lookup(const char *cwd, const char *path, size_t *size)
{
	char full[256];

	snprintf(full, sizeof(full), "%s%s%s", path[0] == '/' ? "" : cwd,
		 path[0] == '/' ? "" : "/", path);
	if (!strcmp(full, "/src/main.c")) {
		*size = sizeof(source);
		return source;
	}
	if (!strcmp(full, "/usr/include/defs.h")) {
		*size = sizeof(header) - 1;
		return header;
	}
	return NULL;
}

static kr_err_t fake_stat(const char *cwd, const char *path, struct kr_vfs_stat *st)
{
	size_t size;

	if (!lookup(cwd, path, &size))
		return KR_ENOENT;
	*st = (struct kr_vfs_stat){ .type = KR_VFS_FILE, .size = size };
	return KR_OK;
}

static kr_err_t fake_read(const char *cwd, const char *path, uint64_t off, void *buf, size_t n,
			  size_t *got)
{
	size_t size;
	const char *p = lookup(cwd, path, &size);

	if (!p)
		return KR_ENOENT;
	*got = off >= size ? 0 : n < size - off ? n : size - off;
	memcpy(buf, p + off, *got);
	return KR_OK;
}

/* <karyon/vfs.h> came in with sys_file.c, under the renames: its member
 * read is kr_test_read in this file. */
static const struct kr_vfs_ops fake_vfs = { .stat = fake_stat, .kr_test_read = fake_read };

static char lines[8][128];
static int nlines;

static void diag(void *ctx, const char *line)
{
	(void)ctx;
	if (nlines < 8)
		snprintf(lines[nlines++], sizeof(lines[0]), "%s", line);
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(source); i++)
		source[i] = (char)(' ' + (i * 7) % 95);
	nlines = 0;
	sys_files_begin(&fake_vfs, "/src", diag, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sys_files_end();
	return 0;
}

/* ---- against glibc ---- */

static void same_reads_and_seeks_as_glibc(void **state)
{
	char path[] = "/tmp/test_sys_file_XXXXXX";
	int ref = mkstemp(path), fd;
	char a[4096], b[4096];
	static const struct { int whence; long off; size_t n; } steps[] = {
		{ SEEK_CUR, 0, 10 }, { SEEK_CUR, -3, 100 }, { SEEK_SET, 2990, 100 },
		{ SEEK_END, 0, 10 }, { SEEK_END, -1, 1 }, { SEEK_SET, 0, 4096 },
		{ SEEK_SET, 3000, 5 }, { SEEK_CUR, -3000, 0 }, { SEEK_SET, 1234, 7 },
	};

	(void)state;
	assert_true(ref >= 0);
	assert_int_equal(write(ref, source, sizeof(source)), sizeof(source));
	assert_int_equal(lseek(ref, 0, SEEK_SET), 0);
	unlink(path);
	fd = kr_test_open("main.c", O_RDONLY);          /* relative to the cwd */
	assert_true(fd >= 3);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		long want = lseek(ref, steps[i].off, steps[i].whence);

		assert_int_equal(kr_test_lseek(fd, steps[i].off, steps[i].whence), want);
		want = read(ref, a, steps[i].n);
		assert_int_equal(kr_test_read(fd, b, steps[i].n), want);
		assert_memory_equal(a, b, (size_t)want);
	}
	errno = 0;
	assert_int_equal(kr_test_lseek(fd, -1, SEEK_SET), lseek(ref, -1, SEEK_SET));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kr_test_close(fd), 0);
	assert_int_equal(close(ref), 0);
	errno = 0;
	assert_int_equal(kr_test_read(fd, b, 1), -1);   /* closed: as glibc */
	assert_int_equal(errno, EBADF);
	assert_int_equal(kr_test_close(fd), -1);
	assert_int_equal(errno, EBADF);
}

static void missing_files_as_glibc(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(kr_test_open("/usr/include/nosuch.h", O_RDONLY), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(open("/nonexistent/nosuch.h", O_RDONLY), -1);
	assert_int_equal(errno, ENOENT);
}

static void includes_by_absolute_path(void **state)
{
	char buf[64] = { 0 };
	int fd = kr_test_open("/usr/include/defs.h", O_RDONLY);

	(void)state;
	assert_true(fd >= 3);
	assert_int_equal(kr_test_read(fd, buf, sizeof(buf)), strlen(header));
	assert_string_equal(buf, header);
	assert_int_equal(kr_test_read(fd, buf, sizeof(buf)), 0);   /* end of file */
	assert_int_equal(kr_test_close(fd), 0);
}

/* ---- what differs on purpose ---- */

static void only_the_object_is_writable(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(kr_test_open("main.c", O_WRONLY), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(kr_test_unlink("main.c"), -1);
	assert_int_equal(kr_test_unlink(SYS_OBJECT_PATH), 0);
	assert_int_equal(kr_test_open(SYS_OBJECT_PATH, O_RDONLY), -1);
}

static void object_file_kept_in_memory(void **state)
{
	static char big[20000];
	kr_test_FILE *f;
	size_t len;
	const char *obj;
	int fd = kr_test_open(SYS_OBJECT_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	(void)state;
	assert_true(fd >= 3);
	assert_int_equal(kr_test_open(SYS_OBJECT_PATH, O_WRONLY), -1);  /* one writer */
	f = kr_test_fdopen(fd, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)i;
	assert_int_equal(kr_test_fwrite("\177ELF", 1, 4, f), 4);
	assert_int_equal(kr_test_fputc('!', f), '!');
	assert_int_equal(kr_test_fwrite(big, 10, sizeof(big) / 10, f), sizeof(big) / 10);
	assert_null(sys_object(&len));                  /* not before it is closed */
	assert_int_equal(kr_test_fclose(f), 0);
	obj = sys_object(&len);
	assert_int_equal(len, 5 + sizeof(big));
	assert_memory_equal(obj, "\177ELF!", 5);
	assert_memory_equal(obj + 5, big, sizeof(big));
	free((void *)obj);
}

static void printing_becomes_diagnostic_lines(void **state)
{
	(void)state;
	assert_int_equal(kr_test_fprintf_chk(kr_test_stderr, 1, "tcc: error: %s %d\nnext", "x", 5),
			 20);
	assert_int_equal(kr_test_fputs(" line\n", kr_test_stderr), 1);
	assert_int_equal(kr_test_puts("to stdout"), 1);
	sys_files_end();                                /* flushes a partial line too */
	assert_int_equal(nlines, 3);
	assert_string_equal(lines[0], "tcc: error: x 5");
	assert_string_equal(lines[1], "next line");
	assert_string_equal(lines[2], "to stdout");
	sys_files_begin(&fake_vfs, "/src", diag, NULL);
}

static void descriptors_run_out_cleanly(void **state)
{
	int fds_open[32], n = 0, fd;

	(void)state;
	while ((fd = kr_test_open("/usr/include/defs.h", O_RDONLY)) >= 0 && n < 32)
		fds_open[n++] = fd;
	assert_int_equal(fd, -1);
	assert_int_equal(errno, EMFILE);
	assert_int_equal(n, NFDS - 3);
	while (n)
		assert_int_equal(kr_test_close(fds_open[--n]), 0);
	fd = kr_test_open("/usr/include/defs.h", O_RDONLY);
	assert_true(fd >= 3);
	kr_test_close(fd);
}

static void cwd_as_getcwd(void **state)
{
	char buf[8];

	(void)state;
	assert_string_equal(kr_test_getcwd(buf, sizeof(buf)), "/src");
	assert_null(kr_test_getcwd(buf, 4));            /* too small, as glibc: NULL */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(same_reads_and_seeks_as_glibc, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_files_as_glibc, setup, teardown),
		cmocka_unit_test_setup_teardown(includes_by_absolute_path, setup, teardown),
		cmocka_unit_test_setup_teardown(only_the_object_is_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(object_file_kept_in_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(printing_becomes_diagnostic_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(descriptors_run_out_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(cwd_as_getcwd, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
