/*
 * ckpt.h - views of the file system shown read-only under /ckpt/NAME
 * (ckpt.c): the mount table and the read side of the vfs service over it.
 * Pure code, host-compilable.
 *
 * /ckpt exists only while something is mounted; it then lists the mounted
 * names as directories (and "/" lists it), shadowing a /ckpt of the live
 * tree.  Reading, stat and list under /ckpt/NAME go to that view's tree;
 * any change under /ckpt is refused (KR_EPERM) by the service; a file may
 * be copied out of a view (the service makes that a write of the target).
 */
#ifndef KARYON_VFS_CKPT_H
#define KARYON_VFS_CKPT_H

#include "vfs_fs.h"

#define VFS_MOUNTS     8
#define VFS_MOUNT_NAME 32               /* with the NUL */
#define VFS_NORM_MAX   1025             /* a normalised path and its NUL */

struct vfs_mounts {
	unsigned n;
	struct {
		char name[VFS_MOUNT_NAME];
		struct vfs *fs;
	} m[VFS_MOUNTS];                /* the first n, in strcmp order of name */
};

/* Show fs at /ckpt/name (fs NULL: take name down).  name: 1..31 bytes, no
 * '/' or control byte, not "." or "..".  KR_EINVAL bad name, KR_EEXIST
 * already mounted, KR_ENOSPC 8 mounted, KR_ENOENT not mounted. */
kr_err_t vfs_mount(struct vfs_mounts *t, const char *name, struct vfs *fs);
/* Would a change of cwd + path touch /ckpt (while anything is mounted)? */
bool vfs_ckpt_refuses(const struct vfs_mounts *t, const char *cwd, const char *path);

/* cp out of a view: if from is in a mounted view, *src is its tree and
 * *path the file's path there (in norm, VFS_NORM_MAX bytes); else *src is
 * NULL.  KR_ENOENT under /ckpt but in no view, KR_EINVAL for /ckpt itself
 * (a directory, as a copy's source must not be). */
kr_err_t vfs_ckpt_source(const struct vfs_mounts *t, const char *cwd, const char *from,
			 char *norm, struct vfs **src, const char **path);

/* vfs_read, vfs_stat and vfs_list over live and the mounted views. */
kr_err_t vfs_ro_read(const struct vfs_mounts *t, struct vfs *live, const char *cwd,
		     const char *path, uint64_t off, void *buf, size_t n, size_t *got);
kr_err_t vfs_ro_stat(const struct vfs_mounts *t, struct vfs *live, const char *cwd,
		     const char *path, struct kr_vfs_stat *st);
kr_err_t vfs_ro_list(const struct vfs_mounts *t, struct vfs *live, const char *cwd,
		     const char *path, kr_vfs_list_fn fn, void *ctx);

#endif
