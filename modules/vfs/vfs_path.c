/*
 * vfs_path.c - paths as text: normalisation and the measures the file
 * system checks its limits with.  No node is touched here.
 *
 * vfs_normalize works right to left, so a ".." cancels the name before it
 * without any intermediate string that could overflow; then the result is
 * checked against the output size.
 */
#include <karyon/libc.h>
#include "vfs_fs.h"
#include "vfs_path.h"


size_t vfs_complen(const char *p)
{
	size_t n = 0;

	while (p[n] && p[n] != '/')
		n++;
	return n;
}

static bool vfs_badbytes(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* One normalization pass over s, right to left: a ".." cancels the next
 * name to its left (*skip carries that across from path into cwd).  With
 * out NULL it adds the length of what it keeps to pos; otherwise it writes
 * "/name" pieces ending at out[pos], moving left. */
static size_t vfs_norm_pass(const char *s, size_t *skip, char *out, size_t pos)
{
	size_t e = strlen(s), b, n;

	while (e > 0) {
		if (s[e - 1] == '/') {
			e--;
			continue;
		}
		for (b = e; b > 0 && s[b - 1] != '/'; b--)
			;
		n = e - b;
		if (n == 2 && s[b] == '.' && s[b + 1] == '.') {
			(*skip)++;
		} else if (!(n == 1 && s[b] == '.')) {
			if (*skip)
				(*skip)--;
			else if (!out)
				pos += n + 1;
			else {
				pos -= n;
				memcpy(out + pos, s + b, n);
				out[--pos] = '/';
			}
		}
		e = b;
	}
	return pos;
}

kr_err_t vfs_normalize(const char *cwd, const char *path, char *out, size_t outlen)
{
	size_t skip = 0, len;

	if (!path || !*path || !out)
		return KR_EINVAL;
	if (!cwd || path[0] == '/')
		cwd = "";
	if (vfs_badbytes(cwd) || vfs_badbytes(path))
		return KR_EINVAL;
	len = vfs_norm_pass(cwd, &skip, NULL, vfs_norm_pass(path, &skip, NULL, 0));
	if ((len ? len : 1) >= outlen)
		return KR_ERANGE;
	skip = 0;
	vfs_norm_pass(cwd, &skip, out, vfs_norm_pass(path, &skip, out, len));
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return KR_OK;
}

/* Number of names in a normalized path. */
size_t vfs_depth(const char *p)
{
	size_t d = 0;

	if (p[1])
		for (; *p; p++)
			d += *p == '/';
	return d;
}

bool vfs_is_normal(const char *p)
{
	size_t len;

	if (p[0] != '/' || vfs_badbytes(p))
		return false;
	if (!p[1])
		return true;
	for (p++;; p += len + 1) {
		len = vfs_complen(p);
		if (!len || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!p[len])
			return true;
	}
}
