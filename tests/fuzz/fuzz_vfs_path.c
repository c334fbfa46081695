/*
 * fuzz_vfs_path.c - libFuzzer target for VFS path normalisation
 * (modules/vfs/vfs_path.c).
 *
 * Input: out's size (first byte), then cwd and path separated by a NUL.
 * out is malloc'd at exactly that size, so ASan sees a write past it.  A
 * result must be absolute, with no empty, "." or ".." name and no
 * trailing '/', must be its own normal form, and vfs_depth must count its
 * names.  Built and run by tools/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfs/vfs_fs.h"
#include "vfs/vfs_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *p)
{
	size_t names = 0, n;

	if (p[0] != '/')
		abort();
	if (!p[1])
		goto depth;
	for (const char *q = p; *q; q += n) {
		q++;                    /* the '/' */
		n = vfs_complen(q);
		if (n == 0 || (n == 1 && q[0] == '.') || (n == 2 && q[0] == '.' && q[1] == '.'))
			abort();
		names++;
	}
depth:
	if (vfs_depth(p) != names)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *cwd, *path, *out, *again;
	size_t outlen;
	kr_err_t e;

	if (size < 1)
		return 0;
	outlen = data[0] ? data[0] : 1024;
	in = malloc(size + 1);          /* "cwd\0path\0", or "path\0" with cwd NULL */
	memcpy(in, data + 1, size - 1);
	in[size - 1] = in[size] = '\0';
	cwd = in;
	path = memchr(in, '\0', size) + 1;
	if (path > in + size - 1) {
		path = in;
		cwd = NULL;
	}
	out = malloc(outlen);
	e = vfs_normalize(cwd, path, out, outlen);
	if (e == KR_OK) {
		if (strlen(out) >= outlen)
			abort();
		check(out);
		again = malloc(outlen);
		if (vfs_normalize("/elsewhere", out, again, outlen) != KR_OK || strcmp(out, again))
			abort();
		free(again);
	} else if (e != KR_EINVAL && e != KR_ERANGE) {
		abort();
	}
	free(out);
	free(in);
	return 0;
}
