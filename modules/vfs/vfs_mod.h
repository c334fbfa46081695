/*
 * vfs_mod.h - what the vfs module's kernel files share: vfs.c (the "vfs"
 * service) and state.c (the "state.vfs" service, the commit log's part).
 * Every call is serialised by the caller, as vfs_fs.h requires.
 */
#ifndef KARYON_VFS_MOD_H
#define KARYON_VFS_MOD_H

#include <karyon/module.h>

#include "ckpt.h"
#include "commit.h"

extern kr_domain_t *vfs_self;
extern struct vfs_part vfs_live;                /* the live tree and its clock */
extern const struct vfs_alloc vfs_heap;         /* the module heap; context: vfs_live */
extern struct vfs_mounts vfs_mounts;            /* views shown under /ckpt */
extern const struct kr_gate_ops *vfs_gate;      /* the commit log's, once attached */

/* vfs.c: make rq on the live tree now, telling the watchers (cwd: as the
 * caller gave it, NULL for a record's normalised paths). */
kr_err_t vfs_direct(const char *cwd, const struct vfs_req *rq);
/* Is path under /proc, the volatile part of the tree (never committed)? */
bool vfs_volatile(const char *cwd, const char *path);
/* vfs.c: unpack the "initrd" boot module into fs (quiet: no log line on
 * success).  The error of the first initrd that failed. */
kr_err_t vfs_load_initrd(struct vfs *fs, bool quiet);

/* state.c: rq through the gateway, as a record. */
kr_err_t vfs_commit(const char *cwd, const struct vfs_req *rq);
/* state.c: publish "state.vfs" / detach and unpublish it. */
kr_err_t vfs_state_publish(void);
void vfs_state_unpublish(void);

#endif
