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

/* Modules told of every change (vfs.c, the service's watch). */
#define VFS_WATCHERS 4
struct vfs_watcher {
	kr_domain_t *d;
	kr_vfs_watch_fn fn;
	void *ctx;
};
extern struct vfs_watcher vfs_watchers[VFS_WATCHERS];

/* vfs.c: the "vfs" service's table. */
const struct kr_ops_header *vfs_ops_table(void);
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
/* state.c: the "state.vfs" table; commits in progress (a live replacement
 * waits for none); the clock genesis left; the commit log's views, by
 * handle (slot + 1). */
const struct kr_ops_header *vfs_state_table(void);
uint32_t vfs_state_busy(void);
extern uint64_t vfs_genesis_ticks;
#define VFS_VIEWS 16
extern struct vfs_part *vfs_views[VFS_VIEWS];

/* live.c: publish "live.vfs" (<karyon/live.h>). */
kr_err_t vfs_live_publish(void);

#endif
