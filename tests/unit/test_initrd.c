/*
 * test_initrd.c - host tests for the cpio newc unpacker (modules/vfs/initrd.c).
 *
 * Archives are built here by a small newc writer (and, when the system's
 * cpio is installed, by `cpio -o -H newc` from a real directory tree, as a
 * check that the writer and the reader agree with the real thing).  Each
 * archive is handed over in an exact-size heap copy, so ASan catches any
 * read past its end.  Every rejection is checked for its code, its message
 * and for having created nothing; a valid archive is cut at every length
 * and randomly mutated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "vfs/initrd.h"

/* ---- memory for the vfs: malloc with a size check ---- */

static long live, fail_at, nallocs;

static void *t_alloc(void *ctx, size_t n)
{
	size_t *p;

	(void)ctx;
	if (++nallocs == fail_at)
		return NULL;
	p = malloc(n + sizeof(size_t));
	assert_non_null(p);
	*p = n;
	live++;
	return p + 1;
}

static void t_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	assert_int_equal(((size_t *)p)[-1], n);
	live--;
	free((size_t *)p - 1);
}

static const struct vfs_alloc va = { .alloc = t_alloc, .free = t_free };

static struct vfs *mkfs(const struct vfs_limits *lim)
{
	struct vfs *fs = NULL;

	assert_int_equal(vfs_create(&va, lim, NULL, &fs), KR_OK);
	return fs;
}

static size_t nodes(struct vfs *fs)
{
	struct vfs_usage u;

	vfs_usage(fs, &u);
	return u.nodes;
}

static void file_is(struct vfs *fs, const char *path, const void *data, size_t n)
{
	char buf[4096];
	size_t got;

	if (vfs_read(fs, NULL, path, 0, buf, sizeof(buf), &got) != KR_OK)
		fail_msg("%s: cannot read", path);
	assert_int_equal(got, n);
	assert_memory_equal(buf, data, n);
}

static void dir_is(struct vfs *fs, const char *path, uint32_t entries)
{
	struct kr_vfs_stat st;

	if (vfs_stat(fs, NULL, path, &st) != KR_OK)
		fail_msg("%s: missing", path);
	assert_int_equal(st.type, KR_VFS_DIR);
	assert_int_equal(st.entries, entries);
}

/* ---- a newc writer ---- */

#define CPIO_HDR_SIZE 110
enum { DIR = 040755, REG = 0100644, LNK = 0120777, CHR = 020644, FIFO = 010644 };
enum { F_MODE = 1, F_FILESIZE = 6, F_NAMESIZE = 11 };

struct cpio {
	uint8_t *b;
	size_t len, cap;
};

static void put(struct cpio *c, const void *p, size_t n)
{
	if (c->len + n > c->cap) {
		c->cap = (c->len + n) * 2 + 64;
		c->b = realloc(c->b, c->cap);
		assert_non_null(c->b);
	}
	memcpy(c->b + c->len, p, n);
	c->len += n;
}

static void pad(struct cpio *c, size_t to)
{
	while (c->len % to)
		put(c, "", 1);
}

/* One entry; returns the offset of its header. */
static size_t add(struct cpio *c, const char *name, uint32_t mode, const void *data, size_t n)
{
	static uint32_t ino = 100;
	char hdr[CPIO_HDR_SIZE + 1];
	size_t off = c->len;

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino++, mode, 0u, 0u, 1u, 1700000000u, (uint32_t)n, 0u, 0u, 0u, 0u,
		 (uint32_t)strlen(name) + 1, 0u);
	put(c, hdr, CPIO_HDR_SIZE);
	put(c, name, strlen(name) + 1);
	pad(c, 4);
	if (n)
		put(c, data, n);
	pad(c, 4);
	return off;
}

static size_t trailer(struct cpio *c)
{
	size_t off = add(c, "TRAILER!!!", 0, NULL, 0);

	pad(c, 512);    /* as cpio does */
	return off;
}

static void set_field(struct cpio *c, size_t hdr, int field, uint32_t v)
{
	char s[9];

	snprintf(s, sizeof(s), "%08X", v);
	memcpy(c->b + hdr + 6 + 8 * field, s, 8);
}

/* Unpack an exact-size copy of a[0..len). */
static kr_err_t unpack(struct vfs *fs, const uint8_t *a, size_t len, char *err, uint32_t *files)
{
	uint8_t *copy = malloc(len ? len : 1);
	kr_err_t r;

	memcpy(copy, a, len);
	r = initrd_unpack(fs, copy, len, err, 200, files);
	free(copy);
	return r;
}

/* ---- tests ---- */

static void test_basic(void **state)
{
	struct cpio c = { 0 };
	struct vfs *fs = mkfs(NULL);
	char err[200] = "junk";
	uint32_t files = 99;

	(void)state;
	add(&c, ".", DIR, NULL, 0);
	add(&c, "./etc", DIR, NULL, 0);
	add(&c, "./etc/hostname", REG, "karyon\n", 7);
	add(&c, "./etc/empty", REG, NULL, 0);
	add(&c, "./bin", DIR, NULL, 0);
	add(&c, "bin/sh", REG, "#!", 2);
	add(&c, "/abs/olute", REG, "x", 1);         /* absolute: under "/" all the same */
	trailer(&c);
	add(&c, "after", REG, "ignored", 7);        /* past the trailer */
	assert_int_equal(unpack(fs, c.b, c.len, err, &files), KR_OK);
	assert_string_equal(err, "");
	assert_int_equal(files, 4);
	dir_is(fs, "/", 3);
	dir_is(fs, "/etc", 2);
	dir_is(fs, "/abs", 1);
	file_is(fs, "/etc/hostname", "karyon\n", 7);
	file_is(fs, "/etc/empty", "", 0);
	file_is(fs, "/bin/sh", "#!", 2);
	file_is(fs, "/abs/olute", "x", 1);
	assert_int_equal(vfs_stat(fs, NULL, "/after", &(struct kr_vfs_stat){ 0 }), KR_ENOENT);
	/* NULL err and files_out are allowed; an empty archive is not one. */
	vfs_destroy(fs);
	fs = mkfs(NULL);
	assert_int_equal(initrd_unpack(fs, c.b, c.len, NULL, 0, NULL), KR_OK);
	assert_int_equal(initrd_unpack(fs, NULL, 0, err, sizeof(err), &files), KR_ETRUNC);
	assert_int_equal(initrd_unpack(NULL, c.b, c.len, err, sizeof(err), &files), KR_EINVAL);
	assert_int_equal(initrd_unpack(fs, NULL, 10, err, sizeof(err), &files), KR_EINVAL);
	vfs_destroy(fs);
	assert_int_equal(live, 0);
	free(c.b);
}

/* Every residue of header+name and of data modulo 4. */
static void test_alignment(void **state)
{
	struct cpio c = { 0 };
	struct vfs *fs = mkfs(NULL);
	char name[32], data[16];
	uint32_t files;

	(void)state;
	for (int s = 0; s <= 8; s++)
		for (int l = 1; l <= 8; l++) {
			snprintf(name, sizeof(name), "d%d/%.*s", s, l, "abcdefgh");
			for (int i = 0; i < s; i++)
				data[i] = (char)('A' + l + i);
			add(&c, name, REG, data, (size_t)s);
		}
	trailer(&c);
	assert_int_equal(unpack(fs, c.b, c.len, NULL, &files), KR_OK);
	assert_int_equal(files, 72);
	for (int s = 0; s <= 8; s++)
		for (int l = 1; l <= 8; l++) {
			snprintf(name, sizeof(name), "/d%d/%.*s", s, l, "abcdefgh");
			for (int i = 0; i < s; i++)
				data[i] = (char)('A' + l + i);
			file_is(fs, name, data, (size_t)s);
		}
	vfs_destroy(fs);
	free(c.b);
}

/* Children before their directories (find -depth), directories never
 * listed, and ".." that stays inside. */
static void test_order_and_parents(void **state)
{
	struct cpio c = { 0 };
	struct vfs *fs = mkfs(NULL);
	uint32_t files;

	(void)state;
	add(&c, "a/b/f", REG, "1", 1);
	add(&c, "a/b", DIR, NULL, 0);
	add(&c, "a", DIR, NULL, 0);
	add(&c, "x/y/z/deep", REG, "2", 1);
	add(&c, "a/../c/./g", REG, "3", 1);
	add(&c, "a//b///h", REG, "4", 1);
	trailer(&c);
	assert_int_equal(unpack(fs, c.b, c.len, NULL, &files), KR_OK);
	assert_int_equal(files, 4);
	dir_is(fs, "/a/b", 2);
	file_is(fs, "/a/b/f", "1", 1);
	file_is(fs, "/x/y/z/deep", "2", 1);
	file_is(fs, "/c/g", "3", 1);
	file_is(fs, "/a/b/h", "4", 1);
	vfs_destroy(fs);
	free(c.b);
}

static void test_skipped(void **state)
{
	struct cpio c = { 0 };
	struct vfs *fs = mkfs(NULL);
	char err[200], want[200];
	uint32_t files;
	size_t lnk;

	(void)state;
	add(&c, "dev", DIR, NULL, 0);
	lnk = add(&c, "lnk", LNK, "target", 6);
	add(&c, "dev/console", CHR, NULL, 0);
	add(&c, "fifo", FIFO, NULL, 0);
	add(&c, "f", REG, "x", 1);
	trailer(&c);
	assert_int_equal(unpack(fs, c.b, c.len, err, &files), KR_OK);
	assert_int_equal(files, 1);
	snprintf(want, sizeof(want), "skipped 3 entries that are neither file nor directory, "
		 "the first \"lnk\" at offset %zu", lnk);
	assert_string_equal(err, want);
	assert_int_equal(nodes(fs), 2);                 /* /dev and /f */
	dir_is(fs, "/dev", 0);
	vfs_destroy(fs);
	free(c.b);
}

/* A valid two-entry archive for the malformed cases to break. */
static struct cpio base(size_t *e1, size_t *e2)
{
	struct cpio c = { 0 };

	*e1 = add(&c, "d", DIR, NULL, 0);
	*e2 = add(&c, "d/file", REG, "contents", 8);
	trailer(&c);
	return c;
}

static void expect_refused(struct cpio *c, size_t len, kr_err_t code, const char *msg)
{
	struct vfs *fs = mkfs(NULL);
	char err[200];
	uint32_t files = 99;
	kr_err_t r = unpack(fs, c->b, len, err, &files);

	if (r != code || !strstr(err, msg))
		fail_msg("got %d \"%s\", expected %d \"...%s...\"", r, err, code, msg);
	assert_int_equal(nodes(fs), 0);                 /* checked before anything is made */
	assert_int_equal(files, 0);
	vfs_destroy(fs);
	assert_int_equal(live, 0);
}

static void test_malformed(void **state)
{
	size_t e1, e2;
	struct cpio c;
	char want[200];

	(void)state;
	c = base(&e1, &e2);
	memcpy(c.b + e2, "070702", 6);
	snprintf(want, sizeof(want), "entry 2 at offset %zu: bad magic (not a cpio newc archive)", e2);
	expect_refused(&c, c.len, KR_EFORMAT, want);
	memcpy(c.b + e1, "070707", 6);                  /* the old binary-less "odc" format */
	expect_refused(&c, c.len, KR_EFORMAT, "entry 1 at offset 0: bad magic");
	free(c.b);

	for (int field = 0; field < 13; field++) {
		static const char bad[] = "gG -x";

		for (const char *b = bad; *b; b++) {
			c = base(&e1, &e2);
			c.b[e2 + 6 + 8 * field + (size_t)(b - bad) % 8] = (uint8_t)*b;
			expect_refused(&c, c.len, KR_EFORMAT, "header field is not 8 hex digits");
			free(c.b);
		}
	}
	/* Lower-case hex is hex. */
	c = base(&e1, &e2);
	memcpy(c.b + e2 + 6, "abcdef01", 8);            /* the inode */
	memcpy(c.b + e2 + 6 + 8 * 5, "DeadBeef", 8);    /* the mtime */
	{
		struct vfs *fs = mkfs(NULL);

		assert_int_equal(unpack(fs, c.b, c.len, NULL, NULL), KR_OK);
		vfs_destroy(fs);
	}
	free(c.b);

	c = base(&e1, &e2);
	set_field(&c, e2, F_NAMESIZE, 0);
	expect_refused(&c, c.len, KR_EFORMAT, "entry 2 at offset 112: name size is 0");
	free(c.b);

	c = base(&e1, &e2);
	c.b[e2 + CPIO_HDR_SIZE + 6] = 'x';                   /* "d/file" loses its NUL */
	expect_refused(&c, c.len, KR_EFORMAT, "name is not NUL-terminated");
	free(c.b);

	c = base(&e1, &e2);
	c.b[e2 + CPIO_HDR_SIZE + 1] = '\0';                  /* "d\0file" */
	expect_refused(&c, c.len, KR_EFORMAT, "NUL inside the name");
	free(c.b);

	static const struct { const char *name; const char *msg; } names[] = {
		{ "", "empty name" },
		{ "a\nb", "control character in the name" },
		{ "a\x7f", "control character in the name" },
		{ "..", "name climbs above / with .." },
		{ "../etc/passwd", "name climbs above / with .." },
		{ "a/../../b", "name climbs above / with .." },
		{ "./..", "name climbs above / with .." },
		{ "/../x", "name climbs above / with .." },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		c = (struct cpio){ 0 };
		add(&c, "ok", DIR, NULL, 0);
		add(&c, names[i].name, REG, "x", 1);
		trailer(&c);
		expect_refused(&c, c.len, KR_EFORMAT, names[i].msg);
		free(c.b);
	}
	/* The name is shown once it is known to be printable. */
	c = (struct cpio){ 0 };
	add(&c, "a/../..", DIR, NULL, 0);
	trailer(&c);
	expect_refused(&c, c.len, KR_EFORMAT, "entry 1 at offset 0: name climbs");
	free(c.b);

	c = (struct cpio){ 0 };
	e1 = add(&c, "dir", DIR, "data", 4);
	trailer(&c);
	expect_refused(&c, c.len, KR_EFORMAT, "entry 1 (\"dir\") at offset 0: directory with data");
	free(c.b);

	c = base(&e1, &e2);
	set_field(&c, e2, F_NAMESIZE, 0xffffffffu);
	expect_refused(&c, c.len, KR_ETRUNC, "name runs past the end");
	set_field(&c, e2, F_NAMESIZE, (uint32_t)(c.len - e2 - CPIO_HDR_SIZE + 1));
	expect_refused(&c, c.len, KR_ETRUNC, "name runs past the end");
	free(c.b);

	c = base(&e1, &e2);
	set_field(&c, e2, F_FILESIZE, 0xffffffffu);
	expect_refused(&c, c.len, KR_ETRUNC, "entry 2 (\"d/file\") at offset 112: data runs past the end");
	free(c.b);

	c = (struct cpio){ 0 };
	add(&c, "d", DIR, NULL, 0);
	add(&c, "f", REG, "x", 1);
	expect_refused(&c, c.len, KR_ETRUNC, "entry 3 at offset 228: the archive ends without a TRAILER!!! entry");
	free(c.b);
}

/* The vfs refuses an entry: what came before it stays. */
static void test_vfs_errors(void **state)
{
	struct cpio c = { 0 };
	struct vfs *fs;
	struct vfs_limits lim = { .file_max = 4, .name_max = 8 };
	char err[200], want[200];
	uint32_t files;
	size_t off;

	(void)state;
	add(&c, "d", DIR, NULL, 0);
	add(&c, "d/f", REG, "one", 3);
	off = add(&c, "./d/f", REG, "two", 3);
	add(&c, "g", REG, "never", 5);
	trailer(&c);
	fs = mkfs(NULL);
	assert_int_equal(unpack(fs, c.b, c.len, err, &files), KR_EEXIST);
	snprintf(want, sizeof(want), "entry 3 (\"./d/f\") at offset %zu: already exists", off);
	assert_string_equal(err, want);
	assert_int_equal(files, 1);
	file_is(fs, "/d/f", "one", 3);
	assert_int_equal(nodes(fs), 2);
	vfs_destroy(fs);
	free(c.b);

	static const struct { const char *a, *b; int bmode; kr_err_t code; } cases[] = {
		{ "f", "f", DIR, KR_EEXIST },           /* a directory over a file */
		{ "f", "f/x", REG, KR_EEXIST },         /* a file under a file: mkdir -p f */
		{ "f", "f/x", DIR, KR_ENOENT },         /* mkdir -p f/x */
		{ "f", "big", REG, KR_ENOSPC },         /* over file_max */
		{ "f", "longername", REG, KR_ERANGE },  /* over name_max */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = (struct cpio){ 0 };
		add(&c, cases[i].a, REG, "x", 1);
		add(&c, cases[i].b, (uint32_t)cases[i].bmode, "12345", cases[i].bmode == DIR ? 0 : 5);
		trailer(&c);
		fs = mkfs(&lim);
		assert_int_equal(unpack(fs, c.b, c.len, err, &files), cases[i].code);
		assert_non_null(strstr(err, "entry 2"));
		assert_non_null(strstr(err, kr_strerror(cases[i].code)));
		assert_int_equal(files, 1);
		file_is(fs, "/f", "x", 1);
		vfs_destroy(fs);
		free(c.b);
	}

	/* Out of memory at each allocation: an error, never a crash or a leak. */
	c = (struct cpio){ 0 };
	add(&c, "a/b/c", REG, "abc", 3);
	add(&c, "a/d", DIR, NULL, 0);
	add(&c, "e", REG, "e", 1);
	trailer(&c);
	for (long n = 1;; n++) {
		kr_err_t r;

		fs = mkfs(NULL);
		fail_at = nallocs + n;
		r = unpack(fs, c.b, c.len, err, &files);
		fail_at = 0;
		if (r == KR_OK) {
			assert_int_equal(files, 2);
			vfs_destroy(fs);
			break;
		}
		assert_int_equal(r, KR_ENOMEM);
		assert_non_null(strstr(err, "out of memory"));
		vfs_destroy(fs);
		assert_int_equal(live, 0);
	}
	free(c.b);
}

static struct cpio sample(size_t *end)
{
	struct cpio c = { 0 };
	size_t t;

	add(&c, ".", DIR, NULL, 0);
	add(&c, "etc", DIR, NULL, 0);
	add(&c, "etc/motd", REG, "welcome to karyon\n", 18);
	add(&c, "etc/e", REG, NULL, 0);
	add(&c, "lnk", LNK, "etc", 3);
	add(&c, "bin/x", REG, "\x7f" "ELF", 4);
	t = trailer(&c);
	*end = t + CPIO_HDR_SIZE + sizeof("TRAILER!!!");
	return c;
}

static void test_truncation(void **state)
{
	size_t end;
	struct cpio c = sample(&end);

	(void)state;
	for (size_t len = 0; len <= c.len; len++) {
		struct vfs *fs = mkfs(NULL);
		char err[200];
		kr_err_t r = unpack(fs, c.b, len, err, NULL);

		if (len >= end) {
			assert_int_equal(r, KR_OK);
			file_is(fs, "/etc/motd", "welcome to karyon\n", 18);
		} else {
			if (r != KR_ETRUNC)
				fail_msg("length %zu: %d %s", len, r, err);
			assert_int_equal(nodes(fs), 0);
		}
		vfs_destroy(fs);
	}
	assert_int_equal(live, 0);
	free(c.b);
}

static void test_fuzz(void **state)
{
	size_t end;
	struct cpio c = sample(&end);
	uint8_t *m = malloc(c.len);
	struct vfs_limits lim = { .nodes_max = 8, .total_max = 64 };
	static const uint8_t interesting[] = { '0', '7', '1', 'f', 'F', 'g', '/', '.', 0, 0xff };
	int outcome[3] = { 0 };

	(void)state;
	srand(42);
	for (int iter = 0; iter < 20000; iter++) {
		struct vfs *fs = mkfs(&lim);
		char err[200];
		size_t len = rand() % 4 ? end : (size_t)rand() % (c.len + 1);
		kr_err_t r;

		memcpy(m, c.b, c.len);
		for (int k = 1 + rand() % 4; k-- > 0;)
			m[(size_t)rand() % end] = rand() % 2 ? interesting[rand() % 10] : (uint8_t)rand();
		r = unpack(fs, m, len, err, NULL);
		if (r == KR_EFORMAT || r == KR_ETRUNC)
			assert_int_equal(nodes(fs), 0);
		outcome[r == KR_OK ? 0 : r == KR_EFORMAT || r == KR_ETRUNC ? 1 : 2]++;
		vfs_destroy(fs);
	}
	assert_int_equal(live, 0);
	assert_true(outcome[0] > 100 && outcome[1] > 100);
	free(m);
	free(c.b);
}

/* ---- the real cpio ---- */

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static uint8_t *run_cpio(const char *dir, const char *find_args, size_t *len)
{
	char cmd[512];
	uint8_t *buf = NULL;
	size_t cap = 0, n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "cd '%s' && find %s | LC_ALL=C sort %s | cpio -o -H newc --quiet",
		 dir, find_args, strstr(find_args, "depth") ? "-r" : "");
	p = popen(cmd, "r");
	assert_non_null(p);
	*len = 0;
	do {
		if (*len + 4096 > cap)
			buf = realloc(buf, cap = cap * 2 + 4096);
		n = fread(buf + *len, 1, 4096, p);
		*len += n;
	} while (n);
	assert_int_equal(pclose(p), 0);
	return buf;
}

static void test_system_cpio(void **state)
{
	char dir[] = "/tmp/karyon-initrd-XXXXXX", path[256], cmd[300];
	static const char *sub[] = { "etc", "bin", "deep", "deep/a", "deep/a/b", "emptydir" };
	static const char *finds[] = { ".", ". -depth", "etc bin deep emptydir empty link" };

	(void)state;
	if (system("command -v cpio >/dev/null 2>&1"))
		skip();
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	snprintf(path, sizeof(path), "%s/etc/hostname", dir);
	write_file(path, "karyon\n");
	snprintf(path, sizeof(path), "%s/bin/odd", dir);
	write_file(path, "12345");                      /* 5 bytes: data padding */
	snprintf(path, sizeof(path), "%s/deep/a/b/file-with-a-longer-name", dir);
	write_file(path, "deep");
	snprintf(path, sizeof(path), "%s/empty", dir);
	write_file(path, "");
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("etc/hostname", path), 0);

	for (size_t i = 0; i < sizeof(finds) / sizeof(finds[0]); i++) {
		size_t len;
		uint8_t *a = run_cpio(dir, finds[i], &len);
		struct vfs *fs = mkfs(NULL);
		char err[200];
		uint32_t files;

		assert_int_equal(len % 512, 0);
		assert_int_equal(unpack(fs, a, len, err, &files), KR_OK);
		assert_int_equal(files, 4);
		assert_non_null(strstr(err, "skipped 1 entries"));
		assert_non_null(strstr(err, "link"));
		file_is(fs, "/etc/hostname", "karyon\n", 7);
		file_is(fs, "/bin/odd", "12345", 5);
		file_is(fs, "/deep/a/b/file-with-a-longer-name", "deep", 4);
		file_is(fs, "/empty", "", 0);
		dir_is(fs, "/emptydir", 0);
		dir_is(fs, "/", 5);                     /* etc bin deep emptydir empty */
		vfs_destroy(fs);
		free(a);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_order_and_parents),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_vfs_errors),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_system_cpio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
