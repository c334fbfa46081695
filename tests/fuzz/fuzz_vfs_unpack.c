/*
 * fuzz_vfs_unpack.c - libFuzzer target for the vfs's packed trees, the
 * bytes live replacement hands to a new version of the module
 * (vfs_unpack in modules/vfs/vfs_tree.c; layout in its comment).
 *
 * Input: the packed bytes, decoded under small limits.  A refusal must be
 * KR_EFORMAT and leave no allocation behind.  A tree that decodes must
 * walk (every path within path_max, the walk's buffer, and depth_max),
 * count as many nodes and bytes as the walk sees, and pack back to
 * exactly the input: vfs_unpack takes only the canonical bytes vfs_pack
 * makes.
 * Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfs/vfs_fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long live;       /* blocks allocated and not freed */

static void *f_alloc(void *ctx, size_t n)
{
	void *p = malloc(n);

	(void)ctx;
	if (p)
		live++;
	return p;
}

static void f_free(void *ctx, void *p, size_t n)
{
	(void)ctx, (void)n;
	free(p);
	live--;
}

static uint64_t f_clock(void *ctx)
{
	(void)ctx;
	abort();        /* decoding, packing and walking never read the clock */
}

struct seen { size_t nodes, bytes; uint8_t sum; };

static int count(void *ctx, const char *path, bool dir, const uint8_t *d, size_t n)
{
	struct seen *s = ctx;
	size_t depth = 0;

	for (const char *c = path + 1; *c; c++)
		depth += c[-1] == '/';
	if (strlen(path) > 32 || depth > 4 || (dir && n))
		abort();
	for (size_t i = 0; i < n; i++)  /* ASan: the contents are n bytes */
		s->sum += d[i];
	s->nodes++;
	s->bytes += n;
	return KR_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vfs_limits lim = { .name_max = 8, .depth_max = 4, .path_max = 32,
					.file_max = 64, .total_max = 256, .nodes_max = 16 };
	struct vfs_alloc a = { NULL, f_alloc, f_free };
	/* its own copy, so ASan sees a read past the input */
	uint8_t *in = malloc(size ? size : 1), *out;
	struct seen seen = { 0, 0, 0 };
	struct vfs_usage u;
	struct vfs *fs;
	size_t len;
	kr_err_t r;

	memcpy(in, data, size);
	live = 0;
	r = vfs_unpack(&a, &lim, f_clock, in, size, &fs);
	if (r) {
		if (r != KR_EFORMAT || live)
			abort();
		free(in);
		return 0;
	}
	if (vfs_pack(fs, NULL, 0, &len) || len != size)
		abort();
	out = malloc(len);
	if (vfs_pack(fs, out, len, &len) || len != size || memcmp(out, in, size))
		abort();
	if (vfs_walk(fs, count, &seen))
		abort();
	vfs_usage(fs, &u);
	if (seen.nodes != u.nodes + 1 || seen.bytes != u.bytes || u.nodes > lim.nodes_max ||
	    u.bytes > lim.total_max)
		abort();
	vfs_destroy(fs);
	if (live)
		abort();
	free(out);
	free(in);
	return 0;
}
