/*
 * vfs_path.h - path text helpers shared by vfs_fs.c (vfs_path.c).
 * vfs_normalize itself is declared in vfs_fs.h.
 */
#ifndef KARYON_VFS_PATH_H
#define KARYON_VFS_PATH_H

#include <stddef.h>

size_t vfs_complen(const char *p);      /* bytes of the first name in p */
size_t vfs_depth(const char *p);        /* names in a normalized path */

#endif
