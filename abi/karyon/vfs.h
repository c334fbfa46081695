/*
 * vfs.h - the "vfs" service: the in-memory file system mounted at "/".
 *
 * Implemented by the vfs module (modules/vfs), not by the core.  Paths are
 * absolute, or relative to cwd (NULL: "/"); "." and ".." and "//" are
 * normalised, never above "/".  Every call checks everything before it
 * changes anything.  Errors: KR_ENOENT (missing, or a file where a
 * directory is needed), KR_EEXIST, KR_EINVAL (a directory where a file is
 * needed, bad path bytes), KR_EBUSY (directory not empty), KR_EPERM
 * (removing or moving "/"), KR_ERANGE (name, path or depth too long),
 * KR_ENOSPC (file, total or node limits), KR_ENOMEM.
 */
#ifndef KARYON_VFS_H
#define KARYON_VFS_H

#include <stdbool.h>
#include <karyon/service.h>

#define KR_VFS_SERVICE_VERSION 2        /* 2: watch */

enum kr_vfs_type { KR_VFS_FILE = 1, KR_VFS_DIR = 2 };

struct kr_vfs_stat {
	uint32_t type;          /* enum kr_vfs_type */
	uint32_t entries;       /* directories: number of entries; files: 0 */
	uint64_t size;          /* files: bytes; directories: 0 */
	uint64_t mtime;         /* the vfs's logical clock at the last change:
				 * deterministic, one tick per change */
};
KR_ABI_SIZE(struct kr_vfs_stat, 24);

typedef kr_err_t (*kr_vfs_list_fn)(void *ctx, const char *name, const struct kr_vfs_stat *st);

/* What a watcher hears after a change (version 2): a file or directory
 * came to be (mkdir, a write that made a file, the target of a rename or
 * copy), a file was written (every write and append, and the target of a
 * copy), or something went (remove: the path named, not what was under it;
 * the source of a rename).  path is normalised. */
enum kr_vfs_change { KR_VFS_CREATED = 1, KR_VFS_WRITTEN = 2, KR_VFS_REMOVED = 3 };
typedef void (*kr_vfs_watch_fn)(void *ctx, uint32_t change, const char *path);

struct kr_vfs_ops {
	struct kr_ops_header hdr;       /* version KR_VFS_SERVICE_VERSION */
	kr_err_t (*normalize)(const char *cwd, const char *path, char *out, size_t outlen);
	kr_err_t (*mkdir)(const char *cwd, const char *path, bool parents);
	kr_err_t (*remove)(const char *cwd, const char *path, bool recursive);
	kr_err_t (*write)(const char *cwd, const char *path, const void *data, size_t n,
			  bool append);
	kr_err_t (*read)(const char *cwd, const char *path, uint64_t off, void *buf, size_t n,
			 size_t *got);
	kr_err_t (*stat)(const char *cwd, const char *path, struct kr_vfs_stat *st);
	kr_err_t (*rename)(const char *cwd, const char *from, const char *to);
	kr_err_t (*copy)(const char *cwd, const char *from, const char *to);
	/* Entries of a directory in name order (a file lists itself); fn
	 * returning an error stops the listing and is returned. */
	kr_err_t (*list)(const char *cwd, const char *path, kr_vfs_list_fn fn, void *ctx);
	/* Version 2: call fn after every change from now on (enum
	 * kr_vfs_change).  Up to 4 watchers, one per domain; fn NULL stops
	 * d's (a watcher's exit must).  fn runs in the changing task, after
	 * the change: short, and no vfs calls from it.  KR_ENOSPC when 4 watch. */
	kr_err_t (*watch)(kr_domain_t *d, kr_vfs_watch_fn fn, void *ctx);
};
KR_ABI_OFFSET(struct kr_vfs_ops, normalize, 16);
KR_ABI_SIZE(struct kr_vfs_ops, 96);

#endif
