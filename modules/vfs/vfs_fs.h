/*
 * vfs_fs.h - the vfs module's file system: a tree of directories and files
 * held in memory (a ramfs), addressed by '/'-separated paths.
 *
 * Memory comes from the caller (struct vfs_alloc) and time from a clock
 * callback, so the same code runs in the kernel and in host tests.  Every
 * operation normalizes its path(s), checks every argument and limit and
 * allocates what it needs before it changes anything: an operation that
 * fails, including for lack of memory, leaves the file system as it was.
 * Not thread-safe: the caller serializes calls.
 *
 * Paths: absolute, or relative to cwd (NULL cwd means "/"; a cwd without a
 * leading '/' is taken from "/").  '.', '..' (never above "/"), repeated and
 * trailing '/' are resolved lexically, as a shell does: "/f/.." is "/"
 * even when /f is a file.  Names are any bytes but '/' and control
 * characters (0x01-0x1f, 0x7f); directory entries are kept in strcmp order.
 *
 * Errors (no new codes; a future ABI could add ENOTDIR/EISDIR/ENAMETOOLONG):
 *   KR_EINVAL  bad argument: empty path, control character, NULL pointer;
 *              a directory where a file is needed (write, read, copy source);
 *              moving a directory into itself
 *   KR_ENOENT  no such entry, or a file where the path needs a directory
 *   KR_EEXIST  mkdir of an existing entry (mkdir -p: of an existing file);
 *              mv/cp whose target (after "into a directory") is a
 *              directory, or mv of a directory onto a file
 *   KR_EBUSY   removing a non-empty directory without recursive
 *   KR_EPERM   removing or moving "/"
 *   KR_ERANGE  a name, path or depth over its limit
 *   KR_ENOSPC  a file, the total of all file bytes or the node count over
 *              its limit
 *   KR_ENOMEM  the allocator returned NULL
 */
#ifndef KARYON_VFS_FS_H
#define KARYON_VFS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karyon/err.h>
#include <karyon/vfs.h>

struct vfs_alloc {
	void *ctx;                                      /* also passed to clock */
	void *(*alloc)(void *ctx, size_t n);            /* NULL: out of memory */
	void (*free)(void *ctx, void *p, size_t n);     /* n as allocated */
};

/* A zero field takes its default. */
struct vfs_limits {
	size_t name_max;        /* bytes in one name (63) */
	size_t depth_max;       /* names in a path: "/a/b" is 2 deep (32) */
	size_t path_max;        /* bytes in a normalized path (1024) */
	size_t file_max;        /* bytes in one file (16 MiB) */
	size_t total_max;       /* bytes in all files together (64 MiB) */
	size_t nodes_max;       /* files and directories, "/" not counted (4096) */
};

/* enum kr_vfs_type, struct kr_vfs_stat, kr_vfs_list_fn: <karyon/vfs.h>, the service's ABI. */

struct vfs_usage { size_t nodes, bytes; };

struct vfs;

/* One entry of a listing; a result other than KR_OK stops the listing and
 * is returned by vfs_list.  It must not change the file system. */

/* lim NULL: defaults.  clock may be NULL (every mtime is then 0). */
kr_err_t vfs_create(const struct vfs_alloc *a, const struct vfs_limits *lim,
		    uint64_t (*clock)(void *ctx), struct vfs **out);
void vfs_destroy(struct vfs *fs);       /* frees every byte it holds */
void vfs_usage(const struct vfs *fs, struct vfs_usage *u);

/* cwd + path -> an absolute path without '.', '..', '//' or a trailing '/'
 * in out.  KR_ERANGE if it does not fit in outlen bytes (with its NUL). */
kr_err_t vfs_normalize(const char *cwd, const char *path, char *out, size_t outlen);

/* mkdir (parents: mkdir -p, which also accepts an existing directory). */
kr_err_t vfs_mkdir(struct vfs *fs, const char *cwd, const char *path, bool parents);
/* rm / rmdir; recursive: rm -r.  Frees the subtree at once. */
kr_err_t vfs_remove(struct vfs *fs, const char *cwd, const char *path, bool recursive);
/* Replace the contents (or append to them); creates the file if missing,
 * but not its directory. */
kr_err_t vfs_write(struct vfs *fs, const char *cwd, const char *path,
		   const void *data, size_t n, bool append);
/* Up to n bytes from off; *got = 0 at or past the end. */
kr_err_t vfs_read(struct vfs *fs, const char *cwd, const char *path, uint64_t off,
		  void *buf, size_t n, size_t *got);
kr_err_t vfs_stat(struct vfs *fs, const char *cwd, const char *path, struct kr_vfs_stat *st);
/* mv: onto an existing directory moves into it (to/NAME), so moving a
 * directory onto itself is moving it into itself (KR_EINVAL), as with mv;
 * replaces a file with a file; a file onto itself, or anything into the
 * directory it is in, does nothing.  Moved entries keep their mtimes.
 * It never allocates, so it cannot fail for lack of memory. */
kr_err_t vfs_rename(struct vfs *fs, const char *cwd, const char *from, const char *to);
/* cp of a file, with the same rules for the target as vfs_rename. */
kr_err_t vfs_copy(struct vfs *fs, const char *cwd, const char *from, const char *to);
/* A directory's entries in strcmp order; a file lists as itself. */
kr_err_t vfs_list(struct vfs *fs, const char *cwd, const char *path, kr_vfs_list_fn fn, void *ctx);

/* ---- for the commit log (modules/vfs/commit.c) ---- */

/* Is p what vfs_normalize would make of it (absolute, no '.', '..', '//',
 * trailing '/' or control byte)?  Records carry only such paths. */
bool vfs_is_normal(const char *p);
/* Dry run: while on, mkdir, remove, write, rename and copy decode and check
 * everything and return what they would, but change nothing, allocate
 * nothing and do not read the clock.  The commit log's check is this, so it
 * refuses exactly what the operation would (but for running out of memory). */
void vfs_dry_run(struct vfs *fs, bool on);
/* vfs_tree.c: a deep copy of src: same limits, allocator and clock
 * function, but its own allocator/clock context ctx; mtimes copied.
 * KR_ENOMEM: nothing made. */
kr_err_t vfs_clone(const struct vfs *src, void *ctx, struct vfs **out);
/* vfs_tree.c: every node, "/" first, in strcmp order of their absolute
 * paths (which is not depth-first: "/a.txt" comes between "/a" and "/a/x").
 * path is in a buffer of the fs's, valid during the call.  fn returns
 * KR_OK, VFS_WALK_SKIP (not into this directory) or an error, which stops
 * the walk and is returned; KR_ENOMEM if the walk's stack cannot grow.
 * fn must not call into fs. */
/* vfs_tree.c, for live replacement: the whole tree as bytes (with out NULL
 * or cap short only *len; KR_ERANGE when short), and a tree made from
 * such bytes (checked: KR_EFORMAT for anything vfs_pack would not make,
 * KR_ENOMEM; nothing made then). */
kr_err_t vfs_pack(const struct vfs *fs, void *out, size_t cap, size_t *len);
kr_err_t vfs_unpack(const struct vfs_alloc *a, const struct vfs_limits *lim,
		    uint64_t (*clock)(void *ctx), const void *in, size_t len, struct vfs **out);
#define VFS_WALK_SKIP 1
typedef int (*vfs_walk_fn)(void *ctx, const char *path, bool dir, const uint8_t *data,
			   size_t size);
kr_err_t vfs_walk(struct vfs *fs, vfs_walk_fn fn, void *ctx);

#endif
