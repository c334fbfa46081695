/*
 * vfs - the file system module: the in-memory file system (vfs_fs.c)
 * mounted at "/", filled at boot from the "initrd" boot module (a cpio
 * newc archive the build makes, initrd.c), and offered to other modules as
 * the "vfs" service (<karyon/vfs.h>).
 *
 * Its memory comes from the module heap, charged to its domain; its clock
 * is logical (one tick per change), so the same boot gives the same
 * modification times.
 *
 * Every change goes through mutate(): refused under /ckpt (where views are
 * shown, ckpt.c), sent to the commit log once it has attached (state.c),
 * else made at once (vfs_direct).  Reads go through ckpt.c's routing,
 * which is the live tree itself while nothing is mounted.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>

#include "initrd.h"
#include "vfs_mod.h"

static void *fs_alloc(void *ctx, size_t n);
static void fs_free(void *ctx, void *p, size_t n);

kr_domain_t *vfs_self;
struct vfs_part vfs_live;
const struct vfs_alloc vfs_heap = { &vfs_live, fs_alloc, fs_free };
struct vfs_mounts vfs_mounts;
const struct kr_gate_ops *vfs_gate;

#define NORM_MAX 1024           /* a normalised path (vfs_fs.h's path_max) */
struct vfs_watcher vfs_watchers[VFS_WATCHERS];

/* Is anyone watching?  Without a watcher no operation does more than it
 * did before watchers existed (no stat, no normalising for them). */
static bool watched(void)
{
	for (int i = 0; i < VFS_WATCHERS; i++)
		if (vfs_watchers[i].fn)
			return true;
	return false;
}

/* Tell the watchers about a change that was made (path: as given, so
 * normalised here; one that does not normalise was not made). */
static void changed(uint32_t change, const char *cwd, const char *path)
{
	char norm[NORM_MAX];

	if (!watched() || vfs_normalize(cwd, path, norm, sizeof(norm)) != KR_OK)
		return;
	for (int i = 0; i < VFS_WATCHERS; i++)
		if (vfs_watchers[i].fn)
			vfs_watchers[i].fn(vfs_watchers[i].ctx, change, norm);
}

static bool exists(const char *cwd, const char *path)
{
	struct kr_vfs_stat st;

	return vfs_stat(vfs_live.fs, cwd, path, &st) == KR_OK;
}

/* Where mv/cp from -> to puts it: to, or to/NAME when to is a directory. */
static kr_err_t target_of(const char *cwd, const char *from, const char *to, char *out)
{
	struct kr_vfs_stat st;
	char src[NORM_MAX];
	kr_err_t e = vfs_normalize(cwd, to, out, NORM_MAX);
	const char *name;
	size_t n;

	if (e || vfs_stat(vfs_live.fs, NULL, out, &st) != KR_OK || st.type != KR_VFS_DIR)
		return e;
	e = vfs_normalize(cwd, from, src, sizeof(src));
	for (const char *p = name = src; !e && *p; p++)
		if (*p == '/')
			name = p;
	n = strlen(out);
	if (e || n + strlen(name) + 1 >= NORM_MAX)
		return e ? e : KR_ERANGE;
	memcpy(out + n - (out[n - 1] == '/'), name, strlen(name) + 1);
	return KR_OK;
}

static kr_err_t op_watch(kr_domain_t *d, kr_vfs_watch_fn fn, void *ctx)
{
	struct vfs_watcher *free_slot = NULL;

	if (!d)
		return KR_EINVAL;
	for (int i = 0; i < VFS_WATCHERS; i++) {
		if (vfs_watchers[i].d == d) {
			vfs_watchers[i] = fn ? (struct vfs_watcher){ d, fn, ctx } : (struct vfs_watcher){ 0 };
			return KR_OK;
		}
		if (!vfs_watchers[i].d && !free_slot)
			free_slot = &vfs_watchers[i];
	}
	if (!fn)
		return KR_OK;
	if (!free_slot)
		return KR_ENOSPC;
	*free_slot = (struct vfs_watcher){ d, fn, ctx };
	return KR_OK;
}

/* ctx: the tree's part (its clock), not needed here: every tree's memory
 * comes from the module heap. */
static void *fs_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return kr_malloc(vfs_self, n);
}

static void fs_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)n;
	kr_free(vfs_self, p);
}

/* ---- changes made now, with the watchers told ---- */

static kr_err_t do_mkdir(const char *cwd, const char *path, bool parents)
{
	bool was = watched() && exists(cwd, path);
	kr_err_t e = vfs_mkdir(vfs_live.fs, cwd, path, parents);

	if (!e && !was)
		changed(KR_VFS_CREATED, cwd, path);
	return e;
}

static kr_err_t do_remove(const char *cwd, const char *path, bool recursive)
{
	char norm[NORM_MAX];
	bool named = watched() && vfs_normalize(cwd, path, norm, sizeof(norm)) == KR_OK;
	kr_err_t e = vfs_remove(vfs_live.fs, cwd, path, recursive);

	if (!e && named)
		changed(KR_VFS_REMOVED, NULL, norm);
	return e;
}

static kr_err_t do_write(const char *cwd, const char *path, const void *data, size_t n,
			 bool append)
{
	bool was = watched() && exists(cwd, path);
	kr_err_t e = vfs_write(vfs_live.fs, cwd, path, data, n, append);

	if (!e && !was)
		changed(KR_VFS_CREATED, cwd, path);
	if (!e)
		changed(KR_VFS_WRITTEN, cwd, path);
	return e;
}

static kr_err_t do_rename(const char *cwd, const char *from, const char *to)
{
	char old[NORM_MAX], new[NORM_MAX];
	/* where it goes, worked out before the move; the move's own answer
	 * is what the caller gets, named or not */
	bool named = watched() && vfs_normalize(cwd, from, old, sizeof(old)) == KR_OK &&
		     target_of(cwd, from, to, new) == KR_OK;
	kr_err_t e = vfs_rename(vfs_live.fs, cwd, from, to);

	if (!e && named && strcmp(old, new)) {
		changed(KR_VFS_REMOVED, NULL, old);
		changed(KR_VFS_CREATED, NULL, new);
	}
	return e;
}

static kr_err_t do_copy(const char *cwd, const char *from, const char *to)
{
	char dst[NORM_MAX];
	bool named = watched() && target_of(cwd, from, to, dst) == KR_OK;
	bool was = named && exists(NULL, dst);
	kr_err_t e = vfs_copy(vfs_live.fs, cwd, from, to);

	if (!e && named && !was)
		changed(KR_VFS_CREATED, NULL, dst);
	if (!e && named)
		changed(KR_VFS_WRITTEN, NULL, dst);
	return e;
}

kr_err_t vfs_direct(const char *cwd, const struct vfs_req *rq)
{
	switch (rq->op) {
	case VFS_MKDIR:
		return do_mkdir(cwd, rq->path, rq->flag);
	case VFS_REMOVE:
		return do_remove(cwd, rq->path, rq->flag);
	case VFS_WRITE:
		return do_write(cwd, rq->path, rq->data, rq->n, rq->flag);
	case VFS_RENAME:
		return do_rename(cwd, rq->path, rq->to);
	case VFS_COPY:
		return do_copy(cwd, rq->path, rq->to);
	}
	return KR_EINVAL;
}

/* ---- the service ---- */

/* /proc holds what modules report about the running system (the
 * scheduler's metrics): volatile.  Changes under it are made directly,
 * never committed, and items leave it out (commit.c): every boot starts it
 * afresh. */
bool vfs_volatile(const char *cwd, const char *path)
{
	char norm[VFS_NORM_MAX];

	return !vfs_normalize(cwd, path, norm, sizeof(norm)) && !strncmp(norm, "/proc", 5) &&
	       (norm[5] == '\0' || norm[5] == '/');
}

static kr_err_t mutate(const char *cwd, const struct vfs_req *rq)
{
	bool vol;

	if (vfs_ckpt_refuses(&vfs_mounts, cwd, rq->path) ||
	    (rq->to && vfs_ckpt_refuses(&vfs_mounts, cwd, rq->to)))
		return KR_EPERM;        /* views are read-only */
	if (!vfs_gate)
		return vfs_direct(cwd, rq);
	vol = vfs_volatile(cwd, rq->path);
	if (rq->to && vol != vfs_volatile(cwd, rq->to))
		return KR_EPERM;        /* a move between /proc and the kept tree (a copy
					 * out of /proc is a write: op_copy) */
	return vol ? vfs_direct(cwd, rq) : vfs_commit(cwd, rq);
}

static kr_err_t op_mkdir(const char *cwd, const char *path, bool parents)
{
	return mutate(cwd, &(struct vfs_req){ .op = VFS_MKDIR, .path = path, .flag = parents });
}

static kr_err_t op_remove(const char *cwd, const char *path, bool recursive)
{
	return mutate(cwd, &(struct vfs_req){ .op = VFS_REMOVE, .path = path, .flag = recursive });
}

static kr_err_t op_write(const char *cwd, const char *path, const void *data, size_t n,
			 bool append)
{
	return mutate(cwd, &(struct vfs_req){ .op = VFS_WRITE, .path = path, .flag = append,
					      .data = data, .n = n });
}

static kr_err_t op_rename(const char *cwd, const char *from, const char *to)
{
	return mutate(cwd, &(struct vfs_req){ .op = VFS_RENAME, .path = from, .to = to });
}

/* cp out of a view (ckpt.c): a record cannot name a view, so the file's
 * bytes become a write of the target, found as vfs_copy finds it (into a
 * directory: its NAME; never onto a directory).  Its paths live on the
 * heap: this runs below the shell, and the stack is 16 KiB. */
static kr_err_t copy_out(const char *cwd, const char *from, const char *to, bool *done)
{
	char *norm = kr_malloc(vfs_self, 2 * VFS_NORM_MAX), *dst;
	struct kr_vfs_stat st, tst;
	const char *path;
	struct vfs *src = NULL;
	void *buf = NULL;
	size_t got = 0;
	kr_err_t e = norm ? vfs_ckpt_source(&vfs_mounts, cwd, from, norm, &src, &path) : KR_ENOMEM;

	if (!e && !src && vfs_gate && vfs_volatile(cwd, from) && !vfs_volatile(cwd, to) &&
	    !(e = vfs_normalize(cwd, from, norm, VFS_NORM_MAX))) {
		src = vfs_live.fs;      /* out of /proc: what it holds now is written */
		path = norm;
	}
	if (!(*done = e || src))
		goto out;               /* not from a view: an ordinary copy */
	dst = norm + VFS_NORM_MAX;
	if (!e)
		e = vfs_stat(src, NULL, path, &st);
	if (!e && st.type == KR_VFS_DIR)
		e = KR_EINVAL;
	if (!e && vfs_ckpt_refuses(&vfs_mounts, cwd, to))
		e = KR_EPERM;
	if (!e)
		e = target_of(cwd, from, to, dst);
	if (!e && vfs_stat(vfs_live.fs, NULL, dst, &tst) == KR_OK && tst.type == KR_VFS_DIR)
		e = KR_EEXIST;
	if (!e && st.size && !(buf = kr_malloc(vfs_self, st.size)))
		e = KR_ENOMEM;
	if (!e)
		e = vfs_read(src, NULL, path, 0, buf, st.size, &got);
	if (!e)
		e = mutate(NULL, &(struct vfs_req){ .op = VFS_WRITE, .path = dst, .data = buf,
						    .n = got });
	if (buf)
		kr_free(vfs_self, buf);
out:
	if (norm)
		kr_free(vfs_self, norm);
	return e;
}

static kr_err_t op_copy(const char *cwd, const char *from, const char *to)
{
	bool done = false;
	kr_err_t e = vfs_mounts.n || vfs_gate ? copy_out(cwd, from, to, &done) : KR_OK;

	return done ? e : mutate(cwd, &(struct vfs_req){ .op = VFS_COPY, .path = from, .to = to });
}

static kr_err_t op_read(const char *cwd, const char *path, uint64_t off, void *buf, size_t n,
			size_t *got)
{
	return vfs_ro_read(&vfs_mounts, vfs_live.fs, cwd, path, off, buf, n, got);
}

static kr_err_t op_stat(const char *cwd, const char *path, struct kr_vfs_stat *st)
{
	return vfs_ro_stat(&vfs_mounts, vfs_live.fs, cwd, path, st);
}

static kr_err_t op_list(const char *cwd, const char *path, kr_vfs_list_fn fn, void *ctx)
{
	return vfs_ro_list(&vfs_mounts, vfs_live.fs, cwd, path, fn, ctx);
}

static const struct kr_vfs_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_VFS_SERVICE_VERSION, sizeof(struct kr_vfs_ops), 0 },
	.normalize = vfs_normalize, .mkdir = op_mkdir, .remove = op_remove,
	.write = op_write, .read = op_read, .stat = op_stat, .rename = op_rename,
	.copy = op_copy, .list = op_list, .watch = op_watch,
};

/* The initrd is genesis: boot unpacks it, and reset (state.c) again. */
kr_err_t vfs_load_initrd(struct vfs *into, bool quiet)
{
	struct kr_boot_module_info bi;
	char why[128] = "";
	uint32_t files = 0;
	kr_err_t r, first = KR_OK;
	kr_cap_t cap;
	void *va;

	for (uint32_t i = 0; kr_boot_module(vfs_self, i, &cap, &bi) == KR_OK; i++) {
		if (!strcmp(bi.name, "initrd") &&
		    kr_page_map(vfs_self, cap, KR_RIGHT_READ, &va) == KR_OK) {
			r = initrd_unpack(into, (const char *)va + bi.offset, bi.size, why,
					  sizeof(why), &files);
			if (r == KR_OK && !quiet)
				kr_log(KR_LOG_INFO, "vfs: initrd: %u files (%llu bytes)%s%s\n", files,
				       (unsigned long long)bi.size, why[0] ? "; " : "", why);
			else if (r)
				kr_log(KR_LOG_ERR, "vfs: initrd: %s\n", why);
			first = first ? first : r;
		}
		kr_cap_delete(vfs_self, cap);     /* unmaps it */
	}
	return first;
}

const struct kr_ops_header *vfs_ops_table(void)
{
	return &ops.hdr;
}

static kr_err_t vfs_module_init(kr_domain_t *dom)
{
	kr_cap_t cap;
	kr_err_t r;

	vfs_self = dom;
	r = vfs_create(&vfs_heap, NULL, vfs_part_clock, &vfs_live.fs);
	if (r)
		return r;
	vfs_load_initrd(vfs_live.fs, false);
	r = kr_service_publish(vfs_self, "vfs", &ops.hdr, &cap);
	if (r) {
		vfs_destroy(vfs_live.fs);
		vfs_live.fs = NULL;
		return r;
	}
	/* Without its part the commit log cannot keep the files, but the
	 * file system itself works: say so and go on. */
	if ((r = vfs_state_publish()))
		kr_log(KR_LOG_ERR, "vfs: state.vfs not published (%s): changes will not be logged\n",
		       kr_strerror(r));
	if ((r = vfs_live_publish()))
		kr_log(KR_LOG_ERR, "vfs: live.vfs not published (%s): no live replacement\n",
		       kr_strerror(r));
	return KR_OK;
}

static void vfs_module_exit(kr_domain_t *dom)
{
	(void)dom;
	vfs_state_unpublish();
	vfs_destroy(vfs_live.fs);
	vfs_live.fs = NULL;
}

KR_MODULE(.name = "vfs", .version = KR_VERSION(1, 1, 0),
	  .description = "in-memory file system at /, filled from the initrd; the vfs service",
	  .license = "MIT", .author = "Karyon developers",
	  .init = vfs_module_init, .exit = vfs_module_exit);
