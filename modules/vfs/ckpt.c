/*
 * ckpt.c - the /ckpt directory: views mounted read-only by name.
 *
 * A path is routed before any tree sees it: with nothing mounted it goes
 * to the live tree untouched (so the vfs behaves exactly as it did before
 * /ckpt existed); otherwise it is normalised, and "/ckpt" is the table
 * itself, "/ckpt/NAME/rest" is "/rest" in NAME's tree, anything else is the
 * live tree's.  The normalised path lives in the caller's buffer.
 */
#include <karyon/libc.h>
#include "ckpt.h"

#define CKPT "/ckpt"
#define CKPT_LEN 5

/* Where a path leads: the live tree, /ckpt itself, or a view; the tree
 * (NULL for /ckpt) and the cwd and path to give it. */
struct route {
	enum { AT_LIVE, AT_CKPT, AT_VIEW } at;
	struct vfs *fs;
	const char *cwd, *path;
};

static int find(const struct vfs_mounts *t, const char *name, size_t len)
{
	for (unsigned i = 0; i < t->n; i++)
		if (!strncmp(t->m[i].name, name, len) && !t->m[i].name[len])
			return (int)i;
	return -1;
}

/* The mount point's name if norm is /ckpt/... (len 0 for /ckpt itself), or
 * NULL if norm is elsewhere. */
static const char *under_ckpt(const char *norm, size_t *len)
{
	const char *p;

	if (strncmp(norm, CKPT, CKPT_LEN) || (norm[CKPT_LEN] && norm[CKPT_LEN] != '/'))
		return NULL;
	p = norm + CKPT_LEN + (norm[CKPT_LEN] == '/');
	for (*len = 0; p[*len] && p[*len] != '/'; (*len)++)
		;
	return p;
}

static kr_err_t route(const struct vfs_mounts *t, struct vfs *live, const char *cwd,
		      const char *path, char *norm, struct route *r)
{
	const char *name;
	size_t len;
	int i;

	*r = (struct route){ AT_LIVE, live, cwd, path };
	norm[0] = '\0';
	/* A path that does not normalise is the live tree's to refuse. */
	if (!t->n || vfs_normalize(cwd, path, norm, VFS_NORM_MAX) ||
	    !(name = under_ckpt(norm, &len)))
		return KR_OK;
	if (!len) {
		*r = (struct route){ AT_CKPT, NULL, NULL, NULL };
		return KR_OK;
	}
	if ((i = find(t, name, len)) < 0)
		return KR_ENOENT;
	*r = (struct route){ AT_VIEW, t->m[i].fs, NULL, name[len] ? name + len : "/" };
	return KR_OK;
}

kr_err_t vfs_mount(struct vfs_mounts *t, const char *name, struct vfs *fs)
{
	size_t len = name ? strnlen(name, VFS_MOUNT_NAME) : 0;
	unsigned i;
	int at;

	if (!len || len >= VFS_MOUNT_NAME || !strcmp(name, ".") || !strcmp(name, ".."))
		return KR_EINVAL;
	for (const char *p = name; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return KR_EINVAL;
	at = find(t, name, len);
	if (!fs) {
		if (at < 0)
			return KR_ENOENT;
		for (i = (unsigned)at; i + 1 < t->n; i++)
			t->m[i] = t->m[i + 1];
		t->n--;
		return KR_OK;
	}
	if (at >= 0)
		return KR_EEXIST;
	if (t->n == VFS_MOUNTS)
		return KR_ENOSPC;
	for (i = t->n; i > 0 && strcmp(t->m[i - 1].name, name) > 0; i--)
		t->m[i] = t->m[i - 1];
	memcpy(t->m[i].name, name, len + 1);
	t->m[i].fs = fs;
	t->n++;
	return KR_OK;
}

bool vfs_ckpt_refuses(const struct vfs_mounts *t, const char *cwd, const char *path)
{
	char norm[VFS_NORM_MAX];
	size_t len;

	return t->n && !vfs_normalize(cwd, path, norm, sizeof(norm)) && under_ckpt(norm, &len);
}

kr_err_t vfs_ckpt_source(const struct vfs_mounts *t, const char *cwd, const char *from,
			 char *norm, struct vfs **src, const char **path)
{
	struct route r;
	kr_err_t e = route(t, NULL, cwd, from, norm, &r);      /* live: not needed */

	*src = NULL;
	if (e || r.at == AT_LIVE)
		return e;
	if (r.at == AT_CKPT)
		return KR_EINVAL;
	*src = r.fs;
	*path = r.path;
	return KR_OK;
}

kr_err_t vfs_ro_read(const struct vfs_mounts *t, struct vfs *live, const char *cwd,
		     const char *path, uint64_t off, void *buf, size_t n, size_t *got)
{
	char norm[VFS_NORM_MAX];
	struct route r;
	kr_err_t e = route(t, live, cwd, path, norm, &r);

	if (e)
		return e;
	return r.at != AT_CKPT ? vfs_read(r.fs, r.cwd, r.path, off, buf, n, got) : KR_EINVAL;
}

static void ckpt_stat(const struct vfs_mounts *t, struct kr_vfs_stat *st)
{
	*st = (struct kr_vfs_stat){ .type = KR_VFS_DIR, .entries = t->n };
}

/* Does the live tree hold a /ckpt of its own (then shadowed, not added)? */
static bool live_has_ckpt(struct vfs *live)
{
	struct kr_vfs_stat st;

	return vfs_stat(live, NULL, CKPT, &st) == KR_OK;
}

kr_err_t vfs_ro_stat(const struct vfs_mounts *t, struct vfs *live, const char *cwd,
		     const char *path, struct kr_vfs_stat *st)
{
	char norm[VFS_NORM_MAX];
	struct route r;
	kr_err_t e = route(t, live, cwd, path, norm, &r);

	if (e)
		return e;
	if (r.at == AT_CKPT) {
		ckpt_stat(t, st);
		return KR_OK;
	}
	e = vfs_stat(r.fs, r.cwd, r.path, st);
	/* "/" counts the /ckpt it lists */
	if (!e && r.at == AT_LIVE && !strcmp(norm, "/") && !live_has_ckpt(live))
		st->entries++;
	return e;
}

/* Listing "/" while something is mounted: "ckpt" slipped in, in order. */
struct with_ckpt {
	const struct vfs_mounts *t;
	kr_vfs_list_fn fn;
	void *ctx;
	bool done;
};

static kr_err_t list_with_ckpt(void *ctx, const char *name, const struct kr_vfs_stat *st)
{
	struct with_ckpt *w = ctx;
	struct kr_vfs_stat cst;
	kr_err_t e;

	if (!w->done && strcmp(name, CKPT + 1) > 0) {
		w->done = true;
		ckpt_stat(w->t, &cst);
		if ((e = w->fn(w->ctx, CKPT + 1, &cst)))
			return e;
	}
	return w->fn(w->ctx, name, st);
}

kr_err_t vfs_ro_list(const struct vfs_mounts *t, struct vfs *live, const char *cwd,
		     const char *path, kr_vfs_list_fn fn, void *ctx)
{
	char norm[VFS_NORM_MAX];
	struct kr_vfs_stat st;
	struct route r;
	kr_err_t e = route(t, live, cwd, path, norm, &r);

	if (e)
		return e;
	if (r.at == AT_CKPT) {
		for (unsigned i = 0; i < t->n; i++) {
			vfs_stat(t->m[i].fs, NULL, "/", &st);
			if ((e = fn(ctx, t->m[i].name, &st)))
				return e;
		}
		return KR_OK;
	}
	if (r.at == AT_LIVE && !strcmp(norm, "/") && !live_has_ckpt(live)) {
		struct with_ckpt w = { t, fn, ctx, false };

		if ((e = vfs_list(live, NULL, "/", list_with_ckpt, &w)) || w.done)
			return e;
		ckpt_stat(t, &st);
		return fn(ctx, CKPT + 1, &st);
	}
	return vfs_list(r.fs, r.cwd, r.path, fn, ctx);
}
