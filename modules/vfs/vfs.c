/*
 * vfs - the file system module: the in-memory file system (vfs_fs.c)
 * mounted at "/", filled at boot from the "initrd" boot module (a cpio
 * newc archive the build makes, initrd.c), and offered to other modules as
 * the "vfs" service (<karyon/vfs.h>).
 *
 * Its memory comes from the module heap, charged to its domain; its clock
 * is logical (one tick per change), so the same boot gives the same
 * modification times.
 */
#include <karyon/heap.h>
#include <karyon/libc.h>
#include <karyon/log.h>
#include <karyon/module.h>

#include "initrd.h"
#include "vfs_fs.h"

static kr_domain_t *self;
static struct vfs *fs;
static uint64_t ticks;

#define WATCHERS 4
#define NORM_MAX 1024           /* a normalised path (vfs_fs.h's path_max) */
static struct watcher {
	kr_domain_t *d;
	kr_vfs_watch_fn fn;
	void *ctx;
} watchers[WATCHERS];

/* Is anyone watching?  Without a watcher no operation does more than it
 * did before watchers existed (no stat, no normalising for them). */
static bool watched(void)
{
	for (int i = 0; i < WATCHERS; i++)
		if (watchers[i].fn)
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
	for (int i = 0; i < WATCHERS; i++)
		if (watchers[i].fn)
			watchers[i].fn(watchers[i].ctx, change, norm);
}

static bool exists(const char *cwd, const char *path)
{
	struct kr_vfs_stat st;

	return vfs_stat(fs, cwd, path, &st) == KR_OK;
}

/* Where mv/cp from -> to puts it: to, or to/NAME when to is a directory. */
static kr_err_t target_of(const char *cwd, const char *from, const char *to, char *out)
{
	struct kr_vfs_stat st;
	char src[NORM_MAX];
	kr_err_t e = vfs_normalize(cwd, to, out, NORM_MAX);
	const char *name;
	size_t n;

	if (e || vfs_stat(fs, NULL, out, &st) != KR_OK || st.type != KR_VFS_DIR)
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
	struct watcher *free_slot = NULL;

	if (!d)
		return KR_EINVAL;
	for (int i = 0; i < WATCHERS; i++) {
		if (watchers[i].d == d) {
			watchers[i] = fn ? (struct watcher){ d, fn, ctx } : (struct watcher){ 0 };
			return KR_OK;
		}
		if (!watchers[i].d && !free_slot)
			free_slot = &watchers[i];
	}
	if (!fn)
		return KR_OK;
	if (!free_slot)
		return KR_ENOSPC;
	*free_slot = (struct watcher){ d, fn, ctx };
	return KR_OK;
}

static void *fs_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return kr_malloc(self, n);
}

static void fs_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)n;
	kr_free(self, p);
}

static uint64_t fs_clock(void *ctx)
{
	(void)ctx;
	return ++ticks;
}

static kr_err_t op_mkdir(const char *cwd, const char *path, bool parents)
{
	bool was = watched() && exists(cwd, path);
	kr_err_t e = vfs_mkdir(fs, cwd, path, parents);

	if (!e && !was)
		changed(KR_VFS_CREATED, cwd, path);
	return e;
}

static kr_err_t op_remove(const char *cwd, const char *path, bool recursive)
{
	char norm[NORM_MAX];
	bool named = watched() && vfs_normalize(cwd, path, norm, sizeof(norm)) == KR_OK;
	kr_err_t e = vfs_remove(fs, cwd, path, recursive);

	if (!e && named)
		changed(KR_VFS_REMOVED, NULL, norm);
	return e;
}

static kr_err_t op_write(const char *cwd, const char *path, const void *data, size_t n,
			 bool append)
{
	bool was = watched() && exists(cwd, path);
	kr_err_t e = vfs_write(fs, cwd, path, data, n, append);

	if (!e && !was)
		changed(KR_VFS_CREATED, cwd, path);
	if (!e)
		changed(KR_VFS_WRITTEN, cwd, path);
	return e;
}

static kr_err_t op_read(const char *cwd, const char *path, uint64_t off, void *buf, size_t n,
			size_t *got)
{
	return vfs_read(fs, cwd, path, off, buf, n, got);
}

static kr_err_t op_stat(const char *cwd, const char *path, struct kr_vfs_stat *st)
{
	return vfs_stat(fs, cwd, path, st);
}

static kr_err_t op_rename(const char *cwd, const char *from, const char *to)
{
	char old[NORM_MAX], new[NORM_MAX];
	/* where it goes, worked out before the move; the move's own answer
	 * is what the caller gets, named or not */
	bool named = watched() && vfs_normalize(cwd, from, old, sizeof(old)) == KR_OK &&
		     target_of(cwd, from, to, new) == KR_OK;
	kr_err_t e = vfs_rename(fs, cwd, from, to);

	if (!e && named && strcmp(old, new)) {
		changed(KR_VFS_REMOVED, NULL, old);
		changed(KR_VFS_CREATED, NULL, new);
	}
	return e;
}

static kr_err_t op_copy(const char *cwd, const char *from, const char *to)
{
	char dst[NORM_MAX];
	bool named = watched() && target_of(cwd, from, to, dst) == KR_OK;
	bool was = named && exists(NULL, dst);
	kr_err_t e = vfs_copy(fs, cwd, from, to);

	if (!e && named && !was)
		changed(KR_VFS_CREATED, NULL, dst);
	if (!e && named)
		changed(KR_VFS_WRITTEN, NULL, dst);
	return e;
}

static kr_err_t op_list(const char *cwd, const char *path, kr_vfs_list_fn fn, void *ctx)
{
	return vfs_list(fs, cwd, path, fn, ctx);
}

static const struct kr_vfs_ops ops = {
	.hdr = { KR_OPS_MAGIC, KR_VFS_SERVICE_VERSION, sizeof(struct kr_vfs_ops), 0 },
	.normalize = vfs_normalize, .mkdir = op_mkdir, .remove = op_remove,
	.write = op_write, .read = op_read, .stat = op_stat, .rename = op_rename,
	.copy = op_copy, .list = op_list, .watch = op_watch,
};

/* Unpack the boot module named "initrd", if the image has one. */
static void load_initrd(void)
{
	struct kr_boot_module_info bi;
	char why[128] = "";
	uint32_t files = 0;
	kr_cap_t cap;
	void *va;

	for (uint32_t i = 0; kr_boot_module(self, i, &cap, &bi) == KR_OK; i++) {
		if (!strcmp(bi.name, "initrd") &&
		    kr_page_map(self, cap, KR_RIGHT_READ, &va) == KR_OK) {
			if (initrd_unpack(fs, (const char *)va + bi.offset, bi.size, why,
					  sizeof(why), &files) == KR_OK)
				kr_log(KR_LOG_INFO, "vfs: initrd: %u files (%llu bytes)%s%s\n", files,
				       (unsigned long long)bi.size, why[0] ? "; " : "", why);
			else
				kr_log(KR_LOG_ERR, "vfs: initrd: %s\n", why);
		}
		kr_cap_delete(self, cap);
	}
}

static kr_err_t vfs_module_init(kr_domain_t *dom)
{
	const struct vfs_alloc a = { NULL, fs_alloc, fs_free };
	kr_cap_t cap;
	kr_err_t r;

	self = dom;
	r = vfs_create(&a, NULL, fs_clock, &fs);
	if (r)
		return r;
	load_initrd();
	r = kr_service_publish(self, "vfs", &ops.hdr, &cap);
	if (r) {
		vfs_destroy(fs);
		fs = NULL;
	}
	return r;
}

static void vfs_module_exit(kr_domain_t *dom)
{
	(void)dom;
	vfs_destroy(fs);
	fs = NULL;
}

KR_MODULE(.name = "vfs", .version = KR_VERSION(1, 0, 0),
	  .description = "in-memory file system at /, filled from the initrd; the vfs service",
	  .license = "MIT", .author = "Karyon developers",
	  .init = vfs_module_init, .exit = vfs_module_exit);
