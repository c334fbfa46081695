/*
 * test_vfs.c - host tests for the vfs module's in-memory file system
 * (modules/vfs/vfs_fs.c).
 *
 * Memory comes from a tracking allocator that checks every free against
 * its allocation's size, fills blocks with junk (so nothing relies on
 * zeroed memory) and can fail the Nth allocation; the clock is a counter.
 * The state of a file system is compared as a text dump built only through
 * the public API (list, stat, read), so "errors change nothing" is checked
 * byte for byte, mtimes included.  A seeded random sequence of operations
 * runs against a flat model (an array of paths) that reimplements the
 * documented semantics independently, with allocation failures injected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vfs/vfs_fs.h"

/* ---- tracking allocator and clock ---- */

struct talloc {
	long count;             /* allocations asked for so far */
	long fail_at;           /* fail allocation number fail_at (0: never) */
	bool failed;
	uint64_t now;           /* the clock: counts its calls */
	struct { void *p; size_t n; } rec[8192];
	size_t live;
};

static void *t_alloc(void *ctx, size_t n)
{
	struct talloc *t = ctx;
	void *p;

	if (++t->count == t->fail_at) {
		t->failed = true;
		return NULL;
	}
	assert_true(n > 0);
	assert_true(t->live < sizeof(t->rec) / sizeof(t->rec[0]));
	p = malloc(n);
	assert_non_null(p);
	memset(p, 0xa5, n);
	t->rec[t->live].p = p;
	t->rec[t->live++].n = n;
	return p;
}

static void t_free(void *ctx, void *p, size_t n)
{
	struct talloc *t = ctx;

	for (size_t i = 0; i < t->live; i++) {
		if (t->rec[i].p == p) {
			assert_int_equal(t->rec[i].n, n);
			memset(p, 0x6b, n);
			free(p);
			t->rec[i] = t->rec[--t->live];
			return;
		}
	}
	fail_msg("free of %p (%zu bytes) that is not allocated", p, n);
}

static uint64_t t_clock(void *ctx)
{
	return ++((struct talloc *)ctx)->now;
}

static struct talloc *ta;
static struct vfs_alloc va = { .alloc = t_alloc, .free = t_free };

static int setup(void **state)
{
	(void)state;
	ta = calloc(1, sizeof(*ta));
	va.ctx = ta;
	return ta ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(ta->live, 0);
	free(ta);
	return 0;
}

static struct vfs *mkfs(const struct vfs_limits *lim)
{
	struct vfs *fs = NULL;

	assert_int_equal(vfs_create(&va, lim, t_clock, &fs), KR_OK);
	return fs;
}

/* ---- dumps: the whole state through the public API ---- */

struct buf {
	char *s;
	size_t len, cap;
};

static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

struct dumpctx {
	struct vfs *fs;
	struct buf *b;
	bool mtimes;
	const char *dir;
	char prev[256];
};

static void dump_line(struct dumpctx *c, const char *path, const struct kr_vfs_stat *st)
{
	if (st->type == KR_VFS_DIR) {
		assert_int_equal(st->size, 0);
		bprintf(c->b, "%s D %u", path, st->entries);
	} else {
		uint8_t *data = malloc(st->size + 1);
		size_t got = 99;

		assert_int_equal(st->type, KR_VFS_FILE);
		assert_int_equal(st->entries, 0);
		assert_int_equal(vfs_read(c->fs, NULL, path, 0, data, st->size + 1, &got), KR_OK);
		assert_int_equal(got, st->size);
		bprintf(c->b, "%s F %zu ", path, got);
		for (size_t i = 0; i < got; i++)
			bprintf(c->b, "%02x", data[i]);
		free(data);
	}
	if (c->mtimes)
		bprintf(c->b, " m=%llu", (unsigned long long)st->mtime);
	bprintf(c->b, "\n");
}

static kr_err_t dump_cb(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	struct dumpctx *c = ctx, sub = *c;
	char path[1100];

	if (c->prev[0])
		assert_true(strcmp(c->prev, name) < 0);        /* sorted, no duplicates */
	snprintf(c->prev, sizeof(c->prev), "%s", name);
	snprintf(path, sizeof(path), "%s/%s", strcmp(c->dir, "/") ? c->dir : "", name);
	dump_line(c, path, st);
	if (st->type == KR_VFS_DIR) {
		sub.dir = path;
		sub.prev[0] = '\0';
		assert_int_equal(vfs_list(c->fs, NULL, path, dump_cb, &sub), KR_OK);
	}
	return KR_OK;
}

static char *dump(struct vfs *fs, bool mtimes)
{
	struct buf b = { 0 };
	struct dumpctx c = { .fs = fs, .b = &b, .mtimes = mtimes, .dir = "/" };
	struct kr_vfs_stat st;
	struct vfs_usage u;

	assert_int_equal(vfs_stat(fs, NULL, "/", &st), KR_OK);
	dump_line(&c, "/", &st);
	assert_int_equal(vfs_list(fs, NULL, "/", dump_cb, &c), KR_OK);
	vfs_usage(fs, &u);
	bprintf(&b, "usage %zu %zu\n", u.nodes, u.bytes);
	return b.s;
}

/* ---- vfs_normalize ---- */

static void test_normalize_table(void **state)
{
	static const struct { const char *cwd, *path, *out; kr_err_t err; } t[] = {
		{ "/", "/", "/", 0 },
		{ NULL, "/a/b", "/a/b", 0 },
		{ NULL, "a", "/a", 0 },
		{ "/x", "a", "/x/a", 0 },
		{ "/x/y", "..", "/x", 0 },
		{ "/x", "../../..", "/", 0 },
		{ "/", "..", "/", 0 },
		{ "/", "/../../a", "/a", 0 },
		{ "/", "a//b///c/", "/a/b/c", 0 },
		{ "//a//", ".", "/a", 0 },
		{ "/a", "./b/./c/.", "/a/b/c", 0 },
		{ "/a/b", "../c/../d", "/a/d", 0 },
		{ "/a", "b/..", "/a", 0 },
		{ "/a/b/", "../../../../x/", "/x", 0 },
		{ "a/b", "c", "/a/b/c", 0 },            /* relative cwd: from "/" */
		{ "/cwd", "/abs", "/abs", 0 },
		{ "/bad\x01", "/x", "/x", 0 },          /* cwd unused */
		{ "/", "...", "/...", 0 },
		{ "/", ".a/a./..b", "/.a/a./..b", 0 },
		{ "/", "caf\xc3\xa9", "/caf\xc3\xa9", 0 },
		{ "/", "", NULL, KR_EINVAL },
		{ "/", NULL, NULL, KR_EINVAL },
		{ "/", "a\tb", NULL, KR_EINVAL },
		{ "/", "a\x7f", NULL, KR_EINVAL },
		{ "/", "\n", NULL, KR_EINVAL },
		{ "/bad\x1f", "x", NULL, KR_EINVAL },
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(out, 'Z', sizeof(out));
		kr_err_t r = vfs_normalize(t[i].cwd, t[i].path, out, sizeof(out));

		if (r != t[i].err)
			fail_msg("case %zu: %d, expected %d", i, r, t[i].err);
		if (t[i].out && strcmp(out, t[i].out))
			fail_msg("case %zu: \"%s\", expected \"%s\"", i, out, t[i].out);
	}
	assert_int_equal(vfs_normalize("/", "a", NULL, 10), KR_EINVAL);
}

static void test_normalize_length(void **state)
{
	char out[8], *big = malloc(5000);

	(void)state;
	assert_int_equal(vfs_normalize("/", "/abc", out, 5), KR_OK);
	assert_string_equal(out, "/abc");
	memset(out, 'Z', sizeof(out));
	assert_int_equal(vfs_normalize("/", "/abc", out, 4), KR_ERANGE);
	assert_int_equal(out[0], 'Z');                  /* nothing written */
	assert_int_equal(vfs_normalize("/", "/", out, 2), KR_OK);
	assert_int_equal(vfs_normalize("/", "/", out, 1), KR_ERANGE);
	assert_int_equal(vfs_normalize("/", "/", out, 0), KR_ERANGE);
	assert_int_equal(vfs_normalize("/abcd", "e", out, 8), KR_OK);
	assert_string_equal(out, "/abcd/e");
	assert_int_equal(vfs_normalize("/abcd", "ef", out, 8), KR_ERANGE);
	/* A long name taken back by "..": only the result has to fit. */
	big[0] = '/';
	memset(big + 1, 'x', 4000);
	strcpy(big + 4001, "/../y");
	assert_int_equal(vfs_normalize(NULL, big, out, 3), KR_OK);
	assert_string_equal(out, "/y");
	assert_int_equal(vfs_normalize(big, "..", out, 2), KR_OK);
	assert_string_equal(out, "/");
	free(big);
}

/* Left to right with a stack of names: a different algorithm from vfs's. */
static void ref_normalize(const char *cwd, const char *path, char *out)
{
	char tmp[512], *names[128], *tok, *save;
	int n = 0;

	snprintf(tmp, sizeof(tmp), "%s/%s", path[0] == '/' || !cwd ? "" : cwd, path);
	for (tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, ".."))
			n -= n > 0;
		else if (strcmp(tok, "."))
			names[n++] = tok;
	}
	strcpy(out, n ? "" : "/");
	for (int i = 0; i < n; i++)
		strcat(strcat(out, "/"), names[i]);
}

static void test_normalize_random(void **state)
{
	static const char *tok[] = { "a", "bc", ".", "..", "/", "//", "x.y", "...", "d" };
	char cwd[200], path[200], want[512], got[512];

	(void)state;
	srand(7);
	for (int iter = 0; iter < 20000; iter++) {
		cwd[0] = path[0] = '\0';
		strcat(cwd, rand() % 2 ? "/" : "");
		for (int k = rand() % 8; k-- > 0;)
			strcat(strcat(cwd, tok[rand() % 9]), rand() % 3 ? "/" : "");
		strcat(path, rand() % 3 ? "" : "/");
		for (int k = 1 + rand() % 8; k-- > 0;)
			strcat(strcat(path, tok[rand() % 9]), rand() % 3 ? "/" : "");
		ref_normalize(cwd, path, want);
		size_t outlen = 1 + (size_t)rand() % 40;
		kr_err_t r = vfs_normalize(cwd, path, got, outlen);

		if (strlen(want) < outlen) {
			assert_int_equal(r, KR_OK);
			if (strcmp(want, got))
				fail_msg("\"%s\" + \"%s\": \"%s\", expected \"%s\"", cwd, path, got, want);
		} else {
			assert_int_equal(r, KR_ERANGE);
		}
	}
}

/* ---- create / destroy ---- */

static void test_create(void **state)
{
	struct vfs *fs = NULL;
	struct vfs_alloc bad = va;
	struct vfs_limits huge = { .path_max = SIZE_MAX / 2 };
	struct vfs_usage u;

	(void)state;
	assert_int_equal(vfs_create(NULL, NULL, NULL, &fs), KR_EINVAL);
	assert_int_equal(vfs_create(&va, NULL, NULL, NULL), KR_EINVAL);
	bad.alloc = NULL;
	assert_int_equal(vfs_create(&bad, NULL, NULL, &fs), KR_EINVAL);
	bad = va;
	bad.free = NULL;
	assert_int_equal(vfs_create(&bad, NULL, NULL, &fs), KR_EINVAL);
	assert_int_equal(vfs_create(&va, &huge, NULL, &fs), KR_ERANGE);
	assert_null(fs);
	assert_int_equal(ta->live, 0);
	/* Running out of memory at each allocation: nothing is left behind. */
	for (long n = 1;; n++) {
		ta->fail_at = ta->count + n;
		ta->failed = false;
		kr_err_t r = vfs_create(&va, NULL, NULL, &fs);

		if (!ta->failed) {
			assert_int_equal(r, KR_OK);
			break;
		}
		assert_int_equal(r, KR_ENOMEM);
		assert_int_equal(ta->live, 0);
	}
	ta->fail_at = 0;
	vfs_usage(fs, &u);
	assert_int_equal(u.nodes, 0);
	assert_int_equal(u.bytes, 0);
	/* No clock: mtimes are 0. */
	assert_int_equal(vfs_write(fs, NULL, "/f", "x", 1, false), KR_OK);
	struct kr_vfs_stat st;
	assert_int_equal(vfs_stat(fs, NULL, "/f", &st), KR_OK);
	assert_int_equal(st.mtime, 0);
	vfs_destroy(fs);
	vfs_destroy(NULL);
}

/* ---- operations ---- */

static void stat_ok(struct vfs *fs, const char *p, uint32_t type, uint64_t size, uint32_t entries)
{
	struct kr_vfs_stat st;

	assert_int_equal(vfs_stat(fs, NULL, p, &st), KR_OK);
	assert_int_equal(st.type, type);
	assert_int_equal(st.size, size);
	assert_int_equal(st.entries, entries);
}

static uint64_t mtime(struct vfs *fs, const char *p)
{
	struct kr_vfs_stat st;

	assert_int_equal(vfs_stat(fs, NULL, p, &st), KR_OK);
	return st.mtime;
}

/* Every call that returns an error here must leave the dump as it was. */
#define FAILS(call, err)                                                \
	do {                                                            \
		char *before_ = dump(fs, true);                         \
		size_t live_ = ta->live;                                \
		assert_int_equal((call), (err));                        \
		char *after_ = dump(fs, true);                          \
		assert_string_equal(before_, after_);                   \
		assert_int_equal(ta->live, live_);                      \
		free(before_);                                          \
		free(after_);                                           \
	} while (0)

static void test_mkdir(void **state)
{
	struct vfs *fs = mkfs(NULL);
	struct kr_vfs_stat st;

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/a", false), KR_OK);
	assert_int_equal(mtime(fs, "/a"), 1);
	assert_int_equal(mtime(fs, "/"), 1);
	FAILS(vfs_mkdir(fs, NULL, "/a", false), KR_EEXIST);
	assert_int_equal(vfs_mkdir(fs, NULL, "/a", true), KR_OK);    /* -p: no change */
	assert_int_equal(mtime(fs, "/a"), 1);
	FAILS(vfs_mkdir(fs, NULL, "/", false), KR_EEXIST);
	assert_int_equal(vfs_mkdir(fs, NULL, "/", true), KR_OK);
	FAILS(vfs_mkdir(fs, NULL, "/a/b/c", false), KR_ENOENT);
	assert_int_equal(vfs_mkdir(fs, NULL, "/a/b/c/d", true), KR_OK);
	stat_ok(fs, "/a", KR_VFS_DIR, 0, 1);
	stat_ok(fs, "/a/b", KR_VFS_DIR, 0, 1);
	stat_ok(fs, "/a/b/c/d", KR_VFS_DIR, 0, 0);
	assert_int_equal(mtime(fs, "/a"), 2);           /* one clock reading for all */
	assert_int_equal(mtime(fs, "/a/b/c/d"), 2);
	assert_int_equal(mtime(fs, "/"), 1);
	assert_int_equal(vfs_mkdir(fs, "/a/b", "../e", false), KR_OK);
	stat_ok(fs, "/a", KR_VFS_DIR, 0, 2);
	assert_int_equal(vfs_write(fs, NULL, "/f", "x", 1, false), KR_OK);
	FAILS(vfs_mkdir(fs, NULL, "/f", false), KR_EEXIST);
	FAILS(vfs_mkdir(fs, NULL, "/f", true), KR_EEXIST);
	FAILS(vfs_mkdir(fs, NULL, "/f/x", false), KR_ENOENT);
	FAILS(vfs_mkdir(fs, NULL, "/f/x/y", true), KR_ENOENT);
	FAILS(vfs_mkdir(fs, NULL, "", true), KR_EINVAL);
	FAILS(vfs_mkdir(fs, NULL, "/a\x01", true), KR_EINVAL);
	/* "/f/.." is "/" lexically, although /f is a file. */
	assert_int_equal(vfs_mkdir(fs, "/f", "../g", false), KR_OK);
	assert_int_equal(vfs_stat(fs, NULL, "/g", &st), KR_OK);
	vfs_destroy(fs);
}

static void test_write_read(void **state)
{
	struct vfs *fs = mkfs(NULL);
	char buf[64];
	size_t got;
	struct vfs_usage u;

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/d", false), KR_OK);      /* t=1 */
	assert_int_equal(vfs_write(fs, "/d", "f", "hello", 5, false), KR_OK);  /* t=2 */
	stat_ok(fs, "/d/f", KR_VFS_FILE, 5, 0);
	assert_int_equal(mtime(fs, "/d/f"), 2);
	assert_int_equal(mtime(fs, "/d"), 2);
	assert_int_equal(vfs_read(fs, NULL, "/d/f", 0, buf, sizeof(buf), &got), KR_OK);
	assert_int_equal(got, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(vfs_read(fs, NULL, "/d/f", 1, buf, 3, &got), KR_OK);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "ell", 3);
	assert_int_equal(vfs_read(fs, NULL, "/d/f", 5, buf, 3, &got), KR_OK);
	assert_int_equal(got, 0);
	assert_int_equal(vfs_read(fs, NULL, "/d/f", UINT64_MAX, buf, 3, &got), KR_OK);
	assert_int_equal(got, 0);
	assert_int_equal(vfs_read(fs, NULL, "/d/f", 0, NULL, 0, &got), KR_OK);
	assert_int_equal(vfs_write(fs, NULL, "/d/f", " world", 6, true), KR_OK);      /* t=3 */
	assert_int_equal(mtime(fs, "/d/f"), 3);
	assert_int_equal(mtime(fs, "/d"), 2);          /* entries unchanged */
	assert_int_equal(vfs_read(fs, NULL, "/d/f", 0, buf, sizeof(buf), &got), KR_OK);
	assert_int_equal(got, 11);
	assert_memory_equal(buf, "hello world", 11);
	assert_int_equal(vfs_write(fs, NULL, "/d/f", "HELLO WORLD", 11, false), KR_OK);  /* same size */
	assert_int_equal(vfs_write(fs, NULL, "/d/f", "ab", 2, false), KR_OK);           /* shorter */
	assert_int_equal(vfs_read(fs, NULL, "/d/f", 0, buf, sizeof(buf), &got), KR_OK);
	assert_int_equal(got, 2);
	assert_memory_equal(buf, "ab", 2);
	assert_int_equal(vfs_write(fs, NULL, "/d/f", NULL, 0, true), KR_OK);
	assert_int_equal(vfs_write(fs, NULL, "/d/f", NULL, 0, false), KR_OK);            /* empty */
	stat_ok(fs, "/d/f", KR_VFS_FILE, 0, 0);
	assert_int_equal(vfs_write(fs, NULL, "/e", NULL, 0, false), KR_OK);
	stat_ok(fs, "/e", KR_VFS_FILE, 0, 0);
	assert_int_equal(vfs_write(fs, NULL, "/e", "xyz", 3, true), KR_OK);
	vfs_usage(fs, &u);
	assert_int_equal(u.nodes, 3);
	assert_int_equal(u.bytes, 3);
	assert_int_equal(ta->live, 1 + 3 + 1);          /* fs with "/", 3 nodes, 1 buffer */

	FAILS(vfs_write(fs, NULL, "/d", "x", 1, false), KR_EINVAL);
	FAILS(vfs_write(fs, NULL, "/", "x", 1, false), KR_EINVAL);
	FAILS(vfs_write(fs, NULL, "/nodir/f", "x", 1, false), KR_ENOENT);
	FAILS(vfs_write(fs, NULL, "/e/f", "x", 1, false), KR_ENOENT);
	FAILS(vfs_write(fs, NULL, "/g", NULL, 1, false), KR_EINVAL);
	FAILS(vfs_read(fs, NULL, "/d", 0, buf, 1, &got), KR_EINVAL);
	FAILS(vfs_read(fs, NULL, "/x", 0, buf, 1, &got), KR_ENOENT);
	FAILS(vfs_read(fs, NULL, "/e", 0, buf, 1, NULL), KR_EINVAL);
	FAILS(vfs_stat(fs, NULL, "/x", &(struct kr_vfs_stat){ 0 }), KR_ENOENT);
	FAILS(vfs_stat(fs, NULL, "/e/x", &(struct kr_vfs_stat){ 0 }), KR_ENOENT);
	vfs_destroy(fs);
}

static void test_remove(void **state)
{
	struct vfs *fs = mkfs(NULL);
	size_t base = ta->live;
	struct vfs_usage u;

	(void)state;
	FAILS(vfs_remove(fs, NULL, "/", true), KR_EPERM);
	FAILS(vfs_remove(fs, "/", "..", false), KR_EPERM);
	FAILS(vfs_remove(fs, NULL, "/x", true), KR_ENOENT);
	assert_int_equal(vfs_mkdir(fs, NULL, "/a/b/c", true), KR_OK);
	assert_int_equal(vfs_write(fs, NULL, "/a/b/f", "data", 4, false), KR_OK);
	assert_int_equal(vfs_write(fs, NULL, "/a/b/c/g", "more", 4, false), KR_OK);
	assert_int_equal(vfs_write(fs, NULL, "/a/h", "", 0, false), KR_OK);
	FAILS(vfs_remove(fs, NULL, "/a/h/x", true), KR_ENOENT);
	FAILS(vfs_remove(fs, NULL, "/a", false), KR_EBUSY);
	FAILS(vfs_remove(fs, NULL, "/a/b/c", false), KR_EBUSY);
	assert_int_equal(vfs_remove(fs, NULL, "/a/b/c/g", false), KR_OK);
	uint64_t t = ta->now;
	assert_int_equal(mtime(fs, "/a/b/c"), t);
	assert_int_equal(vfs_remove(fs, NULL, "/a/b/c", false), KR_OK);   /* now empty */
	assert_int_equal(vfs_write(fs, NULL, "/a/b/c2", "zz", 2, false), KR_OK);
	assert_int_equal(vfs_remove(fs, "/a/b", "../h", false), KR_OK);
	assert_int_equal(vfs_remove(fs, NULL, "/a", true), KR_OK);
	assert_int_equal(mtime(fs, "/"), ta->now);
	vfs_usage(fs, &u);
	assert_int_equal(u.nodes, 0);
	assert_int_equal(u.bytes, 0);
	assert_int_equal(ta->live, base);              /* every node and buffer freed */
	stat_ok(fs, "/", KR_VFS_DIR, 0, 0);
	vfs_destroy(fs);
}

static void test_rename(void **state)
{
	struct vfs *fs = mkfs(NULL);
	char buf[16];
	size_t got;
	struct vfs_usage u;

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/a/b/c", true), KR_OK);
	assert_int_equal(vfs_mkdir(fs, NULL, "/d", true), KR_OK);
	assert_int_equal(vfs_write(fs, NULL, "/a/b/f", "one", 3, false), KR_OK);
	assert_int_equal(vfs_write(fs, NULL, "/g", "two!", 4, false), KR_OK);
	uint64_t fm = mtime(fs, "/a/b/f");

	/* A new name in the same directory; the mtime goes with the file. */
	assert_int_equal(vfs_rename(fs, "/a/b", "f", "z"), KR_OK);
	assert_int_equal(mtime(fs, "/a/b/z"), fm);
	assert_int_equal(mtime(fs, "/a/b"), ta->now);
	FAILS(vfs_stat(fs, NULL, "/a/b/f", &(struct kr_vfs_stat){ 0 }), KR_ENOENT);
	/* Onto a directory: inside it, keeping the name. */
	assert_int_equal(vfs_rename(fs, NULL, "/a/b/z", "/d"), KR_OK);
	stat_ok(fs, "/d/z", KR_VFS_FILE, 3, 0);
	stat_ok(fs, "/a/b", KR_VFS_DIR, 0, 1);
	/* Over a file: replaced, its bytes no longer counted. */
	assert_int_equal(vfs_rename(fs, NULL, "/g", "/d/z"), KR_OK);
	assert_int_equal(vfs_read(fs, NULL, "/d/z", 0, buf, sizeof(buf), &got), KR_OK);
	assert_memory_equal(buf, "two!", 4);
	vfs_usage(fs, &u);
	assert_int_equal(u.bytes, 4);
	assert_int_equal(u.nodes, 5);
	/* A directory, with what is below it, to a new name elsewhere. */
	assert_int_equal(vfs_rename(fs, NULL, "/a/b", "/d/bb"), KR_OK);
	stat_ok(fs, "/d/bb/c", KR_VFS_DIR, 0, 0);
	assert_int_equal(vfs_write(fs, NULL, "/d/bb/c/new", "n", 1, false), KR_OK);
	stat_ok(fs, "/d/bb", KR_VFS_DIR, 0, 1);
	/* Onto itself: nothing happens. */
	FAILS(vfs_rename(fs, NULL, "/d/bb/../z", "/d/z/"), KR_OK);
	FAILS(vfs_rename(fs, NULL, "/d/z", "/d"), KR_OK);
	FAILS(vfs_rename(fs, NULL, "/d/bb", "/d"), KR_OK);
	/* Into itself. */
	FAILS(vfs_rename(fs, NULL, "/d", "/d/bb/c/x"), KR_EINVAL);
	FAILS(vfs_rename(fs, NULL, "/d", "/d/bb"), KR_EINVAL);          /* -> /d/bb/d */
	FAILS(vfs_rename(fs, NULL, "/d/bb", "/d/bb/."), KR_EINVAL);     /* -> /d/bb/bb, as mv */
	FAILS(vfs_rename(fs, NULL, "/d", "/d"), KR_EINVAL);             /* -> /d/d */
	/* Clashes. */
	assert_int_equal(vfs_mkdir(fs, NULL, "/e/z", true), KR_OK);
	FAILS(vfs_rename(fs, NULL, "/d/z", "/e"), KR_EEXIST);           /* file onto /e/z dir */
	FAILS(vfs_rename(fs, NULL, "/e/z", "/d"), KR_EEXIST);           /* dir onto /d/z file */
	FAILS(vfs_rename(fs, NULL, "/e", "/d/z"), KR_EEXIST);
	FAILS(vfs_rename(fs, NULL, "/d", "/"), KR_OK);                  /* already there */
	FAILS(vfs_rename(fs, NULL, "/", "/x"), KR_EPERM);
	FAILS(vfs_rename(fs, NULL, "/nope", "/x"), KR_ENOENT);
	FAILS(vfs_rename(fs, NULL, "/d/z", "/nope/x"), KR_ENOENT);
	FAILS(vfs_rename(fs, NULL, "/d/z", "/d/z/x"), KR_ENOENT);       /* through a file */
	FAILS(vfs_rename(fs, NULL, "/d/z", ""), KR_EINVAL);
	/* Up a level and down again: the tree follows. */
	assert_int_equal(vfs_rename(fs, NULL, "/d/bb/c", "/"), KR_OK);
	stat_ok(fs, "/c/new", KR_VFS_FILE, 1, 0);
	assert_int_equal(vfs_rename(fs, NULL, "/c", "/e/z"), KR_OK);
	stat_ok(fs, "/e/z/c/new", KR_VFS_FILE, 1, 0);
	vfs_destroy(fs);
}

static void test_copy(void **state)
{
	struct vfs_limits lim = { .total_max = 10, .nodes_max = 4 };
	struct vfs *fs = mkfs(&lim);
	char buf[16];
	size_t got;
	struct vfs_usage u;

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/d/sub", true), KR_OK);
	assert_int_equal(vfs_write(fs, NULL, "/f", "abc", 3, false), KR_OK);
	assert_int_equal(vfs_copy(fs, NULL, "/f", "/g"), KR_OK);
	assert_int_equal(mtime(fs, "/g"), ta->now);
	assert_int_equal(vfs_read(fs, NULL, "/g", 0, buf, sizeof(buf), &got), KR_OK);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(vfs_write(fs, NULL, "/f", "X", 1, true), KR_OK);
	stat_ok(fs, "/g", KR_VFS_FILE, 3, 0);              /* a copy, not a link */
	vfs_usage(fs, &u);
	assert_int_equal(u.bytes, 7);
	FAILS(vfs_copy(fs, NULL, "/f", "/d"), KR_ENOSPC);    /* 4 more bytes > 10 */
	assert_int_equal(vfs_copy(fs, NULL, "/g", "/f"), KR_OK);    /* over a file */
	stat_ok(fs, "/f", KR_VFS_FILE, 3, 0);
	assert_int_equal(vfs_copy(fs, NULL, "/g", "/g"), KR_OK);    /* onto itself */
	stat_ok(fs, "/g", KR_VFS_FILE, 3, 0);
	assert_int_equal(vfs_read(fs, NULL, "/g", 0, buf, sizeof(buf), &got), KR_OK);
	assert_memory_equal(buf, "abc", 3);
	FAILS(vfs_copy(fs, NULL, "/f", "/d"), KR_ENOSPC);    /* a 5th node */
	assert_int_equal(vfs_remove(fs, NULL, "/g", false), KR_OK);
	assert_int_equal(vfs_copy(fs, NULL, "/f", "/d"), KR_OK);    /* into: /d/f */
	stat_ok(fs, "/d/f", KR_VFS_FILE, 3, 0);
	FAILS(vfs_copy(fs, NULL, "/d", "/x"), KR_EINVAL);
	FAILS(vfs_copy(fs, NULL, "/", "/x"), KR_EINVAL);
	FAILS(vfs_copy(fs, NULL, "/nope", "/x"), KR_ENOENT);
	FAILS(vfs_copy(fs, NULL, "/f", "/nope/x"), KR_ENOENT);
	assert_int_equal(vfs_remove(fs, NULL, "/d/f", false), KR_OK);
	assert_int_equal(vfs_rename(fs, NULL, "/d/sub", "/d/f"), KR_OK);
	FAILS(vfs_copy(fs, NULL, "/f", "/d"), KR_EEXIST);    /* /d/f is a directory */
	vfs_destroy(fs);
}

struct names {
	char got[16][8];
	int n, stop_at;
};

static kr_err_t collect(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	struct names *c = ctx;

	(void)st;
	if (c->n == c->stop_at)
		return KR_EALREADY;
	snprintf(c->got[c->n++], 8, "%s", name);
	return KR_OK;
}

static void test_list(void **state)
{
	static const char *order[] = { "B", "a", "a.b", "ab", "b", "\xc3\xa9" };
	static const char *insert[] = { "ab", "\xc3\xa9", "a", "b", "B", "a.b" };
	struct vfs *fs = mkfs(NULL);
	struct names c = { .stop_at = -1 };
	char p[16];

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/d", false), KR_OK);
	for (int i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "/d/%s", insert[i]);
		if (i % 2)
			assert_int_equal(vfs_mkdir(fs, NULL, p, true), KR_OK);
		else
			assert_int_equal(vfs_write(fs, NULL, p, "x", 1, false), KR_OK);
	}
	assert_int_equal(vfs_list(fs, NULL, "/d", collect, &c), KR_OK);
	assert_int_equal(c.n, 6);
	for (int i = 0; i < 6; i++)
		assert_string_equal(c.got[i], order[i]);
	c = (struct names){ .stop_at = 2 };
	assert_int_equal(vfs_list(fs, NULL, "/d", collect, &c), KR_EALREADY);
	assert_int_equal(c.n, 2);
	c = (struct names){ .stop_at = -1 };
	assert_int_equal(vfs_list(fs, "/d", "ab", collect, &c), KR_OK);      /* a file: itself */
	assert_int_equal(c.n, 1);
	assert_string_equal(c.got[0], "ab");
	c = (struct names){ .stop_at = -1 };
	assert_int_equal(vfs_list(fs, "/d", "b", collect, &c), KR_OK);       /* empty dir */
	assert_int_equal(c.n, 0);
	assert_int_equal(vfs_list(fs, NULL, "/x", collect, &c), KR_ENOENT);
	vfs_destroy(fs);
}

static void test_limits(void **state)
{
	struct vfs_limits lim = { .name_max = 4, .depth_max = 3, .path_max = 12,
				  .file_max = 8, .total_max = 12, .nodes_max = 6 };
	struct vfs *fs = mkfs(&lim);
	char big[16] = { 0 };

	(void)state;
	/* Names. */
	assert_int_equal(vfs_mkdir(fs, NULL, "/abcd", false), KR_OK);
	FAILS(vfs_mkdir(fs, NULL, "/abcde", false), KR_ERANGE);
	FAILS(vfs_stat(fs, NULL, "/abcde", &(struct kr_vfs_stat){ 0 }), KR_ERANGE);
	FAILS(vfs_write(fs, NULL, "/abcde", "x", 1, false), KR_ERANGE);
	/* Depth and path length. */
	assert_int_equal(vfs_mkdir(fs, NULL, "/a/b/c", true), KR_OK);
	FAILS(vfs_mkdir(fs, NULL, "/a/b/c/d", true), KR_ERANGE);
	FAILS(vfs_mkdir(fs, NULL, "/abcd/abcd/abcd", true), KR_ERANGE);     /* 15 > 12 */
	assert_int_equal(vfs_mkdir(fs, NULL, "/abcd/abc/ab", true), KR_OK); /* exactly 12 */
	FAILS(vfs_rename(fs, NULL, "/a/b", "/abcd/abc/ab"), KR_ERANGE);     /* too deep there */
	FAILS(vfs_rename(fs, NULL, "/abcd/abc", "/a/b"), KR_ERANGE);        /* -> /a/b/abc/ab */
	assert_int_equal(vfs_remove(fs, NULL, "/abcd", true), KR_OK);
	assert_int_equal(vfs_remove(fs, NULL, "/a/b", true), KR_OK);
	/* A subtree whose longest path would pass path_max, though not depth_max. */
	assert_int_equal(vfs_mkdir(fs, NULL, "/p/abcd", true), KR_OK);
	assert_int_equal(vfs_mkdir(fs, NULL, "/abcd", true), KR_OK);
	FAILS(vfs_rename(fs, NULL, "/p", "/abcd/qq"), KR_ERANGE);           /* /abcd/qq/abcd: 13 */
	assert_int_equal(vfs_rename(fs, NULL, "/p", "/abcd/q"), KR_OK);     /* 12 */
	stat_ok(fs, "/abcd/q/abcd", KR_VFS_DIR, 0, 0);
	assert_int_equal(vfs_remove(fs, NULL, "/abcd", true), KR_OK);
	/* Nodes: 6 at most; mkdir -p creates all or nothing. */
	assert_int_equal(vfs_mkdir(fs, NULL, "/a/b/c", true), KR_OK);       /* 3 */
	assert_int_equal(vfs_write(fs, NULL, "/f", "12345678", 8, false), KR_OK);    /* 4 */
	FAILS(vfs_mkdir(fs, NULL, "/x/y/z", true), KR_ENOSPC);
	FAILS(vfs_mkdir(fs, NULL, "/a/x/y/z", true), KR_ERANGE);
	assert_int_equal(vfs_mkdir(fs, NULL, "/x/y", true), KR_OK);          /* 6 */
	FAILS(vfs_write(fs, NULL, "/g", "", 0, false), KR_ENOSPC);
	FAILS(vfs_mkdir(fs, NULL, "/g", false), KR_ENOSPC);
	FAILS(vfs_copy(fs, NULL, "/f", "/a"), KR_ENOSPC);
	/* File size. */
	FAILS(vfs_write(fs, NULL, "/f", "x", 1, true), KR_ENOSPC);
	FAILS(vfs_write(fs, NULL, "/f", big, 9, false), KR_ENOSPC);
	FAILS(vfs_write(fs, NULL, "/f", big, SIZE_MAX, true), KR_ENOSPC);
	assert_int_equal(vfs_write(fs, NULL, "/f", big, 8, false), KR_OK);
	/* Total bytes: 8 + 4 fits, 8 + 5 does not. */
	assert_int_equal(vfs_remove(fs, NULL, "/x/y", false), KR_OK);
	FAILS(vfs_write(fs, NULL, "/g", big, 5, false), KR_ENOSPC);
	assert_int_equal(vfs_write(fs, NULL, "/g", big, 4, false), KR_OK);
	FAILS(vfs_write(fs, NULL, "/g", big, 1, true), KR_ENOSPC);
	assert_int_equal(vfs_write(fs, NULL, "/f", big, 7, false), KR_OK);  /* shrink, then */
	assert_int_equal(vfs_write(fs, NULL, "/g", big, 1, true), KR_OK);   /* room again */
	FAILS(vfs_copy(fs, NULL, "/g", "/a/b/c"), KR_ERANGE);   /* /a/b/c/g: 4 deep */
	vfs_destroy(fs);
}

/* The longest path of a moved tree, found past a deeper branch. */
static void test_limits_extent(void **state)
{
	struct vfs_limits lim = { .name_max = 9, .path_max = 16 };
	struct vfs *fs = mkfs(&lim);

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/p/a/b/c", true), KR_OK);
	assert_int_equal(vfs_mkdir(fs, NULL, "/p/zzzzzzz", true), KR_OK);  /* 8 from /p */
	FAILS(vfs_rename(fs, NULL, "/p", "/qqqqqqqq"), KR_ERANGE);  /* 9 + 8 */
	assert_int_equal(vfs_rename(fs, NULL, "/p", "/qqqqqqq"), KR_OK);    /* 8 + 8 */
	stat_ok(fs, "/qqqqqqq/zzzzzzz", KR_VFS_DIR, 0, 0);
	stat_ok(fs, "/qqqqqqq/a/b/c", KR_VFS_DIR, 0, 0);
	vfs_destroy(fs);
}

static void test_mtimes(void **state)
{
	struct vfs *fs = mkfs(NULL);

	(void)state;
	ta->now = 1000;
	assert_int_equal(vfs_mkdir(fs, NULL, "/a", false), KR_OK);         /* 1001 */
	assert_int_equal(vfs_write(fs, NULL, "/a/f", "x", 1, false), KR_OK); /* 1002 */
	assert_int_equal(vfs_write(fs, NULL, "/a/f", "y", 1, false), KR_OK); /* 1003 */
	assert_int_equal(vfs_copy(fs, NULL, "/a/f", "/g"), KR_OK);         /* 1004 */
	assert_int_equal(vfs_rename(fs, NULL, "/g", "/a/h"), KR_OK);       /* 1005 */
	assert_int_equal(mtime(fs, "/"), 1005);
	assert_int_equal(mtime(fs, "/a"), 1005);
	assert_int_equal(mtime(fs, "/a/f"), 1003);
	assert_int_equal(mtime(fs, "/a/h"), 1004);
	/* Failures do not read the clock either. */
	assert_int_equal(vfs_write(fs, NULL, "/a", "x", 1, false), KR_EINVAL);
	assert_int_equal(vfs_remove(fs, NULL, "/a", false), KR_EBUSY);
	assert_int_equal(ta->now, 1005);
	vfs_destroy(fs);
}

/* ---- allocation failure at every point of a scripted sequence ---- */

static kr_err_t script_op(struct vfs *fs, int i)
{
	switch (i) {
	case 0: return vfs_mkdir(fs, NULL, "/a/b/c", true);
	case 1: return vfs_mkdir(fs, NULL, "/d", false);
	case 2: return vfs_write(fs, NULL, "/a/b/f", "hello", 5, false);
	case 3: return vfs_write(fs, NULL, "/a/b/f", " world", 6, true);
	case 4: return vfs_write(fs, NULL, "/a/b/f", "x", 1, false);
	case 5: return vfs_write(fs, NULL, "/d/empty", "", 0, false);
	case 6: return vfs_write(fs, NULL, "/d/empty", "now", 3, true);
	case 7: return vfs_copy(fs, NULL, "/a/b/f", "/d");
	case 8: return vfs_copy(fs, NULL, "/a/b/f", "/d/g");
	case 9: return vfs_copy(fs, NULL, "/d/empty", "/d/g");
	case 10: return vfs_rename(fs, NULL, "/a/b", "/d");
	case 11: return vfs_rename(fs, NULL, "/d/g", "/d/h");
	case 12: return vfs_rename(fs, NULL, "/d/h", "/d/f");
	case 13: return vfs_rename(fs, NULL, "/d/b", "/d/renamed");
	case 14: return vfs_write(fs, NULL, "/d/renamed/c/new", "...", 3, false);
	case 15: return vfs_mkdir(fs, NULL, "/x/y/z", true);
	case 16: return vfs_rename(fs, NULL, "/d", "/x/y/z");
	case 17: return vfs_remove(fs, NULL, "/x/y", true);
	case 18: return vfs_write(fs, NULL, "/a/last", "end", 3, true);
	default: return 1;
	}
}

static void test_oom_script(void **state)
{
	struct vfs *fs = mkfs(NULL);
	long failures = 0;

	(void)state;
	for (int i = 0; i < 19; i++) {
		for (long n = 1;; n++) {
			char *before = dump(fs, true);
			size_t live = ta->live;
			uint64_t now = ta->now;
			kr_err_t r;

			ta->fail_at = ta->count + n;
			ta->failed = false;
			r = script_op(fs, i);
			ta->fail_at = 0;
			if (!ta->failed) {
				if (r != KR_OK)
					fail_msg("op %d: %d", i, r);
				free(before);
				break;
			}
			char *after = dump(fs, true);

			if (r != KR_ENOMEM)
				fail_msg("op %d, allocation %ld: %d", i, n, r);
			assert_string_equal(before, after);
			assert_int_equal(ta->live, live);
			assert_int_equal(ta->now, now);
			failures++;
			free(before);
			free(after);
		}
	}
	assert_true(failures >= 15);
	char *end = dump(fs, false);
	assert_string_equal(end,
		"/ D 2\n/a D 1\n/a/last F 3 656e64\n/x D 0\nusage 3 3\n");
	free(end);
	vfs_destroy(fs);
}

/* ---- random operations against a model ---- */

#define MN 64
struct ment {
	bool used, dir;
	char path[32];
	uint8_t data[64];
	size_t len;
};
static struct ment model[MN];
static const struct vfs_limits mlim = { .depth_max = 3, .file_max = 24, .total_max = 60,
					.nodes_max = 12 };

static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static struct ment *m_find(const char *p)
{
	for (int i = 0; i < MN; i++)
		if (model[i].used && !strcmp(model[i].path, p))
			return &model[i];
	return NULL;
}

static int m_depth(const char *p)
{
	int d = 0;

	for (; p[1] && *p; p++)
		d += *p == '/';
	return d;
}

static void m_parent(const char *p, char *out)
{
	strcpy(out, p);
	*strrchr(out, '/') = '\0';
	if (!out[0])
		strcpy(out, "/");
}

static bool m_isdir(const char *p)
{
	struct ment *e = m_find(p);

	return !strcmp(p, "/") || (e && e->dir);
}

static bool m_under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(p, dir, n) && p[n] == '/';
}

static size_t m_nodes(void)
{
	size_t n = 0;

	for (int i = 0; i < MN; i++)
		n += model[i].used;
	return n;
}

static size_t m_bytes(void)
{
	size_t n = 0;

	for (int i = 0; i < MN; i++)
		n += model[i].used ? model[i].len : 0;
	return n;
}

static struct ment *m_new(const char *p, bool dir)
{
	for (int i = 0; i < MN; i++) {
		if (!model[i].used) {
			model[i] = (struct ment){ .used = true, .dir = dir };
			strcpy(model[i].path, p);
			return &model[i];
		}
	}
	fail_msg("model full");
	return NULL;
}

static void m_remove_tree(const char *p)
{
	for (int i = 0; i < MN; i++)
		if (model[i].used && (!strcmp(model[i].path, p) || m_under(model[i].path, p)))
			model[i].used = false;
}

/* The first k names of p. */
static void m_prefix(const char *p, int k, char *out)
{
	const char *e = p;

	while (k-- > 0 && e)
		e = strchr(e + 1, '/');
	snprintf(out, 32, "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
}

static kr_err_t m_mkdir(const char *p, bool parents)
{
	char q[32];
	int d = m_depth(p), k;
	struct ment *m;

	if (d > 3)
		return KR_ERANGE;
	if (!strcmp(p, "/"))
		return parents ? KR_OK : KR_EEXIST;
	for (k = 1; k <= d; k++) {      /* the first missing prefix */
		m_prefix(p, k, q);
		if (!(m = m_find(q)))
			break;
		if (k == d)
			return m->dir && parents ? KR_OK : KR_EEXIST;
		if (!m->dir)
			return KR_ENOENT;
	}
	if (d - k > 0 && !parents)
		return KR_ENOENT;
	if (m_nodes() + (size_t)(d - k + 1) > mlim.nodes_max)
		return KR_ENOSPC;
	for (; k <= d; k++) {
		m_prefix(p, k, q);
		m_new(q, true);
	}
	return KR_OK;
}

static kr_err_t m_put(const char *p, const uint8_t *data, size_t n, bool append)
{
	struct ment *e = m_find(p);
	char par[32];
	uint8_t tmp[64];
	size_t old = e ? e->len : 0, size = append ? old + n : n;

	m_parent(p, par);
	if (!strcmp(p, "/") || (e && e->dir))
		return KR_EINVAL;
	if (!e && !m_isdir(par))
		return KR_ENOENT;
	if (size > mlim.file_max)
		return KR_ENOSPC;
	if (size > old && m_bytes() - old + size > mlim.total_max)
		return KR_ENOSPC;
	if (!e && m_nodes() >= mlim.nodes_max)
		return KR_ENOSPC;
	memcpy(tmp, data, n);
	if (!e)
		e = m_new(p, false);
	if (!append)
		e->len = 0;
	memcpy(e->data + e->len, tmp, n);
	e->len += n;
	return KR_OK;
}

static kr_err_t m_write(const char *p, const uint8_t *data, size_t n, bool append)
{
	char par[32];

	if (m_depth(p) > 3)
		return KR_ERANGE;
	m_parent(p, par);
	if (!m_find(p) && strcmp(p, "/") && !m_isdir(par))
		return KR_ENOENT;
	return m_put(p, data, n, append);
}

static kr_err_t m_remove(const char *p, bool rec)
{
	if (m_depth(p) > 3)
		return KR_ERANGE;
	if (!strcmp(p, "/"))
		return KR_EPERM;
	struct ment *e = m_find(p);

	if (!e)
		return KR_ENOENT;
	if (!rec && e->dir)
		for (int i = 0; i < MN; i++)
			if (model[i].used && m_under(model[i].path, p))
				return KR_EBUSY;
	m_remove_tree(p);
	return KR_OK;
}

/* mv/cp: the checks on the source's path, then on the target's. */
static kr_err_t m_source(const char *f, const char *t)
{
	if (m_depth(f) > 3 || m_depth(t) > 3)
		return KR_ERANGE;
	return strcmp(f, "/") && !m_find(f) ? KR_ENOENT : KR_OK;
}

/* T: t, or t/NAME when t is a directory. */
static kr_err_t m_dest(const char *f, const char *t, char *T)
{
	char par[32];

	m_parent(t, par);
	if (strcmp(t, "/") && !m_find(t) && !m_isdir(par))
		return KR_ENOENT;
	strcpy(T, t);
	if (!m_isdir(t))
		return KR_OK;
	if (m_depth(t) + 1 > 3)
		return KR_ERANGE;
	snprintf(T, 32, "%s/%s", strcmp(t, "/") ? t : "", strrchr(f, '/') + 1);
	return KR_OK;
}

static kr_err_t m_rename(const char *f, const char *t)
{
	char T[32], np[64];
	kr_err_t r = m_source(f, t);

	if (r)
		return r;
	if (!strcmp(f, "/"))
		return KR_EPERM;
	if ((r = m_dest(f, t, T)))
		return r;
	if (!strcmp(T, f))
		return KR_OK;
	bool sdir = m_isdir(f);

	if (sdir && m_under(T, f))
		return KR_EINVAL;
	struct ment *d = m_find(T);

	if (d && (d->dir || sdir))
		return KR_EEXIST;
	for (int i = 0; i < MN; i++)
		if (model[i].used && m_under(model[i].path, f) &&
		    m_depth(T) + m_depth(model[i].path) - m_depth(f) > 3)
			return KR_ERANGE;
	if (d)
		d->used = false;
	for (int i = 0; i < MN; i++) {
		if (model[i].used && (!strcmp(model[i].path, f) || m_under(model[i].path, f))) {
			snprintf(np, sizeof(np), "%s%s", T, model[i].path + strlen(f));
			strcpy(model[i].path, np);
		}
	}
	return KR_OK;
}

static kr_err_t m_copy(const char *f, const char *t)
{
	char T[32];
	uint8_t tmp[64];
	kr_err_t r = m_source(f, t);

	if (r)
		return r;
	if (m_isdir(f))
		return KR_EINVAL;
	if ((r = m_dest(f, t, T)))
		return r;
	struct ment *s = m_find(f), *d = m_find(T);

	if (d && d->dir)
		return KR_EEXIST;
	memcpy(tmp, s->data, s->len);
	return m_put(T, tmp, s->len, false);
}

static int m_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ment *)a)->path, ((const struct ment *)b)->path);
}

static char *m_dump(void)
{
	struct ment all[MN + 1];
	struct buf b = { 0 };
	int n = 0;

	all[n++] = (struct ment){ .used = true, .dir = true, .path = "/" };
	for (int i = 0; i < MN; i++)
		if (model[i].used)
			all[n++] = model[i];
	qsort(all, (size_t)n, sizeof(all[0]), m_cmp);
	for (int i = 0; i < n; i++) {
		if (all[i].dir) {
			unsigned k = 0;

			for (int j = 0; j < n; j++) {
				char par[32];

				if (strcmp(all[j].path, "/")) {
					m_parent(all[j].path, par);
					k += !strcmp(par, all[i].path);
				}
			}
			bprintf(&b, "%s D %u\n", all[i].path, k);
		} else {
			bprintf(&b, "%s F %zu ", all[i].path, all[i].len);
			for (size_t j = 0; j < all[i].len; j++)
				bprintf(&b, "%02x", all[i].data[j]);
			bprintf(&b, "\n");
		}
	}
	bprintf(&b, "usage %zu %zu\n", m_nodes(), m_bytes());
	return b.s;
}

static void rnd_path(char *p)
{
	static const char *names[] = { "a", "b", "c" };
	int d = (int)rnd(5);

	strcpy(p, d ? "" : "/");
	while (d-- > 0)
		strcat(strcat(p, "/"), names[rnd(3)]);
}

static void test_random_model(void **state)
{
	static const char *opname[] = { "mkdir", "write", "remove", "rename", "copy", "read" };
	struct vfs *fs;
	char a[32], b[32], line[128];
	uint8_t data[16], buf[64];
	int counts[6][2] = { { 0 } }, injected = 0;

	(void)state;
	for (uint64_t seed = 1; seed <= 6; seed++) {
		rng = seed * 0x9e3779b97f4a7c15ull;
		memset(model, 0, sizeof(model));
		fs = mkfs(&mlim);
		for (int step = 0; step < 4000; step++) {
			struct ment saved[MN];
			char *before = dump(fs, true);
			int op = (int)rnd(6);
			bool flag = rnd(2);
			size_t n = rnd(17), got;
			kr_err_t r, rm = KR_OK;

			memcpy(saved, model, sizeof(model));
			for (size_t i = 0; i < n; i++)
				data[i] = (uint8_t)rnd(256);
			rnd_path(a);
			rnd_path(b);
			ta->failed = false;
			ta->fail_at = rnd(4) ? 0 : ta->count + 1 + rnd(2);
			switch (op) {
			case 0: r = vfs_mkdir(fs, NULL, a, flag); rm = m_mkdir(a, flag); break;
			case 1: r = vfs_write(fs, NULL, a, data, n, flag); rm = m_write(a, data, n, flag); break;
			case 2: r = vfs_remove(fs, NULL, a, flag); rm = m_remove(a, flag); break;
			case 3: r = vfs_rename(fs, NULL, a, b); rm = m_rename(a, b); break;
			case 4: r = vfs_copy(fs, NULL, a, b); rm = m_copy(a, b); break;
			default:
				r = vfs_read(fs, NULL, a, 0, buf, sizeof(buf), &got);
				if (m_depth(a) > 3)
					rm = KR_ERANGE;
				else if (!m_find(a) && strcmp(a, "/"))
					rm = KR_ENOENT;
				else if (m_isdir(a))
					rm = KR_EINVAL;
				else {
					assert_int_equal(got, m_find(a)->len);
					assert_memory_equal(buf, m_find(a)->data, got);
				}
			}
			ta->fail_at = 0;
			snprintf(line, sizeof(line), "seed %llu step %d: %s %s %s flag %d n %zu",
				 (unsigned long long)seed, step, opname[op], a, b, flag, n);
			if (ta->failed) {
				/* The model says what should have happened without the failure. */
				if (r != KR_ENOMEM || rm != KR_OK)
					fail_msg("%s: %d under allocation failure, model %d", line, r, rm);
				memcpy(model, saved, sizeof(model));
				injected++;
			} else if (r != rm) {
				fail_msg("%s: %d, model %d", line, r, rm);
			}
			counts[op][r == KR_OK]++;
			char *fsd = dump(fs, false), *md = m_dump();

			if (strcmp(fsd, md))
				fail_msg("%s:\nfs:\n%smodel:\n%s", line, fsd, md);
			if (r != KR_OK) {
				char *after = dump(fs, true);

				if (strcmp(before, after))
					fail_msg("%s: failed but changed the fs", line);
				free(after);
			}
			/* The fs (with "/"), a node each, a buffer per non-empty file. */
			size_t want = 1 + m_nodes();

			for (int i = 0; i < MN; i++)
				want += model[i].used && model[i].len;
			assert_int_equal(ta->live, want);
			free(fsd);
			free(md);
			free(before);
		}
		vfs_destroy(fs);
		assert_int_equal(ta->live, 0);
	}
	assert_true(injected > 200);
	/* The sequence reached both outcomes of every operation. */
	for (int op = 0; op < 6; op++)
		if (!counts[op][0] || !counts[op][1])
			fail_msg("%s: %d failed, %d succeeded", opname[op], counts[op][0], counts[op][1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_table),
		cmocka_unit_test(test_normalize_length),
		cmocka_unit_test(test_normalize_random),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits_extent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtimes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oom_script, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
