/*
 * vfs_node.h - the file system's representation, shared by vfs_fs.c (the
 * operations) and vfs_tree.c (whole trees: copies and walks).  Private to
 * those two files.
 */
#ifndef KARYON_VFS_NODE_H
#define KARYON_VFS_NODE_H

#include "vfs_fs.h"

struct vfs_node {
	struct vfs_node *parent;        /* NULL for "/" */
	struct vfs_node *next;          /* next entry of parent, in strcmp order */
	struct vfs_node *child;         /* directories: first entry */
	uint8_t *data;                  /* files: size bytes, NULL if empty */
	size_t size;
	uint64_t mtime;
	uint32_t entries;
	bool dir;
	size_t nlen;
	char name[];                    /* room for name_max bytes and a NUL */
};

_Static_assert(sizeof(struct vfs_limits) == 6 * sizeof(size_t), "vfs_limits holds only size_t");

struct vfs {
	struct vfs_alloc a;
	uint64_t (*clock)(void *ctx);
	struct vfs_limits lim;
	size_t node_size;               /* every node: name_max + 1 bytes of name */
	struct vfs_node *root;          /* in the same allocation, after the fs */
	size_t nodes, bytes;            /* nodes but "/", bytes of all files */
	bool dry;                       /* vfs_dry_run: check, change nothing */
	char *path[2];                  /* scratch: path_max + 1 bytes each, after "/" */
};

/* A node named name[0..len), unlinked, counted in fs->nodes; NULL when out
 * of memory.  vfs_node_free frees an unlinked node and its contents. */
struct vfs_node *vfs_node_new(struct vfs *fs, const char *name, size_t len, bool dir);
void vfs_node_free(struct vfs *fs, struct vfs_node *n);

#endif
