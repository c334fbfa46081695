/*
 * fuzz_initrd.c - libFuzzer target for the cpio (newc) initrd reader
 * (modules/vfs/initrd.c) over the real in-memory file system.
 *
 * The archive is libFuzzer's exact-size buffer, so ASan sees a read past
 * its end.  A small node limit makes the vfs refuse some archives halfway,
 * the path initrd.h promises keeps what came before.  After each input the
 * file system is destroyed and every allocation must be back, and err must
 * be one NUL-terminated line.  Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfs/initrd.h"

static long live;

static void *f_alloc(void *ctx, size_t n)
{
	(void)ctx;
	live++;
	return malloc(n ? n : 1);
}

static void f_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)n;
	live--;
	free(p);
}

static const struct vfs_alloc va = { .alloc = f_alloc, .free = f_free };
static const struct vfs_limits lim = { .nodes_max = 32, .depth_max = 8, .file_max = 4096 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfs *fs = NULL;
	char err[160];
	uint32_t files = 12345;
	kr_err_t e;

	if (vfs_create(&va, &lim, NULL, &fs) != KR_OK)
		abort();
	memset(err, 'X', sizeof(err));
	e = initrd_unpack(fs, data, size, err, sizeof(err), &files);
	if (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n'))
		abort();
	if (e == KR_OK && err[0] && !strstr(err, "skipped"))
		abort();        /* success says nothing, or what it skipped */
	if (e != KR_OK && !err[0])
		abort();
	if (files > lim.nodes_max)
		abort();
	vfs_destroy(fs);
	if (live)
		abort();
	return 0;
}
