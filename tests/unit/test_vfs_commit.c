/*
 * test_vfs_commit.c - host tests for the vfs as the commit log's part
 * "vfs": records (modules/vfs/commit.c), the dry run behind check and the
 * copies behind views (vfs_fs.c), /ckpt (modules/vfs/ckpt.c), and the
 * packed trees live replacement hands over (vfs_pack/vfs_unpack).
 *
 * The central property: check (a dry run on the live tree) gives exactly
 * the verdict a real apply gives on a copy of that tree, and changes
 * nothing, clock included.  It is tested over every operation, flag and
 * path of a small pool, on trees that a seeded random sequence of applied
 * records keeps changing, under limits small enough that every error code
 * comes up.  Digests are checked against values computed with Python's
 * hashlib: python3 -c 'import hashlib; print(hashlib.blake2b(b"fhi",
 * digest_size=32).hexdigest())'.
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

#include "vfs/ckpt.h"
#include "vfs/commit.h"

/* ---- memory: counted, with an optional failure at allocation N ---- */

static long live_blocks, alloc_count, fail_at;

/* ctx is the tree's part (its clock): memory does not depend on it. */
static void *t_alloc(void *ctx, size_t n)
{
	void *p;

	(void)ctx;
	if (++alloc_count == fail_at)
		return NULL;
	p = malloc(n);
	assert_non_null(p);
	memset(p, 0xa5, n);     /* nothing may rely on zeroed memory */
	live_blocks++;
	return p;
}

static void t_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	memset(p, 0x6b, n);
	free(p);
	live_blocks--;
}

static const struct vfs_alloc ta = { NULL, t_alloc, t_free };

/* Small limits, so that every error a limit gives comes up. */
static const struct vfs_limits small = { .name_max = 8, .depth_max = 4, .path_max = 24,
					 .file_max = 16, .total_max = 40, .nodes_max = 12 };

/* A live part: tree and clock, the clock being the allocator's context. */
static struct vfs_part *part_new(const struct vfs_limits *lim)
{
	struct vfs_part *p = calloc(1, sizeof(*p));
	struct vfs_alloc a = ta;

	a.ctx = p;
	assert_int_equal(vfs_create(&a, lim, vfs_part_clock, &p->fs), KR_OK);
	return p;
}

static void part_free(struct vfs_part *p)
{
	vfs_destroy(p->fs);
	free(p);
}

static int setup(void **state)
{
	(void)state;
	live_blocks = alloc_count = fail_at = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(live_blocks, 0);
	return 0;
}

static size_t vfs_usage_nodes(const struct vfs *fs)
{
	struct vfs_usage u;

	vfs_usage(fs, &u);
	return u.nodes;
}

/* ---- a tree as text, mtimes included (built after the walk: stat and
 * read use the buffer the walk builds its paths in) ---- */

static int collect(void *ctx, const char *path, bool dir, const uint8_t *data, size_t size)
{
	char ***out = ctx;
	size_t n = 0;

	(void)dir, (void)data, (void)size;
	while ((*out)[n])
		n++;
	*out = realloc(*out, (n + 2) * sizeof(char *));
	(*out)[n] = strdup(path);
	(*out)[n + 1] = NULL;
	return KR_OK;
}

static char *dump(struct vfs *fs)
{
	char **paths = calloc(1, sizeof(char *)), *text = calloc(1, 1), line[200], data[64];
	struct kr_vfs_stat st;
	size_t got;

	assert_int_equal(vfs_walk(fs, collect, &paths), KR_OK);
	for (char **p = paths; *p; p++) {
		assert_int_equal(vfs_stat(fs, NULL, *p, &st), KR_OK);
		got = 0;
		if (st.type == KR_VFS_FILE)
			assert_int_equal(vfs_read(fs, NULL, *p, 0, data, sizeof(data), &got), KR_OK);
		snprintf(line, sizeof(line), "%s %c%u %llu [%.*s]\n", *p,
			 st.type == KR_VFS_DIR ? 'd' : 'f', st.entries,
			 (unsigned long long)st.mtime, (int)got, data);
		text = realloc(text, strlen(text) + strlen(line) + 1);
		strcat(text, line);
		free(*p);
	}
	free(paths);
	return text;
}

/* ---- records ---- */

/* rq (paths against cwd) encoded, then decoded: *c and *rq point into the
 * payload, which the caller frees with free_rec. */
struct rec {
	struct kr_commit c;
	void *buf;
	size_t size;
};

static kr_err_t encode(const struct vfs_req *rq, const char *cwd, struct rec *r)
{
	uint32_t len;
	kr_err_t e = vfs_req_encode(rq, cwd, &ta, &r->buf, &len, &r->size);

	if (!e)
		r->c = (struct kr_commit){ 1, len, 0, vfs_req_kind(rq->op), r->buf };
	return e;
}

static void free_rec(struct rec *r)
{
	t_free(NULL, r->buf, r->size);
}

/* Encode, decode, apply for real: what a commit does at run time. */
static kr_err_t commit(struct vfs_part *p, const struct vfs_req *rq, const char *cwd)
{
	struct vfs_req got;
	struct rec r;
	char err[128];
	kr_err_t e = encode(rq, cwd, &r);

	if (e)
		return e;
	assert_int_equal(vfs_req_decode(&r.c, &got, err, sizeof(err)), KR_OK);
	e = vfs_req_run(p->fs, &got, true);
	if (!e)
		e = vfs_req_run(p->fs, &got, false);
	free_rec(&r);
	return e;
}

static void test_roundtrip(void **state)
{
	struct vfs_req rq, got;
	struct rec r;
	char err[128];

	(void)state;
	/* write: cwd-relative path normalised, flag and data kept */
	rq = (struct vfs_req){ .op = VFS_WRITE, .path = "../b/./f", .flag = true, .data = "hey",
			       .n = 3 };
	assert_int_equal(encode(&rq, "/a/x", &r), KR_OK);
	assert_int_equal(r.c.length, sizeof("/a/b/f") + 1 + 3);
	assert_memory_equal(r.buf, "/a/b/f\0\1hey", r.c.length);
	assert_int_equal(vfs_req_decode(&r.c, &got, err, sizeof(err)), KR_OK);
	assert_int_equal(got.op, VFS_WRITE);
	assert_string_equal(got.path, "/a/b/f");
	assert_true(got.flag);
	assert_int_equal(got.n, 3);
	assert_memory_equal(got.data, "hey", 3);
	free_rec(&r);

	/* rename: both paths, no flag */
	rq = (struct vfs_req){ .op = VFS_RENAME, .path = "x", .to = "/y/" };
	assert_int_equal(encode(&rq, "d", &r), KR_OK);
	assert_string_equal(r.c.kind, "vfs.rename");
	assert_memory_equal(r.buf, "/d/x\0/y", r.c.length);
	assert_int_equal(vfs_req_decode(&r.c, &got, err, sizeof(err)), KR_OK);
	assert_string_equal(got.path, "/d/x");
	assert_string_equal(got.to, "/y");
	free_rec(&r);

	/* every kind, empty writes included */
	const struct vfs_req all[] = {
		{ .op = VFS_MKDIR, .path = "/m", .flag = true },
		{ .op = VFS_REMOVE, .path = "/", .flag = false },
		{ .op = VFS_WRITE, .path = "/w" },
		{ .op = VFS_COPY, .path = "/..", .to = "." },
	};
	const char *kinds[] = { "vfs.mkdir", "vfs.remove", "vfs.write", "vfs.copy" };

	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(encode(&all[i], NULL, &r), KR_OK);
		assert_string_equal(r.c.kind, kinds[i]);
		assert_int_equal(vfs_req_decode(&r.c, &got, err, sizeof(err)), KR_OK);
		assert_int_equal(got.op, all[i].op);
		assert_int_equal(got.flag, all[i].flag);
		free_rec(&r);
	}

	/* what cannot be encoded: the normalisation's errors, too big */
	rq = (struct vfs_req){ .op = VFS_MKDIR, .path = "" };
	assert_int_equal(encode(&rq, NULL, &r), KR_EINVAL);
	rq = (struct vfs_req){ .op = VFS_MKDIR, .path = "/a\nb" };
	assert_int_equal(encode(&rq, NULL, &r), KR_EINVAL);
	rq = (struct vfs_req){ .op = VFS_RENAME, .path = "/a" };
	assert_int_equal(encode(&rq, NULL, &r), KR_EINVAL);
	rq = (struct vfs_req){ .op = VFS_WRITE, .path = "/a", .data = "", .n = KR_CLOG_PAYLOAD_MAX + 1 };
	assert_int_equal(encode(&rq, NULL, &r), KR_ENOSPC);
	/* the limit is on the payload: "/a" + NUL + flag + data, exactly */
	{
		char *big = calloc(1, KR_CLOG_PAYLOAD_MAX), *cwd = malloc(2000);

		memset(cwd, 'c', 1999);
		cwd[0] = '/';
		cwd[1999] = '\0';
		rq = (struct vfs_req){ .op = VFS_WRITE, .path = "/a", .data = big,
				       .n = KR_CLOG_PAYLOAD_MAX - 4 };
		assert_int_equal(encode(&rq, cwd, &r), KR_OK);  /* a long cwd it does not use */
		assert_int_equal(r.c.length, KR_CLOG_PAYLOAD_MAX);
		free_rec(&r);
		rq.n++;
		assert_int_equal(encode(&rq, NULL, &r), KR_ENOSPC);
		free(big);
		free(cwd);
	}
	fail_at = alloc_count + 1;
	rq = (struct vfs_req){ .op = VFS_MKDIR, .path = "/a" };
	assert_int_equal(encode(&rq, NULL, &r), KR_ENOMEM);
}

static void test_decode_strict(void **state)
{
	static const struct {
		const char *kind;
		const char *payload;
		uint32_t len;
	} bad[] = {
		{ "vfs.chmod", "/a\0\0", 4 },
		{ "kmod.load", "/a\0\0", 4 },
		{ "vfs.mkdir", "", 0 },
		{ "vfs.mkdir", "/a", 2 },               /* no NUL */
		{ "vfs.mkdir", "/a\0", 3 },             /* no flag */
		{ "vfs.mkdir", "/a\0\2", 4 },           /* flag not 0/1 */
		{ "vfs.mkdir", "/a\0\1\0", 5 },         /* a byte too many */
		{ "vfs.remove", "a\0\0", 3 },           /* relative */
		{ "vfs.remove", "/a/\0\0", 5 },
		{ "vfs.remove", "/a//b\0\0", 7 },
		{ "vfs.remove", "/a/./b\0\0", 8 },
		{ "vfs.remove", "/a/..\0\0", 7 },
		{ "vfs.remove", "/..\0\0", 5 },
		{ "vfs.remove", "/a\tb\0\0", 6 },
		{ "vfs.remove", "\0\0", 2 },
		{ "vfs.write", "/f\0", 3 },             /* no flag */
		{ "vfs.write", "/f\0\3data", 8 },
		{ "vfs.rename", "/a\0", 3 },            /* no target */
		{ "vfs.rename", "/a\0/b", 5 },          /* target without NUL */
		{ "vfs.rename", "/a\0b\0", 5 },
		{ "vfs.copy", "/a\0/b\0\0", 7 },        /* a byte too many */
	};
	struct kr_commit c;
	struct vfs_req rq;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = (struct kr_commit){ 1, bad[i].len, 0, bad[i].kind, bad[i].payload };
		err[0] = '\0';
		assert_int_equal(vfs_req_decode(&c, &rq, err, sizeof(err)), KR_EFORMAT);
		assert_true(strlen(err) > 0);
		print_message("%-10s %zu: %s\n", bad[i].kind, i, err);
	}
	c = (struct kr_commit){ 2, 4, 0, "vfs.mkdir", "/a\0\0" };
	assert_int_equal(vfs_req_decode(&c, &rq, err, sizeof(err)), KR_EFORMAT);
	c = (struct kr_commit){ 1, 4, 0, "vfs.mkdir", "/a\0\0" };
	assert_int_equal(vfs_req_decode(&c, &rq, NULL, 0), KR_OK);
	c = (struct kr_commit){ 1, 2, 0, "vfs.mkdir", "/\0\1" };
	assert_int_equal(vfs_req_decode(&c, &rq, NULL, 0), KR_EFORMAT);
	c = (struct kr_commit){ 1, 3, 0, "vfs.mkdir", "/\0\1" };
	assert_int_equal(vfs_req_decode(&c, &rq, NULL, 0), KR_OK);
}

/* ---- check refuses exactly what apply refuses ---- */

static const char *const pool[] = {
	"/", "/a", "/a/b", "/a/b/c", "/a/b/c/d", "/a/b/c/d/e", "/f", "/a/f", "/f/x",
	"/d", "/d/e", "/toolongname", "/a/b/c/12345678", "/zz",
};
#define NPOOL (sizeof(pool) / sizeof(pool[0]))
static const char blob[] = "0123456789abcdefXYZ";       /* 19 bytes: over file_max */

/* The request number k of all that the pool, flags and sizes give. */
static bool nth_request(size_t k, struct vfs_req *rq)
{
	static const size_t sizes[] = { 0, 3, 16, 17 };

	if (k < 2 * NPOOL) {
		*rq = (struct vfs_req){ .op = VFS_MKDIR, .path = pool[k % NPOOL], .flag = k / NPOOL };
		return true;
	}
	k -= 2 * NPOOL;
	if (k < 2 * NPOOL) {
		*rq = (struct vfs_req){ .op = VFS_REMOVE, .path = pool[k % NPOOL], .flag = k / NPOOL };
		return true;
	}
	k -= 2 * NPOOL;
	if (k < 8 * NPOOL) {
		*rq = (struct vfs_req){ .op = VFS_WRITE, .path = pool[k % NPOOL], .flag = k / NPOOL % 2,
					.data = blob, .n = sizes[k / NPOOL / 2] };
		return true;
	}
	k -= 8 * NPOOL;
	if (k < 2 * NPOOL * NPOOL) {
		*rq = (struct vfs_req){ .op = k / (NPOOL * NPOOL) ? VFS_COPY : VFS_RENAME,
					.path = pool[k % NPOOL], .to = pool[k / NPOOL % NPOOL] };
		return true;
	}
	return false;
}

static void test_check_equals_apply(void **state)
{
	struct vfs_part *live = part_new(&small);
	unsigned seen[16] = { 0 };
	struct vfs_req rq;
	kr_err_t dry, real;
	size_t cases = 0;

	(void)state;
	srand(1616);
	for (int round = 0; round < 40; round++) {
		char *before = dump(live->fs);
		uint64_t ticks = live->ticks;
		size_t k;

		for (k = 0; nth_request(k, &rq); k++, cases++) {
			struct vfs_part *copy = vfs_view_new(live, &ta);

			assert_non_null(copy);
			dry = vfs_req_run(live->fs, &rq, true);
			real = vfs_req_run(copy->fs, &rq, false);
			if (dry != real)
				fail_msg("round %d, %s %s %s (flag %d, %zu bytes): check %d, apply %d",
					 round, vfs_req_kind(rq.op), rq.path, rq.to ? rq.to : "",
					 rq.flag, rq.n, dry, real);
			seen[-real]++;
			vfs_view_free(copy, &ta);
		}
		/* The dry runs changed nothing, and did not read the clock. */
		char *after = dump(live->fs);

		assert_string_equal(before, after);
		assert_int_equal(live->ticks, ticks);
		free(before);
		free(after);
		/* Move on: a few random requests applied for real. */
		for (int i = 0; i < 6; i++) {
			nth_request((size_t)rand() % k, &rq);
			commit(live, &rq, NULL);
		}
	}
	print_message("%zu cases; ok %u, EINVAL %u, ENOENT %u, EEXIST %u, EBUSY %u, EPERM %u, "
		      "ERANGE %u, ENOSPC %u\n", cases, seen[0], seen[-KR_EINVAL], seen[-KR_ENOENT],
		      seen[-KR_EEXIST], seen[-KR_EBUSY], seen[-KR_EPERM], seen[-KR_ERANGE],
		      seen[-KR_ENOSPC]);
	/* Every verdict apply can give but out-of-memory came up. */
	for (kr_err_t e = KR_OK; e >= KR_ENOSPC; e--)
		if (e != KR_ENOMEM && e != KR_EFAULT)
			assert_true(seen[-e] > 0);
	part_free(live);
}

/* ---- replay: the same records on a copy of genesis give the same tree,
 * mtimes and clock included ---- */

static void test_replay_deterministic(void **state)
{
	struct vfs_part *live = part_new(NULL), *genesis;
	const struct vfs_req script[] = {
		{ .op = VFS_MKDIR, .path = "d/e", .flag = true },
		{ .op = VFS_WRITE, .path = "f", .data = "one", .n = 3 },
		{ .op = VFS_WRITE, .path = "f", .flag = true, .data = "two", .n = 3 },
		{ .op = VFS_MKDIR, .path = "d", .flag = true },         /* exists: no tick */
		{ .op = VFS_COPY, .path = "f", .to = "d" },
		{ .op = VFS_RENAME, .path = "d/e", .to = "/g" },
		{ .op = VFS_REMOVE, .path = "/nothing" },               /* refused */
		{ .op = VFS_REMOVE, .path = "/d", .flag = true },
		{ .op = VFS_WRITE, .path = "g/h", .data = "x", .n = 1 },
	};
	struct rec recs[sizeof(script) / sizeof(script[0])];
	struct vfs_req rq;
	char *a, *b;

	(void)state;
	/* genesis: what the initrd would have made */
	assert_int_equal(vfs_mkdir(live->fs, NULL, "/etc", false), KR_OK);
	assert_int_equal(vfs_write(live->fs, NULL, "/etc/motd", "hi", 2, false), KR_OK);
	genesis = vfs_view_new(live, &ta);
	assert_non_null(genesis);
	assert_int_equal(genesis->ticks, live->ticks);

	/* run time: records made (against cwd "/") and applied to live */
	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		assert_int_equal(encode(&script[i], "/", &recs[i]), KR_OK);
		assert_int_equal(vfs_req_decode(&recs[i].c, &rq, NULL, 0), KR_OK);
		vfs_req_run(live->fs, &rq, false);
	}
	/* replay onto the genesis copy */
	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		assert_int_equal(vfs_req_decode(&recs[i].c, &rq, NULL, 0), KR_OK);
		vfs_req_run(genesis->fs, &rq, false);
		free_rec(&recs[i]);
	}
	a = dump(live->fs);
	b = dump(genesis->fs);
	assert_string_equal(a, b);
	assert_int_equal(live->ticks, genesis->ticks);
	assert_non_null(strstr(a, "/g/h f0 "));
	free(a);
	free(b);
	vfs_view_free(genesis, &ta);
	part_free(live);
}

/* ---- items ---- */

struct seen_items {
	char names[16][32];
	uint8_t digest[16][32];
	int n, stop_at;
};

static kr_err_t note_item(void *ctx, const char *name, const uint8_t digest[32])
{
	struct seen_items *s = ctx;

	if (s->n == s->stop_at)
		return KR_EBUSY;
	assert_true(s->n < 16);
	snprintf(s->names[s->n], 32, "%s", name);
	memcpy(s->digest[s->n++], digest, 32);
	return KR_OK;
}

static void unhex(const char *hex, uint8_t out[32])
{
	for (int i = 0; i < 32; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void test_items(void **state)
{
	struct vfs_part *p = part_new(NULL);
	struct seen_items s = { .stop_at = -1 };
	/* strcmp order of paths, not depth-first: "/a b" and "/a.c" (bytes
	 * below '/') come between "/a" and "/a/e" */
	const char *want[] = { "/", "/a", "/a b", "/a.c", "/a/e", "/a/x", "/b", "/ckptx", "/z" };
	uint8_t d[32], f[32], fhi[32];

	(void)state;
	unhex("00d116515f37a4c0ac872096c8b7412c80693cc5cee2e99e83a7e760dc1ece91", d);
	unhex("e0befc611c4bd14b4d2f0d6c78a0de8d98c747217912f27ac7f67b06476bde3d", f);
	unhex("6b192a671f6d5620cdf61e4e671a67d4075cedb7c42789573d265b34eeb30325", fhi);
	/* made out of order: items come in order all the same */
	assert_int_equal(vfs_write(p->fs, NULL, "/z", "hi", 2, false), KR_OK);
	assert_int_equal(vfs_mkdir(p->fs, NULL, "/ckpt/old", true), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/ckpt/old/f", "x", 1, false), KR_OK);
	assert_int_equal(vfs_mkdir(p->fs, NULL, "/b", false), KR_OK);
	assert_int_equal(vfs_mkdir(p->fs, NULL, "/ckptx", false), KR_OK);
	assert_int_equal(vfs_mkdir(p->fs, NULL, "/a", false), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/a/x", "hi", 2, false), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/a/e", "", 0, false), KR_OK);
	assert_int_equal(vfs_mkdir(p->fs, NULL, "/a b", false), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/a.c", "hi", 2, false), KR_OK);

	assert_int_equal(vfs_items(p->fs, &ta, note_item, &s), KR_OK);
	assert_int_equal(s.n, 9);
	for (int i = 0; i < 9; i++)
		assert_string_equal(s.names[i], want[i]);
	assert_memory_equal(s.digest[0], d, 32);        /* "/" */
	assert_memory_equal(s.digest[1], d, 32);        /* /a: a directory, whatever is in it */
	assert_memory_equal(s.digest[2], d, 32);        /* /a b: an empty one alike */
	assert_memory_equal(s.digest[3], fhi, 32);      /* /a.c: "hi" */
	assert_memory_equal(s.digest[4], f, 32);        /* /a/e: empty file */
	assert_memory_equal(s.digest[5], fhi, 32);      /* /a/x: "hi" */
	assert_memory_equal(s.digest[8], fhi, 32);      /* /z */

	/* the callback's error stops it; so does running out of memory */
	s = (struct seen_items){ .stop_at = 2 };
	assert_int_equal(vfs_items(p->fs, &ta, note_item, &s), KR_EBUSY);
	assert_int_equal(s.n, 2);
	s = (struct seen_items){ .stop_at = -1 };
	fail_at = alloc_count + 1;
	assert_int_equal(vfs_items(p->fs, &ta, note_item, &s), KR_ENOMEM);
	assert_int_equal(s.n, 0);       /* the walk's own stack */
	s = (struct seen_items){ .stop_at = -1 };
	fail_at = alloc_count + 2;
	assert_int_equal(vfs_items(p->fs, &ta, note_item, &s), KR_ENOMEM);
	assert_int_equal(s.n, 3);       /* "/", /a, /a b: the first file with bytes fails */
	part_free(p);
}

/* The walk against the definition: random trees whose names are made of
 * bytes on both sides of '/' (' ', '-', '.', '0', 'a'), deep and wide
 * enough to need the walk's stack to grow; every path once, in the order
 * qsort with strcmp gives. */
static int by_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_walk_order(void **state)
{
	static const char letters[] = " -.0a";
	const struct vfs_limits lim = { .nodes_max = 600 };

	(void)state;
	srand(7);
	for (int round = 0; round < 30; round++) {
		struct vfs_part *p = part_new(&lim);
		char **got = calloc(1, sizeof(char *)), **want, path[64];
		size_t n = 0, m;

		/* round 0: 40 directories each in the one before's gap ("b",
		 * "b ", "b  ", ...), each with an entry: 41 frames at once */
		for (int i = 0; round == 0 && i < 40; i++) {
			snprintf(path, sizeof(path), "/b%*s/x", i, "");
			assert_int_equal(vfs_mkdir(p->fs, NULL, path, true), KR_OK);
		}
		for (int i = 0; i < 400; i++) {
			size_t len = 0, depth = 1 + (size_t)rand() % 4;

			for (size_t d = 0; d < depth; d++) {
				path[len++] = '/';
				for (int k = 1 + rand() % 3; k > 0; k--)
					path[len++] = letters[rand() % 5];
			}
			path[len] = '\0';
			if (rand() % 2)
				vfs_mkdir(p->fs, NULL, path, true);
			else
				vfs_write(p->fs, NULL, path, "x", 1, false);
		}
		assert_int_equal(vfs_walk(p->fs, collect, &got), KR_OK);
		while (got[n])
			n++;
		want = malloc(n * sizeof(char *));
		memcpy(want, got, n * sizeof(char *));
		qsort(want, n, sizeof(char *), by_strcmp);
		for (m = 0; m < n; m++) {
			assert_string_equal(got[m], want[m]);
			assert_true(m == 0 || strcmp(want[m - 1], want[m]) < 0);
		}
		assert_int_equal(n, vfs_usage_nodes(p->fs) + 1);
		for (m = 0; m < n; m++)
			free(got[m]);
		free(got);
		free(want);
		part_free(p);
	}
}

/* ---- views ---- */

static void test_views(void **state)
{
	struct vfs_part *live = part_new(NULL), *v, *w;
	struct kr_vfs_stat st;
	char *lt, *vt;
	long blocks;

	(void)state;
	assert_int_equal(vfs_mkdir(live->fs, NULL, "/a/b/c", true), KR_OK);
	assert_int_equal(vfs_write(live->fs, NULL, "/a/f", "data", 4, false), KR_OK);
	assert_int_equal(vfs_write(live->fs, NULL, "/a/b/g", "", 0, false), KR_OK);
	v = vfs_view_new(live, &ta);
	assert_non_null(v);
	lt = dump(live->fs);
	vt = dump(v->fs);
	assert_string_equal(lt, vt);
	free(vt);
	assert_int_equal(v->ticks, live->ticks);

	/* a change to the view: live stays, and the clocks part */
	assert_int_equal(vfs_write(v->fs, NULL, "/a/f", "view", 4, false), KR_OK);
	assert_int_equal(vfs_remove(v->fs, NULL, "/a/b", true), KR_OK);
	assert_int_equal(v->ticks, live->ticks + 2);
	vt = dump(live->fs);
	assert_string_equal(lt, vt);
	free(vt);
	free(lt);

	/* a view of the view; a change to live leaves both */
	w = vfs_view_new(v, &ta);
	assert_non_null(w);
	vt = dump(v->fs);
	assert_int_equal(vfs_remove(live->fs, NULL, "/a", true), KR_OK);
	lt = dump(w->fs);
	assert_string_equal(lt, vt);
	free(lt);
	free(vt);
	assert_int_equal(vfs_stat(w->fs, NULL, "/a/f", &st), KR_OK);
	assert_int_equal(st.size, 4);
	assert_int_equal(w->ticks, v->ticks);
	vfs_view_free(w, &ta);

	/* out of memory at every allocation a copy makes: NULL, no leak */
	blocks = live_blocks;
	for (long n = 1;; n++) {
		fail_at = alloc_count + n;
		w = vfs_view_new(v, &ta);
		if (w) {
			fail_at = 0;
			vfs_view_free(w, &ta);
			break;
		}
		assert_int_equal(live_blocks, blocks);
	}
	vfs_view_free(v, &ta);
	vfs_view_free(NULL, &ta);
	part_free(live);
}

/* ---- packed trees (vfs_pack/vfs_unpack: live replacement) ----
 *
 * The layout (vfs_tree.c), little-endian, as the refusals below build it
 * by hand:
 *	header, 24 bytes: u32 magic "VFSL" (0x4c534656), u32 version (1),
 *	                  u64 nodes ("/" not counted), u64 "/"'s mtime
 *	each node but "/", depth-first, entries in strcmp order:
 *	                  u8 dir, u8 down, u16 name length, u32 up,
 *	                  u64 mtime, u64 size (0 for a directory),
 *	                  then the name and size bytes of data.
 * down 1: the first entry of the node before (up 0); down 0: a later
 * sibling of the node reached by climbing up levels from the node before.
 */

/* The tree a new module version gets: walk (paths, types, entries,
 * contents), mtimes and usage all as in the old one, and the same bytes
 * when packed again. */
static void test_pack_roundtrip(void **state)
{
	struct vfs_part *p = part_new(NULL), *q = calloc(1, sizeof(*q));
	struct vfs_alloc qa = ta;
	/* strcmp order: "/a b", "/a-b", "/a.txt" sort between "/a" and "/a/x" */
	const char *want[] = { "/", "/a", "/a b", "/a-b", "/a-b/in", "/a.txt", "/a/x", "/a/x/deep",
			       "/a/x/deep/er", "/a/x/deep/er/f", "/a/y", "/empty", "/z" };
	char **paths = calloc(1, sizeof(char *)), *pt, *qt;
	uint8_t *buf, *again, bin[8];
	struct vfs_usage pu, qu;
	struct kr_vfs_stat st, st2;
	size_t len, n, n2;
	long blocks;
	kr_err_t r;

	(void)state;
	/* made out of order, so the mtimes (the clock's ticks) differ from
	 * the order of the walk */
	assert_int_equal(vfs_write(p->fs, NULL, "/z", "last", 4, false), KR_OK);
	assert_int_equal(vfs_mkdir(p->fs, NULL, "/a/x/deep/er", true), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/a/x/deep/er/f", "bottom", 6, false), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/a.txt", "text\n", 5, false), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/a b", "", 0, false), KR_OK);
	assert_int_equal(vfs_mkdir(p->fs, NULL, "/a-b", false), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/a-b/in", "\0\1\2", 3, false), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/a/y", "", 0, false), KR_OK);
	assert_int_equal(vfs_mkdir(p->fs, NULL, "/empty", false), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/z", " more", 5, true), KR_OK);
	assert_true(p->ticks >= 10);

	/* the size first, then into exactly that much room; one byte less
	 * is refused (and still says how much is needed) */
	assert_int_equal(vfs_pack(p->fs, NULL, 0, &len), KR_OK);
	assert_true(len > 24 + 12 * 24);
	buf = malloc(len);
	assert_int_equal(vfs_pack(p->fs, buf, len, &n), KR_OK);
	assert_int_equal(n, len);
	n = 0;
	assert_int_equal(vfs_pack(p->fs, buf, len - 1, &n), KR_ERANGE);
	assert_int_equal(n, len);
	assert_int_equal(vfs_pack(p->fs, buf, len, &n), KR_OK);

	/* unpacked into a part of its own, as live.c does */
	qa.ctx = q;
	q->ticks = p->ticks;
	assert_int_equal(vfs_unpack(&qa, NULL, vfs_part_clock, buf, len, &q->fs), KR_OK);
	assert_int_equal(vfs_walk(q->fs, collect, &paths), KR_OK);
	for (n = 0; paths[n]; n++) {
		assert_true(n < sizeof(want) / sizeof(want[0]));
		assert_string_equal(paths[n], want[n]);
		free(paths[n]);
	}
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	free(paths);
	pt = dump(p->fs);       /* type, entries, mtime, contents of each */
	qt = dump(q->fs);
	assert_string_equal(pt, qt);
	free(pt);
	free(qt);
	/* dump shows contents up to a NUL: these bytes start with one */
	assert_int_equal(vfs_read(q->fs, NULL, "/a-b/in", 0, bin, sizeof(bin), &n), KR_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(bin, "\0\1\2", 3);
	vfs_usage(p->fs, &pu);
	vfs_usage(q->fs, &qu);
	assert_int_equal(qu.nodes, pu.nodes);
	assert_int_equal(qu.bytes, pu.bytes);
	assert_int_equal(qu.nodes, 12);
	assert_int_equal(qu.bytes, 9 + 6 + 5 + 3);
	assert_int_equal(vfs_stat(p->fs, NULL, "/", &st), KR_OK);
	assert_int_equal(vfs_stat(q->fs, NULL, "/", &st2), KR_OK);
	assert_int_equal(st2.mtime, st.mtime);
	assert_int_equal(vfs_stat(p->fs, NULL, "/a/x/deep", &st), KR_OK);
	assert_int_equal(vfs_stat(q->fs, NULL, "/a/x/deep", &st2), KR_OK);
	assert_int_equal(st2.mtime, st.mtime);
	assert_int_not_equal(st.mtime, 0);

	/* packed again: the same bytes */
	assert_int_equal(vfs_pack(q->fs, NULL, 0, &n2), KR_OK);
	assert_int_equal(n2, len);
	again = malloc(len);
	assert_int_equal(vfs_pack(q->fs, again, len, &n2), KR_OK);
	assert_memory_equal(again, buf, len);
	free(again);

	/* the new tree works on: its clock, its limits, its memory */
	assert_int_equal(vfs_write(q->fs, NULL, "/a/x/deep/er/f", "!", 1, true), KR_OK);
	assert_int_equal(vfs_stat(q->fs, NULL, "/a/x/deep/er/f", &st), KR_OK);
	assert_int_equal(st.mtime, q->ticks);
	assert_int_equal(st.size, 7);
	assert_int_equal(vfs_remove(q->fs, NULL, "/a", true), KR_OK);
	vfs_usage(q->fs, &qu);
	assert_int_equal(qu.nodes, 6);

	/* out of memory at every allocation unpacking makes: KR_ENOMEM,
	 * nothing made, nothing left behind */
	vfs_destroy(q->fs);
	q->fs = NULL;
	blocks = live_blocks;
	for (long k = 1;; k++) {
		fail_at = alloc_count + k;
		if (!(r = vfs_unpack(&qa, NULL, vfs_part_clock, buf, len, &q->fs)))
			break;
		assert_int_equal(r, KR_ENOMEM);
		assert_null(q->fs);
		assert_int_equal(live_blocks, blocks);
	}
	fail_at = 0;
	assert_non_null(q->fs);

	/* an empty tree packs to its header alone, and back */
	part_free(q);
	q = part_new(NULL);
	qa.ctx = q;
	assert_int_equal(vfs_pack(q->fs, NULL, 0, &n), KR_OK);
	assert_int_equal(n, 24);
	assert_int_equal(vfs_pack(q->fs, buf, n, &n), KR_OK);
	vfs_destroy(q->fs);
	assert_int_equal(vfs_unpack(&qa, NULL, NULL, buf, n, &q->fs), KR_OK);
	assert_int_equal(vfs_usage_nodes(q->fs), 0);
	part_free(q);
	part_free(p);
	free(buf);
}

/* A packed tree built by hand. */
struct pk {
	uint8_t b[2048];
	size_t len;
};

static void pk_head(struct pk *k, uint64_t nodes)
{
	uint32_t mv[2] = { 0x4c534656u, 1 };
	uint64_t nm[2] = { nodes, 7 };

	memcpy(k->b, mv, 8);
	memcpy(k->b + 8, nm, 16);
	k->len = 24;
}

/* name[0..nlen) and, for a file, data (NULL: empty). */
static void pk_node_n(struct pk *k, bool dir, bool down, uint32_t up, const char *name,
		      size_t nlen, const char *data)
{
	uint8_t h[8] = { dir, down, (uint8_t)nlen, (uint8_t)(nlen >> 8) };
	uint64_t ms[2] = { 3, data ? strlen(data) : 0 };

	memcpy(h + 4, &up, 4);
	assert_true(k->len + 24 + nlen + ms[1] <= sizeof(k->b));
	memcpy(k->b + k->len, h, 8);
	memcpy(k->b + k->len + 8, ms, 16);
	memcpy(k->b + k->len + 24, name, nlen);
	memcpy(k->b + k->len + 24 + nlen, data ? data : "", ms[1]);
	k->len += 24 + nlen + ms[1];
}

static void pk_node(struct pk *k, bool dir, bool down, uint32_t up, const char *name,
		    const char *data)
{
	pk_node_n(k, dir, down, up, name, strlen(name), data);
}

/* Under lim, k is refused with KR_EFORMAT, nothing made or left behind. */
static void refused_at(const struct pk *k, const struct vfs_limits *lim, int line)
{
	struct vfs *fs = NULL;
	long blocks = live_blocks;
	kr_err_t r = vfs_unpack(&ta, lim, NULL, k->b, k->len, &fs);

	if (r != KR_EFORMAT || fs || live_blocks != blocks)
		fail_msg("line %d: vfs_unpack gave %d, %ld blocks left", line, r, live_blocks - blocks);
}

/* Under lim, k is taken, and packs back to the same bytes. */
static void taken_at(const struct pk *k, const struct vfs_limits *lim, int line)
{
	struct vfs *fs = NULL;
	uint8_t out[sizeof(k->b)];
	size_t n;
	kr_err_t r = vfs_unpack(&ta, lim, NULL, k->b, k->len, &fs);

	if (r)
		fail_msg("line %d: vfs_unpack gave %d", line, r);
	assert_int_equal(vfs_pack(fs, out, sizeof(out), &n), KR_OK);
	if (n != k->len || memcmp(out, k->b, n))
		fail_msg("line %d: packs back to other bytes", line);
	vfs_destroy(fs);
}

#define REFUSED(k, lim) refused_at(k, lim, __LINE__)
#define TAKEN(k, lim) taken_at(k, lim, __LINE__)

/* Bytes vfs_pack would not make are refused, whole or cut anywhere. */
static void test_unpack_refusals(void **state)
{
	struct vfs_part *p = part_new(&small);
	struct vfs *fs;
	struct pk k, v;
	size_t len;
	char name[16];

	(void)state;
	/* a valid buffer to cut and to damage: /a, /a b, /a/d/e, /f */
	assert_int_equal(vfs_mkdir(p->fs, NULL, "/a/d/e", true), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/a b", "x", 1, false), KR_OK);
	assert_int_equal(vfs_write(p->fs, NULL, "/f", "data", 4, false), KR_OK);
	assert_int_equal(vfs_pack(p->fs, v.b, sizeof(v.b), &v.len), KR_OK);
	part_free(p);
	TAKEN(&v, &small);

	/* every truncation, and a byte too many */
	for (len = 0; len < v.len; len++) {
		k = v;
		k.len = len;
		REFUSED(&k, &small);
	}
	k = v;
	k.b[k.len++] = 0;
	REFUSED(&k, &small);

	/* every byte of the header and of the first node's header flipped,
	 * one bit or all of them: refused, or (an mtime, a count that still
	 * fits) a tree that packs back to these very bytes */
	for (size_t i = 0; i < 48; i++)
		for (int bit = 0; bit <= 8; bit++) {
			k = v;
			k.b[i] ^= bit == 8 ? 0xff : 1u << bit;
			if (vfs_unpack(&ta, &small, NULL, k.b, k.len, &fs)) {
				REFUSED(&k, &small);
			} else {
				vfs_destroy(fs);
				TAKEN(&k, &small);
			}
		}

	/* the builder makes what vfs_pack makes: /a/f, /b, with "a b" and
	 * "a.txt" between "a" and its entries */
	pk_head(&k, 5);
	pk_node(&k, true, true, 0, "a", NULL);
	pk_node(&k, false, true, 0, "f", "hi");
	pk_node(&k, false, false, 1, "a b", "");
	pk_node(&k, true, false, 0, "a.txt", NULL);
	pk_node(&k, false, false, 0, "b", "x");
	TAKEN(&k, &small);

	/* the header: magic, version, a node count that does not match */
	k = v;
	k.b[0] ^= 0x20;
	REFUSED(&k, &small);
	k = v;
	k.b[4] = 2;
	REFUSED(&k, &small);
	for (uint64_t nodes = 0; nodes < 8; nodes++) {
		pk_head(&k, nodes);
		pk_node(&k, true, true, 0, "a", NULL);
		pk_node(&k, false, true, 0, "f", "hi");
		pk_node(&k, false, false, 1, "b", "");
		if (nodes == 3)
			TAKEN(&k, &small);
		else
			REFUSED(&k, &small);
	}

	/* a child under a file */
	pk_head(&k, 2);
	pk_node(&k, false, true, 0, "f", "x");
	pk_node(&k, false, true, 0, "g", "");
	REFUSED(&k, &small);
	/* a second first child: down after a node that already has entries
	 * cannot happen (each node is last when the next comes), but down
	 * with an up is not vfs_pack's */
	pk_head(&k, 2);
	pk_node(&k, true, true, 0, "a", NULL);
	pk_node(&k, false, true, 1, "f", "");
	REFUSED(&k, &small);

	/* climbing above "/", or a sibling of "/" */
	for (uint32_t up = 2; up < 6; up++) {
		pk_head(&k, 3);
		pk_node(&k, true, true, 0, "a", NULL);
		pk_node(&k, false, true, 0, "f", "");
		pk_node(&k, false, false, up, "b", "");
		REFUSED(&k, &small);
	}
	pk_head(&k, 3);
	pk_node(&k, true, true, 0, "a", NULL);
	pk_node(&k, false, true, 0, "f", "");
	pk_node(&k, false, false, 0xffffffffu, "b", "");
	REFUSED(&k, &small);
	pk_head(&k, 1);
	pk_node(&k, false, false, 0, "a", "");
	REFUSED(&k, &small);

	/* siblings out of strcmp order, or equal ("ab" after "a" is in order,
	 * "a" after "ab" is not; "a b" before "a/..." is) */
	{
		static const char *const pairs[][2] = {
			{ "b", "a" }, { "a", "a" }, { "ab", "a" }, { "a.txt", "a b" }, { "b", "B" },
			{ "\x80", "z" },
		};
		for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
			pk_head(&k, 2);
			pk_node(&k, false, true, 0, pairs[i][0], "");
			pk_node(&k, false, false, 0, pairs[i][1], "");
			REFUSED(&k, &small);
			pk_head(&k, 2);
			pk_node(&k, false, true, 0, pairs[i][1], "");
			if (strcmp(pairs[i][0], pairs[i][1])) {
				pk_node(&k, false, false, 0, pairs[i][0], "");
				TAKEN(&k, &small);
			}
		}
	}

	/* names no path could hold: '/', ".", "..", empty, a control
	 * byte, NUL, DEL, over name_max (8) */
	{
		static const char *const bad[] = { "a/b", "/", ".", "..", "", "a\tb", "\x1f", "\x7f" };
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			pk_head(&k, 1);
			pk_node(&k, false, true, 0, bad[i], "");
			REFUSED(&k, &small);
		}
		pk_head(&k, 1);
		pk_node_n(&k, false, true, 0, "a\0b", 3, "");
		REFUSED(&k, &small);
		pk_head(&k, 1);
		pk_node(&k, true, true, 0, "123456789", NULL);
		REFUSED(&k, &small);
		pk_head(&k, 3);
		pk_node(&k, false, true, 0, "...", "");
		pk_node(&k, false, false, 0, ".a", "");
		pk_node(&k, false, false, 0, "12345678", "");
		TAKEN(&k, &small);
	}

	/* fields out of range: dir and down are 0 or 1; a directory has no
	 * data; a name or data running past the end */
	pk_head(&k, 1);
	pk_node(&k, false, true, 0, "a", "");
	k.b[24] = 2;
	REFUSED(&k, &small);
	k.b[24] = 0;
	k.b[25] = 2;
	REFUSED(&k, &small);
	pk_head(&k, 1);
	pk_node(&k, false, true, 0, "a", "xy");
	k.b[24] = 1;
	REFUSED(&k, &small);
	for (uint64_t size = 3; size; size = size == 3 ? UINT64_MAX : 0) {
		pk_head(&k, 1);
		pk_node(&k, false, true, 0, "a", "xy");
		memcpy(k.b + 24 + 16, &size, 8);
		REFUSED(&k, &small);
		pk_head(&k, 1);
		pk_node(&k, false, true, 0, "a", "xy");
		k.b[24 + 2] = (uint8_t)size;    /* a name of 3 or 255 bytes */
		REFUSED(&k, &small);
	}

	/* the limits the new version runs with: nodes_max (12), file_max
	 * (16), total_max (40), depth_max (4), path_max (24) */
	for (int nodes = 12; nodes <= 13; nodes++) {
		pk_head(&k, (uint64_t)nodes);
		for (int i = 0; i < nodes; i++) {
			snprintf(name, sizeof(name), "n%02d", i);
			pk_node(&k, false, i == 0, 0, name, "");
		}
		if (nodes == 12)
			TAKEN(&k, &small);
		else
			REFUSED(&k, &small);
		if (nodes == 13)
			TAKEN(&k, NULL);
	}
	pk_head(&k, 1);
	pk_node(&k, false, true, 0, "f", "0123456789abcdef");
	TAKEN(&k, &small);
	pk_head(&k, 1);
	pk_node(&k, false, true, 0, "f", "0123456789abcdefg");
	REFUSED(&k, &small);
	pk_head(&k, 3);
	pk_node(&k, false, true, 0, "a", "0123456789abcdef");
	pk_node(&k, false, false, 0, "b", "0123456789abcdef");
	pk_node(&k, false, false, 0, "c", "01234567");
	TAKEN(&k, &small);                      /* 40 bytes */
	pk_head(&k, 3);
	pk_node(&k, false, true, 0, "a", "0123456789abcdef");
	pk_node(&k, false, false, 0, "b", "0123456789abcdef");
	pk_node(&k, false, false, 0, "c", "012345678");
	REFUSED(&k, &small);                    /* 41 bytes */

	/* depth: /a/b/c/d is 4 deep, /a/b/c/d/e 5 */
	pk_head(&k, 4);
	pk_node(&k, true, true, 0, "a", NULL);
	pk_node(&k, true, true, 0, "b", NULL);
	pk_node(&k, true, true, 0, "c", NULL);
	pk_node(&k, false, true, 0, "d", "");
	TAKEN(&k, &small);
	pk_head(&k, 5);
	pk_node(&k, true, true, 0, "a", NULL);
	pk_node(&k, true, true, 0, "b", NULL);
	pk_node(&k, true, true, 0, "c", NULL);
	pk_node(&k, true, true, 0, "d", NULL);
	pk_node(&k, false, true, 0, "e", "");
	REFUSED(&k, &small);
	TAKEN(&k, NULL);

	/* path: "/aaaaaaaa/bbbbbbbb/ccccc" is 24 bytes; a longer sibling
	 * and a longer first entry are not; climbing gives the bytes back */
	pk_head(&k, 5);
	pk_node(&k, true, true, 0, "aaaaaaaa", NULL);
	pk_node(&k, true, true, 0, "bbbbbbbb", NULL);
	pk_node(&k, false, true, 0, "c", "");
	pk_node(&k, false, false, 0, "ccccc", "");
	pk_node(&k, true, false, 2, "b", NULL);
	TAKEN(&k, &small);
	pk_head(&k, 4);
	pk_node(&k, true, true, 0, "aaaaaaaa", NULL);
	pk_node(&k, true, true, 0, "bbbbbbbb", NULL);
	pk_node(&k, false, true, 0, "c", "");
	pk_node(&k, false, false, 0, "cccccc", "");
	REFUSED(&k, &small);
	TAKEN(&k, NULL);
	pk_head(&k, 3);
	pk_node(&k, true, true, 0, "aaaaaaaa", NULL);
	pk_node(&k, true, true, 0, "bbbbbbbb", NULL);
	pk_node(&k, false, true, 0, "cccccc", "");
	REFUSED(&k, &small);
	/* many climbs and descents: the count stays exact */
	pk_head(&k, 12);
	for (int i = 0; i < 4; i++) {
		char top[2] = { (char)('a' + i), 0 };

		pk_node(&k, true, i == 0, i ? 2 : 0, top, NULL);
		pk_node(&k, true, true, 0, "bbbbbbbb", NULL);
		pk_node(&k, false, true, 0, "cccccccc", "");
	}
	TAKEN(&k, &small);                      /* /d/bbbbbbbb/cccccccc: 20 bytes */

	/* under the defaults (paths of 1024 bytes): 16 directories named by
	 * 63 bytes are a path of 1024, 17 one the walk's buffer cannot hold */
	for (int levels = 16; levels <= 17; levels++) {
		char long_name[63];

		pk_head(&k, (uint64_t)levels);
		for (int i = 0; i < levels; i++) {
			memset(long_name, 'a' + i, sizeof(long_name));
			pk_node_n(&k, true, true, 0, long_name, sizeof(long_name), NULL);
		}
		if (levels == 16)
			TAKEN(&k, NULL);
		else
			REFUSED(&k, NULL);
	}
}

/* ---- /ckpt ---- */

struct listing {
	char text[256];
};

static kr_err_t list_one(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	struct listing *l = ctx;
	size_t n = strlen(l->text);

	snprintf(l->text + n, sizeof(l->text) - n, "%s%s ", name, st->type == KR_VFS_DIR ? "/" : "");
	return KR_OK;
}

static void test_ckpt(void **state)
{
	struct vfs_part *live = part_new(NULL), *v;
	struct vfs_mounts t = { 0 };
	struct kr_vfs_stat st;
	struct listing l = { "" };
	char buf[16], name[8];
	size_t got;

	(void)state;
	assert_int_equal(vfs_write(live->fs, NULL, "/f", "live", 4, false), KR_OK);
	assert_int_equal(vfs_mkdir(live->fs, NULL, "/d", false), KR_OK);
	v = vfs_view_new(live, &ta);
	assert_non_null(v);
	assert_int_equal(vfs_write(v->fs, NULL, "/f", "old", 3, false), KR_OK);
	assert_int_equal(vfs_write(v->fs, NULL, "/d/g", "gg", 2, false), KR_OK);

	/* nothing mounted: no /ckpt, nothing refused, the live tree as is */
	assert_int_equal(vfs_ro_stat(&t, live->fs, NULL, "/ckpt", &st), KR_ENOENT);
	assert_false(vfs_ckpt_refuses(&t, NULL, "/ckpt/x"));
	assert_int_equal(vfs_ro_list(&t, live->fs, NULL, "/", list_one, &l), KR_OK);
	assert_string_equal(l.text, "d/ f ");

	assert_int_equal(vfs_mount(&t, "one", v->fs), KR_OK);
	assert_int_equal(vfs_mount(&t, "base", live->fs), KR_OK);
	/* /ckpt lists the names in order, "/" lists ckpt in its place */
	l.text[0] = '\0';
	assert_int_equal(vfs_ro_list(&t, live->fs, NULL, "/ckpt", list_one, &l), KR_OK);
	assert_string_equal(l.text, "base/ one/ ");
	l.text[0] = '\0';
	assert_int_equal(vfs_ro_list(&t, live->fs, "/d", "..", list_one, &l), KR_OK);
	assert_string_equal(l.text, "ckpt/ d/ f ");
	assert_int_equal(vfs_ro_stat(&t, live->fs, NULL, "/", &st), KR_OK);
	assert_int_equal(st.entries, 3);
	assert_int_equal(vfs_ro_stat(&t, live->fs, NULL, "/ckpt", &st), KR_OK);
	assert_int_equal(st.type, KR_VFS_DIR);
	assert_int_equal(st.entries, 2);
	assert_int_equal(vfs_ro_read(&t, live->fs, NULL, "/ckpt", 0, buf, 4, &got), KR_EINVAL);

	/* reads under /ckpt/NAME go to the view, relative ones too */
	assert_int_equal(vfs_ro_read(&t, live->fs, NULL, "/ckpt/one/f", 0, buf, 16, &got), KR_OK);
	assert_memory_equal(buf, "old", got);
	assert_int_equal(vfs_ro_read(&t, live->fs, "/ckpt/one/d", "g", 0, buf, 16, &got), KR_OK);
	assert_memory_equal(buf, "gg", got);
	assert_int_equal(vfs_ro_read(&t, live->fs, NULL, "/f", 0, buf, 16, &got), KR_OK);
	assert_memory_equal(buf, "live", got);
	assert_int_equal(vfs_ro_stat(&t, live->fs, "/ckpt", "one", &st), KR_OK);
	assert_int_equal(st.entries, 2);
	assert_int_equal(vfs_ro_stat(&t, live->fs, NULL, "/ckpt/two", &st), KR_ENOENT);
	assert_int_equal(vfs_ro_stat(&t, live->fs, NULL, "/ckpt/one/d/g/x", &st), KR_ENOENT);
	assert_int_equal(vfs_ro_stat(&t, live->fs, NULL, "/ckptx", &st), KR_ENOENT);
	l.text[0] = '\0';
	assert_int_equal(vfs_ro_list(&t, live->fs, NULL, "/ckpt/one/d", list_one, &l), KR_OK);
	assert_string_equal(l.text, "g ");

	/* a copy's source in a view: its tree and path there */
	{
		char norm[VFS_NORM_MAX];
		struct vfs *src;
		const char *in;

		assert_int_equal(vfs_ckpt_source(&t, "/ckpt/one", "d/../d/g", norm, &src, &in), KR_OK);
		assert_ptr_equal(src, v->fs);
		assert_string_equal(in, "/d/g");
		assert_int_equal(vfs_ckpt_source(&t, NULL, "/ckpt/one", norm, &src, &in), KR_OK);
		assert_string_equal(in, "/");
		assert_int_equal(vfs_ckpt_source(&t, NULL, "/f", norm, &src, &in), KR_OK);
		assert_null(src);
		assert_int_equal(vfs_ckpt_source(&t, NULL, "", norm, &src, &in), KR_OK);
		assert_null(src);       /* the live tree's to refuse */
		assert_int_equal(vfs_ckpt_source(&t, NULL, "/ckpt", norm, &src, &in), KR_EINVAL);
		assert_int_equal(vfs_ckpt_source(&t, NULL, "/ckpt/two/f", norm, &src, &in), KR_ENOENT);
	}

	/* every change under /ckpt is refused, by absolute or relative path */
	assert_true(vfs_ckpt_refuses(&t, NULL, "/ckpt"));
	assert_true(vfs_ckpt_refuses(&t, NULL, "/ckpt/one/f"));
	assert_true(vfs_ckpt_refuses(&t, NULL, "/ckpt/nothing"));
	assert_true(vfs_ckpt_refuses(&t, "/ckpt/one", "x"));
	assert_true(vfs_ckpt_refuses(&t, "/d", "../ckpt"));
	assert_false(vfs_ckpt_refuses(&t, "/ckpt", ".."));
	assert_false(vfs_ckpt_refuses(&t, NULL, "/ckptx"));
	assert_false(vfs_ckpt_refuses(&t, NULL, "/d/ckpt"));
	assert_false(vfs_ckpt_refuses(&t, NULL, ""));

	/* the table: names, duplicates, eight at most, taking down */
	assert_int_equal(vfs_mount(&t, "one", v->fs), KR_EEXIST);
	assert_int_equal(vfs_mount(&t, "", v->fs), KR_EINVAL);
	assert_int_equal(vfs_mount(&t, "..", v->fs), KR_EINVAL);
	assert_int_equal(vfs_mount(&t, "a/b", v->fs), KR_EINVAL);
	assert_int_equal(vfs_mount(&t, "a\nb", v->fs), KR_EINVAL);
	assert_int_equal(vfs_mount(&t, "0123456789012345678901234567890123", v->fs), KR_EINVAL);
	for (int i = 0; i < VFS_MOUNTS - 2; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		assert_int_equal(vfs_mount(&t, name, v->fs), KR_OK);
	}
	assert_int_equal(vfs_mount(&t, "more", v->fs), KR_ENOSPC);
	for (int i = 0; i < VFS_MOUNTS - 2; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		assert_int_equal(vfs_mount(&t, name, NULL), KR_OK);
	}
	assert_int_equal(vfs_mount(&t, "m0", NULL), KR_ENOENT);
	assert_int_equal(vfs_mount(&t, "base", NULL), KR_OK);
	assert_int_equal(vfs_ro_read(&t, live->fs, NULL, "/ckpt/base/f", 0, buf, 16, &got),
			 KR_ENOENT);
	assert_int_equal(vfs_mount(&t, "one", NULL), KR_OK);
	assert_int_equal(t.n, 0);
	assert_int_equal(vfs_ro_stat(&t, live->fs, NULL, "/ckpt", &st), KR_ENOENT);
	vfs_view_free(v, &ta);
	part_free(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_strict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_equals_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_views, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pack_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpack_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ckpt, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
