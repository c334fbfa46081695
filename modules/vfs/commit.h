/*
 * commit.h - the vfs as the owner of the commit log's part "vfs": its
 * requests as records (encode, decode), their check and apply on a tree,
 * the part's items, and views (commit.c).  Pure code, host-compilable.
 */
#ifndef KARYON_VFS_COMMIT_H
#define KARYON_VFS_COMMIT_H

#include <karyon/clog.h>
#include "vfs_fs.h"

/* A tree and its logical clock: the live file system, or a view.  The
 * clock is the tree's allocator context, so every view has its own. */
struct vfs_part {
	struct vfs *fs;
	uint64_t ticks;         /* the last mtime handed out */
};
uint64_t vfs_part_clock(void *part);    /* vfs_create's clock: ++ticks */

enum vfs_op { VFS_MKDIR, VFS_REMOVE, VFS_WRITE, VFS_RENAME, VFS_COPY };

/* One mutating request, as the vfs service takes it. */
struct vfs_req {
	enum vfs_op op;
	const char *path;       /* mv/cp: the source */
	const char *to;         /* mv/cp: the target */
	bool flag;              /* mkdir: parents; remove: recursive; write: append */
	const void *data;       /* write */
	size_t n;
};

/* The record kind of op: "vfs.mkdir" ... */
const char *vfs_req_kind(enum vfs_op op);
/* The payload of rq (*len bytes) with its path(s) normalised against cwd,
 * in a buffer from a of *size bytes (free it with a->free(ctx, *payload,
 * *size)).  The normalisation's
 * error (KR_EINVAL, KR_ERANGE), KR_ENOSPC over KR_CLOG_PAYLOAD_MAX,
 * KR_ENOMEM. */
kr_err_t vfs_req_encode(const struct vfs_req *rq, const char *cwd, const struct vfs_alloc *a,
			void **payload, uint32_t *len, size_t *size);
/* Strict: KR_EFORMAT and a message in err for anything but a payload
 * vfs_req_encode could have made.  rq points into c's payload. */
kr_err_t vfs_req_decode(const struct kr_commit *c, struct vfs_req *rq, char *err, size_t errlen);
/* The vfs_fs operation rq names, on fs (dry: only check it). */
kr_err_t vfs_req_run(struct vfs *fs, const struct vfs_req *rq, bool dry);

/* The part's items (kr_state_ops.items) of fs; a gives the scratch memory
 * a file's digest needs.  /ckpt and what is below it are left out. */
kr_err_t vfs_items(struct vfs *fs, const struct vfs_alloc *a, kr_state_item_fn fn, void *ctx);

/* A view: a copy of from (tree and clock) in memory from a (the context
 * the view's allocator and clock get is the view itself).  NULL: no memory. */
struct vfs_part *vfs_view_new(const struct vfs_part *from, const struct vfs_alloc *a);
void vfs_view_free(struct vfs_part *v, const struct vfs_alloc *a);

#endif
