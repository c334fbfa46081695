/*
 * fuzz_vfs_commit.c - libFuzzer target for the vfs's commit-log records
 * (modules/vfs/commit.c over vfs_fs.c and vfs_tree.c).
 *
 * Input: records, each a kind byte (its value mod 6: the five vfs kinds
 * and one that is not), a length byte and that many payload bytes (fewer
 * at the end of the input).  Each is decoded; one that decodes is checked
 * (the dry run) and then applied to the same small tree.  check must give
 * apply's verdict, the dry run must change nothing (usage, clock, every
 * node's name and contents), and an undecodable record must be KR_EFORMAT.
 * Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfs/commit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Items are not fuzzed here: commit.c's one use of the hash. */
kr_err_t kr_blake2b_256(uint8_t out[32], const void *in, size_t len)
{
	(void)out, (void)in, (void)len;
	abort();
}

static void *f_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void f_free(void *ctx, void *p, size_t n)
{
	(void)ctx, (void)n;
	free(p);
}

/* FNV-1a over every node's path, type and contents. */
static int fold(void *ctx, const char *path, bool dir, const uint8_t *d, size_t n)
{
	uint64_t *h = ctx;

	for (const char *p = path; *p; p++)
		*h = (*h ^ (uint8_t)*p) * 0x100000001b3ull;
	*h = (*h ^ (dir ? 'd' : 'f')) * 0x100000001b3ull;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ d[i]) * 0x100000001b3ull;
	return KR_OK;
}

static uint64_t state(struct vfs_part *p)
{
	struct vfs_usage u;
	uint64_t h = 0xcbf29ce484222325ull;

	if (vfs_walk(p->fs, fold, &h))
		abort();
	vfs_usage(p->fs, &u);
	return h ^ u.nodes ^ (u.bytes << 20) ^ (p->ticks << 40);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "vfs.mkdir", "vfs.remove", "vfs.write",
					     "vfs.rename", "vfs.copy", "vfs.chmod" };
	const struct vfs_limits lim = { .name_max = 8, .depth_max = 4, .path_max = 32,
					.file_max = 64, .total_max = 256, .nodes_max = 16 };
	struct vfs_part part = { 0 };
	struct vfs_alloc a = { &part, f_alloc, f_free };
	struct vfs_req rq;
	char err[128];

	if (vfs_create(&a, &lim, vfs_part_clock, &part.fs))
		abort();
	while (size >= 2) {
		size_t len = data[1] < size - 2 ? data[1] : size - 2;
		/* its own copy, so ASan sees a read past the payload */
		uint8_t *payload = malloc(len ? len : 1);
		struct kr_commit c = { 1, (uint32_t)len, 0, kinds[data[0] % 6], payload };
		kr_err_t r, dry;
		uint64_t before;

		memcpy(payload, data + 2, len);
		data += 2 + len;
		size -= 2 + len;
		err[0] = '\0';
		r = vfs_req_decode(&c, &rq, err, sizeof(err));
		if (r) {
			if (r != KR_EFORMAT || !err[0])
				abort();
			free(payload);
			continue;
		}
		before = state(&part);
		dry = vfs_req_run(part.fs, &rq, true);
		if (state(&part) != before)
			abort();
		r = vfs_req_run(part.fs, &rq, false);
		if (r != dry || (r && state(&part) != before))
			abort();
		free(payload);
	}
	vfs_destroy(part.fs);
	return 0;
}
